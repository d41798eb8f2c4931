/*
 * Metrics and health over HTTP: what an operator alerts on, for
 * Prometheus (GET /metrics, text format 0.0.4) and for load balancers and
 * `sluice status` (GET /health: 200 "ok", or 503 with one line per
 * problem). Served by libmicrohttpd driven from the daemon's own select
 * loop (its epoll descriptor is one osmo_fd; MHD_run() when it is
 * readable and on MHD's timeout), so a scrape reads the counters from the
 * same thread that changes them: no locks, no torn values (src/app_mhd.c).
 *
 * /metrics holds every rate counter and stat item of the process (the
 * same ones `show stats` and statsd reporters see), named
 * sluice_<group>_<counter>_total with the group's index and name as
 * labels, plus the gauges computed here: per destination stream the
 * records and bytes queued, the age of the oldest undelivered record, the
 * link state and how long it has been in it, the spool's fill against its
 * cap; the capture tables' fill against their limits. Names never carry
 * paths or destination names: those are label values. The same gauges are
 * stat items for libosmocore's reporters (daemon_stats.c), updated from
 * sl_daemon_metrics_tick(); /metrics keeps its own families for them.
 *
 * The `metrics` node: http-listen ADDR PORT, health link-down-seconds N,
 * health spool-alarm-percent P.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/stat_item.h>
#include <osmocom/core/timer.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "capture/log.h"
#include "handover/link.h"
#include "handover/spool.h"
#include "mediation/audit/audit.h"
#include "render/prom_text.h"
#include "src/app_mhd.h"
#include "src/daemon.h"

enum { SL_METRICS_NODE = SL_AUTHORITY_NODE + 2 };

static struct sl_daemon *g_d;
static struct sl_app_mhd g_http;

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- link state history (for "down since" and the health check) ---------- */

/*
 * The spool alarm: raised once when a destination stream's spool passes
 * `health spool-alarm-percent` of its cap, cleared once when it falls back
 * below, each time logged at ERROR (NOTICE when cleared) and recorded as
 * delivery.alarm in the audit log, so the operator hears of a receiver
 * that is not taking its records before anything is refused.
 */
static void spool_alarm(struct sl_daemon *d, unsigned i, unsigned s)
{
	static const char *const streams[2] = { "hi2", "hi3" };
	struct sl_spool_stats ss;
	uint64_t cap = (uint64_t)d->cfg.ho.spool_max_mb << 20, pct;
	bool raised;

	if (!d->ho.dest[i].spool[s] || !cap)
		return;
	sl_spool_get_stats(d->ho.dest[i].spool[s], &ss);
	pct = ss.disk_bytes * 100 / cap;
	raised = pct >= d->cfg.metrics.spool_alarm_pct;
	if (raised == d->spool_alarm[i][s])
		return;
	d->spool_alarm[i][s] = raised;
	LOGP(DSLSRC, raised ? LOGL_ERROR : LOGL_NOTICE,
	     "handover: destination %s %s: spool %s alarm level (%" PRIu64 "%% of %u MiB, alarm at %u%%), %" PRIu64
	     " records queued\n",
	     d->ho.dest[i].cfg->name, streams[s], raised ? "above its" : "back below its", pct, d->cfg.ho.spool_max_mb,
	     d->cfg.metrics.spool_alarm_pct, ss.queued_records);
	if (d->audit) {
		struct sl_audit_actor sys = { .type = "system", .id = "handover" };
		json_t *f = json_pack("{s:s,s:s,s:s,s:I,s:I}", "destination", d->ho.dest[i].cfg->name, "stream",
				      streams[s], "state", raised ? "raised" : "cleared", "fill_percent", (json_int_t)pct,
				      "queued", (json_int_t)ss.queued_records);

		if (f)
			sl_audit_append(d->audit, "delivery.alarm", &sys, f, 0);
		json_decref(f);
	}
}

void sl_daemon_metrics_tick(struct sl_daemon *d)
{
	int64_t now = wall_us();
	unsigned i, s;

	for (i = 0; i < d->ho.n_dest; i++)
		for (s = 0; s < 2; s++) {
			struct sl_link *l = d->ho.dest[i].link[s];
			enum sl_link_state st;
			uint64_t connects;

			if (!l)
				continue;
			st = sl_link_state(l);
			if (!d->link_since_us[i][s] || (int)st != d->link_last[i][s]) {
				d->link_last[i][s] = (int)st;
				d->link_since_us[i][s] = now;
			}
			connects = rate_ctr_group_get_ctr(sl_link_ctrs(l), SL_LINK_CTR_CONNECTS)->current;
			if (!d->link_up_seen_us[i][s] || st == SL_LINK_UP || connects != d->link_connects[i][s])
				d->link_up_seen_us[i][s] = now;
			d->link_connects[i][s] = connects;
			spool_alarm(d, i, s);
		}
	sl_daemon_stats_update(d, now);
}

/* ---- /metrics -------------------------------------------------------------- */

/*
 * Counter and stat item groups come in instances (one per source, link,
 * spool...). The text format wants each family's HELP and TYPE once, with
 * all its samples after it: so the groups are collected first and each
 * family is written across every instance of its group description.
 */
#define MAX_GROUPS 1024

struct groups {
	void *g[MAX_GROUPS];
	unsigned n;
};

static int collect_ctr_group(struct rate_ctr_group *grp, void *data)
{
	struct groups *gs = data;

	if (gs->n < MAX_GROUPS)
		gs->g[gs->n++] = grp;
	return 0;
}

static int collect_item_group(struct osmo_stat_item_group *grp, void *data)
{
	struct groups *gs = data;

	if (gs->n < MAX_GROUPS)
		gs->g[gs->n++] = grp;
	return 0;
}

static void put_counters(FILE *f)
{
	struct groups *gs = calloc(1, sizeof(*gs));
	unsigned i, j, k;

	if (!gs)
		return;
	rate_ctr_for_each_group(collect_ctr_group, gs);
	for (i = 0; i < gs->n; i++) {
		const struct rate_ctr_group_desc *desc = ((struct rate_ctr_group *)gs->g[i])->desc;
		bool first = true;

		for (j = 0; j < i && first; j++)
			first = ((struct rate_ctr_group *)gs->g[j])->desc != desc;
		if (!first)
			continue; /* this description's families were written with its first instance */
		for (k = 0; k < desc->num_ctr; k++) {
			char base[160], name[168];

			sl_prom_name(base, sizeof(base), "sluice", desc->group_name_prefix, desc->ctr_desc[k].name);
			snprintf(name, sizeof(name), "%s_total", base);
			sl_prom_family(f, name, "counter", desc->ctr_desc[k].description);
			for (j = i; j < gs->n; j++) {
				struct rate_ctr_group *g = gs->g[j];
				char idx[16];
				const char *labels[] = { "index", idx, "name", g->name ? g->name : "", NULL };

				if (g->desc != desc)
					continue;
				snprintf(idx, sizeof(idx), "%u", g->idx);
				sl_prom_sample_u64(f, name, labels, rate_ctr_group_get_ctr(g, k)->current);
			}
		}
	}
	free(gs);
}

static void put_stat_items(FILE *f)
{
	struct groups *gs = calloc(1, sizeof(*gs));
	unsigned i, j, k;

	if (!gs)
		return;
	osmo_stat_item_for_each_group(collect_item_group, gs);
	for (i = 0; i < gs->n; i++) {
		const struct osmo_stat_item_group_desc *desc = ((struct osmo_stat_item_group *)gs->g[i])->desc;
		bool first = !sl_daemon_stats_own(desc); /* those have their own families here (put_links, put_capture) */

		for (j = 0; j < i && first; j++)
			first = ((struct osmo_stat_item_group *)gs->g[j])->desc != desc;
		if (!first)
			continue;
		for (k = 0; k < desc->num_items; k++) {
			char name[160];

			sl_prom_name(name, sizeof(name), "sluice", desc->group_name_prefix, desc->item_desc[k].name);
			sl_prom_family(f, name, "gauge", desc->item_desc[k].description);
			for (j = i; j < gs->n; j++) {
				struct osmo_stat_item_group *g = gs->g[j];
				char idx[16];
				const char *labels[] = { "index", idx, "name", g->name ? g->name : "", NULL };

				if (g->desc != desc)
					continue;
				snprintf(idx, sizeof(idx), "%u", g->idx);
				sl_prom_sample(f, name, labels, (double)osmo_stat_item_get_last(osmo_stat_item_group_get_item(g, k)));
			}
		}
	}
	free(gs);
}

static void put_links(FILE *f, struct sl_daemon *d, int64_t now)
{
	static const char *const streams[2] = { "hi2", "hi3" };
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "sluice_delivery_queued_records", "records spooled and not yet delivered" },
		{ "sluice_delivery_queued_bytes", "payload bytes spooled and not yet delivered" },
		{ "sluice_delivery_oldest_undelivered_seconds", "age of the oldest undelivered record (0: none)" },
		{ "sluice_delivery_link_up", "1 while the link to the receiver is up" },
		{ "sluice_delivery_link_state_seconds", "time since the link entered its current state" },
		{ "sluice_delivery_spool_fill_ratio", "spool bytes on disk over the spool cap (spool-max-mb)" },
	};
	unsigned k, i, s;

	sl_daemon_metrics_tick(d);
	for (k = 0; k < ARRAY_SIZE(fam); k++) {
		sl_prom_family(f, fam[k].name, "gauge", fam[k].help);
		for (i = 0; i < d->ho.n_dest; i++)
			for (s = 0; s < 2; s++) {
				struct sl_link *l = d->ho.dest[i].link[s];
				struct sl_spool *sp = d->ho.dest[i].spool[s];
				const char *labels[] = { "destination", d->ho.dest[i].cfg->name, "stream", streams[s],
							 "state", "", NULL };
				struct sl_link_status st;
				struct sl_spool_stats ss;
				double v = 0;

				if (!l || !sp)
					continue;
				sl_link_get_status(l, &st);
				sl_spool_get_stats(sp, &ss);
				if (k != 4)
					labels[4] = NULL; /* the state label only on the state family */
				else
					labels[5] = get_value_string(sl_link_state_names, st.state);
				switch (k) {
				case 0: v = (double)st.queued_records; break;
				case 1: v = (double)st.queued_bytes; break;
				case 2: v = st.oldest_age_ms > 0 ? st.oldest_age_ms / 1000.0 : 0; break;
				case 3: v = st.state == SL_LINK_UP; break;
				case 4: v = (now - d->link_since_us[i][s]) / 1e6; break;
				case 5:
					v = d->cfg.ho.spool_max_mb ?
						    (double)ss.disk_bytes / ((double)d->cfg.ho.spool_max_mb * 1048576.0) :
						    0;
					break;
				}
				sl_prom_sample(f, fam[k].name, labels, v);
			}
	}
}

/* Refused records per destination stream: each a gap the receiver sees (delivery.refused in the audit log). */
static void put_refusals(FILE *f, struct sl_daemon *d)
{
	static const char *const streams[2] = { "hi2", "hi3" };
	unsigned i, s, k;

	sl_prom_family(f, "sluice_delivery_refused_records_total", "counter",
		       "records refused (spool full, or content shed to keep IRI's space): gaps the receiver sees");
	for (k = 0; k < 2; k++)
		for (i = 0; i < d->ho.n_dest; i++)
			for (s = 0; s < 2; s++) {
				const struct sl_ho_dest_rt *dr = &d->ho.dest[i];
				const char *labels[] = { "destination", dr->cfg->name, "stream", streams[s], "reason",
							 k ? "content-shed" : "spool-full", NULL };

				if (!dr->spool[s])
					continue;
				sl_prom_sample_u64(f, "sluice_delivery_refused_records_total", labels,
						   k ? dr->shed[s] : dr->refused[s] - dr->shed[s]);
			}
	sl_prom_family(f, "sluice_delivery_content_shed", "gauge",
		       "1 while the state directory is below spool-reserve-mb and content is shed");
	sl_prom_sample(f, "sluice_delivery_content_shed", NULL, d->ho.disk_short);
}

static void put_capture(FILE *f, struct sl_daemon *d)
{
	struct sl_capture_usage u;
	const struct sl_capture_cfg *c = &d->cfg.cap;
	struct {
		const char *table;
		double used, limit;
	} t[7];
	unsigned i;

	if (!d->cap)
		return;
	sl_capture_usage(d->cap, &u);
	t[0] = (typeof(t[0])){ "flows", u.flows, c->flows.max_flows };
	t[1] = (typeof(t[0])){ "dialogs", u.dialogs, c->max_dialogs };
	t[2] = (typeof(t[0])){ "media", u.media, c->max_media };
	t[3] = (typeof(t[0])){ "rtp_streams", u.rtp_streams, c->max_rtp_streams };
	t[4] = (typeof(t[0])){ "frag_bytes", (double)u.frag_bytes, (double)c->defrag.max_bytes };
	t[5] = (typeof(t[0])){ "stream_bytes", (double)u.stream_bytes, (double)c->max_stream_bytes };
	t[6] = (typeof(t[0])){ "ue_sessions", u.ue_sessions, c->max_ue_sessions };
	sl_prom_family(f, "sluice_capture_table_used", "gauge", "entries (or bytes) in use in a bounded capture table");
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		const char *labels[] = { "table", t[i].table, NULL };

		sl_prom_sample(f, "sluice_capture_table_used", labels, t[i].used);
	}
	sl_prom_family(f, "sluice_capture_table_limit", "gauge", "the table's configured limit");
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		const char *labels[] = { "table", t[i].table, NULL };

		sl_prom_sample(f, "sluice_capture_table_limit", labels, t[i].limit);
	}
}

static char *render_metrics(struct sl_daemon *d, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	sl_prom_family(f, "sluice_up", "gauge", "1 while sluiced runs");
	sl_prom_sample(f, "sluice_up", NULL, 1);
	sl_prom_family(f, "sluice_start_time_seconds", "gauge", "when capture started (UNIX time)");
	sl_prom_sample(f, "sluice_start_time_seconds", NULL, d->started_us / 1e6);
	put_links(f, d, wall_us());
	put_refusals(f, d);
	put_capture(f, d);
	put_counters(f);
	put_stat_items(f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- /health ----------------------------------------------------------------- */

/* Problems, one per line; an empty string when healthy. */
static char *render_health(struct sl_daemon *d, size_t *len)
{
	static const char *const streams[2] = { "hi2", "hi3" };
	const struct sl_daemon_metrics_cfg *m = &d->cfg.metrics;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int64_t now = wall_us();
	unsigned i, s;

	if (!f)
		return NULL;
	sl_daemon_metrics_tick(d);
	if (!d->cap)
		fputs("capture is not running\n", f);
	for (i = 0; i < d->ho.n_dest; i++)
		for (s = 0; s < 2; s++) {
			struct sl_link *l = d->ho.dest[i].link[s];
			struct sl_spool *sp = d->ho.dest[i].spool[s];
			struct sl_link_status st;
			struct sl_spool_stats ss;
			int64_t down;

			if (!l || !sp)
				continue;
			sl_link_get_status(l, &st);
			sl_spool_get_stats(sp, &ss);
			down = (now - d->link_up_seen_us[i][s]) / 1000000;
			if (st.state != SL_LINK_UP && down >= (int64_t)m->link_down_s)
				fprintf(f, "destination %s %s: %s, not up for %" PRId64 " s, %" PRIu64 " records queued%s%s\n",
					d->ho.dest[i].cfg->name, streams[s], get_value_string(sl_link_state_names, st.state),
					down, st.queued_records, st.last_error[0] ? "; last error: " : "", st.last_error);
			if (d->cfg.ho.spool_max_mb &&
			    ss.disk_bytes * 100 >= (uint64_t)m->spool_alarm_pct * ((uint64_t)d->cfg.ho.spool_max_mb << 20))
				fprintf(f, "destination %s %s: spool at %" PRIu64 "%% of its cap (alarm at %u%%)%s\n",
					d->ho.dest[i].cfg->name, streams[s],
					ss.disk_bytes * 100 / ((uint64_t)d->cfg.ho.spool_max_mb << 20), m->spool_alarm_pct,
					ss.full ? ", full: records are being refused" : "");
		}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- HTTP ---------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned code, const char *text)
{
	char *b = strdup(text);

	return b ? reply(c, code, b, strlen(b), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	struct sl_daemon *d = cls;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (*upload_len)
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	(void)con_cls;
	if (!strcmp(url, "/metrics")) {
		body = render_metrics(d, &len);
		return body ? reply(c, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8") :
			      reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	if (!strcmp(url, "/health")) {
		body = render_health(d, &len);
		if (!body)
			return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		if (!len) {
			free(body);
			return reply_text(c, MHD_HTTP_OK, "ok\n");
		}
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, body, len, "text/plain; charset=utf-8");
	}
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: /metrics and /health exist\n");
}

int sl_daemon_metrics_start(struct sl_daemon *d)
{
	const struct sl_daemon_metrics_cfg *m = &d->cfg.metrics;
	struct sockaddr_storage ss;
	struct MHD_Daemon *mhd;
	const char *why;

	if (!m->addr)
		return 0;
	if (sl_app_mhd_addr(m->addr, m->port, &ss) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "metrics: http-listen %s: not an IPv4 or IPv6 address\n", m->addr);
		return -1;
	}
	mhd = MHD_start_daemon(MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), m->port, NULL, NULL,
			       on_request, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			       MHD_OPTION_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
			       MHD_OPTION_END);
	if (!mhd) {
		LOGP(DSLSRC, LOGL_ERROR, "metrics: cannot listen on %s port %u: %s\n", m->addr, m->port,
		     strerror(errno));
		return -1;
	}
	if (sl_app_mhd_attach(&g_http, mhd, &why) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "metrics: %s\n", why);
		return -1;
	}
	LOGP(DSLSRC, LOGL_NOTICE, "metrics: http://%s:%u/metrics and /health\n", m->addr, m->port);
	return 0;
}

void sl_daemon_metrics_stop(void)
{
	sl_daemon_stats_free();
	sl_app_mhd_detach(&g_http);
}

/* ---- the `metrics` node ------------------------------------------------------------ */

static struct cmd_node metrics_node = { .node = SL_METRICS_NODE, .prompt = "%s(config-metrics)# ", .vtysh = 1 };

DEFUN(cfg_metrics, cfg_metrics_cmd, "metrics", "Configure the metrics and health HTTP endpoint\n")
{
	vty->node = SL_METRICS_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_metrics_listen, cfg_metrics_listen_cmd, "http-listen ADDR <1-65535>",
      "Serve /metrics (Prometheus) and /health over HTTP\n" "Address (127.0.0.1: loopback only)\n" "Port\n")
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, argv[0], &a4) != 1 && inet_pton(AF_INET6, argv[0], &a6) != 1) {
		vty_out(vty, "%% http-listen: '%s' is not an IPv4 or IPv6 address%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	osmo_talloc_replace_string(g_d->ctx, &g_d->cfg.metrics.addr, argv[0]);
	g_d->cfg.metrics.port = (uint16_t)strtoul(argv[1], NULL, 10) /* the VTY checked the range */;
	return CMD_SUCCESS;
}

DEFUN(cfg_metrics_no_listen, cfg_metrics_no_listen_cmd, "no http-listen", NO_STR "No HTTP endpoint\n")
{
	TALLOC_FREE(g_d->cfg.metrics.addr);
	return CMD_SUCCESS;
}

DEFUN(cfg_metrics_down, cfg_metrics_down_cmd, "health link-down-seconds <1-86400>",
      "Health check\n" "Unhealthy once a destination link has not been up for this long\n" "Seconds\n")
{
	g_d->cfg.metrics.link_down_s = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_metrics_spool, cfg_metrics_spool_cmd, "health spool-alarm-percent <1-100>",
      "Health check\n" "Unhealthy once a spool holds this share of its cap (spool-max-mb)\n" "Percent\n")
{
	g_d->cfg.metrics.spool_alarm_pct = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

static int write_metrics(struct vty *vty)
{
	const struct sl_daemon_metrics_cfg *m = &g_d->cfg.metrics;

	vty_out(vty, "metrics%s", VTY_NEWLINE);
	if (m->addr)
		vty_out(vty, " http-listen %s %u%s", m->addr, m->port, VTY_NEWLINE);
	vty_out(vty, " health link-down-seconds %u%s", m->link_down_s, VTY_NEWLINE);
	vty_out(vty, " health spool-alarm-percent %u%s", m->spool_alarm_pct, VTY_NEWLINE);
	return CMD_SUCCESS;
}

void sl_daemon_metrics_vty_init(struct sl_daemon *d)
{
	g_d = d;
	d->cfg.metrics.link_down_s = 60;
	d->cfg.metrics.spool_alarm_pct = 80;
	install_element(CONFIG_NODE, &cfg_metrics_cmd);
	install_node(&metrics_node, write_metrics);
	install_element(SL_METRICS_NODE, &cfg_metrics_listen_cmd);
	install_element(SL_METRICS_NODE, &cfg_metrics_no_listen_cmd);
	install_element(SL_METRICS_NODE, &cfg_metrics_down_cmd);
	install_element(SL_METRICS_NODE, &cfg_metrics_spool_cmd);
	sl_audit_vty_wrap(&metrics_node);
}
