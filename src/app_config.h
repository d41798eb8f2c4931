/*
 * Reading a configuration file through the VTY, with the line number of
 * the line it refuses. libosmocore reports the refused line's text but
 * not where it is; the file is handed to it through an unbuffered stream
 * that counts the newlines it has given out, so the number is exact.
 */
#pragma once

#include <stddef.h>

/* 0; or -1 with err saying why the file cannot be read (permission
 * denied, no such file) or which line was refused ("line 12"). The
 * VTY's own message (the line's text, "no such command"...) precedes. */
int sl_app_read_config(const char *file, char *err, size_t errlen);
