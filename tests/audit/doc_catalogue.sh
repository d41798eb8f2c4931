#!/bin/sh
# docs/audit.md must name, in backticks, every record kind and field of
# the catalogue (mediation/audit/record.c) and every problem name
# (mediation/audit/problem.c): the page is the specification verifiers
# are written from, so it must not fall behind the code.
set -u
: "${top_srcdir:?}"
doc=$top_srcdir/docs/audit.md
rc=0
kinds=$(sed -n 's/^[[:space:]]*{ "\([a-z.]*\)", "[^"]*(.*$/\1/p' "$top_srcdir/mediation/audit/record.c")
fields=$(sed -n 's/^[[:space:]]*F("\([a-z_]*\)".*$/\1/p' "$top_srcdir/mediation/audit/record.c" | sort -u)
problems=$(sed -n 's/^[[:space:]]*\[SL_AP_[A-Z_]*\] = { "\([a-z_.]*\)".*$/\1/p' "$top_srcdir/mediation/audit/problem.c")
[ -n "$kinds" ] && [ -n "$fields" ] && [ -n "$problems" ] || { echo "doc_catalogue.sh: could not read the catalogue" >&2; exit 1; }
n=0
for name in $kinds $fields $problems; do
	n=$((n + 1))
	grep -qF "\`$name\`" "$doc" || { echo "doc_catalogue.sh: docs/audit.md does not name \`$name\`" >&2; rc=1; }
done
[ $rc -eq 0 ] && echo "doc_catalogue.sh: docs/audit.md names all $n kinds, fields and problems"
exit $rc
