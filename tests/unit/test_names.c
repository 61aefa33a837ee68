/*
 * test_names.c — unit tests for name validation: object keys and bucket
 * names (public API, holdfast.h) and shard file names (backend/backend.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "holdfast/holdfast.h"
#include "backend/backend.h"

/*
 * Check a key from a heap copy of exactly @len bytes, no terminator, so
 * under ASan a read past the key's end is caught instead of seeing a NUL.
 */
static enum hf_err key_check_exact(const char *key, size_t len)
{
    char *p = malloc(len ? len : 1);
    enum hf_err rc;

    assert_non_null(p);
    memcpy(p, key, len);
    rc = hf_key_check(p, len);
    free(p);
    return rc;
}

#define KEY_OK(lit) assert_int_equal(key_check_exact(lit, sizeof(lit) - 1), HF_OK)
#define KEY_BAD(lit)                                                         \
    do {                                                                     \
        if (key_check_exact(lit, sizeof(lit) - 1) != HF_EBADKEY)             \
            fail_msg("key %s accepted", #lit);                               \
    } while (0)

/* ---- object keys ---- */

static void test_key_lengths(void **state)
{
    char buf[HF_KEY_MAX + 2];

    (void)state;
    memset(buf, 'k', sizeof(buf));
    assert_int_equal(hf_key_check(buf, 1), HF_OK);
    assert_int_equal(hf_key_check(buf, HF_KEY_MAX), HF_OK);
    assert_int_equal(hf_key_check(buf, 0), HF_EBADKEY);
    assert_int_equal(hf_key_check(buf, HF_KEY_MAX + 1), HF_EBADKEY);
    assert_int_equal(hf_key_check(NULL, 0), HF_EBADKEY);
    assert_int_equal(hf_key_check(NULL, 5), HF_EBADKEY);
    assert_int_equal(hf_key_check("", 0), HF_EBADKEY);

    /* the limit is in bytes: 256 four-byte characters fit, one more byte does not */
    for (int i = 0; i < 256; i++)
        memcpy(buf + 4 * i, "\xf0\x9f\x98\x80", 4);
    assert_int_equal(hf_key_check(buf, 1024), HF_OK);
    buf[1024] = 'x';
    assert_int_equal(hf_key_check(buf, 1025), HF_EBADKEY);
}

static void test_key_nul(void **state)
{
    (void)state;
    KEY_BAD("\0");
    KEY_BAD("a\0b");
    KEY_BAD("ab\0");
    KEY_BAD("\0ab");
    /* the length counts, not the terminator: "abc" with length 2 is "ab" */
    assert_int_equal(key_check_exact("abc", 2), HF_OK);
}

static void test_key_utf8_valid(void **state)
{
    (void)state;
    KEY_OK("plain/ascii key.txt");
    KEY_OK("\x7f");                     /* DEL is a character */
    KEY_OK("\x01\x1f");                 /* controls are bytes S3 accepts */
    KEY_OK("\xc2\x80");                 /* U+0080, smallest 2-byte */
    KEY_OK("caf\xc3\xa9");              /* U+00E9 */
    KEY_OK("\xdf\xbf");                 /* U+07FF, largest 2-byte */
    KEY_OK("\xe0\xa0\x80");             /* U+0800, smallest 3-byte */
    KEY_OK("\xe2\x82\xac");             /* U+20AC euro */
    KEY_OK("\xed\x9f\xbf");             /* U+D7FF, just below the surrogates */
    KEY_OK("\xee\x80\x80");             /* U+E000, just above */
    KEY_OK("\xef\xbf\xbf");             /* U+FFFF */
    KEY_OK("\xf0\x90\x80\x80");         /* U+10000, smallest 4-byte */
    KEY_OK("\xf0\x9f\x98\x80");         /* U+1F600 */
    KEY_OK("\xf4\x8f\xbf\xbf");         /* U+10FFFF, the last code point */
    KEY_OK("\xe6\x97\xa5\xe6\x9c\xac/\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb");
}

static void test_key_utf8_invalid(void **state)
{
    (void)state;
    KEY_BAD("\x80");                    /* lone continuation bytes */
    KEY_BAD("a\xbf");
    KEY_BAD("\xc3\xa9\xa9");
    KEY_BAD("\xc0\x80");                /* overlong encodings */
    KEY_BAD("\xc1\xbf");
    KEY_BAD("\xc0\xaf");
    KEY_BAD("\xe0\x80\x80");
    KEY_BAD("\xe0\x9f\xbf");
    KEY_BAD("\xf0\x80\x80\x80");
    KEY_BAD("\xf0\x8f\xbf\xbf");
    KEY_BAD("\xed\xa0\x80");            /* surrogates U+D800..U+DFFF */
    KEY_BAD("\xed\xbf\xbf");
    KEY_BAD("\xed\xa0\xbd\xed\xb8\x80"); /* CESU-8 pair */
    KEY_BAD("\xf4\x90\x80\x80");        /* above U+10FFFF */
    KEY_BAD("\xf5\x80\x80\x80");
    KEY_BAD("\xf7\xbf\xbf\xbf");
    KEY_BAD("\xf8\x88\x80\x80\x80");    /* 5- and 6-byte forms */
    KEY_BAD("\xfc\x84\x80\x80\x80\x80");
    KEY_BAD("\xfe");
    KEY_BAD("\xff");
    KEY_BAD("a\xc3");                   /* truncated at the end */
    KEY_BAD("a\xe2\x82");
    KEY_BAD("\xf0\x9f\x98");
    KEY_BAD("\xf0");
    KEY_BAD("\xc3" "a");                /* continuation missing in the middle */
    KEY_BAD("\xe2\x82" "a");
    KEY_BAD("\xf0\x9f\x98" "a");
    KEY_BAD("\xe2\x82\xc3\xa9");

    /* a valid character cut by the length */
    assert_int_equal(key_check_exact("\xc3\xa9", 1), HF_EBADKEY);
    assert_int_equal(key_check_exact("x\xf0\x9f\x98\x80", 4), HF_EBADKEY);
    assert_int_equal(key_check_exact("x\xf0\x9f\x98\x80", 5), HF_OK);
}

/* Keys are opaque names, never paths. */
static void test_key_path_like(void **state)
{
    (void)state;
    KEY_OK("../x");
    KEY_OK("/abs");
    KEY_OK("..");
    KEY_OK(".");
    KEY_OK("a//b/");
    KEY_OK("../../../../etc/passwd");
    KEY_OK("\\windows\\style");
    KEY_OK(" leading and trailing ");
}

/* Every byte value alone: ASCII but NUL is a key, no other byte is. */
static void test_key_single_bytes(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        char k = (char)c;
        enum hf_err want = (c >= 1 && c < 0x80) ? HF_OK : HF_EBADKEY;
        if (hf_key_check(&k, 1) != want)
            fail_msg("single byte 0x%02x: wrong verdict", c);
    }
}

/* ---- bucket names (S3 rules) ---- */

#define BUCKET_OK(s) assert_int_equal(hf_bucket_name_check(s), HF_OK)
#define BUCKET_BAD(s)                                                        \
    do {                                                                     \
        if (hf_bucket_name_check(s) != HF_EBADBUCKET)                        \
            fail_msg("bucket name \"%s\" accepted", s);                      \
    } while (0)

static void test_bucket_names(void **state)
{
    char name[70];

    (void)state;
    BUCKET_OK("abc");
    BUCKET_OK("my-bucket");
    BUCKET_OK("my.bucket.name");
    BUCKET_OK("a1b");
    BUCKET_OK("123");
    BUCKET_OK("0ab");
    BUCKET_OK("a-b-c");
    BUCKET_OK("a--b");
    BUCKET_OK("1.2.3");                 /* three groups: not an IPv4 address */
    BUCKET_OK("1.2.3.4.5");
    BUCKET_OK("1.2.3.a");

    memset(name, 'a', sizeof(name));
    name[63] = '\0';
    BUCKET_OK(name);                    /* 63: the maximum */
    name[63] = 'a';
    name[64] = '\0';
    BUCKET_BAD(name);                   /* 64 */

    assert_int_equal(hf_bucket_name_check(NULL), HF_EBADBUCKET);
    BUCKET_BAD("");
    BUCKET_BAD("a");
    BUCKET_BAD("ab");
    BUCKET_BAD("ABC");                  /* upper case */
    BUCKET_BAD("abC");
    BUCKET_BAD("my_bucket");
    BUCKET_BAD("my bucket");
    BUCKET_BAD("my/bucket");
    BUCKET_BAD("caf\xc3\xa9");
    BUCKET_BAD("-abc");                 /* must start and end with letter or digit */
    BUCKET_BAD("abc-");
    BUCKET_BAD(".abc");
    BUCKET_BAD("abc.");
    BUCKET_BAD("a..b");                 /* adjacent periods */
    BUCKET_BAD("a.-b");                 /* period next to a hyphen */
    BUCKET_BAD("a-.b");
    BUCKET_BAD("...");
    BUCKET_BAD("---");
    BUCKET_BAD("192.168.5.4");          /* formatted as an IP address */
    BUCKET_BAD("10.0.0.1");
    BUCKET_BAD("999.999.999.999");
}

/* ---- shard file names ---- */

static void test_shard_name_round_trip(void **state)
{
    static const unsigned idx[] = { 0, 1, 9, 10, 31 };
    static const unsigned gen[] = { 0, 1, 7, 10, 999999, 1000000 };
    uint8_t vid[16], back[16];
    char name[BE_NAME_MAX];

    (void)state;
    for (int t = 0; t < 8; t++) {
        for (int i = 0; i < 16; i++)
            vid[i] = (uint8_t)(t * 37 + i * 11 + (t == 7 ? 0xf0 : 0));
        if (t == 0)
            memset(vid, 0, 16);
        if (t == 1)
            memset(vid, 0xff, 16);
        for (size_t a = 0; a < sizeof(idx) / sizeof(idx[0]); a++)
            for (size_t b = 0; b < sizeof(gen) / sizeof(gen[0]); b++) {
                unsigned pi = 99, pg = 99;
                memset(name, 'Z', sizeof(name));
                backend_shard_name(vid, idx[a], gen[b], name);
                assert_true(strlen(name) < BE_NAME_MAX);
                assert_int_equal(name[32], '.');
                for (int c = 0; c < 32; c++)
                    assert_non_null(strchr("0123456789abcdef", name[c]));
                memset(back, 0, sizeof(back));
                assert_int_equal(backend_parse_name(name, back, &pi, &pg), 0);
                assert_memory_equal(back, vid, 16);
                assert_int_equal(pi, idx[a]);
                assert_int_equal(pg, gen[b]);
            }
    }
    backend_shard_name((const uint8_t *)"\x01\x23\x45\x67\x89\xab\xcd\xef"
                                        "\x00\x11\x22\x33\x44\x55\x66\x77", 5, 2, name);
    assert_string_equal(name, "0123456789abcdef0011223344556677.5.2");
}

static void test_shard_name_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "../x",
        "..",
        ".",
        "x",
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.0.0",            /* not hex */
        "0123456789abcdef0011223344556677",                /* no index */
        "0123456789abcdef0011223344556677.0",              /* no generation */
        "0123456789abcdef0011223344556677.0.",
        "0123456789abcdef0011223344556677..0",
        "0123456789abcdef0011223344556677.0.0x",           /* trailing junk */
        "0123456789abcdef0011223344556677.0.0.0",
        "0123456789abcdef0011223344556677.0.0/",
        "0123456789abcdef0011223344556677.0.0\n",
        "0123456789abcdef0011223344556677.0.0 ",
        "0123456789abcdef0011223344556677.0.0.tmp",
        "0123456789abcdef0011223344556677.32.0",           /* index >= HF_MAX_SHARDS */
        "0123456789abcdef0011223344556677.4294967296.0",
        "0123456789abcdef0011223344556677.99999999999999999999999.0",
        "0123456789abcdef0011223344556677.0.1000001",      /* generation out of range */
        "0123456789abcdef0011223344556677.0.18446744073709551617",
        "0123456789abcdef0011223344556677.-1.0",           /* signs and spaces */
        "0123456789abcdef0011223344556677.+1.0",
        "0123456789abcdef0011223344556677. 1.0",
        "0123456789abcdef0011223344556677.1.-0",
        "0123456789abcdef0011223344556677.1.+0",
        "0123456789abcdef0011223344556677.1. 0",
        "0123456789abcdef001122334455667.0.0",             /* 31 hex digits */
        "0123456789abcdef00112233445566778.0.0",           /* 33 hex digits */
        "0123456789abcdef0011223344556677x0.0",
        "/0123456789abcdef0011223344556677.0.0",
        "../0123456789abcdef0011223344556677.0.0",
        "0123456789abcdef0011223344556677.0x1.0",
        /* one spelling per shard: no upper-case hex, no leading zeros */
        "0123456789ABCDEF0011223344556677.0.0",
        "0123456789abcdeF0011223344556677.0.0",
        "0123456789abcdef0011223344556677.01.0",
        "0123456789abcdef0011223344556677.00.0",
        "0123456789abcdef0011223344556677.1.00",
        "0123456789abcdef0011223344556677.1.01",
    };
    uint8_t vid[16];
    unsigned i = 0, g = 0;

    (void)state;
    for (size_t t = 0; t < sizeof(bad) / sizeof(bad[0]); t++)
        if (backend_parse_name(bad[t], vid, &i, &g) != -1)
            fail_msg("shard name \"%s\" parsed", bad[t]);
    /* the control */
    assert_int_equal(backend_parse_name("0123456789abcdef0011223344556677.31.1000000", vid,
                                        &i, &g), 0);
    assert_int_equal(i, 31);
    assert_int_equal(g, 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_lengths),
        cmocka_unit_test(test_key_nul),
        cmocka_unit_test(test_key_utf8_valid),
        cmocka_unit_test(test_key_utf8_invalid),
        cmocka_unit_test(test_key_path_like),
        cmocka_unit_test(test_key_single_bytes),
        cmocka_unit_test(test_bucket_names),
        cmocka_unit_test(test_shard_name_round_trip),
        cmocka_unit_test(test_shard_name_rejects),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
