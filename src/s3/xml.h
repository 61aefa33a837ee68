/*
 * xml.h — the S3 XML layer (library-internal, subsystem interface of s3/).
 *
 * Two halves:
 *
 *   WRITER   a growable output buffer with a hard cap, an escaper, S3's
 *            encoding-type=url encoder, and builders for the exact
 *            response documents of the S3 REST API (field names and order
 *            from the AWS S3 API reference examples).  Written by hand: no
 *            DOM, one pass, no allocation per element once the buffer has
 *            grown.  Listings are streamed: begin, one call per entry, end.
 *
 *   PARSERS  request bodies (CreateBucketConfiguration, VersioningConfiguration,
 *            Delete, CompleteMultipartUpload, ObjectLockConfiguration,
 *            Retention, LegalHold, Tagging, AccessControlPolicy) read with libxml2 into plain C
 *            structs.  The S3 namespace is optional: elements are matched by
 *            local name, whatever their namespace.
 *
 * Writer conventions
 *   - Every writer function takes a struct s3xml_buf and returns nothing:
 *     the first failure (out of memory, or the buffer's cap reached) is
 *     kept in the buffer and every later write is a no-op.  Check once at
 *     the end with s3xml_buf_err() or s3xml_buf_finish().
 *   - Element names passed as `name` are trusted string literals of the
 *     caller (never client input); they are written as they are.
 *   - Text (keys, prefixes, messages, tokens, ids) is escaped: & < > " '
 *     become entity references; U+0000..U+001F and U+FFFE/U+FFFF become
 *     decimal character references (&#13;) as S3 writes them — tab, LF
 *     and CR so that they survive a parser's line-end normalisation, the
 *     others because XML 1.0 has no other way to carry them (a strict
 *     XML 1.0 parser rejects those references: that is what S3's
 *     encoding-type=url is for, see s3xml_url_encode); bytes that are not
 *     well-formed UTF-8 are written as U+FFFD.  Object keys are checked
 *     UTF-8 (hf_key_check), so for keys the last rule never fires.
 *   - Times are ns since the epoch, written as ISO 8601 UTC with
 *     milliseconds: 2006-02-03T16:45:09.000Z.
 *   - ETags are passed without quotes and written quoted (&quot;...&quot;),
 *     as S3 does; an ETag that already starts and ends with '"' is written
 *     as it is (escaped).
 *   - Optional fields: a NULL pointer leaves the element out.
 *
 * Parser conventions
 *   - Every parser takes the body (@body, @len), the caller's cap on its
 *     size (@cap: 0 means S3XML_BODY_MAX, and no cap goes above
 *     S3XML_COMPLETE_BODY_MAX), an output struct and an optional struct
 *     s3xml_err (NULL: no message) for the S3 error to answer with.
 *   - Bodies are UTF-8, as S3 requires: an encoding declaration is
 *     ignored, and a UTF-16 body (or any byte that is not UTF-8) is
 *     MalformedXML.
 *   - No DTD: a DOCTYPE anywhere is MalformedXML, so no entity can be
 *     declared (no billion laughs, no external entities); no network; no
 *     entity substitution; libxml2's default depth limit (256) applies, and
 *     each parser caps the number of elements it accepts.
 *   - On success the output owns copies of every string (NUL-terminated
 *     UTF-8): free them with the matching *_release function.  On failure
 *     the output is zeroed and owns nothing (release is still safe).
 *   - Errors (enum hf_err), and the S3 code left in err->code:
 *       HF_ENOMEM       out of memory                   "InternalError"
 *       HF_EMALFORMED   not well-formed, DOCTYPE, wrong root, a required
 *                       element missing or repeated, a bad enumeration
 *                       value, too many entries         "MalformedXML"
 *                       body over @cap                  "MaxMessageLengthExceeded"
 *       HF_EBADARG      a value out of range: a part number that is
 *                       not an integer in 1..10000, a retention period
 *                       out of range                    "InvalidArgument"
 *                       parts not in ascending order    "InvalidPartOrder"
 *                       a bad tag                       "InvalidTag"
 *       HF_EBADKEY      an object key over HF_KEY_MAX   "KeyTooLongError"
 *     err->msg holds a one-line message for the <Message> element.
 *   - Thread-safe: parsers share no state (libxml2 is initialised once).
 */
#ifndef HF_S3_XML_H
#define HF_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define S3XML_NS "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* Default and largest cap of a response buffer. */
#define S3XML_OUT_MAX (64u * 1024 * 1024)

/* The usual cap on a request body, and the one for CompleteMultipartUpload
 * (10000 parts with checksums and indentation need more than 1 MiB). */
#define S3XML_BODY_MAX (1u * 1024 * 1024)
#define S3XML_COMPLETE_BODY_MAX (8u * 1024 * 1024)

#define S3XML_DELETE_MAX 1000        /* Object entries in a Delete */
#define S3XML_PARTS_MAX 10000        /* Part entries; part numbers are 1..this */
#define S3XML_TAGS_MAX 50            /* Tag entries (bucket tagging; objects allow 10) */
#define S3XML_TAG_KEY_MAX 128        /* characters (Unicode code points) */
#define S3XML_TAG_VALUE_MAX 256      /* characters */
#define S3XML_MSG_MAX 256

/* ================================================================== */
/* Writer                                                              */
/* ================================================================== */

/*
 * A growable output buffer.  @data is NUL-terminated whenever it is not
 * NULL.  Fields are readable; change them only through the functions.
 */
struct s3xml_buf {
    char *data;
    size_t len;
    size_t cap;          /* bytes allocated */
    size_t max;          /* hard cap on @len */
    enum hf_err err;     /* first failure; sticky */
};

/*
 * Initialise @b, empty, with a cap of @max bytes (0 or more than
 * S3XML_OUT_MAX means S3XML_OUT_MAX).  Allocates nothing.
 */
HF_HIDDEN void s3xml_buf_init(struct s3xml_buf *b, size_t max);

/* Free @b's memory and initialise it again (same cap).  NULL-safe. */
HF_HIDDEN void s3xml_buf_release(struct s3xml_buf *b);

/* Empty @b and clear its error, keeping its memory for reuse. */
HF_HIDDEN void s3xml_buf_reset(struct s3xml_buf *b);

/*
 * The first failure of any write since init or reset: HF_OK, or HF_ENOMEM
 * (allocation failed, or the document would have exceeded the cap — the
 * buffer then holds a truncated document that must not be sent).
 */
HF_HIDDEN enum hf_err s3xml_buf_err(const struct s3xml_buf *b);

/*
 * Hand the document over: on HF_OK *@out is the NUL-terminated document
 * (free with free()) and *@len its length, and @b is empty again (its
 * memory moved to the caller).  On error (s3xml_buf_err's) *@out is NULL,
 * *@len 0, and @b is released.
 */
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_buf_finish(struct s3xml_buf *b, char **out,
                                                     size_t *len);

/* ---- low-level writing ---- */

/* Append @n bytes verbatim (trusted markup; never client input). */
HF_HIDDEN void s3xml_raw(struct s3xml_buf *b, const char *s, size_t n);
/* The declaration S3XML_DECL, newline included. */
HF_HIDDEN void s3xml_decl(struct s3xml_buf *b);
/* <name> */
HF_HIDDEN void s3xml_open(struct s3xml_buf *b, const char *name);
/* <name xmlns="http://s3.amazonaws.com/doc/2006-03-01/"> */
HF_HIDDEN void s3xml_open_ns(struct s3xml_buf *b, const char *name);
/* </name> */
HF_HIDDEN void s3xml_close(struct s3xml_buf *b, const char *name);
/* @n bytes of text, escaped (see "Writer conventions"). */
HF_HIDDEN void s3xml_text(struct s3xml_buf *b, const char *s, size_t n);
/* @n bytes of text, S3-url-encoded (s3xml_url_encode); needs no escaping. */
HF_HIDDEN void s3xml_text_url(struct s3xml_buf *b, const char *s, size_t n);
/* <name>text</name>, the text escaped; when @url, url-encoded instead. */
HF_HIDDEN void s3xml_elem(struct s3xml_buf *b, const char *name, const char *s, size_t n,
                          bool url);
/* <name>text</name> for a NUL-terminated string; nothing when @s is NULL. */
HF_HIDDEN void s3xml_elem_str(struct s3xml_buf *b, const char *name, const char *s);
/* <name>decimal</name> */
HF_HIDDEN void s3xml_elem_u64(struct s3xml_buf *b, const char *name, uint64_t v);
/* <name>true</name> or <name>false</name> */
HF_HIDDEN void s3xml_elem_bool(struct s3xml_buf *b, const char *name, bool v);
/* <name>2006-02-03T16:45:09.000Z</name> for @ns since the epoch. */
HF_HIDDEN void s3xml_elem_time(struct s3xml_buf *b, const char *name, int64_t ns);
/* <name>&quot;etag&quot;</name>; nothing when @etag is NULL. */
HF_HIDDEN void s3xml_elem_etag(struct s3xml_buf *b, const char *name, const char *etag);

/*
 * Format @ns since the epoch as ISO 8601 UTC with milliseconds into @out
 * (S3XML_TIME_MAX bytes, NUL-terminated); returns the length (24 for
 * years 0..9999).  Times are floored to the millisecond.
 */
#define S3XML_TIME_MAX 40
HF_HIDDEN size_t s3xml_format_time(int64_t ns, char out[S3XML_TIME_MAX]);

/*
 * S3's encoding-type=url encoding of @n bytes into @out, which must hold
 * 3 * @n + 1 bytes; NUL-terminates and returns the length.  Keeps
 * A-Z a-z 0-9 - . _ ~ and '/', writes every other byte as %XX (upper-case
 * hex): space is %20 and '+' is %2B, so both percent-decoding and
 * form-decoding clients (botocore's unquote_plus) get the key back.
 */
HF_HIDDEN size_t s3xml_url_encode(const char *s, size_t n, char *out);

/* ---- documents ---- */

/* An Owner or Initiator: <ID>, then <DisplayName> when not NULL. */
struct s3xml_owner {
    const char *id;
    const char *display_name;
};

/* A name/value pair for extra <Error> fields (name: a trusted literal). */
struct s3xml_field {
    const char *name;
    const char *value;
};

/*
 * <Error> (no namespace, as S3 writes it):
 *   Code, Message, then the extra fields that are set — BucketName, Key,
 *   VersionId, ArgumentName, ArgumentValue, @extra[] in order — then
 *   Resource, RequestId, HostId.
 */
struct s3xml_error_doc {
    const char *code;           /* required, e.g. "NoSuchKey" */
    const char *message;        /* required */
    const char *bucket_name;
    const char *key;            /* @key_len bytes (may be client input) */
    size_t key_len;
    const char *version_id;
    const char *argument_name;
    const char *argument_value;
    const struct s3xml_field *extra;
    size_t nextra;
    const char *resource;
    const char *request_id;
    const char *host_id;
};
/* A whole Error document, declaration included. */
HF_HIDDEN void s3xml_error(struct s3xml_buf *b, const struct s3xml_error_doc *e);

/*
 * ListAllMyBucketsResult, streamed:
 *   s3xml_buckets_begin   declaration, root, <Buckets>
 *   s3xml_buckets_entry   <Bucket><CreationDate/><Name/></Bucket>
 *   s3xml_buckets_end     </Buckets>, <Owner>, ContinuationToken and
 *                         Prefix when not NULL, end of root
 */
HF_HIDDEN void s3xml_buckets_begin(struct s3xml_buf *b);
HF_HIDDEN void s3xml_buckets_entry(struct s3xml_buf *b, const char *name, int64_t created_ns);
HF_HIDDEN void s3xml_buckets_end(struct s3xml_buf *b, const struct s3xml_owner *owner,
                                 const char *continuation_token, const char *prefix);

/*
 * ListBucketResult for ListObjectsV2 (@v2) and ListObjects (V1), streamed.
 * The caller knows the head before the first entry: read max_keys + 1
 * entries first to learn is_truncated and key_count.
 *
 * Head order, V2: Name, Prefix, StartAfter, ContinuationToken,
 *   NextContinuationToken, KeyCount, MaxKeys, Delimiter, EncodingType,
 *   IsTruncated.  V1: Name, Prefix, Marker, NextMarker, MaxKeys, Delimiter,
 *   EncodingType, IsTruncated.  Then every Contents, then every
 *   CommonPrefixes (the caller writes them in that order).
 * With @url_encode, EncodingType is "url" and Prefix, Delimiter,
 *   StartAfter, Marker, NextMarker, Key and CommonPrefixes/Prefix are
 *   url-encoded.
 */
struct s3xml_list_head {
    bool v2;
    bool url_encode;
    bool is_truncated;
    const char *bucket;                 /* required */
    const char *prefix;                 /* NULL written as empty */
    const char *delimiter;              /* NULL or "": left out */
    unsigned max_keys;
    /* V2 */
    unsigned key_count;                 /* Contents + CommonPrefixes written */
    const char *start_after;
    const char *continuation_token;
    const char *next_continuation_token;
    /* V1 */
    const char *marker;                 /* NULL written as empty */
    const char *next_marker;
};

/* One object: Key, LastModified, ETag, Size, StorageClass, Owner. */
struct s3xml_object {
    const char *key;
    size_t key_len;
    int64_t mtime_ns;
    const char *etag;                   /* unquoted */
    uint64_t size;
    const char *storage_class;          /* NULL means "STANDARD" */
    const struct s3xml_owner *owner;    /* NULL: left out */
};

HF_HIDDEN void s3xml_list_begin(struct s3xml_buf *b, const struct s3xml_list_head *h);
HF_HIDDEN void s3xml_list_object(struct s3xml_buf *b, const struct s3xml_list_head *h,
                                 const struct s3xml_object *o);
/* <CommonPrefixes><Prefix>@p</Prefix></CommonPrefixes> */
HF_HIDDEN void s3xml_list_prefix(struct s3xml_buf *b, const struct s3xml_list_head *h,
                                 const char *p, size_t n);
HF_HIDDEN void s3xml_list_end(struct s3xml_buf *b);

/*
 * ListVersionsResult, streamed.  Head order: Name, Prefix, KeyMarker,
 * VersionIdMarker, NextKeyMarker, NextVersionIdMarker, MaxKeys, Delimiter,
 * EncodingType, IsTruncated; then Version and DeleteMarker entries (in the
 * caller's order: by key, newest first), then CommonPrefixes.  With
 * @url_encode: Prefix, KeyMarker, NextKeyMarker, Delimiter, Key and
 * CommonPrefixes/Prefix are url-encoded.
 */
struct s3xml_versions_head {
    bool url_encode;
    bool is_truncated;
    const char *bucket;                 /* required */
    const char *prefix;                 /* NULL written as empty */
    const char *delimiter;              /* NULL or "": left out */
    const char *key_marker;             /* NULL written as empty */
    const char *version_id_marker;      /* NULL written as empty */
    const char *next_key_marker;        /* NULL: left out */
    const char *next_version_id_marker; /* NULL: left out */
    unsigned max_keys;
};

/*
 * One version.  A <Version> is Key, VersionId, IsLatest, LastModified,
 * ETag, Size, StorageClass, Owner; a <DeleteMarker> (@delete_marker) is
 * Key, VersionId, IsLatest, LastModified, Owner.
 */
struct s3xml_version {
    const char *key;
    size_t key_len;
    const char *version_id;             /* "null" for the null version */
    bool is_latest;
    bool delete_marker;
    int64_t mtime_ns;
    const char *etag;                   /* unquoted */
    uint64_t size;
    const char *storage_class;          /* NULL means "STANDARD" */
    const struct s3xml_owner *owner;    /* NULL: left out */
};

HF_HIDDEN void s3xml_versions_begin(struct s3xml_buf *b, const struct s3xml_versions_head *h);
HF_HIDDEN void s3xml_versions_entry(struct s3xml_buf *b, const struct s3xml_versions_head *h,
                                    const struct s3xml_version *v);
HF_HIDDEN void s3xml_versions_prefix(struct s3xml_buf *b, const struct s3xml_versions_head *h,
                                     const char *p, size_t n);
HF_HIDDEN void s3xml_versions_end(struct s3xml_buf *b);

/*
 * <LocationConstraint xmlns="...">@region</LocationConstraint>; NULL or ""
 * (us-east-1, as S3 answers it) gives the empty element.
 */
HF_HIDDEN void s3xml_location(struct s3xml_buf *b, const char *region);

/* Versioning state of a bucket; UNSET: never configured. */
enum s3xml_versioning {
    S3XML_VERSIONING_UNSET = 0,
    S3XML_VERSIONING_ENABLED,
    S3XML_VERSIONING_SUSPENDED,
};
enum s3xml_mfa_delete {
    S3XML_MFA_DELETE_UNSET = 0,
    S3XML_MFA_DELETE_ENABLED,
    S3XML_MFA_DELETE_DISABLED,
};

/*
 * VersioningConfiguration: Status and MfaDelete, each left out when UNSET
 * (a bucket whose versioning was never set gives the empty element).
 */
HF_HIDDEN void s3xml_versioning(struct s3xml_buf *b, enum s3xml_versioning status,
                                enum s3xml_mfa_delete mfa_delete);

/*
 * DeleteResult, streamed: begin; a <Deleted> (Key, VersionId,
 * DeleteMarker, DeleteMarkerVersionId — the last three left out when
 * NULL / false) or an <Error> (Key, VersionId, Code, Message) per object;
 * end.  In quiet mode the caller writes only the errors.
 */
HF_HIDDEN void s3xml_delete_begin(struct s3xml_buf *b);
HF_HIDDEN void s3xml_delete_deleted(struct s3xml_buf *b, const char *key, size_t key_len,
                                    const char *version_id, bool delete_marker,
                                    const char *delete_marker_version_id);
HF_HIDDEN void s3xml_delete_error(struct s3xml_buf *b, const char *key, size_t key_len,
                                  const char *version_id, const char *code,
                                  const char *message);
HF_HIDDEN void s3xml_delete_end(struct s3xml_buf *b);

/*
 * An S3 checksum in a response: the element Checksum<algo> (algo is one of
 * S3's names, trusted: "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")
 * holding @value, then ChecksumType when @type is not NULL.  A NULL
 * pointer to this, or a NULL algo, writes nothing.
 */
struct s3xml_checksum {
    const char *algo;
    const char *value;
    const char *type;                   /* "COMPOSITE", "FULL_OBJECT" or NULL */
};

/* InitiateMultipartUploadResult: Bucket, Key, UploadId. */
HF_HIDDEN void s3xml_initiate_multipart(struct s3xml_buf *b, const char *bucket,
                                        const char *key, size_t key_len,
                                        const char *upload_id);
/* CompleteMultipartUploadResult: Location, Bucket, Key, ETag, the checksum (@sum, may be NULL). */
HF_HIDDEN void s3xml_complete_multipart(struct s3xml_buf *b, const char *location,
                                        const char *bucket, const char *key,
                                        size_t key_len, const char *etag,
                                        const struct s3xml_checksum *sum);
/* CopyObjectResult: LastModified, ETag. */
HF_HIDDEN void s3xml_copy_object(struct s3xml_buf *b, int64_t mtime_ns, const char *etag);
/* CopyPartResult: LastModified, ETag. */
HF_HIDDEN void s3xml_copy_part(struct s3xml_buf *b, int64_t mtime_ns, const char *etag);

/*
 * ListPartsResult, streamed.  Head: Bucket, Key, UploadId, Initiator,
 * Owner, StorageClass, PartNumberMarker, NextPartNumberMarker, MaxParts,
 * IsTruncated, ChecksumAlgorithm and ChecksumType (when given); each Part:
 * PartNumber, LastModified, ETag, Size, its checksum (when given).
 */
struct s3xml_parts_head {
    const char *bucket;
    const char *key;
    size_t key_len;
    const char *upload_id;
    const struct s3xml_owner *initiator; /* NULL: left out */
    const struct s3xml_owner *owner;     /* NULL: left out */
    const char *storage_class;           /* NULL means "STANDARD" */
    unsigned part_number_marker;
    unsigned next_part_number_marker;
    unsigned max_parts;
    bool is_truncated;
    const char *checksum_algorithm;      /* NULL: left out */
    const char *checksum_type;           /* NULL: left out */
};
HF_HIDDEN void s3xml_parts_begin(struct s3xml_buf *b, const struct s3xml_parts_head *h);
HF_HIDDEN void s3xml_parts_entry(struct s3xml_buf *b, unsigned part_number, int64_t mtime_ns,
                                 const char *etag, uint64_t size,
                                 const struct s3xml_checksum *sum);
HF_HIDDEN void s3xml_parts_end(struct s3xml_buf *b);

/*
 * ListMultipartUploadsResult, streamed.  Head: Bucket, KeyMarker,
 * UploadIdMarker, NextKeyMarker, NextUploadIdMarker, Delimiter, Prefix,
 * MaxUploads, EncodingType, IsTruncated; each Upload: Key, UploadId,
 * Initiator, Owner, StorageClass, Initiated; then CommonPrefixes.  With
 * @url_encode: KeyMarker, NextKeyMarker, Delimiter, Prefix, Key and
 * CommonPrefixes/Prefix are url-encoded.
 */
struct s3xml_uploads_head {
    bool url_encode;
    bool is_truncated;
    const char *bucket;
    const char *key_marker;              /* NULL written as empty */
    const char *upload_id_marker;        /* NULL written as empty */
    const char *next_key_marker;         /* NULL: left out */
    const char *next_upload_id_marker;   /* NULL: left out */
    const char *delimiter;               /* NULL or "": left out */
    const char *prefix;                  /* NULL: left out */
    unsigned max_uploads;
};
struct s3xml_upload {
    const char *key;
    size_t key_len;
    const char *upload_id;
    const struct s3xml_owner *initiator; /* NULL: left out */
    const struct s3xml_owner *owner;     /* NULL: left out */
    const char *storage_class;           /* NULL means "STANDARD" */
    int64_t initiated_ns;
};
HF_HIDDEN void s3xml_uploads_begin(struct s3xml_buf *b, const struct s3xml_uploads_head *h);
HF_HIDDEN void s3xml_uploads_entry(struct s3xml_buf *b, const struct s3xml_uploads_head *h,
                                   const struct s3xml_upload *u);
HF_HIDDEN void s3xml_uploads_prefix(struct s3xml_buf *b, const struct s3xml_uploads_head *h,
                                    const char *p, size_t n);
HF_HIDDEN void s3xml_uploads_end(struct s3xml_buf *b);

/*
 * GetObjectAttributesOutput: ETag (unquoted, as S3 writes it here),
 * Checksum (when checksum.algo is set), ObjectParts (IsTruncated, MaxParts, NextPartNumberMarker,
 * PartNumberMarker, the <Part> entries written by s3xml_object_part into
 * @parts_xml, PartsCount), StorageClass, ObjectSize; each only when asked.
 */
struct s3xml_object_attrs {
    const char *etag;                   /* NULL: left out */
    struct s3xml_checksum checksum;     /* algo NULL: left out */
    bool storage_class;                 /* StorageClass STANDARD */
    bool has_size;
    uint64_t size;
    bool has_parts;                     /* ObjectParts */
    unsigned parts_count, part_number_marker, next_part_number_marker, max_parts;
    bool is_truncated;
    const char *parts_xml;              /* trusted markup from s3xml_object_part */
    size_t parts_len;
};
HF_HIDDEN void s3xml_object_attributes(struct s3xml_buf *b, const struct s3xml_object_attrs *a);
/* <Part><PartNumber/><Size/>checksum</Part> of GetObjectAttributes (@sum may be NULL). */
HF_HIDDEN void s3xml_object_part(struct s3xml_buf *b, unsigned number, uint64_t size,
                                 const struct s3xml_checksum *sum);

/*
 * AccessControlPolicy (GetBucketAcl, GetObjectAcl) for holdfast's one
 * access rule: @owner, and one Grant of FULL_CONTROL to @owner as a
 * CanonicalUser (xsi:type attribute, as S3 writes it).
 */
HF_HIDDEN void s3xml_acl_owner_only(struct s3xml_buf *b, const struct s3xml_owner *owner);

/* ================================================================== */
/* Parsers                                                             */
/* ================================================================== */

/* Why a body was rejected: the S3 error to answer with. */
struct s3xml_err {
    const char *code;                   /* static string; NULL on success */
    char msg[S3XML_MSG_MAX];            /* one line */
};

/* <CreateBucketConfiguration><LocationConstraint>.  Other elements are ignored. */
struct s3xml_create_bucket {
    char *location;                     /* NULL when absent; at most 128 bytes */
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_create_bucket(
    const void *body, size_t len, size_t cap, struct s3xml_create_bucket *out,
    struct s3xml_err *err);
HF_HIDDEN void s3xml_create_bucket_release(struct s3xml_create_bucket *c);

/*
 * <VersioningConfiguration>: Status (Enabled | Suspended) and MfaDelete
 * (Enabled | Disabled), each optional (UNSET when absent); any other value
 * is HF_EMALFORMED.  Owns nothing.
 */
struct s3xml_versioning_conf {
    enum s3xml_versioning status;
    enum s3xml_mfa_delete mfa_delete;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_versioning(
    const void *body, size_t len, size_t cap, struct s3xml_versioning_conf *out,
    struct s3xml_err *err);

/*
 * <Delete>: 1..S3XML_DELETE_MAX <Object> with a Key (1..HF_KEY_MAX bytes;
 * longer is HF_EBADKEY) and an optional VersionId (at most 1024 bytes),
 * and an optional <Quiet> (true | false | 1 | 0).  Other elements inside
 * Object (ETag, LastModifiedTime, Size) are ignored.  Keys are kept byte
 * for byte, white space included.
 */
struct s3xml_delete_obj {
    char *key;                          /* owned, NUL-terminated */
    size_t key_len;
    char *version_id;                   /* owned; NULL when absent */
};
struct s3xml_delete {
    struct s3xml_delete_obj *objs;      /* owned array of @nobjs */
    size_t nobjs;
    bool quiet;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_delete(const void *body, size_t len, size_t cap,
                                                       struct s3xml_delete *out,
                                                       struct s3xml_err *err);
HF_HIDDEN void s3xml_delete_release(struct s3xml_delete *d);

/*
 * <CompleteMultipartUpload>: 1..S3XML_PARTS_MAX <Part> with PartNumber
 * (1..10000, else HF_EBADARG "InvalidArgument") and ETag (at most 1024
 * bytes; one pair of surrounding double quotes removed), in strictly
 * ascending part-number order (else HF_EBADARG "InvalidPartOrder").  At
 * most one Checksum<ALGO> element per Part (ChecksumCRC32, ChecksumCRC32C,
 * ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256; value at most 128 bytes,
 * trimmed; else HF_EMALFORMED): its algo and value are kept, unchecked.
 */
struct s3xml_part {
    unsigned number;
    char *etag;                         /* owned, unquoted */
    const char *sum_algo;               /* static "SHA256", ...; NULL: no checksum */
    char *sum;                          /* owned, trimmed; NULL: no checksum */
};
struct s3xml_complete {
    struct s3xml_part *parts;           /* owned array of @nparts */
    size_t nparts;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_complete(const void *body, size_t len,
                                                         size_t cap,
                                                         struct s3xml_complete *out,
                                                         struct s3xml_err *err);
HF_HIDDEN void s3xml_complete_release(struct s3xml_complete *c);

/* S3 Object Lock retention modes. */
enum s3xml_lock_mode {
    S3XML_LOCK_NONE = 0,
    S3XML_LOCK_GOVERNANCE,
    S3XML_LOCK_COMPLIANCE,
};

/*
 * <ObjectLockConfiguration>: an optional ObjectLockEnabled, which can only
 * be "Enabled", and an optional Rule/DefaultRetention with Mode
 * (GOVERNANCE | COMPLIANCE) and exactly one of Days and Years.  A period
 * that is not an integer is HF_EMALFORMED; one out of range (Days
 * 1..36500, Years 1..100) is HF_EBADARG "InvalidArgument".  A Rule without
 * DefaultRetention means none.  Owns nothing.
 */
struct s3xml_lock_conf {
    bool enabled;                       /* ObjectLockEnabled was given */
    bool has_default;                   /* a DefaultRetention was given */
    enum s3xml_lock_mode mode;
    unsigned days;                      /* exactly one of days, years is non-zero */
    unsigned years;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_lock_conf(const void *body, size_t len,
                                                          size_t cap,
                                                          struct s3xml_lock_conf *out,
                                                          struct s3xml_err *err);

/*
 * <Retention>: Mode (GOVERNANCE | COMPLIANCE) and RetainUntilDate (ISO 8601:
 * YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm), years 0000..9999), both or
 * neither (an empty Retention removes a governance retention).  Owns
 * nothing.
 */
struct s3xml_retention {
    enum s3xml_lock_mode mode;          /* NONE: the empty Retention */
    int64_t until_ms;                   /* ms since the epoch; 0 with NONE */
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_retention(const void *body, size_t len,
                                                          size_t cap,
                                                          struct s3xml_retention *out,
                                                          struct s3xml_err *err);

/*
 * An ISO 8601 date-time as RetainUntilDate takes it (also the
 * x-amz-object-lock-retain-until-date header) into ms since the epoch,
 * the fraction floored to ms.  false if malformed.
 */
HF_HIDDEN bool s3xml_parse_time(const char *s, int64_t *ms);

/* ObjectLockConfiguration: Enabled, and Rule/DefaultRetention unless @mode is NONE. */
HF_HIDDEN void s3xml_lock_conf(struct s3xml_buf *b, enum s3xml_lock_mode mode, unsigned days,
                               unsigned years);
/* Retention: Mode and RetainUntilDate (@mode not NONE). */
HF_HIDDEN void s3xml_retention(struct s3xml_buf *b, enum s3xml_lock_mode mode,
                               int64_t until_ns);
/* LegalHold: Status ON or OFF. */
HF_HIDDEN void s3xml_legal_hold(struct s3xml_buf *b, bool on);

/* <LegalHold><Status>ON | OFF</Status>.  Owns nothing. */
struct s3xml_legal_hold {
    bool on;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_legal_hold(const void *body, size_t len,
                                                           size_t cap,
                                                           struct s3xml_legal_hold *out,
                                                           struct s3xml_err *err);

/*
 * <Tagging><TagSet><Tag><Key/><Value/></Tag>...: at most @max_tags tags
 * (0 or more than S3XML_TAGS_MAX means S3XML_TAGS_MAX; S3 allows 10 on an
 * object and 50 on a bucket), keys of 1..128 characters, values of
 * 0..256, no key twice.  A tag breaking those rules is HF_EBADARG
 * "InvalidTag" (more tags than S3XML_TAGS_MAX: HF_EMALFORMED).  An empty
 * TagSet is allowed.
 */
struct s3xml_tag {
    char *key;                          /* owned, NUL-terminated */
    char *value;                        /* owned, NUL-terminated ("" when empty) */
};
struct s3xml_tagging {
    struct s3xml_tag *tags;             /* owned array of @ntags */
    size_t ntags;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_tagging(const void *body, size_t len,
                                                        size_t cap, size_t max_tags,
                                                        struct s3xml_tagging *out,
                                                        struct s3xml_err *err);
HF_HIDDEN void s3xml_tagging_release(struct s3xml_tagging *t);

/*
 * <AccessControlPolicy>: an optional Owner/ID and 0..S3XML_GRANTS_MAX
 * <Grant> in <AccessControlList>, each a Grantee (its xsi:type attribute,
 * ID, URI or EmailAddress) and a Permission (FULL_CONTROL | WRITE |
 * WRITE_ACP | READ | READ_ACP; another value is HF_EMALFORMED).  Strings
 * longer than S3XML_GRANT_FIELD_MAX - 1 bytes are HF_EMALFORMED.  A field
 * that is absent is "".  The grants array is owned: free with
 * s3xml_acl_release.
 */
#define S3XML_GRANTS_MAX 100
#define S3XML_GRANT_FIELD_MAX 256
struct s3xml_grant {
    char type[32];                      /* CanonicalUser | Group | AmazonCustomerByEmail */
    char id[S3XML_GRANT_FIELD_MAX];
    char uri[S3XML_GRANT_FIELD_MAX];
    char email[S3XML_GRANT_FIELD_MAX];
    char permission[16];
};
struct s3xml_acl {
    char owner_id[S3XML_GRANT_FIELD_MAX];
    struct s3xml_grant *grants;         /* owned array of @ngrants */
    size_t ngrants;
};
HF_HIDDEN HF_MUST_CHECK enum hf_err s3xml_parse_acl(const void *body, size_t len, size_t cap,
                                                    struct s3xml_acl *out,
                                                    struct s3xml_err *err);
HF_HIDDEN void s3xml_acl_release(struct s3xml_acl *a);

/*
 * LifecycleConfiguration: 1..S3XML_LIFECYCLE_RULES_MAX Rule elements, each
 * with Status (Enabled|Disabled, required), ID (optional, <= 255; "rule-N"
 * when missing), a Prefix (in Filter, or the older form outside it), and
 * at least one action: Expiration (exactly one of Days, Date at midnight
 * GMT, ExpiredObjectDeleteMarker), NoncurrentVersionExpiration
 * (NoncurrentDays), AbortIncompleteMultipartUpload (DaysAfterInitiation).
 * Day counts are positive integers (else InvalidArgument).  Tag and size
 * filters, transitions and NewerNoncurrentVersions are InvalidArgument
 * (not supported), duplicate IDs InvalidArgument, anything else unknown
 * MalformedXML.
 */
#define S3XML_LIFECYCLE_RULES_MAX 1000
struct s3xml_lc_rule {
    char *id;
    bool enabled;
    char *prefix;                       /* "" = the whole bucket */
    size_t prefix_len;
    unsigned exp_days;
    int64_t exp_date_ns;
    unsigned noncurrent_days;
    unsigned abort_days;
};
struct s3xml_lifecycle {
    struct s3xml_lc_rule *rules;
    size_t n;
};
HF_HIDDEN enum hf_err s3xml_parse_lifecycle(const void *body, size_t len, size_t cap,
                                            struct s3xml_lifecycle *out,
                                            struct s3xml_err *err);
HF_HIDDEN void s3xml_lifecycle_release(struct s3xml_lifecycle *l);

#endif
