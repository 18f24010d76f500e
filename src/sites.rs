//! Serving many sites from one server, the way nginx does with
//! `server_name` and certbot with its renewals: which certificate a
//! handshake gets, and replacing certificates while the server runs.
//!
//! - [`ResolvesServerCert`] is the seam: once per handshake, after the
//!   ClientHello's server name and signature schemes (and in TLS 1.2 its
//!   suites and curves) are known, the server asks it for a
//!   [`CertifiedKey`] and keeps that `Arc` for the rest of the handshake.
//! - [`CertificatesByName`] is the ready one: exact names, `*.example.com`
//!   wildcards (one label, as in certificates) and a default for clients that
//!   send no name, each with up to one RSA and one ECDSA (or Ed25519)
//!   certificate, of which a client gets the one it can use (dual
//!   certificates, as nginx serves them).
//! - Hot reload: [`CertificatesByName::insert`] replaces a name's certificate
//!   of the same key type atomically. Handshakes that have already chosen
//!   keep the old one (they hold its `Arc`); new ones get the new one. A
//!   certificate that fails the load checks (key not matching, expired,
//!   not valid for the name, a bad OCSP response) is refused and the old one
//!   stays, with an error that says why.
//!
//! A name the table does not know gets the default certificate, or with
//! [`CertificatesByName::strict`] the fatal unrecognized_name alert that RFC
//! 6066, Section 3 offers servers as the alternative.
//!
//! Only full handshakes ask: a resumed one sends no certificate and keeps the
//! identity of the handshake it resumes, so a reload does not end sessions
//! (rotate the ticket keys and clear the session store for that, after a key
//! compromise).
//!
//! [`crate::ServerConfigBuilder::certificate`] is a table with a default
//! only, served to every client whatever name it asks for, as before this
//! module existed.
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::fmt;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use crate::codec::extensions::Extension;
use crate::codec::messages::ClientHello;
use crate::codec::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::crypto::sign::KeyAlgorithm;
use crate::crypto::{tls12_suite, Authentication, KeyExchange};
use crate::error::{Error, PeerIncompatible};
use crate::handshake::negotiate::{find, is_host_name};
use crate::server::{CertifiedKey, ServerConfig};

/// What a server knows about a client when it picks a certificate.
#[derive(Debug, Clone)]
pub struct ClientHelloInfo<'a> {
    server_name: Option<&'a str>,
    version: ProtocolVersion,
    signature_schemes: &'a [SignatureScheme],
    cipher_suites: Vec<CipherSuite>,
    groups: Option<&'a [NamedGroup]>,
}

impl<'a> ClientHelloInfo<'a> {
    /// The server name the client asked for (SNI), lowercase; `None` when it
    /// sent none.
    pub fn server_name(&self) -> Option<&'a str> {
        self.server_name
    }

    /// The version the handshake speaks.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// The client's signature_algorithms (empty if it sent none).
    pub fn signature_schemes(&self) -> &'a [SignatureScheme] {
        self.signature_schemes
    }

    /// The cipher suites of the handshake's version that both the client
    /// offered and this server accepts, in the server's order.
    pub fn cipher_suites(&self) -> &[CipherSuite] {
        &self.cipher_suites
    }

    /// The client's supported_groups, if it sent the extension.
    pub fn groups(&self) -> Option<&'a [NamedGroup]> {
        self.groups
    }

    /// Whether a handshake with this client can authenticate with
    /// `certified_key`. TLS 1.3: the client accepts one of the key's
    /// signature schemes. TLS 1.2: one of [`Self::cipher_suites`] fits the
    /// key's type (ECDHE_ECDSA for ECDSA and Ed25519, ECDHE_RSA or RSA key
    /// exchange for RSA), the client accepts a signature scheme of the key
    /// (RSA key exchange signs nothing), and an ECDSA key's curve is among
    /// the client's groups (RFC 8422, Section 5.1).
    pub fn can_use(&self, certified_key: &CertifiedKey) -> bool {
        let key = &certified_key.key;
        let accepts = |schemes: &[SignatureScheme]| {
            schemes.iter().any(|s| self.signature_schemes.contains(s))
        };
        if self.version == ProtocolVersion::TLS13 {
            return accepts(key.schemes());
        }
        let auth = tls12_authentication(key.algorithm());
        let curve_ok = certificate_curve(key.algorithm())
            .is_none_or(|curve| self.groups.is_none_or(|groups| groups.contains(&curve)));
        let signs = accepts(key.tls12_schemes());
        curve_ok
            && self
                .cipher_suites
                .iter()
                .filter_map(|s| tls12_suite(*s))
                .any(|suite| suite.auth == auth && (signs || suite.kx == KeyExchange::Rsa))
    }
}

/// The TLS 1.2 authentication a key provides: RSA keys the RSA suites;
/// ECDSA and Ed25519 keys the ECDSA suites (RFC 8422, Section 5.1.2, and
/// RFC 8422 bis for Ed25519).
pub(crate) fn tls12_authentication(algorithm: KeyAlgorithm) -> Authentication {
    match algorithm {
        KeyAlgorithm::Rsa => Authentication::Rsa,
        KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::Ed25519 => {
            Authentication::Ecdsa
        }
    }
}

/// The curve of an ECDSA key, which a TLS 1.2 client must support to use
/// the certificate (RFC 8422, Sections 5.1 and 5.3).
pub(crate) fn certificate_curve(algorithm: KeyAlgorithm) -> Option<NamedGroup> {
    match algorithm {
        KeyAlgorithm::EcdsaP256 => Some(NamedGroup::SECP256R1),
        KeyAlgorithm::EcdsaP384 => Some(NamedGroup::SECP384R1),
        KeyAlgorithm::Rsa | KeyAlgorithm::Ed25519 => None,
    }
}

/// Picks the certificate a server presents: the seam a server with many
/// sites, or its own certificate store, plugs into
/// ([`crate::ServerConfigBuilder::cert_resolver`]).
pub trait ResolvesServerCert: Send + Sync + fmt::Debug {
    /// The certificate for this client, asked once per handshake. `None`
    /// ends the handshake: with unrecognized_name if the client sent a
    /// server name (RFC 6066, Section 3), else with handshake_failure.
    ///
    /// Returning a certificate the client cannot use (see
    /// [`ClientHelloInfo::can_use`]) is allowed; the handshake then fails
    /// with the precise reason (no common signature scheme, say).
    fn resolve(&self, client_hello: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>>;
}

/// Certificates by server name, for a server in front of several sites:
/// exact names, `*.example.com` wildcards and a default, each with up to
/// one certificate per key type (RSA, and ECDSA or Ed25519). Share it in an
/// `Arc` between the [`ServerConfig`] and whatever renews certificates:
/// every method takes `&self`.
///
/// ```no_run
/// # fn main() -> Result<(), keyway::Error> {
/// use std::sync::Arc;
/// use keyway::{CertifiedKey, CertificatesByName, ServerConfig};
///
/// let sites = Arc::new(CertificatesByName::new());
/// sites.insert("example.com", CertifiedKey::from_pem_files("ex/fullchain.pem", "ex/privkey.pem")?)?;
/// sites.insert("*.example.org", CertifiedKey::from_pem_files("org/fullchain.pem", "org/privkey.pem")?)?;
/// sites.set_default(CertifiedKey::from_pem_files("default/fullchain.pem", "default/privkey.pem")?)?;
/// let config = Arc::new(ServerConfig::builder().cert_resolver(sites.clone()).build()?);
///
/// // Later, when certbot has renewed example.com: new handshakes get the new
/// // certificate; if the new files are broken, the old one stays.
/// if let Err(why) = CertifiedKey::from_pem_files("ex/fullchain.pem", "ex/privkey.pem")
///     .and_then(|renewed| sites.insert("example.com", renewed))
/// {
///     eprintln!("keeping the old certificate for example.com: {why}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct CertificatesByName {
    table: RwLock<Table>,
    strict: bool,
}

/// The certificates of each name: one per key type, in the order added.
#[derive(Debug, Default)]
struct Table {
    by_name: HashMap<String, Vec<Arc<CertifiedKey>>>,
    default: Vec<Arc<CertifiedKey>>,
}

impl CertificatesByName {
    /// An empty table; a client gets no certificate until one is added.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table that serves `certified_key` to every client, unchecked: what
    /// [`crate::ServerConfigBuilder::certificate`] builds.
    pub(crate) fn single(certified_key: CertifiedKey) -> Self {
        let table = Table {
            by_name: HashMap::new(),
            default: vec![Arc::new(certified_key)],
        };
        Self {
            table: RwLock::new(table),
            strict: false,
        }
    }

    /// Whether a server name the table does not know ends the handshake with
    /// unrecognized_name (RFC 6066, Section 3) instead of getting the
    /// default certificate; default false. Clients that send no name still
    /// get the default.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Adds the certificate for `name`, a host name (`example.com`) or a
    /// wildcard over one label (`*.example.com`), replacing the one of the
    /// same key type (RSA, or ECDSA and Ed25519) if there is one: this is
    /// how a renewed certificate is put in place.
    ///
    /// It must pass the load checks at the current time: a key that belongs
    /// to the leaf, every certificate of the chain within its validity, a
    /// leaf valid for `name` (a wildcard name needs that wildcard in the
    /// certificate), an OCSP response, if any, for this leaf from its issuer
    /// in the chain, current and "good", and one if the leaf is must-staple.
    /// On failure nothing changes, and the error says what is wrong.
    pub fn insert(&self, name: &str, certified_key: CertifiedKey) -> Result<(), Error> {
        let name = name.to_ascii_lowercase();
        let host = name.strip_prefix("*.").unwrap_or(&name);
        // A wildcard covers one label under a name of at least two labels,
        // as in certificates (RFC 9525, Section 6.3).
        if !is_host_name(host) || (name.starts_with("*.") && !host.contains('.')) {
            return Err(Error::Config(format!(
                "{name:?} is neither a host name nor a wildcard such as *.example.com"
            )));
        }
        check(&certified_key, Some(&name))?;
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        put(table.by_name.entry(name).or_default(), certified_key);
        Ok(())
    }

    /// Sets the certificate for clients that send no server name (and, unless
    /// the table is [`Self::strict`], for names it does not know), replacing
    /// the default of the same key type. Checked like [`Self::insert`], but
    /// for no particular name.
    pub fn set_default(&self, certified_key: CertifiedKey) -> Result<(), Error> {
        check(&certified_key, None)?;
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        put(&mut table.default, certified_key);
        Ok(())
    }

    /// Removes every certificate of `name`; true if it had any.
    pub fn remove(&self, name: &str) -> bool {
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        table.by_name.remove(&name.to_ascii_lowercase()).is_some()
    }

    /// The names that have certificates, sorted.
    pub fn names(&self) -> Vec<String> {
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        let mut names: Vec<String> = table.by_name.keys().cloned().collect();
        names.sort();
        names
    }
}

/// Puts `certified_key` in `slot`, replacing the one of the same key type.
fn put(slot: &mut Vec<Arc<CertifiedKey>>, certified_key: CertifiedKey) {
    let auth = tls12_authentication(certified_key.key.algorithm());
    let certified_key = Arc::new(certified_key);
    match slot
        .iter_mut()
        .find(|ck| tls12_authentication(ck.key.algorithm()) == auth)
    {
        Some(old) => *old = certified_key,
        None => slot.push(certified_key),
    }
}

/// The load checks of [`CertificatesByName::insert`] at the current time.
fn check(certified_key: &CertifiedKey, name: Option<&str>) -> Result<(), Error> {
    crate::pki::check_served_chain(
        &certified_key.chain,
        &certified_key.key,
        name,
        certified_key.ocsp_response.as_deref(),
        SystemTime::now(),
    )
    .map_err(|why| {
        Error::Config(match name {
            Some(name) => format!("the certificate for {name} cannot be served: {why}"),
            None => format!("the default certificate cannot be served: {why}"),
        })
    })
}

impl ResolvesServerCert for CertificatesByName {
    /// The exact name's certificates, else the wildcard's for its parent
    /// name, else (unless strict) the default; among them the first the
    /// client can use, or the first if it can use none.
    fn resolve(&self, client_hello: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        let named = client_hello.server_name().and_then(|name| {
            table.by_name.get(name).or_else(|| {
                let (_, parent) = name.split_once('.')?;
                table.by_name.get(&format!("*.{parent}"))
            })
        });
        let candidates = match (named, client_hello.server_name()) {
            (Some(named), _) => named,
            (None, Some(_)) if self.strict => return None,
            (None, _) => &table.default,
        };
        candidates
            .iter()
            .find(|ck| client_hello.can_use(ck))
            .or_else(|| candidates.first())
            .cloned()
    }
}

/// Asks the config's resolver for this handshake's certificate (once, after
/// the server name and the client's capabilities are known); no certificate
/// is unrecognized_name for a named client, handshake_failure otherwise.
pub(crate) fn choose_certificate(
    config: &ServerConfig,
    ch: &ClientHello,
    version: ProtocolVersion,
    server_name: Option<&str>,
) -> Result<Arc<CertifiedKey>, Error> {
    let cipher_suites = match version {
        ProtocolVersion::TLS13 => config
            .protocols
            .tls13
            .iter()
            .map(|s| s.suite)
            .filter(|s| ch.cipher_suites.contains(s))
            .collect(),
        _ => config
            .protocols
            .tls12
            .iter()
            .map(|s| s.suite)
            .filter(|s| ch.cipher_suites.contains(s))
            .collect(),
    };
    let info = ClientHelloInfo {
        server_name,
        version,
        signature_schemes: find(ch, |e| match e {
            Extension::SignatureAlgorithms(s) => Some(s.as_slice()),
            _ => None,
        })
        .unwrap_or_default(),
        cipher_suites,
        groups: find(ch, |e| match e {
            Extension::SupportedGroups(g) => Some(g.as_slice()),
            _ => None,
        }),
    };
    config.cert_resolver.resolve(&info).ok_or_else(|| {
        match server_name {
            Some(name) => PeerIncompatible::UnrecognizedName(name.into()),
            None => PeerIncompatible::NoCertificateWithoutServerName,
        }
        .into()
    })
}
