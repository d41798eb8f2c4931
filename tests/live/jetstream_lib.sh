# shellcheck shell=sh disable=SC2154,SC2034
# Sourced by the JetStream live tests (consent_jetstream.sh,
# consent_jetstream_creds.sh, consent_jetstream_renew.sh,
# consent_jetstream_stop.sh, consent_jetstream_tls.sh) after common.sh;
# each then calls js_live_init.
# What they share: their set-up and skips, waiting for a listener, the
# console's `show consent`, the capture and consent registry sluiced exports
# from, its configuration, starting, crashing and waiting for sluiced, and
# the check that the stream is the export exactly once and that the audit
# log and ledger account for it. The broker is the caller's ($nats, with
# its own broker function).

# js_live_init NAME [creds]: skip (77) without nats-server or js_dump (libnats), and with
# creds without python3-cryptography (nats_creds.py); then common.sh's live_init NAME, with
# fail also showing the NATS server logs ($work/nats*.log)
js_live_init() {
	NS=${NATS_SERVER:-}
	[ -n "$NS" ] && [ -x "$NS" ] || { echo "SKIP: nats-server not found (scripts/deps.sh nats)"; exit 77; }
	[ -x "$top_builddir/tests/live/js_dump" ] ||
		{ echo "SKIP: built without libnats (scripts/deps.sh nats, then configure)"; exit 77; }
	if [ "${2:-}" = creds ]; then
		python3 -c 'import cryptography.hazmat.primitives.asymmetric.ed25519' 2>/dev/null ||
			{ echo "SKIP: python3-cryptography missing (scripts/deps.sh test)"; exit 77; }
	fi
	live_init "$1"
	# a pattern: fail's unquoted loop expands it when it runs
	FAIL_ALSO="$work/nats*.log"
	FAIL_TAIL=25
}

PURPOSE=dpv:CommercialResearch

# wait_listen PORT WHAT: until something accepts connections on 127.0.0.1:PORT, at most 10 s
wait_listen() {
	_wl_n=0
	until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" \
		2>/dev/null; do
		_wl_n=$((_wl_n + 1))
		[ $_wl_n -le 100 ] || fail "$2 did not listen within 10 s"
		sleep 0.1
	done
}

# show_consent VTY_PORT: what the console answers to `show consent`
show_consent() { vty_show "$1" "show consent" "jetstream:" 0.3; }

# js_lines: the records in acme's outbox ($work/acme) now
js_lines() { cat "$work"/acme/*.jsonl 2>/dev/null | wc -l; }

# js_pending_rows: the batches awaiting acknowledgement in the consent database ($work/reg.db)
js_pending_rows() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM js_pending").fetchone()[0])' \
		"$work/reg.db"
}

# js_kill_broker: the broker ($nats) killed (SIGKILL: nothing flushed) and reaped
js_kill_broker() {
	kill -9 "$nats"
	wait "$nats" 2>/dev/null
}

# js_start_gw CFG NAME: sluiced started with CFG in the background, its output in $work/NAME.out and
# $work/NAME.err; gw is its pid (also added to pids, killed at exit)
js_start_gw() {
	"$B/src/sluiced" -c "$1" >"$work/$2.out" 2>"$work/$2.err" &
	gw=$!
	pids="$pids $gw"
}

# js_wait_read ERRFILE WHAT: until sluiced ($gw) logged that it read the whole capture, at most 120 s;
# fails naming WHAT if it did not, or if sluiced exited first
js_wait_read() {
	_jr_n=0
	until grep -q "all capture files read" "$1" 2>/dev/null; do
		_jr_n=$((_jr_n + 1))
		[ $_jr_n -le 1200 ] || fail "$2: the capture was not read within 120 s"
		kill -0 "$gw" 2>/dev/null || fail "$2: sluiced exited"
		sleep 0.1
	done
}

# js_wait_settled WHAT: until the outbox stops growing (the last batch is flushed after the capture
# ends): the same count twice half a second apart, at most 30 s
js_wait_settled() {
	_js_n=0
	_js_prev=-1
	while [ "$(js_lines)" -ne "$_js_prev" ]; do
		_js_prev=$(js_lines)
		sleep 0.5
		_js_n=$((_js_n + 1))
		[ $_js_n -le 60 ] || fail "$1: the outbox kept growing"
	done
}

# js_crash_pending CFG NAME WHAT: sluiced (CFG, output NAME.out/.err) reads the capture while the
# broker is down, its outbox settles and it is killed (SIGKILL: no drain, no clean stop); pending is
# then the number of batches it left awaiting acknowledgement in the database
js_crash_pending() {
	js_start_gw "$1" "$2"
	js_wait_read "$work/$2.err" "$3"
	js_wait_settled "$3"
	kill -9 "$gw"
	wait "$gw" 2>/dev/null
	# shellcheck disable=SC2034 # the caller's result
	pending=$(js_pending_rows)
}

# js_prepare GENCAP-OPTIONS...: $work/g.pcap (generated with these options, seed 23), the audit
# and pseudonym keys, and $work/reg.db where every telephone number in the capture consents to
# recipient acme
js_prepare() {
	"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" "$@" --seed 23 --start 1767312000 --quiet >/dev/null ||
		fail "gencap"
	"$B/src/sluice" extract -q -r "$work/g.pcap" --types call,message >"$work/events.json" || fail "extract"
	"$B/src/sluice" audit keygen --name "sluice.test/audit" --out "$work/audit" --pseudonym-key "$work/audit.pkey" \
		>/dev/null || fail "audit keygen"
	"$B/src/sluice" audit keygen --name "sluice.test/unused" --out "$work/unused" --pseudonym-key "$work/master.key" \
		>/dev/null || fail "master key"
	python3 - "$work/events.json" "$work/consents.jsonl" "$PURPOSE" <<'PY' || fail "building the registry"
import json, sys
subs = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    for k in ("caller", "callee", "from", "to"):
        for i in (e.get(k) or {}).get("ids", []):
            if i["type"] == "e164" and i["value"] not in subs:
                subs.append(i["value"])
with open(sys.argv[2], "w") as f:
    for n, s in enumerate(subs):
        f.write(json.dumps({"id": "c-%d" % n, "subject": {"type": "msisdn", "value": s}, "controller": "op",
                            "recipient": "acme", "purpose": sys.argv[3],
                            "categories": ["call-metadata", "messaging-metadata"], "legal_basis": "dpv:Consent",
                            "status": "dpv:ConsentGiven", "valid_from": 1767225600000000,
                            "valid_until": 1798761600000000, "collection_method": "app", "notice_version": "v1",
                            "notice_language": "en"}) + "\n")
PY
	"$B/src/sluice" consent import --db "$work/reg.db" "$work/consents.jsonl" >/dev/null 2>"$work/import.err" ||
		fail "sluice consent import"
}

# js_gw_cfg FILE VTY_PORT JETSTREAM_LINES [CAPTURE_LINES]: a sluiced configuration replaying
# $work/g.pcap, exporting recipient acme to $work/acme (batches of 3 records, segments rotated
# at 1 MiB or 20 s) with JETSTREAM_LINES (lines of the consent node) added
js_gw_cfg() {
	mkdir -p "$work/acme"
	cat >"$1" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $2
 no login
capture
 source file $work/g.pcap
 country-code 49
${4:-}
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
 commit-window-ms 5
consent
 database $work/reg.db
 pseudonym-key $work/master.key
 audit-pseudonym-key $work/audit.pkey
$3
 recipient acme
  purpose $PURPOSE
  categories call-metadata messaging-metadata
  location-granularity none
  time-bucket-seconds 60
  export-directory $work/acme
  price-per-record 1500
  batch records 3 seconds 3600
  rotate megabytes 1 seconds 20
CFG
}

# js_settled: acme's outbox ($work/acme) acknowledged to its end and nothing left pending in the database
js_settled() { cursor_at_end "$work/acme" && [ "$(js_pending_rows)" -eq 0 ]; }

# cursor_at_end DIR: true when the cursor file of acme in DIR is at the end of its newest segment
cursor_at_end() {
python3 - "$1" <<'PY'
import glob, os, sys
segs = sorted(glob.glob(sys.argv[1] + "/acme.*.jsonl"))
try:
    cur = open(sys.argv[1] + "/acme.jetstream").read().split()
except OSError:
    sys.exit(1)
sys.exit(0 if segs and int(cur[2]) == int(segs[-1].split(".")[-2]) and int(cur[3]) == os.path.getsize(segs[-1])
         else 1)
PY
}

# stream_is_export DIR STREAM_TSV: the js_dump output is DIR's records (acme), every one once, in order,
# with its message id and subject
stream_is_export() {
python3 - "$1" "$2" <<'PY'
import glob, re, sys
want = []
for f in sorted(glob.glob(sys.argv[1] + "/acme.*.jsonl")):
    seg = int(re.search(r"\.(\d{6})\.jsonl$", f).group(1))
    for n, line in enumerate(open(f, "rb").read().split(b"\n")[:-1], 1):
        want.append(("sluice.acme.%06d.%09d" % (seg, n), "sluice.export.acme", line.decode()))
got = [tuple(l.rstrip("\n").split("\t", 2)) for l in open(sys.argv[2])]
print("export %d records, stream %d messages" % (len(want), len(got)))
sys.exit(0 if got == want and want else 1)
PY
}

# check_stream AT_KILL AT_RESTART: the stream ($url, read with js_dump) is the export ($work/acme),
# exactly once, and the audit log ($work/audit-log) and ledger ($work/reg.db) cover it; AT_KILL and
# AT_RESTART (0 0: not checked) are the export's lines when the broker was killed and restarted.
# JS_CREDS (a .creds file) and JS_TLS ("CA CERT KEY") are how js_dump connects, when set.
# (CHECK_OUTBOX_ONLY=1: JetStream was turned off for the last runs: the stream must be a prefix
# of the export, and the audit log and ledger must cover all of it)
check_stream() {
# shellcheck disable=SC2086 # JS_TLS: CA CERT KEY, three paths without blanks
"$B/tests/live/js_dump" ${JS_CREDS:+-c "$JS_CREDS"} "$url" SLUICE_EXPORT ${JS_TLS:-} >"$work/stream.tsv" 2>"$work/dump.err" ||
	{ cat "$work/dump.err"; fail "js_dump"; }
"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
	{ cat "$work/verify.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/audit-log" --kind export.batch --format json >"$work/batches.json" ||
	fail "sluice audit show"
python3 - "$work" "$1" "$2" "${CHECK_OUTBOX_ONLY:-0}" <<'PY' || fail "the stream is not the export exactly once"
import glob, json, os, re, sqlite3, sys
work, at_kill, at_restart, outbox_only = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
want = []
for f in sorted(glob.glob(work + "/acme/acme.*.jsonl")):
    seg = int(re.search(r"\.(\d{6})\.jsonl$", f).group(1))
    for n, line in enumerate(open(f, "rb").read().split(b"\n")[:-1], 1):
        want.append(("sluice.acme.%06d.%09d" % (seg, n), line.decode()))
got = []
for line in open(work + "/stream.tsv"):
    mid, subj, body = line.rstrip("\n").split("\t", 2)
    if subj != "sluice.export.acme":
        print("subject %r" % subj); sys.exit(1)
    got.append((mid, body))
print("export: %d records (%d when the broker was killed, %d when it was restarted); stream: %d messages"
      % (len(want), at_kill, at_restart, len(got)))
ok = True
if outbox_only:
    want = want[:len(got)]  # the stream holds what JetStream published before it was turned off
if len(set(m for m, _ in got)) != len(got):
    print("duplicate message ids in the stream"); ok = False
if got != want:
    missing = set(want) - set(got)
    extra = set(got) - set(want)
    print("stream differs from the export: %d missing, %d not in the export" % (len(missing), len(extra)))
    ok = False
if at_kill and not (0 < at_kill < at_restart < len(want)):
    print("the outage was not mid-run"); ok = False
cur = open(work + "/acme/acme.jetstream").read().split()
last = sorted(glob.glob(work + "/acme/acme.*.jsonl"))[-1]
if outbox_only:
    want = [w for f in sorted(glob.glob(work + "/acme/acme.*.jsonl")) for w in open(f, "rb").read().split(b"\n")[:-1]]
elif int(cur[2]) != int(re.search(r"\.(\d{6})\.jsonl$", last).group(1)) or int(cur[3]) != os.path.getsize(last):
    print("cursor %s is not at the end of %s" % (cur, last)); ok = False
batches = [json.loads(l) for l in open(work + "/batches.json") if l.strip()]
recs = sum(b["fields"]["records"] for b in batches)
if recs != len(want):
    print("export.batch records cover %d records, not %d" % (recs, len(want))); ok = False
# exactly one export.batch per batch: keys (segment, offset) unique, and each segment's batches
# chain from 0 to its size, each counting the lines of its bytes
keys = [(b["fields"]["segment"], b["fields"]["offset"]) for b in batches]
if len(set(keys)) != len(keys):
    print("%d export.batch records for %d batches" % (len(keys), len(set(keys)))); ok = False
byseg = {}
for b in batches:
    byseg.setdefault(b["fields"]["segment"], []).append(b["fields"])
for f in sorted(glob.glob(work + "/acme/acme.*.jsonl")):
    data, at = open(f, "rb").read(), 0
    for b in sorted(byseg.pop(os.path.basename(f), []), key=lambda b: b["offset"]):
        if b["offset"] != at or data[at:at + b["length"]].count(b"\n") != b["records"]:
            print("%s: batch at %d does not follow on at %d" % (f, b["offset"], at)); ok = False
            break
        at += b["length"]
    if at != len(data):
        print("%s: batches cover %d of %d bytes" % (f, at, len(data))); ok = False
if byseg:
    print("export.batch records for segments not in the outbox: %s" % sorted(byseg)); ok = False
db = sqlite3.connect(work + "/reg.db")
r, a = db.execute("SELECT coalesce(sum(records),0), coalesce(sum(amount_micro),0) FROM ledger").fetchone()
if r != len(want) or a != 1500 * len(want):
    print("ledger %d records / %d micro-units for %d lines" % (r, a, len(want))); ok = False
pend = db.execute("SELECT count(*) FROM js_pending").fetchone()[0]
if pend:
    print("%d batches still pending" % pend); ok = False
sys.exit(0 if ok else 1)
PY
}
