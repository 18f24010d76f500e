//! The handshakes of RFC 8448 replayed through our state machines, byte for byte.
//!
//! RFC 8448's traces come from another implementation whose ClientHello and
//! EncryptedExtensions carry its own choices (legacy groups, padding, ticket
//! extensions), so no independent client or server can regenerate every
//! message. What the protocol fixes, we reproduce exactly from the RFC's
//! inputs (its private keys and randomness, injected through the `Rng` seam):
//!
//! - client, Section 3: from the RFC's ClientHello as sent, our client takes
//!   the RFC's server records, checks the server's Finished (the trace's
//!   RSA-1024 CertificateVerify is below ring's minimum, so the test verifier
//!   accepts it), and emits the RFC's client Finished record, application
//!   data record and close_notify record; every secret it logs is the RFC's.
//! - client, Section 5: from the RFC's first ClientHello our client answers
//!   the RFC's HelloRetryRequest with the RFC's P-256 key share and cookie,
//!   then (continuing from the RFC's second ClientHello) produces the RFC's
//!   Finished record.
//! - server, Section 3: from the RFC's ClientHello and randomness our server
//!   emits the RFC's ServerHello record and derives the RFC's handshake secrets.
//! - server, Section 4: holding the session of Section 3's NewSessionTicket,
//!   our server verifies the RFC's PSK binder, accepts its 0-RTT data and
//!   decrypts it, emits the RFC's ServerHello (pre_shared_key, key_share,
//!   supported_versions) and derives the RFC's early and handshake secrets.

use std::sync::{Arc, Mutex};

use crate::client::ClientConfig;
use crate::codec::extensions::Extension;
use crate::codec::messages::HandshakeMessage;
use crate::codec::{HandshakeType, NamedGroup};
use crate::conn::{Connection, ConnectionParts, State};
use crate::crypto::kx::KeyShare;
use crate::crypto::Rng;
use crate::error::CertificateError;
use crate::events::Side;
use crate::keylog::KeyLog;
use crate::pki::{RootStore, ServerCertVerifier, ServerName};
use crate::testing::{rfc8448, HRR, RESUMED, SIMPLE};

/// Accepts the trace's certificate and signature. Its certificate expired in
/// July 2026 and names itself "rsa", and its key is RSA-1024, which ring (and
/// our policy) refuses to verify; the in-memory and OpenSSL tests check real
/// signatures, this one checks everything the key schedule and record layer fix.
#[derive(Debug)]
struct TrustTheTrace;

impl ServerCertVerifier for TrustTheTrace {
    fn verify_server_cert(
        &self,
        _: &[u8],
        _: &[Vec<u8>],
        _: &ServerName,
        _: std::time::SystemTime,
    ) -> Result<(), CertificateError> {
        Ok(())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &[u8],
        scheme: crate::codec::SignatureScheme,
        _: &[u8],
    ) -> Result<(), crate::Error> {
        assert_eq!(scheme, crate::codec::SignatureScheme::RSA_PSS_RSAE_SHA256);
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Secrets(Mutex<Vec<(String, Vec<u8>)>>);

impl KeyLog for Secrets {
    fn log(&self, label: &str, _: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_string(), secret.to_vec()));
    }
}

impl Secrets {
    fn get(&self, label: &str) -> Vec<u8> {
        let logged = self.0.lock().unwrap();
        logged
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }
}

fn fixed_rng(values: &[Vec<u8>]) -> Rng {
    Rng::Fixed {
        sequence: values.iter().cloned().collect(),
        fallback: 0,
    }
}

/// A client connection whose ClientHello(s) are the trace's.
fn trace_client(
    log: Arc<Secrets>,
    first: &[u8],
    retry: Option<(&[u8], &[u8])>,
    share: (NamedGroup, Vec<u8>),
    later_randomness: &[Vec<u8>],
) -> Connection {
    let config = Arc::new(
        ClientConfig::builder(RootStore::new())
            .verifier(Arc::new(TrustTheTrace))
            .key_log(log.clone())
            .build()
            .unwrap(),
    );
    let share = KeyShare::generate(share.0, &mut fixed_rng(&[share.1])).unwrap();
    let parts = ConnectionParts {
        side: Side::Client,
        limits: config.limits.clone(),
        observer: None,
        key_log: log,
        rng: fixed_rng(later_randomness),
    };
    let mut conn = Connection::new(
        parts,
        State::Client(crate::client::ClientState::Tls13(
            super::client13::Step::Traffic(None),
        )),
    );
    let name = ServerName::try_from("server").unwrap();
    conn.start(|cx| {
        let step =
            super::client13::after_client_hellos(config, name, cx, first, retry, vec![share])?;
        Ok(State::Client(crate::client::ClientState::Tls13(step)))
    })
    .unwrap();
    conn
}

fn feed(conn: &mut Connection, record: &[u8]) {
    assert_eq!(conn.read_tls_bytes(record).unwrap(), record.len());
    conn.process().unwrap();
}

fn secret(section: &str, step: &str) -> Vec<u8> {
    rfc8448(section, step, 0, "expanded")
}

#[test]
fn client_reproduces_the_simple_1rtt_trace() {
    let step = |s: &str, n: usize, label: &str| rfc8448(SIMPLE, s, n, label);
    let client_hello = step(
        "{client}  construct a ClientHello handshake message:",
        0,
        "ClientHello",
    );
    let private = step(
        "{client}  create an ephemeral x25519 key pair:",
        0,
        "private key",
    );
    let log = Arc::new(Secrets::default());
    let mut client = trace_client(
        log.clone(),
        &client_hello,
        None,
        (NamedGroup::X25519, private),
        &[],
    );

    feed(
        &mut client,
        &step("{server}  send handshake record:", 0, "complete record"),
    );
    assert!(
        !client.wants_write(),
        "nothing to send before the server's flight"
    );
    feed(
        &mut client,
        &step("{server}  send handshake record:", 1, "complete record"),
    );
    assert_eq!(
        client.take_tls(),
        step("{client}  send handshake record:", 1, "complete record")
    );
    assert!(!client.is_handshaking());

    for (label, rfc_step) in [
        (
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "{server}  derive secret \"tls13 c hs traffic\":",
        ),
        (
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "{server}  derive secret \"tls13 s hs traffic\":",
        ),
        (
            "CLIENT_TRAFFIC_SECRET_0",
            "{server}  derive secret \"tls13 c ap traffic\":",
        ),
        (
            "SERVER_TRAFFIC_SECRET_0",
            "{server}  derive secret \"tls13 s ap traffic\":",
        ),
        (
            "EXPORTER_SECRET",
            "{server}  derive secret \"tls13 exp master\":",
        ),
    ] {
        assert_eq!(log.get(label), secret(SIMPLE, rfc_step), "{label}");
    }

    // The NewSessionTicket (server application key, sequence 0) is accepted.
    feed(
        &mut client,
        &step("{server}  send handshake record:", 2, "complete record"),
    );
    let payload = step("{client}  send application_data record:", 0, "payload");
    client.write_plaintext(&payload).unwrap();
    assert_eq!(
        client.take_tls(),
        step(
            "{client}  send application_data record:",
            0,
            "complete record"
        )
    );
    feed(
        &mut client,
        &step(
            "{server}  send application_data record:",
            0,
            "complete record",
        ),
    );
    let mut got = vec![0u8; payload.len()];
    assert_eq!(client.read_plaintext(&mut got).unwrap(), payload.len());
    assert_eq!(
        got,
        step("{server}  send application_data record:", 0, "payload")
    );
    client.send_close_notify();
    assert_eq!(
        client.take_tls(),
        step("{client}  send alert record:", 0, "complete record")
    );
    feed(
        &mut client,
        &step("{server}  send alert record:", 0, "complete record"),
    );
    assert!(client.peer_has_closed());
}

#[test]
fn client_reproduces_the_hello_retry_request_trace() {
    let step = |s: &str, n: usize, label: &str| rfc8448(HRR, s, n, label);
    let first = step(
        "{client}  construct a ClientHello handshake message:",
        0,
        "ClientHello",
    );
    let second = step(
        "{client}  construct a ClientHello handshake message:",
        1,
        "ClientHello",
    );
    let hrr = step(
        "{server}  construct a ServerHello handshake message:",
        0,
        "ServerHello",
    );
    let x25519 = step(
        "{client}  create an ephemeral x25519 key pair:",
        0,
        "private key",
    );
    let p256 = step(
        "{client}  create an ephemeral P-256 key pair:",
        0,
        "private key",
    );

    // Our answer to the HelloRetryRequest: the RFC's P-256 share and cookie,
    // and otherwise the first ClientHello's extensions.
    let log = Arc::new(Secrets::default());
    let mut client = trace_client(
        log,
        &first,
        None,
        (NamedGroup::X25519, x25519),
        std::slice::from_ref(&p256),
    );
    feed(
        &mut client,
        &step("{server}  send handshake record:", 0, "complete record"),
    );
    let ours = client.take_tls();
    assert_eq!(
        &ours[..3],
        &[0x16, 0x03, 0x03],
        "no CCS without compatibility mode"
    );
    let decode = |raw: &[u8]| match HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &raw[4..])
        .unwrap()
    {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    };
    let (ours, rfc, first) = (decode(&ours[5..]), decode(&second), decode(&first));
    let find = |ch: &crate::codec::messages::ClientHello, typ| {
        ch.extensions.iter().find(|e| e.ext_type() == typ).cloned()
    };
    use crate::codec::ExtensionType as T;
    assert_eq!(find(&ours, T::KEY_SHARE), find(&rfc, T::KEY_SHARE));
    assert_eq!(find(&ours, T::COOKIE), find(&rfc, T::COOKIE));
    assert!(
        matches!(find(&ours, T::KEY_SHARE), Some(Extension::KeyShareClientHello(s)) if s.len() == 1)
    );
    for ext in &first.extensions {
        if ext.ext_type() != T::KEY_SHARE {
            assert_eq!(find(&ours, ext.ext_type()).as_ref(), Some(ext));
        }
    }
    assert_eq!(
        (ours.random, &ours.cipher_suites),
        (first.random, &first.cipher_suites)
    );

    // From the RFC's second ClientHello on, the rest of the trace.
    let second_raw = step(
        "{client}  construct a ClientHello handshake message:",
        1,
        "ClientHello",
    );
    let first_raw = step(
        "{client}  construct a ClientHello handshake message:",
        0,
        "ClientHello",
    );
    let log = Arc::new(Secrets::default());
    let mut client = trace_client(
        log.clone(),
        &first_raw,
        Some((&hrr, &second_raw)),
        (
            NamedGroup::SECP256R1,
            step(
                "{client}  create an ephemeral P-256 key pair:",
                0,
                "private key",
            ),
        ),
        &[],
    );
    feed(
        &mut client,
        &step("{server}  send handshake record:", 1, "complete record"),
    );
    feed(
        &mut client,
        &step("{server}  send handshake record:", 2, "complete record"),
    );
    assert_eq!(
        client.take_tls(),
        step("{client}  send handshake record:", 2, "complete record")
    );
    assert_eq!(
        log.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
        secret(HRR, "{server}  derive secret \"tls13 s hs traffic\":")
    );
    assert_eq!(
        log.get("CLIENT_TRAFFIC_SECRET_0"),
        secret(HRR, "{server}  derive secret \"tls13 c ap traffic\":")
    );
    client.send_close_notify();
    assert_eq!(
        client.take_tls(),
        step("{client}  send alert record:", 0, "complete record")
    );
}

/// The trace's certificate with an RSA key of ours: the server's signature
/// is not what these tests compare.
fn trace_certified_key() -> crate::CertifiedKey {
    let key = crate::pki::pem::load_private_key_pem_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/rsa2048.pem"
    ))
    .unwrap();
    let certificate = match HandshakeMessage::decode(
        HandshakeType::CERTIFICATE,
        &rfc8448(
            SIMPLE,
            "{server}  construct a Certificate handshake message:",
            0,
            "Certificate",
        )[4..],
    )
    .unwrap()
    {
        HandshakeMessage::Certificate(c) => c.certificate_list[0].cert_data.clone(),
        other => panic!("{other:?}"),
    };
    crate::CertifiedKey {
        chain: vec![certificate],
        key: Arc::new(key),
    }
}

#[test]
fn server_reproduces_the_simple_1rtt_server_hello_and_secrets() {
    let step = |s: &str, n: usize, label: &str| rfc8448(SIMPLE, s, n, label);
    let server_hello_record = step("{server}  send handshake record:", 0, "complete record");
    let private = step(
        "{server}  create an ephemeral x25519 key pair:",
        0,
        "private key",
    );
    // ServerHello.random sits after the 5-byte record header, the 4-byte
    // handshake header and legacy_version.
    let random = server_hello_record[11..43].to_vec();
    let log = Arc::new(Secrets::default());
    let config = crate::ServerConfig::builder()
        .certificate(trace_certified_key())
        .key_log(log.clone())
        .dangerous_fixed_randomness(vec![private, random])
        .build()
        .unwrap();
    let mut server = crate::ServerConnection::new(Arc::new(config));
    feed(
        &mut server,
        &step("{client}  send handshake record:", 0, "complete record"),
    );
    let out = server.take_tls();
    assert_eq!(&out[..server_hello_record.len()], &server_hello_record[..]);
    for (label, rfc_step) in [
        (
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "{server}  derive secret \"tls13 c hs traffic\":",
        ),
        (
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "{server}  derive secret \"tls13 s hs traffic\":",
        ),
    ] {
        assert_eq!(log.get(label), secret(SIMPLE, rfc_step), "{label}");
    }
    // Our own EncryptedExtensions answer the client's server_name and
    // record_size_limit (RFC 8449), then our chain and signature follow.
    let protected = &out[server_hello_record.len()..];
    assert_eq!(protected[0], 0x17);
}

/// A clock stopped at one instant.
#[derive(Debug)]
struct Stopped(std::time::SystemTime);

impl crate::session::Clock for Stopped {
    fn now(&self) -> std::time::SystemTime {
        self.0
    }
}

#[test]
fn server_resumes_the_0rtt_trace_from_the_tickets_session() {
    let step = |s: &str, n: usize, label: &str| rfc8448(RESUMED, s, n, label);
    // Section 3's NewSessionTicket: lifetime 30 s, ticket_age_add
    // 0xfad6aac5, nonce 00 00, max_early_data_size 1024, and the PSK the
    // trace derives from it.
    let nst = match HandshakeMessage::decode(
        HandshakeType::NEW_SESSION_TICKET,
        &rfc8448(
            SIMPLE,
            "{server}  construct a NewSessionTicket handshake message:",
            0,
            "NewSessionTicket",
        )[4..],
    )
    .unwrap()
    {
        HandshakeMessage::NewSessionTicket(nst) => nst,
        other => panic!("{other:?}"),
    };
    let psk = rfc8448(
        SIMPLE,
        "{server}  generate resumption secret \"tls13 resumption\":",
        0,
        "expanded",
    );
    // The ClientHello reports an age of 6 ms.
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_900_000_000);
    let session = crate::session::SessionState {
        version: crate::ProtocolVersion::TLS13,
        suite: crate::CipherSuite::TLS_AES_128_GCM_SHA256,
        secret: zeroize::Zeroizing::new(psk),
        extended_master_secret: false,
        server_name: Some("server".into()),
        alpn: None,
        peer_certificates: Vec::new(),
        created_ms: 1_900_000_000_000 - 6,
        lifetime_secs: nst.ticket_lifetime,
        age_add: nst.ticket_age_add,
        max_early_data: 1024,
        ticket: Vec::new(),
        session_id: Vec::new(),
    };
    let store = Arc::new(crate::session::InMemoryServerSessionStore::new(4));
    use crate::session::ServerSessionStore;
    store.put(nst.ticket.clone(), session.encode().unwrap().to_vec());

    let server_hello_record = step("{server}  send handshake record:", 0, "complete record");
    let private = step(
        "{server}  create an ephemeral x25519 key pair:",
        0,
        "private key",
    );
    let random = server_hello_record[11..43].to_vec();
    let log = Arc::new(Secrets::default());
    let config = crate::ServerConfig::builder()
        .certificate(trace_certified_key())
        .key_log(log.clone())
        .session_store(Some(store))
        .max_early_data_size(1024)
        .clock(Arc::new(Stopped(now)))
        .dangerous_fixed_randomness(vec![private, random])
        .build()
        .unwrap();
    let mut server = crate::ServerConnection::new(Arc::new(config));
    feed(
        &mut server,
        &step("{client}  send handshake record:", 0, "complete record"),
    );
    feed(
        &mut server,
        &step(
            "{client}  send application_data record:",
            0,
            "complete record",
        ),
    );
    let mut early = [0u8; 16];
    let n = server.read_early_data(&mut early);
    assert_eq!(
        &early[..n],
        step("{client}  send application_data record:", 0, "payload")
    );
    assert!(server.negotiated().resumed);
    let out = server.take_tls();
    assert_eq!(&out[..server_hello_record.len()], &server_hello_record[..]);
    for (label, rfc_step) in [
        (
            "CLIENT_EARLY_TRAFFIC_SECRET",
            "{client}  derive secret \"tls13 c e traffic\":",
        ),
        (
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "{server}  derive secret \"tls13 c hs traffic\":",
        ),
        (
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "{server}  derive secret \"tls13 s hs traffic\":",
        ),
    ] {
        assert_eq!(log.get(label), secret(RESUMED, rfc_step), "{label}");
    }
}
