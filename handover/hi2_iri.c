/*
 * TS 101 671 IRI records (annex D.5, HI2Operations): the IRI-Parameters
 * SEQUENCE, carried either inside a TS 102 232-1 PS-PDU as ETSI671IRI
 * iRI-Parameters [0] (with the record type in the IRIPayload's iRIType),
 * or on its own as an IRIsContent for HI2 destinations that take the
 * TS 101 671 stream directly.
 *
 * Fields written, in the module's order: domainID [0] (hi2OperationId),
 * iRIversion [23] lastVersion(8) (recommended in D.5), the LIID [1],
 * communicationIdentifier [2] (CIN as ASCII digits, SIZE (1..8), and the
 * operator's Network-Identifier), timeStamp [3], intercepted-Call-Direct
 * [4], intercepted-Call-State [5], locationOfTheTarget [8],
 * partyInformation [9], nature-Of-The-intercepted-call [12], sMS [14],
 * sMSOriginatingAddress [27], sMSTerminatingAddress [28] and sIPMessage
 * [30]. Tagged CHOICE types (TimeStamp, DataNodeAddress, IRIContent inside
 * the version11 IRIsContent) get explicit tags, as X.680 requires even
 * under IMPLICIT TAGS.
 *
 * Framing of IRIsContent: version11 (TS 101 671 V3.5.1, what tshark 4.0
 * implements) tags its alternatives, iRIContent [0] / iRISequence [1];
 * version18 (V3.15.1) leaves them untagged, so a record is the bare
 * IRIContent starting with its [1]..[4] tag. A version11 record also
 * leaves out the components version11 does not define (Location tAI [9]
 * and eCGI [10], IPAddress iPv6PrefixLength [4]) and carries the
 * version11 domainID.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handover/pdu_int.h"

/* At most this many PartyInformation per party (the SET allows 10 in all). */
#define PARTY_ROUNDS_MAX 5

void sl_w_hi2_timestamp(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t tag, uint64_t ts_us)
{
	size_t m = sl_ber_w_mark(w), ml;

	if (ctx->hi2_utc_time) {
		sl_ber_w_utc_time(w, SL_BER_CONTEXT, 1, (int64_t)(ts_us / 1000000u));
	} else {
		/* localTime [0] LocalTimeStamp: the generalizedTime is in UTC ('Z'), so no winter/summer flag */
		ml = sl_ber_w_mark(w);
		sl_ber_w_enum(w, SL_BER_CONTEXT, 1, 0); /* winterSummerIndication notProvided(0) */
		sl_w_gentime_us(w, 0, ts_us, ctx->ts_digits);
		sl_ber_w_close(w, ml, SL_BER_CONTEXT, 0);
	}
	sl_ber_w_close(w, m, SL_BER_CONTEXT, tag);
}

static void w_comm_id(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t tag, uint32_t cin)
{
	char digits[12];
	int n = snprintf(digits, sizeof(digits), "%u", cin);
	size_t m = sl_ber_w_mark(w);

	sl_ber_w_raw(w, ctx->hi2_nid.p, ctx->hi2_nid.n);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 0, digits, (size_t)n);
	sl_ber_w_close(w, m, SL_BER_CONTEXT, tag);
}

static unsigned count_type(const struct sl_party *p, enum sl_id_type t)
{
	unsigned i, n = 0;

	for (i = 0; i < p->n && i < SL_PARTY_MAX_IDS; i++)
		n += p->id[i].type == t;
	return n;
}

/* The k-th identity of type t, or NULL. */
static const char *nth(const struct sl_party *p, enum sl_id_type t, unsigned k)
{
	unsigned i;

	for (i = 0; i < p->n && i < SL_PARTY_MAX_IDS; i++)
		if (p->id[i].type == t && k-- == 0)
			return p->id[i].value;
	return NULL;
}

/*
 * One partyIdentity with the k-th identity of each type. A party with two
 * SIP URIs (From and P-Asserted-Identity) gives two PartyInformation
 * entries, since each field of partyIdentity occurs at most once.
 */
static void w_party_identity(struct sl_ber_w *w, const struct sl_party *p, unsigned k, bool v11)
{
	size_t m = sl_ber_w_mark(w);
	uint8_t buf[16];
	const char *v;
	size_t n;

	if (!v11 && (v = nth(p, SL_ID_NUMBER, k)))
		sl_ber_w_utf8(w, SL_BER_CONTEXT, 11, v, strlen(v)); /* alphanumeric: not in version11 */
	if ((v = nth(p, SL_ID_E164, k))) {
		char tel[SL_ID_MAX + 4];
		int tn = snprintf(tel, sizeof(tel), "tel:%s", v);

		sl_ber_w_octets(w, SL_BER_CONTEXT, 9, tel, (size_t)tn); /* tel-url */
	}
	if ((v = nth(p, SL_ID_SIP_URI, k)))
		sl_ber_w_octets(w, SL_BER_CONTEXT, 8, v, strlen(v)); /* sip-uri */
	if ((v = nth(p, SL_ID_E164, k))) {
		n = sl_isup_e164_encode(v, buf, sizeof(buf));
		if (n)
			sl_ber_w_octets(w, SL_BER_CONTEXT, 7, buf, n); /* e164-Format */
	}
	if ((v = nth(p, SL_ID_IMSI, k))) {
		n = sl_tbcd_encode(v, buf, 8);
		if (n >= 3)
			sl_ber_w_octets(w, SL_BER_CONTEXT, 3, buf, n); /* imsi */
	}
	if ((v = nth(p, SL_ID_IMEI, k))) {
		n = sl_tbcd_encode(v, buf, 8);
		if (n == 8)
			sl_ber_w_octets(w, SL_BER_CONTEXT, 1, buf, n); /* imei */
	}
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 1);
}

static unsigned party_rounds(const struct sl_party *p, bool v11)
{
	unsigned t, r = 0, c;

	for (t = SL_ID_SIP_URI; t < _SL_ID_TYPE_COUNT; t++) {
		/* rounds only for what partyIdentity can carry: a TMSI never, a national number not in version11 */
		if (t == SL_ID_TMSI || (v11 && t == SL_ID_NUMBER))
			continue;
		c = count_type(p, t);
		if (c > r)
			r = c;
	}
	return r > PARTY_ROUNDS_MAX ? PARTY_ROUNDS_MAX : r;
}

static void w_parties(struct sl_ber_w *w, const struct sl_hi2_iri *iri, bool v11)
{
	const struct sl_party *ps[2] = { &iri->orig, &iri->term };
	unsigned rounds[2] = { party_rounds(&iri->orig, v11), party_rounds(&iri->term, v11) };
	size_t m, me;
	int i;
	unsigned k;

	if (!rounds[0] && !rounds[1])
		return;
	m = sl_ber_w_mark(w);
	for (i = 1; i >= 0; i--) {
		for (k = rounds[i]; k-- > 0;) {
			me = sl_ber_w_mark(w);
			w_party_identity(w, ps[i], k, v11);
			sl_ber_w_enum(w, SL_BER_CONTEXT, 0, i); /* originating-Party(0) / terminating-Party(1) */
			sl_ber_w_close(w, me, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
		}
	}
	/* partyInformation [9] SET SIZE (1..10) OF PartyInformation: DER order, X.690 11.6 */
	sl_ber_w_sort_set_of(w, m);
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 9);
}

static void w_location(struct sl_ber_w *w, const struct sl_hi2_location *l, bool v11)
{
	bool ecgi = l->has_ecgi && !v11, tai = l->has_tai && !v11;
	size_t m;

	if (!ecgi && !tai && !l->cgi_len)
		return;
	m = sl_ber_w_mark(w);
	if (ecgi)
		sl_ber_w_octets(w, SL_BER_CONTEXT, 10, l->ecgi, sizeof(l->ecgi));
	if (tai)
		sl_ber_w_octets(w, SL_BER_CONTEXT, 9, l->tai, sizeof(l->tai));
	if (l->cgi_len) {
		if (l->cgi_len < 5 || l->cgi_len > 7)
			w->invalid = true;
		else
			sl_ber_w_octets(w, SL_BER_CONTEXT, 2, l->cgi, l->cgi_len);
	}
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 8);
}

static void w_node_address(struct sl_ber_w *w, uint32_t tag, const struct sl_addr *a, bool v11)
{
	size_t m = sl_ber_w_mark(w);

	sl_w_ip_address(w, 1, a, !v11);	/* DataNodeAddress ipAddress [1] */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, tag); /* a CHOICE: explicit */
}

static void w_sms(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t cin, const struct sl_hi2_iri *iri)
{
	size_t m = sl_ber_w_mark(w), mc;

	mc = sl_ber_w_mark(w);
	if (iri->sms_content) {
		if (iri->sms_content_len < 1 || iri->sms_content_len > 270)
			w->invalid = true;
		sl_ber_w_octets(w, SL_BER_CONTEXT, 4, iri->sms_content, iri->sms_content_len);
	}
	if (iri->has_sms_transfer)
		sl_ber_w_enum(w, SL_BER_CONTEXT, 2, iri->sms_transfer);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 1, iri->sms_initiator);
	sl_ber_w_close(w, mc, SL_BER_CONTEXT, 3);	/* sMS-Contents */
	sl_w_hi2_timestamp(w, ctx, 2, iri->ts_us);
	w_comm_id(w, ctx, 1, cin);
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 14);
}

int sl_w_hi2_params(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, bool v11, uint32_t cin,
		    const struct sl_hi2_iri *iri)
{
	const struct sl_pdu_tpl *dom = v11 ? &ctx->hi2_dom11 : &ctx->hi2_dom18;

	if (!sl_pdu_ctx_has_hi2(ctx))
		return -ENOTSUP;
	if (cin > SL_HI2_CIN_MAX || iri->type < SL_IRI_BEGIN || iri->type > SL_IRI_REPORT
	    || (iri->has_dir && iri->dir > SL_HI2_TERMINATING)
	    || (iri->has_state && (iri->state < SL_HI2_IDLE || iri->state > SL_HI2_CONNECTED))
	    || (iri->has_sms && iri->sms_initiator > SL_HI2_SMS_UNDEFINED)
	    || (iri->has_sms && iri->has_sms_transfer && iri->sms_transfer > SL_HI2_SMS_TRANSFER_UNDEFINED))
		return -EINVAL;
	if (iri->sip)
		sl_ber_w_octets(w, SL_BER_CONTEXT, 30, iri->sip, iri->sip_len);
	if (iri->sms_term.family)
		w_node_address(w, 28, &iri->sms_term, v11);
	if (iri->sms_orig.family)
		w_node_address(w, 27, &iri->sms_orig, v11);
	if (iri->has_sms)
		w_sms(w, ctx, cin, iri);
	if (iri->has_nature)
		sl_ber_w_enum(w, SL_BER_CONTEXT, 12, iri->nature);
	w_parties(w, iri, v11);
	w_location(w, &iri->loc, v11);
	if (iri->has_state)
		sl_ber_w_enum(w, SL_BER_CONTEXT, 5, iri->state);
	if (iri->has_dir)
		sl_ber_w_enum(w, SL_BER_CONTEXT, 4, iri->dir);
	sl_w_hi2_timestamp(w, ctx, 3, iri->ts_us);
	w_comm_id(w, ctx, 2, cin);
	sl_ber_w_raw(w, ctx->hi2_liid.p, ctx->hi2_liid.n);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 23, 8); /* iRIversion lastVersion(8) */
	sl_ber_w_raw(w, dom->p, dom->n);
	return 0;
}

int sl_pdu_iri_hi2(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		   const struct sl_hi2_iri *iri)
{
	size_t m;
	int rc;

	if (!w || !ctx || !h || !iri || !h->has_cin)
		return -EINVAL;
	m = sl_ber_w_mark(w);
	rc = sl_w_hi2_params(w, ctx, false, h->cin, iri);
	if (rc)
		return rc;
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 0);	/* iRI-Parameters [0] */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 5);	/* eTSI671IRI [5], a CHOICE */
	return sl_ps_pdu(w, ctx, h, SL_PS_IRI, iri->type, m);
}

int sl_hi2_iris_content(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, enum sl_hi2_framing framing,
			uint32_t cin, const struct sl_hi2_iri *iri)
{
	size_t m_outer, m_rec;
	int rc;

	if (!w || !ctx || !iri || (framing != SL_HI2_V11_TAGGED && framing != SL_HI2_V18_UNTAGGED))
		return -EINVAL;
	m_outer = sl_ber_w_mark(w);
	m_rec = sl_ber_w_mark(w);
	rc = sl_w_hi2_params(w, ctx, framing == SL_HI2_V11_TAGGED, cin, iri);
	if (rc)
		return rc;
	sl_ber_w_close(w, m_rec, SL_BER_CONTEXT, iri->type);	/* iRI-<type>-record */
	if (framing == SL_HI2_V11_TAGGED)
		sl_ber_w_close(w, m_outer, SL_BER_CONTEXT, 0);	/* iRIContent [0], a CHOICE */
	return sl_pdu_w_status(w);
}
