/*
 * DER writer (X.690 clauses 8 and 10-11), filling a buffer from its end.
 *
 * Why backwards: a constructed value's length octets come before its
 * content, and their own size depends on the content length. Writing the
 * content first, from the end of the buffer, means the length is known by
 * the time the header is prepended, so nothing is measured twice and
 * nothing is moved. The price is that the caller writes the components of
 * a SEQUENCE in reverse order, which the PDU builders accept in exchange
 * for one pass per PDU over its variable fields, the constant parts being
 * prepended as pre-encoded templates (sl_ber_w_raw).
 *
 * Each primitive reserves its whole TLV with one bounds check and fills it
 * forwards, so a value is either written completely or not at all.
 * Nothing outside buf[0..cap) is ever touched: every reservation compares
 * the request against the room left (n > cap - len) before any pointer is
 * formed, and after the first failure nothing more is written.
 */
#include "asn1/ber_encode.h"
#include "asn1/oid.h"

#include <string.h>

void sl_ber_w_init(struct sl_ber_w *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->overflow = false;
	w->invalid = false;
}

void sl_ber_w_reset(struct sl_ber_w *w)
{
	w->len = 0;
	w->overflow = false;
	w->invalid = false;
}

bool sl_ber_w_result(const struct sl_ber_w *w, const uint8_t **p, size_t *n)
{
	if (!sl_ber_w_ok(w)) {
		*p = NULL;
		*n = 0;
		return false;
	}
	*p = w->len ? w->buf + (w->cap - w->len) : w->buf;
	*n = w->len;
	return true;
}

size_t sl_ber_w_copy_out(const struct sl_ber_w *w, void *dst, size_t cap)
{
	const uint8_t *p;
	size_t n;

	if (!sl_ber_w_result(w, &p, &n) || n > cap || n == 0)
		return 0;
	memcpy(dst, p, n);
	return n;
}

/* Count n more bytes without writing them (after an error), saturating. */
static void count_only(struct sl_ber_w *w, size_t n)
{
	w->len = n > SIZE_MAX - w->len ? SIZE_MAX : w->len + n;
}

static inline uint8_t *prepend(struct sl_ber_w *w, size_t n)
{
	if (w->overflow || w->invalid) {
		count_only(w, n);
		return NULL;
	}
	if (n > w->cap - w->len) {
		w->overflow = true;
		count_only(w, n);
		return NULL;
	}
	w->len += n;
	return w->buf + (w->cap - w->len);
}

uint8_t *sl_ber_w_reserve(struct sl_ber_w *w, size_t n)
{
	return prepend(w, n);
}

void sl_ber_w_raw(struct sl_ber_w *w, const void *p, size_t n)
{
	uint8_t *dst;

	if (n == 0)
		return;
	dst = prepend(w, n);
	if (dst)
		memcpy(dst, p, n);
}

/* Class must be one of the four identifier-octet values; universal 0 is EOC. */
static bool tag_ok(uint8_t cls, uint32_t tag)
{
	return (cls & 0x3F) == 0 && tag <= SL_BER_TAG_MAX && !(cls == SL_BER_UNIVERSAL && tag == 0);
}

static inline size_t tag_size(uint32_t tag)
{
	size_t k = 1;

	if (tag < 31)
		return 1;
	while (tag >= 0x80) {
		tag >>= 7;
		k++;
	}
	return 1 + k;
}

/* X.690 10.1: the definite form in the fewest octets. */
static inline size_t len_size(size_t len)
{
	size_t k = 0;

	if (len < 0x80)
		return 1;
	while (len) {
		len >>= 8;
		k++;
	}
	return 1 + k;
}

/* Write identifier and length octets forwards at p; sizes precomputed. */
static inline void put_header(uint8_t *p, uint8_t cls, bool constructed, uint32_t tag,
			      size_t tsz, size_t len, size_t lsz)
{
	uint8_t id = (uint8_t)(cls | (constructed ? 0x20 : 0));
	size_t i;

	if (tsz == 1) {
		p[0] = (uint8_t)(id | tag);
	} else {
		uint32_t t = tag;

		p[0] = (uint8_t)(id | 0x1F);
		for (i = tsz - 1; i >= 1; i--) {
			p[i] = (uint8_t)((t & 0x7F) | (i == tsz - 1 ? 0 : 0x80));
			t >>= 7;
		}
	}
	p += tsz;
	if (lsz == 1) {
		p[0] = (uint8_t)len;
	} else {
		p[0] = (uint8_t)(0x80 | (lsz - 1));
		for (i = lsz - 1; i >= 1; i--) {
			p[i] = (uint8_t)(len & 0xFF);
			len >>= 8;
		}
	}
}

void sl_ber_w_header(struct sl_ber_w *w, uint8_t cls, bool constructed, uint32_t tag, size_t len)
{
	size_t tsz, lsz;
	uint8_t *p;

	if (!tag_ok(cls, tag)) {
		w->invalid = true;
		return;
	}
	tsz = tag_size(tag);
	lsz = len_size(len);
	p = prepend(w, tsz + lsz);
	if (p)
		put_header(p, cls, constructed, tag, tsz, len, lsz);
}

void sl_ber_w_close(struct sl_ber_w *w, size_t mark, uint8_t cls, uint32_t tag)
{
	if (mark > w->len) {
		w->invalid = true;
		return;
	}
	sl_ber_w_header(w, cls, true, tag, w->len - mark);
}

/* Reserve a whole primitive TLV; returns where its content goes, or NULL. */
static uint8_t *prim(struct sl_ber_w *w, uint8_t cls, uint32_t tag, size_t clen)
{
	size_t tsz, lsz;
	uint8_t *p;

	if (!tag_ok(cls, tag)) {
		w->invalid = true;
		return NULL;
	}
	tsz = tag_size(tag);
	lsz = len_size(clen);
	if (clen > SIZE_MAX - tsz - lsz) {
		w->overflow = true;
		return NULL;
	}
	p = prepend(w, tsz + lsz + clen);
	if (!p)
		return NULL;
	put_header(p, cls, false, tag, tsz, clen, lsz);
	return p + tsz + lsz;
}

/* Big-endian low n octets of u. */
static inline void put_be(uint8_t *c, uint64_t u, size_t n)
{
	while (n-- > 0) {
		c[n] = (uint8_t)u;
		u >>= 8;
	}
}

/*
 * X.690 8.3.2: the fewest two's-complement octets, i.e. the bits of the
 * magnitude (of ~v when negative) plus one sign bit, rounded up to octets.
 */
void sl_ber_w_int64(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t v)
{
	uint64_t u = (uint64_t)v, m = v < 0 ? ~u : u;
	size_t n = m ? (size_t)(65 - __builtin_clzll(m) + 7) / 8 : 1;
	uint8_t *c = prim(w, cls, tag, n);

	if (c)
		put_be(c, u, n);
}

/* As int64, with a leading zero octet when the top bit is set (up to 9 octets). */
void sl_ber_w_uint64(struct sl_ber_w *w, uint8_t cls, uint32_t tag, uint64_t v)
{
	size_t n = v ? (size_t)(65 - __builtin_clzll(v) + 7) / 8 : 1;
	uint8_t *c = prim(w, cls, tag, n);

	if (!c)
		return;
	if (n == 9) {
		c[0] = 0;
		put_be(c + 1, v, 8);
	} else {
		put_be(c, v, n);
	}
}

void sl_ber_w_enum(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t v)
{
	sl_ber_w_int64(w, cls, tag, v);
}

/* X.690 11.1: DER TRUE is all ones. */
void sl_ber_w_bool(struct sl_ber_w *w, uint8_t cls, uint32_t tag, bool v)
{
	uint8_t *c = prim(w, cls, tag, 1);

	if (c)
		c[0] = v ? 0xFF : 0x00;
}

void sl_ber_w_null(struct sl_ber_w *w, uint8_t cls, uint32_t tag)
{
	(void)prim(w, cls, tag, 0);
}

void sl_ber_w_octets(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const void *p, size_t n)
{
	uint8_t *c = prim(w, cls, tag, n);

	if (c && n)
		memcpy(c, p, n);
}

void sl_ber_w_text(struct sl_ber_w *w, uint8_t cls, uint32_t tag, uint32_t string_tag,
		   const void *p, size_t n)
{
	if (!sl_ber_text_valid(string_tag, p, n, NULL)) {
		w->invalid = true;
		return;
	}
	sl_ber_w_octets(w, cls, tag, p, n);
}

void sl_ber_w_utf8(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const void *p, size_t n)
{
	sl_ber_w_text(w, cls, tag, SL_BER_TAG_UTF8_STRING, p, n);
}

/* X.690 8.6.2 and 11.2.1: initial octet counts unused bits, which are zero. */
void sl_ber_w_bitstring(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const void *bits,
			size_t nbits)
{
	size_t nbytes = nbits / 8 + (nbits % 8 != 0);
	unsigned unused = (unsigned)(nbytes * 8 - nbits);
	uint8_t *c;

	if (nbytes == SIZE_MAX) {
		w->overflow = true;
		return;
	}
	c = prim(w, cls, tag, nbytes + 1);
	if (!c)
		return;
	c[0] = (uint8_t)unused;
	if (nbytes) {
		memcpy(c + 1, bits, nbytes);
		c[nbytes] &= (uint8_t)(0xFF << unused);
	}
}

void sl_ber_w_oid(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const uint32_t *arcs, size_t n)
{
	size_t clen = sl_ber_oid_encoded_len(arcs, n);
	uint8_t *c;

	if (clen == 0) {
		w->invalid = true;
		return;
	}
	c = prim(w, cls, tag, clen);
	if (c)
		(void)sl_ber_oid_encode(arcs, n, c, clen);
}

void sl_ber_w_oid_text(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const char *dotted)
{
	uint32_t arcs[SL_BER_OID_MAX_ARCS];
	size_t n;

	if (sl_ber_oid_parse(dotted, arcs, SL_BER_OID_MAX_ARCS, &n) != SL_BER_OK) {
		w->invalid = true;
		return;
	}
	sl_ber_w_oid(w, cls, tag, arcs, n);
}

void sl_ber_w_generalized_time(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t sec,
			       uint32_t usec, unsigned digits)
{
	char text[SL_BER_GENTIME_TEXT_MAX];
	size_t n = sl_ber_gentime_format(sec, usec, digits, text);

	if (n == 0) {
		w->invalid = true;
		return;
	}
	sl_ber_w_octets(w, cls, tag, text, n);
}

void sl_ber_w_utc_time(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t sec)
{
	char text[SL_BER_UTCTIME_TEXT_MAX];
	size_t n = sl_ber_utctime_format(sec, text);

	if (n == 0) {
		w->invalid = true;
		return;
	}
	sl_ber_w_octets(w, cls, tag, text, n);
}
