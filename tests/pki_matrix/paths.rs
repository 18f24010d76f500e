//! Self-issued intermediates (a CA's key rollover: subject == issuer, new
//! key) and the depth limit.

use keyway::error::CertificateError;
use keyway::pki::{verify_server_chain, ServerName, VerifyOptions};
use rcgen::{BasicConstraints, CertifiedIssuer, GeneralSubtree, IsCa, NameConstraints};

use super::{
    ca_params, der, fails_with, leaf, leaf_params, opts, p256, root, store, sub_ca, Issuer, Pki,
};

fn with_path_len(cn: &str, len: u8) -> rcgen::CertificateParams {
    let mut params = ca_params(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(len));
    params
}

#[test]
fn self_issued_intermediates_do_not_count_toward_path_length() {
    // RFC 5280, Section 4.2.1.9 and 6.1.4(l):
    // root -> Rollover CA (pathLen 1) -> Rollover CA, new key (self-issued,
    // pathLen 1) -> Issuing CA (pathLen 0) -> leaf.
    let pki = Pki::new();
    let old = sub_ca(with_path_len("Rollover CA", 1), &pki.root);
    let rolled = sub_ca(with_path_len("Rollover CA", 1), &old);
    let issuing = sub_ca(with_path_len("Issuing CA", 0), &rolled);
    let l = leaf(leaf_params(&["example.com"]), &issuing);
    let chain = [der(&issuing), der(&rolled), der(&old)];
    let path = pki.check_with(&l, &chain, "example.com", &opts()).unwrap();
    assert_eq!(path.positions().collect::<Vec<_>>(), [0, 1, 2, 3]);

    // The same path with a CA of another name in the middle: it counts.
    let old = sub_ca(with_path_len("Rollover CA", 1), &pki.root);
    let other = sub_ca(with_path_len("Other CA", 1), &old);
    let issuing = sub_ca(with_path_len("Issuing CA", 0), &other);
    let l = leaf(leaf_params(&["example.com"]), &issuing);
    fails_with(
        pki.check_with(
            &l,
            &[der(&issuing), der(&other), der(&old)],
            "example.com",
            &opts(),
        ),
        CertificateError::InvalidPurpose(
            "certificate 3 (CN=Rollover CA) allows 1 intermediate certificates below it \
             (pathLenConstraint) but the path has 2 (self-issued ones not counted)"
                .into(),
        ),
    );
}

/// A root named CN=not-example.com that permits only example.com below it.
fn constrained_root() -> Issuer {
    let mut params = ca_params("not-example.com");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
        excluded_subtrees: vec![],
    });
    CertifiedIssuer::self_signed(params, p256()).unwrap()
}

#[test]
fn self_issued_intermediates_are_exempt_from_name_constraints_unless_last() {
    // RFC 5280, Section 4.2.1.10: "Name constraints are not applied to
    // self-issued certificates (unless the certificate is the final
    // certificate in the path)". The intermediate, named like the root and
    // with a subjectAltName outside the constraint, is a rollover.
    let root = constrained_root();
    let roots = store(&[&root]);
    let name = ServerName::try_from("www.example.com").unwrap();
    let mut params = ca_params("not-example.com");
    params.subject_alt_names = vec![rcgen::SanType::DnsName(
        "not-example.com".try_into().unwrap(),
    )];
    let rollover = sub_ca(params, &root);
    let l = leaf(leaf_params(&["www.example.com"]), &rollover);
    let path = verify_server_chain(&roots, &l, &[der(&rollover)], &name, &opts()).unwrap();
    assert_eq!(path.positions().collect::<Vec<_>>(), [0, 1]);

    // The same intermediate under another name is bound by the constraint.
    let mut params = ca_params("Sub CA");
    params.subject_alt_names = vec![rcgen::SanType::DnsName(
        "not-example.com".try_into().unwrap(),
    )];
    let sub = sub_ca(params, &root);
    let l = leaf(leaf_params(&["www.example.com"]), &sub);
    fails_with(
        verify_server_chain(&roots, &l, &[der(&sub)], &name, &opts()),
        CertificateError::NameConstraintViolation(
            "certificate 1 (CN=Sub CA) has the name not-example.com (dNSName), which is \
             outside the names the trusted root CN=not-example.com permits (dNSName \
             example.com)"
                .into(),
        ),
    );

    // A self-issued end entity is last in the path: not exempt.
    let mut params = leaf_params(&["not-example.com"]);
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "not-example.com");
    let self_issued_leaf = leaf(params, &rollover);
    let other = ServerName::try_from("not-example.com").unwrap();
    fails_with(
        verify_server_chain(
            &roots,
            &self_issued_leaf,
            &[der(&rollover)],
            &other,
            &opts(),
        ),
        CertificateError::NameConstraintViolation(
            "certificate 0 (CN=not-example.com) has the name not-example.com (dNSName), which \
             is outside the names the trusted root CN=not-example.com permits (dNSName \
             example.com)"
                .into(),
        ),
    );
}

fn depth(max_depth: usize) -> VerifyOptions {
    VerifyOptions {
        max_depth,
        ..opts()
    }
}

#[test]
fn depth_counts_intermediates_as_openssl_verify_depth() {
    // 0: only a leaf issued directly by a trusted root.
    let pki = Pki::new();
    let direct = leaf(leaf_params(&["example.com"]), &pki.root);
    assert!(pki
        .check_with(&direct, &[], "example.com", &depth(0))
        .is_ok());
    let under_inter = leaf(leaf_params(&["example.com"]), &pki.inter);
    let refused = CertificateError::UnknownIssuer(
        "no path to a trusted root within 0 intermediate certificates \
         (VerifyOptions::max_depth, counted as `openssl verify -verify_depth` counts them)"
            .into(),
    );
    fails_with(
        pki.check_with(&under_inter, &[der(&pki.inter)], "example.com", &depth(0)),
        refused,
    );
    assert!(pki
        .check_with(&under_inter, &[der(&pki.inter)], "example.com", &depth(1))
        .is_ok());

    // A self-issued intermediate counts (as OpenSSL counts it; the
    // interop test in tests/pki_verify_example.rs compares the two).
    let root = root("Depth Root");
    let ica = sub_ca(ca_params("Depth CA"), &root);
    let rolled = sub_ca(ca_params("Depth CA"), &ica);
    let l = leaf(leaf_params(&["example.com"]), &rolled);
    let roots = store(&[&root]);
    let name = ServerName::try_from("example.com").unwrap();
    let chain = [der(&rolled), der(&ica)];
    assert!(verify_server_chain(&roots, &l, &chain, &name, &depth(2)).is_ok());
    fails_with(
        verify_server_chain(&roots, &l, &chain, &name, &depth(1)),
        CertificateError::UnknownIssuer(
            "no path to a trusted root within 1 intermediate certificates \
             (VerifyOptions::max_depth, counted as `openssl verify -verify_depth` counts them)"
                .into(),
        ),
    );
}
