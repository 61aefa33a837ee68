/*
 * test_shard.c — unit tests for store/shard.h (the 128-byte shard frame
 * header, payload checksums and payload lengths).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xxhash.h>

#include "store/shard.h"

static void valid_hdr(struct shard_hdr *h)
{
    memset(h, 0, sizeof(*h));
    h->k = 4;
    h->m = 2;
    h->index = 5;
    for (int i = 0; i < 16; i++) {
        h->vid[i] = (uint8_t)(0x10 + i);
        h->objhash[i] = (uint8_t)(0xc0 + i);
        h->checksum[i] = (uint8_t)(0x70 ^ i);
    }
    h->segment = 0x0102030405060708ull;
    h->plain_len = 4u << 20;
    h->cipher_len = h->plain_len + 16;
    h->payload_len = shard_payload_len(h->cipher_len, h->k);
}

static void assert_hdr_equal(const struct shard_hdr *a, const struct shard_hdr *b)
{
    assert_int_equal(a->k, b->k);
    assert_int_equal(a->m, b->m);
    assert_int_equal(a->index, b->index);
    assert_memory_equal(a->vid, b->vid, 16);
    assert_memory_equal(a->objhash, b->objhash, 16);
    assert_int_equal(a->segment, b->segment);
    assert_int_equal(a->payload_len, b->payload_len);
    assert_int_equal(a->cipher_len, b->cipher_len);
    assert_int_equal(a->plain_len, b->plain_len);
    assert_memory_equal(a->checksum, b->checksum, 16);
}

/* Decode from a heap buffer of exactly SHARD_HDR_LEN bytes: ASan sees over-reads. */
static enum hf_err decode_exact(const uint8_t *bytes, struct shard_hdr *h)
{
    uint8_t *p = malloc(SHARD_HDR_LEN);
    enum hf_err rc;

    assert_non_null(p);
    memcpy(p, bytes, SHARD_HDR_LEN);
    rc = shard_hdr_decode(p, h);
    free(p);
    return rc;
}

/* Recompute the header hash after editing @b, so only the field checks can object. */
static void rehash(uint8_t *b)
{
    hf_put_le64(b + 120, XXH3_64bits(b, 120));
}

static void test_round_trip(void **state)
{
    struct shard_hdr h, back;
    uint8_t b[SHARD_HDR_LEN];
    static const struct { unsigned k, m, index; uint64_t plain; } cases[] = {
        { 4, 2, 0, 0 }, { 4, 2, 5, 1 }, { 8, 3, 10, 4u << 20 }, { 1, 0, 0, 12345 },
        { 32, 0, 31, HF_MAX_SEGMENT }, { 1, 31, 31, 65536 }, { 16, 16, 17, 999 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        valid_hdr(&h);
        h.k = cases[i].k;
        h.m = cases[i].m;
        h.index = cases[i].index;
        h.segment = i * 0x100000001ull;
        h.plain_len = cases[i].plain;
        h.cipher_len = h.plain_len + 16;
        h.payload_len = shard_payload_len(h.cipher_len, h.k);
        memset(b, 0xee, sizeof(b));
        shard_hdr_encode(&h, b);
        memset(&back, 0xee, sizeof(back));
        assert_int_equal(decode_exact(b, &back), HF_OK);
        assert_hdr_equal(&h, &back);
    }
}

/* FORMAT, byte by byte, as written in shard.c. */
static void test_layout(void **state)
{
    struct shard_hdr h;
    uint8_t b[SHARD_HDR_LEN];
    static const uint8_t zero[24];

    (void)state;
    valid_hdr(&h);
    shard_hdr_encode(&h, b);
    assert_memory_equal(b, "HFSHARD1", 8);
    assert_int_equal(b[8], 1);
    assert_int_equal(b[9], 0);
    assert_int_equal(b[10], 4);
    assert_int_equal(b[11], 2);
    assert_int_equal(b[12], 5);
    assert_int_equal(b[13], 0);
    assert_int_equal(b[14] | b[15], 0);
    assert_memory_equal(b + 16, h.vid, 16);
    assert_memory_equal(b + 32, h.objhash, 16);
    assert_int_equal(b[48], 0x08);  /* little-endian */
    assert_int_equal(b[55], 0x01);
    assert_int_equal(hf_get_le64(b + 56), h.payload_len);
    assert_int_equal(hf_get_le64(b + 64), h.cipher_len);
    assert_int_equal(hf_get_le64(b + 72), h.plain_len);
    assert_memory_equal(b + 80, h.checksum, 16);
    assert_memory_equal(b + 96, zero, 24);
    assert_int_equal(hf_get_le64(b + 120), XXH3_64bits(b, 120));
}

/* Every single-byte change anywhere in the header is HF_ECORRUPT. */
static void test_every_byte_corruption(void **state)
{
    static const uint8_t xors[] = { 0x01, 0x02, 0x10, 0x80, 0x55, 0xff };
    struct shard_hdr h, out;
    uint8_t good[SHARD_HDR_LEN], bad[SHARD_HDR_LEN];

    (void)state;
    valid_hdr(&h);
    shard_hdr_encode(&h, good);
    assert_int_equal(decode_exact(good, &out), HF_OK);
    for (size_t i = 0; i < SHARD_HDR_LEN; i++)
        for (size_t x = 0; x < sizeof(xors); x++) {
            memcpy(bad, good, sizeof(bad));
            bad[i] ^= xors[x];
            if (decode_exact(bad, &out) != HF_ECORRUPT)
                fail_msg("byte %zu ^ 0x%02x accepted", i, xors[x]);
        }
    /* every value of the bytes that hold small fields */
    for (size_t i = 8; i < 16; i++)
        for (unsigned v = 0; v < 256; v++) {
            memcpy(bad, good, sizeof(bad));
            if (bad[i] == v)
                continue;
            bad[i] = (uint8_t)v;
            if (decode_exact(bad, &out) != HF_ECORRUPT)
                fail_msg("byte %zu = 0x%02x accepted", i, v);
        }
}

/* Field checks that hold even when the header hash is right. */
static void test_field_checks_behind_hash(void **state)
{
    struct shard_hdr h, out;
    uint8_t good[SHARD_HDR_LEN], b[SHARD_HDR_LEN];

    (void)state;
    valid_hdr(&h);
    shard_hdr_encode(&h, good);

#define EXPECT_BAD(edit)                                                 \
    do {                                                                 \
        memcpy(b, good, sizeof(b));                                      \
        edit;                                                            \
        rehash(b);                                                       \
        if (decode_exact(b, &out) != HF_ECORRUPT)                        \
            fail_msg("accepted with valid hash: %s", #edit);             \
    } while (0)

    EXPECT_BAD(b[0] = 'X');                         /* magic */
    EXPECT_BAD(hf_put_le16(b + 8, 2));              /* format version */
    EXPECT_BAD(hf_put_le16(b + 8, 0));
    EXPECT_BAD(b[13] = 1);                          /* flags */
    EXPECT_BAD(b[14] = 1);                          /* reserved u16 */
    EXPECT_BAD(b[15] = 0x80);
    EXPECT_BAD(b[96] = 1);                          /* reserved 24 */
    EXPECT_BAD(b[119] = 1);
    EXPECT_BAD(b[10] = 0);                          /* k = 0 */
    EXPECT_BAD((b[10] = 30, b[11] = 3));            /* k + m = 33 */
    EXPECT_BAD((b[10] = 200, b[11] = 100));         /* k + m wraps a u8 */
    EXPECT_BAD(b[12] = 6);                          /* index = k + m */
    EXPECT_BAD(b[12] = 255);
    EXPECT_BAD(hf_put_le64(b + 56, h.payload_len + 64));   /* payload length */
    EXPECT_BAD(hf_put_le64(b + 56, h.payload_len - 1));
    EXPECT_BAD(hf_put_le64(b + 56, 0));
    EXPECT_BAD(hf_put_le64(b + 64, h.cipher_len + 1));     /* cipher != plain + 16 */
    EXPECT_BAD(hf_put_le64(b + 64, h.plain_len));
    EXPECT_BAD(hf_put_le64(b + 72, h.plain_len + 1));
    EXPECT_BAD((hf_put_le64(b + 72, (uint64_t)HF_MAX_SEGMENT + 1),               /* too big */
                hf_put_le64(b + 64, (uint64_t)HF_MAX_SEGMENT + 17),
                hf_put_le64(b + 56, shard_payload_len((uint64_t)HF_MAX_SEGMENT + 17, 4))));
    EXPECT_BAD((hf_put_le64(b + 72, UINT64_MAX - 15),      /* cipher_len wraps to 0 */
                hf_put_le64(b + 64, 0), hf_put_le64(b + 56, 0)));
    EXPECT_BAD((hf_put_le64(b + 72, UINT64_MAX),
                hf_put_le64(b + 64, 15), hf_put_le64(b + 56, shard_payload_len(15, 4))));
#undef EXPECT_BAD

    /* the control: a consistent edit with a valid hash decodes */
    memcpy(b, good, sizeof(b));
    b[12] = 0;
    rehash(b);
    assert_int_equal(decode_exact(b, &out), HF_OK);
    assert_int_equal(out.index, 0);
}

/* The payload length a header declares must be the one derived from its cipher length. */
static void test_payload_len_consistency(void **state)
{
    struct shard_hdr h, out;
    uint8_t b[SHARD_HDR_LEN];

    (void)state;
    for (unsigned k = 1; k <= 12; k++)
        for (uint64_t plain = 0; plain < 3000; plain += 37) {
            valid_hdr(&h);
            h.k = k;
            h.m = 32 - k > 4 ? 4 : 32 - k;
            h.index = 0;
            h.plain_len = plain;
            h.cipher_len = plain + 16;
            h.payload_len = shard_payload_len(h.cipher_len, k);
            shard_hdr_encode(&h, b);
            assert_int_equal(decode_exact(b, &out), HF_OK);
            h.payload_len += SHARD_ALIGN;
            shard_hdr_encode(&h, b);
            assert_int_equal(decode_exact(b, &out), HF_ECORRUPT);
            h.payload_len -= 2 * SHARD_ALIGN;
            shard_hdr_encode(&h, b);
            assert_int_equal(decode_exact(b, &out), HF_ECORRUPT);
        }
}

static void test_payload_len_values(void **state)
{
    (void)state;
    assert_int_equal(shard_payload_len(0, 4), 0);
    assert_int_equal(shard_payload_len(1, 4), 64);
    assert_int_equal(shard_payload_len(16, 4), 64);        /* an empty segment's tag */
    assert_int_equal(shard_payload_len(256, 4), 64);
    assert_int_equal(shard_payload_len(257, 4), 128);
    assert_int_equal(shard_payload_len(100, 1), 128);
    assert_int_equal(shard_payload_len(64, 1), 64);
    assert_int_equal(shard_payload_len(65, 1), 128);
    /* 4 MiB segment + tag over 4: ceil(4194320 / 4) = 1048580 -> 1048640 */
    assert_int_equal(shard_payload_len((4u << 20) + 16, 4), 1048640);
    /* 64 MiB + tag over 8: ceil(67108880 / 8) = 8388610 -> 8388672 */
    assert_int_equal(shard_payload_len((64u << 20) + 16, 8), 8388672);
    assert_int_equal(shard_payload_len((64u << 20) + 16, 32), 2097216);

    /* the properties, over a sweep */
    for (unsigned k = 1; k <= HF_MAX_SHARDS; k++)
        for (uint64_t c = 0; c < 5000; c += 7) {
            uint64_t p = shard_payload_len(c, k), per = (c + k - 1) / k;
            assert_int_equal(p % SHARD_ALIGN, 0);
            assert_true(p * k >= c);                /* k shards hold the cipher */
            assert_true(p >= per && p - per < SHARD_ALIGN); /* no more padding than needed */
        }
}

static void test_checksum(void **state)
{
    uint8_t out[16], out2[16], buf[1000];
    static const uint8_t empty[16] = { 0x99, 0xaa, 0x06, 0xd3, 0x01, 0x47, 0x98, 0xd8,
                                       0x60, 0x01, 0xc3, 0x24, 0x46, 0x8d, 0x49, 0x7f };
    static const uint8_t abc[16] = { 0x06, 0xb0, 0x5a, 0xb6, 0x73, 0x3a, 0x61, 0x85,
                                     0x78, 0xaf, 0x5f, 0x94, 0x89, 0x2f, 0x39, 0x50 };

    (void)state;
    /* known answers (xxhsum -H2): big-endian canonical form */
    shard_checksum("", 0, out);
    assert_memory_equal(out, empty, 16);
    shard_checksum("abc", 3, out);
    assert_memory_equal(out, abc, 16);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7);
    shard_checksum(buf, sizeof(buf), out);
    for (size_t i = 0; i < sizeof(buf); i += 97) {
        buf[i] ^= 1;
        shard_checksum(buf, sizeof(buf), out2);
        assert_memory_not_equal(out, out2, 16);
        buf[i] ^= 1;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_every_byte_corruption),
        cmocka_unit_test(test_field_checks_behind_hash),
        cmocka_unit_test(test_payload_len_consistency),
        cmocka_unit_test(test_payload_len_values),
        cmocka_unit_test(test_checksum),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
