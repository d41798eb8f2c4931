/*
 * Pieces shared by the `sluice audit` subcommand files (cmd_audit.c,
 * cmd_audit_verify.c, cmd_audit_show.c): each subcommand's entry point and
 * the verifier key lookup. Option parsing and output only; the work is in
 * mediation/audit/ and render/.
 */
#pragma once

#include <stdbool.h>

#include "mediation/audit/note.h"

int sl_audit_cmd_keygen(void *ctx, int argc, char **argv);
int sl_audit_cmd_verify(void *ctx, int argc, char **argv);
int sl_audit_cmd_show(void *ctx, int argc, char **argv);
int sl_audit_cmd_prove(void *ctx, int argc, char **argv);
int sl_audit_cmd_checkpoint(void *ctx, int argc, char **argv);
int sl_audit_cmd_report(void *ctx, int argc, char **argv);

/* Exit statuses of `sluice audit` (documented in docs/audit.md). */
enum {
	SL_AUDIT_EXIT_OK = 0,	     /* verified / done */
	SL_AUDIT_EXIT_FAILED = 1,    /* verification found errors (tampering, damage) */
	SL_AUDIT_EXIT_USAGE = 2,     /* bad options */
	SL_AUDIT_EXIT_IO = 3,	     /* cannot read the log, a key or a checkpoint */
	SL_AUDIT_EXIT_WARNINGS = 4,  /* verified, with warnings (torn tail, key from the log directory) */
};

/*
 * The verifier key: from key_path if given, else LOGDIR/../<any>.vkey is
 * not guessed: the log directory's "verifier.key" copy, marked untrusted.
 * false (message printed) if none can be loaded.
 */
bool sl_audit_cmd_load_vkey(void *ctx, const char *key_path, const char *dir, struct sl_audit_vkey *out,
			    bool *untrusted);
