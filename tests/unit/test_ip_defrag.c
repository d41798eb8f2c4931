/*
 * Unit tests for capture/ip_defrag.c: reassembly in every arrival order,
 * duplicates, overlaps (first-arrived bytes must win, checked byte by
 * byte), timeouts, the memory and count caps, size and shape checks, and
 * IPv6 32-bit identifications. Every test checks that the talloc block
 * count of its context returns to the start value once the module is freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>

#include "util/hash.h"
#include "capture/ip_defrag.h"
#include "capture/log.h"

struct fixture {
	void *ctx;
	size_t blocks;
	struct sl_defrag *d;
	struct sl_defrag_cfg cfg;
};

static const uint8_t SRC4[4] = { 192, 0, 2, 1 };
static const uint8_t DST4[4] = { 198, 51, 100, 7 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* Deterministic PRNG (xorshift64) for payloads and permutations. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static struct sl_frag frag4(uint32_t id, uint32_t off, bool more, const uint8_t *data, size_t len)
{
	struct sl_frag f;

	memset(&f, 0, sizeof(f));
	f.version = 4;
	f.proto = 17;
	sl_addr_set4(&f.src, SRC4);
	sl_addr_set4(&f.dst, DST4);
	f.id = id;
	f.offset = off;
	f.more = more;
	f.data = data;
	f.len = len;
	return f;
}

static struct sl_frag frag6(uint32_t id, uint32_t off, bool more, const uint8_t *data, size_t len)
{
	struct sl_frag f = frag4(0, off, more, data, len);

	f.version = 6;
	f.proto = 6;
	sl_addr_set6(&f.src, SRC6);
	sl_addr_set6(&f.dst, DST6);
	f.id = id;
	return f;
}

static uint64_t ctr(struct fixture *fx, enum sl_defrag_ctr c)
{
	return rate_ctr_group_get_ctr(sl_defrag_ctrs(fx->d), c)->current;
}

static int setup_cfg(void **state, const struct sl_defrag_cfg *cfg)
{
	struct fixture *fx = talloc_zero(NULL, struct fixture);

	fx->ctx = talloc_named_const(NULL, 0, "test_ip_defrag");
	fx->blocks = talloc_total_blocks(fx->ctx);
	if (cfg)
		fx->cfg = *cfg;
	else
		sl_defrag_cfg_default(&fx->cfg);
	fx->d = sl_defrag_alloc(fx->ctx, &fx->cfg, 0);
	if (!fx->d)
		return -1;
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, NULL);
}

static int setup_small(void **state)
{
	struct sl_defrag_cfg cfg = { .max_bytes = 100, .max_datagrams = 2, .timeout_us = 1000 };

	return setup_cfg(state, &cfg);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sl_defrag_free(fx->d);
	/* The leak check: everything the module allocated must be gone. */
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	talloc_free(fx);
	return 0;
}

/* Offer f and expect res; on DONE compare with want and free the output. */
static void offer(struct fixture *fx, const struct sl_frag *f, uint64_t now, enum sl_defrag_result res,
		  const uint8_t *want, size_t want_len)
{
	uint8_t *out = (uint8_t *)1;
	size_t out_len = 99;
	enum sl_defrag_result r;

	r = sl_defrag_add(fx->d, f, now, fx->ctx, &out, &out_len);
	assert_int_equal(r, res);
	if (r == SL_DEFRAG_DONE) {
		assert_non_null(out);
		assert_int_equal(out_len, want_len);
		assert_memory_equal(out, want, want_len);
		assert_ptr_equal(talloc_parent(out), fx->ctx);
		talloc_free(out);
	} else {
		assert_null(out);
		assert_int_equal(out_len, 0);
	}
}

static void test_in_order(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[40];
	struct sl_frag f;

	fill_pattern(p, sizeof(p), 1);
	f = frag4(0x1234, 0, true, p, 16);
	offer(fx, &f, 10, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	assert_int_equal(sl_defrag_bytes(fx->d), 16);
	f = frag4(0x1234, 16, true, p + 16, 16);
	offer(fx, &f, 11, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 32);
	f = frag4(0x1234, 32, false, p + 32, 8);
	offer(fx, &f, 12, SL_DEFRAG_DONE, p, sizeof(p));

	assert_int_equal(sl_defrag_datagrams(fx->d), 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_FRAGMENTS), 3);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_REASSEMBLED), 1);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_DUPLICATE), 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_OVERLAP), 0);
}

static void test_reverse_order(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[1000];
	struct sl_frag f;
	int i;

	/* 8 fragments of 128 bytes, the last one shorter (1000 = 7 * 128 + 104). */
	fill_pattern(p, sizeof(p), 2);
	for (i = 7; i >= 0; i--) {
		size_t off = (size_t)i * 128, len = i == 7 ? 104 : 128;

		f = frag6(0xdeadbeef, (uint32_t)off, i != 7, p + off, len);
		offer(fx, &f, 100, i == 0 ? SL_DEFRAG_DONE : SL_DEFRAG_HELD, p, sizeof(p));
	}
	assert_int_equal(sl_defrag_datagrams(fx->d), 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_REASSEMBLED), 1);
}

static void test_random_permutations(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[3000];
	uint32_t offs[64];
	size_t lens[64];
	unsigned n, i, j, iter;

	rng_state = 0x5eed5eed12345678ULL;
	for (iter = 0; iter < 300; iter++) {
		size_t total = 1 + rng() % sizeof(p), off = 0;

		fill_pattern(p, total, (uint8_t)iter);
		/* Random cut points on 8-byte boundaries. */
		n = 0;
		while (off < total) {
			size_t len = 8 * (1 + rng() % 48);

			if (off + len >= total || n == 63)
				len = total - off;
			offs[n] = (uint32_t)off;
			lens[n] = len;
			n++;
			off += len;
		}
		/* Fisher-Yates shuffle. */
		for (i = n - 1; i > 0; i--) {
			uint32_t to;
			size_t tl;

			j = (unsigned)(rng() % (i + 1));
			to = offs[i];
			offs[i] = offs[j];
			offs[j] = to;
			tl = lens[i];
			lens[i] = lens[j];
			lens[j] = tl;
		}
		for (i = 0; i < n; i++) {
			bool last = offs[i] + lens[i] == total;
			struct sl_frag f = frag4(iter & 0xffff, offs[i], !last, p + offs[i], lens[i]);

			/* A one-fragment datagram is atomic and completes at once. */
			offer(fx, &f, iter, i == n - 1 ? SL_DEFRAG_DONE : SL_DEFRAG_HELD, p, total);
		}
		assert_int_equal(sl_defrag_datagrams(fx->d), 0);
		assert_int_equal(sl_defrag_bytes(fx->d), 0);
	}
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_REASSEMBLED), 300);
}

static void test_duplicates(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[24], other[24];
	struct sl_frag f;

	fill_pattern(p, sizeof(p), 3);
	memset(other, 0xee, sizeof(other));
	f = frag4(7, 8, true, p + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	/* Same place, different bytes: still a duplicate, the first bytes stay. */
	f = frag4(7, 8, true, other, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_DUPLICATE), 2);
	assert_int_equal(sl_defrag_bytes(fx->d), 8);
	f = frag4(7, 16, false, p + 16, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(7, 0, true, p, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, p, sizeof(p));
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_OVERLAP), 0);
}

static void test_duplicate_last_sets_end(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[20];
	struct sl_frag f;

	/* A fragment that turns out to be the last one is repeated with MF clear and no new byte. */
	fill_pattern(p, sizeof(p), 4);
	f = frag4(9, 0, true, p, 16);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(9, 8, false, p + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, p, 16);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_DUPLICATE), 1);
}

static void test_overlap_first_wins(void **state)
{
	struct fixture *fx = *state;
	uint8_t a[24], b[24], c[8], want[48];
	struct sl_frag f;

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	memset(c, 'C', sizeof(c));

	/* A [0,24) then B [16,40): bytes 16..23 stay A. */
	f = frag4(1, 0, true, a, 24);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(1, 16, true, b, 24);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 40);
	f = frag4(1, 40, false, c, 8);
	memset(want, 'A', 24);
	memset(want + 24, 'B', 16);
	memset(want + 40, 'C', 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, want, 48);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_OVERLAP), 1);

	/* Same fragments, B first: bytes 16..23 stay B. */
	f = frag4(2, 16, true, b, 24);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(2, 0, true, a, 24);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(2, 40, false, c, 8);
	memset(want, 'A', 16);
	memset(want + 16, 'B', 24);
	memset(want + 40, 'C', 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, want, 48);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_OVERLAP), 2);
}

static void test_overlap_spanning_holes(void **state)
{
	struct fixture *fx = *state;
	uint8_t x[8], y[8], z[48], want[48];
	struct sl_frag f;

	memset(x, 'x', sizeof(x));
	memset(y, 'y', sizeof(y));
	fill_pattern(z, sizeof(z), 9);

	/* Held [8,16) and [32,40); then one last fragment [0,48) fills the three holes around them. */
	f = frag4(3, 8, true, x, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(3, 32, true, y, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(3, 0, false, z, 48);
	/* offset 0 without MF would be atomic; use MF and a separate tail instead */
	f.more = true;
	f.len = 40;
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 40);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_OVERLAP), 1);
	f = frag4(3, 40, false, z + 40, 8);
	memcpy(want, z, 48);
	memcpy(want + 8, x, 8);
	memcpy(want + 32, y, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, want, 48);

	/* A last fragment at offset 8 covering [8,48) over held [16,24) and [32,40). */
	f = frag4(4, 16, true, x, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(4, 32, true, y, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(4, 8, false, z + 8, 40);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 40);
	f = frag4(4, 0, true, z, 8);
	memcpy(want, z, 48);
	memcpy(want + 16, x, 8);
	memcpy(want + 32, y, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, want, 48);
}

static void test_timeout(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[24];
	struct sl_frag f;
	uint64_t t0 = 1000000, to = fx->cfg.timeout_us;

	fill_pattern(p, sizeof(p), 5);
	f = frag4(5, 0, true, p, 8);
	offer(fx, &f, t0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(5, 16, false, p + 16, 8);
	offer(fx, &f, t0 + 10, SL_DEFRAG_HELD, NULL, 0);

	/* Exactly the timeout is not older than it. */
	sl_defrag_expire(fx->d, t0 + to);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	sl_defrag_expire(fx->d, t0 + to + 1);
	assert_int_equal(sl_defrag_datagrams(fx->d), 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_TIMEOUT), 1);

	/* The missing middle now starts a new datagram instead of completing the old one. */
	f = frag4(5, 8, true, p + 8, 8);
	offer(fx, &f, t0 + to + 2, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);

	/* A fragment for a timed-out datagram that expire has not swept yet does not join it. */
	f = frag4(5, 0, true, p, 8);
	offer(fx, &f, t0 + 2 * to + 10, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_TIMEOUT), 2);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	assert_int_equal(sl_defrag_bytes(fx->d), 8);
}

static void test_memory_cap(void **state)
{
	struct fixture *fx = *state;	/* max_bytes 100, max_datagrams 2 */
	uint8_t p[128];
	struct sl_frag f;

	fill_pattern(p, sizeof(p), 6);
	f = frag4(1, 0, true, p, 64);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 64);
	/* 64 + 48 > 100: datagram 1, the oldest, goes. */
	f = frag4(2, 0, true, p, 48);
	offer(fx, &f, 1, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_EVICTED), 1);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	assert_int_equal(sl_defrag_bytes(fx->d), 48);
	/* Datagram 1 cannot complete any more; its tail starts a new datagram. */
	f = frag4(1, 64, false, p + 64, 8);
	offer(fx, &f, 2, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 56);
	/* Datagram 2 completes. */
	f = frag4(2, 48, false, p + 48, 16);
	offer(fx, &f, 3, SL_DEFRAG_DONE, p, 64);
	assert_int_equal(sl_defrag_bytes(fx->d), 8);

	/* Growing the current datagram past the cap evicts the others, never itself first. */
	f = frag4(3, 0, true, p, 64);
	offer(fx, &f, 4, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 72);
	f = frag4(3, 64, true, p + 64, 32);
	offer(fx, &f, 5, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_EVICTED), 2);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	assert_int_equal(sl_defrag_bytes(fx->d), 96);
	/* Alone over the cap: the datagram is dropped and the fragment refused. */
	f = frag4(3, 96, false, p + 96, 16);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	offer(fx, &f, 6, SL_DEFRAG_REJECTED, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_EVICTED), 3);
	assert_int_equal(sl_defrag_datagrams(fx->d), 0);
	assert_int_equal(sl_defrag_bytes(fx->d), 0);
	/* A single fragment larger than the cap is refused without evicting anyone else. */
	f = frag4(5, 0, true, p, 8);
	offer(fx, &f, 7, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(4, 0, true, p, 104);
	offer(fx, &f, 8, SL_DEFRAG_REJECTED, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_EVICTED), 4);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	assert_int_equal(sl_defrag_bytes(fx->d), 8);
}

static void test_count_cap(void **state)
{
	struct fixture *fx = *state;	/* max_datagrams 2 */
	uint8_t p[16];
	struct sl_frag f;
	uint32_t id;

	fill_pattern(p, sizeof(p), 7);
	for (id = 1; id <= 3; id++) {
		f = frag4(id, 0, true, p, 8);
		offer(fx, &f, id, SL_DEFRAG_HELD, NULL, 0);
	}
	assert_int_equal(sl_defrag_datagrams(fx->d), 2);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_EVICTED), 1);
	/* Datagram 1 was the oldest and went; 2 and 3 complete. */
	f = frag4(2, 8, false, p + 8, 8);
	offer(fx, &f, 4, SL_DEFRAG_DONE, p, 16);
	f = frag4(3, 8, false, p + 8, 8);
	offer(fx, &f, 5, SL_DEFRAG_DONE, p, 16);
	f = frag4(1, 8, false, p + 8, 8);
	offer(fx, &f, 6, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
}

static void test_too_big(void **state)
{
	struct fixture *fx = *state;
	static uint8_t big[65536];
	struct sl_frag f;
	uint32_t off;

	fill_pattern(big, sizeof(big), 8);
	f = frag4(1, 65528, true, big, 16);
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(1, 65528, false, big, 8);
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(1, 0xfffffff8u, false, big, 8);
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_TOO_BIG), 3);
	assert_int_equal(sl_defrag_datagrams(fx->d), 0);

	/* The largest legal datagram: 65535 bytes in 1480-byte fragments. */
	for (off = 0; off < 65535; off += 1480) {
		size_t len = 65535 - off < 1480 ? 65535 - off : 1480;
		bool last = off + len == 65535;

		f = frag6(77, off, !last, big + off, len);
		offer(fx, &f, 0, last ? SL_DEFRAG_DONE : SL_DEFRAG_HELD, big, 65535);
	}
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_TOO_BIG), 3);
}

static void test_malformed(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[64];
	struct sl_frag f;

	fill_pattern(p, sizeof(p), 10);
	f = frag4(1, 0, true, p, 10);		/* MF, length not a multiple of 8 */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(1, 8, true, p, 0);		/* empty non-last */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(1, 8, false, p, 0);		/* empty last */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(1, 12, true, p, 8);		/* offset not a multiple of 8 */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(0x10000, 8, true, p, 8);	/* IPv4 id wider than 16 bits */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(1, 8, true, p, 8);
	f.version = 5;
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_MALFORMED), 6);
	assert_int_equal(sl_defrag_datagrams(fx->d), 0);

	/* Conflicting ends: the first last fragment fixes the end at 40. */
	f = frag4(2, 32, false, p + 32, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(2, 32, false, p + 32, 16);	/* different end */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	f = frag4(2, 40, true, p + 40, 8);	/* past the end */
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_MALFORMED), 8);
	f = frag4(2, 0, true, p, 32);
	offer(fx, &f, 0, SL_DEFRAG_DONE, p, 40);

	/* A last fragment ending before bytes already held. */
	f = frag4(3, 16, true, p + 16, 16);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(3, 8, false, p + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_REJECTED, NULL, 0);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_MALFORMED), 9);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	assert_int_equal(sl_defrag_bytes(fx->d), 16);
}

static void test_ipv6_32bit_ids(void **state)
{
	struct fixture *fx = *state;
	uint8_t a[16], b[16];
	struct sl_frag f;

	/* Two ids equal in their low 16 bits must not mix. */
	fill_pattern(a, sizeof(a), 11);
	fill_pattern(b, sizeof(b), 99);
	f = frag6(0x00011234, 0, true, a, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag6(0x00021234, 0, true, b, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag6(0xffff1234, 8, false, b + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_datagrams(fx->d), 3);
	f = frag6(0x00021234, 8, false, b + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, b, 16);
	f = frag6(0x00011234, 8, false, a + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, a, 16);
	/* IPv4 with the same low id and other addresses is yet another datagram. */
	f = frag4(0x1234, 8, false, a + 8, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_datagrams(fx->d), 2);
}

static void test_key_fields(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[16];
	struct sl_frag f;

	fill_pattern(p, sizeof(p), 12);
	f = frag4(1, 0, true, p, 8);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	/* Other protocol, other source: separate datagrams. */
	f = frag4(1, 8, false, p + 8, 8);
	f.proto = 6;
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	f = frag4(1, 8, false, p + 8, 8);
	f.src.a[3] = 2;
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	assert_int_equal(sl_defrag_datagrams(fx->d), 3);
	/* Garbage in the caller's pad bytes does not split the key. */
	f = frag4(1, 8, false, p + 8, 8);
	f.src.pad[0] = 0x55;
	f.dst.pad[2] = 0xaa;
	offer(fx, &f, 0, SL_DEFRAG_DONE, p, 16);
}

static void test_atomic_fragment(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[24], q[8];
	struct sl_frag f;

	fill_pattern(p, sizeof(p), 13);
	memset(q, 'q', sizeof(q));
	f = frag6(42, 0, true, p, 16);
	offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	/* RFC 6946: offset 0 without M is processed alone, not merged into datagram 42. */
	f = frag6(42, 0, false, q, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, q, 8);
	assert_int_equal(sl_defrag_datagrams(fx->d), 1);
	f = frag6(42, 16, false, p + 16, 8);
	offer(fx, &f, 0, SL_DEFRAG_DONE, p, 24);
	assert_int_equal(ctr(fx, SL_DEFRAG_CTR_REASSEMBLED), 2);
}

static void test_free_with_held(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[64];
	struct sl_frag f;
	uint32_t id;

	/* Teardown frees a table full of held pieces; the leak check there must hold. */
	fill_pattern(p, sizeof(p), 14);
	for (id = 0; id < 50; id++) {
		f = frag4(id, 8, true, p, 8);
		offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
		f = frag4(id, 24, true, p, 8);
		offer(fx, &f, 0, SL_DEFRAG_HELD, NULL, 0);
	}
	assert_int_equal(sl_defrag_datagrams(fx->d), 50);
	assert_int_equal(sl_defrag_bytes(fx->d), 800);
}

static const struct log_info test_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static int group_setup(void **state)
{
	/* Logging is initialised outside the measured contexts, with no target: silent. */
	log_init(&test_log_info, NULL);
	sl_hash_seed_set(0x0123456789abcdefULL);
	return 0;
}

static int group_teardown(void **state)
{
	log_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reverse_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_permutations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_last_sets_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_first_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_spanning_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_cap, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_count_cap, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_32bit_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_fragment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_held, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
