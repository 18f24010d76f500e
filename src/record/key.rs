//! What every protected record stream shares, whatever the version: a traffic
//! key, its 12-byte IV and its sequence number.
//!
//! TLS 1.3 (RFC 8446, Section 5.3) and TLS 1.2 with ChaCha20-Poly1305
//! (RFC 7905, Section 2) XOR the sequence number into a 12-byte IV. TLS 1.2
//! AES-GCM (RFC 5288, Section 3) concatenates a 4-byte salt with an 8-byte
//! explicit nonce; with the salt padded to 12 bytes with zeros, XORing the
//! explicit nonce into it gives exactly `salt || nonce_explicit`, so one nonce
//! function serves all three (see the `tls12` module).

use core::fmt;

use ring::aead;
use zeroize::Zeroizing;

use super::tls13::IV_LEN;
use crate::crypto::AeadAlgorithm;
use crate::error::Error;

/// A traffic key, its write IV and its sequence number.
pub(super) struct RecordKey {
    pub(super) aead: AeadAlgorithm,
    /// ring keeps its own copy of the key, which it does not wipe when it
    /// is dropped (ring makes no such promise; see the crate docs).
    pub(super) key: aead::LessSafeKey,
    iv: Zeroizing<[u8; IV_LEN]>,
    /// The sequence number of the next record sealed or opened.
    pub(super) seq: u64,
}

impl RecordKey {
    /// Makes a key starting at sequence number 0; fails only if `key` has the
    /// wrong length for `aead`.
    pub(super) fn new(aead: AeadAlgorithm, key: &[u8], iv: &[u8; IV_LEN]) -> Result<Self, Error> {
        let key = aead::UnboundKey::new(aead.ring(), key)
            .map_err(|_| Error::Internal("record key has the wrong length for its AEAD"))?;
        Ok(Self {
            aead,
            key: aead::LessSafeKey::new(key),
            iv: Zeroizing::new(*iv),
            seq: 0,
        })
    }

    /// Takes the next sequence number, refusing to let it wrap.
    pub(super) fn take_seq(&mut self) -> Result<u64, Error> {
        let seq = self.seq;
        // RFC 8446, Section 5.3 and RFC 5246, Section 6.1: sequence numbers MUST
        // NOT wrap. A TLS 1.3 connection rekeys long before (`needs_key_update`)
        // and 2^64 records are out of any connection's reach, so this is a last
        // resort that ends the connection rather than reuse a nonce.
        self.seq = seq
            .checked_add(1)
            .ok_or(Error::Internal("record sequence number exhausted"))?;
        Ok(seq)
    }

    /// The next sequence number, not yet taken; an error once it cannot be
    /// taken (see [`Self::take_seq`]).
    pub(super) fn peek_seq(&self) -> Result<u64, Error> {
        match self.seq {
            u64::MAX => Err(Error::Internal("record sequence number exhausted")),
            seq => Ok(seq),
        }
    }

    /// Takes the next sequence number and returns its nonce.
    pub(super) fn next_nonce(&mut self) -> Result<aead::Nonce, Error> {
        let seq = self.take_seq()?;
        Ok(self.nonce(seq))
    }

    /// The nonce for `counter` (the sequence number, or a received explicit
    /// nonce): `counter` left-padded to 12 bytes, XORed with the IV.
    pub(super) fn nonce(&self, counter: u64) -> aead::Nonce {
        aead::Nonce::assume_unique_for_key(nonce(&self.iv, counter))
    }

    /// Formats the key as `name`, showing the algorithm and sequence number only.
    pub(super) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("aead", &self.aead)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// RFC 8446, Section 5.3: the 64-bit sequence number in network byte order,
/// left-padded with zeros to 12 bytes, XORed with the write IV.
pub(super) fn nonce(iv: &[u8; IV_LEN], seq: u64) -> [u8; IV_LEN] {
    let mut nonce = [0u8; IV_LEN];
    nonce[IV_LEN - 8..].copy_from_slice(&seq.to_be_bytes());
    for (n, i) in nonce.iter_mut().zip(iv) {
        *n ^= i;
    }
    nonce
}
