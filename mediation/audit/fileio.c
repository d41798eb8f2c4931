/*
 * Durable file writes for the audit log: write() until everything is
 * written, and replacing a small file atomically (temporary file, fsync,
 * rename, directory fsync), which the checkpoint copy and the sink
 * directory use. A file of its own so that the writer and the sinks share
 * it without calling into each other.
 */
#include "mediation/audit/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int sl_audit_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int sl_audit_replace_file(int dir_fd, const char *name, const void *p, size_t n, bool do_fsync)
{
	char tmp[256];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = sl_audit_write_all(fd, p, n);
	if (rc == 0 && do_fsync && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && renameat(dir_fd, tmp, dir_fd, name) != 0)
		rc = -errno;
	if (rc == 0 && do_fsync && fsync(dir_fd) != 0)
		rc = -errno;
	if (rc)
		unlinkat(dir_fd, tmp, 0);
	return rc;
}
