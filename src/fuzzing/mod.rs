//! The shared bodies of the fuzz targets in `fuzz/` and of the corpus replay
//! in `tests/fuzz_corpus.rs`. This is not a public API: it is exported only so
//! that those two crates can reach it, and it may change at any time.
//!
//! Every function here takes arbitrary bytes and must return normally for any
//! input: errors from the library are expected and simply end the run. They
//! do `assert!` properties that a correct library guarantees whatever the
//! input (a decoded message encodes back to the bytes it came from, the
//! deframer frames exactly the records a straightforward reading of RFC 8446,
//! Section 5 finds, a sealed record opens to what was sealed), because a
//! broken property is a bug the fuzzer should report, just like a panic.
//!
//! | target | function | drives |
//! | --- | --- | --- |
//! | `record` | [`record`] | deframer, handshake joiner, TLS 1.3 record protection |
//! | `handshake_message` | [`handshake_message`] | the message codec, TLS 1.3 and TLS 1.2 |
//! | `client_hello` | `client_hello` (feature `arbitrary`) | the server's ClientHello processing, from a ClientHello built field by field |
//! | `server` | [`server`] | a whole TLS 1.3 and TLS 1.2 server connection |
//! | `client` | [`client`] | a whole TLS 1.3 and TLS 1.2 client connection |
//! | `x509` | [`x509`] | certificate parsing and path building |
//! | `pem` | [`pem`] | certificate, private key and root store loading |
//! | `tls12_key_exchange` | [`tls12_key_exchange`] | TLS 1.2 key exchange bodies; with `rsa-kx`, the server's RSA decryption |
//! | `ocsp` | [`ocsp`] | stapled OCSP responses: parsing and every check a client makes |
//!
//! The first byte of a `record`, `server` or `client` input is a control byte
//! that sets how the rest is cut into pieces before it is handed over, so the
//! same bytes are tried whole, byte by byte, and split at every size in
//! between.

#[cfg(feature = "arbitrary")]
mod client_hello;
mod connection;

#[cfg(feature = "arbitrary")]
pub use client_hello::*;
pub use connection::*;

use crate::codec::messages::{Alert, HandshakeMessage};
use crate::codec::{ContentType, HandshakeType, Writer};
use crate::crypto::sign::SigningKey;
use crate::crypto::{AeadAlgorithm, Rng};
use crate::error::Error;
use crate::record::{
    Deframer, HandshakeJoiner, PlainRecord, RecordDecrypter, Tls13Decrypter, Tls13Encrypter,
    HEADER_LEN, MAX_PLAINTEXT,
};

/// The traffic key of the protected passes of [`record`]: AES-128-GCM.
pub const RECORD_KEY: [u8; 16] = [0x42; 16];

/// The write IV of the protected passes of [`record`].
pub const RECORD_IV: [u8; 12] = [7; 12];

/// Feeds `data[1..]` to a record [`Deframer`] and everything it frames on to
/// a [`HandshakeJoiner`] and the message codec, three times:
///
/// 1. as plaintext records (before keys are installed), checking every record
///    and every refusal against a reference reading of RFC 8446, Section 5.1;
/// 2. as the same bytes under TLS 1.3 protection with [`RECORD_KEY`] and
///    [`RECORD_IV`], which exercises the length checks and the authentication
///    failure (and, for inputs sealed under that key, everything after it);
/// 3. with each record's body and type sealed under that key as a
///    `TLSInnerPlaintext` (body, then the type byte), checking that each opens
///    to what RFC 8446, Section 5.4 says it holds. A type byte of 0 counts as
///    padding, so the fuzzer controls the inner type, the padding and the
///    content of protected records even though it cannot forge tags.
///
/// `data[0]` sets the size of the pieces the input is pushed in (see
/// [`piece_len`]). Each pass stops at its first error.
pub fn record(data: &[u8]) {
    let Some((&control, wire)) = data.split_first() else {
        return;
    };
    let piece = piece_len(control);

    receive_expecting(
        wire,
        piece,
        RecordDecrypter::None,
        &plaintext_reference(wire),
    );
    receive(wire, piece, record_decrypter(), |_| {});
    let (sealed, expected) = sealed_reference(wire);
    receive_expecting(&sealed, piece, record_decrypter(), &expected);
}

/// Most certificates one [`x509`] input is cut into.
pub const X509_MAX_CHUNKS: usize = 12;

/// Parses certificates and builds paths from arbitrary bytes.
///
/// `data[1..]` is cut into chunks, each a 2-byte big-endian length and that
/// many bytes (a last chunk shorter than its length takes what is left), at
/// most [`X509_MAX_CHUNKS`]. Chunk 0 is the end entity, chunk 1 the trust
/// anchor, the rest the intermediates the peer sent. Every chunk is also
/// tried as a trust anchor and as a PEM bundle.
///
/// `data[0]` picks the options: bit 0 allows an anchor as the leaf, bit 1
/// verifies a client instead of a server, bit 2 trusts every chunk that
/// parses (so hostile chains reach the whole-path checks: name constraints,
/// revocation), bit 3 passes chunk 1 as a CRL with a deny policy instead,
/// bits 4-5 pick the verification time (2026-06-01, 2023-02-28, 2023-06-01,
/// 1970), bits 6-7 the name (example.com, a wildcard-shaped name, an IPv4
/// and an IPv6 address).
///
/// Properties checked: nothing panics, and a verified path starts at the end
/// entity and holds only certificates that were given.
pub fn x509(data: &[u8]) {
    use std::time::{Duration, UNIX_EPOCH};

    use crate::pki::{
        verify_client_chain, verify_server_chain, RootStore, ServerName, TrustAnchor,
        UnknownStatusPolicy, VerifyOptions,
    };

    let Some((&control, mut rest)) = data.split_first() else {
        return;
    };
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    while !rest.is_empty() && chunks.len() < X509_MAX_CHUNKS {
        let (len, body) = match rest {
            [hi, lo, body @ ..] => (usize::from(*hi) << 8 | usize::from(*lo), body),
            _ => break,
        };
        let take = len.min(body.len());
        let (chunk, tail) = body.split_at(take);
        chunks.push(chunk.to_vec());
        rest = tail;
    }
    let mut all = RootStore::new();
    for chunk in &chunks {
        if let Ok(anchor) = TrustAnchor::from_der(chunk) {
            all.add(anchor);
        }
        let _ = RootStore::from_pem(chunk);
    }
    let Some((leaf, others)) = chunks.split_first() else {
        return;
    };
    let (anchor, intermediates) = match others.split_first() {
        Some((anchor, intermediates)) => (Some(anchor), intermediates),
        None => (None, others),
    };
    let with_crl = control & 8 != 0;
    let mut roots = RootStore::new();
    if let Some(anchor) = anchor.filter(|_| !with_crl) {
        let _ = roots.add_der(anchor);
    }
    if control & 4 != 0 {
        roots = all;
    }
    let time = match control >> 4 & 3 {
        0 => 1_780_272_000,
        1 => 1_677_615_892,
        2 => 1_685_577_600,
        _ => 0,
    };
    let options = VerifyOptions {
        time: Some(UNIX_EPOCH + Duration::from_secs(time)),
        allow_anchor_as_leaf: control & 1 != 0,
        crls: anchor.filter(|_| with_crl).cloned().into_iter().collect(),
        unknown_revocation_status: if with_crl {
            UnknownStatusPolicy::Deny
        } else {
            UnknownStatusPolicy::Allow
        },
        ..VerifyOptions::default()
    };
    let name = match control >> 6 {
        0 => "example.com",
        1 => "www.example.com",
        2 => "192.0.2.7",
        _ => "2001:db8::1",
    };
    let Ok(name) = ServerName::try_from(name) else {
        return;
    };
    let result = if control & 2 != 0 {
        verify_client_chain(&roots, leaf, intermediates, &options)
    } else {
        verify_server_chain(&roots, leaf, intermediates, &name, &options)
    };
    if let Ok(path) = result {
        let mut certificates = path.certificates();
        assert_eq!(
            certificates.next(),
            Some(leaf.as_slice()),
            "path must start at the leaf"
        );
        for cert in certificates {
            assert!(
                intermediates.iter().any(|i| i.as_slice() == cert),
                "path holds a certificate that was not sent"
            );
        }
        let _ = path.to_string();
    }
}

/// Parses `data` as a stapled OCSP response and checks it as a client would
/// for the leaf of `testdata/ocsp` (ocsp.test, issued by its CA) at
/// 2030-01-01T00:00:00Z, with its `Display` too.
///
/// Properties checked: nothing panics, and an accepted response holds a
/// "good" SingleResponse for the leaf's serial number.
pub fn ocsp(data: &[u8]) {
    use std::time::{Duration, UNIX_EPOCH};

    use crate::pki::ocsp::{CertStatus, Issuer, OcspResponse};
    let Ok(response) = OcspResponse::parse(data) else {
        return;
    };
    let _ = response.to_string();
    let ca = pem_certificate(include_bytes!("../../testdata/ocsp/ca.pem"));
    let leaf = pem_certificate(include_bytes!("../../testdata/ocsp/leaf.pem"));
    let Ok((_, ca_x509)) = x509_parser::parse_x509_certificate(&ca) else {
        panic!("testdata/ocsp/ca.pem does not parse");
    };
    let issuer = Issuer {
        subject: ca_x509.subject().as_raw(),
        spki: ca_x509.public_key().raw,
        label: "the OCSP test CA".into(),
    };
    let time = UNIX_EPOCH + Duration::from_secs(1_893_456_000);
    if let Ok(single) = response.check_for(&leaf, &issuer, time) {
        assert_eq!(single.status, CertStatus::Good);
        assert_eq!(single.serial(), [0x10, 0x01]);
    }
}

/// The one certificate of a PEM file compiled in.
fn pem_certificate(pem: &[u8]) -> Vec<u8> {
    match crate::pki::pem::load_certs_pem(pem, "testdata").map(|mut c| c.pop()) {
        Ok(Some(der)) => der,
        _ => panic!("a compiled-in test certificate does not load"),
    }
}

/// Decodes `data[1..]` as the body of a handshake message of type `data[0]`
/// and, when it decodes, checks that it encodes back to the same bytes. Also
/// decodes `data` as an alert.
pub fn handshake_message(data: &[u8]) {
    if let Ok(alert) = Alert::decode(data) {
        assert_eq!(alert.encode(), data, "alert did not round-trip");
    }
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    decode_handshake_message(HandshakeType(typ), body, HandshakeMessage::decode);
    decode_handshake_message(HandshakeType(typ), body, HandshakeMessage::decode_tls12);
}

/// Decodes TLS 1.2 key exchange bodies: `data[0]` bit 0 picks
/// ServerKeyExchange (ECDHE parameters and signature) or ClientKeyExchange
/// (ECDHE public value, RSA-encrypted pre-master secret); `data[1..]` is the
/// body. Properties: nothing panics, and whatever parses re-encodes to the
/// same bytes (with the signed ECDHE params a prefix of the body).
///
/// With the `rsa-kx` feature a ClientKeyExchange also goes through the
/// server's RSA decryption (see [`rsa_pre_master`]).
pub fn tls12_key_exchange(data: &[u8]) {
    use crate::codec::messages::{ClientKeyExchange, ServerKeyExchange};
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    if control & 1 == 0 {
        let ske = ServerKeyExchange {
            body: body.to_vec(),
        };
        if let Ok(params) = ske.ecdhe() {
            assert!(
                body.starts_with(&params.params),
                "signed params are not the body's prefix"
            );
            assert_eq!(
                ServerKeyExchange::from_ecdhe(&params).map(|ske| ske.body),
                Ok(body.to_vec()),
                "ServerKeyExchange did not round-trip"
            );
        }
    } else {
        let cke = ClientKeyExchange {
            body: body.to_vec(),
        };
        if let Ok(public) = cke.ecdhe_public() {
            assert_eq!(
                ClientKeyExchange::from_ecdhe_public(public).map(|cke| cke.body),
                Ok(body.to_vec()),
                "ECDHE ClientKeyExchange did not round-trip"
            );
        }
        if let Ok(encrypted) = cke.rsa_encrypted_pre_master() {
            assert_eq!(
                ClientKeyExchange::from_rsa_encrypted_pre_master(encrypted).map(|cke| cke.body),
                Ok(body.to_vec()),
                "RSA ClientKeyExchange did not round-trip"
            );
        }
        #[cfg(feature = "rsa-kx")]
        rsa_pre_master(control, &cke);
    }
}

/// Runs the server's RSA pre-master decryption (RFC 5246, Section 7.4.7.1)
/// with the fixed key of [`rsa_certified_key`] on `cke`, whatever it holds.
///
/// Properties: a ciphertext as long as the modulus always yields a 48-byte
/// pre-master secret (never an error that would tell good padding from bad,
/// see `handshake::rsa_kx`); any other length is refused. With `control` bit
/// 1 set, the body's first 46 bytes are also encrypted as a client would
/// (with `control` bit 2 set, the ciphertext byte at the position the body's
/// 47th byte gives is then flipped), and the server must decrypt exactly that
/// pre-master secret back (flipped: some 48 bytes).
#[cfg(feature = "rsa-kx")]
pub fn rsa_pre_master(control: u8, cke: &crate::codec::messages::ClientKeyExchange) {
    use std::sync::OnceLock;

    use crate::codec::messages::ClientKeyExchange;
    use crate::handshake::rsa_kx::{client_encrypt, server_decrypt, RsaDecryptionKey};

    static KEY: OnceLock<(RsaDecryptionKey, Vec<u8>)> = OnceLock::new();
    let (key, leaf) = KEY.get_or_init(|| {
        let certified = rsa_certified_key();
        let der = certified.key.rsa_pkcs1_der().unwrap_or_default();
        match RsaDecryptionKey::from_pkcs1_der(der) {
            Ok(key) => (key, certified.chain.into_iter().next().unwrap_or_default()),
            Err(e) => panic!("the fuzzing RSA key was refused: {e}"),
        }
    });
    let modulus_len = |cke: &ClientKeyExchange| {
        cke.rsa_encrypted_pre_master()
            .is_ok_and(|c| c.len() == 2048 / 8)
    };
    match server_decrypt(key, cke, &mut fixed_rng(Vec::new())) {
        Ok(pre_master) => assert_eq!(pre_master.len(), 48, "pre-master secret length"),
        Err(e) => assert!(
            !modulus_len(cke),
            "a full-length ciphertext was refused: {e}"
        ),
    }
    if control & 2 == 0 {
        return;
    }
    let random = cke.body.iter().copied().chain([0; 46]).take(46).collect();
    let (mut ciphertext, sent) = match client_encrypt(leaf, &mut fixed_rng(vec![random])) {
        Ok(encrypted) => encrypted,
        Err(e) => panic!("encrypting to the fuzzing RSA key failed: {e}"),
    };
    let flip = control & 4 != 0;
    let position = cke.body.get(46).map_or(0, |&b| usize::from(b));
    if let (true, Some(byte)) = (flip, ciphertext.get_mut(position)) {
        *byte ^= 0x80;
    }
    let cke = match ClientKeyExchange::from_rsa_encrypted_pre_master(&ciphertext) {
        Ok(cke) => cke,
        Err(e) => panic!("a client's ciphertext does not encode: {e}"),
    };
    match server_decrypt(key, &cke, &mut fixed_rng(Vec::new())) {
        Ok(got) if !flip => assert_eq!(got, sent, "the server decrypted another secret"),
        Ok(got) => assert_eq!(got.len(), 48, "pre-master secret length"),
        Err(e) => panic!("a client's ciphertext was refused: {e}"),
    }
}

/// A generator that hands out `values` (each only to a request of its
/// length), then the byte 0x42.
fn fixed_rng(values: Vec<Vec<u8>>) -> Rng {
    Rng::Fixed {
        sequence: values.into(),
        fallback: 0x42,
    }
}

/// Loads `data` as everything keyway reads from PEM files: a certificate
/// chain, a root store, a private key; and as a DER private key.
///
/// Properties: nothing panics; a chain that loads loads again, the same, from
/// the PEM [`pem_encode`] writes for it; a root store loads exactly when the
/// chain does and holds only its certificates; and a key that loads signs
/// with its first signature scheme.
pub fn pem(data: &[u8]) {
    use crate::pki::pem::{load_certs_pem, load_private_key_pem};
    use crate::pki::RootStore;

    let certs = load_certs_pem(data, "fuzz input");
    if let Ok(certs) = &certs {
        let again = load_certs_pem(&pem_encode("CERTIFICATE", certs), "re-encoded");
        assert_eq!(again.as_ref(), Ok(certs), "certificates did not round-trip");
    }
    let roots = RootStore::from_pem(data);
    assert_eq!(
        roots.is_ok(),
        certs.is_ok(),
        "root store and chain disagree"
    );
    if let (Ok(roots), Ok(certs)) = (&roots, &certs) {
        for anchor in roots.anchors() {
            assert!(
                certs.iter().any(|c| c.as_slice() == anchor.der()),
                "a trust anchor that was not in the bundle"
            );
        }
    }
    let keys = [
        load_private_key_pem(data, "fuzz input").ok(),
        SigningKey::from_der(data).ok(),
    ];
    for key in keys.into_iter().flatten() {
        let Some(&scheme) = key.schemes().first() else {
            panic!("{key:?} has no signature scheme");
        };
        if let Err(e) = key.sign(scheme, b"keyway", &mut fixed_rng(Vec::new())) {
            panic!("{key:?} loaded but cannot sign with {scheme}: {e}");
        }
    }
}

/// Writes `ders` as PEM blocks labelled `label` (RFC 7468, Section 2:
/// base64 with padding, lines of 64 characters).
pub fn pem_encode(label: &str, ders: &[Vec<u8>]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    for der in ders {
        let mut base64 = Vec::new();
        for chunk in der.chunks(3) {
            let bits = chunk
                .iter()
                .chain([0, 0].iter())
                .take(3)
                .fold(0u32, |acc, &b| acc << 8 | u32::from(b));
            for i in 0..4 {
                let sextet = (bits >> (18 - 6 * i) & 63) as usize;
                // One input byte makes two characters, two make three.
                base64.push(if i <= chunk.len() {
                    ALPHABET[sextet]
                } else {
                    b'='
                });
            }
        }
        out.extend_from_slice(format!("-----BEGIN {label}-----\n").as_bytes());
        for line in base64.chunks(64) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
    }
    out
}

/// The piece size a control byte selects: 1, 2, 5, 10, 17, ... (`control`
/// squared, plus one), up to 65026 bytes, which is the whole of any input the
/// fuzzer makes by default.
pub fn piece_len(control: u8) -> usize {
    usize::from(control) * usize::from(control) + 1
}

/// What a reader should make of one record: its type and payload, or a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Record(ContentType, Vec<u8>),
    Refused,
}

fn assert_same_record(want: &Expected, got: &Result<PlainRecord<'_>, &Error>) {
    match (want, got) {
        (Expected::Record(typ, payload), Ok(record)) => assert!(
            record.typ == *typ && record.payload == payload.as_slice(),
            "got {record:?}, expected {typ} with {payload:02x?}"
        ),
        (Expected::Refused, Err(_)) => {}
        (want, got) => panic!("got {got:?}, expected {want:?}"),
    }
}

/// Runs [`receive`] and checks each record it frames, and each refusal,
/// against `expected`.
fn receive_expecting(wire: &[u8], piece: usize, decrypter: RecordDecrypter, expected: &[Expected]) {
    let mut expected = expected.iter();
    let completed = receive(wire, piece, decrypter, |got| match expected.next() {
        Some(want) => assert_same_record(want, &got),
        None => panic!("the deframer returned {got:?} after the reference ran out"),
    });
    // Unless the joiner stopped the run, the deframer stopped at its first
    // error or at the end of the input: either way nothing the reference saw
    // may be left unframed.
    if completed {
        assert_eq!(expected.next(), None, "the deframer missed a record");
    }
}

/// Pushes `wire` into a deframer in `piece`-byte pieces, hands every record
/// it frames (or its error) to `check`, and passes handshake records on to a
/// joiner and the codec. Returns false if the joiner stopped the run before
/// the deframer ran out of input or failed.
fn receive(
    wire: &[u8],
    piece: usize,
    mut decrypter: RecordDecrypter,
    mut check: impl FnMut(Result<PlainRecord<'_>, &Error>),
) -> bool {
    let mut deframer = Deframer::default();
    let mut joiner = CheckedJoiner::default();
    for mut piece in wire.chunks(piece) {
        while !piece.is_empty() {
            // Every complete record was taken out below, so what is buffered
            // is less than one record, and the deframer always has room for
            // at least one more (it keeps room for two).
            let taken = match deframer.push(piece) {
                Ok(taken) => taken,
                Err(e) => panic!("the deframer refused input while holding no record: {e}"),
            };
            assert!(
                (1..=piece.len()).contains(&taken),
                "push took {taken} of {} bytes",
                piece.len()
            );
            piece = piece.get(taken..).unwrap_or_default();
            loop {
                match deframer.next_record(&mut decrypter) {
                    Ok(None) => break,
                    Ok(Some(record)) => {
                        check(Ok(record));
                        if joiner.take(record).is_err() {
                            return false;
                        }
                    }
                    Err(e) => {
                        check(Err(&e));
                        return true;
                    }
                }
            }
        }
    }
    true
}

/// A [`HandshakeJoiner`] that also checks that the messages it hands out are
/// exactly the handshake bytes pushed into it, in order.
#[derive(Default)]
struct CheckedJoiner {
    joiner: HandshakeJoiner,
    pushed: Vec<u8>,
    taken: usize,
}

impl CheckedJoiner {
    /// Handles one record as a connection would: refuses it if it interrupts a
    /// handshake message, decodes alerts, and joins and decodes handshake messages.
    fn take(&mut self, record: PlainRecord<'_>) -> Result<(), Error> {
        self.joiner.check_not_interleaved(record.typ)?;
        match record.typ {
            ContentType::ALERT => {
                if let Ok(alert) = Alert::decode(record.payload) {
                    assert_eq!(alert.encode(), record.payload, "alert did not round-trip");
                }
            }
            ContentType::HANDSHAKE => {
                self.joiner.push(record.payload)?;
                self.pushed.extend_from_slice(record.payload);
                while let Some(message) = self.joiner.next_message() {
                    let end = self.taken + message.encoded.len();
                    assert_eq!(
                        self.pushed.get(self.taken..end),
                        Some(message.encoded.as_slice()),
                        "the joiner reordered or altered handshake bytes"
                    );
                    assert_eq!(Some(&message.typ.0), message.encoded.first());
                    self.taken = end;
                    decode_handshake_message(message.typ, message.body(), HandshakeMessage::decode);
                    decode_handshake_message(
                        message.typ,
                        message.body(),
                        HandshakeMessage::decode_tls12,
                    );
                }
                assert_eq!(
                    self.joiner.is_empty(),
                    self.taken == self.pushed.len(),
                    "the joiner's idea of what it holds is wrong"
                );
            }
            _ => {}
        }
        Ok(())
    }
}

/// Decodes one handshake message body; if it decodes, checks that it encodes
/// back to the message it came from (4-byte header included).
fn decode_handshake_message(
    typ: HandshakeType,
    body: &[u8],
    decode: fn(HandshakeType, &[u8]) -> Result<HandshakeMessage, crate::error::InvalidMessage>,
) {
    let Ok(message) = decode(typ, body) else {
        return;
    };
    assert_eq!(message.handshake_type(), typ);
    let mut original = Vec::with_capacity(body.len() + 4);
    let mut w = Writer::new(&mut original);
    w.u8(typ.0);
    w.vec24(|w| w.bytes(body));
    if w.finish().is_err() {
        return;
    }

    let mut encoded = Vec::new();
    // What decoded from at most 2^24 - 1 bytes re-encodes within its prefixes.
    if let Err(e) = message.encode(&mut encoded) {
        panic!("{typ} decoded but does not encode: {e}");
    }
    if encoded != original {
        // The one documented exception (see the codec's read_hello_extensions):
        // a hello's explicit empty extension block `00 00` re-encodes as an
        // absent block. The re-encoding must then be two bytes shorter and
        // decode to the same message.
        let is_hello = matches!(
            message,
            HandshakeMessage::ClientHello(_)
                | HandshakeMessage::ServerHello(_)
                | HandshakeMessage::HelloRetryRequest(_)
        );
        assert!(
            is_hello && body.ends_with(&[0, 0]) && encoded.len() + 2 == original.len(),
            "{typ} did not round-trip:\n  in:  {original:02x?}\n  out: {encoded:02x?}"
        );
        let again = decode(typ, encoded.get(4..).unwrap_or_default());
        assert_eq!(again, Ok(message.clone()), "{typ} changed on re-encoding");
    }

    match &message {
        HandshakeMessage::ClientHello(hello) => {
            // The binder transcript is a strict prefix of the encoding.
            if let Some(Ok(truncated)) = hello.encode_truncated_for_binders() {
                assert!(truncated.len() < encoded.len() && encoded.starts_with(&truncated));
            }
        }
        HandshakeMessage::ServerHello(hello) => assert!(!hello.is_hello_retry_request()),
        HandshakeMessage::HelloRetryRequest(hello) => assert!(hello.is_hello_retry_request()),
        _ => {}
    }
}

/// The records of `wire` as RFC 8446, Section 5.1 reads them before keys are
/// installed, up to and including the first refusal; a partial record at the
/// end is not a record yet (unless its header alone is refused).
fn plaintext_reference(wire: &[u8]) -> Vec<Expected> {
    let mut out = Vec::new();
    let mut rest = wire;
    while let Some(RawRecord { typ, body, after }) = frame(rest) {
        // Refused from the header alone: an unknown type, a major version
        // other than 3, a length over 2^14.
        let header_ok = matches!(
            typ,
            ContentType::CHANGE_CIPHER_SPEC
                | ContentType::ALERT
                | ContentType::HANDSHAKE
                | ContentType::APPLICATION_DATA
        ) && rest.get(1) == Some(&3)
            && declared_len(rest) <= MAX_PLAINTEXT;
        if !header_ok {
            out.push(Expected::Refused);
            break;
        }
        let Some(body) = body else {
            break;
        };
        // Refused once complete: application data before keys (Section 5.1),
        // empty handshake and alert records (Sections 5.1 and 5.4).
        let empty_refused = body.is_empty() && typ != ContentType::CHANGE_CIPHER_SPEC;
        if typ == ContentType::APPLICATION_DATA || empty_refused {
            out.push(Expected::Refused);
            break;
        }
        out.push(Expected::Record(typ, body.to_vec()));
        rest = after;
    }
    out
}

/// Seals every record of `wire` (stopping at the first incomplete one, or one
/// too long to seal) under [`RECORD_KEY`] as `TLSInnerPlaintext = body || type`,
/// and says what each must open to (RFC 8446, Sections 5.2 and 5.4), up to and
/// including the first refusal.
fn sealed_reference(wire: &[u8]) -> (Vec<u8>, Vec<Expected>) {
    let mut encrypter = match Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &RECORD_KEY, &RECORD_IV)
    {
        Ok(encrypter) => encrypter,
        Err(e) => panic!("a 16-byte AES-128-GCM key was refused: {e}"),
    };
    let (mut sealed, mut out) = (Vec::new(), Vec::new());
    let mut empty_run = 0;
    let max_empty = crate::Limits::default().max_empty_records;
    let mut rest = wire;
    while let Some(RawRecord {
        typ,
        body: Some(body),
        after,
    }) = frame(rest)
    {
        if body.len() > MAX_PLAINTEXT || encrypter.seal_record(typ, body, &mut sealed).is_err() {
            break;
        }
        rest = after;
        // Padding is stripped from the end: the last non-zero byte is the type.
        let mut inner = body.to_vec();
        inner.push(typ.0);
        while inner.last() == Some(&0) {
            inner.pop();
        }
        let Some(inner_typ) = inner.pop().map(ContentType) else {
            out.push(Expected::Refused);
            break;
        };
        // Any non-empty record ends a run of empty ones.
        empty_run = if inner.is_empty() { empty_run + 1 } else { 0 };
        let refused = match inner_typ {
            // Section 5.4: empty handshake and alert records are refused.
            ContentType::HANDSHAKE | ContentType::ALERT => inner.is_empty(),
            // Empty application data is allowed, but only so many in a row.
            ContentType::APPLICATION_DATA => empty_run > max_empty,
            // Section 5: a protected change_cipher_spec, or an unknown type.
            _ => true,
        };
        if refused {
            out.push(Expected::Refused);
            break;
        }
        out.push(Expected::Record(inner_typ, inner));
    }
    (sealed, out)
}

/// One record as [`frame`] splits it off, checked by nothing.
struct RawRecord<'a> {
    /// The header's content type.
    typ: ContentType,
    /// The body, if all of it is there.
    body: Option<&'a [u8]>,
    /// What follows the record (empty if the body is incomplete).
    after: &'a [u8],
}

/// Splits the first record off `wire` with no checks at all; `None` without
/// a full header.
fn frame(wire: &[u8]) -> Option<RawRecord<'_>> {
    let typ = ContentType(*wire.first()?);
    wire.get(HEADER_LEN - 1)?;
    let end = HEADER_LEN + declared_len(wire);
    Some(match (wire.get(HEADER_LEN..end), wire.get(end..)) {
        (Some(body), Some(after)) => RawRecord {
            typ,
            body: Some(body),
            after,
        },
        _ => RawRecord {
            typ,
            body: None,
            after: &[],
        },
    })
}

/// The length field of the record header at the start of `wire` (0 if short).
fn declared_len(wire: &[u8]) -> usize {
    match wire {
        [_, _, _, hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => 0,
    }
}

fn record_decrypter() -> RecordDecrypter {
    match Tls13Decrypter::new(AeadAlgorithm::Aes128Gcm, &RECORD_KEY, &RECORD_IV) {
        Ok(decrypter) => RecordDecrypter::Tls13(decrypter),
        Err(e) => panic!("a 16-byte AES-128-GCM key was refused: {e}"),
    }
}
