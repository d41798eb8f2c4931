#!/bin/sh
# Metrics and health an operator can alert on, during a receiver outage:
# sluiced replays a generated capture under one (lab) interception whose
# authority receiver is down. Then
#   - GET /metrics is valid Prometheus text (each family's HELP and TYPE
#     once, before its samples; names [a-zA-Z_:][a-zA-Z0-9_:]*, no path in
#     a name) and says: records queued for lea1 hi2, the link not up;
#   - GET /health answers 503 naming the destination once it has been down
#     longer than `health link-down-seconds`, and goes on doing so at every
#     look while the link keeps failing to connect (it counts from when the
#     link was last up, not from its last state change), and `sluice status`
#     prints the same and exits 1;
# and once the receiver is started:
#   - nothing queued, the link up, /health 200 "ok", `sluice status` exits 0.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init metrics
live_capture 5
p2=$(freeport) v=$(freeport) m=$(freeport)
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
 intercept LIID-M
  target $caller
  scope iri
  destination lea1
metrics
 http-listen 127.0.0.1 $m
 health link-down-seconds 1
CFG
"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"

cat >"$work/probe.py" <<'PY'
import re, sys, time, urllib.request, urllib.error
port, phase = int(sys.argv[1]), sys.argv[2]
def get(path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return None, ""
def parse(text):
    # a strict reading of the text format: families declared once, before their samples
    fams, samples, seen_sample_of = {}, [], set()
    name_re = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, rest = line[2:6], line[7:]
            name = rest.split(" ", 1)[0]
            assert name_re.match(name), "bad name %r" % name
            assert name not in seen_sample_of, "%s declared after its samples" % name
            assert (name, kind) not in fams, "%s %s twice" % (kind, name)
            fams[(name, kind)] = rest
            continue
        assert line and not line.startswith("#"), "stray line %r" % line
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$', line)
        assert m, "bad sample %r" % line
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        assert (name, "TYPE") in fams, "sample of undeclared %s" % name
        assert "/" not in name
        float(value.replace("+Inf", "inf"))
        seen_sample_of.add(name)
        samples.append((name, dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels)), float(value.replace("+Inf", "inf"))))
    return samples
def val(samples, name, **labels):
    for n, l, v in samples:
        if n == name and all(l.get(k) == x for k, x in labels.items()):
            return v
    return None
def attempts():
    code, text = get("/metrics")
    if code != 200:
        return None
    return sum(v for n, l, v in parse(text)
               if n == "sluice_link_connect_attempts_total" and l.get("name", "").endswith("hi2"))
if phase == "steady":
    # down stays down: /health says 503 at every look while the link goes
    # on failing to connect (two more attempts, so it changed state in
    # between), not only in the moments it has been in one state long enough
    a0, looks = attempts(), 0
    assert a0 is not None, "no /metrics"
    deadline = time.time() + 60
    while time.time() < deadline:
        hc, ht = get("/health")
        if hc != 503 or "lea1 hi2" not in ht:
            print("FAIL: steady: /health %s %r after %d looks" % (hc, ht, looks))
            sys.exit(1)
        looks += 1
        a = attempts()
        if a is not None and a >= a0 + 2:
            print("steady: 503 at all %d looks over %d connect attempts" % (looks, a - a0))
            sys.exit(0)
        time.sleep(0.05)
    print("FAIL: steady: the link made no two connect attempts in 60 s")
    sys.exit(1)
deadline = time.time() + 60
last = ""
while time.time() < deadline:
    code, text = get("/metrics")
    if code == 200:
        s = parse(text)
        q = val(s, "sluice_delivery_queued_records", destination="lea1", stream="hi2")
        up = val(s, "sluice_delivery_link_up", destination="lea1", stream="hi2")
        hc, ht = get("/health")
        want = (q and q > 0 and up == 0 and hc == 503 and "lea1 hi2" in ht) if phase == "down" else \
               (q == 0 and up == 1 and hc == 200 and ht.strip() == "ok")
        last = "queued %s, up %s, health %s %r" % (q, up, hc, ht)
        if want:
            print("%s: %s; %d samples" % (phase, last, len(s)))
            sys.exit(0)
    time.sleep(0.5)
print("FAIL: %s: %s" % (phase, last))
sys.exit(1)
PY
python3 "$work/probe.py" "$m" down || fail "metrics or health while the receiver is down"
python3 "$work/probe.py" "$m" steady || fail "health while the receiver stays down"
"$B/src/sluice" status --url "http://127.0.0.1:$m/health" >"$work/status.out" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$work/status.out"; fail "sluice status exited $rc while the receiver is down, expected 1"; }
grep -q "destination lea1 hi2" "$work/status.out" || { cat "$work/status.out"; fail "sluice status does not name the destination"; }

"$B/src/sluice" lemf --listen "127.0.0.1:$p2" --out "$work/lemf" --tls-cert "$work/pki/lemf.crt" \
	--tls-key "$work/pki/lemf.key" --ca "$work/pki/ca.crt" -q >"$work/lemf.out" 2>"$work/lemf.err" &
pids="$pids $!"
python3 "$work/probe.py" "$m" up || fail "metrics or health after the receiver came up"
"$B/src/sluice" status --url "http://127.0.0.1:$m/health" >"$work/status.out" 2>&1 ||
	{ cat "$work/status.out"; fail "sluice status not 0 once everything is delivered"; }
grep -qx ok "$work/status.out" || { cat "$work/status.out"; fail "sluice status does not say ok"; }
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
