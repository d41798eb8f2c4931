/*
 * Publishing one recipient's JSON Lines outbox to NATS JetStream
 * (docs/exports.md). The segments written and fsynced by the JSON Lines
 * export are the outbox (consent_js_outbox.h); a worker thread of this module
 * reads them from the acknowledged cursor on, publishes every record to
 * SUBJECT-PREFIX.RECIPIENT with its stable Nats-Msg-Id, waits for every
 * acknowledgement of a chunk, then moves the cursor (on disk) and wakes
 * the caller's event loop through an eventfd. On a broker outage it
 * discards what is pending, backs off (0.1 s doubling to 5 s) and
 * publishes the same chunk again: the stream's duplicate window drops
 * the records it already had, so each record is stored once.
 *
 * The caller's thread never blocks on the broker: it only tells how far
 * the outbox is durable (sl_js_export_durable) and reads how far it is
 * acknowledged (sl_js_export_acked) when the eventfd is readable. Memory
 * is bounded: one chunk of lines and at most max_pending unacknowledged
 * publishes.
 *
 * Built only with libnats (configure finds it through pkg-config); without
 * it sl_js_export_open fails with a message saying so.
 *
 * Ownership: a talloc object under ctx; freeing it stops and joins the
 * worker (which sees the stop within about 100 ms, even while it waits
 * for acknowledgements: tests/live/consent_jetstream_stop.sh) and closes
 * the connection.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mediation/consent/consent_js_outbox.h"

struct sl_js_export_cfg {
	const char *url;		/* nats://host:port or tls://host:port; comma-separated list allowed */
	const char *stream;		/* created if missing, with SUBJECT-PREFIX.> as its subjects */
	const char *subject_prefix;
	const char *gateway_id;		/* first token of every message id */
	const char *creds_file;		/* user JWT and NKey seed (.creds), NULL: none */
	const char *tls_ca;		/* CA bundle: TLS required when set */
	const char *tls_cert, *tls_key;	/* client certificate, optional */
	const char *tls_verify_name;	/* the broker certificate's name; NULL: the URL's host (libnats) */
	unsigned dup_window_s;		/* duplicate window of a stream this creates; 0: 600 */
	unsigned max_pending;		/* unacknowledged publishes at once; 0: 4096 */
	unsigned chunk_records;		/* records per acknowledged chunk; 0: 1000 */
	unsigned ack_wait_ms;		/* wait for a chunk's acknowledgements; 0: 5000 */
};

struct sl_js_export_stats {
	uint64_t published;		/* publishes sent (retries included) */
	uint64_t acked;			/* records acknowledged, once each */
	uint64_t duplicates;		/* acknowledgements saying the stream had it already */
	uint64_t retries;		/* chunks published again after a failure */
	uint64_t connects;		/* successful (re)connections */
	uint64_t connect_failures;	/* connections made that failed (refused credentials...), or that libnats gave up */
	uint64_t cursor_failed;		/* cursor file writes that failed */
	uint64_t skipped_bytes;		/* torn tails of abandoned segments, not published */
	uint64_t rejected;		/* lines longer than the read buffer (1 MiB), not published */
	bool connected;
	struct sl_js_pos acked_pos;
	char last_error[256];		/* the worker's last failure, "" if none yet */
};

struct sl_js_export;

/*
 * Starts publishing DIR's RECIPIENT segments from the cursor (or from the
 * lowest segment when there is none). Everything already in the directory
 * counts as durable. NULL with *err (talloc on ctx) when the configuration
 * or directory cannot be used; the broker need not be up.
 */
struct sl_js_export *sl_js_export_open(void *ctx, const struct sl_js_export_cfg *cfg, const char *dir,
				       const char *recipient, char **err);
/* The outbox is durable up to byte end of segment seg. */
void sl_js_export_durable(struct sl_js_export *x, unsigned seg, uint64_t end);
/* Readable when the acknowledged position moved; sl_js_export_acked clears it. */
int sl_js_export_fd(const struct sl_js_export *x);
void sl_js_export_acked(struct sl_js_export *x, struct sl_js_pos *pos);
/* Waits up to timeout_ms until all that is durable is acknowledged: true if it is. */
bool sl_js_export_drain(struct sl_js_export *x, unsigned timeout_ms);
void sl_js_export_stats(struct sl_js_export *x, struct sl_js_export_stats *st);
