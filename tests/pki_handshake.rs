//! The handshake uses the validator: an expired, a name-constrained and a
//! revoked server certificate fail the TLS 1.3 handshake with the alert
//! `error.rs` maps them to, and the server receives that alert. (Wrong name
//! and unknown CA are in tests/tls13.rs and tests/openssl.rs.)

mod support;

use std::sync::Arc;

use keyway::codec::AlertDescription;
use keyway::error::CertificateError;
use keyway::pki::{DefaultServerVerifier, VerifyOptions};
use keyway::{CertifiedKey, ClientConfig, Error, RootStore, ServerConfig};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CertifiedIssuer, DistinguishedName, DnType, GeneralSubtree, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, NameConstraints, RevokedCertParams, SerialNumber,
};
use support::{connect, transfer};

fn ca(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn p256() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

/// A server whose certificate for example.com is made from `params`, issued
/// by `issuer`.
fn server(
    mut params: CertificateParams,
    issuer: &CertifiedIssuer<'static, KeyPair>,
) -> ServerConfig {
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "server");
    let key = p256();
    let cert = params.signed_by(&key, issuer).unwrap();
    let signing =
        keyway::pki::pem::load_private_key_pem(key.serialize_pem().as_bytes(), "key").unwrap();
    ServerConfig::builder()
        .certificate(CertifiedKey {
            chain: vec![cert.der().to_vec()],
            key: Arc::new(signing),
        })
        .build()
        .unwrap()
}

fn roots(root: &CertifiedIssuer<'static, KeyPair>) -> RootStore {
    let mut roots = RootStore::new();
    roots.add_der(root.der()).unwrap();
    roots
}

/// Runs the handshake; returns the client's error and the alert the server got.
fn refused(client: ClientConfig, server: ServerConfig) -> (Error, Option<Error>) {
    let (mut c, mut s, result) = connect(client, server, "example.com");
    let err = result.unwrap_err();
    let _ = transfer(&mut c, &mut s);
    (err, s.error().cloned())
}

#[test]
fn an_expired_server_certificate_is_certificate_expired() {
    let root = CertifiedIssuer::self_signed(ca("Root"), p256()).unwrap();
    let mut params = CertificateParams::new(vec!["example.com".into()]).unwrap();
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2021, 1, 1);
    let client = ClientConfig::builder(roots(&root)).build().unwrap();
    let (err, at_server) = refused(client, server(params, &root));
    assert!(
        matches!(err, Error::InvalidCertificate(CertificateError::Expired(ref m))
            if m.starts_with("certificate 0 (CN=server) expired at 2021-01-01T00:00:00Z")),
        "{err}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::CERTIFICATE_EXPIRED));
    assert_eq!(
        at_server,
        Some(Error::AlertReceived(AlertDescription::CERTIFICATE_EXPIRED))
    );
}

#[test]
fn a_name_outside_the_roots_constraints_is_bad_certificate() {
    let mut params = ca("Constrained Root");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.net".into())],
        excluded_subtrees: vec![],
    });
    let root = CertifiedIssuer::self_signed(params, p256()).unwrap();
    let leaf = CertificateParams::new(vec!["example.com".into()]).unwrap();
    let client = ClientConfig::builder(roots(&root)).build().unwrap();
    let (err, at_server) = refused(client, server(leaf, &root));
    assert!(
        matches!(
            err,
            Error::InvalidCertificate(CertificateError::NameConstraintViolation(_))
        ),
        "{err}"
    );
    assert_eq!(
        at_server,
        Some(Error::AlertReceived(AlertDescription::BAD_CERTIFICATE))
    );
}

#[test]
fn a_revoked_server_certificate_is_certificate_revoked() {
    let root = CertifiedIssuer::self_signed(ca("Root"), p256()).unwrap();
    let mut leaf = CertificateParams::new(vec!["example.com".into()]).unwrap();
    leaf.serial_number = Some(SerialNumber::from(99u64));
    // The handshake verifies at the current time: a CRL current for decades.
    let crl = CertificateRevocationListParams {
        this_update: date_time_ymd(2020, 1, 1),
        next_update: date_time_ymd(2090, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(99u64),
            revocation_time: date_time_ymd(2020, 1, 2),
            reason_code: None,
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&root)
    .unwrap();
    let options = VerifyOptions {
        crls: vec![crl.der().to_vec()],
        ..VerifyOptions::default()
    };
    let verifier = DefaultServerVerifier::with_options(Arc::new(roots(&root)), options);
    let client = ClientConfig::builder(roots(&root))
        .verifier(Arc::new(verifier))
        .build()
        .unwrap();
    let (err, at_server) = refused(client, server(leaf, &root));
    assert!(
        matches!(err, Error::InvalidCertificate(CertificateError::Revoked(_))),
        "{err}"
    );
    assert_eq!(
        at_server,
        Some(Error::AlertReceived(AlertDescription::CERTIFICATE_REVOKED))
    );
}
