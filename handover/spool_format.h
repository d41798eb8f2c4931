/*
 * The spool's on-disk record header (codec in spool_format.c). Shared by
 * the writer, the recovery scan and the readers; not for use outside the
 * spool files.
 *
 * Record header, big-endian, 36 bytes:
 *   0 magic "SLR1"   4 payload length   8 id   16 append time (ms)
 *   24 logical offset   32 CRC-32C of bytes 4..32 and the payload
 * The magic is outside the CRC so a scan can look for it cheaply.
 *
 * Release pointer file "released", big-endian, 24 bytes, replaced
 * atomically (write "released.tmp", fsync, rename, fsync the directory):
 *   0 magic "SLRP"   4 last released id   12 logical offset after it
 *   20 CRC-32C of bytes 0..20
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define SL_SPOOL_MAGIC 0x534C5231u /* "SLR1" */
#define SL_SPOOL_HDR 36u
#define SL_SPOOL_REL_MAGIC 0x534C5250u /* "SLRP": release pointer file */
#define SL_SPOOL_REL_SIZE 24u

struct sl_spool_hdr {
	uint32_t len;
	uint64_t id;
	int64_t time_ms;
	uint64_t loff;
	uint32_t crc;
};

void sl_spool_hdr_encode(uint8_t out[SL_SPOOL_HDR], const struct sl_spool_hdr *h, const void *payload);
/* Parse a header; false if the magic is wrong. Does not check the CRC. */
bool sl_spool_hdr_decode(const uint8_t in[SL_SPOOL_HDR], struct sl_spool_hdr *h);
/* CRC of a decoded header's fields and its payload. */
uint32_t sl_spool_hdr_crc(const uint8_t in[SL_SPOOL_HDR], const void *payload, uint32_t len);

void sl_spool_rel_encode(uint8_t out[SL_SPOOL_REL_SIZE], uint64_t id, uint64_t loff_end);
/* False when the magic or the CRC is wrong. */
bool sl_spool_rel_decode(const uint8_t in[SL_SPOOL_REL_SIZE], uint64_t *id, uint64_t *loff_end);
