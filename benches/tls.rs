//! keyway and rustls side by side in one run: an in-memory TLS 1.3 full
//! handshake (X25519 + ECDSA P-256) and a bulk transfer (AES-128-GCM, 16 KiB
//! writes), with the same certificates.
//!
//! `cargo bench --bench tls` (add `-- handshake` or `-- throughput` to pick one).
//! Both stacks use ring; the rustls server sends no session tickets, as keyway
//! does not, so the handshakes do the same work.
//!
//! The post-quantum hybrid is keyway only: rustls 0.23's ring provider has
//! no ML-KEM (only its aws-lc-rs provider does). `handshake/tls13-x25519mlkem768/keyway`
//! is the full handshake with keyway's default key shares (X25519MLKEM768 and
//! x25519; the server takes the hybrid), and `handshake-side/{client,server}/*`
//! splits that handshake and the X25519 one by side: the time each side
//! spends building its first message and processing the peer's flights.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keyway::{CipherSuite, NamedGroup};
use support::{KeyKind, TestPki};

const WRITE: usize = 16 * 1024;
const WRITES_PER_ITER: usize = 64; // 1 MiB per iteration

fn keyway_configs(pki: &TestPki) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    keyway_configs_with(pki, &[NamedGroup::X25519])
}

/// `groups` for the client (its default key shares follow from them); the
/// server keeps its defaults, which prefer the hybrids.
fn keyway_configs_with(
    pki: &TestPki,
    groups: &[NamedGroup],
) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    let client = keyway::ClientConfig::builder(pki.root_store())
        .cipher_suites(&[CipherSuite::TLS_AES_128_GCM_SHA256])
        .groups(groups)
        .build()
        .unwrap();
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    (Arc::new(client), Arc::new(server))
}

fn keyway_pair(pki: &TestPki) -> (keyway::ClientConnection, keyway::ServerConnection) {
    let (client_config, server_config) = keyway_configs(pki);
    let mut client = keyway::ClientConnection::new(client_config, "example.com").unwrap();
    let mut server = keyway::ServerConnection::new(server_config);
    support::handshake(&mut client, &mut server).unwrap();
    (client, server)
}

fn rustls_configs(pki: &TestPki) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256],
        kx_groups: vec![rustls::crypto::ring::kx_group::X25519],
        ..rustls::crypto::ring::default_provider()
    });
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.root_der.clone()))
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let chain = vec![
        CertificateDer::from(pki.leaf_der.clone()),
        CertificateDer::from(pki.intermediate_der.clone()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone()));
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    server.send_tls13_tickets = 0;
    (Arc::new(client), Arc::new(server))
}

/// Moves TLS bytes from one rustls connection to the other.
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

fn rustls_pair(
    client_config: &Arc<rustls::ClientConfig>,
    server_config: &Arc<rustls::ServerConfig>,
) -> (rustls::ClientConnection, rustls::ServerConnection) {
    let name = rustls::pki_types::ServerName::try_from("example.com").unwrap();
    let mut client = rustls::ClientConnection::new(client_config.clone(), name).unwrap();
    let mut server = rustls::ServerConnection::new(server_config.clone()).unwrap();
    let mut buf = Vec::new();
    while client.is_handshaking()
        || server.is_handshaking()
        || client.wants_write()
        || server.wants_write()
    {
        rustls_transfer(&mut client, &mut server, &mut buf);
        rustls_transfer(&mut server, &mut client, &mut buf);
    }
    (client, server)
}

fn handshake(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let mut group = c.benchmark_group("handshake");
    let (kc, ks) = keyway_configs(&pki);
    group.bench_function("tls13-ecdsa/keyway", |b| {
        b.iter(|| {
            let mut client = keyway::ClientConnection::new(kc.clone(), "example.com").unwrap();
            let mut server = keyway::ServerConnection::new(ks.clone());
            support::handshake(&mut client, &mut server).unwrap();
        })
    });
    let (rc, rs) = rustls_configs(&pki);
    group.bench_function("tls13-ecdsa/rustls", |b| b.iter(|| rustls_pair(&rc, &rs)));
    let (kc, ks) = keyway_configs_with(&pki, &DEFAULT_GROUPS);
    group.bench_function("tls13-x25519mlkem768/keyway", |b| {
        b.iter(|| {
            let mut client = keyway::ClientConnection::new(kc.clone(), "example.com").unwrap();
            let mut server = keyway::ServerConnection::new(ks.clone());
            support::handshake(&mut client, &mut server).unwrap();
            assert_eq!(client.negotiated().group, Some(NamedGroup::X25519MLKEM768));
        })
    });
    group.finish();

    let mut group = c.benchmark_group("handshake-side");
    for (name, groups) in [
        ("x25519", &[NamedGroup::X25519][..]),
        ("x25519mlkem768", &DEFAULT_GROUPS[..]),
    ] {
        let (kc, ks) = keyway_configs_with(&pki, groups);
        for side in [Side::Client, Side::Server] {
            let id = format!("{}/{name}", side.name());
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| timed_handshake(&kc, &ks)[side as usize])
                        .sum()
                })
            });
        }
    }
    group.finish();
}

/// keyway's default groups: the hybrids first, so the default key shares are
/// X25519MLKEM768 and x25519.
const DEFAULT_GROUPS: [NamedGroup; 5] = [
    NamedGroup::X25519MLKEM768,
    NamedGroup::SECP256R1MLKEM768,
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

#[derive(Clone, Copy)]
enum Side {
    Client = 0,
    Server = 1,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
}

/// One in-memory handshake; returns the time the client and the server each
/// spent in their own code: creating the connection (the client's includes
/// its ClientHello and key shares) and reading and processing what the peer
/// sent.
fn timed_handshake(
    kc: &Arc<keyway::ClientConfig>,
    ks: &Arc<keyway::ServerConfig>,
) -> [std::time::Duration; 2] {
    use std::time::Instant;
    let mut spent = [std::time::Duration::ZERO; 2];
    let start = Instant::now();
    let mut client = keyway::ClientConnection::new(kc.clone(), "example.com").unwrap();
    spent[0] += start.elapsed();
    let start = Instant::now();
    let mut server = keyway::ServerConnection::new(ks.clone());
    spent[1] += start.elapsed();
    for _ in 0..10 {
        if !client.is_handshaking() && !server.is_handshaking() {
            break;
        }
        let bytes = client.take_tls();
        let start = Instant::now();
        server.read_tls_bytes(&bytes).unwrap();
        server.process().unwrap();
        let bytes = server.take_tls();
        spent[1] += start.elapsed();
        let start = Instant::now();
        client.read_tls_bytes(&bytes).unwrap();
        client.process().unwrap();
        spent[0] += start.elapsed();
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());
    spent
}

fn throughput(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let data = vec![0x5a; WRITE];
    let mut sink = vec![0u8; WRITE];
    let mut group = c.benchmark_group("throughput");
    group.throughput(Throughput::Bytes((WRITE * WRITES_PER_ITER) as u64));

    let (mut client, mut server) = keyway_pair(&pki);
    let mut wire = Vec::with_capacity(2 * WRITE);
    group.bench_function("tls13-aes128gcm/keyway", |b| {
        b.iter(|| {
            for _ in 0..WRITES_PER_ITER {
                client.write_plaintext(&data).unwrap();
                wire.clear();
                while client.wants_write() {
                    client.write_tls(&mut wire).unwrap();
                }
                let mut offset = 0;
                while offset < wire.len() {
                    offset += server.read_tls_bytes(&wire[offset..]).unwrap();
                    server.process().unwrap();
                }
                let mut got = 0;
                while got < WRITE {
                    got += server.read_plaintext(&mut sink[got..]).unwrap();
                }
            }
        })
    });

    let (rc, rs) = rustls_configs(&pki);
    let (mut client, mut server) = rustls_pair(&rc, &rs);
    group.bench_function("tls13-aes128gcm/rustls", |b| {
        b.iter(|| {
            for _ in 0..WRITES_PER_ITER {
                client.writer().write_all(&data).unwrap();
                wire.clear();
                while client.wants_write() {
                    client.write_tls(&mut wire).unwrap();
                }
                let mut slice = &wire[..];
                while !slice.is_empty() {
                    server.read_tls(&mut slice).unwrap();
                    server.process_new_packets().unwrap();
                }
                server.reader().read_exact(&mut sink).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, handshake, throughput);
criterion_main!(benches);
