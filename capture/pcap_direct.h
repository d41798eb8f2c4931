/*
 * Classic pcap files read in large blocks instead of through libpcap's stdio.
 *
 * libpcap reads a savefile record by record with two fread()s (the 16-byte
 * record header, then the captured bytes into its own buffer): a copy of
 * every byte and some 600 instructions a frame, as much as everything else
 * a bare read loop does. For the common case, a regular file in the classic
 * format (pcap-savefile(5): 24-byte file header, then records of a 16-byte
 * header and caplen bytes) this reader pread()s the file a megabyte at a
 * time into one buffer it owns and hands out pointers into it. A record
 * that runs past the end of the buffer is moved to its front and the rest
 * of the file read behind it; the buffer is always large enough for the
 * largest record accepted (16 bytes of header and libpcap's maximum
 * caplen), a smaller one given to sl_pcap_direct_open_buf() being grown to
 * that when a record needs it.
 *
 * An earlier version mapped the file instead. A file truncated by another
 * process while it was mapped (log rotation, a capture being rewritten)
 * raised SIGBUS on the first page past its new end and killed the program,
 * where libpcap reports a short read; reads cannot fault, so a truncated
 * file now ends the way it does through libpcap: the records read before
 * the new end, then "truncated dump file" (or the end, at a record
 * boundary), an error the source counts and reports.
 *
 * It only takes over from libpcap: the file is opened with
 * pcap_open_offline() first, so every check of the file header and every
 * open-time error stays libpcap's; sl_pcap_direct_open() then accepts the
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
 * afterwards is where libpcap's stream would be. A read that fails is an
 * error too ("error reading dump file: ..."). tests/fuzz/fuzz_pcap_direct.c
 * compares the two on arbitrary files, with small buffers as well.
 *
 * A file that grows while it is read is read on: the reader asks the file
 * for more whenever its buffer runs out, so records appended before it gets
 * there are read (a partly written one is a short record, as for libpcap).
 * The file descriptor stays libpcap's (the handle's); reading uses pread(),
 * so the handle's stdio stream is not moved.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

/* libpcap's limit on a record's caplen for the link types taken here (MAXIMUM_SNAPLEN) */
#define SL_PCAP_DIRECT_MAX_CAPLEN 262144u
/* The largest record accepted, header included: the least the buffer grows to. */
#define SL_PCAP_DIRECT_MAX_RECORD (16u + SL_PCAP_DIRECT_MAX_CAPLEN)
/* The buffer sl_pcap_direct_open() reads into. */
#define SL_PCAP_DIRECT_BUF_SIZE (1u << 20)

struct sl_pcap_direct {
	int fd;			/* the handle's file; not owned */
	uint8_t *buf;		/* owned (malloc) */
	size_t cap;		/* buf's size */
	size_t start;		/* next record header in buf */
	size_t end;		/* bytes of buf read from the file */
	uint64_t base;		/* file offset of buf[0] */
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
 * pcap_datalink() and close it after sl_pcap_direct_close()); false with *why
 * saying why the file stays on libpcap (for a debug log line).
 */
bool sl_pcap_direct_open(struct sl_pcap_direct *r, pcap_t *p, const char *path, const char **why);

/*
 * The same with a first buffer of bufsize bytes (at least 64; grown when a
 * record needs more): for tests and the fuzz target, which make records
 * cross the buffer's end with small files.
 */
bool sl_pcap_direct_open_buf(struct sl_pcap_direct *r, pcap_t *p, const char *path, size_t bufsize,
			     const char **why);

/* Frees the buffer; p's file is left to pcap_close(). */
void sl_pcap_direct_close(struct sl_pcap_direct *r);

/* Where libpcap's stream would be: the byte after the last record given (or after an error, its stop). */
static inline uint64_t sl_pcap_direct_pos(const struct sl_pcap_direct *r)
{
	return r->base + r->start;
}

/* The slow cases of sl_pcap_direct_next (reading, errors, caplen above the snapshot length). */
int sl_pcap_direct_next_slow(struct sl_pcap_direct *r, struct pcap_pkthdr **h, const u_char **data);

static inline uint32_t sl_pcap_direct_u32(const uint8_t *p, bool swapped)
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
static inline void sl_pcap_direct_ts(struct sl_pcap_direct *r, const uint8_t *rec)
{
	uint32_t sec = sl_pcap_direct_u32(rec, r->swapped), frac = sl_pcap_direct_u32(rec + 4, r->swapped);

	r->hdr.ts.tv_sec = r->swapped ? (time_t)sec : (time_t)(int32_t)sec;
	r->hdr.ts.tv_usec = r->swapped ? (suseconds_t)frac : (suseconds_t)(int32_t)frac;
	if (r->nsec)
		r->hdr.ts.tv_usec /= 1000;
}

/*
 * Like pcap_next_ex() on a savefile: 1 with *h and *data set (data valid
 * until the next call), PCAP_ERROR_BREAK at the end of the file,
 * PCAP_ERROR with r->errbuf set (the caller stops there, as it does with
 * libpcap). The fast path takes a record wholly in the buffer.
 */
static inline int sl_pcap_direct_next(struct sl_pcap_direct *r, struct pcap_pkthdr **h, const u_char **data)
{
	size_t left = r->end - r->start;
	const uint8_t *rec = r->buf + r->start;
	uint32_t caplen;

	if (left < 16)
		return sl_pcap_direct_next_slow(r, h, data);
	if (r->plain) {
		/* host byte order, microseconds: the header as it is */
		struct {
			int32_t sec, usec;
			uint32_t caplen, len;
		} raw;

		memcpy(&raw, rec, 16);
		if (raw.caplen > r->snapshot || raw.caplen > left - 16)
			return sl_pcap_direct_next_slow(r, h, data);
		r->hdr.ts.tv_sec = raw.sec;
		r->hdr.ts.tv_usec = raw.usec;
		caplen = raw.caplen;
		r->hdr.len = raw.len;
	} else {
		caplen = sl_pcap_direct_u32(rec + 8, r->swapped);
		if (caplen > r->snapshot || caplen > left - 16)
			return sl_pcap_direct_next_slow(r, h, data);
		sl_pcap_direct_ts(r, rec);
		r->hdr.len = sl_pcap_direct_u32(rec + 12, r->swapped);
	}
	r->hdr.caplen = caplen;
	r->start += 16 + (size_t)caplen;
	*h = &r->hdr;
	*data = rec + 16;
	return 1;
}
