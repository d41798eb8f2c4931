/*
 * Strict decoding of TS 101 671 IRI-Parameters (annex D.5, HI2Operations
 * version18; version11 has the same components for what we use) and of
 * the types it shares with HI1 notifications: CommunicationIdentifier,
 * TimeStamp, PartyInformation, Location, SMS-report, DataNodeAddress.
 *
 * Each SEQUENCE is a descriptor table read by pdu_seq.c. IRI-Parameters
 * lists its components in an order that is not the order of their tags
 * (iRIversion [23] comes second), so the order check uses each
 * component's position in the table, which is the position in the
 * definition. partyInformation entries
 * are folded back into the originating and terminating parties, with the
 * identity types of capture/identity.h: sip-uri, tel-url and e164-Format
 * (an international number becomes one E.164 identity, whichever field it
 * came in), imsi and imei from TBCD, alphanumeric as a bare number.
 */
#include <string.h>

#include "handover/pdu_decode_int.h"
#include "handover/pdu_int.h"

#define PARTY_INFO_MAX 10

static void party_add(struct sl_party *p, enum sl_id_type type, const char *v)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (p->id[i].type == type && strcmp(p->id[i].value, v) == 0)
			return;
	if (p->n >= SL_PARTY_MAX_IDS || strlen(v) >= SL_ID_MAX)
		return;
	p->id[p->n].type = (uint8_t)type;
	memcpy(p->id[p->n].value, v, strlen(v) + 1);
	p->n++;
}

/* Copy a view into a NUL-terminated identity text; false if too long or containing NUL. */
static bool id_text(const struct sl_pdu_bytes *b, char *out)
{
	if (b->n >= SL_ID_MAX || memchr(b->p, 0, b->n))
		return false;
	memcpy(out, b->p, b->n);
	out[b->n] = '\0';
	return true;
}

/* LocalTimeStamp as read. */
struct local_time {
	uint64_t us;
	int winter_summer;
};

static int gentime(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *us)
{
	return sl_pd_gentime(s, t, us);
}

/* TS 101 671 D.5 LocalTimeStamp. */
static const struct sl_pd_comp local_time_comp[] = {
	{ 0, "generalizedTime", SL_PD_MANDATORY, SL_PD_CALL_ON(struct local_time, us, uint64_t, gentime) },
	{ 1, "winterSummerIndication", SL_PD_MANDATORY, SL_PD_ENUM_AT(struct local_time, winter_summer, 0, 2) },
};
static const struct sl_pd_seq local_time = {
	.name = "LocalTimeStamp", SL_PD_COMPONENTS(local_time_comp), .extensible = true,
};

int sl_pd_hi2_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			uint64_t *us, bool *utc)
{
	struct sl_ber_tlv alt;
	struct sl_ber_time bt;
	struct local_time lt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag == 1) {
		*utc = true;
		/* BER: a segmented UTCTime (VisibleString underneath) is joined by the getter */
		if ((s->d.mode == SL_BER_MODE_DER && sl_pd_form(s, &alt, false, "utcTime"))
		    || sl_ber_get_utc_time(&s->d, &alt, &bt) != SL_BER_OK)
			return -1;
		if (bt.sec < 0)
			return sl_pd_bad(s, &alt, "utcTime before 1970");
		*us = (uint64_t)bt.sec * 1000000u;
		return 0;
	}
	if (alt.tag != 0)
		return sl_pd_unsupported(s, &alt, "TimeStamp");
	*utc = false;
	if (sl_pd_seq(s, c, &alt, "localTime", &local_time, &lt))
		return -1;
	*us = lt.us;
	return 0;
}

/* communication-Identity-Number: 1..8 ASCII digits. */
static int cin_digits(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_bytes *cin = out;
	size_t i;

	if (sl_pd_bytes(s, t, 1, 8, cin, "communication-Identity-Number"))
		return -1;
	for (i = 0; i < cin->n; i++)
		if (cin->p[i] < '0' || cin->p[i] > '9')
			return sl_pd_bad(s, t, "communication-Identity-Number not ASCII digits");
	return 0;
}

/* TS 101 671 D.5 Network-Identifier; network-Element-Identifier [1] is not ours. */
static const struct sl_pd_comp network_identifier_comp[] = {
	{ 0, "operator-Identifier", SL_PD_MANDATORY,
	  SL_PD_BYTES_AT(struct sl_hi2_ids, operator_id, 1, SL_HI2_OPID_MAX) },
};
static const struct sl_pd_seq network_identifier = {
	.name = "Network-Identifier", SL_PD_COMPONENTS(network_identifier_comp), .extensible = true,
	.repeat = SL_PD_REPEAT_UNSUPPORTED,
};

/* TS 101 671 D.5 CommunicationIdentifier. */
static const struct sl_pd_comp communication_identifier_comp[] = {
	{ 0, "communication-Identity-Number", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_hi2_ids, cin, struct sl_pdu_bytes, cin_digits) },
	{ 1, "network-Identifier", SL_PD_MANDATORY, SL_PD_NESTED_SEQ(network_identifier) },
};
static const struct sl_pd_seq communication_identifier = {
	.name = "CommunicationIdentifier", SL_PD_COMPONENTS(communication_identifier_comp), .extensible = true,
};

int sl_pd_hi2_comm_id(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *ids)
{
	return sl_pd_seq(s, c, t, "CommunicationIdentifier", &communication_identifier, ids);
}

/* The identities of a partyIdentity, each into the party (struct sl_party) it belongs to. */
static int tbcd_identity(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, const char *what,
			 enum sl_id_type type, struct sl_party *p)
{
	struct sl_pdu_bytes b;
	char v[SL_ID_MAX + 1];

	if (sl_pd_bytes(s, t, min, 8, &b, what))
		return -1;
	if (!sl_tbcd_decode(b.p, b.n, v, sizeof(v)))
		return sl_pd_bad(s, t, "%s not TBCD digits", what);
	party_add(p, type, v);
	return 0;
}

static int imei(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *party)
{
	return tbcd_identity(s, t, 8, "imei", SL_ID_IMEI, party);
}

static int imsi(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *party)
{
	return tbcd_identity(s, t, 3, "imsi", SL_ID_IMSI, party);
}

static int e164_format(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *party)
{
	struct sl_pdu_bytes b;
	char v[SL_ID_MAX + 1];
	bool intl;

	if (sl_pd_bytes(s, t, 1, 25, &b, "e164-Format"))
		return -1;
	if (!sl_isup_number_decode(b.p, b.n, v, sizeof(v), &intl))
		return sl_pd_bad(s, t, "e164-Format not an ISUP number");
	party_add(party, intl ? SL_ID_E164 : SL_ID_NUMBER, v);
	return 0;
}

/* An OCTET STRING identity of at least min octets as text in v; unsupported (why) if it does not fit. */
static int id_octets(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, const char *what,
		     const char *why, char *v)
{
	struct sl_pdu_bytes b;

	if (sl_pd_bytes(s, t, min, SIZE_MAX, &b, what))
		return -1;
	return id_text(&b, v) ? 0 : sl_pd_unsupported(s, t, why);
}

static int sip_uri(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *party)
{
	char v[SL_ID_MAX + 1];

	if (id_octets(s, t, 1, "sip-uri", "sip-uri (too long)", v))
		return -1;
	party_add(party, SL_ID_SIP_URI, v);
	return 0;
}

static int tel_url(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *party)
{
	char v[SL_ID_MAX + 1];

	if (id_octets(s, t, 5, "tel-url", "tel-url (not tel:)", v))
		return -1;
	if (strncmp(v, "tel:", 4) != 0)
		return sl_pd_unsupported(s, t, "tel-url (not tel:)");
	party_add(party, v[4] == '+' ? SL_ID_E164 : SL_ID_NUMBER, v + 4);
	return 0;
}

static int alphanumeric(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *party)
{
	struct sl_pdu_bytes b;
	char v[SL_ID_MAX + 1];

	if (sl_pd_text(s, t, SL_BER_TAG_UTF8_STRING, &b, "alphanumeric"))
		return -1;
	if (!id_text(&b, v))
		return sl_pd_unsupported(s, t, "alphanumeric (too long)");
	party_add(party, SL_ID_NUMBER, v);
	return 0;
}

/* TS 101 671 D.5 PartyInformation partyIdentity: the identities sluice encodes. */
static const struct sl_pd_comp party_identity_comp[] = {
	{ 1, "imei", SL_PD_OPTIONAL, SL_PD_CALL_WITH(imei) },
	{ 3, "imsi", SL_PD_OPTIONAL, SL_PD_CALL_WITH(imsi) },
	{ 7, "e164-Format", SL_PD_OPTIONAL, SL_PD_CALL_WITH(e164_format) },
	{ 8, "sip-uri", SL_PD_OPTIONAL, SL_PD_CALL_WITH(sip_uri) },
	{ 9, "tel-url", SL_PD_OPTIONAL, SL_PD_CALL_WITH(tel_url) },
	{ 11, "alphanumeric", SL_PD_OPTIONAL, SL_PD_CALL_WITH(alphanumeric) },
};
static const struct sl_pd_seq party_identity = {
	.name = "partyIdentity", SL_PD_COMPONENTS(party_identity_comp), .extensible = true,
};

/* One PartyInformation as it is read: the qualifier decides whose identities follow. */
struct party_info {
	const struct sl_ber_tlv *seq;	/* the PartyInformation, for "missing" */
	struct sl_hi2_iri *iri;
	int qualifier;
};

static int party_qualifier(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct party_info *pi = out;

	if (sl_pd_enum(s, t, 0, 3, &pi->qualifier, "party-Qualifier"))
		return -1;
	if (pi->qualifier > 1)
		return sl_pd_unsupported(s, t, "party-Qualifier (not originating/terminating)");
	return 0;
}

static int party_identity_of(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct party_info *pi = out;

	if (pi->qualifier < 0)
		return sl_pd_missing(s, pi->seq, "party-Qualifier");
	return sl_pd_seq(s, c, t, "partyIdentity", &party_identity,
			 pi->qualifier ? &pi->iri->term : &pi->iri->orig);
}

/* TS 101 671 D.5 PartyInformation; services-Data-Information [4] is not ours. */
static const struct sl_pd_comp party_information_comp[] = {
	{ 0, "party-Qualifier", SL_PD_MANDATORY, SL_PD_CALL_WITH(party_qualifier) },
	{ 1, "partyIdentity", SL_PD_MANDATORY, SL_PD_CALL_WITH(party_identity_of) },
};
static const struct sl_pd_seq party_information_seq = {
	.name = "PartyInformation", SL_PD_COMPONENTS(party_information_comp), .extensible = true,
};

/* partyInformation: a SET OF PartyInformation, folded into iri->orig and iri->term. */
static int party_information(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_iri *iri = &((struct sl_pdu_decoded *)out)->u.hi2.iri;
	struct sl_ber_cur set;
	struct sl_ber_tlv e;
	unsigned count = 0;

	if (sl_pd_form(s, t, true, "partyInformation") || sl_pd_enter(s, c, t, &set))
		return -1;
	while (sl_ber_more(&set)) {
		struct party_info pi = { .seq = &e, .iri = iri, .qualifier = -1 };

		if (sl_pd_next(s, &set, &e)
		    || sl_ber_expect(&s->d, &e, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE, true) != SL_BER_OK)
			return -1;
		if (++count > PARTY_INFO_MAX)
			return sl_pd_bad(s, &e, "more than %d PartyInformation", PARTY_INFO_MAX);
		if (sl_pd_seq(s, &set, &e, "PartyInformation", &party_information_seq, &pi))
			return -1;
	}
	return count ? 0 : sl_pd_missing(s, t, "PartyInformation");
}

/* An OCTET STRING of min..max octets copied into dst; *n its length. */
static int octets_into(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max, const char *what,
		       uint8_t *dst, size_t *n)
{
	struct sl_pdu_bytes b;

	if (sl_pd_bytes(s, t, min, max, &b, what))
		return -1;
	memcpy(dst, b.p, b.n);
	*n = b.n;
	return 0;
}

static int global_cell_id(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_location *l = out;
	size_t n;

	if (octets_into(s, t, 5, sizeof(l->cgi), "globalCellID", l->cgi, &n))
		return -1;
	l->cgi_len = (uint8_t)n;
	return 0;
}

static int tai(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_location *l = out;
	size_t n;

	l->has_tai = octets_into(s, t, 6, 6, "tAI", l->tai, &n) == 0;
	return l->has_tai ? 0 : -1;
}

static int ecgi(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_location *l = out;
	size_t n;

	l->has_ecgi = octets_into(s, t, 8, 8, "eCGI", l->ecgi, &n) == 0;
	return l->has_ecgi ? 0 : -1;
}

/* TS 101 671 D.5 Location: the cell and tracking area sluice takes from P-Access-Network-Info. */
static const struct sl_pd_comp location_comp[] = {
	{ 2, "globalCellID", SL_PD_OPTIONAL, SL_PD_CALL_WITH(global_cell_id) },
	{ 9, "tAI", SL_PD_OPTIONAL, SL_PD_CALL_WITH(tai) },
	{ 10, "eCGI", SL_PD_OPTIONAL, SL_PD_CALL_WITH(ecgi) },
};
static const struct sl_pd_seq location_seq = {
	.name = "Location", SL_PD_COMPONENTS(location_comp), .extensible = true,
};

static int location(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *loc)
{
	return sl_pd_seq(s, c, t, "Location", &location_seq, loc);
}

/* SMS-report as read: only the contents are kept. */
struct sms_report {
	struct sl_hi2_ids ids;
	uint64_t ts_us;
	bool ts_utc;
	int initiator;
	int transfer;
	struct sl_pdu_bytes content;
};

static int sms_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sms_report *r = out;

	return sl_pd_hi2_timestamp(s, c, t, &r->ts_us, &r->ts_utc);
}

/* TS 101 671 D.5 SMS-report sMS-Contents; other-message [3] is not ours. */
static const struct sl_pd_comp sms_contents_comp[] = {
	{ 1, "initiator", SL_PD_MANDATORY, SL_PD_ENUM_AT(struct sms_report, initiator, 0, 2) },
	{ 2, "transfer-status", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sms_report, transfer, 0, 2) },
	{ 4, "content", SL_PD_OPTIONAL, SL_PD_BYTES_AT(struct sms_report, content, 1, 270) },
};
static const struct sl_pd_seq sms_contents = {
	.name = "sMS-Contents", SL_PD_COMPONENTS(sms_contents_comp), .extensible = true, .qualify_missing = true,
};

/* TS 101 671 D.5 SMS-report. */
static const struct sl_pd_comp sms_report_comp[] = {
	{ 1, "communicationIdentifier", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sms_report, ids, struct sl_hi2_ids, sl_pd_hi2_comm_id) },
	{ 2, "timeStamp", SL_PD_OPTIONAL, SL_PD_CALL_WITH(sms_timestamp) },
	{ 3, "sMS-Contents", SL_PD_MANDATORY, SL_PD_NESTED_SEQ(sms_contents) },
};
static const struct sl_pd_seq sms_report_seq = {
	.name = "SMS-report", SL_PD_COMPONENTS(sms_report_comp), .extensible = true, .qualify_missing = true,
};

static int sms_report(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_iri *iri = &((struct sl_pdu_decoded *)out)->u.hi2.iri;
	struct sms_report r;

	memset(&r, 0, sizeof(r));
	r.initiator = -1;
	r.transfer = -1;
	if (sl_pd_seq(s, c, t, "sMS", &sms_report_seq, &r))
		return -1;
	iri->has_sms = true;
	iri->sms_initiator = (uint8_t)r.initiator;
	iri->has_sms_transfer = r.transfer >= 0;
	iri->sms_transfer = iri->has_sms_transfer ? (uint8_t)r.transfer : 0;
	iri->sms_content = r.content.p;
	iri->sms_content_len = r.content.n;
	return 0;
}

/* DataNodeAddress: ipAddress [1] only. */
static int node_address(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *addr)
{
	struct sl_ber_tlv alt;

	if (sl_pd_choice_only(s, c, t, 1, "DataNodeAddress", &alt))
		return -1;
	return sl_pd_ip_address(s, c, &alt, addr);
}

static int params_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_pdu_decoded *o = out;

	return sl_pd_hi2_timestamp(s, c, t, &o->u.hi2.iri.ts_us, &o->u.hi2.ids.ts_utc);
}

/* An ENUMERATED IRI-Parameters component kept as a present flag and a uint8_t. */
static int iri_enum(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, int64_t min, int64_t max, const char *what,
		    bool *has, uint8_t *v)
{
	int x;

	if (sl_pd_enum(s, t, min, max, &x, what))
		return -1;
	*has = true;
	*v = (uint8_t)x;
	return 0;
}

static int call_direct(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_iri *iri = &((struct sl_pdu_decoded *)out)->u.hi2.iri;

	return iri_enum(s, t, 0, 2, "intercepted-Call-Direct", &iri->has_dir, &iri->dir);
}

static int call_state(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_iri *iri = &((struct sl_pdu_decoded *)out)->u.hi2.iri;

	return iri_enum(s, t, 1, 3, "intercepted-Call-State", &iri->has_state, &iri->state);
}

static int call_nature(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_iri *iri = &((struct sl_pdu_decoded *)out)->u.hi2.iri;

	return iri_enum(s, t, 0, 8, "nature-Of-The-intercepted-call", &iri->has_nature, &iri->nature);
}

static int sip_message(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct sl_hi2_iri *iri = &((struct sl_pdu_decoded *)out)->u.hi2.iri;
	struct sl_pdu_bytes b;

	if (sl_pd_bytes(s, t, 0, SIZE_MAX, &b, "sIPMessage"))
		return -1;
	iri->sip = b.p;
	iri->sip_len = b.n;
	return 0;
}

/*
 * TS 101 671 D.5 IRI-Parameters: the components sluice encodes, in the
 * order of the definition (iRIversion [23] comes second), which is the
 * order the decoder insists on.
 */
static const struct sl_pd_comp iri_parameters_comp[] = {
	{ 0, "domainID", SL_PD_OPTIONAL, SL_PD_OID_AT(struct sl_pdu_decoded, u.hi2.ids.domain) },
	{ 23, "iRIversion", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct sl_pdu_decoded, u.hi2.ids.iri_version, 2, 8) },
	{ 1, "lawfulInterceptionIdentifier", SL_PD_MANDATORY,
	  SL_PD_BYTES_AT(struct sl_pdu_decoded, u.hi2.ids.liid, 1, SL_PDU_LIID_MAX) },
	{ 2, "communicationIdentifier", SL_PD_MANDATORY,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.hi2.ids, struct sl_hi2_ids, sl_pd_hi2_comm_id) },
	{ 3, "timeStamp", SL_PD_MANDATORY, SL_PD_CALL_WITH(params_timestamp) },
	{ 4, "intercepted-Call-Direct", SL_PD_OPTIONAL, SL_PD_CALL_WITH(call_direct) },
	{ 5, "intercepted-Call-State", SL_PD_OPTIONAL, SL_PD_CALL_WITH(call_state) },
	{ 8, "locationOfTheTarget", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.hi2.iri.loc, struct sl_hi2_location, location) },
	{ 9, "partyInformation", SL_PD_OPTIONAL, SL_PD_CALL_WITH(party_information) },
	{ 12, "nature-Of-The-intercepted-call", SL_PD_OPTIONAL, SL_PD_CALL_WITH(call_nature) },
	{ 14, "sMS", SL_PD_OPTIONAL, SL_PD_CALL_WITH(sms_report) },
	{ 27, "sMSOriginatingAddress", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.hi2.iri.sms_orig, struct sl_addr, node_address) },
	{ 28, "sMSTerminatingAddress", SL_PD_OPTIONAL,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.hi2.iri.sms_term, struct sl_addr, node_address) },
	{ 30, "sIPMessage", SL_PD_OPTIONAL, SL_PD_CALL_WITH(sip_message) },
};
static const struct sl_pd_seq iri_parameters = {
	.name = "IRI-Parameters", SL_PD_COMPONENTS(iri_parameters_comp), .extensible = true, .qualify_missing = true,
};

int sl_pd_hi2_params(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		     struct sl_pdu_decoded *out)
{
	out->u.hi2.ids.iri_version = -1;
	return sl_pd_seq(s, c, t, "IRI-Parameters", &iri_parameters, out);
}
