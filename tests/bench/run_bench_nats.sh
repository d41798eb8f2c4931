#!/bin/sh
# make bench, JetStream part: starts a nats-server -js on a free loopback
# port with a store in a temporary directory, runs bench_js_export against
# it (JSON Lines vs JetStream export vs a bare publish loop, one run) and
# removes everything. Says why and exits 0 when nats-server or libnats is
# missing (scripts/deps.sh nats installs both).
set -u
: "${top_builddir:?}"
NS=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
bench="$top_builddir/tests/bench/bench_js_export"
[ -x "$NS" ] || { echo "bench_js_export: skipped, nats-server not found"; exit 0; }
[ -x "$bench" ] || { echo "bench_js_export: skipped, built without libnats"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-js.XXXXXX")
nats=""
cleanup() { [ -n "$nats" ] && kill "$nats" 2>/dev/null && wait "$nats" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NS" -js -a 127.0.0.1 -p "$port" -sd "$work/store" >"$work/nats.log" 2>&1 &
nats=$!
n=0
until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; do
	n=$((n + 1))
	[ $n -le 100 ] || { echo "bench_js_export: nats-server did not start"; cat "$work/nats.log"; exit 1; }
	sleep 0.1
done
TMPDIR="$work" "$bench" --url "nats://127.0.0.1:$port" ${BENCH_JS_RECORDS:+--records "$BENCH_JS_RECORDS"}
