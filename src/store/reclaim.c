/*
 * reclaim.c — the reclaimer: the only code that removes shard bytes.
 *
 * Everything else only records that a file is no longer needed:
 *   - hf_delete with a version id marks the version VERSION_DELETED;
 *   - a write records intents before creating files; a failed or killed
 *     write leaves them behind;
 *   - repair and drain queue the file they replaced as garbage;
 *   - a wipe (store/drain.c) hands over a drained backend whose proof of
 *     drain passed and is current: every file on it is unneeded.
 * This module turns those records into unlinks, then drops the records.
 *
 * THE GATE.  reclaim_version() is the single place where a stored version's
 * bytes are destroyed, and it asks reclaim_allowed() first.  Preservation
 * (holds, Object Lock retention, notices) plugs in there and nowhere else.
 *
 * INVARIANTS
 *   (1) backend ops->remove is called only from remove_file() below.
 *   (2) A file is removed before its record is dropped: a crash in between
 *       leaves a record whose file is already gone, and the next run
 *       finishes (remove treats a missing file as done).
 *   (3) Intents of a live process are never touched by another process.
 *   (4) An orphan is a well-formed shard file name that no version, intent
 *       or garbage row names; only an explicit orphan scan removes it.
 *   (5) A stored version's files are removed only after its
 *       "object.reclaimed" entry is committed to the audit log (and orphans
 *       after a "reclaim.orphans" entry): if the log refuses, nothing goes.
 *       Files of writes never acknowledged (intents) and shard generations
 *       replaced by repair (garbage) are not logged: no data leaves with them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "policy/policy.h"
#include "store/object.h"
#include "store/reclaim.h"
#include "banned.h"

/* Invariant 1: the one call that destroys shard bytes. */
static enum hf_err remove_file(struct hf_store *st, int64_t backend, const char *name)
{
    struct backend *be = hf_store_backend(st, backend);

    if (!be)
        return HF_OK; /* backend no longer registered: nothing to remove */
    return be->ops->remove(be, name);
}

/*
 * The policy gate for destroying a stored version (policy/gate.c): a
 * version under a hold, a legal hold or unexpired retention stays, whatever
 * deleted it, and is asked about again at the next run.
 */
static bool reclaim_allowed(struct hf_store *st, const struct meta_version *v)
{
    char keep[HF_ERRMSG_MAX];
    bool ok;

    memcpy(keep, st->errmsg, sizeof(keep));     /* a refusal is not a failure of the run */
    ok = policy_version(st, v, NULL, POLICY_RECLAIM, false) == HF_OK;
    memcpy(st->errmsg, keep, sizeof(keep));
    return ok;
}

/* Remove the intents @f[0..n) selected by @pick, counting writes in *@writes. */
static enum hf_err reclaim_intents(struct hf_store *st, struct meta_file *f, size_t n,
                                   bool (*pick)(const struct meta_file *, const void *),
                                   const void *arg, uint64_t *files, uint64_t *writes)
{
    enum hf_err first = HF_OK;

    for (size_t i = 0; i < n; i++) {
        enum hf_err rc;
        if (!pick(&f[i], arg))
            continue;
        rc = remove_file(st, f[i].backend, f[i].name);
        hf_crashpoint();
        if (rc == HF_OK)
            rc = meta_intent_remove(st->meta, f[i].backend, f[i].name);
        if (rc != HF_OK) {
            if (first == HF_OK)
                first = rc;
            continue;
        }
        if (files)
            (*files)++;
        if (writes) {
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++)
                seen = pick(&f[j], arg) && memcmp(f[j].vid, f[i].vid, 16) == 0;
            *writes += !seen;
        }
    }
    return first;
}

/* The last process asked about: a server's reservations are many intents of one. */
struct alive_memo {
    int64_t pid, pstart;
    bool known, dead;
};

static bool pick_dead(const struct meta_file *f, const void *arg)
{
    struct alive_memo *m = (struct alive_memo *)arg;

    if (!m->known || m->pid != f->pid || m->pstart != f->pstart) {
        m->pid = f->pid;
        m->pstart = f->pstart;
        m->dead = !hf_proc_alive(f->pid, f->pstart);
        m->known = true;
    }
    return m->dead;
}

static bool pick_vid(const struct meta_file *f, const void *arg)
{
    return memcmp(f->vid, arg, 16) == 0;
}

static enum hf_err abandoned(struct hf_store *st, uint64_t *files, uint64_t *writes)
{
    struct alive_memo memo = { 0 };
    struct meta_file *f = NULL;
    size_t n = 0;
    enum hf_err rc = meta_intent_list(st->meta, &f, &n);

    if (rc == HF_OK)
        rc = reclaim_intents(st, f, n, pick_dead, &memo, files, writes);
    free(f);
    return rc;
}

void reclaim_abandoned(struct hf_store *st)
{
    abandoned(st, NULL, NULL);
}

enum hf_err reclaim_failed_write(struct hf_store *st, const uint8_t vid[16])
{
    struct meta_file *f = NULL;
    size_t n = 0;
    enum hf_err rc = meta_intent_list(st->meta, &f, &n);

    if (rc == HF_OK)
        rc = reclaim_intents(st, f, n, pick_vid, vid, NULL, NULL);
    free(f);
    return rc;
}

/* The "object.reclaimed" entry for @v, committed before its files go. */
static enum hf_err log_reclaim(struct hf_store *st, const struct meta_version *v)
{
    char vid[33], subject[48], *key = malloc(v->keylen + 1);
    struct audit_record *r;
    enum hf_err rc;

    hf_hex(v->vid, 16, vid);
    snprintf(subject, sizeof(subject), "version:%s", vid);
    if (!key || !(r = audit_record_new("object.reclaimed", subject))) {
        free(key);
        return HF_ENOMEM;
    }
    memcpy(key, v->key, v->keylen);
    key[v->keylen] = '\0';
    record_detail(r, "bucket-id", "%lld", (long long)v->bucket);
    record_detail(r, "key", "%s", key);
    record_detail(r, "size", "%llu", (unsigned long long)v->size);
    record_detail(r, "shards", "%u", v->marker ? 0 : v->k + v->m);
    if (v->composite)
        record_detail(r, "multipart", "true");
    if (v->marker)
        record_detail(r, "delete-marker", "true");
    record_detail(r, "gate", "allowed: no hold, legal hold or retention applies");
    rc = audit_log(st, r);
    free(r);
    free(key);
    if (rc != HF_OK)
        hf_fail(st, rc, "the audit log refused the reclaim of version %s; nothing removed", vid);
    return rc;
}

/* Remove one deleted version's shards (or its parts'), then its rows. */
static enum hf_err reclaim_version(struct hf_store *st, int64_t id, bool top, uint64_t *files)
{
    struct meta_version *v = malloc(sizeof(*v));
    struct meta_shard sh[HF_MAX_SHARDS];
    unsigned n = 0;
    enum hf_err rc;

    if (!v)
        return HF_ENOMEM;
    rc = meta_version_by_id(st->meta, id, v);
    if (rc != HF_OK || v->state != VERSION_DELETED)
        goto out;
    if (!reclaim_allowed(st, v)) {
        rc = HF_OK; /* kept; it will be asked again next run */
        goto out;
    }
    /* Invariant 5: durable in the audit log before any byte goes. */
    if (top && (rc = log_reclaim(st, v)) != HF_OK)
        goto out;
    if (v->composite) {
        /* A multipart object: its parts go with it (multipart.c invariant 2). */
        struct meta_piece *pc = NULL;
        size_t np = 0;
        rc = meta_pieces_get(st->meta, id, &pc, &np);
        for (size_t i = 0; rc == HF_OK && i < np; i++) {
            rc = meta_version_set_state(st->meta, pc[i].part_version, VERSION_DELETED);
            if (rc == HF_ENOTFOUND)
                rc = HF_OK; /* already reclaimed by an interrupted earlier run */
            else if (rc == HF_OK)
                rc = reclaim_version(st, pc[i].part_version, false, files);
        }
        free(pc);
        if (rc == HF_OK)
            rc = meta_pieces_remove(st->meta, id);
        if (rc == HF_OK)
            rc = meta_version_purge(st->meta, id);
        goto out;
    }
    rc = meta_shards_get(st->meta, id, sh, &n);
    for (unsigned i = 0; rc == HF_OK && !v->marker && i < v->k + v->m; i++) {
        char name[BE_NAME_MAX];
        backend_shard_name(v->vid, i, sh[i].gen, name);
        rc = remove_file(st, sh[i].backend, name);
        hf_crashpoint();
        if (rc == HF_OK)
            (*files)++;
        else
            hf_fail(st, rc, "cannot remove %s from backend %lld", name,
                    (long long)sh[i].backend);
    }
    if (rc == HF_OK)
        rc = meta_version_purge(st->meta, id);
out:
    free(v);
    return rc;
}

struct orphan_scan {
    struct hf_store *st;
    struct backend *be;
    char (*names)[BE_NAME_MAX];
    size_t n, cap;
    enum hf_err rc;
};

static enum hf_err orphan_cb(void *arg, const char *name, uint64_t size)
{
    struct orphan_scan *o = arg;
    uint8_t vid[16];
    unsigned idx, gen;
    bool known = false;
    enum hf_err rc;

    (void)size;
    if (backend_parse_name(name, vid, &idx, &gen) != 0)
        return HF_OK;
    rc = meta_shard_known(o->st->meta, o->be->id, vid, idx, gen, &known);
    if (rc == HF_OK && !known)
        rc = meta_file_known(o->st->meta, o->be->id, name, &known);
    if (rc != HF_OK)
        return rc;
    if (known)
        return HF_OK;
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 64;
        void *nv = realloc(o->names, ncap * sizeof(*o->names));
        if (!nv)
            return HF_ENOMEM;
        o->names = nv;
        o->cap = ncap;
    }
    snprintf(o->names[o->n++], BE_NAME_MAX, "%s", name);
    return HF_OK;
}

enum hf_err hf_reclaim(struct hf_store *st, unsigned flags, struct hf_reclaim_stats *out)
{
    struct meta_file *g = NULL;
    size_t ng = 0;
    enum hf_err rc, first = HF_OK;
    int64_t ids[256], after = 0;
    size_t nids;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);

    /* 1. writes whose process died */
    rc = abandoned(st, &out->files, &out->aborted_writes);
    if (rc != HF_OK && first == HF_OK)
        first = rc;

    /* 2. files replaced by repair */
    rc = meta_garbage_list(st->meta, &g, &ng);
    for (size_t i = 0; rc == HF_OK && i < ng; i++) {
        enum hf_err r = remove_file(st, g[i].backend, g[i].name);
        hf_crashpoint();
        if (r == HF_OK)
            r = meta_garbage_remove(st->meta, g[i].backend, g[i].name);
        if (r == HF_OK) {
            out->replaced++;
            out->files++;
        } else if (first == HF_OK) {
            first = r;
        }
    }
    free(g);
    if (rc != HF_OK && first == HF_OK)
        first = rc;

    /* 3. versions deleted by version id (through the gate) */
    do {
        rc = meta_version_ids(st->meta, VERSION_DELETED, true, after, 256, ids, &nids);
        for (size_t i = 0; rc == HF_OK && i < nids; i++) {
            enum hf_err r = reclaim_version(st, ids[i], true, &out->files);
            after = ids[i];
            if (r == HF_OK)
                out->versions++;
            else if (first == HF_OK)
                first = r;
        }
    } while (rc == HF_OK && nids == 256);
    if (rc != HF_OK && first == HF_OK)
        first = rc;

    /* 4. orphans: files nothing names */
    for (size_t b = 0; (flags & HF_RECLAIM_ORPHANS) && b < st->nbackends; b++) {
        struct orphan_scan o = { .st = st, .be = st->backends[b] };
        if (!o.be->up)
            continue;
        rc = o.be->ops->walk(o.be, orphan_cb, &o);
        if (rc == HF_OK && o.n > 0) {
            struct audit_record *r;
            char subject[80];
            snprintf(subject, sizeof(subject), "backend:%s", o.be->name);
            if (!(r = audit_record_new("reclaim.orphans", subject)))
                rc = HF_ENOMEM;
            else {
                record_detail(r, "files", "%zu", o.n);
                record_detail(r, "first", "%s", o.names[0]);
                rc = audit_log(st, r);
                free(r);
            }
        }
        for (size_t i = 0; rc == HF_OK && i < o.n; i++) {
            enum hf_err r = remove_file(st, o.be->id, o.names[i]);
            if (r == HF_OK) {
                out->orphans++;
                out->files++;
            } else if (first == HF_OK) {
                first = r;
            }
        }
        free(o.names);
        if (rc != HF_OK && first == HF_OK)
            first = rc;
    }
    if (first != HF_OK && !st->errmsg[0])
        hf_fail(st, first, "some files could not be reclaimed: %s", hf_strerror(first));
    return first;
}

/* ---- wipe ---- */

struct wipe_scan {
    struct hf_store *st;
    struct backend *be;
    char (*names)[BE_NAME_MAX];
    uint64_t *sizes;
    size_t n, cap;
    uint64_t kept;
};

static enum hf_err wipe_cb(void *arg, const char *name, uint64_t size)
{
    struct wipe_scan *w = arg;
    uint8_t vid[16];
    unsigned idx, gen;
    bool known = false;
    enum hf_err rc;

    if (backend_parse_name(name, vid, &idx, &gen) != 0)
        return HF_OK;
    rc = meta_shard_known(w->st->meta, w->be->id, vid, idx, gen, &known);
    if (rc != HF_OK)
        return rc;
    if (known) {
        w->kept++; /* a stored version's shard: needed, never wiped */
        return HF_OK;
    }
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 64;
        void *nn = realloc(w->names, ncap * sizeof(*w->names));
        if (!nn)
            return HF_ENOMEM;
        w->names = nn;
        nn = realloc(w->sizes, ncap * sizeof(*w->sizes));
        if (!nn)
            return HF_ENOMEM;
        w->sizes = nn;
        w->cap = ncap;
    }
    snprintf(w->names[w->n], BE_NAME_MAX, "%s", name);
    w->sizes[w->n++] = size;
    return HF_OK;
}

enum hf_err reclaim_wipe(struct hf_store *st, struct backend *be, uint64_t *files,
                         uint64_t *bytes, uint64_t *kept)
{
    struct wipe_scan w = { .st = st, .be = be };
    enum hf_err rc = be->ops->walk(be, wipe_cb, &w);

    *kept = w.kept;
    for (size_t i = 0; rc == HF_OK && i < w.n; i++) {
        rc = remove_file(st, be->id, w.names[i]);
        hf_crashpoint();
        if (rc == HF_OK)
            rc = meta_garbage_remove(st->meta, be->id, w.names[i]);
        if (rc == HF_OK)
            rc = meta_intent_remove(st->meta, be->id, w.names[i]);
        if (rc == HF_OK) {
            (*files)++;
            *bytes += w.sizes[i];
        } else {
            hf_fail(st, rc, "backend %s: cannot remove %s", be->name, w.names[i]);
        }
    }
    free(w.names);
    free(w.sizes);
    if (rc == HF_OK && w.kept)
        rc = hf_fail(st, HF_EBUSY, "backend %s: %llu shard files are still needed; not removed",
                     be->name, (unsigned long long)w.kept);
    return rc;
}
