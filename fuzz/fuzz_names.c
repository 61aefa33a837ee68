/*
 * fuzz_names.c — libFuzzer target for the name parsers and checks.
 *
 * Every one of these reads bytes a client or a disk chose:
 *   hf_key_check          object keys (UTF-8 validation), from clients
 *   hf_bucket_name_check  bucket names, from clients
 *   hf_unhex              version ids, from clients (32 hex digits)
 *   backend_parse_name    shard file names found by walking a backend
 *                         directory, which anyone with access can populate
 *
 * ORACLES (abort() on failure)
 *   (1) hf_key_check agrees with key_ok() below, an independent validator
 *       written from the Unicode well-formed byte sequence table (Unicode
 *       15, table 3-7) and the documented length and NUL rules.
 *   (2) hf_bucket_name_check agrees with bucket_ok() below: 3-63 of
 *       [a-z0-9.-], first and last a letter or digit, no "..", ".-" or
 *       "-.", and not an IPv4 address (four dot-separated groups of
 *       digits): the S3 rules the library enforces.
 *   (3) hf_unhex accepts only exactly 32 hex digits, and hf_hex of what it
 *       parsed spells the input again (ignoring case: it accepts A-F).
 *   (4) When backend_parse_name accepts a name, backend_shard_name of the
 *       parsed values reproduces that name byte for byte: a shard file has
 *       exactly one name, so no second file can alias a live shard.
 *
 * The C-string functions get a NUL-terminated copy of the input, so they
 * see the input up to its first NUL.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of a well-formed UTF-8 sequence at @s (@n bytes left), or 0. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t lo = 0x80, hi = 0xbf;
    size_t len;

    if (s[0] <= 0x7f)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    /* The second byte's range depends on the first (no overlongs,
     * no surrogates, nothing above U+10FFFF). */
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static bool key_ok(const uint8_t *s, size_t n)
{
    if (n == 0 || n > HF_KEY_MAX)
        return false;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq(s + i, n - i);
        if (len == 0 || s[i] == 0)
            return false;
        i += len;
    }
    return true;
}

/* Four non-empty groups of decimal digits joined by dots, and nothing else. */
static bool ipv4_like(const char *s)
{
    for (int group = 0; group < 4; group++) {
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
        if (group < 3 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}

static bool bucket_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '-')
            return false;
    }
    if (!(s[0] >= 'a' && s[0] <= 'z') && !(s[0] >= '0' && s[0] <= '9'))
        return false;
    if (!(s[n - 1] >= 'a' && s[n - 1] <= 'z') && !(s[n - 1] >= '0' && s[n - 1] <= '9'))
        return false;
    if (strstr(s, "..") || strstr(s, ".-") || strstr(s, "-."))
        return false;
    return !ipv4_like(s);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void check_unhex(const char *s)
{
    uint8_t vid[16];
    char hex[33];

    if (hf_unhex(s, vid, 16) != 0)
        return;
    if (strlen(s) != 32)
        abort();
    hf_hex(vid, 16, hex);
    for (size_t i = 0; i < 32; i++)
        if (hex[i] != lower(s[i]))
            abort();
}

static void check_shard_name(const char *s)
{
    uint8_t vid[16];
    unsigned index, gen;
    char again[BE_NAME_MAX];

    if (backend_parse_name(s, vid, &index, &gen) != 0)
        return;
    if (index >= HF_MAX_SHARDS)
        abort();
    backend_shard_name(vid, index, gen, again);
    if (strcmp(again, s) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;

    if ((hf_key_check((const char *)data, size) == HF_OK) != key_ok(data, size))
        abort();

    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if ((hf_bucket_name_check(s) == HF_OK) != bucket_ok(s))
        abort();
    check_unhex(s);
    check_shard_name(s);
    free(s);
    return 0;
}
