/*
 * Prometheus text exposition writer (see prom_text.h). Integers are
 * printed as integers (a uint64 counter must not lose precision through a
 * double); other values with %.17g, and the special values as the format
 * spells them (+Inf, -Inf, NaN).
 */
#include "render/prom_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

static void put_name_part(char *out, size_t len, size_t *o, const char *s)
{
	for (; s && *s && *o + 1 < len; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';

		out[(*o)++] = ok ? c : '_';
	}
}

void sl_prom_name(char *out, size_t len, const char *prefix, const char *a, const char *b)
{
	size_t o = 0;

	if (!len)
		return;
	put_name_part(out, len, &o, prefix);
	if (a && o + 1 < len) {
		out[o++] = '_';
		put_name_part(out, len, &o, a);
	}
	if (b && o + 1 < len) {
		out[o++] = '_';
		put_name_part(out, len, &o, b);
	}
	/* a name may not start with a digit */
	if (o && out[0] >= '0' && out[0] <= '9')
		out[0] = '_';
	out[o] = 0;
}

static void put_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (quote && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void sl_prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help ? help : "", false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

static void put_labels(FILE *f, const char *const *labels)
{
	unsigned i;

	if (!labels || !labels[0])
		return;
	fputc('{', f);
	for (i = 0; labels[i]; i += 2) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i]);
		put_escaped(f, labels[i + 1] ? labels[i + 1] : "", true);
		fputc('"', f);
	}
	fputc('}', f);
}

void sl_prom_sample(FILE *f, const char *name, const char *const *labels, double value)
{
	fputs(name, f);
	put_labels(f, labels);
	if (isnan(value))
		fputs(" NaN\n", f);
	else if (isinf(value))
		fputs(value > 0 ? " +Inf\n" : " -Inf\n", f);
	else
		fprintf(f, " %.17g\n", value);
}

void sl_prom_sample_u64(FILE *f, const char *name, const char *const *labels, uint64_t value)
{
	fputs(name, f);
	put_labels(f, labels);
	fprintf(f, " %" PRIu64 "\n", value);
}
