#!/bin/sh
# Regenerates the certificates the fuzz targets' servers present and their
# client trusts (src/fuzzing). The keys are fixed so that handshakes replay:
#
#   root.pem      "keyway fuzzing root", Ed25519 (its key is thrown away)
#   leaf.pem      example.com, Ed25519 from the 32-byte seed 5e5e..5e that
#                 src/fuzzing builds in code (Ed25519 signatures are
#                 deterministic, so a recorded server flight verifies again)
#   rsa-leaf.pem  example.com, the RSA-2048 key of ../rsa2048.pem (for the
#                 TLS 1.2 RSA key exchange server, feature rsa-kx)
#
# All are valid from when they were made for 100 years; the fuzzing client
# verifies at a fixed time inside that window (2030-01-01).
#
# Changing them changes every server and client seed: rerun the ignored test
# regenerate_seed_corpus afterwards. Run from this directory: sh make-certs.sh
set -eu

# RFC 8410, Section 7: PKCS#8 v1 Ed25519 key = fixed prefix || 32-byte seed.
printf '302e020100300506032b657004220420%s' \
    "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e" |
    xxd -r -p > leaf-key.der
openssl pkey -inform DER -in leaf-key.der -out leaf-key.pem
openssl genpkey -algorithm ED25519 -out root-key.pem

openssl req -x509 -new -key root-key.pem -subj "/CN=keyway fuzzing root" \
    -days 36500 -set_serial 1 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem

for name in leaf rsa-leaf; do
    key=leaf-key.pem usage=digitalSignature
    if [ "$name" = rsa-leaf ]; then
        key=../rsa2048.pem usage=digitalSignature,keyEncipherment
    fi
    printf '%s\n' 'subjectAltName=DNS:example.com' 'basicConstraints=CA:FALSE' \
        "keyUsage=critical,$usage" 'extendedKeyUsage=serverAuth' > "$name.ext"
    openssl req -new -key "$key" -subj "/CN=example.com" -out "$name.csr"
    openssl x509 -req -in "$name.csr" -CA root.pem -CAkey root-key.pem \
        -days 36500 -set_serial 2 -extfile "$name.ext" -out "$name.pem"
    rm "$name.csr" "$name.ext"
done
rm leaf-key.der leaf-key.pem root-key.pem
