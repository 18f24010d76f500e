//! `cargo run --example demo`: handshakes between a keyway client and a
//! keyway server in one process over loopback, printed as an annotated
//! transcript: who sends which message, what it carries, where the shared
//! secret comes from, which secrets are derived from what, and why the
//! server's certificate is trusted.
//!
//! 1. TLS 1.3 with the post-quantum X25519MLKEM768 key exchange, and why it
//!    matters;
//! 2. TLS 1.2 with ECDHE;
//! 3. TLS 1.3 resumed with a ticket from an earlier connection, with the
//!    request sent as 0-RTT early data;
//! 4. (with `--features rsa-kx`) TLS 1.2 with RSA key exchange.
//!
//! Nothing external is needed: the root CA, intermediate and server
//! certificate are generated with rcgen on the spot.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use keyway::codec::extensions::Extension;
use keyway::codec::messages::HandshakeMessage;
use keyway::crypto::kx;
use keyway::events::{Direction, Event, Observer, Parameter, Side};
use keyway::{
    ClientConfig, ClientConfigBuilder, ProtocolVersion, ServerConfig, ServerConfigBuilder,
};

const TLS13: &[ProtocolVersion] = &[ProtocolVersion::TLS13];
const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLS12];

fn main() {
    println!("keyway demo: TLS handshakes, annotated\n");
    let pki = support::TestPki::generate(support::KeyKind::EcdsaP256, &["localhost"]);
    println!("Setup: a throwaway public key infrastructure made with rcgen");
    println!(
        "  root CA          {} (self-signed; the client's only trust anchor)",
        pki.root_subject
    );
    println!("  intermediate CA  CN=keyway test intermediate CA (signed by the root)");
    println!("  server cert      CN=localhost, SAN localhost, ECDSA P-256 key (signed by the intermediate)");
    println!("The server holds the chain [server cert, intermediate] and the server key.\n");

    let printer = Arc::new(Printer::default());
    println!("=== 1. TLS 1.3 (RFC 8446): a post-quantum hybrid key share (X25519MLKEM768) in the first flight, everything after ServerHello encrypted ===\n");
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(TLS13)
        .alpn(&[b"http/1.1"]);
    let client = ClientConfig::builder(pki.root_store())
        .versions(TLS13)
        .alpn(&[b"h2", b"http/1.1"]);
    once(client, server, &printer, false);

    println!("\n=== 2. TLS 1.2 (RFC 5246) with ECDHE: the server signs a fresh key share; the pre-master secret is the ECDH result ===\n");
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(TLS12);
    let client = ClientConfig::builder(pki.root_store()).versions(TLS12);
    once(client, server, &printer, true);

    resumption_with_early_data(&pki, &printer);
    rsa_key_exchange(&printer);
    println!("\nTip: set SSLKEYLOGFILE and use the client/server examples to decrypt a capture in Wireshark.");
}

/// Builds both configs with `printer` on them and runs one connection.
fn once(
    client: ClientConfigBuilder,
    server: ServerConfigBuilder,
    printer: &Arc<Printer>,
    tls12: bool,
) {
    let (client, server) = build(client, server, printer);
    printer.tls12.store(tls12, Ordering::SeqCst);
    let outcome = connect(&client, &server, b"", printer);
    report(&outcome);
}

fn build(
    client: ClientConfigBuilder,
    server: ServerConfigBuilder,
    printer: &Arc<Printer>,
) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let server = server
        .observer(printer.clone())
        .build()
        .expect("server config");
    let client = client
        .observer(printer.clone())
        .build()
        .expect("client config");
    (Arc::new(client), Arc::new(server))
}

/// What one connection came to.
struct Outcome {
    negotiated: keyway::Negotiated,
    early_data: Vec<u8>,
    request: Vec<u8>,
    reply: Vec<u8>,
}

/// One connection over loopback: the client sends `early` as 0-RTT data
/// if its ticket allows, then a line; the server answers with one and both
/// close with close_notify.
fn connect(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    early: &[u8],
    printer: &Printer,
) -> Outcome {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    if !printer.muted.load(Ordering::SeqCst) {
        println!("The server listens on {addr}; the client connects and the handshake begins.\n");
    }
    let server = server.clone();
    let server = std::thread::spawn(move || -> std::io::Result<(Vec<u8>, Vec<u8>)> {
        let (tcp, _) = listener.accept()?;
        let mut tls = keyway::Stream::server(server, tcp);
        tls.handshake()?;
        let mut early_data = vec![0u8; 1024];
        let n = tls.connection_mut().read_early_data(&mut early_data);
        early_data.truncate(n);
        let mut request = vec![0u8; 64];
        let n = tls.read(&mut request)?;
        request.truncate(n);
        tls.write_all(b"hello from the keyway server")?;
        tls.close()?;
        Ok((early_data, request))
    });

    let tcp = std::net::TcpStream::connect(addr).expect("connect");
    let mut tls = keyway::Stream::client(client.clone(), "localhost", tcp).expect("client");
    if !early.is_empty() {
        let sent = tls
            .connection_mut()
            .write_early_data(early)
            .expect("a ticket that allows early data");
        println!("client -> server: {sent} bytes of 0-RTT application data  [encrypted with keys from client_early_traffic_secret], right behind the ClientHello, before any answer");
    }
    tls.handshake().expect("handshake");
    tls.write_all(b"hello from the keyway client")
        .expect("write");
    let mut reply = Vec::new();
    tls.read_to_end(&mut reply).expect("read");
    let _ = tls.close();
    let (early_data, request) = server.join().expect("server thread").expect("server");
    Outcome {
        negotiated: tls.connection().negotiated().clone(),
        early_data,
        request,
        reply,
    }
}

fn report(outcome: &Outcome) {
    let n = &outcome.negotiated;
    let show = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
    println!("\nResult");
    println!(
        "  version {}, suite {}, group {}, signature {}, ALPN {}",
        show(n.version.map(|v| format!("{v:?}"))),
        show(n.cipher_suite.map(|v| format!("{v:?}"))),
        show(n.group.map(|v| format!("{v:?}"))),
        show(n.signature_scheme.map(|v| format!("{v:?}"))),
        show(
            n.alpn
                .as_deref()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        ),
    );
    match n.group {
        Some(g) if kx::is_hybrid(g) => println!(
            "  group {g:?} is a post-quantum hybrid: someone who records this connection today and builds a quantum computer later (which breaks elliptic curves, not ML-KEM) still cannot recover its keys."
        ),
        Some(g) if n.version == Some(ProtocolVersion::TLS12) => println!(
            "  group {g:?} is classical: a future quantum computer could recover the keys of a recording (TLS 1.2 has no post-quantum key exchange)."
        ),
        Some(g) => println!(
            "  group {g:?} is classical: a future quantum computer could recover the keys of a recording."
        ),
        None => {}
    }
    if n.resumed {
        println!("  resumed: the session of an earlier connection, so no certificate was sent or checked this time; the server's certificate is the one verified back then");
    }
    match n.early_data {
        keyway::EarlyData::Accepted => println!(
            "  0-RTT: accepted; the server read {:?} before the handshake was done",
            String::from_utf8_lossy(&outcome.early_data)
        ),
        keyway::EarlyData::Rejected => {
            println!("  0-RTT: refused by the server; the client would send it again now")
        }
        keyway::EarlyData::NotOffered => {}
    }
    println!(
        "  server received {:?}",
        String::from_utf8_lossy(&outcome.request)
    );
    println!(
        "  client received {:?}",
        String::from_utf8_lossy(&outcome.reply)
    );
    println!(
        "  both sides closed with close_notify, so neither could be fooled by a truncated stream."
    );
}

/// The third part: a first connection (not shown) leaves the client
/// tickets; the second resumes with one and sends its request as 0-RTT data.
fn resumption_with_early_data(pki: &support::TestPki, printer: &Arc<Printer>) {
    println!("\n=== 3. TLS 1.3 resumption: the client comes back with a ticket from an earlier connection and sends its request in the first flight (0-RTT) ===\n");
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(TLS13)
        .alpn(&[b"http/1.1"])
        .max_early_data_size(16384);
    let client = ClientConfig::builder(pki.root_store())
        .versions(TLS13)
        .alpn(&[b"http/1.1"])
        .enable_early_data(true);
    let (client, server) = build(client, server, printer);
    printer.tls12.store(false, Ordering::SeqCst);
    printer.muted.store(true, Ordering::SeqCst);
    let first = connect(&client, &server, b"", printer);
    printer.muted.store(false, Ordering::SeqCst);
    assert!(!first.negotiated.resumed);
    println!("A first connection, a full handshake as in part 1 (not shown again), ended with two NewSessionTickets from the server; the client keeps them.");
    println!("Now the client connects again to the same server, with one of those tickets.\n");
    let outcome = connect(
        &client,
        &server,
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        printer,
    );
    report(&outcome);
    println!("  0-RTT data can be replayed by an attacker who records it: keyway's server takes early data only on a ticket it removes from its session store (each ticket carries early data once) and only while the ticket's age is fresh; send only requests that are safe to repeat.");
}

/// The fourth part: TLS 1.2 RSA key exchange, only with the `rsa-kx` feature.
#[cfg(feature = "rsa-kx")]
fn rsa_key_exchange(printer: &Arc<Printer>) {
    println!("\n=== 4. TLS 1.2 with RSA key exchange: the client encrypts the pre-master secret to the server's RSA key ===");
    println!("    (no forward secrecy: whoever later obtains the server's private key can decrypt a recording of this session)\n");
    let pki = support::TestPki::generate(support::KeyKind::Rsa2048, &["localhost"]);
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(TLS12)
        .enable_rsa_key_exchange();
    let client = ClientConfig::builder(pki.root_store())
        .versions(TLS12)
        .cipher_suites(&[keyway::CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .enable_rsa_key_exchange();
    once(client, server, printer, true);
}

#[cfg(not(feature = "rsa-kx"))]
fn rsa_key_exchange(_: &Arc<Printer>) {
    println!("\n(Run `cargo run --example demo --features rsa-kx` to also see a TLS 1.2 RSA key exchange.)");
}

/// Prints events as they happen, with a line of explanation for each, in
/// the terms of the version being shown.
#[derive(Debug, Default)]
struct Printer {
    lock: Mutex<()>,
    /// The connection being shown is TLS 1.2.
    tls12: AtomicBool,
    /// Print nothing (a connection the transcript skips).
    muted: AtomicBool,
}

fn who(side: Side) -> (&'static str, &'static str) {
    match side {
        Side::Client => ("client", "server"),
        Side::Server => ("server", "client"),
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{shown}... ({} bytes)", bytes.len())
}

fn subject_of(der: &[u8]) -> String {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, cert)| cert.subject().to_string())
        .unwrap_or_else(|_| "(unparsable)".into())
}

fn protocols(list: &[Vec<u8>]) -> String {
    let names: Vec<_> = list
        .iter()
        .map(|p| format!("{:?}", String::from_utf8_lossy(p)))
        .collect();
    names.join(", ")
}

/// One line on an extension of a ClientHello.
fn client_hello_extension(ext: &Extension, tls12: bool) -> String {
    match ext {
        Extension::ServerName(name) => format!(
            "server_name {:?}: which site the client wants (SNI)",
            String::from_utf8_lossy(name)
        ),
        Extension::SupportedVersionsClientHello(v) => {
            format!("supported_versions {v:?}: TLS 1.3 is offered only here (legacy_version still says TLS 1.2, for old middleboxes)")
        }
        Extension::SupportedGroups(g) if tls12 => {
            format!("supported_groups {g:?}: the curves the client accepts for the ECDHE exchange")
        }
        Extension::SupportedGroups(g) => {
            format!("supported_groups {g:?}: the key exchange groups the client can use")
        }
        Extension::SignatureAlgorithms(s) => {
            format!("signature_algorithms {s:?}: the signatures the client can check")
        }
        Extension::KeyShareClientHello(shares) => shares
            .iter()
            .map(|s| match kx::is_hybrid(s.group) {
                true => format!("key_share {:?} {}: an ML-KEM-768 encapsulation key and an elliptic-curve public key, the client's half of both exchanges", s.group, hex_prefix(&s.key_exchange)),
                false => format!("key_share {:?} public key {}: the client's half of the Diffie-Hellman exchange, sent up front to save a round trip (a server without ML-KEM takes this one)", s.group, hex_prefix(&s.key_exchange)),
            })
            .collect::<Vec<_>>()
            .join("\n    "),
        Extension::EcPointFormats(_) => {
            "ec_point_formats [uncompressed]: the one point format still in use (RFC 8422)".into()
        }
        Extension::ExtendedMasterSecret => "extended_master_secret: derive the master secret from the whole handshake (RFC 7627), so an attacker in the middle cannot give two connections one secret".into(),
        Extension::RenegotiationInfo(_) => "renegotiation_info (empty): the client knows the fix for the renegotiation attack (RFC 5746)".into(),
        Extension::SessionTicket(t) if t.is_empty() => {
            "session_ticket (empty): the client would like a ticket, to resume this session later (RFC 5077)".into()
        }
        Extension::SessionTicket(t) => format!(
            "session_ticket ({} bytes): the ticket of an earlier session, to resume it",
            t.len()
        ),
        Extension::Alpn(list) => format!(
            "ALPN [{}]: the application protocols the client speaks",
            protocols(list)
        ),
        Extension::PskKeyExchangeModes(modes) => format!(
            "psk_key_exchange_modes {modes:?}: tickets are welcome, and a resumed connection still runs a fresh (EC)DHE exchange, so it keeps forward secrecy"
        ),
        Extension::EarlyData => {
            "early_data: 0-RTT application data follows this ClientHello".into()
        }
        Extension::PreSharedKeyClientHello(offered) => offered
            .identities
            .iter()
            .map(|id| format!(
                "pre_shared_key: a ticket ({} bytes, opaque to the client) with its age (obfuscated), and a binder, an HMAC over this ClientHello keyed from the ticket's PSK, proving the client holds that PSK (always the last extension)",
                id.identity.len()
            ))
            .collect::<Vec<_>>()
            .join("\n    "),
        other => format!("{:?}", other.ext_type()),
    }
}

/// One line on an extension of a ServerHello or EncryptedExtensions.
fn server_extension(ext: &Extension) -> String {
    match ext {
        Extension::KeyShareServerHello(s) => match kx::is_hybrid(s.group) {
            true => format!("key_share {:?} {}: an ML-KEM ciphertext that only the client's decapsulation key opens, and the server's elliptic-curve public key; the shared secret is both results together", s.group, hex_prefix(&s.key_exchange)),
            false => format!("key_share {:?} public key {}: the server's half; both sides can now compute the same shared secret", s.group, hex_prefix(&s.key_exchange)),
        },
        Extension::SupportedVersionsServerHello(v) => format!("supported_versions {v:?}: the version chosen"),
        Extension::PreSharedKeyServerHello(i) => format!("pre_shared_key: the server accepts ticket #{i}, so no certificate and no signature follow; the ticket's PSK authenticates both sides"),
        Extension::ServerNameAck => "server_name: the server took the name the client asked for".into(),
        Extension::Alpn(list) => format!("ALPN {}: the application protocol the server picked", protocols(list)),
        Extension::RecordSizeLimit(n) => format!("record_size_limit {n}: the largest record the server takes"),
        Extension::EarlyData => "early_data: the server accepts the client's 0-RTT data".into(),
        Extension::ExtendedMasterSecret => "extended_master_secret: agreed".into(),
        Extension::RenegotiationInfo(_) => "renegotiation_info: the server knows the fix as well".into(),
        Extension::SessionTicket(_) => "session_ticket: a ticket will come before the server's Finished".into(),
        Extension::EcPointFormats(_) => "ec_point_formats [uncompressed]".into(),
        other => format!("{:?}", other.ext_type()),
    }
}

impl Printer {
    fn message(&self, side: Side, msg: &HandshakeMessage, tls12: bool) {
        let (me, peer) = who(side);
        // TLS 1.3 encrypts everything after ServerHello; TLS 1.2 only what
        // follows a ChangeCipherSpec (its Finished).
        let encrypted = match msg {
            HandshakeMessage::Finished(_) => true,
            HandshakeMessage::EncryptedExtensions(_)
            | HandshakeMessage::CertificateRequest(_)
            | HandshakeMessage::Certificate(_)
            | HandshakeMessage::CertificateVerify(_)
            | HandshakeMessage::NewSessionTicket(_) => !tls12,
            HandshakeMessage::EndOfEarlyData => true,
            _ => false,
        };
        let lock = match encrypted {
            true => "  [encrypted]",
            false => "  [plaintext]",
        };
        match msg {
            HandshakeMessage::ClientHello(ch) => {
                println!("{me} -> {peer}: ClientHello{lock}");
                println!("    random {}", hex_prefix(&ch.random));
                println!("    cipher suites {:?}", ch.cipher_suites);
                for ext in &ch.extensions {
                    println!("    {}", client_hello_extension(ext, tls12));
                }
            }
            HandshakeMessage::ServerHello(sh) => {
                println!("{me} -> {peer}: ServerHello{lock}");
                println!("    random {}", hex_prefix(&sh.random));
                println!("    cipher suite {:?}", sh.cipher_suite);
                for ext in &sh.extensions {
                    println!("    {}", server_extension(ext));
                }
            }
            HandshakeMessage::HelloRetryRequest(hrr) => {
                println!("{me} -> {peer}: HelloRetryRequest{lock}: the client must send its ClientHello again");
                for ext in &hrr.extensions {
                    if let Extension::KeyShareHelloRetryRequest(group) = ext {
                        println!("    key_share {group:?}: the group the server wants a share for");
                    }
                }
            }
            HandshakeMessage::EncryptedExtensions(ee) => {
                println!("{me} -> {peer}: EncryptedExtensions{lock}: the rest of the server's answers, now hidden from eavesdroppers");
                for ext in &ee.extensions {
                    println!("    {}", server_extension(ext));
                }
            }
            HandshakeMessage::Certificate(c) => {
                println!(
                    "{me} -> {peer}: Certificate{lock}: {} certificate(s)",
                    c.certificate_list.len()
                );
                for (i, entry) in c.certificate_list.iter().enumerate() {
                    println!("    [{i}] {}", subject_of(&entry.cert_data));
                }
            }
            HandshakeMessage::CertificateVerify(cv) => {
                println!("{me} -> {peer}: CertificateVerify{lock}: a {:?} signature over the transcript hash, proving the {me} holds the certificate's private key", cv.algorithm);
            }
            HandshakeMessage::Finished(f) => {
                println!("{me} -> {peer}: Finished{lock}: a MAC over the hash of the whole transcript ({} bytes); any tampering with earlier messages would make it fail", f.verify_data.len());
            }
            HandshakeMessage::NewSessionTicket(nst) => {
                let early = nst.extensions.iter().find_map(|e| match e {
                    Extension::EarlyDataMaxSize(max) => Some(*max),
                    _ => None,
                });
                // keyway's server seals the session into the ticket, unless
                // the ticket allows 0-RTT: then the session stays in its
                // store, and the ticket names it, usable once.
                let (kind, early) = match early {
                    Some(max) => (
                        "a key to this session in the server's store, usable once, so that its 0-RTT data cannot be replayed",
                        format!(", with up to {max} bytes of 0-RTT data"),
                    ),
                    None => ("this session sealed under the server's ticket key", String::new()),
                };
                println!(
                    "{me} -> {peer}: NewSessionTicket{lock}: a ticket for next time ({} bytes: {kind}), good for {} s{early}",
                    nst.ticket.len(),
                    nst.ticket_lifetime,
                );
                println!("    the client keeps it with its own PSK = HKDF-Expand-Label(resumption_master_secret, \"resumption\", ticket_nonce)");
            }
            HandshakeMessage::NewSessionTicket12(nst) => {
                println!(
                    "{me} -> {peer}: NewSessionTicket{lock}: a ticket ({} bytes): this session, master secret included, sealed under the server's ticket key (RFC 5077); the client presents it to resume, and the server keeps nothing",
                    nst.ticket.len()
                );
            }
            HandshakeMessage::EndOfEarlyData => {
                println!("{me} -> {peer}: EndOfEarlyData{lock} (with the early key): the 0-RTT data is over; the client switches to its handshake key");
            }
            HandshakeMessage::Certificate12(c) => {
                println!("{me} -> {peer}: Certificate{lock}: {} certificate(s)", c.certificate_list.len());
                for (i, der) in c.certificate_list.iter().enumerate() {
                    println!("    [{i}] {}", subject_of(der));
                }
            }
            HandshakeMessage::ServerKeyExchange(ske) => match ske.ecdhe() {
                Ok(p) => println!(
                    "{me} -> {peer}: ServerKeyExchange{lock}: ephemeral {:?} public key {}, signed with {:?} over both randoms: the certificate key vouches for a key used once (forward secrecy)",
                    p.curve,
                    hex_prefix(&p.public),
                    p.scheme
                ),
                Err(_) => println!("{me} -> {peer}: ServerKeyExchange{lock}"),
            },
            HandshakeMessage::ServerHelloDone => println!("{me} -> {peer}: ServerHelloDone{lock}: the server's first flight is over"),
            HandshakeMessage::ClientKeyExchange(cke) => match cke.ecdhe_public() {
                Ok(public) => println!(
                    "{me} -> {peer}: ClientKeyExchange{lock}: the client's ephemeral public key {}; pre_master_secret = ECDH(client key, server key)",
                    hex_prefix(public)
                ),
                Err(_) => println!(
                    "{me} -> {peer}: ClientKeyExchange{lock}: a fresh 48-byte pre_master_secret, RSA-encrypted to the server certificate's key ({} bytes)",
                    cke.body.len().saturating_sub(2)
                ),
            },
            other => println!("{me} -> {peer}: {:?}", other.handshake_type()),
        }
    }
}

impl Observer for Printer {
    fn on_event(&self, side: Side, event: &Event<'_>) {
        if self.muted.load(Ordering::SeqCst) {
            return;
        }
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let tls12 = self.tls12.load(Ordering::SeqCst);
        let (me, _) = who(side);
        match event {
            Event::Sent(msg) => self.message(side, msg, tls12),
            Event::SentChangeCipherSpec if tls12 => println!(
                "{me}: change_cipher_spec: everything {me} sends from now on is encrypted"
            ),
            Event::SentChangeCipherSpec => println!(
                "{me}: change_cipher_spec: a dummy record that TLS 1.3 ignores, sent so that middleboxes see what looks like a resumed TLS 1.2 session (RFC 8446, Appendix D.4)"
            ),
            Event::SecretDerived { name, from } => println!("    {me} derives {name} = {from}"),
            Event::KeyInstalled { direction, secret } => {
                let dir = match direction {
                    Direction::Read => "decrypts what it receives",
                    Direction::Write => "encrypts what it sends",
                };
                println!("    {me} now {dir} with keys from {secret}");
            }
            Event::Chosen(Parameter::Version(v)) if side == Side::Server => {
                println!("    server chooses {v:?}")
            }
            Event::Chosen(Parameter::CipherSuite(s)) if side == Side::Server => {
                println!("    server chooses {s:?}")
            }
            Event::Chosen(Parameter::Group(g)) if side == Side::Server && tls12 => println!(
                "    server chooses curve {g:?} (one the client listed) and makes a fresh key pair on it"
            ),
            Event::Chosen(Parameter::Group(g)) if side == Side::Server => {
                println!("    server chooses group {g:?} (the client sent a share for it)")
            }
            Event::Chosen(Parameter::SignatureScheme(s)) if side == Side::Server => {
                println!("    server will sign with {s:?}")
            }
            Event::CertificateVerified { chain_len } => println!(
                "    {me} verified the chain of {chain_len}: leaf -> intermediate -> the trusted root, signatures valid, dates valid, name \"localhost\" in the SAN"
            ),
            Event::HandshakeComplete if tls12 => println!(
                "    {me}: handshake complete; application data flows under the keys of the key block"
            ),
            Event::HandshakeComplete => println!(
                "    {me}: handshake complete; application data flows under the application traffic keys"
            ),
            Event::AlertSent(a) => println!("{me} sends alert {a:?}"),
            _ => {}
        }
    }
}
