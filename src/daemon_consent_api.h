/*
 * The consent HTTPS API in sluiced (docs/consent.md, "HTTPS API"):
 * daemon_consent_api.c serves it, daemon_consent_api_vty.c is its
 * `consent-api` configuration node.
 */
#pragma once

#include <stdint.h>

struct sl_daemon;

/* The `consent-api` node's settings (talloc strings on the daemon's context; NULL: not set). */
struct sl_capi_cfg {
	char *addr, *cert, *key, *tokens, *db, *pkey_file;
	uint16_t port;
};
extern struct sl_capi_cfg sl_capi_cfg;

/* Installs the `consent-api` node (after sl_daemon_audit_vty_init). */
void sl_daemon_consent_api_vty_init(struct sl_daemon *d);
/* Starts serving if `https-listen` is configured; 0, or -1 after logging why. */
int sl_daemon_consent_api_start(struct sl_daemon *d);
void sl_daemon_consent_api_stop(void);
/* The tokens of the running API (names and roles for `show consent-api`), or NULL when it is not running. */
const struct sl_capi_tokens *sl_daemon_consent_api_tokens(void);
