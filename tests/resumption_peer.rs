//! What a client offers and accepts around resumption, checked against a
//! server that lies (a man in the middle re-sealing its flights) and in the
//! ClientHello itself: a pre_shared_key selected for a suite of another hash,
//! a PSK without the key share the client required, early data accepted
//! without a resumed ticket, tickets that must not be offered, a suite
//! chosen by the ticket's hash, a renewed TLS 1.2 ticket kept.

mod support;

use std::sync::Arc;
use std::time::Duration;

use keyway::codec::extensions::Extension;
use keyway::codec::messages::{ClientHello, Finished, HandshakeMessage, VerifyData};
use keyway::codec::HandshakeType as H;
use keyway::error::PeerMisbehaved;
use keyway::events::Side;
use keyway::session::{ClientSessionStore, InMemoryClientSessionStore, TicketKeys};
use keyway::{
    AlertDescription, CipherSuite, ClientConfig, ClientConfigBuilder, ClientConnection, Error,
    ProtocolVersion, ServerConfig, ServerConfigBuilder, ServerConnection,
};
use support::mitm::Mitm;
use support::{handshake, KeyKind, ManualClock, TestPki};

/// A client session store that files every server under one name: client
/// configs built apart (each files its sessions under its own key) share
/// their sessions through it.
#[derive(Debug)]
struct OneServer(InMemoryClientSessionStore);

impl ClientSessionStore for OneServer {
    fn insert_ticket(&self, _: &str, value: Vec<u8>) {
        self.0.insert_ticket("server", value)
    }

    fn take_ticket(&self, _: &str) -> Option<Vec<u8>> {
        self.0.take_ticket("server")
    }

    fn set_tls12_session(&self, _: &str, value: Vec<u8>) {
        self.0.set_tls12_session("server", value)
    }

    fn tls12_session(&self, _: &str) -> Option<Vec<u8>> {
        self.0.tls12_session("server")
    }

    fn remove_tls12_session(&self, _: &str) {
        self.0.remove_tls12_session("server")
    }
}

struct Setup {
    pki: TestPki,
    store: Arc<OneServer>,
    keys: Arc<TicketKeys>,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            pki: TestPki::generate(KeyKind::EcdsaP256, &["example.com"]),
            store: Arc::new(OneServer(InMemoryClientSessionStore::new(1, 8))),
            keys: Arc::new(TicketKeys::new(Duration::from_secs(3600)).unwrap()),
        }
    }

    fn client(&self) -> ClientConfigBuilder {
        ClientConfig::builder(self.pki.root_store()).session_store(Some(self.store.clone()))
    }

    fn server(&self) -> ServerConfigBuilder {
        ServerConfig::builder()
            .certificate(self.pki.certified_key())
            .ticket_keys(self.keys.clone())
    }

    /// One handshake to its end; whether it resumed.
    fn connect(&self, client: ClientConfigBuilder, server: ServerConfigBuilder) -> bool {
        let client = Arc::new(client.build().unwrap());
        let mut c = ClientConnection::new(client, "example.com").unwrap();
        let mut s = ServerConnection::new(Arc::new(server.build().unwrap()));
        handshake(&mut c, &mut s).unwrap();
        c.negotiated().resumed
    }
}

/// The ClientHello a fresh connection of `client` sends.
fn client_hello(client: ClientConfigBuilder) -> ClientHello {
    let client = Arc::new(client.build().unwrap());
    let bytes = ClientConnection::new(client, "example.com")
        .unwrap()
        .take_tls();
    // The first record holds the ClientHello (a ChangeCipherSpec may follow).
    let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
    match HandshakeMessage::decode(H::CLIENT_HELLO, &bytes[9..5 + len]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    }
}

/// The extensions of the ClientHello a fresh connection of `client` sends.
fn client_hello_extensions(client: ClientConfigBuilder) -> Vec<Extension> {
    client_hello(client).extensions
}

fn offers_a_psk(extensions: &[Extension]) -> bool {
    extensions
        .iter()
        .any(|e| matches!(e, Extension::PreSharedKeyClientHello(_)))
}

fn offers_early_data(extensions: &[Extension]) -> bool {
    extensions.iter().any(|e| matches!(e, Extension::EarlyData))
}

/// Runs a resumption through a man in the middle up to the server's first
/// flight, applies `edit` to its ServerHello, and expects the client to
/// refuse it with `error`.
fn server_hello_refused(
    edit: impl FnOnce(&mut keyway::codec::messages::ServerHello),
    client: impl Fn(&Setup) -> ClientConfigBuilder,
    error: Error,
) {
    let setup = Setup::new();
    assert!(!setup.connect(client(&setup), setup.server()));
    let mut m = Mitm::new(client(&setup), setup.server());
    let mut flight = m.run_to(Side::Server, H::SERVER_HELLO);
    let HandshakeMessage::ServerHello(mut sh) = flight.decode(H::SERVER_HELLO) else {
        unreachable!()
    };
    assert!(
        sh.extensions
            .iter()
            .any(|e| matches!(e, Extension::PreSharedKeyServerHello(0))),
        "the server resumed"
    );
    edit(&mut sh);
    flight.replace(&HandshakeMessage::ServerHello(sh));
    let alert = error.alert().unwrap();
    assert_eq!(m.deliver(flight), Err(error));
    // The alert goes out in the clear: the client has no keys yet.
    assert_eq!(
        m.client.take_tls(),
        [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, alert.0]
    );
}

/// RFC 8446, Section 4.2.11: the PSK a server selects must suit the suite
/// it chose; a ticket made under SHA-256 cannot key a SHA-384 suite.
#[test]
fn a_psk_selected_for_a_suite_of_another_hash_is_illegal_parameter() {
    let both = [
        CipherSuite::TLS_AES_128_GCM_SHA256,
        CipherSuite::TLS_AES_256_GCM_SHA384,
    ];
    server_hello_refused(
        |sh| sh.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384,
        |setup| setup.client().cipher_suites(&both),
        Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
            "pre_shared_key selects no ticket we offered for this suite",
        )),
    );
}

/// RFC 8446, Section 4.2.9: a ServerHello without a key share is psk_ke,
/// which a client that did not offer it (the default) refuses.
#[test]
fn a_resumption_without_the_key_share_the_client_required_is_refused() {
    server_hello_refused(
        |sh| {
            sh.extensions
                .retain(|e| !matches!(e, Extension::KeyShareServerHello(_)))
        },
        |setup| setup.client(),
        Error::PeerMisbehaved(PeerMisbehaved::MissingExtension("key_share")),
    );
}

/// A ticket past its lifetime is not offered at all; a ticket that allows
/// no early data is offered without early_data.
#[test]
fn expired_tickets_are_not_offered_and_early_data_only_where_allowed() {
    let setup = Setup::new();
    let clock = ManualClock::new();
    let client = || setup.client().enable_early_data(true).clock(clock.clone());
    let server = || setup.server().clock(clock.clone());
    // The server allows no early data: its tickets say so.
    assert!(!setup.connect(client(), server()));
    let extensions = client_hello_extensions(client());
    assert!(offers_a_psk(&extensions));
    assert!(!offers_early_data(&extensions));
    // A server that allows early data issues tickets that allow it. (Tickets
    // live 12 hours by default.)
    setup.connect(client(), server().max_early_data_size(1024));
    assert!(offers_early_data(&client_hello_extensions(client())));
    clock.advance(Duration::from_secs(13 * 3600));
    assert!(!offers_a_psk(&client_hello_extensions(client())));
}

/// A ticket made under one suite resumes a handshake whose client offers
/// another suite of the same hash (RFC 8446, Section 4.2.11).
#[test]
fn a_ticket_resumes_with_another_suite_of_its_hash() {
    let setup = Setup::new();
    let aes = [CipherSuite::TLS_AES_128_GCM_SHA256];
    let chacha = [CipherSuite::TLS_CHACHA20_POLY1305_SHA256];
    assert!(!setup.connect(setup.client().cipher_suites(&aes), setup.server()));
    assert!(setup.connect(setup.client().cipher_suites(&chacha), setup.server()));
    // Not with a suite of another hash.
    let aes256 = [CipherSuite::TLS_AES_256_GCM_SHA384];
    assert!(!setup.connect(setup.client().cipher_suites(&aes256), setup.server()));
}

/// RFC 5077, Section 3.3: a TLS 1.2 server that resumes a ticket may send a
/// new one; the client keeps the new one, which outlives the old one's key.
#[test]
fn a_renewed_tls12_ticket_replaces_the_old_one() {
    let setup = Setup::new();
    let clock = ManualClock::new();
    let tls12 = [ProtocolVersion::TLS12];
    let client = || setup.client().versions(&tls12).clock(clock.clone());
    // Random keys rotating every hour; the current and the previous open.
    let server = || setup.server().session_store(None).clock(clock.clone());
    assert!(!setup.connect(client(), server()));
    clock.advance(Duration::from_secs(3600));
    assert!(
        setup.connect(client(), server()),
        "the previous key opens it"
    );
    clock.advance(Duration::from_secs(3600));
    assert!(
        setup.connect(client(), server()),
        "the ticket renewed an hour ago opens; the first one would not"
    );
}

/// RFC 8446, Section 4.2.10: a server can accept early data only on the
/// ticket it resumes; in a full handshake an early_data extension in
/// EncryptedExtensions is illegal_parameter.
#[test]
fn early_data_accepted_in_a_full_handshake_is_illegal_parameter() {
    let setup = Setup::new();
    let client = || setup.client().enable_early_data(true);
    assert!(!setup.connect(client(), setup.server().max_early_data_size(1024)));
    // A server that cannot open the ticket: a full handshake, with the
    // client's early_data offer still in its ClientHello.
    let stranger = ServerConfig::builder().certificate(setup.pki.certified_key());
    let mut m = Mitm::new(client(), stranger);
    let mut flight = m.run_to(Side::Server, H::ENCRYPTED_EXTENSIONS);
    let HandshakeMessage::EncryptedExtensions(mut ee) = flight.decode(H::ENCRYPTED_EXTENSIONS)
    else {
        unreachable!()
    };
    ee.extensions.push(Extension::EarlyData);
    flight.replace(&HandshakeMessage::EncryptedExtensions(ee));
    let error = Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
        "early_data accepted without resuming the ticket",
    ));
    assert_eq!(m.deliver(flight), Err(error.clone()));
    assert_eq!(error.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
    // (The alert goes out under the client's early traffic keys, which it
    // installed when it offered early data; the server skips such records.)
    assert!(m.client.wants_write());
}

/// RFC 5246, Section 7.4.1.3: a server that does not resume answers with a
/// session ID of its own; the client, though it offered a cached session,
/// goes on with a full handshake.
#[test]
fn a_tls12_server_that_does_not_resume_gets_a_full_handshake() {
    let setup = Setup::new();
    let tls12 = [ProtocolVersion::TLS12];
    let client = || setup.client().versions(&tls12);
    // Session IDs only, kept in one cache the second server does not share.
    let cache = Arc::new(keyway::session::InMemoryServerSessionStore::new(16));
    let by_id = || {
        setup
            .server()
            .session_tickets(0)
            .session_store(Some(cache.clone()))
    };
    assert!(!setup.connect(client(), by_id()));
    assert!(setup.connect(client(), by_id()), "the first server resumes");
    let other = ServerConfig::builder()
        .certificate(setup.pki.certified_key())
        .session_tickets(0);
    assert!(!setup.connect(client(), other));
}

/// RFC 5077, Section 3.3: the client keeps a TLS 1.2 ticket no longer than
/// the server's lifetime hint says.
#[test]
fn a_tls12_ticket_is_not_offered_past_its_lifetime_hint() {
    let setup = Setup::new();
    let clock = ManualClock::new();
    let tls12 = [ProtocolVersion::TLS12];
    let client = || setup.client().versions(&tls12).clock(clock.clone());
    let server = setup
        .server()
        .session_store(None)
        .ticket_lifetime(Duration::from_secs(3600))
        .clock(clock.clone());
    assert!(!setup.connect(client(), server));
    let offered_ticket = |extensions: &[Extension]| {
        extensions
            .iter()
            .any(|e| matches!(e, Extension::SessionTicket(t) if !t.is_empty()))
    };
    clock.advance(Duration::from_secs(3000));
    assert!(offered_ticket(&client_hello_extensions(client())));
    clock.advance(Duration::from_secs(1000));
    assert!(!offered_ticket(&client_hello_extensions(client())));
}

/// RFC 5077, Section 3.3: a lifetime hint of 0 leaves the lifetime to the
/// client, which keeps the ticket as long as it keeps any (7 days). The
/// server's NewSessionTicket is rewritten with a hint of 0 and its Finished
/// made to match (keyway's server never sends 0).
#[test]
fn a_tls12_ticket_with_a_lifetime_hint_of_0_is_kept() {
    let setup = Setup::new();
    let clock = ManualClock::new();
    let tls12 = [ProtocolVersion::TLS12];
    let client = || setup.client().versions(&tls12).clock(clock.clone());
    let server = setup.server().session_store(None).clock(clock.clone());
    let mut m = Mitm::new(client(), server);
    let mut flight = m.run_to(Side::Server, H::NEW_SESSION_TICKET);
    assert_ne!(flight.message(H::NEW_SESSION_TICKET)[4..8], [0; 4]);
    flight.message_mut(H::NEW_SESSION_TICKET)[4..8].copy_from_slice(&[0; 4]);
    let nst = flight.message(H::NEW_SESSION_TICKET).to_vec();
    let verify_data = m.wire.tls12_verify_data("server finished", &[&nst]);
    let verify_data = VerifyData::new(&verify_data, "test").unwrap();
    flight.replace(&HandshakeMessage::Finished(Finished { verify_data }));
    m.deliver(flight).unwrap();
    m.finish().unwrap();
    assert!(!m.client.is_handshaking());
    clock.advance(Duration::from_secs(6 * 24 * 3600));
    let offered = client_hello_extensions(client())
        .iter()
        .any(|e| matches!(e, Extension::SessionTicket(t) if !t.is_empty()));
    assert!(offered, "the ticket is kept past a day");
}

/// RFC 5246, Section 7.4.1.2: a TLS 1.2-only client with nothing to resume
/// sends an empty session ID; with a ticket to offer (RFC 5077, Section
/// 3.4) or TLS 1.3 in the offer (compatibility mode, RFC 8446, Appendix
/// D.4), 32 bytes of its own.
#[test]
fn the_session_id_is_empty_only_with_nothing_to_resume_and_no_tls13() {
    let setup = Setup::new();
    let tls12 = [ProtocolVersion::TLS12];
    let session_id_len = |client: ClientConfigBuilder| client_hello(client).legacy_session_id.len();
    assert_eq!(session_id_len(setup.client().versions(&tls12)), 0);
    assert_eq!(session_id_len(setup.client()), 32);
    let tickets_only = setup.server().session_store(None);
    assert!(!setup.connect(setup.client().versions(&tls12), tickets_only));
    assert_eq!(session_id_len(setup.client().versions(&tls12)), 32);
}

/// A TLS 1.2 server with tickets off (`session_tickets(0)`) resumes from
/// none, even one sealed with its own keys: it never offered them.
#[test]
fn a_tls12_server_with_tickets_off_does_not_resume_from_one() {
    let setup = Setup::new();
    let tls12 = [ProtocolVersion::TLS12];
    let client = || setup.client().versions(&tls12);
    let tickets = || setup.server().session_store(None);
    assert!(!setup.connect(client(), tickets()));
    assert!(setup.connect(client(), tickets()), "tickets on: resumed");
    assert!(!setup.connect(client(), tickets().session_tickets(0)));
}
