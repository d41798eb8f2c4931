/*
 * Unrelated traffic mixed into the capture (--noise percent of packets).
 *
 * A capture point on a real network sees far more than SIP and RTP, and
 * sluice must skip it quickly and without mistaking it for signalling. The
 * noise here is what an office segment carries: DNS queries and answers
 * (RFC 1035), short HTTP/1.1 exchanges over TCP, UDP datagrams of random
 * bytes between high ports, and ARP request/reply pairs. It lives in
 * 192.168.50.0/24 and documentation ranges, never on the SIP or RTP
 * addresses, and a tenth of it is tagged with VLAN 200.
 *
 * The share is kept by accounting rather than by a rate: after every event
 * the pump compares noise frames with all frames queued so far and starts
 * conversations, a few milliseconds ahead, until the share is met again.
 * So the noise follows the load of the call traffic and the final share is
 * within one conversation of the target. A conversation queues all its
 * frames at once (its TCP connection state lives on the stack). Random UDP
 * ports are drawn from 50000-53999, which no tshark 4.x dissector claims by
 * port. Being random, the payload now and then passes one of tshark's many
 * UDP heuristics (RTCP, CLTP, ...) and is shown as a malformed something;
 * check_gencap_tshark.sh leaves this traffic (UDP between 192.168.50.0/24
 * and 198.51.100.0/24, nothing else uses that pair) out of its malformed
 * check. sluice must not take it for media either, and the truth test
 * checks that no stream appears that the truth does not list.
 */
#include <stdio.h>
#include <string.h>

#include "tests/bench/gencap.h"

static const char *const hostnames[] = {
	"www.example.com", "api.example.org", "mail.example.net", "ntp.example.com",
	"cdn.example.org", "update.example.net", "login.example.com", "static.example.org",
};

static const char *const paths[] = {
	"/", "/index.html", "/api/v1/status", "/images/logo.png", "/news?page=2", "/favicon.ico",
};

static void client(struct gc_gen *g, struct gc_ip *ip)
{
	gc_ip4(ip, 192, 168, 50, (uint8_t)gc_rng_range(&g->rng, 10, 250));
}

static size_t dns_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[n++] = (uint8_t)l;
		memcpy(p + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

static void dns(struct gc_gen *g, uint16_t vlan, uint64_t t)
{
	uint8_t q[300], r[300];
	struct gc_ep c, s;
	uint16_t id = (uint16_t)gc_rng_u64(&g->rng);
	bool aaaa = gc_rng_pct(&g->rng, 30);
	const char *name = hostnames[gc_rng_range(&g->rng, 0, sizeof(hostnames) / sizeof(hostnames[0]) - 1)];

	client(g, &c.ip);
	c.port = (uint16_t)gc_rng_range(&g->rng, 32768, 60999);
	gc_ip4(&s.ip, 192, 168, 50, 1);
	s.port = 53;

	/* Query: header (RD), one question. */
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01;
	q[5] = 1;

	size_t n = 12 + dns_name(q + 12, name);

	q[n++] = 0;
	q[n++] = aaaa ? 28 : 1;
	q[n++] = 0;
	q[n++] = 1;
	gc_net_udp(g, vlan, &c, &s, t, q, n, GC_K_NOISE, 0);

	/* Response: same question, one answer pointing back at it (0xc00c). */
	memcpy(r, q, n);
	r[2] = 0x81;
	r[3] = 0x80;
	r[7] = 1;

	size_t m = n;
	uint8_t ans[16];

	r[m++] = 0xc0;
	r[m++] = 0x0c;
	r[m++] = 0;
	r[m++] = aaaa ? 28 : 1;
	r[m++] = 0;
	r[m++] = 1;
	r[m++] = 0;
	r[m++] = 0;
	r[m++] = 0x01;
	r[m++] = 0x2c;		/* TTL 300 */
	r[m++] = 0;
	r[m++] = aaaa ? 16 : 4;
	if (aaaa) {
		struct gc_ip a6;

		gc_ip6(&a6, 0x100, 0, (uint16_t)gc_rng_range(&g->rng, 1, 0xfffe));
		memcpy(ans, a6.b, 16);
	} else {
		ans[0] = 203;
		ans[1] = 0;
		ans[2] = 113;
		ans[3] = (uint8_t)gc_rng_range(&g->rng, 1, 254);
	}
	memcpy(r + m, ans, aaaa ? 16 : 4);
	m += aaaa ? 16 : 4;
	gc_net_udp(g, vlan, &s, &c, t + gc_rng_range(&g->rng, 500, 30000), r, m, GC_K_NOISE, 0);
}

static void http(struct gc_gen *g, uint16_t vlan, uint64_t t)
{
	static char req[512], resp[4096];
	struct gc_ep c, s;
	struct gc_tcp conn;
	const char *host = hostnames[gc_rng_range(&g->rng, 0, sizeof(hostnames) / sizeof(hostnames[0]) - 1)];
	const char *path = paths[gc_rng_range(&g->rng, 0, sizeof(paths) / sizeof(paths[0]) - 1)];
	size_t body = gc_rng_range(&g->rng, 40, 2800);

	client(g, &c.ip);
	c.port = (uint16_t)gc_rng_range(&g->rng, 32768, 60999);
	gc_ip4(&s.ip, 203, 0, 113, (uint8_t)gc_rng_range(&g->rng, 1, 254));
	s.port = 80;
	gc_tcp_init(g, &conn, &c, &s, vlan, GC_K_NOISE, GC_K_NOISE);

	int rl = snprintf(req, sizeof(req),
			  "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", path, host);
	int hl = snprintf(resp, sizeof(resp),
			  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html; charset=utf-8\r\n"
			  "Content-Length: %zu\r\nConnection: close\r\n\r\n", body);

	if (rl < 0 || (size_t)rl >= sizeof(req) || hl < 0 || (size_t)hl + body > sizeof(resp))
		return;

	/* Body: a minimal HTML page padded with a comment to exactly `body` bytes. */
	char *b = resp + hl;
	static const char head[] = "<html><body><p>It works.</p><!--";
	static const char tail[] = "--></body></html>";
	size_t fixed = sizeof(head) - 1 + sizeof(tail) - 1;

	if (body >= fixed) {
		memcpy(b, head, sizeof(head) - 1);
		memset(b + sizeof(head) - 1, 'x', body - fixed);
		memcpy(b + body - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	} else {
		memset(b, 'x', body);
	}

	size_t end = (size_t)rl;

	t = gc_tcp_connect(g, &conn, t);
	t = gc_tcp_send(g, &conn, 0, t, req, (size_t)rl, &end, 1, 1, NULL);
	end = (size_t)hl + body;
	t = gc_tcp_send(g, &conn, 1, t + gc_rng_range(&g->rng, 2000, 40000), resp, end, &end, 1, 1, NULL);
	gc_tcp_close(g, &conn, 0, t + gc_rng_range(&g->rng, 1000, 20000));
}

static void random_udp(struct gc_gen *g, uint16_t vlan, uint64_t t)
{
	uint8_t p[400];
	struct gc_ep a, b;
	unsigned n = gc_rng_range(&g->rng, 1, 3);

	client(g, &a.ip);
	gc_ip4(&b.ip, 198, 51, 100, (uint8_t)gc_rng_range(&g->rng, 1, 254));
	a.port = (uint16_t)gc_rng_range(&g->rng, 50000, 53999);
	b.port = (uint16_t)gc_rng_range(&g->rng, 50000, 53999);
	for (unsigned i = 0; i < n; i++) {
		size_t len = gc_rng_range(&g->rng, 16, sizeof(p));

		gc_rng_fill(&g->rng, p, len);
		gc_net_udp(g, vlan, i % 2 ? &b : &a, i % 2 ? &a : &b, t, p, len, GC_K_NOISE, 0);
		t += gc_rng_range(&g->rng, 100, 50000);
	}
}

static void arp(struct gc_gen *g, uint16_t vlan, uint64_t t)
{
	struct gc_ip a, b;

	client(g, &a);
	client(g, &b);
	if (memcmp(a.b, b.b, 4) == 0)
		gc_ip4(&b, 192, 168, 50, 1);
	gc_net_arp(g, vlan, t, false, &a, &b);
	gc_net_arp(g, vlan, t + gc_rng_range(&g->rng, 50, 2000), true, &b, &a);
}

void gc_noise_pump(struct gc_gen *g, uint64_t now)
{
	unsigned pct = g->opt.noise;

	if (!pct)
		return;
	while (gc_out_count(g->out, GC_K_NOISE) * 100 < gc_out_total(g->out) * pct) {
		uint64_t t = now + gc_rng_range(&g->rng, 0, 20000);
		uint16_t vlan = gc_rng_pct(&g->rng, 10) ? 200 : 0;
		unsigned roll = gc_rng_range(&g->rng, 0, 99);

		if (roll < 40)
			dns(g, vlan, t);
		else if (roll < 55)
			http(g, vlan, t);
		else if (roll < 85)
			random_udp(g, vlan, t);
		else
			arp(g, vlan, t);
	}
}
