/*
 * Unit tests for capture/flow_table.c: both directions of a connection map
 * to one flow with the right `dir`, the LRU evicts in the right order, idle
 * flows expire, the release callback runs exactly once per flow with the
 * right reason (and before the TCP halves are released), byte-limit
 * eviction and flush. Every test checks that the talloc block count of its
 * context returns to the start value once everything is freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>

#include "capture/flow_table.h"
#include "util/hash.h"
#include "capture/log.h"
#include "capture/tcp_reassembly.h"

#define REL_MAX 64
#define PROTO_TCP 6

/* Consumer state hung on flow->app: freed by the release callback. */
struct app_state {
	unsigned id;
};

struct release_log {
	struct {
		unsigned id;
		enum sl_flow_end why;
		size_t held;		/* bytes the flow's halves still held when the callback ran */
	} ev[REL_MAX];
	unsigned n;
	bool remove_self;		/* callback calls sl_flow_remove on its own flow */
};

struct fixture {
	void *ctx;
	size_t blocks;
	struct sl_tcp_reasm *reasm;
	struct sl_flow_table *t;
	struct sl_flow_table_cfg cfg;
	struct release_log rel;
};

static void on_release(struct sl_flow *f, enum sl_flow_end why, void *priv)
{
	struct fixture *fx = priv;
	struct release_log *rl = &fx->rel;
	struct app_state *a = f->app;

	/* Count every release; keep the details of the first REL_MAX. */
	if (rl->n < REL_MAX) {
		rl->ev[rl->n].id = a ? a->id : 0;
		rl->ev[rl->n].why = why;
		rl->ev[rl->n].held = f->half[0].ooo_bytes + f->half[1].ooo_bytes;
	}
	rl->n++;
	if (rl->remove_self)
		sl_flow_remove(fx->t, f, SL_FLOW_END_CLOSED);
	talloc_free(a);
	f->app = NULL;
}

static int setup_cfg(void **state, unsigned max_flows, uint64_t idle_us)
{
	struct fixture *fx = talloc_zero(NULL, struct fixture);

	fx->ctx = talloc_named_const(NULL, 0, "test_flow_table");
	fx->blocks = talloc_total_blocks(fx->ctx);
	fx->reasm = sl_tcp_reasm_alloc(fx->ctx, NULL, 0);
	sl_flow_table_cfg_default(&fx->cfg);
	if (max_flows)
		fx->cfg.max_flows = max_flows;
	if (idle_us)
		fx->cfg.idle_timeout_us = idle_us;
	fx->t = sl_flow_table_alloc(fx->ctx, &fx->cfg, fx->reasm, on_release, fx, 0);
	if (!fx->reasm || !fx->t)
		return -1;
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, 0, 0);
}

static int setup_three(void **state)
{
	return setup_cfg(state, 3, 100);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sl_flow_table_free(fx->t);
	assert_int_equal(sl_tcp_reasm_bytes(fx->reasm), 0);
	sl_tcp_reasm_free(fx->reasm);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	talloc_free(fx);
	return 0;
}

static struct sl_endpoint ep4(uint8_t last, uint16_t port)
{
	struct sl_endpoint e;
	uint8_t a[4] = { 10, 0, 0, last };

	memset(&e, 0, sizeof(e));
	sl_addr_set4(&e.addr, a);
	e.port = port;
	return e;
}

static struct sl_endpoint ep6(uint8_t last, uint16_t port)
{
	struct sl_endpoint e;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0 };

	a[15] = last;
	memset(&e, 0, sizeof(e));
	sl_addr_set6(&e.addr, a);
	e.port = port;
	return e;
}

static uint64_t ctr(struct fixture *fx, enum sl_flow_ctr c)
{
	return rate_ctr_group_get_ctr(sl_flow_table_ctrs(fx->t), c)->current;
}

/* Create the flow for client (10.0.0.id:port) -> server 10.0.0.200:5060 and tag it with id. */
static struct sl_flow *mk(struct fixture *fx, unsigned id, uint64_t now)
{
	struct sl_endpoint c = ep4((uint8_t)id, (uint16_t)(40000 + id)), s = ep4(200, 5060);
	struct app_state *a;
	struct sl_flow *f;
	int dir = -1;

	f = sl_flow_lookup(fx->t, &c, &s, PROTO_TCP, true, now, &dir);
	assert_non_null(f);
	assert_int_equal(dir, 0);	/* 10.0.0.id < 10.0.0.200 */
	assert_null(f->app);
	a = talloc_zero(fx->ctx, struct app_state);
	a->id = id;
	f->app = a;
	return f;
}

static struct sl_flow *touch(struct fixture *fx, unsigned id, uint64_t now)
{
	struct sl_endpoint c = ep4((uint8_t)id, (uint16_t)(40000 + id)), s = ep4(200, 5060);
	int dir = -1;
	struct sl_flow *f = sl_flow_lookup(fx->t, &s, &c, PROTO_TCP, false, now, &dir);

	if (f)
		assert_int_equal(dir, 1);
	return f;
}

static void test_both_directions(void **state)
{
	struct fixture *fx = *state;
	struct sl_endpoint a = ep6(1, 5060), b = ep6(2, 5060), a_port = ep6(1, 5061);
	struct sl_flow *f, *g;
	int dir = -1;

	f = sl_flow_lookup(fx->t, &b, &a, PROTO_TCP, true, 10, &dir);
	assert_non_null(f);
	assert_int_equal(dir, 1);	/* b is the higher endpoint */
	assert_true(sl_endpoint_eq(&f->key.lo, &a));
	assert_true(sl_endpoint_eq(&f->key.hi, &b));
	assert_int_equal(f->key.proto, PROTO_TCP);
	assert_int_equal(f->first_us, 10);
	g = sl_flow_lookup(fx->t, &a, &b, PROTO_TCP, false, 20, &dir);
	assert_ptr_equal(f, g);
	assert_int_equal(dir, 0);
	assert_int_equal(f->last_us, 20);
	assert_int_equal(f->packets, 2);
	assert_int_equal(sl_flow_table_count(fx->t), 1);

	/* Other port, other protocol: other flows; lookups without create find nothing. */
	assert_null(sl_flow_lookup(fx->t, &a_port, &b, PROTO_TCP, false, 30, &dir));
	assert_null(sl_flow_lookup(fx->t, &a, &b, 17, false, 30, &dir));
	g = sl_flow_lookup(fx->t, &a_port, &b, PROTO_TCP, true, 30, &dir);
	assert_non_null(g);
	assert_ptr_not_equal(f, g);
	assert_int_equal(sl_flow_table_count(fx->t), 2);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_NEW), 2);

	/* Garbage in the caller's pad bytes does not change the key. */
	a.pad = 0xbeef;
	a.addr.pad[1] = 0x77;
	assert_ptr_equal(sl_flow_lookup(fx->t, &b, &a, PROTO_TCP, false, 40, &dir), f);
	assert_int_equal(dir, 1);

	/* Equal endpoints (a socket connected to itself) give direction 0. */
	g = sl_flow_lookup(fx->t, &a, &a, PROTO_TCP, true, 50, &dir);
	assert_non_null(g);
	assert_int_equal(dir, 0);
	assert_int_equal(sl_flow_table_count(fx->t), 3);
}

static void test_many_flows_distinct(void **state)
{
	struct fixture *fx = *state;
	struct sl_flow *fl[500];
	unsigned i;

	/* Enough flows that hash buckets are shared; every lookup must find its own. */
	for (i = 0; i < 500; i++) {
		struct sl_endpoint c = ep4((uint8_t)(i % 200), (uint16_t)(1024 + i)), s = ep4(250, 5060);
		int dir;

		fl[i] = sl_flow_lookup(fx->t, &c, &s, PROTO_TCP, true, i, &dir);
		assert_non_null(fl[i]);
	}
	for (i = 0; i < 500; i++) {
		struct sl_endpoint c = ep4((uint8_t)(i % 200), (uint16_t)(1024 + i)), s = ep4(250, 5060);
		int dir;

		assert_ptr_equal(sl_flow_lookup(fx->t, &s, &c, PROTO_TCP, false, 1000, &dir), fl[i]);
		assert_int_equal(dir, 1);
	}
	assert_int_equal(sl_flow_table_count(fx->t), 500);
	assert_int_equal(fx->rel.n, 0);
	sl_flow_table_flush(fx->t);
	assert_int_equal(fx->rel.n, 500);
}

static void test_lru_eviction(void **state)
{
	struct fixture *fx = *state;	/* max 3 flows */

	mk(fx, 1, 1);
	mk(fx, 2, 2);
	mk(fx, 3, 3);
	assert_non_null(touch(fx, 1, 4));	/* 2 is now least recently used */
	mk(fx, 4, 5);
	assert_int_equal(fx->rel.n, 1);
	assert_int_equal(fx->rel.ev[0].id, 2);
	assert_int_equal(fx->rel.ev[0].why, SL_FLOW_END_EVICTED);
	assert_null(touch(fx, 2, 6));
	mk(fx, 5, 7);				/* 3 goes next */
	assert_int_equal(fx->rel.n, 2);
	assert_int_equal(fx->rel.ev[1].id, 3);
	assert_non_null(touch(fx, 1, 8));
	assert_non_null(touch(fx, 4, 8));
	assert_non_null(touch(fx, 5, 8));
	assert_int_equal(sl_flow_table_count(fx->t), 3);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_EVICTED), 2);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_NEW), 5);
}

static void test_idle_expiry(void **state)
{
	struct fixture *fx = *state;	/* idle 100 us */

	mk(fx, 1, 0);
	mk(fx, 2, 50);
	mk(fx, 3, 60);
	assert_non_null(touch(fx, 1, 120));
	/* At 150: flow 2 idle exactly 100, not longer. */
	sl_flow_table_expire(fx->t, 150);
	assert_int_equal(fx->rel.n, 0);
	sl_flow_table_expire(fx->t, 161);
	/* 2 (idle 111) and 3 (idle 101) go; 1 was touched at 120. */
	assert_int_equal(fx->rel.n, 2);
	assert_int_equal(fx->rel.ev[0].id, 2);
	assert_int_equal(fx->rel.ev[0].why, SL_FLOW_END_IDLE);
	assert_int_equal(fx->rel.ev[1].id, 3);
	assert_int_equal(fx->rel.ev[1].why, SL_FLOW_END_IDLE);
	assert_int_equal(sl_flow_table_count(fx->t), 1);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_IDLE), 2);
	/* Packet time stepping back neither expires nor rejuvenates. */
	assert_non_null(touch(fx, 1, 10));
	sl_flow_table_expire(fx->t, 5);
	assert_int_equal(sl_flow_table_count(fx->t), 1);
	sl_flow_table_expire(fx->t, 221);
	assert_int_equal(sl_flow_table_count(fx->t), 0);
	assert_int_equal(fx->rel.n, 3);
}

static void test_release_once_with_reason(void **state)
{
	struct fixture *fx = *state;
	struct sl_flow *f1, *f2;

	f1 = mk(fx, 1, 0);
	f2 = mk(fx, 2, 0);
	mk(fx, 3, 0);
	sl_flow_remove(fx->t, f1, SL_FLOW_END_CLOSED);
	assert_int_equal(fx->rel.n, 1);
	assert_int_equal(fx->rel.ev[0].id, 1);
	assert_int_equal(fx->rel.ev[0].why, SL_FLOW_END_CLOSED);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_CLOSED), 1);

	/* A callback removing its own flow again must not cause a second release. */
	fx->rel.remove_self = true;
	sl_flow_remove(fx->t, f2, SL_FLOW_END_EVICTED);
	fx->rel.remove_self = false;
	assert_int_equal(fx->rel.n, 2);
	assert_int_equal(fx->rel.ev[1].why, SL_FLOW_END_EVICTED);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_CLOSED), 1);
	assert_int_equal(ctr(fx, SL_FLOW_CTR_EVICTED), 1);
	assert_int_equal(sl_flow_table_count(fx->t), 1);

	/* Freeing the table releases the rest with FLUSH: checked in the teardown via count. */
	sl_flow_table_flush(fx->t);
	assert_int_equal(fx->rel.n, 3);
	assert_int_equal(fx->rel.ev[2].id, 3);
	assert_int_equal(fx->rel.ev[2].why, SL_FLOW_END_FLUSH);
}

static bool over_two(void *priv)
{
	struct fixture *fx = priv;

	return sl_flow_table_count(fx->t) > 2;
}

static bool over_bytes(void *priv)
{
	struct fixture *fx = priv;

	return sl_tcp_reasm_bytes(fx->reasm) > 10;
}

static void hold_bytes(struct fixture *fx, struct sl_flow *f, int dir, uint32_t n)
{
	static const uint8_t junk[64];
	struct sl_tcp_seg syn = { .seq = 0, .flags = SL_TCP_SYN };
	struct sl_tcp_seg s = { .seq = 100, .data = junk, .len = n };

	sl_tcp_half_segment(fx->reasm, &f->half[dir], &syn, NULL);
	sl_tcp_half_segment(fx->reasm, &f->half[dir], &s, NULL);
}

static void test_evict_lru_pred(void **state)
{
	struct fixture *fx = *state;
	struct sl_flow *f1, *f2, *f3, *f4;

	f1 = mk(fx, 1, 0);
	f2 = mk(fx, 2, 1);
	f3 = mk(fx, 3, 2);
	f4 = mk(fx, 4, 3);
	hold_bytes(fx, f1, 0, 8);
	hold_bytes(fx, f2, 1, 8);
	hold_bytes(fx, f3, 0, 4);
	hold_bytes(fx, f4, 1, 4);
	assert_int_equal(sl_tcp_reasm_bytes(fx->reasm), 24);
	/* Down to 10 held bytes: flows 1 and 2 (oldest) go, and their halves are released. */
	sl_flow_table_evict_lru(fx->t, over_bytes, fx);
	assert_int_equal(fx->rel.n, 2);
	assert_int_equal(fx->rel.ev[0].id, 1);
	assert_int_equal(fx->rel.ev[1].id, 2);
	/* The consumer ran before the halves were released: it still saw their bytes. */
	assert_int_equal(fx->rel.ev[0].held, 8);
	assert_int_equal(fx->rel.ev[1].why, SL_FLOW_END_EVICTED);
	assert_int_equal(sl_tcp_reasm_bytes(fx->reasm), 8);
	sl_flow_table_evict_lru(fx->t, over_two, fx);
	assert_int_equal(fx->rel.n, 2);
	(void)f3;
	(void)f4;
	/* Teardown frees the table with f3 and f4 still holding bytes. */
}

static void test_flush(void **state)
{
	struct fixture *fx = *state;
	unsigned i;

	for (i = 1; i <= 10; i++)
		hold_bytes(fx, mk(fx, i, i), (int)(i & 1), 16);
	assert_int_equal(sl_tcp_reasm_bytes(fx->reasm), 160);
	sl_flow_table_flush(fx->t);
	assert_int_equal(sl_flow_table_count(fx->t), 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->reasm), 0);
	assert_int_equal(fx->rel.n, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(fx->rel.ev[i].id, i + 1);
		assert_int_equal(fx->rel.ev[i].why, SL_FLOW_END_FLUSH);
	}
	/* The table is still usable after a flush. */
	mk(fx, 11, 20);
	assert_int_equal(sl_flow_table_count(fx->t), 1);
}

static void test_free_releases(void **state)
{
	struct fixture *fx = *state;
	struct sl_flow_table *t2;
	unsigned i;

	/* A second table (other counter index) freed with live flows: every one is released once. */
	t2 = sl_flow_table_alloc(fx->ctx, &fx->cfg, fx->reasm, on_release, fx, 1);
	assert_non_null(t2);
	for (i = 0; i < 5; i++) {
		struct sl_endpoint c = ep4((uint8_t)i, 1000), s = ep4(100, 5060);
		struct sl_flow *f = sl_flow_lookup(t2, &c, &s, PROTO_TCP, true, 0, NULL);
		struct app_state *a = talloc_zero(fx->ctx, struct app_state);

		a->id = 100 + i;
		f->app = a;
		hold_bytes(fx, f, 0, 8);
	}
	sl_flow_table_free(t2);
	assert_int_equal(fx->rel.n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(fx->rel.ev[i].why, SL_FLOW_END_FLUSH);
	assert_int_equal(sl_tcp_reasm_bytes(fx->reasm), 0);
}

static const struct log_info test_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static int group_setup(void **state)
{
	log_init(&test_log_info, NULL);
	sl_hash_seed_set(42);
	return 0;
}

static int group_teardown(void **state)
{
	log_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_both_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_flows_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lru_eviction, setup_three, teardown),
		cmocka_unit_test_setup_teardown(test_idle_expiry, setup_three, teardown),
		cmocka_unit_test_setup_teardown(test_release_once_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evict_lru_pred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_releases, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
