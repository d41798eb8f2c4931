#!/bin/sh
# `jetstream credentials` together with TLS (docs/exports.md), end to end:
# a nats-server in operator mode (tests/live/nats_creds.py) that requires
# TLS with client certificates (its `tls {}` block: the test PKI of
# tests/pki/make_pki.sh, made with the openssl CLI), and sluiced with
# `jetstream credentials` (sluiced's restricted user), `jetstream tls ca`
# and `jetstream tls certificate`, the capture read at full speed, batches
# of 3 records, and its metrics endpoint.
#
# sluiced's CA file is a copy that the test replaces while sluiced runs
# (libnats loads it at each connection sluiced makes):
# 1. it holds another CA (rogue-ca.crt): every connection is refused by
#    sluiced's check of the chain; `show consent` says so ("unable to get
#    local issuer certificate") and counts them, the metrics endpoint's
#    jetstream-connect-failed counter too, the error is logged, nothing is
#    acknowledged;
# 2. the broker is restarted with a certificate of the right CA for other
#    names (wronghost.crt: other.test, 127.0.0.2) and the right CA put in
#    place: refused by the name check (the URL's host, 127.0.0.1, is not in
#    the certificate), shown and counted again;
# 3. the broker back with its own certificate (lemf.crt, 127.0.0.1):
#    sluiced connects by itself and publishes everything: the stream holds
#    every record once, in order, with its message id, each batch has one
#    export.batch record and ledger credit, js_pending is empty and the
#    audit log verifies (check_stream, read with the reader's credentials
#    over TLS).
# 4. `jetstream tls verify-name other.test` and the broker with the
#    certificate for other names again: sluiced (started again, the
#    capture read again into new segments) connects and publishes, and the
#    checks of 3 hold over both runs.
# Skips (77) without nats-server, libnats or python3-cryptography.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
. "$top_srcdir/tests/live/jetstream_lib.sh"
js_live_init jstls creds
P="$work/pki"

sh "$top_srcdir/tests/pki/make_pki.sh" "$P" >/dev/null 2>&1 || fail "test PKI"
port=$(freeport)
url="tls://127.0.0.1:$port"
python3 "$top_srcdir/tests/live/nats_creds.py" make "$work/nats" "$port" "$work/store" "$P/lemf.crt" "$P/lemf.key" \
	"$P/ca.crt" || fail "nats_creds.py make"
sed "s|$P/lemf\.|$P/wronghost.|g" "$work/nats/nats.conf" >"$work/nats/wronghost.conf"
grep -q wronghost.crt "$work/nats/wronghost.conf" || fail "the wrong-name configuration was not made"
broker() { # CONFIG
	"$NS" -c "$1" >>"$work/nats.log" 2>&1 &
	nats=$!
	pids="$pids $nats"
	wait_listen "$port" "nats-server (operator mode, TLS)"
}
broker "$work/nats/nats.conf"
"$B/tests/live/js_dump" -c "$work/nats/reader.creds" "$url" - "$P/ca.crt" "$P/gw.crt" "$P/gw.key" \
	>"$work/ok.out" 2>"$work/ok.err" && grep -qx connected "$work/ok.out" ||
	{ cat "$work/ok.err"; fail "the TLS broker refused the reader"; }

js_prepare --calls 20 --rtp-seconds 1 --messages 20 --registrations 2
v=$(freeport)
m=$(freeport)
cp "$P/rogue-ca.crt" "$work/ca.pem"
js_gw_cfg "$work/gw.cfg" "$v" " jetstream url $url
 jetstream credentials $work/nats/sluiced.creds
 jetstream tls ca $work/ca.pem
 jetstream tls certificate $P/gw.crt key $P/gw.key
 jetstream drain-seconds 1" "metrics
 http-listen 127.0.0.1 $m"
"$B/src/sluiced" -c "$work/gw.cfg" --check-config >"$work/check.out" 2>&1 ||
	{ cat "$work/check.out"; fail "--check-config refuses credentials with TLS"; }
# libnats keeps its library state when TLS was used (consent_js_export.c says why): not a leak of ours
echo "leak:libnats.so" >"$work/lsan.supp"
LSAN_OPTIONS="suppressions=$work/lsan.supp" "$B/src/sluiced" -c "$work/gw.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
wait_read "$work/gw.err" "wrong CA" $gw

# failed_at_least N TEXT WHAT: until show consent counts N failed connections and its last error has
# TEXT, nothing acknowledged; failed is then the count shown
failed_at_least() {
	_n=0
	until show_consent "$v" >"$work/show.txt" && grep -q "last error: connect: .*$2" "$work/show.txt" &&
		[ "$(sed -n 's/.* \([0-9]*\) failed connections.*/\1/p' "$work/show.txt")" -ge "$1" ]; do
		_n=$((_n + 1))
		[ $_n -le 40 ] || { grep "jetstream:" "$work/show.txt"; fail "$3: not $1 failed connections with '$2'"; }
		sleep 0.5
	done
	grep "jetstream:" "$work/show.txt"
	grep -q "jetstream: not connected, 0 records acknowledged" "$work/show.txt" || fail "$3: something was acknowledged"
	failed=$(sed -n 's/.* \([0-9]*\) failed connections.*/\1/p' "$work/show.txt")
}
metric_failed() {
python3 - "$m" <<'PY'
import re, sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
m = re.search(r'^sluice_consent_recipient_jetstream_connect_failed_total\{[^}]*\} (\S+)$', t, re.M)
print(int(float(m.group(1))) if m else -1)
PY
}

# --- 1. sluiced trusts another CA ----------------------------------------------------------
failed_at_least 2 "SSL Error: SSL handshake error: 20:unable to get local issuer certificate" "wrong CA"
f1=$failed
n=0
until [ "$(metric_failed)" -ge 2 ]; do
	n=$((n + 1))
	[ $n -le 30 ] || fail "wrong CA: the metrics endpoint's jetstream-connect-failed is $(metric_failed)"
	sleep 0.1
done
grep -q "consent: recipient acme: jetstream: connect: SSL Error: SSL handshake error: 20:unable to get local issuer" \
	"$work/gw.err" || fail "wrong CA: not logged"
echo "wrong CA: $f1 failed connections shown, $(metric_failed) counted in /metrics"

# --- 2. the right CA, a broker certificate for other names -----------------------------------
kill -9 $nats
wait $nats 2>/dev/null
broker "$work/nats/wronghost.conf"
cp "$P/ca.crt" "$work/ca.pem.new"
mv "$work/ca.pem.new" "$work/ca.pem"
failed_at_least $((f1 + 1)) "SSL Error: SSL handshake error: 64:IP address mismatch" "wrong name"
f2=$failed
echo "broker certificate for other names: refused by the name check, $f2 failed connections in all"

# --- 3. the broker's own certificate: everything published and accounted once ---------------
kill -9 $nats
wait $nats 2>/dev/null
broker "$work/nats/nats.conf"
n=0
until cursor_at_end "$work/acme"; do
	n=$((n + 1))
	[ $n -le 300 ] || { show_consent "$v" | grep "jetstream:"; fail "the outbox was not published within 30 s"; }
	sleep 0.1
done
show_consent "$v" >"$work/show3.txt"
grep "jetstream:" "$work/show3.txt"
grep -q "jetstream: connected" "$work/show3.txt" || fail "not connected"
stop_within 30 TERM $gw || fail "sluiced did not stop cleanly"
JS_CREDS="$work/nats/reader.creds" JS_TLS="$P/ca.crt $P/gw.crt $P/gw.key" check_stream 0 0
first=$(cat "$work"/acme/*.jsonl | wc -l)

# --- 4. the name to verify configured: the certificate for other names accepted ------------
kill -9 $nats
wait $nats 2>/dev/null
broker "$work/nats/wronghost.conf"
sed -i "s|^ jetstream tls ca .*|&\n jetstream tls verify-name other.test|" "$work/gw.cfg"
grep -q "^ jetstream tls verify-name other.test" "$work/gw.cfg" || fail "verify-name: the configuration was not made"
LSAN_OPTIONS="suppressions=$work/lsan.supp" "$B/src/sluiced" -c "$work/gw.cfg" >"$work/gw2.out" 2>"$work/gw2.err" &
gw=$!
pids="$pids $gw"
wait_read "$work/gw2.err" "verify-name" $gw
n=0
until cursor_at_end "$work/acme"; do
	n=$((n + 1))
	[ $n -le 300 ] || { show_consent "$v" | grep "jetstream:"; fail "verify-name: the outbox was not published within 30 s"; }
	sleep 0.1
done
show_consent "$v" >"$work/show4.txt"
grep "jetstream:" "$work/show4.txt"
grep -q "jetstream: connected, .* 0 failed connections" "$work/show4.txt" || fail "verify-name: not connected at once"
stop_within 30 TERM $gw || fail "verify-name: sluiced did not stop cleanly"
# read back through the broker's own certificate (js_dump checks the URL's host)
kill -9 $nats
wait $nats 2>/dev/null
broker "$work/nats/nats.conf"
JS_CREDS="$work/nats/reader.creds" JS_TLS="$P/ca.crt $P/gw.crt $P/gw.key" check_stream 0 0
total=$(cat "$work"/acme/*.jsonl | wc -l)
[ "$total" -gt "$first" ] || fail "verify-name: the second run exported nothing"
echo "verify-name other.test: the broker's certificate for other.test accepted, $((total - first)) records published"
echo "consent_jetstream_tls: ok"
