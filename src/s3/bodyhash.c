/*
 * bodyhash.c — a request body's digests on a helper thread.
 *
 * A byte ring of BODYHASH_RING bytes between one producer (the connection
 * thread, bodyhash_feed) and one consumer (the helper, which calls the
 * digest function).  `in` counts the bytes fed, `out` the bytes digested;
 * both only grow, and byte i lives at ring[i % BODYHASH_RING].
 *
 * INVARIANTS
 *   (1) out <= in <= out + BODYHASH_RING: the producer writes only
 *       [in, out + RING), the helper reads only [out, in), so neither
 *       touches bytes the other is using; both counters change under mu
 *       (which also orders the bytes: the copy happens before `in` grows,
 *       the digest before `out` grows).
 *   (2) The digest function sees every fed byte once, in order, until it
 *       fails or the producer quits; after a failure it is not called again.
 *   (3) The helper exits only when done and out == in, or on quit; join
 *       (finish or free) is the only way the caller gets the digest state
 *       back.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "s3/bodyhash.h"
#include "banned.h"

/* Bytes the helper digests between two looks at the counters. */
#define BODYHASH_STEP (256 * 1024)

struct bodyhash {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv_in;       /* the helper waits for bytes (or done / quit) */
    pthread_cond_t cv_out;      /* the producer waits for room (or finish waits for out == in) */
    uint64_t in, out;
    bool done;                  /* no more bytes will come */
    bool quit;                  /* stop now: the rest is not wanted */
    bool helper_waits, producer_waits;
    enum hf_err err;            /* the digest function's first error; sticky */
    bodyhash_fn fn;
    void *arg;
    uint8_t *ring;
};

static void *helper_main(void *p)
{
    struct bodyhash *h = p;

    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->in == h->out && !h->done && !h->quit) {
            h->helper_waits = true;
            pthread_cond_wait(&h->cv_in, &h->mu);
            h->helper_waits = false;
        }
        if (h->quit || h->in == h->out)
            break;
        {
            size_t off = (size_t)(h->out % BODYHASH_RING);
            uint64_t avail = h->in - h->out;
            size_t n = BODYHASH_RING - off;
            enum hf_err rc = h->err;

            if (avail < n)
                n = (size_t)avail;
            if (n > BODYHASH_STEP)
                n = BODYHASH_STEP;
            pthread_mutex_unlock(&h->mu);
            if (rc == HF_OK)
                rc = h->fn(h->arg, h->ring + off, n); /* invariant 1: [out, out + n) is ours */
            pthread_mutex_lock(&h->mu);
            if (rc != HF_OK && h->err == HF_OK)
                h->err = rc;
            h->out += n;
            if (h->producer_waits)
                pthread_cond_signal(&h->cv_out);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

enum hf_err bodyhash_start(bodyhash_fn fn, void *arg, struct bodyhash **out)
{
    struct bodyhash *h;

    *out = NULL;
    h = calloc(1, sizeof(*h));
    if (!h)
        return HF_ENOMEM;
    h->fn = fn;
    h->arg = arg;
    h->ring = malloc(BODYHASH_RING);
    if (!h->ring) {
        free(h);
        return HF_ENOMEM;
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv_in, NULL);
    pthread_cond_init(&h->cv_out, NULL);
    if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
        pthread_cond_destroy(&h->cv_out);
        pthread_cond_destroy(&h->cv_in);
        pthread_mutex_destroy(&h->mu);
        free(h->ring);
        free(h);
        return HF_ENOMEM;
    }
    *out = h;
    return HF_OK;
}

enum hf_err bodyhash_feed(struct bodyhash *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    enum hf_err rc;

    pthread_mutex_lock(&h->mu);
    while (len > 0 && h->err == HF_OK) {
        size_t off, n;

        while (h->in - h->out == BODYHASH_RING) {
            h->producer_waits = true;
            pthread_cond_wait(&h->cv_out, &h->mu);
            h->producer_waits = false;
        }
        off = (size_t)(h->in % BODYHASH_RING);
        n = (size_t)(BODYHASH_RING - (h->in - h->out)); /* room */
        if (n > BODYHASH_RING - off)
            n = BODYHASH_RING - off;                     /* contiguous */
        if (n > len)
            n = len;
        pthread_mutex_unlock(&h->mu);
        memcpy(h->ring + off, p, n);                     /* invariant 1: [in, in + n) is ours */
        pthread_mutex_lock(&h->mu);
        h->in += n;
        p += n;
        len -= n;
        if (h->helper_waits)
            pthread_cond_signal(&h->cv_in);
    }
    rc = h->err;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* Tell the helper to stop (@quit: now; else once everything is digested), join it. */
static void stop(struct bodyhash *h, bool quit)
{
    pthread_mutex_lock(&h->mu);
    h->done = true;
    h->quit = h->quit || quit;
    pthread_cond_signal(&h->cv_in);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    h->fn = NULL;       /* joined: marks the helper gone */
}

enum hf_err bodyhash_finish(struct bodyhash *h)
{
    if (h->fn)
        stop(h, false);
    return h->err;      /* the helper is joined: no lock needed */
}

void bodyhash_free(struct bodyhash *h)
{
    if (!h)
        return;
    if (h->fn)
        stop(h, true);
    pthread_cond_destroy(&h->cv_out);
    pthread_cond_destroy(&h->cv_in);
    pthread_mutex_destroy(&h->mu);
    free(h->ring);
    free(h);
}
