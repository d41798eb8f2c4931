/*
 * bench_pdu: how fast handover/ encodes the PDUs sluice delivers, and what
 * the per-warrant templates (handover/pdu_ctx.h) buy (`make bench`).
 *
 * Every PDU type is encoded with the production builder from pdu.h into
 * one buffer, again and again, with a new sequence number and timestamp
 * each time (the fields that change per PDU). The payloads are realistic:
 *   - IPMMIRI: a 927-byte SIP INVITE with SDP, IPv4 addresses;
 *   - IPMMCC: a 172-byte RTP packet (12-byte header, 20 ms of G.711);
 *   - HI2 call begin: a TS 101 671 IRI-Begin with both parties (SIP URI
 *     and E.164 each, the target's IMSI and IMEI), the E-UTRAN cell and
 *     tracking area from P-Access-Network-Info, as an ETSI671IRI inside a
 *     PS-PDU and as a standalone version18 IRIsContent.
 *
 * Two baselines are measured in the same run, on the same bytes:
 *   - "no templates": the same PDU built with the same asn1/ DER writer,
 *     but encoding the PSHeader's constant fields (li-psDomainId OID,
 *     LIID, country codes, network identifier, interception point id)
 *     from the configuration every time, as an encoder without pdu_ctx
 *     would. Its output is checked byte for byte against the builder's
 *     before timing, so the two rows produce exactly the same bytes.
 *     The ratio is what pre-encoding saves (IPMMIRI and IPMMCC; the HI2
 *     body's constant part is three small TLVs, not worth a copy of the
 *     TBCD and party code).
 *   - "memcpy floor": copying an already-encoded PDU of the same length
 *     into the buffer. No encoder can produce those bytes faster; the
 *     share of it an encoder reaches says how much is left to gain.
 *
 * A second table measures the strict decoder (handover/pdu_decode.h,
 * what `sluice lemf` and `sluice decode` run on every PDU) on the PDUs
 * the builders made, plus a keep-alive and an HI1 notification, against
 * two baselines on the same bytes: "ber_walk", asn1/'s generic walk
 * that frames every TLV of the PDU in DER and checks nothing else (the
 * ratio is the price of the ETSI checks and value readers), and the
 * memcpy floor.
 *
 * Each figure is the best of --runs runs (default 3) of about --ms
 * milliseconds each (default 300); iteration counts are calibrated first,
 * and the rows of one PDU type take turns, so the rows a ratio compares
 * run under the same conditions. Output: two tables on stdout. Exit
 * status 1 if any encoding or decoding fails or a baseline's bytes differ
 * from the builder's.
 *
 * Usage: bench_pdu [--runs N] [--ms MS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "asn1/ber_decode.h"
#include "asn1/ber_encode.h"
#include "capture/identity.h"
#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/pdu_decode.h"

#define PDU_BUF 4096

/* li-psDomainId {0 4 0 2 2 5 1 33}: SL_PDU_LI_PS_DOMAIN as arcs, parsed once. */
static const uint32_t li_ps_arcs[] = { 0, 4, 0, 2, 2, 5, 1, 33 };

static const char sip_invite[] =
	"INVITE sip:+4930123456789@ims.example.net;user=phone SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.20.30.40:5060;branch=z9hG4bK-524287-1---a1b2c3d4e5f60718\r\n"
	"Max-Forwards: 70\r\n"
	"Contact: <sip:+4917612345678@10.20.30.40:5060>;+sip.instance=\"<urn:gsma:imei:35209900-176148-0>\"\r\n"
	"To: <sip:+4930123456789@ims.example.net;user=phone>\r\n"
	"From: <sip:+4917612345678@ims.example.net>;tag=9fxced76sl\r\n"
	"Call-ID: 3848276298220188511@10.20.30.40\r\n"
	"CSeq: 1 INVITE\r\n"
	"Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, UPDATE\r\n"
	"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100A1B2C3D4E\r\n"
	"Supported: 100rel, timer, replaces\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 253\r\n"
	"\r\n"
	"v=0\r\n"
	"o=- 8000 8000 IN IP4 10.20.30.40\r\n"
	"s=-\r\n"
	"c=IN IP4 10.20.30.40\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0 8 96 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:96 AMR-WB/16000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n";

#define RTP_LEN 172

struct fixture {
	struct sl_pdu_ctx_cfg cfg; /* what ctx was made from; the no-template encoder reads it per PDU */
	struct sl_pdu_ctx *ctx;
	struct sl_ipmm_sip sip;
	struct sl_ipmm_cc cc;
	struct sl_hi2_iri iri;
	uint8_t rtp[RTP_LEN];
};

/* One measured encoder: fills w with the PDU for iteration i; <0 on failure. */
typedef int (*enc_fn)(struct sl_ber_w *w, const struct fixture *fx, uint64_t i);

static uint8_t outbuf[PDU_BUF];
static volatile uint64_t sink; /* keeps the loops' results alive */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sl_pdu_hdr hdr_for(uint64_t i)
{
	/* A 20 ms packet clock from 2026-01-01; CIN changes every 1024 PDUs. */
	struct sl_pdu_hdr h = {
		.has_cin = true, .cin = 12345u + (uint32_t)(i >> 10), .seqno = (uint32_t)i,
		.ts_us = 1767225600000000ull + i * 20000u,
	};
	return h;
}

/* ---- the production builders ---- */

static int enc_iri_ipmm(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	struct sl_pdu_hdr h = hdr_for(i);

	return sl_pdu_iri_ipmm(w, fx->ctx, &h, SL_IRI_BEGIN, &fx->sip);
}

static int enc_cc_ipmm(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	struct sl_pdu_hdr h = hdr_for(i);

	return sl_pdu_cc_ipmm(w, fx->ctx, &h, &fx->cc);
}

static int enc_iri_hi2(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	struct sl_pdu_hdr h = hdr_for(i);
	struct sl_hi2_iri iri = fx->iri;

	iri.ts_us = h.ts_us;
	return sl_pdu_iri_hi2(w, fx->ctx, &h, &iri);
}

static int enc_hi2_content(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	struct sl_pdu_hdr h = hdr_for(i);
	struct sl_hi2_iri iri = fx->iri;

	iri.ts_us = h.ts_us;
	return sl_hi2_iris_content(w, fx->ctx, SL_HI2_V18_UNTAGGED, h.cin, &iri);
}

static int enc_keepalive(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	return sl_pdu_keepalive(w, fx->ctx, (uint32_t)i, hdr_for(i).ts_us);
}

static int enc_hi1(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	return sl_pdu_hi1_notification(w, fx->ctx, (uint32_t)i, hdr_for(i).ts_us, SL_HI1_ACTIVATED,
				       "sip:+4917612345678@ims.example.net");
}

/*
 * ---- the no-template baseline ----
 * The same DER, written the same way (backwards, one pass), but with the
 * PSHeader's constant fields encoded from the configuration per PDU:
 * strlen and character-set checks of the strings, the OID from its arcs.
 * The payload code follows handover/ipmm.c field for field.
 */
static int naive_ps_close(struct sl_ber_w *w, const struct sl_pdu_ctx_cfg *cfg, const struct sl_pdu_hdr *h,
			  size_t m_pdu, size_t m_pay)
{
	size_t m_hdr, m_ci, m_nid;
	uint64_t ts = h->ts_us;

	sl_ber_w_close(w, m_pay, SL_BER_CONTEXT, 2);
	m_hdr = sl_ber_w_mark(w);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 8, SL_TSQ_INTERCEPTION);
	sl_ber_w_text(w, SL_BER_CONTEXT, 6, SL_BER_TAG_PRINTABLE_STRING, cfg->ipid, strlen(cfg->ipid));
	sl_ber_w_generalized_time(w, SL_BER_CONTEXT, 5, (int64_t)(ts / 1000000u), (uint32_t)(ts % 1000000u),
				  cfg->ts_digits);
	sl_ber_w_uint64(w, SL_BER_CONTEXT, 4, h->seqno);
	m_ci = sl_ber_w_mark(w);
	sl_ber_w_text(w, SL_BER_CONTEXT, 2, SL_BER_TAG_PRINTABLE_STRING, cfg->delivery_cc, strlen(cfg->delivery_cc));
	sl_ber_w_uint64(w, SL_BER_CONTEXT, 1, h->cin);
	m_nid = sl_ber_w_mark(w);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 1, cfg->ne_id, strlen(cfg->ne_id));
	sl_ber_w_octets(w, SL_BER_CONTEXT, 0, cfg->operator_id, strlen(cfg->operator_id));
	sl_ber_w_close(w, m_nid, SL_BER_CONTEXT, 0);
	sl_ber_w_close(w, m_ci, SL_BER_CONTEXT, 3);
	sl_ber_w_text(w, SL_BER_CONTEXT, 2, SL_BER_TAG_PRINTABLE_STRING, cfg->auth_cc, strlen(cfg->auth_cc));
	sl_ber_w_octets(w, SL_BER_CONTEXT, 1, cfg->liid, strlen(cfg->liid));
	sl_ber_w_oid(w, SL_BER_CONTEXT, 0, li_ps_arcs, sizeof(li_ps_arcs) / sizeof(li_ps_arcs[0]));
	sl_ber_w_close(w, m_hdr, SL_BER_CONTEXT, 1);
	sl_ber_w_close(w, m_pdu, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
	return sl_ber_w_ok(w) ? 0 : -EINVAL;
}

static void naive_ip_address(struct sl_ber_w *w, uint32_t tag, const struct sl_addr *a)
{
	size_t m = sl_ber_w_mark(w), mv;
	bool v6 = a->family == SL_AF_INET6;

	if (v6)
		sl_ber_w_uint64(w, SL_BER_CONTEXT, 4, 128);
	mv = sl_ber_w_mark(w);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 1, a->a, v6 ? 16 : 4);
	sl_ber_w_close(w, mv, SL_BER_CONTEXT, 2);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 1, v6 ? 1 : 0);
	sl_ber_w_close(w, m, SL_BER_CONTEXT, tag);
}

static int naive_iri_ipmm(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	static const uint8_t objid[] = { 5, 5, 13, 1 };
	struct sl_pdu_hdr h = hdr_for(i);
	const struct sl_ipmm_sip *sip = &fx->sip;
	size_t m_pdu, m_pay, m_seq, m_irp, m_ic, m_ipmm, m_cont, m_sip;

	m_pdu = m_pay = m_seq = m_irp = m_ic = m_ipmm = m_cont = m_sip = sl_ber_w_mark(w);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 2, sip->msg, sip->len);
	naive_ip_address(w, 1, &sip->dst.addr);
	naive_ip_address(w, 0, &sip->src.addr);
	sl_ber_w_close(w, m_sip, SL_BER_CONTEXT, 1);
	sl_ber_w_close(w, m_cont, SL_BER_CONTEXT, 1);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 0, objid, sizeof(objid));
	sl_ber_w_close(w, m_ipmm, SL_BER_CONTEXT, 11);
	sl_ber_w_close(w, m_ic, SL_BER_CONTEXT, 2);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 0, SL_IRI_BEGIN);
	sl_ber_w_close(w, m_irp, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
	sl_ber_w_close(w, m_seq, SL_BER_CONTEXT, 0);
	return naive_ps_close(w, &fx->cfg, &h, m_pdu, m_pay);
}

static int naive_cc_ipmm(struct sl_ber_w *w, const struct fixture *fx, uint64_t i)
{
	static const uint8_t objid[] = { 5, 5, 13, 2 };
	struct sl_pdu_hdr h = hdr_for(i);
	const struct sl_ipmm_cc *cc = &fx->cc;
	size_t m_pdu, m_pay, m_seq, m_ccp, m_cc, m_mm;

	m_pdu = m_pay = m_seq = m_ccp = m_cc = m_mm = sl_ber_w_mark(w);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 4, cc->proto);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 2, cc->frame);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 1, cc->data, cc->len);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 0, objid, sizeof(objid));
	sl_ber_w_close(w, m_mm, SL_BER_CONTEXT, 12);
	sl_ber_w_close(w, m_cc, SL_BER_CONTEXT, 2);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 0, cc->dir);
	sl_ber_w_close(w, m_ccp, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
	sl_ber_w_close(w, m_seq, SL_BER_CONTEXT, 1);
	return naive_ps_close(w, &fx->cfg, &h, m_pdu, m_pay);
}

/* ---- fixture ---- */

static void v4(struct sl_endpoint *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->addr.family = SL_AF_INET4;
	e->addr.a[0] = a;
	e->addr.a[1] = b;
	e->addr.a[2] = c;
	e->addr.a[3] = d;
	e->port = port;
}

static int fixture_init(void *tctx, struct fixture *fx)
{
	static const char pani[] = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100A1B2C3D4E";
	static char liid[] = "LIID-BENCH-000123", auth_cc[] = "DE", operator_id[] = "sluice-operator",
		    ne_id[] = "gw1", delivery_cc[] = "DE", ipid[] = "ip1", hi2_op[] = "SLUIC";
	unsigned k;

	memset(fx, 0, sizeof(*fx));
	/* Writable arrays: the no-template encoder cannot have their lengths folded at compile time. */
	fx->cfg = (struct sl_pdu_ctx_cfg){
		.liid = liid, .auth_cc = auth_cc, .operator_id = operator_id, .ne_id = ne_id,
		.delivery_cc = delivery_cc, .ipid = ipid, .hi2_operator_id = hi2_op, .ts_digits = 6,
	};
	fx->ctx = sl_pdu_ctx_alloc(tctx, &fx->cfg);
	if (!fx->ctx)
		return -errno;

	fx->sip.msg = (const uint8_t *)sip_invite;
	fx->sip.len = sizeof(sip_invite) - 1;
	v4(&fx->sip.src, 10, 20, 30, 40, 5060);
	v4(&fx->sip.dst, 10, 20, 1, 10, 5060);

	/* RTP: V=2, PT 0 (PCMU), sequence, timestamp, SSRC, 160 bytes of payload */
	fx->rtp[0] = 0x80;
	fx->rtp[1] = 0x00;
	for (k = 2; k < RTP_LEN; k++)
		fx->rtp[k] = (uint8_t)(0xd5 ^ (k * 7));
	fx->cc.dir = SL_PDU_FROM_TARGET;
	fx->cc.data = fx->rtp;
	fx->cc.len = RTP_LEN;
	fx->cc.frame = SL_MMCC_FRAME_RTP;
	fx->cc.proto = SL_MMCC_PROTO_RTP;

	/* A call begin as sl_hi2_iri_from_event makes it for the INVITE above. */
	fx->iri.type = SL_IRI_BEGIN;
	fx->iri.has_dir = fx->iri.has_state = fx->iri.has_nature = true;
	fx->iri.dir = SL_HI2_ORIGINATING;
	fx->iri.state = SL_HI2_SETUP;
	fx->iri.nature = SL_HI2_NATURE_CALL;
	if (!sl_party_add(&fx->iri.orig, SL_ID_SIP_URI, "sip:+4917612345678@ims.example.net")
	    || !sl_party_add(&fx->iri.orig, SL_ID_E164, "+4917612345678")
	    || !sl_party_add(&fx->iri.orig, SL_ID_IMSI, "262011234567890")
	    || !sl_party_add(&fx->iri.orig, SL_ID_IMEI, "352099001761480")
	    || !sl_party_add(&fx->iri.term, SL_ID_SIP_URI, "sip:+4930123456789@ims.example.net")
	    || !sl_party_add(&fx->iri.term, SL_ID_E164, "+4930123456789"))
		return -EINVAL;
	if (!sl_hi2_location_from_pani(pani, sizeof(pani) - 1, &fx->iri.loc))
		return -EINVAL;
	return 0;
}

/* ---- measurement ---- */

/* Run fn n times; returns seconds, or -1 on an encoding failure. *bytes: total PDU bytes. */
static double run_enc(enc_fn fn, const struct fixture *fx, uint64_t n, uint64_t *bytes)
{
	struct sl_ber_w w;
	const uint8_t *p;
	size_t len;
	uint64_t i, total = 0, acc = 0;
	double t0 = now_s(), t;

	for (i = 0; i < n; i++) {
		sl_ber_w_init(&w, outbuf, sizeof(outbuf));
		if (fn(&w, fx, i) < 0 || !sl_ber_w_result(&w, &p, &len))
			return -1;
		total += len;
		acc += p[len - 1];
	}
	t = now_s() - t0;
	sink += acc;
	*bytes = total;
	return t;
}

/* The floor: memcpy of a ready PDU of len bytes to where the writer would put it. */
static double run_copy(const uint8_t *pdu, size_t len, uint64_t n, uint64_t *bytes)
{
	uint64_t i, acc = 0;
	double t0 = now_s(), t;

	for (i = 0; i < n; i++) {
		uint8_t *dst = outbuf + sizeof(outbuf) - len;

		memcpy(dst, pdu, len);
		dst[len - 1] ^= (uint8_t)i; /* a per-PDU change, as the sequence number is */
		acc += dst[(i * 31) % len];
	}
	t = now_s() - t0;
	sink += acc;
	*bytes = (uint64_t)len * n;
	return t;
}

/* One read of a ready PDU: 0, or -1 if it fails; adds something of the result to *acc. */
typedef int (*read_fn)(const uint8_t *pdu, size_t len, uint64_t *acc);

/* The strict decoder. */
static int read_decode(const uint8_t *pdu, size_t len, uint64_t *acc)
{
	struct sl_pdu_decoded d;

	if (sl_pdu_decode(NULL, pdu, len, &d, NULL, 0) != 0)
		return -1;
	*acc += d.kind + d.seqno;
	return 0;
}

static enum sl_ber_walk_ret count_tlv(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				      unsigned depth, size_t offset)
{
	(void)d;
	(void)depth;
	(void)offset;
	*(uint64_t *)arg += t->len;
	return SL_BER_WALK_DESCEND;
}

/* The generic baseline: frame every TLV (DER), read no value. */
static int read_walk(const uint8_t *pdu, size_t len, uint64_t *acc)
{
	struct sl_ber_dec d;

	sl_ber_dec_init(&d, pdu, len, SL_BER_MODE_DER);
	return sl_ber_walk(&d, sl_ber_dec_root(&d), count_tlv, acc) == SL_BER_OK ? 0 : -1;
}

/* Read pdu n times with fn; seconds, or -1 if a read fails. */
static double run_read(read_fn fn, const uint8_t *pdu, size_t len, uint64_t n, uint64_t *bytes)
{
	uint64_t i, acc = 0;
	double t0 = now_s(), t;

	for (i = 0; i < n; i++)
		if (fn(pdu, len, &acc) < 0)
			return -1;
	t = now_s() - t0;
	sink += acc;
	*bytes = (uint64_t)len * n;
	return t;
}

/* How a row runs: an encoder (fn), or on the ready bytes pdu. */
enum row_how { ROW_ENCODE, ROW_COPY, ROW_DECODE, ROW_WALK };

/* One row of a table. */
struct result {
	enum row_how how;
	enc_fn fn;
	const uint8_t *pdu;
	size_t len;
	uint64_t n;	/* PDUs per run, calibrated */
	double secs;	/* best run */
	uint64_t bytes;
};

static unsigned g_runs = 3;
static unsigned g_ms = 300;

static double run_one(const struct fixture *fx, const struct result *r, uint64_t n, uint64_t *bytes)
{
	switch (r->how) {
	case ROW_ENCODE:
		return run_enc(r->fn, fx, n, bytes);
	case ROW_DECODE:
		return run_read(read_decode, r->pdu, r->len, n, bytes);
	case ROW_WALK:
		return run_read(read_walk, r->pdu, r->len, n, bytes);
	default:
		return run_copy(r->pdu, r->len, n, bytes);
	}
}

/*
 * Calibrate each row for about g_ms per run, then run the rows in turn,
 * g_runs times, keeping each row's best: rows compared in a ratio see the
 * same machine conditions (frequency, other load) as far as possible.
 */
static int measure(const struct fixture *fx, struct result *rows, unsigned nrows)
{
	uint64_t bytes;
	double t;
	unsigned i, k;

	for (i = 0; i < nrows; i++) {
		struct result *r = &rows[i];

		for (r->n = 1000;; r->n *= 8) {
			if ((t = run_one(fx, r, r->n, &bytes)) < 0)
				return -1;
			if (t >= 0.02 || r->n >= (1ull << 34))
				break;
		}
		r->n = (uint64_t)((double)r->n * (g_ms / 1000.0) / (t > 1e-9 ? t : 1e-9));
		if (r->n < 1000)
			r->n = 1000;
		r->secs = 0;
	}
	for (k = 0; k < g_runs; k++) {
		for (i = 0; i < nrows; i++) {
			struct result *r = &rows[i];

			if ((t = run_one(fx, r, r->n, &bytes)) < 0)
				return -1;
			if (k == 0 || t < r->secs) {
				r->secs = t;
				r->bytes = bytes;
			}
		}
	}
	return 0;
}

static double ns_per(const struct result *r)
{
	return r->secs / (double)r->n * 1e9;
}

static void print_row(const char *what, const char *how, size_t len, size_t cbytes, const struct result *r,
		      const char *note)
{
	double pps = (double)r->n / r->secs;

	printf("%-24s %-14s %6zu %7zu %10.0f %8.1f %8.1f  %s\n", what, how, len, cbytes, pps,
	       (double)r->bytes / r->secs / 1e6, r->secs / (double)r->n * 1e9, note);
}

/* Encode once with fn for iteration 0 into a talloc copy; *len its size. */
static uint8_t *encode_once(void *tctx, enc_fn fn, const struct fixture *fx, size_t *len)
{
	struct sl_ber_w w;
	const uint8_t *p;

	sl_ber_w_init(&w, outbuf, sizeof(outbuf));
	if (fn(&w, fx, 0) < 0 || !sl_ber_w_result(&w, &p, len))
		return NULL;
	return talloc_memdup(tctx, p, *len);
}

struct pdu_type {
	const char *name;
	enc_fn builder;
	enc_fn naive; /* NULL: no no-template row */
	size_t const_bytes; /* bytes copied from templates per PDU */
};

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < (long)lo || v > (long)hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static void print_drow(const char *what, const char *how, size_t len, const struct result *r, const char *note)
{
	printf("%-24s %-14s %6zu %10.0f %8.1f %8.1f  %s\n", what, how, len, (double)r->n / r->secs,
	       (double)r->bytes / r->secs / 1e6, r->secs / (double)r->n * 1e9, note);
}

/* The decoding table: each PDU kind through the strict decoder, the generic walk and memcpy. */
static int decode_table(void *tctx, const struct fixture *fx)
{
	static const struct {
		const char *name;
		enc_fn builder;
	} kinds[] = {
		{ "IPMMIRI (SIP INVITE)", enc_iri_ipmm }, { "IPMMCC (RTP 172 B)", enc_cc_ipmm },
		{ "HI2 IRI-Begin PS-PDU", enc_iri_hi2 },  { "HI2 IRIsContent v18", enc_hi2_content },
		{ "TRI keep-alive", enc_keepalive },	    { "HI1 liActivated", enc_hi1 },
	};
	static const enum row_how hows[] = { ROW_DECODE, ROW_WALK, ROW_COPY };
	unsigned k, i;
	int rc = 0;

	printf("\nPDU decoding, best of %u runs of ~%u ms\n", g_runs, g_ms);
	printf("%-24s %-14s %6s %10s %8s %8s\n", "PDU", "reader", "bytes", "PDUs/s", "MB/s", "ns/PDU");
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct result rows[3];
		size_t len;
		uint8_t *ref = encode_once(tctx, kinds[k].builder, fx, &len);
		char note[160];

		if (!ref || sl_pdu_decode(NULL, ref, len, &(struct sl_pdu_decoded){ 0 }, NULL, 0) != 0) {
			fprintf(stderr, "bench_pdu: %s: encoding or decoding failed\n", kinds[k].name);
			rc = 1;
			continue;
		}
		memset(rows, 0, sizeof(rows));
		for (i = 0; i < 3; i++)
			rows[i] = (struct result){ .how = hows[i], .pdu = ref, .len = len };
		if (measure(fx, rows, 3) < 0) {
			fprintf(stderr, "bench_pdu: %s: decoding failed\n", kinds[k].name);
			rc = 1;
			continue;
		}
		print_drow(kinds[k].name, "sl_pdu_decode", len, &rows[0], "(handover/pdu_decode.h, production)");
		snprintf(note, sizeof(note), "decoder takes %.2fx the walk's time", ns_per(&rows[0]) / ns_per(&rows[1]));
		print_drow("", "ber_walk", len, &rows[1], note);
		snprintf(note, sizeof(note), "decoder at %.1f%% of the floor's rate",
			 100.0 * ns_per(&rows[2]) / ns_per(&rows[0]));
		print_drow("", "memcpy floor", len, &rows[2], note);
	}
	return rc;
}

int main(int argc, char **argv)
{
	void *tctx = talloc_named_const(NULL, 0, "bench_pdu");
	struct fixture fx;
	struct pdu_type types[4];
	size_t ps_const;
	unsigned t;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc && parse_uint(argv[i + 1], 1, 100, &g_runs)) {
			i++;
		} else if (!strcmp(argv[i], "--ms") && i + 1 < argc && parse_uint(argv[i + 1], 10, 60000, &g_ms)) {
			i++;
		} else {
			fputs("usage: bench_pdu [--runs N (1..100)] [--ms MS (10..60000)]\n", stderr);
			return 2;
		}
	}
	if (fixture_init(tctx, &fx) < 0) {
		fputs("bench_pdu: fixture setup failed\n", stderr);
		return 1;
	}
	ps_const = fx.ctx->ps_head.n + fx.ctx->ps_nid.n + fx.ctx->ps_dcc.n + fx.ctx->ps_ipid.n;
	types[0] = (struct pdu_type){ "IPMMIRI (SIP INVITE)", enc_iri_ipmm, naive_iri_ipmm, ps_const };
	types[1] = (struct pdu_type){ "IPMMCC (RTP 172 B)", enc_cc_ipmm, naive_cc_ipmm, ps_const };
	types[2] = (struct pdu_type){ "HI2 IRI-Begin PS-PDU", enc_iri_hi2, NULL,
				      ps_const + fx.ctx->hi2_dom18.n + fx.ctx->hi2_liid.n + fx.ctx->hi2_nid.n };
	types[3] = (struct pdu_type){ "HI2 IRIsContent v18", enc_hi2_content, NULL,
				      fx.ctx->hi2_dom18.n + fx.ctx->hi2_liid.n + fx.ctx->hi2_nid.n };

	printf("PDU encoding, best of %u runs of ~%u ms; SIP message %zu B, RTP %d B\n", g_runs, g_ms,
	       fx.sip.len, RTP_LEN);
	printf("%-24s %-14s %6s %7s %10s %8s %8s\n", "PDU", "encoder", "bytes", "const B", "PDUs/s", "MB/s",
	       "ns/PDU");
	for (t = 0; t < 4; t++) {
		const struct pdu_type *pt = &types[t];
		struct result rows[3];
		unsigned nrows = 0, floor_row;
		uint8_t *ref, *alt;
		size_t len, alen;
		char note[160];

		memset(rows, 0, sizeof(rows));
		ref = encode_once(tctx, pt->builder, &fx, &len);
		if (!ref) {
			fprintf(stderr, "bench_pdu: %s: encoding failed\n", pt->name);
			rc = 1;
			continue;
		}
		rows[nrows].how = ROW_ENCODE;
		rows[nrows++].fn = pt->builder;
		if (pt->naive) {
			alt = encode_once(tctx, pt->naive, &fx, &alen);
			if (!alt || alen != len || memcmp(alt, ref, len) != 0) {
				fprintf(stderr, "bench_pdu: %s: no-template baseline differs from the builder\n",
					pt->name);
				rc = 1;
				continue;
			}
			rows[nrows].how = ROW_ENCODE;
			rows[nrows++].fn = pt->naive;
		}
		floor_row = nrows;
		rows[nrows].how = ROW_COPY;
		rows[nrows].pdu = ref;
		rows[nrows++].len = len;
		if (measure(&fx, rows, nrows) < 0) {
			fprintf(stderr, "bench_pdu: %s: encoding failed\n", pt->name);
			rc = 1;
			continue;
		}
		print_row(pt->name, "templates", len, pt->const_bytes, &rows[0], "(handover/pdu.h, production)");
		if (pt->naive) {
			snprintf(note, sizeof(note), "same bytes; templates %.2fx as fast",
				 ns_per(&rows[1]) / ns_per(&rows[0]));
			print_row("", "no templates", len, 0, &rows[1], note);
		}
		snprintf(note, sizeof(note), "templates at %.1f%% of the floor's rate",
			 100.0 * ns_per(&rows[floor_row]) / ns_per(&rows[0]));
		print_row("", "memcpy floor", len, len, &rows[floor_row], note);
	}
	if (decode_table(tctx, &fx))
		rc = 1;
	talloc_free(tctx);
	return rc;
}
