/*
 * Network endpoints as sluice carries them through decoding, flow keys and
 * events: an IPv4 or IPv6 address (IPv4 stored in the first 4 bytes, the
 * rest zero, so keys compare with memcmp) plus a transport port.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SL_AF_INET4 4
#define SL_AF_INET6 6

struct sl_addr {
	uint8_t family;		/* SL_AF_INET4 or SL_AF_INET6; 0 = unset */
	uint8_t pad[3];		/* zeroed: keys compare with memcmp */
	uint8_t a[16];
};

struct sl_endpoint {
	struct sl_addr addr;
	uint16_t port;
	uint16_t pad;		/* zeroed */
};

/* Longest text: "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535" */
#define SL_ENDPOINT_STRLEN 56
#define SL_ADDR_STRLEN 48

/* Inline: every frame sets two addresses and every media lookup compares one. */
static inline void sl_addr_set4(struct sl_addr *a, const uint8_t *v4)
{
	memset(a, 0, sizeof(*a));
	a->family = SL_AF_INET4;
	memcpy(a->a, v4, 4);
}

static inline void sl_addr_set6(struct sl_addr *a, const uint8_t *v6)
{
	memset(a, 0, sizeof(*a));
	a->family = SL_AF_INET6;
	memcpy(a->a, v6, 16);
}

static inline bool sl_addr_eq(const struct sl_addr *x, const struct sl_addr *y)
{
	return memcmp(x, y, sizeof(*x)) == 0;
}

static inline bool sl_endpoint_eq(const struct sl_endpoint *x, const struct sl_endpoint *y)
{
	return x->port == y->port && sl_addr_eq(&x->addr, &y->addr);
}

/* Parse dotted IPv4 or textual IPv6 (no brackets). */
bool sl_addr_parse(struct sl_addr *a, const char *s, size_t len);
/* "192.0.2.1" / "2001:db8::1"; returns buf. */
const char *sl_addr_fmt(char *buf, size_t len, const struct sl_addr *a);
/* "192.0.2.1:5060" / "[2001:db8::1]:5060"; returns buf. */
const char *sl_endpoint_fmt(char *buf, size_t len, const struct sl_endpoint *e);
