/*
 * GSMTAP version 2 header and the GSM layer 2 underneath it (see
 * gsmtap.h): LAPDm frames per TS 44.006 clause 5 (address field 5.2,
 * control field 5.4 and table 3, length indicator 5.5 with its M and EL
 * bits), the L2 pseudo length of TS 44.018 clause 10.5.2.19 on broadcast
 * and common control channels, and the SACCH L1 header of TS 44.004
 * clause 7.1. I and UI frames yield their information field; an I frame
 * with the M bit is a segment, which lapdm_reasm.c puts together.
 */
#include "capture/gsmtap.h"

#include <string.h>

#include <osmocom/core/gsmtap.h>

static enum sl_gsmtap_res lapdm(struct sl_cursor c, struct sl_gsmtap *h, struct sl_cursor *l3)
{
	uint8_t addr, ctrl, li, len;

	if (!sl_cur_u8(&c, &addr) || !sl_cur_u8(&c, &ctrl) || !sl_cur_u8(&c, &li))
		return SL_GSMTAP_TRUNCATED;
	if (!(addr & 1) || !(li & 1))
		return SL_GSMTAP_MALFORMED;	/* EA and EL must end their fields in one octet on Dm */
	h->sapi = (addr >> 2) & 7;
	len = li >> 2;
	if ((ctrl & 1) && (ctrl & 0xef) != 0x03)
		return SL_GSMTAP_NO_L3;		/* S frame, or U frame other than UI: no information field */
	h->iframe = !(ctrl & 1);
	h->ns = (ctrl >> 1) & 7;
	h->more = (li & 2) != 0;
	if (h->more && !h->iframe)
		return SL_GSMTAP_SEGMENTED;
	if (len == 0)
		return SL_GSMTAP_NO_L3;
	if (len > 20)
		return SL_GSMTAP_MALFORMED;	/* N201 is at most 20 octets on Dm channels */
	if (len > c.left)
		return SL_GSMTAP_TRUNCATED;
	sl_cur_sub(&c, len, l3);
	return SL_GSMTAP_L3;
}

enum sl_gsmtap_res sl_gsmtap_decode(struct sl_cursor c, struct sl_gsmtap *h, struct sl_cursor *l3)
{
	uint16_t arfcn;
	uint8_t sig, chan, plen;

	memset(h, 0, sizeof(*h));
	if (!sl_cur_u8(&c, &h->version) || !sl_cur_u8(&c, &h->hdr_len))
		return SL_GSMTAP_TRUNCATED;
	if (h->version != GSMTAP_VERSION || h->hdr_len < 4)
		return SL_GSMTAP_MALFORMED;
	if (!sl_cur_u8(&c, &h->type) || !sl_cur_u8(&c, &h->timeslot) || !sl_cur_be16(&c, &arfcn) ||
	    !sl_cur_u8(&c, &sig) || !sl_cur_u8(&c, &h->snr_db) || !sl_cur_be32(&c, &h->frame_nr) ||
	    !sl_cur_u8(&c, &h->sub_type) || !sl_cur_u8(&c, &h->antenna) || !sl_cur_u8(&c, &h->sub_slot) ||
	    !sl_cur_skip(&c, 1) || !sl_cur_skip(&c, (size_t)h->hdr_len * 4 - 16))
		return SL_GSMTAP_TRUNCATED;
	h->signal_dbm = (int8_t)sig;
	h->uplink = (arfcn & GSMTAP_ARFCN_F_UPLINK) != 0;
	h->arfcn = arfcn & GSMTAP_ARFCN_MASK;

	switch (h->type) {
	case GSMTAP_TYPE_ABIS:
		if (!c.left)
			return SL_GSMTAP_TRUNCATED;
		*l3 = c;
		return SL_GSMTAP_L3;
	case GSMTAP_TYPE_UM:
		break;
	default:
		return SL_GSMTAP_OTHER;
	}
	chan = h->sub_type & (uint8_t)~GSMTAP_CHANNEL_ACCH;
	switch (chan) {
	case GSMTAP_CHANNEL_BCCH:
	case GSMTAP_CHANNEL_CCCH:
	case GSMTAP_CHANNEL_AGCH:
	case GSMTAP_CHANNEL_PCH:
		if (!sl_cur_u8(&c, &plen))
			return SL_GSMTAP_TRUNCATED;
		if ((plen & 3) != 1)
			return SL_GSMTAP_MALFORMED;
		plen >>= 2;
		if (!plen)
			return SL_GSMTAP_NO_L3;
		if (!sl_cur_sub(&c, plen, l3))
			return SL_GSMTAP_TRUNCATED;
		return SL_GSMTAP_L3;
	case GSMTAP_CHANNEL_SDCCH:
	case GSMTAP_CHANNEL_SDCCH4:
	case GSMTAP_CHANNEL_SDCCH8:
	case GSMTAP_CHANNEL_FACCH_F:
	case GSMTAP_CHANNEL_FACCH_H:
		if ((h->sub_type & GSMTAP_CHANNEL_ACCH) && !sl_cur_skip(&c, 2))
			return SL_GSMTAP_TRUNCATED;	/* SACCH L1 header: power level, timing advance */
		return lapdm(c, h, l3);
	default:
		return SL_GSMTAP_OTHER;
	}
}
