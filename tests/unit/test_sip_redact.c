/*
 * Unit tests for handover/sip_redact.c: the fields that locate a user are
 * removed from a SIP message (with their continuation lines, whatever
 * their case and the whitespace before the colon); nothing else changes:
 * not the start line, other fields with similar names, the body (even if
 * it contains such a line), nor CRLF or bare LF line ends. Every
 * truncation, in an exactly sized buffer, gives no more bytes than it had.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handover/sip_redact.h"

static void check(const char *in, const char *want)
{
	size_t n = strlen(in);
	uint8_t *copy = malloc(n ? n : 1), *out = malloc(n ? n : 1);
	size_t got;

	memcpy(copy, in, n);
	got = sl_sip_without_location(copy, n, out);
	if (got != strlen(want) || memcmp(out, want, got))
		fail_msg("redacted:\n%.*s\nexpected:\n%s", (int)got, (const char *)out, want);
	free(copy);
	free(out);
}

static void test_removed(void **state)
{
	check("INVITE sip:b@x SIP/2.0\r\nFrom: <sip:a@x>\r\n"
	      "P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100A1B2C3D4E\r\n"
	      "To: <sip:b@x>\r\nContent-Length: 0\r\n\r\n",
	      "INVITE sip:b@x SIP/2.0\r\nFrom: <sip:a@x>\r\nTo: <sip:b@x>\r\nContent-Length: 0\r\n\r\n");
	/* folded, other case, whitespace before the colon, all three names */
	check("SIP/2.0 200 OK\r\np-access-network-info  : 3GPP-UTRAN-TDD;\r\n utran-cell-id-3gpp=1\r\n\tmore\r\n"
	      "Via: x\r\nCellular-Network-Info: 3GPP-E-UTRAN; ci=7\r\nP-Last-Access-Network-Info:x\r\nCall-ID: c\r\n\r\n",
	      "SIP/2.0 200 OK\r\nVia: x\r\nCall-ID: c\r\n\r\n");
	/* bare LF line ends; a message that ends in the header section */
	check("MESSAGE sip:b@x SIP/2.0\nP-Access-Network-Info: a\nTo: b\n", "MESSAGE sip:b@x SIP/2.0\nTo: b\n");
	check("MESSAGE sip:b@x SIP/2.0\r\nTo: b\r\nP-Access-Network-Info: a", "MESSAGE sip:b@x SIP/2.0\r\nTo: b\r\n");
}

static void test_kept(void **state)
{
	const char *msgs[] = {
		/* similar names are other fields */
		"INVITE sip:b@x SIP/2.0\r\nP-Access-Network-InfoX: a\r\nX-P-Access-Network-Info: b\r\n\r\n",
		/* the body is copied as it is, whatever it contains */
		"MESSAGE sip:b@x SIP/2.0\r\nContent-Length: 33\r\n\r\nP-Access-Network-Info: 3GPP-X\r\n\r\n",
		/* a start line that looks like the field is the start line */
		"P-Access-Network-Info: x\r\nTo: b\r\n\r\n",
		"",
		"\r\n",
	};
	unsigned i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		check(msgs[i], msgs[i]);
}

static void test_truncations(void **state)
{
	static const char msg[] = "INVITE sip:b@x SIP/2.0\r\nP-Access-Network-Info: 3GPP;\r\n cell=1\r\nTo: b\r\n"
				  "Cellular-Network-Info: x\r\nContent-Length: 4\r\n\r\nbody";
	size_t n = sizeof(msg) - 1, cut;

	for (cut = 0; cut <= n; cut++) {
		uint8_t *in = malloc(cut ? cut : 1), *out = malloc(cut ? cut : 1);
		memcpy(in, msg, cut);
		assert_true(sl_sip_without_location(in, cut, out) <= cut);
		free(in);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
