/*
 * GTPv2-C decoding (capture/gtpv2.c) and the UE binding table
 * (capture/ue_bind.c) from byte sequences worked out from 3GPP TS 29.274
 * (clause 5.1 header, 8.3 IMSI, 8.4 Cause, 8.6 APN, 8.10 MEI, 8.11
 * MSISDN, 8.14 PAA, 8.21 ULI, 8.22 F-TEID, 8.28 Bearer Context) and the
 * PLMN coding of TS 24.008 10.5.1.13. Every truncation of every vector is
 * decoded from an exactly sized copy so ASan sees any overread; cutting a
 * message at each length with its header length fixed up must succeed
 * exactly at IE boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/gtpv2.h"
#include "capture/ue_bind.h"
#include "tests/unit/parser_test_util.h"

/* Create Session Request, T=1, TEID 0, sequence 0x000123; length patched by fix_len() */
static const uint8_t csr[] = {
	0x48, 32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x23, 0x00,
	/* IMSI 123456789012345: digit pairs low nibble first, filler F */
	0x01, 0x00, 0x08, 0x00, 0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0xf5,
	/* MSISDN 491567262200 */
	0x4c, 0x00, 0x06, 0x00, 0x94, 0x51, 0x76, 0x62, 0x22, 0x00,
	/* MEI: IMEISV 3520990017614823 */
	0x4b, 0x00, 0x08, 0x00, 0x53, 0x02, 0x99, 0x00, 0x71, 0x16, 0x84, 0x32,
	/* ULI: TAI and ECGI; MCC 262 MNC 01 (0x62 0xf2 0x10), TAC 42, ECI 0x1234567 under a spare nibble 0xf */
	0x56, 0x00, 0x0d, 0x00, 0x18, 0x62, 0xf2, 0x10, 0x00, 0x2a, 0x62, 0xf2, 0x10, 0xf1, 0x23, 0x45, 0x67,
	/* RAT type 6 (E-UTRAN) */
	0x52, 0x00, 0x01, 0x00, 0x06,
	/* sender F-TEID instance 0: V4, interface 10 (S11 MME), TEID 42, 192.0.2.1 */
	0x57, 0x00, 0x09, 0x00, 0x8a, 0x00, 0x00, 0x00, 0x2a, 0xc0, 0x00, 0x02, 0x01,
	/* F-TEID instance 1 (PGW S5/S8): skipped */
	0x57, 0x00, 0x09, 0x01, 0x87, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x09,
	/* APN "ims.example" */
	0x47, 0x00, 0x0c, 0x00, 0x03, 'i', 'm', 's', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	/* PAA requested: IPv4 0.0.0.0 */
	0x4f, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	/* Bearer Context: EBI 5 and an S1-U F-TEID (instance 0 inside the group: not the sender's) */
	0x5d, 0x00, 0x12, 0x00, 0x49, 0x00, 0x01, 0x00, 0x05,
	0x57, 0x00, 0x09, 0x00, 0x80, 0x00, 0x00, 0x00, 0x63, 0xc0, 0x00, 0x02, 0x01,
	/* an unknown IE (type 255, private extension) is stepped over */
	0xff, 0x00, 0x02, 0x00, 0xaa, 0xbb,
};

/*
 * Create Session Response with P=1 to TEID 42, same sequence, cause 16
 * (request accepted), sender F-TEID TEID 7 at 192.0.2.2, PAA IPv4v6 with
 * prefix 64 2001:db8:0:1::1 and 10.45.0.7; then a piggybacked Create
 * Bearer Request (T=1, TEID 42, sequence 0x000124) with a Bearer Context
 * for EBI 6.
 */
static const uint8_t csrsp[] = {
	0x58, 33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 0x23, 0x00,
	0x02, 0x00, 0x02, 0x00, 0x10, 0x00,
	0x57, 0x00, 0x09, 0x00, 0x8b, 0x00, 0x00, 0x00, 0x07, 0xc0, 0x00, 0x02, 0x02,
	0x4f, 0x00, 0x16, 0x00, 0x03, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x2d, 0x00, 0x07,
};
static const uint8_t cbr[] = {
	0x48, 95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 0x24, 0x00,
	0x5d, 0x00, 0x05, 0x00, 0x49, 0x00, 0x01, 0x00, 0x06,
};

/* A copy of v with the header length set to its size less 4 (exactly sized). */
static uint8_t *fixed(void *ctx, const uint8_t *v, size_t n, size_t cut)
{
	uint8_t *b = exact(ctx, v, cut);

	if (cut >= 4) {
		b[2] = (uint8_t)((cut - 4) >> 8);
		b[3] = (uint8_t)(cut - 4);
	}
	(void)n;
	return b;
}

static void test_request(void **state)
{
	struct fixture *fx = *state;
	uint8_t *b = fixed(fx->ctx, csr, sizeof(csr), sizeof(csr));
	struct sl_cursor c = sl_cur(b, sizeof(csr));
	struct sl_gtpv2_msg m;

	assert_int_equal(sl_gtpv2_decode(&c, &m), SL_GTPV2_OK);
	assert_int_equal(c.left, 0);
	assert_int_equal(m.type, SL_GTPV2_CREATE_SESSION_REQ);
	assert_true(m.has_teid);
	assert_int_equal(m.teid, 0);
	assert_int_equal(m.seq, 0x123);
	assert_false(m.piggyback);
	assert_string_equal(m.imsi, "123456789012345");
	assert_string_equal(m.msisdn, "491567262200");
	assert_string_equal(m.mei, "3520990017614823");
	assert_string_equal(m.apn, "ims.example");
	assert_true(m.has_uli);
	assert_int_equal(m.uli.flags, SL_ULI_TAI | SL_ULI_ECGI);
	assert_string_equal(m.uli.tai_plmn.mcc, "262");
	assert_string_equal(m.uli.tai_plmn.mnc, "01");
	assert_int_equal(m.uli.tac, 42);
	assert_string_equal(m.uli.ecgi_plmn.mnc, "01");
	assert_int_equal(m.uli.eci, 0x1234567);
	assert_int_equal(m.rat_type, 6);
	assert_true(m.sender.present);
	assert_int_equal(m.sender.teid, 42);
	assert_int_equal(m.sender.iface, 10);
	assert_true(m.sender.has_v4);
	assert_memory_equal(m.sender.v4, "\xc0\x00\x02\x01", 4);
	assert_int_equal(m.pdn_type, 1);
	assert_int_equal(m.n_bearers, 1);
	assert_int_equal(m.ebi[0], 5);
	assert_int_equal(m.n_ies, 11);
	assert_string_equal(sl_gtpv2_msg_name(m.type), "create_session_request");
	talloc_free(b);
}

static void test_response_piggyback(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[sizeof(csrsp) + sizeof(cbr)];
	uint8_t *b;
	struct sl_cursor c;
	struct sl_gtpv2_msg m;

	memcpy(buf, csrsp, sizeof(csrsp));
	buf[2] = 0;
	buf[3] = sizeof(csrsp) - 4;
	memcpy(buf + sizeof(csrsp), cbr, sizeof(cbr));
	buf[sizeof(csrsp) + 3] = sizeof(cbr) - 4;
	b = exact(fx->ctx, buf, sizeof(buf));
	c = sl_cur(b, sizeof(buf));
	assert_int_equal(sl_gtpv2_decode(&c, &m), SL_GTPV2_OK);
	assert_int_equal(m.type, SL_GTPV2_CREATE_SESSION_RSP);
	assert_true(m.piggyback);
	assert_int_equal(m.teid, 42);
	assert_true(m.has_cause);
	assert_true(sl_gtpv2_cause_accepted(m.cause));
	assert_int_equal(m.sender.teid, 7);
	assert_int_equal(m.pdn_type, 3);
	assert_true(m.has_ue4 && m.has_ue6);
	assert_memory_equal(m.ue4, "\x0a\x2d\x00\x07", 4);
	assert_int_equal(m.ue6_prefix_len, 64);
	assert_int_equal(m.ue6[15], 1);
	assert_int_equal(c.left, sizeof(cbr));
	assert_int_equal(sl_gtpv2_decode(&c, &m), SL_GTPV2_OK);
	assert_int_equal(m.type, SL_GTPV2_CREATE_BEARER_REQ);
	assert_int_equal(m.seq, 0x124);
	assert_int_equal(m.n_bearers, 1);
	assert_int_equal(m.ebi[0], 6);
	assert_int_equal(c.left, 0);
	talloc_free(b);
}

/* Datagram cut at every length: always truncated, never a read past the copy. */
static void test_truncation(void **state)
{
	struct fixture *fx = *state;
	const struct {
		const uint8_t *v;
		size_t n;
	} vec[] = { { csr, sizeof(csr) }, { csrsp, sizeof(csrsp) }, { cbr, sizeof(cbr) } };
	unsigned i;
	size_t cut;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		uint8_t *full = fixed(fx->ctx, vec[i].v, vec[i].n, vec[i].n);
		struct sl_cursor c;
		struct sl_gtpv2_msg m;
		size_t bounds[64], nb = 0, off = 12;

		/* the IE boundaries of the intact message */
		while (off < vec[i].n) {
			bounds[nb++] = off;
			off += 4u + (size_t)((full[off + 1] << 8) | full[off + 2]);
		}
		assert_int_equal(off, vec[i].n);
		bounds[nb++] = off;
		for (cut = 0; cut < vec[i].n; cut++) {
			uint8_t *b = exact(fx->ctx, full, cut);
			size_t k;
			bool at_boundary = false;
			enum sl_gtpv2_result r;

			c = sl_cur(b, cut);
			assert_int_equal(sl_gtpv2_decode(&c, &m), SL_GTPV2_TRUNCATED);
			assert_int_equal(c.left, cut);	/* nothing consumed on failure */
			talloc_free(b);

			/* the same cut with the header length telling the truth */
			b = fixed(fx->ctx, full, vec[i].n, cut);
			c = sl_cur(b, cut);
			r = sl_gtpv2_decode(&c, &m);
			for (k = 0; k < nb; k++)
				at_boundary |= bounds[k] == cut;
			if (at_boundary)
				assert_int_equal(r, SL_GTPV2_OK);
			else
				assert_int_not_equal(r, SL_GTPV2_OK);
			talloc_free(b);
		}
		talloc_free(full);
	}
}

static enum sl_gtpv2_result decode_patched(void *ctx, const uint8_t *v, size_t n, size_t at, uint8_t val)
{
	uint8_t *b = fixed(ctx, v, n, n);
	struct sl_cursor c = sl_cur(b, n);
	struct sl_gtpv2_msg m;
	enum sl_gtpv2_result r;

	b[at] = val;
	r = sl_gtpv2_decode(&c, &m);
	talloc_free(b);
	return r;
}

static void test_malformed(void **state)
{
	struct fixture *fx = *state;
	void *ctx = fx->ctx;

	/* version 1 */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 0, 0x30), SL_GTPV2_UNSUPPORTED);
	/* header length too small for TEID and sequence */
	{
		uint8_t h[] = { 0x48, 32, 0x00, 0x04, 0, 0, 0, 0 };
		uint8_t *b = exact(ctx, h, sizeof(h));
		struct sl_cursor c = sl_cur(b, sizeof(h));
		struct sl_gtpv2_msg m;

		assert_int_equal(sl_gtpv2_decode(&c, &m), SL_GTPV2_MALFORMED);
		talloc_free(b);
	}
	/* IMSI: a digit 0xa; a filler before the end */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 16, 0x2a), SL_GTPV2_MALFORMED);
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 16, 0xf1), SL_GTPV2_MALFORMED);
	/* MCC digit 0xc in the TAI */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 51, 0x6c), SL_GTPV2_MALFORMED);
	/* ULI flags announcing a CGI as well: parts run past the IE */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 50, 0x19), SL_GTPV2_MALFORMED);
	/* APN: first label length past the IE; a zero label; a label with a space */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 98, 0x0c), SL_GTPV2_MALFORMED);
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 98, 0x00), SL_GTPV2_MALFORMED);
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 99, ' '), SL_GTPV2_MALFORMED);
	/* PAA: IPv6 with only 4 address octets */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 114, 0x02), SL_GTPV2_MALFORMED);
	/* PAA: Ethernet (5) and a type not yet defined (7) carry no IP address, and cost nothing else */
	{
		static const uint8_t types[] = { 5, 7 };
		unsigned i;

		for (i = 0; i < 2; i++) {
			uint8_t *b = fixed(ctx, csr, sizeof(csr), sizeof(csr));
			struct sl_cursor c = sl_cur(b, sizeof(csr));
			struct sl_gtpv2_msg m;

			b[114] = types[i];
			assert_int_equal(sl_gtpv2_decode(&c, &m), SL_GTPV2_OK);
			assert_false(m.has_ue4 || m.has_ue6);
			assert_int_equal(m.pdn_type, types[i]);
			assert_string_equal(m.imsi, "123456789012345");
			talloc_free(b);
		}
	}
	/* Bearer Context: inner EBI length running past the group */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 125, 0x20), SL_GTPV2_MALFORMED);
	/* Bearer Context nested in a Bearer Context */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 123, 93), SL_GTPV2_MALFORMED);
	/* F-TEID announcing IPv6 as well */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 72, 0xca), SL_GTPV2_MALFORMED);
	/* an IE length past the message */
	assert_int_equal(decode_patched(ctx, csr, sizeof(csr), 13, 0xf0), SL_GTPV2_TRUNCATED);
}

static void test_garbage(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[160];
	unsigned i, k;

	rng_state = 0x2545f4914f6cdd1dull;
	for (i = 0; i < 30000; i++) {
		size_t len = rng() % sizeof(buf);
		struct sl_gtpv2_msg m;
		struct sl_cursor c;
		void *cp;

		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		if (len >= 4 && (i & 1)) {
			/* mostly plausible headers: version 2, length matching */
			buf[0] = (uint8_t)(0x40 | (buf[0] & 0x18));
			buf[2] = (uint8_t)((len - 4) >> 8);
			buf[3] = (uint8_t)(len - 4);
		}
		if (i % 4 == 1 && len > 16)	/* a real message with random bytes after its header */
			memcpy(buf + 4, csr + 4, 8);
		cp = exact(fx->ctx, buf, len);
		c = sl_cur(cp, len);
		if (sl_gtpv2_decode(&c, &m) == SL_GTPV2_OK) {
			assert_true(strlen(m.imsi) < sizeof(m.imsi));
			assert_true(strlen(m.mei) < sizeof(m.mei));
			assert_true(strlen(m.apn) < sizeof(m.apn));
			assert_true(m.n_bearers <= SL_GTPV2_MAX_BEARERS);
		}
		talloc_free(cp);
	}
}

/* The binding table */
static unsigned gone_count[_SL_UE_GONE_COUNT];

static void on_gone(struct sl_ue_sess *s, enum sl_ue_gone why, void *priv)
{
	(void)s;
	(void)priv;
	gone_count[why]++;
}

static struct sl_ue_sess *add(struct sl_ue_bind *t, uint32_t teid, uint8_t last4, uint64_t now)
{
	struct sl_ue_sess *s = sl_ue_sess_new(t, now);
	struct sl_addr node;

	assert_non_null(s);
	sl_addr_set4(&node, (const uint8_t *)"\xc0\x00\x02\x01");
	sl_ue_sess_set_ctl(t, s, 0, &node, teid);
	snprintf(s->info.imsi, sizeof(s->info.imsi), "00101%010u", teid);
	s->info.has_ue4 = true;
	memcpy(s->info.ue4, "\x0a\x2d\x00", 3);
	s->info.ue4[3] = last4;
	s->info.has_ue6 = true;
	memcpy(s->info.ue6, "\x20\x01\x0d\xb8\x00\x00\x00", 7);
	s->info.ue6[7] = last4;
	s->info.ue6[15] = 1;
	sl_ue_sess_bind(t, s);
	return s;
}

static void test_bind_table(void **state)
{
	struct fixture *fx = *state;
	struct sl_ue_bind *t;
	struct sl_ue_sess *s1, *s2;
	const struct sl_ue_sess *f;
	struct sl_addr a, node;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 9 };

	memset(gone_count, 0, sizeof(gone_count));
	t = sl_ue_bind_alloc(fx->ctx, 3, 1000, on_gone, NULL);
	assert_non_null(t);
	sl_addr_set4(&a, (const uint8_t *)"\x0a\x2d\x00\x01");
	assert_null(sl_ue_bind_lookup(t, &a));	/* empty table */
	s1 = add(t, 1, 1, 10);
	s2 = add(t, 2, 2, 20);
	assert_ptr_equal(sl_ue_bind_lookup(t, &a), s1);
	/* any address in the session's /64 */
	sl_addr_set6(&a, v6);
	assert_ptr_equal(sl_ue_bind_lookup(t, &a), s2);
	v6[7] = 3;
	sl_addr_set6(&a, v6);
	assert_null(sl_ue_bind_lookup(t, &a));
	/* control keys */
	sl_addr_set4(&node, (const uint8_t *)"\xc0\x00\x02\x01");
	assert_ptr_equal(sl_ue_sess_find_ctl(t, &node, 2), s2);
	assert_null(sl_ue_sess_find_ctl(t, &node, 3));
	/* a newer session of another subscriber on the same address: ambiguous, nobody; its end uncovers the older */
	s1 = add(t, 3, 2, 30);
	sl_addr_set4(&a, (const uint8_t *)"\x0a\x2d\x00\x02");
	assert_null(sl_ue_bind_lookup(t, &a));
	/* the same subscriber on it again (S11 and S5/S8 of one PDN connection): the newest */
	snprintf(s1->info.imsi, sizeof(s1->info.imsi), "%s", s2->info.imsi);
	assert_ptr_equal(sl_ue_bind_lookup(t, &a), s1);
	sl_ue_sess_free(t, s1, SL_UE_GONE_DELETED);
	assert_ptr_equal(sl_ue_bind_lookup(t, &a), s2);
	assert_int_equal(gone_count[SL_UE_GONE_DELETED], 1);
	/* full at 3: the least recently updated goes */
	add(t, 4, 4, 40);
	sl_ue_sess_touch(t, s2, 41);
	add(t, 5, 5, 42);
	assert_int_equal(gone_count[SL_UE_GONE_EVICTED], 1);
	assert_int_equal(sl_ue_bind_count(t), 3);
	sl_addr_set4(&a, (const uint8_t *)"\x0a\x2d\x00\x01");
	assert_null(sl_ue_bind_lookup(t, &a));	/* session 1 was the oldest */
	/* idle 1000: at 1040 session 4 (40) goes, 2 (41) and 5 (42) stay */
	sl_ue_bind_expire(t, 1040);
	assert_int_equal(gone_count[SL_UE_GONE_IDLE], 1);
	f = sl_ue_sess_find_ctl(t, &node, 2);
	assert_ptr_equal(f, s2);
	sl_ue_bind_flush(t);
	assert_int_equal(gone_count[SL_UE_GONE_FLUSH], 2);
	assert_int_equal(sl_ue_bind_count(t), 0);
	assert_int_equal(sl_ue_bind_bound(t), 0);
	talloc_free(t);
}


/* One GTPv2-C message of type 32 whose only IE is a ULI with the given parts. */
static void decode_uli(void *ctx, const uint8_t *parts, size_t n, struct sl_gtpv2_msg *m)
{
	uint8_t buf[64];
	uint8_t *b;
	struct sl_cursor c;

	assert_true(16 + n <= sizeof(buf));
	buf[0] = 0x48, buf[1] = 32, buf[2] = 0, buf[3] = (uint8_t)(8 + 4 + n);
	memset(buf + 4, 0, 8);
	buf[12] = 0x56, buf[13] = 0, buf[14] = (uint8_t)n, buf[15] = 0;
	memcpy(buf + 16, parts, n);
	b = exact(ctx, buf, 16 + n);
	c = sl_cur(b, 16 + n);
	assert_int_equal(sl_gtpv2_decode(&c, m), SL_GTPV2_OK);
	assert_true(m->has_uli);
	talloc_free(b);
}

/* A ULI that names a cell: its access, PLMN, area (LAC or TAC) and cell identity. */
static void expect_uli_cell(void *ctx, const uint8_t *uli, size_t n, unsigned access, const char *mcc,
			    const char *mnc, uint32_t area, uint64_t id)
{
	struct sl_gtpv2_msg m;
	struct sl_cell cell;

	decode_uli(ctx, uli, n, &m);
	assert_true(sl_gtpv2_uli_cell(&m.uli, &cell));
	assert_int_equal(cell.access, access);
	assert_string_equal(cell.mcc, mcc);
	assert_string_equal(cell.mnc, mnc);
	assert_int_equal(cell.area, area);
	assert_int_equal(cell.cell, id);
}

/* ULI to the cell every event carries (sl_gtpv2_uli_cell). */
static void test_uli_cell(void **state)
{
	struct fixture *fx = *state;
	struct sl_gtpv2_msg m;
	struct sl_cell cell;
	/* CGI 262-01 LAC 0x1234 CI 0xbeef, SAI 262-01 LAC 0x1234 SAC 0x0042 */
	static const uint8_t cgi_sai[] = { 0x03, 0x62, 0xf2, 0x10, 0x12, 0x34, 0xbe, 0xef,
					   0x62, 0xf2, 0x10, 0x12, 0x34, 0x00, 0x42 };
	/* SAI 310-260 (three-digit MNC) LAC 7 SAC 9 */
	static const uint8_t sai[] = { 0x02, 0x13, 0x00, 0x62, 0x00, 0x07, 0x00, 0x09 };
	/* TAI 262-01 TAC 0x002a and ECGI 310-260 ECI 0x1234567 (spare nibble set) */
	static const uint8_t tai_ecgi[] = { 0x18, 0x62, 0xf2, 0x10, 0x00, 0x2a, 0x13, 0x00, 0x62, 0xf1, 0x23, 0x45, 0x67 };
	/* ECGI alone, TAI alone, LAI alone: no cell */
	static const uint8_t ecgi[] = { 0x10, 0x62, 0xf2, 0x10, 0x01, 0x23, 0x45, 0x67 };
	static const uint8_t tai[] = { 0x08, 0x62, 0xf2, 0x10, 0x00, 0x2a };
	static const uint8_t lai[] = { 0x20, 0x62, 0xf2, 0x10, 0x00, 0x2a };

	expect_uli_cell(fx->ctx, cgi_sai, sizeof(cgi_sai), SL_ACCESS_GERAN, "262", "01", 0x1234, 0xbeef);
	expect_uli_cell(fx->ctx, sai, sizeof(sai), SL_ACCESS_UTRAN, "310", "260", 7, 9);
	/* the cell's PLMN is the ECGI's; the TAC is the TAI's */
	expect_uli_cell(fx->ctx, tai_ecgi, sizeof(tai_ecgi), SL_ACCESS_EUTRAN, "310", "260", 0x2a, 0x1234567);

	decode_uli(fx->ctx, ecgi, sizeof(ecgi), &m);
	assert_false(sl_gtpv2_uli_cell(&m.uli, &cell));
	decode_uli(fx->ctx, tai, sizeof(tai), &m);
	assert_false(sl_gtpv2_uli_cell(&m.uli, &cell));
	decode_uli(fx->ctx, lai, sizeof(lai), &m);
	assert_false(sl_gtpv2_uli_cell(&m.uli, &cell));
	assert_int_equal(cell.access, 0);
	assert_string_equal(cell.mcc, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_piggyback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uli_cell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
