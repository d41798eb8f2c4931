/*
 * Running the audit log's deadlines from an osmocom select loop: one
 * osmo_timer, re-armed to sl_audit_next_due_us() whenever the log's
 * pending work changes, whose callback is sl_audit_tick(). The daemon is
 * single-threaded; nothing here blocks beyond the commit's own fsync.
 */
#include "mediation/audit/audit_int.h"

#include <osmocom/core/logging.h>

#include "mediation/audit/audit_logcat.h"

static void timer_cb(void *data)
{
	struct sl_audit_log *log = data;
	int rc = sl_audit_tick(log);

	if (rc < 0)
		LOGP(DSLAUDIT, LOGL_ERROR, "audit %s: tick failed (%d)\n", log->cfg.dir, rc);
}

static void schedule(struct sl_audit_log *log)
{
	int64_t due = sl_audit_next_due_us(log), now, d;

	if (due < 0) {
		osmo_timer_del(&log->timer);
		return;
	}
	now = sl_audit_now_mono(log);
	d = due > now ? due - now : 0;
	osmo_timer_schedule(&log->timer, (int)(d / 1000000), (int)(d % 1000000));
}

void sl_audit_osmo_attach(struct sl_audit_log *log)
{
	osmo_timer_setup(&log->timer, timer_cb, log);
	log->reschedule = schedule;
	schedule(log);
}
