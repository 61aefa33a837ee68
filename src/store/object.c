/*
 * object.c — the read path and the namespace: head, get, delete, list,
 * and the segment reader shared with scrub.
 *
 * INVARIANTS
 *   (1) A frame is used only if its header decodes, names exactly this
 *       version, object, segment, index, k and m, and its payload matches
 *       the header's checksum; anything else counts as corrupt.
 *   (2) Plaintext reaches a sink only after the segment authenticated
 *       (AEAD tag over vid, object hash, segment index and length).
 *   (3) delete never removes bytes: it adds a marker or hides a version;
 *       the reclaimer removes shards later (reclaim.c).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "store/object.h"
#include "banned.h"

/*
 * How many segments ahead of the one being decoded hf_get asks the backends
 * to read (posix_fadvise WILLNEED on a directory backend).  With 4 MiB
 * segments, 4 keeps 16 MiB in flight (4 MiB per data-shard file), enough
 * for the disk to stream while this thread verifies and decrypts; with 1 the
 * disk sat idle part of the time (bench/run.sh, cold get of 2 GiB).  Never
 * past the last segment of the range.
 */
#define GET_READAHEAD 4

enum hf_err obj_hash(const char *bucket, const char *key, size_t keylen, uint8_t out[16])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t md[32];
    unsigned mdlen = 0;
    int ok;

    if (!c)
        return HF_ENOMEM;
    ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
         EVP_DigestUpdate(c, bucket, strlen(bucket)) && EVP_DigestUpdate(c, "/", 1) &&
         EVP_DigestUpdate(c, key, keylen) && EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    if (!ok)
        return HF_ECRYPTO;
    memcpy(out, md, 16);
    return HF_OK;
}

enum hf_err obj_bucket(struct hf_store *st, const char *bucket, int64_t *id)
{
    enum hf_err rc;

    if (hf_bucket_name_check(bucket) != HF_OK)
        return hf_fail(st, HF_EBADBUCKET, "invalid bucket name");
    rc = meta_bucket_id(st->meta, bucket, id);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "no such bucket: %s", bucket);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return HF_OK;
}

void obj_frame_hdr(const struct meta_version *v, unsigned i, uint64_t s, const uint8_t *payload,
                   uint64_t plen, uint8_t *out)
{
    struct shard_hdr h = {
        .k = v->k, .m = v->m, .index = i, .segment = s, .payload_len = plen,
        .plain_len = obj_seg_plain(v->size, v->segsize, s),
    };

    memcpy(h.vid, v->vid, 16);
    memcpy(h.objhash, v->objhash, 16);
    h.cipher_len = h.plain_len + CRYPT_TAG_LEN;
    shard_checksum(payload, plen, h.checksum);
    shard_hdr_encode(&h, out);
}

/* ---- segment reader ---- */

enum hf_err seg_reader_open(struct hf_store *st, const struct meta_version *v,
                            struct seg_reader *r)
{
    unsigned n = 0, total = v->k + v->m;
    enum hf_err rc;

    memset(r, 0, sizeof(*r));
    r->st = st;
    r->v = *v;
    rc = rs_init(&r->rs, v->k, v->m);
    if (rc != HF_OK)
        return hf_fail(st, HF_ECORRUPT, "version has invalid k+m %u+%u", v->k, v->m);
    rc = meta_shards_get(st->meta, v->id, r->sh, &n);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    for (unsigned i = 0; i < total; i++)
        r->be[i] = hf_store_backend(st, r->sh[i].backend);
    r->full_payload = shard_payload_len((uint64_t)v->segsize + CRYPT_TAG_LEN, v->k);
    r->buf = aligned_alloc(64, total * r->full_payload);
    r->cc = crypt_ctx_new();
    if (!r->buf || !r->cc) {
        seg_reader_close(r);
        return HF_ENOMEM;
    }
    rc = crypt_unwrap_key(st->master_key, v->vid, v->wrapped, r->dk);
    if (rc != HF_OK) {
        seg_reader_close(r);
        return hf_fail(st, rc, "cannot unwrap the data key of this version");
    }
    return HF_OK;
}

void seg_reader_close(struct seg_reader *r)
{
    for (unsigned i = 0; i < HF_MAX_SHARDS; i++)
        if (r->rd[i])
            r->be[i]->ops->close_read(r->rd[i]);
    free(r->buf);
    crypt_ctx_free(r->cc);
    OPENSSL_cleanse(r->dk, sizeof(r->dk));
    memset(r->rd, 0, sizeof(r->rd));
    r->buf = NULL;
    r->cc = NULL;
}

static struct be_reader *shard_file(struct seg_reader *r, unsigned i)
{
    char name[BE_NAME_MAX];

    if (!r->tried[i]) {
        r->tried[i] = true;
        if (r->be[i] && r->be[i]->up) {
            backend_shard_name(r->v.vid, i, r->sh[i].gen, name);
            r->be[i]->ops->open_read(r->be[i], name, &r->rd[i]);
        }
    }
    return r->rd[i];
}

void seg_reader_prefetch(struct seg_reader *r, uint64_t s)
{
    uint64_t off, len;

    if (s >= r->v.nsegs)
        return;
    off = obj_frame_off(r->v.segsize, r->v.k, s);
    len = SHARD_HDR_LEN + r->full_payload;
    for (unsigned i = 0; i < r->v.k; i++) {
        struct be_reader *rd = shard_file(r, i);
        if (rd)
            r->be[i]->ops->prefetch(rd, off, len);
    }
}

/* Read and verify shard @i of segment @s into r->shard[i]. */
static enum shard_status read_shard(struct seg_reader *r, unsigned i, uint64_t s)
{
    uint8_t hdr[SHARD_HDR_LEN], sum[16];
    struct shard_hdr h;
    struct be_reader *rd = shard_file(r, i);
    uint64_t off = obj_frame_off(r->v.segsize, r->v.k, s);
    uint64_t plain = obj_seg_plain(r->v.size, r->v.segsize, s);
    enum hf_err rc;

    if (!rd)
        return SHARD_MISSING;
    rc = r->be[i]->ops->pread(rd, hdr, SHARD_HDR_LEN, off);
    if (rc == HF_ECORRUPT)
        return SHARD_MISSING; /* file shorter than this frame */
    if (rc != HF_OK)
        return SHARD_MISSING;
    if (shard_hdr_decode(hdr, &h) != HF_OK || h.k != r->v.k || h.m != r->v.m ||
        h.index != i || h.segment != s || h.plain_len != plain ||
        h.payload_len != r->plen || memcmp(h.vid, r->v.vid, 16) != 0 ||
        memcmp(h.objhash, r->v.objhash, 16) != 0)
        return SHARD_CORRUPT;
    rc = r->be[i]->ops->pread(rd, r->shard[i], r->plen, off + SHARD_HDR_LEN);
    if (rc == HF_ECORRUPT)
        return SHARD_CORRUPT; /* truncated payload */
    if (rc != HF_OK)
        return SHARD_MISSING;
    shard_checksum(r->shard[i], r->plen, sum);
    return memcmp(sum, h.checksum, 16) == 0 ? SHARD_OK : SHARD_CORRUPT;
}

enum hf_err seg_reader_load(struct seg_reader *r, uint64_t s, bool all, unsigned *good)
{
    const unsigned k = r->v.k, n = r->v.k + r->v.m;
    bool present[HF_MAX_SHARDS] = { false }, want[HF_MAX_SHARDS] = { false };
    unsigned ok = 0;
    uint64_t plain = obj_seg_plain(r->v.size, r->v.segsize, s);

    r->plen = shard_payload_len(plain + CRYPT_TAG_LEN, k);
    for (unsigned i = 0; i < n; i++) {
        r->shard[i] = r->buf + i * r->plen; /* data shards contiguous */
        r->status[i] = SHARD_MISSING;
    }
    for (unsigned i = 0; i < n; i++) {
        if (!all && ok >= k)
            break;
        r->status[i] = read_shard(r, i, s);
        present[i] = r->status[i] == SHARD_OK;
        ok += present[i];
    }
    *good = ok;
    if (ok < k)
        return HF_EUNREADABLE;
    for (unsigned i = 0; i < n; i++)
        want[i] = !present[i] && (all || i < k);
    return rs_reconstruct(&r->rs, r->plen, r->shard, present, want);
}

enum hf_err seg_reader_decrypt(struct seg_reader *r, uint64_t s, const uint8_t **plain,
                               size_t *len)
{
    uint64_t pl = obj_seg_plain(r->v.size, r->v.segsize, s);
    uint8_t aad[CRYPT_AAD_LEN];
    enum hf_err rc;

    *plain = NULL;
    *len = 0;
    crypt_segment_aad(r->v.vid, r->v.objhash, s, pl, aad);
    rc = crypt_open(r->cc, r->dk, s, aad, sizeof(aad), r->buf, pl, r->buf + pl);
    if (rc != HF_OK)
        return rc;
    *plain = r->buf;
    *len = pl;
    return HF_OK;
}

/* ---- lookups ---- */

static void fill_info(const struct meta_version *v, struct hf_version_info *out)
{
    memset(out, 0, sizeof(*out));
    out->key = v->key;
    out->keylen = v->keylen;
    hf_hex(v->vid, 16, out->version_id);
    out->mtime_ns = v->mtime;
    out->size = v->size;
    out->delete_marker = v->marker;
    out->latest = v->latest;
    memcpy(out->checksum, v->checksum, 16);
    out->k = v->k;
    out->m = v->m;
    out->segment_size = v->segsize;
    out->segments = v->nsegs;
}

/* Find a version; fills @v.  HF_EDELETED when it is a delete marker. */
static enum hf_err lookup(struct hf_store *st, const char *bucket, const char *key,
                          size_t keylen, const char *version_id, struct meta_version *v)
{
    uint8_t vid[16];
    int64_t bid;
    enum hf_err rc;

    hf_clear_err(st);
    rc = obj_bucket(st, bucket, &bid);
    if (rc != HF_OK)
        return rc;
    if (hf_key_check(key, keylen) != HF_OK)
        return hf_fail(st, HF_EBADKEY, "keys are 1-%d bytes of UTF-8 without NUL", HF_KEY_MAX);
    if (version_id && hf_unhex(version_id, vid, 16) != 0)
        return hf_fail(st, HF_ENOTFOUND, "no such version: %s", version_id);
    rc = meta_version_get(st->meta, bid, key, keylen, version_id ? vid : NULL, v);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, version_id ? "no such version: %s" : "no such key%s", 
                       version_id ? version_id : "");
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    if (v->marker)
        return hf_fail(st, HF_EDELETED, "the %s version is a delete marker",
                       version_id ? "requested" : "latest");
    return HF_OK;
}

enum hf_err hf_head(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                    const char *version_id, struct hf_version_info *out)
{
    struct meta_version *v = malloc(sizeof(*v));
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    if (!v)
        return HF_ENOMEM;
    rc = lookup(st, bucket, key, keylen, version_id, v);
    if (rc == HF_OK || rc == HF_EDELETED) {
        fill_info(v, out);
        out->key = NULL; /* v is freed below; the caller has the key */
    }
    free(v);
    return rc;
}

enum hf_err hf_get(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                   const char *version_id, const struct hf_get_opts *opts, hf_sink_fn sink,
                   void *sink_arg, struct hf_version_info *info)
{
    struct hf_get_opts o = { 0, UINT64_MAX, NULL, NULL };
    struct seg_reader *r = calloc(1, sizeof(*r));
    enum hf_err rc;
    uint64_t end, first, last, done = 0;
    bool reader_open = false;

    if (info)
        memset(info, 0, sizeof(*info));
    if (!r)
        return HF_ENOMEM;
    if (opts)
        o = *opts;
    rc = lookup(st, bucket, key, keylen, version_id, &r->v);
    if (rc != HF_OK)
        goto out;
    if (info) {
        fill_info(&r->v, info);
        info->key = NULL;
    }
    /* Like HTTP: the first byte must exist; only an empty object reads from 0. */
    if (o.offset > r->v.size || (o.offset == r->v.size && r->v.size > 0)) {
        rc = hf_fail(st, HF_ERANGE, "range starts at %llu, object has %llu bytes",
                     (unsigned long long)o.offset, (unsigned long long)r->v.size);
        goto out;
    }
    end = (o.length == UINT64_MAX || o.length > r->v.size - o.offset) ? r->v.size
                                                                     : o.offset + o.length;
    {
        struct meta_version v = r->v;
        rc = seg_reader_open(st, &v, r);
        if (rc != HF_OK)
            goto out;
        reader_open = true;
    }
    if (end == o.offset && r->v.size > 0)
        goto out; /* empty range: nothing to read */
    first = o.offset / r->v.segsize;
    last = end == 0 ? 0 : (end - 1) / r->v.segsize;
    /* The reads of the first GET_READAHEAD segments start at once, on all k files. */
    for (uint64_t s = first; s <= last && s < first + GET_READAHEAD; s++)
        seg_reader_prefetch(r, s);
    for (uint64_t s = first; s <= last && rc == HF_OK; s++) {
        const uint8_t *plain;
        size_t plen;
        unsigned good;
        uint64_t segoff = s * r->v.segsize, from, to;

        if (s + GET_READAHEAD <= last)
            seg_reader_prefetch(r, s + GET_READAHEAD);
        rc = seg_reader_load(r, s, false, &good);
        if (rc != HF_OK) {
            rc = hf_fail(st, rc, "segment %llu: only %u of %u shards are readable and "
                         "intact; need %u", (unsigned long long)s, good, r->v.k + r->v.m,
                         r->v.k);
            break;
        }
        rc = seg_reader_decrypt(r, s, &plain, &plen);
        if (rc != HF_OK) {
            rc = hf_fail(st, rc, "segment %llu does not authenticate", (unsigned long long)s);
            break;
        }
        from = o.offset > segoff ? o.offset - segoff : 0;
        to = end - segoff < plen ? end - segoff : plen;
        if (to > from)
            rc = sink(sink_arg, plain + from, to - from);
        done += to - from;
        if (o.progress)
            o.progress(o.progress_arg, done, end - o.offset);
    }
out:
    if (reader_open)
        seg_reader_close(r);
    free(r);
    return rc;
}

enum hf_err hf_delete(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                      const char *version_id, struct hf_delete_result *out)
{
    struct meta_version *v = calloc(1, sizeof(*v));
    enum hf_err rc;
    int64_t bid;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    if (!v)
        return HF_ENOMEM;
    rc = obj_bucket(st, bucket, &bid);
    if (rc != HF_OK)
        goto out;
    if (hf_key_check(key, keylen) != HF_OK) {
        rc = hf_fail(st, HF_EBADKEY, "keys are 1-%d bytes of UTF-8 without NUL", HF_KEY_MAX);
        goto out;
    }
    if (version_id) {
        uint8_t vid[16];
        if (hf_unhex(version_id, vid, 16) != 0) {
            rc = hf_fail(st, HF_ENOTFOUND, "no such version: %s", version_id);
            goto out;
        }
        rc = meta_version_get(st->meta, bid, key, keylen, vid, v);
        if (rc == HF_OK)
            rc = meta_version_set_state(st->meta, v->id, VERSION_DELETED);
        if (rc == HF_ENOTFOUND)
            rc = hf_fail(st, rc, "no such version: %s", version_id);
        else if (rc != HF_OK)
            rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        else
            snprintf(out->version_id, sizeof(out->version_id), "%s", version_id);
        goto out;
    }
    /* A delete marker: a version with no data. */
    v->bucket = bid;
    memcpy(v->key, key, keylen);
    v->keylen = keylen;
    v->marker = 1;
    v->mtime = hf_now_ns();
    rc = hf_random(v->vid, 16);
    if (rc == HF_OK)
        rc = meta_version_insert(st->meta, v);
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    out->marker_created = 1;
    hf_hex(v->vid, 16, out->version_id);
out:
    free(v);
    return rc;
}

struct list_ctx {
    hf_version_fn fn;
    void *arg;
};

static enum hf_err list_cb(void *arg, const struct meta_version *v)
{
    struct list_ctx *c = arg;
    struct hf_version_info vi;

    fill_info(v, &vi);
    return c->fn(c->arg, &vi);
}

enum hf_err hf_list(struct hf_store *st, const char *bucket, const char *prefix,
                    size_t prefixlen, unsigned flags, hf_version_fn fn, void *arg)
{
    struct list_ctx c = { fn, arg };
    int64_t bid;
    enum hf_err rc;

    hf_clear_err(st);
    rc = obj_bucket(st, bucket, &bid);
    if (rc != HF_OK)
        return rc;
    if (prefixlen > HF_KEY_MAX)
        return HF_OK; /* no key is that long */
    rc = meta_version_list(st->meta, bid, prefix, prefix ? prefixlen : 0,
                           (flags & HF_LIST_VERSIONS) != 0, list_cb, &c);
    if (rc == HF_EMETA)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return rc;
}

enum hf_err hf_stat_shards(struct hf_store *st, const char *bucket, const char *key,
                           size_t keylen, const char *version_id, hf_shard_fn fn, void *arg)
{
    struct meta_version *v = malloc(sizeof(*v));
    struct meta_shard sh[HF_MAX_SHARDS];
    unsigned n = 0;
    enum hf_err rc;

    if (!v)
        return HF_ENOMEM;
    rc = lookup(st, bucket, key, keylen, version_id, v);
    if (rc == HF_OK)
        rc = meta_shards_get(st->meta, v->id, sh, &n);
    for (unsigned i = 0; rc == HF_OK && i < v->k + v->m; i++) {
        struct backend *be = hf_store_backend(st, sh[i].backend);
        char name[BE_NAME_MAX], path[4096] = "";
        struct hf_shard_info si = { .index = i, .backend = "?", .domain = "?", .path = path };
        backend_shard_name(v->vid, i, sh[i].gen, name);
        if (be) {
            si.backend = be->name;
            si.domain = be->domain;
            be->ops->path_of(be, name, path, sizeof(path));
        }
        rc = fn(arg, &si);
    }
    free(v);
    return rc;
}
