/*
 * LAPDm segment reassembly (3GPP TS 44.006 clause 5.8.5 and 8.7.3): a
 * layer 3 message longer than one frame's information field (N201, 20
 * octets on SDCCH/FACCH) is sent as consecutive I frames with the M bit
 * set on all but the last, numbered by N(S). An SMS CP-DATA on SAPI 3 is
 * almost always segmented, so Um GSMTAP needs this to see short messages.
 *
 * One reassembly runs per data link: capture source, ARFCN, timeslot,
 * sub-slot, channel, SAPI and direction. The table is small and fixed
 * (a phone or a probe has a handful of active links); a new link evicts
 * the least recently used one. A repeated N(S) (a retransmission) is
 * dropped; any other gap restarts the message at the segment that broke
 * the sequence. Messages are bounded by the largest L3 message (251
 * octets). Retransmitted unsegmented I frames are dropped too, so a
 * message repeated by LAPDm error recovery makes one event, not two.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/cursor.h"

#define SL_LAPDM_MAX_LINKS 16
#define SL_LAPDM_MAX_MSG 251

struct sl_lapdm_key {
	uint32_t source;
	uint16_t arfcn;
	uint8_t timeslot, sub_slot, chan, sapi;
	bool uplink;
};

struct sl_lapdm_link {
	bool used;
	struct sl_lapdm_key key;
	uint8_t next_ns;
	uint16_t len;
	uint64_t last_us;
	uint8_t buf[SL_LAPDM_MAX_MSG];
};

struct sl_lapdm_reasm {
	struct sl_lapdm_link link[SL_LAPDM_MAX_LINKS];
};

enum sl_lapdm_res {
	SL_LAPDM_PASS,		/* a complete message in one frame: use the frame's L3 as is */
	SL_LAPDM_HELD,		/* a segment stored */
	SL_LAPDM_DUP,		/* a retransmitted frame (N(S) = V(R) - 1), dropped */
	SL_LAPDM_DONE,		/* the last segment: *out is the whole message, valid until the next call */
	SL_LAPDM_RESTARTED,	/* a gap in N(S): what was held is dropped; a first segment starts anew, a last one is dropped */
	SL_LAPDM_OVERFLOW,	/* longer than any L3 message: dropped */
};

/*
 * One I frame's information field. evicted is set when a held message of
 * another link had to make room.
 */
enum sl_lapdm_res sl_lapdm_push(struct sl_lapdm_reasm *r, const struct sl_lapdm_key *k, uint8_t ns, bool more,
				struct sl_cursor seg, uint64_t now_us, struct sl_cursor *out, bool *evicted);
