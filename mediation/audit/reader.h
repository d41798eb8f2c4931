/*
 * Reading a log directory front to back: the segments in seq order, each
 * record with its position, file and offset, and where and how reading
 * had to stop. Used by the writer's recovery, `verify`, `show`, `prove`
 * and the report, so every consumer sees the same records and names the
 * same problems. Segments are mapped read-only; a record view is valid
 * only during the callback.
 *
 * A log directory holds segments "audit-<first seq, 20 digits>.seg"; the
 * reader checks that names, headers and record counts chain with no gap.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mediation/audit/frame.h"

struct sl_audit_rec {
	uint64_t seq;		/* position in the log, from 0 */
	const char *file;	/* path of its segment */
	uint64_t off;		/* offset of its frame in that file */
	const uint8_t *data;	/* the record bytes (canonical JSON) */
	size_t len;
	uint8_t leaf[SL_AUDIT_HASH_LEN]; /* SHA-256(0x00 || data) */
};

/* Per record; non-zero stops reading and is returned by sl_audit_read_log. */
typedef int (*sl_audit_rec_fn)(void *arg, const struct sl_audit_rec *r);

struct sl_audit_read_res {
	uint64_t records;	/* good records, in order from seq 0 */
	int problem;		/* -1, or the problem that ended reading */
	char *file;		/* where (talloc, may be NULL) */
	uint64_t off;
	/* A torn tail (problem SL_AP_REC_TORN): cut file at torn_off, or remove it if torn_whole_file. */
	bool torn_whole_file;
	uint64_t torn_off, torn_len;
	/* The last segment (for the writer to continue in). */
	char *last_seg;
	uint64_t last_seg_first;
	unsigned segments;
};

/* Segment file name for a first seq, into out (at least 32 bytes). */
void sl_audit_seg_name(uint64_t first, char *out, size_t cap);

/* Sorted first seqs and names of the segments in dir. -errno on failure. */
int sl_audit_list_segments(void *ctx, const char *dir, uint64_t **firsts, char ***paths, unsigned *n);

/*
 * Reads every record of the log in dir in order. Returns 0 when reading
 * finished (check res->problem for why it stopped early), what fn
 * returned if it stopped, or -errno when dir cannot be listed. res strings
 * are talloc children of ctx.
 */
int sl_audit_read_log(void *ctx, struct sl_audit_hasher *h, const char *dir, sl_audit_rec_fn fn, void *arg,
		      struct sl_audit_read_res *res);

/*
 * Record seq alone, without reading the log before it: finds its segment
 * by name and walks that segment's frame headers (lengths only) to it.
 * The record's own check is verified; the frames before it are not, so a
 * caller that needs certainty checks the leaf against a signed tree (as
 * prove.c does, falling back to a full read). *data is talloc'd on ctx,
 * NUL-terminated. 0, -ENOENT (not there), -EBADMSG (frame or check bad), -errno.
 */
int sl_audit_read_one(void *ctx, struct sl_audit_hasher *h, const char *dir, uint64_t seq, uint8_t **data,
		      size_t *len, uint8_t leaf[SL_AUDIT_HASH_LEN]);

/*
 * One segment's bytes (for the fuzzer and tests): header and records,
 * numbering from the header's first seq, which must equal expect_first
 * unless that is UINT64_MAX. Fills res like sl_audit_read_log.
 */
int sl_audit_read_segment_buf(void *ctx, struct sl_audit_hasher *h, const char *name, const uint8_t *buf,
			      size_t len, uint64_t expect_first, bool last, sl_audit_rec_fn fn, void *arg,
			      struct sl_audit_read_res *res);
