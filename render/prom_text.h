/*
 * The Prometheus text exposition format (version 0.0.4), as a scraper
 * reads it: `# HELP` and `# TYPE` once per metric family, then one sample
 * per line, `name{label="value",...} value`. Metric names keep to
 * [a-zA-Z_:][a-zA-Z0-9_:]*; label values escape backslash, double quote
 * and newline. Names are made from fixed parts only (group and counter
 * names); anything that varies per installation (file paths, destination
 * names) goes into label values, so names stay stable.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* prefix_a_b with every character outside [a-zA-Z0-9_] turned into '_' (b may be NULL). */
void sl_prom_name(char *out, size_t len, const char *prefix, const char *a, const char *b);

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
void sl_prom_family(FILE *f, const char *name, const char *type, const char *help);

/* One sample; labels are name/value pairs ending with a NULL name (or labels NULL). */
void sl_prom_sample(FILE *f, const char *name, const char *const *labels, double value);
void sl_prom_sample_u64(FILE *f, const char *name, const char *const *labels, uint64_t value);
