/*
 * VTY of lawful delivery in sluiced: the `handover` node with its
 * `destination` sub-nodes, and the `lawful` node with its `intercept`
 * sub-nodes (see daemon_ho.h). Read at start-up like the capture node.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "src/daemon.h"
#include "src/daemon_ho.h"

static struct sl_ho_cfg *g_c;
static void *g_ctx;

static struct cmd_node handover_node = { .node = SL_HANDOVER_NODE, .prompt = "%s(config-handover)# ", .vtysh = 1 };
static struct cmd_node dest_node = { .node = SL_DEST_NODE, .prompt = "%s(config-handover-dest)# ", .vtysh = 1 };
static struct cmd_node lawful_node = { .node = SL_LAWFUL_NODE, .prompt = "%s(config-lawful)# ", .vtysh = 1 };
static struct cmd_node intercept_node = { .node = SL_INTERCEPT_NODE, .prompt = "%s(config-lawful-intercept)# ",
					  .vtysh = 1 };

static void set_str(char **dst, const char *v)
{
	talloc_free(*dst);
	*dst = talloc_strdup(g_ctx, v);
}

static uint64_t arg_u64(const char *s)
{
	return strtoull(s, NULL, 10); /* digits and range checked by the command grammar */
}

static const char *const format_names[] = {
	[SL_HO_FORMAT_PS_PDU] = "ps-pdu", [SL_HO_FORMAT_HI2_V11] = "hi2-v11", [SL_HO_FORMAT_HI2_V18] = "hi2-v18",
};
static const char *const fsync_names[] = {
	[SL_SPOOL_FSYNC_ALWAYS] = "always", [SL_SPOOL_FSYNC_INTERVAL] = "interval", [SL_SPOOL_FSYNC_NEVER] = "never",
};
static const struct {
	const char *name;
	enum sl_id_type type;
} target_types[] = {
	{ "sip-uri", SL_ID_SIP_URI }, { "e164", SL_ID_E164 }, { "number", SL_ID_NUMBER },
	{ "imsi", SL_ID_IMSI },	      { "imei", SL_ID_IMEI },
};

/* ---- handover ---------------------------------------------------------- */

DEFUN(cfg_handover, cfg_handover_cmd, "handover", "Configure delivery to authorities (ETSI handover)\n")
{
	vty->node = SL_HANDOVER_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_opid, cfg_ho_opid_cmd, "operator-id NAME", "PS-PDU operatorIdentifier (1-16 chars)\n" "Name\n")
{
	if (strlen(argv[0]) > 16) {
		vty_out(vty, "%% operator-id is at most 16 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	set_str(&g_c->operator_id, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_neid, cfg_ho_neid_cmd, "network-element-id NAME",
      "PS-PDU networkElementIdentifier of this mediation function (1-16 chars)\n" "Name\n")
{
	if (strlen(argv[0]) > 16) {
		vty_out(vty, "%% network-element-id is at most 16 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	set_str(&g_c->ne_id, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_cc, cfg_ho_cc_cmd, "country-code CC",
      "Authorization and delivery country code (ISO 3166-1 alpha-2)\n" "e.g. DE\n")
{
	if (strlen(argv[0]) != 2 || argv[0][0] < 'A' || argv[0][0] > 'Z' || argv[0][1] < 'A' || argv[0][1] > 'Z') {
		vty_out(vty, "%% country-code is two capital letters, e.g. DE%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	set_str(&g_c->country, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_ipid, cfg_ho_ipid_cmd, "interception-point NAME", "PS-PDU interceptionPointID (1-8 chars)\n" "Name\n")
{
	if (strlen(argv[0]) > 8) {
		vty_out(vty, "%% interception-point is at most 8 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	set_str(&g_c->ipid, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_state, cfg_ho_state_cmd, "state-dir PATH",
      "Directory of the durable state: CIN allocator and one spool per destination stream\n" "Path\n")
{
	set_str(&g_c->state_dir, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_spool_max, cfg_ho_spool_max_cmd, "spool-max-mb <1-1048576>",
      "Cap of each spool; when full, new records are refused and counted (handover:refused), never dropped silently\n"
      "Megabytes\n")
{
	g_c->spool_max_mb = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_max_comms, cfg_ho_max_comms_cmd, "max-communications <16-10000000>",
      "Intercepted communications tracked at once for their CIN and sequence numbers (least recently used are "
      "forgotten beyond it, handover:comms_evicted)\n"
      "Communications\n")
{
	g_c->max_comms = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_reserve, cfg_ho_reserve_cmd, "spool-reserve-mb <0-1048576>",
      "Free space kept on the state directory's file system for IRI: below it, content (HI3) is shed first "
      "(0: no reserve)\n"
      "Megabytes\n")
{
	g_c->spool_reserve_mb = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ho_fsync, cfg_ho_fsync_cmd, "spool-fsync (always|interval|never)",
      "When spooled records are made durable\n" "Before each record is accepted\n"
      "Group commit every few milliseconds (default)\n" "Leave it to the kernel\n")
{
	g_c->fsync = !strcmp(argv[0], "always")	  ? SL_SPOOL_FSYNC_ALWAYS
		     : !strcmp(argv[0], "never") ? SL_SPOOL_FSYNC_NEVER
						 : SL_SPOOL_FSYNC_INTERVAL;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest, cfg_dest_cmd, "destination NAME", "Configure an authority's receiver (LEMF)\n" "Name\n")
{
	struct sl_ho_dest_cfg *d = NULL;
	unsigned i;

	if (strlen(argv[0]) > SL_DEST_NAME_MAX) {
		vty_out(vty, "%% destination names are at most %d characters%s", SL_DEST_NAME_MAX, VTY_NEWLINE);
		return CMD_WARNING;
	}
	for (i = 0; i < g_c->n_dest; i++)
		if (!strcmp(g_c->dest[i].name, argv[0]))
			d = &g_c->dest[i];
	if (!d) {
		if (g_c->n_dest >= SL_HO_MAX_DEST) {
			vty_out(vty, "%% at most %d destinations%s", SL_HO_MAX_DEST, VTY_NEWLINE);
			return CMD_WARNING;
		}
		d = &g_c->dest[g_c->n_dest++];
		memset(d, 0, sizeof(*d));
		memcpy(d->name, argv[0], strlen(argv[0]) + 1);
		d->keepalive_s = 30;
	}
	vty->index = d;
	vty->node = SL_DEST_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_addr, cfg_dest_addr_cmd, "(hi2|hi3) HOST <1-65535>",
      "IRI connection\n" "Content connection\n" "Receiver's address or name\n" "TCP port\n")
{
	struct sl_ho_dest_cfg *d = vty->index;
	int s = !strcmp(argv[0], "hi3");

	set_str(&d->host[s], argv[1]);
	d->port[s] = (uint16_t)arg_u64(argv[2]);
	if (vty->type != VTY_FILE)
		sl_ho_dest_moved(d, s); /* running: the link follows, its trust does not */
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_tls, cfg_dest_tls_cmd, "tls (certificate|key|ca|verify-name) VALUE",
      "TLS with mutual authentication (the default)\n" "This gateway's certificate (PEM)\n" "Its private key (PEM)\n"
      "CA certificates that sign the receiver's certificate (PEM)\n"
      "Name or address the receiver's certificate must carry (default: the host)\n" "File or name\n")
{
	struct sl_ho_dest_cfg *d = vty->index;
	char **f;

	/* the CA and the name decide which receiver is acceptable: configuration file only */
	if ((!strcmp(argv[0], "ca") || !strcmp(argv[0], "verify-name")) && !sl_vty_file_only(vty, "destination tls"))
		return CMD_WARNING;
	f = !strcmp(argv[0], "certificate") ? &d->tls_cert
		   : !strcmp(argv[0], "key")	     ? &d->tls_key
		   : !strcmp(argv[0], "ca")	     ? &d->tls_ca
						     : &d->verify_name;
	set_str(f, argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_plain, cfg_dest_plain_cmd, "plain-tcp",
      "No TLS: neither confidentiality nor authentication (warned at every connect)\n")
{
	if (!sl_vty_file_only(vty, "destination plain-tcp"))
		return CMD_WARNING;
	((struct sl_ho_dest_cfg *)vty->index)->plain = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_no_plain, cfg_dest_no_plain_cmd, "no plain-tcp", NO_STR "Use TLS (default)\n")
{
	((struct sl_ho_dest_cfg *)vty->index)->plain = false;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_format, cfg_dest_format_cmd, "format (ps-pdu|hi2-v11|hi2-v18)",
      "What the receiver gets on HI2\n" "TS 102 232-1/-5 PS-PDUs: IPMMIRI and ETSI671IRI (default)\n"
      "TS 101 671 IRIsContent, version 11 framing ([0] iRIContent)\n"
      "TS 101 671 IRIsContent, version 18 framing (bare record)\n")
{
	struct sl_ho_dest_cfg *d = vty->index;
	d->format = !strcmp(argv[0], "hi2-v11")	  ? SL_HO_FORMAT_HI2_V11
		    : !strcmp(argv[0], "hi2-v18") ? SL_HO_FORMAT_HI2_V18
						  : SL_HO_FORMAT_PS_PDU;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_ka, cfg_dest_ka_cmd, "keepalive <0-3600>",
      "TS 102 232-1 keep-alive after this many idle seconds (TIME1); 0: none\n" "Seconds\n")
{
	((struct sl_ho_dest_cfg *)vty->index)->keepalive_s = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_ack, cfg_dest_ack_cmd, "pdu-ack",
      "Release spooled records only on pDUAcknowledgementResponse (TS 102 232-1 6.3.6)\n")
{
	((struct sl_ho_dest_cfg *)vty->index)->pdu_ack = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_no_ack, cfg_dest_no_ack_cmd, "no pdu-ack", NO_STR "Release on TCP acknowledgement plus a resend window\n")
{
	((struct sl_ho_dest_cfg *)vty->index)->pdu_ack = false;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_optneg, cfg_dest_optneg_cmd, "option-negotiation",
      "Negotiate options (TS 102 232-1 6.3.5) before any record; pdu-ack is then used only if accepted\n")
{
	((struct sl_ho_dest_cfg *)vty->index)->option_negotiation = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_dest_no_optneg, cfg_dest_no_optneg_cmd, "no option-negotiation",
      NO_STR "Send records as soon as the connection is up\n")
{
	((struct sl_ho_dest_cfg *)vty->index)->option_negotiation = false;
	return CMD_SUCCESS;
}

/* ---- lawful ------------------------------------------------------------ */

DEFUN(cfg_lawful, cfg_lawful_cmd, "lawful", "Configure interceptions\n")
{
	vty->node = SL_LAWFUL_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_ic, cfg_ic_cmd, "intercept LIID", "Configure one interception\n" "Its LIID (1-25 characters)\n")
{
	struct sl_intercept *ic = NULL;
	unsigned i;

	if (strlen(argv[0]) > SL_LIID_MAX) {
		vty_out(vty, "%% a LIID is 1 to %d characters%s", SL_LIID_MAX, VTY_NEWLINE);
		return CMD_WARNING;
	}
	for (i = 0; i < g_c->n_ic; i++)
		if (!strcmp(g_c->ic[i].liid, argv[0]))
			ic = &g_c->ic[i];
	if (!ic) {
		if (g_c->n_ic >= SL_HO_MAX_INTERCEPTS) {
			vty_out(vty, "%% at most %d interceptions%s", SL_HO_MAX_INTERCEPTS, VTY_NEWLINE);
			return CMD_WARNING;
		}
		ic = &g_c->ic[g_c->n_ic++];
		memset(ic, 0, sizeof(*ic));
		memcpy(ic->liid, argv[0], strlen(argv[0]) + 1);
		ic->services = SL_SVC_ALL; /* configured interceptions (lab use) cover every service */
	}
	vty->index = ic;
	vty->node = SL_INTERCEPT_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_ic_target, cfg_ic_target_cmd, "target (sip-uri|e164|number|imsi|imei) VALUE",
      "Add a target identity (as it appears in events, see docs/events.md)\n" "sip:user@host\n" "+<cc><number>\n"
      "Unqualified number\n" "IMSI\n" "IMEI\n" "Value\n")
{
	struct sl_intercept *ic = vty->index;
	struct sl_target *t;
	unsigned i;

	if (ic->n_targets >= SL_INTERCEPT_MAX_TARGETS || strlen(argv[1]) >= SL_ID_MAX) {
		vty_out(vty, "%% at most %d targets of up to %d characters%s", SL_INTERCEPT_MAX_TARGETS,
			SL_ID_MAX - 1, VTY_NEWLINE);
		return CMD_WARNING;
	}
	t = talloc_realloc(g_ctx, ic->target, struct sl_target, ic->n_targets + 1);
	if (!t)
		return CMD_WARNING;
	ic->target = t;
	t = &ic->target[ic->n_targets];
	memset(t, 0, sizeof(*t));
	for (i = 0; i < sizeof(target_types) / sizeof(target_types[0]); i++)
		if (!strcmp(argv[0], target_types[i].name))
			t->id.type = target_types[i].type;
	memcpy(t->id.value, argv[1], strlen(argv[1]) + 1);
	ic->n_targets++;
	return CMD_SUCCESS;
}

DEFUN(cfg_ic_scope, cfg_ic_scope_cmd, "scope (iri|iri-cc)",
      "What the authority may receive\n" "Intercept-related information only\n" "IRI and content\n")
{
	((struct sl_intercept *)vty->index)->scope = !strcmp(argv[0], "iri-cc") ? SL_SCOPE_IRI_CC : SL_SCOPE_IRI;
	return CMD_SUCCESS;
}

DEFUN(cfg_ic_dest, cfg_ic_dest_cmd, "destination NAME", "Where its records go (a handover destination)\n" "Name\n")
{
	struct sl_intercept *ic = vty->index;

	if (strlen(argv[0]) > SL_DEST_NAME_MAX)
		return CMD_WARNING;
	memcpy(ic->dest, argv[0], strlen(argv[0]) + 1);
	return CMD_SUCCESS;
}

DEFUN(cfg_ic_window, cfg_ic_window_cmd, "(valid-from|valid-until) <0-4102444800>",
      "Start of the interception (Unix seconds)\n" "End of the interception, exclusive (Unix seconds)\n"
      "Seconds since 1970-01-01 UTC\n")
{
	struct sl_intercept *ic = vty->index;
	uint64_t us = arg_u64(argv[1]) * 1000000;

	if (!strcmp(argv[0], "valid-from"))
		ic->start_us = us;
	else
		ic->end_us = us;
	return CMD_SUCCESS;
}

/* ---- writing the configuration back ---------------------------------------- */

static int write_handover(struct vty *vty)
{
	unsigned i, s;

	if (!g_c->state_dir && !g_c->n_dest)
		return CMD_SUCCESS;
	vty_out(vty, "handover%s", VTY_NEWLINE);
	if (g_c->operator_id)
		vty_out(vty, " operator-id %s%s", g_c->operator_id, VTY_NEWLINE);
	if (g_c->ne_id)
		vty_out(vty, " network-element-id %s%s", g_c->ne_id, VTY_NEWLINE);
	if (g_c->country)
		vty_out(vty, " country-code %s%s", g_c->country, VTY_NEWLINE);
	if (g_c->ipid)
		vty_out(vty, " interception-point %s%s", g_c->ipid, VTY_NEWLINE);
	if (g_c->state_dir)
		vty_out(vty, " state-dir %s%s", g_c->state_dir, VTY_NEWLINE);
	vty_out(vty, " spool-max-mb %u%s", g_c->spool_max_mb, VTY_NEWLINE);
	vty_out(vty, " spool-reserve-mb %u%s", g_c->spool_reserve_mb, VTY_NEWLINE);
	vty_out(vty, " max-communications %u%s", g_c->max_comms, VTY_NEWLINE);
	vty_out(vty, " spool-fsync %s%s", fsync_names[g_c->fsync], VTY_NEWLINE);
	for (i = 0; i < g_c->n_dest; i++) {
		const struct sl_ho_dest_cfg *d = &g_c->dest[i];
		vty_out(vty, " destination %s%s", d->name, VTY_NEWLINE);
		for (s = 0; s < 2; s++)
			if (d->host[s])
				vty_out(vty, "  %s %s %u%s", s ? "hi3" : "hi2", d->host[s], d->port[s], VTY_NEWLINE);
		if (d->tls_cert)
			vty_out(vty, "  tls certificate %s%s", d->tls_cert, VTY_NEWLINE);
		if (d->tls_key)
			vty_out(vty, "  tls key %s%s", d->tls_key, VTY_NEWLINE);
		if (d->tls_ca)
			vty_out(vty, "  tls ca %s%s", d->tls_ca, VTY_NEWLINE);
		if (d->verify_name)
			vty_out(vty, "  tls verify-name %s%s", d->verify_name, VTY_NEWLINE);
		if (d->plain)
			vty_out(vty, "  plain-tcp%s", VTY_NEWLINE);
		vty_out(vty, "  format %s%s", format_names[d->format], VTY_NEWLINE);
		vty_out(vty, "  keepalive %u%s", d->keepalive_s, VTY_NEWLINE);
		if (d->pdu_ack)
			vty_out(vty, "  pdu-ack%s", VTY_NEWLINE);
		if (d->option_negotiation)
			vty_out(vty, "  option-negotiation%s", VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

static int write_dest(struct vty *vty)
{
	return CMD_SUCCESS; /* written inside the handover node */
}

static int write_lawful(struct vty *vty)
{
	unsigned i, t, k;

	if (!g_c->n_ic && !g_c->n_auth && !g_c->warrant_dir && !g_c->lab_intercepts)
		return CMD_SUCCESS;
	vty_out(vty, "lawful%s", VTY_NEWLINE);
	sl_warrant_vty_write(vty, g_c);
	for (i = 0; i < g_c->n_ic; i++) {
		const struct sl_intercept *ic = &g_c->ic[i];
		vty_out(vty, " intercept %s%s", ic->liid, VTY_NEWLINE);
		for (t = 0; t < ic->n_targets; t++)
			for (k = 0; k < sizeof(target_types) / sizeof(target_types[0]); k++)
				if (target_types[k].type == ic->target[t].id.type)
					vty_out(vty, "  target %s %s%s", target_types[k].name, ic->target[t].id.value,
						VTY_NEWLINE);
		vty_out(vty, "  scope %s%s", ic->scope == SL_SCOPE_IRI_CC ? "iri-cc" : "iri", VTY_NEWLINE);
		if (ic->dest[0])
			vty_out(vty, "  destination %s%s", ic->dest, VTY_NEWLINE);
		if (ic->start_us)
			vty_out(vty, "  valid-from %" PRIu64 "%s", ic->start_us / 1000000, VTY_NEWLINE);
		if (ic->end_us)
			vty_out(vty, "  valid-until %" PRIu64 "%s", ic->end_us / 1000000, VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

static int write_intercept(struct vty *vty)
{
	return CMD_SUCCESS; /* written inside the lawful node */
}

void sl_ho_cfg_default(struct sl_ho_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->spool_max_mb = 1024;
	c->spool_reserve_mb = 256;
	c->max_comms = 10000;
	c->fsync = SL_SPOOL_FSYNC_INTERVAL;
}

void sl_ho_vty_init(struct sl_ho_cfg *c, void *ctx)
{
	g_c = c;
	g_ctx = ctx;
	install_element(CONFIG_NODE, &cfg_handover_cmd);
	install_node(&handover_node, write_handover);
	install_element(SL_HANDOVER_NODE, &cfg_ho_opid_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_neid_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_cc_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_ipid_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_state_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_spool_max_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_reserve_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_max_comms_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_ho_fsync_cmd);
	install_element(SL_HANDOVER_NODE, &cfg_dest_cmd);
	install_node(&dest_node, write_dest);
	install_element(SL_DEST_NODE, &cfg_dest_addr_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_tls_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_plain_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_no_plain_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_format_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_ka_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_ack_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_no_ack_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_optneg_cmd);
	install_element(SL_DEST_NODE, &cfg_dest_no_optneg_cmd);

	install_element(CONFIG_NODE, &cfg_lawful_cmd);
	install_node(&lawful_node, write_lawful);
	install_element(SL_LAWFUL_NODE, &cfg_ic_cmd);
	install_node(&intercept_node, write_intercept);
	install_element(SL_INTERCEPT_NODE, &cfg_ic_target_cmd);
	install_element(SL_INTERCEPT_NODE, &cfg_ic_scope_cmd);
	install_element(SL_INTERCEPT_NODE, &cfg_ic_dest_cmd);
	install_element(SL_INTERCEPT_NODE, &cfg_ic_window_cmd);
	sl_warrant_vty_init(c, ctx);
	sl_audit_vty_wrap(&handover_node);
	sl_audit_vty_wrap(&dest_node);
	sl_audit_vty_wrap(&lawful_node);
	sl_audit_vty_wrap(&intercept_node);
}
