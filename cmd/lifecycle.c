/* lifecycle.c — `holdfast lifecycle set|rules|config|run`: expiry only after notice. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static enum hf_err print_rule(void *arg, const struct hf_lifecycle_rule *r)
{
    char d[32] = "";

    (void)arg;
    if (r->expiration_date_ns)
        cmd_time(r->expiration_date_ns, d, sizeof(d));
    printf("%-20s %-8s prefix=%s expiration-days=%u expiration-date=%s noncurrent-days=%u "
           "abort-days=%u\n", r->id, r->enabled ? "Enabled" : "Disabled",
           r->prefix && *r->prefix ? r->prefix : "(all)", r->expiration_days, d[0] ? d : "-",
           r->noncurrent_days, r->abort_days);
    return HF_OK;
}

/* A whole decimal number in [lo, hi]; -1 if not. */
static long number(const char *s, long lo, long hi)
{
    char *end = NULL;
    long v;

    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    v = strtol(s, &end, 10);
    return *end || v < lo || v > hi ? -1 : v;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "inactive-days", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    const char *inactive = NULL;
    struct hf_store *st = NULL;
    struct hf_lifecycle_stats s;
    bool json = false;
    enum hf_err rc;
    int c, ex;
    long days = -1;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'i')
            inactive = optarg;
        else if (c == 'j')
            json = true;
        else
            return cmd_usage(&cmd_lifecycle, "unknown option");
    }
    if (optind >= argc)
        return cmd_usage(&cmd_lifecycle, "expected set, rules, config or run");
    if (strcmp(argv[optind], "set") == 0) {
        if (optind + 2 != argc || !inactive)
            return cmd_usage(&cmd_lifecycle, "set wants a bucket and --inactive-days N");
        if ((days = number(inactive, 0, 36500)) < 0)
            return cmd_usage(&cmd_lifecycle, "--inactive-days wants 0-36500 (0 removes the "
                             "rule), got '%s'", inactive);
        if ((ex = cmd_open("lifecycle", &st)) != EXIT_OK)
            return ex;
        rc = hf_lifecycle_set_inactivity(st, argv[optind + 1], (unsigned)days);
        if (rc == HF_OK)
            printf(days ? "bucket %s: data becomes eligible for expiry (after notice) when "
                          "unused for %ld days\n"
                        : "bucket %s: no inactivity rule%.0ld\n", argv[optind + 1], days);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("lifecycle set", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "rules") == 0) {
        if (optind + 2 != argc || inactive)
            return cmd_usage(&cmd_lifecycle, "rules wants a bucket");
        if ((ex = cmd_open("lifecycle", &st)) != EXIT_OK)
            return ex;
        rc = hf_lifecycle_get_rules(st, argv[optind + 1], print_rule, NULL);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("lifecycle rules", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "config") == 0) {
        if (optind + 3 != argc || inactive)
            return cmd_usage(&cmd_lifecycle, "config wants a setting and a value");
        if ((ex = cmd_open("lifecycle", &st)) != EXIT_OK)
            return ex;
        rc = hf_lifecycle_config(st, argv[optind + 1], argv[optind + 2]);
        if (rc == HF_OK)
            printf("%s = %s\n", argv[optind + 1], argv[optind + 2]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("lifecycle config", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "run") == 0) {
        if (optind + 1 != argc || inactive)
            return cmd_usage(&cmd_lifecycle, "run takes no arguments");
        if ((ex = cmd_open("lifecycle", &st)) != EXIT_OK)
            return ex;
        rc = hf_lifecycle_run(st, &s);
        if (json)
            printf("{\"notices_created\":%llu,\"notices_cancelled\":%llu,\"delivered\":%llu,"
                   "\"failed\":%llu,\"reminders\":%llu,\"undelivered\":%llu,\"expired\":%llu,"
                   "\"held\":%llu}\n", (unsigned long long)s.notices_created,
                   (unsigned long long)s.notices_cancelled, (unsigned long long)s.delivered,
                   (unsigned long long)s.failed, (unsigned long long)s.reminders,
                   (unsigned long long)s.undelivered, (unsigned long long)s.expired,
                   (unsigned long long)s.held);
        else
            printf("notices: %llu created, %llu cancelled; deliveries: %llu delivered, %llu "
                   "failed, %llu reminders; %llu notices undelivered (their expiry is "
                   "blocked); versions: %llu expired, %llu kept by a hold or retention\n",
                   (unsigned long long)s.notices_created,
                   (unsigned long long)s.notices_cancelled, (unsigned long long)s.delivered,
                   (unsigned long long)s.failed, (unsigned long long)s.reminders,
                   (unsigned long long)s.undelivered, (unsigned long long)s.expired,
                   (unsigned long long)s.held);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("lifecycle run", st, rc, NULL);
    } else {
        return cmd_usage(&cmd_lifecycle, "unknown subcommand '%s'", argv[optind]);
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_lifecycle = {
    "lifecycle", run,
    "set BUCKET --inactive-days N | rules BUCKET | config KEY VALUE | run [--json]",
    "expiry only after notice: rules, settings, one pass",
    "\nRules never delete.  Data that a rule makes eligible gets a notice to its owner\n"
    "(`holdfast user set U --webhook URL --email ADDR`); it expires only when the\n"
    "grace period has passed after a delivered notice, no hold or retention applies,\n"
    "and the owner did not answer keep.  An undelivered notice blocks expiry.\n\n"
    "  set     a bucket's inactivity rule: eligible after N days without a read or\n"
    "          write (0 removes it)\n"
    "  rules   a bucket's S3 lifecycle rules (PutBucketLifecycleConfiguration)\n"
    "  config  grace-days N (7-3650, default 30), public-url URL (for keep links),\n"
    "          smtp-url smtp://HOST:PORT, smtp-from ADDR; \"\" unsets\n"
    "  run     one pass: new notices, deliveries and retries, reminders 30, 7 and\n"
    "          1 days before the expiry date, expiry of what is due.  `holdfast\n"
    "          reclaim` then removes the bytes; `holdfast serve` runs both\n"
    "          periodically.\n"
    "HOLDFAST_NOW=2027-01-01T00:00:00Z sets the clock (for tests; logged); the\n"
    "store's clock never goes backwards.\n",
};
