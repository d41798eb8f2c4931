/*
 * The running capture of sluiced (see daemon.h): sources wired into the
 * osmocom select loop, events written as JSON lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "capture/log.h"
#include "src/daemon.h"
#include "render/event_render.h"
#include "src/progress.h"

#define FILE_BATCH 4096		/* frames per file-replay tick: keeps the VTY responsive */
#define LIVE_BATCH 1024		/* frames per readable event of a live source */

void sl_daemon_cfg_default(struct sl_daemon_cfg *cfg, void *ctx)
{
	memset(cfg, 0, sizeof(*cfg));
	sl_source_cfg_default(&cfg->live);
	sl_capture_cfg_default(&cfg->cap);
	sl_ho_cfg_default(&cfg->ho);
}

static void on_cc(const struct sl_cc *cc, void *priv)
{
	sl_ho_cc(&((struct sl_daemon *)priv)->ho, cc);
}

static void on_event(const struct sl_event *ev, void *priv)
{
	struct sl_daemon *d = priv;
	struct sl_cx_subjects cst;

	d->replay_events++;
	/*
	 * Both halves get the same event. The commercial path is given the
	 * event and nothing else (no warrant state, no match result), so
	 * what it exports is the same whether or not anyone is under warrant.
	 * Its subjects are worked out and their filter words asked for first,
	 * so that the fetch overlaps the lawful half's work (neither half
	 * sees anything of the other, and the order of their outputs, which
	 * go to different files, does not matter).
	 */
	sl_daemon_consent_begin(d->consent, ev, &cst);
	sl_ho_event(&d->ho, ev);
	sl_daemon_consent_end(d->consent, ev, &cst);
	if (!d->events)
		return;
	sl_json_reset(&d->json);
	sl_event_to_json(&d->json, ev);
	if (sl_json_write_line(&d->json, d->events)) {
		d->events_written++;
	} else {
		if (!d->events_failed++)
			LOGP(DSLSRC, LOGL_ERROR, "writing events to %s failed: %s\n", d->cfg.events_path,
			     strerror(errno));
	}
}

/* CPU time of the process, user (*user_us) and user plus system (the result), in microseconds */
static int64_t cpu_us(int64_t *user_us)
{
	struct rusage ru;

	*user_us = 0;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	*user_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
	return *user_us + (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

static void all_files_done(struct sl_daemon *d)
{
	int64_t cpu, user;

	d->files_done = true;
	/* file time has ended: give every open call and stream its final event */
	sl_capture_flush(d->cap);
	sl_ho_commit(&d->ho);
	if (d->events)
		fflush(d->events);
	sl_daemon_consent_flush(d->consent);
	/* what the replay cost, from its first batch to here: for operators sizing a box, and make bench */
	cpu = cpu_us(&user);
	LOGP(DSLSRC, LOGL_NOTICE, "all capture files read: %" PRIu64 " frames, %" PRIu64 " events in %.3f s, CPU "
				   "%.3f s (user %.3f s)\n", d->replay_frames, d->replay_events,
	     (double)(sl_now_us() - (uint64_t)d->replay_begin_us) / 1e6, (double)(cpu - d->replay_cpu_begin_us) / 1e6,
	     (double)(user - d->replay_user_begin_us) / 1e6);
}

/*
 * With replay-speed set, a frame is held until its moment: capture time
 * relative to the first frame, divided by the speed, after the replay
 * started. Returns the microseconds to wait, 0 if it is due.
 */
static uint64_t replay_wait_us(struct sl_daemon *d, const struct sl_frame *f)
{
	uint64_t due, now;

	if (d->cfg.replay_speed <= 0)
		return 0;
	if (!d->replay_first_ts) {
		d->replay_first_ts = f->ts_us ? f->ts_us : 1;
		d->replay_wall_start = sl_now_us();
	}
	due = d->replay_wall_start +
	      (uint64_t)((double)(f->ts_us > d->replay_first_ts ? f->ts_us - d->replay_first_ts : 0) /
			 d->cfg.replay_speed);
	now = sl_now_us();
	return due > now ? due - now : 0;
}

static void file_timer_cb(void *data)
{
	struct sl_daemon *d = data;
	struct sl_source_set set = { .src = d->src, .n = d->n_src };
	struct sl_source *from;
	uint64_t wait = 0;
	unsigned i;
	enum sl_source_rc rc;

	if (!d->replay_begin_us) {
		d->replay_begin_us = (int64_t)sl_now_us();
		d->replay_cpu_begin_us = cpu_us(&d->replay_user_begin_us);
	}
	for (i = 0; i < FILE_BATCH; i++) {
		if (!d->held) {
			rc = sl_source_set_next(&set, &d->held_frame, &from);
			if (rc == SL_SOURCE_END) {
				sl_ho_commit(&d->ho);
				all_files_done(d);
				return;
			}
			if (rc == SL_SOURCE_ERROR) {
				LOGP(DSLSRC, LOGL_ERROR, "%s\n", from->error);
				continue;
			}
			d->held = true;
		}
		/* the held frame's bytes stay valid: its source is not read again until it is used */
		wait = replay_wait_us(d, &d->held_frame);
		if (wait)
			break;
		sl_ho_frame_time(&d->ho, d->held_frame.ts_us);
		if ((int64_t)d->held_frame.ts_us > d->newest_frame_us)
			d->newest_frame_us = (int64_t)d->held_frame.ts_us;
		sl_capture_frame(d->cap, &d->held_frame);
		d->replay_frames++;
		d->held = false;
	}
	/* one group commit per batch: spooled records become durable and visible to the links */
	sl_ho_commit(&d->ho);
	osmo_timer_schedule(&d->file_timer, (int)(wait / 1000000), (int)(wait % 1000000));
}

static int live_read_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sl_daemon *d = ofd->data;
	struct sl_source *s = d->src[ofd->priv_nr];
	struct sl_frame f;
	unsigned i;
	enum sl_source_rc rc;

	for (i = 0; i < LIVE_BATCH; i++) {
		rc = sl_source_read(s, &f);
		if (rc != SL_SOURCE_FRAME) {
			if (rc == SL_SOURCE_ERROR) {
				LOGP(DSLSRC, LOGL_ERROR, "%s; capture on it stopped\n", s->error);
				osmo_fd_unregister(ofd);
			}
			break;
		}
		sl_ho_frame_time(&d->ho, f.ts_us);
		sl_capture_frame(d->cap, &f);
	}
	sl_ho_commit(&d->ho);
	return 0;
}

/* Wall-clock time (live capture's clock when no frame arrives). */
static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void tick_cb(void *data)
{
	struct sl_daemon *d = data;
	unsigned i;

	/*
	 * Only live capture runs on wall time; files run on their own
	 * timestamps (the gateway's clock is then the newest frame's time,
	 * set as frames are read).
	 */
	if (d->n_src && d->src[0]->live) {
		sl_capture_advance(d->cap, wall_us());
		sl_ho_tick(&d->ho, wall_us());
		sl_daemon_consent_clock(d->consent, (int64_t)wall_us());
	} else {
		sl_ho_tick(&d->ho, 0);
		sl_daemon_consent_clock(d->consent, d->newest_frame_us);
	}
	for (i = 0; i < d->n_src; i++)
		sl_source_poll_stats(d->src[i]);
	if (d->events)
		fflush(d->events);
	sl_daemon_metrics_tick(d);
	osmo_timer_schedule(&d->tick, 1, 0);
}

/* The events file holds phone numbers, IMSIs and SIP URIs: owner and group only (0640). */
static FILE *open_events(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "a");
	if (!f)
		close(fd);
	return f;
}

int sl_daemon_reopen(struct sl_daemon *d)
{
	FILE *f;

	log_targets_reopen();
	if (!d->events)
		return 0;
	fflush(d->events);
	f = open_events(d->cfg.events_path);
	if (!f) {
		LOGP(DSLSRC, LOGL_ERROR, "cannot reopen events file %s: %s (writing on to the old one)\n",
		     d->cfg.events_path, strerror(errno));
		return -1;
	}
	fclose(d->events);
	d->events = f;
	LOGP(DSLSRC, LOGL_NOTICE, "events file %s reopened\n", d->cfg.events_path);
	return 0;
}

int sl_daemon_start(struct sl_daemon *d)
{
	struct sl_capture_ops ops = { .event = on_event, .cc = on_cc, .priv = d };
	char err[512];
	unsigned i, n_live = 0;

	if (!d->cfg.n_sources) {
		LOGP(DSLSRC, LOGL_ERROR, "no capture source configured (capture / source interface NAME)\n");
		return -1;
	}
	for (i = 0; i < d->cfg.n_sources; i++)
		n_live += d->cfg.sources[i].live;
	if (n_live && n_live != d->cfg.n_sources) {
		LOGP(DSLSRC, LOGL_ERROR, "capture files and interfaces cannot be mixed (file time and wall time)\n");
		return -1;
	}
	if (d->cfg.events_path) {
		d->events = open_events(d->cfg.events_path);
		if (!d->events) {
			LOGP(DSLSRC, LOGL_ERROR, "cannot open events file %s: %s\n", d->cfg.events_path, strerror(errno));
			return -1;
		}
		sl_json_init(&d->json, d->ctx);
	}
	if (sl_ho_start(&d->ho, d->ctx, &d->cfg.ho, &d->cfg.cap.numbering, n_live > 0, d->audit) < 0)
		return -1;
	if (sl_daemon_consent_start(d->ctx, &d->cfg.consent, d->audit, &d->consent) < 0)
		return -1;
	if (n_live)
		sl_ho_tick(&d->ho, wall_us());
	d->cap = sl_capture_alloc(d->ctx, &d->cfg.cap, &ops, 0);
	if (!d->cap)
		return -1;
	for (i = 0; i < d->cfg.n_sources; i++) {
		struct sl_source_cfg sc = d->cfg.live;
		sc.name = d->cfg.sources[i].name;
		sc.live = d->cfg.sources[i].live;
		sc.filter = d->cfg.filter;
		d->src[i] = sl_source_open(d->ctx, &sc, i, err, sizeof(err));
		if (!d->src[i]) {
			LOGP(DSLSRC, LOGL_ERROR, "%s\n", err);
			return -1;
		}
		d->n_src++;
		if (sc.live) {
			osmo_fd_setup(&d->ofd[i], sl_source_fd(d->src[i]), OSMO_FD_READ, live_read_cb, d, i);
			if (d->ofd[i].fd < 0 || osmo_fd_register(&d->ofd[i]) < 0) {
				LOGP(DSLSRC, LOGL_ERROR, "interface %s: no selectable descriptor\n", sc.name);
				return -1;
			}
		}
	}
	d->started_us = sl_now_us();
	if (!n_live) {
		osmo_timer_setup(&d->file_timer, file_timer_cb, d);
		osmo_timer_schedule(&d->file_timer, 0, 0);
	}
	osmo_timer_setup(&d->tick, tick_cb, d);
	osmo_timer_schedule(&d->tick, 1, 0);
	return 0;
}

void sl_daemon_stop(struct sl_daemon *d)
{
	unsigned i;

	osmo_timer_del(&d->file_timer);
	osmo_timer_del(&d->tick);
	for (i = 0; i < d->n_src; i++) {
		if (osmo_fd_is_registered(&d->ofd[i]))
			osmo_fd_unregister(&d->ofd[i]);
		sl_source_poll_stats(d->src[i]);
	}
	if (d->cap && !d->files_done)
		sl_capture_flush(d->cap);
	sl_ho_stop(&d->ho);
	sl_daemon_consent_stop(d->consent);
	d->consent = NULL;
	if (d->events) {
		fclose(d->events);
		d->events = NULL;
	}
	sl_capture_free(d->cap);
	d->cap = NULL;
	for (i = 0; i < d->n_src; i++)
		sl_source_close(d->src[i]);
	d->n_src = 0;
}
