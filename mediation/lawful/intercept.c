/*
 * Interceptions and target matching (see intercept.h).
 *
 * The table keeps each interception once (an entry with its own copy of the
 * targets) and indexes it three ways in one chained hash table: by LIID,
 * by each identity target (type and normalised text) and by each address
 * target (family, prefix length and the masked address). An event looks up
 * each of its identities and, for each prefix length in use, its
 * signalling addresses; each interception found is marked with the event's
 * epoch so that one found through several identities is decided once. The
 * cost of an event is therefore set by its own identities and the number of
 * distinct prefix lengths, never by the number of interceptions.
 *
 * In front of the index sits a blocked Bloom filter of every identity and
 * address key (one 64-byte line per key, four bits in it, about a byte per
 * key): nearly every event names no target, and for those the filter,
 * small enough to stay in cache, answers without touching the table, so a
 * hundred thousand warrants cost about what one costs. The filter is
 * rebuilt, lazily at the next event, when interceptions are removed or it
 * has become too small.
 */
#include "mediation/lawful/intercept.h"

#include <errno.h>
#include <string.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "capture/sip_parse.h"
#include "util/hash.h"

const char *const sl_service_names[4] = { "voice", "messaging", "registration", "location" };

static const struct rate_ctr_desc lawful_ctr_desc[_SL_LAWFUL_CTR_COUNT] = {
	[SL_LAWFUL_CTR_MATCHED] = { "decisions:matched", "Events that fell under at least one active interception" },
	[SL_LAWFUL_CTR_INACTIVE] = { "decisions:inactive",
				     "Events with a target party, but of no interception active at the event's time" },
	[SL_LAWFUL_CTR_NO_TARGET] = { "decisions:no-target", "Events no interception names a party of" },
	[SL_LAWFUL_CTR_MATCHES] = { "matches", "(event, interception) pairs matched" },
	[SL_LAWFUL_CTR_TRUNCATED] = { "decisions:truncated",
				      "Events whose matches did not all fit in memory (must stay 0; logged)" },
	[SL_LAWFUL_CTR_OUT_OF_SCOPE] = { "decisions:out-of-scope",
					 "Events of a target whose active interceptions do not cover the event's service" },
};

const struct rate_ctr_group_desc sl_lawful_ctrg_desc = {
	.group_name_prefix = "lawful",
	.group_description = "Lawful mediation: each event's decision by outcome",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_LAWFUL_CTR_COUNT,
	.ctr_desc = lawful_ctr_desc,
};

/* One index key pointing at one interception. */
struct key_ent {
	struct hlist_node node;
	uint64_t hash;
	struct ic_ent *e;
	uint8_t kind;			/* enum key_kind */
	const struct sl_target *t;	/* KEY_ID, KEY_ADDR */
};

enum key_kind { KEY_LIID, KEY_ID, KEY_ADDR };

/* One interception in the table. */
struct ic_ent {
	struct sl_intercept ic;		/* ic.target points to the entry's own copy */
	struct key_ent *keys;		/* [0] its LIID, [1 + i] target i */
	unsigned n_linked;		/* keys in the index */
	unsigned pos;			/* index in sl_lawful.all */
	uint64_t mark;			/* epoch of the last event that found it */
	uint8_t side;			/* enum sl_target_side found for that event */
};

struct sl_lawful {
	struct ic_ent **all;		/* every interception, in no order */
	unsigned n, cap;
	struct hlist_head *b;		/* the index, 2^bits buckets, grown to keep the load at most 1 */
	unsigned bits;
	uint64_t n_keys;
	unsigned prefix_users[2][129];	/* address targets per [v4/v6][prefix length] */
	uint64_t epoch;
	uint64_t *bloom;		/* 2^bloom_bits blocks of 8 words (512 bits) */
	unsigned bloom_bits;
	bool bloom_stale;		/* rebuild before the next lookup */
	struct ic_ent **found;		/* interceptions the current event found */
	unsigned n_found, found_cap;
	bool found_cut;			/* memory ran out growing found */
	struct sl_match *out;		/* the last event's matches */
	unsigned out_cap;
	struct rate_ctr_group *ctrs;
};

static int lawful_destructor(struct sl_lawful *l)
{
	rate_ctr_group_free(l->ctrs);
	return 0;
}

struct sl_lawful *sl_lawful_alloc(void *ctx, unsigned idx)
{
	struct sl_lawful *l = talloc_zero(ctx, struct sl_lawful);

	if (!l)
		return NULL;
	l->bits = 6;
	l->b = talloc_zero_array(l, struct hlist_head, 1u << l->bits);
	l->ctrs = rate_ctr_group_alloc(l, &sl_lawful_ctrg_desc, idx);
	if (!l->b || !l->ctrs) {
		if (l->ctrs)
			rate_ctr_group_free(l->ctrs);
		talloc_free(l);
		return NULL;
	}
	talloc_set_destructor(l, lawful_destructor);
	return l;
}

struct rate_ctr_group *sl_lawful_ctrs(struct sl_lawful *l)
{
	return l->ctrs;
}

/* ---- keys ---------------------------------------------------------------- */

static inline unsigned fam_index(const struct sl_addr *a)
{
	return a->family == SL_AF_INET6;
}

static unsigned addr_bits(const struct sl_addr *a)
{
	return a->family == SL_AF_INET6 ? 128 : 32;
}

/* a with the bits after len cleared, into out. */
static void addr_mask(const struct sl_addr *a, unsigned len, struct sl_addr *out)
{
	unsigned i;

	*out = *a;
	for (i = 0; i < 16; i++) {
		if (len >= 8 * (i + 1))
			continue;
		out->a[i] &= len <= 8 * i ? 0 : (uint8_t)(0xff00u >> (len - 8 * i));
	}
}

static uint64_t hash_liid(const char *liid)
{
	uint8_t buf[1 + SL_LIID_MAX];
	size_t n = strnlen(liid, SL_LIID_MAX);

	buf[0] = KEY_LIID;
	memcpy(buf + 1, liid, n);
	return sl_hash(buf, 1 + n);
}

/*
 * How many characters of an identity take part in matching: all of them,
 * but for an IMEI only the TAC and serial number (14 digits): the check
 * digit, spare digit or software version after them vary with where the
 * IMEI was seen (RFC 7254 URNs, IMEISV) and do not change the device.
 */
static size_t id_key_len(uint8_t type, const char *value)
{
	size_t n = strnlen(value, SL_ID_MAX - 1);

	return type == SL_ID_IMEI && n > 14 ? 14 : n;
}

static bool id_eq(uint8_t type, const char *a, const char *b)
{
	size_t n = id_key_len(type, a);

	return n == id_key_len(type, b) && !memcmp(a, b, n);
}

static uint64_t hash_id(uint8_t type, const char *value)
{
	uint8_t buf[2 + SL_ID_MAX];
	size_t n = id_key_len(type, value);

	buf[0] = KEY_ID;
	buf[1] = type;
	memcpy(buf + 2, value, n);
	return sl_hash(buf, 2 + n);
}

/* The key of a masked address of prefix length len. */
static uint64_t hash_addr(const struct sl_addr *masked, unsigned len)
{
	uint8_t buf[3 + 16];

	buf[0] = KEY_ADDR;
	buf[1] = masked->family;
	buf[2] = (uint8_t)len;
	memcpy(buf + 3, masked->a, 16);
	return sl_hash(buf, sizeof(buf));
}

static inline struct hlist_head *bucket_of(struct hlist_head *b, unsigned bits, uint64_t h)
{
	return &b[(h * 0x9E3779B97F4A7C15ull) >> (64 - bits)];
}

static inline struct hlist_head *bucket(const struct sl_lawful *l, uint64_t h)
{
	return bucket_of(l->b, l->bits, h);
}

/* Double the buckets while keys outnumber them (load factor at most 1). */
static void index_grow(struct sl_lawful *l)
{
	unsigned bits = l->bits, i;
	struct hlist_head *nb;

	while (bits < 30 && (1ull << bits) < l->n_keys)
		bits++;
	if (bits == l->bits)
		return;
	nb = talloc_zero_array(l, struct hlist_head, 1u << bits);
	if (!nb)
		return; /* longer chains, still correct */
	for (i = 0; i < (1u << l->bits); i++) {
		struct key_ent *k;
		struct hlist_node *tmp;
		hlist_for_each_entry_safe(k, tmp, &l->b[i], node) {
			hlist_del(&k->node);
			hlist_add_head(&k->node, bucket_of(nb, bits, k->hash));
		}
	}
	talloc_free(l->b);
	l->b = nb;
	l->bits = bits;
}

/* ---- the Bloom filter -------------------------------------------------------- */

#define BLOOM_MIN_BITS 4	/* 16 blocks, 1 KiB */

static inline uint64_t *bloom_block(const struct sl_lawful *l, uint64_t h)
{
	return &l->bloom[((h * 0xD6E8FEB86659FD93ull) >> (64 - l->bloom_bits)) * 8];
}

static inline void bloom_add(struct sl_lawful *l, uint64_t h)
{
	uint64_t *b = bloom_block(l, h);
	unsigned i;

	for (i = 0; i < 4; i++) {
		unsigned bit = (unsigned)(h >> (9 * i)) & 511;
		b[bit >> 6] |= 1ull << (bit & 63);
	}
}

static inline bool bloom_may_have(const struct sl_lawful *l, uint64_t h)
{
	const uint64_t *b;
	unsigned i;

	if (!l->bloom)
		return true;
	b = bloom_block(l, h);
	for (i = 0; i < 4; i++) {
		unsigned bit = (unsigned)(h >> (9 * i)) & 511;
		if (!(b[bit >> 6] & (1ull << (bit & 63))))
			return false;
	}
	return true;
}

/*
 * Size the filter for the target keys there are, about 8 bits each (four
 * bits set in a 512-bit block: about 2 % false positives, which cost one
 * table lookup each) so that 100,000 warrants need about 128 KiB, and fill
 * it.
 */
static void bloom_rebuild(struct sl_lawful *l)
{
	unsigned bits = BLOOM_MIN_BITS, i, k;
	uint64_t targets = l->n_keys - l->n; /* one LIID key per interception is not in the filter */
	uint64_t *nb;

	while (bits < 24 && (512ull << bits) < 8 * targets)
		bits++;
	nb = talloc_zero_array(l, uint64_t, 8u << bits);
	if (!nb) {
		talloc_free(l->bloom);
		l->bloom = NULL; /* every lookup goes to the table: slower, still correct */
		return;
	}
	talloc_free(l->bloom);
	l->bloom = nb;
	l->bloom_bits = bits;
	for (i = 0; i < l->n; i++)
		for (k = 1; k < l->all[i]->n_linked; k++)
			bloom_add(l, l->all[i]->keys[k].hash);
	l->bloom_stale = false;
}

static void key_link(struct sl_lawful *l, struct ic_ent *e, enum key_kind kind, const struct sl_target *t, uint64_t h)
{
	struct key_ent *k = &e->keys[e->n_linked++];

	k->hash = h;
	k->e = e;
	k->kind = (uint8_t)kind;
	k->t = t;
	hlist_add_head(&k->node, bucket(l, h));
	l->n_keys++;
	if (kind == KEY_ADDR)
		l->prefix_users[fam_index(&t->addr)][t->prefix_len]++;
	if (kind != KEY_LIID) {
		if (l->bloom && (512ull << l->bloom_bits) >= 4 * (l->n_keys - l->n))
			bloom_add(l, h);
		else
			l->bloom_stale = true; /* too full: rebuilt bigger before the next lookup */
	}
}

static void ent_unlink(struct sl_lawful *l, struct ic_ent *e)
{
	unsigned i;

	for (i = 0; i < e->n_linked; i++) {
		struct key_ent *k = &e->keys[i];
		hlist_del(&k->node);
		l->n_keys--;
		if (k->kind == KEY_ADDR)
			l->prefix_users[fam_index(&k->t->addr)][k->t->prefix_len]--;
	}
	e->n_linked = 0;
	l->bloom_stale = true; /* a Bloom filter cannot forget: rebuilt before the next lookup */
}

/* ---- adding and removing ------------------------------------------------ */

static bool target_valid(const struct sl_target *t)
{
	struct sl_addr masked;

	if (t->id.type != SL_ID_NONE)
		return t->id.type < _SL_ID_TYPE_COUNT && t->id.value[0] && memchr(t->id.value, 0, SL_ID_MAX);
	if (t->addr.family != SL_AF_INET4 && t->addr.family != SL_AF_INET6)
		return false;
	if (t->prefix_len > addr_bits(&t->addr))
		return false;
	addr_mask(&t->addr, t->prefix_len, &masked);
	return sl_addr_eq(&masked, &t->addr); /* host bits must be zero: "10.0.0.1/24" is a mistake */
}

static struct ic_ent *find_ent(const struct sl_lawful *l, const char *liid)
{
	uint64_t h = hash_liid(liid);
	struct key_ent *k;

	hlist_for_each_entry(k, bucket(l, h), node)
		if (k->hash == h && k->kind == KEY_LIID && !strncmp(k->e->ic.liid, liid, sizeof(k->e->ic.liid)))
			return k->e;
	return NULL;
}

int sl_lawful_add(struct sl_lawful *l, const struct sl_intercept *ic)
{
	struct ic_ent *e;
	unsigned i;

	if (!ic->liid[0] || !memchr(ic->liid, 0, sizeof(ic->liid)) || !ic->n_targets ||
	    ic->n_targets > SL_INTERCEPT_MAX_TARGETS || !ic->target || !ic->dest[0] ||
	    !memchr(ic->dest, 0, sizeof(ic->dest)) || (ic->end_us && ic->end_us <= ic->start_us) ||
	    (ic->services & ~SL_SVC_ALL) || !ic->services)
		return -EINVAL;
	for (i = 0; i < ic->n_targets; i++)
		if (!target_valid(&ic->target[i]))
			return -EINVAL;
	if (find_ent(l, ic->liid))
		return -EEXIST;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 64;
		struct ic_ent **all = talloc_realloc(l, l->all, struct ic_ent *, cap);
		if (!all)
			return -ENOMEM;
		l->all = all;
		l->cap = cap;
	}
	e = talloc_zero(l, struct ic_ent);
	if (!e)
		return -ENOMEM;
	e->ic = *ic;
	e->ic.target = talloc_memdup(e, ic->target, ic->n_targets * sizeof(ic->target[0]));
	e->keys = talloc_zero_array(e, struct key_ent, 1 + ic->n_targets);
	if (!e->ic.target || !e->keys) {
		talloc_free(e);
		return -ENOMEM;
	}
	key_link(l, e, KEY_LIID, NULL, hash_liid(e->ic.liid));
	for (i = 0; i < e->ic.n_targets; i++) {
		const struct sl_target *t = &e->ic.target[i];
		if (t->id.type != SL_ID_NONE)
			key_link(l, e, KEY_ID, t, hash_id(t->id.type, t->id.value));
		else
			key_link(l, e, KEY_ADDR, t, hash_addr(&t->addr, t->prefix_len));
	}
	e->pos = l->n;
	l->all[l->n++] = e;
	index_grow(l);
	return 0;
}

int sl_lawful_remove(struct sl_lawful *l, const char *liid)
{
	struct ic_ent *e = find_ent(l, liid);

	if (!e)
		return -ENOENT;
	ent_unlink(l, e);
	l->all[e->pos] = l->all[--l->n];
	l->all[e->pos]->pos = e->pos;
	talloc_free(e);
	return 0;
}

const struct sl_intercept *sl_lawful_find(const struct sl_lawful *l, const char *liid)
{
	struct ic_ent *e = find_ent(l, liid);

	return e ? &e->ic : NULL;
}

unsigned sl_lawful_count(const struct sl_lawful *l)
{
	return l->n;
}

const struct sl_intercept *sl_lawful_get(const struct sl_lawful *l, unsigned i)
{
	return i < l->n ? &l->all[i]->ic : NULL;
}

bool sl_intercept_active(const struct sl_intercept *ic, uint64_t t_us)
{
	return t_us >= ic->start_us && (!ic->end_us || t_us < ic->end_us);
}

/* ---- what an event is ------------------------------------------------------ */

/*
 * The service of a SIP message outside any tracked dialog, by its method
 * (a response by the method of its CSeq): signalling of calls, messages
 * and registrations belongs to those; the rest (OPTIONS, SUBSCRIBE,
 * NOTIFY, PUBLISH) belongs to none.
 */
static unsigned service_of_method(enum sl_sip_method m)
{
	switch (m) {
	case SL_SIP_INVITE:
	case SL_SIP_ACK:
	case SL_SIP_BYE:
	case SL_SIP_CANCEL:
	case SL_SIP_PRACK:
	case SL_SIP_UPDATE:
	case SL_SIP_INFO:
	case SL_SIP_REFER:
		return SL_SVC_VOICE;
	case SL_SIP_MESSAGE:
		return SL_SVC_MESSAGING;
	case SL_SIP_REGISTER:
		return SL_SVC_REGISTRATION;
	default:
		return 0;
	}
}

unsigned sl_event_service(const struct sl_event *ev)
{
	const struct sl_sip_msg *m;

	switch (ev->type) {
	case SL_EV_CALL:
	case SL_EV_RTP_STREAM:
		return SL_SVC_VOICE;
	case SL_EV_MESSAGE:
	case SL_EV_SMS:
		return SL_SVC_MESSAGING;
	case SL_EV_REGISTRATION:
		return SL_SVC_REGISTRATION;
	case SL_EV_LOCATION:
		return SL_SVC_LOCATION;
	case SL_EV_SIP:
		m = ev->sig ? ev->sig->sip : NULL;
		/* a MESSAGE inside a call is messaging, not voice */
		if (m && m->is_request && m->method == SL_SIP_MESSAGE)
			return SL_SVC_MESSAGING;
		switch (sl_dialog_kind(ev->dialog)) {
		case SL_COMM_CALL:
			return SL_SVC_VOICE;
		case SL_COMM_REGISTRATION:
			return SL_SVC_REGISTRATION;
		case SL_COMM_MESSAGE:
			return SL_SVC_MESSAGING;
		default:
			return m ? service_of_method(m->is_request ? m->method : m->cseq_method) : 0;
		}
	default:
		return 0;
	}
}

bool sl_target_matches_party(const struct sl_target *t, const struct sl_party *p)
{
	unsigned i;

	for (i = 0; t->id.type != SL_ID_NONE && i < p->n && i < SL_PARTY_MAX_IDS; i++)
		if (p->id[i].type == t->id.type && id_eq(t->id.type, t->id.value, p->id[i].value))
			return true;
	return false;
}

bool sl_target_matches_addr(const struct sl_target *t, const struct sl_addr *a)
{
	struct sl_addr masked;

	if (t->id.type != SL_ID_NONE || t->addr.family != a->family)
		return false;
	addr_mask(a, t->prefix_len, &masked);
	return sl_addr_eq(&masked, &t->addr);
}

/* ---- matching -------------------------------------------------------------- */

/* e was found for the current event on this side (the caller side wins when found on both). */
static void found(struct sl_lawful *l, struct ic_ent *e, enum sl_target_side side)
{
	if (e->mark == l->epoch) {
		if (side == SL_TARGET_FROM)
			e->side = SL_TARGET_FROM;
		return;
	}
	if (l->n_found == l->found_cap) {
		unsigned cap = l->found_cap ? 2 * l->found_cap : 16;
		struct ic_ent **f = talloc_realloc(l, l->found, struct ic_ent *, cap);
		if (!f) {
			l->found_cut = true;
			return;
		}
		l->found = f;
		l->found_cap = cap;
	}
	e->mark = l->epoch;
	e->side = (uint8_t)side;
	l->found[l->n_found++] = e;
}

/* Every interception an identity names is found on this side. */
static void find_identity(struct sl_lawful *l, const struct sl_identity *id, enum sl_target_side side)
{
	uint64_t h = hash_id(id->type, id->value);
	struct key_ent *k;

	if (!bloom_may_have(l, h))
		return;
	hlist_for_each_entry(k, bucket(l, h), node) {
		if (k->hash != h || k->kind != KEY_ID || k->t->id.type != id->type ||
		    !id_eq(id->type, k->t->id.value, id->value))
			continue;
		found(l, k->e, side);
	}
}

static void find_addr(struct sl_lawful *l, const struct sl_addr *a, enum sl_target_side side)
{
	unsigned f, len;

	if (a->family != SL_AF_INET4 && a->family != SL_AF_INET6)
		return;
	f = fam_index(a);
	for (len = 0; len <= addr_bits(a); len++) {
		struct sl_addr masked;
		struct key_ent *k;
		uint64_t h;

		if (!l->prefix_users[f][len])
			continue;
		addr_mask(a, len, &masked);
		h = hash_addr(&masked, len);
		if (!bloom_may_have(l, h))
			continue;
		hlist_for_each_entry(k, bucket(l, h), node) {
			if (k->hash != h || k->kind != KEY_ADDR || k->t->prefix_len != len ||
			    !sl_addr_eq(&k->t->addr, &masked))
				continue;
			found(l, k->e, side);
		}
	}
}

static void find_party(struct sl_lawful *l, const struct sl_party *p, enum sl_target_side side)
{
	unsigned i;

	for (i = 0; i < p->n && i < SL_PARTY_MAX_IDS; i++)
		find_identity(l, &p->id[i], side);
}

/*
 * Signalling addresses: the sender of a message is the caller's side
 * unless the callee sent it (a response, or a request of the callee's).
 */
static void find_sig(struct sl_lawful *l, const struct sl_event *ev)
{
	bool callee_sent = ev->dir == SL_DIR_FROM_CALLEE;

	if (!l->n_keys || !ev->sig)
		return;
	find_addr(l, &ev->sig->src.addr, callee_sent ? SL_TARGET_TO : SL_TARGET_FROM);
	find_addr(l, &ev->sig->dst.addr, callee_sent ? SL_TARGET_FROM : SL_TARGET_TO);
}

static bool out_room(struct sl_lawful *l, unsigned n)
{
	unsigned cap;
	struct sl_match *o;

	if (n < l->out_cap)
		return true;
	cap = l->out_cap ? 2 * l->out_cap : 16;
	o = talloc_realloc(l, l->out, struct sl_match, cap);
	if (!o)
		return false;
	l->out = o;
	l->out_cap = cap;
	return true;
}

unsigned sl_lawful_match(struct sl_lawful *l, const struct sl_event *ev, const struct sl_match **out)
{
	unsigned svc = sl_event_service(ev), i, n = 0;
	bool targeted = false, active_any = false, cut = false;

	*out = l->out;
	if (!l->n) {
		rate_ctr_inc2(l->ctrs, SL_LAWFUL_CTR_NO_TARGET);
		return 0;
	}
	if (l->bloom_stale)
		bloom_rebuild(l);
	l->epoch++;
	l->n_found = 0;
	l->found_cut = false;
	find_party(l, &ev->from, SL_TARGET_FROM);
	find_party(l, &ev->to, SL_TARGET_TO);
	find_sig(l, ev);
	cut = l->found_cut;
	for (i = 0; i < l->n_found; i++) {
		struct ic_ent *e = l->found[i];
		targeted = true;
		if (!sl_intercept_active(&e->ic, ev->ts_us))
			continue;
		active_any = true;
		if (!(e->ic.services & svc))
			continue;
		if (!out_room(l, n)) {
			cut = true;
			break;
		}
		l->out[n++] = (struct sl_match){ .ic = &e->ic, .side = (enum sl_target_side)e->side };
	}
	*out = l->out;
	if (n) {
		rate_ctr_inc2(l->ctrs, SL_LAWFUL_CTR_MATCHED);
		rate_ctr_add(rate_ctr_group_get_ctr(l->ctrs, SL_LAWFUL_CTR_MATCHES), n);
	} else {
		rate_ctr_inc2(l->ctrs, active_any ? SL_LAWFUL_CTR_OUT_OF_SCOPE
					 : targeted ? SL_LAWFUL_CTR_INACTIVE : SL_LAWFUL_CTR_NO_TARGET);
	}
	if (cut) {
		rate_ctr_inc2(l->ctrs, SL_LAWFUL_CTR_TRUNCATED);
		LOGP(DLGLOBAL, LOGL_ERROR, "lawful: out of memory listing the matches of an event; some were cut\n");
	}
	return n;
}
