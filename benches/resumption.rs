//! Resumed handshakes, keyway and rustls side by side in one run, in memory,
//! with the same certificates (ECDSA P-256 leaf under an intermediate),
//! X25519 (secp256r1 listed as well, for the TLS 1.2 ECDSA certificate) and
//! AES-128-GCM:
//!
//! - `resumed/tls13-ticket`: a TLS 1.3 PSK-DHE handshake on a ticket the
//!   server sealed (stateless on both stacks: keyway's default, rustls with
//!   its ring `Ticketer`); each handshake uses one ticket and the server
//!   sends two new ones, as both stacks do by default;
//! - `resumed/tls12-session-id`: a TLS 1.2 abbreviated handshake
//!   (ECDHE_ECDSA) on a session ID the server keeps in its session cache;
//! - `resumed/tls12-ticket`: the same on an RFC 5077 ticket;
//! - `full/tls13` and `full/tls12`: full handshakes with the same settings,
//!   for scale.
//!
//! `cargo bench --bench resumption` (add `-- tls13` etc. to pick rows).
//!
//! Before the timed rows it prints the heap a keyway server session store
//! holds per TLS 1.2 session (counted by the `cap` allocator wrapper: bytes
//! requested and not yet freed, without the allocator's own overhead).

#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::System;
use std::sync::Arc;

use cap::Cap;
use criterion::{criterion_group, criterion_main, Criterion};
use keyway::session::{InMemoryServerSessionStore, ServerSessionStore};
use keyway::{CipherSuite, NamedGroup, ProtocolVersion};
use rustls::pki_types::ServerName;
use support::side_by_side::rustls_configs_on;
use support::{KeyKind, TestPki};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// How a handshake resumes, or not.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Tls13Ticket,
    Tls12SessionId,
    Tls12Ticket,
    Tls13Full,
    Tls12Full,
}

impl Kind {
    fn tls12(self) -> bool {
        matches!(
            self,
            Kind::Tls12SessionId | Kind::Tls12Ticket | Kind::Tls12Full
        )
    }

    fn resumes(self) -> bool {
        !matches!(self, Kind::Tls13Full | Kind::Tls12Full)
    }

    fn tickets(self) -> bool {
        matches!(self, Kind::Tls13Ticket | Kind::Tls12Ticket)
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Tls13Ticket => "resumed/tls13-ticket",
            Kind::Tls12SessionId => "resumed/tls12-session-id",
            Kind::Tls12Ticket => "resumed/tls12-ticket",
            Kind::Tls13Full => "full/tls13",
            Kind::Tls12Full => "full/tls12",
        }
    }
}

fn keyway_configs(
    pki: &TestPki,
    kind: Kind,
    store: Arc<dyn ServerSessionStore>,
) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    let (version, suite) = match kind.tls12() {
        true => (
            ProtocolVersion::TLS12,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        false => (ProtocolVersion::TLS13, CipherSuite::TLS_AES_128_GCM_SHA256),
    };
    let mut client = keyway::ClientConfig::builder(pki.root_store())
        .versions(&[version])
        .cipher_suites(&[suite])
        // secp256r1 too: a TLS 1.2 server needs the client to list its
        // certificate's curve.
        .groups(&[NamedGroup::X25519, NamedGroup::SECP256R1])
        .key_shares(&[NamedGroup::X25519]);
    if !kind.resumes() {
        client = client.session_store(None);
    }
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .session_tickets(if kind.tickets() { 2 } else { 0 })
        .session_store(kind.resumes().then_some(store));
    (
        Arc::new(client.build().unwrap()),
        Arc::new(server.build().unwrap()),
    )
}

fn rustls_configs(
    pki: &TestPki,
    kind: Kind,
) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    use rustls::crypto::ring::{cipher_suite, default_provider, kx_group, Ticketer};
    let (version, suite) = match kind.tls12() {
        true => (
            &rustls::version::TLS12,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        false => (
            &rustls::version::TLS13,
            cipher_suite::TLS13_AES_128_GCM_SHA256,
        ),
    };
    let provider = rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1],
        ..default_provider()
    };
    let (mut client, mut server) = rustls_configs_on(pki, provider, version);
    if !kind.resumes() {
        client.resumption = rustls::client::Resumption::disabled();
    }
    match (kind.resumes(), kind.tickets()) {
        (false, _) => {
            server.send_tls13_tickets = 0;
            server.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        }
        (true, true) => server.ticketer = Ticketer::new().unwrap(),
        // Session IDs: rustls's default in-memory session cache.
        (true, false) => {}
    }
    (Arc::new(client), Arc::new(server))
}

/// One keyway handshake to its end (tickets included); whether it resumed.
fn keyway_handshake(
    client: &Arc<keyway::ClientConfig>,
    server: &Arc<keyway::ServerConfig>,
) -> bool {
    let mut c = keyway::ClientConnection::new(client.clone(), "example.com").unwrap();
    let mut s = keyway::ServerConnection::new(server.clone());
    support::handshake(&mut c, &mut s).unwrap();
    c.negotiated().resumed
}

/// Moves what one rustls connection has to send to the other.
fn rustls_transfer(
    from: &mut impl std::ops::DerefMut<Target = rustls::ConnectionCommon<impl Sized>>,
    to: &mut impl std::ops::DerefMut<Target = rustls::ConnectionCommon<impl Sized>>,
    buf: &mut Vec<u8>,
) {
    buf.clear();
    while from.wants_write() {
        from.write_tls(buf).unwrap();
    }
    let mut slice = &buf[..];
    while !slice.is_empty() {
        to.read_tls(&mut slice).unwrap();
        to.process_new_packets().unwrap();
    }
}

/// One rustls handshake to its end (tickets included); whether it resumed.
fn rustls_handshake(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<rustls::ServerConfig>,
) -> bool {
    let name = ServerName::try_from("example.com").unwrap();
    let mut c = rustls::ClientConnection::new(client.clone(), name).unwrap();
    let mut s = rustls::ServerConnection::new(server.clone()).unwrap();
    let mut buf = Vec::new();
    for _ in 0..10 {
        if !c.is_handshaking() && !s.is_handshaking() && !c.wants_write() && !s.wants_write() {
            break;
        }
        rustls_transfer(&mut c, &mut s, &mut buf);
        rustls_transfer(&mut s, &mut c, &mut buf);
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    c.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
}

fn resumption(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    print_session_store_memory(&pki);

    for kind in [
        Kind::Tls13Ticket,
        Kind::Tls12SessionId,
        Kind::Tls12Ticket,
        Kind::Tls13Full,
        Kind::Tls12Full,
    ] {
        let store = Arc::new(InMemoryServerSessionStore::new(1024));
        let (kc, ks) = keyway_configs(&pki, kind, store);
        let (rc, rs) = rustls_configs(&pki, kind);
        // A first handshake fills the client's store; every later one must
        // resume (or, for the full rows, must not), on both stacks.
        keyway_handshake(&kc, &ks);
        rustls_handshake(&rc, &rs);
        assert_eq!(
            keyway_handshake(&kc, &ks),
            kind.resumes(),
            "keyway {}",
            kind.name()
        );
        assert_eq!(
            rustls_handshake(&rc, &rs),
            kind.resumes(),
            "rustls {}",
            kind.name()
        );

        let mut group = c.benchmark_group(kind.name());
        group.bench_function("keyway", |b| b.iter(|| keyway_handshake(&kc, &ks)));
        group.bench_function("rustls", |b| b.iter(|| rustls_handshake(&rc, &rs)));
        group.finish();
    }
}

/// Fills a keyway server session store with TLS 1.2 sessions from real
/// handshakes (a fresh client each, so each adds one session) and prints
/// the heap it holds per session.
fn print_session_store_memory(pki: &TestPki) {
    const SESSIONS: usize = 1000;
    let store = Arc::new(InMemoryServerSessionStore::new(SESSIONS));
    let (_, server) = keyway_configs(pki, Kind::Tls12SessionId, store.clone());
    let (client, _) = keyway_configs(pki, Kind::Tls12Full, store.clone());
    let before = ALLOC.allocated();
    for _ in 0..SESSIONS {
        keyway_handshake(&client, &server);
    }
    let held = ALLOC.allocated().saturating_sub(before);
    assert_eq!(store.len(), SESSIONS);
    println!(
        "keyway server session store: {SESSIONS} TLS 1.2 sessions hold {held} bytes, {} bytes each",
        held / SESSIONS
    );
}

criterion_group!(benches, resumption);
criterion_main!(benches);
