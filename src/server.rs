//! The server side: [`ServerConfig`] (built with [`ServerConfigBuilder`]) and
//! [`ServerConnection`].
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::sync::Arc;
use std::time::Duration;

use crate::client::{resolve_groups, rng_for, Protocols};
use crate::codec::extensions::Extension;
use crate::codec::messages::{ClientHello, HandshakeMessage};
use crate::codec::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::conn::Common;
use crate::conn::{Connection, ConnectionParts, State};
use crate::crypto::kx;
use crate::crypto::sign::SigningKey;
use crate::error::Error;
use crate::error::{PeerIncompatible, PeerMisbehaved};
use crate::events::{Observer, Side};
use crate::handshake::{server12, server13};
use crate::keylog::{KeyLog, NoKeyLog};
use crate::limits::Limits;
use crate::pki::ClientCertVerifier;
use crate::session::{
    Clock, InMemoryServerSessionStore, ServerSessionStore, SystemClock, TicketKeys,
};
use crate::sites::{CertificatesByName, ResolvesServerCert};

/// RFC 8446, Section 4.6.1: at most 7 days.
const MAX_TICKET_LIFETIME_SECS: u64 = 7 * 24 * 3600;

/// The handshake state of a server: waiting for a ClientHello, then on the
/// version it selected.
pub(crate) enum ServerState {
    Tls13(server13::Step),
    Tls12(server12::Step),
}

impl ServerState {
    /// Hands one handshake message to the current step; the first ClientHello
    /// picks the version (RFC 8446, Section 4.2.1; RFC 5246, Appendix E).
    pub(crate) fn handle(
        self,
        cx: &mut Common,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Self, Error> {
        match (self, msg) {
            (
                ServerState::Tls13(server13::Step::ClientHello(config)),
                HandshakeMessage::ClientHello(ch),
            ) => match choose_version(&config, &ch)? {
                ProtocolVersion::TLS12 => {
                    server12::read_client_hello(config, cx, ch, raw).map(ServerState::Tls12)
                }
                _ => server13::Step::ClientHello(config)
                    .handle(cx, HandshakeMessage::ClientHello(ch), raw)
                    .map(ServerState::Tls13),
            },
            (ServerState::Tls13(step), msg) => step.handle(cx, msg, raw).map(ServerState::Tls13),
            (ServerState::Tls12(step), msg) => step.handle(cx, msg, raw).map(ServerState::Tls12),
        }
    }

    /// A TLS 1.2 ChangeCipherSpec (TLS 1.3 ones never get here).
    pub(crate) fn handle_change_cipher_spec(self, cx: &mut Common) -> Result<Self, Error> {
        match self {
            ServerState::Tls12(step) => step.handle_change_cipher_spec(cx).map(ServerState::Tls12),
            ServerState::Tls13(_) => Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into()),
        }
    }
}

/// The version to speak with this client: TLS 1.3 if both offer it, else TLS
/// 1.2 if both offer it, else protocol_version. A client signalling
/// TLS_FALLBACK_SCSV that could have had a higher version is refused with
/// inappropriate_fallback (RFC 7507, Section 3).
fn choose_version(config: &ServerConfig, ch: &ClientHello) -> Result<ProtocolVersion, Error> {
    // RFC 8446, Appendix D.5: a legacy_version of SSL 3.0 or below is refused,
    // even beside a supported_versions that offers TLS 1.3.
    if ch.legacy_version <= ProtocolVersion::SSL3 {
        return Err(PeerIncompatible::NoCommonVersion.into());
    }
    let offered: Vec<ProtocolVersion> = match ch.extensions.iter().find_map(|e| match e {
        Extension::SupportedVersionsClientHello(v) => Some(v.clone()),
        _ => None,
    }) {
        Some(list) => list,
        // RFC 8446, Section 4.2.1: without the extension, legacy_version is the
        // client's highest version.
        None if ch.legacy_version >= ProtocolVersion::TLS12 => vec![ProtocolVersion::TLS12],
        None => Vec::new(),
    };
    let ours13 = !config.protocols.tls13.is_empty();
    let ours12 = !config.protocols.tls12.is_empty();
    let chosen = if ours13 && offered.contains(&ProtocolVersion::TLS13) {
        ProtocolVersion::TLS13
    } else if ours12 && offered.contains(&ProtocolVersion::TLS12) {
        ProtocolVersion::TLS12
    } else {
        return Err(PeerIncompatible::NoCommonVersion.into());
    };
    if ch.cipher_suites.contains(&CipherSuite::TLS_FALLBACK_SCSV)
        && chosen == ProtocolVersion::TLS12
        && ours13
    {
        return Err(PeerMisbehaved::InappropriateFallback.into());
    }
    Ok(chosen)
}

impl ServerConfig {
    /// The client verifier of a handshake that requested a client certificate.
    pub(crate) fn requested_client_verifier(&self) -> Result<&dyn ClientCertVerifier, Error> {
        self.client_verifier.as_deref().ok_or(Error::Internal(
            "client certificate requested without a verifier",
        ))
    }
}

/// A certificate chain (leaf first, DER) with the private key of its leaf
/// and, for a server, the OCSP response it staples.
#[derive(Debug, Clone)]
pub struct CertifiedKey {
    /// DER certificates, leaf first.
    pub chain: Vec<Vec<u8>>,
    /// The leaf's private key.
    pub key: Arc<SigningKey>,
    /// A DER OCSP response (RFC 6960) about the leaf, which a server staples
    /// for clients that ask: in the leaf's CertificateEntry in TLS 1.3 (RFC
    /// 8446, Section 4.4.2.1), in a CertificateStatus message in TLS 1.2 (RFC
    /// 6066, Section 8).
    pub ocsp_response: Option<Vec<u8>>,
}

impl CertifiedKey {
    /// A chain and its leaf's key, without an OCSP response.
    pub fn new(chain: Vec<Vec<u8>>, key: Arc<SigningKey>) -> Self {
        Self {
            chain,
            key,
            ocsp_response: None,
        }
    }

    /// Loads a PEM chain (certbot's `fullchain.pem` as is) and a PEM private key
    /// (PKCS#8, PKCS#1 or SEC1), and checks that the key belongs to the
    /// chain's first certificate. Errors name the file and the problem.
    pub fn from_pem_files(
        chain_path: impl AsRef<std::path::Path>,
        key_path: impl AsRef<std::path::Path>,
    ) -> Result<Self, Error> {
        let chain = crate::pki::pem::load_certs_pem_file(chain_path.as_ref())?;
        let key = crate::pki::pem::load_private_key_pem_file(key_path.as_ref())?;
        if let Some(leaf) = chain.first() {
            crate::pki::check_key_matches_certificate(&key, leaf).map_err(|e| Error::KeyFile {
                path: key_path.as_ref().display().to_string(),
                reason: format!(
                    "does not belong to the first certificate of {}: {}",
                    chain_path.as_ref().display(),
                    match e {
                        Error::Config(why) => why,
                        other => other.to_string(),
                    }
                ),
            })?;
        }
        Ok(Self::new(chain, Arc::new(key)))
    }

    /// The same chain and key, stapling `ocsp_response` (DER).
    pub fn with_ocsp_response(mut self, ocsp_response: Vec<u8>) -> Self {
        self.ocsp_response = Some(ocsp_response);
        self
    }

    /// The same chain and key, stapling the DER OCSP response in the file at
    /// `path` (what `openssl ocsp -respout` writes, and nginx's
    /// `ssl_stapling_file` reads).
    pub fn with_ocsp_response_file(self, path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let response = std::fs::read(path).map_err(|e| Error::KeyFile {
            path: path.display().to_string(),
            reason: format!("cannot read the OCSP response: {e}"),
        })?;
        Ok(self.with_ocsp_response(response))
    }
}

/// How a server accepts connections: its certificates, versions, suites,
/// groups, ALPN, client authentication. Build with [`ServerConfig::builder`].
///
/// ```no_run
/// # fn main() -> Result<(), keyway::Error> {
/// use std::sync::Arc;
/// let config = keyway::ServerConfig::builder()
///     .certificate_chain_pem("fullchain.pem", "privkey.pem")?
///     .alpn(&[b"http/1.1"])
///     .build()?;
/// let conn = keyway::ServerConnection::new(Arc::new(config));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ServerConfig {
    /// Picks each handshake's certificate (see `sites`).
    pub(crate) cert_resolver: Arc<dyn ResolvesServerCert>,
    pub(crate) protocols: Protocols,
    pub(crate) groups: Vec<NamedGroup>,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    /// The CertificateRequest's signature_algorithms: what the client
    /// verifier supports and keyway implements.
    pub(crate) client_auth_schemes: Vec<crate::codec::SignatureScheme>,
    /// The CertificateRequest's certificate_authorities (TLS 1.2's list,
    /// TLS 1.3's extension), from the client verifier's root subjects,
    /// computed once.
    pub(crate) client_ca_hints: Vec<Vec<u8>>,
    pub(crate) hello_retry_cookie: Option<ring::hmac::Key>,
    pub(crate) key_log: Arc<dyn KeyLog>,
    pub(crate) observer: Option<Arc<dyn Observer>>,
    pub(crate) limits: Limits,
    pub(crate) fixed_randomness: Option<Vec<Vec<u8>>>,
    pub(crate) resumption: ServerResumption,
}

/// How a server lets clients resume (see [`crate::session`]).
#[derive(Debug, Clone)]
pub(crate) struct ServerResumption {
    /// TLS 1.3 tickets sent after each handshake; 0 sends none (and no
    /// RFC 5077 ticket in TLS 1.2 either).
    pub tickets: usize,
    pub ticket_keys: Arc<TicketKeys>,
    /// TLS 1.2 session IDs, stateful tickets and 0-RTT's single use.
    pub store: Option<Arc<dyn ServerSessionStore>>,
    /// TLS 1.3 tickets are identifiers into `store` (single use) rather
    /// than sealed sessions.
    pub stateful_tickets: bool,
    pub ticket_lifetime: Duration,
    /// RFC 8446, Section 4.2.10: 0 accepts no early data.
    pub max_early_data_size: u32,
    /// RFC 8446, Section 8.3: how far a ticket's age may be off.
    pub early_data_window: Duration,
    /// RFC 8446, Section 4.2.9: also accept psk_ke (no (EC)DHE).
    pub psk_ke: bool,
    pub clock: Arc<dyn Clock>,
}

impl ServerResumption {
    /// Now, in ms since the epoch.
    pub(crate) fn now_ms(&self) -> u64 {
        crate::session::unix_millis(self.clock.as_ref())
    }
}

impl ServerConfig {
    /// Starts a server config; a certificate (or a certificate resolver)
    /// must be set before `build`.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder {
            certified_key: None,
            cert_resolver: None,
            versions: vec![ProtocolVersion::TLS13, ProtocolVersion::TLS12],
            suites: None,
            rsa_kx: false,
            require_ems: true,
            groups: kx::SUPPORTED_GROUPS.to_vec(),
            alpn: Vec::new(),
            client_verifier: None,
            hello_retry_cookie: false,
            key_log: Arc::new(NoKeyLog),
            observer: None,
            limits: Limits::default(),
            fixed_randomness: None,
            tickets: 2,
            ticket_keys: None,
            session_store: Some(Arc::new(InMemoryServerSessionStore::new(1024))),
            stateful_tickets: false,
            ticket_lifetime: Duration::from_secs(12 * 3600),
            max_early_data_size: 0,
            early_data_window: Duration::from_secs(10),
            psk_ke: false,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Builds a [`ServerConfig`].
#[derive(Debug)]
pub struct ServerConfigBuilder {
    certified_key: Option<CertifiedKey>,
    cert_resolver: Option<Arc<dyn ResolvesServerCert>>,
    versions: Vec<ProtocolVersion>,
    suites: Option<Vec<CipherSuite>>,
    rsa_kx: bool,
    require_ems: bool,
    groups: Vec<NamedGroup>,
    alpn: Vec<Vec<u8>>,
    client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    hello_retry_cookie: bool,
    key_log: Arc<dyn KeyLog>,
    observer: Option<Arc<dyn Observer>>,
    limits: Limits,
    fixed_randomness: Option<Vec<Vec<u8>>>,
    tickets: usize,
    ticket_keys: Option<Arc<TicketKeys>>,
    session_store: Option<Arc<dyn ServerSessionStore>>,
    stateful_tickets: bool,
    ticket_lifetime: Duration,
    max_early_data_size: u32,
    early_data_window: Duration,
    psk_ke: bool,
    clock: Arc<dyn Clock>,
}

impl ServerConfigBuilder {
    /// How many TLS 1.3 session tickets to send after each handshake
    /// (default 2: a browser opens two connections at once); 0 disables
    /// tickets, in TLS 1.2 (RFC 5077) too.
    pub fn session_tickets(mut self, count: usize) -> Self {
        self.tickets = count;
        self
    }

    /// The keys that seal and open tickets (default: random keys of this
    /// config, rotated every 12 hours). Give every server of a fleet the
    /// same keys ([`TicketKeys::from_secret`]) so that they resume each
    /// other's tickets.
    pub fn ticket_keys(mut self, keys: Arc<TicketKeys>) -> Self {
        self.ticket_keys = Some(keys);
        self
    }

    /// How long a ticket may be used (default 12 hours, at most 7 days:
    /// RFC 8446, Section 4.6.1).
    pub fn ticket_lifetime(mut self, lifetime: Duration) -> Self {
        self.ticket_lifetime = lifetime;
        self
    }

    /// Where sessions are kept for TLS 1.2 session IDs, stateful tickets and
    /// 0-RTT's single use (default: 1,024 sessions in memory); `None` turns
    /// session IDs off.
    pub fn session_store(mut self, store: Option<Arc<dyn ServerSessionStore>>) -> Self {
        self.session_store = store;
        self
    }

    /// Makes TLS 1.3 tickets identifiers into the session store, each usable
    /// once, instead of sealed sessions (default off). Tickets then resume
    /// only on servers that share the store.
    pub fn stateful_tickets(mut self, stateful: bool) -> Self {
        self.stateful_tickets = stateful;
        self
    }

    /// Accepts up to `bytes` of 0-RTT early data per connection (RFC 8446,
    /// Section 4.2.10; default 0: refused, and skipped). Early data can be
    /// replayed by an attacker: keyway accepts it only on a ticket it takes
    /// out of the session store (so each ticket carries early data once,
    /// on the servers that share that store) whose age is within the
    /// freshness window ([`ServerConfigBuilder::early_data_window`]). Tickets
    /// become stateful. Only send early data that is safe to repeat.
    pub fn max_early_data_size(mut self, bytes: u32) -> Self {
        self.max_early_data_size = bytes;
        self
    }

    /// How far the ticket age a client reports may be from the one the
    /// server computes before early data is refused (RFC 8446, Section 8.3;
    /// default 10 seconds).
    pub fn early_data_window(mut self, window: Duration) -> Self {
        self.early_data_window = window;
        self
    }

    /// Also resumes clients that offer only psk_ke, a PSK without (EC)DHE
    /// (RFC 8446, Section 4.2.9; default off): cheaper, but without forward
    /// secrecy for the resumed connection.
    pub fn psk_ke(mut self, enable: bool) -> Self {
        self.psk_ke = enable;
        self
    }

    /// Where the current time comes from (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Loads the certificate chain and private key from PEM files, served to
    /// every client (see [`CertifiedKey::from_pem_files`]).
    pub fn certificate_chain_pem(
        mut self,
        chain_path: impl AsRef<std::path::Path>,
        key_path: impl AsRef<std::path::Path>,
    ) -> Result<Self, Error> {
        self.certified_key = Some(CertifiedKey::from_pem_files(chain_path, key_path)?);
        Ok(self)
    }

    /// Uses an already loaded chain and key for every client, whatever
    /// server name it asks for, as given: nothing but a non-empty chain is
    /// checked (a test may serve an expired certificate, or a key that does
    /// not match). [`CertifiedKey::from_pem_files`] checks the key, and
    /// [`CertificatesByName`] everything.
    pub fn certificate(mut self, certified_key: CertifiedKey) -> Self {
        self.certified_key = Some(certified_key);
        self
    }

    /// Picks each handshake's certificate with `resolver` instead of serving
    /// one certificate to every client: a [`CertificatesByName`] for
    /// several sites, or your own.
    pub fn cert_resolver(mut self, resolver: Arc<dyn ResolvesServerCert>) -> Self {
        self.cert_resolver = Some(resolver);
        self
    }

    /// Protocol versions to accept (default: TLS 1.3 and TLS 1.2).
    pub fn versions(mut self, versions: &[ProtocolVersion]) -> Self {
        self.versions = versions.to_vec();
        self
    }

    /// Cipher suites to accept, TLS 1.3 and TLS 1.2 alike, in the server's
    /// preference order (default: every TLS 1.3 suite and every TLS 1.2 ECDHE
    /// suite). A TLS 1.2 suite is only chosen if the certificate's key fits it.
    pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.suites = Some(suites.to_vec());
        self
    }

    /// Whether TLS 1.2 clients must support the extended master secret
    /// (RFC 7627); default true.
    pub fn require_extended_master_secret(mut self, require: bool) -> Self {
        self.require_ems = require;
        self
    }

    /// Also accepts the TLS 1.2 RSA key exchange suites (TLS_RSA_WITH_*), after
    /// every ECDHE suite. They have no forward secrecy. The server's decryption
    /// follows RFC 5246, Section 7.4.7.1 without a padding oracle: see
    /// `handshake::rsa_kx`.
    #[cfg(feature = "rsa-kx")]
    pub fn enable_rsa_key_exchange(mut self) -> Self {
        self.rsa_kx = true;
        self
    }

    /// Key exchange groups to accept, in preference order (default:
    /// X25519MLKEM768, SecP256r1MLKEM768, x25519, secp256r1, secp384r1). The
    /// first of them the client sent a share for wins, so a client that sends
    /// a hybrid share gets the hybrid; a client that sent no share for any of
    /// them gets a HelloRetryRequest for the first it supports. TLS 1.2 uses
    /// the classical groups of the list only.
    pub fn groups(mut self, groups: &[NamedGroup]) -> Self {
        self.groups = groups.to_vec();
        self
    }

    /// Application protocols the server speaks, in preference order. A client
    /// offering ALPN with none of them is refused with no_application_protocol.
    pub fn alpn(mut self, protocols: &[&[u8]]) -> Self {
        self.alpn = protocols.iter().map(|p| p.to_vec()).collect();
        self
    }

    /// Requests a client certificate (CertificateRequest in TLS 1.3 and TLS
    /// 1.2) and checks it with `verifier`.
    pub fn client_auth(mut self, verifier: Arc<dyn ClientCertVerifier>) -> Self {
        self.client_verifier = Some(verifier);
        self
    }

    /// Sends a cookie in every HelloRetryRequest and requires the client to
    /// echo it (RFC 8446, Section 4.2.2). Default off.
    pub fn hello_retry_cookie(mut self, enable: bool) -> Self {
        self.hello_retry_cookie = enable;
        self
    }

    /// Where to log secrets (NSS key log format); default: nowhere.
    pub fn key_log(mut self, key_log: Arc<dyn KeyLog>) -> Self {
        self.key_log = key_log;
        self
    }

    /// Receives typed handshake events.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Bounds on what a client can make us hold or do.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Test seam: fixed randomness instead of the operating system's. Never
    /// use this for real connections, nor with ticket keys a real server
    /// uses: every ticket it seals under one key gets the same nonce.
    #[cfg(any(test, feature = "fuzzing"))]
    #[doc(hidden)]
    pub fn dangerous_fixed_randomness(mut self, values: Vec<Vec<u8>>) -> Self {
        self.fixed_randomness = Some(values);
        self
    }

    /// Checks the settings and builds the config.
    pub fn build(self) -> Result<ServerConfig, Error> {
        let cert_resolver: Arc<dyn ResolvesServerCert> =
            match (self.certified_key, self.cert_resolver) {
                (Some(certified_key), None) => {
                    if certified_key.chain.is_empty() {
                        return Err(Error::Config("the certificate chain is empty".into()));
                    }
                    check_rsa_decryption_key(self.rsa_kx, &certified_key)?;
                    Arc::new(CertificatesByName::single(certified_key))
                }
                (None, Some(resolver)) => resolver,
                (None, None) => {
                    return Err(Error::Config(
                        "a server needs a certificate chain and key (or a certificate resolver)"
                            .into(),
                    ))
                }
                (Some(_), Some(_)) => {
                    return Err(Error::Config(
                        "set either a certificate or a certificate resolver, not both".into(),
                    ))
                }
            };
        let protocols = Protocols::resolve(
            &self.versions,
            self.suites.as_deref(),
            self.rsa_kx,
            self.require_ems,
        )?;
        let hello_retry_cookie = match self.hello_retry_cookie {
            true => Some(
                ring::hmac::Key::generate(
                    ring::hmac::HMAC_SHA256,
                    &ring::rand::SystemRandom::new(),
                )
                .map_err(|_| Error::Internal("random number generator failed"))?,
            ),
            false => None,
        };
        let client_ca_hints = self
            .client_verifier
            .as_ref()
            .map(|v| fitting_ca_hints(v.root_hint_subjects()))
            .unwrap_or_default();
        let groups = resolve_groups(&self.groups, &protocols)?;
        if self.ticket_lifetime.is_zero()
            || self.ticket_lifetime > Duration::from_secs(MAX_TICKET_LIFETIME_SECS)
        {
            return Err(Error::Config(
                "the ticket lifetime must be between 1 second and 7 days (RFC 8446, Section 4.6.1)"
                    .into(),
            ));
        }
        if self.max_early_data_size > 0 && self.session_store.is_none() {
            return Err(Error::Config(
                "0-RTT needs a session store: each ticket may carry early data once".into(),
            ));
        }
        let ticket_keys = match self.ticket_keys {
            Some(keys) => keys,
            None => Arc::new(TicketKeys::new(Duration::from_secs(12 * 3600))?),
        };
        let resumption = ServerResumption {
            tickets: self.tickets,
            ticket_keys,
            store: self.session_store,
            stateful_tickets: self.stateful_tickets || self.max_early_data_size > 0,
            ticket_lifetime: self.ticket_lifetime,
            max_early_data_size: self.max_early_data_size,
            early_data_window: self.early_data_window,
            psk_ke: self.psk_ke,
            clock: self.clock,
        };
        let client_auth_schemes = match &self.client_verifier {
            Some(verifier) => crate::handshake::offered_schemes(verifier.supported_schemes())?,
            None => Vec::new(),
        };
        Ok(ServerConfig {
            cert_resolver,
            protocols,
            groups,
            alpn: self.alpn,
            client_verifier: self.client_verifier,
            client_auth_schemes,
            client_ca_hints,
            hello_retry_cookie,
            key_log: self.key_log,
            observer: self.observer,
            limits: self.limits,
            fixed_randomness: self.fixed_randomness,
            resumption,
        })
    }
}

/// RFC 5246, Section 7.4.4: `certificate_authorities<0..2^16-1>`, each name
/// with a 2-byte length. A list that does not fit is dropped whole: an empty
/// list means "any CA", which is true of what the client may send anyway.
fn fitting_ca_hints(subjects: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let encoded = subjects
        .iter()
        .map(|s| s.len().saturating_add(2))
        .fold(0usize, usize::saturating_add);
    let fits = encoded <= usize::from(u16::MAX) && subjects.iter().all(|s| !s.is_empty());
    match fits {
        true => subjects,
        false => Vec::new(),
    }
}

/// With RSA key exchange on and an RSA certificate, checks now that the key
/// can decrypt (see `SigningKey::rsa_decryption_key`), so a key the
/// rsa crate cannot use is a configuration error rather than a refused suite.
fn check_rsa_decryption_key(rsa_kx: bool, certified_key: &CertifiedKey) -> Result<(), Error> {
    if rsa_kx && certified_key.key.algorithm() == crate::crypto::sign::KeyAlgorithm::Rsa {
        certified_key.key.rsa_decryption_key()?;
    }
    Ok(())
}

/// A server connection (sans-IO). It dereferences to [`Connection`].
#[derive(Debug)]
pub struct ServerConnection {
    inner: Connection,
}

impl ServerConnection {
    /// Starts a connection that waits for a ClientHello.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        let parts = ConnectionParts {
            side: Side::Server,
            limits: config.limits.clone(),
            observer: config.observer.clone(),
            key_log: config.key_log.clone(),
            rng: rng_for(&config.fixed_randomness),
        };
        Self {
            inner: Connection::new(
                parts,
                State::Server(ServerState::Tls13(server13::Step::ClientHello(config))),
            ),
        }
    }
}

impl core::ops::Deref for ServerConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.inner
    }
}

impl core::ops::DerefMut for ServerConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.inner
    }
}
