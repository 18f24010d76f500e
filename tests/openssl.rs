//! Interop with the real `openssl` binary: `openssl s_client` against a keyway
//! server and a keyway client against `openssl s_server`, over every TLS 1.3
//! suite x group x certificate type, with HelloRetryRequest forced,
//! application data both ways and KeyUpdate in both directions; over every
//! TLS 1.2 ECDHE suite x group x certificate type (and the RSA key exchange
//! suites with the `rsa-kx` feature); version mixing; refused renegotiation;
//! plus the example binaries against OpenSSL.
//!
//! Without `openssl` on PATH these tests skip with a printed reason locally,
//! and fail under CI (`CI` set), where `.ci/run` installs it.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyway::{CipherSuite, ClientConfig, NamedGroup, ProtocolVersion, ServerConfig};
use support::process::{
    accept_within, example_binary, have_openssl, join_within, run, run_example_client,
    start_example_server, Guard, WAIT,
};
use support::{KeyKind, KeyUpdates, TestPki};

const SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
];
const GROUPS: [(NamedGroup, &str); 3] = [
    (NamedGroup::X25519, "X25519"),
    (NamedGroup::SECP256R1, "P-256"),
    (NamedGroup::SECP384R1, "P-384"),
];

/// A keyway echo server for one connection, in a thread; a message containing
/// "keyupdate" makes it send a KeyUpdate requesting one back before echoing.
fn keyway_echo_server(
    config: ServerConfig,
) -> (
    u16,
    std::thread::JoinHandle<Result<keyway::Negotiated, String>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let tcp = accept_within(&listener).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let mut tls = keyway::Stream::server(Arc::new(config), tcp);
        let mut buf = [0u8; 4096];
        loop {
            let n = tls
                .read(&mut buf)
                .map_err(|e| format!("server read: {e}"))?;
            if n == 0 {
                tls.close().map_err(|e| e.to_string())?;
                return Ok(tls.connection().negotiated().clone());
            }
            if buf[..n].windows(9).any(|w| w == b"keyupdate") {
                tls.update_keys(true)
                    .map_err(|e| format!("server KeyUpdate: {e}"))?;
            }
            tls.write_all(&buf[..n])
                .map_err(|e| format!("server write: {e}"))?;
        }
    });
    (port, handle)
}

/// `openssl s_client` for `version` (`-tls1_3`, `-tls1_2`) to 127.0.0.1:`port`,
/// verifying the server as example.com against the test root.
fn s_client_command(port: u16, files: &support::PkiFiles, version: &str) -> Command {
    let mut cmd = Command::new("openssl");
    cmd.args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{port}"),
        version,
    ])
    .args([
        "-servername",
        "example.com",
        "-verify_hostname",
        "example.com",
        "-verify_return_error",
    ])
    .arg("-CAfile")
    .arg(&files.root);
    cmd
}

/// s_client against a keyway server: verified handshake, data both ways,
/// KeyUpdate from each side, clean close.
fn s_client_session(
    pki: &TestPki,
    files: &support::PkiFiles,
    server: ServerConfig,
    extra: &[&str],
) -> keyway::Negotiated {
    let (port, handle) = keyway_echo_server(server);
    let mut client = Guard::spawn(s_client_command(port, files, "-tls1_3").args(extra));
    let _ = pki;
    client.wait_for("Verify return code: 0 (ok)");
    client.send_line("x-hello-from-openssl");
    client.wait_for("x-hello-from-openssl");
    // "K" asks s_client to send a KeyUpdate with update_requested.
    client.send_line("K");
    // s_client takes a whole stdin read as one command: wait before the next line.
    client.wait_for("KEYUPDATE");
    client.send_line("x-after-client-keyupdate");
    client.wait_for("x-after-client-keyupdate");
    client.send_line("x-keyupdate-from-server");
    client.wait_for("x-keyupdate-from-server");
    client.send_line("x-final");
    client.wait_for("x-final");
    assert!(
        client.finish().success(),
        "s_client failed:\n{}",
        client.output()
    );
    join_within(handle)
        .unwrap_or_else(|e| panic!("{e}\ns_client printed:\n{}", client.seen.join("\n")))
}

#[test]
fn s_client_against_keyway_server_every_suite_group_and_certificate() {
    if !have_openssl() {
        return;
    }
    for kind in KeyKind::ALL {
        let pki = TestPki::generate(kind, &["example.com"]);
        let files = pki.write_files("s-client");
        for suite in SUITES {
            for (group, openssl_group) in GROUPS {
                let server = ServerConfig::builder()
                    .certificate(pki.certified_key())
                    .build()
                    .unwrap();
                let suite_name = suite.name().unwrap();
                let n = s_client_session(
                    &pki,
                    &files,
                    server,
                    &["-ciphersuites", suite_name, "-groups", openssl_group],
                );
                assert_eq!(
                    n.cipher_suite,
                    Some(suite),
                    "{} {suite_name} {openssl_group}",
                    kind.name()
                );
                assert_eq!(n.group, Some(group));
                assert_eq!(n.server_name.as_deref(), Some("example.com"));
            }
        }
    }
}

#[test]
fn s_client_gets_a_hello_retry_request_from_keyway() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-client-hrr");
    for cookie in [false, true] {
        // s_client sends an X25519 share; the server only takes P-256.
        let server = ServerConfig::builder()
            .certificate(pki.certified_key())
            .groups(&[NamedGroup::SECP256R1])
            .hello_retry_cookie(cookie)
            .build()
            .unwrap();
        let n = s_client_session(&pki, &files, server, &["-groups", "X25519:P-256"]);
        assert!(n.hello_retry_request);
        assert_eq!(n.group, Some(NamedGroup::SECP256R1));
    }
}

/// Starts `openssl s_server` for TLS 1.3 and waits until it accepts.
fn s_server(files: &support::PkiFiles, extra: &[&str]) -> (Guard, u16) {
    s_server_speaking(&["-tls1_3"], files, extra)
}

/// Starts `openssl s_server` limited by `versions` (`-tls1_2`, `-tls1_3`, or
/// none for every version it has) and waits until it accepts one connection.
fn s_server_speaking(versions: &[&str], files: &support::PkiFiles, extra: &[&str]) -> (Guard, u16) {
    let args = [versions, &["-naccept", "1"], extra].concat();
    support::process::s_server(files, &args)
}

fn read_until(tls: &mut keyway::Stream<TcpStream>, needle: &str) {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&got).contains(needle) {
        let n = tls
            .read(&mut buf)
            .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"));
        assert!(n > 0, "closed while waiting for {needle:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// Reads with a short timeout until the client has processed one more KeyUpdate.
fn wait_for_key_update(tls: &mut keyway::Stream<TcpStream>, counter: &KeyUpdates) {
    let before = counter.count();
    let deadline = Instant::now() + WAIT;
    tls.get_ref()
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    while counter.count() == before {
        assert!(Instant::now() < deadline, "no KeyUpdate arrived");
        match tls.read(&mut [0u8; 64]) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            other => panic!("expected only a KeyUpdate, got {other:?}"),
        }
    }
    tls.get_ref().set_read_timeout(Some(WAIT)).unwrap();
}

/// A keyway client against s_server: verified handshake, data both ways,
/// KeyUpdate from each side, clean close.
fn keyway_client_session(
    files: &support::PkiFiles,
    client: keyway::ClientConfigBuilder,
    extra: &[&str],
) -> keyway::Negotiated {
    let key_updates = Arc::new(KeyUpdates::default());
    let client = client.observer(key_updates.clone()).build().unwrap();
    let (mut server, port) = s_server(files, extra);
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let mut tls = keyway::Stream::client(Arc::new(client), "example.com", tcp).unwrap();
    tls.handshake().unwrap_or_else(|e| {
        panic!(
            "handshake: {e}\ns_server printed:\n{}",
            server.seen.join("\n")
        )
    });
    tls.write_all(b"x-hello-from-keyway\n").unwrap();
    server.wait_for("x-hello-from-keyway");
    server.send_line("x-server-says-hi");
    read_until(&mut tls, "x-server-says-hi");
    // "K" makes s_server send a KeyUpdate with update_requested.
    server.send_line("K");
    // s_server takes a whole stdin read as one command and does not say when it
    // is done, so wait until our client has received the KeyUpdate.
    wait_for_key_update(&mut tls, &key_updates);
    server.send_line("x-after-server-keyupdate");
    read_until(&mut tls, "x-after-server-keyupdate");
    tls.write_all(b"x-client-after-answering\n").unwrap();
    server.wait_for("x-client-after-answering");
    tls.update_keys(true).unwrap();
    tls.write_all(b"x-after-client-keyupdate\n").unwrap();
    server.wait_for("x-after-client-keyupdate");
    server.send_line("x-final");
    read_until(&mut tls, "x-final");
    let negotiated = tls.connection().negotiated().clone();
    tls.close().unwrap();
    negotiated
}

#[test]
fn keyway_client_against_s_server_every_suite_group_and_certificate() {
    if !have_openssl() {
        return;
    }
    for kind in KeyKind::ALL {
        let pki = TestPki::generate(kind, &["example.com"]);
        let files = pki.write_files("s-server");
        for suite in SUITES {
            for (group, openssl_group) in GROUPS {
                let client = ClientConfig::builder(pki.root_store())
                    .cipher_suites(&[suite])
                    .groups(&[group]);
                let n = keyway_client_session(&files, client, &[]);
                assert_eq!(
                    n.cipher_suite,
                    Some(suite),
                    "{} {suite:?} {openssl_group}",
                    kind.name()
                );
                assert_eq!(n.group, Some(group));
                assert_eq!(n.peer_certificates.len(), 2);
            }
        }
    }
}

#[test]
fn keyway_client_gets_a_hello_retry_request_from_s_server() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-server-hrr");
    let client = ClientConfig::builder(pki.root_store())
        .groups(&[NamedGroup::X25519, NamedGroup::SECP256R1]);
    let n = keyway_client_session(&files, client, &["-groups", "P-256"]);
    assert!(n.hello_retry_request);
    assert_eq!(n.group, Some(NamedGroup::SECP256R1));
}

/// OpenSSL 3.0 has no ML-KEM. A default keyway client, which leads with an
/// X25519MLKEM768 share, reaches it through the X25519 share beside it with
/// no HelloRetryRequest; one that sends only the hybrid share is asked again
/// and retries with X25519; a default keyway server takes s_client's X25519.
#[test]
fn the_post_quantum_defaults_fall_back_to_x25519_with_openssl_3_0() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-server-pq");
    let n = keyway_client_session(&files, ClientConfig::builder(pki.root_store()), &[]);
    assert_eq!(n.group, Some(NamedGroup::X25519));
    assert!(!n.hello_retry_request);

    let hybrid_only =
        ClientConfig::builder(pki.root_store()).key_shares(&[NamedGroup::X25519MLKEM768]);
    let n = keyway_client_session(&files, hybrid_only, &[]);
    assert_eq!(n.group, Some(NamedGroup::X25519));
    assert!(n.hello_retry_request);

    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    let n = s_client_session(&pki, &files, server, &[]);
    assert_eq!(n.group, Some(NamedGroup::X25519));
    assert!(!n.hello_retry_request);
}

/// The validator in the handshake against a real server: s_server presents
/// a certificate from an unknown CA, for another name, or expired; in TLS 1.3
/// and TLS 1.2 the keyway client refuses it with the matching alert, and
/// s_server reports receiving that alert.
#[test]
fn keyway_client_refuses_bad_s_server_certificates_with_the_right_alert() {
    if !have_openssl() {
        return;
    }
    let good = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let wrong_name = TestPki::generate(KeyKind::EcdsaP256, &["www.example.com"]);
    let expired = TestPki::generate_with(KeyKind::EcdsaP256, &["example.com"], |leaf| {
        leaf.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2021, 1, 1);
    });
    let cases = [
        (&stranger, &good, "unknown_ca", "alert unknown ca"),
        (
            &wrong_name,
            &wrong_name,
            "certificate_unknown",
            "alert certificate unknown",
        ),
        (
            &expired,
            &expired,
            "certificate_expired",
            "alert certificate expired",
        ),
    ];
    for (served, trusted, alert, openssl_says) in cases {
        let files = served.write_files("s-server-refused");
        for version in ["-tls1_3", "-tls1_2"] {
            let (mut server, port) = s_server_speaking(&[version], &files, &[]);
            let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
            tcp.set_read_timeout(Some(WAIT)).unwrap();
            let client = ClientConfig::builder(trusted.root_store()).build().unwrap();
            let mut tls = keyway::Stream::client(Arc::new(client), "example.com", tcp).unwrap();
            let err = tls.handshake().unwrap_err();
            assert!(err.to_string().contains(alert), "{version} {alert}: {err}");
            server.wait_for(openssl_says);
        }
    }
}

// ---- TLS 1.2 ----------------------------------------------------------------

/// The TLS 1.2 ECDHE suites a certificate of `kind` can serve, with their
/// OpenSSL names (`-cipher` takes only those).
fn tls12_ecdhe_suites(kind: KeyKind) -> [(CipherSuite, &'static str); 3] {
    match kind {
        KeyKind::Rsa2048 => [
            (
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                "ECDHE-RSA-AES128-GCM-SHA256",
            ),
            (
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                "ECDHE-RSA-AES256-GCM-SHA384",
            ),
            (
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                "ECDHE-RSA-CHACHA20-POLY1305",
            ),
        ],
        // RFC 8422, Section 5.1.1: ECDHE_ECDSA also covers Ed25519 certificates.
        KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::Ed25519 => [
            (
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                "ECDHE-ECDSA-AES128-GCM-SHA256",
            ),
            (
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                "ECDHE-ECDSA-AES256-GCM-SHA384",
            ),
            (
                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                "ECDHE-ECDSA-CHACHA20-POLY1305",
            ),
        ],
    }
}

/// The curve of a certificate's key, when it is an ECDSA key.
fn certificate_curve(kind: KeyKind) -> Option<(NamedGroup, &'static str)> {
    match kind {
        KeyKind::EcdsaP256 => Some((NamedGroup::SECP256R1, "P-256")),
        KeyKind::EcdsaP384 => Some((NamedGroup::SECP384R1, "P-384")),
        KeyKind::Ed25519 | KeyKind::Rsa2048 => None,
    }
}

/// The groups each side must list for a TLS 1.2 ECDHE handshake over `group`
/// with a `kind` certificate: `group` first, then the certificate's curve.
/// RFC 8422, Section 5.3: an ECDSA certificate's curve must be one the client
/// lists in supported_groups, and OpenSSL also wants it in its own list (it
/// refuses with "wrong curve" otherwise), so a P-256 certificate cannot be
/// used over X25519 alone. OpenSSL as a server picks the client's first
/// shared group.
fn tls12_groups(kind: KeyKind, group: (NamedGroup, &'static str)) -> (Vec<NamedGroup>, String) {
    match certificate_curve(kind) {
        Some(curve) if curve != group => {
            (vec![group.0, curve.0], format!("{}:{}", group.1, curve.1))
        }
        _ => (vec![group.0], group.1.to_string()),
    }
}

/// s_client `-tls1_2` against a keyway server: verified handshake, data both
/// ways (the server echoes), clean close (s_client sends close_notify at the
/// end of its stdin, and the server returns only after reading it).
fn s_client_tls12_session(
    files: &support::PkiFiles,
    server: ServerConfig,
    extra: &[&str],
) -> keyway::Negotiated {
    s_client_echo_session(files, server, "-tls1_2", extra)
}

/// s_client speaking `version` against a keyway echo server, as
/// [`s_client_tls12_session`] (no KeyUpdate).
fn s_client_echo_session(
    files: &support::PkiFiles,
    server: ServerConfig,
    version: &str,
    extra: &[&str],
) -> keyway::Negotiated {
    let (port, handle) = keyway_echo_server(server);
    let mut client = Guard::spawn(s_client_command(port, files, version).args(extra));
    client.wait_for("Verify return code: 0 (ok)");
    client.send_line("x-hello-over-tls12");
    client.wait_for("x-hello-over-tls12");
    client.send_line("x-second-line");
    client.wait_for("x-second-line");
    assert!(
        client.finish().success(),
        "s_client failed:\n{}",
        client.output()
    );
    join_within(handle)
        .unwrap_or_else(|e| panic!("{e}\ns_client printed:\n{}", client.seen.join("\n")))
}

/// Connects a keyway client to 127.0.0.1:`port` and completes the handshake.
fn keyway_client_handshake(
    config: ClientConfig,
    port: u16,
    server: &Guard,
) -> keyway::Stream<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let mut tls = keyway::Stream::client(Arc::new(config), "example.com", tcp).unwrap();
    tls.handshake().unwrap_or_else(|e| {
        panic!(
            "handshake: {e}\ns_server printed:\n{}",
            server.seen.join("\n")
        )
    });
    tls
}

/// A keyway client against s_server started with `versions` and `extra`,
/// without KeyUpdate (TLS 1.2 has none): verified handshake, data both ways,
/// clean close that s_server acknowledges.
fn keyway_client_exchange(
    files: &support::PkiFiles,
    client: ClientConfig,
    versions: &[&str],
    extra: &[&str],
) -> keyway::Negotiated {
    let (mut server, port) = s_server_speaking(versions, files, extra);
    let mut tls = keyway_client_handshake(client, port, &server);
    tls.write_all(b"x-hello-from-keyway\n").unwrap();
    server.wait_for("x-hello-from-keyway");
    server.send_line("x-server-says-hi");
    read_until(&mut tls, "x-server-says-hi");
    let negotiated = tls.connection().negotiated().clone();
    tls.close().unwrap();
    // s_server prints DONE when it reads our close_notify.
    server.wait_for("DONE");
    negotiated
}

#[test]
fn s_client_tls12_against_keyway_server_every_ecdhe_suite_group_and_certificate() {
    if !have_openssl() {
        return;
    }
    for kind in KeyKind::ALL {
        let pki = TestPki::generate(kind, &["example.com"]);
        let files = pki.write_files("s-client-12");
        for (suite, openssl_suite) in tls12_ecdhe_suites(kind) {
            for (group, openssl_group) in GROUPS {
                let (_, curves) = tls12_groups(kind, (group, openssl_group));
                // The server speaks both versions (the default); s_client offers
                // only 1.2. The server picks groups in its own order, so it
                // gets only the one under test.
                let server = ServerConfig::builder()
                    .certificate(pki.certified_key())
                    .groups(&[group])
                    .build()
                    .unwrap();
                let n = s_client_tls12_session(
                    &files,
                    server,
                    &["-cipher", openssl_suite, "-curves", &curves],
                );
                let cell = format!("{} {openssl_suite} {openssl_group}", kind.name());
                assert_eq!(n.version, Some(ProtocolVersion::TLS12), "{cell}");
                assert_eq!(n.cipher_suite, Some(suite), "{cell}");
                assert_eq!(n.group, Some(group), "{cell}");
                assert_eq!(n.server_name.as_deref(), Some("example.com"), "{cell}");
            }
        }
    }
}

#[test]
fn keyway_tls12_client_against_s_server_every_ecdhe_suite_group_and_certificate() {
    if !have_openssl() {
        return;
    }
    for kind in KeyKind::ALL {
        let pki = TestPki::generate(kind, &["example.com"]);
        let files = pki.write_files("s-server-12");
        for (suite, openssl_suite) in tls12_ecdhe_suites(kind) {
            for (group, openssl_group) in GROUPS {
                let (groups, curves) = tls12_groups(kind, (group, openssl_group));
                let client = ClientConfig::builder(pki.root_store())
                    .versions(&[ProtocolVersion::TLS12])
                    .cipher_suites(&[suite])
                    .groups(&groups)
                    .build()
                    .unwrap();
                let n = keyway_client_exchange(
                    &files,
                    client,
                    &["-tls1_2"],
                    &["-cipher", openssl_suite, "-curves", &curves],
                );
                let cell = format!("{} {openssl_suite} {openssl_group}", kind.name());
                assert_eq!(n.version, Some(ProtocolVersion::TLS12), "{cell}");
                assert_eq!(n.cipher_suite, Some(suite), "{cell}");
                assert_eq!(n.group, Some(group), "{cell}");
                assert_eq!(n.peer_certificates.len(), 2, "{cell}");
            }
        }
    }
}

/// The RSA key exchange suites (no forward secrecy), with their OpenSSL names.
#[cfg(feature = "rsa-kx")]
const TLS12_RSA_KX: [(CipherSuite, &str); 2] = [
    (
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        "AES128-GCM-SHA256",
    ),
    (
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        "AES256-GCM-SHA384",
    ),
];

#[cfg(feature = "rsa-kx")]
#[test]
fn rsa_key_exchange_with_openssl_both_ways() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let files = pki.write_files("rsa-kx");
    for (suite, openssl_suite) in TLS12_RSA_KX {
        let server = ServerConfig::builder()
            .certificate(pki.certified_key())
            .enable_rsa_key_exchange()
            .build()
            .unwrap();
        let n = s_client_tls12_session(&files, server, &["-cipher", openssl_suite]);
        assert_eq!(n.version, Some(ProtocolVersion::TLS12), "{openssl_suite}");
        assert_eq!(n.cipher_suite, Some(suite), "s_client {openssl_suite}");
        assert_eq!(n.group, None, "RSA key exchange uses no group");

        let client = ClientConfig::builder(pki.root_store())
            .versions(&[ProtocolVersion::TLS12])
            .enable_rsa_key_exchange()
            .cipher_suites(&[suite])
            .build()
            .unwrap();
        let n = keyway_client_exchange(&files, client, &["-tls1_2"], &["-cipher", openssl_suite]);
        assert_eq!(n.version, Some(ProtocolVersion::TLS12), "{openssl_suite}");
        assert_eq!(n.cipher_suite, Some(suite), "s_server {openssl_suite}");
        assert_eq!(n.group, None, "RSA key exchange uses no group");
    }
}

#[test]
fn s_client_tls13_against_a_tls12_only_keyway_server_gets_protocol_version() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-client-13-vs-12");
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(&[ProtocolVersion::TLS12])
        .build()
        .unwrap();
    let (port, handle) = keyway_echo_server(server);
    let mut client = Guard::spawn(&mut s_client_command(port, &files, "-tls1_3"));
    // OpenSSL reports a received alert 70 as "tlsv1 alert protocol version".
    client.wait_for("alert protocol version");
    assert!(!client.finish().success(), "s_client must fail");
    let err = join_within(handle).unwrap_err();
    assert!(err.contains("sent alert protocol_version"), "{err}");
}

/// Client certificates in both versions and both directions: s_server with
/// `-Verify` (which fails the handshake without a valid client certificate)
/// against a keyway client presenting one, and s_client with `-cert` against
/// a keyway server requiring one.
#[test]
fn client_certificates_with_openssl_both_ways_in_both_versions() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("client-auth-server");
    for client_kind in [KeyKind::EcdsaP256, KeyKind::Rsa2048, KeyKind::Ed25519] {
        let client_pki = TestPki::generate(client_kind, &["client.example"]);
        let client_files = client_pki.write_files("client-auth-client");
        for (version, expected) in [
            ("-tls1_2", ProtocolVersion::TLS12),
            ("-tls1_3", ProtocolVersion::TLS13),
        ] {
            let what = format!("{} client certificate, {version}", client_kind.name());
            let client = ClientConfig::builder(pki.root_store())
                .client_certificate(client_pki.certified_key())
                .build()
                .unwrap();
            let root = client_files.root.to_str().unwrap();
            let verify = ["-Verify", "1", "-verify_return_error", "-CAfile", root];
            let n = keyway_client_exchange(&files, client, &[version], &verify);
            assert_eq!(n.version, Some(expected), "{what}");

            let verifier =
                keyway::pki::DefaultClientVerifier::new(Arc::new(client_pki.root_store()));
            let server = ServerConfig::builder()
                .certificate(pki.certified_key())
                .client_auth(Arc::new(verifier))
                .build()
                .unwrap();
            let present = [
                "-cert",
                client_files.leaf.to_str().unwrap(),
                "-cert_chain",
                client_files.intermediate.to_str().unwrap(),
                "-key",
                client_files.key.to_str().unwrap(),
            ];
            let n = s_client_echo_session(&files, server, version, &present);
            assert_eq!(n.version, Some(expected), "{what}");
            assert_eq!(
                n.peer_certificates,
                client_pki.certified_key().chain,
                "{what}"
            );
        }
    }
}

#[test]
fn keyway_default_client_negotiates_tls12_with_a_tls12_only_s_server() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-server-12-only");
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let n = keyway_client_exchange(&files, client, &["-tls1_2"], &[]);
    assert_eq!(n.version, Some(ProtocolVersion::TLS12));
    // Our first preference among the TLS 1.2 suites and groups.
    assert_eq!(
        n.cipher_suite,
        Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
    );
    assert_eq!(n.group, Some(NamedGroup::X25519));
}

#[test]
fn keyway_client_with_both_versions_negotiates_tls13_with_an_s_server_with_both() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-server-both");
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[ProtocolVersion::TLS13, ProtocolVersion::TLS12])
        .build()
        .unwrap();
    let n = keyway_client_exchange(&files, client, &[], &[]);
    assert_eq!(n.version, Some(ProtocolVersion::TLS13));
}

/// RFC 8422, Section 5.3: "the public key in the server's certificate MUST
/// respect the client's choice of elliptic curves", and Section 5.1: a server
/// must not negotiate an ECC suite it cannot complete with the client's curves.
/// A P-256 certificate for a client that lists only X25519 is such a case.
#[test]
fn keyway_server_declines_an_ecdsa_certificate_on_a_curve_the_client_lacks() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-client-12-wrong-curve");
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .build()
        .unwrap();
    let (port, handle) = keyway_echo_server(server);
    let mut client = Guard::spawn(s_client_command(port, &files, "-tls1_2").args([
        "-cipher",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "-curves",
        "X25519",
    ]));
    assert!(
        !client.finish().success(),
        "no suite can work, so s_client must fail"
    );
    let err = join_within(handle).unwrap_err();
    // keyway refuses the suite itself (no ECDHE_ECDSA suite can work with a
    // P-256 certificate for a client without P-256) instead of letting
    // s_client abort on "wrong curve".
    assert!(
        err.contains("sent alert handshake_failure") && err.contains("lacks secp256r1"),
        "{err}\ns_client printed:\n{}",
        client.seen.join("\n")
    );
}

/// Records handshake messages received and alerts sent or received, in order.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl keyway::events::Observer for Recorder {
    fn on_event(&self, _: keyway::events::Side, event: &keyway::events::Event<'_>) {
        use keyway::events::Event;
        let line = match event {
            Event::Received(msg) => format!("received {:?}", msg.handshake_type()),
            Event::AlertSent(alert) => format!("sent alert {alert}"),
            Event::AlertReceived(alert) => format!("received alert {alert}"),
            _ => return,
        };
        self.0.lock().unwrap().push(line);
    }
}

/// Waits (bounded) until more than `already` bytes sit unread in `tcp`;
/// returns how many do.
fn wait_for_unread_bytes(tcp: &TcpStream, already: usize) -> usize {
    let deadline = Instant::now() + WAIT;
    let mut buf = [0u8; 4096];
    loop {
        // peek blocks while nothing is there (up to the read timeout) and
        // returns at once otherwise, hence the sleep.
        let unread = tcp.peek(&mut buf).unwrap_or(0);
        if unread > already {
            return unread;
        }
        assert!(
            Instant::now() < deadline,
            "no more than {already} bytes arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn keyway_client_refuses_renegotiation_from_s_server_and_reads_on() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-server-reneg");
    let events = Arc::new(Recorder::default());
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[ProtocolVersion::TLS12])
        .observer(events.clone())
        .build()
        .unwrap();
    let (mut server, port) = s_server_speaking(&["-tls1_2"], &files, &[]);
    let mut tls = keyway_client_handshake(client, port, &server);
    tls.write_all(b"x-before-renegotiation\n").unwrap();
    server.wait_for("x-before-renegotiation");
    // "R" makes s_server send a HelloRequest (and ask for a client certificate
    // in the renegotiation it hopes for). It says so only on its buffered
    // stdout, so watch our socket instead: the HelloRequest record arrives
    // unread, then the data line after it. Reading only then means keyway
    // answers the HelloRequest and reads on before s_server can see our
    // no_renegotiation warning (see below for what that warning does).
    server.send_line("R");
    let hello_request_len = wait_for_unread_bytes(tls.get_ref(), 0);
    server.send_line("x-after-hello-request");
    wait_for_unread_bytes(tls.get_ref(), hello_request_len);
    read_until(&mut tls, "x-after-hello-request");
    let seen = events.events();
    let hello_request = seen
        .iter()
        .position(|e| e == "received hello_request")
        .unwrap_or_else(|| panic!("no HelloRequest arrived: {seen:?}"));
    assert_eq!(
        seen.get(hello_request + 1).map(String::as_str),
        Some("sent alert no_renegotiation"),
        "{seen:?}"
    );
    // OpenSSL 3.0 (ssl/record/rec_layer_s3.c) turns a no_renegotiation warning
    // into a fatal handshake_failure of its own: "if application tried to
    // renegotiate it presumably had a good reason". So the connection ends
    // there, by s_server's choice; we only check that keyway sent nothing but
    // the warning and reports the peer's alert.
    let err = tls.read(&mut [0u8; 64]).unwrap_err();
    assert!(
        err.to_string()
            .contains("peer sent fatal alert handshake_failure"),
        "{err}"
    );
    server.wait_for("no renegotiation");
    let sent: Vec<_> = events
        .events()
        .into_iter()
        .filter(|e| e.starts_with("sent alert"))
        .collect();
    assert_eq!(sent, ["sent alert no_renegotiation"]);
}

#[test]
fn keyway_server_refuses_renegotiation_from_s_client() {
    if !have_openssl() {
        return;
    }
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("s-client-reneg");
    let events = Arc::new(Recorder::default());
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .observer(events.clone())
        .build()
        .unwrap();
    let (port, handle) = keyway_echo_server(server);
    let mut client = Guard::spawn(&mut s_client_command(port, &files, "-tls1_2"));
    client.wait_for("Verify return code: 0 (ok)");
    client.send_line("x-before-renegotiation");
    client.wait_for("x-before-renegotiation");
    // "R" marks the connection for renegotiation; s_client sends the new
    // ClientHello with its next read or write. The line below is that write
    // when nothing else came first; s_client may already have renegotiated,
    // been refused and exited by then, so a broken pipe here is fine.
    client.send_line("R");
    client.wait_for("RENEGOTIATING");
    let _ = client
        .stdin()
        .write_all(b"x-during-renegotiation\n")
        .and_then(|()| client.stdin().flush());
    // As in the test above, OpenSSL answers our no_renegotiation warning with a
    // fatal handshake_failure and gives up the connection.
    client.wait_for("no renegotiation");
    assert!(
        !client.finish().success(),
        "s_client gives up after the refusal"
    );
    let err = join_within(handle).unwrap_err();
    assert!(
        err.contains("peer sent fatal alert handshake_failure"),
        "keyway must fail only because of the peer's alert: {err}"
    );
    let seen = events.events();
    let client_hellos = seen.iter().filter(|e| *e == "received client_hello");
    assert_eq!(client_hellos.count(), 2, "{seen:?}");
    let sent: Vec<_> = seen
        .iter()
        .filter(|e| e.starts_with("sent alert"))
        .collect();
    assert_eq!(sent, ["sent alert no_renegotiation"], "{seen:?}");
}

#[test]
fn example_server_serves_its_page_to_s_client_for_every_suite_and_group() {
    if !have_openssl() {
        return;
    }
    let Some(server_bin) = example_binary("server") else {
        return;
    };
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("example-server");
    let (_server, port) = start_example_server(&server_bin, &files, &["--tls13"]);
    for suite in SUITES {
        for (_, openssl_group) in GROUPS {
            let (_, stdout) = run(
                s_client_command(port, &files, "-tls1_3").args([
                    "-quiet",
                    "-ciphersuites",
                    suite.name().unwrap(),
                    "-groups",
                    openssl_group,
                ]),
                b"GET / HTTP/1.0\r\n\r\n",
            );
            assert!(
                stdout.contains("HTTP/1.0 200"),
                "{suite:?} {openssl_group}: {stdout}"
            );
            assert!(
                stdout.contains(suite.name().unwrap()),
                "page lists the suite: {stdout}"
            );
        }
    }
}

#[test]
fn example_client_fetches_the_s_server_www_page() {
    if !have_openssl() {
        return;
    }
    let Some(client_bin) = example_binary("client") else {
        return;
    };
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let files = pki.write_files("example-client");
    for suite in SUITES {
        for (group, openssl_group) in GROUPS {
            let suite_name = suite.name().unwrap();
            let (server, port) = s_server(
                &files,
                &[
                    "-www",
                    "-groups",
                    openssl_group,
                    "-ciphersuites",
                    suite_name,
                ],
            );
            let (ok, stdout) = run_example_client(
                &client_bin,
                &files,
                port,
                &[
                    "--tls13",
                    "--ciphers",
                    suite_name,
                    "--groups",
                    group.name().unwrap(),
                ],
            );
            drop(server);
            assert!(ok, "{stdout}");
            assert!(stdout.contains("HTTP/1.0 200 ok"), "{stdout}");
            assert!(
                stdout.contains(&format!("cipher suite: {suite_name}")),
                "{stdout}"
            );
            assert!(stdout.contains(&format!("group: {group:?}")), "{stdout}");
        }
    }
}

/// Gets the example server's page with `s_client -tls1_2 -quiet` and `args`;
/// returns everything s_client printed.
fn s_client_tls12_get_page(port: u16, files: &support::PkiFiles, args: &[&str]) -> String {
    let mut client = Guard::spawn(
        s_client_command(port, files, "-tls1_2")
            .arg("-quiet")
            .args(args),
    );
    client.stdin().write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    client.wait_for("</html>");
    client.seen.join("\n")
}

#[test]
fn example_server_serves_its_page_to_s_client_over_tls12() {
    if !have_openssl() {
        return;
    }
    let Some(server_bin) = example_binary("server") else {
        return;
    };
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("example-server-12");
    // Both versions (the default), suites by OpenSSL and by IANA name.
    let (_server, port) = start_example_server(
        &server_bin,
        &files,
        &[
            "--ciphers",
            "TLS_AES_128_GCM_SHA256,ECDHE-ECDSA-AES128-GCM-SHA256,\
             TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "--alpn",
            "http/1.1",
        ],
    );
    for (suite, openssl_suite, openssl_group) in [
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "X25519:P-256",
        ),
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "P-256",
        ),
    ] {
        let page = s_client_tls12_get_page(
            port,
            &files,
            &[
                "-cipher",
                openssl_suite,
                "-curves",
                openssl_group,
                "-alpn",
                "http/1.1",
            ],
        );
        assert!(page.contains("HTTP/1.0 200"), "{page}");
        assert!(page.contains("version: TLSv1.2"), "{page}");
        assert!(
            page.contains(&format!("cipher suite: {}", suite.name().unwrap())),
            "{page}"
        );
        assert!(page.contains("ALPN: http/1.1"), "{page}");
    }
}

#[test]
fn example_client_fetches_the_s_server_www_page_over_tls12() {
    if !have_openssl() {
        return;
    }
    let Some(client_bin) = example_binary("client") else {
        return;
    };
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let files = pki.write_files("example-client-12");
    for (suite, name, openssl_suite) in [
        (
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
        ),
        (
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "ECDHE-RSA-CHACHA20-POLY1305",
        ),
    ] {
        let (_server, port) = s_server_speaking(
            &["-tls1_2"],
            &files,
            &["-www", "-cipher", openssl_suite, "-alpn", "http/1.1"],
        );
        let (ok, out) = run_example_client(
            &client_bin,
            &files,
            port,
            &[
                "--tls12",
                "--ciphers",
                name,
                "--groups",
                "P-384",
                "--alpn",
                "h2,http/1.1",
            ],
        );
        assert!(ok, "{out}");
        assert!(out.contains("version: TLSv1.2"), "{out}");
        assert!(
            out.contains(&format!("cipher suite: {}", suite.name().unwrap())),
            "{out}"
        );
        assert!(out.contains("group: secp384r1"), "{out}");
        assert!(out.contains("ALPN: http/1.1"), "{out}");
        assert!(out.contains("HTTP/1.0 200 ok"), "{out}");
    }
}

#[cfg(feature = "rsa-kx")]
#[test]
fn examples_do_rsa_key_exchange_with_openssl_given_rsa_kx() {
    if !have_openssl() {
        return;
    }
    let (Some(client_bin), Some(server_bin)) = (example_binary("client"), example_binary("server"))
    else {
        return;
    };
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let files = pki.write_files("example-rsa-kx");

    let (_server, port) = s_server_speaking(
        &["-tls1_2"],
        &files,
        &["-www", "-cipher", "AES128-GCM-SHA256"],
    );
    let (ok, out) = run_example_client(
        &client_bin,
        &files,
        port,
        &["--rsa-kx", "--ciphers", "AES128-GCM-SHA256"],
    );
    assert!(ok, "{out}");
    assert!(out.contains("version: TLSv1.2"), "{out}");
    assert!(
        out.contains("cipher suite: TLS_RSA_WITH_AES_128_GCM_SHA256"),
        "{out}"
    );
    assert!(out.contains("HTTP/1.0 200 ok"), "{out}");

    let (_server, port) = start_example_server(&server_bin, &files, &["--rsa-kx"]);
    let page = s_client_tls12_get_page(port, &files, &["-cipher", "AES256-GCM-SHA384"]);
    assert!(
        page.contains("cipher suite: TLS_RSA_WITH_AES_256_GCM_SHA384"),
        "{page}"
    );
}

#[cfg(not(feature = "rsa-kx"))]
#[test]
fn examples_refuse_rsa_kx_without_the_feature() {
    for (name, args) in [
        (
            "client",
            &["--connect", "127.0.0.1:1", "--cafile", "none.pem"][..],
        ),
        (
            "server",
            &[
                "--addr",
                "127.0.0.1:0",
                "--cert",
                "none.pem",
                "--key",
                "none.pem",
            ][..],
        ),
    ] {
        let Some(bin) = example_binary(name) else {
            return;
        };
        let (status, stderr) = run(Command::new(bin).args(args).arg("--rsa-kx"), b"");
        assert_eq!(status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("rebuild with --features rsa-kx"),
            "{name}: {stderr}"
        );
    }
}
