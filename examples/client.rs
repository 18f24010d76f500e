//! A TLS client on keyway: `cargo run --example client -- --connect HOST:PORT
//! [--servername NAME] --cafile ROOTS.pem [--tls13] [--tls12] [--ciphers LIST]
//! [--rsa-kx] [--groups LIST] [--alpn LIST] [--cert CHAIN.pem --key KEY.pem]
//! [--optional-ems] [--status] [--request TEXT] [--reconnect N] [--early-data]`
//!
//! The client asks for a stapled OCSP response and refuses the server if the
//! staple is bad or says "revoked", or if a must-staple certificate comes
//! without one; `--status` also prints what the staple said.
//!
//! `--tls13` and `--tls12` pick the versions to offer (default both);
//! `--ciphers` takes TLS 1.3 and TLS 1.2 suites by IANA or OpenSSL name;
//! `--rsa-kx` also offers the TLS 1.2 RSA key exchange suites (build with
//! `--features rsa-kx`); `--cert` and `--key` give a client certificate for
//! servers that ask; `--optional-ems` lets TLS 1.2 servers without the
//! extended master secret (RFC 7627) be used.
//!
//! Connects, prints the negotiated parameters (version first), sends the
//! request (default an HTTP/1.0 GET), prints the response. `--reconnect N`
//! then connects N more times with the same config, resuming the session the
//! server left (a TLS 1.3 ticket, a TLS 1.2 ticket or session ID) and saying
//! so (`resumed: yes`); with `--early-data` those connections send the
//! request as 0-RTT early data when the ticket allows it, and again after the
//! handshake if the server refused it. Exits non-zero with the error on
//! stderr on any failure. Secrets go to `$SSLKEYLOGFILE` if it is set.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;

use common::{describe, fail_usage, number, parse_alpn, parse_groups, parse_suites, Args};

const USAGE: &str =
    "client --connect HOST:PORT [--servername NAME] --cafile ROOTS.pem [--tls13] [--tls12] \
[--ciphers LIST] [--rsa-kx] [--groups LIST] [--alpn LIST] [--cert CHAIN.pem --key KEY.pem] \
[--optional-ems] [--status] [--request TEXT] [--reconnect N] [--early-data]";

fn main() {
    let args = Args::from_env();
    args.check(
        &[
            "--connect",
            "--servername",
            "--cafile",
            "--ciphers",
            "--groups",
            "--alpn",
            "--request",
            "--cert",
            "--key",
            "--reconnect",
        ],
        &[
            "--tls13",
            "--tls12",
            "--rsa-kx",
            "--optional-ems",
            "--early-data",
            "--status",
        ],
        USAGE,
    );
    let (Some(connect), Some(cafile)) = (args.value("--connect"), args.value("--cafile")) else {
        fail_usage("--connect and --cafile are required", USAGE)
    };
    if args.value("--cert").is_some() != args.value("--key").is_some() {
        fail_usage("--cert and --key go together", USAGE);
    }
    let rsa_kx = common::rsa_kx(&args);
    if let Err(e) = run(&args, &connect, &cafile, rsa_kx) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(
    args: &Args,
    connect: &str,
    cafile: &str,
    rsa_kx: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let host = connect.rsplit_once(':').map(|(h, _)| h).unwrap_or(connect);
    let server_name = args
        .value("--servername")
        .unwrap_or_else(|| host.trim_matches(['[', ']']).to_string());
    let roots = keyway::RootStore::from_pem_file(cafile)?;
    let mut builder = keyway::ClientConfig::builder(roots)
        .versions(&common::versions(args))
        .key_log(Arc::new(keyway::keylog::KeyLogFile::from_env()));
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
    if let (Some(cert), Some(key)) = (args.value("--cert"), args.value("--key")) {
        builder = builder.client_certificate(keyway::CertifiedKey::from_pem_files(cert, key)?);
    }
    if args.flag("--optional-ems") {
        builder = builder.require_extended_master_secret(false);
    }
    let early_data = args.flag("--early-data");
    let config = Arc::new(builder.enable_early_data(early_data).build()?);

    let request = match args.value("--request") {
        Some(text) => text.replace("\\r", "\r").replace("\\n", "\n"),
        None => format!("GET / HTTP/1.0\r\nHost: {server_name}\r\n\r\n"),
    };
    let reconnects: usize = match args.value("--reconnect") {
        Some(n) => number(&n, "--reconnect")?,
        None => 0,
    };
    for attempt in 0..=reconnects {
        if reconnects > 0 {
            println!("--- connection {} of {} ---", attempt + 1, reconnects + 1);
        }
        let tcp = std::net::TcpStream::connect(connect)?;
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
        let mut tls = keyway::Stream::client(config.clone(), &server_name, tcp)?;
        // As much of the request as the ticket allows goes as 0-RTT data;
        // without a ticket that allows it, none.
        let early = match early_data {
            true => tls
                .connection_mut()
                .write_early_data(request.as_bytes())
                .unwrap_or(0),
            false => 0,
        };
        tls.handshake()?;
        let negotiated = tls.connection().negotiated().clone();
        print!("{}", describe(&negotiated));
        if args.flag("--status") {
            match &negotiated.ocsp_response {
                Some(der) => println!(
                    "OCSP response: {}",
                    keyway::pki::ocsp::OcspResponse::parse(der).map_err(keyway::Error::from)?
                ),
                // A resumed handshake carries no certificate, so no staple.
                None if negotiated.resumed => {
                    println!("OCSP response: none (resumed: no certificate was sent)")
                }
                None => println!("OCSP response: none"),
            }
        }
        let rest = match negotiated.early_data {
            keyway::EarlyData::Accepted => &request.as_bytes()[early..],
            _ => request.as_bytes(),
        };
        tls.write_all(rest)?;
        let mut response = Vec::new();
        tls.read_to_end(&mut response)?;
        println!("--- response ---\n{}", String::from_utf8_lossy(&response));
        let _ = tls.close();
    }
    Ok(())
}
