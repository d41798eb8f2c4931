/*
 * Unit tests for capture/sip_nameaddr.c: the parameter lookup
 * sl_sip_param (RFC 3261 section 19.1.1 uri-parameters and section 20
 * header parameters: ";name=value" lists ending at ',' or '>') and the
 * name-addr / addr-spec parser sl_sip_parse_nameaddr (RFC 3261 section
 * 20.10 and 25.1: quoted or token display names, URIs inside or outside
 * angle brackets, ;tag and the remaining parameters). Every case is copied
 * into an exactly-sized buffer and cut at every length, so that
 * AddressSanitizer reports any read past the end; values of every length
 * from 0 to 40 are searched with each delimiter after them (the end is
 * found eight bytes at a time), and random strings over the characters
 * that matter are fed from a fixed-seed PRNG. Any view returned must lie
 * inside the input. The talloc context used for the test buffers must
 * return to its starting block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/sip_parse.h"
#include "capture/str.h"

#include "tests/unit/parser_test_util.h"

#define assert_absent(view) assert_null((view).p)

/* A view must be NULL/empty or lie inside buf[0..len) (the same check as test_sip_parse.c's). */
static void assert_nameaddr_in(const struct sl_sip_nameaddr *na, const char *buf, size_t len)
{
	assert_in(na->display, buf, len);
	assert_in(na->uri, buf, len);
	assert_in(na->tag, buf, len);
	assert_in(na->params, buf, len);
}

/* --- sl_sip_param ------------------------------------------------------- */

static void test_param(void **state)
{
	static const char params[] = ";branch=z9hG4bK776;received=192.0.2.1; rport ;TTL=16;maddr = 224.2.0.1 ;lr";
	struct fixture *fx = *state;
	char *b = exact(fx->ctx, params, strlen(params));
	struct sl_str p = sl_str_make(b, strlen(params)), v;
	size_t len;

	assert_true(sl_sip_param(p, "branch", &v));
	assert_str(v, "z9hG4bK776");
	assert_true(sl_sip_param(p, "received", &v));
	assert_str(v, "192.0.2.1");
	assert_true(sl_sip_param(p, "rport", &v));
	assert_int_equal(v.len, 0);
	assert_non_null(v.p);
	assert_true(sl_sip_param(p, "ttl", &v)); /* names compare case-insensitively */
	assert_str(v, "16");
	assert_true(sl_sip_param(p, "maddr", &v));
	assert_str(v, "224.2.0.1");
	assert_true(sl_sip_param(p, "lr", &v));
	assert_int_equal(v.len, 0);
	assert_false(sl_sip_param(p, "tag", &v));
	assert_false(sl_sip_param(p, "bran", &v));
	assert_false(sl_sip_param(p, "branchx", &v));
	assert_false(sl_sip_param(p, "", &v));
	talloc_free(b);

	/* an absent list (a NULL view, as an absent header's params) has no parameter, and no arithmetic on NULL */
	assert_false(sl_sip_param(SL_STR_NULL, "tag", &v));
	assert_false(sl_sip_param(sl_str_make(NULL, 0), "", &v));

	/* the list ends at ',' or '>' (the next header value, the end of a URI) */
	assert_false(sl_sip_param(SL_STR_LIT(";a=1,;tag=2"), "tag", &v));
	assert_false(sl_sip_param(SL_STR_LIT(";a=1>;tag=2"), "tag", &v));
	assert_true(sl_sip_param(SL_STR_LIT(";a=1;tag=2>;x=3"), "tag", &v));
	assert_str(v, "2");
	/* no leading ';': the first token is not a parameter */
	assert_false(sl_sip_param(SL_STR_LIT("tag=1"), "tag", &v));
	assert_true(sl_sip_param(SL_STR_LIT("junk;tag=1"), "tag", &v));
	assert_str(v, "1");
	assert_false(sl_sip_param(SL_STR_LIT(""), "tag", &v));
	assert_false(sl_sip_param(sl_str_make(NULL, 0), "tag", &v));
	assert_true(sl_sip_param(SL_STR_LIT(";tag="), "tag", &v));
	assert_int_equal(v.len, 0);
	assert_true(sl_sip_param(SL_STR_LIT(";;;tag=x=y"), "tag", &v));
	assert_str(v, "x=y");

	/* every prefix in an exact buffer */
	for (len = 0; len <= strlen(params); len++) {
		b = exact(fx->ctx, params, len);
		p = sl_str_make(b, len);
		if (sl_sip_param(p, "lr", &v)) {
			assert_int_equal(len, strlen(params));
			assert_in(v, b, len);
		}
		if (sl_sip_param(p, "branch", &v)) {
			/* ";branch" alone is already the parameter, with an empty value */
			assert_true(len >= 7);
			assert_in(v, b, len);
			assert_int_equal(v.len, len >= 18 ? 10 : len <= 8 ? 0 : len - 8);
		}
		talloc_free(b);
	}
}

/* --- sl_sip_parse_nameaddr ---------------------------------------------- */

/*
 * Values are searched for their end eight bytes at a time: every length
 * from 0 to 40 with each delimiter (';' next parameter, ',' next value,
 * '>' end of URI) right after it, and at the very end of the bytes, gives
 * the whole value and nothing of the next parameter; an exact-size buffer
 * catches a read past the end under ASan.
 */
static void test_param_value_lengths(void **state)
{
	static const char delims[] = ";,>";
	struct fixture *fx = *state;
	char buf[128];
	size_t k, d, n;
	struct sl_str v;

	for (k = 0; k <= 40; k++) {
		for (d = 0; d <= 3; d++) {
			char *b;

			n = (size_t)snprintf(buf, sizeof(buf), "x;lr;tag=%.*s", (int)k,
					     "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH");
			if (d < 3)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%cnext=1;tag=no", delims[d]);
			b = exact(fx->ctx, buf, n);
			assert_true(sl_sip_param(sl_str_make(b, n), "tag", &v));
			assert_int_equal(v.len, k);
			assert_ptr_equal(v.p, b + 9);
			/* after ';' the next parameter is found, after ',' or '>' the list has ended */
			assert_int_equal(sl_sip_param(sl_str_make(b, n), "next", &v), d == 0);
			assert_false(sl_sip_param(sl_str_make(b, n), "tagx", &v));
			talloc_free(b);
		}
	}
}

static void test_nameaddr(void **state)
{
	static const struct {
		const char *in;
		bool ok;
		const char *display, *uri, *tag, *params;
	} cases[] = {
		{ "\"Alice \\\"A\\\" Smith\" <sip:alice@a.example>;tag=88;x", true, "Alice \\\"A\\\" Smith",
		  "sip:alice@a.example", "88", ";tag=88;x" },
		{ "Bob <sip:bob@b.example>", true, "Bob", "sip:bob@b.example", NULL, "" },
		{ "  The  Bob   <  sip:bob@b.example  >  ", true, "The  Bob", "sip:bob@b.example", NULL, "" },
		{ "<sip:c@c.example;transport=tcp>;tag=t", true, "", "sip:c@c.example;transport=tcp", "t", ";tag=t" },
		{ "sip:d@d.example;tag=9", true, "", "sip:d@d.example", "9", ";tag=9" },
		{ "sip:e@e.example", true, "", "sip:e@e.example", NULL, "" },
		{ "tel:+4930123 ;tag=z", true, "", "tel:+4930123", "z", " ;tag=z" },
		{ "\"\" <sip:f@f>", true, "", "sip:f@f", NULL, "" },
		{ "\"a,b\" <sip:g@g>, <sip:h@h>", true, "a,b", "sip:g@g", NULL, "" },
		{ "<sip:i@i;a=b,c>;tag=1, sip:j@j", true, "", "sip:i@i;a=b,c", "1", ";tag=1" },
		{ "*", true, "", "*", NULL, "" },
		{ "", false, NULL, NULL, NULL, NULL },
		{ "   ", false, NULL, NULL, NULL, NULL },
		{ "\"unterminated <sip:x@x>", false, NULL, NULL, NULL, NULL },
		{ "\"quoted\" sip:x@x", false, NULL, NULL, NULL, NULL },
		{ "\"quoted\"", false, NULL, NULL, NULL, NULL },
		{ "<sip:x@x", false, NULL, NULL, NULL, NULL },
		{ "<>", false, NULL, NULL, NULL, NULL },
		{ "< >;tag=1", false, NULL, NULL, NULL, NULL },
		{ ";tag=1", false, NULL, NULL, NULL, NULL },
		{ ", <sip:x@x>", false, NULL, NULL, NULL, NULL },
		{ "\"trailing backslash\\", false, NULL, NULL, NULL, NULL },
	};
	struct fixture *fx = *state;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].in);
		char *b = exact(fx->ctx, cases[i].in, n);
		struct sl_sip_nameaddr na;
		bool ok = sl_sip_parse_nameaddr(sl_str_make(b, n), &na);

		if (ok != cases[i].ok)
			fail_msg("'%s': got %d", cases[i].in, ok);
		if (ok) {
			assert_int_equal(na.display.len, strlen(cases[i].display));
			if (na.display.len)
				assert_str(na.display, cases[i].display);
			assert_str(na.uri, cases[i].uri);
			if (cases[i].tag)
				assert_str(na.tag, cases[i].tag);
			else
				assert_absent(na.tag);
			assert_int_equal(na.params.len, strlen(cases[i].params));
			if (na.params.len)
				assert_str(na.params, cases[i].params);
			assert_nameaddr_in(&na, b, n);
		}
		talloc_free(b);

		/* every prefix: no overread; any success yields views inside the prefix */
		for (len = 0; len < n; len++) {
			b = exact(fx->ctx, cases[i].in, len);
			if (sl_sip_parse_nameaddr(sl_str_make(b, len), &na)) {
				assert_true(na.uri.len > 0);
				assert_nameaddr_in(&na, b, len);
			}
			talloc_free(b);
		}
	}
}

static void test_nameaddr_random(void **state)
{
	static const char alpha[] = "\"\\<>;,= \t\r\nsip:@a1";
	struct fixture *fx = *state;
	char buf[64];
	unsigned iter;
	size_t i;

	rng_state = 0xfeedfaceu;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rng() % sizeof(buf));
		struct sl_sip_nameaddr na;
		char *b;

		for (i = 0; i < len; i++)
			buf[i] = alpha[rng() % (sizeof(alpha) - 1)];
		b = exact(fx->ctx, buf, len);
		if (sl_sip_parse_nameaddr(sl_str_make(b, len), &na)) {
			assert_true(na.uri.len > 0);
			assert_nameaddr_in(&na, b, len);
		}
		talloc_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_param, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param_value_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nameaddr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nameaddr_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
