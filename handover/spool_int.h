/*
 * Spool internals shared by spool.c (writer, release), spool_recover.c
 * (scan at open) and spool_cursor.c (readers): the in-memory segment
 * table (the on-disk format is in spool_format.h). Not for use outside
 * the spool files.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/timer.h>

#include "handover/spool.h"
#include "handover/spool_format.h"

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

/* spool_format.c: segment files */
/* "DIR/seg-<20 digits>.log" into buf. */
void sl_spool_seg_path(const struct sl_spool *s, uint64_t first_id, char *buf, size_t len);
/* Index of the segment holding id, or -1. */
int sl_spool_seg_find(const struct sl_spool *s, uint64_t id);

/* Scan the directory and rebuild the state; see spool.h for the rules. */
int sl_spool_recover(struct sl_spool *s, char *err, size_t errlen);

