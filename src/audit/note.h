/*
 * note.h — Ed25519 signed notes and transparency-log checkpoints, as the
 * C2SP specifications define them (subsystem interface).
 *
 *   signed-note:      https://c2sp.org/signed-note
 *   tlog-checkpoint:  https://c2sp.org/tlog-checkpoint
 *
 * A checkpoint note's text is
 *     <origin>\n<tree size, decimal>\n<root hash, base64>\n
 * followed by an empty line and one signature line per signer,
 *     "\u2014 " <key name> " " base64(key hash[4] || Ed25519 signature[64]) "\n"
 * where key hash = SHA-256(<key name> "\n" 0x01 || public key)[0:4] and
 * the signature is over the text (with its final newline).  The verifier
 * key, which `holdfast audit key` prints, is
 *     <key name> "+" hex(key hash) "+" base64(0x01 || public key)
 * holdfast names its key after the log's origin.
 */
#ifndef HF_AUDIT_NOTE_H
#define HF_AUDIT_NOTE_H

#include "internal.h"

#define NOTE_NAME_MAX 128

struct note_signer {
    char name[NOTE_NAME_MAX + 1];
    uint8_t priv[32];               /* Ed25519 seed */
    uint8_t pub[32];
    uint8_t keyhash[4];
};

struct note_verifier {
    char name[NOTE_NAME_MAX + 1];
    uint8_t pub[32];
    uint8_t keyhash[4];
};

/* A new random key named @name.  Errors: HF_EINVAL (bad name), HF_ECRYPTO. */
HF_HIDDEN enum hf_err note_signer_generate(const char *name, struct note_signer *s);
/* The key named @name from its 32-byte seed.  Errors: HF_EINVAL, HF_ECRYPTO. */
HF_HIDDEN enum hf_err note_signer_from_seed(const char *name, const uint8_t seed[32],
                                            struct note_signer *s);
/* The verifier key text of @s (malloc'd, caller frees); NULL on ENOMEM. */
HF_HIDDEN char *note_vkey(const struct note_signer *s);
/* Parse verifier key text (surrounding whitespace allowed).  Errors: HF_EINVAL. */
HF_HIDDEN enum hf_err note_vkey_parse(const char *text, struct note_verifier *v);

/*
 * Sign @text (@len bytes, ending in "\n") and return the whole note
 * (malloc'd, caller frees) in *@out.  Errors: HF_EINVAL, HF_ECRYPTO, HF_ENOMEM.
 */
HF_HIDDEN enum hf_err note_sign(const struct note_signer *s, const char *text, size_t len,
                                char **out);

/*
 * Verify @note (@len bytes) against @v: true when it is well formed and
 * carries a valid signature by @v; *@text_len (may be NULL) gets the
 * length of the signed text.
 */
HF_HIDDEN bool note_verify(const struct note_verifier *v, const char *note, size_t len,
                           size_t *text_len);

/* A checkpoint's text for (@origin, @size, @root), malloc'd; NULL on ENOMEM. */
HF_HIDDEN char *checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32]);

/*
 * Parse the text of a checkpoint note (signatures not checked: see
 * note_verify).  @origin (may be NULL) must match.  Errors: HF_ECORRUPT.
 */
HF_HIDDEN enum hf_err checkpoint_parse(const char *note, size_t len, const char *origin,
                                       uint64_t *size, uint8_t root[32]);

#endif
