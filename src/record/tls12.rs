//! TLS 1.2 AEAD record protection (RFC 5246, Section 6.2.3.3; RFC 5288;
//! RFC 7905).
//!
//! A protected TLS 1.2 record keeps its real content type in the header. Its
//! fragment is `GenericAEADCipher`: the explicit part of the nonce (8 bytes for
//! AES-GCM, none for ChaCha20-Poly1305), then the AEAD encryption of the
//! plaintext followed by the tag. The additional data is not the header, as in
//! TLS 1.3, but `seq_num || type || version || length`, where `length` is the
//! length of the *plaintext*, not of the record. The sequence number is never
//! sent, so a record that is replayed, dropped or moved fails authentication,
//! and so does one whose type or version was changed.
//!
//! Only AEAD suites exist here: no CBC, so no MAC-then-encrypt padding to check
//! and none of the padding oracles that came with it (Vaudenay, Lucky Thirteen).
//!
//! # The per-record nonce
//!
//! As in TLS 1.3 (see the `tls13` module), a nonce used twice under one key
//! gives away the XOR of two plaintexts and, for GCM, the authentication key,
//! after which records can be forged. TLS 1.2 leaves part of the nonce to the
//! sender. RFC 5288, Section 3 builds the AES-GCM nonce as `salt ||
//! nonce_explicit`: the 4-byte salt is the write IV from the key block and is
//! never sent; the 8-byte `nonce_explicit` is chosen by the sender, sent in
//! every record, MUST be distinct for every record under one key, and MAY be the
//! sequence number. Ours is the sequence number, because that makes it distinct
//! by construction: the counter is taken and advanced before sealing, never
//! wraps, and restarts at zero only with a new key. A random 64-bit value would
//! be expected to repeat after about 2^32 records (the birthday bound), and a
//! counter kept apart from the sequence number is one more thing a bug can reset.
//! Both happen: Böck et al. ("Nonce-Disrespecting Adversaries", 2016) found TLS
//! servers on the Internet that repeated GCM nonces, letting anyone on the path
//! forge their records, and many more that chose them at random. Sending the
//! sequence number reveals nothing: the peer keeps the same count.
//!
//! ChaCha20-Poly1305 (RFC 7905, Section 2) sends no explicit nonce: the sequence
//! number, left-padded to 12 bytes, is XORed with the 12-byte write IV, as in
//! TLS 1.3. One function builds both: the GCM salt is padded with 8 zero bytes to
//! a 12-byte IV, so XORing a left-padded counter into it gives `salt || counter`.
//! When sealing, the counter is our sequence number for both AEADs; when opening
//! an AES-GCM record it is the `nonce_explicit` the record carries, since the
//! peer may choose other values. A replay is caught either way, because the
//! sequence number in the additional data is always our own.
//!
//! # One alert for every authentication failure
//!
//! RFC 5246, Section 6.2.3.3: if decryption fails, a fatal bad_record_mac alert
//! MUST be generated. Every way a protected record can fail to authenticate (too
//! short to hold the explicit nonce and the tag, any byte changed, a wrong key,
//! replayed or reordered) is [`Error::DecryptFailed`], and the plaintext is only
//! looked at once the tag has verified.
//!
//! # Changing keys
//!
//! TLS 1.2 switches keys at ChangeCipherSpec (RFC 5246, Section 7.1). The
//! change_cipher_spec record itself goes out under the old state, which in every
//! handshake we run (we never renegotiate) is plaintext; a new
//! [`Tls12Encrypter`] replaces the old one right after it is written, and a new
//! [`Tls12Decrypter`] right after the peer's is read. Each starts at sequence
//! number zero, as RFC 5246, Section 6.1 requires whenever a connection state
//! becomes active. There is no KeyUpdate in TLS 1.2: [`Tls12Encrypter::records_sealed`]
//! lets a connection close before an AEAD's limit
//! ([`AeadAlgorithm::confidentiality_limit`]) if it wants to.

use core::fmt;

use ring::aead;

use super::key::RecordKey;
use super::tls13::IV_LEN;
use super::{record_header, PlainRecord, HEADER_LEN, MAX_PLAINTEXT};
use crate::codec::{ContentType, ProtocolVersion};
use crate::crypto::AeadAlgorithm;
use crate::error::{Error, InvalidMessage, PeerMisbehaved};

/// Length of the AES-GCM salt, the write IV taken from the key block
/// (`fixed_iv_length`, RFC 5288, Section 3).
pub const GCM_FIXED_IV_LEN: usize = 4;

/// Length of the `nonce_explicit` every AES-GCM record carries
/// (`record_iv_length`, RFC 5288, Section 3).
pub const GCM_EXPLICIT_NONCE_LEN: usize = 8;

/// Length of `seq_num || type || version || length` (RFC 5246, Section 6.2.3.3).
const AAD_LEN: usize = 13;

/// The length of the write IV the key block yields for `aead`
/// (`SecurityParameters.fixed_iv_length`): 4 bytes of salt for AES-GCM
/// (RFC 5288, Section 3), a 12-byte IV for ChaCha20-Poly1305 (RFC 7905,
/// Section 2).
pub fn fixed_iv_len(aead: AeadAlgorithm) -> usize {
    match aead {
        AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => GCM_FIXED_IV_LEN,
        AeadAlgorithm::Chacha20Poly1305 => IV_LEN,
    }
}

/// True when records of `aead` carry an explicit nonce (AES-GCM).
fn has_explicit_nonce(aead: AeadAlgorithm) -> bool {
    match aead {
        AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => true,
        AeadAlgorithm::Chacha20Poly1305 => false,
    }
}

/// Bytes a protected record adds to its plaintext: explicit nonce and tag.
fn overhead(aead: AeadAlgorithm) -> usize {
    let explicit = if has_explicit_nonce(aead) {
        GCM_EXPLICIT_NONCE_LEN
    } else {
        0
    };
    explicit.saturating_add(aead.ring().tag_len())
}

/// Makes the key of one direction, with the write IV laid out for [`RecordKey::nonce`].
fn record_key(aead: AeadAlgorithm, key: &[u8], fixed_iv: &[u8]) -> Result<RecordKey, Error> {
    if fixed_iv.len() != fixed_iv_len(aead) {
        return Err(Error::Internal(
            "TLS 1.2 write IV has the wrong length for its AEAD",
        ));
    }
    // AES-GCM: the salt followed by zeros, so that XORing in the explicit nonce
    // gives `salt || nonce_explicit`. ChaCha20-Poly1305: the IV as it is.
    let mut iv = zeroize::Zeroizing::new([0u8; IV_LEN]);
    iv.get_mut(..fixed_iv.len())
        .ok_or(Error::Internal("TLS 1.2 write IV longer than a nonce"))?
        .copy_from_slice(fixed_iv);
    RecordKey::new(aead, key, &iv)
}

/// RFC 5246, Section 6.2.3.3: `additional_data = seq_num + TLSCompressed.type +
/// TLSCompressed.version + TLSCompressed.length`; we never compress, so the
/// length is that of the plaintext.
fn additional_data(
    seq: u64,
    typ: ContentType,
    version: [u8; 2],
    plaintext_len: u16,
) -> aead::Aad<[u8; AAD_LEN]> {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = seq.to_be_bytes();
    let [v0, v1] = version;
    let [l0, l1] = plaintext_len.to_be_bytes();
    aead::Aad::from([s0, s1, s2, s3, s4, s5, s6, s7, typ.0, v0, v1, l0, l1])
}

/// Seals TLS 1.2 records under one write key.
pub struct Tls12Encrypter {
    key: RecordKey,
}

impl Tls12Encrypter {
    /// Makes an encrypter from a `[sender]_write_key` and `[sender]_write_IV`
    /// out of the key block (RFC 5246, Section 6.3), starting at sequence
    /// number 0.
    ///
    /// `fixed_iv` is 4 bytes for AES-GCM and 12 for ChaCha20-Poly1305
    /// ([`fixed_iv_len`]); any other length, or a key of the wrong length, is
    /// [`Error::Internal`].
    pub fn new(aead: AeadAlgorithm, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            key: record_key(aead, key, fixed_iv)?,
        })
    }

    /// Appends one protected record holding `payload` as content of type `typ`
    /// to `out`: header, explicit nonce (AES-GCM only), ciphertext and tag.
    ///
    /// The payload is copied into `out` once and encrypted there; nothing else
    /// is allocated beyond growing `out`. `payload` must be at most 2^14 bytes
    /// (the fragmenter guarantees it), and `typ` must not be change_cipher_spec,
    /// which TLS 1.2 sends under the state it ends, never under these keys. On
    /// error `out` is left as it was.
    pub fn seal_record(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if payload.len() > MAX_PLAINTEXT {
            return Err(Error::Internal("record payload longer than 2^14 bytes"));
        }
        if typ == ContentType::CHANGE_CIPHER_SPEC {
            return Err(Error::Internal(
                "change_cipher_spec is never sealed in TLS 1.2",
            ));
        }
        self.seal(typ, payload, out)
    }

    /// Seals any payload whose record length fits in 16 bits (the tests seal
    /// oversized ones to check the receiving side).
    fn seal(&mut self, typ: ContentType, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let aead = self.key.aead;
        let too_long = |_| Error::Internal("record too long to seal");
        let plaintext_len = u16::try_from(payload.len()).map_err(too_long)?;
        let len = u16::try_from(payload.len().saturating_add(overhead(aead))).map_err(too_long)?;
        let version = ProtocolVersion::TLS12;
        let seq = self.key.take_seq()?;
        let aad = additional_data(seq, typ, version.0.to_be_bytes(), plaintext_len);

        let start = out.len();
        out.reserve(HEADER_LEN + usize::from(len));
        out.extend_from_slice(&record_header(typ, version, len));
        if has_explicit_nonce(aead) {
            // RFC 5288, Section 3: nonce_explicit MAY be the 64-bit sequence
            // number; ours is, so it never repeats under this key.
            out.extend_from_slice(&seq.to_be_bytes());
        }
        let sealed_start = out.len();
        out.extend_from_slice(payload);
        let nonce = self.key.nonce(seq);
        let key = &self.key.key;
        match out
            .get_mut(sealed_start..)
            .and_then(|plaintext| key.seal_in_place_separate_tag(nonce, aad, plaintext).ok())
        {
            Some(tag) => {
                out.extend_from_slice(tag.as_ref());
                Ok(())
            }
            None => {
                // Never leave plaintext behind where the caller would send it.
                out.truncate(start);
                Err(Error::Internal("AEAD seal failed"))
            }
        }
    }

    /// How many records this key has sealed (the next sequence number).
    pub fn records_sealed(&self) -> u64 {
        self.key.seq
    }

    /// The AEAD this key seals with.
    pub fn aead(&self) -> AeadAlgorithm {
        self.key.aead
    }
}

impl fmt::Debug for Tls12Encrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.debug("Tls12Encrypter", f)
    }
}

/// Opens TLS 1.2 records under one of the peer's write keys.
pub struct Tls12Decrypter {
    key: RecordKey,
}

impl Tls12Decrypter {
    /// Makes a decrypter from the peer's `[sender]_write_key` and
    /// `[sender]_write_IV` out of the key block (RFC 5246, Section 6.3),
    /// starting at sequence number 0.
    ///
    /// `fixed_iv` is 4 bytes for AES-GCM and 12 for ChaCha20-Poly1305
    /// ([`fixed_iv_len`]); any other length, or a key of the wrong length, is
    /// [`Error::Internal`].
    pub fn new(aead: AeadAlgorithm, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            key: record_key(aead, key, fixed_iv)?,
        })
    }

    /// Decrypts one protected record in place and returns its content, whose
    /// type is the one in the header.
    ///
    /// `header` is the record header exactly as received; `body` is
    /// `GenericAEADCipher` and is overwritten with the plaintext, which the
    /// result borrows. Any authentication failure, including a body too short
    /// for the explicit nonce and the tag, is [`Error::DecryptFailed`]; an
    /// authentic plaintext over 2^14 bytes is [`Error::RecordOverflow`]. A
    /// change_cipher_spec header is [`PeerMisbehaved::UnexpectedChangeCipherSpec`]
    /// (the record layer passes those through unprotected, see
    /// [`super::RecordDecrypter`]) and an unknown type
    /// [`InvalidMessage::UnknownContentType`]; neither uses up a sequence number.
    pub fn open_in_place<'a>(
        &mut self,
        header: &[u8; HEADER_LEN],
        body: &'a mut [u8],
    ) -> Result<PlainRecord<'a>, Error> {
        let [typ, v0, v1, l0, l1] = *header;
        let typ = ContentType(typ);
        match typ {
            ContentType::HANDSHAKE | ContentType::ALERT | ContentType::APPLICATION_DATA => {}
            ContentType::CHANGE_CIPHER_SPEC => {
                return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into())
            }
            other => return Err(InvalidMessage::UnknownContentType(other.0).into()),
        }

        let aead = self.key.aead;
        let seq = self.key.take_seq()?;
        // RFC 5246, Section 6.2.3.3: the additional data holds the plaintext
        // length, which is the record's less the explicit nonce and the tag; a
        // record too short to hold those cannot be authentic.
        let plaintext_len = usize::from(u16::from_be_bytes([l0, l1]))
            .checked_sub(overhead(aead))
            .and_then(|len| u16::try_from(len).ok())
            .ok_or(Error::DecryptFailed)?;
        let (counter, sealed) = if has_explicit_nonce(aead) {
            let (explicit, sealed) = body
                .split_first_chunk_mut::<GCM_EXPLICIT_NONCE_LEN>()
                .ok_or(Error::DecryptFailed)?;
            // RFC 5288, Section 3: the sender chooses nonce_explicit; use it as sent.
            (u64::from_be_bytes(*explicit), sealed)
        } else {
            (seq, body)
        };
        let aad = additional_data(seq, typ, [v0, v1], plaintext_len);
        let plain: &'a [u8] = self
            .key
            .key
            .open_in_place(self.key.nonce(counter), aad, sealed)
            .map_err(|_| Error::DecryptFailed)?;

        // RFC 5246, Sections 6.2.1 and 7.2.2: a plaintext fragment is at most
        // 2^14 bytes (we never compress); an authentic longer one is record_overflow.
        if plain.len() > MAX_PLAINTEXT {
            return Err(Error::RecordOverflow {
                len: plain.len(),
                max: MAX_PLAINTEXT,
            });
        }
        Ok(PlainRecord {
            typ,
            payload: plain,
            protected: true,
        })
    }

    /// Bytes a protected record adds to its plaintext: a record body shorter
    /// than this cannot have been sealed under this key.
    pub(super) fn overhead(&self) -> usize {
        overhead(self.key.aead)
    }

    /// How many records this key has opened (the next sequence number).
    pub fn records_opened(&self) -> u64 {
        self.key.seq
    }
}

impl fmt::Debug for Tls12Decrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.debug("Tls12Decrypter", f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::AlertDescription;
    use crate::record::{Deframer, RecordDecrypter};

    const AEADS: [AeadAlgorithm; 3] = [
        AeadAlgorithm::Aes128Gcm,
        AeadAlgorithm::Aes256Gcm,
        AeadAlgorithm::Chacha20Poly1305,
    ];

    fn unhex(text: &str) -> Vec<u8> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        hex::decode(digits).unwrap()
    }

    /// Key bytes 00 01 02 ..., and a write IV of a0 a1 a2 a3 (AES-GCM) or
    /// c0 c1 ... cb (ChaCha20-Poly1305): the inputs of the known answers below.
    fn kat_key(aead: AeadAlgorithm) -> (Vec<u8>, Vec<u8>) {
        let key = (0..aead.key_len() as u8).collect();
        let iv = match aead {
            AeadAlgorithm::Chacha20Poly1305 => (0xc0..0xcc).collect(),
            _ => vec![0xa0, 0xa1, 0xa2, 0xa3],
        };
        (key, iv)
    }

    fn pair(aead: AeadAlgorithm) -> (Tls12Encrypter, Tls12Decrypter) {
        let (key, iv) = kat_key(aead);
        (
            Tls12Encrypter::new(aead, &key, &iv).unwrap(),
            Tls12Decrypter::new(aead, &key, &iv).unwrap(),
        )
    }

    fn seal(encrypter: &mut Tls12Encrypter, typ: ContentType, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encrypter.seal_record(typ, payload, &mut out).unwrap();
        out
    }

    /// Opens one whole record given as `header || body`.
    fn open(
        decrypter: &mut Tls12Decrypter,
        record: &[u8],
    ) -> Result<(ContentType, Vec<u8>), Error> {
        let mut record = record.to_vec();
        let (header, body) = record.split_at_mut(HEADER_LEN);
        let header: [u8; HEADER_LEN] = (&*header).try_into().unwrap();
        let plain = decrypter.open_in_place(&header, body)?;
        assert!(plain.protected);
        Ok((plain.typ, plain.payload.to_vec()))
    }

    /// The record `header || body` with the header's length set to the body's.
    fn reframed(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut record = vec![typ, 0x03, 0x03];
        record.extend_from_slice(&(body.len() as u16).to_be_bytes());
        record.extend_from_slice(body);
        record
    }

    // Known answers computed independently with Python's `cryptography`
    // package (AESGCM and ChaCha20Poly1305, version 48), building the nonce
    // and additional data straight from RFC 5246, RFC 5288 and RFC 7905, for
    // the keys of `kat_key`, sequence number 0x1122334455667788 and this payload.
    const KAT_SEQ: u64 = 0x1122_3344_5566_7788;
    const KAT_PAYLOAD: &[u8] = b"keyway TLS 1.2 known answer";
    // application_data; explicit nonce 11 22 33 44 55 66 77 88.
    const KAT_AES_128_GCM: &str = "
        17 03 03 00 33 11 22 33 44 55 66 77 88 3b 04 87 1b a9 58 9e da 9d 80 b9 9e
        2a 6f bf dd 55 11 68 6d 4a c4 ac 46 e8 a8 8d 2f 08 34 32 9d 07 1d d8 d1 f4
        51 3c e2 7d 82 33";
    // application_data; explicit nonce 11 22 33 44 55 66 77 88.
    const KAT_AES_256_GCM: &str = "
        17 03 03 00 33 11 22 33 44 55 66 77 88 a6 3c d4 b0 be f9 45 3a 4f 00 79 5e
        53 ac a9 fc b0 8f 8e 5e 74 53 65 ad d0 a3 25 21 84 a1 59 23 ca d8 07 2c 26
        28 12 40 d6 e9 ae";
    // handshake; no explicit nonce.
    const KAT_CHACHA20_POLY1305: &str = "
        16 03 03 00 2b 2f ba 75 f6 fc 08 d1 56 d7 d8 b5 4a f2 b5 81 f3 c2 59 70 e9
        4d 69 fe 97 64 fd f0 2c 04 f4 aa 04 9e b4 6e 16 e2 c3 f8 fa 35 0e f0";

    #[test]
    fn known_answers_from_an_independent_implementation() {
        for (aead, typ, expected) in [
            (
                AeadAlgorithm::Aes128Gcm,
                ContentType::APPLICATION_DATA,
                KAT_AES_128_GCM,
            ),
            (
                AeadAlgorithm::Aes256Gcm,
                ContentType::APPLICATION_DATA,
                KAT_AES_256_GCM,
            ),
            (
                AeadAlgorithm::Chacha20Poly1305,
                ContentType::HANDSHAKE,
                KAT_CHACHA20_POLY1305,
            ),
        ] {
            let (mut encrypter, mut decrypter) = pair(aead);
            encrypter.key.seq = KAT_SEQ;
            decrypter.key.seq = KAT_SEQ;
            let record = unhex(expected);
            assert_eq!(seal(&mut encrypter, typ, KAT_PAYLOAD), record, "{aead:?}");
            assert_eq!(
                open(&mut decrypter, &record),
                Ok((typ, KAT_PAYLOAD.to_vec())),
                "{aead:?}"
            );
        }
    }

    /// Builds the expected AES-128-GCM record from RFC 5246, Section 6.2.3.3
    /// and RFC 5288, Section 3 with ring directly, sharing no code with `seal`.
    #[test]
    fn aes_gcm_record_matches_a_construction_from_the_rfc_text() {
        let key = [0x5c; 16];
        let salt = [0xde, 0xad, 0xbe, 0xef];
        let payload = b"sixteen bytes!!!and some more";
        let mut encrypter = Tls12Encrypter::new(AeadAlgorithm::Aes128Gcm, &key, &salt).unwrap();
        encrypter.key.seq = 0x0102_0304_0506_0708;

        let seq = [1, 2, 3, 4, 5, 6, 7, 8];
        // seq_num || type || version || length, the length being the plaintext's (29).
        let mut aad = seq.to_vec();
        aad.extend_from_slice(&[0x17, 0x03, 0x03, 0x00, 29]);
        let mut nonce = salt.to_vec();
        nonce.extend_from_slice(&seq);
        let ring_key =
            aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &key).unwrap());
        let mut sealed = payload.to_vec();
        ring_key
            .seal_in_place_append_tag(
                aead::Nonce::try_assume_unique_for_key(&nonce).unwrap(),
                aead::Aad::from(&aad),
                &mut sealed,
            )
            .unwrap();
        // The record length is 8 + 29 + 16 = 53.
        let mut expected = vec![0x17, 0x03, 0x03, 0x00, 53];
        expected.extend_from_slice(&seq);
        expected.extend_from_slice(&sealed);

        assert_eq!(
            seal(&mut encrypter, ContentType::APPLICATION_DATA, payload),
            expected
        );

        // Authenticating the record length instead of the plaintext length is
        // the classic mistake: such a record must not open.
        let mut wrong_aad = aad.clone();
        wrong_aad[12] = 53;
        let mut sealed = payload.to_vec();
        ring_key
            .seal_in_place_append_tag(
                aead::Nonce::try_assume_unique_for_key(&nonce).unwrap(),
                aead::Aad::from(&wrong_aad),
                &mut sealed,
            )
            .unwrap();
        let mut wrong = expected[..HEADER_LEN + 8].to_vec();
        wrong.extend_from_slice(&sealed);
        let mut decrypter = Tls12Decrypter::new(AeadAlgorithm::Aes128Gcm, &key, &salt).unwrap();
        decrypter.key.seq = 0x0102_0304_0506_0708;
        assert_eq!(open(&mut decrypter, &wrong), Err(Error::DecryptFailed));
    }

    #[test]
    fn aes_gcm_opens_any_explicit_nonce_the_peer_chose() {
        // RFC 5288, Section 3 lets the sender choose nonce_explicit freely; a
        // peer using, say, a random one must interoperate.
        let key = [0x11; 32];
        let salt = [9, 8, 7, 6];
        let explicit = [0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88];
        let ring_key =
            aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &key).unwrap());
        let mut nonce = salt.to_vec();
        nonce.extend_from_slice(&explicit);
        // Sequence number 0, alert, 0x0303, length 2.
        let aad = [0, 0, 0, 0, 0, 0, 0, 0, 0x15, 0x03, 0x03, 0x00, 0x02];
        let mut sealed = vec![1, 0];
        ring_key
            .seal_in_place_append_tag(
                aead::Nonce::try_assume_unique_for_key(&nonce).unwrap(),
                aead::Aad::from(aad),
                &mut sealed,
            )
            .unwrap();
        let mut body = explicit.to_vec();
        body.extend_from_slice(&sealed);

        let mut decrypter = Tls12Decrypter::new(AeadAlgorithm::Aes256Gcm, &key, &salt).unwrap();
        assert_eq!(
            open(&mut decrypter, &reframed(0x15, &body)),
            Ok((ContentType::ALERT, vec![1, 0]))
        );
    }

    #[test]
    fn interoperates_with_rustls() {
        use rustls::crypto::cipher::{InboundOpaqueMessage, OutboundPlainMessage};
        use rustls::crypto::ring::cipher_suite;

        // rustls only takes 32-byte keys through its public API, so this covers
        // AES-256-GCM and ChaCha20-Poly1305. Its GCM encrypter XORs the
        // sequence number into `salt || extra`; with `extra` zero, it sends the
        // sequence number as nonce_explicit, as we do.
        for (suite, aead) in [
            (
                cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                AeadAlgorithm::Aes256Gcm,
            ),
            (
                cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                AeadAlgorithm::Chacha20Poly1305,
            ),
        ] {
            let rustls::SupportedCipherSuite::Tls12(suite) = suite else {
                panic!("not a TLS 1.2 suite");
            };
            let key: [u8; 32] = core::array::from_fn(|i| (i * 3) as u8);
            let iv: Vec<u8> = (0..fixed_iv_len(aead) as u8).map(|i| 0x80 | i).collect();
            let mut theirs_out = suite.aead_alg.encrypter(key.into(), &iv, &[0; 8]);
            let mut theirs_in = suite.aead_alg.decrypter(key.into(), &iv);
            let (mut ours_out, mut ours_in) = (
                Tls12Encrypter::new(aead, &key, &iv).unwrap(),
                Tls12Decrypter::new(aead, &key, &iv).unwrap(),
            );

            for (seq, len) in [(0u64, 0usize), (1, 1), (2, 300), (3, MAX_PLAINTEXT)] {
                let payload: Vec<u8> = (0..len).map(|i| (i * 13) as u8).collect();
                let theirs = theirs_out
                    .encrypt(
                        OutboundPlainMessage {
                            typ: rustls::ContentType::ApplicationData,
                            version: rustls::ProtocolVersion::TLSv1_2,
                            payload: payload[..].into(),
                        },
                        seq,
                    )
                    .unwrap()
                    .encode();
                let ours = seal(&mut ours_out, ContentType::APPLICATION_DATA, &payload);
                assert_eq!(ours, theirs, "{aead:?} record {seq}");

                assert_eq!(
                    open(&mut ours_in, &theirs),
                    Ok((ContentType::APPLICATION_DATA, payload.clone()))
                );
                let mut body = ours[HEADER_LEN..].to_vec();
                let message = InboundOpaqueMessage::new(
                    rustls::ContentType::ApplicationData,
                    rustls::ProtocolVersion::TLSv1_2,
                    &mut body,
                );
                let plain = theirs_in.decrypt(message, seq).unwrap();
                assert_eq!(plain.payload, &payload[..], "{aead:?} record {seq}");
            }
        }
    }

    #[test]
    fn round_trips_in_place_for_every_aead() {
        for aead in AEADS {
            let (mut encrypter, mut decrypter) = pair(aead);
            let explicit = if aead == AeadAlgorithm::Chacha20Poly1305 {
                0
            } else {
                GCM_EXPLICIT_NONCE_LEN
            };
            for typ in [
                ContentType::HANDSHAKE,
                ContentType::ALERT,
                ContentType::APPLICATION_DATA,
            ] {
                for len in [0, 1, 1000, MAX_PLAINTEXT] {
                    let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
                    let mut record = seal(&mut encrypter, typ, &payload);
                    assert_eq!(record.len(), HEADER_LEN + explicit + len + 16, "{aead:?}");
                    assert_eq!(record[0], typ.0);
                    if len > 0 {
                        assert_ne!(record[HEADER_LEN + explicit..][..len], payload[..]);
                    }

                    let (header, body) = record.split_at_mut(HEADER_LEN);
                    let header: [u8; HEADER_LEN] = (&*header).try_into().unwrap();
                    let ciphertext_at = body[explicit..].as_ptr();
                    let plain = decrypter.open_in_place(&header, body).unwrap();
                    // Decrypted where it lay, right after the explicit nonce.
                    assert_eq!(plain.payload.as_ptr(), ciphertext_at, "{aead:?}");
                    assert_eq!(
                        (plain.typ, plain.payload, plain.protected),
                        (typ, &payload[..], true),
                        "{aead:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn aes_gcm_explicit_nonce_is_the_sequence_number() {
        for aead in [AeadAlgorithm::Aes128Gcm, AeadAlgorithm::Aes256Gcm] {
            let (mut encrypter, _) = pair(aead);
            for seq in 0u64..3 {
                let record = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"abc");
                // Header: application_data, 0x0303, 8 + 3 + 16 bytes.
                assert_eq!(record[..HEADER_LEN], [0x17, 0x03, 0x03, 0x00, 27]);
                assert_eq!(record[HEADER_LEN..][..8], seq.to_be_bytes(), "{aead:?}");
            }
            encrypter.key.seq = 0x0a0b_0c0d_0e0f_1011;
            let record = seal(&mut encrypter, ContentType::HANDSHAKE, b"abc");
            assert_eq!(
                record[HEADER_LEN..][..8],
                [0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11]
            );
        }
    }

    #[test]
    fn chacha20_poly1305_records_carry_no_explicit_nonce() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Chacha20Poly1305);
        let first = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"same");
        let second = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"same");
        // Header, 4 bytes of ciphertext, 16 of tag: nothing else.
        assert_eq!(first[..HEADER_LEN], [0x17, 0x03, 0x03, 0x00, 20]);
        assert_eq!(first.len(), HEADER_LEN + 20);
        // The nonce still changes with the sequence number.
        assert_ne!(first[HEADER_LEN..], second[HEADER_LEN..]);
        for record in [first, second] {
            assert_eq!(
                open(&mut decrypter, &record),
                Ok((ContentType::APPLICATION_DATA, b"same".to_vec()))
            );
        }
    }

    #[test]
    fn nonce_is_salt_then_counter_or_iv_xor_counter() {
        let counter = 0x0102_0304_0506_0708;
        // RFC 5288, Section 3: salt || nonce_explicit.
        let key = record_key(
            AeadAlgorithm::Aes128Gcm,
            &[0; 16],
            &[0xa0, 0xa1, 0xa2, 0xa3],
        )
        .unwrap();
        assert_eq!(
            key.nonce(counter).as_ref(),
            &[0xa0, 0xa1, 0xa2, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8]
        );
        assert_eq!(
            key.nonce(0).as_ref(),
            &[0xa0, 0xa1, 0xa2, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        // RFC 7905, Section 2: the sequence number left-padded with four zero
        // bytes, XORed with the 12-byte IV.
        let key = record_key(AeadAlgorithm::Chacha20Poly1305, &[0; 32], &[0xf0; 12]).unwrap();
        assert_eq!(
            key.nonce(counter).as_ref(),
            &[0xf0, 0xf0, 0xf0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8]
        );
    }

    #[test]
    fn tampering_anywhere_fails_authentication() {
        for aead in AEADS {
            let (mut encrypter, _) = pair(aead);
            let record = seal(
                &mut encrypter,
                ContentType::APPLICATION_DATA,
                b"attack at dawn",
            );
            // Every byte: the header's type, version and length (all in the
            // additional data), the explicit nonce, the ciphertext, the tag.
            for i in 0..record.len() {
                let mut tampered = record.clone();
                tampered[i] ^= 0x01;
                let (_, mut decrypter) = pair(aead);
                let err = open(&mut decrypter, &tampered).unwrap_err();
                assert_eq!(err, Error::DecryptFailed, "{aead:?} byte {i}");
                assert_eq!(err.alert(), Some(AlertDescription::BAD_RECORD_MAC));
            }
            // Truncated, with the header length following: empty, shorter than
            // the explicit nonce, shorter than nonce and tag, one byte short.
            let body = &record[HEADER_LEN..];
            for len in [0, 5, overhead(aead) - 1, body.len() - 1] {
                let (_, mut decrypter) = pair(aead);
                let truncated = reframed(0x17, &body[..len]);
                assert_eq!(
                    open(&mut decrypter, &truncated),
                    Err(Error::DecryptFailed),
                    "{aead:?} length {len}"
                );
            }
        }
    }

    #[test]
    fn replayed_or_reordered_records_fail_authentication() {
        for aead in AEADS {
            let (mut encrypter, mut decrypter) = pair(aead);
            let first = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"one");
            let second = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"two");
            // Out of order: the second record is opened as sequence number 0.
            // For AES-GCM the nonce is right (it is sent), but the sequence
            // number in the additional data is not.
            let (_, mut fresh) = pair(aead);
            assert_eq!(open(&mut fresh, &second), Err(Error::DecryptFailed));
            // Replayed: the first record again, as sequence number 1.
            assert!(open(&mut decrypter, &first).is_ok());
            assert_eq!(open(&mut decrypter, &first), Err(Error::DecryptFailed));
        }
    }

    #[test]
    fn wrong_key_or_iv_fails_authentication() {
        for aead in AEADS {
            let (mut encrypter, _) = pair(aead);
            let record = seal(&mut encrypter, ContentType::HANDSHAKE, b"hello");
            let (key, iv) = kat_key(aead);
            let mut other_key = key.clone();
            other_key[0] ^= 1;
            let mut other_iv = iv.clone();
            other_iv[1] ^= 1;
            let mut wrong_key = Tls12Decrypter::new(aead, &other_key, &iv).unwrap();
            let mut wrong_iv = Tls12Decrypter::new(aead, &key, &other_iv).unwrap();
            assert_eq!(open(&mut wrong_key, &record), Err(Error::DecryptFailed));
            assert_eq!(open(&mut wrong_iv, &record), Err(Error::DecryptFailed));
        }
    }

    #[test]
    fn authentic_plaintext_over_2_pow_14_is_record_overflow() {
        for aead in AEADS {
            let (mut encrypter, mut decrypter) = pair(aead);
            let mut out = Vec::new();
            encrypter
                .seal(
                    ContentType::APPLICATION_DATA,
                    &[1; MAX_PLAINTEXT + 1],
                    &mut out,
                )
                .unwrap();
            let overflow = Error::RecordOverflow {
                len: MAX_PLAINTEXT + 1,
                max: MAX_PLAINTEXT,
            };
            let err = open(&mut decrypter, &out).unwrap_err();
            assert_eq!(err, overflow);
            assert_eq!(err.alert(), Some(AlertDescription::RECORD_OVERFLOW));

            // Through the deframer: within 2^14 + 2048, so the header passes,
            // and the record is refused once decrypted.
            let (_, decrypter) = pair(aead);
            let mut decrypter = RecordDecrypter::Tls12(decrypter);
            let mut deframer = Deframer::default();
            deframer.push(&out).unwrap();
            assert_eq!(deframer.next_record(&mut decrypter), Err(overflow));
        }
    }

    #[test]
    fn oversized_payload_and_change_cipher_spec_are_not_sealed() {
        let (mut encrypter, _) = pair(AeadAlgorithm::Aes128Gcm);
        let mut out = vec![1, 2, 3];
        for (typ, payload) in [
            (ContentType::APPLICATION_DATA, &[0; MAX_PLAINTEXT + 1][..]),
            (ContentType::CHANGE_CIPHER_SPEC, &[1][..]),
        ] {
            let err = encrypter.seal_record(typ, payload, &mut out).unwrap_err();
            assert!(matches!(err, Error::Internal(_)), "{typ}");
        }
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(encrypter.records_sealed(), 0);
    }

    #[test]
    fn change_cipher_spec_and_unknown_headers_are_not_opened() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Aes128Gcm);
        let record = seal(&mut encrypter, ContentType::HANDSHAKE, b"x");
        let mut ccs = record.clone();
        ccs[0] = ContentType::CHANGE_CIPHER_SPEC.0;
        assert_eq!(
            open(&mut decrypter, &ccs),
            Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into())
        );
        let mut unknown = record.clone();
        unknown[0] = 99;
        assert_eq!(
            open(&mut decrypter, &unknown),
            Err(InvalidMessage::UnknownContentType(99).into())
        );
        // Neither used up a sequence number.
        assert_eq!(decrypter.records_opened(), 0);
        assert_eq!(
            open(&mut decrypter, &record),
            Ok((ContentType::HANDSHAKE, b"x".to_vec()))
        );
    }

    #[test]
    fn seal_appends_after_existing_output() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Aes256Gcm);
        let mut out = b"earlier".to_vec();
        encrypter
            .seal_record(ContentType::HANDSHAKE, b"abc", &mut out)
            .unwrap();
        assert_eq!(&out[..7], b"earlier");
        assert_eq!(
            open(&mut decrypter, &out[7..]),
            Ok((ContentType::HANDSHAKE, b"abc".to_vec()))
        );
    }

    #[test]
    fn sequence_numbers_advance_and_never_wrap() {
        for aead in AEADS {
            let (mut encrypter, mut decrypter) = pair(aead);
            let first = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"a");
            let second = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"a");
            assert_eq!(encrypter.records_sealed(), 2);
            open(&mut decrypter, &first).unwrap();
            open(&mut decrypter, &second).unwrap();
            assert_eq!(decrypter.records_opened(), 2);

            encrypter.key.seq = u64::MAX - 1;
            let mut out = Vec::new();
            encrypter
                .seal_record(ContentType::APPLICATION_DATA, b"last", &mut out)
                .unwrap();
            let before = out.len();
            assert!(matches!(
                encrypter.seal_record(ContentType::APPLICATION_DATA, b"wraps", &mut out),
                Err(Error::Internal(_))
            ));
            assert_eq!(out.len(), before, "{aead:?}");
            assert_eq!(encrypter.records_sealed(), u64::MAX);

            decrypter.key.seq = u64::MAX - 1;
            assert_eq!(
                open(&mut decrypter, &out),
                Ok((ContentType::APPLICATION_DATA, b"last".to_vec()))
            );
            assert!(matches!(
                open(&mut decrypter, &out),
                Err(Error::Internal(_))
            ));
        }
    }

    #[test]
    fn wrong_iv_or_key_length_is_refused() {
        for (aead, key_len, iv_len) in [
            (AeadAlgorithm::Aes128Gcm, 16, 12),
            (AeadAlgorithm::Aes128Gcm, 16, 0),
            (AeadAlgorithm::Aes256Gcm, 32, 8),
            (AeadAlgorithm::Chacha20Poly1305, 32, 4),
            (AeadAlgorithm::Chacha20Poly1305, 32, 13),
            (AeadAlgorithm::Aes256Gcm, 16, 4),
            (AeadAlgorithm::Chacha20Poly1305, 31, 12),
        ] {
            let (key, iv) = (vec![0; key_len], vec![0; iv_len]);
            assert!(
                matches!(
                    Tls12Encrypter::new(aead, &key, &iv),
                    Err(Error::Internal(_))
                ),
                "{aead:?} {key_len} {iv_len}"
            );
            assert!(matches!(
                Tls12Decrypter::new(aead, &key, &iv),
                Err(Error::Internal(_))
            ));
        }
        for aead in AEADS {
            let (key, iv) = (vec![0; aead.key_len()], vec![0; fixed_iv_len(aead)]);
            assert!(Tls12Encrypter::new(aead, &key, &iv).is_ok());
        }
    }

    #[test]
    fn debug_does_not_show_keys() {
        let (encrypter, decrypter) = pair(AeadAlgorithm::Aes128Gcm);
        for text in [format!("{encrypter:?}"), format!("{decrypter:?}")] {
            assert!(
                text.contains("Aes128Gcm") && text.contains("seq: 0"),
                "{text}"
            );
            // The key is 00 01 02 ... and the salt a0 a1 a2 a3.
            let lower = text.to_lowercase();
            assert!(!lower.contains("a0") && !lower.contains("160"), "{text}");
            assert!(!lower.contains("[0, 1"), "{text}");
        }
    }
}
