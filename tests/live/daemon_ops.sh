#!/bin/sh
# sluiced as an operator runs it, on a live interface (loopback):
#   - --check-config says OK for a usable file and names each problem of a
#     broken one (file, node, field), exit 1;
#   - a console with no password, not declared open with `no login`, is
#     refused; with passwords, a wrong one is refused, a view session
#     cannot configure or read the running configuration, and enable
#     needs its own password;
#   - started as root with --user nobody it runs as nobody with no
#     capability left (CapEff and CapPrm 0, NoNewPrivs 1) and still
#     captures: a SIP INVITE sent over loopback becomes an event, in an
#     events file created 0640 and owned by nobody;
#   - a second sluiced on the same state directory is refused, naming the
#     first one's PID;
#   - SIGUSR1 after the events file was moved away (log rotation) makes a
#     new one that receives the next event; SIGUSR2 and SIGHUP leave it
#     running; SIGTERM stops it with status 0.
# Needs root (capture and the change of user); CI runs as root.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: this test starts sluiced as root to check that it drops to an unprivileged user; run make check as root, as CI does"
	exit 1
fi
live_init ops
FAIL_TAIL=20
chmod 0755 "$work"
sipport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$work/state" "$work/out"
chown nobody "$work/state" "$work/out"
write_cfg() { # file vtyport console-auth-lines...
	f=$1 p=$2
	shift 2
	{
		printf '%s\n' "$@"
		cat <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $p
 $( [ $# -gt 0 ] && echo login || echo no login )
capture
 source interface lo
 filter udp port $sipport
 sip-port $sipport
 events-file $work/out/events.json
handover
 operator-id OPX
 state-dir $work/state
CFG
	} >"$f"
}
v1=$(freeport) v2=$(freeport)
write_cfg "$work/a.cfg" "$v1" "password view-pw" "enable password enable-pw"
write_cfg "$work/b.cfg" "$v2"
# a console nobody protects, and nobody declared open, is refused
sed -e '/^password/d' -e '/^enable password/d' -e '/^ login/d' "$work/a.cfg" >"$work/open.cfg"
"$B/src/sluiced" -c "$work/open.cfg" >"$work/open.out" 2>&1 && fail "sluiced started with a console that takes no password"
grep -q "the console (line vty) takes no password" "$work/open.out" || { cat "$work/open.out"; fail "no reason given for refusing an open console"; }

# --- --check-config ------------------------------------------------------------
"$B/src/sluiced" -c "$work/a.cfg" --check-config >"$work/check.out" 2>&1 || { cat "$work/check.out"; fail "--check-config refuses a usable file"; }
grep -q "a.cfg: OK" "$work/check.out" || fail "--check-config does not say OK"
sed -e "s#source interface lo#source file $work/missing.pcap#" -e "s#state-dir .*#state-dir /proc/no/such#" \
	"$work/a.cfg" >"$work/bad.cfg"
"$B/src/sluiced" -c "$work/bad.cfg" --check-config >"$work/check-bad.out" 2>&1 && fail "--check-config accepts a broken file"
grep -q "bad.cfg: capture: source file $work/missing.pcap: no such file" "$work/check-bad.out" ||
	{ cat "$work/check-bad.out"; fail "--check-config does not name the missing capture file"; }
grep -q "bad.cfg: handover: state-dir /proc/no/such" "$work/check-bad.out" ||
	{ cat "$work/check-bad.out"; fail "--check-config does not name the unusable state-dir"; }

# --- as nobody, no capabilities, still capturing ---------------------------------
invite() { # call-id
	python3 - "$sipport" "$1" <<'PY'
import socket, sys
port, cid = int(sys.argv[1]), sys.argv[2]
msg = ("INVITE sip:bob@example.net SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-%s\r\n"
       "From: <sip:alice@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\n"
       "Call-ID: %s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n") % (cid, cid)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(msg.encode(), ("127.0.0.1", port))
PY
}
wait_event() { # file call-id
	n=0
	until grep -qs "$2" "$1"; do
		n=$((n + 1))
		[ $n -le 100 ] || return 1
		invite "$2"
		sleep 0.2
	done
}
"$B/src/sluiced" -c "$work/a.cfg" --user nobody >"$work/a.out" 2>"$work/a.err" &
a=$!
pids="$pids $a"
wait_log "$work/a.err" "running as" "sluiced did not start" $a
st=/proc/$a/status
grep -q "^Uid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534" $st || { grep Uid $st; fail "not running as nobody"; }
grep -q "^CapEff:[[:space:]]*0000000000000000" $st || { grep Cap $st; fail "capabilities left effective"; }
grep -q "^CapPrm:[[:space:]]*0000000000000000" $st || { grep Cap $st; fail "capabilities left permitted"; }
grep -q "^NoNewPrivs:[[:space:]]*1" $st || fail "no_new_privs not set"
wait_event "$work/out/events.json" ops-call-1 || fail "no event from live capture after the drop to nobody"
[ "$(stat -c '%a %U' "$work/out/events.json")" = "640 nobody" ] ||
	fail "events file is $(stat -c '%a %U' "$work/out/events.json"), expected 640 nobody"

# --- the console: passwords, view without configuration, enable with its own password ----
PYTHONPATH="$top_srcdir/tests/live" python3 - "$v1" <<'PY' || fail "console authentication"
import sys
from vty_session import Session
sess = Session(int(sys.argv[1]))
def rd(want=None, t=5):
    return sess.read(want, t)
def say(line, want, t=5):
    return sess.say(line, want, t)
fail = []
if "Password:" not in rd(b"Password:"):
    fail.append("no password asked")
if "sluiced>" in say("wrong", "Password:"):
    fail.append("a wrong password was let in")
if "sluiced>" not in say("view-pw", "sluiced>"):
    fail.append("the view password was not accepted")
out = say("configure terminal", "sluiced>")
if "config)#" in out:
    fail.append("a view session reached configuration")
out = say("show running-config", "sluiced>")
if "Current configuration" in out:
    fail.append("a view session read the running configuration")
if "Password:" not in say("enable", "Password:"):
    fail.append("enable asked no password")
if "sluiced#" in say("view-pw", "Password:"):
    fail.append("the view password opened enable")
out = say("enable-pw", "sluiced#")
if "sluiced#" not in out:
    out = say("enable", "Password:") + say("enable-pw", "sluiced#")
if "sluiced#" not in out:
    fail.append("the enable password was not accepted")
for f in fail:
    print("FAIL: console: " + f)
sys.exit(1 if fail else 0)
PY

# --- a second daemon on the same state directory ------------------------------------
"$B/src/sluiced" -c "$work/b.cfg" --user nobody >"$work/b.out" 2>"$work/b.err" &
b=$!
pids="$pids $b"
# it must give up by itself, at once: wait for it (bounded), never signal it
n=0
while kill -0 $b 2>/dev/null && [ "$(ps -o stat= -p $b | cut -c1)" != Z ]; do
	n=$((n + 1))
	[ $n -le 200 ] || { kill -9 $b; fail "a second sluiced on the same state-dir kept running"; }
	sleep 0.1
done
wait $b && fail "a second sluiced on the same state-dir exited 0"
grep -q "state-dir $work/state is in use by another sluiced (PID $a)" "$work/b.err" ||
	{ cat "$work/b.err"; fail "a second sluiced on the same state-dir was not refused with the holder's PID"; }

# --- signals -------------------------------------------------------------------------
mv "$work/out/events.json" "$work/out/events.json.1"
kill -USR1 $a
n=0
until [ -f "$work/out/events.json" ]; do n=$((n + 1)); [ $n -le 100 ] || fail "SIGUSR1 did not reopen the events file"; sleep 0.1; done
wait_event "$work/out/events.json" ops-call-2 || fail "no event in the reopened events file"
grep -q ops-call-2 "$work/out/events.json.1" && fail "an event after SIGUSR1 went to the rotated file"
kill -USR2 $a
kill -HUP $a
# both handled (logged), then the daemon still runs; wait for the log lines, up to 10 s
n=0
until grep -q "SIGUSR2: ignored" "$work/a.err" && grep -q "SIGHUP: reloading" "$work/a.err"; do
	n=$((n + 1)); [ $n -le 100 ] || fail "SIGUSR2 or SIGHUP not logged"
	kill -0 $a 2>/dev/null || fail "SIGUSR2 or SIGHUP ended the daemon"
	sleep 0.1
done
kill -0 $a 2>/dev/null || fail "SIGUSR2 or SIGHUP ended the daemon"
stop_within 30 TERM $a
rc=$?
[ $rc -eq 0 ] || fail "sluiced exited $rc on SIGTERM"
echo "daemon_ops: --check-config, nobody with no capabilities, state-dir lock, SIGUSR1 reopen, SIGUSR2/SIGHUP survive, SIGTERM 0"
