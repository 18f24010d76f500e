//! Resumption interop with the real `openssl` binary, both ways: TLS 1.3
//! tickets, TLS 1.2 session IDs and RFC 5077 tickets, and 0-RTT early data
//! accepted and refused. `openssl s_client` keeps its session in a file
//! (`-sess_out`, then `-sess_in`); a keyway client keeps its own in the
//! config's store across connections to one `openssl s_server -naccept 2`.
//! The example server and client resume with each other and with OpenSSL.
//!
//! Without `openssl` on PATH these tests skip with a printed reason locally,
//! and fail under CI (`CI` set), where `.ci/run` installs it.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::thread::JoinHandle;

use keyway::session::{InMemoryServerSessionStore, ServerSessionStore};
use keyway::{ClientConfig, EarlyData, ProtocolVersion, ServerConfig};
use support::process::{
    accept_within, example_binary, have_openssl, join_within, run_example_client,
    start_example_server, Guard, WAIT,
};
use support::{KeyKind, PkiFiles, TestPki};

/// What a keyway server saw of one connection.
struct Served {
    negotiated: keyway::Negotiated,
    early_data: Vec<u8>,
}

/// A keyway echo server for `count` connections in turn, in a thread.
fn keyway_server(
    config: ServerConfig,
    count: usize,
) -> (u16, JoinHandle<Result<Vec<Served>, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Arc::new(config);
    let handle = std::thread::spawn(move || {
        let mut served = Vec::new();
        for _ in 0..count {
            let tcp = accept_within(&listener).map_err(|e| e.to_string())?;
            tcp.set_read_timeout(Some(WAIT)).unwrap();
            let mut tls = keyway::Stream::server(config.clone(), tcp);
            tls.handshake().map_err(|e| format!("handshake: {e}"))?;
            let mut early_data = vec![0u8; 4096];
            let n = tls.connection_mut().read_early_data(&mut early_data);
            early_data.truncate(n);
            let mut buf = [0u8; 4096];
            loop {
                let n = tls.read(&mut buf).map_err(|e| format!("read: {e}"))?;
                if n == 0 {
                    break;
                }
                tls.write_all(&buf[..n])
                    .map_err(|e| format!("write: {e}"))?;
            }
            let _ = tls.close();
            served.push(Served {
                negotiated: tls.connection().negotiated().clone(),
                early_data,
            });
        }
        Ok(served)
    });
    (port, handle)
}

/// One `openssl s_client` connection: verified handshake, a line echoed
/// (which also brings in the TLS 1.3 tickets, sent before it), clean exit.
/// Returns everything s_client printed.
fn s_client(port: u16, files: &PkiFiles, args: &[&str], session: &Path) -> String {
    let mut client = Guard::spawn(
        Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-servername", "example.com"])
            .args(["-verify_hostname", "example.com", "-verify_return_error"])
            .arg("-CAfile")
            .arg(&files.root)
            .args(args)
            .arg(match session.exists() {
                true => "-sess_in",
                false => "-sess_out",
            })
            .arg(session),
    );
    client.wait_for("Verify return code: 0 (ok)");
    client.send_line("x-echo");
    client.wait_for("x-echo");
    assert!(client.finish().success(), "s_client:\n{}", client.output());
    client.output()
}

fn pki() -> (TestPki, PkiFiles) {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let files = pki.write_files("resumption");
    (pki, files)
}

#[test]
fn s_client_resumes_with_a_keyway_server_by_ticket_and_session_id() {
    if !have_openssl() {
        return;
    }
    let (pki, files) = pki();
    let cases: [(&str, &[&str], ProtocolVersion); 3] = [
        ("TLS 1.3 ticket", &["-tls1_3"], ProtocolVersion::TLS13),
        ("TLS 1.2 ticket", &["-tls1_2"], ProtocolVersion::TLS12),
        (
            "TLS 1.2 session ID",
            &["-tls1_2", "-no_ticket"],
            ProtocolVersion::TLS12,
        ),
    ];
    for (case, args, version) in cases {
        let session = files
            .dir
            .join(format!("{}.session", case.replace(' ', "-")));
        let config = ServerConfig::builder()
            .certificate(pki.certified_key())
            .build()
            .unwrap();
        let (port, server) = keyway_server(config, 2);
        let first = s_client(port, &files, args, &session);
        assert!(first.contains("New, TLSv1."), "{case}:\n{first}");
        let second = s_client(port, &files, args, &session);
        assert!(second.contains("Reused, TLSv1."), "{case}:\n{second}");
        let served = join_within(server).unwrap();
        assert!(!served[0].negotiated.resumed, "{case}");
        assert!(served[1].negotiated.resumed, "{case}");
        assert_eq!(served[1].negotiated.version, Some(version), "{case}");
    }
}

#[test]
fn s_client_early_data_is_accepted_by_a_keyway_server_that_allows_it() {
    if !have_openssl() {
        return;
    }
    let (pki, files) = pki();
    let early = files.dir.join("early.txt");
    std::fs::write(&early, b"GET /early HTTP/1.1\r\n\r\n").unwrap();
    let early = early.to_str().unwrap();
    for (max, accepted) in [(16384, true), (0, false)] {
        let session = files.dir.join(format!("early-{max}.session"));
        let store: Arc<dyn ServerSessionStore> = Arc::new(InMemoryServerSessionStore::new(16));
        // Tickets that allow early data come from a server that takes it; a
        // second server with the same store may refuse it.
        let config = ServerConfig::builder()
            .certificate(pki.certified_key())
            .session_store(Some(store.clone()))
            .max_early_data_size(16384)
            .build()
            .unwrap();
        let (port, first) = keyway_server(config, 1);
        s_client(port, &files, &["-tls1_3"], &session);
        join_within(first).unwrap();

        let config = ServerConfig::builder()
            .certificate(pki.certified_key())
            .session_store(Some(store))
            .stateful_tickets(true)
            .max_early_data_size(max)
            .build()
            .unwrap();
        let (port, second) = keyway_server(config, 1);
        let out = s_client(port, &files, &["-tls1_3", "-early_data", early], &session);
        let served = join_within(second).unwrap();
        let n = &served[0];
        assert!(n.negotiated.resumed, "{out}");
        match accepted {
            true => {
                assert!(out.contains("Early data was accepted"), "{out}");
                assert_eq!(n.negotiated.early_data, EarlyData::Accepted);
                assert_eq!(n.early_data, b"GET /early HTTP/1.1\r\n\r\n");
            }
            false => {
                assert!(out.contains("Early data was rejected"), "{out}");
                assert_eq!(n.negotiated.early_data, EarlyData::Rejected);
                assert!(n.early_data.is_empty());
            }
        }
    }
}

/// `openssl s_server` for `connections` connections with `args`.
fn s_server(files: &PkiFiles, connections: u32, args: &[&str]) -> (Guard, u16) {
    let connections = connections.to_string();
    let args = [&["-naccept", connections.as_str()], args].concat();
    support::process::s_server(files, &args)
}

/// One keyway client connection to s_server: `early` sent as 0-RTT data if
/// possible, a line from s_server read (after the tickets), clean close.
fn keyway_client(
    config: &Arc<ClientConfig>,
    port: u16,
    server: &mut Guard,
    early: &[u8],
) -> keyway::Negotiated {
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let mut tls = keyway::Stream::client(config.clone(), "example.com", tcp).unwrap();
    if !early.is_empty() {
        let sent = tls.connection_mut().write_early_data(early).unwrap();
        assert_eq!(sent, early.len());
    }
    tls.handshake()
        .unwrap_or_else(|e| panic!("handshake: {e}\ns_server:\n{}", server.output()));
    server.send_line("x-from-s-server");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&got).contains("x-from-s-server") {
        let n = tls.read(&mut buf).unwrap();
        assert!(n > 0, "closed early; s_server:\n{}", server.output());
        got.extend_from_slice(&buf[..n]);
    }
    let negotiated = tls.connection().negotiated().clone();
    tls.close().unwrap();
    negotiated
}

#[test]
fn a_keyway_client_resumes_with_s_server_by_ticket_and_session_id() {
    if !have_openssl() {
        return;
    }
    let (pki, files) = pki();
    let cases: [(&str, &[&str], &[ProtocolVersion]); 3] = [
        ("TLS 1.3 ticket", &["-tls1_3"], &[ProtocolVersion::TLS13]),
        ("TLS 1.2 ticket", &["-tls1_2"], &[ProtocolVersion::TLS12]),
        (
            "TLS 1.2 session ID",
            &["-tls1_2", "-no_ticket"],
            &[ProtocolVersion::TLS12],
        ),
    ];
    for (case, args, versions) in cases {
        let config = Arc::new(
            ClientConfig::builder(pki.root_store())
                .versions(versions)
                .build()
                .unwrap(),
        );
        let (mut server, port) = s_server(&files, 3, args);
        let first = keyway_client(&config, port, &mut server, b"");
        let second = keyway_client(&config, port, &mut server, b"");
        // OpenSSL renews a TLS 1.2 ticket only when its key is due for
        // rotation: the client must keep the ticket it resumed with.
        let third = keyway_client(&config, port, &mut server, b"");
        assert!(!first.resumed, "{case}");
        assert!(second.resumed, "{case}\ns_server:\n{}", server.output());
        assert!(
            third.resumed,
            "{case}, again\ns_server:\n{}",
            server.output()
        );
        assert_eq!(second.version, Some(versions[0]), "{case}");
        assert_eq!(second.peer_certificates, first.peer_certificates, "{case}");
        server.finish();
    }
}

#[test]
fn a_keyway_client_sends_early_data_that_s_server_accepts() {
    if !have_openssl() {
        return;
    }
    let (pki, files) = pki();
    let config = Arc::new(
        ClientConfig::builder(pki.root_store())
            .enable_early_data(true)
            .build()
            .unwrap(),
    );
    let (mut server, port) = s_server(&files, 2, &["-tls1_3", "-early_data"]);
    let first = keyway_client(&config, port, &mut server, b"");
    assert_eq!(first.early_data, EarlyData::NotOffered);
    let second = keyway_client(&config, port, &mut server, b"x-early-from-keyway\n");
    assert!(second.resumed);
    assert_eq!(second.early_data, EarlyData::Accepted);
    server.wait_for("x-early-from-keyway");
    server.finish();
}

#[test]
fn the_example_client_reconnects_with_0rtt_to_the_example_server() {
    let (Some(server_bin), Some(client_bin)) = (example_binary("server"), example_binary("client"))
    else {
        return;
    };
    let (_, files) = pki();
    let (_server, port) = start_example_server(&server_bin, &files, &["--early-data", "16384"]);
    let (ok, out) = run_example_client(
        &client_bin,
        &files,
        port,
        &["--tls13", "--reconnect", "2", "--early-data"],
    );
    assert!(ok, "{out}");
    // Each connection prints its own parameters, then the server's page of
    // what it saw.
    let told = |what: &str| out.matches(what).count();
    assert_eq!(told("resumed: no"), 2, "{out}");
    assert_eq!(told("resumed: yes"), 4, "{out}");
    assert_eq!(told("early data: not offered"), 2, "{out}");
    assert_eq!(told("early data: accepted"), 4, "{out}");
    assert_eq!(told("HTTP/1.0 200"), 3, "{out}");
}

#[test]
fn the_example_server_resumes_s_client_and_answers_its_early_request() {
    if !have_openssl() {
        return;
    }
    let Some(server_bin) = example_binary("server") else {
        return;
    };
    let (_, files) = pki();
    let (_server, port) = start_example_server(&server_bin, &files, &["--early-data", "16384"]);
    let session = files.dir.join("example.session");
    let request = files.dir.join("request.txt");
    std::fs::write(&request, b"GET / HTTP/1.0\r\n\r\n").unwrap();
    for (n, early) in [(1, false), (2, true)] {
        let mut args = vec!["s_client", "-connect"];
        let addr = format!("127.0.0.1:{port}");
        args.push(&addr);
        args.extend(["-tls1_3", "-quiet", "-CAfile"]);
        args.push(files.root.to_str().unwrap());
        args.push(if n == 1 { "-sess_out" } else { "-sess_in" });
        args.push(session.to_str().unwrap());
        if early {
            args.extend(["-early_data", request.to_str().unwrap()]);
        }
        let mut client = Guard::spawn(Command::new("openssl").args(&args));
        if !early {
            client.stdin().write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        }
        client.wait_for("</html>");
        let page = client.output();
        match early {
            false => assert!(page.contains("resumed: no"), "{page}"),
            true => {
                assert!(page.contains("resumed: yes"), "{page}");
                assert!(page.contains("early data: accepted"), "{page}");
            }
        }
    }
}
