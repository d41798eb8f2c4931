/*
 * JSON Lines export to one data recipient (docs/consent.md, "Exports"):
 * records are gathered into batches, each batch is appended to the
 * current segment file in one write and fsynced, and only then reported
 * to the caller (which writes the export.batch audit record with the
 * batch's SHA-256 digest). Segments rotate by size and by age.
 *
 * Batches close at N records, at T seconds after their first record (on
 * the gateway's clock: packet time for capture files, wall time live),
 * when a record would bring a 1025th distinct subject (the audit record
 * lists the batch's subjects), or on flush. Segment files are named
 * RECIPIENT.NNNNNN.jsonl, NNNNNN counting on from the highest number
 * already in the directory, so a restart never rewrites a file; a batch
 * id is NNNNNN-MMMMMM (segment, batch in segment): deterministic for a
 * given input, unique within a directory.
 *
 * The directory is created (0750) if missing; its parent must exist.
 *
 * Ownership: a talloc object under ctx; closing it (talloc_free or
 * sl_cx_export_close) flushes nothing: call sl_cx_export_flush first.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_CX_BATCH_SUBJECTS_MAX 1024 /* the audit catalogue's pseudonym list bound */
#define SL_CX_HELD_MAX_BYTES (64u << 20) /* a held batch (below) grows to this at most */

struct sl_cx_export_cfg {
	const char *dir;
	const char *recipient;
	unsigned batch_records;		/* 0: 1000 */
	unsigned batch_seconds;		/* 0: 60 */
	uint64_t rotate_bytes;		/* 0: 64 MiB */
	unsigned rotate_seconds;	/* 0: 3600 */
};

/* A batch that is on disk (fsynced). Borrowed for the callback only. */
struct sl_cx_batch {
	const char *recipient;
	const char *batch_id;
	const char *segment;		/* file name in the directory */
	unsigned seg_no;		/* its NNNNNN */
	uint64_t offset;		/* where the batch starts in the segment */
	uint64_t len;
	unsigned records;
	const char *digest;		/* "sha256:" and 64 lowercase hex digits of the batch bytes */
	const char *const *subjects;	/* the distinct subject tags the caller gave, in first-seen order */
	unsigned n_subjects;
	/* per subject (same order): the identity the caller gave ("msisdn:...", NULL if none), kept
	 * in memory for the value ledger and never written, and its records in the batch */
	const char *const *identities;
	const unsigned *counts;
};

/* Called after each batch is durable; a negative return is counted as an audit failure. */
/* "sha256:" and 64 lowercase hex digits of md, NUL-terminated: the batch digest's text form (docs/exports.md) */
void sl_cx_digest_text(const unsigned char md[32], char out[7 + 64 + 1]);

typedef int (*sl_cx_batch_cb)(void *data, const struct sl_cx_batch *b);

struct sl_cx_export_stats {
	uint64_t records, batches, segments, bytes;
	uint64_t write_failed;		/* batches lost because a write or fsync failed */
	uint64_t report_failed;		/* batches whose callback failed */
	uint64_t prepare_failed;	/* times the prepare hook refused a batch (kept and offered again: not lost) */
	uint64_t dropped;		/* records refused while a batch was held (above its bounds) */
	bool held;			/* the open batch is held: its prepare was refused */
	/* a failed batch's bytes could not be cut from the segment: it is left pending for the next start
	 * to cut, and the export writes nothing more (every batch counted in write_failed) until then */
	uint64_t torn_left;
};

struct sl_cx_export;

/* NULL with *err (talloc on ctx) when the directory cannot be used. */
struct sl_cx_export *sl_cx_export_open(void *ctx, const struct sl_cx_export_cfg *cfg, sl_cx_batch_cb cb, void *data,
				       char **err);
/*
 * Adds one record line (LF-terminated) of subject tag subject (at most
 * 127 bytes) at gateway time now_us; may close the batch first. identity
 * (may be NULL; at most 127 bytes) is handed to the batch callback with the
 * subject's record count, for crediting the value ledger, and never
 * written. 0, or -errno when a batch it closed could not be written.
 */
int sl_cx_export_add(struct sl_cx_export *x, int64_t now_us, const char *line, size_t len, const char *subject,
		     const char *identity);
/*
 * Optional: prepare (same data as the callback) is called with each batch
 * after its place (segment, offset) and digest are known and before its
 * bytes are written. A negative return holds the batch (prepare_failed,
 * held): nothing is written, the batch stays open and takes further
 * records, and it is offered again by each tick and flush (not by adds:
 * the hook may be slow to fail, e.g. a database lock's busy timeout) until
 * the hook accepts it. A held batch keeps at most SL_CX_HELD_MAX_BYTES
 * and its 1,024 subjects; records beyond are refused (dropped, -ENOSPC).
 * The caller decides what a held batch at its stop means (it is lost with
 * the process). abort is called for a prepared
 * batch whose write or fsync then failed, after the segment was cut back
 * to the batch's offset (so no part of it can be read as exported); if
 * that cut fails, abort is not called (the batch stays prepared for the
 * next start to repair) and the export stops writing (torn_left).
 */
void sl_cx_export_set_prepare(struct sl_cx_export *x, sl_cx_batch_cb prepare, sl_cx_batch_cb abort);
/* Closes the open batch if it is T seconds old at now_us, or held. -EAGAIN: held (again). */
int sl_cx_export_tick(struct sl_cx_export *x, int64_t now_us);
/* Closes the open batch (if any). 0, -EAGAIN when it is held, or -errno when it was lost. */
int sl_cx_export_flush(struct sl_cx_export *x);
void sl_cx_export_stats(const struct sl_cx_export *x, struct sl_cx_export_stats *st);
/*
 * Cuts segment (a file name in dir, no symbolic link followed) back to
 * its first off bytes and fdatasyncs it: the repair, at start, of a batch
 * of len bytes a crash or power loss left partly written (its pending row
 * does not match the segment). A segment holds whole batches only and a
 * torn batch is never followed by another in the same file, so everything
 * from a torn batch's offset on is that batch, at most len bytes: a
 * longer tail is something else, refused (-EUCLEAN, nothing cut). *cut is
 * the number of bytes removed (0 when the segment is no longer than off
 * or is missing). 0 or -errno.
 */
int sl_cx_export_cut(const char *dir, const char *segment, uint64_t off, uint64_t len, uint64_t *cut);
