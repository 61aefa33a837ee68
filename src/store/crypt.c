/*
 * crypt.c — AES-256-GCM for segments and the data-key envelope.
 *
 * Owns every use of the cipher; no other module calls EVP.
 *
 * FORMAT
 *   segment AAD   "HFSEG1" | vid[16] | objhash[16] | seg u64le | plain_len u64le
 *   segment nonce 0x00000000 | seg u64be
 *   wrapped key   nonce[12] | E(master, dk)[32] | tag[16], AAD "HFDK1" | vid[16]
 *
 * INVARIANTS
 *   (1) A (data key, nonce) pair encrypts at most one segment: data keys are
 *       per version and random; the nonce is the segment index.
 *   (2) A failed authentication is HF_ECRYPTO and the plaintext is never
 *       returned to the caller's sink (get.c checks the result first).
 *   (3) Key material on the stack is wiped with OPENSSL_cleanse.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "store/crypt.h"
#include "banned.h"

struct crypt_ctx {
    EVP_CIPHER_CTX *ctx;
};

struct crypt_ctx *crypt_ctx_new(void)
{
    struct crypt_ctx *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->ctx = EVP_CIPHER_CTX_new();
    if (!c->ctx) {
        free(c);
        return NULL;
    }
    return c;
}

void crypt_ctx_free(struct crypt_ctx *c)
{
    if (!c)
        return;
    EVP_CIPHER_CTX_free(c->ctx);
    free(c);
}

void crypt_segment_aad(const uint8_t vid[16], const uint8_t objhash[16], uint64_t seg,
                       uint64_t plain_len, uint8_t aad[CRYPT_AAD_LEN])
{
    memcpy(aad, "HFSEG1", 6);
    memcpy(aad + 6, vid, 16);
    memcpy(aad + 22, objhash, 16);
    hf_put_le64(aad + 38, seg);
    hf_put_le64(aad + 46, plain_len);
}

static void seg_nonce(uint64_t seg, uint8_t nonce[CRYPT_NONCE_LEN])
{
    memset(nonce, 0, 4);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(seg >> (56 - 8 * i));
}

/* Chunks of at most INT_MAX bytes for EVP's int lengths. */
static int update_all(EVP_CIPHER_CTX *ctx, int enc, uint8_t *buf, size_t len)
{
    while (len > 0) {
        int n = len > (1u << 30) ? (1 << 30) : (int)len, out = 0;
        int ok = enc ? EVP_EncryptUpdate(ctx, buf, &out, buf, n)
                     : EVP_DecryptUpdate(ctx, buf, &out, buf, n);
        if (!ok || out != n)
            return 0;
        buf += n;
        len -= (size_t)n;
    }
    return 1;
}

static enum hf_err gcm(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *key,
                       const uint8_t nonce[CRYPT_NONCE_LEN], const uint8_t *aad,
                       size_t aadlen, uint8_t *buf, size_t len, uint8_t tag[CRYPT_TAG_LEN])
{
    int out = 0;
    uint8_t fin[16];

    if (!EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CRYPT_NONCE_LEN, NULL) ||
        !EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc))
        return HF_ECRYPTO;
    if (aadlen && !EVP_CipherUpdate(ctx, NULL, &out, aad, (int)aadlen))
        return HF_ECRYPTO;
    if (!update_all(ctx, enc, buf, len))
        return HF_ECRYPTO;
    if (enc) {
        if (!EVP_EncryptFinal_ex(ctx, fin, &out) ||
            !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPT_TAG_LEN, tag))
            return HF_ECRYPTO;
        return HF_OK;
    }
    if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPT_TAG_LEN, tag))
        return HF_ECRYPTO;
    return EVP_DecryptFinal_ex(ctx, fin, &out) == 1 ? HF_OK : HF_ECRYPTO;
}

enum hf_err crypt_seal(struct crypt_ctx *c, const uint8_t *key, uint64_t seg,
                       const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
                       uint8_t tag[CRYPT_TAG_LEN])
{
    uint8_t nonce[CRYPT_NONCE_LEN];

    seg_nonce(seg, nonce);
    return gcm(c->ctx, 1, key, nonce, aad, aadlen, buf, len, tag);
}

enum hf_err crypt_open(struct crypt_ctx *c, const uint8_t *key, uint64_t seg,
                       const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
                       const uint8_t tag[CRYPT_TAG_LEN])
{
    uint8_t nonce[CRYPT_NONCE_LEN], t[CRYPT_TAG_LEN];

    seg_nonce(seg, nonce);
    memcpy(t, tag, CRYPT_TAG_LEN);
    return gcm(c->ctx, 0, key, nonce, aad, aadlen, buf, len, t);
}

static void dk_aad(const uint8_t vid[16], uint8_t aad[21])
{
    memcpy(aad, "HFDK1", 5);
    memcpy(aad + 5, vid, 16);
}

enum hf_err crypt_wrap_key(const uint8_t *kek, const uint8_t vid[16],
                           const uint8_t dk[CRYPT_KEY_LEN], uint8_t out[CRYPT_WRAPPED_LEN])
{
    struct crypt_ctx *c = crypt_ctx_new();
    uint8_t aad[21];
    enum hf_err rc;

    if (!c)
        return HF_ENOMEM;
    dk_aad(vid, aad);
    rc = hf_random(out, CRYPT_NONCE_LEN);
    if (rc == HF_OK) {
        memcpy(out + CRYPT_NONCE_LEN, dk, CRYPT_KEY_LEN);
        rc = gcm(c->ctx, 1, kek, out, aad, sizeof(aad), out + CRYPT_NONCE_LEN,
                 CRYPT_KEY_LEN, out + CRYPT_NONCE_LEN + CRYPT_KEY_LEN);
    }
    crypt_ctx_free(c);
    return rc;
}

enum hf_err crypt_unwrap_key(const uint8_t *kek, const uint8_t vid[16],
                             const uint8_t in[CRYPT_WRAPPED_LEN], uint8_t dk[CRYPT_KEY_LEN])
{
    struct crypt_ctx *c = crypt_ctx_new();
    uint8_t aad[21], tag[CRYPT_TAG_LEN];
    enum hf_err rc;

    if (!c)
        return HF_ENOMEM;
    dk_aad(vid, aad);
    memcpy(dk, in + CRYPT_NONCE_LEN, CRYPT_KEY_LEN);
    memcpy(tag, in + CRYPT_NONCE_LEN + CRYPT_KEY_LEN, CRYPT_TAG_LEN);
    rc = gcm(c->ctx, 0, kek, in, aad, sizeof(aad), dk, CRYPT_KEY_LEN, tag);
    if (rc != HF_OK)
        OPENSSL_cleanse(dk, CRYPT_KEY_LEN);
    crypt_ctx_free(c);
    return rc;
}

static enum hf_err secret_aad(const char *ctx, uint8_t *aad, size_t *aadlen)
{
    size_t n = strlen(ctx);

    if (n > 200)
        return HF_EINVAL;
    memcpy(aad, "HFSEC1", 6);
    memcpy(aad + 6, ctx, n);
    *aadlen = 6 + n;
    return HF_OK;
}

enum hf_err crypt_seal_secret(const uint8_t *kek, const char *ctx, const void *in, size_t len,
                              uint8_t *out)
{
    struct crypt_ctx *c;
    uint8_t aad[206];
    size_t aadlen;
    enum hf_err rc;

    if (len > 256 || secret_aad(ctx, aad, &aadlen) != HF_OK)
        return HF_EINVAL;
    c = crypt_ctx_new();
    if (!c)
        return HF_ENOMEM;
    rc = hf_random(out, CRYPT_NONCE_LEN);
    if (rc == HF_OK) {
        memcpy(out + CRYPT_NONCE_LEN, in, len);
        rc = gcm(c->ctx, 1, kek, out, aad, aadlen, out + CRYPT_NONCE_LEN, len,
                 out + CRYPT_NONCE_LEN + len);
    }
    crypt_ctx_free(c);
    return rc;
}

enum hf_err crypt_open_secret(const uint8_t *kek, const char *ctx, const uint8_t *in,
                              size_t inlen, uint8_t *out, size_t *len)
{
    struct crypt_ctx *c;
    uint8_t aad[206], tag[CRYPT_TAG_LEN];
    size_t aadlen, n;
    enum hf_err rc;

    *len = 0;
    if (inlen < CRYPT_SEAL_OVERHEAD || inlen - CRYPT_SEAL_OVERHEAD > 256 ||
        secret_aad(ctx, aad, &aadlen) != HF_OK)
        return HF_ECRYPTO;
    n = inlen - CRYPT_SEAL_OVERHEAD;
    c = crypt_ctx_new();
    if (!c)
        return HF_ENOMEM;
    memcpy(out, in + CRYPT_NONCE_LEN, n);
    memcpy(tag, in + CRYPT_NONCE_LEN + n, CRYPT_TAG_LEN);
    rc = gcm(c->ctx, 0, kek, in, aad, aadlen, out, n, tag);
    crypt_ctx_free(c);
    if (rc != HF_OK) {
        OPENSSL_cleanse(out, n);
        return rc;
    }
    *len = n;
    return HF_OK;
}
