#!/bin/sh
# JSON Lines exports across a crash and a power loss (docs/exports.md,
# "Accounting"): every batch is recorded as pending in the consent
# database before its bytes are written, and accounted (ledger, then
# export.batch audit record) once its segment is fsynced.
#
# sluiced replays a capture to recipient acme (batches of 3 records, no
# JetStream) under strace, which kills it (SIGKILL) as it enters the
# third fdatasync of the first segment: the third batch is in the file
# (the page cache survives a killed process) and pending in the database,
# the first two are accounted. From that state, twice:
#
# A. a crash: sluiced started again (on a capture without traffic) must
#    account the third batch, once: one export.batch record naming its
#    segment, offset, length and digest, its records credited, nothing
#    left pending, the audit log verifies, and the batches recorded cover
#    the segment exactly.
# B. a power loss: the same state, but the segment cut inside the third
#    batch (a whole line and half of the next survive, as unsynced blocks
#    may after a power loss). sluiced started again must remove the row,
#    cut the segment back to where the batch began (logged, with the
#    bytes cut), account nothing for it, and the audit log verifies; the
#    segment then holds the first two batches and nothing else, so no
#    reader takes the surviving line for an exported record.
#
# C. an unreadable segment at start (strace: its first read fails with
#    EIO): not known either way, so sluiced refuses to start, cutting and
#    accounting nothing; started again as in A, it accounts the batch.
# D. from the start again, the first batch's write fails and so does the
#    cut that would take back its bytes (strace: write and ftruncate of
#    the segment fail with EIO): that export stops (logged), nothing is
#    accounted, the row stays; a restart cuts the segment and removes it.
# E. from the start again, another process holds the database's write
#    lock (as `sluice consent import` does for its whole file) while the
#    capture is read: batches are held, not written and not lost (logged);
#    once the lock is gone the held batch is written and accounted, and the
#    export holds exactly the records of a run without the lock.
#
# Skips (77) without strace or where it cannot trace (no ptrace).
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
. "$top_srcdir/tests/live/jetstream_lib.sh"
command -v strace >/dev/null || { echo "SKIP: strace missing (scripts/deps.sh test)"; exit 77; }
strace -f -qq -o /dev/null true 2>/dev/null || { echo "SKIP: strace cannot trace here (ptrace refused)"; exit 77; }
live_init cxcrash
FAIL_TAIL=25
# traced ARGS...: becomes strace ARGS (fault injection) on the system calls that touch the first segment
# ($seg), so run it in a subshell or in the background ($! is then strace's pid, sluiced its child);
# LeakSanitizer cannot run under ptrace, so the sanitizer build's runs under it check no leaks
traced() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" exec strace -f -qq -o /dev/null -P "$seg" "$@"
}

js_prepare --calls 12 --rtp-seconds 1 --messages 12 --registrations 2
v=$(freeport)
js_gw_cfg "$work/gw.cfg" "$v" ""
seg="$work/acme/acme.000001.jsonl"

mkdir "$work/initial"
cp -a "$work"/reg.db* "$work/initial/"

# the crash: killed entering the third batch's fdatasync
(traced -e trace=fdatasync -e inject=fdatasync:signal=SIGKILL:when=3 \
	"$B/src/sluiced" -c "$work/gw.cfg") >"$work/crash.out" 2>"$work/crash.err"
rc=$?
[ $rc -eq 137 ] || fail "sluiced under strace: exit $rc, not killed at the third batch's fdatasync"
[ "$(js_pending_rows)" -eq 1 ] || fail "after the crash: $(js_pending_rows) pending batches, not 1"
"$B/src/sluice" audit show "$work/audit-log" --kind export.batch --format json >"$work/before.json" ||
	fail "audit show after the crash"
[ "$(grep -c . "$work/before.json")" -eq 2 ] || fail "after the crash: not two export.batch records"
# what the row says of the third batch: offset, length, digest
python3 - "$work/reg.db" >"$work/row.txt" <<'PY' || fail "reading the pending row"
import sqlite3, sys
seg, off, ln, dig = sqlite3.connect(sys.argv[1]).execute("SELECT seg, off, len, digest FROM js_pending").fetchone()
print(seg, off, ln, dig)
PY
read -r rseg roff rlen rdig <"$work/row.txt"
if [ "$rseg" -ne 1 ] || [ "$(stat -c %s "$seg")" -ne $((roff + rlen)) ]; then
	fail "the third batch ($rseg $roff $rlen) is not the whole end of $seg"
fi
echo "killed entering the third batch's fdatasync: batch at $roff+$rlen pending, two batches accounted"

# a capture without traffic, so that what the restart exports is nothing new
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1))' \
	"$work/empty.pcap"
sed "s|source file $work/g.pcap|source file $work/empty.pcap|" "$work/gw.cfg" >"$work/restart.cfg"
mkdir "$work/saved"
cp -a "$work/acme" "$work/audit-log" "$work"/reg.db* "$work/saved/"

# restart RUN: sluiced on the empty capture until it read it, then stopped (SIGTERM)
restart() {
	js_start_gw "$work/restart.cfg" "$1"
	js_wait_read "$work/$1.err" "$1"
	stop_within 30 TERM "$gw" || fail "$1: sluiced did not stop cleanly"
}

# accounted WHAT: the audit log verifies, nothing is pending, the export.batch records cover every segment exactly
# (each batch once, its digest that of its bytes) and the ledger credits every record once; prints the records
accounted() {
	"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
		{ cat "$work/verify.txt"; fail "$1: sluice audit verify"; }
	[ "$(js_pending_rows)" -eq 0 ] || fail "$1: $(js_pending_rows) batches still pending"
	"$B/src/sluice" audit show "$work/audit-log" --kind export.batch --format json >"$work/batches.json" ||
		fail "$1: audit show"
	python3 - "$work" <<'PY' || fail "$1: the accounting does not cover the export exactly once"
import glob, hashlib, json, os, sqlite3, sys
work = sys.argv[1]
batches = [json.loads(l)["fields"] for l in open(work + "/batches.json") if l.strip()]
ok = True
for f in sorted(glob.glob(work + "/acme/acme.*.jsonl")):
    data = open(f, "rb").read()
    mine = sorted((b["offset"], b["length"], b["digest"], b["records"]) for b in batches
                  if b["segment"] == os.path.basename(f))
    at = 0
    for off, ln, dig, recs in mine:
        part = data[off:off + ln]
        if off != at or dig != "sha256:" + hashlib.sha256(part).hexdigest() or part.count(b"\n") != recs:
            print("%s: batch at %d+%d does not follow on (expected %d) or does not match" % (f, off, ln, at))
            ok = False
        at = off + ln
    if at != len(data):
        print("%s: %d bytes, the batches recorded end at %d" % (f, len(data), at)); ok = False
lines = sum(open(f, "rb").read().count(b"\n") for f in glob.glob(work + "/acme/acme.*.jsonl"))
db = sqlite3.connect(work + "/reg.db")
has_ledger = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ledger'").fetchone()[0]
credited = db.execute("SELECT coalesce(sum(records), 0) FROM ledger").fetchone()[0] if has_ledger else 0
if credited != lines:
    print("ledger credits %d records, the export holds %d" % (credited, lines)); ok = False
print(lines)
sys.exit(0 if ok else 1)
PY
}

# C: the segment cannot be read at start: sluiced must refuse to start, and change nothing
traced -e trace=pread64 -e inject=pread64:error=EIO:when=1 \
	"$B/src/sluiced" -c "$work/restart.cfg" >"$work/readC.out" 2>"$work/readC.err" &
gw=$!
pids="$pids $gw"
wait_until 300 "C: sluiced started although the segment could not be read" exited "$gw"
wait "$gw" 2>/dev/null
grep -q "batch 000001-000003: .*acme.000001.jsonl cannot be read to check it (Input/output error)" "$work/readC.err" ||
	fail "C: the unreadable segment was not reported"
[ "$(stat -c %s "$seg")" -eq $((roff + rlen)) ] || fail "C: the segment changed"
[ "$(js_pending_rows)" -eq 1 ] || fail "C: the pending row is gone"
echo "C (unreadable segment at start): refused to start, segment and row untouched"

# A: the crash alone
restart crashA
grep -q "1 batches written before a stop are accounted now" "$work/crashA.err" ||
	fail "A: the restart did not say it accounts the pending batch"
n=$(accounted A) || { echo "$n"; exit 1; }
n=$(echo "$n" | tail -n 1)
[ "$(stat -c %s "$seg")" -eq $((roff + rlen)) ] || fail "A: the segment changed"
"$B/src/sluice" audit show "$work/audit-log" --kind export.batch --format json >"$work/afterA.json"
[ "$(grep -c . "$work/afterA.json")" -eq 3 ] || fail "A: not exactly one export.batch more"
grep "\"offset\":$roff," "$work/afterA.json" | grep -q "$rdig" || fail "A: no export.batch for the third batch"
echo "A (crash): the pending batch accounted once at the restart; $n records, each credited and audited once"

# B: a power loss on top: the segment keeps only a line and a half of the third batch
rm -rf "$work/acme" "$work/audit-log" "$work"/reg.db*
cp -a "$work/saved/acme" "$work/saved/audit-log" "$work"/saved/reg.db* "$work/"
keep=$(python3 - "$seg" "$roff" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
off = int(sys.argv[2])
first = data.index(b"\n", off) + 1
print(first - off + (data.index(b"\n", first) + 1 - first) // 2)
PY
)
truncate -s $((roff + keep)) "$seg"
restart powerB
grep -q "batch 000001-000003 is not in $work/acme/acme.000001.jsonl as recorded .*: not delivered, not accounted; $keep bytes of it cut from the segment" \
	"$work/powerB.err" || fail "B: the torn batch was not reported cut ($keep bytes)"
[ "$(stat -c %s "$seg")" -eq "$roff" ] || fail "B: $seg is $(stat -c %s "$seg") bytes, not cut back to $roff"
n=$(accounted B) || { echo "$n"; exit 1; }
n=$(echo "$n" | tail -n 1)
"$B/src/sluice" audit show "$work/audit-log" --kind export.batch --format json >"$work/afterB.json"
cmp -s "$work/before.json" "$work/afterB.json" || fail "B: export.batch records changed"
echo "B (power loss): the torn batch's $keep bytes cut, nothing accounted for it; $n records left, each accounted once"

# fresh: the initial registry, no export, no audit log
fresh() {
	rm -rf "$work/acme" "$work/audit-log" "$work"/reg.db*
	mkdir "$work/acme"
	cp -a "$work"/initial/reg.db* "$work/"
}

# D: from the start, the first batch's write fails and so does the cut of what it wrote
fresh
traced -e trace=write,ftruncate -e inject=write:error=EIO:when=1 \
	-e inject=ftruncate:error=EIO:when=1 "$B/src/sluiced" -c "$work/gw.cfg" >"$work/wedgeD.out" 2>"$work/wedgeD.err" &
gw=$!
pids="$pids $gw"
js_wait_read "$work/wedgeD.err" "D"
wait_log "$work/wedgeD.err" "could not be cut from its segment: nothing more is exported to it" \
	"D: the stopped export was not logged" "$gw"
# the signal to sluiced itself (strace's child), strace then ends with it
kill -TERM "$(pgrep -P "$gw" | head -n 1)"
wait_until 300 "D: sluiced did not stop" exited "$gw"
wait "$gw" 2>/dev/null
"$B/src/sluice" audit show "$work/audit-log" --kind export.batch --format json >"$work/wedgeD.json" ||
	fail "D: audit show"
[ ! -s "$work/wedgeD.json" ] || fail "D: a batch was accounted although none was written"
[ "$(js_pending_rows)" -eq 1 ] || fail "D: not exactly the failed batch's row left pending"
restart repairD
grep -q "batch 000001-000001 is not in .*: not delivered, not accounted; 0 bytes of it cut" "$work/repairD.err" ||
	fail "D: the restart did not repair the failed batch"
n=$(accounted D) || { echo "$n"; exit 1; }
echo "D (write and cut both failed): the export stopped, nothing accounted, the restart removed the batch"

# the reference: the same capture without a lock
fresh
js_start_gw "$work/gw.cfg" refE
js_wait_read "$work/refE.err" "E reference"
stop_within 30 TERM "$gw" || fail "E reference: sluiced did not stop cleanly"
cat "$work"/acme/*.jsonl | sort >"$work/refE.lines"
[ -s "$work/refE.lines" ] || fail "E reference: nothing exported"

# E: the write lock held by another process while the capture is read
fresh
python3 - "$work/reg.db" "$work/locked" "$work/release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
end = time.time() + 60
while not os.path.exists(sys.argv[3]) and time.time() < end:
    time.sleep(0.05)
db.execute("COMMIT")
PY
holder=$!
pids="$pids $holder"
n=0
until [ -e "$work/locked" ]; do
	n=$((n + 1))
	if [ $n -gt 100 ] || ! kill -0 "$holder" 2>/dev/null; then
		fail "E: the lock was not taken"
	fi
	sleep 0.1
done
js_start_gw "$work/gw.cfg" lockE
js_wait_read "$work/lockE.err" "E"
wait_log "$work/lockE.err" "cannot record it as pending (.*): held, not written, offered again each second" \
	"E: the held batch was not logged" "$gw"
sleep 1.5 # a tick or two offers it again: still refused
[ "$(cat "$work"/acme/*.jsonl 2>/dev/null | wc -c)" -eq 0 ] || fail "E: written although its row was refused"
touch "$work/release"
wait "$holder" || fail "E: the lock holder failed"
wait_log "$work/lockE.err" "recorded as pending, written" "E: the held batch was not written after the lock" "$gw"
stop_within 30 TERM "$gw" || fail "E: sluiced did not stop cleanly"
n=$(accounted E) || { echo "$n"; exit 1; }
n=$(echo "$n" | tail -n 1)
cat "$work"/acme/*.jsonl | sort | cmp -s - "$work/refE.lines" ||
	fail "E: the export differs from the run without the lock"
grep -q "lost at the stop" "$work/lockE.err" && fail "E: a held batch was lost"
echo "E (database locked by another process): batches held, not lost; $n records written and accounted once after"
echo "PASS"
