//! TLS 1.2 RSA key exchange (feature `rsa-kx`): in-memory handshakes, and the
//! server's refusal to be a padding oracle: every malformed ClientKeyExchange
//! ends exactly like a wrong pre-master secret.
#![cfg(feature = "rsa-kx")]

mod support;

use std::sync::Arc;

use keyway::crypto::sign::SigningKey;
use keyway::{
    AlertDescription, CertifiedKey, CipherSuite as C, ClientConfig, ClientHelloInfo, Error,
    ProtocolVersion as V, ResolvesServerCert, ServerConfig,
};
use support::rsa_kx::{
    attacker_flight, rsa_configs, run, server_at_client_key_exchange, Case, Outcome,
};
use support::{connect, send, KeyKind, TestPki};

#[test]
fn rsa_key_exchange_suites_complete_when_both_sides_enable_them() {
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    for suite in [
        C::TLS_RSA_WITH_AES_128_GCM_SHA256,
        C::TLS_RSA_WITH_AES_256_GCM_SHA384,
    ] {
        let client = ClientConfig::builder(pki.root_store())
            .cipher_suites(&[suite])
            .enable_rsa_key_exchange()
            .build()
            .unwrap();
        let server = ServerConfig::builder()
            .certificate(pki.certified_key())
            .enable_rsa_key_exchange()
            .build()
            .unwrap();
        let (mut c, mut s, result) = connect(client, server, "example.com");
        result.unwrap_or_else(|e| panic!("{suite:?}: {e}"));
        assert_eq!(c.negotiated().cipher_suite, Some(suite));
        assert_eq!(c.negotiated().version, Some(V::TLS12));
        assert_eq!(c.negotiated().group, None, "no ephemeral key exchange");
        assert_eq!(
            send(&mut c, &mut s, b"no forward secrecy"),
            b"no forward secrecy"
        );
    }
}

#[test]
fn rsa_key_exchange_is_off_unless_enabled_and_after_every_ecdhe_suite() {
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    // Listed without the explicit switch: a configuration error.
    let err = ClientConfig::builder(pki.root_store())
        .cipher_suites(&[C::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("enable_rsa_key_exchange"), "{err}");
    // Enabled on both sides, ECDHE still wins.
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[V::TLS12])
        .enable_rsa_key_exchange()
        .build()
        .unwrap();
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .enable_rsa_key_exchange()
        .build()
        .unwrap();
    let (c, _, result) = connect(client, server, "example.com");
    result.unwrap();
    assert_eq!(
        c.negotiated().cipher_suite,
        Some(C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
    );
    // A server that did not enable it does not pick it, even if that is all the client offers.
    let client = ClientConfig::builder(pki.root_store())
        .cipher_suites(&[C::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .enable_rsa_key_exchange()
        .build()
        .unwrap();
    let (_, _, result) = connect(
        client,
        ServerConfig::builder()
            .certificate(pki.certified_key())
            .build()
            .unwrap(),
        "example.com",
    );
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
}

/// An RSA key ring signs with but the rsa crate refuses cannot decrypt a
/// ClientKeyExchange. Given to the builder, it is a configuration error; from
/// a resolver (asked only during a handshake), the server still does ECDHE_RSA
/// with it, and refuses a client offering only RSA key exchange at its
/// ClientHello, naming the key as the reason, instead of failing later.
#[test]
fn an_rsa_key_that_cannot_decrypt_is_never_chosen_for_rsa_key_exchange() {
    #[derive(Debug)]
    struct Always(Arc<CertifiedKey>);
    impl ResolvesServerCert for Always {
        fn resolve(&self, _: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let key = SigningKey::from_der(&with_wrong_private_exponent(&pki.key_der))
        .expect("ring signs with the CRT values alone");
    let certified_key = CertifiedKey::new(
        vec![pki.leaf_der.clone(), pki.intermediate_der.clone()],
        Arc::new(key),
    );
    let unusable = |e: &Error| matches!(e, Error::Config(why) if why.contains("unusable for RSA key exchange"));
    let err = ServerConfig::builder()
        .certificate(certified_key.clone())
        .enable_rsa_key_exchange()
        .build()
        .unwrap_err();
    assert!(unusable(&err), "{err}");

    let resolver = Arc::new(Always(Arc::new(certified_key)));
    let server = || {
        ServerConfig::builder()
            .cert_resolver(resolver.clone())
            .enable_rsa_key_exchange()
            .build()
            .unwrap()
    };
    let client = |suites: &[C]| {
        ClientConfig::builder(pki.root_store())
            .cipher_suites(suites)
            .enable_rsa_key_exchange()
            .build()
            .unwrap()
    };
    let ecdhe = C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    let (c, _, result) = connect(
        client(&[C::TLS_RSA_WITH_AES_128_GCM_SHA256, ecdhe]),
        server(),
        "example.com",
    );
    result.unwrap();
    assert_eq!(c.negotiated().cipher_suite, Some(ecdhe));

    let (c, _, result) = connect(
        client(&[C::TLS_RSA_WITH_AES_128_GCM_SHA256]),
        server(),
        "example.com",
    );
    let err = result.unwrap_err();
    assert!(unusable(&err), "{err}");
    assert_eq!(c.negotiated().cipher_suite, None, "no ServerHello was sent");
}

/// `pkcs8` (an RSA key, PKCS#8 DER) with one bit of its private exponent d
/// flipped: ring still loads it (it signs with the CRT values and checks only
/// d's size), the rsa crate does not (d no longer inverts e).
fn with_wrong_private_exponent(pkcs8: &[u8]) -> Vec<u8> {
    // The DER element at `at`: where its contents start, and their length.
    fn element(der: &[u8], at: usize) -> (usize, usize) {
        match der[at + 1] {
            short @ 0..0x80 => (at + 2, usize::from(short)),
            long => {
                let n = usize::from(long & 0x7f);
                let len = der[at + 2..at + 2 + n]
                    .iter()
                    .fold(0, |len, b| len << 8 | usize::from(*b));
                (at + 2 + n, len)
            }
        }
    }
    // The contents of the element after `skip` others, from `at`.
    fn nth(der: &[u8], mut at: usize, skip: usize) -> (usize, usize) {
        for _ in 0..skip {
            let (start, len) = element(der, at);
            at = start + len;
        }
        element(der, at)
    }
    let mut der = pkcs8.to_vec();
    // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING }
    let (info, _) = element(&der, 0);
    let (private_key, _) = nth(&der, info, 2);
    // RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv }
    let (rsa_key, _) = element(&der, private_key);
    let (d, len) = nth(&der, rsa_key, 3);
    der[d + len - 1] ^= 2;
    der
}

/// The RSA key exchange without an oracle (README, "RSA key exchange"): every malformed
/// ClientKeyExchange must end the same way as a well-formed one carrying a
/// pre-master secret the client does not know: the server accepts the
/// ClientKeyExchange and ChangeCipherSpec, then fails the Finished record
/// with bad_record_mac. Only public length errors may fail earlier.
#[test]
fn malformed_client_key_exchanges_are_indistinguishable_from_a_wrong_pre_master() {
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let (client, server) = rsa_configs(&pki);
    for case in Case::ALL {
        for seed in [0x11u8, 0x5a] {
            let mut at = server_at_client_key_exchange(&client, &server);
            let (before, finished) = attacker_flight(&at, case, seed);
            let outcome = run(&mut at, &before, &finished);
            match case {
                Case::Valid => assert_eq!(outcome, Outcome::Completed, "{case:?}"),
                c if c.is_public_length_error() => {
                    let Outcome::Early(e) = &outcome else {
                        panic!("{case:?}: {outcome:?}")
                    };
                    assert_eq!(
                        e.alert(),
                        Some(AlertDescription::DECODE_ERROR),
                        "{case:?}: {e}"
                    );
                }
                _ => assert_eq!(
                    outcome,
                    Outcome::AtFinished(Error::DecryptFailed),
                    "{case:?}"
                ),
            }
            // Nothing the server sent depends on the case: only its fatal
            // bad_record_mac alert (in plaintext: it has not sent its own
            // ChangeCipherSpec yet).
            let sent = at.server.take_tls();
            if !matches!(outcome, Outcome::Completed) && !case.is_public_length_error() {
                assert_eq!(sent, [21, 3, 3, 0, 2, 2, 20], "{case:?}");
            }
        }
    }
}
