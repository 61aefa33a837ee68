/*
 * err.c — error names, errno translation and per-store error detail.
 *
 * Owns the one table of error names.  errno is translated here, once, at
 * the boundary; nothing else in the library interprets errno values.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "banned.h"

const char *hf_strerror(enum hf_err err)
{
    switch (err) {
    case HF_OK: return "success";
    case HF_ENOMEM: return "out of memory";
    case HF_EINVAL: return "invalid argument";
    case HF_ENOTFOUND: return "not found";
    case HF_EEXIST: return "already exists";
    case HF_EIO: return "I/O error";
    case HF_ENOSPC: return "no space left on device";
    case HF_ECORRUPT: return "stored data failed verification";
    case HF_EUNREADABLE: return "data unreadable: too few good shards to rebuild";
    case HF_ECRYPTO: return "decryption or authentication failed";
    case HF_EMETA: return "metadata database error";
    case HF_EBACKEND: return "backend unavailable";
    case HF_EPERM: return "permission denied";
    case HF_ETRUNCATED: return "input truncated";
    case HF_EBADKEY: return "invalid object key";
    case HF_EBADBUCKET: return "invalid bucket name";
    case HF_ENOTEMPTY: return "bucket not empty";
    case HF_EBUSY: return "store busy";
    case HF_ECONFIG: return "store configuration invalid";
    case HF_ENOPLACE: return "not enough usable failure domains";
    case HF_EDELETED: return "object deleted (delete marker)";
    case HF_ERANGE: return "range not satisfiable";
    case HF_EAUTHMALFORMED: return "authorization malformed";
    case HF_EAUTHALGORITHM: return "unsupported signing algorithm";
    case HF_EAUTHHEADERS: return "required header missing or not signed";
    case HF_ESIGNATURE: return "signature does not match";
    case HF_ESKEWED: return "request time too skewed";
    case HF_EEXPIRED: return "request has expired";
    case HF_EBADDIGEST: return "body does not match its checksum";
    case HF_EMALFORMED: return "malformed request";
    case HF_EBADPART: return "a listed part is missing or its ETag does not match";
    case HF_EPARTORDER: return "parts are not in ascending order";
    case HF_ETOOSMALL: return "a part other than the last is smaller than 5 MiB";
    case HF_EPRECOND: return "precondition failed";
    case HF_EHELD: return "refused: the data is under a hold or retention";
    case HF_EBADARG: return "invalid argument in request";
    }
    return "unknown error";
}

enum hf_err hf_err_from_errno(int e)
{
    switch (e) {
    case 0: return HF_OK;
    case ENOMEM: return HF_ENOMEM;
    case ENOENT: return HF_ENOTFOUND;
    case EEXIST: return HF_EEXIST;
    case ENOSPC:
    case EDQUOT: return HF_ENOSPC;
    case EACCES:
    case EPERM:
    case EROFS: return HF_EPERM;
    case EINVAL: return HF_EINVAL;
    case ENOTEMPTY: return HF_ENOTEMPTY;
    case EBUSY:
    case EWOULDBLOCK: return HF_EBUSY;
    default: return HF_EIO;
    }
}

enum hf_err hf_fail(struct hf_store *st, enum hf_err rc, const char *fmt, ...)
{
    va_list ap;

    if (!st || rc == HF_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
    va_end(ap);
    return rc;
}

void hf_clear_err(struct hf_store *st)
{
    if (st)
        st->errmsg[0] = '\0';
}

const char *hf_store_errmsg(const struct hf_store *st)
{
    return st ? st->errmsg : "";
}
