/*
 * multipart.c — S3 multipart uploads: parts as hidden versions, and
 * completion as a composite version that names them (no data is copied).
 *
 * An upload is a row in uploads; each part is a version in VERSION_PART
 * written by an ordinary writer (put.c, part mode) and recorded in parts.
 * Completion makes one LIVE version with composite=1 whose pieces rows list
 * the part versions in order; the part versions stay in VERSION_PART and
 * belong to it from then on.
 *
 * INVARIANTS
 *   (1) Completion is one transaction: the composite version, its pieces,
 *       the unlisted parts' release and the upload's removal.
 *   (2) A part version is referenced by at most one upload or one
 *       composite version; when that goes, the part goes to the reclaimer
 *       (VERSION_DELETED), never directly to unlink.
 *   (3) The completed object's bytes are the listed parts' bytes in order;
 *       its ETag is MD5(concatenated part MD5s) "-" count, as S3's.
 *   (4) A client checksum (sum) is opaque here: kept with the upload (what
 *       its parts carry), each part version and the completed version, and
 *       compared only for equality, inside the completion's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "policy/lock.h"
#include "store/object.h"
#include "banned.h"

enum hf_err hf_upload_create(struct hf_store *st, const char *bucket, const char *key,
                             size_t keylen, const struct hf_object_meta *meta,
                             char upload_id[HF_VERSION_ID_LEN + 1])
{
    const struct hf_object_lock *lk = meta ? meta->lock : NULL;
    struct meta_bucket mb;
    uint8_t id[16];
    int64_t bid;
    enum hf_err rc;

    upload_id[0] = '\0';
    hf_clear_err(st);
    rc = obj_bucket_get(st, bucket, &mb);
    if (rc != HF_OK)
        return rc;
    bid = mb.id;
    if (hf_key_check(key, keylen) != HF_OK)
        return obj_bad_key(st);
    if (meta && meta->attrs_len > HF_ATTRS_MAX)
        return hf_fail(st, HF_EINVAL, "object attributes larger than %d bytes", HF_ATTRS_MAX);
    if (meta && meta->sum && strlen(meta->sum) > HF_SUM_MAX)
        return hf_fail(st, HF_EINVAL, "checksum longer than %d bytes", HF_SUM_MAX);
    rc = lock_check_request(st, &mb, lk);
    if (rc == HF_EPRECOND)
        rc = HF_EINVAL;     /* as hf_writer_commit says it */
    if (rc != HF_OK)
        return rc;
    rc = hf_random(id, sizeof(id));
    if (rc != HF_OK)
        return rc;
    hf_hex(id, 16, upload_id);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_upload_add(st->meta, upload_id, bid, key, keylen, meta ? meta->attrs : NULL,
                             meta ? meta->attrs_len : 0, hf_now_ns());
    if (rc == HF_OK && lk && (lk->mode || lk->legal_hold))
        rc = meta_upload_set_lock(st->meta, upload_id, lk->mode,
                                  lk->mode ? lk->retain_until_ns : 0, lk->legal_hold ? 1 : 0);
    if (rc == HF_OK && meta && meta->sum && meta->sum[0])
        rc = meta_upload_set_sum(st->meta, upload_id, meta->sum);
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        upload_id[0] = '\0';
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    }
    return HF_OK;
}

struct part_vec {
    struct meta_part *p;
    size_t n, cap;
};

static enum hf_err collect_part(void *arg, const struct meta_part *p)
{
    struct part_vec *v = arg;

    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 64;
        struct meta_part *np = realloc(v->p, ncap * sizeof(*np));
        if (!np)
            return HF_ENOMEM;
        v->p = np;
        v->cap = ncap;
    }
    v->p[v->n++] = *p;
    return HF_OK;
}

/* The upload's parts in number order; free v->p. */
static enum hf_err load_parts(struct hf_store *st, const char *upload, struct part_vec *v)
{
    memset(v, 0, sizeof(*v));
    return meta_part_list(st->meta, upload, 0, collect_part, v);
}

static const struct meta_part *find_part(const struct part_vec *v, unsigned number)
{
    size_t lo = 0, hi = v->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v->p[mid].number == number)
            return &v->p[mid];
        if (v->p[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* "abc" or abc -> abc, compared with @want. */
static bool etag_equal(const char *given, const char *want)
{
    size_t n = strlen(given);

    if (n >= 2 && given[0] == '"' && given[n - 1] == '"')
        return n - 2 == strlen(want) && strncmp(given + 1, want, n - 2) == 0;
    return strcmp(given, want) == 0;
}

/* Resolve bucket, key and upload; fills @bid.  Starts no transaction. */
static enum hf_err upload_lookup(struct hf_store *st, const char *bucket, const char *key,
                                 size_t keylen, const char *upload_id, int64_t *bid,
                                 char *attrs, size_t *attrs_len)
{
    enum hf_err rc = obj_bucket(st, bucket, bid);

    if (rc != HF_OK)
        return rc;
    if (hf_key_check(key, keylen) != HF_OK)
        return obj_bad_key(st);
    if (!upload_id || strlen(upload_id) != HF_VERSION_ID_LEN)
        return hf_fail(st, HF_ENOTFOUND, "no such upload");
    rc = meta_upload_get(st->meta, upload_id, *bid, key, keylen, attrs, attrs_len, NULL);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "no such upload: %s", upload_id);
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
}

enum hf_err hf_upload_complete(struct hf_store *st, const char *bucket, const char *key,
                               size_t keylen, const char *upload_id,
                               const struct hf_part *parts, size_t nparts,
                               const char *sum, struct hf_version_info *out)
{
    struct meta_version *v = calloc(1, sizeof(*v));
    struct part_vec pv = { 0 };
    struct meta_bucket mb;
    EVP_MD_CTX *md = NULL;
    uint8_t digest[16], bin[16];
    unsigned dlen = 0;
    enum hf_err rc;
    int64_t bid;

    if (out)
        memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    if (!v)
        return HF_ENOMEM;
    rc = meta_begin(st->meta);
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    rc = upload_lookup(st, bucket, key, keylen, upload_id, &bid, v->attrs, &v->attrs_len);
    if (rc == HF_ENOTFOUND && upload_id && strlen(upload_id) == HF_VERSION_ID_LEN) {
        /*
         * Completing again (a client retrying after a lost response) answers
         * with the version it made, as S3 does, while that version is there.
         */
        int64_t done_id = 0;
        if (meta_completed_get(st->meta, upload_id, &done_id) == HF_OK &&
            meta_version_by_id(st->meta, done_id, v) == HF_OK && v->state == VERSION_LIVE &&
            v->bucket == bid && v->keylen == keylen && memcmp(v->key, key, keylen) == 0) {
            meta_rollback(st->meta);
            hf_clear_err(st);
            if (out) {
                obj_version_info(v, out);
                out->key = NULL;
                out->attrs = NULL;
                out->attrs_len = 0;
            }
            rc = HF_OK;
            goto out;
        }
    }
    if (rc != HF_OK)
        goto fail;
    if (nparts == 0) {
        rc = hf_fail(st, HF_EINVAL, "a multipart upload needs at least one part");
        goto fail;
    }
    if (sum && strlen(sum) > HF_SUM_MAX) {
        rc = hf_fail(st, HF_EINVAL, "checksum longer than %d bytes", HF_SUM_MAX);
        goto fail;
    }
    rc = load_parts(st, upload_id, &pv);
    if (rc != HF_OK)
        goto fail;
    md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_md5(), NULL)) {
        rc = HF_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < nparts; i++) {
        const struct meta_part *p = find_part(&pv, parts[i].number);
        if (i > 0 && parts[i].number <= parts[i - 1].number) {
            rc = hf_fail(st, HF_EPARTORDER, "part %u is listed after part %u",
                         parts[i].number, parts[i - 1].number);
            goto fail;
        }
        if (!p || !parts[i].etag || !etag_equal(parts[i].etag, p->etag)) {
            rc = hf_fail(st, HF_EBADPART, "part %u was not uploaded with that ETag",
                         parts[i].number);
            goto fail;
        }
        if (parts[i].sum && strcmp(parts[i].sum, p->sum) != 0) {
            rc = hf_fail(st, HF_EBADPART, "part %u was not uploaded with that checksum",
                         parts[i].number);
            goto fail;
        }
        if (i + 1 < nparts && p->size < HF_PART_MIN_SIZE) {
            rc = hf_fail(st, HF_ETOOSMALL, "part %u has %llu bytes; all but the last need "
                         "at least %u", p->number, (unsigned long long)p->size,
                         HF_PART_MIN_SIZE);
            goto fail;
        }
        if (strlen(p->etag) != 32 || hf_unhex(p->etag, bin, 16) != 0) {
            rc = hf_fail(st, HF_EBADPART, "part %u has no MD5 ETag", p->number);
            goto fail;
        }
        EVP_DigestUpdate(md, bin, 16);
        v->size += p->size;
    }
    EVP_DigestFinal_ex(md, digest, &dlen);
    hf_hex(digest, 16, v->etag);
    snprintf(v->etag + 32, sizeof(v->etag) - 32, "-%zu", nparts);

    /* The composite version (invariant 1), with S3's null-version rules. */
    rc = meta_bucket_get(st->meta, bucket, &mb);
    if (rc != HF_OK)
        goto meta_fail;
    if (mb.id != bid) {
        rc = hf_fail(st, HF_ENOTFOUND, "the bucket was deleted during the upload");
        goto fail;
    }
    v->bucket = bid;
    memcpy(v->key, key, keylen);
    v->keylen = keylen;
    v->state = VERSION_LIVE;
    v->composite = 1;
    if (sum)
        snprintf(v->sum, sizeof(v->sum), "%s", sum);
    v->mtime = hf_now_ns();
    v->is_null = mb.versioning != HF_VERSIONING_ENABLED;
    rc = hf_random(v->vid, 16);
    if (rc != HF_OK)
        goto fail;
    if (v->is_null && (rc = obj_hide_null(st, bucket, bid, key, keylen)) != HF_OK)
        goto meta_fail;
    {
        /* The Object Lock asked when the upload began, or the bucket's default. */
        struct hf_object_lock lk = { 0 };
        rc = meta_upload_get_lock(st->meta, upload_id, &lk.mode, &lk.retain_until_ns,
                                  &lk.legal_hold);
        if (rc == HF_OK)
            rc = lock_new_version(st, &mb, v, &lk);
        if (rc == HF_EINVAL)
            goto fail;      /* its message says why */
        if (rc != HF_OK)
            goto meta_fail;
    }
    if ((rc = meta_version_insert(st->meta, v)) != HF_OK)
        goto meta_fail;
    {
        uint64_t off = 0;
        for (size_t i = 0; i < nparts; i++) {
            const struct meta_part *p = find_part(&pv, parts[i].number);
            rc = meta_piece_add(st->meta, v->id, (unsigned)i, p->version, off, p->size);
            if (rc != HF_OK)
                goto meta_fail;
            off += p->size;
        }
    }
    /* Parts not listed are released (invariant 2). */
    for (size_t i = 0; i < pv.n; i++) {
        bool listed = false;
        for (size_t j = 0; j < nparts && !listed; j++)
            listed = parts[j].number == pv.p[i].number;
        if (!listed && (rc = meta_version_set_state(st->meta, pv.p[i].version,
                                                    VERSION_DELETED)) != HF_OK)
            goto meta_fail;
    }
    if ((rc = meta_upload_remove(st->meta, upload_id)) != HF_OK ||
        (rc = meta_completed_add(st->meta, upload_id, v->id, v->mtime)) != HF_OK ||
        (rc = meta_commit(st->meta)) != HF_OK)
        goto meta_fail;
    if (out) {
        v->latest = 1;
        obj_version_info(v, out);
        out->key = NULL;
        out->attrs = NULL;
        out->attrs_len = 0;
    }
    goto out;
meta_fail:
    if (rc != HF_EHELD)     /* the policy gate's message says why */
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
fail:
    meta_rollback(st->meta);
out:
    EVP_MD_CTX_free(md);
    free(pv.p);
    free(v);
    return rc;
}

enum hf_err hf_upload_abort(struct hf_store *st, const char *bucket, const char *key,
                            size_t keylen, const char *upload_id)
{
    struct part_vec pv = { 0 };
    int64_t bid;
    enum hf_err rc;

    hf_clear_err(st);
    rc = meta_begin(st->meta);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    rc = upload_lookup(st, bucket, key, keylen, upload_id, &bid, NULL, NULL);
    if (rc == HF_OK)
        rc = load_parts(st, upload_id, &pv);
    for (size_t i = 0; rc == HF_OK && i < pv.n; i++)
        rc = meta_version_set_state(st->meta, pv.p[i].version, VERSION_DELETED);
    if (rc == HF_OK)
        rc = meta_upload_remove(st->meta, upload_id);
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK)
        meta_rollback(st->meta);
    free(pv.p);
    return rc;
}

struct part_cb {
    hf_part_fn fn;
    void *arg;
};

static enum hf_err part_cb(void *arg, const struct meta_part *p)
{
    struct part_cb *c = arg;
    struct hf_part_info pi = { p->number, p->size, p->etag, p->mtime, 0, p->sum };

    return c->fn(c->arg, &pi);
}

enum hf_err hf_upload_parts(struct hf_store *st, const char *bucket, const char *key,
                            size_t keylen, const char *upload_id, unsigned after,
                            hf_part_fn fn, void *arg)
{
    struct part_cb c = { fn, arg };
    int64_t bid;
    enum hf_err rc;

    hf_clear_err(st);
    rc = upload_lookup(st, bucket, key, keylen, upload_id, &bid, NULL, NULL);
    if (rc != HF_OK)
        return rc;
    return meta_part_list(st->meta, upload_id, after, part_cb, &c);
}

enum hf_err hf_upload_sum(struct hf_store *st, const char *bucket, const char *key,
                          size_t keylen, const char *upload_id, char sum[HF_SUM_MAX + 1])
{
    int64_t bid;
    enum hf_err rc;

    sum[0] = '\0';
    hf_clear_err(st);
    rc = upload_lookup(st, bucket, key, keylen, upload_id, &bid, NULL, NULL);
    if (rc != HF_OK)
        return rc;
    rc = meta_upload_get_sum(st->meta, upload_id, sum);
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return rc;
}

struct upload_cb {
    hf_upload_fn fn;
    void *arg;
};

static enum hf_err upload_cb(void *arg, const char *id, const char *key, size_t keylen,
                             int64_t created)
{
    struct upload_cb *c = arg;
    struct hf_upload_info ui = { id, key, keylen, created };

    return c->fn(c->arg, &ui);
}

enum hf_err hf_upload_list(struct hf_store *st, const char *bucket, hf_upload_fn fn, void *arg)
{
    struct upload_cb c = { fn, arg };
    int64_t bid;
    enum hf_err rc;

    hf_clear_err(st);
    rc = obj_bucket(st, bucket, &bid);
    if (rc != HF_OK)
        return rc;
    return meta_upload_list(st->meta, bid, upload_cb, &c);
}
