/*
 * Counters of the capture pipeline, as enum-indexed rate_ctr tables.
 *
 * Every rejection has a stable name and its own counter (truncated vs
 * malformed vs unsupported, per layer), so an operator can tell "the
 * mirror port snaps frames short" from "someone sends garbage on 5060".
 * docs/counters.md is generated from these tables (`sluice counters`).
 * The "defrag", "tcp" and "flow" groups live with their modules.
 */
#pragma once

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>

#include "capture/event.h"
#include "capture/sip_parse.h"

enum sl_decode_ctr {
	SL_DEC_FRAMES,
	SL_DEC_BYTES,
	SL_DEC_SNAPPED,
	SL_DEC_LINK_UNSUPPORTED,
	SL_DEC_L2_TRUNCATED,
	SL_DEC_VLAN_TRUNCATED,
	SL_DEC_MPLS_TRUNCATED,
	SL_DEC_MPLS_UNSUPPORTED,
	SL_DEC_GRE_TRUNCATED,
	SL_DEC_GRE_UNSUPPORTED,
	SL_DEC_ERSPAN_TRUNCATED,
	SL_DEC_ERSPAN_UNSUPPORTED,
	SL_DEC_VXLAN_TRUNCATED,
	SL_DEC_GTPU_TRUNCATED,
	SL_DEC_GTPU_MALFORMED,
	SL_DEC_TUNNEL_TOO_DEEP,
	SL_DEC_IPV4_TRUNCATED,
	SL_DEC_IPV4_MALFORMED,
	SL_DEC_IPV6_TRUNCATED,
	SL_DEC_IPV6_MALFORMED,
	SL_DEC_IPV6_UNSUPPORTED,
	SL_DEC_UDP_TRUNCATED,
	SL_DEC_UDP_MALFORMED,
	SL_DEC_TCP_TRUNCATED,
	SL_DEC_TCP_MALFORMED,
	SL_DEC_OTHER_L3,
	SL_DEC_OTHER_L4,
	SL_DEC_UDP_UNMATCHED,
	SL_DEC_TCP_UNMATCHED,
	_SL_DEC_COUNT
};

enum sl_sip_ctr {
	SL_SIPC_MSG_UDP,
	SL_SIPC_MSG_TCP,
	SL_SIPC_MSG_WS,
	SL_SIPC_REQUESTS,
	SL_SIPC_RESPONSES,
	SL_SIPC_ERR_BASE,	/* one counter per enum sl_sip_err, OK slot unused */
	SL_SIPC_BODY_TRUNCATED = SL_SIPC_ERR_BASE + _SL_SIP_ERR_COUNT,
	SL_SIPC_SDP_MALFORMED,
	SL_SIPC_MULTIPART_MALFORMED,
	SL_SIPC_STREAM_RESYNC,
	SL_SIPC_STREAM_RESYNC_BYTES,
	SL_SIPC_STREAM_GAP,
	SL_SIPC_STREAM_OVERSIZE,
	SL_SIPC_STREAM_LIMIT,
	SL_SIPC_WS_HANDSHAKES,
	SL_SIPC_WS_FRAMES,
	SL_SIPC_WS_CONTROL,
	SL_SIPC_WS_MALFORMED,
	_SL_SIPC_COUNT
};

enum sl_dialog_ctr {
	SL_DLG_CALLS,
	SL_DLG_RINGING,
	SL_DLG_ANSWERED,
	SL_DLG_END_BASE,	/* one counter per enum sl_call_end, NONE slot unused */
	SL_DLG_REGISTRATIONS = SL_DLG_END_BASE + _SL_END_COUNT,
	SL_DLG_MESSAGES,
	SL_DLG_DUPLICATES,
	SL_DLG_STRAY,
	SL_DLG_EVICTED,
	SL_DLG_MEDIA,
	SL_DLG_MEDIA_EVICTED,
	SL_DLG_BAD_TRANSITION,
	_SL_DLG_COUNT
};

enum sl_rtp_ctr {
	SL_RTPC_PACKETS,
	SL_RTPC_BYTES,
	SL_RTPC_RTCP_PACKETS,
	SL_RTPC_MALFORMED,
	SL_RTPC_STREAMS,
	SL_RTPC_STREAMS_ENDED,
	SL_RTPC_STREAMS_EVICTED,
	SL_RTPC_CC_DELIVERED,
	_SL_RTPC_COUNT
};

enum sl_gsm_ctr {
	SL_GSMC_FRAMES,
	SL_GSMC_TRUNCATED,
	SL_GSMC_MALFORMED,
	SL_GSMC_OTHER,
	SL_GSMC_NO_L3,
	SL_GSMC_SEGMENTED,
	SL_GSMC_LAPDM_REASSEMBLED,
	SL_GSMC_LAPDM_DUP,
	SL_GSMC_LAPDM_GAP,
	SL_GSMC_LAPDM_OVERFLOW,
	SL_GSMC_LAPDM_EVICTED,
	SL_GSMC_DTAP,
	SL_GSMC_DTAP_IGNORED,
	SL_GSMC_DTAP_TRUNCATED,
	SL_GSMC_DTAP_MALFORMED,
	SL_GSMC_DTAP_UNSUPPORTED,
	SL_GSMC_RP_TRUNCATED,
	SL_GSMC_RP_MALFORMED,
	SL_GSMC_RP_UNSUPPORTED,
	SL_GSMC_TPDU_TRUNCATED,
	SL_GSMC_TPDU_MALFORMED,
	SL_GSMC_TPDU_UNSUPPORTED,
	SL_GSMC_SMS,
	SL_GSMC_SMS_TEXT_BAD,
	SL_GSMC_IDENTITIES,
	SL_GSMC_CALLS,
	SL_GSMC_CC_STRAY,
	SL_GSMC_CALLS_EVICTED,
	SL_GSMC_STREAMS_EVICTED,
	_SL_GSMC_COUNT
};

extern const struct rate_ctr_group_desc sl_decode_ctrg_desc;
extern const struct rate_ctr_group_desc sl_gsm_ctrg_desc;
extern const struct rate_ctr_group_desc sl_sip_ctrg_desc;
extern const struct rate_ctr_group_desc sl_dialog_ctrg_desc;
extern const struct rate_ctr_group_desc sl_rtp_ctrg_desc;
