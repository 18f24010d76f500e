//! The client side: [`ClientConfig`] (built with [`ClientConfigBuilder`]) and
//! [`ClientConnection`].
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::sync::Arc;

use crate::codec::messages::HandshakeMessage;
use crate::codec::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::conn::Common;
use crate::conn::{Connection, ConnectionParts, State};
use crate::crypto::{
    kx, tls12_suite, tls13_suite, KeyExchange, Rng, Tls12Suite, Tls13Suite, TLS12_SUITES,
    TLS13_SUITES,
};
use crate::error::Error;
use crate::error::PeerMisbehaved;
use crate::events::{Observer, Side};
use crate::handshake::{client12, client13};
use crate::keylog::{KeyLog, NoKeyLog};
use crate::limits::Limits;
use crate::pki::{DefaultServerVerifier, RootStore, ServerCertVerifier, ServerName};
use crate::server::CertifiedKey;
use crate::session::{ClientSessionStore, Clock, InMemoryClientSessionStore, SystemClock};

/// The handshake state of a client.
/// RFC 8446, Section 4.1.3: only a ServerHello with supported_versions
/// negotiates TLS 1.3 (whose value the TLS 1.3 step then checks).
fn selects_tls13(sh: &crate::codec::messages::ServerHello) -> bool {
    sh.extensions.iter().any(|e| {
        matches!(
            e,
            crate::codec::extensions::Extension::SupportedVersionsServerHello(_)
        )
    })
}

/// The handshake state of a client: TLS 1.3 until a ServerHello selects TLS 1.2.
pub(crate) enum ClientState {
    Tls13(client13::Step),
    Tls12(client12::Step),
}

impl ClientState {
    /// Hands one handshake message to the current step; a TLS 1.2 ServerHello
    /// (one without supported_versions) moves to the TLS 1.2 state machine.
    pub(crate) fn handle(
        self,
        cx: &mut Common,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Self, Error> {
        match (self, msg) {
            (
                ClientState::Tls13(client13::Step::ServerHello(s)),
                HandshakeMessage::ServerHello(sh),
            ) if !selects_tls13(&sh) => {
                client12::read_server_hello(*s, cx, sh, raw).map(ClientState::Tls12)
            }
            (ClientState::Tls13(step), msg) => step.handle(cx, msg, raw).map(ClientState::Tls13),
            (ClientState::Tls12(step), msg) => step.handle(cx, msg, raw).map(ClientState::Tls12),
        }
    }

    /// A TLS 1.2 ChangeCipherSpec (TLS 1.3 ones never get here).
    pub(crate) fn handle_change_cipher_spec(self, cx: &mut Common) -> Result<Self, Error> {
        match self {
            ClientState::Tls12(step) => step.handle_change_cipher_spec(cx).map(ClientState::Tls12),
            ClientState::Tls13(_) => Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into()),
        }
    }
}

/// How a client connects: versions, suites, groups, ALPN, how it checks the
/// server, and what it observes. Build one with [`ClientConfig::builder`] and
/// share it between connections in an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// let roots = keyway::RootStore::new(); // usually RootStore::from_pem_file("ca.pem")?
/// let config = keyway::ClientConfig::builder(roots)
///     .alpn(&[b"h2", b"http/1.1"])
///     .build()
///     .unwrap();
/// let conn = keyway::ClientConnection::new(Arc::new(config), "example.com").unwrap();
/// assert!(conn.is_handshaking() && conn.wants_write()); // the ClientHello is queued
/// ```
#[derive(Debug)]
pub struct ClientConfig {
    pub(crate) protocols: Protocols,
    pub(crate) groups: Vec<NamedGroup>,
    pub(crate) key_share_groups: Vec<NamedGroup>,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) verifier: Arc<dyn ServerCertVerifier>,
    /// signature_algorithms: what the verifier supports and keyway implements.
    pub(crate) signature_schemes: Vec<SignatureScheme>,
    pub(crate) client_auth: Option<CertifiedKey>,
    pub(crate) key_log: Arc<dyn KeyLog>,
    pub(crate) observer: Option<Arc<dyn Observer>>,
    pub(crate) limits: Limits,
    pub(crate) enable_sni: bool,
    pub(crate) fixed_randomness: Option<Vec<Vec<u8>>>,
    pub(crate) resumption: ClientResumption,
}

/// How a client resumes (see [`crate::session`]).
#[derive(Debug, Clone)]
pub(crate) struct ClientResumption {
    /// None: never resume.
    pub store: Option<Arc<dyn ClientSessionStore>>,
    /// Names this config in the store's keys, so sessions never cross to a
    /// config with other roots or another verifier.
    pub config_id: String,
    /// Send 0-RTT early data when a ticket allows it.
    pub early_data: bool,
    /// Also offer psk_ke (a PSK without (EC)DHE).
    pub psk_ke: bool,
    pub clock: Arc<dyn Clock>,
}

impl ClientResumption {
    /// The store key of `server_name` for this config.
    pub(crate) fn key(&self, server_name: &ServerName) -> String {
        format!("{}/{server_name}", self.config_id)
    }

    /// Now, in ms since the epoch.
    pub(crate) fn now_ms(&self) -> u64 {
        crate::session::unix_millis(self.clock.as_ref())
    }
}

impl ClientConfig {
    /// Starts a config that trusts `roots` for server certificates.
    pub fn builder(roots: RootStore) -> ClientConfigBuilder {
        ClientConfigBuilder {
            versions: vec![ProtocolVersion::TLS13, ProtocolVersion::TLS12],
            suites: None,
            rsa_kx: false,
            require_ems: true,
            groups: kx::SUPPORTED_GROUPS.to_vec(),
            key_share_groups: None,
            alpn: Vec::new(),
            verifier: Arc::new(DefaultServerVerifier::new(Arc::new(roots))),
            client_auth: None,
            key_log: Arc::new(NoKeyLog),
            observer: None,
            limits: Limits::default(),
            enable_sni: true,
            fixed_randomness: None,
            session_store: Some(Arc::new(InMemoryClientSessionStore::new(256, 4))),
            early_data: false,
            psk_ke: false,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Builds a [`ClientConfig`]; every setting has a safe default.
#[derive(Debug)]
pub struct ClientConfigBuilder {
    versions: Vec<ProtocolVersion>,
    suites: Option<Vec<CipherSuite>>,
    rsa_kx: bool,
    require_ems: bool,
    groups: Vec<NamedGroup>,
    key_share_groups: Option<Vec<NamedGroup>>,
    alpn: Vec<Vec<u8>>,
    verifier: Arc<dyn ServerCertVerifier>,
    client_auth: Option<CertifiedKey>,
    key_log: Arc<dyn KeyLog>,
    observer: Option<Arc<dyn Observer>>,
    limits: Limits,
    enable_sni: bool,
    fixed_randomness: Option<Vec<Vec<u8>>>,
    session_store: Option<Arc<dyn ClientSessionStore>>,
    early_data: bool,
    psk_ke: bool,
    clock: Arc<dyn Clock>,
}

impl ClientConfigBuilder {
    /// Where sessions are kept for resumption (default: 256 servers, 4
    /// TLS 1.3 tickets each, in memory); `None` never resumes.
    pub fn session_store(mut self, store: Option<Arc<dyn ClientSessionStore>>) -> Self {
        self.session_store = store;
        self
    }

    /// Sends 0-RTT early data ([`ClientConnection::write_early_data`]) when
    /// a ticket allows it (RFC 8446, Section 4.2.10; default off). Early data
    /// can be replayed by an attacker: send only requests that are safe to
    /// repeat, and resend what the server did not accept.
    pub fn enable_early_data(mut self, enable: bool) -> Self {
        self.early_data = enable;
        self
    }

    /// Also offers psk_ke, resumption without (EC)DHE (RFC 8446, Section
    /// 4.2.9; default off: a resumed connection keeps forward secrecy).
    pub fn psk_ke(mut self, enable: bool) -> Self {
        self.psk_ke = enable;
        self
    }

    /// Where the current time comes from (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Protocol versions to offer (default: TLS 1.3 and TLS 1.2).
    pub fn versions(mut self, versions: &[ProtocolVersion]) -> Self {
        self.versions = versions.to_vec();
        self
    }

    /// Cipher suites to offer, in preference order, TLS 1.3 and TLS 1.2 alike
    /// (default: every TLS 1.3 suite and every TLS 1.2 ECDHE suite).
    pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.suites = Some(suites.to_vec());
        self
    }

    /// Whether a TLS 1.2 server must support the extended master secret
    /// (RFC 7627); default true. Without it, TLS 1.2 session keys are open to
    /// the triple-handshake attack.
    pub fn require_extended_master_secret(mut self, require: bool) -> Self {
        self.require_ems = require;
        self
    }

    /// Also offers the TLS 1.2 RSA key exchange suites (TLS_RSA_WITH_*), after
    /// every ECDHE suite. They have no forward secrecy: anyone who later gets
    /// the server's private key can decrypt recorded traffic.
    #[cfg(feature = "rsa-kx")]
    pub fn enable_rsa_key_exchange(mut self) -> Self {
        self.rsa_kx = true;
        self
    }

    /// Key exchange groups to offer in supported_groups, in preference order
    /// (default: X25519MLKEM768, SecP256r1MLKEM768, x25519, secp256r1,
    /// secp384r1). The post-quantum hybrids are offered in TLS 1.3 only; a
    /// TLS 1.2 offer lists the classical groups alone.
    pub fn groups(mut self, groups: &[NamedGroup]) -> Self {
        self.groups = groups.to_vec();
        self
    }

    /// Groups to send key shares for in the first ClientHello. Each must be in
    /// `groups`. Default: the first of [`ClientConfigBuilder::groups`], and when
    /// that is a post-quantum hybrid also the first classical group, so a
    /// server without ML-KEM answers without a HelloRetryRequest; with the
    /// default groups, X25519MLKEM768 and x25519 (about 1.3 KB of shares).
    pub fn key_shares(mut self, groups: &[NamedGroup]) -> Self {
        self.key_share_groups = Some(groups.to_vec());
        self
    }

    /// Application protocols to offer through ALPN, in preference order.
    pub fn alpn(mut self, protocols: &[&[u8]]) -> Self {
        self.alpn = protocols.iter().map(|p| p.to_vec()).collect();
        self
    }

    /// Replaces the default certificate verifier with your own.
    pub fn verifier(mut self, verifier: Arc<dyn ServerCertVerifier>) -> Self {
        self.verifier = verifier;
        self
    }

    /// A certificate chain and key to present if the server asks for one.
    pub fn client_certificate(mut self, certified_key: CertifiedKey) -> Self {
        self.client_auth = Some(certified_key);
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

    /// Bounds on what the server can make us hold or do.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether to send the server name (SNI); default true.
    pub fn enable_sni(mut self, enable: bool) -> Self {
        self.enable_sni = enable;
        self
    }

    /// Test seam: draw every random value from this list instead of the
    /// operating system (RFC 8448 traces, replayable fuzzing). Never use this
    /// for real connections.
    #[cfg(any(test, feature = "fuzzing"))]
    #[doc(hidden)]
    pub fn dangerous_fixed_randomness(mut self, values: Vec<Vec<u8>>) -> Self {
        self.fixed_randomness = Some(values);
        self
    }

    /// Checks the settings and builds the config.
    pub fn build(self) -> Result<ClientConfig, Error> {
        let protocols = Protocols::resolve(
            &self.versions,
            self.suites.as_deref(),
            self.rsa_kx,
            self.require_ems,
        )?;
        let groups = resolve_groups(&self.groups, &protocols)?;
        let key_share_groups = match self.key_share_groups {
            Some(list) => list,
            None => default_key_shares(&groups),
        };
        if key_share_groups.is_empty() || key_share_groups.iter().any(|g| !groups.contains(g)) {
            return Err(Error::Config(
                "key share groups must be a non-empty subset of the offered groups".into(),
            ));
        }
        if self.alpn.iter().any(|p| p.is_empty() || p.len() > 255) {
            return Err(Error::Config(
                "ALPN protocol names must be 1 to 255 bytes".into(),
            ));
        }
        let signature_schemes =
            crate::handshake::offered_schemes(self.verifier.supported_schemes())?;
        Ok(ClientConfig {
            protocols,
            groups,
            key_share_groups,
            alpn: self.alpn,
            signature_schemes,
            verifier: self.verifier,
            client_auth: self.client_auth,
            key_log: self.key_log,
            observer: self.observer,
            limits: self.limits,
            enable_sni: self.enable_sni,
            fixed_randomness: self.fixed_randomness,
            resumption: ClientResumption {
                store: self.session_store,
                config_id: config_id()?,
                early_data: self.early_data,
                psk_ke: self.psk_ke,
                clock: self.clock,
            },
        })
    }
}

/// The versions and suites a config enables, resolved once for both sides.
#[derive(Debug, Clone)]
pub(crate) struct Protocols {
    /// TLS 1.3 suites in preference order; empty when TLS 1.3 is off.
    pub tls13: Vec<Tls13Suite>,
    /// TLS 1.2 suites in preference order; empty when TLS 1.2 is off.
    pub tls12: Vec<Tls12Suite>,
    /// Refuse TLS 1.2 peers without the extended master secret (RFC 7627).
    pub require_ems: bool,
}

impl Protocols {
    /// Checks the builder's settings: versions from {TLS 1.2, TLS 1.3}; suites
    /// known (default: every TLS 1.3 suite and every TLS 1.2 ECDHE suite, plus
    /// the RSA key exchange suites when `rsa_kx` is on); TLS_RSA_* only with
    /// `rsa_kx`. A version without any listed suite is not spoken; at least
    /// one version must remain.
    pub(crate) fn resolve(
        versions: &[ProtocolVersion],
        suites: Option<&[CipherSuite]>,
        rsa_kx: bool,
        require_ems: bool,
    ) -> Result<Self, Error> {
        if let Some(v) = versions
            .iter()
            .find(|v| **v != ProtocolVersion::TLS13 && **v != ProtocolVersion::TLS12)
        {
            return Err(Error::Config(format!(
                "{v} is not supported: only TLS 1.2 and TLS 1.3"
            )));
        }
        let default: Vec<CipherSuite> = TLS13_SUITES
            .iter()
            .map(|s| s.suite)
            .chain(
                TLS12_SUITES
                    .iter()
                    .filter(|s| rsa_kx || s.kx == KeyExchange::Ecdhe)
                    .map(|s| s.suite),
            )
            .collect();
        let suites = suites.unwrap_or(&default);
        let mut tls13 = Vec::new();
        let mut tls12 = Vec::new();
        for &suite in suites {
            match (tls13_suite(suite), tls12_suite(suite)) {
                (Some(s), _) => tls13.push(s),
                (_, Some(s)) if s.kx == KeyExchange::Rsa && !rsa_kx => {
                    return Err(Error::Config(format!(
                        "{suite} has no forward secrecy; enable it with enable_rsa_key_exchange() (feature rsa-kx)"
                    )))
                }
                (_, Some(s)) => tls12.push(s),
                _ => return Err(Error::Config(format!("cipher suite {suite} is not supported"))),
            }
        }
        // RFC 5246 suites without forward secrecy always come after every ECDHE suite.
        tls12.sort_by_key(|s| s.kx == KeyExchange::Rsa);
        // A version is spoken when it is enabled and has a suite: a list of
        // TLS 1.3 suites alone means TLS 1.3 alone.
        if !versions.contains(&ProtocolVersion::TLS13) {
            tls13.clear();
        }
        if !versions.contains(&ProtocolVersion::TLS12) {
            tls12.clear();
        }
        if tls13.is_empty() && tls12.is_empty() {
            return Err(Error::Config(format!(
                "no cipher suite for the enabled versions {versions:?}"
            )));
        }
        Ok(Self {
            tls13,
            tls12,
            require_ems,
        })
    }
}

/// A random name for a config, for its session store keys.
fn config_id() -> Result<String, Error> {
    let mut id = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id)
        .map_err(|_| Error::Internal("random number generator failed"))?;
    Ok(id.iter().map(|b| format!("{b:02x}")).collect())
}

/// Checks that every group is implemented, the list is non-empty, and a
/// config that speaks only TLS 1.2 has a group TLS 1.2 can use (the
/// post-quantum hybrids are TLS 1.3 only).
pub(crate) fn resolve_groups(
    groups: &[NamedGroup],
    protocols: &Protocols,
) -> Result<Vec<NamedGroup>, Error> {
    if let Some(g) = groups.iter().find(|g| !kx::is_supported(**g)) {
        return Err(Error::Config(format!("group {g} is not supported")));
    }
    if groups.is_empty() {
        return Err(Error::Config("no key exchange groups configured".into()));
    }
    if protocols.tls13.is_empty() && groups.iter().all(|g| kx::is_hybrid(*g)) {
        return Err(Error::Config(format!(
            "the groups {groups:?} are TLS 1.3 only; TLS 1.2 needs x25519, secp256r1 or secp384r1"
        )));
    }
    Ok(groups.to_vec())
}

/// The key shares of a first ClientHello when the application names none:
/// the first group, and if that is a post-quantum hybrid also the first
/// classical group, as browsers and Go do: a server that knows the hybrid
/// takes it, one that does not takes the classical share, and neither needs a
/// HelloRetryRequest.
fn default_key_shares(groups: &[NamedGroup]) -> Vec<NamedGroup> {
    let first = groups.first().copied();
    let classical = match first {
        Some(g) if kx::is_hybrid(g) => groups.iter().copied().find(|g| !kx::is_hybrid(*g)),
        _ => None,
    };
    first.into_iter().chain(classical).collect()
}

pub(crate) fn rng_for(fixed: &Option<Vec<Vec<u8>>>) -> Rng {
    match fixed {
        Some(values) => Rng::Fixed {
            sequence: values.iter().cloned().collect(),
            fallback: 0x42,
        },
        None => Rng::default(),
    }
}

/// A client connection (sans-IO). It dereferences to [`Connection`] for
/// reading and writing TLS bytes and plaintext.
#[derive(Debug)]
pub struct ClientConnection {
    inner: Connection,
}

impl ClientConnection {
    /// Starts a connection to `server_name` (a DNS name or an IP address); the
    /// ClientHello is queued at once.
    pub fn new(config: Arc<ClientConfig>, server_name: &str) -> Result<Self, Error> {
        let server_name = ServerName::try_from(server_name).map_err(|_| {
            Error::Config(format!(
                "{server_name:?} is not a valid DNS name or IP address"
            ))
        })?;
        let parts = ConnectionParts {
            side: Side::Client,
            limits: config.limits.clone(),
            observer: config.observer.clone(),
            key_log: config.key_log.clone(),
            rng: rng_for(&config.fixed_randomness),
        };
        let mut inner = Connection::new(
            parts,
            State::Client(ClientState::Tls13(client13::Step::Traffic(None))),
        );
        inner.start(|cx| {
            let step = client13::send_client_hello(config, server_name, cx)?;
            Ok(State::Client(ClientState::Tls13(step)))
        })?;
        Ok(Self { inner })
    }
}

impl core::ops::Deref for ClientConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.inner
    }
}

impl core::ops::DerefMut for ClientConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.inner
    }
}
