/*
 * libFuzzer target for the whole capture pipeline (capture.h): link,
 * tunnels, IP with defragmentation, UDP/TCP with reassembly, SIP, SDP,
 * dialogs and RTP streams.
 *
 *   input := sel rest
 *   sel bits 0-2: link type (Ethernet, SLL, SLL2, raw, IPv4, IPv6, NULL, LOOP)
 *   sel bit 7 clear: rest is one frame
 *   sel bit 7 set:   rest is a sequence of frames, each be16 length + bytes
 *                    (a short last frame takes what is left), so fragments,
 *                    TCP segments and whole dialogs span frames
 *   sel bits 3-6: packet-time step between frames, 2^k ms (k = 0..15), so
 *                 timers (fragments, flows, dialogs, streams) fire
 *
 * Every frame is fed from an exactly sized heap copy. Tables are kept
 * small so eviction paths run. At the end the capture is flushed and
 * freed, no dialog may have been refused a state change (a bug in the
 * transition table or its callers), and the talloc block count must be
 * back where it started.
 */
#include <pcap/dlt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "util/hash.h"
#include "capture/log.h"
#include "capture/sip_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct log_info fuzz_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static const int linktypes[8] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP,
};

static unsigned long n_events;

static void on_event(const struct sl_event *ev, void *priv)
{
	/* touch what the event points to, so ASan sees stale views */
	volatile char sink = 0;
	size_t i;

	for (i = 0; i < ev->call_id.len; i++)
		sink ^= ev->call_id.p[i];
	for (i = 0; i < ev->location.len; i++)
		sink ^= ev->location.p[i];
	if (ev->sig && ev->sig->sip)
		for (i = 0; i < ev->sig->sip->raw.len; i++)
			sink ^= ev->sig->sip->raw.p[i];
	(void)sink;
	n_events++;
}

static void on_cc(const struct sl_cc *cc, void *priv)
{
	volatile uint8_t sink = 0;
	size_t i;

	for (i = 0; i < cc->len; i++)
		sink ^= cc->data[i];
	(void)sink;
}

/* Ask for content of every dialog, so the content paths run too. */
static void on_event_cc(const struct sl_event *ev, void *priv)
{
	on_event(ev, priv);
	if (ev->dialog)
		sl_dialog_set_cc(ev->dialog, true);
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void feed(struct sl_capture *cap, int dlt, uint64_t ts, uint64_t number, const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct sl_frame f;

	check(copy != NULL);
	if (n)
		memcpy(copy, p, n);
	memset(&f, 0, sizeof(f));
	f.ts_us = ts;
	f.number = number;
	f.linktype = dlt;
	f.data = copy;
	f.caplen = (uint32_t)n;
	f.len = (uint32_t)n + (number & 1); /* odd frames look snapped */
	sl_capture_frame(cap, &f);
	free(copy);
}

/* The TCP tap: every delivery must stay inside its bytes and name a direction. */
static void on_tcp_data(const struct sl_tcp_data *d, void *priv)
{
	volatile uint8_t sink = 0;
	size_t i;

	check(d->dir == 0 || d->dir == 1);
	for (i = 0; i < d->len; i++)
		sink ^= d->p[i];
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool initialised;
	struct sl_capture_ops ops = { .event = on_event_cc, .cc = on_cc, .tcp_data = on_tcp_data };
	struct sl_capture_cfg cfg;
	struct sl_capture *cap;
	uint64_t ts = 1700000000000000ull, step, number = 0;
	size_t blocks, off;
	uint8_t sel;
	int dlt;
	void *ctx;

	if (!initialised) {
		/* Logging set up with no target: LOGP stays silent and cheap. */
		sl_capture_log_base = 0;
		log_init(&fuzz_log_info, NULL);
		sl_hash_seed_set(0x5eed);
		initialised = true;
	}
	if (size < 1)
		return 0;
	sel = data[0];
	dlt = linktypes[sel & 7];
	step = 1000ull << ((sel >> 3) & 15);

	sl_capture_cfg_default(&cfg);
	cfg.defrag.max_bytes = 16384;
	cfg.defrag.max_datagrams = 4;
	cfg.tcp.max_dir_ooo_bytes = 4096;
	cfg.tcp.max_dir_ooo_segments = 8;
	cfg.tcp.max_total_bytes = 8192;
	cfg.tcp.hole_timeout_us = 4000; /* holes time out within the run at step sizes from 4 ms */
	cfg.flows.max_flows = 4;
	cfg.max_sip_message = 4096;
	cfg.max_stream_bytes = 16384;
	cfg.sip_ports[1] = 5061;
	cfg.sip_ports[2] = 8080;
	cfg.n_sip_ports = 3;
	cfg.tcp_tap_ports[0] = 50001; /* handover streams (sluice decode --pcap) */
	cfg.n_tcp_tap_ports = 1;
	cfg.max_dialogs = 4;
	cfg.max_media = 8;
	cfg.max_rtp_streams = 4;
	cfg.max_tunnel_depth = 3;

	ctx = talloc_named_const(NULL, 0, "fuzz_frame");
	blocks = talloc_total_blocks(ctx);
	cap = sl_capture_alloc(ctx, &cfg, &ops, 0);
	check(cap != NULL);

	if (!(sel & 0x80)) {
		feed(cap, dlt, ts, ++number, data + 1, size - 1);
	} else {
		for (off = 1; off < size;) {
			size_t n;

			if (size - off < 2) {
				n = size - off;
			} else {
				n = (size_t)data[off] << 8 | data[off + 1];
				off += 2;
				if (n > size - off)
					n = size - off;
			}
			feed(cap, dlt, ts, ++number, data + off, n);
			off += n;
			ts += step;
		}
	}
	/* let every timer run, then end the capture */
	sl_capture_advance(cap, ts + step);
	sl_capture_flush(cap);
	/* no input may drive a dialog through a change its transition table forbids */
	check(rate_ctr_group_get_ctr(sl_capture_ctrs(cap, SL_CG_DIALOG), SL_DLG_BAD_TRANSITION)->current == 0);
	sl_capture_free(cap);
	check(talloc_total_blocks(ctx) == blocks);
	talloc_free(ctx);
	return 0;
}
