# shellcheck shell=sh disable=SC2154
# Sourced by the JetStream live tests (consent_jetstream.sh,
# consent_jetstream_creds.sh) after they have set B (the build directory),
# work (their temporary directory) and defined fail. What they share: free
# ports, waiting for a listener, the console's `show consent`, the capture
# and consent registry sluiced exports from, and its configuration.

PURPOSE=dpv:CommercialResearch

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_listen PORT WHAT: until something accepts connections on 127.0.0.1:PORT, at most 10 s
wait_listen() {
	_wl_n=0
	until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" \
		2>/dev/null; do
		_wl_n=$((_wl_n + 1))
		[ $_wl_n -le 100 ] || fail "$2 did not listen within 10 s"
		sleep 0.1
	done
}

# show_consent VTY_PORT: what the console answers to `show consent`
show_consent() {
python3 - "$1" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"show consent\r\n")
out, end = b"", time.time() + 5
while time.time() < end and b"jetstream:" not in out:
    try:
        d = s.recv(4096)
    except socket.timeout:
        break
    if not d:
        break
    out += d
time.sleep(0.3)
print(out.decode(errors="replace"))
PY
}

# js_prepare GENCAP-OPTIONS...: $work/g.pcap (generated with these options, seed 23), the audit
# and pseudonym keys, and $work/reg.db where every telephone number in the capture consents to
# recipient acme
js_prepare() {
	"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" "$@" --seed 23 --start 1767312000 --quiet >/dev/null ||
		fail "gencap"
	"$B/src/sluice" extract -q -r "$work/g.pcap" --types call,message >"$work/events.json" || fail "extract"
	"$B/src/sluice" audit keygen --name "sluice.test/audit" --out "$work/audit" --pseudonym-key "$work/audit.pkey" \
		>/dev/null || fail "audit keygen"
	"$B/src/sluice" audit keygen --name "sluice.test/unused" --out "$work/unused" --pseudonym-key "$work/master.key" \
		>/dev/null || fail "master key"
	python3 - "$work/events.json" "$work/consents.jsonl" "$PURPOSE" <<'PY' || fail "building the registry"
import json, sys
subs = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    for k in ("caller", "callee", "from", "to"):
        for i in (e.get(k) or {}).get("ids", []):
            if i["type"] == "e164" and i["value"] not in subs:
                subs.append(i["value"])
with open(sys.argv[2], "w") as f:
    for n, s in enumerate(subs):
        f.write(json.dumps({"id": "c-%d" % n, "subject": {"type": "msisdn", "value": s}, "controller": "op",
                            "recipient": "acme", "purpose": sys.argv[3],
                            "categories": ["call-metadata", "messaging-metadata"], "legal_basis": "dpv:Consent",
                            "status": "dpv:ConsentGiven", "valid_from": 1767225600000000,
                            "valid_until": 1798761600000000, "collection_method": "app", "notice_version": "v1",
                            "notice_language": "en"}) + "\n")
PY
	"$B/src/sluice" consent import --db "$work/reg.db" "$work/consents.jsonl" >/dev/null 2>"$work/import.err" ||
		fail "sluice consent import"
}

# js_gw_cfg FILE VTY_PORT JETSTREAM_LINES [CAPTURE_LINES]: a sluiced configuration replaying
# $work/g.pcap, exporting recipient acme to $work/acme (batches of 3 records, segments rotated
# at 1 MiB or 20 s) with JETSTREAM_LINES (lines of the consent node) added
js_gw_cfg() {
	mkdir -p "$work/acme"
	cat >"$1" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $2
 no login
capture
 source file $work/g.pcap
 country-code 49
${4:-}
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/audit
 commit-window-ms 5
consent
 database $work/reg.db
 pseudonym-key $work/master.key
 audit-pseudonym-key $work/audit.pkey
$3
 recipient acme
  purpose $PURPOSE
  categories call-metadata messaging-metadata
  location-granularity none
  time-bucket-seconds 60
  export-directory $work/acme
  price-per-record 1500
  batch records 3 seconds 3600
  rotate megabytes 1 seconds 20
CFG
}

# cursor_at_end DIR: true when the cursor file of acme in DIR is at the end of its newest segment
cursor_at_end() {
python3 - "$1" <<'PY'
import glob, os, sys
segs = sorted(glob.glob(sys.argv[1] + "/acme.*.jsonl"))
try:
    cur = open(sys.argv[1] + "/acme.jetstream").read().split()
except OSError:
    sys.exit(1)
sys.exit(0 if segs and int(cur[2]) == int(segs[-1].split(".")[-2]) and int(cur[3]) == os.path.getsize(segs[-1])
         else 1)
PY
}

# stream_is_export DIR STREAM_TSV: the js_dump output is DIR's records (acme), every one once, in order,
# with its message id and subject
stream_is_export() {
python3 - "$1" "$2" <<'PY'
import glob, re, sys
want = []
for f in sorted(glob.glob(sys.argv[1] + "/acme.*.jsonl")):
    seg = int(re.search(r"\.(\d{6})\.jsonl$", f).group(1))
    for n, line in enumerate(open(f, "rb").read().split(b"\n")[:-1], 1):
        want.append(("sluice.acme.%06d.%09d" % (seg, n), "sluice.export.acme", line.decode()))
got = [tuple(l.rstrip("\n").split("\t", 2)) for l in open(sys.argv[2])]
print("export %d records, stream %d messages" % (len(want), len(got)))
sys.exit(0 if got == want and want else 1)
PY
}
