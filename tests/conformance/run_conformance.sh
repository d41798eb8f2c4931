#!/bin/sh
# Conformance of `sluice extract` against tshark on every shared capture
# that carries SIP: same multiset of (Call-ID, method/status, From user,
# To user), same RTP packet count per SIP-signalled stream. See
# sip_vs_tshark.py for how each side is read and for the explained
# differences (tel: URIs, media not signalled by SIP).
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
check() { # capture [extra args for sip_vs_tshark.py]
	f="$PCAPS/$1"; shift
	[ -f "$f" ] || { echo "FAIL: missing capture $f"; fail=1; return; }
	python3 "$top_srcdir/tests/conformance/sip_vs_tshark.py" --rtp --tshark "$TSHARK" --sluice "$SLUICE" "$@" "$f" || fail=1
}
check heplify__erspan_sip_ipv4_udp.pcapng
check heplify__rtp_rtcp_sip_ipv4_udp.pcap
check heplify__sip_ipv4_tcp.pcap
# SIP on TCP 6060: tshark needs to be told, sluice finds it by content
check heplify__sip_ipv4_tcp_fragmented.pcap --decode-as tcp.port==6060,sip
check heplify__sip_ipv6_udp.pcap
check heplify__sip_tcp_websocket.pcap
check open5gs__ipsec_to_nonipsec_call.pcapng
check open5gs__nonipsec_reg.pcapng
check open5gs__volte.pcapng
check pkts__cancel.pcap
check pkts__fragmented_tcp_sip.pcap
check pkts__sip_rtp.pcap
check pkts__sipp.pcap
check sngrep__aaa.pcap
check sngrep__ipv6frag.pcap
exit $fail
