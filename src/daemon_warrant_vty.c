/*
 * Configuration of warrants in sluiced's `lawful` node: the authorities
 * the operator trusts to issue warrants and the directory the warrants
 * are read from.
 *
 *   lawful
 *    warrant-directory /var/lib/sluice/warrants
 *    authority bka
 *     country DE
 *     trust-anchors /etc/sluice/authorities/bka-ca.pem
 *     crl /etc/sluice/authorities/bka.crl
 *     destination bka-lemf
 *
 * An authority may name only the destinations listed under it, so one
 * authority cannot have records sent to another's receiver.
 */
#include <string.h>

#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "src/daemon.h"
#include "src/daemon_ho.h"

static struct sl_ho_cfg *g_c;
static void *g_ctx;

static struct cmd_node authority_node = { .node = SL_AUTHORITY_NODE, .prompt = "%s(config-lawful-authority)# ",
					  .vtysh = 1 };

static void set_str(char **dst, const char *v)
{
	talloc_free(*dst);
	*dst = talloc_strdup(g_ctx, v);
}

DEFUN(cfg_warrant_dir, cfg_warrant_dir_cmd, "warrant-directory PATH",
      "Where signed warrants and revocations are read from (at start, on SIGHUP, on 'warrants reload')\n"
      "Directory\n")
{
	set_str(&g_c->warrant_dir, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_lab_ic, cfg_lab_ic_cmd, "insecure-configured-intercepts",
      "LAB USE ONLY: accept interceptions written in this file, without a warrant (warned at every start)\n")
{
	g_c->lab_intercepts = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_no_lab_ic, cfg_no_lab_ic_cmd, "no insecure-configured-intercepts",
      NO_STR "Only warrants make sluice intercept (default)\n")
{
	g_c->lab_intercepts = false;
	return CMD_SUCCESS;
}

DEFUN(cfg_auth, cfg_auth_cmd, "authority NAME",
      "An authority trusted to issue warrants (its name as warrants write it)\n" "Name (1-32 characters)\n")
{
	struct sl_ho_auth_cfg *a = NULL;
	unsigned i;

	if (strlen(argv[0]) > SL_AUTHORITY_NAME_MAX) {
		vty_out(vty, "%% an authority name is 1 to %d characters%s", SL_AUTHORITY_NAME_MAX, VTY_NEWLINE);
		return CMD_WARNING;
	}
	for (i = 0; i < g_c->n_auth; i++)
		if (!strcmp(g_c->auth[i].name, argv[0]))
			a = &g_c->auth[i];
	if (!a) {
		if (g_c->n_auth >= SL_HO_MAX_AUTH) {
			vty_out(vty, "%% at most %d authorities%s", SL_HO_MAX_AUTH, VTY_NEWLINE);
			return CMD_WARNING;
		}
		a = &g_c->auth[g_c->n_auth++];
		memset(a, 0, sizeof(*a));
		memcpy(a->name, argv[0], strlen(argv[0]) + 1);
	}
	vty->index = a;
	vty->node = SL_AUTHORITY_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_auth_country, cfg_auth_country_cmd, "country CC",
      "The authority's country as its warrants write it (ISO 3166-1 alpha-2)\n" "e.g. DE\n")
{
	struct sl_ho_auth_cfg *a = vty->index;

	if (strlen(argv[0]) != 2 || argv[0][0] < 'A' || argv[0][0] > 'Z' || argv[0][1] < 'A' || argv[0][1] > 'Z') {
		vty_out(vty, "%% a country is two capital letters, e.g. DE%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	memcpy(a->country, argv[0], 3);
	return CMD_SUCCESS;
}

DEFUN(cfg_auth_anchors, cfg_auth_anchors_cmd, "trust-anchors FILE",
      "The CA certificates (PEM) the authority's warrant signers chain to\n" "File\n")
{
	if (!sl_vty_file_only(vty, "authority trust-anchors"))
		return CMD_WARNING;
	set_str(&((struct sl_ho_auth_cfg *)vty->index)->anchors, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_auth_crl, cfg_auth_crl_cmd, "crl FILE",
      "The authority's certificate revocation lists (PEM, one for each of its CAs)\n" "File\n")
{
	if (!sl_vty_file_only(vty, "authority crl"))
		return CMD_WARNING;
	set_str(&((struct sl_ho_auth_cfg *)vty->index)->crl, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_auth_rca, cfg_auth_rca_cmd, "receiver-ca FILE",
      "The CA certificates (PEM) the TLS certificates of this authority's receivers chain to: its "
      "destinations are verified against these only\n" "File\n")
{
	if (!sl_vty_file_only(vty, "authority receiver-ca"))
		return CMD_WARNING;
	set_str(&((struct sl_ho_auth_cfg *)vty->index)->receiver_ca, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_auth_dest, cfg_auth_dest_cmd, "destination NAME",
      "A handover destination this authority's warrants may deliver to\n" "Destination name\n")
{
	struct sl_ho_auth_cfg *a = vty->index;
	unsigned i;

	if (!sl_vty_file_only(vty, "authority destination"))
		return CMD_WARNING;
	if (strlen(argv[0]) > SL_DEST_NAME_MAX)
		return CMD_WARNING;
	for (i = 0; i < a->n_dest; i++)
		if (!strcmp(a->dest[i], argv[0]))
			return CMD_SUCCESS;
	if (a->n_dest >= SL_HO_MAX_DEST) {
		vty_out(vty, "%% at most %d destinations per authority%s", SL_HO_MAX_DEST, VTY_NEWLINE);
		return CMD_WARNING;
	}
	memcpy(a->dest[a->n_dest++], argv[0], strlen(argv[0]) + 1);
	return CMD_SUCCESS;
}

static int write_authority(struct vty *vty)
{
	return CMD_SUCCESS; /* written inside the lawful node */
}

int sl_warrant_vty_write(struct vty *vty, const struct sl_ho_cfg *c)
{
	unsigned i, k;

	if (c->warrant_dir)
		vty_out(vty, " warrant-directory %s%s", c->warrant_dir, VTY_NEWLINE);
	if (c->lab_intercepts)
		vty_out(vty, " insecure-configured-intercepts%s", VTY_NEWLINE);
	for (i = 0; i < c->n_auth; i++) {
		const struct sl_ho_auth_cfg *a = &c->auth[i];
		vty_out(vty, " authority %s%s", a->name, VTY_NEWLINE);
		if (a->country[0])
			vty_out(vty, "  country %s%s", a->country, VTY_NEWLINE);
		if (a->anchors)
			vty_out(vty, "  trust-anchors %s%s", a->anchors, VTY_NEWLINE);
		if (a->crl)
			vty_out(vty, "  crl %s%s", a->crl, VTY_NEWLINE);
		if (a->receiver_ca)
			vty_out(vty, "  receiver-ca %s%s", a->receiver_ca, VTY_NEWLINE);
		for (k = 0; k < a->n_dest; k++)
			vty_out(vty, "  destination %s%s", a->dest[k], VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

void sl_warrant_vty_init(struct sl_ho_cfg *c, void *ctx)
{
	g_c = c;
	g_ctx = ctx;
	install_element(SL_LAWFUL_NODE, &cfg_warrant_dir_cmd);
	install_element(SL_LAWFUL_NODE, &cfg_lab_ic_cmd);
	install_element(SL_LAWFUL_NODE, &cfg_no_lab_ic_cmd);
	install_element(SL_LAWFUL_NODE, &cfg_auth_cmd);
	install_node(&authority_node, write_authority);
	install_element(SL_AUTHORITY_NODE, &cfg_auth_country_cmd);
	install_element(SL_AUTHORITY_NODE, &cfg_auth_anchors_cmd);
	install_element(SL_AUTHORITY_NODE, &cfg_auth_crl_cmd);
	install_element(SL_AUTHORITY_NODE, &cfg_auth_rca_cmd);
	install_element(SL_AUTHORITY_NODE, &cfg_auth_dest_cmd);
	sl_audit_vty_wrap(&authority_node);
}
