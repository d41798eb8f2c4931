#!/bin/sh
# The quick start: install what is missing, build, generate a sample
# capture (SIP calls over UDP and TCP with RTP, messages, registrations,
# noise), extract its call and messaging metadata, then deliver what one
# signed warrant covers to the reference receiver (sluice lemf) over TLS,
# and verify the tamper-evident audit log of every decision.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" build
"$top/scripts/build.sh"
b=${BUILD_DIR:-$top/build}
sample="$b/samples/demo.pcap"
mkdir -p "$b/samples"
[ -f "$sample" ] || "$b/tests/bench/sluice-gencap" --out "$sample" --calls 12 --messages 4 --registrations 3 \
	--rtp-seconds 2 --tcp-share 25 --noise 10 --seed 7 >/dev/null
echo "== sluice extract -r $sample --format text (calls, messages, registrations, media)" >&2
"$b/src/sluice" extract -r "$sample" --format text --types call,message,registration,rtp_stream --stats
echo "== JSON for programs: sluice extract -r $sample (first 3 SIP messages)" >&2
"$b/src/sluice" extract -r "$sample" --types sip -q | head -n 3

# Lawful handover: a warrant for one caller, signed by a (test) authority,
# makes sluiced deliver that caller's IRIs and content over mutually
# authenticated TLS to the reference receiver, from a durable spool.
demo="$b/samples/handover"
rm -rf "$demo" && mkdir -p "$demo/warrants"
sh "$top/tests/pki/make_pki.sh" "$demo/pki" >/dev/null 2>&1
sh "$top/tests/pki/make_warrant_pki.sh" "$demo/authority" >/dev/null 2>&1
target=$("$b/src/sluice" extract -q -r "$sample" --types call | grep -o '"caller":{"ids":\[[^]]*\]' |
	grep -o '"e164","value":"[^"]*"' | head -n 1 | cut -d'"' -f6)
cat >"$demo/warrant.json" <<JSON
{
  "type": "warrant", "format": 1, "liid": "DEMO-LIID-1", "version": 1,
  "authority": { "name": "bka", "country": "DE" },
  "case": "demo case 1/26",
  "issued": "2023-11-01T00:00:00Z",
  "valid": { "from": "2023-11-01T00:00:00Z", "until": "2030-01-01T00:00:00Z" },
  "scope": { "delivery": "iri+cc", "services": ["voice", "messaging", "registration", "location"] },
  "targets": [ { "type": "e164", "value": "$target" } ],
  "destination": "lea1"
}
JSON
echo "== the authority signs a warrant for $target (sluice warrant sign = openssl cms -sign -nodetach -binary)" >&2
"$b/src/sluice" warrant sign --cert "$demo/authority/bka-signer.crt" --key "$demo/authority/bka-signer.key" \
	-o "$demo/warrants/DEMO-LIID-1.cms" "$demo/warrant.json"
echo "== sluice warrant verify: the checks sluiced makes, offline" >&2
"$b/src/sluice" warrant verify --authority "bka,DE,$demo/authority/bka-ca.crt,$demo/authority/bka.crl" \
	--destination bka=lea1 --at 2023-11-14T22:13:20Z "$demo/warrants/DEMO-LIID-1.cms"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo "$1"; }
p2=$(port 41001) p3=$(port 41002) vty=$(port 41003)
for s in 2 3; do
	eval p=\$p$s
	"$b/src/sluice" lemf --listen "127.0.0.1:$p" --out "$demo/lemf" --tls-cert "$demo/pki/lemf.crt" \
		--tls-key "$demo/pki/lemf.key" --ca "$demo/pki/ca.crt" -q >"$demo/lemf-hi$s.txt" 2>&1 &
	eval lemf$s=\$!
done
"$b/src/sluice" audit keygen --name "sluice-demo/audit" --out "$demo/audit" >/dev/null
cat >"$demo/sluice.cfg" <<CFG
log stderr
 logging level set-all error
line vty
 bind 127.0.0.1 $vty
 no login
capture
 source file $sample
handover
 operator-id DEMO
 network-element-id sluice-demo
 country-code DE
 state-dir $demo/state
 destination lea1
  hi2 127.0.0.1 $p2
  hi3 127.0.0.1 $p3
  tls certificate $demo/pki/gw.crt
  tls key $demo/pki/gw.key
  tls ca $demo/pki/ca.crt
  pdu-ack
audit
 directory $demo/audit-log
 signing-key $demo/audit.key
 origin sluice-demo/audit
lawful
 warrant-directory $demo/warrants
 authority bka
  country DE
  trust-anchors $demo/authority/bka-ca.crt
  crl $demo/authority/bka.crl
  destination lea1
CFG
echo "== sluiced: warrant DEMO-LIID-1 covers $target (IRI and content); delivering over TLS to sluice lemf" >&2
"$b/src/sluiced" -c "$demo/sluice.cfg" 2>"$demo/sluiced.log" &
gw=$!
sleep 4
kill -TERM $gw 2>/dev/null || { echo "sluiced stopped early:" >&2; cat "$demo/sluiced.log" >&2; }
wait $gw 2>/dev/null || true
kill -TERM $lemf2 $lemf3 2>/dev/null || true
wait $lemf2 $lemf3 2>/dev/null || true
cat "$demo/lemf-hi2.txt" "$demo/lemf-hi3.txt"
echo "== received PDUs, decoded: $demo/lemf/DEMO-LIID-1/pdus.jsonl (first IRI below)" >&2
grep -m 1 '"stream":"iri"' "$demo/lemf/DEMO-LIID-1/pdus.jsonl" | cut -c1-400
echo "== the audit log, checked as an outside auditor would (sluice audit verify with their copy of the key)" >&2
"$b/src/sluice" audit verify "$demo/audit-log" --key "$demo/audit.vkey"
"$b/src/sluice" audit show "$demo/audit-log" --kind warrant. --kind intercept. --kind delivery | head -n 6
"$b/src/sluice" audit report "$demo/audit-log" --key "$demo/audit.vkey" --out "$demo/audit-report.html" >/dev/null &&
	echo "== the privacy officer's report: $demo/audit-report.html" >&2
