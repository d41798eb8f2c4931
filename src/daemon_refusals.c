/*
 * Records a destination's spool refused, accounted for record by record.
 *
 * When a receiver stays down long enough for its spool to reach its cap,
 * new records are refused and capture goes on. Their sequence numbers are
 * spent, never reused, so the authority sees a gap; this file makes the
 * gateway explain each gap exactly: refusals are gathered per interception,
 * destination, stream and CIN into runs of consecutive sequence numbers,
 * logged, counted per destination stream (`show handover`, /metrics) and,
 * with an audit log, written as `delivery.refused` records (LIID,
 * destination, stream, CIN, first and last sequence number, count,
 * reason) in the same commit as the deliveries around them.
 *
 * Content goes first: a destination whose HI2 spool is full, or a state
 * directory whose file system is short of its reserve, has its content
 * (HI3) shed before any IRI is refused, so IRI is never refused while
 * content is still accepted.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/statvfs.h>

#include <jansson.h>
#include <osmocom/core/logging.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/audit/audit.h"
#include "src/daemon_ho.h"

static const char *const stream_names[2] = { "hi2", "hi3" };

const char *const sl_ho_refusal_reasons[] = {
	[SL_HO_REFUSE_SPOOL_FULL] = "spool-full",
	[SL_HO_REFUSE_CONTENT_SHED] = "content-shed",
};

/* Should content for d be shed now (its IRI spool full, or the disk short)? */
bool sl_ho_shed_content(const struct sl_ho_rt *rt, const struct sl_ho_dest_rt *d)
{
	struct sl_spool_stats ss;

	if (rt->disk_short)
		return true;
	if (!d->spool[SL_HO_HI2])
		return false;
	sl_spool_get_stats(d->spool[SL_HO_HI2], &ss);
	return ss.full;
}

/* Once a second: is the state directory's file system below its reserve? */
void sl_ho_check_disk(struct sl_ho_rt *rt)
{
	struct statvfs sv;
	uint64_t free_b, reserve = (uint64_t)rt->cfg->spool_reserve_mb << 20;
	bool short_now;

	if (!rt->cfg->state_dir || !reserve || statvfs(rt->cfg->state_dir, &sv) < 0)
		return;
	free_b = (uint64_t)sv.f_bavail * sv.f_frsize;
	short_now = free_b < reserve;
	if (short_now != rt->disk_short)
		LOGP(DSLSRC, short_now ? LOGL_ERROR : LOGL_NOTICE,
		     "handover: %s has %" PRIu64 " MiB free, %s its reserve of %u MiB: content (HI3) %s\n",
		     rt->cfg->state_dir, free_b >> 20, short_now ? "below" : "back above", rt->cfg->spool_reserve_mb,
		     short_now ? "is shed so that IRI keeps its space" : "is spooled again");
	rt->disk_short = short_now;
}

void sl_ho_refusal_note(struct sl_ho_rt *rt, const char *liid, struct sl_ho_dest_rt *d, const struct sl_ho_rec *rec,
			enum sl_ho_refuse_reason why)
{
	struct sl_ho_refusal *r = NULL;
	unsigned i;

	d->refused[rec->stream]++;
	if (why == SL_HO_REFUSE_CONTENT_SHED)
		d->shed[rec->stream]++;
	/* extend the open run of this (liid, destination, stream, CIN) if the number follows on */
	for (i = 0; i < rt->n_refusal; i++) {
		struct sl_ho_refusal *x = &rt->refusal[i];

		if (x->d == d && x->stream == (int)rec->stream && x->has_cin == rec->has_cin && x->cin == rec->cin &&
		    x->reason == why && !strcmp(x->liid, liid)) {
			if (rec->has_seq && x->has_seq && rec->seq == x->last_seq + 1) {
				x->last_seq = rec->seq;
				x->count++;
				return;
			}
		}
	}
	if (rt->n_refusal == rt->refusal_cap) {
		unsigned cap = rt->refusal_cap ? 2 * rt->refusal_cap : 16;
		struct sl_ho_refusal *n = talloc_realloc(NULL, rt->refusal, struct sl_ho_refusal, cap);

		if (!n) {
			rt->refusals_unrecorded++;
			return;
		}
		rt->refusal = n;
		rt->refusal_cap = cap;
	}
	r = &rt->refusal[rt->n_refusal++];
	memset(r, 0, sizeof(*r));
	snprintf(r->liid, sizeof(r->liid), "%s", liid);
	r->d = d;
	r->stream = (int)rec->stream;
	r->has_cin = rec->has_cin;
	r->cin = rec->cin;
	r->has_seq = rec->has_seq;
	r->first_seq = r->last_seq = rec->seq;
	r->count = 1;
	r->reason = why;
}

/* Log the runs and, with an audit log, append them (the caller commits). 0, or -1 if the log refused. */
int sl_ho_refusals_flush(struct sl_ho_rt *rt)
{
	struct sl_audit_actor sys = { .type = "system", .id = "handover" };
	int rc = 0;
	unsigned i;

	for (i = 0; i < rt->n_refusal; i++) {
		struct sl_ho_refusal *r = &rt->refusal[i];
		json_t *f;

		LOGP(DSLSRC, LOGL_ERROR,
		     "handover: %s %s: %" PRIu64 " record(s) of %s refused (%s)%s%" PRIu32 "%s%" PRIu32 "%s: "
		     "the receiver will see that gap\n",
		     r->d->cfg->name, stream_names[r->stream], r->count, r->liid, sl_ho_refusal_reasons[r->reason],
		     r->has_seq ? ", sequence numbers " : "", r->has_seq ? r->first_seq : 0, r->has_seq ? "-" : "",
		     r->has_seq ? r->last_seq : 0, r->has_cin ? " of their CIN" : "");
		if (!rt->audit)
			continue;
		f = json_pack("{s:s,s:s,s:s,s:s,s:I}", "liid", r->liid, "destination", r->d->cfg->name, "stream",
			      stream_names[r->stream], "reason", sl_ho_refusal_reasons[r->reason], "count",
			      (json_int_t)r->count);
		if (f && r->has_cin)
			json_object_set_new(f, "cin", json_integer(r->cin));
		if (f && r->has_seq) {
			json_object_set_new(f, "first_seq", json_integer(r->first_seq));
			json_object_set_new(f, "last_seq", json_integer(r->last_seq));
		}
		if (!f || sl_audit_append(rt->audit, "delivery.refused", &sys, f, 0) < 0)
			rc = -1;
		json_decref(f);
	}
	rt->n_refusal = 0;
	return rc;
}
