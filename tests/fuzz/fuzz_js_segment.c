/*
 * libFuzzer target for the JetStream publisher's reading of an outbox
 * segment (mediation/consent/consent_js_outbox.c: sl_js_read_lines and
 * sl_js_line_length), on any bytes as a segment left by a crash or
 * damaged on disk. The first input byte picks the buffer size (1 to 64
 * bytes, so long lines are common) and the lines per chunk (1 to 4); the
 * rest is the segment, read as the worker does: whole lines in chunks, a
 * line longer than the buffer measured and skipped. Every chunk must be
 * whole lines of the input, every skipped line longer than the buffer,
 * and reading must end exactly after the last LF.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mediation/consent/consent_js_outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static size_t count_lf(const uint8_t *p, size_t n)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[64];
	size_t cap, end = 0, i;
	unsigned max_lines, steps = 0;
	uint64_t pos = 0;
	int fd;

	if (!size)
		return 0;
	cap = 1 + (data[0] & 63);
	max_lines = 1 + ((data[0] >> 6) & 3);
	data++;
	size--;
	for (i = size; i > 0; i--)
		if (data[i - 1] == '\n') {
			end = i;
			break;
		}
	fd = memfd_create("segment", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	check(write(fd, data, size) == (ssize_t)size);
	for (;;) {
		unsigned nl = 0;
		ssize_t n = sl_js_read_lines(fd, pos, UINT64_MAX, buf, cap, max_lines, &nl);

		check(++steps <= size + 1);
		if (n == -EMSGSIZE) {
			const uint8_t *lf = memchr(data + pos, '\n', size - pos);
			int64_t ll = sl_js_line_length(fd, pos, UINT64_MAX, buf, cap);

			if (ll == -ENODATA) {
				check(!lf);
				break;
			}
			check(ll > 0 && lf && (uint64_t)ll == (uint64_t)(lf - (data + pos)) + 1 && (size_t)ll > cap);
			pos += (uint64_t)ll;
			continue;
		}
		check(n >= 0);
		if (n == 0) {
			check(nl == 0);
			break;
		}
		check((size_t)n <= cap && nl >= 1 && nl <= max_lines && data[pos + (size_t)n - 1] == '\n' &&
		      count_lf(data + pos, (size_t)n) == nl);
		pos += (uint64_t)n;
	}
	/* what is left is a torn tail: no LF */
	check(pos == end);
	close(fd);
	return 0;
}
