//! Real Web PKI chains (testdata/realworld/, see its README for sources)
//! verified at fixed times, including Let's Encrypt's cross-signed chain.

use keyway::error::CertificateError;
use keyway::pki::{
    load_certs_pem_file, verify_server_chain, RootStore, ServerName, TrustAnchor, VerifyOptions,
};
use std::time::{Duration, UNIX_EPOCH};

const GOOGLE_TIME: u64 = 1_677_615_892;
const LE_TIME: u64 = 1_685_577_600;

fn certs(name: &str) -> Vec<Vec<u8>> {
    load_certs_pem_file(format!(
        "{}/testdata/realworld/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn roots(name: &str) -> RootStore {
    let mut store = RootStore::new();
    for der in certs(name) {
        store.add_der(&der).unwrap();
    }
    store
}

fn at(secs: u64) -> VerifyOptions {
    VerifyOptions {
        time: Some(UNIX_EPOCH + Duration::from_secs(secs)),
        ..VerifyOptions::default()
    }
}

fn verify(
    root: &str,
    leaf: &str,
    chain: &[Vec<u8>],
    name: &str,
    secs: u64,
) -> Result<String, CertificateError> {
    let name = ServerName::try_from(name).unwrap();
    let leaf = certs(leaf).remove(0);
    verify_server_chain(&roots(root), &leaf, chain, &name, &at(secs)).map(|p| p.to_string())
}

#[test]
fn google_chain_verifies_at_its_time() {
    let chain = certs("google-gts-ca-1c3.pem");
    let path = verify(
        "google-gts-root-r1.pem",
        "google-leaf.pem",
        &chain,
        "www.google.com",
        GOOGLE_TIME,
    )
    .unwrap();
    assert_eq!(
        path,
        "certificate 0 (CN=www.google.com)\n\
         certificate 1 (C=US, O=Google Trust Services LLC, CN=GTS CA 1C3)\n\
         trusted root (C=US, O=Google Trust Services LLC, CN=GTS Root R1)"
    );
    assert!(verify(
        "google-gts-root-r1.pem",
        "google-leaf.pem",
        &chain,
        "WWW.GOOGLE.COM",
        GOOGLE_TIME
    )
    .is_ok());
}

#[test]
fn google_chain_failures_read_well() {
    let chain = certs("google-gts-ca-1c3.pem");
    assert_eq!(
        verify("google-gts-root-r1.pem", "google-leaf.pem", &chain, "mail.google.com", GOOGLE_TIME),
        Err(CertificateError::NotValidForName(
            "certificate 0 (CN=www.google.com) is valid for www.google.com, not for mail.google.com".into()
        ))
    );
    assert_eq!(
        verify(
            "google-gts-root-r1.pem",
            "google-leaf.pem",
            &chain,
            "www.google.com",
            1_700_000_000
        ),
        Err(CertificateError::Expired(
            "certificate 0 (CN=www.google.com) expired at 2023-03-27T08:19:18Z \
             (verification time 2023-11-14T22:13:20Z)"
                .into()
        ))
    );
    assert_eq!(
        verify(
            "isrg-root-x1.pem",
            "google-leaf.pem",
            &chain,
            "www.google.com",
            GOOGLE_TIME
        ),
        Err(CertificateError::UnknownIssuer(
            "no path to a trusted root: the issuer of certificate 1 (C=US, O=Google Trust \
             Services LLC, CN=GTS Root R1) is neither in the root store nor sent by the peer"
                .into()
        ))
    );
}

#[test]
fn lets_encrypt_cross_signed_chain_reaches_either_root() {
    let chain = certs("letsencrypt-chain.pem");
    let leaf = "letsencrypt-leaf.pem";
    let name = "tracker.mywaifu.best";
    let via_isrg = verify("isrg-root-x1.pem", leaf, &chain, name, LE_TIME).unwrap();
    assert_eq!(
        via_isrg,
        "certificate 0 (CN=tracker.mywaifu.best)\n\
         certificate 1 (C=US, O=Let's Encrypt, CN=R3)\n\
         trusted root (C=US, O=Internet Security Research Group, CN=ISRG Root X1)"
    );
    // DST Root CA X3 expired on 2021-09-30: as a root certificate it no
    // longer ends a path (OpenSSL: "certificate has expired" at depth 3)...
    assert_eq!(
        verify("dst-root-ca-x3.pem", leaf, &chain, name, LE_TIME),
        Err(CertificateError::Expired(
            "the trusted root O=Digital Signature Trust Co., CN=DST Root CA X3 expired at \
             2021-09-30T14:01:15Z (verification time 2023-06-01T00:00:00Z)"
                .into()
        ))
    );
    // ...but trusted as a bare name and key, the cross-signed path reaches it.
    let dst = certs("dst-root-ca-x3.pem").remove(0);
    let (_, dst) = x509_parser::parse_x509_certificate(&dst).unwrap();
    let mut bare = RootStore::new();
    bare.add(TrustAnchor::from_parts(dst.subject().as_raw(), dst.public_key().raw, None).unwrap());
    let host = ServerName::try_from(name).unwrap();
    let leaf_der = certs(leaf).remove(0);
    let via_dst = verify_server_chain(&bare, &leaf_der, &chain, &host, &at(LE_TIME))
        .unwrap()
        .to_string();
    assert!(via_dst.ends_with(
        "certificate 2 (C=US, O=Internet Security Research Group, CN=ISRG Root X1)\n\
         trusted root (O=Digital Signature Trust Co., CN=DST Root CA X3)"
    ));
    // A year later the leaf has expired, whichever root is trusted.
    let late = 1_717_200_000; // 2024-06-01
    for root in ["isrg-root-x1.pem", "dst-root-ca-x3.pem"] {
        let err = verify(root, leaf, &chain, name, late).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "certificate 0 (CN=tracker.mywaifu.best) expired at 2023-07-28T13:05:22Z"
            ),
            "{err}"
        );
    }
}

#[test]
fn the_peer_may_send_extras_in_any_order() {
    let mut chain = certs("google-gts-ca-1c3.pem");
    chain.extend(certs("letsencrypt-chain.pem"));
    chain.extend(certs("isrg-root-x1.pem"));
    chain.reverse();
    assert!(verify(
        "isrg-root-x1.pem",
        "letsencrypt-leaf.pem",
        &chain,
        "tracker.mywaifu.best",
        LE_TIME
    )
    .is_ok());
    let mut store = roots("isrg-root-x1.pem");
    for der in certs("google-gts-root-r1.pem") {
        store.add_der(&der).unwrap();
    }
    let name = ServerName::try_from("www.google.com").unwrap();
    let leaf = certs("google-leaf.pem").remove(0);
    assert!(verify_server_chain(&store, &leaf, &chain, &name, &at(GOOGLE_TIME)).is_ok());
}
