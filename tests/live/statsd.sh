#!/bin/sh
# The delivery gauges reach a statsd collector through libosmocore's
# `stats reporter statsd`: a UDP listener on loopback stands in for the
# collector, sluiced replays a capture under one (lab) interception whose
# receiver is down, and the lines that arrive must say, for the
# destination stream lea1-hi2: records queued (> 0, and equal to what
# /metrics says at the same time within the records still arriving),
# link_up 0, link_state not 3 (up); and the capture tables' limits as
# configured. Item names carry no path.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init statsd
live_capture 5

# the collector: a UDP socket that writes every datagram's lines to a file
u=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$u" "$work/statsd.txt" >"$work/collector.out" 2>"$work/collector.err" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "a") as f:
    while True:
        d, _ = s.recvfrom(65536)
        f.write(d.decode(errors="replace").rstrip("\n") + "\n")
        f.flush()
PY
pids="$pids $!"

p2=$(freeport) v=$(freeport) m=$(freeport)
cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
stats interval 1
stats reporter statsd
 remote-ip 127.0.0.1
 remote-port $u
 prefix sluicetest
 level global
 flush-period 1
 enable
line vty
 bind 127.0.0.1 $v
 no login
capture
 source file $work/g.pcap
 max-dialogs 777
 max-tcp-ooo-bytes 1048576
handover
 operator-id OPX
 country-code DE
 state-dir $work/state
 spool-max-mb 64
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
metrics
 http-listen 127.0.0.1 $m
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"

python3 - "$work/statsd.txt" "$m" <<'PY' || fail "statsd lines"
import re, sys, time, urllib.request
path, mport = sys.argv[1], int(sys.argv[2])
def metrics():
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return None
    m = re.search(r'^sluice_delivery_queued_records\{destination="lea1",stream="hi2"\} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None
def latest():
    vals = {}
    try:
        for line in open(path):
            m = re.match(r"^([^:|]+):(-?\d+)\|g", line.strip())
            if m:
                vals[m.group(1)] = int(m.group(2))
    except OSError:
        pass
    return vals
want = {
    "queued": "sluicetest.delivery.lea1-hi2.queued_records",
    "up": "sluicetest.delivery.lea1-hi2.link_up",
    "state": "sluicetest.delivery.lea1-hi2.link_state",
    "dialogs_limit": "sluicetest.capture_table.dialogs.limit",
    "ooo_limit": "sluicetest.capture_table.tcp_ooo_bytes.limit",
}
deadline, v, stable = time.time() + 60, {}, 0
while time.time() < deadline:
    v = latest()
    q = v.get(want["queued"])
    # the file has been read once the queue stops growing: compare with /metrics then
    if q and q > 0 and v.get(want["up"]) == 0 and v.get(want["state"]) not in (None, 3) \
            and v.get(want["dialogs_limit"]) == 777 and v.get(want["ooo_limit"]) == 1048576:
        mq = metrics()
        if mq is not None and mq == q:
            stable += 1
            if stable >= 2:
                break
    time.sleep(1)
else:
    print("FAIL: statsd values: %r" % {k: v.get(n) for k, n in want.items()})
    print("".join(open(path).readlines()[-40:]) if v else "no statsd line arrived")
    sys.exit(1)
bad = [n for n in v if "/" in n]
if bad:
    sys.exit("FAIL: statsd names with a path: %r" % bad[:5])
print("statsd: queued %d, link_up %d, link_state %d" % (v[want["queued"]], v[want["up"]], v[want["state"]]))
PY
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
echo "statsd: delivery gauges (queued records, link state) and capture table limits (dialogs, tcp_ooo_bytes) arrive at a statsd collector"
