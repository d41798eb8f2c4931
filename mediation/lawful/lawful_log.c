/* Lawful library log category table (see lawful_log.h). */
#include "mediation/lawful/lawful_log.h"

int sl_lawful_log_base;

const struct log_info_cat sl_lawful_log_cats[_SL_LAWFUL_LOGC_COUNT] = {
	[SL_LOGC_WARRANT] = { .name = "DWARRANT", .description = "Warrants: loading, refusals, lifecycle",
			      .enabled = 1, .loglevel = LOGL_NOTICE },
};
