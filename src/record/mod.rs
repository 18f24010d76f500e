//! The record layer (RFC 8446, Section 5): framing, reassembly of handshake
//! messages, fragmentation, and record protection.
//!
//! Bytes from the peer go into a [`Deframer`], which frames one record at a
//! time, checks its header, and (once keys are installed) decrypts it in place
//! in its own buffer with the [`RecordDecrypter`] the connection passes in.
//! Handshake records go on to a [`HandshakeJoiner`], which cuts them into whole
//! handshake messages. Going out, [`RecordEncrypter::write_records`] splits data
//! into fragments and appends one record per fragment to the output buffer,
//! sealing each in place when keys are installed.
//!
//! The record layer knows nothing about the handshake. The connection decides
//! which record types are acceptable in its current state (a change_cipher_spec
//! or an alert, say), and tells the joiner when the keys are about to change.
//!
//! # Driving it
//!
//! ```
//! use keyway::codec::{ContentType, HandshakeType};
//! use keyway::record::{Deframer, HandshakeJoiner, RecordDecrypter, RecordEncrypter, MAX_PLAINTEXT};
//!
//! # fn main() -> Result<(), keyway::Error> {
//! // The peer's side: one handshake message, written before keys exist.
//! let mut wire = Vec::new();
//! let finished_like = [20, 0, 0, 2, 0xaa, 0xbb];
//! RecordEncrypter::None.write_records(ContentType::HANDSHAKE, &finished_like, MAX_PLAINTEXT, &mut wire)?;
//!
//! // Our side: bytes in, records out, messages out.
//! let mut decrypter = RecordDecrypter::None;
//! let (mut deframer, mut joiner) = (Deframer::default(), HandshakeJoiner::default());
//! deframer.push(&wire)?; // or deframer.read_tls(&mut socket)
//! while let Some(record) = deframer.next_record(&mut decrypter)? {
//!     joiner.check_not_interleaved(record.typ)?;
//!     match record.typ {
//!         ContentType::HANDSHAKE => joiner.push(record.payload)?,
//!         _ => { /* alerts, change_cipher_spec and application data go to the connection */ }
//!     }
//!     while let Some(message) = joiner.next_message() {
//!         assert_eq!(message.body(), [0xaa, 0xbb]);
//!         // The handshake step runs here. If this message changes the read keys
//!         // (ServerHello, Finished, KeyUpdate, ...), first check that it ended
//!         // its record, then install the new decrypter.
//!         if message.typ == HandshakeType::FINISHED {
//!             joiner.check_key_change_boundary()?;
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Consumed input is discarded lazily, right before more input is added, so a
//! connection in its steady state does not allocate per record: the deframer's
//! buffer and the caller's output buffer are reused.
//!
//! # TLS 1.2
//!
//! TLS 1.2 AEAD protection (RFC 5288, RFC 7905) is the `Tls12` variant of
//! [`RecordEncrypter`] and [`RecordDecrypter`] (see [`tls12`]). Its records carry
//! their real content type in the header, so once keys are installed every
//! outer type but change_cipher_spec is decrypted. Its keys change at
//! ChangeCipherSpec: the connection writes its change_cipher_spec record with
//! the old (plaintext) encrypter and then installs a new [`Tls12Encrypter`], and
//! installs a new [`Tls12Decrypter`] as soon as the deframer has returned the
//! peer's change_cipher_spec, before asking for the next record.
//!
//! RFC 5246, Section 6.2.3 lets a TLS 1.2 ciphertext be up to 2^14 + 2048 bytes,
//! more than TLS 1.3 allows, so that is what [`MAX_RECORD_LEN`] (and with it the
//! deframer's smallest buffer) is sized for. Our AEADs never need more than
//! 2^14 + 24; a longer record that authenticates holds too much plaintext and
//! is refused as record_overflow after decryption.

// Wire-facing code: no panic and no silent wrap-around on values a peer
// controls. Tests may unwrap, expect and index (clippy.toml).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod deframer;
mod joiner;
mod key;
pub mod tls12;
pub mod tls13;

pub use deframer::Deframer;
pub use joiner::{HandshakeJoiner, HandshakeMessage, HANDSHAKE_HEADER_LEN};
pub use tls12::{Tls12Decrypter, Tls12Encrypter};
pub use tls13::{Tls13Decrypter, Tls13Encrypter};

use crate::codec::{ContentType, ProtocolVersion, Writer};
use crate::error::{Error, PeerMisbehaved};

/// Length of a record header: type, legacy_record_version, length (RFC 8446, Section 5.1).
pub const HEADER_LEN: usize = 5;

/// Largest plaintext fragment in one record: 2^14 bytes (RFC 8446, Section 5.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;

/// Largest TLS 1.3 `TLSCiphertext.length`: 2^14 + 256 bytes (RFC 8446, Section 5.2).
pub const MAX_TLS13_CIPHERTEXT: usize = MAX_PLAINTEXT + 256;

/// Largest TLS 1.2 `TLSCiphertext.length`: 2^14 + 2048 bytes (RFC 5246, Section 6.2.3).
pub const MAX_TLS12_CIPHERTEXT: usize = MAX_PLAINTEXT + 2048;

/// Largest record we ever accept, header included: a TLS 1.2 ciphertext of the
/// largest size, which is larger than any TLS 1.3 one.
pub const MAX_RECORD_LEN: usize = HEADER_LEN + MAX_TLS12_CIPHERTEXT;

const _: () = assert!(MAX_TLS12_CIPHERTEXT >= MAX_TLS13_CIPHERTEXT);

/// One record after framing and decryption, borrowing the deframer's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainRecord<'a> {
    /// The content type: the inner type for a protected TLS 1.3 record, the
    /// header's type otherwise.
    pub typ: ContentType,
    /// The plaintext fragment, with the TLS 1.3 type byte and padding removed.
    pub payload: &'a [u8],
    /// True if the record was decrypted and authenticated.
    pub protected: bool,
}

/// Writes records towards the peer: in plaintext before keys are installed,
/// protected afterwards.
// One per direction per connection, replaced rarely: keeping the expanded key
// inline (ring's AES key schedule is most of the size) costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum RecordEncrypter {
    /// No keys yet: records go out in plaintext (ClientHello, ServerHello, HelloRetryRequest,
    /// alerts before the handshake keys).
    None,
    /// TLS 1.3 record protection.
    Tls13(Tls13Encrypter),
    /// TLS 1.2 AEAD record protection.
    Tls12(Tls12Encrypter),
}

impl RecordEncrypter {
    /// Splits `data` into fragments of at most `max_fragment` bytes and appends
    /// one record per fragment to `out`.
    ///
    /// `max_fragment` is clamped to `1..=MAX_PLAINTEXT`; pass [`MAX_PLAINTEXT`],
    /// or [`RecordEncrypter::fragment_limit`] once the peer's record_size_limit
    /// is known. Empty `data` writes nothing. Plaintext records carry
    /// legacy_record_version 0x0303; use [`write_plaintext_records`] for the
    /// initial ClientHello's 0x0301. An error is fatal for the connection: `out`
    /// may hold the records sealed before it.
    pub fn write_records(
        &mut self,
        typ: ContentType,
        data: &[u8],
        max_fragment: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let max_fragment = max_fragment.clamp(1, MAX_PLAINTEXT);
        match self {
            RecordEncrypter::None => {
                write_plaintext_records(ProtocolVersion::TLS12, typ, data, max_fragment, out)
            }
            RecordEncrypter::Tls13(encrypter) => data
                .chunks(max_fragment)
                .try_for_each(|fragment| encrypter.seal_record(typ, fragment, out)),
            RecordEncrypter::Tls12(encrypter) => data
                .chunks(max_fragment)
                .try_for_each(|fragment| encrypter.seal_record(typ, fragment, out)),
        }
    }

    /// The largest fragment to send, given the record_size_limit the peer
    /// advertised (if any).
    ///
    /// RFC 8449, Section 4: in TLS 1.3 the limit counts the inner content type
    /// (and padding), so one byte less is left for content; in TLS 1.2 it
    /// counts the plaintext alone. Unprotected records are not subject to the
    /// limit. Never more than 2^14.
    pub fn fragment_limit(&self, peer_record_size_limit: Option<u16>) -> usize {
        let limit = match (self, peer_record_size_limit) {
            (RecordEncrypter::None, _) | (_, None) => return MAX_PLAINTEXT,
            (RecordEncrypter::Tls13(_), Some(limit)) => usize::from(limit).saturating_sub(1),
            (RecordEncrypter::Tls12(_), Some(limit)) => usize::from(limit),
        };
        limit.clamp(1, MAX_PLAINTEXT)
    }

    /// True when the current key may seal just one more record: `max_records`
    /// or its AEAD's confidentiality limit (RFC 8446, Section 5.5), whichever
    /// is lower. That last record is a TLS 1.3 KeyUpdate, or, in TLS 1.2,
    /// which cannot change keys, a close_notify.
    pub fn key_exhausted(&self, max_records: u64) -> bool {
        let (sealed, aead) = match self {
            RecordEncrypter::None => return false,
            RecordEncrypter::Tls13(encrypter) => (encrypter.records_sealed(), encrypter.aead()),
            RecordEncrypter::Tls12(encrypter) => (encrypter.records_sealed(), encrypter.aead()),
        };
        sealed.saturating_add(1) >= max_records.min(aead.confidentiality_limit())
    }
}

/// Appends unprotected records holding `data`, at most `max_fragment` bytes
/// each (clamped to `1..=MAX_PLAINTEXT`), with the given legacy_record_version.
///
/// RFC 8446, Section 5.1: legacy_record_version is 0x0303, except that an
/// initial ClientHello may use 0x0301 for compatibility with old middleboxes.
/// Application data is refused: it MUST NOT be written unprotected.
pub fn write_plaintext_records(
    legacy_record_version: ProtocolVersion,
    typ: ContentType,
    data: &[u8],
    max_fragment: usize,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    if typ == ContentType::APPLICATION_DATA {
        return Err(Error::Internal(
            "application data must not be sent unprotected",
        ));
    }
    let max_fragment = max_fragment.clamp(1, MAX_PLAINTEXT);
    let headers = data.len().div_ceil(max_fragment).saturating_mul(HEADER_LEN);
    out.reserve(data.len().saturating_add(headers));
    for fragment in data.chunks(max_fragment) {
        let mut w = Writer::new(out);
        w.u8(typ.0);
        w.u16(legacy_record_version.0);
        w.vec16(|w| w.bytes(fragment));
        w.finish()?;
    }
    Ok(())
}

/// Reads records from the peer: in plaintext before keys are installed,
/// protected afterwards. Passed to [`Deframer::next_record`].
#[allow(clippy::large_enum_variant)] // As for `RecordEncrypter`.
#[derive(Debug)]
pub enum RecordDecrypter {
    /// No keys yet: records arrive in plaintext.
    None,
    /// TLS 1.3 record protection.
    Tls13(Tls13Decrypter),
    /// TLS 1.2 AEAD record protection.
    Tls12(Tls12Decrypter),
}

impl RecordDecrypter {
    /// The largest `length` a record header of this outer type may carry.
    fn max_fragment_len(&self, outer: ContentType) -> usize {
        match self {
            RecordDecrypter::Tls13(_) if outer == ContentType::APPLICATION_DATA => {
                MAX_TLS13_CIPHERTEXT
            }
            RecordDecrypter::Tls12(_) if outer != ContentType::CHANGE_CIPHER_SPEC => {
                MAX_TLS12_CIPHERTEXT
            }
            // Plaintext records, including the unprotected change_cipher_spec
            // of TLS 1.3 and TLS 1.2.
            _ => MAX_PLAINTEXT,
        }
    }

    /// Turns one framed record into plaintext, decrypting `body` in place.
    fn open<'a>(
        &mut self,
        outer: ContentType,
        header: &[u8; HEADER_LEN],
        body: &'a mut [u8],
    ) -> Result<PlainRecord<'a>, Error> {
        match self {
            // RFC 8446, Section 5.1: Application Data records are always protected.
            RecordDecrypter::None if outer == ContentType::APPLICATION_DATA => Err(unexpected(
                "a handshake, alert or change_cipher_spec record",
                "application_data before keys were installed",
            )),
            RecordDecrypter::None => Ok(PlainRecord {
                typ: outer,
                payload: body,
                protected: false,
            }),
            RecordDecrypter::Tls13(decrypter) => match outer {
                ContentType::APPLICATION_DATA => decrypter.open_in_place(header, body),
                // RFC 8446, Section 5: an unprotected change_cipher_spec may still
                // arrive during the handshake; the connection decides whether it is allowed.
                ContentType::CHANGE_CIPHER_SPEC => Ok(PlainRecord {
                    typ: outer,
                    payload: body,
                    protected: false,
                }),
                // A peer that fails before it has keys (a client refusing our
                // ServerHello) can only send its alert in plaintext; the
                // connection accepts that only while the handshake runs.
                ContentType::ALERT => Ok(PlainRecord {
                    typ: outer,
                    payload: body,
                    protected: false,
                }),
                // RFC 8446, Section 5.2: once protection is on, every other record
                // is sent as application_data on the outside.
                other => Err(unexpected(
                    "a protected record",
                    &format!("an unprotected {other} record"),
                )),
            },
            RecordDecrypter::Tls12(decrypter) => match outer {
                // RFC 5246, Section 7.1: change_cipher_spec is sent under the
                // state it ends, which is plaintext in every handshake we run
                // (we never renegotiate); the connection decides whether it is
                // allowed.
                ContentType::CHANGE_CIPHER_SPEC => Ok(PlainRecord {
                    typ: outer,
                    payload: body,
                    protected: false,
                }),
                // As in TLS 1.3, an alert from a peer that failed before it
                // switched keys is plaintext, and the connection accepts it only
                // while the handshake runs. In TLS 1.2 it has the same outer type
                // as a protected alert, but is shorter than any protected record
                // can be, so telling them apart needs no trial decryption.
                ContentType::ALERT if body.len() < decrypter.overhead() => Ok(PlainRecord {
                    typ: outer,
                    payload: body,
                    protected: false,
                }),
                _ => decrypter.open_in_place(header, body),
            },
        }
    }
}

fn unexpected(expected: &'static str, got: &str) -> Error {
    PeerMisbehaved::UnexpectedMessage {
        expected,
        got: got.to_owned(),
    }
    .into()
}

/// The 5-byte record header, which TLS 1.3 also uses as additional data.
fn record_header(typ: ContentType, version: ProtocolVersion, len: u16) -> [u8; HEADER_LEN] {
    let [v0, v1] = version.0.to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    [typ.0, v0, v1, l0, l1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::AlertDescription;
    use crate::crypto::AeadAlgorithm;

    fn tls13_pair() -> (RecordEncrypter, RecordDecrypter) {
        let (key, iv) = ([7u8; 16], [9u8; 12]);
        let aead = AeadAlgorithm::Aes128Gcm;
        (
            RecordEncrypter::Tls13(Tls13Encrypter::new(aead, &key, &iv).unwrap()),
            RecordDecrypter::Tls13(Tls13Decrypter::new(aead, &key, &iv).unwrap()),
        )
    }

    fn tls12_pair(aead: AeadAlgorithm) -> (RecordEncrypter, RecordDecrypter) {
        let (key, iv) = (
            vec![7u8; aead.key_len()],
            vec![9u8; tls12::fixed_iv_len(aead)],
        );
        (
            RecordEncrypter::Tls12(Tls12Encrypter::new(aead, &key, &iv).unwrap()),
            RecordDecrypter::Tls12(Tls12Decrypter::new(aead, &key, &iv).unwrap()),
        )
    }

    #[test]
    fn a_key_is_exhausted_when_one_record_is_left_under_its_limit() {
        let (tls13, _) = tls13_pair();
        let (tls12, _) = tls12_pair(AeadAlgorithm::Aes128Gcm);
        for mut encrypter in [tls13, tls12] {
            let mut out = Vec::new();
            assert!(!encrypter.key_exhausted(u64::MAX));
            assert!(!encrypter.key_exhausted(2));
            encrypter
                .write_records(ContentType::APPLICATION_DATA, b"x", MAX_PLAINTEXT, &mut out)
                .unwrap();
            assert!(encrypter.key_exhausted(2));
            assert!(!encrypter.key_exhausted(3));
        }
        assert!(!RecordEncrypter::None.key_exhausted(0));
        // The AEAD's own limit applies whatever the configured one.
        let limit = AeadAlgorithm::Aes128Gcm.confidentiality_limit();
        let (mut encrypter, _) = tls13_pair();
        if let RecordEncrypter::Tls13(e) = &mut encrypter {
            e.key.seq = limit - 2;
        }
        assert!(!encrypter.key_exhausted(u64::MAX));
        if let RecordEncrypter::Tls13(e) = &mut encrypter {
            e.key.seq = limit - 1;
        }
        assert!(encrypter.key_exhausted(u64::MAX));
    }

    /// Frames every record in `wire`, returning (type, payload) pairs.
    fn read_all(wire: &[u8], decrypter: &mut RecordDecrypter) -> Vec<(ContentType, Vec<u8>)> {
        let mut deframer = Deframer::new(wire.len().saturating_add(MAX_RECORD_LEN), 4);
        assert_eq!(deframer.push(wire).unwrap(), wire.len());
        let mut records = Vec::new();
        while let Some(r) = deframer.next_record(decrypter).unwrap() {
            records.push((r.typ, r.payload.to_vec()));
        }
        assert!(deframer.is_empty());
        records
    }

    #[test]
    fn plaintext_fragments_at_2_pow_14() {
        let data: Vec<u8> = (0..2 * MAX_PLAINTEXT + 5).map(|i| i as u8).collect();
        let mut wire = Vec::new();
        RecordEncrypter::None
            .write_records(ContentType::HANDSHAKE, &data, MAX_PLAINTEXT, &mut wire)
            .unwrap();
        assert_eq!(wire.len(), data.len() + 3 * HEADER_LEN);
        assert_eq!(wire[..HEADER_LEN], [0x16, 0x03, 0x03, 0x40, 0x00]);

        let records = read_all(&wire, &mut RecordDecrypter::None);
        let lens: Vec<usize> = records.iter().map(|(_, p)| p.len()).collect();
        assert_eq!(lens, [MAX_PLAINTEXT, MAX_PLAINTEXT, 5]);
        assert_eq!(concat(&records), data);
    }

    #[test]
    fn protected_fragments_at_a_small_record_size_limit() {
        let (mut encrypter, mut decrypter) = tls13_pair();
        // RFC 8449, Section 4: 64 is the smallest limit; in TLS 1.3 it includes the type byte.
        let max = encrypter.fragment_limit(Some(64));
        assert_eq!(max, 63);
        let data = [0x5a; 200];
        let mut wire = Vec::new();
        encrypter
            .write_records(ContentType::APPLICATION_DATA, &data, max, &mut wire)
            .unwrap();
        // Four records: 63 + 63 + 63 + 11 bytes, each plus the type byte and a 16-byte tag.
        assert_eq!(wire.len(), 4 * (HEADER_LEN + 1 + 16) + 200);
        assert_eq!(wire[..HEADER_LEN], [0x17, 0x03, 0x03, 0x00, 63 + 1 + 16]);

        let records = read_all(&wire, &mut decrypter);
        let lens: Vec<usize> = records.iter().map(|(_, p)| p.len()).collect();
        assert_eq!(lens, [63, 63, 63, 11]);
        assert!(records
            .iter()
            .all(|(t, _)| *t == ContentType::APPLICATION_DATA));
        assert_eq!(concat(&records), data);
    }

    #[test]
    fn fragment_limit_follows_rfc_8449() {
        let (encrypter, _) = tls13_pair();
        assert_eq!(encrypter.fragment_limit(None), MAX_PLAINTEXT);
        assert_eq!(encrypter.fragment_limit(Some(u16::MAX)), MAX_PLAINTEXT);
        assert_eq!(encrypter.fragment_limit(Some(1 << 14 | 1)), MAX_PLAINTEXT);
        assert_eq!(encrypter.fragment_limit(Some(1 << 14)), MAX_PLAINTEXT - 1);
        assert_eq!(
            RecordEncrypter::None.fragment_limit(Some(64)),
            MAX_PLAINTEXT
        );
    }

    #[test]
    fn initial_client_hello_may_use_record_version_0x0301() {
        let mut wire = Vec::new();
        write_plaintext_records(
            ProtocolVersion::TLS10,
            ContentType::HANDSHAKE,
            &[1, 0, 0, 0],
            MAX_PLAINTEXT,
            &mut wire,
        )
        .unwrap();
        assert_eq!(wire, [0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0]);
    }

    #[test]
    fn application_data_is_never_written_in_plaintext() {
        let mut wire = Vec::new();
        let err = RecordEncrypter::None
            .write_records(
                ContentType::APPLICATION_DATA,
                b"x",
                MAX_PLAINTEXT,
                &mut wire,
            )
            .unwrap_err();
        assert!(matches!(err, Error::Internal(_)));
        assert!(wire.is_empty());
    }

    #[test]
    fn unprotected_application_data_is_refused() {
        let wire = [0x17, 0x03, 0x03, 0x00, 0x01, 0x42];
        let mut deframer = Deframer::default();
        deframer.push(&wire).unwrap();
        let err = deframer
            .next_record(&mut RecordDecrypter::None)
            .unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn with_keys_only_change_cipher_spec_may_arrive_unprotected() {
        let (_, mut decrypter) = tls13_pair();
        let mut deframer = Deframer::default();
        deframer
            .push(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01])
            .unwrap();
        let record = deframer.next_record(&mut decrypter).unwrap().unwrap();
        assert_eq!(record.typ, ContentType::CHANGE_CIPHER_SPEC);
        assert_eq!(record.payload, [1]);

        // An alert passes through marked unprotected: the connection accepts it
        // only while the handshake runs (a peer that failed before having keys).
        let mut wire = Vec::new();
        write_plaintext_records(
            ProtocolVersion::TLS12,
            ContentType::ALERT,
            &[2, 40],
            64,
            &mut wire,
        )
        .unwrap();
        deframer.push(&wire).unwrap();
        let record = deframer.next_record(&mut decrypter).unwrap().unwrap();
        assert_eq!((record.typ, record.protected), (ContentType::ALERT, false));

        let mut wire = Vec::new();
        write_plaintext_records(
            ProtocolVersion::TLS12,
            ContentType::HANDSHAKE,
            &[2, 40],
            64,
            &mut wire,
        )
        .unwrap();
        deframer.push(&wire).unwrap();
        let err = deframer.next_record(&mut decrypter).unwrap_err();
        assert!(matches!(
            err,
            Error::PeerMisbehaved(PeerMisbehaved::UnexpectedMessage { .. })
        ));
        assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn protected_change_cipher_spec_is_refused() {
        let (mut encrypter, mut decrypter) = tls13_pair();
        let mut wire = Vec::new();
        encrypter
            .write_records(ContentType::CHANGE_CIPHER_SPEC, &[1], 64, &mut wire)
            .unwrap();
        let mut deframer = Deframer::default();
        deframer.push(&wire).unwrap();
        assert_eq!(
            deframer.next_record(&mut decrypter),
            Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into())
        );
    }

    #[test]
    fn tls12_fragments_at_a_record_size_limit_counting_plaintext_only() {
        for aead in [AeadAlgorithm::Aes128Gcm, AeadAlgorithm::Chacha20Poly1305] {
            let (mut encrypter, mut decrypter) = tls12_pair(aead);
            // RFC 8449, Section 4: in TLS 1.2 the limit counts the plaintext alone.
            let max = encrypter.fragment_limit(Some(64));
            assert_eq!(max, 64);
            assert_eq!(encrypter.fragment_limit(None), MAX_PLAINTEXT);
            assert_eq!(encrypter.fragment_limit(Some(u16::MAX)), MAX_PLAINTEXT);

            let data: Vec<u8> = (0..200u8).collect();
            let mut wire = Vec::new();
            for typ in [ContentType::HANDSHAKE, ContentType::APPLICATION_DATA] {
                encrypter.write_records(typ, &data, max, &mut wire).unwrap();
            }
            let explicit = if aead == AeadAlgorithm::Aes128Gcm {
                8
            } else {
                0
            };
            // Four records per type: 64 + 64 + 64 + 8 bytes, each plus nonce and tag.
            assert_eq!(wire.len(), 2 * (4 * (HEADER_LEN + explicit + 16) + 200));
            assert_eq!(wire[..3], [0x16, 0x03, 0x03]);

            let records = read_all(&wire, &mut decrypter);
            let shape: Vec<(ContentType, usize)> =
                records.iter().map(|(t, p)| (*t, p.len())).collect();
            let (hs, app) = (ContentType::HANDSHAKE, ContentType::APPLICATION_DATA);
            assert_eq!(
                shape,
                [
                    (hs, 64),
                    (hs, 64),
                    (hs, 64),
                    (hs, 8),
                    (app, 64),
                    (app, 64),
                    (app, 64),
                    (app, 8)
                ]
            );
            assert_eq!(concat(&records[..4]), data);
            assert_eq!(concat(&records[4..]), data);
        }
    }

    #[test]
    fn tls12_keys_open_every_type_but_change_cipher_spec() {
        let (mut encrypter, mut decrypter) = tls12_pair(AeadAlgorithm::Aes256Gcm);
        let mut deframer = Deframer::default();

        // RFC 5246, Section 7.1: change_cipher_spec stays plaintext.
        deframer
            .push(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01])
            .unwrap();
        let record = deframer.next_record(&mut decrypter).unwrap().unwrap();
        assert_eq!(
            (record.typ, record.payload, record.protected),
            (ContentType::CHANGE_CIPHER_SPEC, &[1u8][..], false)
        );

        // A protected alert is opened; a plaintext one, too short to be
        // protected, passes through marked unprotected for the connection to judge.
        let mut wire = Vec::new();
        encrypter
            .write_records(ContentType::ALERT, &[1, 0], 64, &mut wire)
            .unwrap();
        write_plaintext_records(
            ProtocolVersion::TLS12,
            ContentType::ALERT,
            &[2, 40],
            64,
            &mut wire,
        )
        .unwrap();
        deframer.push(&wire).unwrap();
        let record = deframer.next_record(&mut decrypter).unwrap().unwrap();
        assert_eq!(
            (record.typ, record.payload, record.protected),
            (ContentType::ALERT, &[1u8, 0][..], true)
        );
        let record = deframer.next_record(&mut decrypter).unwrap().unwrap();
        assert_eq!(
            (record.typ, record.payload, record.protected),
            (ContentType::ALERT, &[2u8, 40][..], false)
        );
        assert_eq!(deframer.next_record(&mut decrypter), Ok(None));

        // Plaintext handshake or application data is a record that does not
        // authenticate: bad_record_mac.
        for typ in [ContentType::HANDSHAKE, ContentType::APPLICATION_DATA] {
            let (_, mut decrypter) = tls12_pair(AeadAlgorithm::Aes256Gcm);
            let mut deframer = Deframer::default();
            deframer
                .push(&[typ.0, 0x03, 0x03, 0x00, 0x04, 20, 0, 0, 0])
                .unwrap();
            let err = deframer.next_record(&mut decrypter).unwrap_err();
            assert_eq!(err, Error::DecryptFailed, "{typ}");
            assert_eq!(err.alert(), Some(AlertDescription::BAD_RECORD_MAC));
        }

        // An alert record exactly as long as the protection (explicit nonce
        // and tag: a protected record of nothing) counts as protected, so a
        // forged one is bad_record_mac, never a plaintext alert.
        let (_, mut decrypter) = tls12_pair(AeadAlgorithm::Aes256Gcm);
        let mut deframer = Deframer::default();
        let mut forged = vec![0x15, 0x03, 0x03, 0x00, 24];
        forged.extend_from_slice(&[0; 24]);
        deframer.push(&forged).unwrap();
        assert_eq!(
            deframer.next_record(&mut decrypter),
            Err(Error::DecryptFailed)
        );
    }

    fn concat(records: &[(ContentType, Vec<u8>)]) -> Vec<u8> {
        records
            .iter()
            .flat_map(|(_, p)| p.iter().copied())
            .collect()
    }
}
