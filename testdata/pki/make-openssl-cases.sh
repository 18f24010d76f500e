#!/bin/sh
# Certificates for tests/pki_matrix.rs that rcgen cannot make: X.509 v1
# certificates (a v1 root, which is fine as a trust anchor, and a v1
# intermediate, which must be refused) and a leaf with a 1024-bit RSA key
# (ring refuses to sign with such a key, so rcgen cannot issue one). The keys
# are the ones in ../ (see ../make-keys.sh). Valid for 100 years.
#
#   v1-root.pem          v1, self-signed, RSA-2048, CN=V1 Root
#   v1-root-leaf.pem     v3 P-256 leaf for v1.test, issued by V1 Root
#   v1-inter.pem         v1 P-384 "intermediate" CN=V1 Intermediate, issued by V1 Root
#   v1-inter-leaf.pem    v3 P-256 leaf for v1.test, issued by V1 Intermediate
#   rsa1024-leaf.pem     v3 RSA-1024 leaf for small.test, issued by V1 Root
#   sha1-leaf.pem        v3 P-256 leaf for sha1.test, signed by V1 Root with
#                        sha1WithRSAEncryption
#   rsa1024-inter.pem    v3 RSA-1024 CA CN=Small Intermediate, issued by V1 Root
#   rsa1024-inter-leaf.pem  v3 P-256 leaf for small-issuer.test, signed by the
#                        RSA-1024 intermediate (sha256WithRSAEncryption)
#
# sha1-leaf and the rsa1024-inter chain are only accepted with
# VerifyOptions::legacy_algorithms (a 1024-bit leaf never is).
#
# Run from this directory: sh make-openssl-cases.sh
set -eu
K=..

leaf_ext() { printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$1" > leaf.ext; }

# Without -extfile, `openssl x509 -req` writes a v1 certificate.
openssl req -new -key $K/rsa2048.pem -subj "/CN=V1 Root" -out root.csr
openssl x509 -req -in root.csr -signkey $K/rsa2048.pem -sha256 -days 36500 \
    -set_serial 100 -out v1-root.pem

openssl req -new -key $K/p384.pem -subj "/CN=V1 Intermediate" -out inter.csr
openssl x509 -req -in inter.csr -CA v1-root.pem -CAkey $K/rsa2048.pem -sha256 \
    -days 36500 -set_serial 101 -out v1-inter.pem

leaf_ext v1.test
openssl req -new -key $K/p256.pem -subj "/CN=v1 leaf" -out leaf.csr
openssl x509 -req -in leaf.csr -CA v1-root.pem -CAkey $K/rsa2048.pem -sha256 \
    -days 36500 -set_serial 102 -extfile leaf.ext -out v1-root-leaf.pem
openssl x509 -req -in leaf.csr -CA v1-inter.pem -CAkey $K/p384.pem -sha384 \
    -days 36500 -set_serial 103 -extfile leaf.ext -out v1-inter-leaf.pem

leaf_ext small.test
openssl req -new -key $K/rsa1024.pem -subj "/CN=small leaf" -out small.csr
openssl x509 -req -in small.csr -CA v1-root.pem -CAkey $K/rsa2048.pem -sha256 \
    -days 36500 -set_serial 104 -extfile leaf.ext -out rsa1024-leaf.pem

leaf_ext sha1.test
openssl x509 -req -in leaf.csr -CA v1-root.pem -CAkey $K/rsa2048.pem -sha1 \
    -days 36500 -set_serial 105 -extfile leaf.ext -out sha1-leaf.pem

printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
openssl x509 -req -in small.csr -CA v1-root.pem -CAkey $K/rsa2048.pem -sha256 \
    -days 36500 -set_serial 106 -extfile ca.ext -subj "/CN=Small Intermediate" \
    -out rsa1024-inter.pem
leaf_ext small-issuer.test
openssl x509 -req -in leaf.csr -CA rsa1024-inter.pem -CAkey $K/rsa1024.pem -sha256 \
    -days 36500 -set_serial 107 -extfile leaf.ext -out rsa1024-inter-leaf.pem

rm -f ca.ext root.csr inter.csr leaf.csr small.csr leaf.ext
