/*
 * fuzz_audit.c — libFuzzer target for the audit log's parsers, which
 * `holdfast audit verify-offline` runs on files anyone may hand it (an
 * export, a receipt, a key).
 *
 * The first input byte selects what the rest is fed to (byte % 5; the rest
 * is copied to a buffer of exactly its size, so ASan sees reads past it):
 *
 *   0 record_decode (an entry's leaf bytes), then audit_entry_json
 *   1 note_vkey_parse (a verifier key)
 *   2 checkpoint_parse (a checkpoint note's text)
 *   3 note_verify against a fixed key (a signed note)
 *   4 merkle_verify_inclusion / _consistency with fuzzed sizes and proofs
 *
 * ORACLES (abort() on failure)
 *   (1) An entry that decodes is canonical: record_encode of what was
 *       decoded gives back exactly the input, and audit_entry_json accepts it.
 *   (2) A checkpoint that parses is its own first three lines:
 *       checkpoint_text(first line, size, root) is a prefix of the input.
 *   (3) No fuzzed input verifies as a note signed by the fixed key unless its
 *       text is one the key signed here (it never signs anything: so never).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "audit/merkle.h"
#include "audit/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void record_case(const uint8_t *in, size_t n)
{
    struct audit_record *r = malloc(sizeof(*r));
    uint8_t *again = malloc(AUDIT_RECORD_MAX);
    size_t len;

    if (!r || !again)
        abort();
    if (record_decode(in, n, r) == HF_OK) {
        if (record_encode(r, again, AUDIT_RECORD_MAX, &len) != HF_OK || len != n ||
            memcmp(again, in, n) != 0)
            abort();                                            /* oracle 1 */
        json_t *j = audit_entry_json(r->seq, in, n);
        if (!j)
            abort();
        json_decref(j);
    }
    free(again);
    free(r);
}

static void checkpoint_case(const char *in, size_t n)
{
    uint8_t root[32];
    uint64_t size;
    const char *nl = memchr(in, '\n', n);

    if (checkpoint_parse(in, n, NULL, &size, root) != HF_OK)
        return;
    if (!nl)
        abort();
    char *origin = strndup(in, (size_t)(nl - in));
    char *text = origin ? checkpoint_text(origin, size, root) : NULL;
    if (!text || strlen(text) > n || memcmp(text, in, strlen(text)) != 0)
        abort();                                                /* oracle 2 */
    free(text);
    free(origin);
}

static void note_case(const char *in, size_t n)
{
    static struct note_verifier v;
    static bool ready;

    if (!ready) {
        struct note_signer s;
        uint8_t seed[32] = { 42 };
        if (note_signer_from_seed("holdfast/fuzz", seed, &s) != HF_OK)
            abort();
        memcpy(v.name, s.name, sizeof(v.name));
        memcpy(v.pub, s.pub, 32);
        memcpy(v.keyhash, s.keyhash, 4);
        ready = true;
    }
    if (note_verify(&v, in, n, NULL))
        abort();                                                /* oracle 3 */
}

static void merkle_case(const uint8_t *in, size_t n)
{
    uint8_t a[32] = { 0 }, b[32] = { 0 }, (*path)[32];
    uint64_t x = 0, y = 0;
    size_t np;

    if (n < 16 + 64)
        return;
    memcpy(&x, in, 8);
    memcpy(&y, in + 8, 8);
    memcpy(a, in + 16, 32);
    memcpy(b, in + 48, 32);
    np = (n - 80) / 32;
    path = np ? (uint8_t(*)[32])(in + 80) : NULL;
    (void)merkle_verify_inclusion(a, x % 4096, y % 4096 + 1, b, (const uint8_t(*)[32])path,
                                  np > MERKLE_MAX_PROOF ? MERKLE_MAX_PROOF : np);
    (void)merkle_verify_consistency(x % 4096, a, y % 4096, b, (const uint8_t(*)[32])path,
                                    np > MERKLE_MAX_PROOF ? MERKLE_MAX_PROOF : np);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct note_verifier v;
    uint8_t *buf;
    size_t n;

    if (size < 1)
        return 0;
    n = size - 1;
    buf = malloc(n ? n : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, n);
    switch (data[0] % 5) {
    case 0: record_case(buf, n); break;
    case 1: {
        char *s = strndup((const char *)buf, n);
        if (s)
            (void)note_vkey_parse(s, &v);
        free(s);
        break;
    }
    case 2: checkpoint_case((const char *)buf, n); break;
    case 3: note_case((const char *)buf, n); break;
    default: merkle_case(buf, n); break;
    }
    free(buf);
    return 0;
}
