/*
 * fuzz_s3xml.c — libFuzzer target for the S3 XML layer (s3/xml.c).
 *
 * Request bodies come straight from S3 clients: every parser reads bytes
 * anyone can send.  The first input byte selects what the rest is fed to:
 *
 *   0 CreateBucketConfiguration   5 Retention
 *   1 VersioningConfiguration     6 LegalHold
 *   2 Delete                      7 Tagging (max tags from the byte: 10 or 50)
 *   3 CompleteMultipartUpload     8 the escaper (s3xml_text)
 *   4 ObjectLockConfiguration     9 the url encoder (s3xml_url_encode)
 *
 * (byte % 10; the rest of the input is copied to a buffer of exactly its
 * size, so ASan sees any read past it.)
 *
 * ORACLES (abort() on failure)
 *   (1) A parser that succeeds returns what xml.h promises: counts within
 *       their limits, keys of 1..HF_KEY_MAX bytes of well-formed UTF-8 whose
 *       length is key_len, part numbers in 1..10000 and strictly ascending,
 *       non-empty ETags, distinct tag keys of 1..128 characters, a default
 *       retention with a mode and exactly one period in range.
 *   (2) A parser that fails names an S3 error code and a one-line message,
 *       returns one of the documented errors, and leaves its output zeroed
 *       (a release after it frees nothing twice: ASan would see it).
 *   (3) The escaper's output has no raw markup (< > " ' and & only as the
 *       start of a reference), is well-formed UTF-8, and — when the input
 *       is well-formed UTF-8 of XML 1.0 characters — libxml2 reads it back
 *       as the input exactly.
 *   (4) The url encoder writes only A-Z a-z 0-9 - . _ ~ / and %XX, and
 *       percent-decoding its output gives back the input.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "s3/xml.h"

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

static bool utf8_ok(const char *p, size_t n)
{
    const uint8_t *s = (const uint8_t *)p;

    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(s + i, n - i);
        if (l == 0)
            return false;
        i += l;
    }
    return true;
}

/* Well-formed UTF-8 of XML 1.0 characters only (what round-trips). */
static bool xml10_chars(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(s + i, n - i);
        if (l == 0)
            return false;
        if (l == 1 && s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
        if (l == 3 && s[i] == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe)
            return false;
        i += l;
    }
    return true;
}

static size_t chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static void check_failure(enum hf_err rc, const struct s3xml_err *e)
{
    if (rc != HF_EMALFORMED && rc != HF_EBADARG && rc != HF_EBADKEY && rc != HF_ENOMEM)
        abort();
    if (!e->code || e->msg[0] == '\0')
        abort();
    for (const char *p = e->msg; *p; p++)
        if ((unsigned char)*p < 0x20)
            abort();
    if (rc == HF_EBADKEY && strcmp(e->code, "KeyTooLongError") != 0)
        abort();
}

static bool zero(const void *p, size_t n)
{
    const unsigned char *c = p;

    for (size_t i = 0; i < n; i++)
        if (c[i])
            return false;
    return true;
}

static void fuzz_create_bucket(const char *b, size_t n)
{
    struct s3xml_create_bucket c;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_create_bucket(b, n, S3XML_BODY_MAX, &c, &e);

    if (rc == HF_OK) {
        if (e.code || (c.location && (strlen(c.location) > 128 ||
                                      !utf8_ok(c.location, strlen(c.location)))))
            abort();
    } else {
        check_failure(rc, &e);
        if (!zero(&c, sizeof(c)))
            abort();
    }
    s3xml_create_bucket_release(&c);
}

static void fuzz_versioning(const char *b, size_t n)
{
    struct s3xml_versioning_conf v;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_versioning(b, n, S3XML_BODY_MAX, &v, &e);

    if (rc == HF_OK) {
        if (v.status > S3XML_VERSIONING_SUSPENDED || v.mfa_delete > S3XML_MFA_DELETE_DISABLED)
            abort();
    } else {
        check_failure(rc, &e);
        if (!zero(&v, sizeof(v)))
            abort();
    }
}

static void fuzz_delete(const char *b, size_t n)
{
    struct s3xml_delete d;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_delete(b, n, S3XML_BODY_MAX, &d, &e);

    if (rc == HF_OK) {
        if (d.nobjs < 1 || d.nobjs > S3XML_DELETE_MAX)
            abort();
        for (size_t i = 0; i < d.nobjs; i++) {
            const struct s3xml_delete_obj *o = &d.objs[i];
            if (o->key_len < 1 || o->key_len > HF_KEY_MAX || strlen(o->key) != o->key_len ||
                !utf8_ok(o->key, o->key_len))
                abort();
            if (o->version_id && (strlen(o->version_id) > 1024 ||
                                  !utf8_ok(o->version_id, strlen(o->version_id))))
                abort();
        }
    } else {
        check_failure(rc, &e);
        if (!zero(&d, sizeof(d)))
            abort();
    }
    s3xml_delete_release(&d);
}

static void fuzz_complete(const char *b, size_t n)
{
    struct s3xml_complete c;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_complete(b, n, S3XML_COMPLETE_BODY_MAX, &c, &e);

    if (rc == HF_OK) {
        if (c.nparts < 1 || c.nparts > S3XML_PARTS_MAX)
            abort();
        for (size_t i = 0; i < c.nparts; i++) {
            const struct s3xml_part *p = &c.parts[i];
            if (p->number < 1 || p->number > S3XML_PARTS_MAX)
                abort();
            if (i > 0 && p->number <= c.parts[i - 1].number)
                abort();
            if (p->etag[0] == '\0' || strlen(p->etag) > 1024)
                abort();
            /* a checksum: both its algorithm and value, the value bounded */
            if (!p->sum != !p->sum_algo || (p->sum && strlen(p->sum) > 128))
                abort();
        }
    } else {
        check_failure(rc, &e);
        if (!zero(&c, sizeof(c)))
            abort();
    }
    s3xml_complete_release(&c);
}

static void fuzz_lock_conf(const char *b, size_t n)
{
    struct s3xml_lock_conf l;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_lock_conf(b, n, S3XML_BODY_MAX, &l, &e);

    if (rc == HF_OK) {
        if (l.has_default) {
            if (l.mode == S3XML_LOCK_NONE || l.mode > S3XML_LOCK_COMPLIANCE)
                abort();
            if ((l.days == 0) == (l.years == 0) || l.days > 36500 || l.years > 100)
                abort();
        } else if (l.mode != S3XML_LOCK_NONE || l.days || l.years) {
            abort();
        }
    } else {
        check_failure(rc, &e);
        if (!zero(&l, sizeof(l)))
            abort();
    }
}

static void fuzz_retention(const char *b, size_t n)
{
    struct s3xml_retention r;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_retention(b, n, S3XML_BODY_MAX, &r, &e);

    if (rc == HF_OK) {
        if (r.mode > S3XML_LOCK_COMPLIANCE || (r.mode == S3XML_LOCK_NONE && r.until_ms != 0))
            abort();
        /* years 0000..9999, offsets up to a day either way */
        if (r.until_ms < -62167219200000LL - 86400000LL ||
            r.until_ms > 253402300800000LL + 86400000LL)
            abort();
    } else {
        check_failure(rc, &e);
        if (!zero(&r, sizeof(r)))
            abort();
    }
}

static void fuzz_legal_hold(const char *b, size_t n)
{
    struct s3xml_legal_hold h;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_legal_hold(b, n, S3XML_BODY_MAX, &h, &e);

    if (rc != HF_OK) {
        check_failure(rc, &e);
        if (h.on)
            abort();
    }
}

static void fuzz_tagging(const char *b, size_t n, size_t max)
{
    struct s3xml_tagging t;
    struct s3xml_err e;
    enum hf_err rc = s3xml_parse_tagging(b, n, S3XML_BODY_MAX, max, &t, &e);

    if (rc == HF_OK) {
        if (t.ntags > max || (t.ntags == 0) != (t.tags == NULL))
            abort();
        for (size_t i = 0; i < t.ntags; i++) {
            size_t kc = chars(t.tags[i].key);
            if (kc < 1 || kc > S3XML_TAG_KEY_MAX || chars(t.tags[i].value) > S3XML_TAG_VALUE_MAX)
                abort();
            if (!utf8_ok(t.tags[i].key, strlen(t.tags[i].key)))
                abort();
            for (size_t j = 0; j < i; j++)
                if (strcmp(t.tags[i].key, t.tags[j].key) == 0)
                    abort();
        }
    } else {
        check_failure(rc, &e);
        if (!zero(&t, sizeof(t)))
            abort();
    }
    s3xml_tagging_release(&t);
}

/* Each '&' starts &amp; &lt; &gt; &quot; &apos; or &#digits; */
static bool references_ok(const char *s, size_t n)
{
    static const char *ent[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };

    for (size_t i = 0; i < n; i++) {
        bool ok = false;
        if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'')
            return false;
        if (s[i] != '&')
            continue;
        for (size_t k = 0; k < 5; k++)
            if (strncmp(s + i, ent[k], strlen(ent[k])) == 0)
                ok = true;
        if (!ok && s[i + 1] == '#') {
            size_t j = i + 2;
            while (s[j] >= '0' && s[j] <= '9')
                j++;
            ok = j > i + 2 && s[j] == ';';
        }
        if (!ok)
            return false;
    }
    return true;
}

static void fuzz_escape(const uint8_t *in, size_t n)
{
    struct s3xml_buf b;
    char *doc;
    size_t len;

    s3xml_buf_init(&b, 0);
    s3xml_open(&b, "a");
    s3xml_text(&b, (const char *)in, n);
    s3xml_close(&b, "a");
    if (s3xml_buf_finish(&b, &doc, &len) != HF_OK)
        return;                 /* out of memory only: the cap is 64 MiB */
    if (!utf8_ok(doc, len) || !references_ok(doc + 3, len - 7))
        abort();
    if (xml10_chars(in, n)) {
        xmlDocPtr x = xmlReadMemory(doc, (int)len, NULL, "UTF-8",
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        xmlChar *content;
        if (!x)
            abort();
        content = xmlNodeGetContent(xmlDocGetRootElement(x));
        if (!content || strlen((const char *)content) != n || memcmp(content, in, n) != 0)
            abort();
        xmlFree(content);
        xmlFreeDoc(x);
    }
    free(doc);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void fuzz_url(const uint8_t *in, size_t n)
{
    char *out = malloc(3 * n + 1);
    size_t len, j = 0;

    if (!out)
        return;
    len = s3xml_url_encode((const char *)in, n, out);
    if (out[len] != '\0')
        abort();
    for (size_t i = 0; i < len; i++, j++) {
        char c = out[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= len)
                abort();
            hi = hexval(out[i + 1]);
            lo = hexval(out[i + 2]);
            if (hi < 0 || lo < 0 || j >= n || in[j] != (uint8_t)(hi * 16 + lo))
                abort();
            i += 2;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '/'))
            abort();
        if (j >= n || in[j] != (uint8_t)c)
            abort();
    }
    if (j != n)
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t sel;
    char *body;
    size_t n;

    if (size < 1)
        return 0;
    sel = data[0];
    n = size - 1;
    body = malloc(n ? n : 1);
    if (!body)
        return 0;
    memcpy(body, data + 1, n);
    switch (sel % 10) {
    case 0: fuzz_create_bucket(body, n); break;
    case 1: fuzz_versioning(body, n); break;
    case 2: fuzz_delete(body, n); break;
    case 3: fuzz_complete(body, n); break;
    case 4: fuzz_lock_conf(body, n); break;
    case 5: fuzz_retention(body, n); break;
    case 6: fuzz_legal_hold(body, n); break;
    case 7: fuzz_tagging(body, n, sel < 128 ? 10 : 50); break;
    case 8: fuzz_escape((const uint8_t *)body, n); break;
    default: fuzz_url((const uint8_t *)body, n); break;
    }
    free(body);
    return 0;
}
