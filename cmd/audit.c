/*
 * audit.c — `holdfast audit ...`: read, prove and verify the audit log.
 *
 * verify and verify-offline exit 0 when the log verifies and 4 (integrity)
 * when it does not, printing the first problem found.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

struct ls_opts {
    bool json;
};

static enum hf_err print_entry(void *arg, const struct hf_audit_entry *e)
{
    const struct ls_opts *o = arg;
    char t[40];

    if (o->json) {
        printf("%s\n", e->json);
        return HF_OK;
    }
    cmd_time(e->time_ns, t, sizeof(t));
    printf("%8llu  %s  %-22s %-16s ", (unsigned long long)e->index, t, e->kind, e->actor);
    cmd_json_str(stdout, e->subject, strlen(e->subject));
    printf("\n");
    return HF_OK;
}

/* Parse a decimal count; false on anything else. */
static bool number(const char *s, uint64_t *v)
{
    char *end;

    if (!s || !*s || *s == '-')
        return false;
    *v = strtoull(s, &end, 10);
    return *end == '\0';
}

static int print_report(const char *what, const struct hf_audit_report *r)
{
    if (r->problems == 0) {
        printf("%s: OK: %llu entries, %llu checkpoints, no problems\n", what,
               (unsigned long long)r->entries, (unsigned long long)r->checkpoints);
        return EXIT_OK;
    }
    printf("%s: FAILED: %llu problem%s in %llu entries and %llu checkpoints\nfirst: %s\n", what,
           (unsigned long long)r->problems, r->problems == 1 ? "" : "s",
           (unsigned long long)r->entries, (unsigned long long)r->checkpoints, r->first);
    return EXIT_INTEGRITY;
}

/* Print a malloc'd string the library returned, then free it. */
static int print_owned(const char *cmd, struct hf_store *st, enum hf_err rc, char *s,
                       const char *what)
{
    if (rc != HF_OK)
        return cmd_fail(cmd, st, rc, what);
    fputs(s, stdout);
    if (*s && s[strlen(s) - 1] != '\n')
        putchar('\n');
    free(s);
    return EXIT_OK;
}

static int verify_offline(int argc, char **argv)
{
    static const struct option opts[] = {
        { "receipt", required_argument, NULL, 'r' },
        { "known", required_argument, NULL, 'k' },
        { 0 },
    };
    const char *receipt = NULL, **known = calloc((size_t)argc, sizeof(char *));
    struct hf_audit_report r;
    size_t nknown = 0;
    enum hf_err rc;
    int c;

    if (!known)
        return EXIT_FAIL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            receipt = optarg;
        else if (c == 'k')
            known[nknown++] = optarg;
        else {
            free(known);
            return cmd_usage(&cmd_audit, "unknown option");
        }
    }
    if (optind + 1 != argc) {
        free(known);
        return cmd_usage(&cmd_audit, "verify-offline wants one directory");
    }
    rc = hf_audit_verify_offline(argv[optind], receipt, known, nknown, &r);
    free(known);
    if (rc == HF_ENOTFOUND) {
        fprintf(stderr, "holdfast audit verify-offline: no key.pub in %s\n", argv[optind]);
        return EXIT_NOTFOUND;
    }
    if (rc != HF_OK)
        return cmd_fail("audit verify-offline", NULL, rc, argv[optind]);
    return print_report("verify-offline", &r);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "from", required_argument, NULL, 'f' },
        { "kind", required_argument, NULL, 'k' },
        { "count", required_argument, NULL, 'c' },
        { "size", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    const char *sub, *kind = NULL;
    uint64_t from = 0, count = 0, size = 0, a = 0, b = 0;
    struct ls_opts lo = { false };
    struct hf_store *st = NULL;
    char *s = NULL;
    enum hf_err rc;
    int c, ex;

    if (argc < 2)
        return cmd_usage(&cmd_audit, "expected a subcommand");
    sub = argv[1];
    if (strcmp(sub, "verify-offline") == 0)
        return verify_offline(argc - 1, argv + 1);
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f' && number(optarg, &from))
            continue;
        if (c == 'c' && number(optarg, &count))
            continue;
        if (c == 's' && number(optarg, &size) && size > 0)
            continue;
        if (c == 'k')
            kind = optarg;
        else if (c == 'j')
            lo.json = true;
        else
            return cmd_usage(&cmd_audit, "bad option");
    }
    argc -= optind;
    argv += optind;
    if (strcmp(sub, "ls") == 0 || strcmp(sub, "key") == 0 || strcmp(sub, "checkpoint") == 0 ||
        strcmp(sub, "verify") == 0) {
        if (argc != 0)
            return cmd_usage(&cmd_audit, "%s takes no arguments", sub);
    } else if (strcmp(sub, "prove") == 0 || strcmp(sub, "receipt") == 0) {
        if (argc != 1 || !number(argv[0], &a))
            return cmd_usage(&cmd_audit, "%s wants an entry index", sub);
    } else if (strcmp(sub, "consistency") == 0) {
        if (argc != 2 || !number(argv[0], &a) || !number(argv[1], &b))
            return cmd_usage(&cmd_audit, "consistency wants OLD NEW tree sizes");
    } else if (strcmp(sub, "export") == 0) {
        if (argc != 1)
            return cmd_usage(&cmd_audit, "export wants a directory");
    } else {
        return cmd_usage(&cmd_audit, "unknown subcommand %s", sub);
    }
    if ((ex = cmd_open("audit", &st)) != EXIT_OK)
        return ex;
    if (strcmp(sub, "ls") == 0) {
        rc = hf_audit_list(st, from, count, kind, print_entry, &lo);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("audit ls", st, rc, "the log");
    } else if (strcmp(sub, "key") == 0) {
        rc = hf_audit_key(st, &s);
        ex = print_owned("audit key", st, rc, s, "the signing key");
    } else if (strcmp(sub, "checkpoint") == 0) {
        rc = hf_audit_checkpoint(st, true, &s);
        ex = print_owned("audit checkpoint", st, rc, s, "the log");
    } else if (strcmp(sub, "prove") == 0) {
        rc = hf_audit_prove(st, a, size, &s);
        ex = print_owned("audit prove", st, rc, s, argv[0]);
    } else if (strcmp(sub, "receipt") == 0) {
        rc = hf_audit_receipt(st, a, &s);
        ex = print_owned("audit receipt", st, rc, s, argv[0]);
    } else if (strcmp(sub, "consistency") == 0) {
        rc = hf_audit_consistency(st, a, b, &s);
        ex = print_owned("audit consistency", st, rc, s, "the log");
    } else if (strcmp(sub, "export") == 0) {
        rc = hf_audit_export(st, argv[0]);
        if (rc == HF_OK)
            printf("exported the audit log to %s (entries.jsonl, checkpoints/, checkpoint,"
                   " key.pub)\n", argv[0]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("audit export", st, rc, argv[0]);
    } else {
        struct hf_audit_report r;
        rc = hf_audit_verify(st, &r);
        ex = rc == HF_OK ? print_report("verify", &r) : cmd_fail("audit verify", st, rc, "the log");
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_audit = {
    "audit", run,
    "ls [--from N] [--count N] [--kind K] [--json] | checkpoint | key | prove N [--size S]"
    " | consistency OLD NEW | receipt N | verify | export DIR"
    " | verify-offline DIR [--receipt FILE] [--known CHECKPOINT]...",
    "the verifiable audit log: entries, checkpoints, proofs",
    "\n  ls              entries (index, time, kind, actor, subject); --json prints each\n"
    "                  entry as JSON with \"leaf\", the base64 of the exact bytes hashed\n"
    "  checkpoint      sign a checkpoint of the whole log if the latest does not cover\n"
    "                  it, and print the latest (C2SP tlog-checkpoint, Ed25519)\n"
    "  key             the log's verifier key (C2SP signed-note format): publish it\n"
    "  prove N         inclusion proof of entry N (JSON; --size S for a tree of S\n"
    "                  entries, default the latest checkpoint's)\n"
    "  consistency OLD NEW   consistency proof between two tree sizes (JSON)\n"
    "  receipt N       a receipt for entry N: the entry, a checkpoint and the inclusion\n"
    "                  proof, which verifies offline with only the key\n"
    "  verify          recompute the whole tree from the stored entries and check every\n"
    "                  checkpoint and the key; exit 4 if anything is wrong\n"
    "  export DIR      write entries.jsonl, checkpoints/, checkpoint and key.pub\n"
    "  verify-offline DIR   check an export with no store; --receipt FILE checks a\n"
    "                  receipt against DIR/key.pub; --known FILE checks that the export\n"
    "                  extends a checkpoint you kept earlier (detects forks)\n"
    "\nThe entry format and how to check a log by hand: docs/audit.md.\n",
};
