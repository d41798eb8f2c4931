#!/bin/sh
# consent_jetstream_renew.sh's revocation against a NATS-based resolver:
# nats-server with the `full` resolver (a directory of account JWTs,
# updated through the system account), the account's JWT with the
# connected user revoked pushed as a claims update on
# $SYS.REQ.ACCOUNT.<account>.CLAIMS.UPDATE by the system account's user
# (nats_creds.py push); the same checks (docs/exports.md, "Credentials").
: "${top_srcdir:?run through make check}"
RENEW_RESOLVER=full
export RENEW_RESOLVER
exec sh "$top_srcdir/tests/live/consent_jetstream_renew.sh"
