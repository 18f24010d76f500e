//! The certificate validator against a PKI generated at test time with rcgen
//! (and a few OpenSSL-made certificates in testdata/pki/, see the script
//! there): each rule with at least one chain that passes and one that fails,
//! and the error a person would read.
//!
//! This file holds the PKI helpers and the basic rules; the modules hold the
//! RFC 5280 and CA/Browser Forum rules by theme: `paths` (self-issued
//! intermediates, depth), `names` (name constraints, subjectAltName, key
//! identifiers), `profile` (the Baseline Requirements), `anchors` (trusted
//! roots), `crls` (revocation lists) and `work` (the budgets on hostile
//! chains). Every verification runs at a fixed time.

mod support;

#[path = "pki_matrix/anchors.rs"]
mod anchors;
#[path = "pki_matrix/crls.rs"]
mod crls;
#[path = "pki_matrix/der.rs"]
mod der;
#[path = "pki_matrix/names.rs"]
mod names;
#[path = "pki_matrix/paths.rs"]
mod paths;
#[path = "pki_matrix/profile.rs"]
mod profile;
#[path = "pki_matrix/work.rs"]
mod work;

use der::{ca_params, named, p256};

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use keyway::codec::AlertDescription;
use keyway::error::{CertificateError, Error};
use keyway::pki::{
    verify_client_chain, verify_server_chain, DefaultServerVerifier, LeafKeyUsage, RootStore,
    ServerCertVerifier, ServerName, UnknownStatusPolicy, VerifiedPath, VerifyOptions,
};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CertifiedIssuer, CidrSubnet, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose,
    NameConstraints, RevokedCertParams, SanType, SerialNumber,
};

type Issuer = CertifiedIssuer<'static, KeyPair>;

/// 2026-06-01T00:00:00Z; certificates are valid 2020..2040 unless a test says otherwise.
const NOW: u64 = 1_780_272_000;

/// 2030-01-01T00:00:00Z: inside the validity of the OpenSSL-made certificates
/// in testdata/pki/ (made 2026-11-22, valid for 100 years).
const FIXTURES: u64 = 1_893_456_000;

fn at(secs: u64) -> VerifyOptions {
    VerifyOptions {
        time: Some(UNIX_EPOCH + Duration::from_secs(secs)),
        ..VerifyOptions::default()
    }
}

fn opts() -> VerifyOptions {
    at(NOW)
}

fn testdata(name: &str) -> String {
    format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let names = names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    named("leaf", CertificateParams::new(names).unwrap())
}

fn rsa(file: &str) -> KeyPair {
    let pem = std::fs::read_to_string(testdata(file)).unwrap();
    KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap()
}

fn root(cn: &str) -> Issuer {
    CertifiedIssuer::self_signed(ca_params(cn), p256()).unwrap()
}

fn sub_ca(params: CertificateParams, parent: &Issuer) -> Issuer {
    CertifiedIssuer::signed_by(params, p256(), parent).unwrap()
}

fn leaf(params: CertificateParams, parent: &Issuer) -> Vec<u8> {
    params.signed_by(&p256(), parent).unwrap().der().to_vec()
}

fn der(issuer: &Issuer) -> Vec<u8> {
    issuer.der().to_vec()
}

fn store(anchors: &[&Issuer]) -> RootStore {
    let mut roots = RootStore::new();
    for a in anchors {
        roots.add_der(a.der()).unwrap();
    }
    roots
}

/// Root -> Intermediate -> leaf for example.com.
struct Pki {
    root: Issuer,
    inter: Issuer,
}

impl Pki {
    fn new() -> Self {
        let root = root("Matrix Root");
        let inter = sub_ca(ca_params("Matrix Intermediate"), &root);
        Pki { root, inter }
    }

    fn check(&self, leaf: &[u8], name: &str) -> Result<VerifiedPath, CertificateError> {
        self.check_with(leaf, &[der(&self.inter)], name, &opts())
    }

    fn check_with(
        &self,
        leaf: &[u8],
        chain: &[Vec<u8>],
        name: &str,
        options: &VerifyOptions,
    ) -> Result<VerifiedPath, CertificateError> {
        let name = ServerName::try_from(name).unwrap();
        verify_server_chain(&store(&[&self.root]), leaf, chain, &name, options)
    }
}

#[track_caller]
fn fails_with(result: Result<VerifiedPath, CertificateError>, expected: CertificateError) {
    assert_eq!(result.map(|p| p.to_string()), Err(expected));
}

#[track_caller]
fn fails_like(
    result: Result<VerifiedPath, CertificateError>,
    kind: fn(String) -> CertificateError,
    text: &str,
) {
    let err = result.expect_err("should fail");
    assert_eq!(
        core::mem::discriminant(&err),
        core::mem::discriminant(&kind(String::new())),
        "{err:?}"
    );
    assert!(err.to_string().contains(text), "{err} lacks {text:?}");
}

/// The error when the signature budget `limit` runs out.
fn signatures_exhausted(limit: usize) -> CertificateError {
    CertificateError::TooMuchWork(format!(
        "gave up after {limit} signature checks (VerifyOptions::max_signature_checks, where a \
         P-384 or large RSA key counts as several): the chain offers too many candidate issuers"
    ))
}

/// Replaces every occurrence of `from` with `to` (same length).
fn patch(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = der.to_vec();
    let mut i = 0;
    let mut hits = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
            hits += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(hits > 0, "pattern not found");
    out
}

const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01, 0x00];

#[test]
fn a_good_chain_verifies_and_returns_its_path() {
    let pki = Pki::new();
    let leaf = leaf(leaf_params(&["example.com"]), &pki.inter);
    let path = pki.check(&leaf, "example.com").unwrap();
    assert_eq!(
        path.to_string(),
        "certificate 0 (CN=leaf)\ncertificate 1 (CN=Matrix Intermediate)\n\
         trusted root (CN=Matrix Root)"
    );
    assert_eq!(path.certificates().count(), 2);
    assert_eq!(path.anchor().der(), pki.root.der().as_ref());
}

#[test]
fn validity_is_checked_at_the_given_time() {
    let pki = Pki::new();
    let mut params = leaf_params(&["example.com"]);
    params.not_after = date_time_ymd(2026, 1, 1);
    let old = leaf(params, &pki.inter);
    // 2025-06-01: still valid.
    let chain = [der(&pki.inter)];
    assert!(pki
        .check_with(&old, &chain, "example.com", &at(1_748_736_000))
        .is_ok());
    fails_with(
        pki.check(&old, "example.com"),
        CertificateError::Expired(
            "certificate 0 (CN=leaf) expired at 2026-01-01T00:00:00Z \
             (verification time 2026-06-01T00:00:00Z)"
                .into(),
        ),
    );
    let mut params = leaf_params(&["example.com"]);
    params.not_before = date_time_ymd(2030, 1, 1);
    fails_like(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::NotYetValid,
        "certificate 0 (CN=leaf) is not valid before 2030-01-01T00:00:00Z",
    );
    // An expired intermediate, named by position and subject.
    let mut params = ca_params("Matrix Intermediate");
    params.not_after = date_time_ymd(2026, 1, 1);
    let expired = sub_ca(params, &pki.root);
    fails_with(
        pki.check_with(
            &leaf(leaf_params(&["example.com"]), &expired),
            &[der(&expired)],
            "example.com",
            &opts(),
        ),
        CertificateError::Expired(
            "certificate 1 (CN=Matrix Intermediate) expired at 2026-01-01T00:00:00Z \
             (verification time 2026-06-01T00:00:00Z)"
                .into(),
        ),
    );
}

#[test]
fn unknown_issuers_are_named() {
    let pki = Pki::new();
    let leaf = leaf(leaf_params(&["example.com"]), &pki.inter);
    fails_with(
        pki.check_with(&leaf, &[], "example.com", &opts()),
        CertificateError::UnknownIssuer(
            "no path to a trusted root: the issuer of certificate 0 (CN=Matrix Intermediate) \
             is neither in the root store nor sent by the peer"
                .into(),
        ),
    );
}

#[test]
fn signature_algorithms_rsa_ecdsa_ed25519_pass_sha1_and_mismatches_fail() {
    // P-384 root, RSA-2048 intermediate, Ed25519 leaf.
    let root = CertifiedIssuer::self_signed(
        ca_params("P384 Root"),
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
    )
    .unwrap();
    let inter = CertifiedIssuer::signed_by(ca_params("RSA CA"), rsa("rsa2048.pem"), &root).unwrap();
    let ed = leaf_params(&["example.com"])
        .signed_by(
            &KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
            &inter,
        )
        .unwrap();
    let name = ServerName::try_from("example.com").unwrap();
    let roots = store(&[&root]);
    assert!(verify_server_chain(&roots, ed.der(), &[der(&inter)], &name, &opts()).is_ok());

    // ECDSA-SHA1 (same length OID patched in both places): refused by name.
    let pki = Pki::new();
    let good = leaf(leaf_params(&["example.com"]), &pki.inter);
    let sha1 = patch(&good, ECDSA_SHA256, ECDSA_SHA1);
    fails_like(
        pki.check(&sha1, "example.com"),
        CertificateError::Unsupported,
        "certificate 0 (CN=leaf) is signed with an unsupported algorithm",
    );
    // The outer algorithm differs from the signed one: refused before verifying.
    let outer_at = good
        .windows(ECDSA_SHA256.len())
        .rposition(|w| w == ECDSA_SHA256)
        .unwrap();
    let mut mismatch = good.clone();
    mismatch[outer_at..outer_at + ECDSA_SHA256.len()].copy_from_slice(ECDSA_SHA384);
    fails_like(
        pki.check(&mismatch, "example.com"),
        CertificateError::BadEncoding,
        "signatureAlgorithm differs from the signature field",
    );
    // A flipped signature bit.
    let mut tampered = good.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    fails_like(
        pki.check(&tampered, "example.com"),
        CertificateError::BadSignature,
        "the signature on certificate 0 (CN=leaf) does not verify with the key of \
         certificate 1 (CN=Matrix Intermediate)",
    );
    // sha1WithRSAEncryption is refused by name.
    let sha1_rsa = patch(
        ed.der(),
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05],
    );
    let refused = verify_server_chain(&roots, &sha1_rsa, &[der(&inter)], &name, &opts());
    fails_like(
        refused,
        CertificateError::Unsupported,
        "sha1WithRSAEncryption",
    );
}

fn pem_file(name: &str) -> Vec<u8> {
    keyway::pki::load_certs_pem_file(testdata(name))
        .unwrap()
        .remove(0)
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    // Made by testdata/pki/make-openssl-cases.sh: ring will not sign with a
    // 1024-bit key, so rcgen cannot issue one.
    let mut roots = RootStore::new();
    roots.add_der(&pem_file("pki/v1-root.pem")).unwrap();
    let name = ServerName::try_from("small.test").unwrap();
    let now = at(FIXTURES);
    fails_with(
        verify_server_chain(&roots, &pem_file("pki/rsa1024-leaf.pem"), &[], &name, &now),
        CertificateError::Unsupported(
            "certificate 0 (CN=small leaf) has a 1024-bit RSA key; at least 2048 bits are \
             required (also with legacy_algorithms: TLS cannot use a smaller key)"
                .into(),
        ),
    );
    // The 2048-bit root's own key is fine (it signs the next test's leaf).
}

#[test]
fn sha1_and_small_rsa_ca_keys_only_when_legacy_algorithms_are_allowed() {
    // Made by testdata/pki/make-openssl-cases.sh (rcgen signs neither).
    let mut roots = RootStore::new();
    roots.add_der(&pem_file("pki/v1-root.pem")).unwrap();
    let strict = at(FIXTURES);
    let legacy = VerifyOptions {
        legacy_algorithms: true,
        ..at(FIXTURES)
    };
    let sha1_leaf = pem_file("pki/sha1-leaf.pem");
    let small_issuer = pem_file("pki/rsa1024-inter.pem");
    let small_issuer_leaf = pem_file("pki/rsa1024-inter-leaf.pem");
    // (name, leaf, intermediates, the strict refusal)
    type Case<'a> = (&'a str, &'a [u8], &'a [Vec<u8>], &'a str);
    let cases: [Case<'_>; 2] = [
        (
            "sha1.test",
            &sha1_leaf,
            &[],
            "certificate 0 (CN=v1 leaf) is signed with sha1WithRSAEncryption",
        ),
        (
            "small-issuer.test",
            &small_issuer_leaf,
            std::slice::from_ref(&small_issuer),
            "certificate 1 (CN=Small Intermediate) has a 1024-bit RSA key",
        ),
    ];
    for (host, leaf, intermediates, refusal) in cases {
        let name = ServerName::try_from(host).unwrap();
        fails_like(
            verify_server_chain(&roots, leaf, intermediates, &name, &strict),
            CertificateError::Unsupported,
            refusal,
        );
        let path = verify_server_chain(&roots, leaf, intermediates, &name, &legacy)
            .unwrap_or_else(|e| panic!("{host} with legacy_algorithms: {e}"));
        assert!(path.to_string().contains("V1 Root"), "{path}");
    }
    // A small end-entity key stays refused: no TLS signature could use it.
    let name = ServerName::try_from("small.test").unwrap();
    fails_like(
        verify_server_chain(
            &roots,
            &pem_file("pki/rsa1024-leaf.pem"),
            &[],
            &name,
            &legacy,
        ),
        CertificateError::Unsupported,
        "certificate 0 (CN=small leaf) has a 1024-bit RSA key; at least 2048 bits are required \
         (also with legacy_algorithms",
    );
    // MD5 stays refused (ring has no verifier for it), legacy or not.
    let md5 = patch(
        &sha1_leaf,
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05],
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04],
    );
    let name = ServerName::try_from("sha1.test").unwrap();
    fails_like(
        verify_server_chain(&roots, &md5, &[], &name, &legacy),
        CertificateError::Unsupported,
        "md5WithRSAEncryption",
    );
}

#[test]
fn v1_certificates_only_as_trust_anchors() {
    let mut roots = RootStore::new();
    roots.add_der(&pem_file("pki/v1-root.pem")).unwrap();
    let name = ServerName::try_from("v1.test").unwrap();
    let now = at(FIXTURES);
    // A v1 root has no extensions to say it is a CA, and is trusted as one.
    let path =
        verify_server_chain(&roots, &pem_file("pki/v1-root-leaf.pem"), &[], &name, &now).unwrap();
    assert_eq!(
        path.to_string(),
        "certificate 0 (CN=v1 leaf)\ntrusted root (CN=V1 Root)"
    );
    fails_with(
        verify_server_chain(
            &roots,
            &pem_file("pki/v1-inter-leaf.pem"),
            &[pem_file("pki/v1-inter.pem")],
            &name,
            &now,
        ),
        CertificateError::Unsupported(
            "certificate 1 (CN=V1 Intermediate) is an X.509 v1 certificate; only trust \
             anchors may be v1 or v2"
                .into(),
        ),
    );
}

#[test]
fn basic_constraints_and_path_length() {
    let pki = Pki::new();
    let not_ca = sub_ca(named("Not A CA", CertificateParams::default()), &pki.inter);
    let chain = [der(&not_ca), der(&pki.inter)];
    fails_with(
        pki.check_with(
            &leaf(leaf_params(&["example.com"]), &not_ca),
            &chain,
            "example.com",
            &opts(),
        ),
        CertificateError::InvalidPurpose(
            "certificate 1 (CN=Not A CA) is not a CA (no basicConstraints cA=true) but issued \
             certificate 0 (CN=leaf)"
                .into(),
        ),
    );
    let mut params = ca_params("Len0");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let len0 = sub_ca(params, &pki.inter);
    let chain = [der(&len0), der(&pki.inter)];
    assert!(pki
        .check_with(
            &leaf(leaf_params(&["example.com"]), &len0),
            &chain,
            "example.com",
            &opts()
        )
        .is_ok());
    let below = sub_ca(ca_params("Below Len0"), &len0);
    let chain = [der(&below), der(&len0), der(&pki.inter)];
    fails_like(
        pki.check_with(
            &leaf(leaf_params(&["example.com"]), &below),
            &chain,
            "example.com",
            &opts(),
        ),
        CertificateError::InvalidPurpose,
        "certificate 2 (CN=Len0) allows 0 intermediate certificates below it",
    );
}

#[test]
fn key_usage_for_issuers_and_leaves() {
    let pki = Pki::new();
    let mut params = ca_params("No Cert Sign");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let weak = sub_ca(params, &pki.inter);
    fails_like(
        pki.check_with(
            &leaf(leaf_params(&["example.com"]), &weak),
            &[der(&weak), der(&pki.inter)],
            "example.com",
            &opts(),
        ),
        CertificateError::InvalidPurpose,
        "certificate 1 (CN=No Cert Sign) may not sign certificates: its keyUsage lacks keyCertSign",
    );

    let mut params = leaf_params(&["example.com"]);
    params.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let rsa_kx = leaf(params, &pki.inter);
    let chain = [der(&pki.inter)];
    assert!(pki.check(&rsa_kx, "example.com").is_ok());
    let ecdhe = VerifyOptions {
        leaf_key_usage: LeafKeyUsage::DigitalSignature,
        ..opts()
    };
    fails_like(
        pki.check_with(&rsa_kx, &chain, "example.com", &ecdhe),
        CertificateError::InvalidPurpose,
        "its keyUsage lacks digitalSignature",
    );
    let kx = VerifyOptions {
        leaf_key_usage: LeafKeyUsage::KeyEncipherment,
        ..opts()
    };
    assert!(pki.check_with(&rsa_kx, &chain, "example.com", &kx).is_ok());
    let mut params = leaf_params(&["example.com"]);
    params.key_usages = vec![KeyUsagePurpose::CrlSign];
    fails_like(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::InvalidPurpose,
        "digitalSignature or keyEncipherment",
    );
}

#[test]
fn extended_key_usage_with_any_and_on_intermediates() {
    let pki = Pki::new();
    let roots = store(&[&pki.root]);
    let chain = [der(&pki.inter)];
    let mut params = leaf_params(&["example.com"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = leaf(params, &pki.inter);
    assert!(verify_client_chain(&roots, &client, &chain, &opts()).is_ok());
    fails_like(
        pki.check(&client, "example.com"),
        CertificateError::InvalidPurpose,
        "may not be used for serverAuth",
    );
    // anyExtendedKeyUsage alone does not make a server certificate...
    let mut params = leaf_params(&["example.com"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::Any];
    fails_like(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::InvalidPurpose,
        "lists only anyExtendedKeyUsage",
    );
    // ...but on an intermediate it restricts nothing.
    let mut params = ca_params("Any CA");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::Any];
    let any_ca = sub_ca(params, &pki.inter);
    let path = [der(&any_ca), der(&pki.inter)];
    let server_leaf = leaf(leaf_params(&["example.com"]), &any_ca);
    assert!(pki
        .check_with(&server_leaf, &path, "example.com", &opts())
        .is_ok());
    // An e-mail-only intermediate constrains the path below it.
    let mut params = ca_params("Mail CA");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    let mail_ca = sub_ca(params, &pki.inter);
    fails_like(
        pki.check_with(
            &leaf(leaf_params(&["example.com"]), &mail_ca),
            &[der(&mail_ca), der(&pki.inter)],
            "example.com",
            &opts(),
        ),
        CertificateError::InvalidPurpose,
        "certificate 1 (CN=Mail CA) may not be used for serverAuth",
    );
}

fn constrained(pki: &Pki, permitted: Vec<GeneralSubtree>, excluded: Vec<GeneralSubtree>) -> Issuer {
    let mut params = ca_params("NC CA");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: excluded,
    });
    sub_ca(params, &pki.inter)
}

/// Verifies a leaf with `params` under `ca` (which sits below the intermediate).
fn under(
    pki: &Pki,
    ca: &Issuer,
    params: CertificateParams,
    name: &str,
) -> Result<VerifiedPath, CertificateError> {
    let leaf = leaf(params, ca);
    pki.check_with(&leaf, &[der(ca), der(&pki.inter)], name, &opts())
}

#[test]
fn dns_name_constraints_permit_and_exclude() {
    let pki = Pki::new();
    let ca = constrained(
        &pki,
        vec![GeneralSubtree::DnsName("example.com".into())],
        vec![GeneralSubtree::DnsName("secret.example.com".into())],
    );
    assert!(under(&pki, &ca, leaf_params(&["a.example.com"]), "a.example.com").is_ok());
    fails_with(
        under(&pki, &ca, leaf_params(&["example.org"]), "example.org"),
        CertificateError::NameConstraintViolation(
            "certificate 0 (CN=leaf) has the name example.org (dNSName), which is outside the \
             names certificate 1 (CN=NC CA) permits (dNSName example.com)"
                .into(),
        ),
    );
    fails_with(
        under(
            &pki,
            &ca,
            leaf_params(&["x.secret.example.com"]),
            "x.secret.example.com",
        ),
        CertificateError::NameConstraintViolation(
            "certificate 0 (CN=leaf) has the name x.secret.example.com (dNSName), which \
             certificate 1 (CN=NC CA) excludes (dNSName secret.example.com)"
                .into(),
        ),
    );
    // A wildcard that could reach the excluded name is refused too.
    fails_with(
        under(
            &pki,
            &ca,
            leaf_params(&["*.example.com"]),
            "www.example.com",
        ),
        CertificateError::NameConstraintViolation(
            "certificate 0 (CN=leaf) has the name *.example.com (dNSName), which certificate 1 \
             (CN=NC CA) excludes (dNSName secret.example.com)"
                .into(),
        ),
    );
}

#[test]
fn ip_name_constraints_apply_masks_for_v4_and_v6() {
    let pki = Pki::new();
    let ca = constrained(
        &pki,
        vec![
            GeneralSubtree::IpAddress(CidrSubnet::V4([192, 0, 2, 0], [255, 255, 255, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(
                [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            )),
        ],
        vec![],
    );
    assert!(under(&pki, &ca, leaf_params(&["192.0.2.9"]), "192.0.2.9").is_ok());
    assert!(under(&pki, &ca, leaf_params(&["2001:db8::5"]), "2001:db8::5").is_ok());
    fails_like(
        under(&pki, &ca, leaf_params(&["198.51.100.1"]), "198.51.100.1"),
        CertificateError::NameConstraintViolation,
        "198.51.100.1 (iPAddress), which is outside the names certificate 1 (CN=NC CA) \
         permits (iPAddress 192.0.2.0/24",
    );
    fails_like(
        under(&pki, &ca, leaf_params(&["2001:db9::5"]), "2001:db9::5"),
        CertificateError::NameConstraintViolation,
        "2001:db9::5 (iPAddress)",
    );
    let excl = constrained(
        &pki,
        vec![],
        vec![GeneralSubtree::IpAddress(CidrSubnet::V4(
            [10, 0, 0, 0],
            [255, 0, 0, 0],
        ))],
    );
    assert!(under(&pki, &excl, leaf_params(&["192.0.2.9"]), "192.0.2.9").is_ok());
    fails_like(
        under(&pki, &excl, leaf_params(&["10.1.2.3"]), "10.1.2.3"),
        CertificateError::NameConstraintViolation,
        "excludes (iPAddress 10.0.0.0/8)",
    );
}

#[test]
fn directory_name_constraints_bind_the_subject() {
    let pki = Pki::new();
    let mut base = DistinguishedName::new();
    base.push(DnType::OrganizationName, "Example");
    let ca = constrained(&pki, vec![GeneralSubtree::DirectoryName(base)], vec![]);
    let with_org = |org: &str| {
        let mut params = leaf_params(&["example.com"]);
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::OrganizationName, org);
        params.distinguished_name.push(DnType::CommonName, "leaf");
        params
    };
    assert!(under(&pki, &ca, with_org("Example"), "example.com").is_ok());
    fails_like(
        under(&pki, &ca, with_org("Other"), "example.com"),
        CertificateError::NameConstraintViolation,
        "has the name O=Other, CN=leaf (directoryName), which is outside the names \
         certificate 1 (CN=NC CA) permits (directoryName O=Example)",
    );
}

#[test]
fn rfc822_name_constraints_bind_email_names() {
    let pki = Pki::new();
    let ca = constrained(
        &pki,
        vec![GeneralSubtree::Rfc822Name("example.com".into())],
        vec![],
    );
    let with_mail = |mail: &str| {
        let mut params = leaf_params(&["example.com"]);
        params
            .subject_alt_names
            .push(SanType::Rfc822Name(mail.try_into().unwrap()));
        params
    };
    assert!(under(&pki, &ca, with_mail("ops@example.com"), "example.com").is_ok());
    fails_like(
        under(&pki, &ca, with_mail("ops@evil.test"), "example.com"),
        CertificateError::NameConstraintViolation,
        "ops@evil.test (rfc822Name)",
    );
}

#[test]
fn trust_anchors_keep_their_name_constraints() {
    let mut params = ca_params("Constrained Root");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
        excluded_subtrees: vec![],
    });
    let root = CertifiedIssuer::self_signed(params, p256()).unwrap();
    let roots = store(&[&root]);
    assert!(roots.anchors()[0].name_constraints().is_some());
    let name = ServerName::try_from("example.com").unwrap();
    let good = leaf(leaf_params(&["example.com"]), &root);
    assert!(verify_server_chain(&roots, &good, &[], &name, &opts()).is_ok());
    let bad = leaf(leaf_params(&["example.com", "example.net"]), &root);
    fails_like(
        verify_server_chain(&roots, &bad, &[], &name, &opts()),
        CertificateError::NameConstraintViolation,
        "which is outside the names the trusted root CN=Constrained Root permits",
    );
}

const PRIVATE_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 55555, 1];

#[test]
fn unknown_critical_and_duplicate_extensions() {
    let pki = Pki::new();
    let mut params = leaf_params(&["example.com"]);
    params
        .custom_extensions
        .push(CustomExtension::from_oid_content(PRIVATE_OID, vec![5, 0]));
    assert!(pki.check(&leaf(params, &pki.inter), "example.com").is_ok());

    let mut params = leaf_params(&["example.com"]);
    let mut ext = CustomExtension::from_oid_content(PRIVATE_OID, vec![5, 0]);
    ext.set_criticality(true);
    params.custom_extensions.push(ext);
    fails_like(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::Unsupported,
        "certificate 0 (CN=leaf) has a critical extension keyway does not process \
         (1.3.6.1.4.1.55555.1)",
    );

    let mut params = leaf_params(&["example.com"]);
    for _ in 0..2 {
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(PRIVATE_OID, vec![5, 0]));
    }
    fails_like(
        pki.check(&leaf(params, &pki.inter), "example.com"),
        CertificateError::BadEncoding,
        "certificate 0 (CN=leaf) has the same extension twice",
    );

    // Among many extensions (checked by sorting, not pairwise), the first
    // and the last the same; without the copy, accepted.
    let many = |duplicate: bool| {
        let mut params = leaf_params(&["example.com"]);
        let oids = (0..40u64).map(|i| vec![1, 3, 6, 1, 4, 1, 55555, 2, i]);
        for oid in oids.chain(duplicate.then(|| vec![1, 3, 6, 1, 4, 1, 55555, 2, 0])) {
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(&oid, vec![5, 0]));
        }
        pki.check(&leaf(params, &pki.inter), "example.com")
    };
    assert!(many(false).is_ok());
    fails_like(
        many(true),
        CertificateError::BadEncoding,
        "certificate 0 (CN=leaf) has the same extension twice",
    );
}

#[test]
fn names_follow_rfc_6125() {
    let pki = Pki::new();
    let l = leaf(
        leaf_params(&[
            "example.com",
            "www.example.com",
            "*.example.org",
            "2001:db8::1",
        ]),
        &pki.inter,
    );
    for ok in [
        "example.com",
        "WWW.example.com",
        "a.example.org",
        "2001:db8::1",
        "[2001:db8::1]",
    ] {
        assert!(pki.check(&l, ok).is_ok(), "{ok}");
    }
    fails_with(
        pki.check(&l, "api.example.com"),
        CertificateError::NotValidForName(
            "certificate 0 (CN=leaf) is valid for example.com, www.example.com, *.example.org, \
             2001:db8::1, not for api.example.com"
                .into(),
        ),
    );
    for bad in ["example.org", "a.b.example.org", "2001:db8::2"] {
        fails_like(pki.check(&l, bad), CertificateError::NotValidForName, bad);
    }
}

#[test]
fn cross_signed_renewed_and_sent_anchors_all_find_a_path() {
    // Cross-signing: the intermediate's issuer "New Root" is trusted only
    // through its cross-certificate from "Old Root".
    let old_root = root("Old Root");
    let new_key = p256();
    let new_key_der = new_key.serialize_der();
    let new_root = CertifiedIssuer::self_signed(ca_params("New Root"), new_key).unwrap();
    let cross = CertifiedIssuer::signed_by(
        ca_params("New Root"),
        KeyPair::try_from(new_key_der.as_slice()).unwrap(),
        &old_root,
    )
    .unwrap();
    let inter = sub_ca(ca_params("Issuing CA"), &new_root);
    let leaf_der = leaf(leaf_params(&["example.com"]), &inter);
    let name = ServerName::try_from("example.com").unwrap();
    let sent = [der(&new_root), der(&inter), der(&cross)];
    let via_old =
        verify_server_chain(&store(&[&old_root]), &leaf_der, &sent, &name, &opts()).unwrap();
    assert_eq!(via_old.positions().collect::<Vec<_>>(), [0, 2, 3]);
    assert_eq!(via_old.anchor().name(), "CN=Old Root");
    let via_new =
        verify_server_chain(&store(&[&new_root]), &leaf_der, &sent, &name, &opts()).unwrap();
    assert_eq!(via_new.positions().collect::<Vec<_>>(), [0, 2]);

    // An expired and a renewed intermediate with the same name and key.
    let pki = Pki::new();
    let key_der = p256().serialize_der();
    let mut params = ca_params("Renewed CA");
    params.not_after = date_time_ymd(2025, 1, 1);
    let expired = CertifiedIssuer::signed_by(
        params,
        KeyPair::try_from(key_der.as_slice()).unwrap(),
        &pki.root,
    )
    .unwrap();
    let renewed = CertifiedIssuer::signed_by(
        ca_params("Renewed CA"),
        KeyPair::try_from(key_der.as_slice()).unwrap(),
        &pki.root,
    )
    .unwrap();
    let l = leaf(leaf_params(&["example.com"]), &renewed);
    assert!(pki
        .check_with(&l, &[der(&expired), der(&renewed)], "example.com", &opts())
        .is_ok());
    fails_like(
        pki.check_with(&l, &[der(&expired)], "example.com", &opts()),
        CertificateError::Expired,
        "certificate 1 (CN=Renewed CA) expired",
    );

    // The anchor sent as an intermediate is used as the anchor.
    let l = leaf(leaf_params(&["example.com"]), &pki.inter);
    let path = pki
        .check_with(
            &l,
            &[der(&pki.root), der(&pki.inter)],
            "example.com",
            &opts(),
        )
        .unwrap();
    assert_eq!(path.positions().collect::<Vec<_>>(), [0, 2]);
}

#[test]
fn the_error_comes_from_the_path_that_got_furthest() {
    let pki = Pki::new();
    // Two candidates named "Matrix Intermediate": one with an unknown issuer
    // two levels up, one whose signature fails right away.
    let stranger = root("Stranger Root");
    let mid = sub_ca(ca_params("Stranger Mid"), &stranger);
    let lookalike = sub_ca(ca_params("Matrix Intermediate"), &mid);
    let other = sub_ca(ca_params("Matrix Intermediate"), &pki.root);
    let l = leaf(leaf_params(&["example.com"]), &lookalike);
    fails_with(
        pki.check_with(
            &l,
            &[der(&other), der(&lookalike), der(&mid)],
            "example.com",
            &opts(),
        ),
        CertificateError::UnknownIssuer(
            "no path to a trusted root: the issuer of certificate 3 (CN=Stranger Root) is \
             neither in the root store nor sent by the peer"
                .into(),
        ),
    );
}

#[test]
fn depth_and_signature_budgets_bound_the_search() {
    let pki = Pki::new();
    let sub = sub_ca(ca_params("Sub"), &pki.inter);
    let l = leaf(leaf_params(&["example.com"]), &sub);
    let chain = [der(&sub), der(&pki.inter)];
    // Two intermediates: a depth of 2 is enough, 1 is not.
    let depth = |max_depth| VerifyOptions {
        max_depth,
        ..opts()
    };
    assert!(pki.check_with(&l, &chain, "example.com", &depth(2)).is_ok());
    fails_with(
        pki.check_with(&l, &chain, "example.com", &depth(1)),
        CertificateError::UnknownIssuer(
            "no path to a trusted root within 1 intermediate certificates \
             (VerifyOptions::max_depth, counted as `openssl verify -verify_depth` counts them)"
                .into(),
        ),
    );
    // 30 look-alike issuers, none of them right, and a budget of 10 checks.
    let decoys: Vec<Vec<u8>> = (0..30)
        .map(|_| der(&sub_ca(ca_params("Matrix Intermediate"), &root("Decoy"))))
        .collect();
    let l = leaf(leaf_params(&["example.com"]), &pki.inter);
    let tight = VerifyOptions {
        max_signature_checks: 10,
        ..opts()
    };
    fails_with(
        pki.check_with(&l, &decoys, "example.com", &tight),
        signatures_exhausted(10),
    );
    // The right issuer among the decoys is still found within the default budget.
    let mut with_right_one = decoys.clone();
    with_right_one.push(der(&pki.inter));
    assert!(pki
        .check_with(&l, &with_right_one, "example.com", &opts())
        .is_ok());
}

#[test]
fn an_anchor_is_a_leaf_only_when_allowed() {
    let self_signed =
        CertifiedIssuer::self_signed(leaf_params(&["pinned.example"]), p256()).unwrap();
    let roots = store(&[&self_signed]);
    let name = ServerName::try_from("pinned.example").unwrap();
    fails_like(
        verify_server_chain(&roots, self_signed.der(), &[], &name, &opts()),
        CertificateError::InvalidPurpose,
        "certificate 0 (CN=leaf) is itself a trusted root",
    );
    let allow = VerifyOptions {
        allow_anchor_as_leaf: true,
        ..opts()
    };
    let path = verify_server_chain(&roots, self_signed.der(), &[], &name, &allow).unwrap();
    assert_eq!(path.certificates().count(), 1);
    // Allowing it does not waive the name check.
    let other = ServerName::try_from("other.example").unwrap();
    fails_with(
        verify_server_chain(&roots, self_signed.der(), &[], &other, &allow),
        CertificateError::NotValidForName(
            "certificate 0 (CN=leaf) is valid for pinned.example, not for other.example".into(),
        ),
    );
}

fn crl(issuer: &Issuer, revoked: &[SerialNumber]) -> Vec<u8> {
    CertificateRevocationListParams {
        this_update: date_time_ymd(2026, 5, 1),
        next_update: date_time_ymd(2026, 7, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|serial| RevokedCertParams {
                serial_number: serial.clone(),
                revocation_time: date_time_ymd(2026, 5, 2),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(issuer)
    .unwrap()
    .der()
    .to_vec()
}

#[test]
fn revocation_by_supplied_crls() {
    let pki = Pki::new();
    let mut params = leaf_params(&["example.com"]);
    params.serial_number = Some(SerialNumber::from(4242u64));
    let l = leaf(params, &pki.inter);
    let chain = [der(&pki.inter)];
    let with = |crls: Vec<Vec<u8>>, unknown| VerifyOptions {
        crls,
        unknown_revocation_status: unknown,
        ..opts()
    };
    let clean = vec![
        crl(&pki.inter, &[SerialNumber::from(7u64)]),
        crl(&pki.root, &[]),
    ];
    assert!(pki
        .check_with(
            &l,
            &chain,
            "example.com",
            &with(clean, UnknownStatusPolicy::Deny)
        )
        .is_ok());
    let revoked = vec![crl(&pki.inter, &[SerialNumber::from(4242u64)])];
    let err = pki
        .check_with(
            &l,
            &chain,
            "example.com",
            &with(revoked, UnknownStatusPolicy::Allow),
        )
        .unwrap_err();
    assert_eq!(
        err,
        CertificateError::Revoked(
            "certificate 0 (CN=leaf) was revoked at 2026-05-02T00:00:00Z (CRL issued by \
             CN=Matrix Intermediate at 2026-05-01T00:00:00Z)"
                .into()
        )
    );
    assert_eq!(
        Error::from(err).alert(),
        Some(AlertDescription::CERTIFICATE_REVOKED)
    );
    // No CRL for the intermediate: unknown, which the policy decides.
    let partial = vec![crl(&pki.inter, &[])];
    assert!(pki
        .check_with(
            &l,
            &chain,
            "example.com",
            &with(partial.clone(), UnknownStatusPolicy::Allow)
        )
        .is_ok());
    fails_like(
        pki.check_with(
            &l,
            &chain,
            "example.com",
            &with(partial, UnknownStatusPolicy::Deny),
        ),
        CertificateError::RevocationStatusUnknown,
        "the revocation status of certificate 1 (CN=Matrix Intermediate) is unknown at \
         2026-06-01T00:00:00Z: no supplied CRL is from CN=Matrix Root",
    );
    // A CRL signed by someone else does not count.
    let forged = vec![crl(
        &root("Matrix Intermediate"),
        &[SerialNumber::from(4242u64)],
    )];
    assert!(pki
        .check_with(
            &l,
            &chain,
            "example.com",
            &with(forged.clone(), UnknownStatusPolicy::Allow)
        )
        .is_ok());
    fails_with(
        pki.check_with(
            &l,
            &chain,
            "example.com",
            &with(forged, UnknownStatusPolicy::Deny),
        ),
        CertificateError::RevocationStatusUnknown(
            "the revocation status of certificate 0 (CN=leaf) is unknown at \
             2026-06-01T00:00:00Z: CRL 0 is not signed by certificate 1 (CN=Matrix Intermediate)"
                .into(),
        ),
    );
}

#[test]
fn each_failure_maps_to_its_alert() {
    let pki = Pki::new();
    let verifier = DefaultServerVerifier::new(Arc::new(store(&[&pki.root])));
    let name = ServerName::try_from("example.com").unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let alert = |leaf: &[u8], chain: &[Vec<u8>], when: SystemTime| {
        let err = verifier
            .verify_server_cert(leaf, chain, &name, when)
            .unwrap_err();
        Error::from(err).alert().unwrap()
    };
    let good = leaf(leaf_params(&["example.com"]), &pki.inter);
    let chain = [der(&pki.inter)];
    assert_eq!(
        alert(
            &good,
            &chain,
            UNIX_EPOCH + Duration::from_secs(2_300_000_000)
        ),
        AlertDescription::CERTIFICATE_EXPIRED
    );
    assert_eq!(alert(&good, &[], now), AlertDescription::UNKNOWN_CA);
    let wrong = leaf(leaf_params(&["other.example"]), &pki.inter);
    assert_eq!(
        alert(&wrong, &chain, now),
        AlertDescription::CERTIFICATE_UNKNOWN
    );
    let ca = constrained(
        &pki,
        vec![GeneralSubtree::DnsName("example.net".into())],
        vec![],
    );
    let outside = leaf(leaf_params(&["example.com"]), &ca);
    assert_eq!(
        alert(&outside, &[der(&ca), der(&pki.inter)], now),
        AlertDescription::BAD_CERTIFICATE
    );
    let sha1 = patch(&good, ECDSA_SHA256, ECDSA_SHA1);
    assert_eq!(
        alert(&sha1, &chain, now),
        AlertDescription::UNSUPPORTED_CERTIFICATE
    );
}

#[test]
fn root_stores_from_directories() {
    let dir = std::env::temp_dir().join(format!("keyway-roots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = root("Dir Root A");
    let b = root("Dir Root B");
    std::fs::write(dir.join("a.pem"), a.pem()).unwrap();
    std::fs::write(dir.join("b.crt"), format!("{}{}", b.pem(), a.pem())).unwrap();
    // Longer than a PEM header, so it is looked through and skipped.
    std::fs::write(
        dir.join("README"),
        "not a certificate, just words about them",
    )
    .unwrap();
    let roots = RootStore::from_pem_dir(&dir).unwrap();
    assert_eq!(roots.len(), 2);
    std::fs::write(
        dir.join("c.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let err = RootStore::from_pem_dir(&dir).unwrap_err().to_string();
    assert!(
        err.contains("c.pem") && err.contains("certificate 1 is not valid X.509"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `RootStore::from_system` reads SSL_CERT_FILE and SSL_CERT_DIR (an empty
/// one is ignored) before the system's own places, and fails when they hold
/// no root. The variables are process-wide, so each case runs in a child:
/// this test binary, running only `system_store_child`.
#[test]
fn the_system_store_follows_ssl_cert_file_and_dir() {
    let dir = std::env::temp_dir().join(format!("keyway-system-{}", std::process::id()));
    let (two, empty) = (dir.join("two"), dir.join("empty"));
    std::fs::create_dir_all(&two).unwrap();
    std::fs::create_dir_all(&empty).unwrap();
    let one = dir.join("one.pem");
    std::fs::write(&one, root("File Root").pem()).unwrap();
    std::fs::write(two.join("a.pem"), root("Dir Root A").pem()).unwrap();
    std::fs::write(two.join("b.pem"), root("Dir Root B").pem()).unwrap();
    let from_system = |file: Option<&std::path::Path>, dirs: Option<&std::path::Path>| {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args(["--exact", "system_store_child", "--ignored", "--nocapture"])
            .env("KEYWAY_SYSTEM_STORE_CHILD", "1")
            .env(
                "SSL_CERT_FILE",
                file.map_or("".into(), |f| f.as_os_str().to_owned()),
            )
            .env(
                "SSL_CERT_DIR",
                dirs.map_or("".into(), |d| d.as_os_str().to_owned()),
            );
        let (status, out) = support::process::run(&mut child, b"");
        assert!(status.success(), "{out}");
        let line = out.lines().find(|l| l.starts_with("system store: "));
        line.unwrap_or_else(|| panic!("{out}"))["system store: ".len()..].to_string()
    };
    assert_eq!(from_system(Some(&one), None), "1 roots");
    assert_eq!(from_system(None, Some(&two)), "2 roots");
    assert_eq!(from_system(Some(&one), Some(&two)), "3 roots");
    assert_eq!(
        from_system(None, Some(&empty)),
        format!(
            "invalid configuration: no system root certificates found (looked in {}); set \
             SSL_CERT_FILE or SSL_CERT_DIR",
            empty.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The child of `the_system_store_follows_ssl_cert_file_and_dir`, which
/// runs it with the variables set; it reports what it found.
#[test]
#[ignore = "run by the_system_store_follows_ssl_cert_file_and_dir, in a child process"]
fn system_store_child() {
    assert!(std::env::var_os("KEYWAY_SYSTEM_STORE_CHILD").is_some());
    match RootStore::from_system() {
        Ok(roots) => println!("system store: {} roots", roots.len()),
        Err(e) => println!("system store: {e}"),
    }
}

#[test]
fn an_empty_store_says_so() {
    assert!(RootStore::new().is_empty());
    assert!(!RootStore::from_pem(root("Root").pem().as_bytes())
        .unwrap()
        .is_empty());
}

#[test]
fn the_system_store_loads_when_present() {
    // Only the default search: SSL_CERT_FILE/SSL_CERT_DIR are not touched,
    // since tests run in parallel in one process.
    if std::env::var_os("SSL_CERT_FILE").is_none()
        && std::env::var_os("SSL_CERT_DIR").is_none()
        && std::path::Path::new(keyway::pki::SYSTEM_BUNDLES[0]).exists()
    {
        let roots = RootStore::from_system().unwrap();
        assert!(roots.len() > 50, "{roots:?}");
    }
}

#[cfg(feature = "webpki-roots")]
#[test]
fn mozilla_roots_load_with_their_constraints() {
    let roots = RootStore::from_webpki_roots();
    assert!(roots.len() > 100);
    assert!(roots
        .anchors()
        .iter()
        .any(|a| a.name_constraints().is_some()));
    assert!(roots.anchors().iter().all(|a| !a.name().is_empty()));
}
