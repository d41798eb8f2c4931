/*
 * Unit tests for mediation/lawful/warrant_parse.c: a full warrant and a
 * revocation parse with every field; targets are normalised as capture
 * normalises identities; each rule of the schema refuses with a message
 * naming the field (and never quoting a target's value); every truncation
 * of a valid document, copied into an exactly sized buffer, is refused
 * without reading past it; RFC 3339 times, exact to the microsecond,
 * refuse dates that do not exist.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/lawful/warrant.h"

static const char good[] =
	"{\"type\":\"warrant\",\"format\":1,\"liid\":\"DE-BKA-0001\",\"version\":3,"
	"\"authority\":{\"name\":\"bka\",\"country\":\"DE\"},\"case\":\"AZ 12/26 Amtsgericht\","
	"\"issued\":\"2026-12-01T09:00:00Z\","
	"\"valid\":{\"from\":\"2026-12-01T10:00:00Z\",\"until\":\"2027-01-01T00:00:00.5Z\"},"
	"\"scope\":{\"delivery\":\"iri\",\"services\":[\"voice\",\"location\"]},"
	"\"targets\":["
	"{\"type\":\"sip-uri\",\"value\":\"SIPS:Alice@Example.COM:5061;transport=tls\"},"
	"{\"type\":\"tel-uri\",\"value\":\"tel:+49-30-1234567\"},"
	"{\"type\":\"e164\",\"value\":\"+4930 7654321\"},"
	"{\"type\":\"imsi\",\"value\":\"262011234567890\"},"
	"{\"type\":\"imei\",\"value\":\"35209900176148\"},"
	"{\"type\":\"ipv4\",\"value\":\"10.20.0.0/16\"},"
	"{\"type\":\"ipv6\",\"value\":\"2001:db8::1\"}],"
	"\"destination\":\"bka-lemf\"}";

static int parse(const char *json, struct sl_warrant_meta *m, struct sl_intercept *ic, struct sl_target *t, char *err,
		 size_t errlen)
{
	struct sl_numbering num;

	sl_numbering_default(&num);
	memset(ic, 0, sizeof(*ic));
	ic->target = t;
	return sl_warrant_parse(json, strlen(json), &num, m, ic, err, errlen);
}

static void test_good(void **state)
{
	struct sl_target t[SL_INTERCEPT_MAX_TARGETS];
	struct sl_warrant_meta m;
	struct sl_intercept ic;
	char err[256];
	uint64_t us;

	assert_int_equal(parse(good, &m, &ic, t, err, sizeof(err)), 0);
	assert_int_equal(m.type, SL_DOC_WARRANT);
	assert_string_equal(m.liid, "DE-BKA-0001");
	assert_string_equal(ic.liid, "DE-BKA-0001");
	assert_int_equal(m.version, 3);
	assert_string_equal(m.authority, "bka");
	assert_string_equal(m.country, "DE");
	assert_string_equal(m.case_ref, "AZ 12/26 Amtsgericht");
	assert_true(sl_warrant_parse_time("2026-12-01T10:00:00Z", &us));
	assert_int_equal(ic.start_us, us);
	assert_int_equal(ic.end_us, 1798761600000000ull + 500000);
	assert_int_equal(ic.scope, SL_SCOPE_IRI);
	assert_int_equal(ic.services, SL_SVC_VOICE | SL_SVC_LOCATION);
	assert_string_equal(ic.dest, "bka-lemf");
	assert_int_equal(ic.n_targets, 7);
	/* as capture normalises: sips folded into sip, host lower case, port and parameters gone */
	assert_int_equal(t[0].id.type, SL_ID_SIP_URI);
	assert_string_equal(t[0].id.value, "sip:Alice@example.com");
	assert_int_equal(t[1].id.type, SL_ID_E164);
	assert_string_equal(t[1].id.value, "+49301234567");
	assert_int_equal(t[2].id.type, SL_ID_E164);
	assert_string_equal(t[2].id.value, "+49307654321");
	assert_int_equal(t[3].id.type, SL_ID_IMSI);
	assert_int_equal(t[4].id.type, SL_ID_IMEI);
	assert_int_equal(t[5].id.type, SL_ID_NONE);
	assert_int_equal(t[5].prefix_len, 16);
	assert_int_equal(t[6].prefix_len, 128);
}

static void test_revocation(void **state)
{
	struct sl_target t[SL_INTERCEPT_MAX_TARGETS];
	struct sl_warrant_meta m;
	struct sl_intercept ic;
	char err[256];

	assert_int_equal(parse("{\"type\":\"revocation\",\"format\":1,\"liid\":\"L1\",\"version\":2,"
			       "\"authority\":{\"name\":\"bka\",\"country\":\"DE\"},\"issued\":\"2026-12-02T00:00:00Z\","
			       "\"reason\":\"order lifted\"}",
			       &m, &ic, t, err, sizeof(err)),
			 0);
	assert_int_equal(m.type, SL_DOC_REVOCATION);
	assert_string_equal(m.reason, "order lifted");
	assert_int_equal(ic.n_targets, 0);
	/* a warrant's field in a revocation is unknown there */
	assert_int_equal(parse("{\"type\":\"revocation\",\"format\":1,\"liid\":\"L1\",\"version\":2,"
			       "\"authority\":{\"name\":\"bka\",\"country\":\"DE\"},\"issued\":\"2026-12-02T00:00:00Z\","
			       "\"targets\":[]}",
			       &m, &ic, t, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown field \"targets\""));
}

/* Replace the first occurrence of from in good with to, parse, and expect a refusal mentioning want. */
static void refuse(const char *from, const char *to, const char *want)
{
	struct sl_target t[SL_INTERCEPT_MAX_TARGETS];
	struct sl_warrant_meta m;
	struct sl_intercept ic;
	char doc[4096], err[256];
	const char *hit = strstr(good, from);

	assert_non_null(hit);
	snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(hit - good), good, to, hit + strlen(from));
	if (parse(doc, &m, &ic, t, err, sizeof(err)) != -EINVAL)
		fail_msg("accepted with %s -> %s", from, to);
	if (!strstr(err, want))
		fail_msg("with %s -> %s: message \"%s\" lacks \"%s\"", from, to, err, want);
	/* a refusal never quotes a target */
	assert_null(strstr(err, "Alice"));
	assert_null(strstr(err, "1234567"));
	assert_null(strstr(err, "262011234567890"));
	/* nothing of a refused document is in the interception */
	assert_int_equal(ic.n_targets, 0);
}

static void test_refusals(void **state)
{
	refuse("\"format\":1", "\"format\":2", "format:");
	refuse("\"type\":\"warrant\"", "\"type\":\"order\"", "type:");
	refuse("\"liid\":\"DE-BKA-0001\"", "\"liid\":\"a/b\"", "liid:");
	refuse("\"liid\":\"DE-BKA-0001\"", "\"liid\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\"", "liid:");
	refuse("\"liid\":\"DE-BKA-0001\"", "\"liid\":\"\"", "liid:");
	refuse("\"version\":3", "\"version\":0", "version:");
	refuse("\"version\":3", "\"version\":\"3\"", "version:");
	refuse("\"version\":3", "\"version\":3.0", "version:");
	refuse("\"country\":\"DE\"", "\"country\":\"de\"", "authority.country:");
	refuse("\"name\":\"bka\"", "\"nam\":\"bka\"", "unknown field \"nam\"");
	refuse("\"case\":\"AZ 12/26 Amtsgericht\",", "", "case: missing");
	refuse("\"case\":\"AZ 12/26 Amtsgericht\"", "\"case\":\"a\\u0001b\"", "case: control character");
	refuse("2026-12-01T10:00:00Z", "2026-12-01 10:00:00Z", "valid.from:");
	refuse("2026-12-01T10:00:00Z", "2026-02-30T10:00:00Z", "valid.from:");
	refuse("2026-12-01T10:00:00Z", "2026-12-01T10:00:00+01:00", "valid.from:");
	refuse("2027-01-01T00:00:00.5Z", "2026-12-01T10:00:00Z", "valid.until: must be after");
	refuse("\"delivery\":\"iri\"", "\"delivery\":\"cc\"", "scope.delivery:");
	refuse("[\"voice\",\"location\"]", "[]", "scope.services:");
	refuse("[\"voice\",\"location\"]", "[\"voice\",\"voice\"]", "scope.services[1]: listed twice");
	refuse("[\"voice\",\"location\"]", "[\"video\"]", "scope.services[0]:");
	refuse("\"type\":\"sip-uri\",\"value\":\"SIPS", "\"type\":\"sip-uri\",\"value\":\"http", "targets[0].value:");
	refuse("\"type\":\"sip-uri\"", "\"type\":\"email\"", "targets[0].type:");
	refuse("tel:+49-30-1234567", "tel:1234567;phone-context=example.com", "targets[1].value:");
	refuse("+4930 7654321", "4930 7654321", "targets[2].value:");
	refuse("\"262011234567890\"", "\"26201123456789A\"", "targets[3].value:");
	refuse("\"35209900176148\"", "\"3520990017614\"", "targets[4].value:");
	refuse("10.20.0.0/16", "10.20.0.1/16", "targets[5].value:");
	refuse("10.20.0.0/16", "10.20.0.0/33", "targets[5].value:");
	refuse("2001:db8::1", "10.0.0.1", "targets[6].value:");
	refuse("\"targets\":[", "\"targets\":[{\"type\":\"imsi\",\"value\":\"262011234567890\"},", "the same target");
	refuse("\"targets\":[", "\"targets\":[{\"type\":\"imsi\"},", "targets[0].value: missing");
	refuse("\"destination\":\"bka-lemf\"", "\"destination\":\"bka-lemf\",\"extra\":1", "unknown field \"extra\"");
	refuse("\"destination\":\"bka-lemf\"", "\"destination\":\"bka-lemf\",\"destination\":\"x\"", "not JSON");
	refuse("}", "} trailing", "not JSON");
}

/* Every cut of a valid document, in an exactly sized buffer: refused, never read past. */
static void test_truncations(void **state)
{
	struct sl_target t[SL_INTERCEPT_MAX_TARGETS];
	struct sl_numbering num;
	struct sl_warrant_meta m;
	struct sl_intercept ic;
	size_t n = strlen(good), cut;
	char err[256];

	sl_numbering_default(&num);
	for (cut = 0; cut < n; cut++) {
		char *copy = malloc(cut ? cut : 1);
		memcpy(copy, good, cut);
		memset(&ic, 0, sizeof(ic));
		ic.target = t;
		assert_int_equal(sl_warrant_parse(copy, cut, &num, &m, &ic, err, sizeof(err)), -EINVAL);
		free(copy);
	}
	/* garbage */
	for (cut = 0; cut < 2000; cut++) {
		uint64_t x = 0x9E3779B97F4A7C15ull * (cut + 1);
		uint8_t buf[64];
		size_t i;
		for (i = 0; i < sizeof(buf); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64: the same garbage every run */
			buf[i] = (uint8_t)x;
		}
		memset(&ic, 0, sizeof(ic));
		ic.target = t;
		assert_int_equal(sl_warrant_parse(buf, sizeof(buf), &num, &m, &ic, err, sizeof(err)), -EINVAL);
	}
}

static void test_times(void **state)
{
	uint64_t us;
	char buf[32];

	assert_true(sl_warrant_parse_time("1970-01-01T00:00:00Z", &us));
	assert_int_equal(us, 0);
	assert_true(sl_warrant_parse_time("2026-12-03T10:11:12.123456Z", &us));
	assert_int_equal(us, 1796292672123456ull);
	assert_string_equal(sl_warrant_fmt_time(buf, sizeof(buf), us), "2026-12-03T10:11:12Z");
	assert_true(sl_warrant_parse_time("2024-02-29T00:00:00Z", &us));
	assert_false(sl_warrant_parse_time("2025-02-29T00:00:00Z", &us));
	assert_false(sl_warrant_parse_time("2026-12-03T10:11:12", &us));
	assert_false(sl_warrant_parse_time("2026-12-03T10:11:12.Z", &us));
	assert_false(sl_warrant_parse_time("2026-12-03T24:00:00Z", &us));
	assert_false(sl_warrant_parse_time("2026-1-03T10:11:12Z", &us));
	assert_false(sl_warrant_parse_time("+026-12-03T10:11:12Z", &us));
	assert_false(sl_warrant_parse_time("", &us));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	   cmocka_unit_test(test_revocation), cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_truncations), cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
