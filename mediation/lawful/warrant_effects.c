/*
 * What a warrant's events do (see warrant_store.h): a report through the
 * configured callback (the HI1 notifications and the audit log), the
 * counters and the log line that go with it, and the warrant's place in
 * the lawful table.
 *
 * Both the store and the state machine call these, and these call
 * neither, so the three files have an order: store, then machine, then
 * effects.
 */
#include <string.h>

#include <osmocom/core/logging.h>

#include "mediation/lawful/lawful_log.h"
#include "mediation/lawful/warrant_int.h"

const char *const sl_wevent_names[_SL_WEV_COUNT] = {
	[SL_WEV_ACCEPTED] = "accepted",	      [SL_WEV_REFUSED] = "refused",
	[SL_WEV_ACTIVATED] = "activated",     [SL_WEV_MODIFIED] = "modified",
	[SL_WEV_DEACTIVATED] = "deactivated", [SL_WEV_ENDED] = "ended",
	[SL_WEV_REVOKED_DOC] = "revocation",
};

void sl_warrant_emit(struct sl_warrants *ws, struct sl_wevent *e)
{
	if (ws->cfg.event)
		ws->cfg.event(ws->cfg.priv, e);
}

void sl_warrant_report(struct sl_warrant *w, enum sl_wevent_kind kind)
{
	struct sl_wevent e = {
		.kind = kind, .t_us = w->ws->now_us, .file = w->file, .meta = &w->doc.meta, .ic = &w->doc.ic,
		.digest = w->doc.digest, .signer = w->doc.signer, .state = w->rec->state,
	};

	if (kind == SL_WEV_ACTIVATED || kind == SL_WEV_MODIFIED || kind == SL_WEV_DEACTIVATED) {
		e.hi1_seq = w->rec->hi1_seq++;
		w->ws->dirty = true;
	}
	if (kind == SL_WEV_ACTIVATED)
		rate_ctr_inc2(w->ws->ctrs, SL_WCTR_ACTIVATED);
	if (kind == SL_WEV_DEACTIVATED)
		rate_ctr_inc2(w->ws->ctrs, SL_WCTR_DEACTIVATED);
	LOGPFSML(w->fi, kind == SL_WEV_ACCEPTED ? LOGL_INFO : LOGL_NOTICE, "%s (%s, authority %s, destination %s)\n",
		 sl_wevent_names[kind], sl_warrant_state_names[w->rec->state], w->doc.meta.authority, w->doc.ic.dest);
	sl_warrant_emit(w->ws, &e);
}

void sl_warrant_table(struct sl_warrant *w, bool in)
{
	int rc;

	if (in == w->in_table)
		return;
	if (in) {
		rc = sl_lawful_add(w->ws->cfg.lawful, &w->doc.ic);
		if (rc < 0) {
			LOGPFSML(w->fi, LOGL_ERROR, "cannot enter the interception in the table: %s\n", strerror(-rc));
			return;
		}
	} else {
		sl_lawful_remove(w->ws->cfg.lawful, w->doc.ic.liid);
	}
	w->in_table = in;
}

