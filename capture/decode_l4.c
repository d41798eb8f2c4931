/*
 * Transport dispatch: UDP and TCP to signalling and media, IP protocols that
 * are tunnels (GRE, IP-in-IP, IPv6-in-IP) back into the IP decoder one level
 * deeper.
 *
 * UDP is recognised by content, not port: a datagram that starts like a
 * SIP message is SIP wherever it goes (networks run SIP on 5060, 5080,
 * 6060 and more); VXLAN and GTP-U are recognised by their well-known ports;
 * GSMTAP by its port (gsm_handle.c); GTPv2-C by its port (gtp_handle.c);
 * anything else is looked up in the media index that SDP filled, and if no
 * dialog announced that address it is counted as unmatched.
 *
 * TCP on a port a consumer asked to tap goes to tcp_tap.c whatever it
 * carries; other TCP is SIP if it is on a SIP port or starts like SIP.
 */
#include "capture/capture_int.h"
#include "capture/flow_table.h"

#define IPPROTO_IPIP_ 4
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47

static void decode_udp(struct sl_dec *d, const struct sl_addr *src, const struct sl_addr *dst, struct sl_cursor c)
{
	struct sl_capture *cap = d->cap;
	uint16_t sport, dport, ulen;
	struct sl_endpoint s, t;
	struct sl_cursor payload;

	if (!sl_cur_be16(&c, &sport) || !sl_cur_be16(&c, &dport) || !sl_cur_be16(&c, &ulen) || !sl_cur_skip(&c, 2)) {
		sl_cap_reject(cap, SL_CG_DECODE, SL_DEC_UDP_TRUNCATED, "UDP header cut short");
		return;
	}
	if (ulen == 0 && src->family == SL_AF_INET6 && c.left > 0xffffu - 8u) {
		/* RFC 2675 clause 4: a UDP datagram of an IPv6 jumbogram has length 0 and runs to the IP payload's end */
		payload = c;
	} else if (ulen < 8) {
		sl_cap_reject(cap, SL_CG_DECODE, SL_DEC_UDP_MALFORMED, "UDP length %u below header size", ulen);
		return;
	} else if (!sl_cur_sub(&c, ulen - 8u, &payload)) {
		sl_cap_reject(cap, SL_CG_DECODE, SL_DEC_UDP_TRUNCATED, "UDP length %u but %zu payload bytes present",
			      ulen, c.left);
		return;
	}

	if (cap->cfg.gtpu_port && (dport == cap->cfg.gtpu_port || sport == cap->cfg.gtpu_port)) {
		if (sl_dec_enter_tunnel(d))
			sl_decode_gtpu(d, payload);
		return;
	}
	if (cap->cfg.vxlan_port && dport == cap->cfg.vxlan_port) {
		if (sl_dec_enter_tunnel(d))
			sl_decode_vxlan(d, payload);
		return;
	}

	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	s.addr = *src;
	s.port = sport;
	t.addr = *dst;
	t.port = dport;

	if (cap->cfg.gsmtap_port && (dport == cap->cfg.gsmtap_port || sport == cap->cfg.gsmtap_port)) {
		sl_gsm_on_datagram(d, &s, &t, payload);
		return;
	}
	if (cap->cfg.gtpc_port && (dport == cap->cfg.gtpc_port || sport == cap->cfg.gtpc_port)) {
		sl_gtp_on_datagram(d, &s, &t, payload);
		return;
	}
	if (sl_sip_looks_like_start((const char *)payload.p, payload.left)) {
		struct sl_sig sig = {
			.ts_us = d->frame->ts_us, .source = d->frame->source, .frame = d->frame->number,
			.src = s, .dst = t, .transport = SL_TRANSPORT_UDP,
		};
		sl_sip_handle(cap, &sig, (const char *)payload.p, payload.left, SL_SIP_PARSE_DATAGRAM);
		return;
	}
	if (sl_rtp_on_datagram(d, &s, &t, payload))
		return;
	sl_ctr_inc(cap, SL_CG_DECODE, SL_DEC_UDP_UNMATCHED);
}

static void decode_tcp(struct sl_dec *d, const struct sl_addr *src, const struct sl_addr *dst, struct sl_cursor c)
{
	struct sl_capture *cap = d->cap;
	uint16_t sport, dport;
	uint32_t seq;
	uint8_t off, flags;
	struct sl_endpoint s, t;
	struct sl_tcp_seg seg;
	struct sl_flow *f;
	int dir;

	if (!sl_cur_be16(&c, &sport) || !sl_cur_be16(&c, &dport) || !sl_cur_be32(&c, &seq) || !sl_cur_skip(&c, 4) ||
	    !sl_cur_u8(&c, &off) || !sl_cur_u8(&c, &flags) || !sl_cur_skip(&c, 6)) {
		sl_cap_reject(cap, SL_CG_DECODE, SL_DEC_TCP_TRUNCATED, "TCP header cut short");
		return;
	}
	if ((off >> 4) < 5) {
		sl_cap_reject(cap, SL_CG_DECODE, SL_DEC_TCP_MALFORMED, "TCP data offset %u words", off >> 4);
		return;
	}
	if (!sl_cur_skip(&c, (size_t)(off >> 4) * 4 - 20)) {
		sl_cap_reject(cap, SL_CG_DECODE, SL_DEC_TCP_TRUNCATED, "TCP options cut short");
		return;
	}

	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	s.addr = *src;
	s.port = sport;
	t.addr = *dst;
	t.port = dport;

	seg.seq = seq;
	seg.flags = flags & (SL_TCP_FIN | SL_TCP_SYN | SL_TCP_RST | SL_TCP_ACK);
	seg.data = c.p;
	seg.len = c.left;
	/* a 1500-byte MTU leaves at most 1460 payload bytes: more were merged by offload before the capture */
	if (seg.len > 1460)
		sl_ctr_inc(cap, SL_CG_DECODE, SL_DEC_TCP_OFFLOAD);
	seg.at.ts_us = d->frame->ts_us;
	seg.at.source = d->frame->source;
	seg.at.frame = d->frame->number;
	seg.now_us = cap->now_us;

	if (sl_tcp_tap_port(cap, sport, dport)) {
		sl_tcp_tap_segment(d, &s, &t, &seg);
		return;
	}
	f = sl_flow_lookup(cap->flows, &s, &t, IPPROTO_TCP_, false, cap->now_us, &dir);
	if (!f) {
		if (!sl_sip_stream_wants(cap, sport, dport, c, flags)) {
			sl_ctr_inc(cap, SL_CG_DECODE, SL_DEC_TCP_UNMATCHED);
			return;
		}
		f = sl_flow_lookup(cap->flows, &s, &t, IPPROTO_TCP_, true, cap->now_us, &dir);
		if (!f)
			return;
	}
	sl_sip_stream_segment(d, f, dir, &seg);
}

void sl_decode_l4(struct sl_dec *d, uint8_t proto, const struct sl_addr *src, const struct sl_addr *dst,
		  struct sl_cursor c)
{
	switch (proto) {
	case IPPROTO_UDP_:
		decode_udp(d, src, dst, c);
		return;
	case IPPROTO_TCP_:
		decode_tcp(d, src, dst, c);
		return;
	case IPPROTO_GRE_:
		if (sl_dec_enter_tunnel(d))
			sl_decode_gre(d, c);
		return;
	case IPPROTO_IPIP_:
		if (sl_dec_enter_tunnel(d))
			sl_decode_ipv4(d, c);
		return;
	case IPPROTO_IPV6_:
		if (sl_dec_enter_tunnel(d))
			sl_decode_ipv6(d, c);
		return;
	default:
		sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_OTHER_L4);
	}
}
