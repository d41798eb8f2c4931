/*
 * TCP connection simulation for generated SIP and HTTP traffic.
 *
 * A reassembler is only exercised by streams that look like real ones:
 * three-way handshake with MSS and SACK-permitted options, sequence and
 * acknowledgement numbers that follow every byte (SYN and FIN count one,
 * RFC 9293 section 3.4), data that crosses segment boundaries, several
 * messages sharing a segment, and an orderly FIN exchange. This file keeps
 * that bookkeeping for one connection; callers only say "side s sends these
 * bytes as n writes at time t".
 *
 * Frames of one connection are never stamped before an earlier frame of the
 * same connection (c->busy): a capture in which a later sequence number is
 * stamped first would look like reordering, which is not what we want to
 * test here. The pure ACK after each write stands in for the peer's delayed
 * ACK; window updates, SACK blocks and retransmissions are not simulated.
 */
#include "tests/bench/gencap.h"

/* MSS 1460, NOP, NOP, SACK permitted: 8 bytes, data offset 7. */
static const uint8_t syn_opts[8] = { 2, 4, GC_TCP_MSS >> 8, GC_TCP_MSS & 0xff, 1, 1, 4, 2 };

static uint64_t slot(struct gc_tcp *c, uint64_t t)
{
	return t > c->busy ? t : c->busy + 1;
}

static struct gc_key seg(struct gc_gen *g, struct gc_tcp *c, int side, uint64_t t, uint8_t flags,
			 const uint8_t *opts, size_t optlen, const char *data, size_t len, enum gc_kind kind)
{
	struct gc_key k = gc_net_tcp(g, c->vlan, &c->ep[side], &c->ep[!side], t, c->nxt[side], c->nxt[!side],
				     flags, opts, optlen, data, len, kind);

	c->nxt[side] += (uint32_t)len + ((flags & (GC_TCP_SYN | GC_TCP_FIN)) ? 1 : 0);
	c->busy = t;
	return k;
}

void gc_tcp_init(struct gc_gen *g, struct gc_tcp *c, const struct gc_ep *client, const struct gc_ep *server,
		 uint16_t vlan, enum gc_kind data_kind, enum gc_kind ctl_kind)
{
	c->ep[0] = *client;
	c->ep[1] = *server;
	c->vlan = vlan;
	c->nxt[0] = (uint32_t)gc_rng_u64(&g->rng);
	c->nxt[1] = (uint32_t)gc_rng_u64(&g->rng);
	c->busy = 0;
	c->data_kind = data_kind;
	c->ctl_kind = ctl_kind;
}

uint64_t gc_tcp_connect(struct gc_gen *g, struct gc_tcp *c, uint64_t t)
{
	uint64_t rtt = gc_rng_range(&g->rng, 300, 4000);

	t = slot(c, t);
	seg(g, c, 0, t, GC_TCP_SYN, syn_opts, sizeof(syn_opts), NULL, 0, c->ctl_kind);
	seg(g, c, 1, t + rtt / 2, GC_TCP_SYN | GC_TCP_ACK, syn_opts, sizeof(syn_opts), NULL, 0, c->ctl_kind);
	seg(g, c, 0, t + rtt, GC_TCP_ACK, NULL, 0, NULL, 0, c->ctl_kind);
	return t + rtt + 20;
}

uint64_t gc_tcp_send(struct gc_gen *g, struct gc_tcp *c, int side, uint64_t t, const char *data, size_t len,
		     const size_t *msg_end, size_t nmsg, unsigned pieces, struct gc_key *msg_key)
{
	size_t cut[5];
	unsigned ncut = 0;

	/* Application writes: cut points near equal shares, jittered by a
	 * quarter share so they land anywhere, header lines and body alike. */
	if (pieces < 1 || pieces > 3 || len < 2 * (size_t)pieces)
		pieces = 1;
	cut[ncut++] = 0;
	for (unsigned j = 1; j < pieces; j++) {
		size_t share = len / pieces;
		size_t jit = share / 4;
		size_t at = share * j - jit + gc_rng_range(&g->rng, 0, (uint32_t)(2 * jit));

		if (at > cut[ncut - 1] && at < len)
			cut[ncut++] = at;
	}
	cut[ncut++] = len;

	uint64_t tt = slot(c, t);
	size_t next_msg = 0;

	for (unsigned p = 0; p + 1 < ncut; p++) {
		size_t off = cut[p];

		if (p > 0)
			tt += gc_rng_range(&g->rng, 40, 600);
		while (off < cut[p + 1]) {
			size_t n = cut[p + 1] - off;

			if (n > GC_TCP_MSS)
				n = GC_TCP_MSS;
			/* PSH on the segment that ends a write, as stacks do. */
			uint8_t fl = GC_TCP_ACK | (off + n == cut[p + 1] ? GC_TCP_PSH : 0);
			struct gc_key k = seg(g, c, side, tt, fl, NULL, 0, data + off, n, c->data_kind);

			off += n;
			while (next_msg < nmsg && msg_end[next_msg] <= off) {
				if (msg_key)
					msg_key[next_msg] = k;
				next_msg++;
			}
			if (off < cut[p + 1])
				tt += 15;
		}
	}

	uint64_t last = tt;

	seg(g, c, !side, tt + gc_rng_range(&g->rng, 40, 400), GC_TCP_ACK, NULL, 0, NULL, 0, c->ctl_kind);
	return last;
}

uint64_t gc_tcp_close(struct gc_gen *g, struct gc_tcp *c, int side, uint64_t t)
{
	t = slot(c, t);
	seg(g, c, side, t, GC_TCP_FIN | GC_TCP_ACK, NULL, 0, NULL, 0, c->ctl_kind);
	t += gc_rng_range(&g->rng, 100, 2000);
	seg(g, c, !side, t, GC_TCP_FIN | GC_TCP_ACK, NULL, 0, NULL, 0, c->ctl_kind);
	t += gc_rng_range(&g->rng, 100, 2000);
	seg(g, c, side, t, GC_TCP_ACK, NULL, 0, NULL, 0, c->ctl_kind);
	return t;
}
