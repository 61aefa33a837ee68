/* init.c — `holdfast init`: create a store. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "ec", required_argument, NULL, 'e' },
        { "domains", required_argument, NULL, 'd' },
        { "segment-size", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    struct hf_init_opts o = { 4, 2, 0, 0 };
    bool domains_set = false;
    enum hf_err rc;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'e':
            if (sscanf(optarg, "%u+%u", &o.k, &o.m) != 2 || o.k < 1 || o.k + o.m > 32)
                return cmd_usage(&cmd_init, "--ec wants K+M with K >= 1 and K+M <= 32");
            break;
        case 'd':
            o.domains = (unsigned)strtoul(optarg, &end, 10);
            if (*end || o.domains < 1 || o.domains > 256)
                return cmd_usage(&cmd_init, "--domains wants 1..256");
            domains_set = true;
            break;
        case 's':
            o.segment_size = (uint32_t)strtoul(optarg, &end, 10);
            if (*end == 'K' || *end == 'k') o.segment_size <<= 10, end++;
            else if (*end == 'M' || *end == 'm') o.segment_size <<= 20, end++;
            if (*end || o.segment_size < 65536 || o.segment_size > (64u << 20))
                return cmd_usage(&cmd_init, "--segment-size wants 64K..64M");
            break;
        default:
            return cmd_usage(&cmd_init, "unknown option");
        }
    }
    if (optind != argc)
        return cmd_usage(&cmd_init, "unexpected argument '%s'", argv[optind]);
    if (!domains_set)
        o.domains = o.k + o.m;
    rc = hf_store_init(cmd_data_dir, &o);
    if (rc == HF_EEXIST) {
        fprintf(stderr, "holdfast init: a store already exists in %s; refusing to overwrite it\n",
                cmd_data_dir);
        return EXIT_EXISTS;
    }
    if (rc != HF_OK)
        return cmd_fail("init", NULL, rc, cmd_data_dir);
    printf("initialised a store in %s: ec %u+%u, %u local backends in %u failure domains\n",
           cmd_data_dir, o.k, o.m, o.domains, o.domains);
    printf("the master key is %s/master.key (mode 0600): back it up; without it no data "
           "can be read\n", cmd_data_dir);
    return EXIT_OK;
}

const struct cmd cmd_init = {
    "init", run, "[--ec K+M] [--domains N] [--segment-size BYTES]",
    "create a new store in the data directory",
    "\nCreates holdfast.conf, master.key (0600), meta.db (SQLite, WAL) and N local\n"
    "directory backends (backends/d0..), each its own failure domain.\n"
    "  --ec K+M            data and parity shards per segment (default 4+2)\n"
    "  --domains N         backend directories to create (default K+M)\n"
    "  --segment-size B    plaintext bytes per segment, 64K..64M (default 4M)\n"
    "Refuses to touch a directory that already holds a store.\n",
};
