//! A TLS server on keyway: `cargo run --example server -- --addr 127.0.0.1:4433
//! --cert CHAIN.pem --key KEY.pem [--tls13] [--tls12] [--ciphers LIST]
//! [--rsa-kx] [--groups LIST] [--alpn LIST] [--hrr-cookie] [--client-ca
//! ROOTS.pem [--require-client-cert]] [--optional-ems]
//! [--max-handshake-message BYTES] [--tickets N] [--ticket-key-file FILE]
//! [--session-cache N] [--early-data BYTES] [--ocsp RESPONSE.der]
//! [--sni NAME=CHAIN.pem,KEY.pem[,RESPONSE.der]]... [--strict-sni] [--echo]`
//!
//! Several sites: `--cert/--key` is the default certificate, for clients that
//! send no server name (and names no `--sni` covers, unless `--strict-sni`
//! answers those with unrecognized_name); each `--sni` adds a name (or a
//! `*.example.com` wildcard) with its own chain and key, and an RSA and an
//! ECDSA `--sni` for one name are served to the clients that can use each.
//! `--ocsp` (or the third `--sni` file) is a DER OCSP response (`openssl ocsp
//! -respout`) to staple for clients that ask. On SIGHUP every file is read
//! again, as after a certbot renewal: new connections get the new
//! certificates, open ones carry on, and a certificate whose new files fail
//! (unreadable, key not matching, expired, bad OCSP response) keeps the old
//! one; each line of what happened goes to stderr.
//!
//! - `--tls13`, `--tls12`: the versions (default both); `--ciphers`: TLS 1.3
//!   and TLS 1.2 suites by IANA or OpenSSL name; `--rsa-kx`: also the TLS 1.2
//!   RSA key exchange suites (build with `--features rsa-kx`); `--groups`,
//!   `--alpn`: comma-separated lists; `--hrr-cookie`: bind a
//!   HelloRetryRequest to the first ClientHello with a cookie.
//! - `--client-ca ROOTS.pem`: ask for a client certificate and check it
//!   against these roots (a client without one gets in, unless
//!   `--require-client-cert`).
//! - `--optional-ems`: let TLS 1.2 clients without the extended master
//!   secret (RFC 7627) in; `--max-handshake-message BYTES`: the largest
//!   handshake message accepted (default 65,536).
//! - `--tickets N`: TLS 1.3 tickets per connection (default 2; 0 turns
//!   tickets off in both versions); `--ticket-key-file FILE`: seal tickets
//!   with keys derived from this secret (32 bytes or more, e.g. `head -c 80
//!   /dev/urandom`): servers given the same file resume each other's
//!   sessions; the key rotates every 12 hours; `--session-cache N`: keep N
//!   sessions for TLS 1.2 session IDs and single-use tickets (default 1,024;
//!   0: no session IDs); `--early-data BYTES`: accept that much 0-RTT early
//!   data per connection (default 0: refused). Early data is read as the
//!   start of the request (or echoed first).
//!
//! Per connection: handshake, then (default) answer one HTTP request with a
//! page listing the negotiated parameters, version first (and whether the
//! session was resumed), and close with close_notify, like `openssl s_server
//! -www`; with `--echo`, echo bytes until the peer closes (a line
//! `keyupdate` makes a TLS 1.3 server send a KeyUpdate requesting one back,
//! for interop tests). Secrets go to `$SSLKEYLOGFILE` if it is set.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use common::describe;

const USAGE: &str = concat!(
    "server --addr HOST:PORT --cert CHAIN.pem --key KEY.pem ",
    server_flags!(),
    " [--echo]"
);

fn main() {
    let common::ServerArgs {
        args,
        addr,
        config,
        sites,
    } = common::server_args(USAGE, &["--echo"], None);
    #[cfg(unix)]
    sites.reload_on_sighup();
    #[cfg(not(unix))]
    drop(sites);
    let config = Arc::new(config);
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

fn serve(config: Arc<keyway::ServerConfig>, tcp: TcpStream, echo: bool) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut tls = keyway::Stream::server(config, tcp);
    tls.handshake()?;
    // 0-RTT early data, if the server took any: the start of what the client sends.
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tls.connection_mut().read_early_data(&mut buf);
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    if echo {
        tls.write_all(&request)?;
        return echo_until_closed(&mut tls);
    }
    // Read the rest of the request head (bounded), then answer with the
    // negotiated parameters.
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
