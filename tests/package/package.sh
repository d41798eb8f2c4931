#!/bin/sh
# The Debian package, built and installed as an operator would, then run as
# its unit runs sluiced (scripts/test.sh runs this after make distcheck; it
# is not part of make check):
#   1. dpkg-buildpackage -b -us -uc from a clean copy of the tree: the
#      `make dist` tarball given as $1 (what is released), else the files
#      git tracks, as they are in the work tree;
#   2. lintian: any error fails (warnings are printed);
#   3. the file list: programs, man pages (rendered by man without a
#      warning), configuration, unit, logrotate;
#   4. installed with dpkg -i into a clean root: this machine's system seen
#      through a throw-away overlay (a private mount namespace, chroot), so
#      the real maintainer scripts run (user sluice, directories,
#      passwords) and nothing of the host changes. Then: the user, modes
#      and owners, passwords no longer the placeholders, `systemd-analyze
#      verify` of the unit, `logrotate -d` of its file;
#   5. the unit's ExecStartPre and ExecStart command lines, as the user
#      sluice with CAP_NET_RAW only (setpriv, no_new_privs as
#      NoNewPrivileges=yes), the installed configuration adapted to free
#      ports and a state directory: it captures on lo, a SIP INVITE sent
#      over loopback becomes an event, the console asks for a password,
#      /health answers, it holds no capability once running, and SIGTERM
#      stops it with status 0;
#   6. dpkg --purge: logs gone, /var/lib/sluice kept.
# Steps 4 to 6 are tests/package/in_overlay.sh, in its own mount namespace.
# Needs root (the overlay, the chroot, capture). Skips only when the
# Debian build tools are missing (scripts/deps.sh package installs them).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tarball=${1:-}
fail() { echo "FAIL: package: $*"; exit 1; }
for t in dpkg-buildpackage dh lintian; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIP: package: $t is missing, so the package cannot be built (scripts/deps.sh package installs it)"
		exit 77
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: package: needs root (an overlay root to install into, capture on lo); CI runs as root"
	exit 1
fi
for t in unshare chroot setpriv systemd-analyze logrotate man python3 strace; do
	command -v $t >/dev/null 2>&1 || { echo "FAIL: package: $t is missing (scripts/deps.sh package)"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pkg.XXXXXX")
chmod 0755 "$work"
cleanup() {
	if [ -f "$work/daemon.pid" ]; then kill -9 "$(cat "$work/daemon.pid")" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }

# --- 1. build from a clean copy ---------------------------------------------------
mkdir "$work/src"
if [ -n "$tarball" ]; then
	tar -xzf "$tarball" -C "$work/src" --strip-components=1 || fail "cannot unpack $tarball"
else
	(cd "$top" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$work/src" ||
		fail "cannot copy the tracked files of $top"
fi
[ -d "$work/src/debian" ] || fail "the source copy has no debian/ (EXTRA_DIST?)"
t0=$(now)
if ! (cd "$work/src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	fail "dpkg-buildpackage failed (log above)"
fi
build_s=$(elapsed "$t0")
deb=$(ls "$work"/sluice_*.deb)
[ -f "$deb" ] || fail "no sluice_*.deb built"
changes=$(ls "$work"/sluice_*.changes)

# --- 2. lintian ----------------------------------------------------------------------
lintian --fail-on error "$changes" >"$work/lintian.out" 2>&1 || {
	cat "$work/lintian.out"
	fail "lintian reports errors"
}
grep -v '^running with root privileges' "$work/lintian.out" || true
lintian_summary="$(grep -c '^E:' "$work/lintian.out" || true) errors, $(grep -c '^W:' "$work/lintian.out" || true) warnings"

# --- 3. file list, man pages ------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' >"$work/list"
for f in ./usr/bin/sluice ./usr/sbin/sluiced ./usr/share/man/man1/sluice.1.gz ./usr/share/man/man8/sluiced.8.gz \
	./usr/share/man/man5/sluice.cfg.5.gz ./etc/sluice/sluice.cfg ./lib/systemd/system/sluiced.service \
	./etc/logrotate.d/sluice ./usr/share/doc/sluice/operating.md.gz ./usr/share/doc/sluice/examples/sluice.cfg; do
	grep -q " $f\$" "$work/list" || fail "$f is not in the package"
done
grep -q '^-rw-r----- root/root ./etc/sluice/sluice.cfg$' "$work/list" ||
	fail "sluice.cfg is shipped as '$(grep sluice.cfg "$work/list" | head -1)', expected -rw-r----- root/root"
dpkg-deb -f "$deb" Depends | grep -q adduser || fail "the package does not depend on adduser"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/sluice/sluice.cfg || fail "sluice.cfg is not a conffile"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/logrotate.d/sluice || fail "the logrotate file is not a conffile"
mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
for m in man1/sluice.1.gz man8/sluiced.8.gz man5/sluice.cfg.5.gz; do
	MANROFFSEQ='' MANWIDTH=80 man --warnings -l "$work/x/usr/share/man/$m" 2>"$work/man.err" >"$work/man.out" ||
		fail "man cannot render $m"
	[ -s "$work/man.err" ] && { cat "$work/man.err"; fail "man warns rendering $m"; }
	grep -q "SEE ALSO" "$work/man.out" || fail "$m has no SEE ALSO"
done
grep -q -- "--check-config" "$work/man.out" && : # sluice.cfg(5) names it
MANROFFSEQ='' man -l "$work/x/usr/share/man/man1/sluice.1.gz" 2>/dev/null | grep -q "SLUICE EXTRACT" ||
	fail "sluice(1) does not describe sluice extract"
MANROFFSEQ='' man -l "$work/x/usr/share/man/man8/sluiced.8.gz" 2>/dev/null | grep -q -- "--check-config" ||
	fail "sluiced(8) does not describe --check-config"
size_kb=$(dpkg-deb -f "$deb" Installed-Size)
deb_kb=$(($(stat -c %s "$deb") / 1024))

# --- 4, 5, 6: in a throw-away overlay of this system ------------------------------------
sipport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
vtyport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir "$work/upper" "$work/ovl" "$work/root"
cp "$deb" "$work/upper/sluice.deb"
SIPPORT=$sipport VTYPORT=$vtyport MPORT=$mport WORK=$work unshare -m sh "$top/tests/package/in_overlay.sh" || exit 1
. "$work/figures"
echo "package: built in ${build_s} s; .deb ${deb_kb} KiB, installed ${size_kb} KiB; lintian: $lintian_summary;" \
	"sluiced as sluice with CAP_NET_RAW: running in ${start_s} s, RSS ${rss_kb} KiB, SIGTERM exit 0"
