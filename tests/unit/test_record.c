/*
 * test_record.c — src/audit/record.c, the canonical entry encoding (the
 * bytes the Merkle tree hashes): the documented format byte for byte,
 * round trips of awkward values, and one encoding per event: decoding
 * refuses every other spelling of an event (record.h invariant 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/record.h"

static uint8_t buf[AUDIT_RECORD_MAX];
static struct audit_record rec, back;

/* 2026-11-25T03:05:58.123456789Z */
#define T0 ((int64_t)1795575958 * 1000000000 + 123456789)

static size_t encode(struct audit_record *r)
{
    size_t len = 0;

    assert_int_equal(record_encode(r, buf, sizeof(buf), &len), HF_OK);
    return len;
}

static void test_format(void **state)
{
    static const char want[] =
        "holdfast-audit/1\n"
        "seq 42\n"
        "time 2026-11-25T03:05:58.123456789Z\n"
        "kind hold.placed\n"
        "actor cli:root\n"
        "subject object:b/k%25%0A\n"
        "bucket b\n"
        "note caf\xc3\xa9 %7F%09\n"
        "z \n"
        "document sha256:0101010101010101010101010101010101010101010101010101010101010101\n"
        "document sha256:ff00000000000000000000000000000000000000000000000000000000000000\n";
    uint8_t d1[32], d2[32];
    size_t len;

    (void)state;
    memset(d1, 0x01, 32);
    memset(d2, 0, 32);
    d2[0] = 0xff;
    record_init(&rec, "hold.placed", "object:b/k%\n");
    rec.seq = 42;
    rec.time_ns = T0;
    rec.actor = "cli:root";
    /* callers' order does not matter: details and documents are sorted */
    record_detail(&rec, "z", "%s", "");
    record_detail(&rec, "note", "caf\xc3\xa9 %c\t", 0x7f);
    record_detail(&rec, "bucket", "%s", "b");
    record_document(&rec, d2);
    record_document(&rec, d1);
    len = encode(&rec);
    assert_int_equal(len, sizeof(want) - 1);
    assert_memory_equal(buf, want, len);

    assert_int_equal(record_decode(buf, len, &back), HF_OK);
    assert_int_equal(back.seq, 42);
    assert_true(back.time_ns == T0);
    assert_string_equal(back.kind, "hold.placed");
    assert_string_equal(back.actor, "cli:root");
    assert_string_equal(back.subject, "object:b/k%\n");
    assert_int_equal(back.ndetails, 3);
    assert_string_equal(back.details[0].key, "bucket");
    assert_string_equal(back.details[1].value, "caf\xc3\xa9 \x7f\t");
    assert_string_equal(back.details[2].value, "");
    assert_int_equal(back.ndocs, 2);
    assert_memory_equal(back.docs[0], d1, 32);
}

/* Every byte 0x01..0xff in a value survives encode and decode, and times
 * before 1970 and at second boundaries too. */
static void test_round_trip(void **state)
{
    static const int64_t times[] = { 0, 1, 999999999, 1000000000, -1, -1000000000,
                                     -1000000001, T0,
                                     /* the ends of int64 nanoseconds: 1677 and 2262 */
                                     (int64_t)-9223372035 * 1000000000,
                                     (int64_t)9223372035 * 1000000000 + 999999999 };
    char all[256];
    size_t len, len2;

    (void)state;
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
        record_init(&rec, "k", all);
        rec.seq = UINT64_MAX / 2 - t;
        rec.time_ns = times[t];
        rec.actor = all + 200;
        record_detail(&rec, "v", "%s", all);
        len = encode(&rec);
        assert_int_equal(record_decode(buf, len, &back), HF_OK);
        assert_true(back.seq == UINT64_MAX / 2 - t);
        assert_true(back.time_ns == times[t]);
        assert_string_equal(back.subject, all);
        assert_string_equal(back.actor, all + 200);
        assert_string_equal(back.details[0].value, all);
        {
            uint8_t *again = malloc(AUDIT_RECORD_MAX);
            assert_non_null(again);
            assert_int_equal(record_encode(&back, again, AUDIT_RECORD_MAX, &len2), HF_OK);
            assert_int_equal(len2, len);
            assert_memory_equal(again, buf, len);
            free(again);
        }
    }
}

#define BASE "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind user.created\n" \
             "actor cli:root\nsubject user:alice\n"
#define DOC_A "document sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
#define DOC_B "document sha256:1111111111111111111111111111111111111111111111111111111111111111\n"

static void test_canonical_only(void **state)
{
    static const char *good[] = {
        BASE,
        BASE "a 1\nb 2\n",
        BASE "a 1\n" DOC_A DOC_B,
        BASE "a %25%0A%7F\n",
        BASE "a \n",
    };
    static const char *bad[] = {
        "",
        "holdfast-audit/1\n",
        "holdfast-audit/2\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        BASE "b 2\na 1\n",                          /* details out of order */
        BASE "a 1\na 1\n",                          /* duplicate detail */
        BASE "a 1\na 2\n",
        BASE DOC_B DOC_A,                           /* documents out of order */
        BASE DOC_A "a 1\n",                         /* a detail after a document */
        BASE "a %0a\n",                             /* lower-case escape */
        BASE "a %41\n",                             /* needless escape */
        BASE "a %4\n",                              /* truncated escape */
        BASE "a %00\n",                             /* NUL */
        BASE "a \x01\n",                            /* raw control byte */
        BASE "a \x7f\n",
        BASE "a 1\r\n",
        BASE "a\n",                                 /* no space */
        BASE "A 1\n",                               /* key not [a-z0-9._-] */
        BASE " 1\n",
        BASE "seq 8\n",                             /* reserved keys as details */
        BASE "kind x\n",
        BASE "actor x\n",
        BASE "document sha256:00\n",
        BASE "document sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
        BASE "document md5:00000000000000000000000000000000\n",
        BASE "a 1",                                 /* no final newline */
        BASE "\n",
        "holdfast-audit/1\nseq 07\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq -7\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 18446744073709551616\ntime 2026-11-25T03:05:58.123456789Z\nkind k\n"
        "actor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456789+00:00\nkind k\nactor a\n"
        "subject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-13-25T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        /* times int64 nanoseconds cannot hold (no overflow on the way: UBSan) */
        "holdfast-audit/1\nseq 7\ntime 0001-01-01T00:00:00.000000000Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 9999-12-31T23:59:59.999999999Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2263-01-01T00:00:00.000000000Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime -001-01-01T00:00:00.000000000Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-02-30T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T24:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25t03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind K\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind \nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nsubject s\nactor a\n",
        "holdfast-audit/1\ntime 2026-11-25T03:05:58.123456789Z\nseq 7\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nactor a\n",
        "holdfast-audit/1\nseq  7\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
        "holdfast-audit/1\r\nseq 7\ntime 2026-11-25T03:05:58.123456789Z\nkind k\nactor a\nsubject s\n",
    };
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (record_decode((const uint8_t *)good[i], strlen(good[i]), &back) != HF_OK)
            fail_msg("canonical entry %zu refused:\n%s", i, good[i]);
        assert_int_equal(record_encode(&back, buf, sizeof(buf), &len), HF_OK);
        assert_int_equal(len, strlen(good[i]));
        assert_memory_equal(buf, good[i], len);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (record_decode((const uint8_t *)bad[i], strlen(bad[i]), &back) != HF_ECORRUPT)
            fail_msg("non-canonical entry %zu accepted:\n%s", i, bad[i]);
    /* A NUL byte anywhere, and every truncation of a valid entry. */
    {
        char e[] = BASE "a 1\n";
        size_t n = strlen(e);
        for (size_t cut = 0; cut < n; cut++)
            if (record_decode((const uint8_t *)e, cut, &back) == HF_OK &&
                cut != strlen(BASE))            /* BASE is itself an entry */
                fail_msg("truncated entry (%zu of %zu bytes) accepted", cut, n);
        for (size_t i = 0; i < n; i++) {
            char c = e[i];
            e[i] = '\0';
            assert_int_equal(record_decode((const uint8_t *)e, n, &back), HF_ECORRUPT);
            e[i] = c;
        }
    }
}

static void test_encode_refuses(void **state)
{
    char big[AUDIT_VALUE_MAX + 2];
    size_t len;

    (void)state;
    record_init(&rec, "Bad", "s");
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    record_init(&rec, "", "s");
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    record_init(&rec, "k", "s");
    record_detail(&rec, "seq", "1");
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    record_init(&rec, "k", "s");
    record_detail(&rec, "document", "1");
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    record_init(&rec, "k", "s");
    record_detail(&rec, "a", "1");
    record_detail(&rec, "a", "2");
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    record_init(&rec, "k", "s");
    record_detail(&rec, "a b", "1");
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    /* values: 4096 bytes once escaped, no more */
    memset(big, 'x', AUDIT_VALUE_MAX);
    big[AUDIT_VALUE_MAX] = '\0';
    record_init(&rec, "k", big);
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_OK);
    big[0] = '\n';                              /* escaped to 3 bytes: 4098 */
    record_init(&rec, "k", big);
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    /* too many details or documents: overflow, never a silent drop */
    record_init(&rec, "k", "s");
    for (int i = 0; i <= AUDIT_MAX_DETAILS; i++)
        record_detail(&rec, "a", "%d", i);
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    record_init(&rec, "k", "s");
    for (int i = 0; i <= AUDIT_MAX_DOCS; i++) {
        uint8_t d[32] = { (uint8_t)i };
        record_document(&rec, d);
    }
    assert_int_equal(record_encode(&rec, buf, sizeof(buf), &len), HF_EINVAL);
    /* a buffer too small */
    record_init(&rec, "k", "s");
    assert_int_equal(record_encode(&rec, buf, 20, &len), HF_ERANGE);
    assert_int_equal(len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_canonical_only),
        cmocka_unit_test(test_encode_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
