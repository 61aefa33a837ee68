/*
 * fuzz_range.c — the Range header parser (src/s3/range.c).
 *
 * Input: 8 bytes of object size (little-endian) then the header value.
 * Oracle: an OK range lies inside the object; parsing is total (no crash
 * for any bytes, any size).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t objsize = 0, off = 0, len = 0;
    char *h;

    if (size < 8)
        return 0;
    for (int i = 7; i >= 0; i--)
        objsize = objsize << 8 | data[i];
    h = malloc(size - 8 + 1);
    if (!h)
        return 0;
    memcpy(h, data + 8, size - 8);
    h[size - 8] = '\0';
    if (s3_parse_range(h, objsize, &off, &len) == S3_RANGE_OK &&
        (off >= objsize || len == 0 || len > objsize - off))
        abort();
    free(h);
    return 0;
}
