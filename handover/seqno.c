/*
 * Sequence number contexts (TS 102 232-1 clause 5.2.5, table 1A): a
 * chained hash table from (LIID, CIN or none, payload class) to the next
 * number, bounded by a configured count so a flood of communications
 * cannot grow it without limit. Numbers are uint32_t and wrap to 0 after
 * 2^32 - 1 as the clause requires.
 */
#include <errno.h>
#include <string.h>

#include <talloc.h>

#include "handover/pdu_ctx.h"
#include "handover/seqno.h"

struct seq_ent {
	struct seq_ent *next;
	uint32_t cin;
	uint32_t seq;
	uint8_t cls;
	bool has_cin;
	uint8_t liid_len;
	char liid[SL_PDU_LIID_MAX];
};

struct sl_seqno {
	struct seq_ent **buckets;
	unsigned nbuckets; /* power of two */
	unsigned count, max;
};

struct sl_seqno *sl_seqno_alloc(void *ctx, unsigned max_contexts)
{
	struct sl_seqno *s = talloc_zero(ctx, struct sl_seqno);
	unsigned nb = 16;

	if (!s)
		return NULL;
	talloc_set_name_const(s, "sl_seqno");
	while (nb < max_contexts && nb < (1u << 24))
		nb <<= 1;
	s->buckets = talloc_zero_array(s, struct seq_ent *, nb);
	if (!s->buckets) {
		talloc_free(s);
		return NULL;
	}
	s->nbuckets = nb;
	s->max = max_contexts;
	return s;
}

static uint32_t hash(const char *liid, size_t n, bool has_cin, uint32_t cin, unsigned cls)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)liid[i]) * 16777619u;
	h = (h ^ (has_cin ? cin : 0xFFFFFFFFu)) * 16777619u;
	h = (h ^ (cls | (has_cin ? 0x100u : 0))) * 16777619u;
	return h ^ (h >> 15);
}

static struct seq_ent **find(struct sl_seqno *s, const char *liid, size_t n, bool has_cin, uint32_t cin,
			     unsigned cls)
{
	struct seq_ent **pp = &s->buckets[hash(liid, n, has_cin, cin, cls) & (s->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next) {
		struct seq_ent *e = *pp;

		if (e->cls == cls && e->has_cin == has_cin && (!has_cin || e->cin == cin) && e->liid_len == n
		    && memcmp(e->liid, liid, n) == 0)
			return pp;
	}
	return pp;
}

int sl_seqno_next(struct sl_seqno *s, const char *liid, bool has_cin, uint32_t cin, enum sl_seq_class cls,
		  uint32_t *out)
{
	size_t n = liid ? strlen(liid) : 0;
	struct seq_ent **pp, *e;

	if (!s || !out || n > SL_PDU_LIID_MAX || (unsigned)cls >= _SL_SEQ_CLASS_COUNT)
		return -EINVAL;
	pp = find(s, liid, n, has_cin, cin, cls);
	if (!*pp) {
		if (s->count >= s->max)
			return -ENOSPC;
		e = talloc_zero(s, struct seq_ent);
		if (!e)
			return -ENOMEM;
		e->cls = (uint8_t)cls;
		e->has_cin = has_cin;
		e->cin = has_cin ? cin : 0;
		e->liid_len = (uint8_t)n;
		if (n)
			memcpy(e->liid, liid, n);
		*pp = e;
		s->count++;
	}
	e = *pp;
	*out = e->seq++; /* uint32_t: wraps to 0 after 2^32 - 1 */
	return 0;
}

void sl_seqno_end(struct sl_seqno *s, const char *liid, uint32_t cin)
{
	size_t n = liid ? strlen(liid) : 0;
	unsigned cls;

	if (!s || n > SL_PDU_LIID_MAX)
		return;
	for (cls = SL_SEQ_IRI; cls <= SL_SEQ_CC; cls++) {
		struct seq_ent **pp = find(s, liid, n, true, cin, cls), *e = *pp;

		if (!e)
			continue;
		*pp = e->next;
		talloc_free(e);
		s->count--;
	}
}

unsigned sl_seqno_count(const struct sl_seqno *s)
{
	return s ? s->count : 0;
}
