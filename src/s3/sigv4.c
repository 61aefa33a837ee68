/*
 * sigv4.c — AWS Signature Version 4: parsing, canonical requests,
 * verification, aws-chunked decoding and payload checksums.
 *
 * Owns every interpretation of SigV4 in holdfast: the Authorization header
 * and presigned-query grammar, the canonical request, the signing-key
 * chain, the aws-chunked wire format and the x-amz-checksum-* values.  It
 * knows nothing of HTTP libraries or of the store.
 *
 * FORMAT (the canonical request, S3 flavour)
 *   METHOD \n
 *   URI     the raw path with each %XX decoded and every byte encoded once:
 *           A-Za-z0-9-._~ kept, '/' kept, the rest %XX upper case \n
 *   QUERY   name=value for every parameter (decoded, then encoded as above
 *           with '/' encoded too; '+' is a literal plus), sorted by encoded
 *           name then value, joined by '&'; X-Amz-Signature left out when
 *           presigned \n
 *   HEADERS for each signed header, in SignedHeaders order (sorted):
 *           name ':' values trimmed, whitespace runs collapsed to one
 *           space, repeated headers joined by ',' \n
 *   \n
 *   SignedHeaders \n
 *   payload hash (x-amz-content-sha256, or UNSIGNED-PAYLOAD when presigned
 *           without it)
 *
 * STATES (the aws-chunked decoder; the function behind each transition)
 *   SIZE     --header line, size > 0 (chunk_header)--------------> DATA
 *   SIZE     --header line, size 0 (chunk_header: signature)------> TRAILER
 *   DATA     --last byte of the chunk (chunk_end: signature)------> DATA_CR
 *   DATA_CR  --'\r'--> DATA_LF --'\n'--------------------------------> SIZE
 *   TRAILER  --"name:value" line (trailer_line)-------------------> TRAILER
 *   TRAILER  --empty line (trailers_end: signature, sum, length)---> DONE
 *   DONE     --any byte------------------------------------------> FAILED
 *   any      --error (chunked_fail)-----------------------------> FAILED
 *
 * INVARIANTS
 *   (1) Signatures and checksums are compared with CRYPTO_memcmp.
 *   (2) Every buffer filled from client input has a cap (SIGV4_* in
 *       sigv4.h); going over one is an error, never a silent truncation.
 *   (3) Nothing a client sends trips an assert: malformed input is an
 *       hf_err with a static reason in `why`.
 *   (4) The decoder never emits a byte beyond x-amz-decoded-content-length,
 *       and reports success only after the final chunk, every signature,
 *       the trailer checksum and the decoded length were all checked.
 *   (5) A failed decoder stays failed (chunked_fail is the only way into
 *       FAILED, and nothing leaves it).
 *   (6) Signing keys and intermediate HMAC keys are wiped with
 *       OPENSSL_cleanse when they go out of use.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zlib.h>

#include "s3/crc64nvme.h"
#include "s3/sigv4.h"
#include "banned.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */

static bool is_unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* @a (@alen bytes, any case) equals NUL-terminated lower-case @b. */
static bool ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);

    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != b[i])
            return false;
    return true;
}

/* @a (@alen bytes) equals NUL-terminated @b exactly. */
static bool eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);

    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Trim whitespace on both sides of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_ws((*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_ws((*s)[*n - 1]))
        (*n)--;
}

/* Exactly 2*@outlen hex digits at @in (@len bytes) into @out; -1 otherwise. */
static int unhex_n(const char *in, size_t len, uint8_t *out, size_t outlen)
{
    if (len != 2 * outlen)
        return -1;
    for (size_t i = 0; i < outlen; i++) {
        int hi = hf_hexval((unsigned char)in[2 * i]);
        int lo = hf_hexval((unsigned char)in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int sigv4_pct_decode(const char *in, size_t len, char *out, size_t max, size_t *outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            int hi, lo;
            if (len - i < 3)
                return -1;
            hi = hf_hexval((unsigned char)in[i + 1]);
            lo = hf_hexval((unsigned char)in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (o >= max)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    *outlen = o;
    return 0;
}

/* ---- a capped string builder ---- */

struct sb {
    char *p;
    size_t len, cap, max;
    enum hf_err err;                   /* the first error; later puts do nothing */
};

static void sb_init(struct sb *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

static void sb_put(struct sb *b, const void *s, size_t n)
{
    if (b->err)
        return;
    if (n > b->max - b->len) {
        b->err = HF_EMALFORMED;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        char *np;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->max + 1)
            cap = b->max + 1;
        np = realloc(b->p, cap);
        if (!np) {
            b->err = HF_ENOMEM;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* Encode byte @c once: unreserved as is, the rest %XX upper case. */
static void sb_enc(struct sb *b, uint8_t c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3];

    if (is_unreserved(c)) {
        e[0] = (char)c;
        sb_put(b, e, 1);
        return;
    }
    e[0] = '%';
    e[1] = hex[c >> 4];
    e[2] = hex[c & 15];
    sb_put(b, e, 3);
}

/*
 * Decode each %XX of @in and encode every resulting byte once; a literal
 * '/' is kept when @keep_slash.  HF_EMALFORMED on a bad escape.
 */
static enum hf_err sb_reencode(struct sb *b, const char *in, size_t len, bool keep_slash)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)in[i];
        if (c == '/' && keep_slash) {
            sb_put(b, "/", 1);
            continue;
        }
        if (c == '%') {
            int hi, lo;
            if (len - i < 3)
                return HF_EMALFORMED;
            hi = hf_hexval((unsigned char)in[i + 1]);
            lo = hf_hexval((unsigned char)in[i + 2]);
            if (hi < 0 || lo < 0)
                return HF_EMALFORMED;
            c = (uint8_t)(hi << 4 | lo);
            i += 2;
        }
        sb_enc(b, c);
    }
    return b->err;
}

/* Append @v trimmed, with every whitespace run inside collapsed to one space. */
static void sb_put_value(struct sb *b, const char *v, size_t n)
{
    bool pending = false, any = false;
    size_t i = 0;

    while (i < n) {
        size_t j;
        if (is_ws(v[i])) {
            pending = any;
            i++;
            continue;
        }
        if (pending)
            sb_put(b, " ", 1);
        pending = false;
        for (j = i; j < n && !is_ws(v[j]); j++)
            ;
        sb_put(b, v + i, j - i);
        any = true;
        i = j;
    }
}

/* Hand the built string to the caller (an empty one is "", never NULL). */
static enum hf_err sb_finish(struct sb *b, char **out, size_t *outlen)
{
    if (!b->err && !b->p)
        sb_put(b, "", 0);           /* allocates: "" rather than NULL */
    if (b->err) {
        free(b->p);
        b->p = NULL;
        return b->err;
    }
    *out = b->p;
    *outlen = b->len;
    b->p = NULL;
    return HF_OK;
}

/* ---- crypto ---- */

static enum hf_err hmac256(const uint8_t *key, size_t keylen, const void *msg, size_t len,
                           uint8_t out[SIGV4_KEY_LEN])
{
    size_t outlen = 0;

    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, msg, len, out,
                   SIGV4_KEY_LEN, &outlen) ||
        outlen != SIGV4_KEY_LEN)
        return HF_ECRYPTO;
    return HF_OK;
}

static enum hf_err sha256(const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;

    if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != 32)
        return HF_ECRYPTO;
    return HF_OK;
}

/* ---- dates ---- */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a valid proleptic Gregorian date (y >= 1970). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = m > 2 ? m - 3 : m + 9;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* @n decimal digits at @s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

struct tm_fields {
    int y, mo, d, h, mi, s;
};

static bool fields_valid(const struct tm_fields *f)
{
    return f->y >= 1970 && f->y <= 9999 && f->mo >= 1 && f->mo <= 12 && f->d >= 1 &&
           f->d <= month_days(f->y, f->mo) && f->h >= 0 && f->h <= 23 && f->mi >= 0 &&
           f->mi <= 59 && f->s >= 0 && f->s <= 59;
}

static int64_t fields_time(const struct tm_fields *f)
{
    return days_from_civil(f->y, f->mo, f->d) * 86400 + f->h * 3600 + f->mi * 60 + f->s;
}

static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* YYYYMMDDTHHMMSSZ into @out[17]. */
static void fields_amz(const struct tm_fields *f, char out[17])
{
    put_digits(out, f->y, 4);
    put_digits(out + 4, f->mo, 2);
    put_digits(out + 6, f->d, 2);
    out[8] = 'T';
    put_digits(out + 9, f->h, 2);
    put_digits(out + 11, f->mi, 2);
    put_digits(out + 13, f->s, 2);
    out[15] = 'Z';
    out[16] = '\0';
}

/* The ISO 8601 basic form YYYYMMDD'T'HHMMSS'Z'; -1 when invalid. */
static int parse_amz_date(const char *s, size_t n, struct tm_fields *f)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    f->y = digits(s, 4);
    f->mo = digits(s + 4, 2);
    f->d = digits(s + 6, 2);
    f->h = digits(s + 9, 2);
    f->mi = digits(s + 11, 2);
    f->s = digits(s + 13, 2);
    return fields_valid(f) ? 0 : -1;
}

/*
 * The HTTP IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", or the same with an
 * RFC 2822 zero zone " +0000" / " -0000" (Python's email.utils.formatdate,
 * which botocore sends as Date); -1 when invalid.
 */
static int parse_http_date(const char *s, size_t n, struct tm_fields *f)
{
    static const char *const wdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    bool wd = false;
    bool gmt = n == 29 && memcmp(s + 25, " GMT", 4) == 0;
    bool zero = n == 31 && (memcmp(s + 25, " +0000", 6) == 0 || memcmp(s + 25, " -0000", 6) == 0);

    if (!(gmt || zero) || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':')
        return -1;
    for (int i = 0; i < 7; i++)
        wd |= memcmp(s, wdays[i], 3) == 0;
    if (!wd)
        return -1;
    f->mo = 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, months[i], 3) == 0)
            f->mo = i + 1;
    f->d = digits(s + 5, 2);
    f->y = digits(s + 12, 4);
    f->h = digits(s + 17, 2);
    f->mi = digits(s + 20, 2);
    f->s = digits(s + 23, 2);
    return fields_valid(f) ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* the request                                                         */
/* ------------------------------------------------------------------ */

enum hf_err sigv4_split_query(const char *query, size_t len, struct sigv4_param *out,
                              size_t max, size_t *n)
{
    size_t i = 0, count = 0;

    *n = 0;
    if (len > SIGV4_QUERY_MAX)
        return HF_EMALFORMED;
    while (i < len) {
        const char *seg = query + i;
        const char *amp = memchr(seg, '&', len - i);
        size_t seglen = amp ? (size_t)(amp - seg) : len - i;
        const char *eqs;

        i += seglen + 1;
        if (seglen == 0)
            continue;
        if (count == max)
            return HF_EMALFORMED;
        eqs = memchr(seg, '=', seglen);
        out[count].name = seg;
        out[count].name_len = eqs ? (size_t)(eqs - seg) : seglen;
        out[count].value = eqs ? eqs + 1 : seg + seglen;
        out[count].value_len = eqs ? seglen - (size_t)(eqs - seg) - 1 : 0;
        count++;
    }
    *n = count;
    return HF_OK;
}

/* The header named @name (lower case): NULL when absent; *@count how many. */
static const struct sigv4_header *find_header(const struct sigv4_request *req,
                                              const char *name, size_t *count)
{
    const struct sigv4_header *found = NULL;
    size_t c = 0;

    for (size_t i = 0; i < req->nheaders; i++) {
        if (ieq(req->headers[i].name, req->headers[i].name_len, name)) {
            if (!found)
                found = &req->headers[i];
            c++;
        }
    }
    if (count)
        *count = c;
    return found;
}

/* Whether the decoded name of parameter @p is exactly @name. */
static bool param_is(const struct sigv4_param *p, const char *name)
{
    char buf[64];
    size_t n;

    if (p->name_len >= 3 * sizeof(buf))
        return false;
    if (!memchr(p->name, '%', p->name_len))
        return eq(p->name, p->name_len, name);
    if (sigv4_pct_decode(p->name, p->name_len, buf, sizeof(buf) - 1, &n) != 0)
        return false;
    return eq(buf, n, name);
}

/* The parameter named @name: NULL when absent; *@count how many. */
static const struct sigv4_param *find_param(const struct sigv4_request *req,
                                            const char *name, size_t *count)
{
    const struct sigv4_param *found = NULL;
    size_t c = 0;

    for (size_t i = 0; i < req->nparams; i++) {
        if (param_is(&req->params[i], name)) {
            if (!found)
                found = &req->params[i];
            c++;
        }
    }
    if (count)
        *count = c;
    return found;
}

/* ------------------------------------------------------------------ */
/* parsing the claim                                                   */
/* ------------------------------------------------------------------ */

static bool name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
}

/* Fail parsing with @rc and reason @why. */
static enum hf_err parse_fail(struct sigv4_auth *a, enum hf_err rc, const char *why)
{
    a->why = why;
    return rc;
}

/* "AKID/YYYYMMDD/region/service/aws4_request" into @a. */
static enum hf_err parse_credential(struct sigv4_auth *a, const char *v, size_t n)
{
    const char *part[5];
    size_t plen[5], k = 0, start = 0;
    struct tm_fields f;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || v[i] == '/') {
            if (k == 5)
                return parse_fail(a, HF_EAUTHMALFORMED,
                                  "the Credential has more than 5 parts");
            part[k] = v + start;
            plen[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    if (k != 5)
        return parse_fail(a, HF_EAUTHMALFORMED,
                          "the Credential must be AKID/date/region/service/aws4_request");
    if (plen[0] == 0 || plen[0] > SIGV4_AKID_MAX)
        return parse_fail(a, HF_EAUTHMALFORMED, "bad access key id in the Credential");
    for (size_t i = 0; i < plen[0]; i++)
        if (!name_char(part[0][i]))
            return parse_fail(a, HF_EAUTHMALFORMED, "bad access key id in the Credential");
    if (plen[1] != 8 || (f.y = digits(part[1], 4)) < 0 || (f.mo = digits(part[1] + 4, 2)) < 0 ||
        (f.d = digits(part[1] + 6, 2)) < 0)
        return parse_fail(a, HF_EAUTHMALFORMED, "bad date in the Credential");
    f.h = f.mi = f.s = 0;
    if (!fields_valid(&f))
        return parse_fail(a, HF_EAUTHMALFORMED, "bad date in the Credential");
    if (plen[2] == 0 || plen[2] > SIGV4_REGION_MAX || plen[3] == 0 ||
        plen[3] > SIGV4_SERVICE_MAX)
        return parse_fail(a, HF_EAUTHMALFORMED, "bad region or service in the Credential");
    for (size_t i = 0; i < plen[2]; i++)
        if (!name_char(part[2][i]))
            return parse_fail(a, HF_EAUTHMALFORMED, "bad region in the Credential");
    for (size_t i = 0; i < plen[3]; i++)
        if (!name_char(part[3][i]))
            return parse_fail(a, HF_EAUTHMALFORMED, "bad service in the Credential");
    if (!eq(part[4], plen[4], "aws4_request"))
        return parse_fail(a, HF_EAUTHMALFORMED, "the Credential must end with aws4_request");
    memcpy(a->access_key, part[0], plen[0]);
    a->access_key[plen[0]] = '\0';
    memcpy(a->date, part[1], 8);
    a->date[8] = '\0';
    memcpy(a->region, part[2], plen[2]);
    a->region[plen[2]] = '\0';
    memcpy(a->service, part[3], plen[3]);
    a->service[plen[3]] = '\0';
    /* date/region/service/aws4_request: fits SIGV4_SCOPE_MAX by the caps above */
    snprintf(a->scope, sizeof(a->scope), "%s/%s/%s/aws4_request", a->date, a->region,
             a->service);
    return HF_OK;
}

static bool tchar_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+.^_`|~-", c));
}

/* "a;b;c": lower case, sorted, unique, host among them. */
static enum hf_err parse_signed_headers(struct sigv4_auth *a, const char *v, size_t n)
{
    const char *prev = NULL;
    size_t prevlen = 0, count = 0, start = 0;
    bool host = false;

    if (n == 0 || n > SIGV4_SIGNED_MAX)
        return parse_fail(a, HF_EAUTHMALFORMED, "SignedHeaders is empty or too long");
    for (size_t i = 0; i <= n; i++) {
        const char *name;
        size_t len, common;
        int cmp;

        if (i < n && v[i] != ';') {
            if (!tchar_lower(v[i]))
                return parse_fail(a, HF_EAUTHMALFORMED,
                                  "SignedHeaders must be lower-case header names");
            continue;
        }
        name = v + start;
        len = i - start;
        start = i + 1;
        if (len == 0)
            return parse_fail(a, HF_EAUTHMALFORMED, "empty name in SignedHeaders");
        if (prev) {
            common = len < prevlen ? len : prevlen;
            cmp = memcmp(prev, name, common);
            if (cmp > 0 || (cmp == 0 && prevlen >= len))
                return parse_fail(a, HF_EAUTHMALFORMED,
                                  "SignedHeaders must be sorted and without repeats");
        }
        if (++count > SIGV4_MAX_SIGNED)
            return parse_fail(a, HF_EAUTHMALFORMED, "too many SignedHeaders");
        host |= eq(name, len, "host");
        prev = name;
        prevlen = len;
    }
    if (!host)
        return parse_fail(a, HF_EAUTHHEADERS, "the host header must be signed");
    memcpy(a->signed_headers, v, n);
    a->signed_headers[n] = '\0';
    a->nsigned = count;
    return HF_OK;
}

static enum hf_err parse_signature(struct sigv4_auth *a, const char *v, size_t n)
{
    if (unhex_n(v, n, a->signature, SIGV4_KEY_LEN) != 0)
        return parse_fail(a, HF_EAUTHMALFORMED, "the Signature must be 64 hex digits");
    return HF_OK;
}

/* Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=... */
static enum hf_err parse_header_auth(struct sigv4_auth *a, const struct sigv4_header *h)
{
    const char *v = h->value, *cred = NULL, *sh = NULL, *sig = NULL;
    size_t n = h->value_len, i = 0, alg, credlen = 0, shlen = 0, siglen = 0;
    enum hf_err rc;

    trim(&v, &n);
    if (n == 0 || n > SIGV4_AUTHZ_MAX)
        return parse_fail(a, HF_EAUTHMALFORMED, "the Authorization header is empty or too long");
    while (i < n && !is_ws(v[i]))
        i++;
    alg = i;
    if (alg > strlen(ALGORITHM) && memcmp(v, ALGORITHM, strlen(ALGORITHM)) == 0)
        return parse_fail(a, HF_EAUTHMALFORMED,
                          "the Authorization header needs a space after AWS4-HMAC-SHA256");
    if (!eq(v, alg, ALGORITHM))
        return parse_fail(a, HF_EAUTHALGORITHM,
                          "only AWS4-HMAC-SHA256 (Signature Version 4) is supported");
    while (i < n) {
        const char *comp, *eqs, *val;
        size_t clen, nlen, vlen;
        const char *comma = memchr(v + i, ',', n - i);

        comp = v + i;
        clen = comma ? (size_t)(comma - comp) : n - i;
        i += clen + 1;
        if (comma && i >= n)
            return parse_fail(a, HF_EAUTHMALFORMED,
                              "the Authorization header ends with a comma");
        trim(&comp, &clen);
        eqs = memchr(comp, '=', clen);
        if (!eqs)
            return parse_fail(a, HF_EAUTHMALFORMED,
                              "the Authorization header has a component without '='");
        nlen = (size_t)(eqs - comp);
        val = eqs + 1;
        vlen = clen - nlen - 1;
        if (eq(comp, nlen, "Credential") && !cred) {
            cred = val;
            credlen = vlen;
        } else if (eq(comp, nlen, "SignedHeaders") && !sh) {
            sh = val;
            shlen = vlen;
        } else if (eq(comp, nlen, "Signature") && !sig) {
            sig = val;
            siglen = vlen;
        } else {
            return parse_fail(a, HF_EAUTHMALFORMED,
                              "the Authorization header has an unknown or repeated component");
        }
    }
    if (!cred || !sh || !sig)
        return parse_fail(a, HF_EAUTHMALFORMED,
                          "the Authorization header needs Credential, SignedHeaders and Signature");
    rc = parse_credential(a, cred, credlen);
    if (rc == HF_OK)
        rc = parse_signed_headers(a, sh, shlen);
    if (rc == HF_OK)
        rc = parse_signature(a, sig, siglen);
    return rc;
}

/* The request time of a header-signed request: x-amz-date, else Date. */
static enum hf_err parse_header_date(struct sigv4_auth *a, const struct sigv4_request *req)
{
    static const char *const bad = "AWS authentication requires a valid Date or x-amz-date header";
    struct tm_fields f;
    size_t count;
    const struct sigv4_header *h = find_header(req, "x-amz-date", &count);
    const char *v;
    size_t n;

    if (count > 1)
        return parse_fail(a, HF_EAUTHHEADERS, bad);
    if (h) {
        v = h->value;
        n = h->value_len;
        trim(&v, &n);
        if (parse_amz_date(v, n, &f) != 0)
            return parse_fail(a, HF_EAUTHHEADERS, bad);
    } else {
        h = find_header(req, "date", &count);
        if (!h || count > 1)
            return parse_fail(a, HF_EAUTHHEADERS, bad);
        v = h->value;
        n = h->value_len;
        trim(&v, &n);
        if (parse_http_date(v, n, &f) != 0)
            return parse_fail(a, HF_EAUTHHEADERS, bad);
    }
    fields_amz(&f, a->amz_date);
    a->time = fields_time(&f);
    return HF_OK;
}

/* Decode presigned parameter @p into @buf (room for @max); malformed when bad. */
static enum hf_err query_value(struct sigv4_auth *a, const struct sigv4_param *p, char *buf,
                               size_t max, size_t *n)
{
    if (sigv4_pct_decode(p->value, p->value_len, buf, max, n) != 0)
        return parse_fail(a, HF_EAUTHMALFORMED, "a presigned query parameter is badly encoded");
    return HF_OK;
}

static enum hf_err parse_query_auth(struct sigv4_auth *a, const struct sigv4_request *req)
{
    static const char *const names[] = { "X-Amz-Algorithm", "X-Amz-Credential",
                                         "X-Amz-Date", "X-Amz-Expires",
                                         "X-Amz-SignedHeaders", "X-Amz-Signature" };
    const struct sigv4_param *p[6];
    char buf[SIGV4_SIGNED_MAX + 1];
    struct tm_fields f;
    size_t n;
    int64_t exp = 0;
    enum hf_err rc;

    for (int i = 0; i < 6; i++) {
        size_t count;
        p[i] = find_param(req, names[i], &count);
        if (!p[i])
            return parse_fail(a, HF_EAUTHMALFORMED,
                              "Query-string authentication requires the X-Amz-Algorithm, "
                              "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "
                              "X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        if (count > 1)
            return parse_fail(a, HF_EAUTHMALFORMED, "a presigned query parameter is repeated");
    }
    if ((rc = query_value(a, p[0], buf, 64, &n)) != HF_OK)
        return rc;
    if (!eq(buf, n, ALGORITHM))
        return parse_fail(a, HF_EAUTHALGORITHM, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    if ((rc = query_value(a, p[1], buf, sizeof(buf) - 1, &n)) != HF_OK ||
        (rc = parse_credential(a, buf, n)) != HF_OK)
        return rc;
    if ((rc = query_value(a, p[2], buf, 64, &n)) != HF_OK)
        return rc;
    if (parse_amz_date(buf, n, &f) != 0)
        return parse_fail(a, HF_EAUTHMALFORMED, "X-Amz-Date must be in the ISO8601 Long Format "
                                                "\"yyyyMMdd'T'HHmmss'Z'\"");
    fields_amz(&f, a->amz_date);
    a->time = fields_time(&f);
    if ((rc = query_value(a, p[3], buf, 64, &n)) != HF_OK)
        return rc;
    if (n == 0 || n > 7)
        return parse_fail(a, HF_EAUTHMALFORMED, "X-Amz-Expires must be a number from 1 to 604800");
    for (size_t i = 0; i < n; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return parse_fail(a, HF_EAUTHMALFORMED,
                              "X-Amz-Expires must be a number from 1 to 604800");
        exp = exp * 10 + (buf[i] - '0');
    }
    if (exp < 1 || exp > SIGV4_EXPIRES_MAX)
        return parse_fail(a, HF_EAUTHMALFORMED,
                          "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    a->expires = exp;
    if ((rc = query_value(a, p[4], buf, sizeof(buf) - 1, &n)) != HF_OK ||
        (rc = parse_signed_headers(a, buf, n)) != HF_OK)
        return rc;
    if ((rc = query_value(a, p[5], buf, 128, &n)) != HF_OK)
        return rc;
    return parse_signature(a, buf, n);
}

static enum hf_err parse_payload(struct sigv4_auth *a, const struct sigv4_request *req)
{
    static const struct {
        const char *value;
        enum sigv4_payload kind;
    } kinds[] = {
        { "UNSIGNED-PAYLOAD", SIGV4_PAYLOAD_UNSIGNED },
        { "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", SIGV4_PAYLOAD_STREAMING },
        { "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", SIGV4_PAYLOAD_STREAMING_TRAILER },
        { "STREAMING-UNSIGNED-PAYLOAD-TRAILER", SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER },
    };
    size_t count, n;
    const struct sigv4_header *h = find_header(req, "x-amz-content-sha256", &count);
    const char *v;
    uint8_t hash[32];

    if (count > 1)
        return parse_fail(a, HF_EMALFORMED, "x-amz-content-sha256 is repeated");
    if (!h) {
        if (!a->presigned)
            return parse_fail(a, HF_EAUTHHEADERS,
                              "Missing required header for this request: x-amz-content-sha256");
        a->payload = SIGV4_PAYLOAD_UNSIGNED;
        memcpy(a->payload_hash, "UNSIGNED-PAYLOAD", sizeof("UNSIGNED-PAYLOAD"));
        return HF_OK;
    }
    v = h->value;
    n = h->value_len;
    trim(&v, &n);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (eq(v, n, kinds[i].value)) {
            a->payload = kinds[i].kind;
            memcpy(a->payload_hash, v, n);
            a->payload_hash[n] = '\0';
            return HF_OK;
        }
    }
    if (unhex_n(v, n, hash, sizeof(hash)) == 0) {
        a->payload = SIGV4_PAYLOAD_SHA256;
        memcpy(a->payload_hash, v, n);
        a->payload_hash[n] = '\0';
        return HF_OK;
    }
    if (n > 19 && memcmp(v, "STREAMING-AWS4-ECDSA", 20) == 0)
        return parse_fail(a, HF_EAUTHALGORITHM, "Signature Version 4A (ECDSA) is not supported");
    return parse_fail(a, HF_EMALFORMED,
                      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-..., "
                      "or a valid sha256 value");
}

enum hf_err sigv4_parse(const struct sigv4_request *req, struct sigv4_auth *auth)
{
    static const char *const qnames[] = { "X-Amz-Algorithm", "X-Amz-Credential",
                                          "X-Amz-Signature", "X-Amz-SignedHeaders" };
    const struct sigv4_header *authz;
    size_t nauthz;
    bool query = false;
    enum hf_err rc;

    memset(auth, 0, sizeof(*auth));
    if (req->nheaders > SIGV4_MAX_HEADERS || req->nparams > SIGV4_MAX_PARAMS) {
        rc = parse_fail(auth, HF_EMALFORMED, "too many headers or query parameters");
        goto out;
    }
    authz = find_header(req, "authorization", &nauthz);
    for (int i = 0; i < 4; i++)
        query |= find_param(req, qnames[i], NULL) != NULL;
    if (nauthz > 1) {
        rc = parse_fail(auth, HF_EAUTHMALFORMED, "more than one Authorization header");
    } else if (authz && query) {
        rc = parse_fail(auth, HF_EAUTHMALFORMED, "Only one auth mechanism allowed; only the "
                                                 "X-Amz-Algorithm query parameter or the "
                                                 "Authorization header should be specified");
    } else if (authz) {
        rc = parse_header_auth(auth, authz);
        if (rc == HF_OK)
            rc = parse_header_date(auth, req);
    } else if (query) {
        auth->presigned = true;
        rc = parse_query_auth(auth, req);
    } else if (find_param(req, "AWSAccessKeyId", NULL) && find_param(req, "Signature", NULL)) {
        rc = parse_fail(auth, HF_EAUTHALGORITHM,
                        "Signature Version 2 is not supported; use AWS4-HMAC-SHA256");
    } else {
        rc = parse_fail(auth, HF_ENOTFOUND, "the request is not signed");
    }
    if (rc == HF_OK && memcmp(auth->date, auth->amz_date, 8) != 0)
        rc = parse_fail(auth, HF_EAUTHMALFORMED, "Invalid credential date. Date is not the same as X-Amz-Date.");
    if (rc == HF_OK)
        rc = parse_payload(auth, req);
out:
    if (rc != HF_OK) {
        const char *why = auth->why;
        bool presigned = auth->presigned;
        memset(auth, 0, sizeof(*auth));
        auth->why = why;
        auth->presigned = presigned;
    } else {
        auth->why = NULL;
    }
    return rc;
}

enum hf_err sigv4_check_time(struct sigv4_auth *auth, int64_t now)
{
    if (auth->time > now + SIGV4_SKEW_S) {
        auth->why = auth->presigned
                        ? "Request is not valid yet: X-Amz-Date is in the future"
                        : "The difference between the request time and the current time is too "
                          "large.";
        return HF_ESKEWED;
    }
    if (!auth->presigned && auth->time < now - SIGV4_SKEW_S) {
        auth->why = "The difference between the request time and the current time is too large.";
        return HF_ESKEWED;
    }
    if (auth->presigned && now > auth->time + auth->expires) {
        auth->why = "Request has expired";
        return HF_EEXPIRED;
    }
    auth->why = NULL;
    return HF_OK;
}

/* ------------------------------------------------------------------ */
/* the canonical request                                               */
/* ------------------------------------------------------------------ */

enum hf_err sigv4_canonical_uri(const char *path, size_t len, char **out, size_t *outlen)
{
    struct sb b;
    enum hf_err rc;

    *out = NULL;
    *outlen = 0;
    if (len == 0 || path[0] != '/' || len > SIGV4_PATH_MAX)
        return HF_EMALFORMED;
    sb_init(&b, 3 * SIGV4_PATH_MAX);
    rc = sb_reencode(&b, path, len, true);
    if (rc != HF_OK) {
        free(b.p);
        return rc;
    }
    return sb_finish(&b, out, outlen);
}

struct qpair {
    size_t ko, kl, vo, vl;             /* offsets into the encoded buffer */
    const char *base;
};

static int qpair_cmp(const void *pa, const void *pb)
{
    const struct qpair *a = pa, *b = pb;
    size_t n = a->kl < b->kl ? a->kl : b->kl;
    int c = memcmp(a->base + a->ko, b->base + b->ko, n);

    if (c)
        return c;
    if (a->kl != b->kl)
        return a->kl < b->kl ? -1 : 1;
    n = a->vl < b->vl ? a->vl : b->vl;
    c = memcmp(a->base + a->vo, b->base + b->vo, n);
    if (c)
        return c;
    if (a->vl != b->vl)
        return a->vl < b->vl ? -1 : 1;
    return 0;
}

/* The canonical query string of @req into @b. */
static enum hf_err canon_query(struct sb *out, const struct sigv4_request *req,
                               const struct sigv4_auth *auth)
{
    struct qpair *pairs = NULL;
    struct sb enc;
    size_t np = 0;
    enum hf_err rc = HF_OK;

    if (req->nparams == 0)
        return HF_OK;
    if (req->nparams > SIGV4_MAX_PARAMS)
        return HF_EMALFORMED;
    pairs = calloc(req->nparams, sizeof(*pairs));
    if (!pairs)
        return HF_ENOMEM;
    sb_init(&enc, 3 * SIGV4_QUERY_MAX + 2 * SIGV4_MAX_PARAMS);
    for (size_t i = 0; i < req->nparams && rc == HF_OK; i++) {
        const struct sigv4_param *p = &req->params[i];
        if (auth->presigned && param_is(p, "X-Amz-Signature"))
            continue;
        pairs[np].ko = enc.len;
        rc = sb_reencode(&enc, p->name, p->name_len, false);
        pairs[np].kl = enc.len - pairs[np].ko;
        pairs[np].vo = enc.len;
        if (rc == HF_OK)
            rc = sb_reencode(&enc, p->value, p->value_len, false);
        pairs[np].vl = enc.len - pairs[np].vo;
        np++;
    }
    if (rc == HF_OK && enc.err)
        rc = enc.err;
    if (rc == HF_OK && np > 0) {
        for (size_t i = 0; i < np; i++)
            pairs[i].base = enc.p ? enc.p : "";
        qsort(pairs, np, sizeof(*pairs), qpair_cmp);
        for (size_t i = 0; i < np; i++) {
            if (i)
                sb_put(out, "&", 1);
            sb_put(out, pairs[i].base + pairs[i].ko, pairs[i].kl);
            sb_put(out, "=", 1);
            sb_put(out, pairs[i].base + pairs[i].vo, pairs[i].vl);
        }
        rc = out->err;
    }
    free(enc.p);
    free(pairs);
    return rc;
}

/* name:value\n for each signed header. */
static enum hf_err canon_headers(struct sb *b, const struct sigv4_request *req,
                                 struct sigv4_auth *auth)
{
    const char *s = auth->signed_headers;

    while (*s) {
        const char *semi = strchr(s, ';');
        size_t len = semi ? (size_t)(semi - s) : strlen(s);
        bool found = false;

        sb_put(b, s, len);
        sb_put(b, ":", 1);
        for (size_t i = 0; i < req->nheaders; i++) {
            const struct sigv4_header *h = &req->headers[i];
            bool match = h->name_len == len;
            for (size_t j = 0; match && j < len; j++)
                match = lower(h->name[j]) == s[j];
            if (!match)
                continue;
            if (found)
                sb_put(b, ",", 1);
            sb_put_value(b, h->value, h->value_len);
            found = true;
        }
        if (!found) {
            auth->why = "a header named in SignedHeaders is not in the request";
            return HF_EAUTHHEADERS;
        }
        sb_put(b, "\n", 1);
        s += len + (semi ? 1 : 0);
    }
    return b->err;
}

enum hf_err sigv4_canonical_request(const struct sigv4_request *req, struct sigv4_auth *auth,
                                    char **out, size_t *outlen)
{
    struct sb b;
    enum hf_err rc;

    *out = NULL;
    *outlen = 0;
    if (req->nheaders > SIGV4_MAX_HEADERS || req->nparams > SIGV4_MAX_PARAMS) {
        auth->why = "too many headers or query parameters";
        return HF_EMALFORMED;
    }
    if (req->path_len == 0 || req->path[0] != '/' || req->path_len > SIGV4_PATH_MAX) {
        auth->why = "the request path must start with '/' and be at most 16 KiB";
        return HF_EMALFORMED;
    }
    sb_init(&b, SIGV4_CANON_MAX);
    sb_puts(&b, req->method ? req->method : "");
    sb_put(&b, "\n", 1);
    rc = sb_reencode(&b, req->path, req->path_len, true);
    if (rc != HF_OK) {
        auth->why = rc == HF_EMALFORMED ? "bad percent-encoding in the request path"
                                         : "out of memory";
        goto fail;
    }
    sb_put(&b, "\n", 1);
    rc = canon_query(&b, req, auth);
    if (rc != HF_OK) {
        auth->why = rc == HF_EMALFORMED ? "bad percent-encoding in the query string"
                                         : "out of memory";
        goto fail;
    }
    sb_put(&b, "\n", 1);
    rc = canon_headers(&b, req, auth);
    if (rc != HF_OK) {
        if (rc != HF_EAUTHHEADERS)
            auth->why = rc == HF_EMALFORMED ? "the signed headers are too large"
                                             : "out of memory";
        goto fail;
    }
    sb_put(&b, "\n", 1);
    sb_puts(&b, auth->signed_headers);
    sb_put(&b, "\n", 1);
    sb_puts(&b, auth->payload_hash);
    rc = sb_finish(&b, out, outlen);
    if (rc != HF_OK)
        auth->why = rc == HF_EMALFORMED ? "the canonical request is too large" : "out of memory";
    return rc;
fail:
    free(b.p);
    return rc;
}

enum hf_err sigv4_string_to_sign(const struct sigv4_auth *auth, const char *canon,
                                 size_t canon_len, char *out)
{
    uint8_t h[32];
    size_t o = 0, n;

    if (sha256(canon, canon_len, h) != HF_OK)
        return HF_ECRYPTO;
    n = strlen(ALGORITHM);
    memcpy(out, ALGORITHM, n);
    o = n;
    out[o++] = '\n';
    memcpy(out + o, auth->amz_date, 16);
    o += 16;
    out[o++] = '\n';
    n = strlen(auth->scope);
    memcpy(out + o, auth->scope, n);
    o += n;
    out[o++] = '\n';
    hf_hex(h, 32, out + o);
    return HF_OK;
}

enum hf_err sigv4_signing_key(const struct sigv4_auth *auth, const char *secret,
                              size_t secret_len, uint8_t key[SIGV4_KEY_LEN])
{
    uint8_t k0[4 + SIGV4_SECRET_MAX], k1[SIGV4_KEY_LEN], k2[SIGV4_KEY_LEN];
    enum hf_err rc = HF_EINVAL;

    OPENSSL_cleanse(key, SIGV4_KEY_LEN);
    if (secret_len > SIGV4_SECRET_MAX)
        return HF_EINVAL;
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, secret_len);
    rc = hmac256(k0, 4 + secret_len, auth->date, strlen(auth->date), k1);
    if (rc == HF_OK)
        rc = hmac256(k1, sizeof(k1), auth->region, strlen(auth->region), k2);
    if (rc == HF_OK)
        rc = hmac256(k2, sizeof(k2), auth->service, strlen(auth->service), k1);
    if (rc == HF_OK)
        rc = hmac256(k1, sizeof(k1), "aws4_request", 12, key);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    if (rc != HF_OK)
        OPENSSL_cleanse(key, SIGV4_KEY_LEN);
    return rc;
}

/* Every x-amz-* header present is signed (x-amz-content-sha256 is bound anyway). */
static enum hf_err check_unsigned(const struct sigv4_request *req, struct sigv4_auth *auth)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct sigv4_header *h = &req->headers[i];
        const char *s = auth->signed_headers;
        bool found = false;

        if (h->name_len < 6 || !ieq(h->name, 6, "x-amz-") ||
            ieq(h->name, h->name_len, "x-amz-content-sha256"))
            continue;
        while (*s && !found) {
            const char *semi = strchr(s, ';');
            size_t len = semi ? (size_t)(semi - s) : strlen(s);
            found = len == h->name_len;
            for (size_t j = 0; found && j < len; j++)
                found = lower(h->name[j]) == s[j];
            s += len + (semi ? 1 : 0);
        }
        if (!found) {
            auth->why = "There were headers present in the request which were not signed";
            return HF_EAUTHHEADERS;
        }
    }
    return HF_OK;
}

enum hf_err sigv4_verify(const struct sigv4_request *req, struct sigv4_auth *auth,
                         const char *secret, size_t secret_len, uint8_t key_out[SIGV4_KEY_LEN])
{
    uint8_t key[SIGV4_KEY_LEN], sig[SIGV4_KEY_LEN];
    char sts[SIGV4_STS_MAX];
    char *canon = NULL;
    size_t clen = 0;
    enum hf_err rc;

    if (key_out)
        OPENSSL_cleanse(key_out, SIGV4_KEY_LEN);
    if (req->nheaders > SIGV4_MAX_HEADERS || req->nparams > SIGV4_MAX_PARAMS) {
        auth->why = "too many headers or query parameters";
        return HF_EMALFORMED;
    }
    rc = check_unsigned(req, auth);
    if (rc != HF_OK)
        return rc;
    rc = sigv4_canonical_request(req, auth, &canon, &clen);
    if (rc != HF_OK)
        return rc;
    rc = sigv4_string_to_sign(auth, canon, clen, sts);
    free(canon);
    if (rc == HF_OK)
        rc = sigv4_signing_key(auth, secret, secret_len, key);
    if (rc == HF_OK)
        rc = hmac256(key, sizeof(key), sts, strlen(sts), sig);
    if (rc != HF_OK) {
        auth->why = rc == HF_EINVAL ? "the secret key is too long" : "crypto library failure";
    } else if (CRYPTO_memcmp(sig, auth->signature, SIGV4_KEY_LEN) != 0) {
        rc = HF_ESIGNATURE;
        auth->why = "The request signature we calculated does not match the signature you "
                    "provided. Check your key and signing method.";
    } else {
        if (key_out)
            memcpy(key_out, key, SIGV4_KEY_LEN);
        auth->why = NULL;
    }
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(sig, sizeof(sig));
    return rc;
}

/* ------------------------------------------------------------------ */
/* checksums                                                           */
/* ------------------------------------------------------------------ */

static const struct {
    const char *header;
    const char *name;               /* S3's, in x-amz-checksum-algorithm */
    enum sigv4_algo algo;
} checksum_names[] = {
    { "x-amz-checksum-crc32", "CRC32", SIGV4_ALGO_CRC32 },
    { "x-amz-checksum-crc32c", "CRC32C", SIGV4_ALGO_CRC32C },
    { "x-amz-checksum-sha1", "SHA1", SIGV4_ALGO_SHA1 },
    { "x-amz-checksum-sha256", "SHA256", SIGV4_ALGO_SHA256 },
    { "x-amz-checksum-crc64nvme", "CRC64NVME", SIGV4_ALGO_CRC64NVME },
};
#define NCHECKSUMS (sizeof(checksum_names) / sizeof(checksum_names[0]))

enum sigv4_algo sigv4_checksum_algo(const char *name, size_t len)
{
    for (size_t i = 0; i < NCHECKSUMS; i++)
        if (ieq(name, len, checksum_names[i].header))
            return checksum_names[i].algo;
    return SIGV4_ALGO_NONE;
}

enum sigv4_algo sigv4_algo_from_name(const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < NCHECKSUMS; i++) {
        const char *s = checksum_names[i].name;
        size_t k = 0;
        while (k < n && s[k] && lower(name[k]) == lower(s[k]))
            k++;
        if (k == n && !s[k])
            return checksum_names[i].algo;
    }
    return SIGV4_ALGO_NONE;
}

const char *sigv4_algo_name(enum sigv4_algo algo)
{
    for (size_t i = 0; i < NCHECKSUMS; i++)
        if (checksum_names[i].algo == algo)
            return checksum_names[i].name;
    return "";
}

const char *sigv4_algo_header(enum sigv4_algo algo)
{
    for (size_t i = 0; i < NCHECKSUMS; i++)
        if (checksum_names[i].algo == algo)
            return checksum_names[i].header;
    return NULL;
}

static size_t algo_len(enum sigv4_algo algo)
{
    switch (algo) {
    case SIGV4_ALGO_CRC32:
    case SIGV4_ALGO_CRC32C:
        return 4;
    case SIGV4_ALGO_CRC64NVME:
        return 8;
    case SIGV4_ALGO_SHA1:
        return 20;
    case SIGV4_ALGO_SHA256:
        return 32;
    case SIGV4_ALGO_MD5:
        return 16;
    case SIGV4_ALGO_NONE:
        break;
    }
    return 0;
}

static enum hf_err sum_init(struct sigv4_sum *s, enum sigv4_algo algo)
{
    const EVP_MD *md = NULL;

    memset(s, 0, sizeof(*s));
    s->algo = algo;
    switch (algo) {
    case SIGV4_ALGO_CRC32:
        s->crc = (uint32_t)crc32_z(0, NULL, 0);
        return HF_OK;
    case SIGV4_ALGO_CRC32C:
        s->crc = 0xffffffffu;
        return HF_OK;
    case SIGV4_ALGO_CRC64NVME:
        s->crc64 = 0;
        return HF_OK;
    case SIGV4_ALGO_SHA1:
        md = EVP_sha1();
        break;
    case SIGV4_ALGO_SHA256:
        md = EVP_sha256();
        break;
    case SIGV4_ALGO_MD5:
        md = EVP_md5();
        break;
    case SIGV4_ALGO_NONE:
        return HF_OK;
    }
    s->md = EVP_MD_CTX_new();
    if (!s->md)
        return HF_ENOMEM;
    if (!md || !EVP_DigestInit_ex(s->md, md, NULL))
        return HF_ECRYPTO;
    return HF_OK;
}

static enum hf_err sum_update(struct sigv4_sum *s, const uint8_t *p, size_t n)
{
    switch (s->algo) {
    case SIGV4_ALGO_NONE:
        return HF_OK;
    case SIGV4_ALGO_CRC32:
        s->crc = (uint32_t)crc32_z(s->crc, p, n);
        return HF_OK;
    case SIGV4_ALGO_CRC32C:
        while (n > 0) {
            int k = n > (size_t)INT_MAX ? INT_MAX : (int)n;
            s->crc = crc32_iscsi((unsigned char *)(uintptr_t)p, k, s->crc);
            p += k;
            n -= (size_t)k;
        }
        return HF_OK;
    case SIGV4_ALGO_CRC64NVME:
        s->crc64 = crc64nvme(s->crc64, p, n);
        return HF_OK;
    case SIGV4_ALGO_SHA1:
    case SIGV4_ALGO_SHA256:
    case SIGV4_ALGO_MD5:
        break;
    }
    return s->md && EVP_DigestUpdate(s->md, p, n) ? HF_OK : HF_ECRYPTO;
}

/* The checksum into @out (room for 32 bytes); *@len its length. */
static enum hf_err sum_final(struct sigv4_sum *s, uint8_t out[32], size_t *len)
{
    unsigned int n = 0;
    uint32_t crc = s->crc;

    *len = algo_len(s->algo);
    switch (s->algo) {
    case SIGV4_ALGO_NONE:
        return HF_OK;
    case SIGV4_ALGO_CRC32C:
        crc ^= 0xffffffffu;
        /* fall through */
    case SIGV4_ALGO_CRC32:
        out[0] = (uint8_t)(crc >> 24);
        out[1] = (uint8_t)(crc >> 16);
        out[2] = (uint8_t)(crc >> 8);
        out[3] = (uint8_t)crc;
        return HF_OK;
    case SIGV4_ALGO_CRC64NVME:
        for (int i = 0; i < 8; i++)
            out[i] = (uint8_t)(s->crc64 >> (56 - 8 * i));
        return HF_OK;
    case SIGV4_ALGO_SHA1:
    case SIGV4_ALGO_SHA256:
    case SIGV4_ALGO_MD5:
        break;
    }
    if (!s->md || !EVP_DigestFinal_ex(s->md, out, &n) || n != *len)
        return HF_ECRYPTO;
    return HF_OK;
}

static void sum_release(struct sigv4_sum *s)
{
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
}

size_t sigv4_algo_len(enum sigv4_algo algo)
{
    return algo_len(algo);
}

enum hf_err sigv4_checksum(enum sigv4_algo algo, const void *data, size_t len,
                           uint8_t out[SIGV4_SUM_MAX], size_t *outlen)
{
    struct sigv4_sum s;
    enum hf_err rc;

    *outlen = 0;
    if (algo == SIGV4_ALGO_NONE)
        return HF_EINVAL;
    rc = sum_init(&s, algo);
    if (rc == HF_OK)
        rc = sum_update(&s, data, len);
    if (rc == HF_OK)
        rc = sum_final(&s, out, outlen);
    sum_release(&s);
    return rc;
}

/* ---- sigv4_digest ---- */

static enum hf_err digest_fail(struct sigv4_digest *d, enum hf_err rc, const char *why)
{
    d->why = why;
    return rc;
}

/* Decode the base64 header value @h into @out (exactly @want bytes). */
static int header_b64(const struct sigv4_header *h, uint8_t *out, size_t want)
{
    const char *v = h->value;
    size_t n = h->value_len, got;

    trim(&v, &n);
    return hf_base64_decode(v, n, out, want, &got) == 0 && got == want ? 0 : -1;
}

enum hf_err sigv4_digest_init(struct sigv4_digest *d, const struct sigv4_request *req)
{
    return sigv4_digest_init_ex(d, req, 0);
}

enum hf_err sigv4_digest_init_ex(struct sigv4_digest *d, const struct sigv4_request *req,
                                 unsigned flags)
{
    enum hf_err rc = HF_OK;
    bool sums = !(flags & SIGV4_DIGEST_NO_CHECKSUM);

    memset(d, 0, sizeof(*d));
    if (req->nheaders > SIGV4_MAX_HEADERS)
        return digest_fail(d, HF_EMALFORMED, "too many headers");
    for (size_t i = 0; i < req->nheaders && rc == HF_OK; i++) {
        const struct sigv4_header *h = &req->headers[i];
        enum sigv4_algo algo = sigv4_checksum_algo(h->name, h->name_len);

        if (ieq(h->name, h->name_len, "content-md5")) {
            if (d->md5.algo)
                return digest_fail(d, HF_EMALFORMED, "Content-MD5 is repeated");
            if (header_b64(h, d->want_md5, 16) != 0)
                return digest_fail(d, HF_EMALFORMED,
                                   "The Content-MD5 you specified is not valid.");
            rc = sum_init(&d->md5, SIGV4_ALGO_MD5);
        } else if (algo != SIGV4_ALGO_NONE && sums) {
            if (d->sum.algo)
                return digest_fail(d, HF_EMALFORMED,
                                   "Expecting a single x-amz-checksum- header. Multiple "
                                   "checksum Types are not allowed.");
            d->want_sum_len = algo_len(algo);
            if (header_b64(h, d->want_sum, d->want_sum_len) != 0)
                return digest_fail(d, HF_EMALFORMED,
                                   "Value for x-amz-checksum-* header is invalid.");
            rc = sum_init(&d->sum, algo);
        } else if (ieq(h->name, h->name_len, "x-amz-content-sha256")) {
            const char *v = h->value;
            size_t n = h->value_len;
            trim(&v, &n);
            if (d->sha256.algo)
                return digest_fail(d, HF_EMALFORMED, "x-amz-content-sha256 is repeated");
            if (unhex_n(v, n, d->want_sha256, 32) == 0)
                rc = sum_init(&d->sha256, SIGV4_ALGO_SHA256);
        }
    }
    /* A presigned URL carries the x-amz-checksum-* it was signed with in
     * its query: the body must match it as it would the header (S3). */
    for (size_t i = 0; i < req->nparams && rc == HF_OK && sums; i++) {
        const struct sigv4_param *p = &req->params[i];
        enum sigv4_algo algo = sigv4_checksum_algo(p->name, p->name_len);
        char v[64];
        size_t vn, got;

        if (algo == SIGV4_ALGO_NONE)
            continue;
        if (d->sum.algo)
            return digest_fail(d, HF_EMALFORMED,
                               "Expecting a single x-amz-checksum- header. Multiple "
                               "checksum Types are not allowed.");
        d->want_sum_len = algo_len(algo);
        if (sigv4_pct_decode(p->value, p->value_len, v, sizeof(v) - 1, &vn) != 0
            || hf_base64_decode(v, vn, d->want_sum, d->want_sum_len, &got) != 0
            || got != d->want_sum_len)
            return digest_fail(d, HF_EMALFORMED,
                               "Value for x-amz-checksum-* parameter is invalid.");
        rc = sum_init(&d->sum, algo);
    }
    if (rc != HF_OK)
        return digest_fail(d, rc, "crypto library failure");
    return HF_OK;
}

enum hf_err sigv4_digest_require(struct sigv4_digest *d, enum sigv4_algo algo)
{
    enum hf_err rc;

    if (d->sum.algo == algo)
        return HF_OK;
    if (d->sum.algo)
        return digest_fail(d, HF_EMALFORMED, "Checksum Type mismatch occurred: the request's "
                                             "x-amz-checksum-* is not of the upload's "
                                             "checksum algorithm.");
    d->want_sum_len = 0;   /* computed, not checked */
    rc = sum_init(&d->sum, algo);
    if (rc != HF_OK)
        return digest_fail(d, rc, "crypto library failure");
    return HF_OK;
}

enum hf_err sigv4_digest_update(struct sigv4_digest *d, const void *data, size_t len)
{
    enum hf_err rc = sum_update(&d->md5, data, len);

    if (rc == HF_OK)
        rc = sum_update(&d->sum, data, len);
    if (rc == HF_OK)
        rc = sum_update(&d->sha256, data, len);
    if (rc != HF_OK)
        d->why = "crypto library failure";
    return rc;
}

enum hf_err sigv4_digest_final(struct sigv4_digest *d)
{
    uint8_t got[32];
    size_t n;

    d->failed = SIGV4_CHECK_NONE;
    if (d->sha256.algo) {
        if (sum_final(&d->sha256, got, &n) != HF_OK)
            return digest_fail(d, HF_ECRYPTO, "crypto library failure");
        if (CRYPTO_memcmp(got, d->want_sha256, 32) != 0) {
            d->failed = SIGV4_CHECK_CONTENT_SHA256;
            return digest_fail(d, HF_EBADDIGEST, "The provided 'x-amz-content-sha256' header "
                                                 "does not match what was computed.");
        }
    }
    if (d->md5.algo) {
        if (sum_final(&d->md5, got, &n) != HF_OK)
            return digest_fail(d, HF_ECRYPTO, "crypto library failure");
        if (CRYPTO_memcmp(got, d->want_md5, 16) != 0) {
            d->failed = SIGV4_CHECK_CONTENT_MD5;
            return digest_fail(d, HF_EBADDIGEST,
                               "The Content-MD5 you specified did not match what we received.");
        }
    }
    if (d->sum.algo) {
        if (sum_final(&d->sum, got, &n) != HF_OK)
            return digest_fail(d, HF_ECRYPTO, "crypto library failure");
        memcpy(d->got_sum, got, n);
        d->got_sum_len = n;
        if (d->want_sum_len &&
            (n != d->want_sum_len || CRYPTO_memcmp(got, d->want_sum, n) != 0)) {
            d->failed = SIGV4_CHECK_CHECKSUM;
            return digest_fail(d, HF_EBADDIGEST, "The x-amz-checksum value you specified did "
                                                 "not match what we received.");
        }
    }
    d->why = NULL;
    return HF_OK;
}

void sigv4_digest_release(struct sigv4_digest *d)
{
    sum_release(&d->md5);
    sum_release(&d->sum);
    sum_release(&d->sha256);
}

/* ------------------------------------------------------------------ */
/* aws-chunked                                                         */
/* ------------------------------------------------------------------ */

enum { CH_SIZE = 0, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_DONE, CH_FAILED };

/* The only way into FAILED (invariant 5). */
static enum hf_err chunked_fail(struct sigv4_chunked *c, enum hf_err rc, const char *why)
{
    c->state = CH_FAILED;
    c->failed = rc;
    c->why = why;
    return rc;
}

enum hf_err sigv4_chunked_init(struct sigv4_chunked *c, const struct sigv4_auth *auth,
                               const uint8_t *key, const char *trailer, int64_t decoded_len)
{
    OSSL_PARAM params[2];
    EVP_MAC *mac;

    memset(c, 0, sizeof(*c));
    c->expect_total = decoded_len < 0 ? -1 : decoded_len;
    switch (auth->payload) {
    case SIGV4_PAYLOAD_STREAMING:
        c->signed_chunks = true;
        break;
    case SIGV4_PAYLOAD_STREAMING_TRAILER:
        c->signed_chunks = c->signed_trailer = c->trailers_allowed = true;
        break;
    case SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER:
        c->trailers_allowed = true;
        break;
    case SIGV4_PAYLOAD_SHA256:
    case SIGV4_PAYLOAD_UNSIGNED:
        return chunked_fail(c, HF_EINVAL, "the payload is not aws-chunked");
    }
    if (c->signed_chunks) {
        if (!key)
            return chunked_fail(c, HF_EINVAL, "a signed aws-chunked body needs the signing key");
        memcpy(c->key, key, SIGV4_KEY_LEN);
        memcpy(c->prev, auth->signature, SIGV4_KEY_LEN);
        memcpy(c->amz_date, auth->amz_date, sizeof(c->amz_date));
        memcpy(c->scope, auth->scope, sizeof(c->scope));
        c->chunk_md = EVP_MD_CTX_new();
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        c->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac);
        if (!c->chunk_md || !c->mac)
            return chunked_fail(c, HF_ENOMEM, "out of memory");
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
        params[1] = OSSL_PARAM_construct_end();
        if (!EVP_MAC_CTX_set_params(c->mac, params))
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
    }
    if (trailer) {
        const char *v = trailer;
        size_t n = strlen(trailer);
        enum sigv4_algo algo;
        enum hf_err rc;

        trim(&v, &n);
        algo = sigv4_checksum_algo(v, n);
        if (!c->trailers_allowed)
            return chunked_fail(c, HF_EMALFORMED,
                                "x-amz-trailer needs a STREAMING-...-TRAILER payload");
        if (algo == SIGV4_ALGO_NONE)
            return chunked_fail(c, HF_EMALFORMED,
                                "x-amz-trailer must name one of x-amz-checksum-crc32, -crc32c, "
                                "-crc64nvme, -sha1 or -sha256");
        for (size_t i = 0; i < n; i++)
            c->trailer_name[i] = lower(v[i]);
        c->trailer_name[n] = '\0';
        rc = sum_init(&c->sum, algo);
        if (rc != HF_OK)
            return chunked_fail(c, rc, "crypto library failure");
    }
    c->state = CH_SIZE;
    return HF_OK;
}

static enum hf_err mac_hex(struct sigv4_chunked *c, const char *msg, size_t len,
                           uint8_t out[SIGV4_KEY_LEN])
{
    size_t n = 0;

    if (!EVP_MAC_init(c->mac, c->key, SIGV4_KEY_LEN, NULL) ||
        !EVP_MAC_update(c->mac, (const unsigned char *)msg, len) ||
        !EVP_MAC_final(c->mac, out, &n, SIGV4_KEY_LEN) || n != SIGV4_KEY_LEN)
        return HF_ECRYPTO;
    return HF_OK;
}

/* prefix \n amz_date \n scope \n hex(prev) \n [EMPTY \n] hex(hash) into @out. */
static size_t chain_sts(const struct sigv4_chunked *c, const char *prefix, bool empty,
                        const uint8_t hash[32], char *out)
{
    size_t o = 0, n = strlen(prefix);

    memcpy(out, prefix, n);
    o = n;
    out[o++] = '\n';
    memcpy(out + o, c->amz_date, 16);
    o += 16;
    out[o++] = '\n';
    n = strlen(c->scope);
    memcpy(out + o, c->scope, n);
    o += n;
    out[o++] = '\n';
    hf_hex(c->prev, SIGV4_KEY_LEN, out + o);
    o += 64;
    out[o++] = '\n';
    if (empty) {
        memcpy(out + o, EMPTY_SHA256 "\n", 65);
        o += 65;
    }
    hf_hex(hash, 32, out + o);
    o += 64;
    return o;
}

#define CHAIN_STS_MAX (32 + 17 + SIGV4_SCOPE_MAX + 1 + 65 + 65 + 65)

/* Check this chunk's claimed signature over data hash @hash; advance the chain. */
static enum hf_err chunk_verify(struct sigv4_chunked *c, const uint8_t hash[32])
{
    char sts[CHAIN_STS_MAX];
    uint8_t sig[SIGV4_KEY_LEN];
    size_t n = chain_sts(c, "AWS4-HMAC-SHA256-PAYLOAD", true, hash, sts);

    if (mac_hex(c, sts, n, sig) != HF_OK)
        return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
    if (CRYPTO_memcmp(sig, c->claimed, SIGV4_KEY_LEN) != 0)
        return chunked_fail(c, HF_ESIGNATURE,
                            "The chunk signature we calculated does not match the one you "
                            "provided.");
    memcpy(c->prev, sig, SIGV4_KEY_LEN);
    return HF_OK;
}

/* "hex-size[;chunk-signature=<64 hex>]" (CRLF already removed). */
static enum hf_err chunk_header(struct sigv4_chunked *c, const char *line, size_t n)
{
    static const char ext[] = ";chunk-signature=";
    uint64_t size = 0;
    size_t i = 0;

    while (i < n && hf_hexval((unsigned char)line[i]) >= 0) {
        if (i == 16)
            return chunked_fail(c, HF_EMALFORMED, "aws-chunked chunk size too large");
        size = size << 4 | (uint64_t)hf_hexval((unsigned char)line[i]);
        i++;
    }
    if (i == 0)
        return chunked_fail(c, HF_EMALFORMED, "aws-chunked chunk header without a hex size");
    if (c->signed_chunks) {
        if (n - i != sizeof(ext) - 1 + 64 || memcmp(line + i, ext, sizeof(ext) - 1) != 0 ||
            unhex_n(line + i + sizeof(ext) - 1, 64, c->claimed, SIGV4_KEY_LEN) != 0)
            return chunked_fail(c, HF_EMALFORMED,
                                "aws-chunked chunk header must be hex-size;chunk-signature=<64 hex>");
    } else if (i != n) {
        return chunked_fail(c, HF_EMALFORMED, "unexpected aws-chunked chunk extension");
    }
    if (size > (uint64_t)INT64_MAX - c->total ||
        (c->expect_total >= 0 && c->total + size > (uint64_t)c->expect_total))
        return chunked_fail(c, HF_EMALFORMED,
                            "the aws-chunked body is longer than x-amz-decoded-content-length");
    c->remaining = size;
    if (size > 0) {
        if (c->signed_chunks && !EVP_DigestInit_ex(c->chunk_md, EVP_sha256(), NULL))
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
        c->state = CH_DATA;
        return HF_OK;
    }
    if (c->signed_chunks) {
        uint8_t empty[32];
        if (sha256("", 0, empty) != HF_OK)
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
        if (chunk_verify(c, empty) != HF_OK)
            return c->failed;
    }
    c->state = CH_TRAILER;
    return HF_OK;
}

/* The last data byte of a chunk went by. */
static enum hf_err chunk_end(struct sigv4_chunked *c)
{
    uint8_t h[32];
    unsigned int n = 0;

    if (c->signed_chunks) {
        if (!EVP_DigestFinal_ex(c->chunk_md, h, &n) || n != 32)
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
        if (chunk_verify(c, h) != HF_OK)
            return c->failed;
    }
    c->state = CH_DATA_CR;
    return HF_OK;
}

/* One "name:value" trailer line (CRLF removed; not empty). */
static enum hf_err trailer_line(struct sigv4_chunked *c, const char *line, size_t n)
{
    const char *colon = memchr(line, ':', n), *v;
    char name[64];
    size_t nlen, vlen;

    if (!c->trailers_allowed)
        return chunked_fail(c, HF_EMALFORMED,
                            "the aws-chunked body must end with an empty line after the final "
                            "chunk");
    if (c->have_sig)
        return chunked_fail(c, HF_EMALFORMED, "x-amz-trailer-signature must be the last trailer");
    if (!colon || colon == line || (size_t)(colon - line) >= sizeof(name))
        return chunked_fail(c, HF_EMALFORMED, "malformed trailer line");
    nlen = (size_t)(colon - line);
    for (size_t i = 0; i < nlen; i++) {
        if (!tchar_lower(lower(line[i])))
            return chunked_fail(c, HF_EMALFORMED, "malformed trailer name");
        name[i] = lower(line[i]);
    }
    name[nlen] = '\0';
    v = colon + 1;
    vlen = n - nlen - 1;
    trim(&v, &vlen);
    for (size_t i = 0; i < vlen; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return chunked_fail(c, HF_EMALFORMED, "control character in a trailer value");
    if (strcmp(name, "x-amz-trailer-signature") == 0) {
        if (!c->signed_trailer)
            return chunked_fail(c, HF_EMALFORMED,
                                "x-amz-trailer-signature in a body with unsigned trailers");
        if (unhex_n(v, vlen, c->trailer_sig, SIGV4_KEY_LEN) != 0)
            return chunked_fail(c, HF_EMALFORMED, "x-amz-trailer-signature must be 64 hex digits");
        c->have_sig = true;
        return HF_OK;
    }
    if (!c->trailer_name[0] || strcmp(name, c->trailer_name) != 0)
        return chunked_fail(c, HF_EMALFORMED, "a trailer not declared in x-amz-trailer");
    if (c->have_sum)
        return chunked_fail(c, HF_EMALFORMED, "the checksum trailer is repeated");
    c->want_sum_len = algo_len(c->sum.algo);
    {
        size_t got;
        if (hf_base64_decode(v, vlen, c->want_sum, c->want_sum_len, &got) != 0 ||
            got != c->want_sum_len)
            return chunked_fail(c, HF_EMALFORMED, "the trailing checksum is not valid base64 of "
                                                  "the right length");
    }
    /* name ':' value '\n': fits, the line did */
    memcpy(c->canon, name, nlen);
    c->canon[nlen] = ':';
    memcpy(c->canon + nlen + 1, v, vlen);
    c->canon[nlen + 1 + vlen] = '\n';
    c->canon_len = nlen + vlen + 2;
    c->have_sum = true;
    return HF_OK;
}

/* The empty line after the trailers: every end-of-body check. */
static enum hf_err trailers_end(struct sigv4_chunked *c)
{
    uint8_t got[32], h[32], sig[SIGV4_KEY_LEN];
    size_t n;

    if (c->trailer_name[0] && !c->have_sum)
        return chunked_fail(c, HF_EMALFORMED, "the trailer declared in x-amz-trailer is missing");
    if (c->signed_trailer) {
        char sts[CHAIN_STS_MAX];
        if (!c->have_sig)
            return chunked_fail(c, HF_EMALFORMED, "x-amz-trailer-signature is missing");
        if (sha256(c->canon, c->canon_len, h) != HF_OK)
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
        n = chain_sts(c, "AWS4-HMAC-SHA256-TRAILER", false, h, sts);
        if (mac_hex(c, sts, n, sig) != HF_OK)
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
        if (CRYPTO_memcmp(sig, c->trailer_sig, SIGV4_KEY_LEN) != 0)
            return chunked_fail(c, HF_ESIGNATURE,
                                "The trailer signature we calculated does not match the one you "
                                "provided.");
    }
    if (c->have_sum) {
        if (sum_final(&c->sum, got, &n) != HF_OK)
            return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
        if (n != c->want_sum_len || CRYPTO_memcmp(got, c->want_sum, n) != 0)
            return chunked_fail(c, HF_EBADDIGEST,
                                "The trailing x-amz-checksum value you specified did not match "
                                "what we received.");
    }
    if (c->expect_total >= 0 && c->total != (uint64_t)c->expect_total)
        return chunked_fail(c, HF_ETRUNCATED,
                            "the aws-chunked body is shorter than x-amz-decoded-content-length");
    c->state = CH_DONE;
    return HF_OK;
}

enum hf_err sigv4_chunked_feed(struct sigv4_chunked *c, const void *data, size_t len,
                               sigv4_emit_fn emit, void *arg)
{
    const uint8_t *p = data;
    enum hf_err rc;

    if (c->failed)
        return c->failed;
    while (len > 0) {
        switch (c->state) {
        case CH_SIZE:
        case CH_TRAILER: {
            const uint8_t *nl = memchr(p, '\n', len);
            size_t take = nl ? (size_t)(nl - p) + 1 : len;
            size_t ll;

            if (take > sizeof(c->line) - c->line_len)
                return chunked_fail(c, HF_EMALFORMED, c->state == CH_SIZE
                                                          ? "aws-chunked chunk header line too long"
                                                          : "aws-chunked trailer line too long");
            if (c->state == CH_TRAILER) {
                if (take > SIGV4_TRAILER_MAX - c->trailer_len)
                    return chunked_fail(c, HF_EMALFORMED, "aws-chunked trailer section too large");
                c->trailer_len += take;
            }
            memcpy(c->line + c->line_len, p, take);
            c->line_len += take;
            p += take;
            len -= take;
            if (!nl)
                break;
            if (c->line_len < 2 || c->line[c->line_len - 2] != '\r')
                return chunked_fail(c, HF_EMALFORMED, "aws-chunked lines must end with CRLF");
            ll = c->line_len - 2;
            c->line_len = 0;
            if (c->state == CH_SIZE)
                rc = chunk_header(c, c->line, ll);
            else
                rc = ll == 0 ? trailers_end(c) : trailer_line(c, c->line, ll);
            if (rc != HF_OK)
                return rc;
            break;
        }
        case CH_DATA: {
            size_t k = len < c->remaining ? len : (size_t)c->remaining;

            if (c->signed_chunks && !EVP_DigestUpdate(c->chunk_md, p, k))
                return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
            if (sum_update(&c->sum, p, k) != HF_OK)
                return chunked_fail(c, HF_ECRYPTO, "crypto library failure");
            rc = emit ? emit(arg, p, k) : HF_OK;
            if (rc != HF_OK)
                return chunked_fail(c, rc, "the consumer of the decoded body failed");
            c->total += k;
            c->remaining -= k;
            p += k;
            len -= k;
            if (c->remaining == 0 && (rc = chunk_end(c)) != HF_OK)
                return rc;
            break;
        }
        case CH_DATA_CR:
        case CH_DATA_LF:
            if (*p != (c->state == CH_DATA_CR ? '\r' : '\n'))
                return chunked_fail(c, HF_EMALFORMED, "aws-chunked chunk data must end with CRLF");
            c->state = c->state == CH_DATA_CR ? CH_DATA_LF : CH_SIZE;
            p++;
            len--;
            break;
        case CH_DONE:
            return chunked_fail(c, HF_EMALFORMED, "data after the end of the aws-chunked body");
        default:
            return chunked_fail(c, HF_EINVAL, "the decoder is not initialised");
        }
    }
    return HF_OK;
}

enum hf_err sigv4_chunked_finish(struct sigv4_chunked *c)
{
    if (c->failed)
        return c->failed;
    if (c->state != CH_DONE)
        return chunked_fail(c, HF_ETRUNCATED, "the aws-chunked body ended early");
    c->why = NULL;
    return HF_OK;
}

bool sigv4_chunked_done(const struct sigv4_chunked *c)
{
    return c->state == CH_DONE && !c->failed;
}

void sigv4_chunked_release(struct sigv4_chunked *c)
{
    OPENSSL_cleanse(c->key, sizeof(c->key));
    EVP_MD_CTX_free(c->chunk_md);
    c->chunk_md = NULL;
    EVP_MAC_CTX_free(c->mac);
    c->mac = NULL;
    sum_release(&c->sum);
}
