/*
 * The tamper-evident audit log: the writer's API (docs/audit.md has the
 * on-disk format; verify.h the checking side).
 *
 * sluiced records its decisions here before they take effect. A record
 * is appended (sl_audit_append returns its seq), becomes durable at the
 * next group commit (write and fsync of everything appended in one window
 * of commit_window_us), and only then may the action it describes go
 * ahead: the caller learns durability through durable_cb or by comparing
 * seq with sl_audit_durable_size(). Every checkpoint_records durable
 * records or checkpoint_ms, and at close, the tree head is signed as a
 * C2SP checkpoint, appended to checkpoints.log and handed to the sinks.
 *
 * Timers: the log is single-threaded and never blocks on a timer of its
 * own. Either the caller drives it (sl_audit_next_due_us() says when,
 * sl_audit_tick() does what is due), or sl_audit_osmo_attach() lets an
 * osmo_timer in the caller's osmo_select_main() loop do exactly that.
 * With commit_window_us 0 every append is written and fsynced before it
 * returns.
 *
 * Ownership: the log is a talloc object under the ctx given to open;
 * freeing it (or its parent) commits what was appended and signs a final
 * checkpoint, but records no log.close: the next open will show an
 * unclean stop. Call sl_audit_close() to stop cleanly.
 * Strings in cfg are copied. Fields passed to append are borrowed.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <osmocom/core/rate_ctr.h>

#include "mediation/audit/record.h"

struct sl_audit_log;

struct sl_audit_cfg {
	const char *dir;	     /* log directory; created 0700 if missing */
	const char *key_file;	     /* Ed25519 private key, PEM PKCS#8, mode 0600 */
	const char *origin;	     /* checkpoint origin line = signing key name */
	uint64_t checkpoint_records; /* sign after this many new durable records; 0 = 10000 */
	uint32_t checkpoint_ms;	     /* and at least this often while records arrive; 0 = 60000 */
	uint32_t commit_window_us;   /* group commit window; 0 = fsync inside every append */
	uint64_t segment_bytes;	     /* start a new segment past this size; 0 = 64 MiB */
	const char *sink_dir;	     /* NULL, or a directory each checkpoint is also written to */
	const char *sink_cmd;	     /* NULL, or a /bin/sh command run with each checkpoint on stdin */
	const char *software;	     /* for log.open, e.g. "sluiced 0.1.0"; NULL = "sluice" */
	bool no_fsync;		     /* tests and benchmarks on tmpfs only: skip fsync */
	bool no_node_file;	     /* do not keep tree.nodes (proofs then read the whole log) */
	/* Called after each commit with the new durable size (records 0..size-1 are on disk). */
	void (*durable_cb)(void *data, uint64_t durable_size);
	void *cb_data;
	/* Clocks in microseconds; NULL = CLOCK_REALTIME / CLOCK_MONOTONIC (tests pass fakes). */
	int64_t (*clock_real_us)(void);
	int64_t (*clock_mono_us)(void);
};

/* What opening found and repaired. */
struct sl_audit_recovery {
	uint64_t records;	    /* records found (after any cut) */
	uint64_t checkpoint_size;   /* size of the latest checkpoint found (0 if none) */
	bool torn;		    /* a torn last record was cut */
	char torn_file[512];	    /* ... from this segment */
	uint64_t torn_offset;	    /* ... at this offset */
	uint64_t torn_bytes;	    /* ... this many bytes */
	bool ckpt_torn;		    /* a torn checkpoint was cut from checkpoints.log */
};

enum sl_audit_ctr {
	SL_AUDIT_CTR_APPENDED,	    /* records appended */
	SL_AUDIT_CTR_REFUSED,	    /* appends refused (catalogue, size, failed log) */
	SL_AUDIT_CTR_COMMITS,	    /* group commits (write + fsync) */
	SL_AUDIT_CTR_CHECKPOINTS,   /* checkpoints signed */
	SL_AUDIT_CTR_ROTATIONS,	    /* new segments started */
	SL_AUDIT_CTR_TIME_CLAMPED,  /* record times raised to the previous record's (clock went back) */
	SL_AUDIT_CTR_TORN_CUT,	    /* torn records cut at open */
	SL_AUDIT_CTR_IO_ERROR,	    /* write, fsync or rename failures (the log then refuses appends) */
	SL_AUDIT_CTR_SINK_DIR_FAIL, /* checkpoints not written to the sink directory */
	SL_AUDIT_CTR_SINK_CMD_FAIL, /* sink command runs that failed or could not start */
	SL_AUDIT_CTR_SINK_CMD_BUSY, /* checkpoints not given to the command: previous run still going */
	_SL_AUDIT_CTR_COUNT
};
extern const struct rate_ctr_group_desc sl_audit_ctrg_desc;

/*
 * Opens (creating if needed) the log in cfg->dir, recovers it (cuts a
 * torn tail, rebuilds the tree, checks it against the latest checkpoint),
 * appends a log.open record and commits it. 0, or -errno with *err (a
 * talloc string on ctx naming file and offset): -EBADMSG for damage that
 * must not be cut, -EBUSY if another writer holds the log, -EPERM for a
 * key file others can read.
 */
int sl_audit_open(void *ctx, const struct sl_audit_cfg *cfg, struct sl_audit_log **out, char **err);

const struct sl_audit_recovery *sl_audit_recovery(const struct sl_audit_log *log);

/*
 * Appends one record. time_us 0 means now; a time before the previous
 * record's is raised to it (and counted). Returns the record's seq, or
 * -EINVAL (kind, actor or fields outside the catalogue), -EFBIG, -EIO
 * (the log failed earlier and must be reopened).
 */
int64_t sl_audit_append(struct sl_audit_log *log, const char *kind, const struct sl_audit_actor *actor,
			const json_t *fields, int64_t time_us);

/* The log directory (for reading a record back with sl_audit_read_one). */
const char *sl_audit_dir(const struct sl_audit_log *log);
/* Records appended so far (the next seq). */
uint64_t sl_audit_size(const struct sl_audit_log *log);
/* Records on disk: seq < this survives a crash. */
uint64_t sl_audit_durable_size(const struct sl_audit_log *log);

/* Writes and fsyncs everything appended, then signs a checkpoint if one is due. 0 or -errno. */
int sl_audit_commit(struct sl_audit_log *log);
/* Commits and signs a checkpoint now (if anything is new). 0 or -errno. */
int sl_audit_checkpoint_now(struct sl_audit_log *log);

/* Monotonic time (µs) at which sl_audit_tick() has work, or -1 if none is pending. */
int64_t sl_audit_next_due_us(const struct sl_audit_log *log);
/* Does whatever is due: group commit, timed checkpoint, reaping the sink command. 0 or -errno. */
int sl_audit_tick(struct sl_audit_log *log);
/* Drives sl_audit_tick() from an osmo_timer in the caller's osmo_select_main() loop. */
void sl_audit_osmo_attach(struct sl_audit_log *log);

/*
 * Appends log.close (unless failed), commits, signs a final checkpoint,
 * waits up to wait_ms for a running sink command, and frees the log.
 * 0 or the first -errno met.
 */
int sl_audit_close(struct sl_audit_log *log, unsigned wait_ms);

/*
 * Frees the log without writing anything more, as if the process had died
 * here (crash tests; a child after fork() that must not touch the
 * parent's log). Records not yet committed are lost, as after a crash.
 */
void sl_audit_abandon(struct sl_audit_log *log);

/* For `show audit`: counters and the last checkpoint. */
struct sl_audit_status {
	uint64_t size, durable;
	uint64_t ckpt_size;
	int64_t ckpt_time_us;
	bool failed;
	const char *segment; /* current segment path */
};
void sl_audit_status(const struct sl_audit_log *log, struct sl_audit_status *st);
const struct rate_ctr_group *sl_audit_counters(const struct sl_audit_log *log);

/* The latest signed checkpoint (note text) or NULL. */
const char *sl_audit_latest_checkpoint(const struct sl_audit_log *log);
