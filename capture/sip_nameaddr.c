/*
 * SIP header values made of a name-addr or addr-spec and parameters
 * (RFC 3261 section 20.10 and 25.1: name-addr, addr-spec, generic-param;
 * section 7.3.1: comma-separated header values). Split from sip_parse.c,
 * which locates the header lines: these read the values of the headers
 * sluice keeps. Views only; delimiters are searched eight bytes at a time,
 * since the values are mostly tens of bytes long, where three memchr calls
 * cost more than one pass.
 */
#include <string.h>

#include "capture/sip_parse.h"
#include "capture/sip_parse_int.h"

/* Bit 7 of each byte of w that equals the byte in pat (each byte of pat the same); the lowest one is exact */
static inline uint64_t bytes_eq(uint64_t w, uint64_t pat)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t x = w ^ pat;

	/* a borrow can only mark bytes above a real match, never below it */
	return (x - ones) & ~x & highs;
}

/*
 * Index of the first of the bytes a, b (and c, unless it is 0) in p[0..n),
 * or n. Eight bytes at a time (the values searched are mostly tens of
 * bytes long, where three memchr calls cost more than one pass), the
 * last n % 8 one by one. Reads only p[0..n).
 */
static inline size_t find_first(const char *p, size_t n, char a, char b, char c)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t pa = ones * (unsigned char)a, pb = ones * (unsigned char)b;
	const uint64_t pc = c ? ones * (unsigned char)c : pa;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w, hit;

		memcpy(&w, p + i, 8);
		hit = bytes_eq(w, pa) | bytes_eq(w, pb) | bytes_eq(w, pc);
		if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			return i + (size_t)(__builtin_clzll(hit) >> 3);
#else
			return i + (size_t)(__builtin_ctzll(hit) >> 3);
#endif
		}
	}
	for (; i < n; i++)
		if (p[i] == a || p[i] == b || (c && p[i] == c))
			return i;
	return n;
}

/*
 * Anything before the first ';' is skipped; from there each parameter runs
 * to the next ';', ',' or '>', and a ',' or '>' ends the list.
 */
bool sl_sip_param_n(struct sl_str params, const char *name, size_t nlen, struct sl_str *value)
{
	const char *q, *e;

	/* an absent list is a NULL view: no pointer arithmetic on it */
	q = params.len ? memchr(params.p, ';', params.len) : NULL;
	if (!q)
		return false;
	e = params.p + params.len;
	for (;;) {
		const char *start = q + 1, *end, *eq;
		struct sl_str pname;

		end = start + find_first(start, (size_t)(e - start), ';', ',', '>');
		for (eq = start; eq < end && *eq != '='; eq++)
			;
		pname = sl_str_trim(sl_str_make(start, (size_t)(eq - start)));
		if (pname.len == nlen && ieq(pname, name, nlen)) {
			if (eq < end)
				*value = sl_str_trim(sl_str_make(eq + 1, (size_t)(end - eq - 1)));
			else
				*value = sl_str_make(end, 0);
			return true;
		}
		if (end >= e || *end != ';')
			return false;
		q = end;
	}
}

/*
 * Length of the first value of a comma-separated header list, honouring
 * quotes and <>. Outside quotes and brackets only '"', '<' and ',' matter;
 * inside brackets '"' and '>'; inside quotes '\' and '"'.
 */
size_t sl_sip_first_list_value(struct sl_str v)
{
	bool angle = false;
	size_t i = 0;

	/* only a ',' ends the value early: without one (nearly always) it is all of v */
	if (!v.len || !memchr(v.p, ',', v.len))
		return v.len;
	while (i < v.len) {
		const char *p = v.p + i;
		size_t left = v.len - i;

		i += angle ? find_first(p, left, '"', '>', 0) : find_first(p, left, '"', '<', ',');
		if (i >= v.len)
			break;
		switch (v.p[i]) {
		case ',':
			return i;
		case '<':
			angle = true;
			break;
		case '>':
			angle = false;
			break;
		case '"':
			/* a quoted string: up to the next '"' not escaped by '\\' */
			for (i++; i < v.len; i++) {
				i += find_first(v.p + i, v.len - i, '"', '\\', 0);
				if (i >= v.len || v.p[i] == '"')
					break;
				if (i + 1 < v.len)
					i++; /* skip the escaped character */
			}
			break;
		}
		i++;
	}
	return v.len;
}

bool sl_sip_nameaddr_parse(struct sl_str v, struct sl_sip_nameaddr *out, bool want_tag)
{
	size_t i = 0, end;

	memset(out, 0, sizeof(*out));
	v = sl_str_trim(v);
	v.len = sl_sip_first_list_value(v);
	v = sl_str_trim(v);
	if (!v.len)
		return false;

	if (v.p[0] == '"') {
		/* quoted display name */
		size_t s = 1;
		for (i = 1; i < v.len; i++) {
			if (v.p[i] == '\\' && i + 1 < v.len)
				i++;
			else if (v.p[i] == '"')
				break;
		}
		if (i >= v.len)
			return false;
		out->display = sl_str_make(v.p + s, i - s);
		i++;
		while (i < v.len && is_lws(v.p[i]))
			i++;
		if (i >= v.len || v.p[i] != '<')
			return false;
	} else {
		long lt = sl_str_chr(v, '<');
		if (lt >= 0) {
			out->display = sl_str_trim(sl_str_make(v.p, (size_t)lt));
			i = (size_t)lt;
		}
	}

	if (i < v.len && v.p[i] == '<') {
		size_t s = i + 1;
		const char *gt = memchr(v.p + s, '>', v.len - s);

		if (!gt)
			return false;
		end = (size_t)(gt - v.p);
		if (end >= v.len)
			return false;
		out->uri = sl_str_trim(sl_str_make(v.p + s, end - s));
		out->params = sl_str_make(v.p + end + 1, v.len - end - 1);
	} else {
		/* addr-spec: parameters after the URI belong to the header */
		for (end = i; end < v.len && v.p[end] != ';' && !is_lws(v.p[end]); end++)
			;
		out->uri = sl_str_make(v.p + i, end - i);
		out->params = sl_str_make(v.p + end, v.len - end);
	}
	if (!out->uri.len)
		return false;
	if (want_tag)
		sl_sip_param(out->params, "tag", &out->tag);
	return true;
}

bool sl_sip_parse_nameaddr(struct sl_str v, struct sl_sip_nameaddr *out)
{
	return sl_sip_nameaddr_parse(v, out, true);
}
