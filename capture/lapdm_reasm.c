/*
 * LAPDm segment reassembly (see lapdm_reasm.h; TS 44.006 clause 5.8.5 on
 * the M bit and clause 8.7.3 on segmented layer 3 messages). The sequence
 * check follows the receiver's view of clause 8.4: the next in-sequence
 * I frame carries N(S) = V(R); one that repeats V(R) - 1 is a
 * retransmission.
 */
#include "capture/lapdm_reasm.h"

#include <string.h>

static bool key_eq(const struct sl_lapdm_key *a, const struct sl_lapdm_key *b)
{
	return a->source == b->source && a->arfcn == b->arfcn && a->timeslot == b->timeslot &&
	       a->sub_slot == b->sub_slot && a->chan == b->chan && a->sapi == b->sapi && a->uplink == b->uplink;
}

static struct sl_lapdm_link *find(struct sl_lapdm_reasm *r, const struct sl_lapdm_key *k)
{
	unsigned i;

	for (i = 0; i < SL_LAPDM_MAX_LINKS; i++)
		if (r->link[i].used && key_eq(&r->link[i].key, k))
			return &r->link[i];
	return NULL;
}

static struct sl_lapdm_link *take(struct sl_lapdm_reasm *r, const struct sl_lapdm_key *k, bool *evicted)
{
	struct sl_lapdm_link *l = NULL, *oldest = NULL;
	unsigned i;

	for (i = 0; i < SL_LAPDM_MAX_LINKS && !l; i++) {
		if (!r->link[i].used)
			l = &r->link[i];
		else if (!oldest || r->link[i].last_us < oldest->last_us)
			oldest = &r->link[i];
	}
	if (!l) {
		l = oldest;
		*evicted = true;
	}
	l->used = true;
	l->key = *k;
	l->len = 0;
	l->next_ns = 0;
	return l;
}

static bool append(struct sl_lapdm_link *l, struct sl_cursor seg)
{
	if (seg.left > (size_t)(SL_LAPDM_MAX_MSG - l->len))
		return false;
	memcpy(l->buf + l->len, seg.p, seg.left);
	l->len = (uint16_t)(l->len + seg.left);
	return true;
}

enum sl_lapdm_res sl_lapdm_push(struct sl_lapdm_reasm *r, const struct sl_lapdm_key *k, uint8_t ns, bool more,
				struct sl_cursor seg, uint64_t now_us, struct sl_cursor *out, bool *evicted)
{
	struct sl_lapdm_link *l = find(r, k);
	enum sl_lapdm_res res = SL_LAPDM_HELD;

	*evicted = false;
	ns &= 7;
	if (l && ns == ((l->next_ns + 7) & 7))
		return SL_LAPDM_DUP;	/* N(S) = V(R) - 1 again: a retransmission, already used */
	if (!l)
		l = take(r, k, evicted);
	l->last_us = now_us;
	if (l->len && ns != l->next_ns) {
		/* a gap: what was held cannot be completed */
		l->len = 0;
		res = SL_LAPDM_RESTARTED;
		if (!more) {
			l->next_ns = (uint8_t)((ns + 1) & 7);
			return res;
		}
	}
	l->next_ns = (uint8_t)((ns + 1) & 7);
	if (!l->len && !more)
		return SL_LAPDM_PASS;
	if (!append(l, seg)) {
		l->len = 0;
		return SL_LAPDM_OVERFLOW;
	}
	if (more)
		return res;
	*out = sl_cur(l->buf, l->len);
	l->len = 0;	/* the buffer stays valid until the next call */
	return SL_LAPDM_DONE;
}
