/*
 * Error handling of the handover PDU decoder (handover/pdu_decode.c,
 * hi2_decode.c) and of stream framing (pdu_frame.c).
 *
 * Every PDU kind is encoded, then cut at every length into an exactly
 * sized buffer (so AddressSanitizer reports any overread): each cut must
 * fail with -EBADMSG and a message naming an offset, and sl_pdu_frame must
 * ask for more bytes. Single-byte corruptions at every position and random
 * bytes from a fixed-seed PRNG must never crash and must either decode or
 * give an error message. Specific malformations (SIZE, ranges, order,
 * missing components, unsupported alternatives, trailing bytes, BER where
 * DER is required) get their classified error. Framing is checked on a
 * stream of concatenated PDUs, on bad identifiers, indefinite lengths and
 * the size limit.
 */
#include <errno.h>
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
#include "handover/pdu_frame.h"

#define TS_US 1700000000123456ull
#define NPDU 10

struct pdu {
	uint8_t *p;
	size_t n;
};

struct fixture {
	void *ctx;
	size_t blocks;
	struct pdu pdus[NPDU];
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void keep(struct fixture *fx, unsigned i, struct sl_ber_w *w, int rc)
{
	const uint8_t *p;
	size_t n;

	assert_int_equal(rc, 0);
	assert_true(sl_ber_w_result(w, &p, &n));
	fx->pdus[i].p = talloc_memdup(fx->ctx, p, n);
	fx->pdus[i].n = n;
	sl_ber_w_reset(w);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sl_pdu_ctx_cfg cfg = { .liid = "LIID1", .auth_cc = "DE", .operator_id = "OP", .ne_id = "NE1",
				      .delivery_cc = "DE", .ipid = "IP1", .ts_digits = 6 };
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 77, .seqno = 300, .ts_us = TS_US };
	static uint8_t buf[4096];
	static const uint8_t rtp[12] = { 0x80, 0x08, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4 };
	static const char sipmsg[] = "INVITE sip:b@c SIP/2.0\r\nContent-Length: 0\r\n\r\n";
	struct sl_ipmm_sip sip = { .msg = (const uint8_t *)sipmsg, .len = sizeof(sipmsg) - 1 };
	struct sl_ipmm_cc cc = { .dir = SL_PDU_FROM_TARGET, .data = rtp, .len = sizeof(rtp),
				 .stream_id = (const uint8_t *)"s1", .stream_id_len = 2, .frame = SL_MMCC_FRAME_RTP };
	struct sl_hi2_iri iri;
	struct sl_pdu_ctx *pc;
	struct sl_ber_w w;

	assert_non_null(fx);
	fx->ctx = talloc_named_const(NULL, 0, "test_pdu_decode");
	fx->blocks = talloc_total_blocks(fx->ctx);
	pc = sl_pdu_ctx_alloc(NULL, &cfg);
	assert_non_null(pc);
	sip.src.addr.family = SL_AF_INET6;
	sip.src.addr.a[0] = 0x20;
	sip.dst.addr.family = SL_AF_INET4;
	sip.dst.addr.a[0] = 10;
	memset(&iri, 0, sizeof(iri));
	iri.type = SL_IRI_CONTINUE;
	iri.ts_us = TS_US;
	iri.has_dir = iri.has_state = true;
	iri.dir = SL_HI2_TERMINATING;
	iri.state = SL_HI2_CONNECTED;
	iri.orig.n = 2;
	iri.orig.id[0].type = SL_ID_SIP_URI;
	memcpy(iri.orig.id[0].value, "sip:x@y", 8);
	iri.orig.id[1].type = SL_ID_IMSI;
	memcpy(iri.orig.id[1].value, "262019876543210", 16);
	iri.term.n = 1;
	iri.term.id[0].type = SL_ID_E164;
	memcpy(iri.term.id[0].value, "+4912345", 9);
	iri.has_sms = true;
	iri.sms_content = (const uint8_t *)"sms";
	iri.sms_content_len = 3;
	iri.sms_orig.family = SL_AF_INET4;
	iri.loc.cgi_len = 5;

	sl_ber_w_init(&w, buf, sizeof(buf));
	keep(fx, 0, &w, sl_pdu_iri_ipmm(&w, pc, &h, SL_IRI_BEGIN, &sip));
	keep(fx, 1, &w, sl_pdu_cc_ipmm(&w, pc, &h, &cc));
	keep(fx, 2, &w, sl_pdu_iri_hi2(&w, pc, &h, &iri));
	keep(fx, 3, &w, sl_hi2_iris_content(&w, pc, SL_HI2_V11_TAGGED, 77, &iri));
	keep(fx, 4, &w, sl_hi2_iris_content(&w, pc, SL_HI2_V18_UNTAGGED, 77, &iri));
	keep(fx, 5, &w, sl_pdu_keepalive(&w, pc, 1, TS_US));
	keep(fx, 6, &w, sl_pdu_keepalive_response(&w, pc, 1, TS_US));
	keep(fx, 7, &w, sl_pdu_ack_request(&w, pc, 1, TS_US));
	keep(fx, 8, &w, sl_pdu_ack_response(&w, pc, 1, TS_US));
	keep(fx, 9, &w, sl_pdu_hi1_notification(&w, pc, 1, TS_US, SL_HI1_DEACTIVATED, "target"));
	talloc_free(pc);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	unsigned i;

	for (i = 0; i < NPDU; i++)
		talloc_free(fx->pdus[i].p);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
	return 0;
}

static int decode_exact(void *ctx, const uint8_t *p, size_t n, struct sl_pdu_decoded *d, char *err, size_t cap)
{
	uint8_t *b = talloc_size(ctx, n ? n : 1);
	int rc;

	assert_non_null(b);
	if (n)
		memcpy(b, p, n);
	rc = sl_pdu_decode(NULL, b, n, d, err, cap);
	talloc_free(b);
	return rc;
}

static void test_all_decode(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	static const enum sl_pdu_kind kinds[NPDU] = {
		SL_PDU_IRI_IPMM, SL_PDU_CC_IPMM, SL_PDU_IRI_HI2, SL_PDU_IRI_HI2, SL_PDU_IRI_HI2,
		SL_PDU_KEEPALIVE, SL_PDU_KEEPALIVE_RESPONSE, SL_PDU_ACK_REQUEST, SL_PDU_ACK_RESPONSE, SL_PDU_HI1,
	};
	char err[160];
	unsigned i;

	for (i = 0; i < NPDU; i++) {
		assert_int_equal(decode_exact(fx->ctx, fx->pdus[i].p, fx->pdus[i].n, &d, err, sizeof(err)), 0);
		assert_int_equal(d.kind, kinds[i]);
		assert_string_equal(err, "");
		if (d.ps) {
			assert_int_equal(d.seqno, i < 5 ? 300 : 1);
			assert_int_equal(d.ts_us, TS_US); /* six fraction digits */
		}
	}
}

static void test_truncations(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	char err[160];
	unsigned i;
	size_t cut, total = 0;

	for (i = 0; i < NPDU; i++) {
		for (cut = 0; cut < fx->pdus[i].n; cut++) {
			int rc = decode_exact(fx->ctx, fx->pdus[i].p, cut, &d, err, sizeof(err));

			if (rc != -EBADMSG)
				fail_msg("pdu %u cut at %zu: rc %d (%s)", i, cut, rc, err);
			assert_non_null(strstr(err, "offset"));
			assert_int_equal(d.kind, SL_PDU_NONE);
			assert_int_equal(sl_pdu_frame(fx->pdus[i].p, cut, 65536), 0);
			total++;
		}
		assert_int_equal(sl_pdu_frame(fx->pdus[i].p, fx->pdus[i].n, 65536), (ssize_t)fx->pdus[i].n);
		assert_int_equal(sl_pdu_frame(fx->pdus[i].p, fx->pdus[i].n, fx->pdus[i].n - 1), -EMSGSIZE);
	}
	assert_true(total > 1000);
}

/* Every single-byte corruption: no crash, and either a decode or a message. */
static void test_corruptions(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	char err[160];
	unsigned i, k;
	size_t pos;
	static const uint8_t flips[] = { 0x01, 0x20, 0x80, 0xff };

	for (i = 0; i < NPDU; i++) {
		uint8_t *b = talloc_memdup(fx->ctx, fx->pdus[i].p, fx->pdus[i].n);

		for (pos = 0; pos < fx->pdus[i].n; pos++) {
			for (k = 0; k < sizeof(flips); k++) {
				int rc;

				b[pos] ^= flips[k];
				rc = sl_pdu_decode(NULL, b, fx->pdus[i].n, &d, err, sizeof(err));
				if (rc) {
					assert_true(rc == -EBADMSG || rc == -ENOTSUP);
					assert_non_null(strstr(err, "offset"));
				}
				(void)sl_pdu_frame(b, fx->pdus[i].n, 65536);
				b[pos] ^= flips[k];
			}
		}
		talloc_free(b);
	}
}

static void test_random(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	uint8_t buf[256];
	char err[160];
	unsigned round;
	size_t i, n;

	for (round = 0; round < 20000; round++) {
		n = rng() % sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)rng();
		/* bias towards plausible starts */
		if (n && (round & 1))
			buf[0] = (round & 2) ? 0x30 : (uint8_t)(0xa0 | (rng() % 5));
		int rc = decode_exact(fx->ctx, buf, n, &d, err, sizeof(err));

		if (rc)
			assert_true(rc == -EBADMSG || rc == -ENOTSUP);
		ssize_t f = sl_pdu_frame(buf, n, 128);

		assert_true(f == 0 || f == -EBADMSG || f == -EMSGSIZE || (f > 0 && (size_t)f <= n && f <= 128));
	}
}

/* Specific malformations, each with its class. */
static void test_specific(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	char err[160];
	uint8_t b[512];
	const struct pdu *ka = &fx->pdus[5];
	size_t n;

	/* trailing byte after the PDU */
	memcpy(b, ka->p, ka->n);
	b[ka->n] = 0;
	assert_int_equal(sl_pdu_decode(NULL, b, ka->n + 1, &d, err, sizeof(err)), -EBADMSG);

	/* the keep-alive's [3] NULL replaced by [1] (another TRI message): kept undecoded, not refused */
	memcpy(b, ka->p, ka->n);
	assert_int_equal(b[ka->n - 2], 0x83);
	b[ka->n - 2] = 0x81;
	assert_int_equal(sl_pdu_decode(NULL, b, ka->n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.kind, SL_PDU_UNDECODED);
	assert_string_equal(d.u.undecoded.where, "TRIPayload");
	assert_int_equal(d.u.undecoded.tag, 1);
	assert_int_equal(d.u.undecoded.len, 0);

	/* NULL with content */
	{
		static const uint8_t hdr_only_payload[] = { 0xa2, 0x05, 0xa2, 0x03, 0x83, 0x01, 0x00 };
		size_t hl = ka->n - 6 - 2;

		memcpy(b, ka->p, ka->n - 6);
		memcpy(b + ka->n - 6, hdr_only_payload, sizeof(hdr_only_payload));
		n = ka->n - 6 + sizeof(hdr_only_payload);
		b[1] = (uint8_t)(n - 2);
		(void)hl;
		assert_int_equal(sl_pdu_decode(NULL, b, n, &d, err, sizeof(err)), -EBADMSG);
	}

	/* not a PDU at all: an INTEGER */
	{
		static const uint8_t i5[] = { 0x02, 0x01, 0x05 };

		assert_int_equal(sl_pdu_decode(NULL, i5, sizeof(i5), &d, err, sizeof(err)), -ENOTSUP);
		assert_int_equal(sl_pdu_frame(i5, sizeof(i5), 100), -EBADMSG);
	}

	/* empty SEQUENCE: missing pSHeader */
	{
		static const uint8_t e[] = { 0x30, 0x00 };

		assert_int_equal(sl_pdu_decode(NULL, e, sizeof(e), &d, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "pSHeader missing"));
	}

	/* long-form length where DER needs the short form: valid BER, read as such */
	{
		uint8_t l[600];

		l[0] = 0x30;
		l[1] = 0x81;
		l[2] = (uint8_t)(ka->n - 2);
		memcpy(l + 3, ka->p + 2, ka->n - 2);
		assert_int_equal(sl_pdu_decode(NULL, l, ka->n + 1, &d, err, sizeof(err)), 0);
		assert_true(d.ber);
		assert_int_equal(d.kind, SL_PDU_KEEPALIVE);
	}

	/* sequenceNumber 2^32: above INTEGER (0..4294967295) */
	{
		const struct pdu *p = &fx->pdus[5];
		uint8_t *q = talloc_size(fx->ctx, p->n + 4);
		size_t off;

		/* find "84 01 01" (sequenceNumber 1) and widen it to 84 05 01 00 00 00 00 */
		for (off = 0; off + 3 <= p->n; off++)
			if (p->p[off] == 0x84 && p->p[off + 1] == 0x01 && p->p[off + 2] == 0x01)
				break;
		assert_true(off + 3 <= p->n);
		memcpy(q, p->p, off);
		memcpy(q + off, "\x84\x05\x01\x00\x00\x00\x00", 7);
		memcpy(q + off + 7, p->p + off + 3, p->n - off - 3);
		q[1] = (uint8_t)(q[1] + 4);
		q[3] = (uint8_t)(q[3] + 4); /* PSHeader length */
		assert_int_equal(sl_pdu_decode(NULL, q, p->n + 4, &d, err, sizeof(err)), -EBADMSG);
		talloc_free(q);
	}

	/* NULL buffer with a length */
	assert_int_equal(sl_pdu_decode(NULL, NULL, 3, &d, err, sizeof(err)), -EINVAL);
}

/* A stream of concatenated PDUs is cut exactly; bad starts are refused. */
static void test_frame_stream(void **state)
{
	struct fixture *fx = *state;
	uint8_t *s;
	size_t total = 0, off = 0;
	unsigned i, got = 0;
	struct sl_pdu_decoded d;

	for (i = 0; i < NPDU; i++)
		total += fx->pdus[i].n;
	s = talloc_size(fx->ctx, total);
	for (i = 0; i < NPDU; i++) {
		memcpy(s + off, fx->pdus[i].p, fx->pdus[i].n);
		off += fx->pdus[i].n;
	}
	off = 0;
	while (off < total) {
		ssize_t f = sl_pdu_frame(s + off, total - off, 65536);

		assert_true(f > 0);
		assert_int_equal((size_t)f, fx->pdus[got].n);
		assert_int_equal(sl_pdu_decode(NULL, s + off, (size_t)f, &d, NULL, 0), 0);
		off += (size_t)f;
		got++;
	}
	assert_int_equal(got, NPDU);
	talloc_free(s);

	{
		static const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
		static const uint8_t reserved[] = { 0x30, 0xff };
		static const uint8_t huge[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff };
		static const uint8_t primitive_ctx[] = { 0x80, 0x00 };
		static const uint8_t long_hdr[] = { 0x30, 0x82, 0x01 };

		/* BER indefinite form: framed by its end-of-contents (an empty PS-PDU, refused by the decoder) */
		assert_int_equal(sl_pdu_frame(indefinite, sizeof(indefinite), 100), 4);
		assert_int_equal(sl_pdu_frame(indefinite, 3, 100), 0);
		assert_int_equal(sl_pdu_frame(indefinite, 3, 3), -EMSGSIZE);
		assert_int_equal(sl_pdu_decode(NULL, indefinite, sizeof(indefinite), &d, NULL, 0), -EBADMSG);
		assert_int_equal(sl_pdu_frame(reserved, sizeof(reserved), 100), -EBADMSG);
		assert_int_equal(sl_pdu_frame(huge, sizeof(huge), 100), -EMSGSIZE);
		assert_int_equal(sl_pdu_frame(primitive_ctx, sizeof(primitive_ctx), 100), -EBADMSG);
		assert_int_equal(sl_pdu_frame(long_hdr, sizeof(long_hdr), 1000), 0);
		assert_int_equal(sl_pdu_frame(long_hdr, 1, 1000), 0);
		assert_int_equal(sl_pdu_frame(NULL, 0, 1000), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_decode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corruptions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_specific, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_stream, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
