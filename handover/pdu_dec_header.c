/*
 * The PSHeader of TS 102 232-1 (clause 5.2, ASN.1 in annex A.2) as any
 * conforming mediation function may send it, for the strict PDU decoder:
 * every component up to networkFunctionIdentifier [10] (ASN.1 version 33
 * of the module), and the header-like components of IRIPayload and
 * CCPayload (timeStamp, microSecondTimeStamp, timeStampQualifier, the
 * directions of clause 6.2.3 aggregation).
 *
 * PSHeader, CommunicationIdentifier, NetworkIdentifier and
 * MicroSecondTimeStamp all carry an extension marker, so a component a
 * later version adds is skipped and counted (pdu_seq.c), not refused.
 * cINExtension is a 3GPP CorrelationValues (TS 33.108, not in our
 * specification set): it is kept as tag and length. eTSI671NEID is the
 * TS 101 671 Network-Element-Identifier CHOICE: the four OCTET STRING
 * forms as bytes, iP-Address as an address.
 */
#include "handover/pdu_decode_int.h"

/* NetworkIdentifier eTSI671NEID [2]: a CHOICE, explicitly tagged by [2]. */
static int etsi671_neid(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag >= 1 && alt.tag <= 4) {
		o->neid671.alt = alt.tag;
		return sl_pd_bytes(s, &alt, 1, 25, &o->neid671.bytes, "Network-Element-Identifier");
	}
	if (alt.tag == 5) {
		o->neid671.alt = 5;
		return sl_pd_ip_address(s, c, &alt, &o->neid671.addr);
	}
	return sl_pd_unsupported(s, &alt, "Network-Element-Identifier");
}

/* TS 102 232-1 A.2 NetworkIdentifier: the operator and the mediation function. */
static const struct sl_pd_comp network_identifier_comp[] = {
	{ 0, "operatorIdentifier", SL_PD_MANDATORY,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, operator_id, 1, SL_PDU_OPID_MAX) },
	{ 1, "networkElementIdentifier", SL_PD_OPTIONAL,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, ne_id, 1, SL_PDU_NEID_MAX) },
	{ 2, "eTSI671NEID", SL_PD_OPTIONAL, SL_PD_CALL_WITH(etsi671_neid) },
};
static const struct sl_pd_seq network_identifier = {
	.name = "NetworkIdentifier", SL_PD_COMPONENTS(network_identifier_comp), .extensible = true,
};

static int comm_identity_number(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
				void *out)
{
	struct sl_pdu_decoded *o = out;

	if (sl_pd_u32(s, t, &o->cin, "communicationIdentityNumber"))
		return -1;
	o->has_cin = true;
	return 0;
}

static int cin_extension(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;

	sl_pd_undecoded(t, "CorrelationValues", &o->cin_ext);
	return 0;
}

/* TS 102 232-1 A.2 CommunicationIdentifier (clause 5.2.4). */
static const struct sl_pd_comp communication_identifier_comp[] = {
	{ 0, "networkIdentifier", SL_PD_MANDATORY, SL_PD_NESTED_SEQ(network_identifier) },
	{ 1, "communicationIdentityNumber", SL_PD_OPTIONAL, SL_PD_CALL_WITH(comm_identity_number) },
	{ 2, "deliveryCountryCode", SL_PD_OPTIONAL,
	  SL_PD_PRINTABLE_AT(struct sl_pdu_decoded, delivery_cc, 2, 2) },
	{ 3, "cINExtension", SL_PD_OPTIONAL, SL_PD_CALL_WITH(cin_extension) },
};
static const struct sl_pd_seq communication_identifier = {
	.name = "CommunicationIdentifier", SL_PD_COMPONENTS(communication_identifier_comp),
	.extensible = true,
};

static int usts_seconds(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_usts *u = out;

	if (sl_pd_form(s, t, false, "seconds") || sl_ber_get_uint64(&s->d, t, &u->seconds) != SL_BER_OK)
		return -1;
	return 0;
}

static int usts_micro(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_usts *u = out;
	int64_t v;

	if (sl_pd_form(s, t, false, "microSeconds")
	    || sl_ber_get_int_range(&s->d, t, 0, 999999, &v) != SL_BER_OK)
		return -1;
	u->usec = (uint32_t)v;
	return 0;
}

/* TS 102 232-1 A.2 MicroSecondTimeStamp (clause 5.2.6). */
static const struct sl_pd_comp usts_comp[] = {
	{ 0, "seconds", SL_PD_MANDATORY, SL_PD_CALL_WITH(usts_seconds) },
	{ 1, "microSeconds", SL_PD_MANDATORY, SL_PD_CALL_WITH(usts_micro) },
};
static const struct sl_pd_seq usts_seq = {
	.name = "MicroSecondTimeStamp", SL_PD_COMPONENTS(usts_comp), .extensible = true,
	.qualify_missing = true,
};

int sl_pd_usts(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_usts *u = out;

	if (sl_pd_seq(s, c, t, "microSecondTimeStamp", &usts_seq, u))
		return -1;
	u->has = true;
	return 0;
}

static int ps_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;

	if (sl_pd_gentime_zone(s, t, &o->ts))
		return -1;
	o->ts_us = o->ts.us;
	o->has_ts = true;
	return 0;
}

/* TS 102 232-1 A.2 PSHeader (clause 5.2). */
static const struct sl_pd_comp ps_header_comp[] = {
	{ 0, "li-psDomainId", SL_PD_MANDATORY, SL_PD_OID_AT(struct sl_pdu_decoded, domain) },
	{ 1, "lawfulInterceptionIdentifier", SL_PD_MANDATORY,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, liid, 1, SL_PDU_LIID_MAX) },
	{ 2, "authorizationCountryCode", SL_PD_OPTIONAL, SL_PD_PRINTABLE_AT(struct sl_pdu_decoded, auth_cc, 2, 2) },
	{ 3, "communicationIdentifier", SL_PD_MANDATORY, SL_PD_NESTED_SEQ(communication_identifier) },
	{ 4, "sequenceNumber", SL_PD_MANDATORY, SL_PD_U32_AT(struct sl_pdu_decoded, seqno) },
	{ 5, "timeStamp", SL_PD_OPTIONAL, SL_PD_CALL_WITH(ps_timestamp) },
	{ 6, "interceptionPointID", SL_PD_OPTIONAL,
	  SL_PD_PRINTABLE_AT(struct sl_pdu_decoded, ipid, 1, SL_PDU_IPID_MAX) },
	{ 7, "microSecondTimeStamp", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, usts, struct sl_pdu_usts, sl_pd_usts) },
	{ 8, "timeStampQualifier", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, ts_qualifier, 0, 3) },
	{ 9, "extendedInterceptionPointID", SL_PD_OPTIONAL,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, ext_ipid, 1, 65535) },
	{ 10, "networkFunctionIdentifier", SL_PD_OPTIONAL,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, nf_id, 1, 65535) },
};
const struct sl_pd_seq sl_pd_ps_header = {
	.name = "PSHeader", SL_PD_COMPONENTS(ps_header_comp), .extensible = true, .qualify_missing = true,
};

int sl_pd_payload_time(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;

	if (sl_pd_gentime_zone(s, t, &o->pl.ts))
		return -1;
	o->pl.has_ts = true;
	return 0;
}
