/*
 * A schema-shaped walk over a decoded handover PDU (pdu_decode.h), so
 * that renderers in src/ (JSON lines, text) need not know the layout of
 * struct sl_pdu_decoded. Field names follow the ASN.1 component names of
 * TS 102 232-1 annex A.2, TS 102 232-5 clause 7 and TS 101 671 annex D,
 * so a rendered PDU can be compared with a tshark or asn1 dump by name.
 */
#include <stdio.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ber_time.h"
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

/*
 * A GeneralizedTime as sent: 'Z' and offset forms as the UTC instant
 * (renderers print it with Z), the offset as written beside it; local
 * time without a zone (X.680 46.3 a, which BER allows) cannot be placed
 * on the UTC axis, so it is shown as text under its own name (<name>Local,
 * so a JSON reader never finds a string where it expects the number of a
 * time), the wall-clock reading without a zone designator and marked
 * "local", never converted or given a Z.
 */
static void gtime(struct v *v, const char *name, const char *offset_name, const char *local_name,
		  const struct sl_pdu_time *t)
{
	char g[SL_BER_GENTIME_TEXT_MAX], iso[48], off[8];
	size_t n;
	int64_t sec = (int64_t)(t->us / 1000000u);
	unsigned usec = (unsigned)(t->us % 1000000u), m;

	if (t->tz != SL_PDU_TZ_LOCAL) {
		time_(v, name, t->us);
		if (t->tz == SL_PDU_TZ_OFFSET) {
			m = (unsigned)(t->offset_min < 0 ? -t->offset_min : t->offset_min);
			snprintf(off, sizeof(off), "%c%02u%02u", t->offset_min < 0 ? '-' : '+', m / 60 % 100,
				 m % 60);
			text(v, offset_name, off);
		}
		return;
	}
	n = sl_ber_gentime_format(sec, 0, 0, g); /* YYYYMMDDhhmmssZ */
	if (n < 15)
		return;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s.%06u local", g, g + 4, g + 6, g + 8,
		 g + 10, g + 12, usec);
	text(v, local_name, iso);
}

static void usts(struct v *v, const char *name, const struct sl_pdu_usts *u)
{
	if (!u->has)
		return;
	emit(v, SL_PDU_F_OPEN, name);
	uint_(v, "seconds", u->seconds);
	uint_(v, "microSeconds", u->usec);
	emit(v, SL_PDU_F_CLOSE, NULL);
}

static void undecoded(struct v *v, const char *name, const struct sl_pdu_undecoded *u)
{
	char tag[40];

	if (!u->where)
		return;
	sl_ber_tag_name(u->cls, u->tag, tag, sizeof(tag));
	emit(v, SL_PDU_F_OPEN, name);
	text(v, "in", u->where);
	text(v, "tag", tag);
	uint_(v, "length", u->len);
	emit(v, SL_PDU_F_CLOSE, NULL);
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
		if (r->has_sms_transfer)
			uint_(v, "transfer-status", r->sms_transfer);
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

/*
 * An option set (pdu.h) as text: the known options by name, others as
 * their tag ("[5]", "[31+]" for any above 30), comma-separated; "none" if
 * empty, so an empty list still shows.
 */
static void options(struct v *v, const char *name, uint32_t set)
{
	char buf[160] = "";
	size_t n = 0;
	unsigned o;

	for (o = 0; o < 32; o++) {
		int k;

		if (!(set & SL_TRI_OPT(o)))
			continue;
		if (o < _SL_TRI_OPT_KNOWN)
			k = snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "", sl_tri_option_names[o]);
		else
			k = snprintf(buf + n, sizeof(buf) - n, "%s[%u%s]", n ? "," : "", o, o == 31 ? "+" : "");
		if (k < 0 || (size_t)k >= sizeof(buf) - n)
			break;
		n += (size_t)k;
	}
	text(v, name, n ? buf : "none");
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
		if (d->neid671.alt == 5)
			addr(&v, "eTSI671NEID", &d->neid671.addr);
		else if (d->neid671.alt)
			bytes(&v, "eTSI671NEID", d->neid671.bytes);
		if (d->has_cin)
			uint_(&v, "communicationIdentityNumber", d->cin);
		text(&v, "deliveryCountryCode", d->delivery_cc);
		undecoded(&v, "cINExtension", &d->cin_ext);
		uint_(&v, "sequenceNumber", d->seqno);
		if (d->has_ts)
			gtime(&v, "timeStamp", "timeStampOffset", "timeStampLocal", &d->ts);
		text(&v, "interceptionPointID", d->ipid);
		usts(&v, "microSecondTimeStamp", &d->usts);
		if (d->ts_qualifier >= 0)
			uint_(&v, "timeStampQualifier", (uint64_t)d->ts_qualifier);
		bytes(&v, "extendedInterceptionPointID", d->ext_ipid);
		bytes(&v, "networkFunctionIdentifier", d->nf_id);
		emit(&v, SL_PDU_F_CLOSE, NULL);
		if (d->pl.has_ts)
			gtime(&v, "payloadTimeStamp", "payloadTimeStampOffset", "payloadTimeStampLocal", &d->pl.ts);
		usts(&v, "payloadMicroSecondTimeStamp", &d->pl.usts);
		if (d->pl.ts_qualifier >= 0)
			uint_(&v, "payloadTimeStampQualifier", (uint64_t)d->pl.ts_qualifier);
		if (d->pl.session_dir >= 0)
			uint_(&v, "sessionDirection", (uint64_t)d->pl.session_dir);
		if (d->pl.payload_dir >= 0)
			uint_(&v, "iRIPayloadDirection", (uint64_t)d->pl.payload_dir);
		if (d->n_payloads > 1)
			uint_(&v, "payloads", d->n_payloads);
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
	case SL_PDU_UNDECODED:
		undecoded(&v, "undecoded", &d->u.undecoded);
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
	case SL_PDU_OPTION_REQUEST:
		emit(&v, SL_PDU_F_OPEN, "optionRequest");
		options(&v, "requestedOptions", d->u.option.options);
		emit(&v, SL_PDU_F_CLOSE, NULL);
		break;
	case SL_PDU_OPTION_RESPONSE:
		emit(&v, SL_PDU_F_OPEN, "optionResponse");
		options(&v, "acceptedOptions", d->u.option.options);
		options(&v, "declinedOptions", d->u.option.declined);
		emit(&v, SL_PDU_F_CLOSE, NULL);
		break;
	default:
		break;
	}
	if (d->ext_skipped)
		uint_(&v, "extensionsSkipped", d->ext_skipped);
	if (d->ber)
		text(&v, "encoding", "BER (not DER)");
}
