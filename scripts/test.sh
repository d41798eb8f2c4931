#!/bin/sh
# Every test: install what is missing, build with AddressSanitizer and
# UBSan, run `make check` (unit tests, fuzz corpus replay, conformance
# against tshark, ground-truth and live SIPp tests), then `make distcheck`,
# the Debian package built from its tarball, installed and run
# (tests/package/package.sh) and a short libFuzzer run of every fuzz
# target. This is what CI runs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" build test fuzz nats package
jobs=$(nproc)

echo "== build with ASan/UBSan and make check"
BUILD_DIR="$top/build-check" "$top/scripts/build.sh" --enable-sanitize
cd "$top/build-check"
if ! make -j"$jobs" check; then
	find . -name '*.log' -path '*tests*' -newer Makefile -exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null |
		while read -r f; do echo "---- $f"; tail -n 60 "$f"; done
	grep -h -E '^(FAIL|ERROR|XPASS)' test-suite.log 2>/dev/null || true
	exit 1
fi

echo "== make distcheck"
make -j"$jobs" distcheck >/dev/null

echo "== Debian package (from the distcheck tarball)"
rc=0
sh "$top/tests/package/package.sh" "$top/build-check/$(sed -n 's/^PACKAGE_TARNAME = //p' Makefile)-$(sed -n 's/^PACKAGE_VERSION = //p' Makefile).tar.gz" || rc=$?
if [ $rc -eq 77 ]; then
	echo "== Debian package: SKIPPED (see above)"
elif [ $rc -ne 0 ]; then
	exit 1
fi

echo "== fuzz smoke (libFuzzer, clang)"
BUILD_DIR="$top/build-fuzz" "$top/scripts/build.sh" CC=clang --enable-fuzzers
cd "$top/build-fuzz"
make -s fuzz-smoke
echo "== all tests passed"
