/*
 * drain.c — decommissioning a backend: drain, proof of drain, wipe, and
 * the states in between.
 *
 * STATES (backends.state; every transition one transaction with its audit
 * log entry, DESIGN.md invariant 6)
 *
 *     active --drain--> draining --(nothing left)--> drained --wipe--> wiped --retire--> retired
 *       |  ^               |  ^                         |
 *       |  '--activate-----'  |                         '--activate--> active
 *       '--fail--> failed ----'--drain (rebuild from the others)
 *                    '--activate (reconcile: verify, rebuild what fails)--> active
 *
 *   hf_backend_drain       active/failed -> draining ("backend.draining"),
 *                          draining -> drained ("backend.drained")
 *   hf_backend_check       no transition; "backend.checked" (the proof)
 *   hf_backend_wipe        drained -> wiped ("backend.wiping", then
 *                          "backend.wiped": the sanitization certificate)
 *   hf_backend_set_state   retire, fail, activate ("backend.retired",
 *                          "backend.failed", "backend.activated",
 *                          "backend.reconciled")
 *
 * An active backend that does not open is "unreachable" (not a stored
 * state): reads rebuild from the other shards, writes go elsewhere.
 *
 * INVARIANTS
 *   (1) New shards go only to active backends: placement skips the others
 *       and the intents' transaction re-reads the state (store.c
 *       store_targets_active), so a process that opened the store before
 *       a drain began never adds a shard to a draining backend.
 *   (2) A drain moves a version's shards in one transaction after the new
 *       files are durable and read back (scrub.c scrub_drain_version); the
 *       old file is then garbage.  kill -9 anywhere leaves either the old
 *       rows (the new files are intents, removed at the next open) or the
 *       new ones: running drain again resumes.
 *   (3) drained is set only in a transaction that finds no shards row and
 *       no intent on the backend.
 *   (4) A proof of drain is the SHA-256 of a report that names the
 *       backend's fingerprint: its state, when it entered it, and every
 *       shard file on it that is not queued garbage.  Wipe recomputes the
 *       fingerprint; any change (a file appeared, the state moved) makes
 *       the proof stale.
 *   (5) Wipe removes bytes only through the reclaimer (reclaim_wipe), only
 *       files no shards row names, only after "backend.wiping" is
 *       committed; held or retained data still on the backend refuses the
 *       wipe with no override.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "audit/audit.h"
#include "policy/policy.h"
#include "store/object.h"
#include "store/reclaim.h"
#include "banned.h"

#define BATCH 256

static enum hf_err named(struct hf_store *st, const char *name, struct backend **out)
{
    *out = name ? hf_store_backend_named(st, name) : NULL;
    if (!*out)
        return hf_fail(st, HF_ENOTFOUND, "no backend named %s", name ? name : "(none)");
    return HF_OK;
}

static bool in_state(const struct backend *be, const char *s)
{
    return strcmp(be->state, s) == 0;
}

/*
 * Move @be to @state, logging @kind with the details in @r (may be NULL:
 * a bare event), in one transaction.  With @require_empty, the
 * transaction first confirms no shards row and no intent names the
 * backend (invariant 3); HF_EBUSY otherwise.
 */
static enum hf_err transition(struct hf_store *st, struct backend *be, const char *state,
                              const char *kind, struct audit_record *r, bool require_empty)
{
    struct audit_record *own = NULL;
    char subject[96];
    enum hf_err rc;

    snprintf(subject, sizeof(subject), "backend:%s", be->name);
    if (!r && !(r = own = audit_record_new(kind, subject)))
        return HF_ENOMEM;
    record_detail(r, "from", "%s", be->state);
    record_detail(r, "to", "%s", state);
    rc = meta_begin(st->meta);
    if (rc == HF_OK && require_empty) {
        uint64_t rows = 0, intents = 0;
        rc = meta_backend_usage(st->meta, be->id, &rows, &intents, NULL);
        if (rc == HF_OK && (rows || intents))
            rc = hf_fail(st, HF_EBUSY, "backend %s still has %llu shards and %llu writes in "
                         "flight", be->name, (unsigned long long)rows,
                         (unsigned long long)intents);
    }
    if (rc == HF_OK)
        rc = meta_backend_set_state(st->meta, be->id, state, hf_now_ns());
    if (rc == HF_OK && strcmp(state, "wiped") == 0)
        rc = meta_backend_forget_files(st->meta, be->id); /* its files are verified gone */
    if (rc == HF_OK)
        rc = audit_append(st, r);
    /* Not audit_commit: an HF_EBUSY above carries its own message, kept on rollback. */
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        if (!st->errmsg[0])
            hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    } else {
        audit_after_commit(st);
        store_refresh_states(st);
    }
    free(own);
    return rc;
}

/* ---- drain ---- */

enum hf_err hf_backend_drain(struct hf_store *st, const char *name, hf_progress_fn progress,
                             void *progress_arg, struct hf_drain_stats *out)
{
    struct backend *be;
    uint64_t rows = 0, intents = 0, total, done = 0;
    enum hf_err rc, first = HF_OK;
    char firstmsg[HF_ERRMSG_MAX] = "";

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    store_refresh_states(st);
    if ((rc = named(st, name, &be)) != HF_OK)
        return rc;
    if (in_state(be, "wiped") || in_state(be, "retired"))
        return hf_fail(st, HF_EINVAL, "backend %s is %s: there is nothing to drain", name,
                       be->state);
    rc = meta_backend_usage(st->meta, be->id, &rows, &intents, NULL);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    if (in_state(be, "drained") && rows == 0)
        return HF_OK;
    if (!in_state(be, "draining")) {
        struct audit_record *r;
        char subject[96];
        snprintf(subject, sizeof(subject), "backend:%s", be->name);
        if (!(r = audit_record_new("backend.draining", subject)))
            return HF_ENOMEM;
        record_detail(r, "domain", "%s", be->domain);
        record_detail(r, "shards", "%llu", (unsigned long long)rows);
        rc = transition(st, be, "draining", "backend.draining", r, false);
        free(r);
        if (rc != HF_OK)
            return rc;
    }
    total = rows;
    /* Passes until nothing is left, or a pass moves nothing (what is left cannot move). */
    for (int pass = 0; pass < 8; pass++) {
        int64_t ids[BATCH], after = 0;
        size_t n;
        uint64_t moved_before = out->versions;
        out->failed = 0;
        do {
            rc = meta_backend_versions(st->meta, be->id, after, BATCH, ids, &n);
            for (size_t i = 0; rc == HF_OK && i < n; i++) {
                enum hf_err r = scrub_drain_version(st, ids[i], be->id, out);
                after = ids[i];
                hf_crashpoint();
                if (r != HF_OK) {
                    out->failed++;
                    if (first == HF_OK) {
                        first = r;
                        snprintf(firstmsg, sizeof(firstmsg), "%s", st->errmsg);
                    }
                    hf_clear_err(st);
                }
                done++;
                if (progress)
                    progress(progress_arg, done < total ? done : total, total);
            }
        } while (rc == HF_OK && n == BATCH);
        if (rc != HF_OK)
            return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        rc = meta_backend_usage(st->meta, be->id, &rows, &intents, NULL);
        if (rc != HF_OK)
            return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        if (rows == 0 && intents == 0)
            break;
        if (rows == 0) {
            reclaim_abandoned(st);  /* writes whose process died */
            sleep(1);               /* writes still in flight land before the next pass */
        } else if (out->versions == moved_before) {
            break;
        }
    }
    out->remaining = rows;
    if (rows > 0 || intents > 0) {
        if (first != HF_OK)
            return hf_fail(st, first,
                           "%llu versions could not be moved off %s (first: %s); the backend "
                           "stays draining: fix and run drain again",
                           (unsigned long long)out->failed, name, firstmsg);
        return hf_fail(st, HF_EBUSY, "backend %s: %llu shards and %llu writes in flight "
                       "remain; run drain again", name, (unsigned long long)rows,
                       (unsigned long long)intents);
    }
    {
        struct audit_record *r;
        char subject[96];
        snprintf(subject, sizeof(subject), "backend:%s", be->name);
        if (!(r = audit_record_new("backend.drained", subject)))
            return HF_ENOMEM;
        record_detail(r, "bytes", "%llu", (unsigned long long)out->bytes);
        record_detail(r, "shards-copied", "%llu", (unsigned long long)out->shards_copied);
        record_detail(r, "shards-rebuilt", "%llu", (unsigned long long)out->shards_rebuilt);
        record_detail(r, "versions", "%llu", (unsigned long long)out->versions);
        rc = transition(st, be, "drained", "backend.drained", r, true);
        free(r);
    }
    return rc;
}

/* ---- the fingerprint (invariant 4) ---- */

struct fp_scan {
    struct hf_store *st;
    struct backend *be;
    EVP_MD_CTX *md;
    char (*names)[BE_NAME_MAX + 24];
    size_t n, cap;
};

static enum hf_err fp_cb(void *arg, const char *name, uint64_t size)
{
    struct fp_scan *f = arg;
    bool garbage = false;
    enum hf_err rc = meta_file_known(f->st->meta, f->be->id, name, &garbage);

    if (rc != HF_OK || garbage)
        return rc;
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 64;
        void *nv = realloc(f->names, ncap * sizeof(*f->names));
        if (!nv)
            return HF_ENOMEM;
        f->names = nv;
        f->cap = ncap;
    }
    snprintf(f->names[f->n++], sizeof(f->names[0]), "%s %llu", name, (unsigned long long)size);
    return HF_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The fingerprint of @be now, hex into @out (65 bytes); *@files = files counted. */
static enum hf_err fingerprint(struct hf_store *st, struct backend *be, char out[65],
                               uint64_t *files)
{
    struct fp_scan f = { .st = st, .be = be };
    unsigned char h[32];
    char line[160], state[16];
    int64_t since = 0;
    enum hf_err rc = meta_backend_state(st->meta, be->id, state, sizeof(state), &since);

    if (rc != HF_OK)
        return rc;
    if (!(f.md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(f.md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(f.md);
        return HF_ECRYPTO;
    }
    snprintf(line, sizeof(line), "holdfast-backend-fingerprint/1\n%lld\n%s\n%lld\n",
             (long long)be->id, state, (long long)since);
    EVP_DigestUpdate(f.md, be->name, strlen(be->name));
    EVP_DigestUpdate(f.md, line, strlen(line));
    if (be->up)
        rc = be->ops->walk(be, fp_cb, &f);
    if (rc == HF_OK) {
        if (f.n)
            qsort(f.names, f.n, sizeof(*f.names), by_name);
        for (size_t i = 0; i < f.n; i++) {
            EVP_DigestUpdate(f.md, f.names[i], strlen(f.names[i]));
            EVP_DigestUpdate(f.md, "\n", 1);
        }
        EVP_DigestFinal_ex(f.md, h, NULL);
        hf_hex(h, 32, out);
        *files = f.n;
    }
    EVP_MD_CTX_free(f.md);
    free(f.names);
    return rc;
}

/* ---- proof of drain ---- */

/* Why version @v is not at full strength off @be, or NULL when it is. */
static const char *version_problem(struct hf_store *st, struct backend *be,
                                   const struct meta_version *v, char *buf, size_t len)
{
    const unsigned n = v->k + v->m;
    struct seg_reader *r;
    const char *why = NULL;
    enum hf_err rc;

    r = calloc(1, sizeof(*r));
    if (!r)
        return "out of memory";
    rc = seg_reader_open(st, v, r);
    if (rc != HF_OK) {
        free(r);
        snprintf(buf, len, "cannot open: %s", hf_strerror(rc));
        return buf;
    }
    for (unsigned i = 0; i < n && !why; i++) {
        const struct backend *b = r->be[i];
        if (!b) {
            snprintf(buf, len, "shard %u has no backend", i);
            why = buf;
        } else if (b == be) {
            snprintf(buf, len, "shard %u is still on %s", i, be->name);
            why = buf;
        } else if (!b->writable) {
            snprintf(buf, len, "shard %u is on %s, which is %s", i, b->name,
                     b->up ? b->state : "unreachable");
            why = buf;
        }
        for (unsigned j = 0; j < i && !why; j++)
            if (strcmp(r->be[j]->domain, b->domain) == 0) {
                snprintf(buf, len, "shards %u and %u share domain %s", j, i, b->domain);
                why = buf;
            }
    }
    /* Read back every frame of every shard, and authenticate every segment. */
    for (uint64_t s = 0; !why && s < r->v.nsegs; s++) {
        unsigned good = 0;
        const uint8_t *plain;
        size_t plen;
        rc = seg_reader_load(r, s, true, &good);
        if (rc == HF_OK && good < n) {
            snprintf(buf, len, "segment %llu: %u of %u shards verify",
                     (unsigned long long)s, good, n);
            why = buf;
        } else if (rc == HF_OK && seg_reader_decrypt(r, s, &plain, &plen) != HF_OK) {
            snprintf(buf, len, "segment %llu does not authenticate", (unsigned long long)s);
            why = buf;
        } else if (rc != HF_OK) {
            snprintf(buf, len, "segment %llu: %s", (unsigned long long)s, hf_strerror(rc));
            why = buf;
        }
    }
    seg_reader_close(r);
    free(r);
    return why;
}

struct check_ctx {
    json_t *held, *other;       /* problems, held ones first in the report */
    uint64_t versions, reclaimed, unsafe, held_n;
};

/* Check one version that had (or has) a shard on @be. */
static enum hf_err check_version(struct hf_store *st, struct backend *be, int64_t id,
                                 struct check_ctx *c)
{
    struct meta_version *v = malloc(sizeof(*v));
    struct meta_bucket mb;
    char buf[256], keep[HF_ERRMSG_MAX], vid[33];
    const char *why;
    bool held = false;
    enum hf_err rc;
    json_t *o;

    if (!v)
        return HF_ENOMEM;
    rc = meta_version_by_id(st->meta, id, v);
    if (rc == HF_ENOTFOUND) {
        c->reclaimed++;     /* its bytes are gone everywhere: nothing depends on it */
        free(v);
        return HF_OK;
    }
    if (rc != HF_OK || v->marker || v->composite) {
        free(v);
        return rc;
    }
    c->versions++;
    why = version_problem(st, be, v, buf, sizeof(buf));
    if (!why) {
        free(v);
        return HF_OK;
    }
    c->unsafe++;
    memcpy(keep, st->errmsg, sizeof(keep));
    held = policy_version(st, v, NULL, POLICY_RECLAIM, false) == HF_EHELD;
    o = json_object();
    hf_hex(v->vid, 16, vid);
    if (meta_bucket_by_id(st->meta, v->bucket, &mb) == HF_OK)
        json_object_set_new(o, "bucket", json_string(mb.name));
    json_object_set_new(o, "key", json_stringn(v->key, v->keylen));
    json_object_set_new(o, "version", json_string(vid));
    json_object_set_new(o, "state", json_string(v->state == VERSION_LIVE ? "live"
                                                : v->state == VERSION_PART ? "part"
                                                                           : "deleted"));
    json_object_set_new(o, "problem", json_string(why));
    json_object_set_new(o, "held", json_boolean(held));
    if (held) {
        /* The gate's refusal names the hold or retention. */
        const char *reason = strstr(st->errmsg, "refused: ");
        json_object_set_new(o, "kept-by", json_string(reason ? reason + 9 : st->errmsg));
        c->held_n++;
    }
    memcpy(st->errmsg, keep, sizeof(keep));
    json_array_append_new(held ? c->held : c->other, o);
    free(v);
    return HF_OK;
}

/* Append every version id of @list (meta_backend_versions or meta_drained_versions). */
static enum hf_err collect(struct hf_store *st, struct backend *be,
                           enum hf_err (*list)(struct meta *, int64_t, int64_t, size_t,
                                               int64_t *, size_t *),
                           int64_t **ids, size_t *n, size_t *cap)
{
    int64_t after = 0;
    size_t got;
    enum hf_err rc;

    do {
        if (*cap - *n < BATCH) {
            int64_t *nv = realloc(*ids, (*cap * 2 + BATCH) * sizeof(**ids));
            if (!nv)
                return HF_ENOMEM;
            *ids = nv;
            *cap = *cap * 2 + BATCH;
        }
        rc = list(st->meta, be->id, after, BATCH, *ids + *n, &got);
        if (rc == HF_OK && got > 0) {
            after = (*ids)[*n + got - 1];
            *n += got;
        }
    } while (rc == HF_OK && got == BATCH);
    return rc;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static enum hf_err write_report(struct hf_store *st, const char *path, const char *text)
{
    char *dir = hf_sprintf("%s/reports", st->dir);
    enum hf_err rc = dir ? hf_mkdir_p(dir) : HF_ENOMEM;
    int fd;

    free(dir);
    if (rc != HF_OK)
        return rc;
    /* Named by its hash: an existing file of that name holds these very bytes. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? HF_OK : hf_err_from_errno(errno);
    rc = hf_write_all(fd, text, strlen(text));
    if (rc == HF_OK && fsync(fd) != 0)
        rc = hf_err_from_errno(errno);
    if (close(fd) != 0 && rc == HF_OK)
        rc = hf_err_from_errno(errno);
    return rc;
}

enum hf_err hf_backend_check(struct hf_store *st, const char *name, struct hf_check_result *out)
{
    struct check_ctx c = { 0 };
    struct backend *be;
    struct audit_record *r = NULL;
    struct meta_check mc = { 0 };
    char fp[65], when[AUDIT_TIME_LEN], subject[96], *path = NULL, *text = NULL;
    unsigned char h[32];
    int64_t *seen = NULL, now;
    size_t nseen = 0, cap = 0;
    uint64_t rows = 0, intents = 0, files = 0, logsize = 0;
    json_t *rep = NULL, *problems;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    store_refresh_states(st);
    if ((rc = named(st, name, &be)) != HF_OK)
        return rc;
    c.held = json_array();
    c.other = json_array();
    if (!c.held || !c.other) {
        rc = HF_ENOMEM;
        goto out;
    }
    /* Every version that has a shard on it and every version a drain moved off it. */
    rc = collect(st, be, meta_backend_versions, &seen, &nseen, &cap);
    if (rc == HF_OK)
        rc = collect(st, be, meta_drained_versions, &seen, &nseen, &cap);
    if (rc == HF_OK && nseen > 1)
        qsort(seen, nseen, sizeof(*seen), by_id);
    for (size_t i = 0; rc == HF_OK && i < nseen; i++)
        if (i == 0 || seen[i] != seen[i - 1])
            rc = check_version(st, be, seen[i], &c);
    if (rc == HF_OK)
        rc = meta_backend_usage(st->meta, be->id, &rows, &intents, NULL);
    if (rc == HF_OK)
        rc = fingerprint(st, be, fp, &files);
    if (rc == HF_OK)
        rc = meta_audit_size(st->meta, &logsize);
    if (rc != HF_OK) {
        if (!st->errmsg[0])
            hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    out->versions = c.versions;
    out->unsafe = c.unsafe;
    out->held = c.held_n;
    out->passed = c.unsafe == 0 && rows == 0 && intents == 0 && in_state(be, "drained");
    now = hf_now_ns();
    record_format_time(now, when);
    problems = json_array();
    json_array_extend(problems, c.held);
    json_array_extend(problems, c.other);
    rep = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
                    "s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:s, s:o}",
                    "report", "holdfast proof of drain", "format", 1,
                    "backend", be->name, "location", be->location, "domain", be->domain,
                    "provider", be->attr[0], "site", be->attr[1], "jurisdiction", be->attr[2],
                    "state", be->state, "checked-at", when, "fingerprint", fp,
                    "audit-log-size", (json_int_t)logsize,
                    "versions-checked", (json_int_t)c.versions,
                    "versions-reclaimed", (json_int_t)c.reclaimed,
                    "unsafe", (json_int_t)c.unsafe, "unsafe-held", (json_int_t)c.held_n,
                    "shards-still-on-backend", (json_int_t)rows,
                    "writes-in-flight", (json_int_t)intents,
                    "files-on-backend", (json_int_t)files,
                    "passed", out->passed,
                    "method", "every object version that had a shard on the backend was read "
                              "back in full from its other backends: every frame of all k+m "
                              "shards verified (XXH3-128), every segment authenticated "
                              "(AES-256-GCM), the shards on distinct failure domains of "
                              "active backends",
                    "problems", problems);
    text = rep ? json_dumps(rep, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (!text) {
        rc = HF_ENOMEM;
        goto out;
    }
    {
        /* The report ends with a newline; its SHA-256 is the proof. */
        size_t tl = strlen(text);
        char *t2 = realloc(text, tl + 2);
        if (!t2) {
            rc = HF_ENOMEM;
            goto out;
        }
        text = t2;
        text[tl] = '\n';
        text[tl + 1] = '\0';
    }
    SHA256((const unsigned char *)text, strlen(text), h);
    hf_hex(h, 32, out->hash);
    path = hf_sprintf("%s/reports/check-%s-%s.json", st->dir, be->name, out->hash);
    if (!path) {
        rc = HF_ENOMEM;
        goto out;
    }
    rc = write_report(st, path, text);
    if (rc != HF_OK) {
        hf_fail(st, rc, "%s: cannot write the report", path);
        goto out;
    }
    snprintf(out->report_path, sizeof(out->report_path), "%s", path);
    snprintf(subject, sizeof(subject), "backend:%s", be->name);
    if (!(r = audit_record_new("backend.checked", subject))) {
        rc = HF_ENOMEM;
        goto out;
    }
    record_detail(r, "fingerprint", "%s", fp);
    record_detail(r, "held", "%llu", (unsigned long long)c.held_n);
    record_detail(r, "report", "%s", path);
    record_detail(r, "result", "%s", out->passed ? "passed" : "failed");
    record_detail(r, "state", "%s", be->state);
    record_detail(r, "unsafe", "%llu", (unsigned long long)c.unsafe);
    record_detail(r, "versions", "%llu", (unsigned long long)c.versions);
    record_document(r, h);
    mc = (struct meta_check){ .backend = be->id, .created = now, .passed = out->passed };
    snprintf(mc.hash, sizeof(mc.hash), "%s", out->hash);
    snprintf(mc.fingerprint, sizeof(mc.fingerprint), "%s", fp);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = audit_append(st, r);
    if (rc == HF_OK) {
        mc.entry = (int64_t)r->seq;
        rc = meta_check_add(st->meta, &mc);
    }
    rc = audit_commit(st, rc);
    if (rc != HF_OK)
        goto out;
    out->entry = mc.entry;
out:
    json_decref(rep);
    json_decref(c.held);
    json_decref(c.other);
    free(text);
    free(path);
    free(seen);
    free(r);
    return rc;
}

/* ---- wipe ---- */

static enum hf_err count_file(void *arg, const char *name, uint64_t size)
{
    (void)name;
    (void)size;
    (*(uint64_t *)arg)++;
    return HF_OK;
}

/*
 * Refuse while any version still has a shard on @be, naming held or
 * retained ones first (HF_EHELD), else HF_EPRECOND.
 */
static enum hf_err still_needed(struct hf_store *st, struct backend *be)
{
    int64_t ids[BATCH], after = 0;
    size_t n;
    uint64_t needed = 0, held = 0;
    char first_held[HF_ERRMSG_MAX + 200] = "", keep[HF_ERRMSG_MAX];
    enum hf_err rc;

    do {
        rc = meta_backend_versions(st->meta, be->id, after, BATCH, ids, &n);
        for (size_t i = 0; rc == HF_OK && i < n; i++) {
            struct meta_version *v = malloc(sizeof(*v));
            after = ids[i];
            if (!v)
                return HF_ENOMEM;
            if (meta_version_by_id(st->meta, ids[i], v) == HF_OK) {
                needed++;
                memcpy(keep, st->errmsg, sizeof(keep));
                if (policy_version(st, v, NULL, POLICY_RECLAIM, false) == HF_EHELD) {
                    struct meta_bucket mb;
                    char vid[33];
                    const char *why = strstr(st->errmsg, "refused: ");
                    hf_hex(v->vid, 16, vid);
                    if (!held++) {
                        if (meta_bucket_by_id(st->meta, v->bucket, &mb) != HF_OK)
                            snprintf(mb.name, sizeof(mb.name), "bucket#%lld",
                                     (long long)v->bucket);
                        snprintf(first_held, sizeof(first_held), "%s/%.*s (%.8s...) %s",
                                 mb.name, (int)(v->keylen > 40 ? 40 : v->keylen), v->key,
                                 vid, why ? why + 9 : st->errmsg);
                    }
                }
                memcpy(st->errmsg, keep, sizeof(keep));
            }
            free(v);
        }
    } while (rc == HF_OK && n == BATCH);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    if (held)
        return hf_fail(st, HF_EHELD, "%s holds shards of %llu versions, %llu held: %s; no "
                       "override: drain it first", be->name, (unsigned long long)needed,
                       (unsigned long long)held, first_held);
    if (needed)
        return hf_fail(st, HF_EPRECOND, "refused: %s still holds shards of %llu versions; "
                       "drain it first", be->name, (unsigned long long)needed);
    return HF_OK;
}

enum hf_err hf_backend_wipe(struct hf_store *st, const char *name, const char *proof,
                            struct hf_wipe_result *out)
{
    struct backend *be;
    struct meta_check mc;
    struct audit_record *r = NULL;
    char fp[65], subject[96], when[AUDIT_TIME_LEN];
    uint64_t files_now = 0, left = 0, kept = 0;
    uint8_t doc[32];
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    store_refresh_states(st);
    if ((rc = named(st, name, &be)) != HF_OK)
        return rc;
    if (in_state(be, "wiped") || in_state(be, "retired"))
        return hf_fail(st, HF_EPRECOND, "backend %s is already %s", name, be->state);
    /* Held data first: it is the one refusal nothing can lift. */
    if ((rc = still_needed(st, be)) != HF_OK)
        return rc;
    if (!in_state(be, "drained"))
        return hf_fail(st, HF_EPRECOND, "refused: backend %s is %s, not drained (holdfast "
                       "backend drain %s, then check)", name, be->state, name);
    if (!be->up)
        return hf_fail(st, HF_EBACKEND, "backend %s is unreachable: it cannot be wiped or "
                       "verified now", name);
    if (!proof || strlen(proof) != 64 || hf_unhex(proof, doc, 32) != 0)
        return hf_fail(st, HF_EINVAL, "--proof wants the 64 hex digits `holdfast backend "
                       "check %s` printed", name);
    {
        char lower[65];
        hf_hex(doc, 32, lower);
        rc = meta_check_get(st->meta, lower, &mc);
    }
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, HF_EPRECOND, "refused: no proof of drain %s (run holdfast backend "
                       "check %s)", proof, name);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    if (mc.backend != be->id)
        return hf_fail(st, HF_EPRECOND, "refused: proof %.16s... is for another backend",
                       proof);
    if (!mc.passed)
        return hf_fail(st, HF_EPRECOND, "refused: the check %.16s... did not pass", proof);
    rc = fingerprint(st, be, fp, &files_now);
    if (rc != HF_OK)
        return hf_fail(st, rc, "backend %s: cannot list its files", name);
    if (strcmp(fp, mc.fingerprint) != 0) {
        record_format_time(mc.created, when);
        return hf_fail(st, HF_EPRECOND, "refused: stale proof: %s changed since the check "
                       "of %.19sZ (state or files differ); check it again", name, when);
    }
    /* Invariant 5: in the log before a byte goes. */
    snprintf(subject, sizeof(subject), "backend:%s", be->name);
    if (!(r = audit_record_new("backend.wiping", subject)))
        return HF_ENOMEM;
    record_detail(r, "files", "%llu", (unsigned long long)files_now);
    record_detail(r, "location", "%s", be->location);
    record_detail(r, "proof", "%s", mc.hash);
    record_detail(r, "proof-entry", "%lld", (long long)mc.entry);
    rc = audit_log(st, r);
    free(r);
    r = NULL;
    if (rc != HF_OK)
        return rc;
    hf_crashpoint();
    rc = reclaim_wipe(st, be, &out->files, &out->bytes, &kept);
    hf_crashpoint();
    if (rc != HF_OK)
        return rc;
    /* Verification: list the directory again; not one shard file may be left. */
    rc = be->ops->walk(be, count_file, &left);
    if (rc == HF_OK)
        rc = meta_backend_usage(st->meta, be->id, &kept, NULL, NULL);
    if (rc != HF_OK)
        return hf_fail(st, rc, "backend %s: cannot verify the wipe", name);
    if (left > 0 || kept > 0)
        return hf_fail(st, HF_EIO, "backend %s: %llu shard files remain after the wipe; not "
                       "certified", name, (unsigned long long)(left + kept));
    if (!(r = audit_record_new("backend.wiped", subject)))
        return HF_ENOMEM;
    record_format_time(hf_now_ns(), when);
    record_detail(r, "certificate", "sanitization of media, in the style of NIST SP 800-88 "
                  "Rev. 1 (appendix G)");
    record_detail(r, "media", "local directory backend %s at %s (domain %s%s%s%s%s)",
                  be->name, be->location, be->domain, be->attr[0][0] ? ", provider " : "",
                  be->attr[0], be->attr[1][0] ? ", site " : "", be->attr[1]);
    record_detail(r, "media-type", "shard files of a holdfast store (type dir)");
    record_detail(r, "method", "clear (logical): every shard file deleted through the store's "
                  "reclaimer; no overwrite (on flash and copy-on-write filesystems an "
                  "overwrite does not reach the old blocks)");
    record_detail(r, "files-removed", "%llu", (unsigned long long)out->files);
    record_detail(r, "bytes-removed", "%llu", (unsigned long long)out->bytes);
    record_detail(r, "completed", "%s", when);
    record_detail(r, "proof", "%s", mc.hash);
    record_detail(r, "proof-entry", "%lld", (long long)mc.entry);
    record_detail(r, "verification", "passed: the directory was listed after removal and "
                  "holds no shard file; no stored version names a shard on it");
    record_detail(r, "remnants", "shards are AES-256-GCM ciphertext under per-version data "
                  "keys wrapped by the store's master key; no key ever reached this backend, "
                  "so any remnant on the media is unreadable without the store's own "
                  "metadata and master key");
    record_detail(r, "post-sanitization", "state wiped; retire with holdfast backend retire %s",
                  be->name);
    rc = transition(st, be, "wiped", "backend.wiped", r, true);
    if (rc == HF_OK)
        out->entry = (int64_t)r->seq;
    free(r);
    return rc;
}

/* ---- manual transitions ---- */

enum hf_err hf_backend_set_state(struct hf_store *st, const char *name, const char *action)
{
    struct backend *be;
    enum hf_err rc;

    hf_clear_err(st);
    store_refresh_states(st);
    if ((rc = named(st, name, &be)) != HF_OK)
        return rc;
    if (strcmp(action, "retire") == 0) {
        if (!in_state(be, "wiped"))
            return hf_fail(st, HF_EINVAL, "backend %s is %s: only a wiped backend is retired",
                           name, be->state);
        return transition(st, be, "retired", "backend.retired", NULL, true);
    }
    if (strcmp(action, "fail") == 0) {
        if (!in_state(be, "active") && !in_state(be, "draining"))
            return hf_fail(st, HF_EINVAL, "backend %s is %s: only an active or draining "
                           "backend is marked failed", name, be->state);
        return transition(st, be, "failed", "backend.failed", NULL, false);
    }
    if (strcmp(action, "activate") == 0) {
        struct hf_scrub_stats s = { 0 };
        struct audit_record *r;
        char subject[96];
        int64_t ids[BATCH], after = 0;
        size_t n;
        if (!in_state(be, "failed") && !in_state(be, "draining") && !in_state(be, "drained"))
            return hf_fail(st, HF_EINVAL, "backend %s is %s: only a failed, draining or "
                           "drained backend is activated", name, be->state);
        if (in_state(be, "failed")) {
            /* It comes back: never trusted blindly (checked below, before it is used). */
            be->ops->close(be);
            if (be->ops->open(be) != HF_OK)
                return hf_fail(st, HF_EBACKEND, "backend %s (%s) does not open: its marker "
                               "is missing or names another backend", name, be->location);
            be->ops->close(be);
        }
        rc = transition(st, be, "active", "backend.activated", NULL, false);
        if (rc != HF_OK)
            return rc;
        /* Reconcile: every version with a shard on it is read and verified in full;
         * what fails is rebuilt (scrub --repair's path).  Files no row names are the
         * reclaimer's (garbage of repairs made while it was away, or orphans). */
        do {
            rc = meta_backend_versions(st->meta, be->id, after, BATCH, ids, &n);
            for (size_t i = 0; rc == HF_OK && i < n; i++) {
                after = ids[i];
                rc = scrub_one(st, ids[i], HF_SCRUB_REPAIR, &s);
            }
        } while (rc == HF_OK && n == BATCH);
        if (rc != HF_OK)
            return hf_fail(st, rc, "reconciling %s: %s", name, meta_errmsg(st->meta));
        snprintf(subject, sizeof(subject), "backend:%s", be->name);
        if (!(r = audit_record_new("backend.reconciled", subject)))
            return HF_ENOMEM;
        record_detail(r, "shards-checked", "%llu", (unsigned long long)s.shards_checked);
        record_detail(r, "shards-corrupt", "%llu", (unsigned long long)s.shards_corrupt);
        record_detail(r, "shards-missing", "%llu", (unsigned long long)s.shards_missing);
        record_detail(r, "shards-repaired", "%llu", (unsigned long long)s.shards_repaired);
        record_detail(r, "versions", "%llu", (unsigned long long)s.versions);
        record_detail(r, "still-degraded", "%llu", (unsigned long long)s.unrepaired);
        rc = audit_log(st, r);
        free(r);
        return rc;
    }
    return hf_fail(st, HF_EINVAL, "unknown backend action '%s' (retire, fail, activate)",
                   action);
}
