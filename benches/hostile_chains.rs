//! The worst cases of certificate verification: chains made to be
//! expensive, within what a peer may send (a Certificate message of at most
//! 256 KiB, at most 10 certificates). A server that asks for client
//! certificates verifies such a chain on every connection.
//!
//! `cargo bench --bench hostile_chains` (add `-- name_constraints` or
//! `-- path_building` to pick one group).
//!
//! `name_constraints`: root -> CA permitting 2,500 dNSName subtrees and
//! excluding 100 -> leaf with 2,500 dNSNames that all fall in the last
//! permitted subtree, so that every name is compared with every subtree (6.5
//! million comparisons, and the chain is valid). Ids:
//!
//! - `name_constraints/dns/keyway`: with the default budget
//!   (`VerifyOptions::max_name_comparisons`, 250,000), refused with
//!   `TooMuchWork` naming the budget;
//! - `name_constraints/dns/rustls`: rustls-webpki (through rustls's
//!   `WebPkiServerVerifier`, ring provider) on the same chain, which has a
//!   budget of its own;
//! - `name_constraints/dns-unbounded/keyway`: keyway with no budget: what
//!   the budget saves;
//! - `name_constraints/directory/keyway`: the same with 450 directoryName
//!   subtrees of 200-byte attributes against 450 directoryNames, whose
//!   comparisons cost more (the budget charges them by size).
//!
//! `path_building`: a leaf and nine CA certificates all named "X" and issued
//! by "X", each CA signed by the next one's key, none by a trusted root:
//! every CA is a candidate issuer of every certificate, so each step verifies
//! against every CA not yet on the path (45 signature checks) before giving
//! up. Weighted by cost (`VerifyOptions::max_signature_checks`), the P-384
//! chain runs out of the budget; the others end with "unknown issuer". Ids
//! `path_building/{p256,p384,ed25519}/{keyway,rustls}` by the keys' algorithm.

#[path = "../tests/pki_matrix/der.rs"]
#[allow(dead_code)]
mod der;

use der::{ca_params, named, p256};

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use keyway::error::CertificateError;
use keyway::pki::{verify_server_chain, RootStore, ServerName, VerifyOptions};
use rcgen::{
    CertificateParams, CertifiedIssuer, DistinguishedName, DnType, GeneralSubtree, KeyPair,
    NameConstraints, SanType,
};

/// 2026-06-01T00:00:00Z.
const NOW: u64 = 1_780_272_000;

struct Chain {
    root: Vec<u8>,
    leaf: Vec<u8>,
    intermediates: Vec<Vec<u8>>,
    host: String,
}

/// root -> CA with `constraints` -> leaf with `names` and `extensions` (and
/// `host` among its names).
fn chain(
    constraints: NameConstraints,
    names: Vec<SanType>,
    extensions: Vec<rcgen::CustomExtension>,
    host: &str,
) -> Chain {
    let root = CertifiedIssuer::self_signed(ca_params("Bench Root"), p256()).unwrap();
    let mut params = ca_params("Hostile CA");
    params.name_constraints = Some(constraints);
    let hostile = CertifiedIssuer::signed_by(params, p256(), &root).unwrap();
    let mut params = named("leaf", CertificateParams::default());
    params.subject_alt_names = names;
    params.custom_extensions = extensions;
    let leaf = params.signed_by(&p256(), &hostile).unwrap();
    let chain = Chain {
        root: root.der().to_vec(),
        leaf: leaf.der().to_vec(),
        intermediates: vec![hostile.der().to_vec()],
        host: host.to_string(),
    };
    // What a peer could send: at most 256 KiB in all (each certificate with
    // its 3-byte length).
    let wire = chain.leaf.len() + chain.intermediates[0].len() + 6;
    assert!(
        wire < 256 * 1024,
        "{wire} bytes do not fit a Certificate message"
    );
    chain
}

fn dns_chain() -> Chain {
    // rustls-webpki reads DER lengths of at most 64 KiB, so each extension
    // stays under that.
    const N: usize = 2500;
    let last = format!("p{}.example", N - 1);
    let constraints = NameConstraints {
        permitted_subtrees: (0..N)
            .map(|i| GeneralSubtree::DnsName(format!("p{i}.example")))
            .collect(),
        excluded_subtrees: (0..100)
            .map(|i| GeneralSubtree::DnsName(format!("x{i}.example")))
            .collect(),
    };
    let names = (0..N)
        .map(|j| SanType::DnsName(format!("h{j}.{last}").try_into().unwrap()))
        .collect();
    chain(constraints, names, Vec::new(), &format!("h0.{last}"))
}

fn directory_chain() -> Chain {
    const N: usize = 450;
    let long = "o".repeat(200);
    let organization = |i: usize| format!("{long}{i}");
    let constraints = NameConstraints {
        permitted_subtrees: (0..N)
            .map(|i| {
                let mut dn = DistinguishedName::new();
                dn.push(DnType::OrganizationName, organization(i));
                GeneralSubtree::DirectoryName(dn)
            })
            .collect(),
        excluded_subtrees: vec![],
    };
    // rcgen has no directoryName subjectAltName: written by hand, [4] and a
    // Name of one O attribute (2.5.4.10, UTF8String).
    let last = organization(N - 1);
    let attribute = der::seq(&[
        der::tlv(0x06, &[0x55, 0x04, 0x0a]),
        der::tlv(0x0c, last.as_bytes()),
    ]);
    let name = der::tlv(0xa4, &der::seq(&[der::tlv(0x31, &attribute)]));
    let mut entries = vec![name; N];
    entries.push(der::dns("example.com"));
    let san = der::extension(der::SAN, der::seq(&entries), false);
    chain(constraints, Vec::new(), vec![san], "example.com")
}

fn keyway_verify(chain: &Chain, options: &VerifyOptions) -> Result<(), CertificateError> {
    let mut roots = RootStore::new();
    roots.add_der(&chain.root).unwrap();
    let name = ServerName::try_from(chain.host.as_str()).unwrap();
    verify_server_chain(&roots, &chain.leaf, &chain.intermediates, &name, options).map(|_| ())
}

fn at_now() -> VerifyOptions {
    VerifyOptions {
        time: Some(UNIX_EPOCH + Duration::from_secs(NOW)),
        // The leaf's CN is no host; the profile is not what is measured.
        ..VerifyOptions::default()
    }
}

fn rustls_verifier(chain: &Chain) -> Arc<rustls::client::WebPkiServerVerifier> {
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(chain.root.clone())).unwrap();
    rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .build()
    .unwrap()
}

fn rustls_verify(
    verifier: &rustls::client::WebPkiServerVerifier,
    chain: &Chain,
) -> Result<(), rustls::Error> {
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::{CertificateDer, ServerName as RustlsName, UnixTime};
    let leaf = CertificateDer::from(chain.leaf.as_slice());
    let intermediates: Vec<CertificateDer<'_>> = chain
        .intermediates
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let name = RustlsName::try_from(chain.host.as_str()).unwrap();
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW));
    verifier
        .verify_server_cert(&leaf, &intermediates, &name, &[], now)
        .map(|_| ())
}

fn name_constraints(c: &mut Criterion) {
    let dns = dns_chain();
    let refused = keyway_verify(&dns, &at_now());
    assert!(
        matches!(&refused, Err(CertificateError::TooMuchWork(m)) if m.contains("max_name_comparisons")),
        "{refused:?}"
    );
    let unbounded = VerifyOptions {
        max_name_comparisons: usize::MAX,
        ..at_now()
    };
    assert_eq!(keyway_verify(&dns, &unbounded), Ok(()));
    let verifier = rustls_verifier(&dns);
    eprintln!(
        "rustls-webpki on the dns chain: {:?}",
        rustls_verify(&verifier, &dns)
    );
    let directory = directory_chain();
    let refused = keyway_verify(&directory, &at_now());
    assert!(
        matches!(&refused, Err(CertificateError::TooMuchWork(_))),
        "{refused:?}"
    );

    let mut group = c.benchmark_group("name_constraints");
    group.bench_function("dns/keyway", |b| b.iter(|| keyway_verify(&dns, &at_now())));
    group.bench_function("dns/rustls", |b| b.iter(|| rustls_verify(&verifier, &dns)));
    group.bench_function("directory/keyway", |b| {
        b.iter(|| keyway_verify(&directory, &at_now()))
    });
    group.sample_size(10);
    group.bench_function("dns-unbounded/keyway", |b| {
        b.iter(|| keyway_verify(&dns, &unbounded))
    });
    group.finish();
}

/// A leaf and nine CA certificates named "X", each issued by "X" with a key
/// of its own (`algorithm`): the leaf is signed by the first key, each CA by
/// the next one's. Every certificate is a candidate issuer of every other, so
/// each step verifies the child against every CA not yet on the path, and
/// the one line of valid links leads nowhere trusted.
fn linear_chain(algorithm: &'static rcgen::SignatureAlgorithm) -> Chain {
    let root = CertifiedIssuer::self_signed(ca_params("Bench Root"), p256()).unwrap();
    let keys: Vec<KeyPair> = (0..10)
        .map(|_| KeyPair::generate_for(algorithm).unwrap())
        .collect();
    let issuers: Vec<rcgen::Issuer<'static, KeyPair>> = keys
        .into_iter()
        .map(|key| rcgen::Issuer::new(ca_params("X"), key))
        .collect();
    let intermediates = (1..10)
        .map(|i| {
            let mut params = ca_params("X");
            params.serial_number = Some((i as u64).into());
            params
                .signed_by(issuers[i].key(), &issuers[(i + 1) % 10])
                .unwrap()
                .der()
                .to_vec()
        })
        .collect();
    let mut params = named("leaf", CertificateParams::default());
    params.subject_alt_names = vec![SanType::DnsName("example.com".try_into().unwrap())];
    params.serial_number = Some(100u64.into());
    let leaf = params.signed_by(&p256(), &issuers[1]).unwrap();
    Chain {
        root: root.der().to_vec(),
        leaf: leaf.der().to_vec(),
        intermediates,
        host: "example.com".into(),
    }
}

fn path_building(c: &mut Criterion) {
    let mut group = c.benchmark_group("path_building");
    for (name, algorithm) in [
        ("p256", &rcgen::PKCS_ECDSA_P256_SHA256),
        ("p384", &rcgen::PKCS_ECDSA_P384_SHA384),
        ("ed25519", &rcgen::PKCS_ED25519),
    ] {
        let chain = linear_chain(algorithm);
        let refused = keyway_verify(&chain, &at_now());
        eprintln!("keyway on the {name} chain: {refused:?}");
        assert!(refused.is_err());
        group.bench_function(format!("{name}/keyway"), |b| {
            b.iter(|| keyway_verify(&chain, &at_now()))
        });
        let verifier = rustls_verifier(&chain);
        eprintln!(
            "rustls-webpki on the {name} chain: {:?}",
            rustls_verify(&verifier, &chain)
        );
        group.bench_function(format!("{name}/rustls"), |b| {
            b.iter(|| rustls_verify(&verifier, &chain))
        });
    }
    group.finish();
}

criterion_group!(benches, name_constraints, path_building);
criterion_main!(benches);
