/* Audit library log category table (see audit_logcat.h). */
#include "mediation/audit/audit_logcat.h"

int sl_audit_log_base;

const struct log_info_cat sl_audit_log_cats[_SL_AUDIT_LOGC_COUNT] = {
	[SL_LOGC_AUDIT] = { .name = "DAUDIT", .description = "Audit log (commits, checkpoints, sinks, recovery)",
			    .enabled = 1, .loglevel = LOGL_NOTICE },
};
