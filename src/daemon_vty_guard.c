/*
 * Guards on libosmocore's own console commands: where a console session
 * may make the daemon write files, and what a read-only session may see.
 *
 * libosmocore installs `write file [PATH]` on every node and `log file
 * FILENAME [blocking-io]` on the config node; both create a file wherever
 * the daemon may write. Its VTY has no hook that vets a command before it
 * runs (vty_app_info offers go_parent_cb and config_is_consistent only),
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
 * Confinement (interactive sessions only: the configuration file, read at
 * start, is the operator's own):
 *   write file PATH: PATH's directory must be the configuration file's
 *     directory (or below it), and an existing PATH must be the
 *     configuration file itself or another *.cfg: the directory usually
 *     holds TLS keys, credentials and databases too, which a configuration
 *     text written over them would destroy;
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
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* libosmovty's node table (src/vty/command.c); exported, not declared in its headers. */
extern vector cmdvec;

#define LOG_DIR_DEFAULT "/var/log/sluice"

enum guard_kind { G_WRITE_FILE, G_LOG_FILE, G_VIEW_HIDDEN, G_FILE_ONLY };

struct guarded {
	struct cmd_element *cmd;
	int (*func)(struct cmd_element *, struct vty *, int, const char *[]);
	enum guard_kind kind;
	const char *setting, *why;	/* G_FILE_ONLY: the name refusals give, and why */
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

/* true when dir (resolved) is base (resolved) or, unless top_only, below it */
static bool dir_within(const char *dir, const char *base, bool top_only)
{
	char rb[PATH_MAX];
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
 * 0 when path may be written, else -1 with why filled in. bases[i] allows
 * its subdirectories too unless top_only has bit i set. exists tells
 * whether path, an existing regular file inside the bases, may be written
 * (NULL: any may); it fills in why when not.
 */
static int path_allowed(const char *path, const char *const *bases, unsigned n_bases, unsigned top_only,
			bool (*exists)(const char *path, const char *base, char *why, size_t len), char *why,
			size_t len)
{
	char copy[PATH_MAX], rd[PATH_MAX], *dir, *base;
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
		if (dir_within(rd, bases[i], (top_only >> i) & 1)) {
			OSMO_STRLCPY_ARRAY(copy, path);
			if (present && exists && !exists(path, basename(copy), why, len))
				return -1;
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
	const char *cmd_name = NULL;
	char cfgdir[PATH_MAX], why[PATH_MAX + 256];
	unsigned i;

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
		if (vty->type == VTY_FILE || argc < 1 || !argv[0])
			break; /* no PATH: the configuration file itself */
		if (g_d->config_file) {
			OSMO_STRLCPY_ARRAY(cfgdir, g_d->config_file);
			bases[0] = dirname(cfgdir);
		}
		cmd_name = "write file";
		if (path_allowed(argv[0], bases, 1, 0, config_may_replace, why, sizeof(why)) < 0)
			goto refuse;
		break;
	case G_FILE_ONLY:
		if (!sl_vty_file_only_why(vty, g_guarded[i].setting, g_guarded[i].why))
			return CMD_WARNING;
		break;
	case G_LOG_FILE:
		if (vty->type == VTY_FILE || argc < 1)
			break;
		bases[0] = g_log_dir ? g_log_dir : LOG_DIR_DEFAULT;
		bases[1] = g_d->cfg.ho.state_dir;
		cmd_name = "log file";
		/* the state-dir itself only: below it are the spools */
		if (path_allowed(argv[0], bases, 2, 1u << 1, log_may_append, why, sizeof(why)) < 0)
			goto refuse;
		break;
	}
	return g_guarded[i].func(self, vty, argc, argv);
refuse:
	vty_out(vty, "%% refused: %s %s: %s%s", cmd_name, argv[0], why, VTY_NEWLINE);
	record_refusal(vty, cmd_name, argv[0], why);
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
	guard_cmd(ENABLE_NODE, "write file [PATH]", G_WRITE_FILE);
	guard_cmd(CONFIG_NODE, "log file FILENAME [blocking-io]", G_LOG_FILE);
	for (i = 0; i < ARRAY_SIZE(view_hidden); i++)
		guard_cmd(VIEW_NODE, view_hidden[i], G_VIEW_HIDDEN);
	guard_cmd_as(CONFIG_NODE, "log gsmtap [HOSTNAME]", G_FILE_ONLY, "log gsmtap", remote);
	guard_cmd_as(CONFIG_NODE, "stats reporter statsd [NAME]", G_FILE_ONLY, "stats reporter statsd", remote);
	guard_cmd_as(CFG_STATS_NODE, "remote-ip ADDR", G_FILE_ONLY, "stats reporter remote-ip", remote);
	guard_cmd_as(CFG_STATS_NODE, "remote-port <1-65535>", G_FILE_ONLY, "stats reporter remote-port", remote);
	guard_cmd_as(CONFIG_NODE, "banner motd file [FILE]", G_FILE_ONLY, "banner motd file", banner);
}
