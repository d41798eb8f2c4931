#!/bin/sh
# gencap_truth.sh: sluice extract against sluice-gencap's ground truth.
#
# Generates a small synthetic capture whose content is known exactly (a few
# hundred calls over UDP, TCP and IPv6, with IPv4 fragments, VLAN tags,
# compact and folded headers, RTP loss and sequence wrap, early media and
# RTCP; MESSAGE and REGISTER transactions; unrelated noise), runs
# `sluice extract --format json` on it and has compare_truth.py check every
# SIP message, every call's attempt/ringing/answer/end with its stamps and
# reason, every message and registration, and every RTP and RTCP stream's
# packet counts per SSRC against the truth. Then the totals that
# `--format none` prints are checked against the truth's totals.
#
# The seed is fixed so a failure reproduces; GENCAP_TRUTH_SEED overrides it
# to explore others. A failure leaves the capture, truth and events in
# $GENCAP_TRUTH_KEEP if that is set.
#
# Environment (set by `make check`): top_srcdir, top_builddir. Needs
# python3; exits 77 (automake SKIP) without it.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
gencap=$top_builddir/tests/bench/sluice-gencap
sluice=$top_builddir/src/sluice
seed=${GENCAP_TRUTH_SEED:-20240611}

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
for p in "$gencap" "$sluice"; do
	[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/gencap-truth.XXXXXX")
cleanup() {
	if [ "${status:-1}" -ne 0 ] && [ -n "${GENCAP_TRUTH_KEEP:-}" ]; then
		mkdir -p "$GENCAP_TRUTH_KEEP" && cp "$work"/* "$GENCAP_TRUTH_KEEP"/
		echo "kept the failing inputs in $GENCAP_TRUTH_KEEP"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 300 calls with 6 s of RTP each (so every answered call has RTCP sender
# reports), 40 overlapping; a third over TCP; 10% noise. About 170k frames,
# a second to generate and a few to extract under the sanitizers.
"$gencap" --quiet --out "$work/cap.pcap" --truth "$work/truth.json" --seed "$seed" \
	--calls 300 --rtp-seconds 6 --concurrency 40 --messages 80 --registrations 50 \
	--tcp-share 30 --noise 10

status=0
"$sluice" extract -r "$work/cap.pcap" --format json --no-progress -q >"$work/events.jsonl" || {
	echo "FAIL: sluice extract --format json exited $?"
	exit 1
}
python3 "$top_srcdir/tests/bench/compare_truth.py" "$work/truth.json" "$work/events.jsonl" || status=1

# The totals line of --format none must agree too (it is what the demo and
# the benchmark print).
"$sluice" extract -r "$work/cap.pcap" --format none --no-progress >"$work/totals.txt" || {
	echo "FAIL: sluice extract --format none exited $?"
	exit 1
}
python3 - "$work/truth.json" "$work/totals.txt" <<'EOF' || status=1
import json, re, sys
doc = json.load(open(sys.argv[1]))
t = doc["totals"]
# sluice counts an RTCP flow as a stream of its own
rtcp_streams = sum(1 for s in doc["rtp_streams"] if s["rtcp"])
out = open(sys.argv[2]).read()
want = {
    r"^frames\s+(\d+)": t["packets"],
    r"^sip messages\s+(\d+)": t["sip_messages"]["total"],
    r"^sip messages.*\(udp (\d+)": t["sip_messages"]["udp"],
    r"^sip messages.*tcp (\d+)": t["sip_messages"]["tcp"],
    r"^calls\s+(\d+) attempts": t["calls"]["total"],
    r"^calls.* (\d+) answered": t["calls"]["answered"],
    r"^calls.*cancel (\d+)": t["calls"]["cancelled"],
    r"^calls.*rejected (\d+)": t["calls"]["rejected"],
    r"^messages\s+(\d+)": t["messages"],
    r"^registrations\s+(\d+)": t["registrations"],
    r"^rtp\s+(\d+) packets": t["rtp_packets"],
    r"^rtp.* (\d+) rtcp": t["rtcp_packets"],
    r"^rtp.* (\d+) streams": t["rtp_streams"] + rtcp_streams,
    # every call ends by its own signalling, and every frame is well formed
    r"^calls.*timeout (\d+)": 0,
    r"^calls.*evicted (\d+)": 0,
    r"^calls.*open at end (\d+)": 0,
    r"^rejected\s+(\d+) frames": 0,
}
bad = 0
for rx, n in want.items():
    m = re.search(rx, out, re.M)
    if not m or int(m.group(1)) != n:
        print(f"FAIL totals: /{rx}/ gives {m.group(1) if m else 'nothing'}, truth {n}")
        bad = 1
sys.exit(bad)
EOF

if [ $status -ne 0 ]; then
	echo "FAIL: sluice disagrees with the ground truth (seed $seed)"
	exit 1
fi
echo "OK: sluice extract agrees with the ground truth (seed $seed)"
