/*
 * The audit log writer: append, group commit, segment rotation and
 * checkpoints (see audit.h for the API, docs/audit.md for the format).
 *
 * Order of durable effects, which is what lets a SIGKILL at any
 * instruction lose nothing that was acknowledged or signed:
 *   1. records are framed into a buffer and written with write(); a
 *      commit writes the buffer and fdatasyncs the segment, and only then
 *      raises the durable size and tells the caller;
 *   2. a checkpoint is made only over durable records: it is appended to
 *      checkpoints.log and fdatasynced, then "checkpoint" is replaced
 *      (tmp, fsync, rename, directory fsync), then handed to the sinks;
 *   3. a new segment is created only after the previous one is synced,
 *      with its header fsynced and the directory fsynced before any
 *      record goes into it.
 * So a checkpoint on disk or in a sink never covers a record that is not
 * on disk, and recovery can insist that the log holds everything the
 * latest checkpoint covers.
 */
#include "mediation/audit/audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/stats.h>
#include <talloc.h>

#include "mediation/audit/audit_logcat.h"
#include "mediation/audit/frame.h"
#include "mediation/audit/reader.h"

static const struct rate_ctr_desc audit_ctr_desc[_SL_AUDIT_CTR_COUNT] = {
	[SL_AUDIT_CTR_APPENDED] = { "records:appended", "Audit records appended" },
	[SL_AUDIT_CTR_REFUSED] = { "records:refused", "Audit appends refused (catalogue, size, failed log)" },
	[SL_AUDIT_CTR_COMMITS] = { "commits", "Audit group commits (write and fsync)" },
	[SL_AUDIT_CTR_CHECKPOINTS] = { "checkpoints", "Audit checkpoints signed" },
	[SL_AUDIT_CTR_ROTATIONS] = { "segments:started", "Audit segments started" },
	[SL_AUDIT_CTR_TIME_CLAMPED] = { "time:clamped", "Audit record times raised to the previous record's" },
	[SL_AUDIT_CTR_TORN_CUT] = { "records:torn", "Torn audit records cut at open" },
	[SL_AUDIT_CTR_IO_ERROR] = { "io:error", "Audit write, fsync or rename failures" },
	[SL_AUDIT_CTR_SINK_DIR_FAIL] = { "sink:dir:fail", "Checkpoints not written to the sink directory" },
	[SL_AUDIT_CTR_SINK_CMD_FAIL] = { "sink:cmd:fail", "Checkpoint sink command runs that failed" },
	[SL_AUDIT_CTR_SINK_CMD_BUSY] = { "sink:cmd:busy", "Checkpoints skipped: sink command still running" },
};

const struct rate_ctr_group_desc sl_audit_ctrg_desc = {
	.group_name_prefix = "audit",
	.group_description = "Tamper-evident audit log",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_AUDIT_CTR_COUNT,
	.ctr_desc = audit_ctr_desc,
};

static unsigned audit_ctrg_index;

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sl_audit_now_real(const struct sl_audit_log *log)
{
	return log->cfg.clock_real_us ? log->cfg.clock_real_us() : clock_us(CLOCK_REALTIME);
}

int64_t sl_audit_now_mono(const struct sl_audit_log *log)
{
	return log->cfg.clock_mono_us ? log->cfg.clock_mono_us() : clock_us(CLOCK_MONOTONIC);
}

void sl_audit_fail(struct sl_audit_log *log, const char *what, int err)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(log->ctrs, SL_AUDIT_CTR_IO_ERROR));
	LOGP(DSLAUDIT, LOGL_ERROR, "audit %s: %s: %s; refusing appends until reopened\n", log->cfg.dir, what,
	     strerror(err));
	log->failed = true;
}

int sl_audit_fsync_dir(struct sl_audit_log *log)
{
	if (log->cfg.no_fsync)
		return 0;
	return fsync(log->dir_fd) == 0 ? 0 : -errno;
}

const char *sl_audit_dir(const struct sl_audit_log *log)
{
	return log->cfg.dir;
}

uint64_t sl_audit_size(const struct sl_audit_log *log)
{
	return log->tree.size;
}

uint64_t sl_audit_durable_size(const struct sl_audit_log *log)
{
	return log->durable;
}

const struct sl_audit_recovery *sl_audit_recovery(const struct sl_audit_log *log)
{
	return &log->rec;
}

const struct rate_ctr_group *sl_audit_counters(const struct sl_audit_log *log)
{
	return log->ctrs;
}

const char *sl_audit_latest_checkpoint(const struct sl_audit_log *log)
{
	return log->ckpt_note;
}

void sl_audit_status(const struct sl_audit_log *log, struct sl_audit_status *st)
{
	st->size = log->tree.size;
	st->durable = log->durable;
	st->ckpt_size = log->ckpt_size;
	st->ckpt_time_us = log->ckpt_time_us;
	st->failed = log->failed;
	st->segment = log->seg_path;
}

static void ctr_inc(struct sl_audit_log *log, enum sl_audit_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(log->ctrs, c));
}

static int write_buffer(struct sl_audit_log *log)
{
	int rc;

	if (!log->wlen)
		return 0;
	rc = sl_audit_write_all(log->seg_fd, log->wbuf, log->wlen);
	if (rc < 0) {
		sl_audit_fail(log, "writing records", -rc);
		return rc;
	}
	log->wlen = 0;
	return 0;
}

static int sign_checkpoint(struct sl_audit_log *log);

static bool checkpoint_due(const struct sl_audit_log *log, int64_t mono)
{
	uint64_t fresh = log->durable - log->ckpt_size;

	if (fresh == 0)
		return false;
	return fresh >= log->cfg.checkpoint_records ||
	       mono - log->ckpt_mono >= (int64_t)log->cfg.checkpoint_ms * 1000;
}

/* Write and fsync; no checkpoint. */
static int commit_records(struct sl_audit_log *log)
{
	int rc;

	if (log->failed)
		return -EIO;
	log->commit_due = -1;
	if (log->durable == log->tree.size)
		return 0;
	rc = write_buffer(log);
	if (rc < 0)
		return rc;
	if (!log->cfg.no_fsync && fdatasync(log->seg_fd) != 0) {
		rc = -errno;
		sl_audit_fail(log, "fsync of the segment", -rc);
		return rc;
	}
	if (log->nodes)
		sl_audit_nodes_flush(log->nodes);
	if (log->recidx)
		sl_audit_nodes_flush(log->recidx);
	log->durable = log->tree.size;
	ctr_inc(log, SL_AUDIT_CTR_COMMITS);
	if (log->cfg.durable_cb)
		log->cfg.durable_cb(log->cfg.cb_data, log->durable);
	return 0;
}

int sl_audit_commit(struct sl_audit_log *log)
{
	int rc = commit_records(log);

	if (rc == 0 && checkpoint_due(log, sl_audit_now_mono(log)))
		rc = sign_checkpoint(log);
	if (log->reschedule)
		log->reschedule(log);
	return rc;
}

int sl_audit_checkpoint_now(struct sl_audit_log *log)
{
	int rc = commit_records(log);

	if (rc == 0 && log->durable > log->ckpt_size)
		rc = sign_checkpoint(log);
	if (log->reschedule)
		log->reschedule(log);
	return rc;
}

static int start_segment(struct sl_audit_log *log)
{
	uint8_t hdr[SL_AUDIT_FILE_HDR];
	char name[40];
	int fd, rc;

	sl_audit_seg_name(log->tree.size, name, sizeof(name));
	fd = openat(log->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		sl_audit_fail(log, "creating a segment", -rc);
		return rc;
	}
	sl_audit_file_header(hdr, SL_AUDIT_SEG_MAGIC, log->tree.size);
	rc = sl_audit_write_all(fd, hdr, sizeof(hdr));
	if (rc == 0 && !log->cfg.no_fsync && fsync(fd) != 0)
		rc = -errno;
	if (rc == 0)
		rc = sl_audit_fsync_dir(log);
	if (rc < 0) {
		close(fd);
		sl_audit_fail(log, "starting a segment", -rc);
		return rc;
	}
	if (log->seg_fd >= 0)
		close(log->seg_fd);
	log->seg_fd = fd;
	log->seg_bytes = SL_AUDIT_FILE_HDR;
	talloc_free(log->seg_path);
	log->seg_path = talloc_asprintf(log, "%s/%s", log->cfg.dir, name);
	ctr_inc(log, SL_AUDIT_CTR_ROTATIONS);
	return 0;
}

int sl_audit_start_segment(struct sl_audit_log *log)
{
	return start_segment(log);
}

int64_t sl_audit_append(struct sl_audit_log *log, const char *kind, const struct sl_audit_actor *actor,
			const json_t *fields, int64_t time_us)
{
	void *tmp;
	uint8_t *rec, leaf[SL_AUDIT_HASH_LEN];
	size_t len;
	const char *why = NULL;
	uint64_t seq = log->tree.size;
	int rc;

	if (log->failed) {
		ctr_inc(log, SL_AUDIT_CTR_REFUSED);
		return -EIO;
	}
	if (time_us <= 0)
		time_us = sl_audit_now_real(log);
	if (time_us < log->last_time_us) {
		/* The wall clock stepped back: the log's times never do. */
		time_us = log->last_time_us;
		ctr_inc(log, SL_AUDIT_CTR_TIME_CLAMPED);
	}
	tmp = talloc_new(log);
	rec = sl_audit_record_encode(tmp, seq, time_us, kind, actor, fields, &len, &why);
	if (!rec || len > SL_AUDIT_MAX_ENTRY) {
		LOGP(DSLAUDIT, LOGL_ERROR, "audit %s: %s record refused: %s\n", log->cfg.dir, kind,
		     rec ? "longer than 1 MiB" : why);
		talloc_free(tmp);
		ctr_inc(log, SL_AUDIT_CTR_REFUSED);
		return rec ? -EFBIG : -EINVAL;
	}
	/* Rotate between records, once the current segment holds at least one. */
	if (log->seg_bytes + SL_AUDIT_FRAME_HDR + len > log->cfg.segment_bytes &&
	    log->seg_bytes > SL_AUDIT_FILE_HDR) {
		rc = commit_records(log);
		if (rc == 0)
			rc = start_segment(log);
		if (rc < 0) {
			talloc_free(tmp);
			return rc;
		}
	}
	if (log->wlen + SL_AUDIT_FRAME_HDR + len > SL_AUDIT_WBUF && (rc = write_buffer(log)) < 0) {
		talloc_free(tmp);
		return rc;
	}
	sl_audit_leaf_hash(log->h, rec, len, leaf);
	if (log->wlen + SL_AUDIT_FRAME_HDR + len > SL_AUDIT_WBUF) {
		/* Larger than the buffer: straight to the file (rare: 1 MiB records). */
		uint8_t fh[SL_AUDIT_FRAME_HDR];

		sl_audit_frame_header(fh, (uint32_t)len, leaf);
		if ((rc = sl_audit_write_all(log->seg_fd, fh, sizeof(fh))) < 0 ||
		    (rc = sl_audit_write_all(log->seg_fd, rec, len)) < 0) {
			sl_audit_fail(log, "writing a record", -rc);
			talloc_free(tmp);
			return rc;
		}
	} else {
		sl_audit_frame_header(log->wbuf + log->wlen, (uint32_t)len, leaf);
		memcpy(log->wbuf + log->wlen + SL_AUDIT_FRAME_HDR, rec, len);
		log->wlen += SL_AUDIT_FRAME_HDR + len;
	}
	talloc_free(tmp);
	if (log->recidx)
		sl_audit_recidx_put(log->recidx, log->seg_bytes);
	log->seg_bytes += SL_AUDIT_FRAME_HDR + len;
	sl_audit_frontier_push(&log->tree, log->h, leaf, log->nodes ? sl_audit_nodes_emit : NULL, log->nodes);
	log->last_time_us = time_us;
	ctr_inc(log, SL_AUDIT_CTR_APPENDED);

	if (log->cfg.commit_window_us == 0) {
		rc = sl_audit_commit(log);
		if (rc < 0)
			return rc;
	} else if (log->commit_due < 0) {
		log->commit_due = sl_audit_now_mono(log) + log->cfg.commit_window_us;
		if (log->reschedule)
			log->reschedule(log);
	}
	return (int64_t)seq;
}

static int sign_checkpoint(struct sl_audit_log *log)
{
	struct sl_audit_ckpt c;
	uint8_t fh[SL_AUDIT_FRAME_HDR], leaf[SL_AUDIT_HASH_LEN];
	char *body, *note;
	size_t n;
	int64_t now = sl_audit_now_real(log);
	int rc;

	/* The root is the frontier's, over every record appended: all of them must be durable first. */
	rc = commit_records(log);
	if (rc < 0)
		return rc;

	memset(&c, 0, sizeof(c));
	memcpy(c.origin, log->cfg.origin, strlen(log->cfg.origin) + 1);
	c.size = log->durable;
	sl_audit_frontier_root(&log->tree, log->h, c.root);
	c.has_time = true;
	/* Never before the previous checkpoint nor before a record it covers. */
	c.time_us = now;
	if (c.time_us < log->ckpt_time_us)
		c.time_us = log->ckpt_time_us;
	if (c.time_us < log->last_time_us)
		c.time_us = log->last_time_us;
	body = sl_audit_ckpt_body(log, &c);
	note = body ? sl_audit_note_sign(log, log->key, body) : NULL;
	talloc_free(body);
	if (!note) {
		sl_audit_fail(log, "signing a checkpoint", EIO);
		return -EIO;
	}
	n = strlen(note);
	sl_audit_leaf_hash(log->h, (const uint8_t *)note, n, leaf);
	sl_audit_frame_header(fh, (uint32_t)n, leaf);
	if ((rc = sl_audit_write_all(log->ckl_fd, fh, sizeof(fh))) < 0 ||
	    (rc = sl_audit_write_all(log->ckl_fd, note, n)) < 0 ||
	    (!log->cfg.no_fsync && fdatasync(log->ckl_fd) != 0 && (rc = -errno) < 0)) {
		sl_audit_fail(log, "writing checkpoints.log", -rc);
		talloc_free(note);
		return rc;
	}
	rc = sl_audit_replace_file(log->dir_fd, SL_AUDIT_LATEST_FILE, note, n, !log->cfg.no_fsync);
	if (rc < 0) {
		/* checkpoints.log has it; the convenience copy is rewritten at the next one or at open. */
		ctr_inc(log, SL_AUDIT_CTR_IO_ERROR);
		LOGP(DSLAUDIT, LOGL_ERROR, "audit %s: cannot replace the checkpoint file: %s\n", log->cfg.dir,
		     strerror(-rc));
	}
	talloc_free(log->ckpt_note);
	log->ckpt_note = note;
	log->ckpt_size = c.size;
	log->ckpt_time_us = c.time_us;
	log->ckpt_mono = sl_audit_now_mono(log);
	ctr_inc(log, SL_AUDIT_CTR_CHECKPOINTS);
	sl_audit_sinks_publish(log, note, c.size);
	return 0;
}

int64_t sl_audit_next_due_us(const struct sl_audit_log *log)
{
	int64_t due = -1;

	if (log->failed)
		return -1;
	if (log->commit_due >= 0)
		due = log->commit_due;
	if (log->tree.size > log->ckpt_size) {
		int64_t c = log->ckpt_mono + (int64_t)log->cfg.checkpoint_ms * 1000;

		if (due < 0 || c < due)
			due = c;
	}
	if (log->sink_pid > 0) {
		/* Poll the sink command every 100 ms until it has exited. */
		int64_t s = sl_audit_now_mono(log) + 100000;

		if (due < 0 || s < due)
			due = s;
	}
	return due;
}

int sl_audit_tick(struct sl_audit_log *log)
{
	int64_t now = sl_audit_now_mono(log);
	int rc = 0;

	if (log->sink_pid > 0)
		sl_audit_sinks_reap(log, 0);
	if (log->failed)
		return -EIO;
	if (log->commit_due >= 0 && now >= log->commit_due)
		rc = commit_records(log);
	if (rc == 0 && log->tree.size > log->ckpt_size &&
	    now - log->ckpt_mono >= (int64_t)log->cfg.checkpoint_ms * 1000) {
		rc = commit_records(log);
		if (rc == 0)
			rc = sign_checkpoint(log);
	} else if (rc == 0 && checkpoint_due(log, now)) {
		rc = sign_checkpoint(log);
	}
	if (log->reschedule)
		log->reschedule(log);
	return rc;
}

int sl_audit_close(struct sl_audit_log *log, unsigned wait_ms)
{
	static const struct sl_audit_actor system_actor = { "system", "audit" };
	int rc = 0, r;

	if (!log)
		return 0;
	log->closing = true;
	if (!log->failed) {
		json_t *f = json_pack("{s:I}", "size", (json_int_t)log->tree.size);
		int64_t seq = sl_audit_append(log, "log.close", &system_actor, f, 0);

		json_decref(f);
		if (seq < 0)
			rc = (int)seq;
		r = sl_audit_checkpoint_now(log);
		if (rc == 0)
			rc = r;
	} else {
		rc = -EIO;
	}
	sl_audit_sinks_reap(log, wait_ms);
	talloc_free(log);
	return rc;
}

void sl_audit_abandon(struct sl_audit_log *log)
{
	if (!log)
		return;
	log->closing = true;
	log->wlen = 0;
	log->sink_pid = 0;
	talloc_free(log);
}

int sl_audit_log_destroy(struct sl_audit_log *log)
{
	if (!log->closing && !log->failed && log->seg_fd >= 0) {
		commit_records(log);
		if (!log->failed && log->durable > log->ckpt_size)
			sign_checkpoint(log);
	}
	if (log->reschedule)
		osmo_timer_del(&log->timer);
	if (log->nodes)
		sl_audit_nodes_flush(log->nodes);
	if (log->recidx)
		sl_audit_nodes_flush(log->recidx);
	if (log->seg_fd >= 0)
		close(log->seg_fd);
	if (log->ckl_fd >= 0)
		close(log->ckl_fd);
	if (log->lock_fd >= 0)
		close(log->lock_fd);
	if (log->dir_fd >= 0)
		close(log->dir_fd);
	if (log->ctrs)
		rate_ctr_group_free(log->ctrs);
	log->ctrs = NULL;
	return 0;
}

struct rate_ctr_group *sl_audit_ctrs_alloc(void *ctx)
{
	return rate_ctr_group_alloc(ctx, &sl_audit_ctrg_desc, audit_ctrg_index++);
}
