/*
 * Internal helpers shared by the PDU builders in handover/: the PS-PDU
 * envelope (TS 102 232-1 annex A.2 PS-PDU and PSHeader), the IPAddress
 * type both TS 102 232-1 and TS 101 671 define identically, and the
 * TS 101 671 IRI-Parameters writer used both inside ETSI671IRI and in the
 * standalone HI2 stream. Not for use outside handover/.
 */
#pragma once

#include "handover/pdu.h"

/*
 * The Payload alternatives of a PS-PDU (TS 102 232-1 annex A.2) and what
 * sl_ps_pdu() wraps around the innermost alternative for each.
 */
enum sl_ps_payload {
	SL_PS_IRI,	/* iRIPayloadSequence [0] { IRIPayload { iRIType [0], iRIContents [2] { alt } } } */
	SL_PS_CC,	/* cCPayloadSequence [1] { CCPayload { payloadDirection [0], cCContents [2] { alt } } } */
	SL_PS_TRI,	/* tRIPayload [2] { alt } */
	SL_PS_HI1,	/* hI1-Operation [3] { alt } */
};

/*
 * The one PS-PDU envelope builder (TS 102 232-1 clause 5.2). The caller
 * takes m = sl_ber_w_mark(w), writes the payload's innermost alternative
 * (an iPMMIRI [11], eTSI671IRI [5], iPMMCC [12], TRI NULL or HI1
 * Notification, complete with its tag), and hands over: this wraps it in
 * the payload's structure (value is the iRIType or payloadDirection; not
 * used for TRI and HI1) and payload [2], prepends the PSHeader [1]
 * (template parts from ctx, CIN, sequence number, timestamp, and the
 * timeStampQualifier: timeOfInterception for IRI and CC, timeOfMediation
 * for TRI and HI1) and closes the outer SEQUENCE. Returns the builder
 * result (0, -ENOBUFS, -EINVAL).
 */
int sl_ps_pdu(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
	      enum sl_ps_payload payload, int value, size_t m);

/* Map the writer's state to 0, -ENOBUFS or -EINVAL. */
int sl_pdu_w_status(const struct sl_ber_w *w);

/*
 * IPAddress (TS 102 232-1 A.2 / TS 101 671 D.5) as [tag] with binary
 * iP-value; v6_prefix adds iPv6PrefixLength 128 to an IPv6 address (the
 * field is mandatory then in TS 102 232-1 and HI2 version18, unknown to
 * HI2 version11).
 */
void sl_w_ip_address(struct sl_ber_w *w, uint32_t tag, const struct sl_addr *a, bool v6_prefix);

/* GeneralizedTime [tag] from microseconds with the context's fraction digits. */
void sl_w_gentime_us(struct sl_ber_w *w, uint32_t tag, uint64_t ts_us, unsigned digits);

/* TS 101 671 TimeStamp CHOICE, explicitly tagged [tag]. */
void sl_w_hi2_timestamp(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t tag, uint64_t ts_us);

/*
 * The content of a TS 101 671 IRI-Parameters (no outer tag). v11: the
 * version11 domainID, and leave out what version11 lacks (tAI and eCGI in
 * Location, iPv6PrefixLength). Returns -EINVAL for a CIN above SL_HI2_CIN_MAX, -ENOTSUP
 * without an HI2 operator identifier, else 0 (writer errors stay sticky).
 */
int sl_w_hi2_params(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, bool v11, uint32_t cin,
		    const struct sl_hi2_iri *iri);

/* Identity codings of TS 101 671 PartyInformation (hi2_ids.c). */
/* TBCD (3GPP TS 29.002 TBCD-STRING) of decimal digits; returns octets, 0 if not all digits or too long. */
size_t sl_tbcd_encode(const char *digits, uint8_t *out, size_t cap);
/* Decode TBCD to digits (stops at a 0xF filler in the last octet); false on other non-digits. */
bool sl_tbcd_decode(const uint8_t *p, size_t n, char *out, size_t cap);
/* ISUP calling party number parameter field (EN 300 356) of "+<digits>"; returns octets or 0. */
size_t sl_isup_e164_encode(const char *e164, uint8_t *out, size_t cap);
/* Back to "+<digits>" (international) or "<digits>"; *international tells which. */
bool sl_isup_number_decode(const uint8_t *p, size_t n, char *out, size_t cap, bool *international);
