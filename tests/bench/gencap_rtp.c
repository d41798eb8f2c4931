/*
 * RTP and RTCP stream actors (RFC 3550, RTP/AVP profile RFC 3551).
 *
 * One actor per direction of a call sends G.711 (PT 0 PCMU or 8 PCMA) in
 * 20 ms packets: 160 payload bytes, timestamp +160 per packet, marker bit
 * on the first packet, sequence numbers from a random start (or just below
 * 65535 when a wrap is wanted), random SSRC. Send times follow a 20 ms grid
 * from the first packet plus up to 0.3 ms of scheduling jitter, so the
 * stream's clock never drifts and packets never reorder.
 *
 * A "lossy" stream skips a few packets in the middle: their sequence
 * numbers and timestamps are used up but nothing is sent, which is what a
 * receiver behind a lossy link sees. Loss never touches the first or the
 * last ten packets, so a reader that counts "expected minus received"
 * between first and last sequence number gets exactly the recorded loss.
 *
 * Every 250 packet slots (5 s) the sender also emits an RTCP compound
 * packet, sender report plus SDES CNAME (section 6.1 requires both), from
 * and to the RTP ports plus one.
 */
#include <stdio.h>
#include <string.h>

#include "tests/bench/gencap.h"

#define RTP_HDR 12
#define G711_BYTES 160
#define PTIME (20 * GC_MS)
#define RTCP_EVERY 250			/* slots between sender reports: 5 s */
#define NTP_UNIX_OFFSET 2208988800ULL	/* 1900-01-01 to 1970-01-01 */

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

static bool slot_lost(const struct gc_stream *s, uint32_t idx)
{
	for (int i = 0; i < 3; i++)
		if (s->loss_len[i] && idx >= s->loss_at[i] && idx < s->loss_at[i] + s->loss_len[i])
			return true;
	return false;
}

static void send_rtcp(struct gc_gen *g, struct gc_stream *s, uint64_t t)
{
	uint8_t p[128];
	char host[GC_IPSTR], cname[64];
	uint64_t secs = t / GC_US + NTP_UNIX_OFFSET;
	uint32_t frac = (uint32_t)(((t % GC_US) << 32) / GC_US);

	/* Sender report, no report blocks: 28 bytes, length 6 words - 1. */
	p[0] = 0x80;
	p[1] = 200;
	be16(p + 2, 6);
	be32(p + 4, s->ssrc);
	be32(p + 8, (uint32_t)secs);
	be32(p + 12, frac);
	be32(p + 16, s->ts);
	be32(p + 20, s->sent);
	be32(p + 24, (uint32_t)s->octets);

	/* SDES with one chunk: SSRC, CNAME item, END, padded to 32 bits. */
	int cl = snprintf(cname, sizeof(cname), "gencap@%s", gc_ip_str(&s->src.ip, host, sizeof(host)));

	if (cl < 0 || (size_t)cl >= sizeof(cname))
		cl = 0;

	size_t chunk = 4 + 2 + (size_t)cl + 1;
	size_t padded = (chunk + 3) & ~(size_t)3;
	uint8_t *d = p + 28;

	d[0] = 0x81;
	d[1] = 202;
	be16(d + 2, (uint16_t)((4 + padded) / 4 - 1));
	be32(d + 4, s->ssrc);
	d[8] = 1;		/* CNAME */
	d[9] = (uint8_t)cl;
	memcpy(d + 10, cname, (size_t)cl);
	memset(d + 10 + cl, 0, padded - 6 - (size_t)cl);

	struct gc_ep src = s->src, dst = s->dst;

	src.port++;
	dst.port++;
	gc_net_udp(g, s->vlan, &src, &dst, t, p, 28 + 4 + padded, GC_K_RTCP, 0);
	s->rtcp++;
}

static void stream_fire(struct gc_gen *g, struct gc_actor *a, uint64_t now)
{
	struct gc_stream *s = (struct gc_stream *)a;

	if (slot_lost(s, s->idx)) {
		s->lost++;
	} else {
		uint8_t p[RTP_HDR + G711_BYTES];
		/* Comfort-noise-like G.711: the law's silence code with the low
		 * bits flickering (0xff PCMU, 0xd5 PCMA with its even-bit XOR). */
		uint8_t silence = s->pt == 8 ? 0xd5 : 0xff;
		uint64_t r = 0;

		p[0] = 0x80;
		p[1] = (uint8_t)(s->pt | (s->idx == 0 ? 0x80 : 0));
		be16(p + 2, s->seq);
		be32(p + 4, s->ts);
		be32(p + 8, s->ssrc);
		for (int i = 0; i < G711_BYTES; i++) {
			if (i % 21 == 0)
				r = gc_rng_u64(&g->rng);
			p[RTP_HDR + i] = silence ^ (uint8_t)(r & 0x07);
			r >>= 3;
		}
		gc_net_udp(g, s->vlan, &s->src, &s->dst, now, p, sizeof(p), GC_K_RTP, 0);
		s->sent++;
		s->octets += G711_BYTES;
	}
	s->seq++;
	s->ts += G711_BYTES;
	s->idx++;
	if (s->idx % RTCP_EVERY == 0 && s->sent)
		send_rtcp(g, s, now + gc_rng_range(&g->rng, 100, 5000));

	if (s->idx >= s->quota) {
		gc_truth_stream_done(g->truth, s->truth, s->sent, s->lost, s->rtcp);
		s->done(g, s->owner, now);
		return;
	}
	gc_sched(g, &s->actor, s->t0 + (uint64_t)s->idx * PTIME + gc_rng_range(&g->rng, 0, 300));
}

void gc_stream_start(struct gc_gen *g, struct gc_stream *s, const struct gc_ep *src, const struct gc_ep *dst,
		     uint16_t vlan, uint8_t pt, uint64_t t, uint32_t quota, bool lossy, bool wrap,
		     gc_stream_done_fn done, void *owner)
{
	memset(s, 0, sizeof(*s));
	s->actor.fire = stream_fire;
	s->done = done;
	s->owner = owner;
	s->src = *src;
	s->dst = *dst;
	s->vlan = vlan;
	s->pt = pt;
	s->ssrc = (uint32_t)gc_rng_u64(&g->rng);
	s->ts = (uint32_t)gc_rng_u64(&g->rng);
	s->t0 = t;
	s->quota = quota ? quota : 1;
	if (wrap && s->quota > 40)
		s->seq = (uint16_t)(65536 - gc_rng_range(&g->rng, 10, s->quota / 2 < 200 ? s->quota / 2 : 200));
	else
		s->seq = (uint16_t)gc_rng_range(&g->rng, 0, 65535);

	/* Up to three bursts of one to three packets, one per third of the
	 * stream's middle, so they never overlap or touch the ends. */
	if (lossy && s->quota >= 60) {
		unsigned n = gc_rng_range(&g->rng, 1, 3);
		uint32_t span = (s->quota - 20) / n;

		for (unsigned i = 0; i < n; i++) {
			s->loss_len[i] = gc_rng_range(&g->rng, 1, 3);
			s->loss_at[i] = 10 + i * span + gc_rng_range(&g->rng, 0, span - 4);
		}
	}
	s->truth = gc_truth_stream(g->truth, src, dst, s->ssrc, pt);
	gc_sched(g, &s->actor, t);
}
