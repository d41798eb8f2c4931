/*
 * One recipient's export accounting in sluiced (daemon_consent_js.h,
 * docs/exports.md, docs/ARCHITECTURE.md "The JetStream export").
 *
 * Every batch is recorded as pending in the consent database
 * (mediation/consent/consent_js_pending.h) before consent_export.c writes
 * its bytes to the JSON Lines segment, and accounted (value ledger, then
 * export.batch audit record) once it is delivered: with JetStream, when
 * the publisher's thread has every record acknowledged (it moves its
 * cursor and wakes the select loop through its eventfd); JSON Lines only,
 * as soon as the segment is fsynced, the file being the delivery. So a
 * stop, crash or power loss at any point neither loses a batch's
 * accounting nor accounts a batch twice, nor leaves bytes of a batch
 * nobody accounted where a reader or the publisher would take them:
 * at start, a row whose batch is not in its segment as recorded is a
 * batch the crash cut short, and the segment is cut back to where it
 * began. Memory holds no pending batch.
 */
#include <errno.h>
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
#include "mediation/consent/consent_js_outbox.h"
#include "mediation/consent/consent_js_pending.h"
#include "src/daemon_consent_js.h"

#define DONE_MAX 256	/* accounted rows awaiting removal */
#define DEAD_MAX 16	/* rows of batches that failed to write whose removal failed too */

struct sl_daemon_js {
	struct sl_js_export *x;		/* NULL: JSON Lines only (delivered when durable) */
	unsigned dseg;			/* JSON Lines only: the outbox is durable up to segment dseg, byte doff */
	uint64_t doff;
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
	/*
	 * Rows of batches whose write failed (cut from the segment) and whose
	 * removal failed as well: never accounted, skipped when settle()
	 * reaches them, removed with the done ones (and at the next start,
	 * which finds them not in the outbox).
	 */
	struct sl_cx_pending_key dead[DEAD_MAX];
	unsigned n_dead;
	bool refusing;			/* the dead list is full: prepare refuses every batch until a restart */
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

	if (!j->x)
		return;
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

/* p is a dead row (above): taken off the list, reported done without accounting */
static bool is_dead(struct sl_daemon_js *j, const struct sl_cx_pending *p)
{
	unsigned i;

	for (i = 0; i < j->n_dead; i++) {
		if (j->dead[i].seg == p->b.seg_no && j->dead[i].off == p->b.offset) {
			j->dead[i] = j->dead[--j->n_dead];
			return true;
		}
	}
	return false;
}

/*
 * Accounts every pending batch that the acknowledged cursor (JSON Lines
 * only: the durable end of the outbox) has passed, in
 * order, loading them from the database one at a time (only the keys of
 * rows accounted and not yet removed stay in memory). A batch whose
 * accounting fails stays pending and is tried again at the next
 * acknowledgement or tick.
 */
static void settle(struct sl_daemon_js *j)
{
	struct sl_cx_pending *p = NULL;
	struct sl_js_pos pos = { .seg = j->dseg, .off = j->doff };

	if (j->x)
		sl_js_export_acked(j->x, &pos);
	while (sl_cx_pending_first_after(j->store, j, j->recipient, pos.seg, pos.off, j->have_last ? &j->last : NULL,
					 &p) == 0 && p) {
		int rc = is_dead(j, p) ? 0 : j->account(j->data, p);

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
	int rc;

	if (j->refusing) {
		*err = talloc_strdup(j, "rows of failed batches could not be removed; restart sluiced to repair them");
		return -EIO;
	}
	rc = sl_cx_pending_add_removing(j->store, b, purpose, time_us, j->done, j->n_done, err);
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
 * At start: a pending row whose batch is not in the outbox as recorded
 * (length and digest) was being written when the process or the machine
 * stopped. Its records were never durable, so they are neither delivered
 * nor accounted: the row is removed, and whatever part of the batch did
 * reach the segment is cut off (a power loss can leave whole lines of
 * it, which a reader or the publisher would otherwise take as exported).
 */
static int check_row(void *data, struct sl_cx_pending *p)
{
	struct sl_daemon_js *j = ((void **)data)[0];
	const char *dir = ((void **)data)[1];
	char want[SL_JS_NAME_MAX + 16];
	uint64_t cut = 0;
	int rc = 0;

	/* the segment named must be the recipient's numbered one: the row comes from a file others can edit */
	sl_js_segment_name(want, sizeof(want), j->recipient, p->b.seg_no);
	if (strcmp(p->b.segment, want)) {
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: pending batch %s names segment %s, not %s: the "
					  "consent database does not match the export directory %s\n",
		     j->recipient, p->b.batch_id, p->b.segment, want, dir);
		return -EINVAL;
	}
	/* a credited row was delivered, so its batch was in the outbox: only uncredited ones are checked */
	if (!p->credited)
		rc = sl_cx_pending_in_outbox(dir, p);
	if (rc < 0) {
		/* unreadable is not absent: cutting or accounting it now could destroy or credit a batch unseen */
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: batch %s: %s/%s cannot be read to check it (%s)\n",
		     j->recipient, p->b.batch_id, dir, p->b.segment, strerror(-rc));
		return rc;
	}
	if (p->credited || rc == 1) {
		/* in the outbox: delivered (JSON Lines only, settled at open up to the last of these) */
		if (p->b.seg_no > j->dseg || (p->b.seg_no == j->dseg && p->b.offset + p->b.len > j->doff)) {
			j->dseg = p->b.seg_no;
			j->doff = p->b.offset + p->b.len;
		}
		return 0;
	}
	rc = sl_cx_export_cut(dir, p->b.segment, p->b.offset, p->b.len, &cut);
	if (rc < 0) {
		/* the row stays, so the next start tries again; refusing to start keeps the bytes unpublished */
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: batch %s is not in %s/%s as recorded (a stop while "
					  "it was written) and the segment cannot be cut back to byte %" PRIu64 ": %s\n",
		     j->recipient, p->b.batch_id, dir, p->b.segment, p->b.offset,
		     rc == -EUCLEAN ? "it holds more than the batch could have written" : strerror(-rc));
		return rc;
	}
	LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: batch %s is not in %s/%s as recorded (a stop while it was "
				  "written): not delivered, not accounted; %" PRIu64 " bytes of it cut from the segment\n",
	     j->recipient, p->b.batch_id, dir, p->b.segment, cut);
	rc = sl_cx_pending_remove(j->store, p->b.recipient, p->b.seg_no, p->b.offset);
	if (rc < 0)
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: batch %s: its pending row cannot be removed (%s)\n",
		     j->recipient, p->b.batch_id, strerror(-rc));
	return rc;
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
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: cannot read or repair the pending batches\n", recipient);
		talloc_free(j);
		return NULL;
	}
	if (!cfg->url) {
		/*
		 * JSON Lines only: what check_row left is in the outbox, so delivered
		 * (it set dseg:doff to the end of the last of those rows): accounted
		 * now. Later rows are settled only as their batches are fsynced.
		 */
		if (j->n_pending)
			LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: %u batches written before a stop are accounted "
						   "now\n", recipient, j->n_pending);
		settle(j);
		return j;
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
	if (j->x) {
		sl_js_export_durable(j->x, b->seg_no, b->offset + b->len);
		return;
	}
	j->dseg = b->seg_no;
	j->doff = b->offset + b->len;
	settle(j);
}

void sl_daemon_js_abort(struct sl_daemon_js *j, const struct sl_cx_batch *b)
{
	int rc = sl_cx_pending_remove(j->store, b->recipient, b->seg_no, b->offset);

	if (!rc)
		return;
	LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s batch %s: its write failed and its pending row cannot be "
				  "removed (%s): %s\n", j->recipient, b->batch_id, strerror(-rc),
	     j->n_dead < DEAD_MAX ? "skipped, removed later"
				  : "too many such rows: nothing more is exported to this recipient until a restart");
	if (j->n_dead < DEAD_MAX)
		j->dead[j->n_dead++] = (struct sl_cx_pending_key){ .seg = b->seg_no, .off = b->offset };
	else
		j->refusing = true; /* a row it cannot remember could be accounted: no more batches */
}

void sl_daemon_js_stop(struct sl_daemon_js *j)
{
	if (!j)
		return;
	if (j->x && !sl_js_export_drain(j->x, j->drain_s * 1000u))
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: JetStream did not acknowledge everything within %u s: "
					  "they stay in the outbox and pending for the next start\n",
		     j->recipient, j->drain_s);
	settle(j);
	flush_done(j);
	if (j->n_pending)
		LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: %u batches pending (%s)\n", j->recipient, j->n_pending,
		     j->x ? "accounted when acknowledged after the next start"
			  : "accounted at the next start, or cut there if their write did not complete");
	talloc_free(j);
}

void sl_daemon_js_show(struct sl_daemon_js *j, struct vty *vty)
{
	struct sl_js_export_stats st;

	if (!j || !j->x)
		return;
	sl_js_export_stats(j->x, &st);
	vty_out(vty, " jetstream: %s, %" PRIu64 " records acknowledged (%" PRIu64 " duplicates), %" PRIu64
		     " published, %" PRIu64 " retries, cursor %06u:%" PRIu64 ", %u batches awaiting acknowledgement, "
		     "%" PRIu64 " lines rejected, %" PRIu64 " failed connections%s%s%s",
		st.connected ? "connected" : "not connected", st.acked, st.duplicates, st.published, st.retries,
		st.acked_pos.seg, st.acked_pos.lines, j->n_pending, st.rejected, st.connect_failures,
		st.last_error[0] ? ", last error: " : "", st.last_error, VTY_NEWLINE);
}
