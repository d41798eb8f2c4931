/*
 * Unit tests for mediation/audit/merkle.c: RFC 6962 tree hashes against
 * published known answers (the eight-leaf vectors of RFC 6962's reference
 * implementation tests), the incremental frontier against the recursive
 * definition for every size up to 300, inclusion and consistency proofs
 * for every pair of sizes up to 64 made from ranges and verified by the
 * RFC 9162 algorithms, and every single-hash or single-bit change to a
 * proof refused. tests/audit/kat.sh cross-checks the same proofs with an
 * independent Python implementation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/audit/merkle.h"
#include "mediation/audit/nodes.h"

static const char *const ct_roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* The leaves of those vectors. */
static const struct {
	const char *p;
	size_t n;
} ct_leaves[8] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

static void hex(const uint8_t *p, char *out)
{
	sl_audit_hex(p, SL_AUDIT_HASH_LEN, out);
}

static void test_known_answers(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_frontier f;
	uint8_t leaf[32], root[32];
	char x[65];
	unsigned i;

	sl_audit_frontier_init(&f);
	sl_audit_frontier_root(&f, h, root);
	hex(root, x);
	assert_string_equal(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	for (i = 0; i < 8; i++) {
		sl_audit_leaf_hash(h, (const uint8_t *)ct_leaves[i].p, ct_leaves[i].n, leaf);
		sl_audit_frontier_push(&f, h, leaf, NULL, NULL);
		sl_audit_frontier_root(&f, h, root);
		hex(root, x);
		assert_string_equal(x, ct_roots[i]);
	}
	talloc_free(ctx);
}

static void make_leaves(struct sl_audit_hasher *h, uint8_t (*leaves)[32], unsigned n)
{
	char buf[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "leaf %u", i);

		sl_audit_leaf_hash(h, (const uint8_t *)buf, (size_t)len, leaves[i]);
	}
}

struct emit_cap {
	uint8_t (*nodes)[32];
	uint64_t n;
};

static void emit(void *arg, unsigned level, const uint8_t hash[32])
{
	struct emit_cap *c = arg;

	memcpy(c->nodes[c->n++], hash, 32);
}

static void test_frontier_matches_recursion(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	uint8_t (*leaves)[32] = talloc_size(ctx, 300 * 32);
	struct emit_cap cap = { .nodes = talloc_size(ctx, 700 * 32) };
	struct sl_audit_frontier f;
	uint8_t a[32], b[32];
	unsigned n, lvl;
	uint64_t idx;

	make_leaves(h, leaves, 300);
	sl_audit_frontier_init(&f);
	for (n = 1; n <= 300; n++) {
		sl_audit_frontier_push(&f, h, leaves[n - 1], emit, &cap);
		sl_audit_frontier_root(&f, h, a);
		sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 0, n, b);
		assert_memory_equal(a, b, 32);
		assert_int_equal(f.n, __builtin_popcount(n));
	}
	/* Post-order positions: every perfect aligned subtree is where node_pos says. */
	assert_int_equal(cap.n, 2 * 300 - __builtin_popcount(300));
	for (lvl = 0; lvl <= 8; lvl++)
		for (idx = 0; ((idx + 1) << lvl) <= 300; idx++) {
			sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, idx << lvl, (idx + 1) << lvl, b);
			assert_memory_equal(cap.nodes[sl_audit_node_pos(lvl, idx)], b, 32);
		}
	talloc_free(ctx);
}

static void test_inclusion_all(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	uint8_t leaves[65][32], root[32], proof[SL_AUDIT_MAX_PROOF][32];
	struct sl_audit_range r[SL_AUDIT_MAX_PROOF];
	unsigned n, m, np, i, bit;

	make_leaves(h, leaves, 65);
	for (n = 1; n <= 64; n++) {
		sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 0, n, root);
		for (m = 0; m < n; m++) {
			np = sl_audit_inclusion_ranges(m, n, r);
			for (i = 0; i < np; i++)
				sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, r[i].a, r[i].b, proof[i]);
			assert_true(sl_audit_verify_inclusion(h, m, n, leaves[m], (const uint8_t(*)[32])proof, np, root));
			/* wrong index, wrong leaf (a wrong size can share the path's shape: the checkpoint binds it), shortened, lengthened, any flipped bit */
			if (n > 1)
				assert_false(sl_audit_verify_inclusion(h, (m + 1) % n, n, leaves[m],
								       (const uint8_t(*)[32])proof, np, root));
			assert_false(sl_audit_verify_inclusion(h, m, n, leaves[64], (const uint8_t(*)[32])proof, np, root));
			if (np)
				assert_false(sl_audit_verify_inclusion(h, m, n, leaves[m], (const uint8_t(*)[32])proof, np - 1,
								       root));
			memcpy(proof[np], leaves[0], 32);
			assert_false(sl_audit_verify_inclusion(h, m, n, leaves[m], (const uint8_t(*)[32])proof, np + 1, root));
			for (i = 0; i < np; i++)
				for (bit = 0; bit < 256; bit += 37) {
					proof[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					assert_false(sl_audit_verify_inclusion(h, m, n, leaves[m],
									       (const uint8_t(*)[32])proof, np, root));
					proof[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
				}
		}
	}
	assert_false(sl_audit_verify_inclusion(h, 0, 0, leaves[0], NULL, 0, root));
	talloc_free(ctx);
}

static void test_consistency_all(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	uint8_t leaves[65][32], rm[32], rn[32], other[32], proof[SL_AUDIT_MAX_PROOF][32];
	struct sl_audit_range r[SL_AUDIT_MAX_PROOF];
	unsigned n, m, np, i;

	make_leaves(h, leaves, 65);
	sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 1, 3, other);
	for (n = 1; n <= 64; n++) {
		sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 0, n, rn);
		for (m = 1; m <= n; m++) {
			sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 0, m, rm);
			np = sl_audit_consistency_ranges(m, n, r);
			for (i = 0; i < np; i++)
				sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, r[i].a, r[i].b, proof[i]);
			assert_true(sl_audit_verify_consistency(h, m, n, rm, rn, (const uint8_t(*)[32])proof, np));
			assert_false(sl_audit_verify_consistency(h, m, n, other, rn, (const uint8_t(*)[32])proof, np));
			assert_false(sl_audit_verify_consistency(h, m, n, rm, other, (const uint8_t(*)[32])proof, np));
			if (m < n) {
				if (np)
					assert_false(sl_audit_verify_consistency(h, m, n, rm, rn, (const uint8_t(*)[32])proof,
										 np - 1));
				for (i = 0; i < np; i++) {
					proof[i][i % 32] ^= 0x40;
					assert_false(sl_audit_verify_consistency(h, m, n, rm, rn, (const uint8_t(*)[32])proof, np));
					proof[i][i % 32] ^= 0x40;
				}
			}
		}
	}
	talloc_free(ctx);
}

static void test_multirange(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	uint8_t leaves[100][32], a[32], b[32];
	struct sl_audit_range r[SL_AUDIT_MAX_PROOF];
	struct sl_audit_multirange *mr;
	unsigned np, i;
	uint64_t k;

	make_leaves(h, leaves, 100);
	np = sl_audit_consistency_ranges(37, 100, r);
	mr = sl_audit_multirange_new(ctx, r, np);
	for (k = 0; k < 100; k++)
		sl_audit_multirange_feed(mr, h, k, leaves[k]);
	for (i = 0; i < np; i++) {
		assert_true(sl_audit_multirange_get(mr, h, i, a));
		sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, r[i].a, r[i].b, b);
		assert_memory_equal(a, b, 32);
	}
	assert_false(sl_audit_multirange_get(mr, h, np, a));
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_frontier_matches_recursion),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_consistency_all),
		cmocka_unit_test(test_multirange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
