/*
 * Typed readers for the handover PDU decoders, on top of the strict
 * asn1/ reader. They add what the ETSI modules constrain beyond BER:
 * SIZE ranges of OCTET STRINGs (TS 102 232-1 annex A.2, TS 101 671 annex
 * D.5), ENUMERATED value lists, INTEGER (0..4294967295) for CIN and
 * sequence numbers and the one-alternative shape of explicitly tagged
 * CHOICEs (the components of a SEQUENCE are pdu_seq.c's job). Each
 * failure is recorded with sl_ber_fail() so it carries the offset of the
 * offending TLV.
 *
 * Strings a BER sender segmented (X.690 8.7.3, 8.23.6: a constructed
 * OCTET STRING or restricted character string whose segments are OCTET
 * STRINGs, nested to any depth) are joined here: character strings into
 * the caller's buffer, OCTET STRINGs into a talloc buffer under the
 * decoding context, sized by the constructed value's own length (the
 * joined content can only be shorter). Segment nesting is bounded by the
 * decoder's depth limit; a segment running past its parent is a length
 * error of the asn1 reader.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "handover/pdu_decode_int.h"

int sl_pd_bad(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const char *fmt, ...)
{
	char msg[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl_ber_fail(&s->d, SL_BER_E_BAD_VALUE, t ? sl_ber_tlv_start(t) : NULL, "%s", msg);
	return -1;
}

int sl_pd_unsupported(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const char *what)
{
	char tag[32];

	sl_ber_tag_name(t->cls, t->tag, tag, sizeof(tag));
	s->unsupported = true;
	sl_ber_fail(&s->d, SL_BER_E_LIMIT, sl_ber_tlv_start(t), "unsupported %s in %s", tag, what);
	return -1;
}

int sl_pd_missing(struct sl_pdu_dec *s, const struct sl_ber_tlv *parent, const char *what)
{
	sl_ber_fail(&s->d, SL_BER_E_MISSING, parent ? sl_ber_tlv_start(parent) : NULL, "%s missing", what);
	return -1;
}

int sl_pd_next(struct sl_pdu_dec *s, struct sl_ber_cur *c, struct sl_ber_tlv *t)
{
	return sl_ber_next(&s->d, c, t) == SL_BER_OK ? 0 : -1;
}

int sl_pd_enter(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		struct sl_ber_cur *in)
{
	return sl_ber_enter(&s->d, c, t, in) == SL_BER_OK ? 0 : -1;
}

int sl_pd_done(struct sl_pdu_dec *s, const struct sl_ber_cur *c)
{
	return sl_ber_done(&s->d, c) == SL_BER_OK ? 0 : -1;
}

int sl_pd_form(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, bool cons, const char *what)
{
	if (t->constructed == cons)
		return 0;
	sl_ber_fail(&s->d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(t), "%s must be %s", what,
		    cons ? "constructed" : "primitive");
	return -1;
}

int sl_pd_choice(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		 struct sl_ber_tlv *alt)
{
	struct sl_ber_cur in;

	if (sl_pd_form(s, t, true, "a tagged CHOICE") || sl_pd_enter(s, c, t, &in))
		return -1;
	if (!sl_ber_more(&in))
		return sl_pd_missing(s, t, "CHOICE alternative");
	if (sl_pd_next(s, &in, alt) || sl_pd_done(s, &in))
		return -1;
	if (alt->cls != SL_BER_CONTEXT)
		return sl_pd_unsupported(s, alt, "a CHOICE");
	return 0;
}

int sl_pd_choice_only(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, uint32_t tag,
		      const char *what, struct sl_ber_tlv *alt)
{
	if (sl_pd_choice(s, c, t, alt))
		return -1;
	return alt->tag == tag ? 0 : sl_pd_unsupported(s, alt, what);
}

int sl_pd_enum(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, int64_t min, int64_t max, int *v,
	       const char *what)
{
	int64_t x;

	if (sl_pd_form(s, t, false, what) || sl_ber_get_enum(&s->d, t, &x) != SL_BER_OK)
		return -1;
	if (x < min || x > max)
		return sl_pd_bad(s, t, "%s value %lld outside %lld..%lld", what, (long long)x,
				 (long long)min, (long long)max);
	*v = (int)x;
	return 0;
}

int sl_pd_u32(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint32_t *v, const char *what)
{
	int64_t x;

	if (sl_pd_form(s, t, false, what)
	    || sl_ber_get_int_range(&s->d, t, 0, UINT32_MAX, &x) != SL_BER_OK)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* A constructed string t joined into a talloc buffer under s->ctx. */
static int join_octets(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, struct sl_pdu_bytes *b,
		       const char *what)
{
	uint8_t *buf;
	size_t n;

	if (!s->ctx) {
		s->unsupported = true;
		sl_ber_fail(&s->d, SL_BER_E_LIMIT, sl_ber_tlv_start(t),
			    "constructed %s without a context to join it in", what);
		return -1;
	}
	buf = talloc_size(s->ctx, t->len ? t->len : 1);
	if (!buf) {
		sl_ber_fail(&s->d, SL_BER_E_LIMIT, sl_ber_tlv_start(t), "out of memory joining %s", what);
		return -1;
	}
	talloc_set_name_const(buf, "pdu_joined_string");
	if (sl_ber_get_octets_copy(&s->d, t, buf, t->len, &n) != SL_BER_OK)
		return -1;
	b->p = buf;
	b->n = n;
	return 0;
}

int sl_pd_bytes(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max,
		struct sl_pdu_bytes *b, const char *what)
{
	if (t->constructed && s->d.mode == SL_BER_MODE_BER) {
		if (join_octets(s, t, b, what))
			return -1;
	} else if (sl_pd_form(s, t, false, what) || sl_ber_get_octets(&s->d, t, &b->p, &b->n) != SL_BER_OK) {
		return -1;
	}
	if (b->n < min || b->n > max)
		return sl_pd_bad(s, t, "%s of %zu octets, allowed %zu..%zu", what, b->n, min, max);
	return 0;
}

int sl_pd_text(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint32_t string_tag, struct sl_pdu_bytes *b,
	       const char *what)
{
	const char *p;
	size_t bad;

	if (t->constructed && s->d.mode == SL_BER_MODE_BER) {
		if (join_octets(s, t, b, what))
			return -1;
		if (!sl_ber_text_valid(string_tag, b->p, b->n, &bad))
			return sl_pd_bad(s, t, "byte 0x%02x not valid in %s", b->p[bad], what);
		return 0;
	}
	if (sl_pd_form(s, t, false, what) || sl_ber_get_text(&s->d, t, string_tag, &p, &b->n) != SL_BER_OK)
		return -1;
	b->p = (const uint8_t *)p;
	return 0;
}

int sl_pd_printable(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max, char *buf,
		    size_t cap, const char *what)
{
	const char *p;
	size_t n, bad;

	if (t->constructed && s->d.mode == SL_BER_MODE_BER) {
		/* joined in place; longer than cap - 1 is out of SIZE anyway */
		if (sl_ber_get_octets_copy(&s->d, t, (uint8_t *)buf, cap - 1, &n) != SL_BER_OK) {
			if (s->d.err.code == SL_BER_E_LIMIT)
				return sl_pd_bad(s, t, "%s longer than %zu characters", what, max);
			return -1;
		}
		if (!sl_ber_text_valid(SL_BER_TAG_PRINTABLE_STRING, (const uint8_t *)buf, n, &bad))
			return sl_pd_bad(s, t, "byte 0x%02x not valid in %s", (uint8_t)buf[bad], what);
		if (n < min || n > max)
			return sl_pd_bad(s, t, "%s of %zu characters, allowed %zu..%zu", what, n, min, max);
		buf[n] = '\0';
		return 0;
	}
	if (sl_pd_form(s, t, false, what)
	    || sl_ber_get_text(&s->d, t, SL_BER_TAG_PRINTABLE_STRING, &p, &n) != SL_BER_OK)
		return -1;
	if (n < min || n > max || n >= cap)
		return sl_pd_bad(s, t, "%s of %zu characters, allowed %zu..%zu", what, n, min, max);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/*
 * X.680 46.3: YYYYMMDDhh[mm[ss[(.|,)f+]]] then 'Z', +hhmm/-hhmm or nothing
 * (asn1/ber_time.c parses all of them in BER mode; a constructed time,
 * VisibleString underneath, is joined there).
 */
int sl_pd_gentime_zone(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, struct sl_pdu_time *tm)
{
	struct sl_ber_time bt;

	if ((t->constructed && s->d.mode == SL_BER_MODE_DER && sl_pd_form(s, t, false, "GeneralizedTime"))
	    || sl_ber_get_generalized_time(&s->d, t, &bt) != SL_BER_OK)
		return -1;
	if (bt.sec < 0 || (uint64_t)bt.sec > UINT64_MAX / 1000000u - 1)
		return sl_pd_bad(s, t, "time before 1970 or beyond the 64-bit microsecond range");
	tm->us = (uint64_t)bt.sec * 1000000u + bt.usec;
	tm->tz = bt.tz == SL_BER_TZ_LOCAL ? SL_PDU_TZ_LOCAL : bt.tz == SL_BER_TZ_OFFSET ? SL_PDU_TZ_OFFSET
											: SL_PDU_TZ_UTC;
	tm->offset_min = bt.utc_offset;
	return 0;
}

int sl_pd_gentime(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint64_t *us)
{
	struct sl_pdu_time tm;

	if (sl_pd_gentime_zone(s, t, &tm))
		return -1;
	*us = tm.us;
	return 0;
}

void sl_pd_undecoded(const struct sl_ber_tlv *t, const char *where, struct sl_pdu_undecoded *u)
{
	u->where = where;
	u->cls = t->cls;
	u->tag = t->tag;
	u->len = t->len;
}

int sl_pd_oid(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, char *buf, size_t cap)
{
	if (sl_pd_form(s, t, false, "OBJECT IDENTIFIER"))
		return -1;
	return sl_ber_get_oid_text(&s->d, t, buf, cap) == SL_BER_OK ? 0 : -1;
}
