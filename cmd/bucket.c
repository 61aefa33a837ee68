/* bucket.c — `holdfast bucket create|ls`. */
#include <string.h>

#include "cmd.h"
#include "banned.h"

static enum hf_err print_bucket(void *arg, const struct hf_bucket_info *b)
{
    char t[32];

    (void)arg;
    cmd_time(b->created_ns, t, sizeof(t));
    printf("%s  %s\n", t, b->name);
    return HF_OK;
}

static int run(int argc, char **argv)
{
    struct hf_store *st = NULL;
    enum hf_err rc;
    int ex;

    if (argc < 2)
        return cmd_usage(&cmd_bucket, "expected create or ls");
    if (strcmp(argv[1], "create") == 0) {
        if (argc != 3)
            return cmd_usage(&cmd_bucket, "create wants one bucket name");
        if ((ex = cmd_open("bucket", &st)) != EXIT_OK)
            return ex;
        rc = hf_bucket_create(st, argv[2]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("bucket create", st, rc, argv[2]);
        if (rc == HF_OK)
            printf("created bucket %s\n", argv[2]);
    } else if (strcmp(argv[1], "ls") == 0) {
        if (argc != 2)
            return cmd_usage(&cmd_bucket, "ls takes no arguments");
        if ((ex = cmd_open("bucket", &st)) != EXIT_OK)
            return ex;
        rc = hf_bucket_list(st, print_bucket, NULL);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("bucket ls", st, rc, NULL);
    } else {
        return cmd_usage(&cmd_bucket, "unknown subcommand '%s'", argv[1]);
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_bucket = {
    "bucket", run, "create BUCKET | ls",
    "create a bucket, or list buckets",
    "\nBucket names are 3-63 characters of a-z, 0-9, '.' and '-' (S3 rules).\n",
};
