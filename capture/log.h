/*
 * Log categories of the capture library.
 *
 * Each sluice library exports its own table of libosmocore log categories;
 * the program concatenates the tables into one log_info at start-up and
 * tells each library where its block starts. This keeps libraries free of
 * a project-wide category enum (which would make capture/ depend on the
 * layers above it) while giving operators the usual `logging level sip
 * debug` controls.
 *
 * Log lines never carry subscriber identities (URIs, numbers, IMSIs): they
 * name the capture source, packet number and the kind of fault only.
 */
#pragma once

#include <osmocom/core/logging.h>

enum sl_capture_logc {
	SL_LOGC_SOURCE,		/* capture sources, pcap, drops */
	SL_LOGC_DECODE,		/* link/IP/tunnel decoding faults */
	SL_LOGC_DEFRAG,		/* IP fragment reassembly */
	SL_LOGC_TCP,		/* TCP stream reassembly */
	SL_LOGC_SIP,		/* SIP/SDP parsing, WebSocket framing */
	SL_LOGC_DIALOG,		/* call/registration/message state */
	SL_LOGC_RTP,		/* RTP/RTCP streams */
	_SL_LOGC_COUNT
};

/* Index of the first capture category in the program's log_info; set by
 * the program before logging starts (0 when the library is used alone). */
extern int sl_capture_log_base;
extern const struct log_info_cat sl_capture_log_cats[_SL_LOGC_COUNT];

#define DSLSRC (sl_capture_log_base + SL_LOGC_SOURCE)
#define DSLDEC (sl_capture_log_base + SL_LOGC_DECODE)
#define DSLFRAG (sl_capture_log_base + SL_LOGC_DEFRAG)
#define DSLTCP (sl_capture_log_base + SL_LOGC_TCP)
#define DSLSIP (sl_capture_log_base + SL_LOGC_SIP)
#define DSLDLG (sl_capture_log_base + SL_LOGC_DIALOG)
#define DSLRTP (sl_capture_log_base + SL_LOGC_RTP)
