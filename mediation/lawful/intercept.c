/* Interceptions and target matching (see intercept.h). */
#include "mediation/lawful/intercept.h"

#include <errno.h>
#include <string.h>

#include <talloc.h>

#define SL_LAWFUL_MAX 1024

struct sl_lawful {
	struct sl_intercept ic[SL_LAWFUL_MAX];
	unsigned n;
};

struct sl_lawful *sl_lawful_alloc(void *ctx)
{
	return talloc_zero(ctx, struct sl_lawful);
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

unsigned sl_lawful_match(const struct sl_lawful *l, const struct sl_event *ev, struct sl_match *out, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < l->n && n < max; i++) {
		const struct sl_intercept *ic = &l->ic[i];
		if (!sl_intercept_active(ic, ev->ts_us))
			continue;
		if (party_is_target(ic, &ev->from))
			out[n++] = (struct sl_match){ .ic = ic, .side = SL_TARGET_FROM };
		else if (party_is_target(ic, &ev->to))
			out[n++] = (struct sl_match){ .ic = ic, .side = SL_TARGET_TO };
	}
	return n;
}
