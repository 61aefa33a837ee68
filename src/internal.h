/*
 * internal.h — library-internal declarations shared by libholdfast's
 * modules.  Never installed; front ends include only <holdfast/holdfast.h>.
 *
 * Header tiers (after SQLite): holdfast.h is public; this file is the
 * library-internal tier; each subsystem has its own interface header
 * (store/crypt.h, store/rs.h, store/shard.h, store/placement.h,
 * backend/backend.h, meta/meta.h) that only its users include.
 */
#ifndef HF_INTERNAL_H
#define HF_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "holdfast/holdfast.h"

#define HF_HIDDEN __attribute__((visibility("hidden")))

#define HF_MAX_SHARDS 32            /* k + m at most */
#define HF_MIN_SEGMENT (64u * 1024)
#define HF_MAX_SEGMENT (64u * 1024 * 1024)
#define HF_DEFAULT_SEGMENT (4u * 1024 * 1024)
#define HF_ERRMSG_MAX 512

struct meta;
struct backend;
struct audit_state;

struct hf_store {
    char *dir;                      /* absolute path of the data directory */
    unsigned k, m;
    uint32_t segment_size;
    unsigned min_redundancy;        /* holdfast.conf: domains a new segment must survive */
    unsigned char *master_key;      /* 32 bytes, OPENSSL_secure_malloc'd */
    struct meta *meta;
    struct backend **backends;      /* all registered backends */
    size_t nbackends;
    char errmsg[HF_ERRMSG_MAX];
    char attrs_buf[HF_ATTRS_MAX];   /* attributes returned by hf_head */
    char actor[128];                /* who events are recorded for (hf_store_set_actor) */
    struct audit_state *audit;      /* signing key, loaded on first use (audit/audit.c) */
    struct group *group;            /* a server's committer of small puts (store/group.h),
                                       borrowed; NULL: every put commits alone */
    int64_t touch_bucket, touch_ns; /* the last bucket access recorded (policy_touch) */
};

/* ---- util/err.c ---- */

/* Translate an errno value to the matching hf_err (EIO, ENOSPC, ...). */
HF_HIDDEN enum hf_err hf_err_from_errno(int e);
/* Record a detail message for hf_store_errmsg() and return @rc. */
HF_HIDDEN enum hf_err hf_fail(struct hf_store *st, enum hf_err rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
HF_HIDDEN void hf_clear_err(struct hf_store *st);

/* ---- util/util.c ---- */

/* Write all @len bytes at the current offset, retrying short writes/EINTR. */
HF_HIDDEN enum hf_err hf_write_all(int fd, const void *buf, size_t len);
/* pread exactly @len bytes at @off; HF_ECORRUPT on a short file. */
HF_HIDDEN enum hf_err hf_pread_full(int fd, void *buf, size_t len, uint64_t off);
/* fsync a directory by path. */
HF_HIDDEN enum hf_err hf_fsync_dir(const char *path);
/* mkdir -p with mode 0700 for what it creates. */
HF_HIDDEN enum hf_err hf_mkdir_p(const char *path);
/* Cryptographically random bytes (OpenSSL RAND_bytes). */
HF_HIDDEN enum hf_err hf_random(void *buf, size_t len);
/* Lower-case hex of @len bytes into @out (2*len+1 bytes). */
HF_HIDDEN void hf_hex(const uint8_t *in, size_t len, char *out);
/* The value of hex digit @c (either case), or -1. */
HF_HIDDEN int hf_hexval(int c);
/* Parse exactly 2*len hex digits; -1 on any bad character. */
HF_HIDDEN int hf_unhex(const char *in, uint8_t *out, size_t len);
/*
 * Decode base64 @in (@len bytes, padded, standard alphabet, no whitespace)
 * into @out, which has room for @max bytes; *@outlen gets the decoded
 * length.  Returns -1 on bad characters, bad padding, an empty input, a
 * length not a multiple of 4, more than @max bytes of output, or ENOMEM.
 */
HF_HIDDEN int hf_base64_decode(const char *in, size_t len, uint8_t *out, size_t max,
                               size_t *outlen);
/* Encode @len bytes as padded base64 into @out (4*ceil(len/3)+1 bytes). */
HF_HIDDEN void hf_base64_encode(const uint8_t *in, size_t len, char *out);
/* Bytes hf_base64_encode writes for @len bytes, with the NUL. */
#define HF_BASE64_LEN(len) (((len) + 2) / 3 * 4 + 1)
/*
 * The one clock: ns since the epoch.  For tests, HOLDFAST_NOW (RFC 3339)
 * sets it (it reads that time at the process's first call, then runs on)
 * and HOLDFAST_CLOCK_OFFSET_S shifts it.  Never below the floor set by
 * hf_clock_floor: the store's high-water mark, so policy time never goes
 * backwards.
 */
/*
 * The machine's real time, for what is about the network, not policy:
 * the freshness of a signed request (SigV4 skew, presigned expiry).  Never
 * overridden, never floored.
 */
HF_HIDDEN int64_t hf_wall_ns(void);
HF_HIDDEN int64_t hf_now_ns(void);
/* Raise the clock's floor to @ns (never lowers it).  Thread-safe. */
HF_HIDDEN void hf_clock_floor(int64_t ns);
/* Parse an RFC 3339 time ("2027-01-31T12:00:00Z", fraction and offset allowed); -1 if bad. */
HF_HIDDEN int hf_parse_rfc3339(const char *s, int64_t *ns);
/* asprintf that returns NULL on failure. */
HF_HIDDEN char *hf_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* This process's identity for abandoned-write detection: pid + start time. */
HF_HIDDEN void hf_self_ident(int64_t *pid, int64_t *start);
/* True when the process (@pid, @start) from hf_self_ident() is alive. */
HF_HIDDEN bool hf_proc_alive(int64_t pid, int64_t start);

static inline void hf_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t hf_get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline void hf_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline uint16_t hf_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/*
 * A crash point for the crash tests: when $HOLDFAST_CRASH_AT is N > 0, the
 * N-th call in this process kills it with SIGKILL (as `kill -9` would).
 * Placed between the durable steps of every operation that writes.  Costs
 * one branch when the variable is unset.
 */
HF_HIDDEN void hf_crashpoint(void);

/* ---- store/store.c ---- */

/* The backend with id @id, or NULL. */
HF_HIDDEN struct backend *hf_store_backend(struct hf_store *st, int64_t id);
/* The backend named @name, or NULL. */
HF_HIDDEN struct backend *hf_store_backend_named(struct hf_store *st, const char *name);
/*
 * Inside the caller's transaction: are the backends @be[0..n) (NULLs skipped) still
 * active in the metadata?  Another process may have started draining or
 * failed one since this store was opened: then the states are reloaded
 * and HF_EBACKEND returned (the caller places again).  Errors: HF_EMETA.
 */
HF_HIDDEN enum hf_err store_targets_active(struct hf_store *st, struct backend *const *be,
                                           unsigned n);
/* Reload every backend's state from the metadata (best effort). */
HF_HIDDEN void store_refresh_states(struct hf_store *st);

#endif
