/*
 * Dropping root and capabilities (see app_privs.h). Raw capget/capset
 * system calls (the v3 interface of linux/capability.h), so no libcap is
 * needed; PR_SET_KEEPCAPS carries the permitted set across setuid().
 */
#include "src/app_privs.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int caps_set(uint64_t mask)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	c[0].effective = c[0].permitted = (uint32_t)mask;
	c[1].effective = c[1].permitted = (uint32_t)(mask >> 32);
	return (int)syscall(SYS_capset, &h, c);
}

static int caps_get(uint64_t *eff, uint64_t *perm)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c) < 0)
		return -1;
	*eff = (uint64_t)c[1].effective << 32 | c[0].effective;
	*perm = (uint64_t)c[1].permitted << 32 | c[0].permitted;
	return 0;
}

int sl_app_become_user(const char *user, const char *group, char *err, size_t errlen)
{
	const uint64_t keep = (1ull << CAP_NET_RAW) | (1ull << CAP_NET_ADMIN);
	struct passwd *pw = getpwnam(user);
	struct group *gr = NULL;
	gid_t gid;

	if (!pw) {
		snprintf(err, errlen, "user '%s' does not exist", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (group) {
		gr = getgrnam(group);
		if (!gr) {
			snprintf(err, errlen, "group '%s' does not exist", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() == pw->pw_uid && getegid() == gid)
		return 0; /* started as that user already (systemd User=) */
	if (geteuid() != 0) {
		snprintf(err, errlen, "running as uid %u: only root can become user '%s'", (unsigned)geteuid(), user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "user '%s' is root: name an unprivileged user", user);
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		snprintf(err, errlen, "cannot become user '%s': %s", user, strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (caps_set(keep) < 0) {
		snprintf(err, errlen, "cannot keep the capture capabilities: %s", strerror(errno));
		return -1;
	}
	/* Paranoia: root must be out of reach now. */
	if (setuid(0) == 0) {
		snprintf(err, errlen, "still able to regain root after dropping it");
		return -1;
	}
	return 0;
}

int sl_app_drop_all_caps(char *err, size_t errlen)
{
	if (caps_set(0) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void sl_app_describe_privs(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());
	uint64_t eff = 0, perm = 0;

	if (caps_get(&eff, &perm) < 0)
		eff = perm = UINT64_MAX;
	snprintf(buf, len, "uid %u (%s) gid %u, capabilities effective %#" PRIx64 " permitted %#" PRIx64,
		 (unsigned)geteuid(), pw ? pw->pw_name : "?", (unsigned)getegid(), eff, perm);
}
