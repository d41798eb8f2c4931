/*
 * Binary min-heap of (time, sequence) keyed items.
 *
 * Both queues of the generator, the actors waiting to fire and the frames
 * waiting to be written, need "give me the earliest" with ties broken by
 * insertion order, so that equal timestamps still come out in a
 * reproducible order. Either queue holds at most a few thousand entries
 * (one per live stream or in-flight frame), so a plain array heap is all
 * that is needed. The array is a talloc child of the heap's context.
 */
#include <errno.h>
#include <talloc.h>

#include "tests/bench/gencap.h"

static inline bool before(const struct gc_heap_item *a, const struct gc_heap_item *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void gc_heap_init(struct gc_heap *h, void *ctx)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
	h->ctx = ctx;
}

int gc_heap_push(struct gc_heap *h, uint64_t t, uint64_t seq, void *p)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct gc_heap_item *v = talloc_realloc(h->ctx, h->v, struct gc_heap_item, cap);

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}

	struct gc_heap_item it = { .t = t, .seq = seq, .p = p };
	size_t i = h->n++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(&it, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = it;
	return 0;
}

bool gc_heap_pop(struct gc_heap *h, struct gc_heap_item *out)
{
	if (h->n == 0)
		return false;
	*out = h->v[0];

	struct gc_heap_item last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return true;
}

const struct gc_heap_item *gc_heap_top(const struct gc_heap *h)
{
	return h->n ? &h->v[0] : NULL;
}
