/*
 * Unit tests for capture/rtp.c, the RTP and RTCP fixed-header parsers
 * (RFC 3550 sections 5.1 and 6.4, RFC 5761 section 4, RFC 3551 table 4).
 * RTP packets are built field by field and every parsed value is checked:
 * payload type, marker, sequence number, timestamp, SSRC, and the payload
 * offset and length once the CSRC list, header extension and padding are
 * accounted for, alone and combined. Wrong versions, padding counts of zero
 * or beyond the packet, and extensions or CSRC lists running past the end
 * are refused with their own error. Every packet is cut at every length
 * into an exactly-sized buffer so that AddressSanitizer reports overreads,
 * and the error for each cut is predicted from where it falls. RTCP is
 * tested for SR and RR, the packet-type range, and the length field at
 * every cut; the RTP/RTCP demultiplexing rule and the static clock-rate
 * table are checked for every payload type. Random bytes from a fixed-seed
 * PRNG must give self-consistent results. The module allocates nothing;
 * the test buffers' talloc context must return to its start block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/rtp.h"

#include "tests/unit/parser_test_util.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct rtp_spec {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts, ssrc;
	unsigned cc;		/* CSRC count */
	bool ext;
	uint16_t ext_words;
	size_t payload;		/* payload bytes, padding excluded */
	uint8_t pad;		/* padding bytes including the count; 0: P bit clear */
};

/* Build an RTP packet into buf; returns its length and the header length in *hdr. */
static size_t build_rtp(uint8_t *buf, size_t cap, const struct rtp_spec *s, size_t *hdr)
{
	size_t n = 0, i;

	assert_true(12 + 4 * s->cc + 4 + 4u * s->ext_words + s->payload + s->pad <= cap);
	buf[n++] = (uint8_t)(0x80 | (s->pad ? 0x20 : 0) | (s->ext ? 0x10 : 0) | s->cc);
	buf[n++] = (uint8_t)((s->marker ? 0x80 : 0) | s->pt);
	put16(buf + n, s->seq);
	n += 2;
	put32(buf + n, s->ts);
	n += 4;
	put32(buf + n, s->ssrc);
	n += 4;
	for (i = 0; i < s->cc; i++, n += 4)
		put32(buf + n, 0xc0000000u + (uint32_t)i);
	if (s->ext) {
		put16(buf + n, 0xbede);
		put16(buf + n + 2, s->ext_words);
		n += 4;
		for (i = 0; i < 4u * s->ext_words; i++)
			buf[n++] = 0xe0;
	}
	*hdr = n;
	for (i = 0; i < s->payload; i++)
		buf[n++] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < s->pad; i++)
		buf[n++] = (i + 1 == s->pad) ? s->pad : 0;
	return n;
}

static enum sl_rtp_err parse_rtp_exact(void *ctx, const uint8_t *p, size_t len, struct sl_rtp_hdr *h)
{
	uint8_t *b = exact(ctx, p, len);
	enum sl_rtp_err e = sl_rtp_parse(b, len, h);

	if (e == SL_RTP_OK)
		assert_true(h->payload_off <= len && h->payload_len <= len - h->payload_off);
	talloc_free(b);
	return e;
}

/* --- RTP ---------------------------------------------------------------- */

static void test_rtp_fields(void **state)
{
	static const struct rtp_spec specs[] = {
		{ 8, false, 0x1234, 0x0000a000, 0xdeadbeef, 0, false, 0, 160, 0 },
		{ 96, true, 0xffff, 0xffffffff, 0x00000001, 0, false, 0, 20, 0 },
		{ 0, false, 0, 0, 0, 0, false, 0, 0, 0 },
		{ 127, true, 1, 2, 3, 2, false, 0, 33, 0 },
		{ 111, false, 7, 8, 9, 15, false, 0, 5, 0 },
		{ 101, false, 7, 8, 9, 0, true, 1, 4, 0 },
		{ 101, false, 7, 8, 9, 0, true, 0, 4, 0 },
		{ 18, false, 7, 8, 9, 0, false, 0, 10, 4 },
		{ 18, false, 7, 8, 9, 0, false, 0, 0, 1 },
		{ 18, false, 7, 8, 9, 0, false, 0, 0, 7 },
		{ 97, true, 0x8000, 0x80000000, 0xcafef00d, 3, true, 2, 50, 3 },
	};
	struct fixture *fx = *state;
	uint8_t pkt[300];
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct rtp_spec *s = &specs[i];
		size_t hdr, n = build_rtp(pkt, sizeof(pkt), s, &hdr);
		struct sl_rtp_hdr h;

		if (parse_rtp_exact(fx->ctx, pkt, n, &h) != SL_RTP_OK)
			fail_msg("spec %zu refused", i);
		assert_int_equal(h.pt, s->pt);
		assert_int_equal(h.marker, s->marker);
		assert_int_equal(h.seq, s->seq);
		assert_int_equal(h.ts, s->ts);
		assert_int_equal(h.ssrc, s->ssrc);
		assert_int_equal(h.payload_off, hdr);
		assert_int_equal(h.payload_len, s->payload);
		assert_int_equal(hdr, 12 + 4 * s->cc + (s->ext ? 4 + 4u * s->ext_words : 0));
	}
}

static void test_rtp_errors(void **state)
{
	struct fixture *fx = *state;
	struct rtp_spec s = { 8, false, 1, 2, 3, 0, false, 0, 10, 0 };
	uint8_t pkt[64];
	size_t hdr, n;
	struct sl_rtp_hdr h;
	unsigned v;

	/* versions 0, 1 and 3 */
	n = build_rtp(pkt, sizeof(pkt), &s, &hdr);
	for (v = 0; v < 4; v++) {
		pkt[0] = (uint8_t)((pkt[0] & 0x3f) | (v << 6));
		assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), v == 2 ? SL_RTP_OK : SL_RTP_ERR_VERSION);
	}

	/* padding count zero, larger than the payload, or no room for it at all */
	s.pad = 4;
	n = build_rtp(pkt, sizeof(pkt), &s, &hdr);
	pkt[n - 1] = 0;
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_PADDING);
	pkt[n - 1] = (uint8_t)(n - hdr + 1);
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_PADDING);
	pkt[n - 1] = (uint8_t)(n - hdr); /* the whole payload is padding */
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_OK);
	assert_int_equal(h.payload_len, 0);
	pkt[n - 1] = 0xff;
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_PADDING);
	/* P bit set on a header-only packet */
	s.pad = 0;
	s.payload = 0;
	n = build_rtp(pkt, sizeof(pkt), &s, &hdr);
	pkt[0] |= 0x20;
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_PADDING);

	/* extension length beyond the packet; extension header itself cut */
	s.ext = true;
	s.ext_words = 2;
	s.payload = 0;
	n = build_rtp(pkt, sizeof(pkt), &s, &hdr);
	put16(pkt + 14, 3);
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_EXTENSION);
	put16(pkt + 14, 0xffff);
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_EXTENSION);
	put16(pkt + 14, 2);
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_OK);
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, 15, &h), SL_RTP_ERR_EXTENSION);

	/* CSRC count larger than the packet */
	s.ext = false;
	s.cc = 0;
	s.payload = 8;
	n = build_rtp(pkt, sizeof(pkt), &s, &hdr);
	pkt[0] |= 0x03; /* claims 12 CSRC bytes, 8 present */
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_ERR_TRUNCATED);
	pkt[0] = (uint8_t)((pkt[0] & 0xf0) | 0x02);
	assert_int_equal(parse_rtp_exact(fx->ctx, pkt, n, &h), SL_RTP_OK);
	assert_int_equal(h.payload_off, 20);
	assert_int_equal(h.payload_len, 0);
}

/* Cut a packet at every length and predict the outcome. */
static void test_rtp_truncation(void **state)
{
	static const struct rtp_spec specs[] = {
		{ 8, false, 0x1234, 0x0000a000, 0xdeadbeef, 0, false, 0, 40, 0 },
		{ 97, true, 0x8000, 0x80000000, 0xcafef00d, 3, true, 2, 20, 0 },
		{ 97, true, 0x8000, 0x80000000, 0xcafef00d, 15, true, 5, 3, 0 },
		{ 18, false, 7, 8, 9, 1, true, 1, 6, 5 },
	};
	struct fixture *fx = *state;
	uint8_t pkt[300];
	size_t i, len;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct rtp_spec *s = &specs[i];
		size_t hdr, n = build_rtp(pkt, sizeof(pkt), s, &hdr);
		size_t csrc_end = 12 + 4 * s->cc;

		for (len = 0; len <= n; len++) {
			struct sl_rtp_hdr h;
			enum sl_rtp_err e = parse_rtp_exact(fx->ctx, pkt, len, &h), want;

			if (len < csrc_end)
				want = SL_RTP_ERR_TRUNCATED;
			else if (len < hdr)
				want = SL_RTP_ERR_EXTENSION;
			else if (!s->pad)
				want = SL_RTP_OK;
			else if (len == hdr)
				want = SL_RTP_ERR_PADDING; /* P bit and nothing after the header */
			else {
				/* the last byte of the cut is taken as the count: valid only if 1..left */
				uint8_t last = pkt[len - 1];
				want = (last && last <= len - hdr) ? SL_RTP_OK : SL_RTP_ERR_PADDING;
			}
			if (e != want)
				fail_msg("spec %zu cut at %zu/%zu: error %d, want %d", i, len, n, e, want);
			if (e == SL_RTP_OK) {
				assert_int_equal(h.payload_off, hdr);
				assert_int_equal(h.seq, s->seq);
				assert_int_equal(h.ssrc, s->ssrc);
				if (!s->pad)
					assert_int_equal(h.payload_len, len - hdr);
				else
					assert_int_equal(h.payload_len, len - hdr - pkt[len - 1]);
			}
		}
	}
}

/* --- RTCP --------------------------------------------------------------- */

static size_t build_rtcp(uint8_t *buf, uint8_t count, uint8_t type, uint16_t words, uint32_t ssrc)
{
	size_t n = 4 * ((size_t)words + 1), i;

	buf[0] = (uint8_t)(0x80 | count);
	buf[1] = type;
	put16(buf + 2, words);
	put32(buf + 4, ssrc);
	for (i = 8; i < n; i++)
		buf[i] = (uint8_t)i;
	return n;
}

static void test_rtcp(void **state)
{
	struct fixture *fx = *state;
	uint8_t pkt[128], *b;
	uint8_t type;
	uint32_t ssrc;
	size_t n, len;
	unsigned t;

	/* SR without report blocks: 28 bytes, length field 6 */
	n = build_rtcp(pkt, 0, 200, 6, 0x11223344);
	assert_int_equal(n, 28);
	for (len = 0; len <= n; len++) {
		enum sl_rtp_err e;

		b = exact(fx->ctx, pkt, len);
		e = sl_rtcp_parse(b, len, &type, &ssrc);
		assert_int_equal(e, len == n ? SL_RTP_OK : SL_RTP_ERR_TRUNCATED);
		talloc_free(b);
	}
	b = exact(fx->ctx, pkt, n);
	assert_int_equal(sl_rtcp_parse(b, n, &type, &ssrc), SL_RTP_OK);
	assert_int_equal(type, 200);
	assert_int_equal(ssrc, 0x11223344);
	talloc_free(b);

	/* RR with one block followed by SDES: a compound packet longer than its first report */
	n = build_rtcp(pkt, 1, 201, 7, 0xa5a5a5a5);
	n += build_rtcp(pkt + n, 1, 202, 3, 0xa5a5a5a5);
	b = exact(fx->ctx, pkt, n);
	assert_int_equal(sl_rtcp_parse(b, n, &type, &ssrc), SL_RTP_OK);
	assert_int_equal(type, 201);
	assert_int_equal(ssrc, 0xa5a5a5a5);
	talloc_free(b);

	/* packet types outside 192..223 are not RTCP; wrong version either */
	for (t = 0; t < 256; t++) {
		enum sl_rtp_err e;

		n = build_rtcp(pkt, 0, (uint8_t)t, 1, 1);
		b = exact(fx->ctx, pkt, n);
		e = sl_rtcp_parse(b, n, &type, &ssrc);
		assert_int_equal(e, t >= 192 && t <= 223 ? SL_RTP_OK : SL_RTP_ERR_VERSION);
		talloc_free(b);
	}
	n = build_rtcp(pkt, 0, 200, 6, 1);
	pkt[0] = 0x40;
	assert_int_equal(sl_rtcp_parse(pkt, n, &type, &ssrc), SL_RTP_ERR_VERSION);
	pkt[0] = 0xc0;
	assert_int_equal(sl_rtcp_parse(pkt, n, &type, &ssrc), SL_RTP_ERR_VERSION);

	/* a length field claiming more than is there */
	n = build_rtcp(pkt, 0, 200, 6, 1);
	put16(pkt + 2, 0xffff);
	assert_int_equal(sl_rtcp_parse(pkt, n, &type, &ssrc), SL_RTP_ERR_TRUNCATED);
	put16(pkt + 2, 7);
	assert_int_equal(sl_rtcp_parse(pkt, n, &type, &ssrc), SL_RTP_ERR_TRUNCATED);
	put16(pkt + 2, 0);
	assert_int_equal(sl_rtcp_parse(pkt, n, &type, &ssrc), SL_RTP_OK);
}

static void test_looks_like_rtcp(void **state)
{
	struct fixture *fx = *state;
	uint8_t pkt[8] = { 0x80, 200, 0, 1, 0, 0, 0, 1 };
	unsigned b1, v;
	size_t len;

	for (v = 0; v < 4; v++) {
		for (b1 = 0; b1 < 256; b1++) {
			pkt[0] = (uint8_t)(v << 6);
			pkt[1] = (uint8_t)b1;
			assert_int_equal(sl_rtp_looks_like_rtcp(pkt, 8), v == 2 && b1 >= 192 && b1 <= 223);
		}
	}
	/* RTP payload types 72..76 collide with RTCP SR..APP, with or without the marker bit */
	pkt[0] = 0x80;
	pkt[1] = 0x80 | 72;
	assert_true(sl_rtp_looks_like_rtcp(pkt, 8));
	pkt[1] = 96;
	assert_false(sl_rtp_looks_like_rtcp(pkt, 8));
	pkt[1] = 0x80 | 96;
	assert_false(sl_rtp_looks_like_rtcp(pkt, 8));
	/* shorter than an RTCP header: never, and never read past the end */
	pkt[1] = 200;
	for (len = 0; len < 8; len++) {
		uint8_t *b = exact(fx->ctx, pkt, len);
		assert_false(sl_rtp_looks_like_rtcp(b, len));
		talloc_free(b);
	}
}

static void test_static_clock(void **state)
{
	static const uint32_t want[35] = {
		[0] = 8000,   [3] = 8000,   [4] = 8000,   [5] = 8000,   [6] = 16000,  [7] = 8000,   [8] = 8000,
		[9] = 8000,   [10] = 44100, [11] = 44100, [12] = 8000,  [13] = 8000,  [14] = 90000, [15] = 8000,
		[16] = 11025, [17] = 22050, [18] = 8000,  [25] = 90000, [26] = 90000, [28] = 90000, [31] = 90000,
		[32] = 90000, [33] = 90000, [34] = 90000,
	};
	unsigned pt;

	for (pt = 0; pt < 256; pt++) {
		uint32_t w = pt < 35 ? want[pt] : 0;
		if (sl_rtp_static_clock((uint8_t)pt) != w)
			fail_msg("pt %u: clock %u, want %u", pt, sl_rtp_static_clock((uint8_t)pt), w);
	}
	(void)state;
}

/* --- random ------------------------------------------------------------- */

static void test_random(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[96];
	unsigned iter;
	size_t i;

	rng_state = 0x7e57c0deu;
	for (iter = 0; iter < 100000; iter++) {
		size_t len = (size_t)(rng() % sizeof(buf));
		struct sl_rtp_hdr h;
		uint8_t type, *b;
		uint32_t ssrc;
		enum sl_rtp_err e;

		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		if (len && (iter & 1))
			buf[0] = (uint8_t)(0x80 | (buf[0] & 0x3f)); /* version 2 half the time */
		b = exact(fx->ctx, buf, len);
		e = sl_rtp_parse(b, len, &h);
		assert_true(e <= SL_RTP_ERR_EXTENSION);
		if (e == SL_RTP_OK) {
			size_t hdr = 12 + 4u * (buf[0] & 0x0f);
			assert_true(len >= 12);
			assert_int_equal(buf[0] >> 6, 2);
			assert_true(h.payload_off >= hdr);
			assert_true(h.payload_off + h.payload_len <= len);
			assert_int_equal(h.pt, buf[1] & 0x7f);
			assert_int_equal(h.ssrc, ((uint32_t)buf[8] << 24) | ((uint32_t)buf[9] << 16) |
							 ((uint32_t)buf[10] << 8) | buf[11]);
			if (buf[0] & 0x20)
				assert_int_equal(h.payload_off + h.payload_len + buf[len - 1], len);
			else
				assert_int_equal(h.payload_off + h.payload_len, len);
		} else if (len < 12) {
			assert_int_equal(e, SL_RTP_ERR_TRUNCATED);
		}
		e = sl_rtcp_parse(b, len, &type, &ssrc);
		if (e == SL_RTP_OK) {
			assert_true(len >= 8 && type >= 192 && type <= 223);
			assert_true(4u * (((size_t)buf[2] << 8 | buf[3]) + 1) <= len);
			assert_true(sl_rtp_looks_like_rtcp(b, len));
		}
		talloc_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtp_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_looks_like_rtcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
