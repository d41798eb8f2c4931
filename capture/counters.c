/* Counter tables of the capture pipeline (see counters.h). */
#include "capture/counters.h"

#include <osmocom/core/utils.h>


static const struct rate_ctr_desc decode_ctr[_SL_DEC_COUNT] = {
	[SL_DEC_FRAMES] = { "frames", "Frames read from capture sources" },
	[SL_DEC_BYTES] = { "bytes", "Bytes of frames read (captured length)" },
	[SL_DEC_SNAPPED] = { "frames:snapped", "Frames captured shorter than on the wire (snaplen)" },
	[SL_DEC_LINK_UNSUPPORTED] = { "link:unsupported", "Frames of a link type sluice does not decode" },
	[SL_DEC_L2_TRUNCATED] = { "l2:truncated", "Frames shorter than their link-layer header" },
	[SL_DEC_VLAN_TRUNCATED] = { "vlan:truncated", "802.1Q/QinQ tags cut short" },
	[SL_DEC_MPLS_TRUNCATED] = { "mpls:truncated", "MPLS label stacks cut short" },
	[SL_DEC_MPLS_UNSUPPORTED] = { "mpls:unsupported", "MPLS payloads that are not IPv4/IPv6" },
	[SL_DEC_GRE_TRUNCATED] = { "gre:truncated", "GRE headers cut short" },
	[SL_DEC_GRE_UNSUPPORTED] = { "gre:unsupported", "GRE versions or payload types not decoded" },
	[SL_DEC_ERSPAN_TRUNCATED] = { "erspan:truncated", "ERSPAN headers cut short" },
	[SL_DEC_ERSPAN_UNSUPPORTED] = { "erspan:unsupported", "ERSPAN versions not decoded" },
	[SL_DEC_VXLAN_TRUNCATED] = { "vxlan:truncated", "VXLAN headers cut short" },
	[SL_DEC_GTPU_TRUNCATED] = { "gtpu:truncated", "GTP-U headers cut short" },
	[SL_DEC_GTPU_MALFORMED] = { "gtpu:malformed", "GTP-U headers with bad version, length or extension chain" },
	[SL_DEC_TUNNEL_TOO_DEEP] = { "tunnel:too_deep", "Frames nested deeper than the tunnel depth limit" },
	[SL_DEC_IPV4_TRUNCATED] = { "ipv4:truncated", "IPv4 packets shorter than their header or total length" },
	[SL_DEC_IPV4_MALFORMED] = { "ipv4:malformed", "IPv4 headers with bad version, header length or total length" },
	[SL_DEC_IPV6_TRUNCATED] = { "ipv6:truncated", "IPv6 packets shorter than their headers or payload length" },
	[SL_DEC_IPV6_MALFORMED] = { "ipv6:malformed", "IPv6 headers with bad version or extension header lengths" },
	[SL_DEC_IPV6_UNSUPPORTED] = { "ipv6:unsupported", "IPv6 extension chains longer than sluice follows" },
	[SL_DEC_UDP_TRUNCATED] = { "udp:truncated", "UDP datagrams shorter than their header or length field" },
	[SL_DEC_UDP_MALFORMED] = { "udp:malformed", "UDP length fields smaller than the header" },
	[SL_DEC_TCP_TRUNCATED] = { "tcp:truncated", "TCP segments shorter than their header" },
	[SL_DEC_TCP_MALFORMED] = { "tcp:malformed", "TCP headers with a data offset below 5 words" },
	[SL_DEC_OTHER_L3] = { "other:l3", "Frames carrying neither IPv4 nor IPv6 (ARP, LLDP...), ignored" },
	[SL_DEC_OTHER_L4] = { "other:l4", "IP packets of other protocols (ICMP, SCTP, ESP...), ignored" },
	[SL_DEC_UDP_UNMATCHED] = { "udp:unmatched", "UDP datagrams neither SIP nor media of a known dialog" },
	[SL_DEC_TCP_UNMATCHED] = { "tcp:unmatched", "TCP segments of connections not carrying SIP" },
	[SL_DEC_IPV4_OFFLOAD] = { "ipv4:offload", "IPv4 packets with total length 0 (segmentation offload on the capturing host): length taken from the frame" },
	[SL_DEC_TCP_OFFLOAD] = { "tcp:offload", "TCP segments longer than a 1500-byte MTU allows (merged by offload on the capturing host), taken whole" },
};

const struct rate_ctr_group_desc sl_decode_ctrg_desc = {
	.group_name_prefix = "decode",
	.group_description = "Frame decoding (link, tunnels, IP, UDP, TCP)",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_DEC_COUNT,
	.ctr_desc = decode_ctr,
};

static const struct rate_ctr_desc sip_ctr[_SL_SIPC_COUNT] = {
	[SL_SIPC_MSG_UDP] = { "messages:udp", "SIP messages parsed from UDP" },
	[SL_SIPC_MSG_TCP] = { "messages:tcp", "SIP messages framed from TCP streams" },
	[SL_SIPC_MSG_WS] = { "messages:ws", "SIP messages from WebSocket frames" },
	[SL_SIPC_REQUESTS] = { "requests", "SIP requests" },
	[SL_SIPC_RESPONSES] = { "responses", "SIP responses" },
	[SL_SIPC_ERR_BASE + SL_SIP_OK] = { "unused", "(unused)" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_TRUNCATED] = { "rejected:truncated", "SIP messages cut short (headers unterminated, body short)" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_START_LINE] = { "rejected:start_line", "SIP-looking data with a bad request/status line" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_HEADER] = { "rejected:header", "SIP messages with a header line lacking name or colon" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_CONTENT_LENGTH] = { "rejected:content_length", "SIP messages with an invalid Content-Length" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_STATUS] = { "rejected:status", "SIP responses with a status outside 100..699" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_CSEQ] = { "rejected:cseq", "SIP messages with an invalid CSeq" },
	[SL_SIPC_ERR_BASE + SL_SIP_ERR_MISSING] = { "rejected:missing_header", "SIP messages lacking Call-ID, CSeq, From or To" },
	[SL_SIPC_BODY_TRUNCATED] = { "body:truncated", "UDP SIP messages whose body is shorter than Content-Length" },
	[SL_SIPC_SDP_MALFORMED] = { "sdp:malformed", "SDP bodies that could not be parsed" },
	[SL_SIPC_MULTIPART_MALFORMED] = { "multipart:malformed", "multipart bodies without boundary or unterminated" },
	[SL_SIPC_STREAM_RESYNC] = { "stream:resync", "Times a TCP stream was resynchronised on a SIP start line" },
	[SL_SIPC_STREAM_RESYNC_BYTES] = { "stream:resync_bytes", "Bytes skipped while resynchronising TCP streams" },
	[SL_SIPC_STREAM_GAP] = { "stream:gap", "Holes in TCP streams reported by reassembly" },
	[SL_SIPC_STREAM_OVERSIZE] = { "stream:oversize", "Partial messages dropped for exceeding the maximum SIP message size" },
	[SL_SIPC_STREAM_LIMIT] = { "stream:limit", "Flows evicted to respect the total stream buffer limit" },
	[SL_SIPC_WS_HANDSHAKES] = { "ws:handshakes", "HTTP upgrades to WebSocket seen" },
	[SL_SIPC_WS_FRAMES] = { "ws:frames", "WebSocket data frames" },
	[SL_SIPC_WS_CONTROL] = { "ws:control", "WebSocket control frames (ping, pong, close)" },
	[SL_SIPC_WS_MALFORMED] = { "ws:malformed", "WebSocket frames with reserved opcodes, bad lengths or oversize" },
};

const struct rate_ctr_group_desc sl_sip_ctrg_desc = {
	.group_name_prefix = "sip",
	.group_description = "SIP parsing and stream framing",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_SIPC_COUNT,
	.ctr_desc = sip_ctr,
};

static const struct rate_ctr_desc dialog_ctr[_SL_DLG_COUNT] = {
	[SL_DLG_CALLS] = { "calls", "Call attempts (initial INVITEs)" },
	[SL_DLG_RINGING] = { "calls:ringing", "Calls that reached ringing (18x)" },
	[SL_DLG_ANSWERED] = { "calls:answered", "Calls answered (2xx to INVITE)" },
	[SL_DLG_END_BASE + SL_END_NONE] = { "unused", "(unused)" },
	[SL_DLG_END_BASE + SL_END_BYE] = { "end:bye", "Calls ended by BYE" },
	[SL_DLG_END_BASE + SL_END_CANCEL] = { "end:cancel", "Calls cancelled before answer" },
	[SL_DLG_END_BASE + SL_END_REJECTED] = { "end:rejected", "Calls rejected by a final error response" },
	[SL_DLG_END_BASE + SL_END_TIMEOUT] = { "end:timeout", "Calls ended by timeout" },
	[SL_DLG_END_BASE + SL_END_EVICTED] = { "end:evicted", "Calls ended because the dialog table was full" },
	[SL_DLG_END_BASE + SL_END_CAPTURE_END] = { "end:capture_end", "Calls open when the capture ended" },
	[SL_DLG_REGISTRATIONS] = { "registrations", "REGISTER transactions completed or timed out" },
	[SL_DLG_MESSAGES] = { "messages", "SIP MESSAGE requests (first sighting)" },
	[SL_DLG_DUPLICATES] = { "duplicates", "Retransmissions or further sightings of a tracked request" },
	[SL_DLG_STRAY] = { "stray", "In-dialog requests or responses for no tracked dialog" },
	[SL_DLG_EVICTED] = { "evicted", "Dialogs evicted because the table was full" },
	[SL_DLG_MEDIA] = { "media", "SDP media endpoints indexed" },
	[SL_DLG_MEDIA_EVICTED] = { "media:evicted", "Media endpoints dropped because the index was full" },
	[SL_DLG_BAD_TRANSITION] = { "bad-transition",
				    "Dialog state changes the transition table refused (a bug if not 0; logged)" },
	[SL_DLG_EVICTED_ENDED] = { "evicted:ended", "Evicted: ended dialogs lingering for retransmissions (first to go)" },
	[SL_DLG_EVICTED_UNANSWERED] = { "evicted:unanswered",
					"Evicted: dialogs the far end never answered (oldest first, before any answered one)" },
	[SL_DLG_EVICTED_ANSWERED] = { "evicted:answered",
				      "Evicted: dialogs with a response from the far end (only when no unanswered one is left)" },
};

const struct rate_ctr_group_desc sl_dialog_ctrg_desc = {
	.group_name_prefix = "dialog",
	.group_description = "Calls, registrations and messages",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_DLG_COUNT,
	.ctr_desc = dialog_ctr,
};

static const struct rate_ctr_desc rtp_ctr[_SL_RTPC_COUNT] = {
	[SL_RTPC_PACKETS] = { "packets", "RTP packets of known dialogs" },
	[SL_RTPC_BYTES] = { "bytes", "RTP payload bytes (UDP payload) of known dialogs" },
	[SL_RTPC_RTCP_PACKETS] = { "rtcp:packets", "RTCP packets of known dialogs" },
	[SL_RTPC_MALFORMED] = { "malformed", "Datagrams on media ports that are not valid RTP/RTCP" },
	[SL_RTPC_STREAMS] = { "streams", "RTP/RTCP streams started" },
	[SL_RTPC_STREAMS_ENDED] = { "streams:ended", "Streams ended (idle, dialog gone, capture end)" },
	[SL_RTPC_STREAMS_EVICTED] = { "streams:evicted", "Streams ended early because the stream table was full" },
	[SL_RTPC_CC_DELIVERED] = { "cc:delivered", "Media packets handed to the content consumer" },
};

const struct rate_ctr_group_desc sl_rtp_ctrg_desc = {
	.group_name_prefix = "rtp",
	.group_description = "RTP/RTCP media streams",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_RTPC_COUNT,
	.ctr_desc = rtp_ctr,
};

static const struct rate_ctr_desc gsm_ctr[_SL_GSMC_COUNT] = {
	[SL_GSMC_FRAMES] = { "gsmtap:frames", "GSMTAP datagrams (UDP port 4729)" },
	[SL_GSMC_TRUNCATED] = { "gsmtap:truncated", "GSMTAP headers or GSM layer 2 frames cut short" },
	[SL_GSMC_MALFORMED] = { "gsmtap:malformed",
				"GSMTAP with a bad version or header length, L2 frames with bad address or length octets" },
	[SL_GSMC_OTHER] = { "gsmtap:other", "GSMTAP types or channels not decoded (UMTS/LTE RRC, RLC/MAC, bursts)" },
	[SL_GSMC_NO_L3] = { "gsmtap:no_l3", "LAPDm frames without layer 3 (S and U frames, empty UI frames)" },
	[SL_GSMC_SEGMENTED] = { "lapdm:ui_segmented", "LAPDm UI frames with the M bit set (only I frames may be segmented)" },
	[SL_GSMC_LAPDM_REASSEMBLED] = { "lapdm:reassembled", "Layer 3 messages put together from LAPDm segments" },
	[SL_GSMC_LAPDM_DUP] = { "lapdm:retransmissions", "LAPDm I frames repeating the last N(S), dropped" },
	[SL_GSMC_LAPDM_GAP] = { "lapdm:gap", "Segmented messages dropped for a gap in N(S) (lost frames)" },
	[SL_GSMC_LAPDM_OVERFLOW] = { "lapdm:overflow", "Segmented messages dropped for growing past 251 octets" },
	[SL_GSMC_LAPDM_EVICTED] = { "lapdm:evicted", "Data links forgotten (a held message lost) to make room in the reassembly table" },
	[SL_GSMC_DTAP] = { "dtap:messages", "GSM layer 3 messages decoded (MM, CC, SMS CP, paging response)" },
	[SL_GSMC_DTAP_IGNORED] = { "dtap:ignored", "GSM layer 3 messages of other types (RR, GMM, SM, SS...), ignored" },
	[SL_GSMC_DTAP_TRUNCATED] = { "dtap:truncated", "DTAP messages whose mandatory part or an IE runs past the end" },
	[SL_GSMC_DTAP_MALFORMED] = { "dtap:malformed", "DTAP messages with an IE breaking its coding (identity, number, cause)" },
	[SL_GSMC_DTAP_UNSUPPORTED] = { "dtap:unsupported", "DTAP mobile identities of types other than IMSI, IMEI(SV), TMSI" },
	[SL_GSMC_RP_TRUNCATED] = { "rp:truncated", "SMS RP messages cut short" },
	[SL_GSMC_RP_MALFORMED] = { "rp:malformed", "SMS RP messages with bad addresses, cause or optional IE" },
	[SL_GSMC_RP_UNSUPPORTED] = { "rp:unsupported", "SMS RP messages of reserved types" },
	[SL_GSMC_TPDU_TRUNCATED] = { "tpdu:truncated", "SMS TPDUs cut short" },
	[SL_GSMC_TPDU_MALFORMED] = { "tpdu:malformed", "SMS TPDUs with a bad address, time stamp, user data length or header" },
	[SL_GSMC_TPDU_UNSUPPORTED] = { "tpdu:unsupported", "SMS TPDUs not reported (COMMAND, DELIVER-REPORT, SUBMIT-REPORT)" },
	[SL_GSMC_SMS] = { "sms", "Short messages reported (RP-DATA with a SUBMIT, DELIVER or STATUS-REPORT)" },
	[SL_GSMC_SMS_TEXT_BAD] = { "sms:text_undecodable", "Short messages whose text could not be decoded for content" },
	[SL_GSMC_IDENTITIES] = { "identities", "Mobile identities reported (identity events)" },
	[SL_GSMC_CALLS] = { "calls", "GSM call attempts (CC SETUP)" },
	[SL_GSMC_CC_STRAY] = { "cc:stray", "CC messages for no tracked call (its SETUP not seen)" },
	[SL_GSMC_CALLS_EVICTED] = { "calls:evicted", "GSM calls ended early because the call table was full" },
	[SL_GSMC_STREAMS_EVICTED] = { "streams:evicted", "GSMTAP streams forgotten because the stream table was full" },
};

const struct rate_ctr_group_desc sl_gsm_ctrg_desc = {
	.group_name_prefix = "gsm",
	.group_description = "GSMTAP, GSM DTAP (MM, CC), SMS (RP, TPDU)",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_GSMC_COUNT,
	.ctr_desc = gsm_ctr,
};

static const struct rate_ctr_desc gtp_ctr[_SL_GTPC_COUNT] = {
	[SL_GTPC_DATAGRAMS] = { "gtpv2:datagrams", "UDP datagrams on the GTPv2-C port (2123)" },
	[SL_GTPC_MESSAGES] = { "gtpv2:messages", "GTPv2-C messages decoded (piggybacked ones included)" },
	[SL_GTPC_TRUNCATED] = { "gtpv2:truncated", "GTPv2-C headers, messages or IEs cut short" },
	[SL_GTPC_MALFORMED] = { "gtpv2:malformed", "GTPv2-C messages with an IE breaking its coding (digits, APN, PAA, ULI, grouped IE)" },
	[SL_GTPC_UNSUPPORTED] = { "gtpv2:unsupported", "Datagrams on the GTPv2-C port that are not GTP version 2" },
	[SL_GTPC_NO_FTEID] = { "gtpv2:no_fteid", "Create Session Requests without a sender F-TEID (no way to find their response)" },
	[SL_GTPC_STRAY] = { "gtpv2:stray", "GTPv2-C messages for no tracked session (its creation not seen) or repeated responses" },
	[SL_GTPC_SESS_CREATED] = { "sessions:created", "PDN sessions accepted: UE addresses bound to a subscriber" },
	[SL_GTPC_SESS_MOVED] = { "sessions:moved", "Session messages reporting a new user location (cell)" },
	[SL_GTPC_SESS_REJECTED] = { "sessions:rejected", "Create Session Responses refusing the session" },
	[SL_GTPC_SESS_DELETED] = { "sessions:deleted", "Sessions ended by an accepted Delete Session Response" },
	[SL_GTPC_SESS_EXPIRED] = { "sessions:expired", "Sessions forgotten after the UE idle timeout without a GTPv2-C message" },
	[SL_GTPC_SESS_EVICTED] = { "sessions:evicted", "Sessions forgotten because the UE binding table was full" },
	[SL_GTPC_SESS_FLUSHED] = { "sessions:capture_end", "Sessions still open when the capture ended" },
	[SL_GTPC_ENRICHED] = { "bindings:enriched", "SIP messages whose party got identities from the UE binding table" },
};

const struct rate_ctr_group_desc sl_gtp_ctrg_desc = {
	.group_name_prefix = "gtp",
	.group_description = "GTPv2-C (TS 29.274) and the UE binding table",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_GTPC_COUNT,
	.ctr_desc = gtp_ctr,
};
