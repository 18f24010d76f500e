//! An HTTP/1.1 server on keyway's tokio adapter, serving many connections at
//! once: `cargo run --features tokio --example tokio_server -- --addr
//! 127.0.0.1:4433 --cert CHAIN.pem --key KEY.pem [flags of the server example]`
//!
//! The flags are those of the `server` example but `--early-data` (0-RTT
//! data is not read here). Each connection gets its own
//! task: handshake (30 s at most), then requests until the client closes,
//! keep-alive as HTTP/1.1 has it. A `GET` (or `HEAD`) gets the page of
//! negotiated parameters, version first; a `POST` gets its body back (at most
//! 1 MiB, by `Content-Length`). An address with port 0 listens on a free
//! port; the address is printed as `listening on ADDR`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use keyway::tokio::{TlsAcceptor, TlsStream};
use keyway::ServerConnection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const USAGE: &str = concat!(
    "tokio_server --addr HOST:PORT --cert CHAIN.pem --key KEY.pem ",
    server_flags!()
);

/// How long a handshake, or a wait for the next request, may take.
const IDLE: Duration = Duration::from_secs(30);
/// The largest request head and body accepted.
const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 1024 * 1024;

#[tokio::main]
async fn main() {
    let common::ServerArgs {
        args, addr, config, ..
    } = common::server_args(USAGE, &[], None);
    if args.value("--early-data").is_some() {
        common::fail_usage(
            "this example does not read 0-RTT data (the server example does)",
            USAGE,
        );
    }
    let acceptor = TlsAcceptor::from(Arc::new(config));
    common::accept::serve_forever(&addr, move |tcp| serve(acceptor.clone(), tcp)).await
}

async fn serve(acceptor: TlsAcceptor, tcp: TcpStream) -> std::io::Result<()> {
    let mut tls = match tokio::time::timeout(IDLE, acceptor.accept(tcp)).await {
        Ok(handshake) => handshake?,
        Err(_) => return Err(std::io::ErrorKind::TimedOut.into()),
    };
    let mut buffered = Vec::new();
    loop {
        let request = match tokio::time::timeout(IDLE, read_request(&mut tls, &mut buffered)).await
        {
            Ok(request) => request?,
            Err(_) => return Err(std::io::ErrorKind::TimedOut.into()),
        };
        let Some(request) = request else {
            // The client closed (close_notify) between requests.
            return tls.shutdown().await;
        };
        let close = request.close;
        respond(&mut tls, request).await?;
        if close {
            return tls.shutdown().await;
        }
    }
}

struct Request {
    method: String,
    version: String,
    body: Vec<u8>,
    /// The client asked to close after this request (or speaks HTTP/1.0).
    close: bool,
}

/// Reads one request; `None` if the client closed before sending one.
/// `buffered` carries bytes read past the request into the next.
async fn read_request(
    tls: &mut TlsStream<TcpStream, ServerConnection>,
    buffered: &mut Vec<u8>,
) -> std::io::Result<Option<Request>> {
    let head_end = loop {
        if let Some(at) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffered.len() > MAX_HEAD {
            return Err(invalid("request head too long"));
        }
        if read_more(tls, buffered).await? == 0 {
            return match buffered.is_empty() {
                true => Ok(None),
                false => Err(invalid("connection closed inside a request")),
            };
        }
    };
    let head = String::from_utf8_lossy(&buffered[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let _target = request_line.next();
    let version = request_line.next().unwrap_or_default().to_string();
    let (mut length, mut close) = (0, version != "HTTP/1.1");
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().map_err(|_| invalid("bad Content-Length"))?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(invalid("only Content-Length bodies are supported"));
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    if length > MAX_BODY {
        return Err(invalid("request body too long"));
    }
    while buffered.len() < head_end + length {
        if read_more(tls, buffered).await? == 0 {
            return Err(invalid("connection closed inside a request body"));
        }
    }
    let body = buffered[head_end..head_end + length].to_vec();
    buffered.drain(..head_end + length);
    if buffered.is_empty() {
        // An idle keep-alive connection holds no request buffer.
        *buffered = Vec::new();
    }
    Ok(Some(Request {
        method,
        version,
        body,
        close,
    }))
}

async fn read_more(
    tls: &mut TlsStream<TcpStream, ServerConnection>,
    buffered: &mut Vec<u8>,
) -> std::io::Result<usize> {
    // Straight into the request buffer: no buffer of our own per connection.
    buffered.reserve(8 * 1024);
    tls.read_buf(buffered).await
}

async fn respond(
    tls: &mut TlsStream<TcpStream, ServerConnection>,
    request: Request,
) -> std::io::Result<()> {
    let (status, content_type, body) = match request.method.as_str() {
        "GET" | "HEAD" => {
            let page = format!(
                "<html><body><pre>\nkeyway tokio server\n{}HTTP version: {}\n</pre></body></html>\n",
                common::describe(tls.connection().negotiated()),
                request.version,
            );
            ("200 OK", "text/html", page.into_bytes())
        }
        "POST" => ("200 OK", "application/octet-stream", request.body),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            b"GET or POST\n".to_vec(),
        ),
    };
    let connection = if request.close { "close" } else { "keep-alive" };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n",
        body.len()
    );
    tls.write_all(head.as_bytes()).await?;
    if request.method != "HEAD" {
        tls.write_all(&body).await?;
    }
    tls.flush().await
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}
