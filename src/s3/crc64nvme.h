/*
 * crc64nvme.h — CRC-64/NVME, the checksum S3 calls CRC64NVME (leaf module).
 *
 * Parameters (the CRC catalogue's CRC-64/NVME, also "Rocksoft"): width 64,
 * polynomial 0xad93d23594c93659 (reflected 0x9a6c9329ac4bc9b5), init and
 * xorout all ones, input and output reflected; check("123456789") =
 * 0xae8b14860a799888.  S3 sends it as base64 of the 8 bytes big-endian.
 *
 * Debian 12's ISA-L (2.30) has crc64 for the ECMA, ISO and Jones
 * polynomials only (crc64_rocksoft_* arrived in 2.31), and no other Debian
 * library carries this one, so it is here: slicing-by-8 tables, with the
 * bit-at-a-time crc64nvme_base beside it as the test oracle.
 *
 * The running value is the finished CRC of the bytes so far: start with 0,
 * feed pieces in order, the result of the last call is the checksum (the
 * init and xorout are applied inside, as zlib's crc32 does).
 */
#ifndef HF_S3_CRC64NVME_H
#define HF_S3_CRC64NVME_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* CRC-64/NVME of @len bytes at @data continuing @crc (0 to start).  Never fails. */
HF_HIDDEN uint64_t crc64nvme(uint64_t crc, const void *data, size_t len);

/* The same, one bit at a time: the reference for tests. */
HF_HIDDEN uint64_t crc64nvme_base(uint64_t crc, const void *data, size_t len);

#endif
