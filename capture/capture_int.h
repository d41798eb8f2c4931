/*
 * Internals of the capture pipeline shared by its decoder files. Not for
 * use outside capture/: the public interface is capture.h.
 *
 * Decoding is a chain of functions each taking a per-frame decode context
 * (struct sl_dec, on the stack) and a cursor over the bytes of its layer.
 * Tunnels recurse into the chain with depth + 1, bounded by
 * max_tunnel_depth, so hostile nesting costs a counter, not the stack.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/utils.h>

#include "capture/addr.h"
#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/cursor.h"
#include "capture/sip_parse.h"

struct sl_dialogs;
struct sl_media;
struct sl_rtp_streams;
struct sl_gsm;
struct sl_dialog;
struct sl_gtp;
struct sl_ue_sess;
struct sl_ue_info;

struct sl_capture {
	struct sl_capture_cfg cfg;
	struct sl_capture_ops ops;
	struct rate_ctr_group *ctr[_SL_CG_COUNT];
	/* each group's first counter: counting is one add, not two calls into libosmocore */
	struct rate_ctr *ctr0[_SL_CG_COUNT];
	const struct llist_head *tcp_holes;	/* sl_tcp_reasm_holes(tcp): looked at every frame */

	struct sl_defrag *defrag;
	struct sl_tcp_reasm *tcp;
	struct sl_flow_table *flows;
	struct sl_dialogs *dialogs;
	struct sl_media *media;
	struct sl_rtp_streams *rtp;
	struct sl_gsm *gsm;
	struct sl_ims_sms *ims_sms;
	struct sl_sip_binds *binds;
	struct sl_uri_memo *uri_memo;		/* URI -> identities, fixed size */
	struct sl_gtp *gtp;

	uint8_t sip_port_bits[65536 / 8];	/* TCP ports always treated as SIP */
	uint8_t tap_port_bits[65536 / 8];	/* TCP ports handed to ops.tcp_data */
	uint64_t tap_flows;			/* flow ids given out by the TCP tap */
	size_t stream_bytes;			/* bytes buffered by SIP/WebSocket framing */
	uint8_t *scratch;			/* one unmasked WebSocket message */
	size_t scratch_len;

	uint64_t now_us;			/* latest packet time */
	uint64_t next_sweep_us;
	const struct sl_frame *frame;		/* frame being decoded, for logs and sl_sig */
	uint32_t first_notice[_SL_CG_COUNT][2];	/* rejection kinds already logged at NOTICE (bitmap, per group) */
};

struct sl_dec {
	struct sl_capture *cap;
	const struct sl_frame *frame;
	unsigned depth;
};

static inline void sl_ctr_inc(struct sl_capture *cap, enum sl_capture_ctr_group g, unsigned idx)
{
	cap->ctr0[g][idx].current++;
}

static inline void sl_ctr_add(struct sl_capture *cap, enum sl_capture_ctr_group g, unsigned idx, int64_t n)
{
	/* what rate_ctr_add() does, without its call and its int argument */
	cap->ctr0[g][idx].current += n;
}

/*
 * Count a rejected input and log it: at INFO every time, and once at NOTICE
 * the first time this kind of rejection happens, so an operator learns of a
 * new kind of bad input without a flood. The message names the source and
 * frame, never subscriber identities.
 */
void sl_cap_reject(struct sl_capture *cap, enum sl_capture_ctr_group g, unsigned idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* decode_link.c */
void sl_decode_link(struct sl_dec *d, int linktype, struct sl_cursor c);
void sl_decode_ethernet(struct sl_dec *d, struct sl_cursor c);
void sl_decode_ethertype(struct sl_dec *d, uint16_t type, struct sl_cursor c);

/* decode_tunnel.c */
void sl_decode_gre(struct sl_dec *d, struct sl_cursor c);
void sl_decode_vxlan(struct sl_dec *d, struct sl_cursor c);
void sl_decode_gtpu(struct sl_dec *d, struct sl_cursor c);
/* Enter one more level of encapsulation; false (counted) when too deep. */
bool sl_dec_enter_tunnel(struct sl_dec *d);

/* decode_ip.c */
void sl_decode_ip(struct sl_dec *d, struct sl_cursor c);
void sl_decode_ipv4(struct sl_dec *d, struct sl_cursor c);
void sl_decode_ipv6(struct sl_dec *d, struct sl_cursor c);

/* decode_l4.c */
void sl_decode_l4(struct sl_dec *d, uint8_t proto, const struct sl_addr *src, const struct sl_addr *dst,
		  struct sl_cursor c);

/* sip_stream.c: TCP flows carrying SIP (plain or WebSocket) */
bool sl_sip_stream_wants(struct sl_capture *cap, uint16_t sport, uint16_t dport, struct sl_cursor payload, uint8_t flags);
void sl_sip_stream_segment(struct sl_dec *d, struct sl_flow *f, int dir, const struct sl_tcp_seg *seg);
void sl_sip_stream_release(struct sl_flow *f, enum sl_flow_end why, void *priv);
/* A hole of direction dir has been open for the hole timeout: give up on it, frame what was behind it. */
void sl_sip_stream_hole_due(struct sl_capture *cap, struct sl_flow *f, int dir);

/* tcp_tap.c: TCP flows on tap ports, reassembled bytes to ops.tcp_data */
bool sl_tcp_tap_port(const struct sl_capture *cap, uint16_t sport, uint16_t dport);
void sl_tcp_tap_segment(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			const struct sl_tcp_seg *seg);
/* The flow table's release callback: tap flows here, the others to sl_sip_stream_release. */
void sl_tcp_flow_release(struct sl_flow *f, enum sl_flow_end why, void *priv);
/* Give up on every TCP hole open for the hole timeout at cap->now_us (tap and SIP flows). */
void sl_tcp_expire_holes(struct sl_capture *cap);

/* sip_handle.c: one complete SIP message -> events */
void sl_sip_handle(struct sl_capture *cap, struct sl_sig *sig, const char *p, size_t len, unsigned mode);
/* The same for a message a stream framer has parsed already (err != OK: count and log the rejection). */
void sl_sip_handle_parsed(struct sl_capture *cap, struct sl_sig *sig, const struct sl_sip_msg *m, enum sl_sip_err err,
			  const char *p, size_t len);

/* dialog.c */
struct sl_dialogs *sl_dialogs_alloc(struct sl_capture *cap);
/* Track the message's dialog, emit its SIP event (ev, with dialog and dir filled in) and what follows. */
void sl_dialogs_on_sip(struct sl_capture *cap, const struct sl_sig *sig, const struct sl_sip_msg *m, struct sl_event *ev);
/* sip_location.c: a location event when the message's dialog shows a new cell (ev: its sip event) */
void sl_sip_location(struct sl_capture *cap, const struct sl_sig *sig, const struct sl_sip_msg *m,
		     const struct sl_event *ev);
void sl_dialogs_expire(struct sl_capture *cap, uint64_t now_us);
void sl_dialogs_flush(struct sl_capture *cap);
unsigned sl_dialogs_count(const struct sl_dialogs *ds);

/* media.c: SDP endpoints -> dialog */
struct sl_media *sl_media_alloc(struct sl_capture *cap);
struct sl_dialog;
void sl_media_learn(struct sl_capture *cap, struct sl_dialog *dlg, struct sl_str body_ct, struct sl_str body, bool from_caller);
void sl_media_forget_dialog(struct sl_capture *cap, struct sl_dialog *dlg);
unsigned sl_media_count(const struct sl_media *m);

/* rtp_stream.c */
struct sl_rtp_streams *sl_rtp_streams_alloc(struct sl_capture *cap);
/* A UDP datagram not recognised as SIP: RTP/RTCP of a known dialog? Returns true if consumed. */
bool sl_rtp_on_datagram(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			struct sl_cursor payload);
void sl_rtp_dialog_gone(struct sl_capture *cap, struct sl_dialog *dlg);
void sl_rtp_expire(struct sl_capture *cap, uint64_t now_us);
void sl_rtp_flush(struct sl_capture *cap);
unsigned sl_rtp_count(const struct sl_rtp_streams *rs);

/* gsm_handle.c: GSMTAP datagrams -> identity, call and sms events */
struct sl_gsm *sl_gsm_alloc(struct sl_capture *cap);

void sl_gsm_on_datagram(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			struct sl_cursor payload);
/* Timers: calls without clearing, silent streams. */
void sl_gsm_expire(struct sl_capture *cap, uint64_t now_us);
void sl_gsm_flush(struct sl_capture *cap);

/*
 * ims_sms.c: SMS over IP (TS 24.341). RP-DATA awaiting their RP-ACK or
 * RP-ERROR, so that a delivery report names the message it answers.
 */
#define SL_IMS_SMS_PENDING 32
#define SL_IMS_SMS_REPORT_WINDOW_US (60u * 1000000u)	/* longer than TR1M/TR2M of TS 24.011 10 */
struct sl_ims_sms_pending {
	bool used;
	bool mo;			/* the RP-DATA went from the phone */
	uint8_t rp_ref;
	uint64_t ts_us;
	struct sl_party ue;		/* the phone's identities */
	char call_id[128];
};
struct sl_ims_sms {
	struct sl_ims_sms_pending p[SL_IMS_SMS_PENDING];
	unsigned next;			/* ring: the oldest slot is reused */
};
/*
 * A SIP MESSAGE whose body has an application/vnd.3gpp.sms part: decode the
 * RP message and emit an sms event (content, the text, when the consumer
 * asked on d). False when the body is not one (the caller emits its plain
 * message event instead).
 */
bool sl_ims_sms_message(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			const struct sl_sip_msg *m, const struct sl_event *sipev);

/*
 * sip_bind.c: the IMSI and IMEI a successful registration showed, bound to
 * its public identities until it expires (packet time) or is undone.
 */
#define SL_SIP_BIND_MAX 4096
struct sl_sip_binds;
struct sl_sip_binds *sl_sip_binds_alloc(void *ctx);
/* p: the registering party; associated: the 2xx's P-Associated-URI value (public identities of the same subscription) */
void sl_sip_bind_learn(struct sl_capture *cap, const struct sl_party *p, struct sl_str associated, uint64_t expires_us);
void sl_sip_bind_forget(struct sl_capture *cap, const struct sl_party *p, struct sl_str associated);
/* Add the bound IMSI/IMEI to a party that carries a bound public identity. */
void sl_sip_bind_enrich(struct sl_capture *cap, struct sl_party *p, uint64_t now_us);
unsigned sl_sip_binds_count(const struct sl_capture *cap);
/* gtp_handle.c: GTPv2-C datagrams -> UE binding table and bearer events */
struct sl_gtp *sl_gtp_alloc(struct sl_capture *cap);
void sl_gtp_on_datagram(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			struct sl_cursor payload);
/* The newest session bound to a UE address, or NULL (nothing bound: no hashing at all). */
const struct sl_ue_sess *sl_gtp_lookup(const struct sl_capture *cap, const struct sl_addr *a);
/* Add a UE's IMSI, MSISDN (E.164) and IMEI to a party. */
void sl_ue_party_add(struct sl_party *p, const struct sl_ue_info *ue);
void sl_gtp_expire(struct sl_capture *cap, uint64_t now_us);
void sl_gtp_flush(struct sl_capture *cap);
unsigned sl_gtp_count(const struct sl_capture *cap);

/* report.c: the consumer's event callback */
void sl_cap_emit(struct sl_capture *cap, const struct sl_event *ev);
