/*
 * audit.c — the store's append-only, verifiable audit log.
 *
 * Owns the audit_log, audit_node and audit_checkpoint tables (through
 * meta.h) and the signing key file.
 *
 * FORMAT
 *   entries      audit/record.h (the exact bytes the tree hashes)
 *   tree         RFC 6962; every perfect subtree's hash is stored as it is
 *                completed (audit_node), so roots and proofs read O(log n)
 *                rows (audit/merkle.h)
 *   checkpoints  C2SP tlog-checkpoint notes signed with Ed25519 (audit/note.h)
 *   key          the audit_key row: the origin ("holdfast/<16 hex>", also the
 *                key's name) and the 32-byte Ed25519 seed sealed by the
 *                master key (crypt_seal_secret); made at the store's first
 *                open, in its own transaction, before any entry
 *
 * INVARIANTS
 *   (1) An entry and the tree nodes it completes are written in the
 *       transaction of the change the entry records: both or neither.
 *   (2) Entries are only ever inserted at seq = size; nothing here updates
 *       or deletes an entry, a node or a checkpoint.
 *   (3) Entry 0 is "audit.key-created" and publishes the verifier key; a
 *       store's signing key never changes (verify reports a key that is not
 *       the published one).
 *   (4) A checkpoint is signed only over the root recomputed from stored
 *       nodes inside the transaction that reads the size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "audit/audit.h"
#include "audit/merkle.h"
#include "audit/note.h"
#include "meta/meta.h"
#include "store/crypt.h"
#include "banned.h"


struct audit_state {
    struct note_signer signer;
    char *vkey;
    uint8_t leaf[1 + AUDIT_RECORD_MAX];     /* 0x00 || entry: one handle, one thread */
};

void audit_state_free(struct audit_state *a)
{
    if (!a)
        return;
    OPENSSL_cleanse(&a->signer, sizeof(a->signer));
    free(a->vkey);
    free(a);
}

void hf_store_set_actor(struct hf_store *st, const char *actor)
{
    snprintf(st->actor, sizeof(st->actor), "%s", actor ? actor : "");
}

struct audit_record *audit_record_new(const char *kind, const char *subject)
{
    struct audit_record *r = malloc(sizeof(*r));

    if (r)
        record_init(r, kind, subject);
    return r;
}

/* ---- the signing key ---- */

#define SEED_CTX "holdfast audit signing key"

/* Load the key from the database; HF_ENOTFOUND when the store has none yet. */
static enum hf_err read_key(struct hf_store *st, struct note_signer *s)
{
    char origin[NOTE_NAME_MAX + 1];
    uint8_t sealed[32 + CRYPT_SEAL_OVERHEAD + 16], seed[32 + 16];
    size_t len = sizeof(sealed), n = 0;
    enum hf_err rc = meta_audit_key_get(st->meta, origin, sizeof(origin), sealed, &len);

    if (rc != HF_OK)
        return rc;
    rc = crypt_open_secret(st->master_key, SEED_CTX, sealed, len, seed, &n);
    if (rc == HF_OK && n == 32)
        rc = note_signer_from_seed(origin, seed, s);
    else if (rc == HF_OK)
        rc = HF_ECRYPTO;
    OPENSSL_cleanse(seed, sizeof(seed));
    if (rc != HF_OK)
        return hf_fail(st, HF_ECONFIG, "the audit signing key does not open with this store's"
                       " master key");
    return HF_OK;
}

enum hf_err audit_ensure_key(struct hf_store *st)
{
    struct note_signer s;
    uint8_t id[8], sealed[32 + CRYPT_SEAL_OVERHEAD];
    char name[64], hex[17], origin[NOTE_NAME_MAX + 1];
    size_t len = sizeof(sealed);
    enum hf_err rc = meta_audit_key_get(st->meta, origin, sizeof(origin), sealed, &len);

    if (rc != HF_ENOTFOUND)
        return rc;
    rc = hf_random(id, sizeof(id));
    if (rc != HF_OK)
        return rc;
    hf_hex(id, sizeof(id), hex);
    snprintf(name, sizeof(name), "holdfast/%s", hex);
    rc = note_signer_generate(name, &s);
    if (rc == HF_OK)
        rc = crypt_seal_secret(st->master_key, SEED_CTX, s.priv, 32, sealed);
    OPENSSL_cleanse(&s, sizeof(s));
    /* A concurrent opener may win; INSERT OR IGNORE keeps the first key. */
    if (rc == HF_OK)
        rc = meta_audit_key_put(st->meta, name, sealed, sizeof(sealed));
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "cannot store the audit signing key: %s",
                                         meta_errmsg(st->meta));
}

/* The store's signing key (audit_ensure_key made it at open). */
static enum hf_err load_key(struct hf_store *st, struct audit_state **out)
{
    struct audit_state *a;
    enum hf_err rc;

    if (st->audit) {
        *out = st->audit;
        return HF_OK;
    }
    if (!(a = calloc(1, sizeof(*a))))
        return HF_ENOMEM;
    rc = read_key(st, &a->signer);
    if (rc == HF_ENOTFOUND)
        rc = hf_fail(st, HF_ECONFIG, "the store has no audit signing key");
    if (rc == HF_OK && !(a->vkey = note_vkey(&a->signer)))
        rc = HF_ENOMEM;
    if (rc != HF_OK) {
        audit_state_free(a);
        return rc;
    }
    st->audit = *out = a;
    return HF_OK;
}

/* ---- appending ---- */

struct node_writer {
    struct meta *m;
    enum hf_err rc;
};

/* The tree nodes the new leaf completes: its own and each finished parent. */
static enum hf_err append_nodes(struct meta *m, uint64_t seq, const uint8_t leaf_hash[32])
{
    uint8_t h[32], sib[32];
    uint64_t idx = seq;
    unsigned level = 0;
    enum hf_err rc = meta_audit_node_put(m, 0, seq, leaf_hash);

    memcpy(h, leaf_hash, 32);
    while (rc == HF_OK && (idx & 1)) {
        rc = meta_audit_node_get(m, level, idx - 1, sib);
        if (rc != HF_OK)
            break;
        merkle_node_hash(sib, h, h);
        idx >>= 1;
        level++;
        rc = meta_audit_node_put(m, level, idx, h);
    }
    return rc;
}

static enum hf_err append_one(struct hf_store *st, struct audit_record *r, uint64_t seq)
{
    uint8_t *leaf = st->audit->leaf + 1, lh[32];
    size_t len;
    enum hf_err rc;

    r->seq = seq;
    r->time_ns = hf_now_ns();
    r->actor = st->actor[0] ? st->actor : "library";
    rc = record_encode(r, leaf, AUDIT_RECORD_MAX, &len);
    if (rc != HF_OK)
        return hf_fail(st, rc == HF_ERANGE ? HF_EINVAL : rc,
                       "audit: event %s does not encode", r->kind);
    st->audit->leaf[0] = 0x00;                  /* RFC 6962 leaf prefix */
    SHA256(st->audit->leaf, len + 1, lh);
    rc = meta_audit_append(st->meta, seq, r->time_ns, r->kind, leaf, len);
    if (rc == HF_OK)
        rc = append_nodes(st->meta, seq, lh);
    if (rc != HF_OK)
        hf_fail(st, rc, "audit log: cannot append %s: %s", r->kind, meta_errmsg(st->meta));
    return rc;
}

enum hf_err audit_append(struct hf_store *st, struct audit_record *r)
{
    struct audit_state *a;
    uint64_t size;
    enum hf_err rc = load_key(st, &a);

    if (rc == HF_OK)
        rc = meta_audit_size(st->meta, &size);
    if (rc == HF_OK && size == 0) {
        /* Invariant 3: the log opens by publishing its key. */
        struct audit_record *k = audit_record_new("audit.key-created", a->signer.name);
        if (!k)
            return HF_ENOMEM;
        record_detail(k, "key", "%s", a->vkey);
        record_detail(k, "algorithm", "Ed25519");
        rc = append_one(st, k, 0);
        free(k);
        size = 1;
    }
    if (rc == HF_OK)
        rc = append_one(st, r, size);
    return rc;
}

enum hf_err audit_event(struct hf_store *st, const char *kind, const char *subject, ...)
{
    struct audit_record *r = audit_record_new(kind, subject);
    const char *k, *v;
    enum hf_err rc;
    va_list ap;

    if (!r)
        return HF_ENOMEM;
    va_start(ap, subject);
    while ((k = va_arg(ap, const char *)) && (v = va_arg(ap, const char *)))
        record_detail(r, k, "%s", v);
    va_end(ap);
    rc = audit_append(st, r);
    free(r);
    return rc;
}

enum hf_err audit_commit(struct hf_store *st, enum hf_err rc)
{
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        if (rc == HF_EMETA || rc == HF_EBUSY || !st->errmsg[0])
            hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        return rc;
    }
    audit_after_commit(st);
    return HF_OK;
}

enum hf_err audit_log(struct hf_store *st, struct audit_record *r)
{
    enum hf_err rc = meta_begin(st->meta);

    if (rc == HF_OK)
        rc = audit_append(st, r);
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        return rc;
    }
    audit_after_commit(st);
    return HF_OK;
}

/* ---- checkpoints ---- */

static enum hf_err node_from_meta(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
    return meta_audit_node_get(arg, level, index, out);
}

struct latest {
    uint64_t size;
    int64_t time;
    char *note;
};

static enum hf_err latest_cb(void *arg, uint64_t size, int64_t time, const char *note)
{
    struct latest *l = arg;

    l->size = size;
    l->time = time;
    free(l->note);
    l->note = strdup(note);
    return l->note ? HF_OK : HF_ENOMEM;
}

/* The latest checkpoint (HF_ENOTFOUND when none): *@l owns its note. */
static enum hf_err latest_checkpoint(struct hf_store *st, struct latest *l)
{
    memset(l, 0, sizeof(*l));
    return meta_audit_checkpoints(st->meta, 0, true, latest_cb, l);
}

/*
 * Sign a checkpoint of the whole tree unless the latest covers it, or
 * (with @max_age_s > 0) is younger than that.  Invariant 4.
 */
static enum hf_err sign_checkpoint(struct hf_store *st, int64_t max_age_s)
{
    struct audit_state *a;
    struct latest l;
    uint64_t size;
    uint8_t root[32];
    char *text = NULL, *note = NULL;
    enum hf_err rc = load_key(st, &a);

    if (rc != HF_OK)
        return rc;
    rc = meta_begin(st->meta);
    if (rc != HF_OK)
        return rc;
    rc = meta_audit_size(st->meta, &size);
    if (rc == HF_OK) {
        enum hf_err lr = latest_checkpoint(st, &l);
        free(l.note);
        if (lr == HF_OK && (l.size >= size ||
                            (max_age_s > 0 && hf_now_ns() - l.time < max_age_s * 1000000000)))
            goto out;           /* nothing to do */
        if (lr != HF_OK && lr != HF_ENOTFOUND)
            rc = lr;
    }
    if (rc == HF_OK)
        rc = merkle_range_hash(node_from_meta, st->meta, 0, size, root);
    if (rc == HF_OK && !(text = checkpoint_text(a->signer.name, size, root)))
        rc = HF_ENOMEM;
    if (rc == HF_OK)
        rc = note_sign(&a->signer, text, strlen(text), &note);
    if (rc == HF_OK)
        rc = meta_audit_checkpoint_add(st->meta, size, hf_now_ns(), note);
out:
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        hf_fail(st, rc, "audit log: cannot sign a checkpoint: %s", meta_errmsg(st->meta));
    }
    free(text);
    free(note);
    return rc;
}

void audit_after_commit(struct hf_store *st)
{
    (void)sign_checkpoint(st, AUDIT_CHECKPOINT_INTERVAL_S);
}

/* ---- what the store was opened with: clock overrides, configuration ---- */

struct last_detail {
    const char *key;
    char value[128];
};

/* Keeps the value of detail @key of the last entry seen. */
static enum hf_err last_detail_cb(void *arg, uint64_t seq, const uint8_t *leaf, size_t len)
{
    struct last_detail *o = arg;
    struct audit_record *r = malloc(sizeof(*r));

    (void)seq;
    if (!r)
        return HF_ENOMEM;
    o->value[0] = '\0';
    if (record_decode(leaf, len, r) == HF_OK)
        for (size_t i = 0; i < r->ndetails; i++)
            if (strcmp(r->details[i].key, o->key) == 0)
                snprintf(o->value, sizeof(o->value), "%s", r->details[i].value);
    free(r);
    return HF_OK;
}

/* Log @kind with @key = @value unless the last @kind entry already says so. */
static void log_if_changed(struct hf_store *st, const char *kind, const char *subject,
                           const char *key, const char *value, const char *k2, const char *v2)
{
    struct last_detail last = { key, "" };

    if (meta_audit_entries(st->meta, 0, UINT64_MAX, kind, last_detail_cb, &last) != HF_OK ||
        strcmp(last.value, value) == 0)
        return;
    if (meta_begin(st->meta) != HF_OK)
        return;
    if (audit_event(st, kind, subject, key, value, k2, v2, NULL) == HF_OK &&
        meta_commit(st->meta) == HF_OK)
        return;
    meta_rollback(st->meta);
}

void audit_open_checks(struct hf_store *st)
{
    const char *off = getenv("HOLDFAST_CLOCK_OFFSET_S"), *now = getenv("HOLDFAST_NOW");
    char v[128];

    if (off && *off) {
        snprintf(v, sizeof(v), "%lld", strtoll(off, NULL, 10));
        log_if_changed(st, "clock.override", "clock", "offset-seconds", v, "source",
                       "HOLDFAST_CLOCK_OFFSET_S");
    }
    /* HOLDFAST_NOW (checked at open: RFC 3339): each new value is logged once. */
    if (now && *now) {
        snprintf(v, sizeof(v), "%s", now);
        log_if_changed(st, "clock.override", "clock", "now", v, "source", "HOLDFAST_NOW");
    }
    /* holdfast.conf is edited by hand: a change shows at the next open. */
    snprintf(v, sizeof(v), "ec=%u+%u segment-size=%u", st->k, st->m, st->segment_size);
    log_if_changed(st, "store.config", "holdfast.conf", "settings", v, NULL, NULL);
}

/* ---- JSON ---- */

/*
 * A value as a JSON string: itself when it is UTF-8, else read as Latin-1
 * (each byte one code point), so that every entry can be listed and
 * exported; "leaf" keeps the exact bytes.  NULL on ENOMEM.
 */
static json_t *text_json(const char *s)
{
    json_t *j = json_string(s);
    char *u;
    size_t n = 0;

    if (j || !(u = malloc(2 * strlen(s) + 1)))
        return j;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80) {
            u[n++] = (char)*p;
        } else {
            u[n++] = (char)(0xc0 | *p >> 6);
            u[n++] = (char)(0x80 | (*p & 0x3f));
        }
    }
    u[n] = '\0';
    j = json_string(u);
    free(u);
    return j;
}

void *audit_entry_json(uint64_t seq, const uint8_t *leaf, size_t len)
{
    struct audit_record *r = malloc(sizeof(*r));
    json_t *o = NULL, *d, *docs;
    char t[AUDIT_TIME_LEN], *b64 = NULL;

    if (!r || record_decode(leaf, len, r) != HF_OK || r->seq != seq)
        goto out;
    if (!(b64 = malloc(HF_BASE64_LEN(len))))
        goto out;
    hf_base64_encode(leaf, len, b64);
    record_format_time(r->time_ns, t);
    d = json_object();
    docs = json_array();
    for (size_t i = 0; d && i < r->ndetails; i++)
        if (json_object_set_new(d, r->details[i].key, text_json(r->details[i].value)) != 0) {
            json_decref(d);         /* never a silently missing detail */
            d = NULL;
        }
    for (size_t i = 0; docs && i < r->ndocs; i++) {
        char hex[65], v[72];
        hf_hex(r->docs[i], 32, hex);
        snprintf(v, sizeof(v), "sha256:%s", hex);
        json_array_append_new(docs, json_string(v));
    }
    /* Values are not always UTF-8 (a store's path, say): text_json. */
    o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "index", (json_int_t)seq,
                  "time", t, "kind", r->kind,
                  "actor", text_json(r->actor), "subject", text_json(r->subject),
                  "details", d, "documents", docs, "leaf", b64);
out:
    free(b64);
    free(r);
    return o;
}

static char *dump(json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    json_decref(o);
    return s;
}

/* ---- listing ---- */

struct lister {
    hf_audit_fn fn;
    void *arg;
    uint64_t left;
};

static enum hf_err list_cb(void *arg, uint64_t seq, const uint8_t *leaf, size_t len)
{
    struct lister *l = arg;
    json_t *o;
    char *line;
    struct hf_audit_entry e = { .index = seq };
    enum hf_err rc;

    if (l->left == 0)
        return HF_OK;
    l->left--;
    if (!(o = audit_entry_json(seq, leaf, len)))
        return HF_ECORRUPT;
    e.kind = json_string_value(json_object_get(o, "kind"));
    e.actor = json_string_value(json_object_get(o, "actor"));
    e.subject = json_string_value(json_object_get(o, "subject"));
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!line) {
        json_decref(o);
        return HF_ENOMEM;
    }
    e.json = line;
    {
        struct audit_record *r = malloc(sizeof(*r));
        if (r && record_decode(leaf, len, r) == HF_OK)
            e.time_ns = r->time_ns;
        free(r);
    }
    rc = l->fn(l->arg, &e);
    free(line);
    json_decref(o);
    return rc;
}

enum hf_err hf_audit_size(struct hf_store *st, uint64_t *size)
{
    hf_clear_err(st);
    enum hf_err rc = meta_audit_size(st->meta, size);
    return rc == HF_OK ? rc : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
}

enum hf_err hf_audit_list(struct hf_store *st, uint64_t from, uint64_t count, const char *kind,
                          hf_audit_fn fn, void *arg)
{
    struct lister l = { fn, arg, count ? count : UINT64_MAX };

    hf_clear_err(st);
    return meta_audit_entries(st->meta, from, UINT64_MAX, kind, list_cb, &l);
}

enum hf_err hf_audit_checkpoint(struct hf_store *st, bool sign, char **note)
{
    struct latest l;
    enum hf_err rc = HF_OK;

    hf_clear_err(st);
    *note = NULL;
    if (sign) {
        uint64_t size;
        rc = meta_audit_size(st->meta, &size);
        if (rc == HF_OK && size == 0) {
            /* An empty log has no key yet: publishing it is the first entry. */
            struct audit_record *r = audit_record_new("audit.log-opened", "log");
            rc = r ? audit_log(st, r) : HF_ENOMEM;
            free(r);
        }
        if (rc == HF_OK)
            rc = sign_checkpoint(st, 0);
        if (rc != HF_OK)
            return rc;
    }
    rc = latest_checkpoint(st, &l);
    if (rc == HF_OK)
        *note = l.note;
    else
        free(l.note);
    return rc;
}

enum hf_err hf_audit_key(struct hf_store *st, char **vkey)
{
    struct audit_state *a;
    enum hf_err rc = load_key(st, &a);

    *vkey = NULL;
    if (rc == HF_OK && !(*vkey = strdup(a->vkey)))
        rc = HF_ENOMEM;
    return rc;
}

/* ---- proofs ---- */

static json_t *hashes_json(uint8_t (*h)[32], size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a && i < n; i++) {
        char b64[HF_BASE64_LEN(32)];
        hf_base64_encode(h[i], 32, b64);
        json_array_append_new(a, json_string(b64));
    }
    return a;
}

static json_t *hash_json(const uint8_t h[32])
{
    char b64[HF_BASE64_LEN(32)];

    hf_base64_encode(h, 32, b64);
    return json_string(b64);
}

struct one_note {
    char *note;
};

static enum hf_err one_note_cb(void *arg, uint64_t size, int64_t time, const char *note)
{
    struct one_note *o = arg;

    (void)size;
    (void)time;
    if (!o->note)
        o->note = strdup(note);
    return HF_OK;
}

/* The checkpoint of exactly @size entries as a JSON string, or JSON null. */
static json_t *checkpoint_of(struct hf_store *st, uint64_t size)
{
    struct one_note o = { NULL };
    json_t *j;
    uint64_t got;
    uint8_t root[32];

    (void)meta_audit_checkpoints(st->meta, size, false, one_note_cb, &o);
    if (!o.note || checkpoint_parse(o.note, strlen(o.note), NULL, &got, root) != HF_OK ||
        got != size) {
        free(o.note);
        return json_null();
    }
    j = json_string(o.note);
    free(o.note);
    return j;
}

struct entry_bytes {
    uint8_t *leaf;
    size_t len;
};

static enum hf_err entry_bytes_cb(void *arg, uint64_t seq, const uint8_t *leaf, size_t len)
{
    struct entry_bytes *e = arg;

    (void)seq;
    if (!(e->leaf = malloc(len ? len : 1)))
        return HF_ENOMEM;
    memcpy(e->leaf, leaf, len);
    e->len = len;
    return HF_OK;
}

/* The size to prove against: @size, or the latest checkpoint's (signed now if short). */
static enum hf_err proof_size(struct hf_store *st, uint64_t index, uint64_t *size)
{
    struct latest l;
    uint64_t n;
    enum hf_err rc = meta_audit_size(st->meta, &n);

    if (rc != HF_OK)
        return rc;
    if (*size) {
        if (*size > n || index >= *size)
            return hf_fail(st, HF_ERANGE, "entry %llu is not in a tree of %llu entries"
                           " (the log has %llu)", (unsigned long long)index,
                           (unsigned long long)*size, (unsigned long long)n);
        return HF_OK;
    }
    if (index >= n)
        return hf_fail(st, HF_ERANGE, "no entry %llu: the log has %llu",
                       (unsigned long long)index, (unsigned long long)n);
    rc = latest_checkpoint(st, &l);
    free(l.note);
    if (rc == HF_ENOTFOUND || (rc == HF_OK && l.size <= index)) {
        rc = sign_checkpoint(st, 0);
        if (rc == HF_OK)
            rc = latest_checkpoint(st, &l);
        free(l.note);
    }
    if (rc == HF_OK)
        *size = l.size;
    return rc;
}

/* The inclusion proof of @index in @size as a JSON object. */
static enum hf_err prove(struct hf_store *st, uint64_t index, uint64_t size, json_t **out)
{
    uint8_t path[MERKLE_MAX_PROOF][32], root[32], lh[32];
    struct entry_bytes e = { NULL, 0 };
    json_t *entry;
    size_t n;
    enum hf_err rc = proof_size(st, index, &size);

    *out = NULL;
    if (rc != HF_OK)
        return rc;
    rc = meta_audit_entries(st->meta, index, index + 1, NULL, entry_bytes_cb, &e);
    if (rc == HF_OK && !e.leaf)
        rc = hf_fail(st, HF_ECORRUPT, "audit log: entry %llu is missing",
                     (unsigned long long)index);
    if (rc == HF_OK)
        rc = merkle_inclusion_proof(node_from_meta, st->meta, index, size, path, &n);
    if (rc == HF_OK)
        rc = merkle_range_hash(node_from_meta, st->meta, 0, size, root);
    if (rc != HF_OK) {
        free(e.leaf);
        return rc == HF_ECORRUPT ? rc : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    }
    merkle_leaf_hash(e.leaf, e.len, lh);
    entry = audit_entry_json(index, e.leaf, e.len);
    free(e.leaf);
    if (!entry)
        return hf_fail(st, HF_ECORRUPT, "audit log: entry %llu is not canonical",
                       (unsigned long long)index);
    *out = json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
                     "format", "holdfast-audit-inclusion/1", "index", (json_int_t)index,
                     "tree_size", (json_int_t)size, "leaf_hash", hash_json(lh),
                     "root", hash_json(root), "inclusion_proof", hashes_json(path, n),
                     "entry", entry, "checkpoint", checkpoint_of(st, size));
    return *out ? HF_OK : HF_ENOMEM;
}

enum hf_err hf_audit_prove(struct hf_store *st, uint64_t index, uint64_t size, char **json)
{
    json_t *o;
    enum hf_err rc;

    hf_clear_err(st);
    *json = NULL;
    rc = prove(st, index, size, &o);
    if (rc == HF_OK && !(*json = dump(o)))
        rc = HF_ENOMEM;
    return rc;
}

enum hf_err hf_audit_receipt(struct hf_store *st, uint64_t index, char **json)
{
    struct audit_state *a;
    json_t *o;
    enum hf_err rc;

    hf_clear_err(st);
    *json = NULL;
    rc = load_key(st, &a);
    if (rc == HF_OK)
        rc = prove(st, index, 0, &o);
    if (rc != HF_OK)
        return rc;
    json_object_set_new(o, "format", json_string("holdfast-audit-receipt/1"));
    json_object_set_new(o, "key", json_string(a->vkey));
    *json = dump(o);
    return *json ? HF_OK : HF_ENOMEM;
}

enum hf_err hf_audit_consistency(struct hf_store *st, uint64_t old, uint64_t new, char **json)
{
    uint8_t path[MERKLE_MAX_PROOF][32], r1[32], r2[32];
    uint64_t n;
    size_t np;
    enum hf_err rc;

    hf_clear_err(st);
    *json = NULL;
    rc = meta_audit_size(st->meta, &n);
    if (rc == HF_OK && (old > new || new > n))
        return hf_fail(st, HF_ERANGE, "need OLD <= NEW <= %llu (the log's size)",
                       (unsigned long long)n);
    if (rc == HF_OK)
        rc = merkle_consistency_proof(node_from_meta, st->meta, old, new, path, &np);
    if (rc == HF_OK)
        rc = merkle_range_hash(node_from_meta, st->meta, 0, old, r1);
    if (rc == HF_OK)
        rc = merkle_range_hash(node_from_meta, st->meta, 0, new, r2);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    *json = dump(json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
                           "format", "holdfast-audit-consistency/1",
                           "old_size", (json_int_t)old, "new_size", (json_int_t)new,
                           "old_root", hash_json(r1), "new_root", hash_json(r2),
                           "consistency_proof", hashes_json(path, np),
                           "old_checkpoint", checkpoint_of(st, old),
                           "new_checkpoint", checkpoint_of(st, new)));
    return *json ? HF_OK : HF_ENOMEM;
}
