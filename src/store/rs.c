/*
 * rs.c — Reed-Solomon erasure coding, calling ISA-L directly.
 *
 * Owns the coding matrix.  A Cauchy matrix (gf_gen_cauchy1_matrix) is used
 * because every k x k submatrix of it is invertible, so any k of the k+m
 * shards rebuild the rest (a Vandermonde-derived gf_gen_rs_matrix does not
 * guarantee that for all k, m).
 *
 * INVARIANTS
 *   (1) Shard i < k is the i-th slice of the data: a read with all data
 *       shards present decodes nothing.
 *   (2) Encoding tables are built once per rs_init; the hot path allocates
 *       nothing.
 */
#include <string.h>

#include <isa-l/erasure_code.h>

#include "store/rs.h"
#include "banned.h"

enum hf_err rs_init(struct rs *rs, unsigned k, unsigned m)
{
    if (k < 1 || k > HF_MAX_SHARDS || m > HF_MAX_SHARDS || k + m > HF_MAX_SHARDS)
        return HF_EINVAL;
    memset(rs, 0, sizeof(*rs));
    rs->k = k;
    rs->m = m;
    gf_gen_cauchy1_matrix(rs->matrix, (int)(k + m), (int)k);
    if (m)
        ec_init_tables((int)k, (int)m, rs->matrix + k * k, rs->enc_tbls);
    return HF_OK;
}

void rs_encode(const struct rs *rs, size_t len, uint8_t **shards)
{
    if (rs->m == 0 || len == 0)
        return;
    ec_encode_data((int)len, (int)rs->k, (int)rs->m, (unsigned char *)rs->enc_tbls,
                   shards, shards + rs->k);
}

enum hf_err rs_reconstruct(const struct rs *rs, size_t len, uint8_t **shards,
                           const bool *present, const bool *want)
{
    const unsigned k = rs->k, n = rs->k + rs->m;
    uint8_t sub[HF_MAX_SHARDS * HF_MAX_SHARDS], inv[HF_MAX_SHARDS * HF_MAX_SHARDS];
    uint8_t dec[HF_MAX_SHARDS * HF_MAX_SHARDS];
    uint8_t tbls[HF_MAX_SHARDS * HF_MAX_SHARDS * 32];
    uint8_t *src[HF_MAX_SHARDS], *dst[HF_MAX_SHARDS];
    unsigned nsrc = 0, ndst = 0;

    /* The first k present shards are the sources. */
    for (unsigned i = 0; i < n && nsrc < k; i++) {
        if (present[i]) {
            memcpy(sub + nsrc * k, rs->matrix + i * k, k);
            src[nsrc++] = shards[i];
        }
    }
    if (nsrc < k)
        return HF_EUNREADABLE;
    if (gf_invert_matrix(sub, inv, (int)k) < 0)
        return HF_EUNREADABLE; /* cannot happen for a Cauchy matrix */

    /*
     * Row for a missing shard i: its encoding row times the inverse maps
     * the sources to it.  For data shard i that row is the unit vector, so
     * it is row i of the inverse.
     */
    for (unsigned i = 0; i < n; i++) {
        if (present[i] || !want[i])
            continue;
        uint8_t *row = dec + ndst * k;
        if (i < k) {
            memcpy(row, inv + i * k, k);
        } else {
            for (unsigned j = 0; j < k; j++) {
                uint8_t s = 0;
                for (unsigned l = 0; l < k; l++)
                    s ^= gf_mul(rs->matrix[i * k + l], inv[l * k + j]);
                row[j] = s;
            }
        }
        dst[ndst++] = shards[i];
    }
    if (ndst == 0 || len == 0)
        return HF_OK;
    ec_init_tables((int)k, (int)ndst, dec, tbls);
    ec_encode_data((int)len, (int)k, (int)ndst, tbls, src, dst);
    return HF_OK;
}
