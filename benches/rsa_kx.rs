//! Times the server's processing of an RSA ClientKeyExchange (plus the
//! ChangeCipherSpec after it) for a valid one and for each malformed class,
//! side by side: a padding oracle would show up as a different distribution.
//!
//! `cargo bench --features rsa-kx --bench rsa_kx`. Setup (a fresh server at
//! the ClientKeyExchange step, and the attacker's records) is excluded from
//! the timing. Public length errors are expected to be faster: they are
//! rejected before any private-key operation, and they are public anyway.
//! It first prints the allocations (calls and bytes) the server makes
//! processing a valid ClientKeyExchange and ChangeCipherSpec, and in a whole
//! RSA-kx handshake.
//!
//! `rsa-kx/server-handshake/{2048,3072,4096}` is the server's own work in a
//! whole TLS 1.2 RSA key exchange handshake with a keyway client
//! (TLS_RSA_WITH_AES_128_GCM_SHA256, RSA leaf under the test root): reading
//! the ClientHello and answering it, then reading ClientKeyExchange,
//! ChangeCipherSpec and Finished and answering with its own; the client's
//! work is not counted. This is the figure to hold against OpenSSL's
//! `openssl speed rsa2048` private operation and its whole server handshake.

#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::System;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use keyway::{ClientConfig, ClientConnection, ServerConfig, ServerConnection};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use support::rsa_kx::{attacker_flight, rsa_configs, server_at_client_key_exchange, Case};
use support::{KeyKind, TestPki};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Prints the allocations of one valid ClientKeyExchange, averaged.
fn allocations(_: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let (client, server) = rsa_configs(&pki);
    let (mut calls, mut bytes, rounds) = (0, 0, 20);
    for _ in 0..rounds {
        let mut at = server_at_client_key_exchange(&client, &server);
        let (before, _) = attacker_flight(&at, Case::Valid, 0x42);
        let region = Region::new(GLOBAL);
        at.server.read_tls_bytes(&before).unwrap();
        let _ = at.server.process();
        let change = region.change();
        calls += change.allocations + change.reallocations;
        bytes += change.bytes_allocated;
    }
    println!(
        "RSA-2048 ClientKeyExchange on the server: {} allocations, {} bytes allocated",
        calls / rounds,
        bytes / rounds
    );
}

/// One whole RSA-kx handshake; returns the server's own time, allocation
/// calls and bytes allocated.
fn server_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (Duration, u64, u64) {
    let mut c = ClientConnection::new(client.clone(), "example.com").unwrap();
    let hello = c.take_tls();
    let region = Region::new(GLOBAL);
    let start = Instant::now();
    let mut s = ServerConnection::new(server.clone());
    s.read_tls_bytes(&hello).unwrap();
    s.process().unwrap();
    let flight = s.take_tls();
    let mut spent = start.elapsed();
    let mut change = region.change();
    c.read_tls_bytes(&flight).unwrap();
    c.process().unwrap();
    let second = c.take_tls();
    let region = Region::new(GLOBAL);
    let start = Instant::now();
    s.read_tls_bytes(&second).unwrap();
    s.process().unwrap();
    let last = s.take_tls();
    spent += start.elapsed();
    let more = region.change();
    change.allocations += more.allocations;
    change.reallocations += more.reallocations;
    change.bytes_allocated += more.bytes_allocated;
    c.read_tls_bytes(&last).unwrap();
    c.process().unwrap();
    assert!(!c.is_handshaking() && !s.is_handshaking());
    drop(s);
    let calls = (change.allocations + change.reallocations) as u64;
    (spent, calls, change.bytes_allocated as u64)
}

/// The RSA key sizes the server decrypts on fixed-size integers.
const KEY_SIZES: [u32; 3] = [2048, 3072, 4096];

/// Prints the server's allocations in a whole RSA-kx handshake, averaged.
fn handshake_allocations(_: &mut Criterion) {
    for bits in KEY_SIZES {
        let pki = TestPki::generate_rsa(bits, &["example.com"]);
        let (client, server) = rsa_configs(&pki);
        server_handshake(&client, &server);
        let (mut calls, mut bytes, rounds) = (0, 0, 20);
        for _ in 0..rounds {
            let (_, c, b) = server_handshake(&client, &server);
            calls += c;
            bytes += b;
        }
        println!(
            "RSA-{bits} key exchange, whole server handshake: {} allocations, {} bytes allocated",
            calls / rounds,
            bytes / rounds
        );
    }
}

fn whole_handshake(c: &mut Criterion) {
    let mut group = c.benchmark_group("rsa-kx/server-handshake");
    for bits in KEY_SIZES {
        let pki = TestPki::generate_rsa(bits, &["example.com"]);
        let (client, server) = rsa_configs(&pki);
        group.bench_function(bits.to_string(), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| server_handshake(&client, &server).0)
                    .sum()
            })
        });
    }
    group.finish();
}

fn client_key_exchange(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let (client, server) = rsa_configs(&pki);
    let mut group = c.benchmark_group("rsa-kx/server-client-key-exchange");
    for case in Case::ALL {
        group.bench_function(format!("{case:?}"), |b| {
            b.iter_batched(
                || {
                    let at = server_at_client_key_exchange(&client, &server);
                    let (before, _) = attacker_flight(&at, case, 0x42);
                    (at, before)
                },
                |(mut at, before)| {
                    at.server.read_tls_bytes(&before).unwrap();
                    let _ = at.server.process();
                    at
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    allocations,
    handshake_allocations,
    whole_handshake,
    client_key_exchange
);
criterion_main!(benches);
