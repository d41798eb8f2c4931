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
#   live_capture SEED       the test PKI in $work/pki, a generated capture $work/g.pcap
#                           (10 calls, 4 messages) and $caller, the first caller's
#                           identity as a warrant target ("e164 4930...")
#   wait_read ERRFILE WHAT [PID]
#                           until sluiced logged "all capture files read" in ERRFILE
#                           (120 s at most; fails naming WHAT if PID exits first)
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

live_capture() {
	live_pki
	"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 10 --rtp-seconds 1 --messages 4 --seed "$1" \
		>/dev/null || fail "gencap"
	caller=$("$B/src/sluice" extract -q -r "$work/g.pcap" --types call | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e["event"] == "attempt":
        i = e["caller"]["ids"][0]; print(i["type"].replace("_", "-"), i["value"]); break')
	[ -n "$caller" ] || fail "no caller in the generated capture"
}

wait_read() {
	_wr_n=0
	until grep -q "all capture files read" "$1" 2>/dev/null; do
		_wr_n=$((_wr_n + 1))
		[ $_wr_n -le 1200 ] || fail "$2: the capture was not read within 120 s"
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || fail "$2: sluiced exited"
		sleep 0.1
	done
}

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
