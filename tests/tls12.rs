//! In-memory TLS 1.2: every suite x group x certificate type, version
//! negotiation both ways, downgrade protection, TLS_FALLBACK_SCSV, the
//! extended master secret, exporters and client certificates. (Refused renegotiation is checked
//! against OpenSSL in tests/openssl.rs, which can ask for one.)

mod support;

use std::sync::Arc;

use keyway::codec::extensions::Extension;
use keyway::codec::messages::{ClientHello, HandshakeMessage};
use keyway::codec::{ContentType, HandshakeType};
use keyway::events::Side;
use keyway::pki::DefaultClientVerifier;
use keyway::{
    AlertDescription as A, CipherSuite as C, ClientConfig, ClientConnection, Error, NamedGroup,
    ProtocolVersion as V, RootStore, ServerConfig, ServerConfigBuilder, ServerConnection,
};
use support::{connect, send, transfer, KeyKind, Recorder, TestPki};

const ECDSA_SUITES: [C; 3] = [
    C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
];
const RSA_SUITES: [C; 3] = [
    C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];
const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

fn server(pki: &TestPki) -> keyway::ServerConfigBuilder {
    ServerConfig::builder().certificate(pki.certified_key())
}

fn certificate_curve(kind: KeyKind) -> Option<NamedGroup> {
    match kind {
        KeyKind::EcdsaP256 => Some(NamedGroup::SECP256R1),
        KeyKind::EcdsaP384 => Some(NamedGroup::SECP384R1),
        KeyKind::Ed25519 | KeyKind::Rsa2048 => None,
    }
}

#[test]
fn an_ecdsa_certificate_on_a_curve_the_client_lacks_is_not_used() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .groups(&[NamedGroup::X25519])
        .build()
        .unwrap();
    let (_, s, result) = connect(client, server(&pki).build().unwrap(), "example.com");
    let err = result.unwrap_err();
    assert_eq!(
        err,
        Error::PeerIncompatible(keyway::error::PeerIncompatible::CertificateCurveNotOffered(
            NamedGroup::SECP256R1
        ))
    );
    assert_eq!(s.error(), Some(&err));
    assert_eq!(err.alert(), Some(A::HANDSHAKE_FAILURE));
    assert!(err.to_string().contains("lacks secp256r1"), "{err}");
}

#[test]
fn every_tls12_suite_group_and_certificate_completes() {
    for kind in KeyKind::ALL {
        let pki = TestPki::generate(kind, &["example.com"]);
        let suites = match kind {
            KeyKind::Rsa2048 => RSA_SUITES,
            _ => ECDSA_SUITES,
        };
        for suite in suites {
            for group in GROUPS {
                // RFC 8422, Section 5.3: an ECDSA certificate needs its curve in
                // the client's supported_groups, whatever the ECDHE group is;
                // the server (which picks in its own order) offers only `group`.
                let mut client_groups = vec![group];
                client_groups.extend(certificate_curve(kind).filter(|c| *c != group));
                let client = ClientConfig::builder(pki.root_store())
                    .versions(&[V::TLS12])
                    .cipher_suites(&[suite])
                    .groups(&client_groups)
                    .build()
                    .unwrap();
                let server = server(&pki)
                    .versions(&[V::TLS12])
                    .groups(&[group])
                    .build()
                    .unwrap();
                let (mut c, mut s, result) = connect(client, server, "example.com");
                result.unwrap_or_else(|e| panic!("{} {suite:?} {group:?}: {e}", kind.name()));
                for n in [c.negotiated(), s.negotiated()] {
                    assert_eq!(n.version, Some(V::TLS12));
                    assert_eq!(n.cipher_suite, Some(suite));
                    assert_eq!(n.group, Some(group));
                }
                assert_eq!(send(&mut c, &mut s, b"ping over 1.2"), b"ping over 1.2");
                assert_eq!(send(&mut s, &mut c, b"pong over 1.2"), b"pong over 1.2");
                c.send_close_notify();
                transfer(&mut c, &mut s).unwrap();
                assert!(s.peer_has_closed());
            }
        }
    }
}

#[test]
fn versions_are_negotiated_per_connection() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let both = [V::TLS13, V::TLS12];
    let cases = [
        (&both[..], &[V::TLS12][..], Ok(V::TLS12)),
        (&[V::TLS12][..], &both[..], Ok(V::TLS12)),
        (&both[..], &both[..], Ok(V::TLS13)),
        (&[V::TLS13][..], &[V::TLS12][..], Err(A::PROTOCOL_VERSION)),
        (&[V::TLS12][..], &[V::TLS13][..], Err(A::PROTOCOL_VERSION)),
    ];
    for (client_versions, server_versions, expected) in cases {
        let client = ClientConfig::builder(pki.root_store())
            .versions(client_versions)
            .build()
            .unwrap();
        let server = server(&pki).versions(server_versions).build().unwrap();
        let (c, _, result) = connect(client, server, "example.com");
        match expected {
            Ok(version) => {
                result
                    .unwrap_or_else(|e| panic!("{client_versions:?} vs {server_versions:?}: {e}"));
                assert_eq!(c.negotiated().version, Some(version));
            }
            Err(alert) => assert_eq!(
                result.unwrap_err().alert(),
                Some(alert),
                "{client_versions:?} vs {server_versions:?}"
            ),
        }
    }
}

fn records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

/// Runs a client's ClientHello through `mutate` on its way to the server and
/// returns both connections after the server's answer reached the client.
fn tampered_hello(
    client: ClientConfig,
    server: ServerConfig,
    mutate: impl FnOnce(&mut ClientHello),
) -> (ClientConnection, ServerConnection, Result<(), Error>) {
    let mut c = ClientConnection::new(Arc::new(client), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server));
    let (_, payload) = records(&c.take_tls()).remove(0);
    let HandshakeMessage::ClientHello(mut ch) =
        HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &payload[4..]).unwrap()
    else {
        panic!("not a ClientHello")
    };
    mutate(&mut ch);
    let mut body = Vec::new();
    HandshakeMessage::ClientHello(ch).encode(&mut body).unwrap();
    let mut record = Vec::new();
    keyway::record::write_plaintext_records(
        V::TLS12,
        ContentType::HANDSHAKE,
        &body,
        1 << 14,
        &mut record,
    )
    .unwrap();
    s.read_tls_bytes(&record).unwrap();
    let server_result = s.process();
    let _ = transfer(&mut s, &mut c);
    let result = server_result.and(c.error().cloned().map_or(Ok(()), Err));
    (c, s, result)
}

#[test]
fn a_downgrade_to_tls12_is_detected_by_the_client() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    // An attacker strips TLS 1.3 from the offer; the server, which speaks 1.3,
    // answers 1.2 with the RFC 8446 sentinel in its random.
    let (c, _, result) = tampered_hello(client, server(&pki).build().unwrap(), |ch| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::SupportedVersionsClientHello(_)));
    });
    assert!(result.is_err());
    assert_eq!(
        c.error(),
        Some(&Error::PeerMisbehaved(
            keyway::error::PeerMisbehaved::DowngradeDetected
        ))
    );
    assert_eq!(c.error().unwrap().alert(), Some(A::ILLEGAL_PARAMETER));
}

#[test]
fn fallback_scsv_is_refused_when_a_higher_version_was_possible() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .build()
        .unwrap();
    let (_, s, _) = tampered_hello(client, server(&pki).build().unwrap(), |ch| {
        ch.cipher_suites.push(C::TLS_FALLBACK_SCSV)
    });
    assert_eq!(s.error().unwrap().alert(), Some(A::INAPPROPRIATE_FALLBACK));

    // A TLS 1.2-only server has nothing higher to offer: the fallback is fine.
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .build()
        .unwrap();
    let only12 = server(&pki).versions(&[V::TLS12]).build().unwrap();
    let (_, s, _) = tampered_hello(client, only12, |ch| {
        ch.cipher_suites.push(C::TLS_FALLBACK_SCSV)
    });
    assert_eq!(s.error(), None);
}

#[test]
fn the_extended_master_secret_is_required_unless_switched_off() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let strip = |ch: &mut ClientHello| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::ExtendedMasterSecret))
    };
    let client = || {
        ClientConfig::builder(pki.root_store())
            .versions(&[V::TLS12])
            .build()
            .unwrap()
    };
    let (_, s, _) = tampered_hello(client(), server(&pki).build().unwrap(), strip);
    assert_eq!(
        s.error(),
        Some(&Error::PeerIncompatible(
            keyway::error::PeerIncompatible::ExtendedMasterSecretRequired
        ))
    );
    assert_eq!(s.error().unwrap().alert(), Some(A::HANDSHAKE_FAILURE));

    // With the requirement off on both sides, a connection without it completes.
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .require_extended_master_secret(false)
        .build()
        .unwrap();
    let server_config = server(&pki)
        .require_extended_master_secret(false)
        .build()
        .unwrap();
    let (_, s, _) = tampered_hello(client, server_config, strip);
    assert_eq!(s.error(), None);
}

#[test]
fn tls12_exporters_agree() {
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .build()
        .unwrap();
    let (mut c, s, result) = connect(client, server(&pki).build().unwrap(), "example.com");
    result.unwrap();
    let (mut a, mut b, mut context, mut label) = ([0u8; 32], [0u8; 32], [0u8; 32], [0u8; 32]);
    c.export_keying_material(&mut a, b"EXPORTER-test", b"ctx")
        .unwrap();
    s.export_keying_material(&mut b, b"EXPORTER-test", b"ctx")
        .unwrap();
    s.export_keying_material(&mut context, b"EXPORTER-test", b"other")
        .unwrap();
    s.export_keying_material(&mut label, b"EXPORTER-other", b"ctx")
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, context, "the context is mixed in");
    assert_ne!(a, label, "the label is mixed in");
    assert!(c.update_keys(false).is_err(), "TLS 1.2 has no KeyUpdate");
}

#[test]
fn a_tls12_key_at_its_record_limit_ends_writing_with_close_notify() {
    use std::io::Read;
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let mut limits = keyway::Limits::default();
    limits.max_records_per_key = 4;
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .limits(limits)
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client, server(&pki).build().unwrap(), "example.com");
    result.unwrap();
    // The client's key sealed its Finished: two records of data are left,
    // then the close_notify that uses the key's last record.
    assert_eq!(send(&mut c, &mut s, b"one"), b"one");
    assert_eq!(send(&mut c, &mut s, b"two"), b"two");
    assert_eq!(c.write_plaintext(b"three"), Err(Error::KeyExhausted));
    assert_eq!(c.write_plaintext(b"four"), Err(Error::WriteAfterClose));
    transfer(&mut c, &mut s).unwrap();
    assert!(s.peer_has_closed());
    assert_eq!(s.reader().read(&mut [0u8; 8]).unwrap(), 0);
    // The other direction goes on.
    assert_eq!(send(&mut s, &mut c, b"reply"), b"reply");
    // A write that spans the limit sends what fits, then the close_notify.
    let mut limits = keyway::Limits::default();
    limits.max_records_per_key = 3;
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .limits(limits)
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client, server(&pki).build().unwrap(), "example.com");
    result.unwrap();
    let data = vec![1u8; 40_000];
    assert_eq!(c.write_plaintext(&data), Ok(16_384));
    transfer(&mut c, &mut s).unwrap();
    let mut got = Vec::new();
    s.reader().read_to_end(&mut got).unwrap();
    assert_eq!(got.len(), 16_384);
}

/// A TLS 1.2 server that asks for a client certificate chaining to `roots`.
fn client_auth_server(pki: &TestPki, roots: RootStore, mandatory: bool) -> ServerConfigBuilder {
    let verifier = DefaultClientVerifier::new(Arc::new(roots));
    let verifier = match mandatory {
        true => verifier,
        false => verifier.allow_unauthenticated(),
    };
    server(pki)
        .versions(&[V::TLS12])
        .client_auth(Arc::new(verifier))
}

#[test]
fn client_certificates_of_every_key_type_are_checked_in_tls12() {
    use Side::{Client as Cl, Server as Sv};
    let expected = [
        (Cl, "ClientHello"),
        (Sv, "ServerHello"),
        (Sv, "Certificate"),
        (Sv, "ServerKeyExchange"),
        (Sv, "CertificateRequest"),
        (Sv, "ServerHelloDone"),
        (Cl, "Certificate"),
        (Cl, "ClientKeyExchange"),
        (Cl, "CertificateVerify"),
        (Cl, "ChangeCipherSpec"),
        (Cl, "Finished"),
        (Sv, "NewSessionTicket"),
        (Sv, "ChangeCipherSpec"),
        (Sv, "Finished"),
    ];
    for server_kind in [KeyKind::EcdsaP256, KeyKind::Rsa2048] {
        let pki = TestPki::generate(server_kind, &["example.com"]);
        for client_kind in KeyKind::ALL {
            let client_pki = TestPki::generate(client_kind, &["client.example"]);
            let recorder = Arc::new(Recorder::default());
            let client = ClientConfig::builder(pki.root_store())
                .client_certificate(client_pki.certified_key())
                .observer(recorder.clone())
                .build()
                .unwrap();
            let server = client_auth_server(&pki, client_pki.root_store(), true)
                .observer(recorder.clone())
                .build()
                .unwrap();
            let what = format!(
                "{} server, {} client",
                server_kind.name(),
                client_kind.name()
            );
            let (mut c, mut s, result) = connect(client, server, "example.com");
            result.unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(*recorder.0.lock().unwrap(), expected, "{what}");
            assert_eq!(s.negotiated().version, Some(V::TLS12));
            assert_eq!(
                s.negotiated().peer_certificates,
                client_pki.certified_key().chain,
                "{what}"
            );
            assert_eq!(
                send(&mut c, &mut s, b"from a known client"),
                b"from a known client"
            );
            assert_eq!(send(&mut s, &mut c, b"hello, client"), b"hello, client");
        }
    }
}

#[test]
fn a_tls12_client_without_a_certificate_is_refused_or_admitted_as_configured() {
    use Side::{Client as Cl, Server as Sv};
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = || ClientConfig::builder(pki.root_store()).build().unwrap();

    // RFC 5246, Section 7.4.6: TLS 1.2 has no certificate_required alert.
    let server = client_auth_server(&pki, pki.root_store(), true)
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client(), server, "example.com");
    assert_eq!(result.unwrap_err().alert(), Some(A::HANDSHAKE_FAILURE));
    assert_eq!(
        s.error(),
        Some(&Error::PeerIncompatible(
            keyway::error::PeerIncompatible::ClientCertificateRequired
        ))
    );
    let _ = transfer(&mut s, &mut c);
    assert_eq!(c.error(), Some(&Error::AlertReceived(A::HANDSHAKE_FAILURE)));

    // With client authentication optional, an empty Certificate (RFC 5246,
    // Section 7.4.6: the client answers a request even without one) and no
    // CertificateVerify complete the handshake unauthenticated.
    let recorder = Arc::new(Recorder::default());
    let client = ClientConfig::builder(pki.root_store())
        .observer(recorder.clone())
        .build()
        .unwrap();
    let server = client_auth_server(&pki, pki.root_store(), false)
        .observer(recorder.clone())
        .build()
        .unwrap();
    let (_, s, result) = connect(client, server, "example.com");
    result.unwrap();
    assert!(s.negotiated().peer_certificates.is_empty());
    let sent: Vec<_> = recorder.0.lock().unwrap().clone();
    assert!(sent.contains(&(Sv, "CertificateRequest")), "{sent:?}");
    assert!(sent.contains(&(Cl, "Certificate")), "{sent:?}");
    assert!(!sent.contains(&(Cl, "CertificateVerify")), "{sent:?}");
}

/// Runs a TLS 1.2 client-auth handshake (the client has a certificate) to
/// the client's second flight, lets `tamper` edit its plaintext handshake
/// messages (type, body) before the ChangeCipherSpec, delivers the result and
/// returns the server's error, if any.
fn server_error_after_tampering(tamper: impl FnOnce(&mut Vec<(u8, Vec<u8>)>)) -> Option<Error> {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store())
        .client_certificate(pki.certified_key())
        .build()
        .unwrap();
    let server = client_auth_server(&pki, pki.root_store(), true)
        .build()
        .unwrap();
    let mut c = ClientConnection::new(Arc::new(client), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server));
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let flight = records(&c.take_tls());
    let ccs_at = flight.iter().position(|(t, _)| *t == 20).unwrap();
    let mut messages = handshake_messages(&flight[..ccs_at]);
    tamper(&mut messages);
    let mut wire = handshake_records(&messages);
    for (typ, payload) in &flight[ccs_at..] {
        wire.extend_from_slice(&[*typ, 3, 3]);
        wire.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        wire.extend_from_slice(payload);
    }
    s.read_tls_bytes(&wire).unwrap();
    s.process().err()
}

/// The handshake messages (type, body) in plaintext handshake records.
fn handshake_messages(records: &[(u8, Vec<u8>)]) -> Vec<(u8, Vec<u8>)> {
    let mut messages = Vec::new();
    for (_, payload) in records {
        let mut rest = &payload[..];
        while rest.len() >= 4 {
            let len =
                usize::from(u16::from_be_bytes([rest[2], rest[3]])) | usize::from(rest[1]) << 16;
            messages.push((rest[0], rest[4..4 + len].to_vec()));
            rest = &rest[4 + len..];
        }
    }
    messages
}

/// Handshake messages (type, body) framed again as plaintext TLS 1.2 records.
fn handshake_records(messages: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (typ, msg) in messages {
        body.push(*typ);
        body.extend_from_slice(&(msg.len() as u32).to_be_bytes()[1..]);
        body.extend_from_slice(msg);
    }
    let mut wire = Vec::new();
    keyway::record::write_plaintext_records(
        V::TLS12,
        ContentType::HANDSHAKE,
        &body,
        1 << 14,
        &mut wire,
    )
    .unwrap();
    wire
}

#[test]
fn tls12_client_auth_refuses_a_skipped_or_unoffered_certificate_verify() {
    const CERTIFICATE_VERIFY: u8 = 15;
    // Untouched, the flight is accepted: the re-framing itself is sound.
    assert_eq!(server_error_after_tampering(|_| {}), None);

    // A certificate without CertificateVerify: the ChangeCipherSpec comes
    // where the proof of possession should be.
    let err =
        server_error_after_tampering(|m| m.retain(|(t, _)| *t != CERTIFICATE_VERIFY)).unwrap();
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE), "{err}");

    // A scheme the CertificateRequest did not offer (rsa_pkcs1_sha1).
    let err = server_error_after_tampering(|m| {
        let cv = m
            .iter_mut()
            .find(|(t, _)| *t == CERTIFICATE_VERIFY)
            .unwrap();
        cv.1[..2].copy_from_slice(&[0x02, 0x01]);
    })
    .unwrap();
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    // A signature over other bytes.
    let err = server_error_after_tampering(|m| {
        let cv = m
            .iter_mut()
            .find(|(t, _)| *t == CERTIFICATE_VERIFY)
            .unwrap();
        let last = cv.1.len() - 1;
        cv.1[last] ^= 1;
    })
    .unwrap();
    assert_eq!(err.alert(), Some(A::DECRYPT_ERROR), "{err}");
}

#[test]
fn a_tls12_client_certificate_from_an_unknown_ca_is_unknown_ca() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["client.example"]);
    let client = ClientConfig::builder(pki.root_store())
        .client_certificate(stranger.certified_key())
        .build()
        .unwrap();
    let server = client_auth_server(&pki, pki.root_store(), true)
        .build()
        .unwrap();
    let (mut c, mut s, result) = connect(client, server, "example.com");
    assert_eq!(result.unwrap_err().alert(), Some(A::UNKNOWN_CA));
    let _ = transfer(&mut s, &mut c);
    assert_eq!(c.error(), Some(&Error::AlertReceived(A::UNKNOWN_CA)));
}

#[test]
fn a_tls12_certificate_verify_by_the_wrong_key_is_decrypt_error() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client_pki = TestPki::generate(KeyKind::EcdsaP256, &["client.example"]);
    let impostor = TestPki::generate(KeyKind::EcdsaP256, &["client.example"]);
    // The client's chain, signed for by a key that is not its leaf's.
    let stolen = keyway::CertifiedKey {
        chain: client_pki.certified_key().chain,
        key: impostor.certified_key().key,
    };
    let client = ClientConfig::builder(pki.root_store())
        .client_certificate(stolen)
        .build()
        .unwrap();
    let server = client_auth_server(&pki, client_pki.root_store(), true)
        .build()
        .unwrap();
    let (_, s, result) = connect(client, server, "example.com");
    assert_eq!(result.unwrap_err().alert(), Some(A::DECRYPT_ERROR));
    assert_eq!(
        s.error(),
        Some(&Error::PeerMisbehaved(
            keyway::error::PeerMisbehaved::BadSignature
        ))
    );
}

/// draft-ietf-tls-ecdhe-mlkem, Section 3: the post-quantum hybrids are TLS 1.3
/// only. Default configs, which list them first, agree on x25519 in TLS 1.2;
/// a TLS 1.2 client that offers nothing but a hybrid finds no common group;
/// a config that could only use hybrids in TLS 1.2 does not build.
#[test]
fn tls12_never_negotiates_a_post_quantum_hybrid() {
    // Ed25519: an ECDSA certificate would also need its curve in the offer.
    let pki = TestPki::generate(KeyKind::Ed25519, &["example.com"]);
    let client = || ClientConfig::builder(pki.root_store()).build().unwrap();
    let tls12_server = || server(&pki).versions(&[V::TLS12]).build().unwrap();
    let (c, s, result) = connect(client(), tls12_server(), "example.com");
    result.unwrap();
    assert_eq!(c.negotiated().version, Some(V::TLS12));
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
    assert_eq!(s.negotiated().group, Some(NamedGroup::X25519));

    let (_, s, result) = tampered_hello(client(), tls12_server(), |ch| {
        for e in &mut ch.extensions {
            if let Extension::SupportedGroups(groups) = e {
                *groups = vec![NamedGroup::X25519MLKEM768, NamedGroup::SECP256R1MLKEM768];
            }
        }
    });
    assert_eq!(result.unwrap_err().alert(), Some(A::HANDSHAKE_FAILURE));
    assert_eq!(
        s.error(),
        Some(&Error::PeerIncompatible(
            keyway::error::PeerIncompatible::NoCommonGroup
        ))
    );

    let hybrids_only = [NamedGroup::X25519MLKEM768, NamedGroup::SECP256R1MLKEM768];
    let err = server(&pki)
        .versions(&[V::TLS12])
        .groups(&hybrids_only)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("TLS 1.3 only"), "{err}");
    let err = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .groups(&hybrids_only)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("TLS 1.3 only"), "{err}");
}

/// A TLS 1.2 server that names a hybrid in its ServerKeyExchange is refused
/// with illegal_parameter before its signature is even looked at, although
/// the client lists the hybrid (for TLS 1.3) among its groups.
#[test]
fn a_tls12_server_key_exchange_on_a_hybrid_is_illegal_parameter() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let server = server(&pki).versions(&[V::TLS12]).build().unwrap();
    let mut c = ClientConnection::new(Arc::new(client), "example.com").unwrap();
    let mut s = ServerConnection::new(Arc::new(server));
    transfer(&mut c, &mut s).unwrap();
    let mut messages = handshake_messages(&records(&s.take_tls()));
    let (_, ske) = messages
        .iter_mut()
        .find(|(typ, _)| *typ == HandshakeType::SERVER_KEY_EXCHANGE.0)
        .unwrap();
    // RFC 8422, Section 5.4: curve_type (named_curve), then the curve.
    assert_eq!(ske[0], 3);
    ske[1..3].copy_from_slice(&NamedGroup::X25519MLKEM768.0.to_be_bytes());
    c.read_tls_bytes(&handshake_records(&messages)).unwrap();
    let err = c.process().unwrap_err();
    assert_eq!(
        err,
        Error::PeerMisbehaved(keyway::error::PeerMisbehaved::WrongKeyShareGroup(
            NamedGroup::X25519MLKEM768
        ))
    );
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER));
}
