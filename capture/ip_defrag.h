/*
 * IPv4 and IPv6 fragment reassembly (RFC 791, RFC 8200 section 4.5).
 *
 * Fragments are held per datagram, keyed by (version, source, destination,
 * identification, protocol). A datagram completes when the fragment with
 * offset 0 and the last fragment (MF clear) are present and no hole remains;
 * the caller then receives the reassembled payload (the bytes after the IP
 * header and any extension headers up to the fragment header) in a fresh
 * talloc buffer it must free.
 *
 * Untrusted input: fragments may overlap, repeat, arrive in any order, lie
 * about their offsets or never complete. Overlapping bytes keep the data
 * that arrived first (the policy most end hosts follow, and the one that
 * stops a later fragment from rewriting an already inspected header).
 * Memory is bounded by max_bytes of held fragment data and max_datagrams
 * datagrams in progress; when a new fragment would exceed either, the
 * oldest datagram is evicted. Datagrams older than timeout_us (packet time)
 * are dropped by sl_defrag_expire. Every outcome is counted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/addr.h"

struct rate_ctr_group;

struct sl_defrag_cfg {
	size_t max_bytes;	/* fragment payload bytes held, all datagrams */
	unsigned max_datagrams;	/* datagrams in progress */
	uint64_t timeout_us;	/* per datagram, from its first fragment */
};

/* Defaults: 4 MiB, 4096 datagrams, 30 s. */
void sl_defrag_cfg_default(struct sl_defrag_cfg *cfg);

struct sl_frag {
	uint8_t version;	/* 4 or 6 */
	uint8_t proto;		/* IPv4 protocol / IPv6 next header after the fragment header */
	struct sl_addr src, dst;
	uint32_t id;		/* 16-bit for IPv4, 32-bit for IPv6 */
	uint32_t offset;	/* in bytes (fragment offset field * 8) */
	bool more;		/* MF flag */
	const uint8_t *data;	/* fragment payload */
	size_t len;
};

enum sl_defrag_result {
	SL_DEFRAG_HELD,		/* stored, datagram not complete yet */
	SL_DEFRAG_DONE,		/* datagram complete: *out and *out_len set */
	SL_DEFRAG_REJECTED,	/* fragment refused (counted): bad length/offset, too big */
};

enum sl_defrag_ctr {
	SL_DEFRAG_CTR_FRAGMENTS,	/* fragments offered */
	SL_DEFRAG_CTR_REASSEMBLED,	/* datagrams completed */
	SL_DEFRAG_CTR_DUPLICATE,	/* fragments entirely covered by held data */
	SL_DEFRAG_CTR_OVERLAP,		/* fragments partly overlapping held data */
	SL_DEFRAG_CTR_TIMEOUT,		/* datagrams dropped incomplete after timeout */
	SL_DEFRAG_CTR_EVICTED,		/* datagrams dropped to respect memory/count limits */
	SL_DEFRAG_CTR_TOO_BIG,		/* fragment would end past 65535 bytes */
	SL_DEFRAG_CTR_MALFORMED,	/* empty non-last fragment, non-multiple-of-8 length with MF, conflicting end */
	_SL_DEFRAG_CTR_COUNT
};

struct sl_defrag;

/* Allocate under ctx. Counters form the rate_ctr group "defrag" with index idx. */
struct sl_defrag *sl_defrag_alloc(void *ctx, const struct sl_defrag_cfg *cfg, unsigned int idx);
void sl_defrag_free(struct sl_defrag *d);

/*
 * Offer one fragment seen at packet time now_us. The fragment's bytes are
 * copied; the caller keeps ownership of f->data. On SL_DEFRAG_DONE, *out is
 * a talloc buffer (child of out_ctx) of *out_len bytes that the caller frees.
 */
enum sl_defrag_result sl_defrag_add(struct sl_defrag *d, const struct sl_frag *f, uint64_t now_us,
				    void *out_ctx, uint8_t **out, size_t *out_len);

/* Drop datagrams whose first fragment is older than the timeout. */
void sl_defrag_expire(struct sl_defrag *d, uint64_t now_us);

struct rate_ctr_group *sl_defrag_ctrs(struct sl_defrag *d);
/* Current usage, for stat items and `show capture`. */
size_t sl_defrag_bytes(const struct sl_defrag *d);
unsigned sl_defrag_datagrams(const struct sl_defrag *d);
