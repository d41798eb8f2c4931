/*
 * End-of-run totals of a capture pipeline: what was read, what was
 * extracted, what was rejected and why, and what it cost (time, rate, peak
 * memory). Shared by `sluice extract` and the daemon's `show capture`.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct sl_capture;
struct sl_source;

struct sl_totals_in {
	struct sl_capture *cap;
	struct sl_source **src;
	unsigned n_src;
	double elapsed_s;	/* < 0: unknown */
	bool all_counters;	/* also list every non-zero counter by name */
};

void sl_print_totals(FILE *out, const struct sl_totals_in *in);
/* Every non-zero counter of the pipeline and its sources, "group:name value" per line. */
void sl_print_counters(FILE *out, const struct sl_totals_in *in);
/* Peak resident set size of this process in bytes. */
unsigned long long sl_peak_rss(void);
