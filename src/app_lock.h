/*
 * One daemon per state directory. Two sluiced on one state-dir would be
 * two writers of the same spools, CIN blocks and ETSI sequence numbers.
 * The first holds a write lock (fcntl, released by the kernel when the
 * process ends, however it ends) on <dir>/sluiced.lock, which also holds
 * its PID; a second is refused with the holder's PID.
 */
#pragma once

#include <stddef.h>

/* Lock dir for this process's lifetime. 0, or -1 with err naming the holder or the error. */
int sl_app_lock_dir(const char *dir, char *err, size_t errlen);
