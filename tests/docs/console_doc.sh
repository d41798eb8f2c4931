#!/bin/sh
# docs/console.md must be exactly what the console's own reference says
# (`sluiced --vty-reference` through tests/docs/vty_reference_md.py), so the
# operators' command reference cannot drift from the code. `make docs`
# rewrites it.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
"$top_builddir/src/sluiced" --vty-reference >"${TMPDIR:-/tmp}/sluice-vtyref.$$" || { echo "FAIL: sluiced --vty-reference"; exit 1; }
if ! python3 "$top_srcdir/tests/docs/vty_reference_md.py" <"${TMPDIR:-/tmp}/sluice-vtyref.$$" |
	diff -u "$top_srcdir/docs/console.md" - ; then
	rm -f "${TMPDIR:-/tmp}/sluice-vtyref.$$"
	echo "FAIL: docs/console.md is stale: run 'make docs' and commit it"
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/sluice-vtyref.$$"
