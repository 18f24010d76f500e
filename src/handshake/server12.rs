//! The TLS 1.2 server handshake (RFC 5246, Section 7.3), entered when the
//! ClientHello's best common version is TLS 1.2. A full handshake:
//!
//! ```text
//! read_client_hello -> send_server_flight: ServerHello, Certificate,
//!   [CertificateStatus], [ServerKeyExchange (ECDHE)], [CertificateRequest],
//!   ServerHelloDone
//!   -> [read_client_certificate] -> read_client_key_exchange
//!   -> [read_client_certificate_verify] -> read ChangeCipherSpec
//!   -> read_client_finished -> send [NewSessionTicket], ChangeCipherSpec, Finished
//! ```
//!
//! CertificateStatus (RFC 6066, Section 8) comes when the client asked for
//! OCSP and the certificate has a response to staple. The bracketed client
//! messages come only when the configuration has a client verifier;
//! CertificateVerify only after a non-empty Certificate.
//!
//! An abbreviated handshake, resuming a session found by its session ID or
//! by an RFC 5077 ticket (RFC 5246, Section 7.3; RFC 5077, Section 3.1):
//!
//! ```text
//! read_client_hello -> send_resumed_flight: ServerHello, [NewSessionTicket],
//!   ChangeCipherSpec, Finished -> read ChangeCipherSpec -> read_client_finished
//! ```
//!
//! Each step carries only what exists by then.

use std::borrow::Cow;
use std::sync::Arc;

use super::negotiate::{choose_signature_scheme, find, server_alpn, server_name, stapled_response};
use super::tls12::{derive_master_secret, session_state, Keys, Randoms, DOWNGRADE_TLS12};
use super::{accept_client_chain, check_offered_scheme, peer_leaf, take_tls12_chain, unexpected};
use crate::codec::extensions::Extension;
use crate::codec::messages::{
    Certificate12, CertificateRequest12, CertificateStatus, CertificateVerify, ClientHello,
    ClientKeyExchange, EcdheServerParams, Finished, HandshakeMessage, NewSessionTicket12,
    ServerHello, ServerKeyExchange, SessionId,
};
use crate::codec::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::crypto::kx::{self, KeyShare, SharedSecret};
use crate::crypto::sign::SigningKey;
use crate::crypto::{tls12_suite, KeyExchange, Tls12Suite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter, Side};
use crate::pki::LeafKeyUsage;
use crate::server::{CertifiedKey, ServerConfig};
use crate::session::{Candidate, SessionState};
use crate::sites::{certificate_curve, choose_certificate, tls12_authentication};
use crate::transcript::Transcript;

/// The steps of a TLS 1.2 server handshake; each names the message expected next.
pub(crate) enum Step {
    ClientCertificate(Box<ExpectClientCertificate>),
    ClientKeyExchange(Box<ExpectClientKeyExchange>),
    ClientCertificateVerify(Box<ExpectClientCertificateVerify>),
    ChangeCipherSpec(Box<ExpectChangeCipherSpec>),
    ClientFinished(Box<ExpectClientFinished>),
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
            (Step::ClientCertificate(s), HandshakeMessage::Certificate12(c)) => {
                read_client_certificate(*s, cx, c, raw)
            }
            (Step::ClientKeyExchange(s), HandshakeMessage::ClientKeyExchange(cke)) => {
                read_client_key_exchange(*s, cx, &cke, raw)
            }
            (Step::ClientCertificateVerify(s), HandshakeMessage::CertificateVerify(cv)) => {
                read_client_certificate_verify(*s, cx, &cv, raw)
            }
            (Step::ClientFinished(s), HandshakeMessage::Finished(f)) => {
                read_client_finished(*s, cx, &f, raw)
            }
            (step, msg) => Err(unexpected(step.expects(), &msg)),
        }
    }

    /// RFC 5246, Section 7.1: the client's ChangeCipherSpec switches our read keys.
    pub(crate) fn handle_change_cipher_spec(self, cx: &mut Common) -> Result<Step, Error> {
        let Step::ChangeCipherSpec(s) = self else {
            return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into());
        };
        s.keys.install_read(cx, s.agreed.suite, Side::Client)?;
        Ok(Step::ClientFinished(Box::new(ExpectClientFinished {
            agreed: s.agreed,
            transcript: s.transcript,
            keys: s.keys,
            resumed: s.resumed,
        })))
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

/// What the hellos settled, which every later step needs.
pub(crate) struct Agreed {
    config: Arc<ServerConfig>,
    suite: Tls12Suite,
    randoms: Randoms,
    extended_master_secret: bool,
    /// Where the session goes once the handshake completes.
    keep: Keep,
}

/// Where a completed handshake's session is kept.
enum Keep {
    /// Nowhere: the client cannot resume it.
    Nowhere,
    /// In the session store, under the session ID we sent.
    SessionId(Vec<u8>),
    /// Sealed into an RFC 5077 ticket, sent before our ChangeCipherSpec.
    Ticket,
}

/// Our side of the key exchange, until the ClientKeyExchange comes.
enum KeyExchangeState {
    /// Our ECDHE private key, for the client's share.
    Ecdhe(KeyShare),
    /// The client encrypts the pre-master secret to this certificate's key.
    Rsa(Arc<CertifiedKey>),
}

/// The record_size_limit we advertise: the largest TLS 1.2 plaintext (RFC
/// 8449, Section 4).
const MAX_RECORD_SIZE_LIMIT: u16 = crate::record::MAX_PLAINTEXT as u16;

/// The suite, group and signature scheme for this client: the first of our
/// suites the client offered whose authentication fits the certificate's
/// `key`, for which a group (ECDHE) and a signature scheme can be agreed.
/// An RSA key exchange suite is skipped when the key cannot decrypt (only a
/// resolver's key gets this far; a configured one is checked at build); if
/// nothing else fits, that is the error, not a missing group or scheme.
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
    let mut unusable_rsa_key = None;
    for suite in &config.protocols.tls12 {
        if !ch.cipher_suites.contains(&suite.suite) || suite.auth != auth {
            continue;
        }
        if let Some(curve) = unusable_curve {
            return Err(PeerIncompatible::CertificateCurveNotOffered(curve).into());
        }
        saw_suite = true;
        match suite.kx {
            KeyExchange::Rsa => match key.rsa_decryption_key() {
                Ok(_) => return Ok((*suite, None)),
                Err(why) => unusable_rsa_key = Some(why),
            },
            KeyExchange::Ecdhe => {
                if let (Some(group), Some(scheme)) = (group, scheme) {
                    return Ok((*suite, Some((group, scheme))));
                }
            }
        }
    }
    if let Some(why) = unusable_rsa_key {
        return Err(why);
    }
    Err(match (saw_suite, group, scheme) {
        (false, _, _) => PeerIncompatible::NoCommonCipherSuite,
        (true, None, _) => PeerIncompatible::NoCommonGroup,
        (true, _, _) => PeerIncompatible::NoCommonSignatureScheme,
    }
    .into())
}

/// The ClientHello checks every TLS 1.2 handshake makes (RFC 5246, Section
/// 7.4.1.2, with RFC 5746, RFC 7627 and RFC 8422); returns whether the
/// client uses the extended master secret and what our ServerHello must
/// answer.
struct HelloChecks {
    extended_master_secret: bool,
    secure_renegotiation: bool,
    point_formats: bool,
}

fn check_client_hello(config: &ServerConfig, ch: &ClientHello) -> Result<HelloChecks, Error> {
    if !ch.legacy_compression_methods.contains(&0) {
        return Err(PeerMisbehaved::IllegalParameter("no null compression method").into());
    }
    // RFC 5746, Section 3.6: an initial ClientHello signals secure
    // renegotiation with the SCSV or an empty renegotiation_info.
    let renegotiation_info = find(ch, |e| match e {
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
    let extended_master_secret = find(ch, |e| {
        matches!(e, Extension::ExtendedMasterSecret).then_some(())
    })
    .is_some();
    if !extended_master_secret && config.protocols.require_ems {
        return Err(PeerIncompatible::ExtendedMasterSecretRequired.into());
    }
    // RFC 8422, Section 5.1.2: a client listing point formats must accept uncompressed.
    let point_formats = find(ch, |e| match e {
        Extension::EcPointFormats(f) => Some(f),
        _ => None,
    });
    if point_formats.is_some_and(|f| !f.contains(&0)) {
        return Err(PeerMisbehaved::IllegalParameter("ec_point_formats lacks uncompressed").into());
    }
    Ok(HelloChecks {
        extended_master_secret,
        secure_renegotiation,
        point_formats: point_formats.is_some(),
    })
}

/// The RFC 5077 ticket the client presents, or None; an empty one (a
/// request for a ticket) is Some(empty).
fn presented_ticket(ch: &ClientHello) -> Option<&[u8]> {
    find(ch, |e| match e {
        Extension::SessionTicket(ticket) => Some(ticket.as_slice()),
        _ => None,
    })
}

/// A session this ClientHello may resume: an RFC 5077 ticket first (RFC
/// 5077, Section 3.4), else the session ID; only if every condition of
/// [`SessionState::resumable`] holds. Anything unusable means a full
/// handshake, never an error.
fn find_session(
    config: &ServerConfig,
    ch: &ClientHello,
    hello: &HelloChecks,
    sni: Option<&str>,
    alpn: Option<&[u8]>,
) -> Option<SessionState> {
    let resumption = &config.resumption;
    let now_ms = resumption.now_ms();
    let from_ticket = presented_ticket(ch)
        .filter(|t| !t.is_empty() && resumption.tickets > 0)
        .and_then(|t| resumption.ticket_keys.open(t, now_ms));
    let from_id = || {
        let store = resumption.store.as_ref()?;
        (!ch.legacy_session_id.is_empty())
            .then(|| store.get(&ch.legacy_session_id))
            .flatten()
            .map(zeroize::Zeroizing::new)
    };
    let bytes = from_ticket.or_else(from_id)?;
    let session = SessionState::decode(&bytes)?;
    // RFC 5246, Section 7.4.1.2: the resumed suite must be one the client
    // offers now, and one we still allow.
    let suite = tls12_suite(session.suite)?;
    if !ch.cipher_suites.contains(&suite.suite) || !config.protocols.tls12.contains(&suite) {
        return None;
    }
    let candidate = Candidate {
        version: ProtocolVersion::TLS12,
        suite: suite.suite,
        server_name: sni,
        alpn,
        extended_master_secret: hello.extended_master_secret,
        now_ms,
    };
    session.resumable(&candidate).ok()?;
    Some(session)
}

/// Where this handshake's session will be kept, given what the client
/// offered: a ticket if it asked for one (RFC 5077, Section 3.2), else a
/// session ID if we keep sessions.
fn keep_for(config: &ServerConfig, ch: &ClientHello, cx: &mut Common) -> Result<Keep, Error> {
    if presented_ticket(ch).is_some() && config.resumption.tickets > 0 {
        return Ok(Keep::Ticket);
    }
    if config.resumption.store.is_some() {
        let mut id = vec![0u8; 32];
        cx.rng.fill(&mut id)?;
        return Ok(Keep::SessionId(id));
    }
    Ok(Keep::Nowhere)
}

/// RFC 5246, Section 7.4.1.2-3, with RFC 7627, RFC 5746, RFC 8422 and the
/// RFC 8446 downgrade sentinel: a full handshake, or an abbreviated one when
/// the client presents a session we can resume.
pub(crate) fn read_client_hello(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    ch: ClientHello,
    raw: &[u8],
) -> Result<Step, Error> {
    cx.hello_seen = true;
    cx.client_random = ch.random;
    let hello = check_client_hello(&config, &ch)?;
    let alpn = server_alpn(&config.alpn, &ch)?;
    let sni = server_name(&ch)?;

    let mut server_random = [0u8; 32];
    cx.rng.fill(&mut server_random)?;
    // RFC 8446, Section 4.1.3: a server that could have spoken TLS 1.3 says so
    // in its random, so a TLS 1.3 client can detect a downgrade.
    if !config.protocols.tls13.is_empty() {
        if let Some(tail) = server_random.get_mut(24..) {
            tail.copy_from_slice(&DOWNGRADE_TLS12);
        }
    }
    let randoms = Randoms {
        client: ch.random,
        server: server_random,
    };
    cx.negotiated.version = Some(ProtocolVersion::TLS12);
    cx.negotiated.alpn = alpn.clone();
    cx.negotiated.server_name = sni.clone();
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS12)));
    cx.emit(Event::Chosen(Parameter::Alpn(alpn.clone())));
    cx.emit(Event::Chosen(Parameter::ServerName(sni.clone())));

    let mut extensions = Vec::new();
    if hello.secure_renegotiation {
        extensions.push(Extension::RenegotiationInfo(Vec::new()));
    }
    if hello.extended_master_secret {
        extensions.push(Extension::ExtendedMasterSecret);
    }
    if let Some(protocol) = &alpn {
        extensions.push(Extension::Alpn(vec![protocol.clone()]));
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
    if let Some(session) = find_session(&config, &ch, &hello, sni.as_deref(), alpn.as_deref()) {
        return send_resumed_flight(config, cx, &ch, raw, hello, randoms, extensions, session);
    }
    send_server_flight(config, cx, &ch, raw, hello, randoms, extensions)
}

/// The full handshake's flight: ServerHello, Certificate, [ServerKeyExchange],
/// [CertificateRequest], ServerHelloDone.
fn send_server_flight(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    ch: &ClientHello,
    raw: &[u8],
    hello: HelloChecks,
    randoms: Randoms,
    mut extensions: Vec<Extension>,
) -> Result<Step, Error> {
    let sni = cx.negotiated.server_name.clone();
    let certified_key = choose_certificate(&config, ch, ProtocolVersion::TLS12, sni.as_deref())?;
    let (suite, ecdhe) = select(&config, &certified_key.key, ch)?;
    let ocsp_response = stapled_response(ch, &certified_key);
    let keep = keep_for(&config, ch, cx)?;
    if ecdhe.is_some() && hello.point_formats {
        extensions.push(Extension::EcPointFormats(vec![0]));
    }
    if cx.negotiated.server_name.is_some() {
        extensions.push(Extension::ServerNameAck);
    }
    // RFC 5077, Section 3.2: an empty session_ticket promises a NewSessionTicket.
    if matches!(keep, Keep::Ticket) {
        extensions.push(Extension::SessionTicket(Vec::new()));
    }
    // RFC 6066, Section 8: an empty status_request says a CertificateStatus follows.
    if ocsp_response.is_some() {
        extensions.push(Extension::StatusRequest(Cow::Borrowed(&[])));
    }
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLS12,
        random: randoms.server,
        // RFC 5246, Section 7.4.1.3: the ID under which we keep the session;
        // empty: not cached (or kept in a ticket).
        legacy_session_id_echo: match &keep {
            Keep::SessionId(id) => SessionId::new(id, "session_id")?,
            Keep::Nowhere | Keep::Ticket => SessionId::default(),
        },
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
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));

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

    let key_exchange = match ecdhe {
        Some((group, scheme)) => {
            let share = KeyShare::generate(group, &mut cx.rng)?;
            let ske = server_key_exchange(&certified_key.key, cx, &randoms, &share, scheme)?;
            cx.send_handshake(&HandshakeMessage::ServerKeyExchange(ske), &mut transcript)?;
            cx.negotiated.group = Some(group);
            cx.negotiated.signature_scheme = Some(scheme);
            cx.emit(Event::Chosen(Parameter::Group(group)));
            cx.emit(Event::Chosen(Parameter::SignatureScheme(scheme)));
            KeyExchangeState::Ecdhe(share)
        }
        None => KeyExchangeState::Rsa(certified_key.clone()),
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

    let agreed = Agreed {
        config,
        suite,
        randoms,
        extended_master_secret: hello.extended_master_secret,
        keep,
    };
    Ok(match agreed.config.client_verifier {
        Some(_) => Step::ClientCertificate(Box::new(ExpectClientCertificate {
            agreed,
            transcript,
            key_exchange,
        })),
        None => Step::ClientKeyExchange(Box::new(ExpectClientKeyExchange {
            agreed,
            transcript,
            key_exchange,
            client_certified: false,
        })),
    })
}

/// The abbreviated handshake's flight (RFC 5246, Section 7.3): ServerHello
/// echoing the client's session ID, [NewSessionTicket], ChangeCipherSpec and
/// Finished, under keys from the session's master secret and the new randoms.
#[allow(clippy::too_many_arguments)]
fn send_resumed_flight(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    ch: &ClientHello,
    raw: &[u8],
    hello: HelloChecks,
    randoms: Randoms,
    mut extensions: Vec<Extension>,
    session: SessionState,
) -> Result<Step, Error> {
    let suite = tls12_suite(session.suite).ok_or(Error::Internal("resumed suite"))?;
    let keys = Keys::resumed(&session, suite, &randoms).ok_or(Error::Internal("session secret"))?;
    // RFC 5077, Section 3.1: a client resuming by ticket may get a fresh one.
    let renew = presented_ticket(ch).is_some() && config.resumption.tickets > 0;
    if renew {
        extensions.push(Extension::SessionTicket(Vec::new()));
    }
    // RFC 5246, Section 7.4.1.3 / RFC 5077, Section 3.4: echoing the
    // client's session ID says "resumed".
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLS12,
        random: randoms.server,
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: suite.suite,
        legacy_compression_method: 0,
        extensions,
    };
    let mut transcript = Transcript::new();
    transcript.start_hash(suite.hash);
    transcript.add(raw);
    cx.send_handshake(&HandshakeMessage::ServerHello(sh), &mut transcript)?;
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.negotiated.resumed = true;
    cx.negotiated.peer_certificates = session.peer_certificates.clone();
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));
    super::tls12::log_master_secret(cx, &randoms, &keys.master);
    if renew {
        send_ticket(&config, cx, &session, &mut transcript)?;
    }
    keys.send_change_cipher_spec_and_finished(cx, suite, Side::Server, &mut transcript)?;
    let agreed = Agreed {
        config,
        suite,
        randoms,
        extended_master_secret: hello.extended_master_secret,
        keep: Keep::Nowhere,
    };
    Ok(Step::ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
        agreed,
        transcript,
        keys,
        resumed: true,
    })))
}

/// RFC 8422, Section 5.4: ServerECDHParams (named curve, our public point)
/// and a signature over client_random + server_random + those params.
fn server_key_exchange(
    key: &SigningKey,
    cx: &mut Common,
    randoms: &Randoms,
    share: &KeyShare,
    scheme: SignatureScheme,
) -> Result<ServerKeyExchange, Error> {
    let mut params =
        EcdheServerParams::new(share.group(), share.public().to_vec(), scheme, Vec::new())?;
    let signed = params.signed_content(&randoms.client, &randoms.server);
    params.signature = key.sign(scheme, &signed, &mut cx.rng)?;
    ServerKeyExchange::from_ecdhe(&params)
}

/// Waiting for the client's Certificate (we sent a CertificateRequest).
pub(crate) struct ExpectClientCertificate {
    agreed: Agreed,
    transcript: Transcript,
    key_exchange: KeyExchangeState,
}

/// RFC 5246, Section 7.4.6: the client's chain, checked by the verifier. An
/// empty one is the verifier's call; a verifier that requires a certificate
/// answers it with handshake_failure (TLS 1.2 has no certificate_required).
fn read_client_certificate(
    mut s: ExpectClientCertificate,
    cx: &mut Common,
    c: Certificate12,
    raw: &[u8],
) -> Result<Step, Error> {
    let chain = take_tls12_chain(cx, c)?;
    s.transcript.add(raw);
    let verifier = s.agreed.config.requested_client_verifier()?;
    let missing = PeerIncompatible::ClientCertificateRequired.into();
    let client_certified = accept_client_chain(cx, verifier, chain, missing)?;
    if !client_certified {
        // No CertificateVerify will need the messages.
        s.transcript.take_messages()?;
    }
    Ok(Step::ClientKeyExchange(Box::new(ExpectClientKeyExchange {
        agreed: s.agreed,
        transcript: s.transcript,
        key_exchange: s.key_exchange,
        client_certified,
    })))
}

/// Waiting for the ClientKeyExchange.
pub(crate) struct ExpectClientKeyExchange {
    agreed: Agreed,
    transcript: Transcript,
    key_exchange: KeyExchangeState,
    /// The client sent a certificate, so a CertificateVerify follows.
    client_certified: bool,
}

fn read_client_key_exchange(
    mut s: ExpectClientKeyExchange,
    cx: &mut Common,
    cke: &ClientKeyExchange,
    raw: &[u8],
) -> Result<Step, Error> {
    let a = &s.agreed;
    let pre_master_secret = match s.key_exchange {
        KeyExchangeState::Ecdhe(share) => share.agree(cke.ecdhe_public()?)?,
        // RFC 5246, Section 7.4.7.1: never fails here; a bad pre-master secret
        // fails at Finished like a wrong one (see rsa_kx for why).
        KeyExchangeState::Rsa(certified_key) => {
            let key = certified_key.key.rsa_decryption_key()?;
            SharedSecret::new(&super::rsa_kx::server_decrypt(key, cke, &mut cx.rng)?)?
        }
    };
    s.transcript.add(raw);
    let master = derive_master_secret(
        cx,
        a.suite,
        a.extended_master_secret,
        &s.transcript,
        &a.randoms,
        &pre_master_secret,
    )?;
    let keys = Keys::new(master, a.suite, &a.randoms);
    Ok(match s.client_certified {
        true => Step::ClientCertificateVerify(Box::new(ExpectClientCertificateVerify {
            agreed: s.agreed,
            transcript: s.transcript,
            keys,
        })),
        false => Step::ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
            agreed: s.agreed,
            transcript: s.transcript,
            keys,
            resumed: false,
        })),
    })
}

/// Waiting for the client's CertificateVerify.
pub(crate) struct ExpectClientCertificateVerify {
    agreed: Agreed,
    transcript: Transcript,
    keys: Keys,
}

/// RFC 5246, Section 7.4.8: the client's signature over every handshake
/// message before this one, with a scheme from our CertificateRequest.
fn read_client_certificate_verify(
    mut s: ExpectClientCertificateVerify,
    cx: &mut Common,
    cv: &CertificateVerify,
    raw: &[u8],
) -> Result<Step, Error> {
    let config = &s.agreed.config;
    let verifier = config.requested_client_verifier()?;
    check_offered_scheme(&config.client_auth_schemes, cv.algorithm)?;
    let messages = s.transcript.take_messages()?;
    let leaf = peer_leaf(cx, LeafKeyUsage::DigitalSignature)?;
    verifier.verify_tls12_signature(&messages, leaf, cv.algorithm, &cv.signature)?;
    s.transcript.add(raw);
    Ok(Step::ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
        agreed: s.agreed,
        transcript: s.transcript,
        keys: s.keys,
        resumed: false,
    })))
}

/// Waiting for the client's ChangeCipherSpec.
pub(crate) struct ExpectChangeCipherSpec {
    agreed: Agreed,
    transcript: Transcript,
    keys: Keys,
    /// An abbreviated handshake: our Finished is already sent.
    resumed: bool,
}

/// Waiting for the client's Finished.
pub(crate) struct ExpectClientFinished {
    agreed: Agreed,
    transcript: Transcript,
    keys: Keys,
    resumed: bool,
}

fn read_client_finished(
    mut s: ExpectClientFinished,
    cx: &mut Common,
    f: &Finished,
    raw: &[u8],
) -> Result<Step, Error> {
    s.keys.verify_finished(Side::Client, &s.transcript, f)?;
    s.transcript.add(raw);
    let a = s.agreed;
    if !s.resumed {
        keep_session(&a, cx, &s.keys, &mut s.transcript)?;
        s.keys.send_change_cipher_spec_and_finished(
            cx,
            a.suite,
            Side::Server,
            &mut s.transcript,
        )?;
    }
    cx.start_traffic_tls12(s.keys.master, a.randoms.client, a.randoms.server);
    Ok(Step::Traffic)
}

/// Keeps the session of a completed full handshake where `a.keep` says: in
/// the store under our session ID, or in a ticket sent now (RFC 5077,
/// Section 3.3: before our ChangeCipherSpec).
fn keep_session(
    a: &Agreed,
    cx: &mut Common,
    keys: &Keys,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let resumption = &a.config.resumption;
    let lifetime = u32::try_from(resumption.ticket_lifetime.as_secs()).unwrap_or(u32::MAX);
    let session = session_state(
        cx,
        a.suite,
        keys,
        a.extended_master_secret,
        resumption.now_ms(),
        lifetime,
    );
    match &a.keep {
        Keep::Nowhere => Ok(()),
        Keep::SessionId(id) => {
            if let Some(store) = &resumption.store {
                store.put(id.clone(), session.encode()?.to_vec());
            }
            Ok(())
        }
        Keep::Ticket => send_ticket(&a.config, cx, &session, transcript),
    }
}

/// RFC 5077, Section 3.3: a NewSessionTicket holding `session`, sealed.
fn send_ticket(
    config: &ServerConfig,
    cx: &mut Common,
    session: &SessionState,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let resumption = &config.resumption;
    let ticket =
        resumption
            .ticket_keys
            .seal(&session.encode()?, resumption.now_ms(), &mut cx.rng)?;
    let nst = NewSessionTicket12 {
        ticket_lifetime_hint: session.lifetime_secs,
        ticket,
    };
    cx.send_handshake(&HandshakeMessage::NewSessionTicket12(nst), transcript)
}
