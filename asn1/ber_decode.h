/*
 * Strict BER/DER reader for untrusted input.
 *
 * A decoding session (struct sl_ber_dec) holds the input, the mode, the
 * limits and the last error; cursors (struct sl_ber_cur) are small values
 * over a region of that input. sl_ber_next() takes one TLV from a cursor;
 * sl_ber_enter() opens a cursor over a TLV's content, so children are
 * confined to their parent's content by construction. Cursors are plain
 * values: copy one to peek ahead.
 *
 *	struct sl_ber_dec d;
 *	struct sl_ber_cur top, in;
 *	struct sl_ber_tlv t;
 *
 *	sl_ber_dec_init(&d, buf, len, SL_BER_MODE_BER);
 *	top = sl_ber_dec_root(&d);
 *	if (sl_ber_next(&d, &top, &t) || sl_ber_expect(&d, &t, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE, true)
 *	    || sl_ber_enter(&d, &top, &t, &in))
 *		return report(&d.err);
 *	while (sl_ber_more(&in)) { ... sl_ber_next(&d, &in, &t) ... }
 *
 * Every function returns SL_BER_OK or an error class and records the
 * error in d->err with the byte offset from the start of the input and a
 * message naming the failed check, e.g. "offset 0x2a: length 300 exceeds
 * the 12 bytes left". Decoders built on this one report their own
 * findings through sl_ber_fail() so all messages look alike.
 *
 * Modes: SL_BER_MODE_DER rejects everything X.690 clause 10-11 forbids
 * at the encoding level: indefinite length, length octets not in their
 * fewest form, INTEGER with redundant leading octets, BOOLEAN other than
 * 0x00/0xFF, constructed strings, non-UTC or trailing-zero times.
 * SL_BER_MODE_BER accepts what other vendors' BER encoders emit: the
 * indefinite form for constructed values, long or padded length octets,
 * redundant INTEGER sign octets (stripped before the 64-bit check), any
 * non-zero BOOLEAN, constructed (segmented) strings through
 * sl_ber_get_octets_copy(), and local or offset times. Both modes reject
 * what X.690 forbids in BER itself: indefinite length on a primitive
 * value, the reserved length octet 0xFF, tag numbers below 31 in the
 * high-tag form or with a leading 0x80 octet, OID subidentifiers with a
 * leading 0x80, end-of-contents outside an indefinite value, and the
 * wrong form for universal types (a constructed INTEGER, a primitive
 * SEQUENCE).
 *
 * Not checked (above the encoding level): SET and SET OF ordering, DEFAULT
 * values left in, named-bit trailing zeros in BIT STRING.
 */
#pragma once

#include "asn1/ber.h"
#include "asn1/ber_time.h"

#define SL_BER_DEFAULT_MAX_DEPTH 32
/* Cap on max_depth: the walker keeps one cursor per level on the stack. */
#define SL_BER_MAX_DEPTH_CAP 256
#define SL_BER_DEFAULT_MAX_LEN ((size_t)64 * 1024 * 1024)

enum sl_ber_mode {
	SL_BER_MODE_DER,
	SL_BER_MODE_BER,
};

/* The last decoding error, with where it happened. */
struct sl_ber_error {
	enum sl_ber_err code;
	size_t offset; /* from the start of the input given to sl_ber_dec_init() */
	/*
	 * For SL_BER_E_TRUNCATED at the top level: bytes the value needs from
	 * its first octet (0 if not yet known, e.g. header cut short or
	 * indefinite length) and bytes available from there. A stream reader
	 * waits until it has `need` bytes.
	 */
	size_t need, have;
	char msg[96]; /* what failed, without the offset: "length 300 exceeds the 12 bytes left" */
};

struct sl_ber_dec {
	const uint8_t *base; /* the input; offsets are relative to it */
	size_t size;
	enum sl_ber_mode mode;
	unsigned max_depth; /* values nested deeper than this are refused; <= SL_BER_MAX_DEPTH_CAP */
	size_t max_len;     /* longest value (content octets) accepted */
	struct sl_ber_error err;
};

/* A region of the input that yields TLVs. */
struct sl_ber_cur {
	const uint8_t *p;
	size_t left;
	unsigned depth; /* enclosing constructed values of the TLVs it yields (0 at the top) */
};

/* One decoded TLV; val points into the input. */
struct sl_ber_tlv {
	uint8_t cls; /* enum sl_ber_class */
	bool constructed;
	bool indefinite; /* BER indefinite form: len excludes the end-of-contents octets */
	uint32_t tag;
	const uint8_t *val;
	size_t len;     /* content octets */
	size_t hdr_len; /* identifier + length octets */
};

/* Start a session over buf[0..len) with default limits. The caller keeps buf alive. */
void sl_ber_dec_init(struct sl_ber_dec *d, const void *buf, size_t len, enum sl_ber_mode mode);

/* A cursor over the whole input (depth 0). */
struct sl_ber_cur sl_ber_dec_root(const struct sl_ber_dec *d);

static inline bool sl_ber_more(const struct sl_ber_cur *c)
{
	return c->left > 0;
}

/*
 * Take one TLV from c and advance c past it (past its end-of-contents for
 * the indefinite form). Checks: identifier (class, tag number <=
 * SL_BER_TAG_MAX in minimal high-tag form, form allowed for universal
 * types), length (form, mode, <= max_len, fits in what is left of c) and
 * depth (c->depth < max_depth). For the indefinite form the content is
 * scanned, without recursion, for the matching end-of-contents; inner
 * values are framed but checked fully only when read. A value running
 * past the top-level input is SL_BER_E_TRUNCATED (more bytes may
 * complete it); past its enclosing value, SL_BER_E_BAD_LENGTH. Reading
 * from an empty cursor is SL_BER_E_TRUNCATED at the top level and
 * SL_BER_E_MISSING inside a value. On error c is unchanged.
 */
enum sl_ber_err sl_ber_next(struct sl_ber_dec *d, struct sl_ber_cur *c, struct sl_ber_tlv *t);

/*
 * Cursor over t's content, one level deeper than c. For a primitive t the
 * content is read as encapsulated BER (OCTET STRING (CONTAINING ...)).
 */
enum sl_ber_err sl_ber_enter(struct sl_ber_dec *d, const struct sl_ber_cur *c,
			     const struct sl_ber_tlv *t, struct sl_ber_cur *child);

/* SL_BER_E_TRAILING (at the first extra byte) unless c is exhausted. */
enum sl_ber_err sl_ber_done(struct sl_ber_dec *d, const struct sl_ber_cur *c);

/*
 * Framing of the first TLV of the input as a stream reader needs it, in
 * a way that can be resumed: a stream whose indefinite-length value is
 * still incomplete is scanned for its end-of-contents only from where the
 * last call stopped, so a sender trickling bytes costs linear work, not a
 * rescan of everything buffered at every read. Zero r before the first
 * call for a value; call again with the same value's first octet at the
 * start of a longer input. Returns SL_BER_OK with *total (identifier,
 * length, content and end-of-contents octets), SL_BER_E_TRUNCATED (more
 * bytes needed; err.need as for sl_ber_next, 0 when unknown) or the
 * error that makes the value invalid, with the same checks as
 * sl_ber_next() at the top level.
 */
struct sl_ber_resume {
	bool started;	/* the identifier and length octets have been read */
	size_t hlen;	/* their size */
	size_t pos;	/* content octets scanned, at an element boundary */
	unsigned level;	/* indefinite-length values open at pos */
};
enum sl_ber_err sl_ber_frame_resume(struct sl_ber_dec *d, struct sl_ber_resume *r, size_t *total);

/* Read the single TLV that must fill the whole input (one PDU per buffer). */
enum sl_ber_err sl_ber_single(struct sl_ber_dec *d, struct sl_ber_tlv *t);

/*
 * SL_BER_E_BAD_TAG, naming both tags, unless t has this class, tag number
 * and form. The form check is what makes an implicitly tagged SEQUENCE
 * ([3] constructed) distinguishable from an implicitly tagged INTEGER.
 */
enum sl_ber_err sl_ber_expect(struct sl_ber_dec *d, const struct sl_ber_tlv *t, uint8_t cls,
			      uint32_t tag, bool constructed);

static inline bool sl_ber_is(const struct sl_ber_tlv *t, uint8_t cls, uint32_t tag)
{
	return t->cls == cls && t->tag == tag;
}

/* First octet of the TLV (its identifier) and its whole size incl. EOC. */
static inline const uint8_t *sl_ber_tlv_start(const struct sl_ber_tlv *t)
{
	return t->val - t->hdr_len;
}

static inline size_t sl_ber_tlv_size(const struct sl_ber_tlv *t)
{
	return t->hdr_len + t->len + (t->indefinite ? 2 : 0);
}

/* Offset of p (which must point into the input) from its start. */
static inline size_t sl_ber_offset(const struct sl_ber_dec *d, const uint8_t *p)
{
	return (size_t)(p - d->base);
}

/*
 * Record an error at `at` (a pointer into the input; NULL means the end
 * of the input) with a printf-style message, and return code. For decoders
 * built on this one: "return sl_ber_fail(d, SL_BER_E_MISSING, t.val,
 * "PSHeader without li-ID");".
 */
enum sl_ber_err sl_ber_fail(struct sl_ber_dec *d, enum sl_ber_err code, const uint8_t *at,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * "offset 0x2a: length 300 exceeds the 12 bytes left" into buf with
 * snprintf semantics; returns the length the full text needs.
 */
size_t sl_ber_error_format(const struct sl_ber_error *e, char *buf, size_t cap);

/*
 * Typed getters. They check the form (primitive, except where noted) and
 * the content octets, never the tag: implicit tagging means the tag says
 * nothing about the type, so check it with sl_ber_expect() first.
 */

/* INTEGER or ENUMERATED into int64_t; more than 64 bits is SL_BER_E_LIMIT. */
enum sl_ber_err sl_ber_get_int64(struct sl_ber_dec *d, const struct sl_ber_tlv *t, int64_t *v);
enum sl_ber_err sl_ber_get_enum(struct sl_ber_dec *d, const struct sl_ber_tlv *t, int64_t *v);
/* INTEGER in [min, max]; outside is SL_BER_E_BAD_VALUE. */
enum sl_ber_err sl_ber_get_int_range(struct sl_ber_dec *d, const struct sl_ber_tlv *t, int64_t min,
				     int64_t max, int64_t *v);
/* Non-negative INTEGER up to 2^64-1 (MicroSecondTimeStamp seconds); negative is BAD_VALUE. */
enum sl_ber_err sl_ber_get_uint64(struct sl_ber_dec *d, const struct sl_ber_tlv *t, uint64_t *v);
enum sl_ber_err sl_ber_get_bool(struct sl_ber_dec *d, const struct sl_ber_tlv *t, bool *v);
enum sl_ber_err sl_ber_get_null(struct sl_ber_dec *d, const struct sl_ber_tlv *t);

/* Primitive string content as a view into the input. */
enum sl_ber_err sl_ber_get_octets(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				  const uint8_t **p, size_t *n);
/*
 * String content copied to buf, joining the segments of a constructed
 * (BER) string, which may nest up to max_depth. Exceeding cap is LIMIT.
 */
enum sl_ber_err sl_ber_get_octets_copy(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				       uint8_t *buf, size_t cap, size_t *n);
/*
 * Restricted character string (primitive) checked against the character
 * set of string_tag (see sl_ber_text_valid); types it does not know are
 * SL_BER_E_LIMIT. The view is not NUL-terminated.
 */
enum sl_ber_err sl_ber_get_text(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				uint32_t string_tag, const char **p, size_t *n);
/*
 * BIT STRING: *bits points at the nbytes content octets after the initial
 * octet, *unused is the count of pad bits in the last one. DER requires
 * the pad bits to be zero.
 */
enum sl_ber_err sl_ber_get_bitstring(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				     const uint8_t **bits, size_t *nbytes, unsigned *unused);
/* OBJECT IDENTIFIER into at most max arcs (see oid.h for the checks). */
enum sl_ber_err sl_ber_get_oid(struct sl_ber_dec *d, const struct sl_ber_tlv *t, uint32_t *arcs,
			       size_t max, size_t *n);
/* OBJECT IDENTIFIER as NUL-terminated dotted text; too small a buffer is LIMIT. */
enum sl_ber_err sl_ber_get_oid_text(struct sl_ber_dec *d, const struct sl_ber_tlv *t, char *buf,
				    size_t cap);
/* GeneralizedTime and UTCTime (see ber_time.h for the DER/BER rules). */
enum sl_ber_err sl_ber_get_generalized_time(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
					    struct sl_ber_time *out);
enum sl_ber_err sl_ber_get_utc_time(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				    struct sl_ber_time *out);

/*
 * Walk every TLV of cursor c depth-first, calling fn for each before its
 * children. fn returns SL_BER_WALK_DESCEND to visit a constructed value's
 * children, SL_BER_WALK_SKIP to skip them, or SL_BER_WALK_STOP to end the
 * walk (which then returns SL_BER_OK). Returns the first framing error.
 * Iterative, with at most max_depth cursors on the stack.
 */
enum sl_ber_walk_ret {
	SL_BER_WALK_DESCEND,
	SL_BER_WALK_SKIP,
	SL_BER_WALK_STOP,
};

typedef enum sl_ber_walk_ret (*sl_ber_visit_fn)(void *arg, struct sl_ber_dec *d,
						const struct sl_ber_tlv *t, unsigned depth,
						size_t offset);

enum sl_ber_err sl_ber_walk(struct sl_ber_dec *d, struct sl_ber_cur c, sl_ber_visit_fn fn,
			    void *arg);
