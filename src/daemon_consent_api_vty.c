/*
 * The `consent-api` configuration node of sluiced (docs/consent.md,
 * "HTTPS API"): where the consent API listens, its TLS certificate and
 * key, the token file, the registry database and the audit pseudonym key
 * its records name subjects under. Settings only; daemon_consent_api.c
 * reads the files when the daemon starts, so a bad file stops the start
 * with a message naming it. Commands entered here are recorded in the
 * audit log like every configuration command (sl_audit_vty_wrap).
 * `show consent-api` lists where the running API listens and its callers
 * by name and role (never a hash).
 *
 *   consent-api
 *    https-listen ADDR PORT
 *    tls certificate FILE
 *    tls key FILE
 *    tokens FILE
 *    database PATH
 *    audit-pseudonym-key FILE
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "mediation/consent/consent_api.h"
#include "src/daemon.h"
#include "src/daemon_consent_api.h"

/* Well above the nodes of daemon_audit.c (+1), daemon_metrics.c (+2) and the consent data path's. */
enum { SL_CONSENT_API_NODE = SL_AUTHORITY_NODE + 8 };

static void *g_ctx;

static struct cmd_node capi_node = { .node = SL_CONSENT_API_NODE, .prompt = "%s(config-consent-api)# ", .vtysh = 1 };

DEFUN(cfg_capi, cfg_capi_cmd, "consent-api", "Configure the consent HTTPS API (docs/consent.md)\n")
{
	vty->node = SL_CONSENT_API_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_listen, cfg_capi_listen_cmd, "https-listen ADDR <1-65535>",
      "Serve the consent API over HTTPS\n" "Address (127.0.0.1: loopback only)\n" "Port\n")
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, argv[0], &a4) != 1 && inet_pton(AF_INET6, argv[0], &a6) != 1) {
		vty_out(vty, "%% https-listen: '%s' is not an IPv4 or IPv6 address%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	osmo_talloc_replace_string(g_ctx, &sl_capi_cfg.addr, argv[0]);
	sl_capi_cfg.port = (uint16_t)strtoul(argv[1], NULL, 10) /* the VTY checked the range */;
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_no_listen, cfg_capi_no_listen_cmd, "no https-listen", NO_STR "Do not serve the consent API\n")
{
	TALLOC_FREE(sl_capi_cfg.addr);
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_cert, cfg_capi_cert_cmd, "tls certificate FILE",
      "TLS\n" "The server certificate chain (PEM)\n" "File\n")
{
	osmo_talloc_replace_string(g_ctx, &sl_capi_cfg.cert, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_key, cfg_capi_key_cmd, "tls key FILE", "TLS\n" "The server's private key (PEM)\n" "File\n")
{
	osmo_talloc_replace_string(g_ctx, &sl_capi_cfg.key, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_tokens, cfg_capi_tokens_cmd, "tokens FILE",
      "Bearer tokens: lines NAME ROLE sha256:HEX (docs/consent.md, Tokens and roles)\n" "File\n")
{
	osmo_talloc_replace_string(g_ctx, &sl_capi_cfg.tokens, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_db, cfg_capi_db_cmd, "database PATH",
      "The consent registry's SQLite database (may be the consent node's)\n" "Path\n")
{
	osmo_talloc_replace_string(g_ctx, &sl_capi_cfg.db, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_capi_pkey, cfg_capi_pkey_cmd, "audit-pseudonym-key FILE",
      "Key of the subject pseudonyms in the audit records (sluice audit keygen --pseudonym-key)\n" "File\n")
{
	osmo_talloc_replace_string(g_ctx, &sl_capi_cfg.pkey_file, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(show_capi, show_capi_cmd, "show consent-api", SHOW_STR "The consent HTTPS API: where it listens, its callers\n")
{
	const struct sl_capi_tokens *tk = sl_daemon_consent_api_tokens();
	unsigned i;

	if (!tk) {
		vty_out(vty, "consent API: not running%s", VTY_NEWLINE);
		return CMD_SUCCESS;
	}
	vty_out(vty, "consent API: https://%s:%u/v1/, database %s%s", sl_capi_cfg.addr, sl_capi_cfg.port,
		sl_capi_cfg.db, VTY_NEWLINE);
	vty_out(vty, " %u token(s) from %s:%s", tk->n, sl_capi_cfg.tokens, VTY_NEWLINE);
	for (i = 0; i < tk->n; i++)
		vty_out(vty, "  %-32s %s%s%s%s", tk->t[i].name, sl_capi_role_names[tk->t[i].role],
			tk->t[i].recipient[0] ? ":" : "", tk->t[i].recipient, VTY_NEWLINE);
	return CMD_SUCCESS;
}

static void write_str(struct vty *vty, const char *cmd, const char *v)
{
	if (v)
		vty_out(vty, " %s %s%s", cmd, v, VTY_NEWLINE);
}

static int write_capi(struct vty *vty)
{
	const struct sl_capi_cfg *c = &sl_capi_cfg;

	if (!c->addr && !c->cert && !c->key && !c->tokens && !c->db && !c->pkey_file)
		return CMD_SUCCESS;
	vty_out(vty, "consent-api%s", VTY_NEWLINE);
	if (c->addr)
		vty_out(vty, " https-listen %s %u%s", c->addr, c->port, VTY_NEWLINE);
	write_str(vty, "tls certificate", c->cert);
	write_str(vty, "tls key", c->key);
	write_str(vty, "tokens", c->tokens);
	write_str(vty, "database", c->db);
	write_str(vty, "audit-pseudonym-key", c->pkey_file);
	return CMD_SUCCESS;
}

void sl_daemon_consent_api_vty_init(struct sl_daemon *d)
{
	g_ctx = d->ctx;
	install_element(CONFIG_NODE, &cfg_capi_cmd);
	install_node(&capi_node, write_capi);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_listen_cmd);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_no_listen_cmd);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_cert_cmd);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_key_cmd);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_tokens_cmd);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_db_cmd);
	install_element(SL_CONSENT_API_NODE, &cfg_capi_pkey_cmd);
	install_element_ve(&show_capi_cmd);
	sl_audit_vty_wrap(&capi_node);
}
