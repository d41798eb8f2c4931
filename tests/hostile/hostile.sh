#!/bin/sh
# The hostile captures suite (docs/operating.md, "Under attack"): one capture
# per hostile kind, written at test time by hostile-gen into a temporary
# directory, each run through `sluice extract` with small limits; hostile.py
# asserts linear cost, bounded memory and the counters each kind must move.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
[ -x /usr/bin/time ] || { echo "FAIL: /usr/bin/time missing (Debian package time, scripts/deps.sh test)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/test_hostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
# A small ASan quarantine: freed blocks held back by the sanitizer would
# otherwise count as the pipeline's memory (no effect without ASan).
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8:thread_local_quarantine_size_kb=256"
export ASAN_OPTIONS
python3 "$top_srcdir/tests/hostile/hostile.py" "$top_builddir/src/sluice" \
	"$top_builddir/tests/hostile/hostile-gen" "$T"
