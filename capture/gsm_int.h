/*
 * State shared by the GSM files of the capture layer (capture-internal).
 *
 * A GSMTAP stream (one pair of UDP endpoints of one capture source) stands for the radio link
 * of the phone it was captured from: what a phone's diagnostic tool or a
 * single-channel probe emits. Each stream remembers the mobile identities
 * seen on it (IMSI, TMSI, IMEI), which is how an SMS or a call gets the
 * subscriber of the phone that sent or received it, and the calls in
 * progress on it, by transaction identifier. A BTS emitting many
 * phones' channels into one stream would mix them: sluice does not split
 * streams by channel (see docs/events.md).
 */
#pragma once

#include "capture/capture_int.h"
#include "capture/dialog_int.h"
#include "capture/gsm48_dtap.h"
#include "capture/gsmtap.h"
#include "capture/lapdm_reasm.h"

#define SL_GSM_MAX_STREAMS 32
#define SL_GSM_MAX_CALLS 4	/* per stream */

struct sl_gsm_call {
	bool active;			/* slot in use: set up, or ended and absorbing late clearing messages */
	bool ended;
	bool mo;			/* set up by the phone */
	uint8_t ti;
	bool rang;
	uint64_t start_us, ring_us, answer_us;
	char call_id[32];
	struct sl_party caller, callee;
	struct sl_dialog dlg;		/* what ev->dialog points to (kind, id, content wish) */
};

struct sl_gsm_stream {
	bool used;
	uint32_t source;		/* capture source: two files with the same addresses are two links */
	struct sl_endpoint a, b;
	uint64_t last_us;
	struct sl_party ms;		/* identities of the phone on this link */
	struct sl_gsm_call call[SL_GSM_MAX_CALLS];
};

struct sl_gsm {
	struct sl_gsm_stream stream[SL_GSM_MAX_STREAMS];
	uint64_t next_call;
	uint64_t next_sms;
	struct sl_dialog sms_dlg;	/* ev->dialog of sms events, for the content wish */
	struct sl_lapdm_reasm lapdm;	/* Um segment reassembly */
};

/* What one GSM L3 message arrived with. */
struct sl_gsm_msg {
	struct sl_sig sig;
	const struct sl_gsmtap *tap;
	struct sl_gsm_stream *st;
};

/* gsm_sms.c: a CP-DATA's RP message and TPDU -> sms event (and content) */
void sl_gsm_sms_rp(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_gsm48 *l3);

/* gsm_call.c */
void sl_gsm_cc(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_gsm48 *l3);
void sl_gsm_calls_end(struct sl_capture *cap, struct sl_gsm_stream *st, enum sl_call_end why, uint64_t ts_us);
/* End the stream's calls that ran past their timeout. */
void sl_gsm_calls_expire(struct sl_capture *cap, struct sl_gsm_stream *st, uint64_t now_us);
/* A dialled or presented number as a party identity (E.164 when international). */
void sl_gsm_party_add_number(const struct sl_capture *cap, struct sl_party *p, const struct sl_gsm_number *n);
