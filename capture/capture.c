/*
 * The capture pipeline object (see capture.h): configuration defaults,
 * allocation of every table under one talloc context, the per-frame entry
 * point, packet-time timers and the end-of-capture flush.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/utils.h>
#include <talloc.h>

#include "capture/capture_int.h"
#include "capture/log.h"
#include "capture/uri_memo.h"

/* How often (packet time) the timer queues are looked at. */
#define SWEEP_INTERVAL_US 250000

void sl_capture_cfg_default(struct sl_capture_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	sl_defrag_cfg_default(&cfg->defrag);
	sl_tcp_reasm_cfg_default(&cfg->tcp);
	sl_flow_table_cfg_default(&cfg->flows);
	sl_numbering_default(&cfg->numbering);
	cfg->max_sip_message = 65535;
	cfg->max_stream_bytes = 64 * 1024 * 1024;
	cfg->sip_ports[0] = 5060;
	cfg->n_sip_ports = 1;
	cfg->max_dialogs = 50000;
	cfg->invite_timeout_us = 180ull * 1000000;
	cfg->session_timeout_us = 4ull * 3600 * 1000000;
	cfg->transaction_timeout_us = 32ull * 1000000;
	cfg->linger_us = 32ull * 1000000;
	cfg->max_media = 200000;
	cfg->max_rtp_streams = 100000;
	cfg->rtp_idle_us = 30ull * 1000000;
	cfg->max_tunnel_depth = 4;
	cfg->vxlan_port = 4789;
	cfg->gtpu_port = 2152;
	cfg->gsmtap_port = 4729;
	cfg->gtpc_port = 2123;
	cfg->max_ue_sessions = 100000;
	cfg->ue_idle_us = 24ull * 3600 * 1000000;
}

static int capture_destructor(struct sl_capture *cap)
{
	int i;

	/* flows first: their release callback touches the stream byte accounting */
	if (cap->flows)
		sl_flow_table_free(cap->flows);
	cap->flows = NULL;
	for (i = 0; i < _SL_CG_COUNT; i++)
		if (i == SL_CG_DECODE || i == SL_CG_SIP || i == SL_CG_DIALOG || i == SL_CG_RTP || i == SL_CG_GSM || i == SL_CG_GTP)
			if (cap->ctr[i])
				rate_ctr_group_free(cap->ctr[i]);
	if (cap->tcp)
		sl_tcp_reasm_free(cap->tcp);
	if (cap->defrag)
		sl_defrag_free(cap->defrag);
	return 0;
}

struct sl_capture *sl_capture_alloc(void *ctx, const struct sl_capture_cfg *cfg, const struct sl_capture_ops *ops,
				    unsigned int idx)
{
	struct sl_capture *cap = talloc_zero(ctx, struct sl_capture);
	unsigned i;

	if (!cap)
		return NULL;
	talloc_set_name_const(cap, "sl_capture");
	talloc_set_destructor(cap, capture_destructor);
	cap->cfg = *cfg;
	if (ops)
		cap->ops = *ops;
	for (i = 0; i < cfg->n_sip_ports && i < SL_CAPTURE_MAX_SIP_PORTS; i++)
		cap->sip_port_bits[cfg->sip_ports[i] >> 3] |= (uint8_t)(1u << (cfg->sip_ports[i] & 7));
	for (i = 0; cap->ops.tcp_data && i < cfg->n_tcp_tap_ports && i < SL_CAPTURE_MAX_TAP_PORTS; i++)
		cap->tap_port_bits[cfg->tcp_tap_ports[i] >> 3] |= (uint8_t)(1u << (cfg->tcp_tap_ports[i] & 7));

	cap->ctr[SL_CG_DECODE] = rate_ctr_group_alloc(cap, &sl_decode_ctrg_desc, idx);
	cap->ctr[SL_CG_SIP] = rate_ctr_group_alloc(cap, &sl_sip_ctrg_desc, idx);
	cap->ctr[SL_CG_DIALOG] = rate_ctr_group_alloc(cap, &sl_dialog_ctrg_desc, idx);
	cap->ctr[SL_CG_RTP] = rate_ctr_group_alloc(cap, &sl_rtp_ctrg_desc, idx);
	cap->ctr[SL_CG_GSM] = rate_ctr_group_alloc(cap, &sl_gsm_ctrg_desc, idx);
	cap->ctr[SL_CG_GTP] = rate_ctr_group_alloc(cap, &sl_gtp_ctrg_desc, idx);
	cap->defrag = sl_defrag_alloc(cap, &cfg->defrag, idx);
	cap->tcp = sl_tcp_reasm_alloc(cap, &cfg->tcp, idx);
	if (cap->tcp)
		cap->flows = sl_flow_table_alloc(cap, &cfg->flows, cap->tcp, sl_tcp_flow_release, cap, idx);
	cap->dialogs = sl_dialogs_alloc(cap);
	cap->media = sl_media_alloc(cap);
	cap->rtp = sl_rtp_streams_alloc(cap);
	cap->gsm = sl_gsm_alloc(cap);
	cap->ims_sms = talloc_zero(cap, struct sl_ims_sms);
	cap->binds = sl_sip_binds_alloc(cap);
	cap->uri_memo = sl_uri_memo_alloc(cap);
	if (cap->ctr[SL_CG_GTP])
		cap->gtp = sl_gtp_alloc(cap);
	if (!cap->ctr[SL_CG_DECODE] || !cap->ctr[SL_CG_SIP] || !cap->ctr[SL_CG_DIALOG] || !cap->ctr[SL_CG_RTP] || !cap->ctr[SL_CG_GSM] || !cap->gsm ||
	    !cap->ims_sms || !cap->binds || !cap->uri_memo || !cap->ctr[SL_CG_GTP] || !cap->gtp ||
	    !cap->defrag || !cap->tcp || !cap->flows || !cap->dialogs || !cap->media || !cap->rtp) {
		talloc_free(cap);
		return NULL;
	}
	cap->ctr[SL_CG_DEFRAG] = sl_defrag_ctrs(cap->defrag);
	cap->ctr[SL_CG_TCP] = sl_tcp_reasm_ctrs(cap->tcp);
	cap->ctr[SL_CG_FLOW] = sl_flow_table_ctrs(cap->flows);
	for (i = 0; i < _SL_CG_COUNT; i++)
		cap->ctr0[i] = rate_ctr_group_get_ctr(cap->ctr[i], 0);
	cap->tcp_holes = sl_tcp_reasm_holes(cap->tcp);
	return cap;
}

void sl_capture_free(struct sl_capture *cap)
{
	talloc_free(cap);
}

static void run_timers(struct sl_capture *cap)
{
	sl_defrag_expire(cap->defrag, cap->now_us);
	sl_flow_table_expire(cap->flows, cap->now_us);
	sl_dialogs_expire(cap, cap->now_us);
	sl_rtp_expire(cap, cap->now_us);
	sl_gsm_expire(cap, cap->now_us);
	sl_gtp_expire(cap, cap->now_us);
	cap->next_sweep_us = cap->now_us + SWEEP_INTERVAL_US;
}

void sl_capture_advance(struct sl_capture *cap, uint64_t now_us)
{
	/* packet time only moves forward: a capture with a timestamp step back must not re-arm expired state */
	if (now_us > cap->now_us)
		cap->now_us = now_us;
	/* a lost TCP segment holds later messages for the hole timeout at most: look every frame */
	if (!llist_empty(cap->tcp_holes))
		sl_tcp_expire_holes(cap);
	if (cap->now_us >= cap->next_sweep_us)
		run_timers(cap);
}

void sl_capture_frame(struct sl_capture *cap, const struct sl_frame *f)
{
	struct sl_dec d = { .cap = cap, .frame = f, .depth = 0 };

	sl_capture_advance(cap, f->ts_us);
	sl_ctr_inc(cap, SL_CG_DECODE, SL_DEC_FRAMES);
	sl_ctr_add(cap, SL_CG_DECODE, SL_DEC_BYTES, f->caplen);
	if (f->caplen < f->len)
		sl_ctr_inc(cap, SL_CG_DECODE, SL_DEC_SNAPPED);
	cap->frame = f;
	sl_decode_link(&d, f->linktype, sl_cur(f->data, f->caplen));
	cap->frame = NULL;
}

void sl_capture_flush(struct sl_capture *cap)
{
	/* streams first so summaries still see their dialogs, then dialogs, then flows */
	sl_flow_table_flush(cap->flows);
	sl_rtp_flush(cap);
	sl_dialogs_flush(cap);
	sl_gsm_flush(cap);
	sl_gtp_flush(cap);
}

void sl_capture_usage(const struct sl_capture *cap, struct sl_capture_usage *u)
{
	memset(u, 0, sizeof(*u));
	u->flows = sl_flow_table_count(cap->flows);
	u->dialogs = sl_dialogs_count(cap->dialogs);
	u->media = sl_media_count(cap->media);
	u->rtp_streams = sl_rtp_count(cap->rtp);
	u->frag_datagrams = sl_defrag_datagrams(cap->defrag);
	u->frag_bytes = sl_defrag_bytes(cap->defrag);
	u->tcp_ooo_bytes = sl_tcp_reasm_bytes(cap->tcp);
	u->stream_bytes = cap->stream_bytes;
	u->ue_sessions = sl_gtp_count(cap);
}

struct rate_ctr_group *sl_capture_ctrs(struct sl_capture *cap, enum sl_capture_ctr_group g)
{
	return cap->ctr[g];
}
