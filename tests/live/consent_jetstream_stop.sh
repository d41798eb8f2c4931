#!/bin/sh
# How long sluiced takes to stop while the JetStream publisher waits for
# acknowledgements that never come (docs/exports.md, "Threads"), and that
# what it leaves unacknowledged is published and accounted once later.
#
# A real `nats-server -js` on a free loopback port; sluiced replays a
# generated capture at 5x real time with `jetstream ack-wait-seconds 10`
# and `drain-seconds 0`. Once records are in the stream and the cursor has
# caught up with the outbox, the broker is frozen (SIGSTOP: its TCP
# connections stay open, the kernel still takes the bytes, nothing is
# answered). As soon as the outbox has grown by a batch after that (the
# publisher publishes it and starts its 10 s wait for the
# acknowledgements), sluiced is stopped (SIGTERM) and the time to its exit
# is measured: it must be under a quarter of the configured acknowledgement
# wait (before the waits were taken in 100 ms slices, the stop waited for
# the rest of the wait, i.e. close to all of it here). The batches not
# acknowledged must stay in js_pending, and the stop must say so.
#
# Then the broker is thawed (SIGCONT: it stores what it had received) and
# sluiced started again (the capture read again, at full speed, into new
# segments): the stream must hold every JSON Lines record once, in order,
# with its message id, every batch must have one export.batch record and
# its ledger credit, js_pending must be empty and the audit log must
# verify (check_stream, jetstream_lib.sh). The stop of that second run,
# with the broker answering, is timed too and printed for comparison.
# Skips (77) only without nats-server or libnats.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
. "$top_srcdir/tests/live/jetstream_lib.sh"
js_live_init jsstop
port=$(freeport)
url="nats://127.0.0.1:$port"
ACK_S=10

js_prepare --calls 30 --rtp-seconds 1 --messages 30 --registrations 2

broker() {
	"$NS" -js -a 127.0.0.1 -p "$port" -sd "$work/store" >>"$work/nats.log" 2>&1 &
	nats=$!
	pids="$pids $nats"
	wait_listen "$port" nats-server
}
now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }

v=$(freeport)
js_gw_cfg "$work/gw.cfg" "$v" " jetstream url $url
 jetstream ack-wait-seconds $ACK_S
 jetstream drain-seconds 0" " replay-speed 5"
broker
js_start_gw "$work/gw.cfg" gw
# records acknowledged, and the publisher caught up (waiting for the next batch)
n=0
until [ "$(js_lines)" -gt 0 ] && cursor_at_end "$work/acme"; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "the publisher did not catch up with the outbox within 30 s"
	kill -0 $gw 2>/dev/null || fail "sluiced exited"
	grep -q "all capture files read" "$work/gw.err" && fail "the capture was read before the broker could be frozen"
	sleep 0.1
done
kill -STOP $nats
at_freeze=$(js_lines)
n=0
until [ "$(js_lines)" -gt "$at_freeze" ]; do
	n=$((n + 1))
	[ $n -le 200 ] || fail "no batch was exported within 20 s of freezing the broker"
	kill -0 $gw 2>/dev/null || fail "sluiced exited while the broker was frozen"
	sleep 0.1
done
# the publisher is woken by the batch and publishes it at once; give it a moment on a loaded machine
sleep 0.5
show_consent "$v" >"$work/show1.txt"
grep "jetstream:" "$work/show1.txt"
cursor_at_end "$work/acme" && fail "the frozen broker acknowledged the new batch"
t0=$(now_ms)
stop_within $((ACK_S * 3)) TERM $gw || fail "sluiced did not stop cleanly with the broker frozen"
t1=$(now_ms)
stop_ms=$((t1 - t0))
pending=$(js_pending_rows)
echo "broker frozen: sluiced stopped in $stop_ms ms (acknowledgement wait ${ACK_S} s); $pending batches pending"
# the bound: well inside the configured wait (a quarter of it), whatever the load
[ $((stop_ms * 4)) -lt $((ACK_S * 1000)) ] ||
	fail "the stop took $stop_ms ms, not under a quarter of the $ACK_S s acknowledgement wait"
[ "$pending" -gt 0 ] || fail "no batch pending after the stop with the broker frozen"
grep -q "consent: recipient acme: $pending batches pending (accounted when acknowledged after the next start)" \
	"$work/gw.err" || fail "the stop did not say that $pending batches stay pending"

# --- the broker thawed, sluiced started again: everything published and accounted once -------
kill -CONT $nats
sed -i '/^ replay-speed /d' "$work/gw.cfg"
js_start_gw "$work/gw.cfg" gw2
js_wait_read "$work/gw2.err" "restart"
grep -q "publishing to JetStream stream SLUICE_EXPORT, $pending batches pending from before" "$work/gw2.err" ||
	fail "restart: sluiced did not find the $pending pending batches"
wait_until 300 "restart: the outbox was not acknowledged and accounted within 30 s" js_settled
t0=$(now_ms)
stop_within 30 TERM $gw || fail "restart: sluiced did not stop cleanly"
t1=$(now_ms)
check_stream 0 0
echo "broker answering: sluiced stopped in $((t1 - t0)) ms"
echo "consent_jetstream_stop: ok"
