/*
 * range.h — the HTTP Range header of GetObject (subsystem interface).
 */
#ifndef HF_S3_RANGE_H
#define HF_S3_RANGE_H

#include "internal.h"

enum s3_range {
    S3_RANGE_OK = 0,            /* *off, *len set: 206 */
    S3_RANGE_IGNORE = -1,       /* not a single byte range we honour: send it all (200) */
    S3_RANGE_UNSATISFIABLE = -2 /* 416 InvalidRange */
};

/*
 * Parse @h ("bytes=A-B", "bytes=A-", "bytes=-N"; digits only, one range)
 * against an object of @size bytes.  On S3_RANGE_OK, 0 <= *off < @size,
 * *len >= 1 and *off + *len <= @size.  Malformed or multi-range values are
 * S3_RANGE_IGNORE, as S3 does.
 */
HF_HIDDEN enum s3_range s3_parse_range(const char *h, uint64_t size, uint64_t *off,
                                       uint64_t *len);

#endif
