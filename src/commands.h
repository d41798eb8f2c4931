/*
 * The subcommands of the `sluice` program. Each takes argv with argv[0]
 * set to its own name and returns the process exit status (0 ok, 1
 * failure, 2 usage error).
 */
#pragma once

int sl_cmd_extract(void *ctx, int argc, char **argv);
int sl_cmd_counters(void *ctx, int argc, char **argv);
int sl_cmd_lemf(void *ctx, int argc, char **argv);
int sl_cmd_decode(void *ctx, int argc, char **argv);
int sl_cmd_warrant(void *ctx, int argc, char **argv);
int sl_cmd_audit(void *ctx, int argc, char **argv);
int sl_cmd_status(void *ctx, int argc, char **argv);
int sl_cmd_consent(void *ctx, int argc, char **argv);
