/*
 * What the PDU stream tests share (test_pdu_stream.c, BER streams;
 * test_pdu_stream_prefixed.c, length-prefixed streams and the rest).
 *
 * A script is a stream as a test builds it: PDUs built by handover's
 * encoders (pdu_samples.h), raw bytes and gaps, with the offset at which
 * each PDU must be delivered. run() feeds a script through a new stream,
 * cut into pieces as a feeder says (whole, byte by byte, split in two at
 * a position, random pieces), each piece an exactly sized heap copy freed
 * after the feed, and records the PDUs and reports. every_feeding() runs
 * all of those cuts and requires each to give exactly what the whole
 * feed gave. Static functions in a header so each test stays one
 * translation unit; include after cmocka.h, parser_test_util.h and
 * pdu_samples.h.
 */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "handover/pdu_stream.h"

#define MAX_PDU 65536
#define REC_PDUS 48
#define REC_ERRS 16

static struct ps_pdu pdus[PS_N];

struct rec_pdu {
	uint64_t off;
	size_t n;
	uint8_t p[PS_MAX];
};

struct rec_err {
	uint64_t off;
	char msg[320];
};

struct rec {
	unsigned n_pdu, n_err;
	struct rec_pdu pdu[REC_PDUS];
	struct rec_err err[REC_ERRS];
};

static inline void on_pdu(void *priv, const uint8_t *p, size_t n, uint64_t off)
{
	struct rec *r = priv;

	assert_true(r->n_pdu < REC_PDUS);
	assert_true(n <= PS_MAX);
	r->pdu[r->n_pdu].off = off;
	r->pdu[r->n_pdu].n = n;
	memcpy(r->pdu[r->n_pdu].p, p, n);
	r->n_pdu++;
}

static inline void on_error(void *priv, uint64_t off, const char *msg)
{
	struct rec *r = priv;

	assert_true(r->n_err < REC_ERRS);
	r->err[r->n_err].off = off;
	snprintf(r->err[r->n_err].msg, sizeof(r->err[r->n_err].msg), "%s", msg);
	r->n_err++;
}

static const struct sl_pdu_stream_ops rec_ops = { .pdu = on_pdu, .error = on_error };

/* A stream as the test builds it: its bytes, the gaps in it, and the PDUs expected. */
#define SCRIPT_BYTES 8192
#define SCRIPT_SEGS 16

struct seg {
	size_t at, n;	/* data: script.b[at..at+n) */
	uint64_t gap;	/* > 0: a gap of this many bytes instead */
};

struct script {
	uint8_t b[SCRIPT_BYTES];
	size_t n;		/* bytes in b */
	uint64_t off;		/* stream offset so far (bytes + gaps) */
	unsigned nseg;
	struct seg seg[SCRIPT_SEGS];
	unsigned n_exp;
	struct {
		unsigned idx;
		uint64_t off;
	} exp[REC_PDUS];
};

static inline void sc_bytes(struct script *s, const void *p, size_t n)
{
	struct seg *g;

	assert_true(s->n + n <= SCRIPT_BYTES);
	if (!s->nseg || s->seg[s->nseg - 1].gap) {
		assert_true(s->nseg < SCRIPT_SEGS);
		g = &s->seg[s->nseg++];
		g->at = s->n;
		g->n = 0;
		g->gap = 0;
	}
	g = &s->seg[s->nseg - 1];
	memcpy(s->b + s->n, p, n);
	s->n += n;
	g->n += n;
	s->off += n;
}

/* PDU i, expected to be delivered at the offset it starts at. */
static inline void sc_pdu(struct script *s, unsigned i)
{
	assert_true(s->n_exp < REC_PDUS);
	s->exp[s->n_exp].idx = i;
	s->exp[s->n_exp].off = s->off;
	s->n_exp++;
	sc_bytes(s, pdus[i].p, pdus[i].n);
}

/* PDU i after its 4-byte length, expected at the offset after the length. */
static inline void sc_record(struct script *s, unsigned i)
{
	uint8_t len[4] = { (uint8_t)(pdus[i].n >> 24), (uint8_t)(pdus[i].n >> 16), (uint8_t)(pdus[i].n >> 8),
			   (uint8_t)pdus[i].n };

	sc_bytes(s, len, 4);
	sc_pdu(s, i);
}

static inline void sc_gap(struct script *s, uint64_t n)
{
	assert_true(s->nseg < SCRIPT_SEGS);
	s->seg[s->nseg].gap = n;
	s->seg[s->nseg].at = s->n;
	s->seg[s->nseg].n = 0;
	s->nseg++;
	s->off += n;
}

/* How the bytes are cut into pieces. */
enum how { WHOLE, BYTES, RANDOM, SPLIT };

struct feeder {
	enum how how;
	size_t k;	/* SPLIT: the position of the one cut, over the script's bytes */
	size_t fed;
};

static inline size_t piece(struct feeder *f, size_t left)
{
	switch (f->how) {
	case BYTES:
		return 1;
	case RANDOM:
		return 1 + (size_t)(rng() % (left < 97 ? left : 97));
	case SPLIT:
		if (f->fed < f->k && f->fed + left > f->k)
			return f->k - f->fed;
		return left;
	case WHOLE:
	default:
		return left;
	}
}

/* Feed the script through a new stream, cut as f says, then end it. */
static inline void run(void *ctx, enum sl_pdu_stream_mode mode, size_t max_pdu, const struct script *s, struct feeder f,
		struct rec *r)
{
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_pdu_stream *st = sl_pdu_stream_alloc(ctx, mode, max_pdu, &rec_ops, r);
	unsigned i;

	assert_non_null(st);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < s->nseg; i++) {
		const struct seg *g = &s->seg[i];
		size_t done = 0;

		if (g->gap) {
			sl_pdu_stream_gap(st, g->gap);
			continue;
		}
		while (done < g->n) {
			size_t k = piece(&f, g->n - done);
			uint8_t *copy = exact(ctx, s->b + g->at + done, k);

			sl_pdu_stream_feed(st, copy, k);
			talloc_free(copy);
			done += k;
			f.fed += k;
		}
	}
	sl_pdu_stream_end(st);
	talloc_free(st);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
}

/* The PDUs recorded are the ones the script expects, at their offsets, byte for byte. */
static inline void check_pdus(const struct rec *r, const struct script *s)
{
	unsigned i;

	assert_int_equal(r->n_pdu, s->n_exp);
	for (i = 0; i < s->n_exp; i++) {
		const struct ps_pdu *want = &pdus[s->exp[i].idx];

		assert_int_equal(r->pdu[i].off, s->exp[i].off);
		assert_int_equal(r->pdu[i].n, want->n);
		assert_memory_equal(r->pdu[i].p, want->p, want->n);
	}
}

static inline void check_err(const struct rec *r, unsigned i, uint64_t off, const char *msg)
{
	assert_true(i < r->n_err);
	if (r->err[i].off != off || strcmp(r->err[i].msg, msg)) {
		print_error("report %u: got %" PRIu64 " '%s', want %" PRIu64 " '%s'\n", i, r->err[i].off, r->err[i].msg,
			    off, msg);
		fail();
	}
}

/* Report i is at off and its message starts with prefix. */
static inline void check_err_prefix(const struct rec *r, unsigned i, uint64_t off, const char *prefix)
{
	assert_true(i < r->n_err);
	if (r->err[i].off != off || strncmp(r->err[i].msg, prefix, strlen(prefix))) {
		print_error("report %u: got %" PRIu64 " '%s', want %" PRIu64 " '%s...'\n", i, r->err[i].off,
			    r->err[i].msg, off, prefix);
		fail();
	}
}

static inline void same(const struct rec *a, const struct rec *b, bool msgs, const char *how, size_t k)
{
	unsigned i;

	if (a->n_pdu != b->n_pdu || a->n_err != b->n_err) {
		print_error("%s %zu: %u PDUs %u reports, want %u and %u\n", how, k, a->n_pdu, a->n_err, b->n_pdu,
			    b->n_err);
		for (i = 0; i < a->n_err; i++)
			print_error("  got %" PRIu64 " %s\n", a->err[i].off, a->err[i].msg);
		fail();
	}
	for (i = 0; i < a->n_pdu; i++) {
		assert_int_equal(a->pdu[i].off, b->pdu[i].off);
		assert_int_equal(a->pdu[i].n, b->pdu[i].n);
		assert_memory_equal(a->pdu[i].p, b->pdu[i].p, a->pdu[i].n);
	}
	for (i = 0; i < a->n_err; i++) {
		if (a->err[i].off != b->err[i].off || (msgs && strcmp(a->err[i].msg, b->err[i].msg))) {
			print_error("%s %zu: report %u is %" PRIu64 " '%s', want %" PRIu64 " '%s'\n", how, k, i,
				    a->err[i].off, a->err[i].msg, b->err[i].off, b->err[i].msg);
			fail();
		}
	}
}

/*
 * Feed the script whole into want, then in every other way, each of which
 * must give the same PDUs and reports (with msgs: the same texts too).
 */
static inline void every_feeding(void *ctx, enum sl_pdu_stream_mode mode, size_t max_pdu, const struct script *s,
			  struct rec *want, bool msgs)
{
	struct rec *r = malloc(sizeof(*r));
	struct feeder f = { .how = WHOLE };
	unsigned i;
	size_t k;

	assert_non_null(r);
	run(ctx, mode, max_pdu, s, f, want);
	f.how = BYTES;
	run(ctx, mode, max_pdu, s, f, r);
	same(r, want, msgs, "byte by byte", 0);
	f.how = SPLIT;
	for (k = 1; k < s->n; k++) {
		f.k = k;
		run(ctx, mode, max_pdu, s, f, r);
		same(r, want, msgs, "split at", k);
	}
	f.how = RANDOM;
	rng_state = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < 50; i++) {
		run(ctx, mode, max_pdu, s, f, r);
		same(r, want, msgs, "random pieces, run", i);
	}
	free(r);
}

static inline int group_setup(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "pdu samples");

	(void)state;
	pdu_samples(ctx, pdus);
	talloc_free(ctx);
	return 0;
}

/* The seven PDUs back to back. */
static inline void sc_all(struct script *s, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++)
		sc_pdu(s, i);
}
