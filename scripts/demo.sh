#!/bin/sh
# The quick start: install what is missing, build, generate a sample
# capture (SIP calls over UDP and TCP with RTP, messages, registrations,
# noise) and extract its call and messaging metadata.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" build
"$top/scripts/build.sh"
b=${BUILD_DIR:-$top/build}
sample="$b/samples/demo.pcap"
mkdir -p "$b/samples"
[ -f "$sample" ] || "$b/tests/bench/sluice-gencap" --out "$sample" --calls 12 --messages 4 --registrations 3 \
	--rtp-seconds 2 --tcp-share 25 --noise 10 --seed 7 >/dev/null
echo "== sluice extract -r $sample --format text (calls, messages, registrations, media)" >&2
"$b/src/sluice" extract -r "$sample" --format text --types call,message,registration,rtp_stream --stats
echo "== JSON for programs: sluice extract -r $sample (first 3 SIP messages)" >&2
"$b/src/sluice" extract -r "$sample" --types sip -q | head -n 3
