/*
 * Unit tests for the text forms of capture/addr.c: sl_addr_fmt and
 * sl_endpoint_fmt write addresses and ports by hand on the rendering path,
 * so they are checked against what inet_ntop and snprintf give for the
 * same values: IPv4 addresses built from every byte value in every
 * position (0, 1, 9, 10, 99, 100, 255 and the rest), ports 0 to 65535,
 * IPv6 in brackets (random addresses with runs of zero groups, mapped and
 * compatible IPv4 forms), an unset address, and every buffer length from 0 to
 * the full size, where the result must be the snprintf-style prefix,
 * always terminated, and nothing written past the given length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "capture/addr.h"

/* What sl_endpoint_fmt wrote before it formatted by hand. */
static void reference(char *buf, size_t len, const struct sl_endpoint *e)
{
	char a[SL_ADDR_STRLEN];

	if (e->addr.family == SL_AF_INET4)
		inet_ntop(AF_INET, e->addr.a, a, sizeof(a));
	else if (e->addr.family == SL_AF_INET6)
		inet_ntop(AF_INET6, e->addr.a, a, sizeof(a));
	else
		snprintf(a, sizeof(a), "?");
	if (e->addr.family == SL_AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, e->port);
	else
		snprintf(buf, len, "%s:%u", a, e->port);
}

static void check(const struct sl_endpoint *e)
{
	char want[SL_ENDPOINT_STRLEN], got[SL_ENDPOINT_STRLEN + 8];
	size_t len;

	for (len = 0; len <= SL_ENDPOINT_STRLEN; len++) {
		memset(got, 'x', sizeof(got));
		reference(want, sizeof(want), e);
		if (len)
			want[strlen(want) < len - 1 ? strlen(want) : len - 1] = '\0';
		assert_ptr_equal(sl_endpoint_fmt(got, len, e), got);
		if (len)
			assert_string_equal(got, want);
		else
			assert_int_equal(got[0], 'x');
		assert_int_equal(got[len], 'x'); /* nothing past the buffer */
	}
}

static void test_ipv4_every_byte(void **state)
{
	struct sl_endpoint e;
	uint8_t v4[4];
	unsigned b, pos;

	(void)state;
	for (pos = 0; pos < 4; pos++) {
		for (b = 0; b < 256; b++) {
			memset(&e, 0, sizeof(e));
			memcpy(v4, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
			v4[pos] = (uint8_t)b;
			sl_addr_set4(&e.addr, v4);
			e.port = (uint16_t)(b * 257);
			check(&e);
		}
	}
}

static void test_ports(void **state)
{
	struct sl_endpoint e;
	char want[SL_ENDPOINT_STRLEN], got[SL_ENDPOINT_STRLEN];
	unsigned port;

	(void)state;
	memset(&e, 0, sizeof(e));
	sl_addr_set4(&e.addr, (const uint8_t[]){ 255, 255, 255, 255 });
	for (port = 0; port <= 65535; port++) {
		e.port = (uint16_t)port;
		reference(want, sizeof(want), &e);
		sl_endpoint_fmt(got, sizeof(got), &e);
		assert_string_equal(got, want);
	}
	check(&e);
}

static void test_ipv6_and_unset(void **state)
{
	static const uint8_t v6[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ 0 },
		{ 0xfe, 0x80, [8] = 0x02, [9] = 0x11, [10] = 0x22, [11] = 0xff, [12] = 0xfe, [13] = 0x33, [14] = 0x44, [15] = 0x55 },
		{ [10] = 0xff, [11] = 0xff, [12] = 10, [13] = 1, [14] = 2, [15] = 3 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct sl_endpoint e;
	char a[SL_ADDR_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		memset(&e, 0, sizeof(e));
		sl_addr_set6(&e.addr, v6[i]);
		e.port = 5060;
		check(&e);
	}
	memset(&e, 0, sizeof(e));
	check(&e);
	assert_string_equal(sl_addr_fmt(a, sizeof(a), &e.addr), "?");
	/* an IPv4 address into a buffer too short for it: inet_ntop's answer, "?" */
	sl_addr_set4(&e.addr, (const uint8_t[]){ 10, 0, 0, 1 });
	assert_string_equal(sl_addr_fmt(a, 8, &e.addr), "?");
	assert_string_equal(sl_addr_fmt(a, 9, &e.addr), "10.0.0.1");
}

/* Random IPv6 addresses, half their groups zero, against inet_ntop. */
static void test_ipv6_random(void **state)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char want[SL_ADDR_STRLEN], got[SL_ADDR_STRLEN];
	struct sl_addr a;
	uint8_t v6[16];
	unsigned n, i;

	(void)state;
	for (n = 0; n < 200000; n++) {
		for (i = 0; i < 8; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (x & 1) {
				v6[2 * i] = v6[2 * i + 1] = 0;
			} else {
				/* small and large groups, so every digit count occurs */
				unsigned w = (unsigned)(x >> 8) & 0xffff;
				w >>= (x >> 40) & 15;
				v6[2 * i] = (uint8_t)(w >> 8);
				v6[2 * i + 1] = (uint8_t)w;
			}
		}
		if ((x >> 50) % 8 == 0) {
			/* IPv4-mapped and -compatible forms */
			memset(v6, 0, 10);
			v6[10] = v6[11] = (x >> 53) & 1 ? 0xff : 0;
		}
		sl_addr_set6(&a, v6);
		assert_non_null(inet_ntop(AF_INET6, v6, want, sizeof(want)));
		assert_string_equal(sl_addr_fmt(got, sizeof(got), &a), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_every_byte),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ipv6_and_unset),
		cmocka_unit_test(test_ipv6_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
