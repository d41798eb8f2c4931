#!/bin/sh
# Extract fuzz seeds from captures: make_seeds.sh PCAP_DIR OUT_DIR
#
#   OUT/frame/  one seed per frame (selector byte + frame bytes, see
#               fuzz_frame.c) and one multi-frame seed per capture (the
#               first frames as be16 length + bytes), for defrag, TCP and
#               dialog state
#   OUT/sip/    UDP and TCP SIP payloads
#   OUT/sdp/    the bodies of SIP payloads that carry SDP
#   OUT/rtp/    RTP/RTCP payloads
#   OUT/gtpv2/  per capture, its GTPv2-C datagrams in order as one
#               fuzz_gtpv2.c record sequence (node selectors from the
#               first four addresses seen), so sessions are created,
#               modified and deleted
#
# Needs tshark and xxd. The seeds are derived from third-party captures:
# they stay in the build tree and are not committed.
set -eu
src=${1:?pcap dir}
out=${2:?output dir}
max=${SEED_FRAMES:-60}

command -v tshark >/dev/null 2>&1 || { echo "make_seeds: tshark not found" >&2; exit 77; }
command -v xxd >/dev/null 2>&1 || { echo "make_seeds: xxd not found" >&2; exit 77; }
[ -d "$src" ] || { echo "make_seeds: $src: no such directory" >&2; exit 77; }
mkdir -p "$out/frame" "$out/sip" "$out/sdp" "$out/rtp" "$out/gtpv2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Wireshark encapsulation number -> fuzz_frame.c link type selector (bits 0-2).
selector() {
	case "$1" in
	1) echo 0 ;;	# Ethernet
	25) echo 1 ;;	# Linux cooked
	210) echo 2 ;;	# Linux cooked v2
	7) echo 3 ;;	# raw IP
	129) echo 4 ;;	# raw IPv4
	130) echo 5 ;;	# raw IPv6
	15) echo 6 ;;	# BSD loopback (NULL)
	*) echo "" ;;
	esac
}

hex_fields() {	# pcap filter field -> one hex string per line, separators removed
	tshark -r "$1" -Y "$2" -T fields -e "$3" 2>/dev/null | tr -d ':' | grep -v '^$' || true
}

for pcap in "$src"/*.pcap "$src"/*.pcapng; do
	[ -f "$pcap" ] || continue
	base=$(basename "$pcap"); base=${base%.*}
	tshark -r "$pcap" -c "$max" -T fields -e frame.encap_type 2>/dev/null > "$tmp/encap" || continue
	tshark -r "$pcap" -c "$max" -x -T ek 2>/dev/null | grep -o '"frame_raw":"[0-9a-f]*"' |
		sed 's/.*:"\([0-9a-f]*\)"/\1/' > "$tmp/raw" || true
	sel=$(selector "$(head -n 1 "$tmp/encap")")
	[ -n "$sel" ] || continue
	i=0
	multi=$(printf '%02x' $((sel | 128)))
	while read -r h; do
		i=$((i + 1))
		printf '%02x%s' "$sel" "$h" | xxd -r -p > "$out/frame/$base-$i"
		multi="$multi$(printf '%04x' $((${#h} / 2)))$h"
	done < "$tmp/raw"
	printf '%s' "$multi" | xxd -r -p > "$out/frame/$base-multi"

	i=0
	{ hex_fields "$pcap" 'sip && udp' udp.payload; hex_fields "$pcap" 'sip && tcp' tcp.payload; } |
		head -n "$max" | while read -r h; do
		i=$((i + 1))
		printf '%s' "$h" | xxd -r -p > "$out/sip/$base-$i"
		if grep -q '^v=0' "$out/sip/$base-$i"; then
			awk 'f { print } /^\r?$/ { f = 1 }' "$out/sip/$base-$i" > "$out/sdp/$base-$i"
		fi
	done
	i=0
	{ hex_fields "$pcap" 'rtp' udp.payload; hex_fields "$pcap" 'rtcp' udp.payload; } |
		head -n 20 | while read -r h; do
		i=$((i + 1))
		printf '%s' "$h" | xxd -r -p > "$out/rtp/$base-$i"
	done
	tshark -r "$pcap" -Y 'gtpv2 && ip' -T fields -e ip.src -e ip.dst -e udp.payload 2>/dev/null |
		awk 'function node(a) { if (!(a in n)) n[a] = k++ % 4; return n[a] }
		     NF == 3 { gsub(":", "", $3); printf "%02x%04x%s", node($1) + 4 * node($2), length($3) / 2, $3 }' \
		> "$tmp/gtp"
	if [ -s "$tmp/gtp" ]; then
		xxd -r -p < "$tmp/gtp" > "$out/gtpv2/$base"
	fi
done
for d in frame sip sdp rtp gtpv2; do
	echo "make_seeds: $(ls "$out/$d" | wc -l) $d seeds in $out/$d"
done
