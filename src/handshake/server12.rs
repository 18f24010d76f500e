//! The TLS 1.2 server handshake (RFC 5246, Section 7.3), entered when the
//! ClientHello's best common version is TLS 1.2:
//!
//! ```text
//! read_client_hello -> send_server_flight: ServerHello, Certificate,
//!   [CertificateStatus], [ServerKeyExchange (ECDHE)], [CertificateRequest],
//!   ServerHelloDone
//!   -> [read_client_certificate] -> read_client_key_exchange
//!   -> [read_client_certificate_verify] -> read ChangeCipherSpec
//!   -> read_client_finished -> send ChangeCipherSpec, Finished
//! ```
//!
//! CertificateStatus (RFC 6066, Section 8) comes when the client asked for
//! OCSP and the certificate has a response to staple. The bracketed client
//! messages come only when the configuration has a client verifier;
//! CertificateVerify only after a non-empty Certificate.

use std::sync::Arc;

use super::client12::{derive_master_secret_with, DOWNGRADE_TLS12};
use super::negotiate::{choose_signature_scheme, find, server_alpn, server_name, stapled_response};
use super::{accept_client_chain, check_offered_scheme, peer_leaf, take_tls12_chain, unexpected};
use crate::codec::extensions::Extension;
use crate::codec::messages::{
    Certificate12, CertificateRequest12, CertificateStatus, CertificateVerify, ClientHello,
    ClientKeyExchange, EcdheServerParams, Finished, HandshakeMessage, ServerHello,
    ServerKeyExchange,
};
use crate::codec::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::crypto::kx::{self, KeyShare};
use crate::crypto::sign::SigningKey;
use crate::crypto::{KeyExchange, Tls12Suite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter};
use crate::keys::tls12::{FinishedLabel, KeyBlock, MasterSecret};
use crate::pki::LeafKeyUsage;
use crate::server::{CertifiedKey, ServerConfig};
use crate::sites::{certificate_curve, choose_certificate, tls12_authentication};
use crate::transcript::Transcript;

/// The steps of a TLS 1.2 server handshake; each names the message expected next.
pub(crate) enum Step {
    ClientCertificate(Box<Handshake>),
    ClientKeyExchange(Box<Handshake>),
    ClientCertificateVerify(Box<Handshake>),
    ChangeCipherSpec(Box<Handshake>),
    ClientFinished(Box<Handshake>),
    /// The handshake is complete.
    Traffic,
}

/// What a TLS 1.2 server handshake carries from ClientHello to Finished.
pub(crate) struct Handshake {
    config: Arc<ServerConfig>,
    /// The certificate chosen for this handshake (see `sites`).
    certified_key: Arc<CertifiedKey>,
    transcript: Transcript,
    suite: Tls12Suite,
    client_random: [u8; 32],
    server_random: [u8; 32],
    extended_master_secret: bool,
    /// Our ECDHE private key, for the client's share.
    key_share: Option<KeyShare>,
    /// The client sent a certificate, so a CertificateVerify follows its
    /// ClientKeyExchange.
    client_certified: bool,
    master_secret: Option<MasterSecret>,
    key_block: Option<KeyBlock>,
}

impl Step {
    /// Handles one handshake message; `raw` is its encoding for the transcript.
    pub(crate) fn handle(
        self,
        cx: &mut Common,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Step, Error> {
        match (self, msg) {
            (Step::ClientCertificate(h), HandshakeMessage::Certificate12(c)) => {
                read_client_certificate(h, cx, c, raw)
            }
            (Step::ClientKeyExchange(h), HandshakeMessage::ClientKeyExchange(cke)) => {
                read_client_key_exchange(h, cx, &cke, raw)
            }
            (Step::ClientCertificateVerify(h), HandshakeMessage::CertificateVerify(cv)) => {
                read_client_certificate_verify(h, cx, &cv, raw)
            }
            (Step::ClientFinished(h), HandshakeMessage::Finished(f)) => {
                read_client_finished(h, cx, &f, raw)
            }
            (step, msg) => Err(unexpected(step.expects(), &msg)),
        }
    }

    /// RFC 5246, Section 7.1: the client's ChangeCipherSpec switches our read keys.
    pub(crate) fn handle_change_cipher_spec(self, cx: &mut Common) -> Result<Step, Error> {
        let Step::ChangeCipherSpec(h) = self else {
            return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into());
        };
        let keys = h
            .key_block
            .as_ref()
            .ok_or(Error::Internal("key block missing"))?;
        cx.install_tls12_read(
            h.suite.aead,
            &keys.client_write_key,
            &keys.client_write_iv,
            "client_write_key",
        )?;
        Ok(Step::ClientFinished(h))
    }

    fn expects(&self) -> &'static str {
        match self {
            Step::ClientCertificate(_) => "Certificate",
            Step::ClientKeyExchange(_) => "ClientKeyExchange",
            Step::ClientCertificateVerify(_) => "CertificateVerify",
            Step::ChangeCipherSpec(_) => "ChangeCipherSpec",
            Step::ClientFinished(_) => "Finished",
            Step::Traffic => "no handshake message",
        }
    }
}

/// The record_size_limit we advertise: the largest TLS 1.2 plaintext (RFC
/// 8449, Section 4).
const MAX_RECORD_SIZE_LIMIT: u16 = crate::record::MAX_PLAINTEXT as u16;

/// The suite, group and signature scheme for this client: the first of our
/// suites the client offered whose authentication fits the certificate's
/// `key`, for which a group (ECDHE) and a signature scheme can be agreed.
fn select(
    config: &ServerConfig,
    key: &SigningKey,
    ch: &ClientHello,
) -> Result<(Tls12Suite, Option<(NamedGroup, SignatureScheme)>), Error> {
    let auth = tls12_authentication(key.algorithm());
    // RFC 8422, Section 4: without supported_groups the client accepts any curve.
    let client_groups = find(ch, |e| match e {
        Extension::SupportedGroups(g) => Some(g.as_slice()),
        _ => None,
    });
    // draft-ietf-tls-ecdhe-mlkem, Section 3: the hybrids are TLS 1.3 only.
    let group = config
        .groups
        .iter()
        .copied()
        .filter(|g| !kx::is_hybrid(*g))
        .find(|g| client_groups.is_none_or(|list| list.contains(g)));
    // RFC 5246, Section 7.4.1.4.1: without signature_algorithms a client
    // accepts only SHA-1 signatures, which we do not make.
    let client_schemes = find(ch, |e| match e {
        Extension::SignatureAlgorithms(s) => Some(s.as_slice()),
        _ => None,
    })
    .unwrap_or_default();
    let scheme = choose_signature_scheme(key.tls12_schemes(), client_schemes);
    // RFC 8422, Sections 5.1 and 5.3: an ECDSA certificate is only usable if
    // the client supports its curve; otherwise no ECDHE_ECDSA suite will do.
    let unusable_curve = certificate_curve(key.algorithm())
        .filter(|curve| client_groups.is_some_and(|list| !list.contains(curve)));
    let mut saw_suite = false;
    for suite in &config.protocols.tls12 {
        if !ch.cipher_suites.contains(&suite.suite) || suite.auth != auth {
            continue;
        }
        if let Some(curve) = unusable_curve {
            return Err(PeerIncompatible::CertificateCurveNotOffered(curve).into());
        }
        saw_suite = true;
        match suite.kx {
            KeyExchange::Rsa if key.rsa_decryption_key().is_ok() => return Ok((*suite, None)),
            KeyExchange::Rsa => {}
            KeyExchange::Ecdhe => {
                if let (Some(group), Some(scheme)) = (group, scheme) {
                    return Ok((*suite, Some((group, scheme))));
                }
            }
        }
    }
    Err(match (saw_suite, group, scheme) {
        (false, _, _) => PeerIncompatible::NoCommonCipherSuite,
        (true, None, _) => PeerIncompatible::NoCommonGroup,
        (true, _, _) => PeerIncompatible::NoCommonSignatureScheme,
    }
    .into())
}

/// RFC 5246, Section 7.4.1.2-3, with RFC 7627, RFC 5746, RFC 8422 and the
/// RFC 8446 downgrade sentinel.
pub(crate) fn read_client_hello(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    ch: ClientHello,
    raw: &[u8],
) -> Result<Step, Error> {
    cx.hello_seen = true;
    cx.client_random = ch.random;
    if !ch.legacy_compression_methods.contains(&0) {
        return Err(PeerMisbehaved::IllegalParameter("no null compression method").into());
    }
    // RFC 5746, Section 3.6: an initial ClientHello signals secure
    // renegotiation with the SCSV or an empty renegotiation_info.
    let renegotiation_info = find(&ch, |e| match e {
        Extension::RenegotiationInfo(body) => Some(body),
        _ => None,
    });
    if renegotiation_info.is_some_and(|body| !body.is_empty()) {
        return Err(PeerMisbehaved::BadRenegotiationInfo.into());
    }
    let secure_renegotiation = renegotiation_info.is_some()
        || ch
            .cipher_suites
            .contains(&crate::codec::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    let extended_master_secret = find(&ch, |e| {
        matches!(e, Extension::ExtendedMasterSecret).then_some(())
    })
    .is_some();
    if !extended_master_secret && config.protocols.require_ems {
        return Err(PeerIncompatible::ExtendedMasterSecretRequired.into());
    }
    // RFC 8422, Section 5.1.2: a client listing point formats must accept uncompressed.
    let point_formats = find(&ch, |e| match e {
        Extension::EcPointFormats(f) => Some(f),
        _ => None,
    });
    if point_formats.is_some_and(|f| !f.contains(&0)) {
        return Err(PeerMisbehaved::IllegalParameter("ec_point_formats lacks uncompressed").into());
    }
    let sni = server_name(&ch)?;
    let certified_key = choose_certificate(&config, &ch, ProtocolVersion::TLS12, sni.as_deref())?;
    let (suite, ecdhe) = select(&config, &certified_key.key, &ch)?;
    let alpn = server_alpn(&config.alpn, &ch)?;
    let ocsp_response = stapled_response(&ch, &certified_key);

    let mut server_random = [0u8; 32];
    cx.rng.fill(&mut server_random)?;
    // RFC 8446, Section 4.1.3: a server that could have spoken TLS 1.3 says so
    // in its random, so a TLS 1.3 client can detect a downgrade.
    if !config.protocols.tls13.is_empty() {
        if let Some(tail) = server_random.get_mut(24..) {
            tail.copy_from_slice(&DOWNGRADE_TLS12);
        }
    }

    let mut extensions = Vec::new();
    if secure_renegotiation {
        extensions.push(Extension::RenegotiationInfo(Vec::new()));
    }
    if extended_master_secret {
        extensions.push(Extension::ExtendedMasterSecret);
    }
    if ecdhe.is_some() && point_formats.is_some() {
        extensions.push(Extension::EcPointFormats(vec![0]));
    }
    if sni.is_some() {
        extensions.push(Extension::ServerNameAck);
    }
    // RFC 6066, Section 8: an empty status_request says a CertificateStatus follows.
    if ocsp_response.is_some() {
        extensions.push(Extension::StatusRequest(Vec::new()));
    }
    // RFC 8449, Section 4: answer a record_size_limit with ours (the TLS 1.2
    // maximum, 2^14) and keep our protected records within the client's.
    if let Some(limit) = find(&ch, |e| match e {
        Extension::RecordSizeLimit(limit) => Some(*limit),
        _ => None,
    }) {
        cx.peer_record_size_limit = Some(limit);
        extensions.push(Extension::RecordSizeLimit(MAX_RECORD_SIZE_LIMIT));
    }
    if let Some(protocol) = &alpn {
        extensions.push(Extension::Alpn(vec![protocol.clone()]));
    }
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLS12,
        random: server_random,
        // No session resumption: an empty session id says "not cached".
        legacy_session_id_echo: Vec::new(),
        cipher_suite: suite.suite,
        legacy_compression_method: 0,
        extensions,
    };
    let mut transcript = Transcript::new();
    if config.client_verifier.is_some() {
        transcript.keep_messages()?;
    }
    transcript.start_hash(suite.hash);
    transcript.add(raw);
    cx.send_handshake(&HandshakeMessage::ServerHello(sh), &mut transcript)?;

    cx.negotiated.version = Some(ProtocolVersion::TLS12);
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.negotiated.alpn = alpn.clone();
    cx.negotiated.server_name = sni.clone();
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS12)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));
    cx.emit(Event::Chosen(Parameter::Alpn(alpn)));
    cx.emit(Event::Chosen(Parameter::ServerName(sni)));

    let certificate = Certificate12 {
        certificate_list: certified_key.chain.clone(),
    };
    cx.send_handshake(
        &HandshakeMessage::Certificate12(certificate),
        &mut transcript,
    )?;
    if let Some(response) = ocsp_response {
        let status = CertificateStatus {
            ocsp_response: response.to_vec(),
        };
        cx.send_handshake(
            &HandshakeMessage::CertificateStatus(status),
            &mut transcript,
        )?;
        cx.negotiated.ocsp_response = Some(response.to_vec());
    }

    let key_share = match ecdhe {
        Some((group, scheme)) => {
            let share = KeyShare::generate(group, &mut cx.rng)?;
            let ske = server_key_exchange(
                &certified_key.key,
                cx,
                &ch.random,
                &server_random,
                &share,
                scheme,
            )?;
            cx.send_handshake(&HandshakeMessage::ServerKeyExchange(ske), &mut transcript)?;
            cx.negotiated.group = Some(group);
            cx.negotiated.signature_scheme = Some(scheme);
            cx.emit(Event::Chosen(Parameter::Group(group)));
            cx.emit(Event::Chosen(Parameter::SignatureScheme(scheme)));
            Some(share)
        }
        None => None,
    };
    if config.client_verifier.is_some() {
        let cr = CertificateRequest12 {
            certificate_types: vec![
                CertificateRequest12::RSA_SIGN,
                CertificateRequest12::ECDSA_SIGN,
            ],
            supported_signature_algorithms: config.client_auth_schemes.clone(),
            certificate_authorities: config.client_ca_hints.clone(),
        };
        cx.send_handshake(&HandshakeMessage::CertificateRequest12(cr), &mut transcript)?;
    }
    cx.send_handshake(&HandshakeMessage::ServerHelloDone, &mut transcript)?;

    let h = Box::new(Handshake {
        certified_key,
        transcript,
        suite,
        client_random: ch.random,
        server_random,
        extended_master_secret,
        key_share,
        client_certified: false,
        master_secret: None,
        key_block: None,
        config,
    });
    Ok(match h.config.client_verifier {
        Some(_) => Step::ClientCertificate(h),
        None => Step::ClientKeyExchange(h),
    })
}

/// RFC 8422, Section 5.4: ServerECDHParams (named curve, our public point)
/// and a signature over client_random + server_random + those params.
fn server_key_exchange(
    key: &SigningKey,
    cx: &mut Common,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    share: &KeyShare,
    scheme: SignatureScheme,
) -> Result<ServerKeyExchange, Error> {
    let mut params =
        EcdheServerParams::new(share.group(), share.public().to_vec(), scheme, Vec::new())?;
    let signed = params.signed_content(client_random, server_random);
    params.signature = key.sign(scheme, &signed, &mut cx.rng)?;
    ServerKeyExchange::from_ecdhe(&params)
}

/// RFC 5246, Section 7.4.6: the client's chain, checked by the verifier. An
/// empty one is the verifier's call; a verifier that requires a certificate
/// answers it with handshake_failure (TLS 1.2 has no certificate_required).
fn read_client_certificate(
    mut h: Box<Handshake>,
    cx: &mut Common,
    c: Certificate12,
    raw: &[u8],
) -> Result<Step, Error> {
    let chain = take_tls12_chain(cx, c)?;
    h.transcript.add(raw);
    let verifier = h.config.requested_client_verifier()?;
    let missing = PeerIncompatible::ClientCertificateRequired.into();
    h.client_certified = accept_client_chain(cx, verifier, chain, missing)?;
    if !h.client_certified {
        // No CertificateVerify will need the messages.
        h.transcript.take_messages()?;
    }
    Ok(Step::ClientKeyExchange(h))
}

fn read_client_key_exchange(
    mut h: Box<Handshake>,
    cx: &mut Common,
    cke: &ClientKeyExchange,
    raw: &[u8],
) -> Result<Step, Error> {
    let pre_master_secret = match h.suite.kx {
        KeyExchange::Ecdhe => {
            let share = h.key_share.take().ok_or(Error::Internal("no key share"))?;
            share.agree(cke.ecdhe_public()?)?
        }
        // RFC 5246, Section 7.4.7.1: never fails here; a bad pre-master secret
        // fails at Finished like a wrong one (see rsa_kx for why).
        KeyExchange::Rsa => {
            let key = h.certified_key.key.rsa_decryption_key()?;
            super::rsa_kx::server_decrypt(key, cke, &mut cx.rng)?
        }
    };
    h.transcript.add(raw);
    let master = derive_master_secret_with(
        cx,
        h.suite,
        h.extended_master_secret,
        &h.transcript,
        &h.client_random,
        &h.server_random,
        &pre_master_secret,
    )?;
    h.key_block = Some(master.key_block(h.suite.aead, &h.client_random, &h.server_random));
    h.master_secret = Some(master);
    Ok(match h.client_certified {
        true => Step::ClientCertificateVerify(h),
        false => Step::ChangeCipherSpec(h),
    })
}

/// RFC 5246, Section 7.4.8: the client's signature over every handshake
/// message before this one, with a scheme from our CertificateRequest.
fn read_client_certificate_verify(
    mut h: Box<Handshake>,
    cx: &mut Common,
    cv: &CertificateVerify,
    raw: &[u8],
) -> Result<Step, Error> {
    let verifier = h.config.requested_client_verifier()?;
    check_offered_scheme(&h.config.client_auth_schemes, cv.algorithm)?;
    let messages = h.transcript.take_messages()?;
    verifier.verify_tls12_signature(
        &messages,
        peer_leaf(cx, LeafKeyUsage::DigitalSignature)?,
        cv.algorithm,
        &cv.signature,
    )?;
    h.transcript.add(raw);
    Ok(Step::ChangeCipherSpec(h))
}

fn read_client_finished(
    mut h: Box<Handshake>,
    cx: &mut Common,
    f: &Finished,
    raw: &[u8],
) -> Result<Step, Error> {
    let master = h
        .master_secret
        .take()
        .ok_or(Error::Internal("master secret missing"))?;
    // RFC 5246, Section 7.4.9: compared in constant time; a mismatch is decrypt_error.
    master.verify_finished(
        FinishedLabel::Client,
        h.transcript.current_hash()?.as_ref(),
        &f.verify_data,
    )?;
    h.transcript.add(raw);
    let keys = h
        .key_block
        .take()
        .ok_or(Error::Internal("key block missing"))?;
    cx.send_change_cipher_spec()?;
    cx.install_tls12_write(
        h.suite.aead,
        &keys.server_write_key,
        &keys.server_write_iv,
        "server_write_key",
    )?;
    let verify_data =
        master.verify_data(FinishedLabel::Server, h.transcript.current_hash()?.as_ref());
    cx.send_handshake(
        &HandshakeMessage::Finished(Finished {
            verify_data: verify_data.to_vec(),
        }),
        &mut h.transcript,
    )?;
    cx.start_traffic_tls12(master, h.client_random, h.server_random);
    Ok(Step::Traffic)
}
