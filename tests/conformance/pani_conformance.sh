#!/bin/sh
# Conformance of the cells sluice reads from P-Access-Network-Info (TS 24.229
# clause 7.2A.4) against tshark's SIP dissector, on every shared capture with
# IMS signalling that carries the header (pani_vs_tshark.py says how).
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}" "${PCAPS:?}"
TSHARK=${TSHARK:-$(command -v tshark || true)}
if [ -z "$TSHARK" ]; then
	echo "tshark missing: installing it (scripts/deps.sh)"
	"$top_srcdir/scripts/deps.sh" tshark >&2 || { echo "FAIL: cannot install tshark"; exit 1; }
	TSHARK=$(command -v tshark)
fi
[ -d "$PCAPS" ] || { echo "FAIL: shared captures not found at $PCAPS (configure --with-pcaps=DIR)"; exit 1; }
SLUICE="$top_builddir/src/sluice"
fail=0
check() { # capture
	f="$PCAPS/$1"
	[ -f "$f" ] || { echo "FAIL: missing capture $f"; fail=1; return; }
	python3 "$top_srcdir/tests/conformance/pani_vs_tshark.py" --tshark "$TSHARK" --sluice "$SLUICE" "$f" || fail=1
}
# the open5gs captures carry PANI (E-UTRAN); magma__inbound_roaming_01 has none
check open5gs__volte.pcapng
check open5gs__nonipsec_reg.pcapng
check open5gs__ipsec_to_nonipsec_call.pcapng
exit $fail
