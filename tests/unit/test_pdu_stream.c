/*
 * PDU stream framing (handover/pdu_stream.h) of concatenated BER PDUs,
 * through its public calls.
 *
 * Streams are put together from PDUs built by handover's encoders,
 * garbage and gaps (pdu_stream_harness.h), and the test knows the stream
 * offset of every byte it placed: each PDU must arrive whole, with the
 * offset it was put at, and each problem must be reported once, at the
 * offset where it is, with the number of bytes it cost. Every stream is
 * fed in every way a reader may cut it: whole, byte by byte, split in two
 * at every position, and in random pieces; every feeding must give
 * exactly the same PDUs and reports as the whole one. Pieces are exactly
 * sized heap copies, freed after each feed, so AddressSanitizer sees a
 * read past a piece or a use of it after the call.
 *
 * Clean streams, garbage before, between and after PDUs
 * (resynchronisation), a length over max_pdu, gaps between PDUs, inside a
 * PDU (at every cut of it) and while hunting, a last PDU cut at every
 * length, garbage that frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "handover/pdu_stream.h"
#include "tests/unit/parser_test_util.h"
#include "tests/unit/pdu_samples.h"
#include "tests/unit/pdu_stream_harness.h"

static void test_ber_clean(void **state)
{
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));

	assert_non_null(s);
	assert_non_null(r);
	sc_all(s, 0, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 0);

	/* each PDU alone, and one PDU many times over */
	for (unsigned i = 0; i < PS_N; i++) {
		memset(s, 0, sizeof(*s));
		sc_pdu(s, i);
		every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
		check_pdus(r, s);
		assert_int_equal(r->n_err, 0);
	}
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < 40; i++)
		sc_pdu(s, PS_KEEPALIVE);
	run(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, (struct feeder){ .how = WHOLE }, r);
	check_pdus(r, s);
	free(r);
	free(s);
}

static const char NOT_START[] = "not the start of a PDU (identifier or length octets invalid)";
static const char OVER_LIMIT[] = "length octets announce a PDU over the size limit";

static void test_ber_garbage_prefix(void **state)
{
	static const uint8_t garbage[] = { 0xff, 0x00, 0x13, 0x37, 0xff };
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	char msg[256];

	assert_non_null(s);
	assert_non_null(r);
	sc_bytes(s, garbage, sizeof(garbage));
	sc_all(s, 0, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	snprintf(msg, sizeof(msg), "%s: 5 bytes skipped, next PDU found at offset 5", NOT_START);
	check_err(r, 0, 0, msg);

	/* one byte of garbage only */
	memset(s, 0, sizeof(*s));
	sc_bytes(s, "\x00", 1);
	sc_all(s, 0, 3);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	snprintf(msg, sizeof(msg), "%s: 1 bytes skipped, next PDU found at offset 1", NOT_START);
	check_err(r, 0, 0, msg);
	free(r);
	free(s);
}

static void test_ber_garbage_between(void **state)
{
	/* garbage with things that look like the start of a PDU in it: a SEQUENCE with an
	 * indefinite length, a non-minimal length, a context tag [5], and a PDU header
	 * announcing 32 KiB, which holds the hunt until the stream ends */
	static const uint8_t g2[] = { 0xff, 0x30, 0x80, 0x30, 0x81, 0x05, 0xa5, 0x03, 0x00,
				      0x01, 0x02, 0xa0, 0x00, 0x13, 0x30, 0x82, 0x7f, 0xff };
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	uint64_t at1, at2;
	char msg[256];

	assert_non_null(s);
	assert_non_null(r);
	sc_all(s, 0, 2);
	at1 = s->off;
	sc_bytes(s, "\x00", 1);
	sc_all(s, 2, 5);
	at2 = s->off;
	sc_bytes(s, g2, sizeof(g2));
	sc_all(s, 5, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 2);
	snprintf(msg, sizeof(msg), "%s: 1 bytes skipped, next PDU found at offset %" PRIu64, NOT_START, at1 + 1);
	check_err(r, 0, at1, msg);
	snprintf(msg, sizeof(msg), "%s: %zu bytes skipped, next PDU found at offset %" PRIu64, NOT_START, sizeof(g2),
		 at2 + sizeof(g2));
	check_err(r, 1, at2, msg);
	free(r);
	free(s);
}

/* Garbage that frames is a PDU to the framer: only a hunt decodes candidates. */
static void test_ber_garbage_that_frames(void **state)
{
	static const uint8_t tlv[] = { 0x30, 0x03, 0x01, 0x02, 0x03 };
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));

	assert_non_null(s);
	assert_non_null(r);
	sc_bytes(s, tlv, sizeof(tlv));
	sc_all(s, 0, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	assert_int_equal(r->n_err, 0);
	assert_int_equal(r->n_pdu, PS_N + 1);
	assert_int_equal(r->pdu[0].off, 0);
	assert_int_equal(r->pdu[0].n, sizeof(tlv));
	assert_int_equal(r->pdu[1].off, sizeof(tlv));
	assert_int_equal(r->pdu[PS_N].off, s->exp[PS_N - 1].off);
	free(r);
	free(s);
}

static void test_ber_over_max(void **state)
{
	static const uint8_t huge[] = { 0x30, 0x83, 0x10, 0x00, 0x00 }; /* announces 1 MiB */
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	unsigned big = 0, i;
	char msg[256];

	assert_non_null(s);
	assert_non_null(r);
	sc_bytes(s, huge, sizeof(huge));
	sc_all(s, 0, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	snprintf(msg, sizeof(msg), "%s: 5 bytes skipped, next PDU found at offset 5", OVER_LIMIT);
	check_err(r, 0, 0, msg);

	/* a real PDU one byte over max_pdu: skipped whole, the next one found where it starts */
	for (i = 1; i < PS_N; i++)
		if (pdus[i].n > pdus[big].n)
			big = i;
	memset(s, 0, sizeof(*s));
	sc_pdu(s, PS_KEEPALIVE);
	sc_bytes(s, pdus[big].p, pdus[big].n);
	for (i = 0; i < PS_N; i++)
		if (i != big)
			sc_pdu(s, i);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, pdus[big].n - 1, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	snprintf(msg, sizeof(msg), "%s: %zu bytes skipped, next PDU found at offset %zu", OVER_LIMIT, pdus[big].n,
		 pdus[PS_KEEPALIVE].n + pdus[big].n);
	check_err(r, 0, pdus[PS_KEEPALIVE].n, msg);
	free(r);
	free(s);
}

static void test_ber_gap_between(void **state)
{
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	uint64_t at;

	assert_non_null(s);
	assert_non_null(r);
	sc_all(s, 0, 2);
	at = s->off;
	sc_gap(s, 100);
	sc_all(s, 2, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	check_err(r, 0, at, "100 bytes missing from the capture: any PDU in them is lost");

	/* a gap before anything, and two gaps in a row */
	memset(s, 0, sizeof(*s));
	sc_gap(s, 5);
	sc_gap(s, 7);
	sc_all(s, 0, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 2);
	check_err(r, 0, 0, "5 bytes missing from the capture: any PDU in them is lost");
	check_err(r, 1, 5, "7 bytes missing from the capture: any PDU in them is lost");
	free(r);
	free(s);
}

/* The script PDUs 0..6 with PDU victim cut after h bytes by a gap of g bytes. */
static void sc_gap_in_pdu(struct script *s, unsigned victim, size_t h, size_t g)
{
	memset(s, 0, sizeof(*s));
	sc_all(s, 0, victim);
	sc_bytes(s, pdus[victim].p, h);
	sc_gap(s, g);
	if (h + g < pdus[victim].n)
		sc_bytes(s, pdus[victim].p + h + g, pdus[victim].n - h - g);
	sc_all(s, victim + 1, PS_N);
}

static void check_gap_in_pdu(const struct rec *r, const struct script *s, unsigned victim, size_t h, size_t g)
{
	uint64_t start = s->exp[victim - 1].off + pdus[victim - 1].n, resume = start + h + g;
	uint64_t next = start + pdus[victim].n;
	char msg[320];

	check_pdus(r, s);
	snprintf(msg, sizeof(msg),
		 "%zu bytes missing from the capture at offset %" PRIu64
		 ": the PDU starting here (%zu bytes seen) and any PDU in the gap are lost",
		 g, start + h, h);
	check_err(r, 0, start, msg);
	if (resume < next) {
		assert_int_equal(r->n_err, 2);
		if (victim == PS_N - 1)
			snprintf(msg, sizeof(msg), "after a gap in the capture: the remaining %" PRIu64 " bytes hold no PDU",
				 next - resume);
		else
			snprintf(msg, sizeof(msg),
				 "after a gap in the capture: %" PRIu64 " bytes skipped, next PDU found at offset %" PRIu64,
				 next - resume, next);
		check_err(r, 1, resume, msg);
	} else {
		assert_int_equal(r->n_err, 1);
	}
}

static void test_ber_gap_in_pdu(void **state)
{
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	unsigned victim;
	size_t h, g;

	assert_non_null(s);
	assert_non_null(r);
	/* every cut of every PDU but the first, with a one-byte gap and a gap to the PDU's end */
	for (victim = 1; victim < PS_N; victim++) {
		for (h = 1; h < pdus[victim].n; h++) {
			sc_gap_in_pdu(s, victim, h, 1);
			run(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, (struct feeder){ .how = WHOLE }, r);
			check_gap_in_pdu(r, s, victim, h, 1);
			g = pdus[victim].n - h;
			sc_gap_in_pdu(s, victim, h, g);
			run(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, (struct feeder){ .how = WHOLE }, r);
			check_gap_in_pdu(r, s, victim, h, g);
		}
	}
	/* every feeding of two of them */
	sc_gap_in_pdu(s, 2, 10, 20);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_gap_in_pdu(r, s, 2, 10, 20);
	sc_gap_in_pdu(s, 6, 1, pdus[6].n - 1);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_gap_in_pdu(r, s, 6, 1, pdus[6].n - 1);
	free(r);
	free(s);
}

/* A gap while hunting after garbage: the hunt is reported up to the gap, then the gap. */
static void test_ber_gap_while_hunting(void **state)
{
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	uint64_t at;
	char msg[256];

	assert_non_null(s);
	assert_non_null(r);
	sc_pdu(s, 0);
	at = s->off;
	sc_bytes(s, "\xff\xff\xff", 3);
	sc_gap(s, 10);
	sc_all(s, 1, PS_N);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 2);
	snprintf(msg, sizeof(msg), "%s: 3 bytes skipped up to a gap in the capture", NOT_START);
	check_err(r, 0, at, msg);
	check_err(r, 1, at + 3, "10 bytes missing from the capture: any PDU in them is lost");
	free(r);
	free(s);
}

static void test_ber_truncated_end(void **state)
{
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	const struct ps_pdu *last = &pdus[PS_N - 1];
	size_t hdr = 2 + ((last->p[1] & 0x80) ? (last->p[1] & 0x7f) : 0), c;
	uint64_t at;
	char msg[256];

	assert_non_null(s);
	assert_non_null(r);
	for (c = 1; c < last->n; c++) {
		memset(s, 0, sizeof(*s));
		sc_all(s, 0, PS_N - 1);
		at = s->off;
		sc_bytes(s, last->p, c);
		if (c == 1 || c == hdr || c == last->n - 1)
			every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
		else
			run(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, (struct feeder){ .how = WHOLE }, r);
		check_pdus(r, s);
		assert_int_equal(r->n_err, 1);
		if (c >= hdr) {
			snprintf(msg, sizeof(msg), "stream ends inside a PDU: %zu of %zu bytes present", c, last->n);
			check_err(r, 0, at, msg);
		} else {
			check_err_prefix(r, 0, at, "stream ends inside a PDU: ");
		}
	}
	free(r);
	free(s);
}

static void test_ber_garbage_at_end(void **state)
{
	struct fixture *fx = *state;
	struct script *s = calloc(1, sizeof(*s));
	struct rec *r = malloc(sizeof(*r));
	uint64_t at;
	char msg[256];

	assert_non_null(s);
	assert_non_null(r);
	sc_all(s, 0, PS_N);
	at = s->off;
	sc_bytes(s, "\xff\x00\x30", 3);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	snprintf(msg, sizeof(msg), "%s: the remaining 3 bytes hold no PDU", NOT_START);
	check_err(r, 0, at, msg);

	/* the start of a long PDU at the end: a truncated PDU, not garbage */
	memset(s, 0, sizeof(*s));
	sc_all(s, 0, 2);
	at = s->off;
	sc_bytes(s, "\x30\x82\x7f\xff", 4);
	every_feeding(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, s, r, true);
	check_pdus(r, s);
	assert_int_equal(r->n_err, 1);
	check_err(r, 0, at, "stream ends inside a PDU: 4 of 32771 bytes present");

	/* nothing at all, and end twice */
	{
		struct sl_pdu_stream *st = sl_pdu_stream_alloc(fx->ctx, SL_PDU_STREAM_BER, MAX_PDU, &rec_ops, r);

		memset(r, 0, sizeof(*r));
		assert_non_null(st);
		sl_pdu_stream_end(st);
		sl_pdu_stream_end(st);
		assert_int_equal(r->n_pdu + r->n_err, 0);
		talloc_free(st);
	}
	free(r);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ber_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_garbage_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_garbage_between, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_garbage_that_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_over_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_gap_between, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_gap_in_pdu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_gap_while_hunting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_truncated_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ber_garbage_at_end, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
