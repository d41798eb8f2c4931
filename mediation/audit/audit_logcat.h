/*
 * Log category of the audit library, exported as a table the program
 * appends to its log_info (as handover/delivery_log.h does) and whose
 * base index it sets. Audit log messages name files, offsets, seqs and
 * sizes; never a record's content.
 */
#pragma once

#include <osmocom/core/logging.h>

enum sl_audit_logc {
	SL_LOGC_AUDIT,
	_SL_AUDIT_LOGC_COUNT
};

extern int sl_audit_log_base;
extern const struct log_info_cat sl_audit_log_cats[_SL_AUDIT_LOGC_COUNT];

#define DSLAUDIT (sl_audit_log_base + SL_LOGC_AUDIT)
