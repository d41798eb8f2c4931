/*
 * UE binding table (see ue_bind.h): sessions learnt from GTPv2-C, indexed
 * by control-plane endpoint and by UE address, bounded and timed out in
 * packet time.
 *
 * Two hash tables over the same entries: control keys (node address and
 * TEID, TS 29.274 clause 5.5.2: a peer addresses a session by the TEID its
 * counterpart gave in its F-TEID) and UE keys (the PDN Address
 * Allocation, TS 29.274 8.14: an IPv4 address, and an IPv6 prefix whose
 * /64 the UE builds its addresses in, TS 23.401 5.3.1.2.2). A key
 * reused by a newer session shadows the older one (new entries go to the
 * head of their chain); when the newer one goes, the older is found
 * again. One LRU list orders entries by their last GTPv2-C message: its
 * head is evicted when the table is full and expires first.
 *
 * Ownership: the table is a talloc child of the caller's context; each
 * session is a talloc child of the table, freed by sl_ue_sess_free after
 * the owner's callback ran.
 */
#include <string.h>

#include <talloc.h>

#include "capture/ue_bind.h"
#include "util/buckets.h"
#include "util/hash.h"

const char *const sl_ue_gone_names[_SL_UE_GONE_COUNT] = {
	[SL_UE_GONE_DELETED] = "deleted",
	[SL_UE_GONE_REJECTED] = "rejected",
	[SL_UE_GONE_IDLE] = "expired",
	[SL_UE_GONE_EVICTED] = "evicted",
	[SL_UE_GONE_FLUSH] = "capture_end",
};

struct sl_ue_bind {
	struct sl_buckets ctl, ue;
	struct llist_head lru;		/* head: least recently updated */
	unsigned count, bound, max;
	uint64_t idle_us;
	sl_ue_gone_cb gone;
	void *priv;
};

struct sl_ue_bind *sl_ue_bind_alloc(void *ctx, unsigned max_sessions, uint64_t idle_us, sl_ue_gone_cb gone, void *priv)
{
	struct sl_ue_bind *t = talloc_zero(ctx, struct sl_ue_bind);

	if (!t)
		return NULL;
	talloc_set_name_const(t, "sl_ue_bind");
	t->max = max_sessions ? max_sessions : 1;
	t->idle_us = idle_us;
	t->gone = gone;
	t->priv = priv;
	INIT_LLIST_HEAD(&t->lru);
	/* two control keys per session; one or two UE keys */
	if (!sl_buckets_init(t, &t->ctl, 2ull * t->max) || !sl_buckets_init(t, &t->ue, t->max)) {
		talloc_free(t);
		return NULL;
	}
	return t;
}

static uint64_t ctl_hash(const struct sl_ue_key *k)
{
	return sl_hash(k, sizeof(*k));
}

static uint64_t ue_hash(const struct sl_addr *a)
{
	return sl_hash(a, sizeof(*a));
}

/* The UE key of an address: IPv4 as is, IPv6 cut to its /64. */
static void ue_key_of(const struct sl_addr *a, struct sl_addr *k)
{
	*k = *a;
	if (a->family == SL_AF_INET6)
		memset(k->a + 8, 0, 8);
}

struct sl_ue_sess *sl_ue_sess_new(struct sl_ue_bind *t, uint64_t now_us)
{
	struct sl_ue_sess *s;

	while (t->count >= t->max && !llist_empty(&t->lru))
		sl_ue_sess_free(t, llist_first_entry(&t->lru, struct sl_ue_sess, lru), SL_UE_GONE_EVICTED);
	s = talloc_zero(t, struct sl_ue_sess);
	if (!s)
		return NULL;
	s->created_us = s->last_us = now_us;
	for (int i = 0; i < 2; i++) {
		INIT_HLIST_NODE(&s->ctl_node[i].node);
		INIT_HLIST_NODE(&s->ue_node[i].node);
		s->ctl_node[i].sess = s;
		s->ue_node[i].sess = s;
	}
	llist_add_tail(&s->lru, &t->lru);
	t->count++;
	return s;
}

void sl_ue_sess_set_ctl(struct sl_ue_bind *t, struct sl_ue_sess *s, unsigned side, const struct sl_addr *node,
			uint32_t teid)
{
	if (side > 1)
		return;
	if (s->has_ctl[side])
		hlist_del_init(&s->ctl_node[side].node);
	memset(&s->ctl[side], 0, sizeof(s->ctl[side]));
	s->ctl[side].addr = *node;
	s->ctl[side].teid = teid;
	s->ctl_hash[side] = ctl_hash(&s->ctl[side]);
	hlist_add_head(&s->ctl_node[side].node, sl_buckets_head(&t->ctl, s->ctl_hash[side]));
	s->has_ctl[side] = true;
}

/*
 * The first session whose control key node:teid is on one of sides (bit 0:
 * side 0, bit 1: side 1) and that match accepts (NULL: any): the one walk
 * of the control-key buckets every lookup below shares.
 */
static struct sl_ue_sess *find_ctl(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid, unsigned sides,
				   bool (*match)(const struct sl_ue_sess *s, const void *arg), const void *arg)
{
	struct sl_ue_key k;
	struct sl_ue_hnode *hn;
	uint64_t h;

	memset(&k, 0, sizeof(k));
	k.addr = *node;
	k.teid = teid;
	h = ctl_hash(&k);
	hlist_for_each_entry(hn, sl_buckets_head(&t->ctl, h), node) {
		struct sl_ue_sess *s = hn->sess;
		unsigned side = hn == &s->ctl_node[0] ? 0 : 1;

		if ((sides >> side & 1) && s->ctl_hash[side] == h && memcmp(&s->ctl[side], &k, sizeof(k)) == 0
		    && (!match || match(s, arg)))
			return s;
	}
	return NULL;
}

struct sl_ue_sess *sl_ue_sess_find_ctl(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid)
{
	return find_ctl(t, node, teid, 3, NULL, NULL);
}

struct sl_ue_sess *sl_ue_sess_find_ctl_if(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid,
					  bool (*match)(const struct sl_ue_sess *s, const void *arg), const void *arg)
{
	return find_ctl(t, node, teid, 3, match, arg);
}

static bool pending_with_seq(const struct sl_ue_sess *s, const void *arg)
{
	return s->pending && s->pending_seq == *(const uint32_t *)arg;
}

struct sl_ue_sess *sl_ue_sess_find_pending(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid,
					   uint32_t seq)
{
	/* a pending request is keyed by the sender's side (0) only */
	return find_ctl(t, node, teid, 1, pending_with_seq, &seq);
}

void sl_ue_sess_bind(struct sl_ue_bind *t, struct sl_ue_sess *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (s->has_ue_key[i])
			hlist_del_init(&s->ue_node[i].node);
		s->has_ue_key[i] = false;
	}
	memset(s->ue_key, 0, sizeof(s->ue_key));
	if (s->info.has_ue4 && memcmp(s->info.ue4, "\0\0\0\0", 4) != 0) {
		sl_addr_set4(&s->ue_key[0], s->info.ue4);
		s->has_ue_key[0] = true;
	}
	if (s->info.has_ue6) {
		struct sl_addr a;

		sl_addr_set6(&a, s->info.ue6);
		ue_key_of(&a, &s->ue_key[1]);
		s->has_ue_key[1] = true;
	}
	for (i = 0; i < 2; i++) {
		if (!s->has_ue_key[i])
			continue;
		s->ue_hash[i] = ue_hash(&s->ue_key[i]);
		hlist_add_head(&s->ue_node[i].node, sl_buckets_head(&t->ue, s->ue_hash[i]));
	}
	if (!s->bound && (s->has_ue_key[0] || s->has_ue_key[1])) {
		s->bound = true;
		t->bound++;
	}
}

void sl_ue_sess_touch(struct sl_ue_bind *t, struct sl_ue_sess *s, uint64_t now_us)
{
	if (now_us > s->last_us)
		s->last_us = now_us;
	llist_del(&s->lru);
	llist_add_tail(&s->lru, &t->lru);
}

void sl_ue_sess_free(struct sl_ue_bind *t, struct sl_ue_sess *s, enum sl_ue_gone why)
{
	int i;

	if (t->gone)
		t->gone(s, why, t->priv);
	for (i = 0; i < 2; i++) {
		if (s->has_ctl[i])
			hlist_del_init(&s->ctl_node[i].node);
		if (s->has_ue_key[i])
			hlist_del_init(&s->ue_node[i].node);
	}
	if (s->bound)
		t->bound--;
	llist_del(&s->lru);
	t->count--;
	talloc_free(s);
}

const struct sl_ue_sess *sl_ue_bind_lookup(const struct sl_ue_bind *t, const struct sl_addr *a)
{
	const struct sl_ue_sess *found = NULL;
	struct sl_addr k;
	const struct sl_ue_hnode *hn;
	uint64_t h;

	if (!t->bound)
		return NULL;
	ue_key_of(a, &k);
	h = ue_hash(&k);
	hlist_for_each_entry(hn, sl_buckets_head(&t->ue, h), node) {
		const struct sl_ue_sess *s = hn->sess;
		unsigned i = hn == &s->ue_node[0] ? 0 : 1;

		if (s->ue_hash[i] != h || !sl_addr_eq(&s->ue_key[i], &k))
			continue;
		if (!found) {
			found = s;	/* the newest: sessions are added at the head */
			continue;
		}
		/*
		 * Two live sessions of different subscribers on one address: two
		 * gateways with overlapping private pools, or a reassignment whose
		 * Delete Session was not seen. The table cannot tell which one the
		 * traffic belongs to, and naming the wrong subscriber would bring a
		 * stranger's traffic under a warrant or a consent: name nobody.
		 * The same subscriber twice (S11 and S5/S8 of one PDN connection)
		 * is not ambiguous.
		 */
		if (strcmp(s->info.imsi, found->info.imsi))
			return NULL;
	}
	return found;
}

void sl_ue_bind_expire(struct sl_ue_bind *t, uint64_t now_us)
{
	while (!llist_empty(&t->lru)) {
		struct sl_ue_sess *s = llist_first_entry(&t->lru, struct sl_ue_sess, lru);

		if (s->last_us + t->idle_us > now_us)
			break;
		sl_ue_sess_free(t, s, SL_UE_GONE_IDLE);
	}
}

void sl_ue_bind_flush(struct sl_ue_bind *t)
{
	while (!llist_empty(&t->lru))
		sl_ue_sess_free(t, llist_first_entry(&t->lru, struct sl_ue_sess, lru), SL_UE_GONE_FLUSH);
}

unsigned sl_ue_bind_count(const struct sl_ue_bind *t)
{
	return t->count;
}

unsigned sl_ue_bind_bound(const struct sl_ue_bind *t)
{
	return t->bound;
}
