/* backend.c — `holdfast backend ls|add`. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

struct ls_ctx {
    bool json;
    int n;
};

static enum hf_err print_backend(void *arg, const struct hf_backend_info *b)
{
    struct ls_ctx *c = arg;
    const char *state = b->state == HF_BACKEND_ACTIVE ? "active" : "unavailable";
    char h[32], f[32];

    if (c->json) {
        printf("%s{\"name\":", c->n++ ? "," : "");
        cmd_json_str(stdout, b->name, strlen(b->name));
        printf(",\"domain\":");
        cmd_json_str(stdout, b->domain, strlen(b->domain));
        printf(",\"state\":\"%s\",\"path\":", state);
        cmd_json_str(stdout, b->path, strlen(b->path));
        printf(",\"bytes\":%llu,\"shards\":%llu,\"free_bytes\":%llu}",
               (unsigned long long)b->bytes, (unsigned long long)b->shards,
               (unsigned long long)b->free_bytes);
        return HF_OK;
    }
    if (c->n++ == 0)
        printf("%-12s %-12s %-12s %10s %8s %10s  %s\n", "NAME", "DOMAIN", "STATE", "BYTES",
               "SHARDS", "FREE", "PATH");
    cmd_human(b->bytes, h, sizeof(h));
    cmd_human(b->free_bytes, f, sizeof(f));
    printf("%-12s %-12s %-12s %10s %8llu %10s  %s\n", b->name, b->domain, state, h,
           (unsigned long long)b->shards, f, b->path);
    return HF_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "domain", required_argument, NULL, 'd' },
        { 0 },
    };
    struct hf_store *st = NULL;
    struct ls_ctx ctx = { 0 };
    const char *domain = NULL;
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            ctx.json = true;
        else if (c == 'd')
            domain = optarg;
        else
            return cmd_usage(&cmd_backend, "unknown option");
    }
    if (optind >= argc)
        return cmd_usage(&cmd_backend, "expected ls or add");
    if (strcmp(argv[optind], "ls") == 0) {
        if (optind + 1 != argc || domain)
            return cmd_usage(&cmd_backend, "ls takes only --json");
        if ((ex = cmd_open("backend", &st)) != EXIT_OK)
            return ex;
        if (ctx.json)
            printf("[");
        rc = hf_backend_list(st, 1, print_backend, &ctx);
        if (ctx.json)
            printf("]\n");
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("backend ls", st, rc, NULL);
        hf_store_close(st);
        return ex;
    }
    if (strcmp(argv[optind], "add") == 0) {
        if (optind + 3 != argc)
            return cmd_usage(&cmd_backend, "add wants NAME PATH --domain D");
        if (!domain)
            return cmd_usage(&cmd_backend, "add needs --domain D");
        if ((ex = cmd_open("backend", &st)) != EXIT_OK)
            return ex;
        rc = hf_backend_add(st, argv[optind + 1], argv[optind + 2], domain);
        if (rc == HF_OK)
            printf("added backend %s at %s in domain %s\n", argv[optind + 1],
                   argv[optind + 2], domain);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("backend add", st, rc, argv[optind + 1]);
        hf_store_close(st);
        return ex;
    }
    if (strcmp(argv[optind], "replace") == 0) {
        if (optind + 2 != argc || domain)
            return cmd_usage(&cmd_backend, "replace wants NAME");
        if ((ex = cmd_open("backend", &st)) != EXIT_OK)
            return ex;
        rc = hf_backend_replace(st, argv[optind + 1]);
        if (rc == HF_OK)
            printf("backend %s is back in service, empty; run `holdfast scrub --repair` to "
                   "rebuild its shards\n", argv[optind + 1]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("backend replace", st, rc, argv[optind + 1]);
        hf_store_close(st);
        return ex;
    }
    return cmd_usage(&cmd_backend, "unknown subcommand '%s'", argv[optind]);
}

const struct cmd cmd_backend = {
    "backend", run, "ls [--json] | add NAME PATH --domain D",
    "list backends, or add a local directory backend in a failure domain",
    "\n  ls      name, domain, state, path, bytes and shard files of each backend\n"
    "  add     register directory PATH (created if missing) as backend NAME in\n"
    "          failure domain D.  New objects place shards on it; stored ones\n"
    "          stay where they are.\n"
    "  replace take the new, empty directory at backend NAME's path as that backend\n"
    "          (a replaced disk); then `holdfast scrub --repair` rebuilds its shards.\n"
    "A backend's directory is used only while its marker file (holdfast-backend)\n"
    "names it: an unmounted mount point or another backend's disk is 'unavailable'.\n",
};
