#!/bin/sh
# The lawful path end to end, driven only by signed warrants: sluiced
# replays a generated capture (calls with RTP, messages, registrations,
# stamped around now) with a warrant directory and two trusted
# authorities, and delivers over mutual TLS to `sluice lemf`, negotiating
# pDUAcknowledgement first (TS 102 232-1 clause 6.3.5).
#
# Warrants, signed by the openssl CLI as an authority would:
#   W-ALL   caller A, IRI+CC, every service, the whole capture
#   W-IRI   caller B, IRI only, every service
#   W-HALF  caller C, IRI+CC, valid from the middle of the capture on
# and documents that must be refused, each for its own reason: an expired
# warrant, a tampered one, one signed by another authority's signer, one
# naming a destination that is not its authority's, and an unsigned one.
#
# The receiver must get, per LIID, exactly the IRIs that `sluice extract`
# shows for that target inside the window (SIP messages, call steps,
# messages, registrations), content only for IRI+CC, nothing before
# W-HALF's window opened, and no LIID but these three; each HI1
# liActivated precedes the LIID's first IRI. Then W-IRI is revoked while
# the gateway is down and the gateway replays the file again: no second
# liActivated for anyone, and W-IRI's liDeactivated carries the HI1
# sequence number after its liActivated's. The audit log verifies with the
# auditor's key and lists every decision (accepted, refused with its
# reason, activated, deactivated, ended) and exactly the deliveries the
# receiver got, and no target anywhere. `sluice warrant verify`
# agrees with the daemon on every file, and `openssl cms -verify` accepts
# what `sluice warrant sign` produces.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init warrants
FAIL_TAIL=25
command -v openssl >/dev/null || fail "needs the openssl CLI"

live_pki "TLS test PKI"
sh "$top_srcdir/tests/pki/make_warrant_pki.sh" "$work/wpki" >/dev/null 2>&1 || fail "authorities' test PKI"
now=$(date +%s)
start=$((now - 600))
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 30 --rtp-seconds 2 --messages 12 --registrations 6 \
	--seed 23 --start "$start" --quiet >/dev/null || fail "gencap"
"$B/src/sluice" extract -q -r "$work/g.pcap" >"$work/events.json" || fail "extract"

# three callers as targets, the capture's time span
python3 - "$work/events.json" >"$work/targets" <<'PY' || exit 1
import json, sys
callers, t0, t1 = [], None, None
for line in open(sys.argv[1]):
    e = json.loads(line)
    t0 = e["ts"] if t0 is None else min(t0, e["ts"]); t1 = max(t1 or 0, e["ts"])
    if e["type"] == "call" and e["event"] == "attempt":
        i = e["caller"]["ids"][0]
        if i not in callers:
            callers.append(i)
assert len(callers) >= 3, callers
for i in callers[:3]:
    print(i["type"].replace("_", "-"), i["value"])
print("span", int(t0), int(t1) + 1)
PY
set -- $(sed -n 1p "$work/targets"); ta_type=$1 ta=$2
set -- $(sed -n 2p "$work/targets"); tb_type=$1 tb=$2
set -- $(sed -n 3p "$work/targets"); tc_type=$1 tc=$2
set -- $(sed -n 4p "$work/targets"); t0=$2 t1=$3
half=$(((t0 + t1) / 2))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

mkdir -p "$work/docs" "$work/warrants"
# doc NAME LIID VERSION AUTHORITY COUNTRY FROM UNTIL DELIVERY TTYPE TVALUE DEST
doc() {
	cat >"$work/docs/$1.json" <<JSON
{"type":"warrant","format":1,"liid":"$2","version":$3,"authority":{"name":"$4","country":"$5"},
 "case":"test $1","issued":"$(iso $((now - 3600)))","valid":{"from":"$(iso "$6")","until":"$(iso "$7")"},
 "scope":{"delivery":"$8","services":["voice","messaging","registration","location"]},
 "targets":[{"type":"$9","value":"${10}"}],"destination":"${11}"}
JSON
}
sign() { # NAME SIGNER
	openssl cms -sign -binary -nodetach -outform DER -in "$work/docs/$1.json" -signer "$work/wpki/$2.crt" \
		-inkey "$work/wpki/$2.key" -out "$work/warrants/$1.cms" 2>"$work/sign.err" || fail "signing $1"
}
doc w-all W-ALL 1 bka DE $((t0 - 60)) $((now + 3600)) iri+cc "$ta_type" "$ta" lea1 && sign w-all bka-signer
doc w-iri W-IRI 1 bka DE $((t0 - 60)) $((now + 3600)) iri "$tb_type" "$tb" lea1 && sign w-iri bka-signer
doc w-half W-HALF 1 bka DE "$half" $((now + 3600)) iri+cc "$tc_type" "$tc" lea1 && sign w-half bka-signer
# refused ones
doc x-expired X-EXPIRED 1 bka DE $((t0 - 7200)) $((t0 - 3600)) iri+cc "$ta_type" "$ta" lea1 && sign x-expired bka-signer
doc x-tampered X-TAMPERED 1 bka DE $((t0 - 60)) $((now + 3600)) iri+cc "$ta_type" "$ta" lea1 && sign x-tampered bka-signer
python3 - "$work/warrants/x-tampered.cms" <<'PY' || fail "tampering"
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); i = b.find(b"X-TAMPERED"); b[i] = ord("Y"); open(p, "wb").write(b)
PY
doc x-ncsc X-NCSC 1 bka DE $((t0 - 60)) $((now + 3600)) iri+cc "$ta_type" "$ta" lea1 && sign x-ncsc ncsc-signer
doc x-dest X-DEST 1 bka DE $((t0 - 60)) $((now + 3600)) iri+cc "$ta_type" "$ta" lea-ncsc && sign x-dest bka-signer
cp "$work/docs/w-all.json" "$work/warrants/x-unsigned.json"

# --- the offline check agrees with what the daemon will do ------------------------------
auths="--authority bka,DE,$work/wpki/bka-ca.crt,$work/wpki/bka.crl --authority ncsc,NL,$work/wpki/ncsc-ca.crt"
# shellcheck disable=SC2086
"$B/src/sluice" warrant verify $auths --destination bka=lea1 --destination ncsc=lea-ncsc --at "$(iso "$t0")" \
	--format json "$work"/warrants/* >"$work/verify.json"
[ $? -eq 1 ] || fail "sluice warrant verify: exit status should be 1 with refused files"
python3 - "$work/verify.json" <<'PY' || fail "sluice warrant verify"
import json, os, sys
want = {"w-all.cms": "ok", "w-iri.cms": "ok", "w-half.cms": "ok", "x-expired.cms": "expired",
        "x-tampered.cms": "bad-signature", "x-ncsc.cms": "bad-certificate", "x-dest.cms": "wrong-destination",
        "x-unsigned.json": "not-cms"}
got = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    got[os.path.basename(r["file"])] = r.get("refusal", r["result"])
    assert "targets" not in r or isinstance(r["targets"], int), "targets printed without --targets"
bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
if bad:
    print("verify results differ (got, want):", bad); sys.exit(1)
PY
"$B/src/sluice" warrant sign --cert "$work/wpki/bka-signer.crt" --key "$work/wpki/bka-signer.key" \
	-o "$work/sluice-signed.cms" "$work/docs/w-all.json" || fail "sluice warrant sign"
openssl cms -verify -binary -inform DER -in "$work/sluice-signed.cms" -CAfile "$work/wpki/bka-ca.crt" \
	-purpose smimesign -out "$work/sluice-signed.out" 2>"$work/cmsverify.err" || fail "openssl cms -verify rejects sluice warrant sign"
cmp -s "$work/sluice-signed.out" "$work/docs/w-all.json" || fail "sluice warrant sign changed the document"

# --- the daemon -------------------------------------------------------------------------
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
capture
 source file $work/g.pcap
handover
 operator-id OPX
 network-element-id sluice1
 country-code DE
 state-dir $work/state
 destination lea1
  hi2 127.0.0.1 $p2
  hi3 localhost $p3
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  keepalive 1
  pdu-ack
  option-negotiation
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
 commit-window-ms 5
lawful
 warrant-directory $work/warrants
 authority bka
  country DE
  trust-anchors $work/wpki/bka-ca.crt
  crl $work/wpki/bka.crl
  receiver-ca $work/pki/ca.crt
  destination lea1
 authority ncsc
  country NL
  trust-anchors $work/wpki/ncsc-ca.crt
  destination lea-ncsc
CFG
run_gw() { # one run of the gateway until it has read its file and delivered everything; $@: VTY commands first
	"$B/src/sluiced" -c "$work/sluice.cfg" >>"$work/gw.out" 2>>"$work/gw.err" &
	gw=$!
	pids="$pids $gw"
	python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 2 120 "$@" >"$work/show.txt" ||
		fail "the gateway did not drain its queues"
	if [ -n "${hup_file:-}" ]; then
		# a document dropped into the warrant directory takes effect on SIGHUP
		mv "$hup_file" "$work/warrants/"
		kill -HUP $gw
		n=0
		until grep -q "$hup_expect" "$work/show.txt"; do
			n=$((n + 1))
			[ $n -le 20 ] || { cat "$work/show.txt"; fail "SIGHUP: '$hup_expect' not in show warrants"; }
			sleep 0.5
			python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 2 20 >"$work/show.txt" ||
				fail "the gateway did not drain its queues after SIGHUP"
		done
		hup_file=""
	fi
	stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
}
run_gw
# the destination negotiated options (TS 102 232-1 clause 6.3.5: the gateway's optionComplete follows
# the receiver's optionResponse) and uses the pDUAcknowledgement it got
grep -rqs '"kind":"option_complete"' "$work/lemf" || fail "no option negotiation reached the receiver"
grep -rqs '"kind":"ack_request"' "$work/lemf" || fail "pDUAcknowledgement not used after negotiation"
grep -q "W-ALL v1 active" "$work/show.txt" || { cat "$work/show.txt"; fail "show warrants: W-ALL not active"; }
for x in "$ta" "$tb" "$tc"; do
	grep -qF -- "$x" "$work/show.txt" && fail "show warrants reveals a target"
	grep -qF -- "$x" "$work/gw.err" && fail "the daemon's log reveals a target"
done
for r in x-expired.cms:expired x-tampered.cms:bad-signature x-ncsc.cms:bad-certificate x-dest.cms:wrong-destination \
	x-unsigned.json:not-cms; do
	grep -q "${r%%:*}: refused (${r#*:})" "$work/gw.err" || fail "the daemon did not refuse ${r%%:*} as ${r#*:}"
done

python3 - "$work/events.json" "$work/lemf" "$ta_type" "$ta" "$tb_type" "$tb" "$tc_type" "$tc" "$half" <<'PY'
import collections, glob, json, os, sys
events, lemf = sys.argv[1], sys.argv[2]
targets = {"W-ALL": (sys.argv[3], sys.argv[4], 0), "W-IRI": (sys.argv[5], sys.argv[6], 0),
           "W-HALF": (sys.argv[7], sys.argv[8], int(sys.argv[9]))}
def ids(e):
    out = set()
    def walk(v):
        if isinstance(v, dict):
            if "ids" in v:
                for i in v["ids"]:
                    out.add((i["type"].replace("_", "-"), i["value"]))
            for x in v.values():
                walk(x)
    walk(e)
    return out
want = collections.Counter()
for line in open(events):
    e = json.loads(line)
    if e["type"] == "rtp_stream":
        continue
    for liid, (tt, tv, since) in targets.items():
        if (tt, tv) in ids(e) and e["ts"] >= since:
            want[liid] += 1
got, cc, hi1, first = collections.Counter(), collections.Counter(), {}, {}
first_type = {}  # (liid, cin) -> iRIType of its first IRI
fail = []
for f in sorted(glob.glob(os.path.join(lemf, "*", "pdus.jsonl"))):
    for n, line in enumerate(open(f)):
        r = json.loads(line)
        liid = r["liid"]
        if r.get("dup"):
            continue
        if r["stream"] == "hi1":
            hi1.setdefault(liid, n)
        elif r["stream"] == "iri":
            got[liid] += 1
            first.setdefault(liid, n)
            first_type.setdefault((liid, r.get("cin")), json.dumps(r["pdu"]).split('"iRIType": "')[-1].split('"')[0]
                                  if '"iRIType"' in json.dumps(r["pdu"]) else None)
        elif r["stream"] == "cc":
            cc[liid] += 1
liids = set(got) | set(cc) | set(hi1)
if liids - set(targets):
    fail.append("records for LIIDs no accepted warrant names: %s" % sorted(liids - set(targets)))
for liid in targets:
    if got[liid] != want[liid]:
        fail.append("%s: %d IRIs received, %d expected" % (liid, got[liid], want[liid]))
    if liid not in hi1 or (liid in first and hi1[liid] > first[liid]):
        fail.append("%s: no liActivated before its first IRI" % liid)
if cc["W-ALL"] == 0 or cc["W-HALF"] == 0:
    fail.append("no content for the IRI+CC warrants: %s" % dict(cc))
if cc["W-IRI"]:
    fail.append("W-IRI is IRI only but %d content records arrived" % cc["W-IRI"])
# a call already running when W-HALF's window opened still starts its records with a BEGIN (TS 102 232-5 table 1)
notbegin = sorted(k for k, t in first_type.items() if t != "begin")
if notbegin:
    fail.append("communications whose first IRI is not a BEGIN: %s" % notbegin[:5])
if min(want.values() or [0]) == 0:
    fail.append("a target had no events: the test proves nothing (%s)" % dict(want))
print("warrants: IRIs %s, content %s, expected IRIs %s" % (dict(got), dict(cc), dict(want)))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY

# --- a restart: no second liActivated, HI1 sequence numbers go on ---------------------
# The gateway replays its file again; once it has, W-IRI's revocation is dropped into the
# warrant directory and the gateway told with SIGHUP.
cat >"$work/docs/rev.json" <<JSON
{"type":"revocation","format":1,"liid":"W-IRI","version":1,"authority":{"name":"bka","country":"DE"},
 "issued":"$(iso "$now")","reason":"order lifted"}
JSON
openssl cms -sign -binary -nodetach -outform DER -in "$work/docs/rev.json" -signer "$work/wpki/bka-signer.crt" \
	-inkey "$work/wpki/bka-signer.key" -out "$work/zz-revoke-w-iri.cms" 2>>"$work/sign.err" || fail "signing the revocation"
hup_file="$work/zz-revoke-w-iri.cms" hup_expect="W-IRI v1 revoked"
# an operator changes the configuration on the console meanwhile: three commands (choosing the
# destination node creates one if needed), each on record
run_gw enable "configure terminal" handover "destination lea1" "keepalive 2" exit "spool-max-mb 512" end
python3 - "$work/lemf" <<'PY'
import collections, glob, json, os, sys
hi1 = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "pdus.jsonl"))):
    for line in open(f):
        r = json.loads(line)
        if r["stream"] == "hi1" and not r.get("dup"):
            hi1[r["liid"]].append(r["seq"])
fail = []
for liid in ("W-ALL", "W-HALF"):
    if hi1[liid] != [0]:
        fail.append("%s: HI1 sequence numbers %s after a restart, expected [0] (one liActivated)" % (liid, hi1[liid]))
if hi1["W-IRI"] != [0, 1]:
    fail.append("W-IRI: HI1 sequence numbers %s, expected [0, 1] (liActivated, then liDeactivated on SIGHUP after the restart)"
                % hi1["W-IRI"])
print("restart: HI1 sequence numbers per LIID %s" % dict(hi1))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY

# --- the audit log: intact, every decision, exactly the deliveries, no target -----------
"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify-audit.txt" 2>&1 ||
	{ cat "$work/verify-audit.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/audit-log" --format json >"$work/audit.json" || fail "sluice audit show"
for x in "$ta" "$tb" "$tc"; do
	grep -qF -- "$x" "$work/audit.json" && fail "the audit log names a target"
done
python3 - "$work/audit.json" "$work/lemf" <<'PY'
import collections, glob, json, os, sys
kinds = collections.Counter()
refused = collections.Counter()
delivered = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    kinds[r["kind"]] += 1
    f = r["fields"]
    if r["kind"] == "warrant.refused":
        refused[f["reason"]] += 1
    if r["kind"] == "delivery":
        delivered[(f["liid"], f["stream"])] += f["count"]
received = collections.Counter()
for path in glob.glob(os.path.join(sys.argv[2], "*", "pdus.jsonl")):
    for line in open(path):
        r = json.loads(line)
        if not r.get("dup") and r["stream"] != "tri":  # keep-alives and acknowledgements belong to no LIID
            received[(r["liid"], "hi3" if r["stream"] == "cc" else "hi2")] += 1
fail = []
if delivered != received:
    fail.append("deliveries on record %s differ from what the receiver got %s" % (dict(delivered), dict(received)))
# two runs of the gateway: each refusal once per run (a reload does not repeat them, a restart does)
want_refused = {"expired": 2, "bad-signature": 2, "bad-certificate": 2, "wrong-destination": 2, "not-cms": 2}
if dict(refused) != want_refused:
    fail.append("refusals on record %s, expected %s" % (dict(refused), want_refused))
for k, n in (("warrant.accepted", 3), ("intercept.activated", 3), ("intercept.deactivated", 1), ("config.change", 3),
             ("warrant.revocation", 1), ("daemon.start", 2), ("daemon.stop", 2), ("config.load", 2)):
    if kinds[k] != n:
        fail.append("%d %s records, expected %d" % (kinds[k], k, n))
print("audit: %s; %d deliveries match the receiver" % (dict(kinds), sum(delivered.values())))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
