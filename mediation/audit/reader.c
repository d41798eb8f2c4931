/*
 * The log directory reader (see reader.h): lists segments, maps each one,
 * checks its header chains on from the previous segment, and hands each
 * framed record to the caller. The torn-tail rule applies only to the
 * last segment: a bad frame anywhere else is damage.
 */
#include "mediation/audit/reader.h"

#include "mediation/audit/nodes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#define SEG_PREFIX "audit-"
#define SEG_SUFFIX ".seg"

void sl_audit_seg_name(uint64_t first, char *out, size_t cap)
{
	snprintf(out, cap, SEG_PREFIX "%020" PRIu64 SEG_SUFFIX, first);
}

/* "audit-" 20 digits ".seg" exactly; anything else in the directory is not ours. */
static bool parse_seg_name(const char *name, uint64_t *first)
{
	uint64_t v = 0;
	size_t i;

	if (strlen(name) != 6 + 20 + 4 || strncmp(name, SEG_PREFIX, 6) != 0 || strcmp(name + 26, SEG_SUFFIX) != 0)
		return false;
	for (i = 6; i < 26; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(name[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*first = v;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int sl_audit_list_segments(void *ctx, const char *dir, uint64_t **firsts, char ***paths, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t *f = NULL, v;
	unsigned cnt = 0, i;
	char name[40];

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (!parse_seg_name(de->d_name, &v))
			continue;
		f = talloc_realloc(ctx, f, uint64_t, cnt + 1);
		if (!f) {
			closedir(d);
			return -ENOMEM;
		}
		f[cnt++] = v;
	}
	closedir(d);
	if (cnt)
		qsort(f, cnt, sizeof(*f), cmp_u64);
	*paths = talloc_array(ctx, char *, cnt ? cnt : 1);
	if (!*paths)
		return -ENOMEM;
	for (i = 0; i < cnt; i++) {
		sl_audit_seg_name(f[i], name, sizeof(name));
		(*paths)[i] = talloc_asprintf(*paths, "%s/%s", dir, name);
		if (!(*paths)[i])
			return -ENOMEM;
	}
	*firsts = f;
	*n = cnt;
	return 0;
}

struct seg_ctx {
	const char *file;
	uint64_t seq;
	sl_audit_rec_fn fn;
	void *arg;
};

static int on_entry(void *arg, const struct sl_audit_entry *e)
{
	struct seg_ctx *s = arg;
	struct sl_audit_rec r;
	int rc = 0;

	r.seq = s->seq;
	r.file = s->file;
	r.off = e->off;
	r.data = e->data;
	r.len = e->len;
	memcpy(r.leaf, e->leaf, SL_AUDIT_HASH_LEN);
	if (s->fn)
		rc = s->fn(s->arg, &r);
	s->seq++;
	return rc;
}

static void set_problem(void *ctx, struct sl_audit_read_res *res, int problem, const char *file, uint64_t off)
{
	res->problem = problem;
	talloc_free(res->file);
	res->file = talloc_strdup(ctx, file);
	res->off = off;
}

int sl_audit_read_segment_buf(void *ctx, struct sl_audit_hasher *h, const char *name, const uint8_t *buf,
			      size_t len, uint64_t expect_first, bool last, sl_audit_rec_fn fn, void *arg,
			      struct sl_audit_read_res *res)
{
	struct sl_audit_scan_res sr;
	struct seg_ctx s = { .file = name, .fn = fn, .arg = arg };
	uint64_t first;
	int rc;

	if (sl_audit_check_file_header(buf, len, SL_AUDIT_SEG_MAGIC, &first) != 0) {
		/* A new segment whose header a crash cut short is the tail of the log. */
		if (last && len < SL_AUDIT_FILE_HDR && memcmp(buf, SL_AUDIT_SEG_MAGIC, len < 8 ? len : 8) == 0) {
			set_problem(ctx, res, SL_AP_REC_TORN, name, 0);
			res->torn_whole_file = true;
			res->torn_off = 0;
			res->torn_len = len;
		} else {
			set_problem(ctx, res, SL_AP_SEG_HEADER, name, 0);
		}
		return 0;
	}
	if (expect_first != UINT64_MAX && first != expect_first) {
		set_problem(ctx, res, SL_AP_SEG_GAP, name, 8);
		return 0;
	}
	s.seq = first;
	rc = sl_audit_scan_frames(h, buf, len, SL_AUDIT_FILE_HDR, last, on_entry, &s, &sr);
	res->records += sr.entries;
	if (rc)
		return rc;
	if (sr.problem >= 0) {
		set_problem(ctx, res, sr.problem, name, sr.problem_off);
		if (sr.problem == SL_AP_REC_TORN) {
			res->torn_off = sr.problem_off;
			res->torn_len = len - sr.problem_off;
		}
	}
	return 0;
}

int sl_audit_read_log(void *ctx, struct sl_audit_hasher *h, const char *dir, sl_audit_rec_fn fn, void *arg,
		      struct sl_audit_read_res *res)
{
	void *tmp = talloc_new(ctx);
	uint64_t *firsts;
	char **paths;
	unsigned n, i;
	int rc;

	memset(res, 0, sizeof(*res));
	res->problem = -1;
	rc = sl_audit_list_segments(tmp, dir, &firsts, &paths, &n);
	if (rc < 0) {
		set_problem(ctx, res, SL_AP_IO, dir, 0);
		talloc_free(tmp);
		return rc;
	}
	res->segments = n;
	if (n == 0) {
		set_problem(ctx, res, SL_AP_SEG_NONE, dir, 0);
		talloc_free(tmp);
		return 0;
	}
	for (i = 0; i < n && res->problem < 0; i++) {
		struct stat st;
		const uint8_t *map = NULL;
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

		if (firsts[i] != res->records) {
			set_problem(ctx, res, SL_AP_SEG_GAP, paths[i], 0);
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0 || fstat(fd, &st) != 0) {
			set_problem(ctx, res, SL_AP_IO, paths[i], 0);
			if (fd >= 0)
				close(fd);
			break;
		}
		if (st.st_size > 0) {
			map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (map == MAP_FAILED) {
				set_problem(ctx, res, SL_AP_IO, paths[i], 0);
				close(fd);
				break;
			}
			madvise((void *)map, (size_t)st.st_size, MADV_SEQUENTIAL);
		}
		close(fd);
		rc = sl_audit_read_segment_buf(ctx, h, paths[i], map ? map : (const uint8_t *)"", (size_t)st.st_size,
					       firsts[i], i + 1 == n, fn, arg, res);
		if (map)
			munmap((void *)map, (size_t)st.st_size);
		talloc_free(res->last_seg);
		res->last_seg = talloc_strdup(ctx, paths[i]);
		res->last_seg_first = firsts[i];
		if (rc) {
			talloc_free(tmp);
			return rc;
		}
	}
	talloc_free(tmp);
	return 0;
}

int sl_audit_read_one(void *ctx, struct sl_audit_hasher *h, const char *dir, uint64_t seq, uint8_t **data,
		      size_t *len, uint8_t leaf[SL_AUDIT_HASH_LEN])
{
	void *tmp = talloc_new(ctx);
	uint64_t *firsts, first, at;
	char **paths;
	unsigned n, i;
	struct stat st;
	const uint8_t *map;
	size_t off, size;
	int fd, rc;

	rc = sl_audit_list_segments(tmp, dir, &firsts, &paths, &n);
	if (rc < 0 || n == 0) {
		talloc_free(tmp);
		return rc < 0 ? rc : -ENOENT;
	}
	for (i = n; i-- > 0;)
		if (firsts[i] <= seq)
			break;
	if (i == UINT32_MAX || firsts[i] > seq) {
		talloc_free(tmp);
		return -ENOENT;
	}
	fd = open(paths[i], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < SL_AUDIT_FILE_HDR) {
		rc = fd < 0 ? -errno : -EBADMSG;
		if (fd >= 0)
			close(fd);
		talloc_free(tmp);
		return rc;
	}
	size = (size_t)st.st_size;
	{
		/* records.idx gives the frame's offset: two reads instead of a walk. */
		char *ip = talloc_asprintf(tmp, "%s/" SL_AUDIT_RECIDX_FILE, dir);
		int ifd = ip ? open(ip, O_RDONLY | O_CLOEXEC) : -1;
		uint8_t fh[SL_AUDIT_FRAME_HDR];
		uint64_t o;

		if (ifd >= 0 && sl_audit_recidx_get(ifd, seq, &o) && o + SL_AUDIT_FRAME_HDR <= size &&
		    pread(fd, fh, sizeof(fh), (off_t)o) == (ssize_t)sizeof(fh)) {
			uint32_t l = sl_audit_get_be32(fh);
			uint8_t *d;

			if (l && l <= SL_AUDIT_MAX_ENTRY && l <= size - o - SL_AUDIT_FRAME_HDR &&
			    (d = talloc_size(ctx, (size_t)l + 1)) != NULL) {
				if (pread(fd, d, l, (off_t)(o + SL_AUDIT_FRAME_HDR)) == (ssize_t)l) {
					sl_audit_leaf_hash(h, d, l, leaf);
					d[l] = '\0';
					if (memcmp(leaf, fh + 4, 4) == 0) {
						close(ifd);
						close(fd);
						*data = d;
						*len = l;
						talloc_free(tmp);
						return 0;
					}
				}
				talloc_free(d);
			}
		}
		if (ifd >= 0)
			close(ifd);
	}
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		talloc_free(tmp);
		return -EIO;
	}
	rc = -ENOENT;
	if (sl_audit_check_file_header(map, size, SL_AUDIT_SEG_MAGIC, &first) == 0 && first == firsts[i]) {
		for (at = first, off = SL_AUDIT_FILE_HDR; size - off >= SL_AUDIT_FRAME_HDR; at++) {
			uint32_t l = sl_audit_get_be32(map + off);

			if (l == 0 || l > SL_AUDIT_MAX_ENTRY || l > size - off - SL_AUDIT_FRAME_HDR) {
				rc = -EBADMSG;
				break;
			}
			if (at == seq) {
				sl_audit_leaf_hash(h, map + off + SL_AUDIT_FRAME_HDR, l, leaf);
				if (memcmp(leaf, map + off + 4, 4) != 0) {
					rc = -EBADMSG;
					break;
				}
				*data = talloc_size(ctx, (size_t)l + 1);
				if (!*data) {
					rc = -ENOMEM;
					break;
				}
				memcpy(*data, map + off + SL_AUDIT_FRAME_HDR, l);
				(*data)[l] = '\0';
				*len = l;
				rc = 0;
				break;
			}
			off += SL_AUDIT_FRAME_HDR + l;
		}
	}
	munmap((void *)map, size);
	talloc_free(tmp);
	return rc;
}
