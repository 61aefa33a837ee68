/* get.c — `holdfast get B/KEY [FILE|-]`: read a version. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "banned.h"

static enum hf_err write_fd(void *arg, const void *buf, size_t len)
{
    int fd = *(int *)arg;
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOSPC ? HF_ENOSPC : HF_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return HF_OK;
}

/* "A-B", "A-" or "-N" (last N bytes), like an HTTP Range. */
static int parse_range(const char *s, struct hf_get_opts *o, bool *suffix, uint64_t *n)
{
    char *end;

    *suffix = false;
    if (*s == '-') {
        *n = strtoull(s + 1, &end, 10);
        *suffix = true;
        return *end ? -1 : 0;
    }
    o->offset = strtoull(s, &end, 10);
    if (*end != '-')
        return -1;
    if (end[1] == '\0')
        return 0;
    uint64_t last = strtoull(end + 1, &end, 10);
    if (*end || last < o->offset)
        return -1;
    o->length = last - o->offset + 1;
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "version", required_argument, NULL, 'v' },
        { "range", required_argument, NULL, 'r' },
        { 0 },
    };
    struct hf_get_opts go = { 0, UINT64_MAX, progress_cb, NULL };
    struct hf_store *st = NULL;
    struct progress pr;
    const char *version = NULL, *out = "-", *key;
    char bucket[64], *tmp = NULL;
    bool suffix = false;
    uint64_t suffix_n = 0;
    enum hf_err rc;
    int c, ex, fd = STDOUT_FILENO;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'v')
            version = optarg;
        else if (c == 'r') {
            if (parse_range(optarg, &go, &suffix, &suffix_n) != 0)
                return cmd_usage(&cmd_get, "--range wants FIRST-LAST, FIRST- or -COUNT");
        } else
            return cmd_usage(&cmd_get, "unknown option");
    }
    if (argc - optind < 1 || argc - optind > 2)
        return cmd_usage(&cmd_get, "expected BUCKET/KEY [FILE|-]");
    if ((ex = cmd_split(&cmd_get, argv[optind], bucket, sizeof(bucket), &key, false)))
        return ex;
    if (argc - optind == 2)
        out = argv[optind + 1];
    if ((ex = cmd_open("get", &st)) != EXIT_OK)
        return ex;
    if (suffix) {
        struct hf_version_info vi;
        rc = hf_head(st, bucket, key, strlen(key), version, &vi);
        if (rc != HF_OK) {
            ex = cmd_fail("get", st, rc, argv[optind]);
            goto out;
        }
        go.offset = suffix_n >= vi.size ? 0 : vi.size - suffix_n;
    }
    if (strcmp(out, "-") != 0) {
        /* Write to a temporary name and rename: no partial file on failure. */
        tmp = malloc(strlen(out) + 16);
        if (!tmp) {
            ex = EXIT_FAIL;
            goto out;
        }
        snprintf(tmp, strlen(out) + 16, "%s.partial", out);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            fprintf(stderr, "holdfast get: %s: %s\n", tmp, strerror(errno));
            ex = EXIT_IO;
            goto out;
        }
    }
    progress_init(&pr, "get");
    go.progress_arg = &pr;
    rc = hf_get(st, bucket, key, strlen(key), version, &go, write_fd, &fd, NULL);
    progress_end(&pr);
    if (rc == HF_OK && fd != STDOUT_FILENO && fsync(fd) != 0)
        rc = HF_EIO;
    if (rc != HF_OK) {
        ex = cmd_fail("get", st, rc, argv[optind]);
        if (tmp)
            unlink(tmp);
        goto out;
    }
    if (tmp && rename(tmp, out) != 0) {
        fprintf(stderr, "holdfast get: %s: %s\n", out, strerror(errno));
        ex = EXIT_IO;
        goto out;
    }
    ex = EXIT_OK;
out:
    if (fd != STDOUT_FILENO && fd >= 0)
        close(fd);
    free(tmp);
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_get = {
    "get", run, "BUCKET/KEY [--version V] [--range R] [FILE|-]",
    "read the latest (or a given) version of KEY to FILE or stdout",
    "\n  --version V   read version V instead of the latest\n"
    "  --range R     FIRST-LAST, FIRST- or -COUNT (bytes, like HTTP Range)\n"
    "Every shard is verified; missing or corrupt shards are rebuilt from parity;\n"
    "each segment is authenticated before any of its bytes are written.  FILE is\n"
    "written as FILE.partial and renamed when complete.\n",
};
