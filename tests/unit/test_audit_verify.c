/*
 * Adversarial tests for `sluice audit verify` (mediation/audit/verify.c):
 * every bit of a small log and of its checkpoints flipped, every
 * truncation, a middle record deleted and everything after it recomputed,
 * records and checkpoints reordered, duplicated and replayed, a history
 * rewritten and re-signed with the real key after an auditor's
 * checkpoint, checkpoint size or time going backwards, wrong, empty and
 * all-zero keys. Each must be found and named; none may crash (the
 * sanitizer build runs this).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit_test_util.h"
#include "mediation/audit/b64.h"
#include "mediation/audit/checkpoint.h"
#include "mediation/audit/frame.h"
#include "mediation/audit/merkle.h"
#include "mediation/audit/verify.h"

struct fx {
	void *ctx;
	struct at_env e;
	struct sl_audit_hasher *h;
	char *seg, *ckl, *latest;
	uint8_t *seg0, *ckl0, *latest0;
	size_t seg0_len, ckl0_len, latest0_len;
};

/* A small log: log.open, n deliveries, log.close; a checkpoint after every record. */
static void fx_build(struct fx *f, unsigned n, uint64_t every)
{
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	char *err = NULL;

	f->ctx = talloc_new(NULL);
	f->h = sl_audit_hasher_new(f->ctx);
	at_env_init(f->ctx, &f->e);
	at_cfg(&f->e, &c);
	c.checkpoint_records = every;
	if (sl_audit_open(f->ctx, &c, &log, &err) != 0)
		fail_msg("open: %s", err);
	at_append_n(log, n);
	at_real_us += 1000;
	assert_int_equal(sl_audit_close(log, 0), 0);
	f->seg = talloc_asprintf(f->ctx, "%s/audit-00000000000000000000.seg", f->e.log);
	f->ckl = talloc_asprintf(f->ctx, "%s/checkpoints.log", f->e.log);
	f->latest = talloc_asprintf(f->ctx, "%s/checkpoint", f->e.log);
	f->seg0 = at_read(f->ctx, f->seg, &f->seg0_len);
	f->ckl0 = at_read(f->ctx, f->ckl, &f->ckl0_len);
	f->latest0 = at_read(f->ctx, f->latest, &f->latest0_len);
}

static void fx_restore(struct fx *f)
{
	at_write(f->seg, f->seg0, f->seg0_len);
	at_write(f->ckl, f->ckl0, f->ckl0_len);
	at_write(f->latest, f->latest0, f->latest0_len);
}

static void fx_free(struct fx *f)
{
	at_rm_rf(f->e.root);
	talloc_free(f->ctx);
}

static struct sl_audit_verify_res run(struct fx *f, const struct sl_audit_vkey *k, const uint8_t *since,
				      size_t since_len)
{
	struct sl_audit_verify_opts o = { .dir = f->e.log, .key = k ? k : &f->e.vk, .since = since,
					  .since_len = since_len, .since_name = "auditor.ckpt" };
	struct sl_audit_verify_res r;

	assert_int_equal(sl_audit_verify(f->ctx, &o, &r), 0);
	return r;
}

static bool has(const struct sl_audit_verify_res *r, enum sl_audit_problem p)
{
	return r->counts[p] > 0;
}

static void test_clean_log(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;

	fx_build(&f, 3, 1);
	r = run(&f, NULL, NULL, 0);
	assert_int_equal(r.worst, SL_AUDIT_SEV_INFO);
	assert_int_equal(r.records, 5);
	assert_int_equal(r.checkpoints, 5);
	/* the auditor's own copy of the latest checkpoint: consistent */
	r = run(&f, NULL, f.latest0, f.latest0_len);
	assert_int_equal(r.worst, SL_AUDIT_SEV_INFO);
	assert_true(r.since_ok);
	fx_free(&f);
}

static void test_flip_every_bit(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;
	size_t i;
	unsigned bit;
	uint8_t *buf;

	fx_build(&f, 1, 100); /* one checkpoint, at close */
	buf = talloc_memdup(f.ctx, f.seg0, f.seg0_len);
	for (i = 0; i < f.seg0_len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			at_write(f.seg, buf, f.seg0_len);
			r = run(&f, NULL, NULL, 0);
			if (r.worst != SL_AUDIT_SEV_ERROR)
				fail_msg("segment byte %zu bit %u: not an error", i, bit);
			buf[i] ^= (uint8_t)(1u << bit);
			talloc_free(r.findings);
			talloc_free(r.latest_note);
		}
	at_write(f.seg, f.seg0, f.seg0_len);
	buf = talloc_memdup(f.ctx, f.ckl0, f.ckl0_len);
	for (i = 0; i < f.ckl0_len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			at_write(f.ckl, buf, f.ckl0_len);
			r = run(&f, NULL, NULL, 0);
			/* a damaged last entry may read as torn; the checkpoint file then disagrees: still named */
			if (r.worst < SL_AUDIT_SEV_WARNING)
				fail_msg("checkpoints.log byte %zu bit %u: not detected", i, bit);
			buf[i] ^= (uint8_t)(1u << bit);
			talloc_free(r.findings);
			talloc_free(r.latest_note);
		}
	at_write(f.ckl, f.ckl0, f.ckl0_len);
	buf = talloc_memdup(f.ctx, f.latest0, f.latest0_len);
	for (i = 0; i < f.latest0_len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			at_write(f.latest, buf, f.latest0_len);
			r = run(&f, NULL, NULL, 0);
			if (!has(&r, SL_AP_CP_LATEST))
				fail_msg("checkpoint byte %zu bit %u: not detected", i, bit);
			buf[i] ^= (uint8_t)(1u << bit);
			talloc_free(r.findings);
			talloc_free(r.latest_note);
		}
	fx_free(&f);
}

static void test_truncate_every_byte(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;
	size_t n;

	fx_build(&f, 2, 1);
	for (n = 0; n < f.seg0_len; n++) {
		at_write(f.seg, f.seg0, n);
		r = run(&f, NULL, NULL, 0);
		if (r.worst != SL_AUDIT_SEV_ERROR)
			fail_msg("segment cut at %zu: not an error", n);
		if (n > SL_AUDIT_FILE_HDR && !has(&r, SL_AP_CP_BEYOND))
			fail_msg("segment cut at %zu: checkpoint.beyond_log not named", n);
		talloc_free(r.findings);
		talloc_free(r.latest_note);
	}
	at_write(f.seg, f.seg0, f.seg0_len);
	for (n = 0; n < f.ckl0_len; n++) {
		at_write(f.ckl, f.ckl0, n);
		r = run(&f, NULL, NULL, 0);
		if (r.worst < SL_AUDIT_SEV_WARNING)
			fail_msg("checkpoints.log cut at %zu: not detected", n);
		talloc_free(r.findings);
		talloc_free(r.latest_note);
	}
	fx_free(&f);
}

/* The frames of the segment: offsets of each record. */
static unsigned frames(const uint8_t *seg, size_t len, size_t *off, unsigned max)
{
	size_t o = SL_AUDIT_FILE_HDR;
	unsigned n = 0;

	while (o + 8 <= len && n < max) {
		off[n++] = o;
		o += 8 + sl_audit_get_be32(seg + o);
	}
	off[n] = o;
	return n;
}

/* Re-encodes a record with a new seq (an attacker renumbering). */
static size_t reseq(void *ctx, const uint8_t *rec, size_t len, int64_t seq, uint8_t **out)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)rec, len, 0, &e);
	char *d;
	size_t n;

	json_object_set_new(j, "seq", json_integer(seq));
	d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	n = strlen(d);
	*out = talloc_memdup(ctx, d, n);
	free(d);
	json_decref(j);
	return n;
}

/*
 * Rewrites the segment from a list of record bodies with correct frames,
 * and, with the signing key, checkpoints.log and checkpoint with one
 * freshly signed checkpoint over everything: a complete rewrite of history
 * by someone who holds the key.
 */
static void forge(struct fx *f, uint8_t **recs, size_t *lens, unsigned n, bool resign)
{
	uint8_t *seg = talloc_size(f->ctx, 1 << 16), leaf[32], fh[8];
	size_t o = SL_AUDIT_FILE_HDR;
	struct sl_audit_frontier t;
	struct sl_audit_ckpt c;
	unsigned i;

	sl_audit_frontier_init(&t);
	sl_audit_file_header(seg, SL_AUDIT_SEG_MAGIC, 0);
	for (i = 0; i < n; i++) {
		sl_audit_leaf_hash(f->h, recs[i], lens[i], leaf);
		sl_audit_frontier_push(&t, f->h, leaf, NULL, NULL);
		sl_audit_frame_header(fh, (uint32_t)lens[i], leaf);
		memcpy(seg + o, fh, 8);
		memcpy(seg + o + 8, recs[i], lens[i]);
		o += 8 + lens[i];
	}
	at_write(f->seg, seg, o);
	if (resign) {
		char *err = NULL, *body, *note;
		struct sl_audit_skey *k = sl_audit_skey_load(f->ctx, f->h, f->e.key, AT_ORIGIN, &err);
		uint8_t *ckl = talloc_size(f->ctx, 4096);

		memset(&c, 0, sizeof(c));
		snprintf(c.origin, sizeof(c.origin), AT_ORIGIN);
		c.size = n;
		sl_audit_frontier_root(&t, f->h, c.root);
		c.has_time = true;
		c.time_us = at_real_us + 10000000;
		body = sl_audit_ckpt_body(f->ctx, &c);
		note = sl_audit_note_sign(f->ctx, k, body);
		sl_audit_file_header(ckl, SL_AUDIT_CKL_MAGIC, 0);
		sl_audit_leaf_hash(f->h, (const uint8_t *)note, strlen(note), leaf);
		sl_audit_frame_header(ckl + 16, (uint32_t)strlen(note), leaf);
		memcpy(ckl + 24, note, strlen(note));
		at_write(f->ckl, ckl, 24 + strlen(note));
		at_write(f->latest, note, strlen(note));
	}
}

static void test_delete_and_rewrite(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;
	size_t off[16], lens[16];
	uint8_t *recs[16];
	unsigned n, i, k;

	fx_build(&f, 4, 1);
	n = frames(f.seg0, f.seg0_len, off, 15);
	assert_int_equal(n, 6);
	/* delete record 2, renumber the rest, frames all correct */
	for (i = 0, k = 0; i < n; i++) {
		if (i == 2)
			continue;
		lens[k] = reseq(f.ctx, f.seg0 + off[i] + 8, off[i + 1] - off[i] - 8, k, &recs[k]);
		k++;
	}
	forge(&f, recs, lens, k, false);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_CP_ROOT));
	assert_true(has(&r, SL_AP_CP_BEYOND));
	/* the same, re-signed with the real key: consistent on its own ... */
	forge(&f, recs, lens, k, true);
	r = run(&f, NULL, NULL, 0);
	assert_int_equal(r.worst, SL_AUDIT_SEV_INFO);
	/* ... but not with the checkpoint an auditor took before */
	r = run(&f, NULL, f.latest0, f.latest0_len);
	assert_true(has(&r, SL_AP_SINCE_BEYOND));
	assert_true(has(&r, SL_AP_SINCE_CONSISTENCY));
	assert_false(r.since_ok);

	/* a fork after an auditor's checkpoint at size 3: record 4 changed, re-signed */
	{
		struct sl_audit_ckpt c3;
		const char *why;
		char *body, *note, *err = NULL;
		struct sl_audit_skey *key = sl_audit_skey_load(f.ctx, f.h, f.e.key, AT_ORIGIN, &err);
		uint8_t leaves[16][32];
		uint8_t *mod;

		fx_restore(&f);
		for (i = 0; i < n; i++) {
			recs[i] = talloc_memdup(f.ctx, f.seg0 + off[i] + 8, off[i + 1] - off[i] - 8);
			lens[i] = off[i + 1] - off[i] - 8;
			sl_audit_leaf_hash(f.h, recs[i], lens[i], leaves[i]);
		}
		memset(&c3, 0, sizeof(c3));
		snprintf(c3.origin, sizeof(c3.origin), AT_ORIGIN);
		c3.size = 3;
		sl_audit_mth_leaves(f.h, (const uint8_t(*)[32])leaves, 0, 3, c3.root);
		c3.has_time = true;
		c3.time_us = at_real_us;
		body = sl_audit_ckpt_body(f.ctx, &c3);
		note = sl_audit_note_sign(f.ctx, key, body);
		r = run(&f, NULL, (const uint8_t *)note, strlen(note));
		assert_int_equal(r.worst, SL_AUDIT_SEV_INFO);
		assert_true(r.since_ok);
		/* change the count of record 2 ("count":3 -> 4) and re-sign everything */
		mod = (uint8_t *)strstr((char *)recs[2], "\"count\":3");
		assert_non_null(mod);
		mod[8] = '4';
		forge(&f, recs, lens, n, true);
		r = run(&f, NULL, NULL, 0);
		assert_int_equal(r.worst, SL_AUDIT_SEV_INFO); /* the forger's own story holds together */
		r = run(&f, NULL, (const uint8_t *)note, strlen(note));
		assert_true(has(&r, SL_AP_SINCE_ROOT));
		assert_true(has(&r, SL_AP_SINCE_CONSISTENCY));
		(void)why;
	}
	fx_free(&f);
}

static void test_reorder_duplicate_replay(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;
	size_t off[16], lens[16], eo[16];
	uint8_t *recs[16], *buf;
	unsigned n, i, ne;
	size_t o;

	fx_build(&f, 4, 1);
	n = frames(f.seg0, f.seg0_len, off, 15);
	for (i = 0; i < n; i++) {
		recs[i] = talloc_memdup(f.ctx, f.seg0 + off[i] + 8, off[i + 1] - off[i] - 8);
		lens[i] = off[i + 1] - off[i] - 8;
	}
	/* swap records 2 and 3 */
	{
		uint8_t *t = recs[2];
		size_t tl = lens[2];

		recs[2] = recs[3];
		lens[2] = lens[3];
		recs[3] = t;
		lens[3] = tl;
	}
	forge(&f, recs, lens, n, false);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_REC_SEQ) && has(&r, SL_AP_CP_ROOT));
	/* duplicate record 1 at the end (replay) */
	fx_restore(&f);
	for (i = 0; i < n; i++) {
		recs[i] = talloc_memdup(f.ctx, f.seg0 + off[i] + 8, off[i + 1] - off[i] - 8);
		lens[i] = off[i + 1] - off[i] - 8;
	}
	recs[n] = recs[1];
	lens[n] = lens[1];
	forge(&f, recs, lens, n + 1, false);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_REC_SEQ) && has(&r, SL_AP_REC_TIME));
	fx_restore(&f);

	/* checkpoints: swap the first two entries; replay an old one at the end */
	ne = frames(f.ckl0, f.ckl0_len, eo, 15);
	assert_true(ne >= 3);
	buf = talloc_size(f.ctx, f.ckl0_len * 2);
	memcpy(buf, f.ckl0, 16);
	o = 16;
	memcpy(buf + o, f.ckl0 + eo[1], eo[2] - eo[1]);
	o += eo[2] - eo[1];
	memcpy(buf + o, f.ckl0 + eo[0], eo[1] - eo[0]);
	o += eo[1] - eo[0];
	memcpy(buf + o, f.ckl0 + eo[2], f.ckl0_len - eo[2]);
	o += f.ckl0_len - eo[2];
	at_write(f.ckl, buf, o);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_CP_SIZE_BACK));
	memcpy(buf, f.ckl0, f.ckl0_len);
	memcpy(buf + f.ckl0_len, f.ckl0 + eo[1], eo[2] - eo[1]);
	at_write(f.ckl, buf, f.ckl0_len + eo[2] - eo[1]);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_CP_SIZE_BACK) && has(&r, SL_AP_CP_TIME_BACK) && has(&r, SL_AP_CP_LATEST));
	fx_free(&f);
}

/* Appends one signed checkpoint with the given size, root and time to checkpoints.log. */
static void append_ckpt(struct fx *f, uint64_t size, const uint8_t *root, int64_t t)
{
	char *err = NULL;
	struct sl_audit_skey *k = sl_audit_skey_load(f->ctx, f->h, f->e.key, AT_ORIGIN, &err);
	struct sl_audit_ckpt c;
	uint8_t leaf[32], fh[8];
	char *note;
	FILE *fp;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), AT_ORIGIN);
	c.size = size;
	memcpy(c.root, root, 32);
	c.has_time = true;
	c.time_us = t;
	note = sl_audit_note_sign(f->ctx, k, sl_audit_ckpt_body(f->ctx, &c));
	sl_audit_leaf_hash(f->h, (const uint8_t *)note, strlen(note), leaf);
	sl_audit_frame_header(fh, (uint32_t)strlen(note), leaf);
	fp = fopen(f->ckl, "ab");
	fwrite(fh, 1, 8, fp);
	fwrite(note, 1, strlen(note), fp);
	fclose(fp);
	at_write(f->latest, note, strlen(note));
}

static void test_backwards(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;
	struct sl_audit_ckpt last;
	const char *why;

	fx_build(&f, 2, 1);
	assert_true(sl_audit_ckpt_parse(f.latest0, f.latest0_len - 0, &last, &why) ||
		    sl_audit_ckpt_open(f.latest0, f.latest0_len, &f.e.vk, &last, &why) == SL_NOTE_OK);
	sl_audit_ckpt_open(f.latest0, f.latest0_len, &f.e.vk, &last, &why);
	/* same size and root, a time before the previous checkpoint */
	append_ckpt(&f, last.size, last.root, last.time_us - 1);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_CP_TIME_BACK));
	fx_restore(&f);
	/* a time before the last record it covers (backdated) */
	{
		uint8_t *ckl;
		size_t len, eo[8];
		unsigned ne;

		ckl = at_read(f.ctx, f.ckl, &len);
		ne = frames(ckl, len, eo, 7);
		at_write(f.ckl, ckl, eo[ne - 1]); /* drop the last entry, keep the earlier ones */
		append_ckpt(&f, last.size, last.root, 5);
		r = run(&f, NULL, NULL, 0);
		assert_true(has(&r, SL_AP_CP_TIME_RECORD) && has(&r, SL_AP_CP_TIME_BACK));
	}
	fx_restore(&f);
	/* a smaller size after a larger one */
	append_ckpt(&f, 1, last.root, last.time_us + 1);
	r = run(&f, NULL, NULL, 0);
	assert_true(has(&r, SL_AP_CP_SIZE_BACK) && has(&r, SL_AP_CP_ROOT));
	/* same size, another root: a fork */
	fx_restore(&f);
	{
		uint8_t other[32];

		memcpy(other, last.root, 32);
		other[0] ^= 1;
		append_ckpt(&f, last.size, other, last.time_us + 1);
		r = run(&f, NULL, NULL, 0);
		assert_true(has(&r, SL_AP_CP_FORK) && has(&r, SL_AP_CP_ROOT));
	}
	fx_free(&f);
}

static void test_wrong_keys(void **state)
{
	struct fx f;
	struct sl_audit_verify_res r;
	struct sl_audit_vkey other, zero;
	uint8_t seed[32] = { 1, 2, 3 };
	struct sl_audit_skey *k;
	char *vk;
	const char *why;

	fx_build(&f, 1, 1);
	k = sl_audit_skey_from_seed(f.ctx, f.h, AT_ORIGIN, seed);
	other = *sl_audit_skey_vkey(k);
	r = run(&f, &other, NULL, 0);
	assert_true(has(&r, SL_AP_CP_UNSIGNED));
	assert_int_equal(r.worst, SL_AUDIT_SEV_ERROR);
	/* a key of the right name made of zeros (with its matching id) */
	memset(&zero, 0, sizeof(zero));
	snprintf(zero.name, sizeof(zero.name), AT_ORIGIN);
	sl_audit_key_id(f.h, zero.name, zero.pub, zero.id);
	vk = sl_audit_vkey_format(f.ctx, &zero);
	assert_true(sl_audit_vkey_parse(f.h, vk, &zero, &why));
	r = run(&f, &zero, NULL, 0);
	assert_true(has(&r, SL_AP_CP_UNSIGNED));
	/* the real key under another name: origin and signature both wrong */
	other = f.e.vk;
	snprintf(other.name, sizeof(other.name), "someone.else/log");
	r = run(&f, &other, NULL, 0);
	assert_true(has(&r, SL_AP_CP_UNSIGNED) && has(&r, SL_AP_CP_ORIGIN));
	/* empty and all-zero verifier key strings do not parse */
	assert_false(sl_audit_vkey_parse(f.h, "", &other, &why));
	assert_false(sl_audit_vkey_parse(f.h, "audit.test/log+00000000+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &other,
					 &why));
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_log),
		cmocka_unit_test(test_flip_every_bit),
		cmocka_unit_test(test_truncate_every_byte),
		cmocka_unit_test(test_delete_and_rewrite),
		cmocka_unit_test(test_reorder_duplicate_replay),
		cmocka_unit_test(test_backwards),
		cmocka_unit_test(test_wrong_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
