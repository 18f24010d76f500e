//! The work one verification may do is bounded: a chain built to make name
//! constraint checking quadratic stops at the name comparison budget, with
//! an error naming it, on servers and on clients alike.

use keyway::error::CertificateError;
use keyway::pki::{ClientCertVerifier, DefaultClientVerifier, VerifyOptions, MAX_NAME_COMPARISONS};
use rcgen::{ExtendedKeyUsagePurpose, GeneralSubtree, NameConstraints};

use super::{ca_params, der, fails_with, leaf, leaf_params, opts, store, sub_ca, Pki};

/// A CA permitting `n` DNS subtrees and a leaf with `n` names that all fall
/// in the last one: every name is compared with every subtree, n * n
/// comparisons, and the chain is valid.
fn quadratic(pki: &Pki, n: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut params = ca_params("Many Constraints CA");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: (0..n)
            .map(|i| GeneralSubtree::DnsName(format!("p{i}.example")))
            .collect(),
        excluded_subtrees: vec![],
    });
    let ca = sub_ca(params, &pki.inter);
    let last = format!("p{}.example", n - 1);
    let names: Vec<String> = (0..n).map(|j| format!("h{j}.{last}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut params = leaf_params(&names);
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let l = leaf(params, &ca);
    (l, vec![der(&ca), der(&pki.inter)])
}

#[test]
fn name_comparisons_stop_at_the_budget() {
    let pki = Pki::new();
    // 500 names against 500 subtrees: exactly the default budget.
    assert_eq!(MAX_NAME_COMPARISONS, 250_000);
    let (l, chain) = quadratic(&pki, 500);
    let host = "h7.p499.example";
    assert!(pki.check_with(&l, &chain, host, &opts()).is_ok());
    let one_less = VerifyOptions {
        max_name_comparisons: 249_999,
        ..opts()
    };
    let exhausted = CertificateError::TooMuchWork(
        "gave up after 249999 name comparisons (VerifyOptions::max_name_comparisons): the \
         chain has too many names or name constraints"
            .into(),
    );
    fails_with(
        pki.check_with(&l, &chain, host, &one_less),
        exhausted.clone(),
    );

    // A server asking for client certificates is protected the same way.
    let verifier = DefaultClientVerifier::with_options(
        std::sync::Arc::new(store(&[&pki.root])),
        one_less.clone(),
    );
    assert_eq!(
        verifier.verify_client_cert(
            &l,
            &chain,
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(super::NOW)
        ),
        Err(exhausted)
    );
    assert_eq!(
        keyway::Error::from(CertificateError::TooMuchWork(String::new())).alert(),
        Some(keyway::codec::AlertDescription::CERTIFICATE_UNKNOWN)
    );
}

#[test]
fn the_default_budget_refuses_a_chain_past_it() {
    let pki = Pki::new();
    let (l, chain) = quadratic(&pki, 600);
    fails_with(
        pki.check_with(&l, &chain, "h7.p599.example", &opts()),
        CertificateError::TooMuchWork(
            "gave up after 250000 name comparisons (VerifyOptions::max_name_comparisons): the \
             chain has too many names or name constraints"
                .into(),
        ),
    );
}

#[test]
fn signature_checks_are_weighted_by_their_cost() {
    // Three look-alike issuers that fail: with P-256 keys they cost 3 units;
    // with P-384 keys, 12 each, so a budget of 24 stops at the third.
    let pki = Pki::new();
    let l = leaf(leaf_params(&["example.com"]), &pki.inter);
    let decoys = |algorithm| -> Vec<Vec<u8>> {
        (0..3)
            .map(|_| {
                let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
                let stranger = super::root("Stranger");
                der(&rcgen::CertifiedIssuer::signed_by(
                    ca_params("Matrix Intermediate"),
                    key,
                    &stranger,
                )
                .unwrap())
            })
            .collect()
    };
    let budget = VerifyOptions {
        max_signature_checks: 24,
        ..opts()
    };
    let p256 = decoys(&rcgen::PKCS_ECDSA_P256_SHA256);
    super::fails_like(
        pki.check_with(&l, &p256, "example.com", &budget),
        CertificateError::BadSignature,
        "the signature on certificate 0 (CN=leaf) does not verify with the key of certificate 1",
    );
    let p384 = decoys(&rcgen::PKCS_ECDSA_P384_SHA384);
    fails_with(
        pki.check_with(&l, &p384, "example.com", &budget),
        super::signatures_exhausted(24),
    );
}

#[test]
fn a_ca_already_on_the_path_is_not_tried_again() {
    // Nine certificates of one CA (same name, same key, issued by itself):
    // every order of them would verify, but a path through the same CA twice
    // is a loop (RFC 4158, Section 5.2). The search ends after one check per
    // certificate instead of running through the signature budget.
    let pki = Pki::new();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let issuer = rcgen::Issuer::new(ca_params("Loop CA"), key);
    let copies: Vec<Vec<u8>> = (1..=9u64)
        .map(|serial| {
            let mut params = ca_params("Loop CA");
            params.serial_number = Some(serial.into());
            params
                .signed_by(issuer.key(), &issuer)
                .unwrap()
                .der()
                .to_vec()
        })
        .collect();
    let l = leaf_params(&["example.com"])
        .signed_by(
            &rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
            &issuer,
        )
        .unwrap()
        .der()
        .to_vec();
    let budget = VerifyOptions {
        max_signature_checks: 9,
        ..opts()
    };
    fails_with(
        pki.check_with(&l, &copies, "example.com", &budget),
        CertificateError::UnknownIssuer(
            "no path to a trusted root: certificate 1 (CN=Loop CA) is self-signed and not in \
             the root store"
                .into(),
        ),
    );
}
