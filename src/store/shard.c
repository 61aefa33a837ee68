/*
 * shard.c — encoding and verification of shard frame headers.
 *
 * FORMAT (all integers little-endian), 128 bytes:
 *     0  magic "HFSHARD1"            8
 *     8  format version (1)          u16
 *    10  k, m, index, flags (0)      u8 x4
 *    14  reserved (0)                u16
 *    16  version id                  16
 *    32  object hash                 16   SHA-256(bucket "/" key)[0..16]
 *    48  segment index               u64
 *    56  payload length              u64
 *    64  segment cipher length       u64  ciphertext + 16-byte tag
 *    72  segment plain length        u64
 *    80  payload checksum            16   XXH3-128, canonical (big-endian)
 *    96  reserved (0)                24
 *   120  header hash                 u64  XXH3-64 of bytes 0..119
 *
 * INVARIANTS
 *   (1) A header that fails any check is HF_ECORRUPT, never an assert.
 *   (2) Decoding reads exactly SHARD_HDR_LEN bytes of input.
 */
#include <string.h>

#include <xxhash.h>

#include "store/shard.h"
#include "banned.h"

static const uint8_t magic[8] = { 'H', 'F', 'S', 'H', 'A', 'R', 'D', '1' };

void shard_hdr_encode(const struct shard_hdr *h, uint8_t *out)
{
    memset(out, 0, SHARD_HDR_LEN);
    memcpy(out, magic, 8);
    hf_put_le16(out + 8, 1);
    out[10] = (uint8_t)h->k;
    out[11] = (uint8_t)h->m;
    out[12] = (uint8_t)h->index;
    memcpy(out + 16, h->vid, 16);
    memcpy(out + 32, h->objhash, 16);
    hf_put_le64(out + 48, h->segment);
    hf_put_le64(out + 56, h->payload_len);
    hf_put_le64(out + 64, h->cipher_len);
    hf_put_le64(out + 72, h->plain_len);
    memcpy(out + 80, h->checksum, 16);
    hf_put_le64(out + 120, XXH3_64bits(out, 120));
}

static enum hf_err hdr_decode(const uint8_t *in, struct shard_hdr *h);

enum hf_err shard_hdr_decode(const uint8_t *in, struct shard_hdr *h)
{
    enum hf_err rc = hdr_decode(in, h);

    if (rc != HF_OK)
        memset(h, 0, sizeof(*h)); /* out-parameters are zero on failure */
    return rc;
}

static enum hf_err hdr_decode(const uint8_t *in, struct shard_hdr *h)
{
    static const uint8_t zero[24];

    memset(h, 0, sizeof(*h));
    if (memcmp(in, magic, 8) != 0 || hf_get_le16(in + 8) != 1)
        return HF_ECORRUPT;
    if (hf_get_le64(in + 120) != XXH3_64bits(in, 120))
        return HF_ECORRUPT;
    if (in[13] != 0 || hf_get_le16(in + 14) != 0 || memcmp(in + 96, zero, 24) != 0)
        return HF_ECORRUPT;
    h->k = in[10];
    h->m = in[11];
    h->index = in[12];
    if (h->k < 1 || h->k + h->m > HF_MAX_SHARDS || h->index >= h->k + h->m)
        return HF_ECORRUPT;
    memcpy(h->vid, in + 16, 16);
    memcpy(h->objhash, in + 32, 16);
    h->segment = hf_get_le64(in + 48);
    h->payload_len = hf_get_le64(in + 56);
    h->cipher_len = hf_get_le64(in + 64);
    h->plain_len = hf_get_le64(in + 72);
    memcpy(h->checksum, in + 80, 16);
    if (h->plain_len > HF_MAX_SEGMENT || h->cipher_len != h->plain_len + 16 ||
        h->payload_len != shard_payload_len(h->cipher_len, h->k))
        return HF_ECORRUPT;
    return HF_OK;
}

void shard_checksum(const void *buf, size_t len, uint8_t out[16])
{
    XXH128_canonical_t c;

    XXH128_canonicalFromHash(&c, XXH3_128bits(buf, len));
    memcpy(out, c.digest, 16);
}

uint64_t shard_payload_len(uint64_t cipher_len, unsigned k)
{
    uint64_t per = (cipher_len + k - 1) / k;

    return (per + SHARD_ALIGN - 1) / SHARD_ALIGN * SHARD_ALIGN;
}
