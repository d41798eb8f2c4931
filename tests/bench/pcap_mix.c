/*
 * pcap_mix: the benchmark's real-capture mix.
 *
 * The generator's capture is regular by construction; real mirror-port
 * traffic is not (long header sets, P-Asserted-Identity, Via stacks, SIP
 * over TCP cut anywhere, ERSPAN, Linux cooked captures, unrelated noise).
 * `make bench` therefore also measures sluice on public captures: this
 * program reads the given files (pcap or pcapng, through libpcap), keeps
 * them in memory and writes them again and again into one classic pcap
 * (Ethernet, microsecond stamps) until it holds at least --frames frames.
 *
 * Each copy of a file is shifted in time: the files follow each other, each
 * starting --gap seconds after the previous one ended, and every round
 * starts after the last one, so stamps keep increasing across copies (a
 * file's own order is kept, out-of-order stamps included) and state left
 * open by one copy has timed out long before the next copy of the same
 * flow starts. A jump of more than an hour between two frames of one file
 * (one public capture has stamps years apart) is shortened to an hour, so
 * a million frames stay within the classic format's 32-bit seconds.
 * Linux cooked frames (SLL, SLL2) become Ethernet frames with
 * the same EtherType and payload; files of any other link type are skipped
 * with a note on stderr. The bytes are otherwise untouched.
 *
 * Usage: pcap_mix --out FILE.pcap --frames N [--gap S] [--start EPOCH] IN...
 * On stdout: "frames N files F rounds R".
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define MAX_JUMP_US (3600LL * 1000000)

struct frame {
	int64_t ts_us;	/* relative to the file's first frame */
	uint32_t len;	/* original length */
	uint32_t caplen;
	uint8_t *data;
};

struct file {
	struct frame *frames;
	size_t n, cap;
	int64_t span_us;	/* last stamp minus first (largest, if out of order) */
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/* Rewrite a cooked header into an Ethernet one. Returns the new buffer
 * (malloc'ed) and its length in *out_len, or NULL when the frame is too
 * short to hold the cooked header (the frame is then dropped). */
static uint8_t *cooked_to_ether(int dlt, const uint8_t *p, uint32_t caplen, uint32_t *out_len, uint32_t *len_adj)
{
	static const uint8_t dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	uint32_t hdr;
	uint16_t proto;
	uint8_t *e;

	if (dlt == DLT_LINUX_SLL) {
		hdr = 16;
		if (caplen < hdr)
			return NULL;
		proto = (uint16_t)(p[14] << 8 | p[15]);
		if (p[4] == 0 && p[5] >= 6)
			memcpy(src, p + 6, 6);
	} else {
		hdr = 20;
		if (caplen < hdr)
			return NULL;
		proto = (uint16_t)(p[0] << 8 | p[1]);
		if (p[11] >= 6)
			memcpy(src, p + 12, 6);
	}
	*out_len = caplen - hdr + 14;
	*len_adj = hdr - 14;
	e = malloc(*out_len);
	if (!e)
		return NULL;
	memcpy(e, dst, 6);
	memcpy(e + 6, src, 6);
	e[12] = proto >> 8;
	e[13] = proto & 0xff;
	memcpy(e + 14, p + hdr, caplen - hdr);
	return e;
}

/* Load one file; 1 when loaded, 0 when skipped, -1 on error. */
static int load(const char *path, struct file *f)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	int64_t first = 0, prev = 0, cut = 0, last = 0;
	pcap_t *p;
	int dlt, rc;

	memset(f, 0, sizeof(*f));
	p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "pcap_mix: %s\n", errbuf);
		return -1;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB && dlt != DLT_LINUX_SLL && dlt != DLT_LINUX_SLL2) {
		fprintf(stderr, "pcap_mix: %s: link type %s skipped\n", path, pcap_datalink_val_to_name(dlt));
		pcap_close(p);
		return 0;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		struct frame *fr;
		uint32_t caplen = h->caplen, len = h->len, adj = 0;
		uint8_t *copy;

		if (dlt == DLT_EN10MB) {
			copy = malloc(caplen ? caplen : 1);
			if (copy)
				memcpy(copy, d, caplen);
		} else {
			copy = cooked_to_ether(dlt, d, h->caplen, &caplen, &adj);
			if (!copy)
				continue;
			len = len >= adj ? len - adj : caplen;
		}
		if (!copy)
			goto oom;
		if (f->n == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 256;
			struct frame *n = realloc(f->frames, cap * sizeof(*n));

			if (!n) {
				free(copy);
				goto oom;
			}
			f->frames = n;
			f->cap = cap;
		}
		if (f->n == 0)
			first = prev = ts;
		if (ts - prev > MAX_JUMP_US)
			cut += ts - prev - MAX_JUMP_US;
		prev = ts;
		fr = &f->frames[f->n++];
		fr->ts_us = ts - first - cut;
		if (fr->ts_us > last)
			last = fr->ts_us;
		fr->len = len;
		fr->caplen = caplen;
		fr->data = copy;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap_mix: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	f->span_us = last;
	return f->n ? 1 : 0;
oom:
	fprintf(stderr, "pcap_mix: %s: out of memory\n", path);
	pcap_close(p);
	return -1;
}

static int write_frame(FILE *out, int64_t ts_us, const struct frame *fr)
{
	uint8_t rec[16];

	put_le32(rec, (uint32_t)(ts_us / 1000000));
	put_le32(rec + 4, (uint32_t)(ts_us % 1000000));
	put_le32(rec + 8, fr->caplen);
	put_le32(rec + 12, fr->len);
	if (fwrite(rec, sizeof(rec), 1, out) != 1)
		return -1;
	if (fr->caplen && fwrite(fr->data, fr->caplen, 1, out) != 1)
		return -1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: pcap_mix --out FILE.pcap --frames N [--gap S] [--start EPOCH] IN...\n");
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	uint64_t want = 0, gap_s = 60, start_s = 1700000000;
	struct file *files;
	size_t nfiles = 0, per_round = 0;
	uint64_t written = 0, rounds = 0;
	int64_t t;
	uint8_t ghdr[24];
	FILE *out;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		uint64_t *dst = NULL;

		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (!strcmp(argv[i], "--out")) {
			out_path = argv[i + 1];
			continue;
		}
		if (!strcmp(argv[i], "--frames"))
			dst = &want;
		else if (!strcmp(argv[i], "--gap"))
			dst = &gap_s;
		else if (!strcmp(argv[i], "--start"))
			dst = &start_s;
		if (!dst || parse_u64(argv[i + 1], dst)) {
			usage();
			return 2;
		}
	}
	if (!out_path || !want || i >= argc || start_s > UINT32_MAX) {
		usage();
		return 2;
	}

	files = calloc((size_t)(argc - i), sizeof(*files));
	if (!files)
		return 1;
	for (; i < argc; i++) {
		int rc = load(argv[i], &files[nfiles]);

		if (rc < 0)
			return 1;
		if (rc > 0)
			per_round += files[nfiles++].n;
	}
	if (!per_round) {
		fprintf(stderr, "pcap_mix: no frames to write\n");
		return 1;
	}

	out = fopen(out_path, "wb");
	if (!out) {
		fprintf(stderr, "pcap_mix: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	put_le32(ghdr, 0xa1b2c3d4);
	ghdr[4] = 2, ghdr[5] = 0, ghdr[6] = 4, ghdr[7] = 0;	/* version 2.4 */
	memset(ghdr + 8, 0, 8);	/* thiszone, sigfigs */
	put_le32(ghdr + 16, 262144);
	put_le32(ghdr + 20, DLT_EN10MB);
	if (fwrite(ghdr, sizeof(ghdr), 1, out) != 1)
		goto werr;

	t = (int64_t)start_s * 1000000;
	while (written < want) {
		for (size_t k = 0; k < nfiles; k++) {
			for (size_t j = 0; j < files[k].n; j++) {
				if (write_frame(out, t + files[k].frames[j].ts_us, &files[k].frames[j]))
					goto werr;
			}
			t += files[k].span_us + (int64_t)gap_s * 1000000;
			written += files[k].n;
		}
		rounds++;
		if (t / 1000000 > UINT32_MAX) {
			fprintf(stderr, "pcap_mix: stamps would pass 2106\n");
			fclose(out);
			return 1;
		}
	}
	if (fclose(out)) {
		fprintf(stderr, "pcap_mix: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	printf("frames %llu files %zu rounds %llu\n", (unsigned long long)written, nfiles, (unsigned long long)rounds);
	for (size_t k = 0; k < nfiles; k++) {
		for (size_t j = 0; j < files[k].n; j++)
			free(files[k].frames[j].data);
		free(files[k].frames);
	}
	free(files);
	return 0;
werr:
	fprintf(stderr, "pcap_mix: %s: write failed\n", out_path);
	fclose(out);
	return 1;
}
