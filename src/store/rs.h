/*
 * rs.h — Reed-Solomon k+m over GF(2^8) with ISA-L (subsystem interface).
 */
#ifndef HF_RS_H
#define HF_RS_H

#include "internal.h"

struct rs {
    unsigned k, m;
    uint8_t matrix[HF_MAX_SHARDS * HF_MAX_SHARDS];  /* (k+m) x k, Cauchy */
    uint8_t enc_tbls[HF_MAX_SHARDS * HF_MAX_SHARDS * 32];
};

/* Set up coding for @k data and @m parity shards.  HF_EINVAL if out of range. */
HF_HIDDEN enum hf_err rs_init(struct rs *rs, unsigned k, unsigned m);

/*
 * Compute the m parity shards of @len bytes each from the k data shards.
 * @shards has k+m pointers: data first, then parity (written).
 */
HF_HIDDEN void rs_encode(const struct rs *rs, size_t len, uint8_t **shards);

/*
 * Rebuild shards.  @present[i] is true for shards holding good bytes; at
 * least k must be.  Every shard i with !@present[i] and @want[i] is
 * rebuilt into @shards[i] (which must point to @len writable bytes).
 * Errors: HF_EUNREADABLE (fewer than k present).
 */
HF_HIDDEN enum hf_err rs_reconstruct(const struct rs *rs, size_t len, uint8_t **shards,
                                     const bool *present, const bool *want);

#endif
