#!/bin/sh
# Warrants on real captures: every shared capture with a call, replayed by
# one sluiced (the files merged in time order, years apart), with one
# signed warrant per capture for that capture's first caller, valid only
# around that capture. The receiver must get, per LIID, exactly the IRIs
# that `sluice extract` shows for that party inside the window, and no
# record for anyone else; the audit log must verify and account for every
# delivery.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}" "${PCAPS:?}"
. "$top_srcdir/tests/live/common.sh"
live_init wshared
FAIL_TAIL=25
command -v openssl >/dev/null || fail "needs the openssl CLI"
[ -d "$PCAPS" ] || fail "no shared captures in $PCAPS (configure --with-pcaps)"

live_pki "TLS test PKI"
sh "$top_srcdir/tests/pki/make_warrant_pki.sh" "$work/wpki" >/dev/null 2>&1 || fail "authorities' test PKI"
mkdir -p "$work/warrants" "$work/docs"

# captures with at least one call, each with its first caller and time span
for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	"$B/src/sluice" extract -q -r "$f" >"$work/one.json" 2>/dev/null || continue
	python3 - "$f" "$work/one.json" >>"$work/plan" <<'PY'
import json, sys, time
t0 = t1 = None
caller = None
for line in open(sys.argv[2]):
    e = json.loads(line)
    t0 = e["ts"] if t0 is None else min(t0, e["ts"]); t1 = e["ts"] if t1 is None else max(t1, e["ts"])
    if caller is None and e["type"] == "call" and e["event"] == "attempt":
        # a warrant names global identities: a bare national number is not one
        ok = [i for i in e["caller"]["ids"] if i["type"] in ("sip_uri", "e164", "imsi", "imei")]
        caller = ok[0] if ok else None
# a capture may carry a bogus timestamp far in the future: no window reaches past next year
if t1 is not None:
    t1 = min(t1, time.time() + 365 * 86400)
if caller:
    print(sys.argv[1], caller["type"].replace("_", "-"), caller["value"], int(t0) - 1, int(t1) + 2)
PY
done
[ "$(wc -l <"$work/plan")" -ge 10 ] || fail "fewer than 10 shared captures with calls: $(cat "$work/plan")"

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
n=0 sources=""
while read -r file ttype tvalue from until; do
	n=$((n + 1))
	sources="$sources
 source file $file"
	cat >"$work/docs/w$n.json" <<JSON
{"type":"warrant","format":1,"liid":"SHARED-$n","version":1,"authority":{"name":"bka","country":"DE"},
 "case":"shared capture $n","issued":"$(iso "$from")","valid":{"from":"$(iso "$from")","until":"$(iso "$until")"},
 "scope":{"delivery":"iri+cc","services":["voice","messaging","registration","location"]},
 "targets":[{"type":"$ttype","value":"$tvalue"}],"destination":"lea1"}
JSON
	"$B/src/sluice" warrant sign --cert "$work/wpki/bka-signer.crt" --key "$work/wpki/bka-signer.key" \
		-o "$work/warrants/w$n.cms" "$work/docs/w$n.json" || fail "signing warrant $n"
done <"$work/plan"
# what the receiver must get: the merged capture's events, as the daemon sees them
# shellcheck disable=SC2046
"$B/src/sluice" extract -q $(awk '{print "-r " $1}' "$work/plan") >"$work/events.json" || fail "extract of all"

p2=$(freeport) p3=$(freeport) v=$(freeport)
for s in 2 3; do
	eval "port=\$p$s"
	"$B/src/sluice" lemf --listen "127.0.0.1:$port" --out "$work/lemf" --tls-cert "$work/pki/lemf.crt" \
		--tls-key "$work/pki/lemf.key" --ca "$work/pki/ca.crt" -q >>"$work/lemf$s.out" 2>>"$work/lemf$s.err" &
	pids="$pids $!"
done
"$B/src/sluice" audit keygen --name "sluice.test/audit" --out "$work/audit" >/dev/null || fail "audit keygen"
cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture$sources
handover
 operator-id OPX
 network-element-id sluice1
 country-code DE
 state-dir $work/state
 destination lea1
  hi2 127.0.0.1 $p2
  hi3 127.0.0.1 $p3
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  tls ca $work/pki/ca.crt
  pdu-ack
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
lawful
 warrant-directory $work/warrants
 authority bka
  country DE
  trust-anchors $work/wpki/bka-ca.crt
  crl $work/wpki/bka.crl
  receiver-ca $work/pki/ca.crt
  destination lea1
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 2 >"$work/show.txt" || fail "the gateway did not drain its queues"
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
	{ cat "$work/verify.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/audit-log" --kind delivery --format json >"$work/deliveries.json" ||
	fail "sluice audit show"

python3 - "$work/plan" "$work/events.json" "$work/lemf" "$work/deliveries.json" <<'PY'
import collections, glob, json, os, sys
plan = [l.split() for l in open(sys.argv[1])]
targets = {}
for n, (f, tt, tv, a, b) in enumerate(plan, 1):
    targets["SHARED-%d" % n] = (tt, tv, int(a) * 1000000, int(b) * 1000000)
def ids(e):
    out = set()
    def walk(v):
        if isinstance(v, dict):
            for i in v.get("ids", []):
                out.add((i["type"].replace("_", "-"), i["value"]))
            for x in v.values():
                walk(x)
    walk(e)
    return out
want = collections.Counter()
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e["type"] == "rtp_stream":
        continue
    us = round(e["ts"] * 1000000)
    for liid, (tt, tv, a, b) in targets.items():
        if (tt, tv) in ids(e) and a <= us < b:
            want[liid] += 1
got, rec = collections.Counter(), collections.Counter()
for path in glob.glob(os.path.join(sys.argv[3], "*", "pdus.jsonl")):
    for line in open(path):
        r = json.loads(line)
        if r.get("dup") or r["stream"] == "tri":
            continue
        rec[r["liid"]] += 1
        if r["stream"] == "iri":
            got[r["liid"]] += 1
fail = []
if set(rec) - set(targets):
    fail.append("records for LIIDs no warrant names: %s" % sorted(set(rec) - set(targets)))
for liid in sorted(targets):
    if got[liid] != want[liid]:
        fail.append("%s (%s): %d IRIs received, %d expected" % (liid, plan[int(liid.split("-")[1]) - 1][0].split("/")[-1],
                                                                   got[liid], want[liid]))
if min(want[l] for l in targets) == 0:
    fail.append("a warrant's party has no events: %s" % dict(want))
on_record = collections.Counter()
for line in open(sys.argv[4]):
    f = json.loads(line)["fields"]
    on_record[f["liid"]] += f["count"]
if on_record != rec:
    fail.append("deliveries on record %s, received %s" % (dict(on_record), dict(rec)))
print("shared captures: %d warrants, IRIs per LIID %s" % (len(targets), dict(sorted(got.items()))))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
