/*
 * Classic pcap files read over mmap instead of through libpcap's stdio.
 *
 * libpcap reads a savefile record by record with two fread()s (the 16-byte
 * record header, then the captured bytes into its own buffer): a copy of
 * every byte and some 600 instructions a frame, as much as everything else
 * a bare read loop does. For the common case, a regular file in the classic
 * format (pcap-savefile(5): 24-byte file header, then records of a 16-byte
 * header and caplen bytes) this reader maps the file and hands out pointers
 * into the mapping.
 *
 * It only takes over from libpcap: the file is opened with
 * pcap_open_offline() first, so every check of the file header and every
 * open-time error stays libpcap's; sl_pcap_mmap_open() then accepts the
 * handle only for a regular file (not "-") whose magic is the classic one
 * (microsecond 0xa1b2c3d4 or nanosecond 0xa1b23c4d, either byte order),
 * version 2.4 and a link type sluice decodes (none of which libpcap
 * rewrites after reading: no pseudo-header swapping or length fix-ups).
 * pcapng, pipes and stdin, the modified (Kuznetzov) and other magics, old
 * versions and other link types stay on libpcap, as does live capture.
 *
 * Each record is what libpcap would give for it, in the same order and with
 * the same stop: a struct pcap_pkthdr with the time stamp as libpcap fills
 * it for microsecond precision (32-bit seconds and fraction, signed in the
 * host's byte order and unsigned in the other, nanoseconds divided by
 * 1000), caplen and len; a record whose caplen is
 * above libpcap's maximum for the link type (262144) is an error; one above
 * the file's snapshot length but not the maximum is cut to the snapshot
 * length and its remaining bytes skipped; a short record header or short
 * data is an error, with libpcap's messages, and the file position reported
 * afterwards is where libpcap's stream would be. tests/fuzz/fuzz_pcap_mmap.c
 * compares the two on arbitrary files.
 *
 * The mapping is of the file's size at open: a file that grows while it is
 * read is read to that size (libpcap would read on). A file truncated by
 * another process while it is mapped raises SIGBUS on the first page past
 * its new end, where libpcap would report a short read: no handler is
 * installed for that. Pages already handed out are dropped from the
 * mapping (MADV_DONTNEED) every megabyte, so the resident set does not
 * grow with the file; they stay in the page cache.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

/* libpcap's limit on a record's caplen for the link types taken here (MAXIMUM_SNAPLEN) */
#define SL_PCAP_MMAP_MAX_CAPLEN 262144u

struct sl_pcap_mmap {
	const uint8_t *map;	/* the whole file, read-only */
	size_t size;		/* bytes mapped: the file's size at open */
	size_t pos;		/* next record header (after an error: where libpcap's stream would be) */
	size_t dropped;		/* pages below this offset have been released */
	bool swapped;		/* records in the other byte order */
	bool nsec;		/* nanosecond time stamps, given out as microseconds */
	bool plain;		/* neither: record headers taken as they are */
	uint32_t snapshot;	/* the file's snapshot length as libpcap adjusted it */
	struct pcap_pkthdr hdr;	/* the last record's header */
	char errbuf[PCAP_ERRBUF_SIZE];
};

/*
 * Take over reading from p, a handle pcap_open_offline(path) has just
 * returned. Returns true with r set up (p is then no longer read: keep it for
 * pcap_datalink() and close it after sl_pcap_mmap_close()); false with *why
 * saying why the file stays on libpcap (for a debug log line).
 */
bool sl_pcap_mmap_open(struct sl_pcap_mmap *r, pcap_t *p, const char *path, const char **why);

void sl_pcap_mmap_close(struct sl_pcap_mmap *r);

/* The slow cases of sl_pcap_mmap_next (errors, caplen above the snapshot length, page release). */
int sl_pcap_mmap_next_slow(struct sl_pcap_mmap *r, struct pcap_pkthdr **h, const u_char **data);

/* Bytes after which consumed pages are released. */
#define SL_PCAP_MMAP_DROP_STEP (1u << 20)

static inline uint32_t sl_pcap_mmap_u32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/*
 * A record's time stamp as libpcap 1.10 gives it: the two 32-bit fields are
 * signed in the host's byte order and unsigned when swapped (its byte swap
 * yields an unsigned value); nanoseconds are divided by 1000.
 */
static inline void sl_pcap_mmap_ts(struct sl_pcap_mmap *r, const uint8_t *rec)
{
	uint32_t sec = sl_pcap_mmap_u32(rec, r->swapped), frac = sl_pcap_mmap_u32(rec + 4, r->swapped);

	r->hdr.ts.tv_sec = r->swapped ? (time_t)sec : (time_t)(int32_t)sec;
	r->hdr.ts.tv_usec = r->swapped ? (suseconds_t)frac : (suseconds_t)(int32_t)frac;
	if (r->nsec)
		r->hdr.ts.tv_usec /= 1000;
}

/*
 * Like pcap_next_ex() on a savefile: 1 with *h and *data set (data valid
 * until the next call), PCAP_ERROR_BREAK at the end of the file,
 * PCAP_ERROR with r->errbuf set (the caller stops there, as it does with
 * libpcap).
 */
static inline int sl_pcap_mmap_next(struct sl_pcap_mmap *r, struct pcap_pkthdr **h, const u_char **data)
{
	size_t left = r->size - r->pos;
	const uint8_t *rec = r->map + r->pos;
	uint32_t caplen;

	if (left < 16 || r->pos - r->dropped >= SL_PCAP_MMAP_DROP_STEP)
		return sl_pcap_mmap_next_slow(r, h, data);
	if (r->plain) {
		/* host byte order, microseconds: the header as it is */
		struct {
			int32_t sec, usec;
			uint32_t caplen, len;
		} raw;

		memcpy(&raw, rec, 16);
		if (raw.caplen > r->snapshot || raw.caplen > left - 16)
			return sl_pcap_mmap_next_slow(r, h, data);
		r->hdr.ts.tv_sec = raw.sec;
		r->hdr.ts.tv_usec = raw.usec;
		caplen = raw.caplen;
		r->hdr.len = raw.len;
	} else {
		caplen = sl_pcap_mmap_u32(rec + 8, r->swapped);
		if (caplen > r->snapshot || caplen > left - 16)
			return sl_pcap_mmap_next_slow(r, h, data);
		sl_pcap_mmap_ts(r, rec);
		r->hdr.len = sl_pcap_mmap_u32(rec + 12, r->swapped);
	}
	r->hdr.caplen = caplen;
	r->pos += 16 + (size_t)caplen;
	*h = &r->hdr;
	*data = rec + 16;
	return 1;
}
