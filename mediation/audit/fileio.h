/*
 * Durable file writes shared by the audit writer and its sinks (see
 * fileio.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* write() until all n bytes are written. 0 or -errno. */
int sl_audit_write_all(int fd, const void *p, size_t n);
/* Replaces dir/name with content: tmp file, (fsync,) rename, (directory fsync). 0 or -errno. */
int sl_audit_replace_file(int dir_fd, const char *name, const void *p, size_t n, bool do_fsync);
