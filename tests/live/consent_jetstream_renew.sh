#!/bin/sh
# JetStream credentials that stop being valid while sluiced is connected
# (docs/exports.md, "Credentials"), then renewed in the file.
#
# nats-server in operator mode (tests/live/nats_creds.py: operator, system
# account, an account with JetStream, MEMORY resolver with the accounts in
# resolver_preload); sluiced replays a generated capture at twice real
# time (records keep coming for about 28 s, batches of 3), publishing as a
# user with sluiced's permissions (nats_creds.py user: a fresh key each
# time, the file replaced by a rename):
# 1. expiry: the user's JWT expires (`exp`) 8 s after the start. sluiced
#    must have had records acknowledged before. After the expiry (not
#    before) the server closes the connection and refuses libnats's
#    reconnections; sluiced must show it (`not connected`, more failed
#    connections, counted in jetstream-connect-failed on the metrics
#    endpoint, "connect: Authentication Violation" as the last error,
#    with "(last connection ended: User Authentication Expired)" when the
#    client got the server's -ERR, never another reason), log it, and not
#    spin (the server's refusals within what the back-offs allow), while
#    the records go on into the outbox and the cursor stays. Then the
#    file gets a fresh user without expiry: sluiced must connect again by
#    itself (within 20 s) and log it.
# 2. revocation: that user, connected and publishing, is revoked: the
#    account's JWT issued again with the user's key in `revocations`
#    (nats_creds.py revoke: into resolver_preload) and the server's
#    configuration reloaded (SIGHUP; nats-server 2.9 applies the preload
#    and closes the revoked user's connection). The same checks, with
#    "User Authentication Revoked"; a new connection with the revoked
#    user's file is refused. Then a fresh user's file: reconnected.
#    With RENEW_RESOLVER=full (consent_jetstream_renew_full.sh) the server
#    has the NATS-based `full` resolver instead, the capture is replayed
#    at 3x, part 1 is left out, and the account's JWT reaches the server
#    as a claims update ($SYS.REQ.ACCOUNT.<account>.CLAIMS.UPDATE, sent
#    by the system account's user: nats_creds.py push; the server must
#    answer "jwt updated").
# At the end every record must be in the stream once, in order, with its
# message id, and accounted once (check_stream: one export.batch record
# and ledger credit per batch, nothing left in js_pending, the audit log
# verifies). Waits poll with bounds in seconds (a show consent takes 0.3 s
# or more). Skips (77) without nats-server, libnats or python3-cryptography.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
. "$top_srcdir/tests/live/jetstream_lib.sh"
# RENEW_RESOLVER=full (consent_jetstream_renew_full.sh): the server's resolver is the NATS-based
# `full` one, and only the revocation is run, the account's JWT pushed as a claims update
RESOLVER=${RENEW_RESOLVER:-memory}
js_live_init "jsrenew-$RESOLVER" creds
T="$top_srcdir/tests/live/nats_creds.py"
EXP_S=8

port=$(freeport)
url="nats://127.0.0.1:$port"
if [ "$RESOLVER" = full ]; then full=--full speed=3; else full="" speed=2; fi
python3 "$T" make "$work/nats" "$port" "$work/store" $full >/dev/null || fail "nats_creds.py make"
"$NS" -c "$work/nats/nats.conf" >>"$work/nats.log" 2>&1 &
nats=$!
pids="$pids $nats"
wait_listen "$port" "nats-server (operator mode)"

js_prepare --calls 60 --rtp-seconds 1 --messages 60 --registrations 2
v=$(freeport)
m=$(freeport)
js_gw_cfg "$work/gw.cfg" "$v" " jetstream url $url
 jetstream credentials $work/user.creds
 jetstream drain-seconds 1" " replay-speed $speed
metrics
 http-listen 127.0.0.1 $m"

# the recipient's jetstream-connect-failed on the metrics endpoint (-1 when missing)
metric_failed() {
python3 - "$m" <<'PY'
import re, sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
m = re.search(r'^sluice_consent_recipient_jetstream_connect_failed_total\{[^}]*\} (\S+)$', t, re.M)
print(int(float(m.group(1))) if m else -1)
PY
}
# the number in "N failed connections" of a show consent output
failed_in() { sed -n 's/.* \([0-9]*\) failed connections.*/\1/p' "$1"; }
# the server's refusals of a user's credentials so far
refusals() { grep -c "authentication error" "$work/nats.log"; }
# the time in tenths of a second (the waits are bounded by time: a show consent takes 0.3 s or more)
now_ds() { echo $(($(date +%s%N) / 100000000)); }
s10() { echo "$(($1 / 10)).$(($1 % 10))"; }
# the cursor file's line (none before the first acknowledgement)
acked() { cat "$work/acme/acme.jetstream" 2>/dev/null || echo none; }
# connected: until show consent says so again (tenths of a second, printed), at most 20 s
connected() {
	_t0=$(now_ds)
	until show_consent "$v" >"$work/show-c.txt" && grep -q "jetstream: connected" "$work/show-c.txt"; do
		[ $(($(now_ds) - _t0)) -le 200 ] || return 1
		sleep 0.1
	done
	echo $(($(now_ds) - _t0))
}
# before SHOWFILE WHAT: show consent (printed, kept in SHOWFILE) must say connected before WHAT; then
# failed0, refused0 and t0 are what disconnected and no_spin count from
before() {
	show_consent "$v" >"$1"
	grep "jetstream:" "$1"
	grep -q "jetstream: connected" "$1" || fail "$2"
	failed0=$(failed_in "$1")
	refused0=$(refusals)
	t0=$(date +%s)
}
# disconnected WHAT REASON: until show consent says "not connected" with a failed connection
# more than before ($failed0) and REASON (grep) in its last error, at most 20 s; then the outbox
# must grow while the cursor stays (records keep coming, none acknowledged), at most 10 s
disconnected() {
	_t0=$(now_ds)
	until show_consent "$v" >"$work/show-d.txt" && grep -q "jetstream: not connected" "$work/show-d.txt" &&
		[ "$(failed_in "$work/show-d.txt")" -gt "$failed0" ] && grep -q "last error: .*$2" "$work/show-d.txt"; do
		[ $(($(now_ds) - _t0)) -le 200 ] ||
			{ grep "jetstream:" "$work/show-d.txt"; fail "$1: not shown as disconnected and refused ($2)"; }
		kill -0 "$gw" 2>/dev/null || fail "$1: sluiced exited"
		sleep 0.1
	done
	_t1=$(now_ds)
	refused_at=$(date +%s)
	grep "jetstream:" "$work/show-d.txt"
	# counted: the metrics endpoint's counter catches up within its once-a-second update
	_f=$(failed_in "$work/show-d.txt")
	until [ "$(metric_failed)" -ge "$_f" ]; do
		[ $(($(now_ds) - _t1)) -le 50 ] || fail "$1: jetstream-connect-failed is $(metric_failed), not $_f"
		sleep 0.1
	done
	_lines=$(js_lines)
	_cur=$(acked)
	until [ "$(js_lines)" -gt "$_lines" ]; do
		[ $(($(now_ds) - _t1)) -le 100 ] || fail "$1: no record exported within 10 s of the disconnection"
		sleep 0.1
	done
	[ "$(acked)" = "$_cur" ] || fail "$1: the cursor moved while disconnected ($_cur, then $(acked))"
	grep -q "all capture files read" "$work/gw.err" && fail "$1: the capture ended before the credentials were renewed"
	echo "$1: shown refused ($_f failed connections, jetstream-connect-failed $(metric_failed)); then the outbox grew to $(js_lines) lines, the cursor stayed at $_cur"
}

# reason WHAT TEXT: how the last connection ended, in the error of show-d.txt: TEXT (the server's
# -ERR) or nothing (the client did not get it: the server's close can reset the connection before
# the text is read), never anything else; printed, and logged when shown
reason() {
	_r=$(tr -d '\r' <"$work/show-d.txt" | sed -n 's/.*(last connection ended: \(.*\))$/\1/p')
	case "$_r" in
	"$2") wait_log "$work/gw.err" "consent: recipient acme: jetstream: connect: .*(last connection ended: $2)" "$1: reason logged";;
	"") ;;
	*) fail "$1: the connection is said to have ended with '$_r', not '$2'";;
	esac
	echo "$1: how the connection ended: ${_r:-not received from the server}"
}
# no_spin WHAT: the server's refusals since $t0 ($refused0 before) within what the back-offs allow
# (libnats's 2 reconnections 250 ms apart before it gives up, then the publisher's 0.1 s doubling to
# 5 s), over 2 s more at least: a client without back-off makes hundreds
no_spin() {
	sleep 2
	_t1=$(date +%s)
	_refused=$(($(refusals) - refused0))
	echo "$1: $_refused refusals by the server in $((_t1 - t0)) s"
	[ "$_refused" -le $((4 + 2 * (_t1 - t0))) ] || fail "$1: $_refused refusals in $((_t1 - t0)) s: no back-off"
}
# renew WHAT N: the credentials file replaced (written beside it and renamed) by a fresh user's,
# without expiry (its key in $work/uN+1.pub): sluiced must connect again by itself, at most 20 s,
# and log it (the Nth "connected again")
renew() {
	python3 "$T" user "$work/nats" "$work/user.creds" >"$work/u$(($2 + 1)).pub" || fail "nats_creds.py user ($1)"
	_back=$(connected) || { grep "jetstream:" "$work/show-c.txt"; fail "$1 renewed: no reconnection within 20 s"; }
	wait_until 100 "$1 renewed: the reconnection is not logged" \
		logged_more "$work/gw.err" "consent: recipient acme: jetstream: connected again" $(($2 - 1))
	echo "$1 renewed in the file: reconnected within $(s10 "$_back") s"
}

# --- 1. the user's JWT expires while sluiced is connected ------------------------------------
if [ "$RESOLVER" = memory ]; then
	# (exp_at: the expiry is this second or the next)
	exp_at=$(($(date +%s) + EXP_S))
	python3 "$T" user "$work/nats" "$work/user.creds" $EXP_S >"$work/u1.pub" || fail "nats_creds.py user (expiring)"
	js_start_gw "$work/gw.cfg" gw
	n=0
	until [ -e "$work/acme/acme.jetstream" ]; do
		n=$((n + 1))
		[ $n -le 100 ] || fail "expiring user: nothing acknowledged within 10 s"
		kill -0 "$gw" 2>/dev/null || fail "expiring user: sluiced exited"
		sleep 0.1
	done
	[ "$(date +%s)" -lt "$exp_at" ] ||
		fail "expiring user: the first acknowledgement came after the JWT's expiry (machine too slow for EXP_S=$EXP_S)"
	before "$work/show0.txt" "expiring user: not connected before the expiry"
	disconnected "expired user" "connect: Authentication Violation"
	reason "expired user" "User Authentication Expired"
	# (the server does not log the expiry itself at its default level: its refusals come after it)
	[ "$refused_at" -ge "$exp_at" ] || fail "expired user: refused before the JWT's expiry"
	echo "expired user: shown refused $((refused_at - exp_at)) to $((refused_at - exp_at + 1)) s after the expiry"
	wait_log "$work/gw.err" "consent: recipient acme: jetstream: connect: Authentication Violation" "expired user: logged"
	no_spin "expired user"
	renew "expired user" 1
	upub="$work/u2.pub" renewals=1
else
	python3 "$T" user "$work/nats" "$work/user.creds" >"$work/u1.pub" || fail "nats_creds.py user"
	js_start_gw "$work/gw.cfg" gw
	upub="$work/u1.pub" renewals=0
fi

# --- 2. the user revoked while connected -------------------------------------------------------
# (the account's JWT issued again with the user's key in its revocations, as of now: with the MEMORY
# resolver, its preload in the configuration file, which nats-server 2.9 reloads on SIGHUP; with the
# full one, pushed as a claims update by the system account's user)
cur=$(acked)
acked_since() { [ "$(acked)" != "$cur" ]; }
wait_until 100 "renewed user: nothing acknowledged within 10 s of the reconnection" acked_since
before "$work/show1.txt" "renewed user: not connected before the revocation"
logged0=$(grep -c "consent: recipient acme: jetstream: connect: Authentication Violation" "$work/gw.err")
cp "$work/user.creds" "$work/revoked.creds"
python3 "$T" revoke "$work/nats" "$(cat "$upub")" || fail "nats_creds.py revoke"
if [ "$RESOLVER" = memory ]; then
	kill -HUP "$nats"
	wait_log "$work/nats.log" "Reloaded server configuration" "the server's configuration reload" "$nats"
else
	python3 "$T" push "$work/nats" "$port" >"$work/push.out" 2>&1 || { cat "$work/push.out"; fail "claims update refused"; }
	grep -q '"message":"jwt updated"' "$work/push.out" || { cat "$work/push.out"; fail "claims update: no 'jwt updated'"; }
fi
disconnected "revoked user" "connect: Authentication Violation"
reason "revoked user" "User Authentication Revoked"
wait_until 100 "revoked user: the refusal is not logged" \
	logged_more "$work/gw.err" "consent: recipient acme: jetstream: connect: Authentication Violation" "$logged0"
# the server refuses the revoked user's file from now on (not for its permissions: for the user)
"$B/tests/live/js_dump" -c "$work/revoked.creds" "$url" - >"$work/revoked.out" 2>"$work/revoked.dump" &&
	fail "the revoked user is accepted by the server"
grep -q "Authorization Violation" "$work/revoked.dump" ||
	{ cat "$work/revoked.dump"; fail "revoked user: not refused for authorization"; }
no_spin "revoked user"
renew "revoked user" $((renewals + 1))

# --- the end: everything published once, accounted once ---------------------------------------
js_wait_read "$work/gw.err" "renewed"
wait_until 300 "renewed: the outbox was not acknowledged and accounted within 30 s" js_settled
show_consent "$v" >"$work/show-end.txt"
grep "jetstream:" "$work/show-end.txt"
stop_within 30 TERM "$gw" || fail "sluiced did not stop cleanly"
grep "consent: recipient acme: jetstream:" "$work/gw.err"
JS_CREDS="$work/nats/reader.creds" check_stream 0 0
echo "consent_jetstream_renew ($RESOLVER resolver): ok"
