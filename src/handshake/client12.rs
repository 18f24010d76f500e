//! The TLS 1.2 client handshake (RFC 5246, Section 7.3), entered when the
//! ServerHello to our ClientHello selects TLS 1.2:
//!
//! ```text
//! read_server_hello -> read_server_certificate -> [read_certificate_status]
//!   -> [read_server_key_exchange (ECDHE)]
//!   -> [read_certificate_request] -> read_server_hello_done
//!   -> send_client_flight: [Certificate], ClientKeyExchange, [CertificateVerify],
//!      ChangeCipherSpec, Finished
//!   -> read ChangeCipherSpec -> read_server_finished
//! ```

use std::sync::Arc;

use super::client13::ExpectServerHello;
use super::{accept_server_chain, ocsp_staple, peer_leaf, take_tls12_chain, unexpected};
use crate::client::ClientConfig;
use crate::codec::extensions::Extension;
use crate::codec::messages::{
    Certificate12, CertificateRequest12, CertificateVerify, ClientKeyExchange, Finished,
    HandshakeMessage, ServerHello, ServerKeyExchange,
};
use crate::codec::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::crypto::kx::{self, KeyShare};
use crate::crypto::sign::KeyAlgorithm;
use crate::crypto::{tls12_suite, Authentication, KeyExchange, Tls12Suite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter};
use crate::keys::tls12::{FinishedLabel, KeyBlock, MasterSecret};
use crate::pki::{LeafKeyUsage, ServerName};
use crate::server::CertifiedKey;
use crate::transcript::Transcript;

/// The last 8 bytes of ServerHello.random from a TLS 1.3 server that
/// negotiated TLS 1.2 (RFC 8446, Section 4.1.3).
pub(crate) const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The same for TLS 1.1 and below.
pub(crate) const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// The steps of a TLS 1.2 client handshake; each names the message expected next.
pub(crate) enum Step {
    ServerCertificate(Box<Handshake>),
    /// After a ServerHello that acknowledged status_request: a
    /// CertificateStatus may come (RFC 6066, Section 8), and the server's
    /// chain waits in `Handshake::server_chain` to be checked with it.
    CertificateStatus(Box<Handshake>),
    ServerKeyExchange(Box<Handshake>),
    ServerHelloDone(Box<Handshake>),
    ChangeCipherSpec(Box<Handshake>),
    ServerFinished(Box<Handshake>),
    /// The handshake is complete.
    Traffic,
}

/// What a TLS 1.2 client handshake carries from ServerHello to Finished. The
/// fields fill in as messages arrive; each step only reads what exists by then.
pub(crate) struct Handshake {
    config: Arc<ClientConfig>,
    server_name: ServerName,
    transcript: Transcript,
    suite: Tls12Suite,
    client_random: [u8; 32],
    server_random: [u8; 32],
    extended_master_secret: bool,
    /// The ServerHello acknowledged our status_request.
    status_acknowledged: bool,
    /// The server's chain, until a CertificateStatus or its absence lets us
    /// check it.
    server_chain: Vec<Vec<u8>>,
    /// The server's ECDHE share, from ServerKeyExchange.
    server_share: Option<(NamedGroup, Vec<u8>)>,
    certificate_request: Option<CertificateRequest12>,
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
            // RFC 5246, Section 7.4.1.1: a HelloRequest during the handshake is
            // ignored, and is not part of the transcript.
            (step, HandshakeMessage::HelloRequest) if !matches!(step, Step::Traffic) => Ok(step),
            (Step::ServerCertificate(h), HandshakeMessage::Certificate12(c)) => {
                read_server_certificate(h, cx, c, raw)
            }
            (Step::CertificateStatus(h), HandshakeMessage::CertificateStatus(status)) => {
                read_certificate_status(h, cx, Some(&status.ocsp_response), Some(raw))
            }
            // RFC 6066, Section 8: a server that acknowledged status_request
            // "MAY also choose not to send" CertificateStatus.
            (Step::CertificateStatus(h), msg) => {
                read_certificate_status(h, cx, None, None)?.handle(cx, msg, raw)
            }
            (Step::ServerKeyExchange(h), HandshakeMessage::ServerKeyExchange(ske)) => {
                read_server_key_exchange(h, cx, &ske, raw)
            }
            (Step::ServerHelloDone(mut h), HandshakeMessage::CertificateRequest12(cr))
                if h.certificate_request.is_none() =>
            {
                h.certificate_request = Some(cr);
                h.transcript.add(raw);
                Ok(Step::ServerHelloDone(h))
            }
            (Step::ServerHelloDone(h), HandshakeMessage::ServerHelloDone) => {
                read_server_hello_done(h, cx, raw)
            }
            (Step::ServerFinished(h), HandshakeMessage::Finished(f)) => {
                read_server_finished(h, cx, &f)
            }
            (step, msg) => Err(unexpected(step.expects(), &msg)),
        }
    }

    /// RFC 5246, Section 7.1: the server's ChangeCipherSpec switches our read keys.
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
            &keys.server_write_key,
            &keys.server_write_iv,
            "server_write_key",
        )?;
        Ok(Step::ServerFinished(h))
    }

    fn expects(&self) -> &'static str {
        match self {
            Step::ServerCertificate(_) => "Certificate",
            Step::CertificateStatus(_) => "CertificateStatus",
            Step::ServerKeyExchange(_) => "ServerKeyExchange",
            Step::ServerHelloDone(_) => "CertificateRequest or ServerHelloDone",
            Step::ChangeCipherSpec(_) => "ChangeCipherSpec",
            Step::ServerFinished(_) => "Finished",
            Step::Traffic => "no handshake message",
        }
    }
}

/// RFC 5246, Section 7.4.1.3, with the TLS 1.3 downgrade check (RFC 8446,
/// Section 4.1.3) and the extensions we offered (RFC 7627, RFC 5746, RFC 8422).
pub(crate) fn read_server_hello(
    s: ExpectServerHello,
    cx: &mut Common,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Step, Error> {
    let config = s.config;
    // RFC 8446, Section 4.2.1: the version chosen with a HelloRetryRequest
    // (TLS 1.3) must be the one the ServerHello keeps.
    if s.retried.is_some() {
        return Err(PeerMisbehaved::IllegalParameter(
            "TLS 1.2 ServerHello after a HelloRetryRequest",
        )
        .into());
    }
    if sh.legacy_version != ProtocolVersion::TLS12 || config.protocols.tls12.is_empty() {
        return Err(PeerIncompatible::NoCommonVersion.into());
    }
    // RFC 8446, Section 4.1.3: a TLS 1.3 server that answers a TLS 1.3 offer
    // with TLS 1.2 marks its random; seeing the mark means someone downgraded us.
    let tail = sh.random.get(24..).unwrap_or_default();
    if !config.protocols.tls13.is_empty() && (tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11) {
        return Err(PeerMisbehaved::DowngradeDetected.into());
    }
    let suite = tls12_suite(sh.cipher_suite)
        .filter(|suite| config.protocols.tls12.contains(suite))
        .ok_or(PeerIncompatible::ChoseUnofferedParameter("cipher suite"))?;
    if sh.legacy_compression_method != 0 {
        return Err(PeerMisbehaved::IllegalParameter("legacy_compression_method is not 0").into());
    }

    let offered = |typ| {
        s.client_hello
            .extensions
            .iter()
            .any(|e: &Extension| e.ext_type() == typ)
    };
    let mut extended_master_secret = false;
    let mut renegotiation_info = false;
    let mut status_acknowledged = false;
    for ext in &sh.extensions {
        match ext {
            Extension::ExtendedMasterSecret => extended_master_secret = true,
            // RFC 5746, Section 3.4: in an initial handshake it must be empty.
            Extension::RenegotiationInfo(body) if body.is_empty() => renegotiation_info = true,
            Extension::RenegotiationInfo(_) => {
                return Err(PeerMisbehaved::BadRenegotiationInfo.into())
            }
            // RFC 8422, Section 5.2: if present, the server must accept uncompressed points.
            Extension::EcPointFormats(formats) if !formats.contains(&0) => {
                return Err(
                    PeerMisbehaved::IllegalParameter("ec_point_formats lacks uncompressed").into(),
                )
            }
            Extension::EcPointFormats(_) | Extension::ServerNameAck if offered(ext.ext_type()) => {}
            // RFC 6066, Section 8: a CertificateStatus may follow Certificate.
            Extension::StatusRequest(_) if offered(ext.ext_type()) => status_acknowledged = true,
            // RFC 8449, Section 4: our records must fit the server's limit,
            // and its protected records ours.
            Extension::RecordSizeLimit(limit) => match config.record_size_limit {
                Some(ours) => {
                    cx.peer_record_size_limit = Some(*limit);
                    cx.record_size_limit = Some(ours);
                }
                None => return Err(PeerMisbehaved::UnsolicitedExtension(ext.ext_type()).into()),
            },
            Extension::Alpn(chosen) if offered(ext.ext_type()) => match chosen.as_slice() {
                [chosen] if config.alpn.contains(chosen) => {
                    cx.negotiated.alpn = Some(chosen.clone())
                }
                _ => {
                    return Err(
                        PeerIncompatible::ChoseUnofferedParameter("application protocol").into(),
                    )
                }
            },
            other => return Err(PeerMisbehaved::UnsolicitedExtension(other.ext_type()).into()),
        }
    }
    // RFC 5746, Section 3.4: we require secure-renegotiation support (we
    // never renegotiate, but a server without it is one we cannot trust to
    // refuse an attacker's renegotiation).
    if !renegotiation_info {
        return Err(PeerMisbehaved::BadRenegotiationInfo.into());
    }
    if !extended_master_secret && config.protocols.require_ems {
        return Err(PeerIncompatible::ExtendedMasterSecretRequired.into());
    }

    let mut transcript = s.transcript;
    // A CertificateRequest may come; answering it signs the whole handshake.
    if config.client_auth.is_some() {
        transcript.keep_messages()?;
    }
    transcript.start_hash(suite.hash);
    transcript.add(raw);
    cx.negotiated.version = Some(ProtocolVersion::TLS12);
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS12)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));
    cx.emit(Event::Chosen(Parameter::Alpn(cx.negotiated.alpn.clone())));
    Ok(Step::ServerCertificate(Box::new(Handshake {
        config,
        server_name: s.server_name,
        transcript,
        suite,
        client_random: s.client_hello.random,
        server_random: sh.random,
        extended_master_secret,
        status_acknowledged,
        server_chain: Vec::new(),
        server_share: None,
        certificate_request: None,
        master_secret: None,
        key_block: None,
    })))
}

fn read_server_certificate(
    mut h: Box<Handshake>,
    cx: &mut Common,
    c: Certificate12,
    raw: &[u8],
) -> Result<Step, Error> {
    let chain = take_tls12_chain(cx, c)?;
    h.transcript.add(raw);
    if h.status_acknowledged {
        h.server_chain = chain;
        return Ok(Step::CertificateStatus(h));
    }
    let staple = ocsp_staple(h.config.ocsp_stapling, None);
    accept_server_chain(
        cx,
        h.config.verifier.as_ref(),
        &h.server_name,
        chain,
        staple,
    )?;
    Ok(after_server_certificate(h))
}

/// RFC 6066, Section 8: the stapled OCSP response (`raw` is the message), or
/// `None` if the server left CertificateStatus out; either way the chain
/// read before is checked now, with it.
fn read_certificate_status(
    mut h: Box<Handshake>,
    cx: &mut Common,
    ocsp_response: Option<&[u8]>,
    raw: Option<&[u8]>,
) -> Result<Step, Error> {
    let chain = core::mem::take(&mut h.server_chain);
    let staple = ocsp_staple(h.config.ocsp_stapling, ocsp_response);
    accept_server_chain(
        cx,
        h.config.verifier.as_ref(),
        &h.server_name,
        chain,
        staple,
    )?;
    if let Some(raw) = raw {
        h.transcript.add(raw);
    }
    Ok(after_server_certificate(h))
}

/// ServerKeyExchange follows the server's certificate in ECDHE suites only.
fn after_server_certificate(h: Box<Handshake>) -> Step {
    match h.suite.kx {
        KeyExchange::Ecdhe => Step::ServerKeyExchange(h),
        KeyExchange::Rsa => Step::ServerHelloDone(h),
    }
}

/// RFC 8422, Section 5.4: ECDHE parameters signed over both randoms by the
/// certificate key; the curve must be one we offered and the scheme one we
/// offered that fits the suite's authentication.
fn read_server_key_exchange(
    mut h: Box<Handshake>,
    cx: &mut Common,
    ske: &ServerKeyExchange,
    raw: &[u8],
) -> Result<Step, Error> {
    let params = ske.ecdhe()?;
    // draft-ietf-tls-ecdhe-mlkem, Section 3: a hybrid is never a TLS 1.2 curve.
    if !h.config.groups.contains(&params.curve) || kx::is_hybrid(params.curve) {
        return Err(PeerMisbehaved::WrongKeyShareGroup(params.curve).into());
    }
    if !h.config.signature_schemes.contains(&params.scheme)
        || !scheme_fits(h.suite.auth, params.scheme)
    {
        return Err(PeerMisbehaved::IllegalParameter("ServerKeyExchange signature scheme").into());
    }
    let leaf = peer_leaf(cx, LeafKeyUsage::DigitalSignature)?;
    let signed = params.signed_content(&h.client_random, &h.server_random);
    h.config
        .verifier
        .verify_tls12_signature(&signed, leaf, params.scheme, &params.signature)?;
    cx.negotiated.group = Some(params.curve);
    cx.negotiated.signature_scheme = Some(params.scheme);
    cx.emit(Event::Chosen(Parameter::Group(params.curve)));
    cx.emit(Event::Chosen(Parameter::SignatureScheme(params.scheme)));
    h.server_share = Some((params.curve, params.public.clone()));
    h.transcript.add(raw);
    Ok(Step::ServerHelloDone(h))
}

/// True if `scheme` is a signature the suite's certificate type makes.
pub(crate) fn scheme_fits(auth: Authentication, scheme: SignatureScheme) -> bool {
    use SignatureScheme as S;
    match auth {
        Authentication::Ecdsa => {
            matches!(
                scheme,
                S::ECDSA_SECP256R1_SHA256 | S::ECDSA_SECP384R1_SHA384 | S::ED25519
            )
        }
        Authentication::Rsa => matches!(
            scheme,
            S::RSA_PKCS1_SHA256
                | S::RSA_PKCS1_SHA384
                | S::RSA_PKCS1_SHA512
                | S::RSA_PSS_RSAE_SHA256
                | S::RSA_PSS_RSAE_SHA384
                | S::RSA_PSS_RSAE_SHA512
        ),
    }
}

/// The server's flight is complete: send ours (RFC 5246, Section 7.3).
fn read_server_hello_done(
    mut h: Box<Handshake>,
    cx: &mut Common,
    raw: &[u8],
) -> Result<Step, Error> {
    h.transcript.add(raw);
    // RFC 5246, Section 7.4.6: answer a CertificateRequest with our chain if
    // it fits the request, else with an empty one; the server decides whether
    // to go on without.
    let signer = match &h.certificate_request {
        Some(cr) => {
            let signer = client_signer(&h.config, cr);
            let certificate_list = signer.map(|(ck, _)| ck.chain.clone()).unwrap_or_default();
            let certificate = HandshakeMessage::Certificate12(Certificate12 { certificate_list });
            cx.send_handshake(&certificate, &mut h.transcript)?;
            signer
        }
        None => None,
    };
    let pre_master_secret = match h.suite.kx {
        KeyExchange::Ecdhe => {
            let (group, server_public) = h
                .server_share
                .take()
                .ok_or(Error::Internal("no server share"))?;
            let ours = KeyShare::generate(group, &mut cx.rng)?;
            let cke = ClientKeyExchange::from_ecdhe_public(ours.public())?;
            cx.send_handshake(&HandshakeMessage::ClientKeyExchange(cke), &mut h.transcript)?;
            ours.agree(&server_public)?
        }
        KeyExchange::Rsa => {
            let leaf = peer_leaf(cx, LeafKeyUsage::KeyEncipherment)?.to_vec();
            let (encrypted, pre_master_secret) = super::rsa_kx::client_encrypt(&leaf, &mut cx.rng)?;
            let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&encrypted)?;
            cx.send_handshake(&HandshakeMessage::ClientKeyExchange(cke), &mut h.transcript)?;
            pre_master_secret
        }
    };
    let master = derive_master_secret(cx, &h, &pre_master_secret)?;
    let keys = master.key_block(h.suite.aead, &h.client_random, &h.server_random);
    // RFC 5246, Section 7.4.8: sign every handshake message so far.
    if let Some((ck, scheme)) = signer {
        let messages = h.transcript.take_messages()?;
        let signature = ck.key.sign(scheme, &messages, &mut cx.rng)?;
        let cv = CertificateVerify {
            algorithm: scheme,
            signature,
        };
        cx.send_handshake(&HandshakeMessage::CertificateVerify(cv), &mut h.transcript)?;
    }

    cx.send_change_cipher_spec()?;
    cx.install_tls12_write(
        h.suite.aead,
        &keys.client_write_key,
        &keys.client_write_iv,
        "client_write_key",
    )?;
    let verify_data =
        master.verify_data(FinishedLabel::Client, h.transcript.current_hash()?.as_ref());
    cx.send_handshake(
        &HandshakeMessage::Finished(Finished {
            verify_data: verify_data.to_vec(),
        }),
        &mut h.transcript,
    )?;
    h.master_secret = Some(master);
    h.key_block = Some(keys);
    Ok(Step::ChangeCipherSpec(h))
}

/// Our certificate and the scheme to sign with, if we have one the server's
/// CertificateRequest accepts: its certificate type listed (RFC 8422, Section
/// 5.5: ecdsa_sign also covers Ed25519) and a signature scheme in common.
fn client_signer<'a>(
    config: &'a ClientConfig,
    cr: &CertificateRequest12,
) -> Option<(&'a CertifiedKey, SignatureScheme)> {
    let ck = config.client_auth.as_ref()?;
    let certificate_type = match ck.key.algorithm() {
        KeyAlgorithm::Rsa => CertificateRequest12::RSA_SIGN,
        KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::Ed25519 => {
            CertificateRequest12::ECDSA_SIGN
        }
    };
    if !cr.certificate_types.contains(&certificate_type) {
        return None;
    }
    let scheme = super::negotiate::choose_signature_scheme(
        ck.key.tls12_schemes(),
        &cr.supported_signature_algorithms,
    )?;
    Some((ck, scheme))
}

/// RFC 7627, Section 4 (with the session hash through ClientKeyExchange) or
/// RFC 5246, Section 8.1; logged as NSS `CLIENT_RANDOM`.
pub(crate) fn derive_master_secret_with(
    cx: &mut Common,
    suite: Tls12Suite,
    extended: bool,
    transcript: &Transcript,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    pre_master_secret: &[u8],
) -> Result<MasterSecret, Error> {
    let master = match extended {
        true => {
            cx.emit(Event::SecretDerived {
                name: "master_secret",
                from: "PRF(pre_master_secret, \"extended master secret\", Hash(ClientHello..ClientKeyExchange))",
            });
            MasterSecret::derive_extended(
                suite.hash,
                pre_master_secret,
                transcript.current_hash()?.as_ref(),
            )
        }
        false => {
            cx.emit(Event::SecretDerived {
                name: "master_secret",
                from: "PRF(pre_master_secret, \"master secret\", client_random + server_random)",
            });
            MasterSecret::derive(suite.hash, pre_master_secret, client_random, server_random)
        }
    };
    cx.key_log
        .log("CLIENT_RANDOM", client_random, master.as_bytes());
    Ok(master)
}

fn derive_master_secret(
    cx: &mut Common,
    h: &Handshake,
    pre_master_secret: &[u8],
) -> Result<MasterSecret, Error> {
    derive_master_secret_with(
        cx,
        h.suite,
        h.extended_master_secret,
        &h.transcript,
        &h.client_random,
        &h.server_random,
        pre_master_secret,
    )
}

fn read_server_finished(
    mut h: Box<Handshake>,
    cx: &mut Common,
    f: &Finished,
) -> Result<Step, Error> {
    let master = h
        .master_secret
        .take()
        .ok_or(Error::Internal("master secret missing"))?;
    // RFC 5246, Section 7.4.9: compared in constant time; a mismatch is decrypt_error.
    master.verify_finished(
        FinishedLabel::Server,
        h.transcript.current_hash()?.as_ref(),
        &f.verify_data,
    )?;
    cx.start_traffic_tls12(master, h.client_random, h.server_random);
    Ok(Step::Traffic)
}
