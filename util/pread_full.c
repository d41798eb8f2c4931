/*
 * pread() until the range is read or the file ends (util/pread_full.h):
 * one loop, with the short-read and EINTR handling, instead of one per
 * caller.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "util/pread_full.h"

ssize_t sl_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	size_t got = 0;

	if (len > SSIZE_MAX)
		return -EINVAL;
	while (got < len) {
		ssize_t r = pread(fd, p + got, len - got, (off_t)(off + got));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}
