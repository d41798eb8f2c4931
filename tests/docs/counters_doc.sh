#!/bin/sh
# docs/counters.md must be exactly what `sluice counters` prints, so the
# operator documentation cannot drift from the code. `make docs` rewrites it.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
if ! "$top_builddir/src/sluice" counters | diff -u "$top_srcdir/docs/counters.md" - ; then
	echo "FAIL: docs/counters.md is stale: run 'make docs' and commit it"
	exit 1
fi
