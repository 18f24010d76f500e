//! The rules a trusted root must meet when a path ends at it.
//!
//! A trust anchor is trusted by configuration, but a root *certificate*
//! still says things about itself that a careful verifier honours, as OpenSSL
//! and Go do: when a path would end at a root that came as a certificate,
//! the path is refused (with an error naming the root and the rule) if the
//! root
//!
//! - is outside its validity period (RFC 5280, Section 4.1.2.5: the
//!   "chain of pain" of an expired cross-signing root is real, and a client
//!   that keeps trusting an expired root keeps trusting a key its owner may
//!   no longer guard);
//! - is an X.509 v3 certificate without a critical basicConstraints
//!   asserting cA=true (RFC 5280, Section 4.2.1.9: "Conforming CAs MUST
//!   include this extension in all CA certificates ... and MUST mark the
//!   extension as critical"), or whose keyUsage lacks keyCertSign (the
//!   "inconsistent CA extensions" of Section 4.2.1.3);
//! - carries a critical extension keyway does not process, a duplicate
//!   extension, or a non-critical nameConstraints extension (`checks.rs`);
//! - for a server and [`VerifyOptions::baseline_requirements`], has an empty
//!   subject or an RSA modulus that is not a multiple of 8 bits
//!   (`profile.rs`).
//!
//! v1 (and v2) roots have no extensions to say they are CAs and remain
//! accepted, as OpenSSL and Go accept them. A root given as a bare subject
//! and key ([`TrustAnchor::from_parts`], which is how Mozilla's roots arrive
//! with the `webpki-roots` feature) has no certificate to check: it is
//! trusted as configured, with only its name constraints applied. That is
//! also the documented way to keep trusting a root certificate these rules
//! refuse.
//!
//! [`VerifyOptions::baseline_requirements`]: super::VerifyOptions::baseline_requirements
//! [`TrustAnchor::from_parts`]: super::TrustAnchor::from_parts

use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::OID_X509_EXT_BASIC_CONSTRAINTS;
use x509_parser::x509::X509Version;

use super::checks::{check_extensions, check_validity, Role, Rules};
use super::path::Purpose;
use super::profile;
use super::TrustAnchor;
use crate::error::CertificateError;

/// How a refusal of a root certificate ends.
const FROM_PARTS: &str = "to trust its name and key regardless, add them with \
                          TrustAnchor::from_parts";

/// How errors name a trust anchor: "the trusted root CN=Example Root",
/// formatted only when an error is.
pub(crate) struct RootLabel<'a>(pub(crate) &'a TrustAnchor);

impl core::fmt::Display for RootLabel<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "the trusted root {}", self.0.name())
    }
}

/// What [`check_anchor`] can decide before the verification time is known,
/// worked out once when the anchor is made, so that a verification ending
/// at a good root neither parses the root nor checks it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Settled {
    /// notBefore and notAfter in seconds since 1970; `None` for a bare anchor.
    validity: Option<(i64, i64)>,
    /// Whether every rule but the validity holds, without and with the
    /// Baseline Requirements. The default, false, defers to the full check.
    passes: [bool; 2],
}

impl Settled {
    /// Runs the full check of `anchor` at a time inside its validity, for
    /// both settings of the Baseline Requirements.
    pub(crate) fn of(anchor: &TrustAnchor) -> Self {
        let validity = certificate(anchor).ok().flatten().map(|x509| {
            let validity = x509.validity();
            (
                validity.not_before.timestamp(),
                validity.not_after.timestamp(),
            )
        });
        let inside = validity.map_or(0, |(not_before, _)| not_before);
        let passes = [false, true].map(|baseline| {
            let rules = Rules {
                now: inside,
                purpose: Purpose::ServerAuth,
                baseline,
                require_key_identifiers: false,
            };
            check_anchor_fully(anchor, &rules).is_ok()
        });
        Settled { validity, passes }
    }
}

/// Checks that `anchor` may end a path under `rules`. The outcome for a
/// root that passes comes from what was [`Settled`] when it was added and
/// the time; anything else is checked in full, for the precise error.
pub(crate) fn check_anchor(anchor: &TrustAnchor, rules: &Rules) -> Result<(), CertificateError> {
    let settled = anchor.settled();
    let in_time = settled
        .validity
        .is_none_or(|(not_before, not_after)| not_before <= rules.now && rules.now <= not_after);
    let passes = match rules.baseline {
        false => settled.passes[0],
        true => settled.passes[1],
    };
    if in_time && passes {
        return Ok(());
    }
    check_anchor_fully(anchor, rules)
}

/// [`check_anchor`], every rule, parsing the root.
fn check_anchor_fully(anchor: &TrustAnchor, rules: &Rules) -> Result<(), CertificateError> {
    let label = RootLabel(anchor);
    if rules.baseline {
        profile::check_key(&label, anchor.spki())?;
        // An empty Name is the DER SEQUENCE 30 00.
        profile::check_ca_subject(&label, anchor.subject() == [0x30, 0x00])?;
    }
    let Some(x509) = certificate(anchor)? else {
        return Ok(());
    };
    check_validity(&label, &x509, rules.now)?;
    if x509.version() != X509Version::V3 {
        return Ok(());
    }
    check_extensions(&label, &x509, Role::Anchor, rules)?;
    let bc = x509
        .get_extension_unique(&OID_X509_EXT_BASIC_CONSTRAINTS)
        .map_err(|e| CertificateError::BadEncoding(format!("{label}: {e}")))?;
    let asserts_ca = matches!(x509.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
    let problem = match bc {
        None => "it is an X.509 v3 certificate without a basicConstraints extension",
        Some(_) if !asserts_ca => "its basicConstraints does not assert cA=true",
        Some(ext) if !ext.critical => "its basicConstraints extension is not critical",
        Some(_) => match x509.key_usage() {
            Ok(Some(ku)) if !ku.value.key_cert_sign() => {
                "its basicConstraints asserts cA=true but its keyUsage lacks keyCertSign \
                 (inconsistent CA extensions, RFC 5280, Section 4.2.1.3)"
            }
            _ => return Ok(()),
        },
    };
    Err(CertificateError::InvalidPurpose(format!(
        "{label} cannot issue certificates: {problem} (RFC 5280, Section 4.2.1.9); \
         {FROM_PARTS}"
    )))
}

/// RFC 5280, Section 6.3.3(f): a CRL issuer's keyUsage, when present, must
/// assert cRLSign; a root is no exception. A bare anchor may.
pub(crate) fn anchor_may_sign_crls(anchor: &TrustAnchor) -> bool {
    match certificate(anchor) {
        Ok(Some(x509)) => x509
            .key_usage()
            .ok()
            .flatten()
            .is_none_or(|ku| ku.value.crl_sign()),
        _ => true,
    }
}

/// The anchor's certificate, parsed, when it came as one. It parsed when it
/// was added to the store, so a failure here means the bytes changed.
fn certificate(anchor: &TrustAnchor) -> Result<Option<X509Certificate<'_>>, CertificateError> {
    if anchor.der().is_empty() {
        return Ok(None);
    }
    match x509_parser::parse_x509_certificate(anchor.der()) {
        Ok((_, x509)) => Ok(Some(x509)),
        Err(e) => Err(CertificateError::BadEncoding(format!(
            "the trusted root {} does not parse: {e}",
            anchor.name()
        ))),
    }
}
