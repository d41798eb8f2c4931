/*
 * Capture sources: pcap/pcapng files and live interfaces through libpcap.
 *
 * A source yields sl_frames with packet timestamps, a 1-based frame number
 * and the source's index, so every later message can name exactly where
 * its input came from. Several file sources are merged in timestamp order
 * (sl_source_set_next), the way mergecap would, so timers behave as if the
 * traffic had been captured in one place. Live sources are opened with
 * pcap_create so snap length, promiscuous mode, immediate mode, kernel
 * buffer size and a BPF filter can be set; their kernel and interface drop
 * counts from pcap_stats are turned into counters, never hidden. A
 * regular file in the classic pcap format is read in large blocks
 * (capture/pcap_direct.h) once libpcap has opened it; everything else is
 * read through libpcap.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <pcap/pcap.h>

#include "capture/capture.h"
#include "capture/pcap_direct.h"

struct rate_ctr_group;

struct sl_source_cfg {
	const char *name;	/* file path or interface name */
	bool live;
	int snaplen;		/* live: bytes kept per frame */
	bool promisc;
	bool immediate;		/* live: deliver packets without buffering delay */
	int buffer_mb;		/* live: kernel buffer; 0 = libpcap default */
	const char *filter;	/* BPF, NULL for none */
};

void sl_source_cfg_default(struct sl_source_cfg *cfg);

/* Counters of each source (group "source"), for docs/counters.md. */
extern const struct rate_ctr_group_desc sl_source_ctrg_desc;

enum sl_source_ctr {
	SL_SRC_CTR_FRAMES,
	SL_SRC_CTR_BYTES,
	SL_SRC_CTR_KERNEL_DROPS,
	SL_SRC_CTR_IF_DROPS,
	SL_SRC_CTR_READ_ERRORS,
	_SL_SRC_CTR_COUNT
};

struct sl_source {
	unsigned idx;
	char *name;
	bool live;
	pcap_t *pcap;
	bool direct;			/* files: read by dr, not by pcap_next_ex */
	struct sl_pcap_direct dr;
	int linktype;
	bool eof;
	char *error;			/* last error, human readable, naming the source */
	off_t file_size;		/* files: for progress */
	uint64_t frames;
	uint64_t bytes;
	struct rate_ctr_group *ctrs;
	struct rate_ctr *ctr0;		/* ctrs' first counter, NULL without ctrs: one add per frame */
	/* last pcap_stats values, to turn absolute counts into counter increments */
	unsigned last_drop, last_ifdrop;
	/* one frame read ahead, for merging files by time */
	bool pending;
	struct sl_frame next;
};

/* Open a source; on failure returns NULL and writes a message naming the input into err. */
struct sl_source *sl_source_open(void *ctx, const struct sl_source_cfg *cfg, unsigned idx, char *err, size_t errlen);
void sl_source_close(struct sl_source *s);

/* What a read gave. */
enum sl_source_rc {
	SL_SOURCE_FRAME = 1,	/* *f is set; its data is valid until the next read of this source */
	SL_SOURCE_IDLE = 0,	/* a live source has nothing now */
	SL_SOURCE_END = -1,	/* end of file (or of every file of a set) */
	SL_SOURCE_ERROR = -2,	/* read error: s->error says what and where; the source is finished */
};

/* Read one frame. */
enum sl_source_rc sl_source_read(struct sl_source *s, struct sl_frame *f);

/* File read position, for progress (0 for live sources). */
off_t sl_source_position(const struct sl_source *s);

/* Fetch pcap_stats of a live source and add the new drops to its counters. */
void sl_source_poll_stats(struct sl_source *s);

/* For poll()/osmo_fd: the selectable fd of a live source, or -1. */
int sl_source_fd(const struct sl_source *s);

/*
 * Merge several file sources in time order: returns like sl_source_read,
 * SL_SOURCE_END when all are done; *from is the source of the frame or of
 * the error.
 */
struct sl_source_set {
	struct sl_source **src;
	unsigned n;
};
enum sl_source_rc sl_source_set_next(struct sl_source_set *set, struct sl_frame *f, struct sl_source **from);
