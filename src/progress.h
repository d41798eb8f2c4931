/*
 * Progress line for long runs: frames, bytes, rate and percent of input on
 * stderr, redrawn in place at most twice a second, only when stderr is a
 * terminal (or when forced), and erased at the end so it never mixes into
 * logs or redirected output.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_progress {
	bool enabled;
	bool drawn;
	uint64_t start_us, last_us;
	unsigned tick;
};

uint64_t sl_now_us(void);
void sl_progress_init(struct sl_progress *p, int mode); /* mode: -1 auto (tty), 0 off, 1 on */
/* Call per frame; cheap: looks at the clock every 4096 calls. total 0 = unknown size. */
void sl_progress_update(struct sl_progress *p, uint64_t frames, uint64_t bytes, off_t pos, off_t total);
void sl_progress_done(struct sl_progress *p);
