/*
 * Unit tests for capture/identity.c, the normalisation of subscriber
 * identities. Number qualification is checked against numbering rules for
 * Germany (country code 49, trunk prefix 0, international prefix 00), the
 * NANP (1, 1, 011) and the default (no country code: national numbers stay
 * bare), including RFC 3966 visual separators and numbers of every length
 * around the 20-digit limit. sip:, sips: and tel: URIs must yield exactly
 * the expected identities in order: the canonical "sip:user@host" with the
 * host lowered and sips folded into sip, plus E.164 or a bare number for
 * user=phone and all-digit user parts, and nothing for URIs that do not
 * qualify. IMS identities derived from an IMSI (TS 23.003 clause 13.3, with
 * 2- and 3-digit MNCs) yield the IMSI; a +sip.instance "urn:gsma:imei" URN
 * (RFC 7254) yields the IMEI. Party bookkeeping (duplicates, capacity, the
 * SL_ID_MAX bound) is checked at its edges. Every input is also cut at
 * every length into an exactly-sized buffer so that AddressSanitizer
 * reports overreads, and random bytes from a fixed-seed PRNG are fed in;
 * every identity produced must be well formed for its type. The module
 * allocates nothing; the test buffers' talloc context must return to its
 * start block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/identity.h"
#include "capture/str.h"

#include "tests/unit/parser_test_util.h"

enum plan { DFLT, DE, DE_STRICT, NANP };

static void numbering(enum plan which, struct sl_numbering *n)
{
	sl_numbering_default(n);
	switch (which) {
	case DFLT:
		break;
	case DE:
		memcpy(n->country_code, "49", 3);
		break;
	case DE_STRICT: /* only user=phone makes a SIP user part a number */
		memcpy(n->country_code, "49", 3);
		n->numeric_user_is_phone = false;
		break;
	case NANP:
		memcpy(n->country_code, "1", 2);
		memcpy(n->national_prefix, "1", 2);
		memcpy(n->international_prefix, "011", 4);
		break;
	}
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Every identity a party holds is well formed for its type, and unique. */
static void assert_party_sane(const struct sl_party *p)
{
	unsigned i, j;

	assert_true(p->n <= SL_PARTY_MAX_IDS);
	for (i = 0; i < p->n; i++) {
		const struct sl_identity *id = &p->id[i];
		size_t len = strnlen(id->value, SL_ID_MAX);

		assert_true(len > 0 && len < SL_ID_MAX);
		switch (id->type) {
		case SL_ID_SIP_URI:
			assert_memory_equal(id->value, "sip:", 4);
			break;
		case SL_ID_E164:
			assert_int_equal(id->value[0], '+');
			assert_true(all_digits(id->value + 1, 1, 22));
			break;
		case SL_ID_NUMBER:
			assert_true(all_digits(id->value, 2, 20));
			break;
		case SL_ID_IMSI:
			assert_true(all_digits(id->value, 14, 15));
			break;
		case SL_ID_IMEI:
			assert_true(all_digits(id->value, 14, 16));
			break;
		default:
			fail_msg("identity %u has type %u", i, id->type);
		}
		for (j = 0; j < i; j++)
			assert_false(p->id[j].type == id->type && strcmp(p->id[j].value, id->value) == 0);
	}
}

/* --- numbers ------------------------------------------------------------ */

static void test_numbering_default(void **state)
{
	struct sl_numbering n;

	memset(&n, 0x55, sizeof(n));
	sl_numbering_default(&n);
	assert_string_equal(n.country_code, "");
	assert_string_equal(n.national_prefix, "0");
	assert_string_equal(n.international_prefix, "00");
	assert_true(n.numeric_user_is_phone);
	for (unsigned i = 0; i < _SL_ID_TYPE_COUNT; i++)
		assert_non_null(sl_id_type_names[i]);
	assert_string_equal(sl_id_type_names[SL_ID_E164], "e164");
}

static const struct num_case {
	enum plan plan;
	const char *in;
	bool ok;
	enum sl_id_type type;
	const char *value;
} num_cases[] = {
	{ DFLT, "+4930123456", true, SL_ID_E164, "+4930123456" },
	{ DE, "+4930123456", true, SL_ID_E164, "+4930123456" },
	{ DE, "+49-30-123.456", true, SL_ID_E164, "+4930123456" },
	{ DE, "+49(30)123-456", true, SL_ID_E164, "+4930123456" },
	{ DE, "0030123456", true, SL_ID_E164, "+30123456" },
	{ DFLT, "0030123456", true, SL_ID_E164, "+30123456" },
	{ DE, "030123456", true, SL_ID_E164, "+4930123456" },
	{ DE, "030-123-456", true, SL_ID_E164, "+4930123456" },
	{ DFLT, "030123456", true, SL_ID_NUMBER, "030123456" },
	{ DE, "30123456", true, SL_ID_NUMBER, "30123456" },
	{ DFLT, "12345", true, SL_ID_NUMBER, "12345" },
	{ DE, "12", true, SL_ID_NUMBER, "12" },
	{ DE, "--12--", true, SL_ID_NUMBER, "12" },
	{ NANP, "011441234567", true, SL_ID_E164, "+441234567" },
	{ NANP, "12125551212", true, SL_ID_E164, "+12125551212" },
	{ NANP, "1-212-555-1212", true, SL_ID_E164, "+12125551212" },
	{ NANP, "2125551212", true, SL_ID_NUMBER, "2125551212" },
	{ NANP, "0030123", true, SL_ID_NUMBER, "0030123" }, /* "00" is not the NANP international prefix */
	{ DE, "12345678901234567890", true, SL_ID_NUMBER, "12345678901234567890" },
	{ DE, "+12345678901234567890", true, SL_ID_E164, "+12345678901234567890" },
	{ DE, "123456789012345678901", false, 0, NULL },
	{ DE, "+123456789012345678901", false, 0, NULL },
	{ DE, "1234567890123456789012345678901234567890", false, 0, NULL },
	{ DE, "", false, 0, NULL },
	{ DE, "+", false, 0, NULL },
	{ DE, "1", false, 0, NULL },
	{ DE, "+1", false, 0, NULL },
	{ DE, "-.()", false, 0, NULL },
	{ DE, "abc", false, 0, NULL },
	{ DE, "12a3", false, 0, NULL },
	{ DE, "+49 30 123", false, 0, NULL },
	{ DE, "*31#0301234", false, 0, NULL },
	{ DE, "++4930", false, 0, NULL },
	{ DE, "49+30", false, 0, NULL },
	{ DE, "0301234;ext=1", false, 0, NULL },
};

static void test_number_normalise(void **state)
{
	struct fixture *fx = *state;
	size_t i, len;

	for (i = 0; i < sizeof(num_cases) / sizeof(num_cases[0]); i++) {
		const struct num_case *c = &num_cases[i];
		size_t n = strlen(c->in);
		char *b = exact(fx->ctx, c->in, n);
		struct sl_numbering rules;
		struct sl_identity id;
		bool ok;

		numbering(c->plan, &rules);
		ok = sl_number_normalise(&rules, sl_str_make(b, n), &id);
		if (ok != c->ok)
			fail_msg("'%s' (plan %d): got %d", c->in, c->plan, ok);
		if (ok) {
			assert_int_equal(id.type, c->type);
			assert_string_equal(id.value, c->value);
		}
		talloc_free(b);

		for (len = 0; len < n; len++) {
			b = exact(fx->ctx, c->in, len);
			if (sl_number_normalise(&rules, sl_str_make(b, len), &id)) {
				assert_true(id.type == SL_ID_E164 || id.type == SL_ID_NUMBER);
				assert_true(strlen(id.value) < SL_ID_MAX);
			}
			talloc_free(b);
		}
	}
}

/* --- parties ------------------------------------------------------------ */

static void test_party_add(void **state)
{
	struct sl_party p;
	char longv[SL_ID_MAX + 1];
	unsigned i;

	memset(&p, 0, sizeof(p));
	assert_false(sl_party_add(&p, SL_ID_NONE, "x"));
	assert_false(sl_party_add(&p, SL_ID_SIP_URI, ""));
	assert_int_equal(p.n, 0);
	assert_null(sl_party_first(&p, SL_ID_E164));

	/* the longest value that fits SL_ID_MAX with its NUL, and one more */
	memset(longv, 'x', sizeof(longv));
	memcpy(longv, "sip:", 4);
	longv[SL_ID_MAX] = '\0';
	assert_false(sl_party_add(&p, SL_ID_SIP_URI, longv));
	longv[SL_ID_MAX - 1] = '\0';
	assert_true(sl_party_add(&p, SL_ID_SIP_URI, longv));
	assert_int_equal(strlen(p.id[0].value), SL_ID_MAX - 1);

	assert_true(sl_party_add(&p, SL_ID_E164, "+4930123"));
	assert_false(sl_party_add(&p, SL_ID_E164, "+4930123")); /* duplicate */
	assert_true(sl_party_add(&p, SL_ID_NUMBER, "4930123"));	 /* same text, other type */
	assert_true(sl_party_has(&p, SL_ID_E164, "+4930123"));
	assert_false(sl_party_has(&p, SL_ID_NUMBER, "+4930123"));
	assert_false(sl_party_has(&p, SL_ID_E164, "+493012"));
	assert_string_equal(sl_party_first(&p, SL_ID_SIP_URI)->value, longv);
	assert_string_equal(sl_party_first(&p, SL_ID_NUMBER)->value, "4930123");
	assert_string_equal(sl_party_first(&p, SL_ID_E164)->value, "+4930123");
	assert_null(sl_party_first(&p, SL_ID_IMSI));
	assert_int_equal(p.n, 3);

	for (i = 0; p.n < SL_PARTY_MAX_IDS; i++) {
		char v[8] = "sip:a";
		v[5] = (char)('a' + i);
		assert_true(sl_party_add(&p, SL_ID_SIP_URI, v));
	}
	assert_false(sl_party_add(&p, SL_ID_IMEI, "35209900176148"));
	assert_int_equal(p.n, SL_PARTY_MAX_IDS);
	assert_party_sane(&p);
}

/* --- URIs --------------------------------------------------------------- */

struct want_id {
	enum sl_id_type type;
	const char *value;
};

static const struct uri_case {
	enum plan plan;
	const char *uri;
	struct want_id ids[3];
} uri_cases[] = {
	{ DFLT, "sip:Alice@Example.COM:5060;transport=tcp", { { SL_ID_SIP_URI, "sip:Alice@example.com" } } },
	{ DFLT, "SIPS:bob@EXAMPLE.com", { { SL_ID_SIP_URI, "sip:bob@example.com" } } },
	{ DFLT, "sip:example.com;lr", { { SL_ID_SIP_URI, "sip:example.com" } } },
	{ DFLT,
	  "sip:+4930123456@ims.example.net;user=phone",
	  { { SL_ID_SIP_URI, "sip:+4930123456@ims.example.net" }, { SL_ID_E164, "+4930123456" } } },
	{ DE,
	  "sip:030123456@ims.example.net",
	  { { SL_ID_SIP_URI, "sip:030123456@ims.example.net" }, { SL_ID_E164, "+4930123456" } } },
	{ DFLT,
	  "sip:030123456@ims.example.net",
	  { { SL_ID_SIP_URI, "sip:030123456@ims.example.net" }, { SL_ID_NUMBER, "030123456" } } },
	{ DE, "sip:0049301234@x.example", { { SL_ID_SIP_URI, "sip:0049301234@x.example" }, { SL_ID_E164, "+49301234" } } },
	{ DE_STRICT, "sip:030123456@x.example", { { SL_ID_SIP_URI, "sip:030123456@x.example" } } },
	{ DE_STRICT,
	  "sip:030123456@x.example;user=phone",
	  { { SL_ID_SIP_URI, "sip:030123456@x.example" }, { SL_ID_E164, "+4930123456" } } },
	/* without user=phone only plain digits count: separators make it a name */
	{ DFLT, "sip:+1-212-555-1212@gw.example.com", { { SL_ID_SIP_URI, "sip:+1-212-555-1212@gw.example.com" } } },
	{ DFLT,
	  "sip:+1-212-555-1212@gw.example.com;user=phone",
	  { { SL_ID_SIP_URI, "sip:+1-212-555-1212@gw.example.com" }, { SL_ID_E164, "+12125551212" } } },
	{ DFLT,
	  "sip:+1-212-555-1212:secret@gw.example.com;user=phone",
	  { { SL_ID_SIP_URI, "sip:+1-212-555-1212@gw.example.com" }, { SL_ID_E164, "+12125551212" } } },
	/* a telephone-subscriber with parameters in the user part: the number is taken before the ';' */
	{ DE,
	  "sip:030123;phone-context=+49@ims.example.net;user=phone",
	  { { SL_ID_SIP_URI, "sip:030123;phone-context=+49@ims.example.net" }, { SL_ID_E164, "+4930123" } } },
	{ DFLT, "sip:alice;day=tuesday@atlanta.com", { { SL_ID_SIP_URI, "sip:alice;day=tuesday@atlanta.com" } } },
	{ DFLT, "sip:12a@x.example", { { SL_ID_SIP_URI, "sip:12a@x.example" } } },
	/* an IPv6 reference keeps its brackets, with or without a user part */
	{ DFLT, "sip:bob@[2001:DB8::1]:5060", { { SL_ID_SIP_URI, "sip:bob@[2001:db8::1]" } } },
	{ DFLT, "sip:[2001:db8::2]", { { SL_ID_SIP_URI, "sip:[2001:db8::2]" } } },
	{ DFLT, "sip:1@x.example", { { SL_ID_SIP_URI, "sip:1@x.example" } } }, /* one digit is no number */
	{ DFLT, "tel:+1-201-555-0123", { { SL_ID_E164, "+12015550123" } } },
	{ DE, "tel:030-1234-567;phone-context=+49", { { SL_ID_E164, "+49301234567" } } },
	{ DFLT, "tel:0301234567", { { SL_ID_NUMBER, "0301234567" } } },
	{ DFLT, "tel:abc", { { 0 } } },
	{ DFLT, "tel:", { { 0 } } },
	{ DFLT, "urn:gsma:imei:35209900-176148-1", { { 0 } } },
	{ DFLT, "mailto:alice@example.com", { { 0 } } },
	{ DFLT, "garbage", { { 0 } } },
	{ DFLT, "", { { 0 } } },
	{ DFLT, "sip:", { { 0 } } },
	{ DFLT, "sip:alice@", { { 0 } } },
	/* IMSI-derived IMS identities (TS 23.003 13.3), 2-digit MNC padded to 3 in the domain */
	{ DFLT,
	  "sip:262011234567890@ims.mnc001.mcc262.3gppnetwork.org",
	  { { SL_ID_SIP_URI, "sip:262011234567890@ims.mnc001.mcc262.3gppnetwork.org" },
	    { SL_ID_IMSI, "262011234567890" } } },
	{ DFLT,
	  "sip:310410123456789@IMS.MNC410.MCC310.3GPPNETWORK.ORG",
	  { { SL_ID_SIP_URI, "sip:310410123456789@ims.mnc410.mcc310.3gppnetwork.org" },
	    { SL_ID_IMSI, "310410123456789" } } },
	/* MCC of the domain differs from the IMSI's: not an IMSI, just digits */
	{ DFLT,
	  "sip:262011234567890@ims.mnc001.mcc263.3gppnetwork.org",
	  { { SL_ID_SIP_URI, "sip:262011234567890@ims.mnc001.mcc263.3gppnetwork.org" },
	    { SL_ID_NUMBER, "262011234567890" } } },
};

static void expect_party(const struct sl_party *p, const struct want_id *want, const char *what)
{
	unsigned n = 0, i;

	while (n < 3 && want[n].type)
		n++;
	if (p->n != n) {
		for (i = 0; i < p->n; i++)
			print_error("  got %s '%s'\n", sl_id_type_names[p->id[i].type], p->id[i].value);
		fail_msg("%s: %u identities, want %u", what, p->n, n);
	}
	for (i = 0; i < n; i++) {
		if (p->id[i].type != want[i].type || strcmp(p->id[i].value, want[i].value) != 0)
			fail_msg("%s: identity %u is %s '%s', want %s '%s'", what, i, sl_id_type_names[p->id[i].type],
				 p->id[i].value, sl_id_type_names[want[i].type], want[i].value);
	}
	assert_party_sane(p);
}

static void test_party_add_uri(void **state)
{
	struct fixture *fx = *state;
	size_t i, len;

	for (i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
		const struct uri_case *c = &uri_cases[i];
		size_t n = strlen(c->uri);
		char *b = exact(fx->ctx, c->uri, n);
		struct sl_numbering rules;
		struct sl_party p;

		numbering(c->plan, &rules);
		memset(&p, 0, sizeof(p));
		sl_party_add_uri(&p, &rules, sl_str_make(b, n));
		expect_party(&p, c->ids, c->uri);
		/* adding the same URI again changes nothing */
		sl_party_add_uri(&p, &rules, sl_str_make(b, n));
		expect_party(&p, c->ids, c->uri);
		talloc_free(b);

		for (len = 0; len < n; len++) {
			b = exact(fx->ctx, c->uri, len);
			memset(&p, 0, sizeof(p));
			sl_party_add_uri(&p, &rules, sl_str_make(b, len));
			assert_party_sane(&p);
			talloc_free(b);
		}
	}
}

/* A URI identity that does not fit SL_ID_MAX is dropped whole, never truncated. */
static void test_uri_length_limit(void **state)
{
	struct fixture *fx = *state;
	struct sl_numbering rules;
	struct sl_party p;
	char uri[SL_ID_MAX + 64], host[SL_ID_MAX + 32];
	size_t hl;

	numbering(DFLT, &rules);
	/* from below the old 95-character limit (URIs of 96..255 characters were dropped) past the present one */
	assert_true(SL_ID_MAX - 1 >= 255);
	for (hl = 80; hl < sizeof(host) - 1; hl++) {
		size_t n;
		char *b;

		memset(host, 'h', hl);
		host[hl] = '\0';
		/* "sip:" + "1234" + "@" + host = 9 + hl characters */
		n = (size_t)snprintf(uri, sizeof(uri), "sip:1234@%s", host);
		b = exact(fx->ctx, uri, n);
		memset(&p, 0, sizeof(p));
		sl_party_add_uri(&p, &rules, sl_str_make(b, n));
		if (9 + hl <= SL_ID_MAX - 1) {
			assert_int_equal(p.n, 2);
			assert_int_equal(p.id[0].type, SL_ID_SIP_URI);
			assert_int_equal(strlen(p.id[0].value), 9 + hl);
			assert_string_equal(p.id[1].value, "1234");
		} else {
			/* the URI itself is dropped, the number it carries is still taken */
			assert_int_equal(p.n, 1);
			assert_int_equal(p.id[0].type, SL_ID_NUMBER);
			assert_string_equal(p.id[0].value, "1234");
		}
		talloc_free(b);
	}
}

/*
 * Regression: one REGISTER carries the same IMSI-derived identity in From
 * and P-Asserted-Identity. The second sighting used to find the IMSI already
 * present and add its digits once more as a telephone number.
 */
static void test_imsi_uri_twice(void **state)
{
	static const char uri[] = "sip:262011234567890@ims.mnc001.mcc262.3gppnetwork.org";
	struct sl_numbering rules;
	struct sl_party p;

	numbering(DE, &rules);
	memset(&p, 0, sizeof(p));
	sl_party_add_uri(&p, &rules, SL_STR_LIT(uri));
	sl_party_add_uri(&p, &rules, SL_STR_LIT(uri));
	assert_int_equal(p.n, 2);
	assert_null(sl_party_first(&p, SL_ID_NUMBER));
	assert_null(sl_party_first(&p, SL_ID_E164));
	assert_string_equal(sl_party_first(&p, SL_ID_IMSI)->value, "262011234567890");

	/* the same when the IMSI came first from the Authorization username */
	memset(&p, 0, sizeof(p));
	assert_true(sl_party_add_ims_nai(&p, SL_STR_LIT("262011234567890"),
					 SL_STR_LIT("ims.mnc001.mcc262.3gppnetwork.org")));
	sl_party_add_uri(&p, &rules, SL_STR_LIT(uri));
	assert_int_equal(p.n, 2);
	assert_null(sl_party_first(&p, SL_ID_NUMBER));
}

/* --- IMS NAI ------------------------------------------------------------ */

static void test_ims_nai(void **state)
{
	static const struct {
		const char *user, *host;
		const char *imsi; /* NULL: refused */
	} cases[] = {
		{ "262011234567890", "ims.mnc001.mcc262.3gppnetwork.org", "262011234567890" },
		{ "26201123456789", "ims.mnc001.mcc262.3gppnetwork.org", "26201123456789" },
		{ "310410123456789", "ims.mnc410.mcc310.3gppnetwork.org", "310410123456789" },
		{ "310410123456789", "Ims.Mnc410.Mcc310.3GppNetwork.Org", "310410123456789" },
		{ "2620112345678", "ims.mnc001.mcc262.3gppnetwork.org", NULL },	  /* 13 digits */
		{ "2620112345678901", "ims.mnc001.mcc262.3gppnetwork.org", NULL }, /* 16 digits */
		{ "26201123456789a", "ims.mnc001.mcc262.3gppnetwork.org", NULL },
		{ "262021234567890", "ims.mnc001.mcc262.3gppnetwork.org", NULL },  /* MNC differs */
		{ "263011234567890", "ims.mnc001.mcc262.3gppnetwork.org", NULL },  /* MCC differs */
		/* only a leading 0 in the domain's MNC marks a padded 2-digit MNC */
		{ "310101234567890", "ims.mnc410.mcc310.3gppnetwork.org", NULL },
		{ "262011234567890", "ims.mnc001.mcc262.3gppnetwork.com", NULL },
		{ "262011234567890", "ims.mnc01.mcc262.3gppnetwork.org", NULL },
		{ "262011234567890", "ims.mncx01.mcc262.3gppnetwork.org", NULL },
		{ "262011234567890", "ims.mnc001.mcc2x2.3gppnetwork.org", NULL },
		{ "262011234567890", "xms.mnc001.mcc262.3gppnetwork.org", NULL },
		{ "262011234567890", "ims.mnc001xmcc262.3gppnetwork.org", NULL },
		{ "262011234567890", "ims.mnc001.mcc262.3gppnetwork.or", NULL },
		{ "262011234567890", "ims.mnc001.mcc262.3gppnetwork.orgg", NULL },
		{ "262011234567890", "", NULL },
		{ "", "ims.mnc001.mcc262.3gppnetwork.org", NULL },
	};
	struct fixture *fx = *state;
	size_t i, ul, hl;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t un = strlen(cases[i].user), hn = strlen(cases[i].host);
		char *u = exact(fx->ctx, cases[i].user, un), *h = exact(fx->ctx, cases[i].host, hn);
		struct sl_party p;
		bool ok;

		memset(&p, 0, sizeof(p));
		ok = sl_party_add_ims_nai(&p, sl_str_make(u, un), sl_str_make(h, hn));
		if (ok != (cases[i].imsi != NULL))
			fail_msg("%s@%s: got %d", cases[i].user, cases[i].host, ok);
		if (ok) {
			assert_int_equal(p.n, 1);
			assert_int_equal(p.id[0].type, SL_ID_IMSI);
			assert_string_equal(p.id[0].value, cases[i].imsi);
			/* the same IMSI again is not added twice */
			assert_false(sl_party_add_ims_nai(&p, sl_str_make(u, un), sl_str_make(h, hn)));
			assert_int_equal(p.n, 1);
		} else {
			assert_int_equal(p.n, 0);
		}
		talloc_free(u);
		talloc_free(h);

		/* cut user and host at every length: only the full pair can still match */
		for (ul = 0; ul <= un; ul++) {
			for (hl = 0; hl <= hn; hl++) {
				u = exact(fx->ctx, cases[i].user, ul);
				h = exact(fx->ctx, cases[i].host, hl);
				memset(&p, 0, sizeof(p));
				if (sl_party_add_ims_nai(&p, sl_str_make(u, ul), sl_str_make(h, hl))) {
					/* only a whole ims.mncNNN.mccNNN.3gppnetwork.org (33 characters) */
					assert_int_equal(hl, 33);
					assert_true(ul >= 14);
					assert_party_sane(&p);
				}
				talloc_free(u);
				talloc_free(h);
			}
		}
	}
}

/* --- IMEI from +sip.instance ------------------------------------------- */

static void test_instance_imei(void **state)
{
	static const struct {
		const char *params;
		const char *imei;   /* NULL: refused */
		const char *digits; /* the digit run after "urn:gsma:imei:" */
	} cases[] = {
		{ ";+sip.instance=\"<urn:gsma:imei:35209900-176148-1>\"", "352099001761481", "352099001761481" },
		{ ";expires=600;+sip.instance=\"<URN:GSMA:IMEI:35209900-176148-1;svn=23>\";reg-id=1", "352099001761481",
		  "352099001761481" },
		{ "<urn:gsma:imei:3520990017614823>", "3520990017614823", "3520990017614823" },
		{ "urn:gsma:imei:35209900176148", "35209900176148", "35209900176148" },
		{ "urn:gsma:imei:3520990017614", NULL, "3520990017614" },	    /* 13 digits */
		{ "urn:gsma:imei:35209900176148231", NULL, "35209900176148231" }, /* 17 digits */
		{ "urn:gsma:imei:", NULL, "" },
		{ "urn:gsma:imei", NULL, "" },
		{ ";+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"", NULL, "" },
		{ "urn:gsma:imei:35209900x176148-1", NULL, "35209900" },
		{ "", NULL, "" },
	};
	struct fixture *fx = *state;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].params);
		char *b = exact(fx->ctx, cases[i].params, n);
		struct sl_party p;
		bool ok;

		memset(&p, 0, sizeof(p));
		ok = sl_party_add_instance_imei(&p, sl_str_make(b, n));
		if (ok != (cases[i].imei != NULL))
			fail_msg("'%s': got %d", cases[i].params, ok);
		if (ok) {
			assert_int_equal(p.n, 1);
			assert_int_equal(p.id[0].type, SL_ID_IMEI);
			assert_string_equal(p.id[0].value, cases[i].imei);
		} else {
			assert_int_equal(p.n, 0);
		}
		talloc_free(b);

		for (len = 0; len < n; len++) {
			b = exact(fx->ctx, cases[i].params, len);
			memset(&p, 0, sizeof(p));
			if (sl_party_add_instance_imei(&p, sl_str_make(b, len))) {
				assert_party_sane(&p);
				/* a cut input yields a prefix of its digit run, never other digits */
				assert_true(strlen(p.id[0].value) <= strlen(cases[i].digits));
				assert_memory_equal(p.id[0].value, cases[i].digits, strlen(p.id[0].value));
			}
			talloc_free(b);
		}
	}
}

/* --- random input ------------------------------------------------------- */

static void test_random(void **state)
{
	static const char alpha[] = "sip:tel@+-.()0123456789;=user=phone imsmncmcc.3gppnetwork.org urn:gsma:imei:";
	static const char *const prefixes[] = { "sip:", "tel:", "sip:26201", "urn:gsma:imei:", "" };
	struct fixture *fx = *state;
	struct sl_numbering rules[4];
	char buf[120];
	unsigned iter, k;
	size_t i;

	for (k = 0; k < 4; k++)
		numbering((enum plan)k, &rules[k]);
	rng_state = 0x1dea5eedu;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rng() % sizeof(buf)), pl;
		const char *pre = prefixes[rng() % 5];
		struct sl_party p;
		struct sl_identity id;
		char *b;
		long at;

		for (i = 0; i < len; i++)
			buf[i] = (iter & 1) ? (char)rng() : alpha[rng() % (sizeof(alpha) - 1)];
		pl = strlen(pre);
		if (len >= pl)
			memcpy(buf, pre, pl);
		b = exact(fx->ctx, buf, len);
		memset(&p, 0, sizeof(p));
		sl_party_add_uri(&p, &rules[iter % 4], sl_str_make(b, len));
		sl_party_add_instance_imei(&p, sl_str_make(b, len));
		at = sl_str_chr(sl_str_make(b, len), '@');
		if (at >= 0)
			sl_party_add_ims_nai(&p, sl_str_make(b, (size_t)at),
					     sl_str_make(b + at + 1, len - (size_t)at - 1));
		assert_party_sane(&p);
		if (sl_number_normalise(&rules[iter % 4], sl_str_make(b, len), &id))
			assert_true(strlen(id.value) < SL_ID_MAX);
		talloc_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_numbering_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_normalise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_party_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_party_add_uri, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uri_length_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imsi_uri_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ims_nai, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instance_imei, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
