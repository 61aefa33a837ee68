/*
 * lock.h — S3 Object Lock (subsystem interface of policy/).
 *
 * A bucket's lock configuration (enabled; a default retention mode and a
 * period in days or years) and each version's retention (mode, until) and
 * legal hold, set the way AWS S3 sets them.  What they keep is judged by
 * the gate (policy.h); this module decides who may change them and how:
 *
 *   - retention may always be extended in its mode;
 *   - GOVERNANCE may be shortened, removed or changed to another mode only
 *     with @bypass (S3 x-amz-bypass-governance-retention from the bucket's
 *     owner, who holds s3:BypassGovernanceRetention);
 *   - COMPLIANCE may be neither shortened, removed nor changed by anyone
 *     while it runs, @bypass or not;
 *   - an expired retention is no retention: anything may replace it;
 *   - a retain-until date must be in the future;
 *   - a legal hold may be put on and off freely (by the owner);
 *   - the bucket's default retention is applied to each new version that
 *     asks for none, as an absolute date from the moment it is committed.
 *
 * Every change is one metadata transaction with its audit log entry
 * ("bucket.lock-config", "retention.set", "retention.extended",
 * "legal-hold.on", "legal-hold.off"; docs/audit.md lists their details).
 *
 * Errors, beyond HF_EMETA, HF_EBUSY, HF_ENOMEM and the audit log's:
 *   HF_EPRECOND   the bucket has no Object Lock (S3 400 InvalidRequest
 *                 "Bucket is missing Object Lock Configuration"); for
 *                 lock_bucket_config: lock can not be enabled because
 *                 versioning is not enabled (S3 409 InvalidBucketState)
 *   HF_EBADARG    a retain-until date not in the future, a bad period
 *                 (S3 400 InvalidArgument)
 *   HF_EHELD      the change would weaken a retention it may not (S3 403
 *                 AccessDenied); the store's message says which and why
 *   HF_ENOTFOUND  no such key or version
 *   HF_EDELETED   the version is a delete marker (S3 405 MethodNotAllowed)
 * The store's message (hf_store_errmsg) always says which rule refused.
 */
#ifndef HF_POLICY_LOCK_H
#define HF_POLICY_LOCK_H

#include "internal.h"

struct meta_bucket;
struct meta_version;

/* "GOVERNANCE", "COMPLIANCE", or "" for HF_LOCK_NONE.  Static. */
HF_HIDDEN const char *lock_mode_name(int mode);

/*
 * Create bucket @name for user @owner with Object Lock enabled and
 * versioning enabled for good (S3 CreateBucket with
 * x-amz-bucket-object-lock-enabled: true), in one transaction logged as
 * "bucket.created" and "bucket.lock-config".  Errors: HF_EEXIST.
 */
HF_HIDDEN enum hf_err lock_bucket_create(struct hf_store *st, const char *name, int64_t owner);

/*
 * S3 PutObjectLockConfiguration: enable Object Lock on @mb (allowed while
 * its versioning is enabled; it then stays enabled) and set its default
 * retention: @mode HF_LOCK_NONE with @days = @years = 0 for none, else
 * exactly one of @days (1..36500) and @years (1..100).  Errors:
 * HF_EPRECOND (no lock yet and versioning not enabled), HF_EBADARG.
 */
HF_HIDDEN enum hf_err lock_bucket_config(struct hf_store *st, const struct meta_bucket *mb,
                                         int mode, unsigned days, unsigned years);

/*
 * The lock of version @version_id ("null", a version id, or NULL for the
 * latest) of @key in @mb, into @out (mode HF_LOCK_NONE: no retention).
 * Errors: HF_EPRECOND (no Object Lock on @mb), HF_ENOTFOUND, HF_EDELETED.
 */
HF_HIDDEN enum hf_err lock_get(struct hf_store *st, const struct meta_bucket *mb,
                               const char *key, size_t keylen, const char *version_id,
                               struct hf_object_lock *out);

/*
 * S3 PutObjectRetention: set the retention of a version to @mode until
 * @until_ns, or remove it (@mode HF_LOCK_NONE), under the rules above.
 * Logged "retention.extended" (same mode, later date) or "retention.set".
 * Errors: HF_EPRECOND, HF_EBADARG, HF_EHELD, HF_ENOTFOUND, HF_EDELETED.
 */
HF_HIDDEN enum hf_err lock_set_retention(struct hf_store *st, const struct meta_bucket *mb,
                                         const char *key, size_t keylen,
                                         const char *version_id, int mode, int64_t until_ns,
                                         bool bypass);

/*
 * S3 PutObjectLegalHold: put a version's legal hold on or off; logged
 * "legal-hold.on" / "legal-hold.off" (also when it was already so).
 * Errors: HF_EPRECOND, HF_ENOTFOUND, HF_EDELETED.
 */
HF_HIDDEN enum hf_err lock_set_legal_hold(struct hf_store *st, const struct meta_bucket *mb,
                                          const char *key, size_t keylen,
                                          const char *version_id, bool on);

/*
 * Before a write (PUT, copy, CreateMultipartUpload) that asks for @req:
 * the bucket must have Object Lock and a retain-until date must be in the
 * future.  @req NULL or all zero: HF_OK.  Errors: HF_EPRECOND, HF_EBADARG.
 */
HF_HIDDEN enum hf_err lock_check_request(struct hf_store *st, const struct meta_bucket *mb,
                                         const struct hf_object_lock *req);

/*
 * Give new version @v of bucket @mb (@bucket its name) its lock, inside
 * the caller's transaction before @v is inserted: @req's settings, or
 * else the bucket's default retention (now + period); logged
 * "retention.set" / "legal-hold.on" with source "request" or
 * "bucket-default".  @req's date is taken as it is (lock_check_request
 * checked it when the request came).  Errors: HF_EINVAL (@req asks for a
 * lock and the bucket has none), the audit log's.
 */
HF_HIDDEN enum hf_err lock_new_version(struct hf_store *st, const struct meta_bucket *mb,
                                       struct meta_version *v,
                                       const struct hf_object_lock *req);

#endif
