/*
 * Unit tests for capture/sip_uri.c, the sip:, sips: and tel: URI splitter
 * (RFC 3261 section 19.1, RFC 3966). Each case checks every field the
 * parser fills: scheme, user (without password; a tel number goes there
 * too), host (IPv6 references without brackets), port, raw parameters and
 * the user=phone flag. Telephone-subscriber user parts that carry their own
 * ';' parameters (RFC 3261 19.1.1 user-unreserved, the "sip:alice;day=
 * tuesday@atlanta.com" example of 19.1.3) must keep those parameters in the
 * user part instead of being split into host and URI parameters. Malformed
 * URIs (no scheme, empty host, bad or oversized port, unterminated IPv6
 * reference, empty tel number) are refused. Every URI is also cut at every
 * length into an exactly-sized buffer so that AddressSanitizer reports any
 * overread, and random URI-like bytes from a fixed-seed PRNG are parsed
 * with views checked to stay in bounds. The parser allocates nothing; the
 * talloc context of the test buffers must return to its start block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/sip_uri.h"
#include "capture/str.h"

#include "tests/unit/parser_test_util.h"

/* Compare a view with a literal; "" also matches an absent (NULL) view. */
static void check_view(struct sl_str v, const char *want, const char *what, const char *uri)
{
	size_t n = strlen(want);

	if (v.len != n || (n && memcmp(v.p, want, n) != 0))
		fail_msg("%s: %s is '%.*s', want '%s'", uri, what, (int)v.len, v.p ? v.p : "", want);
}

static void assert_uri_in(const struct sl_uri *u, const char *buf, size_t len)
{
	assert_in(u->scheme_str, buf, len);
	assert_in(u->user, buf, len);
	assert_in(u->host, buf, len);
	assert_in(u->params, buf, len);
}

struct uri_case {
	const char *in;
	enum sl_uri_scheme scheme;
	const char *scheme_str, *user, *host;
	uint16_t port;
	const char *params;
	bool phone;
};

static const struct uri_case good[] = {
	{ "sip:alice@atlanta.example.com", SL_URI_SIP, "sip", "alice", "atlanta.example.com", 0, "", false },
	{ "SIP:Alice:secretword@Example.COM:5061;transport=tcp?subject=project", SL_URI_SIP, "SIP", "Alice",
	  "Example.COM", 5061, ";transport=tcp", false },
	{ "sips:bob@[2001:db8::1]:5061;user=phone", SL_URI_SIPS, "sips", "bob", "2001:db8::1", 5061, ";user=phone",
	  true },
	{ "sip:[2001:db8::7]", SL_URI_SIP, "sip", "", "2001:db8::7", 0, "", false },
	{ "sip:+4930123456@ims.example.net;user=phone", SL_URI_SIP, "sip", "+4930123456", "ims.example.net", 0,
	  ";user=phone", true },
	{ "sip:+1-212-555-1212:1234@gateway.com;user=phone", SL_URI_SIP, "sip", "+1-212-555-1212", "gateway.com", 0,
	  ";user=phone", true },
	{ "sip:a@b;lr;USER=PHONE;maddr=239.255.255.1", SL_URI_SIP, "sip", "a", "b", 0,
	  ";lr;USER=PHONE;maddr=239.255.255.1", true },
	{ "sip:a@b;user=phonex", SL_URI_SIP, "sip", "a", "b", 0, ";user=phonex", false },
	{ "sip:a@b;xuser=phone", SL_URI_SIP, "sip", "a", "b", 0, ";xuser=phone", false },
	{ "sip:registrar.example.com", SL_URI_SIP, "sip", "", "registrar.example.com", 0, "", false },
	{ "sip:192.0.2.4:5060", SL_URI_SIP, "sip", "", "192.0.2.4", 5060, "", false },
	{ "sip:host:0", SL_URI_SIP, "sip", "", "host", 0, "", false },
	{ "sip:host:65535", SL_URI_SIP, "sip", "", "host", 65535, "", false },
	{ "sip:carol@chicago.com?Subject=next%20meeting", SL_URI_SIP, "sip", "carol", "chicago.com", 0, "", false },
	{ "  sip:trim@example.com \r\n", SL_URI_SIP, "sip", "trim", "example.com", 0, "", false },
	/* RFC 3261 19.1.3 and 19.1.1: ';' belongs to the user part when an '@' follows */
	{ "sip:alice;day=tuesday@atlanta.com", SL_URI_SIP, "sip", "alice;day=tuesday", "atlanta.com", 0, "", false },
	{ "sip:1234;phone-context=+4930@ims.example.net;user=phone", SL_URI_SIP, "sip", "1234;phone-context=+4930",
	  "ims.example.net", 0, ";user=phone", true },
	{ "sip:+358-555-1234567;postd=pp22@foo.com;user=phone", SL_URI_SIP, "sip", "+358-555-1234567;postd=pp22",
	  "foo.com", 0, ";user=phone", true },
	/* no '@': the ';' starts the URI parameters */
	{ "sip:host.example;maddr=1.2.3.4", SL_URI_SIP, "sip", "", "host.example", 0, ";maddr=1.2.3.4", false },
	{ "tel:+1-201-555-0123", SL_URI_TEL, "tel", "+1-201-555-0123", "", 0, "", false },
	{ "TEL:7042;phone-context=example.com", SL_URI_TEL, "TEL", "7042", "", 0, ";phone-context=example.com",
	  false },
	{ "tel:863-1234;phone-context=+1-914-555?x=y", SL_URI_TEL, "tel", "863-1234", "", 0,
	  ";phone-context=+1-914-555?x=y", false },
	{ "tel:5551234?foo", SL_URI_TEL, "tel", "5551234", "", 0, "?foo", false },
	{ "urn:gsma:imei:35209900-176148-1", SL_URI_OTHER, "urn", "", "gsma:imei:35209900-176148-1", 0, "", false },
	{ "http://example.com/x", SL_URI_OTHER, "http", "", "//example.com/x", 0, "", false },
	{ "x:", SL_URI_OTHER, "x", "", "", 0, "", false },
};

static const char *const bad[] = {
	"",
	"   ",
	"sip",
	":alice@example.com",
	"sip:",
	"sips:",
	"sip:@",
	"sip:alice@",
	"sip:alice@;transport=udp",
	"sip:alice@:5060",
	"sip:a@b:",
	"sip:a@b:x",
	"sip:a@b:65536",
	"sip:a@b:99999999999",
	"sip:a@[2001:db8::1",
	"sip:a@[",
	"tel:",
	"tel:;phone-context=x",
	"tel:?x",
	"sip:;lr",
};

static void test_good_uris(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct uri_case *c = &good[i];
		size_t n = strlen(c->in);
		char *b = exact(fx->ctx, c->in, n);
		struct sl_uri u;

		if (!sl_uri_parse(sl_str_make(b, n), &u))
			fail_msg("%s: refused", c->in);
		assert_int_equal(u.scheme, c->scheme);
		check_view(u.scheme_str, c->scheme_str, "scheme", c->in);
		check_view(u.user, c->user, "user", c->in);
		check_view(u.host, c->host, "host", c->in);
		check_view(u.params, c->params, "params", c->in);
		if (u.port != c->port)
			fail_msg("%s: port %u, want %u", c->in, u.port, c->port);
		if (u.user_phone != c->phone)
			fail_msg("%s: user_phone %d", c->in, u.user_phone);
		assert_uri_in(&u, b, n);
		talloc_free(b);
	}
}

static void test_bad_uris(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);
		char *b = exact(fx->ctx, bad[i], n);
		struct sl_uri u;

		if (sl_uri_parse(sl_str_make(b, n), &u))
			fail_msg("'%s': accepted", bad[i]);
		talloc_free(b);
	}
	/* a NULL view is refused too */
	{
		struct sl_uri u;
		assert_false(sl_uri_parse(sl_str_make(NULL, 0), &u));
	}
}

/* Every prefix of every URI, in an exact buffer: no overread, and what parses stays in bounds. */
static void test_truncation(void **state)
{
	struct fixture *fx = *state;
	size_t i, len;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t n = strlen(good[i].in);

		for (len = 0; len <= n; len++) {
			char *b = exact(fx->ctx, good[i].in, len);
			struct sl_uri u;

			if (sl_uri_parse(sl_str_make(b, len), &u)) {
				assert_uri_in(&u, b, len);
				assert_true(u.scheme_str.len > 0);
				if (u.scheme == SL_URI_SIP || u.scheme == SL_URI_SIPS)
					assert_true(u.host.len > 0);
				if (u.scheme == SL_URI_TEL)
					assert_true(u.user.len > 0);
			}
			talloc_free(b);
		}
	}
	/* a sip prefix that ends at "sip:a@b:50" has port 50, not garbage */
	{
		char *b = exact(fx->ctx, "sip:a@b:5060", 10);
		struct sl_uri u;

		assert_true(sl_uri_parse(sl_str_make(b, 10), &u));
		assert_int_equal(u.port, 50);
		talloc_free(b);
	}
}

static void test_random(void **state)
{
	static const char alpha[] = "sip:tel@[]:;?>=+-.0123456789abcSIPuser=phone \t";
	struct fixture *fx = *state;
	char buf[48];
	unsigned iter;
	size_t i;

	rng_state = 0xabad1deau;
	for (iter = 0; iter < 30000; iter++) {
		size_t len = (size_t)(rng() % sizeof(buf));
		struct sl_uri u;
		char *b;

		if (iter & 1) {
			for (i = 0; i < len; i++)
				buf[i] = alpha[rng() % (sizeof(alpha) - 1)];
		} else {
			for (i = 0; i < len; i++)
				buf[i] = (char)rng();
		}
		/* steer half the inputs through the sip/tel branches */
		if (len >= 4 && (iter & 2))
			memcpy(buf, (iter & 4) ? "sip:" : "tel:", 4);
		b = exact(fx->ctx, buf, len);
		if (sl_uri_parse(sl_str_make(b, len), &u))
			assert_uri_in(&u, b, len);
		talloc_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_uris, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_uris, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
