/*
 * holdfast.h — the public API of libholdfast.
 *
 * libholdfast holds all of holdfast's behaviour: the storage engine
 * (segments, AEAD, Reed-Solomon, placement, shard backends), metadata, and
 * the reclaimer.  The CLI (and later the S3 server) use only this header.
 *
 * Conventions
 *   - Every function that can fail returns enum hf_err; HF_OK is 0.
 *   - Out-parameters are set to NULL / zero on failure.
 *   - A pointer handed to a callback is borrowed: valid only during that
 *     call.  Pointers returned to the caller say who frees them.
 *   - Object keys are (pointer, length) pairs: a key is arbitrary bytes as
 *     far as the API goes, and the library rejects what S3 would reject
 *     (empty, over 1024 bytes, NUL, invalid UTF-8) with HF_EBADKEY.
 *   - A store handle is not thread-safe; open one per thread.
 */
#ifndef HOLDFAST_H
#define HOLDFAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HF_API __attribute__((visibility("default")))
#define HF_MUST_CHECK __attribute__((warn_unused_result))
#else
#define HF_API
#define HF_MUST_CHECK
#endif

/*
 * Errors.  Numbers are part of the ABI and are never reused: add new ones
 * at the end.
 */
enum hf_err {
    HF_OK = 0,
    HF_ENOMEM = 1,       /* out of memory */
    HF_EINVAL = 2,       /* bad argument (caller's mistake) */
    HF_ENOTFOUND = 3,    /* no such bucket, object, version or backend */
    HF_EEXIST = 4,       /* already exists (store, bucket, backend) */
    HF_EIO = 5,          /* an I/O error from a disk or backend */
    HF_ENOSPC = 6,       /* a backend or the metadata disk is full */
    HF_ECORRUPT = 7,     /* stored bytes failed verification */
    HF_EUNREADABLE = 8,  /* fewer than k good shards: data cannot be rebuilt */
    HF_ECRYPTO = 9,      /* a crypto library failure or authentication failure */
    HF_EMETA = 10,       /* the metadata database failed */
    HF_EBACKEND = 11,    /* a backend is unavailable */
    HF_EPERM = 12,       /* permission denied by the OS (read-only dir, ...) */
    HF_ETRUNCATED = 13,  /* input ended before its declared size */
    HF_EBADKEY = 14,     /* invalid object key */
    HF_EBADBUCKET = 15,  /* invalid bucket name */
    HF_ENOTEMPTY = 16,   /* bucket not empty */
    HF_EBUSY = 17,       /* store locked by another operation */
    HF_ECONFIG = 18,     /* the store's config or key is missing or invalid */
    HF_ENOPLACE = 19,    /* not enough usable failure domains to place shards */
    HF_EDELETED = 20,    /* the version is a delete marker */
    HF_ERANGE = 21,      /* a range outside the object */
    HF_EAUTHMALFORMED = 22, /* SigV4: Authorization header or presigned query malformed */
    HF_EAUTHALGORITHM = 23, /* SigV4: unsupported signing algorithm (SigV2, SigV4A) */
    HF_EAUTHHEADERS = 24,   /* SigV4: date header missing, host or an x-amz-* header unsigned */
    HF_ESIGNATURE = 25,     /* SigV4: signature (request, chunk or trailer) does not match */
    HF_ESKEWED = 26,        /* SigV4: request time too far from the server's clock */
    HF_EEXPIRED = 27,       /* SigV4: presigned request has expired */
    HF_EBADDIGEST = 28,     /* body does not match Content-MD5, x-amz-checksum-* or x-amz-content-sha256 */
    HF_EMALFORMED = 29,     /* malformed request: bad encoding, framing or header value */
    HF_EBADARG = 30,        /* a request value out of range (S3 InvalidArgument, InvalidTag, ...) */
    HF_EBADPART = 31,       /* multipart: a listed part is missing or its ETag differs */
    HF_EPARTORDER = 32,     /* multipart: parts not in ascending order */
    HF_ETOOSMALL = 33,      /* multipart: a part other than the last is under 5 MiB */
    HF_EPRECOND = 34,       /* a conditional write's condition does not hold */
    HF_EHELD = 35,          /* refused: a hold, legal hold or unexpired retention keeps the data */
};

/* A static string naming the error; never NULL. */
HF_API const char *hf_strerror(enum hf_err err);

/* ------------------------------------------------------------------ */
/* Store                                                               */
/* ------------------------------------------------------------------ */

struct hf_store;

struct hf_init_opts {
    unsigned k;             /* data shards; default 4 */
    unsigned m;             /* parity shards; default 2 */
    unsigned domains;       /* local directory backends to create; default 6 */
    uint32_t segment_size;  /* plaintext bytes per segment; default 4 MiB */
};

/*
 * Create a new store in @dir (created if missing; must be empty of any
 * store).  Writes holdfast.conf, master.key (0600), meta.db (SQLite, WAL)
 * and @opts->domains backend directories backends/d0.. each in its own
 * failure domain.  @opts may be NULL for defaults.
 * Errors: HF_EEXIST (a store is already there), HF_EINVAL (k, m, domains or
 * segment size out of range), HF_EIO, HF_EPERM, HF_ENOSPC, HF_EMETA.
 */
HF_API enum hf_err hf_store_init(const char *dir, const struct hf_init_opts *opts);

/*
 * Open the store in @dir.  On success *@out is a handle to free with
 * hf_store_close().  Abandoned writes of dead processes are reclaimed on
 * open by the reclaimer.
 * Errors: HF_ENOTFOUND (no store in @dir), HF_ECONFIG, HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_store_open(const char *dir, struct hf_store **out);

/* Close and free a store handle.  NULL-safe. */
HF_API void hf_store_close(struct hf_store *st);

/*
 * A human-readable detail of the last error this handle returned (which
 * backend, which file, what the OS said).  Borrowed; valid until the next
 * call on @st.  Empty string when there is none.
 */
HF_API const char *hf_store_errmsg(const struct hf_store *st);

/* Progress of long operations; @done and @total in bytes (total 0 = unknown). */
typedef void (*hf_progress_fn)(void *arg, uint64_t done, uint64_t total);

/* ------------------------------------------------------------------ */
/* Status and backends                                                 */
/* ------------------------------------------------------------------ */

/*
 * A backend's life: active -> draining -> drained -> wiped -> retired, and
 * failed (marked by the operator: never read or written until reactivated
 * and reconciled).  An active backend whose directory cannot be opened is
 * reported as unavailable (unreachable) until it comes back.
 */
enum hf_backend_state {
    HF_BACKEND_ACTIVE = 0,
    HF_BACKEND_UNAVAILABLE = 1, /* root missing or unreadable right now */
    HF_BACKEND_DRAINING = 2,    /* shards being moved off; no new shards */
    HF_BACKEND_DRAINED = 3,     /* no shard of any version is on it any more */
    HF_BACKEND_WIPED = 4,       /* drained, proven, every shard file removed */
    HF_BACKEND_RETIRED = 5,     /* wiped and out of service for good */
    HF_BACKEND_FAILED = 6,      /* marked failed: its shards are rebuilt elsewhere */
};

struct hf_backend_info {
    const char *name;     /* borrowed */
    const char *domain;   /* borrowed */
    const char *path;     /* borrowed; absolute */
    enum hf_backend_state state;
    const char *provider; /* borrowed; "" when unset (so are site and jurisdiction) */
    const char *site;
    const char *jurisdiction;
    const char *state_name; /* borrowed: "active", "unavailable", "draining", ... */
    uint64_t shard_rows;  /* shards of stored versions the metadata places on it */
    uint64_t bytes;       /* bytes of shard files on it */
    uint64_t shards;      /* shard files on it */
    uint64_t free_bytes;  /* free space of its filesystem */
};

typedef enum hf_err (*hf_backend_fn)(void *arg, const struct hf_backend_info *b);

/*
 * Call @fn for each backend, in name order.  With @with_usage the shard
 * files of each backend are counted (walks the backend).  A non-HF_OK
 * return from @fn stops the walk and is returned.
 */
HF_API enum hf_err hf_backend_list(struct hf_store *st, int with_usage,
                                   hf_backend_fn fn, void *arg);

/*
 * Register a local directory backend NAME at PATH (created if missing) in
 * failure domain @domain.
 * Errors: HF_EEXIST (name taken, or path already a backend), HF_EINVAL
 * (bad name), HF_EIO/HF_EPERM (cannot create the directory), HF_EMETA.
 */
HF_API enum hf_err hf_backend_add(struct hf_store *st, const char *name,
                                  const char *path, const char *domain);

/* Optional attributes of a failure domain; NULL or "" = unset. */
struct hf_backend_attrs {
    const char *provider;       /* who runs it: one provider never holds more than m shards */
    const char *site;           /* where it is (building, region) */
    const char *jurisdiction;   /* whose law applies */
};

/* hf_backend_add with attributes (@attrs may be NULL).  Errors: as it. */
HF_API enum hf_err hf_backend_add_attrs(struct hf_store *st, const char *name,
                                        const char *path, const char *domain,
                                        const struct hf_backend_attrs *attrs);

struct hf_drain_stats {
    uint64_t versions;        /* versions whose shards were moved off */
    uint64_t shards_copied;   /* shard files copied (read, verified, written, read back) */
    uint64_t shards_rebuilt;  /* shard files written from the other shards (frames rebuilt) */
    uint64_t bytes;           /* shard bytes written */
    uint64_t failed;          /* versions that could not be moved (left in place) */
    uint64_t remaining;       /* shard rows still on the backend at the end */
};

/*
 * Drain backend @name: mark it draining (new writes avoid it; logged
 * "backend.draining"), move every shard of every version off it onto
 * backends that keep the placement rules (copy where readable, verified
 * and read back; rebuild from the other shards where not), and when none
 * is left mark it drained ("backend.drained").  Resumable: run it again
 * after a crash.  A backend already drained is left as it is.
 * @progress gets (versions done, versions to do).
 * Errors: HF_ENOTFOUND, HF_EINVAL (wiped or retired), HF_ENOPLACE (no
 * backend to move to), HF_EUNREADABLE (some versions could not be moved:
 * see @out->failed), HF_EMETA, HF_EIO.
 */
HF_API enum hf_err hf_backend_drain(struct hf_store *st, const char *name,
                                    hf_progress_fn progress, void *progress_arg,
                                    struct hf_drain_stats *out);

struct hf_check_result {
    int passed;               /* 1: safe to wipe */
    uint64_t versions;        /* versions that had a shard on the backend, checked */
    uint64_t unsafe;          /* of them, without full redundancy elsewhere */
    uint64_t held;            /* of the unsafe ones, under a hold or retention */
    char hash[65];            /* SHA-256 (hex) of the report: the proof to give wipe */
    char report_path[4096];   /* where the report was written */
    int64_t entry;            /* its "backend.checked" audit log entry */
};

/*
 * Proof of drain: read back every version that had a shard on @name and
 * verify it has all k+m shards, on distinct domains, on active backends
 * other than @name, every frame verifying and every segment
 * authenticating.  Writes a JSON report (unsafe versions listed, held or
 * retained ones first) under DATA/reports/, logs its SHA-256 as the
 * document of a "backend.checked" entry and returns it in @out.  Passes
 * only for a drained backend with nothing left on it.  Returns HF_OK when
 * the check ran, passed or not.
 * Errors: HF_ENOTFOUND, HF_EMETA, HF_EIO, the audit log's.
 */
HF_API enum hf_err hf_backend_check(struct hf_store *st, const char *name,
                                    struct hf_check_result *out);

struct hf_wipe_result {
    uint64_t files;           /* shard files removed */
    uint64_t bytes;           /* their bytes */
    int64_t entry;            /* the "backend.wiped" entry: the certificate */
};

/*
 * Wipe drained backend @name given @proof (the hash hf_backend_check
 * returned): refuses unless that check passed for this backend in its
 * current state (same files, same state) and no version still has a shard
 * on it; held or retained data has no override.  Removes every shard file
 * through the reclaimer, verifies none is left, and logs a sanitization
 * certificate ("backend.wiped").
 * Errors: HF_ENOTFOUND, HF_EHELD (held data still on it), HF_EPRECOND (no
 * passing proof, a stale proof, not drained), HF_EIO (removal or
 * verification failed), HF_EMETA.
 */
HF_API enum hf_err hf_backend_wipe(struct hf_store *st, const char *name, const char *proof,
                                   struct hf_wipe_result *out);

/*
 * Change a backend's state by hand, each a logged event:
 *   "retire"   wiped -> retired ("backend.retired")
 *   "fail"     active, draining, unreachable -> failed ("backend.failed"):
 *              its shards are no longer read; scrub --repair re-places them
 *   "activate" failed or draining -> active ("backend.activated"), after
 *              reconciling: every shard file on it is verified against
 *              the metadata and those that fail are rebuilt elsewhere
 * Errors: HF_ENOTFOUND, HF_EINVAL (not allowed from its state), HF_EMETA.
 */
HF_API enum hf_err hf_backend_set_state(struct hf_store *st, const char *name,
                                        const char *action);

/*
 * Take a new, empty directory at backend NAME's path as that backend (a
 * replaced disk): writes the backend's marker so it is used again.  Its
 * shards are then missing; `hf_scrub` with HF_SCRUB_REPAIR rebuilds them.
 * A directory without the marker is never written to, so an unmounted
 * mount point is not mistaken for the disk.
 * Errors: HF_ENOTFOUND (no such backend, or its directory is missing),
 * HF_EEXIST (the backend is up: nothing to replace), HF_ENOTEMPTY (the
 * directory holds files), HF_EIO, HF_EPERM, HF_ENOSPC.
 */
HF_API enum hf_err hf_backend_replace(struct hf_store *st, const char *name);

struct hf_status {
    unsigned k, m;
    uint32_t segment_size;
    unsigned backends;          /* registered */
    unsigned backends_up;       /* usable now */
    unsigned domains;           /* distinct domains registered */
    unsigned domains_up;        /* distinct domains usable now */
    /*
     * How many whole failure domains may be lost with no data lost, for a
     * new object placed now (k+m shards spread over the usable domains).
     * -1 when new objects cannot be written at all.
     */
    int tolerated_domain_loss;
    uint64_t buckets, objects, versions, stored_bytes;
    /*
     * The same for providers, sites and jurisdictions (whole ones lost);
     * -1 when no backend sets that attribute or nothing can be written.
     */
    int tolerated_provider_loss, tolerated_site_loss, tolerated_jurisdiction_loss;
    unsigned min_redundancy;    /* holdfast.conf: domains a new segment must survive */
    unsigned backends_draining; /* draining, drained or failed: no new shards */
};

/* Fill @out.  Errors: HF_EMETA. */
HF_API enum hf_err hf_status(struct hf_store *st, struct hf_status *out);

/* ------------------------------------------------------------------ */
/* Buckets                                                             */
/* ------------------------------------------------------------------ */

/*
 * Create bucket @name (S3 naming rules: 3-63 of [a-z0-9.-], starting and
 * ending with a letter or digit).
 * Errors: HF_EBADBUCKET, HF_EEXIST, HF_EMETA.
 */
HF_API enum hf_err hf_bucket_create(struct hf_store *st, const char *name);

struct hf_bucket_info {
    const char *name;     /* borrowed */
    int64_t created_ns;   /* creation time, ns since the epoch */
};
typedef enum hf_err (*hf_bucket_fn)(void *arg, const struct hf_bucket_info *b);

/*
 * Bucket versioning (S3): a bucket that never had versioning enabled keeps
 * one "null" version per key — a put replaces it and a delete removes it
 * (the replaced bytes go to the reclaimer, through the policy gate);
 * enabled keeps every version; suspended writes null versions again but
 * keeps the others.  Buckets made by hf_bucket_create are enabled.
 */
enum hf_versioning {
    HF_VERSIONING_OFF = 0,
    HF_VERSIONING_ENABLED = 1,
    HF_VERSIONING_SUSPENDED = 2,
};

/* Call @fn for each bucket in name order.  Errors: HF_EMETA, or @fn's. */
HF_API enum hf_err hf_bucket_list(struct hf_store *st, hf_bucket_fn fn, void *arg);

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

#define HF_VERSION_ID_LEN 32    /* hex characters */
#define HF_KEY_MAX 1024
#define HF_ETAG_MAX 64          /* bytes of an entity tag, without quotes */
#define HF_ATTRS_MAX 8192       /* bytes of opaque per-version attributes */
#define HF_SUM_MAX 96           /* bytes of a client checksum (opaque text, see hf_object_meta) */

struct hf_version_info {
    const char *key;        /* borrowed (callbacks) or NULL */
    size_t keylen;
    char version_id[HF_VERSION_ID_LEN + 1];
    int64_t mtime_ns;
    uint64_t size;
    int delete_marker;      /* 1 for a delete marker */
    int latest;             /* 1 if this is the key's current version */
    uint8_t checksum[16];   /* XXH3-128 of the plaintext, big-endian */
    unsigned k, m;
    uint32_t segment_size;
    uint64_t segments;
    char etag[HF_ETAG_MAX + 1]; /* as given at write ("" if none) */
    int null_version;       /* written while its bucket was not versioning: S3's "null" */
    /*
     * Opaque attributes given at write (content type, user metadata: the
     * front end's encoding).  Borrowed: valid during a callback, or after
     * hf_head() until the next call on the store handle.
     */
    const char *attrs;
    size_t attrs_len;
    /* S3 Object Lock: retention (mode HF_LOCK_NONE: none) and legal hold. */
    int lock_mode;              /* enum hf_lock_mode */
    int64_t retain_until_ns;    /* with a mode; may be past (expired) */
    int legal_hold;             /* 1: on */
    char sum[HF_SUM_MAX + 1];   /* the client checksum given at write ("" if none) */
};

/* S3 Object Lock retention modes (case-sensitive in S3: "GOVERNANCE", "COMPLIANCE"). */
enum hf_lock_mode {
    HF_LOCK_NONE = 0,
    HF_LOCK_GOVERNANCE = 1, /* the bucket's owner may shorten or remove it, with a bypass */
    HF_LOCK_COMPLIANCE = 2, /* nobody may shorten or remove it, the operator included */
};

/* Object Lock settings asked for a new version (S3 x-amz-object-lock-* headers). */
struct hf_object_lock {
    int mode;                   /* enum hf_lock_mode; HF_LOCK_NONE: the bucket's default */
    int64_t retain_until_ns;    /* with a mode: must be in the future */
    int legal_hold;             /* 1: on */
};

/* What a front end stores with a version besides its bytes. */
struct hf_object_meta {
    const char *etag;       /* NUL-terminated, at most HF_ETAG_MAX bytes; may be NULL */
    const char *attrs;      /* opaque bytes, at most HF_ATTRS_MAX */
    size_t attrs_len;
    /*
     * Conditional write, checked in the commit transaction: fail with
     * HF_EPRECOND if the key has a current (non-marker) version, or if its
     * current version's etag is not @if_match (unquoted; NULL: no check).
     */
    int if_none_match_any;
    const char *if_match;
    /*
     * Object Lock for the new version (NULL: none asked): its bucket must
     * have Object Lock enabled (else HF_EINVAL).  Without a mode the
     * bucket's default retention applies, as an absolute date from the
     * commit.  Settings made are logged ("retention.set", "legal-hold.on").
     */
    const struct hf_object_lock *lock;
    /*
     * A checksum the client gave for the object, opaque text of at most
     * HF_SUM_MAX bytes kept with the version (the S3 front end's encoding:
     * "SHA256:<base64>"); NULL: none.  For hf_upload_create, what every part
     * of the upload is to carry (S3: the checksum algorithm).  Longer:
     * HF_EINVAL.
     */
    const char *sum;
};

/* A source of bytes: fill up to @len bytes, set *@got (0 = end of input). */
typedef enum hf_err (*hf_source_fn)(void *arg, void *buf, size_t len, size_t *got);
/* A sink of bytes: consume all @len bytes or fail. */
typedef enum hf_err (*hf_sink_fn)(void *arg, const void *buf, size_t len);

struct hf_put_opts {
    int64_t expect_size;        /* -1: read to end of input; else must match */
    hf_progress_fn progress;    /* may be NULL */
    void *progress_arg;
};

/*
 * Store a new version of @bucket/@key from @src, streaming: the object is
 * never held whole in memory.  The version becomes visible only when every
 * shard is durable and the metadata commit is done; a failure or crash at
 * any point before that leaves nothing visible (orphan shards are reclaimed).
 * On success @out (may be NULL) describes the new version.
 * Errors: HF_ENOTFOUND (bucket), HF_EBADKEY, HF_ETRUNCATED (input shorter
 * or longer than expect_size), HF_ENOPLACE, HF_EIO, HF_ENOSPC, HF_EPERM,
 * HF_EBACKEND, HF_ECRYPTO, HF_EMETA, or an error from @src.
 */
HF_API HF_MUST_CHECK enum hf_err
hf_put(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
       hf_source_fn src, void *src_arg, const struct hf_put_opts *opts,
       struct hf_version_info *out);

/*
 * An incremental write of a new version, for front ends that receive the
 * bytes piece by piece (an HTTP upload).  Same guarantees as hf_put().
 *
 * hf_writer_open: check the bucket and key, choose backends, record the
 * write's intents, create the shard files.  *@out is freed by exactly one
 * of hf_writer_commit() or hf_writer_abort().  The handle uses @st until
 * then: do not use @st from another thread meanwhile.
 * Errors: HF_ENOTFOUND (bucket), HF_EBADKEY, HF_ENOPLACE, HF_EIO, HF_ENOSPC,
 * HF_EPERM, HF_EBACKEND, HF_ECRYPTO, HF_EMETA, HF_ENOMEM.
 */
struct hf_writer;
HF_API HF_MUST_CHECK enum hf_err
hf_writer_open(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
               const struct hf_put_opts *opts, struct hf_writer **out);

/*
 * Append @len bytes.  A failed writer stays failed (every later call
 * returns the same error); abort it.
 * Errors: HF_ETRUNCATED (more than expect_size), HF_EIO, HF_ENOSPC,
 * HF_EPERM, HF_EBACKEND, HF_ECRYPTO.
 */
HF_API HF_MUST_CHECK enum hf_err hf_writer_write(struct hf_writer *w, const void *buf,
                                                 size_t len);

/*
 * Make every shard durable and the version visible with @meta (may be
 * NULL); fill @out (may be NULL).  Frees @w whatever the result; on
 * failure nothing is visible and the write's files are reclaimed.
 * Errors: as hf_writer_write, plus HF_ETRUNCATED (fewer bytes than
 * expect_size), HF_EINVAL (@meta too large), HF_EPRECOND (a condition in
 * @meta failed), HF_ENOTFOUND (the bucket was deleted meanwhile), HF_EMETA.
 */
HF_API HF_MUST_CHECK enum hf_err hf_writer_commit(struct hf_writer *w,
                                                  const struct hf_object_meta *meta,
                                                  struct hf_version_info *out);

/* Abandon the write: nothing becomes visible; its files are reclaimed.  NULL-safe. */
HF_API void hf_writer_abort(struct hf_writer *w);

/*
 * An incremental read of a version (the latest when @version_id is NULL),
 * of @length bytes (UINT64_MAX: to the end) from @offset; same checks as
 * hf_get().  @info (may be NULL) describes the version, as hf_head() would
 * (its attrs borrowed the same way); on HF_EDELETED it describes the delete
 * marker.  Free *@out with hf_reader_close(); it uses @st until then.
 * Errors: HF_ENOTFOUND, HF_EDELETED, HF_ERANGE, HF_EBADKEY, HF_ECRYPTO
 * (the data key does not unwrap), HF_EMETA, HF_ENOMEM.
 */
struct hf_reader;
HF_API HF_MUST_CHECK enum hf_err
hf_reader_open(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
               const char *version_id, uint64_t offset, uint64_t length,
               struct hf_reader **out, struct hf_version_info *info);

/*
 * Read up to @len bytes into @buf; *@got = 0 at the end of the range.
 * Bytes are returned only from segments that verified and authenticated.
 * Errors: HF_EUNREADABLE, HF_ECRYPTO, HF_EIO; the reader stays failed.
 */
HF_API HF_MUST_CHECK enum hf_err hf_reader_read(struct hf_reader *r, void *buf, size_t len,
                                                size_t *got);

/* The number of bytes the reader will return in all. */
HF_API uint64_t hf_reader_length(const struct hf_reader *r);

/*
 * Narrow a reader opened on the whole version, before its first read, to
 * @length bytes (UINT64_MAX: to the end) from @offset: lets a front end
 * look the version up once (hf_reader_open's @info) and pick the range
 * from it.  On failure the reader is unchanged.
 * Errors: HF_ERANGE (as hf_reader_open: the first byte must exist; only an
 * empty object reads from 0), HF_EBADARG (the reader already read or was
 * opened on a range).
 */
HF_API HF_MUST_CHECK enum hf_err hf_reader_range(struct hf_reader *r, uint64_t offset,
                                                 uint64_t length);

/* Free a reader.  NULL-safe. */
HF_API void hf_reader_close(struct hf_reader *r);

/* ------------------------------------------------------------------ */
/* Multipart uploads (S3)                                              */
/* ------------------------------------------------------------------ */

#define HF_PART_MAX 10000
#define HF_PART_MIN_SIZE (5u * 1024 * 1024)

/*
 * Start a multipart upload of @bucket/@key; @meta->attrs (may be NULL) are
 * the attributes the completed object will carry, @meta->lock its Object
 * Lock settings (applied, with the bucket's default retention, when the
 * upload completes).  @upload_id gets the id.
 * Errors: HF_ENOTFOUND (bucket), HF_EBADKEY, HF_EINVAL (also: a lock asked
 * in a bucket without Object Lock), HF_EMETA.
 */
HF_API enum hf_err hf_upload_create(struct hf_store *st, const char *bucket, const char *key,
                                    size_t keylen, const struct hf_object_meta *meta,
                                    char upload_id[HF_VERSION_ID_LEN + 1]);

/*
 * A writer for part @part (1..HF_PART_MAX) of upload @upload_id: written and
 * committed like an object (hf_writer_write / hf_writer_commit, whose
 * @meta->etag is the part's ETag), but kept out of the namespace.  A part
 * written again replaces the earlier one (its bytes go to the reclaimer).
 * Errors: HF_ENOTFOUND (no such upload for this bucket and key), HF_EBADARG
 * (part number), and those of hf_writer_open.
 */
HF_API HF_MUST_CHECK enum hf_err
hf_part_writer_open(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
                    const char *upload_id, unsigned part, const struct hf_put_opts *opts,
                    struct hf_writer **out);

struct hf_part {
    unsigned number;
    const char *etag;       /* with or without surrounding quotes */
    const char *sum;        /* the checksum the part must have been written with; NULL: any */
};

/*
 * Complete upload @upload_id from @parts (ascending numbers, each uploaded
 * with that ETag, all but the last at least HF_PART_MIN_SIZE): a new
 * version whose bytes are those parts in order — no data is copied.  Parts
 * not listed go to the reclaimer.  @out gets the version, with the S3
 * multipart ETag ("<md5 of the part md5s>-<count>").  A part whose @sum is
 * not NULL must have been written with exactly that checksum (else
 * HF_EBADPART); @sum (NULL: none; at most HF_SUM_MAX bytes) is kept as the
 * new version's checksum.  Completing an upload again while the version it
 * made is current answers with that version.
 * Errors: HF_ENOTFOUND (no such upload), HF_EBADPART, HF_EPARTORDER,
 * HF_ETOOSMALL, HF_EINVAL (no parts, @sum too long), HF_EMETA.
 */
HF_API enum hf_err hf_upload_complete(struct hf_store *st, const char *bucket, const char *key,
                                      size_t keylen, const char *upload_id,
                                      const struct hf_part *parts, size_t nparts,
                                      const char *sum, struct hf_version_info *out);

/*
 * What upload @upload_id's parts are to carry (hf_object_meta.sum given to
 * hf_upload_create) into @sum ("" when none).
 * Errors: HF_ENOTFOUND (no such upload for this bucket and key), HF_EMETA.
 */
HF_API enum hf_err hf_upload_sum(struct hf_store *st, const char *bucket, const char *key,
                                 size_t keylen, const char *upload_id,
                                 char sum[HF_SUM_MAX + 1]);

/* Abandon an upload; its parts go to the reclaimer.  Errors: HF_ENOTFOUND, HF_EMETA. */
HF_API enum hf_err hf_upload_abort(struct hf_store *st, const char *bucket, const char *key,
                                   size_t keylen, const char *upload_id);

struct hf_part_info {
    unsigned number;
    uint64_t size;
    const char *etag;       /* borrowed */
    int64_t mtime_ns;
    uint64_t offset;        /* hf_version_parts: the part's first byte in the object */
    const char *sum;        /* the checksum it was written with (borrowed; "" if none) */
};
typedef enum hf_err (*hf_part_fn)(void *arg, const struct hf_part_info *p);

/* The parts of an upload numbered above @after.  Errors: HF_ENOTFOUND, HF_EMETA, @fn's. */
HF_API enum hf_err hf_upload_parts(struct hf_store *st, const char *bucket, const char *key,
                                   size_t keylen, const char *upload_id, unsigned after,
                                   hf_part_fn fn, void *arg);

/*
 * The parts of the multipart version @version_id of @bucket/@key (NULL:
 * the latest), in the object's order: @fn gets each with number = its
 * position (1-based), offset and size in the object, and the ETag and
 * mtime it was uploaded with.  *@count is set to the number of parts
 * before the first call: 0, and no call, for a version that was not made
 * by a multipart upload.  Errors: as hf_head (HF_ENOTFOUND, HF_EDELETED,
 * HF_EBADKEY, HF_EMETA), HF_ENOMEM, or @fn's.
 */
HF_API enum hf_err hf_version_parts(struct hf_store *st, const char *bucket, const char *key,
                                    size_t keylen, const char *version_id, hf_part_fn fn,
                                    void *arg, unsigned *count);

struct hf_upload_info {
    const char *upload_id;  /* borrowed */
    const char *key;        /* borrowed */
    size_t keylen;
    int64_t created_ns;
};
typedef enum hf_err (*hf_upload_fn)(void *arg, const struct hf_upload_info *u);

/* The uploads in progress in @bucket, by key.  Errors: HF_ENOTFOUND, HF_EMETA, @fn's. */
HF_API enum hf_err hf_upload_list(struct hf_store *st, const char *bucket, hf_upload_fn fn,
                                  void *arg);

/*
 * Look up a version: the latest one when @version_id is NULL.
 * A delete marker that is the latest version gives HF_EDELETED (with @out
 * filled, delete_marker = 1).
 * Errors: HF_ENOTFOUND, HF_EDELETED, HF_EBADKEY, HF_EMETA.
 */
HF_API enum hf_err hf_head(struct hf_store *st, const char *bucket, const char *key,
                           size_t keylen, const char *version_id,
                           struct hf_version_info *out);

struct hf_get_opts {
    uint64_t offset;            /* first byte */
    uint64_t length;            /* UINT64_MAX: to the end */
    hf_progress_fn progress;
    void *progress_arg;
};

/*
 * Stream a version (latest when @version_id is NULL) to @sink: reads k
 * shards per segment, verifies each, rebuilds from parity what is missing
 * or corrupt, decrypts and authenticates.  Wrong bytes are never passed to
 * @sink: a segment that cannot be rebuilt and authenticated fails the call
 * (bytes of earlier segments may already have been sunk).  A range reads
 * only the segments it covers.  @info (may be NULL) describes the version.
 * Errors: HF_ENOTFOUND, HF_EDELETED, HF_ERANGE, HF_EUNREADABLE, HF_EIO,
 * HF_ECRYPTO, HF_EMETA, or an error from @sink.
 */
HF_API HF_MUST_CHECK enum hf_err
hf_get(struct hf_store *st, const char *bucket, const char *key, size_t keylen,
       const char *version_id, const struct hf_get_opts *opts,
       hf_sink_fn sink, void *sink_arg, struct hf_version_info *info);

struct hf_delete_result {
    int marker_created;                     /* 1: a delete marker was added */
    char version_id[HF_VERSION_ID_LEN + 1]; /* the marker, or the deleted version */
    int was_marker;                         /* the version deleted by id was a marker */
};

/*
 * Without @version_id: in a versioning bucket add a delete marker (nothing
 * is removed); in one that never versioned, remove the key's null version;
 * suspended, both.  With @version_id ("null" names the null version):
 * remove that version from the namespace.  Removed versions' shards are
 * left for the reclaimer.  Errors: HF_ENOTFOUND, HF_EBADKEY, HF_EHELD (see
 * hf_delete_ex), HF_EMETA.
 */
HF_API enum hf_err hf_delete(struct hf_store *st, const char *bucket, const char *key,
                             size_t keylen, const char *version_id,
                             struct hf_delete_result *out);

/* hf_delete_ex flags */
#define HF_DELETE_BYPASS_GOVERNANCE 1u  /* S3 x-amz-bypass-governance-retention, from the owner */

/*
 * hf_delete with @flags.  Every removal asks the policy gate first: a
 * version under a preservation hold, a legal hold or unexpired retention
 * is refused with HF_EHELD (the store's message names the hold or the
 * retention and its date); GOVERNANCE retention gives way to
 * HF_DELETE_BYPASS_GOVERNANCE, which is logged.  Delete markers are always
 * allowed: they hide, they do not destroy.  Errors: as hf_delete, HF_EHELD.
 */
HF_API enum hf_err hf_delete_ex(struct hf_store *st, const char *bucket, const char *key,
                                size_t keylen, const char *version_id, unsigned flags,
                                struct hf_delete_result *out);

#define HF_LIST_VERSIONS 1   /* every version and marker, newest first per key */

typedef enum hf_err (*hf_version_fn)(void *arg, const struct hf_version_info *v);

/*
 * Call @fn for the objects of @bucket whose key starts with @prefix (may be
 * NULL), in key order: the latest version of each key that is not a
 * delete marker, or with HF_LIST_VERSIONS every version.
 * Errors: HF_ENOTFOUND (bucket), HF_EMETA, or @fn's.
 */
HF_API enum hf_err hf_list(struct hf_store *st, const char *bucket, const char *prefix,
                           size_t prefixlen, unsigned flags, hf_version_fn fn, void *arg);

struct hf_shard_info {
    uint64_t index;           /* shard index 0..k+m-1 (< k: data, else parity) */
    const char *backend;      /* borrowed */
    const char *domain;       /* borrowed */
    const char *path;         /* borrowed; the shard file */
};
typedef enum hf_err (*hf_shard_fn)(void *arg, const struct hf_shard_info *s);

/*
 * Describe where each shard of a version lives.  Errors: HF_ENOTFOUND,
 * HF_EDELETED, HF_EMETA, or @fn's.
 */
HF_API enum hf_err hf_stat_shards(struct hf_store *st, const char *bucket, const char *key,
                                  size_t keylen, const char *version_id,
                                  hf_shard_fn fn, void *arg);

/* ------------------------------------------------------------------ */
/* Scrub, repair and reclaim                                           */
/* ------------------------------------------------------------------ */

#define HF_SCRUB_REPAIR 1

struct hf_scrub_stats {
    uint64_t versions;        /* versions scrubbed */
    uint64_t shards_checked;  /* segment shards read and verified */
    uint64_t shards_missing;  /* missing (file, backend or frame absent) */
    uint64_t shards_corrupt;  /* present but failing verification */
    uint64_t shards_repaired; /* rebuilt and written (with HF_SCRUB_REPAIR) */
    uint64_t shards_misplaced; /* intact shards sharing a domain while a usable
                                  domain holds none of the version's shards */
    uint64_t shards_relocated; /* misplaced shards moved (with HF_SCRUB_REPAIR) */
    uint64_t unreadable;      /* versions with a segment below k good shards */
    uint64_t unrepaired;      /* versions still degraded after the scrub */
    uint64_t bytes;           /* shard payload bytes read */
};

/*
 * Read and verify every shard of every stored version.  With
 * HF_SCRUB_REPAIR rebuild each missing or corrupt shard and write it to a
 * healthy backend, keeping the version's shards on distinct domains, and
 * move shards that share a domain while a usable domain holds none of the
 * version's shards; then hand the replaced files to the reclaimer.  Returns HF_OK when the scrub
 * ran (degradation is reported in @out, not as an error).
 * Errors: HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_scrub(struct hf_store *st, unsigned flags, hf_progress_fn progress,
                            void *progress_arg, struct hf_scrub_stats *out);

struct hf_reclaim_stats {
    uint64_t versions;        /* deleted versions whose shards were removed */
    uint64_t aborted_writes;  /* interrupted writes cleaned up */
    uint64_t replaced;        /* shard files replaced by repair, removed */
    uint64_t orphans;         /* files known to no version, removed */
    uint64_t files;           /* shard files unlinked in all */
};

#define HF_RECLAIM_ORPHANS 1   /* also walk every backend for unknown files */

/*
 * The reclaimer: the only code that removes shard bytes.  Removes the
 * shards of versions deleted by version id, of interrupted writes whose
 * process is gone, and of replaced shard files; with HF_RECLAIM_ORPHANS
 * also any shard file no version, write or replacement knows.
 * Errors: HF_EMETA, HF_EIO (a file could not be removed; the rest were).
 */
HF_API enum hf_err hf_reclaim(struct hf_store *st, unsigned flags,
                              struct hf_reclaim_stats *out);

/* ------------------------------------------------------------------ */
/* Users and access keys (S3)                                          */
/* ------------------------------------------------------------------ */

#define HF_ACCESS_KEY_MAX 128
#define HF_SECRET_MAX 128

struct hf_user_key {
    char access_key[HF_ACCESS_KEY_MAX + 1];
    char secret[HF_SECRET_MAX + 1];
};

/*
 * Create user @name (1-64 of [A-Za-z0-9._@-]) with one access key:
 * @access_key and @secret when given (16-128 printable characters), else
 * generated.  @out gets both; the secret is stored only sealed by the
 * master key, so show it to the person now — it cannot be shown again.
 * Errors: HF_EINVAL, HF_EEXIST (user or access key), HF_EMETA.
 */
HF_API enum hf_err hf_user_add(struct hf_store *st, const char *name, const char *access_key,
                               const char *secret, struct hf_user_key *out);

/*
 * Give user @name a role: "user" (the default: its own buckets only),
 * "auditor" (also reads the audit log's entries and proofs over HTTP) or
 * "admin" (an auditor that may also sign checkpoints on demand).
 * Logged as "user.role".  Errors: HF_ENOTFOUND, HF_EINVAL (unknown role),
 * HF_EMETA.
 */
HF_API enum hf_err hf_user_set_role(struct hf_store *st, const char *name, const char *role);

struct hf_user_info {
    const char *name;           /* borrowed */
    int64_t created_ns;
    const char *access_keys;    /* borrowed; space-separated */
};
typedef enum hf_err (*hf_user_fn)(void *arg, const struct hf_user_info *u);

/* Call @fn for each user, by name.  Errors: HF_EMETA, or @fn's. */
HF_API enum hf_err hf_user_list(struct hf_store *st, hf_user_fn fn, void *arg);

/*
 * Remove user @name and its keys.  Refused while it owns a bucket.
 * Errors: HF_ENOTFOUND, HF_ENOTEMPTY, HF_EMETA.
 */
HF_API enum hf_err hf_user_remove(struct hf_store *st, const char *name);

/* ------------------------------------------------------------------ */
/* The S3 server                                                        */
/* ------------------------------------------------------------------ */

#include <stdio.h>

struct hf_server_opts {
    const char *listen;         /* "ADDR:PORT" (IPv4); default "127.0.0.1:9000" */
    const char *region;         /* default "us-east-1" */
    const char *vhost_domain;   /* BUCKET.<this> is virtual-host style; default "localhost" */
    FILE *log;                  /* request log; default stderr */
    void (*ready)(void *arg);   /* called once listening (may be NULL) */
    void *ready_arg;
};

/*
 * Serve the store in @data_dir over the S3 API until *@stop becomes
 * non-zero (set it from a signal handler), then stop accepting, finish or
 * abort what is in flight (an interrupted upload leaves nothing visible)
 * and return.  Each connection uses its own store handle.
 * Errors: HF_EINVAL (bad listen address), HF_EIO (cannot listen: the
 * port is taken?), or the errors of hf_store_open.
 */
HF_API enum hf_err hf_serve(const char *data_dir, const struct hf_server_opts *opts,
                            volatile int *stop);

/* ------------------------------------------------------------------ */
/* The audit log (src/audit)                                            */
/* ------------------------------------------------------------------ */
/*
 * Every event that matters (users and keys, configuration, backends,
 * reclaims, ...) is an entry of an append-only RFC 6962 Merkle tree,
 * appended in the same transaction as the change it records.  Signed
 * checkpoints (C2SP tlog-checkpoint, Ed25519) and inclusion/consistency
 * proofs let anyone verify offline that history was not rewritten.  The
 * entry encoding is documented in src/audit/record.h; docs/audit.md
 * describes the files `export` writes and how to check them by hand.
 *
 * Strings returned in *out are malloc'd; the caller frees them.
 */

/*
 * Name who the front end acts for, recorded as the actor of the events
 * this handle causes ("cli:root", "s3:alice").  Copied; at most 127 bytes
 * (longer is cut).  The default is "library".
 */
HF_API void hf_store_set_actor(struct hf_store *st, const char *actor);

struct hf_audit_entry {
    uint64_t index;
    int64_t time_ns;
    const char *kind, *actor, *subject;
    const char *json;           /* the entry as one line of JSON, "leaf" included */
};
typedef enum hf_err (*hf_audit_fn)(void *arg, const struct hf_audit_entry *e);

/* The number of entries.  Errors: HF_EMETA. */
HF_API enum hf_err hf_audit_size(struct hf_store *st, uint64_t *size);
/*
 * Call @fn for the entries from @from on (at most @count; 0 = all), only
 * those of @kind unless NULL, in order.  Errors: HF_ECORRUPT (a stored
 * entry is not a canonical entry), HF_EMETA, HF_ENOMEM, or @fn's.
 */
HF_API enum hf_err hf_audit_list(struct hf_store *st, uint64_t from, uint64_t count,
                                 const char *kind, hf_audit_fn fn, void *arg);
/*
 * The latest signed checkpoint in *@note.  With @sign, first sign one for
 * the current tree if the latest does not cover it.  Errors: HF_ENOTFOUND
 * (none yet, and @sign not given), HF_ECONFIG (the signing key is
 * unreadable), HF_ECRYPTO, HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_audit_checkpoint(struct hf_store *st, bool sign, char **note);
/* The log's verifier key (C2SP signed-note vkey).  Errors: HF_ECONFIG, HF_ENOMEM. */
HF_API enum hf_err hf_audit_key(struct hf_store *st, char **vkey);
/*
 * JSON inclusion proof of entry @index in the tree of @size entries (0:
 * the latest checkpoint's, signing one first if it does not cover @index),
 * with the entry, the root, and the checkpoint of that size when there is
 * one.  Errors: HF_ERANGE (@index >= @size, or @size beyond the log),
 * HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_audit_prove(struct hf_store *st, uint64_t index, uint64_t size,
                                  char **json);
/*
 * JSON consistency proof between the trees of @old and @new entries, with
 * both roots and their checkpoints where they exist.  Errors: HF_ERANGE
 * (@old > @new, or @new beyond the log), HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_audit_consistency(struct hf_store *st, uint64_t old, uint64_t new,
                                        char **json);
/*
 * A receipt for entry @index: the entry, a signed checkpoint covering it
 * (signed now if needed), the inclusion proof and the verifier key, as
 * JSON that `holdfast audit verify-offline --receipt` checks.  Errors: as
 * hf_audit_prove.
 */
HF_API enum hf_err hf_audit_receipt(struct hf_store *st, uint64_t index, char **json);

struct hf_audit_report {
    uint64_t entries;           /* entries checked */
    uint64_t checkpoints;       /* checkpoints checked */
    uint64_t problems;          /* 0: the log verifies */
    char first[512];            /* the first problem found, "" when none */
};
/*
 * Recompute the whole tree from the stored entries and check: every entry
 * is canonical and at its position, every stored tree node matches, every
 * checkpoint is signed by the log's key and has the root of its size, and
 * the key is the one the log's first entry published.  Findings go to
 * @r (HF_OK even when problems are found).  Errors: HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_audit_verify(struct hf_store *st, struct hf_audit_report *r);
/*
 * Write @dir/entries.jsonl, @dir/checkpoints/<size>.note,
 * @dir/checkpoint (the latest) and @dir/key.pub.  @dir is created; it
 * must be empty or missing.  Errors: HF_EEXIST (not empty), HF_EIO,
 * HF_EPERM, HF_ENOSPC, HF_EMETA, HF_ENOMEM.
 */
HF_API enum hf_err hf_audit_export(struct hf_store *st, const char *dir);
/*
 * Verify an export without any store: the key in @dir/key.pub, the
 * entries (each line's fields must match its leaf), every checkpoint, and
 * with @receipt a receipt file, with each of @known[0..nknown) an earlier
 * checkpoint an auditor kept (it must be signed by the key and the
 * exported tree must be an extension of it: a consistency proof from the
 * entries is checked).  A directory with only key.pub checks receipts.
 * Findings go to @r.  Errors: HF_ENOTFOUND (@dir or key.pub missing),
 * HF_EIO, HF_ENOMEM.
 */
HF_API enum hf_err hf_audit_verify_offline(const char *dir, const char *receipt,
                                           const char *const *known, size_t nknown,
                                           struct hf_audit_report *r);

/* ------------------------------------------------------------------ */
/* Preservation holds (src/policy)                                      */
/* ------------------------------------------------------------------ */
/*
 * A hold is a named case that keeps every version in its scope — present
 * and future, hidden by delete markers or not — from being destroyed by
 * any path: deletes by version id, overwrites of unversioned data,
 * expiry, the reclaimer, removing the bucket or the user.  Several holds
 * may cover the same data; it is free only when none does.  Placing and
 * releasing are logged (with the request document's SHA-256).
 */
struct hf_hold_scope {
    const char *user;           /* a user: all their buckets; or NULL */
    const char *bucket;         /* a bucket; or NULL (exactly one of user, bucket) */
    const char *prefix;         /* with bucket: keys starting with it; NULL or "" = all */
};

struct hf_hold_spec {
    const char *id;             /* the case: 1-128 printable characters, unique forever */
    const char *by;             /* who placed it (a person), 1-128 characters */
    const char *reference;      /* why: the request, court order, ... (1-1024) */
    const uint8_t *document_sha256;     /* 32 bytes, or NULL */
    const struct hf_hold_scope *scopes;
    size_t nscopes;             /* at least 1 */
};

/*
 * Place a hold; *@entry (may be NULL) gets the index of its audit log
 * entry (for hf_audit_receipt).  Errors: HF_EINVAL (a missing or too long
 * field, no scope, a scope naming neither or both of user and bucket, a
 * bad bucket name or prefix), HF_EEXIST (the case id was used before),
 * HF_EMETA, and the audit log's.
 */
HF_API enum hf_err hf_hold_place(struct hf_store *st, const struct hf_hold_spec *h,
                                 uint64_t *entry);

/*
 * Release hold @id, naming who and why (both required); *@entry as above.
 * Errors: HF_EINVAL, HF_ENOTFOUND (no active hold @id), HF_EMETA.
 */
HF_API enum hf_err hf_hold_release(struct hf_store *st, const char *id, const char *by,
                                   const char *reason, uint64_t *entry);

/*
 * Why version @version_id of @key is kept: "" in @out when nothing keeps it,
 * else what the policy gate would answer — "under preservation hold C-17",
 * "COMPLIANCE retention until 2027-11-25T00:00:00.000000000Z", "the
 * version is under a legal hold" — so listings can say what is hidden but
 * kept.  Errors: HF_ENOTFOUND (no such bucket or version), HF_EBADKEY,
 * HF_EMETA.
 */
HF_API enum hf_err hf_kept_reason(struct hf_store *st, const char *bucket, const char *key,
                                  size_t keylen, const char *version_id, char *out, size_t n);

struct hf_hold_info {
    const char *id, *by, *reference;
    const char *document;       /* "sha256:<hex>" or "" */
    int64_t placed_ns;
    int64_t released_ns;        /* 0 while active */
    const char *released_by, *release_reason;   /* "" while active */
    uint64_t entry;             /* the audit log entry that placed it */
    const char *const *scopes;  /* "user:NAME", "bucket:NAME" or "bucket:NAME/PREFIX" */
    size_t nscopes;
};
typedef enum hf_err (*hf_hold_fn)(void *arg, const struct hf_hold_info *h);

/* Every hold (or only @id unless NULL), oldest first.  Errors: HF_ENOTFOUND (@id), HF_EMETA, @fn's. */
HF_API enum hf_err hf_hold_list(struct hf_store *st, const char *id, hf_hold_fn fn, void *arg);

/*
 * The same as JSON for tools (`hold ls --json`, the admin API): an array of
 * holds, or with @id that one hold, each {"case", "active", "placed",
 * "placed_by", "reference", "document", "audit_entry", "scopes",
 * ["released", "released_by", "release_reason"]}.  *@json is malloc'd.
 * Errors: as hf_hold_list, HF_ENOMEM.
 */
HF_API enum hf_err hf_hold_list_json(struct hf_store *st, const char *id, char **json);

/*
 * Place a hold described by a JSON object (the admin API): {"case", "by",
 * "reference", "document_sha256": hex (optional), "scopes": [{"user": U} |
 * {"bucket": B, "prefix": P}]}; *@receipt gets the receipt of its audit log
 * entry (hf_audit_receipt).  Errors: HF_EMALFORMED (not JSON, or a field
 * of the wrong type; the store's message says which), hf_hold_place's.
 */
HF_API enum hf_err hf_hold_place_json(struct hf_store *st, const char *json, size_t len,
                                      char **receipt);
/*
 * Release hold @id from a JSON object {"by", "reason"}; *@receipt as above.
 * Errors: HF_EMALFORMED, hf_hold_release's.
 */
HF_API enum hf_err hf_hold_release_json(struct hf_store *st, const char *id, const char *json,
                                        size_t len, char **receipt);

/* ------------------------------------------------------------------ */
/* Expiry only after notice (src/policy/lifecycle.c)                   */
/* ------------------------------------------------------------------ */
/*
 * Lifecycle rules never delete.  When data becomes eligible (an S3 bucket
 * lifecycle rule, a bucket's inactivity rule, a closed account), a notice
 * is created and sent to the owner's contacts (webhook POST, e-mail over
 * SMTP); every attempt and result is logged.  Reminders follow 30, 7 and
 * 1 days before the expiry date.  The owner may answer "keep" (a signed
 * link in the notice, or hf_notice_keep), which cancels the expiry.  Only
 * when the grace period has passed after a DELIVERED notice, no keep was
 * answered and the policy gate allows it is a version expired: marked
 * deleted, for the reclaimer.  An undelivered notice blocks expiry.
 */
enum hf_account_state { HF_ACCOUNT_ACTIVE = 0, HF_ACCOUNT_SUSPENDED = 1, HF_ACCOUNT_CLOSED = 2 };

/*
 * Set user @name's contacts: @webhook (an http:// or https:// URL) and
 * @email (an address); NULL leaves one as it is, "" removes it.  Logged
 * ("user.contacts").  Errors: HF_ENOTFOUND (no such user), HF_EINVAL (a
 * bad URL or address), HF_EMETA.
 */
HF_API enum hf_err hf_user_set_contacts(struct hf_store *st, const char *name,
                                        const char *webhook, const char *email);
/*
 * Suspend (all data read-only for the user), close (read-only, and the
 * notice process starts for all their data) or reactivate an account
 * (open closure notices are then cancelled).  Logged ("user.state").
 * Errors: HF_ENOTFOUND, HF_EINVAL, HF_EMETA.
 */
HF_API enum hf_err hf_user_set_state(struct hf_store *st, const char *name,
                                     enum hf_account_state state);

struct hf_user_policy_info {
    const char *name, *webhook, *email;     /* "" when unset */
    enum hf_account_state state;
    int64_t state_since_ns;
};
typedef enum hf_err (*hf_user_policy_fn)(void *arg, const struct hf_user_policy_info *u);
/* Every user's contacts and state, by name.  Errors: HF_EMETA, @fn's. */
HF_API enum hf_err hf_user_policy_list(struct hf_store *st, hf_user_policy_fn fn, void *arg);

#define HF_LIFECYCLE_RULES_MAX 1000
struct hf_lifecycle_rule {
    const char *id;             /* 1-255 characters */
    bool enabled;
    const char *prefix;         /* NULL or "" = the whole bucket */
    unsigned expiration_days;   /* 0 = none */
    int64_t expiration_date_ns; /* 0 = none (a midnight UTC date) */
    unsigned noncurrent_days;   /* NoncurrentVersionExpiration (0 = none) */
    unsigned abort_days;        /* AbortIncompleteMultipartUpload (0 = none) */
};
/*
 * Replace bucket @bucket's lifecycle rules (S3 PutBucketLifecycleConfiguration);
 * @n = 0 removes them.  Logged ("bucket.lifecycle").  Errors: HF_ENOTFOUND
 * (bucket), HF_EINVAL (a rule without id or action, duplicate ids, too
 * many rules), HF_EMETA.
 */
HF_API enum hf_err hf_lifecycle_set_rules(struct hf_store *st, const char *bucket,
                                          const struct hf_lifecycle_rule *rules, size_t n);
typedef enum hf_err (*hf_lifecycle_rule_fn)(void *arg, const struct hf_lifecycle_rule *r);
/* A bucket's rules in order.  Errors: HF_ENOTFOUND (bucket, or no rules), HF_EMETA. */
HF_API enum hf_err hf_lifecycle_get_rules(struct hf_store *st, const char *bucket,
                                          hf_lifecycle_rule_fn fn, void *arg);
/*
 * Inactivity rule: @bucket's data becomes eligible when none of its
 * objects was read or written for @days (0 removes the rule; at most
 * 36500).  Logged ("bucket.inactivity").  Errors: HF_ENOTFOUND, HF_EINVAL.
 */
HF_API enum hf_err hf_lifecycle_set_inactivity(struct hf_store *st, const char *bucket,
                                               unsigned days);
/*
 * Settings: "grace-days" (7-3650, default 30), "public-url" (the server's
 * address, for keep links), "smtp-url" (smtp://host:port), "smtp-from".
 * "" unsets.  Logged ("lifecycle.config").  Errors: HF_EINVAL, HF_EMETA.
 */
HF_API enum hf_err hf_lifecycle_config(struct hf_store *st, const char *key, const char *value);

struct hf_lifecycle_stats {
    uint64_t notices_created, notices_cancelled;
    uint64_t delivered, failed, reminders;  /* delivery attempts by result */
    uint64_t undelivered;       /* open notices not delivered (they block expiry) */
    uint64_t expired;           /* versions marked deleted */
    uint64_t held;              /* versions a notice was due for but the gate kept */
};
/*
 * One lifecycle pass at the store's clock: new notices, deliveries and
 * retries, reminders, expiry of what is due.  Network calls time out
 * (10 s).  Errors: HF_EMETA and the audit log's (a failed delivery is not
 * an error: it is recorded and counted).
 */
HF_API enum hf_err hf_lifecycle_run(struct hf_store *st, struct hf_lifecycle_stats *out);

/*
 * The owner answers "keep" to notice @id (@via: "cli", "link", ...):
 * the expiry is cancelled.  Logged ("notice.answered").  Errors:
 * HF_ENOTFOUND, HF_EEXIST (already answered), HF_EINVAL (the notice is
 * closed: expired or cancelled), HF_EMETA.
 */
HF_API enum hf_err hf_notice_keep(struct hf_store *st, int64_t id, const char *via);
/* The same from a signed link: HF_ESIGNATURE when @sig is not the link's signature. */
HF_API enum hf_err hf_notice_keep_signed(struct hf_store *st, const char *id, const char *sig);

struct hf_delivery_info {
    int64_t time_ns;
    const char *kind, *channel, *target, *result, *detail;
    int64_t entry;
};
struct hf_notice_info {
    int64_t id;
    const char *user, *scope, *rule, *state, *answered_via;
    int64_t created_ns, eligible_since_ns, cutoff_ns, delivered_ns, expires_ns;
    int64_t answered_ns, closed_ns;
    int grace_days;
    uint64_t versions, bytes, expired_versions, held_versions;
    const struct hf_delivery_info *deliveries;
    size_t ndeliveries;
};
typedef enum hf_err (*hf_notice_fn)(void *arg, const struct hf_notice_info *n);
/* Every notice, oldest first, with its deliveries.  Errors: HF_EMETA, HF_ENOMEM, @fn's. */
HF_API enum hf_err hf_notice_list(struct hf_store *st, hf_notice_fn fn, void *arg);

/* ------------------------------------------------------------------ */
/* Name validation, shared with front ends                              */
/* ------------------------------------------------------------------ */

/* HF_OK or HF_EBADBUCKET. */
HF_API enum hf_err hf_bucket_name_check(const char *name);
/* HF_OK or HF_EBADKEY. */
HF_API enum hf_err hf_key_check(const char *key, size_t keylen);

#ifdef __cplusplus
}
#endif
#endif /* HOLDFAST_H */
