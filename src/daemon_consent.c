/*
 * The consented-data path running in sluiced (daemon_consent.h): opens
 * the registry and the keys, keeps the in-memory index fresh (refreshed
 * from the database every half second, so a withdrawal committed by any
 * process stops the flow within one second), passes each metadata event
 * to the flow (mediation/consent/consent_flow.c) and records each export
 * batch in the audit log (kind export.batch: recipient, batch id, record
 * count, SHA-256 of the batch bytes, segment and offset, the subjects as
 * audit pseudonyms). `show consent` prints the path's state. Wiring only.
 *
 * This file is given events and the clock, never anything of the lawful
 * path: what it exports cannot depend on who is under warrant.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/audit/audit.h"
#include "mediation/audit/keys.h"
#include "mediation/consent/consent_export.h"
#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_js_pending.h"
#include "mediation/consent/consent_policy.h"
#include "mediation/consent/consent_pseudonym.h"
#include "mediation/consent/consent_store.h"
#include "src/daemon_consent.h"
#include "src/daemon_consent_agg.h"
#include "src/daemon_consent_js.h"

#define REFRESH_MS 500

struct daemon_recipient {
	struct sl_daemon_consent *c;
	unsigned idx;
	const struct sl_daemon_consent_recipient_cfg *cfg;
	struct sl_cx_export *exp;   /* NULL: aggregate releases only */
	struct sl_daemon_agg *agg; /* NULL: no aggregate releases */
	struct sl_daemon_js *js;	/* NULL: JSON Lines only */
	bool acct_failing;		/* export accounting failed and is being retried (logged once) */
	bool torn_logged;		/* the export stopped on a batch it could not cut (logged once) */
	bool held_logged;		/* a batch is held: the database refused its pending row (logged once) */
};

struct sl_daemon_consent {
	struct sl_consent_store *store;
	struct sl_consent_index *ix;
	struct sl_cx_flow *flow;
	struct daemon_recipient rec[SL_DAEMON_CONSENT_MAX_RECIPIENTS];
	unsigned n_rec;
	struct sl_audit_log *audit;
	struct osmo_timer_list refresh;
	uint64_t refresh_failed_logged;
	int64_t clock_us;
};

/*
 * The value share and the audit record of a delivered batch (JetStream:
 * acknowledged; JSON Lines only: fsynced), exactly once across crashes
 * (consent_js_pending.h): every subject it carried is credited
 * price-per-record times their records under the consent record found
 * when the batch was written (docs/consent.md, "The value ledger"), all
 * of it in one transaction, then export.batch is appended and committed.
 * A subject without a consent record is counted and logged, never
 * credited to another record. The row is removed by the caller, in a
 * later transaction.
 */
static int account_pending(void *data, struct sl_cx_pending *p)
{
	struct daemon_recipient *r = data;
	struct rate_ctr_group *ctrs = sl_cx_flow_ctrs(r->c->flow, r->idx);
	struct sl_cx_pending_result res;
	bool was_credited = p->credited;
	int rc = sl_cx_pending_settle(r->c->store, r->c->audit, p, (enum sl_consent_purpose)r->cfg->purpose,
				      r->cfg->price_micro, &res);

	if (!was_credited && p->credited) {
		rate_ctr_inc2(ctrs, SL_CX_CTR_BATCHES);
		if (res.lost) {
			LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s batch %s: %u of %u subjects not credited (no "
						  "consent record found)\n", p->b.recipient, p->b.batch_id, res.lost,
			     res.credited + res.lost);
			rate_ctr_add(rate_ctr_group_get_ctr(ctrs, SL_CX_CTR_LEDGER_FAILED), (int)res.lost);
		}
	}
	if (res.already_audited)
		LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s batch %s: its audit record was written before a stop; "
					   "not written again\n", p->b.recipient, p->b.batch_id);
	/* retried at every acknowledgement and tick: logged and counted once per failing stretch */
	if (rc < 0 && !r->acct_failing) {
		r->acct_failing = true;
		rate_ctr_inc2(ctrs, p->credited ? SL_CX_CTR_AUDIT_FAILED : SL_CX_CTR_LEDGER_FAILED);
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s batch %s: accounting failed (%s), stays pending and is "
					  "retried\n", p->b.recipient, p->b.batch_id, strerror(-rc));
	} else if (!rc && r->acct_failing) {
		r->acct_failing = false;
		LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: accounting of export batches resumed\n",
		     p->b.recipient);
	}
	return rc;
}

/* The batch is recorded as pending before its bytes are written (refused: it is not written). */
static int prepare_batch(void *data, const struct sl_cx_batch *b)
{
	struct daemon_recipient *r = data;
	char *err = NULL;
	int rc = sl_daemon_js_prepare(r->js, b, (enum sl_consent_purpose)r->cfg->purpose, r->c->clock_us, &err);

	/* refused, the batch is held and offered again each second: logged when that begins and ends */
	if (rc < 0 && !r->held_logged) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s batch %s: cannot record it as pending (%s): held, not "
					  "written, offered again each second\n", b->recipient, b->batch_id,
		     err ? err : strerror(-rc));
		r->held_logged = true;
	} else if (!rc && r->held_logged) {
		LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s batch %s: recorded as pending, written\n", b->recipient,
		     b->batch_id);
		r->held_logged = false;
	}
	talloc_free(err);
	return rc;
}

static int abort_batch(void *data, const struct sl_cx_batch *b)
{
	struct daemon_recipient *r = data;

	sl_daemon_js_abort(r->js, b);
	return 0;
}

static int on_batch(void *data, const struct sl_cx_batch *b)
{
	struct daemon_recipient *r = data;

	sl_daemon_js_batch(r->js, b);
	return 0;
}

static void refresh_cb(void *data)
{
	struct sl_daemon_consent *c = data;
	char *err = NULL;

	if (sl_consent_index_refresh(c->ix, &err) < 0) {
		if (!c->refresh_failed_logged++)
			LOGP(DSLSRC, LOGL_ERROR, "consent: index refresh failed: %s (keeping the last state)\n",
			     err ? err : "?");
		talloc_free(err);
	}
	osmo_timer_schedule(&c->refresh, 0, REFRESH_MS * 1000);
}

static int open_recipient(void *ctx, struct sl_daemon_consent *c, const struct sl_daemon_consent_cfg *cfg,
			  const struct sl_daemon_consent_recipient_cfg *rc)
{
	struct daemon_recipient *r = &c->rec[c->n_rec];
	struct sl_cx_export_cfg xc = { 0 };
	struct sl_cx_recipient_cfg fc = { 0 };
	char *err = NULL;
	int n;

	if (rc->purpose < 0 || (!rc->export_dir && !rc->agg_dir) || !rc->categories) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s needs purpose, categories and export-directory or "
					  "aggregate-directory\n", rc->name);
		return -1;
	}
	r->c = c;
	r->idx = c->n_rec;
	r->cfg = rc;
	if (rc->export_dir) {
		xc.dir = rc->export_dir;
		xc.recipient = rc->name;
		xc.batch_records = rc->batch_records;
		xc.batch_seconds = rc->batch_seconds;
		xc.rotate_bytes = rc->rotate_mb << 20;
		xc.rotate_seconds = rc->rotate_seconds;
		r->exp = sl_cx_export_open(ctx, &xc, on_batch, r, &err);
		if (!r->exp) {
			LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: %s\n", rc->name,
			     err ? err : "cannot open the export");
			return -1;
		}
	}
	fc.name = rc->name;
	fc.purpose = (enum sl_consent_purpose)rc->purpose;
	fc.policy.categories = rc->categories;
	fc.policy.location = (enum sl_cx_granularity)rc->location;
	fc.policy.time_bucket_s = rc->time_bucket_s;
	n = sl_cx_flow_add(c->flow, &fc, r->exp, c->n_rec);
	if (n < 0 || sl_daemon_agg_open(ctx, rc, cfg->database, c->store, c->audit, sl_cx_flow_ctrs(c->flow, (unsigned)n),
					&r->agg) < 0)
		return -1;
	if (r->agg)
		sl_cx_flow_observe(c->flow, (unsigned)n, sl_daemon_agg_observe, r->agg);
	if (r->exp) {	/* aggregate-only recipients have no export */
		/* without `jetstream url`, JSON Lines only; rows an earlier run left pending are accounted now */
		r->js = sl_daemon_js_open(ctx, &cfg->js, rc->export_dir, rc->name, sl_cx_flow_ctrs(c->flow, c->n_rec),
					  c->store, account_pending, r);
		if (!r->js)
			return -1;
		sl_cx_export_set_prepare(r->exp, prepare_batch, abort_batch);
	}
	c->n_rec++;
	return 0;
}

static struct sl_daemon_consent *g_show;

int sl_daemon_consent_start(void *ctx, const struct sl_daemon_consent_cfg *cfg, struct sl_audit_log *audit,
			    struct sl_daemon_consent **out)
{
	uint8_t master[SL_CONSENT_MASTER_KEY_LEN], akey[SL_AUDIT_PSEUDO_KEY_LEN];
	struct sl_daemon_consent *c;
	char *err = NULL;
	unsigned i;

	*out = NULL;
	if (!cfg->configured)
		return 0;
	if (!cfg->database || !cfg->pseudonym_key) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: `database` and `pseudonym-key` are required\n");
		return -1;
	}
	c = talloc_zero(ctx, struct sl_daemon_consent);
	c->audit = audit;
	if (sl_consent_store_open(c, cfg->database, &c->store, &err) < 0 ||
	    sl_consent_master_key_load(c, cfg->pseudonym_key, master, &err) < 0 ||
	    (cfg->audit_pseudonym_key && sl_audit_pseudo_key_load(c, cfg->audit_pseudonym_key, akey, &err) < 0)) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: %s\n", err ? err : "cannot start");
		talloc_free(c);
		return -1;
	}
	/*
	 * A write waits at most this long for another process's transaction
	 * (an import holds one for its whole file): the loop that waits also
	 * captures and delivers interceptions. What fails is retried: a batch
	 * is held, accounting and removals run again each second.
	 */
	sl_consent_store_set_busy_ms(c->store, SL_DAEMON_STORE_BUSY_MS);
	c->ix = sl_consent_index_alloc(c, c->store, 0);
	if (!c->ix || sl_consent_index_refresh(c->ix, &err) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: cannot read the registry %s: %s\n", cfg->database, err ? err : "?");
		talloc_free(c);
		return -1;
	}
	c->flow = sl_cx_flow_alloc(c, c->ix, master, cfg->audit_pseudonym_key ? akey : NULL, cfg->epoch_days * 86400u);
	OPENSSL_cleanse(master, sizeof(master));
	OPENSSL_cleanse(akey, sizeof(akey));
	if (!c->flow) {
		talloc_free(c);
		return -1;
	}
	for (i = 0; i < cfg->n_rec; i++) {
		if (open_recipient(c, c, cfg, &cfg->rec[i]) < 0) {
			talloc_free(c);
			return -1;
		}
	}
	osmo_timer_setup(&c->refresh, refresh_cb, c);
	osmo_timer_schedule(&c->refresh, 0, REFRESH_MS * 1000);
	LOGP(DSLSRC, LOGL_NOTICE, "consent: registry open, %u recipient(s)\n", c->n_rec);
	g_show = c;
	*out = c;
	return 0;
}

void sl_daemon_consent_begin(struct sl_daemon_consent *c, const struct sl_event *ev, struct sl_cx_subjects *st)
{
	st->flows = false;
	if (c)
		sl_cx_flow_begin(c->flow, ev, st);
}

void sl_daemon_consent_end(struct sl_daemon_consent *c, const struct sl_event *ev, const struct sl_cx_subjects *st)
{
	if (!c)
		return;
	if ((int64_t)ev->ts_us > c->clock_us)
		c->clock_us = (int64_t)ev->ts_us;
	sl_cx_flow_end(c->flow, ev, st);
}

/* the recipient's open batch is held (its pending row refused): it is not lost, it waits */
static bool held(const struct daemon_recipient *r)
{
	struct sl_cx_export_stats xs;

	if (!r->exp)
		return false;
	sl_cx_export_stats(r->exp, &xs);
	return xs.held;
}

/* once a second: an export that stopped on a batch it could not cut from its segment is logged, once */
static void log_torn(struct daemon_recipient *r)
{
	struct sl_cx_export_stats xs;

	if (!r->exp || r->torn_logged)
		return;
	sl_cx_export_stats(r->exp, &xs);
	if (!xs.torn_left)
		return;
	r->torn_logged = true;
	LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: a batch whose write failed could not be cut from its segment: "
				  "nothing more is exported to it until sluiced is restarted (the restart cuts it)\n",
	     r->cfg->name);
}

void sl_daemon_consent_clock(struct sl_daemon_consent *c, int64_t now_us)
{
	unsigned i;

	if (!c)
		return;
	if (now_us > c->clock_us)
		c->clock_us = now_us;
	for (i = 0; i < c->n_rec; i++) {
		if (c->rec[i].exp && sl_cx_export_tick(c->rec[i].exp, c->clock_us) < 0 && !held(&c->rec[i]))
			rate_ctr_inc2(sl_cx_flow_ctrs(c->flow, i), SL_CX_CTR_WRITE_FAILED);
		log_torn(&c->rec[i]);
		sl_daemon_agg_tick(c->rec[i].agg, c->clock_us);
		sl_daemon_js_poll(c->rec[i].js);
	}
}

void sl_daemon_consent_flush(struct sl_daemon_consent *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->n_rec; i++) {
		/* a held batch is offered again by the tick: counted lost only if still held at the stop */
		if (c->rec[i].exp && sl_cx_export_flush(c->rec[i].exp) < 0 && !held(&c->rec[i]))
			rate_ctr_inc2(sl_cx_flow_ctrs(c->flow, i), SL_CX_CTR_WRITE_FAILED);
		sl_daemon_agg_close_all(c->rec[i].agg);
	}
}

void sl_daemon_consent_stop(struct sl_daemon_consent *c)
{
	unsigned i;

	if (!c)
		return;
	osmo_timer_del(&c->refresh);
	sl_daemon_consent_flush(c);
	for (i = 0; i < c->n_rec; i++) {
		struct sl_cx_export_stats xs;

		if (held(&c->rec[i])) {
			sl_cx_export_stats(c->rec[i].exp, &xs);
			rate_ctr_inc2(sl_cx_flow_ctrs(c->flow, i), SL_CX_CTR_WRITE_FAILED);
			LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: a held batch is lost at the stop (the database "
						  "refused its pending row %" PRIu64 " times)\n", c->rec[i].cfg->name,
			     xs.prepare_failed);
		}
		sl_daemon_js_stop(c->rec[i].js);
		c->rec[i].js = NULL;
	}
	g_show = NULL;
	talloc_free(c);
}

DEFUN(show_consent, show_consent_cmd, "show consent", SHOW_STR "The consented-data path: index and recipients\n")
{
	struct sl_consent_index_stats ist;
	struct sl_cx_export_stats xs;
	unsigned i;

	if (!g_show) {
		vty_out(vty, "consent path not configured%s", VTY_NEWLINE);
		return CMD_SUCCESS;
	}
	sl_consent_index_stats(g_show->ix, &ist);
	vty_out(vty, "index: %" PRIu64 " subjects, %" PRIu64 " records, generation %" PRIu64 ", %" PRIu64
		     " refreshes applied%s", ist.subjects, ist.records, ist.generation, ist.refreshes, VTY_NEWLINE);
	for (i = 0; i < g_show->n_rec; i++) {
		sl_daemon_agg_show(vty, g_show->rec[i].agg);
		if (!g_show->rec[i].exp)
			continue;
		sl_cx_export_stats(g_show->rec[i].exp, &xs);
		vty_out(vty, "recipient %s: %" PRIu64 " records in %" PRIu64 " batches, %" PRIu64 " segments, %" PRIu64
			     " bytes, %" PRIu64 " batches lost%s", g_show->rec[i].cfg->name, xs.records, xs.batches,
			xs.segments, xs.bytes, xs.write_failed, VTY_NEWLINE);
		if (xs.torn_left)
			vty_out(vty, " export stopped: a failed batch could not be cut from its segment; restart sluiced "
				     "to repair it%s", VTY_NEWLINE);
		if (xs.held || xs.prepare_failed || xs.dropped)
			vty_out(vty, " %s%" PRIu64 " times the database refused a batch's pending row, %" PRIu64
				     " records refused while a batch was held%s", xs.held ? "batch held (offered again each "
				     "second); " : "", xs.prepare_failed, xs.dropped, VTY_NEWLINE);
		if (g_show->rec[i].js)
			sl_daemon_js_show(g_show->rec[i].js, vty);
	}
	return CMD_SUCCESS;
}

void sl_daemon_consent_show_vty_init(void)
{
	install_element_ve(&show_consent_cmd);
}
