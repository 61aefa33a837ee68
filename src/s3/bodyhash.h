/*
 * bodyhash.h — a request body's digests on a helper thread (subsystem
 * interface).
 *
 * The connection thread of an object upload hands each piece of the body
 * to bodyhash_feed, which copies it into a fixed ring and returns; a helper
 * thread runs the caller's digest function on the ring's bytes, in order,
 * while the connection thread goes on into the engine (encryption,
 * erasure coding).  The ETag's MD5 and the request's payload checks then
 * cost no time on the connection thread, only a memcpy.
 *
 * Lifecycle: bodyhash_start, bodyhash_feed..., bodyhash_finish (the digest
 * state is the caller's again), bodyhash_free.  bodyhash_free without
 * bodyhash_finish (an aborted upload) stops the helper without hashing
 * what is left.
 */
#ifndef HF_S3_BODYHASH_H
#define HF_S3_BODYHASH_H

#include "internal.h"

/* Bytes of the ring: the memory one upload adds, whatever the body's size. */
#define BODYHASH_RING (1024 * 1024)

/* Digest @len bytes at @data (on the helper thread); an error is sticky. */
typedef enum hf_err (*bodyhash_fn)(void *arg, const uint8_t *data, size_t len);

struct bodyhash;

/*
 * Start the helper thread that calls @fn(@arg, ...) on every fed byte, in
 * order.  Until bodyhash_finish or bodyhash_free returns, whatever @fn
 * touches belongs to the helper thread.
 * Errors: HF_ENOMEM (memory or the thread; *@out is NULL).
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err bodyhash_start(bodyhash_fn fn, void *arg,
                                                  struct bodyhash **out);

/*
 * Copy @len bytes into the ring for the helper; blocks while the ring is
 * full, so memory stays BODYHASH_RING however far the helper is behind.
 * Errors: the first error @fn returned (then nothing more is digested).
 */
HF_HIDDEN enum hf_err bodyhash_feed(struct bodyhash *h, const void *data, size_t len);

/*
 * Wait until @fn ran on every fed byte and stop the helper.  After this,
 * @fn's state is the caller's again.  Call it once.
 * Errors: the first error @fn returned.
 */
HF_HIDDEN enum hf_err bodyhash_finish(struct bodyhash *h);

/* Stop the helper (dropping bytes not yet digested) and free.  NULL-safe. */
HF_HIDDEN void bodyhash_free(struct bodyhash *h);

#endif
