#!/bin/sh
# The consented-data path in sluiced, end to end (docs/consent.md, "In the
# daemon"). A generated capture (fixed start time, so packet times and
# pseudonym epochs are fixed) is replayed by sluiced with a consent
# registry imported by `sluice consent import` and two recipients.
#
# 1. Exactly the consented records. From `sluice extract`'s events the
#    test computes, independently (Python hmac/hashlib, the HKDF and HMAC
#    of docs/consent.md), every record each recipient must get: one per
#    ended call or message and per party whose given consent covers the
#    recipient, purpose and category, with the other party's pseudonym
#    only if that party consented too, times bucketed; the export must
#    hold exactly these (durations within one second, as extract prints
#    milliseconds). No identity of the capture (numbers, IMSIs, SIP users)
#    appears anywhere in the export directories; no content (no body, no
#    "sip:"). The audit log verifies, and its export.batch records name
#    every batch: the SHA-256 of the bytes at segment/offset/length is the
#    recorded digest, the counts add up, the segments hold nothing else.
#
# 2. Warrant confidentiality. The same capture again, now with an
#    interception (lab `insecure-configured-intercepts`) on a consenting
#    subscriber, IRI and content, delivering to a destination: the
#    export directories are byte for byte the same as without it.
#
# 3. Withdrawal within one second. The capture is replayed at 2x real
#    time with every caller consenting and batches of one record; as
#    soon as a record of the subject with the most events later in the
#    capture is in the export, its consent is withdrawn with `sluice
#    consent withdraw`. Mapping: the
#    replay starts no earlier than T_start (taken just before sluiced is
#    started) and holds each frame until T_replay + (p - p0) / speed, so
#    an event of packet time p is processed no earlier than
#    T_start + (p - p0) / speed. The withdrawal is committed before W1
#    (taken when the command returns); the daemon must deny from W1 + 1 s
#    on. With a one-second time bucket an exported record of time b has
#    p >= b, so any record of the subject with T_start + (b - p0) / speed
#    > W1 + 1 s proves a late record; there must be none. The test also
#    checks that the subject had events after that point (so the check
#    is not empty) and reports its records before the withdrawal.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init consentd
FAIL_TAIL=25
PURPOSE=dpv:CommercialResearch

start=1767312000 # 2026-01-02T00:00:00Z: inside every consent's validity
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 30 --rtp-seconds 1 --messages 12 --registrations 6 \
	--seed 23 --start "$start" --quiet >/dev/null || fail "gencap"
"$B/src/sluice" extract -q -r "$work/g.pcap" --types call,message,registration >"$work/events.json" || fail "extract"
"$B/src/sluice" audit keygen --name "sluice.test/audit" --out "$work/audit" --pseudonym-key "$work/audit.pkey" \
	>/dev/null || fail "audit keygen"
"$B/src/sluice" audit keygen --name "sluice.test/unused" --out "$work/unused" --pseudonym-key "$work/master.key" \
	>/dev/null || fail "master key"

# consents: the first callers and messaging parties, each with another scope
python3 - "$work/events.json" "$work" "$PURPOSE" <<'PY' || fail "building the registry"
import json, sys
ev, work, purpose = sys.argv[1], sys.argv[2], sys.argv[3]
def e164(p):
    for i in (p or {}).get("ids", []):
        if i["type"] == "e164":
            return i["value"]
subs = []
for line in open(ev):
    e = json.loads(line)
    for k in ("caller", "callee", "from", "to"):
        n = e164(e.get(k))
        if n and n not in subs:
            subs.append(n)
assert len(subs) >= 8, subs
T0, T1 = 1767225600000000, 1798761600000000
plan = [  # (subject, recipient, categories, status)
    (subs[0], "acme", ["call-metadata", "messaging-metadata", "location", "device"], "dpv:ConsentGiven"),
    (subs[1], "acme", ["call-metadata"], "dpv:ConsentGiven"),
    (subs[2], "acme", ["messaging-metadata"], "dpv:ConsentGiven"),
    (subs[3], "acme", ["call-metadata", "messaging-metadata"], "dpv:ConsentRefused"),
    (subs[4], "beta", ["call-metadata", "messaging-metadata"], "dpv:ConsentGiven"),
    (subs[5], "acme", ["call-metadata", "messaging-metadata"], "dpv:ConsentGiven"),
    (subs[5], "beta", ["call-metadata"], "dpv:ConsentGiven"),
    (subs[6], "beta", ["messaging-metadata"], "dpv:ConsentGiven"),
] + [(s, "acme", ["call-metadata", "messaging-metadata"], "dpv:ConsentGiven") for s in subs[7:40:2]]
with open(work + "/consents.jsonl", "w") as f:
    for n, (s, r, cats, st) in enumerate(plan):
        f.write(json.dumps({"id": "c-%d" % n, "subject": {"type": "msisdn", "value": s}, "controller": "op",
                            "recipient": r, "purpose": purpose, "categories": cats, "legal_basis": "dpv:Consent",
                            "status": st, "valid_from": T0, "valid_until": T1, "collection_method": "app",
                            "notice_version": "v1", "notice_language": "en"}) + "\n")
with open(work + "/all-callers.jsonl", "w") as f:
    for n, s in enumerate(subs):
        f.write(json.dumps({"id": "w-%d" % n, "subject": {"type": "msisdn", "value": s}, "controller": "op",
                            "recipient": "acme", "purpose": purpose, "categories": ["call-metadata", "messaging-metadata"],
                            "legal_basis": "dpv:Consent", "status": "dpv:ConsentGiven", "valid_from": T0,
                            "valid_until": T1, "collection_method": "app", "notice_version": "v1",
                            "notice_language": "en"}) + "\n")
with open(work + "/target", "w") as f:
    f.write(subs[0] + "\n")
PY
"$B/src/sluice" consent import --db "$work/reg.db" "$work/consents.jsonl" >/dev/null 2>"$work/import.err" ||
	fail "sluice consent import"
target=$(cat "$work/target")

# config RUN EXTRA: one gateway configuration; EXTRA is appended (the intercept of run 2)
config() {
	v=$(freeport)
	cat >"$work/$1.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture
 source file $work/g.pcap
 country-code 49
${3:-}
audit
 directory $work/$1/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
 commit-window-ms 5
consent
 database $2
 pseudonym-key $work/master.key
 audit-pseudonym-key $work/audit.pkey
 recipient acme
  purpose $PURPOSE
  categories call-metadata messaging-metadata location device
  location-granularity area
  time-bucket-seconds ${BUCKET:-60}
  export-directory $work/$1/acme
  price-per-record 1500
  batch records 7 seconds 3600
  rotate megabytes 1 seconds 20
 recipient beta
  purpose $PURPOSE
  categories call-metadata messaging-metadata
  location-granularity none
  time-bucket-seconds ${BUCKET:-60}
  export-directory $work/$1/beta
  batch records 1000 seconds 3600
CFG
	mkdir -p "$work/$1/acme" "$work/$1/beta"
}
# run NAME: sluiced until it has read the file, then SIGTERM
run() {
	"$B/src/sluiced" -c "$work/$1.cfg" >"$work/$1.out" 2>"$work/$1.err" &
	gw=$!
	pids="$pids $gw"
	wait_read "$work/$1.err" "$1" $gw
	stop_within 60 TERM $gw || fail "$1: sluiced did not stop cleanly"
}

# --- 1. exactly the consented records --------------------------------------------------
config plain "$work/reg.db"
"$B/src/sluiced" -c "$work/plain.cfg" --check-config >"$work/check.out" 2>"$work/check.err" ||
	{ cat "$work/check.out" "$work/check.err"; fail "--check-config refuses a good consent node"; }
sed '/^  purpose/d; /^ pseudonym-key/d' "$work/plain.cfg" >"$work/bad.cfg"
"$B/src/sluiced" -c "$work/bad.cfg" --check-config >"$work/check-bad.out" 2>"$work/check-bad.txt" &&
	fail "--check-config accepts a consent node without keys and purposes"
for m in "consent: pseudonym-key is mandatory" "consent: recipient acme: purpose is mandatory"; do
	grep -qF "$m" "$work/check-bad.txt" || { cat "$work/check-bad.txt"; fail "--check-config does not say '$m'"; }
done
run plain
"$B/src/sluice" audit verify "$work/plain/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
	{ cat "$work/verify.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/plain/audit-log" --kind export.batch --format json >"$work/batches.json" ||
	fail "sluice audit show"
python3 "$top_srcdir/tests/live/consent_expect.py" "$work/events.json" "$work/consents.jsonl" "$work/master.key" \
	"$work/plain" "$work/batches.json" "$work/audit.pkey" 60 || fail "the export is not what the consents allow"
for f in "$work"/plain/acme/* "$work"/plain/beta/*; do
	[ -f "$f" ] || continue
	grep -q 'sip:\|"body"\|"text"' "$f" && fail "content or a SIP URI in $f"
done
python3 - "$work/events.json" "$work/plain" <<'PY' || fail "an identity in clear in the export directories"
import json, os, sys
ids = set()
def walk(v):
    if isinstance(v, dict):
        for i in v.get("ids", []) if isinstance(v.get("ids"), list) else []:
            ids.add(i["value"])
            if i["type"] == "sip_uri":
                ids.add(i["value"].split(":", 1)[1].split("@")[0])
            if i["type"] == "e164":
                ids.add(i["value"][1:])
        for x in v.values():
            walk(x)
for line in open(sys.argv[1]):
    walk(json.loads(line))
ids = {i for i in ids if len(i) >= 5}
for d in ("acme", "beta"):
    for f in os.listdir(os.path.join(sys.argv[2], d)):
        data = open(os.path.join(sys.argv[2], d, f)).read()
        for i in ids:
            if i in data:
                print("identity %s in %s/%s" % (i, d, f)); sys.exit(1)
print("no identity of %d in the exports" % len(ids))
PY
grep -qF -- "$target" "$work/plain.err" && fail "the daemon's log names a subscriber"
# the value share: every exported record credited to its subject, price-per-record each (acme 1500, beta 0)
python3 - "$work/reg.db" "$work/plain" <<'PY' || fail "the value ledger does not match the exports"
import glob, json, os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
fail = []
for rcpt, price in (("acme", 1500), ("beta", 0)):
    lines = sum(1 for f in glob.glob(os.path.join(sys.argv[2], rcpt, "*")) for _ in open(f))
    recs, amount = db.execute("SELECT coalesce(sum(records),0), coalesce(sum(amount_micro),0) FROM ledger "
                              "WHERE recipient=?", (rcpt,)).fetchone()
    bad = db.execute("SELECT count(*) FROM ledger l WHERE recipient=? AND NOT EXISTS (SELECT 1 FROM consent c "
                     "WHERE c.id=l.consent_id AND c.recipient=l.recipient)", (rcpt,)).fetchone()[0]
    print("ledger %s: %d records, %d micro-units; export %d lines" % (rcpt, recs, amount, lines))
    if recs != lines or amount != lines * price:
        fail.append("%s: ledger %d records / %d micro-units, export %d lines at %d" % (rcpt, recs, amount, lines, price))
    if bad:
        fail.append("%s: %d ledger rows name no consent record" % (rcpt, bad))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
"$B/src/sluice" consent report --db "$work/reg.db" --subject "msisdn:$target" --format json >"$work/report.json" ||
	fail "sluice consent report"

# --- 2. the same with an interception on a consenting subscriber --------------------------
sh "$top_srcdir/tests/pki/make_pki.sh" "$work/pki" >/dev/null 2>&1 || fail "test PKI"
p2=$(freeport)
config warrant "$work/reg.db" "handover
 operator-id OPX
 country-code DE
 state-dir $work/state
 destination lea1
  hi2 127.0.0.1 $p2
  hi3 127.0.0.1 $p2
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  tls ca $work/pki/ca.crt
lawful
 insecure-configured-intercepts
 intercept LIID-C
  target e164 $target
  scope iri-cc
  destination lea1"
run warrant
grep -q "intercept LIID-C active" "$work/warrant.err" || fail "the interception did not become active"
find "$work/state" -type f -size +0 | grep -q . || fail "the interception spooled nothing"
for d in acme beta; do
	(cd "$work/plain/$d" && ls) >"$work/ls-plain-$d"
	(cd "$work/warrant/$d" && ls) >"$work/ls-warrant-$d"
	cmp -s "$work/ls-plain-$d" "$work/ls-warrant-$d" || fail "$d: other segment files under a warrant"
	for f in $(cat "$work/ls-plain-$d"); do
		cmp -s "$work/plain/$d/$f" "$work/warrant/$d/$f" || fail "$d/$f differs under a warrant"
	done
	[ -s "$work/ls-plain-$d" ] || fail "$d: no export at all"
done
echo "warrant confidentiality: $(cat "$work"/ls-plain-* | wc -l) segment files byte-identical with and without an interception"

# --- 3. withdrawal within one second on a running daemon --------------------------------
"$B/src/sluice" consent import --db "$work/wd.db" "$work/all-callers.jsonl" >/dev/null 2>"$work/import2.err" ||
	fail "sluice consent import (withdrawal registry)"
BUCKET=1 config wd "$work/wd.db"
sed -i 's|^ country-code 49$| country-code 49\n replay-speed 2|; s|^  batch records 7 |  batch records 1 |' "$work/wd.cfg"
# the subject with the most events after the first seconds of the capture
victim=$(python3 - "$work/events.json" <<'PY'
import json, sys
span, n = {}, {}
p0 = min(json.loads(l)["ts"] for l in open(sys.argv[1]))
for line in open(sys.argv[1]):
    e = json.loads(line)
    if not (e["type"] == "call" and e["event"] == "end") and e["type"] != "message":
        continue
    for k in ("caller", "callee", "from", "to"):
        for i in (e.get(k) or {}).get("ids", []):
            if i["type"] == "e164":
                lo, hi = span.get(i["value"], (e["ts"], e["ts"]))
                span[i["value"]] = (min(lo, e["ts"]), max(hi, e["ts"]))
                b = n.setdefault(i["value"], ([], []))
                # withdrawn after its first record: most events after 8 s, one early
                b[e["ts"] - p0 > 8].append(e["ts"])
print(max(span, key=lambda s: (len(n[s][1]) + 2 * min(len(n[s][0]), 1))))
PY
)
t_start=$(date +%s.%N)
"$B/src/sluiced" -c "$work/wd.cfg" >"$work/wd.out" 2>"$work/wd.err" &
gw=$!
pids="$pids $gw"
# the subject's pseudonym for acme in the capture's epoch: its first exported record shows the flow is live
vp=$(python3 -c '
import hashlib, hmac, sys
master = bytes.fromhex(open(sys.argv[1]).read().strip())
prk = hmac.new(b"sluice-consent-pseudonym-v1", master, hashlib.sha256).digest()
key = hmac.new(prk, b"recipient\0acme\0" + (int(sys.argv[2]) // 2592000).to_bytes(8, "big") + b"\x01", hashlib.sha256).digest()
print(hmac.new(key, b"msisdn\0" + sys.argv[3].encode(), hashlib.sha256).hexdigest())' "$work/master.key" "$start" "$victim")
n=0
until cat "$work"/wd/acme/*.jsonl 2>/dev/null | grep -qF "$vp"; do
	n=$((n + 1))
	[ $n -le 600 ] || fail "withdrawal run: no record of the subject within 60 s"
	kill -0 $gw 2>/dev/null || fail "withdrawal run: sluiced exited"
	sleep 0.1
done
"$B/src/sluice" consent withdraw --db "$work/wd.db" --subject "msisdn:$victim" --recipient acme --purpose "$PURPOSE" \
	>/dev/null 2>"$work/withdraw.err" || fail "sluice consent withdraw"
w1=$(date +%s.%N)
# the running path as the console shows it
vty_show "$v" "show consent" "recipient beta" >"$work/show-consent.txt" || fail "show consent"
grep -q "^index: .* subjects" "$work/show-consent.txt" && grep -q "^recipient acme: " "$work/show-consent.txt" ||
	{ cat "$work/show-consent.txt"; fail "show consent does not show the index and recipients"; }
grep -qF -- "$victim" "$work/show-consent.txt" && fail "show consent names a subscriber"
wait_read "$work/wd.err" "withdrawal run"
stop_within 60 TERM $gw || fail "withdrawal run: sluiced did not stop cleanly"
python3 - "$work/events.json" "$work/wd/acme" "$work/master.key" "$victim" "$t_start" "$w1" 2 <<'PY' || fail "withdrawal"
import glob, hashlib, hmac, json, sys
events, d, keyf, victim, t_start, w1, speed = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], \
    float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
master = bytes.fromhex(open(keyf).read().strip())
p0 = min(json.loads(l)["ts"] for l in open(events))
def pseud(t, value):
    epoch = int(t) // 2592000
    prk = hmac.new(b"sluice-consent-pseudonym-v1", master, hashlib.sha256).digest()
    info = b"recipient\0acme\0" + epoch.to_bytes(8, "big")
    key = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
    return hmac.new(key, b"msisdn\0" + value.encode(), hashlib.sha256).hexdigest()
late, before, after_events = [], 0, 0
for f in sorted(glob.glob(d + "/*.jsonl")):
    for line in open(f):
        r = json.loads(line)
        if r["subject"] != pseud(r["time"], victim):
            continue
        earliest = t_start + (r["time"] - p0) / speed
        if earliest > w1 + 1.0:
            late.append((r["time"], earliest - w1))
        else:
            before += 1
for line in open(events):
    e = json.loads(line)
    if (e["type"] == "call" and e["event"] == "end") or e["type"] == "message":
        if victim in json.dumps(e) and t_start + (e["ts"] - p0) / speed > w1 + 1.5:
            after_events += 1
print("withdrawal: %d records before, %d events of the subject later than withdrawal + 1 s, %d exported" %
      (before, after_events, len(late)))
if late:
    print("records after withdrawal + 1 s (time, seconds after the withdrawal):", late); sys.exit(1)
if after_events == 0:
    print("the subject has no events after the withdrawal: the check is empty"); sys.exit(1)
if before == 0:
    print("no record of the subject before the withdrawal: the flow was not shown live"); sys.exit(1)
PY
echo "consent_daemon: ok"
