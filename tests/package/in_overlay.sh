#!/bin/sh
# Steps 4 to 6 of tests/package/package.sh, which runs this under
# `unshare -m` (a private mount namespace: every mount below vanishes with
# it). The clean root is this machine's system seen through an overlay
# whose upper layer is a temporary directory: the package is installed
# with the real dpkg and maintainer scripts, run in a chroot, and nothing
# of the host changes. The network is the host's, so capture on lo sees
# the test's packets. Environment: WORK (holds upper/ ovl/ root/ and
# upper/sluice.deb), SIPPORT, VTYPORT, MPORT (free ports); writes
# WORK/figures.
set -eu
: "${WORK:?run by tests/package/package.sh}" "${SIPPORT:?}" "${VTYPORT:?}" "${MPORT:?}"
fail() { echo "FAIL: package: $*"; exit 1; }
R=$WORK/root
mount -t overlay overlay -o "lowerdir=/,upperdir=$WORK/upper,workdir=$WORK/ovl" "$R" ||
	fail "cannot mount an overlay of / to install into (no overlayfs here?)"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --rbind /sys "$R/sys"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
in_root() { chroot "$R" "$@"; }
mode() { in_root stat -c '%U:%G %a' "$1"; }

# --- 4. install: the real maintainer scripts ---------------------------------------
in_root dpkg -i /sluice.deb >"$WORK/dpkg-i.log" 2>&1 || { cat "$WORK/dpkg-i.log"; fail "dpkg -i failed"; }
in_root getent passwd sluice | grep -q ':/var/lib/sluice:/usr/sbin/nologin$' ||
	fail "no system user sluice with home /var/lib/sluice ($(in_root getent passwd sluice || true))"
in_root getent group sluice >/dev/null || fail "no group sluice"
[ "$(mode /var/lib/sluice)" = "sluice:sluice 750" ] || fail "/var/lib/sluice is $(mode /var/lib/sluice), expected sluice:sluice 750"
[ "$(mode /var/log/sluice)" = "sluice:sluice 750" ] || fail "/var/log/sluice is $(mode /var/log/sluice), expected sluice:sluice 750"
[ "$(mode /etc/sluice/sluice.cfg)" = "root:sluice 640" ] ||
	fail "/etc/sluice/sluice.cfg is $(mode /etc/sluice/sluice.cfg), expected root:sluice 640"
cfg=$R/etc/sluice/sluice.cfg
grep -q CHANGE-THIS "$cfg" && fail "the installed configuration still holds the placeholder passwords"
grep -Eq '^password [A-Za-z0-9]{20,}$' "$cfg" || fail "no generated view password in /etc/sluice/sluice.cfg"
grep -Eq '^enable password [A-Za-z0-9]{20,}$' "$cfg" || fail "no generated enable password in /etc/sluice/sluice.cfg"
[ "$(grep '^password ' "$cfg" | cut -d' ' -f2)" != "$(grep '^enable password ' "$cfg" | cut -d' ' -f3)" ] ||
	fail "the view and enable passwords are the same"
in_root sluiced -c /etc/sluice/sluice.cfg --check-config >"$WORK/check.out" 2>&1 ||
	{ cat "$WORK/check.out"; fail "the installed configuration does not pass --check-config"; }

unit=/lib/systemd/system/sluiced.service
in_root systemd-analyze verify "$unit" >"$WORK/verify.out" 2>&1 ||
	{ cat "$WORK/verify.out"; fail "systemd-analyze verify $unit failed"; }
if [ -s "$WORK/verify.out" ]; then cat "$WORK/verify.out"; fail "systemd-analyze verify $unit warns"; fi
for k in 'User=sluice' 'Group=sluice' 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN' \
	'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
	'ProtectHome=yes' 'PrivateTmp=yes' 'StateDirectory=sluice' 'LogsDirectory=sluice' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure'; do
	grep -qxF "$k" "$R$unit" || fail "the unit lacks $k"
done
grep -q '^RestrictAddressFamilies=.*AF_PACKET' "$R$unit" || fail "the unit's RestrictAddressFamilies lacks AF_PACKET"
in_root logrotate -d /etc/logrotate.d/sluice >"$WORK/logrotate.out" 2>&1 ||
	{ cat "$WORK/logrotate.out"; fail "logrotate -d rejects /etc/logrotate.d/sluice"; }
if grep -qi 'error' "$WORK/logrotate.out"; then cat "$WORK/logrotate.out"; fail "logrotate -d reports an error"; fi

# --- 5. the unit's command lines as the user sluice, CAP_NET_RAW only --------------
# The installed configuration with free ports, a filter for the test's
# packets and a handover state directory (so the lock is there too).
sed -e "s/^ bind 127.0.0.1 4291\$/ bind 127.0.0.1 $VTYPORT/" \
	-e "s/^ http-listen 127.0.0.1 9291\$/ http-listen 127.0.0.1 $MPORT/" \
	-e "s/^ filter .*/ filter udp port $SIPPORT/" -e '/^ sip-port /d' "$cfg" >"$R/etc/sluice/pkgtest.cfg"
printf 'handover\n operator-id PKGTEST\n state-dir /var/lib/sluice/handover\n' >>"$R/etc/sluice/pkgtest.cfg"
in_root chown root:sluice /etc/sluice/pkgtest.cfg
chmod 0640 "$R/etc/sluice/pkgtest.cfg"
pre=$(sed -n 's/^ExecStartPre=//p' "$R$unit" | sed 's#/etc/sluice/sluice.cfg#/etc/sluice/pkgtest.cfg#')
cmd=$(sed -n 's/^ExecStart=//p' "$R$unit" | sed 's#/etc/sluice/sluice.cfg#/etc/sluice/pkgtest.cfg#')
case $cmd in */etc/sluice/pkgtest.cfg*) ;; *) fail "ExecStart does not read /etc/sluice/sluice.cfg: $cmd" ;; esac
as_sluice() { # CAPS command...: as the unit runs it (User=, Group=, Ambient/Bounding caps, NoNewPrivileges)
	caps=$1
	shift
	in_root setpriv --reuid=sluice --regid=sluice --init-groups --no-new-privs \
		--inh-caps="-all$caps" --ambient-caps="-all$caps" --bounding-set="-all$caps" -- "$@"
}
# shellcheck disable=SC2086
as_sluice ,+net_raw $pre >"$WORK/pre.out" 2>&1 || { cat "$WORK/pre.out"; fail "ExecStartPre ($pre) fails as sluice"; }
# without the capability capture cannot open: it is what makes it work
# shellcheck disable=SC2086
if as_sluice "" $cmd >"$WORK/nocap.err" 2>&1; then fail "sluiced ran as sluice without CAP_NET_RAW"; fi
grep -qi 'permission\|not permitted\|CAP_NET_RAW' "$WORK/nocap.err" ||
	{ cat "$WORK/nocap.err"; fail "without CAP_NET_RAW sluiced does not say why it cannot capture"; }

t0=$(date +%s%N)
# a simple command, not a function, so that $! is the process that becomes
# sluiced (chroot and setpriv exec it)
# shellcheck disable=SC2086
chroot "$R" setpriv --reuid=sluice --regid=sluice --init-groups --no-new-privs \
	--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw -- \
	$cmd >"$WORK/d.out" 2>"$WORK/d.err" &
pid=$!
echo $pid >"$WORK/daemon.pid"
n=0
until grep -qs "running as" "$WORK/d.err"; do
	n=$((n + 1))
	[ $n -le 300 ] || { cat "$WORK/d.err"; fail "sluiced did not start within 30 s"; }
	kill -0 $pid 2>/dev/null || { cat "$WORK/d.err"; fail "sluiced exited at start as sluice with CAP_NET_RAW"; }
	sleep 0.1
done
start_ms=$((($(date +%s%N) - t0) / 1000000))
st=/proc/$pid/status
uid=$(in_root id -u sluice)
grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid" $st || { grep Uid $st; fail "sluiced is not running as sluice"; }
for c in CapEff CapPrm CapAmb; do
	grep -q "^$c:[[:space:]]*0000000000000000" $st || { grep Cap $st; fail "sluiced kept capabilities ($c) once capturing"; }
done
grep -q "^NoNewPrivs:[[:space:]]*1" $st || fail "no_new_privs is not set"
grep -q "^$pid\$" "$R/var/lib/sluice/handover/sluiced.lock" 2>/dev/null ||
	fail "the state directory lock does not hold sluiced's PID ($(cat "$R/var/lib/sluice/handover/sluiced.lock" 2>&1))"

python3 - "$SIPPORT" "$R/var/log/sluice/events.json" <<'PY' || { tail -n 20 "$WORK/d.err"; fail "no event for a SIP INVITE sent over loopback"; }
import socket, sys, time
port, events = int(sys.argv[1]), sys.argv[2]
cid = "pkgtest-call-1"
msg = ("INVITE sip:bob@example.net SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-%s\r\n"
       "From: <sip:alice@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\n"
       "Call-ID: %s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n") % (cid, cid)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 20
while time.time() < end:
    s.sendto(msg.encode(), ("127.0.0.1", port))
    time.sleep(0.2)
    try:
        with open(events) as f:
            if cid in f.read():
                sys.exit(0)
    except FileNotFoundError:
        pass
sys.exit(1)
PY
[ "$(mode /var/log/sluice/events.json)" = "sluice:sluice 640" ] ||
	fail "the events file is $(mode /var/log/sluice/events.json), expected sluice:sluice 640"

python3 - "$VTYPORT" <<'PY' || fail "the console does not ask for a password"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.3)
out, end = b"", time.time() + 5
while time.time() < end and b"Password:" not in out:
    try:
        d = s.recv(4096)
        if not d:
            break
        out += d
    except socket.timeout:
        pass
sys.exit(0 if b"Password:" in out else 1)
PY
in_root sluice status --url "http://127.0.0.1:$MPORT/health" >"$WORK/status.out" 2>&1 ||
	{ cat "$WORK/status.out"; fail "sluice status says the installed sluiced is not healthy"; }
rss_kb=$(awk '/^VmHWM:/ { print $2 }' $st)

kill -TERM $pid
n=0
while kill -0 $pid 2>/dev/null && [ "$(ps -o stat= -p $pid | cut -c1)" != Z ]; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "sluiced did not stop within 30 s of SIGTERM"
	sleep 0.1
done
rc=0
wait $pid || rc=$?
rm -f "$WORK/daemon.pid"
[ $rc -eq 0 ] || { tail -n 20 "$WORK/d.err"; fail "sluiced exited $rc on SIGTERM"; }

# --- 5b. every system call sluiced makes is one SystemCallFilter= allows --------------
# (systemd does not run here: a call outside the filter would fail with
# EPERM under the unit and nowhere else). Again as sluice with CAP_NET_RAW,
# under strace: start, capture an INVITE, SIGUSR1, SIGHUP, SIGTERM.
filter=$(sed -n 's/^SystemCallFilter=//p' "$R$unit")
[ -n "$filter" ] || fail "the unit has no SystemCallFilter="
rm -f "$R/var/log/sluice/events.json"
# shellcheck disable=SC2086
strace -f -qq -o "$WORK/strace.txt" chroot "$R" setpriv --reuid=sluice --regid=sluice --init-groups --no-new-privs \
	--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw -- \
	$cmd >"$WORK/s.out" 2>"$WORK/s.err" &
spid=$!
echo $spid >"$WORK/daemon.pid"
n=0
until grep -qs "running as" "$WORK/s.err"; do
	n=$((n + 1))
	[ $n -le 300 ] || { cat "$WORK/s.err"; fail "sluiced under strace did not start within 30 s"; }
	sleep 0.1
done
python3 - "$SIPPORT" <<'PY'
import socket, sys
msg = (b"INVITE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-s\r\n"
       b"From: <sip:alice@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: pkgtest-strace\r\n"
       b"CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5):
    s.sendto(msg, ("127.0.0.1", int(sys.argv[1])))
PY
sleep 1
dpid=$(pgrep -P $spid) || fail "no process under strace"
kill -USR1 "$dpid"
sleep 0.3
kill -HUP "$dpid"
sleep 0.3
kill -TERM "$dpid"
n=0
while kill -0 $spid 2>/dev/null; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "sluiced under strace did not stop within 30 s of SIGTERM"
	sleep 0.1
done
rm -f "$WORK/daemon.pid"
grep -q "shutting down" "$WORK/s.err" || { tail -n 20 "$WORK/s.err"; fail "sluiced under strace did not shut down cleanly"; }
in_root systemd-analyze syscall-filter >"$WORK/groups.txt" 2>&1 || fail "systemd-analyze syscall-filter failed"
python3 - "$WORK/strace.txt" "$WORK/groups.txt" "$filter" <<'PY' || fail "sluiced makes system calls that the unit's SystemCallFilter=$filter refuses"
import re, sys
trace, groups_file, allowed_spec = sys.argv[1:4]
groups, cur = {}, None
for line in open(groups_file):
    line = line.rstrip()
    if line.startswith("@"):
        cur = line.split()[0]; groups[cur] = set()
    elif cur:
        m = re.match(r"^\s+([@\w-]+)", line)
        if m:
            groups[cur].add(m.group(1))
def expand(names):
    out = set()
    for x in names:
        out |= expand(groups.get(x, ())) if x.startswith("@") else {x}
    return out
allowed = expand(allowed_spec.split()) | expand(["@default"])
# the calls of sluiced only: from its execve on, in the process that made it and its threads
used, pids = set(), set()
for line in open(trace):
    m = re.match(r"^(\d+)\s+(\w+)\(", line)
    if not m:
        m2 = re.match(r"^(\d+)\s+<\.\.\. (\w+) resumed", line)
        if m2 and m2.group(1) in pids:
            used.add(m2.group(2))
        continue
    pid, call = m.groups()
    if call == "execve" and line.split("(", 1)[1].startswith('"/usr/sbin/sluiced",'):
        pids.add(pid)
    elif pid in pids:
        used.add(call)
    if call in ("clone", "clone3") and pid in pids:
        r = re.search(r"= (\d+)$", line.strip())
        if r:
            pids.add(r.group(1))
if not pids:
    print("FAIL: package: no execve of /usr/sbin/sluiced in the trace"); sys.exit(1)
bad = sorted(used - allowed)
if bad:
    print("FAIL: package: not allowed by SystemCallFilter: " + " ".join(bad)); sys.exit(1)
print("package: %d distinct system calls of sluiced, all allowed by SystemCallFilter=%s" % (len(used), allowed_spec))
PY

# --- 6. purge ------------------------------------------------------------------------
in_root dpkg --purge sluice >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "dpkg --purge failed"; }
[ -e "$R/var/log/sluice" ] && fail "purge left /var/log/sluice"
[ -e "$R/etc/sluice/sluice.cfg" ] && fail "purge left /etc/sluice/sluice.cfg"
[ -d "$R/var/lib/sluice" ] || fail "purge removed /var/lib/sluice (spools, audit log)"
printf 'start_s=%s.%03d\nrss_kb=%s\n' $((start_ms / 1000)) $((start_ms % 1000)) "$rss_kb" >"$WORK/figures"
