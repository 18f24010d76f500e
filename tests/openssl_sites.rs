//! Many sites and OCSP stapling against the real `openssl` binary:
//! `s_client -servername` gets each site's certificate from the example
//! server (three names, one a wildcard, and the default); `s_client -status`
//! shows the OCSP response the keyway server staples, in TLS 1.3 and TLS
//! 1.2; the example server reloads its certificates on SIGHUP while a
//! connection stays open, and keeps the old one when the new files are bad;
//! the keyway client (library and example) checks what `s_server
//! -status_file` staples, good or revoked. The OCSP responses are made by
//! `openssl ocsp` for each test's PKI.
//!
//! Without `openssl` on PATH these tests skip with a printed reason locally,
//! and fail under CI (`CI` set), where `.ci/run` installs it.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use keyway::error::CertificateError;
use keyway::{ClientConfig, Error, ProtocolVersion, RootStore};
use support::process::{example_binary, have_openssl, run, Guard, WAIT};
use support::{KeyKind, PkiFiles, TestPki};

/// A PKI on disk, with the intermediate's key so `openssl ocsp` can sign.
struct Site {
    pki: TestPki,
    files: PkiFiles,
}

impl Site {
    fn new(kind: KeyKind, names: &[&str], tag: &str) -> Site {
        let pki = TestPki::generate(kind, names);
        let files = pki.write_files(tag);
        std::fs::write(
            files.dir.join("intermediate.key"),
            &pki.intermediate_key_pem,
        )
        .unwrap();
        Site { pki, files }
    }

    /// `openssl ocsp` answers for the leaf (`revoked` or good), signed by the
    /// intermediate, valid a day; returns the DER file.
    fn ocsp_response(&self, revoked: bool) -> PathBuf {
        let (_, leaf) = x509_parser::parse_x509_certificate(&self.pki.leaf_der).unwrap();
        let serial: String = leaf
            .raw_serial()
            .iter()
            .skip_while(|b| **b == 0)
            .map(|b| format!("{b:02X}"))
            .collect();
        let line = match revoked {
            false => format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=x\n"),
            true => {
                format!("R\t491231235959Z\t250101000000Z,keyCompromise\t{serial}\tunknown\t/CN=x\n")
            }
        };
        let dir = &self.files.dir;
        std::fs::write(dir.join("index.txt"), line).unwrap();
        let out = dir.join(if revoked { "revoked.der" } else { "good.der" });
        let (status, output) = run(
            Command::new("openssl")
                .arg("ocsp")
                .arg("-index")
                .arg(dir.join("index.txt"))
                .arg("-CA")
                .arg(&self.files.intermediate)
                .arg("-rsigner")
                .arg(&self.files.intermediate)
                .arg("-rkey")
                .arg(dir.join("intermediate.key"))
                .args(["-ndays", "1", "-no_nonce"])
                .arg("-issuer")
                .arg(&self.files.intermediate)
                .arg("-cert")
                .arg(&self.files.leaf)
                .arg("-respout")
                .arg(&out),
            b"",
        );
        assert!(status.success(), "openssl ocsp failed:\n{output}");
        out
    }
}

/// The example server with `args`, and its port.
fn example_server(args: &[&str]) -> Option<(Guard, u16)> {
    let server_bin = example_binary("server")?;
    let mut server = Guard::spawn(
        Command::new(server_bin)
            .args(["--addr", "127.0.0.1:0"])
            .args(args),
    );
    let port = server.wait_for_port("listening on");
    Some((server, port))
}

/// `--sni NAME=CHAIN,KEY[,OCSP]` for `site`.
fn sni(name: &str, site: &Site, ocsp: Option<&Path>) -> String {
    let mut spec = format!(
        "{name}={},{}",
        site.files.chain.display(),
        site.files.key.display()
    );
    if let Some(ocsp) = ocsp {
        spec.push_str(&format!(",{}", ocsp.display()));
    }
    spec
}

/// Runs `openssl s_client` to `port` as `servername` (none: no SNI) with
/// `extra`, verifying against `root`; returns what it printed.
fn s_client(port: u16, servername: Option<&str>, root: &Path, extra: &[&str]) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .arg("-CAfile")
        .arg(root)
        .args(extra);
    match servername {
        Some(name) => cmd.args(["-servername", name]),
        None => cmd.arg("-noservername"),
    };
    let (_, output) = run(&mut cmd, b"");
    output
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn s_client_servername_gets_each_sites_certificate_from_the_example_server() {
    if !have_openssl() {
        return;
    }
    let exact = Site::new(KeyKind::EcdsaP256, &["a.example"], "sites-a");
    let wildcard = Site::new(KeyKind::Rsa2048, &["*.b.example"], "sites-b");
    let default = Site::new(KeyKind::EcdsaP384, &["default.example"], "sites-default");
    let Some((_server, port)) = example_server(&[
        "--cert",
        path_str(&default.files.chain),
        "--key",
        path_str(&default.files.key),
        "--sni",
        &sni("a.example", &exact, None),
        "--sni",
        &sni("*.b.example", &wildcard, None),
    ]) else {
        return;
    };
    for version in ["-tls1_3", "-tls1_2"] {
        for (name, site, cn) in [
            (Some("a.example"), &exact, "a.example"),
            (Some("x.b.example"), &wildcard, "*.b.example"),
            (Some("y.b.example"), &wildcard, "*.b.example"),
            (Some("other.example"), &default, "default.example"),
            (None, &default, "default.example"),
        ] {
            // The certificate must verify for the name asked, except for the
            // name no site covers, which gets the default certificate.
            let mut extra = vec![version];
            if let Some(name) = name.filter(|n| *n != "other.example") {
                extra.extend(["-verify_hostname", name, "-verify_return_error"]);
            }
            let output = s_client(port, name, &site.files.root, &extra);
            let subject = format!("subject=CN = {cn}");
            assert!(output.contains(&subject), "{version} {name:?}:\n{output}");
            assert!(
                output.contains("Verify return code: 0 (ok)"),
                "{version} {name:?}:\n{output}"
            );
        }
    }
}

#[test]
fn s_client_status_shows_the_staple_of_the_keyway_server() {
    if !have_openssl() {
        return;
    }
    let default = Site::new(KeyKind::EcdsaP256, &["example.com"], "status-default");
    let named = Site::new(KeyKind::Rsa2048, &["named.example"], "status-named");
    let default_ocsp = default.ocsp_response(false);
    let named_ocsp = named.ocsp_response(false);
    let Some((_server, port)) = example_server(&[
        "--cert",
        path_str(&default.files.chain),
        "--key",
        path_str(&default.files.key),
        "--ocsp",
        path_str(&default_ocsp),
        "--sni",
        &sni("named.example", &named, Some(&named_ocsp)),
    ]) else {
        return;
    };
    for version in ["-tls1_3", "-tls1_2"] {
        for (name, site) in [("example.com", &default), ("named.example", &named)] {
            let output = s_client(port, Some(name), &site.files.root, &[version, "-status"]);
            assert!(
                output.contains("OCSP Response Status: successful"),
                "{version} {name}:\n{output}"
            );
            assert!(
                output.contains("Cert Status: good"),
                "{version} {name}:\n{output}"
            );
            // Without -status, s_client does not ask, and nothing is stapled.
            let output = s_client(port, Some(name), &site.files.root, &[version]);
            assert!(!output.contains("OCSP Response Status"), "{output}");
        }
    }
}

#[cfg(unix)]
#[test]
fn the_example_server_reloads_on_sighup_without_dropping_a_connection() {
    if !have_openssl() {
        return;
    }
    let old = Site::new(KeyKind::EcdsaP256, &["example.com"], "reload-old");
    let new = Site::new(KeyKind::EcdsaP256, &["example.com"], "reload-new");
    let stranger = Site::new(KeyKind::EcdsaP256, &["example.com"], "reload-stranger");
    // The server reads its files from a directory of its own, which the test
    // rewrites as certbot does on renewal.
    let live = old.files.dir.join("live");
    std::fs::create_dir_all(&live).unwrap();
    let (chain, key) = (live.join("fullchain.pem"), live.join("privkey.pem"));
    std::fs::copy(&old.files.chain, &chain).unwrap();
    std::fs::copy(&old.files.key, &key).unwrap();
    let Some((mut server, port)) = example_server(&[
        "--cert",
        path_str(&chain),
        "--key",
        path_str(&key),
        "--echo",
    ]) else {
        return;
    };
    let mut roots = RootStore::new();
    for site in [&old, &new] {
        roots.add_der(&site.pki.root_der).unwrap();
    }
    // No session store: each connection is a full handshake that shows the
    // certificate served now.
    let config = Arc::new(
        ClientConfig::builder(roots)
            .session_store(None)
            .build()
            .unwrap(),
    );
    let connect = || {
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let mut tls = keyway::Stream::client(config.clone(), "example.com", tcp).unwrap();
        tls.handshake().unwrap();
        tls
    };
    let echo = |tls: &mut keyway::Stream<TcpStream>, text: &[u8]| {
        tls.write_all(text).unwrap();
        let mut got = vec![0u8; text.len()];
        tls.read_exact(&mut got).unwrap();
        assert_eq!(got, text);
    };
    let leaf = |tls: &keyway::Stream<TcpStream>| {
        tls.connection().negotiated().peer_certificates[0].clone()
    };
    let hangup = |server: &Guard| {
        let status = Command::new("kill")
            .args(["-HUP", &server.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };

    let mut open = connect();
    echo(&mut open, b"before the renewal\n");
    assert_eq!(leaf(&open), old.pki.leaf_der);

    // The renewal: new files, then SIGHUP.
    std::fs::copy(&new.files.chain, &chain).unwrap();
    std::fs::copy(&new.files.key, &key).unwrap();
    hangup(&server);
    server.wait_for("reloaded (default) from");
    echo(&mut open, b"during the renewal\n");
    let mut renewed = connect();
    assert_eq!(leaf(&renewed), new.pki.leaf_der);
    echo(&mut renewed, b"after the renewal\n");

    // A broken renewal (another certificate's key): the server says so and
    // keeps serving the certificate it had.
    std::fs::copy(&stranger.files.key, &key).unwrap();
    hangup(&server);
    let line = server.wait_for("kept the old certificate for (default)");
    assert!(
        line.contains("does not belong to the first certificate of"),
        "{line}"
    );
    let mut after = connect();
    assert_eq!(leaf(&after), new.pki.leaf_der);
    echo(&mut after, b"still serving\n");
    echo(&mut open, b"the first connection is still open\n");
    for tls in [&mut open, &mut renewed, &mut after] {
        tls.close().unwrap();
    }
}

/// `openssl s_server` for `version`, stapling `status_file`, with `extra`.
fn s_server_stapling(
    site: &Site,
    version: &str,
    status_file: &Path,
    extra: &[&str],
) -> (Guard, u16) {
    let status_file = status_file.to_str().unwrap();
    let args = [
        &[version, "-naccept", "1", "-status_file", status_file],
        extra,
    ]
    .concat();
    support::process::s_server(&site.files, &args)
}

#[test]
fn the_keyway_client_checks_the_staple_of_s_server() {
    if !have_openssl() {
        return;
    }
    let site = Site::new(KeyKind::EcdsaP256, &["example.com"], "s-server-status");
    let good = site.ocsp_response(false);
    let revoked = site.ocsp_response(true);
    for (version, openssl_version) in [
        (ProtocolVersion::TLS13, "-tls1_3"),
        (ProtocolVersion::TLS12, "-tls1_2"),
    ] {
        let config = Arc::new(
            ClientConfig::builder(site.pki.root_store())
                .versions(&[version])
                .build()
                .unwrap(),
        );
        let (_server, port) = s_server_stapling(&site, openssl_version, &good, &[]);
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let mut tls = keyway::Stream::client(config.clone(), "example.com", tcp).unwrap();
        tls.handshake().unwrap();
        assert_eq!(
            tls.connection().negotiated().ocsp_response,
            Some(std::fs::read(&good).unwrap()),
            "{version:?}"
        );

        let (_server, port) = s_server_stapling(&site, openssl_version, &revoked, &[]);
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let mut tls = keyway::Stream::client(config, "example.com", tcp).unwrap();
        let err = tls.handshake().unwrap_err();
        let Some(Error::InvalidCertificate(CertificateError::Revoked(why))) = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<Error>())
            .cloned()
        else {
            panic!("{version:?}: {err}")
        };
        assert!(
            why.starts_with("certificate 0 (CN=example.com) was revoked at 2025-01-01T00:00:00Z, reason keyCompromise"),
            "{why}"
        );
    }
}

#[test]
fn the_example_client_prints_the_staple_and_refuses_a_revoked_one() {
    if !have_openssl() {
        return;
    }
    let Some(client_bin) = example_binary("client") else {
        return;
    };
    let site = Site::new(KeyKind::Rsa2048, &["example.com"], "client-status");
    let good = site.ocsp_response(false);
    let revoked = site.ocsp_response(true);
    // The example client against s_server -www stapling `response`.
    let fetch = |version: &str, response: &Path| {
        let (_server, port) = s_server_stapling(&site, version, response, &["-www"]);
        run(
            Command::new(&client_bin)
                .args(["--connect", &format!("127.0.0.1:{port}")])
                .args(["--servername", "example.com", "--status"])
                .arg("--cafile")
                .arg(&site.files.root),
            b"",
        )
    };
    for version in ["-tls1_3", "-tls1_2"] {
        let (status, output) = fetch(version, &good);
        assert!(status.success(), "{version}:\n{output}");
        assert!(
            output.contains("OCSP response: successful, from CN=keyway test intermediate CA"),
            "{version}:\n{output}"
        );
        assert!(output.contains(": good, this update "), "{output}");
        assert!(output.contains("HTTP/1.0 200 ok"), "{output}");

        let (status, output) = fetch(version, &revoked);
        assert!(!status.success(), "{version}:\n{output}");
        assert!(
            output.contains("error: peer certificate refused: certificate 0 (CN=example.com) was revoked at 2025-01-01T00:00:00Z, reason keyCompromise"),
            "{version}:\n{output}"
        );
        assert!(
            output.contains("(sent alert certificate_revoked)"),
            "{output}"
        );
    }
}
