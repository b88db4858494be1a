#!/bin/sh
# Makes the test PKI of the real OpenVPN tests in folder $1: a CA and a server certificate
# (P-256 keys). Run at test time, since the server must find them valid now; needs only
# `openssl` (Debian package openssl). Nothing here is used outside tests.
set -eu
out="$1"
mkdir -p "$out"
cd "$out"
subj_ca="/CN=Lavoro Agile test VPN CA"
subj_srv="/CN=vpn-server.test"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "$subj_ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt
openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj "$subj_srv" -out server.csr
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyAgreement" \
  "extendedKeyUsage=serverAuth" > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 2 \
  -extfile server.ext -out server.crt 2>/dev/null
chmod 600 ca.key server.key
