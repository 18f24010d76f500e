//! The CA/Browser Forum Baseline Requirements profile: on by default for
//! server certificates, relaxed by `VerifyOptions::baseline_requirements`
//! for private PKIs, never applied to client certificates. Each rule: a
//! chain that passes, one that fails by default, and the same one passing
//! once relaxed.

use keyway::error::CertificateError;
use keyway::pki::{verify_client_chain, verify_server_chain, ServerName, VerifyOptions};
use rcgen::{CertifiedIssuer, DistinguishedName, DnType, KeyUsagePurpose, SanType};

use super::der::{self, extension, RawRsaKey};
use super::{
    ca_params, der as der_of, fails_with, leaf, leaf_params, named, opts, p256, store, sub_ca, Pki,
    VerifiedPath,
};

const RELAX: &str = "for a private PKI, set VerifyOptions::baseline_requirements to false";

fn relaxed() -> VerifyOptions {
    VerifyOptions {
        baseline_requirements: false,
        ..opts()
    }
}

/// Leaf parameters with subject CN `cn` and the given subjectAltNames.
fn with_cn(cn: &str, names: &[&str]) -> rcgen::CertificateParams {
    let mut params = leaf_params(names);
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params
}

/// Checks `leaf` under the Pki's intermediate for `name`: refused with
/// `expected` by default, accepted relaxed and as a client certificate.
#[track_caller]
fn refused_then_relaxed(pki: &Pki, leaf: &[u8], name: &str, expected: CertificateError) {
    let chain = [der_of(&pki.inter)];
    fails_with(pki.check_with(leaf, &chain, name, &opts()), expected);
    assert!(pki.check_with(leaf, &chain, name, &relaxed()).is_ok());
    let roots = store(&[&pki.root]);
    assert!(verify_client_chain(&roots, leaf, &chain, &opts()).is_ok());
}

#[test]
fn a_host_name_in_the_common_name_is_a_subject_alt_name() {
    let pki = Pki::new();
    for (cn, names, host) in [
        ("example.com", &["example.com"][..], "example.com"),
        ("leaf", &["example.com"], "example.com"),
        ("Example Server 2.0", &["example.com"], "example.com"),
        ("*.example.com", &["*.example.com"], "www.example.com"),
    ] {
        assert!(
            pki.check(&leaf(with_cn(cn, names), &pki.inter), host)
                .is_ok(),
            "{cn}"
        );
    }
    let leaf_der = leaf(with_cn("www.example.com", &["example.com"]), &pki.inter);
    refused_then_relaxed(
        &pki,
        &leaf_der,
        "example.com",
        CertificateError::BadEncoding(format!(
            "certificate 0 (CN=www.example.com): the host name \"www.example.com\" in its \
             subject CN is not a character-for-character copy of a subjectAltName dNSName (its \
             dNSNames: example.com) (CA/Browser Forum Baseline Requirements, Section 7.1.4.3; \
             {RELAX})"
        )),
    );
    // Character for character: case matters.
    let leaf_der = leaf(with_cn("Example.COM", &["example.com"]), &pki.inter);
    refused_then_relaxed(
        &pki,
        &leaf_der,
        "example.com",
        CertificateError::BadEncoding(format!(
            "certificate 0 (CN=Example.COM): the host name \"Example.COM\" in its subject CN is \
             not a character-for-character copy of a subjectAltName dNSName (its dNSNames: \
             example.com) (CA/Browser Forum Baseline Requirements, Section 7.1.4.3; {RELAX})"
        )),
    );
}

#[test]
fn an_ip_address_in_the_common_name_is_canonical_and_a_subject_alt_name() {
    let pki = Pki::new();
    for (cn, ip) in [
        ("192.168.1.1", "192.168.1.1"),
        ("2001:db8::1", "2001:db8::1"),
    ] {
        assert!(
            pki.check(&leaf(with_cn(cn, &[ip]), &pki.inter), ip).is_ok(),
            "{cn}"
        );
    }
    for (cn, ip, canonical) in [
        ("0xC0A80101", "192.168.1.1", "192.168.1.1"),
        ("192.168.001.001", "192.168.1.1", "192.168.1.1"),
        ("2001:DB8::1", "2001:db8::1", "2001:db8::1"),
        (
            "2001:0db8:0000:0000:0000:0000:0000:0001",
            "2001:db8::1",
            "2001:db8::1",
        ),
    ] {
        let leaf_der = leaf(with_cn(cn, &[ip]), &pki.inter);
        refused_then_relaxed(
            &pki,
            &leaf_der,
            ip,
            CertificateError::BadEncoding(format!(
                "certificate 0 (CN={cn}): the IP address {cn:?} in its subject CN is not in \
                 canonical form ({canonical}), so it is no copy of a subjectAltName value \
                 (CA/Browser Forum Baseline Requirements, Section 7.1.4.3; {RELAX})"
            )),
        );
    }
    let leaf_der = leaf(with_cn("192.0.2.1", &["192.0.2.2"]), &pki.inter);
    refused_then_relaxed(
        &pki,
        &leaf_der,
        "192.0.2.2",
        CertificateError::BadEncoding(format!(
            "certificate 0 (CN=192.0.2.1): the IP address 192.0.2.1 in its subject CN is not a \
             subjectAltName iPAddress (its iPAddresses: 192.0.2.2) (CA/Browser Forum Baseline \
             Requirements, Section 7.1.4.3; {RELAX})"
        )),
    );
}

#[test]
fn an_end_entity_may_not_sign_certificates() {
    let pki = Pki::new();
    let mut params = leaf_params(&["example.com"]);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    assert!(pki.check(&leaf(params, &pki.inter), "example.com").is_ok());
    let mut params = leaf_params(&["example.com"]);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    refused_then_relaxed(
        &pki,
        &leaf(params, &pki.inter),
        "example.com",
        CertificateError::InvalidPurpose(format!(
            "certificate 0 (CN=leaf) is an end-entity certificate whose keyUsage asserts \
             keyCertSign (RFC 5280, Section 4.2.1.9; CA/Browser Forum Baseline Requirements, \
             Section 7.1.2.7.11; {RELAX})"
        )),
    );
}

#[test]
fn a_ca_has_a_subject() {
    // An intermediate with an empty subject (and so a critical
    // subjectAltName, which rcgen adds).
    let pki = Pki::new();
    let mut params = ca_params("");
    params.distinguished_name = DistinguishedName::new();
    params.subject_alt_names = vec![SanType::DnsName("ca.example".try_into().unwrap())];
    let nameless = sub_ca(params, &pki.inter);
    let l = leaf(leaf_params(&["example.com"]), &nameless);
    let chain = [der_of(&nameless), der_of(&pki.inter)];
    fails_with(
        pki.check_with(&l, &chain, "example.com", &opts()),
        CertificateError::BadEncoding(format!(
            "certificate 1 (empty subject) is a CA certificate with an empty subject (RFC 5280, \
             Section 4.1.2.6; CA/Browser Forum Baseline Requirements; {RELAX})"
        )),
    );
    assert!(pki
        .check_with(&l, &chain, "example.com", &relaxed())
        .is_ok());
    // A trusted root with an empty subject.
    let mut params = ca_params("");
    params.distinguished_name = DistinguishedName::new();
    let root = CertifiedIssuer::self_signed(params, p256()).unwrap();
    let l = leaf(leaf_params(&["example.com"]), &root);
    let name = ServerName::try_from("example.com").unwrap();
    fails_with(
        verify_server_chain(&store(&[&root]), &l, &[], &name, &opts()),
        CertificateError::BadEncoding(format!(
            "the trusted root empty subject is a CA certificate with an empty subject (RFC \
             5280, Section 4.1.2.6; CA/Browser Forum Baseline Requirements; {RELAX})"
        )),
    );
    assert!(verify_server_chain(&store(&[&root]), &l, &[], &name, &relaxed()).is_ok());
}

#[test]
fn rsa_moduli_are_whole_bytes() {
    // The leaf's key is never used to sign here, so any modulus will do.
    let pki = Pki::new();
    let issue = |bits| {
        leaf_params(&["example.com"])
            .signed_by(&RawRsaKey::with_modulus_bits(bits), &pki.inter)
            .unwrap()
            .der()
            .to_vec()
    };
    assert!(pki.check(&issue(2056), "example.com").is_ok());
    refused_then_relaxed(
        &pki,
        &issue(2052),
        "example.com",
        CertificateError::Unsupported(format!(
            "certificate 0 (CN=leaf) has a 2052-bit RSA key; the modulus size must be a \
             multiple of 8 bits (CA/Browser Forum Baseline Requirements, Section 6.1.5; {RELAX})"
        )),
    );
}

#[test]
fn authority_info_access_is_well_formed_and_not_critical() {
    let pki = Pki::new();
    let with_aia = |value: Vec<u8>, critical| {
        let mut params = leaf_params(&["example.com"]);
        params
            .custom_extensions
            .push(extension(der::AIA, value, critical));
        leaf(params, &pki.inter)
    };
    assert!(pki
        .check(&with_aia(der::aia_value(), false), "example.com")
        .is_ok());
    let malformed = with_aia(b"malformed".to_vec(), false);
    let chain = [der_of(&pki.inter)];
    let err = pki
        .check_with(&malformed, &chain, "example.com", &opts())
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, CertificateError::BadEncoding(_))
            && text.starts_with(
                "certificate 0 (CN=leaf) has a malformed authorityInfoAccess extension: it \
                 does not parse: "
            )
            && text.ends_with(&format!(
                "(RFC 5280, Section 4.2.2.1; CA/Browser Forum Baseline Requirements; {RELAX})"
            )),
        "{err:?}"
    );
    assert!(pki
        .check_with(&malformed, &chain, "example.com", &relaxed())
        .is_ok());
    refused_then_relaxed(
        &pki,
        &with_aia(der::seq(&[]), false),
        "example.com",
        CertificateError::BadEncoding(format!(
            "certificate 0 (CN=leaf) has a malformed authorityInfoAccess extension: it holds \
             no AccessDescription (RFC 5280, Section 4.2.2.1; CA/Browser Forum Baseline \
             Requirements; {RELAX})"
        )),
    );
    // Critical is an RFC 5280 error, relaxed or not.
    let critical = with_aia(der::aia_value(), true);
    let expected = CertificateError::BadEncoding(
        "certificate 0 (CN=leaf) marks its authorityInfoAccess extension critical, which RFC \
         5280, Section 4.2.2.1 forbids"
            .into(),
    );
    fails_with(pki.check(&critical, "example.com"), expected.clone());
    fails_with(
        pki.check_with(&critical, &chain, "example.com", &relaxed()),
        expected,
    );
}

#[test]
fn policy_constraints_are_critical() {
    let pki = Pki::new();
    let ca_with_pc = |critical| {
        let mut params = ca_params("Policy CA");
        params.custom_extensions.push(extension(
            der::POLICY_CONSTRAINTS,
            der::policy_constraints_value(),
            critical,
        ));
        sub_ca(params, &pki.inter)
    };
    let check = |ca: &super::Issuer, options: &VerifyOptions| -> Result<VerifiedPath, _> {
        let l = leaf(leaf_params(&["example.com"]), ca);
        pki.check_with(
            &l,
            &[der_of(ca), der_of(&pki.inter)],
            "example.com",
            options,
        )
    };
    let lax = ca_with_pc(false);
    fails_with(
        check(&lax, &opts()),
        CertificateError::BadEncoding(format!(
            "certificate 1 (CN=Policy CA) has a non-critical policyConstraints extension, which \
             must be critical (RFC 5280, Section 4.2.1.11; CA/Browser Forum Baseline \
             Requirements; {RELAX})"
        )),
    );
    // Relaxed, a non-critical extension keyway does not process is ignored.
    assert!(check(&lax, &relaxed()).is_ok());
    // A critical one meets the rule, and is refused for another reason:
    // keyway does not process certificate policies.
    fails_with(
        check(&ca_with_pc(true), &opts()),
        CertificateError::Unsupported(
            "certificate 1 (CN=Policy CA) has a critical policyConstraints extension \
             (2.5.29.36); keyway does not process certificate policies"
                .into(),
        ),
    );
}

#[test]
fn the_profile_leaves_ordinary_private_pki_certificates_alone() {
    // What rcgen issues by default (no extendedKeyUsage, no key identifiers,
    // a CN that is no host) passes with the profile on.
    let pki = Pki::new();
    let mut params = named("Internal Service", rcgen::CertificateParams::default());
    params.subject_alt_names = vec![SanType::DnsName("svc.internal".try_into().unwrap())];
    let l = leaf(params, &pki.inter);
    let path = pki.check(&l, "svc.internal").unwrap();
    assert_eq!(
        path.to_string(),
        "certificate 0 (CN=Internal Service)\ncertificate 1 (CN=Matrix Intermediate)\n\
         trusted root (CN=Matrix Root)"
    );
}
