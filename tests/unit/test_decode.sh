#!/bin/sh
# `sluice decode` on PDUs built by handover/'s encoders (tests/unit/
# decode_samples.c): concatenated and length-prefixed files in text and
# JSON, detection and forcing of the framing, stdin, a corrupted PDU and
# garbage in the middle (reported at their offsets, the PDUs after them
# still decoded, exit status 1), and synthetic captures of a plain-TCP
# handover connection, whole and with a lost segment.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
SLUICE="$top_builddir/src/sluice"
T=$(mktemp -d "${TMPDIR:-/tmp}/test_decode.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect_status WANT CMD...: run CMD, stdout to $T/out, stderr to $T/err
expect_status() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "exit status $got, expected $want: $*"
		sed 's/^/  stderr: /' "$T/err" | head -20
	fi
}

has() { # has FILE FIXED-STRING
	grep -qF -- "$2" "$1" || fail "$1 lacks: $2"
}

count() { # count FILE REGEX
	grep -cE -- "$2" "$1"
}

"$top_builddir/tests/unit/decode_samples" "$T" || { echo "FAIL: decode_samples"; exit 1; }
. "$T/expect.sh"

# --- concatenated BER, text ---
expect_status 0 "$SLUICE" decode "$T/all.ber"
n=$(count "$T/out" '^#[0-9]+ offset ')
[ "$n" -eq "$n_pdu" ] || fail "all.ber: $n header lines, expected $n_pdu"
has "$T/out" "#1 offset $off_1 (0x0) iri_ipmm LIID LIID1 CIN 7 seq 0 time 2023-11-14T22:13:20.123456Z IRI-begin"
has "$T/out" "#2 offset $off_2 "
has "$T/out" " cc_ipmm LIID LIID1 CIN 7 seq 0 "
has "$T/out" "#3 offset $off_3 "
has "$T/out" " iri_hi2 LIID LIID1 CIN 7 seq 1 time 2023-11-14T22:13:20.123456Z IRI-continue"
has "$T/out" "#4 offset $off_4 "
has "$T/out" " keepalive LIID LIID1 CIN - seq 3 "
has "$T/out" " hi1 LIID LIID1 CIN - seq 4 "
has "$T/out" " iri_hi2 LIID LIID1 CIN 8 seq - time 2023-11-14T22:13:20.123456Z IRI-report"
has "$T/out" "#7 offset $off_7 "
has "$T/out" " IRI-end"
has "$T/out" "      | INVITE sip:bob@example.com SIP/2.0"
has "$T/out" "    iPSourceAddress: 192.0.2.1"
has "$T/out" "    sequenceNumber: 1"
has "$T/out" "    target-Information: sip:alice@example.com"
has "$T/out" "  framing: v18"
[ -s "$T/err" ] && fail "all.ber: unexpected stderr: $(head -3 "$T/err")"
cp "$T/out" "$T/all_ber.txt"

# -v adds the BER tree
expect_status 0 "$SLUICE" decode -v "$T/all.ber"
has "$T/out" "  BER:"
has "$T/out" "    0x0000 SEQUENCE"

# --- length-prefixed (lemf pdus.raw), detected; same PDUs at their offsets past the prefix ---
expect_status 0 "$SLUICE" decode "$T/all.raw"
n=$(count "$T/out" '^#[0-9]+ offset ')
[ "$n" -eq "$n_pdu" ] || fail "all.raw: $n header lines, expected $n_pdu"
has "$T/out" "#1 offset $raw_off_1 (0x4) iri_ipmm LIID LIID1 CIN 7 seq 0"
has "$T/out" "#7 offset $raw_off_7 "
sed 's/^#[0-9]* offset [0-9]* (0x[0-9a-f]*)//' "$T/out" >"$T/a"
sed 's/^#[0-9]* offset [0-9]* (0x[0-9a-f]*)//' "$T/all_ber.txt" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "all.raw and all.ber decode differently"

# stdin, and forcing the framing
expect_status 0 sh -c "\"$SLUICE\" decode - < \"$T/all.raw\""
[ "$(count "$T/out" '^#[0-9]+ offset ')" -eq "$n_pdu" ] || fail "stdin: not $n_pdu PDUs"
expect_status 0 "$SLUICE" decode --length-prefixed "$T/all.raw"
expect_status 1 "$SLUICE" decode --length-prefixed "$T/all.ber"
has "$T/err" "all.ber: offset 0 (0x0): length prefix"

# --- JSON ---
if command -v python3 >/dev/null 2>&1; then
	for f in all.ber all.raw; do
		expect_status 0 "$SLUICE" decode --format json "$T/$f"
		python3 - "$T/out" "$f" "$T/expect.sh" <<'EOF' || fail "$f: JSON output"
import json, sys
exp = dict(l.strip().split("=", 1) for l in open(sys.argv[3]) if "=" in l)
pre = "raw_off_" if sys.argv[2].endswith(".raw") else "off_"
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == int(exp["n_pdu"]), len(lines)
kinds = ["iri_ipmm", "cc_ipmm", "iri_hi2", "keepalive", "hi1", "iri_hi2", "iri_ipmm"]
for i, o in enumerate(lines):
    assert o["index"] == i + 1, o
    assert o["offset"] == int(exp[pre + str(i + 1)]), (o["offset"], i)
    assert o["file"].endswith(sys.argv[2]), o["file"]
    assert o["pdu"]["kind"] == kinds[i], o["pdu"]["kind"]
assert lines[0]["pdu"]["pSHeader"]["lawfulInterceptionIdentifier"] == "LIID1"
assert lines[0]["pdu"]["pSHeader"]["communicationIdentityNumber"] == 7
assert lines[2]["pdu"]["pSHeader"]["sequenceNumber"] == 1
assert lines[0]["pdu"]["iRIType"] == "begin"
assert lines[0]["pdu"]["sIPMessage"]["sIPContent"].startswith("INVITE sip:bob@example.com")
assert lines[5]["pdu"]["iRI-Parameters"]["communication-Identity-Number"] == "8"
EOF
	done
else
	echo "SKIP: JSON checks need python3"
fi

# --- a corrupted PDU and garbage in the middle of a BER stream ---
expect_status 1 "$SLUICE" decode "$T/bad.ber"
n=$(count "$T/out" '^#[0-9]+ offset [0-9]+ \(0x[0-9a-f]+\) [a-z_0-9]+ LIID')
[ "$n" -eq $((n_pdu - 1)) ] || fail "bad.ber: $n PDUs decoded, expected $((n_pdu - 1))"
has "$T/out" "#3 offset $bad_off_3 "
grep -qE "^#3 offset $bad_off_3 \(0x[0-9a-f]+\) error: does not decode: at PDU offset $bad_at: " "$T/out" ||
	fail "bad.ber: PDU 3 not reported as undecodable at its offset"
has "$T/err" "bad.ber: offset $bad_off_3 "
has "$T/err" "PDU #3 does not decode"
has "$T/out" "offset $garbage_off "
has "$T/out" "$garbage_len bytes skipped, next PDU found at offset $bad_off_6"
has "$T/out" "#6 offset $bad_off_6 "
has "$T/out" "#7 offset $bad_off_7 "
has "$T/err" "bad.ber: $((n_pdu - 1)) PDUs decoded, 2 problems"

expect_status 1 "$SLUICE" decode --format json "$T/bad.ber"
[ "$(count "$T/out" '"error":')" -eq 2 ] || fail "bad.ber json: not 2 error objects"
[ "$(count "$T/out" '"pdu":')" -eq $((n_pdu - 1)) ] || fail "bad.ber json: not $((n_pdu - 1)) PDUs"
has "$T/out" "\"index\":3,\"offset\":$bad_off_3,\"error\":\"does not decode"

expect_status 1 "$SLUICE" decode "$T/bad.raw"
[ "$(count "$T/out" ' LIID LIID1 ')" -eq $((n_pdu - 1)) ] || fail "bad.raw: not $((n_pdu - 1)) PDUs"
has "$T/out" "#3 offset $raw_off_3 "
has "$T/out" "#4 offset $raw_off_4 "

# --- captures ---
expect_status 0 "$SLUICE" decode --pcap --port 50001 "$T/ho.pcap"
n=$(count "$T/out" '^#[0-9]+ frame [0-9]+ 192\.0\.2\.10:40000 -> 192\.0\.2\.20:50001 offset ')
[ "$n" -eq "$n_pdu" ] || fail "ho.pcap: $n client PDUs, expected $n_pdu"
n=$(count "$T/out" '^#[0-9]+ frame [0-9]+ 192\.0\.2\.20:50001 -> 192\.0\.2\.10:40000 offset [0-9]+ \(0x[0-9a-f]+\) keepalive_response ')
[ "$n" -eq 2 ] || fail "ho.pcap: $n keep-alive responses, expected 2"
for i in 1 2 3 4 5 6 7; do
	eval "o=\$off_$i"
	grep -qE "192\.0\.2\.20:50001 offset $o " "$T/out" || fail "ho.pcap: no PDU at stream offset $o"
done
if command -v python3 >/dev/null 2>&1; then
	expect_status 0 "$SLUICE" decode --pcap --port 50001 --format json "$T/ho.pcap"
	python3 - "$T/out" <<'EOF' || fail "ho.pcap: JSON output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 9, len(lines)
frames = [o["frame"] for o in lines]
assert all(f >= 4 for f in frames), frames
assert frames == sorted(frames), frames
c = [o for o in lines if o["src"] == "192.0.2.10:40000"]
assert [o["pdu"]["kind"] for o in c] == ["iri_ipmm", "cc_ipmm", "iri_hi2", "keepalive", "hi1", "iri_hi2", "iri_ipmm"]
s = [o for o in lines if o["src"] == "192.0.2.20:50001"]
assert [o["pdu"]["pSHeader"]["sequenceNumber"] for o in s] == [3, 9], s
assert s[0]["offset"] == 0 and s[0]["time"] > 1700000000
EOF
fi

# one segment inside PDU 3 lost: PDU 3 is reported lost, every other PDU still decodes
expect_status 1 "$SLUICE" decode --pcap --port 50001 "$T/gap.pcap"
n=$(count "$T/out" ' LIID LIID1 ')
[ "$n" -eq $((n_pdu - 1 + 2)) ] || fail "gap.pcap: $n PDUs decoded, expected $((n_pdu + 1))"
has "$T/out" "$gap_seg_len bytes missing from the capture at offset $gap_seg_off"
has "$T/out" "192.0.2.20:50001 offset $off_4 "
has "$T/err" "gap.pcap: frame "
grep -q " iri_hi2 LIID LIID1 CIN 7 seq 1 " "$T/out" && fail "gap.pcap: PDU 3 decoded despite the lost segment"

# --- usage and input errors ---
expect_status 2 "$SLUICE" decode --pcap "$T/ho.pcap"
has "$T/err" "--pcap needs at least one --port"
expect_status 2 "$SLUICE" decode --format xml "$T/all.ber"
expect_status 2 "$SLUICE" decode --raw --length-prefixed "$T/all.ber"
expect_status 1 "$SLUICE" decode "$T/missing.ber"
has "$T/err" "cannot open $T/missing.ber"
expect_status 1 "$SLUICE" decode --pcap --port 50001 "$T/all.ber"
has "$T/err" "all.ber"
expect_status 0 "$SLUICE" decode --help
has "$T/out" "sluice decode --pcap"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "ok: sluice decode"
