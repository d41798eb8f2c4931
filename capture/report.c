/*
 * Where the decoders report back: every rejected input counted and logged
 * (sl_cap_reject), every event handed to the consumer (sl_cap_emit).
 *
 * Kept apart from capture.c, the pipeline's entry point, because every
 * decoder calls these: with them in capture.c, the entry point and the
 * decoders it drives called each other, and the capture files formed one
 * cycle. Now calls flow one way, from the entry point down to the decoders
 * and from the decoders to here.
 */
#include <inttypes.h>
#include <stdio.h>

#include "capture/capture_int.h"
#include "capture/log.h"

void sl_cap_reject(struct sl_capture *cap, enum sl_capture_ctr_group g, unsigned idx, const char *fmt, ...)
{
	const struct rate_ctr_group *grp = cap->ctr[g];
	char msg[256];
	va_list ap;
	int level = LOGL_INFO;
	int cat = g == SL_CG_SIP ? DSLSIP : g == SL_CG_RTP ? DSLRTP : DSLDEC;

	rate_ctr_inc(rate_ctr_group_get_ctr(cap->ctr[g], idx));
	if (idx < 64 && !(cap->first_notice[g][idx / 32] & (1u << (idx % 32)))) {
		cap->first_notice[g][idx / 32] |= 1u << (idx % 32);
		level = LOGL_NOTICE;
	}
	if (!log_check_level(cat, level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cap->frame)
		LOGP(cat, level, "source %u frame %" PRIu64 ": %s:%s: %s%s\n", cap->frame->source, cap->frame->number,
		     grp->desc->group_name_prefix, grp->desc->ctr_desc[idx].name, msg,
		     level == LOGL_NOTICE ? " (first of its kind; further ones are counted only)" : "");
	else
		LOGP(cat, level, "%s:%s: %s\n", grp->desc->group_name_prefix, grp->desc->ctr_desc[idx].name, msg);
}

void sl_cap_emit(struct sl_capture *cap, const struct sl_event *ev)
{
	if (cap->ops.event)
		cap->ops.event(ev, cap->ops.priv);
}
