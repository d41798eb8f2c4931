/*
 * hostile-gen: writes one capture of a hostile kind (issue #16, "under
 * attack and overload") or a benign reference capture, for the make check
 * suite tests/hostile/hostile.sh. The captures are generated at test time
 * into the build tree, never committed.
 *
 *   hostile-gen KIND SCALE OUT.pcap
 *
 * SCALE (1..1000) multiplies the attack's length; the same KIND and SCALE
 * give the same bytes. Every kind writes a classic pcap (Ethernet, IPv4,
 * microsecond stamps, 100 us apart). On stdout the generator prints
 * "key value" lines the test compares with sluice's counters (frames
 * written, messages sent, bytes skipped by holes...).
 *
 * Kinds:
 *   benign        SIP calls over UDP (INVITE..BYE with SDP, RTP both ways)
 *                 and every fourth call over TCP in ordinary segments
 *   tcp-1byte     SIP messages over TCP, one byte per segment
 *   invite-flood  a legitimate call rings, then INVITEs with fresh Call-IDs
 *                 nobody answers, then the legitimate call is answered and
 *                 ended by BYE
 *   frag-flood    first IPv4 fragments never completed, distinct IDs; a
 *                 fragmented SIP INVITE amid them
 *   tcp-holes     TCP connections each losing its first data segment, the
 *                 following segments held behind the hole
 *   rtp-flood     an answered call with SDP, then RTP to its media port
 *                 from ever new source ports
 *   big-message   SIP over TCP: INVITEs claiming and carrying a 10 MB body,
 *                 each followed by an ordinary MESSAGE on the connection
 *   many-headers  SIP MESSAGEs over TCP with 10,000 header lines each
 *   garbage       random bytes: as frames, as IPv4 packets, as UDP to 5060
 *                 (some after a SIP start line), as TCP segments to 5060 at
 *                 random sequence numbers, as GSMTAP Um frames
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000ULL
#define STEP_US 100ULL
#define MSS 1460

static FILE *out;
static uint64_t now_us;
static uint64_t n_frames, n_bytes;
static uint64_t rng_s = 0x9e3779b97f4a7c15ULL;
static uint8_t frame[65600];

static uint64_t rnd(void)
{
	/* splitmix64: deterministic, good enough for garbage */
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

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

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void write_frame(const uint8_t *data, size_t len)
{
	uint8_t hdr[16];

	now_us += STEP_US;
	put32le(hdr, (uint32_t)(T0 + now_us / 1000000));
	put32le(hdr + 4, (uint32_t)(now_us % 1000000));
	put32le(hdr + 8, (uint32_t)len);
	put32le(hdr + 12, (uint32_t)len);
	if (fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr) || fwrite(data, 1, len, out) != len) {
		perror("hostile-gen: write");
		exit(1);
	}
	n_frames++;
	n_bytes += len;
}

static void eth(uint8_t *f, uint16_t type)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(f, mac, sizeof(mac));
	put16(f + 12, type);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IPv4 header around l4len bytes already at frame + 34; returns the frame length. */
static size_t ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, uint16_t frag, size_t l4len)
{
	uint8_t *ip = frame + 14;

	eth(frame, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, id);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum(ip, 20));
	return 34 + l4len;
}

static uint16_t ip_id;

static void udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, const void *payload, size_t len)
{
	uint8_t *u = frame + 34;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + len));
	put16(u + 6, 0);
	memcpy(u + 8, payload, len);
	write_frame(frame, ipv4(src, dst, 17, ip_id++, 0x4000, 8 + len));
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

static void tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t seq, uint8_t flags,
		const void *payload, size_t len)
{
	uint8_t *t = frame + 34;

	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, 1);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
	put16(t + 16, 0);
	put16(t + 18, 0);
	if (len)
		memcpy(t + 20, payload, len);
	write_frame(frame, ipv4(src, dst, 6, ip_id++, 0x4000, 20 + len));
}

/* A TCP stream from one side: SYN, then len bytes in segments of at most seg bytes. */
struct conn {
	uint32_t a, b;
	uint16_t ap, bp;
	uint32_t seq;
};

static void conn_open(struct conn *c, uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	*c = (struct conn){ .a = a, .b = b, .ap = ap, .bp = bp, .seq = 1000 };
	tcp(a, ap, b, bp, c->seq, TH_SYN, NULL, 0);
	c->seq++;
}

static void conn_send(struct conn *c, const char *data, size_t len, size_t seg)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < seg ? len - off : seg;
		tcp(c->a, c->ap, c->b, c->bp, c->seq, TH_ACK | TH_PSH, data + off, n);
		c->seq += (uint32_t)n;
	}
}

static void conn_close(struct conn *c)
{
	tcp(c->a, c->ap, c->b, c->bp, c->seq, TH_ACK | TH_FIN, NULL, 0);
	tcp(c->b, c->bp, c->a, c->ap, 1, TH_ACK | TH_FIN, NULL, 0);
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define HOST_A IP(10, 0, 0, 1)
#define HOST_B IP(10, 0, 0, 2)
#define ATTACKER IP(198, 51, 100, 66)

static char msg[12 * 1024 * 1024];

/*
 * A SIP request or response into msg. start: the start line without CRLF;
 * extra: further header lines (CRLF-terminated) or ""; body may be NULL.
 */
static size_t sip(const char *start, const char *call_id, unsigned cseq, const char *method, const char *to_tag,
		  const char *extra, const char *body, size_t body_len)
{
	int n = snprintf(msg, sizeof(msg),
			 "%s\r\n"
			 "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-%s-%u\r\n"
			 "From: \"Alice\" <sip:+4930111222@example.net>;tag=a1\r\n"
			 "To: <sip:+4930333444@example.net>%s%s\r\n"
			 "Call-ID: %s\r\n"
			 "CSeq: %u %s\r\n"
			 "Contact: <sip:alice@10.0.0.1:5060>\r\n"
			 "%s"
			 "%s"
			 "Content-Length: %zu\r\n\r\n",
			 start, call_id, cseq, to_tag ? ";tag=" : "", to_tag ? to_tag : "", call_id, cseq, method, extra,
			 body ? "Content-Type: application/sdp\r\n" : "", body ? body_len : 0);

	if (n < 0 || (size_t)n + body_len >= sizeof(msg))
		abort();
	if (body)
		memcpy(msg + n, body, body_len);
	return (size_t)n + body_len;
}

static size_t sdp(char *buf, size_t cap, uint32_t host, uint16_t port)
{
	return (size_t)snprintf(buf, cap,
				"v=0\r\no=- 1 1 IN IP4 10.0.0.%u\r\ns=-\r\nc=IN IP4 10.0.0.%u\r\nt=0 0\r\n"
				"m=audio %u RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n",
				host & 0xff, host & 0xff, port);
}

/* One UDP SIP message between A and B (dir 0: A to B). */
static void sip_udp(int dir, size_t len)
{
	if (dir == 0)
		udp(HOST_A, 5060, HOST_B, 5060, msg, len);
	else
		udp(HOST_B, 5060, HOST_A, 5060, msg, len);
}

static void rtp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t ssrc, uint16_t seq)
{
	uint8_t p[12 + 160];

	memset(p, 0xd5, sizeof(p));
	p[0] = 0x80;
	p[1] = 8;
	put16(p + 2, seq);
	put32(p + 4, (uint32_t)seq * 160);
	put32(p + 8, ssrc);
	udp(src, sport, dst, dport, p, sizeof(p));
}

/* The legitimate call: ring (INVITE, 100, 180), answer (200, ACK) and end (BYE, 200), as three phases. */
static const char *const LEGIT = "legit-call@hostile.example";

static void legit_ring(void)
{
	char body[256];
	size_t bl = sdp(body, sizeof(body), HOST_A, 40000);

	sip_udp(0, sip("INVITE sip:+4930333444@example.net SIP/2.0", LEGIT, 1, "INVITE", NULL, "", body, bl));
	sip_udp(1, sip("SIP/2.0 100 Trying", LEGIT, 1, "INVITE", NULL, "", NULL, 0));
	sip_udp(1, sip("SIP/2.0 180 Ringing", LEGIT, 1, "INVITE", "b1", "", NULL, 0));
}

static void legit_answer(void)
{
	char body[256];
	size_t bl = sdp(body, sizeof(body), HOST_B, 40002);

	sip_udp(1, sip("SIP/2.0 200 OK", LEGIT, 1, "INVITE", "b1", "", body, bl));
	sip_udp(0, sip("ACK sip:+4930333444@10.0.0.2 SIP/2.0", LEGIT, 1, "ACK", "b1", "", NULL, 0));
}

static void legit_end(void)
{
	sip_udp(0, sip("BYE sip:+4930333444@10.0.0.2 SIP/2.0", LEGIT, 2, "BYE", "b1", "", NULL, 0));
	sip_udp(1, sip("SIP/2.0 200 OK", LEGIT, 2, "BYE", "b1", "", NULL, 0));
}

static void report(const char *key, uint64_t v)
{
	printf("%s %llu\n", key, (unsigned long long)v);
}

static void gen_benign(unsigned scale)
{
	unsigned i, k, calls = 100 * scale;
	char cid[64], body[256];
	uint64_t udp_msgs = 0, tcp_msgs = 0;

	for (i = 0; i < calls; i++) {
		bool over_tcp = i % 4 == 3;
		struct conn c;
		size_t bl, len;
		uint16_t pa = (uint16_t)(20000 + 2 * (i % 5000)), pb = (uint16_t)(30000 + 2 * (i % 5000));

		snprintf(cid, sizeof(cid), "benign-%u@hostile.example", i);
		if (over_tcp) {
			static char stream[16384];
			size_t sl = 0;

			bl = sdp(body, sizeof(body), HOST_A, pa);
			len = sip("INVITE sip:+4930333444@example.net SIP/2.0", cid, 1, "INVITE", NULL, "", body, bl);
			memcpy(stream + sl, msg, len), sl += len;
			len = sip("ACK sip:+4930333444@10.0.0.2 SIP/2.0", cid, 1, "ACK", "b1", "", NULL, 0);
			memcpy(stream + sl, msg, len), sl += len;
			len = sip("BYE sip:+4930333444@10.0.0.2 SIP/2.0", cid, 2, "BYE", "b1", "", NULL, 0);
			memcpy(stream + sl, msg, len), sl += len;
			conn_open(&c, HOST_A, (uint16_t)(40000 + i % 20000), HOST_B, 5060);
			conn_send(&c, stream, sl, MSS);
			conn_close(&c);
			tcp_msgs += 3;
			continue;
		}
		bl = sdp(body, sizeof(body), HOST_A, pa);
		sip_udp(0, sip("INVITE sip:+4930333444@example.net SIP/2.0", cid, 1, "INVITE", NULL, "", body, bl));
		sip_udp(1, sip("SIP/2.0 180 Ringing", cid, 1, "INVITE", "b1", "", NULL, 0));
		bl = sdp(body, sizeof(body), HOST_B, pb);
		sip_udp(1, sip("SIP/2.0 200 OK", cid, 1, "INVITE", "b1", "", body, bl));
		sip_udp(0, sip("ACK sip:+4930333444@10.0.0.2 SIP/2.0", cid, 1, "ACK", "b1", "", NULL, 0));
		for (k = 0; k < 10; k++) {
			rtp(HOST_A, pa, HOST_B, pb, 0x1000 + i, (uint16_t)k);
			rtp(HOST_B, pb, HOST_A, pa, 0x2000 + i, (uint16_t)k);
		}
		sip_udp(0, sip("BYE sip:+4930333444@10.0.0.2 SIP/2.0", cid, 2, "BYE", "b1", "", NULL, 0));
		sip_udp(1, sip("SIP/2.0 200 OK", cid, 2, "BYE", "b1", "", NULL, 0));
		udp_msgs += 6;
	}
	report("calls", calls);
	report("sip_udp", udp_msgs);
	report("sip_tcp", tcp_msgs);
}

static void gen_tcp_1byte(unsigned scale)
{
	unsigned i, n = 12 * scale;
	struct conn c;
	char cid[64];

	conn_open(&c, HOST_A, 41000, HOST_B, 5060);
	for (i = 0; i < n; i++) {
		size_t len;

		snprintf(cid, sizeof(cid), "onebyte-%u@hostile.example", i);
		len = sip("MESSAGE sip:+4930333444@example.net SIP/2.0", cid, 1, "MESSAGE", NULL, "", NULL, 0);
		conn_send(&c, msg, len, 1);
	}
	conn_close(&c);
	report("sip_tcp", n);
}

static void gen_invite_flood(unsigned scale)
{
	unsigned i, n = 1500 * scale;
	char cid[64], extra[128];

	legit_ring();
	for (i = 0; i < n; i++) {
		snprintf(cid, sizeof(cid), "flood-%u@attacker.example", i);
		snprintf(extra, sizeof(extra), "X-Flood: %u\r\n", i);
		udp(ATTACKER + (i % 200), 5060, HOST_B, 5060, msg,
		    sip("INVITE sip:+4930333444@example.net SIP/2.0", cid, 1, "INVITE", NULL, extra, NULL, 0));
		if (i == n / 2)
			legit_answer();
	}
	legit_end();
	report("flood_invites", n);
	report("calls", n + 1);
}

static void gen_frag_flood(unsigned scale)
{
	unsigned i, n = 2000 * scale;
	uint8_t junk[1400];

	memset(junk, 'F', sizeof(junk));
	legit_ring();
	for (i = 0; i < n; i++) {
		uint8_t *u = frame + 34;

		/* first fragment of a UDP datagram that claims 8 KB; the rest never comes */
		put16(u, 5060);
		put16(u + 2, 5060);
		put16(u + 4, 8192);
		put16(u + 6, 0);
		memcpy(u + 8, junk, sizeof(junk) - 8);
		write_frame(frame, ipv4(ATTACKER + (i % 250), HOST_B, 17, (uint16_t)i, 0x2000, sizeof(junk)));
		if (i == n / 2) {
			/* the legitimate 200 OK, fragmented in two, last fragment first */
			char body[2048];
			size_t bl = sdp(body, sizeof(body), HOST_B, 40002), len, first;

			memset(body + bl, 'a', 1200);
			memcpy(body + bl, "a=x-pad:", 8);
			memcpy(body + bl + 1198, "\r\n", 2);
			bl += 1200;
			len = sip("SIP/2.0 200 OK", LEGIT, 1, "INVITE", "b1", "", body, bl);
			memmove(frame + 42, msg, len);
			put16(frame + 34, 5060);
			put16(frame + 36, 5060);
			put16(frame + 38, (uint16_t)(8 + len));
			put16(frame + 40, 0);
			memcpy(msg, frame + 34, 8 + len);
			first = 1200;
			memcpy(frame + 34, msg + first, 8 + len - first);
			write_frame(frame, ipv4(HOST_B, HOST_A, 17, 0xbeef, (uint16_t)(first / 8), 8 + len - first));
			memcpy(frame + 34, msg, first);
			write_frame(frame, ipv4(HOST_B, HOST_A, 17, 0xbeef, 0x2000, first));
			sip_udp(0, sip("ACK sip:+4930333444@10.0.0.2 SIP/2.0", LEGIT, 1, "ACK", "b1", "", NULL, 0));
		}
	}
	legit_end();
	report("fragments", n + 2);
	report("flood_fragments", n);
}

static void gen_tcp_holes(unsigned scale)
{
	unsigned i, k, n = 300 * scale;
	static char data[1000];
	uint64_t skipped = 0;

	memset(data, 'h', sizeof(data));
	for (i = 0; i < n; i++) {
		struct conn c;

		conn_open(&c, ATTACKER + (i % 200), (uint16_t)(10000 + i), HOST_B, 5060);
		/* the first 1000 bytes never reach the capture */
		c.seq += sizeof(data);
		skipped += sizeof(data);
		for (k = 0; k < 8; k++)
			conn_send(&c, data, sizeof(data), sizeof(data));
	}
	report("connections", n);
	report("held_segments", (uint64_t)n * 8);
	report("skipped_bytes", skipped);
}

static void gen_rtp_flood(unsigned scale)
{
	unsigned i, n = 3000 * scale;

	legit_ring();
	legit_answer();
	for (i = 0; i < n; i++)
		/* source ports 10000..29999: clear of the ports decoded by number (GTP-U, GSMTAP, VXLAN, SIP) */
		rtp(ATTACKER, (uint16_t)(10000 + i % 20000), HOST_B, 40002, 0xa0000000u + i, (uint16_t)i);
	for (i = 0; i < 10; i++)
		rtp(HOST_A, 40000, HOST_B, 40002, 0x1234, (uint16_t)i);
	legit_end();
	report("flood_packets", n);
}

static void gen_big_message(unsigned scale)
{
	unsigned i, n = scale;
	size_t body = 10 * 1000 * 1000;
	static char *big;
	struct conn c;

	big = malloc(body);
	if (!big)
		exit(1);
	memset(big, 'x', body);
	conn_open(&c, HOST_A, 42000, HOST_B, 5060);
	for (i = 0; i < n; i++) {
		char cid[64];
		size_t len;

		snprintf(cid, sizeof(cid), "big-%u@hostile.example", i);
		len = sip("INVITE sip:+4930333444@example.net SIP/2.0", cid, 1, "INVITE", NULL, "", big, body);
		conn_send(&c, msg, len, MSS);
		snprintf(cid, sizeof(cid), "after-big-%u@hostile.example", i);
		len = sip("MESSAGE sip:+4930333444@example.net SIP/2.0", cid, 1, "MESSAGE", NULL, "", NULL, 0);
		conn_send(&c, msg, len, MSS);
	}
	conn_close(&c);
	free(big);
	report("big_messages", n);
	report("small_messages", n);
}

static void gen_many_headers(unsigned scale)
{
	unsigned i, k, n = 20 * scale;
	static char extra[10000 * 8 + 1];
	size_t el = 0;
	struct conn c;

	for (k = 0; k < 10000; k++)
		el += (size_t)snprintf(extra + el, sizeof(extra) - el, "X:%c\r\n", 'a' + k % 26);
	conn_open(&c, HOST_A, 43000, HOST_B, 5060);
	for (i = 0; i < n; i++) {
		char cid[64];

		snprintf(cid, sizeof(cid), "headers-%u@hostile.example", i);
		conn_send(&c, msg, sip("MESSAGE sip:+4930333444@example.net SIP/2.0", cid, 1, "MESSAGE", NULL, extra,
				       NULL, 0),
			  MSS);
	}
	conn_close(&c);
	report("sip_tcp", n);
	report("headers_per_message", 10000);
}

static void gen_garbage(unsigned scale)
{
	unsigned i, n = 4000 * scale;
	uint64_t tcp_bytes = 0, sip_garbage = 0, gsmtap_garbage = 0;
	uint8_t junk[1500];

	for (i = 0; i < n; i++) {
		size_t len = 1 + rnd() % 1400, k;

		for (k = 0; k < len; k++)
			junk[k] = (uint8_t)rnd();
		if (i % 16 == 5) {
			/* GSMTAP version 2, header of 4 words, type Um, then random bytes: a GSM decoder's garbage */
			junk[0] = 2;
			junk[1] = 4;
			junk[2] = 1;
			udp(ATTACKER, 4729, HOST_B, 4729, junk, len < 17 ? 17 : len);
			gsmtap_garbage++;
			continue;
		}
		switch (i % 4) {
		case 0: /* random frame after an Ethernet header of a random type, IPv4 more often than not */
			eth(frame, rnd() % 3 ? 0x0800 : (uint16_t)rnd());
			memcpy(frame + 14, junk, len);
			write_frame(frame, 14 + len);
			break;
		case 1: /* well-formed IPv4 header, random transport bytes of a random protocol, one in four a
			 * fragment at a random offset (unaligned, past 65535 bytes, or plausible) */
			memcpy(frame + 34, junk, len);
			write_frame(frame, ipv4(ATTACKER, HOST_B, (uint8_t)(rnd() % 3 ? 17 : rnd()), ip_id++,
						rnd() % 4 ? 0x4000 : (uint16_t)(rnd() & 0x3fff), len));
			break;
		case 2: /* UDP to the SIP port: random bytes, or every other time a SIP start line (and
			 * sometimes a few real headers) before them, so the SIP parser refuses it by reason */
			if (i % 8 == 2) {
				static const char *const starts[] = {
					"INVITE sip:x@example.net SIP/2.0\r\n",
					"SIP/2.0 1000 Odd\r\nCall-ID: g\r\nCSeq: 1 INVITE\r\n",
					"MESSAGE sip:x@example.net SIP/2.0\r\nCall-ID: g\r\nCSeq: x MESSAGE\r\n",
					"OPTIONS sip:x@example.net SIP/2.0\r\nContent-Length: -5\r\n",
				};
				const char *st = starts[(i / 8) % 4];
				size_t sl = strlen(st);

				memmove(junk + sl, junk, len + sl > sizeof(junk) ? sizeof(junk) - sl : len);
				memcpy(junk, st, sl);
				len = len + sl > sizeof(junk) ? sizeof(junk) : len + sl;
				sip_garbage++;
			}
			udp(ATTACKER, (uint16_t)(1024 + rnd() % 60000), HOST_B, 5060, junk, len);
			break;
		default: /* TCP to the SIP port, a few connections, random sequence numbers */
			tcp(ATTACKER, (uint16_t)(2000 + rnd() % 8), HOST_B, 5060, (uint32_t)rnd(), TH_ACK | TH_PSH, junk,
			    len);
			tcp_bytes += len;
			break;
		}
	}
	report("tcp_payload_bytes", tcp_bytes);
	report("sip_garbage", sip_garbage);
	report("gsmtap_garbage", gsmtap_garbage);
}

static const struct {
	const char *name;
	void (*gen)(unsigned scale);
} kinds[] = {
	{ "benign", gen_benign },	      { "tcp-1byte", gen_tcp_1byte },	{ "invite-flood", gen_invite_flood },
	{ "frag-flood", gen_frag_flood },     { "tcp-holes", gen_tcp_holes },	{ "rtp-flood", gen_rtp_flood },
	{ "big-message", gen_big_message },   { "many-headers", gen_many_headers }, { "garbage", gen_garbage },
};

int main(int argc, char **argv)
{
	uint8_t hdr[24];
	unsigned long scale;
	char *end;
	size_t i;

	if (argc != 4) {
		fprintf(stderr, "usage: hostile-gen KIND SCALE OUT.pcap\nkinds:");
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			fprintf(stderr, " %s", kinds[i].name);
		fputc('\n', stderr);
		return 2;
	}
	errno = 0;
	scale = strtoul(argv[2], &end, 10);
	if (errno || *end || scale < 1 || scale > 1000) {
		fprintf(stderr, "hostile-gen: SCALE must be 1..1000\n");
		return 2;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, argv[1]))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		fprintf(stderr, "hostile-gen: unknown kind %s\n", argv[1]);
		return 2;
	}
	out = fopen(argv[3], "wb");
	if (!out) {
		perror(argv[3]);
		return 1;
	}
	put32le(hdr, 0xa1b2c3d4);
	hdr[4] = 2, hdr[5] = 0, hdr[6] = 4, hdr[7] = 0;
	memset(hdr + 8, 0, 8);
	put32le(hdr + 16, 65535);
	put32le(hdr + 20, 1); /* DLT_EN10MB */
	if (fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr))
		return 1;
	kinds[i].gen((unsigned)scale);
	if (fclose(out)) {
		perror(argv[3]);
		return 1;
	}
	report("frames", n_frames);
	report("bytes", n_bytes);
	return 0;
}
