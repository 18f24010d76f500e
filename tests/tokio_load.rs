//! A load test of the `tokio_server` example, on loopback only: 1,000
//! concurrent keyway clients, each doing a full TLS 1.3 handshake and a
//! 16 KiB request answered by a 16 KiB response (the body echoed). All must
//! succeed; the server's memory is read from `/proc` while all 1,000
//! connections are open and printed per connection.
//!
//! Bounded in count (1,000 connections) and time (`DEADLINE`). Throughput
//! figures come from `cargo bench --bench tokio_load`, not from this test.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use keyway::tokio::TlsConnector;
use keyway::ClientConfig;
use support::process::{example_binary, Guard};
use support::{KeyKind, TestPki};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

const CLIENTS: usize = 1000;
const BODY: usize = 16 * 1024;
const DEADLINE: Duration = Duration::from_secs(90);

/// The resident set of process `pid`, in bytes (Linux `/proc`).
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// One client: handshake, POST of `BODY` bytes, the echo checked.
async fn exchange(
    connector: &TlsConnector,
    port: u16,
) -> std::io::Result<keyway::tokio::TlsStream<TcpStream, keyway::ClientConnection>> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut tls = connector.connect("localhost", tcp).await?;
    let body: Vec<u8> = (0..BODY).map(|i| (i % 253) as u8).collect();
    let head = format!("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: {BODY}\r\n\r\n");
    tls.write_all(head.as_bytes()).await?;
    tls.write_all(&body).await?;
    tls.flush().await?;
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    let body_at = loop {
        let n = tls.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        response.extend_from_slice(&buf[..n]);
        if let Some(at) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
    while response.len() < body_at + BODY {
        let n = tls.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        response.extend_from_slice(&buf[..n]);
    }
    assert_eq!(&response[body_at..], &body[..], "the echo differs");
    Ok(tls)
}

#[test]
fn a_thousand_concurrent_clients_each_handshake_and_exchange_16_kib() {
    let Some(server_bin) = example_binary("tokio_server") else {
        return;
    };
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let files = pki.write_files("tokio-load");
    let mut server = Guard::spawn(
        std::process::Command::new(server_bin)
            .args(["--addr", "127.0.0.1:0", "--tls13"])
            .arg("--cert")
            .arg(&files.chain)
            .arg("--key")
            .arg(&files.key),
    );
    let port = server.wait_for_port("listening on");
    let pid = server.id();
    let connector = TlsConnector::from(Arc::new(
        ClientConfig::builder(pki.root_store()).build().unwrap(),
    ));
    let rt = support::tokio_runtime();
    let started = Instant::now();
    rt.block_on(async {
        // One connection first, so that what the server sets up once is
        // not counted per connection.
        let mut warm = exchange(&connector, port).await.unwrap();
        warm.shutdown().await.unwrap();
        drop(warm);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let before = resident_bytes(pid).expect("server RSS");

        // Every client waits, connection open, until all are done; then the
        // test reads the server's memory and lets them close.
        let all_done = Arc::new(Barrier::new(CLIENTS + 1));
        let may_close = Arc::new(Barrier::new(CLIENTS + 1));
        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            let (connector, all_done, may_close) =
                (connector.clone(), all_done.clone(), may_close.clone());
            clients.push(tokio::spawn(async move {
                let result = exchange(&connector, port).await;
                all_done.wait().await;
                may_close.wait().await;
                let mut tls = result?;
                tls.shutdown().await
            }));
        }
        tokio::time::timeout(DEADLINE, all_done.wait())
            .await
            .expect("the clients did not finish in time");
        let elapsed = started.elapsed();
        let peak = resident_bytes(pid).expect("server RSS");
        may_close.wait().await;
        let mut failed = Vec::new();
        for client in clients {
            let result = tokio::time::timeout(DEADLINE, client)
                .await
                .expect("a client did not close in time");
            if let Err(e) = result.unwrap() {
                failed.push(e.to_string());
            }
        }
        assert!(failed.is_empty(), "{} clients failed: {failed:?}", failed.len());
        let per_connection = peak.saturating_sub(before) / CLIENTS as u64;
        println!(
            "{CLIENTS} concurrent connections, each a TLS 1.3 handshake and 16 KiB each way, in {:.1} s \
             (debug build, clients on the same 2 cores); tokio_server RSS {} KiB before, {} KiB with all \
             open: {} bytes per connection",
            elapsed.as_secs_f64(),
            before / 1024,
            peak / 1024,
            per_connection
        );
        // A generous ceiling: a connection's buffers, its task and the
        // socket's share of the heap fit in far less.
        assert!(
            per_connection < 256 * 1024,
            "{per_connection} bytes per connection"
        );
    });
}
