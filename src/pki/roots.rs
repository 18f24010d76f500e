//! Trust anchors and where they come from: PEM files and bundles, DER, a
//! directory of PEM files, the system store, and (with the `webpki-roots`
//! feature) Mozilla's root program.
//!
//! Decisions recorded here:
//! - A trust anchor is its subject name, public key and name constraints
//!   (RFC 5280, Section 6.1.1(d); RFC 5937), and, when it came as a
//!   certificate, that certificate: a path that ends at a root certificate
//!   that is expired, not a well-formed CA, or carries an unknown critical
//!   extension is refused (see `anchor.rs`), while
//!   [`TrustAnchor::from_parts`] trusts a bare name and key as configured.
//! - Two anchors with the same certificate (or, for bare anchors, the same
//!   subject, key and constraints) are one anchor, however many times they
//!   are added; an expired root and its renewal with the same key stay two,
//!   so that the renewed one can end a path.
//! - The system store follows OpenSSL's conventions: `SSL_CERT_FILE` and
//!   `SSL_CERT_DIR` when set (either or both), otherwise the first bundle
//!   found among the usual Linux locations, otherwise `/etc/ssl/certs`.

use core::fmt;
use std::path::{Path, PathBuf};

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::anchor::Settled;
use super::pem::{self, load_certs_pem};
use crate::error::Error;

/// A trusted root: subject, public key and name constraints, and the
/// certificate when it came as one.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    der: Vec<u8>,
    subject: Vec<u8>,
    spki: Vec<u8>,
    name_constraints: Option<Vec<u8>>,
    name: String,
    /// The checks of `anchor.rs` that do not depend on the time.
    settled: Settled,
}

impl TrustAnchor {
    /// An anchor from a DER certificate (any version: v1 roots still exist).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let cert = match x509_parser::parse_x509_certificate(der) {
            Ok(([], cert)) => cert,
            Ok(_) => {
                return Err(Error::Config(
                    "root certificate has bytes after its end".into(),
                ))
            }
            Err(e) => {
                return Err(Error::Config(format!(
                    "root certificate is not valid X.509: {e}"
                )))
            }
        };
        let mut name_constraints = None;
        for ext in cert.extensions() {
            if let ParsedExtension::NameConstraints(_) = ext.parsed_extension() {
                name_constraints = Some(ext.value.to_vec());
            }
        }
        Ok(TrustAnchor {
            der: der.to_vec(),
            subject: cert.subject().as_raw().to_vec(),
            spki: cert.public_key().raw.to_vec(),
            name_constraints,
            name: super::checks::name_text(cert.subject()),
            settled: Settled::default(),
        }
        .settle())
    }

    /// An anchor from its parts, each DER including its outer SEQUENCE: the
    /// subject Name, the SubjectPublicKeyInfo, and the NameConstraints if any.
    ///
    /// Such a bare anchor is trusted as configured: there is no certificate
    /// whose validity, basicConstraints or extensions could be checked, only
    /// its name constraints apply (and, for servers with
    /// `VerifyOptions::baseline_requirements`, its key size and non-empty
    /// subject). This is also how to keep trusting a root certificate that
    /// the rules for root certificates refuse.
    pub fn from_parts(
        subject: &[u8],
        spki: &[u8],
        name_constraints: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let name = match X509Name::from_der(subject) {
            Ok(([], name)) => super::checks::name_text(&name),
            _ => {
                return Err(Error::Config(
                    "trust anchor subject is not a valid Name".into(),
                ))
            }
        };
        if crate::crypto::sign::PublicKey::from_spki(spki).is_err() {
            return Err(Error::Config(format!(
                "trust anchor {name} has a key keyway cannot use"
            )));
        }
        Ok(TrustAnchor {
            der: Vec::new(),
            subject: subject.to_vec(),
            spki: spki.to_vec(),
            name_constraints: name_constraints.map(<[u8]>::to_vec),
            name,
            settled: Settled::default(),
        }
        .settle())
    }

    /// Works out what the root checks can know before the verification time.
    fn settle(mut self) -> Self {
        self.settled = Settled::of(&self);
        self
    }

    /// What the root checks worked out when the anchor was made.
    pub(crate) fn settled(&self) -> &Settled {
        &self.settled
    }

    /// The anchor's certificate, DER; empty when the anchor was made from
    /// parts (e.g. Mozilla's roots through `webpki-roots`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The raw DER of the anchor's subject Name (what issuers are matched with,
    /// and what a CertificateRequest's certificate_authorities lists).
    pub fn subject(&self) -> &[u8] {
        &self.subject
    }

    /// The anchor's DER SubjectPublicKeyInfo.
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// The anchor's DER NameConstraints, which bind every path through it.
    pub fn name_constraints(&self) -> Option<&[u8]> {
        self.name_constraints.as_deref()
    }

    /// The subject as text ("CN=Example Root, O=Example").
    pub fn name(&self) -> &str {
        &self.name
    }

    fn same_as(&self, other: &TrustAnchor) -> bool {
        self.der == other.der
            && self.subject == other.subject
            && self.spki == other.spki
            && self.name_constraints == other.name_constraints
    }
}

impl fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustAnchor")
            .field("subject", &self.name)
            .field("name_constraints", &self.name_constraints.is_some())
            .finish_non_exhaustive()
    }
}

/// The set of trust anchors; duplicates are stored once.
#[derive(Clone, Default)]
pub struct RootStore {
    anchors: Vec<TrustAnchor>,
}

impl fmt::Debug for RootStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootStore({} anchors)", self.anchors.len())
    }
}

/// Bundles tried by [`RootStore::from_system`], in order (Debian/Ubuntu,
/// Fedora/RHEL, openSUSE, OpenELEC, CentOS/RHEL 7, Alpine).
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The directory of one-PEM-per-file roots tried when no bundle exists.
pub const SYSTEM_DIR: &str = "/etc/ssl/certs";

impl RootStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one DER certificate as a trust anchor. Adding a certificate that is
    /// already present does nothing.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        self.add(TrustAnchor::from_der(der)?);
        Ok(())
    }

    /// Adds an anchor unless an equal one is present.
    pub fn add(&mut self, anchor: TrustAnchor) {
        if !self.anchors.iter().any(|a| a.same_as(&anchor)) {
            self.anchors.push(anchor);
        }
    }

    /// A store holding every CERTIFICATE of a PEM bundle.
    pub fn from_pem(bytes: &[u8]) -> Result<Self, Error> {
        let mut store = RootStore::new();
        store.add_pem(bytes, "root certificates")?;
        Ok(store)
    }

    /// A store holding every CERTIFICATE of a PEM file (e.g. `ca.pem`, or a
    /// system bundle such as `/etc/ssl/certs/ca-certificates.crt`).
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let mut store = RootStore::new();
        store.add_pem_file(path.as_ref())?;
        Ok(store)
    }

    /// A store holding the certificates of every PEM file in a directory
    /// (not its subdirectories), in file-name order. Files without a
    /// CERTIFICATE block (hash links to other files are fine, duplicates fold)
    /// are skipped; a CERTIFICATE block that does not parse is an error naming
    /// the file.
    pub fn from_pem_dir(dir: impl AsRef<Path>) -> Result<Self, Error> {
        let mut store = RootStore::new();
        store.add_pem_dir(dir.as_ref(), true)?;
        Ok(store)
    }

    /// The operating system's roots (see the module documentation for the
    /// order). Certificates in the system store that keyway cannot parse are
    /// skipped; an error means no roots were found at all.
    pub fn from_system() -> Result<Self, Error> {
        let file = std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty());
        let dirs = std::env::var_os("SSL_CERT_DIR").filter(|v| !v.is_empty());
        let mut store = RootStore::new();
        let mut tried = Vec::new();
        if file.is_some() || dirs.is_some() {
            if let Some(file) = file {
                tried.push(PathBuf::from(&file).display().to_string());
                store.add_pem_file(Path::new(&file))?;
            }
            if let Some(dirs) = dirs {
                for dir in std::env::split_paths(&dirs) {
                    tried.push(dir.display().to_string());
                    store.add_pem_dir(&dir, false)?;
                }
            }
        } else if let Some(bundle) = SYSTEM_BUNDLES.iter().find(|p| Path::new(p).is_file()) {
            tried.push((*bundle).to_string());
            store.add_pem_file(Path::new(bundle))?;
        } else {
            tried.push(SYSTEM_DIR.to_string());
            if Path::new(SYSTEM_DIR).is_dir() {
                store.add_pem_dir(Path::new(SYSTEM_DIR), false)?;
            }
        }
        if store.is_empty() {
            return Err(Error::Config(format!(
                "no system root certificates found (looked in {}); set SSL_CERT_FILE or \
                 SSL_CERT_DIR",
                tried.join(", ")
            )));
        }
        Ok(store)
    }

    /// Mozilla's root program, as shipped by the `webpki-roots` crate, with
    /// the name constraints Mozilla applies to some roots.
    #[cfg(feature = "webpki-roots")]
    pub fn from_webpki_roots() -> Self {
        use crate::crypto::sign::{tag, write_element};
        let mut store = RootStore::new();
        for root in webpki_roots::TLS_SERVER_ROOTS {
            // webpki-roots stores the contents of each SEQUENCE, without its
            // tag and length; ours are whole DER values.
            let subject = write_element(tag::SEQUENCE, &root.subject);
            let spki = write_element(tag::SEQUENCE, &root.subject_public_key_info);
            let nc = root
                .name_constraints
                .as_ref()
                .map(|nc| write_element(tag::SEQUENCE, nc));
            if let Ok(anchor) = TrustAnchor::from_parts(&subject, &spki, nc.as_deref()) {
                store.add(anchor);
            }
        }
        store
    }

    fn add_pem(&mut self, bytes: &[u8], source: &str) -> Result<(), Error> {
        for (i, der) in load_certs_pem(bytes, source)?.iter().enumerate() {
            self.add_der(der).map_err(|e| Error::KeyFile {
                path: source.to_string(),
                reason: format!("certificate {}: {e}", i.saturating_add(1)),
            })?;
        }
        Ok(())
    }

    fn add_pem_file(&mut self, path: &Path) -> Result<(), Error> {
        let source = path.display().to_string();
        let bytes = pem::read_file(path, &source)?;
        self.add_pem(&bytes, &source)
    }

    /// `strict`: a file with a CERTIFICATE block that does not load is an
    /// error (a directory the caller named) rather than skipped (the system's).
    fn add_pem_dir(&mut self, dir: &Path, strict: bool) -> Result<(), Error> {
        let source = dir.display().to_string();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::KeyFile {
            path: source.clone(),
            reason: format!("cannot read the directory: {e}"),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            if !bytes
                .windows(27)
                .any(|w| w == b"-----BEGIN CERTIFICATE-----")
            {
                continue;
            }
            let result = self.add_pem(&bytes, &file.display().to_string());
            if strict {
                result?;
            }
        }
        Ok(())
    }

    /// Number of distinct anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when the store holds no anchor: nothing would verify.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchors, in the order they were added.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// The anchors' raw DER subject names, for certificate_authorities (RFC
    /// 8446, Section 4.2.4).
    pub fn subjects(&self) -> impl Iterator<Item = &[u8]> {
        self.anchors.iter().map(|a| a.subject())
    }
}
