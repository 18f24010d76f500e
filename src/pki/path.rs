//! Certification path building and validation (RFC 5280, Section 6, with the
//! CA/Browser Forum rules browsers enforce).
//!
//! Path building (RFC 4158 in spirit): a depth-first search from the end
//! entity through the certificates the peer sent (any order, with extras,
//! duplicates and strangers) to a trust anchor, matching issuer to subject by
//! raw DER. Anchors are tried before sent certificates, so the shortest path
//! wins and an anchor the peer also sent is used as an anchor. When a
//! candidate fails (bad signature, expired, not a CA, name constraints,
//! revoked), the search backtracks and tries the others: cross-signed
//! intermediates, an expired and a renewed intermediate with the same name.
//!
//! The search is bounded by [`VerifyOptions::max_depth`] certificates and
//! [`VerifyOptions::max_signature_checks`] signature verifications, so a
//! hostile peer that sends many certificates with the same names cannot make
//! us verify without end; running out of either is its own error.
//!
//! Checked on every path (see `checks.rs`, `constraints.rs`, `revocation.rs`):
//! signatures (RSA PKCS#1 v1.5 and PSS with SHA-256/384/512, ECDSA P-256/P-384,
//! Ed25519; SHA-1 and MD5 refused, RSA keys under 2048 bits refused, the outer
//! and inner signature algorithms equal); validity; X.509 v3 for every
//! certificate but the anchor; basicConstraints and pathLenConstraint;
//! keyUsage; extendedKeyUsage (on intermediates too); unknown critical and
//! duplicate extensions; name constraints of every CA and of the anchor;
//! revocation when the caller supplies CRLs.
//!
//! Not applied: certificate policies (a critical policies extension is an
//! unknown critical extension and refused), OCSP.
//!
//! When every candidate path fails, the error of the path that got furthest
//! (most certificates from the leaf) is reported; among equals, a specific
//! fault beats "unknown issuer".

use core::fmt;
use std::time::SystemTime;

use x509_parser::extensions::NameConstraints;
use x509_parser::prelude::FromDer;

use super::checks::{
    check_common, check_end_entity, check_issuer, check_key_size, name_text, parse,
    signature_algorithm, unix_seconds, Cert,
};
use super::constraints::check_name_constraints;
use super::revocation::{Crls, UnknownStatusPolicy};
use super::{RootStore, TrustAnchor};
use crate::crypto::sign::{self, PublicKey};
use crate::error::CertificateError;

/// Most certificates in a path by default, end entity included, anchor excluded.
pub const MAX_PATH_LEN: usize = 10;

/// Most signature verifications one path search may spend by default
/// (DESIGN.md limits).
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// What the end-entity certificate will be used for (RFC 5280, Section 4.2.1.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// id-kp-serverAuth.
    ServerAuth,
    /// id-kp-clientAuth.
    ClientAuth,
}

/// What the end entity's keyUsage, when present, must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeafKeyUsage {
    /// digitalSignature or keyEncipherment (the default: the verifier seam is
    /// not told the key exchange, and either use is a legitimate TLS one).
    #[default]
    DigitalSignatureOrKeyEncipherment,
    /// digitalSignature: the key signs the handshake (ECDHE, TLS 1.3).
    DigitalSignature,
    /// keyEncipherment: the key decrypts the premaster secret (TLS 1.2 RSA
    /// key exchange).
    KeyEncipherment,
    /// keyUsage is not looked at.
    Ignore,
}

/// Parameters of a verification; `VerifyOptions::default()` is what the
/// default verifiers use.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The time the chain must be valid at; `None` means now.
    pub time: Option<SystemTime>,
    /// Most certificates in a path, end entity included, anchor excluded.
    pub max_depth: usize,
    /// Most signature verifications the search may spend.
    pub max_signature_checks: usize,
    /// Whether the end-entity certificate may itself be a trust anchor (a
    /// pinned self-signed server). Off by default.
    pub allow_anchor_as_leaf: bool,
    /// What the end entity's keyUsage must allow.
    pub leaf_key_usage: LeafKeyUsage,
    /// Whether to accept, for old private PKIs, what is refused by default
    /// because it can be forged or factored: certificates signed with
    /// sha1WithRSAEncryption and CA certificates with RSA keys of 1024 to 2047
    /// bits (RSA-PSS and SHA-384 signatures by such keys stay refused: ring has
    /// no verifier for them; an end entity's key needs 2048 bits regardless,
    /// as TLS signatures do). MD5 and ecdsa-with-SHA1 are refused whatever this says. Off by
    /// default; CRL signatures are always checked strictly.
    pub legacy_algorithms: bool,
    /// DER CRLs to check every certificate of the path against.
    pub crls: Vec<Vec<u8>>,
    /// What to do when no supplied CRL covers a certificate.
    pub unknown_revocation_status: UnknownStatusPolicy,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            time: None,
            max_depth: MAX_PATH_LEN,
            max_signature_checks: MAX_SIGNATURE_CHECKS,
            allow_anchor_as_leaf: false,
            leaf_key_usage: LeafKeyUsage::default(),
            legacy_algorithms: false,
            crls: Vec::new(),
            unknown_revocation_status: UnknownStatusPolicy::default(),
        }
    }
}

/// A path that verified: the peer's certificates from the end entity up, and
/// the anchor it ends at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPath {
    certificates: Vec<PathEntry>,
    anchor: TrustAnchor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PathEntry {
    position: usize,
    subject: String,
    der: Vec<u8>,
}

impl VerifiedPath {
    /// The certificates of the path, DER, end entity first, anchor excluded.
    pub fn certificates(&self) -> impl Iterator<Item = &[u8]> {
        self.certificates.iter().map(|e| e.der.as_slice())
    }

    /// Each certificate's position in the list the peer sent (0 is the end
    /// entity), in path order.
    pub fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.certificates.iter().map(|e| e.position)
    }

    /// The trust anchor the path ends at.
    pub fn anchor(&self) -> &TrustAnchor {
        &self.anchor
    }
}

impl fmt::Display for VerifiedPath {
    /// One line per certificate: "certificate 0 (CN=leaf)", ..., then
    /// "trusted root (CN=Root)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.certificates {
            writeln!(f, "certificate {} ({})", e.position, e.subject)?;
        }
        write!(f, "trusted root ({})", self.anchor.name())
    }
}

/// Verifies the chain and returns the path and the parsed end entity (for the
/// name check).
pub(crate) fn verify_path<'a>(
    roots: &RootStore,
    end_entity: &'a [u8],
    intermediates: &'a [Vec<u8>],
    purpose: Purpose,
    options: &VerifyOptions,
) -> Result<(VerifiedPath, Cert<'a>), CertificateError> {
    let leaf = parse(0, end_entity)?;
    // DESIGN.md: a chain is at most 10 certificates on the wire; whatever the
    // caller passes, parsing stays bounded by what it passes, and the search
    // below by the depth and signature budgets.
    let intermediates = intermediates
        .iter()
        .enumerate()
        .map(|(i, der)| parse(i.saturating_add(1), der))
        .collect::<Result<Vec<_>, _>>()?;
    let now = unix_seconds(options.time.unwrap_or_else(SystemTime::now));
    let crls = Crls::parse(&options.crls)?;

    check_common(&leaf, now, purpose)?;

    let leaf_spki = leaf.x509.public_key().raw;
    let leaf_subject = leaf.x509.subject().as_raw();
    if let Some(anchor) = roots
        .anchors()
        .iter()
        .find(|a| a.subject() == leaf_subject && a.spki() == leaf_spki)
    {
        if !options.allow_anchor_as_leaf {
            return Err(CertificateError::InvalidPurpose(format!(
                "{} is itself a trusted root, and this verification does not accept a \
                 trusted root as the end-entity certificate (allow_anchor_as_leaf)",
                leaf.label()
            )));
        }
        let path = VerifiedPath {
            certificates: vec![entry(&leaf)],
            anchor: anchor.clone(),
        };
        return Ok((path, leaf));
    }
    check_end_entity(&leaf, options.leaf_key_usage)?;

    let mut search = PathSearch {
        roots,
        leaf: &leaf,
        intermediates: &intermediates,
        now,
        purpose,
        options,
        crls: &crls,
        checks_left: options.max_signature_checks,
        out_of_budget: false,
        error: None,
    };
    let mut path = Vec::new();
    match search.extend(&leaf, &mut path) {
        Some(anchor) => {
            let mut certificates = vec![entry(&leaf)];
            certificates.extend(path.iter().filter_map(|&i| intermediates.get(i)).map(entry));
            let anchor = roots.anchors().get(anchor).cloned().ok_or_else(|| {
                CertificateError::Other("internal error: anchor index out of range".into())
            })?;
            Ok((
                VerifiedPath {
                    certificates,
                    anchor,
                },
                leaf,
            ))
        }
        None => Err(search.error.map(|(_, e)| e).unwrap_or_else(|| {
            CertificateError::UnknownIssuer("no path to a trusted root".into())
        })),
    }
}

fn entry(cert: &Cert<'_>) -> PathEntry {
    PathEntry {
        position: cert.position,
        subject: name_text(cert.x509.subject()),
        der: cert.x509.as_ref().to_vec(),
    }
}

/// A depth-first search for a path to an anchor, remembering the most useful
/// reason it failed.
struct PathSearch<'s, 'a> {
    roots: &'s RootStore,
    leaf: &'s Cert<'a>,
    intermediates: &'s [Cert<'a>],
    now: i64,
    purpose: Purpose,
    options: &'s VerifyOptions,
    crls: &'s Crls<'s>,
    checks_left: usize,
    out_of_budget: bool,
    /// The best error so far, with the number of certificates of the path it
    /// was found on.
    error: Option<(usize, CertificateError)>,
}

impl PathSearch<'_, '_> {
    /// Keeps the error of the path that got furthest; on a tie, a specific
    /// fault (an expired or non-CA issuer) beats a dead end, which tells the
    /// user less. Once the budget is spent, that is the error.
    fn note(&mut self, depth: usize, error: CertificateError) {
        if self.out_of_budget {
            return;
        }
        let replace = match &self.error {
            None => true,
            Some((best, old)) => {
                depth > *best
                    || (depth == *best
                        && matches!(old, CertificateError::UnknownIssuer(_))
                        && !matches!(error, CertificateError::UnknownIssuer(_)))
            }
        };
        if replace {
            self.error = Some((depth, error));
        }
    }

    /// Tries to complete a path from `child`, whose issuers are still to be
    /// found; `path` holds the indices of the intermediates already below it
    /// (`child` is the last of them, or the leaf). Returns the anchor's index.
    fn extend(&mut self, child: &Cert<'_>, path: &mut Vec<usize>) -> Option<usize> {
        let issuer_name = child.x509.issuer().as_raw();
        let depth = path.len().saturating_add(1);
        let mut candidates = 0usize;

        for (a, anchor) in self.roots.anchors().iter().enumerate() {
            if anchor.subject() != issuer_name {
                continue;
            }
            candidates = candidates.saturating_add(1);
            let label = format!("the trusted root {}", anchor.name());
            let checked = self
                .check_signature(child, anchor.spki(), &label)
                .and_then(|()| self.check_complete(path, anchor));
            match checked {
                Ok(()) => return Some(a),
                Err(e) => self.note(depth, e),
            }
            if self.out_of_budget {
                return None;
            }
        }

        // Certificates that are not self-issued first: a self-signed copy of a
        // root the store does not hold only lengthens the path, while its
        // cross-signed sibling may reach an anchor directly.
        let ordered = self
            .intermediates
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_self_issued())
            .chain(
                self.intermediates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_self_issued()),
            );
        for (index, issuer) in ordered {
            if issuer.x509.subject().as_raw() != issuer_name || path.contains(&index) {
                continue;
            }
            candidates = candidates.saturating_add(1);
            if depth >= self.options.max_depth {
                self.note(
                    depth,
                    CertificateError::UnknownIssuer(format!(
                        "no path to a trusted root within {} certificates (the maximum depth)",
                        self.options.max_depth
                    )),
                );
                continue;
            }
            let checked = self
                .check_signature(child, issuer.x509.public_key().raw, &issuer.label())
                .and_then(|()| check_common(issuer, self.now, self.purpose))
                .and_then(|()| check_issuer(issuer, child, path.len()));
            if let Err(e) = checked {
                self.note(depth.saturating_add(1), e);
                if self.out_of_budget {
                    return None;
                }
                continue;
            }
            path.push(index);
            if let Some(anchor) = self.extend(issuer, path) {
                return Some(anchor);
            }
            path.pop();
            if self.out_of_budget {
                return None;
            }
        }

        if candidates == 0 {
            let reason = if issuer_name == child.x509.subject().as_raw() {
                format!(
                    "no path to a trusted root: {} is self-signed and not in the root store",
                    child.label()
                )
            } else {
                format!(
                    "no path to a trusted root: the issuer of certificate {} ({}) is neither \
                     in the root store nor sent by the peer",
                    child.position,
                    name_text(child.x509.issuer())
                )
            };
            self.note(depth, CertificateError::UnknownIssuer(reason));
        }
        None
    }

    /// The checks that need the whole path: name constraints (of every CA on
    /// the path and of the anchor) and revocation.
    fn check_complete(&self, path: &[usize], anchor: &TrustAnchor) -> Result<(), CertificateError> {
        let certs: Vec<&Cert<'_>> = path
            .iter()
            .filter_map(|&i| self.intermediates.get(i))
            .collect();
        // Leaf-first list of the whole path, anchor excluded.
        let all: Vec<&Cert<'_>> = core::iter::once(self.leaf).chain(certs).collect();
        check_path_constraints(&all, anchor)?;
        if self.options.crls.is_empty()
            && self.options.unknown_revocation_status == UnknownStatusPolicy::Allow
        {
            return Ok(());
        }
        for (i, cert) in all.iter().enumerate() {
            let (spki, may_sign) = match all.get(i.saturating_add(1)) {
                Some(issuer) => (
                    issuer.x509.public_key().raw,
                    issuer
                        .x509
                        .key_usage()
                        .ok()
                        .flatten()
                        .is_none_or(|ku| ku.value.crl_sign()),
                ),
                None => (anchor.spki(), true),
            };
            self.crls.check(
                cert,
                spki,
                may_sign,
                self.now,
                self.options.unknown_revocation_status,
            )?;
        }
        Ok(())
    }

    /// Verifies `child`'s signature with `issuer_spki`, spending one check.
    fn check_signature(
        &mut self,
        child: &Cert<'_>,
        issuer_spki: &[u8],
        issuer_label: &str,
    ) -> Result<(), CertificateError> {
        let x = &child.x509;
        let alg = signature_algorithm(
            &x.signature_algorithm,
            &x.tbs_certificate.signature,
            &child.label(),
            self.options.legacy_algorithms,
        )?;
        let key = PublicKey::from_spki(issuer_spki).map_err(|why| {
            CertificateError::Unsupported(format!(
                "the key of {issuer_label} cannot be used: {why}"
            ))
        })?;
        match self.options.legacy_algorithms {
            true => check_key_size(&key, issuer_label, 1024, "")?,
            false => check_key_size(
                &key,
                issuer_label,
                2048,
                "; VerifyOptions::legacy_algorithms accepts 1024 bits and up for CA certificates",
            )?,
        }
        if self.checks_left == 0 {
            self.out_of_budget = true;
            let error = CertificateError::UnknownIssuer(format!(
                "no path to a trusted root found within {} signature checks \
                 (the peer's chain has too many candidate issuers)",
                self.options.max_signature_checks
            ));
            self.error = Some((usize::MAX, error.clone()));
            return Err(error);
        }
        self.checks_left = self.checks_left.saturating_sub(1);
        let signature = &x.signature_value;
        if signature.unused_bits != 0 {
            return Err(CertificateError::BadEncoding(format!(
                "the signature of {} is not a whole number of bytes",
                child.label()
            )));
        }
        sign::verify_cert_signature(
            alg,
            issuer_spki,
            x.tbs_certificate.as_ref(),
            &signature.data,
            self.options.legacy_algorithms,
        )
        .map_err(|_| {
            CertificateError::BadSignature(format!(
                "the signature on {} does not verify with the key of {issuer_label} \
                     ({alg}, {key} key)",
                child.label()
            ))
        })
    }
}

/// RFC 5280, Section 6.1.3(b)-(c) and 6.1.4(g): the name constraints of each
/// CA (and of the anchor) bind every certificate below it; a self-issued
/// intermediate's subject is exempt.
fn check_path_constraints(all: &[&Cert<'_>], anchor: &TrustAnchor) -> Result<(), CertificateError> {
    if let Some(nc_der) = anchor.name_constraints() {
        let owner = format!("the trusted root {}", anchor.name());
        let nc = match NameConstraints::from_der(nc_der) {
            Ok((_, nc)) => nc,
            Err(_) => {
                return Err(CertificateError::BadEncoding(format!(
                    "the name constraints of {owner} do not parse"
                )))
            }
        };
        for cert in all {
            check_name_constraints(&nc, &owner, cert, subject_bound(cert))?;
        }
    }
    for (i, ca) in all.iter().enumerate().skip(1) {
        let nc = ca.x509.name_constraints().map_err(|e| {
            CertificateError::BadEncoding(format!("{}: bad nameConstraints: {e}", ca.label()))
        })?;
        let Some(nc) = nc else {
            continue;
        };
        let owner = ca.label();
        for cert in all.iter().take(i) {
            check_name_constraints(nc.value, &owner, cert, subject_bound(cert))?;
        }
    }
    Ok(())
}

/// False (the subject is exempt) for a self-issued certificate that is not
/// the end entity.
fn subject_bound(cert: &Cert<'_>) -> bool {
    cert.position == 0 || !cert.is_self_issued()
}
