/*
 * GTPv2-C messages (3GPP TS 29.274) reduced to what identifies a
 * subscriber and where it is: IMSI, MSISDN, MEI, User Location Info (TAI,
 * ECGI and the other location parts the flags announce), APN, the PDN
 * address allocated to the UE, the cause of a response, the sender's
 * control-plane F-TEID and the EPS bearer IDs of the Bearer Context
 * grouped IEs.
 *
 * The decoder is pure: bytes in, a fixed-size struct out, no allocation,
 * no state. Correlating requests with responses and sessions with UEs is
 * gtp_handle.c's job; the binding table is ue_bind.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/cursor.h"
#include "capture/sip_pani.h"

/* TS 29.274 clause 6.1 message types sluice looks into */
#define SL_GTPV2_ECHO_REQ 1
#define SL_GTPV2_ECHO_RSP 2
#define SL_GTPV2_CREATE_SESSION_REQ 32
#define SL_GTPV2_CREATE_SESSION_RSP 33
#define SL_GTPV2_MODIFY_BEARER_REQ 34
#define SL_GTPV2_MODIFY_BEARER_RSP 35
#define SL_GTPV2_DELETE_SESSION_REQ 36
#define SL_GTPV2_DELETE_SESSION_RSP 37
#define SL_GTPV2_CREATE_BEARER_REQ 95
#define SL_GTPV2_CREATE_BEARER_RSP 96
#define SL_GTPV2_UPDATE_BEARER_REQ 97
#define SL_GTPV2_UPDATE_BEARER_RSP 98
#define SL_GTPV2_DELETE_BEARER_REQ 99
#define SL_GTPV2_DELETE_BEARER_RSP 100

/* TS 29.274 clause 8.1 IE types */
#define SL_GTPV2_IE_IMSI 1
#define SL_GTPV2_IE_CAUSE 2
#define SL_GTPV2_IE_APN 71
#define SL_GTPV2_IE_EBI 73
#define SL_GTPV2_IE_MEI 75
#define SL_GTPV2_IE_MSISDN 76
#define SL_GTPV2_IE_PAA 79
#define SL_GTPV2_IE_RAT_TYPE 82
#define SL_GTPV2_IE_ULI 86
#define SL_GTPV2_IE_FTEID 87
#define SL_GTPV2_IE_BEARER_CTX 93

#define SL_GTPV2_MAX_BEARERS 11		/* EBI 5..15 */
#define SL_GTPV2_APN_MAX 101		/* 100 octets of APN (TS 23.003 9.1) as dotted text, NUL */

enum sl_gtpv2_result {
	SL_GTPV2_OK,
	SL_GTPV2_TRUNCATED,	/* header, message or an IE runs past the data */
	SL_GTPV2_MALFORMED,	/* an IE breaks its coding (digits, lengths inside a grouped IE, APN labels) */
	SL_GTPV2_UNSUPPORTED,	/* not version 2 */
	_SL_GTPV2_RESULT_COUNT
};

struct sl_gtpv2_plmn {
	char mcc[4], mnc[4];	/* digits; a 2-digit MNC has mnc[2] == 0 */
};

/* TS 29.274 clause 8.21 User Location Information */
#define SL_ULI_CGI 0x01
#define SL_ULI_SAI 0x02
#define SL_ULI_RAI 0x04
#define SL_ULI_TAI 0x08
#define SL_ULI_ECGI 0x10
#define SL_ULI_LAI 0x20
#define SL_ULI_MACRO_ENB 0x40
#define SL_ULI_EXT_MACRO_ENB 0x80

struct sl_gtpv2_uli {
	uint8_t flags;			/* which parts were present (SL_ULI_*) */
	struct sl_gtpv2_plmn tai_plmn, ecgi_plmn, lai_plmn;
	uint16_t tac;
	uint32_t eci;			/* 28 bits: eNodeB ID (20) and cell (8) */
	uint16_t lac;			/* LAI, or the LAC of CGI/SAI/RAI when no LAI */
	uint16_t ci;			/* CGI cell identity */
	uint16_t sac;			/* SAI service area code */
};

struct sl_gtpv2_fteid {
	bool present;
	uint8_t iface;			/* interface type (TS 29.274 8.22) */
	uint32_t teid;
	bool has_v4, has_v6;
	uint8_t v4[4], v6[16];
};

struct sl_gtpv2_msg {
	uint8_t type;
	bool piggyback;			/* another message follows this one in the datagram */
	bool has_teid;
	uint32_t teid;
	uint32_t seq;			/* 24 bits */

	char imsi[16];			/* digits, "" if absent */
	char msisdn[16];
	char mei[17];			/* IMEI (15) or IMEISV (16) digits */
	char apn[SL_GTPV2_APN_MAX];	/* dotted labels */
	bool has_cause;
	uint8_t cause;
	bool has_uli;
	struct sl_gtpv2_uli uli;
	uint8_t rat_type;		/* 0: absent */

	uint8_t pdn_type;		/* PAA: 1 IPv4, 2 IPv6, 3 IPv4v6, 4 non-IP; 0: absent */
	bool has_ue4, has_ue6;
	uint8_t ue4[4], ue6[16];
	uint8_t ue6_prefix_len;

	struct sl_gtpv2_fteid sender;	/* F-TEID instance 0 at the top level: the sender's control plane */
	struct sl_gtpv2_fteid pgw;	/* instance 1: the PGW's S5/S8 control plane (Create Session Response) */

	unsigned n_bearers;
	uint8_t ebi[SL_GTPV2_MAX_BEARERS];	/* EBI of each Bearer Context, or the top-level EBI */
	unsigned n_ies;			/* top-level IEs */
};

extern const char *const sl_gtpv2_result_names[_SL_GTPV2_RESULT_COUNT];

/*
 * Decode the message at the start of *c and advance *c past it (a
 * piggybacked message follows when m->piggyback). On failure *m holds what
 * was decoded before the fault and *c is left where it was.
 */
enum sl_gtpv2_result sl_gtpv2_decode(struct sl_cursor *c, struct sl_gtpv2_msg *m);

/* Is the cause value one of acceptance (TS 29.274 8.4: 16..63)? */
static inline bool sl_gtpv2_cause_accepted(uint8_t cause)
{
	return cause >= 16 && cause <= 63;
}

/*
 * The one cell a ULI names, in the shape every event uses (struct sl_cell):
 * an ECGI with its TAI is E-UTRAN (the ECGI's PLMN, the TAI's TAC as area,
 * the ECI as cell); otherwise a CGI is GERAN (LAC, CI); otherwise a SAI is
 * UTRAN (LAC, and the service area code where a UTRAN cell would go: the
 * ULI carries no UTRAN cell identity). false when the ULI names no cell
 * (only a TAI, RAI or LAI, or an ECGI without TAI, whose area is unknown).
 */
bool sl_gtpv2_uli_cell(const struct sl_gtpv2_uli *u, struct sl_cell *out);

/* "create_session_request", ...; "other" for types sluice does not name. */
const char *sl_gtpv2_msg_name(uint8_t type);
