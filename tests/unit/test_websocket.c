/*
 * Unit tests for capture/websocket.c, the WebSocket frame header parser
 * and unmasker used for SIP over WebSocket (RFC 6455 section 5.2, RFC
 * 7118). The RFC 6455 section 5.7 examples are decoded and unmasked byte for
 * byte. All 65536 combinations of the first two header bytes are checked
 * against an independent model of the rules a receiver must enforce
 * (reserved opcodes, RSV bits, fragmented or long control frames), each
 * with its minimal 16- and 64-bit length encodings and an optional mask,
 * and every header that parses is cut at every shorter length into an
 * exactly-sized buffer: all cuts must ask for more bytes, and
 * AddressSanitizer reports any overread. Non-minimal and top-bit lengths
 * are refused. Unmasking is checked at every offset and in place, and
 * random bytes from a fixed-seed PRNG must give consistent results. The
 * module allocates nothing; the test buffers' talloc context must return
 * to its start block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/websocket.h"

#include "tests/unit/parser_test_util.h"

static enum sl_ws_res parse_exact(void *ctx, const uint8_t *p, size_t len, struct sl_ws_frame *f)
{
	uint8_t *b = exact(ctx, p, len);
	enum sl_ws_res r = sl_ws_parse_header(b, len, f);

	talloc_free(b);
	return r;
}

/* Every cut of a header shorter than hdr_len needs more bytes. */
static void assert_cuts_need_more(void *ctx, const uint8_t *p, size_t hdr_len)
{
	struct sl_ws_frame f;
	size_t len;

	for (len = 0; len < hdr_len; len++)
		if (parse_exact(ctx, p, len, &f) != SL_WS_NEED_MORE)
			fail_msg("cut at %zu of %zu (0x%02x 0x%02x) did not ask for more", len, hdr_len, p[0], p[1]);
}

/* --- RFC 6455 5.7 examples ---------------------------------------------- */

static void test_rfc_examples(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t unmasked_hello[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
	static const uint8_t masked_hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const uint8_t frag1[] = { 0x01, 0x03, 0x48, 0x65, 0x6c };
	static const uint8_t frag2[] = { 0x80, 0x02, 0x6c, 0x6f };
	static const uint8_t ping[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
	static const uint8_t pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const uint8_t bin256[] = { 0x82, 0x7e, 0x01, 0x00 };
	static const uint8_t bin64k[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00 };
	struct sl_ws_frame f;
	uint8_t out[8];

	assert_int_equal(parse_exact(fx->ctx, unmasked_hello, sizeof(unmasked_hello), &f), SL_WS_OK);
	assert_true(f.fin);
	assert_int_equal(f.opcode, SL_WS_TEXT);
	assert_false(f.masked);
	assert_int_equal(f.payload_len, 5);
	assert_int_equal(f.hdr_len, 2);

	assert_int_equal(parse_exact(fx->ctx, masked_hello, sizeof(masked_hello), &f), SL_WS_OK);
	assert_true(f.masked);
	assert_int_equal(f.payload_len, 5);
	assert_int_equal(f.hdr_len, 6);
	assert_memory_equal(f.mask, masked_hello + 2, 4);
	sl_ws_unmask(out, masked_hello + f.hdr_len, 5, f.mask, 0);
	assert_memory_equal(out, "Hello", 5);
	assert_cuts_need_more(fx->ctx, masked_hello, 6);

	assert_int_equal(parse_exact(fx->ctx, frag1, sizeof(frag1), &f), SL_WS_OK);
	assert_false(f.fin);
	assert_int_equal(f.opcode, SL_WS_TEXT);
	assert_int_equal(f.payload_len, 3);
	assert_int_equal(parse_exact(fx->ctx, frag2, sizeof(frag2), &f), SL_WS_OK);
	assert_true(f.fin);
	assert_int_equal(f.opcode, SL_WS_CONT);
	assert_int_equal(f.payload_len, 2);

	assert_int_equal(parse_exact(fx->ctx, ping, sizeof(ping), &f), SL_WS_OK);
	assert_int_equal(f.opcode, SL_WS_PING);
	assert_true(sl_ws_is_control(f.opcode));
	assert_int_equal(parse_exact(fx->ctx, pong, sizeof(pong), &f), SL_WS_OK);
	assert_int_equal(f.opcode, SL_WS_PONG);
	assert_true(f.masked);

	assert_int_equal(parse_exact(fx->ctx, bin256, sizeof(bin256), &f), SL_WS_OK);
	assert_int_equal(f.opcode, SL_WS_BINARY);
	assert_int_equal(f.payload_len, 256);
	assert_int_equal(f.hdr_len, 4);
	assert_cuts_need_more(fx->ctx, bin256, 4);

	assert_int_equal(parse_exact(fx->ctx, bin64k, sizeof(bin64k), &f), SL_WS_OK);
	assert_int_equal(f.payload_len, 65536);
	assert_int_equal(f.hdr_len, 10);
	assert_cuts_need_more(fx->ctx, bin64k, 10);

	assert_false(sl_ws_is_control(SL_WS_TEXT));
	assert_false(sl_ws_is_control(SL_WS_BINARY));
	assert_false(sl_ws_is_control(SL_WS_CONT));
	assert_true(sl_ws_is_control(SL_WS_CLOSE));
}

/* --- lengths ------------------------------------------------------------ */

static void test_lengths(void **state)
{
	static const struct {
		uint8_t hdr[14];
		size_t n;
		enum sl_ws_res res;
		uint64_t len;
	} cases[] = {
		{ { 0x81, 0x00 }, 2, SL_WS_OK, 0 },
		{ { 0x81, 0x7d }, 2, SL_WS_OK, 125 },
		{ { 0x81, 0x7e, 0x00, 0x7e }, 4, SL_WS_OK, 126 },
		{ { 0x81, 0x7e, 0xff, 0xff }, 4, SL_WS_OK, 65535 },
		{ { 0x81, 0x7e, 0x00, 0x7d }, 4, SL_WS_MALFORMED, 0 },	/* 125 fits in 7 bits */
		{ { 0x81, 0x7e, 0x00, 0x00 }, 4, SL_WS_MALFORMED, 0 },
		{ { 0x81, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 }, 10, SL_WS_OK, 65536 },
		{ { 0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 10, SL_WS_MALFORMED, 0 }, /* fits in 16 bits */
		{ { 0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0 }, 10, SL_WS_MALFORMED, 0 },
		{ { 0x81, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 10, SL_WS_OK, 0x7fffffffffffffffull },
		{ { 0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 10, SL_WS_MALFORMED, 0 }, /* top bit set */
		{ { 0x81, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 }, 10, SL_WS_OK, 0x100000000ull },
		{ { 0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4 }, 14, SL_WS_OK, 65536 },
		/* control frames: at most 125 bytes, never fragmented */
		{ { 0x89, 0x7d }, 2, SL_WS_OK, 125 },
		{ { 0x89, 0x7e, 0x00, 0x7e }, 4, SL_WS_MALFORMED, 0 },
		{ { 0x88, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 }, 10, SL_WS_MALFORMED, 0 },
		{ { 0x09, 0x00 }, 2, SL_WS_MALFORMED, 0 },
		{ { 0x08, 0x02 }, 2, SL_WS_MALFORMED, 0 },
		{ { 0x0a, 0x80, 1, 2, 3, 4 }, 6, SL_WS_MALFORMED, 0 },
	};
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_ws_frame f;
		enum sl_ws_res r = parse_exact(fx->ctx, cases[i].hdr, cases[i].n, &f);

		if (r != cases[i].res)
			fail_msg("case %zu: result %d, want %d", i, r, cases[i].res);
		if (r == SL_WS_OK) {
			assert_int_equal(f.payload_len, cases[i].len);
			assert_int_equal(f.hdr_len, cases[i].n);
			assert_cuts_need_more(fx->ctx, cases[i].hdr, cases[i].n);
		}
		/* trailing payload bytes do not change the header */
		if (r == SL_WS_OK) {
			uint8_t more[32];
			memset(more, 0xee, sizeof(more));
			memcpy(more, cases[i].hdr, cases[i].n);
			assert_int_equal(parse_exact(fx->ctx, more, sizeof(more), &f), SL_WS_OK);
			assert_int_equal(f.hdr_len, cases[i].n);
			assert_int_equal(f.payload_len, cases[i].len);
		}
	}
}

/* --- exhaustive first two bytes ----------------------------------------- */

static bool opcode_known(unsigned op)
{
	return op == 0 || op == 1 || op == 2 || op == 8 || op == 9 || op == 10;
}

static void test_all_first_bytes(void **state)
{
	struct fixture *fx = *state;
	unsigned b0, b1, ok = 0, bad = 0;

	for (b0 = 0; b0 < 256; b0++) {
		for (b1 = 0; b1 < 256; b1++) {
			uint8_t hdr[14];
			unsigned l7 = b1 & 0x7f, op = b0 & 0x0f;
			bool fin = b0 & 0x80, masked = b1 & 0x80;
			size_t n = 2;
			uint64_t plen = l7;
			enum sl_ws_res want;
			struct sl_ws_frame f;

			hdr[0] = (uint8_t)b0;
			hdr[1] = (uint8_t)b1;
			if (l7 == 126) {
				hdr[n++] = 0x01; /* 256: minimal for 16 bits */
				hdr[n++] = 0x00;
				plen = 256;
			} else if (l7 == 127) {
				static const uint8_t l64[8] = { 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 };
				memcpy(hdr + n, l64, 8);
				n += 8;
				plen = 65536;
			}
			if (masked) {
				memcpy(hdr + n, "\x11\x22\x33\x44", 4);
				n += 4;
			}

			if (b0 & 0x70)
				want = SL_WS_MALFORMED;
			else if (!opcode_known(op))
				want = SL_WS_MALFORMED;
			else if ((op & 8) && (!fin || plen > 125))
				want = SL_WS_MALFORMED;
			else
				want = SL_WS_OK;

			if (parse_exact(fx->ctx, hdr, n, &f) != want)
				fail_msg("0x%02x 0x%02x: want %d", b0, b1, want);
			if (want == SL_WS_OK) {
				ok++;
				assert_int_equal(f.fin, fin);
				assert_int_equal(f.opcode, op);
				assert_int_equal(f.masked, masked);
				assert_int_equal(f.payload_len, plen);
				assert_int_equal(f.hdr_len, n);
				if (masked)
					assert_memory_equal(f.mask, "\x11\x22\x33\x44", 4);
				assert_cuts_need_more(fx->ctx, hdr, n);
			} else {
				bad++;
				/*
				 * RSV bits, opcode and a fragmented short control frame are
				 * refused from the first two bytes; an extended length is
				 * read before the control-frame limits apply.
				 */
				assert_int_equal(parse_exact(fx->ctx, hdr, 2, &f),
						 (b0 & 0x70) || !opcode_known(op) || l7 <= 125 ? SL_WS_MALFORMED
											       : SL_WS_NEED_MORE);
			}
		}
	}
	/* 6 opcodes x fin x mask x 128 lengths, minus the illegal control frames */
	assert_int_equal(ok, 3 * 2 * 2 * 128 + 3 * 1 * 2 * 126);
	assert_int_equal(ok + bad, 65536);
}

/* --- unmasking ---------------------------------------------------------- */

static void test_unmask(void **state)
{
	static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	static const uint8_t masked[] = { 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const char hello[] = "Hello";
	uint8_t buf[16], src[16], tmp[16];
	size_t off, i, n;

	/* offset k continues the mask where an earlier chunk stopped */
	for (off = 0; off <= 5; off++) {
		memset(buf, 0, sizeof(buf));
		sl_ws_unmask(buf, masked + off, 5 - off, mask, off);
		assert_memory_equal(buf, &hello[off], 5 - off);
	}
	/* in place, and a round trip at every offset and length */
	memcpy(buf, masked, 5);
	sl_ws_unmask(buf, buf, 5, mask, 0);
	assert_memory_equal(buf, "Hello", 5);
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 29 + 3);
	for (off = 0; off < 8; off++) {
		for (n = 0; n <= sizeof(src); n++) {
			sl_ws_unmask(tmp, src, n, mask, off);
			for (i = 0; i < n; i++)
				assert_int_equal(tmp[i], src[i] ^ mask[(off + i) % 4]);
			sl_ws_unmask(tmp, tmp, n, mask, off);
			assert_memory_equal(tmp, src, n);
		}
	}
	/* n = 0 touches nothing */
	memset(buf, 0xaa, sizeof(buf));
	sl_ws_unmask(buf, src, 0, mask, 3);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xaa);
	(void)state;
}

/* --- random ------------------------------------------------------------- */

static void test_random(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[24];
	unsigned iter;
	size_t i;

	rng_state = 0x0ebc0ffeu;
	for (iter = 0; iter < 100000; iter++) {
		size_t len = (size_t)(rng() % sizeof(buf));
		struct sl_ws_frame f, g;
		enum sl_ws_res r;

		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		r = parse_exact(fx->ctx, buf, len, &f);
		assert_true(r == SL_WS_OK || r == SL_WS_NEED_MORE || r == SL_WS_MALFORMED);
		if (r == SL_WS_OK) {
			assert_true(f.hdr_len <= len);
			assert_true(f.hdr_len == 2 || f.hdr_len == 4 || f.hdr_len == 6 || f.hdr_len == 8 ||
				    f.hdr_len == 10 || f.hdr_len == 14);
			assert_int_equal(f.hdr_len, 2 + (f.masked ? 4 : 0) +
							    ((buf[1] & 0x7f) == 126 ? 2 : (buf[1] & 0x7f) == 127 ? 8 : 0));
			assert_true(f.payload_len < (1ull << 63));
			/* the same header with its payload cut off parses the same */
			assert_int_equal(parse_exact(fx->ctx, buf, f.hdr_len, &g), SL_WS_OK);
			assert_int_equal(g.payload_len, f.payload_len);
		} else if (r == SL_WS_NEED_MORE) {
			/* no header is longer than 14 bytes */
			assert_true(len < 14);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rfc_examples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_first_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
