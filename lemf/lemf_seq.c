/* Seen-set of sequence numbers as sorted disjoint ranges (see lemf_seq.h). */
#include "lemf/lemf_seq.h"

#include <errno.h>
#include <string.h>

#include <talloc.h>

/* First range whose hi >= seq (q->n when none). */
static unsigned find(const struct sl_lemf_seq *q, uint64_t seq)
{
	unsigned lo = 0, hi = q->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (q->r[mid].hi < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* How far seq jumps past the highest number seen (0 if not above it; no wrap past UINT64_MAX). */
static uint64_t jump_of(const struct sl_lemf_seq *q, uint64_t seq)
{
	uint64_t top = q->n ? q->r[q->n - 1].hi : 0;

	return q->n && seq > top && seq - top > 1 ? seq - top - 1 : 0;
}

int sl_lemf_seq_reserve(void *ctx, struct sl_lemf_seq *q)
{
	unsigned cap;
	struct sl_lemf_range *r;

	if (q->n < q->cap)
		return 0;
	cap = q->cap ? q->cap * 2 : 4;
	r = talloc_realloc(ctx, q->r, struct sl_lemf_range, cap);
	if (!r)
		return -ENOMEM;
	q->r = r;
	q->cap = cap;
	return 0;
}

int sl_lemf_seq_peek(const struct sl_lemf_seq *q, uint64_t seq, uint64_t *jump)
{
	unsigned i = find(q, seq);

	*jump = jump_of(q, seq);
	return i < q->n && q->r[i].lo <= seq;
}

int sl_lemf_seq_add(void *ctx, struct sl_lemf_seq *q, uint64_t seq, uint64_t *jump)
{
	unsigned i;

	q->received++;
	*jump = jump_of(q, seq);
	i = find(q, seq);
	if (i < q->n && q->r[i].lo <= seq) {
		q->duplicates++;
		return 1;
	}
	/* Extend a neighbour, merging when the hole closes. */
	if (i > 0 && q->r[i - 1].hi != UINT64_MAX && q->r[i - 1].hi + 1 == seq) {
		q->r[i - 1].hi = seq;
		if (i < q->n && seq != UINT64_MAX && q->r[i].lo == seq + 1) {
			q->r[i - 1].hi = q->r[i].hi;
			memmove(&q->r[i], &q->r[i + 1], (q->n - i - 1) * sizeof(q->r[0]));
			q->n--;
		}
		return 0;
	}
	if (i < q->n && seq != UINT64_MAX && q->r[i].lo == seq + 1) {
		q->r[i].lo = seq;
		return 0;
	}
	if (q->n == q->cap) {
		unsigned cap = q->cap ? q->cap * 2 : 4;
		struct sl_lemf_range *r = talloc_realloc(ctx, q->r, struct sl_lemf_range, cap);

		if (!r)
			return -ENOMEM;
		q->r = r;
		q->cap = cap;
	}
	memmove(&q->r[i + 1], &q->r[i], (q->n - i) * sizeof(q->r[0]));
	q->r[i] = (struct sl_lemf_range){ seq, seq };
	q->n++;
	return 0;
}

uint64_t sl_lemf_seq_missing(const struct sl_lemf_seq *q)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 1; i < q->n; i++)
		m += q->r[i].lo - q->r[i - 1].hi - 1;
	return m;
}

uint64_t sl_lemf_seq_missing_from(const struct sl_lemf_seq *q, uint64_t start)
{
	uint64_t lead = q->n && q->r[0].lo > start ? q->r[0].lo - start : 0;

	return lead + sl_lemf_seq_missing(q);
}
