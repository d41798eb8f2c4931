/*
 * Configuration file reading with line numbers (see app_config.h). The
 * stream is a fopencookie() whose read hands out the file's bytes and
 * counts newlines; unbuffered, so what libosmocore's fgets() has consumed
 * is exactly what the counter has seen when a line is refused.
 */
#include "src/app_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/vty/vty.h>

struct counting {
	FILE *f;
	unsigned long newlines;
	int last;
};

static ssize_t counting_read(void *cookie, char *buf, size_t size)
{
	struct counting *c = cookie;
	size_t n = fread(buf, 1, size, c->f), i;

	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			c->newlines++;
	if (n)
		c->last = (unsigned char)buf[n - 1];
	return (ssize_t)n;
}

int sl_app_read_config(const char *file, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = { .read = counting_read };
	struct counting c = { 0 };
	FILE *vf;
	int rc;

	c.f = fopen(file, "r");
	if (!c.f) {
		snprintf(err, errlen, "%s", errno == ENOENT ? "no such file" : errno == EACCES ? "permission denied" : strerror(errno));
		return -1;
	}
	vf = fopencookie(&c, "r", io);
	if (!vf) {
		fclose(c.f);
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	setvbuf(vf, NULL, _IONBF, 0);
	rc = vty_read_config_filep(vf, NULL);
	fclose(vf);
	fclose(c.f);
	if (rc < 0) {
		/* the refused line's newline has been read, unless it was the last line without one */
		snprintf(err, errlen, "line %lu refused (see the message above)", c.last == '\n' ? c.newlines : c.newlines + 1);
		return -1;
	}
	return 0;
}
