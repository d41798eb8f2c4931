/*
 * `sluice extract`: run the capture pipeline over files or interfaces and
 * print its events.
 *
 * Files are merged in timestamp order and read as fast as the pipeline
 * goes; interfaces are polled together, and when none has traffic the
 * pipeline is advanced on the wall clock so calls and streams still time
 * out. Either way the run ends with sl_capture_flush, so every open call
 * and stream yields its final event, then the totals. SIGINT/SIGTERM end a
 * run the same way (a second signal exits at once).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "capture/capture.h"
#include "capture/log.h"
#include "capture/source.h"
#include "src/app_log.h"
#include "src/commands.h"
#include "render/event_render.h"
#include "src/extract_opts.h"
#include "render/json_out.h"
#include "src/progress.h"
#include "render/totals.h"

struct extract_run {
	const struct sl_extract_opts *o;
	FILE *out;
	struct sl_json j;
	bool write_failed;
	uint64_t printed;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	if (stop_requested)
		_exit(128 + sig);
	stop_requested = 1;
}

static void on_event(const struct sl_event *ev, void *priv)
{
	struct extract_run *r = priv;
	char line[2048];

	if (!r->o->types[ev->type] || r->write_failed)
		return;
	r->printed++;
	switch (r->o->format) {
	case SL_OUT_JSON:
		sl_json_reset(&r->j);
		sl_event_to_json(&r->j, ev);
		if (!sl_json_write_line(&r->j, r->out))
			r->write_failed = true;
		break;
	case SL_OUT_TEXT:
		sl_event_to_text(line, sizeof(line), ev);
		if (fputs(line, r->out) < 0 || fputc('\n', r->out) < 0)
			r->write_failed = true;
		break;
	case SL_OUT_NONE:
		break;
	}
}

static int open_sources(void *ctx, const struct sl_extract_opts *o, struct sl_source **src, unsigned *n)
{
	char err[512];
	unsigned i, count = o->n_files ? o->n_files : o->n_ifaces;

	*n = 0;
	for (i = 0; i < count; i++) {
		struct sl_source_cfg cfg = o->live;
		cfg.live = o->n_ifaces > 0;
		cfg.name = cfg.live ? o->ifaces[i] : o->files[i];
		src[i] = sl_source_open(ctx, &cfg, i, err, sizeof(err));
		if (!src[i]) {
			fprintf(stderr, "sluice extract: %s\n", err);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static bool frame_budget_done(const struct sl_extract_opts *o, uint64_t frames)
{
	return o->max_frames && frames >= o->max_frames;
}

static int run_files(struct sl_capture *cap, const struct sl_extract_opts *o, struct sl_source **src, unsigned n,
		     struct extract_run *r)
{
	struct sl_source_set set = { .src = src, .n = n };
	struct sl_progress prog;
	struct sl_source *from;
	struct sl_frame f;
	off_t total = 0;
	uint64_t frames = 0, bytes = 0;
	unsigned i;
	enum sl_source_rc rc;
	int status = 0;

	for (i = 0; i < n; i++)
		total += src[i]->file_size;
	sl_progress_init(&prog, o->progress);
	while (!stop_requested && !r->write_failed && !frame_budget_done(o, frames)) {
		rc = sl_source_set_next(&set, &f, &from);
		if (rc == SL_SOURCE_END)
			break;
		if (rc == SL_SOURCE_ERROR) {
			/* the other files go on: one damaged file must not hide the rest */
			fprintf(stderr, "sluice extract: %s\n", from->error);
			status = 1;
			continue;
		}
		sl_capture_frame(cap, &f);
		frames++;
		bytes += f.caplen;
		if (prog.enabled) {
			off_t pos = 0;
			for (i = 0; i < n; i++)
				pos += sl_source_position(src[i]);
			sl_progress_update(&prog, frames, bytes, pos, total);
		}
	}
	sl_progress_done(&prog);
	return status;
}

static int run_live(struct sl_capture *cap, const struct sl_extract_opts *o, struct sl_source **src, unsigned n,
		    struct extract_run *r)
{
	struct pollfd pfd[SL_EXTRACT_MAX_SOURCES];
	uint64_t start = sl_now_us(), last_stats = start, frames = 0, now;
	struct sl_frame f;
	unsigned i;
	enum sl_source_rc rc;
	int status = 0;
	bool any;

	for (i = 0; i < n; i++) {
		pfd[i].fd = sl_source_fd(src[i]);
		pfd[i].events = POLLIN;
	}
	while (!stop_requested && !r->write_failed && !frame_budget_done(o, frames)) {
		now = sl_now_us();
		if (o->duration_s > 0 && now - start >= (uint64_t)(o->duration_s * 1e6))
			break;
		any = false;
		for (i = 0; i < n && !frame_budget_done(o, frames); i++) {
			/* a bounded batch per source keeps one busy interface from starving the others */
			unsigned batch;
			for (batch = 0; batch < 256 && !frame_budget_done(o, frames); batch++) {
				rc = sl_source_read(src[i], &f);
				if (rc != SL_SOURCE_FRAME) {
					if (rc == SL_SOURCE_ERROR) {
						fprintf(stderr, "sluice extract: %s\n", src[i]->error);
						status = 1;
						stop_requested = 1;
					}
					break;
				}
				sl_capture_frame(cap, &f);
				frames++;
				any = true;
			}
		}
		if (now - last_stats >= 1000000) {
			for (i = 0; i < n; i++)
				sl_source_poll_stats(src[i]);
			last_stats = now;
		}
		if (!any) {
			/* idle: let timers run on wall time, then wait for traffic */
			sl_capture_advance(cap, sl_now_us());
			if (poll(pfd, n, 250) < 0 && errno != EINTR) {
				fprintf(stderr, "sluice extract: poll: %s\n", strerror(errno));
				status = 1;
				break;
			}
		}
	}
	for (i = 0; i < n; i++)
		sl_source_poll_stats(src[i]);
	return status;
}

int sl_cmd_extract(void *ctx, int argc, char **argv)
{
	struct sl_extract_opts o;
	struct extract_run r = { 0 };
	struct sl_capture_ops ops = { .event = on_event, .priv = &r };
	struct sl_source *src[SL_EXTRACT_MAX_SOURCES];
	struct sl_capture *cap;
	struct sl_totals_in tin;
	unsigned n_src = 0, i;
	uint64_t t0;
	int rc, status;

	rc = sl_extract_parse(&o, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (sl_app_log_init(ctx, true, o.log_level) < 0) {
		fputs("sluice extract: cannot initialise logging\n", stderr);
		return 1;
	}
	r.o = &o;
	r.out = stdout;
	if (o.out_path && !(r.out = fopen(o.out_path, "w"))) {
		fprintf(stderr, "sluice extract: cannot write %s: %s\n", o.out_path, strerror(errno));
		return 1;
	}
	sl_json_init(&r.j, ctx);

	if (open_sources(ctx, &o, src, &n_src) < 0) {
		status = 1;
		goto out;
	}
	for (i = 0; i < n_src; i++) {
		if (!sl_capture_linktype_supported(src[i]->linktype)) {
			fprintf(stderr, "sluice extract: %s: link type %s (%d) is not supported\n", src[i]->name,
				pcap_datalink_val_to_name(src[i]->linktype) ?: "unknown", src[i]->linktype);
			status = 1;
			goto out;
		}
	}
	cap = sl_capture_alloc(ctx, &o.cap, &ops, 0);
	if (!cap) {
		fputs("sluice extract: out of memory setting up the capture pipeline\n", stderr);
		status = 1;
		goto out;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = sl_now_us();
	if (o.n_files)
		status = run_files(cap, &o, src, n_src, &r);
	else
		status = run_live(cap, &o, src, n_src, &r);
	if (!r.write_failed)
		sl_capture_flush(cap);
	if (fflush(r.out) != 0 || r.write_failed) {
		fprintf(stderr, "sluice extract: writing events to %s failed: %s\n", o.out_path ?: "stdout",
			strerror(errno));
		status = 1;
	}

	tin = (struct sl_totals_in){ .cap = cap, .src = src, .n_src = n_src,
				     .elapsed_s = (double)(sl_now_us() - t0) / 1e6, .all_counters = o.counters };
	if (o.format == SL_OUT_NONE && !o.out_path)
		sl_print_totals(stdout, &tin);
	else if (o.stats)
		sl_print_totals(stderr, &tin);
	sl_capture_free(cap);
out:
	for (i = 0; i < n_src; i++)
		sl_source_close(src[i]);
	sl_json_free(&r.j);
	if (r.out && r.out != stdout)
		fclose(r.out);
	return status;
}
