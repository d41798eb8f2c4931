#!/bin/sh
# Loss the authority can see and the operator can account for: sluiced
# replays a generated capture under one IRI+CC interception while the
# authority's receiver is down and the spools are capped at 1 MB, so
# content overflows its spool. Then the receiver comes up and everything
# spooled is delivered. Checks:
#   - the gateway refused records (show handover, /metrics) and went on;
#   - every sequence number of every (CIN, stream) the gateway used is
#     either received or in a `delivery.refused` audit record, never both:
#     each gap the receiver sees is explained record for record (leading,
#     middle and trailing gaps alike), and nothing refused was delivered;
#   - no IRI was refused while content was still accepted;
#   - the spool's alarm level was raised (log, audit log) before the refusals;
#   - the audit log verifies;
#   - show capture shows every memory limit beside its fill (the spools'
#     1 MB cap among them) and the handover, spool and link counters, whose
#     refusals agree with show handover's.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init refusal

live_pki
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 30 --rtp-seconds 4 --messages 4 --seed 9 >/dev/null || fail "gencap"
live_callers "$work/g.pcap" 12
targets=$(sed 's/^/  target /' "$work/callers")
"$B/src/sluice" audit keygen --name "sluice.test/audit" --out "$work/audit" >/dev/null || fail "audit keygen"
p2=$(freeport) p3=$(freeport) v=$(freeport) m=$(freeport)
cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture
 source file $work/g.pcap
handover
 operator-id OPX
 country-code DE
 state-dir $work/state
 spool-max-mb 1
 max-communications 5000
 destination lea1
  hi2 127.0.0.1 $p2
  hi3 127.0.0.1 $p3
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  tls ca $work/pki/ca.crt
  keepalive 1
  pdu-ack
lawful
 insecure-configured-intercepts
 intercept LIID-R
$targets
  scope iri-cc
  destination lea1
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
metrics
 http-listen 127.0.0.1 $m
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
# the whole file read with the receiver down, and records refused
n=0
until python3 - "$m" <<'PY'
import re, sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
refused = sum(float(v) for v in re.findall(r'^sluice_delivery_refused_records_total\{[^}]*\} (\S+)$', t, re.M))
sys.exit(0 if refused > 0 else 1)
PY
do
	n=$((n + 1)); [ $n -le 120 ] || fail "no record was refused with the receiver down and a 1 MB cap"
	kill -0 $gw 2>/dev/null || fail "sluiced exited"
	sleep 0.5
done
python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 0 60 >/dev/null 2>&1 # the file read to its end
sleep 1
for s in 2 3; do
	eval "port=\$p$s"
	"$B/src/sluice" lemf --listen "127.0.0.1:$port" --out "$work/lemf" --tls-cert "$work/pki/lemf.crt" \
		--tls-key "$work/pki/lemf.key" --ca "$work/pki/ca.crt" -q >"$work/lemf$s.out" 2>"$work/lemf$s.err" &
	pids="$pids $!"
done
python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 2 120 >"$work/show.txt" || fail "the gateway did not drain its queues"
printf 'show handover\r\n' | python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(0.5)
s.sendall(b"enable\r\nshow handover\r\n"); out = b""; t = time.time()
while time.time() - t < 3:
    try:
        d = s.recv(65536)
        if not d: break
        out += d
    except socket.timeout:
        if out.rstrip().endswith(b"#") and out.count(b"#") >= 2: break
print(out.decode(errors="replace"))' "$v" >"$work/handover.txt"
grep -q "refused [0-9]* records" "$work/handover.txt" || { cat "$work/handover.txt"; fail "show handover does not count the refused records"; }
# show capture: every memory limit beside its fill (the spools' cap among them) and the handover, spool
# and link counters, which agree with show handover's refusals (after enable: they name destinations)
printf '' | python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(0.5)
s.sendall(b"enable\r\nshow capture\r\n"); out = b""; t = time.time()
while time.time() - t < 5:
    try:
        d = s.recv(65536)
        if not d: break
        out += d
    except socket.timeout:
        if out.rstrip().endswith(b"#") and out.count(b"#") >= 2: break
print(out.decode(errors="replace"))' "$v" >"$work/capture.txt"
sed -n '/^limits/,/^events written/p' "$work/capture.txt" # into the test log
python3 - "$work/capture.txt" "$work/handover.txt" <<'PY' || { cat "$work/capture.txt"; fail "show capture"; }
import re, sys
cap, ho = open(sys.argv[1]).read(), open(sys.argv[2]).read()
bad = []
limits = {"flows": "max-flows", "dialogs": "max-dialogs", "media endpoints": "max-media",
          "rtp streams": "max-rtp-streams", "fragment datagrams": "max-frag-datagrams", "fragment bytes": "max-frag-bytes",
          "tcp out-of-order bytes": "max-tcp-ooo-bytes", "sip framing bytes": "max-stream-bytes",
          "handover communications": "max-communications", "spool lea1 hi2 bytes": "spool-max-mb",
          "spool lea1 hi3 bytes": "spool-max-mb"}
for what, opt in limits.items():
    m = re.search(r"^  %s +(\d+) / (\d+) +\(%s" % (re.escape(what), re.escape(opt)), cap, re.M)
    if not m:
        bad.append("no limit line for %s (%s)" % (what, opt))
    elif int(m.group(1)) > int(m.group(2)) and not what.startswith("spool"):
        bad.append("%s over its limit: %s / %s" % (what, m.group(1), m.group(2)))
if not re.search(r"^  handover communications +\d+ / 5000 ", cap, re.M):
    bad.append("handover communications not shown against max-communications 5000")
for what in ("spool lea1 hi2 bytes", "spool lea1 hi3 bytes"):
    m = re.search(r"^  %s +\d+ / 1048576 " % what, cap, re.M)
    if not m:
        bad.append("%s not shown against the 1 MB cap" % what)
ctr = {k: int(v) for k, v in re.findall(r"^  ((?:handover|spool\[[^]]+\]|link\[[^]]+\]):\S+) (\d+)\s*$", cap, re.M)}
if "handover counters:" not in cap:
    bad.append("no handover counters section")
for k in ("handover:iri", "handover:cc", "handover:refused", "spool[lea1-hi3]:records:refused",
          "spool[lea1-hi2]:records:appended", "link[lea1-hi2]:records:sent", "link[lea1-hi3]:connect:up"):
    if k not in ctr:
        bad.append("counter %s missing" % k)
refused_ho = sum(int(x) for x in re.findall(r"refused (\d+) records", ho))
if ctr.get("handover:refused") != refused_ho or refused_ho == 0:
    bad.append("handover:refused %s != refusals in show handover %d" % (ctr.get("handover:refused"), refused_ho))
spool_refused = sum(v for k, v in ctr.items() if k.startswith("spool[") and k.endswith(":records:refused"))
if not 0 < spool_refused <= refused_ho:
    bad.append("spool refusals %d not in 1..%d" % (spool_refused, refused_ho))
if ctr.get("spool[lea1-hi3]:cap:alarm", 0) < 1:
    bad.append("spool[lea1-hi3]:cap:alarm not moved")
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
	{ cat "$work/verify.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/audit-log" --format json >"$work/audit.json" || fail "sluice audit show"
python3 - "$work/audit.json" "$work/lemf" <<'PY'
import collections, glob, json, os, sys
refused = collections.defaultdict(set)   # (cin, stream) -> seqs
reasons = collections.Counter()
alarms = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["kind"] == "delivery.alarm":
        alarms.append((r["fields"]["stream"], r["fields"]["state"]))
    if r["kind"] != "delivery.refused":
        continue
    f = r["fields"]
    reasons[(f["stream"], f["reason"])] += f["count"]
    assert f["last_seq"] - f["first_seq"] + 1 == f["count"], f
    k = (f.get("cin"), "iri" if f["stream"] == "hi2" else "cc")
    new = set(range(f["first_seq"], f["last_seq"] + 1))
    assert not (refused[k] & new), "a sequence number refused twice: %s" % f
    refused[k] |= new
got = collections.defaultdict(set)
for path in glob.glob(os.path.join(sys.argv[2], "*", "pdus.jsonl")):
    for line in open(path):
        r = json.loads(line)
        if r["stream"] in ("iri", "cc") and r.get("cin") is not None:
            got[(r["cin"], r["stream"])].add(r["seq"])
fail = []
if not refused:
    fail.append("no delivery.refused record")
if ("hi3", "raised") not in alarms:
    fail.append("the content spool filled without a delivery.alarm record (%s)" % alarms)
for k in sorted(set(got) | set(refused), key=str):
    g, x = got.get(k, set()), refused.get(k, set())
    if g & x:
        fail.append("%s: numbers both refused and received: %s" % (k, sorted(g & x)[:5]))
    allnums = g | x
    if allnums and allnums != set(range(0, max(allnums) + 1)):
        fail.append("%s: gaps nobody explains: %s" % (k, sorted(set(range(max(allnums) + 1)) - allnums)[:5]))
iri_refused = sum(v for (st, _), v in reasons.items() if st == "hi2")
gaps = sum(len(set(range(max(g) + 1)) - g) for g in got.values() if g)
print("refused on record: %s; receiver: %d streams, %d records, %d gap numbers inside what it saw; all explained"
      % (dict(reasons), len(got), sum(len(g) for g in got.values()), gaps))
if iri_refused and not any(r == "content-shed" for (_, r) in reasons):
    fail.append("IRI refused while content was never shed")
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
