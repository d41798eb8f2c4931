#!/bin/sh
# The consent HTTPS API against a running sluiced, with curl over TLS
# (docs/consent.md, "HTTPS API"):
#   - grant (201) -> list shows it given -> withdraw (200) -> list shows it
#     withdrawn; a second grant of the same subject, recipient and purpose
#     updates the record (200, same id);
#   - 401 without a token or with a wrong one; 403 for a partner's grant
#     and report; a partner's list holds only its recipient's records;
#   - 400 naming the field (unknown field, wrong type, bad code, malformed
#     JSON, bad subject in the path), 413 for an oversize body, 404 (no
#     endpoint, unknown id), 405 with Allow, 409 withdrawing twice;
#   - a grant by `sluice consent` on the same database while the daemon
#     serves it is listed at once and withdrawn through the API;
#   - nothing half-applied: the database after the failed requests holds
#     exactly what the successful ones wrote;
#   - the report (API) equals `sluice consent report --format json` byte
#     for byte after a ledger credit;
#   - --check-config and the start refuse an API without the audit log;
#   - the consent_api counters (/metrics) count the answers by outcome;
#     `show consent-api` names the callers and roles, never a hash;
#   - the audit log verifies and holds one consent.change per change, actor
#     api with the token's name, and no subject identity in clear; reads and
#     refused calls are api.access records.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init capi
FAIL_TAIL=20
command -v curl >/dev/null || { echo "SKIP: curl is not installed (scripts/deps.sh test)"; exit 77; }

# --- keys, certificate, tokens --------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/api.key" -out "$work/api.crt" \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 >/dev/null 2>&1 || fail "openssl req"
chmod 600 "$work/api.key"
"$B/src/sluice" audit keygen --name sluice.test/capi --out "$work/audit" --pseudonym-key "$work/p.key" >/dev/null ||
	fail "audit keygen"
h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
cat >"$work/tokens" <<TOK
# consent API tokens: NAME ROLE sha256:HEX
selfcare-app selfcare sha256:$(h app-token-1)
acme-portal partner:acme sha256:$(h acme-token-1)
ops admin sha256:$(h ops-token-1)
TOK
"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 1 --rtp-seconds 1 --messages 0 --seed 3 >/dev/null ||
	fail "gencap"
v=$(freeport) a=$(freeport) m=$(freeport)
db=$work/consent.db
cat >"$work/sluice.cfg" <<CFG
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 no login
capture
 source file $work/g.pcap
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/capi
consent-api
 https-listen 127.0.0.1 $a
 tls certificate $work/api.crt
 tls key $work/api.key
 tokens $work/tokens
 database $db
 audit-pseudonym-key $work/p.key
metrics
 http-listen 127.0.0.1 $m
CFG
# a key others can read stops the start, naming the file
cp "$work/sluice.cfg" "$work/openkey.cfg"
chmod 644 "$work/api.key"
timeout 60 "$B/src/sluiced" -c "$work/openkey.cfg" >"$work/openkey.out" 2>&1 && fail "sluiced started with a key others can read"
grep -q "tls key $work/api.key: mode 0644" "$work/openkey.out" || fail "open key: $(cat "$work/openkey.out")"
chmod 600 "$work/api.key"

# --check-config: the API needs the audit log and its files
sed '/^audit$/,/^ origin/d' "$work/sluice.cfg" >"$work/noaudit.cfg"
"$B/src/sluiced" -c "$work/noaudit.cfg" --check-config >"$work/check.out" 2>&1 && fail "--check-config accepted an API without audit"
grep -q "consent-api: every call is audited" "$work/check.out" || fail "--check-config: $(cat "$work/check.out")"
timeout 60 "$B/src/sluiced" -c "$work/noaudit.cfg" >"$work/noaudit.out" 2>&1 && fail "sluiced started an API without audit"
grep -q "consent-api: every call is audited" "$work/noaudit.out" || fail "start without audit: $(cat "$work/noaudit.out")"
"$B/src/sluiced" -c "$work/sluice.cfg" --check-config >"$work/check.out" 2>&1 || fail "--check-config: $(cat "$work/check.out")"

"$B/src/sluiced" -c "$work/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"

U=https://127.0.0.1:$a
# call METHOD PATH TOKEN [BODY]: prints the status; the body is in $work/body
call() {
	_m=$1 _p=$2 _t=$3
	shift 3
	set -- -sS --max-time 20 --cacert "$work/api.crt" -o "$work/body" -w '%{http_code}' -X "$_m" \
		-D "$work/headers" "$@"
	[ -n "$_t" ] && set -- "$@" -H "Authorization: Bearer $_t"
	curl "$@" "$U$_p" 2>>"$work/curl.err" || echo "curl-failed"
}
# expect STATUS METHOD PATH TOKEN [curl args...]
expect() {
	_want=$1
	shift
	_got=$(call "$@")
	[ "$_got" = "$_want" ] || fail "$1 $2: status $_got, expected $_want: $(cat "$work/body" 2>/dev/null)"
}
field_is() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("field")==sys.argv[2] else 1)' \
	"$work/body" "$1" || fail "error body does not name field '$1': $(cat "$work/body")"; }

# wait until the API answers (condition-based, generous)
i=0
until [ "$(call GET /v1/subjects/msisdn:+4917012345678/consents "")" = 401 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the API did not answer within 60 s"
	kill -0 "$gw" 2>/dev/null || fail "sluiced exited"
	sleep 0.2
done

S=msisdn:+4917012345678
until=$(( ($(date +%s) + 86400 * 30) * 1000000 ))
from=$(( ($(date +%s) - 60) * 1000000 ))
grant_body() { # grant_body RECIPIENT PURPOSE [EXTRA]
	printf '{"subject":{"type":"msisdn","value":"+4917012345678"},"controller":"op-de","recipient":"%s","purpose":"%s","categories":["call-metadata","location"],"legal_basis":"dpv:Consent","valid_from":%s,"valid_until":%s,"collection_method":"app","notice_version":"v3","notice_language":"en"%s}' \
		"$1" "$2" "$from" "$until" "${3:-}"
}

# --- authentication and roles ------------------------------------------------------
expect 401 GET /v1/subjects/$S/consents ""
grep -qi '^WWW-Authenticate: Bearer' "$work/headers" || fail "401 without WWW-Authenticate"
expect 401 GET /v1/subjects/$S/consents wrong-token
python3 -c 'print("{\"x\":\"" + "a" * 100000 + "\"}")' >"$work/huge.json"
expect 401 POST /v1/consents wrong-token --data-binary "@$work/huge.json"
expect 403 POST /v1/consents acme-token-1 -H 'Content-Type: application/json' --data "$(grant_body acme dpv:Marketing)"
expect 403 GET /v1/subjects/$S/report acme-token-1

# --- bad requests, each naming the field; nothing stored ----------------------------
expect 400 POST /v1/consents app-token-1 --data "$(grant_body acme dpv:Marketing ',"colour":"blue"')"
field_is colour
expect 400 POST /v1/consents app-token-1 --data "$(grant_body acme dpv:Telepathy)"
field_is purpose
expect 400 POST /v1/consents app-token-1 --data "$(grant_body acme dpv:Marketing | sed 's/"valid_until":[0-9]*/"valid_until":"soon"/')"
field_is valid_until
expect 400 POST /v1/consents app-token-1 --data "$(grant_body acme dpv:Marketing ',"history":[]')"
field_is history
expect 400 POST /v1/consents app-token-1 --data '{"subject":'
grep -q 'malformed JSON' "$work/body" || fail "malformed JSON not said: $(cat "$work/body")"
python3 -c 'print("{\"x\":\"" + "a" * 40000 + "\"}")' >"$work/big.json"
expect 413 POST /v1/consents app-token-1 --data-binary "@$work/big.json"
expect 400 GET /v1/subjects/msisdn:12/consents app-token-1
field_is subject
expect 404 GET /v1/nothing app-token-1
expect 405 GET /v1/consents app-token-1
grep -qi '^Allow: POST' "$work/headers" || fail "405 without Allow"
expect 404 POST /v1/consents/c-nosuch/withdraw app-token-1
field_is id
[ ! -s "$db" ] || [ "$("$B/src/sluice" consent export --db "$db" | wc -l)" -eq 0 ] ||
	fail "a refused request stored something"

# --- grant, list, withdraw, list ---------------------------------------------------------
expect 201 POST /v1/consents app-token-1 -H 'Content-Type: application/json' --data "$(grant_body acme dpv:Marketing)"
id=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="dpv:ConsentGiven"; print(d["id"])' "$work/body") ||
	fail "grant answer: $(cat "$work/body")"
expect 201 POST /v1/consents ops-token-1 --data "$(grant_body beta dpv:CommercialResearch ',"id":"c-beta"')"
expect 200 POST /v1/consents app-token-1 --data "$(grant_body acme dpv:Marketing)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["id"]==sys.argv[2], d' "$work/body" "$id" ||
	fail "a second grant did not keep the id"
expect 200 GET /v1/subjects/$S/consents app-token-1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s={c["id"]:c["status"] for c in d["consents"]}; assert s=={sys.argv[2]:"dpv:ConsentGiven","c-beta":"dpv:ConsentGiven"}, s' \
	"$work/body" "$id" || fail "list after grant: $(cat "$work/body")"
expect 200 GET /v1/subjects/$S/consents acme-token-1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [c["recipient"] for c in d["consents"]]==["acme"], d' \
	"$work/body" || fail "a partner sees another recipient's records: $(cat "$work/body")"
expect 400 POST /v1/consents/$id/withdraw app-token-1 --data '{"at":1}'
field_is at
expect 200 POST /v1/consents/$id/withdraw app-token-1
expect 409 POST /v1/consents/$id/withdraw app-token-1
expect 200 GET /v1/subjects/$S/consents app-token-1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s={c["id"]:c["status"] for c in d["consents"]}; assert s[sys.argv[2]]=="dpv:ConsentWithdrawn" and s["c-beta"]=="dpv:ConsentGiven", s' \
	"$work/body" "$id" || fail "list after withdraw: $(cat "$work/body")"

# the same database written by `sluice consent` while the daemon serves it (WAL): seen at once
"$B/src/sluice" consent grant --db "$db" --subject "$S" --recipient gamma --purpose dpv:AcademicResearch \
	--categories location --until 2099-01-01 --notice-version v1 --id c-cli >/dev/null || fail "sluice consent grant"
expect 200 GET /v1/subjects/$S/consents ops-token-1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "c-cli" in [c["id"] for c in d["consents"]], d' \
	"$work/body" || fail "a grant by sluice consent is not listed: $(cat "$work/body")"
expect 200 POST /v1/consents/c-cli/withdraw ops-token-1 --data '{}'

# --- nothing half-applied: the database holds exactly the successful changes ------------
"$B/src/sluice" consent export --db "$db" >"$work/export.jsonl" || fail "export"
python3 - "$work/export.jsonl" "$id" <<'PY' || fail "database after the run"
import json, sys
recs = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
assert set(recs) == {sys.argv[2], "c-beta", "c-cli"}, recs.keys()
assert [e["status"] for e in recs["c-cli"]["history"]] == ["dpv:ConsentGiven", "dpv:ConsentWithdrawn"]
h = [e["status"] for e in recs[sys.argv[2]]["history"]]
assert h == ["dpv:ConsentGiven", "dpv:ConsentGiven", "dpv:ConsentWithdrawn"], h
assert [e["status"] for e in recs["c-beta"]["history"]] == ["dpv:ConsentGiven"]
PY

# --- the report: API and CLI agree ----------------------------------------------------------
expect 200 GET /v1/subjects/$S/report ops-token-1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["shared"]==[] and len(d["consents"])==3, d' "$work/body" ||
	fail "report before any export: $(cat "$work/body")"
# an export's credit, as sl_consent_ledger_credit writes it (the table exists since the first report)
python3 - "$db" "$id" <<'PY' || fail "ledger rows"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("INSERT INTO ledger(subject_type,subject,recipient,consent_id,records,amount_micro,time) VALUES('msisdn','+4917012345678','acme',?,12,3400,1767225600000000)", (sys.argv[2],))
db.commit()
PY
expect 200 GET /v1/subjects/$S/report app-token-1
"$B/src/sluice" consent report --db "$db" --subject "$S" --format json >"$work/report.cli" || fail "sluice consent report"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a==b, (a,b); assert a["totals"]["amount_micro"]==3400' \
	"$work/body" "$work/report.cli" || fail "the API's report differs from the CLI's"
printf '\n' >>"$work/body"
cmp -s "$work/body" "$work/report.cli" || fail "the API's report and the CLI's differ in bytes"
"$B/src/sluice" consent report --db "$db" --subject "$S" >"$work/report.txt" || fail "report text"
grep -q "12 records  earned 0.003400" "$work/report.txt" || fail "report text: $(cat "$work/report.txt")"

# --- the counters (/metrics): answers by outcome, changes committed -------------------------
curl -sS --max-time 20 "http://127.0.0.1:$m/metrics" >"$work/metrics" || fail "GET /metrics"
python3 - "$work/metrics" <<'PY' || fail "consent_api counters: $(grep consent_api "$work/metrics")"
import re, sys
v = {}
for line in open(sys.argv[1]):
    m = re.match(r'sluice_consent_api_(\w+)_total(?:\{[^}]*\})? (\S+)$', line.strip())
    if m:
        v[m.group(1)] = float(m.group(2))
assert v.get("answers_forbidden") == 2, v
assert v.get("changes_committed") == 5, v
assert v.get("answers_conflict") == 1 and v.get("answers_too_large") == 1, v
assert v.get("answers_unauthorized", 0) >= 2, v
PY

# --- show consent-api: callers by name and role, never a hash ------------------------------
python3 - "$v" >"$work/show.txt" <<'PY' || fail "show consent-api: $(cat "$work/show.txt")"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
def until_prompt():
    buf, t = b"", time.time()
    while time.time() - t < 20:
        buf += s.recv(65536)
        if buf.rstrip().endswith(b"sluiced>"):
            return buf.decode(errors="replace")
    sys.exit("no prompt")
until_prompt()
s.sendall(b"show consent-api\r\n")
out = until_prompt()
print(out)
assert "acme-portal" in out and "partner:acme" in out and "selfcare-app" in out and "3 token(s)" in out
assert "sha256" not in out
PY

# --- stop, then the audit log ----------------------------------------------------------------
stop_within 30 TERM "$gw"
rc=$?
pids=""
[ $rc -eq 0 ] || fail "sluiced exited $rc on SIGTERM"
"$B/src/sluice" audit verify "$work/audit-log" --key "$work/audit.vkey" >"$work/verify.txt" 2>&1 ||
	{ cat "$work/verify.txt"; fail "sluice audit verify"; }
"$B/src/sluice" audit show "$work/audit-log" --format json >"$work/audit.json" || fail "audit show"
grep -q '+4917012345678\|4917012345678' "$work/audit.json" && fail "a subject identity is in clear in the audit log"
python3 - "$work/audit.json" "$id" <<'PY' || fail "audit records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ch = [r for r in recs if r["kind"] == "consent.change"]
got = [(r["actor"]["type"], r["actor"]["id"], r["fields"]["consent_id"], r["fields"]["state"]) for r in ch]
want = [("api", "selfcare-app", sys.argv[2], "granted"), ("api", "ops", "c-beta", "granted"),
        ("api", "selfcare-app", sys.argv[2], "granted"), ("api", "selfcare-app", sys.argv[2], "withdrawn"),
        ("api", "ops", "c-cli", "withdrawn")]
assert got == want, got
assert all(r["fields"]["subject"].startswith("hmac-sha256:") for r in ch)
acc = [(r["actor"]["id"], r["fields"]["operation"], r["fields"]["http_status"]) for r in recs if r["kind"] == "api.access"]
assert ("acme-portal", "grant", 403) in acc and ("acme-portal", "report", 403) in acc, acc
assert ("selfcare-app", "list", 200) in acc and ("selfcare-app", "report", 200) in acc, acc
assert ("selfcare-app", "withdraw", 409) in acc, acc
print("audit: %d consent.change, %d api.access" % (len(ch), len(acc)))
PY
echo "consent_api.sh: PASS"
