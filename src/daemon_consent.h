/*
 * The consented-data path in sluiced (docs/consent.md, "In the daemon"):
 * the `consent` configuration node and what runs from it. The dispatcher
 * hands every metadata event to sl_daemon_consent_begin() and _end() with
 * nothing but the event itself, whether or not anyone is under warrant; the
 * index is refreshed from the registry database twice a second; each
 * recipient's batches go to JSON Lines segments and, once fsynced, to the
 * audit log as export.batch records. Wiring only: the logic is in
 * mediation/consent/ (consent_flow.c, consent_minimise.c,
 * consent_export.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/event.h"
#include "mediation/consent/consent_flow.h"

#define SL_DAEMON_CONSENT_MAX_RECIPIENTS 16

struct sl_audit_log;

/* One `recipient NAME` sub-node. */
struct sl_daemon_consent_recipient_cfg {
	char *name;
	int purpose;			/* enum sl_consent_purpose, -1: not set (required) */
	uint32_t categories;		/* what it receives (SL_CONSENT_CAT_BIT()s) */
	int location;			/* enum sl_cx_granularity */
	unsigned time_bucket_s;
	char *export_dir;		/* required */
	uint64_t price_micro;		/* per record, for the value ledger (stored only) */
	unsigned batch_records, batch_seconds;
	uint64_t rotate_mb;
	unsigned rotate_seconds;
	/* aggregate releases (docs/consent.md, "Aggregate releases"): on when agg_dir is set */
	char *agg_dir;
	unsigned agg_bucket_s, agg_lateness_s, agg_k;
	unsigned agg_max_obs;		/* observations held per open bucket */
	uint64_t agg_epsilon_micro;	/* per release; 0: no noise (k-suppression only) */
	uint64_t agg_budget_micro;	/* per window */
	unsigned agg_window_s;
	char *agg_plmn;			/* MCC and MNC digits of the areas counted */
	uint32_t *agg_areas;		/* TAC or LAC values, strictly increasing */
	unsigned n_agg_areas;
	uint64_t agg_price_micro;	/* per published release, shared in the value ledger */
};

/* `jetstream ...` in the consent node: every recipient's export also goes to NATS JetStream (docs/exports.md). */
struct sl_daemon_consent_js_cfg {
	char *url;			/* NULL: JSON Lines only */
	char *stream, *subject_prefix, *gateway_id;
	char *creds_file, *tls_ca, *tls_cert, *tls_key;
	char *tls_verify_name;		/* NULL: the certificate must carry the URL's host */
	unsigned dup_window_s;		/* of a stream sluiced creates */
	unsigned max_pending;		/* unacknowledged publishes */
	unsigned ack_wait_s;		/* a chunk's acknowledgements are waited for this long */
	unsigned drain_s;		/* at stop, wait this long for acknowledgements */
};

/* The `consent` node. */
struct sl_daemon_consent_cfg {
	bool configured;
	char *database;
	char *pseudonym_key;		/* master key of recipient pseudonyms */
	char *audit_pseudonym_key;	/* key of subject pseudonyms in export.batch records */
	unsigned epoch_days;		/* pseudonym rotation period */
	struct sl_daemon_consent_js_cfg js;
	struct sl_daemon_consent_recipient_cfg rec[SL_DAEMON_CONSENT_MAX_RECIPIENTS];
	unsigned n_rec;
};

struct sl_daemon_consent;

/*
 * How long sluiced's writes to the consent database wait for another
 * process's transaction (sl_consent_store_set_busy_ms): its select loop
 * waits with them.
 */
#define SL_DAEMON_STORE_BUSY_MS 200

/* daemon_consent_vty.c: the node (cfg lives as long as the process). */
void sl_daemon_consent_vty_init(struct sl_daemon_consent_cfg *cfg, void *ctx);
/* `show consent`: the running path (or that none is configured). */
void sl_daemon_consent_show_vty_init(void);

/*
 * Opens the database, loads the keys, builds the index and opens every
 * recipient's export. NULL with *rt untouched when nothing is configured;
 * -1 (logged) when something configured cannot be used.
 */
int sl_daemon_consent_start(void *ctx, const struct sl_daemon_consent_cfg *cfg, struct sl_audit_log *audit,
			    struct sl_daemon_consent **out);
/*
 * One metadata event in two halves (sl_cx_flow_begin(), sl_cx_flow_end()):
 * begin before other work on ev, so that the consent index's memory fetch
 * overlaps it, then end with the same ev and st. Both take nothing but
 * the event.
 */
void sl_daemon_consent_begin(struct sl_daemon_consent *c, const struct sl_event *ev, struct sl_cx_subjects *st);
void sl_daemon_consent_end(struct sl_daemon_consent *c, const struct sl_event *ev, const struct sl_cx_subjects *st);
/* The gateway's clock moved (newest frame time for files, wall time live): batches that are due close. */
void sl_daemon_consent_clock(struct sl_daemon_consent *c, int64_t now_us);
/* Closes every open batch (the capture files are read to the end). */
void sl_daemon_consent_flush(struct sl_daemon_consent *c);
/* Flushes every open batch, closes the exports and the database. */
void sl_daemon_consent_stop(struct sl_daemon_consent *c);
