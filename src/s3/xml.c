/*
 * xml.c — the S3 XML layer: the response writer and the request-body
 * parsers (interface and conventions in xml.h).
 *
 * Owns every byte of XML that holdfast writes to or reads from an S3
 * client.  Nothing else in the library builds or parses S3 XML, and
 * nothing here touches the store.
 *
 * WRITER   s3xml_buf (growable, capped) <- put() <- escape / url-encode
 *          <- element helpers <- document builders.  The escaper copies
 *          runs of plain bytes with one memcpy; a ListObjectsV2 of 1000
 *          keys is a few hundred KiB written in one pass.
 *
 * PARSERS  read_doc() is the one door to libxml2: size cap, a parser
 *          context whose SAX handlers stop at a DOCTYPE and count start
 *          tags, xmlCtxtReadMemory with NONET and without NOENT or
 *          DTDLOAD, then the root's name.  Each s3xml_parse_* walks the
 *          tree it returns, matching local names only.
 *
 * INVARIANTS
 *   (1) A buffer never holds more than its cap.  The first failure sticks
 *       and turns every later write into a no-op, and s3xml_buf_finish()
 *       refuses a failed buffer: a truncated document is never sent.
 *   (2) Client bytes reach the output only through the escaper or the url
 *       encoder; element names are the caller's literals.
 *   (3) Parsing the escaper's output gives back its input exactly, for any
 *       well-formed UTF-8 without U+0000 (fuzz_s3xml checks this against
 *       libxml2 for the XML 1.0 characters); the url encoder's output is
 *       plain ASCII that percent-decodes to its input.
 *   (4) No body larger than the caller's cap reaches libxml2, and a DOCTYPE
 *       stops the parser before its internal subset is read: no entity is
 *       ever declared, so none can be expanded, and no DTD or entity is
 *       fetched from a file or the network.
 *   (5) The parsers never assert on input: every rejection is an hf_err
 *       with an S3 error code and a one-line message; on failure the
 *       output is zeroed and owns nothing.
 *   (6) Every string a parser returns is an owned, NUL-terminated copy of
 *       well-formed UTF-8 (bodies are read as UTF-8 only, and libxml2
 *       checks it) whose length is bounded by a documented limit.
 *   (7) Parsing writes nothing to stderr: libxml2's generic error channel
 *       is silenced around each parse.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "s3/xml.h"
#include "banned.h"

/* ================================================================== */
/* Buffer                                                              */
/* ================================================================== */

#define BUF_FIRST 4096

void s3xml_buf_init(struct s3xml_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = (max == 0 || max > S3XML_OUT_MAX) ? S3XML_OUT_MAX : max;
    b->err = HF_OK;
}

void s3xml_buf_release(struct s3xml_buf *b)
{
    if (!b)
        return;
    free(b->data);
    s3xml_buf_init(b, b->max);
}

void s3xml_buf_reset(struct s3xml_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    b->err = HF_OK;
}

enum hf_err s3xml_buf_err(const struct s3xml_buf *b)
{
    return b->err;
}

enum hf_err s3xml_buf_finish(struct s3xml_buf *b, char **out, size_t *len)
{
    enum hf_err rc = b->err;

    *out = NULL;
    *len = 0;
    if (rc != HF_OK) {
        s3xml_buf_release(b);
        return rc;
    }
    if (!b->data) {
        /* an empty document still comes back as a string */
        b->data = malloc(1);
        if (!b->data) {
            s3xml_buf_release(b);
            return HF_ENOMEM;
        }
        b->data[0] = '\0';
    }
    *out = b->data;
    *len = b->len;
    b->data = NULL;     /* moved to the caller */
    s3xml_buf_init(b, b->max);
    return HF_OK;
}

/* Make room for @n more bytes and the terminator; false (error kept) if not. */
static bool reserve(struct s3xml_buf *b, size_t n)
{
    size_t need, cap;
    char *p;

    if (b->err != HF_OK)
        return false;
    if (n > b->max - b->len) {
        b->err = HF_ENOMEM;     /* over the cap */
        return false;
    }
    need = b->len + n + 1;      /* <= max + 1 <= 64 MiB + 1: no overflow */
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : BUF_FIRST;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    p = realloc(b->data, cap);
    if (!p) {
        b->err = HF_ENOMEM;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

static void put(struct s3xml_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_(struct s3xml_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

void s3xml_raw(struct s3xml_buf *b, const char *s, size_t n)
{
    put(b, s, n);
}

/* ================================================================== */
/* Escaping and encoding                                               */
/* ================================================================== */

/*
 * Length of the well-formed UTF-8 sequence at @s (@n bytes left), or 0
 * (Unicode table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t len;

    if (s[0] < 0x80)
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

/* A byte the escaper must look at: markup, a C0 control, or non-ASCII. */
static bool special(unsigned char c)
{
    return c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>' || c == '"' ||
           c == '\'';
}

/* "&#N;" for a code point. */
static void put_charref(struct s3xml_buf *b, unsigned cp)
{
    char tmp[16];
    int n = snprintf(tmp, sizeof(tmp), "&#%u;", cp);

    put(b, tmp, (size_t)n);
}

static const char REPLACEMENT[] = "\xef\xbf\xbd";   /* U+FFFD */

void s3xml_text(struct s3xml_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;

    if (b->err != HF_OK)
        return;
    while (i < n) {
        unsigned char c = p[i];
        size_t l = 0;

        if (!special(c)) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            l = utf8_seq(p + i, n - i);
            /* U+FFFE and U+FFFF are not XML characters */
            if (l > 1 && !(l == 3 && c == 0xef && p[i + 1] == 0xbf && p[i + 2] >= 0xbe)) {
                i += l;         /* a plain character: stays in the run */
                continue;
            }
        }
        put(b, s + run, i - run);
        switch (c) {
        case '&': put(b, "&amp;", 5); break;
        case '<': put(b, "&lt;", 4); break;
        case '>': put(b, "&gt;", 4); break;
        case '"': put(b, "&quot;", 6); break;
        case '\'': put(b, "&apos;", 6); break;
        case 0: put(b, REPLACEMENT, 3); break;
        default:
            if (c < 0x20) {
                put_charref(b, c);
            } else if (l == 3) {
                put_charref(b, 0xfffeu + (p[i + 2] - 0xbeu));   /* EF BF BE/BF */
                i += 2;
            } else {
                put(b, REPLACEMENT, 3);     /* not well-formed UTF-8 */
            }
            break;
        }
        i++;
        run = i;
    }
    put(b, s + run, n - run);
}

/* Bytes kept by the url encoding: A-Z a-z 0-9 - . _ ~ / */
static bool url_keep(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

size_t s3xml_url_encode(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (url_keep(c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return o;
}

void s3xml_text_url(struct s3xml_buf *b, const char *s, size_t n)
{
    size_t need = 0;

    for (size_t i = 0; i < n; i++)
        need += url_keep((unsigned char)s[i]) ? 1 : 3;
    if (!reserve(b, need))
        return;
    b->len += s3xml_url_encode(s, n, b->data + b->len);
}

/* ================================================================== */
/* Elements                                                            */
/* ================================================================== */

void s3xml_decl(struct s3xml_buf *b)
{
    put(b, S3XML_DECL, sizeof(S3XML_DECL) - 1);
}

void s3xml_open(struct s3xml_buf *b, const char *name)
{
    put(b, "<", 1);
    puts_(b, name);
    put(b, ">", 1);
}

void s3xml_open_ns(struct s3xml_buf *b, const char *name)
{
    static const char ns[] = " xmlns=\"" S3XML_NS "\">";

    put(b, "<", 1);
    puts_(b, name);
    put(b, ns, sizeof(ns) - 1);
}

void s3xml_close(struct s3xml_buf *b, const char *name)
{
    put(b, "</", 2);
    puts_(b, name);
    put(b, ">", 1);
}

void s3xml_elem(struct s3xml_buf *b, const char *name, const char *s, size_t n, bool url)
{
    s3xml_open(b, name);
    if (url)
        s3xml_text_url(b, s, n);
    else
        s3xml_text(b, s, n);
    s3xml_close(b, name);
}

void s3xml_elem_str(struct s3xml_buf *b, const char *name, const char *s)
{
    if (s)
        s3xml_elem(b, name, s, strlen(s), false);
}

/* An optional string, url-encoded when @url. */
static void elem_opt(struct s3xml_buf *b, const char *name, const char *s, bool url)
{
    if (s)
        s3xml_elem(b, name, s, strlen(s), url);
}

/* A string written even when NULL (as the empty element). */
static void elem_always(struct s3xml_buf *b, const char *name, const char *s, bool url)
{
    s3xml_elem(b, name, s ? s : "", s ? strlen(s) : 0, url);
}

void s3xml_elem_u64(struct s3xml_buf *b, const char *name, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    s3xml_open(b, name);
    put(b, tmp + i, sizeof(tmp) - i);
    s3xml_close(b, name);
}

void s3xml_elem_bool(struct s3xml_buf *b, const char *name, bool v)
{
    s3xml_open(b, name);
    if (v)
        put(b, "true", 4);
    else
        put(b, "false", 5);
    s3xml_close(b, name);
}

/* Floor division for negative times. */
static int64_t floordiv(int64_t a, int64_t d)
{
    int64_t q = a / d;

    return (a % d != 0 && (a < 0) != (d < 0)) ? q - 1 : q;
}

/* Civil date of day @z since 1970-01-01 (H. Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yy;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = floordiv(z, 146097);
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

/* Days since 1970-01-01 of a civil date (inverse of civil_from_days). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = floordiv(y, 400);
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

size_t s3xml_format_time(int64_t ns, char out[S3XML_TIME_MAX])
{
    int64_t ms = floordiv(ns, 1000000);
    int64_t secs = floordiv(ms, 1000);
    int64_t days = floordiv(secs, 86400);
    unsigned msr = (unsigned)(ms - secs * 1000);
    unsigned sod = (unsigned)(secs - days * 86400);
    unsigned mon, day;
    int64_t year;
    int n;

    civil_from_days(days, &year, &mon, &day);
    if (year >= 0 && year <= 9999) {
        unsigned y = (unsigned)year;
        two(out, y / 100);
        two(out + 2, y % 100);
        out[4] = '-';
        two(out + 5, mon);
        out[7] = '-';
        two(out + 8, day);
        out[10] = 'T';
        two(out + 11, sod / 3600);
        out[13] = ':';
        two(out + 14, sod / 60 % 60);
        out[16] = ':';
        two(out + 17, sod % 60);
        out[19] = '.';
        out[20] = (char)('0' + msr / 100);
        two(out + 21, msr % 100);
        out[23] = 'Z';
        out[24] = '\0';
        return 24;
    }
    n = snprintf(out, S3XML_TIME_MAX, "%lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)year,
                 mon, day, sod / 3600, sod / 60 % 60, sod % 60, msr);
    return n < 0 ? 0 : (size_t)n;
}

void s3xml_elem_time(struct s3xml_buf *b, const char *name, int64_t ns)
{
    char tmp[S3XML_TIME_MAX];
    size_t n = s3xml_format_time(ns, tmp);

    s3xml_open(b, name);
    put(b, tmp, n);
    s3xml_close(b, name);
}

void s3xml_elem_etag(struct s3xml_buf *b, const char *name, const char *etag)
{
    size_t n;

    if (!etag)
        return;
    n = strlen(etag);
    s3xml_open(b, name);
    if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
        s3xml_text(b, etag, n);
    } else {
        put(b, "&quot;", 6);
        s3xml_text(b, etag, n);
        put(b, "&quot;", 6);
    }
    s3xml_close(b, name);
}

static void owner(struct s3xml_buf *b, const char *name, const struct s3xml_owner *o)
{
    if (!o)
        return;
    s3xml_open(b, name);
    elem_always(b, "ID", o->id, false);
    elem_opt(b, "DisplayName", o->display_name, false);
    s3xml_close(b, name);
}

static void storage_class(struct s3xml_buf *b, const char *sc)
{
    elem_always(b, "StorageClass", sc ? sc : "STANDARD", false);
}

/* An optional delimiter: NULL and "" are both "not given". */
static void delimiter(struct s3xml_buf *b, const char *d, bool url)
{
    if (d && *d)
        s3xml_elem(b, "Delimiter", d, strlen(d), url);
}

static void encoding_type(struct s3xml_buf *b, bool url)
{
    if (url)
        put(b, "<EncodingType>url</EncodingType>", 32);
}

static void common_prefix(struct s3xml_buf *b, const char *p, size_t n, bool url)
{
    put(b, "<CommonPrefixes>", 16);
    s3xml_elem(b, "Prefix", p, n, url);
    put(b, "</CommonPrefixes>", 17);
}

/* ================================================================== */
/* Documents                                                           */
/* ================================================================== */

void s3xml_error(struct s3xml_buf *b, const struct s3xml_error_doc *e)
{
    s3xml_decl(b);
    s3xml_open(b, "Error");
    elem_always(b, "Code", e->code, false);
    elem_always(b, "Message", e->message, false);
    elem_opt(b, "BucketName", e->bucket_name, false);
    if (e->key)
        s3xml_elem(b, "Key", e->key, e->key_len, false);
    elem_opt(b, "VersionId", e->version_id, false);
    elem_opt(b, "ArgumentName", e->argument_name, false);
    elem_opt(b, "ArgumentValue", e->argument_value, false);
    for (size_t i = 0; i < e->nextra; i++)
        if (e->extra[i].name && e->extra[i].value)
            elem_opt(b, e->extra[i].name, e->extra[i].value, false);
    elem_opt(b, "Resource", e->resource, false);
    elem_opt(b, "RequestId", e->request_id, false);
    elem_opt(b, "HostId", e->host_id, false);
    s3xml_close(b, "Error");
}

void s3xml_buckets_begin(struct s3xml_buf *b)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "ListAllMyBucketsResult");
    s3xml_open(b, "Buckets");
}

void s3xml_buckets_entry(struct s3xml_buf *b, const char *name, int64_t created_ns)
{
    s3xml_open(b, "Bucket");
    s3xml_elem_time(b, "CreationDate", created_ns);
    elem_always(b, "Name", name, false);
    s3xml_close(b, "Bucket");
}

void s3xml_buckets_end(struct s3xml_buf *b, const struct s3xml_owner *o,
                       const char *continuation_token, const char *prefix)
{
    s3xml_close(b, "Buckets");
    owner(b, "Owner", o);
    elem_opt(b, "ContinuationToken", continuation_token, false);
    elem_opt(b, "Prefix", prefix, false);
    s3xml_close(b, "ListAllMyBucketsResult");
}

void s3xml_list_begin(struct s3xml_buf *b, const struct s3xml_list_head *h)
{
    bool url = h->url_encode;

    s3xml_decl(b);
    s3xml_open_ns(b, "ListBucketResult");
    elem_always(b, "Name", h->bucket, false);
    elem_always(b, "Prefix", h->prefix, url);
    if (h->v2) {
        elem_opt(b, "StartAfter", h->start_after, url);
        elem_opt(b, "ContinuationToken", h->continuation_token, false);
        elem_opt(b, "NextContinuationToken", h->next_continuation_token, false);
        s3xml_elem_u64(b, "KeyCount", h->key_count);
    } else {
        elem_always(b, "Marker", h->marker, url);
        elem_opt(b, "NextMarker", h->next_marker, url);
    }
    s3xml_elem_u64(b, "MaxKeys", h->max_keys);
    delimiter(b, h->delimiter, url);
    encoding_type(b, url);
    s3xml_elem_bool(b, "IsTruncated", h->is_truncated);
}

void s3xml_list_object(struct s3xml_buf *b, const struct s3xml_list_head *h,
                       const struct s3xml_object *o)
{
    put(b, "<Contents>", 10);
    s3xml_elem(b, "Key", o->key, o->key_len, h->url_encode);
    s3xml_elem_time(b, "LastModified", o->mtime_ns);
    s3xml_elem_etag(b, "ETag", o->etag);
    s3xml_elem_u64(b, "Size", o->size);
    storage_class(b, o->storage_class);
    owner(b, "Owner", o->owner);
    put(b, "</Contents>", 11);
}

void s3xml_list_prefix(struct s3xml_buf *b, const struct s3xml_list_head *h, const char *p,
                       size_t n)
{
    common_prefix(b, p, n, h->url_encode);
}

void s3xml_list_end(struct s3xml_buf *b)
{
    s3xml_close(b, "ListBucketResult");
}

void s3xml_versions_begin(struct s3xml_buf *b, const struct s3xml_versions_head *h)
{
    bool url = h->url_encode;

    s3xml_decl(b);
    s3xml_open_ns(b, "ListVersionsResult");
    elem_always(b, "Name", h->bucket, false);
    elem_always(b, "Prefix", h->prefix, url);
    elem_always(b, "KeyMarker", h->key_marker, url);
    elem_always(b, "VersionIdMarker", h->version_id_marker, false);
    elem_opt(b, "NextKeyMarker", h->next_key_marker, url);
    elem_opt(b, "NextVersionIdMarker", h->next_version_id_marker, false);
    s3xml_elem_u64(b, "MaxKeys", h->max_keys);
    delimiter(b, h->delimiter, url);
    encoding_type(b, url);
    s3xml_elem_bool(b, "IsTruncated", h->is_truncated);
}

void s3xml_versions_entry(struct s3xml_buf *b, const struct s3xml_versions_head *h,
                          const struct s3xml_version *v)
{
    const char *tag = v->delete_marker ? "DeleteMarker" : "Version";

    s3xml_open(b, tag);
    s3xml_elem(b, "Key", v->key, v->key_len, h->url_encode);
    elem_always(b, "VersionId", v->version_id, false);
    s3xml_elem_bool(b, "IsLatest", v->is_latest);
    s3xml_elem_time(b, "LastModified", v->mtime_ns);
    if (!v->delete_marker) {
        s3xml_elem_etag(b, "ETag", v->etag);
        s3xml_elem_u64(b, "Size", v->size);
        storage_class(b, v->storage_class);
    }
    owner(b, "Owner", v->owner);
    s3xml_close(b, tag);
}

void s3xml_versions_prefix(struct s3xml_buf *b, const struct s3xml_versions_head *h,
                           const char *p, size_t n)
{
    common_prefix(b, p, n, h->url_encode);
}

void s3xml_versions_end(struct s3xml_buf *b)
{
    s3xml_close(b, "ListVersionsResult");
}

void s3xml_location(struct s3xml_buf *b, const char *region)
{
    s3xml_decl(b);
    if (!region || !*region) {
        puts_(b, "<LocationConstraint xmlns=\"" S3XML_NS "\"/>");
        return;
    }
    s3xml_open_ns(b, "LocationConstraint");
    s3xml_text(b, region, strlen(region));
    s3xml_close(b, "LocationConstraint");
}

void s3xml_versioning(struct s3xml_buf *b, enum s3xml_versioning status,
                      enum s3xml_mfa_delete mfa_delete)
{
    s3xml_decl(b);
    if (status == S3XML_VERSIONING_UNSET && mfa_delete == S3XML_MFA_DELETE_UNSET) {
        puts_(b, "<VersioningConfiguration xmlns=\"" S3XML_NS "\"/>");
        return;
    }
    s3xml_open_ns(b, "VersioningConfiguration");
    if (status == S3XML_VERSIONING_ENABLED)
        puts_(b, "<Status>Enabled</Status>");
    else if (status == S3XML_VERSIONING_SUSPENDED)
        puts_(b, "<Status>Suspended</Status>");
    if (mfa_delete == S3XML_MFA_DELETE_ENABLED)
        puts_(b, "<MfaDelete>Enabled</MfaDelete>");
    else if (mfa_delete == S3XML_MFA_DELETE_DISABLED)
        puts_(b, "<MfaDelete>Disabled</MfaDelete>");
    s3xml_close(b, "VersioningConfiguration");
}

static const char *lock_mode_text(enum s3xml_lock_mode mode)
{
    return mode == S3XML_LOCK_COMPLIANCE ? "COMPLIANCE" : "GOVERNANCE";
}

void s3xml_lock_conf(struct s3xml_buf *b, enum s3xml_lock_mode mode, unsigned days,
                     unsigned years)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "ObjectLockConfiguration");
    puts_(b, "<ObjectLockEnabled>Enabled</ObjectLockEnabled>");
    if (mode != S3XML_LOCK_NONE) {
        puts_(b, "<Rule><DefaultRetention>");
        s3xml_elem_str(b, "Mode", lock_mode_text(mode));
        if (days)
            s3xml_elem_u64(b, "Days", days);
        else
            s3xml_elem_u64(b, "Years", years);
        puts_(b, "</DefaultRetention></Rule>");
    }
    s3xml_close(b, "ObjectLockConfiguration");
}

void s3xml_retention(struct s3xml_buf *b, enum s3xml_lock_mode mode, int64_t until_ns)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "Retention");
    s3xml_elem_str(b, "Mode", lock_mode_text(mode));
    s3xml_elem_time(b, "RetainUntilDate", until_ns);
    s3xml_close(b, "Retention");
}

void s3xml_legal_hold(struct s3xml_buf *b, bool on)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "LegalHold");
    s3xml_elem_str(b, "Status", on ? "ON" : "OFF");
    s3xml_close(b, "LegalHold");
}

void s3xml_delete_begin(struct s3xml_buf *b)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "DeleteResult");
}

void s3xml_delete_deleted(struct s3xml_buf *b, const char *key, size_t key_len,
                          const char *version_id, bool delete_marker,
                          const char *delete_marker_version_id)
{
    put(b, "<Deleted>", 9);
    s3xml_elem(b, "Key", key, key_len, false);
    elem_opt(b, "VersionId", version_id, false);
    if (delete_marker)
        s3xml_elem_bool(b, "DeleteMarker", true);
    elem_opt(b, "DeleteMarkerVersionId", delete_marker_version_id, false);
    put(b, "</Deleted>", 10);
}

void s3xml_delete_error(struct s3xml_buf *b, const char *key, size_t key_len,
                        const char *version_id, const char *code, const char *message)
{
    put(b, "<Error>", 7);
    s3xml_elem(b, "Key", key, key_len, false);
    elem_opt(b, "VersionId", version_id, false);
    elem_always(b, "Code", code, false);
    elem_always(b, "Message", message, false);
    put(b, "</Error>", 8);
}

void s3xml_delete_end(struct s3xml_buf *b)
{
    s3xml_close(b, "DeleteResult");
}

void s3xml_initiate_multipart(struct s3xml_buf *b, const char *bucket, const char *key,
                              size_t key_len, const char *upload_id)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "InitiateMultipartUploadResult");
    elem_always(b, "Bucket", bucket, false);
    s3xml_elem(b, "Key", key, key_len, false);
    elem_always(b, "UploadId", upload_id, false);
    s3xml_close(b, "InitiateMultipartUploadResult");
}

/* Checksum<algo> and ChecksumType of @sum (nothing when NULL or without algo). */
static void checksum(struct s3xml_buf *b, const struct s3xml_checksum *sum)
{
    char name[32];

    if (!sum || !sum->algo)
        return;
    snprintf(name, sizeof(name), "Checksum%s", sum->algo);
    elem_always(b, name, sum->value, false);
    elem_opt(b, "ChecksumType", sum->type, false);
}

void s3xml_complete_multipart(struct s3xml_buf *b, const char *location, const char *bucket,
                              const char *key, size_t key_len, const char *etag,
                              const struct s3xml_checksum *sum)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "CompleteMultipartUploadResult");
    elem_opt(b, "Location", location, false);
    elem_always(b, "Bucket", bucket, false);
    s3xml_elem(b, "Key", key, key_len, false);
    s3xml_elem_etag(b, "ETag", etag);
    checksum(b, sum);
    s3xml_close(b, "CompleteMultipartUploadResult");
}

static void copy_result(struct s3xml_buf *b, const char *root, int64_t mtime_ns,
                        const char *etag)
{
    s3xml_decl(b);
    s3xml_open_ns(b, root);
    s3xml_elem_time(b, "LastModified", mtime_ns);
    s3xml_elem_etag(b, "ETag", etag);
    s3xml_close(b, root);
}

void s3xml_copy_object(struct s3xml_buf *b, int64_t mtime_ns, const char *etag)
{
    copy_result(b, "CopyObjectResult", mtime_ns, etag);
}

void s3xml_copy_part(struct s3xml_buf *b, int64_t mtime_ns, const char *etag)
{
    copy_result(b, "CopyPartResult", mtime_ns, etag);
}

void s3xml_parts_begin(struct s3xml_buf *b, const struct s3xml_parts_head *h)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "ListPartsResult");
    elem_always(b, "Bucket", h->bucket, false);
    s3xml_elem(b, "Key", h->key ? h->key : "", h->key ? h->key_len : 0, false);
    elem_always(b, "UploadId", h->upload_id, false);
    owner(b, "Initiator", h->initiator);
    owner(b, "Owner", h->owner);
    storage_class(b, h->storage_class);
    s3xml_elem_u64(b, "PartNumberMarker", h->part_number_marker);
    s3xml_elem_u64(b, "NextPartNumberMarker", h->next_part_number_marker);
    s3xml_elem_u64(b, "MaxParts", h->max_parts);
    s3xml_elem_bool(b, "IsTruncated", h->is_truncated);
    elem_opt(b, "ChecksumAlgorithm", h->checksum_algorithm, false);
    elem_opt(b, "ChecksumType", h->checksum_type, false);
}

void s3xml_parts_entry(struct s3xml_buf *b, unsigned part_number, int64_t mtime_ns,
                       const char *etag, uint64_t size, const struct s3xml_checksum *sum)
{
    put(b, "<Part>", 6);
    s3xml_elem_u64(b, "PartNumber", part_number);
    s3xml_elem_time(b, "LastModified", mtime_ns);
    s3xml_elem_etag(b, "ETag", etag);
    s3xml_elem_u64(b, "Size", size);
    checksum(b, sum);
    put(b, "</Part>", 7);
}

void s3xml_parts_end(struct s3xml_buf *b)
{
    s3xml_close(b, "ListPartsResult");
}

void s3xml_uploads_begin(struct s3xml_buf *b, const struct s3xml_uploads_head *h)
{
    bool url = h->url_encode;

    s3xml_decl(b);
    s3xml_open_ns(b, "ListMultipartUploadsResult");
    elem_always(b, "Bucket", h->bucket, false);
    elem_always(b, "KeyMarker", h->key_marker, url);
    elem_always(b, "UploadIdMarker", h->upload_id_marker, false);
    elem_opt(b, "NextKeyMarker", h->next_key_marker, url);
    elem_opt(b, "NextUploadIdMarker", h->next_upload_id_marker, false);
    delimiter(b, h->delimiter, url);
    elem_opt(b, "Prefix", h->prefix, url);
    s3xml_elem_u64(b, "MaxUploads", h->max_uploads);
    encoding_type(b, url);
    s3xml_elem_bool(b, "IsTruncated", h->is_truncated);
}

void s3xml_uploads_entry(struct s3xml_buf *b, const struct s3xml_uploads_head *h,
                         const struct s3xml_upload *u)
{
    put(b, "<Upload>", 8);
    s3xml_elem(b, "Key", u->key, u->key_len, h->url_encode);
    elem_always(b, "UploadId", u->upload_id, false);
    owner(b, "Initiator", u->initiator);
    owner(b, "Owner", u->owner);
    storage_class(b, u->storage_class);
    s3xml_elem_time(b, "Initiated", u->initiated_ns);
    put(b, "</Upload>", 9);
}

void s3xml_uploads_prefix(struct s3xml_buf *b, const struct s3xml_uploads_head *h,
                          const char *p, size_t n)
{
    common_prefix(b, p, n, h->url_encode);
}

void s3xml_uploads_end(struct s3xml_buf *b)
{
    s3xml_close(b, "ListMultipartUploadsResult");
}

void s3xml_object_attributes(struct s3xml_buf *b, const struct s3xml_object_attrs *a)
{
    s3xml_decl(b);
    s3xml_open_ns(b, "GetObjectAttributesOutput");
    s3xml_elem_str(b, "ETag", a->etag);
    if (a->checksum.algo) {
        s3xml_open(b, "Checksum");
        checksum(b, &a->checksum);
        s3xml_close(b, "Checksum");
    }
    if (a->has_parts) {
        s3xml_open(b, "ObjectParts");
        s3xml_elem_bool(b, "IsTruncated", a->is_truncated);
        s3xml_elem_u64(b, "MaxParts", a->max_parts);
        s3xml_elem_u64(b, "NextPartNumberMarker", a->next_part_number_marker);
        s3xml_elem_u64(b, "PartNumberMarker", a->part_number_marker);
        s3xml_raw(b, a->parts_xml ? a->parts_xml : "", a->parts_xml ? a->parts_len : 0);
        s3xml_elem_u64(b, "PartsCount", a->parts_count);
        s3xml_close(b, "ObjectParts");
    }
    if (a->storage_class)
        storage_class(b, NULL);
    if (a->has_size)
        s3xml_elem_u64(b, "ObjectSize", a->size);
    s3xml_close(b, "GetObjectAttributesOutput");
}

void s3xml_object_part(struct s3xml_buf *b, unsigned number, uint64_t size,
                       const struct s3xml_checksum *sum)
{
    s3xml_open(b, "Part");
    s3xml_elem_u64(b, "PartNumber", number);
    s3xml_elem_u64(b, "Size", size);
    if (sum && sum->algo) {
        struct s3xml_checksum s = { sum->algo, sum->value, NULL }; /* no type per part */
        checksum(b, &s);
    }
    s3xml_close(b, "Part");
}

void s3xml_acl_owner_only(struct s3xml_buf *b, const struct s3xml_owner *o)
{
    static const char grantee[] = "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-"
                                  "instance\" xsi:type=\"CanonicalUser\">";

    s3xml_decl(b);
    s3xml_open_ns(b, "AccessControlPolicy");
    owner(b, "Owner", o);
    s3xml_open(b, "AccessControlList");
    s3xml_open(b, "Grant");
    s3xml_raw(b, grantee, sizeof(grantee) - 1);
    s3xml_elem_str(b, "ID", o->id);
    s3xml_elem_str(b, "DisplayName", o->display_name);
    s3xml_close(b, "Grantee");
    s3xml_elem_str(b, "Permission", "FULL_CONTROL");
    s3xml_close(b, "Grant");
    s3xml_close(b, "AccessControlList");
    s3xml_close(b, "AccessControlPolicy");
}

/* ================================================================== */
/* Parsing: the door to libxml2                                        */
/* ================================================================== */

#define MALFORMED_MSG                                                          \
    "The XML you provided was not well-formed or did not validate against our " \
    "published schema"

static enum hf_err fail(struct s3xml_err *err, enum hf_err rc, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record the S3 error @code and a message for @rc, and return @rc. */
static enum hf_err fail(struct s3xml_err *err, enum hf_err rc, const char *code,
                        const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return rc;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    /* one line: a message may quote libxml2, which may quote the input */
    for (char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    return rc;
}

static enum hf_err malformed(struct s3xml_err *err, const char *what)
{
    return fail(err, HF_EMALFORMED, "MalformedXML", MALFORMED_MSG " (%s)", what);
}

static enum hf_err nomem(struct s3xml_err *err)
{
    return fail(err, HF_ENOMEM, "InternalError", "out of memory parsing the request body");
}

static void err_clear(struct s3xml_err *err)
{
    if (err) {
        err->code = NULL;
        err->msg[0] = '\0';
    }
}

static bool xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What the SAX hooks see, through ctxt->_private. */
struct pstate {
    size_t elements;
    size_t max_elements;
    bool doctype;
    bool too_many;
    startElementNsSAX2Func start;   /* libxml2's own, called for each start tag */
};

static void stop(void *ctx, bool doctype)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct pstate *ps = ctxt->_private;

    if (ps && doctype)
        ps->doctype = true;
    if (ps && !doctype)
        ps->too_many = true;
    xmlStopParser(ctxt);
}

/* <!DOCTYPE ...: called before the internal subset is read. */
static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
                               const xmlChar *sys)
{
    (void)name;
    (void)ext;
    (void)sys;
    stop(ctx, true);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
                           const xmlChar *sys, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)pub;
    (void)sys;
    (void)content;
    stop(ctx, true);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct pstate *ps = ctxt->_private;

    if (!ps || ++ps->elements > ps->max_elements) {
        stop(ctx, false);
        return;
    }
    ps->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
              nb_defaulted, attributes);
}

/*
 * libxml2 reports some errors (encoding conversion, I/O) to its generic
 * channel, stderr by default: a client must not be able to write to the
 * server's log.  The channel is per thread; read_doc() silences it while
 * it parses and puts the caller's back.  The errors themselves are still
 * in the context's lastError.
 */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/*
 * Parse @body into a tree whose root element is named @root.  On HF_OK
 * *@docp is the document (free with xmlFreeDoc) and *@rootp its root.
 */
static enum hf_err read_doc(const void *body, size_t len, size_t cap, size_t max_elements,
                            const char *root, xmlDocPtr *docp, const xmlNode **rootp,
                            struct s3xml_err *err)
{
    struct pstate ps = { .max_elements = max_elements };
    xmlGenericErrorFunc saved_fn;
    void *saved_ctx;
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    const xmlNode *r;
    enum hf_err rc;

    *docp = NULL;
    *rootp = NULL;
    if (cap == 0)
        cap = S3XML_BODY_MAX;
    if (cap > S3XML_COMPLETE_BODY_MAX)
        cap = S3XML_COMPLETE_BODY_MAX;
    if (len > cap)
        return fail(err, HF_EMALFORMED, "MaxMessageLengthExceeded",
                    "Your request was too big: %zu bytes, the limit is %zu", len, cap);
    if (!body || len == 0)
        return malformed(err, "the request body is empty");

    pthread_once(&xml_once, xml_init);
    ctxt = xmlNewParserCtxt();
    if (!ctxt || !ctxt->sax) {
        xmlFreeParserCtxt(ctxt);
        return nomem(err);
    }
    ps.start = ctxt->sax->startElementNs;
    ctxt->_private = &ps;
    ctxt->sax->startElementNs = on_start;
    ctxt->sax->internalSubset = on_internal_subset;
    ctxt->sax->entityDecl = on_entity_decl;

    /*
     * No XML_PARSE_NOENT (no substitution), DTDLOAD, DTDATTR or HUGE.  The
     * body is read as UTF-8 whatever it declares (IGNORE_ENC), as S3
     * reads it: no iconv converter is ever reached from client input, and
     * a UTF-16 or Latin-1 body is simply not well-formed.
     */
    saved_fn = xmlGenericError;
    saved_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC);
    xmlSetGenericErrorFunc(saved_ctx, saved_fn);
    if (ps.doctype) {
        rc = malformed(err, "a DOCTYPE is not allowed");
        goto out;
    }
    if (ps.too_many) {
        rc = malformed(err, "too many elements");
        goto out;
    }
    if (ctxt->errNo == XML_ERR_USER_STOP) {     /* stopped, but not by us: refuse */
        rc = malformed(err, "parsing stopped");
        goto out;
    }
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);

        if (e && e->code == XML_ERR_NO_MEMORY) {
            rc = nomem(err);
        } else if (e && e->message) {
            char what[160];
            size_t n = (size_t)snprintf(what, sizeof(what), "line %d: %s", e->line, e->message);
            if (n >= sizeof(what))
                n = sizeof(what) - 1;
            while (n > 0 && xml_space(what[n - 1]))   /* libxml2 ends it with "\n" */
                what[--n] = '\0';
            rc = malformed(err, what);
        } else {
            rc = malformed(err, "not well-formed");
        }
        goto out;
    }
    r = xmlDocGetRootElement(doc);
    if (!r || strcmp((const char *)r->name, root) != 0) {
        char what[96];
        snprintf(what, sizeof(what), "the root element must be %s", root);
        rc = malformed(err, what);
        goto out;
    }
    *docp = doc;
    *rootp = r;
    doc = NULL;         /* moved to the caller */
    rc = HF_OK;
out:
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* ================================================================== */
/* Parsing: reading the tree                                           */
/* ================================================================== */

static bool named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/*
 * Length of the text of leaf element @el (its text children joined;
 * comments and processing instructions skipped), or SIZE_MAX when it has
 * an element child.
 */
static size_t text_len(const xmlNode *el)
{
    size_t n = 0;

    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE || c->type == XML_ENTITY_REF_NODE)
            return SIZE_MAX;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            n += strlen((const char *)c->content);
    }
    return n;
}

/* Copy the text of @el into @dst, which holds text_len(@el) + 1 bytes. */
static void text_copy(const xmlNode *el, char *dst)
{
    size_t n = 0;

    for (const xmlNode *c = el->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            size_t l = strlen((const char *)c->content);
            memcpy(dst + n, c->content, l);
            n += l;
        }
    }
    dst[n] = '\0';
}

/*
 * The text of @el, trimmed of XML white space, into @buf (@size bytes).
 * false when it does not fit or @el is not a leaf: callers treat that as a
 * bad value.
 */
static bool token(const xmlNode *el, char *buf, size_t size)
{
    size_t n = text_len(el), s = 0;
    char *tmp;

    if (n == SIZE_MAX || n > 4096)
        return false;
    tmp = malloc(n + 1);
    if (!tmp)
        return false;
    text_copy(el, tmp);
    while (n > 0 && xml_space(tmp[n - 1]))
        n--;
    while (s < n && xml_space(tmp[s]))
        s++;
    if (n - s >= size) {
        free(tmp);
        return false;
    }
    memcpy(buf, tmp + s, n - s);
    buf[n - s] = '\0';
    free(tmp);
    return true;
}

/*
 * An owned copy of @el's text, exactly (no trimming), at most @max bytes.
 * HF_EMALFORMED when it is not a leaf or longer than @max.
 */
static enum hf_err string(const xmlNode *el, size_t max, char **out, size_t *outlen,
                          struct s3xml_err *err)
{
    size_t n = text_len(el);
    char what[96];

    *out = NULL;
    if (n == SIZE_MAX) {
        snprintf(what, sizeof(what), "%s must hold text only", (const char *)el->name);
        return malformed(err, what);
    }
    if (n > max) {
        snprintf(what, sizeof(what), "%s is longer than %zu bytes", (const char *)el->name,
                 max);
        return malformed(err, what);
    }
    *out = malloc(n + 1);
    if (!*out)
        return nomem(err);
    text_copy(el, *out);
    if (outlen)
        *outlen = n;
    return HF_OK;
}

/* Set *@seen, or fail when the element was already there. */
static enum hf_err once(const xmlNode *el, bool *seen, struct s3xml_err *err)
{
    char what[96];

    if (!*seen) {
        *seen = true;
        return HF_OK;
    }
    snprintf(what, sizeof(what), "%s is given more than once", (const char *)el->name);
    return malformed(err, what);
}

static enum hf_err missing(const char *name, struct s3xml_err *err)
{
    char what[96];

    snprintf(what, sizeof(what), "%s is missing", name);
    return malformed(err, what);
}

static enum hf_err bad_value(const xmlNode *el, struct s3xml_err *err)
{
    char what[96];

    snprintf(what, sizeof(what), "%s has an invalid value", (const char *)el->name);
    return malformed(err, what);
}

/* Decimal digits only, at most 9 of them (leading zeros allowed); -1 if not. */
static long small_uint(const char *s)
{
    long v = 0;
    size_t i = 0;

    while (s[i] == '0' && s[i + 1] != '\0')
        i++;
    if (s[i] == '\0')
        return -1;
    for (size_t d = 0; s[i]; i++, d++) {
        if (s[i] < '0' || s[i] > '9' || d >= 9)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* An optionally signed decimal integer (for range errors on negatives). */
static bool signed_int(const char *s, long *out)
{
    bool neg = false;
    long v;

    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    v = small_uint(s);
    if (v < 0)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* ================================================================== */
/* Parsers                                                             */
/* ================================================================== */

enum hf_err s3xml_parse_create_bucket(const void *body, size_t len, size_t cap,
                                      struct s3xml_create_bucket *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    bool seen = false;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 64, "CreateBucketConfiguration", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (!named(c, "LocationConstraint"))
            continue;
        rc = once(c, &seen, err);
        if (rc == HF_OK)
            rc = string(c, 128, &out->location, NULL, err);
    }
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        s3xml_create_bucket_release(out);
    return rc;
}

void s3xml_create_bucket_release(struct s3xml_create_bucket *c)
{
    if (!c)
        return;
    free(c->location);
    c->location = NULL;
}

enum hf_err s3xml_parse_versioning(const void *body, size_t len, size_t cap,
                                   struct s3xml_versioning_conf *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    bool seen_status = false, seen_mfa = false;
    char v[16];
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 64, "VersioningConfiguration", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Status")) {
            rc = once(c, &seen_status, err);
            if (rc != HF_OK)
                break;
            if (token(c, v, sizeof(v)) && strcmp(v, "Enabled") == 0)
                out->status = S3XML_VERSIONING_ENABLED;
            else if (token(c, v, sizeof(v)) && strcmp(v, "Suspended") == 0)
                out->status = S3XML_VERSIONING_SUSPENDED;
            else
                rc = bad_value(c, err);
        } else if (named(c, "MfaDelete")) {
            rc = once(c, &seen_mfa, err);
            if (rc != HF_OK)
                break;
            if (token(c, v, sizeof(v)) && strcmp(v, "Enabled") == 0)
                out->mfa_delete = S3XML_MFA_DELETE_ENABLED;
            else if (token(c, v, sizeof(v)) && strcmp(v, "Disabled") == 0)
                out->mfa_delete = S3XML_MFA_DELETE_DISABLED;
            else
                rc = bad_value(c, err);
        }
    }
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* One <Object> of a Delete into @o. */
static enum hf_err delete_object(const xmlNode *obj, struct s3xml_delete_obj *o,
                                 struct s3xml_err *err)
{
    bool seen_key = false, seen_vid = false;
    enum hf_err rc = HF_OK;

    for (const xmlNode *c = obj->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Key")) {
            size_t n = text_len(c);
            rc = once(c, &seen_key, err);
            if (rc != HF_OK)
                break;
            if (n != SIZE_MAX && n > HF_KEY_MAX)
                rc = fail(err, HF_EBADKEY, "KeyTooLongError",
                          "Your key is too long: %zu bytes, the limit is %d", n, HF_KEY_MAX);
            else
                rc = string(c, HF_KEY_MAX, &o->key, &o->key_len, err);
            if (rc == HF_OK && o->key_len == 0)
                rc = malformed(err, "an object Key is empty");
        } else if (named(c, "VersionId")) {
            rc = once(c, &seen_vid, err);
            if (rc == HF_OK)
                rc = string(c, 1024, &o->version_id, NULL, err);
        }
    }
    if (rc == HF_OK && !seen_key)
        rc = missing("Object/Key", err);
    return rc;
}

enum hf_err s3xml_parse_delete(const void *body, size_t len, size_t cap,
                               struct s3xml_delete *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    size_t count = 0;
    bool seen_quiet = false;
    char v[8];
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 8 * S3XML_DELETE_MAX + 16, "Delete", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c; c = c->next)
        if (named(c, "Object"))
            count++;
    if (count == 0) {
        rc = missing("Object", err);
        goto out;
    }
    if (count > S3XML_DELETE_MAX) {
        rc = fail(err, HF_EMALFORMED, "MalformedXML",
                  MALFORMED_MSG " (%zu objects: at most %d may be deleted at once)", count,
                  S3XML_DELETE_MAX);
        goto out;
    }
    out->objs = calloc(count, sizeof(*out->objs));
    if (!out->objs) {
        rc = nomem(err);
        goto out;
    }
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Object")) {
            rc = delete_object(c, &out->objs[out->nobjs], err);
            out->nobjs++;       /* counted even on failure, so release frees it */
        } else if (named(c, "Quiet")) {
            rc = once(c, &seen_quiet, err);
            if (rc != HF_OK)
                break;
            if (token(c, v, sizeof(v)) && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0))
                out->quiet = true;
            else if (token(c, v, sizeof(v)) && (strcmp(v, "false") == 0 || strcmp(v, "0") == 0))
                out->quiet = false;
            else
                rc = bad_value(c, err);
        }
    }
out:
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        s3xml_delete_release(out);
    return rc;
}

void s3xml_delete_release(struct s3xml_delete *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nobjs; i++) {
        free(d->objs[i].key);
        free(d->objs[i].version_id);
    }
    free(d->objs);
    memset(d, 0, sizeof(*d));
}

static enum hf_err bad_part_number(struct s3xml_err *err)
{
    return fail(err, HF_EBADARG, "InvalidArgument",
                "Part number must be an integer between 1 and %d, inclusive", S3XML_PARTS_MAX);
}

/* S3's checksum algorithms, as in the Checksum<ALGO> elements. */
static const char *const checksum_algos[] = { "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" };

/* The algorithm of element Checksum<ALGO> @el (static), or NULL. */
static const char *checksum_elem(const xmlNode *el)
{
    const char *n = (const char *)el->name;

    if (el->type != XML_ELEMENT_NODE || strncmp(n, "Checksum", 8) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof(checksum_algos) / sizeof(checksum_algos[0]); i++)
        if (strcmp(n + 8, checksum_algos[i]) == 0)
            return checksum_algos[i];
    return NULL;
}

/* One <Part> of a CompleteMultipartUpload into @p. */
static enum hf_err complete_part(const xmlNode *part, struct s3xml_part *p,
                                 struct s3xml_err *err)
{
    bool seen_num = false, seen_etag = false, seen_sum = false;
    enum hf_err rc = HF_OK;
    const char *algo;
    char v[24];

    for (const xmlNode *c = part->children; c && rc == HF_OK; c = c->next) {
        if ((algo = checksum_elem(c)) != NULL) {
            size_t n, s = 0;
            rc = once(c, &seen_sum, err);
            if (rc != HF_OK)
                rc = malformed(err, "a Part has more than one Checksum element");
            if (rc == HF_OK)
                rc = string(c, 128, &p->sum, &n, err);
            if (rc != HF_OK)
                break;
            while (n > 0 && xml_space(p->sum[n - 1]))
                n--;
            while (s < n && xml_space(p->sum[s]))
                s++;
            memmove(p->sum, p->sum + s, n - s);
            p->sum[n - s] = '\0';
            p->sum_algo = algo;
        } else if (named(c, "PartNumber")) {
            long n;
            rc = once(c, &seen_num, err);
            if (rc != HF_OK)
                break;
            if (!token(c, v, sizeof(v)) || !signed_int(v, &n) || n < 1 ||
                n > S3XML_PARTS_MAX)
                rc = bad_part_number(err);
            else
                p->number = (unsigned)n;
        } else if (named(c, "ETag")) {
            size_t n, s = 0;
            rc = once(c, &seen_etag, err);
            if (rc == HF_OK)
                rc = string(c, 1024, &p->etag, &n, err);
            if (rc != HF_OK)
                break;
            /* trim white space, then one pair of quotes */
            while (n > 0 && xml_space(p->etag[n - 1]))
                n--;
            while (s < n && xml_space(p->etag[s]))
                s++;
            if (n - s >= 2 && p->etag[s] == '"' && p->etag[n - 1] == '"') {
                s++;
                n--;
            }
            memmove(p->etag, p->etag + s, n - s);
            p->etag[n - s] = '\0';
            if (n == s)
                rc = malformed(err, "a Part's ETag is empty");
        }
    }
    if (rc == HF_OK && !seen_num)
        rc = missing("Part/PartNumber", err);
    if (rc == HF_OK && !seen_etag)
        rc = missing("Part/ETag", err);
    return rc;
}

enum hf_err s3xml_parse_complete(const void *body, size_t len, size_t cap,
                                 struct s3xml_complete *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    size_t count = 0;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 16 * (size_t)S3XML_PARTS_MAX + 16, "CompleteMultipartUpload",
                  &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c; c = c->next)
        if (named(c, "Part"))
            count++;
    if (count == 0) {
        rc = missing("Part", err);
        goto out;
    }
    if (count > S3XML_PARTS_MAX) {
        rc = fail(err, HF_EMALFORMED, "MalformedXML",
                  MALFORMED_MSG " (%zu parts: at most %d)", count, S3XML_PARTS_MAX);
        goto out;
    }
    out->parts = calloc(count, sizeof(*out->parts));
    if (!out->parts) {
        rc = nomem(err);
        goto out;
    }
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (!named(c, "Part"))
            continue;
        rc = complete_part(c, &out->parts[out->nparts], err);
        out->nparts++;
        if (rc == HF_OK && out->nparts > 1 &&
            out->parts[out->nparts - 1].number <= out->parts[out->nparts - 2].number)
            rc = fail(err, HF_EBADARG, "InvalidPartOrder",
                      "The list of parts was not in ascending order. The parts list must be "
                      "specified in order by part number.");
    }
out:
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        s3xml_complete_release(out);
    return rc;
}

void s3xml_complete_release(struct s3xml_complete *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nparts; i++) {
        free(c->parts[i].etag);
        free(c->parts[i].sum);
    }
    free(c->parts);
    memset(c, 0, sizeof(*c));
}

static bool lock_mode(const xmlNode *el, enum s3xml_lock_mode *mode)
{
    char v[16];

    if (!token(el, v, sizeof(v)))
        return false;
    if (strcmp(v, "GOVERNANCE") == 0)
        *mode = S3XML_LOCK_GOVERNANCE;
    else if (strcmp(v, "COMPLIANCE") == 0)
        *mode = S3XML_LOCK_COMPLIANCE;
    else
        return false;
    return true;
}

/* Days or Years of a DefaultRetention: 1..@max. */
static enum hf_err retention_period(const xmlNode *el, long max, unsigned *out,
                                    struct s3xml_err *err)
{
    char v[24];
    long n;

    if (!token(el, v, sizeof(v)) || !signed_int(v, &n))
        return bad_value(el, err);
    /* InvalidRetentionPeriod: what issue 4 and ceph/s3-tests require (RGW answers so). */
    if (n < 1)
        return fail(err, HF_EBADARG, "InvalidRetentionPeriod",
                    "Default retention period must be a positive integer value");
    if (n > max)
        return fail(err, HF_EBADARG, "InvalidRetentionPeriod",
                    "Default retention period is too large: at most %ld %s", max,
                    (const char *)el->name);
    *out = (unsigned)n;
    return HF_OK;
}

static enum hf_err default_retention(const xmlNode *dr, struct s3xml_lock_conf *out,
                                     struct s3xml_err *err)
{
    bool seen_mode = false, seen_days = false, seen_years = false;
    enum hf_err rc = HF_OK;

    for (const xmlNode *c = dr->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Mode")) {
            rc = once(c, &seen_mode, err);
            if (rc == HF_OK && !lock_mode(c, &out->mode))
                rc = bad_value(c, err);
        } else if (named(c, "Days")) {
            rc = once(c, &seen_days, err);
            if (rc == HF_OK)
                rc = retention_period(c, 36500, &out->days, err);
        } else if (named(c, "Years")) {
            rc = once(c, &seen_years, err);
            if (rc == HF_OK)
                rc = retention_period(c, 100, &out->years, err);
        }
    }
    if (rc != HF_OK)
        return rc;
    if (!seen_mode)
        return missing("DefaultRetention/Mode", err);
    if (seen_days == seen_years)
        return malformed(err, "DefaultRetention needs exactly one of Days and Years");
    out->has_default = true;
    return HF_OK;
}

enum hf_err s3xml_parse_lock_conf(const void *body, size_t len, size_t cap,
                                  struct s3xml_lock_conf *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    bool seen_enabled = false, seen_rule = false;
    char v[16];
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 64, "ObjectLockConfiguration", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "ObjectLockEnabled")) {
            rc = once(c, &seen_enabled, err);
            if (rc == HF_OK && !(token(c, v, sizeof(v)) && strcmp(v, "Enabled") == 0))
                rc = bad_value(c, err);
            out->enabled = true;
        } else if (named(c, "Rule")) {
            bool seen_dr = false;
            rc = once(c, &seen_rule, err);
            for (const xmlNode *r = c->children; r && rc == HF_OK; r = r->next) {
                if (!named(r, "DefaultRetention"))
                    continue;
                rc = once(r, &seen_dr, err);
                if (rc == HF_OK)
                    rc = default_retention(r, out, err);
            }
        }
    }
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* @n digits at @s as a number; -1 if any is not a digit. */
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

static unsigned days_in_month(int y, int m)
{
    static const unsigned char dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

/*
 * ISO 8601 date-time: YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm) into
 * ms since the epoch (the fraction floored to ms).  false if malformed.
 */
static bool parse_time(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec, frac = 0, off = 0;
    size_t i = 19;

    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return false;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return false;
    if (s[i] == '.') {
        int nd = 0;
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, nd++)
            if (nd < 3)
                frac = frac * 10 + (s[i] - '0');
        if (nd == 0 || nd > 9)
            return false;
        for (; nd < 3; nd++)
            frac *= 10;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
        off = 0;
    } else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) == 6 && s[i + 3] == ':') {
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return false;
        off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    } else {
        return false;
    }
    *ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) -
           (int64_t)off * 60) * 1000 + frac;
    return true;
}

enum hf_err s3xml_parse_retention(const void *body, size_t len, size_t cap,
                                  struct s3xml_retention *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    bool seen_mode = false, seen_date = false;
    enum s3xml_lock_mode mode = S3XML_LOCK_NONE;
    int64_t until = 0;
    char v[48];
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 64, "Retention", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Mode")) {
            rc = once(c, &seen_mode, err);
            if (rc == HF_OK && !lock_mode(c, &mode))
                rc = bad_value(c, err);
        } else if (named(c, "RetainUntilDate")) {
            rc = once(c, &seen_date, err);
            if (rc == HF_OK && !(token(c, v, sizeof(v)) && parse_time(v, &until)))
                rc = bad_value(c, err);
        }
    }
    if (rc == HF_OK && seen_mode != seen_date)
        rc = malformed(err, "Retention needs both Mode and RetainUntilDate, or neither");
    xmlFreeDoc(doc);
    if (rc == HF_OK) {
        out->mode = mode;
        out->until_ms = until;
    }
    return rc;
}

bool s3xml_parse_time(const char *s, int64_t *ms)
{
    return parse_time(s, ms);
}

enum hf_err s3xml_parse_legal_hold(const void *body, size_t len, size_t cap,
                                   struct s3xml_legal_hold *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    bool seen = false;
    char v[8];
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 64, "LegalHold", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (!named(c, "Status"))
            continue;
        rc = once(c, &seen, err);
        if (rc != HF_OK)
            break;
        if (token(c, v, sizeof(v)) && strcmp(v, "ON") == 0)
            out->on = true;
        else if (token(c, v, sizeof(v)) && strcmp(v, "OFF") == 0)
            out->on = false;
        else
            rc = bad_value(c, err);
    }
    if (rc == HF_OK && !seen)
        rc = missing("Status", err);
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* Unicode characters in well-formed UTF-8 @s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static enum hf_err bad_tag(struct s3xml_err *err, const char *why)
{
    return fail(err, HF_EBADARG, "InvalidTag", "%s", why);
}

#define KEY_MSG "The TagKey you have provided is invalid: it must be 1 to 128 characters"
#define VALUE_MSG "The TagValue you have provided is invalid: it must be at most 256 characters"

static enum hf_err one_tag(const xmlNode *tag, struct s3xml_tag *t, struct s3xml_err *err)
{
    bool seen_key = false, seen_value = false;
    enum hf_err rc = HF_OK;

    for (const xmlNode *c = tag->children; c && rc == HF_OK; c = c->next) {
        /* more than 4 bytes a character is more characters than allowed */
        if (named(c, "Key")) {
            rc = once(c, &seen_key, err);
            if (rc == HF_OK && text_len(c) != SIZE_MAX && text_len(c) > 4 * S3XML_TAG_KEY_MAX)
                rc = bad_tag(err, KEY_MSG);
            if (rc == HF_OK)
                rc = string(c, 4 * S3XML_TAG_KEY_MAX, &t->key, NULL, err);
        } else if (named(c, "Value")) {
            rc = once(c, &seen_value, err);
            if (rc == HF_OK && text_len(c) != SIZE_MAX &&
                text_len(c) > 4 * S3XML_TAG_VALUE_MAX)
                rc = bad_tag(err, VALUE_MSG);
            if (rc == HF_OK)
                rc = string(c, 4 * S3XML_TAG_VALUE_MAX, &t->value, NULL, err);
        }
    }
    if (rc != HF_OK)
        return rc;
    if (!seen_key)
        return missing("Tag/Key", err);
    if (!seen_value)
        return missing("Tag/Value", err);
    if (t->key[0] == '\0' || utf8_chars(t->key) > S3XML_TAG_KEY_MAX)
        return bad_tag(err, KEY_MSG);
    if (utf8_chars(t->value) > S3XML_TAG_VALUE_MAX)
        return bad_tag(err, VALUE_MSG);
    return HF_OK;
}

enum hf_err s3xml_parse_tagging(const void *body, size_t len, size_t cap, size_t max_tags,
                                struct s3xml_tagging *out, struct s3xml_err *err)
{
    const xmlNode *root, *set = NULL;
    xmlDocPtr doc;
    size_t count = 0;
    enum hf_err rc = HF_OK;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    if (max_tags == 0 || max_tags > S3XML_TAGS_MAX)
        max_tags = S3XML_TAGS_MAX;
    rc = read_doc(body, len, cap, 4 * S3XML_TAGS_MAX + 16, "Tagging", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "TagSet")) {
            bool seen = set != NULL;
            rc = once(c, &seen, err);
            set = c;
        }
    }
    if (rc == HF_OK && !set)
        rc = missing("TagSet", err);
    if (rc != HF_OK)
        goto out;
    for (const xmlNode *c = set->children; c; c = c->next)
        if (named(c, "Tag"))
            count++;
    if (count > S3XML_TAGS_MAX) {
        rc = malformed(err, "too many tags");
        goto out;
    }
    if (count > max_tags) {
        rc = fail(err, HF_EBADARG, "InvalidTag", "Object tags cannot be greater than %zu",
                  max_tags);
        goto out;
    }
    if (count == 0)
        goto out;
    out->tags = calloc(count, sizeof(*out->tags));
    if (!out->tags) {
        rc = nomem(err);
        goto out;
    }
    for (const xmlNode *c = set->children; c && rc == HF_OK; c = c->next) {
        if (!named(c, "Tag"))
            continue;
        rc = one_tag(c, &out->tags[out->ntags], err);
        out->ntags++;
        for (size_t i = 0; rc == HF_OK && i + 1 < out->ntags; i++)
            if (strcmp(out->tags[i].key, out->tags[out->ntags - 1].key) == 0)
                rc = bad_tag(err, "Cannot provide multiple Tags with the same key");
    }
out:
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        s3xml_tagging_release(out);
    return rc;
}

void s3xml_tagging_release(struct s3xml_tagging *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ntags; i++) {
        free(t->tags[i].key);
        free(t->tags[i].value);
    }
    free(t->tags);
    memset(t, 0, sizeof(*t));
}

/* @el's text, trimmed, into @dst (S3XML_GRANT_FIELD_MAX bytes); malformed if it does not fit. */
static enum hf_err grant_field(const xmlNode *el, char *dst, size_t size, struct s3xml_err *err)
{
    return token(el, dst, size) ? HF_OK : bad_value(el, err);
}

/* One <Grant> into @g. */
static enum hf_err acl_grant(const xmlNode *grant, struct s3xml_grant *g, struct s3xml_err *err)
{
    static const char *const perms[] = { "FULL_CONTROL", "WRITE", "WRITE_ACP", "READ",
                                         "READ_ACP" };
    bool seen_grantee = false, seen_perm = false, known = false;
    enum hf_err rc = HF_OK;

    for (const xmlNode *c = grant->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Grantee")) {
            rc = once(c, &seen_grantee, err);
            for (const xmlAttr *a = c->properties; rc == HF_OK && a; a = a->next) {
                const xmlNode *t = a->children;
                if (strcmp((const char *)a->name, "type") != 0)
                    continue;
                if (!t || t->type != XML_TEXT_NODE || !t->content || t->next ||
                    strlen((const char *)t->content) >= sizeof(g->type))
                    rc = bad_value(c, err);
                else
                    snprintf(g->type, sizeof(g->type), "%s", (const char *)t->content);
            }
            for (const xmlNode *f = c->children; f && rc == HF_OK; f = f->next) {
                if (named(f, "ID"))
                    rc = grant_field(f, g->id, sizeof(g->id), err);
                else if (named(f, "URI"))
                    rc = grant_field(f, g->uri, sizeof(g->uri), err);
                else if (named(f, "EmailAddress"))
                    rc = grant_field(f, g->email, sizeof(g->email), err);
            }
        } else if (named(c, "Permission")) {
            rc = once(c, &seen_perm, err);
            if (rc == HF_OK)
                rc = grant_field(c, g->permission, sizeof(g->permission), err);
            for (size_t i = 0; rc == HF_OK && i < sizeof(perms) / sizeof(perms[0]); i++)
                known = known || strcmp(g->permission, perms[i]) == 0;
            if (rc == HF_OK && !known)
                rc = bad_value(c, err);
        }
    }
    if (rc == HF_OK && !seen_grantee)
        rc = missing("Grant/Grantee", err);
    if (rc == HF_OK && !seen_perm)
        rc = missing("Grant/Permission", err);
    return rc;
}

enum hf_err s3xml_parse_acl(const void *body, size_t len, size_t cap, struct s3xml_acl *out,
                            struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    size_t count = 0;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 8 * S3XML_GRANTS_MAX + 16, "AccessControlPolicy", &doc,
                  &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Owner")) {
            for (const xmlNode *f = c->children; f && rc == HF_OK; f = f->next)
                if (named(f, "ID"))
                    rc = grant_field(f, out->owner_id, sizeof(out->owner_id), err);
        } else if (named(c, "AccessControlList")) {
            for (const xmlNode *g = c->children; g; g = g->next)
                count += named(g, "Grant");
            if (count > S3XML_GRANTS_MAX) {
                rc = fail(err, HF_EMALFORMED, "MalformedACLError",
                          "The XML you provided was not well-formed or did not validate "
                          "against our published schema (%zu grants: at most %d)", count,
                          S3XML_GRANTS_MAX);
                break;
            }
            free(out->grants);
            out->grants = calloc(count ? count : 1, sizeof(*out->grants));
            out->ngrants = 0;
            if (!out->grants) {
                rc = nomem(err);
                break;
            }
            for (const xmlNode *g = c->children; g && rc == HF_OK; g = g->next)
                if (named(g, "Grant"))
                    rc = acl_grant(g, &out->grants[out->ngrants++], err);
        }
    }
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        s3xml_acl_release(out);
    return rc;
}

void s3xml_acl_release(struct s3xml_acl *a)
{
    if (!a)
        return;
    free(a->grants);
    memset(a, 0, sizeof(*a));
}

/* ================================================================== */
/* Lifecycle configuration (PutBucketLifecycleConfiguration)           */
/* ================================================================== */

static enum hf_err lc_days(const xmlNode *el, unsigned *out, struct s3xml_err *err)
{
    char v[16];
    long d = token(el, v, sizeof(v)) ? small_uint(v) : -1;

    if (d <= 0)
        return fail(err, HF_EBADARG, "InvalidArgument",
                    "'%s' must be a positive integer", (const char *)el->name);
    *out = (unsigned)d;
    return HF_OK;
}

static enum hf_err lc_expiration(const xmlNode *el, struct s3xml_lc_rule *r,
                                 struct s3xml_err *err)
{
    bool seen_days = false, seen_date = false, seen_marker = false;
    enum hf_err rc = HF_OK;
    char v[64];

    for (const xmlNode *c = el->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Days")) {
            rc = once(c, &seen_days, err);
            if (rc == HF_OK)
                rc = lc_days(c, &r->exp_days, err);
        } else if (named(c, "Date")) {
            int64_t ms;
            rc = once(c, &seen_date, err);
            if (rc == HF_OK && !(token(c, v, sizeof(v)) && parse_time(v, &ms)))
                rc = bad_value(c, err);
            else if (rc == HF_OK && (ms <= 0 || ms % 86400000 != 0))
                rc = fail(err, HF_EBADARG, "InvalidArgument",
                          "'Date' must be at midnight GMT");
            else if (rc == HF_OK && ms > INT64_MAX / 1000000)
                /* past 2262 nanoseconds overflow int64 (found by fuzz_policy) */
                rc = fail(err, HF_EBADARG, "InvalidArgument", "'Date' is out of range");
            else if (rc == HF_OK)
                r->exp_date_ns = ms * 1000000;
        } else if (named(c, "ExpiredObjectDeleteMarker")) {
            rc = once(c, &seen_marker, err);
            if (rc == HF_OK && !(token(c, v, sizeof(v)) &&
                                 (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)))
                rc = bad_value(c, err);
        } else if (c->type == XML_ELEMENT_NODE) {
            rc = malformed(err, "Expiration holds Days, Date or ExpiredObjectDeleteMarker");
        }
    }
    if (rc == HF_OK && seen_days + seen_date + seen_marker != 1)
        rc = malformed(err, "Expiration takes exactly one of Days, Date and "
                            "ExpiredObjectDeleteMarker");
    return rc;
}

/* One element holding one positive day count @inner (NoncurrentDays, DaysAfterInitiation). */
static enum hf_err lc_one_days(const xmlNode *el, const char *inner, unsigned *out,
                               struct s3xml_err *err)
{
    bool seen = false;
    enum hf_err rc = HF_OK;

    for (const xmlNode *c = el->children; c && rc == HF_OK; c = c->next) {
        if (named(c, inner)) {
            rc = once(c, &seen, err);
            if (rc == HF_OK)
                rc = lc_days(c, out, err);
        } else if (named(c, "NewerNoncurrentVersions")) {
            rc = fail(err, HF_EBADARG, "InvalidArgument",
                      "NewerNoncurrentVersions is not supported");
        } else if (c->type == XML_ELEMENT_NODE) {
            char what[96];
            snprintf(what, sizeof(what), "%s holds only %s", (const char *)el->name, inner);
            rc = malformed(err, what);
        }
    }
    if (rc == HF_OK && !seen)
        rc = missing(inner, err);
    return rc;
}

static enum hf_err lc_filter(const xmlNode *el, struct s3xml_lc_rule *r, bool *seen_prefix,
                             struct s3xml_err *err)
{
    enum hf_err rc = HF_OK;

    for (const xmlNode *c = el->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Prefix")) {
            rc = once(c, seen_prefix, err);
            if (rc == HF_OK)
                rc = string(c, HF_KEY_MAX, &r->prefix, &r->prefix_len, err);
        } else if (named(c, "Tag") || named(c, "And") || named(c, "ObjectSizeGreaterThan") ||
                   named(c, "ObjectSizeLessThan")) {
            rc = fail(err, HF_EBADARG, "InvalidArgument",
                      "only Prefix filters are supported (not %s)", (const char *)c->name);
        } else if (c->type == XML_ELEMENT_NODE) {
            rc = malformed(err, "Filter holds a Prefix");
        }
    }
    return rc;
}

static enum hf_err lc_rule(const xmlNode *el, struct s3xml_lc_rule *r, size_t index,
                           struct s3xml_err *err)
{
    bool seen_id = false, seen_status = false, seen_filter = false, seen_prefix = false;
    bool seen_exp = false, seen_nc = false, seen_abort = false;
    enum hf_err rc = HF_OK;
    char v[16];

    for (const xmlNode *c = el->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "ID")) {
            rc = once(c, &seen_id, err);
            if (rc == HF_OK)
                rc = string(c, 255, &r->id, NULL, err);
            if (rc == HF_OK && !r->id[0])
                rc = malformed(err, "ID is empty");
            for (const char *p = r->id; rc == HF_OK && *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    rc = fail(err, HF_EBADARG, "InvalidArgument",
                              "ID holds a control character");
        } else if (named(c, "Status")) {
            rc = once(c, &seen_status, err);
            if (rc == HF_OK && token(c, v, sizeof(v)) && strcmp(v, "Enabled") == 0)
                r->enabled = true;
            else if (rc == HF_OK && !(token(c, v, sizeof(v)) && strcmp(v, "Disabled") == 0))
                rc = bad_value(c, err);
        } else if (named(c, "Filter")) {
            rc = once(c, &seen_filter, err);
            if (rc == HF_OK)
                rc = lc_filter(c, r, &seen_prefix, err);
        } else if (named(c, "Prefix")) {     /* the older form, outside a Filter */
            rc = once(c, &seen_prefix, err);
            if (rc == HF_OK)
                rc = string(c, HF_KEY_MAX, &r->prefix, &r->prefix_len, err);
        } else if (named(c, "Expiration")) {
            rc = once(c, &seen_exp, err);
            if (rc == HF_OK)
                rc = lc_expiration(c, r, err);
        } else if (named(c, "NoncurrentVersionExpiration")) {
            rc = once(c, &seen_nc, err);
            if (rc == HF_OK)
                rc = lc_one_days(c, "NoncurrentDays", &r->noncurrent_days, err);
        } else if (named(c, "AbortIncompleteMultipartUpload")) {
            rc = once(c, &seen_abort, err);
            if (rc == HF_OK)
                rc = lc_one_days(c, "DaysAfterInitiation", &r->abort_days, err);
        } else if (named(c, "Transition") || named(c, "NoncurrentVersionTransition")) {
            rc = fail(err, HF_EBADARG, "InvalidArgument",
                      "%s is not supported: holdfast has one storage class",
                      (const char *)c->name);
        } else if (c->type == XML_ELEMENT_NODE) {
            char what[128];
            snprintf(what, sizeof(what), "unknown element %.64s in Rule",
                     (const char *)c->name);
            rc = malformed(err, what);
        }
    }
    if (rc == HF_OK && !seen_status)
        rc = missing("Rule/Status", err);
    if (rc == HF_OK && !r->exp_days && !r->exp_date_ns && !r->noncurrent_days &&
        !r->abort_days)
        rc = seen_exp ? fail(err, HF_EBADARG, "InvalidArgument",
                             "ExpiredObjectDeleteMarker is not supported")
                      : malformed(err, "At least one action needs to be specified in a rule");
    if (rc == HF_OK && !r->id && !(r->id = hf_sprintf("rule-%zu", index + 1)))
        rc = nomem(err);
    if (rc == HF_OK && !r->prefix && !(r->prefix = calloc(1, 1)))
        rc = nomem(err);
    return rc;
}

enum hf_err s3xml_parse_lifecycle(const void *body, size_t len, size_t cap,
                                  struct s3xml_lifecycle *out, struct s3xml_err *err)
{
    const xmlNode *root;
    xmlDocPtr doc;
    size_t count = 0;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    err_clear(err);
    rc = read_doc(body, len, cap, 16 * S3XML_LIFECYCLE_RULES_MAX + 16,
                  "LifecycleConfiguration", &doc, &root, err);
    if (rc != HF_OK)
        return rc;
    for (const xmlNode *c = root->children; c; c = c->next)
        count += named(c, "Rule");
    if (count == 0)
        rc = missing("Rule", err);
    else if (count > S3XML_LIFECYCLE_RULES_MAX)
        rc = malformed(err, "at most 1000 rules");
    else if (!(out->rules = calloc(count, sizeof(*out->rules))))
        rc = nomem(err);
    for (const xmlNode *c = root->children; c && rc == HF_OK; c = c->next) {
        if (named(c, "Rule")) {
            rc = lc_rule(c, &out->rules[out->n], out->n, err);
            out->n++;
        } else if (c->type == XML_ELEMENT_NODE) {
            rc = malformed(err, "LifecycleConfiguration holds Rule elements");
        }
    }
    for (size_t i = 0; rc == HF_OK && i < out->n; i++)
        for (size_t j = 0; rc == HF_OK && j < i; j++)
            if (strcmp(out->rules[i].id, out->rules[j].id) == 0)
                rc = fail(err, HF_EBADARG, "InvalidArgument", "Rule ID must be unique. "
                          "Found same ID for more than one rule");
    xmlFreeDoc(doc);
    if (rc != HF_OK)
        s3xml_lifecycle_release(out);
    return rc;
}

void s3xml_lifecycle_release(struct s3xml_lifecycle *l)
{
    for (size_t i = 0; l->rules && i < l->n; i++) {
        free(l->rules[i].id);
        free(l->rules[i].prefix);
    }
    free(l->rules);
    memset(l, 0, sizeof(*l));
}
