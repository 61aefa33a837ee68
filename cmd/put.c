/* put.c — `holdfast put B/KEY FILE|-`: store a new version. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "banned.h"

static enum hf_err read_fd(void *arg, void *buf, size_t len, size_t *got)
{
    int fd = *(int *)arg;

    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0) {
            *got = (size_t)n;
            return HF_OK;
        }
        if (errno != EINTR)
            return HF_EIO;
    }
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = { { "size", required_argument, NULL, 's' }, { 0 } };
    struct hf_put_opts po = { -1, progress_cb, NULL };
    struct hf_version_info vi;
    struct hf_store *st = NULL;
    struct progress pr;
    char bucket[64];
    const char *key;
    enum hf_err rc;
    int c, ex, fd = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        if (c != 's')
            return cmd_usage(&cmd_put, "unknown option");
        po.expect_size = strtoll(optarg, &end, 10);
        if (*end || po.expect_size < 0)
            return cmd_usage(&cmd_put, "--size wants a byte count");
    }
    if (argc - optind != 2)
        return cmd_usage(&cmd_put, "expected BUCKET/KEY and FILE (or - for stdin)");
    if ((ex = cmd_split(&cmd_put, argv[optind], bucket, sizeof(bucket), &key, false)))
        return ex;
    if (strcmp(argv[optind + 1], "-") != 0) {
        struct stat sb;
        fd = open(argv[optind + 1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "holdfast put: %s: %s\n", argv[optind + 1], strerror(errno));
            return errno == ENOENT ? EXIT_NOTFOUND : EXIT_IO;
        }
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && po.expect_size < 0)
            po.expect_size = sb.st_size;
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    if ((ex = cmd_open("put", &st)) != EXIT_OK)
        goto out;
    progress_init(&pr, "put");
    po.progress_arg = &pr;
    rc = hf_put(st, bucket, key, strlen(key), read_fd, &fd, &po, &vi);
    progress_end(&pr);
    if (rc != HF_OK) {
        ex = cmd_fail("put", st, rc, argv[optind]);
        goto out;
    }
    printf("%s\n", vi.version_id);
    ex = EXIT_OK;
out:
    if (fd > 0)
        close(fd);
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_put = {
    "put", run, "BUCKET/KEY FILE|- [--size BYTES]",
    "store FILE (or stdin) as a new version of KEY; prints the version id",
    "\nThe data streams: it is cut into segments, encrypted, erasure-coded and\n"
    "written to the backends; the version is visible only once every shard is\n"
    "durable.  --size declares the length of stdin: input that ends early (or\n"
    "runs long) is rejected and nothing is stored.\n",
};
