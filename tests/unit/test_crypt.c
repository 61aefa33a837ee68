/*
 * test_crypt.c — unit tests for store/crypt.h (AES-256-GCM segments and
 * the data-key envelope).
 *
 * Known answers: tests/vectors/aes256gcm.txt (McGrew-Viega test cases
 * 13-16), run through EVP directly as a check of the library and, where the
 * IV has holdfast's segment-nonce form, through crypt_seal/crypt_open.
 * Format pinning: the AAD and nonce layouts written in crypt.c's FORMAT
 * comment are rebuilt by hand here and checked against an independent EVP
 * encryption, so a silent format change fails.
 */
#define _DEFAULT_SOURCE /* readlink */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "store/crypt.h"

/* ---- helpers ---- */

static const uint8_t vid1[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                  0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
static const uint8_t obj1[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                  0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* Independent AES-256-GCM through EVP, with an explicit 12-byte IV. */
static void evp_gcm(int enc, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
                    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
                    uint8_t tag[16], int *ok)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    uint8_t fin[16];

    assert_non_null(ctx);
    assert_int_equal(EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL), 1);
    assert_int_equal(EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc), 1);
    if (aadlen)
        assert_int_equal(EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen), 1);
    if (len) {
        assert_int_equal(EVP_CipherUpdate(ctx, out, &n, in, (int)len), 1);
        assert_int_equal(n, (int)len);
    }
    if (enc) {
        assert_int_equal(EVP_CipherFinal_ex(ctx, fin, &n), 1);
        assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
        *ok = 1;
    } else {
        assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag), 1);
        *ok = EVP_CipherFinal_ex(ctx, fin, &n) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
}

/* ---- known-answer vectors ---- */

#define VEC_MAX 256

struct vec {
    int id;
    uint8_t key[32], iv[12], aad[VEC_MAX], pt[VEC_MAX], ct[VEC_MAX], tag[16];
    size_t keylen, ivlen, aadlen, ptlen, ctlen, taglen;
};

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse hex text @s (spaces and newline ignored at the end) into @out. */
static size_t parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    while (hexv(s[0]) >= 0) {
        int lo = hexv(s[1]);
        if (lo < 0)
            fail_msg("odd hex digit count in vector file near '%s'", s);
        if (n == cap)
            fail_msg("vector field longer than %zu bytes", cap);
        out[n++] = (uint8_t)(hexv(s[0]) << 4 | lo);
        s += 2;
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (*s)
        fail_msg("junk in vector file: '%s'", s);
    return n;
}

static FILE *open_vectors(const char *name)
{
    char path[4096];
    const char *dir = getenv("HOLDFAST_VECTORS");
    FILE *f;

    if (dir && *dir) {
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    } else {
        /* __FILE__ is tests/unit/test_crypt.c as make passes it: go up one. */
        const char *src = __FILE__;
        const char *slash = strrchr(src, '/');
        size_t base = slash ? (size_t)(slash - src) : 0;
        while (base > 0 && src[base - 1] != '/')
            base--;
        snprintf(path, sizeof(path), "%.*svectors/%s", (int)base, src, name);
    }
    f = fopen(path, "r");
    if (!f) {
        /* else beside the binary: <repo>/build{,-san}/tests/test_crypt */
        char exe[2048];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
            exe[n] = '\0';
            for (int up = 0; up < 3; up++) {
                char *s = strrchr(exe, '/');
                if (s)
                    *s = '\0';
            }
            snprintf(path, sizeof(path), "%s/tests/vectors/%s", exe, name);
            f = fopen(path, "r");
        }
    }
    if (!f)
        fail_msg("cannot open known-answer file %s (set HOLDFAST_VECTORS to tests/vectors)",
                 path);
    return f;
}

/* Read every record; returns how many. */
static size_t load_vectors(struct vec *v, size_t max)
{
    FILE *f = open_vectors("aes256gcm.txt");
    char line[1024];
    size_t n = 0;
    struct vec cur;

    memset(&cur, 0, sizeof(cur));
    while (fgets(line, sizeof(line), f)) {
        char *eq = strchr(line, '=');
        char name[16];
        size_t nl;

        if (line[0] == '#' || !eq)
            continue;
        nl = (size_t)(eq - line);
        while (nl > 0 && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
            nl--;
        if (nl == 0 || nl >= sizeof(name))
            fail_msg("bad vector line: %s", line);
        memcpy(name, line, nl);
        name[nl] = '\0';
        if (strcmp(name, "Case") == 0) {
            memset(&cur, 0, sizeof(cur));
            cur.id = atoi(eq + 1);
        } else if (strcmp(name, "Key") == 0) {
            cur.keylen = parse_hex(eq + 1, cur.key, sizeof(cur.key));
        } else if (strcmp(name, "IV") == 0) {
            cur.ivlen = parse_hex(eq + 1, cur.iv, sizeof(cur.iv));
        } else if (strcmp(name, "AAD") == 0) {
            cur.aadlen = parse_hex(eq + 1, cur.aad, sizeof(cur.aad));
        } else if (strcmp(name, "PT") == 0) {
            cur.ptlen = parse_hex(eq + 1, cur.pt, sizeof(cur.pt));
        } else if (strcmp(name, "CT") == 0) {
            cur.ctlen = parse_hex(eq + 1, cur.ct, sizeof(cur.ct));
        } else if (strcmp(name, "Tag") == 0) {
            cur.taglen = parse_hex(eq + 1, cur.tag, sizeof(cur.tag));
            if (n == max)
                fail_msg("too many vectors");
            v[n++] = cur;
        } else {
            fail_msg("unknown vector field %s", name);
        }
    }
    fclose(f);
    return n;
}

static void test_kat_evp(void **state)
{
    static struct vec v[8];
    size_t n = load_vectors(v, 8);

    (void)state;
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        uint8_t out[VEC_MAX], tag[16], back[VEC_MAX];
        int ok = 0;

        assert_int_equal(v[i].keylen, 32);
        assert_int_equal(v[i].ivlen, 12);
        assert_int_equal(v[i].taglen, 16);
        assert_int_equal(v[i].ptlen, v[i].ctlen);
        evp_gcm(1, v[i].key, v[i].iv, v[i].aad, v[i].aadlen, v[i].pt, v[i].ptlen, out, tag,
                &ok);
        if (v[i].ctlen)
            assert_memory_equal(out, v[i].ct, v[i].ctlen);
        assert_memory_equal(tag, v[i].tag, 16);
        evp_gcm(0, v[i].key, v[i].iv, v[i].aad, v[i].aadlen, v[i].ct, v[i].ctlen, back,
                v[i].tag, &ok);
        assert_true(ok);
        if (v[i].ptlen)
            assert_memory_equal(back, v[i].pt, v[i].ptlen);
    }
}

/* The vectors whose IV is 0^4 || u64be(seg) go through crypt_seal/crypt_open. */
static void test_kat_crypt_seal(void **state)
{
    static struct vec v[8];
    size_t n = load_vectors(v, 8), driven = 0;
    struct crypt_ctx *c = crypt_ctx_new();

    (void)state;
    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[VEC_MAX], tag[16];
        uint64_t seg = 0;

        if (v[i].iv[0] | v[i].iv[1] | v[i].iv[2] | v[i].iv[3])
            continue;
        for (int b = 4; b < 12; b++)
            seg = seg << 8 | v[i].iv[b];
        memcpy(buf, v[i].pt, v[i].ptlen);
        assert_int_equal(crypt_seal(c, v[i].key, seg, v[i].aad, v[i].aadlen, buf, v[i].ptlen,
                                    tag), HF_OK);
        if (v[i].ctlen)
            assert_memory_equal(buf, v[i].ct, v[i].ctlen);
        assert_memory_equal(tag, v[i].tag, 16);
        assert_int_equal(crypt_open(c, v[i].key, seg, v[i].aad, v[i].aadlen, buf, v[i].ctlen,
                                    v[i].tag), HF_OK);
        if (v[i].ptlen)
            assert_memory_equal(buf, v[i].pt, v[i].ptlen);
        driven++;
    }
    assert_int_equal(driven, 2); /* cases 13 and 14 */
    crypt_ctx_free(c);
}

/* ---- format pinning ---- */

static void test_aad_layout(void **state)
{
    uint8_t aad[CRYPT_AAD_LEN], want[CRYPT_AAD_LEN];

    (void)state;
    /* "HFSEG1" | vid | objhash | seg u64le | plain_len u64le */
    memcpy(want, "HFSEG1", 6);
    memcpy(want + 6, vid1, 16);
    memcpy(want + 22, obj1, 16);
    const uint8_t seg_le[8] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
    const uint8_t len_le[8] = { 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00 };
    memcpy(want + 38, seg_le, 8);
    memcpy(want + 46, len_le, 8);
    memset(aad, 0xcc, sizeof(aad));
    crypt_segment_aad(vid1, obj1, 0x0102030405060708ull, 4u << 20, aad);
    assert_memory_equal(aad, want, CRYPT_AAD_LEN);
}

/* crypt_seal(seg) equals GCM under nonce 00000000 || u64be(seg). */
static void test_nonce_layout(void **state)
{
    static const uint64_t segs[] = { 0, 1, 255, 256, 0x0102030405060708ull, UINT64_MAX };
    uint8_t key[32], aad[CRYPT_AAD_LEN], pt[333], a[333], b[333], ta[16], tb[16];
    struct crypt_ctx *c = crypt_ctx_new();

    (void)state;
    assert_non_null(c);
    fill(key, sizeof(key), 1);
    fill(pt, sizeof(pt), 2);
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
        uint8_t iv[12] = { 0 };
        int ok;
        for (int j = 0; j < 8; j++)
            iv[4 + j] = (uint8_t)(segs[i] >> (56 - 8 * j));
        crypt_segment_aad(vid1, obj1, segs[i], sizeof(pt), aad);
        memcpy(a, pt, sizeof(pt));
        assert_int_equal(crypt_seal(c, key, segs[i], aad, sizeof(aad), a, sizeof(a), ta),
                         HF_OK);
        evp_gcm(1, key, iv, aad, sizeof(aad), pt, sizeof(pt), b, tb, &ok);
        assert_memory_equal(a, b, sizeof(a));
        assert_memory_equal(ta, tb, 16);
    }
    crypt_ctx_free(c);
}

/* ---- round trip and tamper detection ---- */

struct sealed {
    uint8_t key[32];
    uint8_t aad[CRYPT_AAD_LEN];
    uint64_t seg;
    uint8_t pt[100], ct[100], tag[16];
};

static void seal_one(struct crypt_ctx *c, struct sealed *s)
{
    fill(s->key, sizeof(s->key), 7);
    fill(s->pt, sizeof(s->pt), 8);
    s->seg = 5;
    crypt_segment_aad(vid1, obj1, s->seg, sizeof(s->pt), s->aad);
    memcpy(s->ct, s->pt, sizeof(s->pt));
    assert_int_equal(crypt_seal(c, s->key, s->seg, s->aad, sizeof(s->aad), s->ct,
                                sizeof(s->ct), s->tag), HF_OK);
}

static void test_round_trip(void **state)
{
    static const size_t lens[] = { 0, 1, 15, 16, 17, 4096, 1u << 20 };
    struct crypt_ctx *c = crypt_ctx_new();
    uint8_t key[32], aad[CRYPT_AAD_LEN], tag[16];

    (void)state;
    assert_non_null(c);
    fill(key, sizeof(key), 3);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t len = lens[i];
        uint8_t *pt = malloc(len + 1), *buf = malloc(len + 1);
        assert_non_null(pt);
        assert_non_null(buf);
        fill(pt, len, (uint32_t)len);
        memcpy(buf, pt, len);
        crypt_segment_aad(vid1, obj1, i, len, aad);
        assert_int_equal(crypt_seal(c, key, i, aad, sizeof(aad), buf, len, tag), HF_OK);
        if (len >= 16)
            assert_memory_not_equal(buf, pt, len); /* it was encrypted in place */
        /* the context is reusable: open with the same ctx */
        assert_int_equal(crypt_open(c, key, i, aad, sizeof(aad), buf, len, tag), HF_OK);
        if (len)
            assert_memory_equal(buf, pt, len);
        free(pt);
        free(buf);
    }
    crypt_ctx_free(c);
}

static void test_flip_ciphertext_bits(void **state)
{
    struct crypt_ctx *c = crypt_ctx_new();
    struct sealed s;
    uint8_t buf[100];

    (void)state;
    assert_non_null(c);
    seal_one(c, &s);
    for (size_t bit = 0; bit < sizeof(s.ct) * 8; bit++) {
        memcpy(buf, s.ct, sizeof(buf));
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (crypt_open(c, s.key, s.seg, s.aad, sizeof(s.aad), buf, sizeof(buf), s.tag) !=
            HF_ECRYPTO)
            fail_msg("ciphertext bit %zu flipped and still authenticated", bit);
    }
    /* and the untouched one still opens */
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, s.key, s.seg, s.aad, sizeof(s.aad), buf, sizeof(buf),
                                s.tag), HF_OK);
    assert_memory_equal(buf, s.pt, sizeof(buf));
    crypt_ctx_free(c);
}

static void test_flip_tag_bits(void **state)
{
    struct crypt_ctx *c = crypt_ctx_new();
    struct sealed s;
    uint8_t buf[100], tag[16];

    (void)state;
    assert_non_null(c);
    seal_one(c, &s);
    for (size_t bit = 0; bit < 128; bit++) {
        memcpy(buf, s.ct, sizeof(buf));
        memcpy(tag, s.tag, 16);
        tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (crypt_open(c, s.key, s.seg, s.aad, sizeof(s.aad), buf, sizeof(buf), tag) !=
            HF_ECRYPTO)
            fail_msg("tag bit %zu flipped and still authenticated", bit);
    }
    crypt_ctx_free(c);
}

/* Every bit of the AAD: magic, vid, objhash, segment index, plain length. */
static void test_flip_aad_bits(void **state)
{
    struct crypt_ctx *c = crypt_ctx_new();
    struct sealed s;
    uint8_t buf[100], aad[CRYPT_AAD_LEN];

    (void)state;
    assert_non_null(c);
    seal_one(c, &s);
    for (size_t bit = 0; bit < CRYPT_AAD_LEN * 8; bit++) {
        memcpy(buf, s.ct, sizeof(buf));
        memcpy(aad, s.aad, sizeof(aad));
        aad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (crypt_open(c, s.key, s.seg, aad, sizeof(aad), buf, sizeof(buf), s.tag) !=
            HF_ECRYPTO)
            fail_msg("AAD bit %zu flipped and still authenticated", bit);
    }
    /* a truncated AAD fails too */
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, s.key, s.seg, s.aad, sizeof(s.aad) - 1, buf, sizeof(buf),
                                s.tag), HF_ECRYPTO);
    crypt_ctx_free(c);
}

/* Each AAD field, changed through crypt_segment_aad, is bound. */
static void test_aad_fields_bound(void **state)
{
    struct crypt_ctx *c = crypt_ctx_new();
    struct sealed s;
    uint8_t buf[100], aad[CRYPT_AAD_LEN], other[16];

    (void)state;
    assert_non_null(c);
    seal_one(c, &s);
    memcpy(other, vid1, 16);
    other[15] ^= 1;

    crypt_segment_aad(other, obj1, s.seg, sizeof(s.pt), aad);          /* vid */
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, s.key, s.seg, aad, sizeof(aad), buf, sizeof(buf), s.tag),
                     HF_ECRYPTO);
    crypt_segment_aad(vid1, other, s.seg, sizeof(s.pt), aad);          /* objhash */
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, s.key, s.seg, aad, sizeof(aad), buf, sizeof(buf), s.tag),
                     HF_ECRYPTO);
    crypt_segment_aad(vid1, obj1, s.seg + 1, sizeof(s.pt), aad);       /* segment in AAD */
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, s.key, s.seg, aad, sizeof(aad), buf, sizeof(buf), s.tag),
                     HF_ECRYPTO);
    crypt_segment_aad(vid1, obj1, s.seg, sizeof(s.pt) + 1, aad);       /* plain length */
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, s.key, s.seg, aad, sizeof(aad), buf, sizeof(buf), s.tag),
                     HF_ECRYPTO);
    crypt_ctx_free(c);
}

/* Opening under another segment index (another nonce) fails, AAD unchanged. */
static void test_other_segment_fails(void **state)
{
    static const uint64_t others[] = { 0, 4, 6, 5ull << 32, UINT64_MAX };
    struct crypt_ctx *c = crypt_ctx_new();
    struct sealed s;
    uint8_t buf[100], key[32];

    (void)state;
    assert_non_null(c);
    seal_one(c, &s);
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        memcpy(buf, s.ct, sizeof(buf));
        assert_int_equal(crypt_open(c, s.key, others[i], s.aad, sizeof(s.aad), buf,
                                    sizeof(buf), s.tag), HF_ECRYPTO);
    }
    /* segments with the same plaintext and key differ in ciphertext */
    uint8_t a[100], tag[16];
    memcpy(a, s.pt, sizeof(a));
    assert_int_equal(crypt_seal(c, s.key, s.seg + 1, s.aad, sizeof(s.aad), a, sizeof(a), tag),
                     HF_OK);
    assert_memory_not_equal(a, s.ct, sizeof(a));
    /* the wrong key fails */
    memcpy(key, s.key, 32);
    key[0] ^= 0x80;
    memcpy(buf, s.ct, sizeof(buf));
    assert_int_equal(crypt_open(c, key, s.seg, s.aad, sizeof(s.aad), buf, sizeof(buf), s.tag),
                     HF_ECRYPTO);
    crypt_ctx_free(c);
}

/* ---- key wrap ---- */

static void test_wrap_round_trip(void **state)
{
    uint8_t kek[32], dk[32], w1[CRYPT_WRAPPED_LEN], w2[CRYPT_WRAPPED_LEN], back[32];

    (void)state;
    fill(kek, 32, 11);
    fill(dk, 32, 12);
    assert_int_equal(crypt_wrap_key(kek, vid1, dk, w1), HF_OK);
    assert_int_equal(crypt_wrap_key(kek, vid1, dk, w2), HF_OK);
    /* random nonce: two wraps of the same key differ; neither shows the key */
    assert_memory_not_equal(w1, w2, CRYPT_WRAPPED_LEN);
    assert_memory_not_equal(w1 + CRYPT_NONCE_LEN, dk, CRYPT_KEY_LEN);
    memset(back, 0, sizeof(back));
    assert_int_equal(crypt_unwrap_key(kek, vid1, w1, back), HF_OK);
    assert_memory_equal(back, dk, 32);
    memset(back, 0, sizeof(back));
    assert_int_equal(crypt_unwrap_key(kek, vid1, w2, back), HF_OK);
    assert_memory_equal(back, dk, 32);
}

/* FORMAT: nonce[12] | E(kek, dk)[32] | tag[16], AAD "HFDK1" | vid. */
static void test_wrap_layout(void **state)
{
    uint8_t kek[32], dk[32], w[CRYPT_WRAPPED_LEN], aad[21], out[32], tag[16];
    int ok = 0;

    (void)state;
    fill(kek, 32, 21);
    fill(dk, 32, 22);
    assert_int_equal(crypt_wrap_key(kek, vid1, dk, w), HF_OK);
    memcpy(aad, "HFDK1", 5);
    memcpy(aad + 5, vid1, 16);
    memcpy(tag, w + 44, 16);
    evp_gcm(0, kek, w, aad, sizeof(aad), w + 12, 32, out, tag, &ok);
    assert_true(ok);
    assert_memory_equal(out, dk, 32);
}

static void test_unwrap_wrong_vid_or_kek(void **state)
{
    uint8_t kek[32], kek2[32], dk[32], w[CRYPT_WRAPPED_LEN], back[32], vid2[16];
    static const uint8_t zero[32];

    (void)state;
    fill(kek, 32, 31);
    memcpy(kek2, kek, 32);
    kek2[31] ^= 1;
    fill(dk, 32, 32);
    memcpy(vid2, vid1, 16);
    vid2[0] ^= 0x40;
    assert_int_equal(crypt_wrap_key(kek, vid1, dk, w), HF_OK);

    memset(back, 0xaa, 32);
    assert_int_equal(crypt_unwrap_key(kek, vid2, w, back), HF_ECRYPTO);
    assert_memory_equal(back, zero, 32); /* unauthenticated key bytes wiped */
    memset(back, 0xaa, 32);
    assert_int_equal(crypt_unwrap_key(kek2, vid1, w, back), HF_ECRYPTO);
    assert_memory_equal(back, zero, 32);

    for (size_t bit = 0; bit < CRYPT_WRAPPED_LEN * 8; bit++) {
        uint8_t t[CRYPT_WRAPPED_LEN];
        memcpy(t, w, sizeof(t));
        t[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (crypt_unwrap_key(kek, vid1, t, back) != HF_ECRYPTO)
            fail_msg("wrapped-key bit %zu flipped and still unwrapped", bit);
    }
    assert_int_equal(crypt_unwrap_key(kek, vid1, w, back), HF_OK);
    assert_memory_equal(back, dk, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_evp),
        cmocka_unit_test(test_kat_crypt_seal),
        cmocka_unit_test(test_aad_layout),
        cmocka_unit_test(test_nonce_layout),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_flip_ciphertext_bits),
        cmocka_unit_test(test_flip_tag_bits),
        cmocka_unit_test(test_flip_aad_bits),
        cmocka_unit_test(test_aad_fields_bound),
        cmocka_unit_test(test_other_segment_fails),
        cmocka_unit_test(test_wrap_round_trip),
        cmocka_unit_test(test_wrap_layout),
        cmocka_unit_test(test_unwrap_wrong_vid_or_kek),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
