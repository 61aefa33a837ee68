/* stat.c — `holdfast stat B/KEY`: a version and where its shards live. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

struct st_ctx {
    bool json;
    int n;
};

static enum hf_err print_shard(void *arg, const struct hf_shard_info *s)
{
    struct st_ctx *c = arg;

    if (c->json) {
        printf("%s{\"index\":%llu,\"backend\":", c->n++ ? "," : "", (unsigned long long)s->index);
        cmd_json_str(stdout, s->backend, strlen(s->backend));
        printf(",\"domain\":");
        cmd_json_str(stdout, s->domain, strlen(s->domain));
        printf(",\"path\":");
        cmd_json_str(stdout, s->path, strlen(s->path));
        printf("}");
    } else {
        c->n++;
        printf("  shard %2llu  backend %-10s domain %-10s %s\n", (unsigned long long)s->index,
               s->backend, s->domain, s->path);
    }
    return HF_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "version", required_argument, NULL, 'v' },
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    struct st_ctx ctx = { 0 };
    struct hf_version_info vi;
    struct hf_store *st = NULL;
    const char *version = NULL, *key;
    char bucket[64], sum[33], t[32], kept[512] = "";
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'v')
            version = optarg;
        else if (c == 'j')
            ctx.json = true;
        else
            return cmd_usage(&cmd_stat, "unknown option");
    }
    if (argc - optind != 1)
        return cmd_usage(&cmd_stat, "expected BUCKET/KEY");
    if ((ex = cmd_split(&cmd_stat, argv[optind], bucket, sizeof(bucket), &key, false)))
        return ex;
    if ((ex = cmd_open("stat", &st)) != EXIT_OK)
        return ex;
    rc = hf_head(st, bucket, key, strlen(key), version, &vi);
    if (rc != HF_OK) {
        ex = cmd_fail("stat", st, rc, argv[optind]);
        goto out;
    }
    (void)hf_kept_reason(st, bucket, key, strlen(key),
                         vi.null_version ? "null" : vi.version_id, kept, sizeof(kept));
    for (int i = 0; i < 16; i++)
        snprintf(sum + 2 * i, 3, "%02x", vi.checksum[i]);
    cmd_time(vi.mtime_ns, t, sizeof(t));
    if (ctx.json) {
        printf("{\"bucket\":");
        cmd_json_str(stdout, bucket, strlen(bucket));
        printf(",\"key\":");
        cmd_json_str(stdout, key, strlen(key));
        printf(",\"version\":\"%s\",\"latest\":%s,\"size\":%llu,\"mtime\":\"%s\","
               "\"checksum\":\"xxh3-128:%s\",\"ec\":{\"k\":%u,\"m\":%u},\"segment_size\":%u,"
               "\"segments\":%llu,\"kept\":", vi.version_id, vi.latest ? "true" : "false",
               (unsigned long long)vi.size, t, sum, vi.k, vi.m, vi.segment_size,
               (unsigned long long)vi.segments);
        if (kept[0])
            cmd_json_str(stdout, kept, strlen(kept));
        else
            printf("null");
        printf(",\"shards\":[");
    } else {
        printf("key:       %s/%s\nversion:   %s%s\nsize:      %llu\nmodified:  %s\n"
               "checksum:  xxh3-128:%s\ncoding:    %u+%u, %llu segment%s of %u bytes\n",
               bucket, key, vi.version_id, vi.latest ? " (latest)" : "",
               (unsigned long long)vi.size, t, sum, vi.k, vi.m,
               (unsigned long long)vi.segments, vi.segments == 1 ? "" : "s", vi.segment_size);
        if (kept[0])
            printf("kept:      %s\n", kept);
        printf("shards:\n");
    }
    rc = hf_stat_shards(st, bucket, key, strlen(key), version, print_shard, &ctx);
    if (ctx.json)
        printf("]}\n");
    ex = rc == HF_OK ? EXIT_OK : cmd_fail("stat", st, rc, argv[optind]);
out:
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_stat = {
    "stat", run, "BUCKET/KEY [--version V] [--json]",
    "size, checksum, version, segments, and where each shard lives",
    NULL,
};
