/*
 * Who may use the console. The VTY can change what is intercepted and
 * where it goes, so sluiced does not open it to anyone who can reach the
 * port: the configuration must either ask for passwords (libosmocore's
 * `password` and `enable password` at the top level, `login` under
 * `line vty`) or say explicitly, with `no login` under `line vty`, that
 * this is a lab where any local user may use it, which is then logged and
 * recorded in the audit log at every start. A file that says neither is
 * refused: the default must not be an open console.
 *
 * libosmocore keeps these settings private, so they are read from the
 * configuration file's text: top-level `password` / `enable password`
 * lines, `login` / `no login` inside the `line vty` block.
 */
#include <stdio.h>
#include <string.h>

#include "src/daemon.h"

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_cmd(const char *p, const char *cmd)
{
	size_t n = strlen(cmd);

	return !strncmp(p, cmd, n) && (p[n] == 0 || p[n] == ' ' || p[n] == '\t' || p[n] == '\r' || p[n] == '\n');
}

enum sl_vty_auth sl_daemon_vty_auth(const char *config_file)
{
	char line[1024];
	bool in_line_vty = false, login = false, no_login = false, pw = false, enable_pw = false;
	FILE *f = fopen(config_file, "r");

	if (!f)
		return SL_VTY_AUTH_MISSING;
	while (fgets(line, sizeof(line), f)) {
		const char *p = skip_ws(line);
		bool top = p == line;

		if (*p == '!' || *p == '#' || *p == '\n' || *p == 0)
			continue;
		if (top) {
			in_line_vty = is_cmd(p, "line") && is_cmd(skip_ws(p + 4), "vty");
			if (is_cmd(p, "password"))
				pw = true;
			else if (is_cmd(p, "enable") && is_cmd(skip_ws(p + 6), "password"))
				enable_pw = true;
			continue;
		}
		if (in_line_vty) {
			if (is_cmd(p, "login"))
				login = true, no_login = false;
			else if (is_cmd(p, "no") && is_cmd(skip_ws(p + 2), "login"))
				no_login = true, login = false;
		}
	}
	fclose(f);
	if (login && pw && enable_pw)
		return SL_VTY_AUTH_PASSWORDS;
	if (no_login)
		return SL_VTY_AUTH_LAB_OPEN;
	return login ? SL_VTY_AUTH_INCOMPLETE : SL_VTY_AUTH_MISSING;
}

const char *sl_daemon_vty_auth_problem(enum sl_vty_auth a)
{
	switch (a) {
	case SL_VTY_AUTH_PASSWORDS:
	case SL_VTY_AUTH_LAB_OPEN:
		return NULL;
	case SL_VTY_AUTH_INCOMPLETE:
		return "line vty: login is set but 'password' or 'enable password' (top level) is missing";
	case SL_VTY_AUTH_MISSING:
	default:
		return "the console (line vty) takes no password: set 'password' and 'enable password' at the top "
		       "level and 'login' under 'line vty', or 'no login' under 'line vty' for a lab where any local "
		       "user may change interception";
	}
}
