/*
 * pcap_loop: the benchmark's baseline, a bare libpcap read loop.
 *
 * `make bench` states sluice's extraction rate as a share of the rate at
 * which libpcap alone can hand frames out of the same file. This program is
 * that ceiling: pcap_open_offline and pcap_next_ex until the end, touching
 * nothing but the record headers (frames and captured bytes are summed so
 * the loop cannot be optimised away), then one line on stdout:
 *
 *   frames N bytes B in S s, R frames/s, M MB/s
 *
 * With --direct the records are read by sluice's own reader of classic pcap
 * files (capture/pcap_direct.h, what sluice extract uses for such files)
 * after pcap_open_offline, instead of by pcap_next_ex: the bare loop of
 * that reader, the second baseline of the table. A file the reader does
 * not take is an error there.
 *
 * Usage: pcap_loop [--direct] FILE.pcap
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "capture/pcap_direct.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t frames = 0, bytes = 0;
	struct sl_pcap_direct dr;
	const char *why = "", *name;
	bool use_direct;
	pcap_t *p;
	int rc;

	use_direct = argc == 3 && !strcmp(argv[1], "--direct");
	if (argc != 2 && !use_direct) {
		fprintf(stderr, "usage: pcap_loop [--direct] FILE.pcap\n");
		return 2;
	}
	name = argv[argc - 1];

	double t0 = now_s();

	p = pcap_open_offline(name, errbuf);
	if (!p) {
		fprintf(stderr, "pcap_loop: %s\n", errbuf);
		return 1;
	}
	if (use_direct && !sl_pcap_direct_open(&dr, p, name, &why)) {
		fprintf(stderr, "pcap_loop: %s: not read by the block reader: %s\n", name, why);
		pcap_close(p);
		return 1;
	}
	if (use_direct) {
		while ((rc = sl_pcap_direct_next(&dr, &hdr, &data)) == 1) {
			frames++;
			bytes += hdr->caplen;
		}
	} else {
		while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
			frames++;
			bytes += hdr->caplen;
		}
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap_loop: %s: %s\n", name, use_direct ? dr.errbuf : pcap_geterr(p));
		if (use_direct)
			sl_pcap_direct_close(&dr);
		pcap_close(p);
		return 1;
	}
	if (use_direct)
		sl_pcap_direct_close(&dr);
	pcap_close(p);

	double secs = now_s() - t0;

	printf("frames %llu bytes %llu in %.3f s, %.0f frames/s, %.1f MB/s\n", (unsigned long long)frames,
	       (unsigned long long)bytes, secs, secs > 0 ? (double)frames / secs : 0.0,
	       secs > 0 ? (double)bytes / secs / 1e6 : 0.0);
	return 0;
}
