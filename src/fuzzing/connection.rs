//! The `server` and `client` targets: a whole connection fed what the fuzzer
//! pretends its peer sent, and the fixed configs they (and the `client_hello`
//! target) run with.
//!
//! Everything random is fixed: both configs use `dangerous_fixed_randomness`
//! with no values (so every draw is the byte 0x42), the server keys and
//! ticket keys are fixed, and both configs' clocks stop at [`VERIFY_TIME`].
//! Resumption is reachable without state carried from one input to the
//! next: the client's session store always offers the same TLS 1.3 ticket
//! and TLS 1.2 session ([`FixedSessions`]), which the server's ticket keys
//! open, and neither config keeps anything new. So a crash replays,
//! and a peer stream recorded from an in-memory handshake between these
//! configs (see `regenerate_seed_corpus` in `tests/fuzz_corpus.rs`) replays
//! to the end of the connection: it is a seed that starts the fuzzer deep in
//! the handshake instead of at the ClientHello.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{frame, piece_len, RawRecord};
use crate::client::{ClientConfig, ClientConfigBuilder, ClientConnection};
use crate::codec::{CipherSuite, ProtocolVersion};
use crate::codec::{ContentType, NamedGroup};
use crate::conn::Connection;
use crate::crypto::sign::SigningKey;
use crate::crypto::Rng;
use crate::error::{CertificateError, Error};
use crate::pki::{DefaultServerVerifier, OcspStaple, RootStore, ServerCertVerifier, ServerName};
use crate::record::{HEADER_LEN, MAX_TLS13_CIPHERTEXT};
use crate::server::{CertifiedKey, ServerConfig, ServerConfigBuilder, ServerConnection};
use crate::session::{ClientSessionStore, Clock, SessionState, TicketKeys};

/// The control bit of [`server`] and [`client`] that picks the RSA peer
/// (with the `rsa-kx` feature; without it the bit is ignored).
pub const CONTROL_RSA: u8 = 0x80;

/// The bits of the control byte of [`server`] and [`client`] that size the
/// pieces the input is pushed in (see [`piece_len`]); 0x7f pushes any input
/// the fuzzer makes by default in one piece.
pub const CONTROL_PIECE: u8 = 0x7f;

/// The server name the fuzzing client connects to, and the one the fuzzing
/// certificates are issued for.
pub const SERVER_NAME: &str = "example.com";

/// The time the fuzzing client checks certificates at, 2030-01-01T00:00:00Z:
/// inside the validity of the certificates in `testdata/fuzz`, and fixed so
/// that a run does not depend on the clock.
pub const VERIFY_TIME: Duration = Duration::from_secs(1_893_456_000);

/// Runs a [`ServerConnection`] that speaks TLS 1.3 and TLS 1.2 on `data[1..]`
/// as if a client had sent it. `data[0]` is a control byte: its low seven bits
/// size the pieces the input is pushed in ([`CONTROL_PIECE`]), and with the
/// `rsa-kx` feature its top bit ([`CONTROL_RSA`]) picks [`rsa_server_config`],
/// whose TLS 1.2 suites include RSA key exchange, instead of
/// [`server_config`].
///
/// Properties (see [`drive`]): nothing panics, a connection error sticks, and
/// the server only writes whole, well-formed records.
pub fn server(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let config = match control & CONTROL_RSA {
        #[cfg(feature = "rsa-kx")]
        CONTROL_RSA => rsa_server_config(),
        _ => server_config(),
    };
    let mut server = ServerConnection::new(config);
    drive(&mut server, input, piece_len(control & CONTROL_PIECE));
}

/// Runs a [`ClientConnection`] to [`SERVER_NAME`] on `data[1..]` as if the
/// server had sent it, with the same control byte as [`server`]: the top bit
/// (with `rsa-kx`) picks [`rsa_client_config`] instead of [`client_config`].
///
/// The client checks the server's chain for real (against the fuzzing root,
/// at [`VERIFY_TIME`]) and its signatures too: the fuzzing server's Ed25519
/// signatures are deterministic, so a recorded server stream verifies again.
pub fn client(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let config = match control & CONTROL_RSA {
        #[cfg(feature = "rsa-kx")]
        CONTROL_RSA => rsa_client_config(),
        _ => client_config(),
    };
    let mut client = match ClientConnection::new(config, SERVER_NAME) {
        Ok(client) => client,
        Err(e) => panic!("the fuzzing client could not start: {e}"),
    };
    drive(&mut client, input, piece_len(control & CONTROL_PIECE));
}

/// What [`drive`] asks a connection to send once the handshake is done, so
/// that the fuzzer's runs also seal application data under the keys and
/// record size limit the handshake settled on.
const APPLICATION_DATA: &[u8] = b"keyway fuzzing application data";

/// Pushes `input` into `conn` in `piece`-byte pieces as if the peer sent it,
/// calling `process` after each push and reading out any plaintext, until the
/// input ends or the connection fails.
///
/// Checks that a failure sticks (a second `process` returns the same error)
/// and that everything the connection wrote is whole, well-formed records.
pub(crate) fn drive(conn: &mut Connection, input: &[u8], piece: usize) {
    let mut sent = conn.take_tls();
    // Buffered until the handshake completes, then sealed.
    if let Err(e) = conn.write_plaintext(APPLICATION_DATA) {
        panic!("a fresh connection refused application data: {e}");
    }
    for mut piece in input.chunks(piece) {
        while !piece.is_empty() {
            let Ok(taken @ 1..) = conn.read_tls_bytes(piece) else {
                // The buffered-input bound: a peer may hit it, and the
                // connection has nothing more to do with this input.
                return check_output(&sent);
            };
            piece = piece.get(taken..).unwrap_or_default();
            let result = conn.process();
            sent.extend_from_slice(&conn.take_tls());
            if let Err(e) = result {
                assert_eq!(conn.process(), Err(e), "a connection error must stick");
                return check_output(&sent);
            }
            drain_plaintext(conn, input.len());
        }
    }
    check_output(&sent);
}

/// Reads out the plaintext `conn` holds. Each read takes at least a byte
/// of the `pushed` bytes, so more reads than that means `read_plaintext`
/// never runs dry: a bug, not a hang.
pub fn drain_plaintext(conn: &mut Connection, pushed: usize) {
    let mut plaintext = [0u8; 4096];
    for _ in 0..=pushed {
        if !matches!(conn.read_plaintext(&mut plaintext), Ok(1..)) {
            return;
        }
    }
    panic!("read_plaintext returned data more times than bytes came in");
}

/// Checks that a connection only ever wrote whole, well-formed records:
/// a known content type, version 3.3 (or 3.1, which a client's first
/// ClientHello record may carry), a non-empty body within the TLS 1.3
/// ciphertext bound (keyway's TLS 1.2 records stay within it too).
fn check_output(sent: &[u8]) {
    let mut rest = sent;
    while !rest.is_empty() {
        let Some(RawRecord {
            typ,
            body: Some(body),
            after,
        }) = frame(rest)
        else {
            panic!("the connection wrote a partial record: {rest:02x?}");
        };
        assert!(
            matches!(
                typ,
                ContentType::CHANGE_CIPHER_SPEC
                    | ContentType::ALERT
                    | ContentType::HANDSHAKE
                    | ContentType::APPLICATION_DATA
            ) && matches!(rest.get(1..3), Some([3, 3] | [3, 1]))
                && body.len() <= MAX_TLS13_CIPHERTEXT
                && !body.is_empty(),
            "the connection wrote a malformed record header: {:02x?}",
            rest.get(..HEADER_LEN)
        );
        rest = after;
    }
}

/// The settings of [`server_config`], to build on (a recording of a
/// handshake against a variant of it, say TLS 1.2 only, is a `client` seed).
///
/// The key is [`server_certified_key`]; every suite of both versions; the
/// groups secp256r1, secp384r1 and the hybrids X25519MLKEM768 and
/// SecP256r1MLKEM768 (x25519 is left out so that a ClientHello with only an
/// x25519 share gets a HelloRetryRequest, for secp256r1; a hybrid share is
/// taken, so ML-KEM encapsulation is reachable); ALPN http/1.1; and fixed
/// randomness.
pub fn server_config_builder() -> ServerConfigBuilder {
    ServerConfig::builder()
        .certificate(server_certified_key())
        .groups(&[
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
            NamedGroup::X25519MLKEM768,
            NamedGroup::SECP256R1MLKEM768,
        ])
        .alpn(&[b"http/1.1"])
        .dangerous_fixed_randomness(Vec::new())
        // One config serves every input: nothing may carry over from one
        // input to the next, so no session store (tickets are sealed, with
        // fixed keys).
        .session_store(None)
        .ticket_keys(ticket_keys())
        .clock(Arc::new(FixedClock))
}

/// The server config of [`server`] and `client_hello`, built once from
/// [`server_config_builder`].
pub fn server_config() -> Arc<ServerConfig> {
    static CONFIG: OnceLock<Arc<ServerConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| built(server_config_builder().build()))
        .clone()
}

/// [`server_config_builder`] with the RSA certificate of
/// [`rsa_certified_key`] and RSA key exchange enabled.
#[cfg(feature = "rsa-kx")]
pub fn rsa_server_config_builder() -> ServerConfigBuilder {
    server_config_builder()
        .certificate(rsa_certified_key())
        .enable_rsa_key_exchange()
}

/// The server config [`server`] picks with [`CONTROL_RSA`], built once.
#[cfg(feature = "rsa-kx")]
pub fn rsa_server_config() -> Arc<ServerConfig> {
    static CONFIG: OnceLock<Arc<ServerConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| built(rsa_server_config_builder().build()))
        .clone()
}

/// The settings of [`client_config`], to build on: both versions, every
/// default suite and group (the hybrids first), a key share for secp256r1
/// (which [`server_config`] accepts without a HelloRetryRequest; a server
/// that asks for a hybrid gets one, so ML-KEM decapsulation is reachable), ALPN h2 and
/// http/1.1, fixed randomness, and a verifier that trusts the fuzzing root
/// and checks at [`VERIFY_TIME`].
pub fn client_config_builder() -> ClientConfigBuilder {
    let mut roots = RootStore::new();
    for der in pem_certificates(include_bytes!("../../testdata/fuzz/root.pem")) {
        if let Err(e) = roots.add_der(&der) {
            panic!("the fuzzing root was refused: {e}");
        }
    }
    let verifier = DefaultServerVerifier::new(Arc::new(roots));
    ClientConfig::builder(RootStore::new())
        .verifier(Arc::new(AtVerifyTime(verifier)))
        .key_shares(&[NamedGroup::SECP256R1])
        .alpn(&[b"h2", b"http/1.1"])
        .dangerous_fixed_randomness(Vec::new())
        // One config serves every input: nothing may carry over from one
        // input to the next, so a store that always offers the same sessions.
        .session_store(Some(Arc::new(FixedSessions::new())))
        .clock(Arc::new(FixedClock))
}

/// The ticket keys of [`server_config_builder`]: derived from a fixed
/// secret, with a period (30 days) that keeps [`VERIFY_TIME`] in one key.
pub fn ticket_keys() -> Arc<TicketKeys> {
    static KEYS: OnceLock<Arc<TicketKeys>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let period = Duration::from_secs(30 * 24 * 3600);
        built(TicketKeys::from_secret(&[0x7c; 32], period))
    })
    .clone()
}

/// The clock of both fuzzing configs, stopped at [`VERIFY_TIME`].
#[derive(Debug)]
pub struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + VERIFY_TIME
    }
}

/// The fuzzing client's session store: for any server, always the same TLS
/// 1.3 ticket (allowing 0-RTT) and TLS 1.2 session (a session ID and an RFC
/// 5077 ticket), made at [`VERIFY_TIME`] for [`SERVER_NAME`] and ALPN
/// http/1.1 with the suites TLS_AES_128_GCM_SHA256 and
/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, their tickets sealed with
/// [`ticket_keys`]. What a server sends to keep is dropped.
#[derive(Debug)]
pub struct FixedSessions {
    tls13: Vec<u8>,
    tls12: Vec<u8>,
}

impl FixedSessions {
    fn new() -> FixedSessions {
        let made_ms = u64::try_from(VERIFY_TIME.as_millis()).unwrap_or(u64::MAX);
        let session = |version, suite, secret: Vec<u8>, session_id: Vec<u8>| {
            let mut state = SessionState {
                version,
                suite,
                secret: zeroize::Zeroizing::new(secret),
                extended_master_secret: version == ProtocolVersion::TLS12,
                server_name: Some(SERVER_NAME.into()),
                alpn: Some(b"http/1.1".to_vec()),
                peer_certificates: server_certified_key().chain,
                created_ms: made_ms,
                lifetime_secs: crate::session::state::MAX_LIFETIME_SECS,
                age_add: 0x4242_4242,
                max_early_data: match version {
                    ProtocolVersion::TLS13 => 16384,
                    _ => 0,
                },
                ticket: Vec::new(),
                session_id: Vec::new(),
            };
            // The server seals the session as it keeps it: no ticket or ID.
            let sealed = state.encode().and_then(|bytes| {
                let mut rng = Rng::Fixed {
                    sequence: Default::default(),
                    fallback: 0x24,
                };
                ticket_keys().seal(&bytes, made_ms, &mut rng)
            });
            state.ticket = built(sealed).to_vec();
            state.session_id = session_id;
            built(state.encode()).to_vec()
        };
        FixedSessions {
            tls13: session(
                ProtocolVersion::TLS13,
                CipherSuite::TLS_AES_128_GCM_SHA256,
                vec![0x51; 32],
                Vec::new(),
            ),
            tls12: session(
                ProtocolVersion::TLS12,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                vec![0x52; 48],
                vec![0x53; 32],
            ),
        }
    }
}

impl ClientSessionStore for FixedSessions {
    fn insert_ticket(&self, _: &str, _: Vec<u8>) {}

    fn take_ticket(&self, _: &str) -> Option<Vec<u8>> {
        Some(self.tls13.clone())
    }

    fn set_tls12_session(&self, _: &str, _: Vec<u8>) {}

    fn tls12_session(&self, _: &str) -> Option<Vec<u8>> {
        Some(self.tls12.clone())
    }

    fn remove_tls12_session(&self, _: &str) {}
}

/// The client config of [`client`], built once from [`client_config_builder`].
pub fn client_config() -> Arc<ClientConfig> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| built(client_config_builder().build()))
        .clone()
}

/// [`client_config_builder`] that also offers RSA key exchange.
#[cfg(feature = "rsa-kx")]
pub fn rsa_client_config_builder() -> ClientConfigBuilder {
    client_config_builder().enable_rsa_key_exchange()
}

/// The client config [`client`] picks with [`CONTROL_RSA`], built once.
#[cfg(feature = "rsa-kx")]
pub fn rsa_client_config() -> Arc<ClientConfig> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| built(rsa_client_config_builder().build()))
        .clone()
}

fn built<T>(config: Result<T, Error>) -> Arc<T> {
    match config {
        Ok(config) => Arc::new(config),
        Err(e) => panic!("a fuzzing config was refused: {e}"),
    }
}

/// The default verifier, at [`VERIFY_TIME`] instead of the clock's time.
#[derive(Debug)]
struct AtVerifyTime(DefaultServerVerifier);

impl ServerCertVerifier for AtVerifyTime {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        _now: SystemTime,
    ) -> Result<(), CertificateError> {
        let time = UNIX_EPOCH + VERIFY_TIME;
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, time)
    }

    fn verify_server_cert_with_ocsp(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        staple: OcspStaple<'_>,
        _now: SystemTime,
    ) -> Result<(), CertificateError> {
        let time = UNIX_EPOCH + VERIFY_TIME;
        self.0
            .verify_server_cert_with_ocsp(end_entity, intermediates, server_name, staple, time)
    }
}

/// The Ed25519 key made from the fixed seed 5e..5e, with the certificate
/// `testdata/fuzz/leaf.pem` (example.com, issued by the fuzzing root).
pub fn server_certified_key() -> CertifiedKey {
    // RFC 8410, Section 7: a PKCS#8 v1 Ed25519 private key is this fixed
    // prefix followed by the 32-byte seed.
    let mut pkcs8 = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    pkcs8.extend_from_slice(&[0x5e; 32]);
    let key = match SigningKey::from_der(&pkcs8) {
        Ok(key) => key,
        Err(e) => panic!("the fixed Ed25519 key was refused: {e}"),
    };
    CertifiedKey {
        chain: pem_certificates(include_bytes!("../../testdata/fuzz/leaf.pem")),
        key: Arc::new(key),
        ocsp_response: None,
    }
}

/// The RSA-2048 key of `testdata/rsa2048.pem`, with the certificate
/// `testdata/fuzz/rsa-leaf.pem` (example.com, issued by the fuzzing root).
#[cfg(feature = "rsa-kx")]
pub fn rsa_certified_key() -> CertifiedKey {
    let pem = include_bytes!("../../testdata/rsa2048.pem");
    let key = match crate::pki::pem::load_private_key_pem(pem, "testdata/rsa2048.pem") {
        Ok(key) => key,
        Err(e) => panic!("the fuzzing RSA key was refused: {e}"),
    };
    CertifiedKey {
        chain: pem_certificates(include_bytes!("../../testdata/fuzz/rsa-leaf.pem")),
        key: Arc::new(key),
        ocsp_response: None,
    }
}

/// The certificates of a PEM file compiled in from `testdata/fuzz`.
fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    match crate::pki::pem::load_certs_pem(pem, "testdata/fuzz") {
        Ok(certs) => certs,
        Err(e) => panic!("a fuzzing certificate was refused: {e}"),
    }
}

/// Test support: moves flights between the two until the handshake is
/// done, bounded (a connection that stops writing fails the test instead of
/// hanging it).
#[cfg(test)]
pub(crate) fn exchange(client: &mut Connection, server: &mut Connection) {
    for _ in 0..10 {
        server.read_tls_bytes(&client.take_tls()).unwrap();
        server.process().unwrap();
        client.read_tls_bytes(&server.take_tls()).unwrap();
        client.process().unwrap();
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::SignatureScheme;

    #[test]
    fn the_fuzzing_certificate_holds_the_fuzzing_key() {
        let key = server_certified_key();
        let (_, cert) = x509_parser::parse_x509_certificate(&key.chain[0]).unwrap();
        assert_eq!(
            cert.public_key().subject_public_key.data.as_ref(),
            key.key.public_key()
        );
        assert_eq!(key.key.schemes(), [SignatureScheme::ED25519]);
    }

    #[test]
    fn client_and_server_complete_a_handshake() {
        let mut client = ClientConnection::new(client_config(), SERVER_NAME).unwrap();
        let mut server = ServerConnection::new(server_config());
        exchange(&mut client, &mut server);
        assert!(!server.negotiated().hello_retry_request);
    }
}
