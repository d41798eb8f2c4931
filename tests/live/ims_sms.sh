#!/bin/sh
# SMS over IP live on the loopback interface (TS 24.341): SIPp plays a
# phone sending MESSAGEs whose application/vnd.3gpp.sms bodies are RP-DATA
# with an SMS-SUBMIT (uac_sms.xml), and the network answering each with an
# RP-ACK in a MESSAGE of its own (uac_sms_ack.xml); a SIPp UAS accepts them.
# Two programs capture the same traffic live:
#   - `sluice extract -i lo`: every RP-DATA must be an sms event (bearer ims,
#     submit, the phone's tel and IMEI as originator, TP-DA as recipient,
#     the service centre, the E-UTRAN cell of P-Access-Network-Info), every
#     RP-ACK an rp_ack event naming one of those messages, no two the same,
#     and one location event per message;
#   - sluiced under two lab interceptions with content (one on the phone's
#     IMEI, one on its number) delivering plain TS 101 671 HI2 (version 11)
#     to `sluice lemf`: the records are decoded by tshark's HI2Operations
#     dissector, which must show, without expert infos, an SMS-report per
#     message with initiator target(0), the TPDU SIPp sent as content and
#     the nature lTE-SMS-Message(7); for the number's interception also one
#     per RP-ACK with initiator server(1) and transfer-status
#     succeed-transfer(0); and the E-UTRAN cell never (version 11 has no
#     eCGI), the IMEI's interception never an RP-ACK (the network's MESSAGE
#     names the phone only by number).
#
# Needs root or CAP_NET_RAW (live capture); CI runs as root.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
SIPP=${SIPP:-$(command -v sipp || true)}
[ -n "$SIPP" ] || { "$top_srcdir/scripts/deps.sh" sipp >&2 && SIPP=$(command -v sipp); }
[ -n "$SIPP" ] || { echo "FAIL: sipp (Debian sip-tester) not installed"; exit 1; }
TSHARK=${TSHARK:-$(command -v tshark || true)}
[ -n "$TSHARK" ] || { "$top_srcdir/scripts/deps.sh" tshark >&2 && TSHARK=$(command -v tshark); }
[ -n "$TSHARK" ] || { echo "FAIL: tshark not installed"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: live capture needs root (or CAP_NET_RAW); run make check as root, as CI does"
	exit 1
fi
top_srcdir=$(cd "$top_srcdir" && pwd) top_builddir=$(cd "$top_builddir" && pwd)
live_init ims-sms
FAIL_TAIL=20
here="$top_srcdir/tests/live"

base=$(python3 -c 'import random; print(random.randrange(20000, 32000, 400))')
UAS=$base UE=$((base + 2)) NET=$((base + 4)) N=4
filter="udp and portrange $base-$((base + 5))"
p2=$(freeport) p3=$(freeport) v=$(freeport)

"$B/src/sluice" lemf --listen "127.0.0.1:$p2" --out "$work/lemf" --plain >"$work/lemf.out" 2>"$work/lemf.err" &
lemf=$!
"$B/src/sluice" lemf --listen "127.0.0.1:$p3" --out "$work/lemf3" --plain >"$work/lemf3.out" 2>"$work/lemf3.err" &
lemf3=$!
pids="$pids $lemf $lemf3"
cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture
 source interface lo
 filter $filter
handover
 operator-id OPX
 country-code DE
 state-dir $work/state
 destination lea1
  hi2 127.0.0.1 $p2
  hi3 127.0.0.1 $p3
  plain-tcp
  format hi2-v11
lawful
 insecure-configured-intercepts
 intercept LIID-IMEI
  target imei 35209900176148
  scope iri-cc
  destination lea1
 intercept LIID-TEL
  target e164 +33612345678
  scope iri-cc
  destination lea1
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
"$B/src/sluice" extract -i lo -f "$filter" --duration 40 -o "$work/events.json" 2>"$work/extract.err" &
sl=$!
pids="$pids $sl"
wait_log "$work/extract.err" "capturing on lo" "sluice extract did not start capturing" $sl
wait_log "$work/gw.err" "capturing on lo" "sluiced did not start" $gw
sleep 1

cd "$work"
"$SIPP" -sf "$top_srcdir/tests/live/uas_message.xml" -i 127.0.0.1 -p $UAS -m $((2 * N)) -bg -trace_err >/dev/null 2>&1
"$SIPP" -sf "$here/uac_sms.xml" -i 127.0.0.1 -p $UE 127.0.0.1:$UAS -m $N -r 10 -timeout 20 -timeout_error \
	>"$work/sipp_sms.out" 2>&1 || { cat "$work/sipp_sms.out"; fail "SIPp SMS"; }
"$SIPP" -sf "$here/uac_sms_ack.xml" -i 127.0.0.1 -p $NET 127.0.0.1:$UAS -m $N -r 10 -timeout 20 -timeout_error \
	>"$work/sipp_ack.out" 2>&1 || { cat "$work/sipp_ack.out"; fail "SIPp RP-ACKs"; }
sleep 2
stop_within 60 INT $sl || fail "sluice extract did not stop cleanly"

# the receiver has every record: per message an SMS-report and a location report under both
# interceptions, per RP-ACK a report under the number's (plain HI2 has no pDUAcknowledgement,
# so the gateway's queue only empties after its resend window)
python3 - "$work/lemf" "$N" <<'PY' || fail "the receiver did not get the records"
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
want = {"LIID-IMEI": 2 * n, "LIID-TEL": 3 * n}
def count(liid):
    p = os.path.join(d, liid, "pdus.jsonl")
    return sum(1 for _ in open(p)) if os.path.exists(p) else 0
t = time.time() + 30
while time.time() < t and any(count(l) < w for l, w in want.items()):
    time.sleep(0.5)
got = {l: count(l) for l in want}
print("receiver: %s records (want %s)" % (got, want))
sys.exit(0 if got == want else 1)
PY
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
stop_within 30 TERM $lemf
stop_within 30 TERM $lemf3

# --- the events ------------------------------------------------------------------
python3 - "$work/events.json" "$N" <<'PY' || fail "the events differ from what SIPp sent"
import json, sys
n = int(sys.argv[2])
ev = [json.loads(l) for l in open(sys.argv[1])]
data = [e for e in ev if e["type"] == "sms" and e["rp"] == "rp_data"]
acks = [e for e in ev if e["type"] == "sms" and e["rp"] == "rp_ack"]
locs = [e for e in ev if e["type"] == "location"]
bad = []
if len(data) != n or len(acks) != n:
    bad.append("%d RP-DATA and %d RP-ACK events, SIPp sent %d of each" % (len(data), len(acks), n))
ids = lambda p: {(i["type"], i["value"]) for i in p["ids"]}
for e in data:
    want = {"bearer": "ims", "tpdu": "submit", "direction": "mo", "rp_ref": 4, "message_ref": 7, "coding": "gsm7",
            "length": 6, "smsc": {"type": "e164", "value": "+33609001390"},
            "cell": {"access": "eutran", "mcc": "208", "mnc": "01", "tac": 1, "cell_id": 0x19B1}}
    for k, v in want.items():
        if e.get(k) != v:
            bad.append("%s: %s is %r, sent %r" % (e["call_id"], k, e.get(k), v))
    if not {("e164", "+33612345678"), ("imei", "352099001761481")} <= ids(e["originator"]):
        bad.append("%s: originator %s" % (e["call_id"], e["originator"]))
    if ("number", "0768987654") not in ids(e["recipient"]):
        bad.append("%s: recipient %s" % (e["call_id"], e["recipient"]))
answered = [a["report_of"] for a in acks]
if sorted(answered) != sorted(d["call_id"] for d in data):
    bad.append("RP-ACKs answer %s, the RP-DATA were %s" % (answered, [d["call_id"] for d in data]))
if sorted(l["call_id"] for l in locs) != sorted(d["call_id"] for d in data):
    bad.append("location events for %s" % [l["call_id"] for l in locs])
for b in bad:
    print("FAIL: " + b)
print("events: %d RP-DATA, %d RP-ACK (each naming its message), %d location" % (len(data), len(acks), len(locs)))
sys.exit(1 if bad else 0)
PY

# --- the HI2 records, decoded by tshark ----------------------------------------------
for liid in LIID-IMEI LIID-TEL; do
	[ -f "$work/lemf/$liid/pdus.raw" ] || fail "no records for $liid at the receiver"
	python3 - "$work/lemf/$liid/pdus.raw" "$work/$liid.pcap" <<'PY' || fail "pdus.raw to pcap"
import struct, sys
raw = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147))  # DLT_USER0
i = 0
while i + 4 <= len(raw):
    n = struct.unpack(">I", raw[i:i + 4])[0]
    out.write(struct.pack("<IIII", 0, 0, n, n) + raw[i + 4:i + 4 + n])
    i += 4 + n
PY
	TZ=UTC "$TSHARK" -n -r "$work/$liid.pcap" -X "lua_script:$top_srcdir/tests/conformance/hi2_dlt.lua" -T fields \
		-E occurrence=a -E 'aggregator=|' -e frame.number -e _ws.expert.message -e HI2Operations.initiator \
		-e HI2Operations.transfer_status -e HI2Operations.content -e HI2Operations.nature_Of_The_intercepted_call \
		-e HI2Operations.tel_url -e HI2Operations.lawfulInterceptionIdentifier \
		>"$work/$liid.tsv" 2>"$work/tshark.err" || fail "tshark on $liid"
done
python3 - "$work" "$N" <<'PY' || fail "the HI2 records differ from what SIPp sent"
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
tpdu = "01070a817086896745000006d3f61c243b03"
bad = []
for liid, acks_wanted in (("LIID-IMEI", 0), ("LIID-TEL", n)):
    data = acks = 0
    for line in open(os.path.join(work, liid + ".tsv")):
        frame, expert, init, status, content, nature, tel, li = (line.rstrip("\n").split("\t") + [""] * 8)[:8]
        if bytes.fromhex(li).decode() != liid:
            bad.append("%s frame %s: LIID %r" % (liid, frame, li))
        if expert:
            bad.append("%s frame %s: tshark says %s" % (liid, frame, expert))
        if not init:
            continue  # a location IRI
        if nature != "7":
            bad.append("%s frame %s: nature %r" % (liid, frame, nature))
        if init == "0" and content == tpdu and not status:
            data += 1
        elif init == "1" and status == "0" and not content:
            acks += 1
        else:
            bad.append("%s frame %s: initiator %r transfer-status %r content %r" % (liid, frame, init, status, content))
    if data != n or acks != acks_wanted:
        bad.append("%s: %d SMS-reports with the TPDU and %d RP-ACK reports, want %d and %d" % (liid, data, acks, n, acks_wanted))
    print("%s: %d SMS-reports with the TPDU sent, %d transfer reports" % (liid, data, acks))
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
echo "ok: SMS over IP live, events and HI2 as sent"
