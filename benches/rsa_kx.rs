//! Times the server's processing of an RSA ClientKeyExchange (plus the
//! ChangeCipherSpec after it) for a valid one and for each malformed class,
//! side by side: a padding oracle would show up as a different distribution.
//!
//! `cargo bench --features rsa-kx --bench rsa_kx`. Setup (a fresh server at
//! the ClientKeyExchange step, and the attacker's records) is excluded from
//! the timing. Public length errors are expected to be faster: they are
//! rejected before any private-key operation, and they are public anyway.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use support::rsa_kx::{attacker_flight, rsa_configs, server_at_client_key_exchange, Case};
use support::{KeyKind, TestPki};

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

criterion_group!(benches, client_key_exchange);
criterion_main!(benches);
