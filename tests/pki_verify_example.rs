//! `examples/verify.rs`: its output and exit codes (0 valid, 1 invalid, 2
//! usage or file errors), on the committed OpenSSL-made test certificates and
//! on chains made here with rcgen; and its `--max-depth` against `openssl
//! verify -verify_depth` on the same files. Every run is at a fixed time.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::process::{have_openssl, run as run_bounded};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SerialNumber,
};

/// 2030-01-01T00:00:00Z: inside the validity of the OpenSSL-made
/// certificates in testdata/pki/.
const FIXTURES: &str = "1893456000";

/// 2026-06-01T00:00:00Z: inside the validity of the chains made here.
const NOW: &str = "1780272000";

/// The example binary sits next to the test binary's directory (cargo test
/// builds examples).
fn verify_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join("examples").join("verify");
    if path.exists() {
        Some(path)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "example verify not built: run the README test command"
        );
        eprintln!("SKIPPED: {} not built", path.display());
        None
    }
}

fn run(args: &[&str]) -> Option<(i32, String)> {
    let bin = verify_binary()?;
    // Bounded: a hung child fails the test instead of hanging CI.
    let (status, text) = run_bounded(
        Command::new(bin)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args),
        b"",
    );
    // One line each, as printed.
    let text = text.lines().map(|line| format!("{line}\n")).collect();
    Some((status.code().unwrap_or(-1), text))
}

#[test]
fn valid_chains_print_ok_and_the_path_with_keys_and_validity() {
    let Some((code, text)) = run(&[
        "--roots",
        "testdata/pki/v1-root.pem",
        "--leaf",
        "testdata/pki/v1-root-leaf.pem",
        "--name",
        "v1.test",
        "--time",
        FIXTURES,
    ]) else {
        return;
    };
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        text,
        "OK\n  certificate 0 (CN=v1 leaf)\n      key ECDSA P-256, valid 2026-11-22T00:37:45Z to \
         2126-10-29T00:37:45Z\n  trusted root (CN=V1 Root)\n      key RSA-2048, valid \
         2026-11-22T00:37:45Z to 2126-10-29T00:37:45Z\n"
    );
}

#[test]
fn invalid_chains_print_the_reason_and_exit_1() {
    let Some((code, text)) = run(&[
        "--roots",
        "testdata/pki/v1-root.pem",
        "--leaf",
        "testdata/pki/v1-root-leaf.pem",
        "--name",
        "other.test",
        "--time",
        FIXTURES,
    ]) else {
        return;
    };
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        text,
        "INVALID: certificate 0 (CN=v1 leaf) is valid for v1.test, not for other.test\n"
    );
    let Some((code, text)) = run(&[
        "--roots",
        "testdata/pki/v1-root.pem",
        "--leaf",
        "testdata/pki/v1-root-leaf.pem",
        "--time",
        "0",
    ]) else {
        return;
    };
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        text,
        "INVALID: certificate 0 (CN=v1 leaf) is not valid before 2026-11-22T00:37:45Z \
         (verification time 1970-01-01T00:00:00Z)\n"
    );
}

#[test]
fn usage_and_file_errors_exit_2_with_the_reason() {
    let usage = "usage: verify --roots ROOTS.pem [--intermediates INTERMEDIATES.pem] --leaf \
                 LEAF.pem [--name HOST_OR_IP] [--time UNIX_SECONDS] [--purpose server|client] \
                 [--max-depth N] [--legacy] [--crl CRL_FILE]... [--unknown-revocation \
                 allow|deny]\n";
    let roots = "testdata/pki/v1-root.pem";
    let leaf = "testdata/pki/v1-root-leaf.pem";
    // Each case names the one thing wrong with it; the other arguments are good.
    let cases: [(&[&str], String); 6] = [
        (
            &["--leaf", leaf],
            format!("verify: --roots is required\n{usage}"),
        ),
        (
            &["--roots", roots, "--leaf", "missing.pem"],
            "verify: missing.pem: cannot read the file: No such file or directory (os error 2)\n"
                .to_string(),
        ),
        (
            &["--roots", roots, "--leaf", leaf, "--purpose", "both"],
            format!("verify: --purpose is server or client, not \"both\"\n{usage}"),
        ),
        (
            &[
                "--roots",
                roots,
                "--leaf",
                leaf,
                "--unknown-revocation",
                "maybe",
            ],
            format!("verify: --unknown-revocation is allow or deny, not \"maybe\"\n{usage}"),
        ),
        (
            &["--roots", roots, "--leaf", leaf, "--crl", leaf],
            "verify: testdata/pki/v1-root-leaf.pem: no X509 CRL block found (the file holds: \
             CERTIFICATE)\n"
                .to_string(),
        ),
        (
            &["--roots", roots, "--leaf", leaf, "--max-depth", "-1"],
            format!("verify: --max-depth wants a number, not \"-1\"\n{usage}"),
        ),
    ];
    for (args, expected) in cases {
        let Some((code, text)) = run(args) else {
            return;
        };
        assert_eq!((code, text.as_str()), (2, expected.as_str()), "{args:?}");
    }
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // OpenSSL takes a certificate whose subject is its issuer for
    // self-signed unless an authorityKeyIdentifier says otherwise; the
    // self-issued CA below needs one to be seen as the intermediate it is.
    params.use_authority_key_identifier_extension = true;
    params
}

fn p256() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

/// A leaf for example.com with serial `serial`, issued by `issuer`, as PEM.
fn leaf_pem(issuer: &CertifiedIssuer<'static, KeyPair>, serial: u64) -> String {
    let mut params = CertificateParams::new(vec!["example.com".to_string()]).unwrap();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "leaf");
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params.serial_number = Some(SerialNumber::from(serial));
    // OpenSSL picks an issuer by name and key identifier, without trying
    // the others: the two CAs named "Depth CA" need telling apart.
    params.use_authority_key_identifier_extension = true;
    params.signed_by(&p256(), issuer).unwrap().pem()
}

/// A directory of PEM files, removed when dropped.
struct Files(PathBuf);

impl Files {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("keyway-verify-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Files(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// root -> CA -> CA' (self-issued: same name, new key), and a leaf under
/// each: the files, and the three leaves' paths (0, 1 and 2 intermediates).
fn depth_pki(files: &Files) -> (String, String, [String; 3]) {
    let root = CertifiedIssuer::self_signed(ca_params("Depth Root"), p256()).unwrap();
    let ca = CertifiedIssuer::signed_by(ca_params("Depth CA"), p256(), &root).unwrap();
    let rolled = CertifiedIssuer::signed_by(ca_params("Depth CA"), p256(), &ca).unwrap();
    let roots = files.write("root.pem", root.pem());
    let chain = files.write("chain.pem", format!("{}{}", ca.pem(), rolled.pem()));
    let leaves = [
        files.write("leaf0.pem", leaf_pem(&root, 10)),
        files.write("leaf1.pem", leaf_pem(&ca, 11)),
        files.write("leaf2.pem", leaf_pem(&rolled, 12)),
    ];
    (roots, chain, leaves)
}

/// Runs the example on `leaf` with `--max-depth depth`, at a fixed time.
fn run_at_depth(roots: &str, chain: &str, leaf: &str, depth: usize) -> Option<(i32, String)> {
    let depth = depth.to_string();
    run(&[
        "--roots",
        roots,
        "--intermediates",
        chain,
        "--leaf",
        leaf,
        "--name",
        "example.com",
        "--time",
        NOW,
        "--max-depth",
        &depth,
    ])
}

#[test]
fn max_depth_counts_intermediates() {
    let files = Files::new("depth");
    let (roots, chain, leaves) = depth_pki(&files);
    for depth in 0..=3usize {
        for (needed, leaf) in leaves.iter().enumerate() {
            let Some((code, text)) = run_at_depth(&roots, &chain, leaf, depth) else {
                return;
            };
            if needed <= depth {
                assert_eq!(code, 0, "depth {depth}, {needed} intermediates: {text}");
                assert_eq!(text.matches("  certificate ").count(), needed + 1, "{text}");
            } else {
                assert_eq!(
                    (code, text.as_str()),
                    (
                        1,
                        format!(
                            "INVALID: no path to a trusted root within {depth} intermediate \
                             certificates (VerifyOptions::max_depth, counted as `openssl \
                             verify -verify_depth` counts them)\n"
                        )
                        .as_str()
                    ),
                    "depth {depth}, {needed} intermediates"
                );
            }
        }
    }
}

#[test]
fn max_depth_agrees_with_openssl_verify_depth() {
    if !have_openssl() || verify_binary().is_none() {
        return;
    }
    let files = Files::new("openssl-depth");
    let (roots, chain, leaves) = depth_pki(&files);
    let mut verdicts = Vec::new();
    for depth in 0..=3usize {
        let d = depth.to_string();
        for leaf in &leaves {
            let (openssl_status, openssl_text) = run_bounded(
                Command::new("openssl")
                    .args(["verify", "-no-CApath", "-no-CAstore", "-attime", NOW])
                    .args([
                        "-verify_depth",
                        &d,
                        "-CAfile",
                        &roots,
                        "-untrusted",
                        &chain,
                        leaf,
                    ]),
                b"",
            );
            let openssl_ok = openssl_status.success();
            let (code, text) = run_at_depth(&roots, &chain, leaf, depth).unwrap();
            assert_eq!(
                code == 0,
                openssl_ok,
                "depth {depth}, {}: keyway says {text}, openssl says {openssl_text}",
                Path::new(leaf).display(),
            );
            verdicts.push(openssl_ok);
        }
    }
    // Both agree on the table `max_depth_counts_intermediates` spells out:
    // a leaf needing n intermediates passes from depth n on.
    let expected: Vec<bool> = (0..=3usize)
        .flat_map(|depth| (0..3usize).map(move |needed| needed <= depth))
        .collect();
    assert_eq!(verdicts, expected);
}

#[test]
fn crls_revoke_and_unknown_status_follows_the_policy() {
    let files = Files::new("crl");
    let root = CertifiedIssuer::self_signed(ca_params("CRL Root"), p256()).unwrap();
    let roots = files.write("root.pem", root.pem());
    let leaf = files.write("leaf.pem", leaf_pem(&root, 4242));
    let crl = |revoked: &[u64]| {
        CertificateRevocationListParams {
            this_update: date_time_ymd(2026, 5, 1),
            next_update: date_time_ymd(2026, 7, 1),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|&serial| RevokedCertParams {
                    serial_number: SerialNumber::from(serial),
                    revocation_time: date_time_ymd(2026, 5, 2),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&root)
        .unwrap()
    };
    let clean = files.write("clean.crl", crl(&[7]).pem().unwrap());
    let revoking_der = files.write("revoking.der", crl(&[4242]).der());
    let base = ["--roots", &roots, "--leaf", &leaf, "--time", NOW];

    let Some((code, text)) = run(&[
        &base[..],
        &["--crl", &clean, "--unknown-revocation", "deny"],
    ]
    .concat()) else {
        return;
    };
    assert_eq!(code, 0, "{text}");
    // Repeatable, PEM or DER: the revoking one wins.
    let (code, text) =
        run(&[&base[..], &["--crl", &clean, "--crl", &revoking_der]].concat()).unwrap();
    assert_eq!(
        (code, text.as_str()),
        (
            1,
            "INVALID: certificate 0 (CN=leaf) was revoked at 2026-05-02T00:00:00Z (CRL issued \
             by CN=CRL Root at 2026-05-01T00:00:00Z)\n"
        )
    );
    // No CRL: allowed by default, refused with deny.
    let (code, text) = run(&base).unwrap();
    assert_eq!(code, 0, "{text}");
    let (code, text) = run(&[&base[..], &["--unknown-revocation", "deny"]].concat()).unwrap();
    assert_eq!(
        (code, text.as_str()),
        (
            1,
            "INVALID: the revocation status of certificate 0 (CN=leaf) is unknown at \
             2026-06-01T00:00:00Z: no supplied CRL is from CN=CRL Root\n"
        )
    );
}
