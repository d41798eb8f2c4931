/*
 * The data path of a link: records in flight, batches, control PDUs at
 * PDU boundaries, TCP-ack tracking through the kernel, and release.
 *
 * Records are read from the spool into a ring (ids contiguous from the
 * release point) and copied into a batch of at most one TLS record's
 * worth (16 KiB; 64 KiB on plain TCP); a record larger than that is
 * written alone, straight from its buffer. A batch always starts at a PDU
 * boundary, and a due keep-alive or pDUAcknowledgementRequest is put at
 * the front of the next batch, ahead of the backlog. Before building a
 * batch the kernel's not-yet-sent queue (SIOCOUTQNSD) is checked against
 * TCP_NOTSENT_LOWAT so the backlog waits here, where a keep-alive can
 * overtake it, rather than in the socket.
 *
 * When a batch has been handed to the kernel completely, each record in it
 * is stamped with the connection's byte count at that moment (ciphertext
 * for TLS: counted under SSL by the BIO). A record is TCP-acked when
 * bytes_written - SIOCOUTQ has reached its stamp.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/link_int.h"

static void ctr_add(struct sl_link *l, unsigned idx, uint64_t n)
{
	rate_ctr_add(rate_ctr_group_get_ctr(l->ctrs, idx), n > INT32_MAX ? INT32_MAX : (int)n);
}

struct sl_link_ent *sl_link_ent(struct sl_link *l, uint64_t id)
{
	return &l->ring[(l->ring_head + (id - l->head_id)) & (l->ring_cap - 1)];
}

static uint64_t tail_id(const struct sl_link *l)
{
	return l->head_id + l->n; /* one past the newest entry */
}

static int ring_grow(struct sl_link *l)
{
	uint64_t cap = l->ring_cap ? l->ring_cap * 2 : 1024, i;
	struct sl_link_ent *r = talloc_zero_array(l, struct sl_link_ent, cap);

	if (!r)
		return -ENOMEM;
	for (i = 0; i < l->n; i++)
		r[i] = l->ring[(l->ring_head + i) & (l->ring_cap - 1)];
	talloc_free(l->ring);
	l->ring = r;
	l->ring_cap = cap;
	l->ring_head = 0;
	return 0;
}

/* Read the next committed record into the ring; false if none (or the in-flight cap is reached). */
static bool read_more(struct sl_link *l)
{
	struct sl_spool_rec *rec;
	struct sl_link_ent *e;
	int rc;

	if (l->n && l->ents_bytes >= l->cfg.max_inflight_bytes)
		return false;
	if (l->n == l->ring_cap && ring_grow(l) < 0)
		return false;
	rc = sl_spool_cursor_next(l->cursor, l, &rec);
	if (rc <= 0) {
		if (rc < 0) {
			/* Stop rather than skip: the operator must look at the spool. */
			rate_ctr_inc2(l->ctrs, SL_LINK_CTR_SPOOL_ERROR);
			snprintf(l->last_error, sizeof(l->last_error), "spool read failed at record %" PRIu64 ": %s",
				 sl_spool_cursor_pos(l->cursor), strerror(-rc));
		}
		return false;
	}
	if (!l->n)
		l->head_id = rec->id;
	OSMO_ASSERT(rec->id == tail_id(l));
	l->n++;
	e = sl_link_ent(l, rec->id);
	*e = (struct sl_link_ent){ .rec = rec };
	l->ents_bytes += rec->len;
	return true;
}

/* Pop the oldest entry; its record is returned for the caller to release and free. */
static struct sl_spool_rec *pop_head(struct sl_link *l)
{
	struct sl_link_ent *e = sl_link_ent(l, l->head_id);
	struct sl_spool_rec *rec = e->rec;

	if (e->tcp_acked)
		l->acked_bytes -= rec->len;
	l->ents_bytes -= rec->len;
	*e = (struct sl_link_ent){ 0 };
	l->ring_head = (l->ring_head + 1) & (l->ring_cap - 1);
	l->head_id++;
	l->n--;
	if (l->next_send_id < l->head_id)
		l->next_send_id = l->head_id;
	if (l->ack_next_id < l->head_id)
		l->ack_next_id = l->head_id;
	return rec;
}

/* Release every entry up to and including id (which must be held). */
static void release_upto(struct sl_link *l, uint64_t id)
{
	struct sl_spool_rec *last = NULL;
	uint64_t n = 0;

	while (l->n && l->head_id <= id) {
		talloc_free(last);
		last = pop_head(l);
		n++;
	}
	if (last) {
		sl_spool_release(l->spool, last);
		talloc_free(last);
		ctr_add(l, SL_LINK_CTR_RECORDS_RELEASED, n);
	}
}

void sl_link_ents_free(struct sl_link *l)
{
	while (l->n)
		talloc_free(pop_head(l));
}

void sl_link_conn_reset(struct sl_link *l)
{
	uint64_t id;

	for (id = l->head_id; id < tail_id(l); id++) {
		struct sl_link_ent *e = sl_link_ent(l, id);

		e->written = false;
		e->tcp_acked = false;
		e->wire_end = 0;
	}
	l->next_send_id = l->ack_next_id = l->head_id;
	if (!l->n)
		l->next_send_id = l->ack_next_id = sl_spool_cursor_pos(l->cursor);
	l->acked_bytes = 0;
	l->last_placed_id = 0;
	l->batch_busy = false;
	l->batch_len = l->batch_off = 0;
	l->ka_due = l->ka_outstanding = false;
	l->ackreq_due = false;
	l->n_ackreqs = 0;
}

/* Bytes handed to the kernel on this connection (ciphertext for TLS). */
static uint64_t wire_count(const struct sl_link *l)
{
	return l->tr ? sl_transport_wire_out(l->tr) : 0;
}

void sl_link_check_acked(struct sl_link *l)
{
	uint64_t acked, wire = wire_count(l);
	int outq = 0;

	if (sl_link_st(l) != SL_LINK_UP || !l->tr)
		return;
	if (ioctl(sl_transport_fd(l->tr), SIOCOUTQ, &outq) < 0 || outq < 0 || (uint64_t)outq > wire)
		return;
	acked = wire - (uint64_t)outq;
	while (l->ack_next_id < tail_id(l)) {
		struct sl_link_ent *e = sl_link_ent(l, l->ack_next_id);

		if (!e->written || e->wire_end > acked)
			break;
		e->tcp_acked = true;
		l->acked_bytes += e->rec->len;
		l->ack_next_id++;
	}
	if (l->use_pdu_ack)
		return;
	/* Keep the newest resend_window_bytes of TCP-acked records; release what is older. */
	{
		uint64_t upto = 0, kept = l->acked_bytes, id;

		for (id = l->head_id; id < l->ack_next_id; id++) {
			uint32_t len = sl_link_ent(l, id)->rec->len;

			if (kept - len < l->cfg.resend_window_bytes)
				break;
			kept -= len;
			upto = id;
		}
		if (upto)
			release_upto(l, upto);
	}
}

void sl_link_ack_response(struct sl_link *l, uint64_t seq)
{
	uint64_t covers = 0;
	unsigned i, k = 0;
	bool found = false;

	for (i = 0; i < l->n_ackreqs; i++)
		if (l->ackreqs[i].seq == seq) {
			covers = l->ackreqs[i].covers_id;
			found = true;
			k = i + 1;
		}
	if (!found) {
		LOGPFSML(l->fi, LOGL_NOTICE, "pDUAcknowledgementResponse %" PRIu64 " matches no request\n", seq);
		return;
	}
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_ACK_RESPONSE);
	memmove(l->ackreqs, l->ackreqs + k, (l->n_ackreqs - k) * sizeof(l->ackreqs[0]));
	l->n_ackreqs -= k;
	sl_link_timer_stop(l, SL_LINK_TIMER_TIME5);
	if (l->n_ackreqs) {
		int64_t left = l->ackreqs[0].sent_ms + sl_link_T_ms(l, SL_LINK_T_TIME5) - sl_spool_now_ms();

		sl_link_timer_start_ms(l, SL_LINK_TIMER_TIME5, left > 0 ? (unsigned)left : 0);
	} else if (l->ackreq_due) {
		/* a request is due but not yet out: its TIME5 runs from now */
		sl_link_timer_start(l, SL_LINK_TIMER_TIME5);
	}
	if (covers)
		release_upto(l, covers);
}

/* Prepend a control PDU to the (empty-so-far) batch. */
static bool add_control(struct sl_link *l, int (*make)(void *, struct sl_ber_w *, uint64_t), uint64_t seq,
			const char *what)
{
	uint8_t buf[SL_LINK_CTRL_MAX];
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	sl_ber_w_init(&w, buf, sizeof(buf));
	if (!make || make(l->ops.priv, &w, seq) < 0 || !sl_ber_w_result(&w, &p, &n) ||
	    n > l->batch_cap - l->batch_len) {
		LOGPFSML(l->fi, LOGL_ERROR, "cannot encode %s %" PRIu64 "\n", what, seq);
		return false;
	}
	memcpy(l->batch_buf + l->batch_len, p, n);
	l->batch_len += n;
	return true;
}

static void build_batch(struct sl_link *l)
{
	l->batch_len = l->batch_off = 0;
	l->batch_count = 0;
	l->batch_first_id = l->next_send_id;
	l->batch_ptr = l->batch_buf;
	if (l->ka_due) {
		l->ka_due = false;
		if (add_control(l, l->ops.make_keepalive, l->ka_seq, "keep-alive"))
			rate_ctr_inc2(l->ctrs, SL_LINK_CTR_KEEPALIVE_SENT);
	}
	if (l->ackreq_due && l->n_ackreqs < SL_LINK_MAX_ACKREQ) {
		l->ackreq_due = false;
		if (add_control(l, l->ops.make_ack_request, l->ack_seq, "pDUAcknowledgementRequest")) {
			l->ackreqs[l->n_ackreqs++] = (struct sl_link_ackreq){
				.seq = l->ack_seq, .covers_id = l->last_placed_id, .sent_ms = sl_spool_now_ms()
			};
			l->ack_seq++;
			rate_ctr_inc2(l->ctrs, SL_LINK_CTR_ACK_REQUEST_SENT);
			if (!sl_link_timer_pending(l, SL_LINK_TIMER_TIME5))
				sl_link_timer_start(l, SL_LINK_TIMER_TIME5);
		}
	}
	while (1) {
		struct sl_link_ent *e;

		if (l->next_send_id == tail_id(l) && !read_more(l))
			break;
		e = sl_link_ent(l, l->next_send_id);
		if (e->rec->len > l->batch_cap - l->batch_len) {
			if (l->batch_len)
				break;
			/* Larger than a batch: written alone, from its own buffer. */
			l->batch_ptr = e->rec->data;
			l->batch_len = e->rec->len;
			l->batch_count = 1;
			l->last_placed_id = l->next_send_id++;
			break;
		}
		memcpy(l->batch_buf + l->batch_len, e->rec->data, e->rec->len);
		l->batch_len += e->rec->len;
		l->batch_count++;
		l->last_placed_id = l->next_send_id++;
	}
	l->batch_busy = l->batch_len > 0;
}

/* Data went out: TIME1 starts again (clause 6.3.4). */
static void sent_something(struct sl_link *l)
{
	if (sl_link_T_ms(l, SL_LINK_T_TIME1))
		sl_link_timer_start(l, SL_LINK_TIMER_TIME1);
}

static void batch_done(struct sl_link *l)
{
	uint64_t wire = wire_count(l), id;
	unsigned resent = 0;

	for (id = l->batch_first_id; id < l->batch_first_id + l->batch_count; id++) {
		struct sl_link_ent *e = sl_link_ent(l, id);

		e->written = true;
		e->wire_end = wire;
		if (e->sent_before)
			resent++;
		e->sent_before = true;
	}
	ctr_add(l, SL_LINK_CTR_RECORDS_SENT, l->batch_count);
	ctr_add(l, SL_LINK_CTR_BYTES_SENT, l->batch_len);
	if (resent)
		ctr_add(l, SL_LINK_CTR_RECORDS_RESENT, resent);
	l->batch_busy = false;
	sent_something(l);
}

/*
 * Write what is left of the batch: 1 progress (all or part of it), -EAGAIN
 * blocked (want_write: poll for writability), -EPIPE failed (the link has
 * been failed).
 */
static int write_batch(struct sl_link *l, bool *want_write)
{
	size_t n;
	enum sl_tr_res r = sl_transport_write(l->tr, l->batch_ptr + l->batch_off, l->batch_len - l->batch_off, &n);

	if (sl_tr_would_block(r)) {
		*want_write = r == SL_TR_WANT_WRITE;
		return -EAGAIN;
	}
	if (r != SL_TR_OK) {
		sl_link_fail_tr(l, r);
		return -EPIPE;
	}
	l->batch_off += n;
	if (l->batch_off < l->batch_len) {
		sent_something(l);
		return 1;
	}
	batch_done(l);
	return 1;
}

static bool kernel_backlogged(struct sl_link *l)
{
	int notsent = 0;

	return ioctl(sl_transport_fd(l->tr), SIOCOUTQNSD, &notsent) == 0 && notsent >= (int)l->cfg.notsent_lowat;
}

void sl_link_pump(struct sl_link *l)
{
	bool want_write = false;

	if (sl_link_st(l) != SL_LINK_UP || l->in_pump)
		return;
	l->in_pump = true;
	while (1) {
		if (!l->batch_busy) {
			if (kernel_backlogged(l)) {
				want_write = true;
				break;
			}
			build_batch(l);
			if (!l->batch_busy)
				break;
		}
		if (write_batch(l, &want_write) < 0)
			break;
	}
	if (sl_link_st(l) != SL_LINK_UP)
		return; /* failed while writing: the connection is gone */
	l->in_pump = false;
	osmo_fd_update_when(&l->ofd, ~OSMO_FD_WRITE, want_write ? OSMO_FD_WRITE : 0);
	sl_link_check_acked(l);
	if (l->ack_next_id < l->next_send_id && !sl_link_timer_pending(l, SL_LINK_TIMER_POLL))
		sl_link_timer_start(l, SL_LINK_TIMER_POLL);
}
