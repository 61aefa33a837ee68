/*
 * put.c — the write path.
 *
 *   source -> segment (read into the data area) -> AES-256-GCM in place
 *          -> Reed-Solomon parity -> XXH3-128 per shard -> frames
 *          -> k+m shard files on distinct domains (writer thread)
 *          -> fsync all files (in parallel) -> one metadata transaction
 *
 * The write is incremental (hf_writer_open / _write / _commit / _abort) so a
 * server can feed it from a socket; hf_put() drives it from a source.  Two
 * segment buffers alternate: the caller's thread fills and computes one
 * while the writer thread writes the other, so shard writes run in
 * parallel with compute.  Memory is two segments' shards, whatever the
 * object size.
 *
 * Small writes in a server (one segment, at most GROUP_MAX_BYTES, a handle
 * with a committer: group.h) take a shorter path with the same invariants:
 * a reservation whose intents are committed, the shard files written on
 * the caller's thread (no writer thread), and their sync and rows left to
 * the committer's next group.
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

#include "policy/lock.h"
#include "policy/policy.h"
#include "store/group.h"
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

/* Write @sb's shards now, on the caller's thread (small writes). */
static enum hf_err writer_now(struct writer *wr, struct segbuf *sb)
{
    for (unsigned i = 0; i < wr->n; i++) {
        struct iovec iov[2] = {
            { sb->hdr[i], SHARD_HDR_LEN },
            { sb->data + i * sb->plen, sb->plen },
        };
        enum hf_err rc = wr->be[i]->ops->append(wr->w[i], iov, 2);
        if (rc != HF_OK) {
            wr->failed_shard = i;
            return rc;
        }
    }
    return HF_OK;
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

/*
 * Choose backends for the shards of @vid among the writable ones (up and
 * active: never a draining or failed one), refusing a placement that
 * survives fewer whole domains than min_redundancy (holdfast.conf).
 */
enum hf_err put_place(struct hf_store *st, const uint8_t vid[16], unsigned n,
                      struct backend **out)
{
    struct place_cand c[256];
    struct backend *map[256];
    unsigned idx[HF_MAX_SHARDS];
    const char *doms[HF_MAX_SHARDS];
    size_t nc = obj_candidates(st, c, map, 256);
    enum hf_err rc;
    int tol;

    rc = placement_choose(c, nc, vid, n, st->m, idx);
    if (rc != HF_OK)
        return hf_fail(st, rc, "no usable backend to write to");
    for (unsigned s = 0; s < n; s++) {
        out[s] = map[idx[s]];
        doms[s] = c[idx[s]].domain;
    }
    tol = placement_tolerance(doms, n, st->m);
    if (tol < (int)st->min_redundancy)
        return hf_fail(st, HF_ENOPLACE, "only %zu writable backend%s: a new object would "
                       "survive the loss of %d failure domain%s, below min_redundancy = %u "
                       "(holdfast.conf)", nc, nc == 1 ? "" : "s", tol, tol == 1 ? "" : "s",
                       st->min_redundancy);
    return HF_OK;
}

struct hf_writer {
    struct hf_store *st;
    struct hf_put_opts o;
    char bucket[64];
    struct meta_version *v;
    struct writer wr;
    struct segbuf sbuf[2];
    unsigned cur;           /* the buffer being filled */
    size_t fill;            /* plaintext bytes in it */
    uint64_t seg;           /* its segment index */
    struct rs rs;
    struct crypt_ctx *cc;
    uint8_t dk[CRYPT_KEY_LEN];
    XXH3_state_t *xs;
    unsigned n;
    bool thread_up, intents;
    bool small;             /* the group path (group.h): no writer thread */
    size_t cap;             /* plaintext room of a segment buffer */
    enum hf_err failed;     /* sticky: a failed writer stays failed */
    char upload[HF_VERSION_ID_LEN + 1]; /* part mode: the upload, else "" */
    unsigned part;
    bool if_none_match_any;             /* conditions from hf_object_meta */
    char if_match[HF_ETAG_MAX + 1];
};

/*
 * Conditional write (S3 If-None-Match: * / If-Match: ETAG), checked inside
 * the commit transaction against the key's current version.
 */
static enum hf_err precondition(struct hf_store *st, const struct meta_version *v,
                                const struct put_cond *c, const struct meta_bucket *mb)
{
    struct meta_version *cur;
    enum hf_err rc;
    bool exists;

    if (!c->if_none_match_any && !(c->if_match && c->if_match[0]))
        return HF_OK;
    cur = malloc(sizeof(*cur));
    if (!cur)
        return HF_ENOMEM;
    rc = meta_version_get(st->meta, mb->id, v->key, v->keylen, NULL, cur);
    if (rc != HF_OK && rc != HF_ENOTFOUND) {
        free(cur);
        return rc;
    }
    exists = rc == HF_OK && !cur->marker;
    rc = HF_OK;
    if (c->if_none_match_any && exists)
        rc = HF_EPRECOND;
    if (c->if_match && c->if_match[0] && (!exists || strcmp(c->if_match, cur->etag) != 0))
        rc = HF_EPRECOND;
    free(cur);
    return rc;
}

/* Free everything; with intents still set, reclaim this write's files. */
static void writer_free(struct hf_writer *w)
{
    if (!w)
        return;
    if (w->thread_up) {
        pthread_mutex_lock(&w->wr.mu);
        w->wr.quit = true;
        pthread_cond_broadcast(&w->wr.cv);
        pthread_mutex_unlock(&w->wr.mu);
        pthread_join(w->wr.thread, NULL);
        pthread_mutex_destroy(&w->wr.mu);
        pthread_cond_destroy(&w->wr.cv);
    }
    for (unsigned i = 0; i < HF_MAX_SHARDS; i++)
        if (w->wr.w[i])
            w->wr.be[i]->ops->abort(w->wr.w[i]);
    if (w->intents) {
        char msg[HF_ERRMSG_MAX];
        memcpy(msg, w->st->errmsg, sizeof(msg));
        reclaim_failed_write(w->st, w->v->vid); /* invariant 3 */
        memcpy(w->st->errmsg, msg, sizeof(msg));
    }
    OPENSSL_cleanse(w->dk, sizeof(w->dk));
    free(w->sbuf[0].data);
    free(w->sbuf[1].data);
    XXH3_freeState(w->xs);
    crypt_ctx_free(w->cc);
    free(w->v);
    free(w);
}

/*
 * The small path's start (group.h): a reservation (its intents committed:
 * invariant 1), its files created at once; no writer thread.
 */
static enum hf_err open_small(struct hf_writer *w)
{
    struct hf_store *st = w->st;
    struct meta_version *v = w->v;
    struct group_res res;
    enum hf_err rc = group_reserve(st->group, w->n, &res);

    if (rc != HF_OK)
        return hf_fail(st, rc, "no write reservation: %s", hf_strerror(rc));
    memcpy(v->vid, res.vid, 16);
    w->intents = true;          /* from now on a failure reclaims them */
    for (unsigned i = 0; i < w->n; i++) {
        w->wr.be[i] = hf_store_backend(st, res.backend[i]);
        if (!w->wr.be[i] || !w->wr.be[i]->up)
            return hf_fail(st, HF_EBACKEND, "backend %lld chosen for a write is not usable",
                           (long long)res.backend[i]);
    }
    w->wr.n = w->n;
    return HF_OK;
}

static enum hf_err writer_open(struct hf_store *st, const char *bucket, const char *key,
                               size_t keylen, const struct hf_put_opts *opts, bool group_ok,
                               struct hf_writer **out)
{
    struct hf_writer *w;
    struct meta_version *v;
    uint64_t full_payload;
    enum hf_err rc;
    int64_t pid, pstart;

    *out = NULL;
    hf_clear_err(st);
    w = calloc(1, sizeof(*w));
    if (!w)
        return HF_ENOMEM;
    w->st = st;
    w->o = (struct hf_put_opts){ -1, NULL, NULL };
    if (opts)
        w->o = *opts;
    v = w->v = calloc(1, sizeof(*v));
    if (!v) {
        rc = HF_ENOMEM;
        goto fail;
    }
    rc = obj_bucket(st, bucket, &v->bucket);
    if (rc != HF_OK)
        goto fail;
    snprintf(w->bucket, sizeof(w->bucket), "%s", bucket);
    if (hf_key_check(key, keylen) != HF_OK) {
        rc = obj_bad_key(st);
        goto fail;
    }
    memcpy(v->key, key, keylen);
    v->keylen = keylen;
    v->k = st->k;
    v->m = st->m;
    v->segsize = st->segment_size;
    w->n = v->k + v->m;
    w->small = group_ok && st->group && w->o.expect_size >= 0 &&
               (uint64_t)w->o.expect_size <= GROUP_MAX_BYTES &&
               (uint64_t)w->o.expect_size <= v->segsize;
    w->cap = v->segsize;
    if (w->small && (uint64_t)w->o.expect_size < v->segsize)
        w->cap = (size_t)w->o.expect_size + 1;  /* room to see one byte too many */
    rc = rs_init(&w->rs, v->k, v->m);
    if (rc != HF_OK)
        goto fail;
    if (w->small && (rc = open_small(w)) != HF_OK)
        goto fail;
    if ((!w->small && (rc = hf_random(v->vid, 16)) != HF_OK) ||
        (rc = hf_random(w->dk, sizeof(w->dk))) != HF_OK ||
        (rc = obj_hash(bucket, key, keylen, v->objhash)) != HF_OK ||
        (rc = crypt_wrap_key(st->master_key, v->vid, w->dk, v->wrapped)) != HF_OK)
        goto fail;

    /* A small write has one segment: one buffer, sized for it. */
    full_payload = shard_payload_len((uint64_t)w->cap + CRYPT_TAG_LEN, v->k);
    w->cc = crypt_ctx_new();
    w->xs = XXH3_createState();
    for (int b = 0; b < (w->small ? 1 : 2); b++)
        w->sbuf[b].data = aligned_alloc(64, w->n * full_payload);
    if (!w->cc || !w->xs || !w->sbuf[0].data || (!w->small && !w->sbuf[1].data)) {
        rc = HF_ENOMEM;
        goto fail;
    }
    XXH3_128bits_reset(w->xs);
    if (w->small)
        goto create;

    /*
     * Placement, then intents (invariant 1), then files.  The intents'
     * transaction confirms the backends are still active (a drain may have
     * begun in another process since this store was opened); if not, place
     * again with the states reloaded.
     */
    hf_self_ident(&pid, &pstart);
    for (int attempt = 0;; attempt++) {
        rc = put_place(st, v->vid, w->n, w->wr.be);
        if (rc != HF_OK)
            goto fail;
        rc = meta_begin(st->meta);
        if (rc == HF_OK)
            rc = store_targets_active(st, w->wr.be, w->n);
        if (rc != HF_EBACKEND || attempt == 2)
            break;
        meta_rollback(st->meta);
    }
    w->wr.n = w->n;
    for (unsigned i = 0; rc == HF_OK && i < w->n; i++) {
        struct meta_file f = { .backend = w->wr.be[i]->id, .pid = pid, .pstart = pstart };
        memcpy(f.vid, v->vid, 16);
        backend_shard_name(v->vid, i, 0, f.name);
        rc = meta_intent_add(st->meta, &f);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto fail;
    }
    w->intents = true;
    hf_crashpoint();
create:
    for (unsigned i = 0; i < w->n; i++) {
        char name[BE_NAME_MAX];
        backend_shard_name(v->vid, i, 0, name);
        rc = w->wr.be[i]->ops->create(w->wr.be[i], name, &w->wr.w[i]);
        hf_crashpoint();
        if (rc != HF_OK) {
            rc = hf_fail(st, rc, "backend %s (%s): cannot create shard file: %s",
                         w->wr.be[i]->name, w->wr.be[i]->location, hf_strerror(rc));
            goto fail;
        }
    }
    if (w->small) {
        *out = w;
        return HF_OK;
    }
    pthread_mutex_init(&w->wr.mu, NULL);
    pthread_cond_init(&w->wr.cv, NULL);
    if (pthread_create(&w->wr.thread, NULL, writer_main, &w->wr) != 0) {
        pthread_mutex_destroy(&w->wr.mu);
        pthread_cond_destroy(&w->wr.cv);
        rc = HF_ENOMEM;
        goto fail;
    }
    w->thread_up = true;
    *out = w;
    return HF_OK;
fail:
    writer_free(w);
    return rc;
}

enum hf_err hf_writer_open(struct hf_store *st, const char *bucket, const char *key,
                           size_t keylen, const struct hf_put_opts *opts,
                           struct hf_writer **out)
{
    return writer_open(st, bucket, key, keylen, opts, true, out);
}

/* Encrypt, encode and hand the current buffer to the writer thread. */
static enum hf_err flush_segment(struct hf_writer *w)
{
    struct meta_version *v = w->v;
    struct segbuf *sb = &w->sbuf[w->cur];
    uint8_t *shards[HF_MAX_SHARDS], aad[CRYPT_AAD_LEN];
    uint64_t cipher = w->fill + CRYPT_TAG_LEN;
    enum hf_err rc;

    XXH3_128bits_update(w->xs, sb->data, w->fill);
    sb->plen = shard_payload_len(cipher, v->k);
    crypt_segment_aad(v->vid, v->objhash, w->seg, w->fill, aad);
    rc = crypt_seal(w->cc, w->dk, w->seg, aad, sizeof(aad), sb->data, w->fill,
                    sb->data + w->fill);
    if (rc != HF_OK)
        return hf_fail(w->st, rc, "encryption failed");
    memset(sb->data + cipher, 0, v->k * sb->plen - cipher);
    for (unsigned i = 0; i < w->n; i++)
        shards[i] = sb->data + i * sb->plen;
    rs_encode(&w->rs, sb->plen, shards);
    v->size += w->fill;
    v->nsegs = w->seg + 1;
    for (unsigned i = 0; i < w->n; i++)
        obj_frame_hdr(v, i, w->seg, shards[i], sb->plen, sb->hdr[i]);
    /*
     * This returns once the writer took the buffer, which it does only after
     * finishing the other one: so the other buffer is free to fill next.
     */
    rc = w->small ? writer_now(&w->wr, sb) : writer_post(&w->wr, sb);
    if (rc != HF_OK)
        return hf_fail(w->st, rc, "backend %s (%s): writing a shard failed: %s",
                       w->wr.be[w->wr.failed_shard]->name,
                       w->wr.be[w->wr.failed_shard]->location, hf_strerror(rc));
    hf_crashpoint();
    if (!w->small)
        w->cur ^= 1;
    w->fill = 0;
    w->seg++;
    if (w->o.progress)
        w->o.progress(w->o.progress_arg, v->size,
                      w->o.expect_size > 0 ? (uint64_t)w->o.expect_size : 0);
    return HF_OK;
}

/* Account for @len more bytes; HF_ETRUNCATED past the declared size. */
static enum hf_err take(struct hf_writer *w, size_t len)
{
    if (w->o.expect_size >= 0 && w->v->size + w->fill + len > (uint64_t)w->o.expect_size)
        return hf_fail(w->st, HF_ETRUNCATED, "input is longer than the declared %lld bytes",
                       (long long)w->o.expect_size);
    return HF_OK;
}

enum hf_err hf_writer_write(struct hf_writer *w, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    enum hf_err rc;

    if (w->failed)
        return w->failed;
    rc = take(w, len);
    while (rc == HF_OK && len > 0) {
        size_t room = w->cap - w->fill, n = len < room ? len : room;
        memcpy(w->sbuf[w->cur].data + w->fill, p, n);
        w->fill += n;
        p += n;
        len -= n;
        if (w->fill == w->v->segsize)
            rc = flush_segment(w);
    }
    if (rc != HF_OK)
        w->failed = rc;
    return rc;
}

/* Read from @src straight into the segment buffers (no extra copy). */
static enum hf_err writer_pull(struct hf_writer *w, hf_source_fn src, void *arg)
{
    for (;;) {
        size_t room = w->cap - w->fill, got = 0;
        enum hf_err rc = src(arg, w->sbuf[w->cur].data + w->fill, room, &got);
        if (rc != HF_OK)
            return hf_fail(w->st, rc, "reading the input failed after %llu bytes",
                           (unsigned long long)(w->v->size + w->fill));
        if (got == 0)
            return HF_OK;
        if (w->o.expect_size >= 0 && w->v->size + w->fill + got > (uint64_t)w->o.expect_size)
            return take(w, got);
        w->fill += got;
        if (w->fill == w->v->segsize && (rc = flush_segment(w)) != HF_OK)
            return rc;
    }
}

/* The shard rows of @v, its intents removed (caller's transaction). */
static enum hf_err shard_rows(struct hf_store *st, const struct meta_version *v,
                              const int64_t *backend, unsigned n)
{
    enum hf_err rc = HF_OK;

    for (unsigned i = 0; rc == HF_OK && i < n; i++) {
        struct meta_shard sh = { .idx = i, .backend = backend[i], .gen = 0 };
        char name[BE_NAME_MAX];
        rc = meta_shard_set(st->meta, v->id, &sh);
        backend_shard_name(v->vid, i, 0, name);
        if (rc == HF_OK)
            rc = meta_intent_remove(st->meta, backend[i], name);
    }
    return rc;
}

enum hf_err put_rows(struct hf_store *st, const char *bucket, struct meta_version *v,
                     const int64_t *backend, unsigned n, const struct put_cond *c)
{
    struct meta_bucket mb;
    enum hf_err rc;

    v->mtime = hf_now_ns();
    v->state = VERSION_LIVE;
    /* Not versioning: the new null version replaces the old one. */
    rc = meta_bucket_get(st->meta, bucket, &mb);
    if (rc == HF_OK && mb.id != v->bucket)
        rc = HF_ENOTFOUND; /* deleted (and maybe re-created) while we wrote */
    if (rc == HF_OK)
        rc = precondition(st, v, c, &mb);
    v->is_null = rc == HF_OK && mb.versioning != HF_VERSIONING_ENABLED;
    if (rc == HF_OK && v->is_null)
        rc = obj_hide_null(st, bucket, v->bucket, v->key, v->keylen);
    if (rc == HF_OK)
        rc = lock_new_version(st, &mb, v, c->lock);
    if (rc == HF_OK)
        rc = meta_version_insert(st->meta, v);
    if (rc == HF_OK)
        rc = shard_rows(st, v, backend, n);
    return rc;
}

enum hf_err put_commit_fail(struct hf_store *st, enum hf_err rc)
{
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "the bucket was deleted during the write");
    if (rc == HF_EPRECOND)
        return hf_fail(st, rc, "the key's current version does not meet the condition");
    if (rc == HF_EHELD || rc == HF_EINVAL)
        return rc;   /* the gate's or Object Lock's message says which rule */
    return hf_fail(st, rc, "metadata commit failed: %s", meta_errmsg(st->meta));
}

/* The small path's end: the committer syncs and commits (group.h). */
static enum hf_err commit_small(struct hf_writer *w, const struct put_cond *c)
{
    struct group_ticket *t = calloc(1, sizeof(*t));
    enum hf_err rc;

    if (!t)
        return hf_fail(w->st, HF_ENOMEM, "out of memory");
    t->st = w->st;
    t->bucket = w->bucket;
    t->v = w->v;
    t->n = w->n;
    t->cond = *c;
    for (unsigned i = 0; i < w->n; i++) {
        t->backend[i] = w->wr.be[i]->id;
        t->ops[i] = w->wr.be[i]->ops;
        t->w[i] = w->wr.w[i];
        w->wr.w[i] = NULL;      /* moved to the committer */
    }
    rc = group_submit(w->st->group, t);
    if (rc != HF_OK)
        rc = hf_fail(w->st, rc, "%s", t->msg);
    free(t);
    return rc;
}

enum hf_err hf_writer_commit(struct hf_writer *w, const struct hf_object_meta *meta,
                             struct hf_version_info *out)
{
    struct hf_store *st = w->st;
    struct meta_version *v = w->v;
    enum hf_err rc = w->failed;
    unsigned failed = 0;
    int64_t ids[HF_MAX_SHARDS];
    struct put_cond cond;

    if (out)
        memset(out, 0, sizeof(*out));
    /* The last, partial segment; an empty object is one empty segment. */
    if (rc == HF_OK && (w->fill > 0 || w->seg == 0))
        rc = flush_segment(w);
    if (rc == HF_OK && !w->small) {
        rc = writer_post(&w->wr, NULL); /* drain */
        if (rc != HF_OK)
            rc = hf_fail(st, rc, "backend %s (%s): writing a shard failed: %s",
                         w->wr.be[w->wr.failed_shard]->name,
                         w->wr.be[w->wr.failed_shard]->location, hf_strerror(rc));
    }
    if (rc == HF_OK && w->o.expect_size >= 0 && v->size != (uint64_t)w->o.expect_size)
        rc = hf_fail(st, HF_ETRUNCATED, "input ended after %llu of the declared %lld bytes",
                     (unsigned long long)v->size, (long long)w->o.expect_size);
    if (rc == HF_OK && meta) {
        w->if_none_match_any = meta->if_none_match_any;
        if (meta->if_match)
            snprintf(w->if_match, sizeof(w->if_match), "%s", meta->if_match);
        if (meta->etag && strlen(meta->etag) > HF_ETAG_MAX)
            rc = hf_fail(st, HF_EINVAL, "etag longer than %d bytes", HF_ETAG_MAX);
        else if (meta->attrs_len > HF_ATTRS_MAX)
            rc = hf_fail(st, HF_EINVAL, "object attributes larger than %d bytes",
                         HF_ATTRS_MAX);
        else if (meta->sum && strlen(meta->sum) > HF_SUM_MAX)
            rc = hf_fail(st, HF_EINVAL, "checksum longer than %d bytes", HF_SUM_MAX);
    }
    if (rc != HF_OK)
        goto out;
    {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits_digest(w->xs));
        memcpy(v->checksum, c.digest, 16);
    }
    v->state = VERSION_LIVE;
    if (meta && meta->etag)
        snprintf(v->etag, sizeof(v->etag), "%s", meta->etag);
    if (meta && meta->sum)
        snprintf(v->sum, sizeof(v->sum), "%s", meta->sum);
    if (meta && meta->attrs_len) {
        memcpy(v->attrs, meta->attrs, meta->attrs_len);
        v->attrs_len = meta->attrs_len;
    }
    cond = (struct put_cond){ w->if_none_match_any, w->if_match, meta ? meta->lock : NULL };
    if (w->small) {
        rc = commit_small(w, &cond);
        if (rc != HF_OK)
            goto out;
        w->intents = false;
        goto done;
    }
    rc = commit_all(&w->wr, &failed);
    hf_crashpoint();
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "backend %s (%s): making the shard durable failed: %s",
                     w->wr.be[failed]->name, w->wr.be[failed]->location, hf_strerror(rc));
        goto out;
    }

    /* Invariant 2: one transaction makes the version visible. */
    for (unsigned i = 0; i < w->n; i++)
        ids[i] = w->wr.be[i]->id;
    rc = meta_begin(st->meta);
    if (rc == HF_OK && w->upload[0]) {
        /* A part: out of the namespace, recorded in its upload. */
        v->mtime = hf_now_ns();
        v->state = VERSION_PART;
        rc = meta_upload_get(st->meta, w->upload, v->bucket, v->key, v->keylen, NULL, NULL,
                             NULL);
        if (rc == HF_OK)
            rc = meta_version_insert(st->meta, v);
        if (rc == HF_OK) {
            struct meta_part mp = { .number = w->part, .version = v->id, .size = v->size,
                                    .mtime = v->mtime };
            int64_t replaced = 0;
            snprintf(mp.etag, sizeof(mp.etag), "%s", v->etag);
            rc = meta_part_set(st->meta, w->upload, &mp, &replaced);
            if (rc == HF_OK && replaced)
                rc = meta_version_set_state(st->meta, replaced, VERSION_DELETED);
        }
        if (rc == HF_OK)
            rc = shard_rows(st, v, ids, w->n);
    } else if (rc == HF_OK) {
        rc = put_rows(st, w->bucket, v, ids, w->n, &cond);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        if (rc == HF_ENOTFOUND && w->upload[0])
            rc = hf_fail(st, rc, "no such upload: %s (aborted meanwhile?)", w->upload);
        else
            rc = put_commit_fail(st, rc);
        goto out;
    }
    w->intents = false;
    hf_crashpoint();
    policy_touch(st, v->bucket);   /* a write: the inactivity rule's clock restarts */
done:
    if (out) {
        v->latest = 1;
        obj_version_info(v, out);
        out->key = NULL;
        out->attrs = NULL;
        out->attrs_len = 0;
    }
out:
    writer_free(w);
    return rc;
}

void hf_writer_abort(struct hf_writer *w)
{
    writer_free(w);
}

enum hf_err hf_put(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                   hf_source_fn src, void *src_arg, const struct hf_put_opts *opts,
                   struct hf_version_info *out)
{
    struct hf_writer *w;
    enum hf_err rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = hf_writer_open(st, bucket, key, keylen, opts, &w);
    if (rc != HF_OK)
        return rc;
    rc = writer_pull(w, src, src_arg);
    if (rc != HF_OK) {
        w->failed = rc;
        hf_writer_abort(w);
        return rc;
    }
    return hf_writer_commit(w, NULL, out);
}

enum hf_err hf_part_writer_open(struct hf_store *st, const char *bucket, const char *key,
                                size_t keylen, const char *upload_id, unsigned part,
                                const struct hf_put_opts *opts, struct hf_writer **out)
{
    int64_t bid;
    enum hf_err rc;

    *out = NULL;
    hf_clear_err(st);
    if (part < 1 || part > HF_PART_MAX)
        return hf_fail(st, HF_EBADARG, "part numbers are 1 to %d", HF_PART_MAX);
    if (!upload_id || strlen(upload_id) != HF_VERSION_ID_LEN)
        return hf_fail(st, HF_ENOTFOUND, "no such upload");
    rc = obj_bucket(st, bucket, &bid);
    if (rc != HF_OK)
        return rc;
    if (hf_key_check(key, keylen) != HF_OK)
        return obj_bad_key(st);
    rc = meta_upload_get(st->meta, upload_id, bid, key, keylen, NULL, NULL, NULL);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "no such upload: %s", upload_id);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    rc = writer_open(st, bucket, key, keylen, opts, false, out);
    if (rc == HF_OK) {
        snprintf((*out)->upload, sizeof((*out)->upload), "%s", upload_id);
        (*out)->part = part;
    }
    return rc;
}
