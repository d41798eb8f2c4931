#!/bin/sh
# Known answers for the audit tree (sizes 0..64, every inclusion and
# consistency proof) and a signed checkpoint, cross-checked by an
# independent Python + openssl implementation (tests/audit/kat.py).
# Fails, saying why, when python3 or openssl is missing.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
for t in python3 openssl; do
	command -v $t >/dev/null 2>&1 || { echo "kat.sh: $t not installed (scripts/deps.sh test)" >&2; exit 1; }
done
d=$(mktemp -d "${TMPDIR:-/tmp}/sluice-kat-XXXXXX")
trap 'rm -rf "$d"' EXIT
"$top_builddir/tests/audit/audit_kat" "$d" || { echo "kat.sh: audit_kat failed" >&2; exit 1; }
python3 "$top_srcdir/tests/audit/kat.py" "$d"
