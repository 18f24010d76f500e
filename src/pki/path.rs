//! Certification path building and the RFC 5280 checks applied along the
//! path (the part a later issue grows into a full RFC 5280, Section 6
//! validator).
//!
//! Applied, kept deliberately small:
//! - a path leaf -> intermediates (in any order the peer sent them) -> anchor,
//!   issuer matched to subject by raw DER, every signature verified with ring;
//!   when a candidate issuer fails, the others are tried, within
//!   [`MAX_PATH_LEN`] certificates and [`MAX_SIGNATURE_CHECKS`] signature checks;
//! - signature algorithms: sha256/384/512WithRSAEncryption, RSASSA-PSS with
//!   the usual parameters, ecdsa-with-SHA256/384, Ed25519; SHA-1 and MD5 refused;
//!   RSA keys of at least 2048 bits;
//! - validity periods of every certificate in the path (not of the anchor);
//! - issuers: basicConstraints cA=true, pathLenConstraint, keyUsage
//!   keyCertSign when keyUsage is present; the end entity must not be a CA;
//! - extendedKeyUsage, when present, must allow serverAuth (or clientAuth);
//! - unknown critical extensions are refused (RFC 5280, Section 4.2).
//!
//! Not yet applied: name constraints (certificates that carry them are
//! refused rather than trusted blindly), policies (a critical policy extension
//! is refused), revocation.
//!
//! Every error names the certificate's position in the peer's list (0 is the
//! end entity), its subject, and the rule that failed.

use std::time::{SystemTime, UNIX_EPOCH};

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{
    OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE, OID_X509_EXT_NAME_CONSTRAINTS,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::time::ASN1Time;
use x509_parser::x509::X509Name;

use super::RootStore;
use crate::crypto::sign::{self, oid, CertSignatureAlgorithm, KeyAlgorithm, PublicKey};
use crate::error::CertificateError;

/// Most certificates in a path, end entity included, anchor excluded.
pub const MAX_PATH_LEN: usize = 10;

/// Most signature verifications one path search may spend (DESIGN.md limits):
/// a peer that sends many certificates with the same names cannot make us
/// verify without end.
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// What the end-entity certificate will be used for (RFC 5280, Section 4.2.1.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// id-kp-serverAuth.
    ServerAuth,
    /// id-kp-clientAuth.
    ClientAuth,
}

/// A certificate the peer sent, parsed, with its position in the peer's list
/// (0 is the end entity) so errors can point at it.
pub(crate) struct Cert<'a> {
    pub(crate) position: usize,
    pub(crate) x509: X509Certificate<'a>,
}

impl Cert<'_> {
    /// "certificate 1 (CN=Example CA)", as every error names a certificate.
    pub(crate) fn label(&self) -> String {
        format!(
            "certificate {} ({})",
            self.position,
            name_text(self.x509.subject())
        )
    }
}

fn name_text(name: &X509Name<'_>) -> String {
    let text = name.to_string();
    if text.is_empty() {
        "empty subject".into()
    } else {
        text
    }
}

fn parse(position: usize, der: &[u8]) -> Result<Cert<'_>, CertificateError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], x509)) => Ok(Cert { position, x509 }),
        Ok(_) => Err(CertificateError::BadEncoding(format!(
            "certificate {position} has bytes after its end"
        ))),
        Err(e) => Err(CertificateError::BadEncoding(format!(
            "certificate {position} is not valid X.509: {e}"
        ))),
    }
}

/// Checks the chain and returns the parsed end entity for the name check.
pub(crate) fn verify_path<'a>(
    roots: &RootStore,
    end_entity: &'a [u8],
    intermediates: &'a [Vec<u8>],
    now: SystemTime,
    purpose: Purpose,
) -> Result<Cert<'a>, CertificateError> {
    let leaf = parse(0, end_entity)?;
    let intermediates = intermediates
        .iter()
        .enumerate()
        .map(|(i, der)| parse(i + 1, der))
        .collect::<Result<Vec<_>, _>>()?;
    let now = unix_seconds(now);

    check_common(&leaf, now, purpose)?;
    check_end_entity(&leaf)?;

    let mut search = PathSearch {
        roots,
        intermediates: &intermediates,
        now,
        purpose,
        checks_left: MAX_SIGNATURE_CHECKS,
        error: None,
    };
    let mut path = Vec::new();
    if search.extend(&leaf, &mut path) {
        Ok(leaf)
    } else {
        Err(search
            .error
            .unwrap_or_else(|| CertificateError::UnknownIssuer("no path to a trusted root".into())))
    }
}

/// A depth-first search for a path to an anchor, remembering the most useful
/// reason it failed.
struct PathSearch<'s, 'a> {
    roots: &'s RootStore,
    intermediates: &'s [Cert<'a>],
    now: i64,
    purpose: Purpose,
    checks_left: usize,
    error: Option<CertificateError>,
}

impl PathSearch<'_, '_> {
    /// Keeps the first error, unless it only says "unknown issuer" and a later
    /// one names a specific fault (an expired or non-CA issuer tells the user
    /// more than the dead end another branch reached).
    fn note(&mut self, error: CertificateError) {
        let replace = match &self.error {
            None => true,
            Some(CertificateError::UnknownIssuer(_)) => {
                !matches!(error, CertificateError::UnknownIssuer(_))
            }
            Some(_) => false,
        };
        if replace {
            self.error = Some(error);
        }
    }

    /// Tries to complete a path from `child`, whose issuers are still to be
    /// found; `path` holds the indices of the intermediates already below it.
    fn extend(&mut self, child: &Cert<'_>, path: &mut Vec<usize>) -> bool {
        let issuer_name = child.x509.issuer().as_raw();
        let mut candidates = 0usize;

        for anchor in self.roots.anchors() {
            if anchor.subject() != issuer_name {
                continue;
            }
            candidates += 1;
            let label = format!("the trusted root {}", name_text(child.x509.issuer()));
            match self.check_signature(child, anchor.spki(), &label) {
                Ok(()) => return true,
                Err(e) => self.note(e),
            }
        }

        for (index, issuer) in self.intermediates.iter().enumerate() {
            if issuer.x509.subject().as_raw() != issuer_name || path.contains(&index) {
                continue;
            }
            candidates += 1;
            if path.len() + 2 > MAX_PATH_LEN {
                self.note(CertificateError::UnknownIssuer(format!(
                    "no path to a trusted root within {MAX_PATH_LEN} certificates"
                )));
                continue;
            }
            let checked = self
                .check_signature(child, issuer.x509.public_key().raw, &issuer.label())
                .and_then(|()| check_common(issuer, self.now, self.purpose))
                .and_then(|()| check_issuer(issuer, child, path.len()));
            if let Err(e) = checked {
                self.note(e);
                continue;
            }
            path.push(index);
            if self.extend(issuer, path) {
                return true;
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
                    "no path to a trusted root: {} was issued by {}, which is neither in the \
                     root store nor sent by the peer",
                    child.label(),
                    name_text(child.x509.issuer())
                )
            };
            self.note(CertificateError::UnknownIssuer(reason));
        }
        false
    }

    /// Verifies `child`'s signature with `issuer_spki`, spending one check.
    fn check_signature(
        &mut self,
        child: &Cert<'_>,
        issuer_spki: &[u8],
        issuer_label: &str,
    ) -> Result<(), CertificateError> {
        let alg = signature_algorithm(child)?;
        let key = PublicKey::from_spki(issuer_spki).map_err(|why| {
            CertificateError::Unsupported(format!(
                "the key of {issuer_label} cannot be used: {why}"
            ))
        })?;
        check_key_size(&key, issuer_label)?;
        if self.checks_left == 0 {
            return Err(CertificateError::UnknownIssuer(format!(
                "no path to a trusted root found within {MAX_SIGNATURE_CHECKS} signature checks"
            )));
        }
        self.checks_left -= 1;
        let signature = &child.x509.signature_value;
        if signature.unused_bits != 0 {
            return Err(CertificateError::BadEncoding(format!(
                "the signature of {} is not a whole number of bytes",
                child.label()
            )));
        }
        sign::verify_cert_signature(
            alg,
            issuer_spki,
            child.x509.tbs_certificate.as_ref(),
            &signature.data,
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

/// The CA/Browser Forum Baseline Requirements (Section 6.1.5) require RSA
/// keys of at least 2048 bits and ring's verifiers refuse smaller ones; saying
/// so beats "bad signature".
fn check_key_size(key: &PublicKey<'_>, owner: &str) -> Result<(), CertificateError> {
    if key.algorithm == KeyAlgorithm::Rsa && key.bits < 2048 {
        return Err(CertificateError::Unsupported(format!(
            "{owner} has a {}-bit RSA key; at least 2048 bits are required",
            key.bits
        )));
    }
    Ok(())
}

/// Maps a certificate's signatureAlgorithm to one we verify.
fn signature_algorithm(cert: &Cert<'_>) -> Result<CertSignatureAlgorithm, CertificateError> {
    use CertSignatureAlgorithm as C;
    let x = &cert.x509;
    // RFC 5280, Section 4.1.1.2: signatureAlgorithm MUST be the same as the
    // signature field in the TBSCertificate, which the signature covers.
    if x.signature_algorithm != x.tbs_certificate.signature {
        return Err(CertificateError::BadEncoding(format!(
            "{}: signatureAlgorithm differs from the signed TBSCertificate's signature field",
            cert.label()
        )));
    }
    let alg = &x.signature_algorithm;
    let params = alg.parameters.as_ref();
    // RFC 4055, Section 5: NULL parameters for RSA (some encoders omit them);
    // RFC 5758, Section 3.2 and RFC 8410, Section 3: absent for ECDSA and Ed25519.
    let null_or_absent = params.is_none_or(|p| p.tag().0 == 5 && p.data.is_empty());
    let bad_params = || {
        CertificateError::BadEncoding(format!(
            "{}: malformed signature algorithm parameters",
            cert.label()
        ))
    };
    let chosen = match alg.algorithm.as_bytes() {
        oid::SHA256_WITH_RSA if null_or_absent => C::RsaPkcs1Sha256,
        oid::SHA384_WITH_RSA if null_or_absent => C::RsaPkcs1Sha384,
        oid::SHA512_WITH_RSA if null_or_absent => C::RsaPkcs1Sha512,
        oid::ECDSA_WITH_SHA256 if params.is_none() => C::EcdsaSha256,
        oid::ECDSA_WITH_SHA384 if params.is_none() => C::EcdsaSha384,
        oid::ED25519 if params.is_none() => C::Ed25519,
        oid::SHA256_WITH_RSA
        | oid::SHA384_WITH_RSA
        | oid::SHA512_WITH_RSA
        | oid::ECDSA_WITH_SHA256
        | oid::ECDSA_WITH_SHA384
        | oid::ED25519 => return Err(bad_params()),
        oid::RSASSA_PSS => {
            let params = params
                .and_then(|p| RsaSsaPssParams::try_from(p).ok())
                .ok_or_else(bad_params)?;
            pss_algorithm(&params).ok_or_else(|| {
                CertificateError::Unsupported(format!(
                    "{} is signed with RSASSA-PSS parameters other than the usual ones \
                     (SHA-256/384/512, MGF1 with the same hash, salt as long as the hash)",
                    cert.label()
                ))
            })?
        }
        weak @ (oid::SHA1_WITH_RSA | oid::ECDSA_WITH_SHA1 | oid::MD5_WITH_RSA) => {
            let name = match weak {
                oid::SHA1_WITH_RSA => "sha1WithRSAEncryption",
                oid::ECDSA_WITH_SHA1 => "ecdsa-with-SHA1",
                _ => "md5WithRSAEncryption",
            };
            return Err(CertificateError::Unsupported(format!(
                "{} is signed with {name}, which is refused: \
                 SHA-1 and MD5 signatures can be forged",
                cert.label()
            )));
        }
        other => {
            return Err(CertificateError::Unsupported(format!(
                "{} is signed with an unsupported algorithm ({})",
                cert.label(),
                sign::dotted_oid(other)
            )))
        }
    };
    Ok(chosen)
}

/// RFC 4055, Section 3.1 allows any hash, mask and salt; we accept the
/// combinations TLS 1.3's rsa_pss_* schemes use (RFC 8446, Section 4.2.3).
fn pss_algorithm(params: &RsaSsaPssParams<'_>) -> Option<CertSignatureAlgorithm> {
    let hash = params.hash_algorithm_oid().as_bytes();
    let (alg, salt) = match hash {
        oid::SHA256 => (CertSignatureAlgorithm::RsaPssSha256, 32),
        oid::SHA384 => (CertSignatureAlgorithm::RsaPssSha384, 48),
        oid::SHA512 => (CertSignatureAlgorithm::RsaPssSha512, 64),
        _ => return None,
    };
    let mgf = params.mask_gen_algorithm().ok()?;
    let good = mgf.mgf.as_bytes() == oid::MGF1
        && mgf.hash.as_bytes() == hash
        && params.salt_length() == salt
        && params.trailer_field() == 1;
    good.then_some(alg)
}

fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// "2026-01-01T00:00:00Z".
fn time_text(time: &ASN1Time) -> String {
    let t = time.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn now_text(now: i64) -> String {
    ASN1Time::from_timestamp(now).map_or_else(|_| format!("{now} s after 1970"), |t| time_text(&t))
}

/// Checks every certificate in the path gets: validity, extensions, purpose.
fn check_common(cert: &Cert<'_>, now: i64, purpose: Purpose) -> Result<(), CertificateError> {
    // RFC 5280, Section 4.1.2.5: valid from notBefore through notAfter, both included.
    let validity = cert.x509.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotYetValid(format!(
            "{} is not valid before {}; the time now is {}",
            cert.label(),
            time_text(&validity.not_before),
            now_text(now)
        )));
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired(format!(
            "{} expired at {}; the time now is {}",
            cert.label(),
            time_text(&validity.not_after),
            now_text(now)
        )));
    }
    check_extensions(cert)?;
    check_extended_key_usage(cert, purpose)
}

/// RFC 5280, Section 4.2: each extension appears at most once, and a critical
/// extension we do not process makes the certificate unusable.
fn check_extensions(cert: &Cert<'_>) -> Result<(), CertificateError> {
    if cert.x509.extensions_map().is_err() {
        return Err(CertificateError::BadEncoding(format!(
            "{} has the same extension twice",
            cert.label()
        )));
    }
    for ext in cert.x509.extensions() {
        let processed = [
            &OID_X509_EXT_BASIC_CONSTRAINTS,
            &OID_X509_EXT_KEY_USAGE,
            &OID_X509_EXT_EXTENDED_KEY_USAGE,
            &OID_X509_EXT_SUBJECT_ALT_NAME,
            &OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
            &OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
        ]
        .contains(&&ext.oid);
        if ext.oid == OID_X509_EXT_NAME_CONSTRAINTS {
            return Err(CertificateError::Unsupported(format!(
                "{} carries name constraints, which keyway does not enforce yet; \
                 refusing rather than ignoring them",
                cert.label()
            )));
        }
        if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
            if processed || ext.critical {
                return Err(CertificateError::BadEncoding(format!(
                    "{}: extension {} does not parse: {error}",
                    cert.label(),
                    ext.oid.to_id_string()
                )));
            }
        }
        if ext.critical && !processed {
            return Err(CertificateError::Unsupported(format!(
                "{} has a critical extension keyway does not process ({})",
                cert.label(),
                ext.oid.to_id_string()
            )));
        }
    }
    Ok(())
}

/// RFC 5280, Section 4.2.1.12: when extendedKeyUsage is present the
/// certificate may be used only for the purposes listed. Like browsers, we
/// apply this to issuers too, so a CA restricted to e-mail cannot vouch for a
/// web server.
fn check_extended_key_usage(cert: &Cert<'_>, purpose: Purpose) -> Result<(), CertificateError> {
    let eku = cert.x509.extended_key_usage().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad extendedKeyUsage: {e}", cert.label()))
    })?;
    let Some(eku) = eku else {
        return Ok(());
    };
    let (allowed, name) = match purpose {
        Purpose::ServerAuth => (eku.value.server_auth, "serverAuth"),
        Purpose::ClientAuth => (eku.value.client_auth, "clientAuth"),
    };
    if allowed || eku.value.any {
        Ok(())
    } else {
        Err(CertificateError::InvalidPurpose(format!(
            "{} may not be used for {name}: its extendedKeyUsage does not list it",
            cert.label()
        )))
    }
}

/// The end entity must not be a CA, and its key must be one we can use to
/// check its handshake signature.
fn check_end_entity(leaf: &Cert<'_>) -> Result<(), CertificateError> {
    let bc = leaf.x509.basic_constraints().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad basicConstraints: {e}", leaf.label()))
    })?;
    if bc.is_some_and(|bc| bc.value.ca) {
        return Err(CertificateError::InvalidPurpose(format!(
            "{} is a CA certificate (basicConstraints cA=true) and cannot identify a peer",
            leaf.label()
        )));
    }
    let key = PublicKey::from_spki(leaf.x509.public_key().raw).map_err(|why| {
        CertificateError::Unsupported(format!(
            "{} has a key keyway cannot use: {why}",
            leaf.label()
        ))
    })?;
    check_key_size(&key, &leaf.label())
}

/// Checks `issuer` may issue `child`; `below` is how many intermediates sit
/// between `issuer` and the end entity.
fn check_issuer(issuer: &Cert<'_>, child: &Cert<'_>, below: usize) -> Result<(), CertificateError> {
    let bc = issuer.x509.basic_constraints().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad basicConstraints: {e}", issuer.label()))
    })?;
    // RFC 5280, Section 6.1.4(k): an intermediate must assert cA=true.
    let Some(bc) = bc.filter(|bc| bc.value.ca) else {
        return Err(CertificateError::InvalidPurpose(format!(
            "{} is not a CA (no basicConstraints cA=true) but issued {}",
            issuer.label(),
            child.label()
        )));
    };
    // RFC 5280, Section 6.1.4(m): pathLenConstraint bounds the intermediates below.
    if let Some(max) = bc.value.path_len_constraint {
        if below > usize::try_from(max).unwrap_or(usize::MAX) {
            return Err(CertificateError::InvalidPurpose(format!(
                "{} allows {max} intermediate certificates below it (pathLenConstraint) \
                 but the path has {below}",
                issuer.label()
            )));
        }
    }
    // RFC 5280, Section 4.2.1.3: keyCertSign is required to sign certificates.
    let ku = issuer.x509.key_usage().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad keyUsage: {e}", issuer.label()))
    })?;
    if ku.is_some_and(|ku| !ku.value.key_cert_sign()) {
        return Err(CertificateError::InvalidPurpose(format!(
            "{} may not sign certificates: its keyUsage lacks keyCertSign",
            issuer.label()
        )));
    }
    Ok(())
}
