/*
 * test_range.c — the Range header parser (src/s3/range.c) against S3's
 * behaviour: one range honoured, malformed ones ignored, 416 only for a
 * first byte past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "s3/range.h"

static void expect(const char *h, uint64_t size, enum s3_range want, uint64_t off,
                   uint64_t len)
{
    uint64_t o = 12345, l = 12345;
    enum s3_range got = s3_parse_range(h, size, &o, &l);

    assert_int_equal(got, want);
    if (want == S3_RANGE_OK) {
        assert_int_equal(o, off);
        assert_int_equal(l, len);
    }
}

static void test_ranges(void **state)
{
    (void)state;
    expect("bytes=0-0", 10, S3_RANGE_OK, 0, 1);
    expect("bytes=2-5", 10, S3_RANGE_OK, 2, 4);
    expect("bytes=2-", 10, S3_RANGE_OK, 2, 8);
    expect("bytes=5-100", 10, S3_RANGE_OK, 5, 5);
    expect("bytes=-3", 10, S3_RANGE_OK, 7, 3);
    expect("bytes=-30", 10, S3_RANGE_OK, 0, 10);
    expect("bytes=9-9", 10, S3_RANGE_OK, 9, 1);
    expect("bytes=10-", 10, S3_RANGE_UNSATISFIABLE, 0, 0);
    expect("bytes=10-20", 10, S3_RANGE_UNSATISFIABLE, 0, 0);
    expect("bytes=-0", 10, S3_RANGE_UNSATISFIABLE, 0, 0);
    expect("bytes=0-", 0, S3_RANGE_UNSATISFIABLE, 0, 0);
    expect("bytes=-1", 0, S3_RANGE_UNSATISFIABLE, 0, 0);
    expect("bytes=99999999999999999999999-", 10, S3_RANGE_UNSATISFIABLE, 0, 0);
    expect("bytes=0-99999999999999999999999", 10, S3_RANGE_OK, 0, 10);
}

static void test_ignored(void **state)
{
    (void)state;
    expect("bytes=5-3", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=0-1,3-4", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes= 1-2", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=+1-2", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=1-+2", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=--1", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=-", 10, S3_RANGE_IGNORE, 0, 0);
    expect("items=0-1", 10, S3_RANGE_IGNORE, 0, 0);
    expect("bytes=1", 10, S3_RANGE_IGNORE, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
