//! In-memory TLS 1.3 client <-> server: the suite x group x key matrix, HRR,
//! the post-quantum hybrids by default and HRR to and from them, ALPN,
//! KeyUpdate, close_notify, failures and their alerts. (The message order of
//! each handshake kind is in tests/flights.rs.)

mod support;

use std::sync::{Arc, Mutex};

use keyway::events::Side;
use keyway::{
    AlertDescription, CipherSuite, ClientConfig, ClientConnection, Error, NamedGroup, ServerConfig,
    ServerConnection,
};
use support::{connect, handshake, send, transfer, KeyKind, TestPki};

const SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
];
const GROUPS: [NamedGroup; 5] = [
    NamedGroup::X25519MLKEM768,
    NamedGroup::SECP256R1MLKEM768,
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];
const HYBRIDS: [NamedGroup; 2] = [NamedGroup::X25519MLKEM768, NamedGroup::SECP256R1MLKEM768];

fn server_config(pki: &TestPki) -> keyway::ServerConfigBuilder {
    ServerConfig::builder().certificate(pki.certified_key())
}

#[test]
fn every_suite_group_and_key_type_completes_and_carries_data() {
    for kind in KeyKind::ALL {
        let pki = TestPki::generate(kind, &["example.com"]);
        for suite in SUITES {
            for group in GROUPS {
                let client = ClientConfig::builder(pki.root_store())
                    .cipher_suites(&[suite])
                    .groups(&[group])
                    .build()
                    .unwrap();
                let server = server_config(&pki).build().unwrap();
                let (mut c, mut s, result) = connect(client, server, "example.com");
                result.unwrap_or_else(|e| panic!("{} {suite:?} {group:?}: {e}", kind.name()));
                for conn in [&*c, &*s] {
                    let n = conn.negotiated();
                    assert_eq!(n.version, Some(keyway::ProtocolVersion::TLS13));
                    assert_eq!(n.cipher_suite, Some(suite));
                    assert_eq!(n.group, Some(group));
                    assert!(!n.hello_retry_request);
                }
                assert_eq!(c.negotiated().peer_certificates.len(), 2);
                assert_eq!(s.negotiated().server_name.as_deref(), Some("example.com"));
                assert_eq!(send(&mut c, &mut s, b"ping"), b"ping");
                assert_eq!(send(&mut s, &mut c, b"pong"), b"pong");
            }
        }
    }
}

#[test]
fn signature_scheme_follows_the_key_type() {
    use keyway::SignatureScheme as S;
    let expected = [
        (KeyKind::EcdsaP256, S::ECDSA_SECP256R1_SHA256),
        (KeyKind::EcdsaP384, S::ECDSA_SECP384R1_SHA384),
        (KeyKind::Ed25519, S::ED25519),
        (KeyKind::Rsa2048, S::RSA_PSS_RSAE_SHA256),
    ];
    for (kind, scheme) in expected {
        let pki = TestPki::generate(kind, &["example.com"]);
        let client = ClientConfig::builder(pki.root_store()).build().unwrap();
        let (c, s, result) = connect(client, server_config(&pki).build().unwrap(), "example.com");
        result.unwrap();
        assert_eq!(c.negotiated().signature_scheme, Some(scheme));
        assert_eq!(s.negotiated().signature_scheme, Some(scheme));
    }
}

#[test]
fn large_transfers_are_fragmented_and_reassembled() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) =
        connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
    assert_eq!(send(&mut c, &mut s, &data), data);
    assert_eq!(send(&mut s, &mut c, &data), data);
}

#[test]
fn hello_retry_request_for_a_group_mismatch() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    for cookie in [false, true] {
        // The client sends an X25519 share; the server only accepts P-256.
        let client = ClientConfig::builder(pki.root_store())
            .groups(&[NamedGroup::X25519, NamedGroup::SECP256R1])
            .build()
            .unwrap();
        let server = server_config(&pki)
            .groups(&[NamedGroup::SECP256R1])
            .hello_retry_cookie(cookie)
            .build()
            .unwrap();
        let (mut c, mut s, result) = connect(client, server, "example.com");
        result.unwrap();
        assert!(c.negotiated().hello_retry_request && s.negotiated().hello_retry_request);
        assert_eq!(c.negotiated().group, Some(NamedGroup::SECP256R1));
        assert_eq!(send(&mut c, &mut s, b"after retry"), b"after retry");
    }
}

/// The first ClientHello a client config sends, decoded.
fn first_client_hello(config: ClientConfig) -> (usize, keyway::codec::messages::ClientHello) {
    use keyway::codec::messages::HandshakeMessage;
    let bytes = ClientConnection::new(Arc::new(config), "example.com")
        .unwrap()
        .take_tls();
    let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
    assert_eq!(bytes.len(), 5 + len, "one record");
    let body = &bytes[5 + 4..];
    match HandshakeMessage::decode(keyway::codec::HandshakeType::CLIENT_HELLO, body).unwrap() {
        HandshakeMessage::ClientHello(ch) => (len, ch),
        other => panic!("{other:?}"),
    }
}

fn key_shares_of(ch: &keyway::codec::messages::ClientHello) -> Vec<(NamedGroup, usize)> {
    ch.extensions
        .iter()
        .find_map(|e| match e {
            keyway::codec::extensions::Extension::KeyShareClientHello(s) => {
                Some(s.iter().map(|s| (s.group, s.key_exchange.len())).collect())
            }
            _ => None,
        })
        .expect("key_share")
}

fn supported_groups_of(ch: &keyway::codec::messages::ClientHello) -> Vec<NamedGroup> {
    ch.extensions
        .iter()
        .find_map(|e| match e {
            keyway::codec::extensions::Extension::SupportedGroups(g) => Some(g.clone()),
            _ => None,
        })
        .expect("supported_groups")
}

#[test]
fn default_client_hello_offers_the_hybrid_first_with_an_x25519_share_beside_it() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (_, ch) = first_client_hello(ClientConfig::builder(pki.root_store()).build().unwrap());
    assert_eq!(
        supported_groups_of(&ch),
        [
            NamedGroup::X25519MLKEM768,
            NamedGroup::SECP256R1MLKEM768,
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1
        ]
    );
    // draft-ietf-tls-ecdhe-mlkem: encapsulation key (1184) || X25519 (32).
    assert_eq!(
        key_shares_of(&ch),
        [(NamedGroup::X25519MLKEM768, 1216), (NamedGroup::X25519, 32)]
    );
    // A list that starts with the P-256 hybrid pairs it with P-256.
    let client = ClientConfig::builder(pki.root_store())
        .groups(&[NamedGroup::SECP256R1MLKEM768, NamedGroup::SECP256R1])
        .build()
        .unwrap();
    assert_eq!(
        key_shares_of(&first_client_hello(client).1),
        [
            (NamedGroup::SECP256R1MLKEM768, 1249),
            (NamedGroup::SECP256R1, 65)
        ]
    );
    // A TLS 1.2-only offer never lists the TLS 1.3-only hybrids.
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[keyway::ProtocolVersion::TLS12])
        .build()
        .unwrap();
    assert_eq!(
        supported_groups_of(&first_client_hello(client).1),
        [
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1
        ]
    );
}

#[test]
fn default_configs_negotiate_x25519mlkem768_and_a_classical_server_takes_x25519() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = || ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) = connect(
        client(),
        server_config(&pki).build().unwrap(),
        "example.com",
    );
    result.unwrap();
    for conn in [&*c, &*s] {
        assert_eq!(conn.negotiated().group, Some(NamedGroup::X25519MLKEM768));
        assert!(!conn.negotiated().hello_retry_request);
    }
    assert_eq!(send(&mut c, &mut s, b"post-quantum"), b"post-quantum");

    // A server without ML-KEM finds the client's X25519 share: no retry.
    let classical = server_config(&pki)
        .groups(&[NamedGroup::X25519, NamedGroup::SECP256R1])
        .build()
        .unwrap();
    let (c, s, result) = connect(client(), classical, "example.com");
    result.unwrap();
    for conn in [&*c, &*s] {
        assert_eq!(conn.negotiated().group, Some(NamedGroup::X25519));
        assert!(!conn.negotiated().hello_retry_request);
    }
}

#[test]
fn the_server_prefers_the_hybrid_whatever_order_the_client_sent_its_shares_in() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    for hybrid in HYBRIDS {
        let client = ClientConfig::builder(pki.root_store())
            .key_shares(&[NamedGroup::X25519, NamedGroup::SECP256R1, hybrid])
            .build()
            .unwrap();
        let (c, s, result) = connect(client, server_config(&pki).build().unwrap(), "example.com");
        result.unwrap();
        assert_eq!(c.negotiated().group, Some(hybrid));
        assert_eq!(s.negotiated().group, Some(hybrid));
        assert!(!s.negotiated().hello_retry_request);
    }
}

#[test]
fn hello_retry_request_to_the_hybrid() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    for hybrid in HYBRIDS {
        for cookie in [false, true] {
            // The client sends only an X25519 share; the server insists on the hybrid.
            let client = ClientConfig::builder(pki.root_store())
                .key_shares(&[NamedGroup::X25519])
                .build()
                .unwrap();
            let server = server_config(&pki)
                .groups(&[hybrid])
                .hello_retry_cookie(cookie)
                .build()
                .unwrap();
            let (mut c, mut s, result) = connect(client, server, "example.com");
            result.unwrap_or_else(|e| panic!("{hybrid:?}: {e}"));
            for conn in [&*c, &*s] {
                assert!(conn.negotiated().hello_retry_request);
                assert_eq!(conn.negotiated().group, Some(hybrid));
            }
            assert_eq!(send(&mut c, &mut s, b"after retry"), b"after retry");
        }
    }
}

#[test]
fn hello_retry_request_from_the_hybrid_to_a_classical_server() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    for hybrid in HYBRIDS {
        for classical in [
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
        ] {
            // The client sends only a hybrid share; the server has no ML-KEM.
            let client = ClientConfig::builder(pki.root_store())
                .key_shares(&[hybrid])
                .build()
                .unwrap();
            let server = server_config(&pki).groups(&[classical]).build().unwrap();
            let (mut c, mut s, result) = connect(client, server, "example.com");
            result.unwrap_or_else(|e| panic!("{hybrid:?} -> {classical:?}: {e}"));
            for conn in [&*c, &*s] {
                assert!(conn.negotiated().hello_retry_request);
                assert_eq!(conn.negotiated().group, Some(classical));
            }
            assert_eq!(send(&mut s, &mut c, b"classical"), b"classical");
        }
    }
}

#[test]
fn no_common_group_is_handshake_failure() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .groups(&[NamedGroup::X25519])
        .build()
        .unwrap();
    let server = server_config(&pki)
        .groups(&[NamedGroup::SECP384R1])
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    assert_eq!(
        result,
        Err(Error::PeerIncompatible(
            keyway::error::PeerIncompatible::NoCommonGroup
        ))
    );
    let _ = transfer(&mut s, &mut c);
    assert_eq!(
        c.error(),
        Some(&Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
    );
}

#[test]
fn alpn_is_negotiated_or_refused() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .alpn(&[b"h2", b"http/1.1"])
        .build()
        .unwrap();
    let server = server_config(&pki)
        .alpn(&[b"http/1.1", b"h2"])
        .build()
        .unwrap();
    let (c, s, result) = connect(client, server, "example.com");
    result.unwrap();
    assert_eq!(c.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(s.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));

    let client = ClientConfig::builder(pki.root_store())
        .alpn(&[b"spdy/3"])
        .build()
        .unwrap();
    let server = server_config(&pki).alpn(&[b"h2"]).build().unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::NO_APPLICATION_PROTOCOL)
    );
    let _ = transfer(&mut s, &mut c);
    assert_eq!(
        c.error(),
        Some(&Error::AlertReceived(
            AlertDescription::NO_APPLICATION_PROTOCOL
        ))
    );

    // A server without ALPN ignores the client's offer.
    let client = ClientConfig::builder(pki.root_store())
        .alpn(&[b"h2"])
        .build()
        .unwrap();
    let (c, _, result) = connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    assert_eq!(c.negotiated().alpn, None);
}

#[test]
fn key_update_both_directions_with_update_requested() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) =
        connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    for round in 0..3 {
        c.update_keys(round % 2 == 0).unwrap();
        assert_eq!(
            send(&mut c, &mut s, b"client after update"),
            b"client after update"
        );
        // The server answered update_requested with its own KeyUpdate.
        assert_eq!(send(&mut s, &mut c, b"server data"), b"server data");
        s.update_keys(true).unwrap();
        assert_eq!(
            send(&mut s, &mut c, b"server after update"),
            b"server after update"
        );
        assert_eq!(send(&mut c, &mut s, b"client data"), b"client data");
    }
}

#[test]
fn close_notify_both_ways_and_truncation_is_visible() {
    use std::io::Read;
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) =
        connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    c.write_plaintext(b"last words").unwrap();
    c.send_close_notify();
    assert_eq!(c.write_plaintext(b"more"), Err(Error::WriteAfterClose));
    transfer(&mut c, &mut s).unwrap();
    let mut buf = Vec::new();
    s.reader().read_to_end(&mut buf).unwrap();
    assert_eq!(buf, b"last words");
    assert!(s.peer_has_closed());
    s.send_close_notify();
    transfer(&mut s, &mut c).unwrap();
    assert_eq!(c.reader().read(&mut [0u8; 8]).unwrap(), 0);

    // Transport EOF without close_notify: the reader sees UnexpectedEof.
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) =
        connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    c.write_plaintext(b"partial").unwrap();
    transfer(&mut c, &mut s).unwrap();
    assert_eq!(s.read_tls(&mut &b""[..]).unwrap(), 0);
    s.process().unwrap();
    let mut buf = [0u8; 7];
    s.reader().read_exact(&mut buf).unwrap();
    let err = s.reader().read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
}

#[test]
fn wrong_name_and_unknown_ca_fail_with_the_right_alert() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) = connect(
        client,
        server_config(&pki).build().unwrap(),
        "other.example",
    );
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidCertificate(keyway::error::CertificateError::NotValidForName(_))
        ),
        "{err}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::CERTIFICATE_UNKNOWN));
    let _ = transfer(&mut c, &mut s);
    assert_eq!(
        s.error(),
        Some(&Error::AlertReceived(AlertDescription::CERTIFICATE_UNKNOWN))
    );

    let other = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(other.root_store()).build().unwrap();
    let (mut c, mut s, result) =
        connect(client, server_config(&pki).build().unwrap(), "example.com");
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::UNKNOWN_CA)
    );
    let _ = transfer(&mut c, &mut s);
    assert_eq!(
        s.error(),
        Some(&Error::AlertReceived(AlertDescription::UNKNOWN_CA))
    );
}

#[test]
fn tampered_records_are_bad_record_mac() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) =
        connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    c.write_plaintext(b"hello").unwrap();
    let mut bytes = c.take_tls();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    s.read_tls_bytes(&bytes).unwrap();
    assert_eq!(s.process(), Err(Error::DecryptFailed));
    let _ = transfer(&mut s, &mut c);
    assert_eq!(
        c.error(),
        Some(&Error::AlertReceived(AlertDescription::BAD_RECORD_MAC))
    );
}

#[test]
fn exporters_agree() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (c, s, result) = connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    let (mut a, mut b, mut other) = ([0u8; 32], [0u8; 32], [0u8; 32]);
    c.export_keying_material(&mut a, b"EXPORTER-test", b"ctx")
        .unwrap();
    s.export_keying_material(&mut b, b"EXPORTER-test", b"ctx")
        .unwrap();
    s.export_keying_material(&mut other, b"EXPORTER-test", b"other")
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, other);
}

#[test]
fn client_auth_without_a_client_certificate_is_certificate_required() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let verifier = keyway::pki::DefaultClientVerifier::new(Arc::new(pki.root_store()));
    let server = server_config(&pki)
        .client_auth(Arc::new(verifier))
        .build()
        .unwrap();
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::CERTIFICATE_REQUIRED)
    );
    let _ = transfer(&mut s, &mut c);
    assert_eq!(
        c.error(),
        Some(&Error::AlertReceived(
            AlertDescription::CERTIFICATE_REQUIRED
        ))
    );
}

#[test]
fn key_log_receives_every_tls13_secret() {
    #[derive(Debug, Default)]
    struct Log(Mutex<Vec<String>>);
    impl keyway::keylog::KeyLog for Log {
        fn log(&self, label: &str, _: &[u8; 32], secret: &[u8]) {
            assert!(!secret.is_empty());
            self.0.lock().unwrap().push(label.to_string());
        }
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let log = Arc::new(Log::default());
    let client = ClientConfig::builder(pki.root_store())
        .key_log(log.clone())
        .build()
        .unwrap();
    let (_, _, result) = connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    assert_eq!(
        *log.0.lock().unwrap(),
        [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET"
        ]
    );
}

#[test]
fn application_data_written_before_the_handshake_is_sent_after_it() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let mut c = ClientConnection::new(
        Arc::new(ClientConfig::builder(pki.root_store()).build().unwrap()),
        "example.com",
    )
    .unwrap();
    let mut s = ServerConnection::new(Arc::new(server_config(&pki).build().unwrap()));
    assert_eq!(c.write_plaintext(b"early").unwrap(), 5);
    handshake(&mut c, &mut s).unwrap();
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut s.reader(), &mut buf).unwrap();
    assert_eq!(&buf, b"early");
}

fn connected() -> (ClientConnection, ServerConnection) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let (c, s, result) = connect(client, server_config(&pki).build().unwrap(), "example.com");
    result.unwrap();
    (c, s)
}

#[test]
fn a_fatal_alert_stays_an_error_on_every_later_read() {
    let (mut c, mut s) = connected();
    c.write_plaintext(b"x").unwrap();
    let mut bytes = c.take_tls();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    s.read_tls_bytes(&bytes).unwrap();
    assert_eq!(s.process(), Err(Error::DecryptFailed));
    let _ = transfer(&mut s, &mut c);
    for _ in 0..2 {
        let err = c.read_plaintext(&mut [0u8; 4]).unwrap_err();
        assert!(err.to_string().contains("bad_record_mac"), "{err}");
    }
    assert!(!c.peer_has_closed());
}

#[test]
fn a_fast_peer_is_not_cut_off_while_the_application_reads_slowly() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let mut limits = keyway::Limits::default();
    limits.max_buffered_plaintext = 48 * 1024;
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let server = server_config(&pki).limits(limits).build().unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    result.unwrap();
    let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    c.write_plaintext(&data).unwrap();
    let wire = c.take_tls();
    let (mut offset, mut got, mut buf) = (0, Vec::new(), vec![0u8; 10_000]);
    while got.len() < data.len() {
        if offset < wire.len() {
            if let Ok(n) = s.read_tls_bytes(&wire[offset..]) {
                offset += n;
            }
        }
        s.process().unwrap();
        // The application reads only 10 kB at a time.
        if let Ok(n) = s.read_plaintext(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    assert_eq!(got, data);
}

#[test]
fn close_notify_requested_mid_handshake_follows_the_buffered_data() {
    use std::io::Read;
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let config = Arc::new(ClientConfig::builder(pki.root_store()).build().unwrap());
    let mut c = ClientConnection::new(config, "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server_config(&pki).build().unwrap()));
    c.write_plaintext(b"one request").unwrap();
    c.send_close_notify();
    handshake(&mut c, &mut s).unwrap();
    let mut got = Vec::new();
    s.reader().read_to_end(&mut got).unwrap();
    assert_eq!(got, b"one request");
    assert!(s.peer_has_closed());
}

#[test]
fn our_key_update_requests_are_not_counted_as_a_flood() {
    let (mut c, mut s) = connected();
    // The client only sends data and keeps asking for fresh server keys; all
    // it receives are the server's answering KeyUpdates.
    for _ in 0..3 * keyway::Limits::default().max_key_updates {
        c.update_keys(true).unwrap();
        assert_eq!(send(&mut c, &mut s, b"data"), b"data");
        transfer(&mut s, &mut c).unwrap();
    }
    assert_eq!(send(&mut c, &mut s, b"still fine"), b"still fine");
    assert_eq!(send(&mut s, &mut c, b"both ways"), b"both ways");
}

/// Counts the KeyUpdates each side receives, by request_update value.
#[derive(Debug, Default)]
struct KeyUpdates(Mutex<Vec<(Side, keyway::codec::KeyUpdateRequest)>>);

impl keyway::events::Observer for KeyUpdates {
    fn on_event(&self, side: Side, event: &keyway::events::Event<'_>) {
        use keyway::codec::messages::HandshakeMessage;
        if let keyway::events::Event::Received(HandshakeMessage::KeyUpdate(ku)) = event {
            self.0.lock().unwrap().push((side, ku.request_update));
        }
    }
}

fn observed_pair(
    observer: Arc<KeyUpdates>,
    limits: keyway::Limits,
) -> (ClientConnection, ServerConnection) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .observer(observer.clone())
        .limits(limits.clone())
        .build()
        .unwrap();
    let server = server_config(&pki)
        .observer(observer)
        .limits(limits)
        .build()
        .unwrap();
    let (c, s, result) = connect(client, server, "example.com");
    result.unwrap();
    (c, s)
}

#[test]
fn each_update_requested_is_answered_by_exactly_one_key_update() {
    use keyway::codec::KeyUpdateRequest as R;
    let observer = Arc::new(KeyUpdates::default());
    let (mut c, mut s) = observed_pair(observer.clone(), keyway::Limits::default());
    c.update_keys(true).unwrap();
    assert_eq!(send(&mut c, &mut s, b"one"), b"one");
    assert_eq!(send(&mut s, &mut c, b"two"), b"two");
    s.update_keys(false).unwrap();
    assert_eq!(send(&mut s, &mut c, b"three"), b"three");
    assert_eq!(send(&mut c, &mut s, b"four"), b"four");
    s.update_keys(true).unwrap();
    assert_eq!(send(&mut s, &mut c, b"five"), b"five");
    assert_eq!(send(&mut c, &mut s, b"six"), b"six");
    assert_eq!(
        *observer.0.lock().unwrap(),
        [
            (Side::Server, R::UPDATE_REQUESTED),
            (Side::Client, R::UPDATE_NOT_REQUESTED),
            (Side::Client, R::UPDATE_NOT_REQUESTED),
            (Side::Client, R::UPDATE_REQUESTED),
            (Side::Server, R::UPDATE_NOT_REQUESTED),
        ]
    );
}

#[test]
fn keys_are_updated_before_a_lowered_record_limit() {
    use keyway::codec::KeyUpdateRequest as R;
    let observer = Arc::new(KeyUpdates::default());
    let mut limits = keyway::Limits::default();
    limits.max_records_per_key = 4;
    let (mut c, mut s) = observed_pair(observer.clone(), limits);
    // The client's application key has sealed nothing yet: three records of
    // data, then the KeyUpdate as the key's fourth and last record.
    for i in 0..10u8 {
        assert_eq!(send(&mut c, &mut s, &[i; 100]), [i; 100]);
    }
    let updates = observer.0.lock().unwrap().clone();
    assert_eq!(updates, [(Side::Server, R::UPDATE_NOT_REQUESTED); 3]);
    // A 100 KiB write spans seven records: two more updates on the way.
    let data = vec![7u8; 100 * 1024];
    assert_eq!(send(&mut c, &mut s, &data), data);
    assert_eq!(observer.0.lock().unwrap().len(), 5);
}
