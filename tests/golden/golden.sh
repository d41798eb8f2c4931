#!/bin/sh
# Golden outputs: what users see from `sluice extract` and `sluice decode`,
# committed under tests/golden/expected/ and compared byte for byte, as
# tcpdump's tests/TESTLIST and osmocom's .ok files do. The cases are listed
# in tests/golden/TESTLIST (one line per case: name, input folder, command);
# README.md in this folder explains the layout and the review rule.
#
#   make check     runs this script: each case's stdout must equal
#                  expected/NAME.out and its normalised stderr and exit
#                  status expected/NAME.err; a difference is shown as a
#                  unified diff naming the case, its input and its command.
#   make golden    runs it with GOLDEN_UPDATE=1: each case runs twice, must
#                  give the same output both times (or nothing is written),
#                  and expected/ is rewritten; review it with git diff.
#
# Inputs: the shared captures ($PCAPS), the demo sample (generated here with
# the sluice-gencap arguments scripts/demo.sh uses, read from demo.sh so the
# two cannot drift apart) and the PDU files and captures
# tests/unit/decode_samples writes. Runs with TZ=UTC and LC_ALL=C, in each
# input's folder with relative file names, so no absolute path and no
# locale or time zone reaches the output.
#
# The normaliser (normalise_err below) touches stderr only, and only what
# differs between two runs of the same build on the same input:
#   - the "frames" totals line: " in S s, R frames/s, M MB/s" (wall-clock
#     duration and rates, printed only when the duration is not zero)
#     becomes " in <elapsed>";
#   - "peak memory N MB" (peak RSS: differs with ASan, libc, kernel) becomes
#     "peak memory <rss> MB";
#   - the temporary folder and $PCAPS, should they appear in a message,
#     become <tmp> and <pcaps>.
# Nothing else is rewritten; stdout is compared as it is.
set -u
: "${top_srcdir:?run through make check or make golden}" "${top_builddir:?}" "${PCAPS:?}"
G="$top_srcdir/tests/golden"
EXP="$G/expected"
SLUICE="$top_builddir/src/sluice"
GENCAP="$top_builddir/tests/bench/sluice-gencap"
SAMPLES="$top_builddir/tests/unit/decode_samples"
update=${GOLDEN_UPDATE:-0}
TZ=UTC
LC_ALL=C
export TZ LC_ALL

for p in "$SLUICE" "$GENCAP" "$SAMPLES"; do
	[ -x "$p" ] || { echo "FAIL: $p not built (make check builds it; make golden depends on it)"; exit 1; }
done
[ -d "$PCAPS" ] || { echo "FAIL: shared captures not found at $PCAPS (configure --with-pcaps=DIR)"; exit 1; }
[ -f "$G/TESTLIST" ] || { echo "FAIL: $G/TESTLIST missing"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/demo" "$T/decode" "$T/run"

# The demo sample, generated as scripts/demo.sh generates it: its
# sluice-gencap arguments are read from demo.sh (the lines from
# `sluice-gencap" --out "$sample"` to the redirection).
demo_args=$(sed -n '/sluice-gencap" --out "\$sample"/,/>/p' "$top_srcdir/scripts/demo.sh" |
	tr '\n\t\\' '   ' | sed 's/.*--out "\$sample"//; s/>.*//')
case "$demo_args" in
*--seed*) ;;
*) echo "FAIL: cannot find the sluice-gencap arguments (with --seed) in scripts/demo.sh"; exit 1 ;;
esac
case "$demo_args" in
*[!a-z0-9\ -]*) echo "FAIL: unexpected sluice-gencap arguments in scripts/demo.sh: $demo_args"; exit 1 ;;
esac
# shellcheck disable=SC2086 # options and numbers only, checked above
(cd "$T/demo" && "$GENCAP" --out demo.pcap $demo_args >/dev/null 2>"$T/gencap.err") ||
	{ echo "FAIL: sluice-gencap --out demo.pcap $demo_args"; cat "$T/gencap.err"; exit 1; }
"$SAMPLES" "$T/decode" >/dev/null || { echo "FAIL: decode_samples $T/decode"; exit 1; }

normalise_err() {
	sed -e "s|$T/|<tmp>/|g" -e "s|$PCAPS/|<pcaps>/|g" \
		-e '/^frames  /{s/ in [0-9.]* s, .*$//;s/$/ in <elapsed>/;}' \
		-e 's/^peak memory  *[0-9.]* MB$/peak memory    <rss> MB/'
}

# run_case NAME DIR OUT_PREFIX COMMAND ARGS...: OUT_PREFIX.out and .err
run_case() {
	rc_name=$1 rc_dir=$2 rc_out=$3
	shift 3
	case "$rc_dir" in
	pcaps) rc_cwd=$PCAPS ;;
	demo | decode) rc_cwd=$T/$rc_dir ;;
	*) echo "FAIL: $rc_name: unknown input folder '$rc_dir' in TESTLIST"; return 1 ;;
	esac
	case "$1" in
	sluice) shift; set -- "$SLUICE" "$@" ;;
	sha256sum) ;;
	*) echo "FAIL: $rc_name: unknown command '$1' in TESTLIST"; return 1 ;;
	esac
	(cd "$rc_cwd" && exec "$@") >"$rc_out.out" 2>"$rc_out.raw"
	rc_status=$?
	{ normalise_err <"$rc_out.raw"; echo "[exit status $rc_status]"; } >"$rc_out.err"
	rm -f "$rc_out.raw"
}

# show_diff NAME EXT CMD: unified diff of the golden against this build's
show_diff() {
	diff -u --label "tests/golden/expected/$1.$2 (golden)" --label "$1.$2 (this build: $3)" \
		"$EXP/$1.$2" "$T/run/$1.$2" >"$T/diff"
	n=$(wc -l <"$T/diff")
	head -n 200 "$T/diff"
	[ "$n" -le 200 ] || echo "... diff cut at 200 of $n lines"
}

fails=0 cases=0 changed=0
names=
while read -r name dir cmd; do
	case "$name" in '' | '#'*) continue ;; esac
	cases=$((cases + 1))
	names="$names $name "
	# shellcheck disable=SC2086 # TESTLIST arguments are split on blanks
	run_case "$name" "$dir" "$T/run/$name" $cmd || { fails=$((fails + 1)); continue; }
	what="$cmd (in $dir)"
	if [ "$update" = 1 ]; then
		# shellcheck disable=SC2086
		run_case "$name" "$dir" "$T/run/$name.again" $cmd
		for ext in out err; do
			if ! cmp -s "$T/run/$name.$ext" "$T/run/$name.again.$ext"; then
				echo "FAIL: $name: two runs of $what differ (nondeterministic output); not written"
				diff -u "$T/run/$name.$ext" "$T/run/$name.again.$ext" | head -n 40
				fails=$((fails + 1))
				continue 2
			fi
		done
		for ext in out err; do
			if ! cmp -s "$T/run/$name.$ext" "$EXP/$name.$ext" 2>/dev/null; then
				[ -f "$EXP/$name.$ext" ] && echo "updated: $name.$ext" || echo "new:     $name.$ext"
				cp "$T/run/$name.$ext" "$EXP/$name.$ext"
				changed=$((changed + 1))
			fi
		done
		continue
	fi
	for ext in out err; do
		if [ ! -f "$EXP/$name.$ext" ]; then
			echo "FAIL: $name: no golden tests/golden/expected/$name.$ext (run make golden)"
			fails=$((fails + 1))
		elif ! cmp -s "$EXP/$name.$ext" "$T/run/$name.$ext"; then
			[ "$ext" = out ] && stream=stdout || stream="stderr or exit status"
			echo "FAIL: $name: $what: $stream differs from the golden"
			show_diff "$name" "$ext" "$what"
			fails=$((fails + 1))
		fi
	done
done <"$G/TESTLIST"

# Every shared capture has its extract-text case, so a capture added to the
# shared folder cannot go unseen.
for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -f "$f" ] || continue
	b=${f##*/}
	b=${b%.pcapng}
	b=${b%.pcap}
	case "$names" in
	*" extract-text.$b "*) ;;
	*) echo "FAIL: shared capture ${f##*/} has no extract-text.$b line in tests/golden/TESTLIST"; fails=$((fails + 1)) ;;
	esac
done

# Goldens whose case is gone from TESTLIST: removed by make golden, a
# failure otherwise.
for f in "$EXP"/*.out "$EXP"/*.err; do
	[ -f "$f" ] || continue
	b=${f##*/}
	b=${b%.*}
	case "$names" in
	*" $b "*) continue ;;
	esac
	if [ "$update" = 1 ]; then
		echo "removed: ${f##*/} (no case in TESTLIST)"
		rm -f "$f"
		changed=$((changed + 1))
	else
		echo "FAIL: tests/golden/expected/${f##*/} has no case in TESTLIST (make golden removes it)"
		fails=$((fails + 1))
	fi
done

if [ "$update" = 1 ]; then
	echo "make golden: $cases cases, $changed file(s) written or removed, $fails problem(s)"
	[ "$changed" -eq 0 ] || echo "review with: git diff --stat tests/golden/expected; git diff tests/golden/expected"
	[ "$fails" -eq 0 ]
	exit
fi
if [ "$fails" -ne 0 ]; then
	echo "$fails golden difference(s) in $cases cases. If the change in output is intended,"
	echo "run 'make golden' and commit the reviewed diff of tests/golden/expected/ with the change."
	exit 1
fi
echo "ok: $cases golden outputs"
