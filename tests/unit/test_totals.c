/*
 * End-of-run totals (render/totals.h) of a small run through the capture
 * pipeline (tests/unit/pipeline_fixture.h): four calls that end by BYE,
 * CANCEL, rejection and the end of the capture, a page-mode MESSAGE, a
 * registration (challenged, then accepted) and a de-registration, an RTP
 * stream, a frame cut inside its IPv4 header and a SIP message without
 * its mandatory headers.
 *
 * The lines users and scripts rely on are checked exactly: frames, SIP
 * messages per transport and rejected, calls by outcome, messages,
 * registrations, RTP, rejected frames; and they must agree with the
 * events the pipeline handed over. The volatile parts (time, rates, peak
 * memory) are only checked to be there. With all_counters, every
 * non-zero counter of the pipeline is listed once as "group:name value",
 * the same lines sl_print_counters writes, and nothing else. Sources: a
 * capture file (its counters under its name) and a live interface (its
 * drop line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/dlt.h>
#include <talloc.h>

#include <osmocom/core/rate_ctr.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/source.h"
#include "render/totals.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define T0 1700000000000000ull
#define SEC 1000000ull

static char buf[4096];

static void req(struct pfx *f, uint64_t ts, const char *start, const char *cid, uint32_t cseq, const char *meth,
		const char *to_tag, const char *extra, const char *ctype, const char *body)
{
	pfx_sip(buf, sizeof(buf), start, cid, cseq, meth, "a1", to_tag, extra, ctype, body);
	pfx_sip_udp(f, ts, true, buf);
}

static void rsp(struct pfx *f, uint64_t ts, const char *status, const char *cid, uint32_t cseq, const char *meth,
		const char *extra, const char *ctype, const char *body)
{
	pfx_sip(buf, sizeof(buf), status, cid, cseq, meth, "a1", "b1", extra, ctype, body);
	pfx_sip_udp(f, ts, false, buf);
}

static void rtp(struct pfx *f, uint64_t ts, uint16_t seq)
{
	static struct pb b;
	uint8_t pkt[12 + 160];

	memset(pkt, 0xd5, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 8;
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[4] = (uint8_t)(seq >> 3);
	pkt[5] = (uint8_t)(seq << 5);
	pkt[8] = 0x11;
	pkt[9] = 0x22;
	pkt[10] = 0x33;
	pkt[11] = 0x44;
	pb_init(&b, pkt, sizeof(pkt));
	pb_udp(&b, 50000, 40000);
	pb_ipv4(&b, PFX_B4, PFX_A4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

/* The run described at the top. */
static void feed_run(struct pfx *f)
{
	static struct pb b;
	char sdp[512];
	uint16_t i;

	/* call 1: answered, media, BYE */
	pfx_sdp(sdp, sizeof(sdp), "192.0.2.1", 40000);
	req(f, T0, "INVITE sip:bob@example.com", "c1", 1, "INVITE", NULL, NULL, "application/sdp", sdp);
	rsp(f, T0 + 1000, "SIP/2.0 180 Ringing", "c1", 1, "INVITE", NULL, NULL, NULL);
	pfx_sdp(sdp, sizeof(sdp), "198.51.100.2", 50000);
	rsp(f, T0 + SEC, "SIP/2.0 200 OK", "c1", 1, "INVITE", NULL, "application/sdp", sdp);
	req(f, T0 + SEC + 1000, "ACK sip:bob@example.com", "c1", 1, "ACK", "b1", NULL, NULL, NULL);
	for (i = 1; i <= 5; i++)
		rtp(f, T0 + SEC + i * 20000, i);
	req(f, T0 + 5 * SEC, "BYE sip:bob@example.com", "c1", 2, "BYE", "b1", NULL, NULL, NULL);
	rsp(f, T0 + 5 * SEC + 1000, "SIP/2.0 200 OK", "c1", 2, "BYE", NULL, NULL, NULL);
	/* call 2: rejected */
	req(f, T0 + 6 * SEC, "INVITE sip:bob@example.com", "c2", 1, "INVITE", NULL, NULL, NULL, NULL);
	rsp(f, T0 + 6 * SEC + 1000, "SIP/2.0 486 Busy Here", "c2", 1, "INVITE", NULL, NULL, NULL);
	/* call 3: cancelled */
	req(f, T0 + 7 * SEC, "INVITE sip:bob@example.com", "c3", 1, "INVITE", NULL, NULL, NULL, NULL);
	rsp(f, T0 + 7 * SEC + 1000, "SIP/2.0 180 Ringing", "c3", 1, "INVITE", NULL, NULL, NULL);
	req(f, T0 + 7 * SEC + 2000, "CANCEL sip:bob@example.com", "c3", 1, "CANCEL", NULL, NULL, NULL, NULL);
	rsp(f, T0 + 7 * SEC + 3000, "SIP/2.0 200 OK", "c3", 1, "CANCEL", NULL, NULL, NULL);
	rsp(f, T0 + 7 * SEC + 4000, "SIP/2.0 487 Request Terminated", "c3", 1, "INVITE", NULL, NULL, NULL);
	/* a page-mode message */
	req(f, T0 + 8 * SEC, "MESSAGE sip:bob@example.com", "m1", 1, "MESSAGE", NULL, NULL, "text/plain", "hi");
	rsp(f, T0 + 8 * SEC + 1000, "SIP/2.0 200 OK", "m1", 1, "MESSAGE", NULL, NULL, NULL);
	/* a REGISTER challenged, then accepted (one registration) */
	req(f, T0 + 9 * SEC, "REGISTER sip:example.com", "r1", 1, "REGISTER", NULL, "Expires: 3600\r\n", NULL, NULL);
	rsp(f, T0 + 9 * SEC + 1000, "SIP/2.0 401 Unauthorized", "r1", 1, "REGISTER", NULL, NULL, NULL);
	req(f, T0 + 9 * SEC + 2000, "REGISTER sip:example.com", "r1", 2, "REGISTER", NULL, "Expires: 3600\r\n", NULL,
	    NULL);
	rsp(f, T0 + 9 * SEC + 3000, "SIP/2.0 200 OK", "r1", 2, "REGISTER", "Expires: 3600\r\n", NULL, NULL);
	/* and a de-registration */
	req(f, T0 + 9 * SEC + 4000, "REGISTER sip:example.com", "r1", 3, "REGISTER", NULL, "Expires: 0\r\n", NULL, NULL);
	rsp(f, T0 + 9 * SEC + 5000, "SIP/2.0 200 OK", "r1", 3, "REGISTER", NULL, NULL, NULL);
	/* a frame cut inside its IPv4 header */
	pb_init(&b, "x", 1);
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, T0 + 10 * SEC, pb_data(&b), 14 + 10);
	/* a SIP request without Call-ID, CSeq, From and To */
	pfx_sip_udp(f, T0 + 10 * SEC + 1000, true, "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n");
	/* call 4: still open when the capture ends */
	req(f, T0 + 11 * SEC, "INVITE sip:bob@example.com", "c4", 1, "INVITE", NULL, NULL, NULL, NULL);
	sl_capture_flush(f->cap);
}

/* Everything written to a FILE, NUL-terminated. */
struct sink {
	char *buf;
	size_t len;
	FILE *f;
};

static void line_of(const char *text, unsigned i, char *out, size_t cap)
{
	const char *p = text, *e;

	while (i--) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	e = strchr(p, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - p) < cap);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

static unsigned count_steps(const struct pfx *f, enum sl_call_step step)
{
	unsigned i, n = 0;

	for (i = 0; i < f->n_ev; i++)
		n += f->ev[i].type == SL_EV_CALL && f->ev[i].call.step == step;
	return n;
}

static unsigned count_end(const struct pfx *f, enum sl_call_end reason)
{
	unsigned i, n = 0;

	for (i = 0; i < f->n_ev; i++)
		n += f->ev[i].type == SL_EV_CALL && f->ev[i].call.step == SL_CALL_END && f->ev[i].call.reason == reason;
	return n;
}

static void test_totals_lines(void **state)
{
	struct pfx *f = pfx_new(NULL);
	struct sl_totals_in in = { .cap = f->cap, .elapsed_s = -1 };
	struct sink k = { 0 };
	char l[512], want[512];
	unsigned frames;

	(void)state;
	feed_run(f);
	frames = (unsigned)f->frame_no;
	k.f = open_memstream(&k.buf, &k.len);
	assert_non_null(k.f);
	sl_print_totals(k.f, &in);
	fclose(k.f);

	/* the events behind the totals */
	assert_int_equal(count_steps(f, SL_CALL_ATTEMPT), 4);
	assert_int_equal(count_steps(f, SL_CALL_RINGING), 2);
	assert_int_equal(count_steps(f, SL_CALL_ANSWER), 1);
	assert_int_equal(count_end(f, SL_END_BYE), 1);
	assert_int_equal(count_end(f, SL_END_CANCEL), 1);
	assert_int_equal(count_end(f, SL_END_REJECTED), 1);
	assert_int_equal(count_end(f, SL_END_CAPTURE_END), 1);
	assert_int_equal(pfx_count(f, SL_EV_MESSAGE), 1);
	assert_int_equal(pfx_count(f, SL_EV_REGISTRATION), 2);
	assert_int_equal(pfx_count(f, SL_EV_RTP_STREAM), 1);

	line_of(k.buf, 0, l, sizeof(l));
	snprintf(want, sizeof(want), "frames         %u (0.0 MB)", frames);
	assert_string_equal(l, want);
	line_of(k.buf, 1, l, sizeof(l));
	/* every frame but the RTP, the cut one and the rejected SIP carried a SIP message */
	snprintf(want, sizeof(want), "sip messages   %u (udp %u, tcp 0, ws 0), rejected 1", frames - 5 - 2, frames - 5 - 2);
	assert_string_equal(l, want);
	line_of(k.buf, 2, l, sizeof(l));
	assert_string_equal(l, "calls          4 attempts, 2 ringing, 1 answered; ended: bye 1, cancel 1, rejected 1, "
			       "timeout 0, evicted 0, open at end 1");
	line_of(k.buf, 3, l, sizeof(l));
	assert_string_equal(l, "messages       1");
	line_of(k.buf, 4, l, sizeof(l));
	assert_string_equal(l, "registrations  2");
	line_of(k.buf, 5, l, sizeof(l));
	assert_string_equal(l, "rtp            5 packets, 0 rtcp, 1 streams");
	line_of(k.buf, 6, l, sizeof(l));
	assert_string_equal(l, "rejected       1 frames (truncated/malformed/unsupported), 0 rtp");
	line_of(k.buf, 7, l, sizeof(l));
	assert_int_equal(strncmp(l, "peak memory    ", 15), 0);
	assert_non_null(strstr(l, " MB"));
	assert_int_equal(strlen(k.buf), strlen(strstr(k.buf, l)) + (size_t)(strstr(k.buf, l) - k.buf));
	assert_int_equal(k.buf[k.len - 1], '\n');
	assert_null(strstr(k.buf, "counters:"));
	free(k.buf);

	/* with a known elapsed time the rates follow on the first line (values not checked) */
	in.elapsed_s = 2.0;
	k.f = open_memstream(&k.buf, &k.len);
	assert_non_null(k.f);
	sl_print_totals(k.f, &in);
	fclose(k.f);
	line_of(k.buf, 0, l, sizeof(l));
	snprintf(want, sizeof(want), "frames         %u (0.0 MB) in 2.00 s, ", frames);
	assert_int_equal(strncmp(l, want, strlen(want)), 0);
	assert_non_null(strstr(l, " frames/s, "));
	assert_non_null(strstr(l, " MB/s"));
	line_of(k.buf, 2, l, sizeof(l));
	assert_int_equal(strncmp(l, "calls          4 attempts", 25), 0);
	free(k.buf);
	pfx_free(f);
}

static void test_counters(void **state)
{
	struct pfx *f = pfx_new(NULL);
	struct sl_totals_in in = { .cap = f->cap, .elapsed_s = -1, .all_counters = true };
	struct sink k = { 0 }, c = { 0 };
	const char *list;
	unsigned g, i, nonzero = 0, lines = 0;
	char want[256];

	(void)state;
	feed_run(f);
	k.f = open_memstream(&k.buf, &k.len);
	assert_non_null(k.f);
	sl_print_totals(k.f, &in);
	fclose(k.f);
	c.f = open_memstream(&c.buf, &c.len);
	assert_non_null(c.f);
	sl_print_counters(c.f, &in);
	fclose(c.f);

	list = strstr(k.buf, "\ncounters:\n");
	assert_non_null(list);
	list += strlen("\ncounters:\n");
	assert_string_equal(list, c.buf);
	for (g = 0; g < _SL_CG_COUNT; g++) {
		struct rate_ctr_group *grp = sl_capture_ctrs(f->cap, (enum sl_capture_ctr_group)g);

		for (i = 0; i < grp->desc->num_ctr; i++) {
			int64_t v = rate_ctr_group_get_ctr(grp, i)->current;

			snprintf(want, sizeof(want), "  %s:%s %" PRId64 "\n", grp->desc->group_name_prefix,
				 grp->desc->ctr_desc[i].name, v);
			if (v) {
				nonzero++;
				assert_non_null(strstr(c.buf, want));
			} else {
				assert_null(strstr(c.buf, want));
			}
		}
	}
	for (i = 0; c.buf[i]; i++)
		lines += c.buf[i] == '\n';
	assert_int_equal(lines, nonzero);
	assert_non_null(strstr(c.buf, "  decode:frames "));
	assert_non_null(strstr(c.buf, "  decode:ipv4:truncated 1\n"));
	assert_non_null(strstr(c.buf, "  sip:messages:udp "));
	free(k.buf);
	free(c.buf);
	pfx_free(f);
}

/* Nothing read at all: every line says 0 (elapsed 0: no rates). */
static void test_empty_run(void **state)
{
	static const char empty[] = "frames         0 (0.0 MB)\n"
				    "sip messages   0 (udp 0, tcp 0, ws 0), rejected 0\n"
				    "calls          0 attempts, 0 ringing, 0 answered; ended: bye 0, cancel 0, rejected 0, "
				    "timeout 0, evicted 0, open at end 0\n"
				    "messages       0\n"
				    "registrations  0\n"
				    "rtp            0 packets, 0 rtcp, 0 streams\n"
				    "rejected       0 frames (truncated/malformed/unsupported), 0 rtp\n"
				    "peak memory    ";
	struct pfx *f = pfx_new(NULL);
	struct sl_totals_in in = { .cap = f->cap, .elapsed_s = 0, .all_counters = true };
	struct sink k = { 0 };

	(void)state;
	k.f = open_memstream(&k.buf, &k.len);
	assert_non_null(k.f);
	sl_print_totals(k.f, &in);
	fclose(k.f);
	assert_true(k.len > strlen(empty));
	assert_memory_equal(k.buf, empty, strlen(empty));
	/* no counter is non-zero: the list is empty */
	assert_non_null(strstr(k.buf, "\ncounters:\n"));
	assert_string_equal(strstr(k.buf, "\ncounters:\n"), "\ncounters:\n");
	assert_true(sl_peak_rss() > 0);
	free(k.buf);
	pfx_free(f);
}

/* A TCP SIP message too large to frame is a rejected message in the totals, as a parser rejection is. */
static void test_stream_oversize_rejected(void **state)
{
	static struct pb b;
	static char big[6000];
	struct sl_capture_cfg cfg;
	struct pfx *f;
	struct sl_totals_in in = { .elapsed_s = 0 };
	struct sink k = { 0 };
	size_t n;

	(void)state;
	sl_capture_cfg_default(&cfg);
	cfg.max_sip_message = 4096;
	f = pfx_new(&cfg);
	n = (size_t)snprintf(big, sizeof(big), "INVITE sip:bob@example.com SIP/2.0\r\nX-Long: ");
	memset(big + n, 'x', sizeof(big) - n);
	pb_init(&b, big, sizeof(big));
	pb_tcp(&b, 40000, 5060, 1000, 0x18);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, T0, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_STREAM_OVERSIZE), 1);
	in.cap = f->cap;
	k.f = open_memstream(&k.buf, &k.len);
	assert_non_null(k.f);
	sl_print_totals(k.f, &in);
	fclose(k.f);
	assert_non_null(strstr(k.buf, "sip messages   0 (udp 0, tcp 0, ws 0), rejected 1\n"));
	free(k.buf);
	pfx_free(f);
}

static void le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	assert_int_equal(fwrite(b, 1, 4, f), 4);
}

/* One SIP message over UDP/IPv4/Ethernet as a pcap record. */
static void pcap_sip(FILE *f, uint32_t sec, bool a_to_b, const char *text)
{
	static struct pb b;

	pb_init(&b, text, strlen(text));
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, a_to_b ? PFX_A4 : PFX_B4, a_to_b ? PFX_B4 : PFX_A4);
	pb_eth(&b);
	le32(f, sec);
	le32(f, 0);
	le32(f, (uint32_t)pb_len(&b));
	le32(f, (uint32_t)pb_len(&b));
	assert_int_equal(fwrite(pb_data(&b), 1, pb_len(&b), f), pb_len(&b));
}

/*
 * Sources: a capture file read with sl_source_read (its counters are
 * listed under its name) and a live interface (its drop line), the latter
 * a struct sl_source filled in by hand with a counter group of its own.
 */
static void test_sources(void **state)
{
	static const char head[] = "frames         3 (0.0 MB)\n"
				   "sip messages   3 (udp 3, tcp 0, ws 0), rejected 0\n"
				   "calls          1 attempts, 1 ringing, 0 answered; ended: bye 0, cancel 0, rejected 1, "
				   "timeout 0, evicted 0, open at end 0\n";
	static const uint8_t pcap_head[] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	struct pfx *f = pfx_new(NULL);
	struct sl_source_cfg scfg;
	struct sl_source *file, live, *src[2];
	struct sl_totals_in in = { .cap = f->cap, .src = src, .n_src = 2, .elapsed_s = -1, .all_counters = true };
	struct sl_frame fr;
	struct sink k = { 0 };
	char path[256], err[256], want[512];
	const char *tmp = getenv("TMPDIR");
	FILE *pf;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/test_totals.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	pf = fdopen(fd, "wb");
	assert_non_null(pf);
	assert_int_equal(fwrite(pcap_head, 1, sizeof(pcap_head), pf), sizeof(pcap_head));
	pfx_sip(buf, sizeof(buf), "INVITE sip:bob@example.com", "f1", 1, "INVITE", "a1", NULL, NULL, NULL, NULL);
	pcap_sip(pf, 1700000000, true, buf);
	pfx_sip(buf, sizeof(buf), "SIP/2.0 180 Ringing", "f1", 1, "INVITE", "a1", "b1", NULL, NULL, NULL);
	pcap_sip(pf, 1700000001, false, buf);
	pfx_sip(buf, sizeof(buf), "SIP/2.0 486 Busy Here", "f1", 1, "INVITE", "a1", "b1", NULL, NULL, NULL);
	pcap_sip(pf, 1700000002, false, buf);
	assert_int_equal(fclose(pf), 0);

	sl_source_cfg_default(&scfg);
	scfg.name = path;
	file = sl_source_open(f->ctx, &scfg, 0, err, sizeof(err));
	if (!file)
		print_error("%s\n", err);
	assert_non_null(file);
	while (sl_source_read(file, &fr) == SL_SOURCE_FRAME)
		sl_capture_frame(f->cap, &fr);
	sl_capture_flush(f->cap);

	memset(&live, 0, sizeof(live));
	live.name = (char *)"eth9";
	live.live = true;
	live.ctrs = rate_ctr_group_alloc(f->ctx, &sl_source_ctrg_desc, 99);
	assert_non_null(live.ctrs);
	rate_ctr_add(rate_ctr_group_get_ctr(live.ctrs, SL_SRC_CTR_KERNEL_DROPS), 3);
	rate_ctr_add(rate_ctr_group_get_ctr(live.ctrs, SL_SRC_CTR_IF_DROPS), 1);
	src[0] = file;
	src[1] = &live;

	k.f = open_memstream(&k.buf, &k.len);
	assert_non_null(k.f);
	sl_print_totals(k.f, &in);
	fclose(k.f);
	assert_int_equal(strncmp(k.buf, head, strlen(head)), 0);
	/* a drop line for the live source only */
	assert_non_null(strstr(k.buf, "\nsource eth9    drops: kernel 3, interface 1\npeak memory    "));
	assert_null(strstr(k.buf, "\nsource /"));
	/* the file's own counters under its name, and the live one's */
	snprintf(want, sizeof(want), "\n  source[%s]:frames 3\n", path);
	assert_non_null(strstr(k.buf, want));
	assert_non_null(strstr(k.buf, "\n  source[eth9]:drops:kernel 3\n  source[eth9]:drops:interface 1\n"));
	free(k.buf);

	rate_ctr_group_free(live.ctrs);
	sl_source_close(file);
	unlink(path);
	pfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals_lines),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_empty_run),
		cmocka_unit_test(test_stream_oversize_rejected),
		cmocka_unit_test(test_sources),
	};

	pfx_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
