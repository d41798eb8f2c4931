/*
 * Small helpers shared by the asn1/ unit tests: a fixed-seed PRNG (so every
 * run sees the same "random" inputs and a failure reproduces), exactly
 * sized heap copies (so AddressSanitizer reports a read one byte past the
 * input), and a hex rendering for failure messages. Header-only and static
 * inline so each test program stays a single translation unit.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* xorshift64: deterministic, seeded per test with t_seed(). */
static uint64_t t_rng_state = 0x9E3779B97F4A7C15ull;

static inline void t_seed(uint64_t s)
{
	t_rng_state = s ? s : 1;
}

static inline uint64_t t_rng(void)
{
	t_rng_state ^= t_rng_state << 13;
	t_rng_state ^= t_rng_state >> 7;
	t_rng_state ^= t_rng_state << 17;
	return t_rng_state;
}

/* Uniform-ish in [0, n); n > 0. */
static inline uint64_t t_below(uint64_t n)
{
	return t_rng() % n;
}

/* A copy of p[0..n) in a heap block of exactly n bytes (1 if n == 0); free() it. */
static inline uint8_t *t_exact(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

/* "30 03 02 01 05" into buf (truncated with "..." past cap), for messages. */
static inline const char *t_hex(const uint8_t *p, size_t n, char *buf, size_t cap)
{
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < n && k + 4 < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s%02x", i ? " " : "", p[i]);
	if (i < n && cap > 4)
		snprintf(buf + cap - 4, 4, "...");
	return buf;
}

/* Byte-exact comparison that prints both sides on failure. */
#define t_assert_bytes(got, got_len, want, want_len)                                        \
	do {                                                                                 \
		const uint8_t *g_ = (const uint8_t *)(got), *w_ = (const uint8_t *)(want);     \
		size_t gl_ = (got_len), wl_ = (want_len);                                      \
		if (gl_ != wl_ || (wl_ && memcmp(g_, w_, wl_) != 0)) {                         \
			char hg_[400], hw_[400];                                               \
			print_error("got  (%zu) %s\nwant (%zu) %s\n", gl_,                     \
				    t_hex(g_, gl_, hg_, sizeof(hg_)), wl_,                     \
				    t_hex(w_, wl_, hw_, sizeof(hw_)));                         \
			fail();                                                                \
		}                                                                              \
	} while (0)

/* Compound-literal byte arrays: B(0x30, 0x00) and its size. */
#define B(...) ((const uint8_t[]){ __VA_ARGS__ })
#define BN(...) sizeof((const uint8_t[]){ __VA_ARGS__ })
