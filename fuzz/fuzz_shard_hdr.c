/*
 * fuzz_shard_hdr.c — libFuzzer target for shard_hdr_decode (store/shard.c).
 *
 * A shard header is read from a backend file, which anything with write
 * access to a backend directory can change: it is untrusted.
 *
 * The first SHARD_HDR_LEN bytes of the input (zero-padded when shorter) are
 * copied into a buffer of exactly that size, so ASan reports any read past
 * the header, and decoded twice:
 *   (a) as they are;
 *   (b) with the header hash (bytes 120..127) recomputed, so the fuzzer gets
 *       past the XXH3-64 check and reaches the field-range checks, which it
 *       could otherwise never do.
 *
 * ORACLES (abort() on failure)
 *   (1) A header that decodes satisfies the invariants shard.h and shard.c
 *       promise: 1 <= k, k + m <= HF_MAX_SHARDS, index < k + m,
 *       plain_len <= HF_MAX_SEGMENT, cipher_len = plain_len + 16,
 *       payload_len = shard_payload_len(cipher_len, k), a multiple of
 *       SHARD_ALIGN, and k payloads hold the whole ciphertext.
 *   (2) Re-encoding a decoded header gives back the input bytes exactly:
 *       a header has one spelling.
 *   (3) Decoding the re-encoded bytes succeeds and gives the same fields.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "store/shard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_invariants(const struct shard_hdr *h)
{
    if (h->k < 1 || h->k + h->m > HF_MAX_SHARDS || h->index >= h->k + h->m)
        abort();
    if (h->plain_len > HF_MAX_SEGMENT || h->cipher_len != h->plain_len + 16)
        abort();
    if (h->payload_len != shard_payload_len(h->cipher_len, h->k) ||
        h->payload_len % SHARD_ALIGN != 0 || h->payload_len * h->k < h->cipher_len)
        abort();
}

static void check(const uint8_t *in)
{
    struct shard_hdr h, h2;
    uint8_t out[SHARD_HDR_LEN];

    if (shard_hdr_decode(in, &h) != HF_OK)
        return;
    check_invariants(&h);
    shard_hdr_encode(&h, out);
    if (memcmp(out, in, SHARD_HDR_LEN) != 0)
        abort();
    if (shard_hdr_decode(out, &h2) != HF_OK)
        abort();
    if (h2.k != h.k || h2.m != h.m || h2.index != h.index ||
        memcmp(h2.vid, h.vid, 16) != 0 || memcmp(h2.objhash, h.objhash, 16) != 0 ||
        h2.segment != h.segment || h2.payload_len != h.payload_len ||
        h2.cipher_len != h.cipher_len || h2.plain_len != h.plain_len ||
        memcmp(h2.checksum, h.checksum, 16) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *in = malloc(SHARD_HDR_LEN);

    if (!in)
        return 0;
    memset(in, 0, SHARD_HDR_LEN);
    memcpy(in, data, size < SHARD_HDR_LEN ? size : SHARD_HDR_LEN);
    check(in);
    hf_put_le64(in + 120, XXH3_64bits(in, 120));
    check(in);
    free(in);
    return 0;
}
