/* Delivery library log category table (see delivery_log.h). */
#include "handover/delivery_log.h"

int sl_delivery_log_base;

const struct log_info_cat sl_delivery_log_cats[_SL_DELIVERY_LOGC_COUNT] = {
	[SL_LOGC_SPOOL] = { .name = "DSPOOL", .description = "Delivery spool (records on disk, recovery, cap)",
			    .enabled = 1, .loglevel = LOGL_NOTICE },
	[SL_LOGC_LINK] = { .name = "DLINK", .description = "Handover links (TCP/TLS, keep-alives, resends)",
			   .enabled = 1, .loglevel = LOGL_NOTICE },
};
