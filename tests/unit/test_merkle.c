/*
 * test_merkle.c — src/audit/merkle.c: the Certificate Transparency
 * reference roots, and RFC 9162 verification accepting exactly the
 * proofs RFC 6962 defines.
 *
 * The proofs themselves are compared with an independent Python
 * computation of RFC 6962's PATH and PROOF by tests/e2e/test_audit.sh
 * (tests/tools/merkle_kat + tests/tools/rfc6962.py).  Here the question
 * is the verifier's: for every tree up to 64 leaves, every correct proof
 * verifies, and every mutation of it (a flipped byte in any hash, another
 * index, another tree size with that size's own root, a dropped, extra,
 * or swapped hash, another leaf, another root) is refused unless the
 * mutated claim is true and the mutated proof is its RFC 6962 proof.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit/merkle.h"

#define N 64
#define H MERKLE_HASH_LEN

typedef uint8_t hash[H];

static hash leaf[N + 8];                /* leaf hashes of "leaf-<i>" */
static hash node[8][N + 8];             /* perfect subtrees, from the frontier */
static hash root[N + 9];                /* root of the first s leaves */
static uint64_t limit;                  /* the node source's tree size */
static unsigned long cases;

static void completed(void *arg, unsigned level, uint64_t index, const uint8_t *h)
{
    (void)arg;
    memcpy(node[level][index], h, H);
}

static enum hf_err node_fn(void *arg, unsigned level, uint64_t index, uint8_t out[H])
{
    (void)arg;
    if (level >= 8 || (index + 1) << level > limit)
        return HF_ERANGE;
    memcpy(out, node[level][index], H);
    return HF_OK;
}

static void build(const uint8_t *const *inputs, const size_t *lens, size_t count)
{
    struct merkle_frontier f;

    merkle_frontier_init(&f);
    merkle_frontier_root(&f, root[0]);
    for (size_t i = 0; i < count; i++) {
        merkle_leaf_hash(inputs[i], lens[i], leaf[i]);
        merkle_frontier_push(&f, leaf[i], completed, NULL);
        merkle_frontier_root(&f, root[i + 1]);
    }
}

static int setup(void **state)
{
    static char text[N + 8][16];
    const uint8_t *in[N + 8];
    size_t len[N + 8];

    (void)state;
    for (int i = 0; i < N + 8; i++) {
        len[i] = (size_t)snprintf(text[i], sizeof(text[i]), "leaf-%d", i);
        in[i] = (const uint8_t *)text[i];
    }
    build(in, len, N + 8);
    return 0;
}

static void unhex(const char *s, uint8_t *out)
{
    for (size_t i = 0; i < strlen(s) / 2; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* transparency-dev/merkle's test inputs and the roots every CT implementation agrees on. */
static void test_ct_reference_roots(void **state)
{
    static const char *inputs[] = { "", "00", "10", "2021", "3031", "40414243",
                                    "5051525354555657", "606162636465666768696a6b6c6d6e6f" };
    static const char *roots[] = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    uint8_t bytes[8][16], want[H], got[H];
    const uint8_t *in[8];
    size_t len[8];

    (void)state;
    for (int i = 0; i < 8; i++) {
        len[i] = strlen(inputs[i]) / 2;
        unhex(inputs[i], bytes[i]);
        in[i] = bytes[i];
    }
    build(in, len, 8);
    for (uint64_t s = 0; s <= 8; s++) {
        unhex(roots[s], want);
        assert_memory_equal(root[s], want, H);            /* the frontier */
        limit = s;
        assert_int_equal(merkle_range_hash(node_fn, NULL, 0, s, got), HF_OK);
        assert_memory_equal(got, want, H);                /* stored nodes */
    }
    setup(NULL);
}

/* Roots from stored nodes agree with the frontier for every size, and no
 * node outside the tree is read (the node source refuses them). */
static void test_roots(void **state)
{
    uint8_t got[H];

    (void)state;
    for (uint64_t s = 0; s <= N + 8; s++) {
        limit = s;
        assert_int_equal(merkle_range_hash(node_fn, NULL, 0, s, got), HF_OK);
        assert_memory_equal(got, root[s], H);
    }
}

/* ---- inclusion ---- */

static bool proof_eq(hash *a, size_t na, hash *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * H) == 0);
}

/* The truth a verifier must reproduce: @p is the RFC 6962 proof of this claim. */
static bool incl_true(const uint8_t *lh, uint64_t idx, uint64_t size, const uint8_t *r,
                      hash *p, size_t n)
{
    hash want[MERKLE_MAX_PROOF];
    size_t nw;

    if (idx >= size || size > N + 8 || memcmp(lh, leaf[idx], H) != 0 ||
        memcmp(r, root[size], H) != 0)
        return false;
    limit = size;
    assert_int_equal(merkle_inclusion_proof(node_fn, NULL, idx, size, want, &nw), HF_OK);
    return proof_eq(p, n, want, nw);
}

static void incl_case(const uint8_t *lh, uint64_t idx, uint64_t size, const uint8_t *r,
                      hash *p, size_t n)
{
    bool want = incl_true(lh, idx, size, r, p, n);
    bool got = merkle_verify_inclusion(lh, idx, size, r, (const uint8_t(*)[H])p, n);

    cases++;
    if (got != want)
        fail_msg("inclusion of leaf %llu in %llu with a %zu-hash proof: verify says %d, "
                 "truth is %d", (unsigned long long)idx, (unsigned long long)size, n, got, want);
}

static void test_inclusion(void **state)
{
    hash p[MERKLE_MAX_PROOF + 1], q[MERKLE_MAX_PROOF + 1], bad;
    size_t n;

    (void)state;
    cases = 0;
    for (uint64_t s = 1; s <= N; s++) {
        for (uint64_t i = 0; i < s; i++) {
            limit = s;
            assert_int_equal(merkle_inclusion_proof(node_fn, NULL, i, s, p, &n), HF_OK);
            assert_true(merkle_verify_inclusion(leaf[i], i, s, root[s],
                                                (const uint8_t(*)[H])p, n));
            /* a flipped bit in each byte of each hash */
            for (size_t k = 0; k < n; k++)
                for (size_t b = 0; b < H; b++) {
                    memcpy(q, p, n * H);
                    q[k][b] ^= (uint8_t)(1u << (b % 8));
                    incl_case(leaf[i], i, s, root[s], q, n);
                }
            /* another leaf, another root */
            memcpy(bad, leaf[i], H);
            bad[0] ^= 1;
            incl_case(bad, i, s, root[s], p, n);
            incl_case(leaf[(i + 1) % (N + 8)], i, s, root[s], p, n);
            memcpy(bad, root[s], H);
            bad[H - 1] ^= 0x80;
            incl_case(leaf[i], i, s, bad, p, n);
            /* every other index, with that index's leaf and with this one */
            for (uint64_t j = 0; j < s + 2; j++)
                if (j != i) {
                    incl_case(leaf[i], j, s, root[s], p, n);
                    incl_case(leaf[j], j, s, root[s], p, n);
                }
            /*
             * Other tree sizes, each with its own root.  (Not with this
             * tree's root: RFC 9162's algorithm reads the size only for the
             * path's shape, so a proof can verify for a size whose path has
             * the same shape (leaf 0 of 3 and of 4) when paired with the
             * wrong root.  A verifier takes size and root together from one
             * signed checkpoint, which rules that pairing out.)
             */
            for (uint64_t t = 0; t <= N + 4; t++)
                if (t != s)
                    incl_case(leaf[i], i, t, root[t], p, n);
            incl_case(leaf[i], i, UINT64_MAX, root[s], p, n);
            /* truncated, extended, reordered */
            if (n > 0) {
                incl_case(leaf[i], i, s, root[s], p, n - 1);
                incl_case(leaf[i], i, s, root[s], p + 1, n - 1);
            }
            memcpy(q, p, n * H);
            memcpy(q[n], root[s], H);
            incl_case(leaf[i], i, s, root[s], q, n + 1);
            memcpy(q[n], leaf[i], H);
            incl_case(leaf[i], i, s, root[s], q, n + 1);
            memmove(q[1], q[0], n * H);
            memcpy(q[0], leaf[i ^ 1], H);
            incl_case(leaf[i], i, s, root[s], q, n + 1);
            for (size_t k = 0; k + 1 < n; k++) {
                memcpy(q, p, n * H);
                memcpy(q[k], p[k + 1], H);
                memcpy(q[k + 1], p[k], H);
                incl_case(leaf[i], i, s, root[s], q, n);
            }
        }
    }
    /* Out-of-range claims never verify, whatever the proof. */
    assert_false(merkle_verify_inclusion(leaf[0], 0, 0, root[0], NULL, 0));
    assert_false(merkle_verify_inclusion(leaf[1], 1, 1, leaf[1], NULL, 0));
    assert_true(merkle_verify_inclusion(leaf[0], 0, 1, root[1], NULL, 0));
    limit = 5;
    assert_int_equal(merkle_inclusion_proof(node_fn, NULL, 5, 5, p, &n), HF_EINVAL);
    assert_int_equal(n, 0);
    print_message("inclusion: %lu mutated proofs judged as RFC 6962 says\n", cases);
}

/* ---- consistency ---- */

static bool cons_true(uint64_t m, const uint8_t *r1, uint64_t s, const uint8_t *r2, hash *p,
                      size_t n)
{
    hash want[MERKLE_MAX_PROOF];
    size_t nw;

    /*
     * A consistency proof relates two trees: it cannot tell what the new
     * tree is when the old one is empty or the same, and needs nothing.
     */
    if (m > s)
        return false;
    if (m == s)
        return memcmp(r1, r2, H) == 0 && n == 0;
    if (m == 0)
        return memcmp(r1, root[0], H) == 0 && n == 0;
    if (s > N + 8 || memcmp(r1, root[m], H) != 0 || memcmp(r2, root[s], H) != 0)
        return false;
    limit = s;
    assert_int_equal(merkle_consistency_proof(node_fn, NULL, m, s, want, &nw), HF_OK);
    return proof_eq(p, n, want, nw);
}

static void cons_case(uint64_t m, const uint8_t *r1, uint64_t s, const uint8_t *r2, hash *p,
                      size_t n)
{
    bool want = cons_true(m, r1, s, r2, p, n);
    bool got = merkle_verify_consistency(m, r1, s, r2, (const uint8_t(*)[H])p, n);

    cases++;
    if (got != want)
        fail_msg("consistency of %llu with %llu, a %zu-hash proof: verify says %d, truth is %d",
                 (unsigned long long)m, (unsigned long long)s, n, got, want);
}

static void test_consistency(void **state)
{
    hash p[MERKLE_MAX_PROOF + 1], q[MERKLE_MAX_PROOF + 1], bad;
    size_t n;

    (void)state;
    cases = 0;
    for (uint64_t s = 0; s <= N; s++) {
        for (uint64_t m = 0; m <= s; m++) {
            limit = s;
            assert_int_equal(merkle_consistency_proof(node_fn, NULL, m, s, p, &n), HF_OK);
            assert_true(merkle_verify_consistency(m, root[m], s, root[s],
                                                  (const uint8_t(*)[H])p, n));
            for (size_t k = 0; k < n; k++)
                for (size_t b = 0; b < H; b++) {
                    memcpy(q, p, n * H);
                    q[k][b] ^= (uint8_t)(1u << (b % 8));
                    cons_case(m, root[m], s, root[s], q, n);
                }
            memcpy(bad, root[m], H);
            bad[5] ^= 4;
            cons_case(m, bad, s, root[s], p, n);
            memcpy(bad, root[s], H);
            bad[7] ^= 2;
            cons_case(m, root[m], s, bad, p, n);
            /* other sizes, each with its own root (see test_inclusion) */
            for (uint64_t t = 0; t <= N + 4; t++) {
                if (t != m)
                    cons_case(t, root[t], s, root[s], p, n);
                if (t != s)
                    cons_case(m, root[m], t, root[t], p, n);
            }
            cons_case(s, root[s], m, root[m], p, n);        /* reversed */
            if (n > 0) {
                cons_case(m, root[m], s, root[s], p, n - 1);
                cons_case(m, root[m], s, root[s], p + 1, n - 1);
            }
            memcpy(q, p, n * H);
            memcpy(q[n], root[m], H);
            cons_case(m, root[m], s, root[s], q, n + 1);
            memmove(q[1], q[0], n * H);
            memcpy(q[0], root[m], H);
            cons_case(m, root[m], s, root[s], q, n + 1);
            for (size_t k = 0; k + 1 < n; k++) {
                memcpy(q, p, n * H);
                memcpy(q[k], p[k + 1], H);
                memcpy(q[k + 1], p[k], H);
                cons_case(m, root[m], s, root[s], q, n);
            }
        }
    }
    limit = 5;
    assert_int_equal(merkle_consistency_proof(node_fn, NULL, 6, 5, p, &n), HF_EINVAL);
    print_message("consistency: %lu mutated proofs judged as RFC 6962 says\n", cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_reference_roots),
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion),
        cmocka_unit_test(test_consistency),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
