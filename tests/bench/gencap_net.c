/*
 * Link, network and transport framing for generated packets.
 *
 * Everything above this file thinks in endpoints and payload bytes; here
 * they become Ethernet frames (optionally 802.1Q-tagged, IEEE 802.1Q clause
 * 9) carrying IPv4 (RFC 791) or IPv6 (RFC 8200), UDP (RFC 768) or TCP
 * (RFC 9293), or ARP (RFC 826). Lengths and checksums are always correct:
 * IPv4 header checksum, and UDP/TCP checksums over the pseudo-header for
 * both families (RFC 768 makes UDP's optional on IPv4; computing it costs
 * little and lets tools verify it). IPv4 UDP datagrams longer than the MTU
 * are fragmented (RFC 791 section 3.2) in 8-byte units, optionally sent
 * last fragment first, as some stacks do. IPv6 datagrams must fit the MTU;
 * the callers keep them small.
 *
 * DSCP follows common practice so the traffic looks deployed: EF for RTP,
 * CS3 for SIP, best effort for the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/gencap.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_VLAN 0x8100
#define ETH_P_IPV6 0x86dd
#define IPPROTO_UDP_ 17
#define IPPROTO_TCP_ 6

static inline void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's complement sum (RFC 1071), folded by the caller. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	while (len >= 2) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(const struct gc_ip *src, const struct gc_ip *dst, uint8_t proto, uint32_t len)
{
	size_t alen = src->v6 ? 16 : 4;
	uint32_t sum = csum_add(0, src->b, alen);

	sum = csum_add(sum, dst->b, alen);
	sum += proto;
	sum += len >> 16;
	sum += len & 0xffff;
	return sum;
}

static uint8_t dscp_tos(enum gc_kind kind)
{
	switch (kind) {
	case GC_K_RTP:
	case GC_K_RTCP:
		return 0xb8;	/* EF */
	case GC_K_SIP:
	case GC_K_SIP_TCP_CTL:
		return 0x60;	/* CS3 */
	default:
		return 0;
	}
}

static size_t put_eth(uint8_t *p, uint16_t vlan, const uint8_t dst[6], const uint8_t src[6], uint16_t etype)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (vlan) {
		be16(p + 12, ETH_P_VLAN);
		be16(p + 14, vlan & 0x0fff);	/* PCP 0, DEI 0 */
		be16(p + 16, etype);
		return 18;
	}
	be16(p + 12, etype);
	return 14;
}

static size_t put_eth_ip(uint8_t *p, uint16_t vlan, const struct gc_ip *src, const struct gc_ip *dst)
{
	uint8_t smac[6], dmac[6];

	gc_mac(src, smac);
	gc_mac(dst, dmac);
	return put_eth(p, vlan, dmac, smac, src->v6 ? ETH_P_IPV6 : ETH_P_IPV4);
}

/* IPv4 header without options; frag_field is flags<<13 | offset/8. */
static size_t put_ip4(uint8_t *p, const struct gc_ip *src, const struct gc_ip *dst, uint8_t proto, uint8_t tos,
		      uint16_t total_len, uint16_t id, uint16_t frag_field)
{
	p[0] = 0x45;
	p[1] = tos;
	be16(p + 2, total_len);
	be16(p + 4, id);
	be16(p + 6, frag_field);
	p[8] = 64;
	p[9] = proto;
	p[10] = p[11] = 0;
	memcpy(p + 12, src->b, 4);
	memcpy(p + 16, dst->b, 4);
	be16(p + 10, csum_fold(csum_add(0, p, 20)));
	return 20;
}

static size_t put_ip6(uint8_t *p, const struct gc_ip *src, const struct gc_ip *dst, uint8_t proto, uint8_t tc,
		      uint16_t payload_len)
{
	be32(p, 0x60000000u | (uint32_t)tc << 20);
	be16(p + 4, payload_len);
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, src->b, 16);
	memcpy(p + 24, dst->b, 16);
	return 40;
}

static void put_udp(uint8_t *p, const struct gc_ep *src, const struct gc_ep *dst, const void *payload, size_t len)
{
	uint16_t ulen = (uint16_t)(8 + len);

	be16(p, src->port);
	be16(p + 2, dst->port);
	be16(p + 4, ulen);
	p[6] = p[7] = 0;
	memcpy(p + 8, payload, len);

	uint16_t c = csum_fold(csum_add(pseudo_sum(&src->ip, &dst->ip, IPPROTO_UDP_, ulen), p, ulen));

	/* A computed zero is sent as all ones; zero means "no checksum". */
	be16(p + 6, c ? c : 0xffff);
}

static struct gc_key udp_fragments(struct gc_gen *g, uint16_t vlan, const struct gc_ep *src,
				   const struct gc_ep *dst, uint64_t t, const void *payload, size_t len,
				   enum gc_kind kind, unsigned flags)
{
	/* Whole datagram first (the checksum covers all of it), then slices. */
	static uint8_t dg[65536];
	const size_t step = (GC_MTU - 20) & ~(size_t)7;
	size_t dlen = 8 + len;
	size_t nfrag = (dlen + step - 1) / step;
	uint16_t id = g->ip_id++;
	struct gc_key last = { 0, 0 };

	put_udp(dg, src, dst, payload, len);
	for (size_t k = 0; k < nfrag; k++) {
		/* Reverse order: the last fragment leaves first, then the others. */
		size_t i = (flags & GC_UDP_FRAG_REVERSE) ? (k == 0 ? nfrag - 1 : k - 1) : k;
		size_t off = i * step;
		size_t flen = dlen - off < step ? dlen - off : step;
		uint16_t ff = (uint16_t)(off / 8) | (i + 1 < nfrag ? 0x2000 : 0);	/* MF */
		uint8_t *f = gc_out_begin(g->out);
		size_t n = put_eth_ip(f, vlan, &src->ip, &dst->ip);

		n += put_ip4(f + n, &src->ip, &dst->ip, IPPROTO_UDP_, dscp_tos(kind), (uint16_t)(20 + flen), id, ff);
		memcpy(f + n, dg + off, flen);
		last = gc_out_commit(g->out, t + k * 12, n + flen, kind, vlan != 0);
	}
	return last;
}

struct gc_key gc_net_udp(struct gc_gen *g, uint16_t vlan, const struct gc_ep *src, const struct gc_ep *dst,
			 uint64_t t, const void *payload, size_t len, enum gc_kind kind, unsigned flags)
{
	size_t iphl = src->ip.v6 ? 40 : 20;

	if (iphl + 8 + len > GC_MTU) {
		if (src->ip.v6 || len > 65000) {
			fprintf(stderr, "sluice-gencap: internal error: %zu byte datagram cannot be sent\n", len);
			abort();
		}
		return udp_fragments(g, vlan, src, dst, t, payload, len, kind, flags);
	}

	uint8_t *f = gc_out_begin(g->out);
	size_t n = put_eth_ip(f, vlan, &src->ip, &dst->ip);

	if (src->ip.v6)
		n += put_ip6(f + n, &src->ip, &dst->ip, IPPROTO_UDP_, dscp_tos(kind), (uint16_t)(8 + len));
	else
		n += put_ip4(f + n, &src->ip, &dst->ip, IPPROTO_UDP_, dscp_tos(kind), (uint16_t)(28 + len),
			     g->ip_id++, 0);
	put_udp(f + n, src, dst, payload, len);
	return gc_out_commit(g->out, t, n + 8 + len, kind, vlan != 0);
}

struct gc_key gc_net_tcp(struct gc_gen *g, uint16_t vlan, const struct gc_ep *src, const struct gc_ep *dst,
			 uint64_t t, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts, size_t optlen,
			 const void *payload, size_t len, enum gc_kind kind)
{
	size_t iphl = src->ip.v6 ? 40 : 20;
	size_t thl = 20 + optlen;

	if (optlen % 4 || optlen > 40 || iphl + thl + len > GC_MTU) {
		fprintf(stderr, "sluice-gencap: internal error: TCP segment too long\n");
		abort();
	}

	uint8_t *f = gc_out_begin(g->out);
	size_t n = put_eth_ip(f, vlan, &src->ip, &dst->ip);
	uint16_t seglen = (uint16_t)(thl + len);

	if (src->ip.v6)
		n += put_ip6(f + n, &src->ip, &dst->ip, IPPROTO_TCP_, dscp_tos(kind), seglen);
	else	/* DF: TCP does path MTU discovery */
		n += put_ip4(f + n, &src->ip, &dst->ip, IPPROTO_TCP_, dscp_tos(kind), (uint16_t)(20 + seglen),
			     g->ip_id++, 0x4000);

	uint8_t *tcp = f + n;

	be16(tcp, src->port);
	be16(tcp + 2, dst->port);
	be32(tcp + 4, seq);
	be32(tcp + 8, (flags & GC_TCP_ACK) ? ack : 0);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	be16(tcp + 14, 64240);
	tcp[16] = tcp[17] = 0;
	tcp[18] = tcp[19] = 0;
	if (optlen)
		memcpy(tcp + 20, opts, optlen);
	if (len)
		memcpy(tcp + thl, payload, len);
	be16(tcp + 16, csum_fold(csum_add(pseudo_sum(&src->ip, &dst->ip, IPPROTO_TCP_, seglen), tcp, seglen)));
	return gc_out_commit(g->out, t, n + seglen, kind, vlan != 0);
}

struct gc_key gc_net_arp(struct gc_gen *g, uint16_t vlan, uint64_t t, bool reply,
			 const struct gc_ip *sender, const struct gc_ip *target)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	uint8_t smac[6], tmac[6];
	uint8_t *f = gc_out_begin(g->out);

	gc_mac(sender, smac);
	gc_mac(target, tmac);

	size_t n = put_eth(f, vlan, reply ? tmac : bcast, smac, ETH_P_ARP);
	uint8_t *a = f + n;

	be16(a, 1);		/* Ethernet */
	be16(a + 2, ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	be16(a + 6, reply ? 2 : 1);
	memcpy(a + 8, smac, 6);
	memcpy(a + 14, sender->b, 4);
	memcpy(a + 18, reply ? tmac : zero, 6);
	memcpy(a + 24, target->b, 4);
	return gc_out_commit(g->out, t, n + 28, GC_K_NOISE, vlan != 0);
}
