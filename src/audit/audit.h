/*
 * audit.h — the store's audit log, for the library's own modules
 * (subsystem interface).  The public face is hf_audit_* in holdfast.h.
 *
 * How a module records an event (invariant 6 of DESIGN.md: in the log
 * before it takes effect):
 *
 *     struct audit_record *r = audit_record_new("user.created", "user:alice");
 *     record_detail(r, "access-key", "%s", key);
 *     meta_begin(...);  ...the change...;  rc = audit_append(st, r);
 *     rc == HF_OK ? meta_commit(...) : meta_rollback(...);
 *     audit_after_commit(st);  free(r);
 *
 * or audit_log(st, r) for an event that is its own transaction (one that
 * must be durable before an irreversible act such as unlinking files).
 */
#ifndef HF_AUDIT_H
#define HF_AUDIT_H

#include "audit/record.h"

/* A checkpoint is signed at least this often while events arrive. */
#define AUDIT_CHECKPOINT_INTERVAL_S 60

/*
 * Make the store's signing key if it has none (at open: before any
 * entry, in its own statement).  Errors: HF_ECRYPTO, HF_EMETA, HF_EBUSY.
 */
HF_HIDDEN enum hf_err audit_ensure_key(struct hf_store *st);

/* A new record (malloc'd, free() it); NULL on ENOMEM. */
HF_HIDDEN struct audit_record *audit_record_new(const char *kind, const char *subject);

/*
 * Append @r inside the caller's open transaction; sets its seq, time and
 * actor.  The first append to an empty log first appends the
 * "audit.key-created" entry that publishes the signing key (creating the
 * key if there is none).  Errors: HF_EINVAL (@r does not encode),
 * HF_ECONFIG (signing key unreadable), HF_EMETA, HF_EBUSY, HF_ENOSPC,
 * HF_ENOMEM; the caller must then roll back its change.
 */
HF_HIDDEN enum hf_err audit_append(struct hf_store *st, struct audit_record *r);

/*
 * The common case in one call: append an event of @kind about @subject
 * with details given as NULL-terminated (key, value) string pairs, inside
 * the caller's transaction.  Errors: as audit_append.
 */
HF_HIDDEN enum hf_err audit_event(struct hf_store *st, const char *kind, const char *subject,
                                  ...) __attribute__((sentinel));

/*
 * End the transaction holding a change and its log entries: commit when
 * @rc is HF_OK, else (or if the commit fails) roll back and return the
 * error, with the database's message unless the change set its own.  After
 * a commit, audit_after_commit.  The one way every logged change ends.
 */
HF_HIDDEN enum hf_err audit_commit(struct hf_store *st, enum hf_err rc);

/* audit_append in a transaction of its own, then audit_after_commit.  Errors: as it. */
HF_HIDDEN enum hf_err audit_log(struct hf_store *st, struct audit_record *r);

/*
 * After committing appends: sign a checkpoint when the latest is older
 * than AUDIT_CHECKPOINT_INTERVAL_S (or there is none) and the tree grew.
 * Best effort: the events are already durable; a failure is left in the
 * store's error message only.
 */
HF_HIDDEN void audit_after_commit(struct hf_store *st);

/*
 * At open: record a clock override (HOLDFAST_CLOCK_OFFSET_S) and the
 * settings of holdfast.conf, each when it differs from what the log last
 * recorded ("clock.override", "store.config").  Best effort.
 */
HF_HIDDEN void audit_open_checks(struct hf_store *st);

/* Free the store's audit state (signing key wiped).  NULL-safe. */
HF_HIDDEN void audit_state_free(struct audit_state *a);

/*
 * The JSON object (jansson json_t *, returned as void * so that this
 * header needs no jansson) for entry @seq with bytes @leaf: its fields as
 * decoded, and "leaf" in base64.  NULL when @leaf is not canonical or on
 * ENOMEM.  Export and offline verification both use it, so an exported
 * line can be compared with the line its own leaf produces.
 */
HF_HIDDEN void *audit_entry_json(uint64_t seq, const uint8_t *leaf, size_t len);

#endif
