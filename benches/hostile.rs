//! What the largest legal ClientHello costs a server, beside an ordinary one:
//! 32,767 cipher suites and an extension block filled to 65,535 bytes with
//! 16,000+ distinct empty extensions (131 KB in all), which the default
//! `Limits` accept because the protocol allows it.
//!
//! `cargo bench --bench hostile`. Each iteration is a fresh server
//! connection reading the hello and answering with its whole flight
//! (ECDHE and an ECDSA P-256 signature included), so the ratio of the two
//! rows is the hello's extra cost over a whole server handshake step.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use keyway::codec::messages::{ClientHello, HandshakeMessage};
use keyway::codec::{ContentType, HandshakeType, ProtocolVersion};
use support::{KeyKind, TestPki};

fn client_hello(pki: &TestPki) -> ClientHello {
    let config = keyway::ClientConfig::builder(pki.root_store())
        .build()
        .unwrap();
    let bytes = keyway::ClientConnection::new(Arc::new(config), "example.com")
        .unwrap()
        .take_tls();
    match HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &bytes[9..]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    }
}

fn records(ch: ClientHello) -> Vec<u8> {
    let mut msg = Vec::new();
    HandshakeMessage::ClientHello(ch).encode(&mut msg).unwrap();
    let mut out = Vec::new();
    keyway::record::write_plaintext_records(
        ProtocolVersion::TLS12,
        ContentType::HANDSHAKE,
        &msg,
        1 << 14,
        &mut out,
    )
    .unwrap();
    out
}

fn client_hellos(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let config = Arc::new(
        keyway::ServerConfig::builder()
            .certificate(pki.certified_key())
            .build()
            .unwrap(),
    );
    let ordinary = records(client_hello(&pki));
    let largest = records(support::largest_client_hello(client_hello(&pki)));
    let mut group = c.benchmark_group("client_hello");
    for (name, wire) in [("ordinary", &ordinary), ("largest-legal", &largest)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut server = keyway::ServerConnection::new(config.clone());
                let mut offset = 0;
                while offset < wire.len() {
                    offset += server.read_tls_bytes(&wire[offset..]).unwrap();
                    server.process().unwrap();
                }
                assert!(server.wants_write());
                server
            })
        });
    }
    group.finish();
}

criterion_group!(benches, client_hellos);
criterion_main!(benches);
