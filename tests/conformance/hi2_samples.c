/*
 * Writes TS 101 671 IRI records built by handover/ into a pcap file for
 * tests/conformance/hi2_tshark.sh, one record per packet on link type
 * DLT_USER0 (147), where a small Lua dissector hands the bytes to
 * tshark's HI2Operations dissector, and prints what tshark should show.
 *
 * tshark 4.0 implements HI2Operations version11 (TS 101 671 V3.5.1), in
 * which IRIsContent tags its alternatives ([0] iRIContent). Version11
 * records go in as encoded; version18 records (a bare IRIContent) and the
 * IRI-Parameters inside a PS-PDU's ETSI671IRI are wrapped in that [0]
 * (and the latter given the [1]..[4] record tag of its iRIType) so the
 * version11 dissector can read them: the bytes of the record itself are
 * exactly ours.
 *
 * Expectations go to stdout, one line per packet and field, as
 * "<frame>\t<field>\t<value>" with values in tshark's -T fields format
 * (bytes as lower-case hex).
 *
 * Usage: hi2_samples OUT.pcap > expected.tsv
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "asn1/ber_decode.h"
#include "capture/event.h"
#include "capture/gtpv2.h"
#include "capture/identity.h"
#include "capture/sip_pani.h"
#include "capture/sip_parse.h"
#include "handover/pdu.h"

#define DLT_USER0 147

static unsigned frame_no;

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

static void pcap_header(FILE *f)
{
	uint16_t v[2] = { 2, 4 };

	put32(f, 0xa1b2c3d4u);
	fwrite(v, 2, 2, f);
	put32(f, 0);
	put32(f, 0);
	put32(f, 262144);
	put32(f, DLT_USER0);
}

static void pcap_packet(FILE *f, const uint8_t *p, size_t n)
{
	frame_no++;
	put32(f, 1700000000u + frame_no);
	put32(f, 0);
	put32(f, (uint32_t)n);
	put32(f, (uint32_t)n);
	fwrite(p, 1, n, f);
}

static void expect_hex(const char *field, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	printf("%u\t%s\t", frame_no, field);
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static void expect_text(const char *field, const char *v)
{
	printf("%u\t%s\t%s\n", frame_no, field, v);
}

static void add(struct sl_party *p, enum sl_id_type t, const char *v)
{
	p->id[p->n].type = (uint8_t)t;
	snprintf(p->id[p->n].value, sizeof(p->id[p->n].value), "%s", v);
	p->n++;
}

/* TBCD (TS 29.002), written out here independently of handover/hi2_ids.c. */
static size_t tbcd(const char *d, uint8_t *out)
{
	size_t j, n = strlen(d);

	memset(out, 0, (n + 1) / 2);
	for (j = 0; j < n; j++)
		out[j / 2] |= (uint8_t)((d[j] - '0') << (j & 1 ? 4 : 0));
	if (n & 1)
		out[n / 2] |= 0xF0;
	return (n + 1) / 2;
}

/* ISUP calling party number of "+<digits>": odd/even + NAI 4, NPI 1, BCD with 0 filler. */
static size_t isup(const char *e164, uint8_t *out)
{
	const char *d = e164 + 1;
	size_t j, n = strlen(d);

	out[0] = (uint8_t)((n & 1 ? 0x80 : 0) | 0x04);
	out[1] = 0x10;
	memset(out + 2, 0, (n + 1) / 2);
	for (j = 0; j < n; j++)
		out[2 + j / 2] |= (uint8_t)((d[j] - '0') << (j & 1 ? 4 : 0));
	return 2 + (n + 1) / 2;
}

static void expect_parties(const struct sl_hi2_iri *iri)
{
	const struct sl_party *ps[2] = { &iri->orig, &iri->term };
	unsigned i, k;
	char tel[SL_ID_MAX + 4];
	uint8_t b[16];
	size_t n;

	for (i = 0; i < 2; i++) {
		for (k = 0; k < ps[i]->n; k++) {
			const struct sl_identity *id = &ps[i]->id[k];

			switch (id->type) {
			case SL_ID_SIP_URI:
				expect_hex("HI2Operations.sip_uri", id->value, strlen(id->value));
				break;
			case SL_ID_E164:
				snprintf(tel, sizeof(tel), "tel:%s", id->value);
				expect_hex("HI2Operations.tel_url", tel, strlen(tel));
				n = isup(id->value, b);
				expect_hex("HI2Operations.e164_Format", b, n);
				break;
			case SL_ID_IMSI:
				n = tbcd(id->value, b);
				expect_hex("HI2Operations.imsi", b, n);
				break;
			case SL_ID_IMEI:
				n = tbcd(id->value, b);
				expect_hex("HI2Operations.imei", b, n);
				break;
			default:
				break;
			}
		}
	}
}

static struct sl_pdu_ctx *make_ctx(void)
{
	struct sl_pdu_ctx_cfg cfg = {
		.liid = "LIID-CONF-1",
		.auth_cc = "DE",
		.operator_id = "OPX",
		.ne_id = "MF1",
		.delivery_cc = "DE",
		.ipid = "IP1",
		.ts_digits = 3,
	};
	struct sl_pdu_ctx *c = sl_pdu_ctx_alloc(NULL, &cfg);

	if (!c) {
		perror("sl_pdu_ctx_alloc");
		exit(2);
	}
	return c;
}

static void call_iri(struct sl_hi2_iri *iri)
{
	static const char pani[] = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010019B01";

	memset(iri, 0, sizeof(*iri));
	iri->type = SL_IRI_BEGIN;
	iri->ts_us = 1700000000123000ull;
	iri->has_dir = iri->has_state = true;
	iri->dir = SL_HI2_ORIGINATING;
	iri->state = SL_HI2_SETUP;
	add(&iri->orig, SL_ID_SIP_URI, "sip:alice@example.com");
	add(&iri->orig, SL_ID_E164, "+4930123456");
	add(&iri->orig, SL_ID_IMSI, "262011234567890");
	add(&iri->orig, SL_ID_IMEI, "490154203237518");
	add(&iri->term, SL_ID_SIP_URI, "sip:bob@example.org");
	add(&iri->term, SL_ID_E164, "+49409876543");
	sl_hi2_location_from_pani(pani, sizeof(pani) - 1, &iri->loc);
}

static void sms_iri(struct sl_hi2_iri *iri)
{
	static const uint8_t v4[4] = { 192, 0, 2, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const char body[] = "hello from sluice";

	memset(iri, 0, sizeof(*iri));
	iri->type = SL_IRI_REPORT;
	iri->ts_us = 1700000100000000ull;
	iri->has_dir = true;
	iri->dir = SL_HI2_TERMINATING;
	iri->has_nature = true;
	iri->nature = SL_HI2_NATURE_SMS;
	add(&iri->orig, SL_ID_E164, "+447700900123");
	add(&iri->term, SL_ID_SIP_URI, "sip:+4930123456@ims.example.net");
	add(&iri->term, SL_ID_IMSI, "26201987654321");
	iri->has_sms = true;
	iri->sms_initiator = SL_HI2_SMS_SERVER;
	iri->sms_content = (const uint8_t *)body;
	iri->sms_content_len = sizeof(body) - 1;
	iri->sms_orig.family = SL_AF_INET4;
	memcpy(iri->sms_orig.a, v4, 4);
	iri->sms_term.family = SL_AF_INET6;
	memcpy(iri->sms_term.a, v6, 16);
}

/*
 * An SMS over IP event as capture makes it (capture/ims_sms.c): the
 * target's phone sends an RP-DATA with an SMS-SUBMIT in a SIP MESSAGE from
 * a GERAN cell; the IRI is made by sl_hi2_iri_from_event and, as under
 * IRI+CC, given the TPDU by sl_hi2_sms_content. report: the RP-ERROR that
 * answers it instead (transfer-status, no content).
 */
static const uint8_t ims_rp_data[] = { 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0, 0x12,
				       0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45, 0x00, 0x00, 0x06,
				       0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };
static char ims_msg[1024];
static struct sl_sip_msg ims_sip;
static struct sl_sig ims_sig;
static struct sl_cell ims_cell;

static void ims_sms_iri(struct sl_hi2_iri *iri, bool report)
{
	static const uint8_t a4[4] = { 198, 51, 100, 7 }, b4[4] = { 198, 51, 100, 9 };
	struct sl_event ev;
	size_t used;
	int n = snprintf(ims_msg, sizeof(ims_msg),
			 "MESSAGE sip:+33609001390@ims.example.net SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1\r\n"
			 "From: <sip:+33612345678@ims.example.net>;tag=f1\r\n"
			 "To: <sip:+33609001390@ims.example.net>\r\n"
			 "Call-ID: sms-conf-1\r\nCSeq: 1 MESSAGE\r\n"
			 "P-Access-Network-Info: 3GPP-GERAN; cgi-3gpp=20810B62C0F1A\r\n"
			 "Content-Type: application/vnd.3gpp.sms\r\nContent-Length: %zu\r\n\r\n",
			 sizeof(ims_rp_data));

	if (n < 0 || (size_t)n + sizeof(ims_rp_data) > sizeof(ims_msg))
		exit(2);
	memcpy(ims_msg + n, ims_rp_data, sizeof(ims_rp_data));
	if (sl_sip_parse(ims_msg, (size_t)n + sizeof(ims_rp_data), SL_SIP_PARSE_DATAGRAM, &ims_sip, &used) != SL_SIP_OK
	    || sl_pani_cell(ims_sip.pani, &ims_cell) != SL_PANI_OK)
		exit(2);
	memset(&ims_sig, 0, sizeof(ims_sig));
	ims_sig.ts_us = 1700000200000000ull;
	sl_addr_set4(&ims_sig.src.addr, a4);
	sl_addr_set4(&ims_sig.dst.addr, b4);
	ims_sig.sip = &ims_sip;
	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_SMS;
	ev.ts_us = ims_sig.ts_us;
	ev.sig = &ims_sig;
	ev.call_id = ims_sip.call_id;
	ev.cell = &ims_cell;
	add(&ev.from, SL_ID_E164, "+33612345678");
	add(&ev.from, SL_ID_IMSI, "208011234567895");
	add(&ev.to, SL_ID_NUMBER, "0768987654");
	ev.u.sms.ims = true;
	ev.u.sms.mo = !report;
	ev.u.sms.rp = report ? "rp_error" : "rp_data";
	ev.u.sms.tpdu = report ? NULL : "submit";
	sl_hi2_iri_from_event(&ev, !report, iri);
	if (!report && !sl_hi2_sms_content(&ev, iri))
		exit(2);
}


/*
 * A location event as GTPv2-C makes it (capture/gtp_handle.c): the ULI of
 * a Create Session Request, decoded by sl_gtpv2_decode and mapped by
 * sl_gtpv2_uli_cell, for the subscriber's IMSI, MSISDN and IMEI; the IRI
 * is made by sl_hi2_iri_from_event. geran: a ULI with a CGI (MCC 262
 * MNC 01, LAC 0x1234, CI 0xBEEF), which version11 shows as globalCellID;
 * else TAI and ECGI (MCC 262 MNC 01, TAC 0x002A, ECI 0x1234567), the tAI
 * and eCGI version11 lacks.
 */
static struct sl_cell gtp_cell;

static void gtp_location_iri(struct sl_hi2_iri *iri, bool geran)
{
	static const uint8_t cgi[] = { 0x48, 32, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 1, 0,
				       0x56, 0x00, 0x08, 0x00, 0x01, 0x62, 0xf2, 0x10, 0x12, 0x34, 0xbe, 0xef };
	static const uint8_t tai_ecgi[] = { 0x48, 32, 0x00, 0x19, 0, 0, 0, 0, 0, 0, 2, 0,
					    0x56, 0x00, 0x0d, 0x00, 0x18, 0x62, 0xf2, 0x10, 0x00, 0x2a,
					    0x62, 0xf2, 0x10, 0x01, 0x23, 0x45, 0x67 };
	struct sl_cursor c = geran ? sl_cur(cgi, sizeof(cgi)) : sl_cur(tai_ecgi, sizeof(tai_ecgi));
	struct sl_gtpv2_msg m;
	struct sl_event ev;

	if (sl_gtpv2_decode(&c, &m) != SL_GTPV2_OK || !m.has_uli || !sl_gtpv2_uli_cell(&m.uli, &gtp_cell))
		exit(2);
	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_LOCATION;
	ev.ts_us = 1700000300000000ull;
	add(&ev.from, SL_ID_IMSI, "262011234567890");
	add(&ev.from, SL_ID_E164, "+4915112345678");
	add(&ev.from, SL_ID_IMEI, "490154203237518");
	ev.u.loc.source = "gtpv2-uli";
	ev.u.loc.cell = gtp_cell;
	ev.cell = &ev.u.loc.cell;
	sl_hi2_iri_from_event(&ev, true, iri);
	if (geran ? iri->loc.cgi_len != 7 : !(iri->loc.has_tai && iri->loc.has_ecgi))
		exit(2);
	/* tshark 4.0 cannot show tAI and eCGI (version18 only): their bytes are checked here */
	if (!geran && (memcmp(iri->loc.tai, "\x05\x62\xf2\x10\x00\x2a", 6) != 0
		       || memcmp(iri->loc.ecgi, "\x07\x62\xf2\x10\x01\x23\x45\x67", 8) != 0))
		exit(2);
}

static void expect_ims_sms(const struct sl_hi2_iri *iri)
{
	printf("%u\tHI2Operations.nature_Of_The_intercepted_call\t%u\n", frame_no, (unsigned)SL_HI2_NATURE_LTE_SMS);
	printf("%u\tHI2Operations.initiator\t%u\n", frame_no, iri->sms_initiator);
	if (iri->has_sms_transfer)
		printf("%u\tHI2Operations.transfer_status\t%u\n", frame_no, iri->sms_transfer);
	/* MCC 208 MNC 10: 02 F8 01; LAC 0xB62C; CI 0x0F1A */
	expect_hex("HI2Operations.globalCellID", "\x02\xf8\x01\xb6\x2c\x0f\x1a", 7);
}

/*
 * Fields every sample has, plus the count of expert infos tshark 4.0 must
 * raise: one per component version11 does not know (v18_only), none else.
 */
static void expect_common(const struct sl_hi2_iri *iri, uint32_t cin, bool v11, unsigned v18_only)
{
	char cins[12], when[64];
	time_t sec = (time_t)(iri->ts_us / 1000000u);
	struct tm tm;

	unsigned copies = iri->has_sms ? 2 : 1, i;

	expect_hex("HI2Operations.lawfulInterceptionIdentifier", "LIID-CONF-1", 11);
	snprintf(cins, sizeof(cins), "%u", cin);
	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%b %d, %Y %H:%M:%S", &tm);
	/* the IRI's own communicationIdentifier and timeStamp, and the SMS-report's copies */
	for (i = 0; i < copies; i++) {
		expect_hex("HI2Operations.communication_Identity_Number", cins, strlen(cins));
		expect_hex("HI2Operations.operator_Identifier", "OPX", 3);
		printf("%u\tHI2Operations.generalizedTime\t%s.%06u000 UTC\n", frame_no, when,
		       (unsigned)(iri->ts_us % 1000000u));
	}
	printf("%u\t_ws.expert.count\t%u\n", frame_no, v18_only);
	expect_parties(iri);
	if (iri->sms_content)
		expect_hex("HI2Operations.content", iri->sms_content, iri->sms_content_len);
	if (iri->sms_orig.family)
		expect_hex("HI2Operations.iPBinaryAddress", iri->sms_orig.a, iri->sms_orig.family == SL_AF_INET4 ? 4 : 16);
	if (iri->sms_term.family)
		expect_hex("HI2Operations.iPBinaryAddress", iri->sms_term.a, iri->sms_term.family == SL_AF_INET4 ? 4 : 16);
	/* tAI and eCGI: version11 has no such fields; tshark flags them (counted in v18_only) */
	(void)v11;
}

/* Wrap record bytes in the version11 [0] iRIContent, retagging the record to [tag]. */
static void write_wrapped(FILE *f, const uint8_t *rec, size_t n, unsigned tag)
{
	static uint8_t buf[8192];
	struct sl_ber_w w;
	size_t m;
	uint8_t *dst;
	const uint8_t *out;
	size_t outn;

	sl_ber_w_init(&w, buf, sizeof(buf));
	m = sl_ber_w_mark(&w);
	dst = sl_ber_w_reserve(&w, n);
	if (!dst)
		exit(2);
	memcpy(dst, rec, n);
	dst[0] = (uint8_t)(0xA0 | tag);
	sl_ber_w_close(&w, m, SL_BER_CONTEXT, 0);
	if (!sl_ber_w_result(&w, &out, &outn))
		exit(2);
	pcap_packet(f, out, outn);
}

/* Find the ETSI671IRI iRI-Parameters [0] inside a PS-PDU: [2] / [0] / SEQUENCE / [2] / [5] / [0]. */
static int find_params(const uint8_t *p, size_t n, const uint8_t **rec, size_t *recn)
{
	static const struct { uint8_t cls; uint32_t tag; } path[] = {
		{ SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE }, { SL_BER_CONTEXT, 2 }, { SL_BER_CONTEXT, 0 },
		{ SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE }, { SL_BER_CONTEXT, 2 }, { SL_BER_CONTEXT, 5 },
		{ SL_BER_CONTEXT, 0 },
	};
	struct sl_ber_dec d;
	struct sl_ber_cur c;
	struct sl_ber_tlv t;
	size_t i;

	sl_ber_dec_init(&d, p, n, SL_BER_MODE_DER);
	c = sl_ber_dec_root(&d);
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		struct sl_ber_cur in;

		do {
			if (sl_ber_next(&d, &c, &t))
				return -1;
		} while (!(t.cls == path[i].cls && t.tag == path[i].tag));
		if (i + 1 == sizeof(path) / sizeof(path[0]))
			break;
		if (sl_ber_enter(&d, &c, &t, &in))
			return -1;
		c = in;
	}
	*rec = sl_ber_tlv_start(&t);
	*recn = sl_ber_tlv_size(&t);
	return 0;
}

static uint8_t buf[8192];

/* A version11 standalone IRI (IRIsContent, tagged) as one packet, and the fields tshark must show. 0, or -1. */
static int v11_standalone(FILE *f, const struct sl_pdu_ctx *ctx, uint32_t cin, const struct sl_hi2_iri *iri)
{
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	sl_ber_w_init(&w, buf, sizeof(buf));
	if (sl_hi2_iris_content(&w, ctx, SL_HI2_V11_TAGGED, cin, iri) || !sl_ber_w_result(&w, &p, &n))
		return -1;
	pcap_packet(f, p, n);
	expect_common(iri, cin, true, 0);
	expect_text("HI2Operations.domainID", SL_HI2_DOMAIN_V11);
	return 0;
}

/*
 * The IRI-Parameters of a PS-PDU (ETSI671IRI) with header h, wrapped for
 * tshark as one packet, and the fields it must show (v18_only: how many
 * of them version11 lacks). 0, or -1.
 */
static int in_ps_pdu(FILE *f, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		     const struct sl_hi2_iri *iri, unsigned v18_only)
{
	struct sl_ber_w w;
	const uint8_t *p, *rec;
	size_t n, recn;

	sl_ber_w_init(&w, buf, sizeof(buf));
	if (sl_pdu_iri_hi2(&w, ctx, h, iri) || !sl_ber_w_result(&w, &p, &n) || find_params(p, n, &rec, &recn))
		return -1;
	write_wrapped(f, rec, recn, iri->type);
	expect_common(iri, h->cin, false, v18_only);
	expect_text("HI2Operations.domainID", SL_HI2_DOMAIN_V18);
	return 0;
}

int main(int argc, char **argv)
{
	struct sl_pdu_ctx *ctx;
	struct sl_hi2_iri iri;
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;
	FILE *f;
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 4711, .seqno = 9 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.pcap\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	ctx = make_ctx();
	pcap_header(f);

	/* 1: version11 standalone, call IRI-BEGIN */
	call_iri(&iri);
	if (v11_standalone(f, ctx, 4711, &iri))
		return 1;

	/* 2: version18 standalone, SMS IRI-REPORT (wrapped in [0] for tshark) */
	sms_iri(&iri);
	sl_ber_w_init(&w, buf, sizeof(buf));
	if (sl_hi2_iris_content(&w, ctx, SL_HI2_V18_UNTAGGED, 99999999, &iri) || !sl_ber_w_result(&w, &p, &n))
		return 1;
	write_wrapped(f, p, n, iri.type);
	expect_common(&iri, 99999999, false, 1); /* iPv6PrefixLength */
	expect_text("HI2Operations.domainID", SL_HI2_DOMAIN_V18);

	/* 3, 4: the IRI-Parameters inside PS-PDUs (ETSI671IRI), call and SMS */
	call_iri(&iri);
	iri.type = SL_IRI_CONTINUE;
	h.ts_us = iri.ts_us;
	if (in_ps_pdu(f, ctx, &h, &iri, 2)) /* tAI, eCGI */
		return 1;

	sms_iri(&iri);
	h.ts_us = iri.ts_us;
	if (in_ps_pdu(f, ctx, &h, &iri, 1)) /* iPv6PrefixLength */
		return 1;

	/* 5, 6: version11 standalone SMS over IP IRIs made from capture events: the message with its TPDU, its RP-ERROR */
	ims_sms_iri(&iri, false);
	if (v11_standalone(f, ctx, 4712, &iri))
		return 1;
	expect_ims_sms(&iri);

	ims_sms_iri(&iri, true);
	if (v11_standalone(f, ctx, 4713, &iri))
		return 1;
	expect_ims_sms(&iri);

	/* 7: version11 standalone location IRI-REPORT from a GTPv2-C ULI with a CGI: globalCellID */
	gtp_location_iri(&iri, true);
	if (v11_standalone(f, ctx, 4714, &iri))
		return 1;
	/* MCC 262 MNC 01: 62 F2 10; LAC 0x1234; CI 0xBEEF */
	expect_hex("HI2Operations.globalCellID", "\x62\xf2\x10\x12\x34\xbe\xef", 7);

	/* 8: the IRI-Parameters of a PS-PDU with a location IRI from a ULI with TAI and ECGI */
	gtp_location_iri(&iri, false);
	h.ts_us = iri.ts_us;
	if (in_ps_pdu(f, ctx, &h, &iri, 2)) /* tAI, eCGI */
		return 1;

	if (fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	talloc_free(ctx);
	return 0;
}
