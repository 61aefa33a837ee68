/*
 * fuzz_chunked.c — libFuzzer target for the aws-chunked decoder.
 *
 * INPUT  byte 0: the payload kind (mod 3: signed, signed with trailer,
 *                unsigned with trailer)
 *        byte 1: the declared trailer (mod 5: none, crc32, crc32c, sha1,
 *                sha256)
 *        byte 2, 3: x-amz-decoded-content-length, little-endian, or -1
 *                when byte 2 and 3 are both 0xff
 *        the rest: the body.
 *        The signing key, seed signature, date and scope are AWS's chunked
 *        example (secret wJalrXUtnFEMI/..., 20130524, us-east-1, s3, seed
 *        4f232c43...), so bodies signed for that example are valid inputs.
 *
 * ORACLES (abort() on failure)
 *   (1) Fragmentation does not matter: the body fed whole, a byte at a
 *       time, and in seeded random splits give the same result and the
 *       same decoded bytes (also when decoding fails).
 *   (2) Never more decoded bytes than the declared length; on success
 *       exactly that many.
 *   (3) Every failure carries a reason, and the decoder stays failed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "s3/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const trailers[] = { NULL, "x-amz-checksum-crc32", "x-amz-checksum-crc32c",
                                        "x-amz-checksum-sha1", "x-amz-checksum-sha256" };
static const enum sigv4_payload kinds[] = { SIGV4_PAYLOAD_STREAMING,
                                            SIGV4_PAYLOAD_STREAMING_TRAILER,
                                            SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER };

struct out {
    EVP_MD_CTX *md;
    uint64_t len;
    int64_t limit;
};

static enum hf_err emit(void *arg, const uint8_t *p, size_t n)
{
    struct out *o = arg;

    o->len += n;
    if (o->limit >= 0 && o->len > (uint64_t)o->limit)
        abort(); /* (2) */
    if (!EVP_DigestUpdate(o->md, p, n))
        abort();
    return HF_OK;
}

static const uint8_t *key(void)
{
    static uint8_t k[SIGV4_KEY_LEN];
    static bool done;
    struct sigv4_auth a;

    if (!done) {
        memset(&a, 0, sizeof(a));
        memcpy(a.date, "20130524", 9);
        memcpy(a.region, "us-east-1", 10);
        memcpy(a.service, "s3", 3);
        if (sigv4_signing_key(&a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 40, k) != HF_OK)
            abort();
        done = true;
    }
    return k;
}

/* Decode @body in pieces of sizes from @how (0: whole, 1: bytes, else seeded). */
static enum hf_err run(const struct sigv4_auth *a, const char *trailer, int64_t dlen,
                       const uint8_t *body, size_t len, unsigned how, uint8_t digest[32],
                       uint64_t *outlen)
{
    struct sigv4_chunked *c = calloc(1, sizeof(*c));
    struct out o = { EVP_MD_CTX_new(), 0, dlen };
    enum hf_err rc, again;
    size_t off = 0;
    uint32_t seed = how * 2654435761u;
    unsigned int n = 0;

    if (!c || !o.md || !EVP_DigestInit_ex(o.md, EVP_sha256(), NULL))
        abort();
    rc = sigv4_chunked_init(c, a, key(), trailer, dlen);
    while (rc == HF_OK && off < len) {
        size_t k = len - off;
        if (how == 1) {
            k = 1;
        } else if (how > 1) {
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 16) % 97;
        }
        if (k > len - off)
            k = len - off;
        rc = sigv4_chunked_feed(c, body + off, k, emit, &o);
        off += k;
    }
    if (rc == HF_OK)
        rc = sigv4_chunked_finish(c);
    if (rc != HF_OK) {
        /* (3) */
        if (!c->why)
            abort();
        again = sigv4_chunked_feed(c, "0\r\n\r\n", 5, emit, &o);
        if (again != rc || sigv4_chunked_finish(c) != rc || sigv4_chunked_done(c))
            abort();
    } else {
        if (!sigv4_chunked_done(c))
            abort();
        if (dlen >= 0 && o.len != (uint64_t)dlen) /* (2) */
            abort();
    }
    if (!EVP_DigestFinal_ex(o.md, digest, &n))
        abort();
    *outlen = o.len;
    EVP_MD_CTX_free(o.md);
    sigv4_chunked_release(c);
    free(c);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sigv4_auth a;
    const char *trailer;
    int64_t dlen;
    uint8_t d0[32], d1[32];
    uint64_t l0, l1;
    enum hf_err r0, r1;

    if (size < 4)
        return 0;
    memset(&a, 0, sizeof(a));
    a.payload = kinds[data[0] % 3];
    trailer = trailers[data[1] % 5];
    dlen = data[2] == 0xff && data[3] == 0xff ? -1 : (int64_t)(data[2] | data[3] << 8);
    memcpy(a.amz_date, "20130524T000000Z", 17);
    memcpy(a.scope, "20130524/us-east-1/s3/aws4_request", 35);
    memcpy(a.date, "20130524", 9);
    /* the seed signature of AWS's chunked example */
    static const uint8_t seed[32] = { 0x4f, 0x23, 0x2c, 0x43, 0x86, 0x84, 0x1e, 0xf7,
                                      0x35, 0x65, 0x57, 0x05, 0x26, 0x89, 0x65, 0xc4,
                                      0x4a, 0x0e, 0x46, 0x90, 0xba, 0xa4, 0xad, 0xea,
                                      0x15, 0x3f, 0x7d, 0xb9, 0xfa, 0x80, 0xa0, 0xa9 };
    memcpy(a.signature, seed, 32);
    data += 4;
    size -= 4;

    r0 = run(&a, trailer, dlen, data, size, 0, d0, &l0);
    for (unsigned how = 1; how < 4; how++) {
        if (how == 1 && size > 8192)
            continue;
        r1 = run(&a, trailer, dlen, data, size, how, d1, &l1);
        /* (1): the same verdict and the same bytes, failed or not (an error
         * is found at the same byte however the body is cut) */
        if (r1 != r0 || l1 != l0 || memcmp(d0, d1, 32) != 0)
            abort();
    }
    return 0;
}
