/*
 * put.c — the write path.
 *
 *   source -> segment (read into the data area) -> AES-256-GCM in place
 *          -> Reed-Solomon parity -> XXH3-128 per shard -> frames
 *          -> k+m shard files on distinct domains (writer thread)
 *          -> fsync all files (in parallel) -> one metadata transaction
 *
 * Two segment buffers alternate: the caller's thread reads and computes one
 * while the writer thread writes the other, so shard writes run in
 * parallel with compute.  Memory is two segments' shards, whatever the
 * object size.
 *
 * INVARIANTS
 *   (1) The intents of every shard file are committed before any file is
 *       created, so a crash at any point leaves only files the reclaimer
 *       can find.
 *   (2) The version row and its shard rows are committed in one
 *       transaction, after every shard file is fsync'd: a version is
 *       visible only when all of its k+m shards are durable.
 *   (3) A failed put removes its own files through the reclaimer and
 *       leaves nothing visible.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <xxhash.h>

#include "store/object.h"
#include "store/placement.h"
#include "store/reclaim.h"
#include "banned.h"

struct segbuf {
    uint8_t *data;                          /* (k+m) * full_payload */
    uint8_t hdr[HF_MAX_SHARDS][SHARD_HDR_LEN];
    uint64_t plen;
};

struct writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct segbuf *job;     /* non-NULL: to be written */
    bool quit;
    enum hf_err err;
    unsigned failed_shard;
    unsigned n;
    struct backend *be[HF_MAX_SHARDS];
    struct be_writer *w[HF_MAX_SHARDS];
};

static void *writer_main(void *arg)
{
    struct writer *wr = arg;

    pthread_mutex_lock(&wr->mu);
    for (;;) {
        while (!wr->job && !wr->quit)
            pthread_cond_wait(&wr->cv, &wr->mu);
        if (!wr->job)
            break;
        struct segbuf *sb = wr->job;
        enum hf_err prev = wr->err;
        pthread_mutex_unlock(&wr->mu);
        enum hf_err rc = prev; /* after a failure, later jobs are dropped */
        unsigned failed = 0;
        for (unsigned i = 0; i < wr->n && rc == HF_OK; i++) {
            struct iovec iov[2] = {
                { sb->hdr[i], SHARD_HDR_LEN },
                { sb->data + i * sb->plen, sb->plen },
            };
            rc = wr->be[i]->ops->append(wr->w[i], iov, 2);
            if (rc != HF_OK) {
                failed = i;
                break;
            }
        }
        pthread_mutex_lock(&wr->mu);
        if (rc != HF_OK && wr->err == HF_OK) {
            wr->err = rc;
            wr->failed_shard = failed;
        }
        wr->job = NULL;
        pthread_cond_broadcast(&wr->cv);
    }
    pthread_mutex_unlock(&wr->mu);
    return NULL;
}

/* Hand @sb to the writer after the previous job is done; return its error. */
static enum hf_err writer_post(struct writer *wr, struct segbuf *sb)
{
    enum hf_err rc;

    pthread_mutex_lock(&wr->mu);
    while (wr->job)
        pthread_cond_wait(&wr->cv, &wr->mu);
    rc = wr->err;
    if (rc == HF_OK && sb) {
        wr->job = sb;
        pthread_cond_broadcast(&wr->cv);
    }
    pthread_mutex_unlock(&wr->mu);
    return rc;
}

struct committer {
    pthread_t thread;
    struct backend *be;
    struct be_writer *w;
    enum hf_err rc;
};

static void *commit_main(void *arg)
{
    struct committer *c = arg;

    c->rc = c->be->ops->commit(c->w);
    return NULL;
}

/* fsync every shard file, in parallel.  Consumes the writers. */
static enum hf_err commit_all(struct writer *wr, unsigned *failed)
{
    struct committer c[HF_MAX_SHARDS];
    bool started[HF_MAX_SHARDS] = { false };
    enum hf_err rc = HF_OK;

    for (unsigned i = 0; i < wr->n; i++) {
        c[i] = (struct committer){ .be = wr->be[i], .w = wr->w[i] };
        wr->w[i] = NULL;
        if (wr->n > 1 && pthread_create(&c[i].thread, NULL, commit_main, &c[i]) == 0)
            started[i] = true;
        else
            commit_main(&c[i]);
    }
    for (unsigned i = 0; i < wr->n; i++) {
        if (started[i])
            pthread_join(c[i].thread, NULL);
        if (c[i].rc != HF_OK && rc == HF_OK) {
            rc = c[i].rc;
            *failed = i;
        }
    }
    return rc;
}

/* Fill @buf from @src until @len bytes or end of input. */
static enum hf_err fill(hf_source_fn src, void *arg, uint8_t *buf, size_t len, size_t *got)
{
    *got = 0;
    while (*got < len) {
        size_t n = 0;
        enum hf_err rc = src(arg, buf + *got, len - *got, &n);
        if (rc != HF_OK)
            return rc;
        if (n == 0)
            break;
        *got += n;
    }
    return HF_OK;
}

/* Choose backends for the shards of @vid among the usable ones. */
static enum hf_err place(struct hf_store *st, const uint8_t vid[16], unsigned n,
                         struct backend **out)
{
    struct place_cand c[256];
    struct backend *map[256];
    unsigned idx[HF_MAX_SHARDS];
    size_t nc = 0;
    enum hf_err rc;

    for (size_t i = 0; i < st->nbackends && nc < 256; i++) {
        if (!st->backends[i]->up)
            continue;
        map[nc] = st->backends[i];
        c[nc++] = (struct place_cand){ st->backends[i]->name, st->backends[i]->domain, 1 };
    }
    rc = placement_choose(c, nc, vid, n, idx);
    if (rc != HF_OK)
        return hf_fail(st, rc, "no usable backend to write to");
    for (unsigned s = 0; s < n; s++)
        out[s] = map[idx[s]];
    return HF_OK;
}

enum hf_err hf_put(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                   hf_source_fn src, void *src_arg, const struct hf_put_opts *opts,
                   struct hf_version_info *out)
{
    struct hf_put_opts o = { -1, NULL, NULL };
    struct meta_version *v = NULL;
    struct writer wr;
    struct segbuf sbuf[2] = { { 0 } };
    struct rs rs;
    struct crypt_ctx *cc = NULL;
    uint8_t dk[CRYPT_KEY_LEN];
    uint64_t full_payload, total = 0;
    unsigned n, cur = 0, failed = 0;
    bool thread_up = false, intents = false;
    XXH3_state_t *xs = NULL;
    enum hf_err rc;
    int64_t pid, pstart;

    if (out)
        memset(out, 0, sizeof(*out));
    if (opts)
        o = *opts;
    hf_clear_err(st);
    memset(&wr, 0, sizeof(wr));
    v = calloc(1, sizeof(*v));
    if (!v)
        return HF_ENOMEM;
    rc = obj_bucket(st, bucket, &v->bucket);
    if (rc != HF_OK)
        goto out;
    if (hf_key_check(key, keylen) != HF_OK) {
        rc = hf_fail(st, HF_EBADKEY, "keys are 1-%d bytes of UTF-8 without NUL", HF_KEY_MAX);
        goto out;
    }
    memcpy(v->key, key, keylen);
    v->keylen = keylen;
    v->k = st->k;
    v->m = st->m;
    v->segsize = st->segment_size;
    n = v->k + v->m;
    rc = rs_init(&rs, v->k, v->m);
    if (rc != HF_OK)
        goto out;
    if ((rc = hf_random(v->vid, 16)) != HF_OK || (rc = hf_random(dk, sizeof(dk))) != HF_OK ||
        (rc = obj_hash(bucket, key, keylen, v->objhash)) != HF_OK ||
        (rc = crypt_wrap_key(st->master_key, v->vid, dk, v->wrapped)) != HF_OK)
        goto out;

    full_payload = shard_payload_len((uint64_t)v->segsize + CRYPT_TAG_LEN, v->k);
    cc = crypt_ctx_new();
    xs = XXH3_createState();
    for (int b = 0; b < 2; b++)
        sbuf[b].data = aligned_alloc(64, n * full_payload);
    if (!cc || !xs || !sbuf[0].data || !sbuf[1].data) {
        rc = HF_ENOMEM;
        goto out;
    }
    XXH3_128bits_reset(xs);

    /* Placement, then intents (invariant 1), then files. */
    rc = place(st, v->vid, n, wr.be);
    if (rc != HF_OK)
        goto out;
    wr.n = n;
    hf_self_ident(&pid, &pstart);
    rc = meta_begin(st->meta);
    for (unsigned i = 0; rc == HF_OK && i < n; i++) {
        struct meta_file f = { .backend = wr.be[i]->id, .pid = pid, .pstart = pstart };
        memcpy(f.vid, v->vid, 16);
        backend_shard_name(v->vid, i, 0, f.name);
        rc = meta_intent_add(st->meta, &f);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    intents = true;
    hf_crashpoint();
    for (unsigned i = 0; i < n; i++) {
        char name[BE_NAME_MAX];
        backend_shard_name(v->vid, i, 0, name);
        rc = wr.be[i]->ops->create(wr.be[i], name, &wr.w[i]);
        hf_crashpoint();
        if (rc != HF_OK) {
            rc = hf_fail(st, rc, "backend %s (%s): cannot create shard file: %s",
                         wr.be[i]->name, wr.be[i]->location, hf_strerror(rc));
            goto out;
        }
    }
    pthread_mutex_init(&wr.mu, NULL);
    pthread_cond_init(&wr.cv, NULL);
    if (pthread_create(&wr.thread, NULL, writer_main, &wr) != 0) {
        pthread_mutex_destroy(&wr.mu);
        pthread_cond_destroy(&wr.cv);
        rc = HF_ENOMEM;
        goto out;
    }
    thread_up = true;

    for (uint64_t s = 0;; s++) {
        struct segbuf *sb = &sbuf[cur];
        uint8_t *shards[HF_MAX_SHARDS], aad[CRYPT_AAD_LEN];
        size_t got = 0;
        uint64_t cipher;

        /*
         * This buffer is free: writer_post() of the other one returned only
         * after the writer finished with this one.
         */
        rc = fill(src, src_arg, sb->data, v->segsize, &got);
        if (rc != HF_OK) {
            hf_fail(st, rc, "reading the input failed after %llu bytes",
                    (unsigned long long)total);
            break;
        }
        if (got == 0 && s > 0)
            break; /* end of input on a segment boundary */
        if (o.expect_size >= 0 && total + got > (uint64_t)o.expect_size) {
            rc = hf_fail(st, HF_ETRUNCATED, "input is longer than the declared %lld bytes",
                         (long long)o.expect_size);
            break;
        }
        XXH3_128bits_update(xs, sb->data, got);
        cipher = got + CRYPT_TAG_LEN;
        sb->plen = shard_payload_len(cipher, v->k);
        crypt_segment_aad(v->vid, v->objhash, s, got, aad);
        rc = crypt_seal(cc, dk, s, aad, sizeof(aad), sb->data, got, sb->data + got);
        if (rc != HF_OK)
            break;
        memset(sb->data + cipher, 0, v->k * sb->plen - cipher);
        for (unsigned i = 0; i < n; i++)
            shards[i] = sb->data + i * sb->plen;
        rs_encode(&rs, sb->plen, shards);
        total += got;
        v->size = total;
        v->nsegs = s + 1;
        for (unsigned i = 0; i < n; i++)
            obj_frame_hdr(v, i, s, shards[i], sb->plen, sb->hdr[i]);
        rc = writer_post(&wr, sb);
        if (rc != HF_OK) {
            hf_fail(st, rc, "backend %s (%s): writing a shard failed: %s",
                    wr.be[wr.failed_shard]->name, wr.be[wr.failed_shard]->location,
                    hf_strerror(rc));
            break;
        }
        hf_crashpoint();
        cur ^= 1;
        if (o.progress)
            o.progress(o.progress_arg, total, o.expect_size > 0 ? (uint64_t)o.expect_size : 0);
        if (got < v->segsize)
            break; /* short segment: end of input */
    }
    {
        enum hf_err wrc = writer_post(&wr, NULL); /* drain */
        if (rc == HF_OK && wrc != HF_OK) {
            rc = hf_fail(st, wrc, "backend %s (%s): writing a shard failed: %s",
                         wr.be[wr.failed_shard]->name, wr.be[wr.failed_shard]->location,
                         hf_strerror(wrc));
        }
    }
    if (rc != HF_OK)
        goto out;
    if (o.expect_size >= 0 && total != (uint64_t)o.expect_size) {
        rc = hf_fail(st, HF_ETRUNCATED, "input ended after %llu of the declared %lld bytes",
                     (unsigned long long)total, (long long)o.expect_size);
        goto out;
    }
    {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xs));
        memcpy(v->checksum, c.digest, 16);
    }
    rc = commit_all(&wr, &failed);
    hf_crashpoint();
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "backend %s (%s): making the shard durable failed: %s",
                     wr.be[failed]->name, wr.be[failed]->location, hf_strerror(rc));
        goto out;
    }

    /* Invariant 2: one transaction makes the version visible. */
    v->mtime = hf_now_ns();
    v->state = VERSION_LIVE;
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_version_insert(st->meta, v);
    for (unsigned i = 0; rc == HF_OK && i < n; i++) {
        struct meta_shard sh = { .idx = i, .backend = wr.be[i]->id, .gen = 0 };
        char name[BE_NAME_MAX];
        rc = meta_shard_set(st->meta, v->id, &sh);
        backend_shard_name(v->vid, i, 0, name);
        if (rc == HF_OK)
            rc = meta_intent_remove(st->meta, wr.be[i]->id, name);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        rc = hf_fail(st, rc, "metadata commit failed: %s", meta_errmsg(st->meta));
        goto out;
    }
    intents = false;
    hf_crashpoint();
    if (out) {
        v->latest = 1;
        memset(out, 0, sizeof(*out));
        hf_hex(v->vid, 16, out->version_id);
        out->mtime_ns = v->mtime;
        out->size = v->size;
        out->latest = 1;
        memcpy(out->checksum, v->checksum, 16);
        out->k = v->k;
        out->m = v->m;
        out->segment_size = v->segsize;
        out->segments = v->nsegs;
    }
out:
    if (thread_up) {
        pthread_mutex_lock(&wr.mu);
        wr.quit = true;
        pthread_cond_broadcast(&wr.cv);
        pthread_mutex_unlock(&wr.mu);
        pthread_join(wr.thread, NULL);
        pthread_mutex_destroy(&wr.mu);
        pthread_cond_destroy(&wr.cv);
    }
    for (unsigned i = 0; i < HF_MAX_SHARDS; i++)
        if (wr.w[i])
            wr.be[i]->ops->abort(wr.w[i]);
    if (intents) {
        char msg[HF_ERRMSG_MAX];
        memcpy(msg, st->errmsg, sizeof(msg));
        reclaim_failed_write(st, v->vid); /* invariant 3 */
        memcpy(st->errmsg, msg, sizeof(msg));
    }
    OPENSSL_cleanse(dk, sizeof(dk));
    free(sbuf[0].data);
    free(sbuf[1].data);
    XXH3_freeState(xs);
    crypt_ctx_free(cc);
    free(v);
    return rc;
}
