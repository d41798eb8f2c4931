/*
 * The JetStream export of one recipient in sluiced (daemon_consent_js.h,
 * docs/exports.md, docs/ARCHITECTURE.md "The JetStream export").
 *
 * A batch reaches JetStream in three steps: consent_export.c makes it
 * durable in the JSON Lines segment (the outbox); this file notes it as
 * pending and tells the publisher how far the outbox is durable; the
 * publisher's thread publishes and, once every record is acknowledged,
 * moves its cursor and wakes the select loop through its eventfd. Here,
 * in the select loop, every pending batch the cursor has passed is then
 * accounted: export.batch audit record and value ledger, as the JSON
 * Lines path does at durability. Pending batches live in the consent
 * database (mediation/consent/consent_js_pending.h), written before their
 * bytes reach the outbox, so a stop or crash loses none of their
 * accounting and memory holds none of them.
 */
#include <inttypes.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_js_export.h"
#include "mediation/consent/consent_js_pending.h"
#include "src/daemon_consent_js.h"

#define DONE_MAX 256	/* accounted rows awaiting removal */

struct sl_daemon_js {
	struct sl_js_export *x;
	struct osmo_fd ofd;
	struct sl_consent_store *store;
	/*
	 * Rows accounted (ledger and audit record durable) but not yet removed:
	 * removed in the next pending-row transaction, or on the tick, saving
	 * a commit per batch; settle() skips them (rows are accounted in key
	 * order, so everything up to last is done).
	 */
	struct sl_cx_pending_key done[DONE_MAX], last;
	unsigned n_done;
	bool have_last;
	unsigned n_pending, drain_s;
	uint64_t accounted;
	char *recipient;
	struct rate_ctr_group *ctrs;
	struct sl_js_export_stats seen;	/* what the counters already hold */
	char logged_error[sizeof(((struct sl_js_export_stats *)0)->last_error)];	/* the publisher's last error logged */
	bool connected_since_error;	/* a connection succeeded after the error logged last */
	sl_daemon_js_account_cb account;
	void *data;
};

static void update_counters(struct sl_daemon_js *j)
{
	struct sl_js_export_stats st;

	sl_js_export_stats(j->x, &st);
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_ACKED), (int)(st.acked - j->seen.acked));
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_DUPLICATES), (int)(st.duplicates - j->seen.duplicates));
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_RETRIES), (int)(st.retries - j->seen.retries));
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_REJECTED), (int)(st.rejected - j->seen.rejected));
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_CONNECT_FAILED),
		     (int)(st.connect_failures - j->seen.connect_failures));
	/*
	 * The publisher thread never logs: its errors are logged here, when the
	 * text changes or when failures come back after a connection succeeded;
	 * and a connection after failures is logged once.
	 */
	if (st.last_error[0] &&
	    (strcmp(st.last_error, j->logged_error) ||
	     (j->connected_since_error &&
	      (st.connect_failures != j->seen.connect_failures || st.retries != j->seen.retries)))) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: jetstream: %s (%" PRIu64 " failed connections, %" PRIu64
					  " retries so far)\n", j->recipient, st.last_error, st.connect_failures, st.retries);
		snprintf(j->logged_error, sizeof(j->logged_error), "%s", st.last_error);
		j->connected_since_error = false;
	}
	if (st.connects != j->seen.connects && j->logged_error[0] && !j->connected_since_error) {
		LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: jetstream: connected again (%" PRIu64 " failed "
					   "connections so far)\n", j->recipient, st.connect_failures);
		j->connected_since_error = true;
	}
	j->seen = st;
}

static void flush_done(struct sl_daemon_js *j)
{
	/* a failure leaves the rows: this process skips them, the next start finds them accounted and removes them */
	sl_cx_pending_remove_many(j->store, j->recipient, j->done, j->n_done);
	j->n_done = 0;
}

/*
 * Accounts every pending batch that the acknowledged cursor has passed, in
 * order, loading them from the database one at a time (only the keys of
 * rows accounted and not yet removed stay in memory). A batch whose
 * accounting fails stays pending and is tried again at the next
 * acknowledgement or tick.
 */
static void settle(struct sl_daemon_js *j)
{
	struct sl_cx_pending *p = NULL;
	struct sl_js_pos pos;

	sl_js_export_acked(j->x, &pos);
	while (sl_cx_pending_first_after(j->store, j, j->recipient, pos.seg, pos.off, j->have_last ? &j->last : NULL,
					 &p) == 0 && p) {
		int rc = j->account(j->data, p);

		if (!rc) {
			j->last = (struct sl_cx_pending_key){ .seg = p->b.seg_no, .off = p->b.offset };
			j->have_last = true;
			if (j->n_done == DONE_MAX)
				flush_done(j);
			j->done[j->n_done++] = j->last;
		}
		talloc_free(p);
		if (rc < 0)
			break;
		if (j->n_pending)
			j->n_pending--;
		j->accounted++;
	}
	update_counters(j);
}

void sl_daemon_js_poll(struct sl_daemon_js *j)
{
	if (!j)
		return;
	settle(j);
	if (j->n_done)
		flush_done(j);
}

int sl_daemon_js_prepare(struct sl_daemon_js *j, const struct sl_cx_batch *b, enum sl_consent_purpose purpose,
			 int64_t time_us, char **err)
{
	int rc = sl_cx_pending_add_removing(j->store, b, purpose, time_us, j->done, j->n_done, err);

	if (!rc)
		j->n_done = 0;
	return rc;
}

static int acked_cb(struct osmo_fd *ofd, unsigned what)
{
	settle(ofd->data);
	return 0;
}

static int js_destructor(struct sl_daemon_js *j)
{
	if (j->ofd.fd >= 0)
		osmo_fd_unregister(&j->ofd);
	return 0;
}

/*
 * At start: a pending row whose batch is not in the outbox (a crash after
 * the row was committed and before the batch's bytes were all written) is
 * removed; its records were never durable, so they are neither published
 * as a whole batch nor accounted.
 */
static int check_row(void *data, struct sl_cx_pending *p)
{
	struct sl_daemon_js *j = ((void **)data)[0];
	const char *dir = ((void **)data)[1];

	/* a credited row was acknowledged, so its batch was in the outbox: only uncredited ones are checked */
	if (!p->credited && sl_cx_pending_in_outbox(dir, p) == 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: batch %s is not in the outbox as recorded (a stop "
					  "while it was written): not accounted\n", j->recipient, p->b.batch_id);
		sl_cx_pending_remove(j->store, p->b.recipient, p->b.seg_no, p->b.offset);
	}
	return 0;
}

struct sl_daemon_js *sl_daemon_js_open(void *ctx, const struct sl_daemon_consent_js_cfg *cfg, const char *dir,
				       const char *recipient, struct rate_ctr_group *ctrs, struct sl_consent_store *store,
				       sl_daemon_js_account_cb account, void *data)
{
	struct sl_daemon_js *j = talloc_zero(ctx, struct sl_daemon_js);
	struct sl_js_export_cfg xc = {
		.url = cfg->url, .stream = cfg->stream, .subject_prefix = cfg->subject_prefix,
		.gateway_id = cfg->gateway_id, .creds_file = cfg->creds_file, .tls_ca = cfg->tls_ca,
		.tls_cert = cfg->tls_cert, .tls_key = cfg->tls_key, .tls_verify_name = cfg->tls_verify_name,
		.dup_window_s = cfg->dup_window_s,
		.max_pending = cfg->max_pending, .ack_wait_ms = cfg->ack_wait_s * 1000u,
	};
	void *chk[2] = { j, (void *)dir };
	char *err = NULL;

	if (!j)
		return NULL;
	j->ofd.fd = -1;
	talloc_set_destructor(j, js_destructor);
	j->recipient = talloc_strdup(j, recipient);
	j->ctrs = ctrs;
	j->store = store;
	j->account = account;
	j->data = data;
	j->drain_s = cfg->drain_s;
	if (sl_cx_pending_foreach(store, recipient, check_row, chk) < 0 ||
	    sl_cx_pending_count(store, recipient, &j->n_pending) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: cannot read the pending JetStream batches\n", recipient);
		talloc_free(j);
		return NULL;
	}
	j->x = sl_js_export_open(j, &xc, dir, recipient, &err);
	if (!j->x) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: %s\n", recipient, err ? err : "jetstream: cannot start");
		talloc_free(j);
		return NULL;
	}
	osmo_fd_setup(&j->ofd, sl_js_export_fd(j->x), OSMO_FD_READ, acked_cb, j, 0);
	if (osmo_fd_register(&j->ofd) < 0) {
		j->ofd.fd = -1;
		talloc_free(j);
		return NULL;
	}
	LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: publishing to JetStream stream %s, %u batches pending from "
				   "before\n", recipient, cfg->stream, j->n_pending);
	/* batches the saved cursor already passed (acknowledged before a stop or crash) are accounted now */
	settle(j);
	return j;
}

void sl_daemon_js_batch(struct sl_daemon_js *j, const struct sl_cx_batch *b)
{
	j->n_pending++;
	sl_js_export_durable(j->x, b->seg_no, b->offset + b->len);
}

void sl_daemon_js_stop(struct sl_daemon_js *j)
{
	if (!j)
		return;
	if (!sl_js_export_drain(j->x, j->drain_s * 1000u))
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: JetStream did not acknowledge everything within %u s: "
					  "they stay in the outbox and pending for the next start\n",
		     j->recipient, j->drain_s);
	settle(j);
	flush_done(j);
	if (j->n_pending)
		LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: %u batches pending (accounted when acknowledged "
					   "after the next start)\n", j->recipient, j->n_pending);
	talloc_free(j);
}

void sl_daemon_js_show(struct sl_daemon_js *j, struct vty *vty)
{
	struct sl_js_export_stats st;

	sl_js_export_stats(j->x, &st);
	vty_out(vty, " jetstream: %s, %" PRIu64 " records acknowledged (%" PRIu64 " duplicates), %" PRIu64
		     " published, %" PRIu64 " retries, cursor %06u:%" PRIu64 ", %u batches awaiting acknowledgement, "
		     "%" PRIu64 " lines rejected, %" PRIu64 " failed connections%s%s%s",
		st.connected ? "connected" : "not connected", st.acked, st.duplicates, st.published, st.retries,
		st.acked_pos.seg, st.acked_pos.lines, j->n_pending, st.rejected, st.connect_failures,
		st.last_error[0] ? ", last error: " : "", st.last_error, VTY_NEWLINE);
}
