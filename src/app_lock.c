/*
 * The state directory lock (see app_lock.h). The descriptor is never
 * closed: closing any descriptor of the file would drop an fcntl lock.
 */
#include "src/app_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sl_app_lock_dir(const char *dir, char *err, size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[4096], pid[32];
	int fd, n;

	if ((size_t)snprintf(path, sizeof(path), "%s/sluiced.lock", dir) >= sizeof(path)) {
		snprintf(err, errlen, "state-dir path too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		struct flock who = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		if (errno == EACCES || errno == EAGAIN) {
			if (fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK)
				snprintf(err, errlen, "state-dir %s is in use by another sluiced (PID %ld)", dir,
					 (long)who.l_pid);
			else
				snprintf(err, errlen, "state-dir %s is in use by another sluiced", dir);
		} else {
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
		}
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return 0; /* fd stays open: the lock lives as long as the process */
}
