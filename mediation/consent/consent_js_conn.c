/*
 * The NATS connection of one recipient's JetStream publisher
 * (consent_js_export_int.h, docs/exports.md "Credentials", "TLS",
 * "Delivery"): the options it is made with (reconnection without limit
 * every 250 ms, the credentials file, the CA file, client certificate and
 * name to verify), the stream looked up and created when missing, the
 * library's callbacks (acknowledgement, disconnected, reconnected, closed,
 * error: they run on its threads and only count, set flags or keep the
 * server's reason for closing the connection; a late acknowledgement of an
 * abandoned chunk is told by its message id and not counted), and what a
 * failure leaves: the error text for `show consent` (the credentials file
 * named when it cannot be read, the TLS reason when the handshake failed;
 * how the connection before ended, when the library gave it up: an expired
 * or revoked user) and one more failed connection. The worker thread
 * (consent_js_export.c) is the only caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mediation/consent/consent_js_export_int.h"

void sl_js_set_error(struct sl_js_export *x, const char *what, natsStatus s)
{
	pthread_mutex_lock(&x->mu);
	snprintf(x->st.last_error, sizeof(x->st.last_error), "%s: %s", what, natsStatus_GetText(s));
	pthread_mutex_unlock(&x->mu);
}

/*
 * 0 when the credentials file can be read by this process now, else a
 * negative errno (-ENODATA: empty). libnats reads the file at every
 * connection and reconnection, not once: it must stay readable by the
 * user sluiced runs as.
 */
int sl_js_creds_readable(const char *path)
{
	char c;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : n == 0 ? -ENODATA : 0;
}

/* The segment and line of the message the library hands the handler (its Nats-Msg-Id header). */
static bool id_position(natsMsg *msg, unsigned *seg, uint64_t *line)
{
	const char *id = NULL;

	return msg && natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id &&
	       sl_js_msg_id_position(id, strlen(id), seg, line) == 0;
}

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct sl_js_export *x = closure;
	unsigned seg;
	uint64_t line;

	/* a late acknowledgement of an earlier, abandoned chunk must not count for the one in flight */
	if (!id_position(msg, &seg, &line) || seg != atomic_load(&x->chunk_seg) || line < atomic_load(&x->chunk_lo) ||
	    line > atomic_load(&x->chunk_hi)) {
		natsMsg_Destroy(msg);
		return;
	}
	if (pa && !pae) {
		atomic_fetch_add(&x->ack_ok, 1);
		if (pa->Duplicate)
			atomic_fetch_add(&x->ack_dup, 1);
	} else {
		atomic_fetch_add(&x->ack_err, 1);
	}
	natsMsg_Destroy(msg);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
	struct sl_js_export *x = closure;

	atomic_store(&x->connected, false);
}

/*
 * Under mu: the server's words for how a connection ended, kept (the
 * first since the last successful connection) unless it is the refusal
 * of a reconnection ("Authorization Violation"), which says nothing more
 * than the library's status.
 */
static void keep_drop_reason(struct sl_js_export *x, const char *txt)
{
	if (!x->drop_reason[0] && txt && *txt && strcasecmp(txt, "Authorization Violation") != 0)
		snprintf(x->drop_reason, sizeof(x->drop_reason), "%s", txt);
}

/*
 * The library's asynchronous errors. An authentication error's text is
 * the server's -ERR: "User Authentication Expired" when it closes the
 * connection of a user whose JWT expired, then "Authorization Violation"
 * for each reconnection it refuses. The first is kept. The client does not
 * always get it: the server's close can reset the connection before the
 * text is read, and then only the refusals are known.
 */
static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure)
{
	struct sl_js_export *x = closure;
	const char *txt = NULL;

	if (err != NATS_CONNECTION_AUTH_FAILED)
		return;
	natsConnection_GetLastError(nc, &txt);
	pthread_mutex_lock(&x->mu);
	keep_drop_reason(x, txt);
	pthread_mutex_unlock(&x->mu);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
	struct sl_js_export *x = closure;

	pthread_mutex_lock(&x->mu);
	x->drop_reason[0] = '\0';
	pthread_mutex_unlock(&x->mu);
	atomic_store(&x->connected, true);
	atomic_fetch_add(&x->reconnects, 1);
}

static void on_closed(natsConnection *nc, void *closure)
{
	struct sl_js_export *x = closure;

	pthread_mutex_lock(&x->mu);
	x->closed = true;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
}

/*
 * Closes the connection (unless the library already has) and waits (up to
 * 10 s) for the library's closed callback: the disconnected and closed
 * callbacks run on a library thread after the close, and they reach x, so
 * x must not be freed before they ran.
 */
void sl_js_disconnect(struct sl_js_export *x)
{
	if (x->nc) {
		struct timespec ts;
		bool by_us = !natsConnection_IsClosed(x->nc);

		if (by_us) {
			pthread_mutex_lock(&x->mu);
			x->closed = false;
			pthread_mutex_unlock(&x->mu);
			natsConnection_Close(x->nc);
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 10;
		pthread_mutex_lock(&x->mu);
		while (!x->closed && pthread_cond_timedwait(&x->cv, &x->mu, &ts) != ETIMEDOUT)
			;
		x->closed = false;
		pthread_mutex_unlock(&x->mu);
	}
	jsCtx_Destroy(x->js);
	x->js = NULL;
	natsConnection_Destroy(x->nc);
	x->nc = NULL;
	natsOptions_Destroy(x->opts);
	x->opts = NULL;
	atomic_store(&x->connected, false);
}

/* The stream, created with our subjects and duplicate window when missing; an existing one is left as it is. */
static natsStatus ensure_stream(struct sl_js_export *x)
{
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	jsErrCode je = 0;
	char subj[SL_JS_NAME_MAX * 4];
	const char *subjects[1] = { subj };
	natsStatus s = js_GetStreamInfo(&si, x->js, x->cfg.stream, NULL, &je);

	if (s == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return s;
	}
	if (s != NATS_NOT_FOUND)
		return s;
	snprintf(subj, sizeof(subj), "%s.>", x->cfg.subject_prefix);
	jsStreamConfig_Init(&sc);
	sc.Name = x->cfg.stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Duplicates = (int64_t)x->cfg.dup_window_s * 1000000000LL;
	s = js_AddStream(&si, x->js, &sc, NULL, &je);
	if (s == NATS_OK)
		jsStreamInfo_Destroy(si);
	else if (je == JSStreamNameExistErr)
		s = NATS_OK; /* another gateway made it meanwhile */
	return s;
}

/*
 * The text libnats kept for this thread's last TLS failure, without its
 * "(file.c:line): " prefix, e.g. "SSL handshake error: 20:unable to get
 * local issuer certificate:depth=0:..."; NULL if it kept none.
 */
static const char *tls_detail(void)
{
	natsStatus st = NATS_OK;
	const char *t = nats_GetLastError(&st);
	const char *p;

	if (!t || st != NATS_SSL_ERROR)
		return NULL;
	if (t[0] == '(' && (p = strstr(t, "): ")) != NULL)
		t = p + 3;
	return *t ? t : NULL;
}

/* Under mu: the last error gets how the last connection ended, when the library gave it up (drop_reason). */
static void append_drop_reason(struct sl_js_export *x)
{
	size_t l = strlen(x->st.last_error);

	if (x->drop_reason[0] &&
	    snprintf(x->st.last_error + l, sizeof(x->st.last_error) - l, " (last connection ended: %s)",
		     x->drop_reason) < 0)
		x->st.last_error[l] = '\0';
}

/* A failed connection attempt (at start, or after libnats gave one up): counted, its error kept, all closed. */
static int connect_failed(struct sl_js_export *x, const char *what, natsStatus s)
{
	int rc = x->cfg.creds_file ? sl_js_creds_readable(x->cfg.creds_file) : 0;
	const char *detail;

	if (rc < 0) { /* readable at start, not any more: name the file rather than the library's I/O error */
		pthread_mutex_lock(&x->mu);
		snprintf(x->st.last_error, sizeof(x->st.last_error), "%s: credentials %s: %s", what, x->cfg.creds_file,
			 rc == -ENODATA ? "empty" : strerror(-rc));
		pthread_mutex_unlock(&x->mu);
	} else if (s == NATS_SSL_ERROR && (detail = tls_detail()) != NULL) {
		/* which check failed (the chain, the name, the handshake) is in the library's text, not in its status */
		pthread_mutex_lock(&x->mu);
		snprintf(x->st.last_error, sizeof(x->st.last_error), "%s: %s: %s", what, natsStatus_GetText(s), detail);
		pthread_mutex_unlock(&x->mu);
	} else {
		sl_js_set_error(x, what, s);
	}
	pthread_mutex_lock(&x->mu);
	append_drop_reason(x);
	x->st.connect_failures++;
	pthread_mutex_unlock(&x->mu);
	sl_js_disconnect(x);
	return -1;
}

/*
 * The library closed the connection by itself: libnats 3.4 stops
 * reconnecting, for good, when the server refuses the credentials twice in
 * a row (an expired user, an account not yet on a restarted server), and
 * at once on an -ERR it does not know ("User Authentication Revoked").
 * The error is kept and counted, the connection dropped, and the worker
 * connects again with its back-off, as at start. The error, and those of
 * the connections refused after it, say how the connection ended (the
 * server's words, when the client got them: an expired or revoked user),
 * until one succeeds.
 */
void sl_js_connection_lost(struct sl_js_export *x)
{
	const char *txt = NULL;
	natsStatus s = natsConnection_GetLastError(x->nc, &txt);

	pthread_mutex_lock(&x->mu);
	snprintf(x->st.last_error, sizeof(x->st.last_error), "connection closed by the client library: %s",
		 txt && *txt ? txt : natsStatus_GetText(s));
	/* libnats 3.4 closes at once on an -ERR it does not know ("User Authentication Revoked"): that is the reason */
	keep_drop_reason(x, txt);
	append_drop_reason(x);
	x->st.connect_failures++;
	pthread_mutex_unlock(&x->mu);
	sl_js_disconnect(x);
}

int sl_js_connect(struct sl_js_export *x)
{
	jsOptions jo;
	natsStatus s;

	s = natsOptions_Create(&x->opts);
	if (s == NATS_OK)
		s = natsOptions_SetURL(x->opts, x->cfg.url);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(x->opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(x->opts, 250);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(x->opts, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(x->opts, on_disconnected, x);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(x->opts, on_reconnected, x);
	if (s == NATS_OK)
		s = natsOptions_SetClosedCB(x->opts, on_closed, x);
	if (s == NATS_OK)
		s = natsOptions_SetErrorHandler(x->opts, on_error, x);
	if (s == NATS_OK && x->cfg.creds_file)
		s = natsOptions_SetUserCredentialsFromFiles(x->opts, x->cfg.creds_file, NULL);
	if (s == NATS_OK && x->cfg.tls_ca) {
		s = natsOptions_SetSecure(x->opts, true);
		if (s == NATS_OK)
			s = natsOptions_LoadCATrustedCertificates(x->opts, x->cfg.tls_ca);
	}
	if (s == NATS_OK && x->cfg.tls_cert)
		s = natsOptions_LoadCertificatesChain(x->opts, x->cfg.tls_cert, x->cfg.tls_key);
	/* without it libnats checks the certificate against the host of the URL it connects to */
	if (s == NATS_OK && x->cfg.tls_verify_name)
		s = natsOptions_SetExpectedHostname(x->opts, x->cfg.tls_verify_name);
	if (s != NATS_OK)
		return connect_failed(x, "options", s);
	s = natsConnection_Connect(&x->nc, x->opts);
	if (s != NATS_OK)
		return connect_failed(x, "connect", s);
	jsOptions_Init(&jo);
	jo.Wait = x->cfg.ack_wait_ms;
	jo.PublishAsync.MaxPending = x->cfg.max_pending;
	jo.PublishAsync.StallWait = STALL_MS;
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = x;
	s = natsConnection_JetStream(&x->js, x->nc, &jo);
	if (s == NATS_OK)
		s = ensure_stream(x);
	if (s != NATS_OK)
		return connect_failed(x, "stream", s);
	atomic_store(&x->connected, true);
	pthread_mutex_lock(&x->mu);
	x->drop_reason[0] = '\0';
	x->st.connects++;
	pthread_mutex_unlock(&x->mu);
	return 0;
}
