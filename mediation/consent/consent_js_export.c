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
 * keeps the last error text in the statistics for `show consent`. The
 * connection is consent_js_conn.c's, the publishing of a chunk
 * consent_js_publish.c's (consent_js_export_int.h).
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

#include "mediation/consent/consent_js_export_int.h"

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u
#define READ_CAP (1u << 20)	/* one chunk of lines; a record line is far smaller */

static pthread_mutex_t g_lib_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned g_lib_users;
static bool g_lib_tls;		/* a TLS connection was configured: never nats_Close() (below) */

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
			sl_js_connection_lost(x);
		/* (re)connect at once, records or not, so that refused credentials show from the start */
		if (!x->js) {
			if (sl_js_connect(x) < 0) {
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
		if (sl_js_publish_chunk(x, x->buf, (size_t)n, nl, &pos)) {
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
		sl_js_disconnect(x);
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
	if (cfg->creds_file && (rc = sl_js_creds_readable(cfg->creds_file)) < 0) {
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
