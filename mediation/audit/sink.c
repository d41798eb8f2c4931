/*
 * Checkpoint sinks: places outside the operator's reach where each signed
 * checkpoint also goes, so that a history rewritten later contradicts a
 * checkpoint somebody else holds.
 *   - directory: each checkpoint as checkpoint-<size, 20 digits> (tmp
 *     file, fsync, rename), for collection by another party;
 *   - command: /bin/sh -c <command> started with posix_spawn, the
 *     checkpoint written to its stdin through a non-blocking pipe (a
 *     checkpoint is far smaller than a pipe buffer), reaped with waitpid
 *     WNOHANG from sl_audit_tick(). The caller never waits for it. While
 *     one run is still going, later checkpoints skip the command (counted
 *     as busy): each checkpoint supersedes the ones before it.
 * Failures are counted and logged; they never fail the append path.
 */
#include "mediation/audit/audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/logging.h>

#include "mediation/audit/audit_logcat.h"

extern char **environ;

static void ctr_inc(struct sl_audit_log *log, enum sl_audit_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(log->ctrs, c));
}

static void publish_dir(struct sl_audit_log *log, const char *note, uint64_t size)
{
	char name[64];
	int dfd, rc;

	snprintf(name, sizeof(name), "checkpoint-%020" PRIu64, size);
	dfd = open(log->cfg.sink_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
	} else {
		rc = sl_audit_replace_file(dfd, name, note, strlen(note), !log->cfg.no_fsync);
		close(dfd);
	}
	if (rc < 0) {
		ctr_inc(log, SL_AUDIT_CTR_SINK_DIR_FAIL);
		LOGP(DSLAUDIT, LOGL_ERROR, "audit: checkpoint %" PRIu64 " not written to sink directory %s: %s\n", size,
		     log->cfg.sink_dir, strerror(-rc));
	}
}

static void publish_cmd(struct sl_audit_log *log, const char *note, uint64_t size)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)log->cfg.sink_cmd, NULL };
	int p[2], rc;
	pid_t pid;

	sl_audit_sinks_reap(log, 0);
	if (log->sink_pid > 0) {
		ctr_inc(log, SL_AUDIT_CTR_SINK_CMD_BUSY);
		LOGP(DSLAUDIT, LOGL_NOTICE, "audit: sink command still running; checkpoint %" PRIu64 " not given to it\n",
		     size);
		return;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		ctr_inc(log, SL_AUDIT_CTR_SINK_CMD_FAIL);
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	/* The daemon blocks its stop signals (they arrive on a signalfd) and
	 * ignores SIGPIPE; the command starts with an empty mask and default
	 * actions, or an operator's SIGTERM would not reach it. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		ctr_inc(log, SL_AUDIT_CTR_SINK_CMD_FAIL);
		LOGP(DSLAUDIT, LOGL_ERROR, "audit: cannot start sink command: %s\n", strerror(rc));
		return;
	}
	log->sink_pid = pid;
	/* Never block: a command that does not read just gets EAGAIN'd, and fails on its own. */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	{
		/* A command that exits without reading must not kill us with SIGPIPE. */
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;
		size_t n = strlen(note);
		ssize_t w;

		sigemptyset(&ign.sa_mask);
		sigaction(SIGPIPE, &ign, &old);
		w = write(p[1], note, n);
		sigaction(SIGPIPE, &old, NULL);
		if (w != (ssize_t)n) {
			ctr_inc(log, SL_AUDIT_CTR_SINK_CMD_FAIL);
			LOGP(DSLAUDIT, LOGL_ERROR, "audit: checkpoint %" PRIu64 " not fully written to the sink command\n",
			     size);
		}
	}
	close(p[1]);
}

void sl_audit_sinks_publish(struct sl_audit_log *log, const char *note, uint64_t size)
{
	if (log->cfg.sink_dir)
		publish_dir(log, note, size);
	if (log->cfg.sink_cmd)
		publish_cmd(log, note, size);
}

void sl_audit_sinks_reap(struct sl_audit_log *log, unsigned wait_ms)
{
	int status;
	pid_t r;
	unsigned waited = 0;

	while (log->sink_pid > 0) {
		r = waitpid(log->sink_pid, &status, WNOHANG);
		if (r == log->sink_pid || (r < 0 && errno != EINTR)) {
			if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				ctr_inc(log, SL_AUDIT_CTR_SINK_CMD_FAIL);
				LOGP(DSLAUDIT, LOGL_ERROR, "audit: sink command failed (%s %d)\n",
				     r < 0 ? "waitpid" : WIFEXITED(status) ? "exit" : "signal",
				     r < 0 ? errno : WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			}
			log->sink_pid = 0;
			return;
		}
		if (waited >= wait_ms)
			return;
		{
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			waited += 10;
		}
	}
}
