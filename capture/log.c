/* Capture library log category table (see log.h). */
#include "capture/log.h"

int sl_capture_log_base;

const struct log_info_cat sl_capture_log_cats[_SL_LOGC_COUNT] = {
	[SL_LOGC_SOURCE] = { .name = "DSOURCE", .description = "Capture sources (pcap files, interfaces, drops)",
			     .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_DECODE] = { .name = "DDECODE", .description = "Link, IP and tunnel decoding",
			     .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_DEFRAG] = { .name = "DDEFRAG", .description = "IPv4/IPv6 fragment reassembly",
			     .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_TCP] = { .name = "DTCP", .description = "TCP stream reassembly",
			  .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_SIP] = { .name = "DSIP", .description = "SIP, SDP and WebSocket parsing",
			  .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_DIALOG] = { .name = "DDIALOG", .description = "Call, registration and message tracking",
			     .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_RTP] = { .name = "DRTP", .description = "RTP/RTCP media streams",
			  .enabled = 1, .loglevel = LOGL_NOTICE },
};
