/*
 * One recipient's export accounting in sluiced (docs/exports.md,
 * "Accounting"): every batch recorded as pending before its bytes are
 * written, and accounted (value ledger, export.batch audit record) once
 * delivered; with `jetstream url`, the publisher of
 * mediation/consent/consent_js_export.c tied to the select loop and a
 * batch delivered when JetStream acknowledged it; without, JSON Lines
 * only, a batch delivered when its segment is fsynced. Wiring only.
 */
#pragma once

#include <stdbool.h>

#include "mediation/consent/consent_export.h"
#include "mediation/consent/consent_js_pending.h"
#include "src/daemon_consent.h"

struct sl_daemon_js;
struct rate_ctr_group;
struct vty;

/* Accounts one acknowledged pending batch (sl_cx_pending_settle; the row is removed here later); negative: it stays. */
typedef int (*sl_daemon_js_account_cb)(void *data, struct sl_cx_pending *p);

/*
 * cfg->url NULL: JSON Lines only. At open, rows whose batch a crash cut
 * short are removed and their bytes cut from the segment.
 * NULL (logged) when the configuration or directory cannot be used; ctrs:
 * the recipient's consent_recipient group; store: the consent database
 * holding the pending batches. Pending batches the saved cursor already
 * passed are accounted before it returns.
 */
struct sl_daemon_js *sl_daemon_js_open(void *ctx, const struct sl_daemon_consent_js_cfg *cfg, const char *dir,
				       const char *recipient, struct rate_ctr_group *ctrs, struct sl_consent_store *store,
				       sl_daemon_js_account_cb account, void *data);
/* The once-a-second tick: the publisher's statistics into the counters, accounting retried. */
void sl_daemon_js_poll(struct sl_daemon_js *j);
/*
 * The export's prepare hook: records batch b as pending (removing, in the
 * same transaction, rows accounted since the last one). 0 or -errno with
 * *err (talloc on the store).
 */
int sl_daemon_js_prepare(struct sl_daemon_js *j, const struct sl_cx_batch *b, enum sl_consent_purpose purpose,
			 int64_t time_us, char **err);
/*
 * A batch (its pending row already written) is durable in the outbox:
 * accounted once JetStream acknowledged it, or now (JSON Lines only).
 */
void sl_daemon_js_batch(struct sl_daemon_js *j, const struct sl_cx_batch *b);
/* Waits up to the drain time for outstanding acknowledgements, accounts what arrived, stops. */
/* The export's abort hook: the batch's write failed (its bytes cut from the segment); its row is removed. */
void sl_daemon_js_abort(struct sl_daemon_js *j, const struct sl_cx_batch *b);
void sl_daemon_js_stop(struct sl_daemon_js *j);
/* `show consent`: one line of state. */
void sl_daemon_js_show(struct sl_daemon_js *j, struct vty *vty);
