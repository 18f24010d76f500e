//! What outlives a connection: resumable sessions.
//!
//! A full handshake leaves behind a [`state::SessionState`]: the version,
//! suite and secret (TLS 1.3: a ticket's PSK; TLS 1.2: the master secret)
//! and what the session was agreed for (server name, ALPN, the peer's
//! certificates). It is one plain struct with a versioned encoding, and the
//! one predicate that decides whether it may be resumed in a new handshake
//! ([`state::SessionState::resumable`]) lists every condition with its RFC.
//!
//! Where a session is kept:
//! - A **server** seals it into a ticket with [`TicketKeys`] (stateless,
//!   the default: any server holding the same keys can open it, which is
//!   how a fleet behind a load balancer resumes each other's sessions), or
//!   keeps it in a [`ServerSessionStore`] under a TLS 1.2 session ID or a
//!   TLS 1.3 ticket that is only an identifier (stateful: single use, so
//!   0-RTT can be protected from replay).
//! - A **client** keeps what servers gave it in a [`ClientSessionStore`]:
//!   several TLS 1.3 tickets per server (each used once) and one TLS 1.2
//!   session per server.
//!
//! Both stores hold encoded bytes, so an application can plug in a shared or
//! persistent store without seeing keyway's types; everything read back is
//! decoded and checked as untrusted input.
//!
//! Time comes from a [`Clock`] (the system clock unless a config sets
//! another), so ticket lifetimes, ticket ages and key rotation can be tested
//! without waiting.

pub(crate) mod state;
mod store;
mod ticket;

use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) use state::{Candidate, SessionState};
pub use store::{
    ClientSessionStore, InMemoryClientSessionStore, InMemoryServerSessionStore, ServerSessionStore,
};
pub use ticket::TicketKeys;

/// Where the current time comes from: ticket lifetimes and ages, key
/// rotation, certificate validity.
pub trait Clock: Send + Sync + core::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Milliseconds since the Unix epoch (0 for a clock set before it).
pub(crate) fn unix_millis(clock: &dyn Clock) -> u64 {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
