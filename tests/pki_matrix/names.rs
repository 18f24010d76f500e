//! RFC 5280 rules on names: the name constraints extension itself (critical,
//! CAs only, not empty, well-formed subtrees), subjectAltName syntax and
//! criticality, and the key identifier extensions.

use keyway::error::CertificateError;
use keyway::pki::{verify_server_chain, RootStore, ServerName, TrustAnchor, VerifyOptions};
use rcgen::{CertificateParams, CertifiedIssuer, DistinguishedName, GeneralSubtree, SanType};

use super::der::{self, extension};
use super::{
    ca_params, constrained, der as der_of, fails_like, fails_with, leaf, leaf_params, opts, p256,
    store, sub_ca, under, Pki,
};

/// A CA below the Pki's intermediate with the raw nameConstraints `value`.
fn ca_with_nc(pki: &Pki, value: Vec<u8>, critical: bool) -> super::Issuer {
    let mut params = ca_params("NC CA");
    params
        .custom_extensions
        .push(extension(der::NAME_CONSTRAINTS, value, critical));
    sub_ca(params, &pki.inter)
}

#[test]
fn name_constraints_must_be_critical_and_only_in_ca_certificates() {
    let pki = Pki::new();
    let critical = ca_with_nc(&pki, der::permitted_dns(&["example.com"]), true);
    assert!(under(
        &pki,
        &critical,
        leaf_params(&["a.example.com"]),
        "a.example.com"
    )
    .is_ok());
    let lax = ca_with_nc(&pki, der::permitted_dns(&["example.com"]), false);
    fails_with(
        under(&pki, &lax, leaf_params(&["a.example.com"]), "a.example.com"),
        CertificateError::BadEncoding(
            "certificate 1 (CN=NC CA) has a non-critical nameConstraints extension, which \
             RFC 5280, Section 4.2.1.10 requires to be critical"
                .into(),
        ),
    );
    // On an end-entity certificate, critical or not.
    let mut params = leaf_params(&["a.example.com"]);
    params.custom_extensions.push(extension(
        der::NAME_CONSTRAINTS,
        der::permitted_dns(&["example.com"]),
        true,
    ));
    fails_with(
        pki.check(&leaf(params, &pki.inter), "a.example.com"),
        CertificateError::BadEncoding(
            "certificate 0 (CN=leaf) is not a CA certificate but has a nameConstraints \
             extension, which RFC 5280, Section 4.2.1.10 allows only in CA certificates"
                .into(),
        ),
    );
    // A trusted root's, too.
    let mut params = ca_params("Lax Root");
    params.custom_extensions.push(extension(
        der::NAME_CONSTRAINTS,
        der::permitted_dns(&["example.com"]),
        false,
    ));
    let lax_root = CertifiedIssuer::self_signed(params, p256()).unwrap();
    let name = ServerName::try_from("a.example.com").unwrap();
    fails_with(
        verify_server_chain(
            &store(&[&lax_root]),
            &leaf(leaf_params(&["a.example.com"]), &lax_root),
            &[],
            &name,
            &opts(),
        ),
        CertificateError::BadEncoding(
            "the trusted root CN=Lax Root has a non-critical nameConstraints extension, which \
             RFC 5280, Section 4.2.1.10 requires to be critical"
                .into(),
        ),
    );
}

#[test]
fn name_constraints_may_not_be_empty() {
    let pki = Pki::new();
    let excluded_only = ca_with_nc(
        &pki,
        der::seq(&[der::tlv(0xa1, &der::seq(&[der::dns("evil.example")]))]),
        true,
    );
    assert!(under(
        &pki,
        &excluded_only,
        leaf_params(&["example.com"]),
        "example.com"
    )
    .is_ok());
    // Neither permittedSubtrees nor excludedSubtrees.
    let null = ca_with_nc(&pki, der::seq(&[]), true);
    fails_with(
        under(&pki, &null, leaf_params(&["example.com"]), "example.com"),
        CertificateError::BadEncoding(
            "certificate 1 (CN=NC CA) has name constraints with an empty structure: neither \
             permittedSubtrees nor excludedSubtrees (RFC 5280, Section 4.2.1.10)"
                .into(),
        ),
    );
    // An empty permittedSubtrees or excludedSubtrees (GeneralSubtrees is
    // SIZE (1..MAX)).
    for (tag, side) in [(0xa0, "permittedSubtrees"), (0xa1, "excludedSubtrees")] {
        let empty = ca_with_nc(&pki, der::seq(&[der::tlv(tag, &[])]), true);
        fails_with(
            under(&pki, &empty, leaf_params(&["example.com"]), "example.com"),
            CertificateError::BadEncoding(format!(
                "certificate 1 (CN=NC CA) has name constraints with an empty {side} (RFC 5280, \
                 Section 4.2.1.10)"
            )),
        );
    }
}

#[test]
fn dns_name_constraints_must_be_host_names() {
    let pki = Pki::new();
    let permitting =
        |base: &str| constrained(&pki, vec![GeneralSubtree::DnsName(base.into())], vec![]);
    assert!(under(
        &pki,
        &permitting("example.com"),
        leaf_params(&["foo.example.com"]),
        "foo.example.com"
    )
    .is_ok());
    for (base, why) in [
        (
            ".example.com",
            "it starts with '.' (a leading period is uniformResourceIdentifier constraint \
             syntax; a dNSName constraint already covers every name below it)",
        ),
        (
            "*.example.com",
            "a wildcard '*' may only be the whole left-most label",
        ),
        (
            "a_b.example.com",
            "it contains '_', which a host name may not (RFC 5280, Section 4.2.1.6 requires \
             the preferred name syntax of RFC 1034, Section 3.5)",
        ),
        ("example..com", "it has an empty label"),
    ] {
        fails_with(
            under(
                &pki,
                &permitting(base),
                leaf_params(&["foo.example.com"]),
                "foo.example.com",
            ),
            CertificateError::BadEncoding(format!(
                "certificate 1 (CN=NC CA) has an invalid dNSName name constraint {base:?}: \
                 {why} (RFC 5280, Section 4.2.1.10)"
            )),
        );
    }
}

#[test]
fn email_name_constraints_must_be_mailboxes_hosts_or_domains() {
    let pki = Pki::new();
    let with_mail = |mail: &str| {
        let mut params = leaf_params(&["example.com"]);
        params
            .subject_alt_names
            .push(SanType::Rfc822Name(mail.try_into().unwrap()));
        params
    };
    for base in ["ops@example.com", "example.com", ".example.com"] {
        let ca = constrained(&pki, vec![GeneralSubtree::Rfc822Name(base.into())], vec![]);
        let mail = if base.starts_with('.') {
            "ops@mail.example.com"
        } else {
            "ops@example.com"
        };
        assert!(
            under(&pki, &ca, with_mail(mail), "example.com").is_ok(),
            "{base}"
        );
    }
    let ca = constrained(
        &pki,
        vec![GeneralSubtree::Rfc822Name(
            "invalid@invalid@example.com".into(),
        )],
        vec![],
    );
    fails_with(
        under(&pki, &ca, with_mail("ops@example.com"), "example.com"),
        CertificateError::BadEncoding(
            "certificate 1 (CN=NC CA) has an invalid rfc822Name name constraint \
             \"invalid@invalid@example.com\": its local part holds a character a mailbox may \
             not (such as '@' outside quotes, a space, or a non-ASCII letter) (RFC 5280, \
             Section 4.2.1.10)"
                .into(),
        ),
    );
}

#[test]
fn malformed_names_cannot_slip_past_a_constraint() {
    // A constraint on example.com, and names a lenient reader would place
    // inside it.
    let pki = Pki::new();
    let ca = constrained(
        &pki,
        vec![
            GeneralSubtree::DnsName("example.com".into()),
            GeneralSubtree::Rfc822Name("example.com".into()),
        ],
        vec![],
    );
    assert!(under(
        &pki,
        &ca,
        leaf_params(&["foo.example.com"]),
        "foo.example.com"
    )
    .is_ok());
    fails_with(
        under(
            &pki,
            &ca,
            leaf_params(&[".example.com", "foo.example.com"]),
            "foo.example.com",
        ),
        CertificateError::BadEncoding(
            "certificate 0 (CN=leaf) has an invalid dNSName \".example.com\" in its \
             subjectAltName: it starts with '.'"
                .into(),
        ),
    );
    let mut params = leaf_params(&["foo.example.com"]);
    params.subject_alt_names.push(SanType::Rfc822Name(
        "invalid@address@example.com".try_into().unwrap(),
    ));
    fails_like(
        under(&pki, &ca, params, "foo.example.com"),
        CertificateError::BadEncoding,
        "certificate 0 (CN=leaf) has an invalid rfc822Name \"invalid@address@example.com\" in \
         its subjectAltName",
    );
    // An iPAddress SAN written as a network (address and mask).
    let mut params = leaf_params(&["foo.example.com"]);
    params.custom_extensions.push(extension(
        der::SAN,
        der::seq(&[
            der::dns("foo.example.com"),
            der::tlv(0x87, &[192, 0, 2, 0, 255, 255, 255, 0]),
        ]),
        false,
    ));
    params.subject_alt_names.clear();
    fails_with(
        under(&pki, &ca, params, "foo.example.com"),
        CertificateError::BadEncoding(
            "certificate 0 (CN=leaf) has an iPAddress of 8 octets in its subjectAltName (4 or \
             16 expected, RFC 5280, Section 4.2.1.6)"
                .into(),
        ),
    );
}

#[test]
fn subject_alt_name_dns_names_are_host_names() {
    let pki = Pki::new();
    for good in ["a-b.example.com", "*.example.com", "xn--nxasmq6b.example"] {
        let name = good.replace('*', "www");
        assert!(
            pki.check(&leaf(leaf_params(&[good]), &pki.inter), &name)
                .is_ok(),
            "{good}"
        );
    }
    for (bad, why) in [
        (
            "a_b.example.com",
            "it contains '_', which a host name may not (RFC 5280, Section 4.2.1.6 requires \
             the preferred name syntax of RFC 1034, Section 3.5)",
        ),
        ("a..example.com", "it has an empty label"),
        ("example.com.", "it ends with '.'"),
        (
            "w*w.example.com",
            "a wildcard '*' may only be the whole left-most label",
        ),
        (
            "caf\u{e9}.example.com",
            "only letters, digits and '-' are allowed (write international names in their \
             punycode A-label form)",
        ),
    ] {
        let mut params = leaf_params(&["example.com"]);
        params.subject_alt_names.clear();
        params.custom_extensions.push(extension(
            der::SAN,
            der::san_value(&["example.com", bad]),
            false,
        ));
        fails_with(
            pki.check(&leaf(params, &pki.inter), "example.com"),
            CertificateError::BadEncoding(format!(
                "certificate 0 (CN=leaf) has an invalid dNSName {bad:?} in its subjectAltName: \
                 {why}"
            )),
        );
    }
}

/// Leaf parameters with an empty subject.
fn nameless(names: &[&str]) -> CertificateParams {
    let mut params = leaf_params(names);
    params.distinguished_name = DistinguishedName::new();
    params
}

#[test]
fn subject_alt_name_is_critical_exactly_when_the_subject_is_empty() {
    let pki = Pki::new();
    // rcgen marks it critical for an empty subject.
    let path = pki
        .check(&leaf(nameless(&["example.com"]), &pki.inter), "example.com")
        .unwrap();
    assert!(
        path.to_string()
            .starts_with("certificate 0 (empty subject)\n"),
        "{path}"
    );
    let mut params = nameless(&[]);
    params
        .custom_extensions
        .push(extension(der::SAN, der::san_value(&["example.com"]), false));
    fails_with(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::BadEncoding(
            "certificate 0 (empty subject) has an empty subject and a non-critical \
             subjectAltName; RFC 5280, Section 4.2.1.6 requires it to be critical then"
                .into(),
        ),
    );
    fails_with(
        pki.check(&leaf(nameless(&[]), &pki.inter), "example.com"),
        CertificateError::BadEncoding(
            "certificate 0 (empty subject) has an empty subject and no subjectAltName, so it \
             names nothing (RFC 5280, Section 4.2.1.6)"
                .into(),
        ),
    );
    // With a subject, a critical subjectAltName is refused.
    let mut params = leaf_params(&[]);
    params
        .custom_extensions
        .push(extension(der::SAN, der::san_value(&["example.com"]), true));
    fails_with(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::BadEncoding(
            "certificate 0 (CN=leaf) marks its subjectAltName critical although its subject \
             is not empty (RFC 5280, Section 4.2.1.6; CA/Browser Forum Baseline Requirements, \
             Section 7.1.2.7.12)"
                .into(),
        ),
    );
}

#[test]
fn key_identifiers_are_never_critical_and_required_only_on_request() {
    let pki = Pki::new();
    for (oid, value, name, section) in [
        (
            der::AKI,
            der::aki_value(),
            "authorityKeyIdentifier",
            "4.2.1.1",
        ),
        (
            der::SKI,
            der::ski_value(),
            "subjectKeyIdentifier",
            "4.2.1.2",
        ),
    ] {
        let mut params = leaf_params(&["example.com"]);
        params
            .custom_extensions
            .push(extension(oid, value.clone(), false));
        assert!(pki.check(&leaf(params, &pki.inter), "example.com").is_ok());
        let mut params = leaf_params(&["example.com"]);
        params.custom_extensions.push(extension(oid, value, true));
        fails_with(
            pki.check(&leaf(params, &pki.inter), "example.com"),
            CertificateError::BadEncoding(format!(
                "certificate 0 (CN=leaf) marks its {name} critical, which RFC 5280, Section \
                 {section} forbids"
            )),
        );
    }

    // rcgen's defaults omit the authorityKeyIdentifier: accepted unless required.
    let strict = VerifyOptions {
        require_key_identifiers: true,
        ..opts()
    };
    let plain = leaf(leaf_params(&["example.com"]), &pki.inter);
    assert!(pki.check(&plain, "example.com").is_ok());
    fails_with(
        pki.check_with(&plain, &[der_of(&pki.inter)], "example.com", &strict),
        CertificateError::BadEncoding(
            "certificate 0 (CN=leaf) lacks an authorityKeyIdentifier with a keyIdentifier \
             (RFC 5280, Section 4.2.1.1), which VerifyOptions::require_key_identifiers requires"
                .into(),
        ),
    );
    let mut params = ca_params("Identified CA");
    params.use_authority_key_identifier_extension = true;
    let identified = sub_ca(params, &pki.root);
    let mut params = leaf_params(&["example.com"]);
    params.use_authority_key_identifier_extension = true;
    let l = leaf(params, &identified);
    assert!(pki
        .check_with(&l, &[der_of(&identified)], "example.com", &strict)
        .is_ok());
    // A CA certificate without a subjectKeyIdentifier (rcgen writes one for
    // every CA, so this one declares itself a CA by hand).
    let mut params = ca_params("Unidentified CA");
    params.is_ca = rcgen::IsCa::NoCa;
    params.use_authority_key_identifier_extension = true;
    params.custom_extensions.push(extension(
        der::BASIC_CONSTRAINTS,
        der::seq(&[der::tlv(0x01, &[0xff])]),
        true,
    ));
    let unidentified = sub_ca(params, &pki.root);
    let mut params = leaf_params(&["example.com"]);
    params.use_authority_key_identifier_extension = true;
    let l = leaf(params, &unidentified);
    assert!(pki
        .check_with(&l, &[der_of(&unidentified)], "example.com", &opts())
        .is_ok());
    fails_with(
        pki.check_with(&l, &[der_of(&unidentified)], "example.com", &strict),
        CertificateError::BadEncoding(
            "certificate 1 (CN=Unidentified CA) lacks a subjectKeyIdentifier, which every CA \
             certificate needs (RFC 5280, Section 4.2.1.2), which \
             VerifyOptions::require_key_identifiers requires"
                .into(),
        ),
    );
}

#[test]
fn bare_anchor_constraints_may_use_a_leading_period() {
    // Mozilla publishes some root constraints as `.tr`; a bare anchor (name,
    // key, constraints) keeps that meaning, a root certificate may not.
    let pki = Pki::new();
    let (_, root) = x509_parser::parse_x509_certificate(pki.root.der()).unwrap();
    let nc = der::permitted_dns(&[".example.com"]);
    let mut bare = RootStore::new();
    bare.add(
        TrustAnchor::from_parts(root.subject().as_raw(), root.public_key().raw, Some(&nc)).unwrap(),
    );
    let name = ServerName::try_from("www.example.com").unwrap();
    let inside = leaf(leaf_params(&["www.example.com"]), &pki.inter);
    let path = verify_server_chain(&bare, &inside, &[der_of(&pki.inter)], &name, &opts()).unwrap();
    assert_eq!(path.anchor().name(), "CN=Matrix Root");
    let outside = leaf(leaf_params(&["www.example.org"]), &pki.inter);
    let name = ServerName::try_from("www.example.org").unwrap();
    fails_with(
        verify_server_chain(&bare, &outside, &[der_of(&pki.inter)], &name, &opts()),
        CertificateError::NameConstraintViolation(
            "certificate 0 (CN=leaf) has the name www.example.org (dNSName), which is outside \
             the names the trusted root CN=Matrix Root permits (dNSName .example.com)"
                .into(),
        ),
    );

    let mut params = ca_params("Dotted Root");
    params
        .custom_extensions
        .push(extension(der::NAME_CONSTRAINTS, nc, true));
    let dotted = CertifiedIssuer::self_signed(params, p256()).unwrap();
    let name = ServerName::try_from("www.example.com").unwrap();
    fails_with(
        verify_server_chain(
            &store(&[&dotted]),
            &leaf(leaf_params(&["www.example.com"]), &dotted),
            &[],
            &name,
            &opts(),
        ),
        CertificateError::BadEncoding(
            "the trusted root CN=Dotted Root has an invalid dNSName name constraint \
             \".example.com\": it starts with '.' (a leading period is uniformResourceIdentifier \
             constraint syntax; a dNSName constraint already covers every name below it) (RFC \
             5280, Section 4.2.1.10)"
                .into(),
        ),
    );
}
