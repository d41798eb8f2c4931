/*
 * VTY of sluiced: the `capture` configuration node and `show capture`.
 *
 * The config file is read once at start-up and the pipeline is built from
 * it; the capture node can be edited and written back from the VTY, but
 * sources and limits take effect at the next start (the pipeline's tables
 * are sized once, so memory stays bounded by what was configured).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "src/daemon.h"
#include "src/num_parse.h"
#include "src/progress.h"
#include "render/totals.h"

enum sl_vty_node { SL_CAPTURE_NODE = _LAST_OSMOVTY_NODE + 1 };

static struct sl_daemon *g_d;

/* A numeric VTY argument: the command grammar (<min-max>) already checked digits and range. */
static uint64_t arg_u64(const char *s)
{
	return strtoull(s, NULL, 10);
}

static struct cmd_node capture_node = { .node = SL_CAPTURE_NODE, .prompt = "%s(config-capture)# ", .vtysh = 1 };

DEFUN(cfg_capture, cfg_capture_cmd, "capture", "Configure packet capture and metadata extraction\n")
{
	vty->node = SL_CAPTURE_NODE;
	return CMD_SUCCESS;
}

static int add_source(struct vty *vty, const char *kind, const char *name)
{
	struct sl_daemon_cfg *c = &g_d->cfg;
	bool live = !strcmp(kind, "interface");
	unsigned i;

	for (i = 0; i < c->n_sources; i++)
		if (c->sources[i].live == live && !strcmp(c->sources[i].name, name))
			return CMD_SUCCESS;
	if (c->n_sources >= SL_DAEMON_MAX_SOURCES) {
		vty_out(vty, "%% too many sources (at most %d)%s", SL_DAEMON_MAX_SOURCES, VTY_NEWLINE);
		return CMD_WARNING;
	}
	c->sources[c->n_sources].name = talloc_strdup(g_d->ctx, name);
	c->sources[c->n_sources].live = live;
	c->n_sources++;
	return CMD_SUCCESS;
}

DEFUN(cfg_source, cfg_source_cmd, "source (interface|file) NAME",
      "Add a capture source\n" "Live network interface (mirror port)\n" "pcap or pcapng capture file\n"
      "Interface name or file path\n")
{
	return add_source(vty, argv[0], argv[1]);
}

DEFUN(cfg_no_source, cfg_no_source_cmd, "no source (interface|file) NAME",
      NO_STR "Remove a capture source\n" "Live network interface\n" "Capture file\n" "Interface name or file path\n")
{
	struct sl_daemon_cfg *c = &g_d->cfg;
	bool live = !strcmp(argv[0], "interface");
	unsigned i;

	for (i = 0; i < c->n_sources; i++) {
		if (c->sources[i].live != live || strcmp(c->sources[i].name, argv[1]))
			continue;
		talloc_free(c->sources[i].name);
		memmove(&c->sources[i], &c->sources[i + 1], (c->n_sources - i - 1) * sizeof(c->sources[0]));
		c->n_sources--;
		return CMD_SUCCESS;
	}
	vty_out(vty, "%% no such source%s", VTY_NEWLINE);
	return CMD_WARNING;
}

DEFUN(cfg_filter, cfg_filter_cmd, "filter .BPF", "Capture filter for every source\n" "pcap-filter(7) expression\n")
{
	talloc_free(g_d->cfg.filter);
	g_d->cfg.filter = argv_concat(argv, argc, 0);
	talloc_steal(g_d->ctx, g_d->cfg.filter);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_filter, cfg_no_filter_cmd, "no filter", NO_STR "Capture every frame\n")
{
	TALLOC_FREE(g_d->cfg.filter);
	return CMD_SUCCESS;
}

DEFUN(cfg_snaplen, cfg_snaplen_cmd, "snaplen <64-262144>", "Bytes kept per frame on live sources\n" "Bytes\n")
{
	g_d->cfg.live.snaplen = (int)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_promisc, cfg_promisc_cmd, "promiscuous", "Put live interfaces into promiscuous mode (default)\n")
{
	g_d->cfg.live.promisc = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_no_promisc, cfg_no_promisc_cmd, "no promiscuous", NO_STR "Do not use promiscuous mode\n")
{
	g_d->cfg.live.promisc = false;
	return CMD_SUCCESS;
}

DEFUN(cfg_buffer, cfg_buffer_cmd, "buffer-size <1-4096>", "Kernel capture buffer per live source\n" "Megabytes\n")
{
	g_d->cfg.live.buffer_mb = (int)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_sip_port, cfg_sip_port_cmd, "sip-port <1-65535>",
      "TCP port always treated as SIP (repeat for several; SIP elsewhere is found by content)\n" "Port\n")
{
	struct sl_capture_cfg *c = &g_d->cfg.cap;

	if (!g_d->cfg.sip_ports_set) {
		c->n_sip_ports = 0;
		g_d->cfg.sip_ports_set = true;
	}
	if (c->n_sip_ports >= SL_CAPTURE_MAX_SIP_PORTS) {
		vty_out(vty, "%% at most %d SIP ports%s", SL_CAPTURE_MAX_SIP_PORTS, VTY_NEWLINE);
		return CMD_WARNING;
	}
	c->sip_ports[c->n_sip_ports++] = (uint16_t)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

static int set_digits(struct vty *vty, char *dst, size_t len, const char *val)
{
	if (!sl_parse_digits(val, len - 1)) {
		vty_out(vty, "%% expected 1 to %zu digits: %s%s", len - 1, val, VTY_NEWLINE);
		return CMD_WARNING;
	}
	memcpy(dst, val, strlen(val) + 1);
	return CMD_SUCCESS;
}

DEFUN(cfg_cc, cfg_cc_cmd, "country-code DIGITS",
      "Country code for turning national numbers into E.164\n" "e.g. 49\n")
{
	return set_digits(vty, g_d->cfg.cap.numbering.country_code, sizeof(g_d->cfg.cap.numbering.country_code),
			  argv[0]);
}

DEFUN(cfg_natpfx, cfg_natpfx_cmd, "national-prefix DIGITS", "Trunk prefix of national numbers\n" "e.g. 0\n")
{
	return set_digits(vty, g_d->cfg.cap.numbering.national_prefix,
			  sizeof(g_d->cfg.cap.numbering.national_prefix), argv[0]);
}

DEFUN(cfg_intlpfx, cfg_intlpfx_cmd, "international-prefix DIGITS", "International call prefix\n" "e.g. 00\n")
{
	return set_digits(vty, g_d->cfg.cap.numbering.international_prefix,
			  sizeof(g_d->cfg.cap.numbering.international_prefix), argv[0]);
}

#define LIMIT_HELP "Limit of the capture pipeline (takes effect at the next start)\n"

DEFUN(cfg_max_flows, cfg_max_flows_cmd, "max-flows <16-100000000>", "TCP flows tracked\n" "Flows\n")
{
	g_d->cfg.cap.flows.max_flows = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_dialogs, cfg_max_dialogs_cmd, "max-dialogs <16-100000000>",
      "Calls, registrations and messages tracked at once\n" "Dialogs\n")
{
	g_d->cfg.cap.max_dialogs = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_rtp, cfg_max_rtp_cmd, "max-rtp-streams <16-100000000>", "RTP/RTCP streams tracked\n" "Streams\n")
{
	g_d->cfg.cap.max_rtp_streams = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_media, cfg_max_media_cmd, "max-media <16-100000000>", "SDP media endpoints indexed\n" "Endpoints\n")
{
	g_d->cfg.cap.max_media = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_frag, cfg_max_frag_cmd, "max-frag-bytes <65536-1000000000>", "IP fragment bytes held\n" "Bytes\n")
{
	g_d->cfg.cap.defrag.max_bytes = (size_t)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_frag_dgrams, cfg_max_frag_dgrams_cmd, "max-frag-datagrams <16-1000000>",
      "IP datagrams in reassembly at once\n" "Datagrams\n")
{
	g_d->cfg.cap.defrag.max_datagrams = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_stream, cfg_max_stream_cmd, "max-stream-bytes <65536-1000000000>",
      "SIP framing buffers of all TCP flows together\n" "Bytes\n")
{
	g_d->cfg.cap.max_stream_bytes = (size_t)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_max_tcp_ooo, cfg_max_tcp_ooo_cmd, "max-tcp-ooo-bytes <65536-1000000000>",
      "TCP out-of-order bytes held behind holes, all flows together\n" "Bytes\n")
{
	g_d->cfg.cap.tcp.max_total_bytes = (size_t)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_tcp_hole_to, cfg_tcp_hole_to_cmd, "tcp-hole-timeout <0-60000>",
      "Give up on a lost TCP segment after this much packet time\n"
      "Milliseconds (0: only the out-of-order limits end a hole)\n")
{
	g_d->cfg.cap.tcp.hole_timeout_us = arg_u64(argv[0]) * 1000;
	return CMD_SUCCESS;
}

static int set_seconds(uint64_t *dst, const char *val)
{
	*dst = arg_u64(val) * 1000000;
	return CMD_SUCCESS;
}

DEFUN(cfg_invite_to, cfg_invite_to_cmd, "invite-timeout <1-86400>", "INVITE without final response\n" "Seconds\n")
{
	return set_seconds(&g_d->cfg.cap.invite_timeout_us, argv[0]);
}

DEFUN(cfg_session_to, cfg_session_to_cmd, "session-timeout <1-2592000>", "Answered call without BYE\n" "Seconds\n")
{
	return set_seconds(&g_d->cfg.cap.session_timeout_us, argv[0]);
}

DEFUN(cfg_max_ue, cfg_max_ue_cmd, "max-ue-sessions <16-100000000>",
      "GTPv2-C sessions in the UE binding table (UE address to subscriber and cell)\n" "Sessions\n")
{
	g_d->cfg.cap.max_ue_sessions = (unsigned)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ue_idle, cfg_ue_idle_cmd, "ue-idle-timeout <1-2592000>",
      "Forget a GTPv2-C session after this long without a message of it\n" "Seconds\n")
{
	return set_seconds(&g_d->cfg.cap.ue_idle_us, argv[0]);
}

DEFUN(cfg_rtp_idle, cfg_rtp_idle_cmd, "rtp-idle <1-86400>", "An RTP stream silent this long has ended\n" "Seconds\n")
{
	return set_seconds(&g_d->cfg.cap.rtp_idle_us, argv[0]);
}

DEFUN(cfg_replay_speed, cfg_replay_speed_cmd, "replay-speed (max|<1-1000>)",
      "How fast capture files are read\n" "As fast as possible (default)\n"
      "Times capture speed: 1 replays a file in its own time (tests, demonstrations)\n")
{
	g_d->cfg.replay_speed = !strcmp(argv[0], "max") ? 0 : (double)arg_u64(argv[0]);
	return CMD_SUCCESS;
}

/* the events carry targets' identities: a console session must not append them wherever it likes */
#define EVENTS_FILE_WHY "the events file is read from the configuration file at start only"

DEFUN(cfg_events_file, cfg_events_file_cmd, "events-file PATH",
      "Append every event as a JSON line (docs/events.md) to a file; read from the configuration file only\n"
      "File path\n")
{
	if (!sl_vty_file_only_why(vty, "events-file", EVENTS_FILE_WHY))
		return CMD_WARNING;
	talloc_free(g_d->cfg.events_path);
	g_d->cfg.events_path = talloc_strdup(g_d->ctx, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_events_file, cfg_no_events_file_cmd, "no events-file", NO_STR "Write no events file\n")
{
	if (!sl_vty_file_only_why(vty, "no events-file", EVENTS_FILE_WHY))
		return CMD_WARNING;
	TALLOC_FREE(g_d->cfg.events_path);
	return CMD_SUCCESS;
}

static int config_write_capture(struct vty *vty)
{
	const struct sl_daemon_cfg *c = &g_d->cfg;
	const struct sl_capture_cfg *cc = &c->cap;
	unsigned i;

	sl_daemon_vty_guard_write(vty); /* top level, before this node */
	vty_out(vty, "capture%s", VTY_NEWLINE);
	for (i = 0; i < c->n_sources; i++)
		vty_out(vty, " source %s %s%s", c->sources[i].live ? "interface" : "file", c->sources[i].name,
			VTY_NEWLINE);
	if (c->filter)
		vty_out(vty, " filter %s%s", c->filter, VTY_NEWLINE);
	vty_out(vty, " snaplen %d%s", c->live.snaplen, VTY_NEWLINE);
	vty_out(vty, " %spromiscuous%s", c->live.promisc ? "" : "no ", VTY_NEWLINE);
	vty_out(vty, " buffer-size %d%s", c->live.buffer_mb, VTY_NEWLINE);
	for (i = 0; i < cc->n_sip_ports; i++)
		vty_out(vty, " sip-port %u%s", cc->sip_ports[i], VTY_NEWLINE);
	if (cc->numbering.country_code[0])
		vty_out(vty, " country-code %s%s", cc->numbering.country_code, VTY_NEWLINE);
	if (cc->numbering.national_prefix[0])
		vty_out(vty, " national-prefix %s%s", cc->numbering.national_prefix, VTY_NEWLINE);
	if (cc->numbering.international_prefix[0])
		vty_out(vty, " international-prefix %s%s", cc->numbering.international_prefix, VTY_NEWLINE);
	vty_out(vty, " max-flows %u%s", cc->flows.max_flows, VTY_NEWLINE);
	vty_out(vty, " max-dialogs %u%s", cc->max_dialogs, VTY_NEWLINE);
	vty_out(vty, " max-rtp-streams %u%s", cc->max_rtp_streams, VTY_NEWLINE);
	vty_out(vty, " max-media %u%s", cc->max_media, VTY_NEWLINE);
	vty_out(vty, " max-frag-bytes %zu%s", cc->defrag.max_bytes, VTY_NEWLINE);
	vty_out(vty, " max-frag-datagrams %u%s", cc->defrag.max_datagrams, VTY_NEWLINE);
	vty_out(vty, " max-stream-bytes %zu%s", cc->max_stream_bytes, VTY_NEWLINE);
	vty_out(vty, " max-tcp-ooo-bytes %zu%s", cc->tcp.max_total_bytes, VTY_NEWLINE);
	vty_out(vty, " tcp-hole-timeout %" PRIu64 "%s", cc->tcp.hole_timeout_us / 1000, VTY_NEWLINE);
	vty_out(vty, " invite-timeout %" PRIu64 "%s", cc->invite_timeout_us / 1000000, VTY_NEWLINE);
	vty_out(vty, " session-timeout %" PRIu64 "%s", cc->session_timeout_us / 1000000, VTY_NEWLINE);
	vty_out(vty, " max-ue-sessions %u%s", cc->max_ue_sessions, VTY_NEWLINE);
	vty_out(vty, " ue-idle-timeout %" PRIu64 "%s", cc->ue_idle_us / 1000000, VTY_NEWLINE);
	vty_out(vty, " rtp-idle %" PRIu64 "%s", cc->rtp_idle_us / 1000000, VTY_NEWLINE);
	if (c->replay_speed > 0)
		vty_out(vty, " replay-speed %.0f%s", c->replay_speed, VTY_NEWLINE);
	if (c->events_path)
		vty_out(vty, " events-file %s%s", c->events_path, VTY_NEWLINE);
	return CMD_SUCCESS;
}

/* Print a text block produced by a FILE* printer, line by line with VTY newlines. */
static void vty_out_block(struct vty *vty, const char *buf)
{
	const char *p = buf, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl) {
			vty_out(vty, "%s%s", p, VTY_NEWLINE);
			return;
		}
		vty_out(vty, "%.*s%s", (int)(nl - p), p, VTY_NEWLINE);
		p = nl + 1;
	}
}

static void show_limit(struct vty *vty, const char *what, uint64_t used, uint64_t limit, const char *option)
{
	vty_out(vty, "  %-26s %12" PRIu64 " / %-12" PRIu64 " (%s)%s", what, used, limit, option, VTY_NEWLINE);
}

DEFUN(show_capture, show_capture_cmd, "show capture",
      SHOW_STR "Capture sources, every memory limit beside its fill, totals and counters, handover counters\n")
{
	struct sl_daemon *d = g_d;
	const struct sl_capture_cfg *c = &d->cfg.cap;
	struct sl_capture_usage u;
	struct sl_totals_in tin;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	unsigned i;

	if (!d->cap) {
		vty_out(vty, "capture not running%s", VTY_NEWLINE);
		return CMD_SUCCESS;
	}
	for (i = 0; i < d->n_src; i++)
		vty_out(vty, "source %u: %s %s, %" PRIu64 " frames%s%s", i, d->src[i]->live ? "interface" : "file",
			d->src[i]->name, d->src[i]->frames, d->src[i]->eof ? ", finished" : "", VTY_NEWLINE);
	if (d->n_src && !d->src[0]->live)
		vty_out(vty, "files: %s%s", d->files_done ? "all read" : "reading", VTY_NEWLINE);
	sl_capture_usage(d->cap, &u);
	/* every cap that bounds memory beside its fill (docs/operating.md, "Limits and the memory they imply") */
	vty_out(vty, "limits (in use / limit, the option that sets it):%s", VTY_NEWLINE);
	show_limit(vty, "flows", u.flows, c->flows.max_flows, "max-flows");
	show_limit(vty, "dialogs", u.dialogs, c->max_dialogs, "max-dialogs: calls, registrations, messages");
	show_limit(vty, "media endpoints", u.media, c->max_media, "max-media");
	show_limit(vty, "rtp streams", u.rtp_streams, c->max_rtp_streams, "max-rtp-streams");
	show_limit(vty, "fragment datagrams", u.frag_datagrams, c->defrag.max_datagrams, "max-frag-datagrams");
	show_limit(vty, "fragment bytes", u.frag_bytes, c->defrag.max_bytes, "max-frag-bytes");
	show_limit(vty, "tcp out-of-order bytes", u.tcp_ooo_bytes, c->tcp.max_total_bytes, "max-tcp-ooo-bytes");
	show_limit(vty, "sip framing bytes", u.stream_bytes, c->max_stream_bytes, "max-stream-bytes");
	show_limit(vty, "ue sessions", u.ue_sessions, c->max_ue_sessions, "max-ue-sessions");
	/* spools and links are named after destinations: not for view sessions (daemon_vty_guard.c) */
	if (vty->node != VIEW_NODE)
		sl_ho_show_limits(vty, &d->ho);
	vty_out(vty, "events written: %" PRIu64 "%s%s", d->events_written,
		d->events_failed ? " (WRITE ERRORS)" : "", VTY_NEWLINE);

	mem = open_memstream(&buf, &len);
	if (!mem)
		return CMD_WARNING;
	tin = (struct sl_totals_in){ .cap = d->cap, .src = d->src, .n_src = d->n_src,
				     .elapsed_s = (double)(sl_now_us() - d->started_us) / 1e6, .all_counters = true };
	sl_print_totals(mem, &tin);
	fclose(mem);
	vty_out_block(vty, buf);
	free(buf);
	if (vty->node == VIEW_NODE && d->ho.out)
		vty_out(vty, "handover limits and counters: 'enable' first (they name destinations)%s", VTY_NEWLINE);
	else
		sl_ho_show_counters(vty, &d->ho); /* or, without lawful delivery, that it is not configured */
	return CMD_SUCCESS;
}

void sl_daemon_vty_init(struct sl_daemon *d)
{
	g_d = d;
	install_element_ve(&show_capture_cmd);
	install_element(CONFIG_NODE, &cfg_capture_cmd);
	install_node(&capture_node, config_write_capture);
	install_element(SL_CAPTURE_NODE, &cfg_source_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_no_source_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_filter_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_no_filter_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_snaplen_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_promisc_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_no_promisc_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_buffer_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_sip_port_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_cc_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_natpfx_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_intlpfx_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_flows_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_dialogs_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_rtp_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_media_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_frag_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_frag_dgrams_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_stream_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_tcp_ooo_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_tcp_hole_to_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_invite_to_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_session_to_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_max_ue_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_ue_idle_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_rtp_idle_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_events_file_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_replay_speed_cmd);
	install_element(SL_CAPTURE_NODE, &cfg_no_events_file_cmd);
	sl_audit_vty_wrap(&capture_node);
}
