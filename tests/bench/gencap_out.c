/*
 * Frame queue and pcap writer.
 *
 * Actors produce frames slightly ahead of the simulated clock (the segments
 * of a TCP write, the fragments of a datagram, a noise conversation), so
 * frames are not produced in file order. They wait here in a (time,
 * sequence) heap; the event loop calls gc_out_flush(before) with the stamp
 * of the next actor to fire, which writes everything earlier: nothing that
 * fires later can queue a frame before its own time, so what leaves the
 * queue is final and the file comes out monotonic in time. Ties keep commit
 * order, which is also the order the ground truth uses (struct gc_key).
 *
 * Frame buffers are recycled through a free list, so memory follows the
 * number of frames in flight (a few hundred), not the size of the capture.
 * The file is written through libpcap's dumper: classic pcap, Ethernet
 * link type, microsecond stamps. Ownership: the gc_out and its frames are
 * talloc children of the ctx given to gc_out_open; a destructor closes the
 * dumper if the object is freed without gc_out_close (error paths).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "tests/bench/gencap.h"

const char *const gc_kind_names[_GC_K_COUNT] = {
	[GC_K_SIP] = "sip",
	[GC_K_SIP_TCP_CTL] = "sip_tcp_control",
	[GC_K_RTP] = "rtp",
	[GC_K_RTCP] = "rtcp",
	[GC_K_NOISE] = "noise",
};

struct gc_frame {
	struct gc_frame *next_free;
	uint64_t t;
	uint32_t len;
	uint8_t data[GC_FRAME_MAX];
};

struct gc_out {
	const char *path;
	pcap_t *pd;
	pcap_dumper_t *dump;
	struct gc_heap q;
	struct gc_frame *free_list;
	struct gc_frame *pending;	/* handed out by gc_out_begin */
	uint64_t seq;
	uint64_t horizon;		/* commits must not be earlier */
	uint64_t count[_GC_K_COUNT];
	uint64_t vlan;
	uint64_t total;
};

static int out_destructor(struct gc_out *o)
{
	if (o->dump)
		pcap_dump_close(o->dump);
	if (o->pd)
		pcap_close(o->pd);
	return 0;
}

struct gc_out *gc_out_open(void *ctx, const char *path)
{
	struct gc_out *o = talloc_zero(ctx, struct gc_out);

	if (!o)
		return NULL;
	talloc_set_name_const(o, "gc_out");
	talloc_set_destructor(o, out_destructor);
	o->path = talloc_strdup(o, path);
	gc_heap_init(&o->q, o);

	o->pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_MICRO);
	if (!o->pd) {
		fprintf(stderr, "sluice-gencap: %s: cannot create pcap handle\n", path);
		talloc_free(o);
		return NULL;
	}
	o->dump = pcap_dump_open(o->pd, path);
	if (!o->dump) {
		fprintf(stderr, "sluice-gencap: %s: %s\n", path, pcap_geterr(o->pd));
		talloc_free(o);
		return NULL;
	}
	return o;
}

uint8_t *gc_out_begin(struct gc_out *o)
{
	struct gc_frame *f = o->free_list;

	if (f) {
		o->free_list = f->next_free;
	} else {
		f = talloc(o, struct gc_frame);
		if (!f)
			return NULL;
	}
	o->pending = f;
	return f->data;
}

struct gc_key gc_out_commit(struct gc_out *o, uint64_t t, size_t len, enum gc_kind kind, bool vlan)
{
	struct gc_frame *f = o->pending;
	struct gc_key k = { .t = t, .seq = o->seq++ };

	/* A frame before the horizon could only be written out of order: that
	 * is a bug in an actor, never a property of the input. */
	if (t < o->horizon) {
		fprintf(stderr, "sluice-gencap: internal error: frame at %llu before horizon %llu\n",
			(unsigned long long)t, (unsigned long long)o->horizon);
		abort();
	}
	o->pending = NULL;
	f->t = t;
	/* Ethernet minimum: 60 bytes without FCS; short frames carry padding. */
	if (len < 60) {
		memset(f->data + len, 0, 60 - len);
		len = 60;
	}
	f->len = (uint32_t)len;
	o->count[kind]++;
	o->total++;
	if (vlan)
		o->vlan++;
	if (gc_heap_push(&o->q, k.t, k.seq, f) < 0) {
		fprintf(stderr, "sluice-gencap: out of memory\n");
		abort();
	}
	return k;
}

static int write_frame(struct gc_out *o, struct gc_frame *f)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(f->t / GC_US);
	h.ts.tv_usec = (suseconds_t)(f->t % GC_US);
	h.caplen = f->len;
	h.len = f->len;
	pcap_dump((u_char *)o->dump, &h, f->data);
	f->next_free = o->free_list;
	o->free_list = f;
	return 0;
}

int gc_out_flush(struct gc_out *o, uint64_t before)
{
	const struct gc_heap_item *top;
	struct gc_heap_item it;

	while ((top = gc_heap_top(&o->q)) && top->t < before) {
		gc_heap_pop(&o->q, &it);
		write_frame(o, it.p);
	}
	if (before > o->horizon)
		o->horizon = before;
	if (ferror(pcap_dump_file(o->dump)))
		return -EIO;
	return 0;
}

int gc_out_close(struct gc_out *o)
{
	struct gc_heap_item it;
	int rc = 0;

	while (gc_heap_pop(&o->q, &it))
		write_frame(o, it.p);
	if (pcap_dump_flush(o->dump) < 0 || ferror(pcap_dump_file(o->dump)))
		rc = -EIO;
	/* pcap_dump_close gives no status; the flush above caught write errors. */
	pcap_dump_close(o->dump);
	o->dump = NULL;
	pcap_close(o->pd);
	o->pd = NULL;
	if (rc < 0)
		fprintf(stderr, "sluice-gencap: %s: write error\n", o->path);
	return rc;
}

uint64_t gc_out_count(const struct gc_out *o, enum gc_kind kind)
{
	return o->count[kind];
}

uint64_t gc_out_total(const struct gc_out *o)
{
	return o->total;
}

uint64_t gc_out_vlan_frames(const struct gc_out *o)
{
	return o->vlan;
}
