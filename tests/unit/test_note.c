/*
 * test_note.c — src/audit/note.c, C2SP signed notes and checkpoints:
 * the reference implementation's published key and note reproduced byte
 * for byte, the C2SP specification's example verified, and a checkpoint
 * refused after any change of its text, its signature, its key or its
 * key's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/note.h"

#define EMDASH "\xe2\x80\x94"

/* golang.org/x/mod/sumdb/note's documented example (PRIVATE+KEY+PeterNeumann+c74f20a3+...). */
#define GO_SEED64 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_TEXT "If you think cryptography is the answer to your problem,\n" \
                "then you don't know what your problem is.\n"
#define GO_NOTE GO_TEXT "\n" EMDASH " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZI" \
                "nNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
/* c2sp.org/signed-note's example. */
#define SPEC_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define SPEC_NOTE "This is an example message.\n\n" EMDASH " example.com/foo Uw2QOkn8srV1yJGh2VYRl" \
                  "L1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

static bool verifies(const char *vkey, const char *note, size_t len)
{
    struct note_verifier v;

    assert_int_equal(note_vkey_parse(vkey, &v), HF_OK);
    return note_verify(&v, note, len, NULL);
}

static void test_reference_vectors(void **state)
{
    struct note_signer s;
    uint8_t raw[33];
    size_t n;
    char *vkey, *note;

    (void)state;
    assert_int_equal(hf_base64_decode(GO_SEED64, strlen(GO_SEED64), raw, sizeof(raw), &n), 0);
    assert_int_equal(n, 33);
    assert_int_equal(raw[0], 1);
    assert_int_equal(note_signer_from_seed("PeterNeumann", raw + 1, &s), HF_OK);
    vkey = note_vkey(&s);
    assert_string_equal(vkey, GO_VKEY);
    assert_int_equal(note_sign(&s, GO_TEXT, strlen(GO_TEXT), &note), HF_OK);
    assert_string_equal(note, GO_NOTE);         /* Ed25519 is deterministic */
    assert_true(verifies(GO_VKEY, note, strlen(note)));
    free(vkey);
    free(note);
    assert_true(verifies(SPEC_VKEY, SPEC_NOTE, strlen(SPEC_NOTE)));
    assert_false(verifies(GO_VKEY, SPEC_NOTE, strlen(SPEC_NOTE)));
    assert_false(verifies(SPEC_VKEY, GO_NOTE, strlen(GO_NOTE)));
}

/* Any one-byte change of a verifier key is refused or names another key. */
static void test_vkey_parse(void **state)
{
    struct note_verifier v, w;
    char k[] = GO_VKEY;

    (void)state;
    assert_int_equal(note_vkey_parse(k, &v), HF_OK);
    assert_int_equal(note_vkey_parse("  " GO_VKEY "\n", &w), HF_OK);
    assert_string_equal(v.name, w.name);
    assert_memory_equal(v.pub, w.pub, 32);
    assert_memory_equal(v.keyhash, w.keyhash, 4);
    for (size_t i = 0; i < strlen(k); i++) {
        k[i]++;
        assert_int_not_equal(note_vkey_parse(k, &w), HF_OK);
        k[i]--;
    }
    for (size_t i = 1; i < strlen(k); i++) {
        char c = k[i];
        k[i] = '\0';
        assert_int_not_equal(note_vkey_parse(k, &w), HF_OK);
        k[i] = c;
    }
    /* wrong length / unknown algorithm, with a matching key hash (Go's own cases) */
    assert_int_not_equal(
        note_vkey_parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
                        &w), HF_OK);
    assert_int_not_equal(
        note_vkey_parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &w),
        HF_OK);
}

static void test_checkpoint(void **state)
{
    struct note_signer s, other, renamed;
    struct note_verifier v;
    uint8_t root[32], got[32];
    uint64_t size;
    size_t tl, len;
    char *text, *note, *vkey;

    (void)state;
    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)(i * 7);
    assert_int_equal(note_signer_generate("holdfast/0123456789abcdef", &s), HF_OK);
    text = checkpoint_text(s.name, 1234, root);
    assert_non_null(text);
    assert_int_equal(note_sign(&s, text, strlen(text), &note), HF_OK);
    len = strlen(note);
    vkey = note_vkey(&s);
    assert_int_equal(note_vkey_parse(vkey, &v), HF_OK);
    assert_true(note_verify(&v, note, len, &tl));
    assert_int_equal(tl, strlen(text));
    assert_int_equal(checkpoint_parse(note, len, s.name, &size, got), HF_OK);
    assert_int_equal(size, 1234);
    assert_memory_equal(got, root, 32);
    assert_int_equal(checkpoint_parse(note, len, "holdfast/other", &size, got), HF_ECORRUPT);

    /*
     * Every byte of the note changed: text, blank line, signature line.
     * (The base64 signature's last character before "=" carries two unused
     * bits that decoders, Go's included, ignore: a change there that
     * leaves the decoded signature as it was is not a change of the note.)
     */
    for (size_t i = 0; i < len; i++) {
        const char *sig = strrchr(note, ' ') + 1;
        uint8_t a[80], b[80];
        size_t na = 0, nb = 0;
        bool in_sig = note + i >= sig, same = false;

        if (in_sig)
            assert_int_equal(hf_base64_decode(sig, strlen(sig) - 1, a, sizeof(a), &na), 0);
        note[i] ^= 0x01;
        if (in_sig)
            same = hf_base64_decode(sig, strlen(sig) - 1, b, sizeof(b), &nb) == 0 &&
                   nb == na && memcmp(a, b, na) == 0;
        if (note_verify(&v, note, len, NULL) && !same)
            fail_msg("note with byte %zu changed still verifies", i);
        note[i] ^= 0x01;
    }
    assert_false(note_verify(&v, note, len - 1, NULL));       /* no final newline */
    assert_false(note_verify(&v, note, strlen(text), NULL));  /* no signature */

    /* another key of the same name; the same key under another name */
    assert_int_equal(note_signer_generate(s.name, &other), HF_OK);
    free(vkey);
    vkey = note_vkey(&other);
    assert_int_equal(note_vkey_parse(vkey, &v), HF_OK);
    assert_false(note_verify(&v, note, len, NULL));
    assert_int_equal(note_signer_from_seed("holdfast/fedcba9876543210", s.priv, &renamed), HF_OK);
    assert_memory_equal(renamed.pub, s.pub, 32);
    free(vkey);
    vkey = note_vkey(&renamed);
    assert_int_equal(note_vkey_parse(vkey, &v), HF_OK);
    assert_false(note_verify(&v, note, len, NULL));
    /* the right key with the other name's key hash, or the reverse */
    memcpy(v.name, s.name, sizeof(v.name));
    assert_false(note_verify(&v, note, len, NULL));
    free(vkey);

    /* a co-signer's line is skipped; the log's own signature still counts */
    {
        char *vk = note_vkey(&s), *two;
        char *cosigned = NULL;
        assert_int_equal(note_sign(&other, text, strlen(text), &two), HF_OK);
        cosigned = malloc(len + strlen(two));
        assert_non_null(cosigned);
        memcpy(cosigned, two, strlen(two));
        memcpy(cosigned + strlen(two), note + strlen(text) + 1, len - strlen(text) - 1);
        assert_int_equal(note_vkey_parse(vk, &v), HF_OK);
        assert_true(note_verify(&v, cosigned, strlen(two) + len - strlen(text) - 1, NULL));
        free(vk);
        free(two);
        free(cosigned);
    }

    /* checkpoint text: canonical decimal size, a 32-byte root */
    {
        static const char *bad[] = {
            "holdfast/0123456789abcdef\n01234\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "holdfast/0123456789abcdef\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "holdfast/0123456789abcdef\n\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "holdfast/0123456789abcdef\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
            "holdfast/0123456789abcdef\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "holdfast/0123456789abcdef\n5\n",
            "holdfast/0123456789abcdef\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            if (checkpoint_parse(bad[i], strlen(bad[i]), s.name, &size, got) != HF_ECORRUPT)
                fail_msg("checkpoint text %zu accepted", i);
    }
    free(text);
    free(note);
    /* texts a note cannot sign: empty, an empty line, no final newline */
    assert_int_equal(note_sign(&s, "", 0, &note), HF_EINVAL);
    assert_null(note);
    assert_int_equal(note_sign(&s, "a\n\nb\n", 5, &note), HF_EINVAL);
    assert_int_equal(note_sign(&s, "a", 1, &note), HF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_vectors),
        cmocka_unit_test(test_vkey_parse),
        cmocka_unit_test(test_checkpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
