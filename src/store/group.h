/*
 * group.h — group commit of small PUTs in a server process (store
 * subsystem interface, between put.c and group.c).
 *
 * A server starts one committer (group_start) with a store handle of its
 * own and attaches it to every connection's handle (st->group).  A PUT of
 * one segment of at most GROUP_MAX_BYTES then:
 *
 *   group_reserve   takes a version id whose placement is chosen and whose
 *                   intents are already committed (a pool the committer
 *                   keeps filled);
 *                   creates and writes its shard files at once, on its own
 *                   thread, without syncing them;
 *   group_submit    queues a ticket and waits: the committer makes the files
 *                   of every queued ticket durable together (the backend's
 *                   commit_many: for directories one syncfs per filesystem,
 *                   not a flush per file), then commits all their rows in
 *                   one transaction (a savepoint per ticket) and answers
 *                   each ticket.
 *
 * The CLI attaches no committer: its puts keep the path of put.c alone.
 *
 * INVARIANTS
 *   (1) A reservation is handed out only after the transaction that added
 *       its intents committed: every shard file of a small PUT has a
 *       committed intent before it is created (put.c invariant 1).  Unused
 *       reservations of a dead server are intents without files, which the
 *       reclaimer drops like any other (reclaim_abandoned).
 *   (2) A ticket's rows are written only after all of its files (data and
 *       directory entries) are durable; a ticket whose sync failed is
 *       answered with the error and left out of the transaction (put.c
 *       invariant 2).
 *   (3) A ticket is answered only after the transaction holding its rows
 *       committed (or failed): nothing is acknowledged before it is durable,
 *       and a crash before COMMIT leaves only files that intents name.
 *   (4) Tickets are applied in arrival order; one that fails (bucket gone,
 *       If-Match, the policy gate, Object Lock) rolls back its own savepoint
 *       only, and its writer reclaims its files (put.c invariant 3).
 *   (5) Only the committer writes the rows of small PUTs: the connections'
 *       handles no longer fight for SQLite's write lock on that path.
 *   (6) Reservations go only to active backends (the refill's transaction
 *       re-reads their states, store_targets_active, as a write alone
 *       does); unused ones naming a backend that stopped being active are
 *       dropped within a second, so a drain, which waits until no intent
 *       names its backend, is not held up by a running server.
 */
#ifndef HF_GROUP_H
#define HF_GROUP_H

#include "store/object.h"

/* PUTs of at most this many bytes (and one segment) take the group path. */
#define GROUP_MAX_BYTES (1024u * 1024u)

struct group;

/* A version id with its placement; its intents are committed. */
struct group_res {
    uint8_t vid[16];
    unsigned n;
    int64_t backend[HF_MAX_SHARDS];
};

/* The conditions of a write, checked in its commit transaction. */
struct put_cond {
    bool if_none_match_any;             /* S3 If-None-Match: * */
    const char *if_match;               /* S3 If-Match (unquoted), or NULL */
    const struct hf_object_lock *lock;  /* Object Lock asked for, or NULL */
};

struct group_ticket {
    /* Set by the writer; borrowed by the committer until answered. */
    struct hf_store *st;                /* the writer's handle: its actor */
    const char *bucket;
    struct meta_version *v;             /* the committer sets id, mtime, is_null, lock */
    unsigned n;
    int64_t backend[HF_MAX_SHARDS];
    const struct backend_ops *ops[HF_MAX_SHARDS];
    struct be_writer *w[HF_MAX_SHARDS]; /* moved to the committer (consumed) */
    struct put_cond cond;
    /* Set by the committer. */
    enum hf_err rc;
    char msg[HF_ERRMSG_MAX];            /* why, when rc != HF_OK */
    bool done;
    struct group_ticket *next;
};

/*
 * Start the committer on handle @st, which it owns from now on (closed by
 * group_stop).  Errors: HF_ENOMEM (no memory or no thread).  On failure
 * @st is closed too.
 */
HF_HIDDEN enum hf_err group_start(struct hf_store *st, struct group **out);
/*
 * Answer what is queued, stop the committer, drop the intents of unused
 * reservations (no file exists for them) and close its handle.  NULL-safe.
 * Call it only when no writer uses @g any more.
 */
HF_HIDDEN void group_stop(struct group *g);
/*
 * Take a reservation for @n shards, waiting for the committer to refill
 * the pool when it is empty.  Errors: HF_EINVAL (@n is not the store's
 * k+m), HF_EBUSY (the committer is stopping), or the refill's error
 * (HF_EBACKEND: no usable backend; HF_EMETA, HF_EBUSY, HF_ENOSPC).
 */
HF_HIDDEN enum hf_err group_reserve(struct group *g, unsigned n, struct group_res *out);
/*
 * Queue @t and wait until it is answered; returns t->rc (t->msg says
 * why).  Every writer in t->w is consumed, whatever the result.
 * Errors: HF_EIO, HF_ENOSPC, ... (a shard file could not be made durable),
 * and those of put_rows and of the commit (HF_EMETA, HF_EBUSY, HF_ENOSPC).
 */
HF_HIDDEN enum hf_err group_submit(struct group *g, struct group_ticket *t);

/*
 * put.c, shared with the committer.
 *
 * put_rows: inside the caller's transaction, make version @v of @bucket
 * visible: the bucket still exists, @c holds, a replaced null version is
 * hidden (the gate and its "object.overwritten" entry: obj_hide_null), the
 * Object Lock rules give its retention, then its row, the rows of its @n
 * shards on @backend[i], and its intents removed.  Errors: HF_ENOTFOUND
 * (the bucket was deleted), HF_EPRECOND, HF_EHELD, HF_EINVAL (Object
 * Lock), HF_EMETA, HF_EBUSY, HF_ENOSPC, the audit log's.
 */
HF_HIDDEN enum hf_err put_rows(struct hf_store *st, const char *bucket, struct meta_version *v,
                               const int64_t *backend, unsigned n, const struct put_cond *c);
/* The message of a failed put_rows or commit, set on @st; returns @rc. */
HF_HIDDEN enum hf_err put_commit_fail(struct hf_store *st, enum hf_err rc);
/* Choose backends for the shards of @vid.  Errors: HF_EBACKEND (none usable). */
HF_HIDDEN enum hf_err put_place(struct hf_store *st, const uint8_t vid[16], unsigned n,
                                struct backend **out);

#endif
