/*
 * Guards on libosmocore's own console commands: where a console session
 * may make the daemon write files, and what a read-only session may see.
 *
 * libosmocore installs `write file [PATH]`, `write` and `write memory` on
 * every node, `copy running-config startup-config` on the enable node and
 * `log file FILENAME [blocking-io]` on the config node; all create a file
 * wherever the daemon may write, by name. Its VTY has no hook that vets a
 * command before it runs (vty_app_info offers go_parent_cb and config_is_consistent only),
 * no way to uninstall a command, and installing a second command with the
 * same string makes every use of it ambiguous. What it does have is one
 * struct cmd_element per command, shared by every node that lists it,
 * whose func pointer the program may change: the same mechanism
 * sl_audit_vty_wrap() uses to record configuration changes. So each
 * guarded command's func is replaced by a check that calls the previous
 * func only when the check passes. The elements are found by their
 * command string in the node vectors of libosmocore's global `cmdvec`
 * (exported by libosmovty, though its public headers do not declare it);
 * a command that is not found is logged at start, never silently skipped.
 *
 * In the configuration file the commands that write the configuration
 * are refused outright (the file is refused with them): reading or
 * checking a configuration must never write a file. Under --check-config
 * the file's `log file PATH` opens /dev/null instead and `log gsmtap`
 * sends to 127.0.0.1: their nodes still read the lines that follow, and
 * a file someone sent can be checked without creating files or sending
 * packets elsewhere.
 *
 * Confinement (interactive sessions only: the configuration file, read at
 * start, is the operator's own):
 *   write file PATH, and without PATH (or as `write`, `write memory`,
 *     `copy running-config startup-config`) the configuration file itself
 *     (-c), through the same checks and the same writer: PATH's directory
 *     must be the configuration file's directory (or below it), and an
 *     existing PATH must be the configuration file itself or another
 *     *.cfg: the directory usually holds TLS keys, credentials and
 *     databases too, which a configuration text written over them would
 *     destroy;
 *   log file PATH: PATH's directory must be the log directory (top-level
 *     `log-directory DIR`, default /var/log/sluice, or below it) or the
 *     handover state-dir itself (not below it: its subdirectories are the
 *     spools, whose segments are named *.log), and PATH must not exist
 *     unless it is already one of the daemon's log files: log lines
 *     appended to the events file, a spool segment or a state file would
 *     corrupt it (and the events file would carry destinations and LIIDs).
 *     `log-directory` is taken from the configuration file only: a console
 *     session cannot widen its own confinement.
 * Directories are compared after realpath(), so `..` and symbolic links
 * cannot leave them; an existing PATH that is a symbolic link is refused.
 * That check is by name, so the file is then opened without another
 * lookup by name: the directory through the allowed base's descriptor
 * with no symbolic link followed (util/open_beneath.c), the file in it
 * with O_NOFOLLOW, and the opened descriptor fstat()ed (a regular file of
 * one link). The configuration is written here for that reason (a new
 * file renamed over PATH, the old one kept as PATH.sav; a configuration
 * file that is a symbolic link is refused, not followed), recorded as
 * config.change like the commands sl_audit_vty_wrap() wraps, and `log file
 * PATH` hands libosmocore /proc/self/fd/N of the file created here; a
 * writer inside an allowed directory who swaps a component for a link
 * after the check gets a refusal, not a file elsewhere.
 * A refusal answers "% refused: ..." and is recorded as console.refused in
 * the audit log (the path in clear: it names a file, not a person).
 *
 * Read-only sessions (the view node, before `enable`) reveal no target,
 * LIID or destination: `show handover` and `show warrants` are installed
 * on the enable node only (daemon_ho.c, daemon_warrants.c), and the
 * libosmocore commands that would show them indirectly refuse in the view
 * node: live logs (`logging enable`: log lines name destinations and
 * LIIDs), `show alarms` (the last log lines), `show stats` and `show
 * rate-counters` (counter groups are named after destinations and
 * sources), `show talloc-context` (talloc names of strings are their
 * contents).
 *
 * Settings that decide whom deliveries may reach (an authority's
 * trust-anchors, crl, receiver-ca and destination list; a destination's
 * plain-tcp, tls ca and tls verify-name) are taken from the configuration
 * file only (sl_vty_file_only): a console session that could change them
 * could make a receiver of its own choosing acceptable, then move a
 * destination's address to it. For the same reason the libosmocore
 * commands that send log lines or counters to a host of the session's
 * choosing are configuration-file only: `log gsmtap [HOSTNAME]` (log
 * lines name destinations and LIIDs) and `stats reporter statsd [NAME]`
 * with its node's `remote-ip` and `remote-port` (counter groups are named
 * after destinations; an already configured reporter could otherwise be
 * moved). So are two that reach files outside the confinement above:
 * `banner motd file [FILE]` (any file the daemon can read, shown to every
 * session, view sessions included) and sluiced's own `events-file` / `no
 * events-file` in the capture node (the events carry targets' identities;
 * the path takes effect at the next reopen, appending wherever it points).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vector.h>
#include <osmocom/vty/vty.h>

#include "capture/log.h"
#include "mediation/audit/audit.h"
#include "src/daemon.h"
#include "util/open_beneath.h"

/* libosmovty's node table (src/vty/command.c); exported, not declared in its headers. */
extern vector cmdvec;

#define LOG_DIR_DEFAULT "/var/log/sluice"

enum guard_kind { G_WRITE_FILE, G_LOG_FILE, G_VIEW_HIDDEN, G_FILE_ONLY };

struct guarded {
	struct cmd_element *cmd;
	int (*func)(struct cmd_element *, struct vty *, int, const char *[]);
	enum guard_kind kind;
	const char *setting, *why;	/* the name refusals give; G_FILE_ONLY: and why */
};

static struct sl_daemon *g_d;
static char *g_log_dir;	/* log-directory; NULL: LOG_DIR_DEFAULT */
static struct guarded g_guarded[24];
static unsigned g_n_guarded;

static struct cmd_element *find_cmd(int node, const char *string)
{
	struct cmd_node *cn;
	unsigned i;

	if (!cmdvec || (unsigned)node >= vector_active(cmdvec) || !(cn = vector_slot(cmdvec, node)) || !cn->cmd_vector)
		return NULL;
	for (i = 0; i < vector_active(cn->cmd_vector); i++) {
		struct cmd_element *c = vector_slot(cn->cmd_vector, i);

		if (c && c->string && !strcmp(c->string, string))
			return c;
	}
	return NULL;
}

/* true when dir (resolved) is base (resolved into rb) or, unless top_only, below it */
static bool dir_within(const char *dir, const char *base, bool top_only, char rb[PATH_MAX])
{
	size_t n;

	if (!base || !realpath(base, rb))
		return false;
	n = strlen(rb);
	if (n > 1 && rb[n - 1] == '/')
		rb[--n] = '\0';
	if (strncmp(dir, rb, n))
		return false;
	if (dir[n] == '\0')
		return true;
	return !top_only && (dir[n] == '/' || (n == 1 && rb[0] == '/'));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* true when path and other name the same existing file */
static bool same_file(const char *path, const char *other)
{
	struct stat a, b;

	return other && stat(path, &a) == 0 && stat(other, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Where a vetted path is, for opening it without another lookup by name:
 * the allowed base it fell in (resolved), its directory relative to that
 * base ("." for the base itself) and its file name.
 */
struct confined {
	char base[PATH_MAX], rel_dir[PATH_MAX], name[NAME_MAX + 1];
};

/*
 * 0 when path may be written, else -1 with why filled in. bases[i] allows
 * its subdirectories too unless top_only has bit i set. exists tells
 * whether path, an existing regular file inside the bases, may be written
 * (NULL: any may); it fills in why when not. On success *where says where
 * the path is, for open_confined_dir(): the check is by name, and only
 * opening through where closes the window in which a component could be
 * swapped for a symbolic link.
 */
static int path_allowed(const char *path, const char *const *bases, unsigned n_bases, unsigned top_only,
			bool (*exists)(const char *path, const char *base, char *why, size_t len), char *why,
			size_t len, struct confined *where)
{
	char copy[PATH_MAX], rd[PATH_MAX], rb[PATH_MAX], *dir, *base;
	struct stat st;
	bool present;
	unsigned i;

	if (strlen(path) >= sizeof(copy)) {
		snprintf(why, len, "path too long");
		return -1;
	}
	OSMO_STRLCPY_ARRAY(copy, path);
	base = basename(copy);
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		snprintf(why, len, "not a file name");
		return -1;
	}
	OSMO_STRLCPY_ARRAY(copy, path);
	dir = dirname(copy);
	if (!realpath(dir, rd)) {
		snprintf(why, len, "directory %s: %s", dir, strerror(errno));
		return -1;
	}
	present = lstat(path, &st) == 0;
	if (present && !S_ISREG(st.st_mode)) {
		snprintf(why, len, "exists and is not a regular file");
		return -1;
	}
	for (i = 0; i < n_bases; i++)
		if (dir_within(rd, bases[i], (top_only >> i) & 1, rb)) {
			size_t n = strlen(rb);
			const char *rel = rd + n;

			OSMO_STRLCPY_ARRAY(copy, path);
			if (present && exists && !exists(path, basename(copy), why, len))
				return -1;
			while (*rel == '/')
				rel++;
			if (strlen(basename(copy)) >= sizeof(where->name)) {
				snprintf(why, len, "file name too long");
				return -1;
			}
			OSMO_STRLCPY_ARRAY(where->base, rb);
			OSMO_STRLCPY_ARRAY(where->rel_dir, *rel ? rel : ".");
			OSMO_STRLCPY_ARRAY(where->name, basename(copy));
			return 0;
		}
	snprintf(why, len, "%s is outside", rd);
	for (i = 0; i < n_bases; i++)
		if (bases[i])
			snprintf(why + strlen(why), len - strlen(why), "%s %s%s", i ? " and" : "", bases[i],
				 (top_only >> i) & 1 ? " (not below it)" : "");
	return -1;
}

/* write file over an existing file: the configuration file itself or another *.cfg only */
static bool config_may_replace(const char *path, const char *base, char *why, size_t len)
{
	if (ends_with(base, ".cfg") || same_file(path, g_d->config_file))
		return true;
	snprintf(why, len, "exists and is neither the configuration file nor a *.cfg");
	return false;
}

/* log file on an existing file: only one the daemon already logs to */
static bool log_may_append(const char *path, const char *base, char *why, size_t len)
{
	(void)base;
	if (log_target_find(LOG_TGT_TYPE_FILE, path))
		return true;
	snprintf(why, len, "exists and is not one of the daemon's log files: a console session only creates new "
			   "ones");
	return false;
}

/*
 * The directory a vetted path is in, opened from its base without
 * following any symbolic link (util/open_beneath.c: openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or a component walk with
 * O_NOFOLLOW): a component swapped for a link since the check fails here.
 * Returns the descriptor, or -1 with why filled in.
 */
static int open_confined_dir(const struct confined *w, char *why, size_t len)
{
	int basefd, dirfd;

	basefd = open(w->base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0) {
		snprintf(why, len, "%s: %s", w->base, strerror(errno));
		return -1;
	}
	dirfd = sl_open_beneath(basefd, w->rel_dir, O_PATH | O_DIRECTORY, 0);
	close(basefd);
	if (dirfd < 0) {
		snprintf(why, len, "%.1024s/%.1024s changed since it was checked (%s)", w->base, w->rel_dir,
			 strerror(-dirfd));
		return -1;
	}
	return dirfd;
}

/* a regular file with one name only: not a device, and not a hard link to a file kept elsewhere */
static bool plain_file(int fd, char *why, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		snprintf(why, len, "opened, but not a regular file of one link");
		return false;
	}
	return true;
}

/*
 * write file PATH (or the configuration file: write file, write, write
 * memory, copy running-config startup-config) from a console session, done
 * here rather than by libosmocore (whose writer works by name: mkstemp,
 * link, unlink, link, chmod; and which has no file name at all here, since
 * sluiced reads its file through vty_read_config_filep()): the
 * configuration goes to a new file created in the vetted directory's
 * descriptor, fsynced; the old file becomes NAME.sav (whatever NAME.sav
 * was, a symbolic link included, is unlinked first, never followed), and
 * the new one is renamed over NAME, so that NAME always holds a whole
 * configuration. An existing NAME must still pass the check it passed by
 * name (config_may_replace), now seen through the descriptor without
 * following a link: a link swapped in since is refused. 0, or -1 with why
 * filled in.
 */
static int write_config_confined(const struct confined *w, char *why, size_t len)
{
	char tmp[NAME_MAX + 32], sav[NAME_MAX + 8];
	static unsigned serial;
	struct stat st, cfg;
	struct vty *file_vty;
	int dirfd, fd, keep = -1, rc = -1;
	bool exists;
	unsigned i;

	if (strlen(w->name) + 24 > NAME_MAX) {
		snprintf(why, len, "file name too long");
		return -1;
	}
	dirfd = open_confined_dir(w, why, len);
	if (dirfd < 0)
		return -1;
	exists = fstatat(dirfd, w->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && (!S_ISREG(st.st_mode)
		       || !(ends_with(w->name, ".cfg")
			    || (g_d->config_file && stat(g_d->config_file, &cfg) == 0 && cfg.st_dev == st.st_dev
				&& cfg.st_ino == st.st_ino)))) {
		snprintf(why, len, "exists and is neither the configuration file nor a *.cfg");
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.%u.tmp", w->name, (long)getpid(), serial++);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	keep = dup(fd);
	if (keep < 0 || !plain_file(fd, why, len)) {
		if (keep < 0)
			snprintf(why, len, "dup: %s", strerror(errno));
		close(fd);
		goto unlink_tmp;
	}
	file_vty = vty_new();
	if (!file_vty) {
		close(fd);
		snprintf(why, len, "out of memory");
		goto unlink_tmp;
	}
	file_vty->fd = fd;
	file_vty->type = VTY_FILE;
	vty_out(file_vty, "!\n! sluiced configuration saved from the console\n!\n");
	for (i = 0; i < vector_active(cmdvec); i++) {
		struct cmd_node *node = vector_slot(cmdvec, i);

		if (node && node->func && node->func(file_vty))
			vty_out(file_vty, "!\n");
	}
	vty_close(file_vty); /* flushes and closes fd */
	if (fsync(keep) < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if (exists) {
		snprintf(sav, sizeof(sav), "%s.sav", w->name);
		if ((unlinkat(dirfd, sav, 0) < 0 && errno != ENOENT) || linkat(dirfd, w->name, dirfd, sav, 0) < 0) {
			snprintf(why, len, "keeping the old file as %s: %s", sav, strerror(errno));
			goto unlink_tmp;
		}
	}
	if (renameat(dirfd, tmp, dirfd, w->name) < 0) {
		snprintf(why, len, "%s: %s", w->name, strerror(errno));
		goto unlink_tmp;
	}
	fsync(dirfd);
	rc = 0;
	goto out;
unlink_tmp:
	unlinkat(dirfd, tmp, 0);
out:
	if (keep >= 0)
		close(keep);
	close(dirfd);
	return rc;
}

/*
 * log file PATH from a console session: the file is created here, through
 * the vetted directory's descriptor and only if it does not exist yet
 * (O_EXCL: a file that appeared since the check is not one of ours), and
 * libosmocore is given /proc/self/fd/N, which reopens that very file
 * whatever its name now leads to; the target then takes the real path as
 * its name (show running-config, reopen after rotation). A path that
 * already is a log target opens nothing and goes to libosmocore as is.
 */
static int log_file_confined(struct cmd_element *self, const struct guarded *g, struct vty *vty, int argc,
			     const char *argv[], const struct confined *w, char *why, size_t len)
{
	char proc[32];
	const char *args[2];
	struct log_target *t;
	int dirfd, fd, rc;

	if (log_target_find(LOG_TGT_TYPE_FILE, argv[0]))
		return g->func(self, vty, argc, argv);
	dirfd = open_confined_dir(w, why, len);
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, w->name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	close(dirfd);
	if (fd < 0) {
		snprintf(why, len, "%s", errno == EEXIST ? "appeared since it was checked: a console session only "
							   "creates new log files" : strerror(errno));
		return -1;
	}
	if (!plain_file(fd, why, len)) {
		close(fd);
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	args[0] = proc;
	args[1] = argc > 1 ? argv[1] : NULL;
	rc = g->func(self, vty, argc, args);
	t = log_target_find(LOG_TGT_TYPE_FILE, proc);
	if (t) {
		char *name = talloc_strdup(t, argv[0]);

		if (name) {
			talloc_free((char *)t->tgt_file.fname);
			t->tgt_file.fname = name;
		}
	}
	close(fd);
	return rc;
}

static void record_refusal(struct vty *vty, const char *command, const char *path, const char *why)
{
	struct sl_audit_actor actor = { .type = "vty" };
	char session[32];
	json_t *f;

	LOGP(DSLSRC, LOGL_ERROR, "console: %s %s refused: %s\n", command, path, why);
	if (!g_d->audit)
		return;
	snprintf(session, sizeof(session), "vty fd %d", vty->fd);
	actor.id = session;
	f = json_pack("{s:s,s:s,s:s,s:s}", "session", session, "command", command, "path", path, "reason", why);
	if (!f || sl_audit_append(g_d->audit, "console.refused", &actor, f, 0) < 0)
		LOGP(DSLSRC, LOGL_ERROR, "audit: the console refusal could not be recorded\n");
	json_decref(f);
	sl_audit_commit(g_d->audit);
}

static int guard(struct cmd_element *self, struct vty *vty, int argc, const char *argv[])
{
	const char *bases[3] = { NULL };
	const char *cmd_name = NULL, *path = NULL;
	char cfgdir[PATH_MAX], why[PATH_MAX + 256];
	struct confined where;
	unsigned i;
	int rc;

	for (i = 0; i < g_n_guarded; i++)
		if (g_guarded[i].cmd == self)
			break;
	if (i == g_n_guarded)
		return CMD_WARNING; /* cannot happen: only guarded commands point here */
	switch (g_guarded[i].kind) {
	case G_VIEW_HIDDEN:
		if (vty->node == VIEW_NODE) {
			vty_out(vty, "%% refused: this command can reveal targets, LIIDs or destinations; 'enable' first%s",
				VTY_NEWLINE);
			return CMD_WARNING;
		}
		break;
	case G_WRITE_FILE:
		if (vty->type == VTY_FILE) {
			/*
			 * Never from the configuration file: there it would write wherever
			 * the file says, as root, before any check ran (even under
			 * --check-config, which must be safe on a file someone sent).
			 */
			vty_out(vty, "%% refused: %s: writing files is not a configuration command%s",
				g_guarded[i].setting, VTY_NEWLINE);
			return CMD_WARNING;
		}
		/* write, write memory, copy running-config startup-config, write file: the configuration file */
		path = argc >= 1 && argv[0] ? argv[0] : g_d->config_file;
		cmd_name = g_guarded[i].setting;
		if (!path) {
			path = "-";
			snprintf(why, sizeof(why), "sluiced was started without a configuration file");
			goto refuse;
		}
		if (g_d->config_file) {
			OSMO_STRLCPY_ARRAY(cfgdir, g_d->config_file);
			bases[0] = dirname(cfgdir);
		}
		if (path_allowed(path, bases, 1, 0, config_may_replace, why, sizeof(why), &where) < 0
		    || write_config_confined(&where, why, sizeof(why)) < 0)
			goto refuse;
		vty_out(vty, "Configuration saved to %s%s", path, VTY_NEWLINE);
		sl_daemon_audit_command(vty, vty->node, self, argc, argv, CMD_SUCCESS);
		return CMD_SUCCESS;
	case G_FILE_ONLY:
		if (!sl_vty_file_only_why(vty, g_guarded[i].setting, g_guarded[i].why))
			return CMD_WARNING;
		if (g_d->check_only && !strcmp(g_guarded[i].setting, "log gsmtap")) {
			/* --check-config: the target is made (its node's lines follow) but sends to this host only */
			const char *local[1] = { "127.0.0.1" };
			return g_guarded[i].func(self, vty, 1, local);
		}
		break;
	case G_LOG_FILE:
		if (vty->type == VTY_FILE && g_d->check_only && argc >= 1) {
			/* --check-config: the target is made (its node's lines follow) on /dev/null, no file created */
			const char *null_argv[2] = { "/dev/null", argc > 1 ? argv[1] : NULL };
			return g_guarded[i].func(self, vty, argc > 2 ? 2 : argc, null_argv);
		}
		if (vty->type == VTY_FILE || argc < 1)
			break;
		bases[0] = g_log_dir ? g_log_dir : LOG_DIR_DEFAULT;
		bases[1] = g_d->cfg.ho.state_dir;
		cmd_name = "log file";
		path = argv[0];
		/* the state-dir itself only: below it are the spools */
		if (path_allowed(path, bases, 2, 1u << 1, log_may_append, why, sizeof(why), &where) < 0)
			goto refuse;
		rc = log_file_confined(self, &g_guarded[i], vty, argc, argv, &where, why, sizeof(why));
		if (rc == -1)
			goto refuse;
		return rc;
	}
	return g_guarded[i].func(self, vty, argc, argv);
refuse:
	vty_out(vty, "%% refused: %s %s: %s%s", cmd_name, path, why, VTY_NEWLINE);
	record_refusal(vty, cmd_name, path, why);
	return CMD_WARNING;
}

bool sl_vty_file_only_why(struct vty *vty, const char *setting, const char *why)
{
	if (vty->type == VTY_FILE)
		return true;
	vty_out(vty, "%% refused: %s: %s%s", setting, why, VTY_NEWLINE);
	record_refusal(vty, setting, "-", why);
	return false;
}

bool sl_vty_file_only(struct vty *vty, const char *setting)
{
	return sl_vty_file_only_why(vty, setting, "trust settings are read from the configuration file at start only");
}

DEFUN(cfg_log_dir, cfg_log_dir_cmd, "log-directory PATH",
      "Where console sessions may create log files (log file PATH); read from the configuration file only\n"
      "Directory (default " LOG_DIR_DEFAULT ")\n")
{
	if (vty->type != VTY_FILE) {
		vty_out(vty, "%% refused: log-directory is read from the configuration file at start only%s",
			VTY_NEWLINE);
		return CMD_WARNING;
	}
	osmo_talloc_replace_string(g_d->ctx, &g_log_dir, argv[0]);
	return CMD_SUCCESS;
}

void sl_daemon_vty_guard_write(struct vty *vty)
{
	if (g_log_dir)
		vty_out(vty, "log-directory %s%s", g_log_dir, VTY_NEWLINE);
}

static void guard_cmd_as(int node, const char *string, enum guard_kind kind, const char *setting, const char *why)
{
	struct cmd_element *c = find_cmd(node, string);
	unsigned i;

	if (!c) {
		LOGP(DSLSRC, LOGL_ERROR, "console: libosmocore command '%s' not found: not guarded\n", string);
		return;
	}
	for (i = 0; i < g_n_guarded; i++)
		if (g_guarded[i].cmd == c)
			return;
	if (g_n_guarded >= ARRAY_SIZE(g_guarded))
		return;
	g_guarded[g_n_guarded++] =
		(struct guarded){ .cmd = c, .func = c->func, .kind = kind, .setting = setting, .why = why };
	c->func = guard;
}

static void guard_cmd(int node, const char *string, enum guard_kind kind)
{
	guard_cmd_as(node, string, kind, NULL, NULL);
}

void sl_daemon_vty_guard_init(struct sl_daemon *d)
{
	static const char *const view_hidden[] = {
		"logging enable", "show alarms", "show stats [skip-zero]",
		"show stats level (global|peer|subscriber) [skip-zero]", "show rate-counters [skip-zero]",
		"show talloc-context (application|global|all) (full|brief|DEPTH)",
		"show talloc-context (application|global|all) (full|brief|DEPTH) tree ADDRESS",
		"show talloc-context (application|global|all) (full|brief|DEPTH) filter REGEXP",
	};
	static const char remote[] = "remote log and counter targets are read from the configuration file at start only";
	static const char banner[] = "the banner file is read from the configuration file at start only";
	unsigned i;

	g_d = d;
	install_element(CONFIG_NODE, &cfg_log_dir_cmd);
	/* every command that writes the configuration: one writer, one set of checks */
	guard_cmd_as(ENABLE_NODE, "write file [PATH]", G_WRITE_FILE, "write file", NULL);
	guard_cmd_as(ENABLE_NODE, "write memory", G_WRITE_FILE, "write memory", NULL);
	guard_cmd_as(ENABLE_NODE, "write", G_WRITE_FILE, "write", NULL);
	guard_cmd_as(ENABLE_NODE, "copy running-config startup-config", G_WRITE_FILE,
		     "copy running-config startup-config", NULL);
	guard_cmd(CONFIG_NODE, "log file FILENAME [blocking-io]", G_LOG_FILE);
	for (i = 0; i < ARRAY_SIZE(view_hidden); i++)
		guard_cmd(VIEW_NODE, view_hidden[i], G_VIEW_HIDDEN);
	guard_cmd_as(CONFIG_NODE, "log gsmtap [HOSTNAME]", G_FILE_ONLY, "log gsmtap", remote);
	guard_cmd_as(CONFIG_NODE, "stats reporter statsd [NAME]", G_FILE_ONLY, "stats reporter statsd", remote);
	guard_cmd_as(CFG_STATS_NODE, "remote-ip ADDR", G_FILE_ONLY, "stats reporter remote-ip", remote);
	guard_cmd_as(CFG_STATS_NODE, "remote-port <1-65535>", G_FILE_ONLY, "stats reporter remote-port", remote);
	guard_cmd_as(CONFIG_NODE, "banner motd file [FILE]", G_FILE_ONLY, "banner motd file", banner);
}
