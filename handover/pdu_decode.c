/*
 * Strict decoding of the TS 102 232-1 PS-PDU (annex A.2) and of the
 * payloads handover/ puts in it: TS 102 232-5 IPMMIRI and IPMMCC (clause
 * 7), ETSI671IRI (TS 101 671 IRI-Parameters, hi2_decode.c), the TRI
 * keep-alive, PDU acknowledgement and option negotiation messages
 * (clauses 6.3.4, 6.3.6, 6.3.5: pdu_dec_option.c) and
 * HI1 notifications (TS 101 671 annex D.4); and the dispatch for a
 * standalone TS 101 671 IRIsContent in the version11 or version18 framing.
 *
 * Every SEQUENCE is a table below (tag, ASN.1 component name, mandatory
 * or optional, reader), read by the one loop of pdu_seq.c component by
 * component in the order of its definition; a CHOICE is a handler that
 * picks the table of its alternative. A mandatory component missing, one
 * repeated or out of order, a value outside its SIZE or ENUMERATED range
 * is malformed (-EBADMSG). A payload alternative we do not interpret
 * (other services, encryptionContainer, 3GPP HI1, ...) is kept as tag and
 * length (SL_PDU_UNDECODED); in a type with an extension marker an
 * unknown component is skipped and counted; aggregated payloads (clause
 * 6.2.3) are counted and the first decoded. Both failures name the offset
 * of the offending TLV. The PSHeader is in pdu_dec_header.c.
 *
 * BER: the PDU is first read as DER (what sluice and most encoders send);
 * only if that fails it is read again as BER (X.690 8: indefinite lengths,
 * segmented strings, non-minimal lengths and integers, times with zones),
 * and out->ber records that it needed to be. The error reported is the
 * BER reading's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handover/pdu_decode_int.h"

const char *const sl_pdu_kind_names[_SL_PDU_KIND_COUNT] = {
	[SL_PDU_NONE] = "none",
	[SL_PDU_IRI_IPMM] = "iri_ipmm",
	[SL_PDU_CC_IPMM] = "cc_ipmm",
	[SL_PDU_IRI_HI2] = "iri_hi2",
	[SL_PDU_KEEPALIVE] = "keepalive",
	[SL_PDU_KEEPALIVE_RESPONSE] = "keepalive_response",
	[SL_PDU_ACK_REQUEST] = "ack_request",
	[SL_PDU_ACK_RESPONSE] = "ack_response",
	[SL_PDU_HI1] = "hi1",
	[SL_PDU_OPTION_REQUEST] = "option_request",
	[SL_PDU_OPTION_RESPONSE] = "option_response",
	[SL_PDU_OPTION_COMPLETE] = "option_complete",
	[SL_PDU_UNDECODED] = "undecoded",
};

static const uint8_t ipmm_iri_objid[] = { 5, 5, 13, 1 };
static const uint8_t ipmm_cc_objid[] = { 5, 5, 13, 2 };

/*
 * {li-ps(5) iPMultimedia(5) versionN(N) iRI(1)|cC(2)}: any version of the
 * module (TS 102 232-5 keeps its structures backwards compatible), with
 * the version arc in one octet (versions below 128).
 */
static int relative_oid(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const uint8_t *want, size_t n,
			const char *what)
{
	struct sl_pdu_bytes b;

	if (sl_pd_bytes(s, t, 1, 64, &b, what))
		return -1;
	if (b.n != n || memcmp(b.p, want, 2) != 0 || b.p[2] >= 0x80 || b.p[3] != want[3])
		return sl_pd_unsupported(s, t, what);
	return 0;
}

/* TS 102 232-5 SIPMessage (clause 5.2.7). */
static const struct sl_pd_comp sip_message_comp[] = {
	{ 0, "iPSourceAddress", SL_PD_MANDATORY,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.ipmm_iri.src, struct sl_addr, sl_pd_ip_address) },
	{ 1, "iPDestinationAddress", SL_PD_MANDATORY,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.ipmm_iri.dst, struct sl_addr, sl_pd_ip_address) },
	{ 2, "sIPContent", SL_PD_MANDATORY, SL_PD_BYTES_AT(struct sl_pdu_decoded, u.ipmm_iri.sip, 0, SIZE_MAX) },
};
static const struct sl_pd_seq sip_message = {
	.name = "SIPMessage", SL_PD_COMPONENTS(sip_message_comp),
};

static int ipmm_iri_objid_check(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
				void *out)
{
	return relative_oid(s, t, ipmm_iri_objid, sizeof(ipmm_iri_objid), "iPMMIRIObjId");
}

/* IPIRIContents: sIPMessage [1] or iRIOnlySIPMessage [6]. */
static int ipmm_iri_contents(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag != 1 && alt.tag != 6) {
		o->kind = SL_PDU_UNDECODED;
		sl_pd_undecoded(&alt, "IPIRIContents", &o->u.undecoded);
		return 0;
	}
	o->u.ipmm_iri.iri_only = alt.tag == 6;
	return sl_pd_seq(s, c, &alt, "SIPMessage", &sip_message, out);
}

/* TS 102 232-5 IPMMIRI (clause 5.2). */
static const struct sl_pd_comp ipmm_iri_comp[] = {
	{ 0, "iPMMIRIObjId", SL_PD_MANDATORY, SL_PD_CALL_WITH(ipmm_iri_objid_check) },
	{ 1, "iPMMIRIContents", SL_PD_MANDATORY, SL_PD_CALL_WITH(ipmm_iri_contents) },
};
static const struct sl_pd_seq ipmm_iri = {
	.name = "IPMMIRI", SL_PD_COMPONENTS(ipmm_iri_comp), .extensible = true,
};

static int etsi671_iri(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       struct sl_pdu_decoded *out)
{
	struct sl_ber_tlv alt;

	out->kind = SL_PDU_IRI_HI2;
	if (sl_pd_choice_only(s, c, t, 0, "ETSI671IRI", &alt) || sl_pd_hi2_params(s, c, &alt, out))
		return -1;
	out->u.hi2.iri.type = out->iri_type;
	return 0;
}

/*
 * The one payload of an iRIPayloadSequence or cCPayloadSequence t (named
 * seq_name), read with d (IRIPayload or CCPayload): sluice never
 * aggregates, so a second element is reported unsupported.
 */
static int one_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       const char *seq_name, const struct sl_pd_seq *d, struct sl_pdu_decoded *out)
{
	struct sl_ber_cur seq;
	struct sl_ber_tlv p, extra;

	if (sl_pd_form(s, t, true, seq_name) || sl_pd_enter(s, c, t, &seq))
		return -1;
	if (!sl_ber_more(&seq))
		return sl_pd_missing(s, t, d->name);
	if (sl_pd_next(s, &seq, &p)
	    || sl_ber_expect(&s->d, &p, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE, true) != SL_BER_OK)
		return -1;
	out->n_payloads = 1;
	while (sl_ber_more(&seq)) {
		/* clause 6.2.3 aggregation: framed and counted, not decoded */
		if (sl_pd_next(s, &seq, &extra)
		    || sl_ber_expect(&s->d, &extra, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE, true) != SL_BER_OK)
			return -1;
		out->n_payloads++;
	}
	return sl_pd_seq(s, &seq, &p, d->name, d, out);
}

static int iri_type(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;
	int type;

	if (sl_pd_enum(s, t, 1, 4, &type, "iRIType"))
		return -1;
	o->iri_type = (enum sl_iri_type)type;
	return 0;
}

/* IRIContents: iPMMIRI [11] or eTSI671IRI [5]. */
static int iri_contents(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag == 11) {
		o->kind = SL_PDU_IRI_IPMM;
		return sl_pd_seq(s, c, &alt, "iPMMIRI", &ipmm_iri, out);
	}
	if (alt.tag == 5)
		return etsi671_iri(s, c, &alt, o);
	o->kind = SL_PDU_UNDECODED;
	sl_pd_undecoded(&alt, "IRIContents", &o->u.undecoded);
	return 0;
}

/* TS 102 232-1 A.2 IRIPayload. */
static const struct sl_pd_comp iri_payload_comp[] = {
	{ 0, "iRIType", SL_PD_OPTIONAL, SL_PD_CALL_WITH(iri_type) },
	{ 1, "timeStamp", SL_PD_OPTIONAL, SL_PD_CALL_WITH(sl_pd_payload_time) },
	{ 2, "iRIContents", SL_PD_MANDATORY, SL_PD_CALL_WITH(iri_contents) },
	{ 3, "microSecondTimeStamp", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, pl.usts, struct sl_pdu_usts, sl_pd_usts) },
	{ 4, "timeStampQualifier", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, pl.ts_qualifier, 0, 3) },
	{ 5, "sessionDirection", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, pl.session_dir, 0, 4) },
	{ 6, "payloadDirection", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, pl.payload_dir, 0, 4) },
};
static const struct sl_pd_seq iri_payload_seq = {
	.name = "IRIPayload", SL_PD_COMPONENTS(iri_payload_comp), .qualify_missing = true, .extensible = true,
};

/* The one IRIPayload of an iRIPayloadSequence (we never aggregate). */
static int iri_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       struct sl_pdu_decoded *out)
{
	if (one_payload(s, c, t, "iRIPayloadSequence", &iri_payload_seq, out))
		return -1;
	if (out->kind == SL_PDU_IRI_HI2)
		out->u.hi2.iri.type = out->iri_type;
	return 0;
}

static int ipmm_cc_objid_check(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			       void *out)
{
	return relative_oid(s, t, ipmm_cc_objid, sizeof(ipmm_cc_objid), "iPMMCCObjId");
}

/* TS 102 232-5 IPMMCC (clause 5.5). */
static const struct sl_pd_comp ipmm_cc_comp[] = {
	{ 0, "iPMMCCObjId", SL_PD_MANDATORY, SL_PD_CALL_WITH(ipmm_cc_objid_check) },
	{ 1, "mMCCContents", SL_PD_MANDATORY, SL_PD_BYTES_AT(struct sl_pdu_decoded, u.ipmm_cc.data, 0, SIZE_MAX) },
	{ 2, "frameType", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, u.ipmm_cc.frame, 0, 7) },
	{ 3, "streamIdentifier", SL_PD_OPTIONAL,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, u.ipmm_cc.stream_id, 0, SIZE_MAX) },
	{ 4, "mMCCprotocol", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, u.ipmm_cc.proto, 0, 2) },
};
static const struct sl_pd_seq ipmm_cc = {
	.name = "IPMMCC", SL_PD_COMPONENTS(ipmm_cc_comp), .extensible = true,
};

/* CCContents: iPMMCC [12]; the other services' contents are kept undecoded. */
static int cc_contents(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag != 12) {
		o->kind = SL_PDU_UNDECODED;
		sl_pd_undecoded(&alt, "CCContents", &o->u.undecoded);
		return 0;
	}
	o->kind = SL_PDU_CC_IPMM;
	return sl_pd_seq(s, c, &alt, "iPMMCC", &ipmm_cc, out);
}

/* TS 102 232-1 A.2 CCPayload. */
static const struct sl_pd_comp cc_payload_comp[] = {
	{ 0, "payloadDirection", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, u.ipmm_cc.dir, 0, 4) },
	{ 1, "timeStamp", SL_PD_OPTIONAL, SL_PD_CALL_WITH(sl_pd_payload_time) },
	{ 2, "cCContents", SL_PD_MANDATORY, SL_PD_CALL_WITH(cc_contents) },
	{ 3, "microSecondTimeStamp", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, pl.usts, struct sl_pdu_usts, sl_pd_usts) },
	{ 4, "timeStampQualifier", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, pl.ts_qualifier, 0, 3) },
};
static const struct sl_pd_seq cc_payload_seq = {
	.name = "CCPayload", SL_PD_COMPONENTS(cc_payload_comp), .qualify_missing = true, .extensible = true,
};

static int cc_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		      struct sl_pdu_decoded *out)
{
	out->u.ipmm_cc.dir = out->u.ipmm_cc.frame = out->u.ipmm_cc.proto = -1;
	return one_payload(s, c, t, "cCPayloadSequence", &cc_payload_seq, out);
}

static int tri_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       struct sl_pdu_decoded *out)
{
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	switch (alt.tag) {
	case 3: out->kind = SL_PDU_KEEPALIVE; break;
	case 4: out->kind = SL_PDU_KEEPALIVE_RESPONSE; break;
	case 9: case 10: return sl_pd_tri_option(s, c, &alt, out);
	case 11: out->kind = SL_PDU_OPTION_COMPLETE; break;
	case 12: out->kind = SL_PDU_ACK_REQUEST; break;
	case 13: out->kind = SL_PDU_ACK_RESPONSE; break;
	default:
		out->kind = SL_PDU_UNDECODED;
		sl_pd_undecoded(&alt, "TRIPayload", &out->u.undecoded);
		return 0;
	}
	if (sl_pd_form(s, &alt, false, "TRI NULL") || sl_ber_get_null(&s->d, &alt) != SL_BER_OK)
		return -1;
	return 0;
}

static int hi1_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;

	return sl_pd_hi2_timestamp(s, c, t, &o->u.hi1.ts_us, &o->u.hi1.ids.ts_utc);
}

/* TS 101 671 D.4 Notification; [4] and [5] are not ours. */
static const struct sl_pd_comp notification_comp[] = {
	{ 0, "domainID", SL_PD_OPTIONAL, SL_PD_OID_AT(struct sl_pdu_decoded, u.hi1.ids.domain) },
	{ 1, "lawfulInterceptionIdentifier", SL_PD_MANDATORY,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, u.hi1.ids.liid, 1, SL_PDU_LIID_MAX) },
	{ 2, "communicationIdentifier", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.hi1.ids, struct sl_hi2_ids, sl_pd_hi2_comm_id) },
	{ 3, "timeStamp", SL_PD_MANDATORY, SL_PD_CALL_WITH(hi1_timestamp) },
	{ 6, "target-Information", SL_PD_OPTIONAL,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, u.hi1.target_info, 1, 256) },
};
static const struct sl_pd_seq notification = {
	.name = "Notification", SL_PD_COMPONENTS(notification_comp), .qualify_missing = true,
	.extensible = true,
};

static int hi1_operation(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			 struct sl_pdu_decoded *out)
{
	struct sl_ber_tlv alt;

	out->kind = SL_PDU_HI1;
	out->u.hi1.ids.iri_version = -1;
	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag < 1 || alt.tag > 3) {
		out->kind = SL_PDU_UNDECODED;
		sl_pd_undecoded(&alt, "HI1-Operation", &out->u.undecoded);
		return 0;
	}
	out->u.hi1.op = (enum sl_hi1_op)alt.tag;
	return sl_pd_seq(s, c, &alt, "Notification", &notification, out);
}

/* Payload alternatives by tag: iRIPayloadSequence [0], cCPayloadSequence [1], tRIPayload [2], hI1-Operation [3]. */
static int (*const payload[])(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			      struct sl_pdu_decoded *out) = { iri_payload, cc_payload, tri_payload, hi1_operation };

static int ps_pdu(struct sl_pdu_dec *s, const struct sl_ber_tlv *top, struct sl_pdu_decoded *out)
{
	struct sl_ber_cur root = sl_ber_dec_root(&s->d), in;
	struct sl_ber_tlv h, pl, alt;

	out->ps = true;
	out->ts_qualifier = -1;
	out->pl.ts_qualifier = out->pl.session_dir = out->pl.payload_dir = -1;
	if (sl_pd_enter(s, &root, top, &in))
		return -1;
	if (!sl_ber_more(&in))
		return sl_pd_missing(s, top, "pSHeader");
	if (sl_pd_next(s, &in, &h) || sl_ber_expect(&s->d, &h, SL_BER_CONTEXT, 1, true) != SL_BER_OK
	    || sl_pd_seq(s, &in, &h, "pSHeader", &sl_pd_ps_header, out))
		return -1;
	if (!sl_ber_more(&in))
		return sl_pd_missing(s, top, "payload");
	if (sl_pd_next(s, &in, &pl) || sl_ber_expect(&s->d, &pl, SL_BER_CONTEXT, 2, true) != SL_BER_OK
	    || sl_pd_choice(s, &in, &pl, &alt))
		return -1;
	if (alt.tag >= sizeof(payload) / sizeof(payload[0])) {
		/* encryptionContainer [4], threeGPP-HI1-Operation [5], iLHIPayload [6], hI4Payload [7], later ones */
		out->kind = SL_PDU_UNDECODED;
		sl_pd_undecoded(&alt, "Payload", &out->u.undecoded);
		return sl_pd_done(s, &in);
	}
	if (payload[alt.tag](s, &in, &alt, out))
		return -1;
	return sl_pd_done(s, &in);
}

/* One IRIContent record [1]..[4]. */
static int hi2_record(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *r,
		      struct sl_pdu_decoded *out)
{
	if (r->cls != SL_BER_CONTEXT || r->tag < 1 || r->tag > 4)
		return sl_pd_unsupported(s, r, "IRIContent");
	if (sl_pd_form(s, r, true, "IRIContent record"))
		return -1;
	out->iri_type = (enum sl_iri_type)r->tag;
	if (sl_pd_hi2_params(s, c, r, out))
		return -1;
	out->u.hi2.iri.type = out->iri_type;
	return 0;
}

/* An iRISequence (version11 [1]): decode the first record, check and count the rest. */
static int hi2_sequence(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv r;

	if (sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &r))
			return -1;
		if (out->n_records == 0) {
			if (hi2_record(s, &in, &r, out))
				return -1;
		} else if (r.cls != SL_BER_CONTEXT || r.tag < 1 || r.tag > 4 || !r.constructed) {
			return sl_pd_unsupported(s, &r, "iRISequence");
		}
		out->n_records++;
	}
	return out->n_records ? 0 : sl_pd_missing(s, t, "iRISequence record");
}

static int hi2_standalone(struct sl_pdu_dec *s, const struct sl_ber_tlv *top, struct sl_pdu_decoded *out)
{
	struct sl_ber_cur root = sl_ber_dec_root(&s->d), in, peek;
	struct sl_ber_tlv first, alt;

	out->kind = SL_PDU_IRI_HI2;
	out->ts_qualifier = -1;
	if (sl_pd_form(s, top, true, "IRIsContent"))
		return -1;
	if (top->tag == 0) {
		out->framing = SL_HI2_V11_TAGGED;
		out->n_records = 1;
		if (sl_pd_choice(s, &root, top, &alt))
			return -1;
		if (sl_pd_enter(s, &root, top, &in) || sl_pd_next(s, &in, &alt))
			return -1;
		return hi2_record(s, &in, &alt, out);
	}
	/*
	 * [1] is a version11 iRISequence if its first child is itself a
	 * record (constructed [1]..[4] holding context-tagged components);
	 * IRI-Parameters starts with a primitive domainID, iRIversion or LIID,
	 * or in BER with a segmented LIID, a constructed [1] whose segments
	 * are universal OCTET STRINGs.
	 */
	if (top->tag == 1) {
		if (sl_pd_enter(s, &root, top, &in))
			return -1;
		peek = in;
		if (sl_ber_more(&peek) && sl_pd_next(s, &peek, &first) == 0 && first.cls == SL_BER_CONTEXT
		    && first.constructed && first.tag >= 1 && first.tag <= 4
		    && (first.len == 0 || (first.val[0] & 0xC0) != SL_BER_UNIVERSAL)) {
			out->framing = SL_HI2_V11_TAGGED;
			return hi2_sequence(s, &root, top, out);
		}
		if (s->d.err.code != SL_BER_OK)
			return -1;
	}
	out->framing = SL_HI2_V18_UNTAGGED;
	out->n_records = 1;
	return hi2_record(s, &root, top, out);
}

enum sl_pdu_dec_ctr sl_pdu_decode_last_reason;

/* One reading of the PDU in mode m; 0 or -1 with s->d.err set. */
static int decode_as(struct sl_pdu_dec *s, void *ctx, const uint8_t *p, size_t n, enum sl_ber_mode m,
		     struct sl_pdu_decoded *out)
{
	struct sl_ber_tlv top;

	memset(out, 0, sizeof(*out));
	memset(s, 0, sizeof(*s));
	sl_ber_dec_init(&s->d, p, n, m);
	s->d.max_depth = SL_PDU_DEC_MAX_DEPTH;
	s->ctx = ctx;
	s->top = out;
	if (sl_ber_single(&s->d, &top) != SL_BER_OK)
		return -1;
	if (top.cls == SL_BER_UNIVERSAL && top.tag == SL_BER_TAG_SEQUENCE && top.constructed)
		return ps_pdu(s, &top, out);
	if (top.cls == SL_BER_CONTEXT && top.tag <= 4)
		return hi2_standalone(s, &top, out);
	return sl_pd_unsupported(s, &top, "a handover stream (neither PS-PDU nor IRIsContent)");
}

int sl_pdu_decode(void *ctx, const uint8_t *p, size_t n, struct sl_pdu_decoded *out, char *err,
		  size_t errlen)
{
	struct sl_pdu_dec s;
	enum sl_pdu_dec_ctr why;

	if (err && errlen)
		err[0] = '\0';
	if (!out || (!p && n))
		return -EINVAL;
	if (decode_as(&s, ctx, p, n, SL_BER_MODE_DER, out) == 0) {
		sl_pdu_dec_count(out);
		return 0;
	}
	if (decode_as(&s, ctx, p, n, SL_BER_MODE_BER, out) == 0) {
		out->ber = true;
		sl_pdu_dec_count(out);
		return 0;
	}
	why = s.unsupported ? SL_PDU_DEC_UNSUPPORTED : (enum sl_pdu_dec_ctr)(SL_PDU_DEC_E_BASE + s.d.err.code);
	sl_pdu_dec_count_reject(why);
	sl_pdu_decode_last_reason = why;
	if (err && errlen)
		sl_ber_error_format(&s.d.err, err, errlen);
	out->kind = SL_PDU_NONE;
	return s.unsupported ? -ENOTSUP : -EBADMSG;
}
