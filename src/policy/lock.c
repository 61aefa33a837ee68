/*
 * lock.c — S3 Object Lock: bucket configurations, version retention and
 * legal holds (lock.h).
 *
 * Writes the lock columns of buckets and versions (through meta.h); the
 * gate (gate.c) reads them.
 *
 * INVARIANTS
 *   (1) Every change is one transaction with its audit entry: the entry is
 *       in the log before the change takes effect, and a change whose
 *       entry cannot be appended does not happen.
 *   (2) A running COMPLIANCE retention is never shortened, removed or
 *       changed in mode: no flag, no role, no path through this module.
 *   (3) A running GOVERNANCE retention is weakened only with a bypass.
 *   (4) Lock, once enabled on a bucket, stays enabled, and its versioning
 *       stays enabled (obj_bucket_set_versioning refuses to suspend it).
 *   (5) Time is the store's one clock (hf_now_ns); dates are ns since the
 *       epoch, as S3 gives them floored to the millisecond.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "meta/meta.h"
#include "policy/lock.h"
#include "banned.h"

#define NS 1000000000LL
#define DAYS_MAX 36500
#define YEARS_MAX 100

const char *lock_mode_name(int mode)
{
    return mode == HF_LOCK_GOVERNANCE   ? "GOVERNANCE"
           : mode == HF_LOCK_COMPLIANCE ? "COMPLIANCE"
                                        : "";
}

static enum hf_err no_lock(struct hf_store *st, const struct meta_bucket *mb)
{
    return hf_fail(st, HF_EPRECOND, "bucket %s has no Object Lock configuration", mb->name);
}

static enum hf_err log_config(struct hf_store *st, const char *bucket, int mode,
                              unsigned days, unsigned years)
{
    char subject[80], period[16];

    snprintf(subject, sizeof(subject), "bucket:%s", bucket);
    if (!mode)
        return audit_event(st, "bucket.lock-config", subject, "object-lock", "Enabled",
                           "default-retention", "none", NULL);
    snprintf(period, sizeof(period), "%u", days ? days : years);
    return audit_event(st, "bucket.lock-config", subject, "object-lock", "Enabled",
                       "default-retention", lock_mode_name(mode), days ? "days" : "years",
                       period, NULL);
}

enum hf_err lock_bucket_create(struct hf_store *st, const char *name, int64_t owner)
{
    char subject[80], own[24];
    int64_t id = 0;
    enum hf_err rc = meta_begin(st->meta);

    hf_clear_err(st);
    snprintf(subject, sizeof(subject), "bucket:%s", name);
    snprintf(own, sizeof(own), "%lld", (long long)owner);
    if (rc == HF_OK)
        rc = meta_bucket_create(st->meta, name, hf_now_ns(), owner, HF_VERSIONING_ENABLED);
    if (rc == HF_OK)
        rc = meta_bucket_id(st->meta, name, &id);
    if (rc == HF_OK)
        rc = meta_bucket_set_lock(st->meta, id, 1, HF_LOCK_NONE, 0, 0);
    if (rc == HF_OK)
        rc = audit_event(st, "bucket.created", subject, "owner-id", own, "versioning",
                         "Enabled", "object-lock", "Enabled", NULL);
    if (rc == HF_OK)
        rc = log_config(st, name, HF_LOCK_NONE, 0, 0);
    return audit_commit(st, rc);
}

enum hf_err lock_bucket_config(struct hf_store *st, const struct meta_bucket *mb, int mode,
                               unsigned days, unsigned years)
{
    struct meta_bucket cur;
    enum hf_err rc;

    hf_clear_err(st);
    if (mode != HF_LOCK_NONE && mode != HF_LOCK_GOVERNANCE && mode != HF_LOCK_COMPLIANCE)
        return hf_fail(st, HF_EBADARG, "unknown retention mode %d", mode);
    if (mode && (!days == !years))
        return hf_fail(st, HF_EBADARG, "a default retention needs exactly one of days and "
                       "years");
    if (!mode && (days || years))
        return hf_fail(st, HF_EBADARG, "a default retention period needs a mode");
    if (days > DAYS_MAX || years > YEARS_MAX)
        return hf_fail(st, HF_EBADARG, "a default retention is at most %d days or %d years",
                       DAYS_MAX, YEARS_MAX);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_bucket_by_id(st->meta, mb->id, &cur);     /* as of this transaction */
    if (rc == HF_ENOTFOUND)
        rc = hf_fail(st, rc, "no such bucket: %s", mb->name);
    if (rc == HF_OK && !cur.lock && cur.versioning != HF_VERSIONING_ENABLED)
        rc = hf_fail(st, HF_EPRECOND, "Object Lock can be enabled on bucket %s only while "
                     "its versioning is enabled", mb->name);
    if (rc == HF_OK)
        rc = meta_bucket_set_lock(st->meta, cur.id, 1, mode, (int)days, (int)years);
    if (rc == HF_OK)
        rc = log_config(st, cur.name, mode, days, years);
    return audit_commit(st, rc);
}

/* Version @version_id (NULL: latest) of @key in @mb into @v.  No transaction of its own. */
static enum hf_err find(struct hf_store *st, const struct meta_bucket *mb, const char *key,
                        size_t keylen, const char *version_id, struct meta_version *v)
{
    uint8_t vid[16];
    enum hf_err rc;

    if (hf_key_check(key, keylen) != HF_OK)
        return hf_fail(st, HF_EBADKEY, "keys are 1-%d bytes of UTF-8 without NUL",
                       HF_KEY_MAX);
    if (version_id && strcmp(version_id, "null") == 0)
        rc = meta_version_get_null(st->meta, mb->id, key, keylen, v);
    else if (version_id && hf_unhex(version_id, vid, 16) != 0)
        rc = HF_ENOTFOUND;
    else
        rc = meta_version_get(st->meta, mb->id, key, keylen, version_id ? vid : NULL, v);
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

enum hf_err lock_get(struct hf_store *st, const struct meta_bucket *mb, const char *key,
                     size_t keylen, const char *version_id, struct hf_object_lock *out)
{
    struct meta_version *v;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    if (!mb->lock)
        return no_lock(st, mb);
    if (!(v = malloc(sizeof(*v))))
        return HF_ENOMEM;
    rc = find(st, mb, key, keylen, version_id, v);
    if (rc == HF_OK) {
        out->mode = v->retain_mode;
        out->retain_until_ns = v->retain_until;
        out->legal_hold = v->legal_hold;
    }
    free(v);
    return rc;
}

/* The subject and version details of an event about @v. */
static struct audit_record *event(const char *kind, const char *bucket,
                                  const struct meta_version *v)
{
    char subject[HF_KEY_MAX + 80], vid[33];
    struct audit_record *r;

    snprintf(subject, sizeof(subject), "object:%s/%.*s", bucket, (int)v->keylen, v->key);
    if (!(r = audit_record_new(kind, subject)))
        return NULL;
    hf_hex(v->vid, 16, vid);
    record_detail(r, "version-id", "%s", v->is_null ? "null" : vid);
    record_detail(r, "version-uuid", "%s", vid);
    return r;
}

static void detail_time(struct audit_record *r, const char *key, int64_t ns)
{
    char t[AUDIT_TIME_LEN];

    record_format_time(ns, t);
    record_detail(r, key, "%s", t);
}

static enum hf_err future(struct hf_store *st, int64_t until)
{
    char t[AUDIT_TIME_LEN];

    if (until > hf_now_ns())
        return HF_OK;
    record_format_time(until, t);
    return hf_fail(st, HF_EBADARG, "the retain until date %s is not in the future", t);
}

enum hf_err lock_set_retention(struct hf_store *st, const struct meta_bucket *mb,
                               const char *key, size_t keylen, const char *version_id, int mode,
                               int64_t until_ns, bool bypass)
{
    struct meta_version *v;
    struct audit_record *r = NULL;
    char t[AUDIT_TIME_LEN];
    bool running, weaker, extended;
    enum hf_err rc;

    hf_clear_err(st);
    if (!mb->lock)
        return no_lock(st, mb);
    if (mode != HF_LOCK_NONE && mode != HF_LOCK_GOVERNANCE && mode != HF_LOCK_COMPLIANCE)
        return hf_fail(st, HF_EBADARG, "unknown retention mode %d", mode);
    if (mode == HF_LOCK_NONE)
        until_ns = 0;
    else if ((rc = future(st, until_ns)) != HF_OK)
        return rc;
    if (!(v = malloc(sizeof(*v))))
        return HF_ENOMEM;
    rc = meta_begin(st->meta);
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    rc = find(st, mb, key, keylen, version_id, v);
    if (rc != HF_OK)
        goto done;
    running = v->retain_mode && v->retain_until > hf_now_ns();
    weaker = running && (mode != v->retain_mode || until_ns < v->retain_until);
    extended = running && mode == v->retain_mode && until_ns >= v->retain_until;
    if (weaker) {
        record_format_time(v->retain_until, t);
        if (v->retain_mode == HF_LOCK_COMPLIANCE) {
            /* Invariant 2. */
            rc = hf_fail(st, HF_EHELD, "the version is under COMPLIANCE retention until %s: "
                         "nobody may shorten, remove or change it", t);
            goto done;
        }
        if (!bypass) {
            rc = hf_fail(st, HF_EHELD, "the version is under GOVERNANCE retention until %s: "
                         "shortening, removing or changing it needs "
                         "x-amz-bypass-governance-retention", t);
            goto done;
        }
    }
    if (!(r = event(extended ? "retention.extended" : "retention.set", mb->name, v))) {
        rc = HF_ENOMEM;
        goto done;
    }
    record_detail(r, "mode", "%s", mode ? lock_mode_name(mode) : "none");
    if (mode)
        detail_time(r, "retain-until", until_ns);
    if (v->retain_mode) {
        record_detail(r, "previous-mode", "%s", lock_mode_name(v->retain_mode));
        detail_time(r, "previous-retain-until", v->retain_until);
    }
    if (weaker)
        record_detail(r, "bypass-governance", "true");
    rc = audit_append(st, r);
    if (rc == HF_OK)
        rc = meta_version_set_lock(st->meta, v->id, until_ns, mode, v->legal_hold);
done:
    rc = audit_commit(st, rc);
out:
    free(r);
    free(v);
    return rc;
}

enum hf_err lock_set_legal_hold(struct hf_store *st, const struct meta_bucket *mb,
                                const char *key, size_t keylen, const char *version_id, bool on)
{
    struct meta_version *v;
    struct audit_record *r = NULL;
    enum hf_err rc;

    hf_clear_err(st);
    if (!mb->lock)
        return no_lock(st, mb);
    if (!(v = malloc(sizeof(*v))))
        return HF_ENOMEM;
    rc = meta_begin(st->meta);
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    rc = find(st, mb, key, keylen, version_id, v);
    if (rc == HF_OK && !(r = event(on ? "legal-hold.on" : "legal-hold.off", mb->name, v)))
        rc = HF_ENOMEM;
    if (rc == HF_OK) {
        if (v->legal_hold == (int)on)
            record_detail(r, "unchanged", "true");
        rc = audit_append(st, r);
    }
    if (rc == HF_OK)
        rc = meta_version_set_lock(st->meta, v->id, v->retain_until, v->retain_mode, on);
    rc = audit_commit(st, rc);
out:
    free(r);
    free(v);
    return rc;
}

enum hf_err lock_check_request(struct hf_store *st, const struct meta_bucket *mb,
                               const struct hf_object_lock *req)
{
    if (!req || (!req->mode && !req->legal_hold))
        return HF_OK;
    if (!mb->lock)
        return no_lock(st, mb);
    if (req->mode != HF_LOCK_NONE && req->mode != HF_LOCK_GOVERNANCE &&
        req->mode != HF_LOCK_COMPLIANCE)
        return hf_fail(st, HF_EBADARG, "unknown retention mode %d", req->mode);
    return req->mode ? future(st, req->retain_until_ns) : HF_OK;
}

/* @now plus @years calendar years (29 February becomes 1 March), in ns. */
static int64_t add_years(int64_t now, unsigned years)
{
    time_t secs = (time_t)(now / NS);
    struct tm tm;

    if (!gmtime_r(&secs, &tm))
        return now + (int64_t)years * 366 * 86400 * NS;
    tm.tm_year += (int)years;
    return (int64_t)timegm(&tm) * NS + now % NS;
}

enum hf_err lock_new_version(struct hf_store *st, const struct meta_bucket *mb,
                             struct meta_version *v, const struct hf_object_lock *req)
{
    struct audit_record *r;
    const char *source = "request";
    int64_t now = hf_now_ns();
    enum hf_err rc;

    v->retain_mode = HF_LOCK_NONE;
    v->retain_until = 0;
    v->legal_hold = 0;
    if (req && (req->mode || req->legal_hold)) {
        if (!mb->lock)
            return hf_fail(st, HF_EINVAL, "bucket %s has no Object Lock configuration",
                           mb->name);
        /* The date was checked when the request came (lock_check_request). */
        v->retain_mode = req->mode;
        v->retain_until = req->mode ? req->retain_until_ns : 0;
        v->legal_hold = req->legal_hold ? 1 : 0;
    }
    if (!v->retain_mode && mb->lock && mb->lock_mode) {
        source = "bucket-default";
        v->retain_mode = mb->lock_mode;
        v->retain_until = mb->lock_days ? now + (int64_t)mb->lock_days * 86400 * NS
                                        : add_years(now, (unsigned)mb->lock_years);
        v->retain_until -= v->retain_until % 1000000;   /* S3 dates: ms */
    }
    if (v->retain_mode) {
        if (!(r = event("retention.set", mb->name, v)))
            return HF_ENOMEM;
        record_detail(r, "mode", "%s", lock_mode_name(v->retain_mode));
        detail_time(r, "retain-until", v->retain_until);
        record_detail(r, "source", "%s", source);
        rc = audit_append(st, r);
        free(r);
        if (rc != HF_OK)
            return rc;
    }
    if (v->legal_hold) {
        if (!(r = event("legal-hold.on", mb->name, v)))
            return HF_ENOMEM;
        record_detail(r, "source", "request");
        rc = audit_append(st, r);
        free(r);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}
