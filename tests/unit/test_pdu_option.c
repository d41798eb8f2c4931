/*
 * TS 102 232-1 clause 6.3.5 option negotiation PDUs: golden byte vectors
 * for optionRequest, optionResponse and optionComplete worked out by hand
 * from annex A.2, their decoding (option sets, unknown alternatives,
 * malformed and unsupported shapes, every truncation), their rendering
 * through the field walk, and the receiver's negotiation state machine
 * (lemf/lemf_optneg.h) PDU by PDU.
 *
 * Derivation (module LI-PS-PDU, IMPLICIT TAGS; a tagged CHOICE is
 * explicit). Option ::= CHOICE { pDUAcknowledgement [0] NULL, ... } is
 * untagged inside its SEQUENCE OF, so the element is 80 00.
 *   OptionRequest  ::= SEQUENCE { requestedOptions [0] SEQUENCE OF Option, ... }
 *     as optionRequest [9]:  a9 len { a0 len { options } }
 *   OptionResponse ::= SEQUENCE { acceptedOptions [0] ..., declinedOptions [1] ..., ... }
 *     as optionResponse [10]: aa len { a0 len { ... } a1 len { ... } }
 *   optionComplete [11] NULL: 8b 00
 * Each sits in tRIPayload [2] (explicit, a2) inside payload [2] (explicit,
 * a2) after the TRI PSHeader of pdu_golden.h (no CIN, qualifier
 * timeOfMediation; 2 + 69 = 71 octets). Sequence number 0 is 84 01 00.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"
#include "lemf/lemf_optneg.h"
#include "tests/unit/pdu_golden.h"

/*
 * optionRequest 0 for pDUAcknowledgement:
 *   a9 04 { a0 02 { 80 00 } } = 6; tRIPayload a2 06 = 8; payload a2 08 = 10;
 *   PS-PDU content 71 + 10 = 81 = 0x51.
 */
static const uint8_t g_req_ack[] = {
	0x30, 0x51, G_HDR_NOCIN(0x00), 0xa2, 0x08, 0xa2, 0x06, 0xa9, 0x04, 0xa0, 0x02, 0x80, 0x00,
};
/* optionRequest 0 for nothing: a9 02 { a0 00 } = 4; a2 04; a2 06 = 8; 71 + 8 = 79 = 0x4f. */
static const uint8_t g_req_none[] = {
	0x30, 0x4f, G_HDR_NOCIN(0x00), 0xa2, 0x06, 0xa2, 0x04, 0xa9, 0x02, 0xa0, 0x00,
};
/*
 * optionResponse 0 accepting pDUAcknowledgement:
 *   aa 06 { a0 02 { 80 00 } a1 00 } = 8; a2 08 = 10; a2 0a = 12; 71 + 12 = 83 = 0x53.
 */
static const uint8_t g_resp_acc[] = {
	0x30, 0x53, G_HDR_NOCIN(0x00), 0xa2, 0x0a, 0xa2, 0x08, 0xaa, 0x06, 0xa0, 0x02, 0x80, 0x00, 0xa1, 0x00,
};
/* The same declining it: aa 06 { a0 00 a1 02 { 80 00 } }, same lengths. */
static const uint8_t g_resp_dec[] = {
	0x30, 0x53, G_HDR_NOCIN(0x00), 0xa2, 0x0a, 0xa2, 0x08, 0xaa, 0x06, 0xa0, 0x00, 0xa1, 0x02, 0x80, 0x00,
};
/* optionComplete 1: 8b 00; a2 02; a2 04 = 6; 71 + 6 = 77 = 0x4d (as a keep-alive). */
static const uint8_t g_complete[] = {
	0x30, 0x4d, G_HDR_NOCIN(0x01), 0xa2, 0x04, 0xa2, 0x02, 0x8b, 0x00,
};

/*
 * Hand-built, not encodable by us: requestedOptions with pDUAcknowledgement,
 * an unknown [5] NULL and an unknown high tag [42] NULL (9f 2a 00):
 *   a0 07 { 80 00 85 00 9f 2a 00 } = 9; a9 09 = 11; a2 0b = 13; a2 0d = 15; 71 + 15 = 86 = 0x56.
 */
static const uint8_t g_req_unknown[] = {
	0x30, 0x56, G_HDR_NOCIN(0x00), 0xa2, 0x0d, 0xa2, 0x0b, 0xa9, 0x09, 0xa0, 0x07,
	0x80, 0x00, 0x85, 0x00, 0x9f, 0x2a, 0x00,
};
/* pDUAcknowledgement with content: a0 03 { 80 01 00 } = 5; a9 05 = 7; a2 07 = 9; a2 09 = 11; 82 = 0x52. */
static const uint8_t g_bad_null[] = {
	0x30, 0x52, G_HDR_NOCIN(0x00), 0xa2, 0x09, 0xa2, 0x07, 0xa9, 0x05, 0xa0, 0x03, 0x80, 0x01, 0x00,
};
/* optionResponse without declinedOptions: aa 04 { a0 02 { 80 00 } } = 6; a2 06; a2 08 = 10; 81 = 0x51. */
static const uint8_t g_resp_missing[] = {
	0x30, 0x51, G_HDR_NOCIN(0x00), 0xa2, 0x08, 0xa2, 0x06, 0xaa, 0x04, 0xa0, 0x02, 0x80, 0x00,
};
/* A universal NULL in the list is no Option: a0 02 { 05 00 }; same lengths as g_req_ack. */
static const uint8_t g_universal[] = {
	0x30, 0x51, G_HDR_NOCIN(0x00), 0xa2, 0x08, 0xa2, 0x06, 0xa9, 0x04, 0xa0, 0x02, 0x05, 0x00,
};
/* An extension component [1] after requestedOptions: a9 04 { a0 00 81 00 } = 6, as g_req_ack. */
static const uint8_t g_req_ext[] = {
	0x30, 0x51, G_HDR_NOCIN(0x00), 0xa2, 0x08, 0xa2, 0x06, 0xa9, 0x04, 0xa0, 0x00, 0x81, 0x00,
};
/* optionComplete with content: 8b 01 00; a2 03; a2 05 = 7; 71 + 7 = 78 = 0x4e. */
static const uint8_t g_complete_bad[] = {
	0x30, 0x4e, G_HDR_NOCIN(0x01), 0xa2, 0x05, 0xa2, 0x03, 0x8b, 0x01, 0x00,
};

struct fixture {
	void *ctx;
	size_t blocks;
	struct sl_pdu_ctx *pctx;
	uint8_t buf[1024];
	struct sl_ber_w w;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sl_pdu_ctx_cfg cfg = {
		.liid = "LIID1", .auth_cc = "DE", .operator_id = "OP", .ne_id = "NE1",
		.delivery_cc = "DE", .ipid = "IP1", .ts_digits = 3,
	};

	assert_non_null(fx);
	fx->ctx = talloc_named_const(NULL, 0, "test_pdu_option");
	fx->blocks = talloc_total_blocks(fx->ctx);
	fx->pctx = sl_pdu_ctx_alloc(fx->ctx, &cfg);
	assert_non_null(fx->pctx);
	sl_ber_w_init(&fx->w, fx->buf, sizeof(fx->buf));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	talloc_free(fx->pctx);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
	return 0;
}

/* Decode p[0..n) from an exactly sized copy, so ASan sees any overread. */
static int decode_exact(const uint8_t *p, size_t n, struct sl_pdu_decoded *d, char *err, size_t errlen)
{
	uint8_t *b = malloc(n ? n : 1);
	int rc;

	assert_non_null(b);
	memcpy(b, p, n);
	rc = sl_pdu_decode(NULL, b, n, d, err, errlen);
	free(b);
	return rc;
}

static void check_golden(struct fixture *fx, int rc, const uint8_t *golden, size_t n, struct sl_pdu_decoded *d)
{
	const uint8_t *p;
	size_t len, i;
	char err[160];

	assert_int_equal(rc, 0);
	assert_true(sl_ber_w_result(&fx->w, &p, &len));
	if (len != n || memcmp(p, golden, n) != 0) {
		for (i = 0; i < len && i < n && p[i] == golden[i]; i++)
			;
		fail_msg("encoding differs from the golden vector at byte %zu (lengths %zu, %zu)", i, len, n);
	}
	assert_int_equal(sl_pdu_frame(p, len, 65536), (ssize_t)len);
	/* every shorter prefix fails to decode */
	for (i = 0; i < len; i++)
		assert_true(decode_exact(p, i, d, err, sizeof(err)) < 0);
	rc = decode_exact(p, len, d, err, sizeof(err));
	if (rc)
		fail_msg("decode: %d %s", rc, err);
	assert_true(d->ps);
	assert_false(d->has_cin);
	assert_int_equal(d->ts_qualifier, SL_TSQ_MEDIATION);
	assert_int_equal(d->ts_us, 1700000000123000ull);
}

static void test_encode(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	const uint32_t ack = SL_TRI_OPT(SL_TRI_OPT_PDU_ACK);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_pdu_option_request(&fx->w, fx->pctx, 0, TS_US, ack), g_req_ack, sizeof(g_req_ack), &d);
	assert_int_equal(d.kind, SL_PDU_OPTION_REQUEST);
	assert_int_equal(d.seqno, 0);
	assert_int_equal(d.u.option.options, ack);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_pdu_option_request(&fx->w, fx->pctx, 0, TS_US, 0), g_req_none, sizeof(g_req_none), &d);
	assert_int_equal(d.kind, SL_PDU_OPTION_REQUEST);
	assert_int_equal(d.u.option.options, 0);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_pdu_option_response(&fx->w, fx->pctx, 0, TS_US, ack, 0), g_resp_acc, sizeof(g_resp_acc),
		     &d);
	assert_int_equal(d.kind, SL_PDU_OPTION_RESPONSE);
	assert_int_equal(d.u.option.options, ack);
	assert_int_equal(d.u.option.declined, 0);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_pdu_option_response(&fx->w, fx->pctx, 0, TS_US, 0, ack), g_resp_dec, sizeof(g_resp_dec),
		     &d);
	assert_int_equal(d.kind, SL_PDU_OPTION_RESPONSE);
	assert_int_equal(d.u.option.options, 0);
	assert_int_equal(d.u.option.declined, ack);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_pdu_option_complete(&fx->w, fx->pctx, 1, TS_US), g_complete, sizeof(g_complete), &d);
	assert_int_equal(d.kind, SL_PDU_OPTION_COMPLETE);
	assert_int_equal(d.seqno, 1);
}

/* Options we do not know cannot be written; one option cannot be both accepted and declined. */
static void test_encode_refused(void **state)
{
	struct fixture *fx = *state;
	const uint32_t ack = SL_TRI_OPT(SL_TRI_OPT_PDU_ACK);

	sl_ber_w_reset(&fx->w);
	assert_int_equal(sl_pdu_option_request(&fx->w, fx->pctx, 0, TS_US, SL_TRI_OPT(3)), -EINVAL);
	assert_int_equal(sl_pdu_option_response(&fx->w, fx->pctx, 0, TS_US, SL_TRI_OPT(5), 0), -EINVAL);
	assert_int_equal(sl_pdu_option_response(&fx->w, fx->pctx, 0, TS_US, ack, ack), -EINVAL);
	assert_int_equal(sl_pdu_option_complete(&fx->w, NULL, 0, TS_US), -EINVAL);
}

static void text_field(void *arg, const struct sl_pdu_field *f)
{
	char *out = arg;

	if (f->type == SL_PDU_F_TEXT && f->name && !strcmp(f->name, "requestedOptions"))
		snprintf(out, 64, "%s", f->text);
}

/* Unknown alternatives are read, not refused (clause 6.3.5.1), and rendered by tag. */
static void test_decode_unknown_options(void **state)
{
	struct sl_pdu_decoded d;
	char err[160], shown[64] = "";

	(void)state;
	assert_int_equal(decode_exact(g_req_unknown, sizeof(g_req_unknown), &d, err, sizeof(err)), 0);
	assert_int_equal(d.kind, SL_PDU_OPTION_REQUEST);
	assert_int_equal(d.u.option.options, SL_TRI_OPT(0) | SL_TRI_OPT(5) | SL_TRI_OPT(31));
	sl_pdu_decoded_visit(&d, text_field, shown);
	assert_string_equal(shown, "pDUAcknowledgement,[5],[31+]");
}

static void test_decode_errors(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t n;
		int rc;
		const char *msg;
	} cases[] = {
		{ g_bad_null, sizeof(g_bad_null), -EBADMSG, NULL },
		{ g_resp_missing, sizeof(g_resp_missing), -EBADMSG, "declinedOptions missing" },
		{ g_universal, sizeof(g_universal), -EBADMSG, "not a context-tagged" },
		{ g_req_ext, sizeof(g_req_ext), -ENOTSUP, "OptionRequest" },
		{ g_complete_bad, sizeof(g_complete_bad), -EBADMSG, NULL },
	};
	struct sl_pdu_decoded d;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = decode_exact(cases[i].p, cases[i].n, &d, err, sizeof(err));

		if (rc != cases[i].rc)
			fail_msg("case %zu: %d (%s), expected %d", i, rc, err, cases[i].rc);
		if (cases[i].msg && !strstr(err, cases[i].msg))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].msg);
	}
}

/* ---- the receiver's state machine ---------------------------------------- */

static struct sl_pdu_decoded pdu(enum sl_pdu_kind kind, uint32_t seq, uint32_t options)
{
	struct sl_pdu_decoded d = { .kind = kind, .ps = true, .seqno = seq };

	d.u.option.options = options;
	return d;
}

/* Annex I.1.3: the gateway asks for pDUAcknowledgement, the receiver accepts and completes. */
static void test_lemf_neg_complete(void **state)
{
	struct sl_lemf_neg n;
	struct sl_lemf_neg_act a;
	struct sl_pdu_decoded d;

	(void)state;
	sl_lemf_neg_init(&n, true);
	d = pdu(SL_PDU_OPTION_REQUEST, 0, SL_TRI_OPT(0) | SL_TRI_OPT(7));
	sl_lemf_neg_pdu(&n, 1, &d, &a);
	assert_true(a.respond);
	assert_int_equal(a.resp_seq, 0);
	assert_int_equal(a.accepted, SL_TRI_OPT(0)); /* [7] unknown: in neither list */
	assert_int_equal(a.declined, 0);
	assert_false(a.complete);
	d = pdu(SL_PDU_KEEPALIVE, 1, 0);
	sl_lemf_neg_pdu(&n, 2, &d, &a);
	assert_true(a.complete);
	assert_int_equal(a.complete_seq, 0);
	assert_false(a.done);
	d = pdu(SL_PDU_OPTION_COMPLETE, 1, 0);
	sl_lemf_neg_pdu(&n, 3, &d, &a);
	assert_true(a.done);
	assert_int_equal(n.state, SL_LEMF_NEG_DONE);
	assert_string_equal(sl_lemf_neg_text(&n), "pDUAcknowledgement");
	/* records flow; a late optionRequest is not acted on */
	d = pdu(SL_PDU_CC_IPMM, 0, 0);
	sl_lemf_neg_pdu(&n, 4, &d, &a);
	assert_false(a.violation);
	d = pdu(SL_PDU_OPTION_REQUEST, 2, SL_TRI_OPT(0));
	sl_lemf_neg_pdu(&n, 5, &d, &a);
	assert_true(a.ignored);
	assert_false(a.respond);
}

/* Without the keep-alive in the same read the optionComplete goes at the end of the read. */
static void test_lemf_neg_flush(void **state)
{
	struct sl_lemf_neg n;
	struct sl_lemf_neg_act a;
	struct sl_pdu_decoded d = pdu(SL_PDU_OPTION_REQUEST, 4, 0);

	(void)state;
	sl_lemf_neg_init(&n, true);
	sl_lemf_neg_pdu(&n, 1, &d, &a);
	assert_true(a.respond);
	assert_int_equal(a.resp_seq, 4);
	sl_lemf_neg_flush(&n, &a);
	assert_true(a.complete);
	sl_lemf_neg_flush(&n, &a);
	assert_false(a.complete); /* only once */
	d = pdu(SL_PDU_KEEPALIVE, 1, 0);
	sl_lemf_neg_pdu(&n, 2, &d, &a);
	assert_false(a.complete);
	assert_string_equal(sl_lemf_neg_text(&n), "none");
}

/* A record before the gateway's optionComplete ends the connection (clause 6.3.5.2). */
static void test_lemf_neg_violation(void **state)
{
	struct sl_lemf_neg n;
	struct sl_lemf_neg_act a;
	struct sl_pdu_decoded d = pdu(SL_PDU_OPTION_REQUEST, 0, SL_TRI_OPT(0));

	(void)state;
	sl_lemf_neg_init(&n, true);
	sl_lemf_neg_pdu(&n, 1, &d, &a);
	d = pdu(SL_PDU_IRI_IPMM, 0, 0);
	sl_lemf_neg_pdu(&n, 2, &d, &a);
	assert_true(a.violation);
}

/* Disabled, or not the connection's first PDU: ignored, and nothing else changes. */
static void test_lemf_neg_ignored(void **state)
{
	struct sl_lemf_neg n;
	struct sl_lemf_neg_act a;
	struct sl_pdu_decoded d = pdu(SL_PDU_OPTION_REQUEST, 0, SL_TRI_OPT(0));

	(void)state;
	sl_lemf_neg_init(&n, false);
	sl_lemf_neg_pdu(&n, 1, &d, &a);
	assert_true(a.ignored);
	assert_false(a.respond);
	d = pdu(SL_PDU_CC_IPMM, 0, 0);
	sl_lemf_neg_pdu(&n, 2, &d, &a);
	assert_false(a.violation);

	sl_lemf_neg_init(&n, true);
	sl_lemf_neg_pdu(&n, 1, &d, &a); /* a record first: no negotiation on this connection */
	d = pdu(SL_PDU_OPTION_REQUEST, 0, SL_TRI_OPT(0));
	sl_lemf_neg_pdu(&n, 2, &d, &a);
	assert_true(a.ignored);
	assert_int_equal(n.state, SL_LEMF_NEG_IDLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_encode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encode_refused, setup, teardown),
		cmocka_unit_test(test_decode_unknown_options),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_lemf_neg_complete),
		cmocka_unit_test(test_lemf_neg_flush),
		cmocka_unit_test(test_lemf_neg_violation),
		cmocka_unit_test(test_lemf_neg_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
