/*
 * shard.h — the self-describing shard frame (subsystem interface).
 *
 * A shard file holds shard index i of every segment of one version, as a
 * sequence of frames: a 128-byte header then the shard payload.  All frames
 * but the last have the same payload length, so frame s starts at
 * s * (SHARD_HDR_LEN + shard_len(full segment)).
 */
#ifndef HF_SHARD_H
#define HF_SHARD_H

#include "internal.h"

#define SHARD_HDR_LEN 128
#define SHARD_ALIGN 64

struct shard_hdr {
    unsigned k, m, index;
    uint8_t vid[16];
    uint8_t objhash[16];
    uint64_t segment;
    uint64_t payload_len;   /* bytes of shard payload after the header */
    uint64_t cipher_len;    /* bytes of ciphertext + tag of the whole segment */
    uint64_t plain_len;     /* plaintext bytes of the segment */
    uint8_t checksum[16];   /* XXH3-128 of the payload */
};

/* Serialise @h into @out (SHARD_HDR_LEN bytes), with the header's own hash. */
HF_HIDDEN void shard_hdr_encode(const struct shard_hdr *h, uint8_t *out);

/*
 * Parse and check a header.  HF_ECORRUPT when the magic, version, header
 * hash or field ranges are wrong.  Never trusts @in beyond SHARD_HDR_LEN.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err shard_hdr_decode(const uint8_t *in, struct shard_hdr *h);

/* XXH3-128 of @len bytes, big-endian canonical form. */
HF_HIDDEN void shard_checksum(const void *buf, size_t len, uint8_t out[16]);

/* Payload length of each shard of a segment with @cipher_len bytes. */
HF_HIDDEN uint64_t shard_payload_len(uint64_t cipher_len, unsigned k);

#endif
