/*
 * Dialog tracking: calls, registrations and page-mode messages, keyed by
 * SIP Call-ID, turned into lifecycle events.
 *
 * Calls follow an explicit state machine (sl_dlg_state): CALLING after the
 * initial INVITE, EARLY after a ringing 18x, CHALLENGED after 401/407 (the
 * caller usually retries with the next CSeq and the same Call-ID, which is
 * still the same call), CONFIRMED after a 2xx, DONE after BYE, CANCEL, a
 * final error or a timeout. Registrations and messages are single
 * transactions: PENDING until the final response, then DONE. The state
 * changes in one place, dlg_enter(), against a transition table that also
 * names each state's timer queue; a change the table does not allow is
 * refused, logged and counted (dialog:bad-transition, which the fuzz
 * targets require to stay 0).
 *
 * The same message is often seen more than once (retransmissions over UDP,
 * both sides of a proxy or SBC, "any"-interface captures). Each sighting is
 * a SIP event, but lifecycle events are emitted once per dialog; later
 * sightings only add identities (a proxy adds P-Asserted-Identity) and
 * media endpoints (an SBC rewrites SDP) to what is known.
 *
 * Timers run on packet time. Every state belongs to one timer queue with a
 * fixed timeout, so each queue is ordered by deadline and expiry only looks
 * at queue heads. Dialogs linger in DONE to absorb retransmissions and to
 * keep their media endpoints for trailing RTP, then are freed, which ends
 * their RTP streams. A full table evicts by evidence (evict_one): ended
 * dialogs, then unanswered ones, then answered ones, each oldest first.
 */
#include <inttypes.h>
#include <string.h>

#include "util/buckets.h"
#include <talloc.h>

#include "capture/capture_int.h"
#include "capture/dialog_int.h"
#include "util/hash.h"
#include "capture/log.h"
#include "capture/sip_body.h"

#define DEFAULT_REGISTER_EXPIRES 3600

const char *const sl_dlg_state_names[_SL_DS_COUNT] = {
	[SL_DS_NEW] = "new", [SL_DS_CALLING] = "calling", [SL_DS_EARLY] = "early", [SL_DS_CHALLENGED] = "challenged",
	[SL_DS_CONFIRMED] = "confirmed", [SL_DS_PENDING] = "pending", [SL_DS_DONE] = "done",
};

/* Eviction classes by evidence: what the far end never answered goes before what it did. */
enum evict_class { EV_UNANSWERED, EV_ANSWERED, _EV_COUNT };

struct sl_dialogs {
	struct sl_buckets table;
	struct llist_head queue[_SL_DQ_COUNT];
	struct llist_head evict[_EV_COUNT];	/* by class, oldest first */
	unsigned count;
	uint64_t next_id;
};

void sl_dialog_set_cc(struct sl_dialog *d, bool want)
{
	d->cc_wanted = want;
}

bool sl_dialog_wants_cc(const struct sl_dialog *d)
{
	return d->cc_wanted;
}

uint64_t sl_dialog_id(const struct sl_dialog *d)
{
	return d->id;
}

enum sl_comm_kind sl_dialog_kind(const struct sl_dialog *d)
{
	if (!d)
		return SL_COMM_NONE;
	switch (d->kind) {
	case SL_DLG_KIND_CALL:
		return SL_COMM_CALL;
	case SL_DLG_KIND_REGISTER:
		return SL_COMM_REGISTRATION;
	default:
		return SL_COMM_MESSAGE;
	}
}

struct sl_dialogs *sl_dialogs_alloc(struct sl_capture *cap)
{
	struct sl_dialogs *ds = talloc_zero(cap, struct sl_dialogs);
	int i;

	if (!ds)
		return NULL;
	if (!sl_buckets_init(ds, &ds->table, cap->cfg.max_dialogs)) {
		talloc_free(ds);
		return NULL;
	}
	for (i = 0; i < _SL_DQ_COUNT; i++)
		INIT_LLIST_HEAD(&ds->queue[i]);
	for (i = 0; i < _EV_COUNT; i++)
		INIT_LLIST_HEAD(&ds->evict[i]);
	return ds;
}

unsigned sl_dialogs_count(const struct sl_dialogs *ds)
{
	return ds->count;
}

static uint64_t queue_timeout(const struct sl_capture *cap, enum sl_dlg_queue q)
{
	switch (q) {
	case SL_DQ_INVITE:
		return cap->cfg.invite_timeout_us;
	case SL_DQ_SESSION:
		return cap->cfg.session_timeout_us;
	case SL_DQ_TRANSACTION:
		return cap->cfg.transaction_timeout_us;
	default:
		return cap->cfg.linger_us;
	}
}

static void queue_put(struct sl_capture *cap, struct sl_dialog *d, enum sl_dlg_queue q)
{
	d->q = (uint8_t)q;
	d->deadline_us = cap->now_us + queue_timeout(cap, q);
	llist_del(&d->qentry);
	llist_add_tail(&d->qentry, &cap->dialogs->queue[q]);
}

#define DS(s) (1u << (s))

/*
 * The dialog state machine: for each state, the timer queue a dialog in
 * it waits on, and the states it may be entered from (a new REGISTER
 * transaction may start while one is pending). A transaction or session
 * seen alive restarts the timer of the state it is in (dlg_refresh).
 */
static const struct {
	enum sl_dlg_queue q;
	uint32_t from;
} dlg_fsm[_SL_DS_COUNT] = {
	[SL_DS_NEW] = { SL_DQ_TRANSACTION, 0 },
	[SL_DS_CALLING] = { SL_DQ_INVITE, DS(SL_DS_NEW) | DS(SL_DS_CHALLENGED) },
	[SL_DS_EARLY] = { SL_DQ_INVITE, DS(SL_DS_CALLING) | DS(SL_DS_CHALLENGED) },
	[SL_DS_CHALLENGED] = { SL_DQ_TRANSACTION, DS(SL_DS_CALLING) | DS(SL_DS_EARLY) | DS(SL_DS_PENDING) },
	[SL_DS_CONFIRMED] = { SL_DQ_SESSION, DS(SL_DS_CALLING) | DS(SL_DS_EARLY) | DS(SL_DS_CHALLENGED) },
	[SL_DS_PENDING] = { SL_DQ_TRANSACTION, DS(SL_DS_NEW) | DS(SL_DS_PENDING) | DS(SL_DS_CHALLENGED) |
						DS(SL_DS_DONE) },
	[SL_DS_DONE] = { SL_DQ_LINGER, DS(SL_DS_NEW) | DS(SL_DS_CALLING) | DS(SL_DS_EARLY) | DS(SL_DS_CHALLENGED) |
				       DS(SL_DS_CONFIRMED) | DS(SL_DS_PENDING) },
};

/* The one place a dialog changes state: checked against dlg_fsm, then (re)queued on the state's timer. */
static bool dlg_enter(struct sl_capture *cap, struct sl_dialog *d, enum sl_dlg_state to)
{
	if (!(dlg_fsm[to].from & DS(d->state))) {
		sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_BAD_TRANSITION);
		LOGP(DSLDLG, LOGL_ERROR, "dialog %" PRIu64 ": refused state change %s -> %s\n", d->id,
		     sl_dlg_state_names[d->state], sl_dlg_state_names[to]);
		return false;
	}
	if (d->state != to)
		LOGP(DSLDLG, LOGL_DEBUG, "dialog %" PRIu64 ": %s -> %s\n", d->id, sl_dlg_state_names[d->state],
		     sl_dlg_state_names[to]);
	d->state = (uint8_t)to;
	queue_put(cap, d, dlg_fsm[to].q);
	return true;
}

/* The dialog's transaction or session is alive: restart the timer of its state. */
static void dlg_refresh(struct sl_capture *cap, struct sl_dialog *d)
{
	queue_put(cap, d, dlg_fsm[d->state].q);
}

static struct sl_dialog *dialog_find(struct sl_capture *cap, struct sl_str call_id)
{
	uint64_t h = sl_hash(call_id.p, call_id.len);
	struct sl_dialog *d;

	hlist_for_each_entry(d, sl_buckets_head(&cap->dialogs->table, h), hnode)
		if (d->hash == h && d->call_id_len == call_id.len && memcmp(d->call_id, call_id.p, call_id.len) == 0)
			return d;
	return NULL;
}

static void dialog_free(struct sl_capture *cap, struct sl_dialog *d)
{
	sl_rtp_dialog_gone(cap, d);
	sl_media_forget_dialog(cap, d);
	hlist_del_init(&d->hnode);
	llist_del(&d->qentry);
	llist_del(&d->eentry);
	cap->dialogs->count--;
	talloc_free(d);
}

static void copy_pani(struct sl_dialog *d, const struct sl_sip_msg *m)
{
	if (m->pani.len)
		sl_str_copy(d->pani, sizeof(d->pani), m->pani);
}

/* When a timer-caused event happened: its deadline if that has passed, else now (eviction, flush). */
static uint64_t timer_time(const struct sl_capture *cap, const struct sl_dialog *d)
{
	return (d->deadline_us && d->deadline_us <= cap->now_us) ? d->deadline_us : cap->now_us;
}

static void fill_event(struct sl_dialog *d, const struct sl_sig *sig, enum sl_event_type type, enum sl_dir dir,
		       struct sl_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->ts_us = sig ? sig->ts_us : d->deadline_us;
	ev->sig = sig;
	ev->call_id = sl_str_make(d->call_id, d->call_id_len);
	ev->dialog = d;
	ev->from = d->caller;
	ev->to = d->callee;
	ev->dir = dir;
	if (sig && sig->sip && sig->sip->pani.len)
		ev->location = sig->sip->pani;
	else if (d->pani[0])
		ev->location = sl_str_make(d->pani, strlen(d->pani));
	if (ev->location.len && sl_pani_cell(ev->location, &d->ev_cell) == SL_PANI_OK)
		ev->cell = &d->ev_cell;
	else if (!ev->location.len && d->has_bound_cell) {
		/* no P-Access-Network-Info in the dialog: the cell the UE binding table gave its messages */
		d->ev_cell = d->bound_cell;
		ev->cell = &d->ev_cell;
	}
}

static void emit_call(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig, enum sl_call_step step,
		      enum sl_call_end reason, enum sl_dir dir)
{
	struct sl_event ev;

	fill_event(d, sig, SL_EV_CALL, dir, &ev);
	if (!sig)
		ev.ts_us = timer_time(cap, d);
	ev.u.call.step = step;
	ev.u.call.reason = reason;
	ev.u.call.status = reason == SL_END_REJECTED ? d->final_status : 0;
	ev.u.call.start_us = d->start_us;
	ev.u.call.ring_us = d->ring_us;
	ev.u.call.answer_us = d->answer_us;
	sl_cap_emit(cap, &ev);
}

static void end_call(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig, enum sl_call_end reason,
		     enum sl_dir dir)
{
	if (d->ended)
		return;
	d->ended = true;
	sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_END_BASE + reason);
	LOGP(DSLDLG, LOGL_DEBUG, "dialog %" PRIu64 ": call ended (%s)\n", d->id, sl_call_end_names[reason]);
	emit_call(cap, d, sig, SL_CALL_END, reason, dir);
	dlg_enter(cap, d, SL_DS_DONE);
}

static void report_registration(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
				enum sl_reg_result result, int status, uint32_t expires, struct sl_str contact)
{
	struct sl_event ev;

	fill_event(d, sig, SL_EV_REGISTRATION, sig ? SL_DIR_FROM_CALLEE : SL_DIR_NONE, &ev);
	if (!sig)
		ev.ts_us = timer_time(cap, d);
	ev.u.reg.result = result;
	ev.u.reg.status = status;
	ev.u.reg.expires = expires;
	ev.u.reg.contact = contact;
	/* what a registration binds: its IMSI and IMEI stay with its public identities while it lasts */
	if (result == SL_REG_REGISTERED)
		sl_sip_bind_learn(cap, &d->caller, sig && sig->sip ? sig->sip->p_associated : SL_STR_NULL,
				  ev.ts_us + (uint64_t)expires * 1000000u);
	else if (result == SL_REG_DEREGISTERED)
		sl_sip_bind_forget(cap, &d->caller, sig && sig->sip ? sig->sip->p_associated : SL_STR_NULL);
	sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_REGISTRATIONS);
	sl_cap_emit(cap, &ev);
	dlg_enter(cap, d, SL_DS_DONE);
}

/* Timer expiry of one dialog at the head of its queue. */
static void dialog_timeout(struct sl_capture *cap, struct sl_dialog *d)
{
	switch (d->q) {
	case SL_DQ_INVITE:
	case SL_DQ_SESSION:
		end_call(cap, d, NULL, SL_END_TIMEOUT, SL_DIR_NONE);
		return;
	case SL_DQ_TRANSACTION:
		if (d->kind == SL_DLG_KIND_CALL) {
			/* challenged and never retried: the call was refused */
			end_call(cap, d, NULL, SL_END_REJECTED, SL_DIR_NONE);
		} else if (d->kind == SL_DLG_KIND_REGISTER) {
			report_registration(cap, d, NULL,
					    d->state == SL_DS_CHALLENGED ? SL_REG_CHALLENGED : SL_REG_NO_RESPONSE,
					    d->state == SL_DS_CHALLENGED ? d->final_status : 0, 0, SL_STR_NULL);
		} else {
			dlg_enter(cap, d, SL_DS_DONE);
		}
		return;
	default:
		dialog_free(cap, d);
	}
}

/*
 * Make room: the table is full. Ranked by evidence, not by timers: ended
 * dialogs lingering for retransmissions go first, then those the far end
 * never answered, oldest first, and a dialog with a response from the far
 * end (a ringing or answered call, a challenged or accepted registration)
 * only when no unanswered one is left. A flood of unanswered INVITEs, at
 * any rate, then only evicts itself.
 */
static bool evict_one(struct sl_capture *cap)
{
	struct sl_dialogs *ds = cap->dialogs;
	struct sl_dialog *d = llist_first_entry_or_null(&ds->queue[SL_DQ_LINGER], struct sl_dialog, qentry);
	unsigned ctr = SL_DLG_EVICTED_ENDED;

	if (!d && (d = llist_first_entry_or_null(&ds->evict[EV_UNANSWERED], struct sl_dialog, eentry)))
		ctr = SL_DLG_EVICTED_UNANSWERED;
	if (!d && (d = llist_first_entry_or_null(&ds->evict[EV_ANSWERED], struct sl_dialog, eentry)))
		ctr = SL_DLG_EVICTED_ANSWERED;
	if (!d)
		return false;
	sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_EVICTED);
	sl_ctr_inc(cap, SL_CG_DIALOG, ctr);
	if (d->kind == SL_DLG_KIND_CALL && !d->ended) {
		d->ended = true;
		sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_EVICTED);
		emit_call(cap, d, NULL, SL_CALL_END, SL_END_EVICTED, SL_DIR_NONE);
	}
	dialog_free(cap, d);
	return true;
}

/* dialog_create leaves the parties' identities unzeroed: they must lie between the zeroed parts */
_Static_assert(offsetof(struct sl_dialog, callee) == offsetof(struct sl_dialog, caller) + sizeof(struct sl_party) &&
		       offsetof(struct sl_dialog, pani) == offsetof(struct sl_dialog, callee) + sizeof(struct sl_party),
	       "caller, callee and pani follow each other");

static struct sl_dialog *dialog_create(struct sl_capture *cap, enum sl_dlg_kind kind, struct sl_str call_id)
{
	struct sl_dialogs *ds = cap->dialogs;
	struct sl_dialog *d;

	if (call_id.len == 0 || call_id.len > SL_DLG_CALL_ID_MAX)
		return NULL;
	while (ds->count >= cap->cfg.max_dialogs)
		if (!evict_one(cap))
			return NULL;
	/*
	 * Zeroed except the identities of the two parties (3 KB of the
	 * dialog's 3.5): nothing reads an identity past a party's n.
	 */
	d = talloc(ds, struct sl_dialog);
	if (!d)
		return NULL;
	memset(d, 0, offsetof(struct sl_dialog, caller));
	d->caller.n = 0;
	d->callee.n = 0;
	memset(d->pani, 0, sizeof(*d) - offsetof(struct sl_dialog, pani));
	d->call_id = talloc_memdup(d, call_id.p, call_id.len);
	if (!d->call_id) {
		talloc_free(d);
		return NULL;
	}
	d->call_id_len = call_id.len;
	d->hash = sl_hash(call_id.p, call_id.len);
	d->id = ++ds->next_id;
	d->kind = (uint8_t)kind;
	d->start_us = cap->now_us;
	INIT_LLIST_HEAD(&d->qentry);
	llist_add_tail(&d->eentry, &ds->evict[EV_UNANSWERED]);
	INIT_LLIST_HEAD(&d->media);
	INIT_LLIST_HEAD(&d->streams);
	hlist_add_head(&d->hnode, sl_buckets_head(&ds->table, d->hash));
	ds->count++;
	return d;
}

static void merge_party(struct sl_party *into, const struct sl_party *from)
{
	unsigned i;

	for (i = 0; i < from->n; i++)
		sl_party_add(into, (enum sl_id_type)from->id[i].type, from->id[i].value);
}

static void learn_media(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sip_msg *m, bool from_caller)
{
	if (m->body.len)
		sl_media_learn(cap, d, m->content_type, m->body, from_caller);
}

static bool is_caller_side(const struct sl_dialog *d, const struct sl_sip_msg *m)
{
	size_t n = strlen(d->caller_tag);

	/* n == 0 with no tag at all: tag.p is NULL, which memcmp must not see */
	return m->from.tag.len == n && (n == 0 || memcmp(m->from.tag.p, d->caller_tag, n) == 0);
}

static void deliver_body_cc(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			    const struct sl_sip_msg *m)
{
	struct sl_cc cc;

	if (!d->cc_wanted || !cap->ops.cc || !m->body.len)
		return;
	memset(&cc, 0, sizeof(cc));
	cc.kind = SL_CC_MESSAGE_BODY;
	cc.ts_us = sig->ts_us;
	cc.source = sig->source;
	cc.call_id = sl_str_make(d->call_id, d->call_id_len);
	cc.dialog = d;
	cc.dir = SL_DIR_FROM_CALLER;
	cc.src = sig->src;
	cc.dst = sig->dst;
	cc.data = (const uint8_t *)m->body.p;
	cc.len = m->body.len;
	cap->ops.cc(&cc, cap->ops.priv);
}

/* A MESSAGE request (standalone or inside a call): one message event per CSeq. */
static void on_message_request(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			       const struct sl_sip_msg *m, const struct sl_event *sipev)
{
	struct sl_event ev;

	if (d->msg_reported && d->last_msg_cseq == m->cseq) {
		sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_DUPLICATES);
		return;
	}
	d->msg_reported = true;
	d->last_msg_cseq = m->cseq;
	sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_MESSAGES);
	if (d->kind == SL_DLG_KIND_MESSAGE) {
		d->caller = sipev->from;
		d->callee = sipev->to;
		copy_pani(d, m);
	}
	/* SMS over IP: the RP message inside becomes an sms event instead of a message event */
	if (!sl_ims_sms_message(cap, d, sig, m, sipev)) {
		fill_event(d, sig, SL_EV_MESSAGE, SL_DIR_FROM_CALLER, &ev);
		/* inside a call the sender may be either party: report the message's own parties */
		ev.from = sipev->from;
		ev.to = sipev->to;
		ev.u.message.size = (uint32_t)m->body.len;
		ev.u.message.content_type = m->content_type;
		sl_cap_emit(cap, &ev);
		deliver_body_cc(cap, d, sig, m);
	}
	if (d->kind == SL_DLG_KIND_MESSAGE)
		dlg_enter(cap, d, SL_DS_DONE);
}

static uint32_t register_expires(const struct sl_sip_msg *m, uint32_t dflt)
{
	struct sl_str v;
	uint32_t e;

	if (m->contact.uri.p && sl_sip_param(m->contact.params, "expires", &v) && sl_str_to_u32(v, UINT32_MAX, &e))
		return e;
	if (m->expires.p && sl_str_to_u32(m->expires, UINT32_MAX, &e))
		return e;
	return dflt;
}

static void on_register(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			const struct sl_sip_msg *m, const struct sl_event *sipev, bool created)
{
	if (m->is_request) {
		if (!created && m->cseq <= d->cseq) {
			sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_DUPLICATES);
			merge_party(&d->caller, &sipev->from);
			return;
		}
		d->cseq = m->cseq;
		d->reg_expires = register_expires(m, DEFAULT_REGISTER_EXPIRES);
		merge_party(&d->caller, &sipev->from);
		merge_party(&d->callee, &sipev->to);
		copy_pani(d, m);
		dlg_enter(cap, d, SL_DS_PENDING);
		return;
	}
	if (m->cseq != d->cseq || (d->state != SL_DS_PENDING && d->state != SL_DS_CHALLENGED) || m->status < 200)
		return;
	if (d->state == SL_DS_CHALLENGED)
		return; /* a further copy of the challenge */
	if (m->status < 300) {
		uint32_t granted = register_expires(m, d->reg_expires);
		report_registration(cap, d, sig, d->reg_expires == 0 ? SL_REG_DEREGISTERED : SL_REG_REGISTERED,
				    m->status, d->reg_expires == 0 ? 0 : granted, m->contact.uri);
	} else if (m->status == 401 || m->status == 407) {
		d->final_status = m->status;
		dlg_enter(cap, d, SL_DS_CHALLENGED);
	} else {
		report_registration(cap, d, sig, SL_REG_FAILED, m->status, 0, SL_STR_NULL);
	}
}

static void on_call_request(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			    const struct sl_sip_msg *m, const struct sl_event *sipev, bool created, enum sl_dir dir)
{
	bool from_caller = dir == SL_DIR_FROM_CALLER;

	switch (m->method) {
	case SL_SIP_INVITE:
		if (created) {
			d->caller = sipev->from;
			d->callee = sipev->to;
			d->cseq = m->cseq;
			sl_str_copy(d->caller_tag, sizeof(d->caller_tag), m->from.tag);
			copy_pani(d, m);
			learn_media(cap, d, m, true);
			dlg_enter(cap, d, SL_DS_CALLING);
			sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_CALLS);
			LOGP(DSLDLG, LOGL_DEBUG, "dialog %" PRIu64 ": call attempt\n", d->id);
			emit_call(cap, d, sig, SL_CALL_ATTEMPT, SL_END_NONE, SL_DIR_FROM_CALLER);
			return;
		}
		learn_media(cap, d, m, from_caller);
		if (!m->to.tag.len && from_caller) {
			/* initial INVITE again: a retry after a challenge, or another sighting */
			merge_party(&d->caller, &sipev->from);
			merge_party(&d->callee, &sipev->to);
			if (d->state == SL_DS_CHALLENGED && m->cseq > d->cseq) {
				d->cseq = m->cseq;
				dlg_enter(cap, d, SL_DS_CALLING);
			} else {
				sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_DUPLICATES);
			}
			return;
		}
		if (d->state == SL_DS_CONFIRMED)
			dlg_refresh(cap, d); /* re-INVITE: the session is alive */
		return;
	case SL_SIP_CANCEL:
		if (d->state == SL_DS_CALLING || d->state == SL_DS_EARLY || d->state == SL_DS_CHALLENGED)
			end_call(cap, d, sig, SL_END_CANCEL, SL_DIR_FROM_CALLER);
		return;
	case SL_SIP_BYE:
		end_call(cap, d, sig, SL_END_BYE, dir);
		return;
	case SL_SIP_ACK:
	case SL_SIP_UPDATE:
	case SL_SIP_PRACK:
		learn_media(cap, d, m, from_caller);
		if (d->state == SL_DS_CONFIRMED)
			dlg_refresh(cap, d);
		return;
	default:
		if (d->state == SL_DS_CONFIRMED)
			dlg_refresh(cap, d);
		return;
	}
}

static void on_call_response(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			     const struct sl_sip_msg *m, const struct sl_event *sipev, enum sl_dir dir)
{
	bool initial = m->cseq_method == SL_SIP_INVITE && m->cseq == d->cseq;
	bool open = d->state == SL_DS_CALLING || d->state == SL_DS_EARLY || d->state == SL_DS_CHALLENGED;

	if (m->cseq_method == SL_SIP_INVITE || m->cseq_method == SL_SIP_UPDATE || m->cseq_method == SL_SIP_PRACK)
		learn_media(cap, d, m, dir == SL_DIR_FROM_CALLER);
	if (!initial || d->ended)
		return;
	/* identities the callee side asserts */
	if (dir == SL_DIR_FROM_CALLEE && m->status != 100)
		merge_party(&d->callee, &sipev->to);
	copy_pani(d, m);

	if (m->status < 200) {
		if (m->status >= 180 && m->status < 190 && (d->state == SL_DS_CALLING || d->state == SL_DS_CHALLENGED)) {
			dlg_enter(cap, d, SL_DS_EARLY);
			if (!d->rang) {
				d->rang = true;
				d->ring_us = sig->ts_us;
				sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_RINGING);
				emit_call(cap, d, sig, SL_CALL_RINGING, SL_END_NONE, SL_DIR_FROM_CALLEE);
			}
		} else if (d->state != SL_DS_CONFIRMED) {
			dlg_refresh(cap, d); /* 100/183: the transaction is alive */
		}
		return;
	}
	if (m->status < 300) {
		if (!open)
			return;
		d->answer_us = sig->ts_us;
		dlg_enter(cap, d, SL_DS_CONFIRMED);
		sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_ANSWERED);
		emit_call(cap, d, sig, SL_CALL_ANSWER, SL_END_NONE, SL_DIR_FROM_CALLEE);
		return;
	}
	if (!open || d->state == SL_DS_CHALLENGED)
		return;
	d->final_status = m->status;
	if (m->status == 401 || m->status == 407) {
		dlg_enter(cap, d, SL_DS_CHALLENGED);
		return;
	}
	end_call(cap, d, sig, SL_END_REJECTED, SL_DIR_FROM_CALLEE);
}

/* Requests and responses that could belong to a call but match none. */
static bool is_call_traffic(const struct sl_sip_msg *m)
{
	enum sl_sip_method meth = m->is_request ? m->method : m->cseq_method;

	return meth == SL_SIP_INVITE || meth == SL_SIP_BYE || meth == SL_SIP_CANCEL || meth == SL_SIP_ACK;
}

void sl_dialogs_on_sip(struct sl_capture *cap, const struct sl_sig *sig, const struct sl_sip_msg *m, struct sl_event *ev)
{
	struct sl_dialog *d = dialog_find(cap, m->call_id);
	bool created = false;
	enum sl_dir dir = SL_DIR_NONE;

	if (!d && m->is_request) {
		enum sl_dlg_kind kind = SL_DLG_KIND_CALL;
		bool create = false;
		if (m->method == SL_SIP_INVITE && !m->to.tag.len) {
			create = true;
		} else if (m->method == SL_SIP_REGISTER) {
			kind = SL_DLG_KIND_REGISTER;
			create = true;
		} else if (m->method == SL_SIP_MESSAGE) {
			kind = SL_DLG_KIND_MESSAGE;
			create = true;
		}
		if (create) {
			d = dialog_create(cap, kind, m->call_id);
			created = d != NULL;
		}
	}
	if (d && d->kind == SL_DLG_KIND_CALL) {
		bool caller_side = created || is_caller_side(d, m);
		if (m->is_request)
			dir = caller_side ? SL_DIR_FROM_CALLER : SL_DIR_FROM_CALLEE;
		else
			dir = caller_side ? SL_DIR_FROM_CALLEE : SL_DIR_FROM_CALLER;
	}

	ev->dialog = d;
	ev->dir = dir;
	if (d && ev->cell && !m->pani.len) {
		d->has_bound_cell = true;
		d->bound_cell = *ev->cell;
	}
	sl_cap_emit(cap, ev);

	/* 100 Trying is hop by hop (RFC 3261 section 8.2.6.1); anything above came from the far end */
	if (d && !m->is_request && m->status > 100 && !d->answered) {
		d->answered = true;
		llist_move_tail(&d->eentry, &cap->dialogs->evict[EV_ANSWERED]);
	}

	if (!d) {
		if (is_call_traffic(m))
			sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_STRAY);
		return;
	}
	switch (d->kind) {
	case SL_DLG_KIND_CALL:
		if (m->is_request && m->method == SL_SIP_MESSAGE)
			on_message_request(cap, d, sig, m, ev);
		else if (m->is_request)
			on_call_request(cap, d, sig, m, ev, created, dir);
		else
			on_call_response(cap, d, sig, m, ev, dir);
		return;
	case SL_DLG_KIND_REGISTER:
		if ((m->is_request && m->method == SL_SIP_REGISTER) ||
		    (!m->is_request && m->cseq_method == SL_SIP_REGISTER))
			on_register(cap, d, sig, m, ev, created);
		return;
	case SL_DLG_KIND_MESSAGE:
		if (m->is_request && m->method == SL_SIP_MESSAGE)
			on_message_request(cap, d, sig, m, ev);
		return;
	}
}

void sl_dialogs_expire(struct sl_capture *cap, uint64_t now_us)
{
	struct sl_dialogs *ds = cap->dialogs;
	int q;

	for (q = 0; q < _SL_DQ_COUNT; q++) {
		while (!llist_empty(&ds->queue[q])) {
			struct sl_dialog *d = llist_first_entry(&ds->queue[q], struct sl_dialog, qentry);
			if (d->deadline_us > now_us)
				break;
			dialog_timeout(cap, d);
		}
	}
}

void sl_dialogs_flush(struct sl_capture *cap)
{
	struct sl_dialogs *ds = cap->dialogs;
	int q;

	/* end what is still open, then free everything */
	for (q = 0; q < _SL_DQ_COUNT; q++) {
		struct sl_dialog *d, *tmp;
		llist_for_each_entry_safe(d, tmp, &ds->queue[q], qentry) {
			if (d->kind == SL_DLG_KIND_CALL && !d->ended) {
				d->ended = true;
				sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_CAPTURE_END);
				emit_call(cap, d, NULL, SL_CALL_END, SL_END_CAPTURE_END, SL_DIR_NONE);
			} else if (d->kind == SL_DLG_KIND_REGISTER &&
				   (d->state == SL_DS_PENDING || d->state == SL_DS_CHALLENGED)) {
				d->deadline_us = cap->now_us;
				report_registration(cap, d, NULL,
						    d->state == SL_DS_CHALLENGED ? SL_REG_CHALLENGED : SL_REG_NO_RESPONSE,
						    d->state == SL_DS_CHALLENGED ? d->final_status : 0, 0, SL_STR_NULL);
			}
		}
	}
	for (q = 0; q < _SL_DQ_COUNT; q++)
		while (!llist_empty(&ds->queue[q]))
			dialog_free(cap, llist_first_entry(&ds->queue[q], struct sl_dialog, qentry));
}
