/* tlog-checkpoint bodies with the sluice-time extension (see checkpoint.h). */
#include "mediation/audit/checkpoint.h"

#include <inttypes.h>
#include <string.h>

#include <talloc.h>

#include "mediation/audit/b64.h"

char *sl_audit_ckpt_body(void *ctx, const struct sl_audit_ckpt *c)
{
	char b64[SL_AUDIT_B64_LEN(SL_AUDIT_HASH_LEN) + 1];

	sl_audit_b64_encode(c->root, SL_AUDIT_HASH_LEN, b64);
	if (c->has_time)
		return talloc_asprintf(ctx, "%s\n%" PRIu64 "\n%s\n" SL_AUDIT_TIME_EXT "%" PRId64 "\n", c->origin,
				       c->size, b64, c->time_us);
	return talloc_asprintf(ctx, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
}

/* Canonical unsigned decimal: "0" or no leading zero, fits in 64 bits. */
static bool parse_dec(const uint8_t *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || (n > 1 && p[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return false;
		d = p[i] - '0';
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool sl_audit_ckpt_parse(const uint8_t *text, size_t len, struct sl_audit_ckpt *out, const char **why)
{
	const uint8_t *line = text, *nl;
	size_t ll, rl, i;
	unsigned lineno = 0;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	while ((size_t)(line - text) < len) {
		size_t left = len - (size_t)(line - text);

		nl = memchr(line, '\n', left);
		if (!nl) {
			*why = "checkpoint body does not end in a newline";
			return false;
		}
		ll = (size_t)(nl - line);
		if (ll == 0) {
			*why = "empty line in checkpoint body";
			return false;
		}
		switch (lineno) {
		case 0:
			if (ll > SL_AUDIT_MAX_ORIGIN) {
				*why = "origin longer than 256 bytes";
				return false;
			}
			for (i = 0; i < ll; i++)
				if (line[i] < 0x20) {
					*why = "control character in origin";
					return false;
				}
			memcpy(out->origin, line, ll);
			out->origin[ll] = '\0';
			break;
		case 1:
			if (!parse_dec(line, ll, UINT64_MAX, &out->size)) {
				*why = "tree size is not a canonical decimal number";
				return false;
			}
			break;
		case 2:
			if (!sl_audit_b64_decode((const char *)line, ll, out->root, sizeof(out->root), &rl) ||
			    rl != SL_AUDIT_HASH_LEN) {
				*why = "root hash is not base64 of 32 bytes";
				return false;
			}
			break;
		default:
			if (ll > strlen(SL_AUDIT_TIME_EXT) &&
			    memcmp(line, SL_AUDIT_TIME_EXT, strlen(SL_AUDIT_TIME_EXT)) == 0) {
				if (out->has_time) {
					*why = "two sluice-time lines";
					return false;
				}
				if (!parse_dec(line + strlen(SL_AUDIT_TIME_EXT), ll - strlen(SL_AUDIT_TIME_EXT),
					       INT64_MAX, &v)) {
					*why = "sluice-time is not a canonical decimal number";
					return false;
				}
				out->has_time = true;
				out->time_us = (int64_t)v;
			}
			break;
		}
		lineno++;
		line = nl + 1;
	}
	if (lineno < 3) {
		*why = "checkpoint body has fewer than 3 lines";
		return false;
	}
	return true;
}

enum sl_audit_note_res sl_audit_ckpt_open(const uint8_t *msg, size_t len, const struct sl_audit_vkey *k,
					  struct sl_audit_ckpt *out, const char **why)
{
	size_t tl;
	enum sl_audit_note_res r = sl_audit_note_open(msg, len, k, &tl, why);

	if (r == SL_NOTE_SYNTAX)
		return r;
	if (!sl_audit_ckpt_parse(msg, tl, out, why))
		return SL_NOTE_SYNTAX;
	return r;
}
