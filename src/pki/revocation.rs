//! Revocation by certificate revocation lists the caller supplies (RFC 5280,
//! Section 6.3, simplified).
//!
//! keyway never fetches CRLs: the caller hands over DER CRLs (from a cache,
//! a file, its own fetcher). For each certificate of a path, the supplied
//! CRLs whose issuer name is the certificate's issuer name are considered:
//!
//! 1. A CRL counts at all only if it is authentic: its signature verifies
//!    with the key of the certificate's issuer, and that issuer may sign CRLs
//!    (its keyUsage, when present, asserts cRLSign; RFC 5280, Section
//!    6.3.3(f); a trusted root's certificate included).
//! 2. An authentic CRL that lists the certificate's serial number revokes it,
//!    under every [`UnknownStatusPolicy`], whatever its dates, entry
//!    extensions or revocation date say: revocation is permanent, and a
//!    statement of it signed by the issuer is never a reason to accept.
//! 3. To show a certificate is *not* revoked, an authentic CRL must also be
//!    complete and current: a crlNumber present and not critical (Section
//!    5.2.3), no other critical extension keyway does not process (a
//!    delta-CRL indicator or an issuing distribution point would make it
//!    partial, Section 5.2), no critical entry extension (Section 5.3),
//!    thisUpdate not after the verification time and a nextUpdate not before
//!    it (Sections 5.1.2.4-5).
//!
//! A certificate no CRL shows to be unrevoked has unknown status, which
//! [`UnknownStatusPolicy`] decides about; the error then lists why each
//! candidate CRL did not count. Every CRL signature check is charged to the
//! verification's signature budget (`budget.rs`). Trust anchors are not
//! checked: nothing above them could revoke them.

use x509_parser::oid_registry::OID_X509_EXT_CRL_NUMBER;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::budget::{signature_cost, Budget};
use super::checks::{now_text, signature_algorithm, time_text, Cert};
use crate::crypto::sign;
use crate::error::CertificateError;

/// What to do with a certificate whose revocation status no supplied CRL
/// decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownStatusPolicy {
    /// Accept it (the default: most issuers' CRLs are not at hand).
    #[default]
    Allow,
    /// Refuse it with [`CertificateError::RevocationStatusUnknown`].
    Deny,
}

/// The caller's CRLs, parsed once per verification.
pub(crate) struct Crls<'a> {
    lists: Vec<CertificateRevocationList<'a>>,
}

/// The issuer of a certificate, as the CRL checks see it.
pub(crate) struct CrlIssuer<'k> {
    /// Its DER SubjectPublicKeyInfo.
    pub(crate) spki: &'k [u8],
    /// False when its keyUsage lacks cRLSign.
    pub(crate) may_sign_crls: bool,
    /// "certificate 1 (CN=CA)" or "the trusted root CN=Root".
    pub(crate) label: String,
}

impl<'a> Crls<'a> {
    /// Parses every CRL; one that does not parse is the caller's mistake and
    /// is reported as such rather than skipped.
    pub(crate) fn parse(ders: &'a [Vec<u8>]) -> Result<Self, CertificateError> {
        let mut lists = Vec::with_capacity(ders.len());
        for (i, der) in ders.iter().enumerate() {
            match CertificateRevocationList::from_der(der) {
                Ok(([], crl)) => lists.push(crl),
                Ok(_) => {
                    return Err(CertificateError::Other(format!(
                        "the supplied CRL {i} has bytes after its end"
                    )))
                }
                Err(e) => {
                    return Err(CertificateError::Other(format!(
                        "the supplied CRL {i} is not a valid CRL: {e}"
                    )))
                }
            }
        }
        Ok(Crls { lists })
    }

    /// True when no CRL was supplied.
    pub(crate) fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Checks `cert`, issued by `issuer`, at `now`.
    pub(crate) fn check(
        &self,
        cert: &Cert<'_>,
        issuer: &CrlIssuer<'_>,
        now: i64,
        policy: UnknownStatusPolicy,
        budget: &mut Budget,
    ) -> Result<(), CertificateError> {
        let mut covered = false;
        let mut unused: Vec<String> = Vec::new();
        for (i, crl) in self.lists.iter().enumerate() {
            if crl.issuer().as_raw() != cert.x509.issuer().as_raw() {
                continue;
            }
            let cost = sign::PublicKey::from_spki(issuer.spki).map_or(1, |k| signature_cost(&k));
            budget.spend_signature(cost)?;
            if !signed_by(crl, issuer.spki) {
                unused.push(format!("CRL {i} is not signed by {}", issuer.label));
                continue;
            }
            if !issuer.may_sign_crls {
                unused.push(format!(
                    "CRL {i} is signed by {}, whose keyUsage lacks cRLSign (RFC 5280, Section \
                     6.3.3(f))",
                    issuer.label
                ));
                continue;
            }
            let serial = cert.x509.raw_serial();
            if let Some(entry) = crl
                .iter_revoked_certificates()
                .find(|r| r.raw_serial() == serial)
            {
                return Err(CertificateError::Revoked(format!(
                    "{} was revoked at {} (CRL issued by {} at {})",
                    cert.label(),
                    time_text(&entry.revocation_date),
                    crl.issuer(),
                    time_text(&crl.last_update())
                )));
            }
            match complete_and_current(crl, now) {
                Ok(()) => covered = true,
                Err(why) => unused.push(format!("CRL {i} {why}")),
            }
        }
        if covered || policy == UnknownStatusPolicy::Allow {
            return Ok(());
        }
        let why = if unused.is_empty() {
            format!("no supplied CRL is from {}", cert.x509.issuer())
        } else {
            unused.join("; ")
        };
        Err(CertificateError::RevocationStatusUnknown(format!(
            "the revocation status of {} is unknown at {}: {why}",
            cert.label(),
            now_text(now)
        )))
    }
}

/// True when the CRL's signature verifies with `issuer_spki`.
fn signed_by(crl: &CertificateRevocationList<'_>, issuer_spki: &[u8]) -> bool {
    let Ok(alg) = signature_algorithm(
        &crl.signature_algorithm,
        &crl.tbs_cert_list.signature,
        &"CRL",
        false,
    ) else {
        return false;
    };
    crl.signature_value.unused_bits == 0
        && sign::verify_cert_signature(
            alg,
            issuer_spki,
            crl.tbs_cert_list.as_ref(),
            &crl.signature_value.data,
            false,
        )
        .is_ok()
}

/// Whether an authentic CRL may say "not revoked" at `now`; the error says
/// why not, after "CRL n".
fn complete_and_current(crl: &CertificateRevocationList<'_>, now: i64) -> Result<(), String> {
    // RFC 5280, Section 5.2.3: "CRL issuers MUST include this extension in
    // all CRLs and MUST mark this extension as non-critical."
    match crl
        .extensions()
        .iter()
        .find(|e| e.oid == OID_X509_EXT_CRL_NUMBER)
    {
        None => return Err("lacks the crlNumber extension (RFC 5280, Section 5.2.3)".into()),
        Some(e) if e.critical => {
            return Err("marks its crlNumber critical (RFC 5280, Section 5.2.3)".into())
        }
        Some(_) => {}
    }
    // RFC 5280, Section 5.2: a critical CRL extension we do not process
    // (issuingDistributionPoint, deltaCRLIndicator) means the list may be
    // partial, so it cannot say "not revoked"; Section 5.3: nor can a list
    // with a critical entry extension we do not process.
    if let Some(e) = crl.extensions().iter().find(|e| e.critical) {
        return Err(format!(
            "has a critical extension keyway does not process ({})",
            e.oid.to_id_string()
        ));
    }
    if crl
        .iter_revoked_certificates()
        .any(|r| r.extensions().iter().any(|e| e.critical))
    {
        return Err("has an entry with a critical extension (RFC 5280, Section 5.3)".into());
    }
    // RFC 5280, Sections 5.1.2.4-5: current between thisUpdate and nextUpdate.
    if now < crl.last_update().timestamp() {
        return Err(format!(
            "is not valid before its thisUpdate, {}",
            time_text(&crl.last_update())
        ));
    }
    match crl.next_update() {
        None => Err("has no nextUpdate (RFC 5280, Section 5.1.2.5)".into()),
        Some(next) if now > next.timestamp() => Err(format!(
            "is out of date: its nextUpdate was {}",
            time_text(&next)
        )),
        Some(_) => Ok(()),
    }
}
