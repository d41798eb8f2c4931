/*
 * The one loop over the components of an ASN.1 SEQUENCE for the strict
 * PDU decoders (pdu_decode.c, hi2_decode.c, pdu_dec_util.c), driven by a
 * descriptor per SEQUENCE as libosmocore's tlv_parse() is driven by a
 * struct tlv_definition (pdu_decode_int.h has the descriptor types).
 *
 * Every SEQUENCE of TS 102 232-1 annex A.2, TS 102 232-5 clause 7 and
 * TS 101 671 annex D that sluice decodes has context-tagged components
 * (the modules use IMPLICIT TAGS). X.690 clause 8.9 keeps the components
 * in the order of the definition, so the decoder insists on that order:
 * a component twice or out of order is malformed, one the descriptor does
 * not list is, in a type with an extension marker (X.680 52: a later
 * version's extension addition, which a receiver of an earlier version
 * ignores), skipped whole and counted, otherwise unsupported, and a
 * mandatory one that never comes is missing. All three are reported at the offset of the TLV at fault, with
 * the names the ASN.1 modules use, so that a message can be looked up in
 * the specification.
 */
#include <stdio.h>

#include "handover/pdu_decode_int.h"

/*
 * The index in d of the component f is, or -1. In a well-formed SEQUENCE
 * it comes after the last one read (index last), so the search starts
 * there and wraps around: a repeated or out-of-order component is still
 * found, to be reported as such.
 */
static int component(const struct sl_pd_seq *d, const struct sl_ber_tlv *f, int last)
{
	unsigned i, from = (unsigned)(last + 1);

	if (f->cls != SL_BER_CONTEXT)
		return -1;
	for (i = from; i < d->n; i++)
		if (d->comp[i].tag == f->tag)
			return (int)i;
	for (i = 0; i < from && i < d->n; i++)
		if (d->comp[i].tag == f->tag)
			return (int)i;
	return -1;
}

/* The first mandatory component of d in [from, to), else keep *missing. */
static void note_missing(const struct sl_pd_seq *d, int from, int to, int *missing)
{
	int i;

	for (i = from; i < to && *missing < 0; i++)
		if (d->comp[i].mandatory)
			*missing = i;
}

/* Read f with the reader k names, into its field of out. */
static int read_component(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *f,
			  const struct sl_pd_comp *k, void *out)
{
	char *at = (char *)out + k->off;

	switch (k->kind) {
	case SL_PD_CALL:
		return k->fn(s, c, f, at);
	case SL_PD_NESTED:
		return sl_pd_seq(s, c, f, k->name, k->nested, at);
	case SL_PD_BYTES:
		return sl_pd_bytes(s, f, k->min, k->max, (struct sl_pdu_bytes *)(void *)at, k->name);
	case SL_PD_ENUM:
		return sl_pd_enum(s, f, (int64_t)k->min, (int64_t)k->max, (int *)(void *)at, k->name);
	case SL_PD_U32:
		return sl_pd_u32(s, f, (uint32_t *)(void *)at, k->name);
	case SL_PD_OID:
		return sl_pd_oid(s, f, at, k->cap);
	case SL_PD_PRINTABLE:
		return sl_pd_printable(s, f, k->min, k->max, at, k->cap, k->name);
	}
	return sl_pd_bad(s, f, "no reader for %s", k->name);
}

int sl_pd_seq(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, const char *what,
	      const struct sl_pd_seq *d, void *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	uint32_t seen = 0;
	int i, last = -1, missing = -1;
	char name[96];

	if (d->n > SL_PD_COMP_MAX)
		return sl_pd_bad(s, t, "descriptor of %s has more than %d components", d->name, SL_PD_COMP_MAX);
	if (sl_pd_form(s, t, true, what) || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		i = component(d, &f, last);
		if (i < 0 && d->extensible) {
			if (s->top)
				s->top->ext_skipped++;
			continue;
		}
		if (i < 0)
			return sl_pd_unsupported(s, &f, d->name);
		if (d->repeat == SL_PD_REPEAT_UNSUPPORTED && (seen & (UINT32_C(1) << i)))
			return sl_pd_unsupported(s, &f, d->name);
		if (i <= last) {
			sl_ber_fail(&s->d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(&f), "[%u] repeated or out of order in %s",
				    (unsigned)f.tag, d->name);
			return -1;
		}
		note_missing(d, last + 1, i, &missing);	/* skipped: reported after the last element */
		last = i;
		seen |= UINT32_C(1) << i;
		if (read_component(s, &in, &f, &d->comp[i], out))
			return -1;
	}
	note_missing(d, last + 1, (int)d->n, &missing);
	if (missing < 0)
		return 0;
	if (!d->qualify_missing)
		return sl_pd_missing(s, t, d->comp[missing].name);
	snprintf(name, sizeof(name), "%s %s", d->name, d->comp[missing].name);
	return sl_pd_missing(s, t, name);
}
