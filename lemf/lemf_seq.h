/*
 * Which sequence numbers of one (LIID, CIN, stream) a receiver has seen,
 * as a sorted list of disjoint ranges: a duplicate is a number inside a
 * range, a gap a hole between ranges. Resends after a reconnect usually
 * extend or repeat the last range, so the list stays short; holes that a
 * resend fills later are no longer gaps.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct sl_lemf_range {
	uint64_t lo, hi; /* inclusive */
};

struct sl_lemf_seq {
	struct sl_lemf_range *r; /* talloc array, owned */
	unsigned n, cap;
	uint64_t received, duplicates;
};

/*
 * Record seq. Returns 1 if it was seen before (a duplicate), 0 if new, and
 * sets *jump to how many numbers it skipped past the highest seen so far
 * (0 if none or not above), or -ENOMEM.
 */
int sl_lemf_seq_add(void *ctx, struct sl_lemf_seq *q, uint64_t seq, uint64_t *jump);
/* Make room so that the next sl_lemf_seq_add cannot fail. 0 or -ENOMEM. */
int sl_lemf_seq_reserve(void *ctx, struct sl_lemf_seq *q);
/* What sl_lemf_seq_add would return and set, without recording seq. */
int sl_lemf_seq_peek(const struct sl_lemf_seq *q, uint64_t seq, uint64_t *jump);
/* Numbers missing between the lowest and highest seen. */
uint64_t sl_lemf_seq_missing(const struct sl_lemf_seq *q);
/* The same, counting from start (a stream's first number) when the lowest seen is above it: a leading gap. */
uint64_t sl_lemf_seq_missing_from(const struct sl_lemf_seq *q, uint64_t start);
