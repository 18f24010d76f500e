//! Certification path building and validation (RFC 5280, Section 6, with the
//! CA/Browser Forum rules browsers enforce).
//!
//! Path building (RFC 4158 in spirit): a depth-first search from the end
//! entity through the certificates the peer sent (any order, with extras,
//! duplicates and strangers) to a trust anchor, matching issuer to subject by
//! raw DER. Anchors are tried before sent certificates, so the shortest path
//! wins and an anchor the peer also sent is used as an anchor. When a
//! candidate fails (bad signature, expired, not a CA, name constraints,
//! revoked, an unusable root), the search backtracks and tries the others:
//! cross-signed intermediates, an expired and a renewed intermediate with
//! the same name.
//!
//! The depth limit, [`VerifyOptions::max_depth`], counts the intermediate
//! certificates between the end entity and the trust anchor exactly as
//! `openssl verify -verify_depth` does: neither the end entity nor the anchor
//! counts, self-issued intermediates (a CA's key rollover) do. So 0 accepts
//! only a leaf issued directly by a trusted root, and a path of at most
//! `max_depth + 2` certificates, anchor included, is accepted.
//!
//! The work is bounded (see `budget.rs`):
//! [`VerifyOptions::max_signature_checks`] signature verifications and
//! [`VerifyOptions::max_name_comparisons`] name comparisons per verification,
//! so a hostile peer that sends many certificates with the same names, or many
//! names under many constraints, cannot make a verification slow; running out
//! is its own error, [`CertificateError::TooMuchWork`], naming the budget.
//! Each certificate's own checks run at most once per verification.
//!
//! Checked on every path (see `checks.rs`, `constraints.rs`, `revocation.rs`,
//! `anchor.rs`, `profile.rs`): signatures (RSA PKCS#1 v1.5 and PSS with
//! SHA-256/384/512, ECDSA P-256/P-384, Ed25519; SHA-1 and MD5 refused, RSA
//! keys under 2048 bits refused, the outer and inner signature algorithms
//! equal); validity; X.509 v3 for every certificate but the anchor;
//! basicConstraints and pathLenConstraint (self-issued intermediates not
//! counted, RFC 5280, Section 6.1.4(l)); keyUsage; extendedKeyUsage (on
//! intermediates too); unknown critical and duplicate extensions; the
//! criticality RFC 5280 prescribes for the extensions keyway knows;
//! subjectAltName syntax; name constraints of every CA and of the anchor
//! (self-issued intermediates exempt unless last, Section 4.2.1.10); the
//! trust anchor's own certificate (`anchor.rs`); for servers, the
//! CA/Browser Forum profile ([`VerifyOptions::baseline_requirements`]);
//! revocation when the caller supplies CRLs.
//!
//! Not applied: certificate policies (a critical certificatePolicies or
//! policyConstraints extension is refused as unsupported), OCSP. The
//! authority and subject key identifiers are not used to pick issuers (names
//! and signatures decide); [`VerifyOptions::require_key_identifiers`] makes
//! their presence a rule.
//!
//! When every candidate path fails, the error of the path that got furthest
//! (most certificates from the leaf) is reported; among equals, a specific
//! fault beats "unknown issuer".

use core::fmt;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::time::SystemTime;

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::NameConstraints;
use x509_parser::oid_registry::OID_X509_EXT_NAME_CONSTRAINTS;
use x509_parser::prelude::FromDer;

use super::anchor::{anchor_may_sign_crls, check_anchor, RootLabel};
use super::budget::{is_exhausted, signature_cost, Budget};
use super::checks::{
    check_certificate, check_end_entity, check_issuer, check_key_size, name_text, parse,
    signature_algorithm, time_text, unix_seconds, Cert, Rules,
};
use super::constraints::{CertNames, Constraints};
use super::revocation::{CrlIssuer, Crls, UnknownStatusPolicy};
use super::signature_cache::{SignatureCache, SIGNATURE_CACHE_ENTRIES};
use super::{RootStore, TrustAnchor};
use crate::crypto::sign::{self, PublicKey};
use crate::error::CertificateError;

/// Most intermediate certificates in a path by default (the end entity and
/// the anchor not counted, as `openssl verify -verify_depth`): 9, so a path
/// is at most 10 certificates before its anchor, the longest chain the
/// handshake accepts by default.
pub const MAX_DEPTH: usize = 9;

/// Most signature verifications one verification may spend by default.
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// Most name comparisons under name constraints one verification may spend
/// by default (the README's "Certificates" section has what the worst case
/// costs).
pub const MAX_NAME_COMPARISONS: usize = 250_000;

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
    /// Most intermediate certificates between the end entity and the trust
    /// anchor, counted as `openssl verify -verify_depth` counts them: the end
    /// entity and the anchor do not count, self-issued intermediates do. 0
    /// accepts only an end entity issued directly by a trusted root. Default
    /// [`MAX_DEPTH`].
    pub max_depth: usize,
    /// Most signature verifications (certificates and CRLs) one verification
    /// may spend, each weighted by its cost: an ECDSA P-384 check counts 12,
    /// an RSA one 2 over 2048 bits and 8 over 4096, any other 1 (ring takes
    /// that much longer for them), so that the worst case stays near the
    /// same time whatever keys a hostile chain uses. A pair of certificates
    /// is checked once per verification. Default [`MAX_SIGNATURE_CHECKS`].
    pub max_signature_checks: usize,
    /// Most name comparisons (one name of a certificate against one name
    /// constraint) one verification may spend. Default
    /// [`MAX_NAME_COMPARISONS`].
    pub max_name_comparisons: usize,
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
    /// Whether a server's chain must also follow the CA/Browser Forum
    /// Baseline Requirements profile: a host name or IP address in the
    /// subject CN is in the subjectAltName, no keyCertSign in an end-entity
    /// keyUsage, CA certificates (roots included) have a non-empty subject,
    /// RSA moduli are a multiple of 8 bits, authorityInfoAccess is well
    /// formed, policyConstraints is critical. On by default; a private PKI
    /// whose certificates break one of these sets it to false. Rules that
    /// ordinary private PKIs break (an extendedKeyUsage on every leaf, key
    /// identifiers) are not part of it. Client certificates are never held
    /// to it.
    pub baseline_requirements: bool,
    /// Whether every certificate of the path must carry an
    /// authorityKeyIdentifier and every CA certificate a
    /// subjectKeyIdentifier (RFC 5280, Sections 4.2.1.1-2). Off by default:
    /// test PKIs made by common tools (rcgen's defaults among them) omit
    /// them, and rustls-webpki and Go accept that. A critical one is refused
    /// either way.
    pub require_key_identifiers: bool,
    /// DER CRLs to check every certificate of the path against.
    pub crls: Vec<Vec<u8>>,
    /// What to do when no supplied CRL covers a certificate.
    pub unknown_revocation_status: UnknownStatusPolicy,
    /// Most certificate signatures a default verifier
    /// ([`super::DefaultServerVerifier`], [`super::DefaultClientVerifier`])
    /// remembers as verified, so a repeat connection to the same server skips
    /// the signature checks on its chain; everything else is still checked.
    /// 0 turns the cache off. Default [`SIGNATURE_CACHE_ENTRIES`] (at most
    /// about 75 KiB per verifier; why a cached verdict is safe is in
    /// `src/pki/signature_cache.rs`). The connection-free functions
    /// ([`super::verify_server_chain`] and the others) keep no cache.
    pub signature_cache_entries: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            time: None,
            max_depth: MAX_DEPTH,
            max_signature_checks: MAX_SIGNATURE_CHECKS,
            max_name_comparisons: MAX_NAME_COMPARISONS,
            allow_anchor_as_leaf: false,
            leaf_key_usage: LeafKeyUsage::default(),
            legacy_algorithms: false,
            baseline_requirements: true,
            require_key_identifiers: false,
            crls: Vec::new(),
            unknown_revocation_status: UnknownStatusPolicy::default(),
            signature_cache_entries: SIGNATURE_CACHE_ENTRIES,
        }
    }
}

/// A path that verified: the peer's certificates from the end entity up, and
/// the anchor it ends at.
///
/// `Display` shows one line per certificate; the alternate form (`{:#}`)
/// adds each one's key and validity.
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
    /// "key ECDSA P-256, valid 2020-01-01T00:00:00Z to 2040-01-01T00:00:00Z".
    details: String,
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
    /// "trusted root (CN=Root)"; with `{:#}`, each followed by an indented
    /// line with its key and validity.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = f.alternate();
        for e in &self.certificates {
            writeln!(f, "certificate {} ({})", e.position, e.subject)?;
            if details {
                writeln!(f, "    {}", e.details)?;
            }
        }
        write!(f, "trusted root ({})", self.anchor.name())?;
        if details {
            let text = match x509_parser::parse_x509_certificate(self.anchor.der()) {
                Ok((_, x509)) => details_text(x509.public_key().raw, Some(&x509)),
                Err(_) => details_text(self.anchor.spki(), None),
            };
            write!(f, "\n    {text}")?;
        }
        Ok(())
    }
}

/// "key RSA-2048, valid FROM to UNTIL", or for a bare anchor "key ..., no
/// certificate (trusted as a bare name and key)".
fn details_text(spki: &[u8], x509: Option<&X509Certificate<'_>>) -> String {
    let key = match PublicKey::from_spki(spki) {
        Ok(key) => key.to_string(),
        Err(why) => format!("unusable ({why})"),
    };
    match x509 {
        Some(x509) => format!(
            "key {key}, valid {} to {}",
            time_text(&x509.validity().not_before),
            time_text(&x509.validity().not_after)
        ),
        None => format!("key {key}, no certificate (trusted as a bare name and key)"),
    }
}

/// A chain that verified: the parsed certificates, and the path through
/// them to an anchor.
pub(crate) struct Verified<'r, 'a> {
    /// The end entity, parsed (for the name check).
    pub(crate) leaf: Cert<'a>,
    intermediates: Vec<Cert<'a>>,
    /// Indices into `intermediates`, from the leaf's issuer up.
    path: Vec<usize>,
    anchor: &'r TrustAnchor,
}

impl Verified<'_, '_> {
    /// The path as the public API shows it. Its text is made here, so a
    /// handshake, which only needs the verdict, never pays for it.
    pub(crate) fn describe(&self) -> VerifiedPath {
        let mut certificates = vec![entry(&self.leaf)];
        certificates.extend(
            self.path
                .iter()
                .filter_map(|&i| self.intermediates.get(i))
                .map(entry),
        );
        VerifiedPath {
            certificates,
            anchor: self.anchor.clone(),
        }
    }
}

/// Verifies the chain at `now` (whatever `options.time` says) and returns
/// the path and the parsed certificates. Signatures found in `cache` are not
/// verified again; those that verify are added to it.
pub(crate) fn verify_path<'r, 'a>(
    roots: &'r RootStore,
    end_entity: &'a [u8],
    intermediates: &'a [Vec<u8>],
    purpose: Purpose,
    options: &VerifyOptions,
    now: SystemTime,
    cache: Option<&SignatureCache>,
) -> Result<Verified<'r, 'a>, CertificateError> {
    let leaf = parse(0, end_entity)?;
    // A chain on the wire is at most `Limits::max_chain_len` certificates;
    // whatever the caller passes, parsing stays bounded by what it passes,
    // and the search below by the budgets.
    let intermediates = intermediates
        .iter()
        .enumerate()
        .map(|(i, der)| parse(i.saturating_add(1), der))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = Rules {
        now: unix_seconds(now),
        purpose,
        baseline: purpose == Purpose::ServerAuth && options.baseline_requirements,
        require_key_identifiers: options.require_key_identifiers,
    };
    let crls = Crls::parse(&options.crls)?;

    check_certificate(&leaf, &rules)?;

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
        return Ok(Verified {
            leaf,
            intermediates,
            path: Vec::new(),
            anchor,
        });
    }
    check_end_entity(&leaf, options.leaf_key_usage, &rules)?;

    let mut search = PathSearch {
        roots,
        leaf: &leaf,
        intermediates: &intermediates,
        rules,
        options,
        crls: &crls,
        cache,
        budget: Budget::new(options.max_signature_checks, options.max_name_comparisons),
        signatures: HashMap::new(),
        learnt: (0..=intermediates.len())
            .map(|_| Learnt::default())
            .collect(),
        error: None,
    };
    let mut path = Vec::new();
    let found = search.extend(&leaf, &mut path)?;
    let Some(anchor) = found.and_then(|a| roots.anchors().get(a)) else {
        return Err(search.error.map(|(_, e)| e).unwrap_or_else(|| {
            CertificateError::UnknownIssuer("no path to a trusted root".into())
        }));
    };
    drop(search);
    Ok(Verified {
        leaf,
        intermediates,
        path,
        anchor,
    })
}

fn entry(cert: &Cert<'_>) -> PathEntry {
    PathEntry {
        position: cert.position,
        subject: name_text(cert.x509.subject()),
        der: cert.x509.as_ref().to_vec(),
        details: details_text(cert.x509.public_key().raw, Some(&cert.x509)),
    }
}

/// Whose key a signature is checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Signer {
    /// The trust anchor at this index of the store.
    Anchor(usize),
    /// The peer's intermediate at this index.
    Intermediate(usize),
}

/// What one verification learns about one certificate, each at most once
/// however many paths try it.
#[derive(Default)]
struct Learnt<'s> {
    /// The outcome of [`check_certificate`] (intermediates only).
    checked: Option<Result<(), CertificateError>>,
    /// The names name constraints apply to.
    names: OnceCell<CertNames<'s>>,
    /// Its name constraints, checked and normalised (intermediates only).
    constraints: OnceCell<Result<Option<Constraints<'s>>, CertificateError>>,
}

/// A depth-first search for a path to an anchor, remembering the most useful
/// reason it failed, and what it learnt about each certificate for the whole
/// verification.
struct PathSearch<'s, 'a> {
    roots: &'s RootStore,
    leaf: &'s Cert<'a>,
    intermediates: &'s [Cert<'a>],
    rules: Rules,
    options: &'s VerifyOptions,
    crls: &'s Crls<'s>,
    cache: Option<&'s SignatureCache>,
    budget: Budget,
    /// The outcome of each signature check, by (the child's position, the
    /// signer), once run.
    signatures: HashMap<(usize, Signer), Result<(), CertificateError>>,
    /// What is known of each certificate: the leaf's at slot 0,
    /// intermediate `i`'s at `i + 1`.
    learnt: Vec<Learnt<'s>>,
    /// The best error so far, with the number of certificates of the path it
    /// was found on.
    error: Option<(usize, CertificateError)>,
}

impl<'s, 'a: 's> PathSearch<'s, 'a> {
    /// Keeps the error of the path that got furthest; on a tie, a specific
    /// fault (an expired or non-CA issuer) beats a dead end, which tells the
    /// user less.
    fn note(&mut self, depth: usize, error: CertificateError) {
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
    /// (`child` is the last of them, or the leaf). Returns the anchor's index,
    /// `None` when no path exists, or an error when a budget ran out.
    fn extend(
        &mut self,
        child: &'s Cert<'a>,
        path: &mut Vec<usize>,
    ) -> Result<Option<usize>, CertificateError> {
        let issuer_name = child.x509.issuer().as_raw();
        let depth = path.len().saturating_add(1);
        let mut candidates = 0usize;

        let roots = self.roots;
        for (a, anchor) in roots.anchors().iter().enumerate() {
            if anchor.subject() != issuer_name {
                continue;
            }
            candidates = candidates.saturating_add(1);
            let checked = self
                .check_signature(child, Signer::Anchor(a), anchor.spki(), &RootLabel(anchor))
                .and_then(|()| check_anchor(anchor, &self.rules))
                .and_then(|()| self.check_complete(path, anchor));
            match checked {
                Ok(()) => return Ok(Some(a)),
                Err(e) if is_exhausted(&e) => return Err(e),
                Err(e) => self.note(depth, e),
            }
        }

        // Certificates that are not self-issued first: a self-signed copy of a
        // root the store does not hold only lengthens the path, while its
        // cross-signed sibling may reach an anchor directly.
        let intermediates = self.intermediates;
        let ordered = intermediates
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_self_issued())
            .chain(
                intermediates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_self_issued()),
            );
        for (index, issuer) in ordered {
            if issuer.x509.subject().as_raw() != issuer_name || path.contains(&index) {
                continue;
            }
            // RFC 4158, Section 5.2: a CA (subject and key) that is already
            // on the path would only lead round in a loop; a CA's key
            // rollover keeps its name but changes its key, and stays a
            // candidate.
            let spki = issuer.x509.public_key().raw;
            let subject = issuer.x509.subject().as_raw();
            let looped = path
                .iter()
                .filter_map(|&i| intermediates.get(i))
                .any(|c| c.x509.public_key().raw == spki && c.x509.subject().as_raw() == subject);
            if looped {
                continue;
            }
            candidates = candidates.saturating_add(1);
            // `path.len()` intermediates are below `issuer`; it would be one more.
            // Ranked like any fault of a candidate issuer: a path that only
            // the depth limit stopped is the one worth reporting.
            if path.len() >= self.options.max_depth {
                self.note(
                    depth.saturating_add(1),
                    CertificateError::UnknownIssuer(format!(
                        "no path to a trusted root within {} intermediate certificates \
                         (VerifyOptions::max_depth, counted as `openssl verify -verify_depth` \
                         counts them)",
                        self.options.max_depth
                    )),
                );
                continue;
            }
            let counted_below = path
                .iter()
                .filter_map(|&i| intermediates.get(i))
                .filter(|c| !c.is_self_issued())
                .count();
            let checked = self
                .check_signature(
                    child,
                    Signer::Intermediate(index),
                    issuer.x509.public_key().raw,
                    &issuer.label(),
                )
                .and_then(|()| self.check_intermediate(index))
                .and_then(|()| check_issuer(issuer, child, counted_below));
            match checked {
                Ok(()) => {}
                Err(e) if is_exhausted(&e) => return Err(e),
                Err(e) => {
                    self.note(depth.saturating_add(1), e);
                    continue;
                }
            }
            path.push(index);
            if let Some(anchor) = self.extend(issuer, path)? {
                return Ok(Some(anchor));
            }
            path.pop();
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
        Ok(None)
    }

    /// [`check_certificate`] for intermediate `index`, run once per
    /// verification however many paths try it.
    fn check_intermediate(&mut self, index: usize) -> Result<(), CertificateError> {
        let intermediates = self.intermediates;
        let rules = self.rules;
        let cert = intermediates.get(index);
        let slot = index
            .checked_add(1)
            .and_then(|slot| self.learnt.get_mut(slot));
        match (cert, slot.map(|learnt| &mut learnt.checked)) {
            (Some(_), Some(Some(known))) => known.clone(),
            (Some(cert), Some(slot)) => slot.insert(check_certificate(cert, &rules)).clone(),
            _ => Err(CertificateError::Other(
                "internal error: intermediate index out of range".into(),
            )),
        }
    }

    /// The checks that need the whole path: name constraints (of every CA on
    /// the path and of the anchor) and revocation.
    fn check_complete(
        &mut self,
        path: &[usize],
        anchor: &'s TrustAnchor,
    ) -> Result<(), CertificateError> {
        self.check_path_constraints(path, anchor)?;
        if self.crls.is_empty()
            && self.options.unknown_revocation_status == UnknownStatusPolicy::Allow
        {
            return Ok(());
        }
        let intermediates = self.intermediates;
        // Leaf-first list of the whole path, anchor excluded.
        let all: Vec<&Cert<'_>> = core::iter::once(self.leaf)
            .chain(path.iter().filter_map(|&i| intermediates.get(i)))
            .collect();
        for (i, cert) in all.iter().enumerate() {
            let issuer = match all.get(i.saturating_add(1)) {
                Some(issuer) => CrlIssuer {
                    spki: issuer.x509.public_key().raw,
                    may_sign_crls: issuer
                        .x509
                        .key_usage()
                        .ok()
                        .flatten()
                        .is_none_or(|ku| ku.value.crl_sign()),
                    label: issuer.label().to_string(),
                },
                None => CrlIssuer {
                    spki: anchor.spki(),
                    may_sign_crls: anchor_may_sign_crls(anchor),
                    label: RootLabel(anchor).to_string(),
                },
            };
            self.crls.check(
                cert,
                &issuer,
                self.rules.now,
                self.options.unknown_revocation_status,
                &mut self.budget,
            )?;
        }
        Ok(())
    }

    /// RFC 5280, Section 6.1.3(b)-(c) and 6.1.4(g): the name constraints of
    /// each CA (and of the anchor) bind every certificate below it, except
    /// self-issued intermediates (see [`apply`]).
    fn check_path_constraints(
        &mut self,
        path: &[usize],
        anchor: &'s TrustAnchor,
    ) -> Result<(), CertificateError> {
        let (leaf, intermediates) = (self.leaf, self.intermediates);
        // (slot in `learnt`, certificate), leaf first.
        let all = || {
            core::iter::once((0, leaf)).chain(
                path.iter()
                    .filter_map(|&i| Some((i.checked_add(1)?, intermediates.get(i)?))),
            )
        };
        if let Some(nc_der) = anchor.name_constraints() {
            let owner = RootLabel(anchor).to_string();
            let nc = match NameConstraints::from_der(nc_der) {
                Ok((_, nc)) => nc,
                Err(_) => {
                    return Err(CertificateError::BadEncoding(format!(
                        "the name constraints of {owner} do not parse"
                    )))
                }
            };
            // A bare anchor's constraints come from configuration (Mozilla
            // writes `.tr`); a root certificate's are held to RFC 5280.
            let constraints = Constraints::parse(&nc, nc_der, owner, anchor.der().is_empty())?;
            for (slot, cert) in all() {
                apply(&self.learnt, &mut self.budget, &constraints, slot, cert)?;
            }
        }
        for (k, (slot, ca)) in all().enumerate().skip(1) {
            let Some(cell) = self.learnt.get(slot).map(|learnt| &learnt.constraints) else {
                continue;
            };
            let parsed = cell.get_or_init(|| {
                let bad = |e: String| {
                    CertificateError::BadEncoding(format!(
                        "{}: bad nameConstraints: {e}",
                        ca.label()
                    ))
                };
                let nc = ca.x509.name_constraints().map_err(|e| bad(e.to_string()))?;
                let raw = ca
                    .x509
                    .get_extension_unique(&OID_X509_EXT_NAME_CONSTRAINTS)
                    .map_err(|e| bad(e.to_string()))?
                    .map_or(&[][..], |ext| ext.value);
                nc.map(|nc| Constraints::parse(nc.value, raw, ca.label().to_string(), false))
                    .transpose()
            });
            let constraints = match parsed {
                Ok(Some(constraints)) => constraints,
                Ok(None) => continue,
                Err(e) => return Err(e.clone()),
            };
            for (below, cert) in all().take(k) {
                apply(&self.learnt, &mut self.budget, constraints, below, cert)?;
            }
        }
        Ok(())
    }

    /// Verifies `child`'s signature with the key of `signer` (`issuer_spki`),
    /// spending one check the first time this pair is tried; later paths
    /// through the same pair reuse the outcome.
    fn check_signature(
        &mut self,
        child: &Cert<'_>,
        signer: Signer,
        issuer_spki: &[u8],
        issuer_label: &dyn fmt::Display,
    ) -> Result<(), CertificateError> {
        let pair = (child.position, signer);
        if let Some(known) = self.signatures.get(&pair) {
            return known.clone();
        }
        let outcome = self.verify_signature(child, issuer_spki, issuer_label);
        if !matches!(&outcome, Err(e) if is_exhausted(e)) {
            self.signatures.insert(pair, outcome.clone());
        }
        outcome
    }

    /// [`Self::check_signature`] without the memory.
    fn verify_signature(
        &mut self,
        child: &Cert<'_>,
        issuer_spki: &[u8],
        issuer_label: &dyn fmt::Display,
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
        self.budget.spend_signature(signature_cost(&key))?;
        let signature = &x.signature_value;
        if signature.unused_bits != 0 {
            return Err(CertificateError::BadEncoding(format!(
                "the signature of {} is not a whole number of bytes",
                child.label()
            )));
        }
        let (tbs, legacy) = (x.tbs_certificate.as_ref(), self.options.legacy_algorithms);
        let fingerprint = self.cache.map(|cache| {
            let fingerprint =
                sign::cert_signature_fingerprint(alg, issuer_spki, tbs, &signature.data, legacy);
            (cache, fingerprint)
        });
        if let Some((cache, fingerprint)) = fingerprint {
            if cache.contains(&fingerprint) {
                return Ok(());
            }
        }
        sign::verify_cert_signature(alg, issuer_spki, tbs, &signature.data, legacy)
            .map(|()| {
                if let Some((cache, fingerprint)) = fingerprint {
                    cache.insert(fingerprint);
                }
            })
            .map_err(|_| {
                CertificateError::BadSignature(format!(
                    "the signature on {} does not verify with the key of {issuer_label} \
                     ({alg}, {key} key)",
                    child.label()
                ))
            })
    }
}

/// Applies `constraints` to `cert`, whose names live in `learnt[slot]`,
/// unless `cert` is a self-issued intermediate: RFC 5280, Section 4.2.1.10
/// exempts those unless they are last in the path ("This could prevent CAs
/// that use name constraints from employing self-issued certificates to
/// implement key rollover").
fn apply<'s>(
    learnt: &[Learnt<'s>],
    budget: &mut Budget,
    constraints: &Constraints<'_>,
    slot: usize,
    cert: &'s Cert<'_>,
) -> Result<(), CertificateError> {
    if cert.position != 0 && cert.is_self_issued() {
        return Ok(());
    }
    let Some(learnt) = learnt.get(slot) else {
        return Ok(());
    };
    let names = learnt.names.get_or_init(|| CertNames::of(cert));
    constraints.check(&cert.label(), names, budget)
}
