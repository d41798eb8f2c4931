/*
 * Spool internals shared by spool.c (writer, release), spool_recover.c
 * (scan at open) and spool_cursor.c (readers): the in-memory segment
 * table and the on-disk record header codec. Not for use outside the
 * spool files.
 *
 * Record header, big-endian, 36 bytes:
 *   0 magic "SLR1"   4 payload length   8 id   16 append time (ms)
 *   24 logical offset   32 CRC-32C of bytes 4..32 and the payload
 * The magic is outside the CRC so a scan can look for it cheaply.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/timer.h>

#include "handover/spool.h"

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

struct sl_spool_seg {
	uint64_t first_id; /* from the file name */
	uint64_t last_id;  /* first_id - 1 while empty */
	uint64_t size;	   /* bytes in the file */
};

struct sl_spool {
	char *dir;
	char *name;
	struct sl_spool_cfg cfg;
	int dir_fd;

	struct sl_spool_seg *segs; /* oldest first; the last one is appended to */
	unsigned nsegs;
	int wfd;		   /* open on segs[nsegs - 1], or -1 */

	uint64_t last_id;
	uint64_t loff_end;	   /* payload bytes ever appended */
	uint64_t committed_id;
	uint64_t released_id, released_loff_end;
	uint64_t persisted_id, persisted_loff_end;
	uint64_t disk_bytes;
	bool full;
	bool dirty;		   /* appended since the last fsync */

	struct osmo_timer_list commit_timer;
	struct osmo_timer_list persist_timer;
	void (*notify)(void *priv);
	void *notify_priv;

	uint64_t oldest_cache_id;  /* sl_spool_oldest_time() cache */
	int64_t oldest_cache_ms;

	struct rate_ctr_group *ctrs;
};

void sl_spool_hdr_encode(uint8_t out[SL_SPOOL_HDR], const struct sl_spool_hdr *h, const void *payload);
/* Parse a header; false if the magic is wrong. Does not check the CRC. */
bool sl_spool_hdr_decode(const uint8_t in[SL_SPOOL_HDR], struct sl_spool_hdr *h);
/* CRC of a decoded header's fields and its payload. */
uint32_t sl_spool_hdr_crc(const uint8_t in[SL_SPOOL_HDR], const void *payload, uint32_t len);

/* "DIR/seg-<20 digits>.log" into buf. */
void sl_spool_seg_path(const struct sl_spool *s, uint64_t first_id, char *buf, size_t len);
/* Index of the segment holding id, or -1. */
int sl_spool_seg_find(const struct sl_spool *s, uint64_t id);

/* Scan the directory and rebuild the state; see spool.h for the rules. */
int sl_spool_recover(struct sl_spool *s, char *err, size_t errlen);

