#!/bin/sh
# Install the Debian 12 packages sluice needs to build and test, only those
# missing. With arguments, only those groups: build, test, tshark, sipp,
# fuzz, nats, package (build and test the Debian package:
# tests/package/package.sh). Uses sudo when not root. Safe to run again.
set -eu

pkgs_build="build-essential autoconf automake libtool pkg-config python3 openssl libpcap-dev libosmocore-dev libtalloc-dev libssl-dev libsqlite3-dev libcmocka-dev libjansson-dev libmicrohttpd-dev"
pkgs_tshark="tshark"
pkgs_sipp="sip-tester"
pkgs_test="python3 python3-yaml python3-cryptography time openssl curl iproute2 chromium strace $pkgs_tshark $pkgs_sipp"
pkgs_fuzz="clang"
pkgs_nats="nats-server libnats-dev"
# dpkg-buildpackage (dpkg-dev), dh, lintian; systemd-analyze, logrotate
# and man for the checks of the installed package; strace for its
# system calls against the unit's SystemCallFilter= (and, in test, for
# the crash injected by tests/live/consent_crash.sh)
pkgs_package="dpkg-dev debhelper lintian systemd logrotate man-db python3 strace"

groups=${*:-build test fuzz}
want=""
for g in $groups; do
	case $g in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	tshark) want="$want $pkgs_tshark" ;;
	sipp) want="$want $pkgs_sipp" ;;
	fuzz) want="$want $pkgs_fuzz" ;;
	nats) want="$want $pkgs_nats" ;;
	package) want="$want $pkgs_package" ;;
	*) echo "deps.sh: unknown group '$g' (build test tshark sipp fuzz nats package)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps.sh: installing$missing" >&2
# tshark asks whether non-root users may capture; answer for it
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
