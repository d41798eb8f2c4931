/* From decisions to handover records (see ho_out.h). */
#include "handover/ho_out.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/stats.h>
#include <talloc.h>

#include "asn1/ber_encode.h"
#include "util/buckets.h"
#include "util/hash.h"
#include "capture/sip_parse.h"
#include "handover/pdu_ctx.h"
#include "handover/seqno.h"
#include "handover/sip_redact.h"

#define MAX_PER_COMM 4		/* interceptions one communication is under */
#define CALL_ID_MAX 256		/* longer Call-IDs are cut for the key (collisions stay per LIID) */
#define PDU_BUF (70 * 1024)	/* a SIP message (<= 64 KiB) plus the PS-PDU around it */

static const struct rate_ctr_desc ho_ctr[_SL_HO_CTR_COUNT] = {
	[SL_HO_CTR_IRI] = { "iri", "HI2 PDUs (IRI, HI1 notifications) written to destinations" },
	[SL_HO_CTR_CC] = { "cc", "CC PDUs written to destinations" },
	[SL_HO_CTR_COMMS] = { "communications", "Intercepted communications begun (CINs used)" },
	[SL_HO_CTR_REFUSED] = { "refused", "PDUs a destination's spool refused (full): ALARM, not delivered" },
	[SL_HO_CTR_ENCODE_ERR] = { "encode_errors", "Records that could not be encoded (value out of range)" },
	[SL_HO_CTR_EVICTED] = { "comms_evicted", "Communications forgotten for the table limit" },
};

const struct rate_ctr_group_desc sl_ho_ctrg_desc = {
	.group_name_prefix = "handover",
	.group_description = "Lawful handover records",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_HO_CTR_COUNT,
	.ctr_desc = ho_ctr,
};

struct comm_leg {
	const struct sl_intercept *ic;
	uint32_t cin;
	enum sl_target_side side;	/* which party of the call is the target */
	bool begun, ended;
};

struct comm {
	struct hlist_node hnode;
	struct llist_head lru;		/* oldest first */
	uint64_t hash;
	char call_id[CALL_ID_MAX];
	size_t call_id_len;
	struct comm_leg leg[MAX_PER_COMM];
	unsigned n_leg;
};

struct liid_ctx {
	const struct sl_intercept *ic;
	struct sl_pdu_ctx *pctx;
};

struct sl_ho_out {
	struct sl_ho_out_cfg cfg;
	struct sl_ho_sink sink;
	struct sl_cin_alloc *cins;
	struct sl_seqno *seq;
	struct sl_buckets comms;
	struct llist_head lru;
	unsigned n_comms;
	struct liid_ctx *ctxs;
	unsigned n_ctxs;
	uint8_t *buf;
	uint8_t *redact;		/* a SIP message without its location fields */
	size_t redact_cap;
	struct rate_ctr_group *ctrs;
};

static void ctr_inc(struct sl_ho_out *o, enum sl_ho_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(o->ctrs, c));
}

struct sl_ho_out *sl_ho_out_alloc(void *ctx, const struct sl_ho_out_cfg *cfg, const struct sl_ho_sink *sink,
				  char *err, size_t errlen)
{
	struct sl_ho_out *o = talloc_zero(ctx, struct sl_ho_out);

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->cfg = *cfg;
	if (!o->cfg.max_comms)
		o->cfg.max_comms = 10000;
	o->sink = *sink;
	INIT_LLIST_HEAD(&o->lru);
	/* CINs fit TS 101 671's eight digits, so PS-PDU and HI2 records of a call share one */
	o->cins = sl_cin_alloc_open(o, cfg->cin_state_path, 1000, SL_HI2_CIN_MAX);
	if (!o->cins) {
		snprintf(err, errlen, "CIN state file %s cannot be used (see the log)", cfg->cin_state_path);
		talloc_free(o);
		return NULL;
	}
	o->seq = sl_seqno_alloc(o, o->cfg.max_comms * MAX_PER_COMM * 2 + 16);
	o->buf = talloc_size(o, PDU_BUF);
	o->ctrs = rate_ctr_group_alloc(o, &sl_ho_ctrg_desc, 0);
	if (!o->seq || !o->buf || !o->ctrs || !sl_buckets_init(o, &o->comms, o->cfg.max_comms)) {
		snprintf(err, errlen, "out of memory");
		talloc_free(o);
		return NULL;
	}
	return o;
}

void sl_ho_out_free(struct sl_ho_out *o)
{
	if (o && o->ctrs)
		rate_ctr_group_free(o->ctrs);
	talloc_free(o);
}

/* The PS-PDU context of an interception, built on first use (constant header parts pre-encoded). */
static struct sl_pdu_ctx *pctx_of(struct sl_ho_out *o, const struct sl_intercept *ic)
{
	struct sl_pdu_ctx_cfg pc = {
		.liid = ic->liid, .auth_cc = o->cfg.country, .operator_id = o->cfg.operator_id, .ne_id = o->cfg.ne_id,
		.delivery_cc = o->cfg.country, .ipid = o->cfg.ipid, .hi2_operator_id = o->cfg.hi2_operator_id,
		.ts_digits = 6,
	};
	struct liid_ctx *n;
	unsigned i;

	for (i = 0; i < o->n_ctxs; i++)
		if (o->ctxs[i].ic == ic)
			return o->ctxs[i].pctx;
	n = talloc_realloc(o, o->ctxs, struct liid_ctx, o->n_ctxs + 1);
	if (!n)
		return NULL;
	o->ctxs = n;
	o->ctxs[o->n_ctxs].ic = ic;
	o->ctxs[o->n_ctxs].pctx = sl_pdu_ctx_alloc(o, &pc);
	if (!o->ctxs[o->n_ctxs].pctx)
		return NULL;
	return o->ctxs[o->n_ctxs++].pctx;
}

static size_t key_len(struct sl_str call_id)
{
	return call_id.len < CALL_ID_MAX ? call_id.len : CALL_ID_MAX;
}

static struct comm *comm_find(struct sl_ho_out *o, struct sl_str call_id, uint64_t h)
{
	struct comm *c;
	size_t n = key_len(call_id);

	hlist_for_each_entry(c, sl_buckets_head(&o->comms, h), hnode)
		if (c->hash == h && c->call_id_len == n && (n == 0 || !memcmp(c->call_id, call_id.p, n)))
			return c;
	return NULL;
}

static void comm_free(struct sl_ho_out *o, struct comm *c)
{
	unsigned i;

	for (i = 0; i < c->n_leg; i++)
		if (c->leg[i].begun)
			sl_seqno_end(o->seq, c->leg[i].ic->liid, c->leg[i].cin);
	hlist_del(&c->hnode);
	llist_del(&c->lru);
	o->n_comms--;
	talloc_free(c);
}

static struct comm *comm_get(struct sl_ho_out *o, struct sl_str call_id)
{
	size_t n = key_len(call_id);
	uint64_t h = sl_hash(call_id.p ? call_id.p : "", n);
	struct comm *c = comm_find(o, call_id, h);

	if (c) {
		llist_move_tail(&c->lru, &o->lru);
		return c;
	}
	if (o->n_comms >= o->cfg.max_comms) {
		comm_free(o, llist_first_entry(&o->lru, struct comm, lru));
		ctr_inc(o, SL_HO_CTR_EVICTED);
	}
	c = talloc_zero(o, struct comm);
	if (!c)
		return NULL;
	c->hash = h;
	c->call_id_len = n;
	if (n)
		memcpy(c->call_id, call_id.p, n);
	hlist_add_head(&c->hnode, sl_buckets_head(&o->comms, h));
	llist_add_tail(&c->lru, &o->lru);
	o->n_comms++;
	return c;
}

static struct comm_leg *leg_get(struct sl_ho_out *o, struct comm *c, const struct sl_match *m)
{
	unsigned i;

	for (i = 0; i < c->n_leg; i++)
		if (c->leg[i].ic == m->ic)
			return &c->leg[i];
	if (c->n_leg >= MAX_PER_COMM)
		return NULL;
	c->leg[c->n_leg] = (struct comm_leg){ .ic = m->ic, .side = m->side };
	return &c->leg[c->n_leg++];
}

/* Is this SIP message part of an INVITE dialog (a call), as opposed to a standalone transaction? */
static bool sip_is_call(const struct sl_sip_msg *m)
{
	switch (m->cseq_method) {
	case SL_SIP_INVITE:
	case SL_SIP_ACK:
	case SL_SIP_BYE:
	case SL_SIP_CANCEL:
	case SL_SIP_PRACK:
	case SL_SIP_UPDATE:
	case SL_SIP_INFO:
		return true;
	default:
		return false;
	}
}

/*
 * The record type of the next IRI of a communication leg: the first of a
 * call begins it, the call's end ends it, transactions outside a call and
 * anything after the end are reports.
 */
static enum sl_iri_type next_type(struct comm_leg *leg, bool in_call, bool ends)
{
	if (!in_call || leg->ended)
		return SL_IRI_REPORT;
	if (!leg->begun) {
		leg->begun = true;
		if (ends)
			leg->ended = true;
		return SL_IRI_BEGIN;
	}
	if (ends) {
		leg->ended = true;
		return SL_IRI_END;
	}
	return SL_IRI_CONTINUE;
}

static int emit(struct sl_ho_out *o, const struct sl_intercept *ic, const struct sl_ho_rec *rec, struct sl_ber_w *w,
		int rc)
{
	const uint8_t *p;
	size_t n;

	if (rc < 0 || !sl_ber_w_result(w, &p, &n)) {
		ctr_inc(o, SL_HO_CTR_ENCODE_ERR);
		return rc < 0 ? rc : -EINVAL;
	}
	rc = o->sink.write(o->sink.priv, ic->liid, ic->dest, rec, p, n);
	if (rc < 0) {
		ctr_inc(o, SL_HO_CTR_REFUSED);
		return rc;
	}
	ctr_inc(o, rec->stream == SL_HO_HI3 ? SL_HO_CTR_CC : SL_HO_CTR_IRI);
	return 0;
}

int sl_ho_out_event(struct sl_ho_out *o, const struct sl_match *m, const struct sl_event *ev)
{
	const struct sl_intercept *ic = m->ic;
	struct sl_pdu_ctx *pctx = pctx_of(o, ic);
	enum sl_ho_format fmt = o->sink.format(o->sink.priv, ic->dest);
	struct sl_pdu_hdr h = { .has_cin = true, .ts_us = ev->ts_us };
	struct sl_ho_rec rec;
	struct sl_ber_w w;
	struct comm *c;
	struct comm_leg *leg;
	bool in_call, ends;
	int rc;

	if (!pctx)
		return -ENOMEM;
	if (ev->type == SL_EV_RTP_STREAM)
		return 0; /* a statistics summary, not an IRI of TS 102 232-5 / TS 101 671 */
	if (ev->type == SL_EV_SIP && fmt != SL_HO_FORMAT_PS_PDU)
		return 0; /* plain HI2 receivers get the call events, not each SIP message */
	c = comm_get(o, ev->call_id);
	if (!c || !(leg = leg_get(o, c, m)))
		return -ENOMEM;
	if (!leg->cin) {
		uint32_t cin;
		if (sl_cin_next(o->cins, &cin) < 0)
			return -EIO;
		leg->cin = cin;
		ctr_inc(o, SL_HO_CTR_COMMS);
	}
	h.cin = leg->cin;
	in_call = ev->type == SL_EV_CALL || (ev->type == SL_EV_SIP && ev->sig && sip_is_call(ev->sig->sip));
	ends = ev->type == SL_EV_CALL && ev->u.call.step == SL_CALL_END;
	sl_ber_w_init(&w, o->buf, PDU_BUF);

	if (ev->type == SL_EV_SIP) {
		struct sl_ipmm_sip sip = {
			.msg = (const uint8_t *)ev->sig->sip->raw.p, .len = ev->sig->sip->raw.len,
			.src = ev->sig->src, .dst = ev->sig->dst, .iri_only = ic->scope == SL_SCOPE_IRI,
		};
		/* a warrant without the location service gets the message without the fields that locate */
		if (!(ic->services & SL_SVC_LOCATION)) {
			if (sip.len > o->redact_cap) {
				uint8_t *b = talloc_realloc_size(o, o->redact, sip.len);
				if (!b)
					return -ENOMEM;
				o->redact = b;
				o->redact_cap = sip.len;
			}
			sip.len = sl_sip_without_location(sip.msg, sip.len, o->redact);
			sip.msg = o->redact;
		}
		if (sl_seqno_next(o->seq, ic->liid, true, h.cin, SL_SEQ_IRI, &h.seqno) < 0)
			return -ENOSPC;
		rc = sl_pdu_iri_ipmm(&w, pctx, &h, next_type(leg, in_call, false), &sip);
	} else {
		struct sl_hi2_iri iri;
		sl_hi2_iri_from_event(ev, m->side == SL_TARGET_FROM, &iri);
		if (!(ic->services & SL_SVC_LOCATION))
			memset(&iri.loc, 0, sizeof(iri.loc));
		/* the short message itself is content: only under IRI+CC */
		if (ic->scope == SL_SCOPE_IRI_CC)
			sl_hi2_sms_content(ev, &iri);
		iri.type = next_type(leg, in_call, ends);
		if (fmt == SL_HO_FORMAT_PS_PDU) {
			if (sl_seqno_next(o->seq, ic->liid, true, h.cin, SL_SEQ_IRI, &h.seqno) < 0)
				return -ENOSPC;
			rc = sl_pdu_iri_hi2(&w, pctx, &h, &iri);
		} else {
			rc = sl_hi2_iris_content(&w, pctx,
						 fmt == SL_HO_FORMAT_HI2_V11 ? SL_HI2_V11_TAGGED : SL_HI2_V18_UNTAGGED,
						 h.cin, &iri);
		}
	}
	rec = (struct sl_ho_rec){ .stream = SL_HO_HI2, .has_cin = true, .cin = h.cin,
				  .has_seq = fmt == SL_HO_FORMAT_PS_PDU, .seq = h.seqno };
	return emit(o, ic, &rec, &w, rc);
}

int sl_ho_out_hi1(struct sl_ho_out *o, const struct sl_intercept *ic, enum sl_hi1_op op, uint64_t ts_us,
		  const uint32_t *seqno)
{
	struct sl_pdu_ctx *pctx = pctx_of(o, ic);
	struct sl_ho_rec rec;
	struct sl_ber_w w;
	uint32_t seq;

	if (!pctx)
		return -ENOMEM;
	if (o->sink.format(o->sink.priv, ic->dest) != SL_HO_FORMAT_PS_PDU)
		return 0;
	if (seqno)
		seq = *seqno; /* the warrant store's, which survives restarts */
	else if (sl_seqno_next(o->seq, ic->liid, false, 0, SL_SEQ_HI1, &seq) < 0)
		return -ENOSPC;
	sl_ber_w_init(&w, o->buf, PDU_BUF);
	rec = (struct sl_ho_rec){ .stream = SL_HO_HI2, .has_seq = true, .seq = seq };
	/* no target identities in the notification: the receiver knows its warrant */
	return emit(o, ic, &rec, &w, sl_pdu_hi1_notification(&w, pctx, seq, ts_us, op, NULL));
}

bool sl_ho_out_wants_cc(struct sl_ho_out *o, struct sl_str call_id)
{
	struct comm *c = comm_find(o, call_id, sl_hash(call_id.p ? call_id.p : "", key_len(call_id)));
	unsigned i;

	for (i = 0; c && i < c->n_leg; i++)
		if (c->leg[i].ic->scope == SL_SCOPE_IRI_CC)
			return true;
	return false;
}

void sl_ho_out_cc(struct sl_ho_out *o, const struct sl_cc *cc)
{
	struct comm *c;
	unsigned i;

	if (cc->kind != SL_CC_RTP && cc->kind != SL_CC_RTCP)
		return; /* message bodies travel inside the IPMMIRI's SIP message */
	c = comm_find(o, cc->call_id, sl_hash(cc->call_id.p ? cc->call_id.p : "", key_len(cc->call_id)));
	for (i = 0; c && i < c->n_leg; i++) {
		struct comm_leg *leg = &c->leg[i];
		struct sl_pdu_ctx *pctx;
		struct sl_pdu_hdr h = { .has_cin = true, .cin = leg->cin, .ts_us = cc->ts_us };
		bool caller_is_target = leg->side == SL_TARGET_FROM;
		struct sl_ipmm_cc ipcc = {
			.dir = cc->dir == SL_DIR_NONE				    ? SL_PDU_DIR_INDETERMINATE
			       : (cc->dir == SL_DIR_FROM_CALLER) == caller_is_target ? SL_PDU_FROM_TARGET
										      : SL_PDU_TO_TARGET,
			.data = cc->data, .len = cc->len, .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP,
		};
		struct sl_ho_rec rec;
		struct sl_ber_w w;

		if (leg->ic->scope != SL_SCOPE_IRI_CC || !leg->cin || !(pctx = pctx_of(o, leg->ic)))
			continue;
		if (sl_seqno_next(o->seq, leg->ic->liid, true, leg->cin, SL_SEQ_CC, &h.seqno) < 0)
			continue;
		sl_ber_w_init(&w, o->buf, PDU_BUF);
		rec = (struct sl_ho_rec){ .stream = SL_HO_HI3, .has_cin = true, .cin = leg->cin, .has_seq = true,
					  .seq = h.seqno };
		emit(o, leg->ic, &rec, &w, sl_pdu_cc_ipmm(&w, pctx, &h, &ipcc));
	}
}

struct rate_ctr_group *sl_ho_out_ctrs(struct sl_ho_out *o)
{
	return o->ctrs;
}

unsigned sl_ho_out_comms(const struct sl_ho_out *o)
{
	return o->n_comms;
}

unsigned sl_ho_out_max_comms(const struct sl_ho_out *o)
{
	return o->cfg.max_comms;
}
