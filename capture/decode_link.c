/*
 * Link-layer decoding: the capture's link type to an EtherType, then the
 * EtherType chain (802.1Q/802.1ad/QinQ tags, MPLS label stacks) down to IP.
 *
 * Link types: Ethernet (DLT_EN10MB), Linux cooked v1 and v2 (DLT_LINUX_SLL,
 * DLT_LINUX_SLL2), raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6) and BSD loopback
 * (DLT_NULL in the capturing host's byte order, DLT_LOOP in network order).
 * Inner Ethernet frames of ERSPAN, VXLAN, GRE transparent bridging and MPLS
 * pseudowires re-enter at sl_decode_ethernet.
 */
#include <pcap/dlt.h>

#include "capture/capture_int.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_TEB 0x6558

/* Bound on VLAN tags and MPLS labels followed; real stacks have 1-4. */
#define MAX_TAGS 8
#define MAX_LABELS 8

bool sl_capture_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

static void decode_mpls(struct sl_dec *d, struct sl_cursor c)
{
	uint32_t lse;
	uint8_t first;
	unsigned n;

	for (n = 0;; n++) {
		if (!sl_cur_be32(&c, &lse)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_MPLS_TRUNCATED, "MPLS label stack cut short");
			return;
		}
		if (lse & 0x100)	/* bottom of stack */
			break;
		if (n + 1 >= MAX_LABELS) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_MPLS_UNSUPPORTED, "more than %u MPLS labels",
				      MAX_LABELS);
			return;
		}
	}
	if (!sl_cur_peek(&c, 0, &first)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_MPLS_TRUNCATED, "MPLS payload empty");
		return;
	}
	/* no payload type in MPLS: the first nibble tells IPv4/IPv6 from a pseudowire control word */
	switch (first >> 4) {
	case 4:
		sl_decode_ipv4(d, c);
		return;
	case 6:
		sl_decode_ipv6(d, c);
		return;
	case 0:
		/* Ethernet pseudowire with control word (RFC 4448) */
		if (!sl_cur_skip(&c, 4)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_MPLS_TRUNCATED, "pseudowire control word cut short");
			return;
		}
		if (sl_dec_enter_tunnel(d))
			sl_decode_ethernet(d, c);
		return;
	default:
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_MPLS_UNSUPPORTED, "MPLS payload nibble %u", first >> 4);
	}
}

void sl_decode_ethertype(struct sl_dec *d, uint16_t type, struct sl_cursor c)
{
	unsigned tags = 0;

	for (;;) {
		switch (type) {
		case ETH_P_IPV4:
			sl_decode_ipv4(d, c);
			return;
		case ETH_P_IPV6:
			sl_decode_ipv6(d, c);
			return;
		case ETH_P_8021Q:
		case ETH_P_8021AD:
		case ETH_P_QINQ_OLD:
			if (++tags > MAX_TAGS || !sl_cur_skip(&c, 2) || !sl_cur_be16(&c, &type)) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_VLAN_TRUNCATED,
					      "802.1Q tag cut short or too many tags");
				return;
			}
			continue;
		case ETH_P_MPLS_UC:
		case ETH_P_MPLS_MC:
			decode_mpls(d, c);
			return;
		case ETH_P_TEB:
			if (sl_dec_enter_tunnel(d))
				sl_decode_ethernet(d, c);
			return;
		default:
			sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_OTHER_L3);
			return;
		}
	}
}

void sl_decode_ethernet(struct sl_dec *d, struct sl_cursor c)
{
	uint16_t type;

	if (!sl_cur_skip(&c, 12) || !sl_cur_be16(&c, &type)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_L2_TRUNCATED, "Ethernet header cut short");
		return;
	}
	if (type < 0x0600) {
		/* 802.3 length field: LLC frames (STP, CDP...) carry no IP we decode */
		sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_OTHER_L3);
		return;
	}
	sl_decode_ethertype(d, type, c);
}

/* BSD loopback: address family values differ between systems (AF_INET6 is 10, 24, 28 or 30). */
static void decode_loopback_family(struct sl_dec *d, uint32_t fam, struct sl_cursor c)
{
	switch (fam) {
	case 2:
		sl_decode_ipv4(d, c);
		return;
	case 10:
	case 24:
	case 28:
	case 30:
		sl_decode_ipv6(d, c);
		return;
	default:
		sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_OTHER_L3);
	}
}

void sl_decode_link(struct sl_dec *d, int linktype, struct sl_cursor c)
{
	uint16_t proto;
	uint32_t fam;

	switch (linktype) {
	case DLT_EN10MB:
		sl_decode_ethernet(d, c);
		return;
	case DLT_LINUX_SLL:
		/* packet type, ARPHRD type, address length, 8 address bytes, protocol */
		if (!sl_cur_skip(&c, 14) || !sl_cur_be16(&c, &proto)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_L2_TRUNCATED, "Linux cooked header cut short");
			return;
		}
		sl_decode_ethertype(d, proto, c);
		return;
	case DLT_LINUX_SLL2:
		/* protocol first, then reserved, ifindex, ARPHRD, packet type, address length, address */
		if (!sl_cur_be16(&c, &proto) || !sl_cur_skip(&c, 18)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_L2_TRUNCATED, "Linux cooked v2 header cut short");
			return;
		}
		sl_decode_ethertype(d, proto, c);
		return;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		sl_decode_ip(d, c);
		return;
	case DLT_NULL:
		if (!sl_cur_le32(&c, &fam)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_L2_TRUNCATED, "loopback header cut short");
			return;
		}
		/* host byte order of the capturing machine: a big-endian capture shows up byte-swapped */
		if (fam > 0xFFFF)
			fam = ((fam >> 24) & 0xff) | ((fam >> 8) & 0xff00);
		decode_loopback_family(d, fam, c);
		return;
	case DLT_LOOP:
		if (!sl_cur_be32(&c, &fam)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_L2_TRUNCATED, "loopback header cut short");
			return;
		}
		decode_loopback_family(d, fam, c);
		return;
	default:
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_LINK_UNSUPPORTED, "link type %d not decoded", linktype);
	}
}
