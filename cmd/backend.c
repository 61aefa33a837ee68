/*
 * backend.c — `holdfast backend ls|add|replace|drain|check|wipe|retire|fail|activate`.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "banned.h"

struct ls_ctx {
    bool json;
    int n;
};

static enum hf_err print_backend(void *arg, const struct hf_backend_info *b)
{
    struct ls_ctx *c = arg;
    char h[32], f[32];

    if (c->json) {
        printf("%s{\"name\":", c->n++ ? "," : "");
        cmd_json_str(stdout, b->name, strlen(b->name));
        printf(",\"domain\":");
        cmd_json_str(stdout, b->domain, strlen(b->domain));
        printf(",\"provider\":");
        cmd_json_str(stdout, b->provider, strlen(b->provider));
        printf(",\"site\":");
        cmd_json_str(stdout, b->site, strlen(b->site));
        printf(",\"jurisdiction\":");
        cmd_json_str(stdout, b->jurisdiction, strlen(b->jurisdiction));
        printf(",\"state\":\"%s\",\"path\":", b->state_name);
        cmd_json_str(stdout, b->path, strlen(b->path));
        printf(",\"bytes\":%llu,\"shards\":%llu,\"shard_rows\":%llu,\"free_bytes\":%llu}",
               (unsigned long long)b->bytes, (unsigned long long)b->shards,
               (unsigned long long)b->shard_rows, (unsigned long long)b->free_bytes);
        return HF_OK;
    }
    if (c->n++ == 0)
        printf("%-12s %-12s %-10s %-12s %10s %8s %10s  %s\n", "NAME", "DOMAIN", "PROVIDER",
               "STATE", "BYTES", "SHARDS", "FREE", "PATH");
    cmd_human(b->bytes, h, sizeof(h));
    cmd_human(b->free_bytes, f, sizeof(f));
    printf("%-12s %-12s %-10s %-12s %10s %8llu %10s  %s\n", b->name, b->domain,
           b->provider[0] ? b->provider : "-", b->state_name, h,
           (unsigned long long)b->shards, f, b->path);
    return HF_OK;
}

/* Drain progress on a terminal: versions moved of versions to move. */
struct drain_progress {
    const char *name;
    bool on;
    time_t last;
};

static void drain_cb(void *arg, uint64_t done, uint64_t total)
{
    struct drain_progress *p = arg;
    time_t t = time(NULL);

    if (!p->on || (t == p->last && done < total))
        return;
    p->last = t;
    fprintf(stderr, "\rdrain %s: %llu of %llu versions (%.0f%%)   ", p->name,
            (unsigned long long)done, (unsigned long long)total,
            total ? 100.0 * (double)done / (double)total : 100.0);
}

static int do_drain(struct hf_store *st, const char *name)
{
    struct drain_progress p = { name, false, 0 };
    struct hf_drain_stats s;
    enum hf_err rc;
    char h[32];
    int ex;

    p.on = getenv("HOLDFAST_PROGRESS") || (isatty(2) && !getenv("HOLDFAST_NO_PROGRESS"));
    rc = hf_backend_drain(st, name, drain_cb, &p, &s);
    if (p.on)
        fprintf(stderr, "\n");
    cmd_human(s.bytes, h, sizeof(h));
    printf("drain %s: %llu versions moved (%llu shards copied and verified, %llu rebuilt, "
           "%s written), %llu could not be moved, %llu shards left on it\n", name,
           (unsigned long long)s.versions, (unsigned long long)s.shards_copied,
           (unsigned long long)s.shards_rebuilt, h, (unsigned long long)s.failed,
           (unsigned long long)s.remaining);
    if (rc != HF_OK)
        return cmd_fail("backend drain", st, rc, name);
    printf("backend %s is drained; prove it with `holdfast backend check %s`\n", name, name);
    ex = EXIT_OK;
    return ex;
}

static int do_check(struct hf_store *st, const char *name, bool json)
{
    struct hf_check_result r;
    enum hf_err rc = hf_backend_check(st, name, &r);

    if (rc != HF_OK)
        return cmd_fail("backend check", st, rc, name);
    if (json) {
        FILE *f = fopen(r.report_path, "re");
        char buf[8192];
        size_t n;
        if (!f)
            return cmd_fail("backend check", st, HF_EIO, r.report_path);
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    } else {
        printf("check %s: %s — %llu versions that had a shard on it read back, %llu without "
               "full redundancy elsewhere (%llu held or retained)\n", name,
               r.passed ? "PASSED" : "FAILED", (unsigned long long)r.versions,
               (unsigned long long)r.unsafe, (unsigned long long)r.held);
        printf("report:  %s\n", r.report_path);
        printf("proof:   %s (audit log entry %lld)\n", r.hash, (long long)r.entry);
        if (r.passed)
            printf("wipe it with: holdfast backend wipe %s --proof %s\n", name, r.hash);
    }
    if (r.passed)
        return EXIT_OK;
    return r.held ? EXIT_HELD : EXIT_INTEGRITY;
}

static int do_wipe(struct hf_store *st, const char *name, const char *proof)
{
    struct hf_wipe_result w;
    enum hf_err rc = hf_backend_wipe(st, name, proof, &w);
    char h[32];

    if (rc != HF_OK)
        return cmd_fail("backend wipe", st, rc, name);
    cmd_human(w.bytes, h, sizeof(h));
    printf("wiped %s: %llu shard files (%s) removed, none left; sanitization certificate is "
           "audit log entry %lld (holdfast audit ls --kind backend.wiped)\n", name,
           (unsigned long long)w.files, h, (long long)w.entry);
    return EXIT_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "domain", required_argument, NULL, 'd' },
        { "provider", required_argument, NULL, 'p' },
        { "site", required_argument, NULL, 's' },
        { "jurisdiction", required_argument, NULL, 'J' },
        { "proof", required_argument, NULL, 'P' },
        { 0 },
    };
    struct hf_store *st = NULL;
    struct ls_ctx ctx = { 0 };
    struct hf_backend_attrs at = { 0 };
    const char *domain = NULL, *proof = NULL, *sub;
    bool attrs = false;
    enum hf_err rc;
    int c, ex, nargs;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j': ctx.json = true; break;
        case 'd': domain = optarg; break;
        case 'p': at.provider = optarg; attrs = true; break;
        case 's': at.site = optarg; attrs = true; break;
        case 'J': at.jurisdiction = optarg; attrs = true; break;
        case 'P': proof = optarg; break;
        default: return cmd_usage(&cmd_backend, "unknown option");
        }
    }
    if (optind >= argc)
        return cmd_usage(&cmd_backend, "expected a subcommand (ls, add, drain, check, wipe, ...)");
    sub = argv[optind];
    nargs = argc - optind - 1;
    if (strcmp(sub, "add") != 0 && (domain || attrs))
        return cmd_usage(&cmd_backend, "--domain, --provider, --site and --jurisdiction go "
                         "with add");
    if (strcmp(sub, "wipe") != 0 && proof)
        return cmd_usage(&cmd_backend, "--proof goes with wipe");
    if (ctx.json && strcmp(sub, "ls") != 0 && strcmp(sub, "check") != 0)
        return cmd_usage(&cmd_backend, "--json goes with ls and check");
    if (strcmp(sub, "ls") == 0) {
        if (nargs != 0)
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
    if (strcmp(sub, "add") == 0) {
        if (nargs != 2)
            return cmd_usage(&cmd_backend, "add wants NAME PATH --domain D");
        if (!domain)
            return cmd_usage(&cmd_backend, "add needs --domain D");
        if ((ex = cmd_open("backend", &st)) != EXIT_OK)
            return ex;
        rc = hf_backend_add_attrs(st, argv[optind + 1], argv[optind + 2], domain, &at);
        if (rc == HF_OK)
            printf("added backend %s at %s in domain %s%s%s%s%s%s%s\n", argv[optind + 1],
                   argv[optind + 2], domain, at.provider ? ", provider " : "",
                   at.provider ? at.provider : "", at.site ? ", site " : "",
                   at.site ? at.site : "", at.jurisdiction ? ", jurisdiction " : "",
                   at.jurisdiction ? at.jurisdiction : "");
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("backend add", st, rc, argv[optind + 1]);
        hf_store_close(st);
        return ex;
    }
    if (nargs != 1)
        return cmd_usage(&cmd_backend, "%s wants NAME", sub);
    if (strcmp(sub, "wipe") == 0 && !proof)
        return cmd_usage(&cmd_backend, "wipe needs --proof HASH (from `holdfast backend "
                         "check %s`)", argv[optind + 1]);
    if (strcmp(sub, "replace") && strcmp(sub, "drain") && strcmp(sub, "check") &&
        strcmp(sub, "wipe") && strcmp(sub, "retire") && strcmp(sub, "fail") &&
        strcmp(sub, "activate"))
        return cmd_usage(&cmd_backend, "unknown subcommand '%s'", sub);
    if ((ex = cmd_open("backend", &st)) != EXIT_OK)
        return ex;
    if (strcmp(sub, "replace") == 0) {
        rc = hf_backend_replace(st, argv[optind + 1]);
        if (rc == HF_OK)
            printf("backend %s is back in service, empty; run `holdfast scrub --repair` to "
                   "rebuild its shards\n", argv[optind + 1]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("backend replace", st, rc, argv[optind + 1]);
    } else if (strcmp(sub, "drain") == 0) {
        ex = do_drain(st, argv[optind + 1]);
    } else if (strcmp(sub, "check") == 0) {
        ex = do_check(st, argv[optind + 1], ctx.json);
    } else if (strcmp(sub, "wipe") == 0) {
        ex = do_wipe(st, argv[optind + 1], proof);
    } else {
        rc = hf_backend_set_state(st, argv[optind + 1], sub);
        if (rc == HF_OK)
            printf("backend %s: %s\n", argv[optind + 1],
                   strcmp(sub, "retire") == 0 ? "retired"
                   : strcmp(sub, "fail") == 0 ? "marked failed: its shards are no longer "
                                                "read; `holdfast scrub --repair` re-places them"
                                              : "active again, reconciled (every shard on it "
                                                "verified; what failed was rebuilt)");
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("backend", st, rc, argv[optind + 1]);
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_backend = {
    "backend", run,
    "ls [--json] | add NAME PATH --domain D [--provider P] [--site S] [--jurisdiction J]"
    " | drain NAME | check NAME [--json] | wipe NAME --proof HASH | retire NAME"
    " | fail NAME | activate NAME | replace NAME",
    "list, add and decommission backends (drain, proof of drain, wipe)",
    "\n  ls       name, domain, provider, state, path, bytes and shard files of each\n"
    "  add      register directory PATH (created if missing) as backend NAME in\n"
    "           failure domain D, optionally at provider P, site S, jurisdiction J\n"
    "           (a domain's backends share them).  New objects place shards on it,\n"
    "           never more than m of a segment's shards on one provider, site or\n"
    "           jurisdiction when the backends allow it; stored ones stay.\n"
    "  drain    mark NAME draining (new writes avoid it) and move every shard off\n"
    "           it, copying what verifies (and reading the copy back) and rebuilding\n"
    "           the rest from the other shards; then it is drained.  Reads and\n"
    "           writes go on meanwhile; after a crash, run it again to resume.\n"
    "  check    proof of drain: read back every version that had a shard on NAME;\n"
    "           exit 0 only when each has all k+m shards on distinct domains\n"
    "           elsewhere.  Writes a report under DATA/reports/ and logs its SHA-256\n"
    "           (\"backend.checked\"); prints the hash to give wipe.  Exit 8 when\n"
    "           held or retained data is unsafe, 4 for other unsafe data.\n"
    "  wipe     remove every shard file of drained backend NAME through the\n"
    "           reclaimer, given the hash of a passing check of its current state;\n"
    "           verify none is left and log a sanitization certificate\n"
    "           (\"backend.wiped\").  Refused (exit 8) while held or retained data\n"
    "           is on it — no override — and (exit 1) without a current proof.\n"
    "  retire   a wiped backend leaves service for good.\n"
    "  fail     mark NAME failed: never read or written; scrub --repair rebuilds\n"
    "           its shards elsewhere (drain it to move them off on purpose).\n"
    "  activate bring a failed, draining or drained backend back: every shard it\n"
    "           holds is verified against the metadata, what fails is rebuilt.\n"
    "  replace  take the new, empty directory at backend NAME's path as that backend\n"
    "           (a replaced disk); then `holdfast scrub --repair` rebuilds its shards.\n"
    "A backend's directory is used only while its marker file (holdfast-backend)\n"
    "names it: an unmounted mount point or another backend's disk is 'unavailable'\n"
    "(unreachable: reads rebuild from the other shards, writes go elsewhere).\n",
};
