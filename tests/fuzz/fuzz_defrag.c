/*
 * libFuzzer target for capture/ip_defrag.c.
 *
 * The input is a program of operations run against one reassembler with
 * small limits, so eviction by bytes and by count, timeouts and every
 * rejection path are reached from short inputs:
 *
 *   input   := cfg[2] op*
 *   cfg[0]  -> max_bytes = 64 + 16 * cfg[0];  cfg[1] -> max_datagrams = 1 + cfg[1] % 8
 *   op      := 0b00vvvvvv ...fragment | 0b01vvvvvv ...fragment | 0b10vvvvvv ...fragment
 *            | 0b11eeeeee           advance packet time by e * 100 us, expire if e is odd
 *   fragment:= op byte, id u8, offset be16, len u8
 *     op bit 0: IPv6; bit 1: MF; bits 2-3: address pair; bit 4: IPv6 id high bits;
 *     bit 5: payload "corrupted" (bytes disagree with other copies)
 *     offset: bits 0-12 offset / 8, bit 13: misalign by 3 bytes, bits 14-15: protocol pick
 *     len: bit 7 set -> (len & 0x7f) * 8, else len as is (so both MF-legal and odd lengths)
 *
 * Payload bytes are a function of (id, offset) rather than input bytes, so
 * a completed datagram can be checked byte by byte: while no corrupted
 * fragment has been offered, every reassembled byte must equal that
 * function. Invariants (held bytes and datagrams within the limits, output
 * length legal) abort on violation. Everything is freed at the end of each
 * input and the talloc block count must return to its start.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>

#include "capture/cursor.h"
#include "util/hash.h"
#include "capture/ip_defrag.h"
#include "capture/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct log_info fuzz_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static inline uint8_t pattern(uint32_t id, uint32_t off)
{
	return (uint8_t)(off * 7 + (off >> 8) * 3 + id * 13 + (id >> 16));
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool initialised;
	static uint8_t payload[1024];
	struct sl_cursor c = sl_cur(data, size);
	struct sl_defrag_cfg cfg;
	struct sl_defrag *d;
	bool corrupted = false;
	uint64_t now = 1000000;
	uint8_t c0, c1, op;
	size_t blocks;
	void *ctx;

	if (!initialised) {
		/* Logging set up with no target: LOGP stays silent and cheap. */
		log_init(&fuzz_log_info, NULL);
		sl_hash_seed_set(0x5eed);
		initialised = true;
	}
	if (!sl_cur_u8(&c, &c0) || !sl_cur_u8(&c, &c1))
		return 0;

	ctx = talloc_named_const(NULL, 0, "fuzz_defrag");
	blocks = talloc_total_blocks(ctx);
	cfg.max_bytes = 64 + 16 * (size_t)c0;
	cfg.max_datagrams = 1 + c1 % 8;
	cfg.timeout_us = 5000;
	d = sl_defrag_alloc(ctx, &cfg, 0);
	check(d != NULL);

	while (sl_cur_u8(&c, &op)) {
		struct sl_frag f;
		uint8_t idb, lenb, addr[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		uint16_t offw;
		uint8_t *out = NULL;
		size_t out_len = 0, i;
		enum sl_defrag_result res;

		if ((op >> 6) == 3) {
			now += (uint64_t)(op & 0x3f) * 100;
			if (op & 1)
				sl_defrag_expire(d, now);
			continue;
		}
		if (!sl_cur_u8(&c, &idb) || !sl_cur_be16(&c, &offw) || !sl_cur_u8(&c, &lenb))
			break;

		memset(&f, 0, sizeof(f));
		f.version = (op & 1) ? 6 : 4;
		f.more = op & 2;
		addr[15] = (uint8_t)((op >> 2) & 3);
		if (f.version == 6) {
			sl_addr_set6(&f.src, addr);
			addr[15] = 0xff;
			sl_addr_set6(&f.dst, addr);
		} else {
			sl_addr_set4(&f.src, addr + 12);
			addr[15] = 0xff;
			sl_addr_set4(&f.dst, addr + 12);
		}
		f.id = idb;
		if (f.version == 6 && (op & 0x10))
			f.id |= 0xabcd0000u;
		f.proto = (uint8_t)(6 + (offw >> 14));
		f.offset = (uint32_t)(offw & 0x1fff) * 8 + ((offw & 0x2000) ? 3 : 0);
		f.len = (lenb & 0x80) ? (size_t)(lenb & 0x7f) * 8 : lenb;
		for (i = 0; i < f.len; i++)
			payload[i] = pattern(f.id, f.offset + (uint32_t)i);
		if (op & 0x20) {
			corrupted = true;
			for (i = 0; i < f.len; i++)
				payload[i] ^= 0x5a;
		}
		f.data = payload;

		res = sl_defrag_add(d, &f, now, ctx, &out, &out_len);
		if (res == SL_DEFRAG_DONE) {
			check(out != NULL && out_len > 0 && out_len <= 65535);
			check(talloc_get_size(out) == out_len);
			if (!corrupted) {
				for (i = 0; i < out_len; i++)
					check(out[i] == pattern(f.id, (uint32_t)i));
			}
			talloc_free(out);
		} else {
			check(out == NULL && out_len == 0);
		}
		check(sl_defrag_bytes(d) <= cfg.max_bytes);
		check(sl_defrag_datagrams(d) <= cfg.max_datagrams);
		/* Empty fragments are refused, so a datagram in progress always holds bytes. */
		check((sl_defrag_datagrams(d) == 0) == (sl_defrag_bytes(d) == 0));
	}

	sl_defrag_free(d);
	check(talloc_total_blocks(ctx) == blocks);
	talloc_free(ctx);
	return 0;
}
