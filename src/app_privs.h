/*
 * Least privilege for sluiced.
 *
 * Capture needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode) only
 * to open its handles; nothing else the daemon does needs privilege. When
 * started as root with a user to run as, it becomes that user at once,
 * keeping just those two capabilities, so every file it creates (spools,
 * state, audit log, events) belongs to that user; once the capture handles
 * are open it gives up every capability, and no_new_privs stops an exec
 * (the audit sink command) from regaining any.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Become user (and group: NULL for the user's own) keeping only the
 * capture capabilities. Needs root; when already running as that user it
 * changes nothing. 0, or -1 with err set. */
int sl_app_become_user(const char *user, const char *group, char *err, size_t errlen);

/* Give up every capability and set no_new_privs. 0, or -1 with err set. */
int sl_app_drop_all_caps(char *err, size_t errlen);

/* "uid 998 (sluice) gid 998, capabilities effective 0 permitted 0" for the log. */
void sl_app_describe_privs(char *buf, size_t len);
