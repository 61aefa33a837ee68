/*
 * sqlite.c — the metadata interface on an embedded SQLite database.
 *
 * Owns meta.db.  WAL mode with synchronous=FULL: a COMMIT that returned is
 * on disk, so a version acknowledged after meta_commit survives kill -9 and
 * power loss.
 *
 * FORMAT (schema version 1, revision SCHEMA_REVISION)
 *   backends(id, name UNIQUE, domain, location UNIQUE, kind, weight, created,
 *            provider, site, jurisdiction, state, state_since)
 *                                             attributes "" when unset; state: active,
 *                                             draining, drained, wiped, retired, failed
 *   drained(backend, version)                 versions a drain moved off a backend
 *                                             (what its proof of drain must cover)
 *   backend_checks(hash, backend, created, passed, fingerprint, entry)
 *                                             proofs of drain: SHA-256 of the report
 *   buckets(id, name UNIQUE, created, owner, versioning)
 *   users(id, name UNIQUE, created, role)   role: user, auditor or admin
 *   access_keys(access_key, user, secret)     secret wrapped by the master key
 *   uploads(id, bucket, key, attrs, created, lock_mode, lock_until, lock_legal, sum)
 *                                             multipart uploads in progress (lock_*:
 *                                             Object Lock asked for the completed object;
 *                                             sum: what its parts carry, "" none)
 *   parts(upload, part, version, size, etag)  their parts: versions in VERSION_PART
 *   completed(id, version, created)          uploads completed in the last day
 *   pieces(version, seq, part_version, offset, size)
 *                                             a composite version's parts, in order
 *   versions(id  commit order, bucket, key BLOB, vid BLOB UNIQUE, state,
 *            marker, mtime, size, k, m, segsize, nsegs, checksum, wrapped,
 *            objhash, etag, attrs, is_null, composite,
 *            retain_until, retain_mode, legal_hold, sum)  index (bucket, key, id)
 *                                             retain_*: S3 Object Lock (0 = none;
 *                                             mode 1 GOVERNANCE, 2 COMPLIANCE);
 *                                             sum: the client's checksum (opaque text)
 *   holds(id, placed_by, reference, document, placed, released, released_by,
 *         release_reason, entry)              preservation holds (released 0 = active)
 *   hold_scopes(hold, kind, name, prefix)     kind "user" (name = user) or "bucket"
 *                                             (name = bucket, keys starting with prefix)
 *   shards(version, idx, backend, gen)        one row per shard file
 *   intents(backend, name, vid, pid, pstart)  files being written
 *   garbage(backend, name)                    files for the reclaimer
 *   audit_log(seq, time, kind, leaf)          the audit log's entries (audit/record.h)
 *   audit_node(level, idx, hash)              its perfect subtrees (audit/merkle.h)
 *   audit_checkpoint(size, time, note)        signed checkpoints (audit/note.h)
 *   audit_key(id = 1, origin, sealed)         the log's Ed25519 seed, sealed by the master key
 *   policy_state(key, value)                  lifecycle settings; "clock.high-water" (ns)
 *   policy_secret(name, sealed)               keys sealed by the master key ("notice-link")
 *   user_policy(user, webhook, email, state, state_since)
 *                                             contacts; state 0 active, 1 suspended, 2 closed
 *   bucket_policy(bucket, inactive_days, last_access)   inactivity rule, last read or write
 *   lifecycle_rules(bucket, seq, id, enabled, prefix, exp_days, exp_date,
 *                   noncurrent_days, abort_days)   S3 lifecycle rules as parsed
 *   notices(id, user, user_name, scope, bucket, prefix, rule, created,
 *           eligible_since, cutoff, versions, bytes, state, grace_days,
 *           delivered, expires, reminders, last_attempt, attempts, answered,
 *           answered_via, closed, expired_versions, held_versions, entry)
 *                                             expiry notices (policy/lifecycle.c)
 *   notice_deliveries(id, notice, time, kind, channel, target, result, detail, entry)
 *                                             every delivery attempt and its result
 *
 * INVARIANTS
 *   (1) A versions row with marker=0 exists only together with all its k+m
 *       shards rows, inserted in the same transaction.
 *   (2) A shard file that exists on a backend is named by a shards row, an
 *       intents row or a garbage row — or is an orphan the reclaimer may
 *       remove (intents rows are committed before a file is created).
 *   (3) Keys are stored and compared as BLOBs (memcmp order).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "meta/meta.h"
#include "banned.h"

#define STMT_CACHE 96

/*
 * Prepared statements are kept per handle and reused (prep/unprep): parsing
 * and planning every query again was a third of a small GET's time.  A
 * slot is found by the SQL text's address and confirmed by its content
 * (SQL built in a stack buffer may reuse an address with other text).
 */
struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
    bool busy;              /* handed out: a nested use of the same SQL gets its own */
};

struct meta {
    sqlite3 *db;
    struct stmt_slot cache[STMT_CACHE];
    char err[256];
};

/* Bumped whenever schema below gains a table or a column (see upgrade()). */
#define SCHEMA_REVISION "10"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT OR IGNORE INTO info VALUES('schema','1');"
    "CREATE TABLE IF NOT EXISTS backends(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " domain TEXT NOT NULL, location TEXT UNIQUE NOT NULL, kind TEXT NOT NULL DEFAULT 'dir',"
    " weight REAL NOT NULL DEFAULT 1, created INTEGER NOT NULL DEFAULT 0,"
    " provider TEXT NOT NULL DEFAULT '', site TEXT NOT NULL DEFAULT '',"
    " jurisdiction TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'active',"
    " state_since INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS drained(backend INTEGER NOT NULL, version INTEGER NOT NULL,"
    " PRIMARY KEY(backend, version)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS backend_checks(hash TEXT PRIMARY KEY, backend INTEGER NOT NULL,"
    " created INTEGER NOT NULL, passed INTEGER NOT NULL, fingerprint TEXT NOT NULL,"
    " entry INTEGER NOT NULL DEFAULT -1);"
    "CREATE TABLE IF NOT EXISTS buckets(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT UNIQUE NOT NULL,"
    " created INTEGER NOT NULL, owner INTEGER NOT NULL DEFAULT 0,"
    " versioning INTEGER NOT NULL DEFAULT 0, lock INTEGER NOT NULL DEFAULT 0,"
    " lock_mode INTEGER NOT NULL DEFAULT 0, lock_days INTEGER NOT NULL DEFAULT 0,"
    " lock_years INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT UNIQUE NOT NULL,"
    " created INTEGER NOT NULL, role TEXT NOT NULL DEFAULT 'user');"
    "CREATE TABLE IF NOT EXISTS access_keys(access_key TEXT PRIMARY KEY,"
    " user INTEGER NOT NULL, secret BLOB NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS versions(id INTEGER PRIMARY KEY, bucket INTEGER NOT NULL,"
    " key BLOB NOT NULL, vid BLOB NOT NULL UNIQUE, state INTEGER NOT NULL,"
    " marker INTEGER NOT NULL, mtime INTEGER NOT NULL, size INTEGER NOT NULL,"
    " k INTEGER NOT NULL, m INTEGER NOT NULL, segsize INTEGER NOT NULL,"
    " nsegs INTEGER NOT NULL, checksum BLOB, wrapped BLOB, objhash BLOB,"
    " etag TEXT NOT NULL DEFAULT '', attrs BLOB, is_null INTEGER NOT NULL DEFAULT 0,"
    " composite INTEGER NOT NULL DEFAULT 0, retain_until INTEGER NOT NULL DEFAULT 0,"
    " retain_mode INTEGER NOT NULL DEFAULT 0, legal_hold INTEGER NOT NULL DEFAULT 0,"
    " sum TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS uploads(id TEXT PRIMARY KEY, bucket INTEGER NOT NULL,"
    " key BLOB NOT NULL, attrs BLOB, created INTEGER NOT NULL,"
    " lock_mode INTEGER NOT NULL DEFAULT 0, lock_until INTEGER NOT NULL DEFAULT 0,"
    " lock_legal INTEGER NOT NULL DEFAULT 0, sum TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS uploads_key ON uploads(bucket, key, created);"
    "CREATE TABLE IF NOT EXISTS parts(upload TEXT NOT NULL, part INTEGER NOT NULL,"
    " version INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,"
    " mtime INTEGER NOT NULL, PRIMARY KEY(upload, part)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS completed(id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS pieces(version INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " part_version INTEGER NOT NULL, offset INTEGER NOT NULL, size INTEGER NOT NULL,"
    " PRIMARY KEY(version, seq)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS versions_key ON versions(bucket, key, id);"
    "CREATE INDEX IF NOT EXISTS versions_state ON versions(state, id);"
    "CREATE TABLE IF NOT EXISTS shards(version INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " backend INTEGER NOT NULL, gen INTEGER NOT NULL, PRIMARY KEY(version, idx))"
    " WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS shards_backend ON shards(backend);"
    "CREATE TABLE IF NOT EXISTS intents(backend INTEGER NOT NULL, name TEXT NOT NULL,"
    " vid BLOB NOT NULL, pid INTEGER NOT NULL, pstart INTEGER NOT NULL,"
    " PRIMARY KEY(backend, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS garbage(backend INTEGER NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY(backend, name)) WITHOUT ROWID;";

/* The audit log and preservation (a second string: ISO C caps a literal's length). */
static const char schema_policy[] =
    "CREATE TABLE IF NOT EXISTS audit_log(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    " kind TEXT NOT NULL, leaf BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_log_kind ON audit_log(kind, seq);"
    "CREATE TABLE IF NOT EXISTS audit_node(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS audit_checkpoint(size INTEGER PRIMARY KEY,"
    " time INTEGER NOT NULL, note TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit_key(id INTEGER PRIMARY KEY CHECK(id = 1),"
    " origin TEXT NOT NULL, sealed BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS holds(id TEXT PRIMARY KEY, placed_by TEXT NOT NULL,"
    " reference TEXT NOT NULL, document BLOB, placed INTEGER NOT NULL,"
    " released INTEGER NOT NULL DEFAULT 0, released_by TEXT, release_reason TEXT,"
    " entry INTEGER NOT NULL DEFAULT -1);"
    "CREATE TABLE IF NOT EXISTS hold_scopes(hold TEXT NOT NULL, kind TEXT NOT NULL,"
    " name TEXT NOT NULL, prefix BLOB NOT NULL DEFAULT x'',"
    " PRIMARY KEY(hold, kind, name, prefix)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS hold_scopes_name ON hold_scopes(kind, name);";

/* Lifecycle rules, account states, notices and their deliveries (policy/lifecycle.c). */
static const char schema_lifecycle[] =
    "CREATE TABLE IF NOT EXISTS policy_state(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS policy_secret(name TEXT PRIMARY KEY, sealed BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS user_policy(user INTEGER PRIMARY KEY,"
    " webhook TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',"
    " state INTEGER NOT NULL DEFAULT 0, state_since INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS bucket_policy(bucket INTEGER PRIMARY KEY,"
    " inactive_days INTEGER NOT NULL DEFAULT 0, last_access INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS lifecycle_rules(bucket INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " id TEXT NOT NULL, enabled INTEGER NOT NULL, prefix BLOB NOT NULL DEFAULT x'',"
    " exp_days INTEGER NOT NULL DEFAULT 0, exp_date INTEGER NOT NULL DEFAULT 0,"
    " noncurrent_days INTEGER NOT NULL DEFAULT 0, abort_days INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(bucket, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS notices(id INTEGER PRIMARY KEY, user INTEGER NOT NULL,"
    " user_name TEXT NOT NULL, scope TEXT NOT NULL, bucket INTEGER NOT NULL DEFAULT 0,"
    " prefix BLOB NOT NULL DEFAULT x'', rule TEXT NOT NULL, created INTEGER NOT NULL,"
    " eligible_since INTEGER NOT NULL, cutoff INTEGER NOT NULL,"
    " versions INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL, grace_days INTEGER NOT NULL, delivered INTEGER NOT NULL DEFAULT 0,"
    " expires INTEGER NOT NULL DEFAULT 0, reminders INTEGER NOT NULL DEFAULT 0,"
    " last_attempt INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    " answered INTEGER NOT NULL DEFAULT 0, answered_via TEXT NOT NULL DEFAULT '',"
    " closed INTEGER NOT NULL DEFAULT 0, expired_versions INTEGER NOT NULL DEFAULT 0,"
    " held_versions INTEGER NOT NULL DEFAULT 0, entry INTEGER NOT NULL DEFAULT -1);"
    "CREATE INDEX IF NOT EXISTS notices_rule ON notices(scope, rule, state);"
    "CREATE TABLE IF NOT EXISTS notice_deliveries(id INTEGER PRIMARY KEY,"
    " notice INTEGER NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,"
    " channel TEXT NOT NULL, target TEXT NOT NULL, result TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '', entry INTEGER NOT NULL DEFAULT -1);"
    "CREATE INDEX IF NOT EXISTS notice_deliveries_notice ON notice_deliveries(notice, id);";

static enum hf_err fail(struct meta *m, int src)
{
    int ext = sqlite3_extended_errcode(m->db);

    snprintf(m->err, sizeof(m->err), "sqlite: %s", sqlite3_errmsg(m->db));
    switch (src & 0xff) {
    case SQLITE_CONSTRAINT:
        return (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                   ? HF_EEXIST : HF_EMETA;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return HF_EBUSY;
    case SQLITE_FULL: return HF_ENOSPC;
    case SQLITE_NOMEM: return HF_ENOMEM;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN: return HF_EPERM;
    case SQLITE_IOERR: return HF_EIO;
    default: return HF_EMETA;
    }
}

const char *meta_errmsg(struct meta *m)
{
    return m ? m->err : "";
}

static enum hf_err exec(struct meta *m, const char *sql)
{
    int rc = sqlite3_exec(m->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? HF_OK : fail(m, rc);
}

/* A statement for @sql, from the cache when one is free; release it with unprep. */
static enum hf_err prep(struct meta *m, const char *sql, sqlite3_stmt **st)
{
    struct stmt_slot *free_slot = NULL;
    int rc;

    for (size_t i = 0; i < STMT_CACHE; i++) {
        struct stmt_slot *c = &m->cache[i];
        if (c->sql == sql && !c->busy && strcmp(sqlite3_sql(c->st), sql) == 0) {
            c->busy = true;
            *st = c->st;
            return HF_OK;
        }
        if (!c->sql && !free_slot)
            free_slot = c;
    }
    rc = sqlite3_prepare_v3(m->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL);
    if (rc != SQLITE_OK)
        return fail(m, rc);
    if (free_slot)
        *free_slot = (struct stmt_slot){ sql, *st, true };
    return HF_OK;
}

/* Give back a statement from prep: reset for reuse, or finalized if not cached. */
static void unprep(struct meta *m, sqlite3_stmt *st)
{
    for (size_t i = 0; i < STMT_CACHE; i++)
        if (m->cache[i].st == st && m->cache[i].busy) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            m->cache[i].busy = false;
            return;
        }
    sqlite3_finalize(st);   /* not cached (the cache was full) */
}

/* Step a statement that returns no rows, then finalize it. */
static enum hf_err done(struct meta *m, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    enum hf_err e = (rc == SQLITE_DONE) ? HF_OK : fail(m, rc);

    unprep(m, st);
    return e;
}

/* Add @column to @table unless it is there (stores made before it existed). */
static enum hf_err add_column(struct meta *m, const char *table, const char *column,
                              const char *decl)
{
    char sql[256];
    sqlite3_stmt *st;
    bool found = false;
    enum hf_err rc;
    int s;

    snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
    rc = prep(m, sql, &st);
    if (rc != HF_OK)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if (strcmp((const char *)sqlite3_column_text(st, 1), column) == 0)
            found = true;
    unprep(m, st);
    if (found)
        return HF_OK;
    snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", table, column, decl);
    return exec(m, sql);
}

/* Schema 1 grew during development: bring an older store's tables up to date. */
static enum hf_err upgrade(struct meta *m)
{
    static const char *const cols[][3] = {
        { "buckets", "owner", "INTEGER NOT NULL DEFAULT 0" },
        { "buckets", "versioning", "INTEGER NOT NULL DEFAULT 1" },
        { "versions", "etag", "TEXT NOT NULL DEFAULT ''" },
        { "versions", "attrs", "BLOB" },
        { "versions", "is_null", "INTEGER NOT NULL DEFAULT 0" },
        { "versions", "composite", "INTEGER NOT NULL DEFAULT 0" },
        { "users", "role", "TEXT NOT NULL DEFAULT 'user'" },
        { "versions", "retain_until", "INTEGER NOT NULL DEFAULT 0" },
        { "versions", "retain_mode", "INTEGER NOT NULL DEFAULT 0" },
        { "versions", "legal_hold", "INTEGER NOT NULL DEFAULT 0" },
        { "buckets", "lock", "INTEGER NOT NULL DEFAULT 0" },
        { "buckets", "lock_mode", "INTEGER NOT NULL DEFAULT 0" },
        { "buckets", "lock_days", "INTEGER NOT NULL DEFAULT 0" },
        { "buckets", "lock_years", "INTEGER NOT NULL DEFAULT 0" },
        { "uploads", "lock_mode", "INTEGER NOT NULL DEFAULT 0" },
        { "uploads", "lock_until", "INTEGER NOT NULL DEFAULT 0" },
        { "uploads", "lock_legal", "INTEGER NOT NULL DEFAULT 0" },
        { "versions", "sum", "TEXT NOT NULL DEFAULT ''" },  /* revision 9 */
        { "uploads", "sum", "TEXT NOT NULL DEFAULT ''" },
        { "backends", "provider", "TEXT NOT NULL DEFAULT ''" },     /* revision 10 */
        { "backends", "site", "TEXT NOT NULL DEFAULT ''" },
        { "backends", "jurisdiction", "TEXT NOT NULL DEFAULT ''" },
        { "backends", "state", "TEXT NOT NULL DEFAULT 'active'" },
        { "backends", "state_since", "INTEGER NOT NULL DEFAULT 0" },
    };
    enum hf_err rc = HF_OK;

    for (size_t i = 0; rc == HF_OK && i < sizeof(cols) / sizeof(cols[0]); i++)
        rc = add_column(m, cols[i][0], cols[i][1], cols[i][2]);
    return rc;
}

/* Process-wide SQLite settings, before its first use. */
static void sqlite_setup(void)
{
    /* No global memory statistics: their mutex was a fifth of a small GET's time. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum hf_err meta_open(const char *path, bool create, struct meta **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct meta *m;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    bool current = false;
    enum hf_err rc;

    pthread_once(&once, sqlite_setup);
    *out = NULL;
    m = calloc(1, sizeof(*m));
    if (!m)
        return HF_ENOMEM;
    if (sqlite3_open_v2(path, &m->db, flags, NULL) != SQLITE_OK) {
        rc = m->db ? fail(m, sqlite3_errcode(m->db)) : HF_ENOMEM;
        meta_close(m);
        return rc;
    }
    sqlite3_busy_timeout(m->db, 30000);
    rc = HF_OK;
    /* Check it is ours before changing anything (journal_mode persists). */
    if (!create) {
        sqlite3_stmt *st;
        rc = prep(m, "SELECT (SELECT value FROM info WHERE key='schema'),"
                     " (SELECT value FROM info WHERE key='revision')", &st);
        if (rc == HF_OK) {
            const char *val = NULL, *rev = NULL;
            if (sqlite3_step(st) == SQLITE_ROW) {
                val = (const char *)sqlite3_column_text(st, 0);
                rev = (const char *)sqlite3_column_text(st, 1);
            }
            if (!val || strcmp(val, "1") != 0) {
                snprintf(m->err, sizeof(m->err), "unknown metadata schema");
                rc = HF_ECONFIG;
            }
            current = rev && strcmp(rev, SCHEMA_REVISION) == 0;
            unprep(m, st);
        }
    }
    if (rc == HF_OK)
        rc = exec(m, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA foreign_keys=OFF;");
    /*
     * Tables and columns a store made by an earlier revision lacks: once, in
     * one transaction, not on every open (the server opens per connection).
     */
    if (rc == HF_OK && !current) {
        rc = meta_begin(m);
        if (rc == HF_OK)
            rc = exec(m, schema);
        if (rc == HF_OK)
            rc = exec(m, schema_policy);
        if (rc == HF_OK)
            rc = exec(m, schema_lifecycle);
        if (rc == HF_OK && !create)
            rc = upgrade(m);
        if (rc == HF_OK)
            rc = exec(m, "INSERT OR REPLACE INTO info VALUES('revision','" SCHEMA_REVISION "')");
        if (rc == HF_OK)
            rc = meta_commit(m);
        else
            meta_rollback(m);
    }
    if (rc != HF_OK) {
        meta_close(m);
        return rc;
    }
    *out = m;
    return HF_OK;
}

void meta_close(struct meta *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(m->cache[i].st);
    sqlite3_close_v2(m->db);
    free(m);
}

enum hf_err meta_begin(struct meta *m) { return exec(m, "BEGIN IMMEDIATE"); }
enum hf_err meta_commit(struct meta *m) { return exec(m, "COMMIT"); }
void meta_rollback(struct meta *m)
{
    if (m && !sqlite3_get_autocommit(m->db))
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
}

enum hf_err meta_savepoint(struct meta *m) { return exec(m, "SAVEPOINT hf_sp"); }
enum hf_err meta_release(struct meta *m) { return exec(m, "RELEASE hf_sp"); }
void meta_rollback_to(struct meta *m)
{
    if (m && !sqlite3_get_autocommit(m->db))
        sqlite3_exec(m->db, "ROLLBACK TO hf_sp; RELEASE hf_sp", NULL, NULL, NULL);
}

/* ---- backends ---- */

static enum hf_err id_pair(struct meta *m, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, sql, &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return done(m, st);
}

enum hf_err meta_backend_add(struct meta *m, const struct meta_backend *b, int64_t *id)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO backends(name, domain, location, kind, provider, site,"
                             " jurisdiction, state, state_since, created)"
                             " VALUES(?,?,?,?,?,?,?,'active',?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, b->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, b->domain, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, b->location, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, b->kind ? b->kind : "dir", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, b->provider ? b->provider : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, b->site ? b->site : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, b->jurisdiction ? b->jurisdiction : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, b->state_since);
    sqlite3_bind_int64(st, 9, b->state_since);
    rc = done(m, st);
    if (rc == HF_OK && id)
        *id = sqlite3_last_insert_rowid(m->db);
    return rc;
}

static void row_backend(sqlite3_stmt *st, struct meta_backend *b)
{
    *b = (struct meta_backend){
        .id = sqlite3_column_int64(st, 0),
        .name = (const char *)sqlite3_column_text(st, 1),
        .domain = (const char *)sqlite3_column_text(st, 2),
        .location = (const char *)sqlite3_column_text(st, 3),
        .kind = (const char *)sqlite3_column_text(st, 4),
        .weight = sqlite3_column_double(st, 5),
        .provider = (const char *)sqlite3_column_text(st, 6),
        .site = (const char *)sqlite3_column_text(st, 7),
        .jurisdiction = (const char *)sqlite3_column_text(st, 8),
        .state = (const char *)sqlite3_column_text(st, 9),
        .state_since = sqlite3_column_int64(st, 10),
    };
}

#define BACKEND_COLS "id, name, domain, location, kind, weight, provider, site, jurisdiction," \
              " state, state_since"

enum hf_err meta_backend_list(struct meta *m,
                              enum hf_err (*fn)(void *, const struct meta_backend *), void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " BACKEND_COLS " FROM backends ORDER BY name", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        struct meta_backend b;
        row_backend(st, &b);
        rc = fn(arg, &b);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_backend_state(struct meta *m, int64_t id, char *state, size_t len,
                               int64_t *since)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT state, state_since FROM backends WHERE id=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        snprintf(state, len, "%s", (const char *)sqlite3_column_text(st, 0));
        if (since)
            *since = sqlite3_column_int64(st, 1);
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_backend_set_state(struct meta *m, int64_t id, const char *state, int64_t now)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE backends SET state=?, state_since=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, id);
    return done(m, st);
}

static enum hf_err count_one(struct meta *m, const char *sql, int64_t id, uint64_t *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, sql, &st);
    int s;

    *out = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_backend_usage(struct meta *m, int64_t id, uint64_t *shards, uint64_t *intents,
                               uint64_t *garbage)
{
    enum hf_err rc = count_one(m, "SELECT count(*) FROM shards WHERE backend=?", id, shards);

    if (rc == HF_OK && intents)
        rc = count_one(m, "SELECT count(*) FROM intents WHERE backend=?", id, intents);
    if (rc == HF_OK && garbage)
        rc = count_one(m, "SELECT count(*) FROM garbage WHERE backend=?", id, garbage);
    return rc;
}

static enum hf_err id_list(struct meta *m, const char *sql, int64_t a, int64_t after,
                           size_t max, int64_t *ids, size_t *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, sql, &st);
    int s;

    *n = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (int64_t)max);
    while ((s = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    if (s != SQLITE_DONE && s != SQLITE_ROW)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_backend_forget_files(struct meta *m, int64_t backend)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM garbage WHERE backend=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, backend);
    rc = done(m, st);
    if (rc != HF_OK)
        return rc;
    rc = prep(m, "DELETE FROM intents WHERE backend=?", &st);
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, backend);
    return done(m, st);
}

enum hf_err meta_backend_versions(struct meta *m, int64_t backend, int64_t after, size_t max,
                                  int64_t *ids, size_t *n)
{
    return id_list(m, "SELECT DISTINCT version FROM shards WHERE backend=? AND version>?"
                      " ORDER BY version LIMIT ?", backend, after, max, ids, n);
}

enum hf_err meta_drained_add(struct meta *m, int64_t backend, int64_t version)
{
    return id_pair(m, "INSERT OR IGNORE INTO drained(backend, version) VALUES(?,?)", backend,
                   version);
}

enum hf_err meta_drained_versions(struct meta *m, int64_t backend, int64_t after, size_t max,
                                  int64_t *ids, size_t *n)
{
    return id_list(m, "SELECT version FROM drained WHERE backend=? AND version>?"
                      " ORDER BY version LIMIT ?", backend, after, max, ids, n);
}

enum hf_err meta_check_add(struct meta *m, const struct meta_check *c)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR REPLACE INTO backend_checks(hash, backend, created,"
                             " passed, fingerprint, entry) VALUES(?,?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, c->hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, c->backend);
    sqlite3_bind_int64(st, 3, c->created);
    sqlite3_bind_int(st, 4, c->passed);
    sqlite3_bind_text(st, 5, c->fingerprint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, c->entry);
    return done(m, st);
}

enum hf_err meta_check_get(struct meta *m, const char *hash, struct meta_check *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT hash, backend, created, passed, fingerprint, entry"
                             " FROM backend_checks WHERE hash=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        snprintf(out->hash, sizeof(out->hash), "%s", (const char *)sqlite3_column_text(st, 0));
        out->backend = sqlite3_column_int64(st, 1);
        out->created = sqlite3_column_int64(st, 2);
        out->passed = sqlite3_column_int(st, 3);
        snprintf(out->fingerprint, sizeof(out->fingerprint), "%s",
                 (const char *)sqlite3_column_text(st, 4));
        out->entry = sqlite3_column_int64(st, 5);
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

/* ---- buckets ---- */

struct meta_version;
static void row_version(sqlite3_stmt *st, struct meta_version *v);
#define VCOLS "id, bucket, key, vid, state, marker, mtime, size, k, m, segsize, nsegs," \
              " checksum, wrapped, objhash, etag, attrs, is_null, composite, retain_until," \
              " retain_mode, legal_hold, sum"

enum hf_err meta_bucket_create(struct meta *m, const char *name, int64_t now, int64_t owner,
                               int versioning)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO buckets(name, created, owner, versioning)"
                             " VALUES(?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, owner);
    sqlite3_bind_int(st, 4, versioning);
    return done(m, st);
}

enum hf_err meta_version_hide_null(struct meta *m, int64_t bucket, const char *key,
                                   size_t keylen, int64_t *hidden)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE versions SET state=1 WHERE bucket=? AND key=? AND"
                             " is_null=1 AND state=0", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_blob(st, 2, key, (int)keylen, SQLITE_TRANSIENT);
    rc = done(m, st);
    if (hidden)
        *hidden = rc == HF_OK ? sqlite3_changes(m->db) : 0;
    return rc;
}

enum hf_err meta_version_get_null(struct meta *m, int64_t bucket, const char *key,
                                  size_t keylen, struct meta_version *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " VCOLS " FROM versions WHERE bucket=? AND key=? AND"
                             " is_null=1 AND state=0 ORDER BY id DESC LIMIT 1", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_blob(st, 2, key, (int)keylen, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        row_version(st, out);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

/* The id of the row named @name by @sql; HF_ENOTFOUND when there is none. */
static enum hf_err id_by_name(struct meta *m, const char *sql, const char *name, int64_t *id)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, sql, &st);
    int s;

    *id = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_bucket_id(struct meta *m, const char *name, int64_t *id)
{
    return id_by_name(m, "SELECT id FROM buckets WHERE name=?", name, id);
}

enum hf_err meta_bucket_list(struct meta *m, enum hf_err (*fn)(void *, const char *, int64_t),
                             void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT name, created FROM buckets ORDER BY name", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

/* ---- versions ---- */

static void blob_copy(sqlite3_stmt *st, int col, uint8_t *dst, size_t len)
{
    const void *p = sqlite3_column_blob(st, col);

    memset(dst, 0, len);
    if (p && (size_t)sqlite3_column_bytes(st, col) == len)
        memcpy(dst, p, len);
}

static void row_version(sqlite3_stmt *st, struct meta_version *v)
{
    int kl = sqlite3_column_bytes(st, 2);
    const void *kp = sqlite3_column_blob(st, 2);

    v->id = sqlite3_column_int64(st, 0);
    v->bucket = sqlite3_column_int64(st, 1);
    v->keylen = (kl > HF_KEY_MAX) ? HF_KEY_MAX : (size_t)kl;
    if (kp)
        memcpy(v->key, kp, v->keylen);
    v->key[v->keylen] = '\0';
    blob_copy(st, 3, v->vid, 16);
    v->state = sqlite3_column_int(st, 4);
    v->marker = sqlite3_column_int(st, 5);
    v->mtime = sqlite3_column_int64(st, 6);
    v->size = (uint64_t)sqlite3_column_int64(st, 7);
    v->k = (unsigned)sqlite3_column_int(st, 8);
    v->m = (unsigned)sqlite3_column_int(st, 9);
    v->segsize = (uint32_t)sqlite3_column_int64(st, 10);
    v->nsegs = (uint64_t)sqlite3_column_int64(st, 11);
    blob_copy(st, 12, v->checksum, 16);
    blob_copy(st, 13, v->wrapped, 60);
    blob_copy(st, 14, v->objhash, 16);
    {
        const char *e = (const char *)sqlite3_column_text(st, 15);
        const void *a = sqlite3_column_blob(st, 16);
        int al = sqlite3_column_bytes(st, 16);
        snprintf(v->etag, sizeof(v->etag), "%s", e ? e : "");
        v->attrs_len = (a && al > 0 && al <= HF_ATTRS_MAX) ? (size_t)al : 0;
        if (v->attrs_len)
            memcpy(v->attrs, a, v->attrs_len);
    }
    v->is_null = sqlite3_column_int(st, 17);
    v->composite = sqlite3_column_int(st, 18);
    v->retain_until = sqlite3_column_int64(st, 19);
    v->retain_mode = sqlite3_column_int(st, 20);
    v->legal_hold = sqlite3_column_int(st, 21);
    {
        const char *sum = (const char *)sqlite3_column_text(st, 22);
        snprintf(v->sum, sizeof(v->sum), "%s", sum ? sum : "");
    }
    v->latest = 0;
}

enum hf_err meta_version_insert(struct meta *m, struct meta_version *v)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO versions(bucket, key, vid, state, marker, mtime,"
                             " size, k, m, segsize, nsegs, checksum, wrapped, objhash, etag,"
                             " attrs, is_null, composite, retain_until, retain_mode, legal_hold,"
                             " sum) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, v->bucket);
    sqlite3_bind_blob(st, 2, v->key, (int)v->keylen, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, v->vid, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, v->state);
    sqlite3_bind_int(st, 5, v->marker);
    sqlite3_bind_int64(st, 6, v->mtime);
    sqlite3_bind_int64(st, 7, (int64_t)v->size);
    sqlite3_bind_int(st, 8, (int)v->k);
    sqlite3_bind_int(st, 9, (int)v->m);
    sqlite3_bind_int64(st, 10, v->segsize);
    sqlite3_bind_int64(st, 11, (int64_t)v->nsegs);
    sqlite3_bind_blob(st, 12, v->checksum, 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 13, v->wrapped, 60, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 14, v->objhash, 16, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 15, v->etag, -1, SQLITE_TRANSIENT);
    if (v->attrs_len)
        sqlite3_bind_blob(st, 16, v->attrs, (int)v->attrs_len, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 17, v->is_null);
    sqlite3_bind_int(st, 18, v->composite);
    sqlite3_bind_int64(st, 19, v->retain_until);
    sqlite3_bind_int(st, 20, v->retain_mode);
    sqlite3_bind_int(st, 21, v->legal_hold);
    sqlite3_bind_text(st, 22, v->sum, -1, SQLITE_TRANSIENT);
    rc = done(m, st);
    if (rc == HF_OK)
        v->id = sqlite3_last_insert_rowid(m->db);
    return rc;
}

enum hf_err meta_version_get(struct meta *m, int64_t bucket, const char *key, size_t keylen,
                             const uint8_t *vid, struct meta_version *out)
{
    sqlite3_stmt *st;
    enum hf_err rc;
    int s;
    int64_t latest_id = 0;

    /* The latest live version, always: it tells whether the asked one is latest. */
    rc = prep(m, "SELECT " VCOLS " FROM versions WHERE bucket=? AND key=? AND state=0"
                 " ORDER BY id DESC LIMIT 1", &st);
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_blob(st, 2, key, (int)keylen, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        latest_id = sqlite3_column_int64(st, 0);
        if (!vid)
            row_version(st, out);
    } else if (s != SQLITE_DONE) {
        rc = fail(m, s);
    }
    unprep(m, st);
    if (rc != HF_OK)
        return rc;
    if (!vid) {
        if (!latest_id)
            return HF_ENOTFOUND;
        out->latest = 1;
        return HF_OK;
    }
    rc = prep(m, "SELECT " VCOLS " FROM versions WHERE bucket=? AND key=? AND vid=?"
                 " AND state=0", &st);
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_blob(st, 2, key, (int)keylen, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, vid, 16, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        row_version(st, out);
        out->latest = out->id == latest_id;
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_version_by_id(struct meta *m, int64_t id, struct meta_version *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " VCOLS " FROM versions WHERE id=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        row_version(st, out);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_version_set_state(struct meta *m, int64_t id, int state)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE versions SET state=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, state);
    sqlite3_bind_int64(st, 2, id);
    rc = done(m, st);
    if (rc == HF_OK && sqlite3_changes(m->db) == 0)
        rc = HF_ENOTFOUND;
    return rc;
}

enum hf_err meta_version_list(struct meta *m, int64_t bucket, const char *prefix,
                              size_t prefixlen, bool all,
                              enum hf_err (*fn)(void *, const struct meta_version *), void *arg)
{
    return meta_version_list_from(m, bucket, prefix, prefixlen, NULL, 0, all, fn, arg);
}

enum hf_err meta_version_list_from(struct meta *m, int64_t bucket, const char *prefix,
                                   size_t prefixlen, const char *from, size_t fromlen,
                                   bool all,
                                   enum hf_err (*fn)(void *, const struct meta_version *),
                                   void *arg)
{
    sqlite3_stmt *st;
    struct meta_version *v = malloc(sizeof(*v));
    char *prev = malloc(HF_KEY_MAX + 1);
    size_t prevlen = 0;
    bool have_prev = false;
    enum hf_err rc = HF_ENOMEM;
    int s = SQLITE_DONE;

    if (!v || !prev)
        goto out;
    rc = prep(m, "SELECT " VCOLS " FROM versions WHERE bucket=? AND state=0 AND key>=?"
                 " ORDER BY key, id DESC", &st);
    if (rc != HF_OK)
        goto out;
    sqlite3_bind_int64(st, 1, bucket);
    /* Start at the greater of the prefix and @from (memcmp order). */
    if (from && (fromlen > prefixlen ? memcmp(from, prefix ? prefix : "", prefixlen) >= 0
                                     : memcmp(from, prefix ? prefix : "", fromlen) > 0))
        sqlite3_bind_blob(st, 2, from, (int)fromlen, SQLITE_TRANSIENT);
    else
        sqlite3_bind_blob(st, 2, prefix ? prefix : "", (int)prefixlen, SQLITE_TRANSIENT);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        row_version(st, v);
        if (v->keylen < prefixlen || (prefixlen && memcmp(v->key, prefix, prefixlen) != 0)) {
            s = SQLITE_DONE;
            break;
        }
        v->latest = !have_prev || prevlen != v->keylen || memcmp(prev, v->key, prevlen) != 0;
        memcpy(prev, v->key, v->keylen);
        prevlen = v->keylen;
        have_prev = true;
        if (!all && (!v->latest || v->marker))
            continue;
        rc = fn(arg, v);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
out:
    free(prev);
    free(v);
    return rc;
}

enum hf_err meta_version_ids(struct meta *m, int state, bool markers, int64_t after_id,
                             size_t max, int64_t *ids, size_t *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT id FROM versions WHERE state=? AND id>? AND"
                             " (marker=0 OR ?) ORDER BY id LIMIT ?", &st);
    int s;

    *n = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, state);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int(st, 3, markers);
    sqlite3_bind_int64(st, 4, (int64_t)max);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    if (s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_version_purge(struct meta *m, int64_t id)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM shards WHERE version=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = done(m, st);
    if (rc != HF_OK)
        return rc;
    rc = prep(m, "DELETE FROM versions WHERE id=?", &st);
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return done(m, st);
}

/* ---- shards ---- */

enum hf_err meta_shard_set(struct meta *m, int64_t version, const struct meta_shard *s)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR REPLACE INTO shards(version, idx, backend, gen)"
                             " VALUES(?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_int(st, 2, (int)s->idx);
    sqlite3_bind_int64(st, 3, s->backend);
    sqlite3_bind_int(st, 4, (int)s->gen);
    return done(m, st);
}

enum hf_err meta_shards_get(struct meta *m, int64_t version, struct meta_shard *out, unsigned *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT idx, backend, gen FROM shards WHERE version=?", &st);
    int s;

    *n = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, version);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        unsigned idx = (unsigned)sqlite3_column_int(st, 0);
        if (idx >= HF_MAX_SHARDS)
            continue;
        out[idx].idx = idx;
        out[idx].backend = sqlite3_column_int64(st, 1);
        out[idx].gen = (unsigned)sqlite3_column_int(st, 2);
        (*n)++;
    }
    if (s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_shard_known(struct meta *m, int64_t backend, const uint8_t vid[16],
                             unsigned idx, unsigned gen, bool *known)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT 1 FROM versions v JOIN shards s ON s.version=v.id"
                             " WHERE v.vid=? AND s.idx=? AND s.gen=? AND s.backend=?", &st);
    int s;

    *known = false;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_blob(st, 1, vid, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, (int)idx);
    sqlite3_bind_int(st, 3, (int)gen);
    sqlite3_bind_int64(st, 4, backend);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *known = true;
    else if (s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

/* ---- intents and garbage ---- */

enum hf_err meta_intent_add(struct meta *m, const struct meta_file *f)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO intents(backend, name, vid, pid, pstart)"
                             " VALUES(?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, f->backend);
    sqlite3_bind_text(st, 2, f->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, f->vid, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, f->pid);
    sqlite3_bind_int64(st, 5, f->pstart);
    return done(m, st);
}

static enum hf_err remove_file_row(struct meta *m, const char *sql, int64_t backend,
                                   const char *name)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, sql, &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, backend);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    return done(m, st);
}

enum hf_err meta_intent_remove(struct meta *m, int64_t backend, const char *name)
{
    return remove_file_row(m, "DELETE FROM intents WHERE backend=? AND name=?", backend, name);
}

enum hf_err meta_garbage_remove(struct meta *m, int64_t backend, const char *name)
{
    return remove_file_row(m, "DELETE FROM garbage WHERE backend=? AND name=?", backend, name);
}

enum hf_err meta_garbage_add(struct meta *m, int64_t backend, const char *name)
{
    return remove_file_row(m, "INSERT OR IGNORE INTO garbage(backend, name) VALUES(?,?)",
                           backend, name);
}

static enum hf_err file_list(struct meta *m, const char *sql, struct meta_file **out, size_t *n)
{
    sqlite3_stmt *st;
    struct meta_file *v = NULL;
    size_t cap = 0, cnt = 0;
    enum hf_err rc = prep(m, sql, &st);
    int s;

    *out = NULL;
    *n = 0;
    if (rc != HF_OK)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct meta_file *nv = realloc(v, ncap * sizeof(*v));
            if (!nv) {
                rc = HF_ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        struct meta_file *f = &v[cnt++];
        memset(f, 0, sizeof(*f));
        f->backend = sqlite3_column_int64(st, 0);
        snprintf(f->name, sizeof(f->name), "%s", (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_count(st) > 2) {
            blob_copy(st, 2, f->vid, 16);
            f->pid = sqlite3_column_int64(st, 3);
            f->pstart = sqlite3_column_int64(st, 4);
        }
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    if (rc != HF_OK) {
        free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return HF_OK;
}

enum hf_err meta_intent_list(struct meta *m, struct meta_file **out, size_t *n)
{
    return file_list(m, "SELECT backend, name, vid, pid, pstart FROM intents", out, n);
}

enum hf_err meta_garbage_list(struct meta *m, struct meta_file **out, size_t *n)
{
    return file_list(m, "SELECT backend, name FROM garbage", out, n);
}

enum hf_err meta_file_known(struct meta *m, int64_t backend, const char *name, bool *known)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT 1 FROM intents WHERE backend=?1 AND name=?2 UNION ALL"
                             " SELECT 1 FROM garbage WHERE backend=?1 AND name=?2", &st);
    int s;

    *known = false;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, backend);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *known = true;
    else if (s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_counts(struct meta *m, uint64_t *buckets, uint64_t *objects,
                        uint64_t *versions, uint64_t *bytes)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m,
        "SELECT (SELECT count(*) FROM buckets),"
        " (SELECT count(*) FROM (SELECT v.marker FROM versions v WHERE v.state=0 AND"
        "   v.id=(SELECT max(id) FROM versions w WHERE w.bucket=v.bucket AND w.key=v.key"
        "   AND w.state=0)) WHERE marker=0),"
        " (SELECT count(*) FROM versions WHERE state=0 AND marker=0),"
        " (SELECT coalesce(sum(size),0) FROM versions WHERE state=0 AND marker=0)", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *buckets = (uint64_t)sqlite3_column_int64(st, 0);
        *objects = (uint64_t)sqlite3_column_int64(st, 1);
        *versions = (uint64_t)sqlite3_column_int64(st, 2);
        *bytes = (uint64_t)sqlite3_column_int64(st, 3);
    } else {
        rc = fail(m, s);
    }
    unprep(m, st);
    return rc;
}

/* ---- users and access keys ---- */

enum hf_err meta_user_add(struct meta *m, const char *name, int64_t now, int64_t *id)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO users(name, created) VALUES(?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    rc = done(m, st);
    if (rc == HF_OK)
        *id = sqlite3_last_insert_rowid(m->db);
    return rc;
}

enum hf_err meta_user_set_role(struct meta *m, int64_t id, const char *role)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE users SET role=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    return done(m, st);
}

enum hf_err meta_user_role(struct meta *m, int64_t id, char *role, size_t len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT role FROM users WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        snprintf(role, len, "%s", (const char *)sqlite3_column_text(st, 0));
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_user_id(struct meta *m, const char *name, int64_t *id)
{
    return id_by_name(m, "SELECT id FROM users WHERE name=?", name, id);
}

enum hf_err meta_key_add(struct meta *m, const char *access_key, int64_t user,
                         const uint8_t *secret, size_t len, int64_t now)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO access_keys(access_key, user, secret, created)"
                             " VALUES(?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, access_key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, user);
    sqlite3_bind_blob(st, 3, secret, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, now);
    return done(m, st);
}

enum hf_err meta_key_get(struct meta *m, const char *access_key, int64_t *user,
                         char *user_name, size_t name_len, uint8_t *secret, size_t *len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT k.user, u.name, k.secret FROM access_keys k JOIN users u"
                             " ON u.id=k.user WHERE k.access_key=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, access_key, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        int bl = sqlite3_column_bytes(st, 2);
        *user = sqlite3_column_int64(st, 0);
        snprintf(user_name, name_len, "%s", (const char *)sqlite3_column_text(st, 1));
        if (bl < 0 || (size_t)bl > *len) {
            rc = HF_ECORRUPT;
        } else {
            memcpy(secret, sqlite3_column_blob(st, 2), (size_t)bl);
            *len = (size_t)bl;
        }
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_user_list(struct meta *m,
                           enum hf_err (*fn)(void *, const char *, int64_t, const char *),
                           void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT u.name, u.created, group_concat(k.access_key, ' ')"
                             " FROM users u LEFT JOIN access_keys k ON k.user=u.id"
                             " GROUP BY u.id ORDER BY u.name", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *keys = (const char *)sqlite3_column_text(st, 2);
        rc = fn(arg, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                keys ? keys : "");
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_user_remove(struct meta *m, int64_t id)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM access_keys WHERE user=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = done(m, st)) != HF_OK)
        return rc;
    if ((rc = prep(m, "DELETE FROM users WHERE id=?", &st)) != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return done(m, st);
}

#define BCOLS "id, created, owner, versioning, name, lock, lock_mode, lock_days, lock_years"

static enum hf_err bucket_row(struct meta *m, const char *sql, const char *name, int64_t id,
                              struct meta_bucket *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, sql, &st);
    int s;

    memset(out, 0, sizeof(*out));
    if (rc != HF_OK)
        return rc;
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->created = sqlite3_column_int64(st, 1);
        out->owner = sqlite3_column_int64(st, 2);
        out->versioning = sqlite3_column_int(st, 3);
        snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(st, 4));
        out->lock = sqlite3_column_int(st, 5);
        out->lock_mode = sqlite3_column_int(st, 6);
        out->lock_days = sqlite3_column_int(st, 7);
        out->lock_years = sqlite3_column_int(st, 8);
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_bucket_get(struct meta *m, const char *name, struct meta_bucket *out)
{
    return bucket_row(m, "SELECT " BCOLS " FROM buckets WHERE name=?", name, 0, out);
}

enum hf_err meta_bucket_by_id(struct meta *m, int64_t id, struct meta_bucket *out)
{
    return bucket_row(m, "SELECT " BCOLS " FROM buckets WHERE id=?", NULL, id, out);
}

enum hf_err meta_bucket_set_lock(struct meta *m, int64_t id, int lock, int mode, int days,
                                 int years)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE buckets SET lock=?, lock_mode=?, lock_days=?, lock_years=?"
                             " WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, lock);
    sqlite3_bind_int(st, 2, mode);
    sqlite3_bind_int(st, 3, days);
    sqlite3_bind_int(st, 4, years);
    sqlite3_bind_int64(st, 5, id);
    return done(m, st);
}

enum hf_err meta_version_set_lock(struct meta *m, int64_t id, int64_t retain_until, int mode,
                                  int legal_hold)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE versions SET retain_until=?, retain_mode=?, legal_hold=?"
                             " WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, retain_until);
    sqlite3_bind_int(st, 2, mode);
    sqlite3_bind_int(st, 3, legal_hold);
    sqlite3_bind_int64(st, 4, id);
    return done(m, st);
}

enum hf_err meta_bucket_set_owner(struct meta *m, int64_t id, int64_t owner)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE buckets SET owner=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, owner);
    sqlite3_bind_int64(st, 2, id);
    return done(m, st);
}

enum hf_err meta_bucket_set_versioning(struct meta *m, int64_t id, int state)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE buckets SET versioning=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, state);
    sqlite3_bind_int64(st, 2, id);
    return done(m, st);
}

enum hf_err meta_bucket_delete(struct meta *m, int64_t id)
{
    sqlite3_stmt *st;
    enum hf_err rc;
    int s;

    rc = prep(m, "SELECT 1 FROM versions WHERE bucket=?1 AND state=0 LIMIT 1", &st);
    if (rc != HF_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    unprep(m, st);
    if (s == SQLITE_ROW) {
        rc = HF_ENOTEMPTY; /* live objects or delete markers */
        goto fail;
    }
    if (s != SQLITE_DONE) {
        rc = fail(m, s);
        goto fail;
    }
    /*
     * Uploads in progress are aborted with the bucket, as S3 does: their
     * part versions go to the reclaimer, their rows go, so nothing of them
     * is reachable under a bucket of the same name made later.
     */
    {
        static const char *const sql[] = {
            "UPDATE versions SET state=1 WHERE id IN (SELECT p.version FROM parts p"
            " JOIN uploads u ON u.id=p.upload WHERE u.bucket=?)",
            "DELETE FROM parts WHERE upload IN (SELECT id FROM uploads WHERE bucket=?)",
            "DELETE FROM uploads WHERE bucket=?",
            "DELETE FROM buckets WHERE id=?",
        };
        for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
            if ((rc = prep(m, sql[i], &st)) != HF_OK)
                goto fail;
            sqlite3_bind_int64(st, 1, id);
            if ((rc = done(m, st)) != HF_OK)
                goto fail;
        }
    }
    return HF_OK;
fail:
    return rc;
}

enum hf_err meta_bucket_owned(struct meta *m, int64_t owner,
                              enum hf_err (*fn)(void *, const char *, int64_t), void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT name, created FROM buckets WHERE owner=? ORDER BY name",
                          &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, owner);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

/* ---- multipart ---- */

enum hf_err meta_upload_add(struct meta *m, const char *id, int64_t bucket, const char *key,
                            size_t keylen, const char *attrs, size_t attrs_len, int64_t now)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO uploads(id, bucket, key, attrs, created)"
                             " VALUES(?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, bucket);
    sqlite3_bind_blob(st, 3, key, (int)keylen, SQLITE_TRANSIENT);
    if (attrs_len)
        sqlite3_bind_blob(st, 4, attrs, (int)attrs_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, now);
    return done(m, st);
}

enum hf_err meta_upload_get(struct meta *m, const char *id, int64_t bucket, const char *key,
                            size_t keylen, char *attrs, size_t *attrs_len, int64_t *created)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT attrs, created FROM uploads WHERE id=? AND bucket=?"
                             " AND key=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, bucket);
    sqlite3_bind_blob(st, 3, key, (int)keylen, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        int al = sqlite3_column_bytes(st, 0);
        if (attrs && attrs_len) {
            *attrs_len = (al > 0 && al <= HF_ATTRS_MAX) ? (size_t)al : 0;
            if (*attrs_len)
                memcpy(attrs, sqlite3_column_blob(st, 0), *attrs_len);
        }
        if (created)
            *created = sqlite3_column_int64(st, 1);
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_upload_set_lock(struct meta *m, const char *id, int mode, int64_t until,
                                 int legal_hold)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE uploads SET lock_mode=?, lock_until=?, lock_legal=?"
                             " WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, mode);
    sqlite3_bind_int64(st, 2, until);
    sqlite3_bind_int(st, 3, legal_hold);
    sqlite3_bind_text(st, 4, id, -1, SQLITE_TRANSIENT);
    rc = done(m, st);
    if (rc == HF_OK && sqlite3_changes(m->db) == 0)
        rc = HF_ENOTFOUND;
    return rc;
}

enum hf_err meta_upload_get_lock(struct meta *m, const char *id, int *mode, int64_t *until,
                                 int *legal_hold)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT lock_mode, lock_until, lock_legal FROM uploads WHERE id=?",
                          &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *mode = sqlite3_column_int(st, 0);
        *until = sqlite3_column_int64(st, 1);
        *legal_hold = sqlite3_column_int(st, 2);
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_upload_set_sum(struct meta *m, const char *id, const char *sum)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE uploads SET sum=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, sum, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    rc = done(m, st);
    if (rc == HF_OK && sqlite3_changes(m->db) == 0)
        rc = HF_ENOTFOUND;
    return rc;
}

enum hf_err meta_upload_get_sum(struct meta *m, const char *id, char sum[HF_SUM_MAX + 1])
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT sum FROM uploads WHERE id=?", &st);
    int s;

    sum[0] = '\0';
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        snprintf(sum, HF_SUM_MAX + 1, "%s", v ? v : "");
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_upload_remove(struct meta *m, const char *id)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM parts WHERE upload=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if ((rc = done(m, st)) != HF_OK)
        return rc;
    if ((rc = prep(m, "DELETE FROM uploads WHERE id=?", &st)) != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    return done(m, st);
}

enum hf_err meta_part_set(struct meta *m, const char *upload, const struct meta_part *p,
                          int64_t *replaced)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT version FROM parts WHERE upload=? AND part=?", &st);
    int s;

    *replaced = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, upload, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, (int)p->number);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *replaced = sqlite3_column_int64(st, 0);
    unprep(m, st);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return fail(m, s);
    rc = prep(m, "INSERT OR REPLACE INTO parts(upload, part, version, size, etag, mtime)"
                 " VALUES(?,?,?,?,?,?)", &st);
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, upload, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, (int)p->number);
    sqlite3_bind_int64(st, 3, p->version);
    sqlite3_bind_int64(st, 4, (int64_t)p->size);
    sqlite3_bind_text(st, 5, p->etag, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, p->mtime);
    return done(m, st);
}

enum hf_err meta_part_list(struct meta *m, const char *upload, unsigned after,
                           enum hf_err (*fn)(void *, const struct meta_part *), void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT p.part, p.version, p.size, p.etag, p.mtime, v.sum"
                             " FROM parts p LEFT JOIN versions v ON v.id = p.version"
                             " WHERE p.upload=? AND p.part>? ORDER BY p.part", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, upload, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, (int)after);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        struct meta_part p = {
            .number = (unsigned)sqlite3_column_int(st, 0),
            .version = sqlite3_column_int64(st, 1),
            .size = (uint64_t)sqlite3_column_int64(st, 2),
            .mtime = sqlite3_column_int64(st, 4),
        };
        const char *sum = (const char *)sqlite3_column_text(st, 5);
        snprintf(p.etag, sizeof(p.etag), "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(p.sum, sizeof(p.sum), "%s", sum ? sum : "");
        rc = fn(arg, &p);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_upload_list(struct meta *m, int64_t bucket,
                             enum hf_err (*fn)(void *, const char *id, const char *key,
                                               size_t keylen, int64_t created),
                             void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT id, key, created FROM uploads WHERE bucket=?"
                             " ORDER BY key, created", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                sqlite3_column_int64(st, 2));
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_piece_add(struct meta *m, int64_t version, unsigned seq, int64_t part_version,
                           uint64_t offset, uint64_t size)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO pieces(version, seq, part_version, offset, size)"
                             " VALUES(?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_int(st, 2, (int)seq);
    sqlite3_bind_int64(st, 3, part_version);
    sqlite3_bind_int64(st, 4, (int64_t)offset);
    sqlite3_bind_int64(st, 5, (int64_t)size);
    return done(m, st);
}

enum hf_err meta_pieces_get(struct meta *m, int64_t version, struct meta_piece **out, size_t *n)
{
    sqlite3_stmt *st;
    struct meta_piece *v = NULL;
    size_t cap = 0, cnt = 0;
    enum hf_err rc = prep(m, "SELECT part_version, offset, size FROM pieces WHERE version=?"
                             " ORDER BY seq", &st);
    int s;

    *out = NULL;
    *n = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, version);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct meta_piece *nv = realloc(v, ncap * sizeof(*v));
            if (!nv) {
                rc = HF_ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[cnt].part_version = sqlite3_column_int64(st, 0);
        v[cnt].offset = (uint64_t)sqlite3_column_int64(st, 1);
        v[cnt].size = (uint64_t)sqlite3_column_int64(st, 2);
        cnt++;
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    if (rc != HF_OK) {
        free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return HF_OK;
}

enum hf_err meta_pieces_remove(struct meta *m, int64_t version)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM pieces WHERE version=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, version);
    return done(m, st);
}

enum hf_err meta_completed_add(struct meta *m, const char *id, int64_t version, int64_t now)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM completed WHERE created < ?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now - (int64_t)86400 * 1000000000);
    if ((rc = done(m, st)) != HF_OK)
        return rc;
    if ((rc = prep(m, "INSERT OR REPLACE INTO completed(id, version, created) VALUES(?,?,?)",
                   &st)) != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, version);
    sqlite3_bind_int64(st, 3, now);
    return done(m, st);
}

enum hf_err meta_completed_get(struct meta *m, const char *id, int64_t *version)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT version FROM completed WHERE id=?", &st);
    int s;

    *version = 0;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

/* ---- the audit log ---- */

enum hf_err meta_audit_size(struct meta *m, uint64_t *size)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT coalesce(max(seq) + 1, 0) FROM audit_log", &st);

    if (rc != HF_OK)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *size = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_audit_append(struct meta *m, uint64_t seq, int64_t time, const char *kind,
                              const uint8_t *leaf, size_t len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO audit_log(seq, time, kind, leaf) VALUES(?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    sqlite3_bind_int64(st, 2, time);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, leaf, (int)len, SQLITE_STATIC);
    return done(m, st);
}

enum hf_err meta_audit_node_put(struct meta *m, unsigned level, uint64_t index,
                                const uint8_t hash[32])
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR REPLACE INTO audit_node(level, idx, hash) VALUES(?,?,?)",
                          &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
    sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
    return done(m, st);
}

enum hf_err meta_audit_node_get(struct meta *m, unsigned level, uint64_t index,
                                uint8_t hash[32])
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT hash FROM audit_node WHERE level=? AND idx=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
        memcpy(hash, sqlite3_column_blob(st, 0), 32);
    else if (s == SQLITE_ROW || s == SQLITE_DONE) {
        snprintf(m->err, sizeof(m->err), "audit log: no tree node (%u, %llu)", level,
                 (unsigned long long)index);
        rc = HF_ENOTFOUND;
    } else
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_audit_entries(struct meta *m, uint64_t from, uint64_t to, const char *kind,
                               enum hf_err (*fn)(void *, uint64_t, const uint8_t *, size_t),
                               void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, kind ? "SELECT seq, leaf FROM audit_log WHERE kind=?3 AND seq>=?1"
                                    " AND seq<?2 ORDER BY seq"
                                  : "SELECT seq, leaf FROM audit_log WHERE seq>=?1 AND seq<?2"
                                    " ORDER BY seq", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    sqlite3_bind_int64(st, 2, to > INT64_MAX ? INT64_MAX : (sqlite3_int64)to);
    if (kind)
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(arg, (uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
                (size_t)sqlite3_column_bytes(st, 1));
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_audit_checkpoint_add(struct meta *m, uint64_t size, int64_t time,
                                      const char *note)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR IGNORE INTO audit_checkpoint(size, time, note)"
                             " VALUES(?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_int64(st, 2, time);
    sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    return done(m, st);
}

enum hf_err meta_audit_checkpoints(struct meta *m, uint64_t min_size, bool latest_only,
                                   enum hf_err (*fn)(void *, uint64_t, int64_t, const char *),
                                   void *arg)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, latest_only ? "SELECT size, time, note FROM audit_checkpoint"
                                           " WHERE size>=? ORDER BY size DESC LIMIT 1"
                                         : "SELECT size, time, note FROM audit_checkpoint"
                                           " WHERE size>=? ORDER BY size", &st);
    bool any = false;
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)min_size);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        any = true;
        rc = fn(arg, (uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                (const char *)sqlite3_column_text(st, 2));
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc == HF_OK && !any ? HF_ENOTFOUND : rc;
}

enum hf_err meta_audit_key_get(struct meta *m, char *origin, size_t olen, uint8_t *sealed,
                               size_t *len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT origin, sealed FROM audit_key WHERE id=1", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    s = sqlite3_step(st);
    if (s == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 1) <= *len) {
        snprintf(origin, olen, "%s", (const char *)sqlite3_column_text(st, 0));
        *len = (size_t)sqlite3_column_bytes(st, 1);
        memcpy(sealed, sqlite3_column_blob(st, 1), *len);
    } else if (s == SQLITE_ROW) {
        snprintf(m->err, sizeof(m->err), "audit key: sealed key too long");
        rc = HF_ECONFIG;
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_audit_key_put(struct meta *m, const char *origin, const uint8_t *sealed,
                               size_t len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR IGNORE INTO audit_key(id, origin, sealed) VALUES(1,?,?)",
                          &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, sealed, (int)len, SQLITE_TRANSIENT);
    return done(m, st);
}

/* ---- preservation holds ---- */

static void text_col(sqlite3_stmt *st, int col, char *out, size_t len)
{
    const char *t = (const char *)sqlite3_column_text(st, col);

    snprintf(out, len, "%s", t ? t : "");
}

#define HCOLS "id, placed_by, reference, document, placed, released, released_by," \
              " release_reason, entry"

static void row_hold(sqlite3_stmt *st, struct meta_hold *h)
{
    memset(h, 0, sizeof(*h));
    text_col(st, 0, h->id, sizeof(h->id));
    text_col(st, 1, h->placed_by, sizeof(h->placed_by));
    text_col(st, 2, h->reference, sizeof(h->reference));
    h->has_doc = sqlite3_column_bytes(st, 3) == 32;
    if (h->has_doc)
        memcpy(h->document, sqlite3_column_blob(st, 3), 32);
    h->placed = sqlite3_column_int64(st, 4);
    h->released = sqlite3_column_int64(st, 5);
    text_col(st, 6, h->released_by, sizeof(h->released_by));
    text_col(st, 7, h->release_reason, sizeof(h->release_reason));
    h->entry = sqlite3_column_int64(st, 8);
}

enum hf_err meta_hold_add(struct meta *m, const struct meta_hold *h)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO holds(id, placed_by, reference, document, placed, entry)"
                             " VALUES(?,?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, h->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, h->placed_by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, h->reference, -1, SQLITE_TRANSIENT);
    if (h->has_doc)
        sqlite3_bind_blob(st, 4, h->document, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, h->placed);
    sqlite3_bind_int64(st, 6, h->entry);
    return done(m, st);
}

enum hf_err meta_hold_scope_add(struct meta *m, const char *hold, const struct meta_hold_scope *sc)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR IGNORE INTO hold_scopes(hold, kind, name, prefix)"
                             " VALUES(?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, hold, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sc->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, sc->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 4, sc->prefix, (int)sc->prefixlen, SQLITE_TRANSIENT);
    return done(m, st);
}

enum hf_err meta_hold_get(struct meta *m, const char *id, struct meta_hold *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " HCOLS " FROM holds WHERE id=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        row_hold(st, out);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_hold_release(struct meta *m, const char *id, int64_t when, const char *by,
                              const char *reason)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE holds SET released=?, released_by=?, release_reason=?"
                             " WHERE id=? AND released=0", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, when);
    sqlite3_bind_text(st, 2, by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, id, -1, SQLITE_TRANSIENT);
    rc = done(m, st);
    if (rc == HF_OK && sqlite3_changes(m->db) == 0)
        rc = HF_ENOTFOUND;
    return rc;
}

enum hf_err meta_hold_list(struct meta *m, enum hf_err (*fn)(void *, const struct meta_hold *),
                           void *arg)
{
    sqlite3_stmt *st;
    struct meta_hold *h = malloc(sizeof(*h));
    enum hf_err rc = h ? prep(m, "SELECT " HCOLS " FROM holds ORDER BY placed, id", &st)
                       : HF_ENOMEM;
    int s = SQLITE_DONE;

    if (rc != HF_OK) {
        free(h);
        return rc;
    }
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        row_hold(st, h);
        rc = fn(arg, h);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    free(h);
    return rc;
}

enum hf_err meta_hold_scopes(struct meta *m, const char *hold,
                             enum hf_err (*fn)(void *, const struct meta_hold_scope *),
                             void *arg)
{
    sqlite3_stmt *st;
    struct meta_hold_scope *sc = malloc(sizeof(*sc));
    enum hf_err rc = sc ? prep(m, "SELECT kind, name, prefix FROM hold_scopes WHERE hold=?"
                                  " ORDER BY kind, name, prefix", &st)
                        : HF_ENOMEM;
    int s = SQLITE_DONE;

    if (rc != HF_OK) {
        free(sc);
        return rc;
    }
    sqlite3_bind_text(st, 1, hold, -1, SQLITE_TRANSIENT);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        int pl = sqlite3_column_bytes(st, 2);
        text_col(st, 0, sc->kind, sizeof(sc->kind));
        text_col(st, 1, sc->name, sizeof(sc->name));
        sc->prefixlen = pl > 0 && pl <= HF_KEY_MAX ? (size_t)pl : 0;
        if (sc->prefixlen)
            memcpy(sc->prefix, sqlite3_column_blob(st, 2), sc->prefixlen);
        sc->prefix[sc->prefixlen] = '\0';
        rc = fn(arg, sc);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    free(sc);
    return rc;
}

enum hf_err meta_hold_covering(struct meta *m, const char *user, const char *bucket,
                               const char *key, size_t keylen, char *id, size_t idlen,
                               bool *found)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT h.id FROM holds h JOIN hold_scopes s ON s.hold = h.id"
                             " WHERE h.released = 0 AND ((?1 IS NULL AND ?2 IS NULL) OR"
                             " (s.kind = 'user' AND s.name = ?1) OR"
                             " (s.kind = 'bucket' AND s.name = ?2 AND (?3 IS NULL OR"
                             "  substr(?3, 1, length(s.prefix)) = s.prefix)))"
                             " ORDER BY h.placed, h.id LIMIT 1", &st);
    int s;

    *found = false;
    if (rc != HF_OK)
        return rc;
    if (user)
        sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
    if (bucket)
        sqlite3_bind_text(st, 2, bucket, -1, SQLITE_TRANSIENT);
    if (key)
        sqlite3_bind_blob(st, 3, key, (int)keylen, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *found = true;
        text_col(st, 0, id, idlen);
    } else if (s != SQLITE_DONE) {
        rc = fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_user_name(struct meta *m, int64_t id, char *name, size_t len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT name FROM users WHERE id=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        text_col(st, 0, name, len);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

/* ---- lifecycle: settings, account states, rules, notices ---- */

enum hf_err meta_policy_get(struct meta *m, const char *key, char *val, size_t len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT value FROM policy_state WHERE key=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        text_col(st, 0, val, len);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_policy_put(struct meta *m, const char *key, const char *value)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR REPLACE INTO policy_state(key, value) VALUES(?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    return done(m, st);
}

enum hf_err meta_secret_get(struct meta *m, const char *name, uint8_t *sealed, size_t *len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT sealed FROM policy_secret WHERE name=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (n > *len) {
            snprintf(m->err, sizeof(m->err), "sealed secret %s too long", name);
            rc = HF_ECONFIG;
        } else {
            memcpy(sealed, sqlite3_column_blob(st, 0), n);
            *len = n;
        }
    } else {
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_secret_put(struct meta *m, const char *name, const uint8_t *sealed, size_t len)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR IGNORE INTO policy_secret(name, sealed) VALUES(?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, sealed, (int)len, SQLITE_TRANSIENT);
    return done(m, st);
}

#define UPCOLS "user, webhook, email, state, state_since"

static void row_user_policy(sqlite3_stmt *st, struct meta_user_policy *u)
{
    memset(u, 0, sizeof(*u));
    u->user = sqlite3_column_int64(st, 0);
    text_col(st, 1, u->webhook, sizeof(u->webhook));
    text_col(st, 2, u->email, sizeof(u->email));
    u->state = sqlite3_column_int(st, 3);
    u->state_since = sqlite3_column_int64(st, 4);
}

enum hf_err meta_user_policy_get(struct meta *m, int64_t user, struct meta_user_policy *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " UPCOLS " FROM user_policy WHERE user=?", &st);
    int s;

    memset(out, 0, sizeof(*out));
    out->user = user;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, user);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        row_user_policy(st, out);
    else if (s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_user_policy_put(struct meta *m, const struct meta_user_policy *u)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT OR REPLACE INTO user_policy(" UPCOLS ") VALUES(?,?,?,?,?)",
                          &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, u->user);
    sqlite3_bind_text(st, 2, u->webhook, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, u->email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, u->state);
    sqlite3_bind_int64(st, 5, u->state_since);
    return done(m, st);
}

enum hf_err meta_user_policy_list(struct meta *m,
                                  enum hf_err (*fn)(void *, const struct meta_user_policy *),
                                  void *arg)
{
    sqlite3_stmt *st;
    struct meta_user_policy *u = malloc(sizeof(*u));
    enum hf_err rc = u ? prep(m, "SELECT " UPCOLS " FROM user_policy ORDER BY user", &st)
                       : HF_ENOMEM;
    int s = SQLITE_DONE;

    if (rc != HF_OK) {
        free(u);
        return rc;
    }
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        row_user_policy(st, u);
        rc = fn(arg, u);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    free(u);
    return rc;
}

enum hf_err meta_bucket_policy_get(struct meta *m, int64_t bucket, struct meta_bucket_policy *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT inactive_days, last_access FROM bucket_policy"
                             " WHERE bucket=?", &st);
    int s;

    memset(out, 0, sizeof(*out));
    out->bucket = bucket;
    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        out->inactive_days = sqlite3_column_int(st, 0);
        out->last_access = sqlite3_column_int64(st, 1);
    } else if (s != SQLITE_DONE) {
        rc = fail(m, s);
    }
    unprep(m, st);
    return rc;
}

enum hf_err meta_bucket_set_inactivity(struct meta *m, int64_t bucket, int days)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO bucket_policy(bucket, inactive_days) VALUES(?1,?2)"
                             " ON CONFLICT(bucket) DO UPDATE SET inactive_days=?2", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_int(st, 2, days);
    return done(m, st);
}

enum hf_err meta_bucket_touch(struct meta *m, int64_t bucket, int64_t now)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO bucket_policy(bucket, last_access) VALUES(?1,?2)"
                             " ON CONFLICT(bucket) DO UPDATE SET"
                             " last_access=max(last_access, ?2)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_int64(st, 2, now);
    return done(m, st);
}

enum hf_err meta_bucket_policy_list(struct meta *m,
                                    enum hf_err (*fn)(void *, const struct meta_bucket_policy *),
                                    void *arg)
{
    sqlite3_stmt *st;
    struct meta_bucket_policy bp;
    enum hf_err rc = prep(m, "SELECT bucket, inactive_days, last_access FROM bucket_policy"
                             " WHERE inactive_days > 0 ORDER BY bucket", &st);
    int s = SQLITE_DONE;

    if (rc != HF_OK)
        return rc;
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        bp.bucket = sqlite3_column_int64(st, 0);
        bp.inactive_days = sqlite3_column_int(st, 1);
        bp.last_access = sqlite3_column_int64(st, 2);
        rc = fn(arg, &bp);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_lc_rules_set(struct meta *m, int64_t bucket, const struct meta_lc_rule *r,
                              size_t n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "DELETE FROM lifecycle_rules WHERE bucket=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, bucket);
    rc = done(m, st);
    for (size_t i = 0; rc == HF_OK && i < n; i++) {
        rc = prep(m, "INSERT INTO lifecycle_rules(bucket, seq, id, enabled, prefix, exp_days,"
                     " exp_date, noncurrent_days, abort_days) VALUES(?,?,?,?,?,?,?,?,?)", &st);
        if (rc != HF_OK)
            break;
        sqlite3_bind_int64(st, 1, bucket);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sqlite3_bind_text(st, 3, r[i].id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, r[i].enabled);
        sqlite3_bind_blob(st, 5, r[i].prefix, (int)r[i].prefixlen, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, r[i].exp_days);
        sqlite3_bind_int64(st, 7, r[i].exp_date);
        sqlite3_bind_int(st, 8, r[i].noncurrent_days);
        sqlite3_bind_int(st, 9, r[i].abort_days);
        rc = done(m, st);
    }
    return rc;
}

enum hf_err meta_lc_rules_get(struct meta *m, int64_t bucket,
                              enum hf_err (*fn)(void *, const struct meta_lc_rule *), void *arg)
{
    sqlite3_stmt *st;
    struct meta_lc_rule *r = malloc(sizeof(*r));
    enum hf_err rc = r ? prep(m, "SELECT id, enabled, prefix, exp_days, exp_date,"
                                 " noncurrent_days, abort_days FROM lifecycle_rules"
                                 " WHERE bucket=? ORDER BY seq", &st)
                       : HF_ENOMEM;
    int s = SQLITE_DONE;

    if (rc != HF_OK) {
        free(r);
        return rc;
    }
    sqlite3_bind_int64(st, 1, bucket);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        int pl = sqlite3_column_bytes(st, 2);
        memset(r, 0, sizeof(*r));
        text_col(st, 0, r->id, sizeof(r->id));
        r->enabled = sqlite3_column_int(st, 1);
        r->prefixlen = pl > 0 && pl <= HF_KEY_MAX ? (size_t)pl : 0;
        if (r->prefixlen)
            memcpy(r->prefix, sqlite3_column_blob(st, 2), r->prefixlen);
        r->exp_days = sqlite3_column_int(st, 3);
        r->exp_date = sqlite3_column_int64(st, 4);
        r->noncurrent_days = sqlite3_column_int(st, 5);
        r->abort_days = sqlite3_column_int(st, 6);
        rc = fn(arg, r);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    free(r);
    return rc;
}

enum hf_err meta_lc_buckets(struct meta *m, int64_t **out, size_t *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT DISTINCT bucket FROM lifecycle_rules ORDER BY bucket", &st);
    int64_t *v = NULL;
    size_t cap = 0;
    int s = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if (rc != HF_OK)
        return rc;
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            int64_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
            if (!nv) {
                rc = HF_ENOMEM;
                break;
            }
            v = nv;
        }
        v[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    if (rc != HF_OK) {
        free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return HF_OK;
}

#define NCOLS "id, user, user_name, scope, bucket, prefix, rule, created, eligible_since," \
              " cutoff, versions, bytes, state, grace_days, delivered, expires, reminders," \
              " last_attempt, attempts, answered, answered_via, closed, expired_versions," \
              " held_versions, entry"

static void row_notice(sqlite3_stmt *st, struct meta_notice *n)
{
    int pl = sqlite3_column_bytes(st, 5);

    memset(n, 0, sizeof(*n));
    n->id = sqlite3_column_int64(st, 0);
    n->user = sqlite3_column_int64(st, 1);
    text_col(st, 2, n->user_name, sizeof(n->user_name));
    text_col(st, 3, n->scope, sizeof(n->scope));
    n->bucket = sqlite3_column_int64(st, 4);
    n->prefixlen = pl > 0 && pl <= HF_KEY_MAX ? (size_t)pl : 0;
    if (n->prefixlen)
        memcpy(n->prefix, sqlite3_column_blob(st, 5), n->prefixlen);
    text_col(st, 6, n->rule, sizeof(n->rule));
    n->created = sqlite3_column_int64(st, 7);
    n->eligible_since = sqlite3_column_int64(st, 8);
    n->cutoff = sqlite3_column_int64(st, 9);
    n->versions = (uint64_t)sqlite3_column_int64(st, 10);
    n->bytes = (uint64_t)sqlite3_column_int64(st, 11);
    text_col(st, 12, n->state, sizeof(n->state));
    n->grace_days = sqlite3_column_int(st, 13);
    n->delivered = sqlite3_column_int64(st, 14);
    n->expires = sqlite3_column_int64(st, 15);
    n->reminders = sqlite3_column_int(st, 16);
    n->last_attempt = sqlite3_column_int64(st, 17);
    n->attempts = sqlite3_column_int(st, 18);
    n->answered = sqlite3_column_int64(st, 19);
    text_col(st, 20, n->answered_via, sizeof(n->answered_via));
    n->closed = sqlite3_column_int64(st, 21);
    n->expired_versions = (uint64_t)sqlite3_column_int64(st, 22);
    n->held_versions = (uint64_t)sqlite3_column_int64(st, 23);
    n->entry = sqlite3_column_int64(st, 24);
}

enum hf_err meta_notice_add(struct meta *m, struct meta_notice *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO notices(user, user_name, scope, bucket, prefix, rule,"
                             " created, eligible_since, cutoff, versions, bytes, state,"
                             " grace_days, entry) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, n->user);
    sqlite3_bind_text(st, 2, n->user_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, n->scope, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, n->bucket);
    sqlite3_bind_blob(st, 5, n->prefix, (int)n->prefixlen, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, n->rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, n->created);
    sqlite3_bind_int64(st, 8, n->eligible_since);
    sqlite3_bind_int64(st, 9, n->cutoff);
    sqlite3_bind_int64(st, 10, (int64_t)n->versions);
    sqlite3_bind_int64(st, 11, (int64_t)n->bytes);
    sqlite3_bind_text(st, 12, n->state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 13, n->grace_days);
    sqlite3_bind_int64(st, 14, n->entry);
    rc = done(m, st);
    if (rc == HF_OK)
        n->id = sqlite3_last_insert_rowid(m->db);
    return rc;
}

enum hf_err meta_notice_update(struct meta *m, const struct meta_notice *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "UPDATE notices SET state=?, delivered=?, expires=?, reminders=?,"
                             " last_attempt=?, attempts=?, answered=?, answered_via=?,"
                             " closed=?, expired_versions=?, held_versions=? WHERE id=?", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, n->state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, n->delivered);
    sqlite3_bind_int64(st, 3, n->expires);
    sqlite3_bind_int(st, 4, n->reminders);
    sqlite3_bind_int64(st, 5, n->last_attempt);
    sqlite3_bind_int(st, 6, n->attempts);
    sqlite3_bind_int64(st, 7, n->answered);
    sqlite3_bind_text(st, 8, n->answered_via, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, n->closed);
    sqlite3_bind_int64(st, 10, (int64_t)n->expired_versions);
    sqlite3_bind_int64(st, 11, (int64_t)n->held_versions);
    sqlite3_bind_int64(st, 12, n->id);
    rc = done(m, st);
    if (rc == HF_OK && sqlite3_changes(m->db) == 0)
        rc = HF_ENOTFOUND;
    return rc;
}

enum hf_err meta_notice_get(struct meta *m, int64_t id, struct meta_notice *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " NCOLS " FROM notices WHERE id=?", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        row_notice(st, out);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_notice_find(struct meta *m, const char *scope, const char *rule,
                             const char *state, struct meta_notice *out)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "SELECT " NCOLS " FROM notices WHERE scope=? AND rule=? AND"
                             " (?3 IS NULL AND state IN ('pending','delivered') OR state=?3)"
                             " ORDER BY id DESC LIMIT 1", &st);
    int s;

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, rule, -1, SQLITE_TRANSIENT);
    if (state)
        sqlite3_bind_text(st, 3, state, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        row_notice(st, out);
    else
        rc = s == SQLITE_DONE ? HF_ENOTFOUND : fail(m, s);
    unprep(m, st);
    return rc;
}

enum hf_err meta_notice_ids(struct meta *m, bool open_only, int64_t **out, size_t *n)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, open_only ? "SELECT id FROM notices WHERE state IN"
                                         " ('pending','delivered') ORDER BY id"
                                       : "SELECT id FROM notices ORDER BY id", &st);
    int64_t *v = NULL;
    size_t cap = 0;
    int s = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if (rc != HF_OK)
        return rc;
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            int64_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
            if (!nv) {
                rc = HF_ENOMEM;
                break;
            }
            v = nv;
        }
        v[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    if (rc != HF_OK) {
        free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return HF_OK;
}

enum hf_err meta_delivery_add(struct meta *m, struct meta_delivery *d)
{
    sqlite3_stmt *st;
    enum hf_err rc = prep(m, "INSERT INTO notice_deliveries(notice, time, kind, channel, target,"
                             " result, detail, entry) VALUES(?,?,?,?,?,?,?,?)", &st);

    if (rc != HF_OK)
        return rc;
    sqlite3_bind_int64(st, 1, d->notice);
    sqlite3_bind_int64(st, 2, d->time);
    sqlite3_bind_text(st, 3, d->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, d->channel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, d->target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, d->result, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, d->detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, d->entry);
    rc = done(m, st);
    if (rc == HF_OK)
        d->id = sqlite3_last_insert_rowid(m->db);
    return rc;
}

enum hf_err meta_delivery_list(struct meta *m, int64_t notice,
                               enum hf_err (*fn)(void *, const struct meta_delivery *),
                               void *arg)
{
    sqlite3_stmt *st;
    struct meta_delivery *d = malloc(sizeof(*d));
    enum hf_err rc = d ? prep(m, "SELECT id, notice, time, kind, channel, target, result,"
                                 " detail, entry FROM notice_deliveries WHERE notice=?"
                                 " ORDER BY id", &st)
                       : HF_ENOMEM;
    int s = SQLITE_DONE;

    if (rc != HF_OK) {
        free(d);
        return rc;
    }
    sqlite3_bind_int64(st, 1, notice);
    while (rc == HF_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        memset(d, 0, sizeof(*d));
        d->id = sqlite3_column_int64(st, 0);
        d->notice = sqlite3_column_int64(st, 1);
        d->time = sqlite3_column_int64(st, 2);
        text_col(st, 3, d->kind, sizeof(d->kind));
        text_col(st, 4, d->channel, sizeof(d->channel));
        text_col(st, 5, d->target, sizeof(d->target));
        text_col(st, 6, d->result, sizeof(d->result));
        text_col(st, 7, d->detail, sizeof(d->detail));
        d->entry = sqlite3_column_int64(st, 8);
        rc = fn(arg, d);
    }
    if (rc == HF_OK && s != SQLITE_DONE)
        rc = fail(m, s);
    unprep(m, st);
    free(d);
    return rc;
}
