/*
 * Hand-built frames for the capture pipeline tests.
 *
 * A frame is built inside out: start from the payload (a SIP message, an
 * RTP packet) and prepend one header after another, UDP, IP, tunnel,
 * Ethernet. Each prepend fills in the length and type fields of its header
 * from what is below it (IPv4 total length, UDP length, GRE protocol,
 * EtherType), so a test only says which encapsulation it wants.
 *
 * Every header prepended is also recorded as a layer: where it starts, how
 * many bytes a decoder needs to get past it, whether a length field of its
 * own covers the rest of the frame, and which decode counter a frame cut
 * inside it must increment. pb_cut_ctr() derives from these records the
 * counter any truncation of the frame is expected to hit, which lets the
 * malformed-input tests sweep every cut length of every encapsulation.
 *
 * Layers can also be described as data (struct pb_op) so that the outer
 * layers can be rebuilt around a cut inner blob with consistent lengths,
 * reaching the "truncated" paths of inner decoders too.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_MAX 8192
#define PB_MAX_LAYERS 128

#define PB_GRE_C 0x8000
#define PB_GRE_K 0x2000
#define PB_GRE_S 0x1000

enum pb_kind {
	PB_UDP, PB_TCP, PB_IPV4, PB_IPV6, PB_IPV6_FRAG, PB_GRE, PB_ERSPAN2, PB_ERSPAN3, PB_VXLAN, PB_GTPU,
	PB_MPLS, PB_MPLS_CW, PB_VLAN, PB_ETH, PB_SLL, PB_SLL2, PB_NULL, PB_LOOP, PB_RAW,
};

/* What the header on top announces to the header prepended next. */
struct pb_top {
	uint16_t ethertype;	/* for Ethernet, VLAN, GRE, SLL */
	uint8_t ipproto;	/* for IPv4/IPv6 */
	uint8_t loop_family;	/* for NULL/LOOP */
	bool needs_gre_seq;	/* ERSPAN II: GRE must carry a sequence number */
};

struct pb_layer {
	enum pb_kind kind;
	size_t size;		/* bytes of this layer and everything inside it */
	size_t need;		/* bytes from its start a decoder needs to get past it */
	bool has_len;		/* a length field covers the rest of the frame */
	int trunc_ctr;		/* enum sl_decode_ctr of a cut inside it */
	int empty_ctr;		/* counter when cut exactly at its start; -1: trunc_ctr */
	struct pb_top top;	/* state after it was prepended */
};

struct pb {
	uint8_t buf[PB_MAX];
	size_t start;		/* the frame is buf[start..PB_MAX) */
	struct pb_top top;
	unsigned n;
	struct pb_layer l[PB_MAX_LAYERS];	/* innermost first */
};

/* One layer as data, for pb_apply. */
struct pb_op {
	enum pb_kind kind;
	const uint8_t *src, *dst;	/* IP addresses */
	uint32_t a, b, c;		/* ports / seq / flags / label / VLAN id: see pb_apply */
};

/* Start a frame from payload bytes (top state: nothing announced). */
void pb_init(struct pb *b, const void *payload, size_t len);
/* Start from an inner blob whose first header left this top state. */
void pb_init_blob(struct pb *b, const void *blob, size_t len, const struct pb_top *top);

void pb_udp(struct pb *b, uint16_t sport, uint16_t dport);
void pb_tcp(struct pb *b, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags);
void pb_ipv4(struct pb *b, const uint8_t src[4], const uint8_t dst[4]);
/* A fragment: offset in bytes (multiple of 8), proto of the whole datagram. */
void pb_ipv4_frag(struct pb *b, const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint16_t id, uint16_t off,
		  bool more);
void pb_ipv6(struct pb *b, const uint8_t src[16], const uint8_t dst[16]);
void pb_ipv6_frag(struct pb *b, uint8_t proto, uint32_t id, uint16_t off, bool more);
void pb_gre(struct pb *b, uint16_t flags);
void pb_erspan2(struct pb *b);
void pb_erspan3(struct pb *b, bool subheader, bool ip_frame);
void pb_vxlan(struct pb *b);
void pb_gtpu(struct pb *b, bool ext);
void pb_mpls(struct pb *b, uint32_t label);
void pb_mpls_cw(struct pb *b);		/* pseudowire control word over an Ethernet frame */
void pb_vlan(struct pb *b, uint16_t tpid, uint16_t vid);
void pb_eth(struct pb *b);
void pb_sll(struct pb *b);
void pb_sll2(struct pb *b);
void pb_null(struct pb *b, bool swapped);	/* DLT_NULL, host order (little endian) or swapped */
void pb_loop(struct pb *b);
void pb_raw(struct pb *b);			/* no header: DLT_RAW */

/*
 * Apply an op: UDP a=sport b=dport; TCP a=sport b=dport c=seq; IPv4/IPv6
 * src dst; GRE a=flags; ERSPAN3 a=subheader b=ip_frame; GTPU a=ext; MPLS
 * a=label; VLAN a=tpid b=vid; NULL a=swapped.
 */
void pb_apply(struct pb *b, const struct pb_op *op);
/* Build payload + ops[0..n) into b. */
void pb_build(struct pb *b, const void *payload, size_t len, const struct pb_op *ops, unsigned n);

static inline const uint8_t *pb_data(const struct pb *b)
{
	return b->buf + b->start;
}

static inline size_t pb_len(const struct pb *b)
{
	return PB_MAX - b->start;
}

/* Offset of layer i from the frame start. */
static inline size_t pb_layer_off(const struct pb *b, unsigned i)
{
	return pb_len(b) - b->l[i].size;
}

/*
 * Counter a decoder must increment when layer `split` of b (and all inside
 * it) is cut to `cut` bytes and the layers outside it are rebuilt around
 * the cut with consistent lengths (split == b->n - 1: the whole frame is
 * cut); -1 when the cut falls in a payload no decoder checks the length of.
 */
int pb_cut_ctr(const struct pb *b, unsigned split, size_t cut);
