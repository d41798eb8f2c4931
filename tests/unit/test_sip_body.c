/*
 * Unit tests for capture/sip_body.c, which splits a SIP body into typed
 * parts (RFC 3261 7.4 and 20.15, RFC 2046 5.1 multipart, RFC 5621). A
 * single part keeps its type and parameters apart; a body without
 * Content-Type defaults to application/sdp; an empty body has no parts.
 * Multipart bodies are checked part by part, byte for byte: the preamble and
 * epilogue are dropped, the CRLF before each delimiter belongs to the
 * delimiter, transport padding after a delimiter is skipped, part headers
 * are separated from the part body, a part without Content-Type is
 * text/plain, quoted boundaries and bare LF line ends work, and no more than
 * SL_BODY_MAX_PARTS parts are kept. Malformed containers (no or empty or
 * oversized boundary, no delimiter, no close delimiter) are flagged while
 * the complete parts before the damage are still delivered. Every multipart
 * body is cut at every length into an exactly-sized buffer so that
 * AddressSanitizer reports overreads; a cut body must be flagged malformed
 * and yield exactly the parts completed before the cut, identical to those
 * of the whole body. Random bytes and random mutations from a fixed-seed
 * PRNG follow. The module allocates nothing; the test buffers' talloc
 * context must return to its start block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/sip_body.h"
#include "capture/str.h"

#include "tests/unit/parser_test_util.h"

static bool view_in(struct sl_str s, const char *buf, size_t len)
{
	if (!s.p)
		return s.len == 0;
	return (uintptr_t)s.p >= (uintptr_t)buf && (uintptr_t)s.p - (uintptr_t)buf <= len &&
	       s.len <= len - (size_t)((uintptr_t)s.p - (uintptr_t)buf);
}

/* Part bodies and parameters are views into the body; types may be the built-in defaults. */
static void assert_body_sane(const struct sl_body *b, const char *ct, size_t ctlen, const char *buf, size_t len)
{
	unsigned i;

	assert_true(b->n <= SL_BODY_MAX_PARTS);
	for (i = 0; i < b->n; i++) {
		const struct sl_body_part *p = &b->part[i];

		assert_true(view_in(p->body, buf, len));
		assert_true(view_in(p->params, buf, len) || view_in(p->params, ct, ctlen) || p->params.len == 0);
		assert_true(view_in(p->type, buf, len) || view_in(p->type, ct, ctlen) ||
			    sl_str_ieq_cstr(p->type, "text/plain") || sl_str_ieq_cstr(p->type, "application/sdp"));
	}
	if (!b->multipart)
		assert_false(b->malformed);
}

static void split(void *ctx, const char *ct, const char *body, size_t blen, struct sl_body *out)
{
	char *b = exact(ctx, body, blen);
	char *c = ct ? exact(ctx, ct, strlen(ct)) : NULL;
	struct sl_str cts = ct ? sl_str_make(c, strlen(ct)) : SL_STR_NULL;

	sl_sip_body_parts(cts, sl_str_make(b, blen), out);
	assert_body_sane(out, c, ct ? strlen(ct) : 0, b, blen);
	/* views die with the buffers: compare before freeing, so callers copy what they check */
	talloc_free(b);
	talloc_free(c);
}

/* --- single parts ------------------------------------------------------- */

static void test_single_part(void **state)
{
	struct fixture *fx = *state;
	static const char sdp[] = "v=0\r\nm=audio 5004 RTP/AVP 0\r\n";
	char *b = exact(fx->ctx, sdp, strlen(sdp));
	char *c = exact(fx->ctx, "Application/SDP ; charset=utf-8", 31);
	struct sl_body out;

	sl_sip_body_parts(sl_str_make(c, 31), sl_str_make(b, strlen(sdp)), &out);
	assert_int_equal(out.n, 1);
	assert_false(out.multipart);
	assert_false(out.malformed);
	assert_str(out.part[0].type, "Application/SDP");
	assert_str(out.part[0].params, "; charset=utf-8");
	assert_ptr_equal(out.part[0].body.p, b);
	assert_int_equal(out.part[0].body.len, strlen(sdp));
	assert_ptr_equal(sl_body_find(&out, "application/sdp"), &out.part[0]);
	assert_null(sl_body_find(&out, "text/plain"));
	assert_null(sl_body_find(&out, "application/sd"));

	/* no Content-Type: application/sdp by default (RFC 3261 20.15) */
	sl_sip_body_parts(SL_STR_NULL, sl_str_make(b, strlen(sdp)), &out);
	assert_int_equal(out.n, 1);
	assert_str(out.part[0].type, "application/sdp");
	assert_int_equal(out.part[0].params.len, 0);
	assert_ptr_equal(out.part[0].body.p, b);

	/* empty body: nothing, whatever the type says */
	sl_sip_body_parts(sl_str_make(c, 31), sl_str_make(b, 0), &out);
	assert_int_equal(out.n, 0);
	assert_false(out.malformed);
	sl_sip_body_parts(SL_STR_LIT("multipart/mixed"), sl_str_make(b, 0), &out);
	assert_int_equal(out.n, 0);
	assert_false(out.malformed);
	sl_sip_body_parts(SL_STR_NULL, sl_str_make(NULL, 0), &out);
	assert_int_equal(out.n, 0);
	assert_null(sl_body_find(&out, "application/sdp"));

	/* type without parameters, surrounding whitespace trimmed */
	sl_sip_body_parts(SL_STR_LIT("  text/plain  "), sl_str_make(b, 3), &out);
	assert_int_equal(out.n, 1);
	assert_str(out.part[0].type, "text/plain");
	assert_int_equal(out.part[0].params.len, 0);
	talloc_free(b);
	talloc_free(c);
}

/* --- multipart ---------------------------------------------------------- */

static const char MP_CT[] = "multipart/mixed;boundary=unique-boundary-1";

/* SDP plus ISUP (RFC 3204 style), with preamble and epilogue. */
static const char MP_BODY[] =
	"This is a preamble.\r\n"
	"--unique-boundary-1\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	"v=0\r\n"
	"m=audio 5004 RTP/AVP 0\r\n"
	"\r\n"
	"--unique-boundary-1   \r\n"
	"Content-Disposition: signal; handling=optional\r\n"
	"content-type:application/ISUP; version=nxv3; base=etsi121\r\n"
	"\r\n"
	"\x01\x00\x49\x00\x00\x03\x02\x00\x07\x04\x10\x00\x33\x63\x21\x43\x00\x00\x03\x06\x0d\x03\x80\x90\xa2\x07\x03\x10\x03\x63\x53\x00\r\n"
	"--unique-boundary-1\r\n"
	"\r\n"
	"no headers, so text/plain\r\n"
	"--unique-boundary-1--\r\n"
	"epilogue\r\n";

static const char ISUP[] =
	"\x01\x00\x49\x00\x00\x03\x02\x00\x07\x04\x10\x00\x33\x63\x21\x43\x00\x00\x03\x06\x0d\x03\x80\x90\xa2\x07\x03\x10\x03\x63\x53\x00";

/* The ISUP part holds NULs, so the body's length is its array size. */
#define MP_BODY_LEN (sizeof(MP_BODY) - 1)

static void check_mp_parts(const struct sl_body *out, unsigned n)
{
	if (n > 0) {
		assert_str(out->part[0].type, "application/sdp");
		assert_int_equal(out->part[0].params.len, 0);
		assert_str(out->part[0].body, "v=0\r\nm=audio 5004 RTP/AVP 0\r\n");
	}
	if (n > 1) {
		assert_str(out->part[1].type, "application/ISUP");
		assert_str(out->part[1].params, "; version=nxv3; base=etsi121");
		assert_int_equal(out->part[1].body.len, sizeof(ISUP) - 1);
		assert_memory_equal(out->part[1].body.p, ISUP, sizeof(ISUP) - 1);
	}
	if (n > 2) {
		assert_str(out->part[2].type, "text/plain");
		assert_str(out->part[2].body, "no headers, so text/plain");
	}
}

static void test_multipart(void **state)
{
	struct fixture *fx = *state;
	char *b = exact(fx->ctx, MP_BODY, MP_BODY_LEN);
	char *c = exact(fx->ctx, MP_CT, strlen(MP_CT));
	struct sl_body out;

	sl_sip_body_parts(sl_str_make(c, strlen(MP_CT)), sl_str_make(b, MP_BODY_LEN), &out);
	assert_body_sane(&out, c, strlen(MP_CT), b, MP_BODY_LEN);
	assert_true(out.multipart);
	assert_false(out.malformed);
	assert_int_equal(out.n, 3);
	check_mp_parts(&out, 3);
	assert_ptr_equal(sl_body_find(&out, "APPLICATION/isup"), &out.part[1]);
	assert_ptr_equal(sl_body_find(&out, "text/plain"), &out.part[2]);
	talloc_free(b);
	talloc_free(c);
}

static void test_multipart_variants(void **state)
{
	static const struct {
		const char *ct;
		const char *body;
		bool malformed;
		unsigned n;
		const char *type0, *body0, *type1, *body1;
	} cases[] = {
		/* quoted boundary, LF-only line ends, upper-case type */
		{ "MULTIPART/ALTERNATIVE; boundary=\"b 1\"",
		  "--b 1\nContent-Type: text/plain\n\nhello\n--b 1\nContent-Type: text/html\n\n<p>hi</p>\n--b 1--",
		  false, 2, "text/plain", "hello", "text/html", "<p>hi</p>" },
		/* an empty part, and a typed part with an empty body */
		{ "multipart/mixed;boundary=x", "--x\r\n\r\n\r\n--x\r\nContent-Type: a/b\r\n\r\n--x--", false, 2, "text/plain",
		  "", "a/b", "" },
		/* a part of headers only, no blank line before the delimiter: its Content-Type is kept */
		{ "multipart/mixed;boundary=x",
		  "--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x\r\nContent-Type: application/isup\r\n--x--",
		  false, 2, "application/sdp", "v=0", "application/isup", "" },
		{ "multipart/mixed;boundary=x", "--x\nX-A: 1\nContent-Type: a/b\n--x--", false, 1, "a/b", "", NULL, NULL },
		/* a delimiter-like line that is not at a line start is content */
		{ "multipart/mixed;boundary=x", "--x\r\n\r\nsee --x here\r\n--x--\r\n", false, 1, "text/plain",
		  "see --x here", NULL, NULL },
		/* the close delimiter right at the end, no CRLF */
		{ "multipart/related;type=\"application/sdp\";boundary=zz", "--zz\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--zz--",
		  false, 1, "application/sdp", "v=0", NULL, NULL },
		/* malformed: no boundary parameter */
		{ "multipart/mixed", "--x\r\n\r\na\r\n--x--", true, 0, NULL, NULL, NULL, NULL },
		{ "multipart/mixed; charset=x", "--x\r\n\r\na\r\n--x--", true, 0, NULL, NULL, NULL, NULL },
		/* malformed: empty boundary, quoted or not */
		{ "multipart/mixed;boundary=", "--\r\n\r\na\r\n----", true, 0, NULL, NULL, NULL, NULL },
		{ "multipart/mixed;boundary=\"\"", "--\r\n\r\na\r\n----", true, 0, NULL, NULL, NULL, NULL },
		/* a boundary of 70 characters is the longest allowed (RFC 2046 5.1.1), 71 is malformed */
		{ "multipart/mixed;boundary=1234567890123456789012345678901234567890123456789012345678901234567890",
		  "--1234567890123456789012345678901234567890123456789012345678901234567890\r\n\r\na\r\n"
		  "--1234567890123456789012345678901234567890123456789012345678901234567890--",
		  false, 1, "text/plain", "a", NULL, NULL },
		{ "multipart/mixed;boundary=12345678901234567890123456789012345678901234567890123456789012345678901",
		  "--12345678901234567890123456789012345678901234567890123456789012345678901\r\n\r\na\r\n"
		  "--12345678901234567890123456789012345678901234567890123456789012345678901--",
		  true, 0, NULL, NULL, NULL, NULL },
		/* malformed: the boundary never appears */
		{ "multipart/mixed;boundary=x", "just text\r\n", true, 0, NULL, NULL, NULL, NULL },
		/* malformed: no close delimiter; complete parts are still given */
		{ "multipart/mixed;boundary=x", "--x\r\n\r\none\r\n--x\r\n\r\ntwo\r\n", true, 1, "text/plain", "one", NULL,
		  NULL },
		/* malformed: the last delimiter line is not terminated */
		{ "multipart/mixed;boundary=x", "--x\r\n\r\none\r\n--x", true, 1, "text/plain", "one", NULL, NULL },
		{ "multipart/mixed;boundary=x", "--x", true, 0, NULL, NULL, NULL, NULL },
	};
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bl = strlen(cases[i].body), cl = strlen(cases[i].ct);
		char *b = exact(fx->ctx, cases[i].body, bl), *c = exact(fx->ctx, cases[i].ct, cl);
		struct sl_body out;

		sl_sip_body_parts(sl_str_make(c, cl), sl_str_make(b, bl), &out);
		assert_body_sane(&out, c, cl, b, bl);
		assert_true(out.multipart);
		if (out.malformed != cases[i].malformed || out.n != cases[i].n)
			fail_msg("case %zu: malformed %d n %u", i, out.malformed, out.n);
		if (cases[i].n > 0) {
			assert_str(out.part[0].type, cases[i].type0);
			assert_str(out.part[0].body, cases[i].body0);
		}
		if (cases[i].n > 1) {
			assert_str(out.part[1].type, cases[i].type1);
			assert_str(out.part[1].body, cases[i].body1);
		}
		talloc_free(b);
		talloc_free(c);
	}
}

static void test_too_many_parts(void **state)
{
	struct fixture *fx = *state;
	char *body = talloc_strdup(fx->ctx, "");
	struct sl_body out;
	unsigned i;

	for (i = 0; i < SL_BODY_MAX_PARTS + 4; i++)
		body = talloc_asprintf_append(body, "--B\r\nContent-Type: x/p%u\r\n\r\npart %u\r\n", i, i);
	body = talloc_strdup_append(body, "--B--\r\n");
	split(fx->ctx, "multipart/mixed;boundary=B", body, strlen(body), &out);
	assert_int_equal(out.n, SL_BODY_MAX_PARTS);
	assert_false(out.malformed);
	talloc_free(body);
}

/* --- truncation, garbage ------------------------------------------------ */

/* Offset just past "--boundary--" of the close delimiter. */
static size_t close_end(void)
{
	static const char close[] = "\r\n--unique-boundary-1--";
	size_t i;

	for (i = 0; i + sizeof(close) - 1 <= MP_BODY_LEN; i++)
		if (memcmp(MP_BODY + i, close, sizeof(close) - 1) == 0)
			return i + sizeof(close) - 1;
	fail();
	return 0;
}

/* Number of parts whose closing delimiter line is complete within len. */
static unsigned parts_complete(size_t len)
{
	static const char delim[] = "\n--unique-boundary-1";
	unsigned n = 0;
	size_t i;
	bool first = true;

	for (i = 0; i + sizeof(delim) - 1 <= len; i++) {
		if (memcmp(MP_BODY + i, delim, sizeof(delim) - 1) == 0) {
			if (first)
				first = false; /* opening delimiter */
			else
				n++;
		}
	}
	return n;
}

static void test_truncation(void **state)
{
	struct fixture *fx = *state;
	size_t len, ce = close_end();
	char *c = exact(fx->ctx, MP_CT, strlen(MP_CT));

	for (len = 0; len <= MP_BODY_LEN; len++) {
		char *b = exact(fx->ctx, MP_BODY, len);
		struct sl_body out;
		unsigned want;

		sl_sip_body_parts(sl_str_make(c, strlen(MP_CT)), sl_str_make(b, len), &out);
		assert_body_sane(&out, c, strlen(MP_CT), b, len);
		if (len == 0) {
			assert_int_equal(out.n, 0);
			assert_false(out.malformed);
		} else if (len >= ce) {
			assert_false(out.malformed);
			assert_int_equal(out.n, 3);
			check_mp_parts(&out, 3);
		} else {
			/* cut before the close delimiter is whole: flagged, with the parts finished so far */
			assert_true(out.malformed);
			want = parts_complete(len);
			if (out.n != want)
				fail_msg("len %zu: %u parts, want %u", len, out.n, want);
			check_mp_parts(&out, out.n);
		}
		talloc_free(b);
	}
	talloc_free(c);
}

static void test_random(void **state)
{
	static const char *const cts[] = {
		"multipart/mixed;boundary=b", "multipart/mixed;boundary=\"b\"", "multipart/mixed", "application/sdp",
		"multipart/x;boundary=unique-boundary-1", "multipart/mixed;boundary=\"",
	};
	struct fixture *fx = *state;
	char buf[400];
	unsigned iter, k;
	size_t len, i;

	rng_state = 0xb0d1e5u;
	for (iter = 0; iter < 20000; iter++) {
		const char *ct = cts[rng() % (sizeof(cts) / sizeof(cts[0]))];
		struct sl_body out;

		if (iter % 2) {
			/* random lines of delimiters, headers and text */
			static const char *const lines[] = { "--b", "--b--", "--b  ", "Content-Type: a/b", "", "x",
							     "--unique-boundary-1", "content-type:", "\r" };
			len = 0;
			for (k = 0; k < rng() % 16; k++) {
				const char *l = lines[rng() % (sizeof(lines) / sizeof(lines[0]))];
				size_t ll = strlen(l);
				if (len + ll + 2 > sizeof(buf))
					break;
				memcpy(buf + len, l, ll);
				len += ll;
				if (rng() % 3)
					buf[len++] = '\r';
				buf[len++] = '\n';
			}
			if (len && rng() % 3 == 0)
				len = (size_t)(rng() % len);
		} else {
			len = (size_t)(rng() % sizeof(buf));
			for (i = 0; i < len; i++)
				buf[i] = (rng() % 4) ? "-b\r\n"[rng() % 4] : (char)rng();
		}
		split(fx->ctx, ct, buf, len, &out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
