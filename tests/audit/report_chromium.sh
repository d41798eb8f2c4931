#!/bin/sh
# The privacy officer's report in a real browser: a log with every record
# kind (tests/audit/audit_writer gen), `sluice audit report`, then headless
# Chromium takes a screenshot (must not be blank) and dumps the DOM, whose
# numbers must equal the counts from `sluice audit show --format json`
# (tests/audit/report_check.py). Fails, saying why, without chromium.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
sluice=$top_builddir/src/sluice
writer=$top_builddir/tests/audit/audit_writer
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "report_chromium.sh: chromium not installed (Debian package chromium; scripts/deps.sh test)" >&2
	exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "report_chromium.sh: python3 not installed" >&2; exit 1; }
d=$(mktemp -d "${TMPDIR:-/tmp}/sluice-report-XXXXXX")
trap 'rm -rf "$d"' EXIT
set -e
"$sluice" audit keygen --name report.test/audit --out "$d/k" >/dev/null
"$writer" gen "$d/log" "$d/k.key" report.test/audit 3000 2>/dev/null
"$sluice" audit report "$d/log" --key "$d/k.vkey" --out "$d/report.html"
"$sluice" audit show "$d/log" --format json > "$d/show.jsonl"
# No network fetch: nothing on the page may name another origin.
if grep -Eq '(src|href)="(https?:)?//' "$d/report.html"; then
	echo "report_chromium.sh: the report refers to a network resource" >&2
	exit 1
fi
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
	--disable-component-update --disable-sync --user-data-dir=$d/profile"
# shellcheck disable=SC2086
timeout 120 "$chromium" $flags --window-size=1100,3000 --screenshot="$d/shot.png" "file://$d/report.html" \
	>"$d/chromium.log" 2>&1 || { cat "$d/chromium.log" >&2; echo "report_chromium.sh: screenshot failed" >&2; exit 1; }
# shellcheck disable=SC2086
timeout 120 "$chromium" $flags --dump-dom "file://$d/report.html" >"$d/dom.html" 2>>"$d/chromium.log" ||
	{ cat "$d/chromium.log" >&2; echo "report_chromium.sh: --dump-dom failed" >&2; exit 1; }
python3 "$top_srcdir/tests/audit/report_check.py" "$d/shot.png" "$d/dom.html" "$d/show.jsonl"
