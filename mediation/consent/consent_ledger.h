/*
 * The value ledger and the subject's report (docs/consent.md, "Value
 * ledger" and "The subject's report"). Every export credits each subject
 * whose data it carried: one ledger row per subject, recipient and
 * consent record per export, with the number of records and what they
 * earned the subject (micro-units of the operator's currency). The report
 * puts together, for one subject, the consent records with their history
 * and every credit: what was shared about them, with whom, under which
 * consent, when, and what it earned them. `sluice consent report` and
 * GET /v1/subjects/{subject}/report print the same JSON.
 *
 * The ledger table lives in the registry database beside the records and
 * is created by the first credit or report that needs it (CREATE TABLE IF
 * NOT EXISTS); it is not part of the versioned schema (consent_store.c),
 * so databases that never saw an export do not get it.
 */
#pragma once

#include <stdint.h>

#include <jansson.h>

#include "mediation/consent/consent_store.h"

/*
 * Credits subject for records records carried to recipient under
 * consent_id at time_us, earning amount_micro (>= 0). The consent record
 * must exist and belong to that subject and recipient. Runs in the
 * store's open batch (sl_consent_store_begin) if there is one, so an
 * export credits all its subjects in one transaction with whatever else
 * it writes; else in a transaction of its own.
 * 0, -EINVAL (bad argument), -ENOENT (no such consent for that subject
 * and recipient), -EIO.
 */
int sl_consent_ledger_credit(struct sl_consent_store *s, const struct sl_consent_subject *subject,
			     const char *recipient, const char *consent_id, uint64_t records, int64_t amount_micro,
			     int64_t time_us);

/*
 * The subject's report as a new JSON object (docs/consent.md, "The
 * subject's report"), read in one read transaction. 0 (also for a subject
 * with no records), or -errno with *err (talloc on the store).
 */
int sl_consent_report_build(struct sl_consent_store *s, const struct sl_consent_subject *subject, json_t **out,
			    char **err);
