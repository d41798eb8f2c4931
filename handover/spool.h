/*
 * Durable per-destination spool: the "cyclic buffer" of TS 102 232-1
 * clause 6.3.3, on disk, and without the overwriting.
 *
 * Every PDU for a destination is appended here before any attempt to send
 * it, and stays until the link says the receiver has it (TCP-acked and out
 * of the resend window, or confirmed by pDUAcknowledgementResponse,
 * clause 6.3.6). Records are opaque, already-encoded PDUs; their ETSI
 * sequence numbers are inside them, so a resend is the same bytes and a
 * receiver sees at worst a duplicate with its original sequence number.
 *
 * On disk a spool is a directory:
 *   seg-<first id, 20 digits>.log   append-only segments of records
 *   released                        "released up to id N", replaced by rename
 * Each record is a 36-byte header (magic, length, id, append time, logical
 * offset, CRC-32C over header and payload) and its payload. Record ids
 * start at 1 and increase by one, across segments and restarts.
 *
 * Durability is a policy: ALWAYS (append returns after fsync), INTERVAL
 * (group commit: records of one interval share one fsync, run by an
 * osmo_timer) or NEVER (page cache only). Only committed records are given
 * to readers, so nothing is sent that a crash could take back and renumber.
 *
 * After a crash the spool reopens at the last persisted release point:
 * everything after it is offered again (duplicates possible, gaps never).
 * A torn record at the end of the last segment (the append a crash
 * interrupted) is truncated and counted. A bad record followed by good
 * ones is corruption, not a crash artefact: open fails with -EBADMSG and a
 * message naming the file and offset; nothing is skipped silently.
 *
 * The spool has a size cap. When it is reached, appends fail with -ENOSPC
 * (counted, alarmed once per episode, logged) and nothing already spooled
 * is dropped: the caller decides what refusing means upstream.
 *
 * Ownership: the spool is a talloc context (child of the ctx given to
 * open); cursors and records are allocated on the contexts their callers
 * pass. Single-threaded, for use from the osmocom select loop.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

enum sl_spool_fsync {
	SL_SPOOL_FSYNC_ALWAYS,	 /* fsync before append returns */
	SL_SPOOL_FSYNC_INTERVAL, /* group commit every fsync_interval_ms */
	SL_SPOOL_FSYNC_NEVER,	 /* leave it to the kernel (tests, tmpfs) */
};

struct sl_spool_cfg {
	enum sl_spool_fsync fsync;
	unsigned fsync_interval_ms;  /* INTERVAL: longest wait for a commit; 0 = 10 ms */
	uint64_t max_bytes;	     /* cap on segment bytes on disk; 0 = 1 GiB */
	uint64_t segment_bytes;	     /* start a new segment past this size; 0 = 16 MiB */
	uint32_t max_record;	     /* largest payload accepted; 0 = 4 MiB */
	unsigned release_persist_ms; /* release pointer written at most this often; 0 = at once */
	/*
	 * No commit of its own: records become visible to readers only when
	 * the caller commits. For a caller that must make something else
	 * durable first (the audit record of a delivery).
	 */
	bool caller_commits;
};

enum sl_spool_ctr {
	SL_SPOOL_CTR_APPENDED,	     /* records appended */
	SL_SPOOL_CTR_APPENDED_BYTES, /* payload bytes appended */
	SL_SPOOL_CTR_COMMITTED,	     /* records made durable (per fsync policy) */
	SL_SPOOL_CTR_RELEASED,	     /* records released (delivered) */
	SL_SPOOL_CTR_REFUSED,	     /* appends refused: cap reached */
	SL_SPOOL_CTR_CAP_ALARM,	     /* times the cap was reached (one per episode) */
	SL_SPOOL_CTR_TORN,	     /* torn tail records truncated at open */
	SL_SPOOL_CTR_IO_ERROR,	     /* write, fsync or read failures */
	SL_SPOOL_CTR_SEG_DELETED,    /* fully released segments removed */
	_SL_SPOOL_CTR_COUNT
};

/* Where the spool's counter group is described (for `sluice counters`). */
extern const struct rate_ctr_group_desc sl_spool_ctrg_desc;

/* One record as read back. data is a talloc child of the record. */
struct sl_spool_rec {
	uint64_t id;
	int64_t time_ms; /* wall clock (ms since the epoch) at append */
	uint64_t loff;	 /* payload bytes of all earlier records of this spool */
	uint32_t len;
	uint8_t *data;
};

struct sl_spool_stats {
	uint64_t last_id;	/* newest record appended (0: none ever) */
	uint64_t committed_id;	/* newest record readers may see */
	uint64_t released_id;	/* everything up to here is delivered */
	uint64_t persisted_id;	/* release point a restart would resume from */
	uint64_t queued_records; /* last_id - released_id */
	uint64_t queued_bytes;	/* payload bytes of those records */
	uint64_t disk_bytes;	/* segment bytes on disk (what the cap limits) */
	unsigned segments;
	bool full;		/* cap reached: appends are refused */
};

struct sl_spool;
struct sl_spool_cursor;

/*
 * Open (creating if needed) the spool in directory dir; name labels logs
 * and counters ("hi2-lea1"). Recovers as described above. Returns 0 and
 * *out, or a negative errno with a message in err: -EBADMSG for corruption
 * that is not a torn tail, -EIO/-EACCES/... for file system errors.
 */
int sl_spool_open(void *ctx, const char *dir, const char *name, const struct sl_spool_cfg *cfg,
		  struct sl_spool **out, char *err, size_t errlen);
/* Commit, persist the release point and free (talloc_free(s) does the same). */
void sl_spool_close(struct sl_spool *s);

/*
 * Append one record (n >= 1 bytes); on success *id (if not NULL) is its id.
 * -ENOSPC: cap reached, nothing written. -EMSGSIZE: above max_record.
 * -EIO: the file system failed; the partial write is rolled back.
 */
int sl_spool_append(struct sl_spool *s, const void *p, size_t n, uint64_t *id);
/* fsync what is pending (policy NEVER: just publish) and notify. 0 or -EIO. */
int sl_spool_commit(struct sl_spool *s);

/*
 * Everything up to upto->id (a record read from this spool) is delivered.
 * The pointer is persisted within release_persist_ms; segments wholly
 * below the persisted pointer are deleted. Releasing backwards is a no-op.
 */
void sl_spool_release(struct sl_spool *s, const struct sl_spool_rec *upto);
/* Write the release pointer now (rename) and delete released segments. */
int sl_spool_persist_release(struct sl_spool *s);

/* Called (from commit) whenever the committed id advances. */
void sl_spool_set_notify(struct sl_spool *s, void (*cb)(void *priv), void *priv);

void sl_spool_get_stats(const struct sl_spool *s, struct sl_spool_stats *st);
/* Append time of the oldest unreleased record; -ENOENT when none. */
int sl_spool_oldest_time(struct sl_spool *s, int64_t *time_ms);
struct rate_ctr_group *sl_spool_ctrs(struct sl_spool *s);
const char *sl_spool_name(const struct sl_spool *s);

/*
 * Readers. A cursor yields committed records in id order, verifying each
 * CRC again. Seek to any unreleased id (typically released_id + 1).
 */
struct sl_spool_cursor *sl_spool_cursor_new(void *ctx, struct sl_spool *s);
/* 0, -ENOENT if id is released already (or beyond last_id + 1), -EIO. */
int sl_spool_cursor_seek(struct sl_spool_cursor *c, uint64_t id);
/*
 * 1 and *out (allocated on ctx) for the next record, 0 when no further
 * committed record exists yet, -EBADMSG (CRC or id mismatch) or -EIO.
 */
int sl_spool_cursor_next(struct sl_spool_cursor *c, void *ctx, struct sl_spool_rec **out);
/* Id the next call to sl_spool_cursor_next would return. */
uint64_t sl_spool_cursor_pos(const struct sl_spool_cursor *c);

/* Wall clock in ms since the epoch (the time stamped on records). */
int64_t sl_spool_now_ms(void);
