/*
 * Crash-safe CIN allocation (TS 102 232-1 clauses 5.2.4 and 6.2.2).
 *
 * The state file holds one line, "sluice-cin-state 1 <R>\n", where R is a
 * counter value no CIN handed out so far has reached. Before the counter
 * crosses R a new R (counter + block) is written durably: a temporary
 * file in the same directory is written and fsync'ed, renamed over the
 * state file, and the directory is fsync'ed so the rename itself
 * survives a power loss. After a crash the next run starts its counter
 * at R, above anything the crashed run could have used; at most one
 * block of CINs is skipped. CIN = counter mod max_cin + 1 (0 is left for
 * the CIN-reset TRI of clause 6.2.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "handover/seqno.h"

#define STATE_MAGIC "sluice-cin-state 1 "

struct sl_cin_alloc {
	char *path;
	uint64_t next;     /* counter of the next CIN */
	uint64_t reserved; /* counter values below this are recorded as possibly used */
	uint32_t block, max_cin;
};

static int read_state(const char *path, uint64_t *r)
{
	char buf[64], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned long long v;

	if (fd < 0) {
		if (errno == ENOENT) {
			*r = 0;
			return 0;
		}
		return -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if ((size_t)n < sizeof(STATE_MAGIC) || memcmp(buf, STATE_MAGIC, sizeof(STATE_MAGIC) - 1) != 0)
		return -EINVAL;
	if (buf[sizeof(STATE_MAGIC) - 1] < '0' || buf[sizeof(STATE_MAGIC) - 1] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf + sizeof(STATE_MAGIC) - 1, &end, 10);
	if (errno || strcmp(end, "\n") != 0)
		return -EINVAL;
	*r = v;
	return 0;
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int write_state(const struct sl_cin_alloc *a, uint64_t r)
{
	char tmp[4096], line[64];
	int fd, len, rc = 0;

	len = snprintf(line, sizeof(line), STATE_MAGIC "%llu\n", (unsigned long long)r);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", a->path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, line, (size_t)len) != len)
		rc = errno ? -errno : -EIO;
	else if (fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, a->path) != 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir(a->path);
}

struct sl_cin_alloc *sl_cin_alloc_open(void *ctx, const char *path, uint32_t block, uint32_t max_cin)
{
	struct sl_cin_alloc *a;
	uint64_t r = 0; /* set by the state-file reader on success; gcc -O2 cannot see it */
	int rc;

	if (!path || !path[0] || block == 0 || max_cin == 0) {
		errno = EINVAL;
		return NULL;
	}
	rc = read_state(path, &r);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	if (r > UINT64_MAX - block) {
		errno = EINVAL;
		return NULL;
	}
	a = talloc_zero(ctx, struct sl_cin_alloc);
	if (!a || !(a->path = talloc_strdup(a, path))) {
		talloc_free(a);
		errno = ENOMEM;
		return NULL;
	}
	talloc_set_name_const(a, "sl_cin_alloc");
	a->next = a->reserved = r;
	a->block = block;
	a->max_cin = max_cin;
	return a;
}

int sl_cin_next(struct sl_cin_alloc *a, uint32_t *cin)
{
	int rc;

	if (!a || !cin)
		return -EINVAL;
	if (a->next >= a->reserved) {
		if (a->next > UINT64_MAX - a->block)
			return -EOVERFLOW;
		rc = write_state(a, a->next + a->block);
		if (rc)
			return rc;
		a->reserved = a->next + a->block;
	}
	*cin = (uint32_t)(a->next % a->max_cin) + 1;
	a->next++;
	return 0;
}

uint64_t sl_cin_reserved(const struct sl_cin_alloc *a)
{
	return a->reserved;
}
