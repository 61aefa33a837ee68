/*
 * note.c — Ed25519 signed notes and checkpoints (formats in note.h), on
 * OpenSSL's EVP Ed25519.
 *
 * INVARIANTS
 *   (1) A note verifies only if its text has no empty line, ends in "\n",
 *       and a signature line whose name and key hash are the verifier's
 *       carries a valid Ed25519 signature over exactly that text.
 *   (2) Private keys are wiped from memory by the callers' structs'
 *       owners (audit.c); this module copies them nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "audit/note.h"
#include "banned.h"

#define EMDASH "\xe2\x80\x94"
#define ALG_ED25519 0x01

static bool valid_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > NOTE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] <= 0x20 || name[i] == '+' || name[i] == 0x7f)
            return false;
    return true;
}

static void key_hash(const char *name, const uint8_t pub[32], uint8_t out[4])
{
    uint8_t buf[NOTE_NAME_MAX + 2 + 32], md[32];
    size_t n = strlen(name);

    memcpy(buf, name, n);
    buf[n] = '\n';
    buf[n + 1] = ALG_ED25519;
    memcpy(buf + n + 2, pub, 32);
    SHA256(buf, n + 2 + 32, md);
    memcpy(out, md, 4);
}

enum hf_err note_signer_from_seed(const char *name, const uint8_t seed[32],
                                  struct note_signer *s)
{
    EVP_PKEY *k;
    size_t publen = 32;
    enum hf_err rc = HF_ECRYPTO;

    if (!valid_name(name))
        return HF_EINVAL;
    k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    if (k && EVP_PKEY_get_raw_public_key(k, s->pub, &publen) == 1 && publen == 32) {
        snprintf(s->name, sizeof(s->name), "%s", name);
        memcpy(s->priv, seed, 32);
        key_hash(name, s->pub, s->keyhash);
        rc = HF_OK;
    }
    EVP_PKEY_free(k);
    return rc;
}

enum hf_err note_signer_generate(const char *name, struct note_signer *s)
{
    uint8_t seed[32];
    enum hf_err rc = hf_random(seed, sizeof(seed));

    if (rc == HF_OK)
        rc = note_signer_from_seed(name, seed, s);
    OPENSSL_cleanse(seed, sizeof(seed));
    return rc;
}

char *note_vkey(const struct note_signer *s)
{
    uint8_t raw[33];
    char b64[HF_BASE64_LEN(33)], hex[9];

    raw[0] = ALG_ED25519;
    memcpy(raw + 1, s->pub, 32);
    hf_base64_encode(raw, sizeof(raw), b64);
    hf_hex(s->keyhash, 4, hex);
    return hf_sprintf("%s+%s+%s", s->name, hex, b64);
}

enum hf_err note_vkey_parse(const char *text, struct note_verifier *v)
{
    const char *p1, *p2, *end;
    uint8_t raw[33], kh[4];
    char hex[9];
    size_t n;

    while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
        text++;
    end = text + strlen(text);
    while (end > text && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    p1 = memchr(text, '+', (size_t)(end - text));
    if (!p1 || (size_t)(p1 - text) > NOTE_NAME_MAX)
        return HF_EINVAL;
    p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1));
    if (!p2 || p2 - p1 - 1 != 8)
        return HF_EINVAL;
    memcpy(v->name, text, (size_t)(p1 - text));
    v->name[p1 - text] = '\0';
    memcpy(hex, p1 + 1, 8);
    hex[8] = '\0';
    if (!valid_name(v->name) || hf_unhex(hex, v->keyhash, 4) != 0 ||
        hf_base64_decode(p2 + 1, (size_t)(end - p2 - 1), raw, sizeof(raw), &n) != 0 ||
        n != 33 || raw[0] != ALG_ED25519)
        return HF_EINVAL;
    memcpy(v->pub, raw + 1, 32);
    key_hash(v->name, v->pub, kh);
    return memcmp(kh, v->keyhash, 4) == 0 ? HF_OK : HF_EINVAL;
}

/* Invariant 1: the text is non-empty lines, each ending in "\n". */
static bool text_ok(const char *text, size_t len)
{
    if (len == 0 || text[len - 1] != '\n' || text[0] == '\n' || memchr(text, '\0', len))
        return false;
    for (size_t i = 1; i < len; i++)
        if (text[i] == '\n' && text[i - 1] == '\n')
            return false;
    return true;
}

enum hf_err note_sign(const struct note_signer *s, const char *text, size_t len, char **out)
{
    uint8_t sig[4 + 64];
    char b64[HF_BASE64_LEN(sizeof(sig))];
    size_t siglen = 64;
    EVP_PKEY *k = NULL;
    EVP_MD_CTX *c = NULL;
    enum hf_err rc = HF_ECRYPTO;

    *out = NULL;
    if (!text_ok(text, len))
        return HF_EINVAL;
    k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, s->priv, 32);
    c = EVP_MD_CTX_new();
    if (k && c && EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
        EVP_DigestSign(c, sig + 4, &siglen, (const uint8_t *)text, len) == 1 && siglen == 64) {
        memcpy(sig, s->keyhash, 4);
        hf_base64_encode(sig, sizeof(sig), b64);
        *out = hf_sprintf("%.*s\n" EMDASH " %s %s\n", (int)len, text, s->name, b64);
        rc = *out ? HF_OK : HF_ENOMEM;
    }
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return rc;
}

static bool sig_ok(const struct note_verifier *v, const char *text, size_t len,
                   const uint8_t sig[64])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, v->pub, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = k && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
              EVP_DigestVerify(c, sig, 64, (const uint8_t *)text, len) == 1;

    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

bool note_verify(const struct note_verifier *v, const char *note, size_t len, size_t *text_len)
{
    const char *sep = NULL, *p, *end = note + len;
    size_t tl, nl = strlen(v->name);
    bool ok = false;

    for (size_t i = 1; i < len; i++)
        if (note[i] == '\n' && note[i - 1] == '\n') {
            sep = note + i;
            break;
        }
    if (!sep)
        return false;
    tl = (size_t)(sep - note);
    if (!text_ok(note, tl) || len == 0 || note[len - 1] != '\n')
        return false;
    if (text_len)
        *text_len = tl;
    /* Signature lines: "— NAME BASE64\n"; unknown signers are skipped. */
    for (p = sep + 1; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        uint8_t sig[4 + 64 + 2];
        size_t n, ll;
        if (!eol)
            return false;
        ll = (size_t)(eol - p);
        if (ll < 4 + 1 || memcmp(p, EMDASH " ", 4) != 0)
            return false;
        if (ll > 4 + nl + 1 && memcmp(p + 4, v->name, nl) == 0 && p[4 + nl] == ' ' &&
            hf_base64_decode(p + 4 + nl + 1, ll - 4 - nl - 1, sig, sizeof(sig), &n) == 0 &&
            n == 68 && memcmp(sig, v->keyhash, 4) == 0 && sig_ok(v, note, tl, sig + 4))
            ok = true;
        p = eol + 1;
    }
    return ok;
}

char *checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32])
{
    char b64[HF_BASE64_LEN(32)];

    hf_base64_encode(root, 32, b64);
    return hf_sprintf("%s\n%llu\n%s\n", origin, (unsigned long long)size, b64);
}

enum hf_err checkpoint_parse(const char *note, size_t len, const char *origin, uint64_t *size,
                             uint8_t root[32])
{
    const char *l1 = memchr(note, '\n', len), *l2, *l3;
    char num[24];
    size_t n;

    if (!l1 || (origin && ((size_t)(l1 - note) != strlen(origin) ||
                           memcmp(note, origin, strlen(origin)) != 0)))
        return HF_ECORRUPT;
    l2 = memchr(l1 + 1, '\n', len - (size_t)(l1 + 1 - note));
    if (!l2 || l2 - l1 - 1 < 1 || l2 - l1 - 1 > 20)
        return HF_ECORRUPT;
    l3 = memchr(l2 + 1, '\n', len - (size_t)(l2 + 1 - note));
    if (!l3 || memchr(note, '\0', (size_t)(l3 - note)))
        return HF_ECORRUPT;     /* a note is text: no NUL (found by fuzz_audit) */
    memcpy(num, l1 + 1, (size_t)(l2 - l1 - 1));
    num[l2 - l1 - 1] = '\0';
    *size = 0;
    for (const char *c = num; *c; c++) {
        if (*c < '0' || *c > '9' || (c == num && *c == '0' && c[1]) ||
            *size > (UINT64_MAX - 9) / 10)
            return HF_ECORRUPT;
        *size = *size * 10 + (uint64_t)(*c - '0');
    }
    if (hf_base64_decode(l2 + 1, (size_t)(l3 - l2 - 1), root, 32, &n) != 0 || n != 32)
        return HF_ECORRUPT;
    return HF_OK;
}
