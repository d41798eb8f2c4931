/*
 * GSMTAP datagrams in, identity, call and sms events out.
 *
 * Runs gsmtap.c (GSMTAP header and GSM layer 2), lapdm_reasm.c (LAPDm
 * segments) and gsm48_dtap.c (TS 24.008 DTAP) in turn, counting each
 * rejection under its layer's name: a mobile identity in an MM message, paging response or
 * ciphering mode complete (TS 24.008 clause 4.4, 4.3.3, 4.5.1.1) is an
 * identity event and is remembered for the stream's phone (gsm_int.h);
 * CP-DATA goes to gsm_sms.c, CC messages to gsm_call.c.
 */
#include <string.h>

#include <talloc.h>

#include "capture/gsm_int.h"

struct sl_gsm *sl_gsm_alloc(struct sl_capture *cap)
{
	struct sl_gsm *g = talloc_zero(cap, struct sl_gsm);

	if (!g)
		return NULL;
	g->sms_dlg.kind = SL_DLG_KIND_MESSAGE;
	return g;
}

static struct sl_gsm_stream *stream_get(struct sl_capture *cap, uint32_t source, const struct sl_endpoint *src,
					const struct sl_endpoint *dst, uint64_t now_us)
{
	struct sl_gsm *g = cap->gsm;
	struct sl_gsm_stream *st, *free_st = NULL, *oldest = NULL;
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_STREAMS; i++) {
		st = &g->stream[i];
		if (!st->used) {
			if (!free_st)
				free_st = st;
			continue;
		}
		if (st->source == source && ((sl_endpoint_eq(&st->a, src) && sl_endpoint_eq(&st->b, dst)) ||
					     (sl_endpoint_eq(&st->a, dst) && sl_endpoint_eq(&st->b, src)))) {
			st->last_us = now_us;
			return st;
		}
		if (!oldest || st->last_us < oldest->last_us)
			oldest = st;
	}
	st = free_st;
	if (!st) {
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_STREAMS_EVICTED);
		sl_gsm_calls_end(cap, oldest, SL_END_EVICTED, now_us);
		st = oldest;
	}
	memset(st, 0, sizeof(*st));
	st->used = true;
	st->source = source;
	st->a = *src;
	st->b = *dst;
	st->last_us = now_us;
	return st;
}

/*
 * Remember an identity of the stream's phone. A different IMSI, or a TMSI
 * or IMSI in a new connection request (LU, CM service, paging response)
 * that matches nothing known, is another phone: forget the old one.
 */
static void ms_learn(struct sl_gsm_stream *st, const struct sl_gsm48 *l3, struct sl_identity *seen)
{
	const struct sl_gsm_mi *mi = &l3->mi;
	bool new_conn = l3->msg == SL_GSM48_LU_REQUEST || l3->msg == SL_GSM48_CM_SERVICE_REQUEST ||
			l3->msg == SL_GSM48_PAGING_RESPONSE;
	const struct sl_identity *known;

	memset(seen, 0, sizeof(*seen));
	switch (mi->type) {
	case SL_GSM_MI_IMSI:
		seen->type = SL_ID_IMSI;
		OSMO_STRLCPY_ARRAY(seen->value, mi->digits);
		break;
	case SL_GSM_MI_TMSI:
		seen->type = SL_ID_TMSI;
		OSMO_STRLCPY_ARRAY(seen->value, mi->digits);
		break;
	case SL_GSM_MI_IMEI:
	case SL_GSM_MI_IMEISV:
		seen->type = SL_ID_IMEI;
		if (!sl_gsm_imei_of(mi, seen->value, sizeof(seen->value)))
			OSMO_STRLCPY_ARRAY(seen->value, mi->digits);
		break;
	default:
		return;
	}
	known = sl_party_first(&st->ms, (enum sl_id_type)seen->type);
	if (seen->type == SL_ID_IMSI && known && strcmp(known->value, seen->value))
		memset(&st->ms, 0, sizeof(st->ms));
	else if (new_conn && seen->type != SL_ID_IMEI && !sl_party_has(&st->ms, (enum sl_id_type)seen->type, seen->value))
		memset(&st->ms, 0, sizeof(st->ms));
	if (seen->type == SL_ID_TMSI && l3->msg != SL_GSM48_CM_SERVICE_REQUEST && l3->msg != SL_GSM48_LU_REQUEST &&
	    l3->msg != SL_GSM48_PAGING_RESPONSE && known) {
		/* a TMSI (re)allocation replaces the old TMSI */
		unsigned i, o = 0;
		for (i = 0; i < st->ms.n; i++)
			if (st->ms.id[i].type != SL_ID_TMSI)
				st->ms.id[o++] = st->ms.id[i];
		st->ms.n = o;
	}
	sl_party_add(&st->ms, (enum sl_id_type)seen->type, seen->value);
}

static void on_identity(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_gsm48 *l3)
{
	struct sl_event ev;
	struct sl_party before = m->st->ms;
	unsigned i;

	memset(&ev, 0, sizeof(ev));
	ms_learn(m->st, l3, &ev.u.identity.seen);
	if (ev.u.identity.seen.type == SL_ID_NONE)
		return;
	ev.type = SL_EV_IDENTITY;
	ev.ts_us = m->sig.ts_us;
	ev.sig = &m->sig;
	ev.from = m->st->ms;
	/* a reallocation's event names the TMSI it replaces too: that pair is the association */
	if (l3->msg == SL_GSM48_LU_ACCEPT || l3->msg == SL_GSM48_TMSI_REALLOC_CMD)
		for (i = 0; i < before.n; i++)
			sl_party_add(&ev.from, (enum sl_id_type)before.id[i].type, before.id[i].value);
	ev.dir = m->tap->uplink ? SL_DIR_FROM_CALLER : SL_DIR_FROM_CALLEE;
	ev.u.identity.procedure = sl_gsm48_msg_names[l3->msg];
	ev.u.identity.mi_type = sl_gsm_mi_type_names[l3->mi.type];
	if (l3->has_lai) {
		ev.u.identity.has_lai = true;
		OSMO_STRLCPY_ARRAY(ev.u.identity.mcc, l3->lai.mcc);
		OSMO_STRLCPY_ARRAY(ev.u.identity.mnc, l3->lai.mnc);
		ev.u.identity.lac = l3->lai.lac;
	}
	sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_IDENTITIES);
	sl_cap_emit(cap, &ev);
}

/* Um I frames through LAPDm reassembly; false when there is no complete message (yet). */
static bool reassemble(struct sl_dec *d, const struct sl_gsmtap *tap, struct sl_cursor *l3c)
{
	struct sl_capture *cap = d->cap;
	struct sl_lapdm_key k = {
		.source = d->frame->source, .arfcn = tap->arfcn, .timeslot = tap->timeslot, .sub_slot = tap->sub_slot,
		.chan = tap->sub_type, .sapi = tap->sapi, .uplink = tap->uplink,
	};
	struct sl_cursor whole;
	bool evicted;
	enum sl_lapdm_res r = sl_lapdm_push(&cap->gsm->lapdm, &k, tap->ns, tap->more, *l3c, d->frame->ts_us, &whole,
					    &evicted);

	if (evicted)
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_LAPDM_EVICTED);
	switch (r) {
	case SL_LAPDM_PASS:
		return true;
	case SL_LAPDM_DONE:
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_LAPDM_REASSEMBLED);
		*l3c = whole;
		return true;
	case SL_LAPDM_DUP:
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_LAPDM_DUP);
		return false;
	case SL_LAPDM_RESTARTED:
		sl_cap_reject(cap, SL_CG_GSM, SL_GSMC_LAPDM_GAP, "LAPDm N(S) %u out of sequence", tap->ns);
		return false;
	case SL_LAPDM_OVERFLOW:
		sl_cap_reject(cap, SL_CG_GSM, SL_GSMC_LAPDM_OVERFLOW, "LAPDm message over %u octets", SL_LAPDM_MAX_MSG);
		return false;
	default:
		return false;	/* held */
	}
}

void sl_gsm_on_datagram(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			struct sl_cursor payload)
{
	static const unsigned tap_ctr[_SL_GSMTAP_RES_COUNT] = {
		[SL_GSMTAP_TRUNCATED] = SL_GSMC_TRUNCATED, [SL_GSMTAP_MALFORMED] = SL_GSMC_MALFORMED,
		[SL_GSMTAP_SEGMENTED] = SL_GSMC_SEGMENTED,
	};
	static const unsigned l3_ctr[_SL_GSM48_RES_COUNT] = {
		[SL_GSM48_TRUNCATED] = SL_GSMC_DTAP_TRUNCATED, [SL_GSM48_MALFORMED] = SL_GSMC_DTAP_MALFORMED,
		[SL_GSM48_UNSUPPORTED] = SL_GSMC_DTAP_UNSUPPORTED,
	};
	struct sl_capture *cap = d->cap;
	struct sl_gsmtap tap;
	struct sl_cursor l3c;
	struct sl_gsm48 l3;
	struct sl_gsm_msg m;
	enum sl_gsmtap_res tr;
	enum sl_gsm48_res lr;

	sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_FRAMES);
	tr = sl_gsmtap_decode(payload, &tap, &l3c);
	switch (tr) {
	case SL_GSMTAP_L3:
		break;
	case SL_GSMTAP_OTHER:
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_OTHER);
		return;
	case SL_GSMTAP_NO_L3:
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_NO_L3);
		return;
	default:
		sl_cap_reject(cap, SL_CG_GSM, tap_ctr[tr], "GSMTAP frame of %zu bytes rejected", payload.left);
		return;
	}
	if (tap.iframe && !reassemble(d, &tap, &l3c))
		return;
	lr = sl_gsm48_decode(l3c, &l3);
	if (lr == SL_GSM48_IGNORED) {
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_DTAP_IGNORED);
		return;
	}
	if (lr != SL_GSM48_OK) {
		sl_cap_reject(cap, SL_CG_GSM, l3_ctr[lr], "DTAP message (pd %u type 0x%02x) rejected", l3.pd, l3.msg_type);
		return;
	}
	sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_DTAP);

	memset(&m, 0, sizeof(m));
	m.sig.ts_us = d->frame->ts_us;
	m.sig.source = d->frame->source;
	m.sig.frame = d->frame->number;
	m.sig.src = *src;
	m.sig.dst = *dst;
	m.sig.transport = SL_TRANSPORT_UDP;
	m.tap = &tap;
	m.st = stream_get(cap, d->frame->source, src, dst, d->frame->ts_us);

	if (l3.has_mi)
		on_identity(cap, &m, &l3);
	switch (l3.msg) {
	case SL_GSM48_CP_DATA:
		sl_gsm_sms_rp(cap, &m, &l3);
		break;
	case SL_GSM48_CC_SETUP:
	case SL_GSM48_CC_CALL_PROCEEDING:
	case SL_GSM48_CC_ALERTING:
	case SL_GSM48_CC_CONNECT:
	case SL_GSM48_CC_DISCONNECT:
	case SL_GSM48_CC_RELEASE:
	case SL_GSM48_CC_RELEASE_COMPLETE:
		sl_gsm_cc(cap, &m, &l3);
		break;
	default:
		break;
	}
}

void sl_gsm_expire(struct sl_capture *cap, uint64_t now_us)
{
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_STREAMS; i++) {
		struct sl_gsm_stream *st = &cap->gsm->stream[i];
		if (!st->used)
			continue;
		sl_gsm_calls_expire(cap, st, now_us);
		/* a stream silent for a session timeout is forgotten with its phone's identities */
		if (now_us - st->last_us > cap->cfg.session_timeout_us) {
			sl_gsm_calls_end(cap, st, SL_END_TIMEOUT, now_us);
			memset(st, 0, sizeof(*st));
		}
	}
}

void sl_gsm_flush(struct sl_capture *cap)
{
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_STREAMS; i++)
		if (cap->gsm->stream[i].used)
			sl_gsm_calls_end(cap, &cap->gsm->stream[i], SL_END_CAPTURE_END, cap->now_us);
}
