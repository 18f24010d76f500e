//! `regenerate_seed_corpus` and what it records: in-memory connections
//! between the fuzz targets' own configs (`keyway::fuzzing`), RFC 8448's
//! messages, the test data, and hand-made GREASE and malformed variants.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use keyway::codec::extensions::{Extension, KeyShareEntry};
use keyway::codec::messages::HandshakeMessage;
use keyway::codec::{ContentType, ExtensionType, HandshakeType, Writer};
use keyway::crypto::AeadAlgorithm;
use keyway::error::CertificateError;
use keyway::events::{Event, Observer, Side};
use keyway::pki::ClientCertVerifier;
use keyway::record::{write_plaintext_records, RecordEncrypter, Tls13Encrypter, MAX_PLAINTEXT};
use keyway::session::TicketKeys;
use keyway::{
    fuzzing, CipherSuite, ClientConfig, ClientConfigBuilder, ClientConnection, Connection, Error,
    NamedGroup, ProtocolVersion, ServerConfigBuilder, ServerConnection, SignatureScheme,
};

use super::{corpus_dir, replays_to_close, TARGETS};

/// The control byte that hands a `record` input over in one piece.
const WHOLE: u8 = 0xff;

/// The control byte that hands a `server` or `client` input over in one piece.
const WHOLE_STREAM: u8 = fuzzing::CONTROL_PIECE;

/// Rewrites the `seed-*` files of every corpus (with fixed randomness, the
/// same code writes the same files). Run it with `--all-features`, so that
/// the `client_hello` and RSA key exchange seeds are written too.
#[test]
#[ignore = "rewrites fuzz/corpus/*/seed-*; run it explicitly"]
fn regenerate_seed_corpus() {
    if !cfg!(all(feature = "arbitrary", feature = "rsa-kx")) {
        panic!("run with --all-features, or the client_hello and RSA seeds would be lost");
    }
    let mut corpus = Corpus::default();

    // Connections between the fuzzing client and server configs, each to its
    // close_notify: what one side sent is a seed for the target that plays
    // the other side, and replays to the end of the connection there.
    let client = fuzzing::client_config_builder;
    let server = fuzzing::server_config_builder;
    // The fuzzing client always offers the same TLS 1.3 ticket and TLS 1.2
    // session, which the fuzzing server's ticket keys open. A full
    // handshake is recorded for the `server` target with a client that
    // offers nothing, and for the `client` target (whose seed must be what
    // the fuzzing client itself is answered) with a server whose ticket keys
    // open nothing the client offers.
    let fresh_client = || client().session_store(None);
    let stranger = || server().ticket_keys(stranger_ticket_keys());
    let full = Trace::run(fresh_client(), server());
    add_peer_stream(&mut corpus, "server", "tls13-full", 0, &full);
    let client_full = Trace::run(client(), stranger());
    add_peer_stream(&mut corpus, "client", "tls13-full", 0, &client_full);
    // Resumption: a PSK handshake on the fixed ticket, in each version, and
    // in TLS 1.3 also after a HelloRetryRequest (the binder is recomputed).
    let resumed = Trace::run(client(), server());
    assert!(resumed.resumed, "the fixed TLS 1.3 ticket did not resume");
    add_peer_stream(&mut corpus, "server", "tls13-resumed", 0, &resumed);
    add_peer_stream(&mut corpus, "client", "tls13-resumed", 0, &resumed);
    let resumed_retry = Trace::run(client(), server().groups(&[NamedGroup::SECP384R1]));
    assert!(resumed_retry.resumed);
    add_peer_stream(
        &mut corpus,
        "client",
        "tls13-resumed-retry",
        0,
        &resumed_retry,
    );
    // 0-RTT: the fuzzing server resumes but refuses early data (its tickets
    // are not single use), so it skips the client's early records.
    let early = Trace::run_with_early_data(
        client().enable_early_data(true),
        server(),
        b"GET /early HTTP/1.1\r\n\r\n",
    );
    assert!(early.resumed);
    add_peer_stream(&mut corpus, "server", "tls13-early-data-refused", 0, &early);
    let tls12 = [ProtocolVersion::TLS12];
    let resumed12 = Trace::run(client().versions(&tls12), server());
    assert!(resumed12.resumed, "the fixed TLS 1.2 ticket did not resume");
    add_peer_stream(&mut corpus, "server", "tls12-resumed", 0, &resumed12);
    let client_resumed12 = Trace::run(client(), server().versions(&tls12));
    assert!(client_resumed12.resumed);
    add_peer_stream(&mut corpus, "client", "tls12-resumed", 0, &client_resumed12);
    // The server wants secp256r1 or secp384r1; an x25519 share makes it ask
    // again. The fuzzing client's secp256r1 share suits it, so for the
    // `client` seed the recording server wants secp384r1 alone.
    let retry = Trace::run(fresh_client().key_shares(&[NamedGroup::X25519]), server());
    add_peer_stream(&mut corpus, "server", "tls13-retry", 0, &retry);
    let client_retry = Trace::run(client(), stranger().groups(&[NamedGroup::SECP384R1]));
    add_peer_stream(&mut corpus, "client", "tls13-retry", 0, &client_retry);
    // Post-quantum hybrids: the server takes a client's X25519MLKEM768 or
    // SecP256r1MLKEM768 share (ML-KEM encapsulation); a recording server
    // that wants only X25519MLKEM768 makes the client retry with one and
    // decapsulate the answer.
    let hybrid = Trace::run(
        fresh_client().key_shares(&[NamedGroup::X25519MLKEM768]),
        server(),
    );
    add_peer_stream(&mut corpus, "server", "tls13-x25519mlkem768", 0, &hybrid);
    let hybrid_p256 = Trace::run(
        fresh_client().key_shares(&[NamedGroup::SECP256R1MLKEM768]),
        server(),
    );
    add_peer_stream(
        &mut corpus,
        "server",
        "tls13-secp256r1mlkem768",
        0,
        &hybrid_p256,
    );
    let client_hybrid_retry =
        Trace::run(client(), stranger().groups(&[NamedGroup::X25519MLKEM768]));
    add_peer_stream(
        &mut corpus,
        "client",
        "tls13-retry-x25519mlkem768",
        0,
        &client_hybrid_retry,
    );
    let server_tls12 = Trace::run(fresh_client().versions(&tls12), server());
    add_peer_stream(&mut corpus, "server", "tls12-full", 0, &server_tls12);
    let client_tls12 = Trace::run(client(), stranger().versions(&tls12));
    add_peer_stream(&mut corpus, "client", "tls12-full", 0, &client_tls12);
    let rsa = add_rsa_seeds(&mut corpus);
    let client_auth = Trace::run(
        fresh_client().client_certificate(fuzzing::server_certified_key()),
        server().client_auth(Arc::new(AcceptAnything)),
    );

    for (name, suite, group) in [
        (
            "aes256-p384",
            CipherSuite::TLS_AES_256_GCM_SHA384,
            NamedGroup::SECP384R1,
        ),
        (
            "chacha-x25519",
            CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
            NamedGroup::X25519,
        ),
        (
            "aes128-x25519mlkem768",
            CipherSuite::TLS_AES_128_GCM_SHA256,
            NamedGroup::X25519MLKEM768,
        ),
    ] {
        let config = client().cipher_suites(&[suite]).groups(&[group]);
        let config = Arc::new(config.key_shares(&[group]).build().unwrap());
        let hello = ClientConnection::new(config, fuzzing::SERVER_NAME)
            .unwrap()
            .take_tls();
        corpus.add(
            "server",
            &format!("client-hello-{name}"),
            WHOLE_STREAM,
            &hello,
        );
        add_client_hello(&mut corpus, name, &hello[5..], None);
    }
    // What a default keyway client sends: X25519MLKEM768 and x25519 shares.
    let default_client = ClientConfig::builder(keyway::RootStore::new())
        .dangerous_fixed_randomness(Vec::new())
        .build()
        .unwrap();
    let hello = ClientConnection::new(Arc::new(default_client), fuzzing::SERVER_NAME)
        .unwrap()
        .take_tls();
    corpus.add("server", "client-hello-default", WHOLE_STREAM, &hello);
    add_client_hello(&mut corpus, "default", &hello[5..], None);
    for (name, trace) in [
        ("tls13-full", &full),
        ("tls13-retry", &retry),
        ("tls13-x25519mlkem768", &hybrid),
        ("tls13-secp256r1mlkem768", &hybrid_p256),
        ("tls12", &server_tls12),
        ("tls12-rsa", &rsa),
    ] {
        let hellos = trace.messages_of_type(Side::Client, HandshakeType::CLIENT_HELLO);
        add_client_hello(&mut corpus, name, &hellos[0], hellos.get(1));
    }

    // Raw flights: after ServerHello they are protected under the handshake's
    // own keys, which only the framing and authentication checks see.
    for (name, trace, flights) in [("full", &full, 99), ("retry", &retry, 3)] {
        for (i, (side, flight)) in trace.flights.iter().take(flights).enumerate() {
            let side = side_name(*side);
            corpus.add(
                "record",
                &format!("{name}-flight-{i}-{side}"),
                WHOLE,
                flight,
            );
        }
    }
    for (name, trace) in [
        ("full", &full),
        ("retry", &retry),
        ("client-auth", &client_auth),
        ("resumed", &resumed),
        ("tls12", &server_tls12),
        ("tls12-resumed", &resumed12),
        ("tls12-rsa", &rsa),
    ] {
        for (i, (side, message)) in trace.messages.iter().enumerate() {
            let typ = HandshakeType(message[0]).name().unwrap_or("unknown");
            let name = format!("keyway-{name}-{i:02}-{}-{typ}", side_name(*side));
            corpus.add_message(&name, message);
        }
    }
    add_record_seeds(&mut corpus, &full);
    add_rfc8448_seeds(&mut corpus);
    add_message_variants(&mut corpus, &full);
    add_x509_seeds(&mut corpus);
    add_tls12_key_exchange_seeds(&mut corpus, &client_tls12, &rsa);
    add_pem_seeds(&mut corpus);
    add_ocsp_seeds(&mut corpus);

    corpus.write();
}

/// Adds what the peer of `target`'s side sent in `trace` as a `target` seed,
/// whole and in 5-byte pieces, after checking that it replays to the end of
/// the connection there. `control` adds bits to the control byte (RSA).
fn add_peer_stream(
    corpus: &mut Corpus,
    target: &'static str,
    name: &str,
    control: u8,
    trace: &Trace,
) {
    let peer = match target {
        "server" => Side::Client,
        _ => Side::Server,
    };
    let stream = trace.flights_of(peer).concat();
    let replayed = replays_to_close(target, control, &stream);
    assert_eq!(replayed, Ok(true), "{target}/{name}");
    corpus.add(target, name, control | WHOLE_STREAM, &stream);
    corpus.add(
        target,
        &format!("{name}-5-byte-pieces"),
        control | 2,
        &stream,
    );
}

/// TLS 1.2 with RSA key exchange between the `rsa-kx` configs of the fuzz
/// targets: a seed for each side; returns the server's recording (whose
/// client offered RSA key exchange alone) for the message seeds.
#[cfg(feature = "rsa-kx")]
fn add_rsa_seeds(corpus: &mut Corpus) -> Trace {
    let rsa_suite = [CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256];
    let tls12 = [ProtocolVersion::TLS12];
    let for_server = Trace::run(
        fuzzing::rsa_client_config_builder()
            .session_store(None)
            .versions(&tls12)
            .cipher_suites(&rsa_suite),
        fuzzing::rsa_server_config_builder(),
    );
    add_peer_stream(
        corpus,
        "server",
        "tls12-rsa",
        fuzzing::CONTROL_RSA,
        &for_server,
    );
    let for_client = Trace::run(
        fuzzing::rsa_client_config_builder(),
        fuzzing::rsa_server_config_builder()
            .cipher_suites(&rsa_suite)
            .ticket_keys(stranger_ticket_keys()),
    );
    add_peer_stream(
        corpus,
        "client",
        "tls12-rsa",
        fuzzing::CONTROL_RSA,
        &for_client,
    );
    for_server
}

#[cfg(not(feature = "rsa-kx"))]
fn add_rsa_seeds(_: &mut Corpus) -> Trace {
    unreachable!("regenerate_seed_corpus runs with every feature")
}

/// Ticket keys that open nothing the fuzzing client offers.
fn stranger_ticket_keys() -> Arc<TicketKeys> {
    let period = Duration::from_secs(30 * 24 * 3600);
    Arc::new(TicketKeys::from_secret(&[0x01; 32], period).unwrap())
}

/// A `client_hello` seed from a recorded ClientHello (a whole message) and,
/// after a HelloRetryRequest, the second one.
fn add_client_hello(corpus: &mut Corpus, name: &str, first: &[u8], retry: Option<&Vec<u8>>) {
    #[cfg(feature = "arbitrary")]
    {
        let seed = fuzzing::client_hello_seed(first, retry.map(Vec::as_slice))
            .unwrap_or_else(|e| panic!("client_hello/{name}: {e}"));
        corpus.add_input("client_hello", name, seed);
    }
    #[cfg(not(feature = "arbitrary"))]
    let _ = (corpus, name, first, retry);
}

/// `tls12_key_exchange` seeds: the ServerKeyExchange and ClientKeyExchange
/// bodies of recorded TLS 1.2 handshakes (the RSA one also encrypted anew and
/// flipped, see `fuzzing::rsa_pre_master`), and hand-made shapes.
fn add_tls12_key_exchange_seeds(corpus: &mut Corpus, ecdhe: &Trace, rsa: &Trace) {
    const SKE: u8 = 0;
    const CKE: u8 = 1;
    let body = |trace: &Trace, side, typ| {
        let messages = trace.messages_of_type(side, typ);
        messages[0][4..].to_vec()
    };
    let ske = body(ecdhe, Side::Server, HandshakeType::SERVER_KEY_EXCHANGE);
    corpus.add("tls12_key_exchange", "ske-keyway", SKE, &ske);
    let cke = body(ecdhe, Side::Client, HandshakeType::CLIENT_KEY_EXCHANGE);
    corpus.add("tls12_key_exchange", "cke-ecdhe-keyway", CKE, &cke);
    let cke = body(rsa, Side::Client, HandshakeType::CLIENT_KEY_EXCHANGE);
    corpus.add("tls12_key_exchange", "cke-rsa-keyway", CKE, &cke);
    corpus.add("tls12_key_exchange", "cke-rsa-round-trip", CKE | 2, &cke);
    corpus.add("tls12_key_exchange", "cke-rsa-flipped", CKE | 2 | 4, &cke);

    let counting = |n: u8| (0..n).collect::<Vec<u8>>();
    let vec8 = |body: &[u8]| [&[body.len() as u8][..], body].concat();
    let vec16 = |body: &[u8]| [&(body.len() as u16).to_be_bytes()[..], body].concat();
    // ECDHE public values: x25519, and an explicit curve (curve_type 1,
    // refused) instead of a named one (3).
    let x25519 = vec8(&counting(33)[1..]);
    corpus.add("tls12_key_exchange", "cke-ecdhe", CKE, &x25519);
    let explicit = [&[1, 0, 0x1d][..], &x25519].concat();
    corpus.add("tls12_key_exchange", "ske-explicit-curve", SKE, &explicit);
    let x25519_ecdsa = [&[3, 0, 0x1d][..], &x25519, &[4, 3], &vec16(&counting(64))].concat();
    corpus.add("tls12_key_exchange", "ske-x25519-ecdsa", SKE, &x25519_ecdsa);
    let p256 = vec8(&[&[4][..], &counting(64)].concat());
    let p256_pss = [&[3, 0, 0x17][..], &p256, &[8, 4], &vec16(&[0; 256])].concat();
    corpus.add("tls12_key_exchange", "ske-p256-pss", SKE, &p256_pss);
    let every_byte: Vec<u8> = (0..=255).collect();
    corpus.add("tls12_key_exchange", "cke-rsa", CKE, &vec16(&every_byte));
}

/// `pem` seeds: the key and certificate files of `testdata` (every format
/// the loaders read, and the encrypted, too-small and incomplete ones they
/// refuse), a chain with its key as certbot writes them, and DER keys.
fn add_pem_seeds(corpus: &mut Corpus) {
    let testdata = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata")
                .join(name),
        )
        .unwrap()
    };
    let files = [
        "ed25519.pem",
        "p256.pem",
        "p256.sec1.pem",
        "p256.sec1-nopub.pem",
        "p256.encrypted.pem",
        "p384.pem",
        "rsa2048.pem",
        "rsa2048.pkcs1.pem",
        "rsa1024.pem",
        "pss-root.pem",
        "fuzz/root.pem",
        "realworld/letsencrypt-chain.pem",
    ];
    for name in files {
        let seed = name.trim_end_matches(".pem").replace('/', "-");
        corpus.add_input("pem", &seed, testdata(name));
    }
    let full_chain = [testdata("fuzz/leaf.pem"), testdata("fuzz/root.pem")].concat();
    corpus.add_input("pem", "fullchain", full_chain.clone());
    corpus.add_input(
        "pem",
        "fullchain-and-key",
        [full_chain, testdata("ed25519.pem")].concat(),
    );
    let rsa = testdata("rsa2048.pem");
    corpus.add_input("pem", "rsa2048-truncated", rsa[..rsa.len() / 2].to_vec());
    for name in ["p256.pem", "p256.sec1.pem", "rsa2048.pkcs1.pem"] {
        let der = x509_parser::pem::Pem::iter_from_buffer(&testdata(name))
            .next()
            .unwrap()
            .unwrap()
            .contents;
        let seed = format!("{}-der", name.trim_end_matches(".pem"));
        corpus.add_input("pem", &seed, der);
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Client => "client",
        Side::Server => "server",
    }
}

/// Record-layer seeds: the server's and client's messages in plaintext
/// records, fragmented, and sealed under the key the `record` target's
/// protected passes use, plus padding and malformed records.
fn add_record_seeds(corpus: &mut Corpus, full: &Trace) {
    let server = full.messages_of(Side::Server).concat();
    let client = full.messages_of(Side::Client).concat();
    let plaintext = |data: &[u8], fragment: usize| {
        let mut wire = Vec::new();
        write_plaintext_records(
            ProtocolVersion::TLS12,
            ContentType::HANDSHAKE,
            data,
            fragment,
            &mut wire,
        )
        .unwrap();
        wire
    };
    corpus.add(
        "record",
        "server-messages-plaintext",
        WHOLE,
        &plaintext(&server, MAX_PLAINTEXT),
    );
    corpus.add(
        "record",
        "server-messages-fragmented",
        1,
        &plaintext(&server, 7),
    );
    corpus.add(
        "record",
        "client-messages-plaintext",
        3,
        &plaintext(&client, MAX_PLAINTEXT),
    );

    let mut encrypter = RecordEncrypter::Tls13(
        Tls13Encrypter::new(
            AeadAlgorithm::Aes128Gcm,
            &fuzzing::RECORD_KEY,
            &fuzzing::RECORD_IV,
        )
        .unwrap(),
    );
    let mut sealed = Vec::new();
    for (typ, data) in [
        (ContentType::HANDSHAKE, &server[..]),
        (ContentType::APPLICATION_DATA, b"GET / HTTP/1.1\r\n\r\n"),
        (ContentType::APPLICATION_DATA, b""),
        (ContentType::HANDSHAKE, &[24, 0, 0, 1, 1]), // KeyUpdate, update_requested
        (ContentType::ALERT, &[1, 0]),               // close_notify
    ] {
        encrypter
            .write_records(typ, data, MAX_PLAINTEXT, &mut sealed)
            .unwrap();
    }
    corpus.add(
        "record",
        "sealed-flight-data-key-update-close",
        WHOLE,
        &sealed,
    );

    // Records whose header type is 0: the protected pass seals `body || 0`,
    // so the body's last non-zero byte becomes the inner type and the zeros
    // after it padding.
    let finished = full
        .messages_of(Side::Server)
        .into_iter()
        .find(|m| m[0] == HandshakeType::FINISHED.0)
        .unwrap();
    let mut padded = Vec::new();
    for body in [
        [&finished[..], &[22, 0, 0, 0]].concat(),
        b"data\x17\x00\x00".to_vec(),
        vec![0; 40],
    ] {
        raw_record(&mut padded, 0, 0x0303, &body);
    }
    corpus.add("record", "inner-plaintext-padding", WHOLE, &padded);

    let mut empties = Vec::new();
    for _ in 0..33 {
        raw_record(&mut empties, 23, 0x0303, &[]);
    }
    corpus.add("record", "empty-application-data-run", WHOLE, &empties);

    let mut alerts = Vec::new();
    raw_record(&mut alerts, 21, 0x0303, &[1, 0]);
    raw_record(&mut alerts, 21, 0x0303, &[2, 40]);
    corpus.add("record", "alerts", WHOLE, &alerts);

    let mut interleaved = Vec::new();
    raw_record(&mut interleaved, 22, 0x0303, &finished[..6]);
    raw_record(&mut interleaved, 20, 0x0303, &[1]);
    raw_record(&mut interleaved, 22, 0x0303, &finished[6..]);
    corpus.add(
        "record",
        "interleaved-change-cipher-spec",
        WHOLE,
        &interleaved,
    );

    let mut bad = Vec::new();
    raw_record(&mut bad, 22, 0x0403, &[1]);
    corpus.add("record", "bad-record-version", WHOLE, &bad);
    // A header declaring 2^14 + 1 bytes is refused before its body arrives.
    corpus.add("record", "record-overflow", WHOLE, &[22, 3, 3, 0x40, 0x01]);
    let mut bad = Vec::new();
    raw_record(&mut bad, 24, 0x0303, &[0]);
    corpus.add("record", "unknown-content-type", WHOLE, &bad);
    let mut bad = Vec::new();
    raw_record(&mut bad, 22, 0x0303, &[]);
    corpus.add("record", "empty-handshake-record", WHOLE, &bad);
    // An EncryptedExtensions header declaring 64 KiB + 1, over the joiner's bound.
    let mut bad = Vec::new();
    raw_record(&mut bad, 22, 0x0303, &[8, 0x01, 0x00, 0x01]);
    corpus.add("record", "oversized-handshake-message", WHOLE, &bad);
}

/// Appends a record with any header, checked by nothing.
fn raw_record(out: &mut Vec<u8>, typ: u8, version: u16, body: &[u8]) {
    let mut w = Writer::new(out);
    w.u8(typ);
    w.u16(version);
    w.vec16(|w| w.bytes(body));
}

/// The handshake messages of RFC 8448 (all its traces), its ClientHellos
/// for the client_hello target, and its clients' first ClientHello records
/// for the server target.
fn add_rfc8448_seeds(corpus: &mut Corpus) {
    const MESSAGES: [&str; 9] = [
        "ClientHello",
        "ServerHello",
        "EncryptedExtensions",
        "CertificateRequest",
        "Certificate",
        "CertificateVerify",
        "Finished",
        "NewSessionTicket",
        "EndOfEarlyData",
    ];
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rfc8448.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let (mut messages, mut hellos) = (0, 0);
    while let Some(line) = lines.next() {
        // "      ClientHello (196 octets):  01 00 00 c0 03 03 cb 34 ..."
        let Some((label, rest)) = line.trim().split_once(" (") else {
            continue;
        };
        let Some((Ok(len), first)) = rest
            .split_once(" octets):")
            .map(|(len, first)| (len.parse::<usize>(), first))
        else {
            continue;
        };
        // Empty values read "(0 octets):  (empty)".
        let mut bytes = hex_line(first).unwrap_or_default();
        while bytes.len() < len {
            // Page footers and headers are not hex: skip them.
            bytes.extend(hex_line(lines.next().unwrap()).unwrap_or_default());
        }
        assert_eq!(bytes.len(), len, "{label}");
        if MESSAGES.contains(&label) {
            messages += 1;
            corpus.add_message(&format!("rfc8448-{messages:02}-{label}"), &bytes);
            // One of them is printed before its PSK binders are filled in,
            // and is a truncated message.
            let decodes = HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, &bytes[4..]);
            if label == "ClientHello" && decodes.is_ok() {
                add_client_hello(corpus, &format!("rfc8448-{messages:02}"), &bytes, None);
            }
        } else if label == "complete record" && bytes.starts_with(&[22, 3, 1]) {
            hellos += 1;
            corpus.add(
                "server",
                &format!("rfc8448-client-hello-{hellos}"),
                WHOLE_STREAM,
                &bytes,
            );
        }
    }
    assert!(
        messages > 20 && hellos > 0,
        "{messages} messages, {hellos} hellos"
    );
}

/// Parses a line of space-separated hex octets; `None` if it is anything else.
fn hex_line(line: &str) -> Option<Vec<u8>> {
    line.split_whitespace()
        .map(|token| match token.len() {
            2 => u8::from_str_radix(token, 16).ok(),
            _ => None,
        })
        .collect()
}

/// Hand-made messages: GREASE in every list a ClientHello has, the hello
/// shapes the codec special-cases, and malformed bodies.
fn add_message_variants(corpus: &mut Corpus, full: &Trace) {
    let client_hello = full.messages_of(Side::Client)[0].clone();
    let body = &client_hello[4..];
    let Ok(HandshakeMessage::ClientHello(mut hello)) =
        HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, body)
    else {
        panic!("the recorded ClientHello does not decode");
    };

    // RFC 8701: GREASE values must survive as unknown values.
    let mut grease = hello.clone();
    grease.cipher_suites.insert(0, CipherSuite(0x0a0a));
    for extension in &mut grease.extensions {
        match extension {
            Extension::SupportedGroups(groups) => groups.insert(0, NamedGroup(0x1a1a)),
            Extension::SupportedVersionsClientHello(versions) => {
                versions.insert(0, ProtocolVersion(0x2a2a))
            }
            Extension::KeyShareClientHello(shares) => shares.insert(
                0,
                KeyShareEntry {
                    group: NamedGroup(0x1a1a),
                    key_exchange: vec![0],
                },
            ),
            Extension::SignatureAlgorithms(schemes) => schemes.insert(0, SignatureScheme(0x3a3a)),
            Extension::Alpn(protocols) => protocols.insert(0, vec![0x4a, 0x4a]),
            _ => {}
        }
    }
    grease
        .extensions
        .insert(0, Extension::Unknown(ExtensionType(0x5a5a), Vec::new()));
    grease
        .extensions
        .push(Extension::Unknown(ExtensionType(0x6a6a), vec![0]));
    let grease = encode(HandshakeMessage::ClientHello(grease));
    corpus.add_message("grease-client-hello", &grease);
    add_client_hello(corpus, "grease", &grease, None);

    // The duplicate extension the codec must refuse.
    let mut duplicate = hello.clone();
    duplicate.extensions.push(duplicate.extensions[0].clone());
    corpus.add_message(
        "client-hello-duplicate-extension",
        &encode(HandshakeMessage::ClientHello(duplicate)),
    );

    // TLS 1.2-style hellos without an extension block, and the one shape that
    // does not round-trip byte for byte: an explicit empty block.
    hello.extensions.clear();
    let bare = encode(HandshakeMessage::ClientHello(hello));
    corpus.add_message("client-hello-no-extensions", &bare);
    corpus.add_message(
        "client-hello-empty-extension-block",
        &with_body_suffix(&bare, &[0, 0]),
    );
    let server_hello = full.messages_of(Side::Server)[0].clone();
    let Ok(HandshakeMessage::ServerHello(mut server_hello)) =
        HandshakeMessage::decode(HandshakeType::SERVER_HELLO, &server_hello[4..])
    else {
        panic!("the recorded ServerHello does not decode");
    };
    server_hello.extensions.clear();
    let bare = encode(HandshakeMessage::ServerHello(server_hello));
    corpus.add_message(
        "server-hello-empty-extension-block",
        &with_body_suffix(&bare, &[0, 0]),
    );

    corpus.add_message(
        "client-hello-truncated",
        &client_hello[..client_hello.len() / 2],
    );
    corpus.add_message(
        "client-hello-trailing-byte",
        &with_body_suffix(&client_hello, &[0]),
    );
    corpus.add_message("key-update-not-requested", &[24, 0, 0, 1, 0]);
    corpus.add_message("key-update-illegal-value", &[24, 0, 0, 1, 2]);
    corpus.add_message("end-of-early-data", &[5, 0, 0, 0]);
    corpus.add_message("end-of-early-data-with-body", &[5, 0, 0, 1, 0]);
    corpus.add_message("finished-empty", &[20, 0, 0, 0]);
    corpus.add_message("certificate-empty-list", &[11, 0, 0, 4, 0, 0, 0, 0]);
    corpus.add_message("unknown-type", &[0x7f, 0, 0, 2, 1, 2]);
    // handshake_message also decodes its whole input as an alert.
    corpus.add_message("alert-shaped", &[2, 0, 0, 1, 40]);
}

fn encode(message: HandshakeMessage) -> Vec<u8> {
    let mut out = Vec::new();
    message.encode(&mut out).unwrap();
    out
}

/// Appends `suffix` to a whole message's body, fixing its length.
fn with_body_suffix(message: &[u8], suffix: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out);
    w.u8(message[0]);
    w.vec24(|w| {
        w.bytes(&message[4..]);
        w.bytes(suffix);
    });
    out
}

/// The files to write, by target; identical contents are written once.
#[derive(Default)]
struct Corpus {
    files: BTreeMap<&'static str, BTreeMap<Vec<u8>, String>>,
}

impl Corpus {
    /// An input that starts with a control byte: the byte, then `bytes`.
    fn add(&mut self, target: &'static str, name: &str, control: u8, bytes: &[u8]) {
        self.add_input(target, name, [&[control][..], bytes].concat());
    }

    /// A whole input as the target reads it.
    fn add_input(&mut self, target: &'static str, name: &str, data: Vec<u8>) {
        assert!(
            data.len() < 20_000,
            "{target}/{name} is {} bytes",
            data.len()
        );
        let files = self.files.entry(target).or_default();
        files.entry(data).or_insert_with(|| format!("seed-{name}"));
    }

    /// A `handshake_message` input from a whole message: its type, then its
    /// body (the 24-bit length is left out: the target adds it).
    fn add_message(&mut self, name: &str, message: &[u8]) {
        let (typ, body) = (message[0], message.get(4..).unwrap_or_default());
        self.add("handshake_message", name, typ, body);
    }

    fn write(self) {
        for target in TARGETS {
            let dir = corpus_dir(target);
            std::fs::create_dir_all(&dir).unwrap();
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with("seed-") {
                    std::fs::remove_file(&path).unwrap();
                }
            }
            let files = self.files.get(target);
            assert!(files.is_some(), "no seeds for {target}");
            for (data, name) in files.into_iter().flatten() {
                std::fs::write(dir.join(name), data).unwrap();
            }
        }
    }
}

/// What each side sent in one in-memory connection.
#[derive(Debug, Default)]
struct Trace {
    /// The raw TLS bytes of each flight, in order.
    flights: Vec<(Side, Vec<u8>)>,
    /// Every handshake message sent (as the client saw them), encoded with its 4-byte header.
    messages: Vec<(Side, Vec<u8>)>,
    /// Whether the handshake resumed a session.
    resumed: bool,
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<(Side, Vec<u8>)>>);

impl Observer for Recorder {
    fn on_event(&self, side: Side, event: &Event<'_>) {
        // Installed on the client only, so what it receives is what the
        // server sent.
        let (sender, message) = match (event, side) {
            (Event::Sent(message), side) => (side, message),
            (Event::Received(message), Side::Client) => (Side::Server, message),
            (Event::Received(message), Side::Server) => (Side::Client, message),
            _ => return,
        };
        let mut encoded = Vec::new();
        message.encode(&mut encoded).unwrap();
        self.0.lock().unwrap().push((sender, encoded));
    }
}

/// Accepts every client certificate and signature.
#[derive(Debug)]
struct AcceptAnything;

impl ClientCertVerifier for AcceptAnything {
    fn verify_client_cert(
        &self,
        _: &[u8],
        _: &[Vec<u8>],
        _: SystemTime,
    ) -> Result<(), CertificateError> {
        Ok(())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &[u8],
        _: SignatureScheme,
        _: &[u8],
    ) -> Result<(), Error> {
        Ok(())
    }
}

impl Trace {
    /// Runs a connection to its end: the handshake, application data both
    /// ways, in TLS 1.3 a KeyUpdate the client asks the server to answer,
    /// and close_notify both ways.
    fn run(client: ClientConfigBuilder, server: ServerConfigBuilder) -> Trace {
        Trace::run_with_early_data(client, server, &[])
    }

    /// [`Trace::run`], with the client first writing `early` as 0-RTT data
    /// if it is not empty.
    fn run_with_early_data(
        client: ClientConfigBuilder,
        server: ServerConfigBuilder,
        early: &[u8],
    ) -> Trace {
        let recorder = Arc::new(Recorder::default());
        let client = Arc::new(client.observer(recorder.clone()).build().unwrap());
        let mut c = ClientConnection::new(client, fuzzing::SERVER_NAME).unwrap();
        if !early.is_empty() {
            assert_eq!(c.write_early_data(early).unwrap(), early.len());
        }
        let mut s = ServerConnection::new(Arc::new(server.build().unwrap()));

        let mut trace = Trace::default();
        for _ in 0..10 {
            if !c.is_handshaking() && !s.is_handshaking() && !c.wants_write() && !s.wants_write() {
                break;
            }
            trace.flight(Side::Client, &mut c, &mut s);
            trace.flight(Side::Server, &mut s, &mut c);
        }
        assert!(!c.is_handshaking() && !s.is_handshaking());
        trace.resumed = c.negotiated().resumed;

        c.write_plaintext(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .unwrap();
        trace.flight(Side::Client, &mut c, &mut s);
        s.write_plaintext(b"HTTP/1.1 200 OK\r\n\r\nhello").unwrap();
        trace.flight(Side::Server, &mut s, &mut c);
        if c.negotiated().version == Some(ProtocolVersion::TLS13) {
            c.update_keys(true).unwrap();
            trace.flight(Side::Client, &mut c, &mut s);
            trace.flight(Side::Server, &mut s, &mut c);
        }
        c.send_close_notify();
        trace.flight(Side::Client, &mut c, &mut s);
        s.send_close_notify();
        trace.flight(Side::Server, &mut s, &mut c);
        trace.messages = std::mem::take(&mut *recorder.0.lock().unwrap());
        trace
    }

    /// Moves what `from` has queued to `to` and records it.
    fn flight(&mut self, side: Side, from: &mut Connection, to: &mut Connection) {
        let bytes = from.take_tls();
        if bytes.is_empty() {
            return;
        }
        let mut offset = 0;
        while offset < bytes.len() {
            offset += to.read_tls_bytes(&bytes[offset..]).unwrap();
            to.process().unwrap();
        }
        self.flights.push((side, bytes));
    }

    fn flights_of(&self, side: Side) -> Vec<Vec<u8>> {
        let of_side = self.flights.iter().filter(|(s, _)| *s == side);
        of_side.map(|(_, bytes)| bytes.clone()).collect()
    }

    fn messages_of(&self, side: Side) -> Vec<Vec<u8>> {
        let of_side = self.messages.iter().filter(|(s, _)| *s == side);
        of_side.map(|(_, bytes)| bytes.clone()).collect()
    }

    fn messages_of_type(&self, side: Side, typ: HandshakeType) -> Vec<Vec<u8>> {
        let messages = self.messages_of(side).into_iter();
        messages.filter(|m| m[0] == typ.0).collect()
    }
}

/// Every OCSP response OpenSSL made for testdata/ocsp (good, delegated,
/// revoked, unknown, expired, unauthorized signers, tryLater).
fn add_ocsp_seeds(corpus: &mut Corpus) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/ocsp");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "der"))
        .collect();
    names.sort();
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        corpus.add_input("ocsp", &name, std::fs::read(&path).unwrap());
    }
}

fn add_x509_seeds(corpus: &mut Corpus) {
    let load = |name: &str| {
        keyway::pki::load_certs_pem_file(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata")
                .join(name),
        )
        .unwrap()
    };
    let frame = |certs: &[Vec<u8>]| {
        let mut out = Vec::new();
        for cert in certs {
            out.extend_from_slice(&u16::try_from(cert.len()).unwrap().to_be_bytes());
            out.extend_from_slice(cert);
        }
        out
    };
    let google = [
        load("realworld/google-leaf.pem"),
        load("realworld/google-gts-root-r1.pem"),
        load("realworld/google-gts-ca-1c3.pem"),
    ]
    .concat();
    // Name bits 01 would be www.example.com; the Google chain uses time 1.
    corpus.add("x509", "google", 0b0001_0000, &frame(&google));
    let le = [
        load("realworld/letsencrypt-leaf.pem"),
        load("realworld/dst-root-ca-x3.pem"),
        load("realworld/letsencrypt-chain.pem"),
        load("realworld/isrg-root-x1.pem"),
    ]
    .concat();
    corpus.add("x509", "letsencrypt-cross", 0b0010_0000, &frame(&le));
    corpus.add("x509", "letsencrypt-trust-all", 0b0010_0100, &frame(&le));
    let v1 = [
        load("pki/v1-inter-leaf.pem"),
        load("pki/v1-root.pem"),
        load("pki/v1-inter.pem"),
    ]
    .concat();
    corpus.add("x509", "v1-intermediate", 0, &frame(&v1));
    let pss = [load("pss-leaf.pem"), load("pss-root.pem")].concat();
    corpus.add("x509", "pss-anchor-as-leaf", 0b0000_0101, &frame(&pss));
    let mut truncated = frame(&google);
    truncated.truncate(truncated.len() / 2);
    corpus.add("x509", "google-truncated", 0b0001_0000, &truncated);
    let mut flipped = frame(&google);
    if let Some(byte) = flipped.get_mut(400) {
        *byte ^= 0x80;
    }
    corpus.add("x509", "google-flipped", 0b0001_0000, &flipped);
    corpus.add("x509", "empty", 0, &[]);
}
