/*
 * The JetStream publisher of one recipient's outbox (consent_js_export.h,
 * docs/exports.md, docs/ARCHITECTURE.md "The JetStream export").
 *
 * One worker thread per recipient owns the NATS connection and the
 * outbox reader. Its loop: connect when not connected (at start, and
 * again whenever the library has closed the connection), with a back-off;
 * wait until the outbox is durable past the cursor; read up to
 * chunk_records whole lines; publish each with
 * js_PublishMsgAsync (library threads count the acknowledgements); wait
 * for all of them (js_PublishAsyncComplete, bounded by ack_wait_ms); on
 * success save the cursor and signal the eventfd, on any failure drop
 * what is pending and publish the same chunk again after a back-off. The
 * event loop of the caller shares only the durable and acknowledged
 * positions and the statistics with it, under one mutex.
 *
 * The worker never logs (libosmocore logging is not thread-safe): it
 * keeps the last error text in the statistics for `show consent`.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>
#include <talloc.h>

#include "mediation/consent/consent_js_export.h"

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u
#define STALL_MS 100	/* one wait for room among max_pending outstanding publishes */
#define READ_CAP (1u << 20)	/* one chunk of lines; a record line is far smaller */

static pthread_mutex_t g_lib_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned g_lib_users;
static bool g_lib_tls;		/* a TLS connection was configured: never nats_Close() (below) */

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
	atomic_ulong reconnects;
};

static void set_error(struct sl_js_export *x, const char *what, natsStatus s)
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
static int creds_readable(const char *path)
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

/* Sleeps up to ms unless stopped; true when stopping. */
static bool wait_stop(struct sl_js_export *x, unsigned ms)
{
	struct timespec ts;
	bool stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&x->mu);
	while (!x->stop && pthread_cond_timedwait(&x->cv, &x->mu, &ts) != ETIMEDOUT)
		;
	stop = x->stop;
	pthread_mutex_unlock(&x->mu);
	return stop;
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

static void on_reconnected(natsConnection *nc, void *closure)
{
	struct sl_js_export *x = closure;

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
static void disconnect(struct sl_js_export *x)
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

/* A failed connection attempt (at start, or after libnats gave one up): counted, its error kept, all closed. */
static int connect_failed(struct sl_js_export *x, const char *what, natsStatus s)
{
	int rc = x->cfg.creds_file ? creds_readable(x->cfg.creds_file) : 0;
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
		set_error(x, what, s);
	}
	pthread_mutex_lock(&x->mu);
	x->st.connect_failures++;
	pthread_mutex_unlock(&x->mu);
	disconnect(x);
	return -1;
}

/*
 * The library closed the connection by itself: libnats 3.4 stops
 * reconnecting, for good, when the server refuses the credentials twice in
 * a row (a user revoked, an account not yet on a restarted server). The
 * error is kept and counted, the connection dropped, and the worker
 * connects again with its back-off, as at start.
 */
static void connection_lost(struct sl_js_export *x)
{
	const char *txt = NULL;
	natsStatus s = natsConnection_GetLastError(x->nc, &txt);

	pthread_mutex_lock(&x->mu);
	snprintf(x->st.last_error, sizeof(x->st.last_error), "connection closed by the client library: %s",
		 txt && *txt ? txt : natsStatus_GetText(s));
	x->st.connect_failures++;
	pthread_mutex_unlock(&x->mu);
	disconnect(x);
}

static int js_connect(struct sl_js_export *x)
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
	x->st.connects++;
	pthread_mutex_unlock(&x->mu);
	return 0;
}

/* Drops every publish still waiting for its acknowledgement (they will be sent again). */
static void drop_pending(struct sl_js_export *x)
{
	natsMsgList l;

	if (js_PublishAsyncGetPendingList(&l, x->js) == NATS_OK)
		natsMsgList_Destroy(&l);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool stopping(struct sl_js_export *x)
{
	bool stop;

	pthread_mutex_lock(&x->mu);
	stop = x->stop;
	pthread_mutex_unlock(&x->mu);
	return stop;
}

/*
 * Publishes the n lines of buf (record lines lines+1 ...): true when every
 * one was acknowledged. Everything after the publishes (the library's
 * completion, then the handler's counting) shares one deadline of
 * ack_wait_ms, waited in slices of at most 100 ms so that a stop is seen
 * within one slice.
 */
static bool publish_chunk(struct sl_js_export *x, const char *buf, size_t len, unsigned n, const struct sl_js_pos *pos)
{
	const char *p = buf, *end = buf + len;
	char id[SL_JS_MSG_ID_MAX];
	jsPubOptions po;
	natsStatus s = NATS_OK, c;
	unsigned i, sent = 0;
	const char *what = "publish";
	int64_t deadline, stall_until;

	atomic_store(&x->chunk_hi, 0);
	atomic_store(&x->ack_ok, 0);
	atomic_store(&x->ack_err, 0);
	atomic_store(&x->ack_dup, 0);
	atomic_store(&x->chunk_seg, pos->seg);
	atomic_store(&x->chunk_lo, pos->lines + 1);
	atomic_store(&x->chunk_hi, pos->lines + n);
	for (i = 0; i < n && s == NATS_OK; i++) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		natsMsg *m = NULL;

		if (!lf || sl_js_msg_id(id, sizeof(id), x->cfg.gateway_id, x->recipient, pos->seg, pos->lines + i + 1)) {
			/* what was sent is still waited for (or dropped) below, like any other failure */
			s = NATS_ERR;
			what = "message id";
			break;
		}
		/*
		 * max_pending outstanding: the library waits STALL_MS for room, then
		 * refuses; a fresh message is tried again until ack_wait or a stop
		 */
		stall_until = mono_ms() + x->cfg.ack_wait_ms;
		do {
			natsMsg_Destroy(m);
			m = NULL;
			s = natsMsg_Create(&m, x->subject, NULL, p, (int)(lf - p));
			jsPubOptions_Init(&po);
			po.MsgId = id;
			if (s == NATS_OK)
				s = js_PublishMsgAsync(x->js, &m, &po);
		} while (s == NATS_TIMEOUT && mono_ms() < stall_until && !stopping(x));
		natsMsg_Destroy(m);
		if (s == NATS_OK)
			sent++;
		p = lf + 1;
	}
	pthread_mutex_lock(&x->mu);
	x->st.published += sent;
	pthread_mutex_unlock(&x->mu);
	if (s != NATS_OK)
		set_error(x, what, s);
	deadline = mono_ms() + x->cfg.ack_wait_ms;
	for (;;) {
		int64_t left = deadline - mono_ms();

		jsPubOptions_Init(&po);
		po.MaxWait = left < 1 ? 1 : left > 100 ? 100 : left;
		c = js_PublishAsyncComplete(x->js, &po);
		if (c != NATS_TIMEOUT || left <= 100 || stopping(x))
			break;
	}
	if (c != NATS_OK) {
		drop_pending(x);
		atomic_store(&x->chunk_hi, 0);
		if (s == NATS_OK)
			set_error(x, "acknowledgements", NATS_TIMEOUT);
		return false;
	}
	/* the handler may run just after the pending count drops: wait for it to have counted every one */
	while (atomic_load(&x->ack_ok) + atomic_load(&x->ack_err) < sent && mono_ms() < deadline && !stopping(x))
		usleep(1000);
	atomic_store(&x->chunk_hi, 0);
	if (s != NATS_OK || atomic_load(&x->ack_err) || atomic_load(&x->ack_ok) != n) {
		if (s == NATS_OK)
			set_error(x, "acknowledgements", NATS_ERR);
		return false;
	}
	pthread_mutex_lock(&x->mu);
	x->st.acked += n;
	x->st.duplicates += atomic_load(&x->ack_dup);
	pthread_mutex_unlock(&x->mu);
	return true;
}

static void advance(struct sl_js_export *x, const struct sl_js_pos *pos)
{
	uint64_t one = 1;
	int rc = sl_js_cursor_save(x->dirfd, x->recipient, pos);

	pthread_mutex_lock(&x->mu);
	if (rc < 0)
		x->st.cursor_failed++;
	x->st.acked_pos = *pos;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	if (write(x->efd, &one, sizeof(one)) < 0) {
		/* the counter is saturated only if nobody reads it: the position is in the statistics anyway */
	}
}

/* The segment of pos is finished (a later one is durable): skip its torn tail, go to the next. */
static void next_segment(struct sl_js_export *x, struct sl_js_pos *pos)
{
	struct stat sb;

	if (x->segfd >= 0 && fstat(x->segfd, &sb) == 0 && (uint64_t)sb.st_size > pos->off) {
		pthread_mutex_lock(&x->mu);
		x->st.skipped_bytes += (uint64_t)sb.st_size - pos->off;
		pthread_mutex_unlock(&x->mu);
	}
	if (x->segfd >= 0)
		close(x->segfd);
	x->segfd = -1;
	*pos = (struct sl_js_pos){ .seg = pos->seg + 1 };
	advance(x, pos);
}

static void *worker(void *arg)
{
	struct sl_js_export *x = arg;
	unsigned backoff = BACKOFF_MIN_MS, dseg;
	struct sl_js_pos pos;
	uint64_t doff;

	pthread_mutex_lock(&x->mu);
	pos = x->st.acked_pos;
	pthread_mutex_unlock(&x->mu);
	for (;;) {
		uint64_t limit;
		unsigned nl;
		ssize_t n;
		bool stop, lost;

		/* connected, nothing to publish: wait (for a record, the stop, or the library closing the connection) */
		pthread_mutex_lock(&x->mu);
		while (!x->stop && x->js && !x->closed && !sl_js_pos_before(&pos, x->dseg, x->doff))
			pthread_cond_wait(&x->cv, &x->mu);
		dseg = x->dseg;
		doff = x->doff;
		stop = x->stop;
		lost = x->nc && x->closed;
		pthread_mutex_unlock(&x->mu);
		if (stop)
			break;
		if (lost)
			connection_lost(x);
		/* (re)connect at once, records or not, so that refused credentials show from the start */
		if (!x->js) {
			if (js_connect(x) < 0) {
				if (wait_stop(x, backoff))
					break;
				backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			}
			continue;
		}
		if (x->segfd < 0 || x->segfd_no != pos.seg) {
			char name[SL_JS_NAME_MAX + 16];

			if (x->segfd >= 0)
				close(x->segfd);
			sl_js_segment_name(name, sizeof(name), x->recipient, pos.seg);
			x->segfd = openat(x->dirfd, name, O_RDONLY | O_CLOEXEC);
			x->segfd_no = pos.seg;
			if (x->segfd < 0) {
				if (errno == ENOENT && pos.seg < dseg) {
					next_segment(x, &pos);
					continue;
				}
				if (wait_stop(x, BACKOFF_MAX_MS))
					break;
				continue;
			}
		}
		limit = pos.seg == dseg ? doff - pos.off : UINT64_MAX;
		n = sl_js_read_lines(x->segfd, pos.off, limit, x->buf, READ_CAP, x->cfg.chunk_records, &nl);
		if (n == -EMSGSIZE) {
			/* a line longer than the buffer: not published, counted, and the segment goes on after it */
			int64_t ll = sl_js_line_length(x->segfd, pos.off, limit, x->buf, READ_CAP);

			if (ll > 0) {
				pthread_mutex_lock(&x->mu);
				x->st.rejected++;
				pthread_mutex_unlock(&x->mu);
				pos.off += (uint64_t)ll;
				pos.lines++;
				advance(x, &pos);
				continue;
			}
			n = 0;	/* no end before the durable limit: a torn tail (below) */
		}
		if (n == 0 && pos.seg < dseg) {
			next_segment(x, &pos);
			continue;
		}
		if (n <= 0) {
			if (wait_stop(x, backoff))
				break;
			continue;
		}
		if (publish_chunk(x, x->buf, (size_t)n, nl, &pos)) {
			pos.off += (uint64_t)n;
			pos.lines += nl;
			advance(x, &pos);
			backoff = BACKOFF_MIN_MS;
			continue;
		}
		pthread_mutex_lock(&x->mu);
		x->st.retries++;
		pthread_mutex_unlock(&x->mu);
		if (wait_stop(x, backoff))
			break;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	return NULL;
}

static int export_destructor(struct sl_js_export *x)
{
	if (x->started) {
		pthread_mutex_lock(&x->mu);
		x->stop = true;
		pthread_cond_broadcast(&x->cv);
		pthread_mutex_unlock(&x->mu);
		pthread_join(x->th, NULL);
	}
	if (x->js || x->nc || x->opts)
		disconnect(x);
	if (x->segfd >= 0)
		close(x->segfd);
	if (x->efd >= 0)
		close(x->efd);
	if (x->dirfd >= 0)
		close(x->dirfd);
	pthread_cond_destroy(&x->cv);
	pthread_mutex_destroy(&x->mu);
	/*
	 * The library's own threads and memory go with the last exporter, but
	 * only if no exporter used TLS: after a TLS connection, libnats 3.4's
	 * clean-up leaves OpenSSL's global state such that OpenSSL's exit
	 * handler crashes (seen under ASan in consent_jetstream.sh). With TLS
	 * they stay until the process exits.
	 */
	pthread_mutex_lock(&g_lib_mu);
	if (!--g_lib_users && !g_lib_tls)
		nats_Close();
	pthread_mutex_unlock(&g_lib_mu);
	return 0;
}

static char *dup_opt(void *ctx, const char *s)
{
	return s ? talloc_strdup(ctx, s) : NULL;
}

struct sl_js_export *sl_js_export_open(void *ctx, const struct sl_js_export_cfg *cfg, const char *dir,
				       const char *recipient, char **err)
{
	struct sl_js_export *x;
	pthread_condattr_t ca;
	unsigned lo, hi;
	int rc;

	*err = NULL;
	if (!cfg->url || !cfg->stream || !cfg->subject_prefix || !cfg->gateway_id) {
		*err = talloc_strdup(ctx, "jetstream: url, stream, subject-prefix and gateway-id are needed");
		return NULL;
	}
	if (!sl_js_name_ok(recipient) || !sl_js_name_ok(cfg->gateway_id) || !sl_js_name_ok(cfg->stream) ||
	    !sl_js_prefix_ok(cfg->subject_prefix)) {
		*err = talloc_asprintf(ctx, "jetstream: recipient, gateway-id, stream and each subject-prefix token "
					    "must be 1 to %u of A-Z a-z 0-9 _ -", SL_JS_NAME_MAX);
		return NULL;
	}
	if (cfg->creds_file && (rc = creds_readable(cfg->creds_file)) < 0) {
		*err = talloc_asprintf(ctx, "jetstream credentials %s: %s (it is read at every connection, by the user "
					    "sluiced runs as)", cfg->creds_file,
				       rc == -ENODATA ? "empty" : strerror(-rc));
		return NULL;
	}
	x = talloc_zero(ctx, struct sl_js_export);
	if (!x)
		return NULL;
	x->dirfd = x->efd = x->segfd = -1;
	pthread_mutex_init(&x->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&g_lib_mu);
	g_lib_users++;
	if (cfg->tls_ca || cfg->tls_cert || !strncmp(cfg->url, "tls://", 6))
		g_lib_tls = true;
	pthread_mutex_unlock(&g_lib_mu);
	talloc_set_destructor(x, export_destructor);
	x->cfg = *cfg;
	x->cfg.url = dup_opt(x, cfg->url);
	x->cfg.stream = dup_opt(x, cfg->stream);
	x->cfg.subject_prefix = dup_opt(x, cfg->subject_prefix);
	x->cfg.gateway_id = dup_opt(x, cfg->gateway_id);
	x->cfg.creds_file = dup_opt(x, cfg->creds_file);
	x->cfg.tls_ca = dup_opt(x, cfg->tls_ca);
	x->cfg.tls_cert = dup_opt(x, cfg->tls_cert);
	x->cfg.tls_key = dup_opt(x, cfg->tls_key);
	x->cfg.tls_verify_name = dup_opt(x, cfg->tls_verify_name);
	if (!x->cfg.dup_window_s)
		x->cfg.dup_window_s = 600;
	if (!x->cfg.max_pending)
		x->cfg.max_pending = 4096;
	if (!x->cfg.chunk_records)
		x->cfg.chunk_records = 1000;
	if (!x->cfg.ack_wait_ms)
		x->cfg.ack_wait_ms = 5000;
	x->recipient = talloc_strdup(x, recipient);
	x->subject = talloc_asprintf(x, "%s.%s", cfg->subject_prefix, recipient);
	x->buf = talloc_size(x, READ_CAP);
	x->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->dirfd < 0 || x->efd < 0 || !x->buf) {
		*err = talloc_asprintf(ctx, "jetstream: export directory %s: %s", dir, strerror(errno));
		talloc_free(x);
		return NULL;
	}
	/* everything already in the directory is durable; deliver from the cursor, or from the first segment */
	sl_js_segment_range(x->dirfd, recipient, &lo, &hi);
	if (hi) {
		char name[SL_JS_NAME_MAX + 16];
		struct stat sb;

		sl_js_segment_name(name, sizeof(name), recipient, hi);
		x->dseg = hi;
		x->doff = fstatat(x->dirfd, name, &sb, 0) == 0 ? (uint64_t)sb.st_size : 0;
	}
	rc = sl_js_cursor_load(x->dirfd, recipient, &x->st.acked_pos);
	if (rc == -ENOENT) {
		x->st.acked_pos = (struct sl_js_pos){ .seg = lo ? lo : 1 };
	} else if (rc < 0) {
		*err = talloc_asprintf(ctx, "jetstream: %s/%s.jetstream: %s", dir, recipient,
				       rc == -EBADMSG ? "malformed" : rc == -ENODATA ? "truncated" : strerror(-rc));
		talloc_free(x);
		return NULL;
	}
	/* a cursor past the outbox means segments were removed: publishing would silently skip what is written there */
	if (rc == 0 && (hi ? x->st.acked_pos.seg > hi || (x->st.acked_pos.seg == hi && x->st.acked_pos.off > x->doff)
			   : x->st.acked_pos.seg > 1 || x->st.acked_pos.off > 0)) {
		*err = talloc_asprintf(ctx, "jetstream: %s/%s.jetstream points past the last segment (%06u): segments "
					    "were removed or truncated; remove the cursor file to publish from the "
					    "first segment", dir, recipient, hi);
		talloc_free(x);
		return NULL;
	}
	if (pthread_create(&x->th, NULL, worker, x)) {
		*err = talloc_strdup(ctx, "jetstream: cannot start the publishing thread");
		talloc_free(x);
		return NULL;
	}
	x->started = true;
	return x;
}

void sl_js_export_durable(struct sl_js_export *x, unsigned seg, uint64_t end)
{
	pthread_mutex_lock(&x->mu);
	if (seg > x->dseg || (seg == x->dseg && end > x->doff)) {
		x->dseg = seg;
		x->doff = end;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
}

int sl_js_export_fd(const struct sl_js_export *x)
{
	return x->efd;
}

void sl_js_export_acked(struct sl_js_export *x, struct sl_js_pos *pos)
{
	uint64_t v;

	if (read(x->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing new since the last call */
	}
	pthread_mutex_lock(&x->mu);
	*pos = x->st.acked_pos;
	pthread_mutex_unlock(&x->mu);
}

bool sl_js_export_drain(struct sl_js_export *x, unsigned timeout_ms)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&x->mu);
	while (sl_js_pos_before(&x->st.acked_pos, x->dseg, x->doff) &&
	       pthread_cond_timedwait(&x->cv, &x->mu, &ts) != ETIMEDOUT)
		;
	done = !sl_js_pos_before(&x->st.acked_pos, x->dseg, x->doff);
	pthread_mutex_unlock(&x->mu);
	return done;
}

void sl_js_export_stats(struct sl_js_export *x, struct sl_js_export_stats *st)
{
	pthread_mutex_lock(&x->mu);
	*st = x->st;
	pthread_mutex_unlock(&x->mu);
	st->connected = atomic_load(&x->connected);
	st->connects += atomic_load(&x->reconnects);
}
