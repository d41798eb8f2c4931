/*
 * Endpoint helpers: construction, comparison, parsing and formatting of the
 * fixed-layout address type used in flow keys and events (see addr.h).
 */
#include "capture/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void sl_addr_set4(struct sl_addr *a, const uint8_t *v4)
{
	memset(a, 0, sizeof(*a));
	a->family = SL_AF_INET4;
	memcpy(a->a, v4, 4);
}

void sl_addr_set6(struct sl_addr *a, const uint8_t *v6)
{
	memset(a, 0, sizeof(*a));
	a->family = SL_AF_INET6;
	memcpy(a->a, v6, 16);
}

bool sl_addr_eq(const struct sl_addr *x, const struct sl_addr *y)
{
	return memcmp(x, y, sizeof(*x)) == 0;
}

bool sl_endpoint_eq(const struct sl_endpoint *x, const struct sl_endpoint *y)
{
	return x->port == y->port && sl_addr_eq(&x->addr, &y->addr);
}

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

const char *sl_addr_fmt(char *buf, size_t len, const struct sl_addr *a)
{
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
	char a[SL_ADDR_STRLEN];

	sl_addr_fmt(a, sizeof(a), &e->addr);
	if (e->addr.family == SL_AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, e->port);
	else
		snprintf(buf, len, "%s:%u", a, e->port);
	return buf;
}
