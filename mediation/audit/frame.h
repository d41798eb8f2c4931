/*
 * Byte framing of the audit log's files (docs/audit.md, "Files").
 *
 * A segment file is a 16-byte header ("SLAUDIT1" and the big-endian
 * 64-bit seq of its first record) followed by records; checkpoints.log is
 * the same with magic "SLCKPTS1" and 0. Each entry is framed as
 *   u32 big-endian length L (1 .. 1 MiB) | 4-byte check | L bytes
 * where the check is the first four bytes of SHA-256(0x00 || bytes), which
 * for a record is its RFC 6962 leaf hash: the frame check costs nothing
 * beyond the hash the tree needs anyway.
 *
 * The scanner tells the two ways a file can end badly apart. An entry
 * that does not frame or check, with no well-formed entry anywhere after
 * it, is a torn tail: what a crash in the middle of an append leaves
 * (including the zeros some filesystems expose after a crash). A bad
 * entry with a well-formed one after it is damage in the middle, which is
 * never cut: it is reported with its offset.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediation/audit/hash.h"
#include "mediation/audit/problem.h"

#define SL_AUDIT_SEG_MAGIC "SLAUDIT1"
#define SL_AUDIT_CKL_MAGIC "SLCKPTS1"
#define SL_AUDIT_FILE_HDR 16
#define SL_AUDIT_FRAME_HDR 8
#define SL_AUDIT_MAX_ENTRY (1u << 20)

void sl_audit_put_be32(uint8_t *p, uint32_t v);
void sl_audit_put_be64(uint8_t *p, uint64_t v);
uint32_t sl_audit_get_be32(const uint8_t *p);
uint64_t sl_audit_get_be64(const uint8_t *p);

void sl_audit_file_header(uint8_t out[SL_AUDIT_FILE_HDR], const char *magic, uint64_t first);
/* 0 ok (first seq in *first), SL_AP_SEG_HEADER if short or magic differs. */
int sl_audit_check_file_header(const uint8_t *buf, size_t len, const char *magic, uint64_t *first);

/* The 8-byte frame header for payload p (leaf hash given: the writer has it already). */
void sl_audit_frame_header(uint8_t out[SL_AUDIT_FRAME_HDR], uint32_t len, const uint8_t leaf[SL_AUDIT_HASH_LEN]);

/* One entry found by the scanner. off is the frame's offset in the file. */
struct sl_audit_entry {
	uint64_t off;
	const uint8_t *data;
	size_t len;
	uint8_t leaf[SL_AUDIT_HASH_LEN];
};

/* Per entry; a non-zero return stops the scan and is returned by it. */
typedef int (*sl_audit_entry_fn)(void *arg, const struct sl_audit_entry *e);

struct sl_audit_scan_res {
	size_t good_end;		/* offset just after the last good entry */
	uint64_t entries;		/* good entries seen */
	int problem;			/* -1, or SL_AP_REC_TORN / _FRAME / _CHECK */
	size_t problem_off;		/* offset of the first bad frame */
};

/*
 * Scans buf[start..len) as frames. tail_ok: this is the end of the log
 * (the last segment), where a torn entry is a crash artefact rather than
 * damage. Returns 0, or what fn returned to stop.
 */
int sl_audit_scan_frames(struct sl_audit_hasher *h, const uint8_t *buf, size_t len, size_t start, bool tail_ok,
			 sl_audit_entry_fn fn, void *arg, struct sl_audit_scan_res *res);
