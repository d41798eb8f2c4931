/*
 * Shared between `sluice consent`'s files: exit statuses and the audit
 * hook that records every consent change (cmd_consent_audit.c).
 */
#pragma once

#include <stdbool.h>

#include "mediation/consent/consent_store.h"

enum {
	SL_CONSENT_EXIT_OK = 0,
	SL_CONSENT_EXIT_REFUSED = 1, /* input refused: bad record or line, unknown id, stale notice, conflict */
	SL_CONSENT_EXIT_USAGE = 2,
	SL_CONSENT_EXIT_IO = 3,	     /* database, input file or audit log could not be opened or written */
};

struct sl_consent_audit_opts {
	const char *dir, *key, *origin, *pseudonym_key;
};

struct sl_consent_audit;

/*
 * Opens the audit log when opts->dir is set (else *out = NULL and 0) and
 * installs hooks on s: each status change appends a consent.change record
 * (subject as a pseudonym under the audit pseudonym key), and the records
 * are made durable before the database commits. verb names the actor.
 * 0, or -1 after printing why.
 */
int sl_consent_audit_open(void *ctx, const struct sl_consent_audit_opts *opts, const char *verb,
			  struct sl_consent_store *s, struct sl_consent_audit **out);
/* Closes the log cleanly (log.close, final checkpoint). 0 or -1 after printing why. */
int sl_consent_audit_close(struct sl_consent_audit *a);

/* `sluice consent report` (cmd_consent_report.c). */
int sl_cmd_consent_report(void *ctx, int argc, char **argv);
