/*
 * The consented-data path for live events (consent_flow.h): subjects,
 * decisions per category, minimisation, pseudonyms, export.
 *
 * Which events flow (docs/consent.md, "Export records"): a call at its
 * end (one record per consenting party, call-metadata), a page-mode
 * message (sender and receiver, messaging-metadata), a registration that
 * registered or deregistered (the subscriber, location). SIP messages and
 * RTP stream summaries do not flow. The location of an event belongs to
 * the party that sent the message carrying it, and only to that party.
 *
 * Recipient keys are derived once per recipient and epoch and kept
 * (HKDF per event would cost more than the rest of the path); a subject's
 * pseudonym is one HMAC.
 *
 * Cost per event against a large registry: the subjects of an event are
 * worked out once, each with its index hash, and their index memory is
 * asked for in two stages: at the event's start (sl_cx_flow_begin()) only
 * their filter words, then, before the first decision, the table lines of
 * the subjects the filter may hold, so that the cache misses of caller and
 * callee (and of their IMSI forms) overlap instead of queueing behind one
 * another, and a subject without consent (most of them) brings no table
 * line into the caches to evict the filter; every decision about a
 * subject reuses its hash. A
 * location the subject sent as header text is coarsened from that text;
 * one capture found otherwise (struct sl_cell) from the cell's fields.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/stats.h>
#include <talloc.h>

#include "mediation/audit/keys.h"
#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_policy.h"

#define MAX_RECIPIENTS 16
#define LINE_MAX_BYTES 1024

static const struct rate_ctr_desc cx_ctr_desc[_SL_CX_CTR_ALL] = {
	[SL_CX_CTR_EXPORTED] = { "exported", "Records exported to the recipient (one per consenting subject of an event)" },
	[SL_CX_CTR_MINIMISED_OUT] = { "minimised-out",
				      "Subjects allowed, but nothing left after minimisation (a registration without a "
				      "location the rule can coarsen)" },
	[SL_CX_CTR_NO_SUBJECT] = { "no-subject", "Parties with neither an E.164 number nor an IMSI: nobody to ask" },
	[SL_CX_CTR_DENIED_FIRST + 0] = { "denied:content", "Denied: content (never flows)" },
	[SL_CX_CTR_DENIED_FIRST + 1] = { "denied:bad-request", "Denied: bad request" },
	[SL_CX_CTR_DENIED_FIRST + 2] = { "denied:no-record", "Denied: no consent record for subject, recipient, purpose" },
	[SL_CX_CTR_DENIED_FIRST + 3] = { "denied:refused", "Denied: the subject refused" },
	[SL_CX_CTR_DENIED_FIRST + 4] = { "denied:withdrawn", "Denied: the subject withdrew" },
	[SL_CX_CTR_DENIED_FIRST + 5] = { "denied:expired", "Denied: the consent expired" },
	[SL_CX_CTR_DENIED_FIRST + 6] = { "denied:invalidated", "Denied: the consent was invalidated by a newer notice" },
	[SL_CX_CTR_DENIED_FIRST + 7] = { "denied:not-yet-valid", "Denied: before the consent's valid_from" },
	[SL_CX_CTR_DENIED_FIRST + 8] = { "denied:category-not-covered",
					 "Denied: the consent does not cover the event's category" },
	[SL_CX_CTR_BATCHES] = { "batches", "Batches written, fsynced and recorded" },
	[SL_CX_CTR_WRITE_FAILED] = { "write-failed", "Batches lost because the segment could not be written or fsynced" },
	[SL_CX_CTR_AUDIT_FAILED] = { "audit-failed",
				     "Times accounting began failing at a delivered batch's export.batch audit record (retried)" },
	[SL_CX_CTR_LEDGER_FAILED] = { "ledger-failed", "Subjects of a written batch not credited in the value ledger" },
	[SL_CX_CTR_AGG_OBSERVED] = { "aggregate:observed",
				     "Observations of consenting subjects handed to the aggregate releases" },
	[SL_CX_CTR_AGG_LATE] = { "aggregate:late",
				 "Observations dropped because their time bucket was already released" },
	[SL_CX_CTR_AGG_RELEASED] = { "aggregate:released", "Aggregate releases written and recorded in the audit log" },
	[SL_CX_CTR_AGG_REFUSED] = { "aggregate:refused",
				    "Aggregate releases refused (privacy budget spent, overlapping period)" },
	[SL_CX_CTR_AGG_FAILED] = { "aggregate:failed",
				   "Aggregate releases made but whose file or audit record could not be written" },
	[SL_CX_CTR_JS_ACKED] = { "jetstream-acked", "Records acknowledged by NATS JetStream (docs/exports.md)" },
	[SL_CX_CTR_JS_DUPLICATES] = { "jetstream-duplicates",
				      "JetStream acknowledgements of a re-published record the stream already had" },
	[SL_CX_CTR_JS_RETRIES] = { "jetstream-retries", "Chunks published to JetStream again after a failure" },
	[SL_CX_CTR_JS_REJECTED] = { "jetstream-rejected",
				    "Outbox lines not published to JetStream: longer than the 1 MiB read buffer" },
	[SL_CX_CTR_AGG_CAPPED] = { "aggregate:capped",
				   "Observations dropped because their open time bucket held its cap (docs/aggregates.md)" },
	[SL_CX_CTR_JS_CONNECT_FAILED] = { "jetstream-connect-failed",
					  "Connections to the NATS broker that failed (unreachable, credentials "
					  "refused, stream unusable); retried with back-off" },
	[SL_CX_CTR_HELD_DROPPED] = { "held-dropped",
				     "Records lost because the batch held while the database refused its pending row was "
				     "full" },
};

const struct rate_ctr_group_desc sl_cx_ctrg_desc = {
	.group_name_prefix = "consent_recipient",
	.group_description = "The consented-data path per recipient (index = recipient in configuration order): "
			     "records exported, subjects denied by reason, batches",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_CX_CTR_ALL,
	.ctr_desc = cx_ctr_desc,
};

struct cx_recipient {
	char name[SL_CONSENT_NAME_MAX + 1];
	enum sl_consent_purpose purpose;
	struct sl_cx_policy policy;
	struct sl_cx_export *exp;
	struct rate_ctr_group *ctrs;
	struct sl_consent_pseudonymiser *ps;	/* keyed with the recipient key of key_epoch */
	uint64_t key_epoch;
	bool key_valid;
	sl_cx_observe_cb observe;
	void *observe_data;
	sl_cx_line_cb tap;
	void *tap_data;
};

struct sl_cx_flow {
	struct sl_consent_index *ix;
	uint8_t master[32];
	uint8_t audit_key[32];
	bool audit;
	uint32_t epoch_s;
	struct cx_recipient rec[MAX_RECIPIENTS];
	unsigned n;
	bool prefetch; /* fetch the event's subjects' index memory ahead of its decisions (sl_cx_flow_prefetch()) */
};

static int flow_destructor(struct sl_cx_flow *f)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		rate_ctr_group_free(f->rec[i].ctrs);
	OPENSSL_cleanse(f->master, sizeof(f->master));
	OPENSSL_cleanse(f->audit_key, sizeof(f->audit_key));
	return 0;
}

struct sl_cx_flow *sl_cx_flow_alloc(void *ctx, struct sl_consent_index *ix, const uint8_t master[32],
				    const uint8_t *audit_key, uint32_t epoch_s)
{
	struct sl_cx_flow *f = talloc_zero(ctx, struct sl_cx_flow);

	if (!f)
		return NULL;
	talloc_set_destructor(f, flow_destructor);
	f->ix = ix;
	memcpy(f->master, master, 32);
	if (audit_key) {
		memcpy(f->audit_key, audit_key, 32);
		f->audit = true;
	}
	f->epoch_s = epoch_s;
	f->prefetch = true;
	return f;
}

int sl_cx_flow_add(struct sl_cx_flow *f, const struct sl_cx_recipient_cfg *rc, struct sl_cx_export *x, unsigned idx)
{
	struct cx_recipient *r;

	if (f->n == MAX_RECIPIENTS)
		return -E2BIG;
	if (!sl_consent_token_valid(rc->name, SL_CONSENT_NAME_MAX))
		return -EINVAL;
	r = &f->rec[f->n];
	memset(r, 0, sizeof(*r));
	memcpy(r->name, rc->name, strlen(rc->name) + 1);
	r->purpose = rc->purpose;
	r->policy = rc->policy;
	r->exp = x;
	r->ctrs = rate_ctr_group_alloc(f, &sl_cx_ctrg_desc, idx);
	r->ps = sl_consent_pseudonymiser_alloc(f);
	if (!r->ctrs || !r->ps)
		return -ENOMEM;
	return (int)f->n++;
}

int sl_cx_flow_observe(struct sl_cx_flow *f, unsigned recipient, sl_cx_observe_cb cb, void *data)
{
	if (recipient >= f->n)
		return -EINVAL;
	f->rec[recipient].observe = cb;
	f->rec[recipient].observe_data = data;
	return 0;
}

int sl_cx_flow_tap(struct sl_cx_flow *f, unsigned recipient, sl_cx_line_cb cb, void *data)
{
	if (recipient >= f->n)
		return -EINVAL;
	f->rec[recipient].tap = cb;
	f->rec[recipient].tap_data = data;
	return 0;
}

void sl_cx_flow_prefetch(struct sl_cx_flow *f, bool on)
{
	f->prefetch = on;
}

struct rate_ctr_group *sl_cx_flow_ctrs(struct sl_cx_flow *f, unsigned recipient)
{
	return recipient < f->n ? f->rec[recipient].ctrs : NULL;
}

/* The subject forms a party offers: its first E.164 number (msisdn), its first IMSI; each with its hash. */
static void party_subjects(const struct sl_party *p, struct sl_cx_party *out)
{
	const struct sl_identity *id;
	unsigned i;

	out->p = p;
	out->n = 0;
	if (!p)
		return;
	id = sl_party_first(p, SL_ID_E164);
	if (id && !sl_consent_subject_set(&out->s[out->n], SL_CONSENT_SUBJ_MSISDN, id->value))
		out->n++;
	id = sl_party_first(p, SL_ID_IMSI);
	if (id && !sl_consent_subject_set(&out->s[out->n], SL_CONSENT_SUBJ_IMSI, id->value))
		out->n++;
	for (i = 0; i < out->n; i++)
		out->h[i] = sl_consent_index_hash(&out->s[i]);
}

static int pseudonym(struct sl_cx_flow *f, struct cx_recipient *r, int64_t t_us, const struct sl_consent_subject *s,
		     char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1])
{
	uint64_t epoch = sl_consent_epoch(t_us, f->epoch_s);

	uint8_t key[32];
	int rc;

	if (!r->key_valid || r->key_epoch != epoch) {
		r->key_valid = false;
		rc = sl_consent_recipient_key(f->master, r->name, epoch, key);
		if (!rc)
			rc = sl_consent_pseudonymiser_key(r->ps, key);
		OPENSSL_cleanse(key, sizeof(key));
		if (rc)
			return -EIO;
		r->key_epoch = epoch;
		r->key_valid = true;
	}
	return sl_consent_pseudonymise(r->ps, s, out);
}

/*
 * The party's consenting subject for the primary category: the first of
 * its subject forms a given consent covers. Returns true and *who (its
 * number in p), or
 * false with *why the first form's denial (SL_CONSENT_DENY_BAD_REQUEST
 * when there is no subject form at all).
 */
static bool party_consents(struct sl_cx_flow *f, struct cx_recipient *r, const struct sl_cx_party *p,
			   enum sl_consent_category cat, int64_t t, unsigned *who, enum sl_consent_reason *why)
{
	enum sl_consent_reason rs, first = SL_CONSENT_DENY_BAD_REQUEST;
	unsigned i;

	for (i = 0; i < p->n; i++) {
		if (sl_consent_allows_h(f->ix, &p->s[i], p->h[i], r->name, r->purpose, cat, t, &rs)) {
			*who = i;
			return true;
		}
		if (!i)
			first = rs;
	}
	*why = p->n ? first : SL_CONSENT_DENY_BAD_REQUEST;
	return false;
}

static void one_subject(struct sl_cx_flow *f, struct cx_recipient *r, const struct sl_event *ev,
			struct sl_cx_input *in, const struct sl_cx_party *self, const struct sl_cx_party *other,
			bool sends_location)
{
	enum sl_consent_category primary = sl_cx_primary_category(in->kind);
	const struct sl_consent_subject *who;
	unsigned wi, peer_wi;
	enum sl_consent_reason why;
	char subj[SL_CONSENT_PSEUDONYM_HEXLEN + 1], peer[SL_CONSENT_PSEUDONYM_HEXLEN + 1];
	char tag[SL_AUDIT_PSEUDONYM_STRLEN], pani[256], line[LINE_MAX_BYTES], ident[128];
	const struct sl_identity *imei;
	struct sl_cx_record rec;
	unsigned c;
	size_t len;
	int rc;

	if (!self->n) {
		rate_ctr_inc2(r->ctrs, SL_CX_CTR_NO_SUBJECT);
		return;
	}
	if (!(r->policy.categories & SL_CONSENT_CAT_BIT(primary))) {
		rate_ctr_inc2(r->ctrs, SL_CX_CTR_DENIED_FIRST + SL_CONSENT_DENY_CATEGORY - 1);
		return;
	}
	if (!party_consents(f, r, self, primary, in->time_us, &wi, &why)) {
		rate_ctr_inc2(r->ctrs, SL_CX_CTR_DENIED_FIRST + why - 1);
		return;
	}
	who = &self->s[wi];
	in->consented = SL_CONSENT_CAT_BIT(primary);
	for (c = 0; c < SL_CONSENT_CAT_CONTENT; c++)
		if (c != primary && (r->policy.categories & SL_CONSENT_CAT_BIT(c)) &&
		    sl_consent_allows_h(f->ix, who, self->h[wi], r->name, r->purpose, c, in->time_us, NULL))
			in->consented |= SL_CONSENT_CAT_BIT(c);
	if (pseudonym(f, r, in->time_us, who, subj) < 0)
		return;
	in->subject = subj;
	in->peer = NULL;
	if (other && party_consents(f, r, other, primary, in->time_us, &peer_wi, &why) &&
	    pseudonym(f, r, in->time_us, &other->s[peer_wi], peer) == 0)
		in->peer = peer;
	/* the header text the subject sent if any, else the cell capture gave the event (no text round trip) */
	in->pani = NULL;
	in->cell = NULL;
	if (sends_location && sl_str_present(ev->location)) {
		if (sl_str_copy(pani, sizeof(pani), ev->location))
			in->pani = pani;
	} else if (sends_location) {
		in->cell = ev->cell;
	}
	imei = sl_party_first(self->p, SL_ID_IMEI);
	in->imei = imei ? imei->value : NULL;
	if (!sl_cx_minimise(&r->policy, in, &rec)) {
		rate_ctr_inc2(r->ctrs, SL_CX_CTR_MINIMISED_OUT);
		return;
	}
	/* the subject's identity goes with the record to the batch callback (the value ledger), never to disk */
	snprintf(ident, sizeof(ident), "%s:%s", sl_consent_subject_type_names[who->type], who->value);
	if (r->observe) {
		const uint32_t loc = SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION);
		struct sl_cx_observation o = { in->kind, in->time_us, subj, NULL, ident };
		const char *access;
		char area[SL_CX_LOC_MAX];

		if ((in->consented & loc) && (r->policy.categories & loc) &&
		    sl_cx_input_location(in, SL_CX_LOC_AREA, &access, area, sizeof(area)))
			o.area = area;
		r->observe(r->observe_data, &o);
	}
	if (!r->exp && !r->tap)
		return;
	len = sl_cx_render(&rec, line, sizeof(line));
	if (!len)
		return;
	if (r->tap)
		r->tap(r->tap_data, line, len);
	if (!r->exp)
		return;
	if (!f->audit || sl_audit_pseudonym(f->audit_key, sl_consent_subject_type_names[who->type], who->value, tag) < 0)
		memcpy(tag, subj, sizeof(subj));
	/* a batch this record closed could not be written: counted; the record itself is in the next batch
	 * (or refused: a batch held while the database refuses its pending row is full) */
	rc = sl_cx_export_add(r->exp, in->time_us, line, len, tag, ident);
	if (rc < 0)
		rate_ctr_inc2(r->ctrs, rc == -ENOSPC ? SL_CX_CTR_HELD_DROPPED : SL_CX_CTR_WRITE_FAILED);
	rate_ctr_inc2(r->ctrs, SL_CX_CTR_EXPORTED);
}

/* The first stage of the index fetch (the parties' filter words), or with lines the second (their table lines). */
static void prefetch_parties(struct sl_cx_flow *f, const struct sl_cx_party *from, const struct sl_cx_party *to,
			     bool lines)
{
	unsigned i;

	for (i = 0; i < from->n + to->n; i++) {
		uint64_t h = i < from->n ? from->h[i] : to->h[i - from->n];
		if (lines)
			sl_consent_index_prefetch_line_h(f->ix, h);
		else
			sl_consent_index_prefetch_filter_h(f->ix, h);
	}
}

/* Whether sl_cx_flow_event() does anything with ev (the kinds in the file's opening comment). */
static bool event_flows(const struct sl_event *ev)
{
	switch (ev->type) {
	case SL_EV_CALL:
		return ev->u.call.step == SL_CALL_END;
	case SL_EV_MESSAGE:
		return true;
	case SL_EV_REGISTRATION:
		return ev->u.reg.result == SL_REG_REGISTERED || ev->u.reg.result == SL_REG_DEREGISTERED;
	default:
		return false;
	}
}

void sl_cx_flow_begin(struct sl_cx_flow *f, const struct sl_event *ev, struct sl_cx_subjects *st)
{
	st->flows = f->n && event_flows(ev);
	if (!st->flows)
		return;
	/*
	 * Every subject this event can ask about is known now: have the index
	 * fetch their filter words at once, so that those memory accesses
	 * overlap each other and the caller's work before sl_cx_flow_end()
	 * instead of each waiting in turn. Not their table lines yet: most
	 * subjects have none, and a line fetched for nothing would evict
	 * other subjects' filter words (measured: absent-party events in
	 * sluiced's order 1.13-1.27 times the one-subject cost with the lines
	 * fetched here, see tests/bench/README.md). Only addresses are hinted
	 * and subjects copied: nothing of the index is held, so a refresh
	 * before sl_cx_flow_end() is harmless (the hash seed never changes).
	 */
	party_subjects(&ev->from, &st->from);
	party_subjects(&ev->to, &st->to);
	if (f->prefetch)
		prefetch_parties(f, &st->from, &st->to, false);
}

void sl_cx_flow_end(struct sl_cx_flow *f, const struct sl_event *ev, const struct sl_cx_subjects *st)
{
	const struct sl_cx_party *from = &st->from, *to = &st->to;
	struct sl_cx_input in;
	unsigned i;

	if (!st->flows)
		return;
	/* the second stage: the table lines of the subjects the filter may hold, all before the first decision */
	if (f->prefetch)
		prefetch_parties(f, from, to, true);
	memset(&in, 0, sizeof(in));
	in.time_us = (int64_t)ev->ts_us;
	switch (ev->type) {
	case SL_EV_CALL:
		in.kind = SL_CX_CALL;
		in.answered = ev->u.call.answer_us != 0;
		in.duration_us = in.answered && ev->ts_us > ev->u.call.answer_us
					 ? (int64_t)(ev->ts_us - ev->u.call.answer_us) : 0;
		in.outcome = sl_call_end_names[ev->u.call.reason];
		break;
	case SL_EV_MESSAGE:
		in.kind = SL_CX_MESSAGE;
		break;
	default:
		in.kind = SL_CX_REGISTRATION;
		in.result = sl_reg_result_names[ev->u.reg.result];
		break;
	}
	for (i = 0; i < f->n; i++) {
		struct cx_recipient *r = &f->rec[i];

		switch (in.kind) {
		case SL_CX_CALL:
			in.role = "caller";
			one_subject(f, r, ev, &in, from, to, ev->dir == SL_DIR_FROM_CALLER);
			in.role = "callee";
			one_subject(f, r, ev, &in, to, from, ev->dir == SL_DIR_FROM_CALLEE);
			break;
		case SL_CX_MESSAGE:
			in.role = "sender";
			one_subject(f, r, ev, &in, from, to, true);
			in.role = "receiver";
			one_subject(f, r, ev, &in, to, from, false);
			break;
		default:
			in.role = "subscriber";
			one_subject(f, r, ev, &in, from->n ? from : to, NULL, true);
			break;
		}
	}
}

void sl_cx_flow_event(struct sl_cx_flow *f, const struct sl_event *ev)
{
	struct sl_cx_subjects st;

	sl_cx_flow_begin(f, ev, &st);
	sl_cx_flow_end(f, ev, &st);
}
