//! The TLS 1.3 client handshake (RFC 8446, Section 2, full handshake):
//!
//! ```text
//! send_client_hello
//!   -> read_server_hello (or read_hello_retry_request -> send_client_hello again)
//!   -> read_encrypted_extensions
//!   -> [read_certificate_request] -> read_server_certificate
//!   -> read_server_certificate_verify
//!   -> read_server_finished -> [send client Certificate, CertificateVerify] -> send_client_finished
//! ```

use std::sync::Arc;

use super::{
    accept_server_chain, certificate_verify_content, check_certificate_verify,
    derive_application_secrets, derive_handshake_secrets, take_peer_chain, unexpected,
    HandshakeSecrets, CLIENT_SIGNATURE_CONTEXT, SERVER_SIGNATURE_CONTEXT,
};
use crate::client::ClientConfig;
use crate::codec::extensions::{
    check_tls13_server_hello, find_unsolicited, Extension, KeyShareEntry,
};
use crate::codec::messages::{
    Certificate, CertificateEntry, CertificateRequest, CertificateVerify, ClientHello,
    EncryptedExtensions, Finished, HandshakeMessage, ServerHello,
};
use crate::codec::{ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::crypto::kx::{self, KeyShare};
use crate::crypto::{tls13_suite, Tls13Suite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter};
use crate::pki::ServerName;
use crate::transcript::Transcript;

/// The steps of a TLS 1.3 client handshake; each names the message expected next.
pub(crate) enum Step {
    ServerHello(Box<ExpectServerHello>),
    EncryptedExtensions(Box<ExpectEncryptedExtensions>),
    ServerCertificate(Box<ExpectServerCertificate>),
    ServerCertificateVerify(Box<ExpectServerCertificateVerify>),
    ServerFinished(Box<ExpectServerFinished>),
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
            (Step::ServerHello(s), HandshakeMessage::ServerHello(sh)) => {
                read_server_hello(*s, cx, sh, raw)
            }
            (Step::ServerHello(s), HandshakeMessage::HelloRetryRequest(hrr)) => {
                read_hello_retry_request(*s, cx, hrr, raw)
            }
            (Step::EncryptedExtensions(s), HandshakeMessage::EncryptedExtensions(ee)) => {
                read_encrypted_extensions(*s, cx, ee, raw)
            }
            (Step::ServerCertificate(s), HandshakeMessage::CertificateRequest(cr))
                if s.certificate_request.is_none() =>
            {
                read_certificate_request(*s, cr, raw)
            }
            (Step::ServerCertificate(s), HandshakeMessage::Certificate(c)) => {
                read_server_certificate(*s, cx, c, raw)
            }
            (Step::ServerCertificateVerify(s), HandshakeMessage::CertificateVerify(cv)) => {
                read_server_certificate_verify(*s, cx, cv, raw)
            }
            (Step::ServerFinished(s), HandshakeMessage::Finished(f)) => {
                read_server_finished(*s, cx, f, raw)
            }
            // Tickets are accepted and dropped: this client does not resume yet.
            (Step::Traffic, HandshakeMessage::NewSessionTicket(_)) => Ok(Step::Traffic),
            (step, msg) => Err(unexpected(step.expects(), &msg)),
        }
    }

    fn expects(&self) -> &'static str {
        match self {
            Step::ServerHello(_) => "ServerHello",
            Step::EncryptedExtensions(_) => "EncryptedExtensions",
            Step::ServerCertificate(_) => "Certificate or CertificateRequest",
            Step::ServerCertificateVerify(_) => "CertificateVerify",
            Step::ServerFinished(_) => "Finished",
            Step::Traffic => "no handshake message",
        }
    }
}

/// Waiting for ServerHello (or a HelloRetryRequest, once).
pub(crate) struct ExpectServerHello {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: ServerName,
    pub(crate) transcript: Transcript,
    pub(crate) client_hello: ClientHello,
    key_shares: Vec<KeyShare>,
    /// Set after a HelloRetryRequest: the suite and group it named.
    pub(crate) retried: Option<(Tls13Suite, Option<NamedGroup>)>,
    sent_ccs: bool,
}

/// Sends the first ClientHello and returns the step that waits for the answer.
pub(crate) fn send_client_hello(
    config: Arc<ClientConfig>,
    server_name: ServerName,
    cx: &mut Common,
) -> Result<Step, Error> {
    let mut random = [0u8; 32];
    cx.rng.fill(&mut random)?;
    cx.client_random = random;
    let offer13 = !config.protocols.tls13.is_empty();
    let offer12 = !config.protocols.tls12.is_empty();
    // RFC 8446, Appendix D.4: a non-empty legacy_session_id puts us in
    // middlebox compatibility mode, which OpenSSL and most peers expect. A
    // TLS 1.2-only client does not resume sessions, so it sends none.
    let mut legacy_session_id = vec![0u8; if offer13 { 32 } else { 0 }];
    cx.rng.fill(&mut legacy_session_id)?;

    let key_shares = match offer13 {
        true => config
            .key_share_groups
            .iter()
            .map(|&group| KeyShare::generate(group, &mut cx.rng))
            .collect::<Result<Vec<_>, _>>()?,
        false => Vec::new(),
    };

    // Room for every extension below, so the list is allocated once.
    let mut extensions = Vec::with_capacity(10);
    if let (true, ServerName::DnsName(name)) = (config.enable_sni, &server_name) {
        extensions.push(Extension::ServerName(name.as_bytes().to_vec()));
        cx.negotiated.server_name = Some(name.clone());
    }
    // RFC 8446, Section 4.2.1: TLS 1.3 is offered only here; a TLS 1.2-only
    // client leaves the extension out and relies on legacy_version.
    if offer13 {
        let mut versions = vec![ProtocolVersion::TLS13];
        if offer12 {
            versions.push(ProtocolVersion::TLS12);
        }
        extensions.push(Extension::SupportedVersionsClientHello(versions));
    }
    // draft-ietf-tls-ecdhe-mlkem, Section 3: the hybrids are TLS 1.3 only.
    let groups = config.groups.iter().copied();
    extensions.push(Extension::SupportedGroups(
        groups.filter(|g| offer13 || !kx::is_hybrid(*g)).collect(),
    ));
    extensions.push(Extension::SignatureAlgorithms(
        config.signature_schemes.clone(),
    ));
    if offer13 {
        extensions.push(key_share_extension(&key_shares));
    }
    if offer12 {
        // RFC 8422, Section 5.1.2: uncompressed points only.
        extensions.push(Extension::EcPointFormats(vec![0]));
        // RFC 7627, Section 5.1 and RFC 5746, Section 3.4: the extended master
        // secret and an empty renegotiation_info in every TLS 1.2 offer.
        extensions.push(Extension::ExtendedMasterSecret);
        extensions.push(Extension::RenegotiationInfo(Vec::new()));
    }
    if !config.alpn.is_empty() {
        extensions.push(Extension::Alpn(config.alpn.clone()));
    }

    let client_hello = ClientHello {
        legacy_version: ProtocolVersion::TLS12,
        random,
        legacy_session_id,
        cipher_suites: config
            .protocols
            .tls13
            .iter()
            .map(|s| s.suite)
            .chain(config.protocols.tls12.iter().map(|s| s.suite))
            .collect(),
        legacy_compression_methods: vec![0],
        extensions,
    };
    let mut transcript = Transcript::new();
    // RFC 8446, Section 5.1: the first ClientHello may use record version 0x0301
    // for compatibility with old middleboxes.
    cx.set_plaintext_version(ProtocolVersion::TLS10);
    let sent = HandshakeMessage::ClientHello(client_hello);
    cx.send_handshake(&sent, &mut transcript)?;
    let HandshakeMessage::ClientHello(client_hello) = sent else {
        return Err(Error::Internal("the ClientHello changed type"));
    };
    cx.set_plaintext_version(ProtocolVersion::TLS12);
    cx.hello_seen = true;

    Ok(Step::ServerHello(Box::new(ExpectServerHello {
        config,
        server_name,
        transcript,
        client_hello,
        key_shares,
        retried: None,
        // RFC 8446, Appendix D.4: the compatibility CCS belongs to compatibility
        // mode, which a non-empty legacy_session_id announces.
        sent_ccs: false,
    })))
}

/// Test seam: the step that follows a ClientHello the test supplies as already
/// sent (RFC 8448's traces use their own) together with its key shares; with
/// `retry`, also the HelloRetryRequest and second ClientHello that followed.
#[cfg(test)]
pub(crate) fn after_client_hellos(
    config: Arc<ClientConfig>,
    server_name: ServerName,
    cx: &mut Common,
    first: &[u8],
    retry: Option<(&[u8], &[u8])>,
    key_shares: Vec<KeyShare>,
) -> Result<Step, Error> {
    use crate::codec::HandshakeType;
    let decode_hello =
        |raw: &[u8]| match HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &raw[4..])? {
            HandshakeMessage::ClientHello(ch) => Ok::<_, Error>(ch),
            _ => Err(Error::Internal("not a ClientHello")),
        };
    let mut client_hello = decode_hello(first)?;
    cx.client_random = client_hello.random;
    cx.hello_seen = true;
    let mut transcript = Transcript::new();
    transcript.add(first);
    let mut retried = None;
    if let Some((hrr, second)) = retry {
        let HandshakeMessage::HelloRetryRequest(hrr_msg) =
            HandshakeMessage::decode(HandshakeType::SERVER_HELLO, &hrr[4..])?
        else {
            return Err(Error::Internal("not a HelloRetryRequest"));
        };
        let suite = tls13_suite(hrr_msg.cipher_suite).ok_or(Error::Internal("suite"))?;
        let group = hrr_msg.extensions.iter().find_map(|e| match e {
            Extension::KeyShareHelloRetryRequest(g) => Some(*g),
            _ => None,
        });
        transcript.start_hash(suite.hash);
        transcript.rollup_hello_retry_request();
        transcript.add(hrr);
        transcript.add(second);
        client_hello = decode_hello(second)?;
        retried = Some((suite, group));
    }
    Ok(Step::ServerHello(Box::new(ExpectServerHello {
        config,
        server_name,
        transcript,
        client_hello,
        key_shares,
        retried,
        sent_ccs: false,
    })))
}

fn key_share_extension(shares: &[KeyShare]) -> Extension {
    Extension::KeyShareClientHello(
        shares
            .iter()
            .map(|s| KeyShareEntry {
                group: s.group(),
                key_exchange: s.public().to_vec(),
            })
            .collect(),
    )
}

/// Checks shared by ServerHello and HelloRetryRequest (RFC 8446, Section 4.1.3/4.1.4);
/// returns the selected suite.
fn check_server_hello_common(s: &ExpectServerHello, sh: &ServerHello) -> Result<Tls13Suite, Error> {
    // RFC 8446, Appendix D.5: SSL 3.0 or below is protocol_version, whatever
    // supported_versions says.
    if sh.legacy_version <= ProtocolVersion::SSL3 {
        return Err(PeerIncompatible::NoCommonVersion.into());
    }
    let version = sh.extensions.iter().find_map(|e| match e {
        Extension::SupportedVersionsServerHello(v) => Some(*v),
        _ => None,
    });
    match version {
        Some(ProtocolVersion::TLS13) => {}
        // RFC 8446, Section 4.2.1: a version we did not offer is illegal_parameter.
        Some(_) => {
            return Err(PeerIncompatible::ChoseUnofferedParameter("protocol version").into())
        }
        // Without supported_versions the server speaks TLS 1.2 or older, which this
        // client does not offer.
        None => return Err(PeerIncompatible::NoCommonVersion.into()),
    }
    if sh.legacy_version != ProtocolVersion::TLS12 {
        return Err(
            PeerMisbehaved::IllegalParameter("ServerHello.legacy_version is not 0x0303").into(),
        );
    }
    if sh.legacy_session_id_echo != s.client_hello.legacy_session_id {
        return Err(
            PeerMisbehaved::IllegalParameter("legacy_session_id_echo does not match").into(),
        );
    }
    if sh.legacy_compression_method != 0 {
        return Err(PeerMisbehaved::IllegalParameter("legacy_compression_method is not 0").into());
    }
    let suite = tls13_suite(sh.cipher_suite)
        .filter(|suite| s.config.protocols.tls13.contains(suite))
        .ok_or(PeerIncompatible::ChoseUnofferedParameter("cipher suite"))?;
    if let Some((retry_suite, _)) = s.retried {
        // RFC 8446, Section 4.1.4: the ServerHello must keep the HRR's suite.
        if suite != retry_suite {
            return Err(PeerMisbehaved::IllegalParameter(
                "cipher suite differs from the HelloRetryRequest",
            )
            .into());
        }
    }
    Ok(suite)
}

fn read_server_hello(
    mut s: ExpectServerHello,
    cx: &mut Common,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Step, Error> {
    let suite = check_server_hello_common(&s, &sh)?;
    // RFC 8446, Section 4.2: a known extension a TLS 1.3 ServerHello may not
    // carry is illegal_parameter; one we did not offer (pre_shared_key: we
    // offer no PSK) is unsupported_extension.
    check_tls13_server_hello(&sh.extensions)?;
    let sent = [ExtensionType::KEY_SHARE, ExtensionType::SUPPORTED_VERSIONS];
    if let Some(typ) = find_unsolicited(&sh.extensions, &sent) {
        return Err(PeerMisbehaved::UnsolicitedExtension(typ).into());
    }
    let server_share = sh.extensions.iter().find_map(|e| match e {
        Extension::KeyShareServerHello(entry) => Some(entry),
        _ => None,
    });
    let server_share = server_share.ok_or(PeerMisbehaved::MissingExtension("key_share"))?;
    if let Some((_, Some(group))) = s.retried {
        if server_share.group != group {
            return Err(PeerMisbehaved::WrongKeyShareGroup(server_share.group).into());
        }
    }
    let index = s
        .key_shares
        .iter()
        .position(|k| k.group() == server_share.group)
        .ok_or(PeerMisbehaved::WrongKeyShareGroup(server_share.group))?;
    let our_share = s.key_shares.swap_remove(index);
    let group = our_share.group();
    let shared_secret = our_share.agree(&server_share.key_exchange)?;

    if s.retried.is_none() {
        s.transcript.start_hash(suite.hash);
    }
    s.transcript.add(raw);
    cx.negotiated.version = Some(ProtocolVersion::TLS13);
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.negotiated.group = Some(group);
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS13)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));
    cx.emit(Event::Chosen(Parameter::Group(group)));

    let secrets = derive_handshake_secrets(cx, suite, &shared_secret, &s.transcript)?;
    cx.install_read_secret(
        suite,
        &secrets.server_handshake_traffic_secret,
        "server_handshake_traffic_secret",
    )?;
    // RFC 8446, Appendix D.4: in compatibility mode (a non-empty
    // legacy_session_id) a CCS precedes our first encrypted record.
    if !s.sent_ccs && !s.client_hello.legacy_session_id.is_empty() {
        cx.send_change_cipher_spec()?;
    }
    cx.install_write_secret(
        suite,
        &secrets.client_handshake_traffic_secret,
        "client_handshake_traffic_secret",
    )?;

    Ok(Step::EncryptedExtensions(Box::new(
        ExpectEncryptedExtensions {
            config: s.config,
            server_name: s.server_name,
            transcript: s.transcript,
            suite,
            secrets,
            client_hello: s.client_hello,
        },
    )))
}

/// RFC 8446, Section 4.1.4: answer a HelloRetryRequest with a second
/// ClientHello carrying the requested share and the cookie, after rolling the
/// first ClientHello into a message_hash.
fn read_hello_retry_request(
    mut s: ExpectServerHello,
    cx: &mut Common,
    hrr: ServerHello,
    raw: &[u8],
) -> Result<Step, Error> {
    if s.retried.is_some() {
        return Err(PeerMisbehaved::SecondHelloRetryRequest.into());
    }
    let suite = check_server_hello_common(&s, &hrr)?;
    let mut group = None;
    let mut cookie = None;
    for ext in &hrr.extensions {
        match ext {
            Extension::KeyShareHelloRetryRequest(g) => group = Some(*g),
            Extension::Cookie(c) => cookie = Some(c.clone()),
            Extension::SupportedVersionsServerHello(_) => {}
            other => return Err(PeerMisbehaved::UnsolicitedExtension(other.ext_type()).into()),
        }
    }
    if let Some(group) = group {
        // RFC 8446, Section 4.2.8: the group must be one we offered in
        // supported_groups and not one we already sent a share for.
        if !s.config.groups.contains(&group) || s.key_shares.iter().any(|k| k.group() == group) {
            return Err(PeerMisbehaved::WrongKeyShareGroup(group).into());
        }
    }
    // RFC 8446, Section 4.1.4: an HRR that would not change the ClientHello is illegal.
    if group.is_none() && cookie.is_none() {
        return Err(
            PeerMisbehaved::IllegalParameter("HelloRetryRequest asks for no change").into(),
        );
    }

    s.transcript.start_hash(suite.hash);
    s.transcript.rollup_hello_retry_request();
    s.transcript.add(raw);
    cx.negotiated.hello_retry_request = true;

    if let Some(group) = group {
        s.key_shares = vec![KeyShare::generate(group, &mut cx.rng)?];
    }
    let mut extensions: Vec<Extension> = s
        .client_hello
        .extensions
        .iter()
        .filter(|e| !matches!(e, Extension::Cookie(_) | Extension::EarlyData))
        .map(|e| match e {
            Extension::KeyShareClientHello(_) => key_share_extension(&s.key_shares),
            other => other.clone(),
        })
        .collect();
    if let Some(cookie) = cookie {
        extensions.push(Extension::Cookie(cookie));
    }
    s.client_hello.extensions = extensions;
    // A cookie too long to fit our ClientHello's extension block leaves no
    // second ClientHello to send: the server asked for the impossible.
    let second = HandshakeMessage::ClientHello(s.client_hello.clone());
    if second.encode(&mut Vec::new()).is_err() {
        return Err(PeerMisbehaved::IllegalParameter(
            "HelloRetryRequest cookie too long to echo in a ClientHello",
        )
        .into());
    }

    // RFC 8446, Appendix D.4: in compatibility mode the CCS goes before the second ClientHello.
    if !s.client_hello.legacy_session_id.is_empty() {
        cx.send_change_cipher_spec()?;
        s.sent_ccs = true;
    }
    cx.send_handshake(&second, &mut s.transcript)?;
    s.retried = Some((suite, group));
    Ok(Step::ServerHello(Box::new(s)))
}

/// Waiting for EncryptedExtensions.
pub(crate) struct ExpectEncryptedExtensions {
    config: Arc<ClientConfig>,
    server_name: ServerName,
    transcript: Transcript,
    suite: Tls13Suite,
    secrets: HandshakeSecrets,
    /// What we sent: a reply extension is only allowed if we asked for it.
    client_hello: ClientHello,
}

fn read_encrypted_extensions(
    mut s: ExpectEncryptedExtensions,
    cx: &mut Common,
    ee: EncryptedExtensions,
    raw: &[u8],
) -> Result<Step, Error> {
    let offered = |typ| {
        s.client_hello
            .extensions
            .iter()
            .find(|e| e.ext_type() == typ)
    };
    for ext in &ee.extensions {
        match (ext, offered(ext.ext_type())) {
            (Extension::ServerNameAck, Some(_)) => {}
            // RFC 7301, Section 3.1: exactly one protocol, one that we offered.
            (Extension::Alpn(chosen), Some(Extension::Alpn(ours))) => match chosen.as_slice() {
                [chosen] if ours.contains(chosen) => cx.negotiated.alpn = Some(chosen.clone()),
                _ => {
                    return Err(
                        PeerIncompatible::ChoseUnofferedParameter("application protocol").into(),
                    )
                }
            },
            // RFC 8449, Section 4: from now on our records must fit the server's limit.
            (Extension::RecordSizeLimit(limit), Some(_)) => {
                cx.peer_record_size_limit = Some(*limit)
            }
            // RFC 8446, Section 4.2.7: the server may tell us its groups; informational only.
            (Extension::SupportedGroups(_), _) => {}
            (other, _) => return Err(PeerMisbehaved::UnsolicitedExtension(other.ext_type()).into()),
        }
    }
    cx.emit(Event::Chosen(Parameter::Alpn(cx.negotiated.alpn.clone())));
    s.transcript.add(raw);
    Ok(Step::ServerCertificate(Box::new(ExpectServerCertificate {
        config: s.config,
        server_name: s.server_name,
        transcript: s.transcript,
        suite: s.suite,
        secrets: s.secrets,
        certificate_request: None,
    })))
}

/// Waiting for the server's Certificate (a CertificateRequest may come first).
pub(crate) struct ExpectServerCertificate {
    config: Arc<ClientConfig>,
    server_name: ServerName,
    transcript: Transcript,
    suite: Tls13Suite,
    secrets: HandshakeSecrets,
    certificate_request: Option<CertificateRequest>,
}

fn read_certificate_request(
    mut s: ExpectServerCertificate,
    cr: CertificateRequest,
    raw: &[u8],
) -> Result<Step, Error> {
    // RFC 8446, Section 4.3.2: during the handshake the context is empty.
    if !cr.certificate_request_context.is_empty() {
        return Err(
            PeerMisbehaved::IllegalParameter("CertificateRequest context is not empty").into(),
        );
    }
    // RFC 8446, Section 4.3.2: signature_algorithms is mandatory here.
    if !cr
        .extensions
        .iter()
        .any(|e| matches!(e, Extension::SignatureAlgorithms(_)))
    {
        return Err(PeerMisbehaved::MissingExtension("signature_algorithms").into());
    }
    s.transcript.add(raw);
    s.certificate_request = Some(cr);
    Ok(Step::ServerCertificate(Box::new(s)))
}

fn read_server_certificate(
    mut s: ExpectServerCertificate,
    cx: &mut Common,
    c: Certificate,
    raw: &[u8],
) -> Result<Step, Error> {
    let chain = take_peer_chain(cx, c)?;
    accept_server_chain(cx, s.config.verifier.as_ref(), &s.server_name, chain)?;
    s.transcript.add(raw);
    Ok(Step::ServerCertificateVerify(Box::new(
        ExpectServerCertificateVerify {
            config: s.config,
            transcript: s.transcript,
            suite: s.suite,
            secrets: s.secrets,
            certificate_request: s.certificate_request,
        },
    )))
}

/// Waiting for the server's CertificateVerify.
pub(crate) struct ExpectServerCertificateVerify {
    config: Arc<ClientConfig>,
    transcript: Transcript,
    suite: Tls13Suite,
    secrets: HandshakeSecrets,
    certificate_request: Option<CertificateRequest>,
}

fn read_server_certificate_verify(
    mut s: ExpectServerCertificateVerify,
    cx: &mut Common,
    cv: CertificateVerify,
    raw: &[u8],
) -> Result<Step, Error> {
    let verifier = &s.config.verifier;
    check_certificate_verify(
        cx,
        &cv,
        SERVER_SIGNATURE_CONTEXT,
        &s.transcript,
        &s.config.signature_schemes,
        |content, leaf| verifier.verify_tls13_signature(content, leaf, cv.algorithm, &cv.signature),
    )?;
    cx.negotiated.signature_scheme = Some(cv.algorithm);
    cx.emit(Event::Chosen(Parameter::SignatureScheme(cv.algorithm)));
    s.transcript.add(raw);
    Ok(Step::ServerFinished(Box::new(ExpectServerFinished {
        config: s.config,
        transcript: s.transcript,
        suite: s.suite,
        secrets: s.secrets,
        certificate_request: s.certificate_request,
    })))
}

/// Waiting for the server's Finished.
pub(crate) struct ExpectServerFinished {
    config: Arc<ClientConfig>,
    transcript: Transcript,
    suite: Tls13Suite,
    secrets: HandshakeSecrets,
    certificate_request: Option<CertificateRequest>,
}

fn read_server_finished(
    mut s: ExpectServerFinished,
    cx: &mut Common,
    f: Finished,
    raw: &[u8],
) -> Result<Step, Error> {
    // RFC 8446, Section 4.4.4: a wrong verify_data is decrypt_error (compared in constant time).
    s.secrets
        .server_handshake_traffic_secret
        .verify_finished(&s.transcript.current_hash()?, &f.verify_data)?;
    s.transcript.add(raw);

    let app = derive_application_secrets(cx, s.secrets.handshake_secret, &s.transcript)?;
    cx.install_read_secret(
        s.suite,
        &app.server_application_traffic_secret_0,
        "server_application_traffic_secret_0",
    )?;

    if let Some(cr) = &s.certificate_request {
        send_client_certificate(&s.config, cx, &mut s.transcript, cr)?;
    }
    let verify_data = s
        .secrets
        .client_handshake_traffic_secret
        .finished_verify_data(&s.transcript.current_hash()?);
    cx.send_handshake(
        &HandshakeMessage::Finished(Finished { verify_data }),
        &mut s.transcript,
    )?;
    cx.install_write_secret(
        s.suite,
        &app.client_application_traffic_secret_0,
        "client_application_traffic_secret_0",
    )?;
    cx.start_traffic(
        s.suite,
        app.server_application_traffic_secret_0,
        app.client_application_traffic_secret_0,
        app.exporter_master_secret,
    );
    Ok(Step::Traffic)
}

/// RFC 8446, Section 4.4.2: answer a CertificateRequest with our chain (or an
/// empty one if we have none) and, with a chain, a CertificateVerify.
fn send_client_certificate(
    config: &ClientConfig,
    cx: &mut Common,
    transcript: &mut Transcript,
    cr: &CertificateRequest,
) -> Result<(), Error> {
    let peer_schemes: &[SignatureScheme] = cr
        .extensions
        .iter()
        .find_map(|e| match e {
            Extension::SignatureAlgorithms(list) => Some(list.as_slice()),
            _ => None,
        })
        .unwrap_or_default();
    let usable = config.client_auth.as_ref().and_then(|ck| {
        super::negotiate::choose_signature_scheme(ck.key.schemes(), peer_schemes)
            .map(|scheme| (ck, scheme))
    });
    let certificate_list = match usable {
        Some((ck, _)) => ck
            .chain
            .iter()
            .map(|der| CertificateEntry {
                cert_data: der.clone(),
                extensions: Vec::new(),
            })
            .collect(),
        None => Vec::new(),
    };
    let certificate = Certificate {
        certificate_request_context: cr.certificate_request_context.clone(),
        certificate_list,
    };
    cx.send_handshake(&HandshakeMessage::Certificate(certificate), transcript)?;
    if let Some((ck, scheme)) = usable {
        let content = certificate_verify_content(
            CLIENT_SIGNATURE_CONTEXT,
            transcript.current_hash()?.as_ref(),
        );
        let signature = ck.key.sign(scheme, &content, &mut cx.rng)?;
        let cv = CertificateVerify {
            algorithm: scheme,
            signature,
        };
        cx.send_handshake(&HandshakeMessage::CertificateVerify(cv), transcript)?;
    }
    Ok(())
}
