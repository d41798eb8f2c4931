/*
 * GTPv2-C decoder (3GPP TS 29.274).
 *
 * Clause 5.1 header: version 2 in the top three bits of the first octet,
 * the piggybacking flag P, the TEID flag T and the message priority flag;
 * message type; a length counting the octets after the first four; the
 * TEID when T is set; a 24-bit sequence number and one spare octet. A
 * message with P set is followed, inside the same datagram, by one more
 * message (clause 5.5: a Create Session Response carrying a Create Bearer
 * Request, for instance); the caller decodes it with a second call.
 *
 * Clause 8.2 IEs: type, a 16-bit length of the value, a spare nibble and
 * the instance nibble, then the value. Types sluice reads are listed in
 * gtpv2.h; every other IE is stepped over by its length. The Bearer
 * Context (8.28) is a grouped IE whose value is itself a list of IEs; it
 * is walked one level deep for its EPS Bearer ID, and its inner IEs must
 * lie exactly inside it.
 *
 * Identities are TBCD (TS 29.274 8.3 IMSI, 8.10 MEI, 8.11 MSISDN): two
 * digits an octet, low nibble first, an all-ones nibble only as the final
 * filler. Location parts follow clause 8.21 and the PLMN coding of TS
 * 24.008 10.5.1.13. Nothing here trusts a length: every read goes through
 * the cursor, and each IE is decoded from a sub-cursor of exactly its own
 * length.
 */
#include <string.h>

#include "capture/gtpv2.h"

const char *const sl_gtpv2_result_names[_SL_GTPV2_RESULT_COUNT] = {
	[SL_GTPV2_OK] = "ok",
	[SL_GTPV2_TRUNCATED] = "truncated",
	[SL_GTPV2_MALFORMED] = "malformed",
	[SL_GTPV2_UNSUPPORTED] = "unsupported",
};

const char *sl_gtpv2_msg_name(uint8_t type)
{
	switch (type) {
	case SL_GTPV2_ECHO_REQ: return "echo_request";
	case SL_GTPV2_ECHO_RSP: return "echo_response";
	case SL_GTPV2_CREATE_SESSION_REQ: return "create_session_request";
	case SL_GTPV2_CREATE_SESSION_RSP: return "create_session_response";
	case SL_GTPV2_MODIFY_BEARER_REQ: return "modify_bearer_request";
	case SL_GTPV2_MODIFY_BEARER_RSP: return "modify_bearer_response";
	case SL_GTPV2_DELETE_SESSION_REQ: return "delete_session_request";
	case SL_GTPV2_DELETE_SESSION_RSP: return "delete_session_response";
	case SL_GTPV2_CREATE_BEARER_REQ: return "create_bearer_request";
	case SL_GTPV2_CREATE_BEARER_RSP: return "create_bearer_response";
	case SL_GTPV2_UPDATE_BEARER_REQ: return "update_bearer_request";
	case SL_GTPV2_UPDATE_BEARER_RSP: return "update_bearer_response";
	case SL_GTPV2_DELETE_BEARER_REQ: return "delete_bearer_request";
	case SL_GTPV2_DELETE_BEARER_RSP: return "delete_bearer_response";
	default: return "other";
	}
}

/* TBCD digits of one IE into out (size cap, at most (cap - 1) digits). */
static enum sl_gtpv2_result tbcd(struct sl_cursor v, char *out, size_t cap)
{
	size_t n = 0;
	uint8_t o;

	if (v.left == 0 || v.left > cap / 2)
		return SL_GTPV2_MALFORMED;
	while (sl_cur_u8(&v, &o)) {
		uint8_t lo = o & 0x0f, hi = o >> 4;

		if (lo > 9)
			return SL_GTPV2_MALFORMED;
		out[n++] = (char)('0' + lo);
		if (hi == 0x0f) {
			if (v.left != 0)
				return SL_GTPV2_MALFORMED;	/* filler only at the end */
			break;
		}
		if (hi > 9)
			return SL_GTPV2_MALFORMED;
		if (n + 1 >= cap)
			return SL_GTPV2_MALFORMED;
		out[n++] = (char)('0' + hi);
	}
	out[n] = 0;
	return SL_GTPV2_OK;
}

/* TS 24.008 10.5.1.13: MCC digit 2|1, MNC digit 3|MCC digit 3, MNC digit 2|1. */
static bool plmn(struct sl_cursor *c, struct sl_gtpv2_plmn *p)
{
	const uint8_t *b;
	uint8_t d[6];
	int i;

	if (!sl_cur_bytes(c, 3, &b))
		return false;
	d[0] = b[0] & 0x0f;
	d[1] = b[0] >> 4;
	d[2] = b[1] & 0x0f;
	d[5] = b[1] >> 4;	/* MNC digit 3 */
	d[3] = b[2] & 0x0f;
	d[4] = b[2] >> 4;
	for (i = 0; i < 5; i++)
		if (d[i] > 9)
			return false;
	if (d[5] != 0x0f && d[5] > 9)
		return false;
	p->mcc[0] = (char)('0' + d[0]);
	p->mcc[1] = (char)('0' + d[1]);
	p->mcc[2] = (char)('0' + d[2]);
	p->mcc[3] = 0;
	p->mnc[0] = (char)('0' + d[3]);
	p->mnc[1] = (char)('0' + d[4]);
	p->mnc[2] = d[5] == 0x0f ? 0 : (char)('0' + d[5]);
	p->mnc[3] = 0;
	return true;
}

/* Clause 8.21: the parts in flag order CGI, SAI, RAI, TAI, ECGI, LAI, macro eNB, extended macro eNB. */
static enum sl_gtpv2_result uli(struct sl_cursor v, struct sl_gtpv2_uli *u)
{
	struct sl_gtpv2_plmn p;
	uint16_t lac, x;
	uint32_t eci;

	memset(u, 0, sizeof(*u));
	if (!sl_cur_u8(&v, &u->flags))
		return SL_GTPV2_MALFORMED;
	if (u->flags & SL_ULI_CGI) {
		if (!plmn(&v, &p) || !sl_cur_be16(&v, &lac) || !sl_cur_be16(&v, &u->ci))
			return SL_GTPV2_MALFORMED;
		u->lai_plmn = p;
		u->lac = lac;
	}
	if (u->flags & SL_ULI_SAI) {
		if (!plmn(&v, &p) || !sl_cur_be16(&v, &lac) || !sl_cur_be16(&v, &u->sac))
			return SL_GTPV2_MALFORMED;
		if (!(u->flags & SL_ULI_CGI)) {
			u->lai_plmn = p;
			u->lac = lac;
		}
	}
	if (u->flags & SL_ULI_RAI) {
		if (!plmn(&v, &p) || !sl_cur_be16(&v, &lac) || !sl_cur_be16(&v, &x))
			return SL_GTPV2_MALFORMED;
		if (!(u->flags & (SL_ULI_CGI | SL_ULI_SAI))) {
			u->lai_plmn = p;
			u->lac = lac;
		}
	}
	if (u->flags & SL_ULI_TAI)
		if (!plmn(&v, &u->tai_plmn) || !sl_cur_be16(&v, &u->tac))
			return SL_GTPV2_MALFORMED;
	if (u->flags & SL_ULI_ECGI) {
		if (!plmn(&v, &u->ecgi_plmn) || !sl_cur_be32(&v, &eci))
			return SL_GTPV2_MALFORMED;
		u->eci = eci & 0x0fffffff;
	}
	if (u->flags & SL_ULI_LAI) {
		if (!plmn(&v, &u->lai_plmn) || !sl_cur_be16(&v, &u->lac))
			return SL_GTPV2_MALFORMED;
	}
	if ((u->flags & SL_ULI_MACRO_ENB) && !sl_cur_skip(&v, 6))
		return SL_GTPV2_MALFORMED;
	if ((u->flags & SL_ULI_EXT_MACRO_ENB) && !sl_cur_skip(&v, 6))
		return SL_GTPV2_MALFORMED;
	return SL_GTPV2_OK;
}

static void cell_plmn(struct sl_cell *c, const struct sl_gtpv2_plmn *p)
{
	memcpy(c->mcc, p->mcc, sizeof(c->mcc));
	memcpy(c->mnc, p->mnc, sizeof(c->mnc));
}

bool sl_gtpv2_uli_cell(const struct sl_gtpv2_uli *u, struct sl_cell *out)
{
	memset(out, 0, sizeof(*out));
	if ((u->flags & (SL_ULI_TAI | SL_ULI_ECGI)) == (SL_ULI_TAI | SL_ULI_ECGI)) {
		out->access = SL_ACCESS_EUTRAN;
		cell_plmn(out, &u->ecgi_plmn);
		out->area = u->tac;
		out->cell = u->eci;
		return true;
	}
	if (u->flags & (SL_ULI_CGI | SL_ULI_SAI)) {
		/* lai_plmn and lac are the CGI's when there is one, else the SAI's */
		out->access = u->flags & SL_ULI_CGI ? SL_ACCESS_GERAN : SL_ACCESS_UTRAN;
		cell_plmn(out, &u->lai_plmn);
		out->area = u->lac;
		out->cell = u->flags & SL_ULI_CGI ? u->ci : u->sac;
		return true;
	}
	return false;
}

/* Clause 8.6: length-prefixed labels (TS 23.003 9.1) as dotted text. */
static enum sl_gtpv2_result apn(struct sl_cursor v, char *out, size_t cap)
{
	size_t n = 0;
	uint8_t len;
	const uint8_t *lab;

	if (v.left >= cap)
		return SL_GTPV2_MALFORMED;
	while (sl_cur_u8(&v, &len)) {
		size_t i;

		if (len == 0 || !sl_cur_bytes(&v, len, &lab))
			return SL_GTPV2_MALFORMED;
		if (n)
			out[n++] = '.';
		for (i = 0; i < len; i++) {
			uint8_t ch = lab[i];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			      ch == '-' || ch == '_'))
				return SL_GTPV2_MALFORMED;
			out[n++] = (char)ch;
		}
	}
	out[n] = 0;
	return SL_GTPV2_OK;
}

/* Clause 8.14 PDN Address Allocation. */
static enum sl_gtpv2_result paa(struct sl_cursor v, struct sl_gtpv2_msg *m)
{
	uint8_t t;

	if (!sl_cur_u8(&v, &t))
		return SL_GTPV2_MALFORMED;
	m->pdn_type = t & 0x07;
	switch (m->pdn_type) {
	case 1:
		if (!sl_cur_copy(&v, m->ue4, 4))
			return SL_GTPV2_MALFORMED;
		m->has_ue4 = true;
		return SL_GTPV2_OK;
	case 2:
		if (!sl_cur_u8(&v, &m->ue6_prefix_len) || !sl_cur_copy(&v, m->ue6, 16) || m->ue6_prefix_len > 128)
			return SL_GTPV2_MALFORMED;
		m->has_ue6 = true;
		return SL_GTPV2_OK;
	case 3:
		if (!sl_cur_u8(&v, &m->ue6_prefix_len) || !sl_cur_copy(&v, m->ue6, 16) || !sl_cur_copy(&v, m->ue4, 4) ||
		    m->ue6_prefix_len > 128)
			return SL_GTPV2_MALFORMED;
		m->has_ue4 = m->has_ue6 = true;
		return SL_GTPV2_OK;
	default:
		/*
		 * 4 non-IP, 5 Ethernet, later types: no IP address to bind. Not
		 * malformed: a type this decoder does not know must not cost the
		 * rest of the message (the session's identities and cell).
		 */
		return SL_GTPV2_OK;
	}
}

/* Clause 8.22 Fully Qualified TEID. */
static enum sl_gtpv2_result fteid(struct sl_cursor v, struct sl_gtpv2_fteid *f)
{
	uint8_t b;

	memset(f, 0, sizeof(*f));
	if (!sl_cur_u8(&v, &b) || !sl_cur_be32(&v, &f->teid))
		return SL_GTPV2_MALFORMED;
	f->iface = b & 0x3f;
	f->has_v4 = (b & 0x80) != 0;
	f->has_v6 = (b & 0x40) != 0;
	if (f->has_v4 && !sl_cur_copy(&v, f->v4, 4))
		return SL_GTPV2_MALFORMED;
	if (f->has_v6 && !sl_cur_copy(&v, f->v6, 16))
		return SL_GTPV2_MALFORMED;
	f->present = true;
	return SL_GTPV2_OK;
}

/* One IE header and a sub-cursor over its value. */
static enum sl_gtpv2_result ie_next(struct sl_cursor *c, uint8_t *type, uint8_t *inst, struct sl_cursor *val)
{
	uint16_t len;
	uint8_t b;

	if (!sl_cur_u8(c, type) || !sl_cur_be16(c, &len) || !sl_cur_u8(c, &b))
		return SL_GTPV2_TRUNCATED;
	*inst = b & 0x0f;
	if (!sl_cur_sub(c, len, val))
		return SL_GTPV2_TRUNCATED;
	return SL_GTPV2_OK;
}

/* Clause 8.28: the inner IEs of one Bearer Context; takes its EBI. Inner lengths that overrun are malformed. */
static enum sl_gtpv2_result bearer_ctx(struct sl_cursor v, struct sl_gtpv2_msg *m)
{
	uint8_t type, inst, ebi = 0;
	struct sl_cursor iv;

	while (v.left) {
		if (ie_next(&v, &type, &inst, &iv) != SL_GTPV2_OK)
			return SL_GTPV2_MALFORMED;
		if (type == SL_GTPV2_IE_EBI && !sl_cur_u8(&iv, &ebi))
			return SL_GTPV2_MALFORMED;
		if (type == SL_GTPV2_IE_BEARER_CTX)
			return SL_GTPV2_MALFORMED;	/* never nested (clause 8.28) */
	}
	if (m->n_bearers < SL_GTPV2_MAX_BEARERS)
		m->ebi[m->n_bearers++] = ebi & 0x0f;
	return SL_GTPV2_OK;
}

static enum sl_gtpv2_result ie_value(uint8_t type, uint8_t inst, struct sl_cursor v, struct sl_gtpv2_msg *m)
{
	uint8_t b;

	switch (type) {
	case SL_GTPV2_IE_IMSI:
		return tbcd(v, m->imsi, sizeof(m->imsi));
	case SL_GTPV2_IE_MSISDN:
		return tbcd(v, m->msisdn, sizeof(m->msisdn));
	case SL_GTPV2_IE_MEI:
		return tbcd(v, m->mei, sizeof(m->mei));
	case SL_GTPV2_IE_CAUSE:
		if (!sl_cur_u8(&v, &m->cause))
			return SL_GTPV2_MALFORMED;
		m->has_cause = true;
		return SL_GTPV2_OK;
	case SL_GTPV2_IE_APN:
		return apn(v, m->apn, sizeof(m->apn));
	case SL_GTPV2_IE_PAA:
		return paa(v, m);
	case SL_GTPV2_IE_RAT_TYPE:
		if (!sl_cur_u8(&v, &m->rat_type))
			return SL_GTPV2_MALFORMED;
		return SL_GTPV2_OK;
	case SL_GTPV2_IE_ULI:
		m->has_uli = true;
		return uli(v, &m->uli);
	case SL_GTPV2_IE_FTEID:
		if (inst == 1)
			return fteid(v, &m->pgw);
		if (inst != 0)
			return SL_GTPV2_OK;
		return fteid(v, &m->sender);
	case SL_GTPV2_IE_EBI:
		/* a top-level EBI (Delete Session: the default bearer) when no Bearer Context names one */
		if (!sl_cur_u8(&v, &b))
			return SL_GTPV2_MALFORMED;
		if (m->n_bearers == 0)
			m->ebi[m->n_bearers++] = b & 0x0f;
		return SL_GTPV2_OK;
	case SL_GTPV2_IE_BEARER_CTX:
		return bearer_ctx(v, m);
	default:
		return SL_GTPV2_OK;
	}
}

enum sl_gtpv2_result sl_gtpv2_decode(struct sl_cursor *c, struct sl_gtpv2_msg *m)
{
	struct sl_cursor in = *c, body;
	uint8_t flags, spare, type, inst;
	uint16_t len;
	const uint8_t *s;
	enum sl_gtpv2_result r;

	memset(m, 0, sizeof(*m));
	if (!sl_cur_u8(&in, &flags) || !sl_cur_u8(&in, &m->type) || !sl_cur_be16(&in, &len))
		return SL_GTPV2_TRUNCATED;
	if ((flags >> 5) != 2)
		return SL_GTPV2_UNSUPPORTED;
	m->piggyback = (flags & 0x10) != 0;
	m->has_teid = (flags & 0x08) != 0;
	if (len < (m->has_teid ? 8u : 4u))
		return SL_GTPV2_MALFORMED;
	if (!sl_cur_sub(&in, len, &body))
		return SL_GTPV2_TRUNCATED;
	if (m->has_teid && !sl_cur_be32(&body, &m->teid))
		return SL_GTPV2_TRUNCATED;
	if (!sl_cur_bytes(&body, 3, &s) || !sl_cur_u8(&body, &spare))
		return SL_GTPV2_TRUNCATED;
	m->seq = ((uint32_t)s[0] << 16) | ((uint32_t)s[1] << 8) | s[2];

	while (body.left) {
		struct sl_cursor v;

		r = ie_next(&body, &type, &inst, &v);
		if (r != SL_GTPV2_OK)
			return r;
		m->n_ies++;
		r = ie_value(type, inst, v, m);
		if (r != SL_GTPV2_OK)
			return r;
	}
	*c = in;
	return SL_GTPV2_OK;
}
