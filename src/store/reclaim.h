/*
 * reclaim.h — the reclaimer (subsystem interface).
 *
 * The only code that removes shard bytes.  Everything that makes a shard
 * file unneeded records it in metadata (a deleted version, an intent of a
 * failed write, a garbage row of a replaced file) and leaves the removal
 * to these functions.
 */
#ifndef HF_RECLAIM_H
#define HF_RECLAIM_H

#include "internal.h"

/* Remove the files of writes whose process is gone.  Best effort. */
HF_HIDDEN void reclaim_abandoned(struct hf_store *st);

/*
 * Remove the files of this process's failed write of @vid (its intents),
 * then the intents.  Errors: HF_EMETA, HF_EIO.
 */
HF_HIDDEN enum hf_err reclaim_failed_write(struct hf_store *st, const uint8_t vid[16]);

struct backend;
/*
 * Wipe: remove every shard file on backend @be that no shards row names
 * (the caller established that the backend is drained, proven and
 * logged), with the garbage and intents rows of what it removed.  A file
 * a shards row still names is left and counted in *@kept (never
 * removed: it is needed).  *@files and *@bytes count what was removed.
 * Errors: HF_EIO, HF_EBACKEND, HF_EMETA; HF_EBUSY when *@kept > 0.
 */
HF_HIDDEN enum hf_err reclaim_wipe(struct hf_store *st, struct backend *be, uint64_t *files,
                                   uint64_t *bytes, uint64_t *kept);

#endif
