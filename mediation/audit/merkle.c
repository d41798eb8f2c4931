/*
 * RFC 6962 section 2.1 tree hashes, proofs (2.1.1 PATH, 2.1.2 SUBPROOF)
 * and RFC 9162 2.1.3.2 / 2.1.4.2 proof verification; see merkle.h.
 *
 * The frontier is the compact form of a tree of n leaves: for each set bit
 * of n, from the most significant, the root of a perfect subtree of that
 * many leaves. Folding them right to left with the node hash gives exactly
 * the RFC 6962 MTH, because MTH splits at the largest power of two below n
 * and that split is the first frontier subtree against the rest.
 */
#include "mediation/audit/merkle.h"

#include <string.h>

#include <talloc.h>

void sl_audit_frontier_init(struct sl_audit_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

void sl_audit_frontier_push(struct sl_audit_frontier *f, struct sl_audit_hasher *h,
			    const uint8_t leaf[SL_AUDIT_HASH_LEN], sl_audit_emit_fn emit, void *arg)
{
	memcpy(f->h[f->n], leaf, SL_AUDIT_HASH_LEN);
	f->level[f->n] = 0;
	f->n++;
	if (emit)
		emit(arg, 0, leaf);
	/* Two neighbours of equal height are siblings: merge them (post-order). */
	while (f->n >= 2 && f->level[f->n - 1] == f->level[f->n - 2]) {
		sl_audit_node_hash(h, f->h[f->n - 2], f->h[f->n - 1], f->h[f->n - 2]);
		f->level[f->n - 2]++;
		f->n--;
		if (emit)
			emit(arg, f->level[f->n - 1], f->h[f->n - 1]);
	}
	f->size++;
}

void sl_audit_frontier_root(const struct sl_audit_frontier *f, struct sl_audit_hasher *h,
			    uint8_t out[SL_AUDIT_HASH_LEN])
{
	uint8_t acc[SL_AUDIT_HASH_LEN];
	unsigned i;

	if (f->n == 0) {
		sl_audit_sha256(h, "", 0, out);
		return;
	}
	memcpy(acc, f->h[f->n - 1], SL_AUDIT_HASH_LEN);
	for (i = f->n - 1; i-- > 0;)
		sl_audit_node_hash(h, f->h[i], acc, acc);
	memcpy(out, acc, SL_AUDIT_HASH_LEN);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

void sl_audit_mth_leaves(struct sl_audit_hasher *h, const uint8_t (*leaves)[SL_AUDIT_HASH_LEN], uint64_t a,
			 uint64_t b, uint8_t out[SL_AUDIT_HASH_LEN])
{
	uint8_t l[SL_AUDIT_HASH_LEN], r[SL_AUDIT_HASH_LEN];
	uint64_t k;

	if (b <= a) {
		sl_audit_sha256(h, "", 0, out);
		return;
	}
	if (b - a == 1) {
		memcpy(out, leaves[a], SL_AUDIT_HASH_LEN);
		return;
	}
	k = split_point(b - a);
	sl_audit_mth_leaves(h, leaves, a, a + k, l);
	sl_audit_mth_leaves(h, leaves, a + k, b, r);
	sl_audit_node_hash(h, l, r, out);
}

/*
 * PATH(m, D[n]) walked from the top: each step adds the sibling subtree,
 * which RFC 6962 appends after the deeper part of the path, so the list is
 * built top-down and reversed at the end.
 */
unsigned sl_audit_inclusion_ranges(uint64_t m, uint64_t n, struct sl_audit_range out[SL_AUDIT_MAX_PROOF])
{
	uint64_t off = 0, k;
	unsigned cnt = 0, i;

	if (m >= n)
		return 0;
	while (n > 1) {
		k = split_point(n);
		if (m < k) {
			out[cnt].a = off + k;
			out[cnt].b = off + n;
			n = k;
		} else {
			out[cnt].a = off;
			out[cnt].b = off + k;
			off += k;
			m -= k;
			n -= k;
		}
		cnt++;
	}
	for (i = 0; i < cnt / 2; i++) {
		struct sl_audit_range t = out[i];

		out[i] = out[cnt - 1 - i];
		out[cnt - 1 - i] = t;
	}
	return cnt;
}

/* SUBPROOF(m, D[n], true) walked from the top, as above. */
unsigned sl_audit_consistency_ranges(uint64_t m, uint64_t n, struct sl_audit_range out[SL_AUDIT_MAX_PROOF])
{
	uint64_t off = 0, k;
	unsigned cnt = 0, i;
	int complete = 1; /* RFC 6962's b: whether D[0:m] is a complete subtree seen so far */

	if (m == 0 || m >= n)
		return 0;
	while (m != n) {
		k = split_point(n);
		if (m <= k) {
			out[cnt].a = off + k;
			out[cnt].b = off + n;
			n = k;
		} else {
			out[cnt].a = off;
			out[cnt].b = off + k;
			off += k;
			m -= k;
			n -= k;
			complete = 0;
		}
		cnt++;
	}
	/* m == n: the subtree itself, unless it is the old tree's own root. */
	if (!complete) {
		out[cnt].a = off;
		out[cnt].b = off + n;
		cnt++;
	}
	for (i = 0; i < cnt / 2; i++) {
		struct sl_audit_range t = out[i];

		out[i] = out[cnt - 1 - i];
		out[cnt - 1 - i] = t;
	}
	return cnt;
}

bool sl_audit_verify_inclusion(struct sl_audit_hasher *h, uint64_t m, uint64_t n,
			       const uint8_t leaf[SL_AUDIT_HASH_LEN], const uint8_t (*proof)[SL_AUDIT_HASH_LEN],
			       unsigned np, const uint8_t root[SL_AUDIT_HASH_LEN])
{
	uint64_t fn = m, sn;
	uint8_t r[SL_AUDIT_HASH_LEN];
	unsigned i;

	if (m >= n)
		return false;
	sn = n - 1;
	memcpy(r, leaf, SL_AUDIT_HASH_LEN);
	for (i = 0; i < np; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			sl_audit_node_hash(h, proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			sl_audit_node_hash(h, r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, SL_AUDIT_HASH_LEN) == 0;
}

bool sl_audit_verify_consistency(struct sl_audit_hasher *h, uint64_t m, uint64_t n,
				 const uint8_t root_m[SL_AUDIT_HASH_LEN], const uint8_t root_n[SL_AUDIT_HASH_LEN],
				 const uint8_t (*proof)[SL_AUDIT_HASH_LEN], unsigned np)
{
	uint8_t fr[SL_AUDIT_HASH_LEN], sr[SL_AUDIT_HASH_LEN];
	uint64_t fn, sn;
	unsigned i = 0;

	if (m > n)
		return false;
	if (m == n)
		return np == 0 && memcmp(root_m, root_n, SL_AUDIT_HASH_LEN) == 0;
	if (m == 0)
		return np == 0; /* every tree extends the empty one */
	if (np == 0)
		return false;
	fn = m - 1;
	sn = n - 1;
	if ((m & (m - 1)) == 0) {
		/* m is a power of two: the old root is the first node of the path. */
		memcpy(fr, root_m, SL_AUDIT_HASH_LEN);
	} else {
		memcpy(fr, proof[0], SL_AUDIT_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, SL_AUDIT_HASH_LEN);
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < np; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			sl_audit_node_hash(h, proof[i], fr, fr);
			sl_audit_node_hash(h, proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			sl_audit_node_hash(h, sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, root_m, SL_AUDIT_HASH_LEN) == 0 && memcmp(sr, root_n, SL_AUDIT_HASH_LEN) == 0;
}

uint64_t sl_audit_node_pos(unsigned level, uint64_t index)
{
	uint64_t last = ((index + 1) << level) - 1;

	return 2 * last - (uint64_t)__builtin_popcountll(last) + level;
}

struct sl_audit_multirange {
	unsigned n;
	struct sl_audit_range *r;
	struct sl_audit_frontier *f;
};

struct sl_audit_multirange *sl_audit_multirange_new(void *ctx, const struct sl_audit_range *r, unsigned n)
{
	struct sl_audit_multirange *mr = talloc_zero(ctx, struct sl_audit_multirange);
	unsigned i;

	if (!mr)
		return NULL;
	mr->n = n;
	mr->r = talloc_memdup(mr, r, (n ? n : 1) * sizeof(*r));
	mr->f = talloc_array(mr, struct sl_audit_frontier, n ? n : 1);
	if (!mr->r || !mr->f) {
		talloc_free(mr);
		return NULL;
	}
	for (i = 0; i < n; i++)
		sl_audit_frontier_init(&mr->f[i]);
	return mr;
}

void sl_audit_multirange_feed(struct sl_audit_multirange *mr, struct sl_audit_hasher *h, uint64_t index,
			      const uint8_t leaf[SL_AUDIT_HASH_LEN])
{
	unsigned i;

	/* A proof has at most ~130 ranges; a linear scan is cheaper than an index. */
	for (i = 0; i < mr->n; i++)
		if (index >= mr->r[i].a && index < mr->r[i].b && index == mr->r[i].a + mr->f[i].size)
			sl_audit_frontier_push(&mr->f[i], h, leaf, NULL, NULL);
}

bool sl_audit_multirange_get(const struct sl_audit_multirange *mr, struct sl_audit_hasher *h, unsigned i,
			     uint8_t out[SL_AUDIT_HASH_LEN])
{
	if (i >= mr->n || mr->f[i].size != mr->r[i].b - mr->r[i].a)
		return false;
	sl_audit_frontier_root(&mr->f[i], h, out);
	return true;
}
