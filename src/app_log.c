/* Program-wide log categories (see app_log.h). */
#include "src/app_log.h"

#include <string.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "capture/log.h"
#include "handover/delivery_log.h"
#include "mediation/audit/audit_logcat.h"
#include "mediation/lawful/lawful_log.h"

int sl_app_log_init(void *ctx, bool to_stderr, int level)
{
	struct log_info *info = talloc_zero(ctx, struct log_info);
	struct log_info_cat *cats;
	struct log_target *t;
	unsigned n = 0, i;

	if (!info)
		return -1;
	cats = talloc_zero_array(info, struct log_info_cat,
				 _SL_LOGC_COUNT + _SL_DELIVERY_LOGC_COUNT + _SL_LAWFUL_LOGC_COUNT + _SL_AUDIT_LOGC_COUNT);
	if (!cats)
		return -1;
	sl_capture_log_base = (int)n;
	for (i = 0; i < _SL_LOGC_COUNT; i++)
		cats[n++] = sl_capture_log_cats[i];
	sl_delivery_log_base = (int)n;
	for (i = 0; i < _SL_DELIVERY_LOGC_COUNT; i++)
		cats[n++] = sl_delivery_log_cats[i];
	sl_lawful_log_base = (int)n;
	for (i = 0; i < _SL_LAWFUL_LOGC_COUNT; i++)
		cats[n++] = sl_lawful_log_cats[i];
	sl_audit_log_base = (int)n;
	for (i = 0; i < _SL_AUDIT_LOGC_COUNT; i++)
		cats[n++] = sl_audit_log_cats[i];
	info->cat = cats;
	info->num_cat = n;
	if (log_init(info, ctx) < 0)
		return -1;
	/* FSM instances (the delivery links) log as link(<destination>-<stream>){<state>}, no pointers. */
	osmo_fsm_log_addr(false);
	if (to_stderr) {
		t = log_target_create_stderr();
		if (!t)
			return -1;
		log_set_print_category(t, 1);
		log_set_print_category_hex(t, 0);
		log_set_print_level(t, 1);
		log_set_print_filename2(t, LOG_FILENAME_NONE);
		log_set_use_color(t, 0);
		log_set_all_filter(t, 1);
		log_set_log_level(t, level);
		for (i = 0; i < n; i++)
			log_set_category_filter(t, (int)i, 1, level);
		log_add_target(t);
	}
	return 0;
}
