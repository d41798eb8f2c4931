/*
 * Unit tests for capture/sdp_parse.c, the SDP reader used to tie RTP to its
 * call (RFC 4566, RFC 3264, RFC 3605 a=rtcp, RFC 5761 a=rtcp-mux). A
 * three-stream offer checks every field of every m= section: media type,
 * port (with a port count), proto, payload types in order, the rtpmap of the
 * first payload type, direction, RTCP port (explicit and port + 1), rtcp-mux
 * and the effective connection address (media-level c= over session-level,
 * IPv4, IPv6 and multicast with TTL). Edge cases: bare LF line ends, blank
 * lines, attributes before the first m=, out-of-range and non-numeric
 * payload types, more payload types and more m= lines than are kept. Each
 * error (not SDP, bad line, bad m=, bad c=) is provoked. Every SDP is cut at
 * every length into an exactly-sized buffer so that AddressSanitizer
 * reports overreads, with the rule that a cut at a line end parses and
 * yields as many streams as complete m= lines; random bytes and random
 * SDP-like lines from a fixed-seed PRNG follow. The parser allocates
 * nothing; the test buffers' talloc context must return to its start
 * block count.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/addr.h"
#include "capture/sdp_parse.h"
#include "capture/str.h"

#include "tests/unit/parser_test_util.h"

/* Address equality against text, or "" for "no address". */
static void assert_addr(const struct sl_addr *a, const char *text)
{
	struct sl_addr want;

	if (!*text) {
		assert_int_equal(a->family, 0);
		return;
	}
	assert_true(sl_addr_parse(&want, text, strlen(text)));
	if (!sl_addr_eq(a, &want)) {
		char got[SL_ADDR_STRLEN];
		fail_msg("address %s, want %s", sl_addr_fmt(got, sizeof(got), a), text);
	}
}

static void assert_sdp_sane(const struct sl_sdp *s, const char *buf, size_t len)
{
	unsigned i, k;

	assert_true(s->n_media <= SL_SDP_MAX_MEDIA);
	assert_in(s->origin, buf, len);
	assert_true(s->session_addr.family == 0 || s->session_addr.family == SL_AF_INET4 ||
		    s->session_addr.family == SL_AF_INET6);
	for (i = 0; i < s->n_media; i++) {
		const struct sl_sdp_media *m = &s->m[i];

		assert_in(m->media, buf, len);
		assert_in(m->proto, buf, len);
		assert_in(m->rtpmap0, buf, len);
		assert_true(m->media.len > 0 && m->proto.len > 0);
		assert_true(m->n_pt <= SL_SDP_MAX_PT);
		for (k = 0; k < m->n_pt; k++)
			assert_true(m->pt[k] <= 127);
		assert_true(m->dir <= SL_SDP_INACTIVE);
		assert_true(m->addr.family == 0 || m->addr.family == SL_AF_INET4 || m->addr.family == SL_AF_INET6);
	}
}

static enum sl_sdp_err parse_lit(void *ctx, const char *text, struct sl_sdp *s)
{
	size_t n = strlen(text);
	char *b = exact(ctx, text, n);
	enum sl_sdp_err rc = sl_sdp_parse(sl_str_make(b, n), s);

	if (rc == SL_SDP_OK)
		assert_sdp_sane(s, b, n);
	talloc_free(b);
	return rc;
}

static const char OFFER[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0 8 97\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:97 iLBC/8000\r\n"
	"a=sendonly\r\n"
	"a=rtcp:53020\r\n"
	"m=video 51372/2 RTP/AVP 31 32\r\n"
	"c=IN IP6 2001:db8::2\r\n"
	"a=rtpmap:31 H261/90000\r\n"
	"a=recvonly\r\n"
	"a=rtcp-mux\r\n"
	"m=image 0 udptl t38\r\n"
	"a=inactive\r\n";

/* --- valid SDP ---------------------------------------------------------- */

static void test_offer(void **state)
{
	struct fixture *fx = *state;
	size_t n = strlen(OFFER);
	char *b = exact(fx->ctx, OFFER, n);
	struct sl_sdp s;
	const struct sl_sdp_media *m;

	assert_int_equal(sl_sdp_parse(sl_str_make(b, n), &s), SL_SDP_OK);
	assert_sdp_sane(&s, b, n);
	assert_str(s.origin, "alice 2890844526 2890844526 IN IP4 host.atlanta.example.com");
	assert_addr(&s.session_addr, "192.0.2.10");
	assert_int_equal(s.n_media, 3);
	assert_int_equal(s.skipped_media, 0);

	m = &s.m[0];
	assert_str(m->media, "audio");
	assert_str(m->proto, "RTP/AVP");
	assert_int_equal(m->port, 49170);
	assert_int_equal(m->rtcp_port, 53020);
	assert_addr(&m->addr, "192.0.2.10");
	assert_int_equal(m->dir, SL_SDP_SENDONLY);
	assert_false(m->rtcp_mux);
	assert_int_equal(m->n_pt, 3);
	assert_int_equal(m->pt[0], 0);
	assert_int_equal(m->pt[1], 8);
	assert_int_equal(m->pt[2], 97);
	assert_str(m->rtpmap0, "PCMU/8000");

	m = &s.m[1];
	assert_str(m->media, "video");
	assert_int_equal(m->port, 51372);
	assert_int_equal(m->rtcp_port, 51373);
	assert_addr(&m->addr, "2001:db8::2");
	assert_int_equal(m->dir, SL_SDP_RECVONLY);
	assert_true(m->rtcp_mux);
	assert_int_equal(m->n_pt, 2);
	assert_int_equal(m->pt[0], 31);
	assert_int_equal(m->pt[1], 32);
	assert_str(m->rtpmap0, "H261/90000");

	m = &s.m[2];
	assert_str(m->media, "image");
	assert_str(m->proto, "udptl");
	assert_int_equal(m->port, 0);
	assert_int_equal(m->rtcp_port, 0);
	assert_int_equal(m->n_pt, 0); /* "t38" is a format, not a payload type */
	assert_null(m->rtpmap0.p);
	assert_addr(&m->addr, "192.0.2.10");
	assert_int_equal(m->dir, SL_SDP_INACTIVE);
	talloc_free(b);
}

static void test_lf_and_blank_lines(void **state)
{
	struct fixture *fx = *state;
	struct sl_sdp s;

	assert_int_equal(parse_lit(fx->ctx,
				   "\n\r\nv= 0 \n\nc=IN IP4 10.0.0.1\nm=audio 1000 RTP/AVP 18\n\na=rtpmap:18 G729/8000",
				   &s),
			 SL_SDP_OK);
	assert_int_equal(s.n_media, 1);
	assert_int_equal(s.m[0].port, 1000);
	assert_int_equal(s.m[0].rtcp_port, 1001);
	assert_addr(&s.m[0].addr, "10.0.0.1");
	assert_int_equal(s.m[0].dir, SL_SDP_SENDRECV);
	assert_str(s.m[0].rtpmap0, "G729/8000");

	/* v=0 alone is a (useless) valid SDP */
	assert_int_equal(parse_lit(fx->ctx, "v=0", &s), SL_SDP_OK);
	assert_int_equal(s.n_media, 0);
}

static void test_connection_scoping(void **state)
{
	struct fixture *fx = *state;
	struct sl_sdp s;

	/* no c= anywhere: no address */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nm=audio 5004 RTP/AVP 0\r\n", &s), SL_SDP_OK);
	assert_addr(&s.m[0].addr, "");

	/* media-level c= on the first stream only; the second has none to inherit */
	assert_int_equal(parse_lit(fx->ctx,
				   "v=0\r\nm=audio 5004 RTP/AVP 0\r\nc=IN IP4 198.51.100.1\r\n"
				   "m=audio 5006 RTP/AVP 0\r\n",
				   &s),
			 SL_SDP_OK);
	assert_int_equal(s.n_media, 2);
	assert_addr(&s.m[0].addr, "198.51.100.1");
	assert_addr(&s.m[1].addr, "");
	assert_addr(&s.session_addr, "");

	/* session c= is inherited by every stream without its own */
	assert_int_equal(parse_lit(fx->ctx,
				   "v=0\r\nc=IN IP6 2001:db8::1\r\nm=audio 5004 RTP/AVP 0\r\n"
				   "m=audio 5006 RTP/AVP 0\r\nc=IN IP4 203.0.113.9\r\nm=audio 5008 RTP/AVP 0\r\n",
				   &s),
			 SL_SDP_OK);
	assert_addr(&s.m[0].addr, "2001:db8::1");
	assert_addr(&s.m[1].addr, "203.0.113.9");
	assert_addr(&s.m[2].addr, "2001:db8::1");

	/* multicast with TTL and address count */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nc=IN IP4 224.2.1.1/127/3\r\nm=audio 5004 RTP/AVP 0\r\n", &s),
			 SL_SDP_OK);
	assert_addr(&s.m[0].addr, "224.2.1.1");

	/* o= after the first m= does not replace the session origin */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\no=first\r\nm=audio 5004 RTP/AVP 0\r\no=second\r\n", &s),
			 SL_SDP_OK);
	assert_str(s.origin, "first");
}

static void test_payload_types(void **state)
{
	struct fixture *fx = *state;
	struct sl_sdp s;
	unsigned i;

	assert_int_equal(parse_lit(fx->ctx,
				   "v=0\r\nm=audio 5004 RTP/AVP 8 128 abc 0 96 -1 127\r\n"
				   "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000/1\r\n",
				   &s),
			 SL_SDP_OK);
	assert_int_equal(s.m[0].n_pt, 4);
	assert_int_equal(s.m[0].pt[0], 8);
	assert_int_equal(s.m[0].pt[1], 0);
	assert_int_equal(s.m[0].pt[2], 96);
	assert_int_equal(s.m[0].pt[3], 127);
	assert_str(s.m[0].rtpmap0, "PCMA/8000/1");

	/* more than SL_SDP_MAX_PT: the first ones are kept */
	assert_int_equal(parse_lit(fx->ctx,
				   "v=0\r\nm=video 5004 RTP/AVP 96 97 98 99 100 101 102 103 104 105 106 107 108 109 "
				   "110 111 112 113 114 115\r\n",
				   &s),
			 SL_SDP_OK);
	assert_int_equal(s.m[0].n_pt, SL_SDP_MAX_PT);
	for (i = 0; i < SL_SDP_MAX_PT; i++)
		assert_int_equal(s.m[0].pt[i], 96 + i);

	/* rtpmap before any m=, and rtpmap of another payload type, are ignored; a session direction is not */
	assert_int_equal(parse_lit(fx->ctx,
				   "v=0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\nm=audio 5004 RTP/AVP 0 8\r\n"
				   "a=rtpmap:8 PCMA/8000\r\n",
				   &s),
			 SL_SDP_OK);
	assert_null(s.m[0].rtpmap0.p);
	assert_int_equal(s.m[0].dir, SL_SDP_SENDONLY);

	/* no payload types at all: rtpmap cannot match */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nm=audio 5004 RTP/AVP\r\na=rtpmap:0 PCMU/8000\r\n", &s),
			 SL_SDP_OK);
	assert_int_equal(s.m[0].n_pt, 0);
	assert_null(s.m[0].rtpmap0.p);
}

static void test_attributes(void **state)
{
	static const struct {
		const char *attrs;
		enum sl_sdp_dir dir;
		uint16_t rtcp;
		bool mux;
	} cases[] = {
		{ "", SL_SDP_SENDRECV, 5005, false },
		{ "a=sendonly\r\n", SL_SDP_SENDONLY, 5005, false },
		{ "a=recvonly\r\n", SL_SDP_RECVONLY, 5005, false },
		{ "a=inactive\r\n", SL_SDP_INACTIVE, 5005, false },
		{ "a=sendonly\r\na=sendrecv\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=SENDONLY\r\n", SL_SDP_SENDRECV, 5005, false }, /* attribute names are case-sensitive */
		{ "a=rtcp:6000\r\n", SL_SDP_SENDRECV, 6000, false },
		{ "a=rtcp:6000 IN IP4 192.0.2.5\r\n", SL_SDP_SENDRECV, 6000, false },
		{ "a=rtcp:0\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=rtcp:70000\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=rtcp:abc\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=rtcp:\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=rtcp\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=rtcp-mux\r\n", SL_SDP_SENDRECV, 5005, true },
		{ "a=rtcp-muxx\r\n", SL_SDP_SENDRECV, 5005, false },
		{ "a=\r\na=x-unknown:1\r\n", SL_SDP_SENDRECV, 5005, false },
	};
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(fx->ctx, "v=0\r\nm=audio 5004 RTP/AVP 0\r\n%s", cases[i].attrs);
		struct sl_sdp s;

		assert_int_equal(parse_lit(fx->ctx, text, &s), SL_SDP_OK);
		if (s.m[0].dir != cases[i].dir || s.m[0].rtcp_port != cases[i].rtcp || s.m[0].rtcp_mux != cases[i].mux)
			fail_msg("'%s': dir %d rtcp %u mux %d", cases[i].attrs, s.m[0].dir, s.m[0].rtcp_port,
				 s.m[0].rtcp_mux);
		talloc_free(text);
	}
}

/* A session-level direction holds for every medium without its own (RFC 4566 section 6). */
static void test_session_dir(void **state)
{
	struct fixture *fx = *state;
	struct sl_sdp s;

	assert_int_equal(parse_lit(fx->ctx,
				   "v=0\r\nc=IN IP4 192.0.2.1\r\na=sendonly\r\nm=audio 5004 RTP/AVP 0\r\n"
				   "m=video 5006 RTP/AVP 96\r\na=inactive\r\nm=audio 5008 RTP/AVP 8\r\na=sendrecv\r\n",
				   &s),
			 SL_SDP_OK);
	assert_int_equal(s.session_dir, SL_SDP_SENDONLY);
	assert_int_equal(s.n_media, 3);
	assert_int_equal(s.m[0].dir, SL_SDP_SENDONLY);
	assert_int_equal(s.m[1].dir, SL_SDP_INACTIVE);
	assert_int_equal(s.m[2].dir, SL_SDP_SENDRECV);
	/* hold: the whole session recvonly, no media attribute */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\na=recvonly\r\nm=audio 5004 RTP/AVP 0\r\n", &s), SL_SDP_OK);
	assert_int_equal(s.m[0].dir, SL_SDP_RECVONLY);
	/* other session attributes leave the default */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\na=tool:x\r\nm=audio 5004 RTP/AVP 0\r\n", &s), SL_SDP_OK);
	assert_int_equal(s.session_dir, SL_SDP_SENDRECV);
	assert_int_equal(s.m[0].dir, SL_SDP_SENDRECV);
}

static void test_ports(void **state)
{
	struct fixture *fx = *state;
	struct sl_sdp s;

	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nm=audio 65534 RTP/AVP 0\r\n", &s), SL_SDP_OK);
	assert_int_equal(s.m[0].port, 65534);
	assert_int_equal(s.m[0].rtcp_port, 65535);
	/* no port + 1 beyond 65535: no RTCP port rather than a wrapped one */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nm=audio 65535 RTP/AVP 0\r\n", &s), SL_SDP_OK);
	assert_int_equal(s.m[0].port, 65535);
	assert_int_equal(s.m[0].rtcp_port, 0);
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nm=audio   7078/2   RTP/SAVP   0\r\n", &s), SL_SDP_OK);
	assert_int_equal(s.m[0].port, 7078);
	assert_str(s.m[0].proto, "RTP/SAVP");
	/* RFC 4566 allows a domain name as connection address: kept, without an address */
	assert_int_equal(parse_lit(fx->ctx, "v=0\r\nc=IN IP4 media.example.com\r\nm=audio 5004 RTP/AVP 0\r\n", &s),
			 SL_SDP_OK);
	assert_int_equal(s.n_media, 1);
	assert_int_equal(s.m[0].addr.family, 0);
	assert_int_equal(s.m[0].port, 5004);
}

static void test_too_many_media(void **state)
{
	struct fixture *fx = *state;
	char *text = talloc_strdup(fx->ctx, "v=0\r\nc=IN IP4 192.0.2.1\r\n");
	struct sl_sdp s;
	unsigned i;

	for (i = 0; i < SL_SDP_MAX_MEDIA + 3; i++) {
		text = talloc_asprintf_append(text, "m=audio %u RTP/AVP %u\r\n", 10000 + 2 * i, i);
		/* discarded streams may carry their own c= and attributes */
		if (i >= SL_SDP_MAX_MEDIA)
			text = talloc_strdup_append(text, "c=IN IP4 198.51.100.99\r\na=sendonly\r\n");
	}
	assert_int_equal(parse_lit(fx->ctx, text, &s), SL_SDP_OK);
	assert_int_equal(s.n_media, SL_SDP_MAX_MEDIA);
	assert_int_equal(s.skipped_media, 3);
	for (i = 0; i < SL_SDP_MAX_MEDIA; i++) {
		assert_int_equal(s.m[i].port, 10000 + 2 * i);
		assert_int_equal(s.m[i].pt[0], i);
		assert_addr(&s.m[i].addr, "192.0.2.1");
		assert_int_equal(s.m[i].dir, SL_SDP_SENDRECV);
	}
	talloc_free(text);
}

/* --- errors ------------------------------------------------------------- */

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		enum sl_sdp_err rc;
	} cases[] = {
		{ "", SL_SDP_ERR_NOT_SDP },
		{ "\r\n\r\n", SL_SDP_ERR_NOT_SDP },
		{ "v", SL_SDP_ERR_NOT_SDP },
		{ "v=", SL_SDP_ERR_NOT_SDP },
		{ "v=1\r\n", SL_SDP_ERR_NOT_SDP },
		{ "v=00\r\n", SL_SDP_ERR_NOT_SDP },
		{ "o=x\r\nv=0\r\n", SL_SDP_ERR_NOT_SDP },
		{ "hello world\r\n", SL_SDP_ERR_NOT_SDP },
		{ "<html>", SL_SDP_ERR_NOT_SDP },
		{ "v=0\r\nhello\r\n", SL_SDP_ERR_BAD_LINE },
		{ "v=0\r\nx\r\n", SL_SDP_ERR_BAD_LINE },
		{ "v=0\r\n =x\r\n", SL_SDP_OK }, /* type ' ' is merely unknown */
		{ "v=0\r\nm=audio\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=audio 5004\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=audio x RTP/AVP 0\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=audio 65536 RTP/AVP 0\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=audio -1 RTP/AVP 0\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=audio /2 RTP/AVP 0\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nm=audio 5004 RTP/AVP 0\r\nm=video\r\n", SL_SDP_ERR_BAD_MEDIA },
		{ "v=0\r\nc=IN IP4 999.1.1.1\r\n", SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nc=IN IP4 2001:db8::1\r\n", SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nc=IN IP6 192.0.2.1\r\n", SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nc=IN IP4\r\n", SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nc=\r\n", SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nc=XX IP4 192.0.2.1\r\n", SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nc=IN IP4 192.0.2.1234567890123456789012345678901234567890123456789012345678901234\r\n",
		  SL_SDP_ERR_BAD_CONN },
		{ "v=0\r\nm=audio 5004 RTP/AVP 0\r\nc=IN IP4 1.2.3\r\n", SL_SDP_ERR_BAD_CONN },
	};
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_sdp s;
		enum sl_sdp_err rc = parse_lit(fx->ctx, cases[i].text, &s);

		if (rc != cases[i].rc)
			fail_msg("'%s': got %s, want %s", cases[i].text, sl_sdp_err_names[rc],
				 sl_sdp_err_names[cases[i].rc]);
	}
	for (i = 0; i < _SL_SDP_ERR_COUNT; i++)
		assert_non_null(sl_sdp_err_names[i]);
	/* a NULL body is "not SDP", not a crash */
	{
		struct sl_sdp s;
		assert_int_equal(sl_sdp_parse(sl_str_make(NULL, 0), &s), SL_SDP_ERR_NOT_SDP);
	}
}

/* --- truncation, garbage ------------------------------------------------ */

static unsigned count_m_lines(const char *t, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i + 2 <= len; i++)
		if ((i == 0 || t[i - 1] == '\n') && t[i] == 'm' && t[i + 1] == '=')
			n++;
	return n;
}

static void test_truncation(void **state)
{
	struct fixture *fx = *state;
	size_t n = strlen(OFFER), len;

	for (len = 0; len <= n; len++) {
		char *b = exact(fx->ctx, OFFER, len);
		struct sl_sdp s;
		enum sl_sdp_err rc = sl_sdp_parse(sl_str_make(b, len), &s);

		assert_true(rc < _SL_SDP_ERR_COUNT);
		if (rc == SL_SDP_OK)
			assert_sdp_sane(&s, b, len);
		if (len >= 3 && (len == n || b[len - 1] == '\n')) {
			/* cut at a line end: a shorter valid SDP */
			assert_int_equal(rc, SL_SDP_OK);
			assert_int_equal(s.n_media, count_m_lines(b, len));
			if (s.n_media)
				assert_int_equal(s.m[0].port, 49170);
		}
		if (len < 3)
			assert_int_equal(rc, SL_SDP_ERR_NOT_SDP);
		talloc_free(b);
	}
}

static void test_random(void **state)
{
	static const char *const lines[] = {
		"v=0", "o=x 1 1 IN IP4 a", "c=IN IP4 192.0.2.1", "c=IN IP6 ::1", "c=IN IP4 10.0.0.1/5/2",
		"m=audio 5004 RTP/AVP 0 8", "m=video 0 RTP/AVP 96", "m=x 1/2 y", "a=rtpmap:0 PCMU/8000",
		"a=rtcp:9", "a=rtcp-mux", "a=sendonly", "a=rtpmap:", "a=rtcp:", "m=a 1", "c=IN", "t=0 0", "",
		"=", "m=", "a=rtpmap:0",
	};
	struct fixture *fx = *state;
	char buf[600];
	unsigned iter, k;
	size_t len, i;

	rng_state = 0x5d9a11u;
	for (iter = 0; iter < 20000; iter++) {
		struct sl_sdp s;
		enum sl_sdp_err rc;
		char *b;

		if (iter % 3 == 0) {
			len = (size_t)(rng() % 200);
			for (i = 0; i < len; i++)
				buf[i] = (char)rng();
		} else {
			/* v=0 then random lines, random line ends, maybe cut */
			len = 0;
			memcpy(buf, "v=0\n", 4);
			len = 4;
			for (k = 0; k < 1 + rng() % 20; k++) {
				const char *l = lines[rng() % (sizeof(lines) / sizeof(lines[0]))];
				size_t ll = strlen(l);
				if (len + ll + 2 > sizeof(buf))
					break;
				memcpy(buf + len, l, ll);
				len += ll;
				if (rng() % 2)
					buf[len++] = '\r';
				buf[len++] = '\n';
			}
			if (rng() % 4 == 0 && len)
				buf[rng() % len] = (char)rng();
			if (rng() % 4 == 0)
				len = (size_t)(rng() % (len + 1));
		}
		b = exact(fx->ctx, buf, len);
		rc = sl_sdp_parse(sl_str_make(b, len), &s);
		assert_true(rc < _SL_SDP_ERR_COUNT);
		if (rc == SL_SDP_OK)
			assert_sdp_sane(&s, b, len);
		talloc_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lf_and_blank_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_scoping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_media, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
