//! The same TLS 1.3 setup for keyway and rustls, for the side-by-side
//! benches: X25519, one cipher suite (TLS_AES_128_GCM_SHA256 unless a
//! [`Suite`] is named), the test PKI's ECDSA P-256 certificate, and no
//! session tickets from either server and no resumption on either client,
//! so both do the same work: every handshake is a full one.

use std::sync::Arc;

use keyway::{CipherSuite, NamedGroup};

use super::TestPki;

/// The TLS 1.3 cipher suites both stacks implement on ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

impl Suite {
    pub const ALL: [Suite; 3] = [Suite::Aes128Gcm, Suite::Aes256Gcm, Suite::Chacha20Poly1305];

    /// The name in bench ids.
    pub fn name(self) -> &'static str {
        match self {
            Suite::Aes128Gcm => "aes128gcm",
            Suite::Aes256Gcm => "aes256gcm",
            Suite::Chacha20Poly1305 => "chacha20poly1305",
        }
    }

    pub fn keyway(self) -> CipherSuite {
        match self {
            Suite::Aes128Gcm => CipherSuite::TLS_AES_128_GCM_SHA256,
            Suite::Aes256Gcm => CipherSuite::TLS_AES_256_GCM_SHA384,
            Suite::Chacha20Poly1305 => CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
        }
    }

    pub fn rustls(self) -> rustls::SupportedCipherSuite {
        use rustls::crypto::ring::cipher_suite as s;
        match self {
            Suite::Aes128Gcm => s::TLS13_AES_128_GCM_SHA256,
            Suite::Aes256Gcm => s::TLS13_AES_256_GCM_SHA384,
            Suite::Chacha20Poly1305 => s::TLS13_CHACHA20_POLY1305_SHA256,
        }
    }

    /// ring's AEAD, for the raw seal and open rows.
    pub fn ring(self) -> &'static ring::aead::Algorithm {
        match self {
            Suite::Aes128Gcm => &ring::aead::AES_128_GCM,
            Suite::Aes256Gcm => &ring::aead::AES_256_GCM,
            Suite::Chacha20Poly1305 => &ring::aead::CHACHA20_POLY1305,
        }
    }
}

pub fn keyway_configs(pki: &TestPki) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    keyway_configs_with(pki, &[NamedGroup::X25519])
}

/// `groups` for the client (its default key shares follow from them); the
/// server keeps its defaults, which prefer the hybrids.
pub fn keyway_configs_with(
    pki: &TestPki,
    groups: &[NamedGroup],
) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    keyway_configs_for(pki, Suite::Aes128Gcm, groups)
}

/// As [`keyway_configs_with`], offering only `suite`.
pub fn keyway_configs_for(
    pki: &TestPki,
    suite: Suite,
    groups: &[NamedGroup],
) -> (Arc<keyway::ClientConfig>, Arc<keyway::ServerConfig>) {
    let client = keyway::ClientConfig::builder(pki.root_store())
        .cipher_suites(&[suite.keyway()])
        .groups(groups)
        .session_store(None)
        .build()
        .unwrap();
    let server = keyway::ServerConfig::builder()
        .certificate(pki.certified_key())
        .session_tickets(0)
        .build()
        .unwrap();
    (Arc::new(client), Arc::new(server))
}

pub fn rustls_configs(pki: &TestPki) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    rustls_configs_for(pki, Suite::Aes128Gcm)
}

/// rustls with X25519 and only `suite`, no tickets and no resumption.
pub fn rustls_configs_for(
    pki: &TestPki,
    suite: Suite,
) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let provider = rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite.rustls()],
        kx_groups: vec![rustls::crypto::ring::kx_group::X25519],
        ..rustls::crypto::ring::default_provider()
    };
    let (mut client, mut server) = rustls_configs_on(pki, provider, &rustls::version::TLS13);
    client.resumption = rustls::client::Resumption::disabled();
    server.send_tls13_tickets = 0;
    (Arc::new(client), Arc::new(server))
}

/// rustls client and server configs for the test PKI on `provider`,
/// speaking only `version`, with rustls's defaults otherwise.
pub fn rustls_configs_on(
    pki: &TestPki,
    provider: rustls::crypto::CryptoProvider,
    version: &'static rustls::SupportedProtocolVersion,
) -> (rustls::ClientConfig, rustls::ServerConfig) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(provider);
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.root_der.clone()))
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let chain = vec![
        CertificateDer::from(pki.leaf_der.clone()),
        CertificateDer::from(pki.intermediate_der.clone()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone()));
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    (client, server)
}
