/*
 * verify.c — checking an audit log: in the store (hf_audit_verify), from
 * an export without any store (hf_audit_verify_offline), and writing
 * that export (hf_audit_export).
 *
 * FORMAT of an export directory (docs/audit.md):
 *   key.pub                  the verifier key, one line
 *   entries.jsonl            one JSON object per entry, in order, with
 *                            "leaf": base64 of the exact bytes hashed
 *   checkpoints/<size>.note  every signed checkpoint
 *   checkpoint               the latest one
 *
 * INVARIANTS
 *   (1) One checker (struct checker) judges entries and checkpoints for
 *       both the store and an export: the two cannot disagree on what a
 *       valid log is.
 *   (2) A readable field is trusted only after it is re-derived from the
 *       leaf bytes: an exported line must equal audit_entry_json(leaf).
 *   (3) Verification never writes to the store.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "audit/audit.h"
#include "audit/merkle.h"
#include "audit/note.h"
#include "meta/meta.h"
#include "banned.h"

struct ckpt {
    uint64_t size;
    uint8_t root[32];
    char label[64];
};

struct checker {
    struct note_verifier v;
    struct merkle_frontier f;
    struct hf_audit_report *r;
    struct ckpt *ck;
    size_t nck, next;
    uint8_t (*leaves)[32];      /* kept for offline consistency proofs (may stay NULL) */
    size_t cap;
    bool keep_leaves;
    struct meta *meta;          /* in-store: stored nodes are compared too */
    struct audit_record *rec;   /* decoding space, reused for every entry */
};

static void problem(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct checker *c, const char *fmt, ...)
{
    va_list ap;

    if (c->r->problems++ == 0) {
        va_start(ap, fmt);
        vsnprintf(c->r->first, sizeof(c->r->first), fmt, ap);
        va_end(ap);
    }
}

/* A signed note: checked, then kept for the tree walk. */
static void checker_checkpoint(struct checker *c, const char *note, size_t len,
                               const char *label)
{
    struct ckpt k;
    struct ckpt *n;

    c->r->checkpoints++;
    if (!note_verify(&c->v, note, len, NULL)) {
        problem(c, "checkpoint %s: not signed by the log's key %s", label, c->v.name);
        return;
    }
    if (checkpoint_parse(note, len, c->v.name, &k.size, k.root) != HF_OK) {
        problem(c, "checkpoint %s: not a checkpoint of log %s", label, c->v.name);
        return;
    }
    snprintf(k.label, sizeof(k.label), "%s", label);
    if (!(n = realloc(c->ck, (c->nck + 1) * sizeof(*n)))) {
        problem(c, "out of memory");
        return;
    }
    c->ck = n;
    c->ck[c->nck++] = k;
}

static int ck_cmp(const void *a, const void *b)
{
    const struct ckpt *x = a, *y = b;

    return x->size < y->size ? -1 : x->size > y->size;
}

/* Compare the roots of checkpoints of the current size. */
static void check_roots(struct checker *c)
{
    uint8_t root[32];

    while (c->next < c->nck && c->ck[c->next].size == c->f.size) {
        merkle_frontier_root(&c->f, root);
        if (memcmp(root, c->ck[c->next].root, 32) != 0)
            problem(c, "checkpoint %s: its root is not the root of the first %llu entries:"
                       " history was rewritten", c->ck[c->next].label,
                    (unsigned long long)c->f.size);
        c->next++;
    }
}

static void checker_begin(struct checker *c)
{
    if (c->nck > 1)             /* c->ck is NULL when no checkpoint was kept */
        qsort(c->ck, c->nck, sizeof(*c->ck), ck_cmp);
    merkle_frontier_init(&c->f);
    check_roots(c);
}

static void node_check(void *arg, unsigned level, uint64_t index, const uint8_t *hash)
{
    struct checker *c = arg;
    uint8_t stored[32];

    if (meta_audit_node_get(c->meta, level, index, stored) != HF_OK ||
        memcmp(stored, hash, 32) != 0)
        problem(c, "stored tree node (%u, %llu) is missing or wrong", level,
                (unsigned long long)index);
}

static void checker_entry(struct checker *c, uint64_t seq, const uint8_t *leaf, size_t len)
{
    struct audit_record *r = c->rec ? c->rec : (c->rec = malloc(sizeof(*r)));
    uint8_t lh[32];
    uint64_t pos = c->f.size;

    c->r->entries++;
    if (seq != pos)
        problem(c, "entry at position %llu is numbered %llu: an entry was removed, inserted"
                   " or moved", (unsigned long long)pos, (unsigned long long)seq);
    if (!r || record_decode(leaf, len, r) != HF_OK) {
        problem(c, "entry %llu: not a canonical entry (altered bytes?)", (unsigned long long)pos);
    } else {
        if (r->seq != pos)
            problem(c, "entry %llu: says it is entry %llu: entries were reordered",
                    (unsigned long long)pos, (unsigned long long)r->seq);
        if (pos == 0) {
            struct note_verifier pub;
            const char *key = NULL;
            for (size_t i = 0; i < r->ndetails; i++)
                if (strcmp(r->details[i].key, "key") == 0)
                    key = r->details[i].value;
            if (strcmp(r->kind, "audit.key-created") != 0 || !key ||
                note_vkey_parse(key, &pub) != HF_OK || memcmp(pub.pub, c->v.pub, 32) != 0 ||
                strcmp(pub.name, c->v.name) != 0)
                problem(c, "the log's key %s is not the key its first entry published:"
                           " the signing key was replaced", c->v.name);
        }
    }
    merkle_leaf_hash(leaf, len, lh);
    if (c->keep_leaves) {
        if (c->f.size == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 1024;
            uint8_t (*n)[32] = realloc(c->leaves, cap * 32);
            if (!n) {
                problem(c, "out of memory");
                c->keep_leaves = false;
            } else {
                c->leaves = n;
                c->cap = cap;
            }
        }
        if (c->keep_leaves)
            memcpy(c->leaves[c->f.size], lh, 32);
    }
    merkle_frontier_push(&c->f, lh, c->meta ? node_check : NULL, c);
    check_roots(c);
}

static void checker_end(struct checker *c)
{
    for (; c->next < c->nck; c->next++)
        problem(c, "checkpoint %s covers %llu entries but only %llu remain: the log was"
                   " truncated", c->ck[c->next].label,
                (unsigned long long)c->ck[c->next].size, (unsigned long long)c->f.size);
}

/*
 * An export is one signed tree (hf_audit_export writes only the entries its
 * latest checkpoint covers): an entry past every checkpoint was added to it.
 */
static void checker_covered(struct checker *c)
{
    uint64_t top = c->nck ? c->ck[c->nck - 1].size : 0;   /* sorted by checker_begin */

    if (c->f.size > top)
        problem(c, "entries %llu to %llu are covered by no signed checkpoint: they were"
                   " added to the export", (unsigned long long)top,
                (unsigned long long)c->f.size - 1);
}

static void checker_free(struct checker *c)
{
    free(c->rec);
    free(c->ck);
    free(c->leaves);
}

/* ---- in the store ---- */

static enum hf_err ck_cb(void *arg, uint64_t size, int64_t time, const char *note)
{
    char label[64];

    (void)time;
    snprintf(label, sizeof(label), "of %llu entries", (unsigned long long)size);
    checker_checkpoint(arg, note, strlen(note), label);
    return HF_OK;
}

static enum hf_err entry_cb(void *arg, uint64_t seq, const uint8_t *leaf, size_t len)
{
    checker_entry(arg, seq, leaf, len);
    return HF_OK;
}

enum hf_err hf_audit_verify(struct hf_store *st, struct hf_audit_report *r)
{
    struct checker c = { .r = r, .meta = st->meta };
    char *vkey = NULL;
    enum hf_err rc;

    hf_clear_err(st);
    memset(r, 0, sizeof(*r));
    rc = hf_audit_key(st, &vkey);
    if (rc != HF_OK)
        return rc;
    if (note_vkey_parse(vkey, &c.v) != HF_OK) {
        free(vkey);
        return hf_fail(st, HF_ECONFIG, "the audit key does not parse");
    }
    free(vkey);
    rc = meta_audit_checkpoints(st->meta, 0, false, ck_cb, &c);
    if (rc == HF_ENOTFOUND)
        rc = HF_OK;
    if (rc == HF_OK) {
        checker_begin(&c);
        rc = meta_audit_entries(st->meta, 0, UINT64_MAX, NULL, entry_cb, &c);
    }
    if (rc == HF_OK)
        checker_end(&c);
    checker_free(&c);
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
}

/* ---- export ---- */

static enum hf_err write_text(const char *dir, const char *name, const char *text)
{
    char *p = hf_sprintf("%s/%s", dir, name);
    FILE *f;
    enum hf_err rc = HF_OK;

    if (!p)
        return HF_ENOMEM;
    f = fopen(p, "wxe");
    free(p);
    if (!f)
        return hf_err_from_errno(errno);
    if (fputs(text, f) == EOF)
        rc = hf_err_from_errno(errno);
    if (fclose(f) != 0 && rc == HF_OK)
        rc = hf_err_from_errno(errno);
    return rc;
}

struct exporter {
    FILE *f;
    const char *dir;
    uint64_t latest;
    enum hf_err rc;
};

static enum hf_err export_entry(void *arg, uint64_t seq, const uint8_t *leaf, size_t len)
{
    struct exporter *x = arg;
    json_t *o = audit_entry_json(seq, leaf, len);
    char *line;

    if (!o)
        return HF_ECORRUPT;
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!line)
        return HF_ENOMEM;
    if (fprintf(x->f, "%s\n", line) < 0)
        x->rc = hf_err_from_errno(errno);
    free(line);
    return x->rc;
}

static enum hf_err export_ckpt(void *arg, uint64_t size, int64_t time, const char *note)
{
    struct exporter *x = arg;
    char name[64];

    (void)time;
    snprintf(name, sizeof(name), "checkpoints/%020llu.note", (unsigned long long)size);
    x->latest = size;
    return write_text(x->dir, name, note);
}

static bool dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool empty = true;

    if (!d)
        return true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    return empty;
}

enum hf_err hf_audit_export(struct hf_store *st, const char *dir)
{
    struct exporter x = { NULL, dir, 0, HF_OK };
    char *p = NULL, *vkey = NULL, *note = NULL, *line = NULL;
    enum hf_err rc;

    hf_clear_err(st);
    if (!dir_empty(dir))
        return hf_fail(st, HF_EEXIST, "%s is not empty", dir);
    rc = hf_mkdir_p(dir);
    if (rc == HF_OK && !(p = hf_sprintf("%s/checkpoints", dir)))
        rc = HF_ENOMEM;
    if (rc == HF_OK)
        rc = hf_mkdir_p(p);
    free(p);
    /* A checkpoint of everything first, so that every exported entry is covered. */
    if (rc == HF_OK)
        rc = hf_audit_checkpoint(st, true, &note);
    if (rc == HF_OK)
        rc = hf_audit_key(st, &vkey);
    if (rc == HF_OK && !(line = hf_sprintf("%s\n", vkey)))
        rc = HF_ENOMEM;
    if (rc == HF_OK)
        rc = write_text(dir, "key.pub", line);
    if (rc == HF_OK)
        rc = write_text(dir, "checkpoint", note);
    if (rc == HF_OK)
        rc = meta_audit_checkpoints(st->meta, 0, false, export_ckpt, &x);
    if (rc == HF_OK) {
        if (!(p = hf_sprintf("%s/entries.jsonl", dir)))
            rc = HF_ENOMEM;
        else if (!(x.f = fopen(p, "wxe")))
            rc = hf_err_from_errno(errno);
        free(p);
    }
    /* Only the entries the latest checkpoint covers: the export is one signed tree. */
    if (rc == HF_OK)
        rc = meta_audit_entries(st->meta, 0, x.latest, NULL, export_entry, &x);
    if (x.f && fclose(x.f) != 0 && rc == HF_OK)
        rc = hf_err_from_errno(errno);
    free(vkey);
    free(note);
    free(line);
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "cannot export to %s: %s", dir, hf_strerror(rc));
}

/* ---- offline ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (!f)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            char *b = realloc(buf, cap = cap * 2 + 8192);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Level-0 nodes from the kept leaf hashes; higher ones computed from them. */
static enum hf_err node_from_leaves(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
    struct checker *c = arg;
    uint64_t first = index << level;

    if (first + ((uint64_t)1 << level) > c->f.size)
        return HF_ERANGE;
    if (level == 0) {
        memcpy(out, c->leaves[index], 32);
        return HF_OK;
    }
    uint8_t l[32], r[32];
    enum hf_err rc = node_from_leaves(arg, level - 1, 2 * index, l);
    if (rc == HF_OK)
        rc = node_from_leaves(arg, level - 1, 2 * index + 1, r);
    if (rc == HF_OK)
        merkle_node_hash(l, r, out);
    return rc;
}

/* An auditor's earlier checkpoint: the export must extend it (fork detection). */
static void check_known(struct checker *c, const char *path)
{
    uint8_t path_h[MERKLE_MAX_PROOF][32], root[32], now[32];
    uint64_t size;
    size_t len, n;
    char *note = slurp(path, &len);

    if (!note) {
        problem(c, "%s: cannot read", path);
        return;
    }
    if (!note_verify(&c->v, note, len, NULL) ||
        checkpoint_parse(note, len, c->v.name, &size, root) != HF_OK)
        problem(c, "%s: not a checkpoint signed by the log's key %s", path, c->v.name);
    else if (size > c->f.size)
        problem(c, "%s: covers %llu entries but the export has %llu: the log was truncated",
                path, (unsigned long long)size, (unsigned long long)c->f.size);
    else if (!c->keep_leaves)
        problem(c, "%s: out of memory", path);
    else if (merkle_consistency_proof(node_from_leaves, c, size, c->f.size, path_h, &n) != HF_OK)
        problem(c, "%s: cannot compute a consistency proof", path);
    else {
        merkle_frontier_root(&c->f, now);
        if (!merkle_verify_consistency(size, root, c->f.size, now,
                                       (const uint8_t(*)[32])path_h, n))
            problem(c, "%s: the exported log of %llu entries is not an extension of this"
                       " checkpoint of %llu: the log forked or history was rewritten",
                    path, (unsigned long long)c->f.size, (unsigned long long)size);
    }
    c->r->checkpoints++;
    free(note);
}

static void check_receipt(struct checker *c, const char *path)
{
    json_error_t err;
    json_t *o = json_load_file(path, 0, &err), *proof, *entry, *mine = NULL;
    const char *note, *leaf64;
    uint8_t *leaf = NULL, root[32], lh[32], (*p)[32] = NULL;
    uint64_t size, index;
    size_t len, n = 0, np;

    c->r->entries++;
    if (!o) {
        problem(c, "receipt %s: not JSON (%s)", path, err.text);
        return;
    }
    note = json_string_value(json_object_get(o, "checkpoint"));
    entry = json_object_get(o, "entry");
    leaf64 = json_string_value(json_object_get(entry, "leaf"));
    proof = json_object_get(o, "inclusion_proof");
    index = (uint64_t)json_integer_value(json_object_get(o, "index"));
    if (!note || !leaf64 || !json_is_array(proof) || !json_is_integer(json_object_get(o, "index"))) {
        problem(c, "receipt %s: missing checkpoint, entry, index or inclusion_proof", path);
        goto out;
    }
    c->r->checkpoints++;
    if (!note_verify(&c->v, note, strlen(note), NULL) ||
        checkpoint_parse(note, strlen(note), c->v.name, &size, root) != HF_OK) {
        problem(c, "receipt %s: its checkpoint is not signed by the log's key %s", path,
                c->v.name);
        goto out;
    }
    len = strlen(leaf64);
    np = json_array_size(proof);
    leaf = malloc(len / 4 * 3 + 1);
    p = malloc((np ? np : 1) * 32);
    if (!leaf || !p || np > MERKLE_MAX_PROOF ||
        hf_base64_decode(leaf64, len, leaf, len / 4 * 3, &len) != 0) {
        problem(c, "receipt %s: bad leaf or proof", path);
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        const char *h = json_string_value(json_array_get(proof, i));
        size_t hl;
        if (!h || hf_base64_decode(h, strlen(h), p[n++], 32, &hl) != 0 || hl != 32) {
            problem(c, "receipt %s: bad proof hash %zu", path, i);
            goto out;
        }
    }
    mine = audit_entry_json(index, leaf, len);
    if (!mine || !json_equal(mine, entry)) {
        problem(c, "receipt %s: its entry's fields do not match its leaf bytes", path);
        goto out;
    }
    merkle_leaf_hash(leaf, len, lh);
    if (!merkle_verify_inclusion(lh, index, size, root, (const uint8_t(*)[32])p, n))
        problem(c, "receipt %s: entry %llu is not in the signed tree of %llu entries", path,
                (unsigned long long)index, (unsigned long long)size);
out:
    json_decref(mine);
    json_decref(o);
    free(leaf);
    free(p);
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_note(const struct dirent *e)
{
    size_t n = strlen(e->d_name);

    return n > 5 && strcmp(e->d_name + n - 5, ".note") == 0;
}

static int note_filter(const struct dirent *e) { return is_note(e); }

enum hf_err hf_audit_verify_offline(const char *dir, const char *receipt,
                                    const char *const *known, size_t nknown,
                                    struct hf_audit_report *r)
{
    struct checker c = { .r = r, .keep_leaves = true };
    struct dirent **names = NULL;
    char *p, *text, *line = NULL;
    size_t len, cap = 0;
    ssize_t got;
    int nn;
    FILE *f;

    memset(r, 0, sizeof(*r));
    if (!(p = hf_sprintf("%s/key.pub", dir)))
        return HF_ENOMEM;
    text = slurp(p, &len);
    free(p);
    if (!text)
        return HF_ENOTFOUND;
    if (note_vkey_parse(text, &c.v) != HF_OK) {
        free(text);
        snprintf(r->first, sizeof(r->first), "%s/key.pub: not a verifier key", dir);
        r->problems = 1;
        return HF_OK;
    }
    free(text);

    /* Checkpoints, then entries: the whole export as one tree. */
    if (!(p = hf_sprintf("%s/checkpoints", dir)))
        return HF_ENOMEM;
    nn = scandir(p, &names, note_filter, name_cmp);
    for (int i = 0; i < nn; i++) {
        char *np = hf_sprintf("%s/%s", p, names[i]->d_name);
        if (np && (text = slurp(np, &len))) {
            checker_checkpoint(&c, text, len, names[i]->d_name);
            free(text);
        } else {
            problem(&c, "%s: cannot read", names[i]->d_name);
        }
        free(np);
        free(names[i]);
    }
    free(names);
    free(p);
    checker_begin(&c);
    if (!(p = hf_sprintf("%s/entries.jsonl", dir)))
        return HF_ENOMEM;
    f = fopen(p, "re");
    free(p);
    if (f) {
        uint64_t lineno = 0;
        while ((got = getline(&line, &cap, f)) > 0) {
            json_error_t err;
            json_t *o = json_loads(line, 0, &err), *mine = NULL;
            const char *b64 = json_string_value(json_object_get(o, "leaf"));
            uint64_t idx = (uint64_t)json_integer_value(json_object_get(o, "index"));
            uint8_t *leaf = b64 ? malloc(strlen(b64) / 4 * 3 + 1) : NULL;
            size_t ll = 0;
            lineno++;
            if (!leaf || hf_base64_decode(b64, strlen(b64), leaf, strlen(b64) / 4 * 3, &ll) != 0) {
                problem(&c, "entries.jsonl line %llu: no valid \"leaf\"",
                        (unsigned long long)lineno);
            } else {
                /* Invariant 2: the readable fields must be the leaf's own. */
                mine = audit_entry_json(idx, leaf, ll);
                if (mine && !json_equal(mine, o))
                    problem(&c, "entries.jsonl line %llu: its fields do not match its leaf",
                            (unsigned long long)lineno);
                checker_entry(&c, idx, leaf, ll);
            }
            json_decref(mine);
            json_decref(o);
            free(leaf);
        }
        free(line);
        fclose(f);
        checker_end(&c);
        checker_covered(&c);
    } else if (!receipt) {
        problem(&c, "%s/entries.jsonl: cannot read", dir);
    }
    for (size_t i = 0; f && i < nknown; i++)
        check_known(&c, known[i]);
    if (receipt)
        check_receipt(&c, receipt);
    checker_free(&c);
    return HF_OK;
}
