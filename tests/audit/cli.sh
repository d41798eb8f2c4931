#!/bin/sh
# `sluice audit` end to end: keygen (modes, no overwrite), --help of every
# subcommand, verify's exit statuses on a good log, a tampered one, a
# torn tail, a wrong key, and a history rewritten and re-signed with the
# real key after an auditor kept a checkpoint (only --since catches it);
# checkpoint, prove (text and JSON, self-verified), show's filters.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
sluice=$top_builddir/src/sluice
writer=$top_builddir/tests/audit/audit_writer
d=$(mktemp -d "${TMPDIR:-/tmp}/sluice-audit-cli-XXXXXX")
trap 'rm -rf "$d"' EXIT
fail() { echo "cli.sh: FAIL: $*" >&2; exit 1; }
expect() { # expect STATUS command...
	want=$1; shift
	"$@" >"$d/out" 2>"$d/err"; got=$?
	[ "$got" -eq "$want" ] || { cat "$d/out" "$d/err" >&2; fail "'$*' exited $got, expected $want"; }
}

for c in keygen verify show prove checkpoint report; do
	expect 0 "$sluice" audit $c --help
	grep -q "^SYNOPSIS" "$d/out" || fail "audit $c --help has no SYNOPSIS"
	grep -q "^EXIT STATUS" "$d/out" || fail "audit $c --help has no EXIT STATUS"
done
expect 0 "$sluice" audit --help
expect 2 "$sluice" audit frobnicate
expect 2 "$sluice" audit verify

expect 0 "$sluice" audit keygen --name cli.test/audit --out "$d/k" --pseudonym-key "$d/p.key"
[ "$(stat -c %a "$d/k.key")" = 600 ] || fail "private key is not 0600"
[ "$(stat -c %a "$d/p.key")" = 600 ] || fail "pseudonym key is not 0600"
expect 1 "$sluice" audit keygen --name cli.test/audit --out "$d/k"
expect 2 "$sluice" audit keygen --name "bad name" 
"$sluice" audit keygen --name other.test/audit --out "$d/other" >/dev/null

"$writer" gen "$d/log" "$d/k.key" cli.test/audit 300 2>/dev/null || fail "writer"
expect 0 "$sluice" audit verify "$d/log" --key "$d/k.vkey"
grep -q "^result: *VERIFIED$" "$d/out" || fail "verify output: $(cat "$d/out")"
expect 4 "$sluice" audit verify "$d/log"               # key from the log directory: untrusted
grep -q "key.untrusted" "$d/out" || fail "no key.untrusted warning"
expect 1 "$sluice" audit verify "$d/log" --key "$d/other.vkey"
grep -q "checkpoint.unsigned" "$d/out" || fail "wrong key not named"
printf '' > "$d/empty.vkey"
expect 3 "$sluice" audit verify "$d/log" --key "$d/empty.vkey"
expect 0 "$sluice" audit verify "$d/log" --key "$d/k.vkey" --format json
grep -q '"result": "verified"' "$d/out" || fail "json verify"

# The auditor keeps today's checkpoint.
expect 0 "$sluice" audit checkpoint "$d/log" --key "$d/k.vkey"
cp "$d/out" "$d/auditor.ckpt"
expect 0 "$sluice" audit verify "$d/log" --key "$d/k.vkey" --since "$d/auditor.ckpt"
grep -q "consistent" "$d/out" || fail "since not reported consistent"

# prove: text and JSON, against the latest and the auditor's checkpoint
expect 0 "$sluice" audit prove "$d/log" 42 --key "$d/k.vkey"
grep -q "^verified: *yes" "$d/out" || fail "prove text"
expect 0 "$sluice" audit prove "$d/log" 42 --key "$d/k.vkey" --checkpoint "$d/auditor.ckpt" --format json --no-index
grep -q '"verified": true' "$d/out" || fail "prove json"
expect 1 "$sluice" audit prove "$d/log" 100000 --key "$d/k.vkey"
expect 2 "$sluice" audit prove "$d/log" -1

# show: filters
expect 0 "$sluice" audit show "$d/log" --kind warrant. --format json
[ -s "$d/out" ] || fail "no warrant records"
grep -qv '"kind":"warrant\.' "$d/out" && fail "show --kind warrant. printed other kinds"
expect 0 "$sluice" audit show "$d/log" --liid LIID-1001 --kind delivery
grep -v "LIID-1001" "$d/out" | grep -q . && fail "show --liid printed other LIIDs"
expect 0 "$sluice" audit show "$d/log" --from 2025-12-01T00:00:00Z --until 2025-12-01T01:00:00Z --format json
expect 2 "$sluice" audit show "$d/log" --from yesterday

# Tamper: one byte of a record in the middle.
cp -r "$d/log" "$d/bad"
seg=$d/bad/audit-00000000000000000000.seg
printf 'X' | dd of="$seg" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect 1 "$sluice" audit verify "$d/bad" --key "$d/k.vkey"
grep -q "record.check\|record.noncanonical" "$d/out" || fail "tampered byte not named: $(cat "$d/out")"
grep -q "offset" "$d/out" || fail "no offset in the report"

# A torn tail (a crash mid-append) is a warning: exit 4.
rm -rf "$d/bad"; cp -r "$d/log" "$d/torn"
seg=$d/torn/audit-00000000000000000000.seg
head -c 100 "$seg" | tail -c 50 >> "$seg"
expect 4 "$sluice" audit verify "$d/torn" --key "$d/k.vkey"   # the checkpoints cover nothing torn: a warning
grep -q "record.torn" "$d/out" || fail "torn tail not named"

# A history rewritten and re-signed with the real key (here: a different log made with
# the same key and origin): consistent in itself, so only --since catches it.
"$writer" gen "$d/forged" "$d/k.key" cli.test/audit 310 2>/dev/null || fail "writer (forged)"
expect 0 "$sluice" audit verify "$d/forged" --key "$d/k.vkey"
expect 1 "$sluice" audit verify "$d/forged" --key "$d/k.vkey" --since "$d/auditor.ckpt"
grep -q "since.root\|since.consistency" "$d/out" || fail "rewrite not named: $(cat "$d/out")"
expect 1 "$sluice" audit report "$d/forged" --key "$d/k.vkey" --since "$d/auditor.ckpt" --out "$d/forged.html"
grep -q 'data-consistent="no"' "$d/forged.html" || fail "report does not show the inconsistency"
echo "cli.sh: all sluice audit checks passed"
