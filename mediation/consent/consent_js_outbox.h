/*
 * The on-disk outbox of the JetStream export (docs/exports.md): the JSON
 * Lines segments that consent_export.c writes and fsyncs are the outbox;
 * this module names the records in them, reads them back in whole lines
 * and keeps, in one small file per recipient, how far the broker has
 * acknowledged them. No libnats here: consent_js_export.c publishes.
 *
 * A record's position is (segment number, line number in the segment,
 * from 1). Segment numbers are never reused in a directory (a restart
 * counts on from the highest), so the position is stable across restarts
 * and so is the message id made from it:
 *
 *     GATEWAY.RECIPIENT.NNNNNN.LLLLLLLLL
 *
 * (segment NNNNNN and line LLLLLLLLL zero-padded to 6 and 9 digits), sent
 * as the Nats-Msg-Id header so that the stream's duplicate window drops a
 * re-publish of a record it already holds.
 *
 * The cursor file RECIPIENT.jetstream in the export directory holds the
 * first record not yet acknowledged, as one line
 *
 *     sluice-jetstream-cursor 1 SEGMENT OFFSET LINES
 *
 * (decimal; OFFSET the byte where that record starts in the segment, LINES
 * the number of lines before it), replaced atomically (temporary file,
 * fsync, rename, fsync of the directory).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SL_JS_NAME_MAX 64		/* gateway id, recipient: [A-Za-z0-9_-], 1 to 64 bytes */
#define SL_JS_MSG_ID_MAX (2 * SL_JS_NAME_MAX + 1 + 6 + 1 + 9 + 2)
#define SL_JS_CURSOR_MAX 96		/* the cursor file's size bound */

/* Where the next record to deliver starts. */
struct sl_js_pos {
	unsigned seg;			/* segment number, 1 to 999999; 0: before any segment */
	uint64_t off;			/* byte offset in the segment */
	uint64_t lines;			/* lines before off in the segment */
};

/* a < b, in the order records are written */
bool sl_js_pos_before(const struct sl_js_pos *a, unsigned seg, uint64_t off);

/* A name usable as a subject token and in a message id. */
bool sl_js_name_ok(const char *name);

/* A subject prefix: dot-separated tokens, each a name as above, at most 128 bytes. */
bool sl_js_prefix_ok(const char *prefix);

/* The message id of line `line` (from 1) of segment seg; -EINVAL when a name is not usable. */
int sl_js_msg_id(char *out, size_t n, const char *gateway, const char *recipient, unsigned seg, uint64_t line);

/*
 * Parses a cursor file's bytes (untrusted: any bytes). 0 and *pos, or
 * -EBADMSG (malformed: not the format above, a number out of range,
 * trailing bytes) or -ENODATA (truncated: no final LF).
 */
int sl_js_cursor_parse(const char *buf, size_t len, struct sl_js_pos *pos);
/* Formats the cursor file's line; its length. */
size_t sl_js_cursor_format(char *out, size_t n, const struct sl_js_pos *pos);
/* Loads DIR/RECIPIENT.jetstream: 0, -ENOENT when absent, -EBADMSG/-ENODATA, or -errno. */
int sl_js_cursor_load(int dirfd, const char *recipient, struct sl_js_pos *pos);
/* Replaces it atomically and durably: 0 or -errno. */
int sl_js_cursor_save(int dirfd, const char *recipient, const struct sl_js_pos *pos);

/*
 * The segment and line of a message id (the last two fields of
 * GATEWAY.RECIPIENT.NNNNNN.LLLLLLLLL), from an acknowledgement: len bytes,
 * no terminator needed. 0, or -EBADMSG when it is not such an id.
 */
int sl_js_msg_id_position(const char *id, size_t len, unsigned *seg, uint64_t *line);
/* The segment file name RECIPIENT.NNNNNN.jsonl. */
void sl_js_segment_name(char *out, size_t n, const char *recipient, unsigned seg);
/* The lowest and highest segment numbers in the directory (0 and 0 when none). */
void sl_js_segment_range(int dirfd, const char *recipient, unsigned *lo, unsigned *hi);

/*
 * Reads whole lines of fd from off up to limit bytes further at most,
 * into buf (cap bytes), at most max_lines of them. The bytes of the
 * complete lines read (each ending in LF), *n_lines their number; 0 when
 * no complete line is there yet; -EMSGSIZE when a line does not fit in
 * cap; -errno on a read error.
 */
ssize_t sl_js_read_lines(int fd, uint64_t off, uint64_t limit, char *buf, size_t cap, unsigned max_lines,
			 unsigned *n_lines);
/*
 * The length (LF included) of the line of fd starting at off, looking at
 * most limit bytes further, read through buf (cap bytes) piece by piece:
 * for skipping a line too long for sl_js_read_lines. -ENODATA when no LF
 * comes before limit or the end of the file, -errno on a read error.
 */
int64_t sl_js_line_length(int fd, uint64_t off, uint64_t limit, char *buf, size_t cap);
