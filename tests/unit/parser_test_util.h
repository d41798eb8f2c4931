/*
 * What the capture parser tests share: a talloc context per test
 * whose block count must return to its start value (the parsers allocate
 * nothing that outlives a call), and a fixed-seed PRNG so every run sees
 * the same "random" inputs and a failure reproduces, exactly sized copies
 * (ASan sees any overread), and checks on string views. Static functions in a
 * header so each test stays one translation unit; include after cmocka.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "capture/str.h"

struct fixture {
	void *ctx;
	size_t blocks;
};

static inline int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->ctx = talloc_named_const(NULL, 0, __FILE__);
	fx->blocks = talloc_total_blocks(fx->ctx);
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
	return 0;
}

/* xorshift64; each test seeds rng_state itself */
static uint64_t rng_state;

static inline uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A copy of p[0..len) in a talloc block of exactly len bytes, so ASan sees any overread. */
static inline void *exact(void *ctx, const void *p, size_t len)
{
	void *b = talloc_size(ctx, len);

	assert_non_null(b);
	if (len)
		memcpy(b, p, len);
	return b;
}

#define assert_str(view, lit)                                                              \
	do {                                                                               \
		struct sl_str v_ = (view);                                                 \
		const char *l_ = (lit);                                                    \
		if (!v_.p || v_.len != strlen(l_) || (v_.len && memcmp(v_.p, l_, v_.len))) { \
			print_error("got '%.*s' (len %zu), want '%s'\n", (int)v_.len,        \
				    v_.p ? v_.p : "(null)", v_.len, l_);                     \
			fail();                                                            \
		}                                                                          \
	} while (0)

/* A view must be absent or lie inside buf[0..len). */
static inline void assert_in(struct sl_str s, const char *buf, size_t len)
{
	if (!s.p) {
		assert_int_equal(s.len, 0);
		return;
	}
	assert_true((uintptr_t)s.p >= (uintptr_t)buf);
	assert_true((uintptr_t)s.p - (uintptr_t)buf <= len);
	assert_true(s.len <= len - (size_t)((uintptr_t)s.p - (uintptr_t)buf));
}

