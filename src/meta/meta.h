/*
 * meta.h — the metadata interface (subsystem interface).
 *
 * Everything the engine knows about buckets, versions, where shards live,
 * writes in flight and files awaiting the reclaimer.  SQLite implements it
 * (meta/sqlite.c); PostgreSQL will implement the same functions.
 *
 * Functions return HF_OK, HF_ENOTFOUND where stated, HF_EEXIST on a
 * uniqueness violation, HF_EBUSY when the database stays locked past the
 * busy timeout, HF_ENOSPC, or HF_EMETA (detail in meta_errmsg).
 */
#ifndef HF_META_H
#define HF_META_H

#include "internal.h"

struct meta;

/*
 * LIVE: in the namespace.  DELETED: out of it, bytes awaiting the
 * reclaimer.  PART: the bytes of a multipart upload's part, reachable only
 * through its upload or the composite version that completed it.
 */
enum { VERSION_LIVE = 0, VERSION_DELETED = 1, VERSION_PART = 2 };

struct meta_version {
    int64_t id;             /* commit order */
    int64_t bucket;
    char key[HF_KEY_MAX + 1];
    size_t keylen;
    uint8_t vid[16];
    int state;
    int marker;
    int is_null;            /* written while the bucket was not versioning (S3 "null") */
    int composite;          /* bytes are its pieces (multipart), not shards of its own */
    int64_t mtime;
    uint64_t size;
    unsigned k, m;
    uint32_t segsize;
    uint64_t nsegs;
    uint8_t checksum[16];
    uint8_t wrapped[60];
    uint8_t objhash[16];
    char etag[HF_ETAG_MAX + 1];
    char attrs[HF_ATTRS_MAX];
    size_t attrs_len;
    int64_t retain_until;   /* S3 Object Lock: retained until (ns), 0 = not retained */
    int retain_mode;        /* META_LOCK_NONE, _GOVERNANCE or _COMPLIANCE */
    int legal_hold;         /* S3 legal hold on */
    char sum[HF_SUM_MAX + 1]; /* the client's checksum (hf_object_meta.sum), "" if none */
    int latest;             /* filled by lookups and listings */
};

enum { META_LOCK_NONE = 0, META_LOCK_GOVERNANCE = 1, META_LOCK_COMPLIANCE = 2 };

struct meta_shard {
    unsigned idx;
    int64_t backend;
    unsigned gen;
};

struct meta_backend {
    int64_t id;
    const char *name, *domain, *location, *kind;
    double weight;
    const char *provider, *site, *jurisdiction;     /* "" when unset */
    const char *state;      /* active, draining, drained, wiped, retired, failed */
    int64_t state_since;    /* ns */
};

/* A proof of drain (store/drain.c): the SHA-256 of a check report. */
struct meta_check {
    char hash[65];          /* lower-case hex */
    int64_t backend;
    int64_t created;        /* ns */
    int passed;
    char fingerprint[65];   /* the backend's state the check saw (drain.c) */
    int64_t entry;          /* its "backend.checked" audit log entry */
};

struct meta_file {          /* a shard file by location, for intents and garbage */
    int64_t backend;
    char name[96];
    uint8_t vid[16];
    int64_t pid, pstart;
};

/* Open (and with @create, create) the database at @path in WAL mode. */
HF_HIDDEN enum hf_err meta_open(const char *path, bool create, struct meta **out);
HF_HIDDEN void meta_close(struct meta *m);
HF_HIDDEN const char *meta_errmsg(struct meta *m);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK.  rollback is NULL-safe. */
HF_HIDDEN enum hf_err meta_begin(struct meta *m);
HF_HIDDEN enum hf_err meta_commit(struct meta *m);
HF_HIDDEN void meta_rollback(struct meta *m);
/*
 * Inside a transaction: a savepoint (one level), released (kept) or rolled
 * back to (undone, the transaction going on).  rollback_to is NULL-safe
 * and reports nothing: after it the transaction is as before the savepoint.
 */
HF_HIDDEN enum hf_err meta_savepoint(struct meta *m);
HF_HIDDEN enum hf_err meta_release(struct meta *m);
HF_HIDDEN void meta_rollback_to(struct meta *m);

/* Backends */
/* Insert @b (state active since @b->state_since); *@id = its id. */
HF_HIDDEN enum hf_err meta_backend_add(struct meta *m, const struct meta_backend *b,
                                       int64_t *id);
HF_HIDDEN enum hf_err meta_backend_list(struct meta *m,
                                        enum hf_err (*fn)(void *, const struct meta_backend *),
                                        void *arg);
/* A backend's state (into @state, @len bytes) and since when.  HF_ENOTFOUND. */
HF_HIDDEN enum hf_err meta_backend_state(struct meta *m, int64_t id, char *state, size_t len,
                                         int64_t *since);
HF_HIDDEN enum hf_err meta_backend_set_state(struct meta *m, int64_t id, const char *state,
                                             int64_t now);
/* Shard rows naming backend @id; intents and garbage rows on it (either may be NULL). */
HF_HIDDEN enum hf_err meta_backend_usage(struct meta *m, int64_t id, uint64_t *shards,
                                         uint64_t *intents, uint64_t *garbage);
/* Drop the garbage and intents rows of @backend (a wiped backend: its files are gone). */
HF_HIDDEN enum hf_err meta_backend_forget_files(struct meta *m, int64_t backend);
/* Ids of versions with a shard row on @backend, above @after, ascending, at most @max. */
HF_HIDDEN enum hf_err meta_backend_versions(struct meta *m, int64_t backend, int64_t after,
                                            size_t max, int64_t *ids, size_t *n);
/* Record that a drain moved version @version off @backend; list them like the above. */
HF_HIDDEN enum hf_err meta_drained_add(struct meta *m, int64_t backend, int64_t version);
HF_HIDDEN enum hf_err meta_drained_versions(struct meta *m, int64_t backend, int64_t after,
                                            size_t max, int64_t *ids, size_t *n);
/* Proofs of drain.  get: HF_ENOTFOUND for an unknown hash. */
HF_HIDDEN enum hf_err meta_check_add(struct meta *m, const struct meta_check *c);
HF_HIDDEN enum hf_err meta_check_get(struct meta *m, const char *hash, struct meta_check *out);

/* Buckets */
HF_HIDDEN enum hf_err meta_bucket_create(struct meta *m, const char *name, int64_t now,
                                         int64_t owner, int versioning);
/* Hide (state DELETED) the live null version(s) of a key; *@hidden = how many. */
HF_HIDDEN enum hf_err meta_version_hide_null(struct meta *m, int64_t bucket, const char *key,
                                             size_t keylen, int64_t *hidden);
/* The live null version of a key.  HF_ENOTFOUND when there is none. */
HF_HIDDEN enum hf_err meta_version_get_null(struct meta *m, int64_t bucket, const char *key,
                                            size_t keylen, struct meta_version *out);
/* HF_ENOTFOUND when there is no such bucket. */
HF_HIDDEN enum hf_err meta_bucket_id(struct meta *m, const char *name, int64_t *id);
HF_HIDDEN enum hf_err meta_bucket_list(struct meta *m,
                                       enum hf_err (*fn)(void *, const char *, int64_t),
                                       void *arg);

/* Versions */
HF_HIDDEN enum hf_err meta_version_insert(struct meta *m, struct meta_version *v);
/*
 * Look up a live version of (@bucket, @key): by @vid, or the latest when
 * @vid is NULL.  HF_ENOTFOUND when there is none.
 */
HF_HIDDEN enum hf_err meta_version_get(struct meta *m, int64_t bucket, const char *key,
                                       size_t keylen, const uint8_t *vid,
                                       struct meta_version *out);
HF_HIDDEN enum hf_err meta_version_set_state(struct meta *m, int64_t id, int state);
/* Live versions of @bucket with @prefix, key order, newest first per key. */
HF_HIDDEN enum hf_err meta_version_list(struct meta *m, int64_t bucket, const char *prefix,
                                        size_t prefixlen, bool all,
                                        enum hf_err (*fn)(void *, const struct meta_version *),
                                        void *arg);
/*
 * The same from key @from on (when it sorts after @prefix): for paging.
 * The "latest" flag of the first key's rows is only right if @from is that
 * key's first row, i.e. callers page by key.
 */
HF_HIDDEN enum hf_err meta_version_list_from(struct meta *m, int64_t bucket, const char *prefix,
                                             size_t prefixlen, const char *from,
                                             size_t fromlen, bool all,
                                             enum hf_err (*fn)(void *,
                                                               const struct meta_version *),
                                             void *arg);
/* Ids of versions in @state that are not delete markers, from @after_id on, at most @max. */
HF_HIDDEN enum hf_err meta_version_ids(struct meta *m, int state, bool markers,
                                       int64_t after_id, size_t max, int64_t *ids,
                                       size_t *n);
HF_HIDDEN enum hf_err meta_version_by_id(struct meta *m, int64_t id, struct meta_version *out);
/* Remove a version's row and its shard rows. */
HF_HIDDEN enum hf_err meta_version_purge(struct meta *m, int64_t id);

/* Shards of a version */
HF_HIDDEN enum hf_err meta_shard_set(struct meta *m, int64_t version, const struct meta_shard *s);
/* Fill @out[idx] for every shard; *@n = shards found. */
HF_HIDDEN enum hf_err meta_shards_get(struct meta *m, int64_t version, struct meta_shard *out,
                                      unsigned *n);
/* True when a shard row names (@vid, @idx, @gen) on @backend. */
HF_HIDDEN enum hf_err meta_shard_known(struct meta *m, int64_t backend, const uint8_t vid[16],
                                       unsigned idx, unsigned gen, bool *known);

/* Intents: files a process is writing and has not yet referenced. */
HF_HIDDEN enum hf_err meta_intent_add(struct meta *m, const struct meta_file *f);
HF_HIDDEN enum hf_err meta_intent_remove(struct meta *m, int64_t backend, const char *name);
HF_HIDDEN enum hf_err meta_intent_list(struct meta *m, struct meta_file **out, size_t *n);

/* Garbage: unreferenced files queued for the reclaimer. */
HF_HIDDEN enum hf_err meta_garbage_add(struct meta *m, int64_t backend, const char *name);
HF_HIDDEN enum hf_err meta_garbage_remove(struct meta *m, int64_t backend, const char *name);
HF_HIDDEN enum hf_err meta_garbage_list(struct meta *m, struct meta_file **out, size_t *n);
/* True when @name on @backend is an intent or garbage. */
HF_HIDDEN enum hf_err meta_file_known(struct meta *m, int64_t backend, const char *name,
                                      bool *known);

/* Users and access keys (secrets are stored wrapped; meta never sees them in clear). */
HF_HIDDEN enum hf_err meta_user_add(struct meta *m, const char *name, int64_t now, int64_t *id);
/* HF_ENOTFOUND when there is no such user. */
HF_HIDDEN enum hf_err meta_user_id(struct meta *m, const char *name, int64_t *id);
/* Set a user's role ("user", "auditor", "admin"). */
HF_HIDDEN enum hf_err meta_user_set_role(struct meta *m, int64_t id, const char *role);
/* A user's role into @role (@len bytes).  HF_ENOTFOUND for no such user. */
HF_HIDDEN enum hf_err meta_user_role(struct meta *m, int64_t id, char *role, size_t len);
/* Remove a user and its keys. */
HF_HIDDEN enum hf_err meta_user_remove(struct meta *m, int64_t id);
/* @fn(arg, name, created, space-separated access keys), by name. */
HF_HIDDEN enum hf_err meta_user_list(struct meta *m,
                                     enum hf_err (*fn)(void *, const char *, int64_t,
                                                       const char *),
                                     void *arg);
HF_HIDDEN enum hf_err meta_key_add(struct meta *m, const char *access_key, int64_t user,
                                   const uint8_t *secret, size_t len, int64_t now);
/*
 * The user and wrapped secret of @access_key; *@len is the room in @secret
 * on entry, the length on return.  HF_ENOTFOUND for an unknown key.
 */
HF_HIDDEN enum hf_err meta_key_get(struct meta *m, const char *access_key, int64_t *user,
                                   char *user_name, size_t name_len, uint8_t *secret,
                                   size_t *len);

struct meta_bucket {
    int64_t id, created, owner;
    int versioning;         /* 0 never set, 1 enabled, 2 suspended */
    int lock;               /* S3 Object Lock enabled (then versioning stays enabled) */
    int lock_mode;          /* default retention: META_LOCK_*, 0 = no default */
    int lock_days, lock_years;
    char name[64];
};
/* HF_ENOTFOUND when there is no such bucket. */
HF_HIDDEN enum hf_err meta_bucket_get(struct meta *m, const char *name, struct meta_bucket *out);
HF_HIDDEN enum hf_err meta_bucket_by_id(struct meta *m, int64_t id, struct meta_bucket *out);
/* Set a bucket's Object Lock configuration. */
HF_HIDDEN enum hf_err meta_bucket_set_lock(struct meta *m, int64_t id, int lock, int mode,
                                           int days, int years);
/* Set a version's Object Lock retention and legal hold. */
HF_HIDDEN enum hf_err meta_version_set_lock(struct meta *m, int64_t id, int64_t retain_until,
                                            int mode, int legal_hold);
HF_HIDDEN enum hf_err meta_bucket_set_owner(struct meta *m, int64_t id, int64_t owner);
HF_HIDDEN enum hf_err meta_bucket_set_versioning(struct meta *m, int64_t id, int state);
/*
 * Remove a bucket, in its own transaction, aborting its multipart uploads
 * (their part versions become DELETED, for the reclaimer).  HF_ENOTEMPTY
 * while a live version (or marker) is in it.
 */
HF_HIDDEN enum hf_err meta_bucket_delete(struct meta *m, int64_t id);
/* @fn(arg, name, created) for the buckets of @owner, by name. */
HF_HIDDEN enum hf_err meta_bucket_owned(struct meta *m, int64_t owner,
                                        enum hf_err (*fn)(void *, const char *, int64_t),
                                        void *arg);

/* Multipart uploads */
struct meta_part {
    unsigned number;
    int64_t version;        /* the part's bytes: a version in VERSION_PART */
    uint64_t size;
    char etag[HF_ETAG_MAX + 1];
    int64_t mtime;
    char sum[HF_SUM_MAX + 1];   /* meta_part_list: its version's sum (meta_part_set ignores it) */
};
struct meta_piece {
    int64_t part_version;
    uint64_t offset, size;
};
HF_HIDDEN enum hf_err meta_upload_add(struct meta *m, const char *id, int64_t bucket,
                                      const char *key, size_t keylen, const char *attrs,
                                      size_t attrs_len, int64_t now);
/* HF_ENOTFOUND unless upload @id is for (@bucket, @key). */
HF_HIDDEN enum hf_err meta_upload_get(struct meta *m, const char *id, int64_t bucket,
                                      const char *key, size_t keylen, char *attrs,
                                      size_t *attrs_len, int64_t *created);
/* The Object Lock asked for upload @id's object (META_LOCK_*, ns, 0/1).  HF_ENOTFOUND. */
HF_HIDDEN enum hf_err meta_upload_set_lock(struct meta *m, const char *id, int mode,
                                           int64_t until, int legal_hold);
HF_HIDDEN enum hf_err meta_upload_get_lock(struct meta *m, const char *id, int *mode,
                                           int64_t *until, int *legal_hold);
/* What upload @id's parts carry (hf_upload_sum): set, and get into @sum.  HF_ENOTFOUND. */
HF_HIDDEN enum hf_err meta_upload_set_sum(struct meta *m, const char *id, const char *sum);
HF_HIDDEN enum hf_err meta_upload_get_sum(struct meta *m, const char *id,
                                          char sum[HF_SUM_MAX + 1]);
/* Remove an upload and its part rows (not the part versions). */
HF_HIDDEN enum hf_err meta_upload_remove(struct meta *m, const char *id);
HF_HIDDEN enum hf_err meta_upload_list(struct meta *m, int64_t bucket,
                                       enum hf_err (*fn)(void *, const char *id,
                                                         const char *key, size_t keylen,
                                                         int64_t created),
                                       void *arg);
/* Set part @p of @upload; *@replaced = the version of the part it replaced, or 0. */
HF_HIDDEN enum hf_err meta_part_set(struct meta *m, const char *upload,
                                    const struct meta_part *p, int64_t *replaced);
/* Parts of @upload numbered above @after, in order. */
HF_HIDDEN enum hf_err meta_part_list(struct meta *m, const char *upload, unsigned after,
                                     enum hf_err (*fn)(void *, const struct meta_part *),
                                     void *arg);
/* Remember that upload @id completed as @version (kept a day; older ones dropped). */
HF_HIDDEN enum hf_err meta_completed_add(struct meta *m, const char *id, int64_t version,
                                         int64_t now);
/* HF_ENOTFOUND unless upload @id completed recently. */
HF_HIDDEN enum hf_err meta_completed_get(struct meta *m, const char *id, int64_t *version);
HF_HIDDEN enum hf_err meta_piece_add(struct meta *m, int64_t version, unsigned seq,
                                     int64_t part_version, uint64_t offset, uint64_t size);
/* The pieces of composite @version in order; free *@out. */
HF_HIDDEN enum hf_err meta_pieces_get(struct meta *m, int64_t version,
                                      struct meta_piece **out, size_t *n);
HF_HIDDEN enum hf_err meta_pieces_remove(struct meta *m, int64_t version);

/*
 * The audit log (audit/audit.c).  Appends and node writes belong in the
 * caller's transaction, with the state change they record.
 */
/* Number of entries (the next seq). */
HF_HIDDEN enum hf_err meta_audit_size(struct meta *m, uint64_t *size);
HF_HIDDEN enum hf_err meta_audit_append(struct meta *m, uint64_t seq, int64_t time,
                                        const char *kind, const uint8_t *leaf, size_t len);
HF_HIDDEN enum hf_err meta_audit_node_put(struct meta *m, unsigned level, uint64_t index,
                                          const uint8_t hash[32]);
/* HF_ENOTFOUND when the node is not stored. */
HF_HIDDEN enum hf_err meta_audit_node_get(struct meta *m, unsigned level, uint64_t index,
                                          uint8_t hash[32]);
/* Entries with @from <= seq < @to (of @kind unless NULL), in order: @fn(arg, seq, leaf, len). */
HF_HIDDEN enum hf_err meta_audit_entries(struct meta *m, uint64_t from, uint64_t to,
                                         const char *kind,
                                         enum hf_err (*fn)(void *, uint64_t, const uint8_t *,
                                                           size_t),
                                         void *arg);
/* Keep a signed checkpoint of the tree at @size (a second one for a size is ignored). */
HF_HIDDEN enum hf_err meta_audit_checkpoint_add(struct meta *m, uint64_t size, int64_t time,
                                                const char *note);
/*
 * Checkpoints of trees of at least @min_size, by size (only the largest
 * when @latest_only): @fn(arg, size, time, note).  HF_ENOTFOUND when none.
 */
HF_HIDDEN enum hf_err meta_audit_checkpoints(struct meta *m, uint64_t min_size,
                                             bool latest_only,
                                             enum hf_err (*fn)(void *, uint64_t, int64_t,
                                                               const char *),
                                             void *arg);

/*
 * The log's signing key: its origin (key name) and its seed sealed by the
 * master key.  get: *@len is the room in @sealed on entry; HF_ENOTFOUND
 * when there is none.  put: the first key stored stays (a second is
 * ignored: read it back to learn which won).
 */
HF_HIDDEN enum hf_err meta_audit_key_get(struct meta *m, char *origin, size_t olen,
                                         uint8_t *sealed, size_t *len);
HF_HIDDEN enum hf_err meta_audit_key_put(struct meta *m, const char *origin,
                                         const uint8_t *sealed, size_t len);

/* Preservation holds (policy/holds.c) */
struct meta_hold {
    char id[129];               /* the case */
    char placed_by[129];
    char reference[1025];
    uint8_t document[32];       /* SHA-256 of the request document, when has_doc */
    bool has_doc;
    int64_t placed, released;   /* ns; released 0 while active */
    char released_by[129];
    char release_reason[1025];
    int64_t entry;              /* the audit log entry that placed it */
};
struct meta_hold_scope {
    char kind[8];               /* "user" or "bucket" */
    char name[129];
    char prefix[HF_KEY_MAX + 1];    /* bucket scopes: keys starting with it ("" = all) */
    size_t prefixlen;
};
/* HF_EEXIST when a hold with this id exists (active or released). */
HF_HIDDEN enum hf_err meta_hold_add(struct meta *m, const struct meta_hold *h);
HF_HIDDEN enum hf_err meta_hold_scope_add(struct meta *m, const char *hold,
                                          const struct meta_hold_scope *sc);
/* HF_ENOTFOUND when there is no such hold. */
HF_HIDDEN enum hf_err meta_hold_get(struct meta *m, const char *id, struct meta_hold *out);
/* HF_ENOTFOUND unless hold @id exists and is active. */
HF_HIDDEN enum hf_err meta_hold_release(struct meta *m, const char *id, int64_t when,
                                        const char *by, const char *reason);
/* Every hold, oldest first. */
HF_HIDDEN enum hf_err meta_hold_list(struct meta *m,
                                     enum hf_err (*fn)(void *, const struct meta_hold *),
                                     void *arg);
HF_HIDDEN enum hf_err meta_hold_scopes(struct meta *m, const char *hold,
                                       enum hf_err (*fn)(void *, const struct meta_hold_scope *),
                                       void *arg);
/*
 * The oldest active hold whose scope covers user @user, or bucket @bucket
 * at key @key (@key NULL: any scope on the bucket); either name may be
 * NULL, and with both NULL any active hold counts.  *@found false when
 * none does.
 */
HF_HIDDEN enum hf_err meta_hold_covering(struct meta *m, const char *user, const char *bucket,
                                         const char *key, size_t keylen, char *id,
                                         size_t idlen, bool *found);
/* The name of user @id.  HF_ENOTFOUND when there is none. */
HF_HIDDEN enum hf_err meta_user_name(struct meta *m, int64_t id, char *name, size_t len);

/*
 * Lifecycle (policy/lifecycle.c): settings, sealed keys, users' contacts
 * and account states, buckets' inactivity rule and last access, S3
 * lifecycle rules, expiry notices and every delivery attempt.
 */
/* A setting ("grace-days", "clock.high-water", ...).  HF_ENOTFOUND when unset. */
HF_HIDDEN enum hf_err meta_policy_get(struct meta *m, const char *key, char *val, size_t len);
HF_HIDDEN enum hf_err meta_policy_put(struct meta *m, const char *key, const char *value);
/* A key sealed by the master key; get: *@len is the room on entry.  put keeps the first. */
HF_HIDDEN enum hf_err meta_secret_get(struct meta *m, const char *name, uint8_t *sealed,
                                      size_t *len);
HF_HIDDEN enum hf_err meta_secret_put(struct meta *m, const char *name, const uint8_t *sealed,
                                      size_t len);

enum { META_ACCOUNT_ACTIVE = 0, META_ACCOUNT_SUSPENDED = 1, META_ACCOUNT_CLOSED = 2 };
struct meta_user_policy {
    int64_t user;
    char webhook[1025];         /* "" = none */
    char email[321];            /* "" = none */
    int state;                  /* META_ACCOUNT_* */
    int64_t state_since;
};
/* A user's contacts and state; defaults (active, no contacts) when never set. */
HF_HIDDEN enum hf_err meta_user_policy_get(struct meta *m, int64_t user,
                                           struct meta_user_policy *out);
HF_HIDDEN enum hf_err meta_user_policy_put(struct meta *m, const struct meta_user_policy *u);
HF_HIDDEN enum hf_err meta_user_policy_list(struct meta *m,
                                            enum hf_err (*fn)(void *,
                                                              const struct meta_user_policy *),
                                            void *arg);

struct meta_bucket_policy {
    int64_t bucket;
    int inactive_days;          /* 0: no inactivity rule */
    int64_t last_access;        /* ns of the last recorded read or write; 0 = none */
};
/* Defaults (no rule, no access) when never set. */
HF_HIDDEN enum hf_err meta_bucket_policy_get(struct meta *m, int64_t bucket,
                                             struct meta_bucket_policy *out);
HF_HIDDEN enum hf_err meta_bucket_set_inactivity(struct meta *m, int64_t bucket, int days);
/* last_access = max(last_access, @now). */
HF_HIDDEN enum hf_err meta_bucket_touch(struct meta *m, int64_t bucket, int64_t now);
/* Buckets with an inactivity rule. */
HF_HIDDEN enum hf_err meta_bucket_policy_list(struct meta *m,
                                              enum hf_err (*fn)(void *,
                                                                const struct meta_bucket_policy *),
                                              void *arg);

struct meta_lc_rule {
    char id[256];
    int enabled;
    char prefix[HF_KEY_MAX + 1];
    size_t prefixlen;
    int exp_days;               /* Expiration Days (0 = none) */
    int64_t exp_date;           /* Expiration Date, ns (0 = none) */
    int noncurrent_days;        /* NoncurrentVersionExpiration NoncurrentDays (0 = none) */
    int abort_days;             /* AbortIncompleteMultipartUpload DaysAfterInitiation */
};
/* Replace a bucket's rules with @r[0..n) (n = 0 removes them). */
HF_HIDDEN enum hf_err meta_lc_rules_set(struct meta *m, int64_t bucket,
                                        const struct meta_lc_rule *r, size_t n);
HF_HIDDEN enum hf_err meta_lc_rules_get(struct meta *m, int64_t bucket,
                                        enum hf_err (*fn)(void *, const struct meta_lc_rule *),
                                        void *arg);
/* Buckets with rules (malloc'd array in *@out). */
HF_HIDDEN enum hf_err meta_lc_buckets(struct meta *m, int64_t **out, size_t *n);

struct meta_notice {
    int64_t id, user;
    char user_name[129];
    char scope[1200];           /* "user:U", "bucket:B" or "bucket:B/PREFIX" */
    int64_t bucket;             /* 0 for a user scope */
    char prefix[HF_KEY_MAX + 1];
    size_t prefixlen;
    char rule[300];             /* "closure", "inactivity:N", "lifecycle:ID:expiration", ... */
    int64_t created, eligible_since, cutoff;    /* cutoff: versions written up to it */
    uint64_t versions, bytes;   /* eligible when created */
    char state[16];             /* pending, delivered, kept, expired, cancelled */
    int grace_days;
    int64_t delivered, expires; /* 0 until delivered */
    int reminders;              /* bits: 1 = 30 days, 2 = 7 days, 4 = 1 day before */
    int64_t last_attempt;
    int attempts;
    int64_t answered;
    char answered_via[64];
    int64_t closed;
    uint64_t expired_versions, held_versions;
    int64_t entry;              /* the "notice.created" entry */
};
/* Insert; sets @n->id. */
HF_HIDDEN enum hf_err meta_notice_add(struct meta *m, struct meta_notice *n);
/* Store the mutable fields (state, delivery, reminders, answer, outcome). */
HF_HIDDEN enum hf_err meta_notice_update(struct meta *m, const struct meta_notice *n);
/* HF_ENOTFOUND when there is no notice @id. */
HF_HIDDEN enum hf_err meta_notice_get(struct meta *m, int64_t id, struct meta_notice *out);
/* The newest notice of (@scope, @rule) in @state (NULL: open, pending or delivered). */
HF_HIDDEN enum hf_err meta_notice_find(struct meta *m, const char *scope, const char *rule,
                                       const char *state, struct meta_notice *out);
/* Ids of every notice (or the open ones), oldest first; free *@out. */
HF_HIDDEN enum hf_err meta_notice_ids(struct meta *m, bool open_only, int64_t **out, size_t *n);

struct meta_delivery {
    int64_t id, notice, time;
    char kind[32];              /* "notice", "reminder-30", "reminder-7", "reminder-1" */
    char channel[16];           /* "webhook", "email", "none" */
    char target[1025];
    char result[16];            /* "delivered", "failed" */
    char detail[512];
    int64_t entry;              /* the result's audit log entry */
};
HF_HIDDEN enum hf_err meta_delivery_add(struct meta *m, struct meta_delivery *d);
HF_HIDDEN enum hf_err meta_delivery_list(struct meta *m, int64_t notice,
                                         enum hf_err (*fn)(void *, const struct meta_delivery *),
                                         void *arg);

/* Counts for status. */
HF_HIDDEN enum hf_err meta_counts(struct meta *m, uint64_t *buckets, uint64_t *objects,
                                  uint64_t *versions, uint64_t *bytes);

#endif
