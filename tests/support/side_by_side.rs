//! The same TLS 1.3 setup for keyway and rustls, for the side-by-side
//! benches: X25519, TLS_AES_128_GCM_SHA256, the test PKI's ECDSA P-256
//! certificate, and no session tickets from the rustls server (keyway sends
//! none), so both do the same work.

use std::sync::Arc;

use keyway::{CipherSuite, NamedGroup};

use super::TestPki;

pub fn keyway_configs(pki: &TestPki) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    keyway_configs_with(pki, &[NamedGroup::X25519])
}

/// `groups` for the client (its default key shares follow from them); the
/// server keeps its defaults, which prefer the hybrids.
pub fn keyway_configs_with(
    pki: &TestPki,
    groups: &[NamedGroup],
) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    let client = keyway::ClientConfig::builder(pki.root_store())
        .cipher_suites(&[CipherSuite::TLS_AES_128_GCM_SHA256])
        .groups(groups)
        .build()
        .unwrap();
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    (Arc::new(client), Arc::new(server))
}

pub fn rustls_configs(pki: &TestPki) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256],
        kx_groups: vec![rustls::crypto::ring::kx_group::X25519],
        ..rustls::crypto::ring::default_provider()
    });
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.root_der.clone()))
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let chain = vec![
        CertificateDer::from(pki.leaf_der.clone()),
        CertificateDer::from(pki.intermediate_der.clone()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone()));
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    server.send_tls13_tickets = 0;
    (Arc::new(client), Arc::new(server))
}
