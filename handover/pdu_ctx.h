/*
 * Per-warrant, per-destination constant parts of every PDU, encoded once.
 *
 * A TS 102 232-1 PSHeader (clause 5.2 and annex A.2) repeats on every PDU
 * the same domain OID, LIID (5.2.2), authorization country code (5.2.3),
 * network identifier and delivery country code (5.2.4) and interception
 * point id (5.2.11); only the CIN, the sequence number (5.2.5) and the
 * timestamp (5.2.6) change. The TS 101 671 IRI-Parameters (annex D.5)
 * likewise repeat the LIID and the operator identifier. A context holds
 * those constant TLVs already DER-encoded, so building a PDU copies them
 * with sl_ber_w_raw() and writes only the variable fields (the templating
 * idea of OpenLI's encoder, done with the backwards writer so there is
 * nothing to patch afterwards).
 *
 * The context is immutable after sl_pdu_ctx_alloc(): encoders take it
 * const and may share it. It owns copies of everything it needs; the
 * configuration strings need not outlive the call.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* li-psDomainId of LI-PS-PDU version33 (TS 102 232-1 V3.26.1, annex A.2). */
#define SL_PDU_LI_PS_DOMAIN "0.4.0.2.2.5.1.33"
/* hi2OperationId of HI2Operations version18 (TS 101 671 V3.15.1) and version11 (V3.5.1). */
#define SL_HI2_DOMAIN_V18 "0.4.0.2.2.1.18"
#define SL_HI2_DOMAIN_V11 "0.4.0.2.2.1.11"

#define SL_PDU_LIID_MAX 25		/* LIID ::= OCTET STRING (SIZE (1..25)), TS 103 280 */
#define SL_PDU_OPID_MAX 16		/* operatorIdentifier (SIZE(1..16)) */
#define SL_PDU_NEID_MAX 16		/* networkElementIdentifier (SIZE(1..16)) */
#define SL_PDU_IPID_MAX 8		/* interceptionPointID PrintableString (SIZE (1..8)) */
#define SL_HI2_OPID_MAX 5		/* TS 101 671 operator-Identifier (SIZE (1..5)) */
#define SL_HI2_CIN_MAX 99999999u	/* communication-Identity-Number: at most 8 ASCII digits */

struct sl_pdu_ctx_cfg {
	const char *liid;		/* mandatory, 1..25 octets */
	const char *auth_cc;		/* authorizationCountryCode, 2 letters, or NULL */
	const char *operator_id;	/* mandatory, 1..16 octets */
	const char *ne_id;		/* networkElementIdentifier (the MF, clause 5.2.4), or NULL */
	const char *delivery_cc;	/* deliveryCountryCode, 2 letters, or NULL */
	const char *ipid;		/* interceptionPointID, 1..8 PrintableString, or NULL */
	/*
	 * TS 101 671 operator-Identifier (1..5 octets). NULL: operator_id,
	 * when it is short enough; otherwise HI2 encoding is refused.
	 */
	const char *hi2_operator_id;
	unsigned ts_digits;		/* fraction digits of every GeneralizedTime, 0..6 */
	bool hi2_utc_time;		/* HI2 TimeStamp as utcTime (whole seconds) rather than localTime */
};

/* A TLV kept in the context: DER bytes, possibly empty (absent field). */
struct sl_pdu_tpl {
	uint8_t *p;
	size_t n;
};

struct sl_pdu_ctx {
	/* PSHeader: [0] li-psDomainId, [1] LIID, [2] authorizationCountryCode */
	struct sl_pdu_tpl ps_head;
	/* CommunicationIdentifier [0] networkIdentifier */
	struct sl_pdu_tpl ps_nid;
	/* CommunicationIdentifier [2] deliveryCountryCode (may be empty) */
	struct sl_pdu_tpl ps_dcc;
	/* PSHeader [6] interceptionPointID (may be empty) */
	struct sl_pdu_tpl ps_ipid;
	/* IRI-Parameters [1] lawfulInterceptionIdentifier */
	struct sl_pdu_tpl hi2_liid;
	/* Network-Identifier (TS 101 671) as [1] inside CommunicationIdentifier; empty if unusable */
	struct sl_pdu_tpl hi2_nid;
	/* IRI-Parameters [0] domainID for version18 and version11 */
	struct sl_pdu_tpl hi2_dom18, hi2_dom11;
	/* HI1 Notification [1] lawfulInterceptionIdentifier */
	struct sl_pdu_tpl hi1_liid;
	unsigned ts_digits;
	bool hi2_utc_time;
};

/*
 * Validate cfg and pre-encode the constant parts. Returns a talloc child
 * of talloc_ctx (free it with talloc_free), or NULL with errno set:
 * EINVAL for a missing or out-of-range field, ENOMEM.
 */
struct sl_pdu_ctx *sl_pdu_ctx_alloc(void *talloc_ctx, const struct sl_pdu_ctx_cfg *cfg);

/* True if the context can encode TS 101 671 IRI (operator id short enough). */
static inline bool sl_pdu_ctx_has_hi2(const struct sl_pdu_ctx *c)
{
	return c->hi2_nid.n > 0;
}
