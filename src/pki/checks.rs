//! The RFC 5280 checks on one certificate of a path, and the signature
//! algorithm rules shared by certificates and CRLs.
//!
//! Every error names the certificate's position in the peer's list (0 is the
//! end entity), its subject, and the rule that failed.

use std::time::{SystemTime, UNIX_EPOCH};

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{
    OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_CRL_DISTRIBUTION_POINTS, OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
    OID_X509_EXT_NAME_CONSTRAINTS, OID_X509_EXT_SUBJECT_ALT_NAME,
    OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::time::ASN1Time;
use x509_parser::x509::{AlgorithmIdentifier, X509Name, X509Version};

use super::path::{LeafKeyUsage, Purpose};
use crate::crypto::sign::{self, oid, CertSignatureAlgorithm, KeyAlgorithm, PublicKey};
use crate::error::CertificateError;

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

    /// True when the subject and issuer names are the same (RFC 5280, Section
    /// 6.1: "self-issued").
    pub(crate) fn is_self_issued(&self) -> bool {
        self.x509.subject().as_raw() == self.x509.issuer().as_raw()
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
    owner: &str,
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
    what: &str,
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

/// Checks every certificate in the path gets (the anchor excepted): version,
/// validity, extensions, purpose.
pub(crate) fn check_common(
    cert: &Cert<'_>,
    now: i64,
    purpose: Purpose,
) -> Result<(), CertificateError> {
    // RFC 5280, Section 4.1.2.1: extensions need v3, and without them a CA
    // cannot say it is one. Old v1 roots remain usable as trust anchors, which
    // are trusted by configuration rather than by their contents.
    if cert.x509.version() != X509Version::V3 {
        return Err(CertificateError::Unsupported(format!(
            "{} is an X.509 v{} certificate; only trust anchors may be v1 or v2",
            cert.label(),
            cert.x509.version().0.saturating_add(1)
        )));
    }
    // RFC 5280, Section 4.1.2.5: valid from notBefore through notAfter, both included.
    let validity = cert.x509.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotYetValid(format!(
            "{} is not valid before {} (verification time {})",
            cert.label(),
            time_text(&validity.not_before),
            now_text(now)
        )));
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired(format!(
            "{} expired at {} (verification time {})",
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
    // Two copies of one extension could be read differently by different
    // verifiers (the first by one, the last by another); refusing them keeps
    // every reader on the same meaning.
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
            &OID_X509_EXT_NAME_CONSTRAINTS,
            &OID_X509_EXT_CRL_DISTRIBUTION_POINTS,
        ]
        .contains(&&ext.oid);
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
/// accepts as a leaf), its keyUsage must allow the TLS use, and its key must be
/// one we can use to check its handshake signature.
pub(crate) fn check_end_entity(
    leaf: &Cert<'_>,
    key_usage: LeafKeyUsage,
) -> Result<(), CertificateError> {
    let bc = leaf.x509.basic_constraints().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad basicConstraints: {e}", leaf.label()))
    })?;
    if bc.is_some_and(|bc| bc.value.ca) {
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
    )
}

/// The handshake's check, once it knows what the peer's key does (the path
/// check allowed either TLS use): the end entity's keyUsage, when present,
/// must allow `wanted` (see [`check_leaf_key_usage`]).
pub(crate) fn check_key_use(
    end_entity: &[u8],
    wanted: LeafKeyUsage,
) -> Result<(), CertificateError> {
    check_leaf_key_usage(&parse(0, end_entity)?, wanted)
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

/// Checks `issuer` may issue `child`; `below` is how many intermediates sit
/// between `issuer` and the end entity.
pub(crate) fn check_issuer(
    issuer: &Cert<'_>,
    child: &Cert<'_>,
    below: usize,
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
