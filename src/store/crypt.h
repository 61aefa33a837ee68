/*
 * crypt.h — segment AEAD and data-key envelope (subsystem interface).
 *
 * AES-256-GCM through OpenSSL EVP.  A version has its own random 32-byte
 * data key; the key is stored only wrapped by the master key.  Segment
 * nonces are derived from the segment index: unique because each data key
 * encrypts one version once (repair rebuilds ciphertext, never re-encrypts).
 */
#ifndef HF_CRYPT_H
#define HF_CRYPT_H

#include "internal.h"

#define CRYPT_KEY_LEN 32
#define CRYPT_TAG_LEN 16
#define CRYPT_NONCE_LEN 12
#define CRYPT_WRAPPED_LEN (CRYPT_NONCE_LEN + CRYPT_KEY_LEN + CRYPT_TAG_LEN)
#define CRYPT_AAD_LEN 54

struct crypt_ctx;

/* A reusable cipher context; free with crypt_ctx_free.  NULL on ENOMEM. */
HF_HIDDEN struct crypt_ctx *crypt_ctx_new(void);
HF_HIDDEN void crypt_ctx_free(struct crypt_ctx *c);

/*
 * The associated data of segment @seg of version @vid of object @objhash
 * holding @plain_len bytes, into @aad (CRYPT_AAD_LEN bytes).
 */
HF_HIDDEN void crypt_segment_aad(const uint8_t vid[16], const uint8_t objhash[16],
                                 uint64_t seg, uint64_t plain_len,
                                 uint8_t aad[CRYPT_AAD_LEN]);

/*
 * Encrypt @len bytes at @buf in place under @key, nonce from @seg; write
 * the tag to @tag.  Errors: HF_ECRYPTO.
 */
HF_HIDDEN enum hf_err crypt_seal(struct crypt_ctx *c, const uint8_t *key, uint64_t seg,
                                 const uint8_t *aad, size_t aadlen,
                                 uint8_t *buf, size_t len, uint8_t tag[CRYPT_TAG_LEN]);

/*
 * Decrypt in place and authenticate.  HF_ECRYPTO when the tag does not
 * verify: then @buf holds garbage the caller must not use.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err
crypt_open(struct crypt_ctx *c, const uint8_t *key, uint64_t seg,
           const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
           const uint8_t tag[CRYPT_TAG_LEN]);

/* Wrap @dk under @kek for version @vid into @out.  Errors: HF_ECRYPTO. */
HF_HIDDEN enum hf_err crypt_wrap_key(const uint8_t *kek, const uint8_t vid[16],
                                     const uint8_t dk[CRYPT_KEY_LEN],
                                     uint8_t out[CRYPT_WRAPPED_LEN]);

/* Unwrap; HF_ECRYPTO when @in was not wrapped by @kek for @vid. */
HF_HIDDEN HF_MUST_CHECK enum hf_err
crypt_unwrap_key(const uint8_t *kek, const uint8_t vid[16],
                 const uint8_t in[CRYPT_WRAPPED_LEN], uint8_t dk[CRYPT_KEY_LEN]);

/*
 * Seal a small secret (@len <= 256 bytes) under @kek, bound to @ctx (e.g.
 * an access key id): out = nonce[12] | ciphertext[len] | tag[16]
 * (len + CRYPT_SEAL_OVERHEAD bytes).  Errors: HF_EINVAL, HF_ECRYPTO.
 */
#define CRYPT_SEAL_OVERHEAD (CRYPT_NONCE_LEN + CRYPT_TAG_LEN)
HF_HIDDEN enum hf_err crypt_seal_secret(const uint8_t *kek, const char *ctx, const void *in,
                                        size_t len, uint8_t *out);
/* Open what crypt_seal_secret made; *@len = secret length.  HF_ECRYPTO if forged. */
HF_HIDDEN HF_MUST_CHECK enum hf_err crypt_open_secret(const uint8_t *kek, const char *ctx,
                                                      const uint8_t *in, size_t inlen,
                                                      uint8_t *out, size_t *len);

#endif