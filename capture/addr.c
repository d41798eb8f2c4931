/*
 * Endpoint helpers: construction, comparison, parsing and formatting of the
 * fixed-layout address type used in flow keys and events (see addr.h).
 */
#include "capture/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool sl_addr_parse(struct sl_addr *a, const char *s, size_t len)
{
	char buf[64];
	uint8_t raw[16];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, raw) == 1) {
		sl_addr_set4(a, raw);
		return true;
	}
	if (inet_pton(AF_INET6, buf, raw) == 1) {
		sl_addr_set6(a, raw);
		return true;
	}
	return false;
}

/* Decimal digits of v at o (no NUL); returns how many. */
static size_t put_uint(char *o, unsigned v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		o[i] = tmp[n - 1 - i];
	return n;
}

/*
 * IPv6 text as inet_ntop writes it (RFC 5952 section 4): groups in lower-case
 * hex without leading zeros, the longest run of two or more zero groups
 * (the first of equal runs) as "::", and the last 32 bits as a dotted quad
 * for IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d)
 * addresses.
 */
static const char *fmt6(char *buf, const uint8_t *v6)
{
	static const char hex[] = "0123456789abcdef";
	unsigned g[8], i, best = 8, best_len = 0, cur = 8, cur_len = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++)
		g[i] = (unsigned)v6[2 * i] << 8 | v6[2 * i + 1];
	for (i = 0; i < 8; i++) {
		if (g[i] == 0) {
			if (cur == 8)
				cur = i, cur_len = 0;
			cur_len++;
			if (cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = 8;
		}
	}
	if (best_len < 2)
		best = 8;
	for (i = 0; i < 8; i++) {
		if (best < 8 && i >= best && i < best + best_len) {
			if (i == best)
				buf[o++] = ':';
			continue;
		}
		if (i)
			buf[o++] = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && g[5] == 0xffff))) {
			unsigned k;

			for (k = 12; k < 16; k++) {
				if (k > 12)
					buf[o++] = '.';
				o += put_uint(buf + o, v6[k]);
			}
			buf[o] = '\0';
			return buf;
		}
		if (g[i] >> 12)
			buf[o++] = hex[g[i] >> 12];
		if (g[i] >> 8)
			buf[o++] = hex[(g[i] >> 8) & 15];
		if (g[i] >> 4)
			buf[o++] = hex[(g[i] >> 4) & 15];
		buf[o++] = hex[g[i] & 15];
	}
	if (best < 8 && best + best_len == 8)
		buf[o++] = ':';
	buf[o] = '\0';
	return buf;
}

/*
 * Addresses and ports are formatted for every event rendered: dotted quads
 * and ports are written by hand (the text inet_ntop and "%u" give), which
 * keeps stdio formatting off that path.
 */
const char *sl_addr_fmt(char *buf, size_t len, const struct sl_addr *a)
{
	if (a->family == SL_AF_INET4 && len >= 16) {
		size_t o = 0;
		int i;

		for (i = 0; i < 4; i++) {
			if (i)
				buf[o++] = '.';
			o += put_uint(buf + o, a->a[i]);
		}
		buf[o] = '\0';
		return buf;
	}
	if (a->family == SL_AF_INET6 && len >= SL_ADDR_STRLEN)
		return fmt6(buf, a->a);
	if (a->family == SL_AF_INET4) {
		if (!inet_ntop(AF_INET, a->a, buf, (socklen_t)len))
			goto unset;
	} else if (a->family == SL_AF_INET6) {
		if (!inet_ntop(AF_INET6, a->a, buf, (socklen_t)len))
			goto unset;
	} else {
		goto unset;
	}
	return buf;
unset:
	if (len)
		snprintf(buf, len, "?");
	return buf;
}

const char *sl_endpoint_fmt(char *buf, size_t len, const struct sl_endpoint *e)
{
	char a[SL_ADDR_STRLEN], t[SL_ADDR_STRLEN + 8];
	size_t al, o = 0;
	bool v6 = e->addr.family == SL_AF_INET6;

	sl_addr_fmt(a, sizeof(a), &e->addr);
	al = strnlen(a, sizeof(a) - 1);
	if (v6)
		t[o++] = '[';
	memcpy(t + o, a, al);
	o += al;
	if (v6)
		t[o++] = ']';
	t[o++] = ':';
	o += put_uint(t + o, e->port);
	/* as snprintf would: cut to fit, always terminated */
	if (len) {
		if (o > len - 1)
			o = len - 1;
		memcpy(buf, t, o);
		buf[o] = '\0';
	}
	return buf;
}
