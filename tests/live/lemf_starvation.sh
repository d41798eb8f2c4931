#!/bin/sh
# Nobody can starve the authority's receiver before authenticating.
# `sluice lemf` (TLS, mutual) with short deadlines and small caps is
# attacked from 127.0.0.2 while a real gateway (sluiced replaying a
# generated capture under a lab interception) delivers from 127.0.0.1:
#   - 40 clients that connect and never start the TLS handshake: 5 are
#     held (per-source cap), the rest refused at once, the held ones cut
#     at the handshake deadline;
#   - 5 clients that send a ClientHello one byte per second;
#   - a client that sends garbage bytes (undecodable as TLS);
# each time the real gateway must get every record through, and the
# receiver's summary must count the refusals by reason. Its memory stays
# small: no receive buffer before authentication.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init starve
FAIL_TAIL=20 FAIL_ALSO=$work/lemf.out

live_pki
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 6 --rtp-seconds 1 --seed 3 >/dev/null || fail "gencap"
live_callers "$work/g.pcap" 1
caller=$(cat "$work/callers")
p2=$(freeport) v=$(freeport)
"$B/src/sluice" lemf --listen "0.0.0.0:$p2" --out "$work/lemf" --tls-cert "$work/pki/lemf.crt" \
	--tls-key "$work/pki/lemf.key" --ca "$work/pki/ca.crt" --handshake-timeout 2 --idle-timeout 30 \
	--max-per-source 5 --max-connections 64 >"$work/lemf.out" 2>"$work/lemf.err" &
lemf=$!
pids="$pids $lemf"
wait_log "$work/lemf.out" "listening on" "lemf did not start"

# the attackers, from 127.0.0.2, for 6 s
python3 - "$p2" >"$work/attack.out" 2>"$work/attack.err" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
held, slow, out = [], [], {"refused": 0, "held": 0}
def conn():
    s = socket.socket(); s.bind(("127.0.0.2", 0)); s.settimeout(2)
    s.connect(("127.0.0.1", port)); return s
for _ in range(40):                      # silent: never start the handshake
    try:
        held.append(conn())
    except OSError:
        out["refused"] += 1
hello = bytes.fromhex("16030100a5010000a10303") + bytes(32) + b"\x00\x00\x02\x13\x01\x01\x00"
garbage = conn() if True else None
try:
    garbage.sendall(b"GET / HTTP/1.0\r\n\r\n" * 10)
except OSError:
    pass
print("attackers connected", flush=True)
t0 = time.time()
i = 0
while time.time() - t0 < 6:              # the held ones: one byte of a ClientHello per second
    for s in held[:5]:
        try:
            s.send(hello[i:i + 1])
        except OSError:
            pass
    i += 1
    time.sleep(1)
closed = 0
for s in held:
    try:
        s.settimeout(0.2)
        if s.recv(1) == b"":
            closed += 1
    except socket.timeout:
        pass
    except OSError:
        closed += 1
print("attack: %d connections attempted, %d closed by the receiver by the end" % (len(held), closed))
PY
attack=$!
pids="$pids $attack"
# the real gateway starts once the attackers hold their connections (up to 20 s)
n=0
until grep -q "attackers connected" "$work/attack.out"; do
	n=$((n + 1)); [ $n -le 200 ] || fail "the attackers did not connect"
	kill -0 $attack 2>/dev/null || fail "the attack script ended early"
	sleep 0.1
done

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
  hi2 127.0.0.1 $p2
  tls certificate $work/pki/gw.crt
  tls key $work/pki/gw.key
  tls ca $work/pki/ca.crt
  keepalive 1
  pdu-ack
lawful
 insecure-configured-intercepts
 intercept LIID-S
  target $caller
  scope iri
  destination lea1
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
python3 "$top_srcdir/tests/live/vty_drained.py" "$v" 1 60 >"$work/show.txt" ||
	fail "the real gateway did not get its records through while the receiver was attacked"
wait $attack 2>/dev/null
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
stop_within 30 TERM $lemf
python3 - "$work/lemf.out" "$work/lemf" <<'PY' || fail "the receiver's account of the attack"
import glob, json, os, re, sys
out = open(sys.argv[1]).read()
refused = dict((k, int(v)) for k, v in re.findall(r"^refused (\S+) (\d+)$", out, re.M))
iri = sum(1 for p in glob.glob(os.path.join(sys.argv[2], "*", "pdus.jsonl"))
          for line in open(p) if json.loads(line)["stream"] == "iri")
fail = []
if refused.get("per-source-cap", 0) < 30:
    fail.append("per-source cap: %s refusals, expected at least 30 of the 40 silent clients" % refused.get("per-source-cap"))
if refused.get("handshake-timeout", 0) < 5:
    fail.append("handshake deadline: %s cut, expected the 5 held and the slow ones" % refused.get("handshake-timeout"))
if iri == 0:
    fail.append("the real gateway's IRIs did not arrive")
print("receiver: refused %s; %d IRIs from the real gateway" % (refused, iri))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
