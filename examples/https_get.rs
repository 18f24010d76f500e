//! Fetches a URL over HTTPS with hyper on keyway's tokio adapter:
//! `cargo run --features tokio --example https_get -- [--cafile ROOT.pem]
//! [--connect HOST:PORT] [--http1.1 | --http2] [--tls13] [--tls12] URL`
//!
//! The server is checked against `--cafile` (default: the system's roots)
//! under the URL's host name; `--connect` dials another address (as curl's
//! `--resolve` does). ALPN offers `h2` and `http/1.1` (or only the one asked
//! for), and the request goes out as HTTP/2 or HTTP/1.1 by what the server
//! chose. The status line and the negotiated parameters go to stderr, the
//! body to stdout; the exit status is 0 for a 2xx answer, 1 otherwise.

mod common;

use std::error::Error;
use std::future::poll_fn;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;

use hyper::body::Body;
use hyper::{Request, Uri};
use hyper_util::rt::{TokioExecutor, TokioIo};
use keyway::tokio::TlsConnector;
use keyway::{ClientConfig, RootStore};
use tokio::net::TcpStream;

const USAGE: &str =
    "https_get [--cafile ROOT.pem] [--connect HOST:PORT] [--http1.1 | --http2] [--tls13] [--tls12] URL";

#[tokio::main]
async fn main() {
    let mut args = common::Args::from_env();
    let with_value = ["--cafile", "--connect"];
    let Some(url) = args.take_positional(&with_value) else {
        common::fail_usage("a URL is required", USAGE)
    };
    args.check(
        &with_value,
        &["--http1.1", "--http2", "--tls13", "--tls12"],
        USAGE,
    );
    let uri: Uri = match url.parse() {
        Ok(uri) => uri,
        Err(e) => common::fail_usage(&format!("{url:?} is not a URL: {e}"), USAGE),
    };
    if uri.scheme_str() != Some("https") || uri.host().is_none() {
        common::fail_usage(&format!("{url:?} is not an https:// URL"), USAGE);
    }
    match fetch(&args, uri).await {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// Fetches `uri`; true if the answer was 2xx.
async fn fetch(args: &common::Args, uri: Uri) -> Result<bool, Box<dyn Error>> {
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
    let port = uri.port_u16().unwrap_or(443);
    let roots = match args.value("--cafile") {
        Some(path) => RootStore::from_pem_file(&path)?,
        None => RootStore::from_system()?,
    };
    let alpn: &[&[u8]] = match (args.flag("--http1.1"), args.flag("--http2")) {
        (true, false) => &[b"http/1.1"],
        (false, true) => &[b"h2"],
        _ => &[b"h2", b"http/1.1"],
    };
    let config = ClientConfig::builder(roots)
        .versions(&common::versions(args))
        .alpn(alpn)
        .key_log(Arc::new(keyway::keylog::KeyLogFile::from_env()))
        .build()?;
    let tcp = match args.value("--connect") {
        Some(addr) => TcpStream::connect(addr).await?,
        None => TcpStream::connect((host.as_str(), port)).await?,
    };
    let tls = TlsConnector::from(Arc::new(config))
        .connect(&host, tcp)
        .await?;
    let negotiated = tls.connection().negotiated().clone();
    eprint!("{}", common::describe(&negotiated));
    let io = TokioIo::new(tls);
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut response = if negotiated.alpn.as_deref() == Some(b"h2") {
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), io).await?;
        tokio::spawn(conn);
        // HTTP/2 carries the authority in the request's URI.
        let request = Request::get(uri.clone()).body(String::new())?;
        sender.send_request(request).await?
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await?;
        tokio::spawn(conn);
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or(&host);
        let request = Request::get(path)
            .header(hyper::header::HOST, authority)
            .body(String::new())?;
        sender.send_request(request).await?
    };
    eprintln!("{:?} {}", response.version(), response.status());
    let body = response.body_mut();
    let mut stdout = std::io::stdout().lock();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
        if let Ok(data) = frame?.into_data() {
            stdout.write_all(&data)?;
        }
    }
    stdout.flush()?;
    Ok(response.status().is_success())
}
