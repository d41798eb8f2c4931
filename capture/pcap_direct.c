/*
 * Classic pcap files read in large blocks (see pcap_direct.h): taking a
 * file over from libpcap, the buffer that is filled by pread() and grown
 * for a record that does not fit, and the record checks that are not on
 * the fast path. The record layout and the limits follow pcap-savefile(5)
 * and libpcap's savefile reader as it behaves: a 16-byte header of
 * seconds, fraction, caplen and len in the file's byte order, then caplen
 * bytes.
 */
#include "capture/pcap_direct.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "capture/capture.h"
#include "util/pread_full.h"

/* The magics of the classic format as read in this host's order. */
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

_Static_assert(SL_PCAP_DIRECT_BUF_SIZE >= SL_PCAP_DIRECT_MAX_RECORD,
	       "the default buffer holds the largest record");

/*
 * Link types this reader may take: those sluice decodes, less those
 * libpcap rewrites after reading a record (it swaps their pseudo-headers in
 * a file of the other byte order, and fixes the lengths of mmapped USB
 * captures), which this reader hands out as they are in the file. None of
 * the decoded types is one of them today; the check keeps it so when one is
 * added to the decoder.
 */
static bool linktype_read_as_is(int dlt)
{
	switch (dlt) {
	case DLT_USB_LINUX:
	case DLT_USB_LINUX_MMAPPED:
	case DLT_NFLOG:
		return false;
	default:
		return sl_capture_linktype_supported(dlt);
	}
}

bool sl_pcap_direct_open_buf(struct sl_pcap_direct *r, pcap_t *p, const char *path, size_t bufsize,
			     const char **why)
{
	struct stat st;
	FILE *fp;
	uint32_t magic;
	bool swapped, nsec;
	int fd;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!path || !strcmp(path, "-")) {
		*why = "standard input";
		return false;
	}
	fp = pcap_file(p);
	if (!fp) {
		*why = "not a savefile";
		return false;
	}
	if (pcap_major_version(p) != 2 || pcap_minor_version(p) != 4) {
		*why = "not a classic pcap file of version 2.4 (pcapng, or an older version)";
		return false;
	}
	if (!linktype_read_as_is(pcap_datalink(p))) {
		*why = "link type not read directly";
		return false;
	}
	if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_MICRO || pcap_snapshot(p) <= 0) {
		*why = "unusual time stamp precision or snapshot length";
		return false;
	}
	fd = fileno(fp);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return false;
	}
	if (sl_pread_full(fd, &magic, 4, 0) != 4) {
		*why = "file header not readable again";
		return false;
	}
	swapped = magic == __builtin_bswap32(MAGIC_USEC) || magic == __builtin_bswap32(MAGIC_NSEC);
	nsec = magic == MAGIC_NSEC || magic == __builtin_bswap32(MAGIC_NSEC);
	if ((magic != MAGIC_USEC && magic != MAGIC_NSEC && !swapped) || swapped != (pcap_is_swapped(p) == 1)) {
		*why = "not the classic pcap magic";
		return false;
	}
	if (bufsize < 64)
		bufsize = 64;
	r->buf = malloc(bufsize);
	if (!r->buf) {
		*why = "out of memory for the read buffer";
		return false;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r->fd = fd;
	r->cap = bufsize;
	r->base = 24; /* records start after the file header; nothing read yet */
	r->swapped = swapped;
	r->nsec = nsec;
	r->plain = !swapped && !nsec;
	r->snapshot = (uint32_t)pcap_snapshot(p);
	return true;
}

bool sl_pcap_direct_open(struct sl_pcap_direct *r, pcap_t *p, const char *path, const char **why)
{
	return sl_pcap_direct_open_buf(r, p, path, SL_PCAP_DIRECT_BUF_SIZE, why);
}

void sl_pcap_direct_close(struct sl_pcap_direct *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->start = r->end = 0;
}

/*
 * Have at least need bytes (at most SL_PCAP_DIRECT_MAX_RECORD) from start in
 * the buffer, or all the file has: the unread bytes are moved to the front
 * (into a grown buffer when need is above its size) and the buffer filled
 * behind them. 0, or a negative errno when a read failed or growing did.
 */
static int fill(struct sl_pcap_direct *r, size_t need)
{
	size_t keep = r->end - r->start;
	ssize_t got;

	if (keep >= need)
		return 0;
	if (r->start + need > r->cap) {
		if (need > r->cap) {
			uint8_t *nb = malloc(SL_PCAP_DIRECT_MAX_RECORD);

			if (!nb)
				return -ENOMEM;
			memcpy(nb, r->buf + r->start, keep);
			free(r->buf);
			r->buf = nb;
			r->cap = SL_PCAP_DIRECT_MAX_RECORD;
		} else {
			memmove(r->buf, r->buf + r->start, keep);
		}
		r->base += r->start;
		r->start = 0;
		r->end = keep;
	}
	got = sl_pread_full(r->fd, r->buf + r->end, r->cap - r->end, r->base + r->end);
	if (got < 0)
		return (int)got;
	r->end += (size_t)got;
	return 0;
}

/* A read that failed: libpcap's message for a failed fread(). */
static int read_failed(struct sl_pcap_direct *r, int err)
{
	snprintf(r->errbuf, sizeof(r->errbuf), "error reading dump file: %s", strerror(-err));
	return PCAP_ERROR;
}

int sl_pcap_direct_next_slow(struct sl_pcap_direct *r, struct pcap_pkthdr **h, const u_char **data)
{
	const uint8_t *rec;
	size_t left;
	uint32_t caplen;
	int rc;

	rc = fill(r, 16);
	if (rc < 0)
		return read_failed(r, rc);
	left = r->end - r->start;
	if (left == 0)
		return PCAP_ERROR_BREAK;
	if (left < 16) {
		snprintf(r->errbuf, sizeof(r->errbuf), "truncated dump file; tried to read 16 header bytes, only got %zu",
			 left);
		r->start = r->end;
		return PCAP_ERROR;
	}
	rec = r->buf + r->start;
	caplen = sl_pcap_direct_u32(rec + 8, r->swapped);
	sl_pcap_direct_ts(r, rec);
	r->hdr.caplen = caplen;
	r->hdr.len = sl_pcap_direct_u32(rec + 12, r->swapped);
	r->start += 16;
	if (caplen > SL_PCAP_DIRECT_MAX_CAPLEN) {
		if (caplen > r->snapshot)
			snprintf(r->errbuf, sizeof(r->errbuf),
				 "invalid packet capture length %u, bigger than snaplen of %u", caplen, r->snapshot);
		else
			snprintf(r->errbuf, sizeof(r->errbuf),
				 "invalid packet capture length %u, bigger than maximum of %u", caplen,
				 SL_PCAP_DIRECT_MAX_CAPLEN);
		return PCAP_ERROR;
	}
	/* the record's bytes (the header is done with: fill() may move or drop it) */
	rc = fill(r, caplen);
	if (rc < 0)
		return read_failed(r, rc);
	left = r->end - r->start;
	if (caplen > r->snapshot) {
		/* libpcap gives the first snapshot-length bytes and skips the rest */
		if (left < r->snapshot || left < caplen) {
			snprintf(r->errbuf, sizeof(r->errbuf),
				 "truncated dump file; tried to read %u captured bytes, only got %zu",
				 left < r->snapshot ? r->snapshot : caplen, left);
			r->start = r->end;
			return PCAP_ERROR;
		}
		r->hdr.caplen = r->snapshot;
	} else if (left < caplen) {
		snprintf(r->errbuf, sizeof(r->errbuf), "truncated dump file; tried to read %u captured bytes, only got %zu",
			 caplen, left);
		r->start = r->end;
		return PCAP_ERROR;
	}
	*h = &r->hdr;
	*data = r->buf + r->start;
	r->start += caplen;
	return 1;
}
