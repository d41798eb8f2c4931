/*
 * Framing of a stream of handover PDUs with resynchronisation (see
 * pdu_stream.h). One loop frames what is available: PDUs go to the
 * consumer as soon as their last byte arrives, an incomplete tail is kept
 * for the next piece. A framing failure in a BER stream switches to
 * hunting: every following offset is tried until one holds a PDU that
 * frames and decodes strictly (handover/pdu_decode.h), which makes a
 * false resynchronisation on content bytes unlikely; the skipped bytes are
 * then reported once, with the reason the hunt started.
 */
#include "handover/pdu_stream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "asn1/ber_decode.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"

static void report(struct sl_pdu_stream *s, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(struct sl_pdu_stream *s, uint64_t off, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->ops.error)
		s->ops.error(s->priv, off, msg);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Size the identifier and length octets at p announce, 0 if they are cut short or invalid. */
static size_t declared_size(const uint8_t *p, size_t n, size_t max_pdu)
{
	struct sl_ber_dec d;
	struct sl_ber_cur c;
	struct sl_ber_tlv t;

	if (!n)
		return 0;
	sl_ber_dec_init(&d, p, n, SL_BER_MODE_DER);
	d.max_len = max_pdu;
	c = sl_ber_dec_root(&d);
	switch (sl_ber_next(&d, &c, &t)) {
	case SL_BER_OK:
		return sl_ber_tlv_size(&t);
	case SL_BER_E_TRUNCATED:
		return d.err.need;
	default:
		return 0;
	}
}

bool sl_pdu_stream_looks_prefixed(const uint8_t *p, size_t n, size_t max_pdu)
{
	uint32_t len;

	if (n < 6)
		return false;
	len = be32(p);
	if (len == 0 || len > max_pdu)
		return false;
	if (sl_pdu_frame(p + 4, n - 4, max_pdu) < 0)
		return false;
	return declared_size(p + 4, n - 4, max_pdu) == len;
}

struct sl_pdu_stream *sl_pdu_stream_alloc(void *ctx, enum sl_pdu_stream_mode mode, size_t max_pdu,
					  const struct sl_pdu_stream_ops *ops, void *priv)
{
	struct sl_pdu_stream *s = talloc_zero(ctx, struct sl_pdu_stream);

	if (!s)
		return NULL;
	s->mode = mode;
	s->max_pdu = max_pdu;
	s->ops = *ops;
	s->priv = priv;
	return s;
}

static const char *frame_error(ssize_t r)
{
	return r == -EMSGSIZE ? "length octets announce a PDU over the size limit"
			      : "not the start of a PDU (identifier or length octets invalid)";
}

/*
 * While hunting: 1 if a PDU starts at p, 0 if more bytes are needed to
 * tell, -1 if not. Waiting on the same candidate resumes its framing
 * (s->fr); any answer but 0 leaves s->fr fresh for the next position.
 */
static int candidate(struct sl_pdu_stream *s, const uint8_t *p, size_t n, bool eof)
{
	struct sl_pdu_decoded dec;
	ssize_t r = sl_pdu_frame_resume(p, n, s->max_pdu, &s->fr);
	void *pctx;
	int rc;

	if (r == 0 && !eof)
		return 0;
	memset(&s->fr, 0, sizeof(s->fr));
	if (r <= 0)
		return -1;
	pctx = talloc_new(NULL); /* a BER sender's segmented strings, dropped with the answer */
	/*
	 * A resynchronisation point must decode with nothing skipped: a
	 * receiver that skips unknown extensions would otherwise take the
	 * inner Notification of an HI1 PDU for an IRI record.
	 */
	rc = sl_pdu_decode(pctx, p, (size_t)r, &dec, NULL, 0) == 0 && dec.ext_skipped == 0 ? 1 : -1;
	talloc_free(pctx);
	return rc;
}

static void hunt_start(struct sl_pdu_stream *s, uint64_t at, const char *why)
{
	memset(&s->fr, 0, sizeof(s->fr)); /* framing restarts wherever the hunt ends */
	/* a length-prefixed stream cannot be resynchronised: its lengths are all it has */
	if (s->mode == SL_PDU_STREAM_PREFIXED) {
		s->dead = true;
		return;
	}
	s->hunting = true;
	s->hunt_from = at;
	snprintf(s->hunt_why, sizeof(s->hunt_why), "%s", why);
}

static void hunt_end(struct sl_pdu_stream *s, uint64_t at)
{
	s->hunting = false;
	if (at > s->hunt_from)
		report(s, s->hunt_from, "%s: %" PRIu64 " bytes skipped, next PDU found at offset %" PRIu64, s->hunt_why,
		       at - s->hunt_from, at);
}

/* Frame p[0..n), which starts at stream offset off; returns the bytes consumed. */
static size_t process(struct sl_pdu_stream *s, const uint8_t *p, size_t n, uint64_t off, bool eof)
{
	size_t pos = 0;

	while (pos < n && !s->dead) {
		const uint8_t *q = p + pos;
		size_t left = n - pos;
		ssize_t r;

		if (s->hunting) {
			int c = candidate(s, q, left, eof);

			if (c == 0)
				break;
			if (c < 0) {
				pos++;
				continue;
			}
			hunt_end(s, off + pos);
		}
		if (s->mode == SL_PDU_STREAM_PREFIXED) {
			uint32_t len;

			if (left < 4) {
				if (!eof)
					break;
				report(s, off + pos, "stream ends inside a length prefix (%zu of 4 bytes)", left);
				return n;
			}
			len = be32(q);
			if (len == 0 || len > s->max_pdu) {
				report(s, off + pos,
				       "length prefix %" PRIu32 " is %s: not a pdus.raw record, the remaining %zu bytes are ignored",
				       len, len ? "over the size limit" : "zero", left);
				s->dead = true;
				return n;
			}
			if (left - 4 < len) {
				if (!eof)
					break;
				report(s, off + pos + 4, "stream ends inside a PDU: %zu of %" PRIu32 " bytes present",
				       left - 4, len);
				return n;
			}
			s->ops.pdu(s->priv, q + 4, len, off + pos + 4);
			pos += 4 + (size_t)len;
			continue;
		}
		/* resumed: an incomplete indefinite-length PDU is not rescanned from its start at every feed */
		r = sl_pdu_frame_resume(q, left, s->max_pdu, &s->fr);
		if (r == 0) {
			if (!eof)
				break;
			report(s, off + pos, "stream ends inside a PDU: %zu of %zu bytes present", left,
			       declared_size(q, left, s->max_pdu));
			return n;
		}
		memset(&s->fr, 0, sizeof(s->fr)); /* the next PDU starts afresh */
		if (r < 0) {
			hunt_start(s, off + pos, frame_error(r));
			pos++;
			continue;
		}
		s->ops.pdu(s->priv, q, (size_t)r, off + pos);
		pos += (size_t)r;
	}
	if (s->dead)
		return n;
	return pos;
}

static bool buf_append(struct sl_pdu_stream *s, const uint8_t *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t want = s->len + n < 4096 ? 4096 : s->len + n;
		uint8_t *nb = talloc_realloc_size(s, s->buf, want);

		if (!nb)
			return false;
		s->buf = nb;
		s->cap = want;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return true;
}

void sl_pdu_stream_feed(struct sl_pdu_stream *s, const uint8_t *p, size_t n)
{
	size_t used;

	if (!n)
		return; /* nothing new (p may be NULL): nothing to frame */
	if (s->dead) {
		s->off += n;
		return;
	}
	if (s->len == 0) {
		/* common case: whole PDUs in this piece are framed in place, only a tail is copied */
		used = process(s, p, n, s->off, false);
		s->off += used;
		p += used;
		n -= used;
		if (!n)
			return;
	}
	if (!buf_append(s, p, n)) {
		report(s, s->off, "out of memory buffering %zu bytes: they are skipped", s->len + n);
		s->off += s->len + n;
		s->len = 0;
		hunt_start(s, s->off, "out of memory");
		return;
	}
	used = process(s, s->buf, s->len, s->off, false);
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
	s->off += used;
}

void sl_pdu_stream_gap(struct sl_pdu_stream *s, uint64_t n)
{
	if (s->dead) {
		s->off += n;
		return;
	}
	if (s->hunting) {
		/* still hunting from an earlier problem: report it now, the gap gets its own report */
		if (s->off + s->len > s->hunt_from)
			report(s, s->hunt_from, "%s: %" PRIu64 " bytes skipped up to a gap in the capture", s->hunt_why,
			       s->off + s->len - s->hunt_from);
	}
	if (s->len && !s->hunting)
		report(s, s->off, "%" PRIu64 " bytes missing from the capture at offset %" PRIu64
		       ": the PDU starting here (%zu bytes seen) and any PDU in the gap are lost",
		       n, s->off + s->len, s->len);
	else
		report(s, s->off + s->len, "%" PRIu64 " bytes missing from the capture: any PDU in them is lost", n);
	s->off += s->len + n;
	s->len = 0;
	memset(&s->fr, 0, sizeof(s->fr));
	hunt_start(s, s->off, "after a gap in the capture");
}

void sl_pdu_stream_end(struct sl_pdu_stream *s)
{
	size_t used;

	if (s->dead || (!s->len && !s->hunting))
		return;
	used = process(s, s->buf, s->len, s->off, true);
	s->off += used;
	s->len = 0;
	if (s->hunting && s->off > s->hunt_from)
		report(s, s->hunt_from, "%s: the remaining %" PRIu64 " bytes hold no PDU", s->hunt_why,
		       s->off - s->hunt_from);
	s->hunting = false;
}
