/*
 * Classic pcap files over mmap (see pcap_mmap.h): taking a file over from
 * libpcap, the record checks that are not on the fast path, and releasing
 * pages already read. The record layout and the limits follow
 * pcap-savefile(5) and libpcap's savefile reader as it behaves: a 16-byte
 * header of seconds, fraction, caplen and len in the file's byte order,
 * then caplen bytes.
 */
#include "capture/pcap_mmap.h"

#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* The magics of the classic format as read in this host's order. */
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

/*
 * Link types libpcap hands out as they are in the file (it swaps pseudo
 * headers or fixes lengths only for USB and NFLOG ones), and sluice decodes.
 */
static bool linktype_plain(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

bool sl_pcap_mmap_open(struct sl_pcap_mmap *r, pcap_t *p, const char *path, const char **why)
{
	struct stat st;
	FILE *fp;
	void *m;
	uint32_t magic;
	bool swapped, nsec;

	memset(r, 0, sizeof(*r));
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
	if (!linktype_plain(pcap_datalink(p))) {
		*why = "link type not read over mmap";
		return false;
	}
	if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_MICRO || pcap_snapshot(p) <= 0) {
		*why = "unusual time stamp precision or snapshot length";
		return false;
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return false;
	}
	if (st.st_size < 24 || (uint64_t)st.st_size > SIZE_MAX) {
		*why = "size out of range";
		return false;
	}
	/* the size at open: a file growing while it is read is read to this size */
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
	if (m == MAP_FAILED) {
		*why = "mmap failed";
		return false;
	}
	memcpy(&magic, m, 4);
	swapped = magic == __builtin_bswap32(MAGIC_USEC) || magic == __builtin_bswap32(MAGIC_NSEC);
	nsec = magic == MAGIC_NSEC || magic == __builtin_bswap32(MAGIC_NSEC);
	if ((magic != MAGIC_USEC && magic != MAGIC_NSEC && !swapped) || swapped != (pcap_is_swapped(p) == 1)) {
		munmap(m, (size_t)st.st_size);
		*why = "not the classic pcap magic";
		return false;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	r->map = m;
	r->size = (size_t)st.st_size;
	r->pos = 24;
	r->swapped = swapped;
	r->nsec = nsec;
	r->plain = !swapped && !nsec;
	r->snapshot = (uint32_t)pcap_snapshot(p);
	return true;
}

void sl_pcap_mmap_close(struct sl_pcap_mmap *r)
{
	if (r->map)
		munmap((void *)r->map, r->size);
	r->map = NULL;
}

/* Release the pages wholly below the next record: the caller is done with them. */
static void drop_behind(struct sl_pcap_mmap *r)
{
	size_t page = 4096, end = r->pos & ~(page - 1);

	if (end > r->dropped)
		(void)madvise((void *)(r->map + r->dropped), end - r->dropped, MADV_DONTNEED);
	r->dropped = end;
}

int sl_pcap_mmap_next_slow(struct sl_pcap_mmap *r, struct pcap_pkthdr **h, const u_char **data)
{
	size_t left = r->size - r->pos;
	const uint8_t *rec = r->map + r->pos;
	uint32_t caplen;

	if (r->pos - r->dropped >= SL_PCAP_MMAP_DROP_STEP)
		drop_behind(r);
	if (left == 0)
		return PCAP_ERROR_BREAK;
	if (left < 16) {
		snprintf(r->errbuf, sizeof(r->errbuf), "truncated dump file; tried to read 16 header bytes, only got %zu",
			 left);
		r->pos = r->size;
		return PCAP_ERROR;
	}
	caplen = sl_pcap_mmap_u32(rec + 8, r->swapped);
	sl_pcap_mmap_ts(r, rec);
	r->hdr.caplen = caplen;
	r->hdr.len = sl_pcap_mmap_u32(rec + 12, r->swapped);
	r->pos += 16;
	left -= 16;
	if (caplen > SL_PCAP_MMAP_MAX_CAPLEN) {
		if (caplen > r->snapshot)
			snprintf(r->errbuf, sizeof(r->errbuf),
				 "invalid packet capture length %u, bigger than snaplen of %u", caplen, r->snapshot);
		else
			snprintf(r->errbuf, sizeof(r->errbuf),
				 "invalid packet capture length %u, bigger than maximum of %u", caplen,
				 SL_PCAP_MMAP_MAX_CAPLEN);
		return PCAP_ERROR;
	}
	if (caplen > r->snapshot) {
		/* libpcap gives the first snapshot-length bytes and skips the rest */
		if (left < r->snapshot || left < caplen) {
			snprintf(r->errbuf, sizeof(r->errbuf),
				 "truncated dump file; tried to read %u captured bytes, only got %zu",
				 left < r->snapshot ? r->snapshot : caplen, left);
			r->pos = r->size;
			return PCAP_ERROR;
		}
		r->hdr.caplen = r->snapshot;
	} else if (left < caplen) {
		snprintf(r->errbuf, sizeof(r->errbuf), "truncated dump file; tried to read %u captured bytes, only got %zu",
			 caplen, left);
		r->pos = r->size;
		return PCAP_ERROR;
	}
	r->pos += caplen;
	*h = &r->hdr;
	*data = rec + 16;
	return 1;
}
