/*
 * Bucket arrays for the capture tables, sized from their configured limits.
 *
 * A fixed 2^16-bucket table is wrong both ways: a million-dialog
 * configuration gets chains of fifteen, and a small one (tests, fuzzing,
 * the daemon's defaults on a small box) pays megabytes of zeroed buckets.
 * Here a table gets the power of two at or above its entry limit (so the
 * load factor stays at most 1), between 16 and 2^22 buckets. The bucket is
 * taken from the high bits of a multiplicative mix of the key's hash, as
 * the Linux/osmocom hash_long does, so hashes with weak low bits still
 * spread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>
#include <talloc.h>

struct sl_buckets {
	struct hlist_head *b;
	unsigned bits;
};

static inline bool sl_buckets_init(void *ctx, struct sl_buckets *t, uint64_t max_entries)
{
	unsigned bits = 4;

	while (bits < 22 && (1ull << bits) < max_entries)
		bits++;
	t->bits = bits;
	t->b = talloc_zero_array(ctx, struct hlist_head, 1u << bits);
	return t->b != NULL;
}

static inline struct hlist_head *sl_buckets_head(const struct sl_buckets *t, uint64_t hash)
{
	return &t->b[(hash * 0x9E3779B97F4A7C15ull) >> (64 - t->bits)];
}
