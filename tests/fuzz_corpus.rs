//! Replays every file of the fuzz corpora (`fuzz/corpus/<target>/`) through
//! the functions the fuzz targets call, so that plain `cargo test`, on stable
//! and without cargo-fuzz, re-checks every seed and every regression input.
//! The `client_hello` corpus needs the `arbitrary` feature (on with
//! `--all-features`, the README's test command), and the `rsa-kx` seeds of
//! `server`, `client` and `tls12_key_exchange` reach the RSA code only with
//! `rsa-kx`.
//!
//! The `seed-*` files are made by `regenerate_seed_corpus` (in `seeds.rs`),
//! which is ignored: run it explicitly to rewrite them (see the README's
//! "Fuzzing" section). Files named `regression-*` are minimized crashes; they
//! are never rewritten.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyway::{
    fuzzing, ClientConfig, ClientConnection, Connection, Error, ServerConfig, ServerConnection,
};

#[path = "fuzz_corpus/seeds.rs"]
mod seeds;

const TARGETS: [&str; 9] = [
    "record",
    "handshake_message",
    "client_hello",
    "server",
    "client",
    "x509",
    "pem",
    "tls12_key_exchange",
    "ocsp",
];

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// Runs `run` on every file in the target's corpus; a failure names the file.
fn replay(target: &str, run: fn(&[u8])) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
        .unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "fuzz/corpus/{target} is empty");
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let result = std::panic::catch_unwind(|| run(&data));
        assert!(result.is_ok(), "{target} failed on {}", file.display());
    }
}

#[test]
fn record_corpus_replays() {
    replay("record", fuzzing::record);
}

#[test]
fn handshake_message_corpus_replays() {
    replay("handshake_message", fuzzing::handshake_message);
}

#[cfg(feature = "arbitrary")]
#[test]
fn client_hello_corpus_replays() {
    replay("client_hello", fuzzing::client_hello);
}

#[test]
fn server_corpus_replays() {
    replay("server", fuzzing::server);
}

#[test]
fn client_corpus_replays() {
    replay("client", fuzzing::client);
}

#[test]
fn x509_corpus_replays() {
    replay("x509", fuzzing::x509);
}

#[test]
fn pem_corpus_replays() {
    replay("pem", fuzzing::pem);
}

#[test]
fn tls12_key_exchange_corpus_replays() {
    replay("tls12_key_exchange", fuzzing::tls12_key_exchange);
}

#[test]
fn ocsp_corpus_replays() {
    replay("ocsp", fuzzing::ocsp);
}

/// Feeds a recorded peer stream in one piece to the connection the `target`
/// ("server" or "client") runs for `control`; true if the handshake completed
/// and the peer's close_notify arrived.
fn replays_to_close(target: &str, control: u8, stream: &[u8]) -> Result<bool, Error> {
    let rsa = control & fuzzing::CONTROL_RSA != 0;
    match target {
        "server" => feed(&mut ServerConnection::new(server_config(rsa)), stream),
        _ => {
            let mut client = ClientConnection::new(client_config(rsa), fuzzing::SERVER_NAME)?;
            feed(&mut client, stream)
        }
    }
}

fn feed(conn: &mut Connection, mut stream: &[u8]) -> Result<bool, Error> {
    // Bounded: a connection that takes no bytes, or hands out plaintext
    // forever, fails the replay instead of hanging it.
    for _ in 0..=stream.len() {
        if stream.is_empty() {
            return Ok(!conn.is_handshaking() && conn.peer_has_closed());
        }
        let taken = conn.read_tls_bytes(stream)?;
        assert!(
            taken > 0,
            "the connection took none of {} bytes",
            stream.len()
        );
        stream = &stream[taken..];
        conn.process()?;
        fuzzing::drain_plaintext(conn, taken);
    }
    unreachable!("each round takes at least one byte")
}

/// The server config of the `server` target, or with `rsa` its RSA variant.
fn server_config(rsa: bool) -> Arc<ServerConfig> {
    #[cfg(feature = "rsa-kx")]
    if rsa {
        return fuzzing::rsa_server_config();
    }
    assert!(!rsa, "RSA seeds need the rsa-kx feature");
    fuzzing::server_config()
}

/// The client config of the `client` target, or with `rsa` its RSA variant.
fn client_config(rsa: bool) -> Arc<ClientConfig> {
    #[cfg(feature = "rsa-kx")]
    if rsa {
        return fuzzing::rsa_client_config();
    }
    assert!(!rsa, "RSA seeds need the rsa-kx feature");
    fuzzing::client_config()
}

/// The handshake seeds of `server` and `client` are recorded peer streams
/// that replay to the end of a connection, which is what starts the fuzzer
/// deep in the handshake. A change to the handshake that breaks this (the
/// seeds then stop at the first message that differs) needs the seeds
/// regenerated.
#[test]
fn handshake_seeds_replay_to_the_end() {
    let mut names = vec![
        "tls13-full",
        "tls13-retry",
        "tls12-full",
        "tls13-resumed",
        "tls12-resumed",
    ];
    if cfg!(feature = "rsa-kx") {
        names.push("tls12-rsa");
    }
    let hybrids = [
        ("server", "tls13-x25519mlkem768"),
        ("server", "tls13-secp256r1mlkem768"),
        ("client", "tls13-retry-x25519mlkem768"),
        ("client", "tls13-resumed-retry"),
        ("server", "tls13-early-data-refused"),
    ];
    let both = names
        .iter()
        .flat_map(|name| [("server", *name), ("client", *name)]);
    for (target, name) in both.chain(hybrids) {
        let data = std::fs::read(corpus_dir(target).join(format!("seed-{name}"))).unwrap();
        let (&control, stream) = data.split_first().unwrap();
        let replayed = replays_to_close(target, control, stream);
        assert_eq!(replayed, Ok(true), "{target}/seed-{name}");
    }
}
