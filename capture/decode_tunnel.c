/*
 * Encapsulations seen on mirror ports and in mobile cores: GRE (RFC 2784,
 * RFC 2890 key and sequence), ERSPAN type I/II/III inside GRE (the Cisco
 * ERSPAN header as described in draft-foschiano-erspan), VXLAN (RFC 7348)
 * and GTP-U G-PDUs (3GPP TS 29.281 clause 5) carrying subscriber IP
 * traffic, where IMS signalling of a UE travels in a GTP tunnel.
 *
 * Each one strips its header and re-enters the Ethernet or IP decoder one
 * level deeper.
 */
#include "capture/capture_int.h"

#define GRE_C 0x8000
#define GRE_R 0x4000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_VER_MASK 0x0007

#define GRE_P_ERSPAN2 0x88BE
#define GRE_P_ERSPAN3 0x22EB

bool sl_dec_enter_tunnel(struct sl_dec *d)
{
	if (d->depth >= d->cap->cfg.max_tunnel_depth) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_TUNNEL_TOO_DEEP, "encapsulation deeper than %u levels",
			      d->cap->cfg.max_tunnel_depth);
		return false;
	}
	d->depth++;
	return true;
}

/* ERSPAN type II: 8-byte header, version 1. */
static void decode_erspan2(struct sl_dec *d, struct sl_cursor c)
{
	uint8_t ver;

	if (!sl_cur_peek(&c, 0, &ver) || !sl_cur_skip(&c, 8)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_ERSPAN_TRUNCATED, "ERSPAN II header cut short");
		return;
	}
	if ((ver >> 4) != 1) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_ERSPAN_UNSUPPORTED, "ERSPAN version %u under type II",
			      ver >> 4);
		return;
	}
	sl_decode_ethernet(d, c);
}

/*
 * ERSPAN type III: 12-byte header, version 2. The last word holds the frame
 * type (bits 14..10: 0 Ethernet, 2 IP) and the O flag (bit 0) announcing an
 * 8-byte platform-specific subheader.
 */
static void decode_erspan3(struct sl_dec *d, struct sl_cursor c)
{
	uint8_t ver, b10, b11, ft;

	if (!sl_cur_peek(&c, 0, &ver) || !sl_cur_peek(&c, 10, &b10) || !sl_cur_peek(&c, 11, &b11) ||
	    !sl_cur_skip(&c, 12)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_ERSPAN_TRUNCATED, "ERSPAN III header cut short");
		return;
	}
	if ((ver >> 4) != 2) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_ERSPAN_UNSUPPORTED, "ERSPAN version %u under type III",
			      ver >> 4);
		return;
	}
	if ((b11 & 0x01) && !sl_cur_skip(&c, 8)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_ERSPAN_TRUNCATED, "ERSPAN III subheader cut short");
		return;
	}
	ft = (b10 >> 2) & 0x1f;
	if (ft == 0)
		sl_decode_ethernet(d, c);
	else if (ft == 2)
		sl_decode_ip(d, c);
	else
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_ERSPAN_UNSUPPORTED, "ERSPAN III frame type %u", ft);
}

void sl_decode_gre(struct sl_dec *d, struct sl_cursor c)
{
	uint16_t flags, proto;

	if (!sl_cur_be16(&c, &flags) || !sl_cur_be16(&c, &proto)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GRE_TRUNCATED, "GRE header cut short");
		return;
	}
	if ((flags & GRE_VER_MASK) != 0 || (flags & GRE_R)) {
		/* version 1 is PPTP's enhanced GRE; source routing is obsolete */
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GRE_UNSUPPORTED, "GRE version %u flags 0x%04x",
			      flags & GRE_VER_MASK, flags);
		return;
	}
	if (((flags & GRE_C) && !sl_cur_skip(&c, 4)) || ((flags & GRE_K) && !sl_cur_skip(&c, 4)) ||
	    ((flags & GRE_S) && !sl_cur_skip(&c, 4))) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GRE_TRUNCATED, "GRE optional fields cut short");
		return;
	}
	switch (proto) {
	case GRE_P_ERSPAN2:
		/* without a sequence number this is ERSPAN type I, which has no header of its own */
		if (flags & GRE_S)
			decode_erspan2(d, c);
		else
			sl_decode_ethernet(d, c);
		return;
	case GRE_P_ERSPAN3:
		decode_erspan3(d, c);
		return;
	default:
		sl_decode_ethertype(d, proto, c);
	}
}

void sl_decode_vxlan(struct sl_dec *d, struct sl_cursor c)
{
	uint8_t flags;

	if (!sl_cur_peek(&c, 0, &flags) || !sl_cur_skip(&c, 8)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_VXLAN_TRUNCATED, "VXLAN header cut short");
		return;
	}
	sl_decode_ethernet(d, c);
}

#define GTP_F_VERSION_MASK 0xE0
#define GTP_F_PT 0x10
#define GTP_F_E 0x04
#define GTP_F_S 0x02
#define GTP_F_PN 0x01
#define GTP_MSG_GPDU 0xFF

void sl_decode_gtpu(struct sl_dec *d, struct sl_cursor c)
{
	uint8_t flags, type, next;
	uint16_t len;
	struct sl_cursor body;

	if (!sl_cur_u8(&c, &flags) || !sl_cur_u8(&c, &type) || !sl_cur_be16(&c, &len) || !sl_cur_skip(&c, 4)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GTPU_TRUNCATED, "GTP-U header cut short");
		return;
	}
	if ((flags & GTP_F_VERSION_MASK) != 0x20 || !(flags & GTP_F_PT)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GTPU_MALFORMED, "not GTPv1-U (flags 0x%02x)", flags);
		return;
	}
	/* the length counts the bytes after the mandatory 8-byte header */
	if (!sl_cur_sub(&c, len, &body)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GTPU_TRUNCATED, "GTP-U length %u exceeds the %zu bytes left",
			      len, c.left);
		return;
	}
	if (type != GTP_MSG_GPDU)
		return; /* echo, error indication, end marker: no user traffic */
	if (flags & (GTP_F_E | GTP_F_S | GTP_F_PN)) {
		/* sequence number, N-PDU number, next extension header type */
		if (!sl_cur_skip(&body, 3) || !sl_cur_u8(&body, &next)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GTPU_TRUNCATED, "GTP-U optional fields cut short");
			return;
		}
		if (!(flags & GTP_F_E))
			next = 0;
		/* extension headers: length in 4-octet units including length and next-type octets */
		while (next) {
			uint8_t units;
			if (!sl_cur_u8(&body, &units) || units == 0) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GTPU_MALFORMED,
					      "GTP-U extension header with zero length");
				return;
			}
			if (!sl_cur_skip(&body, (size_t)units * 4 - 2) || !sl_cur_u8(&body, &next)) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_GTPU_TRUNCATED,
					      "GTP-U extension header cut short");
				return;
			}
		}
	}
	sl_decode_ip(d, body);
}
