#!/bin/sh
# `jetstream credentials FILE` (docs/exports.md), end to end, against a
# nats-server in operator mode (decentralised JWT authentication).
#
# tests/live/nats_creds.py makes, without nsc (not in Debian), an operator,
# a system account, an account with JetStream enabled, users of it and
# their .creds files (signed by the account's key, or by a signing key its
# JWT lists), users the server must refuse (one naming the account as
# issuer but signed by another account's key, one of an account the server
# does not know, one naming the account but signed by a key it does not
# list, one the account's JWT revokes) and a nats-server configuration
# (MEMORY resolver with the accounts preloaded, JetStream on, a free
# loopback port). First the tool itself: its NKey encoding against the
# known answers of the NATS documents, then the server: it must start with
# the configuration, accept the users (js_dump -c: connect and JetStream
# account information), the revoked user's key again in a JWT issued after
# the revocation, and refuse a connection without credentials and the
# others ("Authorization Violation").
#
# Then sluiced (the capture read as fast as it can, batches of 3 records):
# 1. with the forged user's file: the records go to the JSON Lines outbox
#    and none reaches the broker (no stream); `show consent` names the
#    error and counts failed connections, and the error is logged;
#    Then the file is moved away: the next connection's error names it;
#    then it holds the revoked user (libnats reads it at every
#    connection): two more failed connections, still nothing published;
# 2. a credentials file sluiced cannot read (another user's 0600 file:
#    --user nobody when run as root, a mode-000 file otherwise), that
#    does not exist, a directory or an empty file: sluiced refuses to
#    start, naming the file;
# 3. the configuration fixed (a user signed by the account's signing key,
#    with only sluiced's permissions), sluiced started again (it reads the
#    capture again into new segments): every record of both runs must
#    reach the stream once, in order, with its message id, and be accounted
#    once (check_stream: one export.batch record and ledger credit per
#    batch, nothing left in js_pending, the audit log verifies);
#    meanwhile the credentials file is moved away and the broker
#    restarted: sluiced must stay disconnected while the file is away
#    (libnats reads it at every connection, not once) and reconnect when
#    it is back; then a broker of another operator on the same port
#    refuses the user (libnats then closes the connection for good) and
#    the right broker comes back: sluiced must connect again by itself.
# Skips (77) without nats-server, libnats or python3-cryptography.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
. "$top_srcdir/tests/live/jetstream_lib.sh"
js_live_init jscreds creds
T="$top_srcdir/tests/live/nats_creds.py"
D="$B/tests/live/js_dump"

# --- the tool, then nats-server against what it makes --------------------------------------
python3 "$T" selftest || fail "nats_creds.py: the NKey encoding does not give the documents' answers"
port=$(freeport)
url="nats://127.0.0.1:$port"
python3 "$T" make "$work/nats" "$port" "$work/store" || fail "nats_creds.py make"
broker() {
	"$NS" -c "$work/nats/nats.conf" >>"$work/nats.log" 2>&1 &
	nats=$!
	pids="$pids $nats"
	wait_listen "$port" "nats-server (operator mode)"
}
broker
"$D" -c "$work/nats/reader.creds" "$url" - >"$work/ok.out" 2>"$work/ok.err" && grep -qx connected "$work/ok.out" ||
	{ cat "$work/ok.err"; fail "nats-server refused the user of the preloaded account (or its JetStream)"; }
# sluiced's users are held to their permissions: the JetStream account information is not among them
for who in sluiced signed; do
	"$D" -c "$work/nats/$who.creds" "$url" - >"$work/restricted.out" 2>"$work/restricted.err" &&
		fail "the $who user may ask for the account information: its permissions are not applied"
	grep -q "Authorization Violation" "$work/restricted.err" && fail "the $who user was refused, not restricted"
done
for who in signed-reader renewed; do
	"$D" -c "$work/nats/$who.creds" "$url" - >"$work/$who.out" 2>"$work/$who.dump" && grep -qx connected "$work/$who.out" ||
		{ cat "$work/$who.dump"; fail "nats-server refused the $who user"; }
done
for who in none forged stranger unlisted revoked; do
	if [ $who = none ]; then
		"$D" "$url" - >"$work/$who.out" 2>"$work/$who.dump" && fail "nats-server accepted a connection without credentials"
	else
		"$D" -c "$work/nats/$who.creds" "$url" - >"$work/$who.out" 2>"$work/$who.dump" &&
			fail "nats-server accepted the $who user"
	fi
	grep -q "Authorization Violation" "$work/$who.dump" || { cat "$work/$who.dump"; fail "$who: not refused for authorization"; }
done
echo "nats-server: the account's users accepted with JetStream (sluiced's held to its permissions), signed by the account's key or its signing key, the revoked user's key in a JWT issued after the revocation; refused: no credentials, a user signed by another account's key, a user of an unknown account, a user signed by a key the account does not list, a revoked user"

# --- 1. sluiced with credentials the server refuses ----------------------------------------
js_prepare --calls 20 --rtp-seconds 1 --messages 20 --registrations 2
v=$(freeport)
js_gw_cfg "$work/gw.cfg" "$v" " jetstream url $url
 jetstream credentials $work/user.creds
 jetstream drain-seconds 1"
cp "$work/nats/forged.creds" "$work/user.creds"
"$B/src/sluiced" -c "$work/gw.cfg" --check-config >"$work/check.out" 2>&1 ||
	{ cat "$work/check.out"; fail "--check-config refuses jetstream credentials"; }
"$B/src/sluiced" -c "$work/gw.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"
n=0
until grep -q "all capture files read" "$work/gw.err" 2>/dev/null; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "wrong credentials: the capture was not read within 30 s"
	kill -0 $gw 2>/dev/null || fail "wrong credentials: sluiced exited"
	sleep 0.1
done
# two failed connections at least (the first retry comes after 0.1 s, then 0.2, 0.4...)
n=0
until show_consent "$v" >"$work/show1.txt" && grep -q "[2-9][0-9]* failed connections, last error: connect: Authentication Violation" \
	"$work/show1.txt"; do
	n=$((n + 1))
	[ $n -le 30 ] || { cat "$work/show1.txt"; fail "wrong credentials: show consent does not show the refused connections"; }
	sleep 0.5
done
grep "jetstream:" "$work/show1.txt"
grep -q "jetstream: not connected, 0 records acknowledged" "$work/show1.txt" || fail "wrong credentials: something was acknowledged"
# logged from the select loop's once-a-second look at the publisher
n=0
until grep -q "consent: recipient acme: jetstream: connect: Authentication Violation" "$work/gw.err"; do
	n=$((n + 1))
	[ $n -le 50 ] || fail "wrong credentials: the error is not logged"
	sleep 0.1
done
# the file gone before a connection attempt: that attempt's error names the file
mv "$work/user.creds" "$work/user.creds.away"
n=0
until show_consent "$v" >"$work/show1b.txt" &&
	grep -q "last error: connect: credentials $work/user.creds: No such file or directory" "$work/show1b.txt"; do
	n=$((n + 1))
	[ $n -le 30 ] || { grep "jetstream:" "$work/show1b.txt"; fail "credentials gone: show consent does not name the file"; }
	sleep 0.5
done
# back, now holding the revoked user: refused in turn, counted, logged, nothing published
cp "$work/nats/revoked.creds" "$work/user.creds.away"
mv "$work/user.creds.away" "$work/user.creds"
n=0
until grep -q "jetstream: connect: credentials $work/user.creds: No such file or directory" "$work/gw.err"; do
	n=$((n + 1))
	[ $n -le 50 ] || fail "credentials gone: not logged"
	sleep 0.1
done
failed_before=$(sed -n 's/.* \([0-9]*\) failed connections.*/\1/p' "$work/show1b.txt")
n=0
until show_consent "$v" >"$work/show1c.txt" && grep -q "last error: connect: Authentication Violation" "$work/show1c.txt" &&
	[ "$(sed -n 's/.* \([0-9]*\) failed connections.*/\1/p' "$work/show1c.txt")" -ge $((failed_before + 2)) ]; do
	n=$((n + 1))
	[ $n -le 40 ] || { grep "jetstream:" "$work/show1c.txt"; fail "revoked user: no two more refused connections counted"; }
	sleep 0.5
done
grep "jetstream:" "$work/show1c.txt"
grep -q "jetstream: not connected, 0 records acknowledged" "$work/show1c.txt" || fail "revoked user: something was acknowledged"
n=0
until [ "$(grep -c "consent: recipient acme: jetstream: connect: Authentication Violation" "$work/gw.err")" -ge 2 ]; do
	n=$((n + 1))
	[ $n -le 50 ] || fail "revoked user: the refusal after the file came back is not logged"
	sleep 0.1
done
stop_within 30 TERM $gw || fail "wrong credentials: sluiced did not stop cleanly"
grep -q "batches pending (accounted when acknowledged after the next start)" "$work/gw.err" || fail "wrong credentials: the stop did not say what stays in the outbox"
first=$(cat "$work"/acme/*.jsonl | wc -l)
[ "$first" -gt 0 ] || fail "wrong credentials: nothing was exported to JSON Lines"
"$D" -c "$work/nats/reader.creds" "$url" SLUICE_EXPORT >"$work/stream0.tsv" 2>"$work/stream0.err" &&
	fail "wrong credentials: the stream exists ($(wc -l <"$work/stream0.tsv") messages)"
grep -q "not found\|Not Found" "$work/stream0.err" || { cat "$work/stream0.err"; fail "wrong credentials: stream lookup"; }
[ ! -e "$work/acme/acme.jetstream" ] || fail "wrong credentials: a cursor was saved: $(cat "$work/acme/acme.jetstream")"
echo "wrong credentials (forged, then revoked): $first records kept in the outbox, none published"

# --- 2. credentials sluiced cannot read, or missing: no start, the file named ---------------
refused_start() { # CFG WHAT [sluiced options]: sluiced must exit within 10 s naming the credentials file
	_cfg=$1 _what=$2
	shift 2
	"$B/src/sluiced" -c "$_cfg" "$@" >"$work/bad.out" 2>"$work/bad.err" &
	_p=$!
	pids="$pids $_p"
	_n=0
	while kill -0 $_p 2>/dev/null && [ "$(ps -o stat= -p $_p | cut -c1)" != Z ]; do
		_n=$((_n + 1))
		[ $_n -le 100 ] || fail "$_what: sluiced started"
		sleep 0.1
	done
	wait $_p && fail "$_what: sluiced exited 0"
	grep "jetstream credentials" "$work/bad.err" | head -n 1
}
cp "$work/nats/sluiced.creds" "$work/secret.creds"
sed "s|^ jetstream credentials .*| jetstream credentials $work/secret.creds|" "$work/gw.cfg" >"$work/unreadable.cfg"
if [ "$(id -u)" -eq 0 ]; then
	# as the packaged unit runs it: another user than the file's owner (here after --user's drop)
	# everything else of the run is the user's (the registry's directory too: SQLite's WAL files)
	chown -R nobody "$work"
	chown root "$work/secret.creds"
	chmod 600 "$work/secret.creds"
	refused_start "$work/unreadable.cfg" "unreadable credentials" --user nobody
	# back to root's (sluiced as root drops every capability, CAP_DAC_OVERRIDE included)
	chown -R root "$work"
else
	chmod 000 "$work/secret.creds"
	refused_start "$work/unreadable.cfg" "unreadable credentials"
fi
grep -q "jetstream credentials $work/secret.creds: Permission denied" "$work/bad.err" ||
	{ cat "$work/bad.err"; fail "unreadable credentials: no error naming the file"; }
sed "s|^ jetstream credentials .*| jetstream credentials $work/missing.creds|" "$work/gw.cfg" >"$work/missing.cfg"
refused_start "$work/missing.cfg" "missing credentials"
grep -q "jetstream credentials $work/missing.creds: No such file or directory" "$work/bad.err" ||
	{ cat "$work/bad.err"; fail "missing credentials: no error naming the file"; }
for bad in dir empty; do
	if [ $bad = dir ]; then mkdir "$work/$bad.creds"; why="Is a directory"; else : >"$work/$bad.creds"; why=empty; fi
	sed "s|^ jetstream credentials .*| jetstream credentials $work/$bad.creds|" "$work/gw.cfg" >"$work/$bad.cfg"
	refused_start "$work/$bad.cfg" "$bad credentials"
	grep -q "jetstream credentials $work/$bad.creds: $why" "$work/bad.err" ||
		{ cat "$work/bad.err"; fail "$bad credentials: no error naming the file"; }
done
"$B/src/sluiced" -c "$work/missing.cfg" --check-config >"$work/check2.out" 2>&1 &&
	fail "--check-config accepts missing credentials"
grep -q "jetstream credentials $work/missing.creds: no such file" "$work/check2.out" ||
	{ cat "$work/check2.out"; fail "--check-config does not name the missing credentials"; }

# --- 3. the configuration fixed: everything published, credentials read at every connection --
# (the user is signed by the account's signing key, with sluiced's permissions only)
cp "$work/nats/signed.creds" "$work/user.creds"
"$B/src/sluiced" -c "$work/gw.cfg" >"$work/gw2.out" 2>"$work/gw2.err" &
gw=$!
pids="$pids $gw"
n=0
until grep -q "all capture files read" "$work/gw2.err" 2>/dev/null && cursor_at_end "$work/acme"; do
	n=$((n + 1))
	[ $n -le 300 ] || fail "fixed credentials: the outbox was not published within 30 s"
	kill -0 $gw 2>/dev/null || fail "fixed credentials: sluiced exited"
	sleep 0.1
done
show_consent "$v" >"$work/show2.txt"
grep "jetstream:" "$work/show2.txt"
grep -q "jetstream: connected" "$work/show2.txt" || fail "fixed credentials: not connected"
# reconnected: tenths of a second until show consent says connected again, at most 15 s
reconnected() {
	_n=0
	until show_consent "$v" >"$work/show4.txt" && grep -q "jetstream: connected" "$work/show4.txt"; do
		_n=$((_n + 1))
		[ $_n -le 150 ] || return 1
		sleep 0.1
	done
	echo $_n
}
# control: the broker restarted with the file in place; then the same with the file away: no
# reconnection for 3 times as long (3 s at least); back: reconnected
kill -9 $nats
wait $nats 2>/dev/null
broker
control=$(reconnected) || fail "no reconnection within 15 s of the broker's restart"
mv "$work/user.creds" "$work/user.creds.away"
kill -9 $nats
wait $nats 2>/dev/null
broker
away=$((control * 3 > 30 ? control * 3 : 30))
n=0
while [ $n -lt $away ]; do
	show_consent "$v" >"$work/show3.txt"
	grep -q "jetstream: not connected" "$work/show3.txt" ||
		{ grep "jetstream:" "$work/show3.txt"; fail "reconnected while the credentials file was away: libnats kept it"; }
	sleep 0.5
	n=$((n + 5))
done
mv "$work/user.creds.away" "$work/user.creds"
back=$(reconnected) || fail "no reconnection within 15 s of the credentials file coming back"
s10() { echo "$(($1 / 10)).$(($1 % 10)) s"; }
echo "broker restarted: reconnected within $(s10 "$control") with the credentials file; without it, not in $(s10 $away); back: reconnected within $(s10 "$back")"
# a broker refusing the user for a while (another operator's configuration on the same port, as a
# restarted server that does not have the account yet): libnats 3.4 gives the connection up for
# good after two refusals; sluiced must connect again by itself once the right broker is back
python3 "$T" make "$work/other" "$port" "$work/store-other" || fail "nats_creds.py make (other operator)"
kill -9 $nats
wait $nats 2>/dev/null
"$NS" -c "$work/other/nats.conf" >"$work/nats-other.log" 2>&1 &
nats=$!
pids="$pids $nats"
wait_listen "$port" "the other operator's nats-server"
n=0
until show_consent "$v" >"$work/show5.txt" && grep -q "[1-9][0-9]* failed connections" "$work/show5.txt"; do
	n=$((n + 1))
	[ $n -le 30 ] || { grep "jetstream:" "$work/show5.txt"; fail "the other operator's broker: no failed connection"; }
	sleep 0.5
done
refusals=$(grep -c "authentication error" "$work/nats-other.log")
kill -9 $nats
wait $nats 2>/dev/null
broker
back=$(reconnected) || { grep "jetstream:" "$work/show4.txt"; fail "no reconnection within 15 s of the right broker coming back"; }
echo "a broker refusing the user ($refusals refusals): reconnected within $(s10 "$back") of the right one coming back"
# logged: the refusal, then the connection again
n=0
until grep -q "consent: recipient acme: jetstream: connected again" "$work/gw2.err"; do
	n=$((n + 1))
	[ $n -le 50 ] || fail "the reconnection after the refusals is not logged"
	sleep 0.1
done
grep -q "consent: recipient acme: jetstream: connect.*Authentication Violation" "$work/gw2.err" ||
	fail "the refusals by the other operator's broker are not logged"
grep "consent: recipient acme: jetstream:" "$work/gw2.err"
stop_within 30 TERM $gw || fail "fixed credentials: sluiced did not stop cleanly"
total=$(cat "$work"/acme/*.jsonl | wc -l)
[ "$total" -gt "$first" ] || fail "the second run exported nothing ($total records, $first from the first)"
JS_CREDS="$work/nats/reader.creds" check_stream 0 0
echo "consent_jetstream_creds: ok ($first records of the refused run published after the fix, $((total - first)) of the second)"
