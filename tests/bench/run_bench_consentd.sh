#!/bin/sh
# run_bench_consentd.sh: what the consent registry's size costs sluiced
# per event, the whole daemon running (`make bench`, after bench_consent).
#
# bench_consent measures the consent path alone, where one memory access
# is a large share of an event; here sluiced replays a generated capture
# (calls with RTP, SIP MESSAGEs, REGISTERs, noise) with the consent path
# on (one recipient, JSON Lines export, audit log) and the handover path
# idle, against registries that differ only in subjects the capture never
# carries, so that both export exactly the same records (checked: the
# export directories must be byte for byte the same, or the row says
# DIFFERENT):
#
#   few-1      one consent, for one subscriber of the capture;
#   few-10^6   the same, and 999,999 subscribers that never appear;
#   all-K      every subscriber of the capture consents (K of them);
#   all-10^6   the same K, and 10^6 - K that never appear.
#
# A round runs the four once each, in an order rotating per round; the
# table gives, per registry, the best of the rounds: user CPU seconds of
# the replay (sluiced's own "all capture files read" line: getrusage from
# its first frame to the end of the files, so the loading of the index at
# start is not in it; system time, mostly the export's fsyncs, is left
# out as it varies with the disk), events, ns of user CPU per event, and the median over
# the rounds of the per-round ratio to the small registry of its pair.
#
# Environment: top_builddir, top_srcdir, BENCH_DIR (the capture and the
# registries are kept there and rebuilt only when their inputs change;
# about 1.3 GB for the two 10^6 registries), BENCH_CONSENTD_ROUNDS (default
# 3), BENCH_CONSENTD_SUBJECTS (default 1000000). Exit status 0 unless
# something could not run.
set -eu

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
: "${BENCH_DIR:=$top_builddir/tests/bench}"
: "${BENCH_CONSENTD_ROUNDS:=3}"
: "${BENCH_CONSENTD_SUBJECTS:=1000000}"
B=$top_builddir
for p in "$B/src/sluice" "$B/src/sluiced" "$B/tests/bench/sluice-gencap"; do
	[ -x "$p" ] || { echo "run_bench_consentd.sh: $p is not built (run make first)" >&2; exit 1; }
done
mkdir -p "$BENCH_DIR"
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-benchcd.XXXXXX")
gw=""
trap '[ -z "$gw" ] || kill -9 "$gw" 2>/dev/null; rm -rf "$work"' EXIT INT TERM

cap="$BENCH_DIR/consentd.pcap"
args="--calls 6000 --rtp-seconds 1 --concurrency 200 --messages 120000 --registrations 8000 --noise 5 --seed 31 --start 1767312000"
if [ ! -f "$cap" ] || [ "$(cat "$BENCH_DIR/consentd.args" 2>/dev/null)" != "$args" ]; then
	# shellcheck disable=SC2086 # args: options without blanks
	"$B/tests/bench/sluice-gencap" --out "$cap" $args --quiet
	echo "$args" >"$BENCH_DIR/consentd.args"
fi

# the registries: JSON consent records, imported once into SQLite (kept while the capture and size are the same)
regs_key="$args $BENCH_CONSENTD_SUBJECTS 1"
if [ "$(cat "$BENCH_DIR/consentd-reg.key" 2>/dev/null)" != "$regs_key" ] || [ ! -f "$BENCH_DIR/consentd-all-big.db" ]; then
	echo "building the registries (once: $BENCH_CONSENTD_SUBJECTS subjects each for the large ones) ..."
	rm -f "$BENCH_DIR"/consentd-*.db*
	"$B/src/sluice" extract -q -r "$cap" --types call,message >"$work/events.json"
	python3 - "$work/events.json" "$work" "$BENCH_CONSENTD_SUBJECTS" <<'PY'
import json, sys
events, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
subs = []
seen = set()
for line in open(events):
    e = json.loads(line)
    for k in ("caller", "callee", "from", "to"):
        for i in (e.get(k) or {}).get("ids", []):
            if i["type"] == "e164" and i["value"] not in seen:
                seen.add(i["value"]); subs.append(i["value"])
def rec(n, s):
    return json.dumps({"id": "c-%d" % n, "subject": {"type": "msisdn", "value": s}, "controller": "op",
                       "recipient": "acme", "purpose": "dpv:CommercialResearch",
                       "categories": ["call-metadata", "messaging-metadata"], "legal_basis": "dpv:Consent",
                       "status": "dpv:ConsentGiven", "valid_from": 1767225600000000,
                       "valid_until": 1798761600000000, "collection_method": "app", "notice_version": "v1",
                       "notice_language": "en"}) + "\n"
# numbers the capture never carries: +88 (a code no capture subscriber has), checked against the set anyway
def others(count):
    k = 0
    v = 880000000000
    while k < count:
        s = "+%d" % v; v += 7
        if s in seen:
            continue
        k += 1
        yield s
with open(work + "/few.jsonl", "w") as f:
    f.write(rec(0, subs[0]))
with open(work + "/all.jsonl", "w") as f:
    for i, s in enumerate(subs):
        f.write(rec(i, s))
with open(work + "/few-more.jsonl", "w") as f:
    for i, s in enumerate(others(n - 1)):
        f.write(rec(10**7 + i, s))
with open(work + "/all-more.jsonl", "w") as f:
    for i, s in enumerate(others(n - len(subs))):
        f.write(rec(10**7 + i, s))
open(work + "/K", "w").write("%d\n" % len(subs))
print("  capture subscribers: %d" % len(subs))
PY
	for r in few all; do
		"$B/src/sluice" consent import --db "$BENCH_DIR/consentd-$r-small.db" "$work/$r.jsonl" >/dev/null
		t0=$(date +%s.%N)
		cat "$work/$r.jsonl" "$work/$r-more.jsonl" |
			"$B/src/sluice" consent import --db "$BENCH_DIR/consentd-$r-big.db" - >/dev/null
		t1=$(date +%s.%N)
		echo "  $r: $BENCH_CONSENTD_SUBJECTS records imported in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
	done
	rm -f "$work"/*.jsonl
	cp "$work/K" "$BENCH_DIR/consentd-K"
	echo "$regs_key" >"$BENCH_DIR/consentd-reg.key"
fi
"$B/src/sluice" audit keygen --name bench/audit --out "$work/audit" --pseudonym-key "$work/audit.pkey" >/dev/null
"$B/src/sluice" audit keygen --name bench/unused --out "$work/unused" --pseudonym-key "$work/master.key" >/dev/null

# run NAME DB: sluiced replays the capture against a copy of DB; prints "CPU_S EVENTS FRAMES"; the export in $work/out-NAME
run() {
	rm -rf "$work/run" "$work/out-$1"
	mkdir -p "$work/run" "$work/out-$1"
	cp "$2" "$work/run/reg.db"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >"$work/run/gw.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $port
 no login
capture
 source file $cap
 country-code 49
audit
 directory $work/run/audit-log
 signing-key $work/audit.key
 origin bench/audit
consent
 database $work/run/reg.db
 pseudonym-key $work/master.key
 audit-pseudonym-key $work/audit.pkey
 recipient acme
  purpose dpv:CommercialResearch
  categories call-metadata messaging-metadata
  location-granularity none
  time-bucket-seconds 60
  export-directory $work/out-$1
  price-per-record 1000
  batch records 1000 seconds 3600
CFG
	"$B/src/sluiced" -c "$work/run/gw.cfg" >/dev/null 2>"$work/run/gw.err" &
	gw=$!
	n=0
	until grep -q "all capture files read" "$work/run/gw.err"; do
		n=$((n + 1))
		if [ $n -gt 3000 ] || ! kill -0 "$gw" 2>/dev/null; then
			tail -n 5 "$work/run/gw.err" >&2
			echo "run_bench_consentd.sh: $1: sluiced did not finish the capture" >&2
			# this runs in $( ): the EXIT trap of the parent does not see gw
			kill -9 "$gw" 2>/dev/null
			exit 1
		fi
		sleep 0.1
	done
	kill -TERM "$gw"
	wait "$gw" || true
	gw=""
	# "all capture files read: F frames, E events in W s, CPU C s (user U s)": user CPU, the index's share
	# (the system time is mostly the export's fsyncs and varies with the disk)
	sed -n 's/.*all capture files read: \([0-9]*\) frames, \([0-9]*\) events in [0-9.]* s, CPU [0-9.]* s (user \([0-9.]*\) s).*/\3 \2 \1/p' \
		"$work/run/gw.err"
}

names="few-small few-big all-small all-big"
r=0
: >"$work/results"
while [ $r -lt "$BENCH_CONSENTD_ROUNDS" ]; do
	# rotate the order per round, so that no registry always follows the same one
	# shellcheck disable=SC2086 # four names without blanks
	set -- $names
	i=0
	while [ $i -lt $((r % 4)) ]; do
		first=$1; shift; set -- "$@" "$first"; i=$((i + 1))
	done
	for nm in "$@"; do
		res=$(run "$nm" "$BENCH_DIR/consentd-$nm.db")
		echo "$r $nm $res" >>"$work/results"
	done
	for pair in few all; do
		if ! diff -r "$work/out-$pair-small" "$work/out-$pair-big" >/dev/null; then
			echo "$r $pair DIFFERENT" >>"$work/results"
		fi
	done
	r=$((r + 1))
done

python3 - "$work/results" "$BENCH_CONSENTD_SUBJECTS" "$(cat "$BENCH_DIR/consentd-K")" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
different = sorted(set(r[1] for r in rows if r[2:] == ["DIFFERENT"]))
res = {}
for r in rows:
    if r[2:] == ["DIFFERENT"]:
        continue
    res.setdefault(r[1], {})[int(r[0])] = (float(r[2]), int(r[3]), int(r[4]))
n = int(sys.argv[2])
print("registry   subjects   | best user CPU s | events  | frames  | ns user CPU/event | ratio to small (median of rounds)")
for pair in ("few", "all"):
    for size in ("small", "big"):
        name = pair + "-" + size
        runs = res[name]
        best = min(c for c, _, _ in runs.values())
        ev = list(runs.values())[0][1]
        fr = list(runs.values())[0][2]
        subj = {"few-small": "1", "all-small": sys.argv[3]}.get(name, "%d" % n)
        ratio = ""
        if size == "big":
            rr = [runs[k][0] / res[pair + "-small"][k][0] for k in runs if k in res[pair + "-small"]]
            ratio = "%.3f (%.3f-%.3f)" % (statistics.median(rr), min(rr), max(rr))
        print("%-10s %-10s | %15.3f | %7d | %7d | %17.0f | %s" % (name, subj, best, ev, fr, best * 1e9 / ev, ratio))
for pair in different:
    print("%s: the exports of the two registries are DIFFERENT (the comparison is void)" % pair)
PY
