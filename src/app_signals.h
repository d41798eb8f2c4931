/*
 * Stop and reload signals for the programs' osmocom select loops.
 *
 * A flag set from a signal handler and tested before osmo_select_main()
 * loses the race when the signal lands between the test and the poll: the
 * loop then sleeps until some unrelated event, forever on an idle gateway
 * or receiver. Here the signals are blocked and read from a signalfd that
 * the select loop watches, so a SIGTERM always wakes it.
 */
#pragma once

#include <stdbool.h>

struct sl_app_signals {
	volatile bool stop;	/* SIGTERM or SIGINT seen */
	int stop_sig;		/* which one, for the shutdown record */
	void (*on_hup)(void *data);	/* NULL: SIGHUP is not taken over */
	void (*on_usr1)(void *data);	/* NULL: SIGUSR1 and SIGUSR2 are not taken over */
	void *data;
};

/* Blocks SIGTERM, SIGINT (SIGHUP when s->on_hup is set, SIGUSR1 and SIGUSR2
 * when s->on_usr1 is: SIGUSR2 is then logged and ignored, so that no
 * signal a log rotation or a mistaken kill sends ends the daemon without
 * its final records), watches them
 * through a signalfd owned by ctx and ignores SIGPIPE. Once stop is set, a
 * second SIGTERM or SIGINT ends the process at once (exit 128+signal), so
 * a shutdown that hangs can still be interrupted. 0 or -errno. */
int sl_app_signals_init(void *ctx, struct sl_app_signals *s);
