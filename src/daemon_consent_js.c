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
 * Lines path does at durability. Pending batches are capped
 * (pending_batches); past the cap a batch is accounted at durability and
 * counted, its records still delivered from the outbox.
 */
#include <inttypes.h>
#include <string.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_js_export.h"
#include "src/daemon_consent_js.h"

struct pending_batch {
	struct llist_head list;
	unsigned seg;
	uint64_t end;
	struct sl_cx_batch b;		/* a deep copy, children of this */
};

struct sl_daemon_js {
	struct sl_js_export *x;
	struct osmo_fd ofd;
	struct llist_head pending;
	unsigned n_pending, max_pending, drain_s;
	uint64_t overflow, accounted;
	char *recipient;
	struct rate_ctr_group *ctrs;
	struct sl_js_export_stats seen;	/* what the counters already hold */
	char logged_error[sizeof(((struct sl_js_export_stats *)0)->last_error)];	/* the publisher's last error logged */
	bool connected_since_error;	/* a connection succeeded after the error logged last */
	sl_daemon_js_account_cb account;
	void *data;
};

static struct pending_batch *copy_batch(void *ctx, const struct sl_cx_batch *b)
{
	struct pending_batch *p = talloc_zero(ctx, struct pending_batch);
	const char **subj, **ids;
	unsigned *counts, i;

	if (!p)
		return NULL;
	p->seg = b->seg_no;
	p->end = b->offset + b->len;
	p->b = *b;
	p->b.recipient = talloc_strdup(p, b->recipient);
	p->b.batch_id = talloc_strdup(p, b->batch_id);
	p->b.segment = talloc_strdup(p, b->segment);
	p->b.digest = talloc_strdup(p, b->digest);
	subj = talloc_zero_array(p, const char *, b->n_subjects + 1);
	ids = talloc_zero_array(p, const char *, b->n_subjects + 1);
	counts = talloc_zero_array(p, unsigned, b->n_subjects + 1);
	if (!subj || !ids || !counts) {
		talloc_free(p);
		return NULL;
	}
	for (i = 0; i < b->n_subjects; i++) {
		subj[i] = talloc_strdup(p, b->subjects[i]);
		ids[i] = b->identities && b->identities[i] ? talloc_strdup(p, b->identities[i]) : NULL;
		counts[i] = b->counts ? b->counts[i] : 0;
	}
	p->b.subjects = subj;
	p->b.identities = b->identities ? ids : NULL;
	p->b.counts = b->counts ? counts : NULL;
	return p;
}

void sl_daemon_js_poll(struct sl_daemon_js *j)
{
	struct sl_js_export_stats st;

	if (!j)
		return;
	sl_js_export_stats(j->x, &st);
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_ACKED), (int)(st.acked - j->seen.acked));
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_DUPLICATES), (int)(st.duplicates - j->seen.duplicates));
	rate_ctr_add(rate_ctr_group_get_ctr(j->ctrs, SL_CX_CTR_JS_RETRIES), (int)(st.retries - j->seen.retries));
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

/* Accounts every pending batch that the acknowledged cursor has passed, in order. */
static void settle(struct sl_daemon_js *j)
{
	struct pending_batch *p, *tmp;
	struct sl_js_pos pos;

	sl_js_export_acked(j->x, &pos);
	llist_for_each_entry_safe(p, tmp, &j->pending, list) {
		if (sl_js_pos_before(&pos, p->seg, p->end))
			break;
		llist_del(&p->list);
		j->n_pending--;
		j->accounted++;
		j->account(j->data, &p->b);
		talloc_free(p);
	}
	sl_daemon_js_poll(j);
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

struct sl_daemon_js *sl_daemon_js_open(void *ctx, const struct sl_daemon_consent_js_cfg *cfg, const char *dir,
				       const char *recipient, struct rate_ctr_group *ctrs,
				       sl_daemon_js_account_cb account, void *data)
{
	struct sl_daemon_js *j = talloc_zero(ctx, struct sl_daemon_js);
	struct sl_js_export_cfg xc = {
		.url = cfg->url, .stream = cfg->stream, .subject_prefix = cfg->subject_prefix,
		.gateway_id = cfg->gateway_id, .creds_file = cfg->creds_file, .tls_ca = cfg->tls_ca,
		.tls_cert = cfg->tls_cert, .tls_key = cfg->tls_key, .dup_window_s = cfg->dup_window_s,
		.max_pending = cfg->max_pending,
	};
	char *err = NULL;

	if (!j)
		return NULL;
	INIT_LLIST_HEAD(&j->pending);
	j->ofd.fd = -1;
	talloc_set_destructor(j, js_destructor);
	j->recipient = talloc_strdup(j, recipient);
	j->ctrs = ctrs;
	j->account = account;
	j->data = data;
	j->max_pending = cfg->pending_batches ? cfg->pending_batches : 4096;
	j->drain_s = cfg->drain_s;
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
	LOGP(DSLSRC, LOGL_NOTICE, "consent: recipient %s: publishing to JetStream stream %s\n", recipient,
	     cfg->stream);
	return j;
}

int sl_daemon_js_batch(struct sl_daemon_js *j, const struct sl_cx_batch *b)
{
	struct pending_batch *p = j->n_pending < j->max_pending ? copy_batch(j, b) : NULL;
	int rc = 0;

	if (!p) {
		/* accounted now; its records still go out from the outbox */
		rate_ctr_inc2(j->ctrs, SL_CX_CTR_JS_EARLY);
		if (!j->overflow++)
			LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: more than %u batches await JetStream "
						  "acknowledgements: accounting at durability from now on\n",
			     j->recipient, j->max_pending);
		rc = j->account(j->data, b);
	} else {
		llist_add_tail(&p->list, &j->pending);
		j->n_pending++;
	}
	sl_js_export_durable(j->x, b->seg_no, b->offset + b->len);
	return rc;
}

void sl_daemon_js_stop(struct sl_daemon_js *j)
{
	if (!j)
		return;
	if (!sl_js_export_drain(j->x, j->drain_s * 1000u))
		LOGP(DSLSRC, LOGL_ERROR, "consent: recipient %s: JetStream did not acknowledge everything within %u s: "
					  "%u batches stay in the outbox for the next start, not audited\n",
		     j->recipient, j->drain_s, j->n_pending);
	settle(j);
	talloc_free(j);
}

void sl_daemon_js_show(struct sl_daemon_js *j, struct vty *vty)
{
	struct sl_js_export_stats st;

	sl_js_export_stats(j->x, &st);
	vty_out(vty, " jetstream: %s, %" PRIu64 " records acknowledged (%" PRIu64 " duplicates), %" PRIu64
		     " published, %" PRIu64 " retries, cursor %06u:%" PRIu64 ", %u batches awaiting acknowledgement, "
		     "%" PRIu64 " accounted early, %" PRIu64 " failed connections%s%s%s",
		st.connected ? "connected" : "not connected", st.acked, st.duplicates, st.published, st.retries,
		st.acked_pos.seg, st.acked_pos.lines, j->n_pending, j->overflow, st.connect_failures,
		st.last_error[0] ? ", last error: " : "", st.last_error, VTY_NEWLINE);
}
