//! keyway's tokio adapter and tokio-rustls side by side, measured the same
//! way over loopback TCP: the server in a process of its own (this binary,
//! re-run in the server role) on a multi-threaded runtime with 2 workers,
//! the clients in this process on another 2-worker runtime, the two sharing
//! the machine's cores. Each connection is a full TLS 1.3 handshake (X25519,
//! ECDSA P-256 certificate and intermediate, TLS_AES_128_GCM_SHA256, no
//! session tickets), 16 KiB from the client, 16 KiB back, and close_notify
//! both ways; client and server use the same stack.
//!
//! `cargo bench --features tokio --bench tokio_load`
//!
//! Printed per stack:
//! - handshakes/s: 3,000 connections, 32 at a time, best of 3 runs (each
//!   connection costs both sides' handshake, as the cores are shared);
//! - memory with 1,000 connections open at once, each after its exchange:
//!   the server's live heap per connection (counted by the `cap` allocator
//!   wrapper, without the allocator's own overhead), and its resident set
//!   per connection, then and at its peak while the 1,000 were set up
//!   (VmRSS and VmHWM in `/proc`, Linux only).

#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::System;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cap::Cap;
use support::side_by_side::{keyway_configs, rustls_configs};
use support::{KeyKind, TestPki};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Barrier, Semaphore};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const BODY: usize = 16 * 1024;
const CONCURRENT: usize = 1000;
const CONNECTIONS: usize = 3000;
const IN_FLIGHT: usize = 32;
const RUNS: usize = 3;
/// Every wait is bounded: a stuck run fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(120);

/// Set in the server process: which stack it serves with.
const ROLE: &str = "KEYWAY_TOKIO_LOAD_SERVER";
/// Set in the server process: the test PKI, hex fields joined by ':'.
const PKI: &str = "KEYWAY_TOKIO_LOAD_PKI";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stack {
    Keyway,
    TokioRustls,
}

impl Stack {
    fn name(self) -> &'static str {
        match self {
            Stack::Keyway => "keyway::tokio",
            Stack::TokioRustls => "tokio-rustls",
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

fn main() {
    if let Ok(stack) = std::env::var(ROLE) {
        let stack = match stack.as_str() {
            "keyway" => Stack::Keyway,
            _ => Stack::TokioRustls,
        };
        return server_process(stack);
    }
    // `cargo bench` passes `--bench`; a filter picks one stack.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["example.com"]);
    let rt = support::tokio_runtime();
    println!(
        "{:<14} {:>13} {:>16} {:>16} {:>16}",
        "stack", "handshakes/s", "heap/conn", "RSS/conn", "peak RSS/conn"
    );
    for stack in [Stack::Keyway, Stack::TokioRustls] {
        if filter.as_deref().is_some_and(|f| !stack.name().contains(f)) {
            continue;
        }
        let mut server = ServerProcess::spawn(stack, &pki);
        let clients = Clients::new(stack, &pki);
        let port = server.port;
        // The connection a server sets up once is not counted.
        rt.block_on(async {
            let mut tls = clients.exchange(port).await.unwrap();
            close(&mut tls).await.unwrap();
        });
        std::thread::sleep(Duration::from_millis(100));
        let before = server.measure();
        let open = rt.block_on(concurrent(&clients, port, || server.measure()));
        let rate = (0..RUNS)
            .map(|_| rt.block_on(throughput(&clients, port)))
            .fold(0.0, f64::max);
        let per = |bytes: u64| bytes / CONCURRENT as u64;
        println!(
            "{:<14} {:>13.0} {:>14} B {:>14} B {:>14} B",
            stack.name(),
            rate,
            per(open.heap.saturating_sub(before.heap)),
            per(open.rss.saturating_sub(before.rss)),
            per(open.peak_rss.saturating_sub(before.rss)),
        );
        server.stop();
    }
}

/// Opens `CONCURRENT` connections at once; with all of them open after
/// their exchange, calls `measure`; then closes them.
async fn concurrent(clients: &Clients, port: u16, measure: impl FnOnce() -> Usage) -> Usage {
    let all_done = Arc::new(Barrier::new(CONCURRENT + 1));
    let may_close = Arc::new(Barrier::new(CONCURRENT + 1));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENT {
        let (clients, all_done, may_close) = (clients.clone(), all_done.clone(), may_close.clone());
        tasks.push(tokio::spawn(async move {
            let exchanged = clients.exchange(port).await;
            all_done.wait().await;
            may_close.wait().await;
            close(&mut exchanged?).await
        }));
    }
    tokio::time::timeout(DEADLINE, all_done.wait())
        .await
        .expect("the connections did not open in time");
    let usage = tokio::task::block_in_place(measure);
    may_close.wait().await;
    for task in tasks {
        tokio::time::timeout(DEADLINE, task)
            .await
            .expect("a connection did not close in time")
            .unwrap()
            .unwrap();
    }
    usage
}

/// Runs `CONNECTIONS` connections, `IN_FLIGHT` at a time; returns connections per second.
async fn throughput(clients: &Clients, port: u16) -> f64 {
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let clients = clients.clone();
        tasks.push(tokio::spawn(async move {
            let mut tls = clients.exchange(port).await?;
            close(&mut tls).await?;
            drop(permit);
            std::io::Result::Ok(())
        }));
    }
    for task in tasks {
        tokio::time::timeout(DEADLINE, task)
            .await
            .expect("a connection did not finish in time")
            .unwrap()
            .unwrap();
    }
    CONNECTIONS as f64 / started.elapsed().as_secs_f64()
}

/// Client configs for one stack.
#[derive(Clone)]
enum Clients {
    Keyway(keyway::tokio::TlsConnector),
    TokioRustls(tokio_rustls::TlsConnector),
}

impl Clients {
    fn new(stack: Stack, pki: &TestPki) -> Self {
        match stack {
            Stack::Keyway => Clients::Keyway(keyway_configs(pki).0.into()),
            Stack::TokioRustls => Clients::TokioRustls(rustls_configs(pki).0.into()),
        }
    }

    /// Connects, sends `BODY` bytes and reads as many back.
    async fn exchange(&self, port: u16) -> std::io::Result<Box<dyn Io>> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
        tcp.set_nodelay(true)?;
        let mut tls: Box<dyn Io> = match self {
            Clients::Keyway(connector) => Box::new(connector.connect("example.com", tcp).await?),
            Clients::TokioRustls(connector) => {
                let name = rustls::pki_types::ServerName::try_from("example.com").unwrap();
                Box::new(connector.connect(name, tcp).await?)
            }
        };
        let request = vec![0x5a; BODY];
        tls.write_all(&request).await?;
        tls.flush().await?;
        let mut response = vec![0u8; BODY];
        tls.read_exact(&mut response).await?;
        assert_eq!(response, request);
        Ok(tls)
    }
}

/// Sends close_notify and reads until the peer's.
async fn close(tls: &mut Box<dyn Io>) -> std::io::Result<()> {
    tls.shutdown().await?;
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest).await?;
    Ok(())
}

/// What the server process reports.
#[derive(Clone, Copy, Debug)]
struct Usage {
    /// Live heap bytes.
    heap: u64,
    /// Resident set bytes.
    rss: u64,
    /// The largest resident set so far.
    peak_rss: u64,
}

struct ServerProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

impl ServerProcess {
    fn spawn(stack: Stack, pki: &TestPki) -> Self {
        let role = match stack {
            Stack::Keyway => "keyway",
            Stack::TokioRustls => "tokio-rustls",
        };
        let fields = [
            &pki.root_der,
            &pki.intermediate_der,
            &pki.leaf_der,
            &pki.key_der,
        ];
        let mut encoded: Vec<String> = fields.iter().map(hex::encode).collect();
        encoded.push(hex::encode(&pki.key_pem));
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ROLE, role)
            .env(PKI, encoded.join(":"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let port = line
            .strip_prefix("port ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("server said {line:?}"));
        ServerProcess {
            child,
            stdin,
            stdout,
            port,
        }
    }

    fn measure(&mut self) -> Usage {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(b"measure\n").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let numbers: Vec<u64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        match numbers[..] {
            [heap, rss, peak_rss] => Usage {
                heap,
                rss,
                peak_rss,
            },
            _ => panic!("server said {line:?}"),
        }
    }

    /// Ends the server: it exits when its standard input closes.
    fn stop(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `/proc/self/status` field of this process in bytes (0 where `/proc`
/// is missing): `VmRSS` is the resident set, `VmHWM` its peak.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok());
    kib.unwrap_or(0) * 1024
}

/// The server role: serves each connection (read `BODY`, write it back,
/// wait for close_notify, answer it) and answers "measure" lines on stdin
/// until stdin closes.
fn server_process(stack: Stack) {
    let fields: Vec<Vec<u8>> = std::env::var(PKI)
        .unwrap()
        .split(':')
        .map(|f| hex::decode(f).unwrap())
        .collect();
    let [root_der, intermediate_der, leaf_der, key_der, key_pem] = &fields[..] else {
        panic!("bad {PKI}");
    };
    let pki = TestPki {
        root_der: root_der.clone(),
        intermediate_der: intermediate_der.clone(),
        leaf_der: leaf_der.clone(),
        key_der: key_der.clone(),
        key_pem: String::from_utf8(key_pem.clone()).unwrap(),
        root_pem: String::new(),
        chain_pem: String::new(),
        leaf_pem: String::new(),
        intermediate_pem: String::new(),
        root_subject: String::new(),
        intermediate_key_pem: String::new(),
    };
    let keyway = keyway::tokio::TlsAcceptor::from(keyway_configs(&pki).1);
    let rustls = tokio_rustls::TlsAcceptor::from(rustls_configs(&pki).1);
    support::tokio_runtime().block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("port {}", listener.local_addr().unwrap().port());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (keyway, rustls) = (keyway.clone(), rustls.clone());
                tokio::spawn(async move {
                    let result = match stack {
                        Stack::Keyway => match keyway.accept(tcp).await {
                            Ok(tls) => echo(tls).await,
                            Err(e) => Err(e),
                        },
                        Stack::TokioRustls => match rustls.accept(tcp).await {
                            Ok(tls) => echo(tls).await,
                            Err(e) => Err(e),
                        },
                    };
                    if let Err(e) = result {
                        eprintln!("server connection failed: {e}");
                    }
                });
            }
        });
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line == "measure" {
                println!(
                    "{} {} {}",
                    ALLOC.allocated(),
                    status_bytes("VmRSS:"),
                    status_bytes("VmHWM:")
                );
            }
        }
    });
}

async fn echo(mut tls: impl AsyncRead + AsyncWrite + Unpin) -> std::io::Result<()> {
    let mut request = vec![0u8; BODY];
    tls.read_exact(&mut request).await?;
    tls.write_all(&request).await?;
    tls.flush().await?;
    drop(request);
    let mut rest = [0u8; 1];
    if tls.read(&mut rest).await? != 0 {
        return Err(std::io::ErrorKind::InvalidData.into());
    }
    tls.shutdown().await
}
