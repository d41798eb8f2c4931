#!/bin/sh
# TS 101 671 IRI records from handover/ checked against an independent
# decoder: tshark's HI2Operations dissector (Wireshark 4.0 implements
# HI2Operations version11, TS 101 671 V3.5.1).
#
# hi2_samples writes a pcap (DLT_USER0, handed to HI2Operations by
# hi2_dlt.lua) with a version11 record, a version18 record and the
# IRI-Parameters of two PS-PDU ETSI671IRI payloads, and prints the field
# values tshark must show. Checked per frame: every expected value of every
# field (LIID, CIN, operator, timestamp, sip-uri, tel-url, e164-Format,
# imsi, imei, SMS content and node addresses, tAI/eCGI, domainID) equals
# tshark's, no other values appear for those fields, and tshark raises
# exactly the expected number of expert infos: none for version11, one per
# component that version18 added and version11 lacks (Location tAI/eCGI,
# IPAddress iPv6PrefixLength), each of them "beyond the end of the known
# sequence definition".
#
# Records 7 and 8 are location IRI-REPORTs made from GTPv2-C ULIs
# (capture/gtpv2.c sl_gtpv2_uli_cell, "gtpv2-uli" location events): a CGI
# as globalCellID (checked by tshark), TAI and ECGI as tAI/eCGI (tshark
# counts them as unknown components; hi2_samples checks their bytes).
#
# Wireshark 4.0 has no dissector for TS 102 232-1 PS-PDUs (its "5gli" is
# the TS 103 221-2 X2/X3 transport); the script says so if that changes.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
TSHARK=${TSHARK:-tshark}
command -v "$TSHARK" >/dev/null 2>&1 || { echo "hi2_tshark: no tshark, skipped"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "hi2_tshark: no python3, skipped"; exit 77; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$top_builddir/tests/conformance/hi2_samples" "$tmp/hi2.pcap" > "$tmp/expected.tsv"; then
	echo "hi2_tshark: hi2_samples failed" >&2
	exit 1
fi

fields=$(cut -f2 "$tmp/expected.tsv" | grep -v '^_ws\.' | sort -u)
set -- -e frame.number -e _ws.expert.message -e _ws.malformed
for f in $fields; do set -- "$@" -e "$f"; done

if ! TZ=UTC "$TSHARK" -n -r "$tmp/hi2.pcap" -X "lua_script:$top_srcdir/tests/conformance/hi2_dlt.lua" \
	-T fields -E occurrence=a -E 'aggregator=|' -E header=y "$@" > "$tmp/tshark.tsv" 2> "$tmp/tshark.err"; then
	cat "$tmp/tshark.err" >&2
	exit 1
fi
if grep -v -e 'Running as user' "$tmp/tshark.err" | grep -q .; then
	echo "hi2_tshark: tshark complained:" >&2
	cat "$tmp/tshark.err" >&2
	exit 1
fi

if "$TSHARK" -G protocols 2>/dev/null | grep -qi -e 'PS-PDU' -e '102 232'; then
	echo "hi2_tshark: note: this tshark has a TS 102 232 dissector; PS-PDUs could be checked too"
fi

python3 - "$tmp/expected.tsv" "$tmp/tshark.tsv" <<'PY'
import sys
from collections import Counter, defaultdict

exp = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[1]):
    frame, field, value = line.rstrip("\n").split("\t", 2)
    exp[frame][field].append(value)

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
head, rows = rows[0], rows[1:]
got = {}
for r in rows:
    r += [""] * (len(head) - len(r))
    got[r[0]] = {h: ([v for v in c.split("|") if v] if c else []) for h, c in zip(head, r)}

bad = 0
def fail(msg):
    global bad
    bad += 1
    print("hi2_tshark: FAIL " + msg)

for frame in sorted(exp, key=int):
    g = got.get(frame)
    if g is None:
        fail(f"frame {frame}: not dissected")
        continue
    for field, values in exp[frame].items():
        if field == "_ws.expert.count":
            want = int(values[0])
            msgs = g["_ws.expert.message"]
            if len(msgs) != want or len(g["_ws.malformed"]) != want:
                fail(f"frame {frame}: {len(msgs)} expert infos, {len(g['_ws.malformed'])} malformed, want {want}: {msgs}")
            for m in msgs:
                if "beyond the end of the known sequence definition" not in m:
                    fail(f"frame {frame}: unexpected expert info: {m}")
            continue
        if Counter(g[field]) != Counter(values):
            fail(f"frame {frame} {field}: tshark {g[field]} != ours {values}")
nvals = sum(len(v) for f in exp.values() for v in f.values())
print(f"hi2_tshark: {len(exp)} records, {nvals} expected values, {bad} failures")
sys.exit(1 if bad else 0)
PY
