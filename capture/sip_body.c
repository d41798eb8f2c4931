/*
 * Body splitting (see sip_body.h). The boundary search is a plain scan for
 * "--boundary" at line starts, which is what RFC 2046 section 5.1.1
 * requires of the sender; transport padding after the boundary is skipped.
 */
#include "capture/sip_body.h"

#include <string.h>

#include "capture/sip_parse.h"

static void split_type(struct sl_str ct, struct sl_str *type, struct sl_str *params)
{
	long semi = sl_str_chr(ct, ';');

	if (semi >= 0) {
		*type = sl_str_trim(sl_str_make(ct.p, (size_t)semi));
		*params = sl_str_make(ct.p + semi, ct.len - (size_t)semi);
	} else {
		*type = sl_str_trim(ct);
		*params = sl_str_make(ct.p + ct.len, 0);
	}
}

/* Find "\n--boundary" (or at offset 0) at or after from; returns offset of "--" or -1. */
static long find_delim(struct sl_str b, struct sl_str boundary, size_t from)
{
	size_t i;

	for (i = from; i + 2 + boundary.len <= b.len; i++) {
		if ((i == 0 || b.p[i - 1] == '\n') && b.p[i] == '-' && b.p[i + 1] == '-' &&
		    memcmp(b.p + i + 2, boundary.p, boundary.len) == 0)
			return (long)i;
	}
	return -1;
}

static void add_part(struct sl_body *out, struct sl_str ct, struct sl_str body)
{
	struct sl_body_part *p;

	if (out->n >= SL_BODY_MAX_PARTS)
		return;
	p = &out->part[out->n++];
	split_type(ct, &p->type, &p->params);
	p->body = body;
}

static void split_multipart(struct sl_str params, struct sl_str body, struct sl_body *out)
{
	struct sl_str boundary;
	long d;
	size_t pos;

	out->multipart = true;
	if (!sl_sip_param(params, "boundary", &boundary) || !boundary.len) {
		out->malformed = true;
		return;
	}
	if (boundary.len >= 2 && boundary.p[0] == '"' && boundary.p[boundary.len - 1] == '"') {
		boundary.p++;
		boundary.len -= 2;
	}
	if (!boundary.len || boundary.len > 70) {
		out->malformed = true;
		return;
	}
	d = find_delim(body, boundary, 0);
	if (d < 0) {
		out->malformed = true;
		return;
	}
	pos = (size_t)d;
	for (;;) {
		size_t start = pos + 2 + boundary.len, hdr_end, part_end;
		struct sl_str ct = SL_STR_NULL;
		long next;

		if (start + 1 < body.len && body.p[start] == '-' && body.p[start + 1] == '-')
			return; /* close delimiter */
		/* skip transport padding and the line end after the delimiter */
		while (start < body.len && body.p[start] != '\n')
			start++;
		if (start >= body.len)
			break;
		start++;
		next = find_delim(body, boundary, start);
		if (next < 0)
			break;
		part_end = (size_t)next;
		/* the CRLF before the delimiter belongs to the delimiter */
		if (part_end > start && body.p[part_end - 1] == '\n')
			part_end--;
		if (part_end > start && body.p[part_end - 1] == '\r')
			part_end--;
		/* part headers end at an empty line */
		hdr_end = start;
		for (;;) {
			const char *nl = memchr(body.p + hdr_end, '\n', part_end - hdr_end);
			size_t le, ls = hdr_end;
			struct sl_str line;
			/*
			 * No line end before the delimiter: a part of headers only
			 * (its CRLF went to the delimiter). Its last line is still a
			 * header line, not to be lost.
			 */
			le = nl ? (size_t)(nl - body.p) : part_end;
			hdr_end = nl ? le + 1 : part_end;
			line = sl_str_trim(sl_str_make(body.p + ls, le - ls));
			if (!line.len)
				break;
			if (sl_str_istarts(line, "content-type:"))
				ct = sl_str_trim(sl_str_sub(line, 13, line.len));
			if (!nl)
				break;
		}
		if (!ct.p)
			ct = SL_STR_LIT("text/plain"); /* RFC 2046 5.1 default */
		add_part(out, ct, sl_str_make(body.p + hdr_end, hdr_end <= part_end ? part_end - hdr_end : 0));
		pos = (size_t)next;
	}
	out->malformed = true;
}

void sl_sip_body_parts(struct sl_str content_type, struct sl_str body, struct sl_body *out)
{
	struct sl_str type, params;

	memset(out, 0, sizeof(*out));
	if (!body.len)
		return;
	if (!content_type.p) {
		add_part(out, SL_STR_LIT("application/sdp"), body);
		return;
	}
	split_type(content_type, &type, &params);
	if (sl_str_istarts(type, "multipart/"))
		split_multipart(params, body, out);
	else
		add_part(out, content_type, body);
}

const struct sl_body_part *sl_body_find(const struct sl_body *b, const char *type)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (sl_str_ieq_cstr(b->part[i].type, type))
			return &b->part[i];
	return NULL;
}
