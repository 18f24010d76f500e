//! The heap an idle connection holds once data has flowed: its buffers are
//! freed as they drain, so what is left is keys and state. One test in its
//! own binary, so the counting allocator sees nothing else.

mod support;

use std::alloc::System;
use std::io::Read;

use cap::Cap;
use keyway::Connection;
use support::{connect, KeyKind, TestPki};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

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

#[test]
fn an_idle_connection_holds_no_buffers_after_traffic() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = keyway::ClientConfig::builder(pki.root_store())
        .build()
        .unwrap();
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    result.unwrap();
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
    // itself (about 2 KB inline) remain; 16 KiB buffers would not fit.
    let (client, server) = (held(c), held(s));
    assert!(client < 8 * 1024, "an idle client holds {client} B");
    assert!(server < 8 * 1024, "an idle server holds {server} B");
}
