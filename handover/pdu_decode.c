/*
 * Strict decoding of the TS 102 232-1 PS-PDU (annex A.2) and of the
 * payloads handover/ puts in it: TS 102 232-5 IPMMIRI and IPMMCC (clause
 * 7), ETSI671IRI (TS 101 671 IRI-Parameters, hi2_decode.c), the TRI
 * keep-alive and PDU acknowledgement messages (clauses 6.3.4, 6.3.6) and
 * HI1 notifications (TS 101 671 annex D.4); and the dispatch for a
 * standalone TS 101 671 IRIsContent in the version11 or version18 framing.
 *
 * Every SEQUENCE is read component by component in the order of its
 * definition; a mandatory component missing, one repeated or out of
 * order, a value outside its SIZE or ENUMERATED range is malformed
 * (-EBADMSG); a well-formed component or alternative we never encode
 * (aggregated payloads, other services, vendor extensions) is unsupported
 * (-ENOTSUP). Both name the offset of the offending TLV.
 */
#include <errno.h>
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
};

static const uint8_t ipmm_iri_objid[] = { 5, 5, 13, 1 };
static const uint8_t ipmm_cc_objid[] = { 5, 5, 13, 2 };

static int comm_identifier(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			   struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in, nin;
	struct sl_ber_tlv f, g;
	int last = -1, nlast = -1;
	bool nid = false;

	if (sl_pd_form(s, t, true, "communicationIdentifier") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 2)
			return sl_pd_unsupported(s, &f, "CommunicationIdentifier");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "CommunicationIdentifier"))
			return -1;
		if (f.tag == 0) {
			nid = true;
			if (sl_pd_form(s, &f, true, "networkIdentifier") || sl_pd_enter(s, &in, &f, &nin))
				return -1;
			while (sl_ber_more(&nin)) {
				if (sl_pd_next(s, &nin, &g))
					return -1;
				if (g.cls != SL_BER_CONTEXT || g.tag > 1)
					return sl_pd_unsupported(s, &g, "NetworkIdentifier");
				if (sl_pd_order(s, &g, (int)g.tag, &nlast, "NetworkIdentifier")
				    || sl_pd_bytes(s, &g, 1, g.tag ? SL_PDU_NEID_MAX : SL_PDU_OPID_MAX,
						   g.tag ? &out->ne_id : &out->operator_id,
						   g.tag ? "networkElementIdentifier" : "operatorIdentifier"))
					return -1;
			}
			if (!out->operator_id.p)
				return sl_pd_missing(s, &f, "operatorIdentifier");
		} else if (f.tag == 1) {
			if (sl_pd_u32(s, &f, &out->cin, "communicationIdentityNumber"))
				return -1;
			out->has_cin = true;
		} else if (sl_pd_printable(s, &f, 2, 2, out->delivery_cc, sizeof(out->delivery_cc),
					   "deliveryCountryCode")) {
			return -1;
		}
	}
	return nid ? 0 : sl_pd_missing(s, t, "networkIdentifier");
}

/* PSHeader components and their positions (the tags happen to be the positions). */
static int ps_header(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		     struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	int last = -1;
	bool dom = false, ci = false, seq = false;

	if (sl_pd_form(s, t, true, "pSHeader") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 8 || f.tag == 7)
			return sl_pd_unsupported(s, &f, "PSHeader");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "PSHeader"))
			return -1;
		switch (f.tag) {
		case 0:
			if (sl_pd_oid(s, &f, out->domain, sizeof(out->domain)))
				return -1;
			dom = true;
			break;
		case 1:
			if (sl_pd_bytes(s, &f, 1, SL_PDU_LIID_MAX, &out->liid, "lawfulInterceptionIdentifier"))
				return -1;
			break;
		case 2:
			if (sl_pd_printable(s, &f, 2, 2, out->auth_cc, sizeof(out->auth_cc),
					    "authorizationCountryCode"))
				return -1;
			break;
		case 3:
			if (comm_identifier(s, &in, &f, out))
				return -1;
			ci = true;
			break;
		case 4:
			if (sl_pd_u32(s, &f, &out->seqno, "sequenceNumber"))
				return -1;
			seq = true;
			break;
		case 5:
			if (sl_pd_gentime(s, &f, &out->ts_us))
				return -1;
			out->has_ts = true;
			break;
		case 6:
			if (sl_pd_printable(s, &f, 1, SL_PDU_IPID_MAX, out->ipid, sizeof(out->ipid),
					    "interceptionPointID"))
				return -1;
			break;
		default:
			if (sl_pd_enum(s, &f, 0, 3, &out->ts_qualifier, "timeStampQualifier"))
				return -1;
			break;
		}
	}
	if (!dom)
		return sl_pd_missing(s, t, "PSHeader li-psDomainId");
	if (!out->liid.p)
		return sl_pd_missing(s, t, "PSHeader lawfulInterceptionIdentifier");
	if (!ci)
		return sl_pd_missing(s, t, "PSHeader communicationIdentifier");
	if (!seq)
		return sl_pd_missing(s, t, "PSHeader sequenceNumber");
	return 0;
}

static int relative_oid(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const uint8_t *want, size_t n,
			const char *what)
{
	struct sl_pdu_bytes b;

	if (sl_pd_bytes(s, t, 1, 64, &b, what))
		return -1;
	if (b.n != n || memcmp(b.p, want, n) != 0)
		return sl_pd_unsupported(s, t, what);
	return 0;
}

static int sip_message(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	int last = -1;
	bool src = false, dst = false;

	if (sl_pd_form(s, t, true, "SIPMessage") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 2)
			return sl_pd_unsupported(s, &f, "SIPMessage");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "SIPMessage"))
			return -1;
		if (f.tag == 0) {
			if (sl_pd_ip_address(s, &in, &f, &out->u.ipmm_iri.src))
				return -1;
			src = true;
		} else if (f.tag == 1) {
			if (sl_pd_ip_address(s, &in, &f, &out->u.ipmm_iri.dst))
				return -1;
			dst = true;
		} else if (sl_pd_bytes(s, &f, 0, SIZE_MAX, &out->u.ipmm_iri.sip, "sIPContent")) {
			return -1;
		}
	}
	if (!src || !dst || !out->u.ipmm_iri.sip.p)
		return sl_pd_missing(s, t, !src ? "iPSourceAddress" : !dst ? "iPDestinationAddress" : "sIPContent");
	return 0;
}

static int ipmm_iri(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		    struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f, alt;
	int last = -1;
	bool oid = false, content = false;

	out->kind = SL_PDU_IRI_IPMM;
	if (sl_pd_form(s, t, true, "iPMMIRI") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 1)
			return sl_pd_unsupported(s, &f, "IPMMIRI");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "IPMMIRI"))
			return -1;
		if (f.tag == 0) {
			if (relative_oid(s, &f, ipmm_iri_objid, sizeof(ipmm_iri_objid), "iPMMIRIObjId"))
				return -1;
			oid = true;
			continue;
		}
		if (sl_pd_choice(s, &in, &f, &alt))
			return -1;
		if (alt.tag != 1 && alt.tag != 6)
			return sl_pd_unsupported(s, &alt, "IPIRIContents");
		out->u.ipmm_iri.iri_only = alt.tag == 6;
		if (sip_message(s, &in, &alt, out))
			return -1;
		content = true;
	}
	if (!oid || !content)
		return sl_pd_missing(s, t, !oid ? "iPMMIRIObjId" : "iPMMIRIContents");
	return 0;
}

static int etsi671_iri(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       struct sl_pdu_decoded *out)
{
	struct sl_ber_tlv alt;

	out->kind = SL_PDU_IRI_HI2;
	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag != 0)
		return sl_pd_unsupported(s, &alt, "ETSI671IRI");
	if (sl_pd_hi2_params(s, c, &alt, &out->u.hi2.ids, &out->u.hi2.iri))
		return -1;
	out->u.hi2.iri.type = out->iri_type;
	return 0;
}

/*
 * Enter the one payload of an iRIPayloadSequence or cCPayloadSequence:
 * sluice never aggregates, so a second element is reported unsupported.
 */
static int enter_one_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			     const char *seq_name, const char *elem_name, const char *aggregated,
			     struct sl_ber_tlv *p, struct sl_ber_cur *in)
{
	struct sl_ber_cur seq;
	struct sl_ber_tlv extra;

	if (sl_pd_form(s, t, true, seq_name) || sl_pd_enter(s, c, t, &seq))
		return -1;
	if (!sl_ber_more(&seq))
		return sl_pd_missing(s, t, elem_name);
	if (sl_pd_next(s, &seq, p)
	    || sl_ber_expect(&s->d, p, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE, true) != SL_BER_OK)
		return -1;
	if (sl_ber_more(&seq)) {
		if (sl_pd_next(s, &seq, &extra))
			return -1;
		return sl_pd_unsupported(s, &extra, aggregated);
	}
	return sl_pd_enter(s, &seq, p, in);
}

/* The one IRIPayload of an iRIPayloadSequence (we never aggregate). */
static int iri_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		       struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv p, f, alt;
	int last = -1, type = 0;
	bool contents = false;

	if (enter_one_payload(s, c, t, "iRIPayloadSequence", "IRIPayload",
			      "iRIPayloadSequence (aggregated payloads)", &p, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || (f.tag != 0 && f.tag != 2))
			return sl_pd_unsupported(s, &f, "IRIPayload");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "IRIPayload"))
			return -1;
		if (f.tag == 0) {
			if (sl_pd_enum(s, &f, 1, 4, &type, "iRIType"))
				return -1;
			out->iri_type = (enum sl_iri_type)type;
			continue;
		}
		if (sl_pd_choice(s, &in, &f, &alt))
			return -1;
		if (alt.tag == 11) {
			if (ipmm_iri(s, &in, &alt, out))
				return -1;
		} else if (alt.tag == 5) {
			if (etsi671_iri(s, &in, &alt, out))
				return -1;
		} else {
			return sl_pd_unsupported(s, &alt, "IRIContents");
		}
		contents = true;
	}
	if (!contents)
		return sl_pd_missing(s, &p, "IRIPayload iRIContents");
	if (out->kind == SL_PDU_IRI_HI2)
		out->u.hi2.iri.type = out->iri_type;
	return 0;
}

static int ipmm_cc(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		   struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	int last = -1;
	bool oid = false;

	out->kind = SL_PDU_CC_IPMM;
	if (sl_pd_form(s, t, true, "iPMMCC") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 4)
			return sl_pd_unsupported(s, &f, "IPMMCC");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "IPMMCC"))
			return -1;
		switch (f.tag) {
		case 0:
			if (relative_oid(s, &f, ipmm_cc_objid, sizeof(ipmm_cc_objid), "iPMMCCObjId"))
				return -1;
			oid = true;
			break;
		case 1:
			if (sl_pd_bytes(s, &f, 0, SIZE_MAX, &out->u.ipmm_cc.data, "mMCCContents"))
				return -1;
			break;
		case 2:
			if (sl_pd_enum(s, &f, 0, 7, &out->u.ipmm_cc.frame, "frameType"))
				return -1;
			break;
		case 3:
			if (sl_pd_bytes(s, &f, 0, SIZE_MAX, &out->u.ipmm_cc.stream_id, "streamIdentifier"))
				return -1;
			break;
		default:
			if (sl_pd_enum(s, &f, 0, 2, &out->u.ipmm_cc.proto, "mMCCprotocol"))
				return -1;
			break;
		}
	}
	if (!oid || !out->u.ipmm_cc.data.p)
		return sl_pd_missing(s, t, !oid ? "iPMMCCObjId" : "mMCCContents");
	return 0;
}

static int cc_payload(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		      struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv p, f, alt;
	int last = -1;
	bool contents = false;

	out->u.ipmm_cc.dir = out->u.ipmm_cc.frame = out->u.ipmm_cc.proto = -1;
	if (enter_one_payload(s, c, t, "cCPayloadSequence", "CCPayload",
			      "cCPayloadSequence (aggregated payloads)", &p, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || (f.tag != 0 && f.tag != 2))
			return sl_pd_unsupported(s, &f, "CCPayload");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "CCPayload"))
			return -1;
		if (f.tag == 0) {
			if (sl_pd_enum(s, &f, 0, 4, &out->u.ipmm_cc.dir, "payloadDirection"))
				return -1;
			continue;
		}
		if (sl_pd_choice(s, &in, &f, &alt))
			return -1;
		if (alt.tag != 12)
			return sl_pd_unsupported(s, &alt, "CCContents");
		if (ipmm_cc(s, &in, &alt, out))
			return -1;
		contents = true;
	}
	return contents ? 0 : sl_pd_missing(s, &p, "CCPayload cCContents");
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
	case 12: out->kind = SL_PDU_ACK_REQUEST; break;
	case 13: out->kind = SL_PDU_ACK_RESPONSE; break;
	default: return sl_pd_unsupported(s, &alt, "TRIPayload");
	}
	if (sl_pd_form(s, &alt, false, "TRI NULL") || sl_ber_get_null(&s->d, &alt) != SL_BER_OK)
		return -1;
	return 0;
}

static int hi1_operation(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			 struct sl_pdu_decoded *out)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv alt, f;
	int last = -1;
	bool ts = false;

	out->kind = SL_PDU_HI1;
	out->u.hi1.ids.iri_version = -1;
	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag < 1 || alt.tag > 3)
		return sl_pd_unsupported(s, &alt, "HI1-Operation");
	out->u.hi1.op = (enum sl_hi1_op)alt.tag;
	if (sl_pd_form(s, &alt, true, "Notification") || sl_pd_enter(s, c, &alt, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 6 || f.tag == 4 || f.tag == 5)
			return sl_pd_unsupported(s, &f, "Notification");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "Notification"))
			return -1;
		switch (f.tag) {
		case 0:
			if (sl_pd_oid(s, &f, out->u.hi1.ids.domain, sizeof(out->u.hi1.ids.domain)))
				return -1;
			break;
		case 1:
			if (sl_pd_bytes(s, &f, 1, SL_PDU_LIID_MAX, &out->u.hi1.ids.liid,
					"lawfulInterceptionIdentifier"))
				return -1;
			break;
		case 2:
			if (sl_pd_hi2_comm_id(s, &in, &f, &out->u.hi1.ids))
				return -1;
			break;
		case 3:
			if (sl_pd_hi2_timestamp(s, &in, &f, &out->u.hi1.ts_us, &out->u.hi1.ids.ts_utc))
				return -1;
			ts = true;
			break;
		default:
			if (sl_pd_bytes(s, &f, 1, 256, &out->u.hi1.target_info, "target-Information"))
				return -1;
			break;
		}
	}
	if (!out->u.hi1.ids.liid.p)
		return sl_pd_missing(s, &alt, "Notification lawfulInterceptionIdentifier");
	return ts ? 0 : sl_pd_missing(s, &alt, "Notification timeStamp");
}

static int ps_pdu(struct sl_pdu_dec *s, const struct sl_ber_tlv *top, struct sl_pdu_decoded *out)
{
	struct sl_ber_cur root = sl_ber_dec_root(&s->d), in;
	struct sl_ber_tlv h, pl, alt;

	out->ps = true;
	out->ts_qualifier = -1;
	if (sl_pd_enter(s, &root, top, &in))
		return -1;
	if (!sl_ber_more(&in))
		return sl_pd_missing(s, top, "pSHeader");
	if (sl_pd_next(s, &in, &h) || sl_ber_expect(&s->d, &h, SL_BER_CONTEXT, 1, true) != SL_BER_OK
	    || ps_header(s, &in, &h, out))
		return -1;
	if (!sl_ber_more(&in))
		return sl_pd_missing(s, top, "payload");
	if (sl_pd_next(s, &in, &pl) || sl_ber_expect(&s->d, &pl, SL_BER_CONTEXT, 2, true) != SL_BER_OK
	    || sl_pd_choice(s, &in, &pl, &alt))
		return -1;
	switch (alt.tag) {
	case 0:
		if (iri_payload(s, &in, &alt, out))
			return -1;
		break;
	case 1:
		if (cc_payload(s, &in, &alt, out))
			return -1;
		break;
	case 2:
		if (tri_payload(s, &in, &alt, out))
			return -1;
		break;
	case 3:
		if (hi1_operation(s, &in, &alt, out))
			return -1;
		break;
	default:
		return sl_pd_unsupported(s, &alt, "Payload");
	}
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
	if (sl_pd_hi2_params(s, c, r, &out->u.hi2.ids, &out->u.hi2.iri))
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
	 * record (constructed [1]..[4]); IRI-Parameters starts with a
	 * primitive domainID, iRIversion or LIID.
	 */
	if (top->tag == 1) {
		if (sl_pd_enter(s, &root, top, &in))
			return -1;
		peek = in;
		if (sl_ber_more(&peek) && sl_pd_next(s, &peek, &first) == 0 && first.cls == SL_BER_CONTEXT
		    && first.constructed && first.tag >= 1 && first.tag <= 4) {
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

int sl_pdu_decode(void *ctx, const uint8_t *p, size_t n, struct sl_pdu_decoded *out, char *err,
		  size_t errlen)
{
	struct sl_pdu_dec s;
	struct sl_ber_tlv top;
	int rc;

	(void)ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!out || (!p && n))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	sl_ber_dec_init(&s.d, p, n, SL_BER_MODE_DER);
	if (sl_ber_single(&s.d, &top) != SL_BER_OK)
		rc = -1;
	else if (top.cls == SL_BER_UNIVERSAL && top.tag == SL_BER_TAG_SEQUENCE && top.constructed)
		rc = ps_pdu(&s, &top, out);
	else if (top.cls == SL_BER_CONTEXT && top.tag <= 4)
		rc = hi2_standalone(&s, &top, out);
	else
		rc = sl_pd_unsupported(&s, &top, "a handover stream (neither PS-PDU nor IRIsContent)");
	if (rc == 0)
		return 0;
	if (err && errlen)
		sl_ber_error_format(&s.d.err, err, errlen);
	out->kind = SL_PDU_NONE;
	return s.unsupported ? -ENOTSUP : -EBADMSG;
}
