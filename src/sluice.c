/*
 * The `sluice` command: one program, several subcommands (like git). Only
 * dispatch lives here; each subcommand is its own file.
 */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/application.h>
#include <talloc.h>

#include "config.h"
#include "src/commands.h"

static const struct {
	const char *name;
	int (*run)(void *ctx, int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "extract", sl_cmd_extract, "print call and messaging metadata from capture files or interfaces" },
	{ "counters", sl_cmd_counters, "list every counter with its meaning (Markdown)" },
	{ "lemf", sl_cmd_lemf, "reference receiver: accept handover connections, check and store PDUs" },
	{ "decode", sl_cmd_decode, "show the handover PDUs in files, lemf's pdus.raw or captures" },
	{ "warrant", sl_cmd_warrant, "check signed warrants offline as sluiced would; sign for tests and labs" },
	{ "audit", sl_cmd_audit, "keys, verification, proofs and reports for the tamper-evident audit log" },
	{ "status", sl_cmd_status, "ask a running sluiced whether it is healthy (its /health endpoint)" },
	{ "consent", sl_cmd_consent, "the consent registry: grant, withdraw, show, import, export and expire records" },
};

static void usage(FILE *out)
{
	unsigned i;

	fputs("Usage: sluice COMMAND [OPTIONS]\n\n"
	      "sluice is a lawful-interception and metadata mediation gateway. This program holds its\n"
	      "offline and diagnostic tools; the daemon is sluiced(8).\n\nCommands:\n", out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n  sluice COMMAND --help   shows the options of a command\n"
	      "  sluice --version        prints the version\n", out);
}

int main(int argc, char **argv)
{
	void *ctx;
	unsigned i;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("sluice %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		ctx = talloc_named_const(NULL, 0, "sluice");
		rc = commands[i].run(ctx, argc - 1, argv + 1);
		talloc_free(ctx);
		return rc;
	}
	fprintf(stderr, "sluice: unknown command '%s' (see sluice --help)\n", argv[1]);
	return 2;
}
