/*
 * One chunk of outbox lines published to JetStream and its
 * acknowledgements waited for (consent_js_export_int.h, docs/exports.md
 * "Delivery", "Threads"). Each line is published asynchronously with its
 * message id; the library's acknowledgement handler (on_ack, with
 * the connection's other callbacks in consent_js_conn.c) counts, for the
 * chunk in flight only, successes, duplicates and errors. The
 * waits after the publishes share one deadline of ack_wait_ms and are
 * taken in slices of at most 100 ms, so that a stop, or the library
 * closing the connection, is seen within one slice; a failure drops what
 * is still pending (the worker publishes the whole chunk again).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mediation/consent/consent_js_export_int.h"

/* Drops every publish still waiting for its acknowledgement (they will be sent again). */
static void drop_pending(struct sl_js_export *x)
{
	natsMsgList l;

	if (js_PublishAsyncGetPendingList(&l, x->js) == NATS_OK)
		natsMsgList_Destroy(&l);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A stop, or the library closed the connection for good (an expired or revoked user): no acknowledgement will come. */
static bool abandoned(struct sl_js_export *x)
{
	bool stop;

	pthread_mutex_lock(&x->mu);
	stop = x->stop || x->closed;
	pthread_mutex_unlock(&x->mu);
	return stop;
}

/*
 * Publishes the n lines of buf (record lines lines+1 ...): true when every
 * one was acknowledged. Everything after the publishes (the library's
 * completion, then the handler's counting) shares one deadline of
 * ack_wait_ms, waited in slices of at most 100 ms so that a stop, or the
 * library closing the connection, is seen within one slice.
 */
bool sl_js_publish_chunk(struct sl_js_export *x, const char *buf, size_t len, unsigned n, const struct sl_js_pos *pos)
{
	const char *p = buf, *end = buf + len;
	char id[SL_JS_MSG_ID_MAX];
	jsPubOptions po;
	natsStatus s = NATS_OK, c;
	unsigned i, sent = 0;
	const char *what = "publish";
	int64_t deadline, stall_until;

	atomic_store(&x->chunk_hi, 0);
	atomic_store(&x->ack_ok, 0);
	atomic_store(&x->ack_err, 0);
	atomic_store(&x->ack_dup, 0);
	atomic_store(&x->chunk_seg, pos->seg);
	atomic_store(&x->chunk_lo, pos->lines + 1);
	atomic_store(&x->chunk_hi, pos->lines + n);
	for (i = 0; i < n && s == NATS_OK; i++) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		natsMsg *m = NULL;

		if (!lf || sl_js_msg_id(id, sizeof(id), x->cfg.gateway_id, x->recipient, pos->seg, pos->lines + i + 1)) {
			/* what was sent is still waited for (or dropped) below, like any other failure */
			s = NATS_ERR;
			what = "message id";
			break;
		}
		/*
		 * max_pending outstanding: the library waits STALL_MS for room, then
		 * refuses; a fresh message is tried again until ack_wait or a stop
		 */
		stall_until = mono_ms() + x->cfg.ack_wait_ms;
		do {
			natsMsg_Destroy(m);
			m = NULL;
			s = natsMsg_Create(&m, x->subject, NULL, p, (int)(lf - p));
			jsPubOptions_Init(&po);
			po.MsgId = id;
			if (s == NATS_OK)
				s = js_PublishMsgAsync(x->js, &m, &po);
		} while (s == NATS_TIMEOUT && mono_ms() < stall_until && !abandoned(x));
		natsMsg_Destroy(m);
		if (s == NATS_OK)
			sent++;
		p = lf + 1;
	}
	pthread_mutex_lock(&x->mu);
	x->st.published += sent;
	pthread_mutex_unlock(&x->mu);
	if (s != NATS_OK)
		sl_js_set_error(x, what, s);
	deadline = mono_ms() + x->cfg.ack_wait_ms;
	for (;;) {
		int64_t left = deadline - mono_ms();

		jsPubOptions_Init(&po);
		po.MaxWait = left < 1 ? 1 : left > 100 ? 100 : left;
		c = js_PublishAsyncComplete(x->js, &po);
		if (c != NATS_TIMEOUT || left <= 100 || abandoned(x))
			break;
	}
	if (c != NATS_OK) {
		drop_pending(x);
		atomic_store(&x->chunk_hi, 0);
		if (s == NATS_OK)
			sl_js_set_error(x, "acknowledgements", NATS_TIMEOUT);
		return false;
	}
	/* the handler may run just after the pending count drops: wait for it to have counted every one */
	while (atomic_load(&x->ack_ok) + atomic_load(&x->ack_err) < sent && mono_ms() < deadline && !abandoned(x))
		usleep(1000);
	atomic_store(&x->chunk_hi, 0);
	if (s != NATS_OK || atomic_load(&x->ack_err) || atomic_load(&x->ack_ok) != n) {
		if (s == NATS_OK)
			sl_js_set_error(x, "acknowledgements", NATS_ERR);
		return false;
	}
	pthread_mutex_lock(&x->mu);
	x->st.acked += n;
	x->st.duplicates += atomic_load(&x->ack_dup);
	pthread_mutex_unlock(&x->mu);
	return true;
}
