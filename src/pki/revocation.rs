//! Revocation by certificate revocation lists the caller supplies (RFC 5280,
//! Section 6.3, simplified).
//!
//! keyway never fetches CRLs: the caller hands over DER CRLs (from a cache,
//! a file, its own fetcher). A CRL covers a certificate when it was issued
//! by that certificate's issuer (same name, signature verifies with the
//! issuer's key, which must allow cRLSign when keyUsage is present), is
//! current at the verification time, and is a complete CRL (no critical
//! extension keyway does not process, such as a delta-CRL indicator or an
//! issuing distribution point that would make it partial).
//!
//! A certificate no usable CRL covers has unknown status, which
//! [`UnknownStatusPolicy`] decides about.

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

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

    /// Checks `cert`, issued by the key `issuer_spki` (whose owner `issuer`
    /// names in errors; `issuer_may_sign_crls` is false when its keyUsage
    /// lacks cRLSign).
    pub(crate) fn check(
        &self,
        cert: &Cert<'_>,
        issuer_spki: &[u8],
        issuer_may_sign_crls: bool,
        now: i64,
        policy: UnknownStatusPolicy,
    ) -> Result<(), CertificateError> {
        let mut covered = false;
        for crl in &self.lists {
            if crl.issuer().as_raw() != cert.x509.issuer().as_raw() || !issuer_may_sign_crls {
                continue;
            }
            if !usable(crl, issuer_spki, now) {
                continue;
            }
            covered = true;
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
        }
        if covered || policy == UnknownStatusPolicy::Allow {
            return Ok(());
        }
        Err(CertificateError::RevocationStatusUnknown(format!(
            "the revocation status of {} is unknown: no supplied CRL from {} is signed by it \
             and current at {}",
            cert.label(),
            cert.x509.issuer(),
            now_text(now)
        )))
    }
}

/// A CRL is usable when it is complete, current and signed by the issuer.
fn usable(crl: &CertificateRevocationList<'_>, issuer_spki: &[u8], now: i64) -> bool {
    // RFC 5280, Section 5.2: a critical CRL extension we do not process
    // (issuingDistributionPoint, deltaCRLIndicator) means the list may be
    // partial, so it cannot say "not revoked".
    if crl.extensions().iter().any(|e| e.critical) {
        return false;
    }
    // RFC 5280, Section 5.1.2.4-5: current between thisUpdate and nextUpdate.
    if now < crl.last_update().timestamp() || crl.next_update().is_some_and(|t| now > t.timestamp())
    {
        return false;
    }
    let Ok(alg) = signature_algorithm(
        &crl.signature_algorithm,
        &crl.tbs_cert_list.signature,
        "CRL",
        false,
    ) else {
        return false;
    };
    if crl.signature_value.unused_bits != 0 {
        return false;
    }
    sign::verify_cert_signature(
        alg,
        issuer_spki,
        crl.tbs_cert_list.as_ref(),
        &crl.signature_value.data,
        false,
    )
    .is_ok()
}
