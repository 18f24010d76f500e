//! The name a client connects to, and matching it against a certificate's
//! subjectAltName entries.
//!
//! Only subjectAltName is consulted: dNSName entries for DNS names, iPAddress
//! entries for IP addresses (RFC 6125, Section 6.4.4; RFC 9525, Section 6.3,
//! which drops the subject CN fallback entirely). A certificate whose only name
//! is in its subject CN is valid for nothing.

use core::fmt;
use std::net::IpAddr;

use crate::error::Error;

/// The peer a client means to reach: what the certificate must be valid for.
///
/// DNS names are checked for syntax and stored lowercase without a trailing
/// dot. RFC 6066, Section 3 forbids IP literals in server_name, so the
/// handshake sends SNI only for [`ServerName::DnsName`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerName {
    /// A DNS host name, lowercase, without a trailing dot.
    DnsName(String),
    /// An IPv4 or IPv6 address.
    IpAddress(IpAddr),
}

impl TryFrom<&str> for ServerName {
    type Error = Error;

    /// Parses an IP address (IPv6 optionally in brackets) or a DNS host name.
    fn try_from(input: &str) -> Result<Self, Error> {
        let unbracketed = input
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(input);
        if let Ok(ip) = unbracketed.parse::<IpAddr>() {
            return Ok(ServerName::IpAddress(ip));
        }
        validate_dns_name(input)
            .map(ServerName::DnsName)
            .map_err(|why| {
                Error::Config(format!(
                    "{input:?} is not a valid DNS name or IP address: {why}"
                ))
            })
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerName::DnsName(name) => f.write_str(name),
            ServerName::IpAddress(ip) => write!(f, "{ip}"),
        }
    }
}

/// Checks host name syntax (RFC 1035, Section 2.3.1, relaxed by RFC 1123,
/// Section 2.1 to allow a leading digit) and returns the lowercase form.
///
/// Underscores are accepted because real hosts use them (service names), as
/// browsers do, and a client may connect to such a host with its own
/// verifier; certificates may not carry them (see [`check_dns_syntax`]). A
/// wildcard is not a host name.
fn validate_dns_name(input: &str) -> Result<String, &'static str> {
    let name = input.strip_suffix('.').unwrap_or(input);
    if name.is_empty() {
        return Err("it is empty");
    }
    check_labels(name, true)?;
    // RFC 1123, Section 2.1: a top-level label is never all digits, so such a
    // name is a mistyped address, not a host.
    if name
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("the last label is all digits");
    }
    Ok(name.to_ascii_lowercase())
}

/// RFC 1035, Section 2.3.1 and 2.3.4 (as relaxed by RFC 1123, Section 2.1):
/// labels of 1 to 63 letters, digits and hyphens, not starting or ending with
/// a hyphen; 253 characters in all. `underscore` also allows `_`.
fn check_labels(name: &str, underscore: bool) -> Result<(), &'static str> {
    if name.len() > 253 {
        return Err("it is longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err("it has an empty label");
        }
        if label.len() > 63 {
            return Err("a label is longer than 63 characters");
        }
        if label.contains('*') {
            return Err("a wildcard '*' may only be the whole left-most label");
        }
        if !underscore && label.contains('_') {
            return Err(
                "it contains '_', which a host name may not (RFC 5280, Section 4.2.1.6 \
                        requires the preferred name syntax of RFC 1034, Section 3.5)",
            );
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(if underscore {
                "only letters, digits, '-' and '_' are allowed \
                 (write international names in their punycode A-label form)"
            } else {
                "only letters, digits and '-' are allowed \
                 (write international names in their punycode A-label form)"
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label starts or ends with '-'");
        }
    }
    Ok(())
}

/// What a DNS name in a certificate is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DnsRole {
    /// A dNSName in a subjectAltName: a host name, or `*.` and a host name.
    Presented,
    /// A dNSName name constraint: a host name, or empty (every name).
    Constraint,
}

/// RFC 5280, Section 4.2.1.6 and 4.2.1.10: a dNSName, in a subjectAltName or
/// a name constraint, is in the preferred name syntax (RFC 1034, Section 3.5:
/// letters, digits and hyphens; no underscore, no empty label, no leading or
/// trailing period). A subjectAltName may also be a wildcard as the whole
/// left-most label (RFC 6125, Section 6.4.3; CA/Browser Forum Baseline
/// Requirements, Section 7.1.2.7.12); a constraint may be empty.
///
/// Names that break these rules are refused rather than matched, so that a
/// constraint cannot be slipped past with a name that one reader normalises
/// and another does not (`.example.com`, `a..b`, `evil.com\0.example.com`).
pub(crate) fn check_dns_syntax(name: &str, role: DnsRole) -> Result<(), &'static str> {
    if name.is_empty() {
        return match role {
            DnsRole::Constraint => Ok(()),
            DnsRole::Presented => Err("it is empty"),
        };
    }
    if name.starts_with('.') {
        return Err(match role {
            DnsRole::Constraint => {
                "it starts with '.' (a leading period is uniformResourceIdentifier \
                 constraint syntax; a dNSName constraint already covers every name below it)"
            }
            DnsRole::Presented => "it starts with '.'",
        });
    }
    if name.ends_with('.') {
        return Err("it ends with '.'");
    }
    let host = match role {
        DnsRole::Presented => name.strip_prefix("*.").unwrap_or(name),
        DnsRole::Constraint => name,
    };
    check_labels(host, false)
}

/// RFC 5280, Section 4.2.1.6: an rfc822Name is a Mailbox of RFC 5321,
/// Section 4.1.2: a local part (a dot-atom, or a quoted string), `@`, and a
/// host name.
pub(crate) fn check_email_syntax(address: &str) -> Result<(), &'static str> {
    let Some((local, host)) = address.rsplit_once('@') else {
        return Err("it has no '@'");
    };
    check_local_part(local)?;
    check_host(host)
}

/// RFC 5280, Section 4.2.1.10: an rfc822Name constraint is a mailbox, a host
/// (every mailbox there), or `.` and a domain (every host below it).
pub(crate) fn check_email_constraint_syntax(base: &str) -> Result<(), &'static str> {
    if base.contains('@') {
        check_email_syntax(base)
    } else {
        check_host(base.strip_prefix('.').unwrap_or(base))
    }
}

fn check_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("its host part is empty");
    }
    if host.ends_with('.') {
        return Err("its host part ends with '.'");
    }
    check_labels(host, false)
}

/// RFC 5322, Section 3.2.3 and 3.4.1: a dot-atom of atext, or a quoted string
/// of printable characters (which may hold `@`).
fn check_local_part(local: &str) -> Result<(), &'static str> {
    if let Some(inner) = local
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        let mut escaped = false;
        for b in inner.bytes() {
            if !(b' '..=b'~').contains(&b) || (b == b'"' && !escaped) {
                return Err("its quoted local part holds a character it may not");
            }
            escaped = b == b'\\' && !escaped;
        }
        return if escaped {
            Err("its quoted local part ends with a lone '\\'")
        } else {
            Ok(())
        };
    }
    const SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    if local.is_empty() {
        return Err("its local part is empty");
    }
    for atom in local.split('.') {
        if atom.is_empty() {
            return Err("its local part has an empty dot-separated part");
        }
        if !atom
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || SPECIALS.contains(&b))
        {
            return Err(
                "its local part holds a character a mailbox may not (such as '@' \
                        outside quotes, a space, or a non-ASCII letter)",
            );
        }
    }
    Ok(())
}

/// One name a certificate is valid for, from its subjectAltName.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SanEntry<'a> {
    /// A dNSName, possibly a wildcard pattern.
    Dns(&'a str),
    /// An iPAddress (4 or 16 octets).
    Ip(&'a [u8]),
}

impl fmt::Display for SanEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SanEntry::Dns(name) => f.write_str(name),
            SanEntry::Ip(bytes) => match ip_from_bytes(bytes) {
                Some(ip) => write!(f, "{ip}"),
                None => write!(f, "<{}-byte iPAddress>", bytes.len()),
            },
        }
    }
}

/// The address in a 4- or 16-octet iPAddress.
pub(crate) fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Some(IpAddr::from(v4));
    }
    <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from)
}

/// True if `entry` makes the certificate valid for `name`.
pub(crate) fn san_matches(entry: &SanEntry<'_>, name: &ServerName) -> bool {
    match (entry, name) {
        (SanEntry::Dns(pattern), ServerName::DnsName(host)) => dns_name_matches(pattern, host),
        // RFC 6125, Section 6.4.4 / RFC 9525, Section 6.3: an IP address is
        // compared with iPAddress entries only, octet for octet, never with a
        // dNSName that happens to spell it.
        (SanEntry::Ip(bytes), ServerName::IpAddress(ip)) => ip_from_bytes(bytes) == Some(*ip),
        _ => false,
    }
}

/// Matches a dNSName from a certificate against a validated, lowercase host.
///
/// RFC 6125, Section 6.4.3 (as narrowed by RFC 9525, Section 6.3): comparison
/// is case-insensitive; a wildcard is allowed only as the entire left-most
/// label and matches exactly one label, so `*.example.com` matches
/// `a.example.com` but neither `example.com` nor `a.b.example.com`. Partial
/// wildcards (`a*.example.com`) match nothing, and a wildcard needs at least two
/// labels after it, so `*.com` cannot cover a whole top-level domain.
fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    match pattern.strip_prefix("*.") {
        Some(parent) => {
            if parent.contains('*') || !parent.contains('.') {
                return false;
            }
            match host.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest.eq_ignore_ascii_case(parent),
                None => false,
            }
        }
        None => !pattern.contains('*') && pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(s: &str) -> ServerName {
        ServerName::try_from(s).unwrap()
    }

    /// RFC 1035, Section 2.3.4: 63 characters a label and 253 a name, both
    /// included.
    #[test]
    fn labels_and_names_may_be_exactly_as_long_as_allowed() {
        let label = |c: &str, n: usize| c.repeat(n);
        let presented = |name: &str| check_dns_syntax(name, DnsRole::Presented);
        assert_eq!(presented(&format!("{}.com", label("a", 63))), Ok(()));
        assert_eq!(
            presented(&format!("{}.com", label("a", 64))),
            Err("a label is longer than 63 characters")
        );
        let longest = [
            label("a", 63),
            label("b", 63),
            label("c", 63),
            label("d", 61),
        ]
        .join(".");
        assert_eq!(longest.len(), 253);
        assert_eq!(presented(&longest), Ok(()));
        assert_eq!(
            presented(&format!("{longest}d")),
            Err("it is longer than 253 characters")
        );
    }

    /// RFC 5321, Section 4.1.2: a mailbox is a dot-atom or a quoted local
    /// part (printable characters, `\` escaping the next one), `@`, a host.
    #[test]
    fn mailboxes_have_a_local_part_and_a_host() {
        for good in [
            "a@example.com",
            "a.b+c@example.com",
            r#""a"@example.com"#,
            r#""a b@c"@example.com"#,
            r#""a\"b"@example.com"#,
            r#""a\\"@example.com"#,
        ] {
            assert_eq!(check_email_syntax(good), Ok(()), "{good}");
        }
        let character = Err("its quoted local part holds a character it may not");
        for (bad, why) in [
            (r#""a"b"@example.com"#, character),
            ("\"a\tb\"@example.com", character),
            (
                r#""a\"@example.com"#,
                Err("its quoted local part ends with a lone '\\'"),
            ),
            ("a@", Err("its host part is empty")),
            ("a@example.com.", Err("its host part ends with '.'")),
            ("a@-example.com", check_labels("-example.com", false)),
        ] {
            assert!(why.is_err());
            assert_eq!(check_email_syntax(bad), why, "{bad}");
        }
        assert_eq!(check_email_constraint_syntax(".example.com"), Ok(()));
        assert_eq!(
            check_email_constraint_syntax("."),
            Err("its host part is empty")
        );
    }

    #[test]
    fn server_names_parse_and_normalise() {
        assert_eq!(
            dns("Example.COM."),
            ServerName::DnsName("example.com".into())
        );
        assert_eq!(dns("_svc.example.com").to_string(), "_svc.example.com");
        assert_eq!(
            dns("127.0.0.1"),
            ServerName::IpAddress([127, 0, 0, 1].into())
        );
        assert_eq!(
            dns("[::1]"),
            ServerName::IpAddress("::1".parse::<IpAddr>().unwrap())
        );
        for bad in [
            "",
            ".",
            "a..b",
            "-a.com",
            "a-.com",
            "*.example.com",
            "a b.com",
            "1.2.3",
            "ex\u{e4}mple.com",
        ] {
            let err = ServerName::try_from(bad).unwrap_err();
            assert!(
                err.to_string()
                    .contains("is not a valid DNS name or IP address"),
                "{bad}: {err}"
            );
        }
        assert!(ServerName::try_from("a".repeat(64).as_str()).is_err());
    }

    #[test]
    fn exact_names_match_case_insensitively() {
        assert!(dns_name_matches("Example.com", "example.com"));
        assert!(dns_name_matches("example.com.", "example.com"));
        assert!(!dns_name_matches("example.com", "www.example.com"));
        assert!(!dns_name_matches("example.co", "example.com"));
    }

    #[test]
    fn wildcards_cover_exactly_one_left_most_label() {
        assert!(dns_name_matches("*.example.com", "a.example.com"));
        assert!(dns_name_matches("*.EXAMPLE.com", "a.example.com"));
        assert!(!dns_name_matches("*.example.com", "example.com"));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("a*.example.com", "ab.example.com"));
        assert!(!dns_name_matches("*a.example.com", "ba.example.com"));
        assert!(!dns_name_matches("a.*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.com", "example.com"));
        assert!(!dns_name_matches("*", "localhost"));
    }

    #[test]
    fn ip_addresses_match_only_ip_entries() {
        let ip = dns("192.0.2.1");
        assert!(san_matches(&SanEntry::Ip(&[192, 0, 2, 1]), &ip));
        assert!(!san_matches(&SanEntry::Dns("192.0.2.1"), &ip));
        assert!(!san_matches(&SanEntry::Ip(&[192, 0, 2, 2]), &ip));
        let host = dns("example.com");
        assert!(!san_matches(&SanEntry::Ip(&[192, 0, 2, 1]), &host));
        let v6 = dns("2001:db8::1");
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        bytes[15] = 1;
        assert!(san_matches(&SanEntry::Ip(&bytes), &v6));
        assert_eq!(SanEntry::Ip(&bytes).to_string(), "2001:db8::1");
    }
}
