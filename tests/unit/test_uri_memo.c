/*
 * Unit tests for capture/uri_memo.c. The memo must be invisible: a party
 * built through sl_uri_memo_add must equal, identity for identity and in
 * order, the party built by calling sl_party_add_uri directly, whatever the
 * party already held (duplicates, a full party) and whatever the memo held
 * (first sight of a URI, a repeat, a URI that evicted another from its
 * slot). Checked on URIs of every kind sluice normalises (sip with host in
 * any case, sips, tel with separators, user=phone with phone-context, IMS
 * identities derived from an IMSI, all-digit users, IPv6 hosts, URIs of no
 * known scheme, empty and garbage strings, URIs longer than a slot holds)
 * under two numbering plans, in a long pseudo-random sequence over far more
 * distinct URIs than the memo has slots. The memo's talloc context must
 * return to its start block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/identity.h"
#include "capture/uri_memo.h"
#include "util/hash.h"

static const char *const fixed[] = {
	"sip:alice@Example.COM",
	"sips:Bob@example.org;transport=tls",
	"sip:+49 30 1234567@example.com;user=phone",
	"sip:+4930123456@example.com;user=phone",
	"sip:030123456;phone-context=+49@example.com;user=phone",
	"sip:0049301234567@ims.example.com",
	"sip:030123456@example.com",
	"tel:+1-212-555-0100",
	"tel:0301234567;phone-context=example.com",
	"sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
	"sip:262011234567890@ims.mnc01.mcc262.3gppnetwork.org",
	"sip:[2001:DB8::1]:5060",
	"sip:carol@[2001:db8::2];lr",
	"sip:example.com",
	"urn:service:sos",
	"mailto:x@example.com",
	"",
	"sip:",
	"tel:",
	":::",
	"sip:@@@",
	"sip:12",
	"sip:123456789012345678901234567890@example.com",
};

static void party_eq(const struct sl_party *a, const struct sl_party *b)
{
	unsigned i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->id[i].type, b->id[i].type);
		assert_string_equal(a->id[i].value, b->id[i].value);
	}
}

/* URI number k of the sequence: a fixed one, a generated one, or a long one. */
static size_t uri_at(uint64_t k, char *buf, size_t len)
{
	int n;

	if (k % 3 == 0)
		n = snprintf(buf, len, "%s", fixed[(k / 3) % (sizeof(fixed) / sizeof(fixed[0]))]);
	else if (k % 7 == 1)
		n = snprintf(buf, len, "sip:%0100llu@Host%llu.example.com", (unsigned long long)k,
			     (unsigned long long)(k % 5));
	else if (k % 2)
		n = snprintf(buf, len, "sip:+4930%llu@gw%llu.example.net;user=phone", (unsigned long long)(k % 997),
			     (unsigned long long)(k % 3));
	else
		n = snprintf(buf, len, "tel:0%llu", (unsigned long long)(k % 1009) * 7919);
	return n < 0 ? 0 : (size_t)n;
}

static void run(const struct sl_numbering *num)
{
	void *ctx = talloc_new(NULL);
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_uri_memo *memo = sl_uri_memo_alloc(ctx);
	struct sl_party direct, memod;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char uri[256];
	unsigned step, j, pre;

	assert_non_null(memo);
	for (step = 0; step < 60000; step++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memset(&direct, 0, sizeof(direct));
		memset(&memod, 0, sizeof(memod));
		/* a party that already holds 0 to 6 identities, repeats of URIs to come included */
		pre = (unsigned)(x >> 20) % 7;
		for (j = 0; j < pre; j++) {
			size_t l = uri_at((x >> (j * 3)) % 4000, uri, sizeof(uri));

			sl_party_add_uri(&direct, num, sl_str_make(uri, l));
			sl_party_add_uri(&memod, num, sl_str_make(uri, l));
		}
		/* then a URI from a pool of 4000, so repeats and slot collisions both happen */
		{
			size_t l = uri_at((x >> 32) % 4000, uri, sizeof(uri));

			sl_party_add_uri(&direct, num, sl_str_make(uri, l));
			sl_uri_memo_add(memo, &memod, num, sl_str_make(uri, l));
		}
		party_eq(&direct, &memod);
	}
	talloc_free(memo);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

static void test_same_as_direct_default(void **state)
{
	struct sl_numbering n;

	(void)state;
	sl_numbering_default(&n);
	run(&n);
}

static void test_same_as_direct_de(void **state)
{
	struct sl_numbering n;

	(void)state;
	sl_numbering_default(&n);
	memcpy(n.country_code, "49", 3);
	run(&n);
}

/* A NULL or empty URI view is passed through like the direct call. */
static void test_empty(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_uri_memo *memo = sl_uri_memo_alloc(ctx);
	struct sl_numbering n;
	struct sl_party p;

	(void)state;
	sl_numbering_default(&n);
	memset(&p, 0, sizeof(p));
	sl_uri_memo_add(memo, &p, &n, SL_STR_NULL);
	sl_uri_memo_add(memo, &p, &n, sl_str_make("", 0));
	assert_int_equal(p.n, 0);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_direct_default),
		cmocka_unit_test(test_same_as_direct_de),
		cmocka_unit_test(test_empty),
	};

	sl_hash_seed_set(0x0123456789abcdefULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
