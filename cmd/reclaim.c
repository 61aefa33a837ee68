/* reclaim.c — `holdfast reclaim`: remove shards nothing references. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "orphans", no_argument, NULL, 'o' },
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    struct hf_reclaim_stats s;
    struct hf_store *st = NULL;
    unsigned flags = 0;
    bool json = false;
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o')
            flags |= HF_RECLAIM_ORPHANS;
        else if (c == 'j')
            json = true;
        else
            return cmd_usage(&cmd_reclaim, "unknown option");
    }
    if (optind != argc)
        return cmd_usage(&cmd_reclaim, "unexpected argument '%s'", argv[optind]);
    if ((ex = cmd_open("reclaim", &st)) != EXIT_OK)
        return ex;
    rc = hf_reclaim(st, flags, &s);
    if (json)
        printf("{\"versions\":%llu,\"aborted_writes\":%llu,\"replaced\":%llu,\"orphans\":%llu,"
               "\"files\":%llu}\n", (unsigned long long)s.versions,
               (unsigned long long)s.aborted_writes, (unsigned long long)s.replaced,
               (unsigned long long)s.orphans, (unsigned long long)s.files);
    else
        printf("reclaimed %llu deleted versions, %llu interrupted writes, %llu replaced "
               "shard files, %llu orphans (%llu files)\n", (unsigned long long)s.versions,
               (unsigned long long)s.aborted_writes, (unsigned long long)s.replaced,
               (unsigned long long)s.orphans, (unsigned long long)s.files);
    ex = rc == HF_OK ? EXIT_OK : cmd_fail("reclaim", st, rc, NULL);
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_reclaim = {
    "reclaim", run, "[--orphans] [--json]",
    "remove the shards of deleted versions and interrupted writes",
    "\nThe reclaimer is the only part of holdfast that removes shard bytes.  It\n"
    "removes shards of versions deleted by version id, of writes whose process\n"
    "died, and of shard files replaced by repair.  --orphans also walks every\n"
    "backend for shard files that nothing references.\n",
};
