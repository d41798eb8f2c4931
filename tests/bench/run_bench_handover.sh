#!/bin/sh
# run_bench_handover.sh: handover benchmark (`make bench`, after run_bench.sh).
#
#   1. tests/bench/bench_pdu: PDUs/s, MB/s and ns/PDU for IPMMIRI (SIP
#      INVITE), IPMMCC (RTP) and HI2 IRI-Begin PDUs with the production
#      builders (pre-encoded per-warrant templates), against the same
#      bytes encoded without templates and against a memcpy floor; then
#      the strict decoder on the same PDUs against asn1's generic BER
#      walk and the memcpy floor;
#   2. tests/bench/bench_delivery: N IPMMCC PDUs spooled and delivered to a
#      real `sluice lemf` over mutual TLS and over plain TCP on loopback,
#      until lemf acknowledges having stored them all; PDUs/s, MB/s and
#      the TLS/TCP ratio.
# Both take the best of $BENCH_RUNS runs (default 3). README.md in this
# folder explains how to read the tables.
#
# Environment: top_builddir, top_srcdir, BENCH_RUNS, BENCH_RECORDS
# (delivery PDUs per run, default 200000), BENCH_SCRATCH (where the spool
# and lemf's output go; default a fresh directory under /dev/shm if it is
# a writable tmpfs, else under ${TMPDIR:-/tmp}). Exit status is non-zero
# only if a benchmark fails (an encoding error, a PDU not delivered).
set -eu

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
: "${BENCH_RUNS:=3}"
: "${BENCH_RECORDS:=200000}"
pdu=$top_builddir/tests/bench/bench_pdu
delivery=$top_builddir/tests/bench/bench_delivery
sluice=$top_builddir/src/sluice

for p in "$pdu" "$delivery" "$sluice"; do
	[ -x "$p" ] || { echo "run_bench_handover.sh: $p is not built (run make first)" >&2; exit 1; }
done

if [ -z "${BENCH_SCRATCH:-}" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
		base=/dev/shm
	else
		base=${TMPDIR:-/tmp}
	fi
	scratch=$(mktemp -d "$base/sluice-bench-XXXXXX")
else
	mkdir -p "$BENCH_SCRATCH"
	scratch=$(mktemp -d "$BENCH_SCRATCH/sluice-bench-XXXXXX")
fi
trap 'rm -rf "$scratch"; exit 130' INT TERM
fstype=$(stat -f -c %T "$scratch" 2>/dev/null || echo unknown)

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), $(nproc 2>/dev/null || echo '?') CPUs"; }

echo
echo "== handover: PDU encoding =="
load
"$pdu" --runs "$BENCH_RUNS" || { rm -rf "$scratch"; exit 1; }

echo
echo "== handover: delivery over TLS and plain TCP =="
echo "scratch $scratch ($fstype)$( [ "$fstype" = tmpfs ] || echo ': not tmpfs, lemf writes to disk')"
sh "$top_srcdir/tests/pki/make_pki.sh" "$scratch/pki" >/dev/null 2>&1 ||
	{ echo "run_bench_handover.sh: tests/pki/make_pki.sh failed" >&2; exit 1; }
if ! "$delivery" --sluice "$sluice" --pki "$scratch/pki" --dir "$scratch/run" \
	--records "$BENCH_RECORDS" --runs "$BENCH_RUNS"; then
	echo "run_bench_handover.sh: delivery benchmark failed; kept $scratch" >&2
	exit 1
fi
rm -rf "$scratch"
load
