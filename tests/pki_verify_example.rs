//! `examples/verify.rs`: its output and exit codes (0 valid, 1 invalid, 2
//! usage or file errors), on the committed OpenSSL-made test certificates.

use std::path::PathBuf;
use std::process::Command;

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
    let out = Command::new(bin)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.code().unwrap_or(-1), text))
}

#[test]
fn valid_chains_print_ok_and_the_path() {
    let Some((code, text)) = run(&[
        "--roots",
        "testdata/pki/v1-root.pem",
        "--leaf",
        "testdata/pki/v1-root-leaf.pem",
        "--name",
        "v1.test",
    ]) else {
        return;
    };
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        text,
        "OK\n  certificate 0 (CN=v1 leaf)\n  trusted root (CN=V1 Root)\n"
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
    assert!(
        text.contains("(verification time 1970-01-01T00:00:00Z)"),
        "{text}"
    );
}

#[test]
fn usage_and_file_errors_exit_2() {
    for args in [
        &["--leaf", "testdata/pki/v1-root-leaf.pem"][..],
        &[
            "--roots",
            "testdata/pki/v1-root.pem",
            "--leaf",
            "missing.pem",
        ][..],
        &[
            "--roots",
            "testdata/pki/v1-root.pem",
            "--leaf",
            "x",
            "--purpose",
            "both",
        ][..],
    ] {
        let Some((code, _)) = run(args) else {
            return;
        };
        assert_eq!(code, 2, "{args:?}");
    }
}
