/*
 * The fixture the capture parser tests share: a talloc context per test
 * whose block count must return to its start value (the parsers allocate
 * nothing that outlives a call), and a fixed-seed PRNG so every run sees
 * the same "random" inputs and a failure reproduces. Static functions in a
 * header so each test stays one translation unit; include after cmocka.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <talloc.h>

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
