/*
 * Frame encoding and the frame scanner with its torn-tail rule (see
 * frame.h). All reads go through explicit "need <= left" checks.
 */
#include "mediation/audit/frame.h"

#include <string.h>

void sl_audit_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void sl_audit_put_be64(uint8_t *p, uint64_t v)
{
	sl_audit_put_be32(p, (uint32_t)(v >> 32));
	sl_audit_put_be32(p + 4, (uint32_t)v);
}

uint32_t sl_audit_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t sl_audit_get_be64(const uint8_t *p)
{
	return (uint64_t)sl_audit_get_be32(p) << 32 | sl_audit_get_be32(p + 4);
}

void sl_audit_file_header(uint8_t out[SL_AUDIT_FILE_HDR], const char *magic, uint64_t first)
{
	memcpy(out, magic, 8);
	sl_audit_put_be64(out + 8, first);
}

int sl_audit_check_file_header(const uint8_t *buf, size_t len, const char *magic, uint64_t *first)
{
	if (len < SL_AUDIT_FILE_HDR || memcmp(buf, magic, 8) != 0)
		return SL_AP_SEG_HEADER;
	*first = sl_audit_get_be64(buf + 8);
	return 0;
}

void sl_audit_frame_header(uint8_t out[SL_AUDIT_FRAME_HDR], uint32_t len, const uint8_t leaf[SL_AUDIT_HASH_LEN])
{
	sl_audit_put_be32(out, len);
	memcpy(out + 4, leaf, 4);
}

/*
 * Whether a well-formed entry starts at off. Candidates must also open
 * with '{' or a letter and fit, so that scanning garbage for a resync
 * point hashes almost nothing.
 */
static bool frame_ok_at(struct sl_audit_hasher *h, const uint8_t *buf, size_t len, size_t off,
			uint8_t leaf[SL_AUDIT_HASH_LEN], uint32_t *plen)
{
	size_t left = len - off;
	uint32_t l;

	if (left < SL_AUDIT_FRAME_HDR)
		return false;
	l = sl_audit_get_be32(buf + off);
	if (l == 0 || l > SL_AUDIT_MAX_ENTRY || l > left - SL_AUDIT_FRAME_HDR)
		return false;
	sl_audit_leaf_hash(h, buf + off + SL_AUDIT_FRAME_HDR, l, leaf);
	if (memcmp(leaf, buf + off + 4, 4) != 0)
		return false;
	*plen = l;
	return true;
}

static bool resync_possible(struct sl_audit_hasher *h, const uint8_t *buf, size_t len, size_t from)
{
	uint8_t leaf[SL_AUDIT_HASH_LEN];
	uint32_t l;
	size_t off;

	for (off = from; off + SL_AUDIT_FRAME_HDR < len; off++) {
		uint8_t first = buf[off + SL_AUDIT_FRAME_HDR];

		if (first != '{' && !(first >= 'A' && first <= 'z'))
			continue;
		if (frame_ok_at(h, buf, len, off, leaf, &l))
			return true;
	}
	return false;
}

int sl_audit_scan_frames(struct sl_audit_hasher *h, const uint8_t *buf, size_t len, size_t start, bool tail_ok,
			 sl_audit_entry_fn fn, void *arg, struct sl_audit_scan_res *res)
{
	struct sl_audit_entry e;
	size_t off = start;
	uint32_t l;
	int rc;

	res->good_end = start;
	res->entries = 0;
	res->problem = -1;
	res->problem_off = 0;
	while (off < len) {
		size_t left = len - off;

		if (!frame_ok_at(h, buf, len, off, e.leaf, &l)) {
			bool frames = left >= SL_AUDIT_FRAME_HDR;
			uint32_t claimed = frames ? sl_audit_get_be32(buf + off) : 0;

			res->problem_off = off;
			if (tail_ok && !resync_possible(h, buf, len, off + 1))
				res->problem = SL_AP_REC_TORN;
			else if (!frames || claimed == 0 || claimed > SL_AUDIT_MAX_ENTRY ||
				 claimed > left - SL_AUDIT_FRAME_HDR)
				res->problem = SL_AP_REC_FRAME;
			else
				res->problem = SL_AP_REC_CHECK;
			return 0;
		}
		e.off = off;
		e.data = buf + off + SL_AUDIT_FRAME_HDR;
		e.len = l;
		off += SL_AUDIT_FRAME_HDR + l;
		res->good_end = off;
		res->entries++;
		if (fn && (rc = fn(arg, &e)) != 0)
			return rc;
	}
	return 0;
}
