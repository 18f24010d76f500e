//! `cargo run --example demo`: handshakes between a keyway client and a
//! keyway server in one process over loopback — TLS 1.3 (with the
//! post-quantum X25519MLKEM768 key exchange, and why it matters), TLS 1.2 with ECDHE
//! and (with `--features rsa-kx`) TLS 1.2 with RSA key exchange — printed as
//! an annotated transcript: who sends which message, what it carries, where
//! the pre-master secret comes from, which secrets are derived from what, and
//! why the server's certificate is trusted.
//!
//! Nothing external is needed: the root CA, intermediate and server
//! certificate are generated with rcgen on the spot.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use keyway::codec::extensions::Extension;
use keyway::codec::messages::HandshakeMessage;
use keyway::crypto::kx;
use keyway::events::{Direction, Event, Observer, Parameter, Side};

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
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .alpn(&[b"http/1.1"]);
    let client = keyway::ClientConfig::builder(pki.root_store()).alpn(&[b"h2", b"http/1.1"]);
    run(client, server, &printer);

    println!("\n=== 2. TLS 1.2 (RFC 5246) with ECDHE: the server signs a fresh key share; the pre-master secret is the ECDH result ===\n");
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(&[keyway::ProtocolVersion::TLS12]);
    let client = keyway::ClientConfig::builder(pki.root_store());
    run(client, server, &printer);

    rsa_key_exchange(&printer);
    println!("\nTip: set SSLKEYLOGFILE and use the client/server examples to decrypt a capture in Wireshark.");
}

/// Runs one handshake over loopback with `printer` on both sides, exchanges a
/// line each way, closes with close_notify, and prints the result.
fn run(
    client: keyway::ClientConfigBuilder,
    server: keyway::ServerConfigBuilder,
    printer: &Arc<Printer>,
) {
    let server_config = server
        .observer(printer.clone())
        .build()
        .expect("server config");
    let client_config = client
        .observer(printer.clone())
        .build()
        .expect("client config");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    println!("The server listens on {addr}; the client connects and the handshake begins.\n");
    let server = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
        let (tcp, _) = listener.accept()?;
        let mut tls = keyway::Stream::server(Arc::new(server_config), tcp);
        let mut request = vec![0u8; 64];
        let n = tls.read(&mut request)?;
        request.truncate(n);
        tls.write_all(b"hello from the keyway server")?;
        tls.close()?;
        Ok(request)
    });

    let tcp = std::net::TcpStream::connect(addr).expect("connect");
    let mut tls =
        keyway::Stream::client(Arc::new(client_config), "localhost", tcp).expect("client");
    tls.handshake().expect("handshake");
    tls.write_all(b"hello from the keyway client")
        .expect("write");
    let mut reply = Vec::new();
    tls.read_to_end(&mut reply).expect("read");
    let _ = tls.close();
    let request = server.join().expect("server thread").expect("server");

    let n = tls.connection().negotiated();
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
        Some(g) => println!(
            "  group {g:?} is classical: a future quantum computer could recover the keys of a recording (the hybrids exist only in TLS 1.3)."
        ),
        None => {}
    }
    println!("  server received {:?}", String::from_utf8_lossy(&request));
    println!("  client received {:?}", String::from_utf8_lossy(&reply));
    println!(
        "  both sides closed with close_notify, so neither could be fooled by a truncated stream."
    );
}

/// The third handshake: TLS 1.2 RSA key exchange, only with the `rsa-kx` feature.
#[cfg(feature = "rsa-kx")]
fn rsa_key_exchange(printer: &Arc<Printer>) {
    println!("\n=== 3. TLS 1.2 with RSA key exchange: the client encrypts the pre-master secret to the server's RSA key ===");
    println!("    (no forward secrecy: whoever later obtains the server's private key can decrypt a recording of this session)\n");
    let pki = support::TestPki::generate(support::KeyKind::Rsa2048, &["localhost"]);
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .enable_rsa_key_exchange();
    let client = keyway::ClientConfig::builder(pki.root_store())
        .cipher_suites(&[keyway::CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .enable_rsa_key_exchange();
    run(client, server, printer);
}

#[cfg(not(feature = "rsa-kx"))]
fn rsa_key_exchange(_: &Arc<Printer>) {
    println!("\n(Run `cargo run --example demo --features rsa-kx` to also see a TLS 1.2 RSA key exchange.)");
}

/// Prints events as they happen, with a line of explanation for each.
#[derive(Debug, Default)]
struct Printer {
    lock: Mutex<()>,
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

impl Printer {
    fn message(&self, side: Side, msg: &HandshakeMessage) {
        let (me, peer) = who(side);
        // TLS 1.3 encrypts everything after ServerHello; TLS 1.2 only what
        // follows a ChangeCipherSpec (its Finished).
        let encrypted = matches!(
            msg,
            HandshakeMessage::EncryptedExtensions(_)
                | HandshakeMessage::CertificateRequest(_)
                | HandshakeMessage::Certificate(_)
                | HandshakeMessage::CertificateVerify(_)
                | HandshakeMessage::Finished(_)
        );
        let lock = if encrypted {
            "  [encrypted]"
        } else {
            "  [plaintext]"
        };
        match msg {
            HandshakeMessage::ClientHello(ch) => {
                println!("{me} -> {peer}: ClientHello{lock}");
                println!("    random {}", hex_prefix(&ch.random));
                println!("    cipher suites {:?}", ch.cipher_suites);
                for ext in &ch.extensions {
                    match ext {
                        Extension::ServerName(name) => println!(
                            "    server_name {:?}: which site the client wants (SNI)",
                            String::from_utf8_lossy(name)
                        ),
                        Extension::SupportedVersionsClientHello(v) => {
                            println!("    supported_versions {v:?}: TLS 1.3 is offered only here")
                        }
                        Extension::SupportedGroups(g) => println!("    supported_groups {g:?}"),
                        Extension::SignatureAlgorithms(s) => {
                            println!("    signature_algorithms {s:?}")
                        }
                        Extension::KeyShareClientHello(shares) => {
                            for s in shares {
                                match kx::is_hybrid(s.group) {
                                    true => println!("    key_share {:?} {}: an ML-KEM-768 encapsulation key and an elliptic-curve public key, the client's half of both exchanges", s.group, hex_prefix(&s.key_exchange)),
                                    false => println!("    key_share {:?} public key {}: the client's half of the Diffie-Hellman exchange, sent up front to save a round trip (a server without ML-KEM takes this one)", s.group, hex_prefix(&s.key_exchange)),
                                }
                            }
                        }
                        Extension::Alpn(p) => println!(
                            "    ALPN {:?}",
                            p.iter()
                                .map(|p| String::from_utf8_lossy(p).into_owned())
                                .collect::<Vec<_>>()
                        ),
                        other => println!("    {:?}", other.ext_type()),
                    }
                }
            }
            HandshakeMessage::ServerHello(sh) => {
                println!("{me} -> {peer}: ServerHello{lock}");
                println!("    random {}", hex_prefix(&sh.random));
                println!("    cipher suite {:?}", sh.cipher_suite);
                for ext in &sh.extensions {
                    if let Extension::KeyShareServerHello(s) = ext {
                        match kx::is_hybrid(s.group) {
                            true => println!("    key_share {:?} {}: an ML-KEM ciphertext that only the client's decapsulation key opens, and the server's elliptic-curve public key; the shared secret is both results together", s.group, hex_prefix(&s.key_exchange)),
                            false => println!("    key_share {:?} public key {}: the server's half; both sides can now compute the same shared secret", s.group, hex_prefix(&s.key_exchange)),
                        }
                    }
                }
            }
            HandshakeMessage::HelloRetryRequest(hrr) => {
                println!("{me} -> {peer}: HelloRetryRequest{lock}: the client must retry with another key share ({:?})", hrr.extensions);
            }
            HandshakeMessage::EncryptedExtensions(ee) => {
                println!("{me} -> {peer}: EncryptedExtensions{lock}: the rest of the server's answers, now hidden from eavesdroppers");
                for ext in &ee.extensions {
                    println!("    {:?}", ext);
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
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let (me, _) = who(side);
        match event {
            Event::Sent(msg) => self.message(side, msg),
            Event::SentChangeCipherSpec => println!(
                "{me}: change_cipher_spec (TLS 1.3: a dummy for middlebox compatibility, RFC 8446 Appendix D.4; TLS 1.2: \"everything I send from now on is encrypted\")"
            ),
            Event::SecretDerived { name, from } => println!("    {me} derives {name} = {from}"),
            Event::KeyInstalled { direction, secret } => {
                let dir = match direction {
                    Direction::Read => "decrypts what it receives",
                    Direction::Write => "encrypts what it sends",
                };
                println!("    {me} now {dir} with keys from {secret}");
            }
            Event::Chosen(Parameter::CipherSuite(s)) if side == Side::Server => println!("    server chooses {s:?}"),
            Event::Chosen(Parameter::Group(g)) if side == Side::Server => println!("    server chooses group {g:?} (the client sent a share for it)"),
            Event::Chosen(Parameter::SignatureScheme(s)) if side == Side::Server => println!("    server will sign with {s:?}"),
            Event::CertificateVerified { chain_len } => println!(
                "    {me} verified the chain of {chain_len}: leaf -> intermediate -> the trusted root, signatures valid, dates valid, name \"localhost\" in the SAN"
            ),
            Event::Chosen(keyway::events::Parameter::Version(v)) if side == Side::Server => println!("    server chooses {v:?}"),
            Event::HandshakeComplete => println!("    {me}: handshake complete; application data flows under the application traffic keys"),
            Event::AlertSent(a) => println!("{me} sends alert {a:?}"),
            _ => {}
        }
    }
}
