#!/bin/sh
# run_bench.sh: sluice extract throughput and memory (`make bench`).
#
# On one synthetic capture of over a million frames (thousands of calls with
# SDP and RTP/RTCP, SIP over UDP and TCP, IPv4 fragments, IPv6, VLANs,
# MESSAGE and REGISTER, 10% unrelated noise) it measures, in one run:
#   1. the bare libpcap read loop (tests/bench/pcap_loop): the ceiling;
#   2. sluice extract --format none: rate and its share of the ceiling
#      (target >= 25%), peak RSS;
#   3. sluice extract --format json against tshark printing the same SIP
#      fields (Call-ID, method, status, From and To user): wall time and
#      speed-up (target >= 20x);
# and on a capture twice as long (same concurrency, so the same number of
# calls and streams alive at any time):
#   4. sluice extract --format none peak RSS, to show that memory follows
#      what is in progress, not the size of the file.
# Items 1-3 and 4 take the best (lowest wall time) of $BENCH_RUNS runs
# (default 3); tshark runs once, it is slow and its variance is small
# beside a 20x gap. Everything runs one at a time; output goes to
# /dev/null. Wall time is taken around each process and peak RSS by GNU
# time, the same way for every program.
#
# Environment: top_builddir (the build tree), BENCH_DIR (where captures are
# kept; default $top_builddir/tests/bench), TSHARK (default tshark; the
# comparison is skipped if it is missing), BENCH_RUNS.
# The captures are regenerated only when the generator or its arguments
# change. Exit status is 0 even when a target is missed: the table says so.
set -eu

: "${top_builddir:=.}"
: "${BENCH_DIR:=$top_builddir/tests/bench}"
: "${BENCH_RUNS:=3}"
TSHARK=${TSHARK:-tshark}
gencap=$top_builddir/tests/bench/sluice-gencap
loop=$top_builddir/tests/bench/pcap_loop
sluice=$top_builddir/src/sluice

for p in "$gencap" "$loop" "$sluice"; do
	[ -x "$p" ] || { echo "run_bench.sh: $p is not built (run make first)" >&2; exit 1; }
done
command -v python3 >/dev/null 2>&1 || { echo "run_bench.sh: needs python3" >&2; exit 1; }
mkdir -p "$BENCH_DIR"

# About 1.2M and 2.4M frames. --concurrency is the same for both: the larger
# file is the same traffic for twice as long.
args_1x="--calls 2600 --rtp-seconds 5 --concurrency 200 --messages 2000 --registrations 1000 --tcp-share 25 --noise 10 --seed 42"
args_2x="--calls 5200 --rtp-seconds 5 --concurrency 200 --messages 4000 --registrations 2000 --tcp-share 25 --noise 10 --seed 42"

# gen NAME ARGS: (re)generate $BENCH_DIR/bench-NAME.pcap if it is missing,
# older than the generator or made with other arguments.
gen() {
	pcap=$BENCH_DIR/bench-$1.pcap
	stamp=$BENCH_DIR/bench-$1.args
	if [ -f "$pcap" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$2" ] && [ -z "$(find "$gencap" -newer "$pcap")" ]; then
		echo "using cached $pcap"
		return 0
	fi
	echo "generating $pcap ($2)"
	rm -f "$stamp"
	# shellcheck disable=SC2086 # $2 is a list of options
	"$gencap" --out "$pcap" $2
	printf '%s\n' "$2" >"$stamp"
}

gen 1x "$args_1x"
gen 2x "$args_2x"
pcap1=$BENCH_DIR/bench-1x.pcap
pcap2=$BENCH_DIR/bench-2x.pcap

# measure RUNS CMD...: run CMD RUNS times (stdout to /dev/null) and print
# "WALL_S MAXRSS_KB" of the fastest run; fails if any run fails. Wall time
# is taken around the child; peak RSS comes from GNU time, which forks from
# a small process: a fork of python itself would charge the interpreter's
# pages to the child's ru_maxrss until exec. Without GNU time RSS is "0".
measure() {
	python3 - "$@" <<'EOF'
import os, shutil, subprocess, sys, tempfile, time
runs = int(sys.argv[1])
cmd = sys.argv[2:]
gnu_time = shutil.which("time", path="/usr/bin:/bin")
best = None
with tempfile.NamedTemporaryFile(mode="r") as rss_file:
    full = [gnu_time, "-f", "%M", "-o", rss_file.name] + cmd if gnu_time else cmd
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode(errors="replace"))
            sys.exit(f"{cmd[0]} exited {p.returncode}")
        rss_file.seek(0)
        rss = int(rss_file.read().split()[-1]) if gnu_time else 0
        if best is None or wall < best[0]:
            best = (wall, rss)
print(f"{best[0]:.4f} {best[1]}")
EOF
}

frames1=$("$loop" "$pcap1" | awk '{ print $2 }')	# also warms the page cache
frames2=$("$loop" "$pcap2" | awk '{ print $2 }')
mb1=$(($(wc -c <"$pcap1") / 1000000))
mb2=$(($(wc -c <"$pcap2") / 1000000))
echo "1x: $frames1 frames, $mb1 MB; 2x: $frames2 frames, $mb2 MB; best of $BENCH_RUNS runs"

# Each result is "WALL_S MAXRSS_KB"; ${r% *} is the time, ${r#* } the RSS.
r=$(measure "$BENCH_RUNS" "$loop" "$pcap1")
loop_s=${r% *} loop_rss=${r#* }
r=$(measure "$BENCH_RUNS" "$sluice" extract -r "$pcap1" --format none --no-progress)
none_s=${r% *} none_rss=${r#* }
r=$(measure "$BENCH_RUNS" "$sluice" extract -r "$pcap1" --format json --no-progress -q)
json_s=${r% *} json_rss=${r#* }
r=$(measure "$BENCH_RUNS" "$sluice" extract -r "$pcap2" --format none --no-progress)
none2_s=${r% *} none2_rss=${r#* }
if command -v "$TSHARK" >/dev/null 2>&1; then
	echo "tshark (one run, this takes a while)"
	r=$(measure 1 "$TSHARK" -n -r "$pcap1" -Y sip -T fields -e sip.Call-ID -e sip.Method \
		-e sip.Status-Code -e sip.from.user -e sip.to.user)
	tshark_s=${r% *} tshark_rss=${r#* }
else
	tshark_s=
fi

python3 - "$frames1" "$frames2" "$mb1" "$mb2" "$loop_s" "$loop_rss" "$none_s" "$none_rss" "$json_s" "$json_rss" \
	"$none2_s" "$none2_rss" "${tshark_s:-0}" "${tshark_rss:-0}" <<'EOF'
import sys
a = sys.argv[1:]
f1, f2 = int(a[0]), int(a[1])
mb1, mb2 = int(a[2]), int(a[3])
loop_s, loop_rss, none_s, none_rss, json_s, json_rss, none2_s, none2_rss, tsh_s, tsh_rss = (
    float(a[4]), int(a[5]), float(a[6]), int(a[7]), float(a[8]), int(a[9]), float(a[10]), int(a[11]),
    float(a[12]), int(a[13]))

def row(name, secs, frames, rss=None, note=""):
    rate = frames / secs if secs else 0
    rss_s = f"{rss / 1024:8.1f}" if rss else "       -"
    print(f"{name:<34} {secs:8.3f} {rate / 1e6:8.3f} {rss_s}  {note}")

print()
print(f"{'1x capture: %d frames, %d MB' % (f1, mb1):<34} {'wall s':>8} {'Mfr/s':>8} {'RSS MB':>8}")
row("bare libpcap loop (pcap_loop)", loop_s, f1, loop_rss)
share = loop_s / none_s
row("sluice extract --format none", none_s, f1, none_rss,
    f"{share:.0%} of bare loop (target >= 25%): {'PASS' if share >= 0.25 else 'MISS'}")
row("sluice extract --format json", json_s, f1, json_rss)
if tsh_s:
    speed = tsh_s / json_s
    row("tshark -Y sip -T fields (1 run)", tsh_s, f1, tsh_rss,
        f"sluice json {speed:.1f}x faster (target >= 20x): {'PASS' if speed >= 20 else 'MISS'}")
else:
    print("tshark: not found, comparison skipped")
print()
print(f"{'2x capture: %d frames, %d MB' % (f2, mb2):<34} {'wall s':>8} {'Mfr/s':>8} {'RSS MB':>8}")
growth = none2_rss / none_rss
row("sluice extract --format none", none2_s, f2, none2_rss,
    f"peak RSS {growth:.2f}x the 1x file's for {f2 / f1:.2f}x the frames")
EOF
