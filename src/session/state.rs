//! The state of a resumable session, its encoding, and the one predicate
//! that decides whether it may be resumed.
// Tickets and stored sessions come back from outside (a ticket from the
// peer, a store the application plugs in): no panic on their bytes.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use zeroize::Zeroizing;

use crate::codec::{encode_with, CipherSuite, ProtocolVersion, Reader};
use crate::crypto::{tls12_suite, tls13_suite};
use crate::error::Error;

/// The encoding's version: a session written by another layout is not used.
const FORMAT: u8 = 1;

/// RFC 8446, Section 4.6.1: a ticket may not be used for longer than 7 days.
pub(crate) const MAX_LIFETIME_SECS: u32 = 7 * 24 * 3600;

/// A resumable session, as a server seals it into a ticket or stores it,
/// and as a client keeps it.
///
/// `Debug` shows what the session is for, never its secret.
pub(crate) struct SessionState {
    /// TLS 1.3 or TLS 1.2.
    pub version: ProtocolVersion,
    /// The cipher suite of the handshake that made it.
    pub suite: CipherSuite,
    /// TLS 1.3: the ticket's PSK (RFC 8446, Section 4.6.1). TLS 1.2: the
    /// master secret.
    pub secret: Zeroizing<Vec<u8>>,
    /// TLS 1.2: the master secret was an extended one (RFC 7627).
    pub extended_master_secret: bool,
    /// The server name (SNI) of the handshake that made it.
    pub server_name: Option<String>,
    /// The application protocol of the handshake that made it.
    pub alpn: Option<Vec<u8>>,
    /// The peer's certificates, leaf first: a resumed connection keeps the
    /// identity the full handshake established.
    pub peer_certificates: Vec<Vec<u8>>,
    /// When it was made (server) or received (client), ms since the epoch.
    pub created_ms: u64,
    /// How long it may be used, in seconds (at most 7 days).
    pub lifetime_secs: u32,
    /// TLS 1.3: ticket_age_add (RFC 8446, Section 4.6.1).
    pub age_add: u32,
    /// TLS 1.3: max_early_data_size of the ticket; 0 allows no early data.
    pub max_early_data: u32,
    /// Client side: the ticket to present (TLS 1.3 or RFC 5077), or empty.
    pub ticket: Vec<u8>,
    /// Client side: the TLS 1.2 session ID to present, or empty.
    pub session_id: Vec<u8>,
}

impl core::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionState")
            .field("version", &self.version)
            .field("suite", &self.suite)
            .field("server_name", &self.server_name)
            .field("created_ms", &self.created_ms)
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

/// Why a session was not resumed (a full handshake follows, never an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotResumable {
    /// Another protocol version is being negotiated.
    Version,
    /// TLS 1.3: the suite's hash differs from the PSK's (RFC 8446, Section
    /// 4.2.11); TLS 1.2: the suite is not the session's, or not offered and
    /// enabled (RFC 5246, Section 7.4.1.2).
    Suite,
    /// Its lifetime is over.
    Expired,
    /// The server name differs (RFC 6066, Section 3; RFC 8446, Section 4.6.1).
    ServerName,
    /// The application protocol would change.
    Alpn,
    /// The extended master secret use differs (RFC 7627, Section 5.3).
    ExtendedMasterSecret,
}

/// The handshake a session is considered for.
pub(crate) struct Candidate<'a> {
    pub version: ProtocolVersion,
    /// The suite this handshake would use (TLS 1.3: chosen by the server;
    /// TLS 1.2: the session's suite must be offered and enabled, which the
    /// caller checks by passing it only then).
    pub suite: CipherSuite,
    pub server_name: Option<&'a str>,
    pub alpn: Option<&'a [u8]>,
    /// TLS 1.2: this handshake uses the extended master secret.
    pub extended_master_secret: bool,
    pub now_ms: u64,
}

impl SessionState {
    /// Whether this session may be resumed in `here`: every condition, each
    /// with its reason. A session that fails any is not used, and the
    /// handshake goes on as a full one.
    pub(crate) fn resumable(&self, here: &Candidate<'_>) -> Result<(), NotResumable> {
        if self.version != here.version {
            return Err(NotResumable::Version);
        }
        // RFC 8446, Section 4.2.11: a PSK may be used with a suite of the
        // same hash. RFC 5246, Section 7.4.1.2 / RFC 5077, Section 3.4: a
        // resumed TLS 1.2 session keeps its suite.
        let suite_ok = match self.version {
            ProtocolVersion::TLS13 => match (tls13_suite(self.suite), tls13_suite(here.suite)) {
                (Some(ours), Some(theirs)) => ours.hash == theirs.hash,
                _ => false,
            },
            _ => self.suite == here.suite && tls12_suite(self.suite).is_some(),
        };
        if !suite_ok {
            return Err(NotResumable::Suite);
        }
        let lifetime_ms = u64::from(self.lifetime_secs.min(MAX_LIFETIME_SECS)).saturating_mul(1000);
        if here.now_ms >= self.created_ms.saturating_add(lifetime_ms)
            || here.now_ms.saturating_add(60_000) < self.created_ms
        {
            return Err(NotResumable::Expired);
        }
        // RFC 6066, Section 3: a session is resumed only for the name it was
        // made for; RFC 8446, Section 4.6.1 ties a ticket to its SNI too.
        if self.server_name.as_deref() != here.server_name {
            return Err(NotResumable::ServerName);
        }
        if self.alpn.as_deref() != here.alpn {
            return Err(NotResumable::Alpn);
        }
        // RFC 7627, Section 5.3: never resume a session made without the
        // extended master secret into a handshake that has it, or the reverse.
        if self.version == ProtocolVersion::TLS12
            && self.extended_master_secret != here.extended_master_secret
        {
            return Err(NotResumable::ExtendedMasterSecret);
        }
        Ok(())
    }

    /// Milliseconds since this session was made or received (0 if the clock
    /// went back).
    pub(crate) fn age_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.created_ms)
    }

    /// The versioned encoding.
    pub(crate) fn encode(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let opt = |v: Option<&[u8]>| v.unwrap_or_default().to_vec();
        encode_with(|w| {
            w.u8(FORMAT);
            w.u16(self.version.0);
            w.u16(self.suite.0);
            w.vec8(|w| w.bytes(&self.secret));
            w.u8(u8::from(self.extended_master_secret));
            w.u8(u8::from(self.server_name.is_some()));
            w.vec8(|w| w.bytes(&opt(self.server_name.as_deref().map(str::as_bytes))));
            w.u8(u8::from(self.alpn.is_some()));
            w.vec8(|w| w.bytes(&opt(self.alpn.as_deref())));
            w.vec24(|w| {
                for cert in &self.peer_certificates {
                    w.vec24(|w| w.bytes(cert));
                }
            });
            w.u32((self.created_ms >> 32) as u32);
            w.u32(self.created_ms as u32);
            w.u32(self.lifetime_secs);
            w.u32(self.age_add);
            w.u32(self.max_early_data);
            w.vec16(|w| w.bytes(&self.ticket));
            w.vec8(|w| w.bytes(&self.session_id));
        })
        .map(Zeroizing::new)
    }

    /// Decodes what [`SessionState::encode`] wrote; anything else (another
    /// format, trailing bytes, an unknown suite) is `None`.
    pub(crate) fn decode(bytes: &[u8]) -> Option<SessionState> {
        let mut r = Reader::new(bytes);
        if r.u8("format").ok()? != FORMAT {
            return None;
        }
        let version = ProtocolVersion(r.u16("version").ok()?);
        let suite = CipherSuite(r.u16("suite").ok()?);
        let secret = Zeroizing::new(r.vec8("secret").ok()?.to_vec());
        let extended_master_secret = flag(r.u8("ems").ok()?)?;
        let has_name = flag(r.u8("has server_name").ok()?)?;
        let name = r.vec8("server_name").ok()?;
        let server_name = match has_name {
            true => Some(String::from_utf8(name.to_vec()).ok()?),
            false => None,
        };
        let has_alpn = flag(r.u8("has alpn").ok()?)?;
        let alpn = r.vec8("alpn").ok()?;
        let alpn = has_alpn.then(|| alpn.to_vec());
        let mut certs = Reader::new(r.vec24("peer_certificates").ok()?);
        let mut peer_certificates = Vec::new();
        while !certs.is_empty() {
            peer_certificates.push(certs.vec24("certificate").ok()?.to_vec());
        }
        let created_ms =
            u64::from(r.u32("created").ok()?) << 32 | u64::from(r.u32("created").ok()?);
        let lifetime_secs = r.u32("lifetime").ok()?;
        let age_add = r.u32("age_add").ok()?;
        let max_early_data = r.u32("max_early_data").ok()?;
        let ticket = r.vec16("ticket").ok()?.to_vec();
        // RFC 5246, Section 7.4.1.2: at most 32 bytes, as the ServerHello
        // it came from; a store handing back more is not offered.
        let session_id = r.vec8("session_id").ok()?.to_vec();
        if session_id.len() > 32 {
            return None;
        }
        r.finish("session").ok()?;
        let known = match version {
            ProtocolVersion::TLS13 => tls13_suite(suite).is_some(),
            ProtocolVersion::TLS12 => tls12_suite(suite).is_some(),
            _ => false,
        };
        known.then_some(SessionState {
            version,
            suite,
            secret,
            extended_master_secret,
            server_name,
            alpn,
            peer_certificates,
            created_ms,
            lifetime_secs,
            age_add,
            max_early_data,
            ticket,
            session_id,
        })
    }
}

fn flag(byte: u8) -> Option<bool> {
    match byte {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SessionState {
        SessionState {
            version: ProtocolVersion::TLS13,
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            secret: Zeroizing::new(vec![7; 32]),
            extended_master_secret: false,
            server_name: Some("example.com".into()),
            alpn: Some(b"h2".to_vec()),
            peer_certificates: vec![vec![1, 2, 3], vec![4]],
            created_ms: 1_800_000_000_000,
            lifetime_secs: 3600,
            age_add: 0xdead_beef,
            max_early_data: 16384,
            ticket: vec![9; 40],
            session_id: Vec::new(),
        }
    }

    fn here() -> Candidate<'static> {
        Candidate {
            version: ProtocolVersion::TLS13,
            suite: CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
            server_name: Some("example.com"),
            alpn: Some(b"h2"),
            extended_master_secret: true,
            now_ms: 1_800_000_000_000 + 1000,
        }
    }

    #[test]
    fn the_encoding_round_trips_and_refuses_anything_else() {
        let s = session();
        let bytes = s.encode().unwrap();
        let back = SessionState::decode(&bytes).unwrap();
        assert_eq!(back.encode().unwrap(), bytes);
        assert_eq!(back.peer_certificates, s.peer_certificates);
        assert_eq!((back.age_add, back.created_ms), (s.age_add, s.created_ms));
        // Every truncation, a trailing byte, another format.
        for len in 0..bytes.len() {
            assert!(SessionState::decode(&bytes[..len]).is_none(), "{len}");
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(SessionState::decode(&longer).is_none());
        let mut other = bytes.to_vec();
        other[0] = 2;
        assert!(SessionState::decode(&other).is_none());
        // A session ID of 32 bytes is one, of 33 no TLS session's.
        let mut id = session();
        id.session_id = vec![3; 32];
        assert!(SessionState::decode(&id.encode().unwrap()).is_some());
        id.session_id = vec![3; 33];
        assert!(SessionState::decode(&id.encode().unwrap()).is_none());
        // An unknown suite is not a session we can use.
        let mut unknown = session();
        unknown.suite = CipherSuite(0x1304);
        assert!(SessionState::decode(&unknown.encode().unwrap()).is_none());
        // No secret in Debug.
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn each_condition_of_resumption_is_checked() {
        let s = session();
        assert_eq!(s.resumable(&here()), Ok(()), "same hash, another suite");
        let cases: [(Candidate<'static>, NotResumable); 6] = [
            (
                Candidate {
                    version: ProtocolVersion::TLS12,
                    ..here()
                },
                NotResumable::Version,
            ),
            (
                Candidate {
                    suite: CipherSuite::TLS_AES_256_GCM_SHA384,
                    ..here()
                },
                NotResumable::Suite,
            ),
            (
                Candidate {
                    now_ms: s.created_ms + 3_600_000,
                    ..here()
                },
                NotResumable::Expired,
            ),
            (
                Candidate {
                    now_ms: s.created_ms - 120_000,
                    ..here()
                },
                NotResumable::Expired,
            ),
            (
                Candidate {
                    server_name: Some("other.example"),
                    ..here()
                },
                NotResumable::ServerName,
            ),
            (
                Candidate {
                    alpn: None,
                    ..here()
                },
                NotResumable::Alpn,
            ),
        ];
        for (candidate, why) in cases {
            assert_eq!(s.resumable(&candidate), Err(why));
        }
        // The edges: usable until the last millisecond of its lifetime, and
        // from up to a minute before it was made (a clock a little behind).
        for (now_ms, ok) in [
            (s.created_ms + 3_600_000 - 1, true),
            (s.created_ms - 60_000, true),
            (s.created_ms - 60_001, false),
        ] {
            let candidate = Candidate { now_ms, ..here() };
            assert_eq!(s.resumable(&candidate).is_ok(), ok, "{now_ms}");
        }
        // TLS 1.2: the same suite and the same extended master secret use.
        let mut tls12 = session();
        tls12.version = ProtocolVersion::TLS12;
        tls12.suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        tls12.extended_master_secret = true;
        let here12 = Candidate {
            version: ProtocolVersion::TLS12,
            suite: tls12.suite,
            ..here()
        };
        assert_eq!(tls12.resumable(&here12), Ok(()));
        let other_suite = Candidate {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            ..here12
        };
        assert_eq!(tls12.resumable(&other_suite), Err(NotResumable::Suite));
        let no_ems = Candidate {
            extended_master_secret: false,
            ..here12
        };
        assert_eq!(
            tls12.resumable(&no_ems),
            Err(NotResumable::ExtendedMasterSecret)
        );
        tls12.extended_master_secret = false;
        assert_eq!(
            tls12.resumable(&here12),
            Err(NotResumable::ExtendedMasterSecret)
        );
    }
}
