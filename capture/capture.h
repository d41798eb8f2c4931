/*
 * The capture pipeline: frames in, events and content out.
 *
 * sl_capture owns every piece of decoding state of one process (fragment
 * tables, TCP flows, dialogs, media endpoints, RTP streams) and runs each
 * frame through link -> tunnels -> IP (+defragmentation) -> UDP/TCP
 * (+reassembly) -> SIP/SDP/RTP or GSMTAP/GSM DTAP/SMS, calling the consumer's callbacks
 * synchronously. It knows nothing of warrants or consent: it reports what it
 * saw, and hands content only for dialogs a consumer marked.
 *
 * Time is packet time. Every frame carries its capture timestamp and all
 * timeouts (fragments, flows, dialogs, streams) run on it, so a capture file
 * behaves the same offline as it did live. A live reader with no traffic
 * calls sl_capture_advance with the wall clock so timers still fire.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/event.h"
#include "capture/flow_table.h"
#include "capture/identity.h"
#include "capture/ip_defrag.h"
#include "capture/tcp_reassembly.h"

#define SL_CAPTURE_MAX_SIP_PORTS 16
#define SL_CAPTURE_MAX_TAP_PORTS 16

struct sl_capture_cfg {
	struct sl_defrag_cfg defrag;
	struct sl_tcp_reasm_cfg tcp;
	struct sl_flow_table_cfg flows;
	struct sl_numbering numbering;

	size_t max_sip_message;		/* largest SIP message framed from a TCP stream */
	size_t max_stream_bytes;	/* framing buffers of all TCP/WebSocket flows together */
	uint16_t sip_ports[SL_CAPTURE_MAX_SIP_PORTS]; /* TCP ports always treated as SIP */
	unsigned n_sip_ports;
	/*
	 * TCP ports whose connections are handed to ops.tcp_data as reassembled
	 * bytes instead of being framed as SIP (takes precedence over sip_ports;
	 * ignored without a tcp_data callback).
	 */
	uint16_t tcp_tap_ports[SL_CAPTURE_MAX_TAP_PORTS];
	unsigned n_tcp_tap_ports;

	unsigned max_dialogs;		/* calls, registrations and messages tracked at once */
	uint64_t invite_timeout_us;	/* no final response to an INVITE */
	uint64_t session_timeout_us;	/* answered call without BYE */
	uint64_t transaction_timeout_us; /* REGISTER/MESSAGE without final response */
	uint64_t linger_us;		/* keep ended dialogs for retransmissions and trailing media */

	unsigned max_media;		/* SDP media endpoints indexed */
	unsigned max_rtp_streams;
	uint64_t rtp_idle_us;		/* a stream with no packet for this long has ended */

	unsigned max_tunnel_depth;	/* nested encapsulations (GRE, VXLAN, GTP-U, IP-in-IP) */
	uint16_t vxlan_port;		/* 0: VXLAN off */
	uint16_t gtpu_port;		/* 0: GTP-U off */
	uint16_t gsmtap_port;		/* 0: GSMTAP off */
	uint16_t gtpc_port;		/* 0: GTPv2-C off */
	unsigned max_ue_sessions;	/* GTPv2-C sessions (UE bindings) tracked at once */
	uint64_t ue_idle_us;		/* a session with no GTPv2-C message for this long is forgotten */
};

void sl_capture_cfg_default(struct sl_capture_cfg *cfg);

/*
 * The TCP tap: for connections on a port listed in tcp_tap_ports the
 * pipeline does no parsing of its own; it reassembles each direction with
 * the same flow table and reassembler as SIP over TCP (same limits, same
 * counters) and hands the consumer the in-order bytes, so a consumer can
 * frame a protocol capture/ knows nothing about (handover PDUs for
 * `sluice decode --pcap`). For each direction the consumer sees BYTES in
 * stream order, a GAP where the reassembler gave up on lost bytes (data
 * after it continues mid-stream: resynchronise), and one END when the
 * flow is removed (both FINs, RST, idle, evicted, capture end), after any
 * bytes held behind a hole were delivered.
 */
enum sl_tcp_data_kind { SL_TCP_DATA_BYTES, SL_TCP_DATA_GAP, SL_TCP_DATA_END };

struct sl_tcp_data {
	enum sl_tcp_data_kind kind;
	uint64_t flow_id;		/* 1, 2, ...: distinct for each connection a pipeline taps */
	int dir;			/* 0, 1: the two directions of the flow */
	struct sl_endpoint src, dst;	/* of this direction */
	uint64_t ts_us;			/* frame that delivered the bytes (END: the flow's last) */
	uint32_t source;
	uint64_t frame;
	const uint8_t *p;		/* BYTES: valid during the call only */
	size_t len;
	uint32_t gap;			/* GAP: bytes missing before the next BYTES */
	enum sl_flow_end why;		/* END */
};

struct sl_capture_ops {
	void (*event)(const struct sl_event *ev, void *priv);
	void (*cc)(const struct sl_cc *cc, void *priv);	/* may be NULL: no content wanted */
	/* may be NULL: no TCP tap (see struct sl_tcp_data) */
	void (*tcp_data)(const struct sl_tcp_data *d, void *priv);
	void *priv;
};

/* One captured frame as the source read it. */
struct sl_frame {
	uint64_t ts_us;
	uint32_t source;
	uint64_t number;		/* 1-based frame number within the source */
	int linktype;			/* DLT_* */
	const uint8_t *data;
	uint32_t caplen, len;
};

struct sl_capture;

/* idx distinguishes counter groups when one process runs several pipelines. */
struct sl_capture *sl_capture_alloc(void *ctx, const struct sl_capture_cfg *cfg, const struct sl_capture_ops *ops,
				    unsigned int idx);
void sl_capture_free(struct sl_capture *cap);

void sl_capture_frame(struct sl_capture *cap, const struct sl_frame *f);
/* Run timers up to now_us (live capture with no traffic). */
void sl_capture_advance(struct sl_capture *cap, uint64_t now_us);
/* End of capture: give up on holes, end open calls and streams (SL_END_CAPTURE_END). */
void sl_capture_flush(struct sl_capture *cap);

/* Is this link type one the pipeline decodes? */
bool sl_capture_linktype_supported(int linktype);

struct sl_capture_usage {
	unsigned flows, dialogs, media, rtp_streams, frag_datagrams, ue_sessions;
	size_t frag_bytes, tcp_ooo_bytes, stream_bytes;
};
void sl_capture_usage(const struct sl_capture *cap, struct sl_capture_usage *u);

/* Counter groups, for `show capture` and totals. */
enum sl_capture_ctr_group {
	SL_CG_DECODE, SL_CG_DEFRAG, SL_CG_TCP, SL_CG_FLOW, SL_CG_SIP, SL_CG_DIALOG, SL_CG_RTP, SL_CG_GSM, SL_CG_GTP, _SL_CG_COUNT
};
struct rate_ctr_group *sl_capture_ctrs(struct sl_capture *cap, enum sl_capture_ctr_group g);
