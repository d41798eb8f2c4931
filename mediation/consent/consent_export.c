/*
 * JSON Lines export to one data recipient, in batches appended to
 * rotating segment files (consent_export.h, docs/consent.md "Exports").
 *
 * A batch is kept in memory until it closes; it is then written to the
 * segment with one write loop, the segment is fsynced (and the directory,
 * when the segment is new), its SHA-256 is computed over exactly the bytes
 * written, and the callback reports it. A batch whose write or fsync
 * fails is dropped and counted; the segment is cut back to where the
 * batch began (the bytes that did reach it are not a batch anyone
 * accounted, and a reader or the JetStream publisher would otherwise take
 * its complete lines for exported records) and abandoned, so a torn batch
 * is never followed by another in the same file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <talloc.h>

#include "mediation/consent/consent_export.h"

#define SUBJECT_TAG_MAX 128
#define SUBJECT_SLOTS (2 * SL_CX_BATCH_SUBJECTS_MAX) /* open addressing, load at most 1/2 */

struct sl_cx_export {
	struct sl_cx_export_cfg cfg;
	sl_cx_batch_cb cb, prepare, abort;
	void *cb_data;
	int dirfd;
	/* current segment */
	int fd;				/* -1: none open */
	unsigned seg_no;
	char seg_name[160];
	uint64_t seg_bytes;
	int64_t seg_first_us;
	unsigned seg_batches;
	/* open batch */
	char *buf;
	size_t len, cap;
	unsigned records;
	int64_t batch_first_us;
	char (*subjects)[SUBJECT_TAG_MAX];
	char (*identities)[SUBJECT_TAG_MAX];	/* in memory only, for the ledger: never written */
	unsigned *counts;			/* records per subject in the open batch */
	unsigned n_subjects;
	uint16_t *slot;			/* SUBJECT_SLOTS entries: subject index + 1, 0 empty */
	struct sl_cx_export_stats st;
};

static int export_destructor(struct sl_cx_export *x)
{
	if (x->fd >= 0)
		close(x->fd);
	if (x->dirfd >= 0)
		close(x->dirfd);
	return 0;
}

/* The highest NNNNNN of RECIPIENT.NNNNNN.jsonl in the directory, 0 if none. */
static unsigned highest_segment(int dirfd, const char *recipient)
{
	size_t rl = strlen(recipient);
	unsigned best = 0;
	struct dirent *de;
	DIR *dir;
	int fd = dup(dirfd);

	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		const char *n = de->d_name;
		char *end;
		unsigned long v;

		if (strncmp(n, recipient, rl) || n[rl] != '.')
			continue;
		errno = 0;
		v = strtoul(n + rl + 1, &end, 10);
		if (errno || end != n + rl + 7 || strcmp(end, ".jsonl"))
			continue;
		if (v > best && v < 1000000)
			best = (unsigned)v;
	}
	closedir(dir);
	return best;
}

struct sl_cx_export *sl_cx_export_open(void *ctx, const struct sl_cx_export_cfg *cfg, sl_cx_batch_cb cb, void *data,
				       char **err)
{
	struct sl_cx_export *x = talloc_zero(ctx, struct sl_cx_export);

	*err = NULL;
	if (!x)
		return NULL;
	x->fd = -1;
	x->dirfd = -1;
	talloc_set_destructor(x, export_destructor);
	x->cfg = *cfg;
	x->cfg.dir = talloc_strdup(x, cfg->dir);
	x->cfg.recipient = talloc_strdup(x, cfg->recipient);
	if (!x->cfg.batch_records)
		x->cfg.batch_records = 1000;
	if (!x->cfg.batch_seconds)
		x->cfg.batch_seconds = 60;
	if (!x->cfg.rotate_bytes)
		x->cfg.rotate_bytes = 64ull << 20;
	if (!x->cfg.rotate_seconds)
		x->cfg.rotate_seconds = 3600;
	x->cb = cb;
	x->cb_data = data;
	x->subjects = talloc_zero_size(x, (size_t)SL_CX_BATCH_SUBJECTS_MAX * SUBJECT_TAG_MAX);
	x->identities = talloc_zero_size(x, (size_t)SL_CX_BATCH_SUBJECTS_MAX * SUBJECT_TAG_MAX);
	x->counts = talloc_zero_array(x, unsigned, SL_CX_BATCH_SUBJECTS_MAX);
	x->slot = talloc_zero_array(x, uint16_t, SUBJECT_SLOTS);
	if (mkdir(cfg->dir, 0750) < 0 && errno != EEXIST) {
		*err = talloc_asprintf(ctx, "export directory %s: %s", cfg->dir, strerror(errno));
		talloc_free(x);
		return NULL;
	}
	x->dirfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->dirfd < 0 || !x->subjects || !x->slot) {
		*err = talloc_asprintf(ctx, "export directory %s: %s", cfg->dir, strerror(errno));
		talloc_free(x);
		return NULL;
	}
	x->seg_no = highest_segment(x->dirfd, cfg->recipient);
	return x;
}

static void close_segment(struct sl_cx_export *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

static int open_segment(struct sl_cx_export *x, int64_t now_us)
{
	if (x->seg_no >= 999999)
		return -ENOSPC;
	x->seg_no++;
	snprintf(x->seg_name, sizeof(x->seg_name), "%s.%06u.jsonl", x->cfg.recipient, x->seg_no);
	x->fd = openat(x->dirfd, x->seg_name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
	if (x->fd < 0)
		return -errno;
	if (fsync(x->dirfd) < 0) {
		close_segment(x);
		return -EIO;
	}
	x->seg_bytes = 0;
	x->seg_batches = 0;
	x->seg_first_us = now_us;
	x->st.segments++;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void sl_cx_digest_text(const unsigned char md[32], char out[7 + 64 + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
}

static void hexdigest(const char *p, size_t n, char out[7 + 64 + 1])
{
	unsigned char md[32];
	unsigned len = 0;

	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		memset(md, 0, sizeof(md));
	sl_cx_digest_text(md, out);
}

int sl_cx_export_flush(struct sl_cx_export *x)
{
	const char *subj[SL_CX_BATCH_SUBJECTS_MAX], *idents[SL_CX_BATCH_SUBJECTS_MAX];
	char id[32], digest[72];
	struct sl_cx_batch b;
	unsigned i;
	int rc = 0;

	if (!x->records)
		return 0;
	if (x->st.torn_left) { /* a failed batch could not be cut from the segment: nothing more is written */
		x->st.write_failed++;
		rc = -EIO;
		goto out;
	}
	if (x->fd >= 0 && x->seg_batches &&
	    (x->seg_bytes + x->len > x->cfg.rotate_bytes ||
	     x->batch_first_us - x->seg_first_us >= (int64_t)x->cfg.rotate_seconds * 1000000))
		close_segment(x);
	if (x->fd < 0)
		rc = open_segment(x, x->batch_first_us);
	if (rc) {
		x->st.write_failed++;
		goto out;
	}
	snprintf(id, sizeof(id), "%06u-%06u", x->seg_no, x->seg_batches + 1);
	hexdigest(x->buf, x->len, digest);
	for (i = 0; i < x->n_subjects; i++) {
		subj[i] = x->subjects[i];
		idents[i] = x->identities[i][0] ? x->identities[i] : NULL;
	}
	b = (struct sl_cx_batch){ .recipient = x->cfg.recipient, .batch_id = id, .segment = x->seg_name, .seg_no = x->seg_no,
				  .offset = x->seg_bytes, .len = x->len, .records = x->records, .digest = digest,
				  .subjects = subj, .n_subjects = x->n_subjects, .identities = idents,
				  .counts = x->counts };
	/*
	 * The caller records the batch before its bytes exist (a durable
	 * pending row). Refused (a registry locked by an import, a full disk):
	 * the batch is held, not lost, and offered again later.
	 */
	if (x->prepare && x->prepare(x->cb_data, &b) < 0) {
		x->st.prepare_failed++;
		x->st.held = true;
		return -EAGAIN;
	}
	x->st.held = false;
	rc = write_all(x->fd, x->buf, x->len);
	if (!rc && fdatasync(x->fd) < 0)
		rc = -EIO;
	if (rc) {
		x->st.write_failed++;
		if (ftruncate(x->fd, (off_t)x->seg_bytes) < 0 || fdatasync(x->fd) < 0) {
			/*
			 * The torn batch stays the end of the highest segment, which no
			 * reader takes as complete and the publisher reads only up to the
			 * last whole batch; its pending row stays (no abort) so that the
			 * next start cuts it. Writing on, in a new segment, would make it
			 * look complete: nothing more is written until then.
			 */
			x->st.torn_left++;
			goto out;
		}
		if (x->abort)
			x->abort(x->cb_data, &b);
		close_segment(x);
		goto out;
	}
	x->seg_bytes += x->len;
	x->seg_batches++;
	x->st.batches++;
	x->st.records += x->records;
	x->st.bytes += x->len;
	if (x->cb && x->cb(x->cb_data, &b) < 0)
		x->st.report_failed++;
out:
	x->len = 0;
	x->records = 0;
	memset(x->counts, 0, x->n_subjects * sizeof(*x->counts));
	x->n_subjects = 0;
	memset(x->slot, 0, SUBJECT_SLOTS * sizeof(*x->slot));
	return rc;
}

int sl_cx_export_cut(const char *dir, const char *segment, uint64_t off, uint64_t len, uint64_t *cut)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = dirfd < 0 ? -1 : openat(dirfd, segment, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	int rc = 0;

	*cut = 0;
	if (fd < 0) {
		/* no segment: nothing of the batch reached the disk; no directory: something else is wrong */
		rc = dirfd >= 0 && errno == ENOENT ? 0 : -errno;
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = -EIO;
		goto out;
	}
	if ((uint64_t)sb.st_size > off + len) {
		rc = -EUCLEAN;
		goto out;
	}
	if ((uint64_t)sb.st_size > off) {
		if (ftruncate(fd, (off_t)off) < 0 || fdatasync(fd) < 0) {
			rc = -errno;
			goto out;
		}
		*cut = (uint64_t)sb.st_size - off;
	}
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

void sl_cx_export_set_prepare(struct sl_cx_export *x, sl_cx_batch_cb prepare, sl_cx_batch_cb abort)
{
	x->prepare = prepare;
	x->abort = abort;
}

int sl_cx_export_tick(struct sl_cx_export *x, int64_t now_us)
{
	if (x->records && (x->st.held || now_us - x->batch_first_us >= (int64_t)x->cfg.batch_seconds * 1000000))
		return sl_cx_export_flush(x);
	return 0;
}

/*
 * The slot of subject s in the batch's set: the slot holding it, or the
 * empty slot where it belongs. Tags are pseudonyms (keyed hashes) the
 * caller made, so a plain FNV-1a spreads them; at most half the slots
 * are ever full, so the probe ends.
 */
static unsigned subject_slot(const struct sl_cx_export *x, const char *s)
{
	uint32_t h = 2166136261u;
	const char *p;
	unsigned i;

	for (p = s; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (i = h % SUBJECT_SLOTS;; i = (i + 1) % SUBJECT_SLOTS)
		if (!x->slot[i] || !strcmp(x->subjects[x->slot[i] - 1], s))
			return i;
}

int sl_cx_export_add(struct sl_cx_export *x, int64_t now_us, const char *line, size_t len, const char *subject,
		     const char *identity)
{
	int rc = 0;
	bool new_subject;
	unsigned k;

	if (strlen(subject) >= SUBJECT_TAG_MAX || (identity && strlen(identity) >= SUBJECT_TAG_MAX))
		return -EINVAL;
	/* a held batch is offered again by ticks and flushes only: here it only grows, within its bounds */
	if (!x->st.held) {
		rc = sl_cx_export_tick(x, now_us);
		if (rc == -EAGAIN)
			rc = 0;
	}
	new_subject = !x->slot[subject_slot(x, subject)];
	if (new_subject && x->n_subjects == SL_CX_BATCH_SUBJECTS_MAX && !x->st.held) {
		int r = sl_cx_export_flush(x);
		if (r && r != -EAGAIN)
			rc = r;
	}
	if (x->st.held && ((new_subject && x->n_subjects == SL_CX_BATCH_SUBJECTS_MAX) ||
			   x->len + len > SL_CX_HELD_MAX_BYTES)) {
		x->st.dropped++;
		return -ENOSPC;
	}
	if (x->len + len > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		char *nb;
		while (cap < x->len + len)
			cap *= 2;
		nb = talloc_realloc(x, x->buf, char, cap);
		if (!nb)
			return -ENOMEM;
		x->buf = nb;
		x->cap = cap;
	}
	if (!x->records)
		x->batch_first_us = now_us;
	memcpy(x->buf + x->len, line, len);
	x->len += len;
	x->records++;
	if (new_subject) {
		memcpy(x->subjects[x->n_subjects], subject, strlen(subject) + 1);
		if (identity)
			memcpy(x->identities[x->n_subjects], identity, strlen(identity) + 1);
		else
			x->identities[x->n_subjects][0] = 0;
		x->slot[subject_slot(x, subject)] = (uint16_t)++x->n_subjects;
	}
	k = x->slot[subject_slot(x, subject)] - 1u;
	x->counts[k]++;
	if (x->records >= x->cfg.batch_records && !x->st.held) {
		int r = sl_cx_export_flush(x);
		if (r && r != -EAGAIN)
			rc = r;
	}
	return rc;
}

void sl_cx_export_stats(const struct sl_cx_export *x, struct sl_cx_export_stats *st)
{
	*st = x->st;
}
