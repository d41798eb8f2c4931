/*
 * DER writer: encodes backwards into a caller-provided buffer.
 *
 * Values are prepended, from the end of the buffer towards its start, so
 * the length of a constructed value is known when its header is written:
 * one pass, no length patching, no memmove. Children of a SEQUENCE are
 * therefore written last to first:
 *
 *	size_t m = sl_ber_w_mark(w);
 *	sl_ber_w_int64(w, SL_BER_CONTEXT, 4, seq);          // last component
 *	sl_ber_w_raw(w, tpl->li_header, tpl->li_header_len); // constant, once per warrant
 *	sl_ber_w_close(w, m, SL_BER_CONTEXT, 1);             // [1] { ... }
 *
 * Constant subtrees (OIDs, LIID, country codes, operator ids) are encoded
 * once per warrant with the same writer into a scratch buffer, copied out
 * (sl_ber_w_result + the caller's allocator), and prepended per PDU with
 * sl_ber_w_raw, so a PDU costs one pass over its variable fields.
 *
 * Errors are sticky and nothing is ever written outside buf[0..cap). After
 * an overflow the writer keeps counting what the encoding would need
 * (sl_ber_w_needed), so a sizing pass over a NULL buffer of capacity 0
 * gives the exact size of a template. An invalid argument (bad class, tag
 * above SL_BER_TAG_MAX, malformed OID, invalid string, unrepresentable
 * time, close without a matching mark) poisons the result the same way.
 *
 * Every element takes an explicit class and tag number: implicit tagging
 * is just the caller passing the context tag instead of the universal one;
 * explicit tagging is a mark/close around the inner element.
 *
 * Output is DER: definite lengths in the fewest octets, INTEGER in the
 * fewest octets, BOOLEAN TRUE as 0xFF, tag numbers >= 31 in the
 * high-tag-number form, BIT STRING unused bits zeroed, GeneralizedTime in
 * UTC without trailing fraction zeros. DER rules above the encoding level
 * are the caller's business: omitting DEFAULT values, and SET OF order,
 * for which sl_ber_w_sort_set_of() is the tool.
 */
#pragma once

#include "asn1/ber.h"
#include "asn1/ber_time.h"

struct sl_ber_w {
	uint8_t *buf;  /* caller's buffer; output ends at buf + cap */
	size_t cap;
	/*
	 * Bytes the encoding holds so far, counted from the end. While ok,
	 * the output is buf[cap - len .. cap). Counting from the end (rather
	 * than keeping a write position) makes marks independent of the
	 * buffer and lets counting continue past an overflow.
	 */
	size_t len;
	bool overflow; /* sticky: the buffer was too small */
	bool invalid;  /* sticky: an argument could not be encoded */
};

/* Start writing into buf[0..cap). buf may be NULL with cap 0 (sizing pass). */
void sl_ber_w_init(struct sl_ber_w *w, void *buf, size_t cap);
/* Forget everything written and clear the errors; same buffer. */
void sl_ber_w_reset(struct sl_ber_w *w);

static inline bool sl_ber_w_ok(const struct sl_ber_w *w)
{
	return !w->overflow && !w->invalid;
}

/* Bytes the encoding needs so far, also after an overflow (not after invalid). */
static inline size_t sl_ber_w_needed(const struct sl_ber_w *w)
{
	return w->len;
}

/*
 * The encoding: *p points into the caller's buffer (valid as long as it
 * is), *n its length. False, with *p = NULL and *n = 0, after any error.
 */
bool sl_ber_w_result(const struct sl_ber_w *w, const uint8_t **p, size_t *n);

/*
 * Copy the encoding to dst (for templates kept beyond the scratch buffer).
 * Returns the length, or 0 after an error or if it does not fit in cap.
 */
size_t sl_ber_w_copy_out(const struct sl_ber_w *w, void *dst, size_t cap);

/*
 * Prepend n uninitialised bytes and return where they start, for content
 * the caller writes itself (e.g. gathering a packet from fragments). NULL
 * after any error or if they do not fit; the count still grows by n.
 */
uint8_t *sl_ber_w_reserve(struct sl_ber_w *w, size_t n);

/* Prepend pre-encoded bytes, typically a template made once per warrant. */
void sl_ber_w_raw(struct sl_ber_w *w, const void *p, size_t n);

/* Prepend identifier and length octets for a value of len content bytes. */
void sl_ber_w_header(struct sl_ber_w *w, uint8_t cls, bool constructed, uint32_t tag, size_t len);

/* Remember the current end of the children of a constructed value. */
static inline size_t sl_ber_w_mark(const struct sl_ber_w *w)
{
	return w->len;
}

/*
 * Prepend the constructed header for everything written since mark. Marks
 * nest like parentheses: close the inner one first.
 */
void sl_ber_w_close(struct sl_ber_w *w, size_t mark, uint8_t cls, uint32_t tag);

/*
 * Put the components written since mark (each a complete TLV) in DER SET
 * OF order (X.690 11.6), in place; call it before closing the SET.
 * Nothing happens in a sizing or failed pass (the order changes no
 * length); components that do not frame, or more than 64, poison w.
 * (ber_encode_set.c)
 */
void sl_ber_w_sort_set_of(struct sl_ber_w *w, size_t mark);

/* Primitive values: each prepends identifier, length and content octets. */
void sl_ber_w_int64(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t v);
void sl_ber_w_uint64(struct sl_ber_w *w, uint8_t cls, uint32_t tag, uint64_t v);
/* ENUMERATED is an INTEGER on the wire; a separate name reads better. */
void sl_ber_w_enum(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t v);
void sl_ber_w_bool(struct sl_ber_w *w, uint8_t cls, uint32_t tag, bool v);
void sl_ber_w_null(struct sl_ber_w *w, uint8_t cls, uint32_t tag);
void sl_ber_w_octets(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const void *p, size_t n);

/*
 * Restricted character string; string_tag names its character set
 * (SL_BER_TAG_UTF8_STRING, _PRINTABLE_, _NUMERIC_, _IA5_, _VISIBLE_STRING),
 * which is checked: content outside it marks the writer invalid.
 */
void sl_ber_w_text(struct sl_ber_w *w, uint8_t cls, uint32_t tag, uint32_t string_tag,
		   const void *p, size_t n);
/* UTF8String content, checked for well-formed UTF-8. */
void sl_ber_w_utf8(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const void *p, size_t n);

/* BIT STRING of nbits bits, first bit in the high bit of bits[0]; pad bits are zeroed. */
void sl_ber_w_bitstring(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const void *bits,
			size_t nbits);

/* OBJECT IDENTIFIER from an arc array (see oid.h for the validity rules). */
void sl_ber_w_oid(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const uint32_t *arcs, size_t n);
/*
 * OBJECT IDENTIFIER from dotted text ("0.4.0.2.2.5.1.13"). Parses every
 * time: meant for building templates, not for the per-PDU path.
 */
void sl_ber_w_oid_text(struct sl_ber_w *w, uint8_t cls, uint32_t tag, const char *dotted);

/*
 * GeneralizedTime in UTC from seconds since the epoch and microseconds,
 * with `digits` (0..6) fraction digits: 3 for milliseconds, 6 for
 * microseconds. See sl_ber_gentime_format() for the exact text.
 */
void sl_ber_w_generalized_time(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t sec,
			       uint32_t usec, unsigned digits);
/* UTCTime YYMMDDhhmmssZ, years 1950..2049 (TS 101 671 TimeStamp utcTime). */
void sl_ber_w_utc_time(struct sl_ber_w *w, uint8_t cls, uint32_t tag, int64_t sec);
