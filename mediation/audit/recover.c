/*
 * Opening an audit log: lock, recovery and the log.open record.
 *
 * Recovery trusts nothing but the bytes and the signing key: it reads
 * checkpoints.log (cutting a torn last entry), reads every segment
 * rebuilding the tree (cutting a torn last record, reporting file and
 * offset), and then insists that the latest checkpoint's size is at most
 * the records found and that its root is the rebuilt tree's root at that
 * size. Anything else (damage in the middle, a checkpoint covering
 * records that are gone, a root that does not match) fails the open with
 * -EBADMSG and a message: a log that no longer matches what was signed
 * is for an auditor to look at, not for the writer to paper over.
 */
#include "mediation/audit/audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "mediation/audit/audit_logcat.h"
#include "mediation/audit/canon.h"
#include "mediation/audit/frame.h"
#include "mediation/audit/keys.h"
#include "mediation/audit/reader.h"

struct ckl_scan {
	struct sl_audit_log *log;
	const char *why;
	uint64_t bad_off;
	bool bad;
	struct sl_audit_ckpt last;
	const uint8_t *last_note;
	size_t last_len;
	bool have;
};

static int on_ckpt(void *arg, const struct sl_audit_entry *e)
{
	struct ckl_scan *s = arg;
	struct sl_audit_ckpt c;
	const char *why = NULL;
	enum sl_audit_note_res r = sl_audit_ckpt_open(e->data, e->len, sl_audit_skey_vkey(s->log->key), &c, &why);

	if (r != SL_NOTE_OK || strcmp(c.origin, s->log->cfg.origin) != 0 ||
	    (s->have && (c.size < s->last.size || c.time_us < s->last.time_us))) {
		s->bad = true;
		s->bad_off = e->off;
		s->why = r == SL_NOTE_SYNTAX ? why
			 : r != SL_NOTE_OK   ? "not signed by this log's key"
			 : strcmp(c.origin, s->log->cfg.origin) ? "origin is not this log's"
							       : "size or time goes backwards";
		return 1;
	}
	s->last = c;
	s->last_note = e->data;
	s->last_len = e->len;
	s->have = true;
	return 0;
}

/* Reads checkpoints.log, cuts a torn tail, leaves it open for appending. */
static int recover_checkpoints(struct sl_audit_log *log, char **err, void *ectx)
{
	struct ckl_scan s = { .log = log };
	struct sl_audit_scan_res res;
	struct stat st;
	uint8_t *map = NULL;
	int fd, rc;

	fd = openat(log->dir_fd, SL_AUDIT_CKL_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		*err = talloc_asprintf(ectx, "%s/" SL_AUDIT_CKL_FILE ": %s", log->cfg.dir, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	log->ckl_fd = fd;
	if (st.st_size == 0) {
		uint8_t hdr[SL_AUDIT_FILE_HDR];

		sl_audit_file_header(hdr, SL_AUDIT_CKL_MAGIC, 0);
		rc = sl_audit_write_all(fd, hdr, sizeof(hdr));
		if (rc == 0 && !log->cfg.no_fsync && fsync(fd) != 0)
			rc = -errno;
		if (rc == 0)
			rc = sl_audit_fsync_dir(log);
		if (rc < 0)
			*err = talloc_asprintf(ectx, "%s/" SL_AUDIT_CKL_FILE ": %s", log->cfg.dir, strerror(-rc));
		return rc;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		*err = talloc_asprintf(ectx, "%s/" SL_AUDIT_CKL_FILE ": %s", log->cfg.dir, strerror(-rc));
		return rc;
	}
	{
		uint64_t zero;

		if (sl_audit_check_file_header(map, (size_t)st.st_size, SL_AUDIT_CKL_MAGIC, &zero) != 0 || zero != 0) {
			*err = talloc_asprintf(ectx, "%s/" SL_AUDIT_CKL_FILE ": bad header (checkpoint.frame)",
					       log->cfg.dir);
			munmap(map, (size_t)st.st_size);
			return -EBADMSG;
		}
	}
	sl_audit_scan_frames(log->h, map, (size_t)st.st_size, SL_AUDIT_FILE_HDR, true, on_ckpt, &s, &res);
	if (s.bad || (res.problem >= 0 && res.problem != SL_AP_REC_TORN)) {
		*err = talloc_asprintf(ectx, "%s/" SL_AUDIT_CKL_FILE " offset %" PRIu64 ": %s", log->cfg.dir,
				       s.bad ? s.bad_off : (uint64_t)res.problem_off,
				       s.bad ? s.why : "damaged entry with entries after it (checkpoint.frame)");
		munmap(map, (size_t)st.st_size);
		return -EBADMSG;
	}
	if (s.have) {
		log->ckpt_size = s.last.size;
		log->ckpt_time_us = s.last.time_us;
		log->ckpt_note = talloc_strndup(log, (const char *)s.last_note, s.last_len);
		log->rec.checkpoint_size = s.last.size;
	}
	munmap(map, (size_t)st.st_size);
	if (res.problem == SL_AP_REC_TORN) {
		LOGP(DSLAUDIT, LOGL_NOTICE, "audit %s: cutting a torn checkpoint at " SL_AUDIT_CKL_FILE
		     " offset %zu (%zu bytes)\n", log->cfg.dir, res.problem_off,
		     (size_t)st.st_size - res.problem_off);
		if (ftruncate(fd, (off_t)res.problem_off) != 0 || (!log->cfg.no_fsync && fsync(fd) != 0)) {
			rc = -errno;
			*err = talloc_asprintf(ectx, "%s/" SL_AUDIT_CKL_FILE ": cannot cut: %s", log->cfg.dir,
					       strerror(-rc));
			return rc;
		}
		log->rec.ckpt_torn = true;
	}
	if (lseek(fd, 0, SEEK_END) < 0)
		return -errno;
	return 0;
}

struct rebuild {
	struct sl_audit_log *log;
	bool have_root;
	uint8_t root_at_ckpt[SL_AUDIT_HASH_LEN];
	int64_t time_at_ckpt;
	bool time_bad;
};

static void time_member(void *arg, const char *key, size_t klen, const uint8_t *val, size_t vlen)
{
	int64_t *t = arg;

	if (klen == 4 && memcmp(key, "time", 4) == 0)
		sl_audit_canon_int(val, vlen, t);
}

static int on_record(void *arg, const struct sl_audit_rec *r)
{
	struct rebuild *b = arg;
	struct sl_audit_log *log = b->log;
	size_t off;
	int64_t t = -1;

	sl_audit_frontier_push(&log->tree, log->h, r->leaf, log->nodes ? sl_audit_nodes_emit : NULL, log->nodes);
	if (log->recidx)
		sl_audit_recidx_put(log->recidx, r->off);
	sl_audit_canon_check(r->data, r->len, &off, time_member, &t);
	if (t > log->last_time_us)
		log->last_time_us = t;
	if (log->tree.size == log->ckpt_size && log->ckpt_size > 0) {
		sl_audit_frontier_root(&log->tree, log->h, b->root_at_ckpt);
		b->have_root = true;
		b->time_at_ckpt = log->last_time_us;
	}
	return 0;
}

int sl_audit_recover(struct sl_audit_log *log, char **err, void *ectx)
{
	struct rebuild b = { .log = log };
	struct sl_audit_read_res res;
	struct sl_audit_ckpt latest;
	void *tmp = talloc_new(log);
	int rc, fd;

	rc = recover_checkpoints(log, err, ectx);
	if (rc < 0)
		goto out;
	if (!log->cfg.no_node_file) {
		log->nodes = sl_audit_nodes_open(log, log->cfg.dir);
		log->recidx = sl_audit_recidx_open(log, log->cfg.dir);
	}
	rc = sl_audit_read_log(tmp, log->h, log->cfg.dir, on_record, &b, &res);
	if (rc < 0) {
		*err = talloc_asprintf(ectx, "%s: %s", log->cfg.dir, strerror(-rc));
		goto out;
	}
	rc = 0;
	if (res.problem >= 0 && res.problem != SL_AP_SEG_NONE && res.problem != SL_AP_REC_TORN) {
		*err = talloc_asprintf(ectx, "%s offset %" PRIu64 " (record %" PRIu64 "): %s (%s); not cutting",
				       res.file ? res.file : log->cfg.dir, res.off, res.records,
				       sl_audit_problem_desc(res.problem), sl_audit_problem_name(res.problem));
		rc = res.problem == SL_AP_IO ? -EIO : -EBADMSG;
		goto out;
	}
	if (res.problem == SL_AP_SEG_NONE && log->ckpt_size > 0) {
		*err = talloc_asprintf(ectx, "%s: no segments, but a checkpoint covers %" PRIu64 " records",
				       log->cfg.dir, log->ckpt_size);
		rc = -EBADMSG;
		goto out;
	}
	if (log->ckpt_size > log->tree.size) {
		*err = talloc_asprintf(ectx, "%s: the latest checkpoint covers %" PRIu64 " records, the log holds %" PRIu64
				       " (checkpoint.beyond_log); not opening", log->cfg.dir, log->ckpt_size,
				       log->tree.size);
		rc = -EBADMSG;
		goto out;
	}
	if (log->ckpt_size > 0) {
		const char *why;

		sl_audit_ckpt_parse((const uint8_t *)log->ckpt_note, strlen(log->ckpt_note), &latest, &why);
		if (!b.have_root || memcmp(b.root_at_ckpt, latest.root, SL_AUDIT_HASH_LEN) != 0) {
			*err = talloc_asprintf(ectx, "%s: the log's tree at %" PRIu64 " records differs from the latest "
					       "checkpoint's root (checkpoint.root); not opening", log->cfg.dir,
					       log->ckpt_size);
			rc = -EBADMSG;
			goto out;
		}
	}
	if (res.problem == SL_AP_REC_TORN) {
		LOGP(DSLAUDIT, LOGL_NOTICE, "audit: cutting a torn record: %s offset %" PRIu64 " (%" PRIu64 " bytes)\n",
		     res.file, res.torn_off, res.torn_len);
		log->rec.torn = true;
		snprintf(log->rec.torn_file, sizeof(log->rec.torn_file), "%s", res.file);
		log->rec.torn_offset = res.torn_off;
		log->rec.torn_bytes = res.torn_len;
		if (res.torn_whole_file) {
			if (unlink(res.file) != 0)
				rc = -errno;
		} else {
			fd = open(res.file, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || ftruncate(fd, (off_t)res.torn_off) != 0 || (!log->cfg.no_fsync && fsync(fd) != 0))
				rc = -errno;
			if (fd >= 0)
				close(fd);
		}
		if (rc == 0)
			rc = sl_audit_fsync_dir(log);
		if (rc < 0) {
			*err = talloc_asprintf(ectx, "%s: cannot cut the torn record: %s", res.file, strerror(-rc));
			goto out;
		}
		rate_ctr_inc(rate_ctr_group_get_ctr(log->ctrs, SL_AUDIT_CTR_TORN_CUT));
	}
	log->rec.records = log->tree.size;
	log->durable = log->tree.size;
	if (log->nodes) {
		sl_audit_nodes_flush(log->nodes);
		sl_audit_nodes_end_replay(log->nodes);
	}
	if (log->recidx) {
		sl_audit_nodes_flush(log->recidx);
		sl_audit_nodes_end_replay(log->recidx);
	}

	/* Continue in the last segment, or start one. */
	if (res.last_seg && !(res.problem == SL_AP_REC_TORN && res.torn_whole_file)) {
		struct stat st;

		log->seg_fd = open(res.last_seg, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (log->seg_fd < 0 || fstat(log->seg_fd, &st) != 0) {
			rc = -errno;
			*err = talloc_asprintf(ectx, "%s: %s", res.last_seg, strerror(-rc));
			goto out;
		}
		log->seg_bytes = (uint64_t)st.st_size;
		log->seg_path = talloc_strdup(log, res.last_seg);
	} else {
		rc = sl_audit_start_segment(log);
		if (rc < 0) {
			*err = talloc_asprintf(ectx, "%s: cannot start a segment: %s", log->cfg.dir, strerror(-rc));
			goto out;
		}
	}
	/* The convenience copy may lag checkpoints.log after a crash. */
	if (log->ckpt_note)
		sl_audit_replace_file(log->dir_fd, SL_AUDIT_LATEST_FILE, log->ckpt_note, strlen(log->ckpt_note),
				      !log->cfg.no_fsync);
out:
	talloc_free(tmp);
	return rc;
}

static char *dup_opt(void *ctx, const char *s)
{
	return s ? talloc_strdup(ctx, s) : NULL;
}

int sl_audit_open(void *ctx, const struct sl_audit_cfg *cfg, struct sl_audit_log **out, char **err)
{
	static const struct sl_audit_actor system_actor = { "system", "audit" };
	struct sl_audit_log *log;
	json_t *f;
	int64_t seq;
	int rc;

	*out = NULL;
	if (!cfg->dir || !cfg->key_file || !cfg->origin) {
		*err = talloc_strdup(ctx, "audit: dir, key file and origin are required");
		return -EINVAL;
	}
	if (!sl_audit_key_name_ok(cfg->origin)) {
		*err = talloc_asprintf(ctx, "audit: origin '%s' is not a valid key name (printable ASCII, no space or "
				       "'+')", cfg->origin);
		return -EINVAL;
	}
	log = talloc_zero(ctx, struct sl_audit_log);
	if (!log)
		return -ENOMEM;
	log->cfg = *cfg;
	log->cfg.dir = talloc_strdup(log, cfg->dir);
	log->cfg.key_file = talloc_strdup(log, cfg->key_file);
	log->cfg.origin = talloc_strdup(log, cfg->origin);
	log->cfg.sink_dir = dup_opt(log, cfg->sink_dir);
	log->cfg.sink_cmd = dup_opt(log, cfg->sink_cmd);
	log->cfg.software = talloc_strdup(log, cfg->software ? cfg->software : "sluice");
	if (!log->cfg.checkpoint_records)
		log->cfg.checkpoint_records = 10000;
	if (!log->cfg.checkpoint_ms)
		log->cfg.checkpoint_ms = 60000;
	if (!log->cfg.segment_bytes)
		log->cfg.segment_bytes = 64ull << 20;
	log->dir_fd = log->lock_fd = log->seg_fd = log->ckl_fd = -1;
	log->commit_due = -1;
	log->h = sl_audit_hasher_new(log);
	log->wbuf = talloc_size(log, SL_AUDIT_WBUF);
	log->ctrs = sl_audit_ctrs_alloc(log);
	if (!log->h || !log->wbuf || !log->ctrs) {
		talloc_free(log);
		return -ENOMEM;
	}
	talloc_set_destructor(log, sl_audit_log_destroy);
	log->closing = true; /* until open succeeds, the destructor must not write */

	if (mkdir(log->cfg.dir, 0700) != 0 && errno != EEXIST) {
		rc = -errno;
		*err = talloc_asprintf(ctx, "%s: %s", log->cfg.dir, strerror(-rc));
		goto fail;
	}
	log->dir_fd = open(log->cfg.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (log->dir_fd < 0) {
		rc = -errno;
		*err = talloc_asprintf(ctx, "%s: %s", log->cfg.dir, strerror(-rc));
		goto fail;
	}
	log->lock_fd = openat(log->dir_fd, SL_AUDIT_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (log->lock_fd < 0 || flock(log->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		*err = talloc_asprintf(ctx, "%s: %s", log->cfg.dir,
				       rc == -EBUSY ? "another writer has the log open" : strerror(-rc));
		goto fail;
	}
	log->key = sl_audit_skey_load(log, log->h, log->cfg.key_file, log->cfg.origin, err);
	if (!log->key) {
		*err = talloc_steal(ctx, *err);
		rc = -EPERM;
		goto fail;
	}
	rc = sl_audit_recover(log, err, ctx);
	if (rc < 0)
		goto fail;
	{
		/* A copy of the verifier key next to the log, for convenience (an auditor brings their own). */
		char *vk = talloc_asprintf(log, "%s\n", sl_audit_vkey_format(log, sl_audit_skey_vkey(log->key)));

		if (vk)
			sl_audit_replace_file(log->dir_fd, "verifier.key", vk, strlen(vk), !log->cfg.no_fsync);
		talloc_free(vk);
	}
	log->closing = false;
	log->ckpt_mono = sl_audit_now_mono(log);

	f = json_pack("{s:I,s:s,s:I}", "size", (json_int_t)log->tree.size, "software", log->cfg.software,
		      "torn_bytes", (json_int_t)log->rec.torn_bytes);
	if (f && log->rec.torn) {
		json_object_set_new(f, "torn_file", json_string(log->rec.torn_file));
		json_object_set_new(f, "torn_offset", json_integer((json_int_t)log->rec.torn_offset));
	}
	seq = f ? sl_audit_append(log, "log.open", &system_actor, f, 0) : -ENOMEM;
	json_decref(f);
	if (seq < 0 || (rc = sl_audit_commit(log)) < 0) {
		rc = seq < 0 ? (int)seq : rc;
		*err = talloc_asprintf(ctx, "%s: cannot record log.open: %s", log->cfg.dir, strerror(-rc));
		log->closing = true;
		goto fail;
	}
	*out = log;
	return 0;
fail:
	talloc_free(log);
	return rc;
}
