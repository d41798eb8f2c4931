/*
 * Lawful delivery at run time in sluiced (see daemon_ho.h): the sink that
 * puts encoded records into each destination's spools, the links that
 * drain them, and `show handover`.
 *
 * With an audit log, what is spooled between two commits is accounted per
 * (LIID, destination, stream) as a delivery batch: its first spool record,
 * how many, and the SHA-256 over each PDU's 4-byte big-endian length and
 * bytes. At the commit the batches become `delivery` records, the audit
 * log is committed (write and fsync), and only then the spools: a record
 * reaches a link only once its delivery is on record. If the audit log
 * cannot record, nothing is released (counted and logged) until it can.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "handover/link_etsi.h"
#include "handover/pdu_ctx.h"
#include "mediation/audit/hash.h"
#include "src/app_lock.h"
#include "src/daemon_ho.h"

static const char *const stream_names[2] = { "hi2", "hi3" };

struct sl_ho_batch {
	char liid[SL_LIID_MAX + 1];
	struct sl_ho_dest_rt *d;
	int stream;
	uint64_t first_id, count;
	EVP_MD_CTX *md;
};

static void batches_free(struct sl_ho_rt *rt)
{
	unsigned i;

	for (i = 0; i < rt->batch_cap; i++)
		EVP_MD_CTX_free(rt->batch[i].md);
	talloc_free(rt->batch);
	rt->batch = NULL;
	rt->n_batch = rt->batch_cap = 0;
}

/* The open batch of (liid, d, stream), started at record id if there is none. */
static struct sl_ho_batch *batch_for(struct sl_ho_rt *rt, const char *liid, struct sl_ho_dest_rt *d, int st,
				     uint64_t id)
{
	struct sl_ho_batch *b;
	unsigned i;

	for (i = 0; i < rt->n_batch; i++) {
		b = &rt->batch[i];
		if (b->d == d && b->stream == st && !strcmp(b->liid, liid))
			return b;
	}
	if (rt->n_batch == rt->batch_cap) {
		unsigned cap = rt->batch_cap ? 2 * rt->batch_cap : 16;
		b = talloc_realloc(NULL, rt->batch, struct sl_ho_batch, cap);
		if (!b)
			return NULL;
		memset(b + rt->batch_cap, 0, (cap - rt->batch_cap) * sizeof(*b));
		rt->batch = b;
		rt->batch_cap = cap;
	}
	b = &rt->batch[rt->n_batch];
	if (!b->md && !(b->md = EVP_MD_CTX_new()))
		return NULL;
	if (EVP_DigestInit_ex(b->md, EVP_sha256(), NULL) != 1)
		return NULL;
	snprintf(b->liid, sizeof(b->liid), "%s", liid);
	b->d = d;
	b->stream = st;
	b->first_id = id;
	b->count = 0;
	rt->n_batch++;
	return b;
}

/* The batches as delivery records, made durable. 0, or -1 when the audit log could not. */
static int record_batches(struct sl_ho_rt *rt)
{
	struct sl_audit_actor sys = { .type = "system", .id = "handover" };
	unsigned i;
	int rc = 0;

	for (i = 0; i < rt->n_batch; i++) {
		struct sl_ho_batch *b = &rt->batch[i];
		unsigned char md[32];
		char digest[SL_AUDIT_DIGEST_STRLEN];
		json_t *f;

		EVP_DigestFinal_ex(b->md, md, NULL);
		memcpy(digest, "sha256:", 7);
		sl_audit_hex(md, 32, digest + 7);
		f = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "liid", b->liid, "destination", b->d->cfg->name, "stream",
			      stream_names[b->stream], "first_seq", (json_int_t)b->first_id, "count",
			      (json_int_t)b->count, "digest", digest);
		if (!f || sl_audit_append(rt->audit, "delivery", &sys, f, 0) < 0)
			rc = -1;
		json_decref(f);
	}
	rt->n_batch = 0;
	if (sl_ho_refusals_flush(rt) < 0)
		rc = -1;
	if (sl_audit_commit(rt->audit) < 0)
		rc = -1;
	return rc;
}

static struct sl_ho_dest_rt *dest_by_name(struct sl_ho_rt *rt, const char *name)
{
	unsigned i;

	for (i = 0; i < rt->n_dest; i++)
		if (!strcmp(rt->dest[i].cfg->name, name))
			return &rt->dest[i];
	return NULL;
}

static int sink_write(void *priv, const char *liid, const char *dest, const struct sl_ho_rec *rec, const uint8_t *p,
		      size_t n)
{
	struct sl_ho_rt *rt = priv;
	struct sl_ho_dest_rt *d = dest_by_name(rt, dest);
	enum sl_ho_stream st = rec->stream;
	struct sl_ho_batch *b;
	uint64_t id;
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
	int rc;

	if (!d || !d->spool[st])
		return -ENOENT;
	/* content goes before IRI does (daemon_refusals.c) */
	if (st == SL_HO_HI3 && sl_ho_shed_content(rt, d)) {
		sl_ho_refusal_note(rt, liid, d, rec, SL_HO_REFUSE_CONTENT_SHED);
		return -ENOSPC;
	}
	rc = sl_spool_append(d->spool[st], p, n, &id);
	if (rc < 0) {
		sl_ho_refusal_note(rt, liid, d, rec, SL_HO_REFUSE_SPOOL_FULL);
		return rc;
	}
	if (!rt->audit)
		return rc;
	b = batch_for(rt, liid, d, st, id);
	if (!b) {
		/* the record stays held back: the commit refuses to release what it could not account for */
		rt->audit_failures++;
		return 0;
	}
	EVP_DigestUpdate(b->md, len, 4);
	EVP_DigestUpdate(b->md, p, n);
	b->count++;
	return 0;
}

static enum sl_ho_format sink_format(void *priv, const char *dest)
{
	struct sl_ho_dest_rt *d = dest_by_name(priv, dest);

	return d ? d->cfg->format : SL_HO_FORMAT_PS_PDU;
}

bool sl_ho_enabled(const struct sl_ho_rt *rt)
{
	return rt->out != NULL;
}

static int start_dest(struct sl_ho_rt *rt, void *ctx, const struct sl_ho_dest_cfg *dc)
{
	struct sl_ho_cfg *c = rt->cfg;
	struct sl_ho_dest_rt *d = &rt->dest[rt->n_dest++];
	/* with an audit log, records are released only after their delivery is on record: the daemon commits */
	struct sl_spool_cfg sc = { .fsync = c->fsync, .max_bytes = (uint64_t)c->spool_max_mb << 20,
				   .caller_commits = rt->audit != NULL };
	/* TRI PDUs (keep-alive, ack request) belong to no interception: they carry the destination's name as LIID */
	struct sl_pdu_ctx_cfg pc = { .liid = dc->name, .operator_id = c->operator_id, .ne_id = c->ne_id,
				     .delivery_cc = c->country, .ipid = c->ipid, .ts_digits = 6 };
	struct sl_link_pdu_ops ops;
	const struct sl_ho_auth_cfg *auth = sl_ho_dest_authority(c, dc->name);
	const char *ca = dc->tls_ca;
	char err[512], name[64], *dir;
	int s;

	/*
	 * A destination one of the trusted authorities names is verified
	 * against that authority's receiver CA and nothing else, so neither a
	 * CA of the destination's own nor an address changed on the console
	 * can make another receiver acceptable.
	 */
	if (auth && !dc->plain) {
		const struct sl_ho_auth_cfg *other = sl_ho_dest_authority_conflict(c, dc->name);

		if (other) {
			LOGP(DSLSRC, LOGL_ERROR, "handover destination %s belongs to authorities %s and %s, whose "
						  "receiver-ca differ: its receivers could be verified against one of them "
						  "only\n", dc->name, auth->name, other->name);
			return -1;
		}
		if (!auth->receiver_ca) {
			LOGP(DSLSRC, LOGL_ERROR, "handover destination %s belongs to authority %s, which has no "
						  "receiver-ca: its receivers could not be verified\n", dc->name, auth->name);
			return -1;
		}
		if (dc->tls_ca && strcmp(dc->tls_ca, auth->receiver_ca)) {
			LOGP(DSLSRC, LOGL_ERROR, "handover destination %s belongs to authority %s: its receivers are "
						  "verified against the authority's receiver-ca only (remove 'tls ca %s')\n",
			     dc->name, auth->name, dc->tls_ca);
			return -1;
		}
		ca = auth->receiver_ca;
	}
	if (dc->plain)
		LOGP(DSLSRC, LOGL_ERROR, "INSECURE: handover destination %s%s%s uses plain TCP (plain-tcp): records "
					  "travel unencrypted to an unauthenticated receiver; lab use only\n",
		     dc->name, auth ? " of authority " : "", auth ? auth->name : "");
	d->cfg = dc;
	d->tri_ctx = sl_pdu_ctx_alloc(ctx, &pc);
	if (!d->tri_ctx) {
		LOGP(DSLSRC, LOGL_ERROR, "handover destination %s: bad identifiers (operator-id, ...)\n", dc->name);
		return -1;
	}
	sl_link_etsi_ops(&ops, d->tri_ctx);
	for (s = 0; s < 2; s++) {
		struct sl_link_cfg lc = {
			.host = dc->host[s], .port = dc->port[s], .plain = dc->plain, .tls_cert = dc->tls_cert,
			.tls_key = dc->tls_key, .tls_ca = ca, .tls_verify_name = dc->verify_name,
			/* plain TS 101 671 receivers get HI2 records only: no TS 102 232-1 TRI */
			.time1_ms = dc->format == SL_HO_FORMAT_PS_PDU ? dc->keepalive_s * 1000 : 0,
			.pdu_ack = dc->format == SL_HO_FORMAT_PS_PDU && dc->pdu_ack,
			.option_negotiation = dc->format == SL_HO_FORMAT_PS_PDU && dc->option_negotiation,
		};
		if (!dc->host[s]) {
			if (s == SL_HO_HI2) {
				LOGP(DSLSRC, LOGL_ERROR, "handover destination %s has no hi2 address\n", dc->name);
				return -1;
			}
			continue; /* no HI3: IRI-only destinations */
		}
		snprintf(name, sizeof(name), "%s-%s", dc->name, stream_names[s]);
		/* one directory per spool: segment files are named by number only */
		dir = talloc_asprintf(ctx, "%s/%s", c->state_dir, name);
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			LOGP(DSLSRC, LOGL_ERROR, "spool %s: cannot create %s: %s\n", name, dir, strerror(errno));
			return -1;
		}
		if (sl_spool_open(ctx, dir, name, &sc, &d->spool[s], err, sizeof(err)) < 0) {
			LOGP(DSLSRC, LOGL_ERROR, "spool %s: %s\n", name, err);
			return -1;
		}
		lc.name = name;
		d->link[s] = sl_link_new(ctx, d->spool[s], &lc, &ops, err, sizeof(err));
		if (!d->link[s]) {
			LOGP(DSLSRC, LOGL_ERROR, "handover link %s: %s\n", name, err);
			return -1;
		}
	}
	return 0;
}

int sl_ho_start(struct sl_ho_rt *rt, void *ctx, struct sl_ho_cfg *c, const struct sl_numbering *num, bool live,
		struct sl_audit_log *audit)
{
	struct sl_ho_out_cfg oc;
	struct sl_ho_sink sink = { .write = sink_write, .format = sink_format, .priv = rt };
	char err[512], *cin_path;
	unsigned i;

	memset(rt, 0, sizeof(*rt));
	rt->cfg = c;
	rt->num = num;
	rt->clock_live = live;
	rt->audit = audit;
	rt->next_change_us = UINT64_MAX;
	if (!c->state_dir) {
		if (c->n_ic || c->n_dest || c->warrant_dir) {
			LOGP(DSLSRC, LOGL_ERROR,
			     "handover: interceptions, warrants or destinations configured but no state-dir\n");
			return -1;
		}
		return 0; /* no lawful delivery configured */
	}
	if (c->n_ic && !c->lab_intercepts) {
		LOGP(DSLSRC, LOGL_ERROR, "lawful: %u interception(s) written in the configuration: only signed warrants "
					  "make sluice intercept (warrant-directory); for lab use only, set "
					  "insecure-configured-intercepts\n", c->n_ic);
		return -1;
	}
	if (c->n_ic)
		LOGP(DSLSRC, LOGL_ERROR, "lawful: INSECURE: %u interception(s) taken from the configuration without a "
					  "warrant (insecure-configured-intercepts: lab use only)\n", c->n_ic);
	if (!c->operator_id) {
		LOGP(DSLSRC, LOGL_ERROR, "handover: operator-id is mandatory (PS-PDU operatorIdentifier)\n");
		return -1;
	}
	if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST) {
		LOGP(DSLSRC, LOGL_ERROR, "handover: cannot create state-dir %s: %s\n", c->state_dir, strerror(errno));
		return -1;
	}
	if (sl_app_lock_dir(c->state_dir, err, sizeof(err)) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "handover: %s\n", err);
		return -1;
	}
	for (i = 0; i < c->n_dest; i++)
		if (start_dest(rt, ctx, &c->dest[i]) < 0)
			return -1;
	rt->law = sl_lawful_alloc(ctx, 0);
	if (!rt->law) {
		LOGP(DSLSRC, LOGL_ERROR, "handover: out of memory setting up lawful mediation\n");
		return -1;
	}
	for (i = 0; i < c->n_ic; i++) {
		const struct sl_intercept *ic = &c->ic[i];
		struct sl_ho_dest_rt *d = dest_by_name(rt, ic->dest);
		int rc;
		if (!d) {
			LOGP(DSLSRC, LOGL_ERROR, "intercept %s: destination '%s' is not configured\n", ic->liid, ic->dest);
			return -1;
		}
		if (ic->scope == SL_SCOPE_IRI_CC && !d->spool[SL_HO_HI3]) {
			LOGP(DSLSRC, LOGL_ERROR, "intercept %s: scope iri-cc but destination %s has no hi3\n", ic->liid,
			     ic->dest);
			return -1;
		}
		if (!ic->n_targets || !ic->target) {
			LOGP(DSLSRC, LOGL_ERROR, "intercept %s: needs at least one target\n", ic->liid);
			return -1;
		}
		rc = sl_lawful_add(rt->law, ic);
		if (rc < 0) {
			LOGP(DSLSRC, LOGL_ERROR, "intercept %s: %s\n", ic->liid,
			     rc == -EEXIST ? "LIID used twice" : "needs at least one target and a destination");
			return -1;
		}
	}
	cin_path = talloc_asprintf(ctx, "%s/cin.state", c->state_dir);
	oc = (struct sl_ho_out_cfg){ .operator_id = c->operator_id, .ne_id = c->ne_id, .country = c->country,
				     .ipid = c->ipid, .cin_state_path = cin_path, .max_comms = c->max_comms };
	rt->out = sl_ho_out_alloc(ctx, &oc, &sink, err, sizeof(err));
	if (!rt->out) {
		LOGP(DSLSRC, LOGL_ERROR, "handover: %s\n", err);
		return -1;
	}
	if (sl_ho_warrants_start(rt, ctx) < 0)
		return -1;
	if (c->n_ic && rt->next_change_us > 1)
		rt->next_change_us = 1; /* lab interceptions: announce those active at the first frame */
	LOGP(DSLSRC, LOGL_NOTICE, "handover: %u destinations, %u interceptions\n", rt->n_dest, c->n_ic);
	return 0;
}

void sl_ho_stop(struct sl_ho_rt *rt)
{
	unsigned i, s;

	sl_ho_commit(rt);
	batches_free(rt);
	TALLOC_FREE(rt->refusal);
	rt->n_refusal = rt->refusal_cap = 0;
	for (i = 0; i < rt->n_dest; i++)
		for (s = 0; s < 2; s++) {
			if (rt->dest[i].link[s])
				sl_link_free(rt->dest[i].link[s]);
			if (rt->dest[i].spool[s])
				sl_spool_close(rt->dest[i].spool[s]);
			rt->dest[i].link[s] = NULL;
			rt->dest[i].spool[s] = NULL;
		}
	if (rt->out)
		sl_ho_out_free(rt->out);
	rt->out = NULL;
}

void sl_ho_event(struct sl_ho_rt *rt, const struct sl_event *ev)
{
	const struct sl_match *m;
	unsigned i, n;

	if (!rt->out)
		return;
	n = sl_lawful_match(rt->law, ev, &m);
	for (i = 0; i < n; i++) {
		rt->matched++;
		sl_ho_out_event(rt->out, &m[i], ev);
		/* content is asked for only for calls under an IRI+CC interception */
		if (ev->dialog && m[i].ic->scope == SL_SCOPE_IRI_CC)
			sl_dialog_set_cc(ev->dialog, true);
	}
}

void sl_ho_cc(struct sl_ho_rt *rt, const struct sl_cc *cc)
{
	if (rt->out)
		sl_ho_out_cc(rt->out, cc);
}

void sl_ho_tick(struct sl_ho_rt *rt, uint64_t now_us)
{
	unsigned i;

	/* the clock only moves forward; 0 is "not known yet" (a replayed file before its first frame) */
	if (now_us > rt->clock_us)
		rt->clock_us = now_us;
	if (!rt->clock_us || !rt->out)
		return;
	sl_ho_warrants_tick(rt, rt->clock_us);
	/* configured lab interceptions: announced when their windows open and close */
	for (i = 0; i < rt->cfg->n_ic; i++) {
		const struct sl_intercept *ic = sl_lawful_find(rt->law, rt->cfg->ic[i].liid);
		bool active;
		if (!ic)
			continue;
		active = sl_intercept_active(ic, rt->clock_us);
		if (active == rt->notified_active[i])
			continue;
		if (sl_ho_out_hi1(rt->out, ic, active ? SL_HI1_ACTIVATED : SL_HI1_DEACTIVATED, rt->clock_us, NULL) == 0)
			rt->notified_active[i] = active;
		LOGP(DSLSRC, LOGL_NOTICE, "intercept %s %s\n", ic->liid, active ? "active" : "no longer active");
	}
	/* lab interceptions' windows are looked at on the one-second tick; warrants' exactly */
	rt->next_change_us = rt->ws ? sl_warrants_next_change(rt->ws) : UINT64_MAX;
	sl_ho_check_disk(rt);
	sl_ho_commit(rt);
}

void sl_ho_commit(struct sl_ho_rt *rt)
{
	unsigned i, s;

	/*
	 * Nothing is released that is not on record. A log that failed once
	 * stays failed (its last records may be lost): deliveries wait in the
	 * spools until sluiced is restarted with a working log.
	 */
	if (!rt->audit && rt->n_refusal)
		sl_ho_refusals_flush(rt); /* logged only */
	if (rt->audit && (rt->n_batch || rt->n_refusal || rt->audit_failures)) {
		if (rt->audit_failures || record_batches(rt) < 0) {
			if (!rt->audit_failures++)
				LOGP(DSLSRC, LOGL_ERROR, "audit: deliveries could not be recorded: records stay in the "
							  "spools, unreleased, until sluiced restarts with a working log\n");
			return;
		}
	}
	for (i = 0; i < rt->n_dest; i++)
		for (s = 0; s < 2; s++)
			if (rt->dest[i].spool[s])
				sl_spool_commit(rt->dest[i].spool[s]);
}

/* ---- show handover ----------------------------------------------------- */

static struct sl_ho_rt *g_rt;

const struct sl_ho_auth_cfg *sl_ho_dest_authority(const struct sl_ho_cfg *c, const char *dest)
{
	unsigned i, k;

	for (i = 0; i < c->n_auth; i++)
		for (k = 0; k < c->auth[i].n_dest; k++)
			if (!strcmp(c->auth[i].dest[k], dest))
				return &c->auth[i];
	return NULL;
}

const struct sl_ho_auth_cfg *sl_ho_dest_authority_conflict(const struct sl_ho_cfg *c, const char *dest)
{
	const struct sl_ho_auth_cfg *first = sl_ho_dest_authority(c, dest);
	unsigned i, k;

	if (!first)
		return NULL;
	for (i = (unsigned)(first - c->auth) + 1; i < c->n_auth; i++)
		for (k = 0; k < c->auth[i].n_dest; k++)
			if (!strcmp(c->auth[i].dest[k], dest) &&
			    (!first->receiver_ca || !c->auth[i].receiver_ca ||
			     strcmp(first->receiver_ca, c->auth[i].receiver_ca)))
				return &c->auth[i];
	return NULL;
}

void sl_ho_dest_moved(const struct sl_ho_dest_cfg *dc, int stream)
{
	unsigned i;

	if (!g_rt)
		return;
	for (i = 0; i < g_rt->n_dest; i++) {
		struct sl_link *l = g_rt->dest[i].link[stream];

		if (g_rt->dest[i].cfg != dc || !l || !dc->host[stream])
			continue;
		if (sl_link_set_peer(l, dc->host[stream], dc->port[stream]) > 0)
			LOGP(DSLSRC, LOGL_NOTICE, "handover: destination %s %s moved to %s:%u; the receiver there must "
						  "still prove the destination's configured name\n",
			     dc->name, stream_names[stream], dc->host[stream], dc->port[stream]);
	}
}

DEFUN(show_handover, show_handover_cmd, "show handover",
      SHOW_STR "Delivery to authorities: state of each destination stream, queues, reconnects\n")
{
	unsigned i, s;

	if (!g_rt || !g_rt->out) {
		vty_out(vty, "lawful delivery not configured%s", VTY_NEWLINE);
		return CMD_SUCCESS;
	}
	vty_out(vty, "interceptions %u, events matched %" PRIu64 ", communications tracked %u%s",
		sl_lawful_count(g_rt->law), g_rt->matched, sl_ho_out_comms(g_rt->out), VTY_NEWLINE);
	for (i = 0; i < g_rt->n_dest; i++) {
		for (s = 0; s < 2; s++) {
			struct sl_link_status st;
			if (!g_rt->dest[i].link[s])
				continue;
			sl_link_get_status(g_rt->dest[i].link[s], &st);
			vty_out(vty, "%s %s: %s %s %s%s", g_rt->dest[i].cfg->name, stream_names[s],
				get_value_string(sl_link_state_names, st.state), st.peer, st.security, VTY_NEWLINE);
			vty_out(vty, "  queued %" PRIu64 " records, %" PRIu64 " bytes, oldest %" PRId64
				     " ms; reconnects %" PRIu64 ", resends %" PRIu64 "%s",
				st.queued_records, st.queued_bytes, st.oldest_age_ms, st.reconnects, st.resends,
				VTY_NEWLINE);
			if (st.negotiated[0])
				vty_out(vty, "  options negotiated: %s%s", st.negotiated, VTY_NEWLINE);
			if (g_rt->dest[i].refused[s])
				vty_out(vty, "  refused %" PRIu64 " records (%" PRIu64 " content shed to keep IRI's space): "
					     "gaps the receiver sees, each on record%s",
					g_rt->dest[i].refused[s], g_rt->dest[i].shed[s], VTY_NEWLINE);
			if (st.last_error[0])
				vty_out(vty, "  last error: %s%s", st.last_error, VTY_NEWLINE);
		}
	}
	if (g_rt->disk_short)
		vty_out(vty, "state directory below its free-space reserve: content (HI3) is being shed%s", VTY_NEWLINE);
	return CMD_SUCCESS;
}

static void vty_ctr_group(struct vty *vty, const struct rate_ctr_group *grp, const char *prefix)
{
	unsigned i;

	for (i = 0; i < grp->desc->num_ctr; i++)
		vty_out(vty, "  %s:%s %" PRId64 "%s", prefix, grp->desc->ctr_desc[i].name, grp->ctr[i].current,
			VTY_NEWLINE);
}

void sl_ho_show_limits(struct vty *vty, const struct sl_ho_rt *rt)
{
	unsigned i, s;

	if (!rt->out)
		return;
	vty_out(vty, "  %-26s %12u / %-12u (max-communications)%s", "handover communications", sl_ho_out_comms(rt->out),
		sl_ho_out_max_comms(rt->out), VTY_NEWLINE);
	for (i = 0; i < rt->n_dest; i++)
		for (s = 0; s < 2; s++) {
			struct sl_spool_stats st;
			char name[64];

			if (!rt->dest[i].spool[s])
				continue;
			sl_spool_get_stats(rt->dest[i].spool[s], &st);
			snprintf(name, sizeof(name), "spool %s %s bytes", rt->dest[i].cfg->name, stream_names[s]);
			vty_out(vty, "  %-26s %12" PRIu64 " / %-12" PRIu64 " (spool-max-mb)%s", name, st.disk_bytes,
				(uint64_t)rt->cfg->spool_max_mb * 1024 * 1024, VTY_NEWLINE);
		}
}

void sl_ho_show_counters(struct vty *vty, const struct sl_ho_rt *rt)
{
	unsigned i, s;

	if (!rt->out) {
		vty_out(vty, "handover counters: lawful delivery not configured%s", VTY_NEWLINE);
		return;
	}
	vty_out(vty, "handover counters:%s", VTY_NEWLINE);
	vty_ctr_group(vty, sl_ho_out_ctrs(rt->out), "handover");
	for (i = 0; i < rt->n_dest; i++)
		for (s = 0; s < 2; s++) {
			char name[64];

			if (!rt->dest[i].spool[s])
				continue;
			snprintf(name, sizeof(name), "spool[%s-%s]", rt->dest[i].cfg->name, stream_names[s]);
			vty_ctr_group(vty, sl_spool_ctrs(rt->dest[i].spool[s]), name);
			if (!rt->dest[i].link[s])
				continue;
			snprintf(name, sizeof(name), "link[%s-%s]", rt->dest[i].cfg->name, stream_names[s]);
			vty_ctr_group(vty, sl_link_ctrs(rt->dest[i].link[s]), name);
		}
}

void sl_ho_show_vty_init(struct sl_ho_rt *rt)
{
	g_rt = rt;
	install_element(ENABLE_NODE, &show_handover_cmd); /* destinations: not for view sessions */
	sl_warrant_show_vty_init(rt);
}
