/* JSON line writer (see json_out.h). */
#include "render/json_out.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <talloc.h>

/*
 * Make room for need more bytes. When memory runs out the line is marked
 * failed and every later append is skipped: the caller learns it once, at
 * sl_json_write_line (or from j->failed), and reports it in its own words.
 */
/* The buffer is reused from line to line: once it has grown, this is rare. */
static bool grow_slow(struct sl_json *j, size_t need)
{
	size_t cap;
	char *nb;

	if (j->failed)
		return false;
	if (j->len + need <= j->cap)
		return true;
	cap = j->cap ? j->cap : 1024;
	while (cap < j->len + need)
		cap *= 2;
	nb = talloc_realloc_size(j->ctx, j->buf, cap);
	if (!nb) {
		j->failed = true;
		return false;
	}
	j->buf = nb;
	j->cap = cap;
	return true;
}

static inline bool grow(struct sl_json *j, size_t need)
{
	if (!j->failed && j->len + need <= j->cap)
		return true;
	return grow_slow(j, need);
}

static inline void put(struct sl_json *j, const char *s, size_t n)
{
	if (!grow(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static inline void putc_(struct sl_json *j, char c)
{
	if (!grow(j, 1))
		return;
	j->buf[j->len++] = c;
}

void sl_json_init(struct sl_json *j, void *ctx)
{
	memset(j, 0, sizeof(*j));
	j->ctx = ctx;
}

void sl_json_reset(struct sl_json *j)
{
	j->len = 0;
	j->need_comma = false;
	j->failed = false;
}

void sl_json_free(struct sl_json *j)
{
	talloc_free(j->buf);
	memset(j, 0, sizeof(*j));
}

static void value_start(struct sl_json *j)
{
	if (j->need_comma)
		putc_(j, ',');
	j->need_comma = true;
}

void sl_json_obj_open(struct sl_json *j)
{
	value_start(j);
	putc_(j, '{');
	j->need_comma = false;
}

void sl_json_obj_close(struct sl_json *j)
{
	putc_(j, '}');
	j->need_comma = true;
}

void sl_json_arr_open(struct sl_json *j)
{
	value_start(j);
	putc_(j, '[');
	j->need_comma = false;
}

void sl_json_arr_close(struct sl_json *j)
{
	putc_(j, ']');
	j->need_comma = true;
}

void sl_json_key(struct sl_json *j, const char *key)
{
	size_t klen = strlen(key);
	char *o;

	if (!grow(j, klen + 4))
		return;
	o = j->buf + j->len;
	if (j->need_comma)
		*o++ = ',';
	*o++ = '"';
	memcpy(o, key, klen);
	o += klen;
	*o++ = '"';
	*o++ = ':';
	j->len = (size_t)(o - j->buf);
	j->need_comma = false;
}

/* Length of a valid UTF-8 sequence starting at p, or 0. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and out-of-range code points are invalid */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Bytes JSON strings carry as they are: 0x20..0x7f but '"' and '\\' (as the test this replaced). */
static const bool plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * Whether none of the 8 bytes of w needs escaping (the plain[] test for a
 * whole word): no byte >= 0x80, none < 0x20, no '"', no '\\'. The "has a
 * byte below n" and "has a zero byte" tricks never miss a byte that
 * matches; a false alarm only sends the word to the byte loop.
 */
static inline bool word_plain(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t x;

	if (w & high)
		return false;
	if ((w - ones * 0x20) & ~w & high)
		return false;
	x = w ^ (ones * '"');
	if ((x - ones) & ~x & high)
		return false;
	x = w ^ (ones * '\\');
	return !((x - ones) & ~x & high);
}

static void put_escaped(struct sl_json *j, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;

	grow(j, len + 2);
	putc_(j, '"');
	while (i < len) {
		/* copy runs of plain ASCII at once */
		run = i;
		while (len - run >= 8) {
			uint64_t w;

			memcpy(&w, p + run, 8);
			if (!word_plain(w))
				break;
			run += 8;
		}
		while (run < len && plain[p[run]])
			run++;
		if (run > i) {
			put(j, s + i, run - i);
			i = run;
			continue;
		}
		switch (p[i]) {
		case '"': put(j, "\\\"", 2); i++; continue;
		case '\\': put(j, "\\\\", 2); i++; continue;
		case '\n': put(j, "\\n", 2); i++; continue;
		case '\r': put(j, "\\r", 2); i++; continue;
		case '\t': put(j, "\\t", 2); i++; continue;
		default:
			break;
		}
		if (p[i] >= 0x80) {
			size_t n = utf8_len(p + i, len - i);
			if (n) {
				put(j, s + i, n);
				i += n;
				continue;
			}
		}
		{
			char esc[6] = { '\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 15] };
			put(j, esc, 6);
			i++;
		}
	}
	putc_(j, '"');
}

void sl_json_str(struct sl_json *j, struct sl_str s)
{
	value_start(j);
	if (!s.p)
		put(j, "null", 4);
	else
		put_escaped(j, s.p, s.len);
}

void sl_json_cstr(struct sl_json *j, const char *s)
{
	sl_json_str(j, s ? sl_str_make(s, strlen(s)) : SL_STR_NULL);
}

static void put_u64(struct sl_json *j, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(j, tmp + sizeof(tmp) - n, (size_t)n);
}

void sl_json_u64(struct sl_json *j, uint64_t v)
{
	value_start(j);
	put_u64(j, v);
}

void sl_json_i64(struct sl_json *j, int64_t v)
{
	value_start(j);
	if (v < 0) {
		putc_(j, '-');
		put_u64(j, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(j, (uint64_t)v);
	}
}

void sl_json_double(struct sl_json *j, double v, int decimals)
{
	char tmp[64];
	int n;

	value_start(j);
	/* JSON has no NaN or infinity: null says "no value" */
	if (!isfinite(v)) {
		put(j, "null", 4);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		put(j, "null", 4);
	else
		put(j, tmp, (size_t)n);
}

void sl_json_bool(struct sl_json *j, bool v)
{
	value_start(j);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void sl_json_null(struct sl_json *j)
{
	value_start(j);
	put(j, "null", 4);
}

void sl_json_ts(struct sl_json *j, uint64_t us)
{
	char frac[7];
	uint64_t f = us % 1000000;
	int i;

	value_start(j);
	put_u64(j, us / 1000000);
	for (i = 5; i >= 0; i--) {
		frac[i] = (char)('0' + f % 10);
		f /= 10;
	}
	frac[6] = '\0';
	putc_(j, '.');
	put(j, frac, 6);
}

bool sl_json_write_line(struct sl_json *j, FILE *out)
{
	putc_(j, '\n');
	if (j->failed)
		return false;
	return fwrite(j->buf, 1, j->len, out) == j->len;
}
