#!/bin/sh
# check_gencap_tshark.sh: cross-check sluice-gencap's ground truth with tshark.
#
# The integration test trusts the generator's truth file to describe the
# capture; this script makes sure it does, using an independent dissector:
#   1. tshark finds no malformed packet and no error-severity expert item;
#   2. tshark's frame count equals totals.packets;
#   3. the SIP messages tshark decodes (Call-ID, method, status, From user,
#      To user) equal the truth's "sip" array as a multiset;
#   4. tshark's RTP streams (rtp,streams: src, dst, SSRC, packets, lost)
#      equal the truth's "rtp_streams" as a multiset.
# Differences are printed as unified diffs (truth first); exit 1 on any.
#
# Usage: check_gencap_tshark.sh [CAPTURE.pcap TRUTH.json]
# Without arguments it generates a capture with $GENCAP (default
# $top_builddir/tests/bench/sluice-gencap, else ./sluice-gencap) and
# $GENCAP_ARGS (default: the demo defaults with --seed 7) in a temporary
# directory. Needs tshark and jq; exits 77 (automake SKIP) without them.
#
# Two tolerances in check 1. The random UDP noise (between 192.168.50.0/24
# and 198.51.100.0/24) now and then passes one of tshark's UDP heuristics
# and is dissected as a malformed RTCP or CLTP packet: it is left out.
# And tshark 4.0 reassembles SIP over TCP by the long
# "Content-Length" header only; with the compact form "l:" (RFC 3261 section
# 7.3.3, which the generator uses on some calls) a body that continues in a
# later segment is dissected cut short and its SDP flagged malformed. Such
# frames (TCP, a header line starting "l:") are left out of check 1; checks
# 3 and 4 still cover their SIP fields and media.
#
# Two normalisations, both of tshark's output, not of the truth:
#  - tshark leaves sip.from.user/sip.to.user empty for tel: URIs; the
#    number is then taken from sip.from.addr/sip.to.addr ("tel:NUMBER").
#  - a frame holding several SIP messages (TCP) yields one line with each
#    field's values joined by "|"; they are split back into messages. This
#    pairs values by position, which holds because the generator only
#    coalesces responses to one request (100 + 180).
set -eu

TSHARK=${TSHARK:-tshark}
command -v "$TSHARK" >/dev/null 2>&1 || { echo "SKIP: tshark not found"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not found"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gencap-check.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ $# -ge 2 ]; then
	pcap=$1
	truth=$2
elif [ $# -eq 0 ]; then
	if [ -z "${GENCAP:-}" ]; then
		if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/tests/bench/sluice-gencap" ]; then
			GENCAP=$top_builddir/tests/bench/sluice-gencap
		else
			GENCAP=./sluice-gencap
		fi
	fi
	pcap=$work/gencap.pcap
	truth=$work/gencap.json
	# shellcheck disable=SC2086 # GENCAP_ARGS is a list of options
	"$GENCAP" --quiet --out "$pcap" --truth "$truth" ${GENCAP_ARGS:---seed 7}
else
	echo "usage: $0 [CAPTURE.pcap TRUTH.json]" >&2
	exit 2
fi

status=0
fail() {
	echo "FAIL: $*"
	status=1
}

# 1. malformed packets and expert errors
"$TSHARK" -n -r "$pcap" \
	-Y '(_ws.malformed || _ws.expert.severity == error) && !(tcp && sip.msg_hdr matches "(?m)^l:")
	    && !(udp && ip.addr == 192.168.50.0/24 && ip.addr == 198.51.100.0/24)' \
	>"$work/bad.txt" 2>"$work/tshark.err"
if [ -s "$work/bad.txt" ]; then
	fail "tshark reports malformed packets or expert errors:"
	head -n 20 "$work/bad.txt"
fi

# 2. frame count
frames=$("$TSHARK" -n -r "$pcap" -T fields -e frame.number 2>/dev/null | wc -l | tr -d ' ')
want=$(jq -r '.totals.packets' "$truth")
[ "$frames" = "$want" ] || fail "tshark counts $frames frames, truth says $want"

# 3. SIP messages: callid TAB method TAB status TAB from_user TAB to_user
jq -r '.sip[] | [.[0], (.[1] // ""), ((.[2] // "") | tostring), .[3], .[4]] | @tsv' "$truth" |
	LC_ALL=C sort >"$work/sip.truth"
"$TSHARK" -n -r "$pcap" -Y sip -T fields -E aggregator='|' -E occurrence=a \
	-e sip.Call-ID -e sip.Method -e sip.Status-Code -e sip.from.user -e sip.to.user \
	-e sip.from.addr -e sip.to.addr 2>/dev/null |
	awk -F'\t' '
	function user(u, addr) {
		if (u != "" || addr !~ /^tel:/)
			return u
		sub(/^tel:/, "", addr)
		sub(/;.*/, "", addr)
		return addr
	}
	{
		n = split($1, cid, "|"); split($2, m, "|"); split($3, st, "|")
		split($4, fu, "|"); split($5, tu, "|"); split($6, fa, "|"); split($7, ta, "|")
		for (i = 1; i <= n; i++)
			printf "%s\t%s\t%s\t%s\t%s\n", cid[i], m[i], st[i], user(fu[i], fa[i]), user(tu[i], ta[i])
	}' | LC_ALL=C sort >"$work/sip.tshark"
if ! diff -u "$work/sip.truth" "$work/sip.tshark" >"$work/sip.diff"; then
	fail "SIP messages differ (- truth, + tshark):"
	head -n 60 "$work/sip.diff"
fi

# 4. RTP streams: src_ip src_port dst_ip dst_port SSRC packets lost
jq -r '
	def hex: if . < 16 then "0123456789ABCDEF"[.:. + 1]
		 else ((. / 16 | floor) | hex) + ((. % 16) | hex) end;
	def pad8: ("00000000" + .)[-8:];
	def ep: capture("^\\[?(?<ip>.*?)\\]?:(?<port>[0-9]+)$") | "\(.ip) \(.port)";
	.rtp_streams[] | "\(.src | ep) \(.dst | ep) 0x\(.ssrc | hex | pad8) \(.packets) \(.lost)"' "$truth" |
	LC_ALL=C sort >"$work/rtp.truth"
"$TSHARK" -n -r "$pcap" -q -z rtp,streams 2>/dev/null |
	awk '$7 ~ /^0x[0-9A-Fa-f]+$/ { print $3, $4, $5, $6, toupper(substr($7, 1, 2)) == "0X" ? "0x" toupper(substr($7, 3)) : $7, $9, $10 }' |
	LC_ALL=C sort >"$work/rtp.tshark"
if ! diff -u "$work/rtp.truth" "$work/rtp.tshark" >"$work/rtp.diff"; then
	fail "RTP streams differ (- truth, + tshark):"
	head -n 60 "$work/rtp.diff"
fi

if [ $status -eq 0 ]; then
	echo "OK: $frames frames, $(wc -l <"$work/sip.truth" | tr -d ' ') SIP messages," \
		"$(wc -l <"$work/rtp.truth" | tr -d ' ') RTP streams agree with tshark"
fi
exit $status
