/* scrub.c — `holdfast scrub [--repair]`: verify every shard; rebuild. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "repair", no_argument, NULL, 'r' },
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    struct hf_scrub_stats s;
    struct hf_reclaim_stats rs = { 0 };
    struct hf_store *st = NULL;
    struct progress pr;
    bool repair = false, json = false;
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            repair = true;
        else if (c == 'j')
            json = true;
        else
            return cmd_usage(&cmd_scrub, "unknown option");
    }
    if (optind != argc)
        return cmd_usage(&cmd_scrub, "unexpected argument '%s'", argv[optind]);
    if ((ex = cmd_open("scrub", &st)) != EXIT_OK)
        return ex;
    progress_init(&pr, "scrub");
    rc = hf_scrub(st, repair ? HF_SCRUB_REPAIR : 0, progress_cb, &pr, &s);
    progress_end(&pr);
    if (rc != HF_OK) {
        ex = cmd_fail("scrub", st, rc, NULL);
        hf_store_close(st);
        return ex;
    }
    if (repair)
        hf_reclaim(st, 0, &rs); /* remove the replaced files */
    if (json)
        printf("{\"versions\":%llu,\"shards_checked\":%llu,\"missing\":%llu,\"corrupt\":%llu,"
               "\"repaired\":%llu,\"misplaced\":%llu,\"relocated\":%llu,\"unreadable\":%llu,"
               "\"degraded\":%llu,\"bytes\":%llu}\n",
               (unsigned long long)s.versions, (unsigned long long)s.shards_checked,
               (unsigned long long)s.shards_missing, (unsigned long long)s.shards_corrupt,
               (unsigned long long)s.shards_repaired, (unsigned long long)s.shards_misplaced,
               (unsigned long long)s.shards_relocated, (unsigned long long)s.unreadable,
               (unsigned long long)s.unrepaired, (unsigned long long)s.bytes);
    else
        printf("versions %llu, shards checked %llu, missing %llu, corrupt %llu, "
               "repaired %llu, misplaced %llu, relocated %llu, objects unreadable %llu, "
               "still degraded %llu\n",
               (unsigned long long)s.versions, (unsigned long long)s.shards_checked,
               (unsigned long long)s.shards_missing, (unsigned long long)s.shards_corrupt,
               (unsigned long long)s.shards_repaired, (unsigned long long)s.shards_misplaced,
               (unsigned long long)s.shards_relocated, (unsigned long long)s.unreadable,
               (unsigned long long)s.unrepaired);
    ex = s.unrepaired || s.unreadable ? EXIT_INTEGRITY : EXIT_OK;
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_scrub = {
    "scrub", run, "[--repair] [--json]",
    "read and verify every shard; with --repair rebuild missing or corrupt ones",
    "\nPrints: shards checked, missing, corrupt, repaired, objects unreadable and\n"
    "versions still degraded.  Exit 0 when every version has full redundancy at\n"
    "the end, 4 when any is degraded or unreadable.  Repaired shards go to a\n"
    "healthy backend, keeping a version's shards on distinct domains.\n",
};
