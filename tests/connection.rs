//! The sans-IO surface of a connection: what `write_tls`, `read_tls_bytes`,
//! `wants_read`, `wants_write`, `take_tls` and `Debug` promise, independently
//! of the handshake.

mod support;

use std::io::{Read, Write};
use std::sync::Arc;

use keyway::{ClientConfig, ClientConnection, Connection, Error, ServerConfig, ServerConnection};
use support::{connect, handshake, send, transfer, KeyKind, TestPki};

fn configs(pki: &TestPki) -> (ClientConfig, ServerConfig) {
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    (client, server)
}

fn pair() -> (ClientConnection, ServerConnection) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (client, server) = configs(&pki);
    let (c, s, result) = connect(client, server, "example.com");
    result.unwrap();
    (c, s)
}

/// A transport that takes at most `step` bytes per write.
struct Trickle {
    step: usize,
    written: Vec<u8>,
}

impl Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step);
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Moves `from`'s output to `to` through `write_tls` in pieces of `step` bytes.
fn trickle(from: &mut Connection, to: &mut Connection, step: usize) {
    let mut wire = Trickle {
        step,
        written: Vec::new(),
    };
    let mut calls = 0;
    while from.wants_write() {
        let n = from.write_tls(&mut wire).unwrap();
        assert!(n > 0 && n <= step, "write_tls wrote {n} of at most {step}");
        calls += 1;
        assert!(calls < 100_000, "write_tls made no progress");
    }
    assert_eq!(
        from.write_tls(&mut wire).unwrap(),
        0,
        "nothing left to write"
    );
    to.read_tls_bytes(&wire.written).unwrap();
    to.process().unwrap();
}

#[test]
fn write_tls_hands_out_everything_in_order_however_little_the_transport_takes() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (client, server) = configs(&pki);
    let mut c = ClientConnection::new(Arc::new(client), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server));
    assert!(c.wants_write(), "the ClientHello is queued at once");
    assert!(!s.wants_write());
    // Mid-handshake flights, seven bytes at a time.
    for _ in 0..3 {
        trickle(&mut c, &mut s, 7);
        trickle(&mut s, &mut c, 7);
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    c.write_plaintext(&[5u8; 40_000]).unwrap();
    trickle(&mut c, &mut s, 1_000);
    let mut got = vec![0u8; 40_000];
    s.reader().read_exact(&mut got).unwrap();
    assert_eq!(got, [5u8; 40_000]);
}

#[test]
fn the_first_client_hello_record_says_tls_1_0_and_every_later_record_tls_1_2() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (client, _) = configs(&pki);
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .groups(&[keyway::NamedGroup::SECP384R1])
        .build()
        .unwrap();
    let mut c = ClientConnection::new(Arc::new(client), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server));
    let first = c.take_tls();
    // RFC 8446, Section 5.1: 0x0301 for the initial ClientHello only.
    assert_eq!(first[..3], [22, 3, 1]);
    s.read_tls_bytes(&first).unwrap();
    s.process().unwrap();
    transfer(&mut s, &mut c).unwrap();
    // The compatibility CCS, then the second ClientHello, both 0x0303.
    let second = c.take_tls();
    assert_eq!(second[..3], [20, 3, 3]);
    assert_eq!(second[6..9], [22, 3, 3]);
}

#[test]
fn wants_read_until_the_peer_closes_the_transport_ends_or_an_error() {
    let (mut c, mut s) = pair();
    assert!(c.wants_read() && s.wants_read());
    // close_notify received: nothing more to read.
    c.send_close_notify();
    transfer(&mut c, &mut s).unwrap();
    assert!(!s.wants_read() && s.peer_has_closed());
    assert!(c.wants_read(), "our own close_notify leaves reading open");

    // Transport EOF.
    let (_, mut s) = pair();
    assert_eq!(s.read_tls(&mut &b""[..]).unwrap(), 0);
    assert!(!s.wants_read());

    // A fatal error.
    let (mut c, mut s) = pair();
    c.write_plaintext(b"x").unwrap();
    let mut bytes = c.take_tls();
    *bytes.last_mut().unwrap() ^= 1;
    s.read_tls_bytes(&bytes).unwrap();
    assert_eq!(s.process(), Err(Error::DecryptFailed));
    assert!(!s.wants_read());
    assert!(s.wants_write(), "the bad_record_mac alert is queued");
}

#[test]
fn after_our_close_notify_a_key_update_request_is_not_answered() {
    let (mut c, mut s) = pair();
    c.send_close_notify();
    transfer(&mut c, &mut s).unwrap();
    s.update_keys(true).unwrap();
    assert_eq!(send(&mut s, &mut c, b"still talking"), b"still talking");
    // RFC 8446, Section 6.1: nothing at all after our close_notify.
    assert!(!c.wants_write());
    assert_eq!(c.take_tls(), Vec::<u8>::new());
}

#[test]
fn two_full_records_of_unread_data_fit_a_two_record_plaintext_bound() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (client, _) = configs(&pki);
    let mut limits = keyway::Limits::default();
    limits.max_buffered_plaintext = 2 * 16_384;
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .limits(limits)
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    result.unwrap();
    c.write_plaintext(&[1u8; 3 * 16_384]).unwrap();
    s.read_tls_bytes(&c.take_tls()).unwrap();
    s.process().unwrap();
    // Two records' worth is held; the third waits in the input buffer.
    let mut got = vec![0u8; 3 * 16_384];
    let mut n = 0;
    while let Ok(k @ 1..) = s.read_plaintext(&mut got[n..]) {
        n += k;
    }
    assert_eq!(n, 2 * 16_384);
    s.process().unwrap();
    s.reader().read_exact(&mut got[n..]).unwrap();
}

/// close_notify goes out once, and never after the connection failed (the
/// fatal alert was the last thing it sent).
#[test]
fn close_notify_is_sent_once_and_never_after_a_failure() {
    let (mut c, mut s) = pair();
    c.send_close_notify();
    assert!(!c.take_tls().is_empty());
    c.send_close_notify();
    assert!(c.take_tls().is_empty(), "a second close_notify");

    // A record that does not authenticate ends the server with bad_record_mac.
    s.read_tls_bytes(&[
        23, 3, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ])
    .unwrap();
    assert!(s.process().is_err());
    assert!(!s.take_tls().is_empty(), "the fatal alert");
    s.send_close_notify();
    assert!(s.take_tls().is_empty(), "close_notify after a failure");
}

/// The `io` adapters: what `writer()` takes arrives whole, `has_plaintext`
/// says whether `reader()` has something, and reading empties it.
#[test]
fn writer_and_reader_carry_application_data() {
    let (mut c, mut s) = pair();
    assert!(!s.has_plaintext());
    c.writer().write_all(b"through the writer").unwrap();
    s.read_tls_bytes(&c.take_tls()).unwrap();
    s.process().unwrap();
    assert!(s.has_plaintext());
    let mut got = [0u8; 18];
    s.reader().read_exact(&mut got).unwrap();
    assert_eq!(&got, b"through the writer");
    assert!(!s.has_plaintext());
}

#[test]
fn debug_names_the_side_and_state_and_no_secret() {
    let (c, s) = pair();
    let text = format!("{c:?} {s:?}");
    assert!(text.contains("Client") && text.contains("Server"), "{text}");
    assert!(text.contains("handshake_complete: true"), "{text}");
    assert!(!text.contains("secret") && !text.contains("key:"), "{text}");
}

#[test]
fn take_tls_empties_the_queue() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (client, server) = configs(&pki);
    let mut c = ClientConnection::new(Arc::new(client), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server));
    let hello = c.take_tls();
    assert!(hello.len() > 100);
    assert!(c.take_tls().is_empty() && !c.wants_write());
    s.read_tls_bytes(&hello).unwrap();
    s.process().unwrap();
    handshake(&mut c, &mut s).unwrap();
}

#[test]
fn buf_read_lends_received_data_in_place_until_consumed() {
    use std::io::{BufRead, ErrorKind};
    let (mut c, mut s) = pair();
    assert_eq!(
        s.reader().fill_buf().unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    // Two records, both processed before the application reads: one slice.
    let data: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
    c.write_plaintext(&data).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let mut reader = s.reader();
    assert_eq!(reader.fill_buf().unwrap(), &data[..]);
    reader.consume(5);
    assert_eq!(reader.fill_buf().unwrap(), &data[5..]);
    reader.consume(data.len() - 5);
    assert_eq!(reader.fill_buf().unwrap_err().kind(), ErrorKind::WouldBlock);
    // Read and BufRead interleave on the same data.
    c.write_plaintext(b"hello world").unwrap();
    transfer(&mut c, &mut s).unwrap();
    let mut first = [0u8; 6];
    s.reader().read_exact(&mut first).unwrap();
    assert_eq!(&first, b"hello ");
    assert_eq!(s.reader().fill_buf().unwrap(), b"world");
    s.reader().consume(5);
    // The orderly end is an empty slice, as BufRead has it.
    c.send_close_notify();
    transfer(&mut c, &mut s).unwrap();
    assert_eq!(s.reader().fill_buf().unwrap(), b"");
}

#[test]
fn data_received_before_a_failure_is_lent_before_the_error() {
    use std::io::BufRead;
    let (mut c, mut s) = pair();
    c.write_plaintext(b"kept").unwrap();
    let mut bytes = c.take_tls();
    c.write_plaintext(b"x").unwrap();
    let mut bad = c.take_tls();
    *bad.last_mut().unwrap() ^= 1;
    bytes.extend_from_slice(&bad);
    s.read_tls_bytes(&bytes).unwrap();
    assert_eq!(s.process(), Err(Error::DecryptFailed));
    assert_eq!(s.reader().fill_buf().unwrap(), b"kept");
    s.reader().consume(4);
    let err = s.reader().fill_buf().unwrap_err();
    assert_eq!(err.to_string(), Error::DecryptFailed.to_string());
}

/// A transport whose other end is a server connection stepped in place,
/// and whose every other read, write and flush is interrupted by a signal
/// (`ErrorKind::Interrupted`), as a blocking socket's may be.
struct Interrupting {
    server: ServerConnection,
    incoming: Vec<u8>,
    calls: usize,
}

impl Interrupting {
    fn interrupted(&mut self) -> bool {
        self.calls += 1;
        self.calls % 2 == 1
    }
}

impl Read for Interrupting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.interrupted() {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        if self.incoming.is_empty() {
            self.incoming = self.server.take_tls();
        }
        let n = buf.len().min(self.incoming.len());
        buf[..n].copy_from_slice(&self.incoming[..n]);
        self.incoming.drain(..n);
        Ok(n)
    }
}

impl Write for Interrupting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.interrupted() {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        self.server.read_tls_bytes(buf).unwrap();
        self.server.process().unwrap();
        // The server answers an application record with an echo.
        let mut echo = [0u8; 64];
        let n = self.server.read_plaintext(&mut echo).unwrap_or(0);
        if n > 0 {
            self.server.write_plaintext(&echo[..n]).unwrap();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.interrupted() {
            true => Err(std::io::ErrorKind::Interrupted.into()),
            false => Ok(()),
        }
    }
}

#[test]
fn a_stream_retries_reads_writes_and_flushes_a_signal_interrupted() {
    // On its own thread with a deadline: a stream spinning on a transport
    // that makes no progress fails the test instead of hanging it.
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
        let (client, server) = configs(&pki);
        let transport = Interrupting {
            server: ServerConnection::new(Arc::new(server)),
            incoming: Vec::new(),
            calls: 0,
        };
        let mut tls = keyway::Stream::client(Arc::new(client), "example.com", transport).unwrap();
        tls.handshake().unwrap();
        tls.write_all(b"ping").unwrap();
        let mut got = [0u8; 4];
        tls.read_exact(&mut got).unwrap();
        let _ = done.send((got, tls.get_ref().calls));
    });
    let (got, calls) = result
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the stream finished within 30 s");
    assert_eq!(&got, b"ping");
    assert!(calls > 6, "the transport was interrupted along the way");
}
