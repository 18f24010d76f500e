//! `keyway::tokio` (feature `tokio`): the adapter's semantics, each against a
//! peer that shows it: the blocking `keyway::Stream` over TCP, another
//! `TlsStream` over `tokio::io::duplex`, or a sans-IO connection whose TLS
//! bytes the test hands over piece by piece.
//!
//! Every wait is bounded (`WAIT`), so a hang is a failure, not a stuck run.

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use keyway::events::Observer;
use keyway::tokio::{TlsAcceptor, TlsConnector, TlsStream};
use keyway::{
    ClientConfig, ClientConnection, Error, ProtocolVersion, ServerConfig, ServerConnection,
};
use support::{KeyKind, KeyUpdates, TestPki};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(15);

struct Setup {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
}

/// Configs for "localhost" offering `versions`, both with ALPN h2 and http/1.1;
/// `observer` watches the server (the blocking or sans-IO peer in most tests).
fn setup_with(versions: &[ProtocolVersion], observer: Option<Arc<dyn Observer>>) -> Setup {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let mut server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .versions(versions)
        .alpn(&[b"h2", b"http/1.1"]);
    if let Some(observer) = observer {
        server = server.observer(observer);
    }
    let client = ClientConfig::builder(pki.root_store())
        .versions(versions)
        .alpn(&[b"http/1.1"]);
    Setup {
        client: Arc::new(client.build().unwrap()),
        server: Arc::new(server.build().unwrap()),
    }
}

fn setup() -> Setup {
    setup_with(&[ProtocolVersion::TLS13], None)
}

/// The keyway error inside an `io::Error` from the adapter.
fn keyway_error(e: &std::io::Error) -> Option<&Error> {
    e.get_ref()?.downcast_ref::<Error>()
}

/// Runs `body` as a blocking keyway server for one connection, on a thread.
fn blocking_server<R: Send + 'static>(
    config: Arc<ServerConfig>,
    body: impl FnOnce(&mut keyway::Stream<std::net::TcpStream>) -> R + Send + 'static,
) -> (SocketAddr, std::thread::JoinHandle<R>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let mut tls = keyway::Stream::server(config, tcp);
        body(&mut tls)
    });
    (addr, handle)
}

/// Runs `body` as a blocking keyway client of `addr`, on a thread.
fn blocking_client<R: Send + 'static>(
    config: Arc<ClientConfig>,
    addr: SocketAddr,
    body: impl FnOnce(&mut keyway::Stream<std::net::TcpStream>) -> R + Send + 'static,
) -> std::thread::JoinHandle<R> {
    std::thread::spawn(move || {
        let tcp = std::net::TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let mut tls = keyway::Stream::client(config, "localhost", tcp).unwrap();
        body(&mut tls)
    })
}

/// Joins a peer thread without blocking the runtime.
async fn join<R: Send + 'static>(handle: std::thread::JoinHandle<R>) -> R {
    tokio::task::spawn_blocking(move || handle.join().unwrap())
        .await
        .unwrap()
}

async fn connect(
    config: &Arc<ClientConfig>,
    addr: SocketAddr,
) -> TlsStream<TcpStream, ClientConnection> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let connector = TlsConnector::from(config.clone());
    timeout(WAIT, connector.connect("localhost", tcp))
        .await
        .expect("handshake timed out")
        .expect("handshake failed")
}

/// Reads (blocking) until `want` bytes arrived or the stream ends.
fn read_n(tls: &mut keyway::Stream<std::net::TcpStream>, want: usize) -> Vec<u8> {
    let mut got = vec![0u8; want];
    tls.read_exact(&mut got).unwrap();
    got
}

#[tokio::test]
async fn async_client_talks_to_the_blocking_server_in_both_versions() {
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let s = setup_with(&[version], None);
        let (addr, server) = blocking_server(s.server.clone(), |tls| {
            let ping = read_n(tls, 4);
            tls.write_all(b"pong").unwrap();
            // Our close_notify arrives as end-of-file.
            let mut rest = Vec::new();
            tls.read_to_end(&mut rest).unwrap();
            tls.close().unwrap();
            (ping, rest, tls.connection().negotiated().clone())
        });
        let mut tls = connect(&s.client, addr).await;
        let n = tls.connection().negotiated().clone();
        assert_eq!(n.version, Some(version));
        assert_eq!(n.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert!(!tls.connection().is_handshaking());
        tls.write_all(b"ping").await.unwrap();
        tls.flush().await.unwrap();
        let mut pong = [0u8; 4];
        tls.read_exact(&mut pong).await.unwrap();
        assert_eq!(&pong, b"pong");
        tls.shutdown().await.unwrap();
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        let (ping, server_rest, server_saw) = join(server).await;
        assert_eq!(ping, b"ping");
        assert!(server_rest.is_empty());
        assert_eq!(server_saw.server_name.as_deref(), Some("localhost"));
    }
}

#[tokio::test]
async fn async_server_talks_to_the_blocking_client_in_both_versions() {
    for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
        let s = setup_with(&[version], None);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = blocking_client(s.client.clone(), addr, |tls| {
            tls.write_all(b"hello").unwrap();
            tls.close().unwrap();
            let reply = read_n(tls, 7);
            let mut rest = Vec::new();
            tls.read_to_end(&mut rest).unwrap();
            (reply, rest)
        });
        let (tcp, _) = listener.accept().await.unwrap();
        let acceptor = TlsAcceptor::from(s.server.clone());
        let mut tls = timeout(WAIT, acceptor.accept(tcp)).await.unwrap().unwrap();
        let n = tls.connection().negotiated();
        assert_eq!(n.version, Some(version));
        assert_eq!(n.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(n.server_name.as_deref(), Some("localhost"));
        let mut hello = Vec::new();
        // The client's close_notify ends the stream: read_to_end is Ok.
        tls.read_to_end(&mut hello).await.unwrap();
        assert_eq!(hello, b"hello");
        // Half-closed: we can still answer.
        tls.write_all(b"goodbye").await.unwrap();
        tls.shutdown().await.unwrap();
        let (reply, rest) = join(client).await;
        assert_eq!(reply, b"goodbye");
        assert!(rest.is_empty());
    }
}

#[tokio::test]
async fn a_hello_retry_request_and_client_certificates_add_flights_the_futures_follow() {
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let client_pki = TestPki::generate(KeyKind::EcdsaP256, &["client.localhost"]);
    // The client's one key share is X25519, the server takes only P-256: a
    // HelloRetryRequest round trip; and the server asks for a certificate.
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .groups(&[keyway::NamedGroup::SECP256R1])
        .client_auth(Arc::new(keyway::pki::DefaultClientVerifier::new(Arc::new(
            client_pki.root_store(),
        ))))
        .build()
        .unwrap();
    let client = ClientConfig::builder(pki.root_store())
        .key_shares(&[keyway::NamedGroup::X25519])
        .client_certificate(client_pki.certified_key())
        .build()
        .unwrap();
    let s = Setup {
        client: Arc::new(client),
        server: Arc::new(server),
    };
    let (mut client, mut server) = duplex_pair(&s, 4096).await;
    let n = server.connection().negotiated();
    assert!(n.hello_retry_request);
    assert_eq!(n.group, Some(keyway::NamedGroup::SECP256R1));
    assert_eq!(n.peer_certificates.len(), 2, "the client's chain");
    client.write_all(b"after two round trips").await.unwrap();
    client.shutdown().await.unwrap();
    let mut got = Vec::new();
    timeout(WAIT, server.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, b"after two round trips");
}

#[tokio::test]
async fn nothing_is_sent_until_the_handshake_future_is_polled() {
    let s = setup();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (raw, _) = listener.accept().unwrap();
    let connector = TlsConnector::from(s.client.clone());
    let handshake = connector.connect("localhost", tcp);
    raw.set_nonblocking(true).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = (&raw).read(&mut [0u8; 1]).unwrap_err();
    assert_eq!(
        err.kind(),
        std::io::ErrorKind::WouldBlock,
        "ClientHello sent early"
    );
    raw.set_nonblocking(false).unwrap();
    raw.set_read_timeout(Some(WAIT)).unwrap();
    let server = s.server.clone();
    let peer = std::thread::spawn(move || {
        let mut tls = keyway::Stream::server(server, raw);
        tls.handshake().unwrap();
        read_n(&mut tls, 2)
    });
    let mut tls = timeout(WAIT, handshake).await.unwrap().unwrap();
    assert!(!tls.connection().is_handshaking());
    tls.write_all(b"hi").await.unwrap();
    assert_eq!(join(peer).await, b"hi");
}

/// A transport whose next `stall` writes return `Pending` (and wake the task
/// at once), as a full socket would.
struct Stalling<T> {
    inner: T,
    stall: usize,
}

impl<T: AsyncRead + Unpin> AsyncRead for Stalling<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Stalling<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.stall > 0 {
            self.stall -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

type Client = TlsStream<Stalling<DuplexStream>, ClientConnection>;
type Server = TlsStream<DuplexStream, ServerConnection>;

/// A client and a server adapter over `tokio::io::duplex(capacity)`, handshaken.
async fn duplex_pair(s: &Setup, capacity: usize) -> (Client, Server) {
    let (a, b) = tokio::io::duplex(capacity);
    let a = Stalling { inner: a, stall: 0 };
    let connect = TlsConnector::from(s.client.clone()).connect("localhost", a);
    let accept = TlsAcceptor::from(s.server.clone()).accept(b);
    let (client, server) = timeout(WAIT, async { tokio::join!(connect, accept) })
        .await
        .unwrap();
    (client.unwrap(), server.unwrap())
}

/// True if a read on `tls` finds nothing within 100 ms (the read is dropped,
/// which the adapter allows).
async fn nothing_arrives<T: AsyncRead + Unpin>(tls: &mut T) -> bool {
    timeout(Duration::from_millis(100), tls.read(&mut [0u8; 64]))
        .await
        .is_err()
}

#[tokio::test]
async fn flush_pushes_records_the_transport_did_not_take() {
    let s = setup();
    let (mut client, mut server) = duplex_pair(&s, 64 * 1024).await;
    client.get_mut().stall = 1;
    // Sealed and accepted, but the transport refused it for now.
    assert_eq!(client.write(b"ping").await.unwrap(), 4);
    assert!(nothing_arrives(&mut server).await);
    client.flush().await.unwrap();
    let mut got = [0u8; 4];
    timeout(WAIT, server.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"ping");
}

#[tokio::test]
async fn shutdown_sends_close_notify_then_shuts_the_write_half_and_reading_goes_on() {
    let s = setup();
    let (addr, server) = blocking_server(s.server.clone(), |tls| {
        tls.handshake().unwrap();
        // close_notify: an orderly end-of-file, not UnexpectedEof.
        assert_eq!(tls.read(&mut [0u8; 16]).unwrap(), 0);
        // Then the transport's end-of-file: the write half was shut down.
        assert_eq!(tls.get_ref().read(&mut [0u8; 16]).unwrap(), 0);
        tls.write_all(b"still talking").unwrap();
        tls.close().unwrap();
    });
    let mut tls = connect(&s.client, addr).await;
    tls.shutdown().await.unwrap();
    let mut rest = Vec::new();
    timeout(WAIT, tls.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest, b"still talking");
    join(server).await;
    // Writing after shutdown is refused.
    let err = tls.write_all(b"more").await.unwrap_err();
    assert!(matches!(keyway_error(&err), Some(Error::WriteAfterClose)));
}

#[tokio::test]
async fn end_of_file_after_close_notify_but_unexpected_eof_without_it() {
    let s = setup();
    for send_close_notify in [true, false] {
        let (addr, server) = blocking_server(s.server.clone(), move |tls| {
            tls.write_all(b"all of it").unwrap();
            if send_close_notify {
                tls.close().unwrap();
            }
            // Dropping the stream closes the socket; keyway::Stream sends
            // nothing on drop.
        });
        let mut tls = connect(&s.client, addr).await;
        join(server).await;
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        let end = loop {
            match timeout(WAIT, tls.read(&mut buf)).await.unwrap() {
                Ok(0) => break Ok(()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break Err(e),
            }
        };
        // The data comes first either way; then the end says whether it was whole.
        assert_eq!(got, b"all of it");
        match send_close_notify {
            true => end.unwrap(),
            false => {
                let e = end.unwrap_err();
                assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
                assert!(matches!(keyway_error(&e), Some(Error::UnexpectedEof)));
                // And it stays that way.
                let again = tls.read(&mut buf).await.unwrap_err();
                assert_eq!(again.kind(), std::io::ErrorKind::UnexpectedEof);
            }
        }
    }
}

#[tokio::test]
async fn a_peer_that_closes_mid_handshake_fails_the_handshake_with_unexpected_eof() {
    let s = setup();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hello = ClientConnection::new(s.client.clone(), "localhost")
        .unwrap()
        .take_tls();
    let peer = std::thread::spawn(move || {
        let mut raw = std::net::TcpStream::connect(addr).unwrap();
        raw.write_all(&hello[..hello.len() / 2]).unwrap();
        // Dropped: end-of-file in the middle of the ClientHello.
    });
    let (tcp, _) = listener.accept().await.unwrap();
    let err = timeout(WAIT, TlsAcceptor::from(s.server.clone()).accept(tcp))
        .await
        .unwrap()
        .unwrap_err();
    join(peer).await;
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(matches!(keyway_error(&err), Some(Error::UnexpectedEof)));
}

#[tokio::test]
async fn a_failed_handshake_reports_the_error_and_sends_the_alert() {
    let s = setup();
    // A client that trusts another root refuses the server's chain.
    let stranger = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let client = Arc::new(
        ClientConfig::builder(stranger.root_store())
            .build()
            .unwrap(),
    );
    let (addr, server) = blocking_server(s.server.clone(), |tls| {
        tls.handshake().unwrap_err().to_string()
    });
    let tcp = TcpStream::connect(addr).await.unwrap();
    let err = timeout(WAIT, TlsConnector::from(client).connect("localhost", tcp))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(
        matches!(keyway_error(&err), Some(Error::InvalidCertificate(_))),
        "{err}"
    );
    let server_saw = join(server).await;
    assert!(server_saw.contains("unknown_ca"), "{server_saw}");
}

#[tokio::test]
async fn an_invalid_server_name_fails_the_connect_future() {
    let s = setup();
    let (a, _b) = tokio::io::duplex(1024);
    let err = TlsConnector::from(s.client.clone())
        .connect("not a name", a)
        .await
        .unwrap_err();
    assert!(
        matches!(keyway_error(&err), Some(Error::Config(_))),
        "{err}"
    );
}

#[tokio::test]
async fn a_peer_that_stops_mid_handshake_is_cut_off_by_the_callers_timeout() {
    let s = setup();
    // Server side: the client sends half a ClientHello and then nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hello = ClientConnection::new(s.client.clone(), "localhost")
        .unwrap()
        .take_tls();
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    raw.write_all(&hello[..hello.len() / 2]).unwrap();
    let (tcp, _) = listener.accept().await.unwrap();
    let acceptor = TlsAcceptor::from(s.server.clone());
    let before = Arc::strong_count(&s.server);
    let accept = acceptor.accept(tcp);
    assert_eq!(Arc::strong_count(&s.server), before + 1);
    let elapsed = timeout(Duration::from_millis(200), accept).await;
    assert!(elapsed.is_err());
    // The future, its connection and its socket are gone: the peer sees EOF.
    assert_eq!(Arc::strong_count(&s.server), before);
    raw.set_read_timeout(Some(WAIT)).unwrap();
    assert_eq!(raw.read(&mut [0u8; 16]).unwrap(), 0);

    // Client side: a server that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp = TcpStream::connect(silent.local_addr().unwrap())
        .await
        .unwrap();
    let (mut raw, _) = silent.accept().unwrap();
    let before = Arc::strong_count(&s.client);
    let connect = TlsConnector::from(s.client.clone()).connect("localhost", tcp);
    assert!(timeout(Duration::from_millis(200), connect).await.is_err());
    assert_eq!(Arc::strong_count(&s.client), before);
    raw.set_read_timeout(Some(WAIT)).unwrap();
    // The ClientHello (a handshake record), then end-of-file.
    let mut seen = Vec::new();
    raw.read_to_end(&mut seen).unwrap();
    assert_eq!(seen.first(), Some(&22));
}

#[tokio::test]
async fn the_transport_and_the_connection_are_reachable() {
    let s = setup();
    let (addr, server) = blocking_server(s.server.clone(), |tls| {
        tls.handshake().unwrap();
        read_n(tls, 3)
    });
    let mut tls = connect(&s.client, addr).await;
    assert_eq!(tls.get_ref().peer_addr().unwrap(), addr);
    tls.get_mut().set_nodelay(true).unwrap();
    assert!(tls.get_ref().nodelay().unwrap());
    let mut key = [0u8; 32];
    tls.connection()
        .export_keying_material(&mut key, b"EXPORTER-test", b"")
        .unwrap();
    // Queue a KeyUpdate through the connection; the next write sends it.
    tls.connection_mut().update_keys(false).unwrap();
    tls.write_all(b"abc").await.unwrap();
    tls.flush().await.unwrap();
    assert_eq!(join(server).await, b"abc");
    let (tcp, conn) = tls.into_inner();
    assert_eq!(tcp.peer_addr().unwrap(), addr);
    assert_eq!(conn.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert!(!conn.wants_write());
}

#[tokio::test]
async fn a_key_update_request_is_answered_while_the_application_only_writes() {
    let counter = Arc::new(KeyUpdates::default());
    let s = setup_with(&[ProtocolVersion::TLS13], Some(counter.clone()));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (addr, server) = blocking_server(s.server.clone(), move |tls| {
        tls.handshake().unwrap();
        tls.update_keys(true).unwrap();
        ready_tx.send(()).unwrap();
        read_n(tls, 64 * 1024)
    });
    let mut tls = connect(&s.client, addr).await;
    ready_rx.await.unwrap();
    // Give the KeyUpdate time to cross loopback; we never read.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let data: Vec<u8> = (0..64 * 1024).map(|i| i as u8).collect();
    tls.write_all(&data).await.unwrap();
    tls.flush().await.unwrap();
    assert_eq!(join(server).await, data);
    assert_eq!(counter.count(), 1, "our KeyUpdate answer");
}

#[tokio::test]
async fn a_key_update_request_is_answered_while_the_application_only_reads() {
    let counter = Arc::new(KeyUpdates::default());
    let s = setup_with(&[ProtocolVersion::TLS13], Some(counter.clone()));
    let watch = counter.clone();
    let (addr, server) = blocking_server(s.server.clone(), move |tls| {
        tls.handshake().unwrap();
        tls.update_keys(true).unwrap();
        tls.write_all(b"after the update").unwrap();
        // Our answer arrives although the client never writes.
        tls.get_ref()
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let deadline = std::time::Instant::now() + WAIT;
        while watch.count() == 0 && std::time::Instant::now() < deadline {
            match tls.read(&mut [0u8; 16]) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                other => panic!("expected only a KeyUpdate, got {other:?}"),
            }
        }
        tls.close().unwrap();
    });
    let mut tls = connect(&s.client, addr).await;
    let mut got = Vec::new();
    timeout(WAIT, tls.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, b"after the update");
    join(server).await;
    assert_eq!(counter.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_pressure_bounds_what_is_buffered_in_both_directions() {
    let s = setup();
    let (client, mut server) = duplex_pair(&s, 16 * 1024).await;
    let mut client = client;
    const TOTAL: usize = 4 * 1024 * 1024;
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    // The writer pushes as fast as the adapter takes data.
    let writer = tokio::spawn(async move {
        let data = vec![7u8; 64 * 1024];
        let mut sent = 0;
        while sent < TOTAL {
            let n = client
                .write(&data[..(TOTAL - sent).min(data.len())])
                .await
                .unwrap();
            sent += n;
            counted.fetch_add(n, Ordering::SeqCst);
        }
        client.shutdown().await.unwrap();
    });
    // The reader takes 1 KiB at a time, slowly at first. What the writer got
    // accepted beyond what was read sits in the writer's queue, the duplex
    // buffer and the reader's input and plaintext buffers: a few records.
    let mut read = 0;
    let mut buf = [0u8; 1024];
    let mut most_ahead = 0;
    while read < TOTAL {
        if read < 256 * 1024 {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let n = timeout(WAIT, server.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0);
        read += n;
        most_ahead = most_ahead.max(accepted.load(Ordering::SeqCst).saturating_sub(read));
    }
    assert!(
        most_ahead <= 256 * 1024,
        "the writer ran {most_ahead} bytes ahead of the reader"
    );
    assert_eq!(server.read(&mut buf).await.unwrap(), 0);
    writer.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_that_only_writes_holds_back_a_peer_that_floods() {
    let s = setup();
    let (mut client, server) = duplex_pair(&s, 16 * 1024).await;
    let (mut server_rd, mut server_wr) = tokio::io::split(server);
    // The server floods the client, counting what its adapter takes.
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    let flood = tokio::spawn(async move {
        let data = vec![1u8; 64 * 1024];
        loop {
            match server_wr.write(&data).await {
                Ok(n) => counted.fetch_add(n, Ordering::SeqCst),
                Err(_) => return,
            };
        }
    });
    let drain = tokio::spawn(async move {
        let mut got = 0;
        let mut buf = vec![0u8; 64 * 1024];
        while got < 2 * 1024 * 1024 {
            got += server_rd.read(&mut buf).await.unwrap();
        }
        got
    });
    // The client only writes: it takes in what the server sent only while it
    // has no unread data, so the flood stalls at a few records.
    let data = vec![2u8; 2 * 1024 * 1024];
    timeout(WAIT, client.write_all(&data))
        .await
        .unwrap()
        .unwrap();
    timeout(WAIT, client.flush()).await.unwrap().unwrap();
    assert_eq!(timeout(WAIT, drain).await.unwrap().unwrap(), data.len());
    let taken = accepted.load(Ordering::SeqCst);
    assert!(taken <= 256 * 1024, "the flood got {taken} bytes in");
    flood.abort();
}

#[tokio::test]
async fn a_slow_reader_with_the_smallest_buffers_gets_every_byte() {
    // Input and plaintext buffers at their minimum (one record each): the
    // connection holds records back and refuses input until the reader
    // catches up; the adapter must wait for that, not fail.
    let mut limits = keyway::Limits::default();
    limits.max_buffered_input = 0;
    limits.max_buffered_plaintext = 0;
    let pki = TestPki::generate(KeyKind::EcdsaP256, &["localhost"]);
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .limits(limits)
        .build()
        .unwrap();
    let client = ClientConfig::builder(pki.root_store()).build().unwrap();
    let s = Setup {
        client: Arc::new(client),
        server: Arc::new(server),
    };
    let (mut client, mut server) = duplex_pair(&s, 256 * 1024).await;
    let data: Vec<u8> = (0..64 * 1024).map(|i| (i % 241) as u8).collect();
    let sent = data.clone();
    // Small records, so that the input buffer holds many at once.
    let writer = tokio::spawn(async move {
        for piece in sent.chunks(100) {
            client.write_all(piece).await.unwrap();
        }
        client.shutdown().await.unwrap();
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match timeout(WAIT, server.read(&mut buf)).await.unwrap().unwrap() {
            0 => break,
            n => got.extend_from_slice(&buf[..n]),
        }
        tokio::task::yield_now().await;
    }
    assert!(got == data, "{} bytes differ", got.len());
    writer.await.unwrap();
}

/// Our client adapter over a duplex whose other end the test holds, with a
/// sans-IO server behind it: the test moves the server's TLS bytes itself.
async fn client_and_sans_io_server(
    s: &Setup,
    capacity: usize,
) -> (
    TlsStream<DuplexStream, ClientConnection>,
    DuplexStream,
    ServerConnection,
) {
    let (ours, mut wire) = tokio::io::duplex(capacity);
    let mut server = ServerConnection::new(s.server.clone());
    let connect = TlsConnector::from(s.client.clone()).connect("localhost", ours);
    let relay = async {
        let mut buf = vec![0u8; 1 << 16];
        while server.is_handshaking() || server.wants_write() {
            let n = wire.read(&mut buf).await.unwrap();
            server.read_tls_bytes(&buf[..n]).unwrap();
            server.process().unwrap();
            wire.write_all(&server.take_tls()).await.unwrap();
        }
    };
    let (tls, ()) = timeout(WAIT, async { tokio::join!(connect, relay) })
        .await
        .unwrap();
    (tls.unwrap(), wire, server)
}

#[tokio::test]
async fn dropping_a_pending_read_loses_no_data() {
    let s = setup();
    let (mut tls, mut wire, mut server) = client_and_sans_io_server(&s, 1 << 20).await;
    let mut records = Vec::new();
    for message in [&b"first record"[..], b"second record", b"third record"] {
        server.writer().write_all(message).unwrap();
        records.push(server.take_tls());
    }
    // The first record and half of the second.
    let half = records[1].len() / 2;
    wire.write_all(&records[0]).await.unwrap();
    wire.write_all(&records[1][..half]).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tls.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"first record");
    // A read that consumes the first half from the transport, then is dropped.
    assert!(timeout(Duration::from_millis(50), tls.read(&mut buf))
        .await
        .is_err());
    wire.write_all(&records[1][half..]).await.unwrap();
    wire.write_all(&records[2]).await.unwrap();
    server.send_close_notify();
    wire.write_all(&server.take_tls()).await.unwrap();
    let mut rest = Vec::new();
    timeout(WAIT, tls.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest, b"second recordthird record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_stuck_on_a_full_transport_learns_that_the_reader_met_a_failure() {
    let s = setup();
    let (tls, mut wire, mut server) = client_and_sans_io_server(&s, 4 * 1024).await;
    let (mut rd, mut wr) = tokio::io::split(tls);
    // The writer fills the transport; nobody reads it for now.
    let writer = tokio::spawn(async move { wr.write_all(&vec![0u8; 1 << 20]).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!writer.is_finished());
    // The server gets a tampered record and answers with a fatal alert.
    let mut record = vec![0u8; 5];
    wire.read_exact(&mut record).await.unwrap();
    let len = usize::from(u16::from_be_bytes([record[3], record[4]]));
    record.resize(5 + len, 0);
    wire.read_exact(&mut record[5..]).await.unwrap();
    record[5] ^= 1;
    server.read_tls_bytes(&record).unwrap();
    assert!(matches!(server.process(), Err(Error::DecryptFailed)));
    // Reading the record made room: let the writer fill it and wait again.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!writer.is_finished());
    // The reader polls the transport last, so only it is woken by the alert.
    let reader = tokio::spawn(async move { rd.read(&mut [0u8; 64]).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    wire.write_all(&server.take_tls()).await.unwrap();
    let alert = Error::AlertReceived(keyway::AlertDescription::BAD_RECORD_MAC);
    let read = timeout(WAIT, reader).await.unwrap().unwrap().unwrap_err();
    assert_eq!(keyway_error(&read), Some(&alert));
    let written = timeout(WAIT, writer)
        .await
        .expect("writer never woken")
        .unwrap();
    assert_eq!(keyway_error(&written.unwrap_err()), Some(&alert));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_writes_cancelled_at_random_lose_and_repeat_nothing() {
    let s = setup();
    let (mut client, mut server) = duplex_pair(&s, 4 * 1024).await;
    const TOTAL: usize = 1 << 20;
    let pattern = |i: usize| (i % 251) as u8;
    // Writer: each write gets a moment before it is dropped; only what a
    // write reported as taken counts. Every 64 KiB each side pauses, so the
    // other side surely waits past its timer.
    let writer = tokio::spawn(async move {
        let data: Vec<u8> = (0..TOTAL).map(pattern).collect();
        let (mut sent, mut cancelled) = (0, 0);
        while sent < TOTAL {
            match timeout(Duration::from_micros(50), client.write(&data[sent..])).await {
                Ok(n) => {
                    let n = n.unwrap();
                    if (sent + n) / (64 * 1024) != sent / (64 * 1024) {
                        tokio::time::sleep(Duration::from_millis(3)).await;
                    }
                    sent += n;
                }
                Err(_) => cancelled += 1,
            }
        }
        client.shutdown().await.unwrap();
        cancelled
    });
    // Reader: the same, racing each read against a timer in select!.
    let (mut got, mut cancelled) = (Vec::with_capacity(TOTAL), 0);
    let mut buf = [0u8; 700];
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stuck after {} bytes",
            got.len()
        );
        tokio::select! {
            r = server.read(&mut buf) => match r.unwrap() {
                0 => break,
                n => {
                    if (got.len() + n) / (64 * 1024) != got.len() / (64 * 1024) {
                        tokio::time::sleep(Duration::from_millis(3)).await;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
            },
            _ = tokio::time::sleep(Duration::from_micros(30)) => cancelled += 1,
        }
    }
    let writes_cancelled = writer.await.unwrap();
    assert_eq!(got.len(), TOTAL);
    assert!(got.iter().enumerate().all(|(i, &b)| b == pattern(i)));
    // The races really happened on both sides.
    assert!(
        cancelled > 0 && writes_cancelled > 0,
        "{cancelled} {writes_cancelled}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_halves_in_two_tasks_keep_going_through_key_updates() {
    let counter = Arc::new(KeyUpdates::default());
    let s = setup_with(&[ProtocolVersion::TLS13], Some(counter.clone()));
    const ROUNDS: usize = 20;
    const CHUNK: usize = 32 * 1024;
    // The peer echoes, asking for a KeyUpdate before every chunk it sends
    // back: our reader answers while our writer waits on a full socket.
    let (addr, server) = blocking_server(s.server.clone(), |tls| {
        let mut buf = vec![0u8; CHUNK];
        for _ in 0..ROUNDS {
            tls.read_exact(&mut buf).unwrap();
            tls.update_keys(true).unwrap();
            tls.write_all(&buf).unwrap();
        }
        tls.close().unwrap();
        assert_eq!(tls.read(&mut buf).unwrap(), 0);
    });
    // Small socket buffers, so that the writer is often pending.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_send_buffer_size(4096).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(addr).await.unwrap();
    let connector = TlsConnector::from(s.client.clone());
    let tls = timeout(WAIT, connector.connect("localhost", tcp))
        .await
        .unwrap()
        .unwrap();
    let (mut rd, mut wr) = tokio::io::split(tls);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let writer = tokio::spawn(async move {
        for round in 0..ROUNDS {
            wr.write_all(&vec![round as u8; CHUNK]).await.unwrap();
        }
        wr.flush().await.unwrap();
        // Our close_notify would end our KeyUpdate answers (RFC 8446,
        // Section 6.1): close once everything came back.
        done_rx.await.unwrap();
        wr.shutdown().await.unwrap();
    });
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        rd.read_to_end(&mut got).await.unwrap();
        done_tx.send(()).unwrap();
        got
    });
    let got = timeout(WAIT, reader).await.expect("reader stuck").unwrap();
    timeout(WAIT, writer).await.expect("writer stuck").unwrap();
    assert_eq!(got.len(), ROUNDS * CHUNK);
    for (round, chunk) in got.chunks(CHUNK).enumerate() {
        assert!(chunk.iter().all(|&b| b == round as u8));
    }
    join(server).await;
    assert_eq!(counter.count(), ROUNDS, "an answer per request");
}
