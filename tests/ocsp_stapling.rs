//! OCSP stapling in memory, TLS 1.3 (the leaf's CertificateEntry) and TLS
//! 1.2 (CertificateStatus): a good staple reaches the verifier and
//! `negotiated()`; a revoked, out-of-date, wrongly signed or "unknown" one is
//! refused with the right error and alert; a must-staple certificate without
//! a staple is refused; the server staples only when asked; and a server
//! that staples what was not asked for, where it may not, is refused.

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use keyway::codec::extensions::Extension;
use keyway::codec::messages::{CertificateStatus, HandshakeMessage};
use keyway::codec::{ExtensionType, HandshakeType};
use keyway::error::{CertificateError, PeerMisbehaved};
use keyway::events::Side;
use keyway::{
    AlertDescription, CertificatesByName, ClientConfig, ClientConfigBuilder, Error,
    ProtocolVersion, ServerConfig,
};
use support::mitm::Mitm;
use support::ocsp::{must_staple, responder, responder_issued_as, CertIdHash, Response, Status};
use support::{connect, transfer, KeyKind, Recorder, TestPki};

const BOTH: [ProtocolVersion; 2] = [ProtocolVersion::TLS13, ProtocolVersion::TLS12];

fn intermediate_key(pki: &TestPki) -> rcgen::KeyPair {
    rcgen::KeyPair::from_pem(&pki.intermediate_key_pem).unwrap()
}

fn client(pki: &TestPki, version: ProtocolVersion) -> ClientConfigBuilder {
    ClientConfig::builder(pki.root_store()).versions(&[version])
}

/// The handshake's result, and the staple the client and the server recorded.
type Stapled = (Result<(), Error>, Option<Vec<u8>>, Option<Vec<u8>>);

/// Runs a handshake where the server staples `response` (if any) for `pki`'s
/// certificate.
fn staple(pki: &TestPki, response: Option<Vec<u8>>, client: ClientConfigBuilder) -> Stapled {
    let mut ck = pki.certified_key();
    ck.ocsp_response = response;
    let server = ServerConfig::builder().certificate(ck).build().unwrap();
    let (c, s, result) = connect(client.build().unwrap(), server, "example.com");
    (
        result,
        c.negotiated().ocsp_response.clone(),
        s.negotiated().ocsp_response.clone(),
    )
}

#[test]
fn a_good_staple_reaches_the_client_in_both_versions() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let response = Response::good(&pki, &key).der();
    for version in BOTH {
        let (result, client_saw, server_sent) =
            staple(&pki, Some(response.clone()), client(&pki, version));
        assert_eq!(result, Ok(()), "{version:?}");
        assert_eq!(client_saw.as_ref(), Some(&response), "{version:?}");
        assert_eq!(server_sent.as_ref(), Some(&response));
        // A client that does not ask gets no staple.
        let asked_not = client(&pki, version).ocsp_stapling(false);
        let (result, client_saw, server_sent) = staple(&pki, Some(response.clone()), asked_not);
        assert_eq!(result, Ok(()));
        assert_eq!((client_saw, server_sent), (None, None), "{version:?}");
        // Nor does anyone from a server without a response.
        let (result, client_saw, _) = staple(&pki, None, client(&pki, version));
        assert_eq!((result, client_saw), (Ok(()), None));
    }
    // A delegated responder with id-kp-OCSPSigning, its certificate in the response.
    let (responder_der, responder_key) = responder(&pki, true);
    let delegated = Response {
        responder: Some(&responder_der),
        ..Response::good(&pki, &responder_key)
    }
    .der();
    for version in BOTH {
        let (result, _, _) = staple(&pki, Some(delegated.clone()), client(&pki, version));
        assert_eq!(result, Ok(()), "{version:?}");
    }
}

#[test]
fn tls12_staples_in_a_certificate_status_after_certificate() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let mut ck = pki.certified_key();
    ck.ocsp_response = Some(Response::good(&pki, &key).der());
    let recorder = Arc::new(Recorder::default());
    let server = ServerConfig::builder()
        .certificate(ck)
        .observer(recorder.clone())
        .build()
        .unwrap();
    let client = client(&pki, ProtocolVersion::TLS12).build().unwrap();
    let (_, _, result) = connect(client, server, "example.com");
    assert_eq!(result, Ok(()));
    let sent: Vec<&str> = recorder.0.lock().unwrap().iter().map(|(_, m)| *m).collect();
    assert_eq!(
        sent,
        [
            "ServerHello",
            "Certificate",
            "CertificateStatus",
            "ServerKeyExchange",
            "ServerHelloDone",
            "NewSessionTicket",
            "ChangeCipherSpec",
            "Finished"
        ]
    );
}

/// The client's error for a staple, which the server then receives as an alert.
fn refused(pki: &TestPki, response: Vec<u8>, version: ProtocolVersion) -> Error {
    let mut ck = pki.certified_key();
    ck.ocsp_response = Some(response);
    let server = ServerConfig::builder().certificate(ck).build().unwrap();
    let (mut c, mut s, result) =
        connect(client(pki, version).build().unwrap(), server, "example.com");
    let err = result.unwrap_err();
    let alert = err.alert().unwrap();
    assert_eq!(transfer(&mut c, &mut s), Err(Error::AlertReceived(alert)));
    err
}

#[test]
fn a_stapled_revoked_status_refuses_the_chain_naming_the_certificate() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let response = Response {
        status: Status::Revoked,
        ..Response::good(&pki, &key)
    };
    for version in BOTH {
        let err = refused(&pki, response.der(), version);
        let Error::InvalidCertificate(CertificateError::Revoked(why)) = &err else {
            panic!("{err:?}")
        };
        assert!(
            why.starts_with("certificate 0 (CN=example.com) was revoked at "),
            "{why}"
        );
        assert!(
            why.contains(", reason keyCompromise (OCSP response from CN=keyway test intermediate CA produced at "),
            "{why}"
        );
        assert_eq!(err.alert(), Some(AlertDescription::CERTIFICATE_REVOKED));
    }
}

#[test]
fn out_of_date_wrongly_signed_and_unknown_staples_are_bad_certificate_status_responses() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let stranger_key = intermediate_key(&stranger);
    let (unauthorized, unauthorized_key) = responder(&pki, false);
    let now = SystemTime::now();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            Response {
                this_update: now - Duration::from_secs(10 * 24 * 3600),
                next_update: Some(now - Duration::from_secs(3 * 24 * 3600)),
                ..Response::good(&pki, &key)
            }
            .der(),
            "the OCSP response for certificate 0 (CN=example.com) is out of date: its nextUpdate was ",
        ),
        (
            Response {
                this_update: now + Duration::from_secs(3600),
                ..Response::good(&pki, &key)
            }
            .der(),
            "the OCSP response for certificate 0 (CN=example.com) is not valid before its thisUpdate, ",
        ),
        // Signed by another CA's key under our issuer's name.
        (
            Response::good(&pki, &stranger_key).der(),
            "the OCSP response's signature does not verify with the key of certificate 1 \
             (CN=keyway test intermediate CA)",
        ),
        // Signed by our issuer, about another certificate.
        (
            Response {
                leaf: &stranger.leaf_der,
                ..Response::good(&pki, &key)
            }
            .der(),
            "the OCSP response has no status for certificate 0 (CN=example.com) (serial 0x",
        ),
        (
            Response {
                responder: Some(&unauthorized),
                ..Response::good(&pki, &unauthorized_key)
            }
            .der(),
            "the OCSP responder CN=keyway test OCSP responder may not answer for certificates of \
             certificate 1 (CN=keyway test intermediate CA): its extendedKeyUsage lacks \
             id-kp-OCSPSigning (RFC 6960, Section 4.2.2.2)",
        ),
        (
            Response {
                status: Status::Unknown,
                ..Response::good(&pki, &key)
            }
            .der(),
            "the OCSP response says the status of certificate 0 (CN=example.com) is unknown to \
             its responder (CN=keyway test intermediate CA)",
        ),
        (
            b"\x30\x03\x0a\x01\x03".to_vec(),
            "the OCSP response has status tryLater, not successful",
        ),
    ];
    for version in BOTH {
        for (response, why) in &cases {
            let err = refused(&pki, response.clone(), version);
            let Error::InvalidCertificate(CertificateError::BadOcspResponse(got)) = &err else {
                panic!("{version:?} {why}: {err:?}")
            };
            assert!(got.starts_with(why), "{version:?}: {got}");
            assert_eq!(
                err.alert(),
                Some(AlertDescription::BAD_CERTIFICATE_STATUS_RESPONSE)
            );
        }
    }
}

/// The encodings RFC 6960 leaves to the responder are all read: the
/// responderID by key, an explicit v1, a CertID hashed with SHA-384 or
/// SHA-512 or without NULL parameters, and other certificates carried before
/// the delegated responder's.
#[test]
fn every_encoding_a_responder_may_choose_is_read() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let (responder_der, responder_key) = responder(&pki, true);
    let good = || Response::good(&pki, &key);
    let delegated = || Response {
        responder: Some(&responder_der),
        ..Response::good(&pki, &responder_key)
    };
    let carried = [pki.leaf_der.as_slice()];
    let cases = [
        (
            "byKey",
            Response {
                by_key: true,
                ..good()
            },
        ),
        (
            "byKey, delegated",
            Response {
                by_key: true,
                ..delegated()
            },
        ),
        (
            "explicit v1",
            Response {
                version: Some(0),
                ..good()
            },
        ),
        (
            "SHA-384 CertID",
            Response {
                cert_id_hash: CertIdHash::Sha384,
                ..good()
            },
        ),
        (
            "SHA-512 CertID",
            Response {
                cert_id_hash: CertIdHash::Sha512,
                ..good()
            },
        ),
        (
            "CertID without NULL",
            Response {
                cert_id_null: false,
                ..good()
            },
        ),
        (
            "leaf carried first",
            Response {
                carried: &carried,
                ..delegated()
            },
        ),
    ];
    for (what, response) in cases {
        let (result, _, _) = staple(
            &pki,
            Some(response.der()),
            client(&pki, ProtocolVersion::TLS13),
        );
        assert_eq!(result, Ok(()), "{what}");
    }
}

/// What a response may not be: another version, a critical extension
/// keyway does not process, or signed by a responder the issuer did not
/// issue (its certificate under the issuer's name with another key, or by
/// the issuer's key under another name).
#[test]
fn a_response_outside_rfc_6960_or_from_an_unauthorized_responder_is_refused() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let (same_name, same_name_key) = responder(&stranger, true);
    let (other_name, other_name_key) = responder_issued_as(&pki, "keyway test other CA", true);
    let not_issued = "the OCSP responder CN=keyway test OCSP responder may not answer for \
                      certificates of certificate 1 (CN=keyway test intermediate CA): it was not \
                      issued by certificate 1 (CN=keyway test intermediate CA) (RFC 6960, \
                      Section 4.2.2.2)";
    let cases = [
        (
            Response {
                version: Some(1),
                ..Response::good(&pki, &key)
            },
            "the OCSP response is malformed: version is not v1",
        ),
        (
            Response {
                critical_extension: true,
                ..Response::good(&pki, &key)
            },
            "the OCSP response is malformed: a critical extension keyway does not process",
        ),
        (
            Response {
                responder: Some(&same_name),
                ..Response::good(&pki, &same_name_key)
            },
            not_issued,
        ),
        (
            Response {
                responder: Some(&other_name),
                ..Response::good(&pki, &other_name_key)
            },
            not_issued,
        ),
    ];
    for (response, why) in cases {
        let err = refused(&pki, response.der(), ProtocolVersion::TLS13);
        assert_eq!(
            err,
            Error::InvalidCertificate(CertificateError::BadOcspResponse(why.into()))
        );
    }
}

#[test]
fn a_must_staple_certificate_needs_a_staple() {
    let pki = TestPki::generate_with(KeyKind::EcdsaP256, &["example.com"], |p| {
        p.custom_extensions.push(must_staple())
    });
    let key = intermediate_key(&pki);
    let required = Error::InvalidCertificate(CertificateError::OcspResponseRequired(
        "certificate 0 (CN=example.com) requires a stapled OCSP response (its TLS feature \
         extension lists status_request, RFC 7633), and the server sent none"
            .into(),
    ));
    for version in BOTH {
        let (result, _, _) = staple(&pki, None, client(&pki, version));
        assert_eq!(result, Err(required.clone()), "{version:?}");
        assert_eq!(
            required.alert(),
            Some(AlertDescription::BAD_CERTIFICATE_STATUS_RESPONSE)
        );
        let good = Response::good(&pki, &key).der();
        let (result, _, _) = staple(&pki, Some(good), client(&pki, version));
        assert_eq!(result, Ok(()), "{version:?}");
        // A client that does not ask for a staple cannot hold the server to it.
        let asked_not = client(&pki, version).ocsp_stapling(false);
        let (result, _, _) = staple(&pki, None, asked_not);
        assert_eq!(result, Ok(()), "{version:?}");
    }
    // A server refuses to load it without a response.
    let sites = CertificatesByName::new();
    assert_eq!(
        sites.set_default(pki.certified_key()),
        Err(Error::Config(
            "the default certificate cannot be served: certificate 0 (CN=example.com) \
             requires a stapled OCSP response (must-staple), and none was given"
                .into()
        ))
    );
    let good = Response::good(&pki, &key).der();
    let stapled = pki.certified_key().with_ocsp_response(good);
    assert_eq!(sites.set_default(stapled), Ok(()));
}

#[test]
fn a_server_checks_a_response_before_it_staples_it() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let sites = CertificatesByName::new();
    let revoked = Response {
        status: Status::Revoked,
        ..Response::good(&pki, &key)
    }
    .der();
    let err = sites
        .insert(
            "example.com",
            pki.certified_key().with_ocsp_response(revoked),
        )
        .unwrap_err();
    let Error::Config(why) = err else {
        panic!("{err:?}")
    };
    assert!(
        why.starts_with(
            "the certificate for example.com cannot be served: certificate 0 (CN=example.com) \
             was revoked at "
        ),
        "{why}"
    );
    // With its issuer in the chain, the signature is checked too: one by
    // another CA's key under the issuer's name is refused.
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let forged = Response::good(&pki, &intermediate_key(&stranger)).der();
    let err = sites
        .insert(
            "example.com",
            pki.certified_key().with_ocsp_response(forged),
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::Config(
            "the certificate for example.com cannot be served: the OCSP response's signature \
             does not verify with the key of certificate 1 (CN=keyway test intermediate CA)"
                .into()
        )
    );
    // Without its issuer in the chain, what can be checked is: serial
    // number, times, status.
    let mut leaf_only = pki.certified_key().with_ocsp_response(
        Response {
            leaf: &stranger.leaf_der,
            ..Response::good(&pki, &key)
        }
        .der(),
    );
    leaf_only.chain.truncate(1);
    let err = sites.insert("example.com", leaf_only).unwrap_err();
    let Error::Config(why) = err else {
        panic!("{err:?}")
    };
    assert!(
        why.starts_with(
            "the certificate for example.com cannot be served: the OCSP response has no status \
             for certificate 0 (CN=example.com) (serial 0x"
        ),
        "{why}"
    );
    assert_eq!(sites.names(), Vec::<String>::new());
    let mut leaf_only = pki
        .certified_key()
        .with_ocsp_response(Response::good(&pki, &key).der());
    leaf_only.chain.truncate(1);
    assert_eq!(sites.insert("example.com", leaf_only), Ok(()));
    assert_eq!(sites.names(), ["example.com"]);
}

#[test]
fn tls13_status_only_on_the_leaf_and_only_when_asked() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let response = Response::good(&pki, &key).der();
    let status = Extension::StatusRequest(
        CertificateStatus {
            ocsp_response: response.clone(),
        }
        .encode()
        .unwrap()
        .into(),
    );
    let unsolicited = Error::PeerMisbehaved(PeerMisbehaved::UnsolicitedExtension(
        ExtensionType::STATUS_REQUEST,
    ));
    for (asked, entry) in [(false, 0), (true, 1)] {
        let client = client(&pki, ProtocolVersion::TLS13).ocsp_stapling(asked);
        let server = ServerConfig::builder().certificate(pki.certified_key());
        let mut mitm = Mitm::new(client, server);
        let mut flight = mitm.run_to(Side::Server, HandshakeType::CERTIFICATE);
        let HandshakeMessage::Certificate(mut certificate) =
            flight.decode(HandshakeType::CERTIFICATE)
        else {
            panic!("no Certificate")
        };
        certificate.certificate_list[entry]
            .extensions
            .push(status.clone());
        flight.replace(&HandshakeMessage::Certificate(certificate));
        mitm.refused(
            flight,
            unsolicited.clone(),
            AlertDescription::UNSUPPORTED_EXTENSION,
        );
    }
}

#[test]
fn tls12_a_server_may_acknowledge_and_still_send_no_certificate_status() {
    let plain = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let must = TestPki::generate_with(KeyKind::EcdsaP256, &["example.com"], |p| {
        p.custom_extensions.push(must_staple())
    });
    for (pki, expected) in [
        (&plain, None),
        (
            &must,
            Some(Error::InvalidCertificate(
                CertificateError::OcspResponseRequired(
                    "certificate 0 (CN=example.com) requires a stapled OCSP response (its TLS \
                 feature extension lists status_request, RFC 7633), and the server sent none"
                        .into(),
                ),
            )),
        ),
    ] {
        let key = intermediate_key(pki);
        let mut ck = pki.certified_key();
        ck.ocsp_response = Some(Response::good(pki, &key).der());
        let server = ServerConfig::builder().certificate(ck);
        let mut mitm = Mitm::new(client(pki, ProtocolVersion::TLS12), server);
        let mut flight = mitm.run_to(Side::Server, HandshakeType::CERTIFICATE_STATUS);
        flight.remove(HandshakeType::CERTIFICATE_STATUS);
        match expected {
            // The chain is checked without a staple when ServerKeyExchange
            // comes; the missing message then breaks the transcript, so the
            // handshake fails at Finished, not before.
            None => {
                mitm.deliver(flight).unwrap();
                assert!(mitm.client.negotiated().ocsp_response.is_none());
                assert_eq!(mitm.client.negotiated().peer_certificates.len(), 2);
            }
            Some(error) => mitm.refused(
                flight,
                error,
                AlertDescription::BAD_CERTIFICATE_STATUS_RESPONSE,
            ),
        }
    }
}

#[test]
fn tls12_a_certificate_status_without_an_acknowledgement_is_unexpected() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let key = intermediate_key(&pki);
    let mut ck = pki.certified_key();
    ck.ocsp_response = Some(Response::good(&pki, &key).der());
    let server = ServerConfig::builder().certificate(ck);
    let mut mitm = Mitm::new(client(&pki, ProtocolVersion::TLS12), server);
    let mut flight = mitm.run_to(Side::Server, HandshakeType::CERTIFICATE_STATUS);
    let HandshakeMessage::ServerHello(mut sh) = flight.decode(HandshakeType::SERVER_HELLO) else {
        panic!("no ServerHello")
    };
    sh.extensions
        .retain(|e| e.ext_type() != ExtensionType::STATUS_REQUEST);
    flight.replace(&HandshakeMessage::ServerHello(sh));
    mitm.refused(
        flight,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedMessage {
            expected: "ServerKeyExchange",
            got: "certificate_status".into(),
        }),
        AlertDescription::UNEXPECTED_MESSAGE,
    );
}

/// The verifier caches the chain's signatures after a first handshake; a
/// staple is still checked on every later one: a revoked staple, and a
/// must-staple certificate without one, are refused by a client whose cache
/// already holds the chain.
#[test]
fn staples_are_checked_on_a_chain_whose_signatures_are_cached() {
    let pki = TestPki::generate_with(KeyKind::EcdsaP256, &["example.com"], |p| {
        p.custom_extensions.push(must_staple())
    });
    let key = intermediate_key(&pki);
    let good = Response::good(&pki, &key);
    let revoked = Response {
        status: Status::Revoked,
        ..Response::good(&pki, &key)
    };
    for version in BOTH {
        // No resumption: every handshake checks the chain and its staple.
        let config = Arc::new(client(&pki, version).session_store(None).build().unwrap());
        let run = |response: Option<Vec<u8>>| {
            let mut ck = pki.certified_key();
            ck.ocsp_response = response;
            let server = ServerConfig::builder().certificate(ck).build().unwrap();
            let mut c = keyway::ClientConnection::new(config.clone(), "example.com").unwrap();
            let mut s = keyway::ServerConnection::new(Arc::new(server));
            support::handshake(&mut c, &mut s)
        };
        assert_eq!(run(Some(good.der())), Ok(()), "{version:?}");
        assert!(
            matches!(
                run(Some(revoked.der())),
                Err(Error::InvalidCertificate(CertificateError::Revoked(_)))
            ),
            "{version:?}"
        );
        assert!(
            matches!(
                run(None),
                Err(Error::InvalidCertificate(
                    CertificateError::OcspResponseRequired(_)
                ))
            ),
            "{version:?}"
        );
        assert_eq!(run(Some(good.der())), Ok(()), "{version:?}");
    }
}
