/*
 * What an IMS registration binds together (3GPP TS 24.229 clause 5.1.1,
 * TS 23.003 clauses 13.3 and 13.8): a REGISTER carries the subscriber's
 * public identities (From/To, the address of record), its private identity
 * (Authorization username, which for an IMSI-derived IMPI yields the IMSI)
 * and the device (+sip.instance with a urn:gsma:imei URN). The MESSAGEs and
 * INVITEs the phone sends later name only the public identity. A warrant
 * on an IMSI or IMEI must still reach them, so after a successful
 * registration the IMSI and IMEI it showed are bound to its public
 * identities (those it named, and those the registrar's 2xx lists in
 * P-Associated-URI, TS 24.229 5.4.1.2.2: in practice the MSISDN the phone
 * later calls and texts from) until the registration expires (packet time)
 * or is undone;
 * sip_handle.c then adds them to any party that carries one of those
 * public identities.
 *
 * The table is bounded (SL_SIP_BIND_MAX registrations, the oldest evicted
 * and counted) and keyed through the per-process seeded hash, as every
 * table of untrusted keys is. Only registrations that showed an IMSI or an
 * IMEI are kept.
 */
#include <string.h>

#include <talloc.h>

#include "capture/capture_int.h"
#include "util/buckets.h"
#include "util/hash.h"

#define BIND_KEYS 8	/* public identities kept per registration */
#define ASSOCIATED_MAX 8	/* P-Associated-URI entries read */

struct bind;

struct bind_key {
	struct hlist_node node;
	uint64_t hash;
	uint8_t type;
	char *value;
	struct bind *b;
};

struct bind {
	struct llist_head lru;		/* oldest first */
	uint64_t expires_us;
	char imsi[SL_ID_MAX], imei[SL_ID_MAX];
	unsigned n_keys;
	struct bind_key key[BIND_KEYS];
};

struct sl_sip_binds {
	struct sl_buckets table;
	struct llist_head lru;
	unsigned count;
};

static bool is_public(uint8_t type)
{
	return type == SL_ID_SIP_URI || type == SL_ID_E164 || type == SL_ID_NUMBER;
}

static uint64_t key_hash(uint8_t type, const char *value)
{
	return sl_hash(value, strlen(value)) ^ (uint64_t)type * 0x9E3779B97F4A7C15ull;
}

struct sl_sip_binds *sl_sip_binds_alloc(void *ctx)
{
	struct sl_sip_binds *t = talloc_zero(ctx, struct sl_sip_binds);

	if (!t)
		return NULL;
	if (!sl_buckets_init(t, &t->table, SL_SIP_BIND_MAX * BIND_KEYS)) {
		talloc_free(t);
		return NULL;
	}
	INIT_LLIST_HEAD(&t->lru);
	return t;
}

static void bind_free(struct sl_sip_binds *t, struct bind *b)
{
	unsigned i;

	for (i = 0; i < b->n_keys; i++)
		hlist_del(&b->key[i].node);
	llist_del(&b->lru);
	t->count--;
	talloc_free(b);
}

static struct bind *lookup(struct sl_sip_binds *t, uint8_t type, const char *value)
{
	uint64_t h = key_hash(type, value);
	struct bind_key *k;

	hlist_for_each_entry(k, sl_buckets_head(&t->table, h), node)
		if (k->hash == h && k->type == type && !strcmp(k->value, value))
			return k->b;
	return NULL;
}

static void forget_party(struct sl_sip_binds *t, const struct sl_party *p)
{
	unsigned i;

	for (i = 0; i < p->n && i < SL_PARTY_MAX_IDS; i++) {
		struct bind *b;
		if (is_public(p->id[i].type) && (b = lookup(t, p->id[i].type, p->id[i].value)))
			bind_free(t, b);
	}
}

/* The URIs of a P-Associated-URI value (RFC 7315 4.1: comma-separated name-addrs) as identities. */
static void associated_ids(const struct sl_capture *cap, struct sl_str v, struct sl_party *out)
{
	unsigned k;

	memset(out, 0, sizeof(*out));
	for (k = 0; v.len && k < ASSOCIATED_MAX; k++) {
		long comma = sl_str_chr(v, ',');
		struct sl_str one = sl_str_trim(sl_str_make(v.p, comma < 0 ? v.len : (size_t)comma));
		struct sl_sip_nameaddr na;

		if (one.len && sl_sip_parse_nameaddr(one, &na) && na.uri.len)
			sl_party_add_uri(out, &cap->cfg.numbering, na.uri);
		v = comma < 0 ? sl_str_make(v.p + v.len, 0) : sl_str_sub(v, (size_t)comma + 1, v.len);
	}
}

static void add_keys(struct sl_sip_binds *t, struct bind *b, const struct sl_party *p)
{
	unsigned i;

	for (i = 0; i < p->n && i < SL_PARTY_MAX_IDS && b->n_keys < BIND_KEYS; i++) {
		struct bind_key *k = &b->key[b->n_keys];
		if (!is_public(p->id[i].type) || lookup(t, p->id[i].type, p->id[i].value) == b)
			continue;
		k->value = talloc_strdup(b, p->id[i].value);
		if (!k->value)
			return;
		k->type = p->id[i].type;
		k->hash = key_hash(k->type, k->value);
		k->b = b;
		hlist_add_head(&k->node, sl_buckets_head(&t->table, k->hash));
		b->n_keys++;
	}
}

void sl_sip_bind_learn(struct sl_capture *cap, const struct sl_party *p, struct sl_str associated, uint64_t expires_us)
{
	struct sl_sip_binds *t = cap->binds;
	const struct sl_identity *imsi = sl_party_first(p, SL_ID_IMSI), *imei = sl_party_first(p, SL_ID_IMEI);
	struct sl_party assoc;
	struct bind *b;

	if (!imsi && !imei)
		return;
	associated_ids(cap, associated, &assoc);
	/* a re-registration replaces what the old one bound */
	forget_party(t, p);
	forget_party(t, &assoc);
	if (t->count >= SL_SIP_BIND_MAX) {
		bind_free(t, llist_first_entry(&t->lru, struct bind, lru));
		sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_BINDS_EVICTED);
	}
	b = talloc_zero(t, struct bind);
	if (!b)
		return;
	b->expires_us = expires_us;
	if (imsi)
		memcpy(b->imsi, imsi->value, sizeof(b->imsi));
	if (imei)
		memcpy(b->imei, imei->value, sizeof(b->imei));
	add_keys(t, b, p);
	add_keys(t, b, &assoc);
	llist_add_tail(&b->lru, &t->lru);
	t->count++;
	if (!b->n_keys)
		bind_free(t, b);
	else
		sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_BINDS);
}

void sl_sip_bind_forget(struct sl_capture *cap, const struct sl_party *p, struct sl_str associated)
{
	struct sl_party assoc;

	if (!cap->binds->count)
		return;
	associated_ids(cap, associated, &assoc);
	forget_party(cap->binds, p);
	forget_party(cap->binds, &assoc);
}

void sl_sip_bind_enrich(struct sl_capture *cap, struct sl_party *p, uint64_t now_us)
{
	struct sl_sip_binds *t = cap->binds;
	unsigned i, n = p->n;

	if (!t->count)
		return;
	for (i = 0; i < n && i < SL_PARTY_MAX_IDS; i++) {
		struct bind *b;
		if (!is_public(p->id[i].type) || !(b = lookup(t, p->id[i].type, p->id[i].value)))
			continue;
		if (b->expires_us <= now_us) {
			bind_free(t, b);
			continue;
		}
		if (b->imsi[0])
			sl_party_add(p, SL_ID_IMSI, b->imsi);
		if (b->imei[0])
			sl_party_add(p, SL_ID_IMEI, b->imei);
		return;
	}
}

unsigned sl_sip_binds_count(const struct sl_capture *cap)
{
	return cap->binds->count;
}
