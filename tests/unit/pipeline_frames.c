/*
 * Frame builder for the capture pipeline tests (see pipeline_frames.h).
 *
 * Headers are prepended into a fixed buffer that fills from its end, so
 * the frame is always one contiguous run of bytes at buf[start..]. Field
 * layouts follow the specifications the decoders cite: RFC 791 and
 * RFC 8200 (IP), RFC 768 and RFC 793 (UDP, TCP), RFC 2784/2890 (GRE),
 * draft-foschiano-erspan (ERSPAN II/III), RFC 7348 (VXLAN), TS 29.281
 * clause 5 (GTP-U), RFC 3032 and RFC 4448 (MPLS, pseudowire control word),
 * IEEE 802.1Q, and the pcap link-type documentation for SLL, SLL2, NULL
 * and LOOP. Checksums are left zero (sluice does not verify them) except
 * the IPv4 header checksum, which costs nothing to get right.
 */
#include "tests/unit/pipeline_frames.h"

#include <stdlib.h>
#include <string.h>

#include "capture/counters.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_MPLS 0x8847
#define ETH_P_TEB 0x6558
#define ETH_P_ERSPAN2 0x88BE
#define ETH_P_ERSPAN3 0x22EB

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint8_t *prepend(struct pb *b, size_t n)
{
	if (n > b->start)
		abort(); /* test frame larger than PB_MAX: a bug in the test */
	b->start -= n;
	memset(b->buf + b->start, 0, n);
	return b->buf + b->start;
}

static void push_layer(struct pb *b, enum pb_kind kind, size_t need, bool has_len, int ctr)
{
	struct pb_layer *l;

	if (b->n >= PB_MAX_LAYERS)
		abort();
	l = &b->l[b->n++];
	l->kind = kind;
	l->size = pb_len(b);
	l->need = need;
	l->has_len = has_len;
	l->trunc_ctr = ctr;
	l->empty_ctr = -1;
	l->top = b->top;
}

/* The layer below is reached through a decoder that dispatches on the IP version nibble. */
static void mark_version_dispatch(struct pb *b)
{
	if (b->n)
		b->l[b->n - 1].empty_ctr = SL_DEC_IPV4_TRUNCATED;
}

void pb_init(struct pb *b, const void *payload, size_t len)
{
	memset(&b->top, 0, sizeof(b->top));
	b->n = 0;
	b->start = PB_MAX;
	if (len)
		memcpy(prepend(b, len), payload, len);
}

void pb_init_blob(struct pb *b, const void *blob, size_t len, const struct pb_top *top)
{
	pb_init(b, blob, len);
	b->top = *top;
}

void pb_udp(struct pb *b, uint16_t sport, uint16_t dport)
{
	size_t len = pb_len(b) + 8;
	uint8_t *h = prepend(b, 8);

	put16(h, sport);
	put16(h + 2, dport);
	put16(h + 4, (uint16_t)len);
	b->top.ipproto = 17;
	push_layer(b, PB_UDP, 8, true, SL_DEC_UDP_TRUNCATED);
}

void pb_tcp(struct pb *b, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags)
{
	uint8_t *h = prepend(b, 20);

	put16(h, sport);
	put16(h + 2, dport);
	put32(h + 4, seq);
	put32(h + 8, 1);
	h[12] = 0x50;
	h[13] = flags;
	put16(h + 14, 0xffff);
	b->top.ipproto = 6;
	push_layer(b, PB_TCP, 20, false, SL_DEC_TCP_TRUNCATED);
}

static void ipv4_header(struct pb *b, const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint16_t id,
			uint16_t frag)
{
	size_t total = pb_len(b) + 20;
	uint8_t *h = prepend(b, 20);
	uint32_t sum = 0;
	unsigned i;

	h[0] = 0x45;
	put16(h + 2, (uint16_t)total);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(h + 10, (uint16_t)~sum);
	b->top.ethertype = ETH_P_IPV4;
	b->top.ipproto = 4;
	b->top.loop_family = 2;
	push_layer(b, PB_IPV4, 20, true, SL_DEC_IPV4_TRUNCATED);
}

void pb_ipv4(struct pb *b, const uint8_t src[4], const uint8_t dst[4])
{
	ipv4_header(b, src, dst, b->top.ipproto, 0x1234, 0);
}

void pb_ipv4_frag(struct pb *b, const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint16_t id, uint16_t off,
		  bool more)
{
	ipv4_header(b, src, dst, proto, id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
}

void pb_ipv6(struct pb *b, const uint8_t src[16], const uint8_t dst[16])
{
	size_t plen = pb_len(b);
	uint8_t *h = prepend(b, 40);

	h[0] = 0x60;
	put16(h + 4, (uint16_t)plen);
	h[6] = b->top.ipproto;
	h[7] = 64;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	b->top.ethertype = ETH_P_IPV6;
	b->top.ipproto = 41;
	b->top.loop_family = 24;
	push_layer(b, PB_IPV6, 40, true, SL_DEC_IPV6_TRUNCATED);
}

void pb_ipv6_frag(struct pb *b, uint8_t proto, uint32_t id, uint16_t off, bool more)
{
	uint8_t *h = prepend(b, 8);

	h[0] = proto;
	put16(h + 2, (uint16_t)((off & 0xfff8) | (more ? 1 : 0)));
	put32(h + 4, id);
	b->top.ipproto = 44;
	push_layer(b, PB_IPV6_FRAG, 8, false, SL_DEC_IPV6_TRUNCATED);
}

void pb_gre(struct pb *b, uint16_t flags)
{
	size_t n = 4;
	uint8_t *h;

	if (b->top.needs_gre_seq)
		flags |= PB_GRE_S;
	n += (flags & PB_GRE_C) ? 4 : 0;
	n += (flags & PB_GRE_K) ? 4 : 0;
	n += (flags & PB_GRE_S) ? 4 : 0;
	h = prepend(b, n);
	put16(h, flags);
	put16(h + 2, b->top.ethertype);
	if (n > 4)
		memset(h + 4, 0x5a, n - 4);
	b->top.ipproto = 47;
	b->top.needs_gre_seq = false;
	push_layer(b, PB_GRE, n, false, SL_DEC_GRE_TRUNCATED);
}

void pb_erspan2(struct pb *b)
{
	uint8_t *h = prepend(b, 8);

	h[0] = 0x10;	/* version 1 */
	h[1] = 0x64;	/* VLAN 100 */
	h[2] = 0x00;
	h[3] = 0x2a;	/* session 42 */
	b->top.ethertype = ETH_P_ERSPAN2;
	b->top.needs_gre_seq = true;
	push_layer(b, PB_ERSPAN2, 8, false, SL_DEC_ERSPAN_TRUNCATED);
}

void pb_erspan3(struct pb *b, bool subheader, bool ip_frame)
{
	size_t n = subheader ? 20 : 12;
	uint8_t *h;

	if (ip_frame)
		mark_version_dispatch(b);
	h = prepend(b, n);
	h[0] = 0x20;	/* version 2 */
	h[3] = 0x2a;
	put32(h + 4, 0xdeadbeef);	/* timestamp */
	h[10] = (uint8_t)((ip_frame ? 2 : 0) << 2);
	h[11] = subheader ? 1 : 0;
	b->top.ethertype = ETH_P_ERSPAN3;
	b->top.needs_gre_seq = false;
	push_layer(b, PB_ERSPAN3, n, false, SL_DEC_ERSPAN_TRUNCATED);
}

void pb_vxlan(struct pb *b)
{
	uint8_t *h = prepend(b, 8);

	h[0] = 0x08;
	put32(h + 4, 0x00123400);	/* VNI 0x1234 */
	push_layer(b, PB_VXLAN, 8, false, SL_DEC_VXLAN_TRUNCATED);
}

void pb_gtpu(struct pb *b, bool ext)
{
	size_t inner = pb_len(b);
	size_t n = ext ? 16 : 8;
	uint8_t *h;

	mark_version_dispatch(b);
	h = prepend(b, n);
	h[0] = (uint8_t)(0x30 | (ext ? 0x04 : 0));
	h[1] = 0xff;
	put16(h + 2, (uint16_t)(inner + n - 8));
	put32(h + 4, 0x00000001);	/* TEID */
	if (ext) {
		h[11] = 0x85;		/* PDU session container */
		h[12] = 1;		/* one 4-octet unit */
		h[14] = 0x09;		/* QFI */
		h[15] = 0;		/* no further extension */
	}
	push_layer(b, PB_GTPU, n, true, SL_DEC_GTPU_TRUNCATED);
}

void pb_mpls(struct pb *b, uint32_t label)
{
	bool bottom = b->top.ethertype != ETH_P_MPLS;
	uint8_t *h = prepend(b, 4);

	put32(h, label << 12 | (bottom ? 0x100u : 0) | 64);
	b->top.ethertype = ETH_P_MPLS;
	/* below the bottom label the decoder peeks one payload byte */
	push_layer(b, PB_MPLS, bottom ? 5 : 4, false, SL_DEC_MPLS_TRUNCATED);
}

void pb_mpls_cw(struct pb *b)
{
	prepend(b, 4);
	b->top.ethertype = 0;	/* the label above is the bottom of the stack */
	push_layer(b, PB_MPLS_CW, 4, false, SL_DEC_MPLS_TRUNCATED);
}

void pb_vlan(struct pb *b, uint16_t tpid, uint16_t vid)
{
	uint8_t *h = prepend(b, 4);

	put16(h, vid & 0x0fff);
	put16(h + 2, b->top.ethertype);
	b->top.ethertype = tpid;
	push_layer(b, PB_VLAN, 4, false, SL_DEC_VLAN_TRUNCATED);
}

void pb_eth(struct pb *b)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *h = prepend(b, 14);

	memcpy(h, macs, 12);
	put16(h + 12, b->top.ethertype);
	b->top.ethertype = ETH_P_TEB;
	push_layer(b, PB_ETH, 14, false, SL_DEC_L2_TRUNCATED);
}

void pb_sll(struct pb *b)
{
	uint8_t *h = prepend(b, 16);

	put16(h + 2, 1);	/* ARPHRD_ETHER */
	put16(h + 4, 6);
	memcpy(h + 6, "\x02\x00\x00\x00\x00\x01", 6);
	put16(h + 14, b->top.ethertype);
	push_layer(b, PB_SLL, 16, false, SL_DEC_L2_TRUNCATED);
}

void pb_sll2(struct pb *b)
{
	uint8_t *h = prepend(b, 20);

	put16(h, b->top.ethertype);
	put32(h + 4, 3);	/* ifindex */
	put16(h + 8, 1);
	h[11] = 6;
	memcpy(h + 12, "\x02\x00\x00\x00\x00\x01", 6);
	push_layer(b, PB_SLL2, 20, false, SL_DEC_L2_TRUNCATED);
}

void pb_null(struct pb *b, bool swapped)
{
	uint8_t *h = prepend(b, 4);

	if (swapped)
		h[3] = b->top.loop_family;
	else
		h[0] = b->top.loop_family;
	push_layer(b, PB_NULL, 4, false, SL_DEC_L2_TRUNCATED);
}

void pb_loop(struct pb *b)
{
	uint8_t *h = prepend(b, 4);

	h[3] = b->top.loop_family == 24 ? 30 : b->top.loop_family;
	push_layer(b, PB_LOOP, 4, false, SL_DEC_L2_TRUNCATED);
}

void pb_raw(struct pb *b)
{
	mark_version_dispatch(b);
}

void pb_apply(struct pb *b, const struct pb_op *op)
{
	switch (op->kind) {
	case PB_UDP:
		pb_udp(b, (uint16_t)op->a, (uint16_t)op->b);
		break;
	case PB_TCP:
		pb_tcp(b, (uint16_t)op->a, (uint16_t)op->b, op->c, 0x18);
		break;
	case PB_IPV4:
		pb_ipv4(b, op->src, op->dst);
		break;
	case PB_IPV6:
		pb_ipv6(b, op->src, op->dst);
		break;
	case PB_IPV6_FRAG:
		pb_ipv6_frag(b, (uint8_t)op->a, op->b, (uint16_t)op->c, false);
		break;
	case PB_GRE:
		pb_gre(b, (uint16_t)op->a);
		break;
	case PB_ERSPAN2:
		pb_erspan2(b);
		break;
	case PB_ERSPAN3:
		pb_erspan3(b, op->a, op->b);
		break;
	case PB_VXLAN:
		pb_vxlan(b);
		break;
	case PB_GTPU:
		pb_gtpu(b, op->a);
		break;
	case PB_MPLS:
		pb_mpls(b, op->a);
		break;
	case PB_MPLS_CW:
		pb_mpls_cw(b);
		break;
	case PB_VLAN:
		pb_vlan(b, (uint16_t)op->a, (uint16_t)op->b);
		break;
	case PB_ETH:
		pb_eth(b);
		break;
	case PB_SLL:
		pb_sll(b);
		break;
	case PB_SLL2:
		pb_sll2(b);
		break;
	case PB_NULL:
		pb_null(b, op->a);
		break;
	case PB_LOOP:
		pb_loop(b);
		break;
	case PB_RAW:
		pb_raw(b);
		break;
	}
}

void pb_build(struct pb *b, const void *payload, size_t len, const struct pb_op *ops, unsigned n)
{
	unsigned i;

	pb_init(b, payload, len);
	for (i = 0; i < n; i++)
		pb_apply(b, &ops[i]);
}

int pb_cut_ctr(const struct pb *b, unsigned split, size_t cut)
{
	size_t abs_cut = pb_layer_off(b, split) + cut;
	unsigned i;

	for (i = b->n; i-- > 0;) {
		const struct pb_layer *l = &b->l[i];
		size_t off = pb_layer_off(b, i);

		if (i > split) {
			/* rebuilt around the cut: lengths agree, but a decoder may peek past its header */
			if (abs_cut < off + l->need)
				return l->trunc_ctr;
			continue;
		}
		if (abs_cut == off && l->empty_ctr >= 0)
			return l->empty_ctr;
		if (abs_cut < off + l->need || l->has_len)
			return l->trunc_ctr;
	}
	return -1;
}
