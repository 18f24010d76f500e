//! keyway and rustls side by side in one run, in memory, TLS 1.3, X25519,
//! ECDSA P-256 leaf under an intermediate, the same certificates; both stacks
//! on ring, neither server sending session tickets and neither client
//! resuming, so both do the same work: full handshakes.
//!
//! `cargo bench --bench tls` (add `-- handshake`, `-- send`, `-- receive` to
//! pick one, `-- figures` for the figures alone). Before the timed benches it
//! prints the figures that are not times: allocations per handshake on each
//! side and the heap an idle connection holds after moving 16 KiB each way;
//! and each bulk row below as a share of bare ring's speed, measured in
//! interleaved rounds so that the machine's drift cancels.
//!
//! - `handshake/tls13-ecdsa/{keyway,rustls}`: a full handshake, both sides,
//!   keyway's client checking every signature of the chain as on a first
//!   connection; `keyway-repeat` is a full handshake to the same server
//!   again, whose chain signatures keyway's default verifier has cached
//!   (not session resumption: every other step is done again).
//!   `handshake/tls13-x25519mlkem768/keyway` is the same with keyway's
//!   default key shares (X25519MLKEM768 and x25519; the server takes the
//!   hybrid): rustls 0.23's ring provider has no ML-KEM.
//! - `handshake-side/{client,server}/*`: the time each side spends in its own
//!   code in that handshake (building its first message, processing the
//!   peer's flights).
//! - `send/{suite}/*`: 1 MiB of application data in 16 KiB writes, sealed and
//!   written to a `Vec` (the transport); `ring` is ring sealing the same 64
//!   records of 16 KiB + 1 (the TLS 1.3 content type) in place, the floor.
//! - `receive/{suite}/*`: the same records read from a slice (the
//!   transport), opened and read into the application's buffer; `ring` is
//!   ring opening them in place. `receive-borrowed/{suite}/*` lends the data
//!   to the application through `BufRead` instead (`fill_buf`, `consume`),
//!   which both stacks offer.
//! - `ring-copied-in` (figures only): ring with the copy a borrowing reader
//!   makes, each record in from the transport, opened in place.
//! - `ring-copied` in `send` and `receive`: ring with the copies any stack
//!   with this API makes, and ring's bare row leaves out: the application's
//!   data copied into the record buffer and the record out to the transport
//!   (send); the record copied in from the transport and its plaintext out
//!   to the application's buffer (receive). With AES-GCM on AES-NI the
//!   cipher runs at a few memcpy speeds, so these copies are a large share.

#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::System;
use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keyway::NamedGroup;
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use support::side_by_side::{keyway_configs_for, rustls_configs_for, Suite};
use support::{KeyKind, TestPki};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const WRITE: usize = 16 * 1024;
const WRITES_PER_ITER: usize = 64; // 1 MiB per iteration

/// keyway's default groups: the hybrids first, so the default key shares are
/// X25519MLKEM768 and x25519.
const DEFAULT_GROUPS: [NamedGroup; 5] = [
    NamedGroup::X25519MLKEM768,
    NamedGroup::SECP256R1MLKEM768,
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

/// What the benches do with a connection, the same way on both stacks: the
/// primitives each stack names its own way, and the loops built on them.
trait Endpoint {
    /// Reads once from `wire` (as from a socket).
    fn read_from(&mut self, wire: &mut &[u8]);
    fn process_input(&mut self);
    /// Writes once to `out` (the transport).
    fn write_to(&mut self, out: &mut Vec<u8>);
    fn has_output(&self) -> bool;
    fn handshaking(&self) -> bool;
    fn write_all(&mut self, data: &[u8]);
    fn read_plain(&mut self, buf: &mut [u8]) -> std::io::Result<usize>;
    /// Lends the received data to `take` through `BufRead`; consumes what it
    /// returns.
    fn lend(&mut self, take: impl FnOnce(&[u8]) -> usize) -> std::io::Result<usize>;

    /// Reads all of `bytes` as from a socket and processes them.
    fn receive_tls(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            self.read_from(&mut bytes);
            self.process_input();
        }
    }

    /// Writes everything queued for the peer to `out`.
    fn send_tls(&mut self, out: &mut Vec<u8>) {
        while self.has_output() {
            self.write_to(out);
        }
    }

    fn busy(&self) -> bool {
        self.handshaking() || self.has_output()
    }

    /// Reads from `wire` as needed, processes, and reads the data into
    /// `buf` until it is full.
    fn receive_into(&mut self, mut wire: &[u8], buf: &mut [u8]) {
        let mut got = 0;
        while got < buf.len() {
            match self.read_plain(&mut buf[got..]) {
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    self.read_from(&mut wire);
                    self.process_input();
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// As `receive_into`, but lends the data through `BufRead` (no copy to
    /// the application) until `len` bytes have been seen.
    fn receive_borrowed(&mut self, mut wire: &[u8], len: usize) {
        let mut got = 0;
        while got < len {
            match self.lend(|data| std::hint::black_box(data).len()) {
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    self.read_from(&mut wire);
                    self.process_input();
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
}

/// The primitives, for two stacks whose methods differ only in how
/// processing is called.
macro_rules! endpoint {
    ($conn:ty, $process:ident $(, $d:ident)?) => {
        impl$(<$d>)? Endpoint for $conn {
            fn read_from(&mut self, wire: &mut &[u8]) {
                self.read_tls(wire).unwrap();
            }
            fn process_input(&mut self) {
                self.$process().unwrap();
            }
            fn write_to(&mut self, out: &mut Vec<u8>) {
                self.write_tls(out).unwrap();
            }
            fn has_output(&self) -> bool {
                self.wants_write()
            }
            fn handshaking(&self) -> bool {
                self.is_handshaking()
            }
            fn write_all(&mut self, data: &[u8]) {
                self.writer().write_all(data).unwrap();
            }
            fn read_plain(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.reader().read(buf)
            }
            fn lend(&mut self, take: impl FnOnce(&[u8]) -> usize) -> std::io::Result<usize> {
                let mut reader = self.reader();
                let n = take(reader.fill_buf()?);
                reader.consume(n);
                Ok(n)
            }
        }
    };
}

endpoint!(keyway::Connection, process);
endpoint!(rustls::ConnectionCommon<D>, process_new_packets, D);

/// Makes fresh connections of one stack with fixed configs.
trait Stack {
    type Client: std::ops::DerefMut<Target = Self::ClientEnd>;
    type Server: std::ops::DerefMut<Target = Self::ServerEnd>;
    type ClientEnd: Endpoint;
    type ServerEnd: Endpoint;
    fn client(&self) -> Self::Client;
    fn server(&self) -> Self::Server;
}

struct Keyway(Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>);

impl Stack for Keyway {
    type Client = keyway::ClientConnection;
    type Server = keyway::ServerConnection;
    type ClientEnd = keyway::Connection;
    type ServerEnd = keyway::Connection;
    fn client(&self) -> Self::Client {
        keyway::ClientConnection::new(self.0.clone(), "example.com").unwrap()
    }
    fn server(&self) -> Self::Server {
        keyway::ServerConnection::new(self.1.clone())
    }
}

struct Rustls(Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>);

impl Stack for Rustls {
    type Client = rustls::ClientConnection;
    type Server = rustls::ServerConnection;
    type ClientEnd = rustls::ConnectionCommon<rustls::client::ClientConnectionData>;
    type ServerEnd = rustls::ConnectionCommon<rustls::server::ServerConnectionData>;
    fn client(&self) -> Self::Client {
        let name = rustls::pki_types::ServerName::try_from("example.com").unwrap();
        rustls::ClientConnection::new(self.0.clone(), name).unwrap()
    }
    fn server(&self) -> Self::Server {
        rustls::ServerConnection::new(self.1.clone()).unwrap()
    }
}

fn keyway_stack(pki: &TestPki, suite: Suite, groups: &[NamedGroup]) -> Keyway {
    let (c, s) = keyway_configs_for(pki, suite, groups);
    Keyway(c, s)
}

/// keyway as on a first connection to a server: a client whose verifier
/// keeps no signature cache, so it checks every signature of the chain.
fn keyway_first_connection(pki: &TestPki) -> Keyway {
    let options = keyway::pki::VerifyOptions {
        signature_cache_entries: 0,
        ..Default::default()
    };
    let verifier =
        keyway::pki::DefaultServerVerifier::with_options(Arc::new(pki.root_store()), options);
    let client = keyway::ClientConfig::builder(pki.root_store())
        .cipher_suites(&[Suite::Aes128Gcm.keyway()])
        .groups(&[NamedGroup::X25519])
        .verifier(Arc::new(verifier))
        .session_store(None)
        .build()
        .unwrap();
    let (_, server) = keyway_configs_for(pki, Suite::Aes128Gcm, &[NamedGroup::X25519]);
    Keyway(Arc::new(client), server)
}

fn rustls_stack(pki: &TestPki, suite: Suite) -> Rustls {
    let (c, s) = rustls_configs_for(pki, suite);
    Rustls(c, s)
}

/// One side's share of a handshake.
#[derive(Debug, Default, Clone, Copy)]
struct Work {
    time: Duration,
    allocations: usize,
    reallocations: usize,
}

impl Work {
    /// Runs `f`, adding its time and allocation and reallocation calls.
    fn run<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let (before, start) = (GLOBAL.stats(), Instant::now());
        let out = f();
        self.time += start.elapsed();
        let after = GLOBAL.stats();
        self.allocations += after.allocations - before.allocations;
        self.reallocations += after.reallocations - before.reallocations;
        out
    }
}

/// One in-memory handshake; returns the work of the client and of the server
/// in their own code, and the connected pair.
fn handshake_by_side<S: Stack>(stack: &S) -> ([Work; 2], S::Client, S::Server) {
    let mut work = [Work::default(); 2];
    let mut client = work[0].run(|| stack.client());
    let mut server = work[1].run(|| stack.server());
    let mut wire = Vec::new();
    for _ in 0..10 {
        if !client.busy() && !server.busy() {
            return (work, client, server);
        }
        wire.clear();
        work[0].run(|| client.send_tls(&mut wire));
        work[1].run(|| {
            server.receive_tls(&wire);
            wire.clear();
            server.send_tls(&mut wire);
        });
        work[0].run(|| client.receive_tls(&wire));
    }
    panic!("handshake did not complete");
}

fn connected<S: Stack>(stack: &S) -> (S::Client, S::Server) {
    let (_, client, server) = handshake_by_side(stack);
    (client, server)
}

/// Live heap bytes.
fn live_heap() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize + s.bytes_reallocated
}

/// Heap held by an idle client and an idle server after a handshake and
/// 16 KiB each way, all read: what dropping `count` of each frees (their
/// inline size included, as they sit in a `Vec`).
fn idle_heap<S: Stack>(stack: &S, count: usize) -> [isize; 2] {
    let data = vec![0x5a; WRITE];
    let mut buf = vec![0; WRITE];
    let mut wire = Vec::new();
    let mut clients = Vec::with_capacity(count);
    let mut servers = Vec::with_capacity(count);
    for _ in 0..count {
        let (mut client, mut server) = connected(stack);
        exchange(&mut *client, &mut *server, &data, &mut buf, &mut wire);
        exchange(&mut *server, &mut *client, &data, &mut buf, &mut wire);
        // Anything queued (a KeyUpdate, say) goes out, as a socket would take it.
        wire.clear();
        client.send_tls(&mut wire);
        server.send_tls(&mut wire);
        clients.push(client);
        servers.push(server);
    }
    drop(wire);
    let before = live_heap();
    drop(clients);
    let after_clients = live_heap();
    drop(servers);
    let after_servers = live_heap();
    let per = |bytes: isize| bytes / count as isize;
    [
        per(before - after_clients),
        per(after_clients - after_servers),
    ]
}

/// Sends `data` from one side and reads it all on the other.
fn exchange(
    from: &mut impl Endpoint,
    to: &mut impl Endpoint,
    data: &[u8],
    buf: &mut [u8],
    wire: &mut Vec<u8>,
) {
    from.write_all(data);
    wire.clear();
    from.send_tls(wire);
    to.receive_into(wire, buf);
}

/// Average allocation and reallocation calls per handshake on each side,
/// over `count`.
fn allocations<S: Stack>(stack: &S, count: usize) -> [(f64, f64); 2] {
    let mut total = [(0usize, 0usize); 2];
    for _ in 0..count {
        let (work, client, server) = handshake_by_side(stack);
        drop((client, server));
        for (total, work) in total.iter_mut().zip(work) {
            total.0 += work.allocations;
            total.1 += work.reallocations;
        }
    }
    total.map(|(a, r)| (a as f64 / count as f64, r as f64 / count as f64))
}

/// Prints the figures that are not times.
fn figures(_: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let keyway = keyway_stack(&pki, Suite::Aes128Gcm, &[NamedGroup::X25519]);
    let first = keyway_first_connection(&pki);
    let rustls = rustls_stack(&pki, Suite::Aes128Gcm);
    // Warm up lazily initialised state on both stacks (and keyway's cache).
    allocations(&keyway, 2);
    allocations(&first, 2);
    allocations(&rustls, 2);
    println!("figures (TLS 1.3, X25519, ECDSA P-256, AES-128-GCM, in memory):");
    let [kc, ks] = allocations(&first, 100);
    let [kr, _] = allocations(&keyway, 100);
    let [rc, rs] = allocations(&rustls, 100);
    let calls = |(a, r): (f64, f64)| format!("{a:.1} (+ {r:.1} reallocations)");
    println!(
        "  allocations per full handshake, client: keyway {} (repeat connection: {}), rustls {}",
        calls(kc),
        calls(kr),
        calls(rc)
    );
    println!(
        "  allocations per full handshake, server: keyway {}, rustls {}",
        calls(ks),
        calls(rs)
    );
    let [kc, ks] = idle_heap(&keyway, 1000);
    let [rc, rs] = idle_heap(&rustls, 1000);
    println!(
        "  heap per idle connection after 16 KiB each way, client: keyway {kc} B, rustls {rc} B"
    );
    println!(
        "  heap per idle connection after 16 KiB each way, server: keyway {ks} B, rustls {rs} B"
    );
    bulk_ratios(&pki);
}

fn handshake(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let keyway = keyway_first_connection(&pki);
    let repeat = keyway_stack(&pki, Suite::Aes128Gcm, &[NamedGroup::X25519]);
    let rustls = rustls_stack(&pki, Suite::Aes128Gcm);
    let hybrid = keyway_stack(&pki, Suite::Aes128Gcm, &DEFAULT_GROUPS);

    let mut group = c.benchmark_group("handshake");
    group.bench_function("tls13-ecdsa/keyway", |b| b.iter(|| connected(&keyway)));
    group.bench_function("tls13-ecdsa/keyway-repeat", |b| {
        b.iter(|| connected(&repeat))
    });
    group.bench_function("tls13-ecdsa/rustls", |b| b.iter(|| connected(&rustls)));
    group.bench_function("tls13-x25519mlkem768/keyway", |b| {
        b.iter(|| {
            let (client, _) = connected(&hybrid);
            assert_eq!(client.negotiated().group, Some(NamedGroup::X25519MLKEM768));
        })
    });
    group.finish();

    let mut group = c.benchmark_group("handshake-side");
    for side in [0, 1] {
        let name = ["client", "server"][side];
        group.bench_function(format!("{name}/keyway"), |b| {
            b.iter_custom(|iters| side_time(&keyway, side, iters))
        });
        group.bench_function(format!("{name}/rustls"), |b| {
            b.iter_custom(|iters| side_time(&rustls, side, iters))
        });
        group.bench_function(format!("{name}/keyway-repeat"), |b| {
            b.iter_custom(|iters| side_time(&repeat, side, iters))
        });
        group.bench_function(format!("{name}/keyway-x25519mlkem768"), |b| {
            b.iter_custom(|iters| side_time(&hybrid, side, iters))
        });
    }
    group.finish();
}

/// The time one side spends in `iters` handshakes.
fn side_time<S: Stack>(stack: &S, side: usize, iters: u64) -> Duration {
    (0..iters)
        .map(|_| handshake_by_side(stack).0[side].time)
        .sum()
}

/// 1 MiB of application data from `client` as TLS records.
fn records(client: &mut impl Endpoint, data: &[u8], wire: &mut Vec<u8>) {
    wire.clear();
    for _ in 0..WRITES_PER_ITER {
        client.write_all(data);
        client.send_tls(wire);
    }
}

fn send<S: Stack>(stack: &S, data: &[u8], wire: &mut Vec<u8>, iters: u64) -> Duration {
    let (mut client, _server) = connected(stack);
    let start = Instant::now();
    for _ in 0..iters {
        for _ in 0..WRITES_PER_ITER {
            wire.clear();
            client.write_all(data);
            client.send_tls(wire);
        }
    }
    start.elapsed()
}

fn receive<S: Stack>(stack: &S, data: &[u8], wire: &mut Vec<u8>, iters: u64) -> Duration {
    let (mut client, mut server) = connected(stack);
    let mut sink = vec![0u8; WRITE * WRITES_PER_ITER];
    let mut spent = Duration::ZERO;
    for _ in 0..iters {
        records(&mut *client, data, wire);
        let start = Instant::now();
        server.receive_into(wire, &mut sink);
        spent += start.elapsed();
    }
    spent
}

fn receive_borrowed<S: Stack>(stack: &S, data: &[u8], wire: &mut Vec<u8>, iters: u64) -> Duration {
    let (mut client, mut server) = connected(stack);
    let mut spent = Duration::ZERO;
    for _ in 0..iters {
        records(&mut *client, data, wire);
        let start = Instant::now();
        server.receive_borrowed(wire, WRITE * WRITES_PER_ITER);
        spent += start.elapsed();
    }
    spent
}

/// The header (additional data) of the floors' 16 KiB + 1 records.
const RING_HEADER: [u8; 5] = [0x17, 3, 3, 0x40, 0x11];

/// The floors' key for `suite`.
fn ring_key(suite: Suite) -> ring::aead::LessSafeKey {
    let algorithm = suite.ring();
    let key = ring::aead::UnboundKey::new(algorithm, &[7; 32][..algorithm.key_len()]).unwrap();
    ring::aead::LessSafeKey::new(key)
}

/// Seals `record` in place under sequence number `seq`; returns the tag.
fn ring_seal_record(key: &ring::aead::LessSafeKey, seq: u64, record: &mut [u8]) -> ring::aead::Tag {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&seq.to_be_bytes());
    key.seal_in_place_separate_tag(
        ring::aead::Nonce::assume_unique_for_key(nonce),
        ring::aead::Aad::from(RING_HEADER),
        record,
    )
    .unwrap()
}

/// One sealed record (body and tag) for the open floors, sequence number 0.
fn ring_sealed_record(key: &ring::aead::LessSafeKey) -> Vec<u8> {
    let mut sealed = vec![0x5a; WRITE + 1];
    let tag = ring_seal_record(key, 0, &mut sealed);
    sealed.extend_from_slice(tag.as_ref());
    sealed
}

/// Opens `record` (body and tag) in place, sequence number 0.
fn ring_open_record<'r>(key: &ring::aead::LessSafeKey, record: &'r mut [u8]) -> &'r mut [u8] {
    key.open_in_place(
        ring::aead::Nonce::assume_unique_for_key([0; 12]),
        ring::aead::Aad::from(RING_HEADER),
        record,
    )
    .unwrap()
}

/// The floor: ring sealing 64 records in place.
fn ring_seal(suite: Suite, iters: u64) -> Duration {
    let key = ring_key(suite);
    let mut record = vec![0x5a; WRITE + 1];
    let start = Instant::now();
    for seq in 0..iters * WRITES_PER_ITER as u64 {
        let _ = std::hint::black_box(ring_seal_record(&key, seq, &mut record));
    }
    start.elapsed()
}

/// The floor: ring opening 64 records in place (restoring the ciphertext is
/// not timed).
fn ring_open(suite: Suite, iters: u64) -> Duration {
    let key = ring_key(suite);
    let sealed = ring_sealed_record(&key);
    let pristine: Vec<u8> = sealed.repeat(WRITES_PER_ITER);
    let mut records = pristine.clone();
    let mut spent = Duration::ZERO;
    for _ in 0..iters {
        records.copy_from_slice(&pristine);
        let start = Instant::now();
        for record in records.chunks_mut(sealed.len()) {
            std::hint::black_box(ring_open_record(&key, record));
        }
        spent += start.elapsed();
    }
    spent
}

/// The floor with the copies every stack makes: ring sealing each record
/// after the application's data is copied into the record buffer, and the
/// record copied out to the transport (as `send` copies it to `wire`).
fn ring_seal_copied(suite: Suite, data: &[u8], wire: &mut Vec<u8>, iters: u64) -> Duration {
    let key = ring_key(suite);
    let mut record = vec![0u8; WRITE + 1];
    let start = Instant::now();
    for seq in 0..iters * WRITES_PER_ITER as u64 {
        record[..WRITE].copy_from_slice(data);
        record[WRITE] = 0x17;
        let tag = ring_seal_record(&key, seq, &mut record);
        wire.clear();
        wire.extend_from_slice(&RING_HEADER);
        wire.extend_from_slice(&record);
        wire.extend_from_slice(tag.as_ref());
        std::hint::black_box(&wire);
    }
    start.elapsed()
}

/// The floor with the copies every stack makes: each record copied in from
/// the transport (as `receive` reads `wire`), opened in place, and its
/// plaintext copied out to the application's buffer.
fn ring_open_copied(suite: Suite, iters: u64) -> Duration {
    let key = ring_key(suite);
    let sealed = ring_sealed_record(&key);
    let wire: Vec<u8> = sealed.repeat(WRITES_PER_ITER);
    let mut buffer = vec![0u8; sealed.len()];
    let mut sink = vec![0u8; WRITE * WRITES_PER_ITER];
    let start = Instant::now();
    for _ in 0..iters {
        for (record, out) in wire.chunks(sealed.len()).zip(sink.chunks_mut(WRITE)) {
            buffer.copy_from_slice(record);
            out.copy_from_slice(&ring_open_record(&key, &mut buffer)[..WRITE]);
        }
        std::hint::black_box(&sink);
    }
    start.elapsed()
}

/// The floor of a borrowing reader: each record copied in from the
/// transport and opened in place, its plaintext left where it is.
fn ring_open_copied_in(suite: Suite, iters: u64) -> Duration {
    let key = ring_key(suite);
    let sealed = ring_sealed_record(&key);
    let wire: Vec<u8> = sealed.repeat(WRITES_PER_ITER);
    let mut buffer = vec![0u8; sealed.len()];
    let start = Instant::now();
    for _ in 0..iters {
        for record in wire.chunks(sealed.len()) {
            buffer.copy_from_slice(record);
            std::hint::black_box(ring_open_record(&key, &mut buffer));
        }
    }
    start.elapsed()
}

/// Rounds of [`bulk_ratios`]; the median of each row is reported.
const RATIO_ROUNDS: usize = 31;
/// MiB moved per row and round.
const RATIO_ITERS: u64 = 8;

/// Each bulk row's speed as a share of bare ring's, measured in interleaved
/// rounds (every row once per round, in turn) so that the machine's drift
/// over a run, which separate criterion groups each see differently,
/// cancels; the median round per row is used.
fn bulk_ratios(pki: &TestPki) {
    println!(
        "bulk, share of bare ring's speed (median of {RATIO_ROUNDS} interleaved rounds \
         of {RATIO_ITERS} MiB in 16 KiB records):"
    );
    let data = vec![0x5a; WRITE];
    let mut wire = Vec::with_capacity(2 * WRITE * WRITES_PER_ITER);
    for suite in Suite::ALL {
        let keyway = keyway_stack(pki, suite, &[NamedGroup::X25519]);
        let rustls = rustls_stack(pki, suite);
        // Each row times RATIO_ITERS MiB, given the transport buffer to use.
        type Row<'a> = (&'a str, Box<dyn Fn(&mut Vec<u8>) -> Duration + 'a>);
        let n = RATIO_ITERS;
        let rows: Vec<Row> = vec![
            ("send ring", Box::new(|_| ring_seal(suite, n))),
            (
                "send ring-copied",
                Box::new(|w| ring_seal_copied(suite, &data, w, n)),
            ),
            ("send keyway", Box::new(|w| send(&keyway, &data, w, n))),
            ("send rustls", Box::new(|w| send(&rustls, &data, w, n))),
            ("receive ring", Box::new(|_| ring_open(suite, n))),
            (
                "receive ring-copied",
                Box::new(|_| ring_open_copied(suite, n)),
            ),
            (
                "receive keyway",
                Box::new(|w| receive(&keyway, &data, w, n)),
            ),
            (
                "receive rustls",
                Box::new(|w| receive(&rustls, &data, w, n)),
            ),
            (
                "borrowed ring-copied-in",
                Box::new(|_| ring_open_copied_in(suite, n)),
            ),
            (
                "borrowed keyway",
                Box::new(|w| receive_borrowed(&keyway, &data, w, n)),
            ),
            (
                "borrowed rustls",
                Box::new(|w| receive_borrowed(&rustls, &data, w, n)),
            ),
        ];
        let mut times = vec![Vec::with_capacity(RATIO_ROUNDS); rows.len()];
        for _ in 0..RATIO_ROUNDS {
            for ((_, time), spent) in rows.iter().zip(&mut times) {
                spent.push(time(&mut wire));
            }
        }
        let median = |spent: &mut Vec<Duration>| {
            spent.sort();
            spent[spent.len() / 2].as_secs_f64()
        };
        let medians: Vec<f64> = times.iter_mut().map(median).collect();
        let (seal, open) = (medians[0], medians[4]);
        for ((name, _), time) in rows.iter().zip(&medians) {
            let floor = if name.starts_with("send") { seal } else { open };
            if !name.ends_with(" ring") {
                println!("  {:<18} {:<24} {:.2}", suite.name(), name, floor / time);
            }
        }
    }
}

fn bulk(c: &mut Criterion) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let data = vec![0x5a; WRITE];
    let mut wire = Vec::with_capacity(2 * WRITE * WRITES_PER_ITER);
    for suite in Suite::ALL {
        let keyway = keyway_stack(&pki, suite, &[NamedGroup::X25519]);
        let rustls = rustls_stack(&pki, suite);
        let mut group = c.benchmark_group(format!("send/{}", suite.name()));
        group.throughput(Throughput::Bytes((WRITE * WRITES_PER_ITER) as u64));
        group.bench_function("ring", |b| b.iter_custom(|iters| ring_seal(suite, iters)));
        group.bench_function("ring-copied", |b| {
            b.iter_custom(|iters| ring_seal_copied(suite, &data, &mut wire, iters))
        });
        group.bench_function("keyway", |b| {
            b.iter_custom(|iters| send(&keyway, &data, &mut wire, iters))
        });
        group.bench_function("rustls", |b| {
            b.iter_custom(|iters| send(&rustls, &data, &mut wire, iters))
        });
        group.finish();

        let mut group = c.benchmark_group(format!("receive/{}", suite.name()));
        group.throughput(Throughput::Bytes((WRITE * WRITES_PER_ITER) as u64));
        group.bench_function("ring", |b| b.iter_custom(|iters| ring_open(suite, iters)));
        group.bench_function("ring-copied", |b| {
            b.iter_custom(|iters| ring_open_copied(suite, iters))
        });
        group.bench_function("keyway", |b| {
            b.iter_custom(|iters| receive(&keyway, &data, &mut wire, iters))
        });
        group.bench_function("rustls", |b| {
            b.iter_custom(|iters| receive(&rustls, &data, &mut wire, iters))
        });
        group.finish();

        let mut group = c.benchmark_group(format!("receive-borrowed/{}", suite.name()));
        group.throughput(Throughput::Bytes((WRITE * WRITES_PER_ITER) as u64));
        group.bench_function("keyway", |b| {
            b.iter_custom(|iters| receive_borrowed(&keyway, &data, &mut wire, iters))
        });
        group.bench_function("rustls", |b| {
            b.iter_custom(|iters| receive_borrowed(&rustls, &data, &mut wire, iters))
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = figures, handshake, bulk
}
criterion_main!(benches);
