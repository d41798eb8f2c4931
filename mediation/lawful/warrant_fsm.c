/*
 * The lifecycle of one warrant as an osmo_fsm (see warrant_store.h).
 *
 *   PENDING --tick >= from--> ACTIVE --tick >= until--> EXPIRED
 *      |  \--tick >= until--> EXPIRED      |--revoke--> REVOKED
 *      |--revoke--> REVOKED                '--supersede--> SUPERSEDED
 *      '--supersede--> SUPERSEDED
 *
 * Time comes in as ticks carrying the gateway's clock, not as osmo_fsm
 * timers: those run on the monotonic clock, and a warrant's window is in
 * UTC, compared with packet time while a capture is replayed. Entering a
 * state reports what the authority and the audit log must learn: ACTIVE a
 * liActivated (unless the authority was told before a restart), leaving
 * ACTIVE a liDeactivated, ending without having been active only an audit
 * record. The machine also keeps the warrant in the lawful table exactly
 * while it is PENDING or ACTIVE.
 */
#include <inttypes.h>
#include <string.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/utils.h>

#include "mediation/lawful/lawful_log.h"
#include "mediation/lawful/warrant_int.h"

static const struct value_string wfe_names[] = {
	{ SL_WFE_TICK, "TICK" },
	{ SL_WFE_REVOKE, "REVOKE" },
	{ SL_WFE_SUPERSEDE, "SUPERSEDE" },
	{ 0, NULL },
};

#define S(x) (1u << (x))
#define E(x) (1u << (x))

static void enter(struct sl_warrant *w, enum sl_warrant_state st)
{
	w->since_us = w->ws->now_us;
	w->rec->state = st;
	w->ws->dirty = true;
	osmo_fsm_inst_state_chg(w->fi, st, 0, 0);
}

static void pending_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sl_warrant *w = fi->priv;
	uint64_t now = w->ws->now_us;

	switch (event) {
	case SL_WFE_TICK:
		if (now >= w->doc.ic.end_us) {
			enter(w, SL_WS_EXPIRED);
			sl_warrant_report(w, SL_WEV_ENDED);
		} else if (now >= w->doc.ic.start_us) {
			enter(w, SL_WS_ACTIVE);
		}
		break;
	case SL_WFE_REVOKE:
		enter(w, SL_WS_REVOKED);
		sl_warrant_report(w, SL_WEV_ENDED);
		break;
	case SL_WFE_SUPERSEDE:
		enter(w, SL_WS_SUPERSEDED);
		sl_warrant_report(w, SL_WEV_ENDED);
		break;
	}
}

static void active_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct sl_warrant *w = fi->priv;

	/* restored after a restart with the authority already told: nothing to say again */
	if (w->rec->told_active)
		return;
	w->rec->told_active = true;
	sl_warrant_report(w, SL_WEV_ACTIVATED);
}

static void active_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sl_warrant *w = fi->priv;

	switch (event) {
	case SL_WFE_TICK:
		if (w->ws->now_us < w->doc.ic.end_us)
			return;
		enter(w, SL_WS_EXPIRED);
		break;
	case SL_WFE_REVOKE:
		enter(w, SL_WS_REVOKED);
		break;
	case SL_WFE_SUPERSEDE:
		/* the store reports modified or deactivated once it knows what the new version does */
		enter(w, SL_WS_SUPERSEDED);
		return;
	}
	w->rec->told_active = false;
	sl_warrant_report(w, SL_WEV_DEACTIVATED);
}

static void ended_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	sl_warrant_table(fi->priv, false);
}

static const struct osmo_fsm_state warrant_states[] = {
	[SL_WS_PENDING] = {
		.name = "PENDING",
		.in_event_mask = E(SL_WFE_TICK) | E(SL_WFE_REVOKE) | E(SL_WFE_SUPERSEDE),
		.out_state_mask = S(SL_WS_ACTIVE) | S(SL_WS_EXPIRED) | S(SL_WS_REVOKED) | S(SL_WS_SUPERSEDED),
		.action = pending_action,
	},
	[SL_WS_ACTIVE] = {
		.name = "ACTIVE",
		.in_event_mask = E(SL_WFE_TICK) | E(SL_WFE_REVOKE) | E(SL_WFE_SUPERSEDE),
		.out_state_mask = S(SL_WS_EXPIRED) | S(SL_WS_REVOKED) | S(SL_WS_SUPERSEDED),
		.action = active_action,
		.onenter = active_onenter,
	},
	[SL_WS_EXPIRED] = { .name = "EXPIRED", .onenter = ended_onenter },
	[SL_WS_REVOKED] = { .name = "REVOKED", .onenter = ended_onenter },
	[SL_WS_SUPERSEDED] = { .name = "SUPERSEDED", .onenter = ended_onenter },
};

static struct osmo_fsm warrant_fsm = {
	.name = "warrant",
	.states = warrant_states,
	.num_states = ARRAY_SIZE(warrant_states),
	.event_names = wfe_names,
	.log_subsys = DLGLOBAL,	/* set to the lawful category when registered */
};

static bool fsm_registered;

int sl_warrant_fsm_start(struct sl_warrant *w, enum sl_warrant_state st)
{
	if (!fsm_registered) {
		warrant_fsm.log_subsys = DSLWARRANT;
		if (osmo_fsm_register(&warrant_fsm) < 0)
			return -1;
		fsm_registered = true;
	}
	w->fi = osmo_fsm_inst_alloc(&warrant_fsm, w, w, LOGL_INFO, NULL);
	if (!w->fi)
		return -1;
	/* the LIID and version name the instance in logs ("warrant(L1-v2)"); ids allow fewer characters */
	osmo_fsm_inst_update_id_f_sanitize(w->fi, '-', "%s-v%" PRIu32, w->doc.meta.liid, w->doc.meta.version);
	w->since_us = w->ws->now_us;
	w->rec->state = SL_WS_PENDING;
	if (st == SL_WS_PENDING || st == SL_WS_ACTIVE)
		sl_warrant_table(w, true);
	/*
	 * A restored warrant goes straight to what was remembered. Entering
	 * ACTIVE announces it only if the authority was not told before the
	 * restart (told_active comes from the state file).
	 */
	if (st != SL_WS_PENDING)
		enter(w, st);
	return 0;
}

enum sl_warrant_state sl_warrant_fsm_state(const struct sl_warrant *w)
{
	return (enum sl_warrant_state)w->fi->state;
}
