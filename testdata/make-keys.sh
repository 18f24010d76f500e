#!/bin/sh
# Regenerates the private keys the tests load. ring cannot generate RSA keys,
# so the RSA key is made here once and kept; the others are kept too so every
# supported on-disk format has a real file made by OpenSSL:
#
#   rsa2048.pem        RSA-2048, PKCS#8   ("PRIVATE KEY")
#   rsa2048.pkcs1.pem  the same key, PKCS#1 ("RSA PRIVATE KEY")
#   rsa1024.pem        RSA-1024, PKCS#8 (must be refused: too small)
#   rsa3072.pem, rsa4096.pem  RSA key exchange at the other sizes the server
#                      decrypts on fixed-size integers
#   rsa2560.pkcs1.der  RSA-2560, PKCS#1 DER: a size that takes the rsa crate's
#                      decryption (ring refuses it as a server key, so only the
#                      decryption's own test loads it, as DER)
#   rsa{2048,3072,4096,2560}.pms.enc  PKCS#1 v1.5 encryptions by OpenSSL, to each
#                      RSA key above, of the 48-byte pre-master secret 03 03
#                      "an OpenSSL-made pre-master secret for keyway!!"
#                      (the server must decrypt what another stack encrypts)
#   p256.sec1.pem      EC P-256, SEC1 / RFC 5915 ("EC PRIVATE KEY")
#   p256.pem           the same key, PKCS#8
#   p256.sec1-nopub.pem the same key, SEC1 without its public key (refused: ring needs it)
#   p384.pem           EC P-384, PKCS#8
#   ed25519.pem        Ed25519, PKCS#8 v1 (RFC 8410)
#   p256.encrypted.pem the P-256 key, PKCS#8 encrypted (must be refused clearly)
#   p384-sha256.sig    ECDSA signature of "keyway" by p384.pem with SHA-256
#   pss-root.pem, pss-leaf.pem  an RSASSA-PSS-signed root and P-256 leaf (pss.test)
#
# Run from this directory: sh make-keys.sh
set -eu

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pem
openssl rsa -in rsa2048.pem -traditional -out rsa2048.pkcs1.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem
for bits in 3072 4096; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out rsa$bits.pem
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2560 |
    openssl rsa -traditional -outform DER -out rsa2560.pkcs1.der
printf '\003\003%s' 'an OpenSSL-made pre-master secret for keyway!!' > pms.bin
for bits in 2048 3072 4096; do
    openssl pkeyutl -encrypt -inkey rsa$bits.pem -pkeyopt rsa_padding_mode:pkcs1 \
        -in pms.bin -out rsa$bits.pms.enc
done
openssl pkeyutl -encrypt -inkey rsa2560.pkcs1.der -keyform DER \
    -pkeyopt rsa_padding_mode:pkcs1 -in pms.bin -out rsa2560.pms.enc
rm pms.bin

openssl ecparam -name prime256v1 -genkey -noout -out p256.sec1.pem
openssl pkcs8 -topk8 -nocrypt -in p256.sec1.pem -out p256.pem
openssl ec -in p256.sec1.pem -no_public -out p256.sec1-nopub.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem

openssl genpkey -algorithm ED25519 -out ed25519.pem

openssl pkcs8 -topk8 -in p256.sec1.pem -passout pass:keyway -out p256.encrypted.pem

# A P-384 key signing with SHA-256: legal in TLS 1.2 (the ECDSA code points
# name only the hash there), refused in TLS 1.3. ring cannot make one.
printf 'keyway' | openssl dgst -sha256 -sign p384.pem -out p384-sha256.sig

# RSASSA-PSS-signed certificates (rcgen with ring cannot make them): a root
# with the RSA key and a P-256 leaf for pss.test, valid for 100 years.
openssl req -x509 -new -key rsa2048.pem -sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 \
    -subj "/CN=PSS Test Root" -days 36500 -set_serial 1 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -out pss-root.pem
openssl req -new -key p256.pem -subj "/CN=pss leaf" -out pss-leaf.csr
printf 'subjectAltName=DNS:pss.test\nbasicConstraints=CA:FALSE\n' > pss-leaf.ext
openssl x509 -req -in pss-leaf.csr -CA pss-root.pem -CAkey rsa2048.pem -sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 \
    -days 36500 -set_serial 2 -extfile pss-leaf.ext -out pss-leaf.pem
rm pss-leaf.csr pss-leaf.ext
