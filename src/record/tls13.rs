//! TLS 1.3 record protection (RFC 8446, Sections 5.2 to 5.5).
//!
//! A protected record is `application_data || 0x0303 || length` on the outside,
//! then the AEAD encryption of `TLSInnerPlaintext = content || type || zeros`,
//! with the 5-byte header itself as additional data, so the header cannot be
//! changed without the record failing authentication.
//!
//! # The per-record nonce
//!
//! AES-GCM and ChaCha20-Poly1305 are stream ciphers with a one-time polynomial
//! MAC. If two records are ever sealed under the same key and nonce, the XOR of
//! the two ciphertexts is the XOR of the two plaintexts, and the two tags give
//! away the MAC key (for GCM, the "forbidden attack"), after which an attacker
//! can forge records at will. So each nonce must be used once per key, ever.
//! RFC 8446, Section 5.3 builds it from the 64-bit record sequence number,
//! left-padded to 12 bytes and XORed with the secret write IV: the sequence
//! number makes it unique under one key, and the IV, derived together with the
//! key, makes it unpredictable and different between connections. We take the
//! sequence number and advance it *before* sealing, so even a failed seal never
//! leaves a nonce to be reused, and we refuse to go on rather than let the
//! counter wrap. The counter restarts at zero only with a new key.
//!
//! # One alert for every authentication failure
//!
//! Whatever is wrong with a protected record (a flipped bit in the header, the
//! ciphertext or the tag, a wrong key, a replayed or reordered record, a
//! truncated body), opening it fails as a whole and becomes
//! [`Error::DecryptFailed`] and the bad_record_mac alert. Nothing about the
//! plaintext is looked at before the tag has verified: the padding and the
//! inner type are only read from authenticated bytes. Earlier TLS versions leaked
//! whether the padding or the MAC was wrong, through different alerts or
//! different timing, and attackers used that difference as an oracle to decrypt
//! records byte by byte (Vaudenay's padding oracle, Lucky Thirteen, POODLE). A
//! single, uniform failure gives them nothing to measure.

use core::fmt;

use ring::aead;

use super::key::RecordKey;
use super::{record_header, PlainRecord, HEADER_LEN, MAX_PLAINTEXT};
use crate::codec::{ContentType, ProtocolVersion};
use crate::crypto::AeadAlgorithm;
use crate::error::{Error, InvalidMessage, PeerMisbehaved};

/// Length of the write IV and of the per-record nonce (RFC 8446, Section 5.3).
pub const IV_LEN: usize = 12;

/// Largest TLSInnerPlaintext: content, type byte and padding (RFC 8446, Section 5.4).
pub const MAX_INNER_PLAINTEXT: usize = MAX_PLAINTEXT + 1;

/// Seals TLS 1.3 records under one traffic key.
pub struct Tls13Encrypter {
    pub(super) key: RecordKey,
}

impl Tls13Encrypter {
    /// Makes an encrypter from a `[sender]_write_key` and `[sender]_write_iv`
    /// (RFC 8446, Section 7.3), starting at sequence number 0.
    ///
    /// Fails only if `key` has the wrong length for `aead`.
    pub fn new(aead: AeadAlgorithm, key: &[u8], iv: &[u8; IV_LEN]) -> Result<Self, Error> {
        Ok(Self {
            key: RecordKey::new(aead, key, iv)?,
        })
    }

    /// Appends one protected record holding `payload` as content of type `typ`
    /// to `out`: header, ciphertext and tag.
    ///
    /// The payload is copied into `out` once and encrypted there; nothing else
    /// is allocated beyond growing `out`. `payload` must be at most 2^14 bytes
    /// (the fragmenter guarantees it). On error `out` is left as it was.
    pub fn seal_record(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if payload.len() > MAX_PLAINTEXT {
            return Err(Error::Internal("record payload longer than 2^14 bytes"));
        }
        self.seal_padded(typ, payload, 0, out)
    }

    /// Seals `content || type || zeros[padding]` (RFC 8446, Section 5.2).
    fn seal_padded(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        padding: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let tag_len = self.key.aead.ring().tag_len();
        let inner_len = payload.len().saturating_add(1).saturating_add(padding);
        let len = u16::try_from(inner_len.saturating_add(tag_len))
            .map_err(|_| Error::Internal("record too long to seal"))?;
        // RFC 8446, Section 5.2: opaque_type is always application_data and
        // legacy_record_version always 0x0303; the header is the additional data.
        let header = record_header(ContentType::APPLICATION_DATA, ProtocolVersion::TLS12, len);
        let nonce = self.key.next_nonce()?;

        let start = out.len();
        out.reserve(HEADER_LEN + usize::from(len));
        out.extend_from_slice(&header);
        let inner_start = out.len();
        out.extend_from_slice(payload);
        out.push(typ.0);
        // RFC 8446, Section 5.4: padding octets MUST be zero.
        out.resize(out.len().saturating_add(padding), 0);
        let key = &self.key.key;
        match out.get_mut(inner_start..).and_then(|inner| {
            key.seal_in_place_separate_tag(nonce, aead::Aad::from(header), inner)
                .ok()
        }) {
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

impl fmt::Debug for Tls13Encrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.debug("Tls13Encrypter", f)
    }
}

/// Opens TLS 1.3 records under one traffic key.
pub struct Tls13Decrypter {
    key: RecordKey,
}

impl Tls13Decrypter {
    /// Makes a decrypter from the peer's `[sender]_write_key` and
    /// `[sender]_write_iv` (RFC 8446, Section 7.3), starting at sequence number 0.
    ///
    /// Fails only if `key` has the wrong length for `aead`.
    pub fn new(aead: AeadAlgorithm, key: &[u8], iv: &[u8; IV_LEN]) -> Result<Self, Error> {
        Ok(Self {
            key: RecordKey::new(aead, key, iv)?,
        })
    }

    /// Decrypts one protected record in place and returns its real content
    /// type and content, with the type byte and padding stripped.
    ///
    /// `header` is the record header exactly as received; `body` is
    /// `encrypted_record` and is overwritten with the plaintext. Any
    /// authentication failure is [`Error::DecryptFailed`]; a plaintext over
    /// 2^14 + 1 bytes is [`Error::RecordOverflow`]; all-zero plaintext is
    /// [`InvalidMessage::NoInnerContentType`]; a protected change_cipher_spec is
    /// [`PeerMisbehaved::UnexpectedChangeCipherSpec`].
    pub fn open_in_place<'a>(
        &mut self,
        header: &[u8; HEADER_LEN],
        body: &'a mut [u8],
    ) -> Result<PlainRecord<'a>, Error> {
        // The sequence number moves on only once the record authenticates:
        // a server skipping rejected 0-RTT data (RFC 8446, Section 4.2.10)
        // tries each record under the handshake key and drops those that
        // fail, and the first that opens must still be sequence number 0.
        let nonce = self.key.nonce(self.key.peek_seq()?);
        let plain: &'a [u8] = self
            .key
            .key
            .open_in_place(nonce, aead::Aad::from(*header), body)
            .map_err(|_| Error::DecryptFailed)?;
        self.key.take_seq()?;

        // RFC 8446, Section 5.4: the full TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets.
        if plain.len() > MAX_INNER_PLAINTEXT {
            return Err(Error::RecordOverflow {
                len: plain.len(),
                max: MAX_INNER_PLAINTEXT,
            });
        }

        // RFC 8446, Section 5.4: scan from the end for the first non-zero octet,
        // which is the content type; finding none is unexpected_message.
        let mut unpadded = plain;
        while let [rest @ .., 0] = unpadded {
            unpadded = rest;
        }
        let (&typ, content) = unpadded
            .split_last()
            .ok_or(InvalidMessage::NoInnerContentType)?;
        let typ = ContentType(typ);

        match typ {
            ContentType::HANDSHAKE | ContentType::ALERT | ContentType::APPLICATION_DATA => {
                Ok(PlainRecord {
                    typ,
                    payload: content,
                    protected: true,
                })
            }
            // RFC 8446, Section 5: a protected change_cipher_spec MUST be refused.
            ContentType::CHANGE_CIPHER_SPEC => {
                Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into())
            }
            other => Err(InvalidMessage::UnknownContentType(other.0).into()),
        }
    }

    /// How many records this key has opened (the next sequence number).
    pub fn records_opened(&self) -> u64 {
        self.key.seq
    }
}

impl fmt::Debug for Tls13Decrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.debug("Tls13Decrypter", f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::AlertDescription;
    use crate::record::key::nonce;
    use crate::record::{Deframer, HandshakeJoiner, RecordDecrypter, MAX_TLS13_CIPHERTEXT};

    fn unhex(text: &str) -> Vec<u8> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        hex::decode(digits).unwrap()
    }

    fn unhex_array<const N: usize>(text: &str) -> [u8; N] {
        unhex(text).try_into().unwrap()
    }

    // RFC 8448, Section 3: {server} derive write traffic keys for handshake data.
    const SERVER_HS_KEY: &str = "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc";
    const SERVER_HS_IV: &str = "5d 31 3e b2 67 12 76 ee 13 00 0b 30";
    // RFC 8448, Section 3: {server} derive read traffic keys for handshake data.
    const CLIENT_HS_KEY: &str = "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01";
    const CLIENT_HS_IV: &str = "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f";
    // RFC 8448, Section 3: {client} derive write traffic keys for application data.
    const CLIENT_AP_KEY: &str = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51";
    const CLIENT_AP_IV: &str = "5b 78 92 3d ee 08 57 90 33 e5 23 d9";

    // RFC 8448, Section 3: {server} send handshake record: EncryptedExtensions,
    // Certificate, CertificateVerify and Finished in one record.
    const SERVER_FLIGHT: &str = "
        08 00 00 24 00 22 00 0a 00 14 00 12 00 1d
        00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c 00 02 40
        01 00 00 00 00 0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30
        82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a 86 48 86 f7 0d
        01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61
        30 1e 17 0d 31 36 30 37 33 30 30 31 32 33 35 39 5a 17 0d 32 36
        30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a 06 03 55 04
        03 13 03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 01
        01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4 bb 49 8f 82 79 30
        3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 d3 90 1a
        24 61 ea fd 2d e4 9a 91 d0 15 ab bc 9a 95 13 7a ce 6c 1a f1 9e
        aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52 4b 1b 01
        8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 30 53
        0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0 3e 2b d1 93 ef f0 ab
        9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03 01 00 01
        a3 1a 30 18 30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 1d
        0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05
        00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a 72 67 17
        06 18 a5 4c 5f 8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea e8 f8 a5
        8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72
        60 96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 be c1 fc 63
        a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb 2b d5 20 3b 1c 3b 84
        e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8 96 12 29
        ac 91 87 b4 2b 4d e1 00 00 0f 00 00 84 08 04 00 80 5a 74 7c 5d
        88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a b3
        ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07 86
        53 fa 6b ef 78 0c 5e a2 48 ee aa a7 85 c4 f3 94 ca b6 d3 0b be
        8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44 5c
        9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a 3d
        a5 04 3e 06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3 14 00
        00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c
        30 95 72 cb 7f ff ee 54 54 b7 8f 07 18";
    const SERVER_FLIGHT_RECORD: &str = "
        17 03 03 02 a2 d1 ff 33 4a 56 f5 bf
        f6 59 4a 07 cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3 5e df
        78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca 07 61 2e f9 f9 45
        cb 96 0b 40 68 90 51 23 ea 78 b1 11 b4 29 ba 91 91 cd 05 d2 a3
        89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b
        d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9
        b1 18 3e f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf
        51 42 73 25 25 0c 7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d
        2e d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 60 98 72 55
        cc 74 41 10 c4 53 ba a4 fc d6 10 92 8d 80 98 10 e4 b7 ed 1a 8f
        d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6
        86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 94 41 ac
        66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea
        52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e
        a5 e2 2f 44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6
        54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb
        31 7b 66 d9 02 f4 f2 92 a3 6a c1 b6 39 c6 37 ce 34 31 17 b6 59
        62 22 45 31 7b 49 ee da 0c 62 58 f1 00 d7 d9 61 ff b1 38 64 7e
        92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e 1b 7a 6c 71 78 af
        36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84 c8 b0 37
        8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c
        f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88
        2b d8 9f c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80
        f8 5d f8 81 ed be 5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69
        18 a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb 99 2f 2b 99
        2f 67 f8 af e6 7f 76 91 3f a3 88 cb 56 30 c8 ca 01 e0 c6 5d 11
        c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51
        56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38 eb ba 42
        f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f
        60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd
        d5 02 78 40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af
        93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da
        bf 02 53 fe 51 75 be 89 8e 75 0e dc 53 37 0d 2b";

    // RFC 8448, Section 3: {client} send handshake record: the client's Finished.
    const CLIENT_FINISHED: &str = "
        14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1
        fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61";
    const CLIENT_FINISHED_RECORD: &str = "
        17 03 03 00 35 75 ec 4d c2 38 cc e6
        0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc 44
        d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7
        26 c4 05 46";

    // RFC 8448, Section 3: {client} send application_data record (sequence 0),
    // then {client} send alert record: close_notify (sequence 1).
    const CLIENT_APP_DATA_RECORD: &str = "
        17 03 03 00 43 a2 3f 70 54 b6 2c 94
        d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b
        98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62
        92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4";
    const CLIENT_ALERT_RECORD: &str = "
        17 03 03 00 13 c9 87 27 60 65 56 66
        b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3";

    fn aes128(key: &str, iv: &str) -> (Tls13Encrypter, Tls13Decrypter) {
        let (key, iv) = (unhex(key), unhex_array(iv));
        let aead = AeadAlgorithm::Aes128Gcm;
        (
            Tls13Encrypter::new(aead, &key, &iv).unwrap(),
            Tls13Decrypter::new(aead, &key, &iv).unwrap(),
        )
    }

    fn pair(aead: AeadAlgorithm) -> (Tls13Encrypter, Tls13Decrypter) {
        let key = vec![0x42; aead.key_len()];
        let iv = [0x24; IV_LEN];
        (
            Tls13Encrypter::new(aead, &key, &iv).unwrap(),
            Tls13Decrypter::new(aead, &key, &iv).unwrap(),
        )
    }

    /// Opens one whole record given as `header || body`.
    fn open(
        decrypter: &mut Tls13Decrypter,
        record: &[u8],
    ) -> Result<(ContentType, Vec<u8>), Error> {
        let mut record = record.to_vec();
        let (header, body) = record.split_at_mut(HEADER_LEN);
        let header: [u8; HEADER_LEN] = (&*header).try_into().unwrap();
        let plain = decrypter.open_in_place(&header, body)?;
        Ok((plain.typ, plain.payload.to_vec()))
    }

    fn seal(encrypter: &mut Tls13Encrypter, typ: ContentType, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encrypter.seal_record(typ, payload, &mut out).unwrap();
        out
    }

    #[test]
    fn rfc8448_server_flight_seals_and_opens() {
        let (mut encrypter, mut decrypter) = aes128(SERVER_HS_KEY, SERVER_HS_IV);
        let (flight, record) = (unhex(SERVER_FLIGHT), unhex(SERVER_FLIGHT_RECORD));
        assert_eq!((flight.len(), record.len()), (657, 679));

        assert_eq!(
            seal(&mut encrypter, ContentType::HANDSHAKE, &flight),
            record
        );
        assert_eq!(
            open(&mut decrypter, &record),
            Ok((ContentType::HANDSHAKE, flight))
        );
    }

    #[test]
    fn rfc8448_client_finished_seals_and_opens() {
        let (mut encrypter, mut decrypter) = aes128(CLIENT_HS_KEY, CLIENT_HS_IV);
        let (finished, record) = (unhex(CLIENT_FINISHED), unhex(CLIENT_FINISHED_RECORD));

        assert_eq!(
            seal(&mut encrypter, ContentType::HANDSHAKE, &finished),
            record
        );
        assert_eq!(
            open(&mut decrypter, &record),
            Ok((ContentType::HANDSHAKE, finished))
        );
    }

    #[test]
    fn rfc8448_client_application_records_use_sequence_0_then_1() {
        let (mut encrypter, mut decrypter) = aes128(CLIENT_AP_KEY, CLIENT_AP_IV);
        let data: Vec<u8> = (0..50).collect();
        let close_notify = [1, 0];

        let app_record = unhex(CLIENT_APP_DATA_RECORD);
        let alert_record = unhex(CLIENT_ALERT_RECORD);
        assert_eq!(
            seal(&mut encrypter, ContentType::APPLICATION_DATA, &data),
            app_record
        );
        assert_eq!(
            seal(&mut encrypter, ContentType::ALERT, &close_notify),
            alert_record
        );
        assert_eq!(encrypter.records_sealed(), 2);

        // Out of order, the alert is opened with sequence 0 and fails.
        let (_, mut fresh) = aes128(CLIENT_AP_KEY, CLIENT_AP_IV);
        assert_eq!(open(&mut fresh, &alert_record), Err(Error::DecryptFailed));

        assert_eq!(
            open(&mut decrypter, &app_record),
            Ok((ContentType::APPLICATION_DATA, data))
        );
        assert_eq!(
            open(&mut decrypter, &alert_record),
            Ok((ContentType::ALERT, close_notify.to_vec()))
        );
        assert_eq!(decrypter.records_opened(), 2);
    }

    #[test]
    fn rfc8448_server_flight_through_deframer_and_joiner() {
        let (_, decrypter) = aes128(SERVER_HS_KEY, SERVER_HS_IV);
        let mut decrypter = RecordDecrypter::Tls13(decrypter);
        let mut deframer = Deframer::default();
        let mut joiner = HandshakeJoiner::default();
        let record = unhex(SERVER_FLIGHT_RECORD);
        // Arrives in two TCP segments.
        let (first, second) = record.split_at(300);
        deframer.push(first).unwrap();
        assert_eq!(deframer.next_record(&mut decrypter), Ok(None));
        deframer.push(second).unwrap();
        let plain = deframer.next_record(&mut decrypter).unwrap().unwrap();
        assert_eq!(plain.typ, ContentType::HANDSHAKE);
        joiner.push(plain.payload).unwrap();

        let mut types = Vec::new();
        let mut joined = Vec::new();
        while let Some(message) = joiner.next_message() {
            types.push(message.typ.0);
            joined.extend_from_slice(&message.encoded);
        }
        assert_eq!(types, [8, 11, 15, 20]);
        assert_eq!(joined, unhex(SERVER_FLIGHT));
        assert_eq!(joiner.check_key_change_boundary(), Ok(()));
    }

    #[test]
    fn round_trips_in_place_for_every_aead() {
        for aead in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::Chacha20Poly1305,
        ] {
            let (mut encrypter, mut decrypter) = pair(aead);
            for len in [0, 1, 1000, MAX_PLAINTEXT] {
                let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
                let record = seal(&mut encrypter, ContentType::APPLICATION_DATA, &payload);
                assert_eq!(record.len(), HEADER_LEN + len + 1 + 16, "{aead:?}");
                if len > 0 {
                    assert_ne!(record[HEADER_LEN..][..len], payload[..], "{aead:?}");
                }
                assert_eq!(
                    open(&mut decrypter, &record),
                    Ok((ContentType::APPLICATION_DATA, payload)),
                    "{aead:?}"
                );
            }
        }
    }

    #[test]
    fn seal_appends_after_existing_output() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Chacha20Poly1305);
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
    fn tampering_anywhere_fails_authentication() {
        let (mut encrypter, _) = pair(AeadAlgorithm::Aes256Gcm);
        let record = seal(
            &mut encrypter,
            ContentType::APPLICATION_DATA,
            b"attack at dawn",
        );
        // Every byte: the header (additional data), the ciphertext, the tag.
        for i in 0..record.len() {
            let mut tampered = record.clone();
            tampered[i] ^= 0x01;
            let (_, mut decrypter) = pair(AeadAlgorithm::Aes256Gcm);
            let err = open(&mut decrypter, &tampered).unwrap_err();
            assert_eq!(err, Error::DecryptFailed, "byte {i}");
            assert_eq!(err.alert(), Some(AlertDescription::BAD_RECORD_MAC));
        }
        // Truncated: shorter than a tag, and missing its last byte.
        for body_len in [0, 5, record.len() - HEADER_LEN - 1] {
            let (_, mut decrypter) = pair(AeadAlgorithm::Aes256Gcm);
            let truncated = &record[..HEADER_LEN + body_len];
            assert_eq!(open(&mut decrypter, truncated), Err(Error::DecryptFailed));
        }
    }

    #[test]
    fn wrong_key_or_iv_fails_authentication() {
        let (mut encrypter, _) = pair(AeadAlgorithm::Aes128Gcm);
        let record = seal(&mut encrypter, ContentType::HANDSHAKE, b"hello");
        let aead = AeadAlgorithm::Aes128Gcm;
        let mut wrong_key = Tls13Decrypter::new(aead, &[0x43; 16], &[0x24; IV_LEN]).unwrap();
        let mut wrong_iv = Tls13Decrypter::new(aead, &[0x42; 16], &[0x25; IV_LEN]).unwrap();
        assert_eq!(open(&mut wrong_key, &record), Err(Error::DecryptFailed));
        assert_eq!(open(&mut wrong_iv, &record), Err(Error::DecryptFailed));
    }

    #[test]
    fn padding_is_removed_and_the_type_found() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Aes128Gcm);
        let mut out = Vec::new();
        encrypter
            .seal_padded(ContentType::ALERT, &[2, 80], 300, &mut out)
            .unwrap();
        assert_eq!(out.len(), HEADER_LEN + 2 + 1 + 300 + 16);
        assert_eq!(
            open(&mut decrypter, &out),
            Ok((ContentType::ALERT, vec![2, 80]))
        );

        // Padding up to the limit with empty content is still application data.
        let mut out = Vec::new();
        encrypter
            .seal_padded(ContentType::APPLICATION_DATA, &[], MAX_PLAINTEXT, &mut out)
            .unwrap();
        assert_eq!(
            open(&mut decrypter, &out),
            Ok((ContentType::APPLICATION_DATA, vec![]))
        );
    }

    #[test]
    fn all_zero_inner_plaintext_is_unexpected_message() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Aes128Gcm);
        let mut out = Vec::new();
        // Content type 0 followed by zeros: no non-zero octet at all.
        encrypter
            .seal_padded(ContentType(0), &[], 10, &mut out)
            .unwrap();
        let err = open(&mut decrypter, &out).unwrap_err();
        assert_eq!(err, InvalidMessage::NoInnerContentType.into());
        assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn unknown_inner_type_is_unexpected_message() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Aes128Gcm);
        let record = seal(&mut encrypter, ContentType(99), b"x");
        assert_eq!(
            open(&mut decrypter, &record),
            Err(InvalidMessage::UnknownContentType(99).into())
        );
    }

    #[test]
    fn inner_plaintext_over_2_pow_14_plus_1_is_record_overflow() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Aes128Gcm);
        let mut out = Vec::new();
        // 2^14 content + type + one byte of padding: authentic, but one byte too long.
        encrypter
            .seal_padded(
                ContentType::APPLICATION_DATA,
                &[1; MAX_PLAINTEXT],
                1,
                &mut out,
            )
            .unwrap();
        assert!(out.len() - HEADER_LEN <= MAX_TLS13_CIPHERTEXT);
        let err = open(&mut decrypter, &out).unwrap_err();
        assert_eq!(
            err,
            Error::RecordOverflow {
                len: MAX_INNER_PLAINTEXT + 1,
                max: MAX_INNER_PLAINTEXT
            }
        );
        assert_eq!(err.alert(), Some(AlertDescription::RECORD_OVERFLOW));
    }

    #[test]
    fn oversized_payload_is_refused_without_output() {
        let (mut encrypter, _) = pair(AeadAlgorithm::Aes128Gcm);
        let mut out = vec![1, 2, 3];
        let err = encrypter
            .seal_record(
                ContentType::APPLICATION_DATA,
                &[0; MAX_PLAINTEXT + 1],
                &mut out,
            )
            .unwrap_err();
        assert!(matches!(err, Error::Internal(_)));
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(encrypter.records_sealed(), 0);
    }

    #[test]
    fn sequence_numbers_advance_and_nonces_differ() {
        let (mut encrypter, _) = pair(AeadAlgorithm::Aes128Gcm);
        let first = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"same");
        let second = seal(&mut encrypter, ContentType::APPLICATION_DATA, b"same");
        assert_eq!(encrypter.records_sealed(), 2);
        assert_eq!(first[..HEADER_LEN], second[..HEADER_LEN]);
        assert_ne!(first[HEADER_LEN..], second[HEADER_LEN..]);

        let iv = [0xf0; IV_LEN];
        assert_eq!(nonce(&iv, 0), iv);
        assert_eq!(
            nonce(&iv, 0x0102_0304_0506_0708),
            [0xf0, 0xf0, 0xf0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8]
        );
        let nonces: std::collections::HashSet<_> = (0..1000).map(|seq| nonce(&iv, seq)).collect();
        assert_eq!(nonces.len(), 1000);
    }

    #[test]
    fn sequence_number_never_wraps() {
        let (mut encrypter, mut decrypter) = pair(AeadAlgorithm::Chacha20Poly1305);
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
        assert_eq!(out.len(), before);
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

    #[test]
    fn wrong_key_length_is_refused() {
        let aead = AeadAlgorithm::Aes256Gcm;
        assert!(Tls13Encrypter::new(aead, &[0; 16], &[0; IV_LEN]).is_err());
        assert!(Tls13Decrypter::new(aead, &[0; 31], &[0; IV_LEN]).is_err());
    }

    #[test]
    fn debug_does_not_show_keys() {
        let (encrypter, decrypter) = aes128(SERVER_HS_KEY, SERVER_HS_IV);
        for text in [format!("{encrypter:?}"), format!("{decrypter:?}")] {
            assert!(
                text.contains("Aes128Gcm") && text.contains("seq: 0"),
                "{text}"
            );
            let lower = text.to_lowercase();
            assert!(!lower.contains("3f") && !lower.contains("5d"), "{text}");
        }
    }
}
