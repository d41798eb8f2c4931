/*
 * libFuzzer target for capture/tcp_reassembly.c.
 *
 * The input is a program of operations on four stream directions sharing
 * one reassembler with small limits, so per-direction and global give-up,
 * FIN handling, SYN restarts and wrap-around are all reached:
 *
 *   input   := cfg[3] base[4] op*
 *   base[i] -> initial sequence area of direction i: base[i] << 24 | 0x00fff000
 *   cfg     -> max_dir_ooo_bytes = 32 + 8 * cfg[0], max_dir_ooo_segments = 1 + cfg[1] % 16,
 *              max_total_bytes = 64 + 16 * cfg[2]
 *   op      := 0b0xxxxxxx flags offset[be16] len   segment on direction op & 3
 *            | 0b10xxxxxx                           flush direction op & 3
 *            | 0b11xxxxxx                           release direction op & 3
 *     segment: op bit 2: payload "corrupted"; bit 3: len * 16; flags: SL_TCP_* bits;
 *              seq = base[dir] + (int16_t)offset (so segments overlap, repeat and wrap)
 *
 * Payload bytes are a function of the sequence number, so whatever order
 * and overlap the segments come in, every delivered byte can be checked:
 * in the data callback the bytes end at next_seq, and while no corrupted
 * segment has been offered to that direction each must equal the function
 * of its sequence number. After every operation the held bytes must stay
 * within the per-direction limits and add up to the global count; at the
 * end every direction is released, the reassembler freed, and the talloc
 * block count must be back at its start.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>

#include "capture/cursor.h"
#include "capture/log.h"
#include "capture/tcp_reassembly.h"

#define NDIR 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct log_info fuzz_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

struct dir_state {
	struct sl_tcp_half h;
	bool corrupted;
	uint64_t delivered;
};

static inline uint8_t pattern(uint32_t seq)
{
	return (uint8_t)(seq * 11 + (seq >> 8) * 5 + (seq >> 24));
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void on_data(void *priv, const uint8_t *p, size_t n, const struct sl_tcp_origin *at)
{
	struct dir_state *ds = priv;
	/* deliver() has already advanced next_seq past these bytes. */
	uint32_t seq = ds->h.next_seq - (uint32_t)n;
	size_t i;

	(void)at;
	check(n > 0);
	ds->delivered += n;
	if (ds->corrupted)
		return;
	for (i = 0; i < n; i++)
		check(p[i] == pattern(seq + (uint32_t)i));
}

static void on_gap(void *priv, uint32_t n, const struct sl_tcp_origin *at)
{
	(void)priv;
	(void)at;
	check(n > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool initialised;
	static uint8_t payload[255 * 16];
	struct sl_cursor c = sl_cur(data, size);
	struct dir_state ds[NDIR];
	struct sl_tcp_sink sink[NDIR];
	struct sl_tcp_reasm_cfg cfg;
	struct sl_tcp_reasm *r;
	uint32_t base[NDIR];
	uint8_t cb[3], op;
	size_t blocks;
	void *ctx;
	int i;

	if (!initialised) {
		/* Logging set up with no target: LOGP stays silent and cheap. */
		log_init(&fuzz_log_info, NULL);
		initialised = true;
	}
	if (!sl_cur_copy(&c, cb, sizeof(cb)))
		return 0;
	for (i = 0; i < NDIR; i++) {
		uint8_t b;

		if (!sl_cur_u8(&c, &b))
			return 0;
		/* High byte from the input; 0xff puts the stream just before the wrap. */
		base[i] = ((uint32_t)b << 24) | 0x00fff000u;
	}

	ctx = talloc_named_const(NULL, 0, "fuzz_tcp");
	blocks = talloc_total_blocks(ctx);
	cfg.max_dir_ooo_bytes = 32 + 8 * (size_t)cb[0];
	cfg.max_dir_ooo_segments = 1 + cb[1] % 16;
	cfg.max_total_bytes = 64 + 16 * (size_t)cb[2];
	r = sl_tcp_reasm_alloc(ctx, &cfg, 0);
	check(r != NULL);
	for (i = 0; i < NDIR; i++) {
		memset(&ds[i], 0, sizeof(ds[i]));
		sl_tcp_half_init(&ds[i].h);
		sink[i].data = on_data;
		sink[i].gap = on_gap;
		sink[i].priv = &ds[i];
	}

	while (sl_cur_u8(&c, &op)) {
		struct dir_state *d = &ds[op & 3];
		size_t total = 0;

		if (op & 0x80) {
			if (op & 0x40)
				sl_tcp_half_release(r, &d->h);
			else
				sl_tcp_half_flush(r, &d->h, &sink[op & 3]);
		} else {
			struct sl_tcp_seg s;
			uint8_t flags, lenb;
			uint16_t offw;
			uint32_t dseq;
			size_t k;

			if (!sl_cur_u8(&c, &flags) || !sl_cur_be16(&c, &offw) || !sl_cur_u8(&c, &lenb))
				break;
			s.seq = base[op & 3] + (uint32_t)(int32_t)(int16_t)offw;
			s.flags = flags;
			s.len = (op & 8) ? (size_t)lenb * 16 : lenb;
			/* A SYN's data starts one past its sequence number. */
			dseq = s.seq + ((flags & SL_TCP_SYN) ? 1 : 0);
			for (k = 0; k < s.len; k++)
				payload[k] = pattern(dseq + (uint32_t)k);
			if (op & 4) {
				d->corrupted = true;
				for (k = 0; k < s.len; k++)
					payload[k] ^= 0xa5;
			}
			s.data = payload;
			sl_tcp_half_segment(r, &d->h, &s, &sink[op & 3]);
			check(d->h.ooo_bytes <= cfg.max_dir_ooo_bytes);
			check(d->h.ooo_segments <= cfg.max_dir_ooo_segments);
			/* Over the global limit, the direction that crossed it gives up everything it holds. */
			check(sl_tcp_reasm_bytes(r) <= cfg.max_total_bytes || d->h.ooo_segments == 0);
		}
		for (i = 0; i < NDIR; i++) {
			total += ds[i].h.ooo_bytes;
			check(!ds[i].h.fin || ds[i].h.ooo_segments == 0);
			check((ds[i].h.ooo_segments == 0) <= (ds[i].h.ooo_bytes == 0));
		}
		check(total == sl_tcp_reasm_bytes(r));
	}

	for (i = 0; i < NDIR; i++)
		sl_tcp_half_release(r, &ds[i].h);
	check(sl_tcp_reasm_bytes(r) == 0);
	sl_tcp_reasm_free(r);
	check(talloc_total_blocks(ctx) == blocks);
	talloc_free(ctx);
	return 0;
}
