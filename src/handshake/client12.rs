//! The TLS 1.2 client handshake (RFC 5246, Section 7.3), entered when the
//! ServerHello to our ClientHello selects TLS 1.2. A full handshake:
//!
//! ```text
//! read_server_hello -> read_server_certificate -> [read_certificate_status]
//!   -> [read_server_key_exchange (ECDHE)]
//!   -> [read_certificate_request] -> read_server_hello_done
//!   -> send_client_flight: [Certificate], ClientKeyExchange, [CertificateVerify],
//!      ChangeCipherSpec, Finished
//!   -> [read_new_session_ticket] -> read ChangeCipherSpec -> read_server_finished
//! ```
//!
//! An abbreviated handshake, when the server resumes the session we offered
//! (it echoes our session ID; RFC 5246, Section 7.3; RFC 5077, Section 3.4):
//!
//! ```text
//! read_server_hello -> [read_new_session_ticket] -> read ChangeCipherSpec
//!   -> read_server_finished -> send ChangeCipherSpec, Finished
//! ```
//!
//! Each step carries only what exists by then.

use std::sync::Arc;

use super::client13::ExpectServerHello;
use super::tls12::{
    derive_master_secret, session_state, Keys, Randoms, DOWNGRADE_TLS11, DOWNGRADE_TLS12,
};
use super::{accept_server_chain, ocsp_staple, peer_leaf, take_tls12_chain, unexpected};
use crate::client::ClientConfig;
use crate::codec::extensions::Extension;
use crate::codec::messages::{
    Certificate12, CertificateRequest12, CertificateVerify, ClientKeyExchange, Finished,
    HandshakeMessage, NewSessionTicket12, ServerHello, ServerKeyExchange,
};
use crate::codec::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::crypto::kx::{self, KeyShare, SharedSecret};
use crate::crypto::sign::KeyAlgorithm;
use crate::crypto::{tls12_suite, Authentication, KeyExchange, Tls12Suite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter, Side};
use crate::pki::{LeafKeyUsage, ServerName};
use crate::server::CertifiedKey;
use crate::session::SessionState;
use crate::transcript::Transcript;

/// The steps of a TLS 1.2 client handshake; each names the message expected next.
pub(crate) enum Step {
    ServerCertificate(Box<ExpectServerCertificate>),
    /// After a ServerHello that acknowledged status_request (RFC 6066,
    /// Section 8).
    CertificateStatus(Box<ExpectCertificateStatus>),
    ServerKeyExchange(Box<ExpectServerKeyExchange>),
    ServerHelloDone(Box<ExpectServerHelloDone>),
    NewSessionTicket(Box<ExpectNewSessionTicket>),
    ChangeCipherSpec(Box<ExpectChangeCipherSpec>),
    ServerFinished(Box<ExpectServerFinished>),
    /// The handshake is complete.
    Traffic,
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
            (Step::ServerCertificate(s), HandshakeMessage::Certificate12(c)) => {
                read_server_certificate(*s, cx, c, raw)
            }
            (Step::CertificateStatus(s), HandshakeMessage::CertificateStatus(status)) => {
                read_certificate_status(*s, cx, Some(&status.ocsp_response), Some(raw))
            }
            // RFC 6066, Section 8: a server that acknowledged status_request
            // "MAY also choose not to send" CertificateStatus.
            (Step::CertificateStatus(s), msg) => {
                read_certificate_status(*s, cx, None, None)?.handle(cx, msg, raw)
            }
            (Step::ServerKeyExchange(s), HandshakeMessage::ServerKeyExchange(ske)) => {
                read_server_key_exchange(*s, cx, &ske, raw)
            }
            (Step::ServerHelloDone(mut s), HandshakeMessage::CertificateRequest12(cr))
                if s.certificate_request.is_none() =>
            {
                s.certificate_request = Some(cr);
                s.transcript.add(raw);
                Ok(Step::ServerHelloDone(s))
            }
            (Step::ServerHelloDone(s), HandshakeMessage::ServerHelloDone) => {
                read_server_hello_done(*s, cx, raw)
            }
            (Step::NewSessionTicket(s), HandshakeMessage::NewSessionTicket12(nst)) => {
                Ok(read_new_session_ticket(*s, nst, raw))
            }
            (Step::ServerFinished(s), HandshakeMessage::Finished(f)) => {
                read_server_finished(*s, cx, &f, raw)
            }
            (step, msg) => Err(unexpected(step.expects(), &msg)),
        }
    }

    /// RFC 5246, Section 7.1: the server's ChangeCipherSpec switches our read keys.
    pub(crate) fn handle_change_cipher_spec(self, cx: &mut Common) -> Result<Step, Error> {
        let Step::ChangeCipherSpec(s) = self else {
            return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into());
        };
        s.keys.install_read(cx, s.agreed.suite, Side::Server)?;
        Ok(Step::ServerFinished(Box::new(ExpectServerFinished {
            agreed: s.agreed,
            transcript: s.transcript,
            keys: s.keys,
            ticket: s.ticket,
        })))
    }

    fn expects(&self) -> &'static str {
        match self {
            Step::ServerCertificate(_) => "Certificate",
            Step::CertificateStatus(_) => "CertificateStatus",
            Step::ServerKeyExchange(_) => "ServerKeyExchange",
            Step::ServerHelloDone(_) => "CertificateRequest or ServerHelloDone",
            Step::NewSessionTicket(_) => "NewSessionTicket",
            Step::ChangeCipherSpec(_) => "ChangeCipherSpec",
            Step::ServerFinished(_) => "Finished",
            Step::Traffic => "no handshake message",
        }
    }
}

/// What the hellos settled, which every later step needs.
pub(crate) struct Agreed {
    config: Arc<ClientConfig>,
    server_name: ServerName,
    suite: Tls12Suite,
    randoms: Randoms,
    extended_master_secret: bool,
    /// The session ID the server gave (empty: it keeps none).
    session_id: Vec<u8>,
    /// The server promised a NewSessionTicket (RFC 5077, Section 3.2).
    ticket_promised: bool,
    /// The server acknowledged our status_request: a CertificateStatus may
    /// follow its Certificate (RFC 6066, Section 8).
    status_acknowledged: bool,
    /// The session this handshake resumes, if it does.
    resumed: Option<SessionState>,
}

/// RFC 5246, Section 7.4.1.3, with the TLS 1.3 downgrade check (RFC 8446,
/// Section 4.1.3), the extensions we offered (RFC 7627, RFC 5746, RFC 8422,
/// RFC 5077), and resumption: a server that echoes the session ID we sent
/// for a cached session resumes it.
pub(crate) fn read_server_hello(
    s: ExpectServerHello,
    cx: &mut Common,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Step, Error> {
    // RFC 8446, Appendix D.3: a client that sent 0-RTT data fails a
    // connection the server takes to TLS 1.2.
    if s.ticket.as_ref().is_some_and(|t| t.early_data) {
        return Err(PeerIncompatible::Tls12AfterEarlyData.into());
    }
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
    let mut ticket_promised = false;
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
            // RFC 5077, Section 3.2: an empty session_ticket promises a ticket.
            Extension::SessionTicket(_) if offered(ext.ext_type()) => ticket_promised = true,
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
    let randoms = Randoms {
        client: s.client_hello.random,
        server: sh.random,
    };
    // RFC 5246, Section 7.4.1.3 / RFC 5077, Section 3.4: the server resumes
    // by echoing the (non-empty) session ID we sent for a cached session.
    let resumed = s.tls12_session.filter(|_| {
        !sh.legacy_session_id_echo.is_empty()
            && sh.legacy_session_id_echo == s.client_hello.legacy_session_id
    });
    if let Some(session) = &resumed {
        // RFC 5246, Section 7.4.1.3: a resumed session keeps its suite.
        // RFC 7627, Section 5.3: and its extended master secret use.
        if session.suite != suite.suite {
            return Err(
                PeerMisbehaved::IllegalParameter("resumed session with another suite").into(),
            );
        }
        if session.extended_master_secret != extended_master_secret {
            return Err(PeerIncompatible::ExtendedMasterSecretRequired.into());
        }
    }

    let mut transcript = s.transcript;
    // A CertificateRequest may come; answering it signs the whole handshake.
    if config.client_auth.is_some() && resumed.is_none() {
        transcript.keep_messages()?;
    }
    transcript.start_hash(suite.hash);
    transcript.add(raw);
    cx.negotiated.version = Some(ProtocolVersion::TLS12);
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS12)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));
    cx.emit(Event::Chosen(Parameter::Alpn(cx.negotiated.alpn.clone())));
    let agreed = Agreed {
        config,
        server_name: s.server_name,
        suite,
        randoms,
        extended_master_secret,
        session_id: sh.legacy_session_id_echo.to_vec(),
        ticket_promised,
        status_acknowledged,
        resumed,
    };
    match &agreed.resumed {
        Some(session) => {
            let keys = Keys::resumed(session, suite, &agreed.randoms)
                .ok_or(Error::Internal("session secret"))?;
            super::tls12::log_master_secret(cx, &agreed.randoms, &keys.master);
            cx.negotiated.resumed = true;
            cx.negotiated.peer_certificates = session.peer_certificates.clone();
            Ok(expect_ticket_or_change_cipher_spec(
                agreed, transcript, keys,
            ))
        }
        None => Ok(Step::ServerCertificate(Box::new(ExpectServerCertificate {
            agreed,
            transcript,
        }))),
    }
}

/// After our Finished (full handshake) or the ServerHello (abbreviated):
/// the promised NewSessionTicket, or straight the ChangeCipherSpec.
fn expect_ticket_or_change_cipher_spec(agreed: Agreed, transcript: Transcript, keys: Keys) -> Step {
    match agreed.ticket_promised {
        true => Step::NewSessionTicket(Box::new(ExpectNewSessionTicket {
            agreed,
            transcript,
            keys,
        })),
        false => Step::ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
            agreed,
            transcript,
            keys,
            ticket: None,
        })),
    }
}

/// Waiting for the server's Certificate.
pub(crate) struct ExpectServerCertificate {
    agreed: Agreed,
    transcript: Transcript,
}

fn read_server_certificate(
    mut s: ExpectServerCertificate,
    cx: &mut Common,
    c: Certificate12,
    raw: &[u8],
) -> Result<Step, Error> {
    let chain = take_tls12_chain(cx, c)?;
    s.transcript.add(raw);
    let next = ExpectCertificateStatus {
        agreed: s.agreed,
        transcript: s.transcript,
        server_chain: chain,
    };
    match next.agreed.status_acknowledged {
        true => Ok(Step::CertificateStatus(Box::new(next))),
        false => read_certificate_status(next, cx, None, None),
    }
}

/// Waiting for a CertificateStatus, which may not come; the server's chain
/// waits to be checked with it.
pub(crate) struct ExpectCertificateStatus {
    agreed: Agreed,
    transcript: Transcript,
    server_chain: Vec<Vec<u8>>,
}

/// RFC 6066, Section 8: the stapled OCSP response (`raw` is the message), or
/// `None` if the server left CertificateStatus out; either way the chain
/// read before is checked now, with it.
fn read_certificate_status(
    mut s: ExpectCertificateStatus,
    cx: &mut Common,
    ocsp_response: Option<&[u8]>,
    raw: Option<&[u8]>,
) -> Result<Step, Error> {
    let config = &s.agreed.config;
    let staple = ocsp_staple(config.ocsp_stapling, ocsp_response);
    let chain = s.server_chain;
    accept_server_chain(
        cx,
        config.verifier.as_ref(),
        &s.agreed.server_name,
        chain,
        staple,
    )?;
    if let Some(raw) = raw {
        s.transcript.add(raw);
    }
    Ok(after_server_certificate(s.agreed, s.transcript))
}

/// ServerKeyExchange follows the server's certificate in ECDHE suites only.
fn after_server_certificate(agreed: Agreed, transcript: Transcript) -> Step {
    match agreed.suite.kx {
        KeyExchange::Ecdhe => {
            Step::ServerKeyExchange(Box::new(ExpectServerKeyExchange { agreed, transcript }))
        }
        KeyExchange::Rsa => Step::ServerHelloDone(Box::new(ExpectServerHelloDone {
            agreed,
            transcript,
            server_share: None,
            certificate_request: None,
        })),
    }
}

/// Waiting for the ServerKeyExchange (ECDHE suites).
pub(crate) struct ExpectServerKeyExchange {
    agreed: Agreed,
    transcript: Transcript,
}

/// RFC 8422, Section 5.4: ECDHE parameters signed over both randoms by the
/// certificate key; the curve must be one we offered (never a TLS 1.3-only
/// hybrid) and the scheme one we offered that fits the suite's authentication.
fn read_server_key_exchange(
    mut s: ExpectServerKeyExchange,
    cx: &mut Common,
    ske: &ServerKeyExchange,
    raw: &[u8],
) -> Result<Step, Error> {
    let a = &s.agreed;
    let params = ske.ecdhe()?;
    // draft-ietf-tls-ecdhe-mlkem, Section 3: the hybrids are TLS 1.3 only.
    if !a.config.groups.contains(&params.curve) || kx::is_hybrid(params.curve) {
        return Err(PeerMisbehaved::WrongKeyShareGroup(params.curve).into());
    }
    if !a.config.signature_schemes.contains(&params.scheme)
        || !scheme_fits(a.suite.auth, params.scheme)
    {
        return Err(PeerMisbehaved::IllegalParameter("ServerKeyExchange signature scheme").into());
    }
    let leaf = peer_leaf(cx, LeafKeyUsage::DigitalSignature)?;
    let signed = params.signed_content(&a.randoms.client, &a.randoms.server);
    a.config
        .verifier
        .verify_tls12_signature(&signed, leaf, params.scheme, &params.signature)?;
    cx.negotiated.group = Some(params.curve);
    cx.negotiated.signature_scheme = Some(params.scheme);
    cx.emit(Event::Chosen(Parameter::Group(params.curve)));
    cx.emit(Event::Chosen(Parameter::SignatureScheme(params.scheme)));
    s.transcript.add(raw);
    Ok(Step::ServerHelloDone(Box::new(ExpectServerHelloDone {
        agreed: s.agreed,
        transcript: s.transcript,
        server_share: Some((params.curve, params.public.clone())),
        certificate_request: None,
    })))
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

/// Waiting for the ServerHelloDone (a CertificateRequest may come first).
pub(crate) struct ExpectServerHelloDone {
    agreed: Agreed,
    transcript: Transcript,
    /// The server's ECDHE share (group and public value); None for RSA key
    /// exchange.
    server_share: Option<(NamedGroup, Vec<u8>)>,
    certificate_request: Option<CertificateRequest12>,
}

/// The server's flight is complete: send ours (RFC 5246, Section 7.3).
fn read_server_hello_done(
    mut s: ExpectServerHelloDone,
    cx: &mut Common,
    raw: &[u8],
) -> Result<Step, Error> {
    s.transcript.add(raw);
    let a = &s.agreed;
    // RFC 5246, Section 7.4.6: answer a CertificateRequest with our chain if
    // it fits the request, else with an empty one; the server decides whether
    // to go on without.
    let signer = match &s.certificate_request {
        Some(cr) => {
            let signer = client_signer(&a.config, cr);
            let certificate_list = signer.map(|(ck, _)| ck.chain.clone()).unwrap_or_default();
            let certificate = HandshakeMessage::Certificate12(Certificate12 { certificate_list });
            cx.send_handshake(&certificate, &mut s.transcript)?;
            signer
        }
        None => None,
    };
    let pre_master_secret = match (a.suite.kx, s.server_share.take()) {
        (KeyExchange::Ecdhe, Some((group, server_public))) => {
            let ours = KeyShare::generate(group, &mut cx.rng)?;
            let cke = ClientKeyExchange::from_ecdhe_public(ours.public())?;
            cx.send_handshake(&HandshakeMessage::ClientKeyExchange(cke), &mut s.transcript)?;
            ours.agree(&server_public)?
        }
        (KeyExchange::Rsa, _) => {
            let leaf = peer_leaf(cx, LeafKeyUsage::KeyEncipherment)?.to_vec();
            let (encrypted, pre_master_secret) = super::rsa_kx::client_encrypt(&leaf, &mut cx.rng)?;
            let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&encrypted)?;
            cx.send_handshake(&HandshakeMessage::ClientKeyExchange(cke), &mut s.transcript)?;
            SharedSecret::new(&pre_master_secret)?
        }
        (KeyExchange::Ecdhe, None) => return Err(Error::Internal("ECDHE without a server share")),
    };
    let master = derive_master_secret(
        cx,
        a.suite,
        a.extended_master_secret,
        &s.transcript,
        &a.randoms,
        &pre_master_secret,
    )?;
    let keys = Keys::new(master, a.suite, &a.randoms);
    // RFC 5246, Section 7.4.8: sign every handshake message so far.
    if let Some((ck, scheme)) = signer {
        let messages = s.transcript.take_messages()?;
        let signature = ck.key.sign(scheme, &messages, &mut cx.rng)?;
        let cv = CertificateVerify {
            algorithm: scheme,
            signature,
        };
        cx.send_handshake(&HandshakeMessage::CertificateVerify(cv), &mut s.transcript)?;
    }
    keys.send_change_cipher_spec_and_finished(cx, a.suite, Side::Client, &mut s.transcript)?;
    Ok(expect_ticket_or_change_cipher_spec(
        s.agreed,
        s.transcript,
        keys,
    ))
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

/// Waiting for the NewSessionTicket the server promised.
pub(crate) struct ExpectNewSessionTicket {
    agreed: Agreed,
    transcript: Transcript,
    keys: Keys,
}

/// RFC 5077, Section 3.3: the ticket to present next time (kept once the
/// server's Finished proves the handshake).
fn read_new_session_ticket(
    mut s: ExpectNewSessionTicket,
    nst: NewSessionTicket12,
    raw: &[u8],
) -> Step {
    s.transcript.add(raw);
    Step::ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
        agreed: s.agreed,
        transcript: s.transcript,
        keys: s.keys,
        ticket: Some(nst),
    }))
}

/// Waiting for the server's ChangeCipherSpec.
pub(crate) struct ExpectChangeCipherSpec {
    agreed: Agreed,
    transcript: Transcript,
    keys: Keys,
    ticket: Option<NewSessionTicket12>,
}

/// Waiting for the server's Finished.
pub(crate) struct ExpectServerFinished {
    agreed: Agreed,
    transcript: Transcript,
    keys: Keys,
    ticket: Option<NewSessionTicket12>,
}

fn read_server_finished(
    mut s: ExpectServerFinished,
    cx: &mut Common,
    f: &Finished,
    raw: &[u8],
) -> Result<Step, Error> {
    s.keys.verify_finished(Side::Server, &s.transcript, f)?;
    s.transcript.add(raw);
    let a = &s.agreed;
    // RFC 5246, Section 7.3: in an abbreviated handshake we answer last.
    if a.resumed.is_some() {
        s.keys.send_change_cipher_spec_and_finished(
            cx,
            a.suite,
            Side::Client,
            &mut s.transcript,
        )?;
    }
    keep_session(cx, a, &s.keys, s.ticket)?;
    cx.start_traffic_tls12(s.keys.master, a.randoms.client, a.randoms.server);
    Ok(Step::Traffic)
}

/// Keeps what lets us resume with this server next time: the session
/// under its session ID and/or with the ticket it gave; a resumed session
/// keeps its original age, with the new ticket if one came.
fn keep_session(
    cx: &Common,
    a: &Agreed,
    keys: &Keys,
    ticket: Option<NewSessionTicket12>,
) -> Result<(), Error> {
    let resumption = &a.config.resumption;
    let Some(store) = &resumption.store else {
        return Ok(());
    };
    let key = resumption.key(&a.server_name);
    let ticket = ticket.filter(|t| !t.ticket.is_empty());
    let mut session = match &a.resumed {
        Some(resumed) if ticket.is_none() => return Ok(()),
        Some(resumed) => SessionState {
            ticket: Vec::new(),
            session_id: Vec::new(),
            secret: resumed.secret.clone(),
            server_name: resumed.server_name.clone(),
            alpn: resumed.alpn.clone(),
            peer_certificates: resumed.peer_certificates.clone(),
            ..*resumed
        },
        None => session_state(
            cx,
            a.suite,
            keys,
            a.extended_master_secret,
            resumption.now_ms(),
            // RFC 5077, Section 3.3: a hint of 0 leaves the lifetime to us.
            ticket
                .as_ref()
                .map(|t| t.ticket_lifetime_hint)
                .filter(|hint| *hint > 0)
                .unwrap_or(crate::session::state::MAX_LIFETIME_SECS),
        ),
    };
    session.session_id = a.session_id.clone();
    session.ticket = ticket.map(|t| t.ticket).unwrap_or_default();
    if session.session_id.is_empty() && session.ticket.is_empty() {
        return Ok(());
    }
    store.set_tls12_session(&key, session.encode()?.to_vec());
    Ok(())
}
