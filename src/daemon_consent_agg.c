/*
 * Aggregate releases in sluiced (see daemon_consent_agg.h).
 *
 * The grid: areas are the configured TAC or LAC values of one network
 * (aggregate-plmn); an observation whose area is of another network, not
 * in the grid, or unknown (no location, or no consent to location) is not
 * counted. Categories are the event kinds whose primary category the
 * recipient receives ("call", "message", "registration"). Subjects are
 * keyed by sl_agg_subject_key() of their recipient pseudonym: no identity
 * reaches the accumulator.
 *
 * Each release is written to a file of its own in the aggregate
 * directory, named after the recipient and the bucket start (UTC), under
 * a temporary name, fsynced, renamed into place and the directory
 * fsynced: a reader never sees a partial file. Then an aggregate.release
 * audit record is committed. Refused releases leave no file; they are
 * logged, counted and audited too.
 *
 * The value ledger: with aggregate-price-per-release, a published release
 * (not a repeated or refused one) shares its price among the subscribers
 * whose observations are in its released cells, in proportion to those
 * observations (rounded down; the remainder is not credited), in one
 * transaction, under the consent that let each through. For that the
 * identities of a bucket's observations are kept in memory with the
 * bucket (never written anywhere else), and dropped when it is released.
 */
#include "src/daemon_consent_agg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <osmocom/core/logging.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/audit/audit.h"
#include "mediation/consent/aggregate_stream.h"
#include "mediation/consent/consent_ledger.h"
#include "mediation/consent/consent_minimise.h"
#include "mediation/consent/consent_store.h"

/* One observation's subject, for the value ledger (in memory only). */
struct credit_obs {
	int64_t bucket_us;
	uint64_t key;
	uint32_t area;
	uint32_t category;
	char identity[48];
};

struct sl_daemon_agg {
	const struct sl_daemon_consent_recipient_cfg *cfg;
	struct sl_agg_store *store;
	struct sl_agg_rng *rng;
	struct sl_agg_stream *stream;
	struct sl_audit_log *audit;
	struct rate_ctr_group *ctrs;
	int cat_of_kind[_SL_CX_KIND_COUNT]; /* category index, -1: not in the grid */
	const char *cat_name[_SL_CX_KIND_COUNT];
	struct sl_consent_store *consents;
	struct credit_obs *obs; /* with aggregate-price-per-release only */
	size_t n_obs, cap_obs;
	uint64_t capped_logged;	/* the cap's log line is written once */
};

static void sha256_hex(const char *p, size_t n, char out[7 + 64 + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned len = 0, i;

	memcpy(out, "sha256:", 7);
	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		memset(md, 0, sizeof(md));
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
}

/* Writes doc to dir/name durably (temporary file, fsync, rename, directory fsync). 0 or -errno. */
static int write_file(const char *dir, const char *name, const char *doc)
{
	char tmp[4096], path[4096];
	size_t len = strlen(doc), off = 0;
	int fd, dfd, rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, doc + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd) < 0)
		rc = -errno;
	close(dfd);
	return rc;
}

/* result: NULL for what the outcome says (published, repeated, refused), else that ("unwritten") */
static void audit_release(struct sl_daemon_agg *a, const struct sl_agg_stream_outcome *o, const char *file,
			  const char *digest, const char *result)
{
	struct sl_audit_actor actor = { .type = "system", .id = "sluiced aggregate releases" };
	const char *why;
	json_t *f;

	if (!a->audit)
		return;
	if (!result)
		result = o->rc < 0 ? "refused" : o->result == SL_AGG_REPEATED ? "repeated" : "published";
	f = json_pack("{s:s,s:I,s:I,s:s,s:I,s:I}", "recipient", o->recipient, "period_start_us",
		      (json_int_t)o->period_start_us, "period_end_us", (json_int_t)o->period_end_us, "result", result,
		      "epsilon_micro", (json_int_t)o->epsilon_micro, "observations", (json_int_t)o->observations);
	if (f && o->rc == 0) {
		json_object_set_new(f, "released_cells", json_integer(o->released));
		json_object_set_new(f, "suppressed_cells", json_integer(o->suppressed));
	}
	if (f && file)
		json_object_set_new(f, "file", json_string(file));
	if (f && digest)
		json_object_set_new(f, "digest", json_string(digest));
	if (f && o->why)
		json_object_set_new(f, "reason", json_string(o->why));
	if (!f || !sl_audit_fields_check("aggregate.release", f, &why) ||
	    sl_audit_append(a->audit, "aggregate.release", &actor, f, 0) < 0 || sl_audit_commit(a->audit) < 0) {
		rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_FAILED);
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: the aggregate.release audit record failed\n",
		     o->recipient);
	}
	json_decref(f);
}

static int by_key(const void *a, const void *b)
{
	const struct credit_obs *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Whether (area, category) is a released cell of doc's cells. */
static bool released_cell(json_t *cells, uint32_t area, const char *cat)
{
	size_t i;
	json_t *c;

	json_array_foreach(cells, i, c) {
		const char *name = json_string_value(json_object_get(c, "category"));

		if ((uint32_t)json_integer_value(json_object_get(c, "area")) == area && name && !strcmp(name, cat))
			return json_object_get(c, "subjects") != NULL;
	}
	return false;
}

/*
 * Shares the release's price among the subscribers of its released cells
 * (only when it was written: an unwritten release earned nobody anything);
 * drops the bucket's identities either way.
 */
static void credit_release(struct sl_daemon_agg *a, const struct sl_agg_stream_outcome *o, bool written)
{
	const char *recipient = a->cfg->name;
	json_t *doc = written && o->rc == 0 && o->result == SL_AGG_PUBLISHED ? json_loads(o->json, 0, NULL) : NULL;
	json_t *cells = json_object_get(doc, "cells");
	size_t i, j, n = 0, total = 0;
	unsigned lost = 0;
	char *err = NULL, id[SL_CONSENT_ID_MAX + 1];

	/* this bucket's observations to the front; bit 31 of category marks those in released cells */
	for (i = 0; i < a->n_obs; i++) {
		if (a->obs[i].bucket_us != o->period_start_us)
			continue;
		struct credit_obs t = a->obs[i];
		a->obs[i] = a->obs[n];
		a->obs[n] = t;
		if (cells && released_cell(cells, t.area, a->cat_name[t.category]))
			a->obs[n].category |= 0x80000000u, total++;
		n++;
	}
	if (total && a->cfg->agg_price_micro && sl_consent_store_begin(a->consents, &err) == 0) {
		qsort(a->obs, n, sizeof(a->obs[0]), by_key);
		for (i = 0; i < n; i = j) {
			uint64_t records = 0;
			struct sl_consent_subject subj;

			for (j = i; j < n && a->obs[j].key == a->obs[i].key; j++)
				records += a->obs[j].category >> 31;
			if (!records)
				continue;
			if (sl_consent_subject_parse(a->obs[i].identity, &subj) < 0 ||
			    sl_consent_store_find(a->consents, &subj, recipient, a->cfg->purpose, id, &err) < 0 ||
			    sl_consent_ledger_credit(a->consents, &subj, recipient, id, records,
						     (int64_t)(a->cfg->agg_price_micro * records / total),
						     o->period_end_us) < 0)
				lost++;
		}
		if (sl_consent_store_commit(a->consents, &err) < 0) {
			sl_consent_store_rollback(a->consents);
			lost = 1;
		}
	}
	if (lost) {
		rate_ctr_inc2(a->ctrs, SL_CX_CTR_LEDGER_FAILED);
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: aggregate release not fully credited in the value "
					  "ledger\n", recipient);
	}
	memmove(a->obs, a->obs + n, (a->n_obs - n) * sizeof(a->obs[0]));
	a->n_obs -= n;
	json_decref(doc);
}

static void on_outcome(void *data, const struct sl_agg_stream_outcome *o)
{
	struct sl_daemon_agg *a = data;
	char name[128], digest[72], stamp[32];
	time_t t = (time_t)(o->period_start_us / 1000000);
	struct tm tm;
	int rc;

	if (o->rc < 0) {
		if (a->obs)
			credit_release(a, o, false);
		rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_REFUSED);
		LOGP(DSLSRC, LOGL_NOTICE, "consent: aggregate release refused: %s\n", o->why ? o->why : "?");
		audit_release(a, o, NULL, NULL, NULL);
		return;
	}
	if (!gmtime_r(&t, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		snprintf(stamp, sizeof(stamp), "%" PRId64, o->period_start_us);
	snprintf(name, sizeof(name), "%s-%s.json", o->recipient, stamp);
	sha256_hex(o->json, strlen(o->json), digest);
	/* the file first: the ledger is credited, and the release audited as published, only once it exists */
	rc = write_file(a->cfg->agg_dir, name, o->json);
	if (a->obs)
		credit_release(a, o, rc == 0);
	if (rc < 0) {
		rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_FAILED);
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: cannot write the aggregate release %s/%s: %s\n",
		     o->recipient, a->cfg->agg_dir, name, strerror(-rc));
		audit_release(a, o, name, digest, "unwritten");
		return;
	}
	rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_RELEASED);
	audit_release(a, o, name, digest, NULL);
}

int sl_daemon_agg_open(void *ctx, const struct sl_daemon_consent_recipient_cfg *rc, const char *database,
		       struct sl_consent_store *store, struct sl_audit_log *audit, struct rate_ctr_group *ctrs,
		       struct sl_daemon_agg **out)
{
	static const char *const kind_cat[_SL_CX_KIND_COUNT] = { "call", "message", "registration" };
	struct sl_agg_stream_cfg sc = { 0 };
	struct sl_daemon_agg *a;
	char why[SL_AGG_WHY_LEN] = "";
	unsigned k, n = 0;

	*out = NULL;
	if (!rc->agg_dir)
		return 0;
	if (!rc->agg_plmn || !rc->n_agg_areas) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: aggregate releases need aggregate-plmn and at least "
					  "one aggregate-area\n", rc->name);
		return -1;
	}
	a = talloc_zero(ctx, struct sl_daemon_agg);
	if (!a)
		return -1;
	a->cfg = rc;
	a->audit = audit;
	a->ctrs = ctrs;
	a->consents = store;
	if (rc->agg_price_micro) {
		a->cap_obs = 1024;
		a->obs = talloc_array(a, struct credit_obs, a->cap_obs);
		if (!a->obs) {
			talloc_free(a);
			return -1;
		}
	}
	snprintf(sc.grid.recipient, sizeof(sc.grid.recipient), "%s", rc->name);
	sc.grid.bucket_us = (int64_t)rc->agg_bucket_s * 1000000;
	sc.grid.areas = rc->agg_areas;
	sc.grid.n_areas = rc->n_agg_areas;
	sc.grid.categories = _talloc_zero_array(a, sizeof(*sc.grid.categories), _SL_CX_KIND_COUNT, "categories");
	if (!sc.grid.categories) {
		talloc_free(a);
		return -1;
	}
	for (k = 0; k < _SL_CX_KIND_COUNT; k++) {
		a->cat_of_kind[k] = -1;
		if (rc->categories & SL_CONSENT_CAT_BIT(sl_cx_primary_category((enum sl_cx_kind)k))) {
			snprintf(sc.grid.categories[n], SL_AGG_CATEGORY_LEN + 1, "%s", kind_cat[k]);
			a->cat_name[n] = kind_cat[k];
			a->cat_of_kind[k] = (int)n++;
		}
	}
	sc.grid.n_categories = n;
	sc.grid.k = rc->agg_k;
	sc.grid.epsilon_micro = rc->agg_epsilon_micro;
	sc.grid.max_cells_per_subject = SL_AGG_MAX_CELLS_PER_SUBJECT_DEFAULT;
	sc.grid.max_events_per_subject_cell = SL_AGG_MAX_EVENTS_PER_SUBJECT_CELL_DEFAULT;
	sc.grid.distinct_cap = SL_AGG_DISTINCT_CAP_DEFAULT;
	sc.lateness_us = (int64_t)rc->agg_lateness_s * 1000000;
	sc.max_obs_per_bucket = rc->agg_max_obs;
	sc.budget.epsilon_total_micro = rc->agg_budget_micro;
	sc.budget.window_us = (int64_t)rc->agg_window_s * 1000000;
	sc.budget.allow_no_noise = rc->agg_epsilon_micro == 0; /* the operator chose k-suppression alone */
	if (sl_agg_store_open(a, database, &a->store, why) < 0 ||
	    (rc->agg_epsilon_micro && sl_agg_rng_system(a, &a->rng) < 0) ||
	    sl_agg_stream_new(a, &sc, a->store, a->rng, on_outcome, a, &a->stream, why) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: aggregate releases: %s\n", rc->name,
		     why[0] ? why : "cannot start");
		talloc_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void sl_daemon_agg_observe(void *data, const struct sl_cx_observation *o)
{
	struct sl_daemon_agg *a = data;
	size_t plmn = strlen(a->cfg->agg_plmn);
	struct sl_agg_obs obs = { 0 };
	char *end;
	unsigned long v;

	if ((unsigned)o->kind >= _SL_CX_KIND_COUNT || a->cat_of_kind[o->kind] < 0 || !o->area ||
	    strlen(o->area) != plmn + 4 || strncmp(o->area, a->cfg->agg_plmn, plmn))
		return;
	v = strtoul(o->area + plmn, &end, 16);
	if (*end)
		return;
	obs.subject = sl_agg_subject_key(o->subject, strlen(o->subject));
	obs.area = (uint32_t)v;
	obs.time_us = o->time_us;
	obs.category = (unsigned)a->cat_of_kind[o->kind];
	rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_OBSERVED);
	switch (sl_agg_stream_add(a->stream, &obs)) {
	case 1:
		rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_LATE);
		return;
	case 2:
		rate_ctr_inc2(a->ctrs, SL_CX_CTR_AGG_CAPPED);
		if (!a->capped_logged++)
			LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: an open aggregate bucket holds %u observations "
						  "(aggregate-max-observations): dropping further ones, counted in "
						  "aggregate:capped (logged once)\n", a->cfg->name, a->cfg->agg_max_obs);
		return;
	default:
		break;
	}
	if (a->obs && o->identity) {
		struct credit_obs *c;

		if (a->n_obs == a->cap_obs) {
			struct credit_obs *p = talloc_realloc(a, a->obs, struct credit_obs, a->cap_obs * 2);
			if (!p) {
				rate_ctr_inc2(a->ctrs, SL_CX_CTR_LEDGER_FAILED);
				return;
			}
			a->obs = p;
			a->cap_obs *= 2;
		}
		c = &a->obs[a->n_obs++];
		c->bucket_us = obs.time_us - obs.time_us % ((int64_t)a->cfg->agg_bucket_s * 1000000);
		c->key = obs.subject;
		c->area = obs.area;
		c->category = obs.category;
		snprintf(c->identity, sizeof(c->identity), "%s", o->identity);
	}
}

void sl_daemon_agg_tick(struct sl_daemon_agg *a, int64_t now_us)
{
	if (a)
		sl_agg_stream_tick(a->stream, now_us);
}

void sl_daemon_agg_close_all(struct sl_daemon_agg *a)
{
	if (a)
		sl_agg_stream_close_all(a->stream);
}

void sl_daemon_agg_show(struct vty *vty, const struct sl_daemon_agg *a)
{
	struct sl_agg_stream_stats st;

	if (!a)
		return;
	sl_agg_stream_stats(a->stream, &st);
	vty_out(vty, "recipient %s aggregates: %" PRIu64 " observations, %" PRIu64 " late, %" PRIu64 " capped, %" PRIu64
		     " released, %" PRIu64 " repeated, %" PRIu64 " refused, %u buckets open%s", a->cfg->name,
		st.observations, st.late, st.capped, st.released, st.repeated, st.refused, st.open_buckets, VTY_NEWLINE);
}
