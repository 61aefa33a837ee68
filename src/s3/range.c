/*
 * range.c — the Range header: one byte range, as S3 honours it.
 *
 * INVARIANTS
 *   (1) Only ASCII digits are numbers (no sign, no space, no overflow: a
 *       value past 2^64 is "too large", never wrapped).
 *   (2) A range that is OK lies inside the object.
 */
#include <string.h>

#include "s3/range.h"
#include "banned.h"

/* Parse decimal digits at *p; false on none or overflow.  Advances *p. */
static bool number(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;

    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            n = UINT64_MAX; /* saturate: bigger than any object */
        else
            n = n * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *v = n;
    return true;
}

enum s3_range s3_parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len)
{
    const char *p;
    uint64_t a, b;

    if (strncmp(h, "bytes=", 6) != 0)
        return S3_RANGE_IGNORE;
    p = h + 6;
    if (*p == '-') {
        p++;
        if (!number(&p, &a) || *p)
            return S3_RANGE_IGNORE;
        if (a == 0 || size == 0)
            return S3_RANGE_UNSATISFIABLE;
        *off = a >= size ? 0 : size - a;
        *len = size - *off;
        return S3_RANGE_OK;
    }
    if (!number(&p, &a) || *p != '-')
        return S3_RANGE_IGNORE;
    p++;
    if (*p == '\0') {
        b = UINT64_MAX;
    } else {
        if (!number(&p, &b) || *p || b < a)
            return S3_RANGE_IGNORE;
    }
    if (a >= size)
        return S3_RANGE_UNSATISFIABLE;
    if (b >= size)
        b = size - 1;
    *off = a;
    *len = b - a + 1;
    return S3_RANGE_OK;
}
