//! An HTTPS server on hyper over keyway's tokio adapter, speaking HTTP/2 or
//! HTTP/1.1 as ALPN decides: `cargo run --features tokio --example
//! https_server -- --addr 127.0.0.1:8443 --cert CHAIN.pem --key KEY.pem
//! [flags of the server example]`
//!
//! The flags are those of the `server` example but `--early-data` (0-RTT
//! data is not read here); ALPN defaults to `h2,http/1.1`.
//! Every request gets a page of the negotiated parameters and the request's
//! HTTP version, so that
//! `curl --cacert ROOT.pem --http2 https://localhost:8443/` shows what was
//! spoken. An address with port 0 listens on a free port; the address is
//! printed as `listening on ADDR`.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use keyway::tokio::TlsAcceptor;
use tokio::net::TcpStream;

const USAGE: &str = concat!(
    "https_server --addr HOST:PORT --cert CHAIN.pem --key KEY.pem ",
    server_flags!()
);

const H2: &[u8] = b"h2";

#[tokio::main]
async fn main() {
    let common::ServerArgs {
        args, addr, config, ..
    } = common::server_args(USAGE, &[], Some("h2,http/1.1"));
    if args.value("--early-data").is_some() {
        common::fail_usage(
            "this example does not read 0-RTT data (the server example does)",
            USAGE,
        );
    }
    let acceptor = TlsAcceptor::from(Arc::new(config));
    common::accept::serve_forever(&addr, move |tcp| serve(acceptor.clone(), tcp)).await
}

async fn serve(acceptor: TlsAcceptor, tcp: TcpStream) -> Result<(), Box<dyn std::error::Error>> {
    let tls = tokio::time::timeout(Duration::from_secs(30), acceptor.accept(tcp)).await??;
    let negotiated = tls.connection().negotiated().clone();
    let h2 = negotiated.alpn.as_deref() == Some(H2);
    let negotiated = Arc::new(negotiated);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let negotiated = negotiated.clone();
        async move { Ok::<_, Infallible>(page(&negotiated, &request)) }
    });
    let io = TokioIo::new(tls);
    match h2 {
        true => {
            hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(io, service)
                .await?
        }
        false => {
            hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await?
        }
    }
    Ok(())
}

fn page(negotiated: &keyway::Negotiated, request: &Request<Incoming>) -> Response<String> {
    let body = format!(
        "<html><body><pre>\nkeyway https server (hyper)\n{}HTTP version: {:?}\nrequest: {} {}\n</pre></body></html>\n",
        common::describe(negotiated),
        request.version(),
        request.method(),
        request.uri(),
    );
    let mut response = Response::new(body);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html"),
    );
    response
}
