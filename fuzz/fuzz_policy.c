/*
 * fuzz_policy.c — libFuzzer target for the parsers the preservation work
 * added: request bodies S3 clients send (ACLs, lifecycle configurations)
 * and the times operators and clients give (HOLDFAST_NOW's RFC 3339,
 * S3's ISO 8601 dates).
 *
 * The first input byte selects (byte % 4; the rest is copied to a buffer of
 * exactly its size):
 *
 *   0 s3xml_parse_acl            2 hf_parse_rfc3339
 *   1 s3xml_parse_lifecycle      3 s3xml_parse_time
 *
 * ORACLES (abort() on failure)
 *   (1) A body parser that succeeds returns what xml.h promises: grants
 *       within S3XML_GRANTS_MAX with a permission; lifecycle rules 1..1000
 *       with distinct non-empty ids, each with at least one action and
 *       positive day counts; one that fails names an S3 error code.
 *   (2) A time that parses is canonical enough to round-trip: the RFC 3339
 *       text record_format_time writes for it parses back to the same time.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "s3/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void acl_case(const uint8_t *in, size_t n)
{
    struct s3xml_acl a;
    struct s3xml_err e = { 0 };

    memset(&a, 0, sizeof(a));
    if (s3xml_parse_acl(in, n, 64 * 1024, &a, &e) == HF_OK) {
        if (a.ngrants > S3XML_GRANTS_MAX)
            abort();
        for (size_t i = 0; i < a.ngrants; i++)
            if (!a.grants[i].permission[0])
                abort();
    } else if (!e.code) {
        abort();
    }
    s3xml_acl_release(&a);
}

static void lifecycle_case(const uint8_t *in, size_t n)
{
    struct s3xml_lifecycle l;
    struct s3xml_err e = { 0 };

    memset(&l, 0, sizeof(l));
    if (s3xml_parse_lifecycle(in, n, 64 * 1024, &l, &e) == HF_OK) {
        if (l.n < 1 || l.n > S3XML_LIFECYCLE_RULES_MAX)
            abort();
        for (size_t i = 0; i < l.n; i++) {
            const struct s3xml_lc_rule *r = &l.rules[i];
            if (!r->id || !r->id[0] || !r->prefix)
                abort();
            for (size_t j = 0; j < i; j++)
                if (strcmp(l.rules[j].id, r->id) == 0)
                    abort();
        }
    } else if (!e.code) {
        abort();
    }
    s3xml_lifecycle_release(&l);
}

static void rfc3339_case(const char *s)
{
    char t[AUDIT_TIME_LEN];
    int64_t ns, again;

    if (hf_parse_rfc3339(s, &ns) != 0 || ns < 0)
        return;
    record_format_time(ns, t);
    if (hf_parse_rfc3339(t, &again) != 0 || again != ns)
        abort();                                        /* oracle 2 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf;
    size_t n;

    if (size < 1)
        return 0;
    n = size - 1;
    buf = malloc(n + 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, n);
    buf[n] = '\0';
    switch (data[0] % 4) {
    case 0: acl_case(buf, n); break;
    case 1: lifecycle_case(buf, n); break;
    case 2: rfc3339_case((const char *)buf); break;
    default: {
        int64_t ms;
        (void)s3xml_parse_time((const char *)buf, &ms);
        break;
    }
    }
    free(buf);
    return 0;
}
