//! Signing keys and signature verification.
//!
//! The handshake asks for "a signature with this scheme" ([`SigningKey::sign`])
//! and "does this signature verify under this certificate's key"
//! ([`verify_signature`]); ring stays behind this file.
//!
//! Private keys load from the three encodings people actually have on disk:
//! PKCS#8 (`PRIVATE KEY`, RFC 5208 / RFC 5958), PKCS#1 (`RSA PRIVATE KEY`,
//! RFC 8017, Appendix A.1.2) and SEC1 (`EC PRIVATE KEY`, RFC 5915). Public keys
//! are taken as whole DER `SubjectPublicKeyInfo` structures (RFC 5280, Section
//! 4.1.2.7) rather than bare key bytes, so the key's algorithm and curve are
//! always known and checked against the signature scheme before ring runs.
//!
//! Signing randomness comes from the connection's [`Rng`], asked for exactly the
//! number of bytes ring draws, so tests can replay published traces.
// Peer bytes reach this code (public keys, signatures, the DER reader): no
// unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::fmt;

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use zeroize::Zeroizing;

use super::Rng;
use crate::codec::SignatureScheme;
use crate::error::Error;

/// The kind of a signing or verifying key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA (an `rsaEncryption` key, RFC 8017).
    Rsa,
    /// ECDSA on NIST P-256 (secp256r1).
    EcdsaP256,
    /// ECDSA on NIST P-384 (secp384r1).
    EcdsaP384,
    /// EdDSA on Curve25519 (RFC 8032).
    Ed25519,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::EcdsaP256 => "ECDSA P-256",
            KeyAlgorithm::EcdsaP384 => "ECDSA P-384",
            KeyAlgorithm::Ed25519 => "Ed25519",
        })
    }
}

/// The encoding of a private key, as named by its PEM label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKeyFormat {
    /// `PRIVATE KEY`: PKCS#8 PrivateKeyInfo (RFC 5208), any algorithm.
    Pkcs8,
    /// `RSA PRIVATE KEY`: PKCS#1 RSAPrivateKey (RFC 8017, Appendix A.1.2).
    Pkcs1,
    /// `EC PRIVATE KEY`: SEC1 ECPrivateKey (RFC 5915, Section 3).
    Sec1,
}

impl PrivateKeyFormat {
    /// The format a PEM block label announces, or `None` if the label is not an
    /// unencrypted private key we read.
    pub fn from_pem_label(label: &str) -> Option<Self> {
        match label {
            "PRIVATE KEY" => Some(PrivateKeyFormat::Pkcs8),
            "RSA PRIVATE KEY" => Some(PrivateKeyFormat::Pkcs1),
            "EC PRIVATE KEY" => Some(PrivateKeyFormat::Sec1),
            _ => None,
        }
    }

    /// Guesses the format of a DER private key from its shape: the second
    /// element of the outer SEQUENCE is an AlgorithmIdentifier (PKCS#8), the
    /// modulus INTEGER (PKCS#1), or the private key OCTET STRING (SEC1).
    fn sniff(der: &[u8]) -> Option<Self> {
        let mut outer = Der::new(der);
        let mut body = Der::new(outer.read(tag::SEQUENCE).ok()?);
        body.read(tag::INTEGER).ok()?;
        match body.peek_tag()? {
            tag::SEQUENCE => Some(PrivateKeyFormat::Pkcs8),
            tag::INTEGER => Some(PrivateKeyFormat::Pkcs1),
            tag::OCTET_STRING => Some(PrivateKeyFormat::Sec1),
            _ => None,
        }
    }
}

/// A private key that can sign handshake messages.
///
/// The ring key pair is kept private so that ring never appears in keyway's
/// public API. ring does not wipe its copy of the private key when this is
/// dropped (see the crate docs, "Secrets in memory").
pub struct SigningKey {
    inner: Inner,
    /// The PKCS#1 RSAPrivateKey DER of an RSA key, kept (and wiped on drop)
    /// for the TLS 1.2 RSA key exchange, which needs decryption ring lacks.
    rsa_pkcs1: Option<zeroize::Zeroizing<Vec<u8>>>,
    /// That key in the form the RSA key exchange decrypts with, made on
    /// first use and kept with the key, so that a server with several
    /// certificates parses each RSA key once, not once per handshake.
    #[cfg(feature = "rsa-kx")]
    rsa_decryption: std::sync::OnceLock<Result<crate::handshake::rsa_kx::RsaDecryptionKey, String>>,
}

enum Inner {
    Rsa(RsaKeyPair),
    EcdsaP256(EcdsaKeyPair),
    EcdsaP384(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// RFC 8446, Section 4.4.3: RSA signatures in TLS 1.3 MUST use RSASSA-PSS.
const RSA_TLS13: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
];

/// TLS 1.2 (RFC 5246, Section 7.4.1.4.1, and RFC 8446, Section 4.2.3 for the
/// PSS code points) also allows PKCS#1 v1.5; PSS stays preferred.
const RSA_TLS12: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

const P256: &[SignatureScheme] = &[SignatureScheme::ECDSA_SECP256R1_SHA256];
const P384: &[SignatureScheme] = &[SignatureScheme::ECDSA_SECP384R1_SHA384];
const ED25519: &[SignatureScheme] = &[SignatureScheme::ED25519];

impl SigningKey {
    /// Parses a DER private key in any of the formats we accept (PKCS#8,
    /// PKCS#1 RSA, SEC1 EC), telling them apart by their structure.
    pub fn from_der(der: &[u8]) -> Result<SigningKey, String> {
        match PrivateKeyFormat::sniff(der) {
            Some(format) => Self::from_der_in(format, der),
            None => Err("not a DER private key (PKCS#8, PKCS#1 or SEC1)".into()),
        }
    }

    /// Parses the contents of a PEM block whose label is `label`.
    ///
    /// The error names what to do about the labels people meet in practice:
    /// encrypted keys, OpenSSH keys, certificates and public keys.
    pub fn from_pem_block(label: &str, der: &[u8]) -> Result<SigningKey, String> {
        match PrivateKeyFormat::from_pem_label(label) {
            Some(format) => Self::from_der_in(format, der),
            None => Err(match label {
                "ENCRYPTED PRIVATE KEY" => "ENCRYPTED PRIVATE KEY is not supported: decrypt it \
                                            first with `openssl pkey -in KEY -out KEY.plain`"
                    .into(),
                "OPENSSH PRIVATE KEY" => "OpenSSH private keys are not supported: convert with \
                                          `ssh-keygen -p -m PKCS8 -f KEY`"
                    .into(),
                other if other.ends_with("PRIVATE KEY") => format!(
                    "{other} blocks are not supported (use RSA, ECDSA P-256/P-384 or Ed25519 keys)"
                ),
                other => format!("a {other} block is not a private key"),
            }),
        }
    }

    /// Parses `der` as the given format.
    pub fn from_der_in(format: PrivateKeyFormat, der: &[u8]) -> Result<SigningKey, String> {
        match format {
            PrivateKeyFormat::Pkcs8 => from_pkcs8(der),
            PrivateKeyFormat::Pkcs1 => from_pkcs1(der),
            PrivateKeyFormat::Sec1 => {
                let body = Der::new(der)
                    .read_all(tag::SEQUENCE)
                    .map_err(|()| "not valid SEC1 ECPrivateKey DER".to_string())?;
                from_sec1(body, None)
            }
        }
    }

    /// The PKCS#1 RSAPrivateKey DER of an RSA key (for the TLS 1.2 RSA key
    /// exchange); `None` for other keys.
    #[cfg_attr(not(feature = "rsa-kx"), allow(dead_code))]
    pub(crate) fn rsa_pkcs1_der(&self) -> Option<&[u8]> {
        self.rsa_pkcs1.as_deref().map(Vec::as_slice)
    }

    /// The key as the TLS 1.2 RSA key exchange decrypts with it (made on
    /// first use, then kept); an error for a key that is not RSA, or that the
    /// rsa crate cannot use.
    #[cfg(feature = "rsa-kx")]
    pub(crate) fn rsa_decryption_key(
        &self,
    ) -> Result<&crate::handshake::rsa_kx::RsaDecryptionKey, Error> {
        let der = self.rsa_pkcs1_der().ok_or(Error::Internal(
            "RSA key exchange with a key that is not RSA",
        ))?;
        self.rsa_decryption
            .get_or_init(|| {
                crate::handshake::rsa_kx::RsaDecryptionKey::from_pkcs1_der(der)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|why| Error::Config(why.clone()))
    }

    /// Without the `rsa-kx` feature the RSA key exchange is never chosen.
    #[cfg(not(feature = "rsa-kx"))]
    pub(crate) fn rsa_decryption_key(
        &self,
    ) -> Result<&crate::handshake::rsa_kx::RsaDecryptionKey, Error> {
        Err(Error::Internal("RSA key exchange needs the rsa-kx feature"))
    }

    /// The kind of key.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            Inner::Rsa(_) => KeyAlgorithm::Rsa,
            Inner::EcdsaP256(_) => KeyAlgorithm::EcdsaP256,
            Inner::EcdsaP384(_) => KeyAlgorithm::EcdsaP384,
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
        }
    }

    /// The public key as it appears in a certificate's subjectPublicKey BIT
    /// STRING: an RSAPublicKey DER, an uncompressed EC point, or 32 Ed25519 bytes.
    pub fn public_key(&self) -> &[u8] {
        match &self.inner {
            Inner::Rsa(k) => k.public_key().as_ref(),
            Inner::EcdsaP256(k) | Inner::EcdsaP384(k) => k.public_key().as_ref(),
            Inner::Ed25519(k) => k.public_key().as_ref(),
        }
    }

    /// The TLS 1.3 signature schemes this key can produce, most preferred first.
    pub fn schemes(&self) -> &'static [SignatureScheme] {
        match self.inner {
            Inner::Rsa(_) => RSA_TLS13,
            Inner::EcdsaP256(_) => P256,
            Inner::EcdsaP384(_) => P384,
            Inner::Ed25519(_) => ED25519,
        }
    }

    /// The TLS 1.2 signature schemes this key can produce, most preferred
    /// first: for RSA the TLS 1.3 list followed by the `rsa_pkcs1_*` schemes.
    pub fn tls12_schemes(&self) -> &'static [SignatureScheme] {
        match self.inner {
            Inner::Rsa(_) => RSA_TLS12,
            _ => self.schemes(),
        }
    }

    /// Signs `message` with `scheme`, which must be one of [`Self::tls12_schemes`].
    ///
    /// ECDSA signatures are ASN.1 DER `Ecdsa-Sig-Value` (RFC 8446, Section
    /// 4.2.3); RSA-PSS uses a salt as long as the hash (RFC 8446, Section 4.2.3).
    ///
    /// Randomness is drawn from `rng` in one request of exactly the size ring
    /// consumes, so a test that injects values sees them used as given:
    /// RSA-PSS draws the salt (hash length); ECDSA draws the hedge that ring mixes
    /// into its nonce (32 bytes for P-256, 80 for P-384); RSA PKCS#1 v1.5 draws nothing
    /// but ring still wants a generator, so it asks for zero bytes; Ed25519 is
    /// deterministic and does not touch `rng`.
    pub fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        rng: &mut Rng,
    ) -> Result<Vec<u8>, Error> {
        const MISMATCH: Error = Error::Internal("signature scheme does not match the signing key");
        const FAILED: Error = Error::Internal("signing failed");
        match &self.inner {
            Inner::Rsa(key) => {
                let (encoding, draw): (&'static dyn signature::RsaEncoding, usize) = match scheme {
                    SignatureScheme::RSA_PSS_RSAE_SHA256 => (&signature::RSA_PSS_SHA256, 32),
                    SignatureScheme::RSA_PSS_RSAE_SHA384 => (&signature::RSA_PSS_SHA384, 48),
                    SignatureScheme::RSA_PSS_RSAE_SHA512 => (&signature::RSA_PSS_SHA512, 64),
                    SignatureScheme::RSA_PKCS1_SHA256 => (&signature::RSA_PKCS1_SHA256, 0),
                    SignatureScheme::RSA_PKCS1_SHA384 => (&signature::RSA_PKCS1_SHA384, 0),
                    SignatureScheme::RSA_PKCS1_SHA512 => (&signature::RSA_PKCS1_SHA512, 0),
                    _ => return Err(MISMATCH),
                };
                let mut sig = vec![0u8; key.public().modulus_len()];
                rng.with_ring(draw, |r| key.sign(encoding, r, message, &mut sig))
                    .map_err(|_| FAILED)?;
                Ok(sig)
            }
            Inner::EcdsaP256(key) if scheme == SignatureScheme::ECDSA_SECP256R1_SHA256 => {
                let draw = ecdsa_nonce_draw(&ring::digest::SHA256);
                let sig = rng
                    .with_ring(draw, |r| key.sign(r, message))
                    .map_err(|_| FAILED)?;
                Ok(sig.as_ref().to_vec())
            }
            Inner::EcdsaP384(key) if scheme == SignatureScheme::ECDSA_SECP384R1_SHA384 => {
                let draw = ecdsa_nonce_draw(&ring::digest::SHA384);
                let sig = rng
                    .with_ring(draw, |r| key.sign(r, message))
                    .map_err(|_| FAILED)?;
                Ok(sig.as_ref().to_vec())
            }
            Inner::Ed25519(key) if scheme == SignatureScheme::ED25519 => {
                Ok(key.sign(message).as_ref().to_vec())
            }
            _ => Err(MISMATCH),
        }
    }

    fn describe(&self) -> String {
        match &self.inner {
            Inner::Rsa(k) => format!("RSA-{}", k.public().modulus_len().saturating_mul(8)),
            _ => self.algorithm().to_string(),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the algorithm: a key must never end up in a log.
        write!(f, "SigningKey({})", self.describe())
    }
}

/// How many random bytes ring 0.17 draws to sign once with ECDSA over `digest`.
///
/// ring hedges its ECDSA nonce against a weak generator: the nonce is
/// H(H(random || private key) || random' || H(message)), where random' fills the
/// rest of one hash block after the first digest, so it asks the generator for
/// `block_len - output_len` bytes (32 for SHA-256, 80 for SHA-384). A candidate
/// nonce at or above the group order is redrawn, which happens with probability
/// below 2^-32 on both curves.
fn ecdsa_nonce_draw(digest: &'static ring::digest::Algorithm) -> usize {
    digest.block_len().saturating_sub(digest.output_len())
}

fn from_pkcs8(der: &[u8]) -> Result<SigningKey, String> {
    let bad = |what: &str| format!("not valid PKCS#8: {what}");
    // RFC 5208, Section 5 / RFC 5958, Section 2: PrivateKeyInfo ::= SEQUENCE {
    //   version, privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING,
    //   attributes [0] OPTIONAL, publicKey [1] OPTIONAL (v2 only) }
    let mut info = Der::new(
        Der::new(der)
            .read_all(tag::SEQUENCE)
            .map_err(|()| bad("not a DER SEQUENCE"))?,
    );
    let version = info.read(tag::INTEGER).map_err(|()| bad("no version"))?;
    if version != [0] && version != [1] {
        return Err(bad("unknown version"));
    }
    let mut alg = Der::new(
        info.read(tag::SEQUENCE)
            .map_err(|()| bad("no privateKeyAlgorithm"))?,
    );
    let alg_oid = alg.read(tag::OID).map_err(|()| bad("no algorithm OID"))?;
    let private_key = info
        .read(tag::OCTET_STRING)
        .map_err(|()| bad("no privateKey OCTET STRING"))?;

    match alg_oid {
        oid::RSA_ENCRYPTION => {
            let body = Der::new(private_key)
                .read_all(tag::SEQUENCE)
                .map_err(|()| bad("RSAPrivateKey is not a DER SEQUENCE"))?;
            check_rsa_private_size(body)?;
            let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| format!("RSA key rejected: {e}"))?;
            rsa_signing_key(pair, private_key)
        }
        oid::EC_PUBLIC_KEY => {
            // RFC 5480, Section 2.1.1: the parameters name the curve.
            let curve = alg.read(tag::OID).map_err(|()| {
                bad("EC key parameters are not a named curve (explicit curves are not supported)")
            })?;
            let curve = named_curve(curve)?;
            let body = Der::new(private_key)
                .read_all(tag::SEQUENCE)
                .map_err(|()| bad("ECPrivateKey is not a DER SEQUENCE"))?;
            from_sec1(body, Some(curve))
        }
        oid::ED25519 => Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map(|k| SigningKey {
                inner: Inner::Ed25519(k),
                rsa_pkcs1: None,
                #[cfg(feature = "rsa-kx")]
                rsa_decryption: std::sync::OnceLock::new(),
            })
            .map_err(|e| format!("Ed25519 key rejected: {e}")),
        other => Err(format!(
            "{} private keys are not supported (use RSA, ECDSA P-256/P-384 or Ed25519)",
            describe_oid(other)
        )),
    }
}

fn from_pkcs1(der: &[u8]) -> Result<SigningKey, String> {
    let body = Der::new(der)
        .read_all(tag::SEQUENCE)
        .map_err(|()| "not valid PKCS#1 RSAPrivateKey DER".to_string())?;
    check_rsa_private_size(body)?;
    let pair = RsaKeyPair::from_der(der).map_err(|e| format!("RSA key rejected: {e}"))?;
    rsa_signing_key(pair, der)
}

/// An RSA signing key, once it has made a signature that verifies under its
/// own public key; `pkcs1` is its RSAPrivateKey DER.
///
/// ring checks the modulus, the exponents and the primes when it loads a
/// key, but not that the CRT exponents dP and dQ agree with d (RFC 8017,
/// Section 3.2). A key file damaged there loads, and then every signature
/// fails ring's own check after signing: a server would start and answer
/// every handshake with internal_error. One signature at load time (about a
/// millisecond) reports the broken file where it is named instead.
fn rsa_signing_key(pair: RsaKeyPair, pkcs1: &[u8]) -> Result<SigningKey, String> {
    const MESSAGE: &[u8] = b"keyway RSA key self-test";
    let mut sig = vec![0u8; pair.public().modulus_len()];
    let signed = pair.sign(
        &signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        MESSAGE,
        &mut sig,
    );
    let public = signature::UnparsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        pair.public_key().as_ref(),
    );
    if signed.is_err() || public.verify(MESSAGE, &sig).is_err() {
        return Err(
            "RSA key rejected: its private values are inconsistent (a test \
                    signature does not verify); the file is damaged"
                .into(),
        );
    }
    Ok(SigningKey {
        inner: Inner::Rsa(pair),
        rsa_pkcs1: Some(zeroize::Zeroizing::new(pkcs1.to_vec())),
        #[cfg(feature = "rsa-kx")]
        rsa_decryption: std::sync::OnceLock::new(),
    })
}

/// Refuses RSA keys below 2048 bits with a message that says so, before ring
/// refuses them with a generic one.
fn check_rsa_private_size(rsa_private_key: &[u8]) -> Result<(), String> {
    // RFC 8017, Appendix A.1.2: RSAPrivateKey ::= SEQUENCE { version, modulus, ... }
    let mut body = Der::new(rsa_private_key);
    let modulus = body
        .read(tag::INTEGER)
        .and_then(|_version| body.read(tag::INTEGER))
        .map_err(|()| "not a valid RSAPrivateKey: no modulus".to_string())?;
    let bits = unsigned_bits(modulus);
    if bits < 2048 {
        return Err(format!("RSA key is {bits} bits; at least 2048 required"));
    }
    Ok(())
}

/// Builds an ECDSA key from the body of a SEC1 `ECPrivateKey`.
///
/// `outer_curve` is the curve a PKCS#8 wrapper named, if any.
fn from_sec1(body: &[u8], outer_curve: Option<KeyAlgorithm>) -> Result<SigningKey, String> {
    let bad = |what: &str| format!("not a valid SEC1 ECPrivateKey: {what}");
    // RFC 5915, Section 3: ECPrivateKey ::= SEQUENCE { version INTEGER (1),
    //   privateKey OCTET STRING, parameters [0] ECParameters OPTIONAL,
    //   publicKey [1] BIT STRING OPTIONAL }
    let mut key = Der::new(body);
    if key.read(tag::INTEGER) != Ok(&[1][..]) {
        return Err(bad("version is not 1"));
    }
    let private = key
        .read(tag::OCTET_STRING)
        .map_err(|()| bad("no privateKey"))?;
    let inner_curve = match key.read_optional(tag::CONTEXT_0) {
        Ok(Some(params)) => Some(named_curve(
            Der::new(params)
                .read_all(tag::OID)
                .map_err(|()| bad("parameters are not a named curve"))?,
        )?),
        Ok(None) => None,
        Err(()) => return Err(bad("bad parameters")),
    };
    let public = match key.read_optional(tag::CONTEXT_1) {
        Ok(Some(public)) => Some(
            Der::new(public)
                .read_all(tag::BIT_STRING)
                .ok()
                .and_then(bit_string_bytes)
                .ok_or_else(|| bad("bad publicKey"))?,
        ),
        Ok(None) => None,
        Err(()) => return Err(bad("bad publicKey")),
    };
    let curve = match (outer_curve, inner_curve) {
        (Some(a), Some(b)) if a != b => {
            return Err(bad("the curve in the PKCS#8 header and in the key differ"))
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(bad("the key does not name its curve")),
    };
    let Some(public) = public else {
        return Err(
            "the EC private key does not include its public key, which ring needs \
                    to load it; re-export it with `openssl ec -in KEY -out KEY.fixed` \
                    (OpenSSL recomputes the public key)"
                .into(),
        );
    };
    let (alg, scalar_len): (_, usize) = match curve {
        KeyAlgorithm::EcdsaP256 => (&signature::ECDSA_P256_SHA256_ASN1_SIGNING, 32),
        _ => (&signature::ECDSA_P384_SHA384_ASN1_SIGNING, 48),
    };
    // RFC 5915, Section 3: privateKey is ceiling(log2(n)/8) octets, but some
    // encoders drop leading zero bytes; ring wants the fixed length.
    let pad = scalar_len
        .checked_sub(private.len())
        .ok_or_else(|| bad("privateKey is longer than the curve's scalar"))?;
    let mut scalar = Zeroizing::new(vec![0u8; pad]);
    scalar.extend_from_slice(private);
    // ring draws a secret for its nonce hedge once per key; keys outlive
    // connections, so this comes from the system, not a connection's Rng.
    let key =
        EcdsaKeyPair::from_private_key_and_public_key(alg, &scalar, public, &SystemRandom::new())
            .map_err(|e| format!("EC key rejected: {e}"))?;
    Ok(SigningKey {
        inner: match curve {
            KeyAlgorithm::EcdsaP256 => Inner::EcdsaP256(key),
            _ => Inner::EcdsaP384(key),
        },
        rsa_pkcs1: None,
        #[cfg(feature = "rsa-kx")]
        rsa_decryption: std::sync::OnceLock::new(),
    })
}

fn named_curve(curve: &[u8]) -> Result<KeyAlgorithm, String> {
    match curve {
        oid::SECP256R1 => Ok(KeyAlgorithm::EcdsaP256),
        oid::SECP384R1 => Ok(KeyAlgorithm::EcdsaP384),
        other => Err(format!(
            "EC curve {} is not supported (use P-256 or P-384)",
            describe_oid(other)
        )),
    }
}

/// A public key parsed from a DER `SubjectPublicKeyInfo` (RFC 5280, Section 4.1.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey<'a> {
    /// The key's algorithm (and curve).
    pub algorithm: KeyAlgorithm,
    /// Size in bits: the RSA modulus length, or the curve size.
    pub bits: usize,
    /// The subjectPublicKey contents, as ring takes them.
    pub key: &'a [u8],
}

impl<'a> PublicKey<'a> {
    /// Parses a DER SubjectPublicKeyInfo; the error names an unsupported
    /// algorithm or curve.
    pub fn from_spki(spki: &'a [u8]) -> Result<Self, String> {
        let bad = || "malformed SubjectPublicKeyInfo".to_string();
        let mut info = Der::new(Der::new(spki).read_all(tag::SEQUENCE).map_err(|()| bad())?);
        let mut alg = Der::new(info.read(tag::SEQUENCE).map_err(|()| bad())?);
        let key = info
            .read(tag::BIT_STRING)
            .ok()
            .and_then(bit_string_bytes)
            .ok_or_else(bad)?;
        if !info.is_empty() {
            return Err(bad());
        }
        let alg_oid = alg.read(tag::OID).map_err(|()| bad())?;
        let (algorithm, bits) = match alg_oid {
            // RFC 3279, Section 2.3.1: RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
            oid::RSA_ENCRYPTION => {
                let mut rsa = Der::new(Der::new(key).read_all(tag::SEQUENCE).map_err(|()| bad())?);
                let modulus = rsa.read(tag::INTEGER).map_err(|()| bad())?;
                (KeyAlgorithm::Rsa, unsigned_bits(modulus))
            }
            // RFC 5480, Section 2.1.1: namedCurve parameters.
            oid::EC_PUBLIC_KEY => match named_curve(alg.read(tag::OID).map_err(|()| bad())?)? {
                KeyAlgorithm::EcdsaP256 => (KeyAlgorithm::EcdsaP256, 256),
                _ => (KeyAlgorithm::EcdsaP384, 384),
            },
            // RFC 8410, Section 3: no parameters.
            oid::ED25519 => (KeyAlgorithm::Ed25519, 256),
            other => {
                return Err(format!(
                    "{} public keys are not supported",
                    describe_oid(other)
                ))
            }
        };
        Ok(PublicKey {
            algorithm,
            bits,
            key,
        })
    }
}

impl fmt::Display for PublicKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.algorithm {
            KeyAlgorithm::Rsa => write!(f, "RSA-{}", self.bits),
            other => write!(f, "{other}"),
        }
    }
}

/// A signature did not verify: wrong signature, wrong key, or a scheme that
/// does not fit the key. Deliberately carries no detail: the caller knows which
/// signature it was checking and reports that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSignature;

impl fmt::Display for InvalidSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid signature")
    }
}

/// The key algorithm a signature scheme requires in TLS 1.3, with ring's
/// verification algorithm; `None` for schemes we do not verify (SHA-1, P-521,
/// Ed448, RSASSA-PSS keys).
fn scheme_algorithm(
    scheme: SignatureScheme,
) -> Option<(KeyAlgorithm, &'static dyn signature::VerificationAlgorithm)> {
    use SignatureScheme as S;
    Some(match scheme {
        S::RSA_PKCS1_SHA256 => (KeyAlgorithm::Rsa, &signature::RSA_PKCS1_2048_8192_SHA256),
        S::RSA_PKCS1_SHA384 => (KeyAlgorithm::Rsa, &signature::RSA_PKCS1_2048_8192_SHA384),
        S::RSA_PKCS1_SHA512 => (KeyAlgorithm::Rsa, &signature::RSA_PKCS1_2048_8192_SHA512),
        // RFC 8446, Section 4.2.3: rsa_pss_rsae_* keys are rsaEncryption keys.
        S::RSA_PSS_RSAE_SHA256 => (KeyAlgorithm::Rsa, &signature::RSA_PSS_2048_8192_SHA256),
        S::RSA_PSS_RSAE_SHA384 => (KeyAlgorithm::Rsa, &signature::RSA_PSS_2048_8192_SHA384),
        S::RSA_PSS_RSAE_SHA512 => (KeyAlgorithm::Rsa, &signature::RSA_PSS_2048_8192_SHA512),
        S::ECDSA_SECP256R1_SHA256 => (KeyAlgorithm::EcdsaP256, &signature::ECDSA_P256_SHA256_ASN1),
        S::ECDSA_SECP384R1_SHA384 => (KeyAlgorithm::EcdsaP384, &signature::ECDSA_P384_SHA384_ASN1),
        S::ED25519 => (KeyAlgorithm::Ed25519, &signature::ED25519),
        _ => return None,
    })
}

/// True if a signature made with `scheme` can come from the key in `spki`
/// under TLS 1.3 rules.
///
/// RFC 8446, Section 4.2.3: an ECDSA scheme names the curve as well as the
/// hash (ecdsa_secp256r1_sha256 needs a P-256 key), and rsa_pss_rsae_* need an
/// rsaEncryption key. A peer that signs with a scheme its key cannot make is
/// refused before the signature is even checked, so a certificate for one key
/// type can never vouch for a signature under the rules of another.
pub fn scheme_matches_key(scheme: SignatureScheme, spki: &[u8]) -> bool {
    match (scheme_algorithm(scheme), PublicKey::from_spki(spki)) {
        (Some((needed, _)), Ok(key)) => key.algorithm == needed,
        _ => false,
    }
}

/// Verifies a TLS signature (CertificateVerify, or ServerKeyExchange with a
/// key of the scheme's curve) made with `scheme` by the key in `spki`, a DER
/// SubjectPublicKeyInfo.
///
/// Fails if the scheme is unsupported, does not fit the key
/// ([`scheme_matches_key`]), an RSA key is under 2048 bits, or the signature
/// is wrong. ECDSA signatures are ASN.1 DER.
pub fn verify_signature(
    scheme: SignatureScheme,
    spki: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    let (needed, alg) = scheme_algorithm(scheme).ok_or(InvalidSignature)?;
    let key = PublicKey::from_spki(spki).map_err(|_| InvalidSignature)?;
    if key.algorithm != needed {
        return Err(InvalidSignature);
    }
    ring_verify(alg, key.key, message, signature)
}

/// Verifies a TLS 1.2 ServerKeyExchange or CertificateVerify signature.
///
/// Like [`verify_signature`], except that in TLS 1.2 the ECDSA code points
/// name only the hash (RFC 5246, Section 7.4.1.4.1; RFC 8422, Section 5.4), so
/// a P-384 key may sign with ecdsa_secp256r1_sha256 and the curve comes from
/// the key.
pub fn verify_tls12_signature(
    scheme: SignatureScheme,
    spki: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    use SignatureScheme as S;
    let key = PublicKey::from_spki(spki).map_err(|_| InvalidSignature)?;
    let alg: &'static dyn signature::VerificationAlgorithm = match (scheme, key.algorithm) {
        (S::ECDSA_SECP256R1_SHA256, KeyAlgorithm::EcdsaP384) => &signature::ECDSA_P384_SHA256_ASN1,
        (S::ECDSA_SECP384R1_SHA384, KeyAlgorithm::EcdsaP256) => &signature::ECDSA_P256_SHA384_ASN1,
        _ => return verify_signature(scheme, spki, message, signature),
    };
    ring_verify(alg, key.key, message, signature)
}

fn ring_verify(
    alg: &'static dyn signature::VerificationAlgorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    signature::UnparsedPublicKey::new(alg, public_key)
        .verify(message, signature)
        .map_err(|_| InvalidSignature)
}

/// A signature algorithm as a certificate's signatureAlgorithm names it
/// (RFC 5280, Section 4.1.1.2). MD5 and ecdsa-with-SHA1 have no variant: they
/// are refused; sha1WithRSAEncryption only comes from a caller that opted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertSignatureAlgorithm {
    /// sha1WithRSAEncryption (RFC 3279, Section 2.2.1): forgeable, legacy only.
    RsaPkcs1Sha1,
    /// sha256WithRSAEncryption (RFC 4055, Section 5).
    RsaPkcs1Sha256,
    /// sha384WithRSAEncryption.
    RsaPkcs1Sha384,
    /// sha512WithRSAEncryption.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 4055, Section 3.1).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
    RsaPssSha512,
    /// ecdsa-with-SHA256 (RFC 5758, Section 3.2), on the issuer key's curve.
    EcdsaSha256,
    /// ecdsa-with-SHA384, on the issuer key's curve.
    EcdsaSha384,
    /// Ed25519 (RFC 8410, Section 3).
    Ed25519,
}

impl fmt::Display for CertSignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertSignatureAlgorithm::RsaPkcs1Sha1 => "sha1WithRSAEncryption",
            CertSignatureAlgorithm::RsaPkcs1Sha256 => "sha256WithRSAEncryption",
            CertSignatureAlgorithm::RsaPkcs1Sha384 => "sha384WithRSAEncryption",
            CertSignatureAlgorithm::RsaPkcs1Sha512 => "sha512WithRSAEncryption",
            CertSignatureAlgorithm::RsaPssSha256 => "RSASSA-PSS with SHA-256",
            CertSignatureAlgorithm::RsaPssSha384 => "RSASSA-PSS with SHA-384",
            CertSignatureAlgorithm::RsaPssSha512 => "RSASSA-PSS with SHA-512",
            CertSignatureAlgorithm::EcdsaSha256 => "ecdsa-with-SHA256",
            CertSignatureAlgorithm::EcdsaSha384 => "ecdsa-with-SHA384",
            CertSignatureAlgorithm::Ed25519 => "Ed25519",
        })
    }
}

/// Verifies the signature on a certificate (`tbs` is the DER TBSCertificate)
/// made with `alg` by the key in `issuer_spki`.
///
/// Unlike TLS 1.3 schemes, certificate ECDSA algorithms name only the hash:
/// a P-384 issuer may sign with SHA-256 and a P-256 issuer with SHA-384, both of
/// which real CAs do; the curve comes from the issuer's key. RSA keys under 2048
/// bits are refused unless `legacy` (then 1024 bits and up, PKCS#1 v1.5 with
/// SHA-1, SHA-256 or SHA-512 only).
pub fn verify_cert_signature(
    alg: CertSignatureAlgorithm,
    issuer_spki: &[u8],
    tbs: &[u8],
    signature: &[u8],
    legacy: bool,
) -> Result<(), InvalidSignature> {
    use CertSignatureAlgorithm as C;
    use KeyAlgorithm as K;
    let key = PublicKey::from_spki(issuer_spki).map_err(|_| InvalidSignature)?;
    let small_rsa = key.algorithm == K::Rsa && key.bits < 2048;
    if small_rsa && !legacy {
        return Err(InvalidSignature);
    }
    let ring_alg: &'static dyn signature::VerificationAlgorithm = match (alg, key.algorithm) {
        (C::RsaPkcs1Sha1, K::Rsa) if small_rsa => {
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (C::RsaPkcs1Sha256, K::Rsa) if small_rsa => {
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        (C::RsaPkcs1Sha512, K::Rsa) if small_rsa => {
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        (_, K::Rsa) if small_rsa => return Err(InvalidSignature),
        (C::RsaPkcs1Sha1, K::Rsa) if legacy => {
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (C::RsaPkcs1Sha256, K::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA256,
        (C::RsaPkcs1Sha384, K::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (C::RsaPkcs1Sha512, K::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA512,
        (C::RsaPssSha256, K::Rsa) => &signature::RSA_PSS_2048_8192_SHA256,
        (C::RsaPssSha384, K::Rsa) => &signature::RSA_PSS_2048_8192_SHA384,
        (C::RsaPssSha512, K::Rsa) => &signature::RSA_PSS_2048_8192_SHA512,
        (C::EcdsaSha256, K::EcdsaP256) => &signature::ECDSA_P256_SHA256_ASN1,
        (C::EcdsaSha384, K::EcdsaP256) => &signature::ECDSA_P256_SHA384_ASN1,
        (C::EcdsaSha256, K::EcdsaP384) => &signature::ECDSA_P384_SHA256_ASN1,
        (C::EcdsaSha384, K::EcdsaP384) => &signature::ECDSA_P384_SHA384_ASN1,
        (C::Ed25519, K::Ed25519) => &signature::ED25519,
        _ => return Err(InvalidSignature),
    };
    ring_verify(ring_alg, key.key, tbs, signature)
}

/// SHA-256 over everything [`verify_cert_signature`]'s verdict depends on:
/// `alg`, `legacy`, and the issuer's key, the signed bytes and the
/// signature, each with its length, so no two different inputs hash the same
/// bytes. The key of a cache of verdicts (see `pki::signature_cache`).
pub fn cert_signature_fingerprint(
    alg: CertSignatureAlgorithm,
    issuer_spki: &[u8],
    tbs: &[u8],
    signature: &[u8],
    legacy: bool,
) -> [u8; 32] {
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    hash.update(&[alg as u8, u8::from(legacy)]);
    for part in [issuer_spki, tbs, signature] {
        hash.update(&(part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.finish().as_ref());
    out
}

/// Number of significant bits in a DER INTEGER holding a non-negative value.
fn unsigned_bits(int: &[u8]) -> usize {
    let Some(start) = int.iter().position(|&b| b != 0) else {
        return 0;
    };
    // `start` indexes a non-zero byte, so at least one byte is significant
    // and its top bit position is 1 to 8.
    let significant = int.len().saturating_sub(start);
    let top = int.get(start).copied().unwrap_or(0);
    let top_bits = 8usize.saturating_sub(top.leading_zeros() as usize);
    significant
        .saturating_sub(1)
        .saturating_mul(8)
        .saturating_add(top_bits)
}

/// The bytes of a DER BIT STRING whose length is a whole number of bytes.
fn bit_string_bytes(contents: &[u8]) -> Option<&[u8]> {
    match contents.split_first() {
        Some((0, bytes)) => Some(bytes),
        _ => None,
    }
}

/// A readable name for an algorithm or curve OID (its content bytes).
pub(crate) fn describe_oid(oid_bytes: &[u8]) -> String {
    let name = match oid_bytes {
        oid::SECP521R1 => "P-521",
        oid::ED448 => "Ed448",
        oid::RSASSA_PSS => "RSASSA-PSS",
        oid::DSA => "DSA",
        _ => "",
    };
    let dotted = dotted_oid(oid_bytes);
    if name.is_empty() {
        format!("OID {dotted}")
    } else {
        format!("{name} ({dotted})")
    }
}

/// Formats OID content bytes (X.690, Section 8.19) in dotted decimal.
pub(crate) fn dotted_oid(bytes: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in bytes {
        value = value
            .saturating_mul(128)
            .saturating_add(u64::from(b & 0x7f));
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                // The first subidentifier packs the first two arcs.
                let first = (value / 40).min(2);
                arcs.push(first);
                // first * 40 <= value: first is value / 40, capped at 2.
                arcs.push(value.saturating_sub(first.saturating_mul(40)));
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// OID content bytes (the DER value without tag and length).
pub(crate) mod oid {
    /// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017).
    pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// id-RSASSA-PSS, 1.2.840.113549.1.1.10 (RFC 4055).
    pub const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// sha256WithRSAEncryption, 1.2.840.113549.1.1.11.
    pub const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    /// sha384WithRSAEncryption, 1.2.840.113549.1.1.12.
    pub const SHA384_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    /// sha512WithRSAEncryption, 1.2.840.113549.1.1.13.
    pub const SHA512_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    /// md5WithRSAEncryption, 1.2.840.113549.1.1.4 (refused).
    pub const MD5_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04];
    /// sha1WithRSAEncryption, 1.2.840.113549.1.1.5 (refused).
    pub const SHA1_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    /// ecdsa-with-SHA1, 1.2.840.10045.4.1 (refused).
    pub const ECDSA_WITH_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    /// id-mgf1, 1.2.840.113549.1.1.8.
    pub const MGF1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08];
    /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480).
    pub const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// ecdsa-with-SHA256, 1.2.840.10045.4.3.2 (RFC 5758).
    pub const ECDSA_WITH_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    /// ecdsa-with-SHA384, 1.2.840.10045.4.3.3.
    pub const ECDSA_WITH_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    /// secp256r1 / prime256v1, 1.2.840.10045.3.1.7.
    pub const SECP256R1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1, 1.3.132.0.34.
    pub const SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1, 1.3.132.0.35.
    pub const SECP521R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// id-Ed25519, 1.3.101.112 (RFC 8410): both the key and the signature algorithm.
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// id-Ed448, 1.3.101.113.
    pub const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    /// id-dsa, 1.2.840.10040.4.1.
    pub const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
    /// id-sha256, 2.16.840.1.101.3.4.2.1.
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    /// id-sha384, 2.16.840.1.101.3.4.2.2.
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    /// id-sha512, 2.16.840.1.101.3.4.2.3.
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
}

/// DER tags (X.690) used by the key structures (and by `pki::ocsp`).
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const ENUMERATED: u8 = 0x0a;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const CONTEXT_0: u8 = 0xa0;
    pub const CONTEXT_1: u8 = 0xa1;
    pub const CONTEXT_3: u8 = 0xa3;
    pub const IMPLICIT_1: u8 = 0x81;
    pub const IMPLICIT_2: u8 = 0x82;
}

/// A minimal DER reader for the few key structures parsed here (and the OCSP
/// responses `pki::ocsp` parses): single-byte tags, definite minimal
/// lengths, every read bounds-checked.
pub(crate) struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Der { rest: input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// What is left to read.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Reads one element with tag `want` and returns its whole encoding
    /// (tag, length and contents) and its contents: what a signature over a
    /// DER structure covers.
    pub(crate) fn read_element(&mut self, want: u8) -> Result<(&'a [u8], &'a [u8]), ()> {
        let start = self.rest;
        let contents = self.read(want)?;
        let len = start.len().checked_sub(self.rest.len()).ok_or(())?;
        Ok((start.get(..len).ok_or(())?, contents))
    }

    /// Reads one element with tag `want` and returns its contents.
    pub(crate) fn read(&mut self, want: u8) -> Result<&'a [u8], ()> {
        let (&got, after_tag) = self.rest.split_first().ok_or(())?;
        if got != want {
            return Err(());
        }
        let (&first, after_len) = after_tag.split_first().ok_or(())?;
        let (len, body) = if first < 0x80 {
            (usize::from(first), after_len)
        } else {
            // X.690, Section 10.1: DER uses the fewest length octets possible.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return Err(());
            }
            let len_bytes = after_len.get(..count).ok_or(())?;
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 || len_bytes.first() == Some(&0) {
                return Err(());
            }
            (len, after_len.get(count..).ok_or(())?)
        };
        let contents = body.get(..len).ok_or(())?;
        self.rest = body.get(len..).ok_or(())?;
        Ok(contents)
    }

    /// Reads an element with tag `want` if the next element has that tag.
    pub(crate) fn read_optional(&mut self, want: u8) -> Result<Option<&'a [u8]>, ()> {
        if self.peek_tag() == Some(want) {
            self.read(want).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads one element with tag `want` that must be all of the input.
    pub(crate) fn read_all(mut self, want: u8) -> Result<&'a [u8], ()> {
        let contents = self.read(want)?;
        if self.is_empty() {
            Ok(contents)
        } else {
            Err(())
        }
    }
}

/// Writes one DER element: `tag`, the length of `contents` (the short form
/// below 128 bytes, else the fewest length octets, X.690 Section 10.1) and
/// `contents`. For the bare SEQUENCE contents webpki-roots ships, and for
/// tests that build structures to read.
#[cfg(any(test, feature = "webpki-roots"))]
pub(crate) fn write_element(tag: u8, contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    use super::write_element as tlv;
    use super::*;

    fn pem_der(path: &str) -> (String, Vec<u8>) {
        let text =
            std::fs::read(format!("{}/testdata/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let (_, pem) = x509_parser::pem::parse_x509_pem(&text).unwrap();
        (pem.label, pem.contents)
    }

    #[test]
    fn rsa_keys_whose_crt_exponents_disagree_are_refused_at_load() {
        // rsa2048.pkcs1.pem with one bit of dQ (exponent2) flipped: ring
        // loads it, but cannot sign with it (found by the pem fuzz target).
        let (label, mut der) = pem_der("rsa2048.pkcs1.pem");
        let mut body = Der::new(Der::new(&der).read_all(tag::SEQUENCE).unwrap());
        for _ in 0..7 {
            // version, n, e, d, p, q, dP
            body.read(tag::INTEGER).unwrap();
        }
        let dq = body.read(tag::INTEGER).unwrap();
        let offset = dq.as_ptr() as usize - der.as_ptr() as usize + dq.len() / 2;
        der[offset] ^= 0x01;
        let why = SigningKey::from_pem_block(&label, &der).unwrap_err();
        assert!(why.contains("inconsistent"), "{why}");
        let pkcs8 = pem_der("rsa2048.pem").1;
        assert!(SigningKey::from_der(&pkcs8).is_ok());
    }

    fn load(path: &str) -> SigningKey {
        let (label, der) = pem_der(path);
        SigningKey::from_pem_block(&label, &der).unwrap()
    }

    /// X.690, Section 8.1.3: the short form up to 127 bytes, then the long
    /// form with as few length bytes as the length needs.
    #[test]
    fn elements_use_the_long_form_from_128_bytes() {
        assert_eq!(tlv(0x30, &[7; 127])[..2], [0x30, 127]);
        assert_eq!(tlv(0x30, &[7; 128])[..3], [0x30, 0x81, 128]);
        assert_eq!(tlv(0x30, &[7; 256])[..4], [0x30, 0x82, 1, 0]);
        assert_eq!(tlv(0x30, &[7; 256]).len(), 260);
    }

    /// A DER SubjectPublicKeyInfo for a key, built the way certificates carry it.
    fn spki_of(key: &SigningKey) -> Vec<u8> {
        let alg = match key.algorithm() {
            KeyAlgorithm::Rsa => [tlv(6, oid::RSA_ENCRYPTION), vec![5, 0]].concat(),
            KeyAlgorithm::EcdsaP256 => {
                [tlv(6, oid::EC_PUBLIC_KEY), tlv(6, oid::SECP256R1)].concat()
            }
            KeyAlgorithm::EcdsaP384 => {
                [tlv(6, oid::EC_PUBLIC_KEY), tlv(6, oid::SECP384R1)].concat()
            }
            KeyAlgorithm::Ed25519 => tlv(6, oid::ED25519),
        };
        let bits = [&[0u8][..], key.public_key()].concat();
        tlv(0x30, &[tlv(0x30, &alg), tlv(3, &bits)].concat())
    }

    #[test]
    fn every_key_format_loads_and_signs_with_every_scheme() {
        let cases = [
            ("rsa2048.pem", KeyAlgorithm::Rsa),
            ("rsa2048.pkcs1.pem", KeyAlgorithm::Rsa),
            ("p256.sec1.pem", KeyAlgorithm::EcdsaP256),
            ("p256.pem", KeyAlgorithm::EcdsaP256),
            ("p384.pem", KeyAlgorithm::EcdsaP384),
            ("ed25519.pem", KeyAlgorithm::Ed25519),
        ];
        let mut rng = Rng::default();
        for (file, alg) in cases {
            let key = load(file);
            assert_eq!(key.algorithm(), alg, "{file}");
            let spki = spki_of(&key);
            assert_eq!(PublicKey::from_spki(&spki).unwrap().algorithm, alg);
            for &scheme in key.tls12_schemes() {
                let sig = key.sign(scheme, b"hello", &mut rng).unwrap();
                assert!(scheme_matches_key(scheme, &spki), "{file} {scheme}");
                assert_eq!(verify_signature(scheme, &spki, b"hello", &sig), Ok(()));
                assert_eq!(
                    verify_tls12_signature(scheme, &spki, b"hello", &sig),
                    Ok(())
                );
                assert_eq!(
                    verify_signature(scheme, &spki, b"hellO", &sig),
                    Err(InvalidSignature),
                    "{file} {scheme} accepted a changed message"
                );
            }
        }
    }

    #[test]
    fn the_same_key_loads_from_pkcs8_pkcs1_and_sec1() {
        assert_eq!(
            load("rsa2048.pem").public_key(),
            load("rsa2048.pkcs1.pem").public_key()
        );
        assert_eq!(
            load("p256.pem").public_key(),
            load("p256.sec1.pem").public_key()
        );
        // Detected from the DER alone, without a PEM label.
        for file in [
            "rsa2048.pem",
            "rsa2048.pkcs1.pem",
            "p256.sec1.pem",
            "ed25519.pem",
        ] {
            let (_, der) = pem_der(file);
            assert!(SigningKey::from_der(&der).is_ok(), "{file}");
        }
    }

    #[test]
    fn schemes_follow_the_tls_version_rules() {
        let rsa = load("rsa2048.pem");
        assert_eq!(rsa.schemes(), RSA_TLS13);
        assert!(rsa
            .schemes()
            .iter()
            .all(|s| s.name().unwrap().starts_with("rsa_pss_rsae")));
        assert!(rsa
            .tls12_schemes()
            .contains(&SignatureScheme::RSA_PKCS1_SHA256));
        assert_eq!(
            load("p384.pem").schemes(),
            &[SignatureScheme::ECDSA_SECP384R1_SHA384]
        );
        let p256 = load("p256.pem");
        let err = p256
            .sign(
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                b"x",
                &mut Rng::default(),
            )
            .unwrap_err();
        assert!(matches!(err, Error::Internal(_)));
    }

    #[test]
    fn debug_shows_only_the_algorithm() {
        assert_eq!(format!("{:?}", load("rsa2048.pem")), "SigningKey(RSA-2048)");
        assert_eq!(
            format!("{:?}", load("p256.sec1.pem")),
            "SigningKey(ECDSA P-256)"
        );
        assert_eq!(format!("{:?}", load("ed25519.pem")), "SigningKey(Ed25519)");
    }

    fn fixed(entries: Vec<Vec<u8>>) -> Rng {
        Rng::Fixed {
            sequence: entries.into(),
            fallback: 0xee,
        }
    }

    fn remaining(rng: &Rng) -> usize {
        match rng {
            Rng::Fixed { sequence, .. } => sequence.len(),
            Rng::System(_) => 0,
        }
    }

    #[test]
    fn signing_draws_exactly_what_ring_consumes_from_the_rng() {
        // Each request that finds an entry of the right length consumes it, so an
        // empty queue afterwards proves the requested length was the right one
        // (ring would panic on a fixed slice of the wrong length).
        let rsa = load("rsa2048.pem");
        for (scheme, len) in [
            (SignatureScheme::RSA_PSS_RSAE_SHA256, 32),
            (SignatureScheme::RSA_PSS_RSAE_SHA384, 48),
            (SignatureScheme::RSA_PSS_RSAE_SHA512, 64),
        ] {
            let mut a = fixed(vec![vec![7; len]]);
            let mut b = fixed(vec![vec![7; len]]);
            let sig_a = rsa.sign(scheme, b"m", &mut a).unwrap();
            let sig_b = rsa.sign(scheme, b"m", &mut b).unwrap();
            assert_eq!(remaining(&a), 0, "{scheme}");
            assert_eq!(sig_a, sig_b, "a fixed salt makes PSS deterministic");
            let spki = spki_of(&rsa);
            assert_eq!(verify_signature(scheme, &spki, b"m", &sig_a), Ok(()));
        }
        for (file, scheme, len) in [
            ("p256.pem", SignatureScheme::ECDSA_SECP256R1_SHA256, 32),
            ("p384.pem", SignatureScheme::ECDSA_SECP384R1_SHA384, 80),
        ] {
            let key = load(file);
            let mut rng = fixed(vec![vec![9; len]]);
            let sig = key.sign(scheme, b"m", &mut rng).unwrap();
            assert_eq!(remaining(&rng), 0, "{scheme}");
            assert_eq!(verify_signature(scheme, &spki_of(&key), b"m", &sig), Ok(()));
        }
        // Ed25519 never touches the generator.
        let mut rng = fixed(vec![vec![1; 32]]);
        load("ed25519.pem")
            .sign(SignatureScheme::ED25519, b"m", &mut rng)
            .unwrap();
        assert_eq!(remaining(&rng), 1);
    }

    #[test]
    fn tls13_schemes_bind_the_curve_and_tls12_ones_do_not() {
        let p384 = load("p384.pem");
        let spki = spki_of(&p384);
        assert!(!scheme_matches_key(
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            &spki
        ));
        assert!(!scheme_matches_key(
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            &spki
        ));
        assert!(!scheme_matches_key(SignatureScheme::ECDSA_SHA1, &spki));
        // A P-384 key signing with SHA-256 (made by OpenSSL): legal in TLS 1.2 only.
        let sig = std::fs::read(format!(
            "{}/testdata/p384-sha256.sig",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let scheme = SignatureScheme::ECDSA_SECP256R1_SHA256;
        assert_eq!(
            verify_signature(scheme, &spki, b"keyway", &sig),
            Err(InvalidSignature)
        );
        assert_eq!(
            verify_tls12_signature(scheme, &spki, b"keyway", &sig),
            Ok(())
        );
        assert_eq!(
            verify_tls12_signature(scheme, &spki, b"keyways", &sig),
            Err(InvalidSignature)
        );
    }

    #[test]
    fn unusable_keys_say_why() {
        let err = |file: &str| {
            let (label, der) = pem_der(file);
            SigningKey::from_pem_block(&label, &der).unwrap_err()
        };
        assert_eq!(
            err("rsa1024.pem"),
            "RSA key is 1024 bits; at least 2048 required"
        );
        assert!(err("p256.sec1-nopub.pem").contains("does not include its public key"));
        assert!(err("p256.encrypted.pem").starts_with("ENCRYPTED PRIVATE KEY is not supported"));
        assert!(SigningKey::from_der(b"\x30\x03\x02\x01\x00")
            .unwrap_err()
            .contains("not a DER private key"));
        // A PKCS#8 key on P-521.
        let alg = [tlv(6, oid::EC_PUBLIC_KEY), tlv(6, oid::SECP521R1)].concat();
        let ec = tlv(0x30, &[tlv(2, &[1]), tlv(4, &[1; 66])].concat());
        let p521 = tlv(0x30, &[tlv(2, &[0]), tlv(0x30, &alg), tlv(4, &ec)].concat());
        let msg = SigningKey::from_der(&p521).unwrap_err();
        assert_eq!(
            msg,
            "EC curve P-521 (1.3.132.0.35) is not supported (use P-256 or P-384)"
        );
    }

    #[test]
    fn truncated_and_garbage_input_is_an_error_not_a_panic() {
        for file in ["rsa2048.pem", "p256.sec1.pem", "p384.pem", "ed25519.pem"] {
            let (label, der) = pem_der(file);
            for cut in 0..der.len() {
                let _ = SigningKey::from_pem_block(&label, &der[..cut]);
                let _ = SigningKey::from_der(&der[..cut]);
            }
        }
        for cut in 0..100 {
            let spki = spki_of(&load("p256.pem"));
            let _ = PublicKey::from_spki(spki.get(..cut).unwrap_or(&spki));
        }
    }

    #[test]
    fn oids_print_in_dotted_form() {
        assert_eq!(dotted_oid(oid::RSA_ENCRYPTION), "1.2.840.113549.1.1.1");
        assert_eq!(dotted_oid(oid::SHA256), "2.16.840.1.101.3.4.2.1");
        assert_eq!(dotted_oid(oid::SECP384R1), "1.3.132.0.34");
    }
}
