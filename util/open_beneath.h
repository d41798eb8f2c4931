/*
 * Opening a file below a directory without following a symbolic link on
 * the way: for paths a console session names inside a directory it is
 * confined to. A check by name (realpath, then open) leaves a window in
 * which a writer inside that directory can swap a component for a link
 * leading elsewhere; these open relative to a descriptor of the directory
 * and refuse any link, so what is opened is what was vetted, and the
 * caller fstat()s the descriptor for the rest.
 */
#pragma once

#include <sys/types.h>

/*
 * openat(dirfd, rel, flags, mode) with every component of rel resolved
 * below dirfd: no symbolic link (ELOOP, or ENOTDIR for a link where a
 * directory belongs), no "..", no absolute rel (EXDEV), no mount crossing
 * into /proc magic links. Uses openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) where the kernel has it (Linux 5.6), else
 * sl_open_beneath_walk(). O_NOFOLLOW and O_CLOEXEC are always added.
 * Returns the descriptor or a negative errno.
 */
int sl_open_beneath(int dirfd, const char *rel, int flags, mode_t mode);

/* The same one component at a time with O_NOFOLLOW (kernels without openat2, or a seccomp filter refusing it). */
int sl_open_beneath_walk(int dirfd, const char *rel, int flags, mode_t mode);
