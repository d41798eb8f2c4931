/*
 * The receiving side reads BER as any conforming mediation function may
 * send it (X.690 clause 8, TS 102 232-1 annex A.2), not only the DER
 * sluice sends: handover/pdu_decode.c, pdu_dec_header.c, pdu_frame.c.
 *
 * The PDUs are hand-built (pdu_ber_vectors.h, every TLV commented): one
 * DER reference and the same values with indefinite lengths, segmented
 * strings and times (nested segments too), long-form lengths with
 * leading zero octets and a padded INTEGER, and every GeneralizedTime
 * form X.680 46.3 allows, and a TS 101 671 version18 record likewise
 * (segmented UTCTime and UTF8String). Each must decode to the same fields as the DER
 * form (compared through the renderers' walk, sl_pdu_decoded_visit), with
 * out->ber set. Then every PSHeader component of the module's version 33
 * with extension additions this version does not know (skipped and
 * counted, high tag numbers among them), payload alternatives the decoder
 * does not interpret (kept as tag and length), and malformed variants
 * (indefinite length never terminated, nesting beyond the cap, a segment
 * overrunning its string, a segment of the wrong type, indefinite length
 * on a primitive), each refused with its named reason and counted. Each
 * input is decoded from an exactly sized heap copy so AddressSanitizer
 * sees any overread; talloc block counts return to where they started.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "asn1/ber_decode.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"
#include "handover/pdu_stream.h"
#include "pdu_ber_vectors.h"

#define TS_US 1700000000123456ull

/* The decoded fields as "name=value" lines, in the renderers' order. */
struct flat {
	char buf[4096];
	size_t n;
	const char *skip; /* a field name left out of the comparison */
};

static void flat_add(void *arg, const struct sl_pdu_field *f)
{
	struct flat *fl = arg;
	char line[512];
	int k = 0;
	size_t i;

	if (f->name && (!strcmp(f->name, "encoding") || (fl->skip && !strcmp(f->name, fl->skip))))
		return;
	switch (f->type) {
	case SL_PDU_F_OPEN: k = snprintf(line, sizeof(line), "%s{\n", f->name); break;
	case SL_PDU_F_CLOSE: k = snprintf(line, sizeof(line), "}\n"); break;
	case SL_PDU_F_UINT:
	case SL_PDU_F_TIME: k = snprintf(line, sizeof(line), "%s=%" PRIu64 "\n", f->name, f->u); break;
	case SL_PDU_F_TEXT: k = snprintf(line, sizeof(line), "%s=%s\n", f->name, f->text); break;
	case SL_PDU_F_BYTES:
		k = snprintf(line, sizeof(line), "%s=", f->name);
		for (i = 0; i < f->bytes.n && k < (int)sizeof(line) - 4; i++)
			k += snprintf(line + k, sizeof(line) - (size_t)k, "%02x", f->bytes.p[i]);
		k += snprintf(line + k, sizeof(line) - (size_t)k, "\n");
		break;
	case SL_PDU_F_ADDR:
		k = snprintf(line, sizeof(line), "%s=%d:%02x%02x%02x%02x\n", f->name, (int)f->addr->family, f->addr->a[0],
			     f->addr->a[1], f->addr->a[2], f->addr->a[3]);
		break;
	}
	assert_true(k > 0 && (size_t)k < sizeof(line));
	assert_true(fl->n + (size_t)k < sizeof(fl->buf));
	memcpy(fl->buf + fl->n, line, (size_t)k + 1);
	fl->n += (size_t)k;
}

struct fixture {
	void *ctx;
	size_t blocks;
	struct flat der;
};

/* Decode an exactly sized copy of p[0..n) with joined strings under a child of ctx. */
static int decode(void *ctx, const uint8_t *p, size_t n, struct sl_pdu_decoded *d, void **pctx, char *err,
		  size_t errlen)
{
	uint8_t *copy = talloc_memdup(ctx, p, n);

	assert_non_null(copy);
	*pctx = talloc_new(ctx);
	assert_non_null(*pctx);
	/* the copy must outlive the views: it becomes a child of the PDU's context */
	talloc_steal(*pctx, copy);
	return sl_pdu_decode(*pctx, copy, n, d, err, errlen);
}

static void flatten(const struct sl_pdu_decoded *d, struct flat *fl, const char *skip)
{
	memset(fl, 0, sizeof(*fl));
	fl->skip = skip;
	sl_pdu_decoded_visit(d, flat_add, fl);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sl_pdu_decoded d;
	void *pctx;
	char err[160];

	assert_non_null(fx);
	fx->ctx = talloc_new(NULL);
	fx->blocks = talloc_total_blocks(fx->ctx);
	assert_int_equal(decode(fx->ctx, der_iri, sizeof(der_iri), &d, &pctx, err, sizeof(err)), 0);
	assert_false(d.ber);
	assert_int_equal(d.kind, SL_PDU_IRI_IPMM);
	flatten(&d, &fx->der, NULL);
	talloc_free(pctx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
	return 0;
}

/*
 * p decodes, as BER, to exactly what the DER reference decodes to (skip:
 * a field only p has, and whose line is then expected to be `extra`).
 * Views in d are gone on return; its scalars remain.
 */
static void same_as_der(struct fixture *fx, const uint8_t *p, size_t n, const char *skip, const char *extra,
			struct sl_pdu_decoded *d)
{
	struct flat fl, ref;
	void *pctx;
	char err[160];
	uint64_t ber0 = sl_pdu_dec_ctr_get(SL_PDU_DEC_BER);
	int rc = decode(fx->ctx, p, n, d, &pctx, err, sizeof(err));

	if (rc)
		fail_msg("does not decode: %s", err);
	assert_true(d->ber);
	assert_int_equal(sl_pdu_dec_ctr_get(SL_PDU_DEC_BER), ber0 + 1);
	flatten(d, &fl, skip);
	ref = fx->der;
	assert_string_equal(fl.buf, ref.buf);
	if (extra) {
		flatten(d, &fl, NULL);
		assert_non_null(strstr(fl.buf, extra));
	}
	/* the PDU is framed whole from a stream, indefinite form included */
	assert_int_equal(sl_pdu_frame(p, n, 65536), (ssize_t)n);
	talloc_free(pctx);
}

static void test_indefinite(void **state)
{
	struct sl_pdu_decoded d;

	same_as_der(*state, ber_indefinite, sizeof(ber_indefinite), NULL, NULL, &d);
}

static void test_segmented(void **state)
{
	struct sl_pdu_decoded d;

	same_as_der(*state, ber_segmented, sizeof(ber_segmented), NULL, NULL, &d);
	assert_int_equal(d.u.ipmm_iri.sip.n, 18);
}

/* iPTextAddress (IA5String, segmented) reads as the same address as iPBinaryAddress. */
static void test_text_address(void **state)
{
	struct sl_pdu_decoded d;

	same_as_der(*state, ber_text_address, sizeof(ber_text_address), NULL, NULL, &d);
	assert_int_equal(d.u.ipmm_iri.src.family, SL_AF_INET4);
}

static void test_long_lengths(void **state)
{
	struct sl_pdu_decoded d;

	same_as_der(*state, ber_long_lengths, sizeof(ber_long_lengths), NULL, NULL, &d);
}

static void test_time_forms(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	struct flat fl;
	void *pctx;
	char err[160];

	same_as_der(fx, ber_time_comma, sizeof(ber_time_comma), NULL, NULL, &d);
	assert_int_equal(d.ts.tz, SL_PDU_TZ_UTC);

	/* +0100: the same instant; the offset is shown beside it */
	same_as_der(fx, ber_time_offset, sizeof(ber_time_offset), "timeStampOffset", "timeStampOffset=+0100\n", &d);
	assert_int_equal(d.ts.tz, SL_PDU_TZ_OFFSET);
	assert_int_equal(d.ts.offset_min, 60);
	assert_int_equal(d.ts_us, TS_US);

	/* local time of an unnamed zone: the wall-clock reading, shown as such, never with a Z */
	assert_int_equal(decode(fx->ctx, ber_time_local, sizeof(ber_time_local), &d, &pctx, err, sizeof(err)), 0);
	assert_true(d.ber);
	assert_int_equal(d.ts.tz, SL_PDU_TZ_LOCAL);
	assert_int_equal(d.ts.us, TS_US);
	flatten(&d, &fl, NULL);
	assert_non_null(strstr(fl.buf, "timeStampLocal=2023-11-14T22:13:20.123456 local\n"));
	talloc_free(pctx);

	/* "20231114211320.123456-0100": west of UTC, the same instant again */
	{
		uint8_t *b = talloc_memdup(fx->ctx, ber_time_offset, sizeof(ber_time_offset));
		size_t i;

		for (i = 0; i + 26 <= sizeof(ber_time_offset); i++)
			if (!memcmp(b + i, "20231114231320.123456+0100", 26))
				break;
		assert_true(i + 26 <= sizeof(ber_time_offset));
		memcpy(b + i, "20231114211320.123456-0100", 26);
		same_as_der(fx, b, sizeof(ber_time_offset), "timeStampOffset", "timeStampOffset=-0100\n", &d);
		assert_int_equal(d.ts.offset_min, -60);
		talloc_free(b);
	}

	/* to the hour: 22:00:00Z */
	assert_int_equal(decode(fx->ctx, ber_time_hour, sizeof(ber_time_hour), &d, &pctx, err, sizeof(err)), 0);
	assert_true(d.ber);
	assert_int_equal(d.ts_us, (1700000000ull - 13 * 60 - 20) * 1000000ull);
	talloc_free(pctx);
}

/*
 * A standalone TS 101 671 record in BER (indefinite lengths; LIID, UTCTime,
 * sip-uri and alphanumeric segmented) decodes as its DER form does, in
 * the version18 framing although its first component is a constructed [1].
 */
static void test_hi2_record(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	struct flat der, ber;
	void *pctx;
	char err[160];

	assert_int_equal(decode(fx->ctx, der_hi2_v18, sizeof(der_hi2_v18), &d, &pctx, err, sizeof(err)), 0);
	assert_false(d.ber);
	assert_int_equal(d.kind, SL_PDU_IRI_HI2);
	assert_int_equal(d.framing, SL_HI2_V18_UNTAGGED);
	assert_int_equal(d.u.hi2.iri.ts_us, 1700000000ull * 1000000u);
	assert_int_equal(d.u.hi2.iri.orig.n, 2);
	flatten(&d, &der, NULL);
	talloc_free(pctx);

	if (decode(fx->ctx, ber_hi2_v18, sizeof(ber_hi2_v18), &d, &pctx, err, sizeof(err)))
		fail_msg("does not decode: %s", err);
	assert_true(d.ber);
	assert_int_equal(d.framing, SL_HI2_V18_UNTAGGED);
	flatten(&d, &ber, NULL);
	assert_string_equal(ber.buf, der.buf);
	assert_int_equal(sl_pdu_frame(ber_hi2_v18, sizeof(ber_hi2_v18), 65536), (ssize_t)sizeof(ber_hi2_v18));
	talloc_free(pctx);
}

/* Every PSHeader component, and three extension additions skipped and counted. */
static void test_full_header(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	struct flat fl;
	void *pctx;
	char err[160];
	uint64_t skipped0 = sl_pdu_dec_ctr_get(SL_PDU_DEC_EXT_SKIPPED);
	uint64_t undec0 = sl_pdu_dec_ctr_get(SL_PDU_DEC_UNDECODED);
	static const uint8_t neid[] = { 192, 0, 2, 1 };

	assert_int_equal(decode(fx->ctx, ber_full_header, sizeof(ber_full_header), &d, &pctx, err, sizeof(err)), 0);
	assert_false(d.ber); /* definite lengths throughout: DER, extensions or not */
	assert_int_equal(d.kind, SL_PDU_IRI_IPMM);
	assert_true(d.usts.has);
	assert_int_equal(d.usts.seconds, 1700000000u);
	assert_int_equal(d.usts.usec, 123456);
	assert_int_equal(d.ext_ipid.n, 7);
	assert_memory_equal(d.ext_ipid.p, "POI-A.7", 7);
	assert_int_equal(d.nf_id.n, 3);
	assert_memory_equal(d.nf_id.p, "NF1", 3);
	assert_int_equal(d.neid671.alt, 3);
	assert_int_equal(d.neid671.bytes.n, 4);
	assert_memory_equal(d.neid671.bytes.p, neid, 4);
	assert_string_equal(d.cin_ext.where, "CorrelationValues");
	assert_int_equal(d.cin_ext.tag, 3);
	assert_int_equal(d.cin_ext.len, 4);
	assert_int_equal(d.ext_skipped, 3);
	assert_int_equal(sl_pdu_dec_ctr_get(SL_PDU_DEC_EXT_SKIPPED), skipped0 + 3);
	assert_int_equal(sl_pdu_dec_ctr_get(SL_PDU_DEC_UNDECODED), undec0 + 1);
	flatten(&d, &fl, NULL);
	assert_non_null(strstr(fl.buf, "microSecondTimeStamp{\nseconds=1700000000\nmicroSeconds=123456\n}\n"));
	assert_non_null(strstr(fl.buf, "cINExtension{\nin=CorrelationValues\ntag=[3]\nlength=4\n}\n"));
	assert_non_null(strstr(fl.buf, "extendedInterceptionPointID=504f492d412e37\n"));
	assert_non_null(strstr(fl.buf, "networkFunctionIdentifier=4e4631\n"));
	assert_non_null(strstr(fl.buf, "extensionsSkipped=3\n"));
	talloc_free(pctx);
}

/* Another version of the IPMultimediaPDU module (5.5.12.1) is read: its structures are compatible. */
static void test_ipmm_version(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t v13[] = { 0x80, 0x04, 0x05, 0x05, 0x0d, 0x01 }; /* iPMMIRIObjId [0] 5.5.13.1 */
	uint8_t *b = talloc_memdup(fx->ctx, der_iri, sizeof(der_iri));
	struct sl_pdu_decoded d;
	void *pctx;
	char err[160];
	size_t i;

	for (i = 0; i + sizeof(v13) <= sizeof(der_iri); i++)
		if (!memcmp(b + i, v13, sizeof(v13)))
			break;
	assert_true(i + sizeof(v13) <= sizeof(der_iri));
	b[i + 4] = 0x0c; /* version12 */
	assert_int_equal(decode(fx->ctx, b, sizeof(der_iri), &d, &pctx, err, sizeof(err)), 0);
	assert_int_equal(d.kind, SL_PDU_IRI_IPMM);
	talloc_free(pctx);
	b[i + 5] = 0x03; /* but not another object (5.5.12.3) */
	assert_int_equal(decode(fx->ctx, b, sizeof(der_iri), &d, &pctx, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "iPMMIRIObjId"));
	talloc_free(pctx);
	talloc_free(b);
}

/* Aggregated payloads (clause 6.2.3): the first decoded with its own timeStampQualifier, both counted. */
static void test_aggregated(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	struct flat fl;
	void *pctx;
	char err[160];

	assert_int_equal(decode(fx->ctx, ber_aggregated, sizeof(ber_aggregated), &d, &pctx, err, sizeof(err)), 0);
	assert_int_equal(d.kind, SL_PDU_IRI_IPMM);
	assert_int_equal(d.iri_type, SL_IRI_BEGIN);
	assert_int_equal(d.n_payloads, 2);
	assert_int_equal(d.pl.ts_qualifier, 1);
	flatten(&d, &fl, NULL);
	assert_non_null(strstr(fl.buf, "payloadTimeStampQualifier=1\npayloads=2\n"));
	talloc_free(pctx);
}

static void undecoded(struct fixture *fx, const uint8_t *p, size_t n, const char *where, uint32_t tag, size_t len)
{
	struct sl_pdu_decoded d;
	void *pctx;
	char err[160];
	uint64_t undec0 = sl_pdu_dec_ctr_get(SL_PDU_DEC_UNDECODED);
	int rc = decode(fx->ctx, p, n, &d, &pctx, err, sizeof(err));

	if (rc)
		fail_msg("does not decode: %s", err);
	assert_int_equal(d.kind, SL_PDU_UNDECODED);
	assert_string_equal(d.u.undecoded.where, where);
	assert_int_equal(d.u.undecoded.cls, 0x80);
	assert_int_equal(d.u.undecoded.tag, tag);
	assert_int_equal(d.u.undecoded.len, len);
	assert_int_equal(d.seqno, 0);
	assert_int_equal(d.liid.n, 5);
	assert_int_equal(sl_pdu_dec_ctr_get(SL_PDU_DEC_UNDECODED), undec0 + 1);
	talloc_free(pctx);
}

static void test_undecoded(void **state)
{
	undecoded(*state, ber_undecoded_payload, sizeof(ber_undecoded_payload), "Payload", 4, 8);
	undecoded(*state, ber_undecoded_cc, sizeof(ber_undecoded_cc), "CCContents", 2, 12);
}

/*
 * ber_indefinite with the LIID TLV (81 05 "LIID1", at offset 13: after
 * 30 80, a1 80 and the 9 octets of li-psDomainId) replaced by rep. Every
 * value around it has the indefinite form, so no length needs patching.
 */
static uint8_t *splice_liid(void *ctx, const uint8_t *rep, size_t rn, size_t *n)
{
	const size_t at = 13, old = 7;
	uint8_t *b;

	assert_int_equal(ber_indefinite[at], 0x81);
	assert_int_equal(ber_indefinite[at + 1], 0x05);
	*n = sizeof(ber_indefinite) - old + rn;
	b = talloc_size(ctx, *n);
	assert_non_null(b);
	memcpy(b, ber_indefinite, at);
	memcpy(b + at, rep, rn);
	memcpy(b + at + rn, ber_indefinite + at + old, sizeof(ber_indefinite) - at - old);
	return b;
}

/* p is refused with reason why (counted once) and a message containing msg. */
static void refused(struct fixture *fx, const uint8_t *p, size_t n, enum sl_pdu_dec_ctr why, const char *msg)
{
	struct sl_pdu_decoded d;
	void *pctx;
	char err[160];
	uint64_t c0 = sl_pdu_dec_ctr_get(why), ok0 = sl_pdu_dec_ctr_get(SL_PDU_DEC_OK);

	assert_int_equal(decode(fx->ctx, p, n, &d, &pctx, err, sizeof(err)), why == SL_PDU_DEC_UNSUPPORTED ? -ENOTSUP : -EBADMSG);
	assert_int_equal(d.kind, SL_PDU_NONE);
	assert_int_equal(sl_pdu_decode_last_reason, why);
	assert_int_equal(sl_pdu_dec_ctr_get(why), c0 + 1);
	assert_int_equal(sl_pdu_dec_ctr_get(SL_PDU_DEC_OK), ok0);
	if (!strstr(err, msg))
		fail_msg("%s: expected \"%s\" in \"%s\"", sl_pdu_dec_ctr_name(why), msg, err);
	assert_non_null(strstr(err, "offset 0x"));
	talloc_free(pctx);
}

static void test_malformed(void **state)
{
	struct fixture *fx = *state;
	uint8_t *b, deep[2 + 2 * 40 + 3 + 2 * 41];
	size_t n, k, i;

	/* indefinite length never terminated: the last end-of-contents cut off */
	refused(fx, ber_indefinite, sizeof(ber_indefinite) - 2, SL_PDU_DEC_E_BASE + SL_BER_E_TRUNCATED,
		"end-of-contents missing");
	/* ... a stream receiver waits for it, up to its PDU size limit */
	assert_int_equal(sl_pdu_frame(ber_indefinite, sizeof(ber_indefinite) - 2, 65536), 0);
	assert_int_equal(sl_pdu_frame(ber_indefinite, sizeof(ber_indefinite) - 2, sizeof(ber_indefinite) - 2), -EMSGSIZE);

	/* a constructed LIID whose segments nest 40 deep: beyond the decoder's cap of 32 */
	k = 0;
	deep[k++] = 0xa1; /* lawfulInterceptionIdentifier [1] constructed, indefinite */
	deep[k++] = 0x80;
	for (i = 0; i < 40; i++) {
		deep[k++] = 0x24; /* a constructed OCTET STRING segment, indefinite */
		deep[k++] = 0x80;
	}
	deep[k++] = 0x04; /* the one primitive segment: "X" */
	deep[k++] = 0x01;
	deep[k++] = 'X';
	for (i = 0; i < 41; i++) {
		deep[k++] = 0x00; /* end-of-contents of each */
		deep[k++] = 0x00;
	}
	assert_int_equal(k, sizeof(deep));
	b = splice_liid(fx->ctx, deep, sizeof(deep), &n);
	refused(fx, b, n, SL_PDU_DEC_E_BASE + SL_BER_E_TOO_DEEP, "nested deeper than 32");
	talloc_free(b);

	/* a segment overrunning its constructed string: 04 06 with 5 octets left */
	{
		static const uint8_t overrun[] = { 0xa1, 0x07, 0x04, 0x06, 'L', 'I', 'I', 'D', '1' };

		b = splice_liid(fx->ctx, overrun, sizeof(overrun), &n);
		refused(fx, b, n, SL_PDU_DEC_E_BASE + SL_BER_E_BAD_LENGTH, "in the enclosing value");
		talloc_free(b);
	}
	/* a segment that is not an OCTET STRING (a UTF8String, 0x0c) */
	{
		static const uint8_t wrong[] = { 0xa1, 0x07, 0x0c, 0x05, 'L', 'I', 'I', 'D', '1' };

		b = splice_liid(fx->ctx, wrong, sizeof(wrong), &n);
		refused(fx, b, n, SL_PDU_DEC_E_BASE + SL_BER_E_BAD_TAG, "not an OCTET STRING");
		talloc_free(b);
	}
	/* indefinite length on a primitive value (X.690 8.1.3.2 a) */
	{
		static const uint8_t prim[] = { 0x81, 0x80, 'L', 'I', 'I', 'D', '1', 0x00, 0x00 };

		b = splice_liid(fx->ctx, prim, sizeof(prim), &n);
		refused(fx, b, n, SL_PDU_DEC_E_BASE + SL_BER_E_INDEFINITE, "indefinite length on a primitive value");
		talloc_free(b);
	}
	/* an LIID of 26 octets once joined: outside LIID ::= OCTET STRING (SIZE (1..25)) */
	{
		uint8_t big[2 + 2 * (2 + 13) + 2];

		k = 0;
		big[k++] = 0xa1;
		big[k++] = 0x80;
		for (i = 0; i < 2; i++) {
			big[k++] = 0x04;
			big[k++] = 13;
			memset(big + k, 'L', 13);
			k += 13;
		}
		big[k++] = 0x00;
		big[k++] = 0x00;
		assert_int_equal(k, sizeof(big));
		b = splice_liid(fx->ctx, big, sizeof(big), &n);
		refused(fx, b, n, SL_PDU_DEC_E_BASE + SL_BER_E_BAD_VALUE, "of 26 octets, allowed 1..25");
		talloc_free(b);
	}
}

/* Without a context to join them in, segmented strings are refused as unsupported, named. */
static void test_no_context(void **state)
{
	struct sl_pdu_decoded d;
	char err[160];
	uint8_t *copy = talloc_memdup(((struct fixture *)*state)->ctx, ber_segmented, sizeof(ber_segmented));

	assert_int_equal(sl_pdu_decode(NULL, copy, sizeof(ber_segmented), &d, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "without a context"));
	assert_int_equal(sl_pdu_decode_last_reason, SL_PDU_DEC_UNSUPPORTED);
	/* and what needs no joining decodes without one */
	assert_int_equal(sl_pdu_decode(NULL, ber_indefinite, sizeof(ber_indefinite), &d, err, sizeof(err)), 0);
	talloc_free(copy);
}

/*
 * Resumed framing (what sluice lemf does per read): the BER forms fed one
 * byte at a time give the same answer as framing each prefix afresh, and
 * the finished PDU's size; an unterminated one ends at the size limit.
 */
static void test_frame_resume(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t n;
	} v[] = {
		{ ber_indefinite, sizeof(ber_indefinite) }, { ber_segmented, sizeof(ber_segmented) },
		{ ber_long_lengths, sizeof(ber_long_lengths) }, { ber_hi2_v18, sizeof(ber_hi2_v18) },
		{ der_iri, sizeof(der_iri) },
	};
	struct fixture *fx = *state;
	struct sl_ber_resume r;
	size_t i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&r, 0, sizeof(r));
		for (k = 1; k <= v[i].n; k++) {
			uint8_t *b = talloc_memdup(fx->ctx, v[i].p, k); /* exactly sized: ASan sees overreads */
			ssize_t fresh = sl_pdu_frame(b, k, 65536), resumed = sl_pdu_frame_resume(b, k, 65536, &r);

			assert_int_equal(resumed, fresh);
			assert_int_equal(resumed, k < v[i].n ? 0 : (ssize_t)v[i].n);
			talloc_free(b);
		}
	}
	/* unterminated: waits, then is refused at the limit */
	memset(&r, 0, sizeof(r));
	assert_int_equal(sl_pdu_frame_resume(ber_indefinite, 100, 150, &r), 0);
	assert_int_equal(sl_pdu_frame_resume(ber_indefinite, 149, 150, &r), 0);
	assert_int_equal(sl_pdu_frame_resume(ber_indefinite, sizeof(ber_indefinite) - 2, 150, &r), -EMSGSIZE);
}

struct stream_rec {
	unsigned pdus, errors;
	uint64_t off[8];
};

static void on_stream_pdu(void *priv, const uint8_t *p, size_t n, uint64_t off)
{
	struct stream_rec *r = priv;

	(void)p;
	(void)n;
	if (r->pdus < 8)
		r->off[r->pdus] = off;
	r->pdus++;
}

static void on_stream_error(void *priv, uint64_t off, const char *msg)
{
	struct stream_rec *r = priv;

	(void)off;
	(void)msg;
	r->errors++;
}

/* sluice decode's stream reader fed BER forms one byte at a time: every PDU found where it starts. */
static void test_stream_bytewise(void **state)
{
	struct fixture *fx = *state;
	const struct sl_pdu_stream_ops ops = { .pdu = on_stream_pdu, .error = on_stream_error };
	struct stream_rec r = { 0 };
	struct sl_pdu_stream *st = sl_pdu_stream_alloc(fx->ctx, SL_PDU_STREAM_BER, 65536, &ops, &r);
	const struct {
		const uint8_t *p;
		size_t n;
	} v[] = {
		{ ber_indefinite, sizeof(ber_indefinite) }, { ber_segmented, sizeof(ber_segmented) },
		{ ber_hi2_v18, sizeof(ber_hi2_v18) },
	};
	uint64_t at = 0;
	size_t i, k;

	assert_non_null(st);
	for (i = 0; i < 3; i++)
		for (k = 0; k < v[i].n; k++)
			sl_pdu_stream_feed(st, v[i].p + k, 1);
	sl_pdu_stream_end(st);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.pdus, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r.off[i], at);
		at += v[i].n;
	}
	talloc_free(st);

	/* after garbage the reader hunts, and finds the same PDUs, one byte at a time */
	{
		static const uint8_t garbage[] = { 0xff, 0x00, 0x13, 0x37 };

		memset(&r, 0, sizeof(r));
		st = sl_pdu_stream_alloc(fx->ctx, SL_PDU_STREAM_BER, 65536, &ops, &r);
		assert_non_null(st);
		for (k = 0; k < sizeof(garbage); k++)
			sl_pdu_stream_feed(st, garbage + k, 1);
		for (i = 0; i < 3; i++)
			for (k = 0; k < v[i].n; k++)
				sl_pdu_stream_feed(st, v[i].p + k, 1);
		sl_pdu_stream_end(st);
		assert_int_equal(r.errors, 1); /* the skipped garbage, reported once */
		assert_int_equal(r.pdus, 3);
		assert_int_equal(r.off[0], sizeof(garbage));
		talloc_free(st);
	}
}

/* Every truncation of every BER form fails cleanly (exactly sized copies). */
static void test_truncations(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const uint8_t *p;
		size_t n;
	} v[] = {
		{ ber_indefinite, sizeof(ber_indefinite) },	{ ber_segmented, sizeof(ber_segmented) },
		{ ber_long_lengths, sizeof(ber_long_lengths) }, { ber_full_header, sizeof(ber_full_header) },
	};
	struct sl_pdu_decoded d;
	void *pctx;
	char err[160];
	size_t i, cut;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (cut = 0; cut < v[i].n; cut++) {
			int rc = decode(fx->ctx, v[i].p, cut, &d, &pctx, err, sizeof(err));

			assert_true(rc == -EBADMSG || rc == -ENOTSUP);
			talloc_free(pctx);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_indefinite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segmented, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hi2_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undecoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipmm_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aggregated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_bytewise, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
