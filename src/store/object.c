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

#include "audit/audit.h"
#include "policy/policy.h"
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

enum hf_err obj_bad_key(struct hf_store *st)
{
    return hf_fail(st, HF_EBADKEY, "keys are 1-%d bytes of UTF-8 without NUL", HF_KEY_MAX);
}

enum hf_err obj_bucket(struct hf_store *st, const char *bucket, int64_t *id)
{
    struct meta_bucket mb;
    enum hf_err rc = obj_bucket_get(st, bucket, &mb);

    *id = mb.id;
    return rc;
}

enum hf_err obj_bucket_get(struct hf_store *st, const char *bucket, struct meta_bucket *mb)
{
    enum hf_err rc;

    memset(mb, 0, sizeof(*mb));
    if (hf_bucket_name_check(bucket) != HF_OK)
        return hf_fail(st, HF_EBADBUCKET, "invalid bucket name");
    rc = meta_bucket_get(st->meta, bucket, mb);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "no such bucket: %s", bucket);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return HF_OK;
}

static const char *versioning_name(int state)
{
    return state == HF_VERSIONING_ENABLED     ? "Enabled"
           : state == HF_VERSIONING_SUSPENDED ? "Suspended"
                                              : "Off";
}

enum hf_err obj_bucket_create(struct hf_store *st, const char *name, int64_t owner,
                              int versioning)
{
    char subject[80], own[24];
    enum hf_err rc = meta_begin(st->meta);

    snprintf(subject, sizeof(subject), "bucket:%s", name);
    snprintf(own, sizeof(own), "%lld", (long long)owner);
    if (rc == HF_OK)
        rc = meta_bucket_create(st->meta, name, hf_now_ns(), owner, versioning);
    if (rc == HF_OK)
        rc = audit_event(st, "bucket.created", subject, "owner-id", own, "versioning",
                         versioning_name(versioning), NULL);
    return audit_commit(st, rc);
}

enum hf_err obj_bucket_delete(struct hf_store *st, const struct meta_bucket *mb)
{
    char subject[80];
    enum hf_err rc = meta_begin(st->meta);

    snprintf(subject, sizeof(subject), "bucket:%s", mb->name);
    if (rc == HF_OK)
        rc = policy_bucket(st, mb);
    if (rc == HF_OK)
        rc = meta_bucket_delete(st->meta, mb->id);
    if (rc == HF_OK)
        rc = audit_event(st, "bucket.removed", subject, NULL);
    return audit_commit(st, rc);
}

enum hf_err obj_bucket_set_versioning(struct hf_store *st, const struct meta_bucket *mb,
                                      int state)
{
    char subject[80];
    enum hf_err rc;

    if (mb->versioning == state)
        return HF_OK;           /* not a change: nothing to record */
    if (mb->lock && state != HF_VERSIONING_ENABLED)
        return hf_fail(st, HF_EPRECOND, "bucket %s has Object Lock: its versioning stays "
                       "enabled", mb->name);
    rc = meta_begin(st->meta);
    snprintf(subject, sizeof(subject), "bucket:%s", mb->name);
    if (rc == HF_OK)
        rc = meta_bucket_set_versioning(st->meta, mb->id, state);
    if (rc == HF_OK)
        rc = audit_event(st, "bucket.versioning", subject, "from",
                         versioning_name(mb->versioning), "to", versioning_name(state), NULL);
    return audit_commit(st, rc);
}

enum hf_err obj_log_removal(struct hf_store *st, const char *kind, const char *bucket,
                            const struct meta_version *v)
{
    struct audit_record *r;
    char vid[33], subject[HF_KEY_MAX + 80];
    enum hf_err rc;

    /* Keys hold no NUL (hf_key_check); the record escapes control bytes. */
    snprintf(subject, sizeof(subject), "object:%s/%.*s", bucket, (int)v->keylen, v->key);
    if (!(r = audit_record_new(kind, subject)))
        return HF_ENOMEM;
    hf_hex(v->vid, 16, vid);
    record_detail(r, "version-id", "%s", v->is_null ? "null" : vid);
    record_detail(r, "version-uuid", "%s", vid);
    record_detail(r, "size", "%llu", (unsigned long long)v->size);
    if (v->marker)
        record_detail(r, "delete-marker", "true");
    rc = audit_append(st, r);
    free(r);
    return rc;
}

enum hf_err obj_hide_null(struct hf_store *st, const char *bucket, int64_t bid, const char *key,
                          size_t keylen)
{
    struct meta_version *v = malloc(sizeof(*v));
    enum hf_err rc;

    if (!v)
        return HF_ENOMEM;
    rc = meta_version_get_null(st->meta, bid, key, keylen, v);
    if (rc == HF_OK)
        rc = policy_version(st, v, NULL, POLICY_OVERWRITE, false);
    if (rc == HF_OK)
        rc = obj_log_removal(st, "object.overwritten", bucket, v);
    if (rc == HF_OK)
        rc = meta_version_hide_null(st->meta, bid, key, keylen, NULL);
    free(v);
    return rc == HF_ENOTFOUND ? HF_OK : rc;
}

enum hf_err hf_kept_reason(struct hf_store *st, const char *bucket, const char *key,
                           size_t keylen, const char *version_id, char *out, size_t n)
{
    struct meta_version *v = malloc(sizeof(*v));
    struct meta_bucket mb;
    uint8_t vid[16];
    enum hf_err rc;

    hf_clear_err(st);
    if (n)
        out[0] = '\0';
    if (!v)
        return HF_ENOMEM;
    rc = obj_bucket_get(st, bucket, &mb);
    if (rc == HF_OK && hf_key_check(key, keylen) != HF_OK)
        rc = obj_bad_key(st);
    if (rc == HF_OK && strcmp(version_id, "null") == 0)
        rc = meta_version_get_null(st->meta, mb.id, key, keylen, v);
    else if (rc == HF_OK)
        rc = hf_unhex(version_id, vid, 16) != 0
                 ? HF_ENOTFOUND : meta_version_get(st->meta, mb.id, key, keylen, vid, v);
    if (rc == HF_OK) {
        /* The gate's own answer, for an action no flag can bypass. */
        rc = policy_version(st, v, &mb, POLICY_EXPIRE, false);
        if (rc == HF_EHELD) {
            const char *why = strstr(st->errmsg, "refused: ");
            snprintf(out, n, "%s", why ? why + 9 : st->errmsg);
            hf_clear_err(st);
            rc = HF_OK;
        }
    } else if (rc == HF_ENOTFOUND) {
        hf_fail(st, rc, "no such version: %s", version_id);
    }
    free(v);
    return rc;
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
    /* Room for the largest segment this version has: a small object needs little. */
    r->buf = aligned_alloc(64, total * shard_payload_len((v->size < v->segsize ? v->size
                                                                             : v->segsize) +
                                                             CRYPT_TAG_LEN, v->k));
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

void obj_version_info(const struct meta_version *v, struct hf_version_info *out)
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
    memcpy(out->etag, v->etag, sizeof(out->etag));
    out->null_version = v->is_null;
    out->attrs = v->attrs_len ? v->attrs : NULL;
    out->attrs_len = v->attrs_len;
    out->lock_mode = v->retain_mode;
    out->retain_until_ns = v->retain_until;
    out->legal_hold = v->legal_hold;
    memcpy(out->sum, v->sum, sizeof(out->sum));
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
        return obj_bad_key(st);
    if (version_id && strcmp(version_id, "null") == 0) {
        rc = meta_version_get_null(st->meta, bid, key, keylen, v);
        if (rc == HF_OK) {
            struct meta_version *latest = malloc(sizeof(*latest));
            if (!latest)
                return HF_ENOMEM;
            if (meta_version_get(st->meta, bid, key, keylen, NULL, latest) == HF_OK)
                v->latest = latest->id == v->id;
            free(latest);
        }
    } else if (version_id && hf_unhex(version_id, vid, 16) != 0) {
        return hf_fail(st, HF_ENOTFOUND, "no such version: %s", version_id);
    } else {
        rc = meta_version_get(st->meta, bid, key, keylen, version_id ? vid : NULL, v);
    }
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, version_id ? "no such version: %s" : "no such key%s", 
                       version_id ? version_id : "");
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    policy_touch(st, bid);     /* a read: the inactivity rule's clock restarts */
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
        obj_version_info(v, out);
        out->key = NULL; /* v is freed below; the caller has the key */
        memcpy(st->attrs_buf, v->attrs, v->attrs_len);
        out->attrs = v->attrs_len ? st->attrs_buf : NULL;
    }
    free(v);
    return rc;
}

enum hf_err hf_version_parts(struct hf_store *st, const char *bucket, const char *key,
                             size_t keylen, const char *version_id, hf_part_fn fn, void *arg,
                             unsigned *count)
{
    struct meta_version *v = malloc(sizeof(*v)), *pv = malloc(sizeof(*pv));
    struct meta_piece *pieces = NULL;
    size_t n = 0;
    enum hf_err rc = HF_ENOMEM;

    *count = 0;
    if (!v || !pv)
        goto out;
    rc = lookup(st, bucket, key, keylen, version_id, v);
    if (rc != HF_OK || !v->composite)
        goto out;
    rc = meta_pieces_get(st->meta, v->id, &pieces, &n);
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    *count = (unsigned)n;
    for (size_t i = 0; rc == HF_OK && i < n; i++) {
        struct hf_part_info pi;
        rc = meta_version_by_id(st->meta, pieces[i].part_version, pv);
        if (rc != HF_OK) {
            rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
            break;
        }
        pi = (struct hf_part_info){ (unsigned)i + 1, pieces[i].size, pv->etag, pv->mtime,
                                    pieces[i].offset, pv->sum };
        rc = fn(arg, &pi);
    }
out:
    free(pieces);
    free(pv);
    free(v);
    return rc;
}

/*
 * A reader walks pieces: a plain version is one piece (itself); a
 * composite (multipart) version is its parts in order.  One seg_reader is
 * open at a time, on the piece holding the read position.
 */
struct hf_reader {
    struct hf_store *st;
    struct meta_version *v;     /* the version asked for */
    struct meta_piece *pieces;  /* composite: its parts; else NULL */
    size_t npieces;
    size_t piece;               /* the piece sr is open on, or SIZE_MAX */
    uint64_t base, piece_size;  /* its offset in the object, its length */
    struct seg_reader sr;
    bool open;
    uint64_t pos, end;          /* object offsets: next byte, end of range */
    uint64_t seg;               /* piece segment decrypted in sr.buf, or UINT64_MAX */
    const uint8_t *plain;
    size_t plain_len;
    uint64_t next_prefetch;     /* first piece segment not yet asked for */
    bool started;               /* hf_reader_read was called: the range is fixed */
    enum hf_err failed;
};

/* Open the seg_reader on piece @i (a composite's part, or the version itself). */
static enum hf_err reader_piece(struct hf_reader *r, size_t i)
{
    struct meta_version *pv;
    enum hf_err rc;

    if (r->open) {
        seg_reader_close(&r->sr);
        r->open = false;
    }
    r->piece = SIZE_MAX;
    r->seg = UINT64_MAX;
    if (!r->pieces) {
        rc = seg_reader_open(r->st, r->v, &r->sr);
        r->base = 0;
        r->piece_size = r->v->size;
    } else {
        pv = malloc(sizeof(*pv));
        if (!pv)
            return HF_ENOMEM;
        rc = meta_version_by_id(r->st->meta, r->pieces[i].part_version, pv);
        if (rc == HF_OK && pv->size != r->pieces[i].size)
            rc = hf_fail(r->st, HF_ECORRUPT, "part %zu has %llu bytes, its record says %llu",
                         i + 1, (unsigned long long)pv->size,
                         (unsigned long long)r->pieces[i].size);
        if (rc == HF_OK)
            rc = seg_reader_open(r->st, pv, &r->sr);
        free(pv);
        r->base = r->pieces[i].offset;
        r->piece_size = r->pieces[i].size;
    }
    if (rc != HF_OK)
        return rc;
    r->open = true;
    r->piece = i;
    r->next_prefetch = 0;
    return HF_OK;
}

/* Load, verify, rebuild and authenticate segment @s of the open piece. */
static enum hf_err reader_load(struct hf_reader *r, uint64_t s)
{
    struct seg_reader *sr = &r->sr;
    uint64_t piece_end = r->end - r->base < r->piece_size ? r->end - r->base : r->piece_size;
    uint64_t last = piece_end ? (piece_end - 1) / sr->v.segsize : 0;
    unsigned good;
    enum hf_err rc;

    /*
     * Keep GET_READAHEAD segments in flight on every data-shard file: the
     * disks read them in parallel while this thread verifies and decrypts.
     */
    if (r->next_prefetch < s)
        r->next_prefetch = s;
    while (r->next_prefetch <= last && r->next_prefetch < s + GET_READAHEAD)
        seg_reader_prefetch(sr, r->next_prefetch++);
    rc = seg_reader_load(sr, s, false, &good);
    if (rc != HF_OK)
        return hf_fail(r->st, rc, "segment %llu: only %u of %u shards are readable and "
                       "intact; need %u", (unsigned long long)s, good, sr->v.k + sr->v.m,
                       sr->v.k);
    rc = seg_reader_decrypt(sr, s, &r->plain, &r->plain_len);
    if (rc != HF_OK)
        return hf_fail(r->st, rc, "segment %llu does not authenticate", (unsigned long long)s);
    r->seg = s;
    return HF_OK;
}

/*
 * Make the bytes at r->pos available: *@p points at them, *@n how many are
 * contiguous (bounded by the range end).
 */
static enum hf_err reader_at(struct hf_reader *r, const uint8_t **p, uint64_t *n)
{
    uint64_t local, s, off;
    enum hf_err rc;

    if (r->pieces && (r->piece == SIZE_MAX || r->pos < r->base ||
                      r->pos >= r->base + r->piece_size)) {
        size_t i = 0;
        while (i + 1 < r->npieces && r->pieces[i + 1].offset <= r->pos)
            i++;
        /* skip empty parts */
        while (i < r->npieces && r->pieces[i].size == 0)
            i++;
        if (i >= r->npieces)
            return hf_fail(r->st, HF_ECORRUPT, "no part holds byte %llu",
                           (unsigned long long)r->pos);
        if ((rc = reader_piece(r, i)) != HF_OK)
            return rc;
    }
    local = r->pos - r->base;
    s = local / r->sr.v.segsize;
    if (s != r->seg && (rc = reader_load(r, s)) != HF_OK)
        return rc;
    off = local - s * r->sr.v.segsize;
    *p = r->plain + off;
    *n = r->plain_len - off;
    if (*n > r->end - r->pos)
        *n = r->end - r->pos;
    return HF_OK;
}

enum hf_err hf_reader_open(struct hf_store *st, const char *bucket, const char *key,
                           size_t keylen, const char *version_id, uint64_t offset,
                           uint64_t length, struct hf_reader **out,
                           struct hf_version_info *info)
{
    struct hf_reader *r = calloc(1, sizeof(*r));
    enum hf_err rc;

    *out = NULL;
    if (info)
        memset(info, 0, sizeof(*info));
    if (!r || !(r->v = malloc(sizeof(*r->v)))) {
        free(r);
        return HF_ENOMEM;
    }
    r->st = st;
    r->piece = SIZE_MAX;
    r->seg = UINT64_MAX;
    rc = lookup(st, bucket, key, keylen, version_id, r->v);
    if (info && (rc == HF_OK || rc == HF_EDELETED)) {
        obj_version_info(r->v, info);
        info->key = NULL;
        memcpy(st->attrs_buf, r->v->attrs, r->v->attrs_len);
        info->attrs = r->v->attrs_len ? st->attrs_buf : NULL;
    }
    if (rc != HF_OK)
        goto fail;
    /* Like HTTP: the first byte must exist; only an empty object reads from 0. */
    if (offset > r->v->size || (offset == r->v->size && r->v->size > 0)) {
        rc = hf_fail(st, HF_ERANGE, "range starts at %llu, object has %llu bytes",
                     (unsigned long long)offset, (unsigned long long)r->v->size);
        goto fail;
    }
    r->pos = offset;
    r->end = (length == UINT64_MAX || length > r->v->size - offset) ? r->v->size
                                                                   : offset + length;
    if (r->v->composite) {
        rc = meta_pieces_get(st->meta, r->v->id, &r->pieces, &r->npieces);
        if (rc == HF_OK && r->npieces == 0)
            rc = hf_fail(st, HF_ECORRUPT, "multipart version without parts");
        if (rc != HF_OK)
            goto fail;
        /* An empty object still has its (empty) part verified. */
        if (r->v->size == 0 && (rc = reader_piece(r, 0)) == HF_OK) {
            r->end = 1;
            rc = reader_load(r, 0);
            r->end = 0;
        }
    } else {
        rc = reader_piece(r, 0);
        /* An empty object is one empty segment: it must still verify. */
        if (rc == HF_OK && r->v->size == 0) {
            r->end = 1;
            rc = reader_load(r, 0);
            r->end = 0;
        }
    }
    if (rc != HF_OK)
        goto fail;
    *out = r;
    return HF_OK;
fail:
    hf_reader_close(r);
    return rc;
}

uint64_t hf_reader_length(const struct hf_reader *r)
{
    return r->end - r->pos;
}

enum hf_err hf_reader_range(struct hf_reader *r, uint64_t offset, uint64_t length)
{
    uint64_t size = r->v->size;

    if (r->started || r->pos != 0 || r->end != size)
        return hf_fail(r->st, HF_EBADARG, "a reader's range is set before it reads");
    if (offset > size || (offset == size && size > 0))
        return hf_fail(r->st, HF_ERANGE, "range starts at %llu, object has %llu bytes",
                       (unsigned long long)offset, (unsigned long long)size);
    /* A plain version's piece is open whatever the offset; a composite's opens on read. */
    r->pos = offset;
    r->end = (length == UINT64_MAX || length > size - offset) ? size : offset + length;
    return HF_OK;
}

enum hf_err hf_reader_read(struct hf_reader *r, void *buf, size_t len, size_t *got)
{
    uint8_t *p = buf;

    *got = 0;
    if (r->failed)
        return r->failed;
    r->started = true;
    while (len > 0 && r->pos < r->end) {
        const uint8_t *src;
        uint64_t n;
        enum hf_err rc = reader_at(r, &src, &n);
        if (rc != HF_OK) {
            r->failed = rc;
            return *got ? HF_OK : rc; /* return what verified first */
        }
        if (n > len)
            n = len;
        memcpy(p, src, n);
        p += n;
        len -= n;
        *got += n;
        r->pos += n;
    }
    return HF_OK;
}

void hf_reader_close(struct hf_reader *r)
{
    if (!r)
        return;
    if (r->open)
        seg_reader_close(&r->sr);
    free(r->pieces);
    free(r->v);
    free(r);
}

enum hf_err hf_get(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                   const char *version_id, const struct hf_get_opts *opts, hf_sink_fn sink,
                   void *sink_arg, struct hf_version_info *info)
{
    struct hf_get_opts o = { 0, UINT64_MAX, NULL, NULL };
    struct hf_reader *r;
    enum hf_err rc;
    uint64_t done = 0, total;

    if (opts)
        o = *opts;
    rc = hf_reader_open(st, bucket, key, keylen, version_id, o.offset, o.length, &r, info);
    if (rc != HF_OK)
        return rc;
    total = hf_reader_length(r);
    /* Hand the sink whole verified segments straight from the reader's buffer. */
    while (rc == HF_OK && r->pos < r->end) {
        const uint8_t *src;
        uint64_t n;
        if ((rc = reader_at(r, &src, &n)) != HF_OK)
            break;
        rc = sink(sink_arg, src, n);
        r->pos += n;
        done += n;
        if (o.progress)
            o.progress(o.progress_arg, done, total);
    }
    hf_reader_close(r);
    return rc;
}

enum hf_err hf_delete(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                      const char *version_id, struct hf_delete_result *out)
{
    return hf_delete_ex(st, bucket, key, keylen, version_id, 0, out);
}

enum hf_err hf_delete_ex(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                         const char *version_id, unsigned flags, struct hf_delete_result *out)
{
    struct meta_version *v = calloc(1, sizeof(*v));
    struct meta_bucket mb;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    if (!v)
        return HF_ENOMEM;
    rc = obj_bucket_get(st, bucket, &mb);
    if (rc != HF_OK)
        goto out;
    if (hf_key_check(key, keylen) != HF_OK) {
        rc = obj_bad_key(st);
        goto out;
    }
    rc = meta_begin(st->meta);
    if (rc != HF_OK)
        goto meta_fail;
    if (version_id) {
        /* Remove one version from the namespace; the reclaimer takes its bytes. */
        uint8_t vid[16];
        if (strcmp(version_id, "null") == 0) {
            rc = meta_version_get_null(st->meta, mb.id, key, keylen, v);
        } else if (hf_unhex(version_id, vid, 16) != 0) {
            rc = HF_ENOTFOUND;
        } else {
            rc = meta_version_get(st->meta, mb.id, key, keylen, vid, v);
        }
        if (rc == HF_OK)
            rc = policy_version(st, v, &mb, POLICY_DELETE_VERSION,
                                flags & HF_DELETE_BYPASS_GOVERNANCE);
        if (rc == HF_OK && v->retain_mode && v->retain_until > hf_now_ns()) {
            /* GOVERNANCE bypassed (the gate allowed it): logged, and the
             * retention goes with the version so the reclaimer may act. */
            char until[AUDIT_TIME_LEN], subject[HF_KEY_MAX + 80], vhex[33];
            record_format_time(v->retain_until, until);
            hf_hex(v->vid, 16, vhex);
            snprintf(subject, sizeof(subject), "object:%s/%.*s", bucket, (int)v->keylen, v->key);
            rc = audit_event(st, "retention.bypassed", subject, "version-id", vhex, "mode",
                             "GOVERNANCE", "retain-until", until, NULL);
            if (rc == HF_OK)
                rc = meta_version_set_lock(st->meta, v->id, 0, META_LOCK_NONE, v->legal_hold);
        }
        if (rc == HF_OK)
            rc = obj_log_removal(st, "object.version-deleted", bucket, v);
        if (rc == HF_OK)
            rc = meta_version_set_state(st->meta, v->id, VERSION_DELETED);
        if (rc == HF_OK)
            rc = meta_commit(st->meta);
        if (rc == HF_OK)
            audit_after_commit(st);
        if (rc == HF_ENOTFOUND) {
            meta_rollback(st->meta);
            rc = hf_fail(st, rc, "no such version: %s", version_id);
            goto out;
        }
        if (rc == HF_EHELD) {
            meta_rollback(st->meta);
            goto out;       /* the gate's message says why */
        }
        if (rc != HF_OK)
            goto meta_fail;
        out->was_marker = v->marker;
        snprintf(out->version_id, sizeof(out->version_id), "%s", version_id);
        goto out;
    }
    /* Not versioning, or suspended: the null version goes (S3 semantics). */
    if (mb.versioning != HF_VERSIONING_ENABLED) {
        rc = obj_hide_null(st, bucket, mb.id, key, keylen);
        if (rc != HF_OK)
            goto meta_fail;
    }
    if (mb.versioning == HF_VERSIONING_OFF) {
        rc = meta_commit(st->meta);
        if (rc != HF_OK)
            goto meta_fail;
        goto out;
    }
    /* A delete marker: a version with no data. */
    v->bucket = mb.id;
    memcpy(v->key, key, keylen);
    v->keylen = keylen;
    v->marker = 1;
    v->is_null = mb.versioning == HF_VERSIONING_SUSPENDED;
    v->mtime = hf_now_ns();
    rc = hf_random(v->vid, 16);
    if (rc == HF_OK)
        rc = meta_version_insert(st->meta, v);
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK)
        goto meta_fail;
    out->marker_created = 1;
    if (v->is_null)
        snprintf(out->version_id, sizeof(out->version_id), "null");
    else
        hf_hex(v->vid, 16, out->version_id);
    goto out;
meta_fail:
    meta_rollback(st->meta);
    if (rc != HF_EHELD)     /* the gate's message says why */
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
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

    obj_version_info(v, &vi);
    return c->fn(c->arg, &vi);
}

enum hf_err hf_list(struct hf_store *st, const char *bucket, const char *prefix,
                    size_t prefixlen, unsigned flags, hf_version_fn fn, void *arg)
{
    return obj_list(st, bucket, prefix, prefixlen, NULL, 0, flags, fn, arg);
}

enum hf_err obj_list(struct hf_store *st, const char *bucket, const char *prefix,
                     size_t prefixlen, const char *from, size_t fromlen, unsigned flags,
                     hf_version_fn fn, void *arg)
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
    rc = meta_version_list_from(st->meta, bid, prefix, prefix ? prefixlen : 0, from,
                                from ? fromlen : 0, (flags & HF_LIST_VERSIONS) != 0,
                                list_cb, &c);
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
