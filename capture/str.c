/*
 * String views: comparison, trimming and bounded numeric conversion for
 * {pointer, length} slices of captured bytes (see str.h).
 */
#include "capture/str.h"

#include <talloc.h>

static inline char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

bool sl_str_eq(struct sl_str a, struct sl_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool sl_str_ieq(struct sl_str a, struct sl_str b)
{
	size_t i;

	if (a.len != b.len)
		return false;
	for (i = 0; i < a.len; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

bool sl_str_ieq_cstr(struct sl_str a, const char *b)
{
	return sl_str_ieq(a, sl_str_make(b, strlen(b)));
}

bool sl_str_istarts(struct sl_str a, const char *prefix)
{
	size_t n = strlen(prefix);

	if (a.len < n)
		return false;
	return sl_str_ieq(sl_str_make(a.p, n), sl_str_make(prefix, n));
}

long sl_str_ifind(struct sl_str hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return 0;
	if (hay.len < n)
		return -1;
	for (i = 0; i + n <= hay.len; i++)
		if (lower(hay.p[i]) == lower(needle[0]) &&
		    sl_str_ieq(sl_str_make(hay.p + i, n), sl_str_make(needle, n)))
			return (long)i;
	return -1;
}

struct sl_str sl_str_sub(struct sl_str s, size_t off, size_t len)
{
	if (off > s.len)
		return sl_str_make(s.p ? s.p + s.len : NULL, 0);
	if (len > s.len - off)
		len = s.len - off;
	return sl_str_make(s.p + off, len);
}

bool sl_str_to_u32(struct sl_str s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.len == 0 || s.len > 10)
		return false;
	for (i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool sl_str_copy(char *dst, size_t dstlen, struct sl_str s)
{
	size_t n = s.len;
	bool fit = true;

	if (dstlen == 0)
		return false;
	if (n >= dstlen) {
		n = dstlen - 1;
		fit = false;
	}
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
	return fit;
}

char *sl_str_dup(void *ctx, struct sl_str s)
{
	return talloc_strndup(ctx, s.p ? s.p : "", s.len);
}
