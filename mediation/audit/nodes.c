/*
 * The sidecar files tree.nodes and records.idx (see nodes.h): fixed-size
 * elements appended in order. Writing compares first: at open the writer
 * replays the whole log, and while the emitted elements equal the file's
 * bytes nothing is written; from the first difference (or the end of the
 * file) the file is cut and written.
 */
#include "mediation/audit/nodes.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#define BUF_ELEMS 8192

struct sl_audit_nodes {
	size_t esz;	   /* element size: 32 (hashes) or 8 (offsets) */
	int fd;
	bool failed;
	bool comparing;	   /* still reading the old file and comparing */
	uint64_t pos;	   /* hashes emitted */
	uint64_t file_len; /* hashes in the file when opened */
	uint8_t *buf;	   /* pending writes */
	unsigned nbuf;
	uint8_t *cmp;	   /* a chunk of the old file */
	uint64_t cmp_start;
	unsigned cmp_n;
};

static int nodes_free(struct sl_audit_nodes *n)
{
	sl_audit_nodes_flush(n);
	if (n->fd >= 0)
		close(n->fd);
	return 0;
}

static struct sl_audit_nodes *sidecar_open(void *ctx, const char *dir, const char *name, size_t esz)
{
	struct sl_audit_nodes *n = talloc_zero(ctx, struct sl_audit_nodes);
	char *path;
	struct stat st;

	if (!n)
		return NULL;
	n->fd = -1;
	n->esz = esz;
	path = talloc_asprintf(n, "%s/%s", dir, name);
	n->buf = talloc_size(n, BUF_ELEMS * n->esz);
	n->cmp = talloc_size(n, BUF_ELEMS * n->esz);
	if (!path || !n->buf || !n->cmp) {
		talloc_free(n);
		return NULL;
	}
	n->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (n->fd < 0 || fstat(n->fd, &st) != 0) {
		talloc_free(n);
		return NULL;
	}
	talloc_set_destructor(n, nodes_free);
	n->file_len = (uint64_t)st.st_size / esz;
	n->comparing = n->file_len > 0;
	return n;
}

struct sl_audit_nodes *sl_audit_nodes_open(void *ctx, const char *dir)
{
	return sidecar_open(ctx, dir, SL_AUDIT_NODES_FILE, SL_AUDIT_HASH_LEN);
}

struct sl_audit_nodes *sl_audit_recidx_open(void *ctx, const char *dir)
{
	return sidecar_open(ctx, dir, SL_AUDIT_RECIDX_FILE, 8);
}

static void stop_comparing(struct sl_audit_nodes *n)
{
	n->comparing = false;
	if (ftruncate(n->fd, (off_t)(n->pos * n->esz)) != 0)
		n->failed = true;
}

static void put(struct sl_audit_nodes *n, const uint8_t *elem)
{
	size_t esz = n->esz;

	if (n->failed)
		return;
	if (n->comparing) {
		if (n->pos >= n->file_len) {
			stop_comparing(n);
		} else {
			if (n->pos < n->cmp_start || n->pos >= n->cmp_start + n->cmp_n) {
				ssize_t r = pread(n->fd, n->cmp, BUF_ELEMS * esz, (off_t)(n->pos * esz));

				n->cmp_start = n->pos;
				n->cmp_n = r > 0 ? (unsigned)((size_t)r / esz) : 0;
			}
			if (n->pos < n->cmp_start + n->cmp_n &&
			    memcmp(n->cmp + (n->pos - n->cmp_start) * esz, elem, esz) == 0) {
				n->pos++;
				return;
			}
			stop_comparing(n);
		}
	}
	memcpy(n->buf + (size_t)n->nbuf * esz, elem, esz);
	n->nbuf++;
	n->pos++;
	if (n->nbuf == BUF_ELEMS)
		sl_audit_nodes_flush(n);
}

void sl_audit_nodes_end_replay(struct sl_audit_nodes *n)
{
	/* A file longer than the log (after a torn tail was cut) loses its stale end. */
	if (n->comparing && !n->failed)
		stop_comparing(n);
}

void sl_audit_nodes_emit(void *arg, unsigned level, const uint8_t hash[SL_AUDIT_HASH_LEN])
{
	put(arg, hash);
}

void sl_audit_recidx_put(struct sl_audit_nodes *n, uint64_t off)
{
	uint8_t b[8];
	unsigned i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(off >> (56 - 8 * i));
	put(n, b);
}

bool sl_audit_recidx_get(int fd, uint64_t seq, uint64_t *off)
{
	uint8_t b[8];
	unsigned i;

	if (pread(fd, b, 8, (off_t)(seq * 8)) != 8)
		return false;
	for (*off = 0, i = 0; i < 8; i++)
		*off = *off << 8 | b[i];
	return true;
}

int sl_audit_nodes_flush(struct sl_audit_nodes *n)
{
	size_t len = (size_t)n->nbuf * n->esz, done = 0;
	off_t at = (off_t)((n->pos - n->nbuf) * n->esz);

	if (n->failed || !n->nbuf) {
		n->nbuf = 0;
		return n->failed ? -EIO : 0;
	}
	while (done < len) {
		ssize_t w = pwrite(n->fd, n->buf + done, len - done, at + (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			n->failed = true;
			n->nbuf = 0;
			return -EIO;
		}
		done += (size_t)w;
	}
	n->nbuf = 0;
	return 0;
}

static bool read_node(int fd, unsigned level, uint64_t index, uint8_t out[SL_AUDIT_HASH_LEN])
{
	return pread(fd, out, SL_AUDIT_HASH_LEN, (off_t)(sl_audit_node_pos(level, index) * SL_AUDIT_HASH_LEN)) ==
	       SL_AUDIT_HASH_LEN;
}

bool sl_audit_nodes_range(int fd, struct sl_audit_hasher *h, uint64_t a, uint64_t b, uint8_t out[SL_AUDIT_HASH_LEN])
{
	uint8_t l[SL_AUDIT_HASH_LEN], r[SL_AUDIT_HASH_LEN];
	uint64_t n = b - a, k = 1;
	unsigned level = 0;

	if (b <= a)
		return false;
	/* A perfect, aligned subtree is stored: one read. */
	if ((n & (n - 1)) == 0) {
		while ((1ull << level) < n)
			level++;
		if ((a & (n - 1)) == 0)
			return read_node(fd, level, a >> level, out);
	}
	while (k << 1 < n)
		k <<= 1;
	if (!sl_audit_nodes_range(fd, h, a, a + k, l) || !sl_audit_nodes_range(fd, h, a + k, b, r))
		return false;
	sl_audit_node_hash(h, l, r, out);
	return true;
}
