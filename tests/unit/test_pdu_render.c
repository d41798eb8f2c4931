/*
 * JSON rendering of decoded handover PDUs (render/pdu_render.c): an
 * IPMMIRI with a printable SIP message, an IPMMCC with binary RTP content
 * (hex), and an ETSI671IRI with parties render as one JSON object with the
 * ASN.1 component names as keys. And the printable-byte test the
 * renderers share (render/printable.c), at the edges of both sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "handover/pdu.h"
#include "handover/pdu_decode.h"
#include "render/pdu_render.h"
#include "render/printable.h"

static void render(void *ctx, struct sl_ber_w *w, char *out, size_t cap)
{
	const uint8_t *p;
	size_t n;
	struct sl_pdu_decoded d;
	struct sl_json j;

	assert_true(sl_ber_w_result(w, &p, &n));
	assert_int_equal(sl_pdu_decode(NULL, p, n, &d, NULL, 0), 0);
	sl_json_init(&j, ctx);
	sl_pdu_to_json(&j, &d);
	assert_true(j.len < cap);
	memcpy(out, j.buf, j.len);
	out[j.len] = '\0';
	sl_json_free(&j);
	sl_ber_w_reset(w);
}

static void test_render(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "test_pdu_render");
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_pdu_ctx_cfg cfg = { .liid = "LIID1", .operator_id = "OP", .ts_digits = 6 };
	struct sl_pdu_ctx *pc = sl_pdu_ctx_alloc(ctx, &cfg);
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 9, .seqno = 3, .ts_us = 1700000000123456ull };
	static const char bye[] = "BYE sip:a SIP/2.0\r\n\r\n";
	static const uint8_t rtp[4] = { 0x80, 0x00, 0xab, 0xcd };
	struct sl_ipmm_sip sip = { .msg = (const uint8_t *)bye, .len = sizeof(bye) - 1 };
	struct sl_ipmm_cc cc = { .data = rtp, .len = 4, .frame = SL_MMCC_FRAME_RTP };
	struct sl_hi2_iri iri;
	static uint8_t buf[4096];
	char out[4096];
	struct sl_ber_w w;

	(void)state;
	assert_non_null(pc);
	sl_ber_w_init(&w, buf, sizeof(buf));
	sip.src.addr.family = sip.dst.addr.family = SL_AF_INET4;
	sip.src.addr.a[0] = 192;
	sip.dst.addr.a[0] = 10;
	assert_int_equal(sl_pdu_iri_ipmm(&w, pc, &h, SL_IRI_BEGIN, &sip), 0);
	render(ctx, &w, out, sizeof(out));
	assert_non_null(strstr(out, "{\"kind\":\"iri_ipmm\",\"pSHeader\":{\"li-psDomainId\":\"0.4.0.2.2.5.1.33\","
				    "\"lawfulInterceptionIdentifier\":\"LIID1\""));
	assert_non_null(strstr(out, "\"communicationIdentityNumber\":9"));
	assert_non_null(strstr(out, "\"timeStamp\":1700000000.123456"));
	assert_non_null(strstr(out, "\"iRIType\":\"begin\""));
	assert_non_null(strstr(out, "\"iPSourceAddress\":\"192.0.0.0\""));
	assert_non_null(strstr(out, "\"sIPContent\":\"BYE sip:a SIP/2.0\\r\\n\\r\\n\""));

	assert_int_equal(sl_pdu_cc_ipmm(&w, pc, &h, &cc), 0);
	render(ctx, &w, out, sizeof(out));
	assert_non_null(strstr(out, "\"mMCCContents\":{\"hex\":\"8000abcd\"}"));

	memset(&iri, 0, sizeof(iri));
	iri.type = SL_IRI_END;
	iri.ts_us = h.ts_us;
	iri.orig.n = 1;
	iri.orig.id[0].type = SL_ID_E164;
	memcpy(iri.orig.id[0].value, "+4930", 6);
	assert_int_equal(sl_pdu_iri_hi2(&w, pc, &h, &iri), 0);
	render(ctx, &w, out, sizeof(out));
	assert_non_null(strstr(out, "\"iRI-Parameters\":{\"domainID\":\"0.4.0.2.2.1.18\""));
	assert_non_null(strstr(out, "\"originating-Party\":{\"e164\":\"+4930\"}"));
	assert_int_equal(out[strlen(out) - 1], '}');

	talloc_free(pc);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

static void test_printable(void **state)
{
	static const uint8_t line[] = "INVITE sip:a@b SIP/2.0 ~";
	static const uint8_t text[] = "INVITE sip:a@b SIP/2.0\r\nVia:\tx\r\n";
	uint8_t b;
	unsigned c;

	(void)state;
	assert_true(sl_printable(line, sizeof(line) - 1, SL_PRINTABLE_LINE));
	assert_true(sl_printable(line, sizeof(line) - 1, SL_PRINTABLE_TEXT));
	assert_false(sl_printable(text, sizeof(text) - 1, SL_PRINTABLE_LINE));
	assert_true(sl_printable(text, sizeof(text) - 1, SL_PRINTABLE_TEXT));
	assert_true(sl_printable(NULL, 0, SL_PRINTABLE_LINE));
	assert_true(sl_printable(line, 0, SL_PRINTABLE_TEXT));
	for (c = 0; c < 256; c++) {
		bool in_line = c >= 0x20 && c <= 0x7e;

		b = (uint8_t)c;
		assert_int_equal(sl_printable(&b, 1, SL_PRINTABLE_LINE), in_line);
		assert_int_equal(sl_printable(&b, 1, SL_PRINTABLE_TEXT),
				 in_line || c == '\t' || c == '\r' || c == '\n');
	}
	/* one bad byte at the end is enough */
	assert_false(sl_printable(text, sizeof(text), SL_PRINTABLE_TEXT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
