//! The TLS 1.3 server handshake (RFC 8446, Section 2, full handshake):
//!
//! ```text
//! read_client_hello -> [send_hello_retry_request -> read_retried_client_hello]
//!   -> send_server_flight: ServerHello, EncryptedExtensions, [CertificateRequest],
//!      Certificate, CertificateVerify, Finished
//!   -> [read_client_certificate -> read_client_certificate_verify]
//!   -> read_client_finished
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;

use super::negotiate::{
    choose_group, choose_signature_scheme, choose_suite, find, server_alpn, server_name,
    stapled_response, GroupChoice,
};
use super::{
    accept_client_chain, certificate_verify_content, check_certificate_verify,
    derive_application_secrets, derive_handshake_secrets, take_peer_chain, unexpected,
    CLIENT_SIGNATURE_CONTEXT, SERVER_SIGNATURE_CONTEXT,
};
use crate::codec::extensions::{Extension, KeyShareEntry};
use crate::codec::messages::{
    Certificate, CertificateEntry, CertificateRequest, CertificateStatus, CertificateVerify,
    ClientHello, EncryptedExtensions, Finished, HandshakeMessage, ServerHello,
    HELLO_RETRY_REQUEST_RANDOM,
};
use crate::codec::{ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::crypto::kx;
use crate::crypto::Tls13Suite;
use crate::error::{CertificateError, Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter};
use crate::keys::tls13::TrafficSecret;
use crate::server::{CertifiedKey, ServerConfig};
use crate::sites::choose_certificate;
use crate::transcript::Transcript;

/// The steps of a TLS 1.3 server handshake; each names the message expected next.
pub(crate) enum Step {
    ClientHello(Arc<ServerConfig>),
    RetriedClientHello(Box<ExpectRetriedClientHello>),
    ClientCertificate(Box<ExpectClientFlight>),
    ClientCertificateVerify(Box<ExpectClientFlight>),
    ClientFinished(Box<ExpectClientFlight>),
    /// The handshake is complete; post-handshake messages are handled by the connection.
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
            (Step::ClientHello(config), HandshakeMessage::ClientHello(ch)) => {
                read_client_hello(config, cx, ch, raw)
            }
            (Step::RetriedClientHello(s), HandshakeMessage::ClientHello(ch)) => {
                read_retried_client_hello(*s, cx, ch, raw)
            }
            (Step::ClientCertificate(s), HandshakeMessage::Certificate(c)) => {
                read_client_certificate(*s, cx, c, raw)
            }
            (Step::ClientCertificateVerify(s), HandshakeMessage::CertificateVerify(cv)) => {
                read_client_certificate_verify(*s, cx, cv, raw)
            }
            (Step::ClientFinished(s), HandshakeMessage::Finished(f)) => {
                read_client_finished(*s, cx, f, raw)
            }
            (step, msg) => Err(unexpected(step.expects(), &msg)),
        }
    }

    fn expects(&self) -> &'static str {
        match self {
            Step::ClientHello(_) | Step::RetriedClientHello(_) => "ClientHello",
            Step::ClientCertificate(_) => "Certificate",
            Step::ClientCertificateVerify(_) => "CertificateVerify",
            Step::ClientFinished(_) => "Finished",
            Step::Traffic => "no handshake message",
        }
    }
}

/// The record_size_limit we advertise: the largest TLS 1.3 inner plaintext (RFC 8449, Section 4).
const MAX_RECORD_SIZE_LIMIT: u16 = (crate::record::MAX_PLAINTEXT + 1) as u16;

/// What the server settled on from a ClientHello.
struct Selection {
    suite: Tls13Suite,
    /// The certificate, chosen once per handshake (see `sites`).
    certified_key: Arc<CertifiedKey>,
    scheme: SignatureScheme,
    alpn: Option<Vec<u8>>,
    sni: Option<String>,
}

fn read_client_hello(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    ch: ClientHello,
    raw: &[u8],
) -> Result<Step, Error> {
    cx.hello_seen = true;
    cx.client_random = ch.random;
    let (groups, shares) = check_client_hello(&ch)?;
    let selection = select_parameters(&config, cx, &ch, None)?;

    let mut transcript = Transcript::new();
    transcript.start_hash(selection.suite.hash);
    transcript.add(raw);
    match choose_group(&config.groups, groups, shares).ok_or(PeerIncompatible::NoCommonGroup)? {
        GroupChoice::Share(index) => {
            let share = shares.get(index).ok_or(Error::Internal("share index"))?;
            send_server_flight(config, cx, transcript, &ch, selection, share, false)
        }
        GroupChoice::Retry(group) => {
            send_hello_retry_request(config, cx, transcript, &ch, selection, group)
        }
    }
}

/// The checks every TLS 1.3 ClientHello must pass, the first and the one after
/// a HelloRetryRequest alike; returns its supported_groups and key shares.
fn check_client_hello(ch: &ClientHello) -> Result<(&[NamedGroup], &[KeyShareEntry]), Error> {
    // RFC 8446, Section 4.2.1: only supported_versions can offer TLS 1.3.
    let versions = find(ch, |e| match e {
        Extension::SupportedVersionsClientHello(v) => Some(v),
        _ => None,
    });
    if !versions.is_some_and(|v| v.contains(&ProtocolVersion::TLS13)) {
        return Err(PeerIncompatible::NoCommonVersion.into());
    }
    // RFC 8446, Section 4.1.2: a TLS 1.3 ClientHello has exactly the null compression method.
    if ch.legacy_compression_methods != [0] {
        return Err(
            PeerMisbehaved::IllegalParameter("legacy_compression_methods is not [0]").into(),
        );
    }
    // RFC 8446, Section 9.2: key_share and supported_groups come together; we
    // need both because we only do (EC)DHE.
    let groups = find(ch, |e| match e {
        Extension::SupportedGroups(g) => Some(g.as_slice()),
        _ => None,
    });
    let shares = find(ch, |e| match e {
        Extension::KeyShareClientHello(s) => Some(s.as_slice()),
        _ => None,
    });
    let (groups, shares) = match (groups, shares) {
        (Some(g), Some(s)) => (g, s),
        (None, _) => return Err(PeerMisbehaved::MissingExtension("supported_groups").into()),
        (_, None) => return Err(PeerMisbehaved::MissingExtension("key_share").into()),
    };
    check_client_shares(groups, shares)?;
    Ok((groups, shares))
}

/// Suite, certificate, signature scheme, ALPN and SNI: everything but the
/// group. The certificate is chosen for the first ClientHello; a retried one
/// passes it in as `chosen`.
fn select_parameters(
    config: &ServerConfig,
    cx: &mut Common,
    ch: &ClientHello,
    chosen: Option<Arc<CertifiedKey>>,
) -> Result<Selection, Error> {
    let suite = choose_suite(&config.protocols.tls13, &ch.cipher_suites)
        .ok_or(PeerIncompatible::NoCommonCipherSuite)?;
    // RFC 8446, Section 9.2: signature_algorithms is mandatory for certificate authentication.
    let peer_schemes = find(ch, |e| match e {
        Extension::SignatureAlgorithms(s) => Some(s.as_slice()),
        _ => None,
    })
    .ok_or(PeerMisbehaved::MissingExtension("signature_algorithms"))?;
    let sni = server_name(ch)?;
    let certified_key = match chosen {
        Some(certified_key) => certified_key,
        None => choose_certificate(config, ch, ProtocolVersion::TLS13, sni.as_deref())?,
    };
    let scheme = choose_signature_scheme(certified_key.key.schemes(), peer_schemes)
        .ok_or(PeerIncompatible::NoCommonSignatureScheme)?;
    let alpn = server_alpn(&config.alpn, ch)?;
    cx.negotiated.server_name = sni.clone();
    Ok(Selection {
        suite,
        certified_key,
        scheme,
        alpn,
        sni,
    })
}

/// RFC 8446, Section 4.2.8: each share must be for a group the client lists
/// in supported_groups, and no group may appear twice.
///
/// Both checks use sets: a 64 KiB ClientHello can list 14,000 groups and
/// 3,500 shares, and nested scans over those cost ~25 ms of CPU per hello.
fn check_client_shares(groups: &[NamedGroup], shares: &[KeyShareEntry]) -> Result<(), Error> {
    let offered: BTreeSet<NamedGroup> = groups.iter().copied().collect();
    let mut seen = BTreeSet::new();
    for share in shares {
        if !offered.contains(&share.group) {
            return Err(PeerMisbehaved::IllegalParameter(
                "key share for a group not in supported_groups",
            )
            .into());
        }
        if !seen.insert(share.group) {
            return Err(PeerMisbehaved::IllegalParameter("two key shares for one group").into());
        }
    }
    Ok(())
}

/// Waiting for the ClientHello that answers our HelloRetryRequest.
pub(crate) struct ExpectRetriedClientHello {
    config: Arc<ServerConfig>,
    transcript: Transcript,
    suite: Tls13Suite,
    /// The certificate chosen for the first ClientHello.
    certified_key: Arc<CertifiedKey>,
    group: NamedGroup,
    cookie: Option<Vec<u8>>,
    /// The first ClientHello, which the second may only change where RFC 8446,
    /// Section 4.1.2 allows (key_share, cookie, early_data, padding).
    first: ClientHello,
}

/// RFC 8446, Section 4.1.4: ask for a share in `group`, optionally with a
/// cookie that binds the retry to the first ClientHello.
fn send_hello_retry_request(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    mut transcript: Transcript,
    ch: &ClientHello,
    selection: Selection,
    group: NamedGroup,
) -> Result<Step, Error> {
    transcript.rollup_hello_retry_request();
    let mut extensions = vec![
        Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
        Extension::KeyShareHelloRetryRequest(group),
    ];
    let cookie = match &config.hello_retry_cookie {
        Some(key) => Some(
            ring::hmac::sign(key, transcript.current_hash()?.as_ref())
                .as_ref()
                .to_vec(),
        ),
        None => None,
    };
    if let Some(cookie) = &cookie {
        extensions.push(Extension::Cookie(cookie.clone()));
    }
    let hrr = ServerHello {
        legacy_version: ProtocolVersion::TLS12,
        random: HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: selection.suite.suite,
        legacy_compression_method: 0,
        extensions,
    };
    cx.send_handshake(&HandshakeMessage::HelloRetryRequest(hrr), &mut transcript)?;
    cx.negotiated.hello_retry_request = true;
    // RFC 8446, Appendix D.4: in compatibility mode the server's CCS follows
    // its first handshake message.
    if !ch.legacy_session_id.is_empty() {
        cx.send_change_cipher_spec()?;
    }
    Ok(Step::RetriedClientHello(Box::new(
        ExpectRetriedClientHello {
            config,
            transcript,
            suite: selection.suite,
            certified_key: selection.certified_key,
            group,
            cookie,
            first: ch.clone(),
        },
    )))
}

fn read_retried_client_hello(
    mut s: ExpectRetriedClientHello,
    cx: &mut Common,
    ch: ClientHello,
    raw: &[u8],
) -> Result<Step, Error> {
    // RFC 8446, Section 4.1.2: the second ClientHello repeats the first but
    // for the key share, the cookie and early data.
    if ch.legacy_session_id != s.first.legacy_session_id
        || ch.random != s.first.random
        || ch.cipher_suites != s.first.cipher_suites
        || ch.legacy_compression_methods != s.first.legacy_compression_methods
        || !same_but_for_retry(&ch.extensions, &s.first.extensions)
    {
        return Err(
            PeerMisbehaved::IllegalParameter("second ClientHello differs from the first").into(),
        );
    }
    check_client_hello(&ch)?;
    let echoed = find(&ch, |e| match e {
        Extension::Cookie(c) => Some(c),
        _ => None,
    });
    if echoed != s.cookie.as_ref() {
        return Err(
            PeerMisbehaved::IllegalParameter("cookie not echoed from HelloRetryRequest").into(),
        );
    }
    let selection = select_parameters(&s.config, cx, &ch, Some(s.certified_key))?;
    // RFC 8446, Section 4.1.4: the suite must stay what the HRR named.
    if selection.suite != s.suite {
        return Err(PeerMisbehaved::IllegalParameter(
            "second ClientHello changed the cipher suite",
        )
        .into());
    }
    // RFC 8446, Section 4.2.8: exactly one share, for the group we asked for.
    let share = match find(&ch, |e| match e {
        Extension::KeyShareClientHello(s) => Some(s.as_slice()),
        _ => None,
    }) {
        Some([share]) if share.group == s.group => share.clone(),
        _ => {
            return Err(PeerMisbehaved::IllegalParameter(
                "second ClientHello lacks the requested key share",
            )
            .into())
        }
    };
    s.transcript.add(raw);
    send_server_flight(s.config, cx, s.transcript, &ch, selection, &share, true)
}

/// RFC 8446, Section 4.1.2: after a HelloRetryRequest the client may replace
/// key_share, drop early_data, add the cookie, update pre_shared_key (ticket
/// ages and binders) and add or change padding; every other extension stays
/// as it was, in the same order.
fn same_but_for_retry(second: &[Extension], first: &[Extension]) -> bool {
    let kept = |e: &&Extension| {
        !matches!(
            e,
            Extension::KeyShareClientHello(_)
                | Extension::EarlyData
                | Extension::Cookie(_)
                | Extension::PreSharedKeyClientHello(_)
        ) && e.ext_type() != ExtensionType::PADDING
    };
    second.iter().filter(kept).eq(first.iter().filter(kept))
}

/// Sends ServerHello through Finished and installs the keys for the rest of
/// the handshake.
fn send_server_flight(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    mut transcript: Transcript,
    ch: &ClientHello,
    selection: Selection,
    client_share: &KeyShareEntry,
    sent_ccs: bool,
) -> Result<Step, Error> {
    let suite = selection.suite;
    let (key_exchange, shared_secret) =
        kx::respond(client_share.group, &client_share.key_exchange, &mut cx.rng)?;
    let server_share = KeyShareEntry {
        group: client_share.group,
        key_exchange,
    };
    let mut random = [0u8; 32];
    cx.rng.fill(&mut random)?;

    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLS12,
        random,
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: suite.suite,
        legacy_compression_method: 0,
        extensions: vec![
            Extension::KeyShareServerHello(server_share),
            Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
        ],
    };
    cx.send_handshake(&HandshakeMessage::ServerHello(sh), &mut transcript)?;
    if !sent_ccs && !ch.legacy_session_id.is_empty() {
        cx.send_change_cipher_spec()?;
    }
    record_choices(cx, &selection, client_share.group);

    let secrets = derive_handshake_secrets(cx, suite, &shared_secret, &transcript)?;
    cx.install_write_secret(
        suite,
        &secrets.server_handshake_traffic_secret,
        "server_handshake_traffic_secret",
    )?;
    cx.install_read_secret(
        suite,
        &secrets.client_handshake_traffic_secret,
        "client_handshake_traffic_secret",
    )?;

    let mut extensions = Vec::new();
    if selection.sni.is_some() {
        extensions.push(Extension::ServerNameAck);
    }
    // RFC 8449, Section 4: answer a record_size_limit with ours (the TLS 1.3
    // maximum, 2^14 + 1) and keep our records within the client's.
    if let Some(limit) = find(ch, |e| match e {
        Extension::RecordSizeLimit(limit) => Some(*limit),
        _ => None,
    }) {
        cx.peer_record_size_limit = Some(limit);
        extensions.push(Extension::RecordSizeLimit(MAX_RECORD_SIZE_LIMIT));
    }
    if let Some(protocol) = &selection.alpn {
        extensions.push(Extension::Alpn(vec![protocol.clone()]));
    }
    cx.send_handshake(
        &HandshakeMessage::EncryptedExtensions(EncryptedExtensions { extensions }),
        &mut transcript,
    )?;

    if config.client_verifier.is_some() {
        let cr = CertificateRequest {
            certificate_request_context: Vec::new(),
            extensions: vec![Extension::SignatureAlgorithms(
                config.client_auth_schemes.clone(),
            )],
        };
        cx.send_handshake(&HandshakeMessage::CertificateRequest(cr), &mut transcript)?;
    }

    let certified_key = &selection.certified_key;
    let mut certificate_list: Vec<CertificateEntry> = certified_key
        .chain
        .iter()
        .map(|der| CertificateEntry {
            cert_data: der.clone(),
            extensions: Vec::new(),
        })
        .collect();
    // RFC 8446, Section 4.4.2.1: the OCSP response goes in the leaf's entry,
    // and only to a client that asked for one.
    if let (Some(response), Some(leaf)) = (
        stapled_response(ch, certified_key),
        certificate_list.first_mut(),
    ) {
        let status = CertificateStatus {
            ocsp_response: response.to_vec(),
        };
        leaf.extensions
            .push(Extension::StatusRequest(status.encode()?));
        cx.negotiated.ocsp_response = Some(response.to_vec());
    }
    let certificate = Certificate {
        certificate_request_context: Vec::new(),
        certificate_list,
    };
    cx.send_handshake(&HandshakeMessage::Certificate(certificate), &mut transcript)?;

    let content = certificate_verify_content(
        SERVER_SIGNATURE_CONTEXT,
        transcript.current_hash()?.as_ref(),
    );
    let signature = certified_key
        .key
        .sign(selection.scheme, &content, &mut cx.rng)?;
    let cv = CertificateVerify {
        algorithm: selection.scheme,
        signature,
    };
    cx.send_handshake(&HandshakeMessage::CertificateVerify(cv), &mut transcript)?;

    let verify_data = secrets
        .server_handshake_traffic_secret
        .finished_verify_data(&transcript.current_hash()?);
    cx.send_handshake(
        &HandshakeMessage::Finished(Finished { verify_data }),
        &mut transcript,
    )?;

    let app = derive_application_secrets(cx, secrets.handshake_secret, &transcript)?;
    // RFC 8446, Section 2: the server may send application data right after its Finished.
    cx.install_write_secret(
        suite,
        &app.server_application_traffic_secret_0,
        "server_application_traffic_secret_0",
    )?;

    let flight = Box::new(ExpectClientFlight {
        client_auth: config.client_verifier.is_some(),
        config,
        transcript,
        suite,
        client_handshake_traffic_secret: secrets.client_handshake_traffic_secret,
        app: Some(app),
    });
    Ok(match flight.client_auth {
        true => Step::ClientCertificate(flight),
        false => Step::ClientFinished(flight),
    })
}

fn record_choices(cx: &mut Common, selection: &Selection, group: NamedGroup) {
    cx.negotiated.version = Some(ProtocolVersion::TLS13);
    cx.negotiated.cipher_suite = Some(selection.suite.suite);
    cx.negotiated.group = Some(group);
    cx.negotiated.signature_scheme = Some(selection.scheme);
    cx.negotiated.alpn = selection.alpn.clone();
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS13)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(selection.suite.suite)));
    cx.emit(Event::Chosen(Parameter::Group(group)));
    cx.emit(Event::Chosen(Parameter::SignatureScheme(selection.scheme)));
    cx.emit(Event::Chosen(Parameter::Alpn(selection.alpn.clone())));
    cx.emit(Event::Chosen(Parameter::ServerName(selection.sni.clone())));
}

/// Waiting for the client's second flight: [Certificate, CertificateVerify,] Finished.
pub(crate) struct ExpectClientFlight {
    config: Arc<ServerConfig>,
    transcript: Transcript,
    suite: Tls13Suite,
    client_handshake_traffic_secret: TrafficSecret,
    app: Option<super::ApplicationSecrets>,
    client_auth: bool,
}

fn read_client_certificate(
    mut s: ExpectClientFlight,
    cx: &mut Common,
    c: Certificate,
    raw: &[u8],
) -> Result<Step, Error> {
    // We never ask a client for its OCSP response.
    let (chain, _) = take_peer_chain(cx, c, false)?;
    s.transcript.add(raw);
    let verifier = s.config.requested_client_verifier()?;
    let missing = CertificateError::NoCertificate.into();
    Ok(match accept_client_chain(cx, verifier, chain, missing)? {
        true => Step::ClientCertificateVerify(Box::new(s)),
        false => Step::ClientFinished(Box::new(s)),
    })
}

fn read_client_certificate_verify(
    mut s: ExpectClientFlight,
    cx: &mut Common,
    cv: CertificateVerify,
    raw: &[u8],
) -> Result<Step, Error> {
    let verifier = s.config.requested_client_verifier()?;
    check_certificate_verify(
        cx,
        &cv,
        CLIENT_SIGNATURE_CONTEXT,
        &s.transcript,
        &s.config.client_auth_schemes,
        |content, leaf| verifier.verify_tls13_signature(content, leaf, cv.algorithm, &cv.signature),
    )?;
    s.transcript.add(raw);
    Ok(Step::ClientFinished(Box::new(s)))
}

fn read_client_finished(
    mut s: ExpectClientFlight,
    cx: &mut Common,
    f: Finished,
    raw: &[u8],
) -> Result<Step, Error> {
    // RFC 8446, Section 4.4.4: a wrong verify_data is decrypt_error (compared in constant time).
    s.client_handshake_traffic_secret
        .verify_finished(&s.transcript.current_hash()?, &f.verify_data)?;
    s.transcript.add(raw);
    let app = s
        .app
        .take()
        .ok_or(Error::Internal("application secrets missing"))?;
    cx.install_read_secret(
        s.suite,
        &app.client_application_traffic_secret_0,
        "client_application_traffic_secret_0",
    )?;
    cx.start_traffic(
        s.suite,
        app.client_application_traffic_secret_0,
        app.server_application_traffic_secret_0,
        app.exporter_master_secret,
    );
    Ok(Step::Traffic)
}
