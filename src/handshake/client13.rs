//! The TLS 1.3 client handshake (RFC 8446, Section 2):
//!
//! ```text
//! send_client_hello [+ 0-RTT early data]
//!   -> read_server_hello (or read_hello_retry_request -> send_client_hello again)
//!   -> read_encrypted_extensions
//!   -> full:    [read_certificate_request] -> read_server_certificate
//!               -> read_server_certificate_verify
//!   -> read_server_finished -> [EndOfEarlyData] [Certificate, CertificateVerify] Finished
//!   -> read_new_session_ticket, any number of times
//! ```
//!
//! Resumption (RFC 8446, Section 2.2): the client offers the newest stored
//! ticket for the server (each ticket is taken from the store and used
//! once) in a pre_shared_key extension, with its binder; if the server
//! selects it, the handshake skips the certificate messages and keeps the
//! identity of the full handshake. With early data enabled and a ticket
//! that allows it, 0-RTT data follows the ClientHello under the early
//! traffic key until the ServerHello; whether the server took it shows in
//! EncryptedExtensions.

use std::borrow::Cow;
use std::sync::Arc;

use super::{
    accept_server_chain, binder_hash, certificate_verify_content, check_certificate_verify,
    derive_application_secrets, derive_early_traffic_secret, derive_handshake_secrets,
    derive_resumption_master_secret, ocsp_staple, take_peer_chain, unexpected, HandshakeSecrets,
    CLIENT_SIGNATURE_CONTEXT, SERVER_SIGNATURE_CONTEXT,
};
use crate::client::ClientConfig;
use crate::codec::extensions::{
    check_tls13_server_hello, find_unsolicited, Extension, KeyShareEntry, OfferedPsks, PskIdentity,
    OCSP_STATUS_REQUEST,
};
use crate::codec::messages::{
    Certificate, CertificateEntry, CertificateRequest, CertificateVerify, ClientHello,
    CompressionMethods, EncryptedExtensions, Finished, HandshakeMessage, NewSessionTicket,
    ServerHello, SessionId,
};
use crate::codec::{
    ExtensionType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme,
};
use crate::conn::{Common, EarlyData};
use crate::crypto::kx::{self, KeyShare, SharedSecret};
use crate::crypto::{tls13_suite, Tls13Suite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter};
use crate::keys::tls13::{EarlySecret, ResumptionMasterSecret};
use crate::pki::ServerName;
use crate::session::state::MAX_LIFETIME_SECS;
use crate::session::{Candidate, SessionState};
use crate::transcript::Transcript;

/// How many stored tickets a ClientHello looks through for a usable one;
/// the unusable ones are dropped.
const MAX_TICKETS_TRIED: usize = 8;

/// The steps of a TLS 1.3 client handshake; each names the message expected next.
pub(crate) enum Step {
    ServerHello(Box<ExpectServerHello>),
    // The steps of the server's flight after its ServerHello share one
    // state, moved from step to step in the same box.
    EncryptedExtensions(Box<ServerFlight>),
    ServerCertificate(Box<ServerFlight>),
    ServerCertificateVerify(Box<ServerFlight>),
    ServerFinished(Box<ServerFlight>),
    /// The handshake is complete; NewSessionTickets are kept if there is
    /// somewhere to keep them, other post-handshake messages are handled by
    /// the connection.
    Traffic(Option<Box<KeepTickets>>),
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
                read_encrypted_extensions(s, cx, ee, raw)
            }
            (Step::ServerCertificate(s), HandshakeMessage::CertificateRequest(cr))
                if s.certificate_request.is_none() =>
            {
                read_certificate_request(s, cr, raw)
            }
            (Step::ServerCertificate(s), HandshakeMessage::Certificate(c)) => {
                read_server_certificate(s, cx, c, raw)
            }
            (Step::ServerCertificateVerify(s), HandshakeMessage::CertificateVerify(cv)) => {
                read_server_certificate_verify(s, cx, cv, raw)
            }
            (Step::ServerFinished(s), HandshakeMessage::Finished(f)) => {
                read_server_finished(s, cx, f, raw)
            }
            (Step::Traffic(keep), HandshakeMessage::NewSessionTicket(nst)) => {
                read_new_session_ticket(keep.as_deref(), cx, nst)?;
                Ok(Step::Traffic(keep))
            }
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
            Step::Traffic(_) => "no handshake message",
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
    /// The cached TLS 1.2 session offered in the ClientHello, if any.
    pub(crate) tls12_session: Option<SessionState>,
    /// The TLS 1.3 ticket offered in the ClientHello, if any.
    pub(crate) ticket: Option<OfferedTicket>,
}

/// A TLS 1.3 ticket offered in pre_shared_key (RFC 8446, Section 4.2.11).
pub(crate) struct OfferedTicket {
    session: SessionState,
    /// The suite it is offered with: the ticket's own if enabled, else one
    /// of the same hash (which keys the binder).
    suite: Tls13Suite,
    /// 0-RTT data was offered with it (RFC 8446, Section 4.2.10).
    pub(crate) early_data: bool,
}

impl OfferedTicket {
    fn early_secret(&self) -> EarlySecret {
        EarlySecret::new(self.suite.hash, Some(&self.session.secret))
    }

    /// The pre_shared_key extension offering it, with a placeholder binder
    /// of the right length ([`bind`] fills it in). RFC 8446, Section
    /// 4.2.11.1: the age is obfuscated by the ticket's ticket_age_add.
    fn extension(&self, now_ms: u64) -> Extension {
        let age = u32::try_from(self.session.age_ms(now_ms)).unwrap_or(u32::MAX);
        Extension::PreSharedKeyClientHello(OfferedPsks {
            identities: vec![PskIdentity {
                identity: self.session.ticket.clone(),
                obfuscated_ticket_age: age.wrapping_add(self.session.age_add),
            }],
            binders: vec![vec![0; self.suite.hash.output_len()]],
        })
    }
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
    let sni = match (config.enable_sni, &server_name) {
        (true, ServerName::DnsName(name)) => Some(name.as_str()),
        _ => None,
    };
    let tls12_session = match offer12 {
        true => cached_tls12_session(&config, &server_name, sni),
        false => None,
    };
    let ticket = match offer13 {
        true => stored_ticket(&config, &server_name, sni),
        false => None,
    };
    // RFC 8446, Appendix D.4: a non-empty legacy_session_id puts us in
    // middlebox compatibility mode, which OpenSSL and most peers expect.
    // RFC 5246, Section 7.4.1.2: it carries a TLS 1.2 session's ID to
    // resume it (RFC 8446 allows that there too); RFC 5077, Section 3.4: with
    // a ticket, an ID of our own, which the server echoes if it resumes.
    let legacy_session_id = match &tls12_session {
        Some(session) if !session.session_id.is_empty() => {
            SessionId::new(&session.session_id, "cached session_id")?
        }
        _ if offer13 || tls12_session.is_some() => {
            let mut id = [0u8; 32];
            cx.rng.fill(&mut id)?;
            SessionId::from_array(id)
        }
        _ => SessionId::default(),
    };

    let key_shares = match offer13 {
        true => config
            .key_share_groups
            .iter()
            .map(|&group| KeyShare::generate(group, &mut cx.rng))
            .collect::<Result<Vec<_>, _>>()?,
        false => Vec::new(),
    };

    // Room for every extension below, so the list is allocated once.
    let mut extensions = Vec::with_capacity(14);
    if let Some(name) = sni {
        extensions.push(Extension::ServerName(name.as_bytes().to_vec()));
        cx.negotiated.server_name = Some(name.to_string());
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
        // RFC 5077, Section 3.2: the ticket of a cached session, or an empty
        // one to ask for a ticket.
        if config.resumption.store.is_some() {
            let ticket = tls12_session.as_ref().map(|s| s.ticket.clone());
            extensions.push(Extension::SessionTicket(ticket.unwrap_or_default()));
        }
    }
    if !config.alpn.is_empty() {
        extensions.push(Extension::Alpn(config.alpn.clone()));
    }
    // RFC 6066, Section 8: ask for the server's OCSP response.
    if config.ocsp_stapling {
        extensions.push(Extension::StatusRequest(Cow::Borrowed(
            &OCSP_STATUS_REQUEST,
        )));
    }
    // RFC 8449, Section 4.
    if let Some(limit) = config.record_size_limit {
        extensions.push(Extension::RecordSizeLimit(limit));
    }
    // RFC 8446, Section 4.2.9: the modes a ticket may be used in, sent
    // whenever tickets can be kept (a server sends none to a client without).
    if offer13 && config.resumption.store.is_some() {
        let mut modes = vec![PskKeyExchangeMode::PSK_DHE_KE];
        if config.resumption.psk_ke {
            modes.push(PskKeyExchangeMode::PSK_KE);
        }
        extensions.push(Extension::PskKeyExchangeModes(modes));
    }
    if let Some(ticket) = &ticket {
        if ticket.early_data {
            extensions.push(Extension::EarlyData);
        }
        // RFC 8446, Section 4.2.11: pre_shared_key is the last extension.
        extensions.push(ticket.extension(config.resumption.now_ms()));
    }

    let mut client_hello = ClientHello {
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
        legacy_compression_methods: CompressionMethods::from_array([0]),
        extensions,
    };
    let mut transcript = Transcript::new();
    if let Some(ticket) = &ticket {
        bind(&mut client_hello, &transcript, ticket)?;
    }
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
    // RFC 8446, Appendix D.4: the compatibility CCS belongs to compatibility
    // mode, which a non-empty legacy_session_id announces; with early data
    // it goes right after the ClientHello.
    let mut sent_ccs = false;
    if let Some(ticket) = ticket.as_ref().filter(|t| t.early_data) {
        if !client_hello.legacy_session_id.is_empty() {
            cx.send_change_cipher_spec()?;
            sent_ccs = true;
        }
        start_early_data(cx, ticket, &transcript)?;
    }

    Ok(Step::ServerHello(Box::new(ExpectServerHello {
        config,
        server_name,
        transcript,
        client_hello,
        key_shares,
        retried: None,
        sent_ccs,
        tls12_session,
        ticket,
    })))
}

/// The newest stored TLS 1.3 ticket for this server that can be offered:
/// not expired, made for the same server name, its hash among our suites'.
/// Tickets are taken (each is used once); unusable ones are dropped.
fn stored_ticket(
    config: &ClientConfig,
    server_name: &ServerName,
    sni: Option<&str>,
) -> Option<OfferedTicket> {
    let resumption = &config.resumption;
    let store = resumption.store.as_ref()?;
    let key = resumption.key(server_name);
    let now_ms = resumption.now_ms();
    let enabled = &config.protocols.tls13;
    for _ in 0..MAX_TICKETS_TRIED {
        let Some(session) = SessionState::decode(&store.take_ticket(&key)?) else {
            continue;
        };
        let Some(theirs) = tls13_suite(session.suite) else {
            continue;
        };
        let same = enabled.iter().find(|s| **s == theirs);
        let Some(&suite) = same.or_else(|| enabled.iter().find(|s| s.hash == theirs.hash)) else {
            continue;
        };
        let here = Candidate {
            version: ProtocolVersion::TLS13,
            suite: session.suite,
            server_name: sni,
            // The server's choice is not known yet; it must keep the
            // ticket's for 0-RTT (checked in EncryptedExtensions).
            alpn: session.alpn.as_deref(),
            extended_master_secret: false,
            now_ms,
        };
        if session.ticket.is_empty() || session.resumable(&here).is_err() {
            continue;
        }
        // RFC 8446, Section 4.2.10: early data uses the ticket's own suite.
        let early_data = resumption.early_data && session.max_early_data > 0 && suite == theirs;
        return Some(OfferedTicket {
            session,
            suite,
            early_data,
        });
    }
    None
}

/// RFC 8446, Section 4.2.11.2: fills in the binder of `ticket` in `ch`'s
/// pre_shared_key (its last extension), over `before` (the transcript
/// before `ch`) and `ch` up to its binders.
fn bind(ch: &mut ClientHello, before: &Transcript, ticket: &OfferedTicket) -> Result<(), Error> {
    let mut encoded = Vec::new();
    HandshakeMessage::ClientHello(ch.clone()).encode(&mut encoded)?;
    let Some(Extension::PreSharedKeyClientHello(offered)) = ch.extensions.last_mut() else {
        return Err(Error::Internal("pre_shared_key is not the last extension"));
    };
    let hash = binder_hash(before, ticket.suite.hash, &encoded, offered)?;
    offered.binders = vec![ticket.early_secret().binder_key(false).binder(&hash)];
    Ok(())
}

/// RFC 8446, Section 4.2.10: installs the early traffic key (over the
/// ClientHello) for 0-RTT data, up to the ticket's max_early_data_size.
fn start_early_data(
    cx: &mut Common,
    ticket: &OfferedTicket,
    transcript: &Transcript,
) -> Result<(), Error> {
    let mut hello = transcript.clone();
    hello.start_hash(ticket.suite.hash);
    let secret = derive_early_traffic_secret(cx, &ticket.early_secret(), &hello)?;
    cx.install_write_secret(ticket.suite, &secret, "client_early_traffic_secret")?;
    cx.early_data_to_send = usize::try_from(ticket.session.max_early_data).unwrap_or(usize::MAX);
    // Until EncryptedExtensions says the server took it.
    cx.negotiated.early_data = EarlyData::Rejected;
    Ok(())
}

/// The TLS 1.2 session cached for this server, if it can still be offered:
/// not expired, its suite still enabled, made for the same server name.
fn cached_tls12_session(
    config: &ClientConfig,
    server_name: &ServerName,
    sni: Option<&str>,
) -> Option<SessionState> {
    let resumption = &config.resumption;
    let store = resumption.store.as_ref()?;
    let key = resumption.key(server_name);
    let session = SessionState::decode(&store.tls12_session(&key)?)?;
    let suite = crate::crypto::tls12_suite(session.suite)?;
    let candidate = Candidate {
        version: ProtocolVersion::TLS12,
        suite: suite.suite,
        server_name: sni,
        // The server's choice is not known yet: it is checked against the
        // session when the server resumes.
        alpn: session.alpn.as_deref(),
        extended_master_secret: session.extended_master_secret,
        now_ms: resumption.now_ms(),
    };
    match config.protocols.tls12.contains(&suite) && session.resumable(&candidate).is_ok() {
        true => Some(session),
        false => {
            store.remove_tls12_session(&key);
            None
        }
    }
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
        tls12_session: None,
        ticket: None,
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
    // carry is illegal_parameter; one we did not offer (pre_shared_key
    // without a ticket) is unsupported_extension.
    check_tls13_server_hello(&sh.extensions)?;
    let sent: &[ExtensionType] = match s.ticket {
        Some(_) => &[
            ExtensionType::KEY_SHARE,
            ExtensionType::SUPPORTED_VERSIONS,
            ExtensionType::PRE_SHARED_KEY,
        ],
        None => &[ExtensionType::KEY_SHARE, ExtensionType::SUPPORTED_VERSIONS],
    };
    if let Some(typ) = find_unsolicited(&sh.extensions, sent) {
        return Err(PeerMisbehaved::UnsolicitedExtension(typ).into());
    }
    let selected = sh.extensions.iter().find_map(|e| match e {
        Extension::PreSharedKeyServerHello(index) => Some(*index),
        _ => None,
    });
    let early_data_pending = s.ticket.as_ref().is_some_and(|t| t.early_data);
    // RFC 8446, Section 4.2.11: the index must be one we offered (we offer
    // one), with a suite of the ticket's hash.
    let resumed = match (selected, s.ticket.take()) {
        (None, _) => None,
        (Some(0), Some(ticket)) if ticket.suite.hash == suite.hash => Some(ticket),
        (Some(_), _) => {
            return Err(PeerMisbehaved::IllegalParameter(
                "pre_shared_key selects no ticket we offered for this suite",
            )
            .into())
        }
    };
    let server_share = sh.extensions.iter().find_map(|e| match e {
        Extension::KeyShareServerHello(entry) => Some(entry),
        _ => None,
    });
    // RFC 8446, Section 4.2.11: without a key_share only psk_ke, which we
    // must have offered.
    let psk_ke = resumed.is_some() && s.config.resumption.psk_ke && server_share.is_none();
    let (group, shared_secret) = match server_share {
        Some(server_share) => {
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
            (Some(group), our_share.agree(&server_share.key_exchange)?)
        }
        None if psk_ke => (None, SharedSecret::zeros(suite.hash.output_len())?),
        None => return Err(PeerMisbehaved::MissingExtension("key_share").into()),
    };

    if s.retried.is_none() {
        s.transcript.start_hash(suite.hash);
    }
    s.transcript.add(raw);
    cx.negotiated.version = Some(ProtocolVersion::TLS13);
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.negotiated.group = group;
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS13)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(suite.suite)));
    if let Some(group) = group {
        cx.emit(Event::Chosen(Parameter::Group(group)));
    }
    let early = match &resumed {
        Some(ticket) => {
            cx.negotiated.resumed = true;
            cx.negotiated.peer_certificates = ticket.session.peer_certificates.clone();
            ticket.early_secret()
        }
        None => EarlySecret::new(suite.hash, None),
    };

    let secrets =
        derive_handshake_secrets(cx, early, resumed.is_some(), &shared_secret, &s.transcript)?;
    cx.install_read_secret(
        suite,
        &secrets.server_handshake_traffic_secret,
        "server_handshake_traffic_secret",
    )?;
    // RFC 8446, Section 4.2.10: no more early data once the ServerHello is
    // in; its key stays until EncryptedExtensions says whether the server
    // took it.
    cx.early_data_to_send = 0;
    if !early_data_pending {
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
    }

    Ok(Step::EncryptedExtensions(Box::new(ServerFlight {
        config: s.config,
        server_name: s.server_name,
        transcript: s.transcript,
        suite,
        secrets,
        client_hello: s.client_hello,
        resumed,
        early_data_pending,
        certificate_request: None,
        early_data_accepted: false,
    })))
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
    // RFC 8446, Section 4.2.10: no early data after a HelloRetryRequest; the
    // second ClientHello goes in the clear.
    if let Some(ticket) = s.ticket.as_mut().filter(|t| t.early_data) {
        ticket.early_data = false;
        cx.uninstall_write_keys();
    }
    // RFC 8446, Section 4.2.11: keep the ticket only if its hash is the
    // suite's.
    s.ticket = s.ticket.take().filter(|t| t.suite.hash == suite.hash);
    let mut extensions: Vec<Extension> = s
        .client_hello
        .extensions
        .iter()
        .filter(|e| {
            !matches!(
                e,
                Extension::Cookie(_) | Extension::EarlyData | Extension::PreSharedKeyClientHello(_)
            )
        })
        .map(|e| match e {
            Extension::KeyShareClientHello(_) => key_share_extension(&s.key_shares),
            other => other.clone(),
        })
        .collect();
    if let Some(cookie) = cookie {
        extensions.push(Extension::Cookie(cookie));
    }
    // Still last, with the age now and a binder over the new transcript.
    if let Some(ticket) = &s.ticket {
        extensions.push(ticket.extension(s.config.resumption.now_ms()));
    }
    s.client_hello.extensions = extensions;
    // A cookie too long to fit our ClientHello's extension block leaves no
    // second ClientHello to send: the server asked for the impossible.
    let bound = match &s.ticket {
        Some(ticket) => bind(&mut s.client_hello, &s.transcript, ticket),
        None => HandshakeMessage::ClientHello(s.client_hello.clone())
            .encode(&mut Vec::new())
            .map(|_| ()),
    };
    if bound.is_err() {
        return Err(PeerMisbehaved::IllegalParameter(
            "HelloRetryRequest cookie too long to echo in a ClientHello",
        )
        .into());
    }
    let second = HandshakeMessage::ClientHello(s.client_hello.clone());

    // RFC 8446, Appendix D.4: in compatibility mode the CCS goes before the
    // second ClientHello (unless it went with early data already).
    if !s.sent_ccs && !s.client_hello.legacy_session_id.is_empty() {
        cx.send_change_cipher_spec()?;
        s.sent_ccs = true;
    }
    cx.send_handshake(&second, &mut s.transcript)?;
    s.retried = Some((suite, group));
    Ok(Step::ServerHello(Box::new(s)))
}

/// The server's flight after its ServerHello: EncryptedExtensions, then,
/// unless it resumed, its Certificate (a CertificateRequest may come first)
/// and CertificateVerify, then its Finished.
pub(crate) struct ServerFlight {
    config: Arc<ClientConfig>,
    server_name: ServerName,
    transcript: Transcript,
    suite: Tls13Suite,
    secrets: HandshakeSecrets,
    /// What we sent: a reply extension is only allowed if we asked for it.
    client_hello: ClientHello,
    /// The ticket the server resumed, if it did.
    resumed: Option<OfferedTicket>,
    /// 0-RTT data went with the ClientHello; our write key is still the
    /// early one until EncryptedExtensions says whether the server took it.
    early_data_pending: bool,
    certificate_request: Option<CertificateRequest>,
    /// The server took our 0-RTT data: EndOfEarlyData goes before our
    /// Finished.
    early_data_accepted: bool,
}

fn read_encrypted_extensions(
    mut s: Box<ServerFlight>,
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
            // RFC 8449, Section 4: from now on our records must fit the
            // server's limit, and its records ours.
            (Extension::RecordSizeLimit(limit), Some(Extension::RecordSizeLimit(ours))) => {
                cx.peer_record_size_limit = Some(*limit);
                cx.record_size_limit = Some(*ours);
            }
            // RFC 8446, Section 4.2.7: the server may tell us its groups; informational only.
            (Extension::SupportedGroups(_), _) => {}
            // RFC 8446, Section 4.2.10: the server takes our 0-RTT data;
            // only possible on the ticket it resumed.
            (Extension::EarlyData, Some(_)) if s.resumed.is_some() => {
                cx.negotiated.early_data = EarlyData::Accepted
            }
            (Extension::EarlyData, Some(_)) => {
                return Err(PeerMisbehaved::IllegalParameter(
                    "early_data accepted without resuming the ticket",
                )
                .into())
            }
            (other, _) => return Err(PeerMisbehaved::UnsolicitedExtension(other.ext_type()).into()),
        }
    }
    cx.emit(Event::Chosen(Parameter::Alpn(cx.negotiated.alpn.clone())));
    s.transcript.add(raw);
    let early_data_accepted = cx.negotiated.early_data == EarlyData::Accepted;
    if early_data_accepted {
        // RFC 8446, Section 4.2.10: 0-RTT data was sent for the ticket's
        // application protocol; the server must have kept it.
        let ticket_alpn = s.resumed.as_ref().and_then(|t| t.session.alpn.as_ref());
        if ticket_alpn != cx.negotiated.alpn.as_ref() {
            return Err(PeerMisbehaved::IllegalParameter(
                "0-RTT accepted under another application protocol than the ticket's",
            )
            .into());
        }
    } else if s.early_data_pending {
        // Rejected: our next records are under the handshake key.
        cx.install_write_secret(
            s.suite,
            &s.secrets.client_handshake_traffic_secret,
            "client_handshake_traffic_secret",
        )?;
    }
    s.early_data_accepted = early_data_accepted;
    // A resumed handshake has no certificates: the PSK authenticates.
    Ok(match s.resumed.take() {
        Some(_) => Step::ServerFinished(s),
        None => Step::ServerCertificate(s),
    })
}

fn read_certificate_request(
    mut s: Box<ServerFlight>,
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
    Ok(Step::ServerCertificate(s))
}

fn read_server_certificate(
    mut s: Box<ServerFlight>,
    cx: &mut Common,
    c: Certificate,
    raw: &[u8],
) -> Result<Step, Error> {
    let requested = s.config.ocsp_stapling;
    let (chain, ocsp_response) = take_peer_chain(cx, c, requested)?;
    let staple = ocsp_staple(requested, ocsp_response.as_deref());
    accept_server_chain(
        cx,
        s.config.verifier.as_ref(),
        &s.server_name,
        chain,
        staple,
    )?;
    s.transcript.add(raw);
    Ok(Step::ServerCertificateVerify(s))
}

fn read_server_certificate_verify(
    mut s: Box<ServerFlight>,
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
    Ok(Step::ServerFinished(s))
}

fn read_server_finished(
    mut s: Box<ServerFlight>,
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

    // RFC 8446, Section 4.5: the end of 0-RTT data, under the early key.
    if s.early_data_accepted {
        cx.send_handshake(&HandshakeMessage::EndOfEarlyData, &mut s.transcript)?;
        cx.install_write_secret(
            s.suite,
            &s.secrets.client_handshake_traffic_secret,
            "client_handshake_traffic_secret",
        )?;
    }
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
    let keep = match &s.config.resumption.store {
        Some(_) => Some(Box::new(KeepTickets {
            resumption_master: derive_resumption_master_secret(
                cx,
                &app.master_secret,
                &s.transcript,
            )?,
            config: s.config,
            server_name: s.server_name,
            suite: s.suite,
        })),
        None => None,
    };
    cx.start_traffic(
        s.suite,
        app.server_application_traffic_secret_0,
        app.client_application_traffic_secret_0,
        app.exporter_master_secret,
    );
    Ok(Step::Traffic(keep))
}

/// What a client needs to keep the NewSessionTickets of a connection.
pub(crate) struct KeepTickets {
    config: Arc<ClientConfig>,
    server_name: ServerName,
    suite: Tls13Suite,
    resumption_master: ResumptionMasterSecret,
}

/// RFC 8446, Section 4.6.1: stores a ticket with its PSK and what the
/// connection agreed (server name, ALPN, the server's certificates), for
/// its lifetime; `keep` is None when the config keeps no tickets.
fn read_new_session_ticket(
    keep: Option<&KeepTickets>,
    cx: &mut Common,
    nst: NewSessionTicket,
) -> Result<(), Error> {
    // "Servers MUST NOT use any value greater than 604800 seconds."
    if nst.ticket_lifetime > MAX_LIFETIME_SECS {
        return Err(PeerMisbehaved::IllegalParameter("ticket_lifetime longer than 7 days").into());
    }
    // A lifetime of 0: "the ticket should be discarded immediately".
    let (Some(keep), 1..) = (keep, nst.ticket_lifetime) else {
        return Ok(());
    };
    let Some(store) = &keep.config.resumption.store else {
        return Ok(());
    };
    let max_early_data = nst.extensions.iter().find_map(|e| match e {
        Extension::EarlyDataMaxSize(max) => Some(*max),
        _ => None,
    });
    let session = SessionState {
        version: ProtocolVersion::TLS13,
        suite: keep.suite.suite,
        secret: keep.resumption_master.ticket_psk(&nst.ticket_nonce)?,
        extended_master_secret: false,
        server_name: cx.negotiated.server_name.clone(),
        alpn: cx.negotiated.alpn.clone(),
        peer_certificates: cx.negotiated.peer_certificates.clone(),
        created_ms: keep.config.resumption.now_ms(),
        lifetime_secs: nst.ticket_lifetime,
        age_add: nst.ticket_age_add,
        max_early_data: max_early_data.unwrap_or(0),
        ticket: nst.ticket,
        session_id: Vec::new(),
    };
    let key = keep.config.resumption.key(&keep.server_name);
    store.insert_ticket(&key, session.encode()?.to_vec());
    Ok(())
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
        )?;
        let signature = ck.key.sign(scheme, content.as_bytes(), &mut cx.rng)?;
        let cv = CertificateVerify {
            algorithm: scheme,
            signature,
        };
        cx.send_handshake(&HandshakeMessage::CertificateVerify(cv), transcript)?;
    }
    Ok(())
}

/// Server checks that only a ClientHello with a valid binder reaches and
/// that the keyway client never sends: the hellos here are made by hand (or
/// from a ticket the store edits), bound with the client's own binder code.
#[cfg(test)]
#[cfg(feature = "fuzzing")]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::codec::HandshakeType;
    use crate::fuzzing::{
        client_config_builder, exchange, server_config_builder, FixedClock, SERVER_NAME,
    };
    use crate::session::{ClientSessionStore, InMemoryServerSessionStore};
    use crate::{ClientConnection, ServerConnection};

    /// A client store for one server that keeps TLS 1.3 tickets (newest
    /// last) and, when `claim_early_data` is set, hands each out claiming
    /// the server allowed 0-RTT on it.
    #[derive(Debug, Default)]
    struct Tickets {
        kept: Mutex<Vec<Vec<u8>>>,
        claim_early_data: bool,
    }

    impl ClientSessionStore for Tickets {
        fn insert_ticket(&self, _: &str, value: Vec<u8>) {
            self.kept.lock().unwrap().push(value);
        }
        fn take_ticket(&self, _: &str) -> Option<Vec<u8>> {
            let value = self.kept.lock().unwrap().pop()?;
            if !self.claim_early_data {
                return Some(value);
            }
            let mut session = SessionState::decode(&value)?;
            session.max_early_data = 16384;
            Some(session.encode().ok()?.to_vec())
        }
        fn set_tls12_session(&self, _: &str, _: Vec<u8>) {}
        fn tls12_session(&self, _: &str) -> Option<Vec<u8>> {
            None
        }
        fn remove_tls12_session(&self, _: &str) {}
    }

    #[test]
    fn a_psk_only_hello_without_groups_or_shares_resumes_with_psk_ke() {
        let tickets = Arc::new(Tickets::default());
        let client = client_config_builder()
            .session_store(Some(tickets.clone()))
            .build()
            .unwrap();
        let server = Arc::new(server_config_builder().psk_ke(true).build().unwrap());
        let mut c = ClientConnection::new(Arc::new(client), SERVER_NAME).unwrap();
        let mut s = ServerConnection::new(server.clone());
        exchange(&mut c, &mut s);

        // RFC 8446, Section 9.2: a hello that offers only psk_ke needs
        // neither supported_groups nor key_share.
        let session = SessionState::decode(&tickets.take_ticket("").unwrap()).unwrap();
        let now_ms = crate::session::unix_millis(&FixedClock);
        let ticket = OfferedTicket {
            suite: tls13_suite(session.suite).unwrap(),
            session,
            early_data: false,
        };
        let mut ch = ClientHello {
            legacy_version: ProtocolVersion::TLS12,
            random: [7; 32],
            legacy_session_id: SessionId::default(),
            cipher_suites: vec![ticket.suite.suite],
            legacy_compression_methods: CompressionMethods::new(&[0], "test").unwrap(),
            extensions: vec![
                Extension::ServerName(SERVER_NAME.as_bytes().to_vec()),
                Extension::Alpn(vec![b"http/1.1".to_vec()]),
                Extension::SupportedVersionsClientHello(vec![ProtocolVersion::TLS13]),
                Extension::PskKeyExchangeModes(vec![PskKeyExchangeMode::PSK_KE]),
                ticket.extension(now_ms),
            ],
        };
        bind(&mut ch, &Transcript::new(), &ticket).unwrap();
        let mut hello = Vec::new();
        HandshakeMessage::ClientHello(ch)
            .encode(&mut hello)
            .unwrap();
        let mut record = vec![22, 3, 1];
        record.extend_from_slice(&u16::try_from(hello.len()).unwrap().to_be_bytes());
        record.extend_from_slice(&hello);

        let mut s = ServerConnection::new(server);
        s.read_tls_bytes(&record).unwrap();
        s.process().unwrap();
        let flight = s.take_tls();
        assert_eq!(flight[0], 22, "a handshake record");
        assert_eq!(flight[5], HandshakeType::SERVER_HELLO.0);
        assert!(s.negotiated().resumed);
    }

    #[test]
    fn early_data_on_a_ticket_issued_without_it_is_rejected() {
        // Two servers sharing a session store: one issues tickets that allow
        // no 0-RTT, the other allows it. A client that claims the ticket
        // allowed early data resumes, but its early data is refused.
        let store = Arc::new(InMemoryServerSessionStore::new(16));
        let member = || {
            server_config_builder()
                .session_store(Some(store.clone()))
                .stateful_tickets(true)
        };
        let issuing = Arc::new(member().build().unwrap());
        let accepting = Arc::new(member().max_early_data_size(1024).build().unwrap());
        let tickets = Arc::new(Tickets {
            claim_early_data: true,
            ..Tickets::default()
        });
        let client = Arc::new(
            client_config_builder()
                .session_store(Some(tickets))
                .enable_early_data(true)
                .build()
                .unwrap(),
        );
        let mut c = ClientConnection::new(client.clone(), SERVER_NAME).unwrap();
        let mut s = ServerConnection::new(issuing);
        exchange(&mut c, &mut s);

        let mut c = ClientConnection::new(client, SERVER_NAME).unwrap();
        assert_eq!(c.write_early_data(b"early").unwrap(), 5);
        let mut s = ServerConnection::new(accepting);
        exchange(&mut c, &mut s);
        assert!(s.negotiated().resumed);
        assert_eq!(s.negotiated().early_data, EarlyData::Rejected);
        assert_eq!(c.negotiated().early_data, EarlyData::Rejected);
        assert_eq!(s.read_early_data(&mut [0; 16]), 0);
    }
}
