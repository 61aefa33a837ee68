/* rm.c — `holdfast rm B/KEY [--version V]`. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static int run(int argc, char **argv)
{
    static const struct option opts[] = { { "version", required_argument, NULL, 'v' }, { 0 } };
    struct hf_delete_result dr;
    struct hf_store *st = NULL;
    const char *version = NULL, *key;
    char bucket[64];
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'v')
            return cmd_usage(&cmd_rm, "unknown option");
        version = optarg;
    }
    if (argc - optind != 1)
        return cmd_usage(&cmd_rm, "expected BUCKET/KEY");
    if ((ex = cmd_split(&cmd_rm, argv[optind], bucket, sizeof(bucket), &key, false)))
        return ex;
    if ((ex = cmd_open("rm", &st)) != EXIT_OK)
        return ex;
    rc = hf_delete(st, bucket, key, strlen(key), version, &dr);
    if (rc != HF_OK) {
        ex = cmd_fail("rm", st, rc, argv[optind]);
    } else {
        if (dr.marker_created)
            printf("delete marker %s\n", dr.version_id);
        else
            printf("deleted version %s (its shards go at the next reclaim)\n", dr.version_id);
        ex = EXIT_OK;
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_rm = {
    "rm", run, "BUCKET/KEY [--version V]",
    "delete: add a delete marker, or remove one version",
    "\nWithout --version nothing is removed: a delete marker hides the key and\n"
    "every version stays readable by id.  With --version that version leaves\n"
    "the namespace; `holdfast reclaim` removes its shards.\n",
};
