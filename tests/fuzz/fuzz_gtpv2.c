/*
 * libFuzzer target for capture/gtpv2.c, capture/gtp_handle.c and
 * capture/ue_bind.c: GTPv2-C datagrams decoded and correlated into the
 * UE binding table, with SIP from the bound addresses looked up.
 *
 *   input := record*
 *   record := sel be16-length bytes (a short last record takes what is left)
 *   sel bits 0-1: source node, bits 2-3: destination node (four IPv4
 *                 addresses, so requests and responses meet), bit 4: the
 *                 record is a SIP-looking datagram from the UE address
 *                 10.45.0.x (x = first byte) instead of GTPv2-C,
 *                 bits 5-7: packet-time step 4^k seconds, so sessions time out
 *
 * Each record is first decoded on its own from an exactly sized copy
 * (strings terminated, piggybacked messages inside the datagram), then
 * wrapped in IPv4/UDP and fed to a capture pipeline whose binding table
 * holds four sessions, so eviction runs. At the end the capture is
 * flushed and freed and the talloc block count must be back.
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
#include "capture/gtpv2.h"
#include "capture/log.h"
#include "util/hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct log_info fuzz_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static void on_event(const struct sl_event *ev, void *priv)
{
	volatile char sink = 0;
	unsigned i;

	(void)priv;
	for (i = 0; i < ev->from.n; i++)
		sink ^= ev->from.id[i].value[0];
	if (ev->type == SL_EV_BEARER && ev->u.bearer.procedure)
		sink ^= ev->u.bearer.procedure[0];
	(void)sink;
}

static void decode_alone(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	struct sl_cursor c;
	struct sl_gtpv2_msg m;
	int k;

	if (!b)
		abort();
	if (n)
		memcpy(b, p, n);
	c = sl_cur(b, n);
	for (k = 0; k < 2; k++) {
		if (sl_gtpv2_decode(&c, &m) != SL_GTPV2_OK)
			break;
		if (strnlen(m.imsi, sizeof(m.imsi)) == sizeof(m.imsi) ||
		    strnlen(m.msisdn, sizeof(m.msisdn)) == sizeof(m.msisdn) ||
		    strnlen(m.mei, sizeof(m.mei)) == sizeof(m.mei) || strnlen(m.apn, sizeof(m.apn)) == sizeof(m.apn) ||
		    m.n_bearers > SL_GTPV2_MAX_BEARERS || c.p < b || c.left > n)
			abort();
		if (!m.piggyback)
			break;
	}
	free(b);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IPv4/UDP frame around payload, fed from an exactly sized copy. */
static void feed(struct sl_capture *cap, uint64_t ts_us, uint64_t no, const uint8_t src[4], const uint8_t dst[4],
		 uint16_t sport, uint16_t dport, const uint8_t *p, size_t n)
{
	size_t len = 28 + n;
	uint8_t *f = malloc(len);
	struct sl_frame fr;

	if (!f)
		abort();
	memset(f, 0, 28);
	f[0] = 0x45;
	put16(f + 2, (unsigned)len);
	f[8] = 64;
	f[9] = 17;
	memcpy(f + 12, src, 4);
	memcpy(f + 16, dst, 4);
	put16(f + 20, sport);
	put16(f + 22, dport);
	put16(f + 24, (unsigned)(8 + n));
	if (n)
		memcpy(f + 28, p, n);
	memset(&fr, 0, sizeof(fr));
	fr.ts_us = ts_us;
	fr.number = no;
	fr.linktype = DLT_IPV4;
	fr.data = f;
	fr.caplen = fr.len = (uint32_t)len;
	sl_capture_frame(cap, &fr);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	static const uint8_t nodes[4][4] = { { 192, 0, 2, 1 }, { 192, 0, 2, 2 }, { 192, 0, 2, 3 }, { 10, 4, 128, 21 } };
	static const char sip[] = "REGISTER sip:ims.example SIP/2.0\r\nCall-ID: f\r\nCSeq: 1 REGISTER\r\n"
				  "From: <sip:a@ims.example>;tag=1\r\nTo: <sip:a@ims.example>\r\nContent-Length: 0\r\n\r\n";
	struct sl_capture_cfg cfg;
	struct sl_capture_ops ops = { .event = on_event };
	struct sl_capture *cap;
	void *ctx;
	size_t blocks, off = 0;
	uint64_t ts = 1000000000ull * 1000000, no = 0;

	if (!init) {
		init = true;
		sl_capture_log_base = 0;
		log_init(&fuzz_log_info, NULL);
		sl_hash_seed_set(0x5eed);
	}
	ctx = talloc_named_const(NULL, 0, "fuzz_gtpv2");
	blocks = talloc_total_blocks(ctx);
	sl_capture_cfg_default(&cfg);
	cfg.defrag.max_bytes = 16384;
	cfg.defrag.max_datagrams = 4;
	cfg.flows.max_flows = 4;
	cfg.max_dialogs = 4;
	cfg.max_media = 8;
	cfg.max_rtp_streams = 4;
	cfg.max_ue_sessions = 4;
	cfg.ue_idle_us = 60ull * 1000000;
	cap = sl_capture_alloc(ctx, &cfg, &ops, 0);
	if (!cap)
		abort();
	while (off < size) {
		uint8_t sel = data[off++];
		size_t n = 0;
		const uint8_t *p;

		if (off + 2 <= size) {
			n = (size_t)((data[off] << 8) | data[off + 1]);
			off += 2;
		}
		if (n > size - off)
			n = size - off;
		p = data + off;
		off += n;
		ts += (uint64_t)1000000 << (2 * (sel >> 5));
		no++;
		if (sel & 0x10) {
			uint8_t ue[4] = { 10, 45, 0, n ? p[0] : 0 };

			feed(cap, ts, no, ue, nodes[3], 5060, 5060, (const uint8_t *)sip, sizeof(sip) - 1);
			continue;
		}
		decode_alone(p, n);
		feed(cap, ts, no, nodes[sel & 3], nodes[(sel >> 2) & 3], 2123, 2123, p, n);
	}
	sl_capture_flush(cap);
	sl_capture_free(cap);
	if (talloc_total_blocks(ctx) != blocks)
		abort();
	talloc_free(ctx);
	return 0;
}
