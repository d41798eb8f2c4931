#!/bin/sh
# Make a throw-away PKI of issuing authorities for the warrant tests, into
# DIR (created). Every signer certificate is a leaf with the usages an
# authority's warrant-signing certificate has (digitalSignature and
# nonRepudiation, S/MIME signing), unless its name says otherwise:
#   bka-ca.crt              authority "bka" (DE): its trust anchor
#   bka-signer.crt/.key     signs bka's warrants
#   bka-expired.crt/.key    valid only in 2020
#   bka-noku.crt/.key       key usage keyEncipherment only: may not sign
#   bka-revoked.crt/.key    listed in bka.crl
#   bka.crl                 bka's CRLs (PEM: the anchor's, listing bka-revoked, and the intermediate's)
#   bka-int-ca.crt          an intermediate of bka's; bka-int-signer.crt/.key under it,
#                           bka-int-chain.pem = intermediate (for -certfile when signing)
#   ncsc-ca.crt             a second authority, "ncsc" (NL); ncsc-signer.crt/.key
#   rogue-ca.crt            nobody's anchor; rogue-signer.crt/.key under it
# Keys are EC P-256, made fresh on every run and never committed.
# Usage: make_warrant_pki.sh DIR
set -eu
dir=${1:?usage: make_warrant_pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

mkca() { # name subject
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "$2" -days 60 -out "$1.crt" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
	mkdir -p "$1.db"
	: > "$1.db/index.txt"
	echo 1000 > "$1.db/serial"
	cat > "$1.db/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $1.db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
default_crl_days = 30
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
CNF
}

leaf() { # name ca subject keyusage [startdate enddate]
	key "$1.key"
	openssl req -new -key "$1.key" -subj "$3" -out "$1.csr" \
		-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,$4" \
		-addext "extendedKeyUsage=emailProtection"
	if [ $# -ge 6 ]; then
		dates="-startdate $5 -enddate $6"
	else
		dates="-days 30"
	fi
	# shellcheck disable=SC2086
	openssl ca -batch -notext -config "$2.db/ca.cnf" -cert "$2.crt" -keyfile "$2.key" $dates \
		-in "$1.csr" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr"
}

sign_ok="digitalSignature,nonRepudiation"
mkca bka-ca "/C=DE/O=Test Authority BKA/CN=BKA warrant CA"
leaf bka-signer bka-ca "/C=DE/O=Test Authority BKA/CN=BKA warrant signer" "$sign_ok"
leaf bka-expired bka-ca "/C=DE/O=Test Authority BKA/CN=BKA expired signer" "$sign_ok" 20200101000000Z 20200201000000Z
leaf bka-noku bka-ca "/C=DE/O=Test Authority BKA/CN=BKA encryption only" "keyEncipherment"
leaf bka-revoked bka-ca "/C=DE/O=Test Authority BKA/CN=BKA revoked signer" "$sign_ok"
openssl ca -batch -config bka-ca.db/ca.cnf -cert bka-ca.crt -keyfile bka-ca.key -revoke bka-revoked.crt 2>/dev/null
openssl ca -batch -config bka-ca.db/ca.cnf -cert bka-ca.crt -keyfile bka-ca.key -gencrl -out bka.crl 2>/dev/null

# an intermediate CA under bka's anchor, as authorities with a hierarchy have
key bka-int-ca.key
openssl req -new -key bka-int-ca.key -subj "/C=DE/O=Test Authority BKA/CN=BKA issuing CA" -out bka-int-ca.csr \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl ca -batch -notext -config bka-ca.db/ca.cnf -cert bka-ca.crt -keyfile bka-ca.key -days 30 \
	-in bka-int-ca.csr -out bka-int-ca.crt 2>/dev/null
mkdir -p bka-int-ca.db
: > bka-int-ca.db/index.txt
echo 2000 > bka-int-ca.db/serial
sed 's/bka-ca\.db/bka-int-ca.db/' bka-ca.db/ca.cnf > bka-int-ca.db/ca.cnf
leaf bka-int-signer bka-int-ca "/C=DE/O=Test Authority BKA/CN=BKA signer under the issuing CA" "$sign_ok"
cp bka-int-ca.crt bka-int-chain.pem
# one CRL file holds the CRLs of every CA of the authority (checked for the whole chain)
openssl ca -batch -config bka-int-ca.db/ca.cnf -cert bka-int-ca.crt -keyfile bka-int-ca.key -gencrl \
	-out bka-int.crl 2>/dev/null
cat bka-int.crl >> bka.crl
rm -f bka-int.crl

mkca ncsc-ca "/C=NL/O=Test Authority NCSC/CN=NCSC warrant CA"
leaf ncsc-signer ncsc-ca "/C=NL/O=Test Authority NCSC/CN=NCSC warrant signer" "$sign_ok"
mkca rogue-ca "/C=DE/O=Nobody/CN=Rogue CA"
leaf rogue-signer rogue-ca "/C=DE/O=Test Authority BKA/CN=BKA warrant signer" "$sign_ok"
rm -f ./*.csr
