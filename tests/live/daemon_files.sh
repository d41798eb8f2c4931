#!/bin/sh
# sluiced end to end, no privileges needed: a configuration with two
# capture-file sources and an events file; the VTY answers `show capture`
# and `show stats` over telnet; the events the daemon writes equal what
# `sluice extract` prints for the same files (one pipeline, two front
# ends); a bad configuration line is refused with exit status 1, naming
# the file and the line number; an unreadable file says permission denied.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}" "${PCAPS:?}"
. "$top_srcdir/tests/live/common.sh"
live_init files
f1="$PCAPS/pkts__sipp.pcap" f2="$PCAPS/sngrep__aaa.pcap"
port=$(freeport)

cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
capture
 source file $f1
 source file $f2
 country-code 972
 tcp-hole-timeout 500
 max-tcp-ooo-bytes 1048576
 max-frag-datagrams 512
 events-file $work/events.json
line vty
 bind 127.0.0.1 $port
 no login
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" 2>"$work/stderr" &
pid=$!
pids="$pid"

PYTHONPATH="$top_srcdir/tests/live" python3 - "$port" "$work" <<'PY' || exit 1
import re, sys, time
from vty_session import session as vty_session
port, work = int(sys.argv[1]), sys.argv[2]
def session(cmds):
    return vty_session(port, cmds)
for _ in range(50):
    cap = session(["show capture"])
    if "files: all read" in cap:
        break
    time.sleep(0.2)
else:
    sys.exit("FAIL: files never finished:\n" + cap)
fail = []
for want in ("sip messages   111 (udp 111", "calls          9 attempts", "registrations  9", "dialog:calls 9",
             "handover counters: lawful delivery not configured"):
    if want not in cap:
        fail.append("show capture lacks %r" % want)
if not re.search(r"^  tcp out-of-order bytes +0 / 1048576 +\(max-tcp-ooo-bytes\)", cap, re.M):
    fail.append("show capture lacks the out-of-order limit beside its fill")
if not re.search(r"^  fragment datagrams +0 / 512 +\(max-frag-datagrams\)", cap, re.M):
    fail.append("show capture lacks the fragment datagram limit (max-frag-datagrams 512) beside its fill")
stats = session(["enable", "show stats"])
if "Frames read from this source" not in stats or "SIP" not in stats:
    fail.append("show stats lacks the capture counters")
conf = session(["enable", "show running-config"])
if "country-code 972" not in conf or "source file" not in conf or "tcp-hole-timeout 500" not in conf \
        or "max-tcp-ooo-bytes 1048576" not in conf or "max-frag-datagrams 512" not in conf:
    fail.append("show running-config does not write the capture node back")
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
stop_within 60 TERM $pid
rc=$?
pids=""
[ $rc -eq 0 ] || { echo "FAIL: sluiced exited $rc on SIGTERM"; cat "$work/stderr"; exit 1; }

"$top_builddir/src/sluice" extract -q --no-progress --country-code 972 -r "$f1" -r "$f2" >"$work/extract.json" ||
	{ echo "FAIL: sluice extract"; exit 1; }
sort "$work/events.json" >"$work/a"
sort "$work/extract.json" >"$work/b"
if ! cmp -s "$work/a" "$work/b"; then
	echo "FAIL: daemon events differ from sluice extract:"; diff "$work/a" "$work/b" | head -20; exit 1
fi
echo "daemon: $(wc -l <"$work/events.json") events, identical to sluice extract"

printf '! a comment\nline vty\n no login\ncapture\n source file x.pcap\n max-dialogs lots\n' >"$work/bad.cfg"
if "$top_builddir/src/sluiced" -c "$work/bad.cfg" >"$work/bad.out" 2>&1; then
	echo "FAIL: sluiced accepted an invalid configuration"; exit 1
fi
grep -q "bad.cfg: line 6 refused" "$work/bad.out" || { echo "FAIL: the error does not name the file and line 6:"; cat "$work/bad.out"; exit 1; }
cp "$work/bad.cfg" "$work/unreadable.cfg"
chmod 000 "$work/unreadable.cfg"
if [ "$(id -u)" -eq 0 ]; then
	su nobody -s /bin/sh -c "'$top_builddir/src/sluiced' -c '$work/unreadable.cfg'" >"$work/bad.out" 2>&1
else
	"$top_builddir/src/sluiced" -c "$work/unreadable.cfg" >"$work/bad.out" 2>&1
fi
grep -q "unreadable.cfg: permission denied" "$work/bad.out" || { echo "FAIL: an unreadable file is not reported as such:"; cat "$work/bad.out"; exit 1; }
if "$top_builddir/src/sluiced" -c "$work/missing.cfg" >"$work/bad.out" 2>&1; then
	echo "FAIL: sluiced started without its configuration file"; exit 1
fi
grep -q "missing.cfg: no such file" "$work/bad.out" || { echo "FAIL: unclear error:"; cat "$work/bad.out"; exit 1; }
exit 0
