/*
 * libFuzzer target for the audit log reader (mediation/audit/reader.c,
 * frame.c) and the canonical record scanner (canon.c): any bytes, from an
 * exactly sized copy, are read as one segment file, both as the last
 * segment (where a torn tail is allowed) and as a middle one. Checked:
 * every record view lies inside the input and follows the previous one,
 * the problem offset is inside the input, and whatever the scanner
 * accepts as canonical jansson re-encodes to the very same bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/audit/canon.h"
#include "mediation/audit/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

struct ctx {
	const uint8_t *base;
	size_t size;
	uint64_t next_off;
	uint64_t count;
};

static void member(void *arg, const char *key, size_t klen, const uint8_t *val, size_t vlen)
{
	struct ctx *c = arg;

	check((const uint8_t *)key >= c->base && val >= c->base && val + vlen <= c->base + c->size && klen > 0);
}

static int on_rec(void *arg, const struct sl_audit_rec *r)
{
	struct ctx *c = arg;
	size_t off;

	check(r->data >= c->base && r->len > 0 && r->len <= c->size && (size_t)(r->data - c->base) <= c->size - r->len);
	check(r->off >= c->next_off && r->off + 8 + r->len <= c->size);
	c->next_off = r->off + 8 + r->len;
	c->count++;
	if (sl_audit_canon_check(r->data, r->len, &off, member, c) == SL_CANON_OK) {
		json_error_t e;
		json_t *j = json_loadb((const char *)r->data, r->len, JSON_REJECT_DUPLICATES, &e);
		char *d;

		check(j != NULL);
		d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		check(d && strlen(d) == r->len && memcmp(d, r->data, r->len) == 0);
		free(d);
		json_decref(j);
	} else {
		check(off <= r->len);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *tctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(tctx);
	struct sl_audit_read_res res;
	struct ctx c = { .base = data, .size = size };
	int last;

	for (last = 0; last < 2; last++) {
		memset(&res, 0, sizeof(res));
		res.problem = -1;
		c.next_off = 0;
		c.count = 0;
		sl_audit_read_segment_buf(tctx, h, "fuzz", data, size, UINT64_MAX, last, on_rec, &c, &res);
		check(res.records == c.count);
		if (res.problem >= 0)
			check(res.off <= size);
		if (res.problem == SL_AP_REC_TORN)
			check(last && res.torn_off + res.torn_len == size);
	}
	talloc_free(tctx);
	return 0;
}
