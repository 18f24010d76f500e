//! A TLS server on keyway: `cargo run --example server -- --addr 127.0.0.1:4433
//! --cert CHAIN.pem --key KEY.pem [--tls13] [--tls12] [--ciphers LIST]
//! [--rsa-kx] [--groups LIST] [--alpn LIST] [--hrr-cookie] [--echo]`
//!
//! `--tls13` and `--tls12` pick the versions (default both); `--ciphers`
//! takes TLS 1.3 and TLS 1.2 suites by IANA or OpenSSL name; `--rsa-kx` also
//! accepts the TLS 1.2 RSA key exchange suites (build with `--features
//! rsa-kx`). Per connection: handshake, then (default) answer one HTTP
//! request with a page listing the negotiated parameters, version first, and
//! close with close_notify, like `openssl s_server -www`; with `--echo`, echo
//! bytes until the peer closes (a line `keyupdate` makes a TLS 1.3 server send
//! a KeyUpdate requesting one back, for interop tests). Secrets go to
//! `$SSLKEYLOGFILE` if it is set.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use common::{describe, fail_usage, parse_alpn, parse_groups, parse_suites, Args};

const USAGE: &str = "server --addr HOST:PORT --cert CHAIN.pem --key KEY.pem [--tls13] [--tls12] \
[--ciphers LIST] [--rsa-kx] [--groups LIST] [--alpn LIST] [--hrr-cookie] [--echo]";

fn main() {
    let args = Args::from_env();
    args.check(
        &[
            "--addr",
            "--cert",
            "--key",
            "--ciphers",
            "--groups",
            "--alpn",
        ],
        &["--tls13", "--tls12", "--rsa-kx", "--echo", "--hrr-cookie"],
        USAGE,
    );
    let (Some(addr), Some(cert), Some(key)) = (
        args.value("--addr"),
        args.value("--cert"),
        args.value("--key"),
    ) else {
        fail_usage("--addr, --cert and --key are required", USAGE)
    };
    let rsa_kx = common::rsa_kx(&args);
    let config = match build_config(&args, &cert, &key, rsa_kx) {
        Ok(config) => Arc::new(config),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| {
        eprintln!("error: cannot listen on {addr}: {e}");
        std::process::exit(1);
    });
    let addr = listener.local_addr().map_or(addr, |a| a.to_string());
    eprintln!("listening on {addr}");
    let echo = args.flag("--echo");
    for tcp in listener.incoming() {
        let Ok(tcp) = tcp else { continue };
        let config = config.clone();
        std::thread::spawn(move || {
            let peer = tcp.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            if let Err(e) = serve(config, tcp, echo) {
                eprintln!("connection from {peer} failed: {e}");
            }
        });
    }
}

fn build_config(
    args: &Args,
    cert: &str,
    key: &str,
    rsa_kx: bool,
) -> Result<keyway::ServerConfig, String> {
    let mut builder = keyway::ServerConfig::builder()
        .certificate_chain_pem(cert, key)
        .map_err(|e| e.to_string())?
        .versions(&common::versions(args))
        .key_log(Arc::new(keyway::keylog::KeyLogFile::from_env()))
        .hello_retry_cookie(args.flag("--hrr-cookie"));
    #[cfg(feature = "rsa-kx")]
    if rsa_kx {
        builder = builder.enable_rsa_key_exchange();
    }
    #[cfg(not(feature = "rsa-kx"))]
    let _ = rsa_kx; // common::rsa_kx already refused the flag.
    if let Some(list) = args.value("--ciphers") {
        builder = builder.cipher_suites(&parse_suites(&list)?);
    }
    if let Some(list) = args.value("--groups") {
        builder = builder.groups(&parse_groups(&list)?);
    }
    if let Some(list) = args.value("--alpn") {
        let alpn = parse_alpn(&list);
        builder = builder.alpn(&alpn.iter().map(|p| p.as_slice()).collect::<Vec<_>>());
    }
    builder.build().map_err(|e| e.to_string())
}

fn serve(config: Arc<keyway::ServerConfig>, tcp: TcpStream, echo: bool) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut tls = keyway::Stream::server(config, tcp);
    tls.handshake()?;
    if echo {
        return echo_until_closed(&mut tls);
    }
    // Read the request head (bounded), then answer with the negotiated parameters.
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && !request.windows(2).any(|w| w == b"\n\n")
    {
        let n = tls.read(&mut buf)?;
        if n == 0 || request.len() > 16 * 1024 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let body = format!(
        "<html><body><pre>\nkeyway TLS server\n{}</pre></body></html>\n",
        describe(tls.connection().negotiated())
    );
    let response = format!(
        "HTTP/1.0 200 ok\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(response.as_bytes())?;
    tls.close()
}

fn echo_until_closed(tls: &mut keyway::Stream<TcpStream>) -> std::io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return tls.close();
        }
        let data = &buf[..n];
        if data.windows(9).any(|w| w == b"keyupdate") {
            tls.update_keys(true)?;
        }
        tls.write_all(data)?;
    }
}
