/*
 * SDP parsing for media association (RFC 4566, RFC 3264 offer/answer,
 * RFC 3605 a=rtcp).
 *
 * sluice reads SDP for one reason: to learn which IP address and port each
 * side of a call will receive RTP and RTCP on, so media packets can be tied
 * to their dialog. Each m= line yields its media type, port, transport and
 * payload types, and the connection address and direction in force for it
 * (media-level c= overrides session-level c=, and a media-level direction
 * attribute the session-level one, RFC 4566 section 6). Lines other than
 * v o s c m a are skipped.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/addr.h"
#include "capture/str.h"

#define SL_SDP_MAX_MEDIA 8
#define SL_SDP_MAX_PT 16

enum sl_sdp_dir { SL_SDP_SENDRECV, SL_SDP_SENDONLY, SL_SDP_RECVONLY, SL_SDP_INACTIVE };

struct sl_sdp_media {
	struct sl_str media;		/* "audio", "video", "image", ... */
	struct sl_str proto;		/* "RTP/AVP", "RTP/SAVP", "udptl", ... */
	uint16_t port;			/* 0: stream rejected/disabled */
	uint16_t rtcp_port;		/* a=rtcp, else port + 1 */
	struct sl_addr addr;		/* effective connection address; family 0 if none */
	enum sl_sdp_dir dir;
	bool rtcp_mux;			/* a=rtcp-mux */
	unsigned n_pt;
	uint8_t pt[SL_SDP_MAX_PT];	/* payload types in preference order */
	struct sl_str rtpmap0;		/* encoding of the first payload type ("PCMA/8000") */
};

struct sl_sdp {
	struct sl_addr session_addr;	/* session-level c= */
	enum sl_sdp_dir session_dir;	/* session-level direction attribute (default sendrecv) */
	struct sl_str origin;		/* o= line value */
	unsigned n_media;
	struct sl_sdp_media m[SL_SDP_MAX_MEDIA];
	unsigned skipped_media;		/* m= lines beyond SL_SDP_MAX_MEDIA */
};

enum sl_sdp_err {
	SL_SDP_OK = 0,
	SL_SDP_ERR_NOT_SDP,		/* no v=0 line first */
	SL_SDP_ERR_BAD_LINE,		/* a line not of the form x=value */
	SL_SDP_ERR_BAD_MEDIA,		/* m= line without port/proto */
	SL_SDP_ERR_BAD_CONN,		/* c= with an unparsable address */
	_SL_SDP_ERR_COUNT
};

extern const char *const sl_sdp_err_names[_SL_SDP_ERR_COUNT];

enum sl_sdp_err sl_sdp_parse(struct sl_str body, struct sl_sdp *sdp);
