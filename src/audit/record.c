/*
 * record.c — the canonical encoding of audit log entries (format in
 * record.h).
 *
 * INVARIANTS
 *   (1) record_encode is a function of the event: details and documents
 *       are sorted here, not by callers, and values are escaped one way.
 *   (2) record_decode accepts exactly the outputs of record_encode: it
 *       re-encodes what it parsed and compares the bytes.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/record.h"
#include "banned.h"

#define MAGIC "holdfast-audit/1\n"

static const char *const reserved[] = { "seq", "time", "kind", "actor", "subject", "document" };

/* Copy @s into the record's buffer; NULL (and overflow) when it is full. */
static const char *keep(struct audit_record *r, const char *s, size_t n)
{
    char *p;

    if (r->used + n + 1 > sizeof(r->buf)) {
        r->overflow = true;
        return "";
    }
    p = r->buf + r->used;
    memcpy(p, s, n);
    p[n] = '\0';
    r->used += n + 1;
    return p;
}

void record_init(struct audit_record *r, const char *kind, const char *subject)
{
    r->seq = 0;
    r->time_ns = 0;
    r->ndetails = r->ndocs = r->used = 0;
    r->overflow = false;
    r->actor = "";
    r->kind = keep(r, kind, strlen(kind));
    r->subject = keep(r, subject, strlen(subject));
}

void record_detail(struct audit_record *r, const char *key, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (r->ndetails == AUDIT_MAX_DETAILS) {
        r->overflow = true;
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(r->buf + r->used, sizeof(r->buf) - r->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n + 1 > sizeof(r->buf) - r->used) {
        r->overflow = true;
        return;
    }
    r->details[r->ndetails].key = key;
    r->details[r->ndetails].value = r->buf + r->used;
    r->ndetails++;
    r->used += (size_t)n + 1;
}

void record_document(struct audit_record *r, const uint8_t sha256[32])
{
    if (r->ndocs == AUDIT_MAX_DOCS) {
        r->overflow = true;
        return;
    }
    memcpy(r->docs[r->ndocs++], sha256, 32);
}

void record_format_time(int64_t ns, char out[AUDIT_TIME_LEN])
{
    time_t s = (time_t)(ns >= 0 ? ns / 1000000000 : (ns - 999999999) / 1000000000);
    long frac = (long)(ns - (int64_t)s * 1000000000);
    struct tm tm;

    char f[24];

    gmtime_r(&s, &tm);
    if (strftime(out, AUDIT_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
        memcpy(out, "0000-00-00T00:00:00", 20);     /* years past 9999 */
    snprintf(f, sizeof(f), ".%09ldZ", frac);
    memcpy(out + 19, f, 12);
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > AUDIT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
              s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

struct out {
    uint8_t *p;
    size_t len, cap;
    bool full;
};

static void put(struct out *o, const void *s, size_t n)
{
    if (o->len + n > o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

/* Escape a value (invariant 1); false when it is longer than AUDIT_VALUE_MAX. */
static bool put_value(struct out *o, const char *v)
{
    size_t start = o->len;

    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '%') {
            char esc[4];
            snprintf(esc, sizeof(esc), "%%%02X", *p);
            put(o, esc, 3);
        } else {
            put(o, p, 1);
        }
    }
    return o->len - start <= AUDIT_VALUE_MAX;
}

static int cmp_field(const void *a, const void *b)
{
    return strcmp(((const struct audit_field *)a)->key, ((const struct audit_field *)b)->key);
}

static int cmp_doc(const void *a, const void *b) { return memcmp(a, b, 32); }

enum hf_err record_encode(const struct audit_record *r, uint8_t *out, size_t cap, size_t *len)
{
    struct audit_field d[AUDIT_MAX_DETAILS];
    uint8_t docs[AUDIT_MAX_DOCS][32];
    struct out o = { out, 0, cap, false };
    char num[32], t[AUDIT_TIME_LEN];
    bool ok = true;

    *len = 0;
    if (r->overflow || !valid_name(r->kind) || r->ndetails > AUDIT_MAX_DETAILS ||
        r->ndocs > AUDIT_MAX_DOCS)
        return HF_EINVAL;
    memcpy(d, r->details, r->ndetails * sizeof(d[0]));
    qsort(d, r->ndetails, sizeof(d[0]), cmp_field);
    for (size_t i = 0; i < r->ndetails; i++) {
        if (!valid_name(d[i].key) || (i > 0 && strcmp(d[i - 1].key, d[i].key) == 0))
            return HF_EINVAL;
        for (size_t j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++)
            if (strcmp(d[i].key, reserved[j]) == 0)
                return HF_EINVAL;
    }
    memcpy(docs, r->docs, r->ndocs * 32);
    qsort(docs, r->ndocs, 32, cmp_doc);

    puts_(&o, MAGIC);
    snprintf(num, sizeof(num), "seq %llu\n", (unsigned long long)r->seq);
    puts_(&o, num);
    record_format_time(r->time_ns, t);
    puts_(&o, "time ");
    puts_(&o, t);
    puts_(&o, "\nkind ");
    puts_(&o, r->kind);
    puts_(&o, "\nactor ");
    ok &= put_value(&o, r->actor);
    puts_(&o, "\nsubject ");
    ok &= put_value(&o, r->subject);
    puts_(&o, "\n");
    for (size_t i = 0; i < r->ndetails; i++) {
        puts_(&o, d[i].key);
        puts_(&o, " ");
        ok &= put_value(&o, d[i].value);
        puts_(&o, "\n");
    }
    for (size_t i = 0; i < r->ndocs; i++) {
        char hex[65];
        hf_hex(docs[i], 32, hex);
        puts_(&o, "document sha256:");
        puts_(&o, hex);
        puts_(&o, "\n");
    }
    if (!ok)
        return HF_EINVAL;
    if (o.full)
        return HF_ERANGE;
    *len = o.len;
    return HF_OK;
}

/* Unescape @n bytes of a value into the record's buffer. */
static const char *unescape(struct audit_record *r, const char *s, size_t n)
{
    char tmp[AUDIT_VALUE_MAX + 1];
    size_t k = 0;

    if (n > AUDIT_VALUE_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n || (hi = hf_hexval(s[i + 1])) < 0 || (lo = hf_hexval(s[i + 2])) < 0)
                return NULL;
            tmp[k++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            tmp[k++] = s[i];
        }
    }
    if (memchr(tmp, '\0', k))
        return NULL;                /* values are C strings */
    return keep(r, tmp, k);
}

/* Parse a whole decimal uint64 of @n bytes. */
static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
    *v = 0;
    if (n == 0 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || *v > (UINT64_MAX - 9) / 10)
            return false;
        *v = *v * 10 + (uint64_t)(s[i] - '0');
    }
    return true;
}

static bool parse_time(const char *s, size_t n, int64_t *ns)
{
    struct tm tm = { 0 };
    uint64_t frac;
    time_t secs;
    char t[AUDIT_TIME_LEN];

    if (n != AUDIT_TIME_LEN - 1 || s[29] != 'Z' || s[19] != '.')
        return false;
    memcpy(t, s, n);
    t[n] = '\0';
    if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6 ||
        !parse_u64(s + 20, 9, &frac))
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    secs = timegm(&tm);
    /* Outside int64 nanoseconds (1677..2262) no time is an entry's: no overflow. */
    if (secs < -9223372035 || secs > 9223372035)
        return false;
    *ns = (int64_t)secs * 1000000000 + (int64_t)frac;
    return true;
}

enum hf_err record_decode(const uint8_t *in, size_t len, struct audit_record *r)
{
    const char *s = (const char *)in, *end = s + len;
    uint8_t *again;
    enum hf_err rc;
    size_t n;
    int line = 0;

    record_init(r, "", "");
    r->used = 0;
    if (len > AUDIT_RECORD_MAX || len < sizeof(MAGIC) - 1 ||
        memcmp(s, MAGIC, sizeof(MAGIC) - 1) != 0)
        return HF_ECORRUPT;
    s += sizeof(MAGIC) - 1;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s)), *sp;
        if (!nl)
            return HF_ECORRUPT;
        sp = memchr(s, ' ', (size_t)(nl - s));
        if (!sp)
            return HF_ECORRUPT;
        size_t kl = (size_t)(sp - s), vl = (size_t)(nl - sp - 1);
        const char *v = sp + 1;
#define IS(name) (kl == sizeof(name) - 1 && memcmp(s, name, kl) == 0)
        if (line == 0 && IS("seq")) {
            if (!parse_u64(v, vl, &r->seq))
                return HF_ECORRUPT;
        } else if (line == 1 && IS("time")) {
            if (!parse_time(v, vl, &r->time_ns))
                return HF_ECORRUPT;
        } else if (line == 2 && IS("kind")) {
            r->kind = keep(r, v, vl);
        } else if (line == 3 && IS("actor")) {
            if (!(r->actor = unescape(r, v, vl)))
                return HF_ECORRUPT;
        } else if (line == 4 && IS("subject")) {
            if (!(r->subject = unescape(r, v, vl)))
                return HF_ECORRUPT;
        } else if (line >= 5 && IS("document")) {
            if (r->ndocs == AUDIT_MAX_DOCS || vl != 7 + 64 || memcmp(v, "sha256:", 7) != 0)
                return HF_ECORRUPT;
            char hex[65];
            memcpy(hex, v + 7, 64);
            hex[64] = '\0';
            if (hf_unhex(hex, r->docs[r->ndocs++], 32) != 0)
                return HF_ECORRUPT;
        } else if (line >= 5 && kl > 0 && kl <= AUDIT_NAME_MAX) {
            if (r->ndetails == AUDIT_MAX_DETAILS)
                return HF_ECORRUPT;
            struct audit_field *f = &r->details[r->ndetails];
            f->key = keep(r, s, kl);
            if (!(f->value = unescape(r, v, vl)))
                return HF_ECORRUPT;
            r->ndetails++;
        } else {
            return HF_ECORRUPT;
        }
#undef IS
        line++;
        s = nl + 1;
    }
    if (line < 5 || r->overflow)
        return HF_ECORRUPT;
    /* Invariant 2: only the canonical bytes of an event are an entry. */
    if (!(again = malloc(AUDIT_RECORD_MAX)))
        return HF_ENOMEM;
    rc = record_encode(r, again, AUDIT_RECORD_MAX, &n) == HF_OK && n == len &&
                 memcmp(again, in, len) == 0 ? HF_OK : HF_ECORRUPT;
    free(again);
    return rc;
}
