//! The handshake state machines, one file per side and version, plus the
//! pieces both sides of TLS 1.3 share: the key schedule steps and the
//! CertificateVerify content.
//!
//! Each side is an enum of named steps whose variants carry only the data
//! valid at that point; `handle` matches on (step, message) and calls one
//! straight-line function per message. Steps never do I/O: they queue records
//! through [`crate::conn::Common`].
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub(crate) mod client12;
pub(crate) mod client13;
pub(crate) mod negotiate;
pub(crate) mod rsa_kx;
pub(crate) mod server12;
pub(crate) mod server13;
pub(crate) mod tls12;

#[cfg(test)]
mod rfc8448;

use crate::codec::extensions::{Extension, OfferedPsks};
use crate::codec::messages::{
    Certificate, Certificate12, CertificateStatus, CertificateVerify, HandshakeMessage,
};
use crate::conn::Common;
use crate::crypto::HashAlgorithm;
use crate::error::{CertificateError, Error, Limit, PeerMisbehaved};
use crate::events::Event;
use crate::keys::tls13::{
    EarlySecret, ExporterSecret, HandshakeSecret, MasterSecret, ResumptionMasterSecret,
    TrafficSecret,
};
use crate::pki::OcspStaple;
use crate::transcript::Transcript;

/// The signature schemes that may sign a TLS 1.3 CertificateVerify
/// (RFC 8446, Section 4.2.3: never rsa_pkcs1_*).
pub(crate) const TLS13_VERIFY_SCHEMES: &[crate::codec::SignatureScheme] = {
    use crate::codec::SignatureScheme as S;
    &[
        S::ECDSA_SECP256R1_SHA256,
        S::ECDSA_SECP384R1_SHA384,
        S::ED25519,
        S::RSA_PSS_RSAE_SHA256,
        S::RSA_PSS_RSAE_SHA384,
        S::RSA_PSS_RSAE_SHA512,
    ]
};

/// The signature schemes to offer and accept for a verifier that supports
/// `verifier_schemes`: those of them keyway implements
/// ([`crate::pki::SUPPORTED_VERIFY_SCHEMES`]), in the verifier's order. The
/// result is what a ClientHello's or CertificateRequest's
/// signature_algorithms lists, and the only schemes a peer's signature may
/// then use; empty is a configuration error.
pub(crate) fn offered_schemes(
    verifier_schemes: &[crate::codec::SignatureScheme],
) -> Result<Vec<crate::codec::SignatureScheme>, Error> {
    let offered: Vec<_> = verifier_schemes
        .iter()
        .copied()
        .filter(|s| crate::pki::SUPPORTED_VERIFY_SCHEMES.contains(s))
        .collect();
    match offered.is_empty() {
        true => Err(Error::Config(
            "the certificate verifier supports no signature scheme keyway implements".into(),
        )),
        false => Ok(offered),
    }
}

/// The secrets of the handshake stage.
pub(crate) struct HandshakeSecrets {
    pub handshake_secret: HandshakeSecret,
    pub client_handshake_traffic_secret: TrafficSecret,
    pub server_handshake_traffic_secret: TrafficSecret,
}

/// The secrets of the application stage.
pub(crate) struct ApplicationSecrets {
    pub client_application_traffic_secret_0: TrafficSecret,
    pub server_application_traffic_secret_0: TrafficSecret,
    pub exporter_master_secret: ExporterSecret,
    /// Kept for resumption_master_secret, which needs the client's Finished.
    pub master_secret: MasterSecret,
}

/// RFC 8446, Section 7.1: `early` (the Early Secret, from a resumption PSK
/// or none) -> handshake secret from the (EC)DHE shared secret (zeros for
/// psk_ke) -> both handshake traffic secrets over Hash(ClientHello..ServerHello).
/// Logs them for the key log.
pub(crate) fn derive_handshake_secrets(
    cx: &mut Common,
    early: EarlySecret,
    resumed: bool,
    shared_secret: &[u8],
    transcript: &Transcript,
) -> Result<HandshakeSecrets, Error> {
    cx.emit(Event::SecretDerived {
        name: "early_secret",
        from: match resumed {
            true => "HKDF-Extract(0, PSK): the resumption PSK of the ticket",
            false => "HKDF-Extract(0, 0): no PSK",
        },
    });
    let handshake_secret = early.into_handshake_secret(shared_secret);
    cx.emit(Event::SecretDerived {
        name: "handshake_secret",
        from: "HKDF-Extract(Derive-Secret(early_secret, \"derived\"), (EC)DHE shared secret)",
    });
    let hello_hash = transcript.current_hash()?;
    let client = handshake_secret.client_handshake_traffic_secret(&hello_hash);
    let server = handshake_secret.server_handshake_traffic_secret(&hello_hash);
    for name in [
        "client_handshake_traffic_secret",
        "server_handshake_traffic_secret",
    ] {
        cx.emit(Event::SecretDerived {
            name,
            from: "Derive-Secret(handshake_secret, Hash(ClientHello..ServerHello))",
        });
    }
    cx.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &client);
    cx.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", &server);
    Ok(HandshakeSecrets {
        handshake_secret,
        client_handshake_traffic_secret: client,
        server_handshake_traffic_secret: server,
    })
}

/// RFC 8446, Section 7.1: client_early_traffic_secret over Hash(ClientHello),
/// the key of 0-RTT early data; logged as CLIENT_EARLY_TRAFFIC_SECRET.
pub(crate) fn derive_early_traffic_secret(
    cx: &mut Common,
    early: &EarlySecret,
    transcript: &Transcript,
) -> Result<TrafficSecret, Error> {
    let secret = early.client_early_traffic_secret(&transcript.current_hash()?);
    cx.emit(Event::SecretDerived {
        name: "client_early_traffic_secret",
        from: "Derive-Secret(early_secret, Hash(ClientHello))",
    });
    cx.log_secret("CLIENT_EARLY_TRAFFIC_SECRET", &secret);
    Ok(secret)
}

/// RFC 8446, Section 7.1: master secret -> application traffic secrets and
/// exporter master secret over Hash(ClientHello..server Finished).
pub(crate) fn derive_application_secrets(
    cx: &mut Common,
    handshake_secret: HandshakeSecret,
    transcript: &Transcript,
) -> Result<ApplicationSecrets, Error> {
    let master = handshake_secret.into_master_secret();
    cx.emit(Event::SecretDerived {
        name: "master_secret",
        from: "HKDF-Extract(Derive-Secret(handshake_secret, \"derived\"), 0)",
    });
    let hash = transcript.current_hash()?;
    let client = master.client_application_traffic_secret_0(&hash);
    let server = master.server_application_traffic_secret_0(&hash);
    let exporter = master.exporter_master_secret(&hash);
    for name in [
        "client_application_traffic_secret_0",
        "server_application_traffic_secret_0",
        "exporter_master_secret",
    ] {
        cx.emit(Event::SecretDerived {
            name,
            from: "Derive-Secret(master_secret, Hash(ClientHello..server Finished))",
        });
    }
    cx.log_secret("CLIENT_TRAFFIC_SECRET_0", &client);
    cx.log_secret("SERVER_TRAFFIC_SECRET_0", &server);
    cx.key_log.log(
        "EXPORTER_SECRET",
        &cx.client_random,
        exporter.secret().as_bytes(),
    );
    Ok(ApplicationSecrets {
        client_application_traffic_secret_0: client,
        server_application_traffic_secret_0: server,
        exporter_master_secret: exporter,
        master_secret: master,
    })
}

/// RFC 8446, Section 7.1: resumption_master_secret over Hash(ClientHello..
/// client Finished), the source of every ticket's PSK.
pub(crate) fn derive_resumption_master_secret(
    cx: &mut Common,
    master: &MasterSecret,
    transcript: &Transcript,
) -> Result<ResumptionMasterSecret, Error> {
    cx.emit(Event::SecretDerived {
        name: "resumption_master_secret",
        from: "Derive-Secret(master_secret, Hash(ClientHello..client Finished))",
    });
    Ok(master.resumption_master_secret(&transcript.current_hash()?))
}

/// RFC 8446, Section 4.2.11.2: the hash a PSK binder authenticates, over
/// the transcript `before` this ClientHello (empty, or the first ClientHello
/// and HelloRetryRequest) and `hello` (the encoded ClientHello, header
/// included) up to its binders, with the PSK's `hash`. Client and server
/// compute it the same way.
pub(crate) fn binder_hash(
    before: &Transcript,
    hash: HashAlgorithm,
    hello: &[u8],
    offered: &OfferedPsks,
) -> Result<ring::digest::Digest, Error> {
    let cut = hello
        .len()
        .checked_sub(offered.binders_encoded_len())
        .ok_or(Error::Internal("ClientHello shorter than its binders"))?;
    let mut transcript = before.clone();
    transcript.start_hash(hash);
    transcript.add(hello.get(..cut).unwrap_or_default());
    transcript.current_hash()
}

/// The content a CertificateVerify signs (RFC 8446, Section 4.4.3): 64 spaces,
/// the context string, a zero byte, and the transcript hash. The padding
/// keeps a TLS 1.3 signature from being replayable as a TLS 1.2 one.
pub(crate) fn certificate_verify_content(
    context: &[u8],
    transcript_hash: &[u8],
) -> Result<SignedContent, Error> {
    let mut content = SignedContent {
        bytes: [0x20; SignedContent::MAX],
        len: 64,
    };
    for part in [context, &[0], transcript_hash] {
        let end = content.len.saturating_add(part.len());
        content
            .bytes
            .get_mut(content.len..end)
            .ok_or(Error::Internal("CertificateVerify content too long"))?
            .copy_from_slice(part);
        content.len = end;
    }
    Ok(content)
}

/// What a TLS 1.3 CertificateVerify signs, built on the stack.
pub(crate) struct SignedContent {
    bytes: [u8; SignedContent::MAX],
    len: usize,
}

impl SignedContent {
    /// The padding, a context string (both are 33 bytes), the zero byte and the
    /// longest digest (SHA-512's 64 bytes).
    const MAX: usize = 64 + SERVER_SIGNATURE_CONTEXT.len() + 1 + 64;

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// The context string of a server CertificateVerify.
pub(crate) const SERVER_SIGNATURE_CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify";
/// The context string of a client CertificateVerify.
pub(crate) const CLIENT_SIGNATURE_CONTEXT: &[u8] = b"TLS 1.3, client CertificateVerify";

/// A peer's chain (DER, leaf first) and the OCSP response stapled to its leaf.
pub(crate) type ChainAndStaple = (Vec<Vec<u8>>, Option<Vec<u8>>);

/// Takes the peer's chain out of a Certificate message (RFC 8446, Section
/// 4.4.2): the context must be the one we sent (empty, as we never send a
/// non-empty CertificateRequest context), and the chain within our bound.
/// Also returns the OCSP response stapled to the leaf, which only a client
/// that asked for one (`status_requested`) accepts.
pub(crate) fn take_peer_chain(
    cx: &Common,
    c: Certificate,
    status_requested: bool,
) -> Result<ChainAndStaple, Error> {
    if !c.certificate_request_context.is_empty() {
        return Err(
            PeerMisbehaved::IllegalParameter("certificate_request_context is not ours").into(),
        );
    }
    if c.certificate_list.len() > cx.limits.max_chain_len {
        return Err(Limit::ChainLength(cx.limits.max_chain_len).into());
    }
    // RFC 8446, Section 4.2: an entry may carry only what we asked for. We
    // ask for nothing but, when `status_requested`, the leaf's OCSP response
    // (Section 4.4.2.1); never SCTs.
    let mut ocsp_response = None;
    for (i, entry) in c.certificate_list.iter().enumerate() {
        for ext in &entry.extensions {
            match ext {
                Extension::StatusRequest(body) if i == 0 && status_requested => {
                    let status = CertificateStatus::from_extension_body(body)?;
                    ocsp_response = Some(status.ocsp_response);
                }
                other => return Err(PeerMisbehaved::UnsolicitedExtension(other.ext_type()).into()),
            }
        }
    }
    let chain = c
        .certificate_list
        .into_iter()
        .map(|e| e.cert_data)
        .collect();
    Ok((chain, ocsp_response))
}

/// What a client hands its verifier about the server's OCSP staple: the
/// response, or why there is none.
pub(crate) fn ocsp_staple(requested: bool, response: Option<&[u8]>) -> OcspStaple<'_> {
    match (response, requested) {
        (Some(response), _) => OcspStaple::Response(response),
        (None, true) => OcspStaple::Missing,
        (None, false) => OcspStaple::NotRequested,
    }
}

/// Checks a server's chain and OCSP staple with the client's verifier (RFC
/// 8446, Section 4.4.2.4 / RFC 5246, Section 7.4.2: an empty chain is
/// decode_error) and records both as the peer's.
pub(crate) fn accept_server_chain(
    cx: &mut Common,
    verifier: &dyn crate::pki::ServerCertVerifier,
    server_name: &crate::pki::ServerName,
    chain: Vec<Vec<u8>>,
    staple: OcspStaple<'_>,
) -> Result<(), Error> {
    let (leaf, intermediates) =
        chain
            .split_first()
            .ok_or(crate::error::InvalidMessage::EmptyVector(
                "server certificate_list",
            ))?;
    verifier.verify_server_cert_with_ocsp(
        leaf,
        intermediates,
        server_name,
        staple,
        std::time::SystemTime::now(),
    )?;
    cx.emit(Event::CertificateVerified {
        chain_len: chain.len(),
    });
    cx.negotiated.peer_certificates = chain;
    if let OcspStaple::Response(response) = staple {
        cx.negotiated.ocsp_response = Some(response.to_vec());
    }
    Ok(())
}

/// Takes the peer's chain out of a TLS 1.2 Certificate message, within our bound.
pub(crate) fn take_tls12_chain(cx: &Common, c: Certificate12) -> Result<Vec<Vec<u8>>, Error> {
    if c.certificate_list.len() > cx.limits.max_chain_len {
        return Err(Limit::ChainLength(cx.limits.max_chain_len).into());
    }
    Ok(c.certificate_list)
}

/// Checks the peer's CertificateVerify over the transcript so far (RFC 8446,
/// Section 4.4.3) with `verify`, the peer verifier's signature check.
///
/// The scheme must be one we `offered` that may sign a TLS 1.3
/// CertificateVerify (rsa_pkcs1_* never does): illegal_parameter otherwise.
pub(crate) fn check_certificate_verify(
    cx: &mut Common,
    cv: &CertificateVerify,
    context: &[u8],
    transcript: &Transcript,
    offered: &[crate::codec::SignatureScheme],
    verify: impl FnOnce(&[u8], &[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    if !TLS13_VERIFY_SCHEMES.contains(&cv.algorithm) {
        return Err(PeerMisbehaved::IllegalParameter(
            "CertificateVerify uses a scheme not allowed in TLS 1.3",
        )
        .into());
    }
    check_offered_scheme(offered, cv.algorithm)?;
    let content = certificate_verify_content(context, transcript.current_hash()?.as_ref())?;
    verify(
        content.as_bytes(),
        peer_leaf(cx, crate::pki::LeafKeyUsage::DigitalSignature)?,
    )
}

/// Refuses a CertificateVerify whose scheme we did not offer (illegal_parameter).
pub(crate) fn check_offered_scheme(
    offered: &[crate::codec::SignatureScheme],
    scheme: crate::codec::SignatureScheme,
) -> Result<(), Error> {
    match offered.contains(&scheme) {
        true => Ok(()),
        false => Err(PeerMisbehaved::IllegalParameter(
            "CertificateVerify uses a scheme we did not offer",
        )
        .into()),
    }
}

/// The peer's end-entity certificate, from the chain accepted earlier, for
/// `usage`: its keyUsage, when present, must allow what the handshake is about
/// to do with its key (RFC 5280, Section 4.2.1.3; RFC 5246, Section 7.4.2):
/// digitalSignature to check a CertificateVerify or ServerKeyExchange,
/// keyEncipherment to encrypt an RSA pre-master secret. The chain check
/// allowed either, not knowing which it would be.
pub(crate) fn peer_leaf(cx: &Common, usage: crate::pki::LeafKeyUsage) -> Result<&[u8], Error> {
    let leaf = cx
        .negotiated
        .peer_certificates
        .first()
        .ok_or(CertificateError::NoCertificate)?;
    crate::pki::checks::check_key_use(leaf, usage)?;
    Ok(leaf)
}

/// Checks a client's chain with the server's verifier and records it as the
/// peer's. Returns false for an empty chain that the verifier lets through
/// (RFC 8446, Section 4.4.2.4 / RFC 5246, Section 7.4.6: the server's call);
/// `missing` is the error for one it does not.
pub(crate) fn accept_client_chain(
    cx: &mut Common,
    verifier: &dyn crate::pki::ClientCertVerifier,
    chain: Vec<Vec<u8>>,
    missing: Error,
) -> Result<bool, Error> {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return match verifier.client_auth_mandatory() {
            true => Err(missing),
            false => Ok(false),
        };
    };
    verifier.verify_client_cert(leaf, intermediates, std::time::SystemTime::now())?;
    cx.emit(Event::CertificateVerified {
        chain_len: chain.len(),
    });
    cx.negotiated.peer_certificates = chain;
    Ok(true)
}

/// The error for a message that is not allowed at this step.
pub(crate) fn unexpected(expected: &'static str, got: &HandshakeMessage) -> Error {
    let got = match got {
        HandshakeMessage::HelloRetryRequest(_) => "hello_retry_request".to_string(),
        other => format!("{:?}", other.handshake_type()),
    };
    PeerMisbehaved::UnexpectedMessage { expected, got }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8446, Section 4.4.3: 64 spaces, the context string, a zero byte
    /// and the transcript hash; a hash of up to 64 bytes fits, a longer one
    /// is refused.
    #[test]
    fn certificate_verify_content_is_padding_context_zero_and_hash() {
        for hash in [&[0xaa; 32][..], &[0xbb; 48], &[0xcc; 64]] {
            for context in [SERVER_SIGNATURE_CONTEXT, CLIENT_SIGNATURE_CONTEXT] {
                let content = certificate_verify_content(context, hash).unwrap();
                let expected = [&[0x20; 64][..], context, &[0], hash].concat();
                assert_eq!(content.as_bytes(), expected);
            }
        }
        assert_eq!(
            SERVER_SIGNATURE_CONTEXT,
            b"TLS 1.3, server CertificateVerify"
        );
        assert!(certificate_verify_content(CLIENT_SIGNATURE_CONTEXT, &[0; 65]).is_err());
    }
}
