//! Trusted roots that came as certificates are held to what they say about
//! themselves when a path ends at them; a bare name and key is trusted as
//! configured.

use keyway::error::CertificateError;
use keyway::pki::{verify_server_chain, RootStore, ServerName, TrustAnchor, VerifiedPath};
use rcgen::{date_time_ymd, CertificateParams, CertifiedIssuer, IsCa, KeyUsagePurpose};

use super::der::{self, extension};
use super::{at, ca_params, fails_with, leaf, leaf_params, opts, p256, store, Issuer, PRIVATE_OID};

const FROM_PARTS: &str = "to trust its name and key regardless, add them with \
                          TrustAnchor::from_parts";

/// A root made from `params`, and a leaf for example.com it issued.
fn root_and_leaf(params: CertificateParams) -> (Issuer, Vec<u8>) {
    let root = CertifiedIssuer::self_signed(params, p256()).unwrap();
    let l = leaf(leaf_params(&["example.com"]), &root);
    (root, l)
}

fn verify(root: &Issuer, leaf: &[u8], now: u64) -> Result<VerifiedPath, CertificateError> {
    let name = ServerName::try_from("example.com").unwrap();
    verify_server_chain(&store(&[root]), leaf, &[], &name, &at(now))
}

/// The same root trusted as a bare subject and key.
fn verify_bare(root: &Issuer, leaf: &[u8], now: u64) -> Result<VerifiedPath, CertificateError> {
    let (_, cert) = x509_parser::parse_x509_certificate(root.der()).unwrap();
    let mut roots = RootStore::new();
    roots.add(
        TrustAnchor::from_parts(cert.subject().as_raw(), cert.public_key().raw, None).unwrap(),
    );
    let name = ServerName::try_from("example.com").unwrap();
    verify_server_chain(&roots, leaf, &[], &name, &at(now))
}

/// 2026-06-01, and 2024-06-01.
const NOW: u64 = super::NOW;
const EARLIER: u64 = 1_717_200_000;

#[test]
fn an_expired_root_is_refused_when_used() {
    let mut params = ca_params("Expired Root");
    params.not_after = date_time_ymd(2025, 1, 1);
    let (root, l) = root_and_leaf(params);
    assert!(verify(&root, &l, EARLIER).is_ok());
    fails_with(
        verify(&root, &l, NOW),
        CertificateError::Expired(
            "the trusted root CN=Expired Root expired at 2025-01-01T00:00:00Z (verification \
             time 2026-06-01T00:00:00Z)"
                .into(),
        ),
    );
    // Trusted as a bare name and key, its dates are not its own to say.
    assert!(verify_bare(&root, &l, NOW).is_ok());

    let mut params = ca_params("Future Root");
    params.not_before = date_time_ymd(2027, 1, 1);
    let (root, l) = root_and_leaf(params);
    fails_with(
        verify(&root, &l, NOW),
        CertificateError::NotYetValid(
            "the trusted root CN=Future Root is not valid before 2027-01-01T00:00:00Z \
             (verification time 2026-06-01T00:00:00Z)"
                .into(),
        ),
    );
}

#[test]
fn a_v3_root_must_be_a_ca_by_critical_basic_constraints() {
    let (good, l) = root_and_leaf(ca_params("Good Root"));
    assert!(verify(&good, &l, NOW).is_ok());
    let refused = |problem: &str, cn: &str| {
        CertificateError::InvalidPurpose(format!(
            "the trusted root CN={cn} cannot issue certificates: {problem} (RFC 5280, Section \
             4.2.1.9); {FROM_PARTS}"
        ))
    };

    let mut params = ca_params("No BC Root");
    params.is_ca = IsCa::NoCa;
    let (root, l) = root_and_leaf(params);
    fails_with(
        verify(&root, &l, NOW),
        refused(
            "it is an X.509 v3 certificate without a basicConstraints extension",
            "No BC Root",
        ),
    );
    assert!(verify_bare(&root, &l, NOW).is_ok());

    let mut params = ca_params("Not CA Root");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![];
    let (root, l) = root_and_leaf(params);
    fails_with(
        verify(&root, &l, NOW),
        refused(
            "its basicConstraints does not assert cA=true",
            "Not CA Root",
        ),
    );

    let mut params = ca_params("Lax BC Root");
    params.is_ca = IsCa::NoCa;
    params.custom_extensions.push(extension(
        der::BASIC_CONSTRAINTS,
        der::seq(&[der::tlv(0x01, &[0xff])]),
        false,
    ));
    let (root, l) = root_and_leaf(params);
    fails_with(
        verify(&root, &l, NOW),
        refused(
            "its basicConstraints extension is not critical",
            "Lax BC Root",
        ),
    );

    // cA=true but a keyUsage without keyCertSign: inconsistent.
    let mut params = ca_params("Inconsistent Root");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign];
    let (root, l) = root_and_leaf(params);
    fails_with(
        verify(&root, &l, NOW),
        refused(
            "its basicConstraints asserts cA=true but its keyUsage lacks keyCertSign \
             (inconsistent CA extensions, RFC 5280, Section 4.2.1.3)",
            "Inconsistent Root",
        ),
    );
}

#[test]
fn a_root_with_an_unknown_critical_extension_is_refused() {
    let mut params = ca_params("Odd Root");
    params
        .custom_extensions
        .push(extension(PRIVATE_OID, vec![5, 0], false));
    let (root, l) = root_and_leaf(params);
    assert!(verify(&root, &l, NOW).is_ok());

    let mut params = ca_params("Odd Root");
    params
        .custom_extensions
        .push(extension(PRIVATE_OID, vec![5, 0], true));
    let (root, l) = root_and_leaf(params);
    fails_with(
        verify(&root, &l, NOW),
        CertificateError::Unsupported(
            "the trusted root CN=Odd Root has a critical extension keyway does not process \
             (1.3.6.1.4.1.55555.1)"
                .into(),
        ),
    );
    assert!(verify_bare(&root, &l, NOW).is_ok());
}

#[test]
fn a_refused_root_does_not_stop_the_search_for_another() {
    // The same root key twice: an expired certificate and its renewal. The
    // store keeps both, and the renewed one ends the path.
    let key = p256();
    let key_der = key.serialize_der();
    let mut params = ca_params("Renewed Root");
    params.not_after = date_time_ymd(2025, 1, 1);
    let expired = CertifiedIssuer::self_signed(params, key).unwrap();
    let renewed = CertifiedIssuer::self_signed(
        ca_params("Renewed Root"),
        rcgen::KeyPair::try_from(key_der.as_slice()).unwrap(),
    )
    .unwrap();
    let l = leaf(leaf_params(&["example.com"]), &renewed);
    let roots = store(&[&expired, &renewed]);
    assert_eq!(roots.len(), 2);
    let name = ServerName::try_from("example.com").unwrap();
    let path = verify_server_chain(&roots, &l, &[], &name, &opts()).unwrap();
    assert_eq!(path.anchor().der(), renewed.der().as_ref());
}
