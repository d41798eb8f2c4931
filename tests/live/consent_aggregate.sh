#!/bin/sh
# Aggregate releases driven by sluiced (docs/consent.md, "Aggregate
# releases"). A generated capture of 300 registrations whose REGISTERs
# carry a P-Access-Network-Info (TAC 1..3 by subscriber, PLMN 26201)
# spanning two one-minute buckets is replayed by sluiced with a registry
# in which every E.164 subscriber in TAC 1 and 2 consents to location for
# two recipients, but only two in TAC 3.
#
# acme (k = 5, no noise): each bucket is released to its own file; the
# release equals, cell by cell, what the test computes independently from
# `sluice extract`'s events (distinct consenting subscribers and their
# registrations, at most 10 per subscriber and cell, per TAC and bucket;
# cells under k suppressed): so released cells hold >= k subscribers,
# TAC 3 (2 consenting) and TAC 4 (nobody) are suppressed, and nothing of
# non-consenting subscribers is counted. gamma (epsilon 0.5, budget 0.6
# per day): the first bucket is released with noise, the second refused
# (budget spent), counted and audited. The audit log verifies and holds
# one aggregate.release per bucket and recipient, with the file's digest.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init aggd
FAIL_TAIL=25
PURPOSE=dpv:CommercialResearch

start=1767312055 # 2026-01-02T00:00:55Z: the registrations straddle the minute
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 0 --messages 0 --registrations 300 --areas 3 \
	--seed 5 --start "$start" --quiet >/dev/null || fail "gencap"
"$B/src/sluice" extract -q -r "$work/g.pcap" --types registration >"$work/events.json" || fail "extract"
"$B/src/sluice" audit keygen --name "sluice.test/audit" --out "$work/audit" --pseudonym-key "$work/audit.pkey" \
	>/dev/null || fail "audit keygen"
"$B/src/sluice" audit keygen --name "sluice.test/unused" --out "$work/unused" --pseudonym-key "$work/master.key" \
	>/dev/null || fail "master key"

python3 - "$work/events.json" "$work" "$PURPOSE" <<'PY' || fail "building the registry"
import json, sys
ev, work, purpose = sys.argv[1], sys.argv[2], sys.argv[3]
def e164(p):
    for i in (p or {}).get("ids", []):
        if i["type"] == "e164":
            return i["value"]
tac = {}
for line in open(ev):
    e = json.loads(line)
    n = e164(e.get("subscriber"))
    if n:
        tac[n] = int(e["location"].split("=")[1][5:9], 16)
chosen = [n for n in sorted(tac) if tac[n] in (1, 2)] + [n for n in sorted(tac) if tac[n] == 3][:2]
T0, T1 = 1767225600000000, 1798761600000000
with open(work + "/consents.jsonl", "w") as f:
    k = 0
    for r in ("acme", "gamma"):
        for n in chosen:
            f.write(json.dumps({"id": "c-%d" % k, "subject": {"type": "msisdn", "value": n}, "controller": "op",
                                "recipient": r, "purpose": purpose, "categories": ["location"],
                                "legal_basis": "dpv:Consent", "status": "dpv:ConsentGiven", "valid_from": T0,
                                "valid_until": T1, "collection_method": "app", "notice_version": "v1",
                                "notice_language": "en"}) + "\n")
            k += 1
json.dump(chosen, open(work + "/chosen.json", "w"))
PY
"$B/src/sluice" consent import --db "$work/reg.db" "$work/consents.jsonl" >/dev/null 2>"$work/import.err" ||
	fail "sluice consent import"

v=$(freeport)
mkdir -p "$work/acme" "$work/gamma"
cat >"$work/gw.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture
 source file $work/g.pcap
 country-code 49
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
 commit-window-ms 5
consent
 database $work/reg.db
 pseudonym-key $work/master.key
 recipient acme
  purpose $PURPOSE
  categories location
  aggregate-directory $work/acme
  aggregate-bucket-seconds 60
  aggregate-lateness-seconds 300
  aggregate-k 5
  aggregate-epsilon 0
  aggregate-plmn 26201
  aggregate-area 1
  aggregate-area 2
  aggregate-area 3
  aggregate-area 4
  aggregate-price-per-release 1000000
 recipient gamma
  purpose $PURPOSE
  categories location
  aggregate-directory $work/gamma
  aggregate-bucket-seconds 60
  aggregate-k 5
  aggregate-epsilon 0.5
  aggregate-budget 0.6 window-seconds 86400
  aggregate-plmn 26201
  aggregate-area 1
  aggregate-area 2
  aggregate-area 3
CFG
"$B/src/sluiced" -c "$work/gw.cfg" --check-config >"$work/check.out" 2>"$work/check.err" ||
	{ cat "$work/check.out" "$work/check.err"; fail "--check-config refuses the aggregate configuration"; }
"$B/src/sluiced" -c "$work/gw.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
wait_read "$work/gw.err" "the aggregate run" $gw
# the console: both recipients' releases (all buckets were released when the file ended)
vty_show "$v" "show consent" "recipient gamma aggregates" >"$work/show-consent.txt" || fail "show consent"
grep -q "^recipient acme aggregates: .* 0 late, 0 capped, 2 released, 0 repeated, 0 refused, 0 buckets open" \
	"$work/show-consent.txt" &&
	grep -q "^recipient gamma aggregates: .* 1 released, 0 repeated, 1 refused, 0 buckets open" \
		"$work/show-consent.txt" || { cat "$work/show-consent.txt"; fail "show consent: aggregate releases"; }
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"

"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
	{ cat "$work/verify.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/audit-log" --kind aggregate.release --format json >"$work/releases.json" ||
	fail "sluice audit show"
python3 - "$work" <<'PY' || fail "the releases are not what the consents and k allow"
import hashlib, json, os, sys
work = sys.argv[1]
chosen = set(json.load(open(work + "/chosen.json")))
def e164(p):
    for i in (p or {}).get("ids", []):
        if i["type"] == "e164":
            return i["value"]
# expected cells: (tac, bucket start) -> {subject: registrations}
exp = {}
for line in open(work + "/events.json"):
    e = json.loads(line)
    n = e164(e.get("subscriber"))
    if n not in chosen or e["result"] not in ("registered", "deregistered"):
        continue
    t = int(round(e["ts"] * 1e6))
    b = t - t % 60000000
    tac = int(e["location"].split("=")[1][5:9], 16)
    cell = exp.setdefault((tac, b), {})
    cell[n] = cell.get(n, 0) + 1
buckets = sorted({b for (_, b) in exp})
assert len(buckets) == 2, buckets
files = sorted(os.listdir(work + "/acme"))
assert len(files) == 2, files
k = 5
released = 0
for f, b in zip(files, buckets):
    raw = open(work + "/acme/" + f, "rb").read()
    doc = json.loads(raw)
    assert doc["period_start_us"] == b and doc["period_end_us"] == b + 60000000, (f, doc["period_start_us"], b)
    assert doc["k"] == k and doc["noise"] == "none" and doc["areas"] == [1, 2, 3, 4], doc
    assert doc["categories"] == ["registration"], doc["categories"]
    for c in doc["cells"]:
        subj = exp.get((c["area"], b), {})
        if len(subj) >= k:
            assert c.get("subjects") == len(subj), (f, c, len(subj))
            assert c.get("events") == sum(min(v, 10) for v in subj.values()), (f, c)
            released += 1
        else:
            assert c == {"area": c["area"], "bucket": 0, "category": "registration", "suppressed": True}, (f, c)
    assert not any("subjects" in c for c in doc["cells"] if c["area"] in (3, 4)), doc["cells"]
assert released >= 4, released  # TAC 1 and 2 in both buckets
# the audit log: acme published twice (file digests), gamma published then refused
recs = [json.loads(l) for l in open(work + "/releases.json") if l.strip()]
recs = [r.get("fields", r) for r in recs]
acme = [r for r in recs if r["recipient"] == "acme"]
gamma = [r for r in recs if r["recipient"] == "gamma"]
assert [r["result"] for r in acme] == ["published", "published"], acme
for r in acme:
    raw = open(work + "/acme/" + r["file"], "rb").read()
    assert r["digest"] == "sha256:" + hashlib.sha256(raw).hexdigest(), r
assert [r["result"] for r in gamma] == ["published", "refused"], gamma
assert "budget exhausted" in gamma[1]["reason"], gamma[1]
assert len(os.listdir(work + "/gamma")) == 1
g = json.loads(open(work + "/gamma/" + gamma[0]["file"]).read())
assert g["noise"] == "discrete_laplace" and g["epsilon_micro"] == 500000, g
print("acme: %d released cells over 2 buckets; gamma: 1 noisy release, 1 refused" % released)
PY
# the value ledger: each published acme release (price 1.000000) is shared among the subscribers of its released
# cells in proportion to their counted registrations (rounded down); gamma has no price
python3 - "$work" <<'PY' || fail "the value ledger does not match the releases"
import json, os, sqlite3, sys
work = sys.argv[1]
chosen = set(json.load(open(work + "/chosen.json")))
def e164(p):
    for i in (p or {}).get("ids", []):
        if i["type"] == "e164":
            return i["value"]
obs = {}
for line in open(work + "/events.json"):
    e = json.loads(line)
    n = e164(e.get("subscriber"))
    if n not in chosen:
        continue
    t = int(round(e["ts"] * 1e6))
    obs.setdefault(t - t % 60000000, []).append((n, int(e["location"].split("=")[1][5:9], 16)))
want = {}
for f in sorted(os.listdir(work + "/acme")):
    doc = json.loads(open(work + "/acme/" + f).read())
    rel = {c["area"] for c in doc["cells"] if "subjects" in c}
    per = {}
    for n, tac in obs[doc["period_start_us"]]:
        if tac in rel:
            per[n] = per.get(n, 0) + 1
    total = sum(per.values())
    for n, r in per.items():
        w = want.setdefault(n, [0, 0])
        w[0] += r
        w[1] += 1000000 * r // total
db = sqlite3.connect(work + "/reg.db")
got = {}
for subj, rcpt, recs, amount in db.execute("SELECT subject, recipient, sum(records), sum(amount_micro) "
                                           "FROM ledger GROUP BY subject, recipient"):
    assert rcpt == "acme", rcpt
    got[subj] = [recs, amount]
assert got == want, (sorted(got.items())[:5], sorted(want.items())[:5])
assert sum(w[1] for w in want.values()) <= 2000000 and len(want) >= 10
print("ledger: %d subscribers credited, %d micro-units" % (len(want), sum(w[1] for w in want.values())))
PY
# no identity in clear in the release files
for n in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$work/chosen.json"); do
	grep -rqF "$n" "$work/acme" "$work/gamma" && fail "subscriber $n in clear in a release"
done
grep -q "aggregate release refused" "$work/gw.err" || fail "the refusal is not logged"
echo "PASS: aggregate releases"
