/* notice.c — `holdfast notice ls|keep`: expiry notices, their deliveries and answers. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static void when(int64_t ns, char *out, size_t n)
{
    if (ns)
        cmd_time(ns, out, n);
    else
        snprintf(out, n, "-");
}

static enum hf_err print_notice(void *arg, const struct hf_notice_info *n)
{
    char c[32], e[32], d[32], x[32], a[32];

    (void)arg;
    when(n->created_ns, c, sizeof(c));
    when(n->eligible_since_ns, e, sizeof(e));
    when(n->delivered_ns, d, sizeof(d));
    when(n->expires_ns, x, sizeof(x));
    when(n->answered_ns, a, sizeof(a));
    printf("notice %lld  %-9s user=%s scope=%s rule=%s\n", (long long)n->id, n->state,
           n->user[0] ? n->user : "-", n->scope, n->rule);
    printf("  created %s  eligible since %s  versions %llu (%llu bytes)  grace %d days\n", c, e,
           (unsigned long long)n->versions, (unsigned long long)n->bytes, n->grace_days);
    printf("  delivered %s  expires %s  answered %s%s%s\n", d, x, a,
           n->answered_via[0] ? " via " : "", n->answered_via);
    if (!strcmp(n->state, "expired"))
        printf("  expired %llu versions, %llu kept by a hold or retention\n",
               (unsigned long long)n->expired_versions, (unsigned long long)n->held_versions);
    if (!strcmp(n->state, "pending"))
        printf("  NOT DELIVERED: nothing expires until a delivery succeeds\n");
    for (size_t i = 0; i < n->ndeliveries; i++) {
        const struct hf_delivery_info *di = &n->deliveries[i];
        when(di->time_ns, c, sizeof(c));
        printf("  %s %-11s %-7s %-9s %s (%s) [entry %lld]\n", c, di->kind, di->channel,
               di->result, di->target[0] ? di->target : "-", di->detail, (long long)di->entry);
    }
    return HF_OK;
}

static void json_time(const char *name, int64_t ns)
{
    char t[32];

    if (ns) {
        cmd_time(ns, t, sizeof(t));
        printf(",\"%s\":\"%s\"", name, t);
    } else {
        printf(",\"%s\":null", name);
    }
}

static void json_field(const char *name, const char *v)
{
    printf(",\"%s\":", name);
    cmd_json_str(stdout, v, strlen(v));
}

static enum hf_err json_notice(void *arg, const struct hf_notice_info *n)
{
    bool *first = arg;

    printf("%s{\"id\":%lld", *first ? "" : ",", (long long)n->id);
    *first = false;
    json_field("user", n->user);
    json_field("scope", n->scope);
    json_field("rule", n->rule);
    json_field("state", n->state);
    json_time("created", n->created_ns);
    json_time("eligible_since", n->eligible_since_ns);
    json_time("delivered", n->delivered_ns);
    json_time("expires", n->expires_ns);
    json_time("answered", n->answered_ns);
    json_field("answered_via", n->answered_via);
    json_time("closed", n->closed_ns);
    printf(",\"grace_days\":%d,\"versions\":%llu,\"bytes\":%llu,\"expired_versions\":%llu,"
           "\"held_versions\":%llu,\"deliveries\":[", n->grace_days,
           (unsigned long long)n->versions, (unsigned long long)n->bytes,
           (unsigned long long)n->expired_versions, (unsigned long long)n->held_versions);
    for (size_t i = 0; i < n->ndeliveries; i++) {
        const struct hf_delivery_info *d = &n->deliveries[i];
        printf("%s{\"entry\":%lld", i ? "," : "", (long long)d->entry);
        json_time("time", d->time_ns);
        json_field("kind", d->kind);
        json_field("channel", d->channel);
        json_field("target", d->target);
        json_field("result", d->result);
        json_field("detail", d->detail);
        printf("}");
    }
    printf("]}");
    return HF_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    struct hf_store *st = NULL;
    bool json = false, first = true;
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else
            return cmd_usage(&cmd_notice, "unknown option");
    }
    if (optind >= argc)
        return cmd_usage(&cmd_notice, "expected ls or keep");
    if (strcmp(argv[optind], "ls") == 0) {
        if (optind + 1 != argc)
            return cmd_usage(&cmd_notice, "ls takes no arguments");
        if ((ex = cmd_open("notice", &st)) != EXIT_OK)
            return ex;
        if (json)
            printf("[");
        rc = hf_notice_list(st, json ? json_notice : print_notice, &first);
        if (json)
            printf("]\n");
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("notice ls", st, rc, NULL);
    } else if (strcmp(argv[optind], "keep") == 0) {
        char *end = NULL;
        long long id;
        if (optind + 2 != argc || json)
            return cmd_usage(&cmd_notice, "keep wants a notice id");
        id = strtoll(argv[optind + 1], &end, 10);
        if (!*argv[optind + 1] || *end || id <= 0)
            return cmd_usage(&cmd_notice, "a notice id is a positive number, got '%s'",
                             argv[optind + 1]);
        if ((ex = cmd_open("notice", &st)) != EXIT_OK)
            return ex;
        rc = hf_notice_keep(st, id, "cli");
        if (rc == HF_OK)
            printf("notice %lld answered: keep (the expiry is cancelled)\n", id);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("notice keep", st, rc, argv[optind + 1]);
    } else {
        return cmd_usage(&cmd_notice, "unknown subcommand '%s'", argv[optind]);
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_notice = {
    "notice", run, "ls [--json] | keep ID",
    "expiry notices: their deliveries and answers",
    "\n  ls     every notice: user, scope, rule, state (pending = not delivered: its\n"
    "         expiry is blocked; delivered; kept; expired; cancelled), when it was\n"
    "         delivered and expires, and every delivery attempt with its result\n"
    "  keep   answer keep for the owner: the expiry is cancelled (logged)\n",
};
