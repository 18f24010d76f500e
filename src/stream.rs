//! A blocking TLS stream over any `Read + Write` transport: the only code in
//! keyway that does I/O.

use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::client::{ClientConfig, ClientConnection};
use crate::conn::Connection;
use crate::error::Error;
use crate::server::{ServerConfig, ServerConnection};

/// A TLS connection driven over a blocking transport such as a `TcpStream`.
///
/// The handshake runs on first use (or explicitly with [`Stream::handshake`]).
/// Reading returns `Ok(0)` only after the peer's close_notify; a transport EOF
/// without one is an `UnexpectedEof` error carrying [`Error::UnexpectedEof`].
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::io::{Read, Write};
/// use std::sync::Arc;
/// let roots = keyway::RootStore::from_pem_file("ca.pem")?;
/// let config = Arc::new(keyway::ClientConfig::builder(roots).build()?);
/// let tcp = std::net::TcpStream::connect("example.com:443")?;
/// let mut tls = keyway::Stream::client(config, "example.com", tcp)?;
/// tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
/// let mut response = Vec::new();
/// tls.read_to_end(&mut response)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Stream<T: Read + Write> {
    conn: Box<dyn AsConnection>,
    io: T,
}

/// Lets `Stream` hold either side's connection.
trait AsConnection: core::fmt::Debug + Send {
    fn conn(&mut self) -> &mut Connection;
    fn conn_ref(&self) -> &Connection;
}

impl AsConnection for ClientConnection {
    fn conn(&mut self) -> &mut Connection {
        self
    }
    fn conn_ref(&self) -> &Connection {
        self
    }
}

impl AsConnection for ServerConnection {
    fn conn(&mut self) -> &mut Connection {
        self
    }
    fn conn_ref(&self) -> &Connection {
        self
    }
}

/// The `io::Error` for a connection error: `UnexpectedEof` for a truncation,
/// `InvalidData` otherwise, with the [`Error`] inside.
pub(crate) fn to_io(e: Error) -> io::Error {
    let kind = match e {
        Error::UnexpectedEof => io::ErrorKind::UnexpectedEof,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, e)
}

impl<T: Read + Write> Stream<T> {
    /// Wraps `io` as the client side of a connection to `server_name`.
    pub fn client(config: Arc<ClientConfig>, server_name: &str, io: T) -> Result<Self, Error> {
        Ok(Self {
            conn: Box::new(ClientConnection::new(config, server_name)?),
            io,
        })
    }

    /// Wraps `io` as the server side of a connection.
    pub fn server(config: Arc<ServerConfig>, io: T) -> Self {
        Self {
            conn: Box::new(ServerConnection::new(config)),
            io,
        }
    }

    /// The connection state (negotiated parameters, exporter, ...).
    pub fn connection(&self) -> &Connection {
        self.conn.conn_ref()
    }

    /// The connection state, mutably (e.g. to request a KeyUpdate).
    pub fn connection_mut(&mut self) -> &mut Connection {
        self.conn.conn()
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// Runs the handshake to completion (a no-op once complete).
    pub fn handshake(&mut self) -> io::Result<()> {
        while self.conn.conn().is_handshaking() {
            // A failed handshake stays failed: report it rather than block on the socket.
            if let Some(e) = self.conn.conn_ref().error() {
                return Err(to_io(e.clone()));
            }
            self.flush_tls()?;
            self.read_more()?;
        }
        self.flush_tls()
    }

    /// Writes all queued TLS bytes to the transport. A write or flush
    /// interrupted by a signal (`ErrorKind::Interrupted`) is retried, as
    /// `std::io::Write::write_all` does.
    fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.conn().wants_write() {
            match self.conn.conn().write_tls(&mut self.io) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        loop {
            match self.io.flush() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }

    /// Reads once from the transport (again if a signal interrupted the
    /// read) and processes what arrived; on a TLS error the alert is flushed
    /// to the peer before the error is returned.
    fn read_more(&mut self) -> io::Result<()> {
        loop {
            match self.conn.conn().read_tls(&mut self.io) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => {
                    other?;
                    break;
                }
            }
        }
        if let Err(e) = self.conn.conn().process() {
            let _ = self.flush_tls();
            return Err(to_io(e));
        }
        Ok(())
    }

    /// Sends close_notify and flushes it; the stream can still be read.
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.conn().send_close_notify();
        self.flush_tls()
    }

    /// Sends a KeyUpdate (optionally asking the peer to update too) and flushes it.
    pub fn update_keys(&mut self, request_peer: bool) -> io::Result<()> {
        self.handshake()?;
        self.conn.conn().update_keys(request_peer).map_err(to_io)?;
        self.flush_tls()
    }
}

impl<T: Read + Write> Read for Stream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.handshake()?;
        loop {
            match self.conn.conn().read_plaintext(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                other => return other,
            }
            // Records may already be buffered (processing pauses while
            // plaintext is unread); only go to the socket when none are. A
            // failure is stored: the next read_plaintext returns any data
            // received before it, then the error.
            if self.conn.conn().process().is_ok() && !self.conn.conn_ref().has_plaintext() {
                if let Err(e) = self.read_more() {
                    if self.conn.conn_ref().error().is_none()
                        && !self.conn.conn_ref().has_plaintext()
                    {
                        return Err(e);
                    }
                }
            }
            // A KeyUpdate answer may be waiting.
            self.flush_tls()?;
        }
    }
}

impl<T: Read + Write> Write for Stream<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handshake()?;
        let n = self.conn.conn().write_plaintext(buf).map_err(to_io)?;
        self.flush_tls()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}
