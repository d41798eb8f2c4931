/*
 * GSM layer 3 DTAP messages that make metadata (3GPP TS 24.008): mobility
 * management (clause 9.2: LOCATION UPDATING REQUEST/ACCEPT, IDENTITY
 * RESPONSE, CM SERVICE REQUEST, TMSI REALLOCATION COMMAND), the radio
 * resource PAGING RESPONSE of TS 44.018 clause 9.1.25 (it names the paged
 * subscriber) and CIPHERING MODE COMPLETE of clause 9.1.10 (it may carry the
 * IMEISV), call control (clause 9.3: SETUP, CALL PROCEEDING,
 * ALERTING, CONNECT, DISCONNECT, RELEASE, RELEASE COMPLETE) and the SMS
 * connection layer of TS 24.011 clause 7.2 (CP-DATA, CP-ACK, CP-ERROR).
 *
 * sl_gsm48_decode reads the header of clause 10.1-10.4 (protocol
 * discriminator, transaction identifier, message type without the send
 * sequence bits) and the IEs of the messages above into a flat value;
 * every other message of a known or unknown protocol is reported as
 * SL_GSM48_IGNORED, not as an error. CP-DATA's RPDU stays a sub-cursor
 * into the frame for gsm411_rp.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/cursor.h"
#include "capture/gsm_ie.h"

enum sl_gsm48_msg {
	SL_GSM48_OTHER,
	SL_GSM48_LU_REQUEST,
	SL_GSM48_LU_ACCEPT,
	SL_GSM48_IDENTITY_RESPONSE,
	SL_GSM48_CM_SERVICE_REQUEST,
	SL_GSM48_TMSI_REALLOC_CMD,
	SL_GSM48_PAGING_RESPONSE,
	SL_GSM48_CIPH_MODE_COMPLETE,
	SL_GSM48_CC_SETUP,
	SL_GSM48_CC_CALL_PROCEEDING,
	SL_GSM48_CC_ALERTING,
	SL_GSM48_CC_CONNECT,
	SL_GSM48_CC_DISCONNECT,
	SL_GSM48_CC_RELEASE,
	SL_GSM48_CC_RELEASE_COMPLETE,
	SL_GSM48_CP_DATA,
	SL_GSM48_CP_ACK,
	SL_GSM48_CP_ERROR,
	_SL_GSM48_MSG_COUNT
};
extern const char *const sl_gsm48_msg_names[_SL_GSM48_MSG_COUNT];

enum sl_gsm48_res {
	SL_GSM48_OK,
	SL_GSM48_IGNORED,	/* a message this decoder does not look into */
	SL_GSM48_TRUNCATED,	/* mandatory part or an IE runs past the message */
	SL_GSM48_MALFORMED,	/* an IE whose contents break its coding rules */
	SL_GSM48_UNSUPPORTED,	/* a mobile identity type that is not IMSI/IMEI/IMEISV/TMSI */
	_SL_GSM48_RES_COUNT
};

struct sl_gsm48 {
	uint8_t pd;		/* protocol discriminator (3: CC, 5: MM, 6: RR, 9: SMS) */
	uint8_t ti;		/* transaction identifier value (CC, SMS): 0..6, or 7..127 from the extension octet */
	bool ti_flag;		/* set: sent by the side that did not allocate the TI */
	uint8_t msg_type;	/* without N(SD) bits */
	uint8_t msg;		/* enum sl_gsm48_msg */
	bool has_mi;
	struct sl_gsm_mi mi;
	bool has_lai;		/* LU REQUEST (the LAI the phone last registered in), LU ACCEPT, TMSI REALLOCATION */
	struct sl_gsm_lai lai;
	bool has_called, has_calling;
	struct sl_gsm_number called, calling;
	bool has_cause;
	struct sl_gsm_cause cause;
	uint8_t cp_cause;	/* CP-ERROR */
	struct sl_cursor rpdu;	/* CP-DATA: the RP message */
};

enum sl_gsm48_res sl_gsm48_decode(struct sl_cursor c, struct sl_gsm48 *out);
