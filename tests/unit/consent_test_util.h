/*
 * Helpers shared by the consent unit tests: records built from a few
 * arguments, and a scratch directory for databases that is removed at
 * the end of each test.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/consent/consent_record.h"

#define T0 1767225600000000LL /* 2026-01-01T00:00:00Z */
#define DAY_US 86400000000LL

static inline struct sl_consent_record ct_record(void *ctx, const char *id, const char *msisdn, const char *recipient,
						 enum sl_consent_purpose p, uint32_t cats, const char *notice)
{
	struct sl_consent_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.subject.type = SL_CONSENT_SUBJ_MSISDN;
	snprintf(r.subject.value, sizeof(r.subject.value), "%s", msisdn);
	snprintf(r.controller, sizeof(r.controller), "op-de");
	snprintf(r.recipient, sizeof(r.recipient), "%s", recipient);
	r.purpose = p;
	r.categories = cats;
	r.legal_basis = SL_CONSENT_LB_CONSENT;
	r.valid_from_us = T0;
	r.valid_until_us = T0 + 365 * DAY_US;
	r.method = SL_CONSENT_M_APP;
	snprintf(r.notice_version, sizeof(r.notice_version), "%s", notice);
	snprintf(r.notice_language, sizeof(r.notice_language), "en");
	sl_consent_record_push(ctx, &r, SL_CONSENT_GIVEN, T0);
	return r;
}

/* A fresh directory under TMPDIR (or /tmp); returns its path (talloc on ctx). */
static inline char *ct_tmpdir(void *ctx)
{
	const char *base = getenv("TMPDIR");
	char *p = talloc_asprintf(ctx, "%s/consent-test-XXXXXX", base && *base ? base : "/tmp");

	return mkdtemp(p) ? p : NULL;
}

static inline void ct_rmdir(void *ctx, const char *dir)
{
	char *cmd = talloc_asprintf(ctx, "rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	talloc_free(cmd);
}
