/*
 * notify.c — delivering expiry notices (libcurl) and signing keep links.
 *
 * FORMAT  webhook: POST, Content-Type application/json, body
 *           {"type":"holdfast.notice","kind":"notice"|"reminder-N","notice":ID,
 *            "user":U,"scope":S,"rule":R,"eligible_since":T,"expires":T,
 *            "grace_days":N,"versions":N,"bytes":N,"keep_url":URL}
 *         e-mail: RFC 5322 text/plain, the same facts and the keep link.
 *         keep link: PUBLIC/_holdfast/notice/keep?id=ID&sig=HEX, HEX =
 *           HMAC-SHA256(link key, "holdfast-notice-keep\n" || ID); the
 *           32-byte link key is kept in meta sealed by the master key.
 *
 * INVARIANTS
 *   (1) Every transfer has a connect timeout and a total timeout; no
 *       redirects are followed; only the schemes named are allowed.
 *   (2) Delivered means the receiver said so: HTTP 2xx, or the SMTP
 *       server accepted the message.  Anything else is a failure.
 *   (3) Client-supplied text (prefixes, names) goes into JSON escaped and
 *       into mail with control characters replaced, never into headers.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "audit/record.h"
#include "meta/meta.h"
#include "policy/notify.h"
#include "store/crypt.h"
#include "banned.h"

#define LINK_KEY_NAME "notice-link"
#define LINK_KEY_LEN 32

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool clean_text(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return false;
    return true;
}

bool notify_url_ok(const char *url, const char *const *schemes)
{
    if (!url || !clean_text(url, 1024))
        return false;
    for (; *schemes; schemes++) {
        size_t n = strlen(*schemes);
        if (strncmp(url, *schemes, n) == 0 && url[n] != '\0' && url[n] != '/')
            return true;
    }
    return false;
}

bool notify_email_ok(const char *addr)
{
    const char *at;

    if (!addr || !clean_text(addr, 320) || strpbrk(addr, "<>(),;:\\\"[]"))
        return false;
    at = strchr(addr, '@');
    return at && at != addr && at[1] && !strchr(at + 1, '@');
}

static void iso(int64_t ns, char out[AUDIT_TIME_LEN])
{
    record_format_time(ns, out);
}

static char *json_body(const struct notify_msg *m)
{
    char es[AUDIT_TIME_LEN], ex[AUDIT_TIME_LEN];
    json_t *o;
    char *s;

    iso(m->eligible_since, es);
    iso(m->expires, ex);
    o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:s}",
                  "type", "holdfast.notice", "kind", m->kind, "notice", (json_int_t)m->id,
                  "user", m->user, "scope", m->scope, "rule", m->rule, "eligible_since", es,
                  "expires", ex, "grace_days", m->grace_days,
                  "versions", (json_int_t)m->versions, "bytes", (json_int_t)m->bytes,
                  "keep_url", m->keep_url);
    if (!o)
        return NULL;
    s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

static size_t discard(char *p, size_t size, size_t nmemb, void *arg)
{
    (void)p;
    (void)arg;
    return size * nmemb;
}

static void curl_detail(CURLcode cc, const char *errbuf, char *detail, size_t dlen)
{
    snprintf(detail, dlen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
}

enum hf_err notify_webhook(const char *url, const struct notify_msg *m, char *detail,
                           size_t dlen)
{
    static const char *const schemes[] = { "http://", "https://", NULL };
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    char *body = NULL;
    CURL *c = NULL;
    CURLcode cc;
    long status = 0;
    enum hf_err rc = HF_EIO;

    snprintf(detail, dlen, "out of memory");
    if (!notify_url_ok(url, schemes)) {
        snprintf(detail, dlen, "not an http(s) URL");
        return HF_EIO;
    }
    pthread_once(&curl_once, curl_init);
    if (!(body = json_body(m)) || !(c = curl_easy_init()))
        goto out;
    hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (!hdrs)
        goto out;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)NOTIFY_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)NOTIFY_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "holdfast-notice/1");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);   /* the answer's body is not needed */
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        curl_detail(cc, errbuf, detail, dlen);
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    snprintf(detail, dlen, "HTTP %ld", status);
    rc = status >= 200 && status < 300 ? HF_OK : HF_EIO;
out:
    curl_slist_free_all(hdrs);
    if (c)
        curl_easy_cleanup(c);
    free(body);
    return rc;
}

struct mail_src {
    const char *p;
    size_t left;
};

static size_t mail_read(char *buf, size_t size, size_t nmemb, void *arg)
{
    struct mail_src *s = arg;
    size_t n = size * nmemb < s->left ? size * nmemb : s->left;

    memcpy(buf, s->p, n);
    s->p += n;
    s->left -= n;
    return n;
}

/* @s with control characters replaced (invariant 3); malloc'd. */
static char *plain(const char *s)
{
    char *o = strdup(s);

    for (char *p = o; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return o;
}

enum hf_err notify_email(const char *smtp_url, const char *from, const char *to,
                         const struct notify_msg *m, char *detail, size_t dlen)
{
    static const char *const schemes[] = { "smtp://", "smtps://", NULL };
    char errbuf[CURL_ERROR_SIZE] = "", es[AUDIT_TIME_LEN], ex[AUDIT_TIME_LEN], date[64];
    struct curl_slist *rcpt = NULL;
    char *msg = NULL, *scope = plain(m->scope), *rule = plain(m->rule);
    struct mail_src src;
    struct tm tm;
    time_t now = time(NULL);
    CURL *c = NULL;
    CURLcode cc;
    enum hf_err rc = HF_EIO;

    snprintf(detail, dlen, "out of memory");
    if (!notify_url_ok(smtp_url, schemes) || !notify_email_ok(from) || !notify_email_ok(to)) {
        snprintf(detail, dlen, "bad SMTP URL or address");
        goto out;
    }
    if (!scope || !rule)
        goto out;
    pthread_once(&curl_once, curl_init);
    iso(m->eligible_since, es);
    iso(m->expires, ex);
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    msg = hf_sprintf(
        "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n"
        "Message-ID: <notice-%lld-%s@holdfast>\r\n"
        "Subject: [holdfast] %s: your data is due to expire on %.10s (notice %lld)\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Notice %lld for %s.\r\n\r\n"
        "Data in %s became eligible for expiry under rule %s on %s:\r\n"
        "%llu versions, %llu bytes.\r\n\r\n"
        "Nothing has been deleted.  Unless you answer, it expires on %s,\r\n"
        "%d days after this notice was delivered.\r\n\r\n"
        "To keep it, open this link:\r\n%s\r\n\r\n"
        "(or ask your operator to run: holdfast notice keep %lld)\r\n",
        date, from, to, (long long)m->id, m->kind, m->kind, ex, (long long)m->id,
        (long long)m->id, m->user, scope, rule, es, (unsigned long long)m->versions,
        (unsigned long long)m->bytes, ex, m->grace_days,
        m->keep_url[0] ? m->keep_url : "(no link: the store has no public URL set)",
        (long long)m->id);
    if (!msg || !(c = curl_easy_init()) || !(rcpt = curl_slist_append(NULL, to)))
        goto out;
    src.p = msg;
    src.left = strlen(msg);
    curl_easy_setopt(c, CURLOPT_URL, smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)NOTIFY_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)NOTIFY_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &src);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        curl_detail(cc, errbuf, detail, dlen);
        goto out;
    }
    snprintf(detail, dlen, "accepted by the SMTP server");
    rc = HF_OK;
out:
    curl_slist_free_all(rcpt);
    if (c)
        curl_easy_cleanup(c);
    free(msg);
    free(scope);
    free(rule);
    return rc;
}

/* The link key: unsealed from meta, or made, sealed and stored (the first stored wins). */
static enum hf_err link_key(struct hf_store *st, uint8_t key[LINK_KEY_LEN])
{
    uint8_t sealed[LINK_KEY_LEN + CRYPT_SEAL_OVERHEAD], fresh[LINK_KEY_LEN];
    size_t len = sizeof(sealed), klen = 0;
    enum hf_err rc = meta_secret_get(st->meta, LINK_KEY_NAME, sealed, &len);

    if (rc == HF_ENOTFOUND) {
        rc = hf_random(fresh, sizeof(fresh));
        if (rc == HF_OK)
            rc = crypt_seal_secret(st->master_key, LINK_KEY_NAME, fresh, sizeof(fresh), sealed);
        OPENSSL_cleanse(fresh, sizeof(fresh));
        if (rc == HF_OK)
            rc = meta_secret_put(st->meta, LINK_KEY_NAME, sealed, sizeof(sealed));
        len = sizeof(sealed);
        if (rc == HF_OK)
            rc = meta_secret_get(st->meta, LINK_KEY_NAME, sealed, &len);
    }
    if (rc != HF_OK)
        return rc;
    rc = crypt_open_secret(st->master_key, LINK_KEY_NAME, sealed, len, key, &klen);
    if (rc == HF_OK && klen != LINK_KEY_LEN)
        rc = HF_ECRYPTO;
    return rc;
}

enum hf_err notify_link_sig(struct hf_store *st, int64_t id, char out[NOTIFY_SIG_LEN + 1])
{
    uint8_t key[LINK_KEY_LEN], mac[32];
    unsigned maclen = 0;
    char msg[64];
    enum hf_err rc = link_key(st, key);

    out[0] = '\0';
    if (rc != HF_OK)
        return rc;
    snprintf(msg, sizeof(msg), "holdfast-notice-keep\n%lld", (long long)id);
    if (!HMAC(EVP_sha256(), key, LINK_KEY_LEN, (const unsigned char *)msg, strlen(msg), mac,
              &maclen) || maclen != 32)
        rc = HF_ECRYPTO;
    OPENSSL_cleanse(key, sizeof(key));
    if (rc == HF_OK)
        hf_hex(mac, 32, out);
    return rc;
}
