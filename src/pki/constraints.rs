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
//! - The extension is refused when it is not critical, appears in an
//!   end-entity certificate, or holds neither permitted nor excluded subtrees
//!   (RFC 5280, Section 4.2.1.10: "MUST be critical", "MUST be used only in a
//!   CA certificate", "MUST NOT ... an empty sequence"); see `checks.rs`.
//! - Every subtree is checked for syntax before use (`name.rs`): a dNSName
//!   constraint is a host name without a leading period or wildcard, an
//!   rfc822Name constraint a mailbox, host or `.domain`, an iPAddress
//!   constraint an address and a prefix mask. A malformed subtree refuses the
//!   path: the CA's intent cannot be known. The one exception is a trust
//!   anchor given as a bare name and key ([`TrustAnchor::from_parts`], as
//!   Mozilla's root program publishes them), whose `.tr`-style dNSName
//!   constraints mean "the names below".
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
//! - Names are normalised (lowercased) once per certificate and verification,
//!   and every comparison is charged to the verification's budget
//!   (`budget.rs`): one unit per name against one subtree, plus one per 32
//!   bytes of a directoryName subtree, whose comparison walks its attributes.
//!
//! [`TrustAnchor::from_parts`]: super::TrustAnchor::from_parts

use core::fmt;

use x509_parser::extensions::{GeneralName, NameConstraints};
use x509_parser::x509::X509Name;

use super::budget::Budget;
use super::checks::Cert;
use super::name::{check_dns_syntax, check_email_constraint_syntax, ip_from_bytes, DnsRole};
use crate::error::CertificateError;

/// The names of one certificate that constraints apply to, normalised once.
pub(crate) struct CertNames<'a> {
    /// dNSNames as written, and lowercased.
    dns: Vec<(&'a str, String)>,
    ips: Vec<&'a [u8]>,
    /// rfc822Names (subjectAltName) and emailAddress attributes (subject), as
    /// written, and as (local part, lowercased host) when well formed.
    emails: Vec<(&'a str, Option<(&'a str, String)>)>,
    directories: Vec<Directory<'a>>,
    /// Name forms keyway does not enforce constraints on, present in the
    /// certificate.
    other: Vec<&'static str>,
}

impl<'a> CertNames<'a> {
    /// Collects `cert`'s subjectAltName entries and, when non-empty, its
    /// subject and the subject's emailAddress attributes. A subjectAltName that
    /// does not parse was refused by the per-certificate checks already.
    pub(crate) fn of(cert: &'a Cert<'_>) -> Self {
        let mut names = CertNames {
            dns: Vec::new(),
            ips: Vec::new(),
            emails: Vec::new(),
            directories: Vec::new(),
            other: Vec::new(),
        };
        if let Ok(Some(san)) = cert.x509.subject_alternative_name() {
            for general in &san.value.general_names {
                match general {
                    GeneralName::DNSName(d) => names.dns.push((d, d.to_ascii_lowercase())),
                    GeneralName::IPAddress(ip) => names.ips.push(ip),
                    GeneralName::RFC822Name(e) => names.emails.push((e, split_email(e))),
                    GeneralName::DirectoryName(dn) => names.directories.push(Directory::new(dn)),
                    other => names
                        .other
                        .push(unsupported_form(other).unwrap_or("unparsed")),
                }
            }
        }
        let subject = cert.x509.subject();
        if subject.iter().next().is_some() {
            names.directories.push(Directory::new(subject));
            for email in subject.iter_email() {
                // RFC 5280, Section 4.2.1.10: rfc822Name constraints also bind
                // the emailAddress attributes of the subject. One that is not
                // a string cannot be shown to be inside a subtree.
                match email.as_str() {
                    Ok(address) => names.emails.push((address, split_email(address))),
                    Err(_) => names.emails.push(("<non-string emailAddress>", None)),
                }
            }
        }
        names
    }
}

/// (local part, lowercased host) of a well-formed address.
fn split_email(address: &str) -> Option<(&str, String)> {
    super::name::check_email_syntax(address).ok()?;
    let (local, host) = address.rsplit_once('@')?;
    Some((local, host.to_ascii_lowercase()))
}

/// Which side of a DER NameConstraints is present but empty: its top-level
/// `[0]` (permittedSubtrees) or `[1]` (excludedSubtrees) with no contents.
fn empty_side(raw: &[u8]) -> Option<&'static str> {
    /// Splits one DER value off `input`: (tag, contents, rest).
    fn split(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = match first {
            0..=0x7f => (usize::from(first), rest),
            0x81..=0x84 => {
                let (bytes, rest) = rest.split_at_checked(usize::from(first & 0x7f))?;
                let len = bytes.iter().try_fold(0usize, |acc, &b| {
                    acc.checked_mul(256)?.checked_add(usize::from(b))
                })?;
                (len, rest)
            }
            _ => return None,
        };
        let (contents, rest) = rest.split_at_checked(len)?;
        Some((tag, contents, rest))
    }
    let (_, mut fields, _) = split(raw)?;
    while let Some((tag, contents, rest)) = split(fields) {
        match (tag, contents.is_empty()) {
            (0xa0, true) => return Some("permittedSubtrees"),
            (0xa1, true) => return Some("excludedSubtrees"),
            _ => fields = rest,
        }
    }
    None
}

/// One side (permitted or excluded) of a CA's name constraints, by form.
#[derive(Default)]
struct Subtrees<'a> {
    /// As written, and lowercased (a leading period of a lenient anchor
    /// constraint kept).
    dns: Vec<(&'a str, String)>,
    ips: Vec<&'a [u8]>,
    emails: Vec<(&'a str, EmailBase<'a>)>,
    directories: Vec<Directory<'a>>,
    other: Vec<&'static str>,
}

/// An rfc822Name subtree: a mailbox (local part as written, host
/// lowercased), a host, or a domain (lowercased, with its leading period).
enum EmailBase<'a> {
    Mailbox(&'a str, String),
    Host(String),
    Domain(String),
}

impl<'a> EmailBase<'a> {
    /// `base` is well formed (checked by [`check_email_constraint_syntax`]).
    fn new(base: &'a str) -> Self {
        match base.rsplit_once('@') {
            Some((local, host)) => EmailBase::Mailbox(local, host.to_ascii_lowercase()),
            None if base.starts_with('.') => EmailBase::Domain(base.to_ascii_lowercase()),
            None => EmailBase::Host(base.to_ascii_lowercase()),
        }
    }
}

/// A CA's (or trust anchor's) name constraints, checked and normalised once.
pub(crate) struct Constraints<'a> {
    /// "certificate 2 (CN=Sub CA)" or "the trusted root CN=Root".
    owner: String,
    permitted: Subtrees<'a>,
    excluded: Subtrees<'a>,
}

impl<'a> Constraints<'a> {
    /// Checks the syntax of every subtree of `nc`, owned by `owner`.
    /// `lenient_dns` accepts `.domain` dNSName subtrees (bare trust anchors
    /// only, see the module documentation).
    /// `raw` is the extension's DER value, which `nc` was parsed from.
    pub(crate) fn parse(
        nc: &'a NameConstraints<'a>,
        raw: &[u8],
        owner: String,
        lenient_dns: bool,
    ) -> Result<Self, CertificateError> {
        // RFC 5280, Section 4.2.1.10: "Conforming CAs MUST NOT issue
        // certificates where name constraints is an empty sequence", and each
        // GeneralSubtrees holds at least one subtree. (The parser reads an
        // empty [0] or [1] as an absent one, so the bytes are looked at.)
        let empty = |side: &str| {
            CertificateError::BadEncoding(format!(
                "{owner} has name constraints with an empty {side} (RFC 5280, Section 4.2.1.10)"
            ))
        };
        if let Some(side) = empty_side(raw) {
            return Err(empty(side));
        }
        match (&nc.permitted_subtrees, &nc.excluded_subtrees) {
            (None, None) if raw == [0x30, 0x00] => {
                return Err(empty(
                    "structure: neither permittedSubtrees nor excludedSubtrees",
                ))
            }
            (None, None) => {
                return Err(CertificateError::BadEncoding(format!(
                    "{owner} has name constraints that do not parse"
                )))
            }
            (Some(p), _) if p.is_empty() => return Err(empty("permittedSubtrees")),
            (_, Some(e)) if e.is_empty() => return Err(empty("excludedSubtrees")),
            _ => {}
        }
        let mut constraints = Constraints {
            owner,
            permitted: Subtrees::default(),
            excluded: Subtrees::default(),
        };
        let sides = [
            (nc.permitted_subtrees.as_deref(), true),
            (nc.excluded_subtrees.as_deref(), false),
        ];
        for (subtrees, permitted) in sides {
            for subtree in subtrees.unwrap_or_default() {
                let base = &subtree.base;
                constraints.check_syntax(base, lenient_dns)?;
                let side = match permitted {
                    true => &mut constraints.permitted,
                    false => &mut constraints.excluded,
                };
                match base {
                    GeneralName::DNSName(d) => side.dns.push((d, d.to_ascii_lowercase())),
                    GeneralName::IPAddress(ip) => side.ips.push(ip),
                    GeneralName::RFC822Name(e) => side.emails.push((e, EmailBase::new(e))),
                    GeneralName::DirectoryName(dn) => side.directories.push(Directory::new(dn)),
                    other => side
                        .other
                        .push(unsupported_form(other).unwrap_or("unparsed")),
                }
            }
        }
        Ok(constraints)
    }

    /// RFC 5280, Section 4.2.1.10: each form's syntax (see `name.rs`); an
    /// iPAddress constraint is an address and a mask of 8 octets (IPv4) or 32
    /// (IPv6), and a mask that is not a run of ones followed by zeros leaves
    /// the CA's intent unknown.
    fn check_syntax(
        &self,
        base: &GeneralName<'_>,
        lenient_dns: bool,
    ) -> Result<(), CertificateError> {
        let owner = &self.owner;
        let invalid = |form: &str, value: &str, why: &str| {
            CertificateError::BadEncoding(format!(
                "{owner} has an invalid {form} name constraint {value:?}: {why} \
                 (RFC 5280, Section 4.2.1.10)"
            ))
        };
        match base {
            GeneralName::DNSName(d) => {
                let d = match lenient_dns {
                    true => d.strip_prefix('.').unwrap_or(d),
                    false => d,
                };
                check_dns_syntax(d, DnsRole::Constraint).map_err(|why| invalid("dNSName", d, why))
            }
            GeneralName::RFC822Name(e) => {
                check_email_constraint_syntax(e).map_err(|why| invalid("rfc822Name", e, why))
            }
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
                                "{owner} has an iPAddress name constraint whose mask is not a \
                                 prefix"
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

    /// Checks the `names` of `cert` (labelled as in errors) against these
    /// constraints, charging every comparison to `budget`.
    pub(crate) fn check(
        &self,
        cert: &dyn core::fmt::Display,
        names: &CertNames<'_>,
        budget: &mut Budget,
    ) -> Result<(), CertificateError> {
        for &form in &names.other {
            if self.permitted.other.contains(&form) || self.excluded.other.contains(&form) {
                return Err(CertificateError::Unsupported(format!(
                    "{cert} has a {form} name, and {} constrains {form} names, \
                     which keyway does not enforce",
                    self.owner
                )));
            }
        }
        for (written, lower) in &names.dns {
            self.check_one(
                cert,
                Shown::Dns(written),
                budget,
                self.permitted
                    .dns
                    .iter()
                    .map(|(w, b)| (Shown::DnsBase(w), b.as_str())),
                self.excluded
                    .dns
                    .iter()
                    .map(|(w, b)| (Shown::DnsBase(w), b.as_str())),
                |base| dns_within(lower, base),
                |base| dns_within(lower, base) || wildcard_reaches(lower, base),
                |_| 1,
            )?;
        }
        for &ip in &names.ips {
            self.check_one(
                cert,
                Shown::Ip(ip),
                budget,
                self.permitted.ips.iter().map(|b| (Shown::IpBase(b), *b)),
                self.excluded.ips.iter().map(|b| (Shown::IpBase(b), *b)),
                |base| ip_within(ip, base),
                |base| ip_within(ip, base),
                |_| 1,
            )?;
        }
        for (written, parts) in &names.emails {
            let within =
                |base: &EmailBase<'_>| parts.as_ref().is_some_and(|p| email_within(p, base));
            if parts.is_none()
                && !(self.permitted.emails.is_empty() && self.excluded.emails.is_empty())
            {
                return Err(CertificateError::NameConstraintViolation(format!(
                    "{cert} has the malformed rfc822Name {written:?}, which cannot be checked \
                     against the rfc822Name constraints of {}",
                    self.owner
                )));
            }
            self.check_one(
                cert,
                Shown::Email(written),
                budget,
                self.permitted
                    .emails
                    .iter()
                    .map(|(w, b)| (Shown::EmailBase(w), b)),
                self.excluded
                    .emails
                    .iter()
                    .map(|(w, b)| (Shown::EmailBase(w), b)),
                within,
                within,
                |_| 1,
            )?;
        }
        for dn in &names.directories {
            self.check_one(
                cert,
                Shown::Directory(dn.shown),
                budget,
                self.permitted
                    .directories
                    .iter()
                    .map(|b| (Shown::DirectoryBase(b.shown), b)),
                self.excluded
                    .directories
                    .iter()
                    .map(|b| (Shown::DirectoryBase(b.shown), b)),
                |base| dn.starts_with(base),
                |base| dn.starts_with(base),
                |base| 1usize.saturating_add(base.size / 32),
            )?;
        }
        Ok(())
    }

    /// RFC 5280, Section 6.1.3(b)-(c) for one name: when the name's form has
    /// permitted subtrees it must fall inside one of them, and it may fall
    /// inside no excluded subtree. `cost` is what comparing with a base takes
    /// from the budget.
    #[allow(clippy::too_many_arguments)]
    fn check_one<B: Copy>(
        &self,
        cert: &dyn core::fmt::Display,
        name: Shown<'_>,
        budget: &mut Budget,
        permitted: impl Iterator<Item = (Shown<'a>, B)>,
        excluded: impl Iterator<Item = (Shown<'a>, B)>,
        within: impl Fn(B) -> bool,
        excluded_by: impl Fn(B) -> bool,
        cost: impl Fn(B) -> usize,
    ) -> Result<(), CertificateError> {
        let mut listed: Vec<Shown<'a>> = Vec::new();
        let mut inside = false;
        for (shown, base) in permitted {
            budget.spend_comparisons(cost(base))?;
            if within(base) {
                inside = true;
                break;
            }
            listed.push(shown);
        }
        if !inside && !listed.is_empty() {
            let list = listed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(CertificateError::NameConstraintViolation(format!(
                "{cert} has the name {name}, which is outside the names {} permits ({list})",
                self.owner
            )));
        }
        for (shown, base) in excluded {
            budget.spend_comparisons(cost(base))?;
            if excluded_by(base) {
                return Err(CertificateError::NameConstraintViolation(format!(
                    "{cert} has the name {name}, which {} excludes ({shown})",
                    self.owner
                )));
            }
        }
        Ok(())
    }
}

/// A name or a subtree as errors show it.
#[derive(Clone, Copy)]
enum Shown<'a> {
    Dns(&'a str),
    Ip(&'a [u8]),
    Email(&'a str),
    Directory(&'a X509Name<'a>),
    DnsBase(&'a str),
    IpBase(&'a [u8]),
    EmailBase(&'a str),
    DirectoryBase(&'a X509Name<'a>),
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Shown::Dns(d) => write!(f, "{d} (dNSName)"),
            Shown::Ip(ip) => match ip_from_bytes(ip) {
                Some(ip) => write!(f, "{ip} (iPAddress)"),
                None => write!(f, "<{}-byte iPAddress>", ip.len()),
            },
            Shown::Email(e) => write!(f, "{e} (rfc822Name)"),
            Shown::Directory(dn) => write!(f, "{dn} (directoryName)"),
            Shown::DnsBase("") => f.write_str("every dNSName"),
            Shown::DnsBase(d) => write!(f, "dNSName {d}"),
            Shown::IpBase(bytes) => {
                let (addr, mask) = bytes.split_at(bytes.len() / 2);
                let prefix: u32 = mask.iter().map(|b| b.count_ones()).sum();
                match ip_from_bytes(addr) {
                    Some(ip) => write!(f, "iPAddress {ip}/{prefix}"),
                    None => write!(f, "<{}-byte iPAddress constraint>", bytes.len()),
                }
            }
            Shown::EmailBase(e) => write!(f, "rfc822Name {e}"),
            Shown::DirectoryBase(dn) => write!(f, "directoryName {dn}"),
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

/// RFC 5280, Section 4.2.1.10: a dNSName subtree holds the name itself and
/// every name formed by adding labels on the left. An empty base holds
/// everything; `.example.com` (lenient anchors only) holds the names below.
/// Both arguments are lowercase.
fn dns_within(name: &str, base: &str) -> bool {
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return name.len() > base.len() && name.ends_with(base);
    }
    match name.strip_suffix(base) {
        Some("") => true,
        Some(rest) => rest.ends_with('.'),
        None => false,
    }
}

/// True when the lowercase wildcard `name` (`*.p`) could match a host inside
/// `base`: the base is one label under `p`.
fn wildcard_reaches(name: &str, base: &str) -> bool {
    let Some(parent) = name.strip_prefix("*.") else {
        return false;
    };
    let base = base.strip_prefix('.').unwrap_or(base);
    match base.split_once('.') {
        Some((first, rest)) => !first.is_empty() && rest == parent,
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

/// A directoryName normalised for comparison once: per RDN, its attributes
/// as (type, value), string values folded (see [`fold`]), other values by
/// their DER bytes, sorted so that two RDNs holding the same attributes in
/// another order (an RDN is a SET) compare equal in one pass, not in time
/// quadratic in the attributes a hostile RDN may hold.
struct Directory<'a> {
    shown: &'a X509Name<'a>,
    rdns: Vec<Vec<(&'a [u8], Value<'a>)>>,
    /// The DER size, which bounds what a comparison with it reads.
    size: usize,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Value<'a> {
    Text(String),
    Der(&'a [u8]),
}

impl<'a> Directory<'a> {
    fn new(name: &'a X509Name<'a>) -> Self {
        let rdns = name
            .iter()
            .map(|rdn| {
                let mut attributes: Vec<(&[u8], Value<'_>)> = rdn
                    .iter()
                    .map(|attribute| {
                        let value = match attribute.as_str() {
                            Ok(text) => Value::Text(fold(text)),
                            Err(_) => Value::Der(attribute.attr_value().as_bytes()),
                        };
                        (attribute.attr_type().as_bytes(), value)
                    })
                    .collect();
                attributes.sort();
                attributes
            })
            .collect();
        Directory {
            shown: name,
            rdns,
            size: name.as_raw().len(),
        }
    }

    /// RFC 5280, Section 4.2.1.10: a directoryName subtree holds the names
    /// that begin with the base's RDNs. Two RDNs are equal when they hold the
    /// same attributes, in any order.
    fn starts_with(&self, base: &Directory<'_>) -> bool {
        base.rdns.len() <= self.rdns.len()
            && base
                .rdns
                .iter()
                .zip(&self.rdns)
                .all(|(want, have)| want == have)
    }
}

/// Trims, collapses runs of whitespace into one space and folds ASCII case
/// (a simplified RFC 4518 string preparation).
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// RFC 5280, Section 4.2.1.10: an rfc822Name constraint is a whole mailbox,
/// a host (every mailbox at that host), or `.domain` (mailboxes at hosts
/// below it). Hosts compare without case; the local part exactly (RFC 5321,
/// Section 2.4: it is case-sensitive).
fn email_within((local, host): &(&str, String), base: &EmailBase<'_>) -> bool {
    match base {
        EmailBase::Mailbox(base_local, base_host) => local == base_local && host == base_host,
        EmailBase::Host(base_host) => host == base_host,
        EmailBase::Domain(domain) => host.len() > domain.len() && host.ends_with(domain.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::write_element as tlv;

    #[test]
    fn dns_subtrees_hold_the_name_and_names_below() {
        assert!(dns_within("example.com", "example.com"));
        assert!(dns_within("a.example.com", "example.com"));
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
    fn email_subtrees_are_mailboxes_hosts_or_domains() {
        fn within(name: &str, base: &str) -> bool {
            email_within(&split_email(name).unwrap(), &EmailBase::new(base))
        }
        assert!(within("a@example.com", "a@EXAMPLE.com"));
        assert!(!within("b@example.com", "a@example.com"));
        assert!(!within("A@example.com", "a@example.com"));
        assert!(within("b@Example.com", "example.com"));
        assert!(!within("b@mail.example.com", "example.com"));
        assert!(within("b@mail.example.com", ".example.com"));
        assert!(!within("b@example.com", ".example.com"));
        assert!(!within("b@mail.example.org", ".example.com"));
        assert!(split_email("no-at-sign").is_none());
        assert!(split_email("invalid@address@example.com").is_none());
    }

    #[test]
    fn folding_trims_collapses_and_lowercases() {
        assert_eq!(fold("  Example   Org "), fold("example org"));
        assert_ne!(fold("Example Org"), fold("ExampleOrg"));
    }

    /// NameConstraints with one GeneralSubtree per base on each side (a side
    /// with no bases is left out).
    fn name_constraints(permitted: &[&[u8]], excluded: &[&[u8]]) -> Vec<u8> {
        let mut sides = Vec::new();
        for (tag, bases) in [(0xa0, permitted), (0xa1, excluded)] {
            if !bases.is_empty() {
                let subtrees: Vec<u8> = bases.iter().flat_map(|b| tlv(0x30, b)).collect();
                sides.extend(tlv(tag, &subtrees));
            }
        }
        tlv(0x30, &sides)
    }

    /// Parses `raw` and hands the constraints (of "the CA") to `f`.
    fn with_constraints<T>(
        raw: &[u8],
        f: impl FnOnce(Result<Constraints<'_>, CertificateError>) -> T,
    ) -> T {
        use x509_parser::prelude::FromDer;
        let (_, nc) = NameConstraints::from_der(raw).expect("NameConstraints parse");
        f(Constraints::parse(&nc, raw, "the CA".into(), false))
    }

    fn parse_error(raw: &[u8]) -> String {
        with_constraints(raw, |c| c.err().expect("refused").to_string())
    }

    fn names<'a>() -> CertNames<'a> {
        CertNames {
            dns: Vec::new(),
            ips: Vec::new(),
            emails: Vec::new(),
            directories: Vec::new(),
            other: Vec::new(),
        }
    }

    /// RFC 5280, Section 4.2.1.10: an empty side is refused, found in the
    /// bytes (the parser reads it as absent) whatever form the lengths take.
    #[test]
    fn an_empty_side_is_found_with_long_form_lengths() {
        let dns = tlv(0x82, b"example.com");
        let mut raw = vec![0x30, 0x81];
        let fields = [tlv(0xa0, &tlv(0x30, &dns)), vec![0xa1, 0x81, 0x00]].concat();
        raw.push(fields.len() as u8);
        raw.extend(&fields);
        assert_eq!(empty_side(&raw), Some("excludedSubtrees"));
        assert_eq!(
            empty_side(&[0x30, 0x81, 0x02, 0xa0, 0x00]),
            Some("permittedSubtrees")
        );
        assert_eq!(empty_side(&name_constraints(&[&dns], &[&dns])), None);
        assert_eq!(
            parse_error(&[0x30, 0x00]),
            "the CA has name constraints with an empty structure: neither permittedSubtrees \
             nor excludedSubtrees (RFC 5280, Section 4.2.1.10)"
        );
        // Neither side, but not empty: x509-parser skips what it cannot read.
        assert_eq!(
            parse_error(&[0x30, 0x02, 0x05, 0x00]),
            "the CA has name constraints that do not parse"
        );
    }

    /// An iPAddress constraint is an address and a mask (8 or 32 octets), the
    /// mask a run of ones then zeros; a base that does not parse is refused.
    #[test]
    fn constraint_bases_must_be_well_formed() {
        let ok = |raw: &[u8]| with_constraints(raw, |c| c.map(|_| ()).map_err(|e| e.to_string()));
        let ip = |bytes: &[u8]| name_constraints(&[&tlv(0x87, bytes)], &[]);
        assert_eq!(ok(&ip(&[192, 0, 2, 0, 255, 255, 255, 0])), Ok(()));
        assert_eq!(
            parse_error(&ip(&[192, 0, 2, 0])),
            "the CA has an iPAddress name constraint of 4 octets (8 or 32 expected)"
        );
        assert_eq!(
            parse_error(&ip(&[192, 0, 2, 0, 255, 0, 255, 0])),
            "the CA has an iPAddress name constraint whose mask is not a prefix"
        );
        // A dNSName that is not an IA5String.
        assert_eq!(
            parse_error(&name_constraints(&[], &[&tlv(0x82, &[0xff])])),
            "the CA has a name constraint that does not parse"
        );
    }

    /// A form keyway does not enforce (here a URI) refuses a certificate
    /// with such a name when either side constrains that form, naming it.
    #[test]
    fn an_unenforced_form_refuses_names_of_that_form() {
        let uri = tlv(0x86, b"a.example");
        for raw in [
            name_constraints(&[&uri], &[]),
            name_constraints(&[], &[&uri]),
        ] {
            let mut cert_names = names();
            cert_names.other.push("uniformResourceIdentifier");
            let err = with_constraints(&raw, |c| {
                c.unwrap()
                    .check(&"the leaf", &cert_names, &mut Budget::new(10, 10))
                    .unwrap_err()
            });
            assert_eq!(
                err,
                CertificateError::Unsupported(
                    "the leaf has a uniformResourceIdentifier name, and the CA constrains \
                     uniformResourceIdentifier names, which keyway does not enforce"
                        .into()
                )
            );
        }
    }

    /// A subject emailAddress that is not an address cannot be checked
    /// against rfc822Name constraints of either side, so it is refused when
    /// there are any; other forms' constraints do not care.
    #[test]
    fn a_malformed_email_is_refused_only_by_email_constraints() {
        let mut cert_names = names();
        cert_names.emails.push(("not-an-address", None));
        let check = |raw: &[u8]| {
            with_constraints(raw, |c| {
                c.unwrap()
                    .check(&"the leaf", &cert_names, &mut Budget::new(10, 10))
            })
        };
        assert_eq!(
            check(&name_constraints(&[], &[&tlv(0x81, b"example.com")])),
            Err(CertificateError::NameConstraintViolation(
                "the leaf has the malformed rfc822Name \"not-an-address\", which cannot be \
                 checked against the rfc822Name constraints of the CA"
                    .into()
            ))
        );
        assert_eq!(
            check(&name_constraints(&[&tlv(0x82, b"example.com")], &[])),
            Ok(())
        );
    }

    /// Comparing with a directoryName base costs one comparison plus one per
    /// 32 bytes of the base.
    #[test]
    fn directory_comparisons_cost_by_the_size_of_the_base() {
        use x509_parser::prelude::FromDer;
        let common_name = [
            tlv(0x06, &[0x55, 0x04, 0x03]),
            tlv(
                0x0c,
                b"a common name long enough to make the base cost more",
            ),
        ]
        .concat();
        let name_der = tlv(0x30, &tlv(0x31, &tlv(0x30, &common_name)));
        assert_eq!(name_der.len() / 32, 2);
        let (_, name) = X509Name::from_der(&name_der).unwrap();
        let raw = name_constraints(&[&tlv(0xa4, &name_der)], &[]);
        let mut cert_names = names();
        cert_names.directories.push(Directory::new(&name));
        with_constraints(&raw, |c| {
            let constraints = c.unwrap();
            let cost = 1 + name_der.len() / 32;
            let mut enough = Budget::new(10, cost);
            assert_eq!(
                constraints.check(&"the leaf", &cert_names, &mut enough),
                Ok(())
            );
            let mut short = Budget::new(10, cost - 1);
            let err = constraints
                .check(&"the leaf", &cert_names, &mut short)
                .unwrap_err();
            assert!(matches!(err, CertificateError::TooMuchWork(_)), "{err}");
        });
    }
}
