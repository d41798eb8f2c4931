/*
 * URI normalisation memo (see uri_memo.h): 128 slots, each holding one
 * URI of up to 120 bytes and the at most two identities sl_party_add_uri
 * offers for it (a SIP URI and the number or IMSI in its user part, or one
 * number for tel:). Anything larger is normalised without the memo.
 */
#include "capture/uri_memo.h"

#include <string.h>

#include <talloc.h>

#include "util/hash.h"

#define MEMO_SLOTS 128		/* a power of two */
#define MEMO_URI_MAX 120
#define MEMO_IDS 2

struct memo_entry {
	uint64_t hash;
	uint16_t len;		/* URI length; 0: empty slot */
	uint8_t n;		/* identities offered */
	char uri[MEMO_URI_MAX];
	struct sl_identity id[MEMO_IDS];
};

struct sl_uri_memo {
	struct memo_entry slot[MEMO_SLOTS];
};

struct sl_uri_memo *sl_uri_memo_alloc(void *ctx)
{
	struct sl_uri_memo *m = talloc_zero(ctx, struct sl_uri_memo);

	if (m)
		talloc_set_name_const(m, "sl_uri_memo");
	return m;
}

void sl_uri_memo_add(struct sl_uri_memo *memo, struct sl_party *p, const struct sl_numbering *n, struct sl_str uri)
{
	struct sl_party scratch;
	struct memo_entry *e;
	uint64_t h;
	unsigned i;

	if (!uri.len || uri.len > MEMO_URI_MAX) {
		sl_party_add_uri(p, n, uri);
		return;
	}
	h = sl_hash(uri.p, uri.len);
	e = &memo->slot[h & (MEMO_SLOTS - 1)];
	if (e->len != uri.len || e->hash != h || memcmp(e->uri, uri.p, uri.len) != 0) {
		/*
		 * Normalise into an empty party: every identity offered is taken
		 * there (they differ in type, and the party has room), so its
		 * list is exactly what sl_party_add_uri offers, in order.
		 */
		scratch.n = 0;
		sl_party_add_uri(&scratch, n, uri);
		if (scratch.n > MEMO_IDS) {
			for (i = 0; i < scratch.n; i++)
				sl_party_add(p, (enum sl_id_type)scratch.id[i].type, scratch.id[i].value);
			return;
		}
		e->hash = h;
		e->len = (uint16_t)uri.len;
		memcpy(e->uri, uri.p, uri.len);
		e->n = (uint8_t)scratch.n;
		for (i = 0; i < scratch.n; i++) {
			e->id[i].type = scratch.id[i].type;
			memcpy(e->id[i].value, scratch.id[i].value, strlen(scratch.id[i].value) + 1);
		}
	}
	for (i = 0; i < e->n; i++)
		sl_party_add(p, (enum sl_id_type)e->id[i].type, e->id[i].value);
}
