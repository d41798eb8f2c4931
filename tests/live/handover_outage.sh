#!/bin/sh
# Nothing lost through outages, end to end: sluiced replays a generated
# capture (calls with RTP, messages, registrations) at 4x its speed under
# three IRI+CC interceptions and delivers over mutual TLS with pDU
# acknowledgement to two `sluice lemf` receivers (HI2 and HI3), while
#   - the HI3 receiver is SIGKILLed and restarted,
#   - the gateway itself is SIGKILLed and restarted (it replays the file
#     again: new communications with CINs from a new block, and whatever
#     its spools held from before is sent again),
#   - the HI2 receiver is SIGKILLed and restarted.
# Then, once the gateway reports empty queues:
#   - every (LIID, CIN, stream) at the receivers starts at sequence
#     number 0 and has no missing number (duplicates are allowed, counted);
#   - the communications of the run after the restart carry exactly as
#     many distinct IRI and CC records per LIID as a reference run without
#     any outage.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init outage

live_pki
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 40 --rtp-seconds 3 --messages 10 --registrations 4 \
	--seed 11 >/dev/null || fail "gencap"

# three interceptions, four callers each, chosen from the capture's own call events
live_callers "$work/g.pcap" 12
python3 - "$work/callers" >"$work/lawful.cfg" <<'PY'
import sys
seen = open(sys.argv[1]).read().splitlines()
print("lawful\n insecure-configured-intercepts")
for k in range(3):
    print(" intercept LIID-%d" % (k + 1))
    for t in seen[k * 4:(k + 1) * 4]:
        print("  target %s" % t)
    print("  scope iri-cc\n  destination lea1")
PY

start_lemf() { # name port outdir
	"$B/src/sluice" lemf --listen "127.0.0.1:$2" --out "$3" --tls-cert "$work/pki/lemf.crt" \
		--tls-key "$work/pki/lemf.key" --ca "$work/pki/ca.crt" -q >>"$work/$1.out" 2>>"$work/$1.err" &
	eval "$1=\$!"
	pids="$pids $!"
}
write_cfg() { # cfg statedir vtyport hi2port hi3port speed
	cat >"$1" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $3
 no login
capture
 source file $work/g.pcap
 replay-speed $6
handover
 operator-id OPX
 network-element-id sluice1
 country-code DE
 state-dir $2
 spool-fsync interval
 destination lea1
  hi2 127.0.0.1 $4
  hi3 127.0.0.1 $5
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  tls ca $work/pki/ca.crt
  keepalive 1
  pdu-ack
CFG
	cat "$work/lawful.cfg" >>"$1"
}
start_gw() { # cfg
	"$B/src/sluiced" -c "$1" >>"$work/gw.out" 2>>"$work/gw.err" &
	gw=$!
	pids="$pids $gw"
}
# Wait until the gateway has read its file and both streams have nothing queued.
wait_drained() { # vtyport
	python3 - "$1" <<'PY' || fail "the gateway did not drain its queues"
import re, socket, sys, time
port = int(sys.argv[1])
def show(cmd):
    for _ in range(50):
        try:
            s = socket.create_connection(("127.0.0.1", port)); break
        except OSError:
            time.sleep(0.1)
    else:
        return ""
    s.settimeout(0.3); s.sendall(b"enable\r\n" + cmd.encode() + b"\r\n"); out = b""; t = time.time()
    while time.time() - t < 1.5:
        try:
            d = s.recv(65536)
            if not d: break
            out += d
        except socket.timeout:
            if out.rstrip().endswith(b"#") and out.count(b"#") >= 2: break
    s.close(); return out.decode(errors="replace")
deadline = time.time() + 120
while time.time() < deadline:
    cap, ho = show("show capture"), show("show handover")
    q = re.findall(r"queued (\d+) records", ho)
    if "files: all read" in cap and len(q) == 2 and all(x == "0" for x in q) and ho.count(": up ") == 2:
        sys.exit(0)
    time.sleep(0.5)
print(ho)
sys.exit(1)
PY
}

# --- reference run: no outage --------------------------------------------------
p2=$(freeport) p3=$(freeport) v=$(freeport)
start_lemf ref2 "$p2" "$work/ref"
start_lemf ref3 "$p3" "$work/ref"
write_cfg "$work/ref.cfg" "$work/ref-state" "$v" "$p2" "$p3" max
start_gw "$work/ref.cfg"
wait_drained "$v"
stop_within 60 TERM $gw || fail "sluiced (reference run) did not stop cleanly"
stop_within 20 TERM $ref2; stop_within 20 TERM $ref3

# --- outage run ----------------------------------------------------------------------
p2=$(freeport) p3=$(freeport) v=$(freeport)
start_lemf hi2 "$p2" "$work/out"
start_lemf hi3 "$p3" "$work/out"
write_cfg "$work/run.cfg" "$work/run-state" "$v" "$p2" "$p3" 4
start_gw "$work/run.cfg"
sleep 2.5
kill -9 $hi3; sleep 1; start_lemf hi3 "$p3" "$work/out"
sleep 1.5
kill -9 $gw; sleep 1; start_gw "$work/run.cfg"
sleep 3
kill -9 $hi2; sleep 1; start_lemf hi2 "$p2" "$work/out"
wait_drained "$v"
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
stop_within 20 TERM $hi2; stop_within 20 TERM $hi3

python3 - "$work/ref" "$work/out" <<'PY'
import collections, glob, json, os, sys
def load(d):
    recs = collections.defaultdict(set)   # (liid, cin, stream) -> seqs
    dups = 0
    for f in glob.glob(os.path.join(d, "*", "pdus.jsonl")):
        for line in open(f):
            r = json.loads(line)
            if r["stream"] not in ("iri", "cc") or r.get("cin") is None:
                continue
            recs[(r["liid"], r["cin"], r["stream"])].add(r["seq"])
            dups += bool(r.get("dup"))
    return recs, dups
ref, _ = load(sys.argv[1])
out, dups = load(sys.argv[2])
fail = []
for k, seqs in sorted(out.items()):
    if min(seqs) != 0 or len(seqs) != max(seqs) + 1:
        fail.append("%s cin %s %s: %d numbers, %d..%d: gaps" % (k[0], k[1], k[2], len(seqs), min(seqs), max(seqs)))
def totals(recs, min_cin):
    t = collections.Counter()
    for (liid, cin, st), seqs in recs.items():
        if cin >= min_cin:
            t[(liid, st)] += len(seqs)
    return t
tr = totals(ref, 0)
# the run after the gateway restart allocates CINs from a fresh block (1000 per block)
cins = sorted({k[1] for k in out})
second = min([c for c in cins if c > 1000], default=None)
if second is None:
    fail.append("no communication with a CIN from the second block: did the gateway restart?")
else:
    to = totals(out, second)
    if to != tr:
        fail.append("after the restart: %s, reference run: %s" % (dict(to), dict(tr)))
n = sum(len(s) for s in out.values())
print("outage: %d streams, %d distinct records, %d duplicates received; reference %s" %
      (len(out), n, dups, dict(tr)))
if not tr or sum(v for (l, s), v in tr.items() if s == "cc") == 0:
    fail.append("reference run delivered no content: the test proves nothing")
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
