/*
 * sigv4.h — AWS Signature Version 4 for the S3 server (subsystem interface).
 *
 * A pure library module: no HTTP library, no store.  The server fills a
 * struct sigv4_request from what libmicrohttpd hands it and drives the
 * checks in this order:
 *
 *   sigv4_split_query(raw query)            -> params for the request
 *   sigv4_parse(req, &auth)                 who claims to sign, and how
 *   sigv4_check_time(&auth, now)            RequestTimeTooSkewed / expired
 *   secret = lookup(auth.access_key)        the caller's business
 *   sigv4_verify(req, &auth, secret, key)   SignatureDoesNotMatch
 *   body:  aws-chunked (auth.payload is STREAMING-*)  -> sigv4_chunked_*
 *          otherwise                                  -> sigv4_digest_*
 *
 * Errors map to S3 error codes as follows (the server owns the mapping):
 *
 *   HF_ENOTFOUND       no signature at all: an anonymous request
 *   HF_EAUTHMALFORMED  AuthorizationHeaderMalformed (header) or
 *                      AuthorizationQueryParametersError (presigned)
 *   HF_EAUTHALGORITHM  unsupported algorithm (SigV2, SigV4A) -> InvalidArgument /
 *                      AuthorizationQueryParametersError
 *   HF_EAUTHHEADERS    x-amz-date/Date missing, host not signed, a signed header
 *                      absent, an x-amz-* header present but unsigned -> AccessDenied
 *   HF_ESIGNATURE      SignatureDoesNotMatch (also a bad chunk or trailer signature)
 *   HF_ESKEWED         RequestTimeTooSkewed
 *   HF_EEXPIRED        AccessDenied "Request has expired"
 *   HF_EBADDIGEST      BadDigest (Content-MD5, x-amz-checksum-*), or
 *                      XAmzContentSHA256Mismatch (see sigv4_digest.failed)
 *   HF_EMALFORMED      InvalidRequest / InvalidURI / InvalidDigest / IncompleteBody
 *                      (bad percent-encoding, bad x-amz-content-sha256 value,
 *                      bad aws-chunked framing, bad checksum header value)
 *   HF_ETRUNCATED      IncompleteBody: the body ended early
 *
 * Every failing call leaves a static, human-readable reason in the
 * struct's `why` field (suitable for an S3 <Message>): never NULL after a
 * failure.  sigv4_parse, sigv4_check_time, sigv4_verify, sigv4_digest_final
 * and sigv4_chunked_finish set it to NULL when they succeed.
 *
 * Nothing here allocates per chunk; sigv4_canonical_request allocates one
 * buffer per request (capped), the digest and chunked state own a few
 * OpenSSL contexts released by their *_release function.
 */
#ifndef HF_S3_SIGV4_H
#define HF_S3_SIGV4_H

#include "internal.h"

/* ---- caps: every buffer grown from client input is bounded by one ---- */

#define SIGV4_MAX_HEADERS 256          /* request headers looked at */
#define SIGV4_MAX_PARAMS 256           /* query parameters */
#define SIGV4_MAX_SIGNED 128           /* names in SignedHeaders */
#define SIGV4_SIGNED_MAX 4096          /* length of the SignedHeaders value */
#define SIGV4_AKID_MAX 128             /* access key id length */
#define SIGV4_REGION_MAX 63
#define SIGV4_SERVICE_MAX 32
#define SIGV4_SCOPE_MAX (8 + 1 + SIGV4_REGION_MAX + 1 + SIGV4_SERVICE_MAX + 1 + 12)
#define SIGV4_AUTHZ_MAX 8192           /* Authorization header value */
#define SIGV4_PATH_MAX 16384           /* raw path */
#define SIGV4_QUERY_MAX 16384          /* raw query string */
#define SIGV4_CANON_MAX (256u * 1024)  /* canonical request */
#define SIGV4_SECRET_MAX 256           /* secret access key */
#define SIGV4_SKEW_S (15 * 60)         /* allowed clock skew */
#define SIGV4_EXPIRES_MAX 604800       /* presigned URL lifetime: 7 days */
#define SIGV4_CHUNK_LINE_MAX 4096      /* one aws-chunked chunk header line */
#define SIGV4_TRAILER_MAX 16384        /* the whole trailer section */

#define SIGV4_KEY_LEN 32               /* signing key, signatures: SHA-256 */

/* ---- the request, as the server received it ---- */

/* One query parameter, raw (still percent-encoded), not NUL-terminated. */
struct sigv4_param {
    const char *name;
    size_t name_len;
    const char *value;                 /* "" when the parameter had no '=' */
    size_t value_len;
};

/*
 * One header as received: name in any case, value untrimmed.  A header
 * that arrives several times is several entries, in arrival order
 * (MHD_get_connection_values with MHD_HEADER_KIND gives exactly this).
 */
struct sigv4_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/*
 * The request.  All pointers are borrowed for the duration of each call
 * (the chunked decoder keeps none of them).
 *   method   "GET", "PUT", ... (NUL-terminated, as sent)
 *   path     the raw path of the request-target, percent-encoded as
 *            received, starting with '/', without the '?' and query
 *   params   the raw query split by sigv4_split_query (or by the caller)
 *   headers  every request header, including Authorization
 */
struct sigv4_request {
    const char *method;
    const char *path;
    size_t path_len;
    const struct sigv4_param *params;
    size_t nparams;
    const struct sigv4_header *headers;
    size_t nheaders;
};

/* What x-amz-content-sha256 says about the body. */
enum sigv4_payload {
    SIGV4_PAYLOAD_SHA256 = 0,            /* a hex SHA-256: signed single-chunk body */
    SIGV4_PAYLOAD_UNSIGNED,              /* UNSIGNED-PAYLOAD (default when presigned) */
    SIGV4_PAYLOAD_STREAMING,             /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD */
    SIGV4_PAYLOAD_STREAMING_TRAILER,     /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER */
    SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER, /* STREAMING-UNSIGNED-PAYLOAD-TRAILER */
};

/* The parsed signature claim.  Plain data: no release needed. */
struct sigv4_auth {
    bool presigned;                      /* from the query (X-Amz-*), not Authorization */
    char access_key[SIGV4_AKID_MAX + 1];
    char date[9];                        /* credential date YYYYMMDD */
    char region[SIGV4_REGION_MAX + 1];
    char service[SIGV4_SERVICE_MAX + 1];
    char scope[SIGV4_SCOPE_MAX + 1];     /* date/region/service/aws4_request */
    char amz_date[17];                   /* YYYYMMDDTHHMMSSZ, as in the string to sign */
    int64_t time;                        /* amz_date in seconds since the epoch */
    int64_t expires;                     /* presigned: X-Amz-Expires (1..604800); else 0 */
    char signed_headers[SIGV4_SIGNED_MAX + 1]; /* "host;x-amz-date", sorted, lowercase */
    size_t nsigned;
    uint8_t signature[SIGV4_KEY_LEN];    /* the claimed signature (the chunk seed) */
    enum sigv4_payload payload;
    char payload_hash[65];               /* the canonical request's last line */
    const char *why;                     /* static reason of the last failure */
};

/*
 * Percent-decode @in (@len bytes) into @out (room for @max bytes, plus a
 * NUL that is always written); '+' stays '+'.  -1 on a bad escape or when
 * the result does not fit.
 */
HF_HIDDEN int sigv4_pct_decode(const char *in, size_t len, char *out, size_t max,
                               size_t *outlen);

/*
 * Split a raw query string (after '?', without it; may be empty) at '&'
 * into @out (room for @max entries); *@n gets the count.  Empty segments
 * ("a&&b", a trailing '&') are skipped.  Nothing is decoded or copied:
 * entries point into @query.
 * Errors: HF_EMALFORMED (more than @max parameters, or @len over
 * SIGV4_QUERY_MAX).  *@n is 0 on failure.
 */
HF_HIDDEN enum hf_err sigv4_split_query(const char *query, size_t len,
                                        struct sigv4_param *out, size_t max, size_t *n);

/*
 * Parse the signature claim of @req into @auth: the Authorization header
 * (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...) or
 * the presigned query parameters (X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -SignedHeaders, -Signature; X-Amz-Security-Token is allowed and
 * otherwise ignored).  Also reads x-amz-date (or Date, IMF-fixdate) and
 * x-amz-content-sha256, and checks that the credential date is the day of
 * X-Amz-Date and that host is signed.  Does not look at the secret, the
 * clock, the path or the body.
 * Errors: HF_ENOTFOUND (no Authorization header and no X-Amz-* signature
 * parameters: anonymous), HF_EAUTHMALFORMED, HF_EAUTHALGORITHM,
 * HF_EAUTHHEADERS, HF_EMALFORMED (x-amz-content-sha256 value).  On
 * failure @auth is zeroed except auth->why.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_parse(const struct sigv4_request *req,
                                                struct sigv4_auth *auth);

/*
 * Check the request time of @auth against @now (seconds since the epoch):
 * header-signed requests must be within SIGV4_SKEW_S of @now; presigned
 * ones may not start more than SIGV4_SKEW_S in the future and expire after
 * auth->time + auth->expires.
 * Errors: HF_ESKEWED, HF_EEXPIRED (reason in auth->why).
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_check_time(struct sigv4_auth *auth, int64_t now);

/*
 * The canonical URI of raw path @path: each %XX is decoded and every byte
 * re-encoded once with the SigV4 rules (A-Za-z0-9-._~ kept, the rest %XX in
 * upper case); a literal '/' stays, an encoded one stays %2F.  S3 neither
 * normalises the path nor encodes it twice.  *@out is NUL-terminated;
 * free it with free().
 * Errors: HF_EMALFORMED (a bad %-escape, not starting with '/', over
 * SIGV4_PATH_MAX), HF_ENOMEM.  *@out is NULL on failure.
 */
HF_HIDDEN enum hf_err sigv4_canonical_uri(const char *path, size_t len, char **out,
                                          size_t *outlen);

/*
 * The canonical request of @req under @auth, exactly as the client had to
 * build it; *@out is NUL-terminated, free it with free().  Useful for the
 * SignatureDoesNotMatch error body.
 * Errors: HF_EMALFORMED (bad %-escape in the path or query, too many
 * headers or parameters, over SIGV4_CANON_MAX), HF_EAUTHHEADERS (a signed
 * header is not in the request), HF_ENOMEM.  *@out is NULL on failure.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_canonical_request(const struct sigv4_request *req,
                                                            struct sigv4_auth *auth,
                                                            char **out, size_t *outlen);

/*
 * The string to sign for canonical request @canon into @out, which must
 * have room for SIGV4_STS_MAX bytes (NUL-terminated).
 * Errors: HF_ECRYPTO.
 */
#define SIGV4_STS_MAX (17 + 17 + SIGV4_SCOPE_MAX + 1 + 64 + 1)
HF_HIDDEN enum hf_err sigv4_string_to_sign(const struct sigv4_auth *auth, const char *canon,
                                           size_t canon_len, char *out);

/*
 * The signing key for @secret (@secret_len bytes) and the credential
 * scope of @auth: HMAC chain "AWS4"+secret, date, region, service,
 * "aws4_request".  Errors: HF_EINVAL (secret over SIGV4_SECRET_MAX),
 * HF_ECRYPTO.  @key is wiped on failure.
 */
HF_HIDDEN enum hf_err sigv4_signing_key(const struct sigv4_auth *auth, const char *secret,
                                        size_t secret_len, uint8_t key[SIGV4_KEY_LEN]);

/*
 * Verify @req against @auth with the secret the caller found for
 * auth->access_key.  Checks that every x-amz-* header present is signed
 * (x-amz-content-sha256 is bound by the payload line and exempt), builds
 * the canonical request and compares signatures in constant time.  On
 * success, when @key_out is not NULL, it receives the signing key (the
 * aws-chunked decoder needs it; wipe it when done).
 * Errors: HF_ESIGNATURE, HF_EAUTHHEADERS, HF_EMALFORMED, HF_EINVAL,
 * HF_ENOMEM, HF_ECRYPTO.  @key_out is wiped on failure.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_verify(const struct sigv4_request *req,
                                                 struct sigv4_auth *auth, const char *secret,
                                                 size_t secret_len,
                                                 uint8_t key_out[SIGV4_KEY_LEN]);

/* ---- payload checksums ---- */

enum sigv4_algo {
    SIGV4_ALGO_NONE = 0,
    SIGV4_ALGO_CRC32,                  /* zlib crc32, 4 bytes big-endian */
    SIGV4_ALGO_CRC32C,                 /* Castagnoli (ISA-L crc32_iscsi), 4 bytes BE */
    SIGV4_ALGO_SHA1,
    SIGV4_ALGO_SHA256,
    SIGV4_ALGO_MD5,                    /* Content-MD5 only */
    SIGV4_ALGO_CRC64NVME,              /* CRC-64/NVME (crc64nvme.h), 8 bytes BE */
};

/* Bytes of the largest checksum (SHA-256). */
#define SIGV4_SUM_MAX 32

/* A running checksum of one algorithm (internal to the digest and decoder). */
struct sigv4_sum {
    enum sigv4_algo algo;
    uint32_t crc;
    uint64_t crc64;
    void *md;                          /* EVP_MD_CTX * for the digests */
};

/*
 * The algorithm named by a header or trailer name such as
 * "x-amz-checksum-crc32c" (any case; @len bytes), or SIGV4_ALGO_NONE.
 */
HF_HIDDEN enum sigv4_algo sigv4_checksum_algo(const char *name, size_t len);

/*
 * The algorithm named as S3 names it in x-amz-checksum-algorithm and
 * x-amz-sdk-checksum-algorithm ("CRC32", "CRC32C", "SHA1", "SHA256",
 * "CRC64NVME"; any case; NUL-terminated), or SIGV4_ALGO_NONE.
 */
HF_HIDDEN enum sigv4_algo sigv4_algo_from_name(const char *name);

/* S3's upper-case name of @algo ("CRC32", ...; "" for NONE and MD5).  Static. */
HF_HIDDEN const char *sigv4_algo_name(enum sigv4_algo algo);

/* The header of @algo: "x-amz-checksum-crc32", ... (NULL for NONE and MD5).  Static. */
HF_HIDDEN const char *sigv4_algo_header(enum sigv4_algo algo);

/* Bytes of a checksum of @algo (0 for NONE). */
HF_HIDDEN size_t sigv4_algo_len(enum sigv4_algo algo);

/*
 * The checksum of @algo over @len bytes at @data into @out (room for
 * SIGV4_SUM_MAX bytes); *@outlen its length.  Used for S3's composite
 * multipart checksums (the checksum of the parts' checksums).
 * Errors: HF_EINVAL (NONE), HF_ENOMEM, HF_ECRYPTO.
 */
HF_HIDDEN enum hf_err sigv4_checksum(enum sigv4_algo algo, const void *data, size_t len,
                                     uint8_t out[SIGV4_SUM_MAX], size_t *outlen);

/*
 * The body checks for a request whose body is not aws-chunked (or for the
 * decoded bytes of one): Content-MD5, at most one x-amz-checksum-{crc32,
 * crc32c,crc64nvme,sha1,sha256} header or query parameter (a presigned URL's), and,
 * when x-amz-content-sha256 is a hex hash, that hash.  Run every body byte through sigv4_digest_update, then
 * sigv4_digest_final decides.
 */
enum sigv4_check {
    SIGV4_CHECK_NONE = 0,
    SIGV4_CHECK_CONTENT_MD5,
    SIGV4_CHECK_CHECKSUM,              /* the x-amz-checksum-* header */
    SIGV4_CHECK_CONTENT_SHA256,        /* x-amz-content-sha256 -> XAmzContentSHA256Mismatch */
};

struct sigv4_digest {
    struct sigv4_sum md5, sum, sha256;
    uint8_t want_md5[16];
    uint8_t want_sum[32];
    size_t want_sum_len;               /* 0: sum is computed (sigv4_digest_require), not checked */
    uint8_t want_sha256[32];
    uint8_t got_sum[32];               /* after sigv4_digest_final: sum's value */
    size_t got_sum_len;
    enum sigv4_check failed;           /* which check failed, after HF_EBADDIGEST */
    const char *why;
};

/* sigv4_digest_init_ex flags */
#define SIGV4_DIGEST_NO_CHECKSUM 1u    /* x-amz-checksum-* headers are not about this body */

/*
 * Set up @d from the headers of @req.  @d must be released with
 * sigv4_digest_release whatever this returns.
 * Errors: HF_EMALFORMED (Content-MD5 not base64 of 16 bytes, a checksum
 * header or parameter not base64 of the right length, two x-amz-checksum-*
 * headers or parameters), HF_ENOMEM, HF_ECRYPTO.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_digest_init(struct sigv4_digest *d,
                                                      const struct sigv4_request *req);
/*
 * sigv4_digest_init with @flags: SIGV4_DIGEST_NO_CHECKSUM leaves the
 * x-amz-checksum-* headers and parameters alone (CompleteMultipartUpload's
 * name the object's checksum, not the XML body's).  Errors: as there.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_digest_init_ex(struct sigv4_digest *d,
                                                         const struct sigv4_request *req,
                                                         unsigned flags);
/*
 * Make sure checksum @algo is computed over the body (its value in
 * got_sum after sigv4_digest_final): a no-op when the request's own
 * x-amz-checksum-* is of @algo; else one is started that is computed, not
 * checked.  Errors: HF_EMALFORMED (the request names another algorithm:
 * reason in d->why), HF_ENOMEM, HF_ECRYPTO.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_digest_require(struct sigv4_digest *d,
                                                         enum sigv4_algo algo);
/* Feed body bytes.  Errors: HF_ECRYPTO. */
HF_HIDDEN enum hf_err sigv4_digest_update(struct sigv4_digest *d, const void *data, size_t len);
/*
 * Compare.  HF_OK when every check passed (or there was none);
 * HF_EBADDIGEST with d->failed naming the check otherwise.
 * Errors: HF_EBADDIGEST, HF_ECRYPTO.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_digest_final(struct sigv4_digest *d);
/* Free the OpenSSL contexts; safe on a zeroed or released digest. */
HF_HIDDEN void sigv4_digest_release(struct sigv4_digest *d);

/* ---- aws-chunked bodies ---- */

/*
 * An incremental aws-chunked decoder.  Caller-allocated (about 8.5 KiB:
 * heap, not stack), fed arbitrary fragments of the body, down to one byte
 * at a time.  Wire format:
 *
 *   signed:    hex-size;chunk-signature=<64 hex>\r\n <data> \r\n ... 0;chunk-signature=<sig>\r\n
 *   unsigned:  hex-size\r\n <data> \r\n ... 0\r\n
 *   then trailer lines "name:value\r\n" (trailer modes: the declared
 *   x-amz-checksum-*, and for the signed form x-amz-trailer-signature:<hex>)
 *   and an empty line "\r\n".
 *
 * Chunk n's signature is HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" amz_date
 * "\n" scope "\n" sig(n-1) "\n" hex(sha256("")) "\n" hex(sha256(data n)));
 * sig(0) is the seed (the request's signature).  The trailer signature is
 * HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" amz_date "\n" scope "\n" sig(final
 * chunk) "\n" hex(sha256("name:value\n"))) over the one checksum trailer
 * (lower-case name, trimmed value); with no trailer, over "".  Only the
 * checksum that x-amz-trailer declared may appear as a trailer.
 *
 * Decoded bytes go to @emit as each chunk streams, BEFORE that chunk's
 * signature (which covers the whole chunk) can be checked: they are
 * unauthenticated until sigv4_chunked_finish returns HF_OK, and the
 * caller must not make them visible before (the store's writer commits
 * only at the end, which is exactly that).
 */
typedef enum hf_err (*sigv4_emit_fn)(void *arg, const uint8_t *data, size_t len);

struct sigv4_chunked {
    int state;
    bool signed_chunks;                /* chunk-signature= on every chunk */
    bool signed_trailer;               /* x-amz-trailer-signature required */
    bool trailers_allowed;
    bool have_sum, have_sig;
    enum hf_err failed;                /* sticky: a failed decoder stays failed */
    const char *why;
    uint8_t key[SIGV4_KEY_LEN];
    uint8_t prev[SIGV4_KEY_LEN];       /* the previous signature in the chain */
    uint8_t claimed[SIGV4_KEY_LEN];    /* this chunk's claimed signature */
    char amz_date[17];
    char scope[SIGV4_SCOPE_MAX + 1];
    uint64_t remaining;                /* data bytes left in this chunk */
    uint64_t total;                    /* decoded bytes so far */
    int64_t expect_total;              /* x-amz-decoded-content-length, or -1 */
    void *chunk_md;                    /* EVP_MD_CTX *: SHA-256 of this chunk */
    void *mac;                         /* EVP_MAC_CTX *: HMAC-SHA256 */
    struct sigv4_sum sum;              /* the declared trailer checksum (sum.algo: which) */
    char trailer_name[32];             /* declared, lower case ("" when none) */
    uint8_t want_sum[32];              /* the trailer's checksum value (checked once done) */
    size_t want_sum_len;
    uint8_t trailer_sig[SIGV4_KEY_LEN];
    size_t trailer_len;                /* bytes of the trailer section so far */
    size_t canon_len;
    char canon[SIGV4_CHUNK_LINE_MAX];  /* "name:value\n" of the checksum trailer */
    size_t line_len;
    char line[SIGV4_CHUNK_LINE_MAX];   /* the line being accumulated, CRLF included */
};

/*
 * Start decoding a body of kind @auth->payload (one of the STREAMING-*
 * kinds).  For the signed kinds, @key is the signing key from sigv4_verify
 * and the chain starts at auth->signature; for
 * SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER @key may be NULL.  @trailer is
 * the x-amz-trailer header value (NULL when absent): the checksum it names
 * is computed over the decoded bytes and must arrive, and match, in the
 * trailer.  @decoded_len is x-amz-decoded-content-length, or -1 when absent.
 * @c must be released with sigv4_chunked_release whatever this returns.
 * Errors: HF_EINVAL (not a streaming payload; no key for a signed one),
 * HF_EMALFORMED (x-amz-trailer names something else than one of the
 * x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256}), HF_ENOMEM.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_chunked_init(struct sigv4_chunked *c,
                                                       const struct sigv4_auth *auth,
                                                       const uint8_t *key,
                                                       const char *trailer,
                                                       int64_t decoded_len);

/*
 * Feed @len bytes of the body.  Decoded payload bytes are passed to
 * @emit(@arg, ...) (borrowed pointers, valid during the call); a non-HF_OK
 * return from @emit stops decoding and is returned.  After any error the
 * decoder stays failed and every later call returns the same error.
 * Errors: HF_ESIGNATURE (chunk or trailer signature), HF_EBADDIGEST
 * (trailer checksum), HF_EMALFORMED (framing, a chunk header line over
 * SIGV4_CHUNK_LINE_MAX, a trailer section over SIGV4_TRAILER_MAX, bytes
 * after the end, more decoded bytes than @decoded_len), HF_ETRUNCATED
 * (fewer decoded bytes than @decoded_len at the final chunk), HF_ECRYPTO,
 * or @emit's error.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_chunked_feed(struct sigv4_chunked *c,
                                                       const void *data, size_t len,
                                                       sigv4_emit_fn emit, void *arg);

/*
 * Call when the body has ended.  HF_OK only when the final chunk, the
 * trailers and every check were seen and passed.
 * Errors: HF_ETRUNCATED (the body ended early), or the sticky error.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err sigv4_chunked_finish(struct sigv4_chunked *c);

/* True once the whole body (final chunk and trailers) has been decoded. */
HF_HIDDEN bool sigv4_chunked_done(const struct sigv4_chunked *c);

/* Wipe the key and free the contexts; safe on a zeroed or released decoder. */
HF_HIDDEN void sigv4_chunked_release(struct sigv4_chunked *c);

#endif
