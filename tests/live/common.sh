# Sourced by the live tests: what each of them set up alike, kept in one
# place. Also sources stop.sh (stop_within).
#
#   live_init NAME          work=$(mktemp -d .../sluice-NAME.XXXXXX), B, pids; a trap
#                           kills every pid in $pids and removes $work (kept when KEEP
#                           is set, for a look after a failure); fail MESSAGE prints
#                           the tail of each $work/*.err and of the files in FAIL_ALSO,
#                           and exits 1 (FAIL_TAIL lines, default 15); freeport prints a
#                           free loopback TCP port
#   live_pki [WHAT]         the test PKI (tests/pki/make_pki.sh) in $work/pki; fails
#                           naming WHAT (default "test PKI")
#   live_callers PCAP N     the first N distinct callers of PCAP's call attempts (each
#                           one's first identity, "e164 4930...", as a warrant names a
#                           target), one a line, in $work/callers (the call events in
#                           $work/calls.json); fails when sluice extract does
#   live_capture SEED       the test PKI in $work/pki, a generated capture $work/g.pcap
#                           (10 calls, 4 messages) and $caller, the first caller's
#                           identity as a warrant target ("e164 4930...")
#   wait_log FILE PATTERN WHAT [PID] [SECONDS]
#                           until FILE holds a line matching PATTERN (grep), polled every
#                           0.1 s for SECONDS at most (default 10); fails naming WHAT when
#                           the time is up or PID has exited first
#   wait_until TENTHS WHAT CMD [ARG...]
#                           until CMD succeeds, polled every 0.1 s, TENTHS times at most;
#                           then fails naming WHAT
#   exited PID              true once PID has exited
#   logged_more FILE PATTERN N
#                           true when FILE holds more than N lines matching PATTERN
#   wait_read ERRFILE WHAT [PID]
#                           wait_log for sluiced's "all capture files read", 120 s at most
#   vty_show PORT COMMAND UNTIL [SETTLE]
#                           COMMAND on the VTY at 127.0.0.1:PORT (no login), its output
#                           read until it holds UNTIL (5 s at most), then SETTLE seconds
#                           more; printed
. "$top_srcdir/tests/live/stop.sh"

live_init() {
	B="$top_builddir"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX")
	pids=""
	trap live_cleanup EXIT INT TERM
}

live_cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}

fail() {
	echo "FAIL: $*"
	for f in "$work"/*.err ${FAIL_ALSO:-}; do [ -f "$f" ] && { echo "--- $f"; tail -n "${FAIL_TAIL:-15}" "$f"; }; done
	exit 1
}

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

live_pki() {
	sh "$top_srcdir/tests/pki/make_pki.sh" "$work/pki" >/dev/null 2>&1 || fail "${1:-test PKI}"
}

live_callers() {
	"$B/src/sluice" extract -q -r "$1" --types call >"$work/calls.json" || fail "extract"
	python3 - "$work/calls.json" "$2" >"$work/callers" <<'PY' || fail "callers of $1"
import json, sys
seen = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "attempt":
        i = e["caller"]["ids"][0]
        if (i["type"], i["value"]) not in seen:
            seen.append((i["type"], i["value"]))
for t, v in seen[:int(sys.argv[2])]:
    print(t.replace("_", "-"), v)
PY
}

live_capture() {
	live_pki
	"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 10 --rtp-seconds 1 --messages 4 --seed "$1" \
		>/dev/null || fail "gencap"
	live_callers "$work/g.pcap" 1
	caller=$(cat "$work/callers")
	[ -n "$caller" ] || fail "no caller in the generated capture"
}

wait_log() {
	_wl_n=0
	until grep -q "$2" "$1" 2>/dev/null; do
		_wl_n=$((_wl_n + 1))
		[ $_wl_n -le $((${5:-10} * 10)) ] || fail "$3: '$2' not logged within ${5:-10} s"
		[ -z "${4:-}" ] || kill -0 "$4" 2>/dev/null || fail "$3: process $4 exited"
		sleep 0.1
	done
}

wait_until() {
	_wu_max=$1 _wu_what=$2 _wu_n=0
	shift 2
	until "$@"; do
		_wu_n=$((_wu_n + 1))
		[ $_wu_n -le "$_wu_max" ] || fail "$_wu_what"
		sleep 0.1
	done
}

exited() { ! kill -0 "$1" 2>/dev/null; }

logged_more() { [ "$(grep -c "$2" "$1" 2>/dev/null)" -gt "$3" ]; }

wait_read() { wait_log "$1" "all capture files read" "$2" "${3:-}" 120; }

vty_show() {
	python3 - "$1" "$2" "$3" "${4:-0}" <<'PY'
import socket, sys, time
port, command, until, settle = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode(), float(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(command.encode() + b"\r\n")
out, end = b"", time.time() + 5
while time.time() < end and until not in out:
    try:
        d = s.recv(4096)
    except socket.timeout:
        break
    if not d:
        break
    out += d
time.sleep(settle)
print(out.decode(errors="replace"))
PY
}
