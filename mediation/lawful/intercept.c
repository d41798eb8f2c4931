/* Interceptions and target matching (see intercept.h). */
#include "mediation/lawful/intercept.h"

#include <errno.h>
#include <string.h>

#include <osmocom/core/stats.h>
#include <talloc.h>

static const struct rate_ctr_desc lawful_ctr_desc[_SL_LAWFUL_CTR_COUNT] = {
	[SL_LAWFUL_CTR_MATCHED] = { "decisions:matched", "Events that fell under at least one active interception" },
	[SL_LAWFUL_CTR_INACTIVE] = { "decisions:inactive",
				     "Events with a target party, but of no interception active at the event's time" },
	[SL_LAWFUL_CTR_NO_TARGET] = { "decisions:no-target", "Events no interception names a party of" },
	[SL_LAWFUL_CTR_MATCHES] = { "matches", "(event, interception) pairs matched" },
	[SL_LAWFUL_CTR_TRUNCATED] = { "decisions:truncated",
				      "Events with more matching interceptions than the caller took (must stay 0)" },
};

const struct rate_ctr_group_desc sl_lawful_ctrg_desc = {
	.group_name_prefix = "lawful",
	.group_description = "Lawful mediation: each event's decision by outcome",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_LAWFUL_CTR_COUNT,
	.ctr_desc = lawful_ctr_desc,
};

struct sl_lawful {
	struct sl_intercept ic[SL_LAWFUL_MAX];
	unsigned n;
	struct rate_ctr_group *ctrs;
};

static int lawful_destructor(struct sl_lawful *l)
{
	rate_ctr_group_free(l->ctrs);
	return 0;
}

struct sl_lawful *sl_lawful_alloc(void *ctx, unsigned idx)
{
	struct sl_lawful *l = talloc_zero(ctx, struct sl_lawful);

	if (!l)
		return NULL;
	l->ctrs = rate_ctr_group_alloc(l, &sl_lawful_ctrg_desc, idx);
	if (!l->ctrs) {
		talloc_free(l);
		return NULL;
	}
	talloc_set_destructor(l, lawful_destructor);
	return l;
}

struct rate_ctr_group *sl_lawful_ctrs(struct sl_lawful *l)
{
	return l->ctrs;
}

int sl_lawful_add(struct sl_lawful *l, const struct sl_intercept *ic)
{
	unsigned i;

	if (!ic->liid[0] || !ic->n_targets || ic->n_targets > SL_INTERCEPT_MAX_TARGETS || !ic->dest[0] ||
	    (ic->end_us && ic->end_us <= ic->start_us))
		return -EINVAL;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->ic[i].liid, ic->liid))
			return -EEXIST;
	if (l->n >= SL_LAWFUL_MAX)
		return -ENOSPC;
	l->ic[l->n++] = *ic;
	return 0;
}

unsigned sl_lawful_count(const struct sl_lawful *l)
{
	return l->n;
}

const struct sl_intercept *sl_lawful_get(const struct sl_lawful *l, unsigned i)
{
	return i < l->n ? &l->ic[i] : NULL;
}

bool sl_intercept_active(const struct sl_intercept *ic, uint64_t t_us)
{
	return t_us >= ic->start_us && (!ic->end_us || t_us < ic->end_us);
}

static bool party_is_target(const struct sl_intercept *ic, const struct sl_party *p)
{
	unsigned i;

	for (i = 0; i < ic->n_targets; i++)
		if (sl_party_has(p, ic->target[i].type, ic->target[i].value))
			return true;
	return false;
}

unsigned sl_lawful_match(struct sl_lawful *l, const struct sl_event *ev, struct sl_match *out, unsigned max)
{
	unsigned i, n = 0;
	bool targeted = false;

	for (i = 0; i < l->n; i++) {
		const struct sl_intercept *ic = &l->ic[i];
		struct sl_match m = { .ic = ic };

		if (party_is_target(ic, &ev->from))
			m.side = SL_TARGET_FROM;
		else if (party_is_target(ic, &ev->to))
			m.side = SL_TARGET_TO;
		else
			continue;
		targeted = true;
		if (!sl_intercept_active(ic, ev->ts_us))
			continue;
		if (n < max)
			out[n] = m;
		n++;
	}
	if (n) {
		rate_ctr_inc2(l->ctrs, SL_LAWFUL_CTR_MATCHED);
		rate_ctr_add(rate_ctr_group_get_ctr(l->ctrs, SL_LAWFUL_CTR_MATCHES), n);
		if (n > max)
			rate_ctr_inc2(l->ctrs, SL_LAWFUL_CTR_TRUNCATED);
	} else {
		rate_ctr_inc2(l->ctrs, targeted ? SL_LAWFUL_CTR_INACTIVE : SL_LAWFUL_CTR_NO_TARGET);
	}
	return n;
}
