/*
 * The JetStream export's on-disk outbox (consent_js_outbox.h, docs/exports.md):
 * message ids from record positions, the acknowledged-position cursor
 * file, and whole-line reads of the JSON Lines segments. The cursor file
 * is read back after a crash, so its parser takes any bytes: it accepts
 * exactly one well-formed line and classifies everything else as
 * truncated or malformed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mediation/consent/consent_js_outbox.h"
#include "util/pread_full.h"

#define CURSOR_MAGIC "sluice-jetstream-cursor 1 "
#define SEG_MAX 999999u

bool sl_js_pos_before(const struct sl_js_pos *a, unsigned seg, uint64_t off)
{
	return a->seg < seg || (a->seg == seg && a->off < off);
}

bool sl_js_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n > SL_JS_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool sl_js_prefix_ok(const char *prefix)
{
	char tok[SL_JS_NAME_MAX + 1];
	const char *p = prefix;
	size_t n;

	if (strlen(prefix) > 128)
		return false;
	for (;;) {
		n = strcspn(p, ".");
		if (!n || n > SL_JS_NAME_MAX)
			return false;
		memcpy(tok, p, n);
		tok[n] = 0;
		if (!sl_js_name_ok(tok))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

int sl_js_msg_id(char *out, size_t n, const char *gateway, const char *recipient, unsigned seg, uint64_t line)
{
	int w;

	if (!sl_js_name_ok(gateway) || !sl_js_name_ok(recipient) || !seg || seg > SEG_MAX || !line ||
	    line > 999999999u)
		return -EINVAL;
	w = snprintf(out, n, "%s.%s.%06u.%09" PRIu64, gateway, recipient, seg, line);
	return (w < 0 || (size_t)w >= n) ? -ENOSPC : 0;
}

int sl_js_msg_id_position(const char *id, size_t len, unsigned *seg, uint64_t *line)
{
	const char *t;
	unsigned i, sv = 0;
	uint64_t lv = 0;

	/* ".NNNNNN.LLLLLLLLL" at the end, after at least "G.R" */
	if (len < 17 + 3 || len > SL_JS_MSG_ID_MAX)
		return -EBADMSG;
	t = id + len - 17;
	if (t[0] != '.' || t[7] != '.')
		return -EBADMSG;
	for (i = 1; i <= 6; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -EBADMSG;
		sv = sv * 10 + (unsigned)(t[i] - '0');
	}
	for (i = 8; i <= 16; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -EBADMSG;
		lv = lv * 10 + (uint64_t)(t[i] - '0');
	}
	if (!sv || !lv)
		return -EBADMSG;
	*seg = sv;
	*line = lv;
	return 0;
}

/* One decimal number of at most 20 digits ending at a space or LF: the cursor past it. */
static const char *num(const char *p, const char *end, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	unsigned digits = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return NULL;
		x = x * 10 + d;
		p++;
		digits++;
	}
	if (!digits || digits > 20 || x > max || (digits > 1 && p[-(int)digits] == '0'))
		return NULL;
	*v = x;
	return p;
}

int sl_js_cursor_parse(const char *buf, size_t len, struct sl_js_pos *pos)
{
	const char *p = buf, *end = buf + len;
	size_t ml = strlen(CURSOR_MAGIC);
	uint64_t seg, off, lines;
	const char *lf = memchr(buf, '\n', len);

	if (len > SL_JS_CURSOR_MAX)
		return -EBADMSG;
	if (!lf) {
		/* a prefix of a good line is a truncated file; anything else is malformed */
		size_t k = len < ml ? len : ml;
		if (memcmp(buf, CURSOR_MAGIC, k))
			return -EBADMSG;
		for (p = buf + k; p < end; p++)
			if (!((*p >= '0' && *p <= '9') || *p == ' '))
				return -EBADMSG;
		return -ENODATA;
	}
	if (lf + 1 != end || (size_t)(lf - buf) < ml || memcmp(buf, CURSOR_MAGIC, ml))
		return -EBADMSG;
	p = buf + ml;
	if (!(p = num(p, lf, SEG_MAX, &seg)) || p >= lf || *p++ != ' ' || !(p = num(p, lf, UINT64_MAX, &off)) ||
	    p >= lf || *p++ != ' ' || !(p = num(p, lf, UINT64_MAX, &lines)) || p != lf)
		return -EBADMSG;
	if (lines > off)	/* every line is at least its LF */
		return -EBADMSG;
	pos->seg = (unsigned)seg;
	pos->off = off;
	pos->lines = lines;
	return 0;
}

size_t sl_js_cursor_format(char *out, size_t n, const struct sl_js_pos *pos)
{
	int w = snprintf(out, n, CURSOR_MAGIC "%u %" PRIu64 " %" PRIu64 "\n", pos->seg, pos->off, pos->lines);

	return (w < 0 || (size_t)w >= n) ? 0 : (size_t)w;
}

int sl_js_cursor_load(int dirfd, const char *recipient, struct sl_js_pos *pos)
{
	char name[SL_JS_NAME_MAX + 16], buf[SL_JS_CURSOR_MAX + 1];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "%s.jetstream", recipient);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return -EIO;
	return sl_js_cursor_parse(buf, (size_t)n, pos);
}

int sl_js_cursor_save(int dirfd, const char *recipient, const struct sl_js_pos *pos)
{
	char name[SL_JS_NAME_MAX + 16], tmp[SL_JS_NAME_MAX + 20], buf[SL_JS_CURSOR_MAX];
	size_t len = sl_js_cursor_format(buf, sizeof(buf), pos);
	int fd, rc = 0;

	if (!len)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s.jetstream", recipient);
	snprintf(tmp, sizeof(tmp), "%s.jetstream.tmp", recipient);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len || fdatasync(fd) < 0)
		rc = -EIO;
	close(fd);
	if (!rc && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (!rc && fsync(dirfd) < 0)
		rc = -EIO;
	return rc;
}

void sl_js_segment_name(char *out, size_t n, const char *recipient, unsigned seg)
{
	snprintf(out, n, "%s.%06u.jsonl", recipient, seg);
}

void sl_js_segment_range(int dirfd, const char *recipient, unsigned *lo, unsigned *hi)
{
	size_t rl = strlen(recipient);
	struct dirent *de;
	DIR *dir;
	int fd = dup(dirfd);

	*lo = *hi = 0;
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	rewinddir(dir); /* the duplicate shares the position of an earlier scan */
	while ((de = readdir(dir)) != NULL) {
		const char *n = de->d_name;
		char *end;
		unsigned long v;

		if (strncmp(n, recipient, rl) || n[rl] != '.')
			continue;
		errno = 0;
		v = strtoul(n + rl + 1, &end, 10);
		if (errno || end != n + rl + 7 || strcmp(end, ".jsonl") || !v || v > SEG_MAX)
			continue;
		if (!*lo || v < *lo)
			*lo = (unsigned)v;
		if (v > *hi)
			*hi = (unsigned)v;
	}
	closedir(dir);
}

ssize_t sl_js_read_lines(int fd, uint64_t off, uint64_t limit, char *buf, size_t cap, unsigned max_lines,
			 unsigned *n_lines)
{
	size_t want = cap, got, used = 0;
	unsigned lines = 0;
	ssize_t r;

	*n_lines = 0;
	if (limit < want)
		want = (size_t)limit;
	r = sl_pread_full(fd, buf, want, off);
	if (r < 0)
		return r;
	got = (size_t)r;
	while (used < got && lines < max_lines) {
		const char *lf = memchr(buf + used, '\n', got - used);
		if (!lf)
			break;
		used = (size_t)(lf - buf) + 1;
		lines++;
	}
	if (!lines && got == cap)
		return -EMSGSIZE;
	*n_lines = lines;
	return (ssize_t)used;
}

int64_t sl_js_line_length(int fd, uint64_t off, uint64_t limit, char *buf, size_t cap)
{
	uint64_t seen = 0;

	while (seen < limit) {
		size_t want = limit - seen < cap ? (size_t)(limit - seen) : cap;
		ssize_t r = sl_pread_full(fd, buf, want, off + seen);
		const char *lf;

		if (r < 0)
			return r;
		if (!r)
			break;
		lf = memchr(buf, '\n', (size_t)r);
		if (lf)
			return (int64_t)(seen + (uint64_t)(lf - buf) + 1);
		seen += (uint64_t)r;
	}
	return -ENODATA;
}
