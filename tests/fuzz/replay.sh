#!/bin/sh
# Replay the seed corpus of every fuzz target (built with replay_main.c) so
# the corpora run under the build's sanitizers in every `make check`.
# Seeds extracted by `make fuzz-seeds` (tests/fuzz/seeds) replay too when present.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
rc=0
for n in frame sip sdp rtp defrag tcp ber pdu pdu_stream sip_redact warrant audit_log audit_checkpoint aggregate consent_import gsmtap dtap rp tpdu gtpv2 consent_api pani js_cursor js_segment pcap_direct; do
	bin="$top_builddir/tests/fuzz/fuzz_$n"
	corpus="$top_srcdir/tests/fuzz/corpus/$n"
	if [ ! -x "$bin" ]; then
		echo "replay: $bin missing" >&2
		rc=1
		continue
	fi
	if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
		echo "replay: no corpus for $n in $corpus" >&2
		rc=1
		continue
	fi
	set -- "$corpus"
	[ -d "$top_builddir/tests/fuzz/seeds/$n" ] && set -- "$@" "$top_builddir/tests/fuzz/seeds/$n"
	"$bin" "$@" || { echo "replay: fuzz_$n failed" >&2; rc=1; }
done
exit $rc
