/*
 * test_rs.c — unit tests for store/rs.h (Reed-Solomon over ISA-L).
 *
 * Oracles: ISA-L's scalar reference ec_encode_data_base driven by tables
 * built from the same Cauchy matrix, and a byte-by-byte matrix product with
 * gf_mul.  Reconstruction is checked for every erasure pattern of up to m
 * lost shards, for 4+2 and 8+3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <isa-l/erasure_code.h>

#include "store/rs.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* splitmix64: deterministic, so a failure reproduces */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void fill(uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)rnd();
}

/* k+m shards of @len bytes each, in one allocation. */
struct set {
    unsigned n;
    size_t len;
    uint8_t *mem;
    uint8_t *sh[HF_MAX_SHARDS];
};

static void set_alloc(struct set *s, unsigned n, size_t len)
{
    s->n = n;
    s->len = len;
    s->mem = malloc(n * (len ? len : 1));
    assert_non_null(s->mem);
    for (unsigned i = 0; i < n; i++)
        s->sh[i] = s->mem + i * len;
}

static void set_free(struct set *s)
{
    free(s->mem);
    s->mem = NULL;
}

/* ---- (a) encode against the ISA-L reference ---- */

static void check_encode_oracle(unsigned k, unsigned m, size_t len)
{
    struct rs rs;
    struct set got, ref;
    uint8_t matrix[HF_MAX_SHARDS * HF_MAX_SHARDS];
    uint8_t tbls[HF_MAX_SHARDS * HF_MAX_SHARDS * 32];

    assert_int_equal(rs_init(&rs, k, m), HF_OK);
    set_alloc(&got, k + m, len);
    set_alloc(&ref, k + m, len);
    fill(got.mem, (size_t)k * len);
    memcpy(ref.mem, got.mem, (size_t)k * len);
    memset(got.mem + (size_t)k * len, 0xa5, (size_t)m * len);
    memset(ref.mem + (size_t)k * len, 0x5a, (size_t)m * len);

    rs_encode(&rs, len, got.sh);

    gf_gen_cauchy1_matrix(matrix, (int)(k + m), (int)k);
    ec_init_tables((int)k, (int)m, matrix + k * k, tbls);
    ec_encode_data_base((int)len, (int)k, (int)m, tbls, ref.sh, ref.sh + k);

    /* data untouched, parity identical to the reference */
    assert_memory_equal(got.mem, ref.mem, (size_t)(k + m) * len);
    set_free(&got);
    set_free(&ref);
}

static void test_encode_matches_isal_base(void **state)
{
    static const size_t lens[] = { 1, 63, 64, 65, 4097, 1u << 20 };
    static const unsigned km[][2] = { { 4, 2 }, { 8, 3 }, { 1, 1 }, { 10, 4 }, { 3, 5 },
                                      { 16, 16 }, { 31, 1 } };

    (void)state;
    for (size_t c = 0; c < sizeof(km) / sizeof(km[0]); c++)
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            if (lens[l] == (1u << 20) && km[c][0] + km[c][1] > 11)
                continue; /* keep the big buffers to the common shapes */
            check_encode_oracle(km[c][0], km[c][1], lens[l]);
        }
}

/* Parity byte b of shard k+i is sum_j matrix[k+i][j] * data[j][b] in GF(2^8). */
static void test_encode_matches_matrix_product(void **state)
{
    const unsigned k = 8, m = 3;
    const size_t len = 257;
    struct rs rs;
    struct set s;

    (void)state;
    assert_int_equal(rs_init(&rs, k, m), HF_OK);
    set_alloc(&s, k + m, len);
    fill(s.mem, (size_t)(k + m) * len);
    rs_encode(&rs, len, s.sh);
    for (unsigned i = 0; i < m; i++)
        for (size_t b = 0; b < len; b++) {
            uint8_t want = 0;
            for (unsigned j = 0; j < k; j++)
                want ^= gf_mul(rs.matrix[(k + i) * k + j], s.sh[j][b]);
            assert_int_equal(s.sh[k + i][b], want);
        }
    set_free(&s);
}

/* Invariant (1): the top k rows are the identity (data shards are the data). */
static void test_matrix_is_systematic(void **state)
{
    struct rs rs;

    (void)state;
    assert_int_equal(rs_init(&rs, 8, 3), HF_OK);
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 8; j++)
            assert_int_equal(rs.matrix[i * 8 + j], i == j ? 1 : 0);
}

/* ---- (b) every erasure pattern up to m ---- */

/*
 * For every subset of lost shards of size 1..maxlost: zero them, rebuild
 * with want = lost, and compare with the original; with @partial also
 * rebuild only the first lost shard and check the others stay untouched.
 * Returns the number of patterns checked.
 */
static unsigned sweep(unsigned k, unsigned m, size_t len, bool partial)
{
    const unsigned n = k + m;
    struct rs rs;
    struct set orig, work;
    unsigned patterns = 0;

    assert_int_equal(rs_init(&rs, k, m), HF_OK);
    set_alloc(&orig, n, len);
    set_alloc(&work, n, len);
    fill(orig.mem, (size_t)k * len);
    rs_encode(&rs, len, orig.sh);

    for (uint32_t mask = 1; mask < (1u << n); mask++) {
        unsigned lost = (unsigned)__builtin_popcount(mask);
        bool present[HF_MAX_SHARDS], want[HF_MAX_SHARDS];
        int first = -1;

        if (lost > m)
            continue;
        memcpy(work.mem, orig.mem, (size_t)n * len);
        for (unsigned i = 0; i < n; i++) {
            present[i] = !(mask & (1u << i));
            want[i] = !present[i];
            if (!present[i]) {
                memset(work.sh[i], 0, len);
                if (first < 0)
                    first = (int)i;
            }
        }
        assert_int_equal(rs_reconstruct(&rs, len, work.sh, present, want), HF_OK);
        for (unsigned i = 0; i < n; i++)
            if (memcmp(work.sh[i], orig.sh[i], len) != 0)
                fail_msg("k=%u m=%u len=%zu lost mask 0x%x: shard %u differs", k, m,
                         len, mask, i);
        patterns++;

        if (partial && lost > 1) {
            /* Only the first lost shard wanted: the others are left alone. */
            for (unsigned i = 0; i < n; i++) {
                if (!present[i])
                    memset(work.sh[i], 0xee, len);
                want[i] = (int)i == first;
            }
            assert_int_equal(rs_reconstruct(&rs, len, work.sh, present, want), HF_OK);
            assert_memory_equal(work.sh[first], orig.sh[first], len);
            for (unsigned i = 0; i < n; i++)
                if (!present[i] && (int)i != first)
                    for (size_t b = 0; b < len; b++)
                        assert_int_equal(work.sh[i][b], 0xee);
        }
    }
    set_free(&orig);
    set_free(&work);
    return patterns;
}

static unsigned binom(unsigned n, unsigned r)
{
    unsigned long long v = 1;

    for (unsigned i = 1; i <= r; i++)
        v = v * (n - r + i) / i;
    return (unsigned)v;
}

static void test_every_erasure_4_2(void **state)
{
    (void)state;
    /* C(6,1) + C(6,2) = 21 patterns, for odd and aligned lengths */
    assert_int_equal(sweep(4, 2, 1, true), binom(6, 1) + binom(6, 2));
    assert_int_equal(sweep(4, 2, 1001, true), 21);
    assert_int_equal(sweep(4, 2, 4096, false), 21);
}

static void test_every_erasure_8_3(void **state)
{
    (void)state;
    /* C(11,1) + C(11,2) + C(11,3) = 231 patterns */
    assert_int_equal(sweep(8, 3, 333, true), binom(11, 1) + binom(11, 2) + binom(11, 3));
    assert_int_equal(sweep(8, 3, 4097, false), 231);
}

/* A few patterns on a large buffer, so the vectorised paths run on long input. */
static void test_reconstruct_large(void **state)
{
    const unsigned k = 8, m = 3, n = k + m;
    const size_t len = (1u << 20) + 3;
    static const uint32_t masks[] = { 0x7, 0x700, 0x481, 0x1 };
    struct rs rs;
    struct set orig, work;

    (void)state;
    assert_int_equal(rs_init(&rs, k, m), HF_OK);
    set_alloc(&orig, n, len);
    set_alloc(&work, n, len);
    fill(orig.mem, (size_t)k * len);
    rs_encode(&rs, len, orig.sh);
    for (size_t t = 0; t < sizeof(masks) / sizeof(masks[0]); t++) {
        bool present[HF_MAX_SHARDS], want[HF_MAX_SHARDS];
        memcpy(work.mem, orig.mem, (size_t)n * len);
        for (unsigned i = 0; i < n; i++) {
            present[i] = !(masks[t] & (1u << i));
            want[i] = !present[i];
            if (want[i])
                memset(work.sh[i], 0, len);
        }
        assert_int_equal(rs_reconstruct(&rs, len, work.sh, present, want), HF_OK);
        assert_memory_equal(work.mem, orig.mem, (size_t)n * len);
    }
    set_free(&orig);
    set_free(&work);
}

/* ---- (c) more than m lost ---- */

static void check_too_many_lost(unsigned k, unsigned m)
{
    const unsigned n = k + m;
    const size_t len = 100;
    struct rs rs;
    struct set s;
    unsigned patterns = 0;

    assert_int_equal(rs_init(&rs, k, m), HF_OK);
    set_alloc(&s, n, len);
    fill(s.mem, (size_t)n * len);
    for (uint32_t mask = 1; mask < (1u << n); mask++) {
        bool present[HF_MAX_SHARDS], want[HF_MAX_SHARDS];
        unsigned lost = (unsigned)__builtin_popcount(mask);
        if (lost <= m)
            continue;
        for (unsigned i = 0; i < n; i++) {
            present[i] = !(mask & (1u << i));
            want[i] = !present[i];
        }
        assert_int_equal(rs_reconstruct(&rs, len, s.sh, present, want), HF_EUNREADABLE);
        patterns++;
    }
    assert_true(patterns > 0);
    set_free(&s);
}

static void test_too_many_lost(void **state)
{
    (void)state;
    check_too_many_lost(4, 2);
    check_too_many_lost(8, 3);
}

/* ---- (d) rs_init ranges ---- */

static void test_init_ranges(void **state)
{
    struct rs rs;

    (void)state;
    assert_int_equal(rs_init(&rs, 0, 0), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 0, 2), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 30, 3), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 33, 0), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 1, 32), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 1, 33), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 1, UINT32_MAX), HF_EINVAL);
    assert_int_equal(rs_init(&rs, UINT32_MAX, 2), HF_EINVAL);
    assert_int_equal(rs_init(&rs, 1, 0), HF_OK);
    assert_int_equal(rs_init(&rs, 32, 0), HF_OK);
    assert_int_equal(rs_init(&rs, 16, 16), HF_OK);
    assert_int_equal(rs_init(&rs, 31, 1), HF_OK);
    assert_int_equal(rs.k, 31);
    assert_int_equal(rs.m, 1);
}

/* m = 0: encode writes nothing, reconstruct needs every shard. */
static void test_no_parity(void **state)
{
    struct rs rs;
    struct set s;
    bool present[4] = { true, true, true, true }, want[4] = { false };

    (void)state;
    assert_int_equal(rs_init(&rs, 4, 0), HF_OK);
    set_alloc(&s, 4, 10);
    fill(s.mem, 40);
    rs_encode(&rs, 10, s.sh);
    assert_int_equal(rs_reconstruct(&rs, 10, s.sh, present, want), HF_OK);
    present[2] = false;
    want[2] = true;
    assert_int_equal(rs_reconstruct(&rs, 10, s.sh, present, want), HF_EUNREADABLE);
    set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_isal_base),
        cmocka_unit_test(test_encode_matches_matrix_product),
        cmocka_unit_test(test_matrix_is_systematic),
        cmocka_unit_test(test_every_erasure_4_2),
        cmocka_unit_test(test_every_erasure_8_3),
        cmocka_unit_test(test_reconstruct_large),
        cmocka_unit_test(test_too_many_lost),
        cmocka_unit_test(test_init_ranges),
        cmocka_unit_test(test_no_parity),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
