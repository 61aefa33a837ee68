/*
 * lifecycle.c — expiry only after notice: lifecycle rules, account states,
 * notices, reminders, answers, and expiry through the gate.
 *
 * Owns the user_policy, bucket_policy, lifecycle_rules, notices and
 * notice_deliveries tables (through meta.h).  Rules never delete: they make
 * data *eligible*.  A pass (hf_lifecycle_run) then:
 *
 *   1. finds the eligible groups: a closed account (scope user:U, rule
 *      "closure"), a bucket idle for its inactivity rule's N days
 *      ("inactivity:N"), an S3 rule's current or noncurrent versions
 *      ("lifecycle:ID:expiration", "lifecycle:ID:noncurrent");
 *   2. cancels open notices whose group no longer applies (the bucket was
 *      used, the account reopened, the rule removed);
 *   3. creates a notice for each group with eligible versions the gate
 *      would let expire and no open notice — versions under a hold or
 *      retention are not eligible, so no notice goes out for them;
 *   4. delivers pending notices (retrying hourly), sends reminders 30, 7
 *      and 1 days before the expiry date, and expires what is due.
 *
 * STATES  pending --delivered--> delivered --grace passed--> expired
 *            |                      |--keep answered--> kept
 *            +-----group gone-------+--group gone-----> cancelled
 *
 * INVARIANTS
 *   (1) Nothing is expired without a notice in state delivered whose
 *       expiry date (delivery + grace, grace >= 7 days) has passed and
 *       which was not answered "keep".  An undelivered notice blocks.
 *   (2) Expiry asks the gate (policy_version, POLICY_EXPIRE) for each
 *       version inside the transaction that marks it deleted, and its
 *       "object.expired" entry is appended in that transaction: in the log
 *       before it takes effect.  Expiry only marks versions deleted; the
 *       reclaimer destroys bytes (asking the gate again).
 *   (3) A notice covers the versions written up to its cutoff; versions
 *       written later need a notice of their own.
 *   (4) Every delivery attempt is logged ("notice.sent") before it is
 *       made, and its result ("notice.delivered", "notice.failed") with
 *       its row in notice_deliveries.
 *   (5) Policy time is the store's one clock, which never goes below the
 *       high-water mark kept in meta (policy_clock_open).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "meta/meta.h"
#include "policy/notify.h"
#include "policy/policy.h"
#include "banned.h"

#define DAY_NS (86400LL * 1000000000)
#define RETRY_NS (3600LL * 1000000000)     /* an undelivered notice is retried hourly */
#define GRACE_DEFAULT 30
#define GRACE_MIN 7
#define GRACE_MAX 3650
#define HWM_KEY "clock.high-water"

static const int reminder_days[3] = { 30, 7, 1 };

/* ---- the clock's high-water mark ---- */

enum hf_err policy_clock_open(struct hf_store *st)
{
    const char *env = getenv("HOLDFAST_NOW");
    char v[32];
    int64_t hwm = 0, set, now;

    if (env && *env && hf_parse_rfc3339(env, &set) != 0)
        return hf_fail(st, HF_ECONFIG, "HOLDFAST_NOW is not an RFC 3339 time: %s", env);
    if (meta_policy_get(st->meta, HWM_KEY, v, sizeof(v)) == HF_OK)
        hwm = strtoll(v, NULL, 10);
    hf_clock_floor(hwm);
    now = hf_now_ns();
    if (now > hwm + 60LL * 1000000000) {
        snprintf(v, sizeof(v), "%lld", (long long)now);
        (void)meta_policy_put(st->meta, HWM_KEY, v);   /* best effort: the next open retries */
    }
    return HF_OK;
}

static void clock_advance(struct hf_store *st, int64_t now)
{
    char v[32];

    snprintf(v, sizeof(v), "%lld", (long long)now);
    (void)meta_policy_put(st->meta, HWM_KEY, v);
}

/* ---- last access, account state ---- */

void policy_touch(struct hf_store *st, int64_t bucket)
{
    struct meta_bucket_policy bp;
    char keep[HF_ERRMSG_MAX];
    int64_t now = hf_now_ns();

    if (st->touch_bucket == bucket && now >= st->touch_ns &&
        now - st->touch_ns < POLICY_TOUCH_GRANULARITY)
        return;
    memcpy(keep, st->errmsg, sizeof(keep));
    if (meta_bucket_policy_get(st->meta, bucket, &bp) == HF_OK &&
        !(bp.last_access <= now && now - bp.last_access < POLICY_TOUCH_GRANULARITY) &&
        bp.last_access < now)
        (void)meta_bucket_touch(st->meta, bucket, now);
    memcpy(st->errmsg, keep, sizeof(keep));
    st->touch_bucket = bucket;
    st->touch_ns = now;
}

int policy_account_state(struct hf_store *st, int64_t user)
{
    struct meta_user_policy *u = malloc(sizeof(*u));
    int state = META_ACCOUNT_ACTIVE;

    if (u && meta_user_policy_get(st->meta, user, u) == HF_OK)
        state = u->state;
    free(u);
    return state;
}

/* ---- contacts, states, rules, settings ---- */

/*
 * Open the transaction of a change to user @name's policy row and read it
 * into @u.  Errors: HF_ENOTFOUND (no such user, with a message), HF_EMETA;
 * the caller ends the transaction with audit_commit either way.
 */
static enum hf_err user_policy_begin(struct hf_store *st, const char *name,
                                     struct meta_user_policy *u)
{
    int64_t id;
    enum hf_err rc = meta_begin(st->meta);

    if (rc == HF_OK) {
        rc = meta_user_id(st->meta, name, &id);
        if (rc == HF_ENOTFOUND)
            hf_fail(st, rc, "no user named %s", name);
    }
    if (rc == HF_OK)
        rc = meta_user_policy_get(st->meta, id, u);
    return rc;
}

enum hf_err hf_user_set_contacts(struct hf_store *st, const char *name, const char *webhook,
                                 const char *email)
{
    static const char *const web[] = { "http://", "https://", NULL };
    struct meta_user_policy *u = malloc(sizeof(*u));
    char subject[96];
    enum hf_err rc;

    hf_clear_err(st);
    if (!u)
        return HF_ENOMEM;
    if (webhook && *webhook && !notify_url_ok(webhook, web)) {
        free(u);
        return hf_fail(st, HF_EINVAL, "a webhook is an http:// or https:// URL (at most 1024 "
                       "characters, no spaces)");
    }
    if (email && *email && !notify_email_ok(email)) {
        free(u);
        return hf_fail(st, HF_EINVAL, "not an e-mail address: %s", email);
    }
    snprintf(subject, sizeof(subject), "user:%s", name);
    rc = user_policy_begin(st, name, u);
    if (rc == HF_OK) {
        if (webhook)
            snprintf(u->webhook, sizeof(u->webhook), "%s", webhook);
        if (email)
            snprintf(u->email, sizeof(u->email), "%s", email);
        rc = audit_event(st, "user.contacts", subject, "webhook", u->webhook[0] ? u->webhook : "-",
                         "email", u->email[0] ? u->email : "-", NULL);
    }
    if (rc == HF_OK)
        rc = meta_user_policy_put(st->meta, u);
    rc = audit_commit(st, rc);
    free(u);
    return rc;
}

static const char *state_name(int s)
{
    return s == META_ACCOUNT_SUSPENDED ? "suspended" : s == META_ACCOUNT_CLOSED ? "closed"
                                                                                : "active";
}

enum hf_err hf_user_set_state(struct hf_store *st, const char *name, enum hf_account_state state)
{
    struct meta_user_policy *u;
    char subject[96];
    enum hf_err rc;

    hf_clear_err(st);
    if (state != HF_ACCOUNT_ACTIVE && state != HF_ACCOUNT_SUSPENDED &&
        state != HF_ACCOUNT_CLOSED)
        return hf_fail(st, HF_EINVAL, "an account is active, suspended or closed");
    if (!(u = malloc(sizeof(*u))))
        return HF_ENOMEM;
    snprintf(subject, sizeof(subject), "user:%s", name);
    rc = user_policy_begin(st, name, u);
    if (rc == HF_OK && u->state == (int)state)
        rc = hf_fail(st, HF_EEXIST, "user %s is already %s", name, state_name((int)state));
    if (rc == HF_OK)
        rc = audit_event(st, "user.state", subject, "from", state_name(u->state), "to",
                         state_name((int)state), NULL);
    if (rc == HF_OK) {
        u->state = (int)state;
        u->state_since = hf_now_ns();
        rc = meta_user_policy_put(st->meta, u);
    }
    rc = audit_commit(st, rc);
    free(u);
    return rc;
}

struct upl {
    struct hf_store *st;
    hf_user_policy_fn fn;
    void *arg;
};

static enum hf_err upl_cb(void *arg, const char *name, int64_t created, const char *keys)
{
    struct upl *l = arg;
    struct meta_user_policy *u = malloc(sizeof(*u));
    int64_t id;
    enum hf_err rc = u ? meta_user_id(l->st->meta, name, &id) : HF_ENOMEM;

    (void)created;
    (void)keys;
    if (rc == HF_OK)
        rc = meta_user_policy_get(l->st->meta, id, u);
    if (rc == HF_OK) {
        struct hf_user_policy_info ui = { name, u->webhook, u->email,
                                          (enum hf_account_state)u->state, u->state_since };
        rc = l->fn(l->arg, &ui);
    }
    free(u);
    return rc;
}

enum hf_err hf_user_policy_list(struct hf_store *st, hf_user_policy_fn fn, void *arg)
{
    struct upl l = { st, fn, arg };

    hf_clear_err(st);
    return meta_user_list(st->meta, upl_cb, &l);
}

static bool rule_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

enum hf_err hf_lifecycle_set_rules(struct hf_store *st, const char *bucket,
                                   const struct hf_lifecycle_rule *rules, size_t n)
{
    struct meta_lc_rule *mr = NULL;
    struct meta_bucket mb;
    char subject[96], ids[512] = "";
    enum hf_err rc;

    hf_clear_err(st);
    if (n > HF_LIFECYCLE_RULES_MAX)
        return hf_fail(st, HF_EINVAL, "at most %d lifecycle rules", HF_LIFECYCLE_RULES_MAX);
    if (n && !(mr = calloc(n, sizeof(*mr))))
        return HF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct hf_lifecycle_rule *r = &rules[i];
        size_t pl = r->prefix ? strlen(r->prefix) : 0;
        if (!rule_id_ok(r->id)) {
            free(mr);
            return hf_fail(st, HF_EINVAL, "a rule's ID is 1-255 characters");
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(rules[j].id, r->id) == 0) {
                free(mr);
                return hf_fail(st, HF_EINVAL, "rule ID %s is used twice", r->id);
            }
        if (!r->expiration_days && !r->expiration_date_ns && !r->noncurrent_days &&
            !r->abort_days) {
            free(mr);
            return hf_fail(st, HF_EINVAL, "rule %s has no action", r->id);
        }
        if (pl > HF_KEY_MAX) {
            free(mr);
            return hf_fail(st, HF_EINVAL, "rule %s: prefix too long", r->id);
        }
        snprintf(mr[i].id, sizeof(mr[i].id), "%s", r->id);
        mr[i].enabled = r->enabled;
        memcpy(mr[i].prefix, r->prefix ? r->prefix : "", pl);
        mr[i].prefixlen = pl;
        mr[i].exp_days = (int)r->expiration_days;
        mr[i].exp_date = r->expiration_date_ns;
        mr[i].noncurrent_days = (int)r->noncurrent_days;
        mr[i].abort_days = (int)r->abort_days;
        if (strlen(ids) + strlen(r->id) + 2 < sizeof(ids))
            snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", i ? " " : "", r->id);
    }
    snprintf(subject, sizeof(subject), "bucket:%s", bucket);
    rc = meta_begin(st->meta);
    if (rc == HF_OK) {
        rc = meta_bucket_get(st->meta, bucket, &mb);
        if (rc == HF_ENOTFOUND)
            hf_fail(st, rc, "no bucket named %s", bucket);
    }
    if (rc == HF_OK) {
        char cnt[16];
        snprintf(cnt, sizeof(cnt), "%zu", n);
        rc = audit_event(st, "bucket.lifecycle", subject, "rules", cnt, "ids", n ? ids : "-",
                         NULL);
    }
    if (rc == HF_OK)
        rc = meta_lc_rules_set(st->meta, mb.id, mr, n);
    free(mr);
    return audit_commit(st, rc);
}

struct rules_get {
    hf_lifecycle_rule_fn fn;
    void *arg;
    size_t n;
};

static enum hf_err rules_get_cb(void *arg, const struct meta_lc_rule *r)
{
    struct rules_get *g = arg;
    char prefix[HF_KEY_MAX + 1];
    struct hf_lifecycle_rule hr = { r->id, r->enabled != 0, prefix, (unsigned)r->exp_days,
                                    r->exp_date, (unsigned)r->noncurrent_days,
                                    (unsigned)r->abort_days };

    memcpy(prefix, r->prefix, r->prefixlen);
    prefix[r->prefixlen] = '\0';
    g->n++;
    return g->fn(g->arg, &hr);
}

enum hf_err hf_lifecycle_get_rules(struct hf_store *st, const char *bucket,
                                   hf_lifecycle_rule_fn fn, void *arg)
{
    struct rules_get g = { fn, arg, 0 };
    struct meta_bucket mb;
    enum hf_err rc;

    hf_clear_err(st);
    rc = meta_bucket_get(st->meta, bucket, &mb);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "no bucket named %s", bucket);
    if (rc == HF_OK)
        rc = meta_lc_rules_get(st->meta, mb.id, rules_get_cb, &g);
    if (rc == HF_OK && g.n == 0)
        return hf_fail(st, HF_ENOTFOUND, "bucket %s has no lifecycle rules", bucket);
    return rc;
}

enum hf_err hf_lifecycle_set_inactivity(struct hf_store *st, const char *bucket, unsigned days)
{
    struct meta_bucket mb;
    char subject[96], d[16];
    enum hf_err rc;

    hf_clear_err(st);
    if (days > 36500)
        return hf_fail(st, HF_EINVAL, "inactivity is 1-36500 days (0 removes the rule)");
    snprintf(subject, sizeof(subject), "bucket:%s", bucket);
    snprintf(d, sizeof(d), "%u", days);
    rc = meta_begin(st->meta);
    if (rc == HF_OK) {
        rc = meta_bucket_get(st->meta, bucket, &mb);
        if (rc == HF_ENOTFOUND)
            hf_fail(st, rc, "no bucket named %s", bucket);
    }
    if (rc == HF_OK)
        rc = audit_event(st, "bucket.inactivity", subject, "days", d, NULL);
    if (rc == HF_OK)
        rc = meta_bucket_set_inactivity(st->meta, mb.id, (int)days);
    return audit_commit(st, rc);
}

enum hf_err hf_lifecycle_config(struct hf_store *st, const char *key, const char *value)
{
    static const char *const web[] = { "http://", "https://", NULL };
    static const char *const smtp[] = { "smtp://", "smtps://", NULL };
    enum hf_err rc;

    hf_clear_err(st);
    if (!value)
        value = "";
    if (strcmp(key, "grace-days") == 0) {
        char *end = NULL;
        long d = strtol(value, &end, 10);
        if (*value && (!end || *end || d < GRACE_MIN || d > GRACE_MAX))
            return hf_fail(st, HF_EINVAL, "the grace period is %d-%d days (never below %d)",
                           GRACE_MIN, GRACE_MAX, GRACE_MIN);
    } else if (strcmp(key, "public-url") == 0) {
        if (*value && !notify_url_ok(value, web))
            return hf_fail(st, HF_EINVAL, "public-url is an http:// or https:// URL");
    } else if (strcmp(key, "smtp-url") == 0) {
        if (*value && !notify_url_ok(value, smtp))
            return hf_fail(st, HF_EINVAL, "smtp-url is smtp://HOST:PORT or smtps://HOST:PORT");
    } else if (strcmp(key, "smtp-from") == 0) {
        if (*value && !notify_email_ok(value))
            return hf_fail(st, HF_EINVAL, "smtp-from is an e-mail address");
    } else {
        return hf_fail(st, HF_EINVAL, "unknown setting %s (grace-days, public-url, smtp-url, "
                       "smtp-from)", key);
    }
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = audit_event(st, "lifecycle.config", "lifecycle", "key", key, "value",
                         *value ? value : "-", NULL);
    if (rc == HF_OK)
        rc = meta_policy_put(st->meta, key, value);
    return audit_commit(st, rc);
}

static void setting(struct hf_store *st, const char *key, char *out, size_t len)
{
    if (meta_policy_get(st->meta, key, out, len) != HF_OK)
        out[0] = '\0';
}

static int grace_days(struct hf_store *st)
{
    char v[16];
    long d;

    setting(st, "grace-days", v, sizeof(v));
    d = v[0] ? strtol(v, NULL, 10) : GRACE_DEFAULT;
    return d < GRACE_MIN ? GRACE_MIN : d > GRACE_MAX ? GRACE_MAX : (int)d;   /* never below 7 */
}

/* ---- the pass: eligible groups ---- */

enum gkind { G_CLOSURE, G_INACTIVITY, G_EXPIRATION, G_NONCURRENT };

struct group {
    enum gkind kind;
    int64_t user;
    char user_name[129];
    int64_t bucket;                 /* 0: every bucket of the user */
    char prefix[HF_KEY_MAX + 1];
    size_t prefixlen;
    char scope[1200], rule[300];
    int days;
    int64_t date, eligible_since;
};

struct pass {
    struct hf_store *st;
    int64_t now;
    struct hf_lifecycle_stats *stats;
    struct group *g;
    size_t ng, capg;
    enum hf_err rc;
};

static struct group *group_new(struct pass *p)
{
    if (p->ng == p->capg) {
        size_t cap = p->capg ? p->capg * 2 : 16;
        struct group *ng = realloc(p->g, cap * sizeof(*ng));
        if (!ng)
            return NULL;
        p->g = ng;
        p->capg = cap;
    }
    memset(&p->g[p->ng], 0, sizeof(p->g[0]));
    return &p->g[p->ng++];
}

static void owner_name(struct hf_store *st, int64_t owner, char *out, size_t len)
{
    if (meta_user_name(st->meta, owner, out, len) != HF_OK)
        out[0] = '\0';
}

static enum hf_err closed_cb(void *arg, const struct meta_user_policy *u)
{
    struct pass *p = arg;
    struct group *g;

    if (u->state != META_ACCOUNT_CLOSED)
        return HF_OK;
    if (!(g = group_new(p)))
        return HF_ENOMEM;
    g->kind = G_CLOSURE;
    g->user = u->user;
    owner_name(p->st, u->user, g->user_name, sizeof(g->user_name));
    snprintf(g->scope, sizeof(g->scope), "user:%s", g->user_name);
    snprintf(g->rule, sizeof(g->rule), "closure");
    g->eligible_since = u->state_since;
    return HF_OK;
}

static enum hf_err idle_cb(void *arg, const struct meta_bucket_policy *bp)
{
    struct pass *p = arg;
    struct meta_bucket mb;
    struct group *g;
    int64_t last;

    if (meta_bucket_by_id(p->st->meta, bp->bucket, &mb) != HF_OK)
        return HF_OK;   /* the bucket is gone */
    last = bp->last_access > mb.created ? bp->last_access : mb.created;
    if (last + bp->inactive_days * DAY_NS > p->now)
        return HF_OK;
    if (!(g = group_new(p)))
        return HF_ENOMEM;
    g->kind = G_INACTIVITY;
    g->user = mb.owner;
    owner_name(p->st, mb.owner, g->user_name, sizeof(g->user_name));
    g->bucket = mb.id;
    g->days = bp->inactive_days;
    snprintf(g->scope, sizeof(g->scope), "bucket:%s", mb.name);
    snprintf(g->rule, sizeof(g->rule), "inactivity:%d", bp->inactive_days);
    g->eligible_since = last + bp->inactive_days * DAY_NS;
    return HF_OK;
}

struct rule_ctx {
    struct pass *p;
    const struct meta_bucket *mb;
};

static enum hf_err s3rule_cb(void *arg, const struct meta_lc_rule *r)
{
    struct rule_ctx *c = arg;
    struct pass *p = c->p;

    if (!r->enabled)
        return HF_OK;
    for (int k = 0; k < 2; k++) {
        struct group *g;
        bool exp = k == 0;
        if (exp ? !(r->exp_days || (r->exp_date && p->now >= r->exp_date))
                : !r->noncurrent_days)
            continue;
        if (!(g = group_new(p)))
            return HF_ENOMEM;
        g->kind = exp ? G_EXPIRATION : G_NONCURRENT;
        g->user = c->mb->owner;
        owner_name(p->st, c->mb->owner, g->user_name, sizeof(g->user_name));
        g->bucket = c->mb->id;
        memcpy(g->prefix, r->prefix, r->prefixlen);
        g->prefixlen = r->prefixlen;
        if (r->prefixlen)
            snprintf(g->scope, sizeof(g->scope), "bucket:%s/%.*s", c->mb->name,
                     (int)r->prefixlen, r->prefix);
        else
            snprintf(g->scope, sizeof(g->scope), "bucket:%s", c->mb->name);
        snprintf(g->rule, sizeof(g->rule), "lifecycle:%s:%s", r->id,
                 exp ? "expiration" : "noncurrent");
        g->days = exp ? r->exp_days : r->noncurrent_days;
        g->date = exp ? r->exp_date : 0;
        g->eligible_since = p->now;
    }
    return HF_OK;
}

static enum hf_err find_groups(struct pass *p)
{
    int64_t *b = NULL;
    size_t nb = 0;
    enum hf_err rc = meta_user_policy_list(p->st->meta, closed_cb, p);

    if (rc == HF_OK)
        rc = meta_bucket_policy_list(p->st->meta, idle_cb, p);
    if (rc == HF_OK)
        rc = meta_lc_buckets(p->st->meta, &b, &nb);
    for (size_t i = 0; rc == HF_OK && i < nb; i++) {
        struct meta_bucket mb;
        struct rule_ctx c = { p, &mb };
        if (meta_bucket_by_id(p->st->meta, b[i], &mb) != HF_OK)
            continue;
        rc = meta_lc_rules_get(p->st->meta, b[i], s3rule_cb, &c);
    }
    free(b);
    return rc;
}

/* ---- the pass: which versions a group makes eligible ---- */

struct scan {
    struct pass *p;
    const struct group *g;
    const struct meta_bucket *mb;
    int64_t cutoff, floor;
    uint64_t count, bytes, held;
    bool collect;
    int64_t *ids;
    size_t n, cap;
    enum hf_err rc;
    char prev_key[HF_KEY_MAX + 1];  /* the newer row of the same key (noncurrent since) */
    size_t prev_keylen;
    int64_t prev_mtime;
};

static enum hf_err scan_cb(void *arg, const struct meta_version *v)
{
    struct scan *s = arg;
    const struct group *g = s->g;
    int64_t now = s->p->now, noncurrent_since = 0;
    char keep[HF_ERRMSG_MAX];
    bool gate_ok;

    if (v->keylen == s->prev_keylen && memcmp(v->key, s->prev_key, v->keylen) == 0)
        noncurrent_since = s->prev_mtime;
    memcpy(s->prev_key, v->key, v->keylen);
    s->prev_keylen = v->keylen;
    s->prev_mtime = v->mtime;
    if (v->marker || v->state != VERSION_LIVE || v->mtime > s->cutoff || v->mtime <= s->floor)
        return HF_OK;
    if (g->kind == G_EXPIRATION) {
        if (!v->latest)
            return HF_OK;
        if (g->days && v->mtime + g->days * DAY_NS > now)
            return HF_OK;
        if (!g->days && (!g->date || now < g->date))
            return HF_OK;
    } else if (g->kind == G_NONCURRENT) {
        if (v->latest || !noncurrent_since || noncurrent_since + g->days * DAY_NS > now)
            return HF_OK;
    }
    memcpy(keep, s->p->st->errmsg, sizeof(keep));      /* a refusal is not a failure */
    gate_ok = policy_version(s->p->st, v, s->mb, POLICY_EXPIRE, false) == HF_OK;
    memcpy(s->p->st->errmsg, keep, sizeof(keep));
    if (!gate_ok) {
        s->held++;
        return HF_OK;
    }
    s->count++;
    s->bytes += v->size;
    if (s->collect) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            int64_t *ni = realloc(s->ids, cap * sizeof(*ni));
            if (!ni)
                return HF_ENOMEM;
            s->ids = ni;
            s->cap = cap;
        }
        s->ids[s->n++] = v->id;
    }
    return HF_OK;
}

struct names {
    char (*v)[64];
    size_t n, cap;
};

static enum hf_err name_cb(void *arg, const char *name, int64_t created)
{
    struct names *l = arg;

    (void)created;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *nv = realloc(l->v, cap * sizeof(*l->v));
        if (!nv)
            return HF_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    snprintf(l->v[l->n++], 64, "%s", name);
    return HF_OK;
}

/* Scan the versions group @g covers; @s is set up by the caller. */
static enum hf_err scan_group(struct scan *s)
{
    const struct group *g = s->g;
    struct meta_bucket mb;
    struct names nm = { NULL, 0, 0 };
    enum hf_err rc = HF_OK;

    if (g->kind != G_CLOSURE) {
        rc = meta_bucket_by_id(s->p->st->meta, g->bucket, &mb);
        if (rc == HF_ENOTFOUND)
            return HF_OK;
        if (rc != HF_OK)
            return rc;
        s->mb = &mb;
        s->prev_keylen = SIZE_MAX;
        return meta_version_list(s->p->st->meta, mb.id, g->prefix, g->prefixlen, true, scan_cb,
                                 s);
    }
    rc = meta_bucket_owned(s->p->st->meta, g->user, name_cb, &nm);
    for (size_t i = 0; rc == HF_OK && i < nm.n; i++) {
        if (meta_bucket_get(s->p->st->meta, nm.v[i], &mb) != HF_OK)
            continue;
        s->mb = &mb;
        s->prev_keylen = SIZE_MAX;
        rc = meta_version_list(s->p->st->meta, mb.id, "", 0, true, scan_cb, s);
    }
    free(nm.v);
    return rc;
}

/* Versions written up to this are kept by an answered notice of the group (S3 rules, closure). */
static int64_t kept_floor(struct pass *p, const struct group *g)
{
    struct meta_notice *n = malloc(sizeof(*n));
    int64_t floor = 0;

    if (g->kind == G_INACTIVITY)
        floor = 0;      /* keep counts as an access instead */
    else if (n && meta_notice_find(p->st->meta, g->scope, g->rule, "kept", n) == HF_OK &&
             (g->kind != G_CLOSURE || n->created >= g->eligible_since))
        floor = n->cutoff;
    free(n);
    return floor;
}

/* ---- the pass: notices ---- */

static void note_subject(const struct meta_notice *n, char *out, size_t len)
{
    snprintf(out, len, "notice:%lld", (long long)n->id);
}

static enum hf_err create_notice(struct pass *p, const struct group *g, const struct scan *s)
{
    struct hf_store *st = p->st;
    struct meta_notice *n = calloc(1, sizeof(*n));
    struct audit_record *r = NULL;
    char subject[64], es[AUDIT_TIME_LEN];
    enum hf_err rc = HF_ENOMEM;

    if (!n)
        return rc;
    n->user = g->user;
    snprintf(n->user_name, sizeof(n->user_name), "%s", g->user_name);
    snprintf(n->scope, sizeof(n->scope), "%s", g->scope);
    n->bucket = g->bucket;
    memcpy(n->prefix, g->prefix, g->prefixlen);
    n->prefixlen = g->prefixlen;
    snprintf(n->rule, sizeof(n->rule), "%s", g->rule);
    n->created = p->now;
    n->eligible_since = g->eligible_since;
    n->cutoff = s->cutoff;
    n->versions = s->count;
    n->bytes = s->bytes;
    snprintf(n->state, sizeof(n->state), "pending");
    n->grace_days = grace_days(st);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_notice_add(st->meta, n);    /* the id names the entry's subject */
    if (rc == HF_OK) {
        note_subject(n, subject, sizeof(subject));
        record_format_time(n->eligible_since, es);
        if (!(r = audit_record_new("notice.created", subject)))
            rc = HF_ENOMEM;
    }
    if (rc == HF_OK) {
        record_detail(r, "user", "%s", n->user_name[0] ? n->user_name : "-");
        record_detail(r, "scope", "%s", n->scope);
        record_detail(r, "rule", "%s", n->rule);
        record_detail(r, "eligible-since", "%s", es);
        record_detail(r, "versions", "%llu", (unsigned long long)n->versions);
        record_detail(r, "bytes", "%llu", (unsigned long long)n->bytes);
        record_detail(r, "grace-days", "%d", n->grace_days);
        rc = audit_append(st, r);
    }
    if (rc == HF_OK) {
        n->entry = (int64_t)r->seq;
        rc = meta_notice_update(st->meta, n);
    }
    rc = audit_commit(st, rc);
    if (rc == HF_OK)
        p->stats->notices_created++;
    free(r);
    free(n);
    return rc;
}

/* Close notice @n as @state ("cancelled", "expired") with its entry @kind. */
static enum hf_err close_notice(struct pass *p, struct meta_notice *n, const char *state,
                                const char *kind, const char *reason)
{
    struct hf_store *st = p->st;
    struct audit_record *r;
    char subject[64];
    enum hf_err rc;

    note_subject(n, subject, sizeof(subject));
    if (!(r = audit_record_new(kind, subject)))
        return HF_ENOMEM;
    record_detail(r, "scope", "%s", n->scope);
    record_detail(r, "rule", "%s", n->rule);
    if (reason)
        record_detail(r, "reason", "%s", reason);
    if (strcmp(state, "expired") == 0) {
        record_detail(r, "expired-versions", "%llu", (unsigned long long)n->expired_versions);
        record_detail(r, "held-versions", "%llu", (unsigned long long)n->held_versions);
    }
    snprintf(n->state, sizeof(n->state), "%s", state);
    n->closed = p->now;
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = audit_append(st, r);
    if (rc == HF_OK)
        rc = meta_notice_update(st->meta, n);
    free(r);
    return audit_commit(st, rc);
}

static void keep_url(struct pass *p, const struct meta_notice *n, char *out, size_t len)
{
    char base[1025], sig[NOTIFY_SIG_LEN + 1];

    out[0] = '\0';
    setting(p->st, "public-url", base, sizeof(base));
    if (!base[0] || notify_link_sig(p->st, n->id, sig) != HF_OK)
        return;
    while (base[0] && base[strlen(base) - 1] == '/')
        base[strlen(base) - 1] = '\0';
    snprintf(out, len, "%s/_holdfast/notice/keep?id=%lld&sig=%s", base, (long long)n->id, sig);
}

/* Record one attempt's result (and its entry) in one transaction. */
static enum hf_err record_result(struct pass *p, const struct meta_notice *n, const char *kind,
                                 const char *channel, const char *target, bool ok,
                                 const char *detail)
{
    struct hf_store *st = p->st;
    struct meta_delivery *d = calloc(1, sizeof(*d));
    struct audit_record *r;
    char subject[64];
    enum hf_err rc;

    note_subject(n, subject, sizeof(subject));
    if (!d || !(r = audit_record_new(ok ? "notice.delivered" : "notice.failed", subject))) {
        free(d);
        return HF_ENOMEM;
    }
    record_detail(r, "message", "%s", kind);
    record_detail(r, "channel", "%s", channel);
    record_detail(r, "target", "%s", target[0] ? target : "-");
    record_detail(r, "detail", "%s", detail);
    d->notice = n->id;
    d->time = hf_now_ns();
    snprintf(d->kind, sizeof(d->kind), "%s", kind);
    snprintf(d->channel, sizeof(d->channel), "%s", channel);
    snprintf(d->target, sizeof(d->target), "%s", target);
    snprintf(d->result, sizeof(d->result), "%s", ok ? "delivered" : "failed");
    snprintf(d->detail, sizeof(d->detail), "%s", detail);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = audit_append(st, r);
    d->entry = (int64_t)r->seq;
    if (rc == HF_OK)
        rc = meta_delivery_add(st->meta, d);
    rc = audit_commit(st, rc);
    if (rc == HF_OK) {
        if (ok)
            p->stats->delivered++;
        else
            p->stats->failed++;
    }
    free(r);
    free(d);
    return rc;
}

/* One attempt on one channel: "notice.sent" first (its own transaction), then the result. */
static enum hf_err attempt(struct pass *p, const struct meta_notice *n, const char *kind,
                           const char *channel, const char *target,
                           const struct notify_msg *m, const char *smtp, const char *from,
                           bool *ok)
{
    struct audit_record *r;
    char subject[64], detail[512];
    enum hf_err rc;

    *ok = false;
    note_subject(n, subject, sizeof(subject));
    if (!(r = audit_record_new("notice.sent", subject)))
        return HF_ENOMEM;
    record_detail(r, "message", "%s", kind);
    record_detail(r, "channel", "%s", channel);
    record_detail(r, "target", "%s", target);
    record_detail(r, "user", "%s", n->user_name[0] ? n->user_name : "-");
    rc = audit_log(p->st, r);
    free(r);
    if (rc != HF_OK)
        return rc;      /* not logged: not sent */
    if (strcmp(channel, "webhook") == 0)
        *ok = notify_webhook(target, m, detail, sizeof(detail)) == HF_OK;
    else if (!smtp[0])
        snprintf(detail, sizeof(detail), "no SMTP server configured "
                 "(holdfast lifecycle config smtp-url smtp://HOST:PORT)");
    else
        *ok = notify_email(smtp, from[0] ? from : "holdfast@localhost", target, m, detail,
                           sizeof(detail)) == HF_OK;
    return record_result(p, n, kind, channel, target, *ok, detail);
}

/* Send @kind of notice @n on every channel of its owner; *@delivered if any took it. */
static enum hf_err send_notice(struct pass *p, struct meta_notice *n, const char *kind,
                               int64_t expires, bool *delivered)
{
    struct meta_user_policy *u = malloc(sizeof(*u));
    char url[1200], smtp[1025], from[321];
    struct notify_msg m;
    enum hf_err rc;
    bool ok;

    *delivered = false;
    if (!u)
        return HF_ENOMEM;
    rc = meta_user_policy_get(p->st->meta, n->user, u);
    if (rc != HF_OK)
        goto out;
    keep_url(p, n, url, sizeof(url));
    setting(p->st, "smtp-url", smtp, sizeof(smtp));
    setting(p->st, "smtp-from", from, sizeof(from));
    m = (struct notify_msg){ kind, n->id, n->user_name, n->scope, n->rule, n->eligible_since,
                             expires, n->versions, n->bytes, n->grace_days, url };
    if (!u->webhook[0] && !u->email[0]) {
        rc = record_result(p, n, kind, "none", "", false,
                           "no contact registered (holdfast user set USER --webhook URL "
                           "--email ADDR)");
        goto out;
    }
    if (u->webhook[0]) {
        rc = attempt(p, n, kind, "webhook", u->webhook, &m, smtp, from, &ok);
        *delivered |= ok;
    }
    if (rc == HF_OK && u->email[0]) {
        rc = attempt(p, n, kind, "email", u->email, &m, smtp, from, &ok);
        *delivered |= ok;
    }
out:
    free(u);
    return rc;
}

/* Expire version @id for notice @n (invariant 2).  *@held when the gate refused. */
static enum hf_err expire_version(struct pass *p, const struct meta_notice *n, int64_t id,
                                  bool *expired, bool *held)
{
    struct hf_store *st = p->st;
    struct meta_version *v = malloc(sizeof(*v));
    struct meta_bucket mb;
    struct audit_record *r = NULL;
    char subject[160], vid[33], *key = NULL, keep[HF_ERRMSG_MAX];
    enum hf_err rc, gate;

    *expired = *held = false;
    if (!v)
        return HF_ENOMEM;
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_version_by_id(st->meta, id, v);
    if (rc == HF_ENOTFOUND || (rc == HF_OK && (v->state != VERSION_LIVE || v->marker))) {
        meta_rollback(st->meta);    /* deleted meanwhile: nothing to do */
        free(v);
        return HF_OK;
    }
    if (rc == HF_OK)
        rc = meta_bucket_by_id(st->meta, v->bucket, &mb);
    if (rc == HF_OK) {
        memcpy(keep, st->errmsg, sizeof(keep));
        gate = policy_version(st, v, &mb, POLICY_EXPIRE, false);
        if (gate == HF_EHELD) {
            memcpy(st->errmsg, keep, sizeof(keep));
            meta_rollback(st->meta);
            *held = true;
            free(v);
            return HF_OK;
        }
        rc = gate;
    }
    if (rc == HF_OK && !(key = malloc(v->keylen + 1)))
        rc = HF_ENOMEM;
    if (rc == HF_OK) {
        memcpy(key, v->key, v->keylen);
        key[v->keylen] = '\0';
        hf_hex(v->vid, 16, vid);
        snprintf(subject, sizeof(subject), "object:%s/%.*s", mb.name, 80, key);
        if (!(r = audit_record_new("object.expired", subject)))
            rc = HF_ENOMEM;
    }
    if (rc == HF_OK) {
        record_detail(r, "key", "%s", key);
        record_detail(r, "version-id", "%s", vid);
        record_detail(r, "size", "%llu", (unsigned long long)v->size);
        record_detail(r, "rule", "%s", n->rule);
        record_detail(r, "notice", "%lld", (long long)n->id);
        record_detail(r, "scope", "%s", n->scope);
        record_detail(r, "gate", "allowed: no hold, legal hold or retention applies");
        rc = audit_append(st, r);
    }
    if (rc == HF_OK)
        rc = meta_version_set_state(st->meta, v->id, VERSION_DELETED);
    rc = audit_commit(st, rc);
    if (rc == HF_OK)
        *expired = true;
    free(r);
    free(key);
    free(v);
    return rc;
}

static const struct group *group_of(struct pass *p, const struct meta_notice *n)
{
    for (size_t i = 0; i < p->ng; i++)
        if (strcmp(p->g[i].scope, n->scope) == 0 && strcmp(p->g[i].rule, n->rule) == 0)
            return &p->g[i];
    return NULL;
}

/* Expire what notice @n covers (its grace passed, no keep answered). */
static enum hf_err expire_notice(struct pass *p, struct meta_notice *n, const struct group *g)
{
    struct scan *s = calloc(1, sizeof(*s));
    enum hf_err rc;

    if (!s)
        return HF_ENOMEM;
    s->p = p;
    s->g = g;
    s->cutoff = n->cutoff;
    s->floor = kept_floor(p, g);
    s->collect = true;
    rc = scan_group(s);
    n->held_versions = s->held;
    for (size_t i = 0; rc == HF_OK && i < s->n; i++) {
        bool expired, held;
        rc = expire_version(p, n, s->ids[i], &expired, &held);
        n->expired_versions += expired;
        n->held_versions += held;
    }
    p->stats->expired += n->expired_versions;
    p->stats->held += n->held_versions;
    if (rc == HF_OK)
        rc = close_notice(p, n, "expired", "notice.expired", NULL);
    free(s->ids);
    free(s);
    return rc;
}

/* Deliver, remind or expire open notice @n. */
static enum hf_err advance(struct pass *p, struct meta_notice *n, const struct group *g)
{
    struct hf_store *st = p->st;
    enum hf_err rc = HF_OK;
    bool delivered;

    if (strcmp(n->state, "pending") == 0) {
        if (n->last_attempt && p->now - n->last_attempt < RETRY_NS && p->now >= n->last_attempt) {
            p->stats->undelivered++;
            return HF_OK;
        }
        rc = send_notice(p, n, "notice", p->now + n->grace_days * DAY_NS, &delivered);
        if (rc != HF_OK)
            return rc;
        n->last_attempt = p->now;
        n->attempts++;
        if (delivered) {
            snprintf(n->state, sizeof(n->state), "delivered");
            n->delivered = p->now;
            n->expires = p->now + n->grace_days * DAY_NS;
        } else {
            p->stats->undelivered++;
        }
        rc = meta_notice_update(st->meta, n);
        if (rc != HF_OK)
            return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        return HF_OK;
    }
    /* delivered */
    if (p->now >= n->expires)
        return expire_notice(p, n, g);
    {
        int due = -1;
        for (int i = 0; i < 3; i++) {
            if (n->reminders & (1 << i))
                continue;
            if (reminder_days[i] >= n->grace_days)
                n->reminders |= 1 << i;     /* the notice itself was this reminder */
            else if (p->now >= n->expires - reminder_days[i] * DAY_NS)
                due = i;
        }
        if (due >= 0) {
            char kind[16];
            snprintf(kind, sizeof(kind), "reminder-%d", reminder_days[due]);
            rc = send_notice(p, n, kind, n->expires, &delivered);
            if (rc != HF_OK)
                return rc;
            p->stats->reminders++;
            for (int i = 0; i <= due; i++)
                n->reminders |= 1 << i;
        }
        rc = meta_notice_update(st->meta, n);
        if (rc != HF_OK)
            return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    }
    return HF_OK;
}

enum hf_err hf_lifecycle_run(struct hf_store *st, struct hf_lifecycle_stats *out)
{
    struct pass p = { .st = st, .now = hf_now_ns(), .stats = out };
    struct meta_notice *n = malloc(sizeof(*n));
    int64_t *ids = NULL;
    size_t nids = 0;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    if (!n)
        return HF_ENOMEM;
    clock_advance(st, p.now);
    rc = find_groups(&p);
    /* 2. open notices whose group no longer applies */
    if (rc == HF_OK)
        rc = meta_notice_ids(st->meta, true, &ids, &nids);
    for (size_t i = 0; rc == HF_OK && i < nids; i++) {
        rc = meta_notice_get(st->meta, ids[i], n);
        if (rc == HF_OK && !group_of(&p, n)) {
            rc = close_notice(&p, n, "cancelled", "notice.cancelled",
                              strncmp(n->rule, "inactivity", 10) == 0 ? "the bucket was used"
                              : strcmp(n->rule, "closure") == 0 ? "the account was reopened"
                                                                : "the rule was removed");
            if (rc == HF_OK)
                out->notices_cancelled++;
        }
    }
    free(ids);
    ids = NULL;
    /* 3. new notices */
    for (size_t i = 0; rc == HF_OK && i < p.ng; i++) {
        struct scan *s;
        if (meta_notice_find(st->meta, p.g[i].scope, p.g[i].rule, NULL, n) == HF_OK)
            continue;       /* one open notice per group */
        if (!(s = calloc(1, sizeof(*s)))) {
            rc = HF_ENOMEM;
            break;
        }
        s->p = &p;
        s->g = &p.g[i];
        s->cutoff = p.now;
        s->floor = kept_floor(&p, &p.g[i]);
        rc = scan_group(s);
        if (rc == HF_OK && s->count > 0)
            rc = create_notice(&p, &p.g[i], s);
        free(s);
    }
    /* 4. deliver, remind, expire */
    if (rc == HF_OK)
        rc = meta_notice_ids(st->meta, true, &ids, &nids);
    for (size_t i = 0; rc == HF_OK && i < nids; i++) {
        const struct group *g;
        rc = meta_notice_get(st->meta, ids[i], n);
        if (rc == HF_OK && (g = group_of(&p, n)))
            rc = advance(&p, n, g);
    }
    free(ids);
    free(n);
    free(p.g);
    if (rc != HF_OK && !st->errmsg[0])
        hf_fail(st, rc, "lifecycle pass failed: %s", meta_errmsg(st->meta));
    return rc;
}

/* ---- answers ---- */

enum hf_err hf_notice_keep(struct hf_store *st, int64_t id, const char *via)
{
    struct meta_notice *n = malloc(sizeof(*n));
    struct audit_record *r = NULL;
    char subject[64];
    int64_t now = hf_now_ns();
    enum hf_err rc;

    hf_clear_err(st);
    if (!n)
        return HF_ENOMEM;
    rc = meta_begin(st->meta);
    if (rc == HF_OK) {
        rc = meta_notice_get(st->meta, id, n);
        if (rc == HF_ENOTFOUND)
            hf_fail(st, rc, "no notice %lld", (long long)id);
    }
    if (rc == HF_OK && strcmp(n->state, "kept") == 0)
        rc = hf_fail(st, HF_EEXIST, "notice %lld was already answered: keep", (long long)id);
    else if (rc == HF_OK && strcmp(n->state, "pending") != 0 &&
             strcmp(n->state, "delivered") != 0)
        rc = hf_fail(st, HF_EINVAL, "notice %lld is closed (%s)", (long long)id, n->state);
    if (rc == HF_OK) {
        note_subject(n, subject, sizeof(subject));
        if (!(r = audit_record_new("notice.answered", subject)))
            rc = HF_ENOMEM;
    }
    if (rc == HF_OK) {
        record_detail(r, "answer", "keep");
        record_detail(r, "via", "%s", via && *via ? via : "api");
        record_detail(r, "scope", "%s", n->scope);
        record_detail(r, "rule", "%s", n->rule);
        rc = audit_append(st, r);
    }
    if (rc == HF_OK) {
        snprintf(n->state, sizeof(n->state), "kept");
        n->answered = now;
        snprintf(n->answered_via, sizeof(n->answered_via), "%s", via && *via ? via : "api");
        n->closed = now;
        rc = meta_notice_update(st->meta, n);
    }
    /* Keeping an idle bucket's data is using it: the inactivity clock restarts. */
    if (rc == HF_OK && strncmp(n->rule, "inactivity", 10) == 0 && n->bucket)
        rc = meta_bucket_touch(st->meta, n->bucket, now);
    rc = audit_commit(st, rc);
    free(r);
    free(n);
    return rc;
}

enum hf_err hf_notice_keep_signed(struct hf_store *st, const char *id, const char *sig)
{
    char want[NOTIFY_SIG_LEN + 1], *end = NULL;
    long long nid;
    unsigned diff = 0;
    enum hf_err rc;

    hf_clear_err(st);
    nid = id && *id ? strtoll(id, &end, 10) : 0;
    if (!end || *end || nid <= 0)
        return hf_fail(st, HF_ENOTFOUND, "no such notice");
    rc = notify_link_sig(st, nid, want);
    if (rc != HF_OK)
        return hf_fail(st, rc, "cannot check the link");
    if (!sig || strlen(sig) != NOTIFY_SIG_LEN)
        return hf_fail(st, HF_ESIGNATURE, "the link's signature does not match");
    for (size_t i = 0; i < NOTIFY_SIG_LEN; i++)
        diff |= (unsigned)(want[i] ^ sig[i]);
    if (diff)
        return hf_fail(st, HF_ESIGNATURE, "the link's signature does not match");
    return hf_notice_keep(st, nid, "link");
}

/* ---- listing ---- */

struct dl {
    struct meta_delivery *d;
    size_t n, cap;
};

static enum hf_err dl_cb(void *arg, const struct meta_delivery *d)
{
    struct dl *l = arg;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void *nv = realloc(l->d, cap * sizeof(*l->d));
        if (!nv)
            return HF_ENOMEM;
        l->d = nv;
        l->cap = cap;
    }
    l->d[l->n++] = *d;
    return HF_OK;
}

enum hf_err hf_notice_list(struct hf_store *st, hf_notice_fn fn, void *arg)
{
    struct meta_notice *n = malloc(sizeof(*n));
    int64_t *ids = NULL;
    size_t nids = 0;
    enum hf_err rc;

    hf_clear_err(st);
    if (!n)
        return HF_ENOMEM;
    rc = meta_notice_ids(st->meta, false, &ids, &nids);
    for (size_t i = 0; rc == HF_OK && i < nids; i++) {
        struct dl l = { NULL, 0, 0 };
        struct hf_delivery_info *di = NULL;
        rc = meta_notice_get(st->meta, ids[i], n);
        if (rc == HF_OK)
            rc = meta_delivery_list(st->meta, n->id, dl_cb, &l);
        if (rc == HF_OK && l.n && !(di = calloc(l.n, sizeof(*di))))
            rc = HF_ENOMEM;
        for (size_t j = 0; rc == HF_OK && j < l.n; j++)
            di[j] = (struct hf_delivery_info){ l.d[j].time, l.d[j].kind, l.d[j].channel,
                                               l.d[j].target, l.d[j].result, l.d[j].detail,
                                               l.d[j].entry };
        if (rc == HF_OK) {
            struct hf_notice_info ni = {
                .id = n->id, .user = n->user_name, .scope = n->scope, .rule = n->rule,
                .state = n->state, .answered_via = n->answered_via, .created_ns = n->created,
                .eligible_since_ns = n->eligible_since, .cutoff_ns = n->cutoff,
                .delivered_ns = n->delivered, .expires_ns = n->expires,
                .answered_ns = n->answered, .closed_ns = n->closed,
                .grace_days = n->grace_days, .versions = n->versions, .bytes = n->bytes,
                .expired_versions = n->expired_versions, .held_versions = n->held_versions,
                .deliveries = di, .ndeliveries = l.n,
            };
            rc = fn(arg, &ni);
        }
        free(di);
        free(l.d);
    }
    free(ids);
    free(n);
    if (rc != HF_OK && rc != HF_ENOMEM && !st->errmsg[0])
        hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return rc;
}
