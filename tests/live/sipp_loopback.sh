#!/bin/sh
# Live capture with a real SIP peer: `sluice extract -i lo` captures while
# SIPp places calls (with G.711 media played by SIPp) and sends page-mode
# MESSAGEs on the loopback interface. Checks the call lifecycle events,
# the RTP stream summaries, the message events, and that the kernel drop
# counters were read and reported (zero at this rate).
#
# Needs root or CAP_NET_RAW (capture, and SIPp's pcap media player); CI
# runs as root. Elsewhere the test says why it cannot run and fails.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
SIPP=${SIPP:-$(command -v sipp || true)}
[ -n "$SIPP" ] || { "$top_srcdir/scripts/deps.sh" sipp >&2 && SIPP=$(command -v sipp); }
[ -n "$SIPP" ] || { echo "FAIL: sipp (Debian sip-tester) not installed"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: live capture needs root (or CAP_NET_RAW); run make check as root, as CI does"
	exit 1
fi

here="$top_srcdir/tests/live"
live_init live

# Ports of this run only (a random block below the ephemeral range), so other
# loopback traffic, another checkout's run of this test included, cannot disturb it.
base=$(python3 -c 'import random; print(random.randrange(20000, 32000, 400))')
UAS=$base UAC=$((base + 2)) MUAS=$((base + 4)) MUAC=$((base + 6)) CALLS=4 MSGS=6
MP_UAS=$((base + 100)) MP_UAC=$((base + 200))
filter="udp and (portrange $base-$((base + 7)) or portrange $MP_UAS-$((MP_UAS + 99)) or portrange $MP_UAC-$((MP_UAC + 99)))"

"$top_builddir/src/sluice" extract -i lo -f "$filter" --duration 40 --stats -o "$work/events.json" \
	2>"$work/stderr" &
sl=$!
pids="$sl"
FAIL_ALSO=$work/stderr FAIL_TAIL=50
wait_log "$work/stderr" "capturing on lo" "sluice did not start capturing" $sl

cd "$work"
"$SIPP" -sf "$here/uas.xml" -i 127.0.0.1 -p $UAS -mp $MP_UAS -m $CALLS -bg -trace_err >/dev/null 2>&1
"$SIPP" -sf "$here/uas_message.xml" -i 127.0.0.1 -p $MUAS -m $MSGS -bg -trace_err >/dev/null 2>&1
"$SIPP" -sf "$here/uac_message.xml" -i 127.0.0.1 -p $MUAC 127.0.0.1:$MUAS -m $MSGS -r 10 -timeout 20 \
	-timeout_error >"$work/sipp_msg.out" 2>&1 || { echo "FAIL: SIPp messages"; cat "$work/sipp_msg.out"; exit 1; }
"$SIPP" -sf "$here/uac_call.xml" -i 127.0.0.1 -p $UAC -mp $MP_UAC -s 4930999 127.0.0.1:$UAS -m $CALLS -l $CALLS \
	-r 10 -timeout 30 -timeout_error >"$work/sipp_call.out" 2>&1 ||
	{ echo "FAIL: SIPp calls"; tail -n 30 "$work/sipp_call.out"; exit 1; }
sleep 1
stop_within 60 INT $sl
rc=$?
pids=""
[ $rc -eq 0 ] || { echo "FAIL: sluice extract exited $rc"; cat "$work/stderr"; exit 1; }
cat "$work/stderr"

python3 - "$work/events.json" "$work/stderr" $CALLS $MSGS <<'PY'
import json, re, sys
events = [json.loads(l) for l in open(sys.argv[1])]
stderr = open(sys.argv[2]).read()
calls, msgs = int(sys.argv[3]), int(sys.argv[4])
fail = []
def count(t, **kw):
    return sum(1 for e in events if e["type"] == t and all(e.get(k) == v for k, v in kw.items()))
for step in ("attempt", "ringing", "answer"):
    if count("call", event=step) != calls:
        fail.append("%d call %s events, expected %d" % (count("call", event=step), step, calls))
ends = [e for e in events if e["type"] == "call" and e["event"] == "end"]
if len(ends) != calls or any(e["reason"] != "bye" or not e["answered"] for e in ends):
    fail.append("call ends: %s" % [(e["reason"], e["answered"]) for e in ends])
if any(not (7.0 <= e["duration"] <= 12.0) for e in ends):
    fail.append("durations %s, expected about 7.5 s" % [e["duration"] for e in ends])
for e in events:
    if e["type"] == "call" and e["event"] == "attempt":
        ids = [i["value"] for i in e["caller"]["ids"]]
        if not any(v.startswith("+4930555") for v in ids):
            fail.append("caller identities %s lack the E.164 number" % ids)
if count("message") != msgs:
    fail.append("%d message events, expected %d" % (count("message"), msgs))
rtp = [e for e in events if e["type"] == "rtp_stream" and e["proto"] == "rtp"]
# SIPp's g711a.pcap has 236 RTP packets; each caller plays it once
if len(rtp) != calls or any(e["packets"] != 236 or e["lost"] != 0 or e["call_id"] is None for e in rtp):
    fail.append("rtp streams %s, expected %d of 236 packets, no loss, each tied to its call" %
                ([(e["call_id"], e["packets"], e["lost"]) for e in rtp], calls))
m = re.search(r"source lo\s+drops: kernel (\d+), interface (\d+)", stderr)
if not m:
    fail.append("no drop counters reported for lo")
elif int(m.group(1)) != 0:
    fail.append("kernel dropped %s frames at a few hundred packets per second" % m.group(1))
sips = count("sip")
print("live: %d events, %d sip messages, %d rtp streams, %d messages" % (len(events), sips, len(rtp), count("message")))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
