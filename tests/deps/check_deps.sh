#!/bin/sh
# make check: the dependency rules between libraries (see check_deps.py).
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
py="python3 $top_srcdir/tests/deps/check_deps.py"
m="$top_builddir/tests/deps/manifest.txt"
rc=0
$py rules "$m" "$top_srcdir/tests/deps/forbidden.txt" || rc=1
$py cycles "$m" "$top_srcdir/tests/deps/cycles_allowed.txt" || rc=1
$py includes "$m" || rc=1
$py links "$m" || rc=1
$py docs "$m" "$top_srcdir/docs/ARCHITECTURE.md" || rc=1
$py selftest "$top_srcdir/tests/deps/fixtures" "$(sed -n 's/^cc=//p' "$m")" || rc=1
exit $rc
