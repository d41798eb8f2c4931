/*
 * Checkpoint bodies in the C2SP tlog-checkpoint format
 * (c2sp.org/tlog-checkpoint), one per line, each ending in a newline:
 *   <origin>                   the log's name, here the signing key's name
 *   <tree size>                decimal, no leading zeros
 *   <root hash>                standard base64 of the 32-byte RFC 6962 root
 *   sluice-time <microseconds> extension line: when the checkpoint was
 *                              made, integer microseconds since
 *                              1970-01-01T00:00:00Z, decimal
 * Further extension lines are allowed and ignored when read. The body is
 * published as a signed note (note.h); sl_audit_ckpt_open() does both.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediation/audit/hash.h"
#include "mediation/audit/note.h"

#define SL_AUDIT_MAX_ORIGIN 256
#define SL_AUDIT_TIME_EXT "sluice-time "

struct sl_audit_ckpt {
	char origin[SL_AUDIT_MAX_ORIGIN + 1];
	uint64_t size;
	uint8_t root[SL_AUDIT_HASH_LEN];
	bool has_time;
	int64_t time_us;
};

/* The body text, talloc'd on ctx. */
char *sl_audit_ckpt_body(void *ctx, const struct sl_audit_ckpt *c);
/* Parses a body; false and *why on a syntax error. */
bool sl_audit_ckpt_parse(const uint8_t *text, size_t len, struct sl_audit_ckpt *out, const char **why);

/*
 * Opens a signed checkpoint: note syntax, signature by k, body syntax.
 * SL_NOTE_OK, _UNSIGNED or _BAD_SIG leave *out parsed when the body
 * parses; SL_NOTE_SYNTAX sets *why.
 */
enum sl_audit_note_res sl_audit_ckpt_open(const uint8_t *msg, size_t len, const struct sl_audit_vkey *k,
					  struct sl_audit_ckpt *out, const char **why);
