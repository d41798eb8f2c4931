/*
 * sluiced: the sluice daemon, an osmocom application. Reads its
 * configuration file (capture node plus the usual log/line vty/stats
 * sections), offers a telnet VTY (127.0.0.1 by default), and runs the
 * capture pipeline in one select loop until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/stats.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/stats.h>
#include <osmocom/vty/telnet_interface.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "config.h"
#include "src/app_config.h"
#include "src/app_log.h"
#include "src/app_privs.h"
#include "src/app_signals.h"
#include "src/daemon.h"
#include "src/daemon_consent_api.h"

/* SIGHUP: read the warrant directory again, as `warrants reload` does. */
static void on_hup(void *data)
{
	struct sl_daemon *d = data;
	int n = sl_ho_warrants_reload(&d->ho);

	if (n == -ENOENT)
		LOGP(DSLSRC, LOGL_NOTICE, "SIGHUP: no warrant directory configured, nothing to reload\n");
	else if (n >= 0)
		LOGP(DSLSRC, LOGL_NOTICE, "SIGHUP: warrant directory read, %d document(s) refused\n", n);
}

/* SIGUSR1: after a log rotation. */
static void on_usr1(void *data)
{
	sl_daemon_reopen(data);
}

static void usage(FILE *out)
{
	fprintf(out,
"NAME\n"
"    sluiced - sluice lawful-interception and metadata mediation daemon\n"
"\n"
"SYNOPSIS\n"
"    sluiced [-c CONFIG] [-u USER [-g GROUP]] [--check-config] [-V] [-h]\n"
"\n"
"DESCRIPTION\n"
"    Captures from the configured interfaces (or replays capture files), extracts call and\n"
"    messaging metadata, hands what signed warrants cover to the authorities' receivers\n"
"    (ETSI TS 102 232 over TLS, spooled while a receiver is down), records every decision in\n"
"    the audit log, exports to data recipients what their consents allow (pseudonymised,\n"
"    minimised, as JSON Lines; docs/consent.md) and, when configured, writes every event as\n"
"    JSON lines. Runs in the\n"
"    foreground until SIGINT or SIGTERM; open calls and streams get their final events\n"
"    before exit (a second SIGINT or SIGTERM ends it at once).\n"
"\n"
"    SIGHUP reads the warrant directory again, as the VTY command `warrants reload` does.\n"
"\n"
"    With a `consent-api` node, serves the consent registry over HTTPS (grant, withdraw,\n"
"    list, the subject's report; docs/consent.md, docs/consent-api.yaml).\n"
"\n"
"    The VTY listens on telnet 127.0.0.1:%d (change with `line vty` / `bind ADDR [PORT]`):\n"
"    `show capture` lists sources, pipeline usage against its limits and every counter;\n"
"    `show warrants`, `show handover`, `show audit` and `show consent` the mediation; `show stats` the\n"
"    libosmocore counters; `show running-config` the configuration.\n"
"\n"
"OPTIONS\n"
"    -c, --config-file FILE   configuration file (default sluice.cfg); see docs/examples\n"
"    -u, --user USER          started as root: become USER at once, keeping only CAP_NET_RAW and\n"
"                             CAP_NET_ADMIN until the capture handles are open, then none; every\n"
"                             file the daemon creates belongs to USER (under systemd, User= and\n"
"                             AmbientCapabilities=CAP_NET_RAW do the same; capabilities are\n"
"                             dropped once capture is open either way)\n"
"    -g, --group GROUP        with --user: run with this group instead of USER's own\n"
"        --vty-reference      print the reference of every console node and command (XML, as\n"
"                             osmocom's VTY reference; docs/console.md is generated from it)\n"
"        --check-config       read and check the configuration, print what is wrong (file, line,\n"
"                             field) and exit: 0 usable, 1 not; opens nothing, starts nothing\n"
"    -V, --version            print the version and exit\n"
"    -h, --help               this text\n"
"\n"
"SIGNALS\n"
"    SIGTERM, SIGINT  flush open calls and records, stop (a second one: at once)\n"
"    SIGHUP           read the warrant directory again\n"
"    SIGUSR1          reopen the log files and the events file (log rotation)\n"
"    SIGUSR2          ignored (logged)\n"
"\n"
"EXIT STATUS\n"
"    0 after a clean shutdown; 1 when the configuration or a source cannot be used\n"
"    (the message names the file, line or source), when the state directory is held by\n"
"    another sluiced (the message names its PID), or when privileges cannot be dropped.\n",
		SL_DAEMON_VTY_PORT);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-file", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "vty-reference", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct vty_app_info app = {
		.name = "sluiced",
		.version = PACKAGE_VERSION,
		.copyright = "sluice lawful-interception and metadata mediation gateway\r\n"
			     "License AGPL-3.0-or-later: GNU Affero GPL version 3 or later\r\n"
			     "This is free software: you are free to change and redistribute it.\r\n"
			     "There is NO WARRANTY, to the extent permitted by law.\r\n",
	};
	const char *config = "sluice.cfg", *user = NULL, *group = NULL;
	bool check_only = false, vty_ref = false;
	char err[256], privs[160];
	struct sl_app_signals sig = { 0 };
	enum sl_vty_auth vty_auth;
	struct sl_daemon *d;
	void *ctx;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:u:g:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'R':
			vty_ref = true;
			break;
		case 'V':
			printf("sluiced %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fputs("Try 'sluiced --help'.\n", stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sluiced: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}
	if (group && !user) {
		fputs("sluiced: --group needs --user\n", stderr);
		return 1;
	}

	ctx = talloc_named_const(NULL, 0, "sluiced");
	msgb_talloc_ctx_init(ctx, 0);
	if (sl_app_log_init(ctx, true, LOGL_NOTICE) < 0) {
		fputs("sluiced: cannot initialise logging\n", stderr);
		return 1;
	}
	d = talloc_zero(ctx, struct sl_daemon);
	d->ctx = ctx;
	sig.on_hup = on_hup;
	sig.on_usr1 = on_usr1;
	sig.data = d;
	if (sl_app_signals_init(ctx, &sig) < 0) {
		fputs("sluiced: cannot set up signal handling\n", stderr);
		return 1;
	}
	sl_daemon_cfg_default(&d->cfg, ctx);

	app.tall_ctx = ctx;
	vty_init(&app);
	logging_vty_add_cmds();
	osmo_stats_init(ctx);
	osmo_stats_vty_add_cmds();
	osmo_talloc_vty_add_cmds();
	sl_daemon_audit_vty_init(d); /* first: it records the configuration commands of the nodes after it */
	sl_daemon_vty_init(d);
	sl_ho_vty_init(&d->cfg.ho, ctx);
	sl_ho_show_vty_init(&d->ho);
	sl_daemon_metrics_vty_init(d);
	sl_daemon_consent_api_vty_init(d);
	sl_daemon_consent_vty_init(&d->cfg.consent, ctx);
	sl_daemon_consent_show_vty_init();
	sl_daemon_vty_guard_init(d); /* last: it guards commands the inits above installed */
	if (vty_ref) /* every node and command, as libosmocore documents them (docs/console.md is made from it) */
		return vty_dump_xml_ref_mode(stdout, VTY_REF_GEN_MODE_DEFAULT) < 0 ? 1 : 0;

	d->check_only = check_only;
	if (sl_app_read_config(config, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluiced: configuration file %s: %s\n", config, err);
		return 1;
	}
	if (check_only) {
		rc = sl_daemon_check_config(d, config);
		printf("%s: %s\n", config, rc ? "NOT usable (see above)" : "OK");
		return rc ? 1 : 0;
	}
	d->config_file = config;
	vty_auth = sl_daemon_vty_auth(config);
	if (sl_daemon_vty_auth_problem(vty_auth)) {
		fprintf(stderr, "sluiced: %s: %s\n", config, sl_daemon_vty_auth_problem(vty_auth));
		return 1;
	}
	d->vty_open = vty_auth == SL_VTY_AUTH_LAB_OPEN;
	if (d->vty_open)
		LOGP(DSLSRC, LOGL_ERROR, "INSECURE: the console takes sessions without a password ('no login' under "
					  "'line vty'): lab use only\n");
	if (user && sl_app_become_user(user, group, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluiced: %s\n", err);
		return 1;
	}
	if (sl_daemon_audit_open(d, config) < 0) {
		fprintf(stderr, "sluiced: the audit log cannot be used (see the log above)\n");
		return 1;
	}
	rc = telnet_init_default(ctx, NULL, SL_DAEMON_VTY_PORT);
	if (rc < 0) {
		fprintf(stderr, "sluiced: cannot open the VTY telnet port %s:%d: %s\n", vty_get_bind_addr(),
			vty_get_bind_port(SL_DAEMON_VTY_PORT), strerror(errno));
		return 1;
	}
	if (sl_daemon_start(d) < 0) {
		fprintf(stderr, "sluiced: capture could not start (see the log above)\n");
		sl_daemon_stop(d);
		sl_daemon_audit_close(d, "fatal");
		return 1;
	}
	if (sl_daemon_metrics_start(d) < 0) {
		fprintf(stderr, "sluiced: the metrics endpoint cannot be opened (see the log above)\n");
		sl_daemon_stop(d);
		sl_daemon_audit_close(d, "fatal");
		return 1;
	}
	if (sl_daemon_consent_api_start(d) < 0) {
		fprintf(stderr, "sluiced: the consent API cannot be started (see the log above)\n");
		sl_daemon_metrics_stop();
		sl_daemon_stop(d);
		sl_daemon_audit_close(d, "fatal");
		return 1;
	}
	/* Capture handles are open: no capability is needed any more. */
	if (sl_app_drop_all_caps(err, sizeof(err)) < 0)
		LOGP(DSLSRC, LOGL_ERROR, "%s\n", err);
	sl_app_describe_privs(privs, sizeof(privs));
	LOGP(DSLSRC, LOGL_NOTICE, "sluiced %s running as %s\n", PACKAGE_VERSION, privs);
	while (!sig.stop)
		osmo_select_main(0);
	LOGP(DSLSRC, LOGL_NOTICE, "shutting down\n");
	sl_daemon_consent_api_stop();
	sl_daemon_metrics_stop();
	sl_daemon_stop(d);
	sl_daemon_audit_close(d, sig.stop_sig == SIGINT ? "sigint" : "sigterm");
	log_fini();
	talloc_free(ctx);
	return 0;
}
