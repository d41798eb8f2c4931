/*
 * PDU builders for the handover interfaces: TS 102 232-1 PS-PDUs carrying
 * TS 102 232-5 IP multimedia IRI and CC, TS 101 671 IRI (ETSI671IRI),
 * transport-related information and HI1 notifications, and TS 101 671
 * HI2 IRIsContent records on their own.
 *
 * Every builder prepends one complete PDU to a caller's backwards writer
 * (asn1/ber_encode.h) and returns 0, -ENOBUFS when the buffer was too
 * small (sl_ber_w_needed() then says how much is needed), -EINVAL when a
 * value cannot be encoded (an over-long field, a string outside its
 * character set, a CIN the HI2 format cannot carry) or -ENOTSUP when the
 * context lacks what the PDU needs (no usable HI2 operator identifier).
 * On error the writer's contents are unspecified; reset it before reuse.
 * Builders allocate nothing; everything they read is only borrowed.
 *
 * Where each field comes from: constant header parts from the context
 * (pdu_ctx.h), CIN and sequence number from seqno.h, timestamps from the
 * capture layer's event time (timeOfInterception) or the clock of the
 * caller for TRI and HI1 PDUs (timeOfMediation).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber_encode.h"
#include "capture/addr.h"
#include "capture/identity.h"
#include "handover/pdu_ctx.h"

struct sl_cell;

struct sl_event;

/* IRIType (TS 102 232-1) = IRIContent record tag (TS 101 671): same numbers. */
enum sl_iri_type {
	SL_IRI_BEGIN = 1,
	SL_IRI_END = 2,
	SL_IRI_CONTINUE = 3,
	SL_IRI_REPORT = 4,
};
extern const char *const sl_iri_type_names[5]; /* [0] is "none" */

/* TimeStampQualifier (TS 102 232-1 annex A.2). */
enum sl_pdu_tsq {
	SL_TSQ_UNKNOWN = 0,
	SL_TSQ_INTERCEPTION = 1,
	SL_TSQ_MEDIATION = 2,
	SL_TSQ_AGGREGATION = 3,
};

/* PayloadDirection (TS 102 232-1 clause 5.2.7). */
enum sl_pdu_dir {
	SL_PDU_FROM_TARGET = 0,
	SL_PDU_TO_TARGET = 1,
	SL_PDU_DIR_INDETERMINATE = 2,
	SL_PDU_DIR_COMBINED = 3,
	SL_PDU_DIR_NOT_APPLICABLE = 4,
};

/* The per-PDU variable part of a PSHeader. */
struct sl_pdu_hdr {
	bool has_cin;		/* CIN is mandatory for IRI and CC (clause 5.2.4) */
	uint32_t cin;
	uint32_t seqno;
	uint64_t ts_us;		/* microseconds since the epoch, UTC */
};

/* One SIP message for an IPMMIRI (TS 102 232-5 clause 5.2.7, SIPMessage). */
struct sl_ipmm_sip {
	const uint8_t *msg;	/* the SIP message bytes as seen on the wire */
	size_t len;
	struct sl_endpoint src, dst; /* only the addresses go on the wire: SIPMessage has no ports */
	bool iri_only;		/* iRIOnlySIPMessage (clause 5.2.6): no CC for this target */
};

/* FrameType and MMCCprotocol of IPMMCC (TS 102 232-5 clause 5.5). */
enum sl_mmcc_frame { SL_MMCC_FRAME_IP = 0, SL_MMCC_FRAME_UDP = 1, SL_MMCC_FRAME_RTP = 2 };
enum sl_mmcc_proto { SL_MMCC_PROTO_RTP = 0, SL_MMCC_PROTO_MSRP = 1, SL_MMCC_PROTO_UDPTL = 2 };

/* One media packet for an IPMMCC. */
struct sl_ipmm_cc {
	enum sl_pdu_dir dir;
	const uint8_t *data;	/* the RTP or RTCP packet (UDP payload) */
	size_t len;
	const uint8_t *stream_id; /* streamIdentifier, NULL to omit */
	size_t stream_id_len;
	enum sl_mmcc_frame frame; /* SL_MMCC_FRAME_RTP for a UDP payload */
	enum sl_mmcc_proto proto; /* SL_MMCC_PROTO_RTP covers RTCP too */
};

/* TS 101 671 intercepted-Call-Direct and Intercepted-Call-State. */
enum sl_hi2_dir { SL_HI2_NOT_AVAILABLE = 0, SL_HI2_ORIGINATING = 1, SL_HI2_TERMINATING = 2 };
enum sl_hi2_state { SL_HI2_IDLE = 1, SL_HI2_SETUP = 2, SL_HI2_CONNECTED = 3 };
/* nature-Of-The-intercepted-call (subset used). */
enum sl_hi2_nature { SL_HI2_NATURE_CALL = 0, SL_HI2_NATURE_SMS = 1, SL_HI2_NATURE_LTE_SMS = 7 };
/* SMS-report initiator. */
enum sl_hi2_sms_initiator { SL_HI2_SMS_TARGET = 0, SL_HI2_SMS_SERVER = 1, SL_HI2_SMS_UNDEFINED = 2 };
/* SMS-report transfer-status. */
enum sl_hi2_sms_transfer { SL_HI2_SMS_SUCCEEDED = 0, SL_HI2_SMS_FAILED = 1, SL_HI2_SMS_TRANSFER_UNDEFINED = 2 };

/*
 * TS 101 671 Location, the parts sluice can know: E-UTRAN cell and
 * tracking area (coded as TS 29.118 IEs without the IEI, i.e. length
 * octet then value) and a GSM/UMTS globalCellID (MAP format).
 */
struct sl_hi2_location {
	bool has_ecgi, has_tai;
	uint8_t ecgi[8];	/* 0x07, PLMN (3), ECI (4, 28 bits) */
	uint8_t tai[6];		/* 0x05, PLMN (3), TAC (2) */
	uint8_t cgi_len;	/* 0 = absent, else 5..7 */
	uint8_t cgi[7];
};

/*
 * The variable content of one TS 101 671 IRI-Parameters (annex D.5). The
 * encoder reads it; the decoder fills it (views then point into the
 * decoded input). Zero-initialised means "nothing optional present".
 */
struct sl_hi2_iri {
	enum sl_iri_type type;
	uint64_t ts_us;
	bool has_dir, has_state, has_nature;
	uint8_t dir;		/* enum sl_hi2_dir */
	uint8_t state;		/* enum sl_hi2_state */
	uint8_t nature;		/* enum sl_hi2_nature */
	struct sl_party orig, term; /* partyInformation; n == 0: party absent */
	struct sl_hi2_location loc;
	bool has_sms;		/* sMS [14] SMS-report */
	uint8_t sms_initiator;	/* enum sl_hi2_sms_initiator */
	bool has_sms_transfer;
	uint8_t sms_transfer;	/* enum sl_hi2_sms_transfer: RP-ACK succeeded, RP-ERROR failed */
	const uint8_t *sms_content; /* 1..270 octets, NULL to omit */
	size_t sms_content_len;
	struct sl_addr sms_orig, sms_term; /* sMSOriginating/TerminatingAddress; family 0 = absent */
	const uint8_t *sip;	/* sIPMessage [30], NULL to omit */
	size_t sip_len;
};

/* Framing of a standalone HI2 IRIsContent (per destination). */
enum sl_hi2_framing {
	SL_HI2_V11_TAGGED,	/* v3.5.1 (tshark 4.0): IRIsContent [0] iRIContent / [1] iRISequence */
	SL_HI2_V18_UNTAGGED,	/* v3.15.1: the bare IRIContent, starting with its [1]..[4] tag */
};

/* HI1-Operation alternatives (TS 101 671 annex D.4). */
enum sl_hi1_op { SL_HI1_ACTIVATED = 1, SL_HI1_DEACTIVATED = 2, SL_HI1_MODIFIED = 3 };

/* PS-PDU with an IPMMIRI carrying one SIP message. */
int sl_pdu_iri_ipmm(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		    enum sl_iri_type type, const struct sl_ipmm_sip *sip);
/* PS-PDU with an IPMMCC carrying one RTP/RTCP packet. */
int sl_pdu_cc_ipmm(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		   const struct sl_ipmm_cc *cc);
/* PS-PDU with an ETSI671IRI iRI-Parameters; the IRIType is iri->type. */
int sl_pdu_iri_hi2(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		   const struct sl_hi2_iri *iri);
/* TRI PDUs (clauses 6.3.4 and 6.3.6); they carry no CIN. */
int sl_pdu_keepalive(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us);
int sl_pdu_keepalive_response(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno,
			      uint64_t ts_us);
int sl_pdu_ack_request(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us);
int sl_pdu_ack_response(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us);
/*
 * TRI option negotiation (clause 6.3.5, pdu_tri_option.c). An option set
 * is a bit mask of the Option CHOICE alternatives by tag: bit n is
 * alternative [n] (only [0] pDUAcknowledgement is defined; higher bits
 * carry, as a decoded set, alternatives unknown to us). The sequence
 * number counts optionRequest and optionComplete per endpoint and
 * connection; an optionResponse repeats the request's number.
 */
enum sl_tri_option {
	SL_TRI_OPT_PDU_ACK = 0,		/* pDUAcknowledgement [0] NULL (clause 6.3.6) */
	_SL_TRI_OPT_KNOWN
};
#define SL_TRI_OPT(o) (1u << (o))
#define SL_TRI_OPTS_KNOWN (SL_TRI_OPT(SL_TRI_OPT_PDU_ACK))
/* Names of the known options, for logs and renderers ("pDUAcknowledgement"). */
extern const char *const sl_tri_option_names[_SL_TRI_OPT_KNOWN];
/* optionRequest [9] { requestedOptions [0] }; only known options may be requested. */
int sl_pdu_option_request(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us,
			  uint32_t requested);
/* optionResponse [10] { acceptedOptions [0], declinedOptions [1] }, known options only. */
int sl_pdu_option_response(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us,
			   uint32_t accepted, uint32_t declined);
/* optionComplete [11] NULL. */
int sl_pdu_option_complete(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us);

/*
 * PS-PDU with an hI1-Operation notification (liActivated/liDeactivated/
 * liModified); target_info (ASCII, 1..256 octets) may be NULL.
 */
int sl_pdu_hi1_notification(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno,
			    uint64_t ts_us, enum sl_hi1_op op, const char *target_info);

/* A standalone TS 101 671 IRIsContent with one record, in the destination's framing. */
int sl_hi2_iris_content(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, enum sl_hi2_framing framing,
			uint32_t cin, const struct sl_hi2_iri *iri);

/*
 * Fill an IRI from a capture event: record type and call state from the
 * call step (attempt: BEGIN; ringing, answer: CONTINUE; end: END; other
 * events: REPORT), direction from which party is the target, parties
 * (from: originating, to: terminating), SMS-report and node addresses for
 * MESSAGE events, location from P-Access-Network-Info when it names an
 * E-UTRAN cell. Pointers in out borrow from ev.
 */
void sl_hi2_iri_from_event(const struct sl_event *ev, bool target_is_from, struct sl_hi2_iri *out);

/*
 * Parse a P-Access-Network-Info value (TS 24.229 clause 7.2A.4) naming an
 * E-UTRAN cell ("3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=<MCC><MNC><TAC><ECI>")
 * into the TAI and ECGI of loc. False if it names none.
 */
bool sl_hi2_location_from_pani(const char *p, size_t n, struct sl_hi2_location *loc);
/* A cell read by capture into Location: E-UTRAN as tAI and eCGI, GERAN as globalCellID; false for others. */
bool sl_hi2_location_from_cell(const struct sl_cell *c, struct sl_hi2_location *loc);
/*
 * The content of an SMS over IP sms event (the TPDU from the SIP body it
 * carries) into iri->sms_content; only for interceptions with content.
 * False when the event has none.
 */
bool sl_hi2_sms_content(const struct sl_event *ev, struct sl_hi2_iri *iri);
