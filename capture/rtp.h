/*
 * RTP and RTCP header parsing (RFC 3550 sections 5.1 and 6.4, RFC 5761 for
 * telling them apart on a multiplexed port).
 *
 * Only the fixed header is read: sluice needs SSRC, sequence number,
 * timestamp and payload type for stream statistics, and hands the packet
 * bytes on unchanged as content. The parser validates what a receiver must
 * (version 2, CSRC list, extension and padding lengths inside the packet).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_rtp_hdr {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	size_t payload_off, payload_len;
};

enum sl_rtp_err {
	SL_RTP_OK,
	SL_RTP_ERR_TRUNCATED,
	SL_RTP_ERR_VERSION,
	SL_RTP_ERR_PADDING,
	SL_RTP_ERR_EXTENSION,
};

enum sl_rtp_err sl_rtp_parse(const uint8_t *p, size_t len, struct sl_rtp_hdr *h);

/*
 * RTCP compound packet: type of its first packet and the sender SSRC. Any
 * RTCP type (192..223, RFC 5761) is accepted, not only SR/RR (200/201) that
 * RFC 3550 6.1 asks for first: real senders start with others too.
 */
enum sl_rtp_err sl_rtcp_parse(const uint8_t *p, size_t len, uint8_t *type, uint32_t *ssrc);

/* RFC 5761 section 4: payload types 64..95 (marker included: 192..223) on a muxed port are RTCP. */
bool sl_rtp_looks_like_rtcp(const uint8_t *p, size_t len);

/* Clock rate of static payload types (RFC 3551 table 4); 0 for dynamic/unknown. */
uint32_t sl_rtp_static_clock(uint8_t pt);
