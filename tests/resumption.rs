//! Session resumption in memory, both versions: what is resumed, the
//! abbreviated message order, what is refused (and becomes a full handshake,
//! never an error), ticket keys shared by a fleet and their rotation.

mod support;

use std::sync::Arc;
use std::time::Duration;

use keyway::events::Side::{self, Client as C, Server as S};
use keyway::session::TicketKeys;
use keyway::{
    ClientConfig, ClientConfigBuilder, ClientConnection, ProtocolVersion, ServerConfig,
    ServerConfigBuilder, ServerConnection,
};
use support::{handshake, send, KeyKind, ManualClock, Recorder, TestPki};

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLS12];

/// One client config and one server config, reused across connections, with
/// a recorder of who sent what.
struct Pair {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    recorder: Arc<Recorder>,
}

impl Pair {
    fn new(client: ClientConfigBuilder, server: ServerConfigBuilder) -> Pair {
        let recorder = Arc::new(Recorder::default());
        Pair {
            client: Arc::new(client.observer(recorder.clone()).build().unwrap()),
            server: Arc::new(server.observer(recorder.clone()).build().unwrap()),
            recorder,
        }
    }

    /// A fresh connection pair, handshaken; returns them and the messages sent.
    fn connect(
        &self,
    ) -> (
        ClientConnection,
        ServerConnection,
        Vec<(Side, &'static str)>,
    ) {
        self.connect_to(&self.server)
    }

    fn connect_to(
        &self,
        server: &Arc<ServerConfig>,
    ) -> (
        ClientConnection,
        ServerConnection,
        Vec<(Side, &'static str)>,
    ) {
        self.recorder.0.lock().unwrap().clear();
        let mut c = ClientConnection::new(self.client.clone(), "example.com").unwrap();
        let mut s = ServerConnection::new(server.clone());
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(send(&mut c, &mut s, b"ping"), b"ping");
        assert_eq!(send(&mut s, &mut c, b"pong"), b"pong");
        let flights = self.recorder.0.lock().unwrap().clone();
        (c, s, flights)
    }
}

fn pki() -> TestPki {
    TestPki::generate(KeyKind::EcdsaP256, &["example.com"])
}

fn client(pki: &TestPki) -> ClientConfigBuilder {
    ClientConfig::builder(pki.root_store())
}

fn server(pki: &TestPki) -> ServerConfigBuilder {
    ServerConfig::builder().certificate(pki.certified_key())
}

const TLS12_RESUMED_BY_ID: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "ChangeCipherSpec"),
    (S, "Finished"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
];

const TLS12_RESUMED_BY_TICKET: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "NewSessionTicket"),
    (S, "ChangeCipherSpec"),
    (S, "Finished"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
];

#[test]
fn tls12_resumes_by_session_id_and_keeps_the_identity() {
    let pki = pki();
    let client_pki = TestPki::generate(KeyKind::Ed25519, &["client.example"]);
    let verifier = keyway::pki::DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
    let pair = Pair::new(
        client(&pki)
            .versions(TLS12)
            .client_certificate(client_pki.certified_key()),
        server(&pki)
            .session_tickets(0)
            .client_auth(Arc::new(verifier)),
    );
    let (c1, s1, _) = pair.connect();
    assert!(!c1.negotiated().resumed && !s1.negotiated().resumed);
    let (c2, s2, flights) = pair.connect();
    assert_eq!(flights, TLS12_RESUMED_BY_ID);
    assert!(c2.negotiated().resumed && s2.negotiated().resumed);
    assert_eq!(c2.negotiated().cipher_suite, c1.negotiated().cipher_suite);
    assert_eq!(
        c2.negotiated().peer_certificates,
        c1.negotiated().peer_certificates
    );
    assert_eq!(
        s2.negotiated().peer_certificates,
        client_pki.certified_key().chain,
        "the client's identity survives resumption"
    );
}

#[test]
fn tls12_resumes_by_ticket_and_renews_it() {
    let pki = pki();
    let pair = Pair::new(
        client(&pki).versions(TLS12),
        server(&pki).session_store(None),
    );
    let (_, _, first) = pair.connect();
    assert!(first.contains(&(S, "NewSessionTicket")));
    for _ in 0..3 {
        let (c, s, flights) = pair.connect();
        assert_eq!(flights, TLS12_RESUMED_BY_TICKET);
        assert!(c.negotiated().resumed && s.negotiated().resumed);
    }
}

#[test]
fn tls12_does_not_resume_past_the_lifetime_or_with_another_suite() {
    let pki = pki();
    let clock = ManualClock::new();
    let pair = Pair::new(
        client(&pki).versions(TLS12).clock(clock.clone()),
        server(&pki)
            .ticket_lifetime(Duration::from_secs(3600))
            .clock(clock.clone()),
    );
    pair.connect();
    clock.advance(Duration::from_secs(3601));
    let (c, s, _) = pair.connect();
    assert!(!c.negotiated().resumed && !s.negotiated().resumed);

    // A server that no longer allows the session's suite (but holds the
    // keys that open the ticket): a full handshake.
    let keys = Arc::new(TicketKeys::new(Duration::from_secs(3600)).unwrap());
    let server = || server(&pki).ticket_keys(keys.clone()).session_store(None);
    let pair = Pair::new(client(&pki).versions(TLS12), server());
    let (c, s, _) = pair.connect_to(&Arc::new(server().build().unwrap()));
    assert!(!c.negotiated().resumed && !s.negotiated().resumed);
    let (c, s, _) = pair.connect_to(&Arc::new(server().build().unwrap()));
    assert!(c.negotiated().resumed && s.negotiated().resumed, "control");
    let (c, _, _) = pair.connect();
    let suite = c.negotiated().cipher_suite.unwrap();
    let others: Vec<_> = [
        keyway::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        keyway::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ]
    .into_iter()
    .filter(|s| *s != suite)
    .collect();
    let narrower = Arc::new(server().cipher_suites(&others).build().unwrap());
    let (c, s, _) = pair.connect_to(&narrower);
    assert!(!c.negotiated().resumed && !s.negotiated().resumed);
    assert_eq!(c.negotiated().cipher_suite, Some(others[0]));
}

const TLS13_RESUMED: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "ChangeCipherSpec"),
    (S, "EncryptedExtensions"),
    (S, "Finished"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS13_RESUMED_AFTER_RETRY: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "HelloRetryRequest"),
    (S, "ChangeCipherSpec"),
    (C, "ChangeCipherSpec"),
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "EncryptedExtensions"),
    (S, "Finished"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS13_EARLY_DATA: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (C, "ChangeCipherSpec"),
    (S, "ServerHello"),
    (S, "ChangeCipherSpec"),
    (S, "EncryptedExtensions"),
    (S, "Finished"),
    (C, "EndOfEarlyData"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

#[test]
fn tls13_resumes_with_a_ticket_and_keeps_the_identity() {
    let pki = pki();
    let client_pki = TestPki::generate(KeyKind::Ed25519, &["client.example"]);
    let verifier = keyway::pki::DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
    let pair = Pair::new(
        client(&pki).client_certificate(client_pki.certified_key()),
        server(&pki).client_auth(Arc::new(verifier)),
    );
    let (c1, s1, first) = pair.connect();
    assert!(!c1.negotiated().resumed && !s1.negotiated().resumed);
    assert_eq!(
        first
            .iter()
            .filter(|m| **m == (S, "NewSessionTicket"))
            .count(),
        2
    );
    for _ in 0..3 {
        let (c, s, flights) = pair.connect();
        assert_eq!(flights, TLS13_RESUMED);
        assert!(c.negotiated().resumed && s.negotiated().resumed);
        assert_eq!(c.negotiated().version, Some(ProtocolVersion::TLS13));
        // psk_dhe_ke: a fresh (EC)DHE exchange, so forward secrecy.
        assert_eq!(c.negotiated().group, c1.negotiated().group);
        assert_eq!(
            c.negotiated().peer_certificates,
            c1.negotiated().peer_certificates
        );
        assert_eq!(
            s.negotiated().peer_certificates,
            client_pki.certified_key().chain,
            "the client's identity survives resumption"
        );
        assert_eq!(s.negotiated().signature_scheme, None, "nothing was signed");
    }
}

#[test]
fn tls13_resumes_after_a_hello_retry_request_with_a_new_binder() {
    let pki = pki();
    let keys = Arc::new(TicketKeys::new(Duration::from_secs(3600)).unwrap());
    let pair = Pair::new(
        client(&pki).key_shares(&[keyway::NamedGroup::X25519]),
        server(&pki).ticket_keys(keys.clone()),
    );
    pair.connect();
    let retrying = server(&pki)
        .ticket_keys(keys)
        .groups(&[keyway::NamedGroup::SECP256R1])
        .observer(pair.recorder.clone())
        .build()
        .unwrap();
    let (c, s, flights) = pair.connect_to(&Arc::new(retrying));
    assert_eq!(flights, TLS13_RESUMED_AFTER_RETRY);
    assert!(c.negotiated().resumed && s.negotiated().resumed);
    assert!(c.negotiated().hello_retry_request);
}

#[test]
fn tls13_psk_ke_resumes_without_a_common_group_only_when_both_allow_it() {
    let pki = pki();
    let keys = Arc::new(TicketKeys::new(Duration::from_secs(3600)).unwrap());
    let pair = Pair::new(
        client(&pki)
            .groups(&[keyway::NamedGroup::X25519])
            .psk_ke(true),
        server(&pki).ticket_keys(keys.clone()),
    );
    pair.connect();
    let other_group = || {
        server(&pki)
            .ticket_keys(keys.clone())
            .groups(&[keyway::NamedGroup::SECP384R1])
    };
    let (c, s, _) = pair.connect_to(&Arc::new(other_group().psk_ke(true).build().unwrap()));
    assert!(c.negotiated().resumed && s.negotiated().resumed);
    assert_eq!((c.negotiated().group, s.negotiated().group), (None, None));

    // Without psk_ke on the server, there is nothing to agree on.
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(other_group().build().unwrap()));
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        keyway::Error::PeerIncompatible(keyway::error::PeerIncompatible::NoCommonGroup)
    );
}

/// The client's first flight of a resumption attempt, as bytes.
fn first_flight(pair: &Pair) -> (ClientConnection, Vec<u8>) {
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    let flight = c.take_tls();
    (c, flight)
}

#[test]
fn tls13_a_wrong_binder_is_decrypt_error() {
    let pki = pki();
    let pair = Pair::new(client(&pki), server(&pki));
    pair.connect();
    let (_, mut flight) = first_flight(&pair);
    // The ClientHello is the only record; its last byte is the binder's.
    *flight.last_mut().unwrap() ^= 1;
    let mut s = ServerConnection::new(pair.server.clone());
    s.read_tls_bytes(&flight).unwrap();
    let err = s.process().unwrap_err();
    assert_eq!(
        err,
        keyway::Error::PeerMisbehaved(keyway::error::PeerMisbehaved::BadBinder)
    );
    assert_eq!(err.alert(), Some(keyway::AlertDescription::DECRYPT_ERROR));
}

#[test]
fn tls13_stateful_tickets_resume_once() {
    let pki = pki();
    let pair = Pair::new(client(&pki), server(&pki).stateful_tickets(true));
    pair.connect();
    let (_, flight) = first_flight(&pair);
    for (attempt, resumed) in [(1, true), (2, false)] {
        let mut s = ServerConnection::new(pair.server.clone());
        s.read_tls_bytes(&flight).unwrap();
        s.process().unwrap();
        assert_eq!(s.negotiated().resumed, resumed, "attempt {attempt}");
    }
}

#[test]
fn tls13_does_not_resume_past_the_lifetime_or_for_another_protocol() {
    let pki = pki();
    let clock = ManualClock::new();
    let keys = Arc::new(TicketKeys::new(Duration::from_secs(24 * 3600)).unwrap());
    let pair = Pair::new(
        client(&pki)
            .clock(clock.clone())
            .alpn(&[b"h2", b"http/1.1"]),
        server(&pki)
            .ticket_keys(keys.clone())
            .alpn(&[b"h2"])
            .ticket_lifetime(Duration::from_secs(3600))
            .clock(clock.clone()),
    );
    pair.connect();
    clock.advance(Duration::from_secs(3601));
    let (c, s, _) = pair.connect();
    assert!(
        !c.negotiated().resumed && !s.negotiated().resumed,
        "expired"
    );
    let (c, _, _) = pair.connect();
    assert!(c.negotiated().resumed, "control");
    let http1 = server(&pki)
        .ticket_keys(keys)
        .alpn(&[b"http/1.1"])
        .clock(clock.clone())
        .build()
        .unwrap();
    let (c, s, _) = pair.connect_to(&Arc::new(http1));
    assert!(!c.negotiated().resumed && !s.negotiated().resumed, "ALPN");
    assert_eq!(c.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
}

#[test]
fn a_client_without_a_store_gets_no_tickets() {
    let pki = pki();
    // Whether or not the server would take psk_ke tickets.
    for psk_ke in [false, true] {
        let server = server(&pki).psk_ke(psk_ke);
        let pair = Pair::new(client(&pki).session_store(None), server);
        let (_, _, flights) = pair.connect();
        assert!(!flights.contains(&(S, "NewSessionTicket")), "{psk_ke}");
        let (c, _, _) = pair.connect();
        assert!(!c.negotiated().resumed);
    }
}

#[test]
fn a_fleet_sharing_a_ticket_secret_resumes_each_others_sessions_until_rotation() {
    let pki = pki();
    let clock = ManualClock::new();
    let period = Duration::from_secs(3600);
    let secret = [7u8; 32];
    let member = || {
        let keys = Arc::new(TicketKeys::from_secret(&secret, period).unwrap());
        server(&pki)
            .ticket_keys(keys)
            .session_store(None)
            .ticket_lifetime(Duration::from_secs(7 * 24 * 3600))
            .clock(clock.clone())
    };
    for versions in [&[ProtocolVersion::TLS13][..], TLS12] {
        let pair = Pair::new(
            client(&pki).versions(versions).clock(clock.clone()),
            member(),
        );
        let other = Arc::new(member().build().unwrap());
        pair.connect();
        let (c, s, _) = pair.connect_to(&other);
        assert!(
            c.negotiated().resumed && s.negotiated().resumed,
            "{versions:?}"
        );
        // A ticket sealed one period ago still opens; two periods, not.
        pair.connect();
        clock.advance(period);
        let (c, _, _) = pair.connect_to(&other);
        assert!(c.negotiated().resumed, "{versions:?}: previous key");
        pair.connect();
        clock.advance(period * 2);
        let (c, s, _) = pair.connect_to(&other);
        assert!(
            !c.negotiated().resumed && !s.negotiated().resumed,
            "{versions:?}: rotated out"
        );
    }
}

/// A pair whose server accepts `max` bytes of 0-RTT data, and whose client
/// sends early data; primed with one full handshake.
fn early_data_pair(pki: &TestPki, max: u32) -> Pair {
    let pair = Pair::new(
        client(pki).enable_early_data(true),
        server(pki).max_early_data_size(max),
    );
    pair.connect();
    pair
}

#[test]
fn tls13_early_data_is_accepted_once_and_read_apart() {
    let pki = pki();
    let pair = early_data_pair(&pki, 1024);
    pair.recorder.0.lock().unwrap().clear();
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    assert_eq!(c.write_early_data(b"GET / HTTP/1.1\r\n\r\n").unwrap(), 18);
    let flight = c.take_tls();
    let mut s = ServerConnection::new(pair.server.clone());
    s.read_tls_bytes(&flight).unwrap();
    s.process().unwrap();
    let mut early = [0u8; 64];
    let n = s.read_early_data(&mut early);
    assert_eq!(&early[..n], b"GET / HTTP/1.1\r\n\r\n");
    assert!(s.is_handshaking());
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(*pair.recorder.0.lock().unwrap(), TLS13_EARLY_DATA);
    assert_eq!(c.negotiated().early_data, keyway::EarlyData::Accepted);
    assert_eq!(s.negotiated().early_data, keyway::EarlyData::Accepted);
    assert!(!s.has_plaintext(), "early data never mixes with 1-RTT data");
    assert_eq!(send(&mut c, &mut s, b"after"), b"after");

    // Replayed to another connection: the ticket is gone from the store,
    // so a full handshake, the early data skipped and never read.
    let mut replay = ServerConnection::new(pair.server.clone());
    replay.read_tls_bytes(&flight).unwrap();
    replay.process().unwrap();
    assert!(!replay.negotiated().resumed);
    assert_eq!(replay.negotiated().early_data, keyway::EarlyData::Rejected);
    assert_eq!(replay.read_early_data(&mut early), 0);
    assert!(replay.wants_write(), "the server answered with its flight");
}

#[test]
fn tls13_early_data_refused_is_skipped_and_can_be_resent() {
    let pki = pki();
    let store: Arc<dyn keyway::session::ServerSessionStore> =
        Arc::new(keyway::session::InMemoryServerSessionStore::new(16));
    let with_store = |max: u32| {
        server(&pki)
            .max_early_data_size(max)
            .session_store(Some(store.clone()))
    };
    let pair = Pair::new(client(&pki).enable_early_data(true), with_store(1024));
    // The same store, but no early data taken now: resumed, the early data
    // skipped by trial decryption. Then a server that shares nothing: a
    // full handshake, the early data skipped the same way.
    let refusing = Arc::new(with_store(0).stateful_tickets(true).build().unwrap());
    let stranger = Arc::new(server(&pki).build().unwrap());
    for (server, resumed) in [(refusing, true), (stranger, false)] {
        pair.connect();
        let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
        assert_eq!(c.write_early_data(b"early").unwrap(), 5);
        let mut s = ServerConnection::new(server);
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.negotiated().resumed, resumed);
        assert_eq!(s.negotiated().resumed, resumed);
        assert_eq!(c.negotiated().early_data, keyway::EarlyData::Rejected);
        assert_eq!(s.negotiated().early_data, keyway::EarlyData::Rejected);
        assert_eq!(s.read_early_data(&mut [0u8; 16]), 0);
        assert_eq!(send(&mut c, &mut s, b"early"), b"early");
    }
}

#[test]
fn tls13_early_data_after_a_hello_retry_request_is_skipped() {
    let pki = pki();
    let store: Arc<dyn keyway::session::ServerSessionStore> =
        Arc::new(keyway::session::InMemoryServerSessionStore::new(16));
    let pair = Pair::new(
        client(&pki)
            .enable_early_data(true)
            .key_shares(&[keyway::NamedGroup::X25519]),
        server(&pki)
            .max_early_data_size(1024)
            .session_store(Some(store.clone())),
    );
    pair.connect();
    let retrying = server(&pki)
        .max_early_data_size(1024)
        .session_store(Some(store))
        .groups(&[keyway::NamedGroup::SECP256R1])
        .build()
        .unwrap();
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    c.write_early_data(&[0x55; 1000]).unwrap();
    let mut s = ServerConnection::new(Arc::new(retrying));
    handshake(&mut c, &mut s).unwrap();
    assert!(c.negotiated().resumed && c.negotiated().hello_retry_request);
    assert_eq!(c.negotiated().early_data, keyway::EarlyData::Rejected);
    assert_eq!(s.read_early_data(&mut [0u8; 16]), 0);
}

#[test]
fn early_data_past_the_bounds_ends_the_connection() {
    let pki = pki();
    let store: Arc<dyn keyway::session::ServerSessionStore> =
        Arc::new(keyway::session::InMemoryServerSessionStore::new(16));
    let keys = Arc::new(TicketKeys::new(Duration::from_secs(3600)).unwrap());
    let shared = |max: u32| {
        server(&pki)
            .max_early_data_size(max)
            .ticket_keys(keys.clone())
            .session_store(Some(store.clone()))
    };
    let pair = Pair::new(client(&pki).enable_early_data(true), shared(1024));

    // More than the server's max_early_data_size now (smaller than the
    // ticket's): unexpected_message.
    pair.connect();
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    assert_eq!(
        c.write_early_data(&[1; 2000]).unwrap(),
        1024,
        "the ticket's bound"
    );
    let mut s = ServerConnection::new(Arc::new(shared(100).build().unwrap()));
    s.read_tls_bytes(&c.take_tls()).unwrap();
    let err = s.process().unwrap_err();
    assert!(
        matches!(
            err,
            keyway::Error::LimitExceeded(keyway::error::Limit::EarlyData)
        ),
        "{err:?}"
    );
    assert_eq!(
        err.alert(),
        Some(keyway::AlertDescription::UNEXPECTED_MESSAGE)
    );

    // More refused early data than the server skips.
    pair.connect();
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    c.write_early_data(&[1; 1024]).unwrap();
    let mut limits = keyway::Limits::default();
    limits.max_skipped_early_data = 100;
    let mut s = ServerConnection::new(Arc::new(shared(0).limits(limits).build().unwrap()));
    s.read_tls_bytes(&c.take_tls()).unwrap();
    let err = s.process().unwrap_err();
    assert!(
        matches!(
            err,
            keyway::Error::LimitExceeded(keyway::error::Limit::SkippedEarlyData(100))
        ),
        "{err:?}"
    );
}

#[test]
fn early_data_is_refused_by_the_api_when_it_cannot_be_sent() {
    let pki = pki();
    // No ticket yet.
    let pair = early_data_pair(&pki, 0);
    let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
    assert!(matches!(
        c.write_early_data(b"x"),
        Err(keyway::Error::ApiMisuse(_))
    ));
    let _ = c.take_tls();
}

/// RFC 8446, Section 8.3: the ticket age the client reports must agree with
/// the age the server knows to within the window (10 s by default), or the
/// early data is refused (and skipped). Both clocks moving on together
/// keeps the ages in agreement however old the ticket; the server's clock
/// alone moving 20 s does not.
#[test]
fn tls13_early_data_needs_the_ticket_ages_to_agree() {
    let pki = pki();
    let client_clock = ManualClock::new();
    let server_clock = ManualClock::new();
    let pair = Pair::new(
        client(&pki)
            .enable_early_data(true)
            .clock(client_clock.clone()),
        server(&pki)
            .max_early_data_size(1024)
            .clock(server_clock.clone()),
    );
    pair.connect();
    let early = |pair: &Pair| {
        let mut c = ClientConnection::new(pair.client.clone(), "example.com").unwrap();
        assert_eq!(c.write_early_data(b"early").unwrap(), 5);
        let mut s = ServerConnection::new(pair.server.clone());
        handshake(&mut c, &mut s).unwrap();
        assert!(s.negotiated().resumed);
        s.negotiated().early_data
    };
    client_clock.advance(Duration::from_secs(30));
    server_clock.advance(Duration::from_secs(30));
    assert_eq!(early(&pair), keyway::EarlyData::Accepted);
    server_clock.advance(Duration::from_secs(20));
    assert_eq!(early(&pair), keyway::EarlyData::Rejected);
}

/// A session too large for a ticket (a client chain over 64 KiB) cannot be
/// resumed: the server sends no ticket and the connection goes on.
#[test]
fn a_session_too_large_for_a_ticket_gets_none_and_the_connection_goes_on() {
    let pki = pki();
    let names: Vec<String> = (0..2600)
        .map(|i| format!("host-{i:04}.client.example"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let client_pki = TestPki::generate(KeyKind::EcdsaP256, &names);
    let verifier = keyway::pki::DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
    let pair = Pair::new(
        client(&pki).client_certificate(client_pki.certified_key()),
        server(&pki).client_auth(Arc::new(verifier)),
    );
    let (_, _, flights) = pair.connect();
    assert!(flights.contains(&(C, "Certificate")), "{flights:?}");
    assert!(!flights.contains(&(S, "NewSessionTicket")), "{flights:?}");
}
