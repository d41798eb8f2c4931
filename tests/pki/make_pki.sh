#!/bin/sh
# Make a throw-away test PKI for the delivery tests, into DIR (created):
#   ca.crt                  the CA both sides trust
#   lemf.crt/.key           receiver: DNS lemf.test, localhost, IP 127.0.0.1 (serverAuth)
#   gw.crt/.key             gateway client certificate (clientAuth)
#   expired.crt/.key        receiver names as lemf.crt, valid only in 2020
#   wronghost.crt/.key      receiver for DNS other.test / IP 127.0.0.2 only
#   rogue-ca.crt            another CA, and rogue.crt/.key: receiver names, signed by it
# Keys are EC P-256, made fresh on every run and never committed.
# Usage: make_pki.sh DIR
set -eu
dir=${1:?usage: make_pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

mkca() { # name subject
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "$2" -days 30 -out "$1.crt" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

# A minimal `openssl ca` set-up, for certificates with explicit validity dates.
cat > ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
CNF
: > index.txt
echo 1000 > serial

leaf() { # name ca subject san eku [startdate enddate]
	key "$1.key"
	openssl req -new -key "$1.key" -subj "$3" -out "$1.csr" \
		-addext "subjectAltName=$4" -addext "extendedKeyUsage=$5" \
		-addext "basicConstraints=critical,CA:FALSE"
	if [ $# -ge 7 ]; then
		dates="-startdate $6 -enddate $7"
	else
		dates="-days 30"
	fi
	# shellcheck disable=SC2086
	openssl ca -batch -notext -config ca.cnf -cert "$2.crt" -keyfile "$2.key" $dates \
		-in "$1.csr" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr"
}

mkca ca "/CN=sluice test CA"
mkca rogue-ca "/CN=sluice rogue CA"
lemf_san="DNS:lemf.test,DNS:localhost,IP:127.0.0.1"
leaf lemf ca "/CN=lemf.test" "$lemf_san" serverAuth
leaf gw ca "/CN=gateway.test" "DNS:gateway.test" clientAuth
leaf expired ca "/CN=lemf.test" "$lemf_san" serverAuth 20200101000000Z 20200201000000Z
leaf wronghost ca "/CN=other.test" "DNS:other.test,IP:127.0.0.2" serverAuth
leaf rogue rogue-ca "/CN=lemf.test" "$lemf_san" serverAuth
rm -f ./*.pem index.txt* serial* ca.cnf
