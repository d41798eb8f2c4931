/*
 * SIP signalling transport: one place that turns formatted SIP messages into
 * packets and ground-truth records.
 *
 * Dialog and transaction code only says "side s sends these messages now".
 * Over UDP each message is one datagram (RFC 3261 section 18.1.1), which
 * gencap_net.c fragments if it exceeds the MTU. Over TCP the messages of
 * one call go back to back into the stream, so two messages sent together
 * can share a segment and a message can be cut into several application
 * writes (GC_SIG_PIECES). Either way the truth record for each message is
 * keyed by the frame that completes it, which is where a reassembling
 * reader (sluice, tshark) sees the message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/gencap.h"

#define MAX_BATCH 4

void gc_sig_init(struct gc_gen *g, struct gc_sig *s, bool tcp, const struct gc_ep *a, const struct gc_ep *b,
		 uint16_t vlan)
{
	memset(s, 0, sizeof(*s));
	s->tcp = tcp;
	s->ep[0] = *a;
	s->ep[1] = *b;
	s->vlan = vlan;
	if (tcp)
		gc_tcp_init(g, &s->conn, a, b, vlan, GC_K_SIP, GC_K_SIP_TCP_CTL);
}

uint64_t gc_sig_send(struct gc_gen *g, struct gc_sig *s, int side, uint64_t t, const struct gc_sip_out *msgs,
		     size_t n, unsigned flags)
{
	uint64_t last = t;

	if (!s->tcp) {
		enum gc_transport tx = s->ep[0].ip.v6 ? GC_TR_UDP6 : GC_TR_UDP4;

		for (size_t i = 0; i < n; i++) {
			struct gc_key k = gc_net_udp(g, s->vlan, &s->ep[side], &s->ep[!side], t + i * 200,
						     msgs[i].text, msgs[i].len, GC_K_SIP,
						     flags & GC_UDP_FRAG_REVERSE);
			bool frag = !s->ep[0].ip.v6 && 28 + msgs[i].len > GC_MTU;

			gc_truth_sip(g->truth, k, &msgs[i].meta, tx, frag);
			last = k.t;
		}
		return last;
	}

	static char stream[MAX_BATCH * 8192];
	size_t ends[MAX_BATCH] = { 0 }, len = 0;
	struct gc_key keys[MAX_BATCH] = { { 0, 0 } };

	if (n > MAX_BATCH) {
		fprintf(stderr, "sluice-gencap: internal error: %zu messages in one TCP write\n", n);
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (msgs[i].len > sizeof(stream) - len) {
			fprintf(stderr, "sluice-gencap: internal error: TCP batch too long\n");
			abort();
		}
		memcpy(stream + len, msgs[i].text, msgs[i].len);
		len += msgs[i].len;
		ends[i] = len;
	}
	last = gc_tcp_send(g, &s->conn, side, t, stream, len, ends, n, (flags >> 4) & 3, keys);
	for (size_t i = 0; i < n; i++)
		gc_truth_sip(g->truth, keys[i], &msgs[i].meta, GC_TR_TCP4, false);
	return last;
}
