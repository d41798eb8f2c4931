/*
 * Spool recovery at open: rebuild the segment table from the directory,
 * check every record, and tell a torn tail from corruption.
 *
 * A crash can interrupt only the newest append, so a bad record at the end
 * of the last segment with nothing valid after it is a torn write: it is
 * truncated and counted. Anything else is corruption and open fails:
 *   - a bad record (magic, length, CRC) in any segment but the last;
 *   - a bad record in the last segment followed by a valid one further on;
 *   - a record with a good CRC but an unexpected id or logical offset;
 *   - segments that do not follow each other, or a first segment that
 *     starts after the release point (records missing: a gap).
 * The message names the file, the byte offset and the id expected there.
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

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/spool_int.h"

/* Sanity bound for lengths read back: larger than any max_record ever configured. */
#define REC_LEN_SANITY (1u << 30)

static int read_release_file(struct sl_spool *s, char *err, size_t errlen)
{
	char path[4096];
	uint8_t buf[SL_SPOOL_REL_SIZE + 1];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/released.tmp", s->dir);
	unlink(path); /* an unfinished update: the old pointer stands */
	snprintf(path, sizeof(path), "%s/released", s->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != SL_SPOOL_REL_SIZE || !sl_spool_rel_decode(buf, &s->released_id, &s->released_loff_end)) {
		snprintf(err, errlen, "%s: corrupt release pointer (%zd bytes)", path, n);
		return -EBADMSG;
	}
	s->persisted_id = s->released_id;
	s->persisted_loff_end = s->released_loff_end;
	return 0;
}

static bool parse_seg_name(const char *name, uint64_t *first)
{
	char *end;
	unsigned long long v;

	if (strlen(name) != 4 + 20 + 4 || strncmp(name, "seg-", 4) || strcmp(name + 24, ".log"))
		return false;
	for (unsigned i = 4; i < 24; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	errno = 0;
	v = strtoull(name + 4, &end, 10);
	if (errno || end != name + 24 || v == 0)
		return false;
	*first = v;
	return true;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct sl_spool_seg *x = a, *y = b;

	return x->first_id < y->first_id ? -1 : x->first_id > y->first_id;
}

static int list_segments(struct sl_spool *s, char *err, size_t errlen)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	uint64_t first;

	if (!d) {
		snprintf(err, errlen, "%s: %s", s->dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!parse_seg_name(de->d_name, &first))
			continue;
		s->segs = talloc_realloc(s, s->segs, struct sl_spool_seg, s->nsegs + 1);
		if (!s->segs) {
			closedir(d);
			return -ENOMEM;
		}
		s->segs[s->nsegs++] = (struct sl_spool_seg){ .first_id = first, .last_id = first - 1 };
	}
	closedir(d);
	if (s->nsegs)
		qsort(s->segs, s->nsegs, sizeof(s->segs[0]), cmp_seg);
	return 0;
}

/* Is there a complete, CRC-valid record starting anywhere in buf[from..size)? */
static bool valid_record_after(const uint8_t *buf, size_t size, size_t from, size_t *at)
{
	struct sl_spool_hdr h;
	size_t q;

	for (q = from; size - q >= SL_SPOOL_HDR && q < size; q++) {
		if (buf[q] != 0x53 || !sl_spool_hdr_decode(buf + q, &h))
			continue;
		if (h.len > REC_LEN_SANITY || h.len > size - q - SL_SPOOL_HDR)
			continue;
		if (sl_spool_hdr_crc(buf + q, buf + q + SL_SPOOL_HDR, h.len) == h.crc) {
			*at = q;
			return true;
		}
	}
	return false;
}

static int read_file(void *ctx, const char *path, uint8_t **buf, size_t *size)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	*size = (size_t)st.st_size;
	*buf = talloc_size(ctx, *size ? *size : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < *size) {
		n = read(fd, *buf + got, *size - got);
		if (n <= 0) {
			close(fd);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

/*
 * Check one segment. *loff_next carries the logical offset expected next
 * (UINT64_MAX while unknown). Truncates a torn tail if last.
 */
static int scan_segment(struct sl_spool *s, unsigned i, bool last, uint64_t *loff_next, char *err, size_t errlen)
{
	struct sl_spool_seg *seg = &s->segs[i];
	char path[4096];
	struct sl_spool_hdr h;
	const char *why = NULL;
	uint8_t *buf;
	size_t size = 0, off = 0, q; /* size: set by read_file on success; gcc -O2 cannot see it */
	uint64_t expect = seg->first_id;
	int rc, fd;

	sl_spool_seg_path(s, seg->first_id, path, sizeof(path));
	rc = read_file(s, path, &buf, &size);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (off < size) {
		if (size - off < SL_SPOOL_HDR) {
			why = "truncated header";
			break;
		}
		if (!sl_spool_hdr_decode(buf + off, &h)) {
			why = "bad magic";
			break;
		}
		if (h.len == 0 || h.len > REC_LEN_SANITY || h.len > size - off - SL_SPOOL_HDR) {
			why = "length beyond the end of the file";
			break;
		}
		if (sl_spool_hdr_crc(buf + off, buf + off + SL_SPOOL_HDR, h.len) != h.crc) {
			why = "CRC mismatch";
			break;
		}
		if (expect == s->released_id + 1 && *loff_next == UINT64_MAX)
			*loff_next = s->released_loff_end;
		if (h.id != expect || (*loff_next != UINT64_MAX && h.loff != *loff_next)) {
			snprintf(err, errlen,
				 "%s: record at offset %zu has id %" PRIu64 " offset %" PRIu64 " where id %" PRIu64
				 " was expected: spool corrupt",
				 path, off, h.id, h.loff, expect);
			talloc_free(buf);
			return -EBADMSG;
		}
		*loff_next = h.loff + h.len;
		seg->last_id = h.id;
		expect++;
		off += SL_SPOOL_HDR + h.len;
	}
	if (why) {
		if (!last || valid_record_after(buf, size, off + 1, &q)) {
			if (last)
				snprintf(err, errlen,
					 "%s: %s at offset %zu (record id %" PRIu64
					 "), valid records follow at offset %zu: corruption, not a torn write",
					 path, why, off, expect, q);
			else
				snprintf(err, errlen, "%s: %s at offset %zu (record id %" PRIu64 ") in a closed segment",
					 path, why, off, expect);
			talloc_free(buf);
			return -EBADMSG;
		}
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)off) < 0 ||
		    (s->cfg.fsync != SL_SPOOL_FSYNC_NEVER && fsync(fd) < 0)) {
			snprintf(err, errlen, "%s: cannot truncate torn tail: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			talloc_free(buf);
			return -EIO;
		}
		close(fd);
		rate_ctr_inc2(s->ctrs, SL_SPOOL_CTR_TORN);
		LOGP(DSLSPOOL, LOGL_NOTICE,
		     "spool %s: torn record at the end of %s (offset %zu, %zu bytes, %s) truncated; record id %" PRIu64
		     " will be assigned again\n",
		     s->name, path, off, size - off, why, expect);
		size = off;
	}
	seg->size = size;
	talloc_free(buf);
	return 0;
}

static void drop_segment(struct sl_spool *s, unsigned i)
{
	char path[4096];

	sl_spool_seg_path(s, s->segs[i].first_id, path, sizeof(path));
	unlink(path);
	memmove(&s->segs[i], &s->segs[i + 1], (s->nsegs - i - 1) * sizeof(s->segs[0]));
	s->nsegs--;
}

int sl_spool_recover(struct sl_spool *s, char *err, size_t errlen)
{
	char path[4096];
	uint64_t loff_next = UINT64_MAX;
	unsigned i;
	int rc;

	rc = read_release_file(s, err, errlen);
	if (rc < 0)
		return rc;
	rc = list_segments(s, err, errlen);
	if (rc < 0)
		return rc;
	for (i = 0; i < s->nsegs; i++) {
		if (i && s->segs[i].first_id != s->segs[i - 1].last_id + 1) {
			snprintf(err, errlen,
				 "%s: segment starting at id %" PRIu64 " follows one ending at id %" PRIu64
				 ": records missing",
				 s->dir, s->segs[i].first_id, s->segs[i - 1].last_id);
			return -EBADMSG;
		}
		rc = scan_segment(s, i, i == s->nsegs - 1, &loff_next, err, errlen);
		if (rc < 0)
			return rc;
	}
	/* Empty segments (created, then a crash before the first record) carry nothing. */
	for (i = 0; i < s->nsegs;)
		if (s->segs[i].size == 0)
			drop_segment(s, i);
		else
			i++;
	if (s->nsegs && s->segs[0].first_id > s->released_id + 1) {
		snprintf(err, errlen,
			 "%s: oldest record is id %" PRIu64 " but only ids up to %" PRIu64
			 " were released: records missing",
			 s->dir, s->segs[0].first_id, s->released_id);
		return -EBADMSG;
	}
	if (s->nsegs && s->segs[s->nsegs - 1].last_id < s->released_id) {
		/* Everything on disk was delivered (the deletions did not happen before the crash). */
		LOGP(DSLSPOOL, LOGL_NOTICE, "spool %s: all %u segments already released, removing them\n", s->name,
		     s->nsegs);
		while (s->nsegs)
			drop_segment(s, 0);
	}
	s->disk_bytes = 0;
	for (i = 0; i < s->nsegs; i++)
		s->disk_bytes += s->segs[i].size;
	if (s->nsegs) {
		s->last_id = s->segs[s->nsegs - 1].last_id;
		s->loff_end = loff_next;
		if (loff_next == UINT64_MAX) {
			/* Every record on disk is at or below the release point. */
			s->loff_end = s->released_loff_end;
		}
		sl_spool_seg_path(s, s->segs[s->nsegs - 1].first_id, path, sizeof(path));
		s->wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (s->wfd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -errno;
		}
		if (s->cfg.fsync != SL_SPOOL_FSYNC_NEVER)
			fdatasync(s->wfd);
	} else {
		s->last_id = s->released_id;
		s->loff_end = s->released_loff_end;
	}
	s->committed_id = s->last_id;
	return 0;
}
