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
