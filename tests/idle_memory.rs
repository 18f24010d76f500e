//! The heap an idle connection holds once data has flowed: its buffers are
//! freed as they drain, so what is left is keys and state; and the other
//! side of that bargain, a busy connection reusing its input buffer instead
//! of allocating one per record. In their own binary, one at a time, so the
//! counting allocator sees nothing else.

mod support;

use std::alloc::System;
use std::io::Read;
use std::sync::{Arc, Mutex};

use cap::Cap;
use keyway::Connection;
use support::{handshake, KeyKind, TestPki};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// The tests read the one global allocator's counts: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Moves `from`'s records to `to` through `write_tls` and `read_tls`, as
/// over a socket.
fn pipe(from: &mut Connection, to: &mut Connection) {
    let mut wire = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut wire).unwrap();
    }
    let mut rest = &wire[..];
    while !rest.is_empty() {
        to.read_tls(&mut rest).unwrap();
        to.process().unwrap();
    }
}

/// What dropping `value` frees, its own size included.
fn held<T>(value: T) -> usize {
    let boxed = Box::new(value);
    let before = ALLOC.allocated();
    drop(boxed);
    before - ALLOC.allocated()
}

/// A client and a server with default configs, handshake done.
/// A connected pair, with the configs they were made from: the configs
/// (root store, certificate, session store and the tickets in it) are
/// shared by every connection of a process, so the caller keeps them alive
/// and `held` counts only what the connection itself holds.
fn connected() -> (keyway::ClientConnection, keyway::ServerConnection, Configs) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = keyway::ClientConfig::builder(pki.root_store())
        .build()
        .unwrap();
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    let configs = (Arc::new(client), Arc::new(server));
    let mut c = keyway::ClientConnection::new(configs.0.clone(), "example.com").unwrap();
    let mut s = keyway::ServerConnection::new(configs.1.clone());
    handshake(&mut c, &mut s).unwrap();
    (c, s, configs)
}

type Configs = (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>);

#[test]
fn an_idle_connection_holds_no_buffers_after_traffic() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (mut c, mut s, _configs) = connected();
    let data = vec![0x5a; 16 * 1024];
    let mut buf = vec![0; 16 * 1024];
    c.write_plaintext(&data).unwrap();
    pipe(&mut c, &mut s);
    s.reader().read_exact(&mut buf).unwrap();
    s.write_plaintext(&data).unwrap();
    pipe(&mut s, &mut c);
    c.reader().read_exact(&mut buf).unwrap();
    assert_eq!(buf, data);
    // The peer's certificates (about 1 KB for this PKI) and the connection
    // itself (about 2 KB inline) remain; one 16 KiB buffer would not fit,
    // nor would the handshake's smaller ones (several KB) under 4 KiB.
    let (client, server) = (held(c), held(s));
    assert!(client < 4 * 1024, "an idle client holds {client} B");
    assert!(server < 4 * 1024, "an idle server holds {server} B");
}

/// 64 records of 16 KiB read from a transport that always has more: the
/// input buffer is allocated once, not once per record (which would also
/// zero 16 KiB each time).
#[test]
fn a_busy_connection_reads_every_record_into_the_same_buffer() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (mut c, mut s, _configs) = connected();
    let record = vec![0x5a; 16 * 1024];
    let mut wire = Vec::new();
    for _ in 0..64 {
        c.write_plaintext(&record).unwrap();
        while c.wants_write() {
            c.write_tls(&mut wire).unwrap();
        }
    }

    let before = ALLOC.total_allocated();
    let mut rest = &wire[..];
    let mut buf = vec![0; 16 * 1024];
    let mut received = 0;
    while received < 64 * record.len() {
        match s.reader().read(&mut buf) {
            Ok(n) => {
                assert_eq!(buf[..n], record[..n]);
                received += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                s.read_tls(&mut rest).unwrap();
                s.process().unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
    let allocated = ALLOC.total_allocated() - before;
    // One buffer of a record and a header, and its first smaller size.
    assert!(
        allocated < 2 * 20 * 1024,
        "{allocated} B allocated for 64 records"
    );
    // The transport ran dry with the last record: freed again.
    assert!(held(s) < 8 * 1024);
}
