/*
 * The sluiced daemon's state: its configuration (built by the VTY from the
 * config file) and the running capture pipeline with its sources.
 *
 * One process, one osmocom select loop: live sources are osmo_fds, files
 * are read in bounded batches from a zero-delay timer so the VTY stays
 * responsive while a large file is replayed, and a periodic timer advances
 * the pipeline on wall time and reads the kernel drop counters.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "capture/capture.h"
#include "capture/source.h"
#include "src/daemon_consent.h"
#include "src/daemon_ho.h"
#include "render/json_out.h"

#define SL_DAEMON_MAX_SOURCES 32
#define SL_DAEMON_VTY_PORT 4291

struct sl_daemon_source_cfg {
	char *name;
	bool live;
};

/* The `audit` node. */
struct sl_daemon_audit_cfg {
	char *dir, *key, *origin, *sink_dir, *sink_cmd;
	unsigned checkpoint_records, checkpoint_s, commit_window_ms;
	bool commit_window_set;
};

/* The `metrics` node (daemon_metrics.c). */
struct sl_daemon_metrics_cfg {
	char *addr;			/* http-listen; NULL: no endpoint */
	uint16_t port;
	unsigned link_down_s;		/* health: a link not up this long is a problem */
	unsigned spool_alarm_pct;	/* health: a spool this full is a problem */
};

struct sl_daemon_cfg {
	struct sl_daemon_source_cfg sources[SL_DAEMON_MAX_SOURCES];
	unsigned n_sources;
	struct sl_source_cfg live;	/* snaplen, promisc, buffer; filter below */
	char *filter;
	struct sl_capture_cfg cap;
	bool sip_ports_set;
	char *events_path;		/* JSON lines of every event, NULL: none */
	struct sl_ho_cfg ho;		/* handover destinations and interceptions */
	struct sl_daemon_audit_cfg audit;
	struct sl_daemon_metrics_cfg metrics;
	double replay_speed;		/* files: 0 as fast as possible, else capture time / speed */
	struct sl_daemon_consent_cfg consent;	/* the consented-data path (daemon_consent.h) */
};

struct sl_daemon {
	void *ctx;
	struct sl_daemon_cfg cfg;

	struct sl_capture *cap;
	struct sl_source *src[SL_DAEMON_MAX_SOURCES];
	struct osmo_fd ofd[SL_DAEMON_MAX_SOURCES];
	unsigned n_src;
	bool files_done;
	struct osmo_timer_list file_timer;	/* replays files in batches */
	struct osmo_timer_list tick;		/* wall-clock timers, drop counters */

	FILE *events;
	struct sl_json json;
	uint64_t events_written, events_failed;
	uint64_t started_us;
	struct sl_ho_rt ho;
	struct sl_audit_log *audit;		/* NULL when no audit log is configured */
	struct sl_daemon_consent *consent;	/* NULL when no consent path is configured */
	int64_t newest_frame_us;		/* file replay: the gateway's clock */
	bool vty_open;				/* `no login`: console without password (lab) */
	const char *config_file;		/* -c: `write file` is confined to its directory */
	bool check_only;			/* --check-config: reading the file must change nothing outside */
	/* per destination and stream: the link's state and since when (wall time) */
	int link_last[SL_HO_MAX_DEST][2];
	int64_t link_since_us[SL_HO_MAX_DEST][2];
	/*
	 * health: when the link was last seen up (or first looked at), and its
	 * connection count then; a connection made between two looks counts as
	 * seen up. A link that cycles through connecting and backing-off is
	 * down since then, not since its last state change.
	 */
	int64_t link_up_seen_us[SL_HO_MAX_DEST][2];
	uint64_t link_connects[SL_HO_MAX_DEST][2];
	bool spool_alarm[SL_HO_MAX_DEST][2];	/* above health spool-alarm-percent */
	/* file replay: one frame held until its time (replay-speed) */
	bool held;
	struct sl_frame held_frame;
	uint64_t replay_first_ts, replay_wall_start;
	/* file replay, for its closing log line: frames and events so far, wall and CPU time at its start */
	uint64_t replay_frames, replay_events;
	int64_t replay_begin_us, replay_cpu_begin_us, replay_user_begin_us;
};

void sl_daemon_cfg_default(struct sl_daemon_cfg *cfg, void *ctx);

/* daemon_audit.c: the `audit` node and show audit (call before any other VTY init). */
void sl_daemon_audit_vty_init(struct sl_daemon *d);
/* Open the log (if configured) and record the start; -1 (logged) when it cannot be used. */
int sl_daemon_audit_open(struct sl_daemon *d, const char *config_file);
/* Record the stop, sign a last checkpoint, close. */
void sl_daemon_audit_close(struct sl_daemon *d, const char *reason);
struct vty;
struct cmd_element;
/*
 * Record a console command that ran as config.change (its digest, never its
 * text; the node it was typed in, node_before; rc its result): what every
 * wrapped configuration command records, for the commands sluiced carries
 * out itself instead of the function it wrapped (the console's writes of
 * the configuration, daemon_vty_guard.c). Nothing for the configuration
 * file's own lines, nor without an audit log.
 */
void sl_daemon_audit_command(struct vty *vty, int node_before, const struct cmd_element *cmd, int argc,
			     const char *argv[], int rc);
void sl_daemon_vty_init(struct sl_daemon *d);

/* Open sources and start the pipeline; on failure returns -1 and logs why. */
int sl_daemon_start(struct sl_daemon *d);
/* daemon_metrics.c: the `metrics` node, /metrics and /health over HTTP. */
void sl_daemon_metrics_vty_init(struct sl_daemon *d);
int sl_daemon_metrics_start(struct sl_daemon *d);
void sl_daemon_metrics_stop(void);
void sl_daemon_metrics_tick(struct sl_daemon *d);
/* daemon_stats.c: the same gauges as osmo_stat_item groups for statsd and the other reporters. */
struct osmo_stat_item_group_desc;
void sl_daemon_stats_update(struct sl_daemon *d, int64_t now_us);
bool sl_daemon_stats_own(const struct osmo_stat_item_group_desc *desc);
void sl_daemon_stats_free(void);

/* daemon_vty_auth.c: how the configuration file protects the console. */
enum sl_vty_auth {
	SL_VTY_AUTH_PASSWORDS,	/* login, password and enable password */
	SL_VTY_AUTH_LAB_OPEN,	/* `no login`: deliberately open (lab) */
	SL_VTY_AUTH_INCOMPLETE,	/* login without both passwords */
	SL_VTY_AUTH_MISSING,	/* nothing said: refused */
};
enum sl_vty_auth sl_daemon_vty_auth(const char *config_file);
/* NULL when the daemon may start with it, else what is wrong. */
const char *sl_daemon_vty_auth_problem(enum sl_vty_auth a);

/* daemon_vty_guard.c: confine write file / log file, keep view sessions blind (after every VTY init). */
void sl_daemon_vty_guard_init(struct sl_daemon *d);
struct vty;
/* The top-level `log-directory` line of the running configuration (written before the capture node). */
void sl_daemon_vty_guard_write(struct vty *vty);
/* False (refused, logged, audited as console.refused) unless the command comes from the configuration file. */
bool sl_vty_file_only(struct vty *vty, const char *setting);
/* The same, with the reason the refusal gives (sl_vty_file_only's is about trust settings). */
bool sl_vty_file_only_why(struct vty *vty, const char *setting, const char *why);

/* --check-config: every problem printed (file, node, field); 0 usable, -1 not. */
int sl_daemon_check_config(struct sl_daemon *d, const char *file);
/* SIGUSR1: reopen the log files and the events file (after a rotation). */
int sl_daemon_reopen(struct sl_daemon *d);
/* Flush the pipeline (ends open calls and streams) and close everything. */
void sl_daemon_stop(struct sl_daemon *d);
