/*
 * merkle.h — RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
 * verification (subsystem interface).  Pure computation: where the tree's
 * nodes come from is the caller's (a node source callback).
 *
 *   leaf hash  = SHA-256(0x00 || entry)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 *
 * A "node" (level L, index I) is the root of the perfect subtree over
 * leaves [I * 2^L, (I + 1) * 2^L); level 0 nodes are the leaf hashes.
 * Every tree of size n is a fold of at most log2(n) such perfect subtrees,
 * so roots and proofs need O(log n) node reads.
 */
#ifndef HF_MERKLE_H
#define HF_MERKLE_H

#include "internal.h"

#define MERKLE_HASH_LEN 32
#define MERKLE_MAX_PROOF 64         /* hashes in a proof of a tree below 2^64 */

/*
 * Fill @out with perfect-subtree node (@level, @index).  Returns HF_OK, or
 * the error that ends the computation (HF_ENOTFOUND, HF_EMETA, ...).
 */
typedef enum hf_err (*merkle_node_fn)(void *arg, unsigned level, uint64_t index,
                                      uint8_t out[MERKLE_HASH_LEN]);

HF_HIDDEN void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[MERKLE_HASH_LEN]);
HF_HIDDEN void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
                                const uint8_t right[MERKLE_HASH_LEN],
                                uint8_t out[MERKLE_HASH_LEN]);

/* MTH of leaves [@a, @b) from perfect-subtree nodes.  Errors: @fn's. */
HF_HIDDEN enum hf_err merkle_range_hash(merkle_node_fn fn, void *arg, uint64_t a, uint64_t b,
                                        uint8_t out[MERKLE_HASH_LEN]);

/*
 * The inclusion proof (RFC 6962 PATH) of leaf @index in the tree of @size
 * leaves, leaf side first, into @path; *@n gets its length.  Errors:
 * HF_EINVAL (@index >= @size), @fn's.
 */
HF_HIDDEN enum hf_err merkle_inclusion_proof(merkle_node_fn fn, void *arg, uint64_t index,
                                             uint64_t size,
                                             uint8_t path[MERKLE_MAX_PROOF][MERKLE_HASH_LEN],
                                             size_t *n);

/*
 * The consistency proof (RFC 6962 PROOF) between the trees of @old and
 * @new leaves into @path; *@n gets its length (0 when @old is 0 or equals
 * @new).  Errors: HF_EINVAL (@old > @new), @fn's.
 */
HF_HIDDEN enum hf_err merkle_consistency_proof(merkle_node_fn fn, void *arg, uint64_t old,
                                               uint64_t new,
                                               uint8_t path[MERKLE_MAX_PROOF][MERKLE_HASH_LEN],
                                               size_t *n);

/* RFC 9162 2.1.3.2: true when @path proves @leaf_hash is leaf @index of (@size, @root). */
HF_HIDDEN bool merkle_verify_inclusion(const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index,
                                       uint64_t size, const uint8_t root[MERKLE_HASH_LEN],
                                       const uint8_t (*path)[MERKLE_HASH_LEN], size_t n);

/*
 * RFC 9162 2.1.4.2: true when @path proves the tree (@old, @old_root) is a
 * prefix of (@new, @new_root).  An empty old tree (root SHA-256 of
 * nothing) is a prefix of every tree; equal sizes need equal roots and an
 * empty proof.
 */
HF_HIDDEN bool merkle_verify_consistency(uint64_t old, const uint8_t old_root[MERKLE_HASH_LEN],
                                         uint64_t new, const uint8_t new_root[MERKLE_HASH_LEN],
                                         const uint8_t (*path)[MERKLE_HASH_LEN], size_t n);

/*
 * An in-memory tree, appended to one leaf hash at a time: the "frontier"
 * of perfect subtrees, enough for the root at the current size.  What
 * verification walks with; 64 * 33 bytes whatever the size.
 */
struct merkle_frontier {
    uint64_t size;
    unsigned depth;
    uint8_t hash[64][MERKLE_HASH_LEN];     /* perfect subtrees, largest first */
    unsigned level[64];
};
HF_HIDDEN void merkle_frontier_init(struct merkle_frontier *f);
/*
 * Append @leaf_hash; @completed (may be NULL) is called for every perfect
 * subtree the leaf completes, its own level 0 node included.
 */
HF_HIDDEN void merkle_frontier_push(struct merkle_frontier *f,
                                    const uint8_t leaf_hash[MERKLE_HASH_LEN],
                                    void (*completed)(void *, unsigned, uint64_t,
                                                      const uint8_t *),
                                    void *arg);
HF_HIDDEN void merkle_frontier_root(const struct merkle_frontier *f,
                                    uint8_t out[MERKLE_HASH_LEN]);

#endif
