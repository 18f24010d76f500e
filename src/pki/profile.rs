//! The CA/Browser Forum Baseline Requirements profile for server
//! certificates: rules beyond RFC 5280 that every publicly trusted server
//! certificate follows, which browsers enforce.
//!
//! They apply when a server's chain is verified with
//! [`VerifyOptions::baseline_requirements`] on (the default, also in the
//! handshake's default server verifier), never to client certificates. A
//! private PKI whose certificates break one of them sets it to false; every
//! error here says so. The rules:
//!
//! - Section 7.1.4.3: a subject CN that holds a host name or an IP address is
//!   one of the subjectAltName values: a character-for-character copy of a
//!   dNSName, or an IP address in its canonical text (RFC 3986 dotted decimal,
//!   RFC 5952 for IPv6) equal to an iPAddress entry. A CN that is neither
//!   (no dot, or spaces: "leaf", "Example Server") is left alone, as private
//!   PKIs name their certificates that way.
//! - Section 7.1.2.7.11: an end-entity certificate's keyUsage does not assert
//!   keyCertSign (RFC 5280, Section 4.2.1.9 agrees: only a CA's may).
//! - RFC 5280, Section 4.1.2.6 (as the Baseline Requirements' CA profile): a CA certificate,
//!   trust anchor included, has a non-empty subject.
//! - Section 6.1.5: an RSA modulus is a multiple of 8 bits (every key of the
//!   path, the anchor's included).
//! - RFC 5280, Section 4.2.2.1 (as the Baseline Requirements' profiles): an
//!   authorityInfoAccess extension holds at least one well-formed
//!   AccessDescription.
//! - RFC 5280, Section 4.2.1.11 (as the Baseline Requirements' CA profile): a policyConstraints
//!   extension is critical. keyway does not process certificate policies, so
//!   a critical one is refused as unsupported whatever this option says.
//!
//! Rules that would refuse what ordinary private PKIs issue stay off even
//! here: an extendedKeyUsage on every end-entity certificate, key
//! identifiers (rcgen's defaults omit the authorityKeyIdentifier; see
//! [`VerifyOptions::require_key_identifiers`]), certificate policies,
//! maximum validity periods.
//!
//! [`VerifyOptions::baseline_requirements`]: super::VerifyOptions::baseline_requirements
//! [`VerifyOptions::require_key_identifiers`]: super::VerifyOptions::require_key_identifiers

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};

use super::checks::{Cert, Role};
use crate::crypto::sign::{KeyAlgorithm, PublicKey};
use crate::error::CertificateError;

/// How every error of this module ends.
const RELAX: &str = "for a private PKI, set VerifyOptions::baseline_requirements to false";

/// The rules for any certificate of the path, `role` saying which: the key
/// size and, for a CA, the subject.
pub(crate) fn check_certificate(
    label: &dyn fmt::Display,
    x509: &X509Certificate<'_>,
    role: Role,
) -> Result<(), CertificateError> {
    check_key(label, x509.public_key().raw)?;
    if role != Role::EndEntity {
        check_ca_subject(label, x509.subject().iter().next().is_none())?;
    }
    Ok(())
}

/// Section 6.1.5: "the modulus size, in bits, is evenly divisible by 8".
/// An odd size is a sign of a broken or hand-crafted key.
pub(crate) fn check_key(label: &dyn fmt::Display, spki: &[u8]) -> Result<(), CertificateError> {
    match PublicKey::from_spki(spki) {
        Ok(key) if key.algorithm == KeyAlgorithm::Rsa && key.bits % 8 != 0 => {
            Err(CertificateError::Unsupported(format!(
                "{label} has a {}-bit RSA key; the modulus size must be a multiple of 8 bits \
                 (CA/Browser Forum Baseline Requirements, Section 6.1.5; {RELAX})",
                key.bits
            )))
        }
        // A key keyway cannot use is reported by the signature check.
        _ => Ok(()),
    }
}

/// RFC 5280, Section 4.1.2.6: "If the subject is a CA ... the subject field
/// MUST be populated with a non-empty distinguished name", which is what its
/// certificates' issuer field names.
pub(crate) fn check_ca_subject(
    label: &dyn fmt::Display,
    empty: bool,
) -> Result<(), CertificateError> {
    if empty {
        return Err(CertificateError::BadEncoding(format!(
            "{label} is a CA certificate with an empty subject (RFC 5280, Section 4.1.2.6; \
             CA/Browser Forum Baseline Requirements; {RELAX})"
        )));
    }
    Ok(())
}

/// RFC 5280, Section 4.2.2.1: AuthorityInfoAccessSyntax is a SEQUENCE SIZE
/// (1..MAX) of AccessDescription; one that does not parse or is empty tells
/// the relying party where to find nothing, and marks a careless issuer.
pub(crate) fn check_authority_info_access(
    label: &dyn fmt::Display,
    parsed: &ParsedExtension<'_>,
) -> Result<(), CertificateError> {
    let why = match parsed {
        ParsedExtension::AuthorityInfoAccess(aia) if aia.accessdescs.is_empty() => {
            "it holds no AccessDescription".to_string()
        }
        ParsedExtension::AuthorityInfoAccess(_) => return Ok(()),
        ParsedExtension::ParseError { error } => format!("it does not parse: {error}"),
        _ => "it does not parse".to_string(),
    };
    Err(CertificateError::BadEncoding(format!(
        "{label} has a malformed authorityInfoAccess extension: {why} (RFC 5280, Section \
         4.2.2.1; CA/Browser Forum Baseline Requirements; {RELAX})"
    )))
}

/// RFC 5280, Section 4.2.1.11: "Conforming CAs MUST mark this extension as
/// critical." A non-critical one would let verifiers that skip policies
/// disagree with those that apply them about the same path.
pub(crate) fn refuse_non_critical_policy_constraints(
    label: &dyn fmt::Display,
) -> Result<(), CertificateError> {
    Err(CertificateError::BadEncoding(format!(
        "{label} has a non-critical policyConstraints extension, which must be critical \
         (RFC 5280, Section 4.2.1.11; CA/Browser Forum Baseline Requirements; {RELAX})"
    )))
}

/// The end-entity rules: no keyCertSign, and a host name or address in the
/// subject CN is also in the subjectAltName.
pub(crate) fn check_end_entity(leaf: &Cert<'_>) -> Result<(), CertificateError> {
    let label = leaf.label();
    if matches!(leaf.x509.key_usage(), Ok(Some(ku)) if ku.value.key_cert_sign()) {
        return Err(CertificateError::InvalidPurpose(format!(
            "{label} is an end-entity certificate whose keyUsage asserts keyCertSign \
             (RFC 5280, Section 4.2.1.9; CA/Browser Forum Baseline Requirements, Section \
             7.1.2.7.11; {RELAX})"
        )));
    }
    check_common_names(&label, &leaf.x509)
}

/// Section 7.1.4.3: "If present, this attribute MUST contain exactly one
/// entry that is one of the values contained in the Certificate's
/// subjectAltName extension", an IP address in its canonical text.
///
/// A verifier that (wrongly, but commonly in older code) falls back to the
/// CN would otherwise accept a name the CA never validated as a
/// subjectAltName.
fn check_common_names(
    label: &dyn fmt::Display,
    x509: &X509Certificate<'_>,
) -> Result<(), CertificateError> {
    let san = x509.subject_alternative_name().ok().flatten();
    let names = || san.iter().flat_map(|san| san.value.general_names.iter());
    let dns = || {
        names().filter_map(|name| match name {
            GeneralName::DNSName(d) => Some(*d),
            _ => None,
        })
    };
    let ips = || {
        names().filter_map(|name| match name {
            GeneralName::IPAddress(ip) => super::name::ip_from_bytes(ip),
            _ => None,
        })
    };
    for cn in x509.subject().iter_common_name() {
        let Ok(cn) = cn.as_str() else {
            continue;
        };
        let problem = match host_in_common_name(cn) {
            None => continue,
            Some(CnHost::Ip(ip)) if ip.to_string() != cn => format!(
                "the IP address {cn:?} in its subject CN is not in canonical form ({ip}), so \
                 it is no copy of a subjectAltName value"
            ),
            Some(CnHost::Ip(ip)) if !ips().any(|listed| listed == ip) => format!(
                "the IP address {cn} in its subject CN is not a subjectAltName iPAddress \
                 (its iPAddresses: {})",
                list(ips().map(|ip| ip.to_string()))
            ),
            Some(CnHost::Dns) if !dns().any(|listed| listed == cn) => format!(
                "the host name {cn:?} in its subject CN is not a character-for-character copy \
                 of a subjectAltName dNSName (its dNSNames: {})",
                list(dns().map(str::to_string))
            ),
            Some(_) => continue,
        };
        return Err(CertificateError::BadEncoding(format!(
            "{label}: {problem} (CA/Browser Forum Baseline Requirements, Section 7.1.4.3; \
             {RELAX})"
        )));
    }
    Ok(())
}

fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// What a subject CN holds, when it holds a host.
#[derive(Debug, PartialEq, Eq)]
enum CnHost {
    /// An IP address, in whatever notation (the caller checks it is the
    /// canonical one).
    Ip(IpAddr),
    /// Something shaped like a DNS name: dotted, without spaces.
    Dns,
}

/// Decides whether a CN holds a host: an IPv6 address (any case, any zero
/// compression), an IPv4 address in any notation `inet_aton` accepts
/// (decimal, octal or hexadecimal parts, fewer than four parts), so that
/// `0xC0A80101` and `192.168.001.001` count as the addresses they are; or a
/// dotted name without spaces.
fn host_in_common_name(cn: &str) -> Option<CnHost> {
    if cn.contains(':') {
        return cn
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| CnHost::Ip(IpAddr::V6(ip)));
    }
    let numeric_attempt = cn.contains('.') || cn.starts_with("0x") || cn.starts_with("0X");
    if numeric_attempt {
        if let Some(ip) = inet_aton(cn) {
            return Some(CnHost::Ip(IpAddr::V4(ip)));
        }
    }
    let dotted = cn.contains('.') && !cn.starts_with('.') && !cn.contains(char::is_whitespace);
    dotted.then_some(CnHost::Dns)
}

/// The BSD `inet_aton` reading of an IPv4 address: one to four parts, each
/// decimal, octal (leading 0) or hexadecimal (leading 0x); the last part fills
/// the remaining bytes.
fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    let mut parts = [0u32; 4];
    let mut count = 0;
    for part in text.split('.') {
        let slot = parts.get_mut(count)?;
        let (digits, radix) = match part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            Some(hex) => (hex, 16),
            None if part.len() > 1 && part.starts_with('0') => (part.get(1..)?, 8),
            None => (part, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        *slot = u32::from_str_radix(digits, radix).ok()?;
        count = count.saturating_add(1);
    }
    let (last, leading) = parts.get(..count)?.split_last()?;
    let mut value: u32 = 0;
    for (i, &part) in leading.iter().enumerate() {
        let byte = u8::try_from(part).ok()?;
        value |= u32::from(byte) << (24usize.checked_sub(i.checked_mul(8)?)?);
    }
    let room = 32usize.checked_sub(leading.len().checked_mul(8)?)?;
    if room < 32 && u64::from(*last) >= 1u64 << room {
        return None;
    }
    Some(Ipv4Addr::from(value | last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_reads_every_ipv4_notation() {
        let ip = |s: &str| inet_aton(s).map(|ip| ip.to_string());
        assert_eq!(ip("192.168.1.1").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("0xC0A80101").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("192.168.001.001").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("192.168.257").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("256.1.1.1"), None);
        assert_eq!(ip("1.2.3.4.5"), None);
        assert_eq!(ip("1..2"), None);
        assert_eq!(ip("08.1.1.1"), None);
        assert_eq!(ip("example.com"), None);
        // A sign is not a digit (Rust's integer parsing would take it).
        assert_eq!(ip("+1.2.3.4"), None);
        assert_eq!(ip("1.2.3.+4"), None);
        // The last part may fill only the bytes left to it.
        assert_eq!(ip("1.2.3.256"), None);
        assert_eq!(ip("1.2.65535").as_deref(), Some("1.2.255.255"));
        assert_eq!(ip("1.2.65536"), None);
    }

    #[test]
    fn common_names_are_hosts_only_when_they_look_like_one() {
        assert_eq!(host_in_common_name("leaf"), None);
        assert_eq!(host_in_common_name("Example Server 2.0"), None);
        assert_eq!(host_in_common_name("12345"), None);
        assert_eq!(host_in_common_name("www.example.com"), Some(CnHost::Dns));
        assert_eq!(host_in_common_name("*.example.com"), Some(CnHost::Dns));
        assert_eq!(
            host_in_common_name("0xC0A80101"),
            Some(CnHost::Ip("192.168.1.1".parse().unwrap()))
        );
        assert_eq!(
            host_in_common_name("2001:DB8::1"),
            Some(CnHost::Ip("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(host_in_common_name("host:443"), None);
    }
}
