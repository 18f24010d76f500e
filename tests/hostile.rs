//! A misbehaving peer gets the right alert and the caller a precise error:
//! messages mutated on the wire, out of order, or not allowed where they are.

mod support;

use std::sync::Arc;

use keyway::codec::extensions::{Extension, KeyShareEntry};
use keyway::codec::messages::{
    ClientHello, CompressionMethods, HandshakeMessage, ServerHello, SessionId, VerifyData,
};
use keyway::codec::{ContentType, HandshakeType, ProtocolVersion};
use keyway::{
    AlertDescription as A, ClientConfig, ClientConnection, Error, NamedGroup, ServerConfig,
    ServerConnection,
};
use support::{KeyKind, TestPki};

fn pki() -> TestPki {
    TestPki::generate(KeyKind::EcdsaP256, &["example.com"])
}

fn client(pki: &TestPki) -> ClientConnection {
    ClientConnection::new(
        Arc::new(ClientConfig::builder(pki.root_store()).build().unwrap()),
        "example.com",
    )
    .unwrap()
}

fn server(pki: &TestPki) -> ServerConnection {
    ServerConnection::new(Arc::new(
        ServerConfig::builder()
            .certificate(pki.certified_key())
            .build()
            .unwrap(),
    ))
}

/// Splits plaintext records into (type, payload) pairs.
fn records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

fn record(typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    keyway::record::write_plaintext_records(
        ProtocolVersion::TLS12,
        typ,
        payload,
        1 << 14,
        &mut out,
    )
    .unwrap();
    out
}

fn encode(msg: &HandshakeMessage) -> Vec<u8> {
    let mut out = Vec::new();
    msg.encode(&mut out).unwrap();
    out
}

/// A real ClientHello from our client, decoded.
fn client_hello(pki: &TestPki) -> ClientHello {
    let bytes = client(pki).take_tls();
    let (_, payload) = records(&bytes).remove(0);
    match HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &payload[4..]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    }
}

/// Feeds a mutated ClientHello to a server; returns its error and the alert it queued.
fn server_refuses(mutate: impl FnOnce(&mut ClientHello)) -> (Error, u8) {
    let pki = pki();
    let mut ch = client_hello(&pki);
    mutate(&mut ch);
    let mut server = server(&pki);
    server
        .read_tls_bytes(&record(
            ContentType::HANDSHAKE,
            &encode(&HandshakeMessage::ClientHello(ch)),
        ))
        .unwrap();
    let err = server.process().unwrap_err();
    let sent = records(&server.take_tls());
    let (typ, alert) = sent.last().cloned().expect("an alert");
    assert_eq!(typ, 21, "last record is an alert");
    assert_eq!(alert[0], 2, "fatal");
    (err, alert[1])
}

fn without(ch: &mut ClientHello, keep: impl Fn(&Extension) -> bool) {
    ch.extensions.retain(keep);
}

#[test]
fn client_hello_violations_get_their_alerts() {
    // Without supported_versions a ClientHello offers legacy_version at most;
    // below TLS 1.2 that is protocol_version.
    let (err, alert) = server_refuses(|ch| {
        without(ch, |e| {
            !matches!(e, Extension::SupportedVersionsClientHello(_))
        });
        ch.legacy_version = keyway::ProtocolVersion::TLS11;
    });
    assert_eq!(
        (err.alert(), alert),
        (Some(A::PROTOCOL_VERSION), A::PROTOCOL_VERSION.0),
        "{err}"
    );

    // RFC 8446, Appendix D.5: legacy_version 0x0300 or lower is refused even
    // when supported_versions offers TLS 1.3.
    for version in [0x0300, 0x0200, 0x0002] {
        let (err, alert) =
            server_refuses(|ch| ch.legacy_version = keyway::ProtocolVersion(version));
        assert_eq!(
            (err.alert(), alert),
            (Some(A::PROTOCOL_VERSION), A::PROTOCOL_VERSION.0),
            "0x{version:04x}: {err}"
        );
    }
    // 0x0301 (TLS 1.0, as old middleboxes expect) still negotiates TLS 1.3.
    let pki = pki();
    let mut ch = client_hello(&pki);
    ch.legacy_version = keyway::ProtocolVersion::TLS10;
    let mut s = server(&pki);
    s.read_tls_bytes(&record(
        ContentType::HANDSHAKE,
        &encode(&HandshakeMessage::ClientHello(ch)),
    ))
    .unwrap();
    s.process().unwrap();
    assert_eq!(s.negotiated().version, Some(ProtocolVersion::TLS13));

    // RFC 6066, Section 3: SNI is a DNS host name, never a path, a pattern,
    // a name with spaces, a trailing dot or an IP literal.
    for name in [
        "../../etc/passwd",
        "a b",
        "*.example.com",
        "example.com.",
        "192.0.2.1",
        "::1",
    ] {
        let (err, alert) = server_refuses(|ch| {
            for e in &mut ch.extensions {
                if let Extension::ServerName(n) = e {
                    *n = name.as_bytes().to_vec();
                }
            }
        });
        assert_eq!(alert, A::ILLEGAL_PARAMETER.0, "{name}: {err}");
        assert!(err.to_string().contains("not a DNS host name"), "{err}");
    }

    let (err, alert) = server_refuses(|ch| {
        ch.legacy_compression_methods = CompressionMethods::new(&[1, 0], "test").unwrap()
    });
    assert_eq!(alert, A::ILLEGAL_PARAMETER.0, "{err}");

    let (err, alert) =
        server_refuses(|ch| without(ch, |e| !matches!(e, Extension::SignatureAlgorithms(_))));
    assert_eq!(alert, A::MISSING_EXTENSION.0, "{err}");
    assert!(err.to_string().contains("signature_algorithms"), "{err}");

    let (err, alert) =
        server_refuses(|ch| without(ch, |e| !matches!(e, Extension::KeyShareClientHello(_))));
    assert_eq!(alert, A::MISSING_EXTENSION.0, "{err}");

    // RFC 8446, Section 9.2: only a ClientHello offering a PSK may leave out
    // both supported_groups and key_share.
    let (err, alert) = server_refuses(|ch| {
        without(ch, |e| {
            !matches!(
                e,
                Extension::KeyShareClientHello(_) | Extension::SupportedGroups(_)
            )
        })
    });
    assert_eq!(alert, A::MISSING_EXTENSION.0, "{err}");
    assert!(err.to_string().contains("supported_groups"), "{err}");

    // A share for a group the client does not list in supported_groups.
    let (err, alert) = server_refuses(|ch| {
        for e in &mut ch.extensions {
            if let Extension::SupportedGroups(groups) = e {
                *groups = vec![NamedGroup::SECP256R1];
            }
        }
    });
    assert_eq!(alert, A::ILLEGAL_PARAMETER.0, "{err}");

    // Two shares for one group.
    let (err, alert) = server_refuses(|ch| {
        for e in &mut ch.extensions {
            if let Extension::KeyShareClientHello(shares) = e {
                let first = shares[0].clone();
                shares.push(first);
            }
        }
    });
    assert_eq!(alert, A::ILLEGAL_PARAMETER.0, "{err}");

    let (err, alert) = server_refuses(|ch| ch.cipher_suites = vec![keyway::CipherSuite(0x1304)]);
    assert_eq!(alert, A::HANDSHAKE_FAILURE.0, "{err}");

    // An invalid X25519 point (all zero: RFC 8446, Section 7.4.2), alone.
    let (err, alert) = server_refuses(|ch| {
        for e in &mut ch.extensions {
            if let Extension::KeyShareClientHello(shares) = e {
                *shares = vec![KeyShareEntry {
                    group: NamedGroup::X25519,
                    key_exchange: vec![0; 32],
                }];
            }
        }
    });
    assert_eq!(
        err,
        Error::PeerMisbehaved(keyway::error::PeerMisbehaved::BadKeyShare)
    );
    assert_eq!(alert, A::ILLEGAL_PARAMETER.0, "{err}");
}

/// Rewrites the X25519MLKEM768 share of a default ClientHello.
fn with_hybrid_share(ch: &mut ClientHello, rewrite: impl FnOnce(&mut Vec<u8>)) {
    let shares = ch.extensions.iter_mut().find_map(|e| match e {
        Extension::KeyShareClientHello(shares) => Some(shares),
        _ => None,
    });
    let hybrid = &mut shares.unwrap()[0];
    assert_eq!(hybrid.group, NamedGroup::X25519MLKEM768);
    rewrite(&mut hybrid.key_exchange);
}

#[test]
fn malformed_hybrid_client_shares_are_illegal_parameter() {
    let wrong_length = Error::PeerMisbehaved(keyway::error::PeerMisbehaved::IllegalParameter(
        "hybrid key share has the wrong length",
    ));
    for len in [1215, 1217, 1184, 32] {
        let (err, alert) = server_refuses(|ch| with_hybrid_share(ch, |k| k.resize(len, 7)));
        assert_eq!((err, alert), (wrong_length.clone(), A::ILLEGAL_PARAMETER.0));
    }
    // FIPS 203, Section 7.2: the first 12-bit coefficient set to q = 3329.
    let (err, alert) = server_refuses(|ch| {
        with_hybrid_share(ch, |k| {
            k[0] = 0x01;
            k[1] = (k[1] & 0xf0) | 0x0d;
        })
    });
    assert_eq!(
        err,
        Error::PeerMisbehaved(keyway::error::PeerMisbehaved::IllegalParameter(
            "ML-KEM-768 encapsulation key fails the FIPS 203 modulus check"
        ))
    );
    assert_eq!(alert, A::ILLEGAL_PARAMETER.0);
}

#[test]
fn malformed_bytes_are_decode_errors() {
    let pki = pki();
    let mut body = encode(&HandshakeMessage::ClientHello(client_hello(&pki)));
    body.push(0); // trailing byte after the message body, length fixed up below
    let len = body.len() - 4;
    body[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    let mut server = server(&pki);
    server
        .read_tls_bytes(&record(ContentType::HANDSHAKE, &body))
        .unwrap();
    let err = server.process().unwrap_err();
    assert_eq!(err.alert(), Some(A::DECODE_ERROR), "{err}");

    // A record length past 2^14 is record_overflow, seen from the header alone.
    let mut server = self::server(&pki);
    server.read_tls_bytes(&[22, 3, 3, 0x40, 0x01]).unwrap();
    assert_eq!(
        server.process().unwrap_err().alert(),
        Some(A::RECORD_OVERFLOW)
    );

    // An unknown content type is unexpected_message.
    let mut server = self::server(&pki);
    server.read_tls_bytes(&[99, 3, 3, 0, 1, 0]).unwrap();
    assert_eq!(
        server.process().unwrap_err().alert(),
        Some(A::UNEXPECTED_MESSAGE)
    );
}

#[test]
fn out_of_order_messages_are_unexpected_message() {
    let pki = pki();
    // A Finished where a ClientHello belongs.
    let mut server = server(&pki);
    let finished = encode(&HandshakeMessage::Finished(
        keyway::codec::messages::Finished {
            verify_data: VerifyData::new(&[0; 32], "test").unwrap(),
        },
    ));
    server
        .read_tls_bytes(&record(ContentType::HANDSHAKE, &finished))
        .unwrap();
    let err = server.process().unwrap_err();
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE));
    assert!(err.to_string().contains("expected ClientHello"), "{err}");

    // TLS 1.2: a Finished where the ClientKeyExchange belongs.
    let tls12 = [keyway::ProtocolVersion::TLS12];
    let config = ClientConfig::builder(pki.root_store()).versions(&tls12);
    let mut client =
        ClientConnection::new(Arc::new(config.build().unwrap()), "example.com").unwrap();
    let mut server = self::server(&pki);
    support::transfer(&mut client, &mut server).unwrap();
    server
        .read_tls_bytes(&record(ContentType::HANDSHAKE, &finished))
        .unwrap();
    let err = server.process().unwrap_err();
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE));
    assert!(
        err.to_string().contains("expected ClientKeyExchange"),
        "{err}"
    );

    // A change_cipher_spec before any ClientHello.
    let mut server = self::server(&pki);
    server
        .read_tls_bytes(&record(ContentType::CHANGE_CIPHER_SPEC, &[1]))
        .unwrap();
    assert_eq!(
        server.process().unwrap_err().alert(),
        Some(A::UNEXPECTED_MESSAGE)
    );
}

/// Runs a client up to the server's first flight, lets `mutate` rewrite the
/// ServerHello (or HelloRetryRequest), and returns the client's error.
fn client_refuses(server_config: ServerConfig, mutate: impl FnOnce(&mut ServerHello)) -> Error {
    let pki = pki();
    let mut client = client(&pki);
    let mut server = ServerConnection::new(Arc::new(server_config));
    support::transfer(&mut client, &mut server).unwrap();
    let flight = server.take_tls();
    let mut recs = records(&flight);
    let (_, payload) = recs.remove(0);
    let mut sh = match HandshakeMessage::decode(HandshakeType::SERVER_HELLO, &payload[4..]).unwrap()
    {
        HandshakeMessage::ServerHello(sh) | HandshakeMessage::HelloRetryRequest(sh) => sh,
        other => panic!("{other:?}"),
    };
    mutate(&mut sh);
    let msg = match sh.random == keyway::codec::messages::HELLO_RETRY_REQUEST_RANDOM {
        true => HandshakeMessage::HelloRetryRequest(sh),
        false => HandshakeMessage::ServerHello(sh),
    };
    client
        .read_tls_bytes(&record(ContentType::HANDSHAKE, &encode(&msg)))
        .unwrap();
    client.process().unwrap_err()
}

#[test]
fn server_hello_violations_get_their_alerts() {
    let pki = pki();
    let config = || {
        ServerConfig::builder()
            .certificate(pki.certified_key())
            .build()
            .unwrap()
    };

    let err = client_refuses(config(), |sh| {
        sh.legacy_session_id_echo = SessionId::new(&[1; 32], "test").unwrap()
    });
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    let err = client_refuses(config(), |sh| sh.cipher_suite = keyway::CipherSuite(0x1304));
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    // Without supported_versions the ServerHello speaks TLS 1.2, where a TLS
    // 1.3 suite was never offered.
    let err = client_refuses(config(), |sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::SupportedVersionsServerHello(_)))
    });
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    // A ServerHello for TLS 1.1 is refused with protocol_version.
    let err = client_refuses(config(), |sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::SupportedVersionsServerHello(_)));
        sh.legacy_version = keyway::ProtocolVersion::TLS11;
    });
    assert_eq!(err.alert(), Some(A::PROTOCOL_VERSION), "{err}");

    // RFC 8446, Appendix D.5: 0x0300 or lower is protocol_version, whatever
    // supported_versions says.
    let err = client_refuses(config(), |sh| {
        sh.legacy_version = keyway::ProtocolVersion(0x0300)
    });
    assert_eq!(err.alert(), Some(A::PROTOCOL_VERSION), "{err}");

    let err = client_refuses(config(), |sh| {
        sh.extensions.push(Extension::Alpn(vec![b"h2".to_vec()]))
    });
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    let err = client_refuses(config(), |sh| {
        sh.extensions.push(Extension::Unknown(
            keyway::codec::ExtensionType(0x7777),
            vec![],
        ))
    });
    assert_eq!(err.alert(), Some(A::UNSUPPORTED_EXTENSION), "{err}");

    let err = client_refuses(config(), |sh| {
        for e in &mut sh.extensions {
            if let Extension::KeyShareServerHello(share) = e {
                share.group = NamedGroup::SECP384R1;
            }
        }
    });
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    // The X25519MLKEM768 answer (ciphertext 1088 || X25519 32), one byte short
    // or long, or cut to the ciphertext.
    for len in [1119, 1121, 1088] {
        let err = client_refuses(config(), |sh| {
            for e in &mut sh.extensions {
                if let Extension::KeyShareServerHello(share) = e {
                    assert_eq!(share.group, NamedGroup::X25519MLKEM768);
                    assert_eq!(share.key_exchange.len(), 1120);
                    share.key_exchange.resize(len, 0);
                }
            }
        });
        assert_eq!(
            err,
            Error::PeerMisbehaved(keyway::error::PeerMisbehaved::IllegalParameter(
                "hybrid key share has the wrong length"
            ))
        );
        assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER));
    }
}

/// A client gets a HelloRetryRequest from a `retrying` server; its second
/// ClientHello goes to a server with the `other` config instead, whose first
/// record (the ServerHello) the client then reads. Returns the client's error.
fn retried_then_answered_by(pki: &TestPki, retrying: ServerConfig, other: ServerConfig) -> Error {
    let mut client = client(pki);
    let mut server = ServerConnection::new(Arc::new(retrying));
    support::transfer(&mut client, &mut server).unwrap();
    support::transfer(&mut server, &mut client).unwrap();
    // The client's compatibility CCS is for the first server; give `other` the
    // second ClientHello alone.
    let second_hello = records(&client.take_tls())
        .into_iter()
        .find(|(t, _)| *t == 22)
        .unwrap()
        .1;
    let mut other = ServerConnection::new(Arc::new(other));
    other
        .read_tls_bytes(&record(ContentType::HANDSHAKE, &second_hello))
        .unwrap();
    other.process().unwrap();
    let (_, payload) = records(&other.take_tls()).remove(0);
    client
        .read_tls_bytes(&record(ContentType::HANDSHAKE, &payload))
        .unwrap();
    client.process().unwrap_err()
}

#[test]
fn hello_retry_request_violations_get_their_alerts() {
    let pki = pki();
    let retrying = || {
        ServerConfig::builder()
            .certificate(pki.certified_key())
            .groups(&[NamedGroup::SECP384R1])
            .build()
            .unwrap()
    };

    // Asking for the group the client already sent a share for.
    let err = client_refuses(retrying(), |hrr| {
        for e in &mut hrr.extensions {
            if let Extension::KeyShareHelloRetryRequest(g) = e {
                *g = NamedGroup::X25519;
            }
        }
    });
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    // An HRR that asks for nothing.
    let err = client_refuses(retrying(), |hrr| {
        hrr.extensions
            .retain(|e| matches!(e, Extension::SupportedVersionsServerHello(_)))
    });
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");

    // A second HelloRetryRequest.
    let mut client = client(&pki);
    let mut server = ServerConnection::new(Arc::new(retrying()));
    support::transfer(&mut client, &mut server).unwrap();
    let hrr = server.take_tls();
    client.read_tls_bytes(&hrr).unwrap();
    client.process().unwrap();
    client.read_tls_bytes(&hrr).unwrap();
    let err = client.process().unwrap_err();
    assert_eq!(
        err,
        Error::PeerMisbehaved(keyway::error::PeerMisbehaved::SecondHelloRetryRequest)
    );
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE));

    // A ServerHello with another suite than the HRR named (RFC 8446, Section 4.1.4).
    let other = ServerConfig::builder()
        .certificate(pki.certified_key())
        .cipher_suites(&[keyway::CipherSuite::TLS_AES_256_GCM_SHA384])
        .build()
        .unwrap();
    let err = retried_then_answered_by(&pki, retrying(), other);
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");
    assert!(
        err.to_string()
            .contains("differs from the HelloRetryRequest"),
        "{err}"
    );

    // RFC 8446, Section 4.2.1: after a HelloRetryRequest (TLS 1.3) the
    // ServerHello may not switch to TLS 1.2.
    let tls12_only = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(&[keyway::ProtocolVersion::TLS12])
        .build()
        .unwrap();
    let err = retried_then_answered_by(&pki, retrying(), tls12_only);
    assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");
    assert!(
        err.to_string()
            .contains("TLS 1.2 ServerHello after a HelloRetryRequest"),
        "{err}"
    );
}

#[test]
fn a_cookie_too_long_to_echo_is_refused_without_a_panic() {
    let pki = pki();
    let mut limits = keyway::Limits::default();
    limits.max_handshake_message = 100_000;
    let config = Arc::new(
        ClientConfig::builder(pki.root_store())
            .limits(limits)
            .build()
            .unwrap(),
    );
    for (cookie_len, fits) in [(65_400, false), (60_000, true)] {
        let mut client = ClientConnection::new(config.clone(), "example.com").unwrap();
        let retrying = ServerConfig::builder()
            .certificate(pki.certified_key())
            .groups(&[NamedGroup::SECP384R1])
            .hello_retry_cookie(true)
            .build()
            .unwrap();
        let mut server = ServerConnection::new(Arc::new(retrying));
        support::transfer(&mut client, &mut server).unwrap();
        let (_, payload) = records(&server.take_tls()).remove(0);
        let HandshakeMessage::HelloRetryRequest(mut hrr) =
            HandshakeMessage::decode(HandshakeType::SERVER_HELLO, &payload[4..]).unwrap()
        else {
            panic!("not a HelloRetryRequest")
        };
        for e in &mut hrr.extensions {
            if let Extension::Cookie(c) = e {
                *c = vec![0xc0; cookie_len];
            }
        }
        let hrr = encode(&HandshakeMessage::HelloRetryRequest(hrr));
        client
            .read_tls_bytes(&record(ContentType::HANDSHAKE, &hrr))
            .unwrap();
        let result = client.process();
        if fits {
            result.unwrap();
            let second = records(&client.take_tls());
            let hello = second.iter().filter(|(t, _)| *t == 22).count();
            assert_eq!(hello, 4, "a 60 kB hello spans four records");
        } else {
            let err = result.unwrap_err();
            assert_eq!(err.alert(), Some(A::ILLEGAL_PARAMETER), "{err}");
            assert!(err.to_string().contains("too long to echo"), "{err}");
        }
    }
}

#[test]
fn change_cipher_spec_after_the_handshake_is_unexpected() {
    let pki = pki();
    let mut client = client(&pki);
    let mut server = server(&pki);
    support::handshake(&mut client, &mut server).unwrap();
    server
        .read_tls_bytes(&record(ContentType::CHANGE_CIPHER_SPEC, &[1]))
        .unwrap();
    let err = server.process().unwrap_err();
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE), "{err}");
}

/// RFC 8446, Section 5: a change_cipher_spec record holding anything but
/// the single byte 1 is unexpected_message (the compatibility one in TLS 1.3).
#[test]
fn a_change_cipher_spec_other_than_the_byte_1_is_unexpected() {
    let pki = pki();
    for payload in [&[2u8][..], &[1, 1], &[0]] {
        let mut client = client(&pki);
        let mut server = server(&pki);
        server.read_tls_bytes(&client.take_tls()).unwrap();
        server.process().unwrap();
        server
            .read_tls_bytes(&record(ContentType::CHANGE_CIPHER_SPEC, payload))
            .unwrap();
        let err = server.process().unwrap_err();
        assert_eq!(
            err,
            Error::InvalidMessage(keyway::error::InvalidMessage::BadChangeCipherSpec),
            "{payload:?}"
        );
        assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE));
    }
}

#[test]
fn a_handshake_message_split_across_a_key_change_is_refused() {
    let pki = pki();
    let mut client = client(&pki);
    let mut server = server(&pki);
    // Append the first byte of another handshake message to the ClientHello's
    // record: the ServerHello changes the keys while it is still incomplete.
    let mut bytes = client.take_tls();
    let (_, mut payload) = records(&bytes).remove(0);
    payload.extend_from_slice(&[1]);
    bytes = record(ContentType::HANDSHAKE, &payload);
    server.read_tls_bytes(&bytes).unwrap();
    let err = server.process().unwrap_err();
    assert_eq!(
        err,
        Error::PeerMisbehaved(keyway::error::PeerMisbehaved::HandshakeSpansKeyChange)
    );
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE));
}

/// The same in TLS 1.2, where warnings other than close_notify are not
/// errors: a close_notify while the handshake runs still ends it.
#[test]
fn close_notify_in_a_tls12_handshake_is_an_error() {
    let pki = pki();
    let tls12 = [keyway::ProtocolVersion::TLS12];
    let config = ClientConfig::builder(pki.root_store()).versions(&tls12);
    let mut c = ClientConnection::new(Arc::new(config.build().unwrap()), "example.com").unwrap();
    let mut s = server(&pki);
    support::transfer(&mut c, &mut s).unwrap();
    support::transfer(&mut s, &mut c).unwrap();
    assert_eq!(c.negotiated().version, Some(tls12[0]));
    assert!(c.is_handshaking());
    c.read_tls_bytes(&record(ContentType::ALERT, &[1, 0]))
        .unwrap();
    assert_eq!(c.process(), Err(Error::AlertReceived(A::CLOSE_NOTIFY)));
}

#[test]
fn close_notify_before_the_handshake_completes_is_an_error() {
    let pki = pki();
    let mut c = client(&pki);
    let mut s = server(&pki);
    support::transfer(&mut c, &mut s).unwrap();
    // The server's flight is dropped; an on-path attacker sends a plaintext close_notify.
    let _ = s.take_tls();
    c.read_tls_bytes(&record(ContentType::ALERT, &[1, 0]))
        .unwrap();
    assert_eq!(c.process(), Err(Error::AlertReceived(A::CLOSE_NOTIFY)));
    let err = c.read_plaintext(&mut [0u8; 4]).unwrap_err();
    assert_eq!(
        err.into_inner()
            .unwrap()
            .downcast::<Error>()
            .ok()
            .map(|e| *e),
        Some(Error::AlertReceived(A::CLOSE_NOTIFY))
    );
    assert!(!c.peer_has_closed());
}

#[test]
fn a_plaintext_alert_after_the_handshake_is_refused_not_a_clean_close() {
    let pki = pki();
    let mut c = client(&pki);
    let mut s = server(&pki);
    support::handshake(&mut c, &mut s).unwrap();
    // A forged, unprotected close_notify would be a truncation attack.
    s.read_tls_bytes(&record(ContentType::ALERT, &[1, 0]))
        .unwrap();
    let err = s.process().unwrap_err();
    assert_eq!(err.alert(), Some(A::UNEXPECTED_MESSAGE), "{err}");
    assert!(!s.peer_has_closed());
}

#[test]
fn a_client_failing_on_server_hello_tells_the_server_why() {
    let pki = pki();
    let mut client = client(&pki);
    let mut server = server(&pki);
    support::transfer(&mut client, &mut server).unwrap();
    let flight = server.take_tls();
    let (_, payload) = records(&flight).remove(0);
    let mut sh = match HandshakeMessage::decode(HandshakeType::SERVER_HELLO, &payload[4..]).unwrap()
    {
        HandshakeMessage::ServerHello(sh) => sh,
        other => panic!("{other:?}"),
    };
    sh.legacy_session_id_echo = SessionId::new(&[7; 32], "test").unwrap();
    client
        .read_tls_bytes(&record(
            ContentType::HANDSHAKE,
            &encode(&HandshakeMessage::ServerHello(sh)),
        ))
        .unwrap();
    assert_eq!(
        client.process().unwrap_err().alert(),
        Some(A::ILLEGAL_PARAMETER)
    );
    // The client has no keys yet, so its alert is plaintext; the server, which
    // already reads with handshake keys, still reports the client's reason.
    support::transfer(&mut client, &mut server).unwrap_err();
    assert_eq!(
        server.error(),
        Some(&Error::AlertReceived(A::ILLEGAL_PARAMETER))
    );
}
