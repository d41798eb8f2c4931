/*
 * Unit tests for the JetStream export's pending batches in the consent
 * database (mediation/consent/consent_js_pending.c) and the schema
 * migration that brought their table (consent_store.c, version 1 to 2):
 * a version-1 database is migrated with its records kept; rows round-trip
 * with subjects, identities, consent ids, counts and time; only rows the
 * cursor passed come out, in outbox order; a row is checked against the
 * outbox bytes; and the accounting, stopped after each of its steps as a
 * crash would (store freed, audit log abandoned), then resumed after
 * reopening both, gives exactly one ledger credit per subject and exactly
 * one export.batch audit record, including when the audit seq the row
 * names was taken by another record (log.open) after the crash; a row
 * settled but not yet removed is skipped, found audited if settled again,
 * and removed in the next row's transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <talloc.h>

#include "mediation/audit/hash.h"
#include "mediation/audit/reader.h"
#include "mediation/consent/consent_js_pending.h"
#include "tests/unit/audit_test_util.h"
#include "tests/unit/consent_test_util.h"

#define CALL SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA)
#define PRICE 250u

struct fix {
	void *ctx;
	char *dir, *path;
	struct sl_consent_store *s;
	struct at_env ae;
	struct sl_audit_cfg ac;
	struct sl_audit_log *log;
};

#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
static const char *const g_subj[3] = { "hmac-sha256:" H64("a"), "hmac-sha256:" H64("b"), "hmac-sha256:" H64("c") };
/* the third subject has no consent record for acme: counted lost, never credited */
static const char *const g_ids[3] = { "msisdn:+4917000000001", "msisdn:+4917000000002", "msisdn:+4917000000003" };
static const unsigned g_counts[3] = { 3, 1, 2 };

static int setup(void **state)
{
	struct fix *f = talloc_zero(NULL, struct fix);
	struct sl_consent_record r;
	char *err = NULL;

	f->ctx = talloc_named_const(f, 0, "test");
	f->dir = ct_tmpdir(f);
	assert_non_null(f->dir);
	f->path = talloc_asprintf(f, "%s/consent.db", f->dir);
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &f->s, &err), 0);
	r = ct_record(f->ctx, "c-1", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), 0);
	r = ct_record(f->ctx, "c-2", "+4917000000002", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), 0);
	at_env_init(f, &f->ae);
	at_cfg(&f->ae, &f->ac);
	assert_int_equal(sl_audit_open(f->ctx, &f->ac, &f->log, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	talloc_free(f->s);
	if (f->log)
		sl_audit_close(f->log, 100);
	at_rm_rf(f->ae.root);
	ct_rmdir(f, f->dir);
	talloc_free(f);
	return 0;
}

static struct sl_cx_batch batch(unsigned seg, uint64_t off, uint64_t len, const char *digest)
{
	static char id[32], name[64];

	snprintf(id, sizeof(id), "%06u-%06u", seg, (unsigned)(off / 10) + 1);
	snprintf(name, sizeof(name), "acme.%06u.jsonl", seg);
	return (struct sl_cx_batch){ .recipient = "acme", .batch_id = id, .segment = name, .seg_no = seg, .offset = off,
				     .len = len, .records = 6, .digest = digest, .subjects = g_subj, .n_subjects = 3,
				     .identities = g_ids, .counts = g_counts };
}

static const char *digest_of(const char *p, size_t n, char out[72])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned len = 0, i;

	assert_true(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL));
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = 0;
	return out;
}

static int64_t db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int64_t v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

struct count_arg {
	unsigned export_batch;
	uint64_t offset;
};

static int count_rec(void *arg, const struct sl_audit_rec *r)
{
	struct count_arg *c = arg;
	json_t *j = json_loadb((const char *)r->data, r->len, 0, NULL), *fl;

	assert_non_null(j);
	fl = json_object_get(j, "fields");
	if (!strcmp(json_string_value(json_object_get(j, "kind")), "export.batch") &&
	    !strcmp(json_string_value(json_object_get(fl, "recipient")), "acme") &&
	    json_integer_value(json_object_get(fl, "offset")) == (json_int_t)c->offset)
		c->export_batch++;
	json_decref(j);
	return 0;
}

static unsigned audit_count(struct fix *f, uint64_t offset)
{
	void *tmp = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(tmp);
	struct sl_audit_read_res rr;
	struct count_arg c = { .offset = offset };

	assert_int_equal(sl_audit_read_log(tmp, h, f->ae.log, count_rec, &c, &rr), 0);
	talloc_free(tmp);
	return c.export_batch;
}

static void test_migration(void **state)
{
	struct fix *f = *state;
	struct sl_consent_store *s2;
	struct sl_consent_record r;
	char *err = NULL;
	sqlite3 *db;

	assert_int_equal(db_int(f->path, "PRAGMA user_version"), 2);
	talloc_free(f->s);
	f->s = NULL;
	/* a version-1 database: what 1 had, no js_pending */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE js_pending; PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'js_pending'"), 0);
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &s2, &err), 0);
	assert_int_equal(db_int(f->path, "PRAGMA user_version"), 2);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'js_pending'"), 1);
	assert_int_equal(sl_consent_store_get(s2, f->ctx, "c-1", &r, &err), 0);
	assert_string_equal(r.subject.value, "+4917000000001");
	/* the migrated table is usable */
	{
		struct sl_cx_batch b = batch(1, 0, 10, "sha256:" H64("0"));
		unsigned n;

		assert_int_equal(sl_cx_pending_add(s2, &b, SL_CONSENT_P_MARKETING, T0, &err), 0);
		assert_int_equal(sl_cx_pending_count(s2, "acme", &n), 0);
		assert_int_equal(n, 1);
	}
	/* opening again changes nothing */
	talloc_free(s2);
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &f->s, &err), 0);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM js_pending"), 1);
}

static void test_roundtrip_and_order(void **state)
{
	struct fix *f = *state;
	struct sl_cx_batch b1 = batch(1, 0, 10, "sha256:" H64("1")), b2, b3;
	struct sl_cx_pending *p;
	char *err = NULL;
	unsigned n;

	assert_int_equal(sl_cx_pending_add(f->s, &b1, SL_CONSENT_P_MARKETING, T0 + 5, &err), 0);
	b2 = batch(1, 10, 10, "sha256:" H64("2"));
	assert_int_equal(sl_cx_pending_add(f->s, &b2, SL_CONSENT_P_MARKETING, T0 + 6, &err), 0);
	b3 = batch(2, 0, 10, "sha256:" H64("3"));
	assert_int_equal(sl_cx_pending_add(f->s, &b3, SL_CONSENT_P_MARKETING, T0 + 7, &err), 0);
	/* the same place twice is refused (the idempotency key) */
	assert_true(sl_cx_pending_add(f->s, &b3, SL_CONSENT_P_MARKETING, T0 + 7, &err) < 0);
	assert_int_equal(sl_cx_pending_count(f->s, "acme", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(sl_cx_pending_count(f->s, "beta", &n), 0);
	assert_int_equal(n, 0);
	/* the cursor inside the first batch: nothing yet */
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 9, &p), 0);
	assert_null(p);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 2, 0, &p), 0);
	assert_non_null(p);
	assert_int_equal(p->b.seg_no, 1);
	assert_int_equal(p->b.offset, 0);
	assert_int_equal(p->b.len, 10);
	assert_int_equal(p->b.records, 6);
	assert_string_equal(p->b.batch_id, "000001-000001");
	assert_string_equal(p->b.segment, "acme.000001.jsonl");
	assert_string_equal(p->b.digest, "sha256:" H64("1"));
	assert_int_equal(p->b.n_subjects, 3);
	assert_string_equal(p->b.subjects[1], "hmac-sha256:" H64("b"));
	assert_string_equal(p->b.identities[2], "msisdn:+4917000000003");
	assert_string_equal(p->consent_ids[0], "c-1");
	assert_string_equal(p->consent_ids[1], "c-2");
	assert_null(p->consent_ids[2]);
	assert_int_equal(p->b.counts[0], 3);
	assert_int_equal(p->time_us, T0 + 5);
	assert_false(p->credited);
	talloc_free(p);
	assert_int_equal(sl_cx_pending_remove(f->s, "acme", 1, 0), 0);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 19, &p), 0);
	assert_null(p);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 20, &p), 0);
	assert_non_null(p);
	assert_int_equal(p->b.offset, 10);
	talloc_free(p);
}

static void test_in_outbox(void **state)
{
	struct fix *f = *state;
	static const char bytes[] = "{\"a\":1}\n{\"b\":2}\n";
	char dg[72], *seg = talloc_asprintf(f, "%s/acme.000001.jsonl", f->dir);
	struct sl_cx_batch b = batch(1, 3, sizeof(bytes) - 1, digest_of(bytes, sizeof(bytes) - 1, dg));
	struct sl_cx_pending *p;
	char *err = NULL;
	int fd;

	assert_int_equal(sl_cx_pending_add(f->s, &b, SL_CONSENT_P_MARKETING, T0, &err), 0);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 9, 0, &p), 0);
	assert_non_null(p);
	/* no segment file yet */
	assert_int_equal(sl_cx_pending_in_outbox(f->dir, p), 0);
	fd = open(seg, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "xyz", 3), 3);
	/* the batch cut short, then whole, then one byte changed */
	assert_int_equal(write(fd, bytes, 5), 5);
	assert_int_equal(sl_cx_pending_in_outbox(f->dir, p), 0);
	assert_int_equal(write(fd, bytes + 5, sizeof(bytes) - 6), (ssize_t)sizeof(bytes) - 6);
	assert_int_equal(sl_cx_pending_in_outbox(f->dir, p), 1);
	assert_int_equal(pwrite(fd, "!", 1, 4), 1);
	assert_int_equal(sl_cx_pending_in_outbox(f->dir, p), 0);
	close(fd);
	talloc_free(p);
}

/*
 * The accounting stopped after `steps` of its steps (0: none, 1: ledger
 * and audit seq, 2: and the audit record, 3: and the row removed), the
 * process "dies" (store freed, audit log abandoned), both are reopened
 * and the rest is done: one credit per subject with consent, one audit
 * record, no row.
 */
static void crash_after(struct fix *f, unsigned steps)
{
	struct sl_cx_batch b = batch(1, 0, 10, "sha256:" H64("a"));
	struct sl_cx_pending_result res = { 0 };
	struct sl_cx_pending *p;
	char *err = NULL;

	assert_int_equal(sl_cx_pending_add(f->s, &b, SL_CONSENT_P_MARKETING, T0 + 1, &err), 0);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 10, &p), 0);
	assert_non_null(p);
	if (steps >= 1)
		assert_int_equal(sl_cx_pending_credit(f->s, p, PRICE, (int64_t)sl_audit_size(f->log), &res), 0);
	if (steps >= 2)
		assert_int_equal(sl_cx_pending_audit(f->log, p, SL_CONSENT_P_MARKETING), 0);
	if (steps >= 3)
		assert_int_equal(sl_cx_pending_remove(f->s, "acme", 1, 0), 0);
	talloc_free(p);
	/* the crash */
	talloc_free(f->s);
	sl_audit_abandon(f->log);
	f->log = NULL;
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &f->s, &err), 0);
	assert_int_equal(sl_audit_open(f->ctx, &f->ac, &f->log, &err), 0);
	/* the restart: whatever is left is accounted */
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 10, &p), 0);
	if (steps >= 3) {
		assert_null(p);
	} else {
		assert_non_null(p);
		assert_int_equal(p->credited, steps >= 1);
		assert_int_equal(sl_cx_pending_account(f->s, f->log, p, SL_CONSENT_P_MARKETING, PRICE, &res), 0);
		assert_int_equal(res.already_audited, steps == 2);
		assert_int_equal(res.audited, steps < 2);
		if (steps == 0) {
			assert_int_equal(res.credited, 2);
			assert_int_equal(res.lost, 1);
		} else {
			assert_int_equal(res.credited + res.lost, 0); /* not credited again */
		}
		talloc_free(p);
		/* accounting it once more finds nothing */
		assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 10, &p), 0);
		assert_null(p);
	}
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM js_pending"), 0);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM ledger"), 2);
	assert_int_equal(db_int(f->path, "SELECT sum(records) FROM ledger"), 4);
	assert_int_equal(db_int(f->path, "SELECT sum(amount_micro) FROM ledger"), 4 * PRICE);
	assert_int_equal(db_int(f->path, "SELECT min(time) FROM ledger"), T0 + 1);
	assert_int_equal(audit_count(f, 0), 1);
}

static void test_crash_before_credit(void **state)
{
	crash_after(*state, 0);
}

static void test_crash_after_credit(void **state)
{
	crash_after(*state, 1);
}

static void test_crash_after_audit(void **state)
{
	crash_after(*state, 2);
}

static void test_crash_after_remove(void **state)
{
	crash_after(*state, 3);
}

/*
 * Settled rows are removed later, in the next row's transaction: until
 * then a lower bound skips them, and settling one again (a crash before
 * its removal) finds its audit record and credits nothing.
 */
static void test_deferred_removal(void **state)
{
	struct fix *f = *state;
	struct sl_cx_batch b1 = batch(1, 0, 10, "sha256:" H64("1")), b2;
	struct sl_cx_pending_result res = { 0 };
	struct sl_cx_pending_key done;
	struct sl_cx_pending *p, *q;
	char *err = NULL;
	unsigned n;

	assert_int_equal(sl_cx_pending_add(f->s, &b1, SL_CONSENT_P_MARKETING, T0, &err), 0);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 10, &p), 0);
	assert_int_equal(sl_cx_pending_settle(f->s, f->log, p, SL_CONSENT_P_MARKETING, PRICE, &res), 0);
	assert_true(res.audited && res.credited == 2);
	/* still there, skipped after it */
	done = (struct sl_cx_pending_key){ .seg = 1, .off = 0 };
	assert_int_equal(sl_cx_pending_first_after(f->s, f->ctx, "acme", 9, 0, &done, &q), 0);
	assert_null(q);
	assert_int_equal(sl_cx_pending_first_after(f->s, f->ctx, "acme", 9, 0, NULL, &q), 0);
	assert_non_null(q);
	/* settling it again: found audited, nothing credited, nothing written */
	assert_int_equal(sl_cx_pending_settle(f->s, f->log, q, SL_CONSENT_P_MARKETING, PRICE, &res), 0);
	assert_true(res.already_audited && !res.audited && res.credited == 0 && res.lost == 0);
	talloc_free(q);
	talloc_free(p);
	/* the next row's transaction removes it */
	b2 = batch(1, 10, 10, "sha256:" H64("2"));
	assert_int_equal(sl_cx_pending_add_removing(f->s, &b2, SL_CONSENT_P_MARKETING, T0, &done, 1, &err), 0);
	assert_int_equal(sl_cx_pending_count(f->s, "acme", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 9, 0, &q), 0);
	assert_int_equal(q->b.offset, 10);
	talloc_free(q);
	done.off = 10;
	assert_int_equal(sl_cx_pending_remove_many(f->s, "acme", &done, 1), 0);
	assert_int_equal(sl_cx_pending_count(f->s, "acme", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM ledger"), 2);
	assert_int_equal(audit_count(f, 0), 1);
}

/* Without an audit log: ledger once, row gone; a credited row is not credited again. */
static void test_no_audit_log(void **state)
{
	struct fix *f = *state;
	struct sl_cx_batch b = batch(1, 0, 10, "sha256:" H64("b"));
	struct sl_cx_pending_result res = { 0 };
	struct sl_cx_pending *p;
	char *err = NULL;

	assert_int_equal(sl_cx_pending_add(f->s, &b, SL_CONSENT_P_MARKETING, T0, &err), 0);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 10, &p), 0);
	assert_int_equal(sl_cx_pending_credit(f->s, p, PRICE, -1, &res), 0);
	talloc_free(p);
	assert_int_equal(sl_cx_pending_first(f->s, f->ctx, "acme", 1, 10, &p), 0);
	assert_true(p->credited);
	assert_int_equal(p->audit_seq, -1);
	assert_int_equal(sl_cx_pending_account(f->s, NULL, p, SL_CONSENT_P_MARKETING, PRICE, &res), 0);
	assert_int_equal(res.credited, 0);
	assert_false(res.audited);
	talloc_free(p);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM ledger"), 2);
	assert_int_equal(db_int(f->path, "SELECT count(*) FROM js_pending"), 0);
	assert_int_equal(audit_count(f, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_credit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_credit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_audit_log, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
