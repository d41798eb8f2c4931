/*
 * The link's timers (link_fsm.c is the state machine that uses them): one
 * osmo_tdef table per link, numbered as osmocom does, T<n> for the TS 102
 * 232-1 timers TIMEn and X<n> (negative T) for sluice's own, with their
 * defaults, units and the clauses they come from. Each link copies the
 * template (destinations configure their own keep-alive) and sets it from
 * struct sl_link_cfg, 0 in a field meaning the default, so configuration
 * and defaults stay those of link.h.
 *
 * The timers that run inside "up" independently of state changes (TIME1,
 * TIME3, TIME5, TIME6, the SIOCOUTQ poll) are osmo_timers started and
 * stopped only through the helpers here; their expiry is an event of the
 * link's FSM, which refuses it in any other state.
 */
#include <errno.h>
#include <stddef.h>

#include <talloc.h>

#include "handover/link_int.h"

const struct osmo_tdef sl_link_tdefs_template[] = {
	{ .T = SL_LINK_T_TIME1, .default_val = 0, .unit = OSMO_TDEF_MS,
	  .desc = "TIME1 (TS 102 232-1 clause 6.3.4): a keep-alive after this long without sending; 0: none" },
	{ .T = SL_LINK_T_TIME3, .default_val = 60000, .unit = OSMO_TDEF_MS,
	  .desc = "TIME3 (clause 6.3.4): keep-alive response deadline, from when the keep-alive is due" },
	{ .T = SL_LINK_T_TIME5, .default_val = 60000, .unit = OSMO_TDEF_MS,
	  .desc = "TIME5 (clause 6.3.6): pDUAcknowledgementResponse deadline, from when the request is due" },
	{ .T = SL_LINK_T_TIME6, .default_val = 1000, .unit = OSMO_TDEF_MS,
	  .desc = "TIME6 (clause 6.3.6): pDUAcknowledgementRequest interval while records are unconfirmed" },
	{ .T = SL_LINK_T_CONNECT, .default_val = 10000, .unit = OSMO_TDEF_MS,
	  .desc = "Connect timeout (clause 6.3.2): TCP connect plus TLS handshake" },
	{ .T = SL_LINK_T_BACKOFF_MIN, .default_val = 500, .unit = OSMO_TDEF_MS,
	  .desc = "Back-off after the first failure; doubles per failure, random in [d/2, d]" },
	{ .T = SL_LINK_T_BACKOFF_MAX, .default_val = 30000, .unit = OSMO_TDEF_MS,
	  .desc = "Back-off ceiling; a connection up this long resets the back-off" },
	{ .T = SL_LINK_T_ACK_POLL, .default_val = 50, .unit = OSMO_TDEF_MS,
	  .desc = "How often the kernel is asked (SIOCOUTQ) what the receiver's TCP acked" },
	{ .T = SL_LINK_T_RESOLVE_POLL, .default_val = 20, .unit = OSMO_TDEF_MS,
	  .desc = "How often a host name being resolved (asynchronously, while connecting) is checked" },
	{ .T = SL_LINK_T_NEGOTIATION, .default_val = 10000, .unit = OSMO_TDEF_MS,
	  .desc = "Option negotiation (clause 6.3.5): the whole exchange, from the optionRequest to complete" },
	{}
};

/* Which configuration field sets which timer (0 in the field: the default above). */
static const struct {
	int T;
	size_t off;
} cfg_timers[] = {
	{ SL_LINK_T_TIME1, offsetof(struct sl_link_cfg, time1_ms) },
	{ SL_LINK_T_TIME3, offsetof(struct sl_link_cfg, time3_ms) },
	{ SL_LINK_T_TIME5, offsetof(struct sl_link_cfg, time5_ms) },
	{ SL_LINK_T_TIME6, offsetof(struct sl_link_cfg, time6_ms) },
	{ SL_LINK_T_CONNECT, offsetof(struct sl_link_cfg, connect_timeout_ms) },
	{ SL_LINK_T_BACKOFF_MIN, offsetof(struct sl_link_cfg, backoff_min_ms) },
	{ SL_LINK_T_BACKOFF_MAX, offsetof(struct sl_link_cfg, backoff_max_ms) },
	{ SL_LINK_T_ACK_POLL, offsetof(struct sl_link_cfg, ack_poll_ms) },
	{ SL_LINK_T_NEGOTIATION, offsetof(struct sl_link_cfg, negotiation_timeout_ms) },
};

/* The timers run by hand (all inside "up" but the resolver poll, inside
 * connecting): T number and the event their expiry dispatches. */
static const struct {
	int T;
	uint32_t event;
} up_timers[_SL_LINK_TIMER_COUNT] = {
	[SL_LINK_TIMER_TIME1] = { SL_LINK_T_TIME1, SL_LINK_EV_TIME1 },
	[SL_LINK_TIMER_TIME3] = { SL_LINK_T_TIME3, SL_LINK_EV_TIME3 },
	[SL_LINK_TIMER_TIME5] = { SL_LINK_T_TIME5, SL_LINK_EV_TIME5 },
	[SL_LINK_TIMER_TIME6] = { SL_LINK_T_TIME6, SL_LINK_EV_TIME6 },
	[SL_LINK_TIMER_POLL] = { SL_LINK_T_ACK_POLL, SL_LINK_EV_POLL },
	[SL_LINK_TIMER_RESOLVE] = { SL_LINK_T_RESOLVE_POLL, SL_LINK_EV_RESOLVED },
};

unsigned sl_link_T_ms(const struct sl_link *l, int T)
{
	return (unsigned)osmo_tdef_get(l->tdefs, T, OSMO_TDEF_MS, -1);
}


void sl_link_timer_start_ms(struct sl_link *l, enum sl_link_timer t, unsigned ms)
{
	osmo_timer_schedule(&l->timers[t], ms / 1000, (ms % 1000) * 1000);
}

void sl_link_timer_start(struct sl_link *l, enum sl_link_timer t)
{
	sl_link_timer_start_ms(l, t, sl_link_T_ms(l, up_timers[t].T));
}

void sl_link_timer_stop(struct sl_link *l, enum sl_link_timer t)
{
	osmo_timer_del(&l->timers[t]);
}

bool sl_link_timer_pending(const struct sl_link *l, enum sl_link_timer t)
{
	return osmo_timer_pending(&l->timers[t]);
}

void sl_link_timers_stop(struct sl_link *l)
{
	unsigned t;

	for (t = 0; t < _SL_LINK_TIMER_COUNT; t++)
		sl_link_timer_stop(l, t);
}

static void fire(struct sl_link *l, enum sl_link_timer t)
{
	osmo_fsm_inst_dispatch(l->fi, up_timers[t].event, NULL);
}

static void time1_cb(void *data)
{
	fire(data, SL_LINK_TIMER_TIME1);
}

static void time3_cb(void *data)
{
	fire(data, SL_LINK_TIMER_TIME3);
}

static void time5_cb(void *data)
{
	fire(data, SL_LINK_TIMER_TIME5);
}

static void time6_cb(void *data)
{
	fire(data, SL_LINK_TIMER_TIME6);
}

static void poll_cb(void *data)
{
	fire(data, SL_LINK_TIMER_POLL);
}

static void resolve_cb(void *data)
{
	fire(data, SL_LINK_TIMER_RESOLVE);
}

const struct osmo_tdef *sl_link_timer_defaults(void)
{
	return sl_link_tdefs_template;
}

int sl_link_timers_init(struct sl_link *l)
{
	void (*const cbs[_SL_LINK_TIMER_COUNT])(void *) = {
		[SL_LINK_TIMER_TIME1] = time1_cb, [SL_LINK_TIMER_TIME3] = time3_cb, [SL_LINK_TIMER_TIME5] = time5_cb,
		[SL_LINK_TIMER_TIME6] = time6_cb, [SL_LINK_TIMER_POLL] = poll_cb, [SL_LINK_TIMER_RESOLVE] = resolve_cb,
	};
	unsigned i;

	l->tdefs = talloc_memdup(l, sl_link_tdefs_template, sizeof(sl_link_tdefs_template));
	if (!l->tdefs)
		return -ENOMEM;
	osmo_tdefs_reset(l->tdefs);
	for (i = 0; i < ARRAY_SIZE(cfg_timers); i++) {
		unsigned v = *(const unsigned *)((const char *)&l->cfg + cfg_timers[i].off);

		if (v)
			osmo_tdef_set(l->tdefs, cfg_timers[i].T, v, OSMO_TDEF_MS);
	}
	if (sl_link_T_ms(l, SL_LINK_T_BACKOFF_MAX) < sl_link_T_ms(l, SL_LINK_T_BACKOFF_MIN))
		osmo_tdef_set(l->tdefs, SL_LINK_T_BACKOFF_MAX, sl_link_T_ms(l, SL_LINK_T_BACKOFF_MIN), OSMO_TDEF_MS);
	for (i = 0; i < _SL_LINK_TIMER_COUNT; i++)
		osmo_timer_setup(&l->timers[i], cbs[i], l);
	return 0;
}
