//! Pure selection functions: which suite, group, signature scheme and
//! application protocol a server picks. No state, no I/O: easy to test.

use crate::codec::extensions::{requests_ocsp, Extension, KeyShareEntry};
use crate::codec::messages::ClientHello;
use crate::codec::{CipherSuite, NamedGroup, SignatureScheme};
use crate::crypto::Tls13Suite;
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};

/// The first of our suites (server preference) that the client offered.
pub(crate) fn choose_suite(ours: &[Tls13Suite], offered: &[CipherSuite]) -> Option<Tls13Suite> {
    ours.iter().copied().find(|s| offered.contains(&s.suite))
}

/// The outcome of group selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupChoice {
    /// Use the client's key share at this index.
    Share(usize),
    /// Ask for a share in this group with a HelloRetryRequest.
    Retry(NamedGroup),
}

/// Picks a key exchange group (RFC 8446, Section 4.2.8).
///
/// A group for which the client already sent a share wins, to avoid a round
/// trip, taken in our preference order; otherwise the first of our groups the
/// client supports, requested through HelloRetryRequest.
pub(crate) fn choose_group(
    ours: &[NamedGroup],
    client_groups: &[NamedGroup],
    client_shares: &[KeyShareEntry],
) -> Option<GroupChoice> {
    for group in ours {
        if let Some(i) = client_shares.iter().position(|s| s.group == *group) {
            return Some(GroupChoice::Share(i));
        }
    }
    ours.iter()
        .find(|g| client_groups.contains(g))
        .map(|g| GroupChoice::Retry(*g))
}

/// The first of our signature schemes that the peer accepts.
pub(crate) fn choose_signature_scheme(
    ours: &[SignatureScheme],
    peer: &[SignatureScheme],
) -> Option<SignatureScheme> {
    ours.iter().copied().find(|s| peer.contains(s))
}

/// The first of our application protocols that the client offered
/// (RFC 7301, Section 3.2: the server chooses).
pub(crate) fn choose_alpn<'a>(ours: &'a [Vec<u8>], offered: &[Vec<u8>]) -> Option<&'a Vec<u8>> {
    ours.iter().find(|p| offered.contains(p))
}

/// Finds a typed extension in a ClientHello.
pub(crate) fn find<'a, T>(
    ch: &'a ClientHello,
    f: impl Fn(&'a Extension) -> Option<T>,
) -> Option<T> {
    ch.extensions.iter().find_map(f)
}

/// The server's ALPN answer to a ClientHello, for both versions: none if
/// either side has no list; RFC 7301, Section 3.2: no overlap is a fatal
/// no_application_protocol.
pub(crate) fn server_alpn(ours: &[Vec<u8>], ch: &ClientHello) -> Result<Option<Vec<u8>>, Error> {
    let offered = find(ch, |e| match e {
        Extension::Alpn(list) => Some(list.as_slice()),
        _ => None,
    });
    match offered {
        Some(offered) if !ours.is_empty() => Ok(Some(
            choose_alpn(ours, offered)
                .ok_or(PeerIncompatible::NoApplicationProtocol)?
                .clone(),
        )),
        _ => Ok(None),
    }
}

/// The OCSP response to staple for this client, both versions: the
/// certificate's, if it has one and the client's status_request asks for
/// OCSP (RFC 6066, Section 8; RFC 8446, Section 4.4.2.1).
pub(crate) fn stapled_response<'a>(
    ch: &ClientHello,
    certified_key: &'a crate::server::CertifiedKey,
) -> Option<&'a [u8]> {
    let asked = find(ch, |e| match e {
        Extension::StatusRequest(body) => Some(requests_ocsp(body)),
        _ => None,
    });
    match asked {
        Some(true) => certified_key.ocsp_response.as_deref(),
        _ => None,
    }
}

/// The host name a ClientHello asks for (RFC 6066, Section 3), lowercased.
///
/// RFC 6066, Section 3: HostName is "the fully qualified DNS hostname of the
/// server", without a trailing dot, and "literal IPv4 and IPv6 addresses are
/// not permitted". A name that is not one ("../../etc/passwd", "a b",
/// "*.example.com", "192.0.2.1") is illegal_parameter, so what
/// `negotiated().server_name` reports is always a plain host name an
/// application may use to pick a certificate or a file.
pub(crate) fn server_name(ch: &ClientHello) -> Result<Option<String>, Error> {
    let Some(name) = find(ch, |e| match e {
        Extension::ServerName(name) => Some(name),
        _ => None,
    }) else {
        return Ok(None);
    };
    match core::str::from_utf8(name) {
        Ok(name) if is_host_name(name) => Ok(Some(name.to_ascii_lowercase())),
        _ => Err(PeerMisbehaved::IllegalParameter("server_name is not a DNS host name").into()),
    }
}

/// A DNS host name as SNI carries it: at most 253 bytes of dot-separated
/// labels, each 1 to 63 letters, digits, hyphens or underscores (found in real
/// internal names, so accepted), neither starting nor ending with a hyphen;
/// no trailing dot; and not an IP address (its last label is not all digits,
/// and `:` never appears).
pub(crate) fn is_host_name(name: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let all_digits = |label: &str| label.bytes().all(|b| b.is_ascii_digit());
    name.len() <= 253
        && name.split('.').all(label_ok)
        && !name.rsplit('.').next().is_some_and(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256};

    fn share(group: NamedGroup) -> KeyShareEntry {
        KeyShareEntry {
            group,
            key_exchange: vec![1],
        }
    }

    #[test]
    fn suite_follows_server_preference_and_skips_unknown() {
        let ours = [TLS13_CHACHA20_POLY1305_SHA256, TLS13_AES_256_GCM_SHA384];
        let offered = [
            CipherSuite(0x0a0a),
            CipherSuite::TLS_AES_256_GCM_SHA384,
            CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
        ];
        assert_eq!(
            choose_suite(&ours, &offered),
            Some(TLS13_CHACHA20_POLY1305_SHA256)
        );
        assert_eq!(
            choose_suite(&ours, &[CipherSuite::TLS_AES_128_GCM_SHA256]),
            None
        );
    }

    #[test]
    fn group_prefers_an_existing_share_then_asks_for_retry() {
        let ours = [NamedGroup::X25519, NamedGroup::SECP256R1];
        let groups = [
            NamedGroup::SECP384R1,
            NamedGroup::SECP256R1,
            NamedGroup::X25519,
        ];
        let shares = [share(NamedGroup(0x2a2a)), share(NamedGroup::SECP256R1)];
        assert_eq!(
            choose_group(&ours, &groups, &shares),
            Some(GroupChoice::Share(1))
        );
        assert_eq!(
            choose_group(&ours, &groups, &[]),
            Some(GroupChoice::Retry(NamedGroup::X25519))
        );
        assert_eq!(choose_group(&ours, &[NamedGroup::SECP384R1], &[]), None);
    }

    #[test]
    fn only_dns_host_names_are_server_names() {
        for good in [
            "example.com",
            "EXAMPLE.com",
            "localhost",
            "a-b.c_d.example",
            "xn--bcher-kva.example",
            "1password.com",
            &format!("{}.com", "a".repeat(63)),
            &format!("{}a", "a.".repeat(126)),
        ] {
            assert!(is_host_name(good), "{good}");
        }
        for bad in [
            "",
            "../../etc/passwd",
            "a b",
            "*.example.com",
            "example.com.",
            ".example.com",
            "a..b",
            "-a.example",
            "a-.example",
            "192.0.2.1",
            "10.0.0",
            "::1",
            "[::1]",
            "fe80::1",
            "caf\u{e9}.example",
            "a\0b",
            &format!("{}.com", "a".repeat(64)),
            &format!("{}aa", "a.".repeat(126)),
        ] {
            assert!(!is_host_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn alpn_is_the_servers_choice() {
        let ours = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let offered = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
        assert_eq!(choose_alpn(&ours, &offered), Some(&b"h2".to_vec()));
        assert_eq!(choose_alpn(&ours, &[b"spdy/3".to_vec()]), None);
    }
}
