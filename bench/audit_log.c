/*
 * audit_log.c — the audit log against this machine's own limits.
 *
 *   appends   N events appended durably in transactions of B (the library's
 *             audit_append inside meta_begin/meta_commit, as every logging
 *             path does), against the machine's limit for the same work
 *             without the log: raw SQLite inserts of rows of the same size,
 *             same batch, same WAL + synchronous=FULL, in the same directory.
 *             Goal >= 20,000 appends/s.
 *   proofs    hf_audit_prove (inclusion) and hf_audit_consistency at N
 *             entries, random indexes and sizes, mean of P each, JSON
 *             included.  Goal < 1 ms each (O(log n) node reads).
 *   verify    hf_audit_verify of the whole log (every entry decoded and
 *             hashed, every stored node compared, every checkpoint checked),
 *             against SHA-256 of the same bytes alone.
 *
 * Usage: audit_log DIR [N [B]]   DIR must not exist (on a real disk);
 * N default 1,000,000, B default 1000.  Exit 1 if anything fails.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "meta/meta.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, struct hf_store *st)
{
    fprintf(stderr, "audit_log: %s failed: %s\n", what, st ? hf_store_errmsg(st) : "");
    return 1;
}

/* The same number of rows of the same size, batched the same way, no log. */
static double raw_sqlite(const char *dir, uint64_t n, uint64_t batch, size_t rowlen)
{
    char path[4096], *leaf = calloc(1, rowlen);
    sqlite3 *db;
    sqlite3_stmt *ins;
    double t0, t;

    snprintf(path, sizeof(path), "%s/raw.db", dir);
    if (!leaf || sqlite3_open(path, &db) != SQLITE_OK)
        return 0;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t(seq INTEGER PRIMARY KEY, time INTEGER, kind TEXT, leaf BLOB);",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?,?,?,?)", -1, &ins, NULL);
    t0 = now();
    for (uint64_t i = 0; i < n; i += batch) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (uint64_t j = i; j < i + batch && j < n; j++) {
            snprintf(leaf, rowlen, "row %llu", (unsigned long long)j);
            sqlite3_bind_int64(ins, 1, (sqlite3_int64)j);
            sqlite3_bind_int64(ins, 2, (sqlite3_int64)j);
            sqlite3_bind_text(ins, 3, "bench.event", -1, SQLITE_STATIC);
            sqlite3_bind_blob(ins, 4, leaf, (int)rowlen, SQLITE_STATIC);
            sqlite3_step(ins);
            sqlite3_reset(ins);
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    t = now() - t0;
    sqlite3_finalize(ins);
    sqlite3_close(db);
    free(leaf);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    uint64_t batch = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000, size = 0;
    const char *dir = argc > 1 ? argv[1] : NULL;
    struct hf_init_opts io = { 4, 2, 6, 0 };
    struct hf_audit_report rep;
    struct hf_store *st;
    char *s;
    double t0, t_app, raw, t_prove, t_cons, t_ver, t_hash;
    size_t leaflen = 0;
    const int P = 1000;

    if (!dir || n < 2 || batch < 1) {
        fprintf(stderr, "usage: audit_log DIR [N [BATCH]]\n");
        return 2;
    }
    if (hf_store_init(dir, &io) != HF_OK || hf_store_open(dir, &st) != HF_OK)
        return die("store init", NULL);
    hf_store_set_actor(st, "bench");

    /* 1. appends, durable, in transactions of @batch */
    t0 = now();
    while (size < n) {
        if (meta_begin(st->meta) != HF_OK)
            return die("begin", st);
        for (uint64_t j = 0; j < batch && size < n; j++, size++) {
            struct audit_record *r = audit_record_new("bench.event", "object:bench/some/key");
            record_detail(r, "version-id", "%032llx", (unsigned long long)size);
            record_detail(r, "size", "%llu", (unsigned long long)size * 4096);
            if (audit_append(st, r) != HF_OK)
                return die("append", st);
            free(r);
        }
        if (meta_commit(st->meta) != HF_OK)
            return die("commit", st);
    }
    t_app = now() - t0;
    if (hf_audit_checkpoint(st, true, &s) != HF_OK)
        return die("checkpoint", st);
    free(s);
    if (hf_audit_size(st, &size) != HF_OK)
        return die("size", st);
    if (hf_audit_prove(st, 1, 0, &s) != HF_OK)
        return die("prove", st);
    {
        /* the raw baseline writes rows as long as a real entry */
        const char *l = strstr(s, "\"leaf\":\"");
        leaflen = l ? strcspn(l + 8, "\"") / 4 * 3 : 200;
        free(s);
    }
    raw = raw_sqlite(dir, n, batch, leaflen);

    /* 2. proofs at the full size */
    srandom(42);
    t0 = now();
    for (int i = 0; i < P; i++) {
        if (hf_audit_prove(st, (uint64_t)random() % size, size, &s) != HF_OK)
            return die("prove", st);
        free(s);
    }
    t_prove = (now() - t0) / P;
    t0 = now();
    for (int i = 0; i < P; i++) {
        uint64_t old = 1 + (uint64_t)random() % (size - 1);
        if (hf_audit_consistency(st, old, size, &s) != HF_OK)
            return die("consistency", st);
        free(s);
    }
    t_cons = (now() - t0) / P;

    /* 3. verify everything, against hashing the same bytes alone */
    t0 = now();
    if (hf_audit_verify(st, &rep) != HF_OK)
        return die("verify", st);
    t_ver = now() - t0;
    if (rep.problems || rep.entries != size) {
        fprintf(stderr, "audit_log: verify found %llu problems: %s\n",
                (unsigned long long)rep.problems, rep.first);
        return 1;
    }
    {
        uint8_t *buf = calloc(1, leaflen + 1), md[32];
        t0 = now();
        for (uint64_t i = 0; i < size; i++) {
            unsigned mdl;
            buf[0] = (uint8_t)i;
            EVP_Digest(buf, leaflen + 1, md, &mdl, EVP_sha256(), NULL);   /* the leaf */
            EVP_Digest(buf, 65, md, &mdl, EVP_sha256(), NULL);            /* ~1 node */
        }
        t_hash = now() - t0;
        free(buf);
    }
    hf_store_close(st);

    printf("audit log, %llu entries of ~%zu bytes, transactions of %llu:\n",
           (unsigned long long)size, leaflen, (unsigned long long)batch);
    printf("  appends       %9.0f /s   raw SQLite rows %9.0f /s   ratio %.2f   goal >= 20000/s %s\n",
           (double)n / t_app, raw, (double)n / t_app / raw,
           (double)n / t_app >= 20000 ? "met" : "MISSED");
    printf("  inclusion     %9.3f ms   (mean of %d, JSON included)            goal < 1 ms %s\n",
           t_prove * 1e3, P, t_prove < 1e-3 ? "met" : "MISSED");
    printf("  consistency   %9.3f ms   (mean of %d)                           goal < 1 ms %s\n",
           t_cons * 1e3, P, t_cons < 1e-3 ? "met" : "MISSED");
    printf("  verify        %9.2f s    SHA-256 of the same bytes alone %.2f s   ratio %.2f\n",
           t_ver, t_hash, t_ver / t_hash);
    return 0;
}
