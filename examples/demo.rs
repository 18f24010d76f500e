//! `cargo run --example demo`: a TLS 1.3 handshake between a keyway client and
//! a keyway server in one process over loopback, printed as an annotated
//! transcript: who sends which message, what it carries, which secrets come
//! from what, and why the server's certificate is trusted.
//!
//! Nothing external is needed: the root CA, intermediate and server
//! certificate are generated with rcgen on the spot.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use keyway::codec::extensions::Extension;
use keyway::codec::messages::HandshakeMessage;
use keyway::events::{Direction, Event, Observer, Parameter, Side};

fn main() {
    println!("keyway demo: one TLS 1.3 handshake, annotated\n");
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
    let server_config = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .alpn(&[b"http/1.1"])
        .observer(printer.clone())
        .build()
        .expect("server config");
    let client_config = keyway::ClientConfig::builder(pki.root_store())
        .alpn(&[b"h2", b"http/1.1"])
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
    println!("\nResult");
    println!(
        "  version {:?}, suite {:?}, group {:?}, signature {:?}, ALPN {:?}",
        n.version.unwrap(),
        n.cipher_suite.unwrap(),
        n.group.unwrap(),
        n.signature_scheme.unwrap(),
        n.alpn.as_deref().map(String::from_utf8_lossy)
    );
    println!("  server received {:?}", String::from_utf8_lossy(&request));
    println!("  client received {:?}", String::from_utf8_lossy(&reply));
    println!(
        "  both sides closed with close_notify, so neither could be fooled by a truncated stream."
    );
    println!("\nTip: set SSLKEYLOGFILE and use the client/server examples to decrypt a capture in Wireshark.");
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
        let encrypted = !matches!(
            msg,
            HandshakeMessage::ClientHello(_)
                | HandshakeMessage::ServerHello(_)
                | HandshakeMessage::HelloRetryRequest(_)
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
                                println!("    key_share {:?} public key {}: the client's half of the Diffie-Hellman exchange, sent up front to save a round trip", s.group, hex_prefix(&s.key_exchange));
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
                        println!("    key_share {:?} public key {}: the server's half; both sides can now compute the same shared secret", s.group, hex_prefix(&s.key_exchange));
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
                println!("{me} -> {peer}: Finished{lock}: HMAC over the whole transcript ({} bytes); any tampering with earlier messages would make it fail", f.verify_data.len());
            }
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
            Event::SentChangeCipherSpec => println!("{me}: change_cipher_spec (a dummy record for middlebox compatibility, RFC 8446 Appendix D.4)"),
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
            Event::HandshakeComplete => println!("    {me}: handshake complete; application data flows under the application traffic keys"),
            Event::AlertSent(a) => println!("{me} sends alert {a:?}"),
            _ => {}
        }
    }
}
