/* ls.c — `holdfast ls B[/PREFIX]`: list objects or versions. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

struct ls_ctx {
    bool json, versions;
    int n;
    struct hf_store *st;
    const char *bucket;
    char key[HF_KEY_MAX + 1];   /* the key of the previous row, and whether */
    size_t keylen;              /* its latest version is a delete marker */
    bool hidden;
};

static enum hf_err print_version(void *arg, const struct hf_version_info *v)
{
    struct ls_ctx *c = arg;
    char t[32], kept[512] = "", key[HF_KEY_MAX + 1];

    cmd_time(v->mtime_ns, t, sizeof(t));
    /* The honest state: with --versions, what keeps each version. */
    if (v->latest) {        /* rows come newest first per key */
        memcpy(c->key, v->key, v->keylen);
        c->keylen = v->keylen;
        c->hidden = v->delete_marker;
    }
    if (c->versions && !v->delete_marker) {
        bool hidden = c->hidden && !v->latest && v->keylen == c->keylen &&
                      memcmp(v->key, c->key, v->keylen) == 0;
        size_t n = 0;
        memcpy(key, v->key, v->keylen);
        key[v->keylen] = '\0';
        if (hidden)
            n = (size_t)snprintf(kept, sizeof(kept), "hidden by a delete marker; ");
        (void)hf_kept_reason(c->st, c->bucket, key, v->keylen,
                             v->null_version ? "null" : v->version_id, kept + n,
                             sizeof(kept) - n);
        if (hidden && !kept[n])
            kept[0] = '\0';    /* hidden and free: nothing kept to report */
    }
    if (c->json) {
        printf("%s{\"key\":", c->n++ ? "," : "");
        cmd_json_str(stdout, v->key, v->keylen);
        printf(",\"version\":\"%s\",\"size\":%llu,\"mtime\":\"%s\",\"latest\":%s,"
               "\"delete_marker\":%s", v->version_id, (unsigned long long)v->size, t,
               v->latest ? "true" : "false", v->delete_marker ? "true" : "false");
        if (c->versions) {
            printf(",\"kept\":");
            if (kept[0])
                cmd_json_str(stdout, kept, strlen(kept));
            else
                printf("null");
        }
        printf("}");
        return HF_OK;
    }
    c->n++;
    if (c->versions)
        printf("%s %12llu %s %s%s  %.*s%s%s%s\n", t, (unsigned long long)v->size,
               v->version_id, v->latest ? "L" : "-", v->delete_marker ? "D" : "-",
               (int)v->keylen, v->key, kept[0] ? "  [kept: " : "", kept, kept[0] ? "]" : "");
    else
        printf("%s %12llu  %.*s\n", t, (unsigned long long)v->size, (int)v->keylen, v->key);
    return HF_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "versions", no_argument, NULL, 'v' },
        { 0 },
    };
    struct ls_ctx ctx = { 0 };
    struct hf_store *st = NULL;
    char bucket[64];
    const char *prefix;
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            ctx.json = true;
        else if (c == 'v')
            ctx.versions = true;
        else
            return cmd_usage(&cmd_ls, "unknown option");
    }
    if (argc - optind != 1)
        return cmd_usage(&cmd_ls, "expected BUCKET[/PREFIX]");
    if ((ex = cmd_split(&cmd_ls, argv[optind], bucket, sizeof(bucket), &prefix, true)))
        return ex;
    if ((ex = cmd_open("ls", &st)) != EXIT_OK)
        return ex;
    ctx.st = st;
    ctx.bucket = bucket;
    if (ctx.json)
        printf("[");
    rc = hf_list(st, bucket, prefix, strlen(prefix), ctx.versions ? HF_LIST_VERSIONS : 0,
                 print_version, &ctx);
    if (ctx.json)
        printf("]\n");
    ex = rc == HF_OK ? EXIT_OK : cmd_fail("ls", st, rc, argv[optind]);
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_ls = {
    "ls", run, "BUCKET[/PREFIX] [--versions] [--json]",
    "list the objects of a bucket (or every version with --versions)",
    "\nWithout --versions: the latest version of each key that is not deleted.\n"
    "With --versions: every version and delete marker, newest first per key;\n"
    "flags L = latest, D = delete marker; [kept: ...] says what keeps a version\n"
    "(a preservation hold, a legal hold, retention until a date), hidden or not.\n",
};
