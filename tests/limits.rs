//! Every bound in `keyway::Limits`, breached in memory: the connection ends
//! with the alert the bound maps to, the peer receives that alert, and the
//! error names the `Limits` field so an operator knows what to raise.
//!
//! The two buffer bounds are flow control rather than misbehaviour: the tests
//! show a flooding peer held to them without the connection being cut off.

mod support;

use std::sync::{Arc, Mutex};

use keyway::codec::extensions::Extension;
use keyway::codec::messages::{ClientHello, HandshakeMessage};
use keyway::codec::{ContentType, ExtensionType, HandshakeType, ProtocolVersion};
use keyway::crypto::AeadAlgorithm;
use keyway::error::Limit;
use keyway::events::Side;
use keyway::record::{write_plaintext_records, Tls13Encrypter};
use keyway::{
    AlertDescription as A, CipherSuite, ClientConfig, ClientConnection, Error, Limits,
    ServerConfig, ServerConnection,
};
use support::{handshake, transfer, KeyKind, TestPki};

fn pki() -> TestPki {
    TestPki::generate(KeyKind::EcdsaP256, &["example.com"])
}

fn client_with(pki: &TestPki, limits: Limits) -> ClientConnection {
    let config = ClientConfig::builder(pki.root_store())
        .limits(limits)
        .build()
        .unwrap();
    ClientConnection::new(Arc::new(config), "example.com").unwrap()
}

fn server_with(pki: &TestPki, limits: Limits) -> ServerConnection {
    let config = ServerConfig::builder()
        .certificate(pki.certified_key())
        .limits(limits)
        .build()
        .unwrap();
    ServerConnection::new(Arc::new(config))
}

fn connected() -> (ClientConnection, ServerConnection) {
    let pki = pki();
    let mut client = client_with(&pki, Limits::default());
    let mut server = server_with(&pki, Limits::default());
    handshake(&mut client, &mut server).unwrap();
    (client, server)
}

fn plaintext_record(typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_plaintext_records(ProtocolVersion::TLS12, typ, payload, 1 << 14, &mut out).unwrap();
    out
}

/// Checks that `err` is exactly `limit`, maps to `alert`, and names `field`.
fn assert_breach(err: &Error, limit: Limit, alert: A, field: &str) {
    assert_eq!(err, &Error::LimitExceeded(limit));
    assert_eq!(err.alert(), Some(alert), "{err}");
    assert!(err.to_string().contains(field), "{err} should name {field}");
}

/// The fatal alert in the last record `conn` queued, which must be plaintext
/// (sent before any keys were installed).
fn last_plaintext_alert(conn: &mut keyway::Connection) -> A {
    let bytes = conn.take_tls();
    let mut rest = &bytes[..];
    let mut last = None;
    while let [typ, _, _, hi, lo, body @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        last = Some((*typ, body[..len].to_vec()));
        rest = &body[len..];
    }
    let (typ, body) = last.expect("a record");
    assert_eq!(typ, 21, "last record is an alert");
    assert_eq!(body[0], 2, "fatal");
    A(body[1])
}

/// Feeds `bytes` to `conn` as a transport would, processing as it goes;
/// returns the first error.
fn feed(conn: &mut keyway::Connection, bytes: &[u8]) -> Result<(), Error> {
    let mut offset = 0;
    while offset < bytes.len() {
        offset += conn.read_tls_bytes(&bytes[offset..])?;
        conn.process()?;
    }
    Ok(())
}

/// Runs a handshake with client-side `limits`; returns the client's error
/// and checks that its alert reached the server.
fn client_refuses_server(pki: &TestPki, limits: Limits) -> Error {
    let mut client = client_with(pki, limits);
    let mut server = server_with(pki, Limits::default());
    let err = handshake(&mut client, &mut server).unwrap_err();
    assert_eq!(client.error(), Some(&err));
    let alert = err.alert().expect("an alert");
    // The server reads the client's alert (under handshake keys by now).
    let _ = transfer(&mut client, &mut server);
    assert_eq!(server.error(), Some(&Error::AlertReceived(alert)));
    err
}

/// A real ClientHello from our client, decoded.
fn client_hello(pki: &TestPki) -> ClientHello {
    let bytes = client_with(pki, Limits::default()).take_tls();
    let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
    assert_eq!(bytes.len(), 5 + len, "one record");
    match HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &bytes[9..]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    }
}

/// `ch` as plaintext records, fragmented as needed.
fn client_hello_records(ch: ClientHello) -> Vec<u8> {
    let mut msg = Vec::new();
    HandshakeMessage::ClientHello(ch).encode(&mut msg).unwrap();
    plaintext_record(ContentType::HANDSHAKE, &msg)
}

#[test]
fn max_handshake_message() {
    let pki = pki();
    let mut client = client_with(&pki, Limits::default());
    // Only the header of a ServerHello one byte over the bound: refused
    // before the body is buffered.
    let header = [2, 0x02, 0x01, 0x0a];
    let err = feed(
        &mut client,
        &plaintext_record(ContentType::HANDSHAKE, &header),
    )
    .unwrap_err();
    let limit = Limit::HandshakeMessageSize {
        typ: HandshakeType::SERVER_HELLO,
        len: 131_338,
        max: 131_337,
    };
    assert_breach(&err, limit, A::DECODE_ERROR, "max_handshake_message");
    assert_eq!(last_plaintext_alert(&mut client), A::DECODE_ERROR);
}

#[test]
fn max_client_hello() {
    let pki = pki();
    let mut server = server_with(&pki, Limits::default());
    // One byte over the largest ClientHello the protocol can express.
    let len = keyway::limits::MAX_CLIENT_HELLO + 1;
    let header = [1, (len >> 16) as u8, (len >> 8) as u8, len as u8];
    let err = feed(
        &mut server,
        &plaintext_record(ContentType::HANDSHAKE, &header),
    )
    .unwrap_err();
    let limit = Limit::HandshakeMessageSize {
        typ: HandshakeType::CLIENT_HELLO,
        len,
        max: keyway::limits::MAX_CLIENT_HELLO,
    };
    assert_breach(&err, limit, A::DECODE_ERROR, "max_client_hello");
    assert_eq!(last_plaintext_alert(&mut server), A::DECODE_ERROR);
}

#[test]
fn the_largest_legal_client_hello_is_accepted_by_default() {
    let pki = pki();
    let ch = support::largest_client_hello(client_hello(&pki));
    let mut msg = Vec::new();
    HandshakeMessage::ClientHello(ch).encode(&mut msg).unwrap();
    // Within 3 bytes of the limit (the filler comes in 4-byte steps), less
    // the 254 compression methods TLS 1.3 does not allow.
    let body = msg.len() - 4;
    assert!(body + 254 + 3 >= keyway::limits::MAX_CLIENT_HELLO, "{body}");
    let mut server = server_with(&pki, Limits::default());
    feed(&mut server, &client_hello_records_raw(&msg)).unwrap();
    assert_eq!(server.negotiated().version, Some(ProtocolVersion::TLS13));
}

/// A handshake message as plaintext records, fragmented as needed.
fn client_hello_records_raw(msg: &[u8]) -> Vec<u8> {
    plaintext_record(ContentType::HANDSHAKE, msg)
}

#[test]
fn max_certificate_message() {
    let pki = pki();
    let mut limits = Limits::default();
    limits.max_certificate_message = 300;
    let err = client_refuses_server(&pki, limits);
    let Error::LimitExceeded(Limit::HandshakeMessageSize { typ, len, max }) = err else {
        panic!("{err}");
    };
    assert_eq!((typ, max), (HandshakeType::CERTIFICATE, 300));
    assert!(len > 300);
    assert!(err.to_string().contains("max_certificate_message"), "{err}");
    assert_eq!(err.alert(), Some(A::DECODE_ERROR));
}

#[test]
fn max_chain_len() {
    let pki = pki();
    // The test server sends leaf and intermediate.
    let mut limits = Limits::default();
    limits.max_chain_len = 1;
    let err = client_refuses_server(&pki, limits);
    assert_breach(
        &err,
        Limit::ChainLength(1),
        A::DECODE_ERROR,
        "max_chain_len",
    );
    // Two certificates are within a bound of two, in both versions.
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let mut limits = Limits::default();
        limits.max_chain_len = 2;
        let config = ClientConfig::builder(pki.root_store())
            .versions(&[version])
            .limits(limits.clone());
        let mut client =
            ClientConnection::new(Arc::new(config.build().unwrap()), "example.com").unwrap();
        let mut server = server_with(&pki, Limits::default());
        handshake(&mut client, &mut server).unwrap();
        // One over it, in TLS 1.2 too.
        limits.max_chain_len = 1;
        let config = ClientConfig::builder(pki.root_store())
            .versions(&[version])
            .limits(limits);
        let mut client =
            ClientConnection::new(Arc::new(config.build().unwrap()), "example.com").unwrap();
        let mut server = server_with(&pki, Limits::default());
        let err = handshake(&mut client, &mut server).unwrap_err();
        assert_eq!(
            err,
            Error::LimitExceeded(Limit::ChainLength(1)),
            "{version:?}"
        );
    }
}

/// `ch` with `n` extra empty extensions of distinct unknown types in front.
fn with_extra_extensions(mut ch: ClientHello, n: u16) -> ClientHello {
    let extra = (0..n).map(|i| Extension::Unknown(ExtensionType(0x1000 + i), Vec::new()));
    ch.extensions.splice(0..0, extra);
    ch
}

#[test]
fn max_extensions_in_a_client_hello() {
    let pki = pki();
    let ch = client_hello(&pki);
    let own = ch.extensions.len();
    let mut limits = Limits::default();
    limits.max_extensions = 64;
    // Exactly at the bound is fine...
    let at_bound = with_extra_extensions(ch.clone(), (64 - own) as u16);
    let mut server = server_with(&pki, limits.clone());
    feed(&mut server, &client_hello_records(at_bound)).unwrap();
    // ...one more is not.
    let over = with_extra_extensions(ch, (64 - own + 1) as u16);
    let mut server = server_with(&pki, limits);
    let err = feed(&mut server, &client_hello_records(over)).unwrap_err();
    let limit = Limit::Extensions {
        message: HandshakeType::CLIENT_HELLO,
        max: 64,
    };
    assert_breach(&err, limit, A::DECODE_ERROR, "max_extensions");
    assert_eq!(last_plaintext_alert(&mut server), A::DECODE_ERROR);
}

#[test]
fn max_extensions_in_server_messages() {
    let pki = pki();
    // The ServerHello carries supported_versions and key_share.
    let mut limits = Limits::default();
    limits.max_extensions = 1;
    let err = client_refuses_server(&pki, limits);
    let limit = Limit::Extensions {
        message: HandshakeType::SERVER_HELLO,
        max: 1,
    };
    assert_breach(&err, limit, A::DECODE_ERROR, "max_extensions");
}

/// A server whose application reads nothing, flooded with `total` bytes of
/// application data: returns the server, the client's records not yet taken,
/// and the error that stopped the transport.
fn flood_unread_server(total: usize) -> (ServerConnection, Vec<u8>, Error) {
    let (mut client, mut server) = connected();
    client.write_plaintext(&vec![7u8; total]).unwrap();
    let wire = client.take_tls();
    let mut offset = 0;
    // Every round takes at least one byte, or the flood has pushed back.
    for _ in 0..wire.len() {
        assert!(offset < wire.len(), "the flood fit in the buffers");
        match server.read_tls_bytes(&wire[offset..]) {
            Ok(n) => offset += n,
            Err(e) => return (server, wire[offset..].to_vec(), e),
        }
        server.process().unwrap();
    }
    panic!("the server neither took the flood nor pushed back");
}

/// Reads every byte of plaintext the server holds right now.
fn read_held(server: &mut ServerConnection) -> usize {
    let mut buf = vec![0u8; 1 << 16];
    let mut held = 0;
    while let Ok(n @ 1..) = server.read_plaintext(&mut buf) {
        held += n;
    }
    held
}

#[test]
fn max_buffered_input_pushes_back_without_ending_the_connection() {
    let total = 2 << 20;
    let (mut server, rest, err) = flood_unread_server(total);
    let max = Limits::default().max_buffered_input;
    assert_eq!(err, Error::LimitExceeded(Limit::BufferedInput(max)));
    assert!(err.to_string().contains("max_buffered_input"), "{err}");
    // Flow control, not misbehaviour: no alert, no error, and once the
    // application reads, everything arrives.
    assert!(!server.wants_write());
    assert_eq!(server.error(), None);
    let mut got = read_held(&mut server);
    feed_slowly(&mut server, &rest, &mut got);
    assert_eq!(got, total);
}

/// Feeds `rest` while reading all plaintext, counting it into `got`.
fn feed_slowly(server: &mut ServerConnection, mut rest: &[u8], got: &mut usize) {
    // Each round reads what is held and feeds what fits: a bound far above
    // the rounds the flood needs, so a stall fails instead of hanging.
    for _ in 0..rest.len() + 2 {
        server.process().unwrap();
        *got += read_held(server);
        if rest.is_empty() && !server.has_plaintext() {
            server.process().unwrap();
            *got += read_held(server);
            return;
        }
        let n = server.read_tls_bytes(rest).unwrap_or(0);
        rest = &rest[n..];
    }
    panic!("{} bytes were never taken", rest.len());
}

#[test]
fn max_buffered_plaintext_pauses_processing() {
    let (mut server, rest, _) = flood_unread_server(2 << 20);
    // Processing paused with records still buffered as ciphertext.
    let held = read_held(&mut server);
    let max = Limits::default().max_buffered_plaintext;
    assert!(held <= max, "held {held}, bound {max}");
    assert!(held > max / 2, "held {held}: processing paused too early");
    let mut got = held;
    feed_slowly(&mut server, &rest, &mut got);
    assert_eq!(got, 2 << 20);
}

/// A key log that keeps every secret.
#[derive(Debug, Default)]
struct Secrets(Mutex<Vec<(String, Vec<u8>)>>);

impl keyway::keylog::KeyLog for Secrets {
    fn log(&self, label: &str, _: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_string(), secret.to_vec()));
    }
}

/// HKDF-Expand-Label(secret, label, "", len) with SHA-256 (RFC 8446,
/// Section 7.1), for len up to 32: one HMAC block.
fn expand_label(secret: &[u8], label: &[u8], len: usize) -> Vec<u8> {
    let full_label = [b"tls13 ", label].concat();
    let mut info = vec![0, len as u8, full_label.len() as u8];
    info.extend_from_slice(&full_label);
    info.extend_from_slice(&[0, 1]); // empty context, then HKDF's block counter
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::sign(&key, &info).as_ref()[..len].to_vec()
}

/// A client/server pair after the handshake, plus a record sealer holding
/// the client's application write keys: lets the test send records our
/// client never would.
fn connected_with_client_sealer() -> (ClientConnection, ServerConnection, Tls13Encrypter) {
    let pki = pki();
    let secrets = Arc::new(Secrets::default());
    let config = ClientConfig::builder(pki.root_store())
        .cipher_suites(&[CipherSuite::TLS_AES_128_GCM_SHA256])
        .key_log(secrets.clone())
        .build()
        .unwrap();
    let mut client = ClientConnection::new(Arc::new(config), "example.com").unwrap();
    let mut server = server_with(&pki, Limits::default());
    handshake(&mut client, &mut server).unwrap();
    let secrets = secrets.0.lock().unwrap();
    let (_, secret) = secrets
        .iter()
        .find(|(label, _)| label == "CLIENT_TRAFFIC_SECRET_0")
        .unwrap();
    let key = expand_label(secret, b"key", 16);
    let iv = expand_label(secret, b"iv", 12).try_into().unwrap();
    let sealer = Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &key, &iv).unwrap();
    (client, server, sealer)
}

/// Checks that the server's (protected) alert reaches the client.
fn client_receives(client: &mut ClientConnection, server: &mut ServerConnection, alert: A) {
    let _ = transfer(server, client);
    assert_eq!(client.error(), Some(&Error::AlertReceived(alert)));
}

#[test]
fn max_empty_records() {
    let (mut client, mut server, mut sealer) = connected_with_client_sealer();
    let max = Limits::default().max_empty_records;
    let mut wire = Vec::new();
    for _ in 0..max {
        sealer
            .seal_record(ContentType::APPLICATION_DATA, &[], &mut wire)
            .unwrap();
    }
    feed(&mut server, &wire).unwrap();
    // One more in a row is too many.
    wire.clear();
    sealer
        .seal_record(ContentType::APPLICATION_DATA, &[], &mut wire)
        .unwrap();
    let err = feed(&mut server, &wire).unwrap_err();
    assert_breach(
        &err,
        Limit::EmptyRecords(max),
        A::UNEXPECTED_MESSAGE,
        "max_empty_records",
    );
    client_receives(&mut client, &mut server, A::UNEXPECTED_MESSAGE);
}

#[test]
fn max_warning_alerts() {
    let pki = pki();
    let mut server = server_with(&pki, Limits::default());
    let max = Limits::default().max_warning_alerts;
    let user_canceled = plaintext_record(ContentType::ALERT, &[1, A::USER_CANCELED.0]);
    for _ in 0..max {
        feed(&mut server, &user_canceled).unwrap();
    }
    let err = feed(&mut server, &user_canceled).unwrap_err();
    assert_breach(
        &err,
        Limit::WarningAlerts(max),
        A::UNEXPECTED_MESSAGE,
        "max_warning_alerts",
    );
    assert_eq!(last_plaintext_alert(&mut server), A::UNEXPECTED_MESSAGE);
}

#[test]
fn max_key_updates() {
    let (mut client, mut server) = connected();
    let max = Limits::default().max_key_updates;
    for _ in 0..max {
        client.update_keys(false).unwrap();
    }
    transfer(&mut client, &mut server).unwrap();
    client.update_keys(false).unwrap();
    let err = transfer(&mut client, &mut server).unwrap_err();
    assert_breach(
        &err,
        Limit::KeyUpdates(max),
        A::UNEXPECTED_MESSAGE,
        "max_key_updates",
    );
    client_receives(&mut client, &mut server, A::UNEXPECTED_MESSAGE);
}

#[test]
fn max_change_cipher_spec() {
    let pki = pki();
    let mut client = client_with(&pki, Limits::default());
    let mut server = server_with(&pki, Limits::default());
    let ccs = plaintext_record(ContentType::CHANGE_CIPHER_SPEC, &[1]);
    // RFC 8446, Section 5: one compatibility record after the ClientHello is
    // dropped; the default bound allows exactly that one.
    let mut wire = client.take_tls();
    wire.extend_from_slice(&ccs);
    feed(&mut server, &wire).unwrap();
    let err = feed(&mut server, &ccs).unwrap_err();
    assert_breach(
        &err,
        Limit::ChangeCipherSpecs(1),
        A::UNEXPECTED_MESSAGE,
        "max_change_cipher_spec",
    );
    // The alert follows the server's flight, under its handshake keys.
    client_receives(&mut client, &mut server, A::UNEXPECTED_MESSAGE);
}

/// The default ClientHello carries two key shares, X25519MLKEM768 (1,216
/// bytes) and X25519 (32): about 1.5 KB in all, one record and a small
/// fraction of every default bound. A default server takes it whole or one
/// byte at a time and answers with the hybrid (1,120-byte share), and the
/// client takes that answer within its own defaults.
#[test]
fn the_default_post_quantum_client_hello_fits_every_default_bound() {
    let pki = pki();
    let limits = Limits::default();
    let mut client = client_with(&pki, limits.clone());
    let hello = client.take_tls();
    let record_len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
    assert_eq!(hello.len(), 5 + record_len, "one record");
    let ch = match HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &hello[9..]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    };
    let key_share = ch
        .extensions
        .iter()
        .find_map(|e| match e {
            Extension::KeyShareClientHello(shares) => Some(shares),
            _ => None,
        })
        .unwrap();
    // key_share: 2-byte list length, then group, length and key per entry.
    let key_share_len: usize = 2 + key_share
        .iter()
        .map(|s| 4 + s.key_exchange.len())
        .sum::<usize>();
    assert_eq!(key_share_len, 2 + (4 + 1216) + (4 + 32));
    assert!(
        (1400..2048).contains(&hello.len()),
        "the default ClientHello is {} bytes",
        hello.len()
    );
    assert!(record_len <= 1 << 14);
    assert!(record_len - 4 < limits.max_handshake_message / 32);
    assert!(hello.len() < limits.max_buffered_input / 32);
    assert!(ch.extensions.len() < limits.max_extensions);

    let mut server = server_with(&pki, limits);
    for byte in hello.chunks(1) {
        server.read_tls_bytes(byte).unwrap();
        server.process().unwrap();
    }
    handshake(&mut client, &mut server).unwrap();
    for conn in [&*client, &*server] {
        assert_eq!(
            conn.negotiated().group,
            Some(keyway::NamedGroup::X25519MLKEM768)
        );
    }
}

/// A TLS 1.2 pair whose every record crosses a wire that holds the keys, so
/// a test can inject protected handshake messages after the handshake.
fn tls12_mitm() -> support::mitm::Mitm {
    mitm(ProtocolVersion::TLS12)
}

/// A pair of `version` whose records cross a wire that holds the keys.
fn mitm(version: ProtocolVersion) -> support::mitm::Mitm {
    let pki = pki();
    let client = ClientConfig::builder(pki.root_store()).versions(&[version]);
    let server = ServerConfig::builder().certificate(pki.certified_key());
    let mut m = support::mitm::Mitm::new(client, server);
    m.finish().unwrap();
    m
}

/// Injects one protected handshake message from `from` and delivers it.
fn inject(m: &mut support::mitm::Mitm, from: Side, msg: &[u8]) -> Result<(), Error> {
    let epoch = m.wire.epoch(from);
    let flight = support::mitm::Flight {
        from,
        items: vec![support::mitm::Item::Handshake {
            epoch,
            msg: msg.to_vec(),
        }],
    };
    m.deliver(flight)
}

/// RFC 8446 has no renegotiation: a ClientHello after a TLS 1.3 handshake
/// (or a HelloRequest, which TLS 1.3 does not define) is unexpected_message
/// at once, not a no_renegotiation warning.
#[test]
fn renegotiation_after_a_tls13_handshake_is_unexpected_message() {
    let mut hello = Vec::new();
    HandshakeMessage::ClientHello(client_hello(&pki()))
        .encode(&mut hello)
        .unwrap();
    for (from, attempt) in [(Side::Client, hello), (Side::Server, vec![0, 0, 0, 0])] {
        let mut m = mitm(ProtocolVersion::TLS13);
        let err = inject(&mut m, from, &attempt).unwrap_err();
        assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE), "{from:?}: {err}");
    }
}

#[test]
fn max_renegotiation_attempts() {
    let max = Limits::default().max_renegotiation_attempts;
    // A server that keeps asking a TLS 1.2 client to renegotiate, and a
    // client that keeps sending a TLS 1.2 server new ClientHellos.
    let mut hello = Vec::new();
    HandshakeMessage::ClientHello(client_hello(&pki()))
        .encode(&mut hello)
        .unwrap();
    for (from, attempt) in [(Side::Server, vec![0, 0, 0, 0]), (Side::Client, hello)] {
        let to = match from {
            Side::Server => Side::Client,
            Side::Client => Side::Server,
        };
        let mut m = tls12_mitm();
        for _ in 0..max {
            inject(&mut m, from, &attempt).unwrap();
            let answer = m.take(to);
            assert_eq!(answer.alert(), Some(A::NO_RENEGOTIATION), "{from:?}");
        }
        let err = inject(&mut m, from, &attempt).unwrap_err();
        assert_breach(
            &err,
            Limit::RenegotiationAttempts(max),
            A::UNEXPECTED_MESSAGE,
            "max_renegotiation_attempts",
        );
    }
}

/// RFC 8449, Section 4: a TLS 1.3 server answers a client's
/// record_size_limit with its own, the largest inner plaintext it takes:
/// 2^14 + 1 (the content type byte included).
#[test]
fn the_server_advertises_the_largest_tls13_inner_plaintext_as_its_record_size_limit() {
    let pki = pki();
    let client = ClientConfig::builder(pki.root_store()).record_size_limit(1024);
    let server = ServerConfig::builder().certificate(pki.certified_key());
    let mut m = support::mitm::Mitm::new(client, server);
    let flight = m.run_to(Side::Server, HandshakeType::ENCRYPTED_EXTENSIONS);
    let HandshakeMessage::EncryptedExtensions(ee) =
        flight.decode(HandshakeType::ENCRYPTED_EXTENSIONS)
    else {
        unreachable!()
    };
    let limit = ee.extensions.iter().find_map(|e| match e {
        Extension::RecordSizeLimit(limit) => Some(*limit),
        _ => None,
    });
    assert_eq!(limit, Some(16_385));
}
