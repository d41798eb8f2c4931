/*
 * `sluice decode --pcap`: handover PDUs from a capture of plain-TCP
 * handover connections. The capture library does the packet work (link,
 * tunnels, IP defragmentation, TCP reassembly in its flow table) and, for
 * the ports asked for, hands each direction's in-order bytes to the TCP
 * tap (capture.h, struct sl_tcp_data); here every direction gets its own
 * PDU framer (pdu_stream.h), and each PDU is named by the frame that
 * completed it, the direction and its offset in that direction's stream.
 */
#include "src/decode_pcap.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/linuxlist.h>
#include <pcap/pcap.h>
#include <talloc.h>

#include "capture/capture.h"
#include "capture/source.h"
#include "handover/pdu_stream.h"

/* One direction of one tapped connection. */
struct tap_dir {
	struct llist_head list;
	uint64_t flow_id;
	int dir;
	struct sl_pdu_stream *st;
	struct pcap_run *run;
	/* the data callback being handled, for naming what the framer reports */
	const struct sl_tcp_data *cur;
};

struct pcap_run {
	void *ctx;
	struct sl_decode_out *o;
	size_t max_pdu;
	struct llist_head dirs;
	uint64_t index;
};

static void where_of(struct tap_dir *td, uint64_t off, struct sl_decode_where *w)
{
	memset(w, 0, sizeof(*w));
	w->offset = off;
	w->capture = true;
	w->frame = td->cur->frame;
	w->ts_us = td->cur->ts_us;
	w->src = td->cur->src;
	w->dst = td->cur->dst;
}

static void on_pdu(void *priv, const uint8_t *p, size_t n, uint64_t off)
{
	struct tap_dir *td = priv;
	struct sl_decode_where w;

	where_of(td, off, &w);
	w.index = ++td->run->index;
	sl_decode_out_pdu(td->run->o, &w, p, n);
}

static void on_error(void *priv, uint64_t off, const char *msg)
{
	struct tap_dir *td = priv;
	struct sl_decode_where w;

	where_of(td, off, &w);
	sl_decode_out_error(td->run->o, &w, msg);
}

static struct tap_dir *dir_find(struct pcap_run *r, const struct sl_tcp_data *d, bool create)
{
	static const struct sl_pdu_stream_ops ops = { .pdu = on_pdu, .error = on_error };
	struct tap_dir *td;

	llist_for_each_entry(td, &r->dirs, list)
		if (td->flow_id == d->flow_id && td->dir == d->dir)
			return td;
	if (!create)
		return NULL;
	td = talloc_zero(r->ctx, struct tap_dir);
	if (!td)
		return NULL;
	td->flow_id = d->flow_id;
	td->dir = d->dir;
	td->run = r;
	td->st = sl_pdu_stream_alloc(td, SL_PDU_STREAM_BER, r->max_pdu, &ops, td);
	if (!td->st) {
		talloc_free(td);
		return NULL;
	}
	llist_add_tail(&td->list, &r->dirs);
	return td;
}

static void on_tcp_data(const struct sl_tcp_data *d, void *priv)
{
	struct pcap_run *r = priv;
	/* a direction that never carried a byte needs no framer: its END says nothing */
	struct tap_dir *td = dir_find(r, d, d->kind != SL_TCP_DATA_END);

	if (!td) {
		if (d->kind != SL_TCP_DATA_END)
			r->o->write_failed = true; /* out of memory: the output is incomplete */
		return;
	}
	td->cur = d;
	switch (d->kind) {
	case SL_TCP_DATA_BYTES:
		sl_pdu_stream_feed(td->st, d->p, d->len);
		break;
	case SL_TCP_DATA_GAP:
		sl_pdu_stream_gap(td->st, d->gap);
		break;
	case SL_TCP_DATA_END:
		sl_pdu_stream_end(td->st);
		llist_del(&td->list);
		talloc_free(td);
		return;
	}
	td->cur = NULL;
}

int sl_decode_pcap(void *ctx, const char *file, const uint16_t *ports, unsigned n_ports, size_t max_pdu,
		   struct sl_decode_out *o)
{
	struct pcap_run r = { .ctx = ctx, .o = o, .max_pdu = max_pdu };
	struct sl_capture_ops ops = { .tcp_data = on_tcp_data, .priv = &r };
	struct sl_source_cfg scfg;
	struct sl_capture_cfg cfg;
	struct sl_source *src;
	struct sl_capture *cap;
	struct sl_frame f;
	char err[256];
	unsigned i;
	enum sl_source_rc rc;
	int status = 0;

	INIT_LLIST_HEAD(&r.dirs);
	sl_source_cfg_default(&scfg);
	scfg.name = file;
	src = sl_source_open(ctx, &scfg, 0, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "sluice decode: %s\n", err);
		return 1;
	}
	if (!sl_capture_linktype_supported(src->linktype)) {
		fprintf(stderr, "sluice decode: %s: link type %s (%d) is not supported\n", file,
			pcap_datalink_val_to_name(src->linktype) ?: "unknown", src->linktype);
		sl_source_close(src);
		return 1;
	}
	sl_capture_cfg_default(&cfg);
	cfg.n_sip_ports = 0;
	for (i = 0; i < n_ports && i < SL_CAPTURE_MAX_TAP_PORTS; i++)
		cfg.tcp_tap_ports[i] = ports[i];
	cfg.n_tcp_tap_ports = i;
	cap = sl_capture_alloc(ctx, &cfg, &ops, 0);
	if (!cap) {
		fprintf(stderr, "sluice decode: %s: out of memory setting up the capture pipeline\n", file);
		sl_source_close(src);
		return 1;
	}
	while ((rc = sl_source_read(src, &f)) == SL_SOURCE_FRAME)
		sl_capture_frame(cap, &f);
	if (rc == SL_SOURCE_ERROR) {
		fprintf(stderr, "sluice decode: %s\n", src->error ? src->error : "read error");
		status = 1;
	}
	/* connections still open at the end: what they hold is framed, a cut last PDU reported */
	sl_capture_flush(cap);
	sl_capture_free(cap);
	sl_source_close(src);
	return status;
}
