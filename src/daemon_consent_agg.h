/*
 * Aggregate releases in sluiced (docs/consent.md, "Aggregate releases"):
 * one per recipient with an `aggregate-directory`. Wiring only: the
 * consented observations come from the flow (consent_flow.h), buckets are
 * closed and published by mediation/consent/aggregate_stream.c; this file
 * maps areas to the configured grid, writes each release to its file,
 * records it in the audit log (aggregate.release), credits the value
 * ledger with the release's price and counts.
 */
#pragma once

#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "mediation/consent/consent_flow.h"
#include "src/daemon_consent.h"

struct sl_audit_log;
struct sl_consent_store;
struct vty;
struct sl_daemon_agg;

/*
 * Opens rc's releases (release ledger and budget in database; value ledger
 * credits through store, borrowed): 0 with *out NULL when rc has none, -1
 * (logged) on error.
 */
int sl_daemon_agg_open(void *ctx, const struct sl_daemon_consent_recipient_cfg *rc, const char *database,
		       struct sl_consent_store *store, struct sl_audit_log *audit, struct rate_ctr_group *ctrs,
		       struct sl_daemon_agg **out);
/* The flow's observation callback (data: the sl_daemon_agg). */
void sl_daemon_agg_observe(void *data, const struct sl_cx_observation *o);
/* The packet clock moved: buckets past their lateness are released. */
void sl_daemon_agg_tick(struct sl_daemon_agg *a, int64_t now_us);
/* `show consent`: one line of the recipient's aggregate releases. */
void sl_daemon_agg_show(struct vty *vty, const struct sl_daemon_agg *a);
/* The input ended: every open bucket is released. */
void sl_daemon_agg_close_all(struct sl_daemon_agg *a);
