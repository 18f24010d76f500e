//! Heap held by server connections that a peer left half-open: the TLS
//! analogue of a SYN flood. Each of 10,000 `ServerConnection`s reads a real
//! ClientHello through `read_tls`, processes it and writes its flight
//! through `write_tls`, as a socket-driven server would, and then waits for
//! a client that never answers.
//!
//! `cargo bench --bench half_open`
//!
//! Heap is counted by the `cap` allocator wrapper (bytes requested and not
//! yet freed; the allocator's own overhead is not included). The
//! connections are kept in one `Vec`, so each one's inline size is counted
//! too. The ClientHellos are made before counting starts.

#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::System;
use std::sync::Arc;

use cap::Cap;
use keyway::{ClientConfig, ClientConnection, ProtocolVersion, ServerConfig, ServerConnection};
use support::{KeyKind, TestPki};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const CONNECTIONS: usize = 10_000;

/// A ClientHello from a keyway client offering only `version`, as the bytes
/// a server reads from its socket.
fn client_hello(pki: &TestPki, version: ProtocolVersion) -> Vec<u8> {
    let config = ClientConfig::builder(pki.root_store())
        .versions(&[version])
        .build()
        .unwrap();
    ClientConnection::new(Arc::new(config), "example.com")
        .unwrap()
        .take_tls()
}

/// Builds the server connections; with a ClientHello, each reads it and
/// sends its flight. Returns them, to be dropped after measuring.
fn open(config: &Arc<ServerConfig>, client_hello: Option<&[u8]>) -> Vec<ServerConnection> {
    let mut conns = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let mut conn = ServerConnection::new(config.clone());
        if let Some(mut bytes) = client_hello {
            conn.read_tls(&mut bytes).unwrap();
            conn.process().unwrap();
            while conn.wants_write() {
                conn.write_tls(&mut std::io::sink()).unwrap();
            }
            assert!(conn.is_handshaking());
        }
        conns.push(conn);
    }
    conns
}

/// Runs `open` and prints the heap it left held, in total and per connection.
fn measure(what: &str, config: &Arc<ServerConfig>, client_hello: Option<&[u8]>) {
    let before = ALLOC.allocated();
    let conns = open(config, client_hello);
    let held = ALLOC.allocated().saturating_sub(before);
    println!(
        "{what:<52} {:>8.1} MiB {:>8} B",
        held as f64 / (1024.0 * 1024.0),
        held / CONNECTIONS
    );
    drop(conns);
}

fn main() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let config = Arc::new(
        ServerConfig::builder()
            .certificate(pki.certified_key())
            .build()
            .unwrap(),
    );
    let tls13 = client_hello(&pki, ProtocolVersion::TLS13);
    let tls12 = client_hello(&pki, ProtocolVersion::TLS12);
    // One full round first, so one-time global set-up is not counted.
    drop(open(&config, Some(&tls13)));
    drop(open(&config, Some(&tls12)));

    println!("{CONNECTIONS} half-open server connections (ECDSA P-256 certificate), heap held:");
    println!("{:<52} {:>12} {:>10}", "", "total", "per conn.");
    measure("constructed, no input", &config, None);
    measure(
        "TLS 1.3, flight sent, waiting for Finished",
        &config,
        Some(&tls13),
    );
    measure(
        "TLS 1.2, flight sent, waiting for ClientKeyExchange",
        &config,
        Some(&tls12),
    );
    println!(
        "(size_of::<ServerConnection>() = {} B, included above)",
        size_of::<ServerConnection>()
    );
}
