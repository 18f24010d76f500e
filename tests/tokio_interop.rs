//! `keyway::tokio` against other programs: `openssl s_client` and
//! `openssl s_server` (data both ways, KeyUpdate answered while only reading
//! or only writing, close_notify), and the hyper and tokio examples against
//! curl (HTTP/1.1 and HTTP/2 by ALPN) and against `https_get`.
//!
//! Without openssl or curl these tests skip with a printed reason locally and
//! fail under CI (`CI` set), where `.ci/run` installs both.

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyway::tokio::{TlsAcceptor, TlsConnector};
use keyway::{ClientConfig, ProtocolVersion, ServerConfig};
use support::process::{example_binary, have_openssl, have_tool, Guard, WAIT};
use support::{KeyKind, KeyUpdates, PkiFiles, TestPki};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn have_curl() -> bool {
    have_tool("curl", "--version")
}

#[test]
fn s_client_against_the_async_server_with_key_updates_both_ways() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let files = pki.write_files("tokio-s-client");
    let key_updates = Arc::new(KeyUpdates::default());
    let config = ServerConfig::builder()
        .certificate(pki.certified_key())
        .observer(key_updates.clone())
        .build()
        .unwrap();
    let rt = support::tokio_runtime();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    // An echo server: a line "x-please-update" makes it ask for a KeyUpdate.
    let server = rt.spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = TlsAcceptor::from(Arc::new(config))
            .accept(tcp)
            .await
            .unwrap();
        let mut buf = [0u8; 4096];
        loop {
            let n = tls.read(&mut buf).await.unwrap();
            if n == 0 {
                tls.shutdown().await.unwrap();
                return tls.connection().negotiated().clone();
            }
            if buf[..n].windows(15).any(|w| w == b"x-please-update") {
                tls.connection_mut().update_keys(true).unwrap();
            }
            tls.write_all(&buf[..n]).await.unwrap();
        }
    });
    let mut client = Guard::spawn(
        Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-tls1_3", "-msg", "-servername", "localhost"])
            .args(["-verify_hostname", "localhost", "-verify_return_error"])
            .arg("-CAfile")
            .arg(&files.root),
    );
    client.wait_for("Verify return code: 0 (ok)");
    client.send_line("x-hello-from-openssl");
    client.wait_for("x-hello-from-openssl");
    // "K": s_client sends a KeyUpdate requesting one back. Our server only
    // reads until the next line arrives; its answer must come anyway.
    client.send_line("K");
    client.wait_for("<<< TLS 1.3, Handshake [length 0005], KeyUpdate");
    client.send_line("x-after-client-keyupdate");
    client.wait_for("x-after-client-keyupdate");
    client.send_line("x-please-update");
    client.wait_for("x-please-update");
    client.send_line("x-final");
    client.wait_for("x-final");
    assert!(
        client.finish().success(),
        "s_client failed:\n{}",
        client.output()
    );
    let negotiated = rt.block_on(server).unwrap();
    assert_eq!(negotiated.version, Some(ProtocolVersion::TLS13));
    assert_eq!(negotiated.server_name.as_deref(), Some("localhost"));
    assert_eq!(
        key_updates.count(),
        2,
        "s_client's request and its answer to ours"
    );
}

#[test]
fn async_client_against_s_server_answers_a_key_update_while_only_writing() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let files = pki.write_files("tokio-s-server");
    let key_updates = Arc::new(KeyUpdates::default());
    let config = ClientConfig::builder(pki.root_store())
        .observer(key_updates.clone())
        .alpn(&[b"http/1.1"])
        .build()
        .unwrap();
    let mut server = Guard::spawn(
        Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0"])
            .args(["-tls1_3", "-naccept", "1", "-msg", "-alpn", "http/1.1"])
            .arg("-cert")
            .arg(&files.leaf)
            .arg("-cert_chain")
            .arg(&files.intermediate)
            .arg("-key")
            .arg(&files.key),
    );
    let port = server.wait_for_port("ACCEPT");
    let rt = support::tokio_runtime();
    let mut tls = rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        TlsConnector::from(Arc::new(config))
            .connect("localhost", tcp)
            .await
            .unwrap()
    });
    assert_eq!(
        tls.connection().negotiated().alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
    rt.block_on(tls.write_all(b"x-hello-from-keyway\n"))
        .unwrap();
    server.wait_for("x-hello-from-keyway");
    server.send_line("x-server-says-hi");
    let mut got = vec![0u8; "x-server-says-hi\n".len()];
    rt.block_on(tls.read_exact(&mut got)).unwrap();
    assert_eq!(got, b"x-server-says-hi\n");
    // "K": s_server sends a KeyUpdate requesting one back. We only write;
    // each write first takes in what arrived.
    server.send_line("K");
    let deadline = Instant::now() + WAIT;
    while key_updates.count() == 0 {
        assert!(Instant::now() < deadline, "the KeyUpdate never got in");
        rt.block_on(tls.write_all(b"x-ping\n")).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    server.wait_for("<<< TLS 1.3, Handshake [length 0005], KeyUpdate");
    rt.block_on(tls.write_all(b"x-after-keyupdate\n")).unwrap();
    server.wait_for("x-after-keyupdate");
    rt.block_on(tls.shutdown()).unwrap();
    assert!(
        server.finish().success(),
        "s_server failed:\n{}",
        server.output()
    );
}

/// Starts an example server binary on a free port for `files`; returns it
/// with the port it listens on.
fn start_example(name: &str, files: &PkiFiles, extra: &[&str]) -> Option<(Guard, u16)> {
    let binary = example_binary(name)?;
    let mut server = Guard::spawn(
        Command::new(binary)
            .args(["--addr", "127.0.0.1:0"])
            .arg("--cert")
            .arg(&files.chain)
            .arg("--key")
            .arg(&files.key)
            .args(extra),
    );
    let port = server.wait_for_port("listening on");
    Some((server, port))
}

/// Runs curl against https://localhost:`port``path` (resolved to loopback),
/// trusting `root`; returns its output, which ends with the HTTP version.
fn curl(port: u16, root: &std::path::Path, path: &str, args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "15", "-w", "\n[%{http_version}]"])
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .arg("--cacert")
        .arg(root)
        .args(args)
        .arg(format!("https://localhost:{port}{path}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn curl_speaks_http1_and_http2_to_the_hyper_example() {
    if !have_curl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let files = pki.write_files("tokio-https-server");
    let Some((_server, port)) = start_example("https_server", &files, &[]) else {
        return;
    };
    let cases = [
        (
            &["--http1.1"][..],
            "ALPN: http/1.1",
            "HTTP/1.1",
            "[1.1]",
            "TLSv1.3",
        ),
        (&["--http2"], "ALPN: h2", "HTTP/2.0", "[2]", "TLSv1.3"),
        (
            &["--http2", "--tlsv1.2", "--tls-max", "1.2"],
            "ALPN: h2",
            "HTTP/2.0",
            "[2]",
            "TLSv1.2",
        ),
    ];
    for (args, alpn, http, curl_saw, tls) in cases {
        let page = curl(port, &files.root, "/path?q=1", args);
        assert!(page.contains(alpn), "{args:?}: {page}");
        assert!(
            page.contains(&format!("HTTP version: {http}")),
            "{args:?}: {page}"
        );
        assert!(
            page.contains(&format!("version: {tls}")),
            "{args:?}: {page}"
        );
        assert!(page.contains("/path?q=1"), "{args:?}: {page}");
        assert!(page.ends_with(curl_saw), "{args:?}: {page}");
    }
}

#[test]
fn https_get_fetches_from_the_hyper_example_over_http1_and_http2() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let files = pki.write_files("tokio-https-get");
    let Some((_server, port)) = start_example("https_server", &files, &[]) else {
        return;
    };
    let Some(https_get) = example_binary("https_get") else {
        return;
    };
    for (flag, alpn, status) in [
        ("--http1.1", "ALPN: http/1.1", "HTTP/1.1 200 OK"),
        ("--http2", "ALPN: h2", "HTTP/2.0 200 OK"),
    ] {
        let out = Command::new(&https_get)
            .arg("--cafile")
            .arg(&files.root)
            .args(["--connect", &format!("127.0.0.1:{port}"), flag])
            .arg(format!("https://localhost:{port}/from-https-get"))
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{flag}: {stderr}");
        assert!(
            stderr.contains(alpn) && stderr.contains(status),
            "{flag}: {stderr}"
        );
        assert!(stdout.contains("/from-https-get"), "{flag}: {stdout}");
    }
    // A server it does not trust: refused, exit status 1, the reason said.
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let stranger_files = stranger.write_files("tokio-https-get-stranger");
    let out = Command::new(&https_get)
        .arg("--cafile")
        .arg(&stranger_files.root)
        .args(["--connect", &format!("127.0.0.1:{port}")])
        .arg(format!("https://localhost:{port}/"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("peer certificate refused"), "{stderr}");
}

#[test]
fn curl_gets_the_page_and_an_echo_from_the_tokio_server() {
    if !have_curl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let files = pki.write_files("tokio-server-curl");
    let Some((_server, port)) = start_example("tokio_server", &files, &["--alpn", "http/1.1"])
    else {
        return;
    };
    // Two requests on one kept-alive connection.
    let pages = curl(
        port,
        &files.root,
        "/",
        &["-o", "-", &format!("https://localhost:{port}/again")],
    );
    assert_eq!(pages.matches("keyway tokio server").count(), 2, "{pages}");
    assert!(pages.contains("ALPN: http/1.1"), "{pages}");
    // A 16 KiB body comes back unchanged.
    let body: Vec<u8> = (0..16 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    let upload = files.dir.join("body.bin");
    std::fs::write(&upload, &body).unwrap();
    let echoed = files.dir.join("echo.bin");
    let mut data_arg = std::ffi::OsString::from("@");
    data_arg.push(&upload);
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "15", "--http1.1"])
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .arg("--cacert")
        .arg(&files.root)
        .arg("--data-binary")
        .arg(&data_arg)
        .arg("-o")
        .arg(&echoed)
        .arg(format!("https://localhost:{port}/echo"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&echoed).unwrap(), body);
}
