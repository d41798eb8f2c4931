/*
 * Log categories of the delivery library (spool and links), exported as a
 * table the program appends to its log_info, like capture/log.h. Delivery
 * logs name the destination and the record ids, files and offsets
 * involved; never the content of a record (it holds target identities).
 */
#pragma once

#include <osmocom/core/logging.h>

enum sl_delivery_logc {
	SL_LOGC_SPOOL,		/* on-disk spool: recovery, cap, fsync */
	SL_LOGC_LINK,		/* connections, TLS, keep-alives, resends */
	_SL_DELIVERY_LOGC_COUNT
};

/* Index of the first delivery category in the program's log_info (set by the program). */
extern int sl_delivery_log_base;
extern const struct log_info_cat sl_delivery_log_cats[_SL_DELIVERY_LOGC_COUNT];

#define DSLSPOOL (sl_delivery_log_base + SL_LOGC_SPOOL)
#define DSLLINK (sl_delivery_log_base + SL_LOGC_LINK)
