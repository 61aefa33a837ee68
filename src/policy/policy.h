/*
 * policy.h — the policy gate (subsystem interface).
 *
 * One module decides whether an action may destroy or weaken stored data,
 * and every such path asks it: deleting a version by id, replacing or
 * hiding a null version (unversioned overwrite, unversioned delete),
 * expiry, the reclaimer, removing a bucket, removing a user.  What keeps
 * data: preservation holds (policy/holds.c), S3 Object Lock retention and
 * legal holds (per version).  Refusals are HF_EHELD with the store's error
 * message naming the reason: which hold (case id), which retention, until
 * when.
 */
#ifndef HF_POLICY_H
#define HF_POLICY_H

#include "internal.h"

struct meta_version;
struct meta_bucket;

enum policy_act {
    POLICY_DELETE_VERSION,  /* an owner deletes a version by id */
    POLICY_OVERWRITE,       /* a null version replaced or hidden (unversioned semantics) */
    POLICY_EXPIRE,          /* lifecycle expiry */
    POLICY_RECLAIM,         /* the reclaimer destroys a deleted version's bytes */
};

/*
 * May @act destroy version @v?  @mb is its bucket (NULL: looked up; a
 * bucket that is gone is judged by the holds alone, failing closed).
 * @bypass_governance: S3 x-amz-bypass-governance-retention from the
 * bucket's owner; honoured for POLICY_DELETE_VERSION only, and never for
 * COMPLIANCE retention, legal holds or preservation holds.
 * Returns HF_OK, HF_EHELD (reason in the store's message), HF_EMETA.
 */
HF_HIDDEN enum hf_err policy_version(struct hf_store *st, const struct meta_version *v,
                                     const struct meta_bucket *mb, enum policy_act act,
                                     bool bypass_governance);

/* May bucket @mb be removed?  HF_EHELD while a hold covers it or its owner. */
HF_HIDDEN enum hf_err policy_bucket(struct hf_store *st, const struct meta_bucket *mb);

/* May user @name be removed?  HF_EHELD while a hold covers the user. */
HF_HIDDEN enum hf_err policy_user(struct hf_store *st, const char *name);

/* ---- lifecycle.c ---- */

/* A bucket's last access is recorded at most this often (ns). */
#define POLICY_TOUCH_GRANULARITY (3600LL * 1000000000)

/*
 * Record a read or write of bucket @bucket's objects (the inactivity
 * rule's clock).  Cheap: at most one database write per bucket and hour;
 * best effort (never fails the read or write, leaves no error message).
 * Not inside a transaction of the caller.
 */
HF_HIDDEN void policy_touch(struct hf_store *st, int64_t bucket);

/*
 * At open: refuse an unparseable HOLDFAST_NOW (HF_ECONFIG), raise the
 * clock's floor to the store's high-water mark and advance the mark.
 */
HF_HIDDEN enum hf_err policy_clock_open(struct hf_store *st);

/* The account state (META_ACCOUNT_*) of user id @user; active when unknown. */
HF_HIDDEN int policy_account_state(struct hf_store *st, int64_t user);

#endif
