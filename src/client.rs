//! The client side: [`ClientConfig`] (built with [`ClientConfigBuilder`]) and
//! [`ClientConnection`].

use std::sync::Arc;

use crate::codec::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::conn::{Connection, ConnectionParts, State};
use crate::crypto::{kx, tls13_suite, Rng, Tls13Suite, TLS13_SUITES};
use crate::error::Error;
use crate::events::{Observer, Side};
use crate::handshake::client13;
use crate::keylog::{KeyLog, NoKeyLog};
use crate::limits::Limits;
use crate::pki::{DefaultServerVerifier, RootStore, ServerCertVerifier, ServerName};
use crate::server::CertifiedKey;

/// The handshake state of a client.
pub(crate) type ClientState = client13::Step;

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
    pub(crate) suites: Vec<Tls13Suite>,
    pub(crate) groups: Vec<NamedGroup>,
    pub(crate) key_share_groups: Vec<NamedGroup>,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) verifier: Arc<dyn ServerCertVerifier>,
    pub(crate) client_auth: Option<CertifiedKey>,
    pub(crate) key_log: Arc<dyn KeyLog>,
    pub(crate) observer: Option<Arc<dyn Observer>>,
    pub(crate) limits: Limits,
    pub(crate) enable_sni: bool,
    pub(crate) fixed_randomness: Option<Vec<Vec<u8>>>,
}

impl ClientConfig {
    /// Starts a config that trusts `roots` for server certificates.
    pub fn builder(roots: RootStore) -> ClientConfigBuilder {
        ClientConfigBuilder {
            versions: vec![ProtocolVersion::TLS13],
            suites: TLS13_SUITES.iter().map(|s| s.suite).collect(),
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
        }
    }
}

/// Builds a [`ClientConfig`]; every setting has a safe default.
#[derive(Debug)]
pub struct ClientConfigBuilder {
    versions: Vec<ProtocolVersion>,
    suites: Vec<CipherSuite>,
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
}

impl ClientConfigBuilder {
    /// Protocol versions to offer (default: TLS 1.3).
    pub fn versions(mut self, versions: &[ProtocolVersion]) -> Self {
        self.versions = versions.to_vec();
        self
    }

    /// Cipher suites to offer, in preference order (default: all TLS 1.3 suites).
    pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.suites = suites.to_vec();
        self
    }

    /// Key exchange groups to offer in supported_groups, in preference order
    /// (default: x25519, secp256r1, secp384r1).
    pub fn groups(mut self, groups: &[NamedGroup]) -> Self {
        self.groups = groups.to_vec();
        self
    }

    /// Groups to send key shares for in the first ClientHello (default: only
    /// the first of [`ClientConfigBuilder::groups`]). Each must be in `groups`.
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
    #[doc(hidden)]
    pub fn dangerous_fixed_randomness(mut self, values: Vec<Vec<u8>>) -> Self {
        self.fixed_randomness = Some(values);
        self
    }

    /// Checks the settings and builds the config.
    pub fn build(self) -> Result<ClientConfig, Error> {
        if !self.versions.contains(&ProtocolVersion::TLS13) {
            return Err(Error::Config(
                "only TLS 1.3 is implemented so far; versions must include it".into(),
            ));
        }
        let suites = resolve_suites(&self.suites)?;
        let groups = resolve_groups(&self.groups)?;
        let key_share_groups = match self.key_share_groups {
            Some(list) => list,
            None => groups.first().copied().into_iter().collect(),
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
        Ok(ClientConfig {
            suites,
            groups,
            key_share_groups,
            alpn: self.alpn,
            verifier: self.verifier,
            client_auth: self.client_auth,
            key_log: self.key_log,
            observer: self.observer,
            limits: self.limits,
            enable_sni: self.enable_sni,
            fixed_randomness: self.fixed_randomness,
        })
    }
}

/// Maps suite identifiers to implemented TLS 1.3 suites; refuses unknown ones.
pub(crate) fn resolve_suites(suites: &[CipherSuite]) -> Result<Vec<Tls13Suite>, Error> {
    let resolved = suites
        .iter()
        .map(|&s| {
            tls13_suite(s)
                .ok_or_else(|| Error::Config(format!("cipher suite {s} is not supported")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    match resolved.is_empty() {
        true => Err(Error::Config("no cipher suites configured".into())),
        false => Ok(resolved),
    }
}

/// Checks that every group is implemented and the list is non-empty.
pub(crate) fn resolve_groups(groups: &[NamedGroup]) -> Result<Vec<NamedGroup>, Error> {
    if let Some(g) = groups.iter().find(|g| !kx::is_supported(**g)) {
        return Err(Error::Config(format!("group {g} is not supported")));
    }
    match groups.is_empty() {
        true => Err(Error::Config("no key exchange groups configured".into())),
        false => Ok(groups.to_vec()),
    }
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
        let mut inner = Connection::new(parts, State::Client(client13::Step::Traffic));
        inner.start(|cx| {
            Ok(State::Client(client13::send_client_hello(
                config,
                server_name,
                cx,
            )?))
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
