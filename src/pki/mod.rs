//! Certificates: trust anchors, the verifier seam, and PEM loading.
//!
//! - [`RootStore`] holds the trust anchors a client (or a server asking for
//!   client certificates) accepts (`roots.rs`: PEM, DER, directories, the
//!   system store, Mozilla's roots with the `webpki-roots` feature).
//! - [`verify_server_chain`] and [`verify_client_chain`] check a chain without
//!   a connection and return the [`VerifiedPath`]; [`VerifyOptions`] sets the
//!   time, limits, CRLs and the other knobs.
//! - [`ServerCertVerifier`] and [`ClientCertVerifier`] are the seams a user
//!   plugs into; [`DefaultServerVerifier`] and [`DefaultClientVerifier`] build a
//!   path from the peer's chain to an anchor and check it (`path.rs`
//!   lists the rules applied and the ones not applied yet; `profile.rs` the
//!   CA/Browser Forum rules for servers, `anchor.rs` those for roots,
//!   `budget.rs` the bounds on the work one verification may do); each
//!   verifier keeps a bounded cache of the certificate signatures it has
//!   verified (`signature_cache.rs`: why that is safe, and its memory bound).
//! - [`ocsp`] parses stapled OCSP responses and decides whether to believe
//!   them; [`ServerCertVerifier::verify_server_cert_with_ocsp`] is where a
//!   verifier sees the staple.
//! - [`load_certs_pem`] and [`load_private_key_pem`] read certbot-style files;
//!   [`load_crls`] reads CRLs (PEM or DER) for [`VerifyOptions::crls`].
//!
//! Decisions recorded here:
//! - Names chain by exact comparison of the DER-encoded issuer and subject
//!   (RFC 5280, Section 7.1 allows more lenient matching; CAs in practice copy
//!   the bytes, and exact comparison cannot be confused by string-preparation
//!   bugs).
//! - Trust anchors: see `roots.rs`; the rules applied on a path: `path.rs`.
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod anchor;
mod budget;
pub(crate) mod checks;
mod constraints;
mod name;
pub mod ocsp;
mod path;
pub mod pem;
mod profile;
mod revocation;
mod roots;
mod signature_cache;
mod verify;

use core::fmt;
use std::time::SystemTime;

pub use name::ServerName;
pub use ocsp::OcspStaple;
pub use path::{
    LeafKeyUsage, VerifiedPath, VerifyOptions, MAX_DEPTH, MAX_NAME_COMPARISONS,
    MAX_SIGNATURE_CHECKS,
};
pub use pem::{
    load_certs_pem, load_certs_pem_file, load_crls, load_crls_file, load_private_key_pem,
    load_private_key_pem_file,
};
pub use revocation::UnknownStatusPolicy;
pub use roots::{RootStore, TrustAnchor, SYSTEM_BUNDLES, SYSTEM_DIR};
pub use signature_cache::SIGNATURE_CACHE_ENTRIES;
pub(crate) use verify::check_served_chain;
pub use verify::{
    verify_client_chain, verify_server_chain, verify_server_path, DefaultClientVerifier,
    DefaultServerVerifier,
};

use crate::codec::SignatureScheme;
use crate::crypto::sign::{self, SigningKey};
use crate::error::{CertificateError, Error, PeerMisbehaved};

/// Signature schemes we can verify, most preferred first: what a client puts
/// in signature_algorithms.
///
/// RFC 8446, Section 4.2.3: in TLS 1.3 this list also covers signatures in
/// certificates, so rsa_pkcs1_* stays in it even though CertificateVerify may
/// not use them (see [`check_tls13_signature`]).
pub const SUPPORTED_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Checks a server's certificate chain: the seam a user replaces to change
/// how servers are trusted (pinning, a private PKI, a test tool that trusts
/// anything).
pub trait ServerCertVerifier: Send + Sync + fmt::Debug {
    /// Checks that `end_entity` (DER), helped by the `intermediates` the
    /// server sent (DER, in the order received), chains to a trusted root, is
    /// valid at `now`, and is valid for `server_name`.
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        now: SystemTime,
    ) -> Result<(), CertificateError>;

    /// Checks the chain as [`Self::verify_server_cert`] does, and what the
    /// server said about the end entity's revocation status: `staple` is the
    /// OCSP response it stapled (RFC 6066, Section 8; RFC 8446, Section
    /// 4.4.2.1), or why there is none. This is what the handshake calls.
    ///
    /// The default ignores the staple and calls [`Self::verify_server_cert`],
    /// so a verifier written before stapling keeps its behaviour.
    /// [`DefaultServerVerifier`] overrides it: a stapled response must be
    /// valid and say "good" ([`ocsp::check_staple`]), and a must-staple
    /// certificate without one is refused.
    fn verify_server_cert_with_ocsp(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        staple: OcspStaple<'_>,
        now: SystemTime,
    ) -> Result<(), CertificateError> {
        let _ = staple;
        self.verify_server_cert(end_entity, intermediates, server_name, now)
    }

    /// Checks a TLS 1.3 CertificateVerify signature by the end-entity
    /// certificate's key. `message` is the signed content of RFC 8446, Section
    /// 4.4.3 (64 spaces, context string, 0, transcript hash).
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        check_tls13_signature(message, end_entity, scheme, signature)
    }

    /// Checks a TLS 1.2 ServerKeyExchange signature by the end-entity
    /// certificate's key; `message` is client_random + server_random + params
    /// (RFC 5246, Section 7.4.3).
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        check_tls12_signature(message, end_entity, scheme, signature)
    }

    /// The schemes to offer in signature_algorithms, most preferred first.
    fn supported_schemes(&self) -> &[SignatureScheme] {
        SUPPORTED_VERIFY_SCHEMES
    }
}

/// Checks a client's certificate chain on a server that asked for one.
pub trait ClientCertVerifier: Send + Sync + fmt::Debug {
    /// Checks that `end_entity` (DER), with the client's `intermediates`,
    /// chains to a trusted root and is valid at `now`.
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        now: SystemTime,
    ) -> Result<(), CertificateError>;

    /// Checks a TLS 1.3 CertificateVerify signature by the client
    /// certificate's key (see [`ServerCertVerifier::verify_tls13_signature`]).
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        check_tls13_signature(message, end_entity, scheme, signature)
    }

    /// Checks a TLS 1.2 CertificateVerify signature by the client
    /// certificate's key; `message` is the handshake messages so far (RFC 5246,
    /// Section 7.4.8).
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        check_tls12_signature(message, end_entity, scheme, signature)
    }

    /// The schemes to offer in the CertificateRequest, most preferred first.
    fn supported_schemes(&self) -> &[SignatureScheme] {
        SUPPORTED_VERIFY_SCHEMES
    }

    /// Whether a client must present a certificate. If true (the default), an
    /// empty client Certificate ends the handshake with certificate_required
    /// (RFC 8446, Section 4.4.2.4); if false, the client may stay anonymous.
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    /// Raw DER subject names of the acceptable roots, to list in
    /// certificate_authorities; empty means "no hint".
    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// The end-entity certificate's DER SubjectPublicKeyInfo: read without a
/// full parse, which only runs to explain a certificate that is not X.509.
fn end_entity_spki(end_entity: &[u8]) -> Result<&[u8], Error> {
    if let Some(leaf) = checks::LeafKey::read(end_entity) {
        return Ok(leaf.spki);
    }
    match x509_parser::parse_x509_certificate(end_entity) {
        Ok((_, cert)) => Ok(cert.tbs_certificate.subject_pki.raw),
        Err(e) => Err(CertificateError::BadEncoding(format!(
            "certificate 0 is not valid X.509: {e}"
        ))
        .into()),
    }
}

/// Checks a TLS 1.3 CertificateVerify: the default behind both verifier traits.
///
/// RFC 8446, Section 4.4.3: RSA signatures MUST use RSASSA-PSS, and SHA-1 is
/// not allowed, whatever the peer offered; and the scheme must fit the key
/// (Section 4.2.3: ecdsa_secp256r1_sha256 needs a P-256 key). Refusing these
/// before verifying closes the door on cross-protocol and downgrade games where
/// a signature made for one algorithm is replayed under another. Those are
/// protocol violations (illegal_parameter); a signature that simply does not
/// verify is decrypt_error. Whether we offered `scheme` is the handshake's
/// check: it knows what it sent.
pub fn check_tls13_signature(
    message: &[u8],
    end_entity: &[u8],
    scheme: SignatureScheme,
    signature: &[u8],
) -> Result<(), Error> {
    use SignatureScheme as S;
    match scheme {
        S::RSA_PSS_RSAE_SHA256
        | S::RSA_PSS_RSAE_SHA384
        | S::RSA_PSS_RSAE_SHA512
        | S::ECDSA_SECP256R1_SHA256
        | S::ECDSA_SECP384R1_SHA384
        | S::ED25519 => {}
        _ => {
            return Err(PeerMisbehaved::IllegalParameter(
                "CertificateVerify uses a signature scheme not allowed in TLS 1.3",
            )
            .into())
        }
    }
    let spki = end_entity_spki(end_entity)?;
    if !sign::scheme_matches_key(scheme, spki) {
        return Err(PeerMisbehaved::IllegalParameter(
            "CertificateVerify signature scheme does not match the certificate's key",
        )
        .into());
    }
    sign::verify_signature(scheme, spki, message, signature)
        .map_err(|_| PeerMisbehaved::BadSignature.into())
}

/// Checks a TLS 1.2 signature (ServerKeyExchange or CertificateVerify).
///
/// TLS 1.2 allows rsa_pkcs1_*; SHA-1 schemes are still refused, and the key
/// type must fit the scheme (an RSA scheme from an EC key is illegal_parameter).
pub fn check_tls12_signature(
    message: &[u8],
    end_entity: &[u8],
    scheme: SignatureScheme,
    signature: &[u8],
) -> Result<(), Error> {
    use sign::KeyAlgorithm as K;
    use SignatureScheme as S;
    let spki = end_entity_spki(end_entity)?;
    let key = sign::PublicKey::from_spki(spki).map_err(|why| {
        Error::from(CertificateError::Unsupported(format!(
            "certificate 0: {why}"
        )))
    })?;
    let fits = matches!(
        (scheme, key.algorithm),
        (
            S::RSA_PSS_RSAE_SHA256
                | S::RSA_PSS_RSAE_SHA384
                | S::RSA_PSS_RSAE_SHA512
                | S::RSA_PKCS1_SHA256
                | S::RSA_PKCS1_SHA384
                | S::RSA_PKCS1_SHA512,
            K::Rsa
        ) | (
            S::ECDSA_SECP256R1_SHA256 | S::ECDSA_SECP384R1_SHA384,
            K::EcdsaP256 | K::EcdsaP384
        ) | (S::ED25519, K::Ed25519)
    );
    if !fits {
        return Err(PeerMisbehaved::IllegalParameter(
            "signature scheme is not allowed or does not match the certificate's key",
        )
        .into());
    }
    sign::verify_tls12_signature(scheme, spki, message, signature)
        .map_err(|_| PeerMisbehaved::BadSignature.into())
}

/// Checks that `key` is the private key for the public key in `cert_der`, so a
/// server refuses to start with a `privkey.pem` that does not belong to its
/// `fullchain.pem` instead of failing every handshake.
pub fn check_key_matches_certificate(key: &SigningKey, cert_der: &[u8]) -> Result<(), Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|e| Error::Config(format!("certificate is not valid X.509: {e}")))?;
    let spki = cert.tbs_certificate.subject_pki.raw;
    match sign::PublicKey::from_spki(spki) {
        Ok(public) if public.algorithm == key.algorithm() && public.key == key.public_key() => {
            Ok(())
        }
        Ok(public) => Err(Error::Config(format!(
            "the private key ({key:?}) does not belong to the certificate for {} ({public} key)",
            cert.subject()
        ))),
        Err(why) => Err(Error::Config(format!(
            "the certificate for {} has an unusable key: {why}",
            cert.subject()
        ))),
    }
}
