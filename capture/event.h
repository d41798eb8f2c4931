/*
 * What the capture layer hands to the layers above: metadata events and
 * content packets.
 *
 * An sl_event is one IRI-worthy fact: a SIP message was seen, a call moved
 * through attempt/ringing/answer/end, a page-mode message was sent, a
 * registration completed, an RTP stream ended. Events carry normalised party
 * identities (identity.h), the correlation key of their communication (the
 * SIP Call-ID) and, when a signalling message caused them, that message's
 * bytes and addresses.
 *
 * Content (RTP/RTCP packets, message bodies) travels separately as sl_cc and
 * only for dialogs a consumer asked content for (sl_dialog_set_cc); by
 * default no content leaves the capture layer at all.
 *
 * Everything an event points to is valid only during the callback;
 * consumers copy what they keep.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/addr.h"
#include "capture/identity.h"
#include "capture/sip_pani.h"
#include "capture/str.h"

struct sl_sip_msg;
struct sl_dialog;
struct sl_ue_info;

enum sl_event_type {
	SL_EV_SIP,		/* every SIP message */
	SL_EV_CALL,		/* call lifecycle step */
	SL_EV_MESSAGE,		/* SIP MESSAGE request (page-mode IM, SMS over IP) */
	SL_EV_REGISTRATION,	/* REGISTER transaction outcome */
	SL_EV_RTP_STREAM,	/* summary of one RTP or RTCP stream when it ends */
	SL_EV_SMS,		/* GSM short message (RP-DATA with its TPDU) */
	SL_EV_IDENTITY,		/* a GSM mobile identity seen, with what is known of the same phone */
	SL_EV_LOCATION,		/* where a subscriber is: a cell named by signalling (P-Access-Network-Info) */
	SL_EV_BEARER,		/* a GTPv2-C PDN session bound a UE address to a subscriber and cell, moved or ended */
	_SL_EV_COUNT
};

enum sl_transport { SL_TRANSPORT_UDP, SL_TRANSPORT_TCP, SL_TRANSPORT_WS, _SL_TRANSPORT_COUNT };

enum sl_call_step { SL_CALL_ATTEMPT, SL_CALL_RINGING, SL_CALL_ANSWER, SL_CALL_END, _SL_CALL_STEP_COUNT };

enum sl_call_end {
	SL_END_NONE,
	SL_END_BYE,		/* normal release */
	SL_END_CANCEL,		/* caller gave up before answer */
	SL_END_REJECTED,	/* final error response to the INVITE */
	SL_END_TIMEOUT,		/* no final response / no BYE within the configured time */
	SL_END_EVICTED,		/* dialog table full */
	SL_END_CAPTURE_END,	/* capture stopped with the call still open */
	_SL_END_COUNT
};

/* Which side sent the message that caused an event. */
enum sl_dir { SL_DIR_NONE, SL_DIR_FROM_CALLER, SL_DIR_FROM_CALLEE, _SL_DIR_COUNT };

enum sl_reg_result {
	SL_REG_REGISTERED,	/* 2xx with a non-zero expiry */
	SL_REG_DEREGISTERED,	/* 2xx to a REGISTER with expiry 0 */
	SL_REG_CHALLENGED,	/* 401/407 */
	SL_REG_FAILED,		/* other final response */
	SL_REG_NO_RESPONSE,	/* transaction timed out unanswered */
	_SL_REG_COUNT
};

extern const char *const sl_event_type_names[_SL_EV_COUNT];
extern const char *const sl_transport_names[_SL_TRANSPORT_COUNT];
extern const char *const sl_call_step_names[_SL_CALL_STEP_COUNT];
extern const char *const sl_call_end_names[_SL_END_COUNT];
extern const char *const sl_dir_names[_SL_DIR_COUNT];
extern const char *const sl_reg_result_names[_SL_REG_COUNT];

/* Where a signalling message was seen. */
struct sl_sig {
	uint64_t ts_us;
	uint32_t source;		/* capture source index */
	uint64_t frame;			/* frame number in that source, from 1 (the last frame of a reassembled message) */
	struct sl_endpoint src, dst;
	enum sl_transport transport;
	const struct sl_sip_msg *sip;
};

struct sl_rtp_summary {
	bool rtcp;			/* an RTCP stream (ssrc = first sender SSRC) */
	uint32_t ssrc;
	uint8_t pt;			/* first payload type seen (RTP) */
	struct sl_endpoint src, dst;
	uint64_t packets, bytes;
	int64_t lost;			/* expected - received (RFC 3550 A.3); negative with duplicates */
	uint64_t first_us, last_us;
	double jitter_ms;		/* RFC 3550 A.8 interarrival jitter at the end (0 if clock rate unknown) */
};

struct sl_event {
	enum sl_event_type type;
	uint64_t ts_us;
	const struct sl_sig *sig;	/* NULL for events caused by timers or stream ends */
	struct sl_str call_id;		/* correlation key */
	struct sl_dialog *dialog;	/* for sl_dialog_set_cc; NULL when not part of a tracked call */
	struct sl_party from;		/* caller / sender / registering party */
	struct sl_party to;		/* callee / recipient / registrar's AoR */
	enum sl_dir dir;
	struct sl_str location;		/* P-Access-Network-Info value, when present */
	/*
	 * Where the sender of the message is: the cell that value names, or,
	 * for a message from a UE address the GTPv2-C binding table knows and
	 * carrying no P-Access-Network-Info, the cell of its last ULI; NULL
	 * when neither names one.
	 */
	const struct sl_cell *cell;
	union {
		struct {
			enum sl_call_step step;
			enum sl_call_end reason;	/* SL_CALL_END only */
			int status;			/* final status for rejected calls, else 0 */
			uint64_t start_us;		/* INVITE */
			uint64_t ring_us;		/* first 18x, 0 if none */
			uint64_t answer_us;		/* 2xx, 0 if none */
			uint8_t cause;			/* GSM clearing cause (TS 24.008 10.5.4.11), 0: none */
		} call;
		struct {
			bool ims;			/* SMS over IP (TS 24.341): RP in a SIP MESSAGE; else GSM */
			const char *rp;			/* RP message: "data", "ack", "error" */
			bool has_rp_cause;
			uint8_t rp_cause;		/* RP-ERROR cause (TS 24.011 8.2.5.4) */
			struct sl_str report_of;	/* RP-ACK/RP-ERROR: call_id of the RP-DATA it answers, if seen */
			const char *tpdu;		/* "submit", "deliver", "status_report"; NULL for RP-ACK/RP-ERROR */
			bool mo;			/* sent by the phone */
			uint8_t message_ref;		/* TP-MR (submit, status report) */
			uint8_t rp_ref;			/* RP message reference */
			struct sl_identity smsc;	/* RP address of the service centre; type NONE if absent */
			bool has_scts;
			int64_t scts;			/* service-centre time stamp, UTC seconds */
			int tz_minutes;			/* its time zone */
			const char *coding;		/* "gsm7", "8bit", "ucs2", "reserved" */
			uint8_t dcs;
			uint8_t length;			/* TP-UDL: septets (gsm7) or octets */
			uint8_t seg_no, seg_total;	/* concatenated: segment k of n; 0 when not */
			uint16_t concat_ref;
			bool has_status;
			uint8_t status;			/* TP-ST of a status report */
		} sms;
		struct {
			const char *procedure;		/* DTAP message that carried it */
			struct sl_identity seen;	/* the identity the message carried */
			const char *mi_type;		/* "imsi", "tmsi", "imei", "imeisv" */
			bool has_lai;			/* the location area the message names */
			char mcc[4], mnc[4];
			uint16_t lac;
		} identity;
		struct {
			const char *source;		/* how the fix was learnt: "sip-pani", "gtpv2-uli" */
			struct sl_cell cell;
		} loc;
		struct {
			const char *event;		/* "created", "modified", "deleted", "rejected", "expired", "evicted", "capture_end" */
			const char *procedure;		/* GTPv2-C message that caused it; NULL for timers */
			const struct sl_ue_info *ue;	/* capture/ue_bind.h */
			bool bound;			/* the UE addresses are in the binding table (before this event) */
		} bearer;
		struct {
			uint32_t size;			/* body bytes */
			struct sl_str content_type;
		} message;
		struct {
			enum sl_reg_result result;
			int status;
			uint32_t expires;
			struct sl_str contact;
		} reg;
		struct sl_rtp_summary rtp;
	} u;
};

enum sl_cc_kind { SL_CC_RTP, SL_CC_RTCP, SL_CC_MESSAGE_BODY, SL_CC_SMS_TEXT, _SL_CC_KIND_COUNT };
extern const char *const sl_cc_kind_names[_SL_CC_KIND_COUNT];

/* One piece of content of a dialog a consumer asked content for. */
struct sl_cc {
	enum sl_cc_kind kind;
	uint64_t ts_us;
	uint32_t source;
	struct sl_str call_id;
	struct sl_dialog *dialog;
	enum sl_dir dir;
	struct sl_endpoint src, dst;
	const uint8_t *data;		/* UDP payload (RTP/RTCP) or message body */
	size_t len;
};

/* Content hook: a consumer (mediation) marks a dialog whose content it needs. */
void sl_dialog_set_cc(struct sl_dialog *d, bool want);
bool sl_dialog_wants_cc(const struct sl_dialog *d);
/* A stable per-process number of the dialog, for logs (never log identities). */
uint64_t sl_dialog_id(const struct sl_dialog *d);

/* What a dialog is: what a consumer needs to tell which service an event belongs to. */
enum sl_comm_kind { SL_COMM_NONE, SL_COMM_CALL, SL_COMM_REGISTRATION, SL_COMM_MESSAGE };
/* SL_COMM_NONE for NULL. */
enum sl_comm_kind sl_dialog_kind(const struct sl_dialog *d);
