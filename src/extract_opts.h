/*
 * Command-line options of `sluice extract`: what to read, what to print,
 * and the capture limits, parsed into plain structs so the command itself
 * (cmd_extract.c) is only the read loop.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/event.h"
#include "capture/source.h"

#define SL_EXTRACT_MAX_SOURCES 32

enum sl_out_format { SL_OUT_JSON, SL_OUT_TEXT, SL_OUT_NONE };

struct sl_extract_opts {
	const char *files[SL_EXTRACT_MAX_SOURCES];
	unsigned n_files;
	const char *ifaces[SL_EXTRACT_MAX_SOURCES];
	unsigned n_ifaces;
	struct sl_source_cfg live;	/* snaplen, promisc, immediate, buffer, filter for -i */
	const char *filter;		/* -f: applies to files and interfaces */

	enum sl_out_format format;
	const char *out_path;		/* -o, NULL: stdout */
	bool types[_SL_EV_COUNT];	/* --types */
	uint64_t max_frames;		/* -c, 0: no limit */
	double duration_s;		/* --duration, 0: no limit */
	int progress;			/* -1 auto, 0 off, 1 on */
	bool stats;			/* totals on stderr (always on stdout with --format none) */
	bool counters;			/* every non-zero counter with the totals */
	int log_level;			/* LOGL_* for stderr logging */

	struct sl_capture_cfg cap;
};

/*
 * Parse argv (argv[0] is "extract"). Returns 0 to run, 1 when --help was
 * printed, -1 on a usage error (message already on stderr naming the option).
 */
int sl_extract_parse(struct sl_extract_opts *o, int argc, char **argv);
void sl_extract_usage(FILE *out);
