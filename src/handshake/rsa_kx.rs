//! RSA key exchange for TLS 1.2 (RFC 5246, Section 7.4.7.1), behind the
//! `rsa-kx` feature: no forward secrecy, and historically the most attacked
//! part of TLS.
//!
//! The client encrypts a fresh 48-byte pre-master secret, whose first two
//! bytes are the version it offered, to the server certificate's RSA key with
//! PKCS#1 v1.5 padding (`00 02 PS 00 pre_master`, RFC 8017, Section 7.2.1).
//!
//! The server must not become a padding oracle. Bleichenbacher (1998) showed
//! that a server which tells "bad padding" apart from "good padding but wrong
//! key" — by an alert, a different step, or time — lets an attacker decrypt a
//! recorded session or sign with the server key in a few million queries;
//! ROBOT (2017) and Marvin (2023, timing of the bignum arithmetic itself)
//! found the same oracle again and again. So the server, as BoringSSL does:
//!
//! 1. draws a random 48-byte pre-master secret *before* decrypting, so the
//!    fallback exists before anything secret is known (no branch creates it);
//! 2. decrypts with the raw RSA operation (`rsa::hazmat::rsa_decrypt`,
//!    blinded, on constant-time crypto-bigint), never with a library
//!    function whose error or success would itself be the oracle;
//! 3. checks `00 02`, the non-zero padding, the `00` separator at the one
//!    position a 48-byte secret allows, and the two version bytes, all with
//!    `subtle`, folding them into one `Choice` without branching;
//! 4. selects the decrypted or the random pre-master secret in constant time;
//! 5. sends no alert that depends on the result: a bad pre-master secret
//!    yields keys the client does not have, so the handshake fails at the
//!    client's Finished (decrypt_error), exactly like a wrong one. Only the
//!    public length of the ciphertext can fail early (decode_error).
//!
//! Without the feature the suites cannot be enabled, and these functions refuse.

#[cfg(not(feature = "rsa-kx"))]
use crate::{codec::messages::ClientKeyExchange, crypto::Rng, error::Error};
#[cfg(not(feature = "rsa-kx"))]
use zeroize::Zeroizing;

/// The pre-master secret's length (RFC 5246, Section 7.4.7.1).
#[cfg(feature = "rsa-kx")]
pub(crate) const PRE_MASTER_SECRET_LEN: usize = 48;

#[cfg(feature = "rsa-kx")]
pub(crate) use imp::{client_encrypt, server_decrypt, RsaDecryptionKey};

#[cfg(feature = "rsa-kx")]
mod imp {
    use rsa::hazmat::{rsa_decrypt, rsa_encrypt};
    use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
    use rsa::traits::PublicKeyParts;
    use rsa::{BoxedUint, PrivateKey, PublicKey};
    use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
    use zeroize::{Zeroize, Zeroizing};

    use super::PRE_MASTER_SECRET_LEN;
    use crate::codec::messages::ClientKeyExchange;
    use crate::crypto::Rng;
    use crate::error::{CertificateError, Error, InvalidMessage};

    /// The TLS 1.2 version bytes the pre-master secret starts with: the
    /// highest version our ClientHello offers in legacy_version (RFC 5246,
    /// Section 7.4.7.1), 0x0303 for every keyway client.
    const CLIENT_VERSION: [u8; 2] = [3, 3];

    /// RSA moduli we accept, in bytes: 2048 to 8192 bits (bounded work).
    const MODULUS_BYTES: core::ops::RangeInclusive<usize> = 256..=1024;

    /// The server's RSA private key in the form the decryption needs.
    pub(crate) struct RsaDecryptionKey(PrivateKey);

    impl core::fmt::Debug for RsaDecryptionKey {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(
                f,
                "RsaDecryptionKey(RSA-{})",
                self.0.size().saturating_mul(8)
            )
        }
    }

    impl RsaDecryptionKey {
        /// Parses a PKCS#1 RSAPrivateKey DER.
        pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
            PrivateKey::from_pkcs1_der(der)
                .map(Self)
                .map_err(|e| Error::Config(format!("RSA key unusable for RSA key exchange: {e}")))
        }
    }

    /// Lets the rsa crate's blinding draw from the connection's `Rng`.
    struct BlindingRng<'a>(&'a mut Rng);

    impl rsa::rand_core::TryRng for BlindingRng<'_> {
        type Error = core::convert::Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0u8; 4];
            self.fill(&mut b);
            Ok(u32::from_le_bytes(b))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0u8; 8];
            self.fill(&mut b);
            Ok(u64::from_le_bytes(b))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            self.fill(dst);
            Ok(())
        }
    }

    impl rsa::rand_core::TryCryptoRng for BlindingRng<'_> {}

    impl BlindingRng<'_> {
        /// ring's generator only fails when the OS has no entropy at all; the
        /// blinding factor then degrades to the fixed-fallback bytes, which
        /// still decrypts correctly (blinding is a side-channel defence, not
        /// part of the result).
        fn fill(&mut self, out: &mut [u8]) {
            if self.0.fill(out).is_err() {
                out.fill(0x5a);
            }
        }
    }

    /// Client: a fresh pre-master secret (version bytes + 46 random bytes),
    /// PKCS#1 v1.5-encrypted to the RSA key of `leaf` (RFC 5246, Section 7.4.7.1).
    /// Returns the ciphertext and the pre-master secret.
    pub(crate) fn client_encrypt(
        leaf: &[u8],
        rng: &mut Rng,
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        let unsupported = |why: &str| {
            Error::from(CertificateError::Unsupported(format!(
                "certificate 0: {why}"
            )))
        };
        let (_, cert) = x509_parser::parse_x509_certificate(leaf)
            .map_err(|_| unsupported("not parsable for RSA key exchange"))?;
        let public = PublicKey::from_pkcs1_der(&cert.public_key().subject_public_key.data)
            .map_err(|_| unsupported("RSA key exchange needs an RSA certificate key"))?;
        let k = public.size();
        if !MODULUS_BYTES.contains(&k) {
            return Err(unsupported("RSA key size outside 2048..8192 bits"));
        }
        let mut pre_master = Zeroizing::new(vec![0u8; PRE_MASTER_SECRET_LEN]);
        let Some((version, random)) = pre_master.split_first_chunk_mut() else {
            return Err(Error::Internal(
                "pre-master secret shorter than its version",
            ));
        };
        *version = CLIENT_VERSION;
        rng.fill(random)?;

        // RFC 8017, Section 7.2.1: EM = 0x00 || 0x02 || PS || 0x00 || M, with
        // PS at least 8 non-zero random bytes (k is at least 256 here).
        let ps_len = k.saturating_sub(PRE_MASTER_SECRET_LEN + 3);
        let mut em = Zeroizing::new(Vec::with_capacity(k));
        em.extend_from_slice(&[0, 2]);
        for _ in 0..ps_len {
            let mut byte = [0u8];
            while byte == [0] {
                rng.fill(&mut byte)?;
            }
            em.extend_from_slice(&byte);
        }
        em.push(0);
        em.extend_from_slice(&pre_master);
        let mut m = BoxedUint::from_be_slice(&em, public.n_bits_precision())
            .map_err(|_| Error::Internal("encoding the RSA message"))?;
        let c = rsa_encrypt(&public, &m).map_err(|_| Error::Internal("RSA encryption"));
        m.zeroize();
        let c = c?;
        Ok((left_pad(&c.to_be_bytes(), k), pre_master))
    }

    /// Server: the pre-master secret from a ClientKeyExchange, without an
    /// oracle (see the module documentation for each step's reason).
    pub(crate) fn server_decrypt(
        key: &RsaDecryptionKey,
        cke: &ClientKeyExchange,
        rng: &mut Rng,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        // Step 1: the fallback secret, drawn before anything is decrypted.
        let mut random = Zeroizing::new(vec![0u8; PRE_MASTER_SECRET_LEN]);
        rng.fill(&mut random)?;

        // Public checks only: the encoding and the ciphertext's length.
        let ciphertext = cke.rsa_encrypted_pre_master()?;
        let k = key.0.size();
        if ciphertext.len() != k {
            return Err(InvalidMessage::LengthOutOfRange(
                "RSA ciphertext (must be the modulus length)",
            )
            .into());
        }

        // Step 2: the raw, blinded RSA operation. Its only failures depend on
        // public values (c >= n); they still end at Finished, like any other
        // bad ciphertext, so they take the same path from here on.
        let em = BoxedUint::from_be_slice(ciphertext, key.0.n_bits_precision())
            .ok()
            .and_then(|c| rsa_decrypt(Some(&mut BlindingRng(rng)), &key.0, &c).ok())
            .map(|mut m| {
                // The decrypted block is as secret as the pre-master secret
                // in it: wipe every copy we are handed.
                let bytes = Zeroizing::new(m.to_be_bytes());
                m.zeroize();
                Zeroizing::new(left_pad(&bytes, k))
            })
            .unwrap_or_else(|| Zeroizing::new(vec![0u8; k]));

        // Step 3: every padding and version check, folded without branching.
        let good = padding_is_valid(&em);

        // Step 4: constant-time selection of the decrypted or random secret.
        // em is k >= 256 bytes long (left_pad), so this never fails; its
        // length is public either way.
        let Some(decrypted) = em.last_chunk::<PRE_MASTER_SECRET_LEN>() else {
            return Err(Error::Internal(
                "decrypted block shorter than a pre-master secret",
            ));
        };
        let mut pre_master = Zeroizing::new(vec![0u8; PRE_MASTER_SECRET_LEN]);
        for ((out, d), r) in pre_master.iter_mut().zip(decrypted).zip(random.iter()) {
            *out = u8::conditional_select(r, d, good);
        }
        // Step 5: no alert here, whatever `good` was.
        Ok(pre_master)
    }

    /// RFC 5246, Section 7.4.7.1 and RFC 8017, Section 7.2.2, in constant
    /// time: `00 02`, non-zero padding up to the separator, `00` exactly
    /// before a 48-byte secret, and the client version in its first two bytes.
    ///
    /// Where the parts start depends only on the (public) modulus length; a
    /// message too short to hold them all is invalid.
    fn padding_is_valid(em: &[u8]) -> Choice {
        let (header_and_ps, rest) = em.split_at(em.len().saturating_sub(PRE_MASTER_SECRET_LEN + 1));
        let (Some(([zero, two], ps)), Some(([separator, major, minor], _))) =
            (header_and_ps.split_first_chunk(), rest.split_first_chunk())
        else {
            return Choice::from(0);
        };
        let [want_major, want_minor] = CLIENT_VERSION;
        let mut good = zero.ct_eq(&0)
            & two.ct_eq(&2)
            & separator.ct_eq(&0)
            & major.ct_eq(&want_major)
            & minor.ct_eq(&want_minor);
        for byte in ps {
            good &= !byte.ct_eq(&0);
        }
        good
    }

    /// `bytes` right-aligned in `len` bytes (drops leading bytes beyond `len`,
    /// which are zeros for a value below the modulus).
    fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
        let kept = bytes
            .get(bytes.len().saturating_sub(len)..)
            .unwrap_or_default();
        let mut out = vec![0u8; len.saturating_sub(kept.len())];
        out.extend_from_slice(kept);
        out
    }
}

/// Client: a fresh pre-master secret encrypted to the server certificate's RSA key.
#[cfg(not(feature = "rsa-kx"))]
pub(crate) fn client_encrypt(
    _: &[u8],
    _: &mut Rng,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
    Err(Error::Internal("RSA key exchange needs the rsa-kx feature"))
}

/// Server: stands in for the key type when the feature is off.
#[cfg(not(feature = "rsa-kx"))]
#[derive(Debug)]
pub(crate) struct RsaDecryptionKey;

/// Server: the pre-master secret from a ClientKeyExchange.
#[cfg(not(feature = "rsa-kx"))]
pub(crate) fn server_decrypt(
    _: &RsaDecryptionKey,
    _: &ClientKeyExchange,
    _: &mut Rng,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    Err(Error::Internal("RSA key exchange needs the rsa-kx feature"))
}

#[cfg(test)]
#[cfg(feature = "rsa-kx")]
mod tests {
    use super::{client_encrypt, server_decrypt, RsaDecryptionKey, PRE_MASTER_SECRET_LEN};
    use crate::codec::messages::ClientKeyExchange;
    use crate::crypto::Rng;

    fn key() -> (RsaDecryptionKey, Vec<u8>) {
        use crate::pki::pem::{load_certs_pem, load_private_key_pem};
        let key =
            load_private_key_pem(include_bytes!("../../testdata/rsa2048.pem"), "key").unwrap();
        let leaf = load_certs_pem(include_bytes!("../../testdata/fuzz/rsa-leaf.pem"), "leaf")
            .unwrap()
            .remove(0);
        let der = key.rsa_pkcs1_der().unwrap();
        (RsaDecryptionKey::from_pkcs1_der(der).unwrap(), leaf)
    }

    /// Without a fresh random fallback the "no oracle" design is void: an
    /// attacker who knows what a bad ciphertext decrypts to can tell it from a
    /// good one at Finished. Two decryptions of one bad ciphertext differ.
    #[test]
    fn a_bad_ciphertext_decrypts_to_a_fresh_random_secret_each_time() {
        let (key, leaf) = key();
        let (mut ciphertext, sent) = client_encrypt(&leaf, &mut Rng::default()).unwrap();
        let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&ciphertext).unwrap();
        let good = server_decrypt(&key, &cke, &mut Rng::default()).unwrap();
        assert_eq!(good, sent);
        ciphertext[7] ^= 0x40;
        let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&ciphertext).unwrap();
        let first = server_decrypt(&key, &cke, &mut Rng::default()).unwrap();
        let second = server_decrypt(&key, &cke, &mut Rng::default()).unwrap();
        assert_eq!(first.len(), PRE_MASTER_SECRET_LEN);
        assert_ne!(first, second);
        assert_ne!(first, sent);
        assert_ne!(*first, [0u8; PRE_MASTER_SECRET_LEN]);
    }
}
