/*
 * test_bodyhash.c — the digest helper thread (src/s3/bodyhash.c): the digest
 * function sees every byte once and in order, whatever the sizes fed (less
 * than, equal to and many times the ring, across its wrap); its first error
 * is sticky and stops it; free without finish stops a helper that is behind.
 * The oracle is OpenSSL's one-shot MD5 of the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "s3/bodyhash.h"

struct sink {
    EVP_MD_CTX *md;
    uint64_t bytes, calls;
    uint64_t fail_after;        /* fail the call that passes this many bytes (0: never) */
};

static enum hf_err sink_fn(void *arg, const uint8_t *data, size_t len)
{
    struct sink *s = arg;

    s->calls++;
    if (s->fail_after && s->bytes + len > s->fail_after)
        return HF_ECRYPTO;
    s->bytes += len;
    EVP_DigestUpdate(s->md, data, len);
    return HF_OK;
}

static uint8_t *random_bytes(size_t n)
{
    uint8_t *p = malloc(n);
    uint64_t x = 0x9e3779b97f4a7c15u;

    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
    return p;
}

/* Feed @n bytes in pieces of @piece (0: pseudo-random sizes up to 300 KiB); compare MD5s. */
static void run(size_t n, size_t piece)
{
    uint8_t *data = random_bytes(n), want[16], got[16];
    unsigned wl = 0, gl = 0;
    struct sink s = { EVP_MD_CTX_new(), 0, 0, 0 };
    struct bodyhash *h = NULL;
    uint64_t x = n;

    assert_non_null(s.md);
    assert_true(EVP_DigestInit_ex(s.md, EVP_md5(), NULL));
    assert_int_equal(bodyhash_start(sink_fn, &s, &h), HF_OK);
    for (size_t off = 0; off < n;) {
        size_t k = piece;
        if (!k) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            k = 1 + (size_t)(x >> 33) % (300 * 1024);
        }
        if (k > n - off)
            k = n - off;
        assert_int_equal(bodyhash_feed(h, data + off, k), HF_OK);
        off += k;
    }
    assert_int_equal(bodyhash_finish(h), HF_OK);
    assert_int_equal(bodyhash_finish(h), HF_OK); /* a second call is harmless */
    assert_int_equal(s.bytes, n);
    assert_true(EVP_DigestFinal_ex(s.md, got, &gl));
    assert_true(EVP_Digest(data, n, want, &wl, EVP_md5(), NULL));
    assert_memory_equal(got, want, 16);
    bodyhash_free(h);
    EVP_MD_CTX_free(s.md);
    free(data);
}

static void test_orders(void **state)
{
    (void)state;
    run(0, 1);
    run(1, 1);
    run(4096, 4096);
    run(100000, 7);                             /* many tiny pieces */
    run(BODYHASH_RING, BODYHASH_RING);          /* exactly the ring */
    run(BODYHASH_RING + 1, BODYHASH_RING + 1);  /* one piece larger than the ring */
    run(3 * BODYHASH_RING + 12345, 65536);      /* wraps, pieces across the wrap */
    run(8 * BODYHASH_RING + 3, 0);              /* random sizes */
}

static void test_error_sticky(void **state)
{
    size_t n = 4 * BODYHASH_RING;
    uint8_t *data = random_bytes(n);
    struct sink s = { EVP_MD_CTX_new(), 0, 0, BODYHASH_RING / 2 };
    struct bodyhash *h = NULL;
    enum hf_err rc = HF_OK;
    uint64_t calls;

    (void)state;
    assert_true(EVP_DigestInit_ex(s.md, EVP_md5(), NULL));
    assert_int_equal(bodyhash_start(sink_fn, &s, &h), HF_OK);
    for (size_t off = 0; off < n && rc == HF_OK; off += 65536)
        rc = bodyhash_feed(h, data + off, 65536);
    /* Either a feed saw the error, or the helper was behind: finish does. */
    assert_int_equal(bodyhash_finish(h), HF_ECRYPTO);
    assert_true(rc == HF_OK || rc == HF_ECRYPTO);
    calls = s.calls;
    assert_true(s.bytes <= BODYHASH_RING / 2);
    /* After the error, nothing more reaches the function. */
    assert_int_equal(bodyhash_feed(h, data, 10), HF_ECRYPTO);
    assert_int_equal(s.calls, calls);
    bodyhash_free(h);
    EVP_MD_CTX_free(s.md);
    free(data);
}

/* A slow digest function, so the helper is behind when the upload is dropped. */
static enum hf_err slow_fn(void *arg, const uint8_t *data, size_t len)
{
    volatile uint64_t *sum = arg;

    for (size_t i = 0; i < len; i++)
        *sum += data[i];
    return HF_OK;
}

static void test_free_without_finish(void **state)
{
    uint8_t *data = random_bytes(BODYHASH_RING);
    volatile uint64_t sum = 0;
    struct bodyhash *h = NULL;

    (void)state;
    bodyhash_free(NULL);
    assert_int_equal(bodyhash_start(slow_fn, (void *)&sum, &h), HF_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(bodyhash_feed(h, data, BODYHASH_RING), HF_OK);
    bodyhash_free(h);   /* must return without digesting everything; ASan checks the rest */
    /* Started and freed at once, nothing fed. */
    assert_int_equal(bodyhash_start(slow_fn, (void *)&sum, &h), HF_OK);
    bodyhash_free(h);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_error_sticky),
        cmocka_unit_test(test_free_without_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
