/*
 * Opening below a directory descriptor without following links (see
 * open_beneath.h). openat2(2) does it in the kernel in one call; older
 * kernels, and sandboxes whose seccomp filter answers ENOSYS or EPERM for
 * it, get the same refusals from a walk that opens each directory
 * component with O_NOFOLLOW | O_DIRECTORY relative to the previous one,
 * so a component swapped for a link between two steps fails the next
 * step instead of being followed. ".." is refused outright by both paths
 * (openat2 would allow one that stays beneath; nothing here needs it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/openat2.h>
#endif

#include "util/open_beneath.h"

#define NAME_MAX_LEN 255

/* false when rel is absolute, empty, or names ".." anywhere */
static bool rel_ok(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

int sl_open_beneath_walk(int dirfd, const char *rel, int flags, mode_t mode)
{
	int cur = dirfd, fd;
	const char *p = rel;

	if (!rel_ok(rel))
		return -EXDEV;
	for (;;) {
		size_t n = strcspn(p, "/");
		const char *next = p + n;
		char name[NAME_MAX_LEN + 1];

		while (*next == '/')
			next++;
		if (n > NAME_MAX_LEN) {
			fd = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (!*next) {
			/* the last component: the file itself */
			fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
			if (fd < 0)
				fd = -errno;
			break;
		}
		if (n == 1 && name[0] == '.') {
			p = next;
			continue;
		}
		fd = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			break;
		}
		if (cur != dirfd)
			close(cur);
		cur = fd;
		p = next;
	}
	if (cur != dirfd)
		close(cur);
	return fd;
}

int sl_open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
#if defined(__linux__) && defined(SYS_openat2)
	struct open_how how;
	long fd;

	if (!rel_ok(rel))
		return -EXDEV;
	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS && errno != EPERM && errno != E2BIG)
		return -errno;
#endif
	return sl_open_beneath_walk(dirfd, rel, flags, mode);
}
