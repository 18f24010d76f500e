//! The message order of every handshake kind in both versions, as one table
//! (after s2n-tls): each row names a kind, how the configs differ from the
//! plain one, and every message and ChangeCipherSpec each side sends, in order.
//! A step that is skipped, repeated or moved fails its row.

mod support;

use std::sync::Arc;

use keyway::events::Side::{self, Client as C, Server as S};
use keyway::pki::DefaultClientVerifier;
use keyway::{
    ClientConfig, ClientConfigBuilder, ClientConnection, NamedGroup, ProtocolVersion, ServerConfig,
    ServerConfigBuilder, ServerConnection,
};
use support::{handshake, KeyKind, Recorder, TestPki};

/// How a row changes the plain client and server configs.
type Setup = fn(
    &Pkis,
    ClientConfigBuilder,
    ServerConfigBuilder,
) -> (ClientConfigBuilder, ServerConfigBuilder);

struct Pkis {
    /// The server's certificate, ECDSA P-256 (RSA-2048 for RSA key exchange rows).
    server: TestPki,
    /// The client's certificate, Ed25519.
    client: TestPki,
}

fn client_auth(pkis: &Pkis, optional: bool) -> Arc<DefaultClientVerifier> {
    let verifier = DefaultClientVerifier::new(Arc::new(pkis.client.root_store()));
    Arc::new(match optional {
        true => verifier.allow_unauthenticated(),
        false => verifier,
    })
}

fn tls12_only(c: ClientConfigBuilder) -> ClientConfigBuilder {
    c.versions(&[ProtocolVersion::TLS12])
}

const TLS13_FULL: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "ChangeCipherSpec"),
    (S, "EncryptedExtensions"),
    (S, "Certificate"),
    (S, "CertificateVerify"),
    (S, "Finished"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS13_RETRY: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "HelloRetryRequest"),
    (S, "ChangeCipherSpec"),
    (C, "ChangeCipherSpec"),
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "EncryptedExtensions"),
    (S, "Certificate"),
    (S, "CertificateVerify"),
    (S, "Finished"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS13_RETRY_CLIENT_AUTH: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "HelloRetryRequest"),
    (S, "ChangeCipherSpec"),
    (C, "ChangeCipherSpec"),
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "EncryptedExtensions"),
    (S, "CertificateRequest"),
    (S, "Certificate"),
    (S, "CertificateVerify"),
    (S, "Finished"),
    (C, "Certificate"),
    (C, "CertificateVerify"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS13_CLIENT_AUTH: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "ChangeCipherSpec"),
    (S, "EncryptedExtensions"),
    (S, "CertificateRequest"),
    (S, "Certificate"),
    (S, "CertificateVerify"),
    (S, "Finished"),
    (C, "ChangeCipherSpec"),
    (C, "Certificate"),
    (C, "CertificateVerify"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS13_OPTIONAL_CLIENT_AUTH_NO_CERTIFICATE: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "ChangeCipherSpec"),
    (S, "EncryptedExtensions"),
    (S, "CertificateRequest"),
    (S, "Certificate"),
    (S, "CertificateVerify"),
    (S, "Finished"),
    (C, "ChangeCipherSpec"),
    (C, "Certificate"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "NewSessionTicket"),
];

const TLS12_ECDHE: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "Certificate"),
    (S, "ServerKeyExchange"),
    (S, "ServerHelloDone"),
    (C, "ClientKeyExchange"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "ChangeCipherSpec"),
    (S, "Finished"),
];

#[cfg(feature = "rsa-kx")]
const TLS12_RSA: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "Certificate"),
    (S, "ServerHelloDone"),
    (C, "ClientKeyExchange"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "ChangeCipherSpec"),
    (S, "Finished"),
];

const TLS12_CLIENT_AUTH: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "Certificate"),
    (S, "ServerKeyExchange"),
    (S, "CertificateRequest"),
    (S, "ServerHelloDone"),
    (C, "Certificate"),
    (C, "ClientKeyExchange"),
    (C, "CertificateVerify"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "ChangeCipherSpec"),
    (S, "Finished"),
];

const TLS12_OPTIONAL_CLIENT_AUTH_NO_CERTIFICATE: &[(Side, &str)] = &[
    (C, "ClientHello"),
    (S, "ServerHello"),
    (S, "Certificate"),
    (S, "ServerKeyExchange"),
    (S, "CertificateRequest"),
    (S, "ServerHelloDone"),
    (C, "Certificate"),
    (C, "ClientKeyExchange"),
    (C, "ChangeCipherSpec"),
    (C, "Finished"),
    (S, "NewSessionTicket"),
    (S, "ChangeCipherSpec"),
    (S, "Finished"),
];

/// A handshake kind, its setup, and the messages expected.
type Row = (&'static str, Setup, &'static [(Side, &'static str)]);

fn rows() -> Vec<Row> {
    #[cfg_attr(not(feature = "rsa-kx"), allow(unused_mut))]
    let mut rows: Vec<Row> = vec![
        ("TLS 1.3 full", |_, c, s| (c, s), TLS13_FULL),
        (
            "TLS 1.3 HelloRetryRequest without cookie",
            |_, c, s| (c, s.groups(&[NamedGroup::SECP384R1])),
            TLS13_RETRY,
        ),
        (
            "TLS 1.3 HelloRetryRequest with cookie",
            |_, c, s| {
                let s = s.groups(&[NamedGroup::SECP384R1]).hello_retry_cookie(true);
                (c, s)
            },
            TLS13_RETRY,
        ),
        (
            "TLS 1.3 HelloRetryRequest and client auth",
            |p, c, s| {
                let c = c.client_certificate(p.client.certified_key());
                let s = s
                    .groups(&[NamedGroup::SECP384R1])
                    .client_auth(client_auth(p, false));
                (c, s)
            },
            TLS13_RETRY_CLIENT_AUTH,
        ),
        (
            "TLS 1.3 client auth",
            |p, c, s| {
                let c = c.client_certificate(p.client.certified_key());
                (c, s.client_auth(client_auth(p, false)))
            },
            TLS13_CLIENT_AUTH,
        ),
        (
            "TLS 1.3 optional client auth, no client certificate",
            |p, c, s| (c, s.client_auth(client_auth(p, true))),
            TLS13_OPTIONAL_CLIENT_AUTH_NO_CERTIFICATE,
        ),
        ("TLS 1.2 ECDHE", |_, c, s| (tls12_only(c), s), TLS12_ECDHE),
        (
            "TLS 1.2 client auth",
            |p, c, s| {
                let c = tls12_only(c).client_certificate(p.client.certified_key());
                (c, s.client_auth(client_auth(p, false)))
            },
            TLS12_CLIENT_AUTH,
        ),
        (
            "TLS 1.2 optional client auth, no client certificate",
            |p, c, s| (tls12_only(c), s.client_auth(client_auth(p, true))),
            TLS12_OPTIONAL_CLIENT_AUTH_NO_CERTIFICATE,
        ),
        (
            "TLS 1.3-capable client, TLS 1.2-only server",
            |_, c, s| (c, s.versions(&[ProtocolVersion::TLS12])),
            TLS12_ECDHE,
        ),
    ];
    #[cfg(feature = "rsa-kx")]
    rows.push((
        "TLS 1.2 RSA key exchange",
        |_, c, s| {
            let c = tls12_only(c)
                .cipher_suites(&[keyway::CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
                .enable_rsa_key_exchange();
            (c, s.enable_rsa_key_exchange())
        },
        TLS12_RSA,
    ));
    rows
}

#[test]
fn every_handshake_kind_sends_the_messages_of_its_row_in_order() {
    let pkis = Pkis {
        server: TestPki::generate(KeyKind::EcdsaP256, &["example.com"]),
        client: TestPki::generate(KeyKind::Ed25519, &["client.example"]),
    };
    let rsa = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    for (kind, setup, expected) in rows() {
        let server_pki = match kind.contains("RSA") {
            true => &rsa,
            false => &pkis.server,
        };
        let recorder = Arc::new(Recorder::default());
        let client = ClientConfig::builder(server_pki.root_store()).observer(recorder.clone());
        let server = ServerConfig::builder()
            .certificate(server_pki.certified_key())
            .observer(recorder.clone());
        let (client, server) = setup(&pkis, client, server);
        let mut c =
            ClientConnection::new(Arc::new(client.build().unwrap()), "example.com").unwrap();
        let mut s = ServerConnection::new(Arc::new(server.build().unwrap()));
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(*recorder.0.lock().unwrap(), expected, "{kind}");
        let client_certified = expected.contains(&(C, "CertificateVerify"));
        assert_eq!(
            s.negotiated().peer_certificates.len(),
            if client_certified { 2 } else { 0 },
            "{kind}"
        );
    }
}
