/*
 * test_crc64nvme.c — CRC-64/NVME against the catalogue's check value, the
 * AWS CRT's published vectors and the bit-at-a-time reference, whole and
 * in pieces (invariant 1 of crc64nvme.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "s3/crc64nvme.h"

static void test_known_answers(void **state)
{
    uint8_t zeros[32] = { 0 }, ones[32], inc[32];
    (void)state;

    memset(ones, 0xff, sizeof(ones));
    for (int i = 0; i < 32; i++)
        inc[i] = (uint8_t)i;
    assert_true(crc64nvme(0, "", 0) == 0);
    assert_true(crc64nvme(0, "123456789", 9) == 0xae8b14860a799888ull);   /* check value */
    assert_true(crc64nvme_base(0, "123456789", 9) == 0xae8b14860a799888ull);
    /* aws-c-checksums' test vectors */
    assert_true(crc64nvme(0, zeros, 32) == 0xcf3473434d4ecf3bull);
    assert_true(crc64nvme(0, ones, 32) == 0xa0a06974c34d63c4ull);
    assert_true(crc64nvme(0, inc, 32) == 0xb9d9d4a8492cbd7full);
}

static void test_matches_reference(void **state)
{
    size_t n = 100003;
    uint8_t *buf = malloc(n);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    (void)state;

    assert_non_null(buf);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    for (size_t len = 0; len < 70; len++)                    /* every tail length */
        for (size_t off = 0; off < 8; off++)                 /* every alignment */
            assert_true(crc64nvme(0, buf + off, len) == crc64nvme_base(0, buf + off, len));
    {
        uint64_t whole = crc64nvme_base(0, buf, n);
        assert_true(crc64nvme(0, buf, n) == whole);
        for (size_t step = 1; step < 20000; step = step * 3 + 1) {   /* in pieces */
            uint64_t c = 0;
            for (size_t o = 0; o < n; o += step)
                c = crc64nvme(c, buf + o, n - o < step ? n - o : step);
            assert_true(c == whole);
        }
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
