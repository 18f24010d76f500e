//! Every authentication step, attacked one at a time by a peer in the middle
//! that holds the traffic keys (tests/support/mitm.rs): a flipped byte or a
//! signature by the wrong key in each CertificateVerify and ServerKeyExchange,
//! each Finished, the HelloRetryRequest cookie and the second ClientHello,
//! the TLS 1.2 extended master secret and renegotiation_info. Each test first
//! lets the same flight through untouched where that is not obvious, and then
//! asserts the exact error, the alert the refusing side sends, and that the
//! other side receives it.

mod support;

use std::sync::Arc;

use keyway::codec::extensions::Extension;
use keyway::codec::messages::{CertificateVerify, HandshakeMessage};
use keyway::codec::HandshakeType as H;
use keyway::error::{PeerIncompatible, PeerMisbehaved};
use keyway::events::Side;
use keyway::pki::DefaultClientVerifier;
use keyway::{
    AlertDescription as A, CipherSuite, ClientConfig, ClientConfigBuilder, Error, NamedGroup,
    ProtocolVersion, ServerConfig, ServerConfigBuilder, SignatureScheme,
};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use support::mitm::{Flight, Mitm};
use support::{KeyKind, TestPki};

fn pki() -> TestPki {
    TestPki::generate(KeyKind::EcdsaP256, &["example.com"])
}

fn client(pki: &TestPki) -> ClientConfigBuilder {
    ClientConfig::builder(pki.root_store())
}

fn server(pki: &TestPki) -> ServerConfigBuilder {
    ServerConfig::builder().certificate(pki.certified_key())
}

fn tls12(builder: ClientConfigBuilder) -> ClientConfigBuilder {
    builder.versions(&[ProtocolVersion::TLS12])
}

/// A server that asks `client_pki`'s holders for a certificate.
fn with_client_auth(builder: ServerConfigBuilder, client_pki: &TestPki) -> ServerConfigBuilder {
    let verifier = DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
    builder.client_auth(Arc::new(verifier))
}

fn bad_signature() -> Error {
    Error::PeerMisbehaved(PeerMisbehaved::BadSignature)
}

fn bad_finished() -> Error {
    Error::PeerMisbehaved(PeerMisbehaved::BadFinished)
}

fn illegal(what: &'static str) -> Error {
    Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(what))
}

/// An ECDSA P-256 signature by a key the peer's certificate does not hold.
fn sign_with_other_key(message: &[u8]) -> Vec<u8> {
    let other = pki();
    let rng = ring::rand::SystemRandom::new();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &other.key_der, &rng).unwrap();
    assert!(!key.public_key().as_ref().is_empty());
    key.sign(&rng, message).unwrap().as_ref().to_vec()
}

/// Replaces a TLS 1.3 CertificateVerify with a well-formed signature over the
/// right content, made by the wrong key.
fn resign_certificate_verify(m: &Mitm, flight: &mut Flight, context: &[u8]) {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for (_, msg) in &m.wire.delivered {
        ctx.update(msg);
    }
    let at = flight.position(H::CERTIFICATE_VERIFY).unwrap();
    for item in &flight.items[..at] {
        if let support::mitm::Item::Handshake { msg, .. } = item {
            ctx.update(msg);
        }
    }
    let content = [&[0x20; 64][..], context, &[0], ctx.finish().as_ref()].concat();
    flight.replace(&HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: SignatureScheme::ECDSA_SECP256R1_SHA256,
        signature: sign_with_other_key(&content),
    }));
}

// --- TLS 1.3 -----------------------------------------------------------

#[test]
fn tls13_untouched_flights_pass_the_wire() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        client(&pki).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    m.finish().unwrap();
    assert!(!m.client.is_handshaking() && !m.server.is_handshaking());
    assert_eq!(m.server.negotiated().peer_certificates.len(), 2);
}

#[test]
fn tls13_server_certificate_verify_with_a_flipped_byte_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(client(&pki), server(&pki));
    let mut flight = m.run_to(Side::Server, H::CERTIFICATE_VERIFY);
    flight.flip_last_byte(H::CERTIFICATE_VERIFY);
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls13_server_certificate_verify_by_the_wrong_key_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(client(&pki), server(&pki));
    let mut flight = m.run_to(Side::Server, H::CERTIFICATE_VERIFY);
    resign_certificate_verify(&m, &mut flight, b"TLS 1.3, server CertificateVerify");
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls13_server_certificate_verify_left_out_is_unexpected_message() {
    let pki = pki();
    let mut m = Mitm::new(client(&pki), server(&pki));
    let mut flight = m.run_to(Side::Server, H::CERTIFICATE_VERIFY);
    flight.remove(H::CERTIFICATE_VERIFY);
    let error = Error::PeerMisbehaved(PeerMisbehaved::UnexpectedMessage {
        expected: "CertificateVerify",
        got: "finished".into(),
    });
    m.refused(flight, error, A::UNEXPECTED_MESSAGE);
}

#[test]
fn tls13_client_certificate_verify_with_a_flipped_byte_is_decrypt_error() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        client(&pki).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    let mut flight = m.run_to(Side::Client, H::CERTIFICATE_VERIFY);
    flight.flip_last_byte(H::CERTIFICATE_VERIFY);
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls13_client_certificate_verify_by_the_wrong_key_is_decrypt_error() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        client(&pki).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    let mut flight = m.run_to(Side::Client, H::CERTIFICATE_VERIFY);
    resign_certificate_verify(&m, &mut flight, b"TLS 1.3, client CertificateVerify");
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls13_client_certificate_verify_left_out_is_unexpected_message() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        client(&pki).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    let mut flight = m.run_to(Side::Client, H::CERTIFICATE_VERIFY);
    flight.remove(H::CERTIFICATE_VERIFY);
    let error = Error::PeerMisbehaved(PeerMisbehaved::UnexpectedMessage {
        expected: "CertificateVerify",
        got: "finished".into(),
    });
    m.refused(flight, error, A::UNEXPECTED_MESSAGE);
}

#[test]
fn tls13_server_finished_with_a_flipped_byte_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(client(&pki), server(&pki));
    let mut flight = m.run_to(Side::Server, H::FINISHED);
    flight.flip_last_byte(H::FINISHED);
    m.refused(flight, bad_finished(), A::DECRYPT_ERROR);
}

#[test]
fn tls13_client_finished_with_a_flipped_byte_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(client(&pki), server(&pki));
    let server_flight = m.run_to(Side::Server, H::FINISHED);
    m.deliver(server_flight).unwrap();
    let mut flight = m.take(Side::Client);
    flight.flip_last_byte(H::FINISHED);
    m.refused(flight, bad_finished(), A::DECRYPT_ERROR);
    assert!(m.server.is_handshaking());
}

/// A client whose X25519 share a P-256-only server answers with a
/// HelloRetryRequest, optionally carrying a cookie.
fn retrying(pki: &TestPki, cookie: bool) -> Mitm {
    Mitm::new(
        client(pki).groups(&[NamedGroup::X25519, NamedGroup::SECP256R1]),
        server(pki)
            .groups(&[NamedGroup::SECP256R1])
            .hello_retry_cookie(cookie),
    )
}

/// The second ClientHello, after the first and the HelloRetryRequest passed.
fn second_client_hello(m: &mut Mitm) -> Flight {
    let first = m.take(Side::Client);
    m.deliver(first).unwrap();
    let retry = m.take(Side::Server);
    m.deliver(retry).unwrap();
    m.take(Side::Client)
}

/// RFC 8446, Section 4.2.8: the second ClientHello holds one share, for
/// the group the HelloRetryRequest named (P-256 here); a share labelled
/// for another group the client offers is illegal_parameter.
#[test]
fn a_second_client_hello_sharing_another_group_is_illegal_parameter() {
    let pki = pki();
    let mut m = retrying(&pki, false);
    let mut second = second_client_hello(&mut m);
    second.edit_client_hello(|ch| {
        for e in &mut ch.extensions {
            if let Extension::KeyShareClientHello(shares) = e {
                assert_eq!(shares.len(), 1);
                shares[0].group = NamedGroup::X25519;
            }
        }
    });
    let lacks = illegal("second ClientHello lacks the requested key share");
    assert_eq!(m.deliver(second), Err(lacks));
}

fn cookie_of(ch: &HandshakeMessage) -> Option<Vec<u8>> {
    let HandshakeMessage::ClientHello(ch) = ch else {
        panic!("not a ClientHello")
    };
    ch.extensions.iter().find_map(|e| match e {
        Extension::Cookie(c) => Some(c.clone()),
        _ => None,
    })
}

#[test]
fn the_hello_retry_cookie_is_sent_and_echoed_only_when_configured() {
    let pki = pki();
    for cookie in [false, true] {
        let mut m = retrying(&pki, cookie);
        let first = m.take(Side::Client);
        m.deliver(first).unwrap();
        let retry = m.take(Side::Server);
        let HandshakeMessage::HelloRetryRequest(hrr) = retry.decode(H::SERVER_HELLO) else {
            panic!("expected a HelloRetryRequest")
        };
        let sent = hrr.extensions.iter().find_map(|e| match e {
            Extension::Cookie(c) => Some(c.clone()),
            _ => None,
        });
        // An HMAC-SHA256 over the first ClientHello's hash.
        assert_eq!(sent.as_ref().map(Vec::len), cookie.then_some(32));
        m.deliver(retry).unwrap();
        let second = m.take(Side::Client);
        assert_eq!(cookie_of(&second.decode(H::CLIENT_HELLO)), sent);
        m.deliver(second).unwrap();
        m.finish().unwrap();
    }
}

#[test]
fn a_dropped_or_altered_cookie_is_illegal_parameter() {
    let pki = pki();
    let error = illegal("cookie not echoed from HelloRetryRequest");
    let mut m = retrying(&pki, true);
    let mut second = second_client_hello(&mut m);
    second.edit_client_hello(|ch| ch.extensions.retain(|e| !matches!(e, Extension::Cookie(_))));
    m.refused(second, error.clone(), A::ILLEGAL_PARAMETER);

    let mut m = retrying(&pki, true);
    let mut second = second_client_hello(&mut m);
    second.edit_client_hello(|ch| {
        for e in &mut ch.extensions {
            if let Extension::Cookie(c) = e {
                c[0] ^= 1;
            }
        }
    });
    m.refused(second, error.clone(), A::ILLEGAL_PARAMETER);

    // A cookie the server never asked for.
    let mut m = retrying(&pki, false);
    let mut second = second_client_hello(&mut m);
    second.edit_client_hello(|ch| ch.extensions.push(Extension::Cookie(vec![7; 32])));
    m.refused(second, error, A::ILLEGAL_PARAMETER);
}

#[test]
fn a_second_client_hello_may_change_only_what_rfc_8446_allows() {
    let pki = pki();
    let differs = illegal("second ClientHello differs from the first");
    type Edit = Box<dyn Fn(&mut keyway::codec::messages::ClientHello)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("random", Box::new(|ch| ch.random[0] ^= 1)),
        ("session id", Box::new(|ch| ch.legacy_session_id[0] ^= 1)),
        ("cipher suites", Box::new(|ch| ch.cipher_suites.truncate(1))),
        (
            "an added extension",
            Box::new(|ch| {
                ch.extensions
                    .insert(0, Extension::Alpn(vec![b"h2".to_vec()]))
            }),
        ),
        (
            "a removed extension",
            Box::new(|ch| {
                ch.extensions
                    .retain(|e| !matches!(e, Extension::ServerName(_)))
            }),
        ),
        (
            "signature_algorithms",
            Box::new(|ch| {
                for e in &mut ch.extensions {
                    if let Extension::SignatureAlgorithms(list) = e {
                        list.truncate(1);
                    }
                }
            }),
        ),
        (
            "supported_groups",
            Box::new(|ch| {
                for e in &mut ch.extensions {
                    if let Extension::SupportedGroups(list) = e {
                        list.push(NamedGroup::SECP384R1);
                    }
                }
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut m = retrying(&pki, false);
        let mut second = second_client_hello(&mut m);
        second.edit_client_hello(|ch| edit(ch));
        assert_eq!(
            m.deliver(second),
            Err(differs.clone()),
            "second ClientHello with a changed {what}"
        );
        let answer = m.take(Side::Server);
        assert_eq!(answer.alert(), Some(A::ILLEGAL_PARAMETER), "{what}");
    }
    // Padding may come or go (RFC 8446, Section 4.1.2).
    let mut m = retrying(&pki, false);
    let mut second = second_client_hello(&mut m);
    second.edit_client_hello(|ch| {
        let padding = keyway::codec::ExtensionType::PADDING;
        ch.extensions
            .insert(0, Extension::Unknown(padding, vec![0; 17]))
    });
    m.deliver(second).unwrap();
    // (The client's transcript lacks the padding, so the handshake cannot
    // finish; what matters is that the server went on with its ServerHello.)
    assert!(m.take(Side::Server).position(H::SERVER_HELLO).is_some());
}

#[test]
fn optional_client_auth_without_a_certificate_expects_no_certificate_verify() {
    let (pki, client_pki) = (pki(), pki());
    let verifier =
        DefaultClientVerifier::new(Arc::new(client_pki.root_store())).allow_unauthenticated();
    let mut m = Mitm::new(client(&pki), server(&pki).client_auth(Arc::new(verifier)));
    let flight = m.run_to(Side::Client, H::FINISHED);
    assert_eq!(flight.handshake_types(), [H::CERTIFICATE, H::FINISHED]);
    m.deliver(flight).unwrap();
    assert!(!m.server.is_handshaking());
    assert!(m.server.negotiated().peer_certificates.is_empty());
}

// --- TLS 1.2 -----------------------------------------------------------

#[test]
fn tls12_untouched_flights_pass_the_wire_with_the_logged_master_secret() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        tls12(client(&pki)).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    m.finish().unwrap();
    assert_eq!(m.client.negotiated().version, Some(ProtocolVersion::TLS12));
    assert!(!m.server.is_handshaking());
}

#[test]
fn tls12_server_key_exchange_with_a_flipped_byte_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Server, H::SERVER_KEY_EXCHANGE);
    flight.flip_last_byte(H::SERVER_KEY_EXCHANGE);
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls12_server_key_exchange_with_a_changed_public_key_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Server, H::SERVER_KEY_EXCHANGE);
    // ServerECDHParams: curve_type(1) named_curve(2) length(1) point: flip the
    // point's last byte, leaving the signature as the server made it.
    let ske = flight.message_mut(H::SERVER_KEY_EXCHANGE);
    let point_len = ske[4 + 3] as usize;
    ske[4 + 4 + point_len - 1] ^= 1;
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls12_server_key_exchange_by_the_wrong_key_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Server, H::SERVER_KEY_EXCHANGE);
    let client_random = hello_random(&m.wire.delivered[0].1);
    let server_random = hello_random(flight.message(H::SERVER_HELLO));
    let ske = flight.message_mut(H::SERVER_KEY_EXCHANGE);
    let params_len = 4 + ske[4 + 3] as usize;
    let params = ske[4..4 + params_len].to_vec();
    let signed = [&client_random[..], &server_random[..], &params].concat();
    let signature = sign_with_other_key(&signed);
    let mut body = params;
    body.extend_from_slice(&SignatureScheme::ECDSA_SECP256R1_SHA256.0.to_be_bytes());
    body.extend_from_slice(&(signature.len() as u16).to_be_bytes());
    body.extend_from_slice(&signature);
    let mut msg = vec![H::SERVER_KEY_EXCHANGE.0, 0, 0, 0];
    msg[2..4].copy_from_slice(&(body.len() as u16).to_be_bytes());
    msg.extend_from_slice(&body);
    *ske = msg;
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

/// RFC 5246, Section 7.4.3: the ServerKeyExchange is signed with the kind
/// of key the suite names. A scheme the client offered but the suite cannot
/// use (RSA-PSS under ECDHE_ECDSA) is refused before any signature check.
#[test]
fn tls12_server_key_exchange_with_a_scheme_the_suite_cannot_use_is_illegal_parameter() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Server, H::SERVER_KEY_EXCHANGE);
    let ske = flight.message_mut(H::SERVER_KEY_EXCHANGE);
    let at = 4 + 4 + ske[4 + 3] as usize;
    ske[at..at + 2].copy_from_slice(&SignatureScheme::RSA_PSS_RSAE_SHA256.0.to_be_bytes());
    let error = illegal("ServerKeyExchange signature scheme");
    m.refused(flight, error, A::ILLEGAL_PARAMETER);
}

/// RFC 5246, Section 7.4.1.1: a HelloRequest while the handshake runs is
/// ignored (and left out of the transcript): the handshake completes.
#[test]
fn tls12_hello_request_during_the_handshake_is_ignored() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Server, H::SERVER_HELLO_DONE);
    let at = flight.position(H::SERVER_HELLO_DONE).unwrap();
    let request = support::mitm::Item::Handshake {
        epoch: 0,
        msg: vec![H::HELLO_REQUEST.0, 0, 0, 0],
    };
    flight.items.insert(at, request);
    m.deliver(flight).unwrap();
    m.finish().unwrap();
    assert!(!m.client.is_handshaking() && !m.server.is_handshaking());
}

/// A server flight with two CertificateRequests: the second is
/// unexpected_message, in both versions.
#[test]
fn a_second_certificate_request_is_unexpected_message() {
    let (pki, client_pki) = (pki(), pki());
    for version in [ProtocolVersion::TLS12, ProtocolVersion::TLS13] {
        let server = with_client_auth(server(&pki), &client_pki);
        let mut m = Mitm::new(client(&pki).versions(&[version]), server);
        let mut flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
        let at = flight.position(H::CERTIFICATE_REQUEST).unwrap();
        let again = flight.items[at].clone();
        flight.items.insert(at, again);
        let error = m.deliver(flight).unwrap_err();
        let unexpected = matches!(
            error,
            Error::PeerMisbehaved(PeerMisbehaved::UnexpectedMessage { .. })
        );
        assert!(unexpected, "{version:?}: {error}");
        assert_eq!(error.alert(), Some(A::UNEXPECTED_MESSAGE));
    }
}

fn hello_random(msg: &[u8]) -> [u8; 32] {
    msg[6..38].try_into().unwrap()
}

#[test]
fn tls12_server_finished_with_a_flipped_byte_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Server, H::FINISHED);
    flight.flip_last_byte(H::FINISHED);
    m.refused(flight, bad_finished(), A::DECRYPT_ERROR);
}

#[test]
fn tls12_client_finished_with_a_flipped_byte_is_decrypt_error() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut flight = m.run_to(Side::Client, H::FINISHED);
    flight.flip_last_byte(H::FINISHED);
    m.refused(flight, bad_finished(), A::DECRYPT_ERROR);
}

#[test]
fn tls12_client_certificate_verify_with_a_flipped_byte_is_decrypt_error() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        tls12(client(&pki)).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    let mut flight = m.run_to(Side::Client, H::CERTIFICATE_VERIFY);
    flight.flip_last_byte(H::CERTIFICATE_VERIFY);
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

#[test]
fn tls12_client_certificate_verify_by_the_wrong_key_is_decrypt_error() {
    let (pki, client_pki) = (pki(), pki());
    let mut m = Mitm::new(
        tls12(client(&pki)).client_certificate(client_pki.certified_key()),
        with_client_auth(server(&pki), &client_pki),
    );
    let mut flight = m.run_to(Side::Client, H::CERTIFICATE_VERIFY);
    // RFC 5246, Section 7.4.8: the signature covers every handshake message so far.
    let mut signed = Vec::new();
    for (_, msg) in &m.wire.delivered {
        signed.extend_from_slice(msg);
    }
    let at = flight.position(H::CERTIFICATE_VERIFY).unwrap();
    for item in &flight.items[..at] {
        if let support::mitm::Item::Handshake { msg, .. } = item {
            signed.extend_from_slice(msg);
        }
    }
    flight.replace(&HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: SignatureScheme::ECDSA_SECP256R1_SHA256,
        signature: sign_with_other_key(&signed),
    }));
    m.refused(flight, bad_signature(), A::DECRYPT_ERROR);
}

/// Edits the extensions of the TLS 1.2 ServerHello in `flight`.
fn edit_server_hello(flight: &mut Flight, edit: impl FnOnce(&mut Vec<Extension>)) {
    let msg =
        HandshakeMessage::decode_tls12(H::SERVER_HELLO, &flight.message(H::SERVER_HELLO)[4..])
            .unwrap();
    let HandshakeMessage::ServerHello(mut sh) = msg else {
        panic!("not a ServerHello")
    };
    edit(&mut sh.extensions);
    flight.replace(&HandshakeMessage::ServerHello(sh));
}

#[test]
fn tls12_client_requires_extended_master_secret_and_renegotiation_info() {
    let pki = pki();
    type Edit = Box<dyn Fn(&mut Vec<Extension>)>;
    let cases: [(&str, Edit, Error); 3] = [
        (
            "extended master secret stripped",
            Box::new(|e| e.retain(|x| !matches!(x, Extension::ExtendedMasterSecret))),
            Error::PeerIncompatible(PeerIncompatible::ExtendedMasterSecretRequired),
        ),
        (
            "renegotiation_info stripped",
            Box::new(|e| e.retain(|x| !matches!(x, Extension::RenegotiationInfo(_)))),
            Error::PeerMisbehaved(PeerMisbehaved::BadRenegotiationInfo),
        ),
        (
            "renegotiation_info not empty",
            Box::new(|e| {
                for x in e.iter_mut() {
                    if let Extension::RenegotiationInfo(body) = x {
                        body.push(0);
                    }
                }
            }),
            Error::PeerMisbehaved(PeerMisbehaved::BadRenegotiationInfo),
        ),
    ];
    for (what, edit, error) in cases {
        let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
        let mut flight = m.run_to(Side::Server, H::SERVER_HELLO);
        edit_server_hello(&mut flight, |e| edit(e));
        assert_eq!(m.deliver(flight), Err(error.clone()), "{what}");
        assert_eq!(m.take(Side::Client).alert(), error.alert(), "{what}");
    }
}

/// RFC 7301, Section 3.2: the protocol a TLS 1.3 server names in
/// EncryptedExtensions must be one the client offered.
#[test]
fn tls13_client_refuses_an_alpn_protocol_it_did_not_offer() {
    let pki = pki();
    let mut m = Mitm::new(client(&pki).alpn(&[b"h2"]), server(&pki).alpn(&[b"h2"]));
    let mut flight = m.run_to(Side::Server, H::ENCRYPTED_EXTENSIONS);
    let HandshakeMessage::EncryptedExtensions(mut ee) = flight.decode(H::ENCRYPTED_EXTENSIONS)
    else {
        unreachable!()
    };
    for e in &mut ee.extensions {
        if let Extension::Alpn(chosen) = e {
            *chosen = vec![b"http/1.1".to_vec()];
        }
    }
    flight.replace(&HandshakeMessage::EncryptedExtensions(ee));
    m.refused(
        flight,
        Error::PeerIncompatible(PeerIncompatible::ChoseUnofferedParameter(
            "application protocol",
        )),
        A::ILLEGAL_PARAMETER,
    );
}

/// A TLS 1.2 ServerHello may answer only the extensions the client sent,
/// each in its own way (RFC 5246, Section 7.4.1.4): an unsolicited one is
/// unsupported_extension, an ALPN protocol the client did not offer is
/// refused, and ec_point_formats must include uncompressed (RFC 8422,
/// Section 5.2). Answers the client asked for pass (the first case).
#[test]
fn tls12_client_accepts_only_the_server_hello_extensions_it_asked_for() {
    let pki = pki();
    let alpn = Extension::Alpn(vec![b"h2".to_vec()]);
    let unsolicited = |e: &Extension| {
        Err(Error::PeerMisbehaved(PeerMisbehaved::UnsolicitedExtension(
            e.ext_type(),
        )))
    };
    type Case = (
        &'static str,
        ClientConfigBuilder,
        Box<dyn Fn(&mut Vec<Extension>)>,
        Result<(), Error>,
    );
    let cases: Vec<Case> = vec![
        (
            "the ALPN protocol offered",
            tls12(client(&pki)).alpn(&[b"h2"]),
            Box::new(|e| e.push(Extension::Alpn(vec![b"h2".to_vec()]))),
            Ok(()),
        ),
        (
            "ALPN not offered",
            tls12(client(&pki)),
            Box::new(|e| e.push(Extension::Alpn(vec![b"h2".to_vec()]))),
            unsolicited(&alpn),
        ),
        (
            "an ALPN protocol not offered",
            tls12(client(&pki)).alpn(&[b"h2"]),
            Box::new(|e| e.push(Extension::Alpn(vec![b"http/1.1".to_vec()]))),
            Err(Error::PeerIncompatible(
                PeerIncompatible::ChoseUnofferedParameter("application protocol"),
            )),
        ),
        (
            "a session ticket not asked for",
            tls12(client(&pki)).session_store(None),
            Box::new(|e| e.push(Extension::SessionTicket(Vec::new()))),
            unsolicited(&Extension::SessionTicket(Vec::new())),
        ),
        (
            "a status_request not asked for",
            tls12(client(&pki)).ocsp_stapling(false),
            Box::new(|e| e.push(Extension::StatusRequest(Vec::new().into()))),
            unsolicited(&Extension::StatusRequest(Vec::new().into())),
        ),
        (
            "ec_point_formats without uncompressed",
            tls12(client(&pki)),
            Box::new(|e| {
                e.retain(|x| !matches!(x, Extension::EcPointFormats(_)));
                e.push(Extension::EcPointFormats(vec![1]));
            }),
            Err(Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
                "ec_point_formats lacks uncompressed",
            ))),
        ),
    ];
    for (what, client, edit, expected) in cases {
        let mut m = Mitm::new(client, server(&pki));
        let mut flight = m.run_to(Side::Server, H::SERVER_HELLO);
        edit_server_hello(&mut flight, |e| edit(e));
        assert_eq!(m.deliver(flight), expected.clone(), "{what}");
        if let Err(error) = expected {
            assert_eq!(m.take(Side::Client).alert(), error.alert(), "{what}");
        } else {
            assert_eq!(m.client.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
        }
    }
}

/// A client that connects by address sends no server_name, so a
/// ServerHello acknowledging one is unsolicited (RFC 6066, Section 3).
#[test]
fn tls12_client_refuses_a_server_name_ack_it_did_not_ask_for() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let by_address = Arc::new(tls12(client(&pki)).build().unwrap());
    m.client = keyway::ClientConnection::new(by_address, "127.0.0.1").unwrap();
    let mut flight = m.run_to(Side::Server, H::SERVER_HELLO);
    edit_server_hello(&mut flight, |e| e.push(Extension::ServerNameAck));
    let error = Error::PeerMisbehaved(PeerMisbehaved::UnsolicitedExtension(
        Extension::ServerNameAck.ext_type(),
    ));
    assert_eq!(m.deliver(flight), Err(error.clone()));
    assert_eq!(m.take(Side::Client).alert(), error.alert());
}

#[test]
fn tls12_server_requires_extended_master_secret_and_an_empty_renegotiation_info() {
    let pki = pki();
    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut hello = m.take(Side::Client);
    hello.edit_client_hello(|ch| {
        ch.extensions
            .retain(|x| !matches!(x, Extension::ExtendedMasterSecret))
    });
    m.refused(
        hello,
        Error::PeerIncompatible(PeerIncompatible::ExtendedMasterSecretRequired),
        A::HANDSHAKE_FAILURE,
    );

    let mut m = Mitm::new(tls12(client(&pki)), server(&pki));
    let mut hello = m.take(Side::Client);
    hello.edit_client_hello(|ch| {
        for x in &mut ch.extensions {
            if let Extension::RenegotiationInfo(body) = x {
                body.extend_from_slice(&[0; 12]);
            }
        }
    });
    m.refused(
        hello,
        Error::PeerMisbehaved(PeerMisbehaved::BadRenegotiationInfo),
        A::HANDSHAKE_FAILURE,
    );
}

#[test]
fn tls12_key_log_has_the_master_secret_as_client_random() {
    let pki = pki();
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let mut m = Mitm::new(tls12(client(&pki)).cipher_suites(&[suite]), server(&pki));
        // The wire opens the Finished messages and the data with the logged secret.
        m.finish().unwrap();
        m.client.write_plaintext(b"readable").unwrap();
        let flight = m.take(Side::Client);
        assert!(flight.items.iter().any(
            |i| matches!(i, support::mitm::Item::AppData { data, .. } if data == b"readable")
        ));
        // Logged once by each side, the same secret.
        let logged = |keys: &support::mitm::KeyCapture| keys.labels();
        assert_eq!(logged(&m.wire.client_keys), ["CLIENT_RANDOM"], "{suite:?}");
        assert_eq!(logged(&m.wire.server_keys), ["CLIENT_RANDOM"], "{suite:?}");
    }
}

// --- Signature schemes: what the verifier allows is what is offered and accepted

/// Trusts like the default verifier but takes only ECDSA P-256 signatures.
#[derive(Debug)]
struct P256Only<V>(V);

const P256: &[SignatureScheme] = &[SignatureScheme::ECDSA_SECP256R1_SHA256];

impl keyway::pki::ServerCertVerifier for P256Only<keyway::pki::DefaultServerVerifier> {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &keyway::ServerName,
        now: std::time::SystemTime,
    ) -> Result<(), keyway::error::CertificateError> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, now)
    }

    fn supported_schemes(&self) -> &[SignatureScheme] {
        P256
    }
}

impl keyway::pki::ClientCertVerifier for P256Only<DefaultClientVerifier> {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        now: std::time::SystemTime,
    ) -> Result<(), keyway::error::CertificateError> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }

    fn supported_schemes(&self) -> &[SignatureScheme] {
        P256
    }
}

fn signature_algorithms(extensions: &mut [Extension]) -> &mut Vec<SignatureScheme> {
    extensions
        .iter_mut()
        .find_map(|e| match e {
            Extension::SignatureAlgorithms(list) => Some(list),
            _ => None,
        })
        .expect("signature_algorithms")
}

fn not_offered() -> Error {
    illegal("CertificateVerify uses a scheme we did not offer")
}

#[test]
fn a_client_offers_and_accepts_only_its_verifiers_schemes() {
    let pki = TestPki::generate(KeyKind::Ed25519, &["example.com"]);
    let client = |versions: &[ProtocolVersion]| {
        let roots = Arc::new(pki.root_store());
        let verifier = P256Only(keyway::pki::DefaultServerVerifier::new(roots));
        client(&pki).versions(versions).verifier(Arc::new(verifier))
    };
    for (version, error) in [
        (ProtocolVersion::TLS13, not_offered()),
        (
            ProtocolVersion::TLS12,
            illegal("ServerKeyExchange signature scheme"),
        ),
    ] {
        // Offered: P-256 alone. An Ed25519 server has nothing to sign with.
        let mut m = Mitm::new(client(&[version]), server(&pki));
        let hello = m.take(Side::Client);
        let HandshakeMessage::ClientHello(mut ch) = hello.decode(H::CLIENT_HELLO) else {
            unreachable!()
        };
        assert_eq!(*signature_algorithms(&mut ch.extensions), P256);
        let incompatible = Error::PeerIncompatible(PeerIncompatible::NoCommonSignatureScheme);
        m.refused(hello, incompatible, A::HANDSHAKE_FAILURE);

        // A server made to sign with Ed25519 anyway (the attacker widened the
        // offer on the way) is refused for the scheme, before any signature
        // check.
        let mut m = Mitm::new(client(&[version]), server(&pki));
        let mut hello = m.take(Side::Client);
        hello.edit_client_hello(|ch| {
            signature_algorithms(&mut ch.extensions).push(SignatureScheme::ED25519)
        });
        m.deliver(hello).unwrap();
        let flight = m.take(Side::Server);
        m.refused(flight, error, A::ILLEGAL_PARAMETER);
    }
}

/// A verifier that implements only `verify_server_cert` still decides: the
/// handshake calls `verify_server_cert_with_ocsp`, whose default passes the
/// answer on (here, that the certificate is for another name).
#[test]
fn a_verifier_without_a_staple_check_of_its_own_still_decides() {
    let pki = pki();
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let roots = Arc::new(pki.root_store());
        let verifier = P256Only(keyway::pki::DefaultServerVerifier::new(roots));
        let client = client(&pki)
            .versions(&[version])
            .verifier(Arc::new(verifier))
            .build()
            .unwrap();
        let server = server(&pki).build().unwrap();
        let (_, _, result) = support::connect(client, server, "other.example");
        let err = result.unwrap_err();
        assert!(
            matches!(
                &err,
                Error::InvalidCertificate(keyway::error::CertificateError::NotValidForName(_))
            ),
            "{version:?}: {err}"
        );
    }
}

#[test]
fn a_server_requests_and_accepts_only_its_client_verifiers_schemes() {
    let pki = pki();
    let client_pki = TestPki::generate(KeyKind::Ed25519, &["client.example"]);
    let server = |versions: &[ProtocolVersion]| {
        let roots = Arc::new(client_pki.root_store());
        let verifier = P256Only(DefaultClientVerifier::new(roots));
        server(&pki)
            .versions(versions)
            .client_auth(Arc::new(verifier))
    };
    let client = || client(&pki).client_certificate(client_pki.certified_key());

    // TLS 1.3: the CertificateRequest lists P-256 alone, so the Ed25519
    // client has no certificate to send.
    let mut m = Mitm::new(client(), server(&[ProtocolVersion::TLS13]));
    let flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
    let HandshakeMessage::CertificateRequest(mut cr) = flight.decode(H::CERTIFICATE_REQUEST) else {
        unreachable!()
    };
    assert_eq!(*signature_algorithms(&mut cr.extensions), P256);
    m.deliver(flight).unwrap();
    let answer = m.take(Side::Client);
    assert_eq!(answer.handshake_types(), [H::CERTIFICATE, H::FINISHED]);
    let missing = Error::InvalidCertificate(keyway::error::CertificateError::NoCertificate);
    m.refused(answer, missing, A::CERTIFICATE_REQUIRED);

    // A client that ignores the request and signs with Ed25519 anyway (its
    // empty Certificate replaced by its chain and a valid Ed25519
    // CertificateVerify over the server's transcript): refused for the
    // scheme. (Without the check the signature would verify.)
    let mut m = Mitm::new(client(), server(&[ProtocolVersion::TLS13]));
    let server_flight = m.run_to(Side::Server, H::FINISHED);
    m.deliver(server_flight).unwrap();
    let mut answer = m.take(Side::Client);
    let chain = client_pki.certified_key().chain;
    answer.replace(&HandshakeMessage::Certificate(
        keyway::codec::messages::Certificate {
            certificate_request_context: Vec::new(),
            certificate_list: chain
                .into_iter()
                .map(|cert_data| keyway::codec::messages::CertificateEntry {
                    cert_data,
                    extensions: Vec::new(),
                })
                .collect(),
        },
    ));
    let mut transcript = ring::digest::Context::new(&ring::digest::SHA256);
    for (_, msg) in &m.wire.delivered {
        transcript.update(msg);
    }
    transcript.update(answer.message(H::CERTIFICATE));
    let context = b"TLS 1.3, client CertificateVerify";
    let signed = [&[0x20; 64][..], context, &[0], transcript.finish().as_ref()].concat();
    let key =
        ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&client_pki.key_der).unwrap();
    let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: SignatureScheme::ED25519,
        signature: key.sign(&signed).as_ref().to_vec(),
    });
    let mut encoded = Vec::new();
    cv.encode(&mut encoded).unwrap();
    let at = answer.position(H::FINISHED).unwrap();
    let epoch = match &answer.items[at] {
        support::mitm::Item::Handshake { epoch, .. } => *epoch,
        _ => unreachable!(),
    };
    answer.items.insert(
        at,
        support::mitm::Item::Handshake {
            epoch,
            msg: encoded,
        },
    );
    m.refused(answer, not_offered(), A::ILLEGAL_PARAMETER);

    // TLS 1.2: the same, in the plaintext CertificateRequest.
    let mut m = Mitm::new(client(), server(&[ProtocolVersion::TLS12]));
    let mut flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
    let body = &flight.message(H::CERTIFICATE_REQUEST)[4..];
    let HandshakeMessage::CertificateRequest12(mut cr) =
        HandshakeMessage::decode_tls12(H::CERTIFICATE_REQUEST, body).unwrap()
    else {
        unreachable!()
    };
    assert_eq!(cr.supported_signature_algorithms, P256);
    // The verifier gives no root hints (the trait's default), so the
    // request names no certificate authorities.
    assert!(cr.certificate_authorities.is_empty(), "{cr:?}");
    cr.supported_signature_algorithms
        .push(SignatureScheme::ED25519);
    flight.replace(&HandshakeMessage::CertificateRequest12(cr));
    m.deliver(flight).unwrap();
    let answer = m.take(Side::Client);
    m.refused(answer, not_offered(), A::ILLEGAL_PARAMETER);
}

/// The certificate authorities a server names when it asks for a client
/// certificate: its client verifier's root subjects, in TLS 1.3's
/// certificate_authorities extension (RFC 8446, Section 4.2.4) as in TLS
/// 1.2's CertificateRequest (RFC 5246, Section 7.4.4); a verifier without
/// hints (the trait's default) has none named, the TLS 1.3 extension left
/// out rather than sent empty. Either way the handshake completes.
#[test]
fn a_server_names_its_client_verifiers_roots_in_both_versions() {
    use keyway::pki::ClientCertVerifier;
    let pki = pki();
    let client_pki = TestPki::generate(KeyKind::EcdsaP256, &["client.example"]);
    let verifier = DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
    let hints = verifier.root_hint_subjects();
    assert_eq!(hints.len(), 1);
    let client = || client(&pki).client_certificate(client_pki.certified_key());
    let authorities = |cr: &keyway::codec::messages::CertificateRequest| {
        cr.extensions.iter().find_map(|e| match e {
            Extension::CertificateAuthorities(names) => Some(names.clone()),
            _ => None,
        })
    };

    let requesting = with_client_auth(
        server(&pki).versions(&[ProtocolVersion::TLS13]),
        &client_pki,
    );
    let mut m = Mitm::new(client(), requesting);
    let flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
    let HandshakeMessage::CertificateRequest(cr) = flight.decode(H::CERTIFICATE_REQUEST) else {
        unreachable!()
    };
    assert_eq!(authorities(&cr), Some(hints.clone()));

    let requesting = with_client_auth(
        server(&pki).versions(&[ProtocolVersion::TLS12]),
        &client_pki,
    );
    let mut m = Mitm::new(client(), requesting);
    let flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
    let body = &flight.message(H::CERTIFICATE_REQUEST)[4..];
    let HandshakeMessage::CertificateRequest12(cr) =
        HandshakeMessage::decode_tls12(H::CERTIFICATE_REQUEST, body).unwrap()
    else {
        unreachable!()
    };
    assert_eq!(cr.certificate_authorities, hints);

    let hintless = P256Only(DefaultClientVerifier::new(Arc::new(
        client_pki.root_store(),
    )));
    let requesting = server(&pki)
        .versions(&[ProtocolVersion::TLS13])
        .client_auth(Arc::new(hintless));
    let mut m = Mitm::new(client(), requesting);
    let flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
    let HandshakeMessage::CertificateRequest(cr) = flight.decode(H::CERTIFICATE_REQUEST) else {
        unreachable!()
    };
    assert_eq!(authorities(&cr), None);

    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let requesting = with_client_auth(server(&pki), &client_pki).build().unwrap();
        let presenting = client().versions(&[version]).build().unwrap();
        let (_, s, result) = support::connect(presenting, requesting, "example.com");
        result.unwrap();
        assert_eq!(s.negotiated().version, Some(version));
        let presented = client_pki.certified_key().chain;
        assert_eq!(s.negotiated().peer_certificates, presented, "{version:?}");
    }
}

/// A client verifier with the hints it is given, asking for P-256 alone.
#[derive(Debug)]
struct Hinting(DefaultClientVerifier, Vec<Vec<u8>>);

impl keyway::pki::ClientCertVerifier for Hinting {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        now: std::time::SystemTime,
    ) -> Result<(), keyway::error::CertificateError> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }

    fn supported_schemes(&self) -> &[SignatureScheme] {
        P256
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.1.clone()
    }
}

/// RFC 8446, Section 4.2.4: the TLS 1.3 CertificateRequest's extensions
/// share one 2-byte length, so hints that fit TLS 1.2's list may not fit
/// beside signature_algorithms: then they are left out, not mis-encoded.
/// Here signature_algorithms takes 8 bytes (one scheme) and the
/// certificate_authorities extension 6 besides its one name's 2 + length.
/// The client takes either request and the handshake completes.
#[test]
fn tls13_hints_are_left_out_when_the_extensions_would_overflow() {
    let pki = pki();
    let client_pki = TestPki::generate(KeyKind::EcdsaP256, &["client.example"]);
    for (len, sent) in [(65535 - 8 - 6 - 2, true), (65535 - 8 - 6 - 1, false)] {
        let name = vec![0x30; len];
        let verifier = DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
        let requesting = server(&pki)
            .versions(&[ProtocolVersion::TLS13])
            .client_auth(Arc::new(Hinting(verifier, vec![name.clone()])));
        let mut m = Mitm::new(client(&pki), requesting);
        let flight = m.run_to(Side::Server, H::CERTIFICATE_REQUEST);
        let HandshakeMessage::CertificateRequest(cr) = flight.decode(H::CERTIFICATE_REQUEST) else {
            unreachable!()
        };
        let named = cr.extensions.iter().find_map(|e| match e {
            Extension::CertificateAuthorities(names) => Some(names.clone()),
            _ => None,
        });
        assert_eq!(
            named,
            sent.then(|| vec![name.clone()]),
            "a name of {len} bytes"
        );
        // The fullest legal request (over 64 KiB) is within a default
        // client's bounds: the handshake completes.
        let verifier = DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
        let requesting = server(&pki)
            .versions(&[ProtocolVersion::TLS13])
            .client_auth(Arc::new(Hinting(verifier, vec![name])));
        let client = client(&pki).client_certificate(client_pki.certified_key());
        let (_, _, result) = support::connect(
            client.build().unwrap(),
            requesting.build().unwrap(),
            "example.com",
        );
        result.unwrap();
    }
}

// --- keyUsage: the leaf's key may do only what its certificate allows

fn key_usage_only(kind: KeyKind, name: &str, usage: rcgen::KeyUsagePurpose) -> TestPki {
    TestPki::generate_with(kind, &[name], |leaf| leaf.key_usages = vec![usage])
}

fn lacks(what: &str) -> impl Fn(&Error) -> bool + '_ {
    move |e| {
        matches!(e, Error::InvalidCertificate(keyway::error::CertificateError::InvalidPurpose(m))
            if m.contains(&format!("keyUsage lacks {what}")))
    }
}

#[test]
fn a_key_encipherment_only_server_certificate_cannot_sign_the_handshake() {
    use rcgen::KeyUsagePurpose as U;
    let pki = key_usage_only(KeyKind::EcdsaP256, "example.com", U::KeyEncipherment);
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let client = client(&pki).versions(&[version]).build().unwrap();
        let server = server(&pki).build().unwrap();
        let (_, _, result) = support::connect(client, server, "example.com");
        let err = result.unwrap_err();
        assert!(lacks("digitalSignature")(&err), "{version:?}: {err}");
        assert_eq!(err.alert(), Some(A::CERTIFICATE_UNKNOWN));
    }
    // The same key with digitalSignature is fine.
    let pki = key_usage_only(KeyKind::EcdsaP256, "example.com", U::DigitalSignature);
    let (_, _, result) = support::connect(
        client(&pki).build().unwrap(),
        server(&pki).build().unwrap(),
        "example.com",
    );
    result.unwrap();
}

#[test]
fn a_key_encipherment_only_client_certificate_cannot_sign_the_handshake() {
    use rcgen::KeyUsagePurpose as U;
    let pki = pki();
    let client_pki = key_usage_only(KeyKind::EcdsaP256, "client.example", U::KeyEncipherment);
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let client = client(&pki)
            .versions(&[version])
            .client_certificate(client_pki.certified_key())
            .build()
            .unwrap();
        let server = with_client_auth(server(&pki), &client_pki).build().unwrap();
        let (_, s, result) = support::connect(client, server, "example.com");
        let err = result.unwrap_err();
        assert!(lacks("digitalSignature")(&err), "{version:?}: {err}");
        assert_eq!(s.error(), Some(&err), "the server refused");
    }
}

#[cfg(feature = "rsa-kx")]
#[test]
fn a_digital_signature_only_certificate_cannot_receive_an_rsa_pre_master_secret() {
    use rcgen::KeyUsagePurpose as U;
    let rsa_kx = |pki: &TestPki| {
        let client = client(pki)
            .versions(&[ProtocolVersion::TLS12])
            .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
            .enable_rsa_key_exchange()
            .build()
            .unwrap();
        let server = server(pki).enable_rsa_key_exchange().build().unwrap();
        support::connect(client, server, "example.com").2
    };
    let pki = key_usage_only(KeyKind::Rsa2048, "example.com", U::DigitalSignature);
    let err = rsa_kx(&pki).unwrap_err();
    assert!(lacks("keyEncipherment")(&err), "{err}");
    let pki = key_usage_only(KeyKind::Rsa2048, "example.com", U::KeyEncipherment);
    rsa_kx(&pki).unwrap();
}
