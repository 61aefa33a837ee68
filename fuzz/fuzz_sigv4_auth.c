/*
 * fuzz_sigv4_auth.c — libFuzzer target for the SigV4 request side: the
 * Authorization header and presigned-query parsers, canonicalisation,
 * verification and the body-checksum headers.
 *
 * INPUT  an HTTP/1.1 request as the test vectors hold it: "METHOD TARGET
 *        VERSION" line, "Name:value" header lines, an empty line, a body.
 *        Lines end with '\n'; anything may be anything.
 *
 * ORACLES (abort() on failure)
 *   (1) sigv4_parse either fails with a reason, or gives an auth whose
 *       credential date is the day of amz_date, whose SignedHeaders holds
 *       host, and whose time check at its own timestamp passes.
 *   (2) The canonical URI holds only unreserved characters, '/', and %XX
 *       in upper case, and canonicalising it again changes nothing.
 *   (3) verify returns only HF_OK, HF_ESIGNATURE, HF_EAUTHHEADERS or
 *       HF_EMALFORMED; and when the claimed signature is replaced by the
 *       one computed from sigv4_canonical_request, sigv4_string_to_sign and
 *       sigv4_signing_key, verify accepts it (the pieces and the whole
 *       agree).
 *   (4) The digest of the body ends in HF_OK or HF_EBADDIGEST once set up.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "s3/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXH 48
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static bool uri_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool unres = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unres || c == '/')
            continue;
        if (c != '%' || n - i < 3)
            return false;
        for (int k = 1; k <= 2; k++) {
            char h = s[i + (size_t)k];
            if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F')))
                return false;
        }
        i += 2;
    }
    return true;
}

static void check_uri(const char *path, size_t len)
{
    char *out = NULL, *again = NULL;
    size_t n, n2;

    if (sigv4_canonical_uri(path, len, &out, &n) != HF_OK) {
        if (out)
            abort();
        return;
    }
    if (strlen(out) != n || !uri_ok(out, n))
        abort();
    if (sigv4_canonical_uri(out, n, &again, &n2) != HF_OK || n2 != n || memcmp(out, again, n))
        abort();
    free(out);
    free(again);
}

static void check_auth(const struct sigv4_request *req)
{
    struct sigv4_auth a;
    enum hf_err rc = sigv4_parse(req, &a);
    char *canon = NULL, sts[SIGV4_STS_MAX];
    size_t clen;
    uint8_t key[SIGV4_KEY_LEN], sig[SIGV4_KEY_LEN];
    size_t siglen = 0;

    if (rc != HF_OK) {
        if (!a.why || a.access_key[0])
            abort();
        return;
    }
    if (a.why || memcmp(a.date, a.amz_date, 8) != 0 || strlen(a.amz_date) != 16 ||
        a.nsigned == 0 || !strstr(a.signed_headers, "host"))
        abort();
    if (sigv4_check_time(&a, a.time) != HF_OK)
        abort();

    rc = sigv4_verify(req, &a, SECRET, strlen(SECRET), NULL);
    if (rc != HF_OK && rc != HF_ESIGNATURE && rc != HF_EAUTHHEADERS && rc != HF_EMALFORMED)
        abort();
    if (rc == HF_EAUTHHEADERS || rc == HF_EMALFORMED)
        return;

    /* sign it ourselves from the pieces; verify must then accept */
    if (sigv4_canonical_request(req, &a, &canon, &clen) != HF_OK)
        abort();
    if (sigv4_string_to_sign(&a, canon, clen, sts) != HF_OK ||
        sigv4_signing_key(&a, SECRET, strlen(SECRET), key) != HF_OK)
        abort();
    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, sizeof(key),
                   (const unsigned char *)sts, strlen(sts), sig, sizeof(sig), &siglen))
        abort();
    memcpy(a.signature, sig, sizeof(sig));
    if (sigv4_verify(req, &a, SECRET, strlen(SECRET), NULL) != HF_OK)
        abort();
    free(canon);
}

static void check_digest(const struct sigv4_request *req, const uint8_t *body, size_t len)
{
    struct sigv4_digest d;
    enum hf_err rc = sigv4_digest_init(&d, req);

    if (rc == HF_OK) {
        size_t half = len / 2;
        if (sigv4_digest_update(&d, body, half) != HF_OK ||
            sigv4_digest_update(&d, body + half, len - half) != HF_OK)
            abort();
        rc = sigv4_digest_final(&d);
        if (rc != HF_OK && rc != HF_EBADDIGEST)
            abort();
    } else if (rc != HF_EMALFORMED || !d.why) {
        abort();
    }
    sigv4_digest_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size, *line = s, *nl, *sp1, *sp2, *q;
    struct sigv4_header h[MAXH];
    struct sigv4_param p[SIGV4_MAX_PARAMS];
    struct sigv4_request req;
    char method[32];
    size_t nh = 0, np = 0, mlen;

    memset(&req, 0, sizeof(req));
    nl = memchr(line, '\n', size);
    if (!nl)
        return 0;
    sp1 = memchr(line, ' ', (size_t)(nl - line));
    if (!sp1)
        return 0;
    for (sp2 = nl; sp2 > sp1 && *sp2 != ' '; sp2--)
        ;
    if (sp2 == sp1)
        sp2 = nl;
    mlen = (size_t)(sp1 - line);
    if (mlen >= sizeof(method))
        return 0;
    memcpy(method, line, mlen);
    method[mlen] = '\0';
    req.method = method;
    req.path = sp1 + 1;
    q = memchr(req.path, '?', (size_t)(sp2 - req.path));
    req.path_len = (size_t)((q ? q : sp2) - req.path);
    if (q && sigv4_split_query(q + 1, (size_t)(sp2 - q - 1), p, SIGV4_MAX_PARAMS, &np) != HF_OK)
        np = 0;
    line = nl + 1;
    while (line < end) {
        const char *colon;
        nl = memchr(line, '\n', (size_t)(end - line));
        if (!nl)
            nl = end;
        if (nl == line) {
            line++;
            break;
        }
        colon = memchr(line, ':', (size_t)(nl - line));
        if (colon && nh < MAXH) {
            h[nh].name = line;
            h[nh].name_len = (size_t)(colon - line);
            h[nh].value = colon + 1;
            h[nh].value_len = (size_t)(nl - colon - 1);
            nh++;
        }
        line = nl + 1;
    }
    if (line > end)
        line = end;
    req.headers = h;
    req.nheaders = nh;
    req.params = p;
    req.nparams = np;

    check_uri(req.path, req.path_len);
    check_auth(&req);
    check_digest(&req, (const uint8_t *)line, (size_t)(end - line));
    return 0;
}
