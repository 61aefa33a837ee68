/* status.c — `holdfast status`: backends, domains, what the store survives. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

struct notices {
    unsigned pending, failed, delivered;
};

/* Open notices: pending (none delivered yet; those with a failed attempt counted
 * apart: the operator must act) and delivered (their grace period runs). */
static enum hf_err count_notice(void *arg, const struct hf_notice_info *n)
{
    struct notices *c = arg;
    bool failed = false;

    for (size_t i = 0; i < n->ndeliveries; i++)
        failed |= n->deliveries[i].result && strcmp(n->deliveries[i].result, "failed") == 0;
    if (strcmp(n->state, "pending") == 0) {
        c->pending++;
        c->failed += failed;
    } else if (strcmp(n->state, "delivered") == 0) {
        c->delivered++;
    }
    return HF_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
    struct hf_store *st = NULL;
    struct hf_status s;
    bool json = false;
    enum hf_err rc;
    int c, ex;
    char h[32];

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j')
            return cmd_usage(&cmd_status, "unknown option");
        json = true;
    }
    if (optind != argc)
        return cmd_usage(&cmd_status, "unexpected argument '%s'", argv[optind]);
    if ((ex = cmd_open("status", &st)) != EXIT_OK)
        return ex;
    rc = hf_status(st, &s);
    if (rc != HF_OK) {
        ex = cmd_fail("status", st, rc, NULL);
        hf_store_close(st);
        return ex;
    }
    struct notices nc = { 0, 0, 0 };
    (void)hf_notice_list(st, count_notice, &nc);
    if (json) {
        printf("{\"ec\":{\"k\":%u,\"m\":%u},\"segment_size\":%u,\"backends\":%u,"
               "\"backends_up\":%u,\"domains\":%u,\"domains_up\":%u,"
               "\"tolerated_domain_loss\":%d,\"tolerated_provider_loss\":%d,"
               "\"tolerated_site_loss\":%d,\"tolerated_jurisdiction_loss\":%d,"
               "\"min_redundancy\":%u,\"backends_draining\":%u,"
               "\"buckets\":%llu,\"objects\":%llu,"
               "\"versions\":%llu,\"stored_bytes\":%llu,\"notices\":{\"pending\":%u,"
               "\"undelivered\":%u,\"delivered\":%u}}\n",
               s.k, s.m, s.segment_size, s.backends, s.backends_up, s.domains, s.domains_up,
               s.tolerated_domain_loss, s.tolerated_provider_loss, s.tolerated_site_loss,
               s.tolerated_jurisdiction_loss, s.min_redundancy, s.backends_draining,
               (unsigned long long)s.buckets,
               (unsigned long long)s.objects, (unsigned long long)s.versions,
               (unsigned long long)s.stored_bytes, nc.pending, nc.failed, nc.delivered);
    } else {
        cmd_human(s.stored_bytes, h, sizeof(h));
        printf("store:     %s\n", cmd_data_dir);
        printf("coding:    %u+%u (any %u of %u shards rebuild a segment)\n", s.k, s.m, s.k,
               s.k + s.m);
        printf("backends:  %u (%u up) in %u failure domains (%u up)\n", s.backends,
               s.backends_up, s.domains, s.domains_up);
        if (s.backends_draining)
            printf("           %u backend%s draining, drained or failed: no new shards go "
                   "there\n", s.backends_draining, s.backends_draining == 1 ? "" : "s");
        if (s.tolerated_domain_loss < 0) {
            printf("survives:  nothing — %s; writes fail\n",
                   s.backends_up ? "too few usable failure domains for min_redundancy"
                                 : "no usable backend");
        } else {
            printf("survives:  the loss of any %d domain%s", s.tolerated_domain_loss,
                   s.tolerated_domain_loss == 1 ? "" : "s");
            if (s.tolerated_provider_loss >= 0)
                printf(", any %d provider%s", s.tolerated_provider_loss,
                       s.tolerated_provider_loss == 1 ? "" : "s");
            if (s.tolerated_site_loss >= 0)
                printf(", any %d site%s", s.tolerated_site_loss,
                       s.tolerated_site_loss == 1 ? "" : "s");
            if (s.tolerated_jurisdiction_loss >= 0)
                printf(", any %d jurisdiction%s", s.tolerated_jurisdiction_loss,
                       s.tolerated_jurisdiction_loss == 1 ? "" : "s");
            printf(" (new objects)\n");
        }
        printf("minimum:   writes need to survive the loss of %u domain%s (min_redundancy)\n",
               s.min_redundancy, s.min_redundancy == 1 ? "" : "s");
        printf("contents:  %llu buckets, %llu objects, %llu versions, %s\n",
               (unsigned long long)s.buckets, (unsigned long long)s.objects,
               (unsigned long long)s.versions, h);
        if (nc.pending || nc.delivered)
            printf("notices:   %u pending (%u could not be delivered: their data cannot"
                   " expire until it is), %u delivered, grace period running"
                   " (holdfast notice ls)\n", nc.pending, nc.failed, nc.delivered);
    }
    hf_store_close(st);
    return EXIT_OK;
}

const struct cmd cmd_status = {
    "status", run, "[--json]",
    "backends, failure domains, and how many domains may be lost",
    NULL,
};
