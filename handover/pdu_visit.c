/*
 * A schema-shaped walk over a decoded handover PDU (pdu_decode.h), so
 * that renderers in src/ (JSON lines, text) need not know the layout of
 * struct sl_pdu_decoded. Field names follow the ASN.1 component names of
 * TS 102 232-1 annex A.2, TS 102 232-5 clause 7 and TS 101 671 annex D,
 * so a rendered PDU can be compared with a tshark or asn1 dump by name.
 */
#include <stdio.h>
#include <string.h>

#include "handover/pdu_decode.h"

/* The names of capture/identity.c, kept here so handover/ links without libcapture. */
static const char *const id_names[_SL_ID_TYPE_COUNT] = {
	[SL_ID_NONE] = "none",	   [SL_ID_SIP_URI] = "sip_uri", [SL_ID_E164] = "e164",
	[SL_ID_NUMBER] = "number", [SL_ID_IMSI] = "imsi",	[SL_ID_IMEI] = "imei", [SL_ID_TMSI] = "tmsi",
};

struct v {
	sl_pdu_visit_fn fn;
	void *arg;
};

static void emit(struct v *v, enum sl_pdu_field_type type, const char *name)
{
	struct sl_pdu_field f = { .type = type, .name = name };

	v->fn(v->arg, &f);
}

static void uint_(struct v *v, const char *name, uint64_t x)
{
	struct sl_pdu_field f = { .type = SL_PDU_F_UINT, .name = name, .u = x };

	v->fn(v->arg, &f);
}

static void time_(struct v *v, const char *name, uint64_t us)
{
	struct sl_pdu_field f = { .type = SL_PDU_F_TIME, .name = name, .u = us };

	v->fn(v->arg, &f);
}

static void text(struct v *v, const char *name, const char *t)
{
	struct sl_pdu_field f = { .type = SL_PDU_F_TEXT, .name = name, .text = t };

	if (t && t[0])
		v->fn(v->arg, &f);
}

static void bytes(struct v *v, const char *name, struct sl_pdu_bytes b)
{
	struct sl_pdu_field f = { .type = SL_PDU_F_BYTES, .name = name, .bytes = b };

	if (b.p)
		v->fn(v->arg, &f);
}

static void addr(struct v *v, const char *name, const struct sl_addr *a)
{
	struct sl_pdu_field f = { .type = SL_PDU_F_ADDR, .name = name, .addr = a };

	if (a->family)
		v->fn(v->arg, &f);
}

static void hex(struct v *v, const char *name, const uint8_t *p, size_t n)
{
	struct sl_pdu_bytes b = { p, n };

	bytes(v, name, b);
}

static void ids(struct v *v, const struct sl_hi2_ids *i)
{
	text(v, "domainID", i->domain);
	if (i->iri_version >= 0)
		uint_(v, "iRIversion", (uint64_t)i->iri_version);
	bytes(v, "lawfulInterceptionIdentifier", i->liid);
	bytes(v, "communication-Identity-Number", i->cin);
	bytes(v, "operator-Identifier", i->operator_id);
}

static void party(struct v *v, const char *name, const struct sl_party *p)
{
	unsigned k;

	if (!p->n)
		return;
	emit(v, SL_PDU_F_OPEN, name);
	for (k = 0; k < p->n && k < SL_PARTY_MAX_IDS; k++)
		text(v, p->id[k].type < _SL_ID_TYPE_COUNT ? id_names[p->id[k].type] : "unknown",
		     p->id[k].value);
	emit(v, SL_PDU_F_CLOSE, NULL);
}

static void hi2(struct v *v, const struct sl_hi2_ids *i, const struct sl_hi2_iri *r)
{
	emit(v, SL_PDU_F_OPEN, "iRI-Parameters");
	ids(v, i);
	time_(v, "timeStamp", r->ts_us);
	if (r->has_dir)
		uint_(v, "intercepted-Call-Direct", r->dir);
	if (r->has_state)
		uint_(v, "intercepted-Call-State", r->state);
	if (r->loc.has_tai)
		hex(v, "tAI", r->loc.tai, sizeof(r->loc.tai));
	if (r->loc.has_ecgi)
		hex(v, "eCGI", r->loc.ecgi, sizeof(r->loc.ecgi));
	if (r->loc.cgi_len)
		hex(v, "globalCellID", r->loc.cgi, r->loc.cgi_len);
	party(v, "originating-Party", &r->orig);
	party(v, "terminating-Party", &r->term);
	if (r->has_nature)
		uint_(v, "nature-Of-The-intercepted-call", r->nature);
	if (r->has_sms) {
		emit(v, SL_PDU_F_OPEN, "sMS");
		uint_(v, "initiator", r->sms_initiator);
		if (r->sms_content)
			hex(v, "content", r->sms_content, r->sms_content_len);
		emit(v, SL_PDU_F_CLOSE, NULL);
	}
	addr(v, "sMSOriginatingAddress", &r->sms_orig);
	addr(v, "sMSTerminatingAddress", &r->sms_term);
	if (r->sip)
		hex(v, "sIPMessage", r->sip, r->sip_len);
	emit(v, SL_PDU_F_CLOSE, NULL);
}

void sl_pdu_decoded_visit(const struct sl_pdu_decoded *d, sl_pdu_visit_fn fn, void *arg)
{
	struct v v = { fn, arg };
	struct sl_pdu_field kind = { .type = SL_PDU_F_TEXT, .name = "kind" };

	kind.text = d->kind < _SL_PDU_KIND_COUNT ? sl_pdu_kind_names[d->kind] : "unknown";
	fn(arg, &kind);
	if (d->ps) {
		emit(&v, SL_PDU_F_OPEN, "pSHeader");
		text(&v, "li-psDomainId", d->domain);
		bytes(&v, "lawfulInterceptionIdentifier", d->liid);
		text(&v, "authorizationCountryCode", d->auth_cc);
		bytes(&v, "operatorIdentifier", d->operator_id);
		bytes(&v, "networkElementIdentifier", d->ne_id);
		if (d->has_cin)
			uint_(&v, "communicationIdentityNumber", d->cin);
		text(&v, "deliveryCountryCode", d->delivery_cc);
		uint_(&v, "sequenceNumber", d->seqno);
		if (d->has_ts)
			time_(&v, "timeStamp", d->ts_us);
		text(&v, "interceptionPointID", d->ipid);
		if (d->ts_qualifier >= 0)
			uint_(&v, "timeStampQualifier", (uint64_t)d->ts_qualifier);
		emit(&v, SL_PDU_F_CLOSE, NULL);
	} else {
		struct sl_pdu_field fr = { .type = SL_PDU_F_TEXT, .name = "framing" };

		fr.text = d->framing == SL_HI2_V11_TAGGED ? "v11" : "v18";
		fn(arg, &fr);
		if (d->n_records > 1)
			uint_(&v, "records", d->n_records);
	}
	if (d->iri_type >= SL_IRI_BEGIN && d->iri_type <= SL_IRI_REPORT)
		text(&v, "iRIType", sl_iri_type_names[d->iri_type]);

	switch (d->kind) {
	case SL_PDU_IRI_IPMM:
		emit(&v, SL_PDU_F_OPEN, d->u.ipmm_iri.iri_only ? "iRIOnlySIPMessage" : "sIPMessage");
		addr(&v, "iPSourceAddress", &d->u.ipmm_iri.src);
		addr(&v, "iPDestinationAddress", &d->u.ipmm_iri.dst);
		bytes(&v, "sIPContent", d->u.ipmm_iri.sip);
		emit(&v, SL_PDU_F_CLOSE, NULL);
		break;
	case SL_PDU_CC_IPMM:
		emit(&v, SL_PDU_F_OPEN, "iPMMCC");
		if (d->u.ipmm_cc.dir >= 0)
			uint_(&v, "payloadDirection", (uint64_t)d->u.ipmm_cc.dir);
		if (d->u.ipmm_cc.frame >= 0)
			uint_(&v, "frameType", (uint64_t)d->u.ipmm_cc.frame);
		if (d->u.ipmm_cc.proto >= 0)
			uint_(&v, "mMCCprotocol", (uint64_t)d->u.ipmm_cc.proto);
		bytes(&v, "streamIdentifier", d->u.ipmm_cc.stream_id);
		bytes(&v, "mMCCContents", d->u.ipmm_cc.data);
		emit(&v, SL_PDU_F_CLOSE, NULL);
		break;
	case SL_PDU_IRI_HI2:
		hi2(&v, &d->u.hi2.ids, &d->u.hi2.iri);
		break;
	case SL_PDU_HI1:
		emit(&v, SL_PDU_F_OPEN, d->u.hi1.op == SL_HI1_ACTIVATED     ? "liActivated"
					: d->u.hi1.op == SL_HI1_DEACTIVATED ? "liDeactivated"
									    : "liModified");
		ids(&v, &d->u.hi1.ids);
		time_(&v, "timeStamp", d->u.hi1.ts_us);
		bytes(&v, "target-Information", d->u.hi1.target_info);
		emit(&v, SL_PDU_F_CLOSE, NULL);
		break;
	default:
		break;
	}
}
