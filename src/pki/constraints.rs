//! Name constraints (RFC 5280, Section 4.2.1.10 and Section 6.1.3(b)-(c)).
//!
//! A CA's nameConstraints extension (or a trust anchor's constraints) limits
//! the names every certificate below it may carry. Enforced name forms:
//! dNSName, iPAddress (IPv4 and IPv6, address plus mask), directoryName and
//! rfc822Name. They are applied to the subjectAltName entries of each
//! certificate below the constrained one, to its subject (directoryName) and
//! to emailAddress attributes of its subject (rfc822Name), as the RFC requires.
//!
//! Decisions recorded here:
//! - A constraint on a name form keyway does not enforce (URI, otherName, ...)
//!   is harmless while no certificate below carries a name of that form; when
//!   one does, the path is refused (unsupported) rather than trusted blindly.
//! - A wildcard dNSName (`*.example.com`) is inside a permitted subtree when
//!   the literal name is, and is excluded when it could match an excluded
//!   name (`*.example.com` against excluded `a.example.com`).
//! - directoryName comparison is per attribute: same type, and for string
//!   values equal after trimming, collapsing spaces and ASCII case folding (a
//!   simplified RFC 4518); other values by their DER bytes.
//! - The subject CN is not treated as a DNS name, as it is never used as one.

use x509_parser::extensions::{GeneralName, GeneralSubtree, NameConstraints};
use x509_parser::x509::{AttributeTypeAndValue, RelativeDistinguishedName, X509Name};

use super::checks::Cert;
use super::name::ip_from_bytes;
use crate::error::CertificateError;

/// Checks `cert`'s names against the constraints `nc` of `owner` (a label
/// such as "certificate 2 (CN=Sub CA)" or "the trusted root CN=Root").
///
/// `with_subject` is false for a self-issued intermediate, whose subject
/// RFC 5280, Section 6.1.3(b) exempts.
pub(crate) fn check_name_constraints(
    nc: &NameConstraints<'_>,
    owner: &str,
    cert: &Cert<'_>,
    with_subject: bool,
) -> Result<(), CertificateError> {
    let permitted = nc.permitted_subtrees.as_deref().unwrap_or_default();
    let excluded = nc.excluded_subtrees.as_deref().unwrap_or_default();
    for subtree in permitted.iter().chain(excluded) {
        check_subtree_syntax(&subtree.base, owner)?;
    }

    let san = cert.x509.subject_alternative_name().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad subjectAltName: {e}", cert.label()))
    })?;
    let mut names: Vec<Name<'_>> = Vec::new();
    if let Some(san) = san {
        for general in &san.value.general_names {
            names.push(Name::from_general(general));
        }
    }
    let subject = cert.x509.subject();
    if with_subject && subject.iter().next().is_some() {
        names.push(Name::Directory(subject));
        for email in subject.iter_email() {
            // RFC 5280, Section 4.2.1.10: rfc822Name constraints also bind the
            // emailAddress attributes of the subject.
            if let Ok(address) = email.as_str() {
                names.push(Name::Email(address));
            }
        }
    }

    for name in &names {
        if let Some(form) = name.unsupported_form() {
            let constrained = permitted
                .iter()
                .chain(excluded)
                .any(|s| unsupported_form(&s.base) == Some(form));
            if constrained {
                return Err(CertificateError::Unsupported(format!(
                    "{} has a {form} name, and {owner} constrains {form} names, \
                     which keyway does not enforce",
                    cert.label()
                )));
            }
            continue;
        }
        // RFC 5280, Section 6.1.3(b): a name of a form that has permitted
        // subtrees must fall inside one of them.
        let same_form: Vec<&GeneralSubtree<'_>> = permitted
            .iter()
            .filter(|s| name.same_form(&s.base))
            .collect();
        if !same_form.is_empty() && !same_form.iter().any(|s| name.within(&s.base, false)) {
            let list = same_form
                .iter()
                .map(|s| subtree_text(&s.base))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(CertificateError::NameConstraintViolation(format!(
                "{} has the name {name}, which is outside the names {owner} permits ({list})",
                cert.label()
            )));
        }
        // RFC 5280, Section 6.1.3(c): and no name may fall inside an excluded subtree.
        if let Some(hit) = excluded.iter().find(|s| name.within(&s.base, true)) {
            return Err(CertificateError::NameConstraintViolation(format!(
                "{} has the name {name}, which {owner} excludes ({})",
                cert.label(),
                subtree_text(&hit.base)
            )));
        }
    }
    Ok(())
}

/// One name of a certificate that constraints apply to.
enum Name<'a> {
    Dns(&'a str),
    Ip(&'a [u8]),
    Directory(&'a X509Name<'a>),
    Email(&'a str),
    Other(&'static str),
}

impl<'a> Name<'a> {
    fn from_general(general: &'a GeneralName<'a>) -> Self {
        match general {
            GeneralName::DNSName(d) => Name::Dns(d),
            GeneralName::IPAddress(ip) => Name::Ip(ip),
            GeneralName::DirectoryName(dn) => Name::Directory(dn),
            GeneralName::RFC822Name(e) => Name::Email(e),
            other => Name::Other(unsupported_form(other).unwrap_or("unparsed")),
        }
    }

    fn unsupported_form(&self) -> Option<&'static str> {
        match self {
            Name::Other(form) => Some(form),
            _ => None,
        }
    }

    fn same_form(&self, base: &GeneralName<'_>) -> bool {
        matches!(
            (self, base),
            (Name::Dns(_), GeneralName::DNSName(_))
                | (Name::Ip(_), GeneralName::IPAddress(_))
                | (Name::Directory(_), GeneralName::DirectoryName(_))
                | (Name::Email(_), GeneralName::RFC822Name(_))
        )
    }

    /// True when the name lies in the subtree `base`; `excluding` widens
    /// wildcard names to everything they could match.
    fn within(&self, base: &GeneralName<'_>, excluding: bool) -> bool {
        match (self, base) {
            (Name::Dns(name), GeneralName::DNSName(base)) => {
                dns_within(name, base) || (excluding && wildcard_reaches(name, base))
            }
            (Name::Ip(ip), GeneralName::IPAddress(base)) => ip_within(ip, base),
            (Name::Directory(dn), GeneralName::DirectoryName(base)) => dn_within(dn, base),
            (Name::Email(addr), GeneralName::RFC822Name(base)) => email_within(addr, base),
            _ => false,
        }
    }
}

impl core::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Name::Dns(d) => write!(f, "{d} (dNSName)"),
            Name::Ip(ip) => match ip_from_bytes(ip) {
                Some(ip) => write!(f, "{ip} (iPAddress)"),
                None => write!(f, "<{}-byte iPAddress>", ip.len()),
            },
            Name::Directory(dn) => write!(f, "{dn} (directoryName)"),
            Name::Email(e) => write!(f, "{e} (rfc822Name)"),
            Name::Other(form) => write!(f, "<{form}>"),
        }
    }
}

fn unsupported_form(name: &GeneralName<'_>) -> Option<&'static str> {
    match name {
        GeneralName::DNSName(_)
        | GeneralName::IPAddress(_)
        | GeneralName::DirectoryName(_)
        | GeneralName::RFC822Name(_) => None,
        GeneralName::URI(_) => Some("uniformResourceIdentifier"),
        GeneralName::OtherName(..) => Some("otherName"),
        GeneralName::X400Address(_) => Some("x400Address"),
        GeneralName::EDIPartyName(_) => Some("ediPartyName"),
        GeneralName::RegisteredID(_) => Some("registeredID"),
        GeneralName::Invalid(..) => Some("unparsed"),
    }
}

/// A subtree as text for errors.
fn subtree_text(base: &GeneralName<'_>) -> String {
    match base {
        GeneralName::DNSName("") => "every dNSName".into(),
        GeneralName::DNSName(d) => format!("dNSName {d}"),
        GeneralName::IPAddress(b) => ip_subtree_text(b),
        GeneralName::DirectoryName(dn) => format!("directoryName {dn}"),
        GeneralName::RFC822Name(e) => format!("rfc822Name {e}"),
        other => unsupported_form(other).unwrap_or("name").to_string(),
    }
}

fn ip_subtree_text(bytes: &[u8]) -> String {
    let half = bytes.len() / 2;
    let (addr, mask) = bytes.split_at(half);
    let prefix: u32 = mask.iter().map(|b| b.count_ones()).sum();
    match ip_from_bytes(addr) {
        Some(ip) => format!("iPAddress {ip}/{prefix}"),
        None => format!("<{}-byte iPAddress constraint>", bytes.len()),
    }
}

/// RFC 5280, Section 4.2.1.10: an iPAddress constraint is an address and a
/// mask (8 octets for IPv4, 32 for IPv6). A mask that is not a run of ones
/// followed by zeros means the CA's intent cannot be known, so the path is
/// refused rather than guessed at.
fn check_subtree_syntax(base: &GeneralName<'_>, owner: &str) -> Result<(), CertificateError> {
    match base {
        GeneralName::IPAddress(bytes) => {
            if bytes.len() != 8 && bytes.len() != 32 {
                return Err(CertificateError::BadEncoding(format!(
                    "{owner} has an iPAddress name constraint of {} octets (8 or 32 expected)",
                    bytes.len()
                )));
            }
            let (_, mask) = bytes.split_at(bytes.len() / 2);
            let mut seen_zero = false;
            for byte in mask {
                for bit in (0..8).rev() {
                    let one = byte >> bit & 1 == 1;
                    if one && seen_zero {
                        return Err(CertificateError::BadEncoding(format!(
                            "{owner} has an iPAddress name constraint whose mask is not a prefix"
                        )));
                    }
                    seen_zero |= !one;
                }
            }
            Ok(())
        }
        GeneralName::Invalid(..) => Err(CertificateError::BadEncoding(format!(
            "{owner} has a name constraint that does not parse"
        ))),
        _ => Ok(()),
    }
}

/// RFC 5280, Section 4.2.1.10: a dNSName subtree holds the name itself and
/// every name formed by adding labels on the left; `.example.com` (a common
/// variant) holds only the names below it. An empty base holds everything.
fn dns_within(name: &str, base: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let base = base.strip_suffix('.').unwrap_or(base).to_ascii_lowercase();
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return name.len() > base.len() && name.ends_with(&base);
    }
    name == base || name.ends_with(&format!(".{base}"))
}

/// True when the wildcard `name` (`*.p`) could match a host inside `base`:
/// the base is one label under `p`.
fn wildcard_reaches(name: &str, base: &str) -> bool {
    let Some(parent) = name.strip_prefix("*.") else {
        return false;
    };
    let parent = parent.strip_suffix('.').unwrap_or(parent);
    let base = base.strip_suffix('.').unwrap_or(base);
    match base.split_once('.') {
        Some((first, rest)) => !first.is_empty() && rest.eq_ignore_ascii_case(parent),
        None => false,
    }
}

/// An address is in an iPAddress subtree when it is the same family and
/// equal to the base under the mask.
fn ip_within(ip: &[u8], base: &[u8]) -> bool {
    if base.len() != ip.len().saturating_mul(2) {
        return false;
    }
    let (addr, mask) = base.split_at(ip.len());
    ip.iter()
        .zip(addr)
        .zip(mask)
        .all(|((a, b), m)| a & m == b & m)
}

/// RFC 5280, Section 4.2.1.10: a directoryName subtree holds the names that
/// begin with the base's RDNs.
fn dn_within(name: &X509Name<'_>, base: &X509Name<'_>) -> bool {
    let mut rdns = name.iter();
    base.iter()
        .all(|want| rdns.next().is_some_and(|have| rdn_equal(have, want)))
}

fn rdn_equal(a: &RelativeDistinguishedName<'_>, b: &RelativeDistinguishedName<'_>) -> bool {
    a.iter().count() == b.iter().count()
        && a.iter().all(|x| b.iter().any(|y| attribute_equal(x, y)))
}

fn attribute_equal(a: &AttributeTypeAndValue<'_>, b: &AttributeTypeAndValue<'_>) -> bool {
    if a.attr_type() != b.attr_type() {
        return false;
    }
    match (a.as_str(), b.as_str()) {
        (Ok(x), Ok(y)) => fold(x) == fold(y),
        _ => a.attr_value().as_bytes() == b.attr_value().as_bytes(),
    }
}

/// Trims, collapses runs of spaces and folds ASCII case.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// RFC 5280, Section 4.2.1.10: an rfc822Name constraint is a whole mailbox,
/// a host (every mailbox at that host), or `.domain` (mailboxes at hosts
/// below it).
fn email_within(address: &str, base: &str) -> bool {
    let Some((local, host)) = address.rsplit_once('@') else {
        return false;
    };
    if let Some((base_local, base_host)) = base.rsplit_once('@') {
        return local == base_local && host.eq_ignore_ascii_case(base_host);
    }
    if base.starts_with('.') {
        return host.len() > base.len()
            && host
                .to_ascii_lowercase()
                .ends_with(&base.to_ascii_lowercase());
    }
    host.eq_ignore_ascii_case(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtrees_hold_the_name_and_names_below() {
        assert!(dns_within("example.com", "example.com"));
        assert!(dns_within("A.Example.com", "example.COM"));
        assert!(dns_within("anything", ""));
        assert!(!dns_within("badexample.com", "example.com"));
        assert!(!dns_within("example.com", ".example.com"));
        assert!(dns_within("a.example.com", ".example.com"));
        assert!(dns_within("*.example.com", "example.com"));
        assert!(wildcard_reaches("*.example.com", "a.example.com"));
        assert!(!wildcard_reaches("*.example.com", "a.b.example.com"));
        assert!(!wildcard_reaches("www.example.com", "a.example.com"));
    }

    #[test]
    fn ip_subtrees_apply_the_mask() {
        let v4 = [192, 0, 2, 0, 255, 255, 255, 0];
        assert!(ip_within(&[192, 0, 2, 77], &v4));
        assert!(!ip_within(&[192, 0, 3, 77], &v4));
        let mut v6 = [0u8; 32];
        v6[..2].copy_from_slice(&[0x20, 0x01]);
        v6[16..18].copy_from_slice(&[0xff, 0xff]);
        let mut ip = [0u8; 16];
        ip[..2].copy_from_slice(&[0x20, 0x01]);
        ip[15] = 1;
        assert!(ip_within(&ip, &v6));
        assert!(!ip_within(&[32, 1, 0, 0], &v6), "families never mix");
        assert!(!ip_within(&ip, &v4));
    }

    #[test]
    fn masks_must_be_prefixes() {
        let good = GeneralName::IPAddress(&[10, 0, 0, 0, 255, 0, 0, 0]);
        assert!(check_subtree_syntax(&good, "CA").is_ok());
        let holey = GeneralName::IPAddress(&[10, 0, 0, 0, 255, 0, 255, 0]);
        assert!(check_subtree_syntax(&holey, "CA").is_err());
        let short = GeneralName::IPAddress(&[10, 0, 0, 0]);
        assert!(check_subtree_syntax(&short, "CA").is_err());
    }

    #[test]
    fn email_subtrees_are_mailboxes_hosts_or_domains() {
        assert!(email_within("a@example.com", "a@example.com"));
        assert!(!email_within("b@example.com", "a@example.com"));
        assert!(email_within("b@Example.com", "example.com"));
        assert!(!email_within("b@mail.example.com", "example.com"));
        assert!(email_within("b@mail.example.com", ".example.com"));
        assert!(!email_within("b@example.com", ".example.com"));
        assert!(!email_within("no-at-sign", "example.com"));
    }
}
