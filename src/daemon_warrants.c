/*
 * Warrants in sluiced (see daemon_ho.h): the authorities loaded from the
 * configuration, the warrant store fed from the warrant directory, and
 * what its events make the gateway do: an audit record of every one
 * (accepted, refused with the reason, revoked, activated, modified,
 * deactivated, ended; never a target), HI1 notifications to the issuing
 * authority's destination (liActivated, liModified, liDeactivated), and a
 * log line for every refusal. The records are appended before the
 * notification is spooled, and the spool releases nothing before the
 * audit log has committed them (daemon_ho.c). `show warrants` lists the warrants (never
 * their targets); `warrants reload` reads the directory again.
 *
 * The store runs on the gateway's clock. When a capture file is replayed
 * that clock is unknown until its first frame, so the directory is read
 * then; live, it is read at start.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/audit/hash.h"
#include "mediation/lawful/lawful_log.h"
#include "src/daemon_ho.h"

static const struct sl_ho_auth_cfg *auth_cfg(const struct sl_ho_rt *rt, const char *name)
{
	unsigned i;

	for (i = 0; i < rt->cfg->n_auth; i++)
		if (!strcmp(rt->cfg->auth[i].name, name))
			return &rt->cfg->auth[i];
	return NULL;
}

/* A warrant may name a destination listed under its authority that is also configured for handover. */
static bool dest_ok(void *priv, const char *dest, const struct sl_authority *a)
{
	struct sl_ho_rt *rt = priv;
	const struct sl_ho_auth_cfg *ac = auth_cfg(rt, sl_authority_name(a));
	unsigned i;
	bool listed = false, configured = false;

	for (i = 0; ac && i < ac->n_dest; i++)
		listed |= !strcmp(ac->dest[i], dest);
	for (i = 0; i < rt->n_dest; i++)
		configured |= !strcmp(rt->dest[i].cfg->name, dest);
	return listed && configured;
}

static const char *end_reason(enum sl_warrant_state st)
{
	return st == SL_WS_REVOKED ? "revoked" : st == SL_WS_SUPERSEDED ? "superseded" : "expired";
}

static void digest_str(const uint8_t *d, char out[SL_AUDIT_DIGEST_STRLEN])
{
	memcpy(out, "sha256:", 7);
	sl_audit_hex(d, 32, out + 7);
}

static json_t *str_list_services(unsigned svc)
{
	json_t *a = json_array();
	unsigned k;

	for (k = 0; a && k < 4; k++)
		if (svc & (1u << k))
			json_array_append_new(a, json_string(sl_service_names[k]));
	return a;
}

/* The audit record of a warrant event (before anything it describes is released). */
static void record_wevent(struct sl_ho_rt *rt, const struct sl_wevent *e)
{
	struct sl_audit_actor sys = { .type = "system", .id = "warrants" };
	struct sl_audit_actor signer = { .type = "warrant-signer", .id = e->signer && *e->signer ? e->signer : "-" };
	const struct sl_warrant_meta *m = e->meta;
	char dg[SL_AUDIT_DIGEST_STRLEN];
	const char *kind = NULL;
	const struct sl_audit_actor *actor = &sys;
	json_t *f = NULL;

	if (!rt->audit)
		return;
	if (e->digest)
		digest_str(e->digest, dg);
	switch (e->kind) {
	case SL_WEV_ACCEPTED:
		kind = "warrant.accepted";
		actor = &signer;
		f = json_pack("{s:s,s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:o,s:[s],s:I}", "liid", m->liid, "version",
			      (json_int_t)m->version, "warrant_digest", dg, "authority", m->authority, "signer",
			      signer.id, "valid_from", (json_int_t)e->ic->start_us, "valid_until",
			      (json_int_t)e->ic->end_us, "delivery", e->ic->scope == SL_SCOPE_IRI_CC ? "iri+cc" : "iri",
			      "services", str_list_services(e->ic->services), "destinations", e->ic->dest, "targets",
			      (json_int_t)e->ic->n_targets);
		break;
	case SL_WEV_REFUSED:
		kind = "warrant.refused";
		f = json_pack("{s:s,s:s,s:s,s:s}", "warrant_digest", dg, "reason", sl_warrant_refusal_names[e->refusal],
			      "detail", e->reason ? e->reason : "", "file", e->file ? e->file : "-");
		if (f && m) {
			json_object_set_new(f, "liid", json_string(m->liid));
			json_object_set_new(f, "authority", json_string(m->authority));
		}
		break;
	case SL_WEV_REVOKED_DOC:
		kind = "warrant.revocation";
		actor = &signer;
		f = json_pack("{s:s,s:I,s:s,s:s}", "liid", m->liid, "version", (json_int_t)m->version,
			      "revocation_digest", dg, "authority", m->authority);
		break;
	case SL_WEV_ACTIVATED:
	case SL_WEV_MODIFIED:
		kind = e->kind == SL_WEV_ACTIVATED ? "intercept.activated" : "intercept.modified";
		f = json_pack("{s:s,s:I,s:s,s:I}", "liid", m->liid, "version", (json_int_t)m->version, "destination",
			      e->ic->dest, "hi1_seq", (json_int_t)e->hi1_seq);
		break;
	case SL_WEV_DEACTIVATED:
		kind = "intercept.deactivated";
		f = json_pack("{s:s,s:s,s:I,s:s,s:I}", "liid", m->liid, "reason", end_reason(e->state), "version",
			      (json_int_t)m->version, "destination", e->ic->dest, "hi1_seq", (json_int_t)e->hi1_seq);
		break;
	case SL_WEV_ENDED:
		kind = "warrant.ended";
		f = json_pack("{s:s,s:s,s:I}", "liid", m->liid, "reason", end_reason(e->state), "version",
			      (json_int_t)m->version);
		break;
	default:
		return;
	}
	if (!f || sl_audit_append(rt->audit, kind, actor, f, 0) < 0)
		LOGP(DSLWARRANT, LOGL_ERROR, "audit: a %s record could not be appended\n", kind);
	json_decref(f);
	/* an active warrant that ends is also a warrant that ended */
	if (e->kind == SL_WEV_DEACTIVATED) {
		f = json_pack("{s:s,s:s,s:I}", "liid", m->liid, "reason", end_reason(e->state), "version",
			      (json_int_t)m->version);
		if (!f || sl_audit_append(rt->audit, "warrant.ended", &sys, f, 0) < 0)
			LOGP(DSLWARRANT, LOGL_ERROR, "audit: a warrant.ended record could not be appended\n");
		json_decref(f);
	}
}

static void on_wevent(void *priv, const struct sl_wevent *e)
{
	struct sl_ho_rt *rt = priv;
	enum sl_hi1_op op;

	record_wevent(rt, e);
	switch (e->kind) {
	case SL_WEV_ACTIVATED:
		op = SL_HI1_ACTIVATED;
		break;
	case SL_WEV_MODIFIED:
		op = SL_HI1_MODIFIED;
		break;
	case SL_WEV_DEACTIVATED:
		op = SL_HI1_DEACTIVATED;
		break;
	default:
		return;
	}
	if (rt->out && sl_ho_out_hi1(rt->out, e->ic, op, e->t_us, &e->hi1_seq) < 0)
		LOGP(DSLWARRANT, LOGL_ERROR, "LIID %s: the HI1 notification could not be queued\n", e->ic->liid);
}

int sl_ho_warrants_start(struct sl_ho_rt *rt, void *ctx)
{
	struct sl_ho_cfg *c = rt->cfg;
	struct sl_warrants_cfg wc;
	char err[512], *state;
	unsigned i;

	for (i = 0; i < c->n_auth; i++) {
		const struct sl_ho_auth_cfg *a = &c->auth[i];
		rt->auth[i] = sl_authority_load(ctx, a->name, a->country, a->anchors, a->crl, err, sizeof(err));
		if (!rt->auth[i]) {
			LOGP(DSLWARRANT, LOGL_ERROR, "lawful: %s\n", err);
			return -1;
		}
		rt->n_auth++;
	}
	rt->next_change_us = UINT64_MAX;
	if (!c->warrant_dir) {
		if (c->n_auth)
			LOGP(DSLWARRANT, LOGL_NOTICE, "lawful: authorities configured but no warrant-directory\n");
		return 0;
	}
	if (!c->n_auth)
		LOGP(DSLWARRANT, LOGL_NOTICE, "lawful: no authority configured: every warrant will be refused\n");
	if (!rt->audit) {
		LOGP(DSLWARRANT, LOGL_ERROR, "lawful: warrants need the audit log (configure the audit node): every "
					      "decision about them is recorded there before it takes effect\n");
		return -1;
	}
	state = talloc_asprintf(ctx, "%s/warrants.state", c->state_dir);
	wc = (struct sl_warrants_cfg){ .dir = c->warrant_dir, .state_path = state, .auth = rt->auth,
				       .n_auth = rt->n_auth, .num = rt->num, .lawful = rt->law, .dest_ok = dest_ok,
				       .event = on_wevent, .priv = rt };
	rt->ws = sl_warrants_alloc(ctx, &wc, err, sizeof(err));
	if (!rt->ws) {
		LOGP(DSLWARRANT, LOGL_ERROR, "lawful: %s\n", err);
		return -1;
	}
	/* live: read now; a replayed file: at its first frame, when the clock is known */
	rt->next_change_us = rt->clock_live ? 0 : 1;
	return 0;
}

void sl_ho_warrants_tick(struct sl_ho_rt *rt, uint64_t now_us)
{
	int n;

	if (!rt->ws)
		return;
	if (!rt->warrants_loaded) {
		rt->warrants_loaded = true;
		n = sl_warrants_load_dir(rt->ws, now_us);
		if (n > 0)
			LOGP(DSLWARRANT, LOGL_ERROR, "lawful: %d warrant document(s) refused (see above)\n", n);
	}
	sl_warrants_tick(rt->ws, now_us);
	rt->next_change_us = sl_warrants_next_change(rt->ws);
}

int sl_ho_warrants_reload(struct sl_ho_rt *rt)
{
	int n;

	if (!rt->ws)
		return -ENOENT;
	if (!rt->warrants_loaded)
		return 0; /* read at the first frame anyway */
	n = sl_warrants_load_dir(rt->ws, rt->clock_us);
	rt->next_change_us = sl_warrants_next_change(rt->ws);
	sl_ho_commit(rt);
	return n;
}

/* ---- show warrants, warrants reload ---------------------------------------- */

static struct sl_ho_rt *g_rt;

DEFUN(show_warrants, show_warrants_cmd, "show warrants",
      SHOW_STR "Warrants held: LIID, version, state, window, authority, destination, scope (never targets)\n")
{
	struct sl_warrant_info wi;
	char a[32], b[32], s[32];
	unsigned i, k;

	if (!g_rt || !g_rt->ws) {
		vty_out(vty, "no warrant directory configured%s", VTY_NEWLINE);
		return CMD_SUCCESS;
	}
	vty_out(vty, "%u LIIDs known%s", sl_warrants_count(g_rt->ws), VTY_NEWLINE);
	for (i = 0; sl_warrants_get(g_rt->ws, i, &wi); i++) {
		vty_out(vty, "%s v%" PRIu32 " %s", wi.liid, wi.version, sl_warrant_state_names[wi.state]);
		if (!wi.file) {
			vty_out(vty, " (remembered; its document is not held)%s", VTY_NEWLINE);
			continue;
		}
		vty_out(vty, " since %s, valid %s to %s%s", sl_warrant_fmt_time(s, sizeof(s), wi.since_us),
			sl_warrant_fmt_time(a, sizeof(a), wi.from_us), sl_warrant_fmt_time(b, sizeof(b), wi.until_us),
			VTY_NEWLINE);
		vty_out(vty, "  authority %s, destination %s, %s, services", wi.authority, wi.dest,
			wi.scope == SL_SCOPE_IRI_CC ? "iri+cc" : "iri");
		for (k = 0; k < 4; k++)
			if (wi.services & (1u << k))
				vty_out(vty, " %s", sl_service_names[k]);
		vty_out(vty, ", %u target(s); %s%s", wi.n_targets, wi.file, VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

DEFUN(warrants_reload, warrants_reload_cmd, "warrants reload",
      "Warrants\n" "Read the warrant directory again: new, superseding and revoking documents take effect\n")
{
	int n = g_rt ? sl_ho_warrants_reload(g_rt) : -ENOENT;

	if (n < 0) {
		vty_out(vty, "%% %s%s", n == -ENOENT ? "no warrant directory configured" : strerror(-n), VTY_NEWLINE);
		return CMD_WARNING;
	}
	vty_out(vty, "warrant directory read: %d document(s) refused%s", n, VTY_NEWLINE);
	return CMD_SUCCESS;
}

void sl_warrant_show_vty_init(struct sl_ho_rt *rt)
{
	g_rt = rt;
	install_element(ENABLE_NODE, &show_warrants_cmd); /* LIIDs: not for view sessions */
	install_element(ENABLE_NODE, &warrants_reload_cmd);
}
