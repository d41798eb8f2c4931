#!/bin/sh
# run_bench.sh: sluice extract throughput and memory (`make bench`).
#
# Two captures of about a million frames each:
#   gen: the generator's (thousands of calls with SDP and RTP/RTCP, SIP over
#        UDP and TCP, IPv4 fragments, IPv6, VLANs, MESSAGE and REGISTER, 10%
#        unrelated noise);
#   mix: real captures, every file of $BENCH_PCAPS (default
#        $top_srcdir/../shared/pcaps) in which sluice finds SIP or RTP,
#        repeated with time shifts by tests/bench/pcap_mix into the build
#        tree (never committed).
# On each it measures, in one run:
#   1. the bare libpcap read loop (tests/bench/pcap_loop): the ceiling the
#      targets are stated against; beside it the bare loop of sluice's own
#      block reader of classic pcap files (pcap_loop --direct), which is what
#      sluice extract reads these files with;
#   2. sluice extract --format none: rate and its share of the ceiling
#      (target >= 50% on gen, >= 40% on mix), peak RSS;
#   3. sluice extract --format json against tshark printing the same SIP
#      fields (Call-ID, method, status, From and To user): wall time and
#      speed-up (target >= 50x);
# and on a generated capture twice as long (same concurrency, so the same
# number of calls and streams alive at any time):
#   4. sluice extract --format none peak RSS, to show that memory follows
#      what is in progress, not the size of the file.
# Items 1-3 and 4 take the best (lowest wall time) of $BENCH_RUNS runs
# (default 3); tshark runs once, it is slow and its variance is small
# beside a 50x gap. Everything runs one at a time; output goes to
# /dev/null. Wall time is taken around each process and peak RSS by GNU
# time, the same way for every program.
#
# Environment: top_builddir (the build tree), top_srcdir, BENCH_DIR (where
# captures are kept; default $top_builddir/tests/bench), BENCH_PCAPS, TSHARK
# (default tshark; the comparison is skipped if it is missing), BENCH_RUNS,
# BENCH_ONLY (gen or mix: measure only that capture, for quick iterations).
# The captures are regenerated only when their inputs change. Exit status is
# 0 even when a target is missed: the table says so.
set -eu

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
: "${BENCH_PCAPS:=$top_srcdir/../shared/pcaps}"
: "${BENCH_ONLY:=}"
: "${BENCH_DIR:=$top_builddir/tests/bench}"
: "${BENCH_RUNS:=3}"
TSHARK=${TSHARK:-tshark}
gencap=$top_builddir/tests/bench/sluice-gencap
loop=$top_builddir/tests/bench/pcap_loop
mix=$top_builddir/tests/bench/pcap_mix
sluice=$top_builddir/src/sluice

for p in "$gencap" "$loop" "$mix" "$sluice"; do
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

# The real-capture mix: the files of $BENCH_PCAPS in which sluice finds SIP
# messages or RTP packets, repeated to at least $mix_frames frames.
mix_frames=1000000
pcapm=$BENCH_DIR/bench-mix.pcap
mix_inputs=
if [ -d "$BENCH_PCAPS" ]; then
	for f in "$BENCH_PCAPS"/*.pcap "$BENCH_PCAPS"/*.pcapng; do
		[ -f "$f" ] || continue
		if "$sluice" extract -r "$f" --format none --no-progress -q 2>/dev/null |
			awk '/^sip messages/ && $3 > 0 { found = 1 } /^rtp / && $2 > 0 { found = 1 } END { exit !found }'; then
			mix_inputs="$mix_inputs $f"
		fi
	done
fi
if [ -z "$mix_inputs" ]; then
	echo "no captures with SIP or RTP in $BENCH_PCAPS: the real-capture mix is skipped"
	pcapm=
else
	mix_stamp="$mix_frames$(for f in $mix_inputs; do printf ' %s:%s' "$(basename "$f")" "$(wc -c <"$f")"; done)"
	if [ -f "$pcapm" ] && [ -f "$BENCH_DIR/bench-mix.args" ] && [ "$(cat "$BENCH_DIR/bench-mix.args")" = "$mix_stamp" ] &&
		[ -z "$(find "$mix" -newer "$pcapm")" ]; then
		echo "using cached $pcapm"
	else
		echo "mixing $pcapm from:$(for f in $mix_inputs; do printf ' %s' "$(basename "$f")"; done)"
		rm -f "$BENCH_DIR/bench-mix.args"
		# shellcheck disable=SC2086 # a list of files without blanks
		"$mix" --out "$pcapm" --frames "$mix_frames" $mix_inputs
		printf '%s\n' "$mix_stamp" >"$BENCH_DIR/bench-mix.args"
	fi
fi

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

# capture NAME PCAP TARGET [TSHARK_OPTIONS...]: measure the loop, sluice
# --format none and json, and tshark on PCAP; print the table's rows.
capture() {
	name=$1 pcap=$2 target=$3
	shift 3
	frames=$("$loop" "$pcap" | awk '{ print $2 }')	# also warms the page cache
	mb=$(($(wc -c <"$pcap") / 1000000))
	sipmsgs=$("$sluice" extract -r "$pcap" --format none --no-progress -q 2>/dev/null | awk '/^sip messages/ { print $3 }')
	# Each result is "WALL_S MAXRSS_KB".
	loop_r=$(measure "$BENCH_RUNS" "$loop" "$pcap")
	direct_r=$(measure "$BENCH_RUNS" "$loop" --direct "$pcap")
	none_r=$(measure "$BENCH_RUNS" "$sluice" extract -r "$pcap" --format none --no-progress)
	json_r=$(measure "$BENCH_RUNS" "$sluice" extract -r "$pcap" --format json --no-progress -q)
	tshark_r="0 0"
	if command -v "$TSHARK" >/dev/null 2>&1; then
		echo "$name: tshark (one run, this takes a while)"
		tshark_r=$(measure 1 "$TSHARK" -n -r "$pcap" "$@" -Y sip -T fields -e sip.Call-ID -e sip.Method \
			-e sip.Status-Code -e sip.from.user -e sip.to.user)
	fi
	# shellcheck disable=SC2086 # each result is two words
	python3 - "$name" "$frames" "$mb" "${sipmsgs:-0}" "$target" $loop_r $none_r $json_r $tshark_r $direct_r <<'EOF'
import sys
a = sys.argv[1:]
name, frames, mb, sip, target = a[0], int(a[1]), int(a[2]), int(a[3]), float(a[4])
loop_s, loop_rss, none_s, none_rss, json_s, json_rss, tsh_s, tsh_rss, direct_s, direct_rss = (
    float(a[5]), int(a[6]), float(a[7]), int(a[8]), float(a[9]), int(a[10]), float(a[11]), int(a[12]),
    float(a[13]), int(a[14]))

def row(label, secs, rss=None, note=""):
    rate = frames / secs if secs else 0
    rss_s = f"{rss / 1024:8.1f}" if rss else "       -"
    print(f"{label:<34} {secs:8.3f} {rate / 1e6:8.3f} {rss_s}  {note}")

print()
print(f"{'%s: %d frames, %d MB, %d SIP msgs' % (name, frames, mb, sip):<34} {'wall s':>8} {'Mfr/s':>8} {'RSS MB':>8}")
row("bare libpcap loop (pcap_loop)", loop_s, loop_rss)
row("bare block reader loop (--direct)", direct_s, direct_rss)
share = loop_s / none_s
row("sluice extract --format none", none_s, none_rss,
    f"{share:.0%} of bare loop (target >= {target:.0%}): {'PASS' if share >= target else 'MISS'}; "
    f"{direct_s / none_s:.0%} of the block reader loop")
row("sluice extract --format json", json_s, json_rss)
if tsh_s:
    speed = tsh_s / json_s
    row("tshark -Y sip -T fields (1 run)", tsh_s, tsh_rss,
        f"sluice json {speed:.1f}x faster (target >= 50x): {'PASS' if speed >= 50 else 'MISS'}")
else:
    print("tshark: not found, comparison skipped")
EOF
}

if [ "$BENCH_ONLY" != mix ]; then
	capture "gen (1x)" "$pcap1" 0.50
	none_rss=${none_r#* }	# capture() leaves its results behind
	none2=$(measure "$BENCH_RUNS" "$sluice" extract -r "$pcap2" --format none --no-progress)
	frames1=$("$loop" "$pcap1" | awk '{ print $2 }')
	frames2=$("$loop" "$pcap2" | awk '{ print $2 }')
	# shellcheck disable=SC2086 # each result is two words
	python3 - "$frames1" "$frames2" "$none_rss" $none2 <<'EOF'
import sys
f1, f2, rss1, s2, rss2 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print()
print(f"{'gen (2x): %d frames' % f2:<34} {'wall s':>8} {'Mfr/s':>8} {'RSS MB':>8}")
print(f"{'sluice extract --format none':<34} {s2:8.3f} {f2 / s2 / 1e6:8.3f} {rss2 / 1024:8.1f}  "
      f"peak RSS {rss2 / rss1:.2f}x the 1x file's for {f2 / f1:.2f}x the frames")
EOF
fi
if [ -n "$pcapm" ] && [ "$BENCH_ONLY" != gen ]; then
	# One of the captures carries SIP over TCP port 6060: tshark is told so.
	capture "mix (real)" "$pcapm" 0.40 -d tcp.port==6060,sip
fi
