/*
 * backend.h — shard stores behind one interface (subsystem interface).
 *
 * A backend stores shard files by name ("<vid>.<index>.<gen>") and knows
 * nothing of objects, keys or placement.  Only the local directory backend
 * exists today (backend/dir.c); an S3 backend plugs into the same ops.
 */
#ifndef HF_BACKEND_H
#define HF_BACKEND_H

#include <sys/uio.h>

#include "internal.h"

#define BE_NAME_MAX 80

struct be_writer;
struct be_reader;
struct backend;

struct backend_ops {
    enum hf_err (*open)(struct backend *be);
    void (*close)(struct backend *be);
    enum hf_err (*create)(struct backend *be, const char *name, struct be_writer **out);
    enum hf_err (*append)(struct be_writer *w, const struct iovec *iov, int iovcnt);
    enum hf_err (*commit)(struct be_writer *w);
    /*
     * Group commit: make the @n files of @w — on any backends of this
     * kind — durable together, as commit does one by one (data, directory
     * entry, a new fan-out directory's entry), for far fewer device
     * flushes.  @rc[i] is w[i]'s result (HF_EIO, HF_ENOSPC, ...).
     * Consumes every writer, failed or not.
     */
    void (*commit_many)(struct be_writer **w, size_t n, enum hf_err *rc);
    void (*abort)(struct be_writer *w);
    enum hf_err (*open_read)(struct backend *be, const char *name, struct be_reader **out);
    enum hf_err (*pread)(struct be_reader *r, void *buf, size_t len, uint64_t off);
    void (*prefetch)(struct be_reader *r, uint64_t off, uint64_t len);
    void (*close_read)(struct be_reader *r);
    enum hf_err (*remove)(struct backend *be, const char *name);
    enum hf_err (*walk)(struct backend *be,
                        enum hf_err (*fn)(void *arg, const char *name, uint64_t size),
                        void *arg);
    enum hf_err (*df)(struct backend *be, uint64_t *free_bytes);
    enum hf_err (*path_of)(struct backend *be, const char *name, char *out, size_t outlen);
};

struct backend {
    int64_t id;
    char *name;
    char *domain;
    char *location;     /* absolute directory path */
    char *attr[3];      /* provider, site, jurisdiction; "" when unset */
    char state[16];     /* active, draining, drained, wiped, retired, failed (store.c) */
    bool up;            /* open succeeded: its shards may be read */
    bool writable;      /* up and active: new shards may go here */
    int dirfd;          /* dir backend: the root */
    const struct backend_ops *ops;
};

/* The local directory backend's ops. */
HF_HIDDEN extern const struct backend_ops backend_dir_ops;

/*
 * Prepare a new directory backend at @path: create it and its marker file.
 * Errors: HF_EEXIST (it is a backend already), HF_EIO, HF_EPERM, HF_ENOSPC.
 */
HF_HIDDEN enum hf_err backend_dir_prepare(const char *path, const char *name);

/* Shard file name "<vidhex>.<index>.<gen>" into @out (BE_NAME_MAX bytes). */
HF_HIDDEN void backend_shard_name(const uint8_t vid[16], unsigned index, unsigned gen,
                                  char *out);

/*
 * Parse a shard file name; -1 unless it is exactly as backend_shard_name
 * spells it (lower-case hex, decimal without leading zeros), with index
 * below HF_MAX_SHARDS and gen at most 1000000.
 */
HF_HIDDEN int backend_parse_name(const char *name, uint8_t vid[16], unsigned *index,
                                 unsigned *gen);

#endif
