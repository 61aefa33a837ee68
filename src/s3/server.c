/*
 * server.c — the S3 API over HTTP (libmicrohttpd).
 *
 * Owns the mapping of S3 requests to the engine: routing (path-style and
 * virtual-host-style), authentication (sigv4.c), bodies (streamed into an
 * hf_writer, or an XML document for xml.c), responses and the request log.
 *
 * Threads: one per connection (MHD_USE_THREAD_PER_CONNECTION).  Each
 * connection opens its own store handle on its first request, so no store
 * handle is ever shared between threads.  An upload of PUT_HASH_THREAD_MIN
 * bytes or more has a helper thread for its digests (bodyhash.h), which
 * touches only the request's digest state, never the store.
 *
 * INVARIANTS
 *   (1) No request touches a bucket before its signature verified and its
 *       owner is the signing user (else AccessDenied / NoSuchBucket).
 *   (2) An object upload is committed only after the whole body arrived
 *       and every digest (Content-MD5, x-amz-checksum-*, payload hash,
 *       chunk signatures) passed; anything else aborts the write, so a
 *       failed, truncated or interrupted upload leaves nothing visible.
 *   (3) Memory per request is bounded: object bodies stream through the
 *       writer's two segment buffers (and the digest helper's ring,
 *       BODYHASH_RING); XML bodies are capped (xml.h).
 *   (4) Every request gets one log line: method, bucket, key, status,
 *       bytes in and out, duration, request id.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "audit/audit.h"
#include "auth/users.h"
#include "meta/meta.h"
#include "policy/lock.h"
#include "policy/policy.h"
#include "s3/bodyhash.h"
#include "s3/range.h"
#include "s3/sigv4.h"
#include "s3/xml.h"
#include "store/group.h"
#include "store/object.h"
#include "banned.h"

#define OBJ_ATTR_NAMES_MAX 64
#define LIST_MAX_KEYS 1000
/*
 * An object body at least this long is digested (ETag MD5, payload checks)
 * on a helper thread (bodyhash.h) while the connection thread feeds the
 * engine; a shorter one inline, where a thread would cost more than it saves.
 */
#define PUT_HASH_THREAD_MIN (1024 * 1024)
/* A GET response's block (libmicrohttpd's buffer): the object's length within these. */
#define GET_BLOCK_MIN 1024
#define GET_BLOCK_MAX (256 * 1024)

struct server {
    char *data_dir;
    char region[64];
    char vhost[256];            /* "s3.example.com": BUCKET.s3.example.com is virtual-host style */
    struct MHD_Daemon *d;
    struct group *group;        /* the committer of small PUTs (store/group.h), or NULL */
    pthread_mutex_t log_mu;
    FILE *log;
    atomic_uint_fast64_t next_id;
};

struct conn {
    struct hf_store *st;
};

enum body_kind { BODY_NONE, BODY_XML, BODY_OBJECT };

struct req {
    struct server *srv;
    struct conn *conn;
    struct MHD_Connection *c;
    char *uri;                  /* raw request target as received */
    const char *method;
    char id[17];
    struct timespec t0;
    bool started, begun, responded, too_many_headers;
    int status;
    uint64_t bytes_in, bytes_out;

    /* routing */
    char bucket[64];
    char *key;                  /* decoded; NULL for bucket and service requests */
    size_t keylen;
    const char *path;           /* raw path (points into uri) */
    size_t path_len;
    struct sigv4_param params[SIGV4_MAX_PARAMS];
    size_t nparams;
    struct sigv4_header headers[SIGV4_MAX_HEADERS];
    size_t nheaders;

    /* who */
    int64_t user;
    char user_name[AUTH_USER_MAX + 1];
    struct sigv4_auth auth;
    uint8_t sigkey[SIGV4_KEY_LEN];

    /* body */
    enum body_kind body;
    enum hf_err body_err;           /* first failure while receiving */
    const char *body_code;          /* S3 code for body_err */
    char body_msg[256];
    struct s3xml_buf xml;
    size_t xml_cap;
    bool xml_init;
    bool chunked, ch_init, dg_init;
    unsigned dg_flags;              /* sigv4_digest_init_ex flags (CompleteMultipartUpload's) */
    struct sigv4_chunked *ch;
    struct sigv4_digest dg;
    EVP_MD_CTX *md5;                /* the ETag's MD5; NULL when Content-MD5 gives it */
    struct bodyhash *bh;            /* non-NULL: dg and md5 are the helper's (bodyhash.h) */
    struct hf_writer *w;
    unsigned part;                  /* UploadPart: the part number */
    char attrs[HF_ATTRS_MAX];
    size_t attrs_len;
    struct hf_object_lock lock;     /* x-amz-object-lock-* of a write (lock_headers) */
    void (*finish)(struct req *r);  /* runs when the whole body is in */
};

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */

/* Percent-decode @n bytes of @s into a new NUL-terminated string (+ as + kept). */
static char *pct_decode(const char *s, size_t n, size_t *outlen)
{
    char *o = malloc(n + 1);

    if (o && sigv4_pct_decode(s, n, o, n, outlen) != 0) {
        free(o);
        o = NULL;
    }
    return o;
}

/* Decoded value of query parameter @name, or NULL; *@has says it was present. */
static char *param(struct req *r, const char *name, bool *has)
{
    size_t nl = strlen(name), len;

    if (has)
        *has = false;
    for (size_t i = 0; i < r->nparams; i++) {
        if (r->params[i].name_len == nl && memcmp(r->params[i].name, name, nl) == 0) {
            if (has)
                *has = true;
            return pct_decode(r->params[i].value, r->params[i].value_len, &len);
        }
    }
    return NULL;
}

static bool has_param(struct req *r, const char *name)
{
    size_t nl = strlen(name);

    for (size_t i = 0; i < r->nparams; i++)
        if (r->params[i].name_len == nl && memcmp(r->params[i].name, name, nl) == 0)
            return true;
    return false;
}

static const char *header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, name);
}

static void http_date(int64_t ns, char *out, size_t n)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Parse an HTTP date (IMF-fixdate); -1 if it is not one. */
static int64_t parse_http_date(const char *s)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return -1;
    return (int64_t)timegm(&tm);
}

/* ------------------------------------------------------------------ */
/* responses                                                           */
/* ------------------------------------------------------------------ */

static void add_common(struct req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "x-amz-request-id", r->id);
    MHD_add_response_header(resp, "Server", "holdfast");
}

static void respond(struct req *r, int status, struct MHD_Response *resp)
{
    add_common(r, resp);
    r->status = status;
    r->responded = true;
    MHD_queue_response(r->c, (unsigned)status, resp);
    MHD_destroy_response(resp);
}

static struct MHD_Response *buffer_response(const char *data, size_t len)
{
    return MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
}

/* The document in @b, with up to two extra headers (names may be NULL). */
static void send_xml_buf_hdr2(struct req *r, int status, struct s3xml_buf *b, const char *hname,
                              const char *hvalue, const char *h2name, const char *h2value)
{
    char *out = NULL;
    size_t len = 0;
    struct MHD_Response *resp;

    if (s3xml_buf_finish(b, &out, &len) != HF_OK) {
        resp = buffer_response("", 0);
        status = 500;
    } else {
        resp = buffer_response(out, len);
        MHD_add_response_header(resp, "Content-Type", "application/xml");
        if (hname)
            MHD_add_response_header(resp, hname, hvalue);
        if (h2name)
            MHD_add_response_header(resp, h2name, h2value);
        r->bytes_out += len;
    }
    free(out);
    respond(r, status, resp);
}

static void send_xml_buf(struct req *r, int status, struct s3xml_buf *b)
{
    send_xml_buf_hdr2(r, status, b, NULL, NULL, NULL, NULL);
}

/* An S3 error document, with up to two extra headers (names may be NULL). */
static void send_error_hdr2(struct req *r, int status, const char *code, const char *message,
                            const char *hname, const char *hvalue, const char *h2name,
                            const char *h2value)
{
    struct s3xml_buf b;
    char *resource = NULL, *out = NULL;
    size_t rl, len = 0;
    struct MHD_Response *resp;

    if (strcmp(r->method, "HEAD") == 0) {
        resp = buffer_response("", 0);
        if (hname)
            MHD_add_response_header(resp, hname, hvalue);
        if (h2name)
            MHD_add_response_header(resp, h2name, h2value);
        respond(r, status, resp);
        return;
    }
    resource = pct_decode(r->path ? r->path : "/", r->path ? r->path_len : 1, &rl);
    s3xml_buf_init(&b, 64 * 1024);
    s3xml_error(&b, &(struct s3xml_error_doc){
                        .code = code, .message = message,
                        .bucket_name = r->bucket[0] ? r->bucket : NULL,
                        .key = r->key, .key_len = r->keylen,
                        .resource = resource ? resource : "/", .request_id = r->id });
    free(resource);
    if (s3xml_buf_finish(&b, &out, &len) != HF_OK) {
        resp = buffer_response("", 0);
        status = 500;
    } else {
        resp = buffer_response(out, len);
        MHD_add_response_header(resp, "Content-Type", "application/xml");
        r->bytes_out += len;
    }
    if (hname)
        MHD_add_response_header(resp, hname, hvalue);
    if (h2name)
        MHD_add_response_header(resp, h2name, h2value);
    free(out);
    s3xml_buf_release(&b);
    respond(r, status, resp);
}

static void send_error(struct req *r, int status, const char *code, const char *message)
{
    send_error_hdr2(r, status, code, message, NULL, NULL, NULL, NULL);
}

/* 501 for an S3 feature this server does not offer (ACLs, tagging, ...). */
static void send_not_implemented(struct req *r)
{
    send_error(r, 501, "NotImplemented",
               "A header you provided implies functionality that is not implemented");
}

static void send_empty(struct req *r, int status)
{
    respond(r, status, buffer_response("", 0));
}

/* The S3 error for an engine error. */
static void send_hf_error(struct req *r, enum hf_err rc)
{
    const char *detail = r->conn->st ? hf_store_errmsg(r->conn->st) : "";
    const char *msg = *detail ? detail : hf_strerror(rc);

    switch (rc) {
    case HF_ENOTFOUND:
        if (r->key)
            send_error(r, 404, has_param(r, "versionId") ? "NoSuchVersion" : "NoSuchKey",
                       has_param(r, "versionId") ? "The specified version does not exist."
                                                 : "The specified key does not exist.");
        else
            send_error(r, 404, "NoSuchBucket", "The specified bucket does not exist");
        return;
    case HF_EBADKEY:
        if (r->keylen > HF_KEY_MAX)
            send_error(r, 400, "KeyTooLongError", "Your key is too long");
        else
            send_error(r, 400, "InvalidArgument", "Invalid object key");
        return;
    case HF_EBADBUCKET:
        send_error(r, 400, "InvalidBucketName", "The specified bucket is not valid.");
        return;
    case HF_ERANGE:
        send_error(r, 416, "InvalidRange", "The requested range is not satisfiable");
        return;
    case HF_EHELD:      /* the gate refused: S3 answers a locked version so */
        send_error(r, 403, "AccessDenied", msg);
        return;
    case HF_ETRUNCATED:
        send_error(r, 400, "IncompleteBody",
                   "You did not provide the number of bytes specified by the Content-Length "
                   "HTTP header");
        return;
    case HF_ENOSPC:
    case HF_ENOPLACE:
    case HF_EBACKEND:
    case HF_EPERM:
        send_error(r, 503, "ServiceUnavailable", msg);
        return;
    case HF_EUNREADABLE:
    case HF_ECORRUPT:
    case HF_ECRYPTO:
    default:
        send_error(r, 500, "InternalError", msg);
        return;
    }
}

/* ------------------------------------------------------------------ */
/* object attributes: the headers stored with a version                */
/* ------------------------------------------------------------------ */

static bool stored_header(const char *name)
{
    static const char *const keep[] = {
        "content-type", "content-encoding", "content-disposition", "content-language",
        "cache-control", "expires", "x-amz-website-redirect-location",
    };

    if (strncasecmp(name, "x-amz-meta-", 11) == 0)
        return true;
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (strcasecmp(name, keep[i]) == 0)
            return true;
    return false;
}

/*
 * Encode the request's storable headers as "name\0value\0" pairs, names in
 * lower case.  Returns false when they do not fit (S3: MetadataTooLarge).
 */
static bool encode_attrs(struct req *r)
{
    size_t len = 0;

    for (size_t i = 0; i < r->nheaders; i++) {
        const struct sigv4_header *h = &r->headers[i];
        char name[128];
        if (h->name_len >= sizeof(name))
            continue;
        memcpy(name, h->name, h->name_len);
        name[h->name_len] = '\0';
        if (!stored_header(name))
            continue;
        if (len + h->name_len + h->value_len + 2 > sizeof(r->attrs))
            return false;
        for (size_t j = 0; j < h->name_len; j++) {
            char c = name[j];
            r->attrs[len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        r->attrs[len++] = '\0';
        memcpy(r->attrs + len, h->value, h->value_len);
        len += h->value_len;
        r->attrs[len++] = '\0';
    }
    r->attrs_len = len;
    return true;
}

/* response-* query parameters and the header each overrides */
static const char *const overrides[][2] = {
    { "response-content-type", "content-type" },
    { "response-content-language", "content-language" },
    { "response-expires", "expires" },
    { "response-cache-control", "cache-control" },
    { "response-content-disposition", "content-disposition" },
    { "response-content-encoding", "content-encoding" },
};
#define NOVERRIDES (sizeof(overrides) / sizeof(overrides[0]))

/* Add the stored headers of a version to @resp, except those in @skip[NOVERRIDES]. */
static void add_attrs(struct MHD_Response *resp, const char *a, size_t len, bool *has_type,
                      const bool *skip)
{
    size_t i = 0;

    *has_type = false;
    while (a && i < len) {
        const char *name = a + i, *value;
        size_t nl = strnlen(name, len - i);
        if (i + nl + 1 >= len + 1)
            break;
        value = name + nl + 1;
        i += nl + 1;
        if (i >= len)
            break;
        i += strnlen(value, len - i) + 1;
        {
            bool skipped = false;
            for (size_t o = 0; o < NOVERRIDES && !skipped; o++)
                skipped = skip[o] && strcmp(name, overrides[o][1]) == 0;
            if (skipped)
                continue;
        }
        if (strcmp(name, "content-type") == 0)
            *has_type = true;
        MHD_add_response_header(resp, name, value);
    }
}

/* ------------------------------------------------------------------ */
/* authentication                                                      */
/* ------------------------------------------------------------------ */

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct req *r = cls;

    (void)kind;
    if (r->nheaders >= SIGV4_MAX_HEADERS) {
        r->too_many_headers = true; /* refused: unseen headers would escape signing */
        return MHD_NO;
    }
    r->headers[r->nheaders++] = (struct sigv4_header){ key, strlen(key), value ? value : "",
                                                       value ? strlen(value) : 0 };
    return MHD_YES;
}

static struct sigv4_request sig_request(struct req *r)
{
    return (struct sigv4_request){ .method = r->method, .path = r->path,
                                   .path_len = r->path_len, .params = r->params,
                                   .nparams = r->nparams, .headers = r->headers,
                                   .nheaders = r->nheaders };
}

/* Verify the signature; false after sending the error. */
static bool authenticate(struct req *r)
{
    struct sigv4_request sr = sig_request(r);
    char secret[AUTH_SECRET_MAX + 1];
    enum hf_err rc;

    rc = sigv4_parse(&sr, &r->auth);
    if (rc == HF_ENOTFOUND) {
        send_error(r, 403, "AccessDenied", "Anonymous access is not allowed");
        return false;
    }
    if (rc == HF_EAUTHMALFORMED) {
        send_error(r, 400, r->auth.presigned || has_param(r, "X-Amz-Credential")
                               ? "AuthorizationQueryParametersError"
                               : "AuthorizationHeaderMalformed", r->auth.why);
        return false;
    }
    if (rc == HF_EAUTHALGORITHM) {
        send_error(r, 400, "InvalidArgument", r->auth.why);
        return false;
    }
    if (rc == HF_EMALFORMED) {
        send_error(r, 400, "InvalidArgument", r->auth.why);
        return false;
    }
    if (rc != HF_OK) {
        send_error(r, 403, "AccessDenied", r->auth.why ? r->auth.why : "Access Denied");
        return false;
    }
    /* Request freshness is real time: a store whose policy clock was moved
     * ahead (HOLDFAST_NOW) still accepts what clients sign now. */
    rc = sigv4_check_time(&r->auth, hf_wall_ns() / 1000000000);
    if (rc == HF_ESKEWED) {
        send_error(r, 403, "RequestTimeTooSkewed",
                   "The difference between the request time and the current time is too "
                   "large.");
        return false;
    }
    if (rc != HF_OK) {
        send_error(r, 403, "AccessDenied", "Request has expired");
        return false;
    }
    rc = auth_key_lookup(r->conn->st, r->auth.access_key, secret, &r->user, r->user_name);
    if (rc == HF_OK) {
        char actor[AUTH_USER_MAX + 8];
        snprintf(actor, sizeof(actor), "s3:%s", r->user_name);
        hf_store_set_actor(r->conn->st, actor);   /* who the log names for this request */
    }
    if (rc != HF_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        if (rc == HF_ENOTFOUND)
            send_error(r, 403, "InvalidAccessKeyId",
                       "The AWS Access Key Id you provided does not exist in our records.");
        else
            send_error(r, 500, "InternalError", hf_strerror(rc));
        return false;
    }
    rc = sigv4_verify(&sr, &r->auth, secret, strlen(secret), r->sigkey);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (rc == HF_ESIGNATURE) {
        send_error(r, 403, "SignatureDoesNotMatch",
                   "The request signature we calculated does not match the signature you "
                   "provided. Check your key and signing method.");
        return false;
    }
    if (rc != HF_OK) {
        send_error(r, rc == HF_EAUTHHEADERS ? 403 : 400,
                   rc == HF_EAUTHHEADERS ? "AccessDenied" : "InvalidRequest",
                   r->auth.why ? r->auth.why : hf_strerror(rc));
        return false;
    }
    r->chunked = r->auth.payload != SIGV4_PAYLOAD_SHA256 &&
                 r->auth.payload != SIGV4_PAYLOAD_UNSIGNED;
    return true;
}

/* The bucket @r names, owned by the signing user; false after sending the error. */
static bool own_bucket(struct req *r, struct meta_bucket *mb)
{
    enum hf_err rc = obj_bucket_get(r->conn->st, r->bucket, mb);

    if (rc == HF_EBADBUCKET || rc == HF_ENOTFOUND) {
        send_error(r, 404, "NoSuchBucket", "The specified bucket does not exist");
        return false;
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        return false;
    }
    if (mb->owner != r->user) {
        send_error(r, 403, "AccessDenied", "Access Denied");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* client checksums (x-amz-checksum-*)                                 */
/* ------------------------------------------------------------------ */

/*
 * A version keeps the checksum its client gave (hf_object_meta.sum) as
 * "ALGO:<base64>" (S3's algorithm name); a multipart object's composite
 * one as "ALGO:<base64>-<parts>" (the checksum of the parts' checksums,
 * S3's COMPOSITE type: base64 never holds '-'); an upload keeps "ALGO".
 */

/* "ALGO:<base64 of @len bytes at @raw>" into @out. */
static void sum_format(enum sigv4_algo algo, const uint8_t *raw, size_t len,
                       char out[HF_SUM_MAX + 1])
{
    char b64[HF_BASE64_LEN(SIGV4_SUM_MAX)];

    hf_base64_encode(raw, len, b64);
    snprintf(out, HF_SUM_MAX + 1, "%s:%s", sigv4_algo_name(algo), b64);
}

/* The algorithm of a kept checksum, *@value its value (into @s); NONE for "" or unknown. */
static enum sigv4_algo sum_split(const char *s, const char **value)
{
    const char *colon = strchr(s, ':');
    char name[16];

    *value = "";
    if (!colon || (size_t)(colon - s) >= sizeof(name))
        return SIGV4_ALGO_NONE;
    memcpy(name, s, (size_t)(colon - s));
    name[colon - s] = '\0';
    *value = colon + 1;
    return sigv4_algo_from_name(name);
}

/* x-amz-checksum-<algo> and x-amz-checksum-type of kept checksum @sum ("" adds nothing). */
static void add_sum_headers(struct MHD_Response *resp, const char *sum)
{
    const char *v;
    enum sigv4_algo a = sum_split(sum, &v);

    if (a == SIGV4_ALGO_NONE)
        return;
    MHD_add_response_header(resp, sigv4_algo_header(a), v);
    MHD_add_response_header(resp, "x-amz-checksum-type", strchr(v, '-') ? "COMPOSITE"
                                                                        : "FULL_OBJECT");
}

/* Kept checksum @sum as XML elements (algo NULL when there is none); @v borrowed from @sum. */
static struct s3xml_checksum sum_xml(const char *sum, bool with_type)
{
    const char *v;
    enum sigv4_algo a = sum_split(sum, &v);

    if (a == SIGV4_ALGO_NONE)
        return (struct s3xml_checksum){ NULL, NULL, NULL };
    return (struct s3xml_checksum){ sigv4_algo_name(a), v,
                                    !with_type ? NULL
                                    : strchr(v, '-') ? "COMPOSITE" : "FULL_OBJECT" };
}

/* ------------------------------------------------------------------ */
/* bodies                                                              */
/* ------------------------------------------------------------------ */

static void body_fail(struct req *r, enum hf_err rc, const char *code, const char *msg)
{
    if (r->body_err)
        return;
    r->body_err = rc;
    r->body_code = code;
    snprintf(r->body_msg, sizeof(r->body_msg), "%s", msg ? msg : hf_strerror(rc));
}

/* The body's digests: the payload checks, then the ETag's MD5 (inline or on r->bh's thread). */
static enum hf_err body_digest(void *arg, const uint8_t *data, size_t len)
{
    struct req *r = arg;
    enum hf_err rc = HF_OK;

    if (r->dg_init)
        rc = sigv4_digest_update(&r->dg, data, len);
    if (rc == HF_OK && r->md5 && !EVP_DigestUpdate(r->md5, data, len))
        rc = HF_ECRYPTO;
    return rc;
}

/* Decoded payload bytes: digests, then the writer or the XML buffer. */
static enum hf_err payload(void *arg, const uint8_t *data, size_t len)
{
    struct req *r = arg;
    enum hf_err rc = r->bh ? bodyhash_feed(r->bh, data, len) : body_digest(r, data, len);

    if (rc != HF_OK)
        return rc;
    if (r->body == BODY_OBJECT)
        return hf_writer_write(r->w, data, len);
    if (r->xml.len + len > r->xml_cap)
        return HF_EINVAL;
    s3xml_raw(&r->xml, (const char *)data, len);
    return s3xml_buf_err(&r->xml);
}

static void consume(struct req *r, const char *data, size_t len)
{
    enum hf_err rc;

    r->bytes_in += len;
    if (r->body_err || r->body == BODY_NONE)
        return;
    if (r->chunked)
        rc = sigv4_chunked_feed(r->ch, data, len, payload, r);
    else
        rc = payload(r, (const uint8_t *)data, len);
    if (rc == HF_OK)
        return;
    if (r->chunked && r->ch->why && (rc == HF_ESIGNATURE || rc == HF_EMALFORMED ||
                                     rc == HF_EBADDIGEST || rc == HF_ETRUNCATED))
        body_fail(r, rc, rc == HF_ESIGNATURE ? "SignatureDoesNotMatch"
                         : rc == HF_EBADDIGEST ? "BadDigest"
                         : rc == HF_ETRUNCATED ? "IncompleteBody" : "InvalidRequest",
                  r->ch->why);
    else if (rc == HF_EINVAL && r->body == BODY_XML)
        body_fail(r, rc, "MalformedXML", "The XML you provided was too large");
    else
        body_fail(r, rc, NULL, NULL);
}

/* Set up receiving a body of @kind; false after sending the error. */
static bool body_begin(struct req *r, enum body_kind kind, size_t xml_cap)
{
    struct sigv4_request sr = sig_request(r);
    enum hf_err rc;

    r->body = kind;
    if (kind == BODY_XML) {
        s3xml_buf_init(&r->xml, xml_cap);
        r->xml_init = true;
        r->xml_cap = xml_cap;
    }
    if (r->chunked) {
        const char *dl = header(r, "x-amz-decoded-content-length");
        r->ch = calloc(1, sizeof(*r->ch));
        if (!r->ch) {
            send_error(r, 500, "InternalError", "out of memory");
            return false;
        }
        r->ch_init = true;
        rc = sigv4_chunked_init(r->ch, &r->auth,
                                r->auth.payload == SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER
                                    ? NULL : r->sigkey,
                                header(r, "x-amz-trailer"), dl ? strtoll(dl, NULL, 10) : -1);
        if (rc != HF_OK) {
            send_error(r, 400, "InvalidRequest", r->ch->why ? r->ch->why : hf_strerror(rc));
            return false;
        }
    }
    rc = sigv4_digest_init_ex(&r->dg, &sr, r->dg_flags);
    r->dg_init = true;
    if (rc != HF_OK) {
        send_error(r, 400, "InvalidDigest", r->dg.why ? r->dg.why : hf_strerror(rc));
        return false;
    }
    return true;
}

/*
 * After body_end: the checksum the body was verified with (its trailer's,
 * else its x-amz-checksum-*'s or the one sigv4_digest_require added) into
 * @out as kept; false (and "") when there was none.
 */
static bool body_sum(struct req *r, char out[HF_SUM_MAX + 1])
{
    out[0] = '\0';
    if (r->chunked && r->ch && r->ch->have_sum)
        sum_format(r->ch->sum.algo, r->ch->want_sum, r->ch->want_sum_len, out);
    else if (r->dg_init && r->dg.sum.algo && r->dg.got_sum_len)
        sum_format(r->dg.sum.algo, r->dg.got_sum, r->dg.got_sum_len, out);
    return out[0] != '\0';
}

/* After the whole body: the checks that need it all.  False after sending the error. */
static bool body_end(struct req *r)
{
    enum hf_err rc;

    /* The helper is joined first: dg and md5 are this thread's again. */
    if (r->bh && (rc = bodyhash_finish(r->bh)) != HF_OK)
        body_fail(r, rc, NULL, NULL);
    if (!r->body_err && r->chunked && (rc = sigv4_chunked_finish(r->ch)) != HF_OK)
        body_fail(r, rc, rc == HF_ESIGNATURE ? "SignatureDoesNotMatch"
                         : rc == HF_EBADDIGEST ? "BadDigest" : "IncompleteBody",
                  r->ch->why);
    if (!r->body_err && r->dg_init && (rc = sigv4_digest_final(&r->dg)) != HF_OK)
        body_fail(r, rc,
                  r->dg.failed == SIGV4_CHECK_CONTENT_SHA256 ? "XAmzContentSHA256Mismatch"
                                                            : "BadDigest",
                  r->dg.why);
    if (!r->body_err)
        return true;
    if (r->body_code)
        send_error(r, 400, r->body_code, r->body_msg);
    else
        send_hf_error(r, r->body_err);
    return false;
}

/* ------------------------------------------------------------------ */
/* ACLs                                                                */
/* ------------------------------------------------------------------ */

/*
 * holdfast has one access rule: a bucket and everything in it belong to
 * the bucket's owner, who has FULL_CONTROL, and nobody else has any access.
 * That is S3's bucket with ACLs disabled (Object Ownership
 * BucketOwnerEnforced, the default for new S3 buckets): GET ?acl shows the
 * owner's grant; an ACL that says the same (x-amz-acl: private or
 * bucket-owner-full-control, or a policy granting only the owner
 * FULL_CONTROL) is accepted; one granting anything else is refused with
 * S3's 400 AccessControlListNotSupported (on CreateBucket:
 * InvalidBucketAclWithObjectOwnership), never silently ignored.
 */

static void send_acl_refused(struct req *r, bool create_bucket)
{
    if (create_bucket)
        send_error(r, 400, "InvalidBucketAclWithObjectOwnership",
                   "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced "
                   "setting");
    else
        send_error(r, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
}

/*
 * Check the request's x-amz-acl and x-amz-grant-* headers against the one
 * access rule.  False after sending the error: 400 InvalidArgument for an
 * unknown canned ACL, else send_acl_refused(@create_bucket).
 */
static bool acl_headers_ok(struct req *r, bool create_bucket)
{
    static const char *const canned[] = {
        "private", "bucket-owner-full-control", /* the rule itself: accepted */
        "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
        "bucket-owner-read", "log-delivery-write",
    };
    const char *acl = header(r, "x-amz-acl");

    for (size_t i = 0; i < r->nheaders; i++) {
        if (r->headers[i].name_len > 12 &&
            strncasecmp(r->headers[i].name, "x-amz-grant-", 12) == 0) {
            send_acl_refused(r, create_bucket);
            return false;
        }
    }
    if (!acl)
        return true;
    for (size_t i = 0; i < sizeof(canned) / sizeof(canned[0]); i++) {
        if (strcmp(acl, canned[i]) != 0)
            continue;
        if (i < 2)
            return true;
        send_acl_refused(r, create_bucket);
        return false;
    }
    send_error(r, 400, "InvalidArgument", "Invalid canned ACL");
    return false;
}

/* For object ACLs: the version named exists (else the S3 error is sent); false after an error. */
static bool acl_object_exists(struct req *r)
{
    struct hf_version_info vi;
    char *version = param(r, "versionId", NULL);
    enum hf_err rc = hf_head(r->conn->st, r->bucket, r->key, r->keylen, version, &vi);

    free(version);
    if (rc == HF_EDELETED)
        rc = HF_ENOTFOUND;
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        return false;
    }
    return true;
}

/* GetBucketAcl, GetObjectAcl. */
static void get_acl(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_owner owner = { r->user_name, r->user_name };
    struct s3xml_buf b;

    if (!own_bucket(r, &mb) || (r->key && !acl_object_exists(r)))
        return;
    s3xml_buf_init(&b, 64 * 1024);
    s3xml_acl_owner_only(&b, &owner);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

/* PutBucketAcl, PutObjectAcl: accepted when they restate the one access rule. */
static void put_acl_finish(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_acl acl = { 0 };
    struct s3xml_err xe = { 0 };

    if (!body_end(r) || !own_bucket(r, &mb) || (r->key && !acl_object_exists(r)))
        return;
    if (!acl_headers_ok(r, false))
        return;
    if (r->xml.len) {
        bool ok = true;
        if (s3xml_parse_acl(r->xml.data, r->xml.len, S3XML_BODY_MAX, &acl, &xe) != HF_OK) {
            send_error(r, 400, xe.code && strcmp(xe.code, "MalformedXML") != 0
                                   ? xe.code : "MalformedACLError",
                       xe.msg[0] ? xe.msg : "The XML you provided was not well-formed");
            return;
        }
        if (acl.owner_id[0] && strcmp(acl.owner_id, r->user_name) != 0)
            ok = false;
        for (size_t i = 0; ok && i < acl.ngrants; i++)
            ok = strcmp(acl.grants[i].type, "CanonicalUser") == 0 &&
                 strcmp(acl.grants[i].id, r->user_name) == 0 &&
                 strcmp(acl.grants[i].permission, "FULL_CONTROL") == 0;
        s3xml_acl_release(&acl);
        if (!ok) {
            send_acl_refused(r, false);
            return;
        }
    } else if (!header(r, "x-amz-acl")) {
        send_error(r, 400, "MissingSecurityHeader",
                   "Your request was missing a required header: x-amz-acl");
        return;
    }
    send_empty(r, 200);
}

/* ------------------------------------------------------------------ */
/* service and bucket operations                                       */
/* ------------------------------------------------------------------ */

static enum hf_err bucket_entry(void *arg, const char *name, int64_t created)
{
    s3xml_buckets_entry(arg, name, created);
    return HF_OK;
}

static void list_buckets(struct req *r)
{
    struct s3xml_buf b;
    struct s3xml_owner owner = { r->user_name, r->user_name };
    enum hf_err rc;

    s3xml_buf_init(&b, S3XML_OUT_MAX);
    s3xml_buckets_begin(&b);
    rc = meta_bucket_owned(r->conn->st->meta, r->user, bucket_entry, &b);
    s3xml_buckets_end(&b, &owner, NULL, NULL);
    if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

static void create_bucket_finish(struct req *r)
{
    struct s3xml_create_bucket cb = { 0 };
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    enum hf_err rc;

    if (!body_end(r))
        return;
    if (r->xml.len) {
        rc = s3xml_parse_create_bucket(r->xml.data, r->xml.len, S3XML_BODY_MAX, &cb, &xe);
        if (rc != HF_OK) {
            send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
            return;
        }
        if (cb.location && *cb.location && strcmp(cb.location, r->srv->region) != 0) {
            s3xml_create_bucket_release(&cb);
            send_error(r, 400, "InvalidLocationConstraint",
                       "The specified location-constraint is not valid");
            return;
        }
        s3xml_create_bucket_release(&cb);
    }
    if (hf_bucket_name_check(r->bucket) != HF_OK) {
        send_error(r, 400, "InvalidBucketName", "The specified bucket is not valid.");
        return;
    }
    if (!acl_headers_ok(r, true))
        return;
    rc = meta_bucket_get(r->conn->st->meta, r->bucket, &mb);
    if (rc == HF_OK) {
        /* us-east-1 answers 200 to its owner (other regions 409 BucketAlreadyOwnedByYou). */
        if (mb.owner == r->user && strcmp(r->srv->region, "us-east-1") == 0)
            send_empty(r, 200);
        else if (mb.owner == r->user)
            send_error(r, 409, "BucketAlreadyOwnedByYou",
                       "Your previous request to create the named bucket succeeded and you "
                       "already own it.");
        else
            send_error(r, 409, "BucketAlreadyExists",
                       "The requested bucket name is not available.");
        return;
    }
    {
        const char *ol = header(r, "x-amz-bucket-object-lock-enabled");
        if (ol && strcasecmp(ol, "true") == 0)
            rc = lock_bucket_create(r->conn->st, r->bucket, r->user);
        else
            rc = obj_bucket_create(r->conn->st, r->bucket, r->user, HF_VERSIONING_OFF);
    }
    if (rc == HF_EEXIST) {
        send_error(r, 409, "BucketAlreadyExists", "The requested bucket name is not available.");
        return;
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        return;
    }
    {
        struct MHD_Response *resp = buffer_response("", 0);
        char loc[80];
        snprintf(loc, sizeof(loc), "/%s", r->bucket);
        MHD_add_response_header(resp, "Location", loc);
        respond(r, 200, resp);
    }
}

static void delete_bucket(struct req *r)
{
    struct meta_bucket mb;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    rc = obj_bucket_delete(r->conn->st, &mb);
    if (rc == HF_ENOTEMPTY)
        send_error(r, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_empty(r, 204);
}

static void get_location(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_buf b;

    if (!own_bucket(r, &mb))
        return;
    s3xml_buf_init(&b, 4096);
    s3xml_location(&b, strcmp(r->srv->region, "us-east-1") == 0 ? "" : r->srv->region);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

static void get_versioning(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_buf b;

    if (!own_bucket(r, &mb))
        return;
    s3xml_buf_init(&b, 4096);
    s3xml_versioning(&b,
                     mb.versioning == HF_VERSIONING_ENABLED     ? S3XML_VERSIONING_ENABLED
                     : mb.versioning == HF_VERSIONING_SUSPENDED ? S3XML_VERSIONING_SUSPENDED
                                                               : S3XML_VERSIONING_UNSET,
                     S3XML_MFA_DELETE_UNSET);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

static void put_versioning_finish(struct req *r)
{
    struct s3xml_versioning_conf vc;
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    rc = s3xml_parse_versioning(r->xml.data, r->xml.len, S3XML_BODY_MAX, &vc, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    if (vc.status == S3XML_VERSIONING_UNSET) {
        send_error(r, 400, "MalformedXML", "The XML you provided was not well-formed");
        return;
    }
    rc = obj_bucket_set_versioning(r->conn->st, &mb,
                                   vc.status == S3XML_VERSIONING_ENABLED
                                       ? HF_VERSIONING_ENABLED : HF_VERSIONING_SUSPENDED);
    if (rc == HF_EPRECOND)
        send_error(r, 409, "InvalidBucketState",
                   "An Object Lock configuration is present on this bucket, so the versioning "
                   "state cannot be changed.");
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_empty(r, 200);
}

/* ------------------------------------------------------------------ */
/* listings                                                            */
/* ------------------------------------------------------------------ */

struct lister {
    struct req *r;
    struct s3xml_buf *b;
    const char *prefix;
    size_t plen;
    const char *delim;
    size_t dlen;
    unsigned max, count;
    bool v2, versions, url, truncated, fetch_owner;
    const char *after;          /* skip keys <= after (V1 marker / V2 start) */
    size_t after_len;
    char *last_prefix;          /* the last CommonPrefix written */
    size_t last_prefix_len;
    char *next;                 /* the last key or prefix written (for the next page) */
    size_t next_len;
    char next_vid[HF_VERSION_ID_LEN + 1];
    struct s3xml_list_head lh;
    struct s3xml_versions_head vh;
    struct s3xml_owner owner;
    const char *vid_marker;     /* ListObjectVersions: skip up to this version of after */
    bool vid_skipping;
    char skip[HF_KEY_MAX + 1];  /* resume point after a common prefix */
    size_t skip_len;
};

/* internal: the page is full.  Not an hf_err any engine call returns. */
#define LIST_STOP ((enum hf_err)0x4c53)
/* internal: a common prefix was written; resume the scan after it (l->skip). */
#define LIST_SKIP ((enum hf_err)0x4c54)

static bool set_next(struct lister *l, const char *k, size_t n)
{
    char *c = realloc(l->next, n + 1);

    if (!c)
        return false;
    memcpy(c, k, n);
    c[n] = '\0';
    l->next = c;
    l->next_len = n;
    return true;
}

static enum hf_err list_cb(void *arg, const struct hf_version_info *v)
{
    struct lister *l = arg;
    const char *d;

    /* V1 marker / V2 start-after / continuation: strictly after. */
    if (l->after) {
        int c = memcmp(v->key, l->after, v->keylen < l->after_len ? v->keylen : l->after_len);
        if (c < 0 || (c == 0 && v->keylen <= l->after_len)) {
            if (!(l->versions && l->vid_marker && c == 0 && v->keylen == l->after_len))
                return HF_OK;
            /* ListObjectVersions: within the marker key, skip up to the version marker */
            if (l->vid_skipping) {
                if (strcmp(v->null_version ? "null" : v->version_id, l->vid_marker) == 0)
                    l->vid_skipping = false;
                return HF_OK;
            }
        }
    }
    /* A delimiter groups keys into common prefixes. */
    if (l->dlen && v->keylen > l->plen &&
        (d = memmem(v->key + l->plen, v->keylen - l->plen, l->delim, l->dlen)) != NULL) {
        size_t n = (size_t)(d - v->key) + l->dlen;
        if (l->last_prefix && n == l->last_prefix_len && memcmp(l->last_prefix, v->key, n) == 0)
            return HF_OK; /* already written */
        if (l->after && n <= l->after_len && memcmp(v->key, l->after, n) == 0 &&
            n == l->after_len)
            return HF_OK; /* the continuation point is this prefix */
        if (l->count == l->max) {
            l->truncated = true;
            return LIST_STOP;
        }
        free(l->last_prefix);
        l->last_prefix = malloc(n);
        if (!l->last_prefix)
            return HF_ENOMEM;
        memcpy(l->last_prefix, v->key, n);
        l->last_prefix_len = n;
        if (l->versions)
            s3xml_versions_prefix(l->b, &l->vh, v->key, n);
        else
            s3xml_list_prefix(l->b, &l->lh, v->key, n);
        l->count++;
        l->next_vid[0] = '\0';
        if (!set_next(l, v->key, n))
            return HF_ENOMEM;
        /*
         * Every key under this prefix sorts before the prefix with its last
         * byte raised by one: seek there instead of walking the group.
         */
        if ((unsigned char)v->key[n - 1] < 0xff) {
            memcpy(l->skip, v->key, n);
            l->skip[n - 1] = (char)(v->key[n - 1] + 1);
            l->skip_len = n;
            return LIST_SKIP;
        }
        return HF_OK;
    }
    if (l->count == l->max) {
        l->truncated = true;
        return LIST_STOP;
    }
    if (l->versions) {
        struct s3xml_version sv = {
            .key = v->key, .key_len = v->keylen,
            .version_id = v->null_version ? "null" : v->version_id,
            .is_latest = v->latest, .delete_marker = v->delete_marker,
            .mtime_ns = v->mtime_ns, .etag = v->etag, .size = v->size,
            .owner = &l->owner,
        };
        s3xml_versions_entry(l->b, &l->vh, &sv);
        snprintf(l->next_vid, sizeof(l->next_vid), "%s", sv.version_id);
    } else {
        struct s3xml_object so = {
            .key = v->key, .key_len = v->keylen, .mtime_ns = v->mtime_ns, .etag = v->etag,
            .size = v->size, .owner = l->v2 && !l->fetch_owner ? NULL : &l->owner,
        };
        s3xml_list_object(l->b, &l->lh, &so);
    }
    l->count++;
    return set_next(l, v->key, v->keylen) ? HF_OK : HF_ENOMEM;
}

/* base64url-free continuation tokens: the hex of the last key written. */
static char *token_encode(const char *k, size_t n)
{
    char *t = malloc(2 * n + 1);

    if (t)
        hf_hex((const uint8_t *)k, n, t);
    return t;
}

static char *token_decode(const char *t, size_t *n)
{
    size_t tl = strlen(t);
    char *k;

    if (tl % 2 || tl / 2 > HF_KEY_MAX)
        return NULL;
    k = malloc(tl / 2 + 1);
    if (!k)
        return NULL;
    if (hf_unhex(t, (uint8_t *)k, tl / 2) != 0) {
        free(k);
        return NULL;
    }
    k[tl / 2] = '\0';
    *n = tl / 2;
    return k;
}

static void list_objects(struct req *r, bool v2, bool versions)
{
    struct meta_bucket mb;
    struct lister l;
    struct s3xml_buf b;
    char *prefix = NULL, *delim = NULL, *maxk = NULL, *enc = NULL, *after = NULL,
         *token = NULL, *marker = NULL, *vidm = NULL, *tok_key = NULL, *next_tok = NULL;
    size_t tok_len = 0;
    bool has_token = false;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    memset(&l, 0, sizeof(l));
    l.r = r;
    l.v2 = v2;
    l.versions = versions;
    {
        char *fo = param(r, "fetch-owner", NULL);
        l.fetch_owner = fo && strcmp(fo, "true") == 0;
        free(fo);
    }
    l.owner = (struct s3xml_owner){ r->user_name, r->user_name };
    prefix = param(r, "prefix", NULL);
    delim = param(r, "delimiter", NULL);
    maxk = param(r, "max-keys", NULL);
    enc = param(r, "encoding-type", NULL);
    l.max = LIST_MAX_KEYS;
    if (maxk) {
        char *end;
        long v = strtol(maxk, &end, 10);
        if (*end || v < 0) {
            send_error(r, 400, "InvalidArgument", "Invalid max-keys");
            goto out;
        }
        l.max = v > LIST_MAX_KEYS ? LIST_MAX_KEYS : (unsigned)v;
    }
    if (enc && strcmp(enc, "url") != 0) {
        send_error(r, 400, "InvalidArgument", "Invalid Encoding Method specified in Request");
        goto out;
    }
    l.url = enc != NULL;
    l.prefix = prefix ? prefix : "";
    l.plen = strlen(l.prefix);
    l.delim = delim;
    l.dlen = delim ? strlen(delim) : 0;
    if (versions) {
        marker = param(r, "key-marker", NULL);
        vidm = param(r, "version-id-marker", NULL);
        if (marker && *marker) {
            l.after = marker;
            l.after_len = strlen(marker);
            if (vidm && *vidm) {
                l.vid_marker = vidm;
                l.vid_skipping = true;
            }
        }
    } else if (v2) {
        after = param(r, "start-after", NULL);
        token = param(r, "continuation-token", &has_token);
        if (has_token) {
            tok_key = token ? token_decode(token, &tok_len) : NULL;
            if (!tok_key) {
                send_error(r, 400, "InvalidArgument", "The continuation token provided is "
                           "incorrect");
                goto out;
            }
            l.after = tok_key;
            l.after_len = tok_len;
        } else if (after && *after) {
            l.after = after;
            l.after_len = strlen(after);
        }
    } else {
        marker = param(r, "marker", NULL);
        if (marker && *marker) {
            l.after = marker;
            l.after_len = strlen(marker);
        }
    }
    s3xml_buf_init(&b, S3XML_OUT_MAX);
    l.b = &b;
    /* The head is written after the entries are known: build entries first. */
    {
        struct s3xml_buf entries;
        s3xml_buf_init(&entries, S3XML_OUT_MAX);
        l.b = &entries;
        l.lh = (struct s3xml_list_head){ .v2 = v2, .url_encode = l.url, .bucket = r->bucket,
                                         .prefix = l.prefix, .delimiter = delim,
                                         .max_keys = l.max };
        l.vh = (struct s3xml_versions_head){ .url_encode = l.url, .bucket = r->bucket,
                                             .prefix = l.prefix, .delimiter = delim,
                                             .max_keys = l.max };
        if (l.max > 0) {
            rc = obj_list(r->conn->st, r->bucket, l.prefix, l.plen, l.after, l.after_len,
                          versions ? HF_LIST_VERSIONS : 0, list_cb, &l);
            while (rc == LIST_SKIP)
                rc = obj_list(r->conn->st, r->bucket, l.prefix, l.plen, l.skip, l.skip_len,
                              versions ? HF_LIST_VERSIONS : 0, list_cb, &l);
            if (rc == LIST_STOP)
                rc = HF_OK;
        } else {
            rc = HF_OK;
        }
        if (rc != HF_OK) {
            s3xml_buf_release(&entries);
            s3xml_buf_release(&b);
            send_hf_error(r, rc);
            goto out;
        }
        l.b = &b;
        if (versions) {
            l.vh.is_truncated = l.truncated;
            l.vh.key_marker = marker;
            l.vh.version_id_marker = vidm;
            if (l.truncated) {
                l.vh.next_key_marker = l.next;
                l.vh.next_version_id_marker = l.next_vid[0] ? l.next_vid : NULL;
            }
            s3xml_versions_begin(&b, &l.vh);
        } else {
            l.lh.is_truncated = l.truncated;
            l.lh.key_count = l.count;
            if (v2) {
                l.lh.start_after = after;
                l.lh.continuation_token = has_token ? token : NULL;
                if (l.truncated && l.next) {
                    next_tok = token_encode(l.next, l.next_len);
                    l.lh.next_continuation_token = next_tok;
                }
            } else {
                l.lh.marker = marker;
                if (l.truncated && delim)
                    l.lh.next_marker = l.next;
            }
            s3xml_list_begin(&b, &l.lh);
        }
        s3xml_raw(&b, entries.data ? entries.data : "", entries.len);
        s3xml_buf_release(&entries);
        if (versions)
            s3xml_versions_end(&b);
        else
            s3xml_list_end(&b);
    }
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
out:
    free(prefix);
    free(delim);
    free(maxk);
    free(enc);
    free(after);
    free(token);
    free(marker);
    free(vidm);
    free(tok_key);
    free(next_tok);
    free(l.next);
    free(l.last_prefix);
}

/* ------------------------------------------------------------------ */
/* S3 Object Lock (the rules are policy/lock.c's)                      */
/* ------------------------------------------------------------------ */

#define NO_LOCK_MSG "Bucket is missing Object Lock Configuration"

/*
 * A retain-until date in ms as ns; false (after sending S3's error) when
 * it is beyond the store's clock range (ns in int64: 1677..2262).
 */
static bool retain_ns(struct req *r, int64_t ms, int64_t *ns)
{
    if (ms > INT64_MAX / 1000000) {
        send_error(r, 400, "InvalidArgument",
                   "The retain until date must be before 2262-04-11T23:47:16Z");
        return false;
    }
    if (ms < 0) {
        send_error(r, 400, "InvalidArgument", "The retain until date must be in the future!");
        return false;
    }
    *ns = ms * 1000000;
    return true;
}

/* x-amz-bypass-governance-retention: true */
static bool bypass_governance(struct req *r)
{
    const char *h = header(r, "x-amz-bypass-governance-retention");

    return h && strcasecmp(h, "true") == 0;
}

/*
 * The x-amz-object-lock-* headers of a write into r->lock, checked as S3
 * does; false after sending the error.
 */
static bool lock_headers(struct req *r, const struct meta_bucket *mb)
{
    const char *mode = header(r, "x-amz-object-lock-mode"),
               *until = header(r, "x-amz-object-lock-retain-until-date"),
               *legal = header(r, "x-amz-object-lock-legal-hold");
    int64_t ms = 0;
    enum hf_err rc;

    memset(&r->lock, 0, sizeof(r->lock));
    if (!mode && !until && !legal)
        return true;
    if (!mode != !until) {
        send_error(r, 400, "InvalidArgument", "x-amz-object-lock-retain-until-date and "
                   "x-amz-object-lock-mode must both be supplied");
        return false;
    }
    if (mode && strcmp(mode, "GOVERNANCE") == 0)
        r->lock.mode = HF_LOCK_GOVERNANCE;
    else if (mode && strcmp(mode, "COMPLIANCE") == 0)
        r->lock.mode = HF_LOCK_COMPLIANCE;
    else if (mode) {
        send_error(r, 400, "InvalidArgument", "Unknown wormMode directive.");
        return false;
    }
    if (until && !s3xml_parse_time(until, &ms)) {
        send_error(r, 400, "InvalidArgument",
                   "The retain until date must be provided in ISO 8601 format");
        return false;
    }
    if (!retain_ns(r, ms, &r->lock.retain_until_ns))
        return false;
    if (legal && strcmp(legal, "ON") == 0)
        r->lock.legal_hold = 1;
    else if (legal && strcmp(legal, "OFF") != 0) {
        send_error(r, 400, "InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'");
        return false;
    }
    rc = lock_check_request(r->conn->st, mb, &r->lock);
    if (rc == HF_EPRECOND)
        send_error(r, 400, "InvalidRequest", NO_LOCK_MSG);
    else if (rc == HF_EBADARG)
        send_error(r, 400, "InvalidArgument", "The retain until date must be in the future!");
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    return rc == HF_OK;
}

/* The S3 error for a failed lock_* call on an object. */
static void send_lock_error(struct req *r, enum hf_err rc)
{
    switch (rc) {
    case HF_EPRECOND:
        send_error(r, 400, "InvalidRequest", NO_LOCK_MSG);
        return;
    case HF_EBADARG:
        send_error(r, 400, "InvalidArgument", "The retain until date must be in the future!");
        return;
    case HF_EHELD:
        send_error(r, 403, "AccessDenied", hf_store_errmsg(r->conn->st));
        return;
    case HF_EDELETED:
        send_error_hdr2(r, 405, "MethodNotAllowed",
                        "The specified method is not allowed against this resource.",
                        "x-amz-delete-marker", "true", NULL, NULL);
        return;
    default:
        send_hf_error(r, rc);
    }
}

/* GetObjectLockConfiguration */
static void get_lock_config(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_buf b;

    if (!own_bucket(r, &mb))
        return;
    if (!mb.lock) {
        send_error(r, 404, "ObjectLockConfigurationNotFoundError",
                   "Object Lock configuration does not exist for this bucket");
        return;
    }
    s3xml_buf_init(&b, 4096);
    s3xml_lock_conf(&b, (enum s3xml_lock_mode)mb.lock_mode, (unsigned)mb.lock_days,
                    (unsigned)mb.lock_years);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

/* PutObjectLockConfiguration */
static void put_lock_config_finish(struct req *r)
{
    struct s3xml_lock_conf lc;
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    rc = s3xml_parse_lock_conf(r->xml.data, r->xml.len, S3XML_BODY_MAX, &lc, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    if (!lc.enabled) {
        send_error(r, 400, "MalformedXML", "ObjectLockEnabled must be Enabled");
        return;
    }
    rc = lock_bucket_config(r->conn->st, &mb, lc.has_default ? (int)lc.mode : HF_LOCK_NONE,
                            lc.days, lc.years);
    if (rc == HF_EPRECOND)
        send_error(r, 409, "InvalidBucketState",
                   "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                   "configuration");
    else if (rc == HF_EBADARG)
        send_error(r, 400, "InvalidArgument", hf_store_errmsg(r->conn->st));
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_empty(r, 200);
}

/* GetObjectRetention, GetObjectLegalHold */
static void get_object_lock(struct req *r, bool legal)
{
    struct meta_bucket mb;
    struct hf_object_lock lk;
    struct s3xml_buf b;
    char *version;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    version = param(r, "versionId", NULL);
    rc = lock_get(r->conn->st, &mb, r->key, r->keylen, version, &lk);
    free(version);
    if (rc != HF_OK) {
        send_lock_error(r, rc);
        return;
    }
    if (!legal && !lk.mode) {
        send_error(r, 404, "NoSuchObjectLockConfiguration",
                   "The specified object does not have a ObjectLock configuration");
        return;
    }
    s3xml_buf_init(&b, 4096);
    if (legal)
        s3xml_legal_hold(&b, lk.legal_hold);
    else
        s3xml_retention(&b, (enum s3xml_lock_mode)lk.mode, lk.retain_until_ns);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

/* PutObjectRetention */
static void put_retention_finish(struct req *r)
{
    struct s3xml_retention rt;
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    int64_t until = 0;
    char *version;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    rc = s3xml_parse_retention(r->xml.data, r->xml.len, S3XML_BODY_MAX, &rt, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    if (!retain_ns(r, rt.until_ms, &until))
        return;
    version = param(r, "versionId", NULL);
    rc = lock_set_retention(r->conn->st, &mb, r->key, r->keylen, version, (int)rt.mode,
                            until, bypass_governance(r));
    free(version);
    if (rc != HF_OK)
        send_lock_error(r, rc);
    else
        send_empty(r, 200);
}

/* PutObjectLegalHold */
static void put_legal_hold_finish(struct req *r)
{
    struct s3xml_legal_hold lh;
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    char *version;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    rc = s3xml_parse_legal_hold(r->xml.data, r->xml.len, S3XML_BODY_MAX, &lh, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    version = param(r, "versionId", NULL);
    rc = lock_set_legal_hold(r->conn->st, &mb, r->key, r->keylen, version, lh.on);
    free(version);
    if (rc != HF_OK)
        send_lock_error(r, rc);
    else
        send_empty(r, 200);
}

/* ------------------------------------------------------------------ */
/* objects                                                             */
/* ------------------------------------------------------------------ */

static void put_object_finish(struct req *r)
{
    struct hf_version_info vi;
    struct hf_object_meta om;
    uint8_t md[16];
    unsigned mdlen = 0;
    char etag[33], unq[HF_ETAG_MAX + 1]; /* unq: If-Match, used by the commit below */
    char sum[HF_SUM_MAX + 1];
    enum hf_err rc;

    if (!body_end(r)) {
        hf_writer_abort(r->w);
        r->w = NULL;
        return;
    }
    /* Without r->md5, Content-MD5 gave the MD5 and sigv4_digest_final (body_end) checked it. */
    if (!r->md5)
        memcpy(md, r->dg.want_md5, sizeof(md));
    else if (!EVP_DigestFinal_ex(r->md5, md, &mdlen)) {
        hf_writer_abort(r->w);
        r->w = NULL;
        send_hf_error(r, HF_ECRYPTO);
        return;
    }
    hf_hex(md, 16, etag);
    om = (struct hf_object_meta){ etag, r->attrs, r->attrs_len, 0, NULL,
                                  r->part ? NULL : &r->lock,
                                  body_sum(r, sum) ? sum : NULL };
    if (!r->part) {
        const char *inm = header(r, "If-None-Match"), *im = header(r, "If-Match");
        om.if_none_match_any = inm && strcmp(inm, "*") == 0;
        if (im) {
            size_t n = strlen(im);
            if (n >= 2 && im[0] == '"' && im[n - 1] == '"')
                snprintf(unq, sizeof(unq), "%.*s", (int)(n - 2), im + 1);
            else
                snprintf(unq, sizeof(unq), "%s", im);
            om.if_match = unq;
        }
    }
    rc = hf_writer_commit(r->w, &om, &vi);
    r->w = NULL;
    if (rc == HF_EPRECOND) {
        send_error(r, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold");
        return;
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        return;
    }
    {
        struct MHD_Response *resp = buffer_response("", 0);
        char q[40];
        snprintf(q, sizeof(q), "\"%s\"", etag);
        MHD_add_response_header(resp, "ETag", q);
        add_sum_headers(resp, vi.sum);
        if (!vi.null_version && !r->part)
            MHD_add_response_header(resp, "x-amz-version-id", vi.version_id);
        respond(r, 200, resp);
    }
}

static bool put_object_begin(struct req *r)
{
    struct meta_bucket mb;
    struct hf_put_opts po = { -1, NULL, NULL };
    enum sigv4_algo up_algo = SIGV4_ALGO_NONE;  /* UploadPart: what the upload's parts carry */
    const char *cl;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return false;
    if (r->keylen > HF_KEY_MAX) {
        send_error(r, 400, "KeyTooLongError", "Your key is too long");
        return false;
    }
    if (!r->part && header(r, "If-None-Match") && strcmp(header(r, "If-None-Match"), "*") != 0) {
        send_error(r, 501, "NotImplemented", "If-None-Match on a write supports only *");
        return false;
    }
    if (!r->part && !acl_headers_ok(r, false))
        return false;
    if (!r->part && !encode_attrs(r)) {
        send_error(r, 400, "MetadataTooLarge",
                   "Your metadata headers exceed the maximum allowed metadata size.");
        return false;
    }
    if (!r->part && !lock_headers(r, &mb))
        return false;
    cl = r->chunked ? header(r, "x-amz-decoded-content-length") : header(r, "Content-Length");
    if (cl) {
        char *end;
        long long v = strtoll(cl, &end, 10);
        if (*end || v < 0) {
            send_error(r, 400, "InvalidArgument", "Invalid Content-Length");
            return false;
        }
        if (v > (5LL << 30)) {
            send_error(r, 400, "EntityTooLarge",
                       "Your proposed upload exceeds the maximum allowed object size.");
            return false;
        }
        po.expect_size = v;
    } else {
        /* aws-chunked must declare x-amz-decoded-content-length, as S3 requires */
        send_error(r, 411, "MissingContentLength", "You must provide the Content-Length HTTP "
                   "header.");
        return false;
    }
    if (r->part) {
        char *upload = param(r, "uploadId", NULL), usum[HF_SUM_MAX + 1];
        rc = hf_upload_sum(r->conn->st, r->bucket, r->key, r->keylen, upload ? upload : "",
                           usum);
        up_algo = rc == HF_OK ? sigv4_algo_from_name(usum) : SIGV4_ALGO_NONE;
        if (rc == HF_OK)
            rc = hf_part_writer_open(r->conn->st, r->bucket, r->key, r->keylen,
                                     upload ? upload : "", r->part, &po, &r->w);
        free(upload);
        if (rc == HF_ENOTFOUND) {
            send_error(r, 404, "NoSuchUpload", "The specified upload does not exist.");
            return false;
        }
    } else {
        rc = hf_writer_open(r->conn->st, r->bucket, r->key, r->keylen, &po, &r->w);
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        return false;
    }
    if (!body_begin(r, BODY_OBJECT, 0))
        return false;
    /*
     * A part of an upload created with x-amz-checksum-algorithm carries that
     * checksum: checked when the client sent it (header or trailer), else
     * computed here; another algorithm is refused, as S3 does.
     */
    if (up_algo != SIGV4_ALGO_NONE) {
        enum sigv4_algo t = r->chunked ? r->ch->sum.algo : SIGV4_ALGO_NONE;
        if (t != SIGV4_ALGO_NONE ? t != up_algo
                                 : sigv4_digest_require(&r->dg, up_algo) != HF_OK) {
            char msg[160];
            snprintf(msg, sizeof(msg), "Checksum Type mismatch occurred, expected checksum "
                     "Type: %s", sigv4_algo_name(up_algo));
            send_error(r, 400, "InvalidRequest", msg);
            return false;
        }
    }
    /* The ETag is the body's MD5: Content-MD5's when given (dg checks it), else computed. */
    if (!r->dg.md5.algo) {
        r->md5 = EVP_MD_CTX_new();
        if (!r->md5 || !EVP_DigestInit_ex(r->md5, EVP_md5(), NULL)) {
            send_error(r, 500, "InternalError", "out of memory");
            return false;
        }
    }
    /* Without a helper thread (none could start) the digests run inline. */
    if (po.expect_size >= PUT_HASH_THREAD_MIN && bodyhash_start(body_digest, r, &r->bh) != HF_OK)
        r->bh = NULL;
    r->finish = put_object_finish;
    return true;
}

struct reader_ctx {
    struct hf_reader *rd;
};

static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct reader_ctx *rc = cls;
    size_t got = 0;

    (void)pos;
    if (hf_reader_read(rc->rd, buf, max, &got) != HF_OK)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (got == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)got;
}

static void read_free(void *cls)
{
    struct reader_ctx *rc = cls;

    hf_reader_close(rc->rd);
    free(rc);
}

/* The error for hf_head's @rc on a read of @version (NULL: the latest), @vi from it. */
static void send_head_error(struct req *r, enum hf_err rc, const struct hf_version_info *vi,
                            const char *version)
{
    /* S3 names the marker: x-amz-delete-marker and its x-amz-version-id. */
    const char *mvid = vi->null_version ? "null" : vi->version_id;

    if (rc == HF_ENOTFOUND && !version)
        /* no version at all: S3 (and ceph/s3-tests) say it is not a marker either */
        send_error_hdr2(r, 404, "NoSuchKey", "The specified key does not exist.",
                        "x-amz-delete-marker", "false", NULL, NULL);
    else if (rc != HF_EDELETED)
        send_hf_error(r, rc);
    else if (version)
        send_error_hdr2(r, 405, "MethodNotAllowed",
                        "The specified method is not allowed against this resource.",
                        "x-amz-delete-marker", "true", "x-amz-version-id", mvid);
    else
        send_error_hdr2(r, 404, "NoSuchKey", "The specified key does not exist.",
                        "x-amz-delete-marker", "true", "x-amz-version-id", mvid);
}

/* x-amz-version-id on a read: when the bucket versions or the version is not "null". */
static void add_version_header(struct MHD_Response *resp, const struct meta_bucket *mb,
                               const struct hf_version_info *vi)
{
    if (mb->versioning != HF_VERSIONING_OFF || !vi->null_version)
        MHD_add_response_header(resp, "x-amz-version-id",
                                vi->null_version ? "null" : vi->version_id);
}

/* x-amz-object-lock-* of a version on GET and HEAD */
static void add_lock_headers(struct MHD_Response *resp, const struct hf_version_info *vi)
{
    char t[S3XML_TIME_MAX];

    if (vi->lock_mode) {
        MHD_add_response_header(resp, "x-amz-object-lock-mode", lock_mode_name(vi->lock_mode));
        s3xml_format_time(vi->retain_until_ns, t);
        MHD_add_response_header(resp, "x-amz-object-lock-retain-until-date", t);
    }
    if (vi->legal_hold)
        MHD_add_response_header(resp, "x-amz-object-lock-legal-hold", "ON");
}

/* hf_version_parts callback: remember part @want. */
struct part_pick {
    unsigned want;
    bool found;
    uint64_t offset, size;
    char sum[HF_SUM_MAX + 1];
};

static enum hf_err part_pick_cb(void *arg, const struct hf_part_info *p)
{
    struct part_pick *pp = arg;

    if (p->number == pp->want) {
        pp->found = true;
        pp->offset = p->offset;
        pp->size = p->size;
        snprintf(pp->sum, sizeof(pp->sum), "%s", p->sum ? p->sum : "");
    }
    return HF_OK;
}

static void get_object(struct req *r, bool head)
{
    struct meta_bucket mb;
    struct hf_version_info vi;
    struct hf_reader *rd = NULL;
    struct MHD_Response *resp;
    char *version = NULL, tbuf[64], etag[HF_ETAG_MAX + 3];
    const char *h;
    uint64_t off = 0, len = UINT64_MAX;
    bool ranged = false, has_type = false;
    unsigned nparts = 0;
    enum hf_err rc;
    bool has_vid;
    char pp_sum[HF_SUM_MAX + 1] = "";   /* ?partNumber: that part's checksum */

    if (!own_bucket(r, &mb))
        return;
    version = param(r, "versionId", &has_vid);
    /*
     * One lookup: a GET opens its reader on the whole version now (so the
     * bytes sent are those of the version the headers describe, whatever
     * lands meanwhile) and narrows it to the range below.
     */
    if (head)
        rc = hf_head(r->conn->st, r->bucket, r->key, r->keylen, version, &vi);
    else
        rc = hf_reader_open(r->conn->st, r->bucket, r->key, r->keylen, version, 0, UINT64_MAX,
                            &rd, &vi);
    if (rc != HF_OK) {
        send_head_error(r, rc, &vi, version);
        goto out;
    }
    snprintf(etag, sizeof(etag), "\"%s\"", vi.etag);
    /* Conditions (RFC 7232 order). */
    if ((h = header(r, "If-Match")) && strcmp(h, "*") != 0 && strcmp(h, etag) != 0 &&
        strcmp(h, vi.etag) != 0) {
        send_error(r, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold");
        goto out;
    }
    if (!header(r, "If-Match") && (h = header(r, "If-Unmodified-Since"))) {
        int64_t t = parse_http_date(h);
        if (t >= 0 && vi.mtime_ns / 1000000000 > t) {
            send_error(r, 412, "PreconditionFailed",
                       "At least one of the pre-conditions you specified did not hold");
            goto out;
        }
    }
    if ((h = header(r, "If-None-Match")) &&
        (strcmp(h, "*") == 0 || strcmp(h, etag) == 0 || strcmp(h, vi.etag) == 0)) {
        resp = buffer_response("", 0);
        MHD_add_response_header(resp, "ETag", etag);
        respond(r, 304, resp);
        goto out;
    }
    if (!header(r, "If-None-Match") && (h = header(r, "If-Modified-Since"))) {
        int64_t t = parse_http_date(h);
        if (t >= 0 && vi.mtime_ns / 1000000000 <= t) {
            resp = buffer_response("", 0);
            MHD_add_response_header(resp, "ETag", etag);
            respond(r, 304, resp);
            goto out;
        }
    }
    if (has_param(r, "partNumber")) {
        /* One part of a multipart object; a plain object is its part 1. */
        struct part_pick pp = { 0 };
        char *pn = param(r, "partNumber", NULL), *end = NULL;
        long n = pn ? strtol(pn, &end, 10) : 0;
        bool bad = !pn || !end || *end || n < 1 || n > HF_PART_MAX;
        free(pn);
        if (bad) {
            send_error(r, 400, "InvalidArgument",
                       "Part number must be an integer between 1 and 10000, inclusive");
            goto out;
        }
        if (header(r, "Range")) {
            send_error(r, 400, "InvalidRequest",
                       "Cannot specify both Range header and partNumber query parameter");
            goto out;
        }
        pp.want = (unsigned)n;
        rc = hf_version_parts(r->conn->st, r->bucket, r->key, r->keylen,
                              vi.null_version ? "null" : vi.version_id, part_pick_cb, &pp,
                              &nparts);
        if (rc != HF_OK) {
            send_hf_error(r, rc);
            goto out;
        }
        if ((nparts == 0 && n != 1) || (nparts > 0 && !pp.found)) {
            send_error(r, 400, "InvalidPart", "The requested partnumber is not satisfiable");
            goto out;
        }
        if (nparts > 0) {
            off = pp.offset;
            len = pp.size;
            ranged = true;
            memcpy(pp_sum, pp.sum, sizeof(pp_sum));
        }
    } else if ((h = header(r, "Range"))) {
        enum s3_range pr = s3_parse_range(h, vi.size, &off, &len);
        if (pr == S3_RANGE_UNSATISFIABLE) {
            send_error(r, 416, "InvalidRange", "The requested range is not satisfiable");
            goto out;
        }
        ranged = pr == S3_RANGE_OK;
        if (!ranged) {
            off = 0;
            len = UINT64_MAX;
        }
    }
    if (head) {
        /* HEAD: the headers of a GET, a body never sent. */
        if (ranged) {
            resp = MHD_create_response_from_callback(len, 1, read_cb, NULL, NULL);
        } else {
            resp = MHD_create_response_from_callback(vi.size, 1, read_cb, NULL, NULL);
        }
    } else {
        struct reader_ctx *rcx = calloc(1, sizeof(*rcx));
        uint64_t n;
        if (!rcx) {
            send_error(r, 500, "InternalError", "out of memory");
            goto out;
        }
        rc = hf_reader_range(rd, off, len);
        if (rc != HF_OK) {
            free(rcx);
            send_hf_error(r, rc);
            goto out;
        }
        rcx->rd = rd;
        rd = NULL;          /* moved into the response */
        n = hf_reader_length(rcx->rd);
        /*
         * libmicrohttpd allocates and zeroes the block whatever the length:
         * a 4 KiB object must not pay for 256 KiB.
         */
        resp = MHD_create_response_from_callback(n, n < GET_BLOCK_MIN ? GET_BLOCK_MIN
                                                    : n > GET_BLOCK_MAX ? GET_BLOCK_MAX
                                                    : (size_t)n,
                                                 read_cb, rcx, read_free);
        if (!resp)
            read_free(rcx);
        r->bytes_out += n;
    }
    if (!resp) {
        send_error(r, 500, "InternalError", "out of memory");
        goto out;
    }
    {
        bool skip[NOVERRIDES];
        for (size_t i = 0; i < NOVERRIDES; i++) {
            char *v = param(r, overrides[i][0], NULL);
            skip[i] = v != NULL;
            if (v) {
                MHD_add_response_header(resp, overrides[i][1], v);
                if (i == 0)
                    has_type = true;
                free(v);
            }
        }
        bool stored_type;
        add_attrs(resp, vi.attrs, vi.attrs_len, &stored_type, skip);
        if (!skip[0])
            has_type = stored_type;
    }
    if (!has_type)
        MHD_add_response_header(resp, "Content-Type", "binary/octet-stream");
    MHD_add_response_header(resp, "ETag", etag);
    http_date(vi.mtime_ns, tbuf, sizeof(tbuf));
    MHD_add_response_header(resp, "Last-Modified", tbuf);
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    add_version_header(resp, &mb, &vi);
    add_lock_headers(resp, &vi);
    /*
     * x-amz-checksum-mode: ENABLED asks for the checksum the object was
     * written with: the whole object's, a part's with ?partNumber, none
     * for another range (S3 has none to give).
     */
    if ((h = header(r, "x-amz-checksum-mode")) && strcasecmp(h, "ENABLED") == 0) {
        if (nparts > 0)
            add_sum_headers(resp, pp_sum);
        else if (!ranged)
            add_sum_headers(resp, vi.sum);
    }
    if (nparts > 0) {
        char pc[16];
        snprintf(pc, sizeof(pc), "%u", nparts);
        MHD_add_response_header(resp, "x-amz-mp-parts-count", pc);
    }
    if (ranged) {
        char cr[96];
        snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, off, off + len - 1,
                 vi.size);
        MHD_add_response_header(resp, "Content-Range", cr);
    }
    respond(r, ranged ? 206 : 200, resp);
out:
    hf_reader_close(rd);
    free(version);
}

struct attr_parts {
    struct s3xml_buf *b;
    unsigned marker, max, count, last;
    bool truncated;
};

static enum hf_err attr_part_cb(void *arg, const struct hf_part_info *p)
{
    struct attr_parts *ap = arg;

    if (p->number <= ap->marker)
        return HF_OK;
    if (ap->count == ap->max) {
        ap->truncated = true;
        return LIST_STOP;
    }
    {
        struct s3xml_checksum sx = sum_xml(p->sum ? p->sum : "", false);
        s3xml_object_part(ap->b, p->number, p->size, &sx);
    }
    ap->count++;
    ap->last = p->number;
    return HF_OK;
}

/* A non-negative decimal header, at most @max; @dflt when absent; -1 when malformed. */
static long header_uint(struct req *r, const char *name, long dflt, long max)
{
    const char *h = header(r, name);
    char *end;
    long v;

    if (!h)
        return dflt;
    v = strtol(h, &end, 10);
    if (end == h || *end || v < 0)
        return -1;
    return v > max ? max : v;
}

/* GetObjectAttributes: GET ?attributes with x-amz-object-attributes. */
static void get_object_attributes(struct req *r)
{
    static const char *const names[] = { "ETag", "Checksum", "ObjectParts", "StorageClass",
                                         "ObjectSize" };
    bool want[5] = { false };
    const char *list = header(r, "x-amz-object-attributes");
    struct meta_bucket mb;
    struct hf_version_info vi;
    struct s3xml_buf parts, b;
    struct attr_parts ap = { 0 };
    struct s3xml_object_attrs oa = { 0 };
    char *version = NULL, tbuf[64];
    unsigned nparts = 0;
    long max = header_uint(r, "x-amz-max-parts", 1000, 1000),
         marker = header_uint(r, "x-amz-part-number-marker", 0, HF_PART_MAX);
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    if (!list || !*list) {
        send_error(r, 400, "InvalidArgument", "Empty attribute specifier");
        return;
    }
    for (const char *p = list; *p;) {
        size_t n, found = 0;
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ", ");
        if (n == 0)
            break;
        for (size_t i = 0; i < 5; i++)
            if (strlen(names[i]) == n && strncmp(p, names[i], n) == 0)
                want[i] = true, found = 1;
        if (!found) {
            send_error(r, 400, "InvalidArgument", "Invalid attribute name specified.");
            return;
        }
        p += n;
    }
    if (max < 0 || marker < 0) {
        send_error(r, 400, "InvalidArgument", "Invalid x-amz-max-parts or "
                   "x-amz-part-number-marker");
        return;
    }
    version = param(r, "versionId", NULL);
    rc = hf_head(r->conn->st, r->bucket, r->key, r->keylen, version, &vi);
    if (rc != HF_OK) {
        send_head_error(r, rc, &vi, version);
        free(version);
        return;
    }
    free(version);
    s3xml_buf_init(&parts, S3XML_OUT_MAX);
    if (want[2]) {
        ap = (struct attr_parts){ &parts, (unsigned)marker, (unsigned)max, 0, 0, false };
        rc = hf_version_parts(r->conn->st, r->bucket, r->key, r->keylen,
                              vi.null_version ? "null" : vi.version_id, attr_part_cb, &ap,
                              &nparts);
        if (rc != HF_OK && rc != LIST_STOP) {
            s3xml_buf_release(&parts);
            send_hf_error(r, rc);
            return;
        }
    }
    oa = (struct s3xml_object_attrs){
        .etag = want[0] ? vi.etag : NULL,
        .checksum = want[1] ? sum_xml(vi.sum, true) : (struct s3xml_checksum){ 0 },
        .storage_class = want[3], .has_size = want[4],
        .size = vi.size, .has_parts = want[2] && nparts > 0, .parts_count = nparts,
        .part_number_marker = (unsigned)marker, .next_part_number_marker = ap.last,
        .max_parts = (unsigned)max, .is_truncated = ap.truncated, .parts_xml = parts.data,
        .parts_len = parts.len };
    s3xml_buf_init(&b, S3XML_OUT_MAX);
    s3xml_object_attributes(&b, &oa);
    s3xml_buf_release(&parts);
    {
        char *out = NULL;
        size_t len = 0;
        struct MHD_Response *resp;
        if (s3xml_buf_finish(&b, &out, &len) != HF_OK) {
            send_error(r, 500, "InternalError", "out of memory");
            return;
        }
        resp = buffer_response(out, len);
        free(out);
        MHD_add_response_header(resp, "Content-Type", "application/xml");
        http_date(vi.mtime_ns, tbuf, sizeof(tbuf));
        MHD_add_response_header(resp, "Last-Modified", tbuf);
        add_version_header(resp, &mb, &vi);
        r->bytes_out += len;
        respond(r, 200, resp);
    }
}

static void delete_object(struct req *r)
{
    struct meta_bucket mb;
    struct hf_delete_result dr;
    struct MHD_Response *resp;
    char *version;
    bool has_vid;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    version = param(r, "versionId", &has_vid);
    rc = hf_delete_ex(r->conn->st, r->bucket, r->key, r->keylen, version,
                      bypass_governance(r) ? HF_DELETE_BYPASS_GOVERNANCE : 0, &dr);
    if (rc != HF_OK && !(rc == HF_ENOTFOUND && version)) {
        free(version);
        send_hf_error(r, rc);
        return;
    }
    resp = buffer_response("", 0);
    if (rc == HF_OK && (dr.marker_created || dr.was_marker))
        MHD_add_response_header(resp, "x-amz-delete-marker", "true");
    if (rc == HF_OK && version)
        MHD_add_response_header(resp, "x-amz-version-id", version);
    else if (rc == HF_OK && dr.marker_created)
        MHD_add_response_header(resp, "x-amz-version-id", dr.version_id);
    free(version);
    respond(r, 204, resp);
}

static void delete_objects_finish(struct req *r)
{
    struct s3xml_delete del = { 0 };
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    struct s3xml_buf b;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    if (!header(r, "Content-MD5") && !r->dg.sum.algo) {
        /* S3 requires an integrity header on DeleteObjects; SDKs send one. */
    }
    rc = s3xml_parse_delete(r->xml.data, r->xml.len, S3XML_BODY_MAX, &del, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    s3xml_buf_init(&b, S3XML_OUT_MAX);
    s3xml_delete_begin(&b);
    for (size_t i = 0; i < del.nobjs; i++) {
        struct s3xml_delete_obj *o = &del.objs[i];
        struct hf_delete_result dr;
        rc = hf_delete_ex(r->conn->st, r->bucket, o->key, o->key_len, o->version_id,
                          bypass_governance(r) ? HF_DELETE_BYPASS_GOVERNANCE : 0, &dr);
        if (rc == HF_OK || (rc == HF_ENOTFOUND && o->version_id)) {
            if (!del.quiet)
                s3xml_delete_deleted(&b, o->key, o->key_len, o->version_id,
                                     rc == HF_OK && (dr.marker_created || dr.was_marker),
                                     rc == HF_OK && dr.marker_created ? dr.version_id
                                     : rc == HF_OK && dr.was_marker  ? o->version_id
                                                                     : NULL);
        } else {
            s3xml_delete_error(&b, o->key, o->key_len, o->version_id,
                               rc == HF_EBADKEY ? "InvalidArgument"
                               : rc == HF_EHELD ? "AccessDenied" : "InternalError",
                               rc == HF_EHELD ? hf_store_errmsg(r->conn->st)
                                              : hf_strerror(rc));
        }
    }
    s3xml_delete_end(&b);
    s3xml_delete_release(&del);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* copies: CopyObject and UploadPartCopy                               */
/* ------------------------------------------------------------------ */

/*
 * Copy the object named by x-amz-copy-source into r's key (or, with
 * r->part, into that part of an upload), streaming through the engine: the
 * copy is a new version with its own data key, as any write.
 */
static void copy_object(struct req *r)
{
    struct meta_bucket mb, sb;
    struct hf_version_info vi, out;
    struct hf_reader *rd = NULL;
    struct hf_writer *w = NULL;
    struct hf_put_opts po = { -1, NULL, NULL };
    struct hf_object_meta om = { 0 };
    const char *src = header(r, "x-amz-copy-source"), *h, *q;
    char *dec = NULL, *sbucket = NULL, *skey = NULL, *svid = NULL, *buf = NULL;
    size_t declen, skeylen;
    uint64_t off = 0, len = UINT64_MAX;
    EVP_MD_CTX *md = NULL;
    uint8_t digest[16];
    unsigned dlen = 0;
    char etag[33];
    bool replace;
    enum hf_err rc;

    if (!own_bucket(r, &mb) || (!r->part && !acl_headers_ok(r, false)) ||
        (!r->part && !lock_headers(r, &mb)))
        return;
    /* "/bucket/key?versionId=V" or "bucket/key", URL-encoded */
    q = strchr(src, '?');
    dec = pct_decode(src, q ? (size_t)(q - src) : strlen(src), &declen);
    if (!dec || declen < 3) {
        send_error(r, 400, "InvalidArgument", "Copy Source must mention the source bucket "
                   "and key: sourcebucket/sourcekey");
        goto out;
    }
    {
        char *p = dec[0] == '/' ? dec + 1 : dec, *slash = strchr(p, '/');
        if (!slash || slash == p || slash[1] == '\0') {
            send_error(r, 400, "InvalidArgument", "Copy Source must mention the source bucket "
                       "and key: sourcebucket/sourcekey");
            goto out;
        }
        sbucket = strndup(p, (size_t)(slash - p));
        skeylen = declen - (size_t)(slash + 1 - dec);
        skey = malloc(skeylen + 1);
        if (!sbucket || !skey) {
            send_error(r, 500, "InternalError", "out of memory");
            goto out;
        }
        memcpy(skey, slash + 1, skeylen);
        skey[skeylen] = '\0';
    }
    if (q && strncmp(q + 1, "versionId=", 10) == 0) {
        size_t vl;
        svid = pct_decode(q + 11, strlen(q + 11), &vl);
    }
    if (obj_bucket_get(r->conn->st, sbucket, &sb) != HF_OK) {
        send_error(r, 404, "NoSuchBucket", "The specified bucket does not exist");
        goto out;
    }
    if (sb.owner != r->user) {
        send_error(r, 403, "AccessDenied", "Access Denied");
        goto out;
    }
    rc = hf_head(r->conn->st, sbucket, skey, skeylen, svid, &vi);
    if (rc == HF_EDELETED || rc == HF_ENOTFOUND) {
        send_error(r, 404, svid ? "NoSuchVersion" : "NoSuchKey",
                   "The specified key does not exist.");
        goto out;
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        goto out;
    }
    if (vi.size > (5ULL << 30) && !r->part) {
        send_error(r, 400, "InvalidRequest", "The specified copy source is larger than the "
                   "maximum allowable size for a copy source: 5368709120");
        goto out;
    }
    /* Conditions on the source. */
    if ((h = header(r, "x-amz-copy-source-if-match")) &&
        strcmp(h, "*") != 0 && strcmp(h, vi.etag) != 0 &&
        !(strlen(h) == strlen(vi.etag) + 2 && strncmp(h + 1, vi.etag, strlen(vi.etag)) == 0)) {
        send_error(r, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold");
        goto out;
    }
    if ((h = header(r, "x-amz-copy-source-if-none-match")) &&
        (strcmp(h, vi.etag) == 0 ||
         (strlen(h) == strlen(vi.etag) + 2 && strncmp(h + 1, vi.etag, strlen(vi.etag)) == 0))) {
        send_error(r, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold");
        goto out;
    }
    replace = (h = header(r, "x-amz-metadata-directive")) && strcmp(h, "REPLACE") == 0;
    if (h && !replace && strcmp(h, "COPY") != 0) {
        send_error(r, 400, "InvalidArgument", "Unknown metadata directive.");
        goto out;
    }
    if (!r->part && !replace && strcmp(sbucket, r->bucket) == 0 && skeylen == r->keylen &&
        memcmp(skey, r->key, skeylen) == 0 && !svid && mb.versioning != HF_VERSIONING_ENABLED) {
        send_error(r, 400, "InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to "
                   "itself without changing the object's metadata, storage class, website "
                   "redirect location or encryption attributes.");
        goto out;
    }
    if (r->part && (h = header(r, "x-amz-copy-source-range"))) {
        unsigned long long a, b;
        int used = 0;
        if (sscanf(h, "bytes=%llu-%llu%n", &a, &b, &used) == 2 && h[used] == '\0' &&
            b >= a && b >= vi.size) {
            send_error(r, 416, "InvalidRange", "The requested range is not satisfiable");
            goto out;
        }
        if (sscanf(h, "bytes=%llu-%llu%n", &a, &b, &used) != 2 || h[used] != '\0' || b < a) {
            send_error(r, 400, "InvalidArgument", "The x-amz-copy-source-range value must be "
                       "of the form bytes=first-last where first and last are the zero-based "
                       "offsets of the first and last bytes to copy");
            goto out;
        }
        off = a;
        len = b - a + 1;
    }
    if (replace) {
        if (!encode_attrs(r)) {
            send_error(r, 400, "MetadataTooLarge",
                       "Your metadata headers exceed the maximum allowed metadata size.");
            goto out;
        }
    } else if (!r->part) {
        if (vi.attrs_len)
            memcpy(r->attrs, vi.attrs, vi.attrs_len); /* borrowed until the next store call */
        r->attrs_len = vi.attrs_len;
    }
    rc = hf_reader_open(r->conn->st, sbucket, skey, skeylen,
                        vi.null_version ? "null" : vi.version_id, off, len, &rd, NULL);
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        goto out;
    }
    po.expect_size = (int64_t)hf_reader_length(rd);
    if (r->part) {
        char *upload = param(r, "uploadId", NULL);
        rc = hf_part_writer_open(r->conn->st, r->bucket, r->key, r->keylen,
                                 upload ? upload : "", r->part, &po, &w);
        free(upload);
        if (rc == HF_ENOTFOUND) {
            send_error(r, 404, "NoSuchUpload", "The specified upload does not exist.");
            goto out;
        }
    } else {
        rc = hf_writer_open(r->conn->st, r->bucket, r->key, r->keylen, &po, &w);
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        goto out;
    }
    md = EVP_MD_CTX_new();
    buf = malloc(1 << 20);
    if (!md || !buf || !EVP_DigestInit_ex(md, EVP_md5(), NULL)) {
        send_error(r, 500, "InternalError", "out of memory");
        goto out;
    }
    for (;;) {
        size_t got = 0;
        rc = hf_reader_read(rd, buf, 1 << 20, &got);
        if (rc != HF_OK || got == 0)
            break;
        EVP_DigestUpdate(md, buf, got);
        rc = hf_writer_write(w, buf, got);
        if (rc != HF_OK)
            break;
    }
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        goto out;
    }
    EVP_DigestFinal_ex(md, digest, &dlen);
    hf_hex(digest, 16, etag);
    /* A whole-object copy keeps the source's full-object checksum: the bytes are the same. */
    om = (struct hf_object_meta){ etag, r->part ? NULL : r->attrs, r->part ? 0 : r->attrs_len,
                                  0, NULL, r->part ? NULL : &r->lock,
                                  vi.sum[0] && !strchr(vi.sum, '-') &&
                                  !(r->part && header(r, "x-amz-copy-source-range"))
                                      ? vi.sum : NULL };
    rc = hf_writer_commit(w, &om, &out);
    w = NULL;
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        goto out;
    }
    {
        struct s3xml_buf b;
        char *xml = NULL;
        size_t xl = 0;
        struct MHD_Response *resp;
        char q2[40];
        snprintf(q2, sizeof(q2), "\"%s\"", etag);
        s3xml_buf_init(&b, 4096);
        if (r->part)
            s3xml_copy_part(&b, out.mtime_ns, q2);
        else
            s3xml_copy_object(&b, out.mtime_ns, q2);
        if (s3xml_buf_finish(&b, &xml, &xl) != HF_OK) {
            s3xml_buf_release(&b);
            send_error(r, 500, "InternalError", "out of memory");
            goto out;
        }
        s3xml_buf_release(&b);
        resp = buffer_response(xml, xl);
        free(xml);
        MHD_add_response_header(resp, "Content-Type", "application/xml");
        if (!vi.null_version)
            MHD_add_response_header(resp, "x-amz-copy-source-version-id", vi.version_id);
        if (!r->part && !out.null_version)
            MHD_add_response_header(resp, "x-amz-version-id", out.version_id);
        r->bytes_out += xl;
        respond(r, 200, resp);
    }
out:
    hf_writer_abort(w);
    hf_reader_close(rd);
    EVP_MD_CTX_free(md);
    free(buf);
    free(dec);
    free(sbucket);
    free(skey);
    free(svid);
}

/* ------------------------------------------------------------------ */
/* multipart uploads                                                   */
/* ------------------------------------------------------------------ */

static void create_upload(struct req *r)
{
    struct meta_bucket mb;
    struct hf_object_meta om = { 0 };
    char id[HF_VERSION_ID_LEN + 1];
    struct s3xml_buf b;
    enum sigv4_algo algo = SIGV4_ALGO_NONE;
    const char *h;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    if (r->keylen > HF_KEY_MAX) {
        send_error(r, 400, "KeyTooLongError", "Your key is too long");
        return;
    }
    if (!acl_headers_ok(r, false))
        return;
    if (!encode_attrs(r)) {
        send_error(r, 400, "MetadataTooLarge",
                   "Your metadata headers exceed the maximum allowed metadata size.");
        return;
    }
    if (!lock_headers(r, &mb))
        return;
    /*
     * x-amz-checksum-algorithm: every part carries that checksum and the
     * object gets the COMPOSITE one (the checksum of the parts' checksums);
     * FULL_OBJECT (x-amz-checksum-type) is not implemented.
     */
    if ((h = header(r, "x-amz-checksum-algorithm"))) {
        algo = sigv4_algo_from_name(h);
        if (algo == SIGV4_ALGO_NONE) {
            send_error(r, 400, "InvalidRequest", "Checksum algorithm provided is unsupported. "
                       "Please try again with any of the valid types: [CRC32, CRC32C, "
                       "CRC64NVME, SHA1, SHA256]");
            return;
        }
        om.sum = sigv4_algo_name(algo);
    }
    if ((h = header(r, "x-amz-checksum-type")) && strcasecmp(h, "COMPOSITE") != 0) {
        send_error(r, 501, "NotImplemented", strcasecmp(h, "FULL_OBJECT") == 0
                   ? "x-amz-checksum-type FULL_OBJECT is not implemented: use COMPOSITE"
                   : "x-amz-checksum-type must be COMPOSITE or FULL_OBJECT");
        return;
    }
    if (h && algo == SIGV4_ALGO_NONE) {
        send_error(r, 400, "InvalidRequest", "x-amz-checksum-type needs "
                   "x-amz-checksum-algorithm");
        return;
    }
    om.attrs = r->attrs;
    om.attrs_len = r->attrs_len;
    om.lock = &r->lock;
    rc = hf_upload_create(r->conn->st, r->bucket, r->key, r->keylen, &om, id);
    if (rc != HF_OK) {
        send_hf_error(r, rc);
        return;
    }
    s3xml_buf_init(&b, 64 * 1024);
    s3xml_initiate_multipart(&b, r->bucket, r->key, r->keylen, id);
    if (algo != SIGV4_ALGO_NONE)
        send_xml_buf_hdr2(r, 200, &b, "x-amz-checksum-algorithm", sigv4_algo_name(algo),
                          "x-amz-checksum-type", "COMPOSITE");
    else
        send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

static bool upload_part_begin(struct req *r)
{
    char *pn = param(r, "partNumber", NULL), *end = NULL;
    long n = pn ? strtol(pn, &end, 10) : 0;

    if (!pn || *end || n < 1 || n > HF_PART_MAX) {
        free(pn);
        send_error(r, 400, "InvalidArgument",
                   "Part number must be an integer between 1 and 10000, inclusive");
        return false;
    }
    free(pn);
    r->part = (unsigned)n;
    return put_object_begin(r);
}

/* hf_upload_parts callback: the kept checksum of each part the request lists. */
struct listed_sums {
    const struct s3xml_complete *cu;
    char (*sums)[HF_SUM_MAX + 1];       /* per listed part; "" when not uploaded or none */
};

static enum hf_err listed_sum_cb(void *arg, const struct hf_part_info *p)
{
    struct listed_sums *ls = arg;
    size_t lo = 0, hi = ls->cu->nparts;

    while (lo < hi) {                   /* listed parts ascend (s3xml_parse_complete) */
        size_t mid = lo + (hi - lo) / 2;
        unsigned n = ls->cu->parts[mid].number;
        if (n == p->number) {
            snprintf(ls->sums[mid], HF_SUM_MAX + 1, "%s", p->sum ? p->sum : "");
            break;
        }
        if (n < p->number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return HF_OK;
}

/*
 * The composite checksum of the listed parts of an upload whose parts carry
 * @algo, from the checksums kept with them, into @out ("" when a listed
 * part has none of @algo: a copied part, or one not uploaded, which
 * hf_upload_complete refuses).
 */
static enum hf_err composite_sum(enum sigv4_algo algo, char (*sums)[HF_SUM_MAX + 1], size_t n,
                                 char out[HF_SUM_MAX + 1])
{
    uint8_t *raw = NULL, sum[SIGV4_SUM_MAX];
    size_t len = sigv4_algo_len(algo), got, sl;
    enum hf_err rc = HF_OK;

    out[0] = '\0';
    raw = malloc(n * len + 1);
    if (!raw)
        return HF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *v;
        if (sum_split(sums[i], &v) != algo ||
            hf_base64_decode(v, strlen(v), raw + i * len, len, &got) != 0 || got != len)
            goto out;
    }
    rc = sigv4_checksum(algo, raw, n * len, sum, &sl);
    if (rc == HF_OK) {
        size_t k;
        sum_format(algo, sum, sl, out);
        k = strlen(out);
        snprintf(out + k, HF_SUM_MAX + 1 - k, "-%zu", n);
    }
out:
    free(raw);
    return rc;
}

static void complete_upload_finish(struct req *r)
{
    struct s3xml_complete cu = { 0 };
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    struct hf_part *parts = NULL;
    struct hf_version_info vi;
    char *upload = NULL, usum[HF_SUM_MAX + 1] = "", composite[HF_SUM_MAX + 1] = "";
    char (*listed)[HF_SUM_MAX + 1] = NULL;  /* "ALGO:value" each listed part names */
    char (*kept)[HF_SUM_MAX + 1] = NULL;    /* the checksum kept with each listed part */
    enum sigv4_algo ua = SIGV4_ALGO_NONE;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    rc = s3xml_parse_complete(r->xml.data, r->xml.len, S3XML_COMPLETE_BODY_MAX, &cu, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    parts = calloc(cu.nparts ? cu.nparts : 1, sizeof(*parts));
    listed = calloc(cu.nparts ? cu.nparts : 1, sizeof(*listed));
    kept = calloc(cu.nparts ? cu.nparts : 1, sizeof(*kept));
    upload = param(r, "uploadId", NULL);
    if (!parts || !listed || !kept) {
        send_error(r, 500, "InternalError", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < cu.nparts; i++) {
        parts[i] = (struct hf_part){ cu.parts[i].number, cu.parts[i].etag, NULL };
        if (cu.parts[i].sum) {
            /* hf_upload_complete compares it with the part's, in its transaction */
            snprintf(listed[i], sizeof(listed[i]), "%s:%s", cu.parts[i].sum_algo,
                     cu.parts[i].sum);
            parts[i].sum = listed[i];
        }
    }
    /*
     * Checksums (an upload gone may be completing again: hf_upload_complete
     * answers that with the version it made, checksum included).  The
     * object's composite checksum comes from the parts' kept checksums, so
     * a Part listed without its checksum loses nothing and is accepted (as
     * RGW and ceph/s3-tests do; AWS asks for every one); one listed must
     * match.  A x-amz-checksum-* header names what the client expects the
     * composite to be: BadDigest otherwise.
     */
    rc = hf_upload_sum(r->conn->st, r->bucket, r->key, r->keylen, upload ? upload : "", usum);
    if (rc == HF_OK) {
        struct listed_sums ls = { &cu, kept };
        ua = sigv4_algo_from_name(usum);
        rc = hf_upload_parts(r->conn->st, r->bucket, r->key, r->keylen, upload, 0,
                             listed_sum_cb, &ls);
        if (rc == HF_OK && ua != SIGV4_ALGO_NONE)
            rc = composite_sum(ua, kept, cu.nparts, composite);
        if (rc != HF_OK && rc != HF_ENOTFOUND) {
            send_hf_error(r, rc);
            goto out;
        }
        for (int a = SIGV4_ALGO_CRC32; rc == HF_OK && a <= SIGV4_ALGO_CRC64NVME; a++) {
            const char *hn = sigv4_algo_header((enum sigv4_algo)a), *hv, *cv;
            size_t n;
            if (!hn || !(hv = header(r, hn)))
                continue;
            while (*hv == ' ' || *hv == '\t')
                hv++;
            n = strcspn(hv, " \t");
            /* "<base64>-<parts>", or the same without the part count */
            if ((enum sigv4_algo)a != ua || sum_split(composite, &cv) != ua ||
                !((strlen(cv) == n && strncmp(cv, hv, n) == 0) ||
                  (strcspn(cv, "-") == n && strncmp(cv, hv, n) == 0))) {
                send_error(r, 400, "BadDigest", "The x-amz-checksum value you specified did "
                           "not match the checksum of the object's parts.");
                goto out;
            }
        }
    }
    rc = hf_upload_complete(r->conn->st, r->bucket, r->key, r->keylen, upload ? upload : "",
                            parts, cu.nparts, composite[0] ? composite : NULL, &vi);
    switch (rc) {
    case HF_OK: {
        struct s3xml_buf b;
        char loc[600], q[HF_ETAG_MAX + 3];
        struct MHD_Response *resp;
        char *out = NULL;
        size_t len = 0;
        snprintf(loc, sizeof(loc), "/%s/%.*s", r->bucket,
                 (int)(r->keylen > 500 ? 500 : r->keylen), r->key);
        struct s3xml_checksum sx = sum_xml(vi.sum, true);
        snprintf(q, sizeof(q), "\"%s\"", vi.etag);
        s3xml_buf_init(&b, 64 * 1024);
        s3xml_complete_multipart(&b, loc, r->bucket, r->key, r->keylen, q, &sx);
        if (s3xml_buf_finish(&b, &out, &len) != HF_OK) {
            s3xml_buf_release(&b);
            send_error(r, 500, "InternalError", "out of memory");
            break;
        }
        resp = buffer_response(out, len);
        free(out);
        s3xml_buf_release(&b);
        MHD_add_response_header(resp, "Content-Type", "application/xml");
        if (!vi.null_version)
            MHD_add_response_header(resp, "x-amz-version-id", vi.version_id);
        r->bytes_out += len;
        respond(r, 200, resp);
        break;
    }
    case HF_ENOTFOUND:
        send_error(r, 404, "NoSuchUpload", "The specified upload does not exist.");
        break;
    case HF_EBADPART:
        send_error(r, 400, "InvalidPart", hf_store_errmsg(r->conn->st));
        break;
    case HF_EPARTORDER:
        send_error(r, 400, "InvalidPartOrder", hf_store_errmsg(r->conn->st));
        break;
    case HF_ETOOSMALL:
        send_error(r, 400, "EntityTooSmall", hf_store_errmsg(r->conn->st));
        break;
    case HF_EINVAL:
        send_error(r, 400, "MalformedXML", hf_store_errmsg(r->conn->st));
        break;
    default:
        send_hf_error(r, rc);
    }
out:
    free(upload);
    free(parts);
    free(listed);
    free(kept);
    s3xml_complete_release(&cu);
}

static void abort_upload(struct req *r)
{
    struct meta_bucket mb;
    char *upload;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        return;
    upload = param(r, "uploadId", NULL);
    rc = hf_upload_abort(r->conn->st, r->bucket, r->key, r->keylen, upload ? upload : "");
    free(upload);
    if (rc == HF_ENOTFOUND)
        send_error(r, 404, "NoSuchUpload", "The specified upload does not exist.");
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_empty(r, 204);
}

struct parts_ctx {
    struct s3xml_buf *b;
    unsigned max, count, last;
    bool truncated;
};

static enum hf_err part_entry(void *arg, const struct hf_part_info *p)
{
    struct parts_ctx *c = arg;

    if (c->count == c->max) {
        c->truncated = true;
        return LIST_STOP;
    }
    {
        struct s3xml_checksum sx = sum_xml(p->sum ? p->sum : "", false);
        s3xml_parts_entry(c->b, p->number, p->mtime_ns, p->etag, p->size, &sx);
    }
    c->count++;
    c->last = p->number;
    return HF_OK;
}

static void list_parts(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_buf b, entries;
    struct parts_ctx c = { .max = 1000 };
    struct s3xml_owner owner = { r->user_name, r->user_name };
    char *upload = param(r, "uploadId", NULL), *mp = param(r, "max-parts", NULL),
         *pm = param(r, "part-number-marker", NULL), usum[HF_SUM_MAX + 1] = "", *end;
    unsigned marker = 0;
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        goto out;
    /*
     * max-parts 0..2147483647 (above 1000 means 1000).  With 0 the list is
     * empty, and IsTruncated says whether parts follow the marker, as its
     * definition in the API reference has it (truncated when the parts
     * exceed MaxParts); NextPartNumberMarker is then the marker itself, so
     * a client paging on goes on from where it asked.
     */
    if (mp) {
        long v = strtol(mp, &end, 10);
        if (end == mp || *end || v < 0 || v > 2147483647L) {
            send_error(r, 400, "InvalidArgument", "Argument max-parts must be an integer "
                       "between 0 and 2147483647");
            goto out;
        }
        c.max = v > 1000 ? 1000 : (unsigned)v;
    }
    if (pm) {
        long v = strtol(pm, &end, 10);
        if (end == pm || *end || v < 0 || v > 2147483647L) {
            send_error(r, 400, "InvalidArgument", "Argument part-number-marker must be an "
                       "integer between 0 and 2147483647");
            goto out;
        }
        marker = v > HF_PART_MAX ? HF_PART_MAX : (unsigned)v;
    }
    c.last = marker;
    s3xml_buf_init(&entries, S3XML_OUT_MAX);
    c.b = &entries;
    rc = hf_upload_sum(r->conn->st, r->bucket, r->key, r->keylen, upload ? upload : "", usum);
    if (rc == HF_OK)
        rc = hf_upload_parts(r->conn->st, r->bucket, r->key, r->keylen, upload ? upload : "",
                             marker, part_entry, &c);
    if (rc != HF_OK && rc != LIST_STOP) {
        s3xml_buf_release(&entries);
        if (rc == HF_ENOTFOUND)
            send_error(r, 404, "NoSuchUpload", "The specified upload does not exist.");
        else
            send_hf_error(r, rc);
        goto out;
    }
    s3xml_buf_init(&b, S3XML_OUT_MAX);
    s3xml_parts_begin(&b, &(struct s3xml_parts_head){
                              .bucket = r->bucket, .key = r->key, .key_len = r->keylen,
                              .upload_id = upload, .initiator = &owner, .owner = &owner,
                              .part_number_marker = marker,
                              .next_part_number_marker = c.last, .max_parts = c.max,
                              .is_truncated = c.truncated,
                              .checksum_algorithm = usum[0] ? usum : NULL,
                              .checksum_type = usum[0] ? "COMPOSITE" : NULL });
    s3xml_raw(&b, entries.data ? entries.data : "", entries.len);
    s3xml_parts_end(&b);
    s3xml_buf_release(&entries);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
out:
    free(upload);
    free(mp);
    free(pm);
}

struct uploads_ctx {
    struct s3xml_buf *b;
    struct s3xml_uploads_head *h;
    struct s3xml_owner *owner;
    const char *prefix;
    const char *key_marker;         /* "": none */
    const char *id_marker;          /* within key_marker: after this upload ("": none) */
    bool skipping;                  /* still within key_marker, before id_marker */
    unsigned max, count;
    char *next_key;                 /* the last upload written */
    char next_id[HF_VERSION_ID_LEN + 1];
};

/* hf_upload_list callback: uploads in (key, initiation) order after the markers. */
static enum hf_err upload_entry(void *arg, const struct hf_upload_info *u)
{
    struct uploads_ctx *c = arg;
    size_t pl = strlen(c->prefix), ml = strlen(c->key_marker);
    int cmp;

    if (u->keylen < pl || memcmp(u->key, c->prefix, pl) != 0)
        return HF_OK;
    if (ml) {
        cmp = memcmp(u->key, c->key_marker, u->keylen < ml ? u->keylen : ml);
        if (cmp < 0 || (cmp == 0 && u->keylen < ml))
            return HF_OK;
        if (cmp == 0 && u->keylen == ml) {
            /* S3: key-marker alone skips that key; with upload-id-marker, its uploads up to it. */
            if (!*c->id_marker || c->skipping) {
                c->skipping = c->skipping && strcmp(u->upload_id, c->id_marker) != 0;
                return HF_OK;
            }
        }
    }
    if (c->count == c->max) {
        c->h->is_truncated = true;
        return LIST_STOP;
    }
    s3xml_uploads_entry(c->b, c->h, &(struct s3xml_upload){
                                        .key = u->key, .key_len = u->keylen,
                                        .upload_id = u->upload_id, .initiator = c->owner,
                                        .owner = c->owner, .initiated_ns = u->created_ns });
    c->count++;
    free(c->next_key);
    c->next_key = strndup(u->key, u->keylen);
    snprintf(c->next_id, sizeof(c->next_id), "%s", u->upload_id);
    return c->next_key ? HF_OK : HF_ENOMEM;
}

static void list_uploads(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_buf b, entries;
    struct s3xml_owner owner = { r->user_name, r->user_name };
    char *prefix = param(r, "prefix", NULL), *km = param(r, "key-marker", NULL),
         *im = param(r, "upload-id-marker", NULL), *mu = param(r, "max-uploads", NULL), *end;
    struct s3xml_uploads_head h = { .bucket = r->bucket, .prefix = prefix, .max_uploads = 1000,
                                    .key_marker = km, .upload_id_marker = im };
    struct uploads_ctx c = { &entries, &h, &owner, prefix ? prefix : "", km ? km : "",
                             im ? im : "", true, 1000, 0, NULL, "" };
    enum hf_err rc;

    if (!own_bucket(r, &mb))
        goto out;
    if (mu) {
        long v = strtol(mu, &end, 10);
        if (end == mu || *end || v < 0) {
            send_error(r, 400, "InvalidArgument", "Argument max-uploads must be an integer "
                       "between 0 and 2147483647");
            goto out;
        }
        c.max = h.max_uploads = v > 1000 ? 1000 : (unsigned)v;
    }
    s3xml_buf_init(&entries, S3XML_OUT_MAX);
    rc = hf_upload_list(r->conn->st, r->bucket, upload_entry, &c);
    if (rc != HF_OK && rc != LIST_STOP) {
        s3xml_buf_release(&entries);
        send_hf_error(r, rc);
        goto out;
    }
    if (h.is_truncated) {
        h.next_key_marker = c.next_key;
        h.next_upload_id_marker = c.next_id;
    }
    s3xml_buf_init(&b, S3XML_OUT_MAX);
    s3xml_uploads_begin(&b, &h);
    s3xml_raw(&b, entries.data ? entries.data : "", entries.len);
    s3xml_uploads_end(&b);
    s3xml_buf_release(&entries);
    send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
out:
    free(prefix);
    free(km);
    free(im);
    free(mu);
    free(c.next_key);
}

/* ------------------------------------------------------------------ */
/* routing                                                             */
/* ------------------------------------------------------------------ */

/* Split the request target into bucket and key (path or virtual-host style). */
static bool route(struct req *r)
{
    const char *q = strchr(r->uri, '?'), *p, *host = header(r, "Host");
    size_t plen;

    r->path = r->uri;
    r->path_len = q ? (size_t)(q - r->uri) : strlen(r->uri);
    if (r->path_len == 0 || r->path[0] != '/') {
        send_error(r, 400, "InvalidURI", "Couldn't parse the specified URI.");
        return false;
    }
    if (q && sigv4_split_query(q + 1, strlen(q + 1), r->params, SIGV4_MAX_PARAMS,
                               &r->nparams) != HF_OK) {
        send_error(r, 400, "InvalidURI", "Couldn't parse the specified URI.");
        return false;
    }
    p = r->path + 1;
    plen = r->path_len - 1;
    /* Virtual-host style: Host is BUCKET.<vhost domain>. */
    if (host && r->srv->vhost[0]) {
        size_t hl = strcspn(host, ":"), vl = strlen(r->srv->vhost);
        if (hl > vl + 1 && host[hl - vl - 1] == '.' &&
            strncasecmp(host + hl - vl, r->srv->vhost, vl) == 0 && hl - vl - 1 < 64) {
            memcpy(r->bucket, host, hl - vl - 1);
            r->bucket[hl - vl - 1] = '\0';
            if (plen > 0) {
                r->key = pct_decode(p, plen, &r->keylen);
                if (!r->key) {
                    send_error(r, 400, "InvalidURI", "Couldn't parse the specified URI.");
                    return false;
                }
            }
            return true;
        }
    }
    if (plen == 0)
        return true; /* the service */
    {
        const char *slash = memchr(p, '/', plen);
        size_t bl = slash ? (size_t)(slash - p) : plen, dl;
        char *b = pct_decode(p, bl, &dl);
        if (!b || dl >= sizeof(r->bucket)) {
            free(b);
            send_error(r, 400, "InvalidBucketName", "The specified bucket is not valid.");
            return false;
        }
        memcpy(r->bucket, b, dl + 1);
        free(b);
        if (slash && plen - bl - 1 > 0) {
            r->key = pct_decode(slash + 1, plen - bl - 1, &r->keylen);
            if (!r->key) {
                send_error(r, 400, "InvalidURI", "Couldn't parse the specified URI.");
                return false;
            }
        }
    }
    return true;
}

/* A subresource this server does not implement here (tagging, policy, ...), other than @allowed (may be NULL). */
static bool unsupported_subresource(struct req *r, const char *allowed)
{
    static const char *const sub[] = {
        "uploadId", "partNumber", "uploads", "acl", "tagging", "retention", "legal-hold",
        "policy", "lifecycle", "object-lock", "cors", "encryption", "torrent", "restore",
        "select", "website", "logging", "notification", "replication", "requestPayment",
        "accelerate", "analytics", "inventory", "metrics", "ownershipControls",
        "publicAccessBlock", "intelligent-tiering", "attributes",
    };

    for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
        if (has_param(r, sub[i]) && !(allowed && strcmp(sub[i], allowed) == 0))
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* lifecycle (issue 4): ?lifecycle, account states, keep links         */
/* ------------------------------------------------------------------ */

static void send_text(struct req *r, int status, const char *type, char *text, size_t len);

/* A suspended or closed account's data is read-only for its user: false after a 403. */
static bool account_allows(struct req *r)
{
    int state;

    if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
        return true;
    state = policy_account_state(r->conn->st, r->user);
    if (state == META_ACCOUNT_ACTIVE)
        return true;
    send_error(r, 403, "AccessDenied", state == META_ACCOUNT_SUSPENDED
                   ? "This account is suspended: its data is read-only."
                   : "This account is closed: its data is read-only.");
    return false;
}

static enum hf_err lc_rule_xml(void *arg, const struct hf_lifecycle_rule *lr)
{
    struct s3xml_buf *b = arg;

    s3xml_open(b, "Rule");
    s3xml_elem_str(b, "ID", lr->id);
    s3xml_open(b, "Filter");
    s3xml_elem_str(b, "Prefix", lr->prefix ? lr->prefix : "");
    s3xml_close(b, "Filter");
    s3xml_elem_str(b, "Status", lr->enabled ? "Enabled" : "Disabled");
    if (lr->expiration_days || lr->expiration_date_ns) {
        s3xml_open(b, "Expiration");
        if (lr->expiration_days)
            s3xml_elem_u64(b, "Days", lr->expiration_days);
        else
            s3xml_elem_time(b, "Date", lr->expiration_date_ns);
        s3xml_close(b, "Expiration");
    }
    if (lr->noncurrent_days) {
        s3xml_open(b, "NoncurrentVersionExpiration");
        s3xml_elem_u64(b, "NoncurrentDays", lr->noncurrent_days);
        s3xml_close(b, "NoncurrentVersionExpiration");
    }
    if (lr->abort_days) {
        s3xml_open(b, "AbortIncompleteMultipartUpload");
        s3xml_elem_u64(b, "DaysAfterInitiation", lr->abort_days);
        s3xml_close(b, "AbortIncompleteMultipartUpload");
    }
    s3xml_close(b, "Rule");
    return HF_OK;
}

static void put_lifecycle_finish(struct req *r)
{
    struct s3xml_lifecycle lc;
    struct hf_lifecycle_rule *hr;
    struct s3xml_err xe = { 0 };
    struct meta_bucket mb;
    enum hf_err rc;

    if (!body_end(r) || !own_bucket(r, &mb))
        return;
    rc = s3xml_parse_lifecycle(r->xml.data, r->xml.len, S3XML_BODY_MAX, &lc, &xe);
    if (rc != HF_OK) {
        send_error(r, 400, xe.code ? xe.code : "MalformedXML", xe.msg);
        return;
    }
    hr = calloc(lc.n, sizeof(*hr));
    if (!hr) {
        s3xml_lifecycle_release(&lc);
        send_error(r, 500, "InternalError", "out of memory");
        return;
    }
    for (size_t i = 0; i < lc.n; i++)
        hr[i] = (struct hf_lifecycle_rule){ lc.rules[i].id, lc.rules[i].enabled,
                                            lc.rules[i].prefix, lc.rules[i].exp_days,
                                            lc.rules[i].exp_date_ns,
                                            lc.rules[i].noncurrent_days,
                                            lc.rules[i].abort_days };
    rc = hf_lifecycle_set_rules(r->conn->st, r->bucket, hr, lc.n);
    free(hr);
    s3xml_lifecycle_release(&lc);
    if (rc == HF_EINVAL)
        send_error(r, 400, "InvalidArgument", hf_store_errmsg(r->conn->st));
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_empty(r, 200);
}

/* GET, PUT and DELETE ?lifecycle on a bucket. */
static void lifecycle_api(struct req *r)
{
    struct meta_bucket mb;
    struct s3xml_buf b;
    enum hf_err rc;

    if (strcmp(r->method, "PUT") == 0) {
        if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
            r->finish = put_lifecycle_finish;
        return;
    }
    if (!own_bucket(r, &mb))
        return;
    if (strcmp(r->method, "DELETE") == 0) {
        rc = hf_lifecycle_set_rules(r->conn->st, r->bucket, NULL, 0);
        if (rc != HF_OK)
            send_hf_error(r, rc);
        else
            send_empty(r, 204);
        return;
    }
    if (strcmp(r->method, "GET") != 0) {
        send_error(r, 405, "MethodNotAllowed",
                   "The specified method is not allowed against this resource.");
        return;
    }
    s3xml_buf_init(&b, S3XML_BODY_MAX);
    s3xml_decl(&b);
    s3xml_open_ns(&b, "LifecycleConfiguration");
    rc = hf_lifecycle_get_rules(r->conn->st, r->bucket, lc_rule_xml, &b);
    s3xml_close(&b, "LifecycleConfiguration");
    if (rc == HF_ENOTFOUND)
        send_error(r, 404, "NoSuchLifecycleConfiguration",
                   "The lifecycle configuration does not exist");
    else if (rc != HF_OK)
        send_hf_error(r, rc);
    else
        send_xml_buf(r, 200, &b);
    s3xml_buf_release(&b);
}

/*
 * GET /_holdfast/notice/keep?id=N&sig=HEX: the signed link in a notice.
 * Unauthenticated: the signature (HMAC under the store's link key) is the
 * authority, and it only ever keeps data.
 */
static void notice_api(struct req *r)
{
    struct hf_store *st = r->conn->st;
    char *id = NULL, *sig = NULL, *text;
    enum hf_err rc;

    if (strcmp(r->method, "GET") != 0 || strcmp(r->key, "notice/keep") != 0) {
        send_error(r, 404, "NoSuchKey", "No such notice resource.");
        return;
    }
    id = param(r, "id", NULL);
    sig = param(r, "sig", NULL);
    hf_store_set_actor(st, "link:notice-keep");
    rc = hf_notice_keep_signed(st, id ? id : "", sig ? sig : "");
    if (rc == HF_OK || rc == HF_EEXIST) {
        text = hf_sprintf("notice %s: keep recorded. Your data will not expire under this "
                          "notice.\n", id);
        if (text)
            send_text(r, 200, "text/plain; charset=utf-8", text, strlen(text));
        else
            send_error(r, 500, "InternalError", "out of memory");
        free(text);
    } else if (rc == HF_ESIGNATURE) {
        send_error(r, 403, "AccessDenied", "The link's signature does not match.");
    } else if (rc == HF_ENOTFOUND) {
        send_error(r, 404, "NoSuchKey", "No such notice.");
    } else if (rc == HF_EINVAL) {
        send_error(r, 409, "InvalidRequest", hf_store_errmsg(st));
    } else {
        send_error(r, 500, "InternalError", hf_store_errmsg(st));
    }
    free(id);
    free(sig);
}

/* ------------------------------------------------------------------ */
/* the audit log over HTTP: /_holdfast/audit/...                       */
/* ------------------------------------------------------------------ */
/*
 * GET key, checkpoint and consistency?old=&new= are public: they reveal
 * hashes only.  GET entries?from=&count=[&kind=], prove?index=[&size=] and
 * receipt?index= name users and objects: a signed request by an auditor
 * or admin.  POST checkpoint (sign one now) is for an admin.  Answers are
 * the same text and JSON as `holdfast audit` prints.
 */

struct text_buf {
    char *p;
    size_t len, cap;
};

static enum hf_err entries_cb(void *arg, const struct hf_audit_entry *e)
{
    struct text_buf *b = arg;
    size_t n = strlen(e->json);

    if (b->len + n + 2 > b->cap) {
        size_t cap = (b->cap + n + 2) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return HF_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, e->json, n);
    b->len += n;
    b->p[b->len++] = '\n';
    return HF_OK;
}

/* A decimal query parameter; false (after a 400) when present but not a number. */
static bool audit_param(struct req *r, const char *name, uint64_t *v, bool required)
{
    bool has;
    char *s = param(r, name, &has), *end = NULL;
    bool ok;

    if (!has && !required) {
        free(s);
        return true;
    }
    ok = s && *s && *s != '-' && (*v = strtoull(s, &end, 10), *end == '\0');
    free(s);
    if (!ok)
        send_error(r, 400, "InvalidArgument", "A query parameter is missing or not a number.");
    return ok;
}

static void send_text(struct req *r, int status, const char *type, char *text, size_t len)
{
    struct MHD_Response *resp = buffer_response(text, len);

    MHD_add_response_header(resp, "Content-Type", type);
    r->bytes_out += len;
    respond(r, status, resp);
}

/*
 * A signed request by an auditor or admin (@admin: an admin only); false
 * after answering 403 @why (or the authentication error).
 */
static bool operator_request(struct req *r, bool admin, const char *why)
{
    char role[16] = "";

    if (!authenticate(r))
        return false;
    if (auth_user_role(r->conn->st, r->user, role, sizeof(role)) != HF_OK ||
        (strcmp(role, "auditor") != 0 && strcmp(role, "admin") != 0) ||
        (admin && strcmp(role, "admin") != 0)) {
        send_error(r, 403, "AccessDenied", why);
        return false;
    }
    return true;
}

/* The answer to a library call that returns JSON (or fails). */
static void send_json_result(struct req *r, enum hf_err rc, char *json)
{
    if (rc == HF_OK)
        send_text(r, 200, "application/json", json, strlen(json));
    else if (rc == HF_EMALFORMED || rc == HF_EINVAL)
        send_error(r, 400, rc == HF_EMALFORMED ? "MalformedJSON" : "InvalidArgument",
                   hf_store_errmsg(r->conn->st));
    else if (rc == HF_EEXIST)
        send_error(r, 409, "HoldAlreadyExists", hf_store_errmsg(r->conn->st));
    else if (rc == HF_ENOTFOUND)
        send_error(r, 404, "NoSuchHold", hf_store_errmsg(r->conn->st));
    else
        send_error(r, 500, "InternalError", hf_store_errmsg(r->conn->st));
    free(json);
}

/* POST /_holdfast/holds and /_holdfast/holds/release?case=ID, once the body is in. */
static void holds_post_finish(struct req *r)
{
    char *out = NULL, *id = NULL;
    enum hf_err rc;

    if (!body_end(r))
        return;
    if (strcmp(r->key, "holds") == 0) {
        rc = hf_hold_place_json(r->conn->st, r->xml.data ? r->xml.data : "", r->xml.len, &out);
    } else if (!(id = param(r, "case", NULL))) {
        send_error(r, 400, "InvalidArgument", "Which hold? (?case=ID)");
        return;
    } else {
        rc = hf_hold_release_json(r->conn->st, id, r->xml.data ? r->xml.data : "", r->xml.len,
                                  &out);
        free(id);
    }
    send_json_result(r, rc, out);
}

/*
 * Preservation holds for an operator's tools (the same as `holdfast hold`):
 * GET /_holdfast/holds[?case=ID] for auditors and admins; POST
 * /_holdfast/holds (JSON body, hf_hold_place_json) and POST
 * /_holdfast/holds/release?case=ID ({"by", "reason"}) for admins, answered
 * with the receipt of the audit log entry.
 */
static void holds_api(struct req *r)
{
    bool get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
    bool known = strcmp(r->key, "holds") == 0 || (post && strcmp(r->key, "holds/release") == 0);

    if (!known || (!get && !post)) {
        send_error(r, 404, "NoSuchKey", "No such hold resource.");
        return;
    }
    if (!operator_request(r, post, post ? "Only an admin may place or release a hold."
                                        : "Holds are open to auditors and admins."))
        return;
    if (get) {
        char *id = param(r, "case", NULL), *out = NULL;
        enum hf_err rc = hf_hold_list_json(r->conn->st, id, &out);
        free(id);
        send_json_result(r, rc, out);
        return;
    }
    if (body_begin(r, BODY_XML, 64 * 1024))
        r->finish = holds_post_finish;
}

static void audit_api(struct req *r)
{
    const char *what = r->key ? r->key : "";
    struct hf_store *st = r->conn->st;
    bool get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
    bool pub = get && (strcmp(what, "audit/key") == 0 || strcmp(what, "audit/checkpoint") == 0 ||
                       strcmp(what, "audit/consistency") == 0);
    uint64_t a = 0, b = 0, c = 0;
    char *out = NULL;
    enum hf_err rc = HF_OK;

    if (!pub && !operator_request(r, post,
                                  post ? "Only an admin may sign a checkpoint on demand."
                                       : "The audit log is open to auditors and admins"
                                         " (holdfast user role NAME auditor)."))
        return;
    if (get && strcmp(what, "audit/key") == 0) {
        rc = hf_audit_key(st, &out);
        if (rc == HF_OK) {
            char *line = hf_sprintf("%s\n", out);
            free(out);
            out = line;
            rc = out ? HF_OK : HF_ENOMEM;
        }
    } else if ((get || post) && strcmp(what, "audit/checkpoint") == 0) {
        rc = hf_audit_checkpoint(st, post, &out);
    } else if (get && strcmp(what, "audit/consistency") == 0) {
        if (!audit_param(r, "old", &a, true) || !audit_param(r, "new", &b, true))
            return;
        rc = hf_audit_consistency(st, a, b, &out);
    } else if (get && strcmp(what, "audit/entries") == 0) {
        struct text_buf tb = { NULL, 0, 0 };
        char *kind = param(r, "kind", NULL);
        if (!audit_param(r, "from", &a, false) || !audit_param(r, "count", &c, false)) {
            free(kind);
            return;
        }
        /* At most 10,000 entries an answer: page with from=. */
        rc = hf_audit_list(st, a, c && c < 10000 ? c : 10000, kind, entries_cb, &tb);
        free(kind);
        if (rc == HF_OK) {
            send_text(r, 200, "application/x-ndjson", tb.p ? tb.p : "", tb.len);
            free(tb.p);
            return;
        }
        free(tb.p);
    } else if (get && strcmp(what, "audit/prove") == 0) {
        if (!audit_param(r, "index", &a, true) || !audit_param(r, "size", &b, false))
            return;
        rc = hf_audit_prove(st, a, b, &out);
    } else if (get && strcmp(what, "audit/receipt") == 0) {
        if (!audit_param(r, "index", &a, true))
            return;
        rc = hf_audit_receipt(st, a, &out);
    } else {
        send_error(r, 404, "NoSuchKey", "No such audit log resource.");
        return;
    }
    if (rc == HF_OK) {
        bool json = out[0] == '{';
        send_text(r, 200, json ? "application/json" : "text/plain; charset=utf-8", out,
                  strlen(out));
    } else if (rc == HF_ERANGE) {
        send_error(r, 400, "InvalidArgument", hf_store_errmsg(st));
    } else if (rc == HF_ENOTFOUND) {
        send_error(r, 404, "NoSuchKey", "No checkpoint has been signed yet.");
    } else {
        send_error(r, 500, "InternalError", hf_store_errmsg(st));
    }
    free(out);
}

static void begin(struct req *r)
{
    const char *m = r->method;

    if (!r->conn->st) {
        enum hf_err rc = hf_store_open(r->srv->data_dir, &r->conn->st);
        if (rc != HF_OK) {
            send_error(r, 503, "ServiceUnavailable", "The store cannot be opened");
            return;
        }
        r->conn->st->group = r->srv->group;
    }
    MHD_get_connection_values(r->c, MHD_HEADER_KIND, collect_header, r);
    if (r->too_many_headers) {
        send_error(r, 400, "InvalidRequest", "Too many request headers");
        return;
    }
    if (!route(r))
        return;
    if (strcmp(r->bucket, "_holdfast") == 0) {
        if (r->key && strncmp(r->key, "notice/", 7) == 0)
            notice_api(r);
        else if (r->key && strncmp(r->key, "holds", 5) == 0)
            holds_api(r);
        else
            audit_api(r);   /* not an S3 bucket name: never a user's */
        return;
    }
    if (!authenticate(r) || !account_allows(r))
        return;
    if (r->bucket[0] && !r->key && has_param(r, "lifecycle")) {
        lifecycle_api(r);
        return;
    }
    if (!r->bucket[0]) {
        if (strcmp(m, "GET") == 0)
            list_buckets(r);
        else
            send_error(r, 405, "MethodNotAllowed",
                       "The specified method is not allowed against this resource.");
        return;
    }
    if (!r->key) {
        if (strcmp(m, "GET") == 0) {
            if (has_param(r, "location"))
                get_location(r);
            else if (has_param(r, "versioning"))
                get_versioning(r);
            else if (has_param(r, "versions"))
                list_objects(r, false, true);
            else if (has_param(r, "uploads"))
                list_uploads(r);
            else if (has_param(r, "acl"))
                get_acl(r);
            else if (has_param(r, "object-lock"))
                get_lock_config(r);
            else if (unsupported_subresource(r, NULL))
                send_not_implemented(r);
            else {
                char *lt = param(r, "list-type", NULL);
                list_objects(r, lt && strcmp(lt, "2") == 0, false);
                free(lt);
            }
        } else if (strcmp(m, "HEAD") == 0) {
            struct meta_bucket mb;
            if (own_bucket(r, &mb))
                send_empty(r, 200);
        } else if (strcmp(m, "PUT") == 0) {
            if (has_param(r, "versioning")) {
                if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
                    r->finish = put_versioning_finish;
            } else if (has_param(r, "acl")) {
                if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
                    r->finish = put_acl_finish;
            } else if (has_param(r, "object-lock")) {
                if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
                    r->finish = put_lock_config_finish;
            } else if (!unsupported_subresource(r, NULL)) {
                if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
                    r->finish = create_bucket_finish;
            } else {
                send_not_implemented(r);
            }
        } else if (strcmp(m, "DELETE") == 0) {
            delete_bucket(r);
        } else if (strcmp(m, "POST") == 0 && has_param(r, "delete")) {
            if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
                r->finish = delete_objects_finish;
        } else {
            send_error(r, 405, "MethodNotAllowed",
                       "The specified method is not allowed against this resource.");
        }
        return;
    }
    if (strcmp(m, "GET") == 0 && has_param(r, "uploadId")) {
        list_parts(r);
    } else if (strcmp(m, "POST") == 0 && has_param(r, "uploads")) {
        create_upload(r);
    } else if (strcmp(m, "POST") == 0 && has_param(r, "uploadId")) {
        r->dg_flags = SIGV4_DIGEST_NO_CHECKSUM;     /* they name the object's checksum */
        if (body_begin(r, BODY_XML, S3XML_COMPLETE_BODY_MAX))
            r->finish = complete_upload_finish;
    } else if (strcmp(m, "PUT") == 0 && has_param(r, "uploadId") &&
               has_param(r, "partNumber")) {
        if (header(r, "x-amz-copy-source")) {
            char *pn = param(r, "partNumber", NULL), *end = NULL;
            long n = pn ? strtol(pn, &end, 10) : 0;
            bool bad = !end || *end || n < 1 || n > HF_PART_MAX;
            free(pn);
            if (bad)
                send_error(r, 400, "InvalidArgument", "Part number must be an integer "
                           "between 1 and 10000, inclusive");
            else {
                r->part = (unsigned)n;
                copy_object(r);
            }
        } else {
            upload_part_begin(r);
        }
    } else if (strcmp(m, "DELETE") == 0 && has_param(r, "uploadId")) {
        abort_upload(r);
    } else if (strcmp(m, "GET") == 0 && has_param(r, "acl")) {
        get_acl(r);
    } else if (strcmp(m, "GET") == 0 && has_param(r, "attributes")) {
        get_object_attributes(r);
    } else if (strcmp(m, "PUT") == 0 && has_param(r, "acl")) {
        if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
            r->finish = put_acl_finish;
    } else if (strcmp(m, "GET") == 0 && (has_param(r, "retention") ||
                                         has_param(r, "legal-hold"))) {
        get_object_lock(r, has_param(r, "legal-hold"));
    } else if (strcmp(m, "PUT") == 0 && has_param(r, "retention")) {
        if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
            r->finish = put_retention_finish;
    } else if (strcmp(m, "PUT") == 0 && has_param(r, "legal-hold")) {
        if (body_begin(r, BODY_XML, S3XML_BODY_MAX))
            r->finish = put_legal_hold_finish;
    } else if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0) {
        if (unsupported_subresource(r, "partNumber"))
            send_not_implemented(r);
        else
            get_object(r, strcmp(m, "HEAD") == 0);
    } else if (strcmp(m, "PUT") == 0) {
        if (unsupported_subresource(r, NULL))
            send_not_implemented(r);
        else if (header(r, "x-amz-copy-source"))
            copy_object(r);
        else
            put_object_begin(r);
    } else if (strcmp(m, "DELETE") == 0) {
        if (unsupported_subresource(r, NULL))
            send_not_implemented(r);
        else
            delete_object(r);
    } else {
        send_not_implemented(r);
    }
}

/* ------------------------------------------------------------------ */
/* libmicrohttpd callbacks                                             */
/* ------------------------------------------------------------------ */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct server *srv = cls;
    struct req *r = calloc(1, sizeof(*r));

    (void)c;
    if (!r)
        return NULL;
    r->srv = srv;
    r->uri = strdup(uri ? uri : "/");
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    snprintf(r->id, sizeof(r->id), "%016" PRIxFAST64,
             (uint_fast64_t)atomic_fetch_add(&srv->next_id, 1) ^
                 ((uint_fast64_t)time(NULL) << 20));
    return r;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    struct req *r = *con_cls;

    (void)cls;
    (void)url;
    (void)version;
    if (!r || !r->uri)
        return MHD_NO;
    r->c = c;
    if (!r->started) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->started = true;
        r->method = method;
        r->conn = ci ? ci->socket_context : NULL;
        if (!r->conn)
            return MHD_NO;
        /*
         * A request with a body is authenticated before its body is read.
         * One without waits for the next call: libmicrohttpd closes the
         * connection after a response queued on the first call.
         */
        {
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
            const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                         "Transfer-Encoding");
            if (te || (cl && strcmp(cl, "0") != 0)) {
                r->begun = true;
                begin(r);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->responded)
            consume(r, upload_data, *upload_data_size);
        else
            r->bytes_in += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!r->begun) {
        r->begun = true;
        begin(r);
    }
    if (!r->responded) {
        if (r->finish)
            r->finish(r);
        else
            send_empty(r, 200);
    }
    return MHD_YES;
}

/* A client-chosen string in the log: one token, control bytes and spaces %XX, cut at 256. */
static void log_field(FILE *f, const char *s, size_t n)
{
    if (!s || n == 0) {
        fputc('-', f);
        return;
    }
    for (size_t i = 0; i < n && i < 256; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == 0x7f || ch == '%')
            fprintf(f, "%%%02X", ch);
        else
            fputc(ch, f);
    }
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct req *r = *con_cls;
    struct timespec t1;
    double ms;

    (void)c;
    if (!r)
        return;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
    if (srv->log && r->method) {
        pthread_mutex_lock(&srv->log_mu);
        fprintf(srv->log, "%s ", r->id);
        log_field(srv->log, r->method, strlen(r->method));
        fputc(' ', srv->log);
        log_field(srv->log, r->bucket, strlen(r->bucket));
        fputc(' ', srv->log);
        log_field(srv->log, r->key, r->key ? r->keylen : 0);
        fprintf(srv->log, " %d in=%" PRIu64 " out=%" PRIu64 " %.1fms%s\n",
                r->status ? r->status : 0, r->bytes_in, r->bytes_out, ms,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
        fflush(srv->log);
        pthread_mutex_unlock(&srv->log_mu);
    }
    /* The helper first: it may be using dg and md5. */
    bodyhash_free(r->bh);
    /* An upload that did not complete leaves nothing (invariant 2). */
    hf_writer_abort(r->w);
    if (r->ch_init)
        sigv4_chunked_release(r->ch);
    free(r->ch);
    if (r->dg_init)
        sigv4_digest_release(&r->dg);
    if (r->xml_init)
        s3xml_buf_release(&r->xml);
    EVP_MD_CTX_free(r->md5);
    OPENSSL_cleanse(r->sigkey, sizeof(r->sigkey));
    free(r->key);
    free(r->uri);
    free(r);
    *con_cls = NULL;
}

static void connection_cb(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)c;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(struct conn));
    } else {
        struct conn *cn = *socket_context;
        if (cn) {
            hf_store_close(cn->st);
            free(cn);
        }
        *socket_context = NULL;
    }
}

/* Keep the request target as sent: SigV4 needs the raw path and query. */
static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

enum hf_err hf_serve(const char *data_dir, const struct hf_server_opts *opts,
                     volatile int *stop)
{
    struct server srv;
    struct sockaddr_in sa;
    struct hf_store *probe = NULL;
    const char *listen = opts && opts->listen ? opts->listen : "127.0.0.1:9000";
    char host[64];
    const char *colon = strrchr(listen, ':');
    enum hf_err rc;

    memset(&srv, 0, sizeof(srv));
    memset(&sa, 0, sizeof(sa));
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return HF_EINVAL;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa.sin_addr) != 1 || !sa.sin_port)
        return HF_EINVAL;
    /* Fail early, with the engine's message, if the store cannot open. */
    rc = hf_store_open(data_dir, &probe);
    if (rc != HF_OK)
        return rc;
    hf_store_close(probe);
    srv.data_dir = realpath(data_dir, NULL);
    if (!srv.data_dir)
        return HF_ENOMEM;
    snprintf(srv.region, sizeof(srv.region), "%s",
             opts && opts->region ? opts->region : "us-east-1");
    snprintf(srv.vhost, sizeof(srv.vhost), "%s",
             opts && opts->vhost_domain ? opts->vhost_domain : "localhost");
    srv.log = opts && opts->log ? opts->log : stderr;
    {
        /* Small PUTs are committed in groups by one committer (store/group.h). */
        struct hf_store *gst = NULL;
        rc = hf_store_open(srv.data_dir, &gst);
        if (rc == HF_OK)
            rc = group_start(gst, &srv.group);
        if (rc != HF_OK) {
            free(srv.data_dir);
            return rc;
        }
    }
    pthread_mutex_init(&srv.log_mu, NULL);
    atomic_init(&srv.next_id, 1);
    srv.d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        0, NULL, NULL, access_cb, &srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, &srv,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, &srv,
        MHD_OPTION_NOTIFY_CONNECTION, connection_cb, &srv,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
        MHD_OPTION_END);
    if (!srv.d) {
        group_stop(srv.group);
        free(srv.data_dir);
        pthread_mutex_destroy(&srv.log_mu);
        return HF_EIO;
    }
    if (opts && opts->ready)
        opts->ready(opts->ready_arg);
    {
        /*
         * The audit log's heartbeat: every 10 s, sign a checkpoint if events
         * arrived and the latest is a minute old (AUDIT_CHECKPOINT_INTERVAL_S).
         */
        struct hf_store *ast = NULL;
        const char *iv = getenv("HOLDFAST_LIFECYCLE_INTERVAL_S");
        long every = iv && *iv ? strtol(iv, NULL, 10) : 300;   /* 0: no background passes */
        (void)hf_store_open(srv.data_dir, &ast);
        if (ast)
            hf_store_set_actor(ast, "server:lifecycle");
        for (unsigned tick = 0; !*stop; tick++) {
            if (ast && tick % 100 == 0)
                audit_after_commit(ast);
            /*
             * Lifecycle, then the reclaimer, every @every seconds: notices,
             * deliveries, reminders and expiry; then the bytes of what was
             * deleted (each asks the gate).  Failures stay in the log.
             */
            if (ast && every > 0 && tick > 0 && tick % (unsigned)(every * 10) == 0) {
                struct hf_lifecycle_stats ls;
                struct hf_reclaim_stats rs;
                if (hf_lifecycle_run(ast, &ls) != HF_OK || hf_reclaim(ast, 0, &rs) != HF_OK) {
                    pthread_mutex_lock(&srv.log_mu);
                    fprintf(srv.log, "holdfast: background lifecycle/reclaim: %s\n",
                            hf_store_errmsg(ast));
                    pthread_mutex_unlock(&srv.log_mu);
                }
            }
            usleep(100 * 1000);
        }
        hf_store_close(ast);
    }
    /* Graceful: stop accepting, let in-flight requests finish or abort. */
    MHD_quiesce_daemon(srv.d);
    for (int i = 0; i < 50; i++) { /* up to 5 s for requests in flight */
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!di || di->num_connections == 0)
            break;
        usleep(100 * 1000);
    }
    MHD_stop_daemon(srv.d);
    group_stop(srv.group);      /* after the last connection: nobody uses it now */
    pthread_mutex_destroy(&srv.log_mu);
    free(srv.data_dir);
    return HF_OK;
}
