#!/bin/sh
# The consented-data export to NATS JetStream (docs/exports.md), end to
# end, with a broker outage in the middle of the run.
#
# A real `nats-server -js` listens on a random loopback port with a fresh
# store directory. sluiced replays a generated capture at 5x real time
# (about 15 s) with every party consenting to one recipient, batches of 3
# records and `jetstream url` pointing at the broker. As soon as the
# stream holds records, the broker is killed (SIGKILL: nothing flushed,
# acknowledgements in flight lost); the export goes on to JSON Lines
# while it is down; the broker is restarted on the same port and store
# after the outbox has grown by at least one batch and 6 s have passed
# (longer than the 5 s acknowledgement wait, so a chunk is published
# again: `show consent` must count a retry). When the capture is
# read, sluiced is stopped (SIGTERM, drain-seconds 60).
#
# Then the stream is read back with tests/live/js_dump (libnats): every
# JSON Lines record must be in it exactly once, in order, its body equal
# to the line, its subject sluice.export.acme and its Nats-Msg-Id
# sluice.acme.SEGMENT.LINE; the cursor file must be at the end of the
# last segment; the audit log's export.batch records must cover every
# line (accounted only after acknowledgement) and the ledger credit one
# price per line.
#
# Then a gateway crash between the broker's store and the cursor save: the
# cursor is put back to the start of the last segment and sluiced runs the
# capture again (new segments); the re-published records must all come
# back as duplicates (`show consent`) and the same checks must hold over
# both runs.
#
# Last, TLS: a second broker requiring TLS with client certificates
# (tests/pki/make_pki.sh), sluiced configured with `jetstream tls ca` and
# `jetstream tls certificate`, a fresh export directory holding first a
# damaged segment with a line over 1 MiB: its stream must again be the
# export exactly once, without that line alone. Skips (77) only without nats-server
# or libnats.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
. "$top_srcdir/tests/live/jetstream_lib.sh"
js_live_init js
port=$(freeport)
url="nats://127.0.0.1:$port"

js_prepare --calls 80 --rtp-seconds 1 --messages 60 --registrations 4

broker() {
	"$NS" -js -a 127.0.0.1 -p "$port" -sd "$work/store" >>"$work/nats.log" 2>&1 &
	nats=$!
	pids="$pids $nats"
	wait_listen "$port" nats-server
}
# records in the stream now (0 when it does not exist yet)
in_stream() { "$B/tests/live/js_dump" "$url" SLUICE_EXPORT 2>/dev/null | wc -l; }

v=$(freeport)
js_gw_cfg "$work/gw.cfg" "$v" " jetstream url $url
 jetstream drain-seconds 60" " replay-speed 5"
"$B/src/sluiced" -c "$work/gw.cfg" --check-config >"$work/check.out" 2>&1 ||
	{ cat "$work/check.out"; fail "--check-config refuses the jetstream node"; }

broker
js_start_gw "$work/gw.cfg" gw
n=0
until [ "$(in_stream)" -gt 0 ]; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "nothing reached the stream within 30 s"
	kill -0 $gw 2>/dev/null || fail "sluiced exited"
	sleep 0.1
done
js_kill_broker
killed=$(date +%s)
at_kill=$(js_lines)
n=0
until [ "$(js_lines)" -ge $((at_kill + 3)) ]; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "the export did not go on while the broker was down"
	kill -0 $gw 2>/dev/null || fail "sluiced exited during the outage"
	sleep 0.1
done
while [ $(($(date +%s) - killed)) -lt 7 ]; do sleep 0.2; done
at_restart=$(js_lines)
broker
wait_read "$work/gw.err" "sluiced" $gw
# the console shows the publisher's state
show_consent "$v" >"$work/show.txt"
grep -q "jetstream: connected" "$work/show.txt" || { cat "$work/show.txt"; fail "show consent: no connected jetstream"; }
grep "^recipient acme\|jetstream:" "$work/show.txt"
grep -q "jetstream: .* [1-9][0-9]* retries" "$work/show.txt" || fail "no chunk was published again after the outage"
stop_within 90 TERM $gw || fail "sluiced did not stop cleanly"
check_stream "$at_kill" "$at_restart"

# --- a gateway crash between the broker's store and the cursor save -------------------
# The cursor is put back to the start of the last segment, as if sluiced had died after
# JetStream stored that segment's records but before their acknowledgements moved the
# cursor. The next start publishes them again (and exports the capture again, to new
# segments): the duplicate window must drop every one of them.
last=$(ls "$work"/acme/acme.*.jsonl | sort | tail -n 1)
last_no=$(basename "$last" | cut -d. -f2 | sed 's/^0*//')
relines=$(wc -l <"$last")
printf 'sluice-jetstream-cursor 1 %s 0 0\n' "$last_no" >"$work/acme/acme.jetstream"
sed -i '/^ replay-speed /d' "$work/gw.cfg"
js_start_gw "$work/gw.cfg" gw2
js_wait_read "$work/gw2.err" "restart"
# once the cursor is at the end of the newest segment, the console must count the re-published records as duplicates
wait_until 600 "restart: the cursor did not reach the end of the outbox within 60 s" cursor_at_end "$work/acme"
show_consent "$v" >"$work/show2.txt"
grep "jetstream:" "$work/show2.txt"
dups=$(sed -n 's/.*acknowledged (\([0-9]*\) duplicates).*/\1/p' "$work/show2.txt")
[ "${dups:-0}" -ge "$relines" ] || fail "restart: $relines records published again, ${dups:-0} acknowledged as duplicates"
stop_within 90 TERM $gw || fail "restart: sluiced did not stop cleanly"
check_stream 0 0
echo "restart after a rewound cursor: $relines records of segment $last_no published again"

# --- sluiced killed while batches await acknowledgement -----------------------------------
# The broker is stopped, sluiced exports the capture once more (to new segments, all durable,
# none acknowledged) and is killed (SIGKILL: no drain, no clean stop). Its pending batches
# are rows of the consent database. The broker and sluiced are started again: every record
# must be in the stream once, and every batch must have exactly one export.batch record and
# one ledger credit (check_stream), the ones from before the kill included.
js_kill_broker
before_kill=$(js_lines)
js_crash_pending "$work/gw.cfg" gw3 kill
unacked=$(($(js_lines) - before_kill))
[ "$pending" -gt 0 ] && [ "$unacked" -gt 0 ] ||
	fail "kill: expected unacknowledged batches pending in the database ($pending rows, $unacked records)"
broker
js_start_gw "$work/gw.cfg" gw4
js_wait_read "$work/gw4.err" "after the kill"
grep -q "publishing to JetStream stream SLUICE_EXPORT, $pending batches pending from before" "$work/gw4.err" ||
	fail "after the kill: sluiced did not find the $pending pending batches"
stop_within 90 TERM $gw || fail "after the kill: sluiced did not stop cleanly"
check_stream 0 0
"$B/src/sluice" consent report --db "$work/reg.db" --subject "msisdn:$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["subject"]["value"])' "$work/consents.jsonl")" \
	--format json >"$work/report.json" || fail "sluice consent report"
python3 - "$work" <<'PY' || fail "the subject's report does not match the ledger"
import json, sqlite3, sys
work = sys.argv[1]
rep = json.load(open(work + "/report.json"))
db = sqlite3.connect(work + "/reg.db")
r, = db.execute("SELECT coalesce(sum(records),0) FROM ledger WHERE subject = ?", (rep["subject"]["value"],)).fetchone()
print("report: %d records shared about one subject, ledger %d" % (rep["totals"]["records"], r))
sys.exit(0 if rep["totals"]["records"] == r and r > 0 else 1)
PY
echo "kill while unacknowledged: $pending batches ($unacked records) pending at the kill, accounted once after the restart"

# --- jetstream url removed while batches are pending ---------------------------------------
# As above, sluiced is killed with batches pending (broker down); then it runs again without
# `jetstream url`: the pending batches are accounted at start as JSON Lines batches, once.
js_kill_broker
js_crash_pending "$work/gw.cfg" gw5 off
[ "$pending" -gt 0 ] || fail "off: no batches pending at the kill"
grep -v '^ jetstream ' "$work/gw.cfg" >"$work/nojs.cfg"
js_start_gw "$work/nojs.cfg" gw6
js_wait_read "$work/gw6.err" "off"
stop_within 90 TERM $gw || fail "off: sluiced did not stop cleanly"
broker
CHECK_OUTBOX_ONLY=1 check_stream 0 0
echo "jetstream turned off: $pending pending batches accounted at start"

# --- TLS with client certificates ---------------------------------------------------------
sh "$top_srcdir/tests/pki/make_pki.sh" "$work/pki" >/dev/null 2>&1 || fail "test PKI"
tport=$(freeport)
"$NS" -js -a 127.0.0.1 -p "$tport" -sd "$work/tls-store" --tls --tlscert "$work/pki/lemf.crt" \
	--tlskey "$work/pki/lemf.key" --tlscacert "$work/pki/ca.crt" --tlsverify >"$work/nats-tls.log" 2>&1 &
pids="$pids $!"
wait_listen "$tport" "the TLS nats-server"
mkdir -p "$work/tls-acme"
# a damaged segment before the export's own: its second line is longer than the publisher's 1 MiB
# buffer, and must be rejected alone (counted), the lines after it and the later segments published
python3 - "$work/tls-acme/acme.000001.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"seeded":1}\n' + '{"long":"' + "x" * (1536 * 1024) + '"}\n' + '{"seeded":3}\n')
PY
sed "s|^ jetstream url .*| jetstream url tls://127.0.0.1:$tport\\n jetstream tls ca $work/pki/ca.crt\\n jetstream tls certificate $work/pki/gw.crt key $work/pki/gw.key|; s|export-directory $work/acme|export-directory $work/tls-acme|; s|directory $work/audit-log|directory $work/tls-audit-log|" \
	"$work/gw.cfg" >"$work/tls.cfg"
grep -q "jetstream tls certificate" "$work/tls.cfg" || fail "the TLS configuration was not made"
# libnats keeps its library state when TLS was used (consent_js_export.c says why): not a leak of ours
echo "leak:libnats.so" >"$work/lsan.supp"
LSAN_OPTIONS="suppressions=$work/lsan.supp" "$B/src/sluiced" -c "$work/tls.cfg" >"$work/tls.out" 2>"$work/tls.err" &
gw=$!
pids="$pids $gw"
js_wait_read "$work/tls.err" "TLS"
stop_within 90 TERM $gw || fail "TLS: sluiced did not stop cleanly"
"$B/tests/live/js_dump" "tls://127.0.0.1:$tport" SLUICE_EXPORT "$work/pki/ca.crt" "$work/pki/gw.crt" \
	"$work/pki/gw.key" >"$work/tls-stream.tsv" 2>"$work/tls-dump.err" || { cat "$work/tls-dump.err"; fail "TLS js_dump"; }
python3 - "$work/tls-acme" "$work/tls-stream.tsv" <<'PY' || fail "TLS: the stream is not the export exactly once"
import glob, re, sys
want = []
long = 0
for f in sorted(glob.glob(sys.argv[1] + "/acme.*.jsonl")):
    seg = int(re.search(r"\.(\d{6})\.jsonl$", f).group(1))
    for n, line in enumerate(open(f, "rb").read().split(b"\n")[:-1], 1):
        if len(line) >= 1 << 20:
            long += 1  # rejected by the publisher, its line number skipped
            continue
        want.append(("sluice.acme.%06d.%09d" % (seg, n), "sluice.export.acme", line.decode()))
got = [tuple(l.rstrip("\n").split("\t", 2)) for l in open(sys.argv[2])]
print("TLS: export %d records and %d line over 1 MiB, stream %d messages" % (len(want), long, len(got)))
sys.exit(0 if got == want and long == 1 and want[1][0] == "sluice.acme.000001.000000003" else 1)
PY
echo "consent_jetstream: ok"
