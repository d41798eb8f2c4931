/*
 * Log category of the lawful library (warrants, interceptions), exported
 * as a table the program appends to its log_info, like capture/log.h.
 * Lawful logs name LIIDs, versions, files and authorities, never a target.
 */
#pragma once

#include <osmocom/core/logging.h>

enum sl_lawful_logc {
	SL_LOGC_WARRANT,	/* warrants: loading, refusals, lifecycle */
	_SL_LAWFUL_LOGC_COUNT
};

/* Index of the first lawful category in the program's log_info (set by the program). */
extern int sl_lawful_log_base;
extern const struct log_info_cat sl_lawful_log_cats[_SL_LAWFUL_LOGC_COUNT];

#define DSLWARRANT (sl_lawful_log_base + SL_LOGC_WARRANT)
