/*
 * Pipeline tests, malformed input.
 *
 * Truncation sweeps: every encapsulation of pipeline_encaps.c is cut at
 * every length short of complete, and fed from an exactly sized heap
 * buffer so AddressSanitizer catches any read past the captured bytes.
 * Two kinds of cut: the whole frame cut short (a snaplen), and an inner
 * layer cut short with the outer layers rebuilt around it with consistent
 * lengths (a lying inner header), which reaches the "truncated" path of
 * every inner decoder. pb_cut_ctr says which decode counter each cut must
 * increment; it must move by exactly one and no event may come out.
 *
 * Then a table of malformed (not truncated) headers, each of which must
 * increment its own malformed/unsupported counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "tests/unit/pipeline_encaps.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull

static char sip_msg[1024];
static size_t sip_len;

/* decode counters that count refusals: not frames, bytes, snapped frames, or offload and jumbo packets taken */
static uint64_t decode_rejects(struct pfx *f)
{
	return pfx_ctr_sum(f, SL_CG_DECODE) - pfx_ctr(f, SL_CG_DECODE, SL_DEC_FRAMES) -
	       pfx_ctr(f, SL_CG_DECODE, SL_DEC_BYTES) - pfx_ctr(f, SL_CG_DECODE, SL_DEC_SNAPPED) -
	       pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_OFFLOAD) - pfx_ctr(f, SL_CG_DECODE, SL_DEC_TCP_OFFLOAD) -
	       pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_OFFLOAD) - pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO);
}

/*
 * Cut layer `split` (and everything inside it) of e's frame at every
 * length; the layers outside it are rebuilt around the cut bytes. The
 * outermost layer is the whole frame cut short (nothing rebuilt, frame
 * snapped). Layer i was made by op i (PB_RAW, always last, makes none).
 */
static unsigned sweep(const struct encap *e, unsigned split)
{
	static struct pb full, cut;
	struct pfx *f = pfx_new(NULL);
	size_t off, inner_len, c;
	bool whole;
	unsigned checked = 0;

	pb_build(&full, sip_msg, sip_len, e->ops, e->n_ops);
	whole = split == full.n - 1;
	off = pb_layer_off(&full, split);
	inner_len = pb_len(&full) - off;

	for (c = 0; c < inner_len; c++) {
		int want = pb_cut_ctr(&full, split, c);
		uint64_t before = want >= 0 ? pfx_ctr(f, SL_CG_DECODE, (unsigned)want) : 0;
		uint64_t rejects = decode_rejects(f);
		unsigned i;

		if (whole) {
			pfx_feed_snap(f, e->dlt, TS0 + c, pb_data(&full), c, pb_len(&full));
		} else {
			pb_init_blob(&cut, pb_data(&full) + off, c, &full.l[split].top);
			for (i = split + 1; i < e->n_ops; i++)
				pb_apply(&cut, &e->ops[i]);
			pfx_feed(f, e->dlt, TS0 + c, pb_data(&cut), pb_len(&cut));
		}
		if (want >= 0) {
			if (pfx_ctr(f, SL_CG_DECODE, (unsigned)want) != before + 1) {
				print_error("%s: layer %u cut at %zu of %zu: counter %s not incremented\n", e->name,
					    split, c, inner_len, sl_decode_ctrg_desc.ctr_desc[want].name);
				fail();
			}
			/* and nothing else was counted as rejected */
			assert_int_equal(decode_rejects(f), rejects + 1);
			checked++;
		}
		if (f->n_ev) {
			print_error("%s: layer %u cut at %zu of %zu: unexpected event\n", e->name, split, c, inner_len);
			fail();
		}
	}
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_FRAMES), inner_len);
	sl_capture_flush(f->cap);
	assert_int_equal(f->n_ev, 0);
	pfx_free(f);
	return checked;
}

static void test_truncation_sweeps(void **state)
{
	unsigned i, split, checked = 0;

	for (i = 0; i < pipeline_n_encaps; i++) {
		const struct encap *e = &pipeline_encaps[i];
		unsigned layers = e->n_ops - (e->ops[e->n_ops - 1].kind == PB_RAW);

		for (split = 0; split < layers; split++)
			checked += sweep(e, split);
	}
	print_message("%u truncated frames checked against their counter\n", checked);
	assert_true(checked > 10000);
}

/* One malformed frame: bytes patched after building, the counter it must hit. */
struct bad {
	const char *name;
	int dlt;
	unsigned n_ops;
	struct pb_op ops[8];
	unsigned layer;		/* patch inside this layer (index in ops) */
	size_t at;		/* byte offset within that layer's header */
	uint8_t and_mask, or_mask;
	size_t zero16_plus1;	/* also zero the 16-bit word at this layer offset + 1 (0: none) */
	enum sl_capture_ctr_group group;
	unsigned ctr;
};

#define UDP_SIP { PB_UDP, NULL, NULL, 5060, 5060, 0 }
#define TCP_SIP { PB_TCP, NULL, NULL, 40000, 5060, 1000 }
#define IN4 { PB_IPV4, PFX_A4, PFX_B4, 0, 0, 0 }
#define IN6 { PB_IPV6, PFX_A6, PFX_B6, 0, 0, 0 }
#define OUT4 { PB_IPV4, PFX_C4, PFX_D4, 0, 0, 0 }
#define ETH { PB_ETH, NULL, NULL, 0, 0, 0 }
#define OP(k, a, b) { k, NULL, NULL, a, b, 0 }
#define BZ(nm, lay, at_, andm, orm, z16, grp, c, ...)                                                          \
	{                                                                                                      \
		.name = nm, .dlt = DLT_EN10MB, .layer = lay, .at = at_, .and_mask = andm, .or_mask = orm,       \
		.zero16_plus1 = z16, .group = grp, .ctr = c,                                                    \
		.n_ops = sizeof((struct pb_op[]){ __VA_ARGS__ }) / sizeof(struct pb_op), .ops = { __VA_ARGS__ } \
	}

#define B(nm, lay, at_, andm, orm, grp, c, ...) BZ(nm, lay, at_, andm, orm, 0, grp, c, __VA_ARGS__)

static const struct bad bads[] = {
	B("ipv4 version 5", 1, 0, 0x0f, 0x50, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED, UDP_SIP, IN4, ETH),
	B("ipv4 ihl 4", 1, 0, 0xf0, 0x04, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED, UDP_SIP, IN4, ETH),
	/* total 4 < ihl (a total of 0 is segmentation offload: test_pipeline_offload) */
	BZ("ipv4 total < ihl", 1, 3, 0, 4, 3, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED, UDP_SIP, IN4, ETH),
	B("ipv4 total beyond frame", 1, 2, 0, 0xff, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED, UDP_SIP, IN4, ETH),
	B("ipv6 payload beyond frame", 1, 4, 0, 0xff, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED, UDP_SIP, IN6, ETH),
	B("udp length beyond ip", 0, 4, 0, 0xff, SL_CG_DECODE, SL_DEC_UDP_TRUNCATED, UDP_SIP, IN4, ETH),
	B("gtpu length beyond udp", 2, 2, 0, 0xff, SL_CG_DECODE, SL_DEC_GTPU_TRUNCATED, UDP_SIP, IN4, OP(PB_GTPU, 0, 0),
	  OP(PB_UDP, 2152, 2152), OUT4, ETH),
	B("ipv6 version 4", 1, 0, 0x0f, 0x40, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED, UDP_SIP, IN6, ETH),
	/* payload length 0, next header Hop-by-Hop: a jumbogram whose "Hop-by-Hop header" is the UDP header */
	BZ("ipv6 jumbogram without its option", 1, 6, 0, 0, 5, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED, UDP_SIP, IN6, ETH),
	BZ("udp length 7", 0, 5, 0, 7, 5, SL_CG_DECODE, SL_DEC_UDP_MALFORMED, UDP_SIP, IN4, ETH),
	B("tcp offset 4", 0, 12, 0x0f, 0x40, SL_CG_DECODE, SL_DEC_TCP_MALFORMED, TCP_SIP, IN4, ETH),
	B("gre version 1", 2, 1, 0xf8, 0x01, SL_CG_DECODE, SL_DEC_GRE_UNSUPPORTED, UDP_SIP, IN4, OP(PB_GRE, 0, 0),
	  OUT4, ETH),
	B("gre routing", 2, 0, 0xff, 0x40, SL_CG_DECODE, SL_DEC_GRE_UNSUPPORTED, UDP_SIP, IN4, OP(PB_GRE, 0, 0),
	  OUT4, ETH),
	B("erspan2 version 2", 3, 0, 0x0f, 0x20, SL_CG_DECODE, SL_DEC_ERSPAN_UNSUPPORTED, UDP_SIP, IN4, ETH,
	  OP(PB_ERSPAN2, 0, 0), OP(PB_GRE, 0, 0), OUT4, ETH),
	B("erspan3 version 1", 3, 0, 0x0f, 0x10, SL_CG_DECODE, SL_DEC_ERSPAN_UNSUPPORTED, UDP_SIP, IN4, ETH,
	  OP(PB_ERSPAN3, 0, 0), OP(PB_GRE, 0, 0), OUT4, ETH),
	B("erspan3 frame type 5", 3, 10, 0x83, 0x14, SL_CG_DECODE, SL_DEC_ERSPAN_UNSUPPORTED, UDP_SIP, IN4, ETH,
	  OP(PB_ERSPAN3, 0, 0), OP(PB_GRE, 0, 0), OUT4, ETH),
	B("gtpu version 2", 2, 0, 0x1f, 0x40, SL_CG_DECODE, SL_DEC_GTPU_MALFORMED, UDP_SIP, IN4, OP(PB_GTPU, 0, 0),
	  OP(PB_UDP, 2152, 2152), OUT4, ETH),
	B("gtpu extension length 0", 2, 12, 0, 0, SL_CG_DECODE, SL_DEC_GTPU_MALFORMED, UDP_SIP, IN4,
	  OP(PB_GTPU, 1, 0), OP(PB_UDP, 2152, 2152), OUT4, ETH),
	B("gtpu extension length past end", 2, 12, 0, 0xff, SL_CG_DECODE, SL_DEC_GTPU_TRUNCATED, UDP_SIP, IN4,
	  OP(PB_GTPU, 1, 0), OP(PB_UDP, 2152, 2152), OUT4, ETH),
	B("mpls payload nibble 5", 2, 4, 0, 0x50, SL_CG_DECODE, SL_DEC_MPLS_UNSUPPORTED, UDP_SIP, IN4,
	  OP(PB_MPLS, 16, 0), ETH),
	B("ipv6 extension past end", 1, 6, 0, 60, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED, UDP_SIP, IN6, ETH),
};

static void test_malformed_headers(void **state)
{
	unsigned i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *t = &bads[i];
		static struct pb b;
		static uint8_t frame[PB_MAX];
		struct pfx *f = pfx_new(NULL);
		size_t at;

		print_message("malformed: %s\n", t->name);
		pb_build(&b, sip_msg, sip_len, t->ops, t->n_ops);
		memcpy(frame, pb_data(&b), pb_len(&b));
		at = pb_layer_off(&b, t->layer) + t->at;
		if (t->zero16_plus1) {
			size_t z = pb_layer_off(&b, t->layer) + t->zero16_plus1 - 1;
			frame[z] = frame[z + 1] = 0;
		}
		frame[at] = (uint8_t)((frame[at] & t->and_mask) | t->or_mask);
		pfx_feed(f, t->dlt, TS0, frame, pb_len(&b));
		assert_int_equal(pfx_ctr(f, t->group, t->ctr), 1);
		assert_int_equal(pfx_count(f, SL_EV_SIP), 0);
		pfx_free(f);
	}
}

/* The same frames, patched at every byte with every one-bit flip: no crash, no leak. */
static void test_bit_flips(void **state)
{
	unsigned i;
	size_t at;
	int bit;

	for (i = 0; i < pipeline_n_encaps; i++) {
		const struct encap *e = &pipeline_encaps[i];
		static struct pb b;
		static uint8_t frame[PB_MAX];
		struct pfx *f = pfx_new(NULL);
		size_t hdr;

		pb_build(&b, sip_msg, sip_len, e->ops, e->n_ops);
		/* headers only: flipping SIP text is the SIP parser tests' business */
		hdr = pb_layer_off(&b, 0) + (e->ops[0].kind == PB_TCP ? 20 : 8);
		for (at = 0; at < hdr; at++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(frame, pb_data(&b), pb_len(&b));
				frame[at] ^= (uint8_t)(1u << bit);
				pfx_feed(f, e->dlt, TS0 + at * 8 + (unsigned)bit, frame, pb_len(&b));
			}
		}
		sl_capture_flush(f->cap);
		pfx_free(f);
	}
}

/* SIP-looking UDP payloads the parser refuses: each counted under its reason. */
static void test_sip_rejects(void **state)
{
	static const struct {
		const char *find, *replace;
		enum sl_sip_err err;
	} cases[] = {
		{ "Call-ID:", "Xall-ID:", SL_SIP_ERR_MISSING },
		{ "CSeq: 1 OPTIONS", "CSeq: x OPTIONS", SL_SIP_ERR_CSEQ },
		{ "Max-Forwards: 70", "Max-Forwards  70", SL_SIP_ERR_HEADER },
		{ "Content-Length: 0", "Content-Length: z", SL_SIP_ERR_CONTENT_LENGTH },
		{ "\r\n\r\n", "\r\nX:", SL_SIP_ERR_TRUNCATED },	/* same length: the copy keeps its NUL */
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		char *p;
		struct pfx *f = pfx_new(NULL);

		memcpy(text, sip_msg, sip_len + 1);
		p = strstr(text, cases[i].find);
		assert_non_null(p);
		/* equal lengths: a longer replacement would overwrite the NUL and send stack bytes */
		assert_int_equal(strlen(cases[i].replace), strlen(cases[i].find));
		memcpy(p, cases[i].replace, strlen(cases[i].replace));
		pfx_sip_udp(f, TS0, true, text);
		assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_ERR_BASE + cases[i].err), 1);
		assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_MSG_UDP), 0);
		assert_int_equal(f->n_ev, 0);
		pfx_free(f);
	}
}

static int group_setup(void **state)
{
	pfx_global_init();
	sip_len = pfx_sip(sip_msg, sizeof(sip_msg), "SIP/2.0 200 OK", "trunc-1@example.com", 1, "OPTIONS", "a1",
			  "b2", NULL, NULL, NULL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncation_sweeps),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_sip_rejects),
		cmocka_unit_test(test_bit_flips),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
