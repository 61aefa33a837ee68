/*
 * record.h — the canonical encoding of an audit log entry (subsystem
 * interface).  The encoded bytes are exactly what the Merkle tree hashes
 * (leaf hash = SHA-256(0x00 || bytes)), so the encoding is the contract
 * between holdfast and anyone who verifies its log.
 *
 * FORMAT (UTF-8 text, every line ends in "\n", nothing else in between):
 *
 *   holdfast-audit/1
 *   seq <decimal index of the entry in the log, from 0>
 *   time <UTC, RFC 3339 with nine fraction digits: 2026-11-25T03:05:58.123456789Z>
 *   kind <kind>
 *   actor <value>
 *   subject <value>
 *   <key> <value>          zero or more details, keys strictly ascending (bytewise)
 *   document sha256:<64 lower-case hex>
 *                          zero or more, ascending
 *
 * <kind> and <key> are 1..64 of [a-z0-9._-]; "seq", "time", "kind",
 * "actor", "subject" and "document" are not detail keys.  A <value> is
 * any bytes except that NUL..0x1f, 0x7f and '%' are written as %XX
 * (upper-case hex), so it never holds a newline; at most 4096 bytes once
 * escaped.  An entry is at most AUDIT_RECORD_MAX bytes.
 *
 * Decoding accepts only what encoding produces (record_decode re-encodes
 * and compares), so one event has exactly one encoding.
 */
#ifndef HF_AUDIT_RECORD_H
#define HF_AUDIT_RECORD_H

#include "internal.h"

#define AUDIT_RECORD_MAX 65536
#define AUDIT_MAX_DETAILS 32
#define AUDIT_MAX_DOCS 8
#define AUDIT_VALUE_MAX 4096        /* escaped */
#define AUDIT_NAME_MAX 64           /* kinds and detail keys */

struct audit_field {
    const char *key;
    const char *value;              /* raw bytes, NUL-terminated */
};

/*
 * An event, as the library builds it before appending, and as
 * record_decode gives it back.  Strings point into @buf or at static
 * text; the struct owns @buf.
 */
struct audit_record {
    uint64_t seq;
    int64_t time_ns;
    const char *kind, *actor, *subject;
    struct audit_field details[AUDIT_MAX_DETAILS];
    size_t ndetails;
    uint8_t docs[AUDIT_MAX_DOCS][32];
    size_t ndocs;
    bool overflow;                  /* a detail did not fit: encoding fails */
    size_t used;
    char buf[AUDIT_RECORD_MAX];
};

/* Start an event of @kind about @subject (both copied). */
HF_HIDDEN void record_init(struct audit_record *r, const char *kind, const char *subject);
/* Add detail @key (static text) = printf(@fmt, ...). */
HF_HIDDEN void record_detail(struct audit_record *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add the SHA-256 of a document. */
HF_HIDDEN void record_document(struct audit_record *r, const uint8_t sha256[32]);

/*
 * Encode @r (with its seq, time and actor set) into @out, room @cap;
 * *@len gets the length.  Errors: HF_EINVAL (a bad kind or key, a value
 * too long, a duplicate key, too many details), HF_ERANGE (@cap too small).
 */
HF_HIDDEN enum hf_err record_encode(const struct audit_record *r, uint8_t *out, size_t cap,
                                    size_t *len);

/*
 * Parse @len bytes into @r.  Errors: HF_ECORRUPT when the bytes are not
 * the canonical encoding of an event.
 */
HF_HIDDEN enum hf_err record_decode(const uint8_t *in, size_t len, struct audit_record *r);

/* "2026-11-25T03:05:58.123456789Z" (31 bytes with NUL) for @ns since the epoch. */
#define AUDIT_TIME_LEN 31
HF_HIDDEN void record_format_time(int64_t ns, char out[AUDIT_TIME_LEN]);

#endif
