/*
 * The encapsulations the pipeline tests run a SIP message through: every
 * link type sluice decodes and every tunnel, nested the way mirror ports
 * and mobile cores deliver them. The innermost IP packet always goes from
 * PFX_A4/PFX_A6 port `sport` to PFX_B4/PFX_B6 port 5060; tunnel endpoints
 * use PFX_C4/PFX_D4. Shared by the decode tests and the truncation sweeps.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/event.h"
#include "tests/unit/pipeline_frames.h"

#define ENCAP_MAX_OPS 10

struct encap {
	const char *name;
	int dlt;
	bool inner_v6;
	enum sl_transport transport;
	uint16_t sport;
	unsigned n_ops;
	struct pb_op ops[ENCAP_MAX_OPS];	/* innermost first */
};

extern const struct encap pipeline_encaps[];
extern const unsigned pipeline_n_encaps;
