/*
 * dir.c — shard backend on a local directory.
 *
 * Owns the on-disk layout of one directory backend; no other module touches
 * its files.
 *
 * FORMAT  <root>/holdfast-backend            marker: "holdfast backend NAME\n"
 *         <root>/<vid[0..2]>/<vid>.<i>.<g>   shard file: frames (see shard.c)
 *
 * INVARIANTS
 *   (1) commit returns only after the file's bytes and its directory entry
 *       (and a newly made fan-out directory's entry) are fsync'd.
 *   (2) A shard file is never rewritten after commit; repair writes a new
 *       generation under a new name.
 *   (3) Names are built from hex and digits only (backend_shard_name) and
 *       parsed strictly, so no client-chosen string reaches a path; a name
 *       has exactly one spelling (lower-case hex, no leading zeros), so no
 *       second file can alias a live shard and escape the reclaimer.
 *   (4) remove is called only by the reclaimer (reclaim.c).
 *   (5) A directory is used only while its marker names this backend.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backend/backend.h"
#include "banned.h"

#define MARKER "holdfast-backend"
#define WRITEBACK_CHUNK (16u << 20)   /* start writeback every 16 MiB */

struct be_writer {
    struct backend *be;
    int fd;
    char sub[3];
    bool new_sub;
    uint64_t written, flushed;
};

struct be_reader {
    int fd;
};

void backend_shard_name(const uint8_t vid[16], unsigned index, unsigned gen, char *out)
{
    char hex[33];

    hf_hex(vid, 16, hex);
    snprintf(out, BE_NAME_MAX, "%s.%u.%u", hex, index, gen);
}

int backend_parse_name(const char *name, uint8_t vid[16], unsigned *index, unsigned *gen)
{
    char hex[33];
    unsigned long i, g;
    char *end;

    /* One spelling per shard (invariant 3): lower-case hex, no leading zeros. */
    if (strlen(name) < 36 || name[32] != '.')
        return -1;
    for (int j = 0; j < 32; j++)
        if (name[j] >= 'A' && name[j] <= 'F')
            return -1;
    memcpy(hex, name, 32);
    hex[32] = '\0';
    if (hf_unhex(hex, vid, 16) != 0)
        return -1;
    if (name[33] < '0' || name[33] > '9' || (name[33] == '0' && name[34] != '.'))
        return -1;
    i = strtoul(name + 33, &end, 10);
    if (*end != '.' || end[1] < '0' || end[1] > '9' || i >= HF_MAX_SHARDS)
        return -1;
    if (end[1] == '0' && end[2] != '\0')
        return -1;
    g = strtoul(end + 1, &end, 10);
    if (*end != '\0' || g > 1000000)
        return -1;
    *index = (unsigned)i;
    *gen = (unsigned)g;
    return 0;
}

enum hf_err backend_dir_prepare(const char *path, const char *name)
{
    char *marker = hf_sprintf("%s/" MARKER, path);
    enum hf_err rc;
    int fd = -1;

    if (!marker)
        return HF_ENOMEM;
    rc = hf_mkdir_p(path);
    if (rc != HF_OK)
        goto out;
    fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = hf_err_from_errno(errno);
        goto out;
    }
    rc = hf_write_all(fd, "holdfast backend ", 17);
    if (rc == HF_OK)
        rc = hf_write_all(fd, name, strlen(name));
    if (rc == HF_OK)
        rc = hf_write_all(fd, "\n", 1);
    if (rc == HF_OK && fsync(fd) != 0)
        rc = hf_err_from_errno(errno);
    if (rc == HF_OK)
        rc = hf_fsync_dir(path);
out:
    if (fd >= 0)
        close(fd);
    free(marker);
    return rc;
}

/*
 * Invariant 5: a directory is this backend only if its marker names it.  An
 * empty mount point (a disk that did not mount) or another backend's disk
 * is not written to.
 */
static enum hf_err dir_open(struct backend *be)
{
    char want[BE_NAME_MAX + 32], got[BE_NAME_MAX + 32];
    ssize_t n;
    int fd;

    be->up = false;
    be->dirfd = open(be->location, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (be->dirfd < 0)
        return HF_EBACKEND;
    snprintf(want, sizeof(want), "holdfast backend %s\n", be->name);
    fd = openat(be->dirfd, MARKER, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, got, sizeof(got) - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0 || (size_t)n != strlen(want) || memcmp(got, want, (size_t)n) != 0) {
        close(be->dirfd);
        be->dirfd = -1;
        return HF_EBACKEND;
    }
    be->up = true;
    return HF_OK;
}

static void dir_close(struct backend *be)
{
    if (be->dirfd >= 0)
        close(be->dirfd);
    be->dirfd = -1;
    be->up = false;
}

static enum hf_err dir_create(struct backend *be, const char *name, struct be_writer **out)
{
    struct be_writer *w;
    char rel[BE_NAME_MAX + 4];

    *out = NULL;
    if (!be->up)
        return HF_EBACKEND;
    w = calloc(1, sizeof(*w));
    if (!w)
        return HF_ENOMEM;
    w->be = be;
    memcpy(w->sub, name, 2);
    w->sub[2] = '\0';
    if (mkdirat(be->dirfd, w->sub, 0700) == 0)
        w->new_sub = true;
    else if (errno != EEXIST) {
        enum hf_err rc = hf_err_from_errno(errno);
        free(w);
        return rc;
    }
    snprintf(rel, sizeof(rel), "%s/%s", w->sub, name);
    w->fd = openat(be->dirfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w->fd < 0) {
        enum hf_err rc = hf_err_from_errno(errno);
        free(w);
        return rc;
    }
    *out = w;
    return HF_OK;
}

static enum hf_err dir_append(struct be_writer *w, const struct iovec *iov, int iovcnt)
{
    struct iovec v[8];
    size_t total = 0;

    if (iovcnt > 8)
        return HF_EINVAL;
    memcpy(v, iov, sizeof(*iov) * (size_t)iovcnt);
    for (int i = 0; i < iovcnt; i++)
        total += v[i].iov_len;
    w->written += total;
    while (total > 0) {
        ssize_t n = writev(w->fd, v, iovcnt);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return hf_err_from_errno(errno);
        }
        if (n == 0)
            return HF_EIO;
        total -= (size_t)n;
        /* advance over what was written */
        while (n > 0 && iovcnt > 0) {
            if ((size_t)n >= v[0].iov_len) {
                n -= (ssize_t)v[0].iov_len;
                memmove(v, v + 1, sizeof(*v) * (size_t)--iovcnt);
            } else {
                v[0].iov_base = (char *)v[0].iov_base + n;
                v[0].iov_len -= (size_t)n;
                n = 0;
            }
        }
    }
    /* Start writeback early so commit's fsync does not wait for it all. */
    if (w->written - w->flushed >= WRITEBACK_CHUNK) {
        sync_file_range(w->fd, (off_t)w->flushed, (off_t)(w->written - w->flushed),
                        SYNC_FILE_RANGE_WRITE);
        w->flushed = w->written;
    }
    return HF_OK;
}

static enum hf_err dir_commit(struct be_writer *w)
{
    enum hf_err rc = HF_OK;

    if (fsync(w->fd) != 0)
        rc = hf_err_from_errno(errno);
    if (close(w->fd) != 0 && rc == HF_OK)
        rc = hf_err_from_errno(errno);
    if (rc == HF_OK) {
        int sfd = openat(w->be->dirfd, w->sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0 || fsync(sfd) != 0)
            rc = hf_err_from_errno(errno);
        if (sfd >= 0)
            close(sfd);
    }
    if (rc == HF_OK && w->new_sub && fsync(w->be->dirfd) != 0)
        rc = hf_err_from_errno(errno);
    free(w);
    return rc;
}

/*
 * Invariant 1 for a group of files, the slow way: each file's data
 * (fdatasync), each distinct fan-out directory once, each root once if one
 * of its fan-out directories is new.
 */
static void commit_each(struct be_writer **w, size_t n, enum hf_err *rc)
{
    for (size_t i = 0; i < n; i++) {
        rc[i] = HF_OK;
        if (fdatasync(w[i]->fd) != 0)
            rc[i] = hf_err_from_errno(errno);
    }
    for (size_t i = 0; i < n; i++) {
        enum hf_err d = HF_OK;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = w[j]->be == w[i]->be && strcmp(w[j]->sub, w[i]->sub) == 0;
        if (!dup) {
            int sfd = openat(w[i]->be->dirfd, w[i]->sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sfd < 0 || fsync(sfd) != 0)
                d = hf_err_from_errno(errno);
            if (sfd >= 0)
                close(sfd);
            for (size_t j = i; j < n; j++)
                if (w[j]->be == w[i]->be && strcmp(w[j]->sub, w[i]->sub) == 0 &&
                    rc[j] == HF_OK)
                    rc[j] = d;
        }
        dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = w[j]->be == w[i]->be && w[j]->new_sub;
        if (w[i]->new_sub && !dup) {
            d = fsync(w[i]->be->dirfd) != 0 ? hf_err_from_errno(errno) : HF_OK;
            for (size_t j = 0; j < n; j++)
                if (w[j]->be == w[i]->be && w[j]->new_sub && rc[j] == HF_OK)
                    rc[j] = d;
        }
    }
}

#define SYNC_FS_MAX 16

struct fs_sync {
    pthread_t thread;
    dev_t dev;
    int fd;                 /* a backend root on this filesystem */
    enum hf_err rc;
};

static void *syncfs_main(void *arg)
{
    struct fs_sync *f = arg;

    f->rc = syncfs(f->fd) != 0 ? hf_err_from_errno(errno) : HF_OK;
    return NULL;
}

/*
 * Invariant 1 for a group of files, the fast way: start every file's
 * writeback, then one syncfs per filesystem (in parallel when there are
 * several): it writes and waits for every dirty page and inode of the
 * filesystem — the files' data, their directory entries, new fan-out
 * directories — and flushes the device once, where a file at a time costs
 * a flush per file and per directory.  syncfs reports a writeback error
 * of the filesystem (Linux >= 5.8); each file's own is then read from its
 * descriptor (sync_file_range waiting on its range: no flush).  Anything
 * unexpected (too many filesystems, fstat failing) takes commit_each.
 */
static void dir_commit_many(struct be_writer **w, size_t n, enum hf_err *rc)
{
    struct fs_sync fs[SYNC_FS_MAX];
    size_t nfs = 0, at[256];
    bool fallback = n > sizeof(at) / sizeof(at[0]);

    for (size_t i = 0; i < n; i++)
        sync_file_range(w[i]->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    for (size_t i = 0; i < n && !fallback; i++) {
        struct stat sb;
        size_t f;
        if (fstat(w[i]->be->dirfd, &sb) != 0) {
            fallback = true;
            break;
        }
        for (f = 0; f < nfs && fs[f].dev != sb.st_dev; f++)
            ;
        if (f == nfs) {
            if (nfs == SYNC_FS_MAX) {
                fallback = true;
                break;
            }
            fs[nfs++] = (struct fs_sync){ .dev = sb.st_dev, .fd = w[i]->be->dirfd };
        }
        at[i] = f;
    }
    if (fallback) {
        commit_each(w, n, rc);
    } else {
        bool started[SYNC_FS_MAX];
        for (size_t f = 0; f < nfs; f++)
            started[f] = nfs > 1 && pthread_create(&fs[f].thread, NULL, syncfs_main, &fs[f]) == 0;
        for (size_t f = 0; f < nfs; f++) {
            if (started[f])
                pthread_join(fs[f].thread, NULL);
            else
                syncfs_main(&fs[f]);
        }
        for (size_t i = 0; i < n; i++) {
            rc[i] = fs[at[i]].rc;
            if (rc[i] == HF_OK &&
                sync_file_range(w[i]->fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
                                SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0)
                rc[i] = hf_err_from_errno(errno);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (close(w[i]->fd) != 0 && rc[i] == HF_OK)
            rc[i] = hf_err_from_errno(errno);
        free(w[i]);
    }
}

static void dir_abort(struct be_writer *w)
{
    /* The file stays: the reclaimer removes it (invariant 4). */
    if (w) {
        close(w->fd);
        free(w);
    }
}

static enum hf_err dir_open_read(struct backend *be, const char *name, struct be_reader **out)
{
    char rel[BE_NAME_MAX + 4];
    struct be_reader *r;
    int fd;

    *out = NULL;
    if (!be->up)
        return HF_EBACKEND;
    snprintf(rel, sizeof(rel), "%.2s/%s", name, name);
    fd = openat(be->dirfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hf_err_from_errno(errno);
    r = calloc(1, sizeof(*r));
    if (!r) {
        close(fd);
        return HF_ENOMEM;
    }
    r->fd = fd;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *out = r;
    return HF_OK;
}

static enum hf_err dir_pread(struct be_reader *r, void *buf, size_t len, uint64_t off)
{
    return hf_pread_full(r->fd, buf, len, off);
}

static void dir_prefetch(struct be_reader *r, uint64_t off, uint64_t len)
{
    posix_fadvise(r->fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
}

static void dir_close_read(struct be_reader *r)
{
    if (r) {
        close(r->fd);
        free(r);
    }
}

static enum hf_err dir_remove(struct backend *be, const char *name)
{
    char rel[BE_NAME_MAX + 4];

    if (!be->up)
        return HF_EBACKEND;
    snprintf(rel, sizeof(rel), "%.2s/%s", name, name);
    if (unlinkat(be->dirfd, rel, 0) != 0 && errno != ENOENT)
        return hf_err_from_errno(errno);
    return HF_OK;
}

static enum hf_err dir_walk(struct backend *be,
                            enum hf_err (*fn)(void *arg, const char *name, uint64_t size),
                            void *arg)
{
    enum hf_err rc = HF_OK;
    DIR *top;
    struct dirent *de;
    int fd;

    if (!be->up)
        return HF_EBACKEND;
    fd = openat(be->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hf_err_from_errno(errno);
    top = fdopendir(fd);
    if (!top) {
        close(fd);
        return HF_ENOMEM;
    }
    while (rc == HF_OK && (de = readdir(top)) != NULL) {
        DIR *sub;
        struct dirent *se;
        int sfd;

        if (strlen(de->d_name) != 2 || de->d_name[0] == '.')
            continue;
        sfd = openat(be->dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0)
            continue;
        sub = fdopendir(sfd);
        if (!sub) {
            close(sfd);
            continue;
        }
        while (rc == HF_OK && (se = readdir(sub)) != NULL) {
            struct stat sb;
            uint8_t vid[16];
            unsigned idx, gen;
            if (backend_parse_name(se->d_name, vid, &idx, &gen) != 0)
                continue;
            if (fstatat(sfd, se->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            rc = fn(arg, se->d_name, (uint64_t)sb.st_size);
        }
        closedir(sub);
    }
    closedir(top);
    return rc;
}

static enum hf_err dir_df(struct backend *be, uint64_t *free_bytes)
{
    struct statvfs sv;

    *free_bytes = 0;
    if (!be->up)
        return HF_EBACKEND;
    if (fstatvfs(be->dirfd, &sv) != 0)
        return hf_err_from_errno(errno);
    *free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
    return HF_OK;
}

static enum hf_err dir_path_of(struct backend *be, const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%.2s/%s", be->location, name, name);
    return HF_OK;
}

const struct backend_ops backend_dir_ops = {
    .open = dir_open,
    .close = dir_close,
    .create = dir_create,
    .append = dir_append,
    .commit = dir_commit,
    .commit_many = dir_commit_many,
    .abort = dir_abort,
    .open_read = dir_open_read,
    .pread = dir_pread,
    .prefetch = dir_prefetch,
    .close_read = dir_close_read,
    .remove = dir_remove,
    .walk = dir_walk,
    .df = dir_df,
    .path_of = dir_path_of,
};
