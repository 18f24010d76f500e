//! Many sites on one server, in memory: certificates by exact name and
//! wildcard with a default, strict names (unrecognized_name), an ECDSA and an
//! RSA certificate for one name served by client capability in TLS 1.3 and
//! TLS 1.2, hot reload while connections are open and mid-handshake, reloads
//! that fail and keep the old certificate, and the client's
//! record_size_limit (offered, kept by the server, enforced on it).

mod support;

use std::sync::Arc;

use keyway::codec::HandshakeType;
use keyway::error::{CertificateError, PeerIncompatible};
use keyway::events::Side;
use keyway::pki::{DefaultServerVerifier, ServerCertVerifier, ServerName};
use keyway::{
    AlertDescription, CertificatesByName, CipherSuite, ClientConfig, ClientConfigBuilder,
    ClientConnection, Error, NamedGroup, ProtocolVersion, RootStore, ServerConfig,
    ServerConnection, SignatureScheme,
};
use support::mitm::Mitm;
use support::{handshake, send, transfer, KeyKind, TestPki};

const BOTH: [ProtocolVersion; 2] = [ProtocolVersion::TLS13, ProtocolVersion::TLS12];

/// A client that trusts the roots of `pkis`, speaking `version`.
fn client_for(pkis: &[&TestPki], version: ProtocolVersion) -> ClientConfigBuilder {
    let mut roots = RootStore::new();
    for pki in pkis {
        roots.add_der(&pki.root_der).unwrap();
    }
    ClientConfig::builder(roots).versions(&[version])
}

/// Connects a client built from `client` to `name` on a server that picks from
/// `sites`.
fn connect(
    client: ClientConfigBuilder,
    sites: &Arc<CertificatesByName>,
    name: &str,
) -> (ClientConnection, ServerConnection, Result<(), Error>) {
    let server = ServerConfig::builder()
        .cert_resolver(sites.clone())
        .build()
        .unwrap();
    support::connect(client.build().unwrap(), server, name)
}

/// The leaf the client was shown.
fn leaf(client: &ClientConnection) -> &[u8] {
    &client.negotiated().peer_certificates[0]
}

struct Sites {
    exact: TestPki,
    wildcard: TestPki,
    default: TestPki,
}

impl Sites {
    fn new() -> Sites {
        Sites {
            exact: TestPki::generate(KeyKind::EcdsaP256, &["a.example"]),
            wildcard: TestPki::generate(KeyKind::EcdsaP256, &["*.b.example"]),
            default: TestPki::generate(KeyKind::EcdsaP256, &["default.example"]),
        }
    }

    fn table(&self, strict: bool) -> Arc<CertificatesByName> {
        let sites = CertificatesByName::new().strict(strict);
        sites
            .insert("a.example", self.exact.certified_key())
            .unwrap();
        sites
            .insert("*.b.example", self.wildcard.certified_key())
            .unwrap();
        sites.set_default(self.default.certified_key()).unwrap();
        Arc::new(sites)
    }

    fn client(&self, version: ProtocolVersion) -> ClientConfigBuilder {
        client_for(&[&self.exact, &self.wildcard, &self.default], version)
    }
}

#[test]
fn each_name_gets_its_certificate_and_wildcards_cover_one_label() {
    let sites = Sites::new();
    let table = sites.table(false);
    assert_eq!(table.names(), ["*.b.example", "a.example"]);
    for version in BOTH {
        for (name, expected) in [
            ("a.example", &sites.exact),
            ("A.Example", &sites.exact),
            ("x.b.example", &sites.wildcard),
            ("y.b.example", &sites.wildcard),
        ] {
            let (client, server, result) = connect(sites.client(version), &table, name);
            assert_eq!(result, Ok(()), "{name} {version:?}");
            assert_eq!(leaf(&client), expected.leaf_der, "{name} {version:?}");
            let sni = name.to_ascii_lowercase();
            assert_eq!(server.negotiated().server_name, Some(sni));
        }
        // No name: the default certificate.
        let client = sites.client(version).enable_sni(false);
        let (client, _, result) = connect(client, &table, "default.example");
        assert_eq!(result, Ok(()));
        assert_eq!(leaf(&client), sites.default.leaf_der);
        // A name the table does not know, or two labels under the wildcard:
        // the default certificate too, which the client then refuses for the name.
        for name in ["c.example", "x.y.b.example", "b.example"] {
            let (_, _, result) = connect(sites.client(version), &table, name);
            assert_eq!(
                result,
                Err(Error::InvalidCertificate(
                    CertificateError::NotValidForName(format!(
                        "certificate 0 (CN=default.example) is valid for default.example, \
                         not for {name}"
                    ))
                )),
                "{name} {version:?}"
            );
        }
    }
}

#[test]
fn a_strict_table_answers_unknown_names_with_unrecognized_name() {
    let sites = Sites::new();
    let table = sites.table(true);
    for version in BOTH {
        let (mut client, mut server, result) = connect(sites.client(version), &table, "c.example");
        assert_eq!(
            result,
            Err(Error::PeerIncompatible(PeerIncompatible::UnrecognizedName(
                "c.example".into()
            )))
        );
        assert_eq!(
            Error::from(PeerIncompatible::UnrecognizedName("c.example".into())).alert(),
            Some(AlertDescription::UNRECOGNIZED_NAME)
        );
        assert_eq!(
            transfer(&mut server, &mut client),
            Err(Error::AlertReceived(AlertDescription::UNRECOGNIZED_NAME))
        );
        // Named sites still work, and so does a client without a name.
        let (_, _, result) = connect(sites.client(version), &table, "x.b.example");
        assert_eq!(result, Ok(()));
        let client = sites.client(version).enable_sni(false);
        let (client, _, result) = connect(client, &table, "default.example");
        assert_eq!(result, Ok(()));
        assert_eq!(leaf(&client), sites.default.leaf_der);
    }
    // Without a default, a client that sends no name gets handshake_failure.
    let only_named = Arc::new(CertificatesByName::new());
    only_named
        .insert("a.example", sites.exact.certified_key())
        .unwrap();
    let client = sites.client(ProtocolVersion::TLS13).enable_sni(false);
    let (_, _, result) = connect(client, &only_named, "a.example");
    let expected = Error::from(PeerIncompatible::NoCertificateWithoutServerName);
    assert_eq!(result, Err(expected.clone()));
    assert_eq!(expected.alert(), Some(AlertDescription::HANDSHAKE_FAILURE));
}

/// The default verifier, offering only the signature schemes given.
#[derive(Debug)]
struct OnlySchemes(DefaultServerVerifier, &'static [SignatureScheme]);

impl ServerCertVerifier for OnlySchemes {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        now: std::time::SystemTime,
    ) -> Result<(), CertificateError> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, now)
    }

    fn supported_schemes(&self) -> &[SignatureScheme] {
        self.1
    }
}

const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PKCS1_SHA256,
];
const ECDSA_SCHEMES: &[SignatureScheme] = &[SignatureScheme::ECDSA_SECP256R1_SHA256];

#[test]
fn an_ecdsa_and_an_rsa_certificate_for_one_name_go_to_the_clients_that_can_use_each() {
    let ecdsa = TestPki::generate(KeyKind::EcdsaP256, &["dual.example"]);
    let rsa = TestPki::generate(KeyKind::Rsa2048, &["dual.example"]);
    let table = Arc::new(CertificatesByName::new());
    table.insert("dual.example", ecdsa.certified_key()).unwrap();
    table.insert("dual.example", rsa.certified_key()).unwrap();
    let roots = || {
        let mut roots = RootStore::new();
        roots.add_der(&ecdsa.root_der).unwrap();
        roots.add_der(&rsa.root_der).unwrap();
        Arc::new(roots)
    };
    let only = |schemes| {
        Arc::new(OnlySchemes(DefaultServerVerifier::new(roots()), schemes))
            as Arc<dyn ServerCertVerifier>
    };
    let client = |version| client_for(&[&ecdsa, &rsa], version);
    for version in BOTH {
        // Every scheme: the first certificate added, ECDSA.
        let (c, _, result) = connect(client(version), &table, "dual.example");
        assert_eq!(result, Ok(()), "{version:?}");
        assert_eq!(leaf(&c), ecdsa.leaf_der);
        // By the signature schemes the client accepts.
        for (schemes, expected) in [(RSA_SCHEMES, &rsa), (ECDSA_SCHEMES, &ecdsa)] {
            let verifier = only(schemes);
            let (c, _, result) =
                connect(client(version).verifier(verifier), &table, "dual.example");
            assert_eq!(result, Ok(()), "{version:?} {schemes:?}");
            assert_eq!(leaf(&c), expected.leaf_der, "{version:?} {schemes:?}");
        }
    }
    // TLS 1.2: by the suites the client offers...
    for (suite, expected) in [
        (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, &rsa),
        (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, &ecdsa),
    ] {
        let c = client(ProtocolVersion::TLS12).cipher_suites(&[suite]);
        let (c, server, result) = connect(c, &table, "dual.example");
        assert_eq!(result, Ok(()), "{suite}");
        assert_eq!(leaf(&c), expected.leaf_der, "{suite}");
        assert_eq!(server.negotiated().cipher_suite, Some(suite));
    }
    // ...and by its curves: without P-256 the ECDSA certificate is unusable
    // (RFC 8422, Section 5.1), so the RSA one is served.
    let c = client(ProtocolVersion::TLS12).groups(&[NamedGroup::X25519]);
    let (c, _, result) = connect(c, &table, "dual.example");
    assert_eq!(result, Ok(()));
    assert_eq!(leaf(&c), rsa.leaf_der);
    // With only the ECDSA certificate, that client gets the precise reason.
    let ecdsa_only = Arc::new(CertificatesByName::new());
    ecdsa_only
        .insert("dual.example", ecdsa.certified_key())
        .unwrap();
    let c = client(ProtocolVersion::TLS12).groups(&[NamedGroup::X25519]);
    let (_, _, result) = connect(c, &ecdsa_only, "dual.example");
    assert_eq!(
        result,
        Err(PeerIncompatible::CertificateCurveNotOffered(NamedGroup::SECP256R1).into())
    );
}

#[test]
fn a_reload_reaches_new_handshakes_while_open_ones_keep_theirs() {
    let old = TestPki::generate(KeyKind::EcdsaP256, &["a.example"]);
    let new = TestPki::generate(KeyKind::EcdsaP256, &["a.example"]);
    let newer = TestPki::generate(KeyKind::Rsa2048, &["a.example"]);
    let trusts = [&old, &new, &newer];
    let table = Arc::new(CertificatesByName::new());
    table.insert("a.example", old.certified_key()).unwrap();
    let server_config = Arc::new(
        ServerConfig::builder()
            .cert_resolver(table.clone())
            .build()
            .unwrap(),
    );
    for version in BOTH {
        table.insert("a.example", old.certified_key()).unwrap();
        // Without a session store: a resumed handshake sends no
        // certificate (see the end of the test).
        let client_config = Arc::new(
            client_for(&trusts, version)
                .session_store(None)
                .build()
                .unwrap(),
        );
        let open = || {
            let client = ClientConnection::new(client_config.clone(), "a.example").unwrap();
            (client, ServerConnection::new(server_config.clone()))
        };
        let (mut c1, mut s1) = open();
        handshake(&mut c1, &mut s1).unwrap();
        assert_eq!(send(&mut c1, &mut s1, b"before"), b"before");

        // A handshake that has chosen its certificate (the server's flight is
        // out) when the reload happens finishes with the old one.
        let (mut c2, mut s2) = open();
        transfer(&mut c2, &mut s2).unwrap();

        table.insert("a.example", new.certified_key()).unwrap();

        transfer(&mut s2, &mut c2).unwrap();
        handshake(&mut c2, &mut s2).unwrap();
        assert_eq!(leaf(&c2), old.leaf_der, "{version:?}");
        // The open connection carries on both ways, on its old certificate.
        assert_eq!(send(&mut c1, &mut s1, b"during"), b"during");
        assert_eq!(send(&mut s1, &mut c1, b"reply"), b"reply");
        assert_eq!(leaf(&c1), old.leaf_der);
        // A new one gets the new certificate; an RSA certificate is a
        // second key type, added beside it, not in its place.
        let (mut c3, mut s3) = open();
        handshake(&mut c3, &mut s3).unwrap();
        assert_eq!(leaf(&c3), new.leaf_der, "{version:?}");
        table.insert("a.example", newer.certified_key()).unwrap();
        let (mut c4, mut s4) = open();
        handshake(&mut c4, &mut s4).unwrap();
        assert_eq!(leaf(&c4), new.leaf_der, "{version:?}: ECDSA stays first");
        assert!(table.remove("a.example"));
        assert!(!table.remove("a.example"));
    }
    // A client that resumes a session keeps the identity of the handshake
    // it resumes: a reload does not end sessions (rotate the ticket keys and
    // clear the session store for that).
    table.insert("a.example", old.certified_key()).unwrap();
    let resuming = Arc::new(client_for(&trusts, ProtocolVersion::TLS13).build().unwrap());
    let mut first = ClientConnection::new(resuming.clone(), "a.example").unwrap();
    handshake(
        &mut first,
        &mut ServerConnection::new(server_config.clone()),
    )
    .unwrap();
    table.insert("a.example", new.certified_key()).unwrap();
    let mut again = ClientConnection::new(resuming, "a.example").unwrap();
    handshake(
        &mut again,
        &mut ServerConnection::new(server_config.clone()),
    )
    .unwrap();
    assert!(again.negotiated().resumed);
    assert_eq!(leaf(&again), old.leaf_der);
}

#[test]
fn a_failed_reload_keeps_the_old_certificate_and_says_why() {
    let good = TestPki::generate(KeyKind::EcdsaP256, &["a.example"]);
    let other = TestPki::generate(KeyKind::EcdsaP256, &["a.example"]);
    let expired = TestPki::generate_with(KeyKind::EcdsaP256, &["a.example"], |p| {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    });
    let elsewhere = TestPki::generate(KeyKind::EcdsaP256, &["b.example"]);
    let table = Arc::new(CertificatesByName::new());
    table.insert("a.example", good.certified_key()).unwrap();

    // The key of another certificate.
    let mut mismatched = good.certified_key();
    mismatched.key = other.certified_key().key;
    let err = table.insert("a.example", mismatched).unwrap_err();
    assert_eq!(
        err,
        Error::Config(
            "the certificate for a.example cannot be served: the private key \
             (SigningKey(ECDSA P-256)) does not belong to the certificate for CN=a.example \
             (ECDSA P-256 key)"
                .into()
        )
    );
    // An expired certificate.
    let err = table
        .insert("a.example", expired.certified_key())
        .unwrap_err();
    let Error::Config(why) = err else {
        panic!("{err:?}")
    };
    assert!(
        why.starts_with(
            "the certificate for a.example cannot be served: certificate 0 (CN=a.example) \
             expired at 2021-01-01T00:00:00Z (verification time "
        ),
        "{why}"
    );
    // A certificate for another name.
    assert_eq!(
        table.insert("a.example", elsewhere.certified_key()),
        Err(Error::Config(
            "the certificate for a.example cannot be served: certificate 0 (CN=b.example) is \
             valid for b.example, not for a.example"
                .into()
        ))
    );
    // A wildcard entry needs the wildcard in the certificate.
    assert_eq!(
        table.insert("*.a.example", good.certified_key()),
        Err(Error::Config(
            "the certificate for *.a.example cannot be served: certificate 0 (CN=a.example) \
             does not list *.a.example in its subjectAltName"
                .into()
        ))
    );
    // Not a name at all.
    for name in ["*", "a..example", "*.com", "192.0.2.1"] {
        assert!(
            matches!(
                table.insert(name, good.certified_key()),
                Err(Error::Config(_))
            ),
            "{name}"
        );
    }
    // Unreadable files fail before the table is touched.
    let files = good.write_files("reload");
    let missing = files.dir.join("missing.pem");
    let err = keyway::CertifiedKey::from_pem_files(&missing, &files.key).unwrap_err();
    assert!(matches!(err, Error::KeyFile { .. }), "{err:?}");
    let wrong_key = other.write_files("reload-wrong-key");
    let err = keyway::CertifiedKey::from_pem_files(&files.chain, &wrong_key.key).unwrap_err();
    let Error::KeyFile { path, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(path, wrong_key.key.display().to_string());
    assert!(
        reason.starts_with("does not belong to the first certificate of "),
        "{reason}"
    );

    // Through all of that, the table served the good certificate.
    assert_eq!(table.names(), ["a.example"]);
    let (client, _, result) = connect(
        client_for(&[&good], ProtocolVersion::TLS13),
        &table,
        "a.example",
    );
    assert_eq!(result, Ok(()));
    assert_eq!(leaf(&client), good.leaf_der);
}

/// The lengths of the protected records in `wire` (the handshake's
/// plaintext records excluded).
fn protected_record_lengths(wire: &[u8]) -> Vec<usize> {
    let mut lengths = Vec::new();
    let mut rest = wire;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest[0] == 23 {
            lengths.push(len);
        }
        rest = &rest[5 + len..];
    }
    lengths
}

#[test]
fn the_client_offers_a_record_size_limit_and_the_server_keeps_to_it() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let table = Arc::new(CertificatesByName::new());
    table.set_default(pki.certified_key()).unwrap();
    let data = vec![0x5a; 4000];
    // TLS 1.3: 511 bytes of content, the type byte, the 16-byte tag;
    // TLS 1.2 (AES-GCM): 512 bytes, the 8-byte explicit nonce and the tag.
    for (version, largest) in [
        (ProtocolVersion::TLS13, 512 + 16),
        (ProtocolVersion::TLS12, 512 + 24),
    ] {
        let client = client_for(&[&pki], version).record_size_limit(512);
        let (mut client, mut server, result) = connect(client, &table, "example.com");
        assert_eq!(result, Ok(()));
        server.write_plaintext(&data).unwrap();
        let wire = server.take_tls();
        let lengths = protected_record_lengths(&wire);
        assert_eq!(lengths.iter().max(), Some(&largest), "{version:?}");
        client.read_tls_bytes(&wire).unwrap();
        client.process().unwrap();
        let mut got = vec![0; data.len()];
        std::io::Read::read_exact(&mut client.reader(), &mut got).unwrap();
        assert_eq!(got, data);
        // Without the limit, the records are as large as the data.
        let (_, mut server, _) = connect(client_for(&[&pki], version), &table, "example.com");
        server.write_plaintext(&data).unwrap();
        let lengths = protected_record_lengths(&server.take_tls());
        assert!(lengths.iter().max().unwrap() > &4000, "{version:?}");
    }
    // RFC 8449, Section 4: 64 to 2^14 + 1.
    for limit in [63, 16386] {
        let err = client_for(&[&pki], ProtocolVersion::TLS13)
            .record_size_limit(limit)
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            Error::Config(format!(
                "record_size_limit {limit} is outside 64..=16385 (RFC 8449)"
            ))
        );
    }
}

#[test]
fn a_server_record_over_the_limit_we_advertised_is_record_overflow() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let client = client_for(&[&pki], ProtocolVersion::TLS13).record_size_limit(512);
    let server = ServerConfig::builder().certificate(pki.certified_key());
    let mut mitm = Mitm::new(client, server);
    // The wire reseals each message as one record: the Certificate's, after
    // the EncryptedExtensions that acknowledged the limit, is too large.
    let flight = mitm.run_to(Side::Server, HandshakeType::CERTIFICATE);
    let len = flight.message(HandshakeType::CERTIFICATE).len() + 1;
    assert!(len > 512, "{len}");
    mitm.refused(
        flight,
        Error::RecordOverflow { len, max: 512 },
        AlertDescription::RECORD_OVERFLOW,
    );
}
