/*
 * bench_gtp: GTPv2-C decoding and what the UE binding table costs the
 * traffic that is not mobile (`make bench`).
 *
 * GSMTAP decoding is timed too, on a generated mix of a phone's
 * location update, identity response and short message (Abis).
 *
 * Two capture pipelines run side by side in one process on generated
 * frames (raw IPv4). Pipeline B first learns --sessions (default 100,000)
 * PDN sessions from Create Session Request/Response pairs between an MME
 * and an SGW (the GTPv2-C decoding rate is timed here); pipeline A learns
 * none. Both then see the same SIP call between two fixed-line hosts
 * (INVITE and 200 with SDP) and the same mix, timed in alternating
 * batches so that load on the machine hits both alike:
 *
 *   rtp      RTP of that call between the fixed-line hosts (the media
 *            index finds the call; the binding table is not consulted)
 *   sip      SIP OPTIONS between the fixed-line hosts (each message looks
 *            both its addresses up in the binding table: empty in A, one
 *            hash and one bucket in B)
 *   gtpu     RTP from UE addresses inside GTP-U (bound in B, unknown in A;
 *            the same addresses in both)
 *
 * The figure that counts is B/A per packet of the same kind, best batch
 * of each, in CPU time of the thread (so other processes on the machine
 * do not count): with 100,000 bindings non-mobile RTP must cost the same as
 * with none (ratio at most 1.25 or the exit status is 1; noise on a busy
 * two-core machine stays well inside that).
 *
 * Usage: bench_gtp [--sessions N] [--batches N] [--batch N]
 */
#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include <osmocom/core/logging.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/log.h"
#include "util/hash.h"

static const struct log_info bench_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static double now_s(void)
{
	struct timespec ts;

	/* CPU time of this thread: other processes on a busy machine do not count against a batch */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long n_events;

static void on_event(const struct sl_event *ev, void *priv)
{
	(void)ev;
	(void)priv;
	n_events++;
}

struct pipe {
	struct sl_capture *cap;
	uint64_t ts_us, frame;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* IPv4 + UDP header around n payload bytes already at f + 28; returns the frame length. */
static size_t ip_udp(uint8_t *f, const uint8_t src[4], const uint8_t dst[4], unsigned sport, unsigned dport, size_t n)
{
	memset(f, 0, 28);
	f[0] = 0x45;
	put16(f + 2, (unsigned)(28 + n));
	f[8] = 64;
	f[9] = 17;
	memcpy(f + 12, src, 4);
	memcpy(f + 16, dst, 4);
	put16(f + 20, sport);
	put16(f + 22, dport);
	put16(f + 24, (unsigned)(8 + n));
	return 28 + n;
}

static void feed(struct pipe *p, const uint8_t *f, size_t len, uint64_t step_us)
{
	struct sl_frame fr = { .ts_us = p->ts_us, .number = ++p->frame, .linktype = DLT_IPV4, .data = f,
			       .caplen = (uint32_t)len, .len = (uint32_t)len };

	p->ts_us += step_us;
	sl_capture_frame(p->cap, &fr);
}

static void ue_addr(unsigned i, uint8_t a[4])
{
	a[0] = 100;
	a[1] = (uint8_t)(64 + ((i >> 16) & 63));
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

static const uint8_t mme[4] = { 192, 0, 2, 1 }, sgw[4] = { 192, 0, 2, 2 }, enb[4] = { 192, 0, 2, 3 };
static const uint8_t host_a[4] = { 198, 51, 100, 1 }, host_b[4] = { 198, 51, 100, 2 };

/* TS 29.274: Create Session Request for UE i (IMSI, MSISDN, MEI, ULI, sender F-TEID, APN, Bearer Context). */
static size_t csr(uint8_t *f, unsigned i)
{
	uint8_t *m = f + 28, *p = m + 12;
	char imsi[16];
	unsigned k;

	snprintf(imsi, sizeof(imsi), "00101%010u", i);
	m[0] = 0x48;
	m[1] = 32;
	put32(m + 4, 0);
	m[8] = (uint8_t)(i >> 16);
	m[9] = (uint8_t)(i >> 8);
	m[10] = (uint8_t)i;
	m[11] = 0;
	*p++ = 1, *p++ = 0, *p++ = 8, *p++ = 0;
	for (k = 0; k < 15; k += 2)
		*p++ = (uint8_t)((imsi[k] - '0') | (k + 1 < 15 ? (imsi[k + 1] - '0') << 4 : 0xf0));
	*p++ = 76, *p++ = 0, *p++ = 6, *p++ = 0;
	for (k = 0; k < 6; k++)
		*p++ = (uint8_t)(((i >> k) % 10) << 4 | (k + 4) % 10);
	*p++ = 75, *p++ = 0, *p++ = 8, *p++ = 0;
	for (k = 0; k < 8; k++)
		*p++ = (uint8_t)(0x35 + k % 5);
	*p++ = 86, *p++ = 0, *p++ = 13, *p++ = 0, *p++ = 0x18;
	*p++ = 0x00, *p++ = 0xf1, *p++ = 0x10, *p++ = (uint8_t)(i >> 8), *p++ = (uint8_t)i;
	*p++ = 0x00, *p++ = 0xf1, *p++ = 0x10;
	put32(p, i & 0x0fffffff);
	p += 4;
	*p++ = 87, *p++ = 0, *p++ = 9, *p++ = 0, *p++ = 0x8a;
	put32(p, i + 1);
	p += 4;
	memcpy(p, mme, 4);
	p += 4;
	*p++ = 71, *p++ = 0, *p++ = 4, *p++ = 0, *p++ = 3, *p++ = 'i', *p++ = 'm', *p++ = 's';
	*p++ = 93, *p++ = 0, *p++ = 5, *p++ = 0, *p++ = 73, *p++ = 0, *p++ = 1, *p++ = 0, *p++ = 5;
	put16(m + 2, (unsigned)(p - m - 4));
	return ip_udp(f, mme, sgw, 2123, 2123, (size_t)(p - m));
}

static size_t csrsp(uint8_t *f, unsigned i)
{
	uint8_t *m = f + 28, *p = m + 12;
	uint8_t ue[4];

	m[0] = 0x48;
	m[1] = 33;
	put32(m + 4, i + 1);
	m[8] = (uint8_t)(i >> 16);
	m[9] = (uint8_t)(i >> 8);
	m[10] = (uint8_t)i;
	m[11] = 0;
	*p++ = 2, *p++ = 0, *p++ = 2, *p++ = 0, *p++ = 16, *p++ = 0;
	*p++ = 87, *p++ = 0, *p++ = 9, *p++ = 0, *p++ = 0x8b;
	put32(p, 0x80000000u + i);
	p += 4;
	memcpy(p, sgw, 4);
	p += 4;
	ue_addr(i, ue);
	*p++ = 79, *p++ = 0, *p++ = 5, *p++ = 0, *p++ = 1;
	memcpy(p, ue, 4);
	p += 4;
	put16(m + 2, (unsigned)(p - m - 4));
	return ip_udp(f, sgw, mme, 2123, 2123, (size_t)(p - m));
}

static size_t sip_msg(uint8_t *f, const char *text, const uint8_t src[4], const uint8_t dst[4])
{
	size_t n = strlen(text);

	memcpy(f + 28, text, n);
	return ip_udp(f, src, dst, 5060, 5060, n);
}

static size_t rtp(uint8_t *f, unsigned seq, const uint8_t src[4], const uint8_t dst[4], unsigned sport, unsigned dport)
{
	uint8_t *r = f + 28;

	memset(r, 0, 12 + 160);
	r[0] = 0x80;
	r[1] = 8;
	put16(r + 2, seq);
	put32(r + 4, seq * 160u);
	put32(r + 8, sport == 20000 ? 0x11111111u : 0x22222222u);
	return ip_udp(f, src, dst, sport, dport, 12 + 160);
}

/* RTP from UE i inside GTP-U (TS 29.281: G-PDU, TEID) from the eNodeB to the SGW. */
static size_t gtpu_rtp(uint8_t *f, unsigned i, unsigned seq)
{
	uint8_t inner[28 + 172], ue[4];
	size_t n;

	ue_addr(i, ue);
	n = rtp(inner, seq, ue, host_a, 30000, 40000);
	f[28] = 0x30;
	f[29] = 0xff;
	put16(f + 30, (unsigned)n);
	put32(f + 32, i + 7);
	memcpy(f + 36, inner, n);
	return ip_udp(f, enb, sgw, 2152, 2152, 8 + n);
}

static const char invite[] =
	"INVITE sip:bob@198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK1\r\n"
	"From: <sip:alice@198.51.100.1>;tag=a1\r\nTo: <sip:bob@198.51.100.2>\r\nCall-ID: bench-gtp-1\r\n"
	"CSeq: 1 INVITE\r\nContact: <sip:alice@198.51.100.1>\r\nContent-Type: application/sdp\r\nContent-Length: 108\r\n\r\n"
	"v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 8\r\n"
	"a=sendrecv\r\n";
static const char ok200[] =
	"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK1\r\n"
	"From: <sip:alice@198.51.100.1>;tag=a1\r\nTo: <sip:bob@198.51.100.2>;tag=b1\r\nCall-ID: bench-gtp-1\r\n"
	"CSeq: 1 INVITE\r\nContact: <sip:bob@198.51.100.2>\r\nContent-Type: application/sdp\r\nContent-Length: 108\r\n\r\n"
	"v=0\r\no=- 1 1 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\nm=audio 20002 RTP/AVP 8\r\n"
	"a=sendrecv\r\n";
static const char options[] =
	"OPTIONS sip:bob@198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK9\r\n"
	"From: <sip:alice@198.51.100.1>;tag=o1\r\nTo: <sip:bob@198.51.100.2>\r\nCall-ID: bench-gtp-opt\r\n"
	"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

/*
 * GSMTAP Abis datagrams (GSMTAP v2 header, layer 3 as is) of a phone's
 * location update and short message, TS 24.008 / 24.011 / 23.040 vectors
 * from tests/unit/test_pipeline_gsm.c.
 */
static const uint8_t lu_req[] = { 0x05, 0x08, 0x10, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x53,
				  0x05, 0xf4, 0x08, 0x43, 0xe8, 0xbc };
static const uint8_t id_resp_imsi[] = { 0x05, 0x19, 0x08, 0x29, 0x26, 0x24, 0x10, 0x32, 0x54, 0x76, 0x98 };
static const uint8_t lu_acc[] = { 0x05, 0x02, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x17, 0x05, 0xf4, 0x08, 0x46, 0x7e, 0xec };
static const uint8_t cp_data_submit[] = { 0x39, 0x01, 0x1e, 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09,
					  0x10, 0x93, 0xf0, 0x12, 0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89,
					  0x67, 0x45, 0x00, 0x00, 0x06, 0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };

static size_t gsmtap(uint8_t *f, unsigned probe, unsigned j)
{
	static const struct {
		const uint8_t *l3;
		size_t len;
		bool up;
	} mix[4] = { { lu_req, sizeof(lu_req), true }, { id_resp_imsi, sizeof(id_resp_imsi), true },
		     { lu_acc, sizeof(lu_acc), false }, { cp_data_submit, sizeof(cp_data_submit), true } };
	uint8_t *g = f + 28, src[4] = { 172, 16, (uint8_t)(probe >> 8), (uint8_t)probe };
	unsigned k = j & 3;

	memset(g, 0, 16);
	g[0] = 2;
	g[1] = 4;
	g[2] = 2;	/* Abis */
	g[4] = mix[k].up ? 0x40 : 0x00;
	g[12] = 6;
	memcpy(g + 16, mix[k].l3, mix[k].len);
	return ip_udp(f, src, enb, 4729, 4729, 16 + mix[k].len);
}

enum kind { K_RTP, K_SIP, K_GTPU, _K_COUNT };
static const char *const kind_names[_K_COUNT] = { "rtp (fixed line)", "sip (fixed line)", "rtp in gtp-u (UE)" };

/* One timed batch of n packets of one kind; seconds. */
static double batch(struct pipe *p, enum kind k, unsigned n, unsigned *seq, unsigned sessions)
{
	static uint8_t f[2048];
	double t0 = now_s();
	unsigned j;

	for (j = 0; j < n; j++) {
		size_t len;

		switch (k) {
		case K_RTP:
			len = (j & 1) ? rtp(f, *seq, host_b, host_a, 20002, 20000) : rtp(f, *seq, host_a, host_b, 20000, 20002);
			break;
		case K_SIP:
			len = sip_msg(f, options, host_a, host_b);
			break;
		default:
			len = gtpu_rtp(f, (*seq * 7919u) % (sessions ? sessions : 1), *seq);
			break;
		}
		(*seq)++;
		feed(p, f, len, 20);
	}
	return now_s() - t0;
}

static uint64_t ctr(struct pipe *p, enum sl_capture_ctr_group g, unsigned idx)
{
	return rate_ctr_group_get_ctr(sl_capture_ctrs(p->cap, g), idx)->current;
}

int main(int argc, char **argv)
{
	unsigned sessions = 100000, batches = 9, bsize = 100000, i, b;
	struct sl_capture_cfg cfg;
	struct sl_capture_ops ops = { .event = on_event };
	struct pipe pa = { .ts_us = 1700000000ull * 1000000 }, pb = pa;
	static uint8_t f[2048];
	double t0, gtp_s, best[2][_K_COUNT];
	unsigned seq[2][_K_COUNT] = { { 0 } };
	int k, rc = 0;
	void *ctx = talloc_named_const(NULL, 0, "bench_gtp");

	for (k = 1; k + 1 < argc; k += 2) {
		if (!strcmp(argv[k], "--sessions"))
			sessions = (unsigned)strtoul(argv[k + 1], NULL, 10);
		else if (!strcmp(argv[k], "--batches"))
			batches = (unsigned)strtoul(argv[k + 1], NULL, 10);
		else if (!strcmp(argv[k], "--batch"))
			bsize = (unsigned)strtoul(argv[k + 1], NULL, 10);
	}
	if (!sessions || !batches || !bsize) {
		fprintf(stderr, "usage: bench_gtp [--sessions N] [--batches N] [--batch N]\n");
		return 2;
	}
	sl_capture_log_base = 0;
	log_init(&bench_log_info, NULL);
	sl_hash_seed_init();
	sl_capture_cfg_default(&cfg);
	cfg.max_ue_sessions = sessions;
	pa.cap = sl_capture_alloc(ctx, &cfg, &ops, 0);
	pb.cap = sl_capture_alloc(ctx, &cfg, &ops, 1);
	if (!pa.cap || !pb.cap)
		return 1;

	t0 = now_s();
	for (i = 0; i < sessions; i++) {
		feed(&pb, f, csr(f, i), 5);
		feed(&pb, f, csrsp(f, i), 5);
	}
	gtp_s = now_s() - t0;
	if (ctr(&pb, SL_CG_GTP, SL_GTPC_SESS_CREATED) != sessions) {
		fprintf(stderr, "bench_gtp: %llu sessions created of %u\n",
			(unsigned long long)ctr(&pb, SL_CG_GTP, SL_GTPC_SESS_CREATED), sessions);
		return 1;
	}
	printf("GTPv2-C: %u Create Session Request/Response pairs decoded and bound in %.3f s: %.0f messages/s, "
	       "%.0f ns/message\n", sessions, gtp_s, 2.0 * sessions / gtp_s, gtp_s * 1e9 / (2.0 * sessions));

	{
		unsigned n = 4 * sessions;

		t0 = now_s();
		for (i = 0; i < n; i++)
			feed(&pa, f, gsmtap(f, (i >> 2) % 1000, i), 5);
		gtp_s = now_s() - t0;
		printf("GSMTAP: %u Abis datagrams (location update, identity, SMS submit; 1000 phones) decoded in %.3f s: "
		       "%.0f datagrams/s, %.0f ns/datagram (%llu DTAP messages, %llu short messages)\n", n, gtp_s, n / gtp_s,
		       gtp_s * 1e9 / n, (unsigned long long)ctr(&pa, SL_CG_GSM, SL_GSMC_DTAP),
		       (unsigned long long)ctr(&pa, SL_CG_GSM, SL_GSMC_SMS));
	}
	for (i = 0; i < 2; i++) {
		struct pipe *p = i ? &pb : &pa;

		feed(p, f, sip_msg(f, invite, host_a, host_b), 1000);
		feed(p, f, sip_msg(f, ok200, host_b, host_a), 1000);
	}
	for (k = 0; k < _K_COUNT; k++)
		best[0][k] = best[1][k] = 1e30;
	for (b = 0; b < batches; b++)
		for (k = 0; k < _K_COUNT; k++) {
			/* alternate which pipeline goes first, so drift in the machine's load cancels */
			for (i = 0; i < 2; i++) {
				unsigned w = (b & 1) ? 1 - i : i;
				double s = batch(w ? &pb : &pa, (enum kind)k, bsize, &seq[w][k], sessions);

				if (s < best[w][k])
					best[w][k] = s;
			}
		}
	printf("\nper packet, best of %u batches of %u (A: no bindings, B: %u bindings)\n", batches, bsize, sessions);
	printf("%-20s %10s %10s %8s\n", "traffic", "A ns", "B ns", "B/A");
	for (k = 0; k < _K_COUNT; k++) {
		double na = best[0][k] * 1e9 / bsize, nb = best[1][k] * 1e9 / bsize;

		printf("%-20s %10.1f %10.1f %8.3f\n", kind_names[k], na, nb, nb / na);
		if (k == K_RTP && nb / na > 1.25) {
			printf("FAIL: non-mobile RTP costs %.2f times as much with %u bindings\n", nb / na, sessions);
			rc = 1;
		}
	}
	if (ctr(&pa, SL_CG_RTP, SL_RTPC_PACKETS) < (uint64_t)batches * bsize ||
	    ctr(&pb, SL_CG_RTP, SL_RTPC_PACKETS) < (uint64_t)batches * bsize) {
		printf("FAIL: the RTP was not matched to the call (A %llu, B %llu packets)\n",
		       (unsigned long long)ctr(&pa, SL_CG_RTP, SL_RTPC_PACKETS),
		       (unsigned long long)ctr(&pb, SL_CG_RTP, SL_RTPC_PACKETS));
		rc = 1;
	}
	printf("SIP messages enriched from bindings: A %llu, B %llu (fixed-line SIP: 0 expected)\n",
	       (unsigned long long)ctr(&pa, SL_CG_GTP, SL_GTPC_ENRICHED),
	       (unsigned long long)ctr(&pb, SL_CG_GTP, SL_GTPC_ENRICHED));
	talloc_free(ctx);
	return rc;
}
