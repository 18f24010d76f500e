//! The RFC 5280 checks on one certificate of a path, and the signature
//! algorithm rules shared by certificates and CRLs. The CA/Browser Forum
//! rules for server certificates are in `profile.rs`, those for trust anchors
//! in `anchor.rs`.
//!
//! Every error names the certificate's position in the peer's list (0 is the
//! end entity), its subject, and the rule that failed.

use core::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::oid_registry::{
    OID_PKIX_AUTHORITY_INFO_ACCESS, OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
    OID_X509_EXT_BASIC_CONSTRAINTS, OID_X509_EXT_CRL_DISTRIBUTION_POINTS,
    OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE, OID_X509_EXT_NAME_CONSTRAINTS,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::time::ASN1Time;
use x509_parser::x509::{AlgorithmIdentifier, X509Name, X509Version};

use super::name::{check_dns_syntax, check_email_syntax, DnsRole};
use super::path::{LeafKeyUsage, Purpose};
use super::profile;
use crate::crypto::sign::{self, oid, CertSignatureAlgorithm, KeyAlgorithm, PublicKey};
use crate::error::CertificateError;

/// A certificate the peer sent, parsed, with its position in the peer's list
/// (0 is the end entity) so errors can point at it.
pub(crate) struct Cert<'a> {
    pub(crate) position: usize,
    pub(crate) x509: X509Certificate<'a>,
}

impl<'a> Cert<'a> {
    /// "certificate 1 (CN=Example CA)", as every error names a certificate;
    /// formatted only when an error is.
    pub(crate) fn label(&self) -> Label<'_, 'a> {
        Label(self)
    }

    /// True when the subject and issuer names are the same (RFC 5280, Section
    /// 6.1: "self-issued").
    pub(crate) fn is_self_issued(&self) -> bool {
        self.x509.subject().as_raw() == self.x509.issuer().as_raw()
    }
}

/// How errors name a certificate (see [`Cert::label`]).
pub(crate) struct Label<'c, 'a>(&'c Cert<'a>);

impl fmt::Display for Label<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = self.0.x509.subject();
        write!(f, "certificate {} (", self.0.position)?;
        match subject.iter().next() {
            None => f.write_str("empty subject)"),
            Some(_) => write!(f, "{subject})"),
        }
    }
}

/// A Name as text, or "empty subject".
pub(crate) fn name_text(name: &X509Name<'_>) -> String {
    let text = name.to_string();
    if text.is_empty() {
        "empty subject".into()
    } else {
        text
    }
}

/// Parses the certificate at `position` of the peer's list.
pub(crate) fn parse(position: usize, der: &[u8]) -> Result<Cert<'_>, CertificateError> {
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

/// The CA/Browser Forum Baseline Requirements (Section 6.1.5) require RSA
/// keys of at least 2048 bits and ring's verifiers refuse smaller ones; saying
/// so beats "bad signature". `min_bits` is 2048, or 1024 (the smallest ring
/// verifies) for a legacy CA; `hint` ends the error with what could help.
pub(crate) fn check_key_size(
    key: &PublicKey<'_>,
    owner: &dyn fmt::Display,
    min_bits: usize,
    hint: &str,
) -> Result<(), CertificateError> {
    if key.algorithm == KeyAlgorithm::Rsa && key.bits < min_bits {
        return Err(CertificateError::Unsupported(format!(
            "{owner} has a {}-bit RSA key; at least {min_bits} bits are required{hint}",
            key.bits
        )));
    }
    Ok(())
}

/// Maps the signature algorithm of a signed object (a certificate or a CRL)
/// to one we verify. `outer` is the algorithm next to the signature, `inner`
/// the one inside the signed part; `what` names the object in errors;
/// `legacy` also accepts sha1WithRSAEncryption.
pub(crate) fn signature_algorithm(
    outer: &AlgorithmIdentifier<'_>,
    inner: &AlgorithmIdentifier<'_>,
    what: &dyn fmt::Display,
    legacy: bool,
) -> Result<CertSignatureAlgorithm, CertificateError> {
    use CertSignatureAlgorithm as C;
    // RFC 5280, Section 4.1.1.2: signatureAlgorithm MUST be the same as the
    // signature field in the TBSCertificate, which the signature covers (and
    // Section 5.1.1.2 says the same of CRLs). Otherwise an attacker who can
    // rewrite the unsigned outer field could make us verify with an algorithm
    // the signer never chose.
    if outer != inner {
        return Err(CertificateError::BadEncoding(format!(
            "{what}: signatureAlgorithm differs from the signature field inside the signed part"
        )));
    }
    let params = outer.parameters.as_ref();
    // RFC 4055, Section 5: NULL parameters for RSA (some encoders omit them);
    // RFC 5758, Section 3.2 and RFC 8410, Section 3: absent for ECDSA and Ed25519.
    let null_or_absent = params.is_none_or(|p| p.tag().0 == 5 && p.data.is_empty());
    let bad_params = || {
        CertificateError::BadEncoding(format!("{what}: malformed signature algorithm parameters"))
    };
    let chosen = match outer.algorithm.as_bytes() {
        oid::SHA256_WITH_RSA if null_or_absent => C::RsaPkcs1Sha256,
        oid::SHA384_WITH_RSA if null_or_absent => C::RsaPkcs1Sha384,
        oid::SHA512_WITH_RSA if null_or_absent => C::RsaPkcs1Sha512,
        oid::ECDSA_WITH_SHA256 if params.is_none() => C::EcdsaSha256,
        oid::ECDSA_WITH_SHA384 if params.is_none() => C::EcdsaSha384,
        oid::ED25519 if params.is_none() => C::Ed25519,
        oid::SHA1_WITH_RSA if legacy && null_or_absent => C::RsaPkcs1Sha1,
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
                    "{what} is signed with RSASSA-PSS parameters other than the usual ones \
                     (SHA-256/384/512, MGF1 with the same hash, salt as long as the hash)"
                ))
            })?
        }
        weak @ (oid::SHA1_WITH_RSA | oid::ECDSA_WITH_SHA1 | oid::MD5_WITH_RSA) => {
            let name = match weak {
                oid::SHA1_WITH_RSA => "sha1WithRSAEncryption",
                oid::ECDSA_WITH_SHA1 => "ecdsa-with-SHA1",
                _ => "md5WithRSAEncryption",
            };
            let hint = match weak {
                oid::SHA1_WITH_RSA => " (VerifyOptions::legacy_algorithms accepts it)",
                _ => "",
            };
            return Err(CertificateError::Unsupported(format!(
                "{what} is signed with {name}, which is refused: \
                 SHA-1 and MD5 signatures can be forged{hint}"
            )));
        }
        other => {
            return Err(CertificateError::Unsupported(format!(
                "{what} is signed with an unsupported algorithm ({})",
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

/// Seconds since 1970 (negative before), saturating.
pub(crate) fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| 0i64.saturating_sub(s))
        }
    }
}

/// "2026-01-01T00:00:00Z".
pub(crate) fn time_text(time: &ASN1Time) -> String {
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

/// A verification time as text.
pub(crate) fn now_text(now: i64) -> String {
    ASN1Time::from_timestamp(now).map_or_else(|_| format!("{now} s after 1970"), |t| time_text(&t))
}

/// The settings of one verification that the per-certificate checks need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// The verification time, seconds since 1970.
    pub(crate) now: i64,
    pub(crate) purpose: Purpose,
    /// The CA/Browser Forum profile applies (`profile.rs`): a server
    /// certificate, and [`VerifyOptions::baseline_requirements`].
    ///
    /// [`VerifyOptions::baseline_requirements`]: super::VerifyOptions::baseline_requirements
    pub(crate) baseline: bool,
    /// [`VerifyOptions::require_key_identifiers`](super::VerifyOptions::require_key_identifiers).
    pub(crate) require_key_identifiers: bool,
}

/// What part a certificate plays: which extension rules apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The peer's own certificate, last in the path.
    EndEntity,
    /// A certificate between the end entity and the trust anchor.
    Intermediate,
    /// A trusted root, used through its certificate (see `anchor.rs`).
    Anchor,
}

/// Checks every certificate of the path gets (the trust anchor has its own,
/// in `anchor.rs`): version, validity, extensions, subjectAltName, purpose,
/// key identifiers when required, and the CA/Browser Forum profile.
pub(crate) fn check_certificate(cert: &Cert<'_>, rules: &Rules) -> Result<(), CertificateError> {
    let label = cert.label();
    // RFC 5280, Section 4.1.2.1: extensions need v3, and without them a CA
    // cannot say it is one. Old v1 roots remain usable as trust anchors, which
    // are trusted by configuration rather than by their contents.
    if cert.x509.version() != X509Version::V3 {
        return Err(CertificateError::Unsupported(format!(
            "{label} is an X.509 v{} certificate; only trust anchors may be v1 or v2",
            cert.x509.version().0.saturating_add(1)
        )));
    }
    check_validity(&label, &cert.x509, rules.now)?;
    let role = match cert.position {
        0 => Role::EndEntity,
        _ => Role::Intermediate,
    };
    check_extensions(&label, &cert.x509, role, rules)?;
    check_subject_alt_name(&label, &cert.x509)?;
    check_extended_key_usage(cert, rules.purpose)?;
    if rules.require_key_identifiers {
        check_key_identifiers(&label, &cert.x509, role)?;
    }
    if rules.baseline {
        profile::check_certificate(&label, &cert.x509, role)?;
    }
    Ok(())
}

/// RFC 5280, Section 4.1.2.5: valid from notBefore through notAfter, both
/// included. `label` names the certificate (or trusted root) in errors.
pub(crate) fn check_validity(
    label: &dyn fmt::Display,
    x509: &X509Certificate<'_>,
    now: i64,
) -> Result<(), CertificateError> {
    let validity = x509.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotYetValid(format!(
            "{label} is not valid before {} (verification time {})",
            time_text(&validity.not_before),
            now_text(now)
        )));
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired(format!(
            "{label} expired at {} (verification time {})",
            time_text(&validity.not_after),
            now_text(now)
        )));
    }
    Ok(())
}

/// True when basicConstraints says cA=true (a CA certificate).
pub(crate) fn is_ca(x509: &X509Certificate<'_>) -> bool {
    matches!(x509.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

/// The extensions keyway processes: a critical one is honoured, any other
/// critical extension makes the certificate unusable.
const PROCESSED: [&x509_parser::oid_registry::Oid<'static>; 9] = [
    &OID_X509_EXT_BASIC_CONSTRAINTS,
    &OID_X509_EXT_KEY_USAGE,
    &OID_X509_EXT_EXTENDED_KEY_USAGE,
    &OID_X509_EXT_SUBJECT_ALT_NAME,
    &OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
    &OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
    &OID_X509_EXT_NAME_CONSTRAINTS,
    &OID_X509_EXT_CRL_DISTRIBUTION_POINTS,
    &OID_PKIX_AUTHORITY_INFO_ACCESS,
];

/// Whether two extensions have the same OID: pairwise for the handful a
/// certificate usually has, without allocating; by sorting beyond that, as a
/// hostile certificate can carry thousands.
fn has_duplicate_extension(extensions: &[X509Extension<'_>]) -> bool {
    const PAIRWISE: usize = 16;
    if extensions.len() <= PAIRWISE {
        return extensions
            .iter()
            .enumerate()
            .any(|(i, a)| extensions.iter().take(i).any(|b| a.oid == b.oid));
    }
    let mut ids: Vec<&[u8]> = extensions.iter().map(|e| e.oid.as_bytes()).collect();
    ids.sort_unstable();
    ids.windows(2).any(|pair| matches!(pair, [a, b] if a == b))
}

/// RFC 5280, Section 4.2: each extension appears at most once, a critical
/// extension we do not process makes the certificate unusable, and the
/// criticality the profile prescribes for each extension we know.
pub(crate) fn check_extensions(
    label: &dyn fmt::Display,
    x509: &X509Certificate<'_>,
    role: Role,
    rules: &Rules,
) -> Result<(), CertificateError> {
    // Two copies of one extension could be read differently by different
    // verifiers (the first by one, the last by another); refusing them keeps
    // every reader on the same meaning.
    if has_duplicate_extension(x509.extensions()) {
        return Err(CertificateError::BadEncoding(format!(
            "{label} has the same extension twice"
        )));
    }
    let is_ca = is_ca(x509);
    for ext in x509.extensions() {
        let oid = &ext.oid;
        let parsed = ext.parsed_extension();
        if ext.oid == OID_PKIX_AUTHORITY_INFO_ACCESS && role != Role::Anchor {
            // RFC 5280, Section 4.2.2.1: "Conforming CAs MUST mark this
            // extension as non-critical."
            if ext.critical {
                return Err(CertificateError::BadEncoding(format!(
                    "{label} marks its authorityInfoAccess extension critical, which RFC 5280, \
                     Section 4.2.2.1 forbids"
                )));
            }
            if rules.baseline {
                profile::check_authority_info_access(label, parsed)?;
            }
            continue;
        }
        if let ParsedExtension::ParseError { error } = parsed {
            if PROCESSED.contains(&&ext.oid) || ext.critical {
                return Err(CertificateError::BadEncoding(format!(
                    "{label}: extension {oid} does not parse: {error}"
                )));
            }
        }
        match parsed {
            // RFC 5280, Sections 4.2.1.1 and 4.2.1.2: "Conforming CAs MUST
            // mark this extension as non-critical."
            ParsedExtension::AuthorityKeyIdentifier(_) if ext.critical && role != Role::Anchor => {
                return Err(CertificateError::BadEncoding(format!(
                    "{label} marks its authorityKeyIdentifier critical, which RFC 5280, \
                     Section 4.2.1.1 forbids"
                )));
            }
            ParsedExtension::SubjectKeyIdentifier(_) if ext.critical && role != Role::Anchor => {
                return Err(CertificateError::BadEncoding(format!(
                    "{label} marks its subjectKeyIdentifier critical, which RFC 5280, \
                     Section 4.2.1.2 forbids"
                )));
            }
            // RFC 5280, Section 4.2.1.10: "The name constraints extension,
            // which MUST be used only in a CA certificate ... Conforming CAs
            // MUST mark this extension as critical". A verifier that ignored a
            // non-critical one would accept what the CA meant to forbid, one
            // that honoured it what the CA did not mark; both are refused.
            ParsedExtension::NameConstraints(_) if !is_ca => {
                return Err(CertificateError::BadEncoding(format!(
                    "{label} is not a CA certificate but has a nameConstraints extension, \
                     which RFC 5280, Section 4.2.1.10 allows only in CA certificates"
                )));
            }
            ParsedExtension::NameConstraints(_) if !ext.critical => {
                return Err(CertificateError::BadEncoding(format!(
                    "{label} has a non-critical nameConstraints extension, which RFC 5280, \
                     Section 4.2.1.10 requires to be critical"
                )));
            }
            ParsedExtension::PolicyConstraints(_) if !ext.critical && rules.baseline => {
                profile::refuse_non_critical_policy_constraints(label)?;
            }
            ParsedExtension::PolicyConstraints(_) if ext.critical => {
                return Err(CertificateError::Unsupported(format!(
                    "{label} has a critical policyConstraints extension ({oid}); keyway does not \
                     process certificate policies"
                )));
            }
            _ if ext.critical && !PROCESSED.contains(&&ext.oid) => {
                return Err(CertificateError::Unsupported(format!(
                    "{label} has a critical extension keyway does not process ({oid})"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// RFC 5280, Section 4.2.1.6: the subjectAltName is critical exactly when
/// the subject is empty (then it is the only name, and a verifier that
/// ignored it would see a certificate for nobody; otherwise marking it
/// critical would make verifiers that do not process it refuse a
/// certificate they could use), and its names are well formed: dNSNames in
/// the preferred name syntax (a wildcard left-most label allowed), rfc822Names
/// mailboxes, iPAddresses of 4 or 16 octets.
pub(crate) fn check_subject_alt_name(
    label: &dyn fmt::Display,
    x509: &X509Certificate<'_>,
) -> Result<(), CertificateError> {
    let ext = x509
        .get_extension_unique(&OID_X509_EXT_SUBJECT_ALT_NAME)
        .map_err(|e| CertificateError::BadEncoding(format!("{label}: {e}")))?;
    let empty_subject = x509.subject().iter().next().is_none();
    match ext {
        None if empty_subject => {
            return Err(CertificateError::BadEncoding(format!(
                "{label} has an empty subject and no subjectAltName, so it names nothing \
                 (RFC 5280, Section 4.2.1.6)"
            )))
        }
        None => return Ok(()),
        Some(ext) if empty_subject && !ext.critical => {
            return Err(CertificateError::BadEncoding(format!(
                "{label} has an empty subject and a non-critical subjectAltName; RFC 5280, \
                 Section 4.2.1.6 requires it to be critical then"
            )))
        }
        Some(ext) if !empty_subject && ext.critical => {
            return Err(CertificateError::BadEncoding(format!(
                "{label} marks its subjectAltName critical although its subject is not empty \
                 (RFC 5280, Section 4.2.1.6; CA/Browser Forum Baseline Requirements, \
                 Section 7.1.2.7.12)"
            )))
        }
        Some(_) => {}
    }
    let Ok(Some(san)) = x509.subject_alternative_name() else {
        return Err(CertificateError::BadEncoding(format!(
            "{label}: bad subjectAltName"
        )));
    };
    for name in &san.value.general_names {
        let (form, value, why) = match name {
            GeneralName::DNSName(d) => match check_dns_syntax(d, DnsRole::Presented) {
                Ok(()) => continue,
                Err(why) => ("dNSName", *d, why),
            },
            GeneralName::RFC822Name(e) => match check_email_syntax(e) {
                Ok(()) => continue,
                Err(why) => ("rfc822Name", *e, why),
            },
            GeneralName::IPAddress(ip) if ip.len() != 4 && ip.len() != 16 => {
                return Err(CertificateError::BadEncoding(format!(
                    "{label} has an iPAddress of {} octets in its subjectAltName (4 or 16 \
                     expected, RFC 5280, Section 4.2.1.6)",
                    ip.len()
                )))
            }
            _ => continue,
        };
        return Err(CertificateError::BadEncoding(format!(
            "{label} has an invalid {form} {value:?} in its subjectAltName: {why}"
        )));
    }
    Ok(())
}

/// RFC 5280, Sections 4.2.1.1 and 4.2.1.2, when the caller requires them:
/// an authorityKeyIdentifier with a keyIdentifier in every certificate of
/// the path, and a subjectKeyIdentifier in every CA certificate.
fn check_key_identifiers(
    label: &dyn fmt::Display,
    x509: &X509Certificate<'_>,
    role: Role,
) -> Result<(), CertificateError> {
    let mut aki = false;
    let mut ski = false;
    for ext in x509.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => aki = a.key_identifier.is_some(),
            ParsedExtension::SubjectKeyIdentifier(_) => ski = true,
            _ => {}
        }
    }
    let missing = if !aki {
        "an authorityKeyIdentifier with a keyIdentifier (RFC 5280, Section 4.2.1.1)"
    } else if role == Role::Intermediate && !ski {
        "a subjectKeyIdentifier, which every CA certificate needs (RFC 5280, Section 4.2.1.2)"
    } else {
        return Ok(());
    };
    Err(CertificateError::BadEncoding(format!(
        "{label} lacks {missing}, which VerifyOptions::require_key_identifiers requires"
    )))
}

/// RFC 5280, Section 4.2.1.12: when extendedKeyUsage is present the
/// certificate may be used only for the purposes listed. Like browsers, we
/// apply this to issuers too, so a CA restricted to e-mail cannot vouch for a
/// web server.
///
/// anyExtendedKeyUsage is handled as Firefox (mozilla::pkix) and
/// rustls-webpki do: on a CA it places no restriction, but an end entity must
/// name serverAuth (or clientAuth) itself, so a certificate made for "any
/// purpose" is not silently a TLS server certificate.
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
    let is_end_entity = cert.position == 0;
    if allowed || (eku.value.any && !is_end_entity) {
        Ok(())
    } else if eku.value.any {
        Err(CertificateError::InvalidPurpose(format!(
            "{} may not be used for {name}: its extendedKeyUsage lists only \
             anyExtendedKeyUsage, which an end-entity certificate must not rely on",
            cert.label()
        )))
    } else {
        Err(CertificateError::InvalidPurpose(format!(
            "{} may not be used for {name}: its extendedKeyUsage does not list it",
            cert.label()
        )))
    }
}

/// The end entity must not be a CA (unless it is a trusted anchor the caller
/// accepts as a leaf), its keyUsage must allow the TLS use, its key must be
/// one we can use to check its handshake signature, and for a server the
/// CA/Browser Forum profile's end-entity rules hold.
pub(crate) fn check_end_entity(
    leaf: &Cert<'_>,
    key_usage: LeafKeyUsage,
    rules: &Rules,
) -> Result<(), CertificateError> {
    if is_ca(&leaf.x509) {
        return Err(CertificateError::InvalidPurpose(format!(
            "{} is a CA certificate (basicConstraints cA=true) and cannot identify a peer",
            leaf.label()
        )));
    }
    check_leaf_key_usage(leaf, key_usage)?;
    let key = PublicKey::from_spki(leaf.x509.public_key().raw).map_err(|why| {
        CertificateError::Unsupported(format!(
            "{} has a key keyway cannot use: {why}",
            leaf.label()
        ))
    })?;
    // Even with legacy algorithms: every TLS signature check (and RSA key
    // exchange) needs 2048 bits, so a smaller leaf could pass here only to
    // fail the handshake with a less helpful error.
    check_key_size(
        &key,
        &leaf.label(),
        2048,
        " (also with legacy_algorithms: TLS cannot use a smaller key)",
    )?;
    if rules.baseline {
        profile::check_end_entity(leaf)?;
    }
    Ok(())
}

/// The handshake's check, once it knows what the peer's key does (the path
/// check allowed either TLS use): the end entity's keyUsage, when present,
/// must allow `wanted` (see [`check_leaf_key_usage`]).
///
/// The verifier has parsed the certificate already; this reads only the
/// keyUsage bits ([`LeafKey`]), and parses in full only to explain a refusal.
pub(crate) fn check_key_use(
    end_entity: &[u8],
    wanted: LeafKeyUsage,
) -> Result<(), CertificateError> {
    if LeafKey::read(end_entity).is_some_and(|leaf| leaf.allows(wanted)) {
        return Ok(());
    }
    check_leaf_key_usage(&parse(0, end_entity)?, wanted)
}

/// What a handshake needs from the end-entity certificate after the
/// verifier has checked it, read with a DER walk rather than a full parse
/// (which allocates): its SubjectPublicKeyInfo and its keyUsage bits.
pub(crate) struct LeafKey<'a> {
    /// The whole DER SubjectPublicKeyInfo.
    pub(crate) spki: &'a [u8],
    /// The contents of the keyUsage BIT STRING (unused-bits octet first),
    /// if the extension is present.
    key_usage: Option<&'a [u8]>,
}

impl<'a> LeafKey<'a> {
    /// Reads the fields of RFC 5280, Section 4.1 up to the key, and the
    /// extensions; `None` for anything unexpected (two keyUsage extensions
    /// included), which the caller then leaves to the full parse.
    pub(crate) fn read(der: &'a [u8]) -> Option<Self> {
        use crate::crypto::sign::{tag, Der};
        let mut certificate = Der::new(Der::new(der).read(tag::SEQUENCE).ok()?);
        let mut tbs = Der::new(certificate.read(tag::SEQUENCE).ok()?);
        tbs.read_optional(tag::CONTEXT_0).ok()?; // version
        tbs.read(tag::INTEGER).ok()?; // serialNumber
        for _signature_issuer_validity_subject in 0..4 {
            tbs.read(tag::SEQUENCE).ok()?;
        }
        let (spki, _) = tbs.read_element(tag::SEQUENCE).ok()?;
        tbs.read_optional(tag::IMPLICIT_1).ok()?; // issuerUniqueID
        tbs.read_optional(tag::IMPLICIT_2).ok()?; // subjectUniqueID
        let mut key_usage = None;
        if let Some(extensions) = tbs.read_optional(tag::CONTEXT_3).ok()? {
            let mut list = Der::new(Der::new(extensions).read(tag::SEQUENCE).ok()?);
            while !list.is_empty() {
                let mut extension = Der::new(list.read(tag::SEQUENCE).ok()?);
                let id = extension.read(tag::OID).ok()?;
                extension.read_optional(tag::BOOLEAN).ok()?; // critical
                let value = extension.read(tag::OCTET_STRING).ok()?;
                if id == OID_X509_EXT_KEY_USAGE.as_bytes() {
                    if key_usage.is_some() {
                        return None;
                    }
                    key_usage = Some(Der::new(value).read(tag::BIT_STRING).ok()?);
                }
            }
        }
        Some(Self { spki, key_usage })
    }

    /// True when keyUsage is absent or allows `wanted`. RFC 5280, Section
    /// 4.2.1.3: digitalSignature is bit 0, keyEncipherment bit 2, counted
    /// from the most significant bit of the first octet after the
    /// unused-bits octet.
    pub(crate) fn allows(&self, wanted: LeafKeyUsage) -> bool {
        let Some(bits) = self.key_usage else {
            return true;
        };
        let first = bits.get(1).copied().unwrap_or(0);
        let (digital_signature, key_encipherment) = (first & 0x80 != 0, first & 0x20 != 0);
        match wanted {
            LeafKeyUsage::Ignore => true,
            LeafKeyUsage::DigitalSignature => digital_signature,
            LeafKeyUsage::KeyEncipherment => key_encipherment,
            LeafKeyUsage::DigitalSignatureOrKeyEncipherment => {
                digital_signature || key_encipherment
            }
        }
    }
}

/// RFC 5280, Section 4.2.1.3 with RFC 5246, Section 7.4.2 and RFC 8446,
/// Section 4.4.2.4: when keyUsage is present it must allow what the handshake
/// does with the key: digitalSignature to sign (ECDHE, TLS 1.3),
/// keyEncipherment to receive the premaster secret (RSA key exchange).
fn check_leaf_key_usage(leaf: &Cert<'_>, wanted: LeafKeyUsage) -> Result<(), CertificateError> {
    let ku = leaf.x509.key_usage().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad keyUsage: {e}", leaf.label()))
    })?;
    let Some(ku) = ku else {
        return Ok(());
    };
    let (ok, what) = match wanted {
        LeafKeyUsage::Ignore => (true, ""),
        LeafKeyUsage::DigitalSignature => (ku.value.digital_signature(), "digitalSignature"),
        LeafKeyUsage::KeyEncipherment => (ku.value.key_encipherment(), "keyEncipherment"),
        LeafKeyUsage::DigitalSignatureOrKeyEncipherment => (
            ku.value.digital_signature() || ku.value.key_encipherment(),
            "digitalSignature or keyEncipherment",
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(CertificateError::InvalidPurpose(format!(
            "{} cannot be used for TLS: its keyUsage lacks {what}",
            leaf.label()
        )))
    }
}

/// Checks `issuer` may issue `child`; `counted_below` is how many
/// intermediates sit between `issuer` and the end entity, self-issued ones
/// not counted.
pub(crate) fn check_issuer(
    issuer: &Cert<'_>,
    child: &Cert<'_>,
    counted_below: usize,
) -> Result<(), CertificateError> {
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
    // RFC 5280, Section 6.1.4(l)-(m): pathLenConstraint bounds the
    // intermediates below, and a self-issued one (a CA's key rollover, Section
    // 4.2.1.9) does not count: only "non-self-issued intermediate
    // certificates" decrement max_path_length.
    if let Some(max) = bc.value.path_len_constraint {
        if counted_below > usize::try_from(max).unwrap_or(usize::MAX) {
            return Err(CertificateError::InvalidPurpose(format!(
                "{} allows {max} intermediate certificates below it (pathLenConstraint) \
                 but the path has {counted_below} (self-issued ones not counted)",
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

#[cfg(test)]
mod tests {
    use x509_parser::prelude::FromDer;

    use super::*;
    use crate::crypto::sign::write_element as tlv;

    /// A DER AlgorithmIdentifier: `oid` (content bytes) and `params` (whole
    /// DER elements, or nothing).
    fn algorithm(oid: &[u8], params: &[u8]) -> Vec<u8> {
        tlv(0x30, &[tlv(0x06, oid), params.to_vec()].concat())
    }

    fn check(oid: &[u8], params: &[u8], legacy: bool) -> Result<CertSignatureAlgorithm, String> {
        let der = algorithm(oid, params);
        let (_, id) = AlgorithmIdentifier::from_der(&der).expect("a well-formed identifier");
        signature_algorithm(&id, &id, &"the certificate", legacy).map_err(|e| e.to_string())
    }

    const NULL: &[u8] = &[0x05, 0x00];
    /// A NULL with contents: not the NULL RFC 4055 allows.
    const NULL_WITH_CONTENTS: &[u8] = &[0x05, 0x01, 0x00];
    const INTEGER: &[u8] = &[0x02, 0x01, 0x00];

    /// RFC 4055, Section 5: RSA PKCS#1 takes NULL parameters or none;
    /// RFC 5758, Section 3.2 and RFC 8410, Section 3: ECDSA and Ed25519 take
    /// none. Anything else is a malformed identifier, never a guess.
    #[test]
    fn each_signature_algorithm_takes_only_its_own_parameters() {
        use CertSignatureAlgorithm as C;
        let malformed =
            Err("the certificate: malformed signature algorithm parameters".to_string());
        for (oid, rsa) in [
            (oid::SHA256_WITH_RSA, C::RsaPkcs1Sha256),
            (oid::SHA384_WITH_RSA, C::RsaPkcs1Sha384),
            (oid::SHA512_WITH_RSA, C::RsaPkcs1Sha512),
        ] {
            assert_eq!(check(oid, NULL, false), Ok(rsa));
            assert_eq!(check(oid, &[], false), Ok(rsa));
            assert_eq!(check(oid, NULL_WITH_CONTENTS, false), malformed);
            assert_eq!(check(oid, INTEGER, false), malformed);
        }
        for (oid, other) in [
            (oid::ECDSA_WITH_SHA256, C::EcdsaSha256),
            (oid::ECDSA_WITH_SHA384, C::EcdsaSha384),
            (oid::ED25519, C::Ed25519),
        ] {
            assert_eq!(check(oid, &[], false), Ok(other));
            assert_eq!(check(oid, NULL, false), malformed);
        }
        assert_eq!(check(oid::SHA1_WITH_RSA, NULL, true), Ok(C::RsaPkcs1Sha1));
        assert_eq!(check(oid::SHA1_WITH_RSA, &[], true), Ok(C::RsaPkcs1Sha1));
    }

    /// The weak algorithms are refused by name; only SHA-1 with RSA can be
    /// let in (VerifyOptions::legacy_algorithms), and its error says so.
    #[test]
    fn weak_signature_algorithms_are_refused_by_name() {
        let refused = |name: &str, hint: &str| {
            Err(format!(
                "the certificate is signed with {name}, which is refused: \
                 SHA-1 and MD5 signatures can be forged{hint}"
            ))
        };
        assert_eq!(
            check(oid::SHA1_WITH_RSA, NULL, false),
            refused(
                "sha1WithRSAEncryption",
                " (VerifyOptions::legacy_algorithms accepts it)"
            )
        );
        assert_eq!(
            check(oid::ECDSA_WITH_SHA1, &[], false),
            refused("ecdsa-with-SHA1", "")
        );
        assert_eq!(
            check(oid::ECDSA_WITH_SHA1, &[], true),
            refused("ecdsa-with-SHA1", "")
        );
        assert_eq!(
            check(oid::MD5_WITH_RSA, NULL, true),
            refused("md5WithRSAEncryption", "")
        );
    }

    /// RSASSA-PSS-params (RFC 4055, Section 3.1): the hash, MGF1 with
    /// `mgf_hash`, the salt length and, if given, an explicit trailerField.
    fn pss(hash: &[u8], mgf: &[u8], mgf_hash: &[u8], salt: u8, trailer: Option<u8>) -> Vec<u8> {
        let mut fields = [
            tlv(0xa0, &algorithm(hash, NULL)),
            tlv(0xa1, &algorithm(mgf, &algorithm(mgf_hash, NULL))),
            tlv(0xa2, &tlv(0x02, &[salt])),
        ]
        .concat();
        if let Some(trailer) = trailer {
            fields.extend(tlv(0xa3, &tlv(0x02, &[trailer])));
        }
        tlv(0x30, &fields)
    }

    /// RSASSA-PSS is accepted in the three forms TLS 1.3's rsa_pss_rsae_*
    /// schemes use: SHA-256/384/512, MGF1 with the same hash, a salt as long
    /// as the hash, trailerField 1. Anything else is named as unsupported.
    #[test]
    fn rsassa_pss_is_accepted_only_with_the_usual_parameters() {
        use CertSignatureAlgorithm as C;
        let (sha256, sha384, sha512, mgf1) = (oid::SHA256, oid::SHA384, oid::SHA512, oid::MGF1);
        let with = |params: Vec<u8>| check(oid::RSASSA_PSS, &params, false);
        assert_eq!(
            with(pss(sha256, mgf1, sha256, 32, None)),
            Ok(C::RsaPssSha256)
        );
        assert_eq!(
            with(pss(sha384, mgf1, sha384, 48, None)),
            Ok(C::RsaPssSha384)
        );
        assert_eq!(
            with(pss(sha512, mgf1, sha512, 64, Some(1))),
            Ok(C::RsaPssSha512)
        );
        let unsupported = Err(
            "the certificate is signed with RSASSA-PSS parameters other than \
                               the usual ones (SHA-256/384/512, MGF1 with the same hash, salt as \
                               long as the hash)"
                .to_string(),
        );
        for params in [
            pss(sha384, mgf1, sha256, 48, None),
            pss(sha256, mgf1, sha256, 20, None),
            pss(sha256, mgf1, sha256, 32, Some(2)),
            pss(sha256, sha256, sha256, 32, None),
            pss(oid::SHA1_WITH_RSA, mgf1, oid::SHA1_WITH_RSA, 20, None),
            // Every field left at its default: SHA-1, MGF1 with SHA-1, salt 20.
            tlv(0x30, &[]),
        ] {
            assert_eq!(with(params), unsupported);
        }
        let malformed =
            Err("the certificate: malformed signature algorithm parameters".to_string());
        assert_eq!(check(oid::RSASSA_PSS, &[], false), malformed);
        assert_eq!(check(oid::RSASSA_PSS, NULL, false), malformed);
    }
}
