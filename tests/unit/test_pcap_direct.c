/*
 * Unit tests for capture/pcap_direct.c, the classic pcap reader in blocks
 * (pcap-savefile(5)). Every file is written to a temporary directory and
 * read through libpcap and by the reader, twice (its 1 MiB buffer, and a
 * 64-byte one that records cross and make grow), and they must agree
 * record for record: time stamps, caplen, len, bytes, where and how reading
 * stops (end or error), the error message and the file position after it.
 * Beyond agreeing, the expected results are spelled out: the four classic
 * magics (microseconds and nanoseconds, both byte orders) and their time
 * stamps; a small file cut at every length (complete records, then an error
 * for a partial record header or partial data, or the end exactly at a
 * record boundary); each record header field out of range (caplen above
 * libpcap's maximum, above the snapshot length, zero, len below caplen,
 * fractions of a second out of range, negative seconds); random bytes after
 * a valid file header. Files the reader must leave to libpcap (pcapng, the
 * modified magic, version 2.3, a USB link type, a FIFO, standard input) are
 * declined. A source opened on a truncated file reports the error as it
 * does for libpcap's, and counts it. Files changed by another process while
 * they are read: a file of 3 MiB truncated after some records were read
 * (beyond both readers' buffers: the same records, the same error; to
 * nothing: the records already in the buffer, then the end or the error,
 * and no crash, where the mmap reader this one replaced died of SIGBUS),
 * through a source too (the error counted); records appended after open
 * are read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/rate_ctr.h>
#include <talloc.h>

#include "capture/pcap_direct.h"
#include "capture/source.h"

#include "tests/unit/parser_test_util.h"

static char dir[64];
static char path[128];

/* --- building files ------------------------------------------------------ */

struct buf {
	uint8_t b[4096];
	size_t n;
	bool be;
};

static void put32(struct buf *f, uint32_t v)
{
	uint8_t *p = f->b + f->n;

	assert_true(f->n + 4 <= sizeof(f->b));
	if (f->be) {
		p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
	} else {
		p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
	}
	f->n += 4;
}

static void put16(struct buf *f, uint16_t v)
{
	uint8_t *p = f->b + f->n;

	if (f->be)
		p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
	else
		p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
	f->n += 2;
}

static void file_header(struct buf *f, bool be, uint32_t magic, uint16_t minor, uint32_t snaplen, uint32_t linktype)
{
	memset(f, 0, sizeof(*f));
	f->be = be;
	put32(f, magic);
	put16(f, 2);
	put16(f, minor);
	put32(f, 0);
	put32(f, 0);
	put32(f, snaplen);
	put32(f, linktype);
}

/* A record of n bytes (a counting pattern from seed) with the given header fields. */
static void record(struct buf *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, size_t n, uint8_t seed)
{
	size_t i;

	put32(f, sec);
	put32(f, frac);
	put32(f, caplen);
	put32(f, len);
	assert_true(f->n + n <= sizeof(f->b));
	for (i = 0; i < n; i++)
		f->b[f->n++] = (uint8_t)(seed + i);
}

static void write_file(const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* --- reading both ways ----------------------------------------------------- */

struct outcome {
	bool opened;		/* libpcap opened the file */
	bool taken;		/* the reader took it */
	unsigned frames;
	int rc;			/* the last result: PCAP_ERROR_BREAK or PCAP_ERROR */
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr first;
};

/* Read path through libpcap and by the reader with a first buffer of bufsize; fail on any difference. */
static struct outcome read_both_buf(size_t bufsize)
{
	char err[PCAP_ERRBUF_SIZE];
	struct outcome o = { 0 };
	struct sl_pcap_direct r;
	const char *why = NULL;
	pcap_t *p1, *p2;

	p1 = pcap_open_offline(path, err);
	if (!p1)
		return o;
	o.opened = true;
	p2 = pcap_open_offline(path, err);
	assert_non_null(p2);
	o.taken = sl_pcap_direct_open_buf(&r, p2, path, bufsize, &why);
	if (!o.taken) {
		assert_non_null(why);
		pcap_close(p1);
		pcap_close(p2);
		return o;
	}
	for (;;) {
		struct pcap_pkthdr *h1, *h2;
		const u_char *d1, *d2;
		int rc1 = pcap_next_ex(p1, &h1, &d1);
		int rc2 = sl_pcap_direct_next(&r, &h2, &d2);

		assert_int_equal(rc1, rc2);
		if (rc1 != 1) {
			o.rc = rc1;
			if (rc1 == PCAP_ERROR) {
				assert_string_equal(pcap_geterr(p1), r.errbuf);
				snprintf(o.err, sizeof(o.err), "%s", r.errbuf);
			}
			assert_int_equal(ftell(pcap_file(p1)), (long)sl_pcap_direct_pos(&r));
			break;
		}
		assert_int_equal(h1->ts.tv_sec, h2->ts.tv_sec);
		assert_int_equal(h1->ts.tv_usec, h2->ts.tv_usec);
		assert_int_equal(h1->caplen, h2->caplen);
		assert_int_equal(h1->len, h2->len);
		assert_memory_equal(d1, d2, h1->caplen);
		if (!o.frames)
			o.first = *h2;
		o.frames++;
	}
	sl_pcap_direct_close(&r);
	pcap_close(p1);
	pcap_close(p2);
	return o;
}

/* read_both_buf with the default buffer and with a 64-byte one: the same outcome. */
static struct outcome read_both(void)
{
	struct outcome o = read_both_buf(SL_PCAP_DIRECT_BUF_SIZE), small = read_both_buf(64);

	assert_int_equal(o.opened, small.opened);
	assert_int_equal(o.taken, small.taken);
	assert_int_equal(o.frames, small.frames);
	assert_int_equal(o.rc, small.rc);
	assert_string_equal(o.err, small.err);
	return o;
}

static struct outcome read_buf(const struct buf *f)
{
	write_file(f->b, f->n);
	return read_both();
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/test_pcap_direct.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/f.pcap", dir);
	return 0;
}

static int group_teardown(void **state)
{
	char fifo[160];

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	unlink(fifo);
	unlink(path);
	return rmdir(dir);
}

/* --- tests ------------------------------------------------------------------- */

static void test_magics(void **state)
{
	static const struct {
		bool be;
		uint32_t magic;
		uint32_t frac;
		long usec;
	} cases[] = {
		{ false, 0xa1b2c3d4, 123456, 123456 },
		{ true, 0xa1b2c3d4, 123456, 123456 },
		{ false, 0xa1b23c4d, 123456789, 123456 },
		{ true, 0xa1b23c4d, 999999999, 999999 },
	};
	struct buf f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct outcome o;

		file_header(&f, cases[i].be, cases[i].magic, 4, 65535, DLT_EN10MB);
		record(&f, 1700000000, cases[i].frac, 60, 60, 60, 1);
		record(&f, 1700000001, 0, 20, 1514, 20, 2);
		o = read_buf(&f);
		assert_true(o.taken);
		assert_int_equal(o.frames, 2);
		assert_int_equal(o.rc, PCAP_ERROR_BREAK);
		assert_int_equal(o.first.ts.tv_sec, 1700000000);
		assert_int_equal(o.first.ts.tv_usec, cases[i].usec);
		assert_int_equal(o.first.caplen, 60);
	}
}

/* Three records cut at every length: complete records, then the end or libpcap's error. */
static void test_truncation(void **state)
{
	struct buf f;
	size_t len, bounds[4];
	unsigned i;

	(void)state;
	file_header(&f, false, 0xa1b2c3d4, 4, 65535, DLT_EN10MB);
	bounds[0] = f.n;
	record(&f, 1, 2, 40, 40, 40, 1);
	bounds[1] = f.n;
	record(&f, 3, 4, 0, 0, 0, 2);
	bounds[2] = f.n;
	record(&f, 5, 6, 33, 90, 33, 3);
	bounds[3] = f.n;
	for (len = 0; len <= f.n; len++) {
		struct outcome o;
		unsigned complete = 0;
		char want[PCAP_ERRBUF_SIZE];

		write_file(f.b, len);
		o = read_both();
		if (len < 24) {
			assert_false(o.opened);
			continue;
		}
		assert_true(o.taken);
		for (i = 1; i < 4; i++)
			if (len >= bounds[i])
				complete = i;
		assert_int_equal(o.frames, complete);
		if (complete == 3 || len == bounds[complete]) {
			assert_int_equal(o.rc, PCAP_ERROR_BREAK);
			continue;
		}
		assert_int_equal(o.rc, PCAP_ERROR);
		if (len - bounds[complete] < 16)
			snprintf(want, sizeof(want), "truncated dump file; tried to read 16 header bytes, only got %zu",
				 len - bounds[complete]);
		else
			snprintf(want, sizeof(want), "truncated dump file; tried to read %u captured bytes, only got %zu",
				 complete == 0 ? 40u : 33u, len - bounds[complete] - 16);
		assert_string_equal(o.err, want);
	}
}

static void test_fields(void **state)
{
	struct buf f;
	struct outcome o;

	(void)state;
	/* caplen above libpcap's maximum: an error after the record header */
	file_header(&f, false, 0xa1b2c3d4, 4, 0, DLT_EN10MB);
	record(&f, 1, 2, 262145, 262145, 8, 1);
	o = read_buf(&f);
	assert_true(o.taken);
	assert_int_equal(o.frames, 0);
	assert_string_equal(o.err, "invalid packet capture length 262145, bigger than snaplen of 262144");
	file_header(&f, true, 0xa1b2c3d4, 4, 100, DLT_LINUX_SLL);
	record(&f, 1, 2, 60, 60, 60, 1);
	record(&f, 1, 2, 0xffffffff, 0, 8, 1);
	o = read_buf(&f);
	assert_int_equal(o.frames, 1);
	assert_string_equal(o.err, "invalid packet capture length 4294967295, bigger than snaplen of 100");

	/* caplen above the snapshot length: cut to it, the rest skipped */
	file_header(&f, false, 0xa1b2c3d4, 4, 40, DLT_RAW);
	record(&f, 1, 2, 60, 60, 60, 1);
	record(&f, 3, 4, 10, 10, 10, 2);
	o = read_buf(&f);
	assert_int_equal(o.frames, 2);
	assert_int_equal(o.first.caplen, 40);
	assert_int_equal(o.first.len, 60);
	assert_int_equal(o.rc, PCAP_ERROR_BREAK);
	/* ... and cut short inside the snapshot length, or after it */
	file_header(&f, false, 0xa1b2c3d4, 4, 40, DLT_RAW);
	record(&f, 1, 2, 60, 60, 30, 1);
	o = read_buf(&f);
	assert_string_equal(o.err, "truncated dump file; tried to read 40 captured bytes, only got 30");
	file_header(&f, false, 0xa1b2c3d4, 4, 40, DLT_RAW);
	record(&f, 1, 2, 60, 60, 50, 1);
	o = read_buf(&f);
	assert_string_equal(o.err, "truncated dump file; tried to read 60 captured bytes, only got 50");

	/* len below caplen, zero lengths, fractions out of range, negative seconds: handed on as they are */
	file_header(&f, false, 0xa1b2c3d4, 4, 65535, DLT_NULL);
	record(&f, 0xfffffffb, 0xfffffffd, 10, 4, 10, 1);
	record(&f, 1, 1000000, 0, 0, 0, 2);
	record(&f, 2, 0x7fffffff, 5, 0xffffffff, 5, 3);
	o = read_buf(&f);
	assert_int_equal(o.frames, 3);
	assert_int_equal(o.first.ts.tv_sec, -5);
	assert_int_equal(o.first.ts.tv_usec, -3);
	assert_int_equal(o.first.len, 4);
	/* the same in the other byte order: libpcap's swapped fields are unsigned */
	file_header(&f, true, 0xa1b23c4d, 4, 65535, DLT_LOOP);
	record(&f, 0xfffffffb, 0xfffffffd, 10, 4, 10, 1);
	o = read_buf(&f);
	assert_int_equal(o.frames, 1);
	assert_int_equal(o.first.ts.tv_sec, 4294967291);
	assert_int_equal(o.first.ts.tv_usec, 4294967);
}

static void test_garbage(void **state)
{
	struct buf f;
	unsigned iter;
	size_t i, n;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15u;
	for (iter = 0; iter < 3000; iter++) {
		struct outcome o;

		file_header(&f, iter & 1, iter & 2 ? 0xa1b23c4d : 0xa1b2c3d4, 4, (uint32_t)(rng() % 300), DLT_EN10MB);
		n = (size_t)(rng() % 400);
		for (i = 0; i < n; i++)
			f.b[f.n++] = (uint8_t)(rng() % 4 == 0 ? rng() : rng() % 8);
		o = read_buf(&f);
		assert_true(o.taken);
	}
}

static void test_declined(void **state)
{
	static const uint8_t pcapng[] = { 0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0,
					  /* an interface description block: Ethernet, snaplen 65535 */
					  1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0, 0, 20, 0, 0, 0 };
	char err[PCAP_ERRBUF_SIZE], fifo[160];
	struct sl_pcap_direct r;
	const char *why;
	struct buf f;
	struct outcome o;
	pcap_t *p;
	pid_t pid;

	(void)state;
	write_file(pcapng, sizeof(pcapng));
	o = read_both();
	assert_true(o.opened);
	assert_false(o.taken);
	file_header(&f, false, 0xa1b2cd34, 4, 65535, DLT_EN10MB); /* modified (Kuznetzov) magic */
	record(&f, 1, 2, 4, 4, 4, 1);
	memset(f.b + f.n, 0, 8);
	f.n += 8;
	o = read_buf(&f);
	assert_true(o.opened);
	assert_false(o.taken);
	file_header(&f, false, 0xa1b2c3d4, 3, 65535, DLT_EN10MB);
	o = read_buf(&f);
	assert_true(o.opened);
	assert_false(o.taken);
	file_header(&f, false, 0xa1b2c3d4, 4, 65535, 189); /* LINKTYPE_USB_LINUX: libpcap rewrites its headers */
	o = read_buf(&f);
	assert_true(o.opened);
	assert_false(o.taken);

	/* a pipe and standard input stay on libpcap */
	file_header(&f, false, 0xa1b2c3d4, 4, 65535, DLT_EN10MB);
	write_file(f.b, f.n);
	p = pcap_open_offline(path, err);
	assert_non_null(p);
	why = NULL;
	assert_false(sl_pcap_direct_open(&r, p, "-", &why));
	assert_non_null(why);
	pcap_close(p);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *w = fopen(fifo, "wb");

		if (w) {
			fwrite(f.b, 1, f.n, w);
			fclose(w);
		}
		_exit(0);
	}
	p = pcap_open_offline(fifo, err);
	assert_non_null(p);
	why = NULL;
	assert_false(sl_pcap_direct_open(&r, p, fifo, &why));
	assert_string_equal(why, "not a regular file");
	pcap_close(p);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* A source over the reader reports a read error the way it reports libpcap's, and counts it. */
static void test_source_error(void **state)
{
	struct fixture *fx = *state;
	struct sl_source_cfg cfg;
	struct sl_source *s;
	struct sl_frame fr;
	struct buf f;
	char err[256], want[512];

	file_header(&f, false, 0xa1b2c3d4, 4, 65535, DLT_EN10MB);
	record(&f, 1700000000, 5, 20, 20, 20, 1);
	record(&f, 1700000001, 6, 60, 60, 24, 2);
	write_file(f.b, f.n);
	sl_source_cfg_default(&cfg);
	cfg.name = path;
	s = sl_source_open(fx->ctx, &cfg, 0, err, sizeof(err));
	assert_non_null(s);
	assert_true(s->direct);
	assert_int_equal(sl_source_read(s, &fr), SL_SOURCE_FRAME);
	assert_int_equal(fr.ts_us, 1700000000000005ull);
	assert_int_equal(fr.caplen, 20);
	assert_int_equal(fr.number, 1);
	assert_int_equal(sl_source_position(s), 60);
	assert_int_equal(sl_source_read(s, &fr), SL_SOURCE_ERROR);
	snprintf(want, sizeof(want),
		 "%s: read error after frame 1 (offset 100): truncated dump file; tried to read 60 captured bytes, only got 24",
		 path);
	assert_string_equal(s->error, want);
	assert_int_equal(rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_READ_ERRORS)->current, 1);
	assert_int_equal(sl_source_read(s, &fr), SL_SOURCE_END);
	sl_source_close(s);
}

/* --- files changed while they are read ------------------------------------- */

#define BIG_RECORDS 3000

/* Record i's captured length: 700 to 1599 bytes, so records cross every buffer boundary somewhere. */
static uint32_t big_caplen(unsigned i)
{
	return 700 + (i * 37) % 900;
}

/*
 * Writes a 3 MiB file of BIG_RECORDS Ethernet records; ends[i] is the file
 * offset after record i.
 */
static void write_big(size_t *ends)
{
	static uint8_t rec[16 + 1600];
	struct buf f;
	size_t off;
	unsigned i;
	FILE *fp;

	file_header(&f, false, 0xa1b2c3d4, 4, 65535, DLT_EN10MB);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(f.b, 1, f.n, fp), f.n);
	off = f.n;
	for (i = 0; i < BIG_RECORDS; i++) {
		uint32_t caplen = big_caplen(i), hdr[4] = { 1700000000 + i, i, caplen, caplen };

		memcpy(rec, hdr, 16); /* host order, as the magic was written little-endian on a little-endian host */
		memset(rec + 16, (int)(i & 0xff), caplen);
		assert_int_equal(fwrite(rec, 1, 16 + caplen, fp), 16 + caplen);
		off += 16 + caplen;
		ends[i] = off;
	}
	assert_int_equal(fclose(fp), 0);
}

static void truncate_to(off_t len)
{
	FILE *fp = fopen(path, "r+b");

	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), len), 0);
	assert_int_equal(fclose(fp), 0);
}

/*
 * Truncated by another process after 100 records were read, to a length
 * beyond what either reader has buffered (libpcap's stdio buffer, this
 * reader's 1 MiB): the same records to the new end, then the same stop
 * (the end at a record boundary, else libpcap's error), the same position.
 */
static void test_truncated_while_read(void **state)
{
	static size_t ends[BIG_RECORDS];
	const off_t cuts[2] = { 2500000, 0 };
	unsigned c;

	(void)state;
	for (c = 0; c < 2; c++) {
		char err[PCAP_ERRBUF_SIZE];
		struct sl_pcap_direct r;
		const char *why = NULL;
		unsigned frames = 0;
		pcap_t *p1, *p2;
		off_t cut;

		write_big(ends);
		cut = cuts[c] ? cuts[c] : (off_t)ends[1999]; /* mid-record, then at a record boundary */
		p1 = pcap_open_offline(path, err);
		p2 = pcap_open_offline(path, err);
		assert_non_null(p1);
		assert_non_null(p2);
		assert_true(sl_pcap_direct_open(&r, p2, path, &why));
		for (;;) {
			struct pcap_pkthdr *h1, *h2;
			const u_char *d1, *d2;
			int rc1, rc2;

			if (frames == 100)
				truncate_to(cut);
			rc1 = pcap_next_ex(p1, &h1, &d1);
			rc2 = sl_pcap_direct_next(&r, &h2, &d2);
			assert_int_equal(rc1, rc2);
			if (rc1 != 1) {
				if (c == 0) {
					assert_int_equal(rc1, PCAP_ERROR);
					assert_string_equal(pcap_geterr(p1), r.errbuf);
					assert_non_null(strstr(r.errbuf, "truncated dump file"));
				} else {
					assert_int_equal(rc1, PCAP_ERROR_BREAK);
				}
				assert_int_equal(ftell(pcap_file(p1)), (long)sl_pcap_direct_pos(&r));
				assert_int_equal(sl_pcap_direct_pos(&r), (uint64_t)cut);
				break;
			}
			assert_int_equal(h1->caplen, h2->caplen);
			assert_int_equal(h1->ts.tv_usec, h2->ts.tv_usec);
			assert_memory_equal(d1, d2, h1->caplen);
			frames++;
		}
		/* the records wholly before the cut */
		assert_true(frames > 100);
		assert_true(ends[frames - 1] <= (size_t)cut);
		assert_true(frames == BIG_RECORDS || ends[frames] > (size_t)cut);
		sl_pcap_direct_close(&r);
		pcap_close(p1);
		pcap_close(p2);
	}
}

/*
 * Truncated to nothing after 100 records: the reader gives the records it
 * had already read into its buffer (the first 1 MiB after the file
 * header), then stops the way libpcap stops on a short file: an error for
 * the record its buffer ends inside, and no crash.
 */
static void test_truncated_to_nothing(void **state)
{
	static size_t ends[BIG_RECORDS];
	char err[PCAP_ERRBUF_SIZE];
	struct sl_pcap_direct r;
	struct pcap_pkthdr *h;
	const u_char *d;
	const char *why = NULL;
	unsigned frames = 0, buffered = 0;
	pcap_t *p;
	int rc;

	(void)state;
	write_big(ends);
	while (ends[buffered] <= 24 + SL_PCAP_DIRECT_BUF_SIZE)
		buffered++;
	assert_true(ends[buffered - 1] < 24 + SL_PCAP_DIRECT_BUF_SIZE); /* the buffer ends inside a record */
	p = pcap_open_offline(path, err);
	assert_non_null(p);
	assert_true(sl_pcap_direct_open(&r, p, path, &why));
	while ((rc = sl_pcap_direct_next(&r, &h, &d)) == 1) {
		assert_int_equal(h->caplen, big_caplen(frames));
		if (++frames == 100)
			truncate_to(0);
	}
	assert_int_equal(rc, PCAP_ERROR);
	assert_int_equal(frames, buffered);
	assert_non_null(strstr(r.errbuf, "truncated dump file; tried to read"));
	sl_pcap_direct_close(&r);
	pcap_close(p);
}

/* The same through a source: it stops with the error, counted and reported, and then at the end. */
static void test_source_truncated(void **state)
{
	static size_t ends[BIG_RECORDS];
	struct fixture *fx = *state;
	struct sl_source_cfg cfg;
	struct sl_source *s;
	struct sl_frame fr;
	enum sl_source_rc rc;
	char err[256];
	unsigned frames = 0;

	write_big(ends);
	sl_source_cfg_default(&cfg);
	cfg.name = path;
	s = sl_source_open(fx->ctx, &cfg, 0, err, sizeof(err));
	assert_non_null(s);
	assert_true(s->direct);
	while ((rc = sl_source_read(s, &fr)) == SL_SOURCE_FRAME) {
		assert_int_equal(fr.caplen, big_caplen(frames));
		if (++frames == 100)
			truncate_to(2500000);
	}
	assert_int_equal(rc, SL_SOURCE_ERROR);
	assert_true(ends[frames - 1] <= 2500000 && ends[frames] > 2500000);
	assert_non_null(strstr(s->error, "read error after frame"));
	assert_non_null(strstr(s->error, "truncated dump file; tried to read"));
	assert_int_equal(rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_READ_ERRORS)->current, 1);
	assert_int_equal(sl_source_read(s, &fr), SL_SOURCE_END);
	sl_source_close(s);
}

/*
 * Records appended after open are read: the reader asks the file for more
 * each time its buffer runs out, as libpcap's stdio does, so both give the
 * three records written before open, the two appended after the first was
 * read, and stop at the same short record (a writer that has not finished
 * it). With either buffer size.
 */
static void test_grows(void **state)
{
	size_t bufsizes[2] = { SL_PCAP_DIRECT_BUF_SIZE, 64 }, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		char err[PCAP_ERRBUF_SIZE];
		struct sl_pcap_direct r;
		const char *why = NULL;
		unsigned frames = 0;
		struct buf f, more;
		pcap_t *p1, *p2;
		FILE *fp;

		file_header(&f, false, 0xa1b2c3d4, 4, 65535, DLT_EN10MB);
		record(&f, 1, 0, 100, 100, 100, 1);
		record(&f, 2, 0, 40, 40, 40, 2);
		record(&f, 3, 0, 70, 70, 70, 3);
		write_file(f.b, f.n);
		p1 = pcap_open_offline(path, err);
		p2 = pcap_open_offline(path, err);
		assert_non_null(p1);
		assert_non_null(p2);
		assert_true(sl_pcap_direct_open_buf(&r, p2, path, bufsizes[k], &why));
		for (;;) {
			struct pcap_pkthdr *h1, *h2;
			const u_char *d1, *d2;
			int rc1, rc2;

			rc1 = pcap_next_ex(p1, &h1, &d1);
			rc2 = sl_pcap_direct_next(&r, &h2, &d2);
			assert_int_equal(rc1, rc2);
			if (rc1 != 1) {
				assert_int_equal(rc1, PCAP_ERROR);
				assert_string_equal(pcap_geterr(p1), r.errbuf);
				assert_string_equal(r.errbuf, "truncated dump file; tried to read 300 captured bytes, only got 10");
				break;
			}
			assert_int_equal(h1->ts.tv_sec, h2->ts.tv_sec);
			assert_int_equal(h1->caplen, h2->caplen);
			assert_memory_equal(d1, d2, h1->caplen);
			if (++frames == 1) {
				memset(&more, 0, sizeof(more));
				record(&more, 4, 0, 200, 200, 200, 4);
				record(&more, 5, 0, 20, 20, 20, 5);
				record(&more, 6, 0, 300, 300, 10, 6);
				fp = fopen(path, "ab");
				assert_non_null(fp);
				assert_int_equal(fwrite(more.b, 1, more.n, fp), more.n);
				assert_int_equal(fclose(fp), 0);
			}
		}
		assert_int_equal(frames, 5);
		sl_pcap_direct_close(&r);
		pcap_close(p1);
		pcap_close(p2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magics),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_declined),
		cmocka_unit_test_setup_teardown(test_source_error, setup, teardown),
		cmocka_unit_test(test_truncated_while_read),
		cmocka_unit_test(test_truncated_to_nothing),
		cmocka_unit_test_setup_teardown(test_source_truncated, setup, teardown),
		cmocka_unit_test(test_grows),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
