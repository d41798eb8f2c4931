#!/bin/sh
# Conformance of sluice's GTPv2-C extraction (IMSI, MSISDN, MEI, APN, TAI,
# ECGI, PDN address) against tshark on every shared capture with GTPv2-C, field
# by field; gtp_vs_tshark.py lists the fields and the explained
# differences.
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
	python3 "$top_srcdir/tests/conformance/gtp_vs_tshark.py" --tshark "$TSHARK" --sluice "$SLUICE" "$f" || fail=1
}
check ndpi__gtp_c.pcap
check magma__inbound_roaming_01.pcapng
check open5gs__nonipsec_reg.pcapng
check open5gs__volte.pcapng
check open5gs__ipsec_to_nonipsec_call.pcapng
exit $fail
