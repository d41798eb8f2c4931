/*
 * Differential libFuzzer target for capture/pcap_direct.c: any bytes as a
 * capture file (a memfd, so a regular file with a path, and no disk), read
 * once through libpcap (pcap_open_offline + pcap_next_ex) and once by the
 * block reader on a second handle. When the reader takes the file, both must
 * give the same frames (time stamp, caplen, len, bytes), stop at the same
 * record, the same way (end or error), with the same error message and the
 * same file position after it. Any difference aborts. The input's last byte
 * also picks the reader's first buffer: when odd, the 1 MiB default; when
 * even, 64 to 191 bytes, so that records cross the buffer's end, are moved
 * to its front and make it grow even in small inputs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/pcap_direct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

static void differ(const char *what, unsigned long frame)
{
	fprintf(stderr, "fuzz_pcap_direct: libpcap and the block reader differ at frame %lu: %s\n", frame, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[PCAP_ERRBUF_SIZE];
	struct sl_pcap_direct r;
	size_t bufsize;
	const char *why = NULL;
	unsigned long frame;
	pcap_t *p1, *p2;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_pcap_direct", 0);
		if (memfd < 0)
			abort();
	}
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	p1 = pcap_open_offline(path, err);
	if (!p1)
		return 0;
	p2 = pcap_open_offline(path, err);
	if (!p2)
		abort();
	bufsize = size && !(data[size - 1] & 1) ? 64 + (size_t)(data[size - 1] >> 1) : SL_PCAP_DIRECT_BUF_SIZE;
	if (!sl_pcap_direct_open_buf(&r, p2, path, bufsize, &why)) {
		if (!why)
			abort();
		pcap_close(p1);
		pcap_close(p2);
		return 0;
	}
	for (frame = 1;; frame++) {
		struct pcap_pkthdr *h1, *h2;
		const u_char *d1, *d2;
		int rc1 = pcap_next_ex(p1, &h1, &d1);
		int rc2 = sl_pcap_direct_next(&r, &h2, &d2);

		if (rc1 != rc2)
			differ("result", frame);
		if (rc1 != 1) {
			if (rc1 == PCAP_ERROR && strcmp(pcap_geterr(p1), r.errbuf) != 0)
				differ(r.errbuf, frame);
			if (ftell(pcap_file(p1)) != (long)sl_pcap_direct_pos(&r))
				differ("position after the last record", frame);
			break;
		}
		if (h1->ts.tv_sec != h2->ts.tv_sec || h1->ts.tv_usec != h2->ts.tv_usec)
			differ("time stamp", frame);
		if (h1->caplen != h2->caplen || h1->len != h2->len)
			differ("lengths", frame);
		if (memcmp(d1, d2, h1->caplen) != 0)
			differ("bytes", frame);
	}
	sl_pcap_direct_close(&r);
	pcap_close(p1);
	pcap_close(p2);
	return 0;
}
