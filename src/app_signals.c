/*
 * Signals through osmo_signalfd (see app_signals.h for why).
 */
#include "src/app_signals.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>

#include "capture/log.h"

static void on_signalfd(struct osmo_signalfd *osfd, const struct signalfd_siginfo *si)
{
	struct sl_app_signals *s = osfd->data;
	sigset_t stop_set;

	switch (si->ssi_signo) {
	case SIGHUP:
		LOGP(DSLSRC, LOGL_NOTICE, "SIGHUP: reloading\n");
		if (s->on_hup)
			s->on_hup(s->data);
		return;
	case SIGUSR1:
		LOGP(DSLSRC, LOGL_NOTICE, "SIGUSR1: reopening log and output files\n");
		if (s->on_usr1)
			s->on_usr1(s->data);
		return;
	case SIGUSR2:
		LOGP(DSLSRC, LOGL_NOTICE, "SIGUSR2: ignored\n");
		return;
	case SIGTERM:
	case SIGINT:
		s->stop = true;
		s->stop_sig = (int)si->ssi_signo;
		/* A second stop signal during a shutdown that hangs ends the
		 * process: back to the default action, unblocked. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		sigemptyset(&stop_set);
		sigaddset(&stop_set, SIGTERM);
		sigaddset(&stop_set, SIGINT);
		sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
		return;
	default:
		return;
	}
}

int sl_app_signals_init(void *ctx, struct sl_app_signals *s)
{
	sigset_t set;

	s->stop = false;
	s->stop_sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (s->on_hup)
		sigaddset(&set, SIGHUP);
	if (s->on_usr1) {
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGUSR2);
	}
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	if (!osmo_signalfd_setup(ctx, set, on_signalfd, s))
		return -EIO;
	return 0;
}
