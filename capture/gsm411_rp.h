/*
 * The SMS relay layer, RP (3GPP TS 24.011 clause 7.3 and 8.2): RP-DATA in
 * both directions with the originator and destination addresses of the
 * relay (the SMSC's number on one side, empty on the other), RP-ACK and
 * RP-ERROR with their cause and optional user data, RP-SMMA. The RP user
 * data, a TS 23.040 TPDU, stays a sub-cursor into the frame for
 * sms_tpdu.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/cursor.h"
#include "capture/gsm_ie.h"

enum sl_rp_msg { SL_RP_DATA, SL_RP_ACK, SL_RP_ERROR, SL_RP_SMMA, _SL_RP_MSG_COUNT };
extern const char *const sl_rp_msg_names[_SL_RP_MSG_COUNT];

enum sl_rp_res { SL_RP_OK, SL_RP_TRUNCATED, SL_RP_MALFORMED, SL_RP_UNSUPPORTED, _SL_RP_RES_COUNT };

struct sl_rp {
	uint8_t msg;		/* enum sl_rp_msg */
	bool mo;		/* MS to network (message type bit 1 clear) */
	uint8_t mr;		/* RP message reference */
	struct sl_gsm_number oa, da;	/* RP-DATA */
	bool has_cause;
	uint8_t cause;		/* RP-ERROR */
	bool has_ud;
	struct sl_cursor ud;	/* the TPDU */
};

enum sl_rp_res sl_rp_decode(struct sl_cursor c, struct sl_rp *out);
