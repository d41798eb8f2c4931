/*
 * Writes the inputs of tests/unit/test_decode.sh: handover PDUs built by
 * handover/'s encoders, in every form `sluice decode` reads, and what the
 * test should find in its output.
 *
 * Seven PDUs (LIID "LIID1"): IPMMIRI IRI-BEGIN CIN 7 seq 0, IPMMCC CIN 7
 * seq 0, ETSI671IRI IRI-CONTINUE CIN 7 seq 1, keep-alive seq 3, HI1
 * liActivated seq 4, a standalone version 18 IRIsContent CIN 8, IPMMIRI
 * IRI-END CIN 7 seq 2. Files written to DIR:
 *
 *   all.ber        the seven back to back (a handover TCP stream)
 *   all.raw        the seven length-prefixed (sluice lemf's pdus.raw)
 *   bad.ber        all.ber with PDU 3 corrupted inside (its length intact) and
 *                  5 bytes of garbage after PDU 5
 *   bad.raw        all.raw with PDU 3 corrupted inside
 *   ho.pcap        Ethernet/IPv4/TCP: a handshake, the seven PDUs from client
 *                  to server in 7 to 150-byte segments (PDUs split across
 *                  segments, several in one, two segments swapped, one sent
 *                  twice), two keep-alive responses back, FINs both ways
 *   gap.pcap       the same with one segment in the middle of PDU 3 lost
 *   ber-forms.ber  the hand-built BER forms of pdu_ber_vectors.h back to back
 *                  (indefinite lengths, segmented strings, long lengths, the
 *                  time forms, every PSHeader component with unknown
 *                  extensions, payloads kept undecoded), as another vendor's
 *                  mediation function would send them
 *   expect.sh      shell assignments: offsets of PDUs and problems, frame
 *                  numbers, counts
 *   optneg.ber     a TS 102 232-1 clause 6.3.5 option negotiation, both
 *                  directions in the order they pass: optionRequest 0 for
 *                  pDUAcknowledgement, keep-alive 1, optionResponse 0
 *                  accepting it, keep-aliveResponse 1, the receiver's
 *                  optionComplete 0, the gateway's optionComplete 1
 *
 * Usage: decode_samples DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "asn1/ber_encode.h"
#include "handover/pdu.h"
#include "pdu_ber_vectors.h"

#define N_PDU 7
#define TS_US 1700000000123456ull
#define SERVER_PORT 50001
#define CLIENT_PORT 40000
#define GARBAGE 5

static uint8_t pdu[N_PDU][2048];
static size_t pdu_len[N_PDU];
static uint8_t resp[2][256];
static size_t resp_len[2];
static const char *dir;
static FILE *expect;

static void die(const char *what) __attribute__((noreturn));

static void die(const char *what)
{
	fprintf(stderr, "decode_samples: %s\n", what);
	exit(1);
}

static FILE *out(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		die(path);
	return f;
}

static void keep(struct sl_ber_w *w, int rc, uint8_t *dst, size_t *len)
{
	const uint8_t *p;
	size_t n;

	if (rc != 0 || !sl_ber_w_result(w, &p, &n) || n > 2048)
		die("encoding failed");
	memcpy(dst, p, n);
	*len = n;
	sl_ber_w_reset(w);
}

static void build(void *ctx)
{
	static const char invite[] = "INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: decode-1@example.com\r\n"
				     "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	static const char bye[] = "BYE sip:bob@example.com SIP/2.0\r\nCall-ID: decode-1@example.com\r\n\r\n";
	static const uint8_t rtp[] = { 0x80, 0x08, 0x00, 0x01, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78, 0xd5, 0xd5 };
	struct sl_pdu_ctx_cfg cfg = {
		.liid = "LIID1", .auth_cc = "DE", .operator_id = "OP", .ne_id = "NE1",
		.delivery_cc = "DE", .ipid = "IP1", .ts_digits = 6,
	};
	struct sl_pdu_ctx *pc = sl_pdu_ctx_alloc(ctx, &cfg);
	static uint8_t buf[8192];
	struct sl_ber_w w;
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 7, .seqno = 0, .ts_us = TS_US };
	struct sl_ipmm_sip sip = { .msg = (const uint8_t *)invite, .len = sizeof(invite) - 1 };
	struct sl_ipmm_cc cc = { .dir = SL_PDU_FROM_TARGET, .data = rtp, .len = sizeof(rtp),
				 .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
	struct sl_hi2_iri iri;
	uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };

	if (!pc)
		die("context");
	sl_ber_w_init(&w, buf, sizeof(buf));
	sl_addr_set4(&sip.src.addr, a);
	sl_addr_set4(&sip.dst.addr, b);
	keep(&w, sl_pdu_iri_ipmm(&w, pc, &h, SL_IRI_BEGIN, &sip), pdu[0], &pdu_len[0]);
	keep(&w, sl_pdu_cc_ipmm(&w, pc, &h, &cc), pdu[1], &pdu_len[1]);
	memset(&iri, 0, sizeof(iri));
	iri.type = SL_IRI_CONTINUE;
	iri.ts_us = TS_US;
	iri.has_dir = true;
	iri.dir = SL_HI2_ORIGINATING;
	iri.has_state = true;
	iri.state = SL_HI2_SETUP;
	h.seqno = 1;
	keep(&w, sl_pdu_iri_hi2(&w, pc, &h, &iri), pdu[2], &pdu_len[2]);
	keep(&w, sl_pdu_keepalive(&w, pc, 3, TS_US), pdu[3], &pdu_len[3]);
	keep(&w, sl_pdu_hi1_notification(&w, pc, 4, TS_US, SL_HI1_ACTIVATED, "sip:alice@example.com"), pdu[4],
	     &pdu_len[4]);
	iri.type = SL_IRI_REPORT;
	keep(&w, sl_hi2_iris_content(&w, pc, SL_HI2_V18_UNTAGGED, 8, &iri), pdu[5], &pdu_len[5]);
	sip.msg = (const uint8_t *)bye;
	sip.len = sizeof(bye) - 1;
	h.seqno = 2;
	keep(&w, sl_pdu_iri_ipmm(&w, pc, &h, SL_IRI_END, &sip), pdu[6], &pdu_len[6]);
	keep(&w, sl_pdu_keepalive_response(&w, pc, 3, TS_US), resp[0], &resp_len[0]);
	keep(&w, sl_pdu_keepalive_response(&w, pc, 9, TS_US), resp[1], &resp_len[1]);
	talloc_free(pc);
}

static void put_be32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	fwrite(b, 1, 4, f);
}

/*
 * The PSHeader's identifier [1] (right after the PS-PDU's identifier and
 * length octets) becomes [9]: framing holds, decoding fails there.
 */
static size_t corrupt(uint8_t *p)
{
	size_t at = 2 + ((p[1] & 0x80) ? (p[1] & 0x7f) : 0);

	p[at] = 0xa9;
	return at;
}

static void write_ber_forms(void)
{
	static const struct {
		const uint8_t *p;
		size_t n;
	} v[] = {
#define V(a) { a, sizeof(a) }
		V(der_iri),	     V(ber_indefinite),	 V(ber_segmented),   V(ber_long_lengths),
		V(ber_time_comma),   V(ber_time_offset), V(ber_time_local),  V(ber_time_hour),
		V(ber_full_header), V(ber_undecoded_payload), V(ber_undecoded_cc), V(der_hi2_v18),
		V(ber_hi2_v18),
#undef V
	};
	FILE *f = out("ber-forms.ber");
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		fwrite(v[i].p, 1, v[i].n, f);
	fclose(f);
}

static void write_files(void)
{
	static const uint8_t garbage[GARBAGE] = { 0xff, 0x00, 0x13, 0x37, 0xff };
	size_t off = 0, roff = 0, boff = 0;
	FILE *ber = out("all.ber"), *raw = out("all.raw"), *bber = out("bad.ber"), *braw = out("bad.raw");
	unsigned i;

	for (i = 0; i < N_PDU; i++) {
		uint8_t copy[2048];

		fwrite(pdu[i], 1, pdu_len[i], ber);
		put_be32(raw, (uint32_t)pdu_len[i]);
		fwrite(pdu[i], 1, pdu_len[i], raw);
		memcpy(copy, pdu[i], pdu_len[i]);
		if (i == 2)
			fprintf(expect, "bad_at=0x%zx\n", corrupt(copy));
		fwrite(copy, 1, pdu_len[i], bber);
		put_be32(braw, (uint32_t)pdu_len[i]);
		fwrite(copy, 1, pdu_len[i], braw);
		fprintf(expect, "off_%u=%zu\nraw_off_%u=%zu\nbad_off_%u=%zu\n", i + 1, off, i + 1, roff + 4, i + 1, boff);
		off += pdu_len[i];
		roff += 4 + pdu_len[i];
		boff += pdu_len[i];
		if (i == 4) {
			fwrite(garbage, 1, GARBAGE, bber);
			fprintf(expect, "garbage_off=%zu\ngarbage_len=%d\n", boff, GARBAGE);
			boff += GARBAGE;
		}
	}
	fprintf(expect, "n_pdu=%d\nstream_len=%zu\n", N_PDU, off);
	write_ber_forms();
	fclose(ber);
	fclose(raw);
	fclose(bber);
	fclose(braw);
}

static void write_optneg(void *ctx)
{
	struct sl_pdu_ctx_cfg cfg = {
		.liid = "LIID1", .auth_cc = "DE", .operator_id = "OP", .ne_id = "NE1",
		.delivery_cc = "DE", .ipid = "IP1", .ts_digits = 6,
	};
	struct sl_pdu_ctx *pc = sl_pdu_ctx_alloc(ctx, &cfg);
	const uint32_t ack = SL_TRI_OPT(SL_TRI_OPT_PDU_ACK);
	static uint8_t buf[1024], one[256];
	struct sl_ber_w w;
	size_t n;
	FILE *f = out("optneg.ber");

	if (!pc)
		die("context");
	sl_ber_w_init(&w, buf, sizeof(buf));
#define PUT(call) do { keep(&w, (call), one, &n); fwrite(one, 1, n, f); } while (0)
	PUT(sl_pdu_option_request(&w, pc, 0, TS_US, ack));
	PUT(sl_pdu_keepalive(&w, pc, 1, TS_US));
	PUT(sl_pdu_option_response(&w, pc, 0, TS_US, ack, 0));
	PUT(sl_pdu_keepalive_response(&w, pc, 1, TS_US));
	PUT(sl_pdu_option_complete(&w, pc, 0, TS_US));
	PUT(sl_pdu_option_complete(&w, pc, 1, TS_US));
#undef PUT
	fclose(f);
	talloc_free(pc);
}

/* --- pcap --- */

static unsigned frame_no;

static void le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	fwrite(b, 1, 4, f);
}

static void pcap_header(FILE *f)
{
	static const uint8_t version[4] = { 2, 0, 4, 0 };

	le32(f, 0xa1b2c3d4u);
	fwrite(version, 1, 4, f);
	le32(f, 0);
	le32(f, 0);
	le32(f, 65535);
	le32(f, 1); /* DLT_EN10MB */
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32w(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

/* One Ethernet/IPv4/TCP frame; the client is 192.0.2.10, the server 192.0.2.20. */
static void tcp_frame(FILE *f, int c2s, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *p, size_t n)
{
	uint8_t fr[14 + 20 + 20 + 1600];
	uint8_t *ip = fr + 14, *tcp = ip + 20;
	uint8_t cli[4] = { 192, 0, 2, 10 }, srv[4] = { 192, 0, 2, 20 };
	uint32_t sum = 0;
	size_t len = 14 + 20 + 20 + n, i;

	if (n > 1600)
		die("segment too large");
	memset(fr, 0, 54);
	memcpy(fr, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	be16(fr + 12, 0x0800);
	ip[0] = 0x45;
	be16(ip + 2, (uint16_t)(20 + 20 + n));
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, c2s ? cli : srv, 4);
	memcpy(ip + 16, c2s ? srv : cli, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be16(ip + 10, (uint16_t)~sum);
	be16(tcp, c2s ? CLIENT_PORT : SERVER_PORT);
	be16(tcp + 2, c2s ? SERVER_PORT : CLIENT_PORT);
	be32w(tcp + 4, seq);
	be32w(tcp + 8, ack);
	tcp[12] = 0x50;
	tcp[13] = flags;
	be16(tcp + 14, 65535);
	if (n)
		memcpy(tcp + 20, p, n);
	frame_no++;
	le32(f, 1700000001u);
	le32(f, frame_no * 1000);
	le32(f, (uint32_t)len);
	le32(f, (uint32_t)len);
	fwrite(fr, 1, len, f);
}

#define ISN_C 100000u
#define ISN_S 700000u

/* Segment boundaries of the client stream: sizes cycle through these. */
static const size_t seg_sizes[] = { 7, 150, 60, 33, 120, 90, 41 };

static void write_pcap(const char *name, int lose_in_pdu3, const uint8_t *stream, size_t slen, size_t pdu3_start,
		       size_t pdu3_end)
{
	FILE *f = out(name);
	size_t starts[256], lens[256];
	unsigned nseg = 0, i, lost = 256;
	size_t o = 0;
	uint32_t sack = ISN_S + 1;

	frame_no = 0;
	pcap_header(f);
	while (o < slen) {
		size_t k = seg_sizes[nseg % (sizeof(seg_sizes) / sizeof(seg_sizes[0]))];

		if (k > slen - o)
			k = slen - o;
		starts[nseg] = o;
		lens[nseg] = k;
		/* the first segment wholly inside PDU 3 is the one lost */
		if (lose_in_pdu3 && lost == 256 && o > pdu3_start && o + k < pdu3_end)
			lost = nseg;
		nseg++;
		o += k;
	}
	if (lose_in_pdu3 && lost == 256)
		die("no segment inside PDU 3");
	tcp_frame(f, 1, ISN_C, 0, 0x02, NULL, 0);
	tcp_frame(f, 0, ISN_S, ISN_C + 1, 0x12, NULL, 0);
	tcp_frame(f, 1, ISN_C + 1, sack, 0x10, NULL, 0);
	for (i = 0; i < nseg; i++) {
		unsigned j = i;

		/* segments 2 and 3 swapped */
		if (i == 2)
			j = 3;
		else if (i == 3)
			j = 2;
		if (j != lost)
			tcp_frame(f, 1, ISN_C + 1 + (uint32_t)starts[j], sack, 0x18, stream + starts[j], lens[j]);
		if (i == 4) /* a retransmission */
			tcp_frame(f, 1, ISN_C + 1 + (uint32_t)starts[j], sack, 0x18, stream + starts[j], lens[j]);
		if (i == 5) {
			tcp_frame(f, 0, sack, ISN_C + 1 + (uint32_t)(starts[j] + lens[j]), 0x18, resp[0], resp_len[0]);
			sack += (uint32_t)resp_len[0];
		}
	}
	tcp_frame(f, 0, sack, ISN_C + 1 + (uint32_t)slen, 0x18, resp[1], resp_len[1]);
	sack += (uint32_t)resp_len[1];
	tcp_frame(f, 1, ISN_C + 1 + (uint32_t)slen, sack, 0x11, NULL, 0);
	tcp_frame(f, 0, sack, ISN_C + 2 + (uint32_t)slen, 0x11, NULL, 0);
	tcp_frame(f, 1, ISN_C + 2 + (uint32_t)slen, sack + 1, 0x10, NULL, 0);
	fclose(f);
	if (lose_in_pdu3)
		fprintf(expect, "gap_seg_off=%zu\ngap_seg_len=%zu\n", starts[lost], lens[lost]);
	else
		fprintf(expect, "pcap_frames=%u\n", frame_no);
}

int main(int argc, char **argv)
{
	void *ctx = talloc_named_const(NULL, 0, "decode_samples");
	uint8_t stream[N_PDU * 2048];
	size_t slen = 0, p3 = 0, p3e = 0;
	unsigned i;

	if (argc != 2) {
		fputs("usage: decode_samples DIR\n", stderr);
		return 2;
	}
	dir = argv[1];
	expect = out("expect.sh");
	build(ctx);
	write_files();
	write_optneg(ctx);
	for (i = 0; i < N_PDU; i++) {
		if (i == 2)
			p3 = slen;
		memcpy(stream + slen, pdu[i], pdu_len[i]);
		slen += pdu_len[i];
		if (i == 2)
			p3e = slen;
	}
	write_pcap("ho.pcap", 0, stream, slen, p3, p3e);
	write_pcap("gap.pcap", 1, stream, slen, p3, p3e);
	fclose(expect);
	talloc_free(ctx);
	return 0;
}
