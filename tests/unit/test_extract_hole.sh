#!/bin/sh
# `sluice extract` on a capture written by extract_hole.py: a persistent
# SIP/TCP connection losing one segment, then three hours of keep-alives;
# asserts the time, frame and order of every SIP event with the default
# hole timeout, with it off and with 1000 ms, and the gap and offload
# counters.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/test_extract_hole.XXXXXX")
trap 'rm -rf "$T"' EXIT
python3 "$top_srcdir/tests/unit/extract_hole.py" "$top_builddir/src/sluice" "$T"
