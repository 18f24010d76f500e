#!/bin/sh
# Regenerates the OCSP fixtures that src/pki/ocsp.rs's tests read, with
# OpenSSL's own `ocsp` responder, so keyway's parser is tested on responses it
# did not make. The tests check them at 2030-01-01T00:00:00Z: regenerate
# before that date only if you also move that time.
#
#   ca.pem            "OCSP Test CA" (P-256), valid 100 years
#   leaf.pem          ocsp.test, serial 0x1001, must-staple (TLS feature
#                     status_request), issued by the CA
#   revoked-leaf.pem  revoked.ocsp.test, serial 0x1002, revoked (keyCompromise)
#   other-ca.pem      "Other CA", unrelated to the leaves
#   responder.pem     "OCSP Test Responder": id-kp-OCSPSigning, issued by the CA
#   rogue.pem         "Rogue Responder": issued by the CA, without id-kp-OCSPSigning
#   stranger.pem      stranger.ocsp.test, serial 0x1003, which the responder does not know
#
#   good.der            leaf: good, signed by the CA, SHA-1 CertID, nonce
#   good-sha256.der     leaf: good, signed by the CA, SHA-256 CertID, no nonce
#   good-delegated.der  leaf: good, signed by the responder (certificate included)
#   revoked.der         revoked-leaf: revoked, keyCompromise, signed by the CA
#   unknown.der         a serial the CA never issued: unknown
#   short.der           leaf: good, nextUpdate one day after thisUpdate
#   rogue.der           leaf: good, signed by the rogue responder
#   wrong-issuer.der    leaf: good, signed by the other CA
#   try-later.der       responseStatus tryLater, no body
#
# Run from this directory: sh make-ocsp.sh
set -eu

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ca() { # name subject
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$work/$1.key" -subj "$2" -days 36500 \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}
issue() { # name subject serial extensions
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$work/$1.key" -subj "$2" -out "$work/$1.csr"
    printf '%b' "$4" > "$work/$1.ext"
    openssl x509 -req -in "$work/$1.csr" -CA ca.pem -CAkey "$work/ca.key" -days 36500 \
        -set_serial "$3" -extfile "$work/$1.ext" -out "$1.pem"
}

ca ca "/CN=OCSP Test CA"
ca other-ca "/CN=Other CA"
issue leaf "/CN=ocsp.test" 0x1001 \
    'subjectAltName=DNS:ocsp.test\nbasicConstraints=CA:FALSE\ntlsfeature=status_request\n'
issue revoked-leaf "/CN=revoked.ocsp.test" 0x1002 \
    'subjectAltName=DNS:revoked.ocsp.test\nbasicConstraints=CA:FALSE\n'
issue responder "/CN=OCSP Test Responder" 0x2001 \
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n'
issue rogue "/CN=Rogue Responder" 0x2002 \
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n'
# A certificate the index does not know, for the "unknown" status.
issue stranger "/CN=stranger.ocsp.test" 0x1003 'basicConstraints=CA:FALSE\n'

# The responder's database (OpenSSL's `ca` index format).
{
    printf 'V\t21260101000000Z\t\t1001\tunknown\t/CN=ocsp.test\n'
    printf 'R\t21260101000000Z\t260101000000Z,keyCompromise\t1002\tunknown\t/CN=revoked.ocsp.test\n'
} > "$work/index.txt"

respond() { # out signer-cert signer-key cert [extra...]
    out=$1 signer=$2 key=$3 cert=$4
    shift 4
    # Options such as -sha256 must come before -cert.
    openssl ocsp -index "$work/index.txt" -CA ca.pem -rsigner "$signer" -rkey "$key" "$@" \
        -issuer ca.pem -cert "$cert" -respout "$out"
}
respond good.der ca.pem "$work/ca.key" leaf.pem -ndays 36500
respond good-sha256.der ca.pem "$work/ca.key" leaf.pem -ndays 36500 -sha256 -no_nonce
respond good-delegated.der responder.pem "$work/responder.key" leaf.pem -ndays 36500 -no_nonce
respond revoked.der ca.pem "$work/ca.key" revoked-leaf.pem -ndays 36500 -no_nonce
respond unknown.der ca.pem "$work/ca.key" stranger.pem -ndays 36500 -no_nonce
respond short.der ca.pem "$work/ca.key" leaf.pem -ndays 1 -no_nonce
respond rogue.der rogue.pem "$work/rogue.key" leaf.pem -ndays 36500 -no_nonce
respond wrong-issuer.der other-ca.pem "$work/other-ca.key" leaf.pem -ndays 36500 -no_nonce
# OCSPResponse { responseStatus tryLater (3) }, no responseBytes.
printf '\060\003\012\001\003' > try-later.der
