/*
 * test_meta.c — unit tests for meta/meta.h on a real SQLite file.
 *
 * Each test gets a fresh database in its own mkdtemp directory (setup) and
 * the directory is removed afterwards (teardown).
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "meta/meta.h"

struct fx {
    char dir[64];
    char path[96];
    struct meta *m;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/holdfast-meta.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/meta.db", f->dir);
    if (meta_open(f->path, true, &f->m) != HF_OK) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    char p[128];

    meta_close(f->m);
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/other.db", f->dir);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void reopen(struct fx *f)
{
    meta_close(f->m);
    f->m = NULL;
    assert_int_equal(meta_open(f->path, false, &f->m), HF_OK);
    assert_non_null(f->m);
}

static int64_t bucket(struct meta *m, const char *name)
{
    int64_t id = -1;

    assert_int_equal(meta_bucket_create(m, name, 1000, 0, 1), HF_OK);
    assert_int_equal(meta_bucket_id(m, name, &id), HF_OK);
    assert_true(id > 0);
    return id;
}

static uint8_t vid_seq;

/* A live version of (@b, @key) with a fresh vid; inserted, id set. */
static struct meta_version put(struct meta *m, int64_t b, const char *key, size_t keylen,
                               uint64_t size, int marker)
{
    struct meta_version v;

    memset(&v, 0, sizeof(v));
    v.bucket = b;
    memcpy(v.key, key, keylen);
    v.keylen = keylen;
    vid_seq++;
    for (int i = 0; i < 16; i++)
        v.vid[i] = (uint8_t)(vid_seq * 31 + i);
    v.state = VERSION_LIVE;
    v.marker = marker;
    v.mtime = 1700000000000000000 + vid_seq;
    v.size = size;
    v.k = marker ? 0 : 4;
    v.m = marker ? 0 : 2;
    v.segsize = 4u << 20;
    v.nsegs = (size + v.segsize - 1) / v.segsize;
    for (int i = 0; i < 16; i++) {
        v.checksum[i] = (uint8_t)(0xc0 + i + vid_seq);
        v.objhash[i] = (uint8_t)(0x30 + i);
    }
    for (int i = 0; i < 60; i++)
        v.wrapped[i] = (uint8_t)(i ^ vid_seq);
    assert_int_equal(meta_version_insert(m, &v), HF_OK);
    assert_true(v.id > 0);
    return v;
}

static void assert_version_equal(const struct meta_version *a, const struct meta_version *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->bucket, b->bucket);
    assert_int_equal(a->keylen, b->keylen);
    assert_memory_equal(a->key, b->key, a->keylen);
    assert_int_equal(b->key[b->keylen], '\0');
    assert_memory_equal(a->vid, b->vid, 16);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->marker, b->marker);
    assert_int_equal(a->mtime, b->mtime);
    assert_int_equal(a->size, b->size);
    assert_int_equal(a->k, b->k);
    assert_int_equal(a->m, b->m);
    assert_int_equal(a->segsize, b->segsize);
    assert_int_equal(a->nsegs, b->nsegs);
    assert_memory_equal(a->checksum, b->checksum, 16);
    assert_memory_equal(a->wrapped, b->wrapped, 60);
    assert_memory_equal(a->objhash, b->objhash, 16);
}

/* ---- listing collector ---- */

struct seen {
    size_t n;
    struct {
        char key[HF_KEY_MAX + 1];
        size_t keylen;
        int64_t id;
        int latest, marker;
    } v[64];
};

static enum hf_err collect(void *arg, const struct meta_version *v)
{
    struct seen *s = arg;

    assert_true(s->n < 64);
    memcpy(s->v[s->n].key, v->key, v->keylen);
    s->v[s->n].keylen = v->keylen;
    s->v[s->n].id = v->id;
    s->v[s->n].latest = v->latest;
    s->v[s->n].marker = v->marker;
    s->n++;
    return HF_OK;
}

static void list(struct meta *m, int64_t b, const char *prefix, size_t plen, bool all,
                 struct seen *s)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(meta_version_list(m, b, prefix, plen, all, collect, s), HF_OK);
}

static int bytecmp(const void *a, size_t al, const void *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* ---- open and schema ---- */

static void test_open_and_schema(void **state)
{
    struct fx *f = *state;
    struct meta *m = (struct meta *)1;
    sqlite3 *db;
    sqlite3_stmt *st;
    char other[128];
    int tables = 0;

    /* a missing file without create: an error and a NULL handle */
    snprintf(other, sizeof(other), "%s/other.db", f->dir);
    assert_int_not_equal(meta_open(other, false, &m), HF_OK);
    assert_null(m);
    assert_int_equal(access(other, F_OK), -1); /* and nothing created */

    /* the created file has the schema, in WAL mode */
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table'"
                                            " AND name IN ('info','backends','buckets',"
                                            "'versions','shards','intents','garbage')",
                                        -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        tables++;
    sqlite3_finalize(st);
    assert_int_equal(tables, 7);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM info WHERE key='schema'", -1,
                                        &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "1");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* reopen without create; creating again over it is harmless */
    reopen(f);
    meta_close(f->m);
    f->m = NULL;
    assert_int_equal(meta_open(f->path, true, &f->m), HF_OK);
}

static void test_open_foreign_db(void **state)
{
    struct fx *f = *state;
    struct meta *m = (struct meta *)1;
    sqlite3 *db;
    char other[128];

    snprintf(other, sizeof(other), "%s/other.db", f->dir);
    /* an SQLite file that is not a holdfast database */
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_not_equal(meta_open(other, false, &m), HF_OK);
    assert_null(m);
    /* a holdfast database of an unknown schema version */
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT);"
                                      "INSERT INTO info VALUES('schema','2')", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    m = (struct meta *)1;
    assert_int_equal(meta_open(other, false, &m), HF_ECONFIG);
    assert_null(m);
    unlink(other);
}

/* ---- buckets ---- */

struct names {
    size_t n;
    char name[8][64];
};

static enum hf_err collect_bucket(void *arg, const char *name, int64_t created)
{
    struct names *s = arg;

    assert_int_equal(created, 1000);
    assert_true(s->n < 8);
    snprintf(s->name[s->n++], 64, "%s", name);
    return HF_OK;
}

static enum hf_err stop_at_first(void *arg, const char *name, int64_t created)
{
    (void)name;
    (void)created;
    (*(int *)arg)++;
    return HF_ENOSPC;
}

static void test_buckets(void **state)
{
    struct fx *f = *state;
    int64_t a, b, id = 77;
    struct names s = { 0 };
    int calls = 0;

    assert_int_equal(meta_bucket_id(f->m, "nosuch", &id), HF_ENOTFOUND);
    assert_int_equal(id, 0);
    b = bucket(f->m, "bbb");
    a = bucket(f->m, "aaa");
    assert_int_not_equal(a, b);
    assert_int_equal(meta_bucket_create(f->m, "aaa", 1000, 0, 1), HF_EEXIST);
    assert_int_equal(meta_bucket_id(f->m, "aaa", &id), HF_OK);
    assert_int_equal(id, a);
    assert_int_equal(meta_bucket_list(f->m, collect_bucket, &s), HF_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.name[0], "aaa");  /* name order */
    assert_string_equal(s.name[1], "bbb");
    /* a callback's error stops the walk and is returned */
    assert_int_equal(meta_bucket_list(f->m, stop_at_first, &calls), HF_ENOSPC);
    assert_int_equal(calls, 1);
}

/* ---- versions ---- */

static void test_version_get(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "vers"), b2 = bucket(f->m, "other");
    struct meta_version v1, v2, got, dup;
    uint8_t nosuch[16] = { 0xde, 0xad };

    assert_int_equal(meta_version_get(f->m, b, "k", 1, NULL, &got), HF_ENOTFOUND);
    v1 = put(f->m, b, "k", 1, 100, 0);
    assert_int_equal(meta_version_get(f->m, b, "k", 1, NULL, &got), HF_OK);
    assert_version_equal(&v1, &got);
    assert_int_equal(got.latest, 1);

    v2 = put(f->m, b, "k", 1, 200, 0);
    assert_true(v2.id > v1.id);     /* commit order */
    assert_int_equal(meta_version_get(f->m, b, "k", 1, NULL, &got), HF_OK);
    assert_version_equal(&v2, &got);
    assert_int_equal(got.latest, 1);
    assert_int_equal(meta_version_get(f->m, b, "k", 1, v1.vid, &got), HF_OK);
    assert_version_equal(&v1, &got);
    assert_int_equal(got.latest, 0);
    assert_int_equal(meta_version_get(f->m, b, "k", 1, v2.vid, &got), HF_OK);
    assert_int_equal(got.latest, 1);

    assert_int_equal(meta_version_get(f->m, b, "k", 1, nosuch, &got), HF_ENOTFOUND);
    assert_int_equal(meta_version_get(f->m, b2, "k", 1, NULL, &got), HF_ENOTFOUND);
    assert_int_equal(meta_version_get(f->m, b2, "k", 1, v1.vid, &got), HF_ENOTFOUND);
    /* the key is bytes with a length: "k\0" or a prefix is another key */
    assert_int_equal(meta_version_get(f->m, b, "kk", 2, NULL, &got), HF_ENOTFOUND);
    assert_int_equal(meta_version_get(f->m, b, "k", 0, NULL, &got), HF_ENOTFOUND);

    /* version ids are unique */
    dup = v1;
    assert_int_equal(meta_version_insert(f->m, &dup), HF_EEXIST);

    assert_int_equal(meta_version_by_id(f->m, v1.id, &got), HF_OK);
    assert_version_equal(&v1, &got);
    assert_int_equal(meta_version_by_id(f->m, v2.id + 100, &got), HF_ENOTFOUND);
}

static void test_version_long_and_binary_keys(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "bin");
    char key[HF_KEY_MAX];
    struct meta_version v, got;
    static const char hi[] = "\xc3\xa9t\xc3\xa9/\xf0\x9f\x98\x80";

    memset(key, 'x', sizeof(key));
    key[0] = (char)0xff;
    v = put(f->m, b, key, sizeof(key), 1, 0);
    assert_int_equal(meta_version_get(f->m, b, key, sizeof(key), NULL, &got), HF_OK);
    assert_version_equal(&v, &got);
    assert_int_equal(meta_version_get(f->m, b, key, sizeof(key) - 1, NULL, &got),
                     HF_ENOTFOUND);
    v = put(f->m, b, hi, sizeof(hi) - 1, 2, 0);
    assert_int_equal(meta_version_get(f->m, b, hi, sizeof(hi) - 1, NULL, &got), HF_OK);
    assert_version_equal(&v, &got);
}

static void test_list_prefix_bytes(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "list"), b2 = bucket(f->m, "elsewhere");
    static const struct { const char *k; size_t n; } keys[] = {
        { "b", 1 }, { "ab", 2 }, { "a", 1 }, { "abd", 3 }, { "abc", 3 },
        { "a\x80", 2 }, { "a\xff", 2 }, { "a\xc3\xa9", 3 }, { "ab\xff\xff", 4 },
        { "\xf0\x9f\x98\x80", 4 }, { "A", 1 }, { "aa", 2 }, { "ac", 2 },
    };
    const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
    struct seen s;

    for (size_t i = 0; i < nkeys; i++)
        put(f->m, b, keys[i].k, keys[i].n, i, 0);
    put(f->m, b2, "ab", 2, 1, 0);   /* another bucket: never listed */

    /* everything, in byte order */
    list(f->m, b, NULL, 0, false, &s);
    assert_int_equal(s.n, nkeys);
    for (size_t i = 1; i < s.n; i++)
        if (bytecmp(s.v[i - 1].key, s.v[i - 1].keylen, s.v[i].key, s.v[i].keylen) >= 0)
            fail_msg("listing not in byte order at %zu", i);
    assert_int_equal(s.v[0].key[0], 'A');
    assert_int_equal((uint8_t)s.v[s.n - 1].key[0], 0xf0);   /* >= 0x80 sorts last */
    list(f->m, b, "", 0, false, &s);
    assert_int_equal(s.n, nkeys);

    /* "ab" is a proper prefix of other keys and a key itself */
    list(f->m, b, "ab", 2, false, &s);
    assert_int_equal(s.n, 4);
    assert_memory_equal(s.v[0].key, "ab", 2);
    assert_int_equal(s.v[0].keylen, 2);
    assert_memory_equal(s.v[1].key, "abc", 3);
    assert_memory_equal(s.v[2].key, "abd", 3);
    assert_memory_equal(s.v[3].key, "ab\xff\xff", 4);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.v[i].latest, 1);

    /* "a": every a-key, those with bytes >= 0x80 after the ASCII ones */
    list(f->m, b, "a", 1, false, &s);
    assert_int_equal(s.n, 10);
    assert_memory_equal(s.v[0].key, "a", 1);
    assert_int_equal(s.v[0].keylen, 1);
    assert_memory_equal(s.v[6].key, "ac", 2);
    assert_memory_equal(s.v[7].key, "a\x80", 2);
    assert_memory_equal(s.v[8].key, "a\xc3\xa9", 3);
    assert_memory_equal(s.v[9].key, "a\xff", 2);

    /* a prefix with a high byte */
    list(f->m, b, "a\xc3", 2, false, &s);
    assert_int_equal(s.n, 1);
    assert_memory_equal(s.v[0].key, "a\xc3\xa9", 3);
    list(f->m, b, "\xf0", 1, false, &s);
    assert_int_equal(s.n, 1);
    list(f->m, b, "ab\xff", 3, false, &s);
    assert_int_equal(s.n, 1);
    /* prefixes that match nothing, before, between and after keys */
    list(f->m, b, "0", 1, false, &s);
    assert_int_equal(s.n, 0);
    list(f->m, b, "abe", 3, false, &s);
    assert_int_equal(s.n, 0);
    list(f->m, b, "\xff", 1, false, &s);
    assert_int_equal(s.n, 0);
    list(f->m, b, "abcd", 4, false, &s);
    assert_int_equal(s.n, 0);
}

static void test_list_versions(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "multi");
    struct meta_version a1, a2, a3, c1;
    struct seen s;

    a1 = put(f->m, b, "a", 1, 1, 0);
    c1 = put(f->m, b, "c", 1, 1, 0);
    a2 = put(f->m, b, "a", 1, 2, 0);
    a3 = put(f->m, b, "a", 1, 3, 0);

    list(f->m, b, NULL, 0, false, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0].id, a3.id);
    assert_int_equal(s.v[1].id, c1.id);

    list(f->m, b, NULL, 0, true, &s);
    assert_int_equal(s.n, 4);
    /* key order, newest first per key; latest only on the newest */
    assert_int_equal(s.v[0].id, a3.id);
    assert_int_equal(s.v[0].latest, 1);
    assert_int_equal(s.v[1].id, a2.id);
    assert_int_equal(s.v[1].latest, 0);
    assert_int_equal(s.v[2].id, a1.id);
    assert_int_equal(s.v[2].latest, 0);
    assert_int_equal(s.v[3].id, c1.id);
    assert_int_equal(s.v[3].latest, 1);
}

static void test_delete_marker_latest(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "marks");
    struct meta_version v1, mk, got;
    struct seen s;

    v1 = put(f->m, b, "gone", 4, 10, 0);
    put(f->m, b, "kept", 4, 20, 0);
    mk = put(f->m, b, "gone", 4, 0, 1);

    /* the latest is the marker: the lookup returns it, flagged */
    assert_int_equal(meta_version_get(f->m, b, "gone", 4, NULL, &got), HF_OK);
    assert_int_equal(got.id, mk.id);
    assert_int_equal(got.marker, 1);
    assert_int_equal(got.latest, 1);
    /* the older version stays reachable by id, not latest */
    assert_int_equal(meta_version_get(f->m, b, "gone", 4, v1.vid, &got), HF_OK);
    assert_int_equal(got.latest, 0);
    assert_int_equal(got.marker, 0);

    list(f->m, b, NULL, 0, false, &s);
    assert_int_equal(s.n, 1);
    assert_memory_equal(s.v[0].key, "kept", 4);
    list(f->m, b, NULL, 0, true, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.v[0].id, mk.id);
    assert_int_equal(s.v[0].marker, 1);
    assert_int_equal(s.v[0].latest, 1);
    assert_int_equal(s.v[1].id, v1.id);
    assert_int_equal(s.v[1].latest, 0);
}

static void test_set_state_hides(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "hide"), ids[8];
    struct meta_version v1, v2, got;
    struct seen s;
    size_t n = 99;

    v1 = put(f->m, b, "k", 1, 1, 0);
    v2 = put(f->m, b, "k", 1, 2, 0);
    assert_int_equal(meta_version_set_state(f->m, v2.id, VERSION_DELETED), HF_OK);
    /* the older one becomes the latest again */
    assert_int_equal(meta_version_get(f->m, b, "k", 1, NULL, &got), HF_OK);
    assert_int_equal(got.id, v1.id);
    assert_int_equal(got.latest, 1);
    assert_int_equal(meta_version_get(f->m, b, "k", 1, v2.vid, &got), HF_ENOTFOUND);
    list(f->m, b, NULL, 0, true, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].id, v1.id);
    assert_int_equal(s.v[0].latest, 1);
    /* the reclaimer's view: deleted ids */
    assert_int_equal(meta_version_ids(f->m, VERSION_DELETED, false, 0, 8, ids, &n), HF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], v2.id);
    assert_int_equal(meta_version_ids(f->m, VERSION_DELETED, false, v2.id, 8, ids, &n), HF_OK);
    assert_int_equal(n, 0);
    /* both deleted: nothing */
    assert_int_equal(meta_version_set_state(f->m, v1.id, VERSION_DELETED), HF_OK);
    assert_int_equal(meta_version_get(f->m, b, "k", 1, NULL, &got), HF_ENOTFOUND);
    list(f->m, b, NULL, 0, true, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(meta_version_set_state(f->m, v2.id + 1000, VERSION_DELETED),
                     HF_ENOTFOUND);
    /* purge removes the row */
    assert_int_equal(meta_version_purge(f->m, v2.id), HF_OK);
    assert_int_equal(meta_version_by_id(f->m, v2.id, &got), HF_ENOTFOUND);
    assert_int_equal(meta_version_by_id(f->m, v1.id, &got), HF_OK);
    assert_int_equal(got.state, VERSION_DELETED);
}

/* ---- transactions ---- */

static void test_transactions(void **state)
{
    struct fx *f = *state;
    int64_t id, b;
    struct meta_version v, got;

    meta_rollback(NULL);        /* NULL-safe */
    meta_rollback(f->m);        /* no transaction open: harmless */

    assert_int_equal(meta_begin(f->m), HF_OK);
    assert_int_equal(meta_bucket_create(f->m, "rolled", 1, 0, 1), HF_OK);
    assert_int_equal(meta_bucket_id(f->m, "rolled", &id), HF_OK); /* visible inside */
    meta_rollback(f->m);
    assert_int_equal(meta_bucket_id(f->m, "rolled", &id), HF_ENOTFOUND);

    assert_int_equal(meta_begin(f->m), HF_OK);
    assert_int_equal(meta_bucket_create(f->m, "kept", 1, 0, 1), HF_OK);
    assert_int_equal(meta_bucket_id(f->m, "kept", &b), HF_OK);
    v = put(f->m, b, "obj", 3, 42, 0);
    assert_int_equal(meta_commit(f->m), HF_OK);

    reopen(f);
    assert_int_equal(meta_bucket_id(f->m, "kept", &id), HF_OK);
    assert_int_equal(id, b);
    assert_int_equal(meta_version_get(f->m, b, "obj", 3, NULL, &got), HF_OK);
    assert_version_equal(&v, &got);
    assert_int_equal(meta_bucket_id(f->m, "rolled", &id), HF_ENOTFOUND);

    /* nested begin is an error, and the outer transaction still works */
    assert_int_equal(meta_begin(f->m), HF_OK);
    assert_int_not_equal(meta_begin(f->m), HF_OK);
    meta_rollback(f->m);
    assert_int_not_equal(meta_commit(f->m), HF_OK);   /* nothing to commit */
}

/* ---- shards ---- */

static void test_shards(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "shards"), be;
    struct meta_version v, other;
    struct meta_shard sh[HF_MAX_SHARDS];
    unsigned n = 99;
    bool known = true;
    uint8_t novid[16] = { 0 };

    assert_int_equal(meta_backend_add(f->m, &(struct meta_backend){ .name = "d0", .domain = "dom0",
                                                                 .location = "/nowhere/d0" },
                                      &be), HF_OK);
    v = put(f->m, b, "o", 1, 5, 0);
    other = put(f->m, b, "p", 1, 5, 0);
    for (unsigned i = 0; i < 6; i++) {
        struct meta_shard s = { .idx = i, .backend = be + i, .gen = i == 3 ? 2 : 0 };
        assert_int_equal(meta_shard_set(f->m, v.id, &s), HF_OK);
    }
    memset(sh, 0, sizeof(sh));
    assert_int_equal(meta_shards_get(f->m, v.id, sh, &n), HF_OK);
    assert_int_equal(n, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(sh[i].idx, i);
        assert_int_equal(sh[i].backend, be + i);
        assert_int_equal(sh[i].gen, i == 3 ? 2 : 0);
    }
    /* replacing a shard row (repair) keeps one row per index */
    struct meta_shard moved = { .idx = 3, .backend = be + 9, .gen = 3 };
    assert_int_equal(meta_shard_set(f->m, v.id, &moved), HF_OK);
    assert_int_equal(meta_shards_get(f->m, v.id, sh, &n), HF_OK);
    assert_int_equal(n, 6);
    assert_int_equal(sh[3].backend, be + 9);

    assert_int_equal(meta_shard_known(f->m, be + 9, v.vid, 3, 3, &known), HF_OK);
    assert_true(known);
    assert_int_equal(meta_shard_known(f->m, be, v.vid, 0, 0, &known), HF_OK);
    assert_true(known);
    /* every other coordinate wrong in turn */
    assert_int_equal(meta_shard_known(f->m, be + 3, v.vid, 3, 2, &known), HF_OK);
    assert_false(known);   /* the replaced generation */
    known = true;
    assert_int_equal(meta_shard_known(f->m, be + 1, v.vid, 0, 0, &known), HF_OK);
    assert_false(known);   /* wrong backend */
    known = true;
    assert_int_equal(meta_shard_known(f->m, be, v.vid, 1, 0, &known), HF_OK);
    assert_false(known);   /* wrong index */
    known = true;
    assert_int_equal(meta_shard_known(f->m, be, v.vid, 0, 1, &known), HF_OK);
    assert_false(known);   /* wrong generation */
    known = true;
    assert_int_equal(meta_shard_known(f->m, be, other.vid, 0, 0, &known), HF_OK);
    assert_false(known);   /* a version without shard rows */
    known = true;
    assert_int_equal(meta_shard_known(f->m, be, novid, 0, 0, &known), HF_OK);
    assert_false(known);

    /* purge removes the shard rows too */
    assert_int_equal(meta_version_purge(f->m, v.id), HF_OK);
    assert_int_equal(meta_shards_get(f->m, v.id, sh, &n), HF_OK);
    assert_int_equal(n, 0);
}

/* ---- intents and garbage ---- */

static void test_intents_and_garbage(void **state)
{
    struct fx *f = *state;
    struct meta_file a = { .backend = 1, .name = "00ff.0.0", .pid = 1234, .pstart = 5678 };
    struct meta_file b = { .backend = 2, .name = "00ff.1.0", .pid = -1, .pstart = 0 };
    struct meta_file *list_ = NULL;
    size_t n = 99;
    bool known = true;

    for (int i = 0; i < 16; i++)
        a.vid[i] = b.vid[i] = (uint8_t)(0xf0 + i);
    assert_int_equal(meta_intent_list(f->m, &list_, &n), HF_OK);
    assert_int_equal(n, 0);
    free(list_);

    assert_int_equal(meta_intent_add(f->m, &a), HF_OK);
    assert_int_equal(meta_intent_add(f->m, &b), HF_OK);
    assert_int_equal(meta_intent_add(f->m, &a), HF_EEXIST);
    assert_int_equal(meta_intent_list(f->m, &list_, &n), HF_OK);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        const struct meta_file *want = list_[i].backend == 1 ? &a : &b;
        assert_int_equal(list_[i].backend, want->backend);
        assert_string_equal(list_[i].name, want->name);
        assert_memory_equal(list_[i].vid, want->vid, 16);
        assert_int_equal(list_[i].pid, want->pid);
        assert_int_equal(list_[i].pstart, want->pstart);
    }
    free(list_);
    assert_int_equal(meta_file_known(f->m, 1, "00ff.0.0", &known), HF_OK);
    assert_true(known);
    assert_int_equal(meta_file_known(f->m, 2, "00ff.0.0", &known), HF_OK);
    assert_false(known);    /* same name, other backend */

    assert_int_equal(meta_intent_remove(f->m, 1, "00ff.0.0"), HF_OK);
    assert_int_equal(meta_intent_remove(f->m, 1, "00ff.0.0"), HF_OK); /* idempotent */
    assert_int_equal(meta_intent_list(f->m, &list_, &n), HF_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list_[0].name, "00ff.1.0");
    free(list_);

    /* garbage: add is idempotent, listed, known, removable */
    assert_int_equal(meta_garbage_add(f->m, 3, "g.0.0"), HF_OK);
    assert_int_equal(meta_garbage_add(f->m, 3, "g.0.0"), HF_OK);
    assert_int_equal(meta_garbage_add(f->m, 4, "g.0.0"), HF_OK);
    assert_int_equal(meta_garbage_list(f->m, &list_, &n), HF_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list_[0].name, "g.0.0");
    assert_true(list_[0].backend == 3 || list_[0].backend == 4);
    free(list_);
    assert_int_equal(meta_file_known(f->m, 3, "g.0.0", &known), HF_OK);
    assert_true(known);
    assert_int_equal(meta_garbage_remove(f->m, 3, "g.0.0"), HF_OK);
    assert_int_equal(meta_file_known(f->m, 3, "g.0.0", &known), HF_OK);
    assert_false(known);
    assert_int_equal(meta_garbage_list(f->m, &list_, &n), HF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list_[0].backend, 4);
    free(list_);

    /* many rows: the list grows past its first allocation */
    for (int i = 0; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof(name), "many.%d.0", i);
        assert_int_equal(meta_garbage_add(f->m, 9, name), HF_OK);
    }
    assert_int_equal(meta_garbage_list(f->m, &list_, &n), HF_OK);
    assert_int_equal(n, 201);
    free(list_);
}

/* ---- backends ---- */

struct blist {
    size_t n;
    char name[4][16];
    char domain[4][16];
};

static enum hf_err collect_backend(void *arg, const struct meta_backend *b)
{
    struct blist *s = arg;

    assert_true(s->n < 4);
    snprintf(s->name[s->n], 16, "%s", b->name);
    snprintf(s->domain[s->n], 16, "%s", b->domain);
    assert_string_equal(b->kind, "dir");
    assert_true(b->weight == 1.0);
    s->n++;
    return HF_OK;
}

/* Backend states, usage, drained versions and proofs of drain (store/drain.c). */
static void test_backend_states(void **state)
{
    struct fx *f = *state;
    int64_t b = bucket(f->m, "states"), be, ids[8];
    struct meta_version v = put(f->m, b, "o", 1, 5, 0);
    struct meta_shard s = { .idx = 0, .gen = 0 };
    struct meta_check c = { .created = 7, .passed = 1 }, got;
    uint64_t rows = 9, intents = 9, garbage = 9;
    char st[16];
    int64_t since = 0;
    size_t n = 9;

    assert_int_equal(meta_backend_add(f->m, &(struct meta_backend){
                                          .name = "p1", .domain = "dp", .location = "/x/p1",
                                          .provider = "acme", .state_since = 5 }, &be), HF_OK);
    assert_int_equal(meta_backend_state(f->m, be, st, sizeof(st), &since), HF_OK);
    assert_string_equal(st, "active");
    assert_int_equal(since, 5);
    assert_int_equal(meta_backend_set_state(f->m, be, "draining", 6), HF_OK);
    assert_int_equal(meta_backend_state(f->m, be, st, sizeof(st), &since), HF_OK);
    assert_string_equal(st, "draining");
    assert_int_equal(since, 6);
    assert_int_equal(meta_backend_state(f->m, be + 99, st, sizeof(st), NULL), HF_ENOTFOUND);
    s.backend = be;
    assert_int_equal(meta_shard_set(f->m, v.id, &s), HF_OK);
    assert_int_equal(meta_garbage_add(f->m, be, "x.0.0"), HF_OK);
    assert_int_equal(meta_backend_usage(f->m, be, &rows, &intents, &garbage), HF_OK);
    assert_int_equal(rows, 1);
    assert_int_equal(intents, 0);
    assert_int_equal(garbage, 1);
    assert_int_equal(meta_backend_versions(f->m, be, 0, 8, ids, &n), HF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], v.id);
    assert_int_equal(meta_backend_versions(f->m, be, v.id, 8, ids, &n), HF_OK);
    assert_int_equal(n, 0);
    assert_int_equal(meta_drained_add(f->m, be, v.id), HF_OK);
    assert_int_equal(meta_drained_add(f->m, be, v.id), HF_OK);     /* idempotent */
    assert_int_equal(meta_drained_versions(f->m, be, 0, 8, ids, &n), HF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(meta_backend_forget_files(f->m, be), HF_OK);
    assert_int_equal(meta_backend_usage(f->m, be, &rows, NULL, &garbage), HF_OK);
    assert_int_equal(garbage, 0);
    c.backend = be;
    snprintf(c.hash, sizeof(c.hash), "%064d", 1);
    snprintf(c.fingerprint, sizeof(c.fingerprint), "%064d", 2);
    assert_int_equal(meta_check_add(f->m, &c), HF_OK);
    assert_int_equal(meta_check_get(f->m, c.hash, &got), HF_OK);
    assert_int_equal(got.backend, be);
    assert_int_equal(got.passed, 1);
    assert_string_equal(got.fingerprint, c.fingerprint);
    assert_int_equal(meta_check_get(f->m, "nope", &got), HF_ENOTFOUND);
}

static void test_backends(void **state)
{
    struct fx *f = *state;
    int64_t a, b;
    struct blist s = { 0 };

    assert_int_equal(meta_backend_add(f->m, &(struct meta_backend){ .name = "zeta", .domain = "d1",
                                                                 .location = "/x/zeta" },
                                      &a), HF_OK);
    assert_int_equal(meta_backend_add(f->m, &(struct meta_backend){ .name = "alpha", .domain = "d2",
                                                                 .location = "/x/alpha" },
                                      &b), HF_OK);
    assert_int_not_equal(a, b);
    assert_int_equal(meta_backend_add(f->m, &(struct meta_backend){ .name = "zeta", .domain = "d3",
                                                                 .location = "/x/other" },
                                      NULL), HF_EEXIST);
    assert_int_equal(meta_backend_add(f->m, &(struct meta_backend){ .name = "beta", .domain = "d3",
                                                                 .location = "/x/zeta" },
                                      NULL), HF_EEXIST);
    assert_int_equal(meta_backend_list(f->m, collect_backend, &s), HF_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.name[0], "alpha");
    assert_string_equal(s.domain[0], "d2");
    assert_string_equal(s.name[1], "zeta");
}

/* ---- counts ---- */

static void test_counts(void **state)
{
    struct fx *f = *state;
    uint64_t nb = 9, no = 9, nv = 9, bytes = 9;
    int64_t b1, b2;
    struct meta_version x2;

    assert_int_equal(meta_counts(f->m, &nb, &no, &nv, &bytes), HF_OK);
    assert_int_equal(nb, 0);
    assert_int_equal(no, 0);
    assert_int_equal(nv, 0);
    assert_int_equal(bytes, 0);

    b1 = bucket(f->m, "one");
    b2 = bucket(f->m, "two");
    bucket(f->m, "three");
    put(f->m, b1, "x", 1, 100, 0);
    x2 = put(f->m, b1, "x", 1, 1000, 0);    /* x: 2 versions */
    put(f->m, b1, "y", 1, 10, 0);
    put(f->m, b1, "y", 1, 0, 1);            /* y: deleted by a marker */
    put(f->m, b2, "x", 1, 7, 0);            /* same key, other bucket */
    put(f->m, b2, "z", 1, 5, 0);
    put(f->m, b2, "z", 1, 0, 1);
    put(f->m, b2, "z", 1, 3, 0);            /* z: re-created after a marker */

    assert_int_equal(meta_counts(f->m, &nb, &no, &nv, &bytes), HF_OK);
    assert_int_equal(nb, 3);
    assert_int_equal(no, 3);                /* one/x, two/x, two/z */
    assert_int_equal(nv, 6);                /* live versions, markers excluded */
    assert_int_equal(bytes, 100 + 1000 + 10 + 7 + 5 + 3);

    assert_int_equal(meta_version_set_state(f->m, x2.id, VERSION_DELETED), HF_OK);
    assert_int_equal(meta_counts(f->m, &nb, &no, &nv, &bytes), HF_OK);
    assert_int_equal(no, 3);
    assert_int_equal(nv, 5);
    assert_int_equal(bytes, 100 + 10 + 7 + 5 + 3);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_open_and_schema),
        T(test_open_foreign_db),
        T(test_buckets),
        T(test_version_get),
        T(test_version_long_and_binary_keys),
        T(test_list_prefix_bytes),
        T(test_list_versions),
        T(test_delete_marker_latest),
        T(test_set_state_hides),
        T(test_transactions),
        T(test_shards),
        T(test_intents_and_garbage),
        T(test_backend_states),
        T(test_backends),
        T(test_counts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
