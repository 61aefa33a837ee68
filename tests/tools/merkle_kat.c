/*
 * merkle_kat.c — print what src/audit/merkle.c computes, as JSON, for
 * tests/tools/rfc6962.py to compare with its own reference computation.
 *
 * Leaves are the ASCII bytes "leaf-<i>" (i from 0).  The tree's nodes
 * come from merkle_frontier_push's completed-subtree callback, the way
 * the store writes audit_node, and the node source refuses any node not
 * complete in the tree being asked about (merkle.c invariant 2): a read
 * past the tree is an error, never a silently wrong hash.
 *
 * Output (hashes in lower-case hex):
 *   {"leaf_format": "leaf-%d",
 *    "roots":      {"<size>": root by merkle_range_hash, ...}     sizes 0..N and BIG
 *    "frontier":   {"<size>": root by merkle_frontier_root, ...}  the same sizes
 *    "inclusion":  [[index, size, [hash, ...]], ...]   every index < size <= N, then BIG_PAIRS
 *    "consistency":[[old, new, [hash, ...]], ...]      every old <= new <= N, then BIG_PAIRS}
 *
 * Usage: merkle_kat [N]   (default 64)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/merkle.h"

#define MAX_LEAVES 4097

static const uint64_t big_sizes[] = { 100, 127, 128, 129, 255, 256, 257, 1000, 1023, 1024,
                                      1025, 4095, 4096, 4097 };
/* (a, b) pairs beyond N: inclusion of leaf a in tree b; consistency of a with b. */
static const uint64_t big_pairs[][2] = {
    { 0, 1000 },    { 1, 1000 },    { 63, 1000 },   { 64, 1000 },   { 500, 1000 },
    { 998, 1000 },  { 999, 1000 },  { 511, 1024 },  { 1023, 1024 }, { 1023, 1025 },
    { 1024, 1025 }, { 100, 4097 },  { 1000, 4097 }, { 4095, 4096 }, { 4096, 4097 },
};

struct tree {
    uint8_t (*level[16])[MERKLE_HASH_LEN];  /* level[L][I]: node (L, I) */
    uint64_t limit;                         /* nodes past this many leaves are refused */
};

static void completed(void *arg, unsigned level, uint64_t index, const uint8_t *hash)
{
    struct tree *t = arg;

    memcpy(t->level[level][index], hash, MERKLE_HASH_LEN);
}

static enum hf_err node(void *arg, unsigned level, uint64_t index,
                        uint8_t out[MERKLE_HASH_LEN])
{
    struct tree *t = arg;

    if (level >= 16 || (index + 1) << level > t->limit)
        return HF_ERANGE;
    memcpy(out, t->level[level][index], MERKLE_HASH_LEN);
    return HF_OK;
}

static void hex(const uint8_t *h)
{
    for (int i = 0; i < MERKLE_HASH_LEN; i++)
        printf("%02x", h[i]);
}

static void print_path(uint8_t (*p)[MERKLE_HASH_LEN], size_t n)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        printf("%s\"", i ? "," : "");
        hex(p[i]);
        printf("\"");
    }
    printf("]");
}

static void root(struct tree *t, uint64_t size, const char *sep)
{
    uint8_t h[MERKLE_HASH_LEN];

    t->limit = size;
    if (merkle_range_hash(node, t, 0, size, h) != HF_OK) {
        fprintf(stderr, "merkle_range_hash(0, %llu) failed\n", (unsigned long long)size);
        exit(1);
    }
    printf("%s\"%llu\":\"", sep, (unsigned long long)size);
    hex(h);
    printf("\"");
}

static void inclusion(struct tree *t, uint64_t index, uint64_t size, const char *sep)
{
    uint8_t p[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
    size_t n;

    t->limit = size;
    if (merkle_inclusion_proof(node, t, index, size, p, &n) != HF_OK) {
        fprintf(stderr, "merkle_inclusion_proof(%llu, %llu) failed\n",
                (unsigned long long)index, (unsigned long long)size);
        exit(1);
    }
    printf("%s[%llu,%llu,", sep, (unsigned long long)index, (unsigned long long)size);
    print_path(p, n);
    printf("]");
}

static void consistency(struct tree *t, uint64_t old, uint64_t new, const char *sep)
{
    uint8_t p[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
    size_t n;

    t->limit = new;
    if (merkle_consistency_proof(node, t, old, new, p, &n) != HF_OK) {
        fprintf(stderr, "merkle_consistency_proof(%llu, %llu) failed\n",
                (unsigned long long)old, (unsigned long long)new);
        exit(1);
    }
    printf("%s[%llu,%llu,", sep, (unsigned long long)old, (unsigned long long)new);
    print_path(p, n);
    printf("]");
}

int main(int argc, char **argv)
{
    static struct tree t;
    static struct merkle_frontier f;
    static char frontier_roots[MAX_LEAVES + 1][MERKLE_HASH_LEN * 2 + 1];
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 64;
    const size_t nbig = sizeof(big_sizes) / sizeof(big_sizes[0]);
    const size_t npairs = sizeof(big_pairs) / sizeof(big_pairs[0]);
    uint8_t h[MERKLE_HASH_LEN];
    const char *sep = "";

    if (n < 1 || n >= MAX_LEAVES)
        return 2;
    for (unsigned l = 0; l < 16; l++)
        if (!(t.level[l] = calloc((MAX_LEAVES >> l) + 1, MERKLE_HASH_LEN)))
            return 1;
    merkle_frontier_init(&f);
    merkle_frontier_root(&f, h);
    for (int i = 0; i < MERKLE_HASH_LEN; i++)
        snprintf(frontier_roots[0] + 2 * i, 3, "%02x", h[i]);
    for (uint64_t i = 0; i < MAX_LEAVES; i++) {
        char leaf[32];
        int len = snprintf(leaf, sizeof(leaf), "leaf-%llu", (unsigned long long)i);
        merkle_leaf_hash(leaf, (size_t)len, h);
        merkle_frontier_push(&f, h, completed, &t);
        merkle_frontier_root(&f, h);
        for (int j = 0; j < MERKLE_HASH_LEN; j++)
            snprintf(frontier_roots[i + 1] + 2 * j, 3, "%02x", h[j]);
    }

    printf("{\"leaf_format\":\"leaf-%%d\",\n\"roots\":{");
    for (uint64_t s = 0; s <= n; s++, sep = ",")
        root(&t, s, sep);
    for (size_t i = 0; i < nbig; i++)
        if (big_sizes[i] > n)
            root(&t, big_sizes[i], ",");
    printf("},\n\"frontier\":{");
    sep = "";
    for (uint64_t s = 0; s <= n; s++, sep = ",")
        printf("%s\"%llu\":\"%s\"", sep, (unsigned long long)s, frontier_roots[s]);
    for (size_t i = 0; i < nbig; i++)
        if (big_sizes[i] > n)
            printf(",\"%llu\":\"%s\"", (unsigned long long)big_sizes[i],
                   frontier_roots[big_sizes[i]]);
    printf("},\n\"inclusion\":[");
    sep = "";
    for (uint64_t s = 1; s <= n; s++)
        for (uint64_t i = 0; i < s; i++, sep = ",\n")
            inclusion(&t, i, s, sep);
    for (size_t i = 0; i < npairs; i++)
        inclusion(&t, big_pairs[i][0], big_pairs[i][1], sep);
    printf("],\n\"consistency\":[");
    sep = "";
    for (uint64_t s = 0; s <= n; s++)
        for (uint64_t o = 0; o <= s; o++, sep = ",\n")
            consistency(&t, o, s, sep);
    for (size_t i = 0; i < npairs; i++)
        consistency(&t, big_pairs[i][0], big_pairs[i][1], sep);
    printf("]}\n");
    for (unsigned l = 0; l < 16; l++)
        free(t.level[l]);
    return ferror(stdout) ? 1 : 0;
}
