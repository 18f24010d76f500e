//! The TLS 1.3 key schedule (RFC 8446, Section 7), built on ring's HMAC.
//!
//! Secrets are typed by stage, so a traffic secret cannot be asked for before
//! the handshake secret exists, and moving to the next stage consumes the
//! previous one:
//!
//! ```text
//! EarlySecret --(ECDHE)--> HandshakeSecret --(0)--> MasterSecret
//!     |                         |                       |
//!  binder_key       [sender]_handshake_traffic_secret   [sender]_application_traffic_secret_0,
//!                                                       exporter_master_secret, resumption_master_secret
//! ```
//!
//! HKDF (RFC 5869) is written here on `ring::hmac` rather than taken from
//! `ring::hkdf`, because ring's HKDF never shows the pseudorandom key, and TLS
//! needs those bytes: every secret above is an HKDF PRK that the NSS key log
//! must be able to print ([`Secret::as_bytes`]).
//!
//! # Transcript hashes are typed
//!
//! Every derivation from a transcript takes the `ring::digest::Digest` that
//! [`crate::transcript::Transcript::current_hash`] returns. A digest is at most
//! 64 bytes, so those derivations always fit HKDF-Expand-Label's encoding and
//! cannot fail. Only the functions that take arbitrary caller bytes
//! ([`Secret::expand_label`], [`Secret::derive_secret`],
//! [`ExporterSecret::export`]) return a `Result`; nothing here panics.
//!
//! # Secret hygiene
//!
//! An attacker who later reads this process's memory (a core dump, a swapped
//! page, a heap bug elsewhere) must not recover the keys of past connections:
//! that is what forward secrecy promises. Every secret we own is held in
//! [`Zeroizing`] and wiped when dropped, stage transitions consume the previous
//! stage, and `Debug` prints only the hash algorithm, never the bytes. The
//! copies ring makes inside its HMAC keys and tags are beyond our reach: ring
//! does not wipe them (see the crate docs, "Secrets in memory").

use ring::{digest, hmac};
use zeroize::Zeroizing;

use crate::codec::messages::VerifyData;
use crate::crypto::{AeadAlgorithm, HashAlgorithm};
use crate::error::{Error, InvalidMessage, PeerMisbehaved};

/// RFC 8446, Section 7.1: every HkdfLabel label starts with "tls13 ".
const LABEL_PREFIX: &[u8] = b"tls13 ";

/// RFC 8446, Section 5.3: the per-record nonce, and so the IV, is 12 bytes
/// for every TLS 1.3 AEAD.
pub const IV_LEN: usize = 12;

/// The longest hash a suite uses (SHA-384), so the longest secret.
const MAX_HASH_LEN: usize = 48;

/// The longest AEAD key (AES-256-GCM, ChaCha20-Poly1305).
const MAX_KEY_LEN: usize = 32;

/// A secret of the key schedule: an HKDF pseudorandom key and its hash.
///
/// Held inline (a handshake derives about a dozen of them, and a heap
/// allocation for each was a tenth of a handshake's allocations).
pub struct Secret {
    hash: HashAlgorithm,
    /// The secret is the first `hash.output_len()` bytes; the rest are zero.
    bytes: Zeroizing<[u8; MAX_HASH_LEN]>,
}

impl Secret {
    /// Returns HKDF-Extract(salt, ikm) (RFC 5869, Section 2.2).
    pub fn extract(hash: HashAlgorithm, salt: &[u8], ikm: &[u8]) -> Secret {
        let tag = hmac::sign(&hmac::Key::new(hash.hmac(), salt), ikm);
        let mut secret = Secret::zeroed(hash);
        secret.bytes_mut().copy_from_slice(tag.as_ref());
        secret
    }

    /// All zeros, to be filled.
    fn zeroed(hash: HashAlgorithm) -> Secret {
        Secret {
            hash,
            bytes: Zeroizing::new([0; MAX_HASH_LEN]),
        }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.hash.output_len();
        self.bytes.get_mut(..len).unwrap_or_default()
    }

    /// Fills `out` with HKDF-Expand-Label(self, label, context, out.len())
    /// (RFC 8446, Section 7.1).
    ///
    /// Fails with [`Error::Internal`] when HkdfLabel cannot encode the request:
    /// a label over 249 bytes, a context over 255 bytes, or more output than
    /// HKDF-Expand yields (255 hash lengths).
    pub fn expand_label(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        check_hkdf_label(self.hash, label, context, out.len()).map_err(Error::Internal)?;
        self.expand_label_unchecked(label, context, out);
        Ok(())
    }

    /// Returns Derive-Secret(self, label, Messages), given
    /// `transcript_hash` = Transcript-Hash(Messages) (RFC 8446, Section 7.1).
    ///
    /// Fails with [`Error::Internal`] if the label is over 249 bytes or the
    /// hash is not as long as this secret's hash: a transcript hashed with
    /// another suite's hash would silently give wrong keys.
    pub fn derive_secret(&self, label: &[u8], transcript_hash: &[u8]) -> Result<Secret, Error> {
        if transcript_hash.len() != self.hash.output_len() {
            return Err(Error::Internal(
                "transcript hash length differs from the key schedule's hash",
            ));
        }
        check_hkdf_label(self.hash, label, transcript_hash, self.hash.output_len())
            .map_err(Error::Internal)?;
        Ok(self.expand_to_secret(label, transcript_hash))
    }

    /// Returns the secret's bytes.
    ///
    /// Meant for the NSS key log (SSLKEYLOGFILE) only: every copy made from
    /// here escapes zeroization.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.hash.output_len()).unwrap_or_default()
    }

    /// Returns Derive-Secret(self, label, Messages) for one of this module's
    /// constant labels, given Transcript-Hash(Messages).
    fn derive(&self, label: &'static [u8], transcript_hash: &digest::Digest) -> Secret {
        self.expand_to_secret(label, transcript_hash.as_ref())
    }

    /// Returns HKDF-Expand-Label(self, label, context, Hash.length), trusting
    /// the caller as [`Secret::expand_label_unchecked`] does.
    fn expand_to_secret(&self, label: &[u8], context: &[u8]) -> Secret {
        let mut secret = Secret::zeroed(self.hash);
        self.expand_label_unchecked(label, context, secret.bytes_mut());
        secret
    }

    /// Returns the secret of the next stage: HKDF-Extract(Derive-Secret(self,
    /// "derived", ""), ikm) (RFC 8446, Section 7.1).
    fn extract_next_stage(&self, ikm: &[u8]) -> Secret {
        let salt = self.derive(b"derived", &self.hash.empty_hash());
        Secret::extract(self.hash, salt.as_bytes(), ikm)
    }

    /// Returns the key of a Finished message or PSK binder whose BaseKey is
    /// this secret (RFC 8446, Section 4.4.4): HMAC keyed with
    /// finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length).
    fn finished_key(&self) -> hmac::Key {
        let finished_key = self.expand_to_secret(b"finished", &[]);
        hmac::Key::new(self.hash.hmac(), finished_key.as_bytes())
    }

    /// Returns the verify_data (or binder) over `transcript_hash` for this
    /// BaseKey (RFC 8446, Section 4.4.4).
    fn finished_mac(&self, transcript_hash: &digest::Digest) -> hmac::Tag {
        hmac::sign(&self.finished_key(), transcript_hash.as_ref())
    }

    /// Fills `out` with HKDF-Expand-Label(self, label, context, out.len()),
    /// trusting the caller that HkdfLabel can encode it: either the inputs come
    /// from this module (a constant label, a digest or empty context, a key, IV
    /// or hash length of output), or [`check_hkdf_label`] has passed.
    fn expand_label_unchecked(&self, label: &[u8], context: &[u8], out: &mut [u8]) {
        // RFC 8446, Section 7.1:
        //   struct {
        //       uint16 length = Length;
        //       opaque label<7..255> = "tls13 " + Label;
        //       opaque context<0..255> = Context;
        //   } HkdfLabel;
        // The casts cannot truncate once the bounds above hold.
        let length = (out.len() as u16).to_be_bytes();
        let label_len = [LABEL_PREFIX.len().saturating_add(label.len()) as u8];
        let context_len = [context.len() as u8];
        let hkdf_label: [&[u8]; 6] = [
            &length,
            &label_len,
            LABEL_PREFIX,
            label,
            &context_len,
            context,
        ];
        self.expand(&hkdf_label, out);
    }

    /// Fills `out` with HKDF-Expand(self, info, out.len()) (RFC 5869, Section
    /// 2.3), where `info` is the concatenation of its pieces, so HkdfLabel is
    /// never copied into a buffer.
    ///
    /// Output beyond 255 blocks is left untouched: callers check the length.
    fn expand(&self, info: &[&[u8]], out: &mut [u8]) {
        let key = hmac::Key::new(self.hash.hmac(), self.as_bytes());
        let mut previous: Option<hmac::Tag> = None;
        // RFC 5869, Section 2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), with
        // T(0) empty and the counter i a single byte from 1 to 255.
        for (block, counter) in out.chunks_mut(self.hash.output_len()).zip(1..=u8::MAX) {
            let mut ctx = hmac::Context::with_key(&key);
            if let Some(previous) = &previous {
                ctx.update(previous.as_ref());
            }
            info.iter().for_each(|piece| ctx.update(piece));
            ctx.update(&[counter]);
            let tag = ctx.sign();
            block
                .iter_mut()
                .zip(tag.as_ref())
                .for_each(|(o, t)| *o = *t);
            previous = Some(tag);
        }
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Secret")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Returns why HKDF-Expand-Label(secret, label, context, out_len) cannot be
/// computed, if it cannot: HkdfLabel holds at most 255 bytes of "tls13 " +
/// label and 255 bytes of context (RFC 8446, Section 7.1), and HKDF-Expand
/// yields at most 255 hash lengths (RFC 5869, Section 2.3).
fn check_hkdf_label(
    hash: HashAlgorithm,
    label: &[u8],
    context: &[u8],
    out_len: usize,
) -> Result<(), &'static str> {
    if LABEL_PREFIX.len().saturating_add(label.len()) > usize::from(u8::MAX) {
        return Err("HKDF-Expand-Label label longer than 249 bytes");
    }
    if context.len() > usize::from(u8::MAX) {
        return Err("HKDF-Expand-Label context longer than 255 bytes");
    }
    if out_len > usize::from(u8::MAX).saturating_mul(hash.output_len()) {
        return Err("HKDF-Expand output longer than 255 hash lengths");
    }
    Ok(())
}

/// Returns a string of Hash.length zero bytes, the key schedule's "0".
fn zeros(hash: HashAlgorithm) -> &'static [u8] {
    match hash {
        HashAlgorithm::Sha256 => &[0; 32],
        HashAlgorithm::Sha384 => &[0; 48],
    }
}

/// The Early Secret: the key schedule before (EC)DHE.
#[derive(Debug)]
pub struct EarlySecret(Secret);

impl EarlySecret {
    /// Returns the Early Secret for a handshake with this `psk`, or without a
    /// PSK when `None`.
    pub fn new(hash: HashAlgorithm, psk: Option<&[u8]>) -> EarlySecret {
        // RFC 8446, Section 7.1: Early Secret = HKDF-Extract(0, PSK), where a
        // missing PSK is a string of Hash.length zero bytes.
        let ikm = psk.unwrap_or(zeros(hash));
        EarlySecret(Secret::extract(hash, zeros(hash), ikm))
    }

    /// Returns binder_key, the BaseKey of the PSK binders (RFC 8446, Section
    /// 7.1): "ext binder" for an external PSK, "res binder" for a resumption
    /// PSK.
    pub fn binder_key(&self, external: bool) -> BinderKey {
        let label: &'static [u8] = match external {
            true => b"ext binder",
            false => b"res binder",
        };
        BinderKey(self.0.derive(label, &self.0.hash.empty_hash()))
    }

    /// Returns client_early_traffic_secret, given the hash of the
    /// ClientHello (RFC 8446, Section 7.1): the key of 0-RTT early data.
    pub fn client_early_traffic_secret(&self, hello_hash: &digest::Digest) -> TrafficSecret {
        TrafficSecret(self.0.derive(b"c e traffic", hello_hash))
    }

    /// Returns the Handshake Secret, mixing in the (EC)DHE shared secret.
    ///
    /// A psk_ke handshake (no (EC)DHE) passes Hash.length zero bytes.
    pub fn into_handshake_secret(self, shared_secret: &[u8]) -> HandshakeSecret {
        // RFC 8446, Section 7.1: Handshake Secret =
        //   HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE)
        HandshakeSecret(self.0.extract_next_stage(shared_secret))
    }
}

/// The key a PSK binder is computed with (RFC 8446, Section 4.2.11.2).
#[derive(Debug)]
pub struct BinderKey(Secret);

impl BinderKey {
    /// Returns the PskBinderEntry for a ClientHello whose truncated transcript
    /// hashes to `truncated_hello_hash` (RFC 8446, Section 4.2.11.2: computed
    /// like Finished, with the binder key as BaseKey).
    pub fn binder(&self, truncated_hello_hash: &digest::Digest) -> Vec<u8> {
        self.0.finished_mac(truncated_hello_hash).as_ref().to_vec()
    }

    /// Returns `Ok` if `binder` is the right one over `truncated_hello_hash`,
    /// and [`PeerMisbehaved::BadBinder`] otherwise (RFC 8446, Section
    /// 4.2.11: decrypt_error), compared in constant time like a Finished.
    pub fn verify(
        &self,
        truncated_hello_hash: &digest::Digest,
        binder: &[u8],
    ) -> Result<(), Error> {
        hmac::verify(
            &self.0.finished_key(),
            truncated_hello_hash.as_ref(),
            binder,
        )
        .map_err(|_| PeerMisbehaved::BadBinder.into())
    }
}

/// The Handshake Secret: the key schedule after (EC)DHE.
#[derive(Debug)]
pub struct HandshakeSecret(Secret);

impl HandshakeSecret {
    /// Returns client_handshake_traffic_secret, given the transcript hash of
    /// ClientHello...ServerHello.
    pub fn client_handshake_traffic_secret(&self, hello_hash: &digest::Digest) -> TrafficSecret {
        TrafficSecret(self.0.derive(b"c hs traffic", hello_hash))
    }

    /// Returns server_handshake_traffic_secret, given the transcript hash of
    /// ClientHello...ServerHello.
    pub fn server_handshake_traffic_secret(&self, hello_hash: &digest::Digest) -> TrafficSecret {
        TrafficSecret(self.0.derive(b"s hs traffic", hello_hash))
    }

    /// Returns the Master Secret.
    pub fn into_master_secret(self) -> MasterSecret {
        // RFC 8446, Section 7.1: Master Secret =
        //   HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0)
        MasterSecret(self.0.extract_next_stage(zeros(self.0.hash)))
    }
}

/// The Master Secret: the source of the application traffic secrets.
#[derive(Debug)]
pub struct MasterSecret(Secret);

impl MasterSecret {
    /// Returns client_application_traffic_secret_0, given the transcript hash
    /// of ClientHello...server Finished.
    pub fn client_application_traffic_secret_0(&self, hash: &digest::Digest) -> TrafficSecret {
        TrafficSecret(self.0.derive(b"c ap traffic", hash))
    }

    /// Returns server_application_traffic_secret_0, given the transcript hash
    /// of ClientHello...server Finished.
    pub fn server_application_traffic_secret_0(&self, hash: &digest::Digest) -> TrafficSecret {
        TrafficSecret(self.0.derive(b"s ap traffic", hash))
    }

    /// Returns exporter_master_secret, given the transcript hash of
    /// ClientHello...server Finished.
    pub fn exporter_master_secret(&self, hash: &digest::Digest) -> ExporterSecret {
        ExporterSecret(self.0.derive(b"exp master", hash))
    }

    /// Returns resumption_master_secret, given the transcript hash of
    /// ClientHello...client Finished.
    pub fn resumption_master_secret(&self, hash: &digest::Digest) -> ResumptionMasterSecret {
        ResumptionMasterSecret(self.0.derive(b"res master", hash))
    }
}

/// resumption_master_secret: the source of each ticket's PSK (RFC 8446,
/// Section 4.6.1).
#[derive(Debug)]
pub struct ResumptionMasterSecret(Secret);

impl ResumptionMasterSecret {
    /// The PSK of the ticket with `ticket_nonce` (at most 255 bytes):
    /// HKDF-Expand-Label(resumption_master_secret, "resumption",
    /// ticket_nonce, Hash.length).
    pub fn ticket_psk(&self, ticket_nonce: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut psk = Zeroizing::new(vec![0; self.0.hash.output_len()]);
        self.0.expand_label(b"resumption", ticket_nonce, &mut psk)?;
        Ok(psk)
    }
}

/// A traffic secret: one direction's record keys and Finished key for one
/// epoch (RFC 8446, Section 7.3).
#[derive(Debug)]
pub struct TrafficSecret(Secret);

/// The record protection key and IV derived from a traffic secret.
pub struct TrafficKeys {
    /// The AEAD key: HKDF-Expand-Label(Secret, "key", "", key_length).
    pub key: Zeroizing<Vec<u8>>,
    /// The IV the per-record nonce is made from: HKDF-Expand-Label(Secret,
    /// "iv", "", iv_length).
    pub iv: Zeroizing<[u8; IV_LEN]>,
}

impl core::fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrafficKeys").finish_non_exhaustive()
    }
}

impl TrafficSecret {
    /// Returns the record protection key and IV for `aead` (RFC 8446,
    /// Section 7.3).
    pub fn keys(&self, aead: AeadAlgorithm) -> TrafficKeys {
        self.with_keys(aead, |key, iv| TrafficKeys {
            key: Zeroizing::new(key.to_vec()),
            iv: Zeroizing::new(*iv),
        })
    }

    /// Derives the record protection key and IV for `aead` on the stack,
    /// hands them to `install`, and wipes them: [`TrafficSecret::keys`]
    /// without the allocation, for the connection installing its keys.
    pub(crate) fn with_keys<T>(
        &self,
        aead: AeadAlgorithm,
        install: impl FnOnce(&[u8], &[u8; IV_LEN]) -> T,
    ) -> T {
        let mut key = Zeroizing::new([0; MAX_KEY_LEN]);
        let key = key.get_mut(..aead.key_len()).unwrap_or_default();
        self.0.expand_label_unchecked(b"key", &[], key);
        let mut iv = Zeroizing::new([0; IV_LEN]);
        self.0.expand_label_unchecked(b"iv", &[], &mut *iv);
        install(key, &iv)
    }

    /// Returns the Finished verify_data over `transcript_hash` (RFC 8446,
    /// Section 4.4.4), with this handshake traffic secret as BaseKey.
    pub fn finished_verify_data(&self, transcript_hash: &digest::Digest) -> VerifyData {
        let tag = self.0.finished_mac(transcript_hash);
        // A tag is at most SHA-512's 64 bytes, as much as VerifyData holds.
        VerifyData::new(tag.as_ref(), "verify_data").unwrap_or_default()
    }

    /// Returns `Ok` if `verify_data` is the peer's correct Finished over
    /// `transcript_hash`, and [`PeerMisbehaved::BadFinished`] otherwise.
    ///
    /// The comparison runs in constant time, so an attacker timing our
    /// rejections learns nothing about how much of a forged Finished matched.
    pub fn verify_finished(
        &self,
        transcript_hash: &digest::Digest,
        verify_data: &[u8],
    ) -> Result<(), Error> {
        // RFC 8446, Section 4.4.4: verify_data is Hash.length bytes; any
        // other length is a malformed message (decode_error), not a wrong
        // value, and the length is public.
        if verify_data.len() != self.0.hash.output_len() {
            return Err(InvalidMessage::LengthOutOfRange("Finished.verify_data").into());
        }
        hmac::verify(
            &self.0.finished_key(),
            transcript_hash.as_ref(),
            verify_data,
        )
        .map_err(|_| PeerMisbehaved::BadFinished.into())
    }

    /// Returns the next traffic secret, for KeyUpdate (RFC 8446, Section
    /// 7.2): application_traffic_secret_N+1 = HKDF-Expand-Label(
    /// application_traffic_secret_N, "traffic upd", "", Hash.length).
    pub fn next(&self) -> TrafficSecret {
        TrafficSecret(self.0.expand_to_secret(b"traffic upd", &[]))
    }

    /// Returns the secret itself (for the NSS key log).
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

/// exporter_master_secret, the source of exported keying material (RFC 8446,
/// Section 7.5).
#[derive(Debug)]
pub struct ExporterSecret(Secret);

impl ExporterSecret {
    /// Fills `out` with TLS-Exporter(label, context, out.len()) (RFC 8446,
    /// Section 7.5).
    ///
    /// RFC 8446, Section 7.5: a missing context and an empty one give the
    /// same output.
    /// Fails with [`Error::ApiMisuse`] for a label over 249 bytes or more
    /// than 255 hash lengths of output.
    pub fn export(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let hash = self.0.hash;
        // The first step's context is Hash(""), shorter than any bound.
        check_hkdf_label(hash, label, &[], out.len()).map_err(Error::ApiMisuse)?;
        // RFC 8446, Section 7.5:
        //   TLS-Exporter(label, context_value, key_length) =
        //       HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
        //                         "exporter", Hash(context_value), key_length)
        let secret = self.0.expand_to_secret(label, hash.empty_hash().as_ref());
        let context_hash = digest::digest(hash.digest(), context);
        secret.expand_label_unchecked(b"exporter", context_hash.as_ref(), out);
        Ok(())
    }

    /// Returns the secret itself (for the NSS key log's EXPORTER_SECRET).
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Transcript;

    const SHA256: HashAlgorithm = HashAlgorithm::Sha256;
    const SHA384: HashAlgorithm = HashAlgorithm::Sha384;

    /// Decodes hex copied from an RFC, ignoring the spaces and line breaks of
    /// its layout.
    fn unhex(text: &str) -> Vec<u8> {
        hex::decode(text.split_whitespace().collect::<String>()).expect("test vector is hex")
    }

    /// Asserts that `actual` is the hex `expected`, printing both as hex.
    #[track_caller]
    fn assert_hex(actual: &[u8], expected: &str) {
        assert_eq!(hex::encode(actual), hex::encode(unhex(expected)));
    }

    /// Returns a secret with known bytes, for known answers that start
    /// midway through the schedule.
    fn known_secret(hash: HashAlgorithm, bytes: &str) -> Secret {
        let mut secret = Secret::zeroed(hash);
        secret.bytes_mut().copy_from_slice(&unhex(bytes));
        secret
    }

    /// Asserts the AES-128-GCM key and IV of `secret` (the suite of RFC 8448).
    #[track_caller]
    fn assert_keys(secret: &TrafficSecret, (key, iv): (&str, &str)) {
        let keys = secret.keys(AeadAlgorithm::Aes128Gcm);
        assert_hex(&keys.key, key);
        assert_hex(&*keys.iv, iv);
    }

    /// Asserts that `secret` computes, and accepts, the verify_data carried in
    /// the Finished message `finished` (hex, with its 4-byte header), and that
    /// its finished_key is `finished_key`.
    #[track_caller]
    fn assert_finished(
        secret: &TrafficSecret,
        transcript: &Transcript,
        finished: &str,
        finished_key: &str,
    ) {
        assert_hex(
            secret.0.expand_to_secret(b"finished", &[]).as_bytes(),
            finished_key,
        );
        let hash = transcript.current_hash().unwrap();
        let message = unhex(finished);
        let verify_data = message.get(4..).unwrap();
        assert_eq!(&*secret.finished_verify_data(&hash), verify_data);
        assert_eq!(secret.verify_finished(&hash, verify_data), Ok(()));
    }

    // RFC 5869, Appendix A, Test Cases 1 to 3 (SHA-256): IKM, salt, info, PRK, OKM.
    const RFC5869_CASES: [[&str; 5]; 3] = [
        [
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "000102030405060708090a0b0c",
            "f0f1f2f3f4f5f6f7f8f9",
            "077709362c2e32df0ddc3f0dc47bba63 90b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a 2d2d0a90cf1a5a4c5db02d56ecc4c5bf
             34007208d5b887185865",
        ],
        [
            "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
             202122232425262728292a2b2c2d2e2f 303132333435363738393a3b3c3d3e3f
             404142434445464748494a4b4c4d4e4f",
            "606162636465666768696a6b6c6d6e6f 707172737475767778797a7b7c7d7e7f
             808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f
             a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
            "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf c0c1c2c3c4c5c6c7c8c9cacbcccdcecf
             d0d1d2d3d4d5d6d7d8d9dadbdcdddedf e0e1e2e3e4e5e6e7e8e9eaebecedeeef
             f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
            "06a6b88c5853361a06104c9ceb35b45c ef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a4934 4f012eda2d4efad8a050cc4c19afa97c
             59045a99cac7827271cb41c65e590e09 da3275600c2f09b8367793a9aca3db71
             cc30c58179ec3e87c14c01d5c1f3434f 1d87",
        ],
        [
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "",
            "",
            "19ef24a32c717b167f33a91d6f648bdf 96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31 b8a11f5c5ee1879ec3454e5f3c738d2d
             9d201395faa4b61a96c8",
        ],
    ];

    #[test]
    fn hkdf_matches_rfc5869_appendix_a() {
        for [ikm, salt, info, prk, okm] in RFC5869_CASES {
            let secret = Secret::extract(SHA256, &unhex(salt), &unhex(ikm));
            assert_hex(secret.as_bytes(), prk);
            let mut out = vec![0; unhex(okm).len()];
            secret.expand(&[&unhex(info)], &mut out);
            assert_hex(&out, okm);
        }
    }

    /// The values RFC 8448 prints for one handshake without a PSK, in hex.
    struct Trace {
        early_secret: &'static str,
        derived_for_handshake: &'static str,
        shared_secret: &'static str,
        handshake_secret: &'static str,
        hello_hash: &'static str,
        client_handshake_traffic_secret: &'static str,
        server_handshake_traffic_secret: &'static str,
        client_handshake_key_iv: (&'static str, &'static str),
        server_handshake_key_iv: (&'static str, &'static str),
        /// EncryptedExtensions, Certificate, CertificateVerify.
        server_flight: [&'static str; 3],
        server_finished: &'static str,
        server_finished_key: &'static str,
        server_finished_hash: &'static str,
        derived_for_master: &'static str,
        master_secret: &'static str,
        client_application_traffic_secret_0: &'static str,
        server_application_traffic_secret_0: &'static str,
        exporter_master_secret: &'static str,
        client_application_key_iv: (&'static str, &'static str),
        server_application_key_iv: (&'static str, &'static str),
        client_finished: &'static str,
        client_finished_key: &'static str,
        client_finished_hash: &'static str,
        resumption_master_secret: &'static str,
    }

    /// Walks the key schedule of `trace`, from a transcript that ends with the
    /// ServerHello, asserting every value RFC 8448 prints; returns the
    /// resumption master secret.
    fn check_trace(trace: &Trace, mut transcript: Transcript) -> ResumptionMasterSecret {
        let hello_hash = transcript.current_hash().unwrap();
        assert_hex(hello_hash.as_ref(), trace.hello_hash);

        let early = EarlySecret::new(SHA256, None);
        assert_hex(early.0.as_bytes(), trace.early_secret);
        let derived = early.0.derive(b"derived", &SHA256.empty_hash());
        assert_hex(derived.as_bytes(), trace.derived_for_handshake);

        let handshake = early.into_handshake_secret(&unhex(trace.shared_secret));
        assert_hex(handshake.0.as_bytes(), trace.handshake_secret);
        let client_handshake = handshake.client_handshake_traffic_secret(&hello_hash);
        let server_handshake = handshake.server_handshake_traffic_secret(&hello_hash);
        assert_hex(
            client_handshake.secret().as_bytes(),
            trace.client_handshake_traffic_secret,
        );
        assert_hex(
            server_handshake.secret().as_bytes(),
            trace.server_handshake_traffic_secret,
        );
        assert_keys(&client_handshake, trace.client_handshake_key_iv);
        assert_keys(&server_handshake, trace.server_handshake_key_iv);

        // RFC 8446, Section 4.4.4: the server's Finished covers ClientHello
        // through CertificateVerify.
        for message in trace.server_flight {
            transcript.add(&unhex(message));
        }
        assert_finished(
            &server_handshake,
            &transcript,
            trace.server_finished,
            trace.server_finished_key,
        );
        transcript.add(&unhex(trace.server_finished));
        let server_finished_hash = transcript.current_hash().unwrap();
        assert_hex(server_finished_hash.as_ref(), trace.server_finished_hash);

        let derived = handshake.0.derive(b"derived", &SHA256.empty_hash());
        assert_hex(derived.as_bytes(), trace.derived_for_master);
        let master = handshake.into_master_secret();
        assert_hex(master.0.as_bytes(), trace.master_secret);
        let client_application = master.client_application_traffic_secret_0(&server_finished_hash);
        let server_application = master.server_application_traffic_secret_0(&server_finished_hash);
        let exporter = master.exporter_master_secret(&server_finished_hash);
        assert_hex(
            client_application.secret().as_bytes(),
            trace.client_application_traffic_secret_0,
        );
        assert_hex(
            server_application.secret().as_bytes(),
            trace.server_application_traffic_secret_0,
        );
        assert_hex(exporter.secret().as_bytes(), trace.exporter_master_secret);
        assert_keys(&client_application, trace.client_application_key_iv);
        assert_keys(&server_application, trace.server_application_key_iv);

        // The client's Finished covers ClientHello through the server's Finished.
        assert_finished(
            &client_handshake,
            &transcript,
            trace.client_finished,
            trace.client_finished_key,
        );
        transcript.add(&unhex(trace.client_finished));
        let client_finished_hash = transcript.current_hash().unwrap();
        assert_hex(client_finished_hash.as_ref(), trace.client_finished_hash);
        let resumption = master.resumption_master_secret(&client_finished_hash);
        assert_hex(resumption.0.as_bytes(), trace.resumption_master_secret);
        resumption
    }

    /// RFC 8448, Section 3: a full handshake, secret by secret.
    #[test]
    fn rfc8448_simple_1rtt_handshake() {
        use rfc8448_section3::*;
        let mut transcript = Transcript::new();
        transcript.add(&unhex(CLIENT_HELLO));
        transcript.start_hash(SHA256);
        transcript.add(&unhex(SERVER_HELLO));
        let resumption = check_trace(&TRACE, transcript);

        // RFC 8446, Section 4.6.1: the PSK of the ticket with nonce 00 00.
        let psk = resumption.ticket_psk(&[0, 0]).unwrap();
        assert_hex(
            &psk,
            "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3",
        );
    }

    /// RFC 8448, Section 5: ClientHello1 is rolled up into message_hash. The
    /// client starts the hash on reading the HelloRetryRequest's suite and then
    /// rolls up; a server may roll up while still buffering. Both must reach the
    /// RFC's hashes.
    #[test]
    fn rfc8448_hello_retry_request() {
        use rfc8448_section5::*;
        let mut client = Transcript::new();
        client.add(&unhex(CLIENT_HELLO1));
        client.start_hash(SHA256);
        client.rollup_hello_retry_request();
        let mut server = Transcript::new();
        server.add(&unhex(CLIENT_HELLO1));
        server.rollup_hello_retry_request();
        for transcript in [&mut client, &mut server] {
            transcript.add(&unhex(HELLO_RETRY_REQUEST));
            transcript.add(&unhex(CLIENT_HELLO2));
            // The server starts its hash here; for the client this is a no-op.
            transcript.start_hash(SHA256);
            transcript.add(&unhex(SERVER_HELLO));
        }
        check_trace(&TRACE, client);
        check_trace(&TRACE, server);
    }

    /// RFC 8448, Section 4: the resumption binder, keyed from the Section 3
    /// ticket's PSK, over the ClientHello truncated before its binders.
    #[test]
    fn rfc8448_resumption_binder() {
        let psk = unhex("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
        let early = EarlySecret::new(SHA256, Some(&psk));
        assert_hex(
            early.0.as_bytes(),
            "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c",
        );
        let binder_key = early.binder_key(false);
        assert_hex(
            binder_key.0.as_bytes(),
            "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256",
        );
        let hash = digest::digest(
            SHA256.digest(),
            &unhex(rfc8448_section4::TRUNCATED_CLIENT_HELLO),
        );
        assert_hex(
            hash.as_ref(),
            "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14",
        );
        assert_hex(
            &binder_key.binder(&hash),
            "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d",
        );
        // The 0-RTT key: client_early_traffic_secret over Hash(ClientHello),
        // and the record it seals the trace's early data "ABCDEF" into.
        let client_hello = [
            unhex(rfc8448_section4::TRUNCATED_CLIENT_HELLO),
            // The binders: their length, then one binder's length and value.
            unhex("0021 20 3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"),
        ]
        .concat();
        let hello_hash = digest::digest(SHA256.digest(), &client_hello);
        assert_hex(
            hello_hash.as_ref(),
            "08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913",
        );
        let early_traffic = early.client_early_traffic_secret(&hello_hash);
        assert_hex(
            early_traffic.secret().as_bytes(),
            "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62",
        );
        assert_keys(
            &early_traffic,
            (
                "920205a5b7bf2115e6fc5c2942834f54",
                "6d475f0993c8e564610db2b9",
            ),
        );
        let keys = early_traffic.keys(AeadAlgorithm::Aes128Gcm);
        let mut sealer =
            crate::record::Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &keys.key, &keys.iv)
                .unwrap();
        let mut record = Vec::new();
        sealer
            .seal_record(
                crate::codec::ContentType::APPLICATION_DATA,
                b"ABCDEF",
                &mut record,
            )
            .unwrap();
        assert_hex(
            &record,
            "1703030017ab1df420e75c457a7cc5d2844f76d5aee4b4edbf049be0",
        );
    }

    #[test]
    fn key_update_matches_openssl() {
        // server_application_traffic_secret_0 of RFC 8448, Section 3, and
        //   openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt mode:EXPAND_ONLY \
        //     -kdfopt hexkey:a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643 \
        //     -kdfopt hexinfo:002011746c73313320747261666669632075706400 HKDF
        // where info is HkdfLabel(32, "tls13 traffic upd", "").
        let secret = TrafficSecret(known_secret(
            SHA256,
            "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
        ));
        assert_hex(
            secret.next().secret().as_bytes(),
            "51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916",
        );
    }

    #[test]
    fn exporter_matches_openssl() {
        // exporter_master_secret of RFC 8448, Section 3, label "EXPORTER-keyway",
        // context "context value", 32 bytes. First Derive-Secret(Secret, label, ""):
        //   openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt mode:EXPAND_ONLY \
        //     -kdfopt hexkey:fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50 \
        //     -kdfopt hexinfo:002015746c733133204558504f525445522d6b657977617920\
        //   e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 HKDF
        //   = 79e1982ea9ba7f7f3d42a61f795b8e8fd6f48bde808edf504b74dad519581921
        // then HKDF-Expand-Label(that, "exporter", SHA-256("context value"), 32):
        //   openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt mode:EXPAND_ONLY \
        //     -kdfopt hexkey:79e1982ea9ba7f7f3d42a61f795b8e8fd6f48bde808edf504b74dad519581921 \
        //     -kdfopt hexinfo:00200e746c733133206578706f7274657220\
        //   815fc3ca76ab0c786043a3f9f33b34d5343ad4c7a170eed23189c47f77444e62 HKDF
        // (openssl's TLS13-KDF with prefix "tls13 " and these labels agrees.)
        let exporter = ExporterSecret(known_secret(
            SHA256,
            "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50",
        ));
        let mut out = [0; 32];
        exporter
            .export(b"EXPORTER-keyway", b"context value", &mut out)
            .unwrap();
        assert_hex(
            &out,
            "e757b2f79351e197a57e9cc7cac4d91829577afd24b7191eb0d0de7eb67cd970",
        );
    }

    #[test]
    fn sha384_schedule_matches_openssl() {
        // Z48 = 48 zero bytes (in hex). The Early Secret without PSK:
        //   openssl kdf -keylen 48 -kdfopt digest:SHA2-384 -kdfopt mode:EXTRACT_ONLY \
        //     -kdfopt hexkey:$Z48 -kdfopt hexsalt:$Z48 HKDF
        let early = EarlySecret::new(SHA384, None);
        assert_hex(
            early.0.as_bytes(),
            "7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e7169
             71f9362f2c2fe2a76bfd78dfec4ea9b5",
        );
        // Derive-Secret(., "derived", ""), with EARLY the value above:
        //   openssl kdf -keylen 48 -kdfopt digest:SHA2-384 -kdfopt mode:EXPAND_ONLY \
        //     -kdfopt hexkey:$EARLY -kdfopt hexinfo:00300d746c73313320646572697665643038b060a751ac96384c\
        //   d9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b HKDF
        assert_hex(
            early.0.derive(b"derived", &SHA384.empty_hash()).as_bytes(),
            "1591dac5cbbf0330a4a84de9c753330e92d01f0a88214b4464972fd668049e93
             e52f2b16fad922fdc0584478428f282b",
        );
        // AES-256-GCM key and IV, and KeyUpdate, taking EARLY as a traffic secret:
        //   ... -keylen 32 ... -kdfopt hexinfo:002009746c733133206b657900 HKDF
        //   ... -keylen 12 ... -kdfopt hexinfo:000c08746c73313320697600 HKDF
        //   ... -keylen 48 ... -kdfopt hexinfo:003011746c73313320747261666669632075706400 HKDF
        let traffic = TrafficSecret(early.0);
        let keys = traffic.keys(AeadAlgorithm::Aes256Gcm);
        assert_hex(
            &keys.key,
            "ebcdc973d6a2f2183366ca8b2fd863591bf528b2524b5cd7c66cf7a70467b6cf",
        );
        assert_hex(&*keys.iv, "22ac56124d171e635cebe14e");
        assert_hex(
            traffic.next().secret().as_bytes(),
            "f88095e8c8849b1399d4ade5457f8e021bcdb98b4c7b7c21ccd50830e09eea0e
             dfea41fda81ae6fa9efafeb91f42ac23",
        );
    }

    #[test]
    fn derive_secret_checks_the_transcript_hash_length() {
        let secret = EarlySecret::new(SHA256, None).0;
        let hash = digest::digest(SHA256.digest(), b"messages");
        let derived = secret.derive_secret(b"c e traffic", hash.as_ref()).unwrap();
        assert_eq!(
            derived.as_bytes(),
            secret.derive(b"c e traffic", &hash).as_bytes()
        );
        let sha384_hash = digest::digest(SHA384.digest(), b"messages");
        assert!(matches!(
            secret.derive_secret(b"c e traffic", sha384_hash.as_ref()),
            Err(Error::Internal(_))
        ));
    }

    #[test]
    fn expand_label_refuses_what_hkdf_label_cannot_encode() {
        let secret = EarlySecret::new(SHA256, None).0;
        let mut out = [0; 32];
        assert!(secret
            .expand_label(&[b'a'; 249], &[0; 255], &mut out)
            .is_ok());
        assert!(secret.expand_label(&[b'a'; 250], &[], &mut out).is_err());
        assert!(secret.expand_label(b"label", &[0; 256], &mut out).is_err());
        let mut longest = vec![0; 255 * 32];
        assert!(secret.expand_label(b"label", &[], &mut longest).is_ok());
        longest.push(0);
        assert!(secret.expand_label(b"label", &[], &mut longest).is_err());
    }

    #[test]
    fn export_refuses_output_hkdf_cannot_give() {
        let exporter = ExporterSecret(EarlySecret::new(SHA256, None).0);
        let mut out = vec![0; 255 * 32 + 1];
        assert!(matches!(
            exporter.export(b"EXPORTER-keyway", b"", &mut out),
            Err(Error::ApiMisuse(_))
        ));
        assert!(matches!(
            exporter.export(&[b'a'; 250], b"", &mut [0; 32]),
            Err(Error::ApiMisuse(_))
        ));
    }

    #[test]
    fn verify_finished_refuses_a_wrong_verify_data() {
        let secret = TrafficSecret(EarlySecret::new(SHA256, None).0);
        let hash = digest::digest(SHA256.digest(), b"messages");
        let mut verify_data = secret.finished_verify_data(&hash);
        verify_data[31] ^= 1;
        assert_eq!(
            secret.verify_finished(&hash, &verify_data),
            Err(PeerMisbehaved::BadFinished.into())
        );
        // RFC 8446, Section 6.2: a message of the wrong length is decode_error.
        for wrong_length in [&verify_data[..31], &[][..], &[0; 33][..]] {
            let err = secret.verify_finished(&hash, wrong_length).unwrap_err();
            assert_eq!(
                err.alert(),
                Some(crate::codec::AlertDescription::DECODE_ERROR)
            );
        }
    }

    #[test]
    fn debug_never_shows_secret_bytes() {
        let traffic = TrafficSecret(EarlySecret::new(SHA256, None).0);
        let keys = traffic.keys(AeadAlgorithm::Aes128Gcm);
        let shown = format!("{traffic:?} {keys:?}");
        assert_eq!(
            shown,
            "TrafficSecret(Secret { hash: Sha256, .. }) TrafficKeys { .. }"
        );
    }

    /// RFC 8448, Section 3 "Simple 1-RTT Handshake": the messages, copied
    /// from the trace, and the values it prints.
    mod rfc8448_section3 {
        use super::Trace;

        pub const TRACE: Trace = Trace {
            early_secret: "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
            derived_for_handshake:
                "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
            shared_secret: "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d",
            handshake_secret: "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac",
            hello_hash: "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8",
            client_handshake_traffic_secret:
                "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
            server_handshake_traffic_secret:
                "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38",
            client_handshake_key_iv: (
                "dbfaa693d1762c5b666af5d950258d01",
                "5bd3c71b836e0b76bb73265f",
            ),
            server_handshake_key_iv: (
                "3fce516009c21727d0f2e4e86ee403bc",
                "5d313eb2671276ee13000b30",
            ),
            server_flight: [ENCRYPTED_EXTENSIONS, CERTIFICATE, CERTIFICATE_VERIFY],
            server_finished: SERVER_FINISHED,
            server_finished_key: "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8",
            server_finished_hash:
                "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13",
            derived_for_master: "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4",
            master_secret: "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919",
            client_application_traffic_secret_0:
                "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5",
            server_application_traffic_secret_0:
                "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
            exporter_master_secret:
                "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50",
            client_application_key_iv: (
                "17422dda596ed5d9acd890e3c63f5051",
                "5b78923dee08579033e523d9",
            ),
            server_application_key_iv: (
                "9f02283b6c9c07efc26bb9f2ac92e356",
                "cf782b88dd83549aadf1e984",
            ),
            client_finished: CLIENT_FINISHED,
            client_finished_key: "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4",
            client_finished_hash:
                "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d",
            resumption_master_secret:
                "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c",
        };

        pub const CLIENT_HELLO: &str = "
            01 00 00 c0 03 03 cb 34 ec b1 e7 81 63
            ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
            02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b
            00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00
            12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23
            00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2
            3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a
            af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03
            02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06
            02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01
        ";
        pub const SERVER_HELLO: &str = "
            02 00 00 56 03 03 a6 af 06 a4 12 18 60
            dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
            d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88
            76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1
            dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04
        ";
        pub const ENCRYPTED_EXTENSIONS: &str = "
            08 00 00 24 00 22 00 0a 00 14 00
            12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c
            00 02 40 01 00 00 00 00
        ";
        pub const CERTIFICATE: &str = "
            0b 00 01 b9 00 00 01 b5 00 01 b0 30 82
            01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a 86 48
            86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03
            72 73 61 30 1e 17 0d 31 36 30 37 33 30 30 31 32 33 35 39 5a 17
            0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a 06
            03 55 04 03 13 03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7
            0d 01 01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4 bb 49 8f
            82 79 30 3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26
            d3 90 1a 24 61 ea fd 2d e4 9a 91 d0 15 ab bc 9a 95 13 7a ce 6c
            1a f1 9e aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52
            4b 1b 01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74
            80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0 3e 2b d1 93
            ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03
            01 00 01 a3 1a 30 18 30 09 06 03 55 1d 13 04 02 30 00 30 0b 06
            03 55 1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d 01
            01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a
            72 67 17 06 18 a5 4c 5f 8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea
            e8 f8 a5 8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01
            51 56 72 60 96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 be
            c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb 2b d5 20 3b
            1c 3b 84 e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8
            96 12 29 ac 91 87 b4 2b 4d e1 00 00
        ";
        pub const CERTIFICATE_VERIFY: &str = "
            0f 00 00 84 08 04 00 80 5a 74 7c
            5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a
            b3 ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07
            86 53 fa 6b ef 78 0c 5e a2 48 ee aa a7 85 c4 f3 94 ca b6 d3 0b
            be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44
            5c 9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a
            3d a5 04 3e 06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3
        ";
        pub const SERVER_FINISHED: &str = "
            14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb
            dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 b7 8f 07
            18
        ";
        pub const CLIENT_FINISHED: &str = "
            14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a
            c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce
            61
        ";
    }

    /// RFC 8448, Section 4 "Resumed 0-RTT Handshake": the ClientHello up to
    /// its binders.
    mod rfc8448_section4 {
        pub const TRUNCATED_CLIENT_HELLO: &str = "
            01 00 01 fc 03 03 1b c3 ce b6 bb
            e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41
            9d 78 76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00
            00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00
            14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04
            00 33 00 26 00 24 00 1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2
            66 98 34 6c 6b e1 64 82 ba dd da fe 05 1a 66 b4 f1 8d 66 8f 0b
            00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03
            06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05
            02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 57
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af
            4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf
            1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60
            97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61
            be 7f d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4
            d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2
            67 7f a5 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb
            f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41
            ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57
            fa d6 aa cb
        ";
    }

    /// RFC 8448, Section 5 "HelloRetryRequest": the messages, copied from the
    /// trace, and the values it prints. The server's Certificate is the one
    /// of Section 3.
    mod rfc8448_section5 {
        use super::rfc8448_section3::CERTIFICATE;
        use super::Trace;

        pub const TRACE: Trace = Trace {
            early_secret: "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
            derived_for_handshake:
                "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
            shared_secret: "c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4",
            handshake_secret: "ce022e5e6e81e50736d773f2d3adfce8220d049bf510f0dbfac927ef4243b148",
            hello_hash: "8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8",
            client_handshake_traffic_secret:
                "158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566",
            server_handshake_traffic_secret:
                "3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1",
            client_handshake_key_iv: (
                "2f1f918663d590e7421149a29d94b0b6",
                "414d5485235e1a688793bd74",
            ),
            server_handshake_key_iv: (
                "4646bfac1712c426cd78d8a24a8a6f6b",
                "c7d395c08d62f297d13768ea",
            ),
            server_flight: [ENCRYPTED_EXTENSIONS, CERTIFICATE, CERTIFICATE_VERIFY],
            server_finished: SERVER_FINISHED,
            server_finished_key: "e7f8bb3ea4b6c30c4710b3d09c3313658117e70b097e850368e2510ca5631f74",
            server_finished_hash:
                "50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da",
            derived_for_master: "ad1cbcd3a0dc7053eeb3ed3a47901d16a9fc63a73c64beb567481a7dfb3a2cb3",
            master_secret: "1131545d0baf79ddce9b87f06945781a57dd18ef378dcd2060f8f9a569027ed8",
            client_application_traffic_secret_0:
                "75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51",
            server_application_traffic_secret_0:
                "5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d",
            exporter_master_secret:
                "7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223",
            client_application_key_iv: (
                "a7eb2a0525eb4331d58fcbf9f7ca2e9c",
                "86e8be227c1bd2b3e39cb444",
            ),
            server_application_key_iv: (
                "f27a5d97bd25550c4823b0f3e5d29388",
                "0dd631f7b71cbbc797c35fe7",
            ),
            client_finished: CLIENT_FINISHED,
            client_finished_key: "81be4131fbb9b6f4471450846f74fd1e68c5224ba7c2a8677f5c53ad226fdc13",
            client_finished_hash:
                "0e8b349158b855fdcd0c11dbbc4e83e43caa6e483c6c65df53151888e50165f4",
            resumption_master_secret:
                "09170c6d472721566f9cf99b08699daff561ec8fb22d5a32c3f94ce009b69975",
        };

        pub const CLIENT_HELLO1: &str = "
            01 00 00 b0 03 03 b0 b1 c5 a5 aa 37 c5
            91 9f 2e d1 d5 c6 ff f7 fc b7 84 97 16 94 5a 2b 8c ee 92 58 a3
            46 67 7b 6f 00 00 06 13 01 13 03 13 02 01 00 00 81 00 00 00 0b
            00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 08 00
            06 00 1d 00 17 00 18 00 33 00 26 00 24 00 1d 00 20 e8 e8 e3 f3
            b9 3a 25 ed 97 a1 4a 7d ca cb 8a 27 2c 62 88 e5 85 c6 48 4d 05
            26 2f ca d0 62 ad 1f 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04
            03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01
            04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01
        ";
        pub const HELLO_RETRY_REQUEST: &str = "
            02 00 00 ac 03 03 cf 21 ad 74 e5 9a 61
            11 be 1d 8c 02 1e 65 b8 91 c2 a2 11 16 7a bb 8c 5e 07 9e 09 e2
            c8 a8 33 9c 00 13 01 00 00 84 00 33 00 02 00 17 00 2c 00 74 00
            72 71 dc d0 4b b8 8b c3 18 91 19 39 8a 00 00 00 00 ee fa fc 76
            c1 46 b8 23 b0 96 f8 aa ca d3 65 dd 00 30 95 3f 4e df 62 56 36
            e5 f2 1b b2 e2 3f cc 65 4b 1b 5b 40 31 8d 10 d1 37 ab cb b8 75
            74 e3 6e 8a 1f 02 5f 7d fa 5d 6e 50 78 1b 5e da 4a a1 5b 0c 8b
            e7 78 25 7d 16 aa 30 30 e9 e7 84 1d d9 e4 c0 34 22 67 e8 ca 0c
            af 57 1f b2 b7 cf f0 f9 34 b0 00 2b 00 02 03 04
        ";
        pub const CLIENT_HELLO2: &str = "
            01 00 01 fc 03 03 b0 b1 c5 a5 aa 37 c5
            91 9f 2e d1 d5 c6 ff f7 fc b7 84 97 16 94 5a 2b 8c ee 92 58 a3
            46 67 7b 6f 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b
            00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 08 00
            06 00 1d 00 17 00 18 00 33 00 47 00 45 00 17 00 41 04 a6 da 73
            92 ec 59 1e 17 ab fd 53 59 64 b9 98 94 d1 3b ef b2 21 b3 de f2
            eb e3 83 0e ac 8f 01 51 81 26 77 c4 d6 d2 23 7e 85 cf 01 d6 91
            0c fb 83 95 4e 76 ba 73 52 83 05 34 15 98 97 e8 06 57 80 00 2b
            00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04
            08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00
            2c 00 74 00 72 71 dc d0 4b b8 8b c3 18 91 19 39 8a 00 00 00 00
            ee fa fc 76 c1 46 b8 23 b0 96 f8 aa ca d3 65 dd 00 30 95 3f 4e
            df 62 56 36 e5 f2 1b b2 e2 3f cc 65 4b 1b 5b 40 31 8d 10 d1 37
            ab cb b8 75 74 e3 6e 8a 1f 02 5f 7d fa 5d 6e 50 78 1b 5e da 4a
            a1 5b 0c 8b e7 78 25 7d 16 aa 30 30 e9 e7 84 1d d9 e4 c0 34 22
            67 e8 ca 0c af 57 1f b2 b7 cf f0 f9 34 b0 00 2d 00 02 01 01 00
            1c 00 02 40 01 00 15 00 af 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        ";
        pub const SERVER_HELLO: &str = "
            02 00 00 77 03 03 bb 34 1d 84 7f d7 89
            c4 7c 38 71 72 dc 0c 9b f1 47 fc ca cb 50 43 d8 6c a4 c5 98 d3
            ff 57 1b 98 00 13 01 00 00 4f 00 33 00 45 00 17 00 41 04 58 3e
            05 4b 7a 66 67 2a e0 20 ad 9d 26 86 fc c8 5b 5a d4 1a 13 4a 0f
            03 ee 72 b8 93 05 2b d8 5b 4c 8d e6 77 6f 5b 04 ac 07 d8 35 40
            ea b3 e3 d9 c5 47 bc 65 28 c4 31 7d 29 46 86 09 3a 6c ad 7d 00
            2b 00 02 03 04
        ";
        pub const ENCRYPTED_EXTENSIONS: &str = "
            08 00 00 18 00 16 00 0a 00 08 00
            06 00 17 00 18 00 1d 00 1c 00 02 40 01 00 00 00 00
        ";
        pub const CERTIFICATE_VERIFY: &str = "
            0f 00 00 84 08 04 00 80 33 ab 13
            d4 46 27 07 23 1b 5d ca e6 c8 19 0b 63 d1 da bc 74 f2 8c 39 53
            70 da 0b 07 e5 b8 30 66 d0 24 6a 31 ac d9 5d f4 75 bf d7 99 a4
            a7 0d 33 ad 93 d3 a3 17 a9 b2 c0 d2 37 a5 68 5b 21 9e 77 41 12
            e3 91 a2 47 60 7d 1a ef f1 bb d0 a3 9f 38 2e e1 a5 fe 88 ae 99
            ec 59 22 8e 64 97 e4 5d 48 ce 27 5a 6d 5e f4 0d 16 9f b6 f9 d3
            3b 05 2e d3 dc dd 6b 5a 48 ba af ff bc b2 90 12 84 15 bd 38
        ";
        pub const SERVER_FINISHED: &str = "
            14 00 00 20 88 63 e6 bf b0 42 0a 92 7f a2
            7f 34 33 6a 70 ae 42 6e 96 8e 3e b8 84 94 5b 96 85 6d ba 39 76
            d1
        ";
        pub const CLIENT_FINISHED: &str = "
            14 00 00 20 23 f5 2f db 07 09 a5 5b d7 f7
            9b 99 1f 25 48 40 87 bc fd 4d 43 80 b1 23 26 a5 2a 28 b2 e3 68
            e1
        ";
    }
}
