/*
 * The audit log in sluiced (docs/audit.md): the `audit` configuration
 * node, opening the log at start and closing it at stop, the records of
 * the daemon's own life (start, stop, configuration loaded, every VTY
 * configuration command, insecure settings in force), and `show audit`.
 *
 * The lawful path records into the same log (daemon_warrants.c: warrants
 * and HI1 notifications; daemon_ho.c: deliveries), always before the
 * action takes effect: records are appended, the log is committed (write
 * and fsync), and only then are spooled records released to the links.
 *
 * VTY configuration commands are recorded by wrapping each command of
 * sluiced's own configuration nodes: the wrapper runs the command, then
 * appends config.change with the session, the node and the digest of the
 * command line (never its text, which can name a target). Commands read
 * from the configuration file at start are covered by config.load.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <osmocom/core/logging.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "capture/log.h"
#include "config.h"
#include "mediation/audit/audit.h"
#include "mediation/audit/hash.h"
#include "src/daemon.h"

enum { SL_AUDIT_NODE = SL_AUTHORITY_NODE + 1 };

static struct sl_daemon *g_d;
static void *g_ctx;
static struct cmd_node audit_node = { .node = SL_AUDIT_NODE, .prompt = "%s(config-audit)# ", .vtysh = 1 };

static void set_str(char **dst, const char *v)
{
	talloc_free(*dst);
	*dst = talloc_strdup(g_d->ctx, v);
}

/* ---- the `audit` node ------------------------------------------------------ */

DEFUN(cfg_audit, cfg_audit_cmd, "audit", "Configure the tamper-evident audit log (docs/audit.md)\n")
{
	vty->node = SL_AUDIT_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_dir, cfg_audit_dir_cmd, "directory PATH",
      "Directory of the log: segments, checkpoints.log, tree.nodes (created 0700)\n" "Path\n")
{
	set_str(&g_d->cfg.audit.dir, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_key, cfg_audit_key_cmd, "signing-key FILE",
      "Ed25519 private key that signs checkpoints (PEM PKCS#8, mode 0600; sluice audit keygen)\n" "File\n")
{
	set_str(&g_d->cfg.audit.key, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_origin, cfg_audit_origin_cmd, "origin NAME",
      "The log's name: the first line of each checkpoint and its signature's key name\n"
      "e.g. li.operator.example/sluice-audit-1\n")
{
	set_str(&g_d->cfg.audit.origin, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_every, cfg_audit_every_cmd, "checkpoint-every <1-10000000>",
      "Sign a checkpoint after this many new records\n" "Records (default 10000)\n")
{
	g_d->cfg.audit.checkpoint_records = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_interval, cfg_audit_interval_cmd, "checkpoint-interval <1-86400>",
      "And at least this often while records arrive\n" "Seconds (default 60)\n")
{
	g_d->cfg.audit.checkpoint_s = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_window, cfg_audit_window_cmd, "commit-window-ms <0-1000>",
      "Group commit: records appended within this window share one fsync (0: fsync each)\n"
      "Milliseconds (default 10)\n")
{
	g_d->cfg.audit.commit_window_ms = (unsigned)strtoul(argv[0], NULL, 10);
	g_d->cfg.audit.commit_window_set = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_sink_dir, cfg_audit_sink_dir_cmd, "sink-directory PATH",
      "Also write each checkpoint here (a directory collected by someone the operator's staff do not control)\n"
      "Path\n")
{
	set_str(&g_d->cfg.audit.sink_dir, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_audit_sink_cmd, cfg_audit_sink_cmd_cmd, "sink-command .CMD",
      "Also run this /bin/sh command with each checkpoint on its standard input\n" "Command line\n")
{
	char *cmd = argv_concat(argv, argc, 0);

	set_str(&g_d->cfg.audit.sink_cmd, cmd);
	talloc_free(cmd);
	return CMD_SUCCESS;
}

static int write_audit(struct vty *vty)
{
	const struct sl_daemon_audit_cfg *a = &g_d->cfg.audit;

	if (!a->dir && !a->key && !a->origin)
		return CMD_SUCCESS;
	vty_out(vty, "audit%s", VTY_NEWLINE);
	if (a->dir)
		vty_out(vty, " directory %s%s", a->dir, VTY_NEWLINE);
	if (a->key)
		vty_out(vty, " signing-key %s%s", a->key, VTY_NEWLINE);
	if (a->origin)
		vty_out(vty, " origin %s%s", a->origin, VTY_NEWLINE);
	if (a->checkpoint_records)
		vty_out(vty, " checkpoint-every %u%s", a->checkpoint_records, VTY_NEWLINE);
	if (a->checkpoint_s)
		vty_out(vty, " checkpoint-interval %u%s", a->checkpoint_s, VTY_NEWLINE);
	if (a->commit_window_set)
		vty_out(vty, " commit-window-ms %u%s", a->commit_window_ms, VTY_NEWLINE);
	if (a->sink_dir)
		vty_out(vty, " sink-directory %s%s", a->sink_dir, VTY_NEWLINE);
	if (a->sink_cmd)
		vty_out(vty, " sink-command %s%s", a->sink_cmd, VTY_NEWLINE);
	return CMD_SUCCESS;
}

/* ---- recording VTY configuration commands ------------------------------------- */

/*
 * Each wrapped command keeps its own function here; the command element
 * gets the wrapper. Only sluiced's own configuration commands are wrapped:
 * they are what decides what is intercepted and where it goes.
 */
struct wrapped {
	struct cmd_element *cmd;
	int (*func)(struct cmd_element *, struct vty *, int, const char *[]);
};
static struct wrapped *g_wrapped;
static unsigned g_n_wrapped;

static void session_name(struct vty *vty, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (vty->type == VTY_FILE) {
		snprintf(buf, len, "config-file");
		return;
	}
	if (vty->fd >= 0 && getpeername(vty->fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	snprintf(buf, len, "vty %s:%u fd %d", a, port, vty->fd);
}

void sl_daemon_audit_command(struct vty *vty, int node_before, const struct cmd_element *cmd, int argc,
			     const char *argv[], int rc)
{
	struct sl_audit_actor actor = { .type = "vty" };
	char session[96], node[16], digest[SL_AUDIT_DIGEST_STRLEN], line[1024];
	unsigned char md[32];
	unsigned n;
	int k;
	json_t *f;

	/* the configuration file is recorded as a whole at start (config.load) */
	if (!g_d->audit || vty->type == VTY_FILE)
		return;
	snprintf(node, sizeof(node), "%d", node_before);
	/* the command as the grammar matched it, with its arguments: digested, never recorded */
	n = (unsigned)snprintf(line, sizeof(line), "%s", cmd->string);
	for (k = 0; k < argc && n < sizeof(line); k++)
		n += (unsigned)snprintf(line + n, sizeof(line) - n, " %s", argv[k]);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	EVP_Digest(line, n, md, NULL, EVP_sha256(), NULL);
	memcpy(digest, "sha256:", 7);
	sl_audit_hex(md, 32, digest + 7);
	session_name(vty, session, sizeof(session));
	actor.id = session;
	f = json_pack("{s:s,s:s,s:s,s:s}", "session", session, "node", node, "command_digest", digest, "result",
		      rc == CMD_SUCCESS ? "ok" : "error");
	if (!f || sl_audit_append(g_d->audit, "config.change", &actor, f, 0) < 0)
		LOGP(DSLSRC, LOGL_ERROR, "audit: the configuration change of %s could not be recorded\n", session);
	json_decref(f);
	sl_audit_commit(g_d->audit);
}

static int audited(struct cmd_element *self, struct vty *vty, int argc, const char *argv[])
{
	int node = vty->node, rc;
	unsigned i;

	for (i = 0; i < g_n_wrapped; i++)
		if (g_wrapped[i].cmd == self)
			break;
	if (i == g_n_wrapped)
		return CMD_WARNING; /* cannot happen: only wrapped commands point here */
	rc = g_wrapped[i].func(self, vty, argc, argv);
	sl_daemon_audit_command(vty, node, self, argc, argv, rc);
	return rc;
}

/* Commands that look or move but change nothing: not recorded. */
static bool changes_nothing(const char *cmd)
{
	static const char *const quiet[] = { "show", "list", "exit", "end", "help", "do ", "quit", "echo" };
	unsigned i;

	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (!strncmp(cmd, quiet[i], strlen(quiet[i])))
			return true;
	return false;
}

void sl_audit_vty_wrap(struct cmd_node *cn)
{
	unsigned i;

	if (!cn || !cn->cmd_vector)
		return;
	for (i = 0; i < vector_active(cn->cmd_vector); i++) {
		struct cmd_element *c = vector_slot(cn->cmd_vector, i);
		struct wrapped *w;
		unsigned k;
		if (!c || c->func == audited || changes_nothing(c->string))
			continue;
		for (k = 0; k < g_n_wrapped; k++)
			if (g_wrapped[k].cmd == c)
				break;
		if (k < g_n_wrapped)
			continue; /* shared by several nodes: wrapped once */
		w = talloc_realloc(g_ctx, g_wrapped, struct wrapped, g_n_wrapped + 1);
		if (!w)
			return;
		g_wrapped = w;
		g_wrapped[g_n_wrapped++] = (struct wrapped){ .cmd = c, .func = c->func };
		c->func = audited;
	}
}

/* ---- opening, the daemon's own records, closing ------------------------------ */

static int file_digest(const char *path, char out[SL_AUDIT_DIGEST_STRLEN])
{
	unsigned char md[32];
	unsigned char buf[65536];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !c) {
		if (fd >= 0)
			close(fd);
		EVP_MD_CTX_free(c);
		return -1;
	}
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(c, buf, (size_t)n);
	close(fd);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	if (n < 0)
		return -1;
	memcpy(out, "sha256:", 7);
	sl_audit_hex(md, 32, out + 7);
	return 0;
}

int sl_daemon_audit_open(struct sl_daemon *d, const char *config_file)
{
	const struct sl_daemon_audit_cfg *a = &d->cfg.audit;
	struct sl_audit_actor sys = { .type = "system", .id = "sluiced" };
	struct sl_audit_actor conf = { .type = "config", .id = config_file };
	struct sl_audit_cfg ac = {
		.dir = a->dir, .key_file = a->key, .origin = a->origin, .checkpoint_records = a->checkpoint_records,
		.checkpoint_ms = a->checkpoint_s * 1000,
		.commit_window_us = a->commit_window_set ? a->commit_window_ms * 1000 : 10000,
		.sink_dir = a->sink_dir, .sink_cmd = a->sink_cmd, .software = "sluiced " PACKAGE_VERSION,
	};
	char digest[SL_AUDIT_DIGEST_STRLEN], *err = NULL;
	json_t *f;

	if (!a->dir && !a->key && !a->origin)
		return 0; /* no audit log configured */
	if (!a->dir || !a->key || !a->origin) {
		LOGP(DSLSRC, LOGL_ERROR, "audit: directory, signing-key and origin are all needed\n");
		return -1;
	}
	if (sl_audit_open(d->ctx, &ac, &d->audit, &err) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "audit: %s\n", err ? err : "cannot open the log");
		return -1;
	}
	sl_audit_osmo_attach(d->audit);
	if (file_digest(config_file, digest) < 0)
		snprintf(digest, sizeof(digest), "sha256:%064d", 0);
	f = json_pack("{s:s,s:s,s:s}", "file", config_file, "digest", digest, "result", "ok");
	sl_audit_append(d->audit, "config.load", &conf, f, 0);
	json_decref(f);
	f = json_pack("{s:s,s:s,s:I}", "version", PACKAGE_VERSION, "config_digest", digest, "pid", (json_int_t)getpid());
	sl_audit_append(d->audit, "daemon.start", &sys, f, 0);
	json_decref(f);
	if (d->cfg.ho.n_ic && d->cfg.ho.lab_intercepts) {
		json_t *liids = json_array();
		unsigned i;
		for (i = 0; i < d->cfg.ho.n_ic; i++)
			json_array_append_new(liids, json_string(d->cfg.ho.ic[i].liid));
		f = json_pack("{s:s,s:o}", "setting", "insecure-configured-intercepts", "liids", liids);
		sl_audit_append(d->audit, "config.insecure", &conf, f, 0);
		json_decref(f);
	}
	for (unsigned i = 0; i < d->cfg.ho.n_dest; i++) {
		if (!d->cfg.ho.dest[i].plain)
			continue;
		f = json_pack("{s:s,s:s}", "setting", "plain-tcp", "destination", d->cfg.ho.dest[i].name);
		sl_audit_append(d->audit, "config.insecure", &conf, f, 0);
		json_decref(f);
	}
	if (d->vty_open) {
		f = json_pack("{s:s}", "setting", "vty-no-login");
		sl_audit_append(d->audit, "config.insecure", &conf, f, 0);
		json_decref(f);
	}
	if (sl_audit_commit(d->audit) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "audit: the start could not be recorded durably\n");
		return -1;
	}
	return 0;
}

void sl_daemon_audit_close(struct sl_daemon *d, const char *reason)
{
	struct sl_audit_actor sys = { .type = "system", .id = "sluiced" };
	json_t *f;

	if (!d->audit)
		return;
	f = json_pack("{s:s}", "reason", reason);
	sl_audit_append(d->audit, "daemon.stop", &sys, f, 0);
	json_decref(f);
	if (sl_audit_close(d->audit, 2000) < 0)
		LOGP(DSLSRC, LOGL_ERROR, "audit: closing the log failed; the last records may lack a checkpoint\n");
	d->audit = NULL;
}

/* ---- show audit ------------------------------------------------------------------ */

DEFUN(show_audit, show_audit_cmd, "show audit",
      SHOW_STR "The audit log: records, durable records, the latest checkpoint\n")
{
	struct sl_audit_status st;
	const char *ck;

	if (!g_d->audit) {
		vty_out(vty, "no audit log configured%s", VTY_NEWLINE);
		return CMD_SUCCESS;
	}
	sl_audit_status(g_d->audit, &st);
	vty_out(vty, "records %" PRIu64 ", durable %" PRIu64 ", segment %s%s", st.size, st.durable,
		st.segment ? st.segment : "-", VTY_NEWLINE);
	vty_out(vty, "latest checkpoint: size %" PRIu64 "%s%s", st.ckpt_size, st.failed ? "; LOG FAILED (reopen)" : "",
		VTY_NEWLINE);
	ck = sl_audit_latest_checkpoint(g_d->audit);
	if (ck) {
		const char *p = ck, *nl;
		while ((nl = strchr(p, '\n'))) {
			vty_out(vty, "  %.*s%s", (int)(nl - p), p, VTY_NEWLINE);
			p = nl + 1;
		}
	}
	return CMD_SUCCESS;
}

void sl_daemon_audit_vty_init(struct sl_daemon *d)
{
	g_d = d;
	g_ctx = d->ctx;
	install_element(CONFIG_NODE, &cfg_audit_cmd);
	install_node(&audit_node, write_audit);
	install_element(SL_AUDIT_NODE, &cfg_audit_dir_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_key_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_origin_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_every_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_interval_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_window_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_sink_dir_cmd);
	install_element(SL_AUDIT_NODE, &cfg_audit_sink_cmd_cmd);
	install_element_ve(&show_audit_cmd);
	sl_audit_vty_wrap(&audit_node);
}
