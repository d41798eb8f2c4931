#!/bin/sh
# A destination's trust is its authority's, not its address's: destination
# lea1 belongs to authority bka, whose receiver-ca is the test CA. While
# sluiced replays a capture under one (lab) interception for lea1, an
# operator moves lea1's hi2 address on the console
#   1. to a receiver whose certificate carries lea1's name but comes from
#      another CA (rogue-ca): the handshake is refused;
#   2. to 127.0.0.2, a receiver whose certificate is from the right CA and
#      names 127.0.0.2 (the new address) but not lea1's configured name
#      (127.0.0.1): refused too, because the name verified is the one
#      configured, not the address now set;
#   3. back to the right receiver, which then gets every record.
# Both wrong receivers get 0 records; each refusal is counted (tls:refused
# in /metrics) and logged.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init authority
live_capture 9

lemf() { # name listen cert outdir
	"$B/src/sluice" lemf --listen "$2" --out "$4" --tls-cert "$work/pki/$3.crt" --tls-key "$work/pki/$3.key" \
		--ca "$work/pki/ca.crt" -q >>"$work/$1.out" 2>>"$work/$1.err" &
	pids="$pids $!"
	eval "$1=\$!"
}
good=$(freeport) rogue=$(freeport) wrong=$(freeport) v=$(freeport) m=$(freeport)
lemf rogue_pid "127.0.0.1:$rogue" rogue "$work/rogue-out"
lemf wrong_pid "127.0.0.2:$wrong" wronghost "$work/wrong-out"
cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture
 source file $work/g.pcap
handover
 operator-id OPX
 country-code DE
 state-dir $work/state
 destination lea1
  hi2 127.0.0.1 $good
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  keepalive 1
  pdu-ack
lawful
 insecure-configured-intercepts
 intercept LIID-T
  target $caller
  scope iri
  destination lea1
 authority bka
  country DE
  trust-anchors $work/pki/ca.crt
  receiver-ca $work/pki/ca.crt
  destination lea1
metrics
 http-listen 127.0.0.1 $m
CFG
# an authority's destination without the authority's receiver CA is refused, by --check-config and at start
"$B/src/sluiced" -c "$work/sluice.cfg" --check-config >"$work/check.out" 2>&1 || { cat "$work/check.out"; fail "--check-config refuses a usable file"; }
sed -e '/receiver-ca/d' -e "s#  tls key \(.*\)#  tls key \1\n  tls ca $work/pki/rogue-ca.crt#" "$work/sluice.cfg" >"$work/norca.cfg"
"$B/src/sluiced" -c "$work/norca.cfg" --check-config >"$work/check-norca.out" 2>&1 && fail "--check-config accepts an authority without receiver-ca"
grep -q "authority bka: no receiver-ca" "$work/check-norca.out" || { cat "$work/check-norca.out"; fail "--check-config does not name the missing receiver-ca"; }
# a destination two authorities name with different receiver CAs is refused, by --check-config and at start
sed '/^metrics/,$d' "$work/sluice.cfg" >"$work/twoauth.cfg"
printf ' authority bnd\n  country DE\n  trust-anchors %s\n  receiver-ca %s\n  destination lea1\n' \
	"$work/pki/ca.crt" "$work/pki/rogue-ca.crt" >>"$work/twoauth.cfg"
"$B/src/sluiced" -c "$work/twoauth.cfg" --check-config >"$work/check-twoauth.out" 2>&1 && fail "--check-config accepts a destination of two authorities with different receiver-ca"
grep -q "destination lea1 belongs to authorities bka and bnd" "$work/check-twoauth.out" || { cat "$work/check-twoauth.out"; fail "--check-config does not name the two authorities"; }
timeout 30 "$B/src/sluiced" -c "$work/twoauth.cfg" >"$work/twoauth.out" 2>&1 && fail "sluiced started with a destination of two authorities with different receiver-ca"
grep -q "destination lea1 belongs to authorities bka and bnd" "$work/twoauth.out" || { tail -5 "$work/twoauth.out"; fail "the refusal to start does not name the two authorities"; }
# an authority's destination whose key cannot be read is named by --check-config, as any other destination's
sed -e "s#  tls key .*#  tls key $work/pki/missing.key#" "$work/sluice.cfg" >"$work/nokey.cfg"
"$B/src/sluiced" -c "$work/nokey.cfg" --check-config >"$work/check-nokey.out" 2>&1 && fail "--check-config accepts an authority's destination whose tls key does not exist"
grep -q "destination tls key $work/pki/missing.key: no such file" "$work/check-nokey.out" || { cat "$work/check-nokey.out"; fail "--check-config does not name the missing tls key"; }
timeout 30 "$B/src/sluiced" -c "$work/norca.cfg" >"$work/norca.out" 2>&1 && fail "sluiced started with an authority's destination verified against its own CA"
grep -q "belongs to authority bka, which has no receiver-ca" "$work/norca.out" || { tail -5 "$work/norca.out"; fail "the refusal to start does not name the authority"; }
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"

cat >"$work/probe.py" <<'PY'
import re, socket, sys, time, urllib.request
mport, vport, what = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def metric(family, **labels):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        m = re.match(r'^(\w+)\{([^}]*)\} (\S+)$', line)
        if m and m.group(1) == family:
            l = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            if all(l.get(k) == x for k, x in labels.items()):
                return float(m.group(3))
    return None
def console(*cmds):
    s = socket.create_connection(("127.0.0.1", vport)); s.settimeout(0.3)
    for c in ("enable", "configure terminal", "handover", "destination lea1") + cmds + ("end",):
        s.sendall(c.encode() + b"\r\n"); time.sleep(0.1)
    out, t = b"", time.time()
    while time.time() - t < 1:
        try:
            d = s.recv(65536)
            if not d: break
            out += d
        except socket.timeout:
            break
    s.close()
    return out.decode(errors="replace")
def wait(pred, t=60):
    end = time.time() + t
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.3)
    return None
refused = lambda: metric("sluice_link_tls_refused_total", name="lea1-hi2") or 0
if what == "queued":
    ok = wait(lambda: (metric("sluice_delivery_queued_records", destination="lea1", stream="hi2") or 0) > 0)
    sys.exit(0 if ok else "FAIL: nothing queued for lea1 while its receiver is down")
before = refused()
host, port = sys.argv[4], sys.argv[5]
out = console("hi2 %s %s" % (host, port))
if "%" in out.replace("%s" % port, ""):
    print(out)
if what == "refused":
    ok = wait(lambda: refused() >= before + 2)
    print("tls:refused %s -> %s" % (before, refused()))
    sys.exit(0 if ok else "FAIL: the handshake with %s:%s was not refused (and counted)" % (host, port))
PY
python3 "$work/probe.py" "$m" "$v" queued || fail "records were not queued"
# 1. another CA
python3 "$work/probe.py" "$m" "$v" refused 127.0.0.1 "$rogue" || fail "a receiver of another CA was not refused"
grep -q "127.0.0.1:$rogue.*certificate verify failed\|127.0.0.1:$rogue.*unable to get local issuer" "$work/gw.err" ||
	fail "the refusal of the rogue receiver is not logged with its reason"
# 2. right CA, names the new address but not the configured one
python3 "$work/probe.py" "$m" "$v" refused 127.0.0.2 "$wrong" || fail "a receiver named for the new address was not refused"
grep -q "127.0.0.2:$wrong.*mismatch" "$work/gw.err" || fail "the name mismatch is not logged"
# 3. back to the right receiver
lemf good_pid "127.0.0.1:$good" lemf "$work/good-out"
python3 "$work/probe.py" "$m" "$v" move 127.0.0.1 "$good"
python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 1 120 >"$work/show.txt" || { cat "$work/show.txt"; fail "the right receiver did not get everything"; }
released=$(python3 - "$m" <<'PY'
import re, sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
m = re.search(r'^sluice_link_records_released_total\{[^}]*name="lea1-hi2"[^}]*\} (\S+)$', t, re.M)
print(int(float(m.group(1))) if m else -1)
PY
)
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
for p in $rogue_pid $wrong_pid $good_pid; do stop_within 20 TERM $p; done
python3 - "$work" "$released" <<'PY' || fail "what the receivers got"
import glob, json, os, sys
work, released = sys.argv[1], int(sys.argv[2])
def records(d):
    # every record the link released once (IRI and HI1 notifications; TRI is the link's own)
    out = []
    for f in glob.glob(os.path.join(work, d, "*", "pdus.jsonl")):
        for line in open(f):
            r = json.loads(line)
            if r.get("stream") != "tri" and not r.get("dup"):
                out.append(r)
    return out
bad = [d for d in ("rogue-out", "wrong-out") if records(d) or glob.glob(os.path.join(work, d, "*", "pdus.raw"))]
if bad:
    sys.exit("FAIL: a receiver that failed verification got records: %r" % bad)
good = records("good-out")
if not good or released <= 0 or len(good) != released:
    sys.exit("FAIL: the right receiver got %d records, the link released %d" % (len(good), released))
print("authority_trust: 0 records to the wrong receivers, %d to the right one" % len(good))
PY
echo "authority_trust: a destination moved on the console to another CA's or another name's receiver delivers nothing there; the refusals are counted and logged; the right receiver gets everything"
