/*
 * IPv4 (RFC 791) and IPv6 (RFC 8200) decoding.
 *
 * Validates header lengths against the captured bytes, trims link-layer
 * padding to the IP total length, walks the IPv6 extension header chain
 * (hop-by-hop, routing, destination options, fragment, AH) and hands
 * fragments to the reassembler. A reassembled datagram is decoded from its
 * own buffer, which is freed as soon as its upper layers return.
 *
 * Captures taken on a host with TCP segmentation offload carry the packets
 * the stack handed to the NIC: several segments in one, and an IPv4 total
 * length of 0 when the stack left it for the NIC to fill in. Such a packet
 * is taken as tshark takes it, its length being what the frame holds from
 * the IPv4 header on (counted as ipv4:offload), instead of being rejected,
 * which would open a hole in the TCP stream behind it. IPv6 has the same
 * case: a payload length of 0 with a first next header other than
 * Hop-by-Hop (Linux GSO and BIG TCP leave it so; counted as ipv6:offload)
 * takes its length from the frame. A payload length of 0 with a
 * Hop-by-Hop header is a jumbogram (RFC 2675): its length is the Jumbo
 * Payload option's, which must be there, exceed 65535 and fit in the
 * captured bytes, and it may not carry a fragment header (ipv6:jumbo).
 */
#include <talloc.h>

#include "capture/capture_int.h"
#include "capture/ip_defrag.h"

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60

/* Extension headers followed per packet; more is an attack or a bug. */
#define MAX_IPV6_EXT 8

void sl_decode_ip(struct sl_dec *d, struct sl_cursor c)
{
	uint8_t v;

	if (!sl_cur_peek(&c, 0, &v)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED, "empty IP packet");
		return;
	}
	if ((v >> 4) == 4)
		sl_decode_ipv4(d, c);
	else if ((v >> 4) == 6)
		sl_decode_ipv6(d, c);
	else
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED, "IP version %u", v >> 4);
}

/* how ipv6_walk() was reached */
#define WALK_REASSEMBLED 1u	/* a reassembled datagram: fragments do not nest */
#define WALK_JUMBO 2u		/* a jumbogram: it may not be fragmented (RFC 2675 clause 3) */

static void ipv6_walk(struct sl_dec *d, uint8_t next, struct sl_cursor payload, const struct sl_addr *src,
		      const struct sl_addr *dst, unsigned how);

static void defrag_and_decode(struct sl_dec *d, const struct sl_frag *f)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (sl_defrag_add(d->cap->defrag, f, d->cap->now_us, d->cap, &buf, &len) != SL_DEFRAG_DONE)
		return;
	/* an IPv6 fragmentable part may start with more extension headers (RFC 8200 4.5) */
	if (f->version == 6)
		ipv6_walk(d, f->proto, sl_cur(buf, len), &f->src, &f->dst, WALK_REASSEMBLED);
	else
		sl_decode_l4(d, f->proto, &f->src, &f->dst, sl_cur(buf, len));
	talloc_free(buf);
}

void sl_decode_ipv4(struct sl_dec *d, struct sl_cursor c)
{
	uint8_t vihl, proto;
	uint16_t total, frag;
	const uint8_t *hdr;
	size_t hlen;
	struct sl_addr src, dst;
	struct sl_cursor payload;

	if (!sl_cur_bytes(&c, 20, &hdr)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED, "IPv4 header cut short (%zu bytes)",
			      c.left);
		return;
	}
	vihl = hdr[0];
	hlen = (size_t)(vihl & 0x0f) * 4;
	total = (uint16_t)((hdr[2] << 8) | hdr[3]);
	frag = (uint16_t)((hdr[6] << 8) | hdr[7]);
	proto = hdr[9];
	if (total == 0 && (vihl >> 4) == 4 && hlen >= 20 && !(frag & 0x3fff) && sl_cur_skip(&c, hlen - 20)) {
		/* segmentation offload: the frame says how long the packet is (options skipped above) */
		sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_IPV4_OFFLOAD);
		sl_addr_set4(&src, hdr + 12);
		sl_addr_set4(&dst, hdr + 16);
		sl_decode_l4(d, proto, &src, &dst, c);
		return;
	}
	if ((vihl >> 4) != 4 || hlen < 20 || total < hlen) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED,
			      "IPv4 version %u header length %zu total length %u", vihl >> 4, hlen, total);
		return;
	}
	/* options, then the payload up to the total length (drop Ethernet padding) */
	if (!sl_cur_skip(&c, hlen - 20) || !sl_cur_sub(&c, total - hlen, &payload)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED,
			      "IPv4 total length %u but only %zu bytes captured", total, hlen + c.left);
		return;
	}
	sl_addr_set4(&src, hdr + 12);
	sl_addr_set4(&dst, hdr + 16);

	if (frag & 0x3fff) {
		/* MF set or offset non-zero */
		struct sl_frag f = {
			.version = 4, .proto = proto, .src = src, .dst = dst,
			.id = (uint32_t)((hdr[4] << 8) | hdr[5]),
			.offset = (uint32_t)(frag & 0x1fff) * 8, .more = (frag & 0x2000) != 0,
			.data = payload.p, .len = payload.left,
		};
		defrag_and_decode(d, &f);
		return;
	}
	sl_decode_l4(d, proto, &src, &dst, payload);
}

/*
 * The Jumbo Payload option (RFC 2675 clause 2: type 0xC2, length 4, a
 * 32-bit length of everything after the IPv6 header, Hop-by-Hop header
 * included, greater than 65535) of the Hop-by-Hop header that c starts
 * with. 0 with *len set, or -1 rejected and counted.
 */
static int jumbo_length(struct sl_dec *d, struct sl_cursor c, uint32_t *len)
{
	struct sl_cursor opts;
	uint8_t nh, hl;

	if (!sl_cur_u8(&c, &nh) || !sl_cur_u8(&c, &hl) || !sl_cur_sub(&c, (size_t)hl * 8 + 6, &opts)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED, "IPv6 jumbogram Hop-by-Hop header cut short");
		return -1;
	}
	while (opts.left) {
		uint8_t type, olen;
		uint32_t v;

		if (!sl_cur_u8(&opts, &type))
			break;
		if (type == 0) /* Pad1 */
			continue;
		if (!sl_cur_u8(&opts, &olen) || !sl_cur_need(&opts, olen)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED,
				      "IPv6 Hop-by-Hop option %u runs past its header", type);
			return -1;
		}
		if (type != 0xc2) {
			(void)sl_cur_skip(&opts, olen);
			continue;
		}
		if (olen != 4 || !sl_cur_be32(&opts, &v) || v <= 65535) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED,
				      "IPv6 Jumbo Payload option of length %u", olen);
			return -1;
		}
		*len = v;
		return 0;
	}
	sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED,
		      "IPv6 payload length 0 and a Hop-by-Hop header without a Jumbo Payload option");
	return -1;
}

void sl_decode_ipv6(struct sl_dec *d, struct sl_cursor c)
{
	const uint8_t *hdr;
	uint16_t plen;
	uint8_t next;
	struct sl_addr src, dst;
	struct sl_cursor payload;

	if (!sl_cur_bytes(&c, 40, &hdr)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED, "IPv6 header cut short (%zu bytes)",
			      c.left);
		return;
	}
	if ((hdr[0] >> 4) != 6) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED, "IPv6 version %u", hdr[0] >> 4);
		return;
	}
	plen = (uint16_t)((hdr[4] << 8) | hdr[5]);
	next = hdr[6];
	sl_addr_set6(&src, hdr + 8);
	sl_addr_set6(&dst, hdr + 24);
	if (plen == 0 && next == IPPROTO_HOPOPTS_) {
		uint32_t jumbo;

		if (jumbo_length(d, c, &jumbo) < 0)
			return;
		if (!sl_cur_sub(&c, jumbo, &payload)) {
			sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED,
				      "IPv6 jumbo payload length %u but only %zu bytes captured", jumbo, c.left);
			return;
		}
		sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_IPV6_JUMBO);
		ipv6_walk(d, next, payload, &src, &dst, WALK_JUMBO);
		return;
	}
	if (plen == 0) {
		/* segmentation offload: the frame says how long the packet is */
		sl_ctr_inc(d->cap, SL_CG_DECODE, SL_DEC_IPV6_OFFLOAD);
		ipv6_walk(d, next, c, &src, &dst, 0);
		return;
	}
	if (!sl_cur_sub(&c, plen, &payload)) {
		sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED,
			      "IPv6 payload length %u but only %zu bytes captured", plen, c.left);
		return;
	}
	ipv6_walk(d, next, payload, &src, &dst, 0);
}

/*
 * Follow the extension header chain to the upper layer. Run on each packet
 * and again on a reassembled datagram, whose fragmentable part may begin
 * with destination options or routing headers; a fragment header there is
 * malformed (fragments do not nest).
 */
static void ipv6_walk(struct sl_dec *d, uint8_t next, struct sl_cursor payload, const struct sl_addr *src,
		      const struct sl_addr *dst, unsigned how)
{
	unsigned n;

	for (n = 0; n < MAX_IPV6_EXT; n++) {
		uint8_t nh, hl;
		uint16_t offflags;
		uint32_t id;

		switch (next) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			if (!sl_cur_u8(&payload, &nh) || !sl_cur_u8(&payload, &hl) ||
			    !sl_cur_skip(&payload, (size_t)hl * 8 + 6)) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED,
					      "IPv6 extension header %u cut short", next);
				return;
			}
			next = nh;
			continue;
		case IPPROTO_AH_:
			if (!sl_cur_u8(&payload, &nh) || !sl_cur_u8(&payload, &hl) ||
			    !sl_cur_skip(&payload, ((size_t)hl + 2) * 4 - 2)) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED, "IPv6 AH header cut short");
				return;
			}
			next = nh;
			continue;
		case IPPROTO_FRAGMENT_:
			if (!sl_cur_u8(&payload, &nh) || !sl_cur_skip(&payload, 1) ||
			    !sl_cur_be16(&payload, &offflags) || !sl_cur_be32(&payload, &id)) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED,
					      "IPv6 fragment header cut short");
				return;
			}
			if (how & WALK_REASSEMBLED) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED,
					      "IPv6 fragment header inside a reassembled datagram");
				return;
			}
			if (how & WALK_JUMBO) {
				sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED,
					      "IPv6 fragment header in a jumbogram");
				return;
			}
			if ((offflags & 0xfff9) == 0) {
				/* atomic fragment (RFC 6946): offset 0, no M flag; process in place */
				next = nh;
				continue;
			}
			{
				struct sl_frag f = {
					.version = 6, .proto = nh, .src = *src, .dst = *dst, .id = id,
					.offset = (uint32_t)(offflags & 0xfff8), .more = (offflags & 1) != 0,
					.data = payload.p, .len = payload.left,
				};
				defrag_and_decode(d, &f);
			}
			return;
		case IPPROTO_NONE_:
			return;
		default:
			sl_decode_l4(d, next, src, dst, payload);
			return;
		}
	}
	sl_cap_reject(d->cap, SL_CG_DECODE, SL_DEC_IPV6_UNSUPPORTED, "more than %u IPv6 extension headers",
		      MAX_IPV6_EXT);
}
