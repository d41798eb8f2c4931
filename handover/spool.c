/*
 * Spool writer side: open, append with group commit, the size cap, the
 * release pointer and segment deletion (see spool.h for the model).
 *
 * Order of durable effects, which is what makes "duplicates, never gaps"
 * hold across a crash at any instruction:
 *   - a record is written (one writev) and, per policy, fsynced before it
 *     counts as committed; readers see only committed records;
 *   - the release pointer is written to "released.tmp", fsynced, renamed
 *     over "released" and the directory fsynced; a crash leaves the old or
 *     the new pointer, never a mix, and an old pointer only means resends;
 *   - a segment is deleted only after a persisted pointer covers all of it.
 */
#include "handover/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/spool_int.h"

static const struct rate_ctr_desc spool_ctr_desc[_SL_SPOOL_CTR_COUNT] = {
	[SL_SPOOL_CTR_APPENDED] = { "records:appended", "Records appended to the spool" },
	[SL_SPOOL_CTR_APPENDED_BYTES] = { "bytes:appended", "Payload bytes appended to the spool" },
	[SL_SPOOL_CTR_COMMITTED] = { "records:committed", "Records made durable (per the fsync policy)" },
	[SL_SPOOL_CTR_RELEASED] = { "records:released", "Records released after delivery" },
	[SL_SPOOL_CTR_REFUSED] = { "records:refused", "Appends refused because the spool cap was reached" },
	[SL_SPOOL_CTR_CAP_ALARM] = { "cap:alarm", "Times the spool cap was reached (once per episode)" },
	[SL_SPOOL_CTR_TORN] = { "records:torn", "Torn records truncated at the tail when the spool was opened" },
	[SL_SPOOL_CTR_IO_ERROR] = { "io:error", "Spool write, fsync or read failures" },
	[SL_SPOOL_CTR_SEG_DELETED] = { "segments:deleted", "Fully released segment files removed" },
};

const struct rate_ctr_group_desc sl_spool_ctrg_desc = {
	.group_name_prefix = "spool",
	.group_description = "Delivery spool of one destination",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_SPOOL_CTR_COUNT,
	.ctr_desc = spool_ctr_desc,
};

static unsigned spool_ctrg_index;

int64_t sl_spool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ctr_add(struct rate_ctr_group *g, unsigned idx, int64_t n)
{
	rate_ctr_add(rate_ctr_group_get_ctr(g, idx), n > INT32_MAX ? INT32_MAX : (int)n);
}

static int io_fail(struct sl_spool *s, const char *what, int err)
{
	rate_ctr_inc2(s->ctrs, SL_SPOOL_CTR_IO_ERROR);
	LOGP(DSLSPOOL, LOGL_ERROR, "spool %s: %s: %s\n", s->name, what, strerror(err));
	return -err;
}

/* Make everything appended so far durable (per policy) and tell the reader. */
int sl_spool_commit(struct sl_spool *s)
{
	uint64_t n;

	osmo_timer_del(&s->commit_timer);
	if (s->dirty && s->cfg.fsync != SL_SPOOL_FSYNC_NEVER && s->wfd >= 0 && fdatasync(s->wfd) < 0)
		return io_fail(s, "fdatasync", errno);
	s->dirty = false;
	if (s->committed_id == s->last_id)
		return 0;
	n = s->last_id - s->committed_id;
	s->committed_id = s->last_id;
	ctr_add(s->ctrs, SL_SPOOL_CTR_COMMITTED, (int64_t)n);
	if (s->notify)
		s->notify(s->notify_priv);
	return 0;
}

static void commit_timer_cb(void *data)
{
	sl_spool_commit(data);
}

static int write_release_file(struct sl_spool *s, uint64_t id, uint64_t loff_end)
{
	char tmp[4096], dst[4096];
	uint8_t buf[SL_SPOOL_REL_SIZE];
	int fd, err;

	snprintf(tmp, sizeof(tmp), "%s/released.tmp", s->dir);
	snprintf(dst, sizeof(dst), "%s/released", s->dir);
	sl_spool_rel_encode(buf, id, loff_end);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_fail(s, "create released.tmp", errno);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    (s->cfg.fsync != SL_SPOOL_FSYNC_NEVER && fsync(fd) < 0)) {
		err = errno ? errno : EIO;
		close(fd);
		return io_fail(s, "write released.tmp", err);
	}
	close(fd);
	if (rename(tmp, dst) < 0)
		return io_fail(s, "rename released", errno);
	if (s->cfg.fsync != SL_SPOOL_FSYNC_NEVER && fsync(s->dir_fd) < 0)
		return io_fail(s, "fsync spool directory", errno);
	return 0;
}

static void delete_segment(struct sl_spool *s, unsigned i)
{
	char path[4096];

	sl_spool_seg_path(s, s->segs[i].first_id, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		io_fail(s, "unlink released segment", errno);
		return;
	}
	s->disk_bytes -= s->segs[i].size;
	if (i == s->nsegs - 1 && s->wfd >= 0) {
		close(s->wfd);
		s->wfd = -1;
	}
	memmove(&s->segs[i], &s->segs[i + 1], (s->nsegs - i - 1) * sizeof(s->segs[0]));
	s->nsegs--;
	rate_ctr_inc2(s->ctrs, SL_SPOOL_CTR_SEG_DELETED);
}

int sl_spool_persist_release(struct sl_spool *s)
{
	int rc;

	osmo_timer_del(&s->persist_timer);
	if (s->persisted_id != s->released_id) {
		rc = write_release_file(s, s->released_id, s->released_loff_end);
		if (rc < 0)
			return rc;
		s->persisted_id = s->released_id;
		s->persisted_loff_end = s->released_loff_end;
	}
	/* Oldest first; the active segment too once every record in it is released. */
	while (s->nsegs && s->segs[0].last_id >= s->segs[0].first_id && s->segs[0].last_id <= s->persisted_id)
		delete_segment(s, 0);
	return 0;
}

static void persist_timer_cb(void *data)
{
	sl_spool_persist_release(data);
}

void sl_spool_release(struct sl_spool *s, const struct sl_spool_rec *upto)
{
	if (upto->id <= s->released_id || upto->id > s->last_id)
		return;
	ctr_add(s->ctrs, SL_SPOOL_CTR_RELEASED, (int64_t)(upto->id - s->released_id));
	s->released_id = upto->id;
	s->released_loff_end = upto->loff + upto->len;
	if (!s->cfg.release_persist_ms)
		sl_spool_persist_release(s);
	else if (!osmo_timer_pending(&s->persist_timer))
		osmo_timer_schedule(&s->persist_timer, s->cfg.release_persist_ms / 1000,
				    (s->cfg.release_persist_ms % 1000) * 1000);
}

/* Open a new segment starting at the next id. */
static int new_segment(struct sl_spool *s)
{
	char path[4096];
	struct sl_spool_seg *segs;
	int fd;

	if (s->wfd >= 0) {
		if (s->dirty && s->cfg.fsync != SL_SPOOL_FSYNC_NEVER && fdatasync(s->wfd) < 0)
			return io_fail(s, "fdatasync", errno);
		close(s->wfd);
		s->wfd = -1;
	}
	segs = talloc_realloc(s, s->segs, struct sl_spool_seg, s->nsegs + 1);
	if (!segs)
		return -ENOMEM;
	s->segs = segs;
	sl_spool_seg_path(s, s->last_id + 1, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_fail(s, "create segment", errno);
	if (s->cfg.fsync != SL_SPOOL_FSYNC_NEVER && fsync(s->dir_fd) < 0) {
		close(fd);
		return io_fail(s, "fsync spool directory", errno);
	}
	s->segs[s->nsegs++] = (struct sl_spool_seg){ .first_id = s->last_id + 1, .last_id = s->last_id };
	s->wfd = fd;
	return 0;
}

static int refuse(struct sl_spool *s, size_t need)
{
	rate_ctr_inc2(s->ctrs, SL_SPOOL_CTR_REFUSED);
	if (!s->full) {
		s->full = true;
		rate_ctr_inc2(s->ctrs, SL_SPOOL_CTR_CAP_ALARM);
		LOGP(DSLSPOOL, LOGL_ERROR,
		     "spool %s: cap of %" PRIu64 " bytes reached (%" PRIu64 " on disk, %" PRIu64
		     " records undelivered): refusing new records until the destination catches up\n",
		     s->name, s->cfg.max_bytes, s->disk_bytes, s->last_id - s->released_id);
	}
	return -ENOSPC;
}

int sl_spool_append(struct sl_spool *s, const void *p, size_t n, uint64_t *id)
{
	uint8_t hdr[SL_SPOOL_HDR];
	struct sl_spool_hdr h;
	struct sl_spool_seg *seg;
	struct iovec iov[2];
	size_t need = SL_SPOOL_HDR + n;
	ssize_t w;
	int rc;

	if (n == 0 || n > s->cfg.max_record)
		return -EMSGSIZE;
	if (s->disk_bytes + need > s->cfg.max_bytes)
		return refuse(s, need);
	if (s->full) {
		s->full = false;
		LOGP(DSLSPOOL, LOGL_NOTICE, "spool %s: below its cap again, accepting records\n", s->name);
	}
	if (s->wfd < 0 || s->segs[s->nsegs - 1].size + need > s->cfg.segment_bytes) {
		if (s->wfd < 0 || s->segs[s->nsegs - 1].size > 0) {
			rc = new_segment(s);
			if (rc < 0)
				return rc;
		}
	}
	seg = &s->segs[s->nsegs - 1];
	h = (struct sl_spool_hdr){ .len = (uint32_t)n, .id = s->last_id + 1, .time_ms = sl_spool_now_ms(),
				   .loff = s->loff_end };
	sl_spool_hdr_encode(hdr, &h, p);
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = sizeof(hdr) };
	iov[1] = (struct iovec){ .iov_base = (void *)p, .iov_len = n };
	w = writev(s->wfd, iov, 2);
	if (w != (ssize_t)need) {
		int err = w < 0 ? errno : ENOSPC;

		/* Roll back a partial record so the file stays a sequence of whole ones. */
		if (w > 0 && ftruncate(s->wfd, (off_t)seg->size) < 0)
			LOGP(DSLSPOOL, LOGL_ERROR, "spool %s: cannot roll back a partial record: %s\n", s->name,
			     strerror(errno));
		io_fail(s, "append", err);
		return -EIO;
	}
	seg->size += need;
	seg->last_id = h.id;
	s->disk_bytes += need;
	s->last_id = h.id;
	s->loff_end += n;
	s->dirty = true;
	rate_ctr_inc2(s->ctrs, SL_SPOOL_CTR_APPENDED);
	ctr_add(s->ctrs, SL_SPOOL_CTR_APPENDED_BYTES, (int64_t)n);
	if (id)
		*id = h.id;
	if (s->cfg.caller_commits)
		return 0;
	switch (s->cfg.fsync) {
	case SL_SPOOL_FSYNC_ALWAYS:
		return sl_spool_commit(s);
	case SL_SPOOL_FSYNC_INTERVAL:
		if (!osmo_timer_pending(&s->commit_timer))
			osmo_timer_schedule(&s->commit_timer, s->cfg.fsync_interval_ms / 1000,
					    (s->cfg.fsync_interval_ms % 1000) * 1000);
		return 0;
	case SL_SPOOL_FSYNC_NEVER:
	default:
		/* Published from a zero-delay timer so a burst notifies once. */
		if (!osmo_timer_pending(&s->commit_timer))
			osmo_timer_schedule(&s->commit_timer, 0, 0);
		return 0;
	}
}

void sl_spool_set_notify(struct sl_spool *s, void (*cb)(void *priv), void *priv)
{
	s->notify = cb;
	s->notify_priv = priv;
}

void sl_spool_get_stats(const struct sl_spool *s, struct sl_spool_stats *st)
{
	*st = (struct sl_spool_stats){
		.last_id = s->last_id,
		.committed_id = s->committed_id,
		.released_id = s->released_id,
		.persisted_id = s->persisted_id,
		.queued_records = s->last_id - s->released_id,
		.queued_bytes = s->loff_end - s->released_loff_end,
		.disk_bytes = s->disk_bytes,
		.segments = s->nsegs,
		.full = s->full,
	};
}

struct rate_ctr_group *sl_spool_ctrs(struct sl_spool *s)
{
	return s->ctrs;
}

const char *sl_spool_name(const struct sl_spool *s)
{
	return s->name;
}

static int spool_destructor(struct sl_spool *s)
{
	sl_spool_commit(s);
	sl_spool_persist_release(s);
	osmo_timer_del(&s->commit_timer);
	osmo_timer_del(&s->persist_timer);
	if (s->wfd >= 0)
		close(s->wfd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	rate_ctr_group_free(s->ctrs);
	return 0;
}

void sl_spool_close(struct sl_spool *s)
{
	talloc_free(s);
}

int sl_spool_open(void *ctx, const char *dir, const char *name, const struct sl_spool_cfg *cfg,
		  struct sl_spool **out, char *err, size_t errlen)
{
	struct sl_spool *s;
	int rc;

	*out = NULL;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create spool directory: %s", dir, strerror(-rc));
		return rc;
	}
	s = talloc_zero(ctx, struct sl_spool);
	if (!s)
		return -ENOMEM;
	s->wfd = -1;
	s->dir_fd = -1;
	s->dir = talloc_strdup(s, dir);
	s->name = talloc_strdup(s, name);
	s->cfg = *cfg;
	if (!s->cfg.fsync_interval_ms)
		s->cfg.fsync_interval_ms = 10;
	if (!s->cfg.max_bytes)
		s->cfg.max_bytes = 1ull << 30;
	if (!s->cfg.segment_bytes)
		s->cfg.segment_bytes = 16ull << 20;
	if (!s->cfg.max_record)
		s->cfg.max_record = 4u << 20;
	osmo_timer_setup(&s->commit_timer, commit_timer_cb, s);
	osmo_timer_setup(&s->persist_timer, persist_timer_cb, s);
	s->ctrs = rate_ctr_group_alloc(s, &sl_spool_ctrg_desc, spool_ctrg_index++);
	if (!s->dir || !s->name || !s->ctrs) {
		talloc_free(s);
		return -ENOMEM;
	}
	rate_ctr_group_set_name(s->ctrs, name);
	s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open spool directory: %s", dir, strerror(-rc));
		rate_ctr_group_free(s->ctrs);
		s->ctrs = NULL;
		talloc_free(s);
		return rc;
	}
	talloc_set_destructor(s, spool_destructor);
	rc = sl_spool_recover(s, err, errlen);
	if (rc < 0) {
		/* Nothing to persist from a spool that failed to open. */
		talloc_set_destructor(s, NULL);
		if (s->wfd >= 0)
			close(s->wfd);
		close(s->dir_fd);
		rate_ctr_group_free(s->ctrs);
		talloc_free(s);
		return rc;
	}
	sl_spool_persist_release(s); /* segments a crash left after their release */
	LOGP(DSLSPOOL, LOGL_INFO,
	     "spool %s: opened %s: %u segments, records %" PRIu64 "..%" PRIu64 " undelivered\n", name, dir,
	     s->nsegs, s->released_id + 1, s->last_id);
	*out = s;
	return 0;
}
