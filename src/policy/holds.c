/*
 * holds.c — preservation holds: placing, releasing and listing them.
 *
 * Owns the holds and hold_scopes tables (through meta.h); the gate
 * (gate.c) reads them.
 *
 * INVARIANTS
 *   (1) A hold and its "hold.placed" audit entry are one transaction; so
 *       are a release and its "hold.released" entry.  The entry is in the
 *       log before the hold takes (or stops taking) effect.
 *   (2) A hold is never deleted or edited; a release only sets released,
 *       released_by and release_reason, once.  A case id is never reused.
 *   (3) Releasing names a person and a reason; there is no other way out
 *       of a hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "audit/record.h"
#include "meta/meta.h"
#include "banned.h"

/* 1..@max printable bytes (no control characters). */
static bool text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* "user:NAME", "bucket:NAME" or "bucket:NAME/PREFIX" */
static void scope_text(const struct hf_hold_scope *sc, char *out, size_t len)
{
    if (sc->user)
        snprintf(out, len, "user:%s", sc->user);
    else if (sc->prefix && *sc->prefix)
        snprintf(out, len, "bucket:%s/%s", sc->bucket, sc->prefix);
    else
        snprintf(out, len, "bucket:%s", sc->bucket);
}

static enum hf_err check_spec(struct hf_store *st, const struct hf_hold_spec *h)
{
    if (!text_ok(h->id, 128))
        return hf_fail(st, HF_EINVAL, "a hold needs a case id (1-128 printable characters)");
    if (!text_ok(h->by, 128))
        return hf_fail(st, HF_EINVAL, "a hold needs the name of who places it (--by)");
    if (!text_ok(h->reference, 1024))
        return hf_fail(st, HF_EINVAL, "a hold needs a reference: the request it answers");
    if (h->nscopes == 0)
        return hf_fail(st, HF_EINVAL, "a hold needs a scope: --user U or --bucket B [--prefix P]");
    for (size_t i = 0; i < h->nscopes; i++) {
        const struct hf_hold_scope *sc = &h->scopes[i];
        if (!sc->user == !sc->bucket)
            return hf_fail(st, HF_EINVAL, "each scope names a user or a bucket, not both");
        if (sc->user && (!text_ok(sc->user, 64) || (sc->prefix && *sc->prefix)))
            return hf_fail(st, HF_EINVAL, "a user scope is a user name, without a prefix");
        if (sc->bucket && hf_bucket_name_check(sc->bucket) != HF_OK)
            return hf_fail(st, HF_EINVAL, "bad bucket name in scope: %s", sc->bucket);
        if (sc->prefix && *sc->prefix && hf_key_check(sc->prefix, strlen(sc->prefix)) != HF_OK)
            return hf_fail(st, HF_EINVAL, "bad key prefix in scope");
    }
    return HF_OK;
}

/* Commit a hold change and its entry (invariant 1), or roll both back. */
static enum hf_err finish(struct hf_store *st, enum hf_err rc, uint64_t seq, uint64_t *entry)
{
    rc = audit_commit(st, rc);
    if (rc == HF_OK && entry)
        *entry = seq;
    return rc;
}

enum hf_err hf_hold_place(struct hf_store *st, const struct hf_hold_spec *h, uint64_t *entry)
{
    struct meta_hold *mh = calloc(1, sizeof(*mh));
    struct meta_hold_scope *ms = calloc(1, sizeof(*ms));
    struct audit_record *r = NULL;
    char subject[160], scope[1200];
    enum hf_err rc;

    hf_clear_err(st);
    if (!mh || !ms) {
        rc = HF_ENOMEM;
        goto out;
    }
    if ((rc = check_spec(st, h)) != HF_OK)
        goto out;
    if (h->nscopes > 8) {
        rc = hf_fail(st, HF_EINVAL, "at most 8 scopes per hold (place several holds)");
        goto out;
    }
    snprintf(subject, sizeof(subject), "hold:%s", h->id);
    if (!(r = audit_record_new("hold.placed", subject))) {
        rc = HF_ENOMEM;
        goto out;
    }
    record_detail(r, "by", "%s", h->by);
    record_detail(r, "reference", "%s", h->reference);
    for (size_t i = 0; i < h->nscopes; i++) {
        /* record_detail keeps the key pointer: static names */
        static const char *const names[] = { "scope.1", "scope.2", "scope.3", "scope.4",
                                             "scope.5", "scope.6", "scope.7", "scope.8" };
        scope_text(&h->scopes[i], scope, sizeof(scope));
        record_detail(r, names[i], "%s", scope);
    }
    if (h->document_sha256)
        record_document(r, h->document_sha256);

    snprintf(mh->id, sizeof(mh->id), "%s", h->id);
    snprintf(mh->placed_by, sizeof(mh->placed_by), "%s", h->by);
    snprintf(mh->reference, sizeof(mh->reference), "%s", h->reference);
    if (h->document_sha256) {
        memcpy(mh->document, h->document_sha256, 32);
        mh->has_doc = true;
    }
    mh->placed = hf_now_ns();
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = audit_append(st, r);
    mh->entry = (int64_t)r->seq;
    if (rc == HF_OK) {
        rc = meta_hold_add(st->meta, mh);
        if (rc == HF_EEXIST)
            hf_fail(st, rc, "case %s exists already (a case id is never reused)", h->id);
    }
    for (size_t i = 0; rc == HF_OK && i < h->nscopes; i++) {
        const struct hf_hold_scope *sc = &h->scopes[i];
        memset(ms, 0, sizeof(*ms));
        snprintf(ms->kind, sizeof(ms->kind), "%s", sc->user ? "user" : "bucket");
        snprintf(ms->name, sizeof(ms->name), "%s", sc->user ? sc->user : sc->bucket);
        if (sc->prefix) {
            ms->prefixlen = strlen(sc->prefix);
            memcpy(ms->prefix, sc->prefix, ms->prefixlen);
        }
        rc = meta_hold_scope_add(st->meta, h->id, ms);
    }
    rc = finish(st, rc, r->seq, entry);
out:
    free(r);
    free(mh);
    free(ms);
    return rc;
}

enum hf_err hf_hold_release(struct hf_store *st, const char *id, const char *by,
                            const char *reason, uint64_t *entry)
{
    struct audit_record *r;
    char subject[160];
    enum hf_err rc;

    hf_clear_err(st);
    if (!text_ok(id, 128))
        return hf_fail(st, HF_EINVAL, "which hold? (a case id)");
    if (!text_ok(by, 128))
        return hf_fail(st, HF_EINVAL, "releasing a hold names who releases it (--by)");
    if (!text_ok(reason, 1024))
        return hf_fail(st, HF_EINVAL, "releasing a hold needs a reason (--reason)");
    snprintf(subject, sizeof(subject), "hold:%s", id);
    if (!(r = audit_record_new("hold.released", subject)))
        return HF_ENOMEM;
    record_detail(r, "by", "%s", by);
    record_detail(r, "reason", "%s", reason);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = audit_append(st, r);
    if (rc == HF_OK) {
        rc = meta_hold_release(st->meta, id, hf_now_ns(), by, reason);
        if (rc == HF_ENOTFOUND)
            hf_fail(st, rc, "no active hold %s", id);
    }
    rc = finish(st, rc, r->seq, entry);
    free(r);
    return rc;
}

struct scopes {
    char **text;
    size_t n;
    enum hf_err rc;
};

static enum hf_err scope_cb(void *arg, const struct meta_hold_scope *sc)
{
    struct scopes *s = arg;
    char **t = realloc(s->text, (s->n + 1) * sizeof(*t));

    if (!t)
        return HF_ENOMEM;
    s->text = t;
    if (strcmp(sc->kind, "user") == 0)
        t[s->n] = hf_sprintf("user:%s", sc->name);
    else if (sc->prefixlen)
        t[s->n] = hf_sprintf("bucket:%s/%.*s", sc->name, (int)sc->prefixlen, sc->prefix);
    else
        t[s->n] = hf_sprintf("bucket:%s", sc->name);
    if (!t[s->n])
        return HF_ENOMEM;
    s->n++;
    return HF_OK;
}

struct lister {
    struct hf_store *st;
    const char *only;
    hf_hold_fn fn;
    void *arg;
    bool seen;
};

static enum hf_err hold_cb(void *arg, const struct meta_hold *h)
{
    struct lister *l = arg;
    struct scopes sc = { NULL, 0, HF_OK };
    char doc[72] = "";
    enum hf_err rc;

    if (l->only && strcmp(l->only, h->id) != 0)
        return HF_OK;
    l->seen = true;
    if (h->has_doc) {
        char hex[65];
        hf_hex(h->document, 32, hex);
        snprintf(doc, sizeof(doc), "sha256:%s", hex);
    }
    rc = meta_hold_scopes(l->st->meta, h->id, scope_cb, &sc);
    if (rc == HF_OK) {
        struct hf_hold_info hi = {
            .id = h->id, .by = h->placed_by, .reference = h->reference, .document = doc,
            .placed_ns = h->placed, .released_ns = h->released,
            .released_by = h->released_by, .release_reason = h->release_reason,
            .entry = (uint64_t)h->entry, .scopes = (const char *const *)sc.text,
            .nscopes = sc.n,
        };
        rc = l->fn(l->arg, &hi);
    }
    for (size_t i = 0; i < sc.n; i++)
        free(sc.text[i]);
    free(sc.text);
    return rc;
}

enum hf_err hf_hold_list(struct hf_store *st, const char *id, hf_hold_fn fn, void *arg)
{
    struct lister l = { st, id, fn, arg, false };
    enum hf_err rc;

    hf_clear_err(st);
    rc = meta_hold_list(st->meta, hold_cb, &l);
    if (rc == HF_OK && id && !l.seen)
        return hf_fail(st, HF_ENOTFOUND, "no hold %s", id);
    return rc;
}

/* ---- JSON, for tools and the admin API ---- */

static json_t *time_json(int64_t ns)
{
    char t[AUDIT_TIME_LEN];

    record_format_time(ns, t);
    return json_string(t);
}

static enum hf_err json_hold_cb(void *arg, const struct hf_hold_info *h)
{
    json_t *list = arg, *scopes = json_array(), *o;

    for (size_t i = 0; scopes && i < h->nscopes; i++)
        json_array_append_new(scopes, json_string(h->scopes[i]));
    o = json_pack("{s:s, s:b, s:o, s:s, s:s, s:s, s:I, s:o}", "case", h->id, "active",
                  h->released_ns == 0, "placed", time_json(h->placed_ns), "placed_by", h->by,
                  "reference", h->reference, "document", h->document, "audit_entry",
                  (json_int_t)h->entry, "scopes", scopes);
    if (o && h->released_ns) {
        json_object_set_new(o, "released", time_json(h->released_ns));
        json_object_set_new(o, "released_by", json_string(h->released_by));
        json_object_set_new(o, "release_reason", json_string(h->release_reason));
    }
    return o && json_array_append_new(list, o) == 0 ? HF_OK : HF_ENOMEM;
}

enum hf_err hf_hold_list_json(struct hf_store *st, const char *id, char **json)
{
    json_t *list = json_array();
    enum hf_err rc = list ? hf_hold_list(st, id, json_hold_cb, list) : HF_ENOMEM;

    *json = NULL;
    if (rc == HF_OK) {
        *json = json_dumps(id ? json_array_get(list, 0) : list,
                           JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        if (!*json)
            rc = HF_ENOMEM;
    }
    json_decref(list);
    return rc;
}

/* Parse @json into an object; HF_EMALFORMED with the parser's reason. */
static enum hf_err parse_object(struct hf_store *st, const char *json, size_t len, json_t **out)
{
    json_error_t err;

    *out = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!*out || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return hf_fail(st, HF_EMALFORMED, "not a JSON object: %s", err.text);
    }
    return HF_OK;
}

/* The string member @name of @o (NULL when absent); false when present but not a string. */
static bool member(json_t *o, const char *name, const char **out)
{
    json_t *v = json_object_get(o, name);

    *out = v ? json_string_value(v) : NULL;
    return !v || *out;
}

static enum hf_err receipt_of(struct hf_store *st, enum hf_err rc, uint64_t entry,
                              char **receipt)
{
    return rc == HF_OK ? hf_audit_receipt(st, entry, receipt) : rc;
}

enum hf_err hf_hold_place_json(struct hf_store *st, const char *json, size_t len,
                               char **receipt)
{
    struct hf_hold_spec h = { 0 };
    struct hf_hold_scope sc[9];
    const char *doc = NULL;
    uint8_t sha[32];
    uint64_t entry = 0;
    json_t *o, *scopes;
    enum hf_err rc;

    *receipt = NULL;
    hf_clear_err(st);
    if ((rc = parse_object(st, json, len, &o)) != HF_OK)
        return rc;
    scopes = json_object_get(o, "scopes");
    if (!member(o, "case", &h.id) || !member(o, "by", &h.by) ||
        !member(o, "reference", &h.reference) || !member(o, "document_sha256", &doc) ||
        (scopes && !json_is_array(scopes)) || json_array_size(scopes) > 9) {
        rc = hf_fail(st, HF_EMALFORMED, "a hold is {\"case\", \"by\", \"reference\","
                     " \"document_sha256\", \"scopes\": [{\"user\"} | {\"bucket\","
                     " \"prefix\"}]} (at most 8 scopes), all strings");
        goto out;
    }
    if (doc && (strlen(doc) != 64 || hf_unhex(doc, sha, 32) != 0)) {
        rc = hf_fail(st, HF_EMALFORMED, "document_sha256 is 64 hex digits");
        goto out;
    }
    h.document_sha256 = doc ? sha : NULL;
    for (size_t i = 0; i < json_array_size(scopes); i++) {
        json_t *e = json_array_get(scopes, i);
        memset(&sc[i], 0, sizeof(sc[i]));
        if (!json_is_object(e) || !member(e, "user", &sc[i].user) ||
            !member(e, "bucket", &sc[i].bucket) || !member(e, "prefix", &sc[i].prefix)) {
            rc = hf_fail(st, HF_EMALFORMED, "scope %zu is not {\"user\"} or {\"bucket\","
                         " \"prefix\"}", i + 1);
            goto out;
        }
    }
    h.scopes = sc;
    h.nscopes = json_array_size(scopes);
    rc = receipt_of(st, hf_hold_place(st, &h, &entry), entry, receipt);
out:
    json_decref(o);
    return rc;
}

enum hf_err hf_hold_release_json(struct hf_store *st, const char *id, const char *json,
                                 size_t len, char **receipt)
{
    const char *by = NULL, *reason = NULL;
    uint64_t entry = 0;
    json_t *o;
    enum hf_err rc;

    *receipt = NULL;
    hf_clear_err(st);
    if ((rc = parse_object(st, json, len, &o)) != HF_OK)
        return rc;
    if (!member(o, "by", &by) || !member(o, "reason", &reason))
        rc = hf_fail(st, HF_EMALFORMED, "a release is {\"by\", \"reason\"}, both strings");
    else
        rc = receipt_of(st, hf_hold_release(st, id, by, reason, &entry), entry, receipt);
    json_decref(o);
    return rc;
}
