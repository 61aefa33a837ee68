/*
 * crc64nvme.c — CRC-64/NVME (see crc64nvme.h for the parameters).
 *
 * INVARIANTS
 *   (1) crc64nvme and crc64nvme_base agree on every input and every split
 *       of it into pieces (tests/unit/test_crc64nvme.c checks both against
 *       the catalogue's check value and AWS's published vectors).
 *   (2) The tables are built once (pthread_once) before the first use and
 *       only read afterwards, so concurrent callers need no lock.
 */
#include <pthread.h>
#include <string.h>

#include "s3/crc64nvme.h"
#include "banned.h"

#define POLY_REFL 0x9a6c9329ac4bc9b5ull

static uint64_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY_REFL : c >> 1;
        table[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint64_t crc64nvme(uint64_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;

    pthread_once(&table_once, table_init);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        c ^= w;
        c = table[7][c & 0xff] ^ table[6][(c >> 8) & 0xff] ^ table[5][(c >> 16) & 0xff] ^
            table[4][(c >> 24) & 0xff] ^ table[3][(c >> 32) & 0xff] ^
            table[2][(c >> 40) & 0xff] ^ table[1][(c >> 48) & 0xff] ^ table[0][c >> 56];
        p += 8;
        len -= 8;
    }
    while (len-- > 0)
        c = (c >> 8) ^ table[0][(c ^ *p++) & 0xff];
    return ~c;
}

uint64_t crc64nvme_base(uint64_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;

    while (len-- > 0) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY_REFL : c >> 1;
    }
    return ~c;
}
