/*
 * From a capture event (capture/event.h) to the content of a TS 101 671
 * IRI record (annex D.5 IRI-Parameters).
 *
 * Record types follow the call's life as TS 101 671 clause A.4 (and
 * TS 102 232-5 clause 5.2.4 for IP multimedia) arrange them: the first
 * signalling of a call opens the communication with IRI-BEGIN, progress
 * (ringing, answer) is IRI-CONTINUE, release is IRI-END; events that stand
 * alone (a page-mode MESSAGE, a registration, a lone SIP message) are
 * IRI-REPORT. Intercepted-Call-State follows: set-up in process until
 * answer, connected, then idle.
 *
 * Location comes from the P-Access-Network-Info header (TS 24.229 clause
 * 7.2A.4): for E-UTRAN access, utran-cell-id-3gpp is MCC (3 digits), MNC
 * (2 or 3), TAC (4 hex digits) and E-UTRAN cell identity (7 hex digits),
 * which become the tAI [9] and eCGI [10] of TS 101 671 Location, coded as
 * TS 29.118 IEs without their IEI (a length octet, the PLMN identity of
 * TS 24.008 clause 10.5.1.3, then the TAC or the 28-bit ECI).
 */
#include <string.h>
#include <strings.h>

#include "capture/event.h"
#include "handover/pdu.h"

const char *const sl_iri_type_names[5] = { "none", "begin", "end", "continue", "report" };

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool digits_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool hex_to_u32(const char *p, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t)h;
	}
	return true;
}

/* Find name=value (name case-insensitive) in a ';'-separated parameter list. */
static bool find_param(const char *p, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t ln = strlen(name), i = 0, s, e;

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ';'))
			i++;
		s = i;
		while (i < n && p[i] != ';')
			i++;
		e = i;
		if (e - s > ln && p[s + ln] == '=' && strncasecmp(p + s, name, ln) == 0) {
			s += ln + 1;
			if (e > s && p[s] == '"' && p[e - 1] == '"' && e - s >= 2) {
				s++;
				e--;
			}
			while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
				e--;
			*v = p + s;
			*vn = e - s;
			return true;
		}
	}
	return false;
}

bool sl_hi2_location_from_pani(const char *p, size_t n, struct sl_hi2_location *loc)
{
	static const char eutran[] = "3GPP-E-UTRAN";
	const char *v;
	size_t vn, mnc_len;
	uint8_t plmn[3];
	uint32_t tac, eci;

	if (!p || n < sizeof(eutran) - 1 || strncasecmp(p, eutran, sizeof(eutran) - 1) != 0)
		return false;
	if (!find_param(p, n, "utran-cell-id-3gpp", &v, &vn) || (vn != 16 && vn != 17))
		return false;
	mnc_len = vn - 14;
	if (!digits_ok(v, 3 + mnc_len) || !hex_to_u32(v + 3 + mnc_len, 4, &tac)
	    || !hex_to_u32(v + 7 + mnc_len, 7, &eci))
		return false;
	plmn[0] = (uint8_t)((v[1] - '0') << 4 | (v[0] - '0'));
	plmn[1] = (uint8_t)((mnc_len == 3 ? v[5] - '0' : 0xF) << 4 | (v[2] - '0'));
	plmn[2] = (uint8_t)((v[4] - '0') << 4 | (v[3] - '0'));
	memset(loc, 0, sizeof(*loc));
	loc->has_tai = loc->has_ecgi = true;
	loc->tai[0] = 5;
	memcpy(loc->tai + 1, plmn, 3);
	loc->tai[4] = (uint8_t)(tac >> 8);
	loc->tai[5] = (uint8_t)tac;
	loc->ecgi[0] = 7;
	memcpy(loc->ecgi + 1, plmn, 3);
	loc->ecgi[4] = (uint8_t)(eci >> 24);
	loc->ecgi[5] = (uint8_t)(eci >> 16);
	loc->ecgi[6] = (uint8_t)(eci >> 8);
	loc->ecgi[7] = (uint8_t)eci;
	return true;
}

void sl_hi2_iri_from_event(const struct sl_event *ev, bool target_is_from, struct sl_hi2_iri *out)
{
	memset(out, 0, sizeof(*out));
	out->type = SL_IRI_REPORT;
	out->ts_us = ev->ts_us;
	out->has_dir = true;
	out->dir = target_is_from ? SL_HI2_ORIGINATING : SL_HI2_TERMINATING;
	out->orig = ev->from;
	out->term = ev->to;
	if (ev->location.p)
		sl_hi2_location_from_pani(ev->location.p, ev->location.len, &out->loc);

	switch (ev->type) {
	case SL_EV_CALL:
		out->has_state = true;
		switch (ev->u.call.step) {
		case SL_CALL_ATTEMPT:
			out->type = SL_IRI_BEGIN;
			out->state = SL_HI2_SETUP;
			break;
		case SL_CALL_RINGING:
			out->type = SL_IRI_CONTINUE;
			out->state = SL_HI2_SETUP;
			break;
		case SL_CALL_ANSWER:
			out->type = SL_IRI_CONTINUE;
			out->state = SL_HI2_CONNECTED;
			break;
		default:
			out->type = SL_IRI_END;
			out->state = SL_HI2_IDLE;
			break;
		}
		break;
	case SL_EV_MESSAGE:
		out->has_sms = true;
		out->sms_initiator = target_is_from ? SL_HI2_SMS_TARGET : SL_HI2_SMS_SERVER;
		if (ev->sig) {
			out->sms_orig = ev->sig->src.addr;
			out->sms_term = ev->sig->dst.addr;
		}
		break;
	default:
		break;
	}
}
