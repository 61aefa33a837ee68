/*
 * gate.c — the policy gate: the one place that decides whether stored
 * data may be destroyed (policy.h).
 *
 * INVARIANTS
 *   (1) Every path that makes a stored version unreadable or destroys its
 *       bytes calls policy_version first, inside the transaction that makes
 *       the change (so a hold placed concurrently is either seen or placed
 *       after the change, never lost between check and act).
 *   (2) Nothing overrides a preservation hold, a legal hold or COMPLIANCE
 *       retention: no flag, no role, no operator command.
 *   (3) When the facts cannot be established (the version's bucket is
 *       gone), the gate refuses while any hold is active: fail closed.
 *   (4) Time is the store's one clock (hf_now_ns).
 */
#include <stdio.h>
#include <string.h>

#include "audit/record.h"
#include "meta/meta.h"
#include "policy/policy.h"
#include "banned.h"

static const char *act_name(enum policy_act act)
{
    switch (act) {
    case POLICY_DELETE_VERSION: return "deleting";
    case POLICY_OVERWRITE: return "overwriting";
    case POLICY_EXPIRE: return "expiring";
    case POLICY_RECLAIM: return "reclaiming";
    }
    return "destroying";
}

/* An active hold over (@user, @bucket, @key)?  Sets the refusal when so. */
static enum hf_err holds(struct hf_store *st, const char *user, const char *bucket,
                         const char *key, size_t keylen, const char *what)
{
    char id[129];
    bool found;
    enum hf_err rc = meta_hold_covering(st->meta, user, bucket, key, keylen, id, sizeof(id),
                                        &found);

    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    if (found)
        return hf_fail(st, HF_EHELD, "%s refused: under preservation hold %s", what, id);
    return HF_OK;
}

enum hf_err policy_version(struct hf_store *st, const struct meta_version *v,
                           const struct meta_bucket *mb, enum policy_act act,
                           bool bypass_governance)
{
    struct meta_bucket own;
    char user[129] = "", what[96], when[AUDIT_TIME_LEN];
    int64_t now = hf_now_ns();
    enum hf_err rc;

    snprintf(what, sizeof(what), "%s version %02x%02x%02x%02x...", act_name(act), v->vid[0],
             v->vid[1], v->vid[2], v->vid[3]);
    if (v->marker)
        return HF_OK;       /* a delete marker holds no data */
    if (v->legal_hold)
        return hf_fail(st, HF_EHELD, "%s refused: the version is under a legal hold", what);
    if (v->retain_mode && v->retain_until > now) {
        record_format_time(v->retain_until, when);
        if (v->retain_mode == META_LOCK_COMPLIANCE)
            return hf_fail(st, HF_EHELD, "%s refused: COMPLIANCE retention until %s", what,
                           when);
        if (!(bypass_governance && act == POLICY_DELETE_VERSION))
            return hf_fail(st, HF_EHELD, "%s refused: GOVERNANCE retention until %s%s", what,
                           when, act == POLICY_DELETE_VERSION
                                     ? " (the owner may bypass it with"
                                       " x-amz-bypass-governance-retention)" : "");
    }
    if (!mb) {
        rc = meta_bucket_by_id(st->meta, v->bucket, &own);
        if (rc == HF_ENOTFOUND) {
            /* Invariant 3: no bucket, no scope to judge by. */
            return holds(st, NULL, NULL, NULL, 0, what);
        }
        if (rc != HF_OK)
            return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        mb = &own;
    }
    rc = meta_user_name(st->meta, mb->owner, user, sizeof(user));
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return holds(st, user[0] ? user : NULL, mb->name, v->key, v->keylen, what);
}

enum hf_err policy_bucket(struct hf_store *st, const struct meta_bucket *mb)
{
    char user[129] = "", what[96];
    enum hf_err rc = meta_user_name(st->meta, mb->owner, user, sizeof(user));

    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    snprintf(what, sizeof(what), "removing bucket %s", mb->name);
    return holds(st, user[0] ? user : NULL, mb->name, NULL, 0, what);
}

enum hf_err policy_user(struct hf_store *st, const char *name)
{
    char what[160];

    snprintf(what, sizeof(what), "removing user %s", name);
    return holds(st, name, NULL, NULL, 0, what);
}
