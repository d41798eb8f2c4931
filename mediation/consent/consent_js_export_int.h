/*
 * Inside the JetStream publisher (consent_js_export.h): the state one
 * recipient's publisher shares between its three files, and what each
 * offers the others. consent_js_export.c is the worker thread and the
 * caller's interface; consent_js_conn.c the NATS connection (options,
 * credentials, TLS, the stream, the library's callbacks, failures kept
 * and counted); consent_js_publish.c one chunk of lines published and its
 * acknowledgements waited for (counted by the connection's callback).
 * Calls go export -> conn, export -> publish, publish -> conn, never
 * back. Only these three include it, and only with libnats.
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <nats/nats.h>

#include "mediation/consent/consent_js_export.h"

#define STALL_MS 100	/* one wait for room among max_pending outstanding publishes */

struct sl_js_export {
	struct sl_js_export_cfg cfg;
	char *recipient, *subject;
	int dirfd, efd;
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	bool stop;
	unsigned dseg;
	uint64_t doff;
	struct sl_js_export_stats st;
	/* worker only */
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
	int segfd;
	unsigned segfd_no;
	char *buf;
	/* from the library's threads */
	atomic_ulong ack_ok, ack_err, ack_dup;
	atomic_uint chunk_seg;		/* the chunk in flight: acknowledgements of other messages are not counted */
	atomic_ullong chunk_lo, chunk_hi;	/* its lines, first and last (lo > hi: none in flight) */
	atomic_bool connected;
	bool closed;			/* under mu: the library's closed callback ran */
	/* under mu: how the last connection ended ("User Authentication Expired"), until one succeeds */
	char drop_reason[96];
	atomic_ulong reconnects;
};

/* consent_js_conn.c */

/* The worker's last error, "WHAT: the library's text for s", for `show consent`. */
void sl_js_set_error(struct sl_js_export *x, const char *what, natsStatus s);
/*
 * 0 when the credentials file can be read by this process now, else a
 * negative errno (-ENODATA: empty).
 */
int sl_js_creds_readable(const char *path);
/*
 * Connects with the configured options (credentials, TLS), gets the
 * JetStream context and makes sure of the stream: 0, or -1 with the
 * failure counted, its error kept and everything closed.
 */
int sl_js_connect(struct sl_js_export *x);
/* Closes the connection (if open) and waits for the library's closed callback; frees the options. */
void sl_js_disconnect(struct sl_js_export *x);
/* The library closed the connection by itself: counted as a failed connection, error kept, dropped. */
void sl_js_connection_lost(struct sl_js_export *x);

/* consent_js_publish.c */

/*
 * Publishes the n lines of buf (len bytes, lines pos->lines+1 ... of
 * segment pos->seg) and waits for their acknowledgements: true when every
 * one was acknowledged, within ack_wait_ms, a stop or the library closing
 * the connection seen within 100 ms.
 */
bool sl_js_publish_chunk(struct sl_js_export *x, const char *buf, size_t len, unsigned n,
			 const struct sl_js_pos *pos);
