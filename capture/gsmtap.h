/*
 * GSMTAP decapsulation: from a UDP payload on port 4729 to the GSM layer 3
 * message it carries.
 *
 * GSMTAP (osmocom's "gsmtap.h", version 2) wraps air-interface and Abis
 * frames for analysers: a header of hdr_len 32-bit words (type, timeslot,
 * ARFCN with the uplink flag, signal level, SNR, frame number, sub-type
 * naming the logical channel, antenna, sub-slot), then the payload. Type
 * ABIS carries a layer 3 message as is (phones' diagnostic tools such as
 * QCSuper emit those); type UM carries the Um layer 2 frame: on BCCH/CCCH
 * an L2 pseudo length octet then L3 (TS 44.006 clause 8.9 and TS 44.018
 * clause 10.5.2.19), on SDCCH/SACCH/FACCH a LAPDm frame (TS 44.006 clause
 * 5: address, control, length indicator) after a two-octet L1 header on
 * SACCH (TS 44.004 clause 7.1). Other types (RRC, bursts, RLC/MAC...) are
 * recognised and left alone.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/cursor.h"

#define SL_GSMTAP_PORT 4729

struct sl_gsmtap {
	uint8_t version, hdr_len, type, timeslot, sub_type, antenna, sub_slot;
	uint16_t arfcn;		/* without the flags */
	bool uplink;
	int8_t signal_dbm;
	uint8_t snr_db;
	uint32_t frame_nr;
	uint8_t sapi;		/* LAPDm SAPI (0: RR/MM/CC, 3: SMS), 0 when no LAPDm */
	bool iframe;		/* a LAPDm I frame: ns and more apply (lapdm_reasm.c) */
	uint8_t ns;		/* its N(S) */
	bool more;		/* its M bit: a segment, more follow */
};

enum sl_gsmtap_res {
	SL_GSMTAP_L3,		/* *l3 holds a layer 3 message, or with h->more a segment of one */
	SL_GSMTAP_NO_L3,	/* a well-formed frame without L3 (LAPDm S/U frame, empty UI) */
	SL_GSMTAP_OTHER,	/* a GSMTAP type or channel not decoded (RRC, RLC/MAC, bursts...) */
	SL_GSMTAP_TRUNCATED,	/* header or L2 frame cut short */
	SL_GSMTAP_MALFORMED,	/* bad version or header length, L2 length beyond the frame */
	SL_GSMTAP_SEGMENTED,	/* M bit on a UI frame (only I frames are segmented) */
	_SL_GSMTAP_RES_COUNT
};

/* Decode one GSMTAP datagram; on SL_GSMTAP_L3, *l3 is a sub-cursor of c. */
enum sl_gsmtap_res sl_gsmtap_decode(struct sl_cursor c, struct sl_gsmtap *h, struct sl_cursor *l3);
