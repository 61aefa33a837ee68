/*
 * merkle.c — RFC 6962 Merkle tree hashes and proofs, RFC 9162 verification.
 *
 * Owns no state and no format beyond the hashes themselves (merkle.h).
 *
 * INVARIANTS
 *   (1) Proof generation follows RFC 6962 section 2.1 (PATH, PROOF,
 *       SUBPROOF) literally; verification follows RFC 9162 sections
 *       2.1.3.2 and 2.1.4.2 literally, and shares no code with generation,
 *       so a bug in one is caught by the other (and by the tests' own
 *       reference computation).
 *   (2) Every tree hash is computed from perfect subtrees aligned on their
 *       size: node (L, I) is read only for ranges [I*2^L, (I+1)*2^L).
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "audit/merkle.h"
#include "banned.h"

void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
    static const uint8_t prefix = 0x00;
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    /* Failure here is ENOMEM on a context; a zero hash then never verifies. */
    memset(out, 0, MERKLE_HASH_LEN);
    if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
        EVP_DigestUpdate(c, &prefix, 1) == 1 && EVP_DigestUpdate(c, entry, len) == 1)
        EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t buf[1 + 2 * MERKLE_HASH_LEN];

    buf[0] = 0x01;
    memcpy(buf + 1, left, MERKLE_HASH_LEN);
    memcpy(buf + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
    SHA256(buf, sizeof(buf), out);
}

/* The largest power of two strictly below @n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;

    while (k << 1 < n)
        k <<= 1;
    return k;
}

static bool is_pow2(uint64_t n) { return n && !(n & (n - 1)); }

static unsigned log2_exact(uint64_t n)
{
    unsigned l = 0;

    while (n > 1) {
        n >>= 1;
        l++;
    }
    return l;
}

enum hf_err merkle_range_hash(merkle_node_fn fn, void *arg, uint64_t a, uint64_t b,
                              uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
    uint64_t n = b - a, k;
    enum hf_err rc;

    if (n == 0) {
        SHA256((const uint8_t *)"", 0, out);
        return HF_OK;
    }
    if (is_pow2(n) && a % n == 0)
        return fn(arg, log2_exact(n), a / n, out);        /* invariant 2 */
    k = split_point(n);
    rc = merkle_range_hash(fn, arg, a, a + k, l);
    if (rc == HF_OK)
        rc = merkle_range_hash(fn, arg, a + k, b, r);
    if (rc == HF_OK)
        merkle_node_hash(l, r, out);
    return rc;
}

/* PATH(m, D[a:b]) of RFC 6962 2.1.1, appended leaf side first. */
static enum hf_err path(merkle_node_fn fn, void *arg, uint64_t m, uint64_t a, uint64_t b,
                        uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], size_t *n)
{
    uint64_t k;
    enum hf_err rc;

    if (b - a <= 1)
        return HF_OK;
    k = split_point(b - a);
    if (m < k) {
        rc = path(fn, arg, m, a, a + k, out, n);
        if (rc == HF_OK)
            rc = merkle_range_hash(fn, arg, a + k, b, out[(*n)++]);
    } else {
        rc = path(fn, arg, m - k, a + k, b, out, n);
        if (rc == HF_OK)
            rc = merkle_range_hash(fn, arg, a, a + k, out[(*n)++]);
    }
    return rc;
}

enum hf_err merkle_inclusion_proof(merkle_node_fn fn, void *arg, uint64_t index, uint64_t size,
                                   uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], size_t *n)
{
    *n = 0;
    if (index >= size)
        return HF_EINVAL;
    return path(fn, arg, index, 0, size, out, n);
}

/* SUBPROOF(m, D[a:b], start) of RFC 6962 2.1.2. */
static enum hf_err subproof(merkle_node_fn fn, void *arg, uint64_t m, uint64_t a, uint64_t b,
                            bool start, uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_LEN],
                            size_t *n)
{
    uint64_t k;
    enum hf_err rc;

    if (m == b - a)
        return start ? HF_OK : merkle_range_hash(fn, arg, a, b, out[(*n)++]);
    k = split_point(b - a);
    if (m <= k) {
        rc = subproof(fn, arg, m, a, a + k, start, out, n);
        if (rc == HF_OK)
            rc = merkle_range_hash(fn, arg, a + k, b, out[(*n)++]);
    } else {
        rc = subproof(fn, arg, m - k, a + k, b, false, out, n);
        if (rc == HF_OK)
            rc = merkle_range_hash(fn, arg, a, a + k, out[(*n)++]);
    }
    return rc;
}

enum hf_err merkle_consistency_proof(merkle_node_fn fn, void *arg, uint64_t old, uint64_t new,
                                     uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], size_t *n)
{
    *n = 0;
    if (old > new)
        return HF_EINVAL;
    if (old == 0 || old == new)
        return HF_OK;
    return subproof(fn, arg, old, 0, new, true, out, n);
}

bool merkle_verify_inclusion(const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index,
                             uint64_t size, const uint8_t root[MERKLE_HASH_LEN],
                             const uint8_t (*p)[MERKLE_HASH_LEN], size_t n)
{
    uint64_t fn = index, sn = size - 1;
    uint8_t r[MERKLE_HASH_LEN];

    if (index >= size)
        return false;
    memcpy(r, leaf_hash, MERKLE_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(p[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            merkle_node_hash(r, p[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, MERKLE_HASH_LEN) == 0;
}

bool merkle_verify_consistency(uint64_t old, const uint8_t old_root[MERKLE_HASH_LEN],
                               uint64_t new, const uint8_t new_root[MERKLE_HASH_LEN],
                               const uint8_t (*p)[MERKLE_HASH_LEN], size_t n)
{
    uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
    uint64_t fn, sn;
    size_t i = 0;

    if (old > new)
        return false;
    if (old == new)
        return n == 0 && memcmp(old_root, new_root, MERKLE_HASH_LEN) == 0;
    if (old == 0) {
        /* The empty tree is a prefix of every tree, but its root is SHA-256(""). */
        SHA256((const uint8_t *)"", 0, fr);
        return n == 0 && memcmp(fr, old_root, MERKLE_HASH_LEN) == 0;
    }
    if (n == 0)
        return false;
    /* Step 2: a power-of-two old tree is itself the proof's first node. */
    if (is_pow2(old)) {
        memcpy(fr, old_root, MERKLE_HASH_LEN);
    } else {
        memcpy(fr, p[0], MERKLE_HASH_LEN);
        i = 1;
    }
    memcpy(sr, fr, MERKLE_HASH_LEN);
    fn = old - 1;
    sn = new - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(p[i], fr, fr);
            merkle_node_hash(p[i], sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            merkle_node_hash(sr, p[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(fr, old_root, MERKLE_HASH_LEN) == 0 &&
           memcmp(sr, new_root, MERKLE_HASH_LEN) == 0;
}

void merkle_frontier_init(struct merkle_frontier *f)
{
    memset(f, 0, sizeof(*f));
}

void merkle_frontier_push(struct merkle_frontier *f, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                          void (*completed)(void *, unsigned, uint64_t, const uint8_t *),
                          void *arg)
{
    uint64_t index = f->size;
    unsigned level = 0;

    memcpy(f->hash[f->depth], leaf_hash, MERKLE_HASH_LEN);
    f->level[f->depth] = 0;
    f->depth++;
    if (completed)
        completed(arg, 0, index, leaf_hash);
    /* Two neighbours of one level make the next: the binary carry of size+1. */
    while (f->depth >= 2 && f->level[f->depth - 2] == f->level[f->depth - 1]) {
        merkle_node_hash(f->hash[f->depth - 2], f->hash[f->depth - 1], f->hash[f->depth - 2]);
        f->level[f->depth - 2]++;
        f->depth--;
        level++;
        index >>= 1;
        if (completed)
            completed(arg, level, index, f->hash[f->depth - 1]);
    }
    f->size++;
}

void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH_LEN])
{
    if (f->depth == 0) {
        SHA256((const uint8_t *)"", 0, out);
        return;
    }
    memcpy(out, f->hash[f->depth - 1], MERKLE_HASH_LEN);
    for (unsigned i = f->depth - 1; i-- > 0;)
        merkle_node_hash(f->hash[i], out, out);
}
