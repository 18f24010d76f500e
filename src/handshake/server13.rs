//! The TLS 1.3 server handshake (RFC 8446, Section 2):
//!
//! ```text
//! read_client_hello -> [send_hello_retry_request -> read_retried_client_hello]
//!   -> send_server_flight: ServerHello, EncryptedExtensions, then
//!        full:    [CertificateRequest], Certificate, CertificateVerify, Finished
//!        resumed: Finished (the PSK authenticates both sides)
//!   -> [read_end_of_early_data]          (0-RTT data accepted)
//!   -> [read_client_certificate -> read_client_certificate_verify]
//!   -> read_client_finished -> send_tickets: NewSessionTicket...
//! ```
//!
//! Resumption (RFC 8446, Section 2.2): a ClientHello may offer tickets in
//! pre_shared_key. The first of (at most [`MAX_IDENTITIES_TRIED`]) that
//! opens, decodes and passes [`SessionState::resumable`] is checked against
//! its binder (a wrong binder ends the handshake with decrypt_error); any
//! other ticket is passed over and the handshake is a full one. psk_dhe_ke
//! is preferred; psk_ke only when the config allows it and the client offers
//! it.
//!
//! 0-RTT (RFC 8446, Section 4.2.10) is accepted only on the first identity,
//! without a HelloRetryRequest, for a ticket taken out of the session store
//! (so each is used once), with the ticket's suite and ALPN, and a ticket
//! age within the config's window (Section 8.3). Early data that is not
//! accepted is skipped, up to `Limits::max_skipped_early_data`.

use std::collections::BTreeSet;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::negotiate::{
    choose_group, choose_signature_scheme, choose_suite, find, server_alpn, server_name,
    stapled_response, GroupChoice,
};
use super::{
    accept_client_chain, binder_hash, certificate_verify_content, check_certificate_verify,
    derive_application_secrets, derive_early_traffic_secret, derive_handshake_secrets,
    derive_resumption_master_secret, take_peer_chain, unexpected, CLIENT_SIGNATURE_CONTEXT,
    SERVER_SIGNATURE_CONTEXT,
};
use crate::codec::extensions::{Extension, KeyShareEntry, OfferedPsks, PskIdentity};
use crate::codec::messages::{
    Certificate, CertificateEntry, CertificateRequest, CertificateStatus, CertificateVerify,
    ClientHello, EncryptedExtensions, Finished, HandshakeMessage, NewSessionTicket, ServerHello,
    HELLO_RETRY_REQUEST_RANDOM,
};
use crate::codec::{
    ExtensionType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme,
};
use crate::conn::{Common, EarlyData, SkipEarlyData};
use crate::crypto::kx::{self, SharedSecret};
use crate::crypto::Tls13Suite;
use crate::error::{CertificateError, Error, PeerIncompatible, PeerMisbehaved};
use crate::events::{Event, Parameter};
use crate::keys::tls13::{EarlySecret, ResumptionMasterSecret, TrafficSecret};
use crate::server::{CertifiedKey, ServerConfig};
use crate::session::state::MAX_LIFETIME_SECS;
use crate::session::{Candidate, SessionState};
use crate::sites::choose_certificate;
use crate::transcript::Transcript;

/// How many of a ClientHello's PSK identities are tried: opening a ticket
/// costs an AEAD decryption, and an honest client offers one or two. The
/// rest are passed over (a full handshake, never an error).
pub(crate) const MAX_IDENTITIES_TRIED: usize = 4;

/// The steps of a TLS 1.3 server handshake; each names the message expected next.
pub(crate) enum Step {
    ClientHello(Arc<ServerConfig>),
    RetriedClientHello(Box<ExpectRetriedClientHello>),
    EndOfEarlyData(Box<ExpectClientFlight>),
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
            (Step::EndOfEarlyData(s), HandshakeMessage::EndOfEarlyData) => {
                read_end_of_early_data(*s, cx, raw)
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
            Step::EndOfEarlyData(_) => "EndOfEarlyData",
            Step::ClientCertificate(_) => "Certificate",
            Step::ClientCertificateVerify(_) => "CertificateVerify",
            Step::ClientFinished(_) => "Finished",
            Step::Traffic => "no handshake message",
        }
    }
}

/// The record_size_limit we advertise: the largest TLS 1.3 inner plaintext (RFC 8449, Section 4).
const MAX_RECORD_SIZE_LIMIT: u16 = (crate::record::MAX_PLAINTEXT + 1) as u16;

/// What the server settled on from a ClientHello, resumed or not.
struct Selection {
    suite: Tls13Suite,
    alpn: Option<Vec<u8>>,
    sni: Option<String>,
}

/// A ticket the server accepted (RFC 8446, Section 4.2.11).
struct Resumption {
    /// Its index among the client's identities.
    index: u16,
    session: SessionState,
    /// psk_dhe_ke; false for psk_ke (no (EC)DHE).
    dhe: bool,
    /// The client's 0-RTT data is accepted.
    early_data: bool,
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
    let selection = select_parameters(&config, cx, &ch)?;

    let mut transcript = Transcript::new();
    transcript.start_hash(selection.suite.hash);
    let before = transcript.clone();
    transcript.add(raw);
    let share = match choose_group(&config.groups, groups, shares) {
        Some(GroupChoice::Retry(group)) => {
            // RFC 8446, Section 4.2.10: a HelloRetryRequest refuses 0-RTT;
            // every protected record before the second ClientHello is early
            // data to skip.
            if offers_early_data(&ch) {
                let max = cx.limits.max_skipped_early_data;
                cx.skip_early_data = Some(SkipEarlyData::UntilClientHello(max));
            }
            return send_hello_retry_request(config, cx, transcript, &ch, selection, group);
        }
        Some(GroupChoice::Share(index)) => {
            Some(shares.get(index).ok_or(Error::Internal("share index"))?)
        }
        None => None,
    };
    let resumption = accept_psk(
        &config,
        &ch,
        raw,
        &before,
        &selection,
        share.is_some(),
        true,
    )?;
    // Without a common group only a psk_ke resumption is possible.
    if share.is_none() && resumption.is_none() {
        return Err(PeerIncompatible::NoCommonGroup.into());
    }
    send_server_flight(
        config, cx, transcript, &ch, selection, share, resumption, false,
    )
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
        // RFC 8446, Section 9.2: a ClientHello that offers a PSK may carry
        // neither (psk_ke only).
        (None, None) if offered_psks(ch).is_some() => (&[][..], &[][..]),
        (None, _) => return Err(PeerMisbehaved::MissingExtension("supported_groups").into()),
        (_, None) => return Err(PeerMisbehaved::MissingExtension("key_share").into()),
    };
    check_client_shares(groups, shares)?;
    Ok((groups, shares))
}

/// Suite, ALPN and SNI: what both a full and a resumed handshake need.
fn select_parameters(
    config: &ServerConfig,
    cx: &mut Common,
    ch: &ClientHello,
) -> Result<Selection, Error> {
    let suite = choose_suite(&config.protocols.tls13, &ch.cipher_suites)
        .ok_or(PeerIncompatible::NoCommonCipherSuite)?;
    let alpn = server_alpn(&config.alpn, ch)?;
    let sni = server_name(ch)?;
    cx.negotiated.server_name = sni.clone();
    Ok(Selection { suite, alpn, sni })
}

/// The certificate of a full handshake, from the config's resolver (see
/// `sites`), and the scheme our CertificateVerify signs with.
fn choose_certificate_and_scheme(
    config: &ServerConfig,
    ch: &ClientHello,
    selection: &Selection,
) -> Result<(Arc<CertifiedKey>, SignatureScheme), Error> {
    // RFC 8446, Section 9.2: signature_algorithms is mandatory for certificate authentication.
    let peer_schemes = find(ch, |e| match e {
        Extension::SignatureAlgorithms(s) => Some(s.as_slice()),
        _ => None,
    })
    .ok_or(PeerMisbehaved::MissingExtension("signature_algorithms"))?;
    let sni = selection.sni.as_deref();
    let certified_key = choose_certificate(config, ch, ProtocolVersion::TLS13, sni)?;
    let scheme = choose_signature_scheme(certified_key.key.schemes(), peer_schemes)
        .ok_or(PeerIncompatible::NoCommonSignatureScheme)?;
    Ok((certified_key, scheme))
}

fn offered_psks(ch: &ClientHello) -> Option<&OfferedPsks> {
    find(ch, |e| match e {
        Extension::PreSharedKeyClientHello(offered) => Some(offered),
        _ => None,
    })
}

fn offers_early_data(ch: &ClientHello) -> bool {
    find(ch, |e| matches!(e, Extension::EarlyData).then_some(())).is_some()
}

/// The PSK modes a client offers (RFC 8446, Section 4.2.9), if it sent any.
fn psk_modes(ch: &ClientHello) -> Option<&[PskKeyExchangeMode]> {
    find(ch, |e| match e {
        Extension::PskKeyExchangeModes(modes) => Some(modes.as_slice()),
        _ => None,
    })
}

/// RFC 8446, Section 4.2.11: the first offered ticket that this server can
/// resume here, its binder verified; None for a full handshake. `before`
/// is the transcript before this ClientHello; `raw` is its encoding;
/// `first` is false after a HelloRetryRequest.
#[allow(clippy::too_many_arguments)]
fn accept_psk(
    config: &ServerConfig,
    ch: &ClientHello,
    raw: &[u8],
    before: &Transcript,
    selection: &Selection,
    have_share: bool,
    first: bool,
) -> Result<Option<Resumption>, Error> {
    let Some(offered) = offered_psks(ch) else {
        return Ok(None);
    };
    // RFC 8446, Section 4.2.9: a PSK comes with the modes it may be used in.
    let modes = psk_modes(ch).ok_or(PeerMisbehaved::MissingExtension("psk_key_exchange_modes"))?;
    let resumption = &config.resumption;
    let dhe = have_share && modes.contains(&PskKeyExchangeMode::PSK_DHE_KE);
    let ke = resumption.psk_ke && modes.contains(&PskKeyExchangeMode::PSK_KE);
    if !(dhe || ke) {
        return Ok(None);
    }
    let now_ms = resumption.now_ms();
    let here = Candidate {
        version: ProtocolVersion::TLS13,
        suite: selection.suite.suite,
        server_name: selection.sni.as_deref(),
        alpn: selection.alpn.as_deref(),
        extended_master_secret: false,
        now_ms,
    };
    let tried = offered
        .identities
        .iter()
        .enumerate()
        .take(MAX_IDENTITIES_TRIED);
    for (index, identity) in tried {
        let bytes = match resumption.stateful_tickets {
            // Taken, not read: a stateful ticket is used once.
            true => resumption
                .store
                .as_ref()
                .and_then(|store| store.take(&identity.identity))
                .map(Zeroizing::new),
            false => resumption.ticket_keys.open(&identity.identity, now_ms),
        };
        let Some(session) = bytes.and_then(|bytes| SessionState::decode(&bytes)) else {
            continue;
        };
        if session.resumable(&here).is_err() {
            continue;
        }
        // RFC 8446, Section 4.2.11: "Prior to accepting PSK key
        // establishment, the server MUST validate the corresponding binder
        // value"; one that does not validate ends the handshake.
        let early = EarlySecret::new(selection.suite.hash, Some(&session.secret));
        let hash = binder_hash(before, selection.suite.hash, raw, offered)?;
        let binder = offered
            .binders
            .get(index)
            .ok_or(Error::Internal("a binder per identity"))?;
        early.binder_key(false).verify(&hash, binder)?;
        let early_data = index == 0
            && first
            && offers_early_data(ch)
            && accept_early_data(config, &session, identity, selection, now_ms);
        return Ok(Some(Resumption {
            index: u16::try_from(index).map_err(|_| Error::Internal("identity index"))?,
            session,
            dhe,
            early_data,
        }));
    }
    Ok(None)
}

/// RFC 8446, Sections 4.2.10 and 8: whether 0-RTT data on this (first,
/// binder-checked) ticket is accepted.
fn accept_early_data(
    config: &ServerConfig,
    session: &SessionState,
    identity: &PskIdentity,
    selection: &Selection,
    now_ms: u64,
) -> bool {
    let resumption = &config.resumption;
    // Section 8.3: the age the client reports against the one we know.
    let client_age = u64::from(identity.obfuscated_ticket_age.wrapping_sub(session.age_add));
    let server_age = session.age_ms(now_ms);
    let window = u64::try_from(resumption.early_data_window.as_millis()).unwrap_or(u64::MAX);
    resumption.max_early_data_size > 0
        && session.max_early_data > 0
        // Section 8.1: single use, the ticket was taken from the store.
        && resumption.stateful_tickets
        // Section 4.2.10: the same suite (ALPN was checked by resumable()).
        && session.suite == selection.suite.suite
        && client_age.abs_diff(server_age) <= window
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
    // RFC 8446, Section 4.1.2: early data is not permitted after a
    // HelloRetryRequest; the skipping of the first flight's ends here.
    if offers_early_data(&ch) {
        return Err(PeerMisbehaved::IllegalParameter(
            "early_data in the ClientHello after a HelloRetryRequest",
        )
        .into());
    }
    cx.skip_early_data = None;
    let echoed = find(&ch, |e| match e {
        Extension::Cookie(c) => Some(c),
        _ => None,
    });
    if echoed != s.cookie.as_ref() {
        return Err(
            PeerMisbehaved::IllegalParameter("cookie not echoed from HelloRetryRequest").into(),
        );
    }
    let selection = select_parameters(&s.config, cx, &ch)?;
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
    let before = s.transcript.clone();
    s.transcript.add(raw);
    let resumption = accept_psk(&s.config, &ch, raw, &before, &selection, true, false)?;
    send_server_flight(
        s.config,
        cx,
        s.transcript,
        &ch,
        selection,
        Some(&share),
        resumption,
        true,
    )
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
/// the handshake; with `resumption`, the abbreviated flight of a resumed
/// handshake and, when accepted, the 0-RTT read key.
#[allow(clippy::too_many_arguments)]
fn send_server_flight(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    mut transcript: Transcript,
    ch: &ClientHello,
    selection: Selection,
    client_share: Option<&KeyShareEntry>,
    resumption: Option<Resumption>,
    sent_ccs: bool,
) -> Result<Step, Error> {
    let suite = selection.suite;
    // Chosen before anything is sent, so a client we cannot sign for (or
    // have no certificate for) gets its alert instead of a ServerHello; once
    // per handshake, after a HelloRetryRequest if there was one.
    let certificate = match resumption {
        None => Some(choose_certificate_and_scheme(&config, ch, &selection)?),
        Some(_) => None,
    };
    let scheme = certificate.as_ref().map(|(_, scheme)| *scheme);
    // psk_ke: no (EC)DHE, and Hash.length zeros in its place (RFC 8446,
    // Section 7.1).
    let client_share = client_share.filter(|_| resumption.as_ref().is_none_or(|r| r.dhe));
    let (server_share, shared_secret) = match client_share {
        Some(share) => {
            let (key_exchange, shared) =
                kx::respond(share.group, &share.key_exchange, &mut cx.rng)?;
            let server_share = KeyShareEntry {
                group: share.group,
                key_exchange,
            };
            (Some(server_share), shared)
        }
        None => (None, SharedSecret::zeros(suite.hash.output_len())?),
    };
    let early = match &resumption {
        Some(r) => EarlySecret::new(suite.hash, Some(&r.session.secret)),
        None => EarlySecret::new(suite.hash, None),
    };
    // RFC 8446, Section 7.1: the early traffic secret is over the ClientHello alone.
    let early_traffic = match resumption.as_ref().is_some_and(|r| r.early_data) {
        true => Some(derive_early_traffic_secret(cx, &early, &transcript)?),
        false => None,
    };

    let mut random = [0u8; 32];
    cx.rng.fill(&mut random)?;
    // In RFC 8448's order.
    let mut extensions = Vec::new();
    if let Some(r) = &resumption {
        extensions.push(Extension::PreSharedKeyServerHello(r.index));
    }
    if let Some(share) = &server_share {
        extensions.push(Extension::KeyShareServerHello(share.clone()));
    }
    extensions.push(Extension::SupportedVersionsServerHello(
        ProtocolVersion::TLS13,
    ));
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLS12,
        random,
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: suite.suite,
        legacy_compression_method: 0,
        extensions,
    };
    cx.send_handshake(&HandshakeMessage::ServerHello(sh), &mut transcript)?;
    if !sent_ccs && !ch.legacy_session_id.is_empty() {
        cx.send_change_cipher_spec()?;
    }
    record_choices(
        cx,
        &selection,
        server_share.as_ref().map(|s| s.group),
        scheme,
    );

    let secrets =
        derive_handshake_secrets(cx, early, resumption.is_some(), &shared_secret, &transcript)?;
    cx.install_write_secret(
        suite,
        &secrets.server_handshake_traffic_secret,
        "server_handshake_traffic_secret",
    )?;
    let offered_early_data = offers_early_data(ch);
    match &early_traffic {
        Some(secret) => {
            cx.install_read_secret(suite, secret, "client_early_traffic_secret")?;
            let max = resumption.as_ref().map_or(0, |r| r.session.max_early_data);
            let max = max.min(config.resumption.max_early_data_size);
            cx.early_data_to_receive = Some(usize::try_from(max).unwrap_or(usize::MAX));
            cx.negotiated.early_data = EarlyData::Accepted;
        }
        None => {
            cx.install_read_secret(
                suite,
                &secrets.client_handshake_traffic_secret,
                "client_handshake_traffic_secret",
            )?;
            // RFC 8446, Section 4.2.10: early data we do not accept is
            // skipped by trial decryption under the handshake key.
            if offered_early_data {
                let max = cx.limits.max_skipped_early_data;
                cx.skip_early_data = Some(SkipEarlyData::TrialDecrypt(max));
                cx.negotiated.early_data = EarlyData::Rejected;
            }
        }
    }

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
    if early_traffic.is_some() {
        extensions.push(Extension::EarlyData);
    }
    cx.send_handshake(
        &HandshakeMessage::EncryptedExtensions(EncryptedExtensions { extensions }),
        &mut transcript,
    )?;

    match (&resumption, certificate) {
        // RFC 8446, Section 4.3.2: no CertificateRequest with a PSK; the
        // identity is the one the full handshake established.
        (Some(r), _) => {
            cx.negotiated.resumed = true;
            cx.negotiated.peer_certificates = r.session.peer_certificates.clone();
        }
        (None, Some((certified_key, scheme))) => {
            send_certificate(&config, cx, &mut transcript, ch, &certified_key, scheme)?
        }
        (None, None) => return Err(Error::Internal("full handshake without a certificate")),
    }

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

    // RFC 8446, Section 4.6.1: tickets only for a client that can use them.
    let modes = psk_modes(ch).unwrap_or_default();
    let send_tickets = config.resumption.tickets > 0
        && (modes.contains(&PskKeyExchangeMode::PSK_DHE_KE)
            || (config.resumption.psk_ke && modes.contains(&PskKeyExchangeMode::PSK_KE)));
    let flight = Box::new(ExpectClientFlight {
        client_auth: resumption.is_none() && config.client_verifier.is_some(),
        config,
        transcript,
        suite,
        client_handshake_traffic_secret: secrets.client_handshake_traffic_secret,
        app: Some(app),
        send_tickets,
    });
    Ok(match (early_traffic.is_some(), flight.client_auth) {
        (true, _) => Step::EndOfEarlyData(flight),
        (false, true) => Step::ClientCertificate(flight),
        (false, false) => Step::ClientFinished(flight),
    })
}

/// A full handshake's [CertificateRequest,] Certificate and CertificateVerify.
fn send_certificate(
    config: &ServerConfig,
    cx: &mut Common,
    transcript: &mut Transcript,
    ch: &ClientHello,
    certified_key: &CertifiedKey,
    scheme: SignatureScheme,
) -> Result<(), Error> {
    if config.client_verifier.is_some() {
        let mut extensions = vec![Extension::SignatureAlgorithms(
            config.client_auth_schemes.clone(),
        )];
        // RFC 8446, Section 4.2.4: the CAs whose certificates the server
        // accepts, to help the client choose; as in TLS 1.2, the client
        // verifier's root hints. The list may not be empty, and it is left
        // out if the extensions block would overflow its 2-byte length.
        let hints = &config.client_ca_hints;
        let sizes = hints.iter().map(|name| name.len().saturating_add(2));
        let listed = sizes.fold(0usize, usize::saturating_add);
        let schemes = config.client_auth_schemes.len().saturating_mul(2);
        // Two extension headers (4 bytes each) and two list lengths (2 each).
        let block = listed.saturating_add(schemes).saturating_add(12);
        if !hints.is_empty() && block <= usize::from(u16::MAX) {
            extensions.push(Extension::CertificateAuthorities(hints.clone()));
        }
        let cr = CertificateRequest {
            certificate_request_context: Vec::new(),
            extensions,
        };
        cx.send_handshake(&HandshakeMessage::CertificateRequest(cr), transcript)?;
    }

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
            .push(Extension::StatusRequest(status.encode()?.into()));
        cx.negotiated.ocsp_response = Some(response.to_vec());
    }
    let certificate = Certificate {
        certificate_request_context: Vec::new(),
        certificate_list,
    };
    cx.send_handshake(&HandshakeMessage::Certificate(certificate), transcript)?;

    let content = certificate_verify_content(
        SERVER_SIGNATURE_CONTEXT,
        transcript.current_hash()?.as_ref(),
    )?;
    let signature = certified_key
        .key
        .sign(scheme, content.as_bytes(), &mut cx.rng)?;
    let cv = CertificateVerify {
        algorithm: scheme,
        signature,
    };
    cx.send_handshake(&HandshakeMessage::CertificateVerify(cv), transcript)
}

fn record_choices(
    cx: &mut Common,
    selection: &Selection,
    group: Option<NamedGroup>,
    scheme: Option<SignatureScheme>,
) {
    cx.negotiated.version = Some(ProtocolVersion::TLS13);
    cx.negotiated.cipher_suite = Some(selection.suite.suite);
    cx.negotiated.group = group;
    cx.negotiated.signature_scheme = scheme;
    cx.negotiated.alpn = selection.alpn.clone();
    cx.emit(Event::Chosen(Parameter::Version(ProtocolVersion::TLS13)));
    cx.emit(Event::Chosen(Parameter::CipherSuite(selection.suite.suite)));
    if let Some(group) = group {
        cx.emit(Event::Chosen(Parameter::Group(group)));
    }
    if let Some(scheme) = scheme {
        cx.emit(Event::Chosen(Parameter::SignatureScheme(scheme)));
    }
    cx.emit(Event::Chosen(Parameter::Alpn(selection.alpn.clone())));
    cx.emit(Event::Chosen(Parameter::ServerName(selection.sni.clone())));
}

/// Waiting for the client's second flight: [EndOfEarlyData,] [Certificate,
/// CertificateVerify,] Finished.
pub(crate) struct ExpectClientFlight {
    config: Arc<ServerConfig>,
    transcript: Transcript,
    suite: Tls13Suite,
    client_handshake_traffic_secret: TrafficSecret,
    app: Option<super::ApplicationSecrets>,
    client_auth: bool,
    /// The client can use tickets (RFC 8446, Section 4.2.9).
    send_tickets: bool,
}

/// RFC 8446, Section 4.5: the end of 0-RTT data; the client's handshake key follows.
fn read_end_of_early_data(
    mut s: ExpectClientFlight,
    cx: &mut Common,
    raw: &[u8],
) -> Result<Step, Error> {
    s.transcript.add(raw);
    cx.early_data_to_receive = None;
    cx.install_read_secret(
        s.suite,
        &s.client_handshake_traffic_secret,
        "client_handshake_traffic_secret",
    )?;
    Ok(Step::ClientFinished(Box::new(s)))
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
    let resumption_master = derive_resumption_master_secret(cx, &app.master_secret, &s.transcript)?;
    cx.start_traffic(
        s.suite,
        app.client_application_traffic_secret_0,
        app.server_application_traffic_secret_0,
        app.exporter_master_secret,
    );
    if s.send_tickets {
        send_tickets(&s.config, cx, s.suite, &resumption_master)?;
    }
    Ok(Step::Traffic)
}

/// RFC 8446, Section 4.6.1: the config's number of NewSessionTickets, each
/// with its own nonce (so its own PSK) and ticket_age_add; the ticket seals
/// the session, or (stateful) names it in the session store.
fn send_tickets(
    config: &ServerConfig,
    cx: &mut Common,
    suite: Tls13Suite,
    resumption_master: &ResumptionMasterSecret,
) -> Result<(), Error> {
    let resumption = &config.resumption;
    let lifetime_secs = u32::try_from(resumption.ticket_lifetime.as_secs())
        .unwrap_or(u32::MAX)
        .min(MAX_LIFETIME_SECS);
    for n in 0..resumption.tickets {
        let nonce = u64::try_from(n).unwrap_or(u64::MAX).to_be_bytes().to_vec();
        let mut age_add = [0u8; 4];
        cx.rng.fill(&mut age_add)?;
        let session = SessionState {
            version: ProtocolVersion::TLS13,
            suite: suite.suite,
            secret: resumption_master.ticket_psk(&nonce)?,
            extended_master_secret: false,
            server_name: cx.negotiated.server_name.clone(),
            alpn: cx.negotiated.alpn.clone(),
            peer_certificates: cx.negotiated.peer_certificates.clone(),
            created_ms: resumption.now_ms(),
            lifetime_secs,
            age_add: u32::from_be_bytes(age_add),
            max_early_data: resumption.max_early_data_size,
            ticket: Vec::new(),
            session_id: Vec::new(),
        };
        let ticket = match (&resumption.store, resumption.stateful_tickets) {
            (Some(store), true) => {
                let mut id = vec![0u8; 32];
                cx.rng.fill(&mut id)?;
                match store.put(id.clone(), session.encode()?.to_vec()) {
                    true => id,
                    false => return Ok(()),
                }
            }
            (None, true) => return Ok(()),
            (_, false) => {
                resumption
                    .ticket_keys
                    .seal(&session.encode()?, session.created_ms, &mut cx.rng)?
            }
        };
        // A session too large for a ticket (a client chain near 64 KiB)
        // is not resumable; the connection goes on.
        if ticket.len() > usize::from(u16::MAX) {
            return Ok(());
        }
        let extensions = match resumption.max_early_data_size {
            0 => Vec::new(),
            max => vec![Extension::EarlyDataMaxSize(max)],
        };
        let nst = NewSessionTicket {
            ticket_lifetime: lifetime_secs,
            ticket_age_add: session.age_add,
            ticket_nonce: nonce,
            ticket,
            extensions,
        };
        cx.send_post_handshake(&HandshakeMessage::NewSessionTicket(nst))?;
    }
    Ok(())
}
