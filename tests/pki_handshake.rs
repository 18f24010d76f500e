//! The handshake uses the validator: a server certificate for the wrong
//! name, from an unknown CA, expired, outside its root's name constraints or
//! revoked fails the handshake, in TLS 1.3 and in TLS 1.2, with the alert
//! `error.rs` maps the error to, and the server receives that alert. (The
//! same against `openssl s_server` is in tests/openssl.rs.)

mod support;

use std::sync::Arc;

use keyway::codec::AlertDescription;
use keyway::error::CertificateError;
use keyway::pki::{DefaultServerVerifier, VerifyOptions};
use keyway::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, Error, ProtocolVersion, RootStore,
    ServerConfig,
};
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

/// A certificate for the server made from `params` (CN=server), issued by
/// `issuer`, with its key.
fn server_key(
    mut params: CertificateParams,
    issuer: &CertifiedIssuer<'static, KeyPair>,
) -> CertifiedKey {
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "server");
    let key = p256();
    let cert = params.signed_by(&key, issuer).unwrap();
    let signing =
        keyway::pki::pem::load_private_key_pem(key.serialize_pem().as_bytes(), "key").unwrap();
    CertifiedKey {
        chain: vec![cert.der().to_vec()],
        key: Arc::new(signing),
        ocsp_response: None,
    }
}

fn roots(root: &CertifiedIssuer<'static, KeyPair>) -> RootStore {
    let mut roots = RootStore::new();
    roots.add_der(root.der()).unwrap();
    roots
}

/// Connects to a server presenting `key` as "example.com" in TLS 1.3 and in
/// TLS 1.2; each time the client must fail with the same error, send
/// `alert`, and the server must receive it. Returns the client's error.
fn refused_in_both_versions(
    client: impl Fn() -> ClientConfigBuilder,
    key: CertifiedKey,
    alert: AlertDescription,
) -> Error {
    let mut errors = Vec::new();
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let client = client().versions(&[version]).build().unwrap();
        let server = ServerConfig::builder()
            .certificate(key.clone())
            .build()
            .unwrap();
        let (mut c, mut s, result) = connect(client, server, "example.com");
        let err = result.unwrap_err();
        let _ = transfer(&mut c, &mut s);
        assert_eq!(err.alert(), Some(alert), "{version:?}: {err}");
        assert_eq!(
            s.error(),
            Some(&Error::AlertReceived(alert)),
            "{version:?}: the server got another alert"
        );
        errors.push(err);
    }
    assert_eq!(errors[0], errors[1], "the versions disagree");
    errors.remove(0)
}

#[test]
fn a_certificate_for_another_name_is_certificate_unknown() {
    let root = CertifiedIssuer::self_signed(ca("Root"), p256()).unwrap();
    let params = CertificateParams::new(vec!["www.example.com".into()]).unwrap();
    let err = refused_in_both_versions(
        || ClientConfig::builder(roots(&root)),
        server_key(params, &root),
        AlertDescription::CERTIFICATE_UNKNOWN,
    );
    assert_eq!(
        err,
        Error::InvalidCertificate(CertificateError::NotValidForName(
            "certificate 0 (CN=server) is valid for www.example.com, not for example.com".into()
        ))
    );
}

#[test]
fn a_certificate_from_an_unknown_ca_is_unknown_ca() {
    let root = CertifiedIssuer::self_signed(ca("Root"), p256()).unwrap();
    let stranger = CertifiedIssuer::self_signed(ca("Stranger CA"), p256()).unwrap();
    let params = CertificateParams::new(vec!["example.com".into()]).unwrap();
    let err = refused_in_both_versions(
        || ClientConfig::builder(roots(&root)),
        server_key(params, &stranger),
        AlertDescription::UNKNOWN_CA,
    );
    assert!(
        matches!(err, Error::InvalidCertificate(CertificateError::UnknownIssuer(ref m))
            if m.contains("CN=Stranger CA")),
        "{err}"
    );
}

#[test]
fn an_expired_server_certificate_is_certificate_expired() {
    let root = CertifiedIssuer::self_signed(ca("Root"), p256()).unwrap();
    let mut params = CertificateParams::new(vec!["example.com".into()]).unwrap();
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2021, 1, 1);
    let err = refused_in_both_versions(
        || ClientConfig::builder(roots(&root)),
        server_key(params, &root),
        AlertDescription::CERTIFICATE_EXPIRED,
    );
    assert!(
        matches!(err, Error::InvalidCertificate(CertificateError::Expired(ref m))
            if m.starts_with("certificate 0 (CN=server) expired at 2021-01-01T00:00:00Z")),
        "{err}"
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
    let err = refused_in_both_versions(
        || ClientConfig::builder(roots(&root)),
        server_key(leaf, &root),
        AlertDescription::BAD_CERTIFICATE,
    );
    assert!(
        matches!(
            err,
            Error::InvalidCertificate(CertificateError::NameConstraintViolation(ref m))
                if m == "certificate 0 (CN=server) has the name example.com (dNSName), which is \
                         outside the names the trusted root CN=Constrained Root permits \
                         (dNSName example.net)"
        ),
        "{err}"
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
    let verifier = Arc::new(DefaultServerVerifier::with_options(
        Arc::new(roots(&root)),
        options,
    ));
    let err = refused_in_both_versions(
        || ClientConfig::builder(roots(&root)).verifier(verifier.clone()),
        server_key(leaf, &root),
        AlertDescription::CERTIFICATE_REVOKED,
    );
    assert!(
        matches!(err, Error::InvalidCertificate(CertificateError::Revoked(ref m))
            if m == "certificate 0 (CN=server) was revoked at 2020-01-02T00:00:00Z \
                     (CRL issued by CN=Root at 2020-01-01T00:00:00Z)"),
        "{err}"
    );
}
