/*
 * object.h — versions and their segments, shared by the write, read,
 * scrub and reclaim paths (subsystem interface).
 */
#ifndef HF_OBJECT_H
#define HF_OBJECT_H

#include "backend/backend.h"
#include "meta/meta.h"
#include "store/crypt.h"
#include "store/rs.h"
#include "store/shard.h"

/* Segment geometry of a version. */
static inline uint64_t obj_nsegs(uint64_t size, uint32_t segsize)
{
    return size == 0 ? 1 : (size + segsize - 1) / segsize;
}
static inline uint64_t obj_seg_plain(uint64_t size, uint32_t segsize, uint64_t s)
{
    uint64_t off = s * segsize;
    return size - off < segsize ? size - off : segsize;
}
/* Byte offset of frame @s in a shard file. */
static inline uint64_t obj_frame_off(uint32_t segsize, unsigned k, uint64_t s)
{
    return s * (SHARD_HDR_LEN + shard_payload_len((uint64_t)segsize + CRYPT_TAG_LEN, k));
}

/* SHA-256(bucket "/" key)[0..16]: the object identity bound into shards. */
HF_HIDDEN enum hf_err obj_hash(const char *bucket, const char *key, size_t keylen,
                               uint8_t out[16]);

/* HF_EBADKEY, with the message that says what a key may be. */
HF_HIDDEN enum hf_err obj_bad_key(struct hf_store *st);

/* Resolve a bucket name with its owner and versioning; HF_ENOTFOUND when missing. */
HF_HIDDEN enum hf_err obj_bucket_get(struct hf_store *st, const char *bucket,
                                     struct meta_bucket *mb);
/*
 * Bucket changes, each one transaction with its audit log entry
 * ("bucket.created", "bucket.removed", "bucket.versioning").
 * obj_bucket_create: HF_EEXIST when the name is taken.  obj_bucket_delete:
 * HF_ENOTEMPTY while a live version or marker is in it (its uploads in
 * progress are aborted with it).  Errors also: HF_EMETA, HF_EBUSY, and
 * the audit log's (audit_append).
 */
HF_HIDDEN enum hf_err obj_bucket_create(struct hf_store *st, const char *name, int64_t owner,
                                        int versioning);
HF_HIDDEN enum hf_err obj_bucket_delete(struct hf_store *st, const struct meta_bucket *mb);
/* obj_bucket_set_versioning: HF_EPRECOND for suspending a bucket with Object Lock. */
HF_HIDDEN enum hf_err obj_bucket_set_versioning(struct hf_store *st,
                                                const struct meta_bucket *mb, int state);

/*
 * Record in the audit log (caller's transaction) that version @v of
 * @bucket leaves the namespace for the reclaimer: @kind is
 * "object.version-deleted" (removed by version id) or "object.overwritten"
 * (a null version replaced or hidden, S3's unversioned semantics).
 * Errors: as audit_append.
 */
HF_HIDDEN enum hf_err obj_log_removal(struct hf_store *st, const char *kind,
                                      const char *bucket, const struct meta_version *v);
/*
 * Hide the live null version of a key, if there is one, logging it as
 * "object.overwritten" (caller's transaction).  Errors: HF_EMETA, audit's.
 */
HF_HIDDEN enum hf_err obj_hide_null(struct hf_store *st, const char *bucket, int64_t bid,
                                    const char *key, size_t keylen);

/* Resolve a bucket name; HF_ENOTFOUND with a message when missing. */
HF_HIDDEN enum hf_err obj_bucket(struct hf_store *st, const char *bucket, int64_t *id);

enum shard_status { SHARD_OK = 0, SHARD_MISSING = 1, SHARD_CORRUPT = 2 };

/*
 * A reader of one version's segments: opens shard files lazily, verifies
 * each frame, rebuilds what is missing.  Buffers are allocated once.
 */
struct seg_reader {
    struct hf_store *st;
    struct meta_version v;
    struct meta_shard sh[HF_MAX_SHARDS];
    struct backend *be[HF_MAX_SHARDS];
    struct be_reader *rd[HF_MAX_SHARDS];
    bool tried[HF_MAX_SHARDS];
    struct rs rs;
    struct crypt_ctx *cc;
    uint8_t dk[CRYPT_KEY_LEN];
    uint64_t full_payload;    /* shard payload of a full segment */
    uint8_t *buf;             /* (k+m) * payload of the version's largest segment */
    uint8_t *shard[HF_MAX_SHARDS];
    enum shard_status status[HF_MAX_SHARDS];
    uint64_t plen;            /* payload length of the current segment */
};

/* Set up a reader of version @v.  Errors: HF_ENOMEM, HF_ECRYPTO, HF_EMETA. */
HF_HIDDEN enum hf_err seg_reader_open(struct hf_store *st, const struct meta_version *v,
                                      struct seg_reader *r);
HF_HIDDEN void seg_reader_close(struct seg_reader *r);

/*
 * Load segment @s: with @all, read and verify every shard; else read data
 * shards first and parity only for what fails.  Then rebuild shards not
 * present (all of them with @all, else only data shards).  r->status says
 * what was found.  *@good = shards that verified.
 * Errors: HF_EUNREADABLE (fewer than k verified).
 */
HF_HIDDEN enum hf_err seg_reader_load(struct seg_reader *r, uint64_t s, bool all,
                                      unsigned *good);

/*
 * Authenticate and decrypt the loaded segment @s in place.  On success
 * *@plain points at its plaintext (r->buf), *@len its length.
 * Errors: HF_ECRYPTO (the segment does not authenticate).
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err seg_reader_decrypt(struct seg_reader *r, uint64_t s,
                                                       const uint8_t **plain, size_t *len);

/* Hint that segment @s will be read next. */
HF_HIDDEN void seg_reader_prefetch(struct seg_reader *r, uint64_t s);

/*
 * hf_list starting at key @from (every version of it included) when @from
 * sorts after @prefix: a page seeks straight to its marker instead of
 * walking the keys before it.
 */
HF_HIDDEN enum hf_err obj_list(struct hf_store *st, const char *bucket, const char *prefix,
                               size_t prefixlen, const char *from, size_t fromlen,
                               unsigned flags, hf_version_fn fn, void *arg);

/* Public description of @v (borrows v->key and v->attrs). */
HF_HIDDEN void obj_version_info(const struct meta_version *v, struct hf_version_info *out);

struct place_cand;
/*
 * The placement candidates of @st: the writable backends (up and active),
 * at most @max, with @map[i] the backend of @c[i].  Returns how many.
 */
HF_HIDDEN size_t obj_candidates(struct hf_store *st, struct place_cand *c, struct backend **map,
                                size_t max);

/*
 * scrub.c: move the shards of version @id that are on backend @from to
 * writable backends keeping the placement rules (copy what verifies,
 * rebuild the rest, read every new file back), then in one transaction
 * point the rows at the copies, queue the old files as garbage and record
 * the version as drained off @from.  Counts into @ds.  A version gone
 * meanwhile is HF_OK.  Errors: HF_EUNREADABLE, HF_ENOPLACE, HF_EIO,
 * HF_ECORRUPT (a copy did not read back), HF_EBUSY, HF_EMETA.
 */
HF_HIDDEN enum hf_err scrub_drain_version(struct hf_store *st, int64_t id, int64_t from,
                                          struct hf_drain_stats *ds);
/* scrub.c: scrub one version (as hf_scrub does each), adding to @out. */
HF_HIDDEN enum hf_err scrub_one(struct hf_store *st, int64_t id, unsigned flags,
                                struct hf_scrub_stats *out);

/* The frame header of shard @i of segment @s as the writer makes it. */
HF_HIDDEN void obj_frame_hdr(const struct meta_version *v, unsigned i, uint64_t s,
                             const uint8_t *payload, uint64_t plen, uint8_t *out);

#endif
