/*
 * Logging set-up shared by the sluice programs: concatenates the log
 * category tables each library exports into one libosmocore log_info and
 * tells each library where its block starts (see capture/log.h).
 */
#pragma once

#include <stdbool.h>

/* Initialise logging; with to_stderr a stderr target is added at the given level (LOGL_*). */
int sl_app_log_init(void *ctx, bool to_stderr, int level);
