//! Async I/O on tokio (feature `tokio`): [`TlsConnector`] and [`TlsAcceptor`]
//! run the handshake as a future and give a [`TlsStream`], which implements
//! `tokio::io::AsyncRead` and `AsyncWrite` over any
//! `AsyncRead + AsyncWrite + Unpin` transport (a `TcpStream`, a `UnixStream`,
//! one half of `tokio::io::duplex`, ...).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let roots = keyway::RootStore::from_pem_file("ca.pem")?;
//! let config = Arc::new(keyway::ClientConfig::builder(roots).alpn(&[b"http/1.1"]).build()?);
//! let connector = keyway::tokio::TlsConnector::from(config);
//! let tcp = tokio::net::TcpStream::connect("example.com:443").await?;
//! let mut tls = connector.connect("example.com", tcp).await?;
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n").await?;
//! let mut page = Vec::new();
//! tls.read_to_end(&mut page).await?; // Ok only if the server sent close_notify
//! println!("{:?}", tls.connection().negotiated().alpn);
//! # Ok(()) }
//! ```
//!
//! The stream keeps the semantics of the blocking [`crate::Stream`]:
//! - The handshake is driven by the future that `connect` or `accept`
//!   returns; it resolves once the handshake is complete and our last flight
//!   is on the wire, and does not assume a fixed number of flights. (Should
//!   application data arrive before the handshake ends, as 0-RTT early data
//!   will, it resolves once that data is readable; reading and writing then
//!   drive the rest of the handshake.)
//! - `poll_flush` writes every sealed record to the transport (and flushes
//!   it). `poll_shutdown` sends close_notify, flushes, then shuts down the
//!   transport's write half; reading continues after it. On a connection
//!   that has failed, both report the failure.
//! - A read returns end-of-file (`Ok(0)`) only after the peer's close_notify;
//!   a transport end-of-file without one is an `UnexpectedEof` error carrying
//!   [`Error::UnexpectedEof`]: the data may have been truncated.
//! - Back-pressure both ways, with bounded buffers: a write is taken only
//!   once everything sealed before it has been handed to the transport, at
//!   most one record (16 KiB) per call; the transport is read only when the
//!   application has read every decrypted byte. A peer that sends faster
//!   than the application reads is held back by the transport (TCP flow
//!   control), not buffered.
//! - Cancel safety: decrypted data stays in the connection until a read
//!   returns it, and a write that returns `Pending` has taken nothing, so
//!   dropping a pending read or write (in `tokio::select!`, or by
//!   `tokio::time::timeout`) loses no data. A timeout around the handshake
//!   future drops the transport and the connection with it.
//! - Post-handshake messages keep flowing in both directions while the
//!   application only reads or only writes: writing first processes what
//!   the peer has sent (answering a KeyUpdate that requests one, say), and
//!   reading sends what processing queued.
//! - A stream may be split (`tokio::io::split`) and its halves used from two
//!   tasks: when one side does transport I/O on the other's behalf, both
//!   tasks are woken.
//!
//! For tokio-rustls users: `TlsConnector::connect(name, io)` and
//! `TlsAcceptor::accept(io)` are the same; `get_ref`/`get_mut` give the
//! transport (as [`crate::Stream`] does), `connection()` the TLS state, and
//! `into_inner` both.

use std::future::Future;
use std::io;
use std::ops::DerefMut;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Wake, Waker};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::client::{ClientConfig, ClientConnection};
use crate::conn::Connection;
use crate::error::{Error, Limit};
use crate::record::MAX_PLAINTEXT;
use crate::server::{ServerConfig, ServerConnection};
use crate::stream::to_io;

/// Starts client connections over tokio transports (cheap to clone).
#[derive(Debug, Clone)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl From<Arc<ClientConfig>> for TlsConnector {
    fn from(config: Arc<ClientConfig>) -> Self {
        Self { config }
    }
}

impl TlsConnector {
    /// Returns a future that runs the handshake with `server_name` (a DNS name
    /// or an IP address, checked against the server's certificate) over `io`.
    ///
    /// An invalid `server_name` makes the future fail at once.
    pub fn connect<IO>(&self, server_name: &str, io: IO) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        match ClientConnection::new(self.config.clone(), server_name) {
            Ok(conn) => Handshake::new(io, conn),
            Err(e) => Handshake(Stage::Failed(to_io(e))),
        }
    }
}

/// Accepts server connections over tokio transports (cheap to clone).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use tokio::io::AsyncWriteExt;
///
/// let config = Arc::new(
///     keyway::ServerConfig::builder()
///         .certificate_chain_pem("fullchain.pem", "privkey.pem")?
///         .build()?,
/// );
/// let acceptor = keyway::tokio::TlsAcceptor::from(config);
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:443").await?;
/// loop {
///     let (tcp, _) = listener.accept().await?;
///     let acceptor = acceptor.clone();
///     tokio::spawn(async move {
///         let mut tls = acceptor.accept(tcp).await?;
///         tls.write_all(b"hello\n").await?;
///         tls.shutdown().await // close_notify, then the transport's write half
///     });
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TlsAcceptor {
    config: Arc<ServerConfig>,
}

impl From<Arc<ServerConfig>> for TlsAcceptor {
    fn from(config: Arc<ServerConfig>) -> Self {
        Self { config }
    }
}

impl TlsAcceptor {
    /// Returns a future that runs the handshake with the client on `io`.
    pub fn accept<IO>(&self, io: IO) -> Accept<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        Handshake::new(io, ServerConnection::new(self.config.clone()))
    }
}

/// The future of [`TlsConnector::connect`].
pub type Connect<IO> = Handshake<IO, ClientConnection>;

/// The future of [`TlsAcceptor::accept`].
pub type Accept<IO> = Handshake<IO, ServerConnection>;

/// A handshake in progress: resolves to the [`TlsStream`] once the handshake
/// is complete and our last flight has been written, or to the error that
/// ended it (an `io::Error` whose inner error is the [`Error`], after the
/// alert, if any, was sent).
///
/// Dropping it (a timeout, say) drops the transport and the connection.
#[derive(Debug)]
#[must_use = "the handshake runs only when the future is awaited"]
pub struct Handshake<IO, C>(Stage<IO, C>);

#[derive(Debug)]
enum Stage<IO, C> {
    Running(TlsStream<IO, C>),
    Failed(io::Error),
    Done,
}

impl<IO, C> Handshake<IO, C> {
    fn new(io: IO, conn: C) -> Self {
        Handshake(Stage::Running(TlsStream {
            io,
            conn,
            waiting: Waiting::default(),
        }))
    }
}

impl<IO, C> Future for Handshake<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    type Output = io::Result<TlsStream<IO, C>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let result = match &mut this.0 {
            Stage::Running(stream) => match stream.poll_settle(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            },
            Stage::Failed(_) | Stage::Done => Ok(()),
        };
        match (core::mem::replace(&mut this.0, Stage::Done), result) {
            (Stage::Running(stream), Ok(())) => Poll::Ready(Ok(stream)),
            (Stage::Failed(e), _) | (_, Err(e)) => Poll::Ready(Err(e)),
            (Stage::Done, Ok(())) => Poll::Ready(Err(io::Error::other(
                "keyway handshake future polled after it completed",
            ))),
        }
    }
}

/// A TLS connection over an async transport `IO`; `C` is the side
/// ([`ClientConnection`] or [`ServerConnection`]).
///
/// Made by [`TlsConnector::connect`] and [`TlsAcceptor::accept`]. See the
/// module documentation for how reads, writes, flush and shutdown behave.
#[derive(Debug)]
pub struct TlsStream<IO, C> {
    io: IO,
    conn: C,
    waiting: Waiting,
}

/// The tasks that last got `Pending` from the stream, by direction.
///
/// A transport remembers one waker per direction, the last one polled. When
/// the read side writes to the transport (answering a KeyUpdate) or the write
/// side reads from it, it polls with a waker for both tasks, and wakes the
/// other task when it made progress on its behalf; otherwise a task split off
/// with `tokio::io::split` could wait forever for readiness another consumed.
#[derive(Debug, Default)]
struct Waiting {
    read: Option<Waker>,
    write: Option<Waker>,
}

/// Wakes two tasks.
struct WakeBoth(Waker, Waker);

impl Wake for WakeBoth {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.wake_by_ref();
        self.1.wake_by_ref();
    }
}

/// A waker for this task and `other`, when `other` is another task.
fn waker_for_both(cx: &Context<'_>, other: &Option<Waker>) -> Waker {
    match other {
        Some(other) if !other.will_wake(cx.waker()) => {
            Waker::from(Arc::new(WakeBoth(cx.waker().clone(), other.clone())))
        }
        _ => cx.waker().clone(),
    }
}

/// Wakes `waiter` (taking it) unless it is the current task.
fn wake_other(cx: &Context<'_>, waiter: &mut Option<Waker>) {
    if let Some(waker) = waiter.take() {
        if !waker.will_wake(cx.waker()) {
            waker.wake();
        }
    }
}

/// What one attempt to take input did.
enum Input {
    /// Bytes were read (0: the transport reached end-of-file) and processed,
    /// or records held back earlier were processed: look at the connection.
    Progress,
    /// The connection takes no input now: it holds data the application has
    /// not read, or it is finished reading (close_notify, EOF, error).
    Refused,
}

impl<IO, C> TlsStream<IO, C>
where
    C: DerefMut<Target = Connection>,
{
    /// The connection's state: what was negotiated (version, suite, ALPN,
    /// peer certificates, ...), exporters, errors.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The connection, mutably; records it queues (a KeyUpdate from
    /// [`Connection::update_keys`], say) go out at the next write or flush.
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The transport. Reading or writing it directly corrupts the TLS stream.
    pub fn get_ref(&self) -> &IO {
        &self.io
    }

    /// The transport, mutably (to set socket options, say). Reading or writing
    /// it directly corrupts the TLS stream.
    pub fn get_mut(&mut self) -> &mut IO {
        &mut self.io
    }

    /// The transport and the connection, for a caller that takes over the
    /// I/O (queued TLS bytes stay in the connection: see
    /// [`Connection::wants_write`]).
    pub fn into_inner(self) -> (IO, C) {
        (self.io, self.conn)
    }
}

impl<IO, C> TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection>,
{
    /// Writes queued TLS bytes to the transport until none are left.
    ///
    /// `Pending` means the transport is full; the waker in `cx` is woken
    /// when it takes more.
    fn poll_write_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.conn.wants_write() {
            let mut writer = SyncWriter {
                io: &mut self.io,
                cx,
                pending: false,
            };
            match self.conn.write_tls(&mut writer) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(_) => {}
                Err(_) if writer.pending => return Poll::Pending,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Processes records held back, then, if the connection takes input and
    /// the application has read all decrypted data, reads once from the
    /// transport and processes what arrived. Never reading ahead of the
    /// application is what bounds the buffers and keeps TCP flow control
    /// in charge.
    ///
    /// A TLS failure is kept by the connection (with its alert queued) and
    /// reported by the next read, write or flush.
    fn poll_read_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Input>> {
        // Records left while plaintext was unread need no I/O.
        let _ = self.conn.process();
        if !self.conn.wants_read() || self.conn.has_plaintext() {
            return Poll::Ready(Ok(Input::Refused));
        }
        let mut reader = SyncReader {
            io: &mut self.io,
            cx,
            pending: false,
        };
        match self.conn.read_tls(&mut reader) {
            Ok(_) => {}
            Err(_) if reader.pending => return Poll::Pending,
            // Documented by Connection::read_tls: the input buffer is full of
            // records held back until the application reads. Processing
            // holds records back only while plaintext is unread, which was
            // checked above; this keeps a change there from failing reads.
            Err(e) if is_input_full(&e) => return Poll::Ready(Ok(Input::Refused)),
            Err(e) => return Poll::Ready(Err(e)),
        }
        let _ = self.conn.process();
        Poll::Ready(Ok(Input::Progress))
    }

    /// Drives the connection until the handshake is complete and every queued
    /// record is written: writes our flights, reads the peer's. Fails with the
    /// connection's error once it has failed (after trying to send its alert).
    ///
    /// Also returns once application data is waiting mid-handshake (early
    /// data): reading it is what lets the handshake go on.
    fn poll_settle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let flushed = self.poll_write_tls(cx)?;
            if let Some(e) = self.conn.error() {
                return Poll::Ready(Err(to_io(e.clone())));
            }
            if !self.conn.is_handshaking() {
                return flushed.map(Ok);
            }
            match self.poll_read_for_writer(cx)? {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Input::Progress) => {}
                Poll::Ready(Input::Refused) if self.conn.error().is_some() => {}
                Poll::Ready(Input::Refused) if self.conn.has_plaintext() => return flushed.map(Ok),
                // Still handshaking, no error, yet no input taken: the
                // transport ended and the connection did not call it an error.
                Poll::Ready(Input::Refused) => {
                    return Poll::Ready(Err(to_io(Error::UnexpectedEof)))
                }
            }
        }
    }

    /// Sends what reading queued (a KeyUpdate answer, an alert, a handshake
    /// flight). Errors are left for the write side, which meets them again.
    fn flush_for_reader(&mut self, cx: &mut Context<'_>) {
        if !self.conn.wants_write() {
            return;
        }
        let both = waker_for_both(cx, &self.waiting.write);
        if let Poll::Ready(Ok(())) = self.poll_write_tls(&mut Context::from_waker(&both)) {
            // A writer may be waiting for the queue we just emptied.
            wake_other(cx, &mut self.waiting.write);
        }
    }

    /// [`Self::poll_read_tls`] on behalf of the write side: a reader task
    /// waiting on the transport is woken too, and woken when input was taken.
    fn poll_read_for_writer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Input>> {
        let both = waker_for_both(cx, &self.waiting.read);
        let poll = self.poll_read_tls(&mut Context::from_waker(&both));
        if let Poll::Ready(Ok(Input::Progress)) = poll {
            wake_other(cx, &mut self.waiting.read);
        }
        poll
    }
}

/// True if `e` is [`Connection::read_tls`] refusing input because its buffer is full.
fn is_input_full(e: &io::Error) -> bool {
    matches!(
        e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()),
        Some(Error::LimitExceeded(Limit::BufferedInput(_)))
    )
}

impl<IO, C> AsyncRead for TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.waiting.read = None;
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            this.flush_for_reader(cx);
            if !this.conn.has_plaintext() {
                // Records held back while plaintext was unread come first:
                // read_plaintext would otherwise report an end-of-file the
                // transport reached behind them as the end.
                let _ = this.conn.process();
            }
            // Decrypted data moves into `buf` only here, right before
            // returning: until then it stays in the connection.
            match this.conn.read_plaintext(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    if this.conn.is_handshaking() {
                        // A writer may wait for early data to be read.
                        wake_other(cx, &mut this.waiting.write);
                    }
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
            let was_handshaking = this.conn.is_handshaking();
            match this.poll_read_tls(cx) {
                Poll::Ready(Ok(Input::Progress)) => {
                    // A writer may be waiting for the handshake to go on, or
                    // on a connection that has now failed.
                    if was_handshaking || this.conn.error().is_some() {
                        wake_other(cx, &mut this.waiting.write);
                    }
                }
                // No input taken: either data is waiting now, or the
                // connection is done reading and read_plaintext says how
                // it ended (close_notify, EOF or the error).
                Poll::Ready(Ok(Input::Refused)) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    this.waiting.read = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<IO, C> TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    /// Records `cx` as the waiting writer when `poll` is pending.
    fn write_side<T>(&mut self, cx: &Context<'_>, poll: Poll<T>) -> Poll<T> {
        self.waiting.write = match poll {
            Poll::Pending => Some(cx.waker().clone()),
            Poll::Ready(_) => None,
        };
        poll
    }

    /// Seals up to one record of `buf` once everything sealed before is in
    /// the transport, and starts sending it.
    fn poll_write_plaintext(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // Let in what the peer sent while the application only writes, so
        // post-handshake messages and alerts are handled: at most one read,
        // and none while decrypted data is unread (which bounds what piles up).
        let _ = self.poll_read_for_writer(cx);
        loop {
            // Back-pressure: new data only once everything sealed before it
            // (and any KeyUpdate answer or alert) is in the transport. A
            // failed connection fails the write even while the transport is
            // full: the reader may have met the failure and woken us.
            if self.poll_write_tls(cx)?.is_pending() {
                return match self.conn.error() {
                    Some(e) => Poll::Ready(Err(to_io(e.clone()))),
                    None => Poll::Pending,
                };
            }
            let chunk = buf.get(..MAX_PLAINTEXT).unwrap_or(buf);
            let n = self.conn.write_plaintext(chunk).map_err(to_io)?;
            if n > 0 {
                // Start sending now; what the transport does not take yet goes
                // out at the next write or flush.
                let _ = self.poll_write_tls(cx);
                return Poll::Ready(Ok(n));
            }
            // Mid-handshake, the connection's buffer for data written before
            // the handshake completes is full: the handshake must go on.
            match ready!(self.poll_read_for_writer(cx))? {
                Input::Progress => {}
                Input::Refused => match self.conn.error() {
                    Some(e) => return Poll::Ready(Err(to_io(e.clone()))),
                    // Early data the application has not read holds the
                    // handshake up; the reader wakes us (see poll_read).
                    None if self.conn.has_plaintext() => return Poll::Pending,
                    None => return Poll::Ready(Err(to_io(Error::UnexpectedEof))),
                },
            }
        }
    }
}

impl<IO, C> AsyncWrite for TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let poll = this.poll_write_plaintext(cx, buf);
        this.write_side(cx, poll)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = match this.poll_settle(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_flush(cx),
            other => other,
        };
        this.write_side(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // Idempotent; mid-handshake it goes out once the handshake is done.
        this.conn.send_close_notify();
        let poll = match this.poll_settle(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_shutdown(cx),
            other => other,
        };
        this.write_side(cx, poll)
    }
}

/// `std::io::Read` over an async transport for [`Connection::read_tls`]:
/// `Pending` becomes `WouldBlock`, marked so it cannot be confused with a
/// transport's own error.
struct SyncReader<'a, 'b, IO> {
    io: &'a mut IO,
    cx: &'a mut Context<'b>,
    pending: bool,
}

impl<IO: AsyncRead + Unpin> io::Read for SyncReader<'_, '_, IO> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut read_buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut read_buf) {
            Poll::Ready(Ok(())) => Ok(read_buf.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => {
                self.pending = true;
                Err(io::ErrorKind::WouldBlock.into())
            }
        }
    }
}

/// `std::io::Write` over an async transport for [`Connection::write_tls`].
struct SyncWriter<'a, 'b, IO> {
    io: &'a mut IO,
    cx: &'a mut Context<'b>,
    pending: bool,
}

impl<IO: AsyncWrite + Unpin> io::Write for SyncWriter<'_, '_, IO> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.io).poll_write(self.cx, buf) {
            Poll::Ready(result) => result,
            Poll::Pending => {
                self.pending = true;
                Err(io::ErrorKind::WouldBlock.into())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // Connection::write_tls never flushes; poll_flush flushes the transport.
        Ok(())
    }
}
