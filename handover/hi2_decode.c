/*
 * Strict decoding of TS 101 671 IRI-Parameters (annex D.5, HI2Operations
 * version18; version11 has the same components for what we use) and of
 * the types it shares with HI1 notifications: CommunicationIdentifier,
 * TimeStamp, PartyInformation, Location, SMS-report, DataNodeAddress.
 *
 * IRI-Parameters lists its components in an order that is not the order
 * of their tags (iRIversion [23] comes second), so the order check uses
 * each component's position in the definition. partyInformation entries
 * are folded back into the originating and terminating parties, with the
 * identity types of capture/identity.h: sip-uri, tel-url and e164-Format
 * (an international number becomes one E.164 identity, whichever field it
 * came in), imsi and imei from TBCD, alphanumeric as a bare number.
 */
#include <string.h>

#include "handover/pdu_decode_int.h"
#include "handover/pdu_int.h"

#define PARTY_INFO_MAX 10

/* Position of each IRI-Parameters component we decode, by tag; -1 unsupported. */
static int param_pos(uint32_t tag)
{
	static const struct { uint8_t tag, pos; } tab[] = {
		{ 0, 0 }, { 23, 1 }, { 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 5 }, { 5, 6 }, { 8, 7 },
		{ 9, 8 }, { 12, 9 }, { 14, 10 }, { 27, 11 }, { 28, 12 }, { 30, 13 },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].tag == tag)
			return tab[i].pos;
	return -1;
}

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

int sl_pd_hi2_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			uint64_t *us, bool *utc)
{
	struct sl_ber_tlv alt, f;
	struct sl_ber_cur in;
	struct sl_ber_time bt;
	int last = -1, wsi;
	bool gt = false, ws = false;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag == 1) {
		*utc = true;
		if (sl_pd_form(s, &alt, false, "utcTime") || sl_ber_get_utc_time(&s->d, &alt, &bt) != SL_BER_OK)
			return -1;
		if (bt.sec < 0)
			return sl_pd_bad(s, &alt, "utcTime before 1970");
		*us = (uint64_t)bt.sec * 1000000u;
		return 0;
	}
	if (alt.tag != 0)
		return sl_pd_unsupported(s, &alt, "TimeStamp");
	*utc = false;
	if (sl_pd_form(s, &alt, true, "localTime") || sl_pd_enter(s, c, &alt, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 1)
			return sl_pd_unsupported(s, &f, "LocalTimeStamp");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "LocalTimeStamp"))
			return -1;
		if (f.tag == 0) {
			if (sl_pd_gentime(s, &f, us))
				return -1;
			gt = true;
		} else {
			if (sl_pd_enum(s, &f, 0, 2, &wsi, "winterSummerIndication"))
				return -1;
			ws = true;
		}
	}
	if (!gt || !ws)
		return sl_pd_missing(s, &alt, gt ? "winterSummerIndication" : "generalizedTime");
	return 0;
}

int sl_pd_hi2_comm_id(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		      struct sl_hi2_ids *ids)
{
	struct sl_ber_cur in, nin;
	struct sl_ber_tlv f, g;
	int last = -1;
	size_t i;

	if (sl_pd_form(s, t, true, "CommunicationIdentifier") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag > 1)
			return sl_pd_unsupported(s, &f, "CommunicationIdentifier");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "CommunicationIdentifier"))
			return -1;
		if (f.tag == 0) {
			if (sl_pd_bytes(s, &f, 1, 8, &ids->cin, "communication-Identity-Number"))
				return -1;
			for (i = 0; i < ids->cin.n; i++)
				if (ids->cin.p[i] < '0' || ids->cin.p[i] > '9')
					return sl_pd_bad(s, &f, "communication-Identity-Number not ASCII digits");
			continue;
		}
		if (sl_pd_form(s, &f, true, "network-Identifier") || sl_pd_enter(s, &in, &f, &nin))
			return -1;
		while (sl_ber_more(&nin)) {
			if (sl_pd_next(s, &nin, &g))
				return -1;
			if (g.cls != SL_BER_CONTEXT || g.tag != 0 || ids->operator_id.p)
				return sl_pd_unsupported(s, &g, "Network-Identifier");
			if (sl_pd_bytes(s, &g, 1, SL_HI2_OPID_MAX, &ids->operator_id, "operator-Identifier"))
				return -1;
		}
		if (!ids->operator_id.p)
			return sl_pd_missing(s, &f, "operator-Identifier");
	}
	return ids->operator_id.p ? 0 : sl_pd_missing(s, t, "network-Identifier");
}

static int party_identity(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			  struct sl_party *p)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	struct sl_pdu_bytes b;
	char v[SL_ID_MAX + 1];
	bool intl;
	int last = -1;

	if (sl_pd_form(s, t, true, "partyIdentity") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT
		    || (f.tag != 1 && f.tag != 3 && f.tag != 7 && f.tag != 8 && f.tag != 9 && f.tag != 11))
			return sl_pd_unsupported(s, &f, "partyIdentity");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "partyIdentity"))
			return -1;
		switch (f.tag) {
		case 1:
			if (sl_pd_bytes(s, &f, 8, 8, &b, "imei"))
				return -1;
			if (!sl_tbcd_decode(b.p, b.n, v, sizeof(v)))
				return sl_pd_bad(s, &f, "imei not TBCD digits");
			party_add(p, SL_ID_IMEI, v);
			break;
		case 3:
			if (sl_pd_bytes(s, &f, 3, 8, &b, "imsi"))
				return -1;
			if (!sl_tbcd_decode(b.p, b.n, v, sizeof(v)))
				return sl_pd_bad(s, &f, "imsi not TBCD digits");
			party_add(p, SL_ID_IMSI, v);
			break;
		case 7:
			if (sl_pd_bytes(s, &f, 1, 25, &b, "e164-Format"))
				return -1;
			if (!sl_isup_number_decode(b.p, b.n, v, sizeof(v), &intl))
				return sl_pd_bad(s, &f, "e164-Format not an ISUP number");
			party_add(p, intl ? SL_ID_E164 : SL_ID_NUMBER, v);
			break;
		case 8:
			if (sl_pd_bytes(s, &f, 1, SIZE_MAX, &b, "sip-uri"))
				return -1;
			if (!id_text(&b, v))
				return sl_pd_unsupported(s, &f, "sip-uri (too long)");
			party_add(p, SL_ID_SIP_URI, v);
			break;
		case 9:
			if (sl_pd_bytes(s, &f, 5, SIZE_MAX, &b, "tel-url"))
				return -1;
			if (!id_text(&b, v) || strncmp(v, "tel:", 4) != 0)
				return sl_pd_unsupported(s, &f, "tel-url (not tel:)");
			party_add(p, v[4] == '+' ? SL_ID_E164 : SL_ID_NUMBER, v + 4);
			break;
		default: {
			const char *txt;
			size_t n;

			if (sl_pd_form(s, &f, false, "alphanumeric")
			    || sl_ber_get_text(&s->d, &f, SL_BER_TAG_UTF8_STRING, &txt, &n) != SL_BER_OK)
				return -1;
			b.p = (const uint8_t *)txt;
			b.n = n;
			if (!id_text(&b, v))
				return sl_pd_unsupported(s, &f, "alphanumeric (too long)");
			party_add(p, SL_ID_NUMBER, v);
			break;
		}
		}
	}
	return 0;
}

static int party_information(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			     struct sl_hi2_iri *iri)
{
	struct sl_ber_cur set, in;
	struct sl_ber_tlv e, f;
	unsigned count = 0;

	if (sl_pd_form(s, t, true, "partyInformation") || sl_pd_enter(s, c, t, &set))
		return -1;
	while (sl_ber_more(&set)) {
		int q = -1, last = -1;
		bool ident = false;

		if (sl_pd_next(s, &set, &e)
		    || sl_ber_expect(&s->d, &e, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE, true) != SL_BER_OK)
			return -1;
		if (++count > PARTY_INFO_MAX)
			return sl_pd_bad(s, &e, "more than %d PartyInformation", PARTY_INFO_MAX);
		if (sl_pd_enter(s, &set, &e, &in))
			return -1;
		while (sl_ber_more(&in)) {
			if (sl_pd_next(s, &in, &f))
				return -1;
			if (f.cls != SL_BER_CONTEXT || f.tag > 1)
				return sl_pd_unsupported(s, &f, "PartyInformation");
			if (sl_pd_order(s, &f, (int)f.tag, &last, "PartyInformation"))
				return -1;
			if (f.tag == 0) {
				if (sl_pd_enum(s, &f, 0, 3, &q, "party-Qualifier"))
					return -1;
				if (q > 1)
					return sl_pd_unsupported(s, &f, "party-Qualifier (not originating/terminating)");
				continue;
			}
			if (q < 0)
				return sl_pd_missing(s, &e, "party-Qualifier");
			if (party_identity(s, &in, &f, q ? &iri->term : &iri->orig))
				return -1;
			ident = true;
		}
		if (q < 0 || !ident)
			return sl_pd_missing(s, &e, q < 0 ? "party-Qualifier" : "partyIdentity");
	}
	return count ? 0 : sl_pd_missing(s, t, "PartyInformation");
}

static int location(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		    struct sl_hi2_location *l)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	struct sl_pdu_bytes b;
	int last = -1;

	if (sl_pd_form(s, t, true, "Location") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || (f.tag != 2 && f.tag != 9 && f.tag != 10))
			return sl_pd_unsupported(s, &f, "Location");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "Location"))
			return -1;
		if (f.tag == 2) {
			if (sl_pd_bytes(s, &f, 5, 7, &b, "globalCellID"))
				return -1;
			l->cgi_len = (uint8_t)b.n;
			memcpy(l->cgi, b.p, b.n);
		} else if (f.tag == 9) {
			if (sl_pd_bytes(s, &f, 6, 6, &b, "tAI"))
				return -1;
			l->has_tai = true;
			memcpy(l->tai, b.p, 6);
		} else {
			if (sl_pd_bytes(s, &f, 8, 8, &b, "eCGI"))
				return -1;
			l->has_ecgi = true;
			memcpy(l->ecgi, b.p, 8);
		}
	}
	return 0;
}

static int sms_report(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		      struct sl_hi2_iri *iri)
{
	struct sl_ber_cur in, cin;
	struct sl_ber_tlv f, g;
	struct sl_hi2_ids ids;
	struct sl_pdu_bytes b;
	uint64_t us;
	bool utc;
	int last = -1, glast = -1, v = -1;

	memset(&ids, 0, sizeof(ids));
	if (sl_pd_form(s, t, true, "sMS") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		if (f.cls != SL_BER_CONTEXT || f.tag < 1 || f.tag > 3)
			return sl_pd_unsupported(s, &f, "SMS-report");
		if (sl_pd_order(s, &f, (int)f.tag, &last, "SMS-report"))
			return -1;
		if (f.tag == 1) {
			if (sl_pd_hi2_comm_id(s, &in, &f, &ids))
				return -1;
		} else if (f.tag == 2) {
			if (sl_pd_hi2_timestamp(s, &in, &f, &us, &utc))
				return -1;
		} else {
			if (sl_pd_form(s, &f, true, "sMS-Contents") || sl_pd_enter(s, &in, &f, &cin))
				return -1;
			while (sl_ber_more(&cin)) {
				if (sl_pd_next(s, &cin, &g))
					return -1;
				if (g.cls != SL_BER_CONTEXT || (g.tag != 1 && g.tag != 4))
					return sl_pd_unsupported(s, &g, "sMS-Contents");
				if (sl_pd_order(s, &g, (int)g.tag, &glast, "sMS-Contents"))
					return -1;
				if (g.tag == 1) {
					if (sl_pd_enum(s, &g, 0, 2, &v, "initiator"))
						return -1;
				} else {
					if (sl_pd_bytes(s, &g, 1, 270, &b, "content"))
						return -1;
					iri->sms_content = b.p;
					iri->sms_content_len = b.n;
				}
			}
			if (v < 0)
				return sl_pd_missing(s, &f, "sMS-Contents initiator");
		}
	}
	if (last != 3)
		return sl_pd_missing(s, t, "SMS-report sMS-Contents");
	iri->has_sms = true;
	iri->sms_initiator = (uint8_t)v;
	return 0;
}

static int node_address(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			struct sl_addr *a)
{
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag != 1)
		return sl_pd_unsupported(s, &alt, "DataNodeAddress");
	return sl_pd_ip_address(s, c, &alt, a);
}

int sl_pd_hi2_params(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		     struct sl_hi2_ids *ids, struct sl_hi2_iri *iri)
{
	struct sl_ber_cur in;
	struct sl_ber_tlv f;
	struct sl_pdu_bytes b;
	int last = -1, pos, v;
	bool comm = false, ts = false;

	ids->iri_version = -1;
	if (sl_pd_form(s, t, true, "IRI-Parameters") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &f))
			return -1;
		pos = f.cls == SL_BER_CONTEXT ? param_pos(f.tag) : -1;
		if (pos < 0)
			return sl_pd_unsupported(s, &f, "IRI-Parameters");
		if (sl_pd_order(s, &f, pos, &last, "IRI-Parameters"))
			return -1;
		switch (f.tag) {
		case 0:
			if (sl_pd_oid(s, &f, ids->domain, sizeof(ids->domain)))
				return -1;
			break;
		case 23:
			if (sl_pd_enum(s, &f, 2, 8, &ids->iri_version, "iRIversion"))
				return -1;
			break;
		case 1:
			if (sl_pd_bytes(s, &f, 1, SL_PDU_LIID_MAX, &ids->liid, "lawfulInterceptionIdentifier"))
				return -1;
			break;
		case 2:
			if (sl_pd_hi2_comm_id(s, &in, &f, ids))
				return -1;
			comm = true;
			break;
		case 3:
			if (sl_pd_hi2_timestamp(s, &in, &f, &iri->ts_us, &ids->ts_utc))
				return -1;
			ts = true;
			break;
		case 4:
			if (sl_pd_enum(s, &f, 0, 2, &v, "intercepted-Call-Direct"))
				return -1;
			iri->has_dir = true;
			iri->dir = (uint8_t)v;
			break;
		case 5:
			if (sl_pd_enum(s, &f, 1, 3, &v, "intercepted-Call-State"))
				return -1;
			iri->has_state = true;
			iri->state = (uint8_t)v;
			break;
		case 8:
			if (location(s, &in, &f, &iri->loc))
				return -1;
			break;
		case 9:
			if (party_information(s, &in, &f, iri))
				return -1;
			break;
		case 12:
			if (sl_pd_enum(s, &f, 0, 8, &v, "nature-Of-The-intercepted-call"))
				return -1;
			iri->has_nature = true;
			iri->nature = (uint8_t)v;
			break;
		case 14:
			if (sms_report(s, &in, &f, iri))
				return -1;
			break;
		case 27:
			if (node_address(s, &in, &f, &iri->sms_orig))
				return -1;
			break;
		case 28:
			if (node_address(s, &in, &f, &iri->sms_term))
				return -1;
			break;
		default:
			if (sl_pd_bytes(s, &f, 0, SIZE_MAX, &b, "sIPMessage"))
				return -1;
			iri->sip = b.p;
			iri->sip_len = b.n;
			break;
		}
	}
	if (!ids->liid.p)
		return sl_pd_missing(s, t, "IRI-Parameters lawfulInterceptionIdentifier");
	if (!comm)
		return sl_pd_missing(s, t, "IRI-Parameters communicationIdentifier");
	return ts ? 0 : sl_pd_missing(s, t, "IRI-Parameters timeStamp");
}
