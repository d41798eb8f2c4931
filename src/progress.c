/* Progress line (see progress.h). */
#include "src/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

uint64_t sl_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void sl_progress_init(struct sl_progress *p, int mode)
{
	p->enabled = mode > 0 || (mode < 0 && isatty(STDERR_FILENO));
	p->drawn = false;
	p->start_us = p->last_us = sl_now_us();
	p->tick = 0;
}

void sl_progress_update(struct sl_progress *p, uint64_t frames, uint64_t bytes, off_t pos, off_t total)
{
	uint64_t now;
	double el;

	if (!p->enabled || (++p->tick & 4095))
		return;
	now = sl_now_us();
	if (now - p->last_us < 500000)
		return;
	p->last_us = now;
	el = (double)(now - p->start_us) / 1e6;
	if (total > 0)
		fprintf(stderr, "\r[%3d%%] %llu frames, %.1f MB, %.0f frames/s   ", (int)(100.0 * pos / total),
			(unsigned long long)frames, bytes / 1e6, el > 0 ? frames / el : 0.0);
	else
		fprintf(stderr, "\r%llu frames, %.1f MB, %.0f frames/s   ", (unsigned long long)frames, bytes / 1e6,
			el > 0 ? frames / el : 0.0);
	p->drawn = true;
}

void sl_progress_done(struct sl_progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r%60s\r", "");
	p->drawn = false;
}
