/*
 * CRC-32C (Castagnoli, RFC 3720 appendix B.4), the checksum the spool
 * writes after every record. Castagnoli rather than the zlib CRC-32
 * because it detects more error patterns at the record sizes we store and
 * because it is what iSCSI, ext4 and SCTP use, so external tools can check
 * a segment. Table-driven, byte at a time: the spool is bound by fsync,
 * not by this loop.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC over p[0..n); start with crc = 0. crc32c("123456789") = 0xe3069283. */
uint32_t sl_crc32c(uint32_t crc, const void *p, size_t n);
