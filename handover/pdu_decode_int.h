/*
 * Shared pieces of the strict PDU decoder (pdu_decode.c for the TS 102
 * 232-1/-5 parts, hi2_decode.c for TS 101 671): the decoding state and
 * typed readers that turn every finding into an asn1 error record with
 * its byte offset. Internal to handover/.
 */
#pragma once

#include <stddef.h>

#include "asn1/ber_decode.h"
#include "handover/pdu_decode.h"

/*
 * Nesting limit of a PDU (cursors and constructed-string segments alike):
 * our deepest PDU (an ETSI671IRI with a party's identity) nests 13 deep.
 */
#define SL_PDU_DEC_MAX_DEPTH SL_BER_DEFAULT_MAX_DEPTH

/* pdu_dec_count.c: the per-process outcome counters of sl_pdu_decode(). */
void sl_pdu_dec_count(const struct sl_pdu_decoded *out);
void sl_pdu_dec_count_reject(enum sl_pdu_dec_ctr why);

struct sl_pdu_dec {
	struct sl_ber_dec d;
	bool unsupported;	/* the failure is "well-formed, not something we decode" */
	void *ctx;		/* talloc parent of joined constructed strings; NULL: refuse them */
	struct sl_pdu_decoded *top; /* the PDU being decoded: counts skipped extensions */
};

/* Every reader returns 0 or -1 with s->d.err set. */
int sl_pd_bad(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sl_pd_unsupported(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const char *what);
int sl_pd_missing(struct sl_pdu_dec *s, const struct sl_ber_tlv *parent, const char *what);
int sl_pd_next(struct sl_pdu_dec *s, struct sl_ber_cur *c, struct sl_ber_tlv *t);
int sl_pd_enter(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		struct sl_ber_cur *in);
int sl_pd_done(struct sl_pdu_dec *s, const struct sl_ber_cur *c);
/* A context-tagged child whose form must be cons. */
int sl_pd_form(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, bool cons, const char *what);
/* Enter the single alternative of an explicitly tagged CHOICE. */
int sl_pd_choice(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		 struct sl_ber_tlv *alt);
/* The same where we decode one alternative, [tag]; another is unsupported in what. */
int sl_pd_choice_only(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, uint32_t tag,
		      const char *what, struct sl_ber_tlv *alt);
int sl_pd_enum(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, int64_t min, int64_t max, int *v,
	       const char *what);
int sl_pd_u32(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint32_t *v, const char *what);
int sl_pd_bytes(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max,
		struct sl_pdu_bytes *b, const char *what);
/* A restricted character string (string_tag: its universal type) as a view; segmented ones joined. */
int sl_pd_text(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint32_t string_tag, struct sl_pdu_bytes *b,
	       const char *what);
/* PrintableString of min..max chars into a NUL-terminated buffer of cap > max. */
int sl_pd_printable(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max, char *buf,
		    size_t cap, const char *what);
int sl_pd_gentime(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint64_t *us);
/* The same, keeping the zone as sent (struct sl_pdu_time). */
int sl_pd_gentime_zone(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, struct sl_pdu_time *tm);
/* Record t as undecoded (tag, length) in u, named by where it stands. */
void sl_pd_undecoded(const struct sl_ber_tlv *t, const char *where, struct sl_pdu_undecoded *u);
int sl_pd_oid(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, char *buf, size_t cap);

/*
 * Table-driven SEQUENCE decoding (pdu_seq.c), as libosmocore's
 * tlv_parse() walks a struct tlv_definition: one descriptor per ASN.1
 * SEQUENCE lists its context-tagged components in the order of the
 * definition, each with its name as in the ASN.1 module, whether it is
 * mandatory, and what reads it: a typed reader into a field of the output
 * (the SL_PD_* macros below check the field's type at compile time), a
 * handler, or the descriptor of a nested SEQUENCE. sl_pd_seq() is the one
 * loop over the elements.
 */
enum sl_pd_kind {
	SL_PD_CALL,		/* fn(s, c, t, out + off) */
	SL_PD_NESTED,		/* a SEQUENCE: sl_pd_seq(nested, out + off), named by the component */
	SL_PD_BYTES,		/* OCTET STRING (SIZE (min..max)) into a struct sl_pdu_bytes */
	SL_PD_ENUM,		/* ENUMERATED min..max into an int */
	SL_PD_U32,		/* INTEGER (0..4294967295) into a uint32_t */
	SL_PD_OID,		/* OBJECT IDENTIFIER as dotted text into char[cap] */
	SL_PD_PRINTABLE,	/* PrintableString (SIZE (min..max)) into char[cap] */
};

/* What a repeated component is: out of order (malformed), or an unsupported extra. */
enum sl_pd_repeat {
	SL_PD_REPEAT_MALFORMED,
	SL_PD_REPEAT_UNSUPPORTED,
};

typedef int (*sl_pd_fn)(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out);

struct sl_pd_seq;

struct sl_pd_comp {
	uint32_t tag;			/* context-specific tag number */
	const char *name;		/* component name in the ASN.1 module */
	bool mandatory;
	enum sl_pd_kind kind;
	size_t off;			/* of the output field within out */
	size_t min, max;		/* BYTES, PRINTABLE: SIZE; ENUM: value range (non-negative) */
	size_t cap;			/* OID, PRINTABLE: size of the char array */
	sl_pd_fn fn;			/* CALL */
	const struct sl_pd_seq *nested;	/* NESTED */
};

struct sl_pd_seq {
	const char *name;		/* the type, as error messages name it */
	const struct sl_pd_comp *comp;	/* in the order of the definition */
	unsigned n;			/* at most SL_PD_COMP_MAX */
	enum sl_pd_repeat repeat;
	/*
	 * The type has an extension marker ("..."): a component the table
	 * does not list is an extension addition of a later version, skipped
	 * whole and counted in top->ext_skipped, not an error.
	 */
	bool extensible;
	bool qualify_missing;		/* "<name> <component> missing", else "<component> missing" */
};

#define SL_PD_COMP_MAX 32
#define SL_PD_MANDATORY true
#define SL_PD_OPTIONAL false
#define SL_PD_COMPONENTS(a) (a), (unsigned)(sizeof(a) / sizeof((a)[0]))

/* offsetof(T, f), refused at compile time unless f has type `type` (arrays as pointers). */
#define SL_PD_FIELD(T, f, type) (offsetof(T, f) + 0 * sizeof(_Generic(((T *)0)->f, type: 1)))
#define SL_PD_BYTES_AT(T, f, lo, hi) \
	.kind = SL_PD_BYTES, .off = SL_PD_FIELD(T, f, struct sl_pdu_bytes), .min = (lo), .max = (hi)
#define SL_PD_ENUM_AT(T, f, lo, hi) .kind = SL_PD_ENUM, .off = SL_PD_FIELD(T, f, int), .min = (lo), .max = (hi)
#define SL_PD_U32_AT(T, f) .kind = SL_PD_U32, .off = SL_PD_FIELD(T, f, uint32_t)
#define SL_PD_OID_AT(T, f) .kind = SL_PD_OID, .off = SL_PD_FIELD(T, f, char *), .cap = sizeof(((T *)0)->f)
#define SL_PD_PRINTABLE_AT(T, f, lo, hi) \
	.kind = SL_PD_PRINTABLE, .off = SL_PD_FIELD(T, f, char *), .min = (lo), .max = (hi), \
	.cap = sizeof(((T *)0)->f)
#define SL_PD_CALL_WITH(handler) .kind = SL_PD_CALL, .fn = (handler)
/* A handler given the field f (of type `type`) of out rather than out itself. */
#define SL_PD_CALL_ON(T, f, type, handler) .kind = SL_PD_CALL, .off = SL_PD_FIELD(T, f, type), .fn = (handler)
#define SL_PD_NESTED_SEQ(d) .kind = SL_PD_NESTED, .nested = &(d)
/* A nested SEQUENCE read into the field f (of type `type`) of out. */
#define SL_PD_NESTED_ON(T, f, type, d) .kind = SL_PD_NESTED, .off = SL_PD_FIELD(T, f, type), .nested = &(d)

/*
 * Decode the SEQUENCE t (taken from c) by descriptor d into out. The
 * checks, in the order they are made, each with the offset of the TLV at
 * fault:
 *   - t is constructed ("<what> must be constructed", what names t where
 *     it stands);
 *   - each element is a context-tagged component of d ("unsupported [n]
 *     in <d->name>", -ENOTSUP), except in an extensible d, where an
 *     element it does not list is skipped and counted;
 *   - components come in the order of the definition, each at most once
 *     ("[n] repeated or out of order in <d->name>"; with
 *     SL_PD_REPEAT_UNSUPPORTED a repeat is "unsupported [n] in ...");
 *   - its reader accepts it (the reader's own message);
 *   - after the last element, the first mandatory component of the
 *     definition that did not come ("[<d->name> ]<component> missing", at
 *     t).
 * Returns 0 or -1 with s->d.err set.
 */
int sl_pd_seq(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, const char *what,
	      const struct sl_pd_seq *d, void *out);

/* Handlers (sl_pd_fn) for types both decoders use: */
/* IPAddress (TS 102 232-1 / TS 101 671, binary iP-value) into a struct sl_addr. */
int sl_pd_ip_address(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *addr);
/* TS 101 671 CommunicationIdentifier into a struct sl_hi2_ids. */
int sl_pd_hi2_comm_id(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *ids);

/* pdu_dec_header.c: the PSHeader descriptor, MicroSecondTimeStamp into a struct sl_pdu_usts,
 * an IRIPayload/CCPayload timeStamp into out->pl. */
extern const struct sl_pd_seq sl_pd_ps_header;
int sl_pd_usts(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *usts);
int sl_pd_payload_time(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out);

/* TS 101 671 TimeStamp (the explicit [n] TLV t). */
int sl_pd_hi2_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			uint64_t *us, bool *utc);
/* TS 101 671 IRI-Parameters (the TLV t, whatever its tag) into out->u.hi2. */
int sl_pd_hi2_params(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		     struct sl_pdu_decoded *out);

/* TRI optionRequest [9] or optionResponse [10] (the alternative alt) into out (pdu_dec_option.c). */
int sl_pd_tri_option(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *alt,
		     struct sl_pdu_decoded *out);
