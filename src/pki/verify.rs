//! The default verifiers: build a path from the peer's certificate to a trust
//! anchor and check it.
//!
//! Applied (RFC 5280, Section 6.1, kept deliberately small):
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
//! - unknown critical extensions are refused (RFC 5280, Section 4.2);
//! - server names against subjectAltName only (see `name.rs`).
//!
//! Not yet applied, left for the full RFC 5280 validator: name constraints
//! (certificates that carry them are refused rather than trusted blindly),
//! policies (a critical policy extension is refused), revocation.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::{
    OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE, OID_X509_EXT_NAME_CONSTRAINTS,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::time::ASN1Time;
use x509_parser::x509::X509Name;

use super::name::{san_matches, SanEntry};
use super::{ClientCertVerifier, RootStore, ServerCertVerifier, ServerName};
use crate::crypto::sign::{self, oid, CertSignatureAlgorithm, KeyAlgorithm, PublicKey};
use crate::error::CertificateError;

/// Most certificates in a path, end entity included, anchor excluded.
pub const MAX_PATH_LEN: usize = 10;

/// Most signature verifications one path search may spend (DESIGN.md limits):
/// a peer that sends many certificates with the same names cannot make us
/// verify without end.
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// The verifier a client uses by default: a path to one of `roots`, valid
/// now, for the name it connected to.
#[derive(Debug, Clone)]
pub struct DefaultServerVerifier {
    roots: Arc<RootStore>,
}

impl DefaultServerVerifier {
    /// A verifier that trusts `roots`.
    pub fn new(roots: Arc<RootStore>) -> Self {
        Self { roots }
    }
}

impl ServerCertVerifier for DefaultServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        now: SystemTime,
    ) -> Result<(), CertificateError> {
        let leaf = verify_path(
            &self.roots,
            end_entity,
            intermediates,
            now,
            Purpose::ServerAuth,
        )?;
        check_name(&leaf, server_name)
    }
}

/// The verifier a server uses by default for client certificates: a path to
/// one of `roots`, valid now, allowed for client authentication.
#[derive(Debug, Clone)]
pub struct DefaultClientVerifier {
    roots: Arc<RootStore>,
}

impl DefaultClientVerifier {
    /// A verifier that trusts `roots`.
    pub fn new(roots: Arc<RootStore>) -> Self {
        Self { roots }
    }
}

impl ClientCertVerifier for DefaultClientVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        now: SystemTime,
    ) -> Result<(), CertificateError> {
        verify_path(
            &self.roots,
            end_entity,
            intermediates,
            now,
            Purpose::ClientAuth,
        )
        .map(|_| ())
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.roots.subjects().map(<[u8]>::to_vec).collect()
    }
}

/// What the end-entity certificate will be used for (RFC 5280, Section 4.2.1.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    ServerAuth,
    ClientAuth,
}

/// A certificate the peer sent, parsed, with its position in the peer's list
/// (0 is the end entity) so errors can point at it.
struct Cert<'a> {
    position: usize,
    x509: X509Certificate<'a>,
}

impl Cert<'_> {
    /// "certificate 1 (CN=Example CA)", as every error names a certificate.
    fn label(&self) -> String {
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
fn verify_path<'a>(
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

/// RFC 8446 and the CA/Browser Forum both retired RSA keys under 2048 bits;
/// ring's verifiers refuse them, and saying so beats "bad signature".
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
                "{} is signed with {name}, which is refused: SHA-1 and MD5 signatures can be forged",
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

/// RFC 6125, Section 6 / RFC 9525, Section 6.3: the name must match a
/// subjectAltName entry of the matching type; the subject CN is never used.
fn check_name(leaf: &Cert<'_>, server_name: &ServerName) -> Result<(), CertificateError> {
    let san = leaf.x509.subject_alternative_name().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad subjectAltName: {e}", leaf.label()))
    })?;
    let entries: Vec<SanEntry<'_>> = san
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some(SanEntry::Dns(dns)),
                    GeneralName::IPAddress(ip) => Some(SanEntry::Ip(ip)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if entries.iter().any(|entry| san_matches(entry, server_name)) {
        return Ok(());
    }
    let valid_for = if entries.is_empty() {
        "no name (it has no DNS or IP subjectAltName; the subject CN is not used)".to_string()
    } else {
        entries
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(CertificateError::NotValidForName(format!(
        "{} is valid for {valid_for}, not for {server_name}",
        leaf.label()
    )))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName,
        DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
    };

    use super::*;
    use crate::codec::SignatureScheme;
    use crate::crypto::Rng;
    use crate::error::{Error, PeerMisbehaved};
    use crate::pki::{check_key_matches_certificate, load_private_key_pem_file};

    /// 2026-06-01T00:00:00Z: every test certificate is valid 2020..2040 unless
    /// the test says otherwise.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_780_272_000)
    }

    fn testdata(name: &str) -> String {
        format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn named(cn: &str, mut params: CertificateParams) -> CertificateParams {
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2040, 1, 1);
        params
    }

    fn ca_params(cn: &str) -> CertificateParams {
        let mut params = named(cn, CertificateParams::default());
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params
    }

    fn leaf_params(cn: &str, names: &[&str]) -> CertificateParams {
        let names = names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        named(cn, CertificateParams::new(names).unwrap())
    }

    fn p256() -> KeyPair {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
    }

    fn rsa2048() -> KeyPair {
        let pem = std::fs::read_to_string(testdata("rsa2048.pem")).unwrap();
        KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap()
    }

    /// Test Root (P-384) -> Test Intermediate (RSA-2048) -> leaf (P-256) for
    /// example.com, *.example.org and 192.0.2.7.
    struct Pki {
        root: CertifiedIssuer<'static, KeyPair>,
        inter: CertifiedIssuer<'static, KeyPair>,
        leaf: Vec<u8>,
    }

    impl Pki {
        fn new() -> Self {
            let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
            let root = CertifiedIssuer::self_signed(ca_params("Test Root"), root_key).unwrap();
            let inter =
                CertifiedIssuer::signed_by(ca_params("Test Intermediate"), rsa2048(), &root)
                    .unwrap();
            let leaf = leaf_params("leaf", &["example.com", "*.example.org", "192.0.2.7"])
                .signed_by(&p256(), &inter)
                .unwrap()
                .der()
                .to_vec();
            Pki { root, inter, leaf }
        }

        fn roots(&self) -> Arc<RootStore> {
            let mut roots = RootStore::new();
            roots.add_der(self.root.der()).unwrap();
            Arc::new(roots)
        }

        fn inter_der(&self) -> Vec<u8> {
            self.inter.der().to_vec()
        }

        /// A leaf issued by the intermediate from `params`.
        fn issue(&self, params: CertificateParams) -> Vec<u8> {
            params
                .signed_by(&p256(), &self.inter)
                .unwrap()
                .der()
                .to_vec()
        }

        fn verify(
            &self,
            leaf: &[u8],
            chain: &[Vec<u8>],
            name: &str,
        ) -> Result<(), CertificateError> {
            DefaultServerVerifier::new(self.roots()).verify_server_cert(
                leaf,
                chain,
                &ServerName::try_from(name).unwrap(),
                now(),
            )
        }
    }

    #[test]
    fn a_good_chain_verifies_for_each_of_its_names() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        for name in ["example.com", "EXAMPLE.com", "a.example.org", "192.0.2.7"] {
            assert_eq!(pki.verify(&pki.leaf, &chain, name), Ok(()), "{name}");
        }
    }

    #[test]
    fn a_wrong_name_is_refused_listing_the_valid_ones() {
        let pki = Pki::new();
        let err = pki
            .verify(&pki.leaf, &[pki.inter_der()], "c.example")
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::NotValidForName(
                "certificate 0 (CN=leaf) is valid for example.com, *.example.org, 192.0.2.7, \
                 not for c.example"
                    .into()
            )
        );
    }

    #[test]
    fn wildcards_cover_one_label_only() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        assert_eq!(pki.verify(&pki.leaf, &chain, "b.example.org"), Ok(()));
        for name in ["example.org", "a.b.example.org", "www.example.com"] {
            let err = pki.verify(&pki.leaf, &chain, name).unwrap_err();
            assert!(
                matches!(err, CertificateError::NotValidForName(_)),
                "{name}: {err:?}"
            );
        }
    }

    #[test]
    fn ip_addresses_match_ip_entries_only() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let err = pki.verify(&pki.leaf, &chain, "192.0.2.8").unwrap_err();
        assert!(matches!(err, CertificateError::NotValidForName(_)));
        // A dNSName that spells an address does not cover that address.
        let mut params = leaf_params("dns-ip", &[]);
        params.subject_alt_names = vec![SanType::DnsName("192.0.2.9".try_into().unwrap())];
        let leaf = pki.issue(params);
        let err = pki.verify(&leaf, &chain, "192.0.2.9").unwrap_err();
        assert!(
            matches!(err, CertificateError::NotValidForName(_)),
            "{err:?}"
        );
        // And a DNS name never matches an iPAddress entry.
        let err = pki.verify(&pki.leaf, &chain, "www.example.org").map(|_| ());
        assert_eq!(err, Ok(()));
    }

    #[test]
    fn the_subject_cn_is_not_a_name() {
        let pki = Pki::new();
        let leaf = pki.issue(leaf_params("cn-only.example", &[]));
        let err = pki
            .verify(&leaf, &[pki.inter_der()], "cn-only.example")
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::NotValidForName(
                "certificate 0 (CN=cn-only.example) is valid for no name (it has no DNS or IP \
                 subjectAltName; the subject CN is not used), not for cn-only.example"
                    .into()
            )
        );
    }

    #[test]
    fn validity_periods_are_enforced() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let mut params = leaf_params("old", &["example.com"]);
        params.not_after = date_time_ymd(2026, 1, 1);
        let err = pki
            .verify(&pki.issue(params), &chain, "example.com")
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::Expired(
                "certificate 0 (CN=old) expired at 2026-01-01T00:00:00Z; \
                 the time now is 2026-06-01T00:00:00Z"
                    .into()
            )
        );
        let mut params = leaf_params("new", &["example.com"]);
        params.not_before = date_time_ymd(2027, 3, 4);
        let err = pki
            .verify(&pki.issue(params), &chain, "example.com")
            .unwrap_err();
        assert!(
            matches!(&err, CertificateError::NotYetValid(m) if m.contains("not valid before 2027-03-04T00:00:00Z")),
            "{err:?}"
        );
        // An expired intermediate breaks the path too.
        let mut params = ca_params("Test Intermediate");
        params.not_after = date_time_ymd(2025, 12, 31);
        let old_inter = CertifiedIssuer::signed_by(params, rsa2048(), &pki.root).unwrap();
        let err = pki
            .verify(&pki.leaf, &[old_inter.der().to_vec()], "example.com")
            .unwrap_err();
        assert!(
            matches!(&err, CertificateError::Expired(m) if m.starts_with("certificate 1 (CN=Test Intermediate) expired")),
            "{err:?}"
        );
    }

    #[test]
    fn an_unknown_root_is_refused() {
        let pki = Pki::new();
        let other = Pki::new();
        let err = DefaultServerVerifier::new(other.roots())
            .verify_server_cert(
                &pki.leaf,
                &[pki.inter_der()],
                &ServerName::try_from("example.com").unwrap(),
                now(),
            )
            .unwrap_err();
        // Same names as the trusted root, different key: the signature tells them apart.
        assert!(
            matches!(&err, CertificateError::BadSignature(m) if m.contains("does not verify with the key of the trusted root CN=Test Root")),
            "{err:?}"
        );

        let mut roots = RootStore::new();
        let stranger = CertifiedIssuer::self_signed(ca_params("Stranger Root"), p256()).unwrap();
        roots.add_der(stranger.der()).unwrap();
        let err = DefaultServerVerifier::new(Arc::new(roots))
            .verify_server_cert(
                &pki.leaf,
                &[pki.inter_der()],
                &ServerName::try_from("example.com").unwrap(),
                now(),
            )
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownIssuer(
                "no path to a trusted root: certificate 1 (CN=Test Intermediate) was issued by \
                 CN=Test Root, which is neither in the root store nor sent by the peer"
                    .into()
            )
        );
    }

    #[test]
    fn a_missing_intermediate_is_named() {
        let pki = Pki::new();
        let err = pki.verify(&pki.leaf, &[], "example.com").unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownIssuer(
                "no path to a trusted root: certificate 0 (CN=leaf) was issued by \
                 CN=Test Intermediate, which is neither in the root store nor sent by the peer"
                    .into()
            )
        );
    }

    #[test]
    fn a_self_signed_peer_root_is_named() {
        let pki = Pki::new();
        let chain = [pki.inter_der(), pki.root.der().to_vec()];
        let err = DefaultServerVerifier::new(Arc::new({
            let mut r = RootStore::new();
            r.add_der(
                CertifiedIssuer::self_signed(ca_params("X"), p256())
                    .unwrap()
                    .der(),
            )
            .unwrap();
            r
        }))
        .verify_server_cert(
            &pki.leaf,
            &chain,
            &ServerName::try_from("example.com").unwrap(),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownIssuer(
                "no path to a trusted root: certificate 2 (CN=Test Root) is self-signed and not \
                 in the root store"
                    .into()
            )
        );
    }

    #[test]
    fn shuffled_intermediates_with_strays_still_verify() {
        let pki = Pki::new();
        let stray = CertifiedIssuer::self_signed(ca_params("Unrelated CA"), p256()).unwrap();
        // Same subject as the real intermediate, different key: a candidate that fails.
        let impostor =
            CertifiedIssuer::signed_by(ca_params("Test Intermediate"), p256(), &stray).unwrap();
        let chain = [
            stray.der().to_vec(),
            pki.root.der().to_vec(),
            impostor.der().to_vec(),
            pki.inter_der(),
        ];
        assert_eq!(pki.verify(&pki.leaf, &chain, "example.com"), Ok(()));
        // Only the impostor: the failing signature is the reason given.
        let err = pki
            .verify(&pki.leaf, &[impostor.der().to_vec()], "example.com")
            .unwrap_err();
        assert!(
            matches!(&err, CertificateError::BadSignature(m) if m.starts_with("the signature on certificate 0 (CN=leaf) does not verify with the key of certificate 1 (CN=Test Intermediate)")),
            "{err:?}"
        );
    }

    #[test]
    fn a_leaf_signed_by_a_non_ca_is_refused() {
        let pki = Pki::new();
        let not_ca = CertifiedIssuer::signed_by(
            named(
                "Not A CA",
                CertificateParams::new(vec!["notca.example".into()]).unwrap(),
            ),
            p256(),
            &pki.inter,
        )
        .unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &not_ca)
            .unwrap();
        let err = pki
            .verify(
                leaf.der(),
                &[not_ca.der().to_vec(), pki.inter_der()],
                "example.com",
            )
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::InvalidPurpose(
                "certificate 1 (CN=Not A CA) is not a CA (no basicConstraints cA=true) but \
                 issued certificate 0 (CN=leaf)"
                    .into()
            )
        );
    }

    #[test]
    fn a_ca_certificate_cannot_be_the_leaf() {
        let pki = Pki::new();
        let mut params = ca_params("CA leaf");
        params.subject_alt_names = vec![SanType::DnsName("example.com".try_into().unwrap())];
        let err = pki
            .verify(&pki.issue(params), &[pki.inter_der()], "example.com")
            .unwrap_err();
        assert!(
            matches!(err, CertificateError::InvalidPurpose(_)),
            "{err:?}"
        );
    }

    #[test]
    fn path_length_and_key_usage_constraints_hold() {
        let pki = Pki::new();
        let mut params = ca_params("Sub CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let sub = CertifiedIssuer::signed_by(params, p256(), &pki.inter).unwrap();
        let sub2 = CertifiedIssuer::signed_by(ca_params("Sub Sub CA"), p256(), &sub).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &sub2)
            .unwrap();
        let chain = [sub2.der().to_vec(), sub.der().to_vec(), pki.inter_der()];
        let err = pki.verify(leaf.der(), &chain, "example.com").unwrap_err();
        assert!(
            matches!(&err, CertificateError::InvalidPurpose(m) if m.contains("pathLenConstraint")),
            "{err:?}"
        );

        let mut params = ca_params("No Cert Sign");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let weak = CertifiedIssuer::signed_by(params, p256(), &pki.inter).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &weak)
            .unwrap();
        let err = pki
            .verify(
                leaf.der(),
                &[weak.der().to_vec(), pki.inter_der()],
                "example.com",
            )
            .unwrap_err();
        assert!(
            matches!(&err, CertificateError::InvalidPurpose(m) if m.contains("keyCertSign")),
            "{err:?}"
        );
    }

    #[test]
    fn extended_key_usage_decides_server_or_client() {
        let pki = Pki::new();
        let mut params = leaf_params("client", &["example.com"]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_leaf = pki.issue(params);
        let chain = [pki.inter_der()];
        let err = pki.verify(&client_leaf, &chain, "example.com").unwrap_err();
        assert!(
            matches!(&err, CertificateError::InvalidPurpose(m) if m.contains("serverAuth")),
            "{err:?}"
        );
        let client = DefaultClientVerifier::new(pki.roots());
        assert_eq!(
            client.verify_client_cert(&client_leaf, &chain, now()),
            Ok(())
        );
        assert_eq!(client.root_hint_subjects().len(), 1);

        let mut params = leaf_params("server", &["example.com"]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_leaf = pki.issue(params);
        assert_eq!(pki.verify(&server_leaf, &chain, "example.com"), Ok(()));
        let err = client
            .verify_client_cert(&server_leaf, &chain, now())
            .unwrap_err();
        assert!(matches!(err, CertificateError::InvalidPurpose(_)));
    }

    #[test]
    fn tampered_and_garbage_certificates_are_refused() {
        let pki = Pki::new();
        let mut leaf = pki.leaf.clone();
        let last = leaf.len() - 1;
        leaf[last] ^= 1;
        let err = pki
            .verify(&leaf, &[pki.inter_der()], "example.com")
            .unwrap_err();
        assert!(matches!(err, CertificateError::BadSignature(_)), "{err:?}");

        let err = pki
            .verify(b"\x30\x03\x02\x01\x00", &[], "example.com")
            .unwrap_err();
        assert!(
            matches!(&err, CertificateError::BadEncoding(m) if m.starts_with("certificate 0 is not valid X.509")),
            "{err:?}"
        );
        let err = pki
            .verify(&pki.leaf, &[pki.inter_der(), vec![0x30]], "example.com")
            .unwrap_err();
        assert!(
            matches!(&err, CertificateError::BadEncoding(m) if m.starts_with("certificate 2 ")),
            "{err:?}"
        );
        // Truncations of a real chain never panic.
        for cut in (0..pki.leaf.len()).step_by(7) {
            let _ = pki.verify(&pki.leaf[..cut], &[pki.inter_der()], "example.com");
        }
    }

    /// A leaf under `extra` more CAs below the intermediate, and the chain
    /// the peer would send (leaf's issuer first).
    fn deep_chain(pki: &Pki, extra: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut chain = vec![pki.inter_der()];
        let mut issuer: Option<CertifiedIssuer<'static, KeyPair>> = None;
        for i in 1..=extra {
            let params = ca_params(&format!("CA {i}"));
            let next = match &issuer {
                None => CertifiedIssuer::signed_by(params, p256(), &pki.inter),
                Some(parent) => CertifiedIssuer::signed_by(params, p256(), parent),
            }
            .unwrap();
            chain.push(next.der().to_vec());
            issuer = Some(next);
        }
        let leaf = leaf_params("deep", &["example.com"]);
        let leaf = match &issuer {
            None => leaf.signed_by(&p256(), &pki.inter),
            Some(parent) => leaf.signed_by(&p256(), parent),
        }
        .unwrap();
        chain.reverse();
        (leaf.der().to_vec(), chain)
    }

    #[test]
    fn paths_longer_than_the_limit_are_refused() {
        let pki = Pki::new();
        // Leaf + Test Intermediate + 8 more = 10 certificates: allowed.
        let (leaf, chain) = deep_chain(&pki, MAX_PATH_LEN - 2);
        assert_eq!(pki.verify(&leaf, &chain, "example.com"), Ok(()));
        // One more is refused.
        let (leaf, chain) = deep_chain(&pki, MAX_PATH_LEN - 1);
        let err = pki.verify(&leaf, &chain, "example.com").unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownIssuer(
                "no path to a trusted root within 10 certificates".into()
            )
        );
    }

    #[test]
    fn name_constraints_are_refused_until_enforced() {
        let pki = Pki::new();
        let mut params = ca_params("Constrained CA");
        params.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example.com".into())],
            excluded_subtrees: vec![],
        });
        let constrained = CertifiedIssuer::signed_by(params, p256(), &pki.inter).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &constrained)
            .unwrap();
        let chain = [constrained.der().to_vec(), pki.inter_der()];
        let err = pki.verify(leaf.der(), &chain, "example.com").unwrap_err();
        assert!(
            matches!(&err, CertificateError::Unsupported(m) if m.contains("name constraints")),
            "{err:?}"
        );
    }

    #[test]
    fn ed25519_chains_verify() {
        let root_key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let root = CertifiedIssuer::self_signed(ca_params("Ed Root"), root_key).unwrap();
        let leaf = leaf_params("ed", &["ed.example"])
            .signed_by(&KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(), &root)
            .unwrap();
        let mut roots = RootStore::new();
        roots.add_der(root.der()).unwrap();
        let verifier = DefaultServerVerifier::new(Arc::new(roots));
        let name = ServerName::try_from("ed.example").unwrap();
        assert_eq!(
            verifier.verify_server_cert(leaf.der(), &[], &name, now()),
            Ok(())
        );
    }

    #[test]
    fn rsassa_pss_signed_certificates_verify() {
        // Made by OpenSSL (testdata/make-keys.sh): rcgen cannot sign with PSS.
        let roots = RootStore::from_pem_file(testdata("pss-root.pem")).unwrap();
        let leaf = crate::pki::load_certs_pem_file(testdata("pss-leaf.pem")).unwrap();
        let verifier = DefaultServerVerifier::new(Arc::new(roots));
        let name = ServerName::try_from("pss.test").unwrap();
        assert_eq!(
            verifier.verify_server_cert(&leaf[0], &[], &name, SystemTime::now()),
            Ok(())
        );
    }

    #[test]
    fn certificate_verify_signatures_follow_tls13_rules() {
        let pki = Pki::new();
        let verifier = DefaultServerVerifier::new(pki.roots());
        let mut rng = Rng::default();

        let ec_key = load_private_key_pem_file(testdata("p256.pem")).unwrap();
        let ec_rcgen =
            KeyPair::from_pem(&std::fs::read_to_string(testdata("p256.pem")).unwrap()).unwrap();
        let ec_leaf = leaf_params("ec", &["example.com"])
            .signed_by(&ec_rcgen, &pki.inter)
            .unwrap()
            .der()
            .to_vec();
        check_key_matches_certificate(&ec_key, &ec_leaf).unwrap();
        let scheme = SignatureScheme::ECDSA_SECP256R1_SHA256;
        let sig = ec_key.sign(scheme, b"transcript", &mut rng).unwrap();
        assert_eq!(
            verifier.verify_tls13_signature(b"transcript", &ec_leaf, scheme, &sig),
            Ok(())
        );
        assert_eq!(
            verifier.verify_tls13_signature(b"transcripT", &ec_leaf, scheme, &sig),
            Err(Error::PeerMisbehaved(PeerMisbehaved::BadSignature))
        );
        let err = verifier
            .verify_tls13_signature(
                b"transcript",
                &ec_leaf,
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                &sig,
            )
            .unwrap_err();
        assert!(matches!(
            err,
            Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(_))
        ));

        let rsa_key = load_private_key_pem_file(testdata("rsa2048.pem")).unwrap();
        let rsa_leaf = leaf_params("rsa", &["example.com"])
            .signed_by(&rsa2048(), &pki.inter)
            .unwrap()
            .der()
            .to_vec();
        check_key_matches_certificate(&rsa_key, &rsa_leaf).unwrap();
        assert!(check_key_matches_certificate(&rsa_key, &ec_leaf).is_err());
        for &scheme in rsa_key.schemes() {
            let sig = rsa_key.sign(scheme, b"transcript", &mut rng).unwrap();
            assert_eq!(
                verifier.verify_tls13_signature(b"transcript", &rsa_leaf, scheme, &sig),
                Ok(())
            );
        }
        // RFC 8446, Section 4.4.3: PKCS#1 v1.5 is for TLS 1.2 only.
        let pkcs1 = SignatureScheme::RSA_PKCS1_SHA256;
        let sig = rsa_key.sign(pkcs1, b"params", &mut rng).unwrap();
        let err = verifier
            .verify_tls13_signature(b"params", &rsa_leaf, pkcs1, &sig)
            .unwrap_err();
        assert_eq!(
            err.alert(),
            Some(crate::codec::AlertDescription::ILLEGAL_PARAMETER)
        );
        assert_eq!(
            verifier.verify_tls12_signature(b"params", &rsa_leaf, pkcs1, &sig),
            Ok(())
        );
        let err = verifier
            .verify_tls12_signature(b"params", &ec_leaf, pkcs1, &sig)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(_))
        ));
        assert!(verifier
            .verify_tls12_signature(b"params", &rsa_leaf, SignatureScheme::RSA_PKCS1_SHA1, &sig)
            .is_err());
    }

    #[test]
    fn root_stores_fold_duplicates_and_load_system_bundles() {
        let pki = Pki::new();
        let pem = format!("{}{}", pki.root.pem(), pki.root.pem());
        let store = RootStore::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(store.len(), 1);
        assert!(!store.is_empty());
        assert_eq!(store.anchors()[0].der(), pki.root.der().as_ref());
        assert!(RootStore::new().add_der(b"junk").is_err());

        let bundle = "/etc/ssl/certs/ca-certificates.crt";
        if std::path::Path::new(bundle).exists() {
            let store = RootStore::from_pem_file(bundle).unwrap();
            assert!(store.len() > 50, "{store:?}");
        }
    }

    #[test]
    fn the_verifier_is_a_trait_object() {
        let pki = Pki::new();
        let verifier: Arc<dyn ServerCertVerifier> =
            Arc::new(DefaultServerVerifier::new(pki.roots()));
        let name = ServerName::try_from("example.com").unwrap();
        assert_eq!(
            verifier.verify_server_cert(&pki.leaf, &[pki.inter_der()], &name, now()),
            Ok(())
        );
        let _: Box<dyn ClientCertVerifier> = Box::new(DefaultClientVerifier::new(pki.roots()));
    }
}
