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
//! 2. decrypts with the raw RSA operation, blinded, on constant-time
//!    arithmetic, never with a library function whose error or success
//!    would itself be the oracle: for 2048-, 3072- and 4096-bit keys our own
//!    CRT on fixed-size Montgomery integers (`Crt` below; no branch or
//!    memory access depends on a secret, and the result is checked against
//!    the ciphertext before use), for other sizes `rsa::hazmat::rsa_decrypt`;
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
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    use crypto_bigint::{Odd, Uint};
    use rsa::hazmat::{rsa_decrypt, rsa_encrypt};
    use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
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

    /// The server's RSA private key in the form the decryption needs: the
    /// rsa crate's, and for the common sizes our fixed-size CRT form.
    pub(crate) struct RsaDecryptionKey {
        pub(super) key: PrivateKey,
        pub(super) crt: Option<Sized>,
    }

    /// The key for the fixed-size decryption, by modulus size: limbs of 64
    /// bits for the modulus and for each prime.
    pub(super) enum Sized {
        Rsa2048(Box<Crt<32, 16>>),
        Rsa3072(Box<Crt<48, 24>>),
        Rsa4096(Box<Crt<64, 32>>),
    }

    impl core::fmt::Debug for RsaDecryptionKey {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(
                f,
                "RsaDecryptionKey(RSA-{})",
                self.key.size().saturating_mul(8)
            )
        }
    }

    impl RsaDecryptionKey {
        /// Parses a PKCS#1 RSAPrivateKey DER.
        pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
            let key = PrivateKey::from_pkcs1_der(der).map_err(|e| {
                Error::Config(format!("RSA key unusable for RSA key exchange: {e}"))
            })?;
            Ok(Self::from_key(key))
        }

        /// The decryption key for `key`: with the fixed-size CRT form when
        /// its modulus is 2048, 3072 or 4096 bits and its two primes each
        /// fit half of it.
        pub(super) fn from_key(key: PrivateKey) -> Self {
            let crt = match key.size() {
                256 => Crt::from_key(&key).map(|c| Sized::Rsa2048(Box::new(c))),
                384 => Crt::from_key(&key).map(|c| Sized::Rsa3072(Box::new(c))),
                512 => Crt::from_key(&key).map(|c| Sized::Rsa4096(Box::new(c))),
                _ => None,
            };
            Self { key, crt }
        }

        /// The raw RSA decryption of `ciphertext` (the modulus length),
        /// blinded, as `k` bytes; `None` only for what is public (c >= n) or
        /// a fault the result check caught.
        pub(super) fn decrypt(
            &self,
            ciphertext: &[u8],
            rng: &mut Rng,
        ) -> Option<Zeroizing<Vec<u8>>> {
            let mut rng = BlindingRng(rng);
            match &self.crt {
                Some(Sized::Rsa2048(crt)) => crt.decrypt(ciphertext, &mut rng),
                Some(Sized::Rsa3072(crt)) => crt.decrypt(ciphertext, &mut rng),
                Some(Sized::Rsa4096(crt)) => crt.decrypt(ciphertext, &mut rng),
                None => {
                    let k = self.key.size();
                    let c =
                        BoxedUint::from_be_slice(ciphertext, self.key.n_bits_precision()).ok()?;
                    let mut m = rsa_decrypt(Some(&mut rng), &self.key, &c).ok()?;
                    // The decrypted block is as secret as the pre-master
                    // secret in it: wipe every copy we are handed.
                    let bytes = Zeroizing::new(m.to_be_bytes());
                    m.zeroize();
                    Some(Zeroizing::new(left_pad(&bytes, k)))
                }
            }
        }
    }

    /// An RSA private key with two primes of `H` limbs and a modulus of
    /// `L = 2H` limbs, for decryption by the Chinese remainder theorem
    /// (RFC 8017, Section 5.1.2, 2.b) on crypto-bigint's fixed-size
    /// Montgomery arithmetic, which runs the same instructions whatever the
    /// values: exponentiation with a fixed window over every bit of the
    /// exponent's storage, reduction and inversion without data-dependent
    /// branches or memory access. The rsa crate's variable-size integers do
    /// the same work with an allocation per operation; these need none.
    ///
    /// Marvin (2023) recovered keys from the time RSA decryption took on
    /// different ciphertexts; the constant-time arithmetic above and the
    /// blinding below (each ciphertext multiplied by a fresh `r^e`, the
    /// result by `r^-1`, so the exponentiations never see the attacker's
    /// value) are the two defences. A fault during the CRT (Boneh, DeMillo
    /// and Lipton, 1997) would leak a prime through the wrong result, so the
    /// result is checked by re-encrypting it.
    pub(super) struct Crt<const L: usize, const H: usize> {
        n: FixedMontyParams<L>,
        /// The public exponent (public: a variable-time exponentiation by
        /// it leaks nothing).
        e: Uint<L>,
        p: FixedMontyParams<H>,
        q: FixedMontyParams<H>,
        /// d mod (p - 1) and d mod (q - 1).
        dp: Uint<H>,
        dq: Uint<H>,
        /// q^-1 mod p, in Montgomery form modulo p.
        qinv: FixedMontyForm<H>,
    }

    impl<const L: usize, const H: usize> Drop for Crt<L, H> {
        fn drop(&mut self) {
            self.p.zeroize();
            self.q.zeroize();
            self.dp.zeroize();
            self.dq.zeroize();
            self.qinv.zeroize();
        }
    }

    impl<const L: usize, const H: usize> Crt<L, H> {
        /// The CRT form of a two-prime key whose modulus has `L` limbs and
        /// whose primes fit `H`; `None` for any other key (it then takes the
        /// rsa crate's path).
        fn from_key(key: &PrivateKey) -> Option<Self> {
            let [p, q] = key.primes() else {
                return None;
            };
            let n = Odd::new(fixed::<L>(key.n())?).into_option()?;
            let p = Odd::new(fixed::<H>(p)?).into_option()?;
            let q = Odd::new(fixed::<H>(q)?).into_option()?;
            let (p, q) = (FixedMontyParams::new(p), FixedMontyParams::new(q));
            let qinv = Zeroizing::new(key.qinv()?.retrieve());
            let qinv = FixedMontyForm::new(&fixed::<H>(&qinv)?, &p);
            Some(Self {
                n: FixedMontyParams::new_vartime(n),
                e: fixed::<L>(key.e())?,
                p,
                q,
                dp: fixed::<H>(key.dp()?)?,
                dq: fixed::<H>(key.dq()?)?,
                qinv,
            })
        }

        /// The blinded CRT decryption of `ciphertext` (exactly `8 L` bytes).
        fn decrypt(
            &self,
            ciphertext: &[u8],
            rng: &mut BlindingRng<'_>,
        ) -> Option<Zeroizing<Vec<u8>>> {
            if ciphertext.len() != Uint::<L>::BYTES {
                return None;
            }
            let c = Uint::<L>::from_be_slice(ciphertext);
            // RFC 8017, Section 5.1.2, 1: c must be below n. Public.
            if c.cmp_vartime(self.n.modulus()) != core::cmp::Ordering::Less {
                return None;
            }
            // Blinding: r random, invertible modulo n (all but a negligible
            // fraction are), r^e mod n applied before and r^-1 after. r may
            // exceed n: FixedMontyForm::new takes any integer of L limbs and
            // represents it modulo n.
            let mut words = [0u64; L];
            words.iter_mut().for_each(|w| *w = rng.word());
            let mut r = FixedMontyForm::new(&Uint::from_words(words), &self.n);
            words.zeroize();
            let mut r_inv = r.invert().into_option()?;
            // e is public: only the exponent's bits steer pow_vartime.
            let mut blinded = FixedMontyForm::new(&c, &self.n)
                .mul(&r.pow_vartime(&self.e))
                .retrieve();

            // RFC 8017, Section 5.1.2, 2.b: m1 = c^dP mod p, m2 = c^dQ mod q,
            // h = (m1 - m2) qInv mod p, m = m2 + q h. The secret exponents
            // take the constant-time pow (every bit of their storage).
            let mut m1 = FixedMontyForm::new(&blinded.rem(self.p.modulus().as_nz_ref()), &self.p)
                .pow(&self.dp);
            let mut m2 = FixedMontyForm::new(&blinded.rem(self.q.modulus().as_nz_ref()), &self.q)
                .pow(&self.dq)
                .retrieve();
            // m2 < q may exceed p: new() reduces it modulo p.
            let mut h = m1
                .sub(&FixedMontyForm::new(&m2, &self.p))
                .mul(&self.qinv)
                .retrieve();
            // h < p and m2 < q, so m = m2 + q h < n: no wrap in L limbs.
            let mut m = h
                .resize::<L>()
                .wrapping_mul(self.q.modulus().as_ref())
                .wrapping_add(&m2.resize::<L>());
            #[cfg(test)]
            fault::inject(&mut m);
            let mut unblinded = FixedMontyForm::new(&m, &self.n).mul(&r_inv).retrieve();

            // The result must re-encrypt to the ciphertext, or a fault
            // happened: never let such a result out (see above).
            let check = FixedMontyForm::new(&unblinded, &self.n).pow_vartime(&self.e);
            // Equal to the public ciphertext unless a fault happened: no
            // secret to compare in constant time.
            let intact = check.retrieve() == c;
            let mut encoded = unblinded.to_be_bytes();
            let out = Zeroizing::new(encoded.as_ref().to_vec());
            encoded.as_mut().zeroize();
            r.zeroize();
            r_inv.zeroize();
            blinded.zeroize();
            m1.zeroize();
            m2.zeroize();
            h.zeroize();
            m.zeroize();
            unblinded.zeroize();
            intact.then_some(out)
        }
    }

    /// `value` in `N` limbs, if it fits (its storage may be wider than the
    /// number, with leading zero bytes).
    pub(super) fn fixed<const N: usize>(value: &BoxedUint) -> Option<Uint<N>> {
        let bytes = Zeroizing::new(value.to_be_bytes());
        let width = Uint::<N>::BYTES;
        let (extra, kept) = bytes.split_at(bytes.len().saturating_sub(width));
        if extra.iter().any(|&b| b != 0) {
            return None;
        }
        let mut padded = Zeroizing::new(vec![0u8; width]);
        padded
            .get_mut(width.saturating_sub(kept.len())..)?
            .copy_from_slice(kept);
        Some(Uint::from_be_slice(&padded))
    }

    /// Lets the rsa crate's blinding draw from the connection's `Rng`.
    pub(super) struct BlindingRng<'a>(pub(super) &'a mut Rng);

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
        /// A random 64-bit word.
        pub(super) fn word(&mut self) -> u64 {
            let mut b = [0u8; 8];
            self.fill(&mut b);
            u64::from_le_bytes(b)
        }

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
        let k = key.key.size();
        if ciphertext.len() != k {
            return Err(InvalidMessage::LengthOutOfRange(
                "RSA ciphertext (must be the modulus length)",
            )
            .into());
        }

        // Step 2: the raw, blinded RSA operation. Its only failures depend on
        // public values (c >= n) or a fault; they still end at Finished,
        // like any other bad ciphertext, so they take the same path from
        // here on.
        let em = key
            .decrypt(ciphertext, rng)
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
    pub(super) fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
        let kept = bytes
            .get(bytes.len().saturating_sub(len)..)
            .unwrap_or_default();
        let mut out = vec![0u8; len.saturating_sub(kept.len())];
        out.extend_from_slice(kept);
        out
    }

    /// Test-only fault injection: flips one bit of the next CRT result on
    /// this thread, as a glitch during the exponentiations would, so a test
    /// can show the re-encryption check keeps it from getting out.
    #[cfg(test)]
    pub(super) mod fault {
        use core::cell::Cell;
        use crypto_bigint::Uint;

        thread_local! {
            static FLIP: Cell<Option<usize>> = const { Cell::new(None) };
        }

        /// Flips bit `bit` of the next CRT result computed on this thread.
        pub(in crate::handshake::rsa_kx) fn flip_next(bit: usize) {
            FLIP.with(|f| f.set(Some(bit)));
        }

        /// Applies the pending flip, if one was asked for, to `m`.
        pub(super) fn inject<const L: usize>(m: &mut Uint<L>) {
            if let Some(bit) = FLIP.with(Cell::take) {
                if let Some(word) = m.as_mut_words().get_mut(bit / 64) {
                    *word ^= 1 << (bit % 64);
                }
            }
        }
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
    use super::imp::{fixed, left_pad, BlindingRng};
    use super::{client_encrypt, server_decrypt, RsaDecryptionKey, PRE_MASTER_SECRET_LEN};
    use crate::codec::messages::ClientKeyExchange;
    use crate::crypto::Rng;
    use rsa::traits::PublicKeyParts;

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

    /// The RSA keys of every size the decryption serves, and whether the
    /// fixed-size CRT serves it (2560 bits takes the rsa crate's path).
    const KEYS: [(&str, usize, bool); 4] = [
        ("rsa2048", 256, true),
        ("rsa3072", 384, true),
        ("rsa4096", 512, true),
        ("rsa2560", 320, false),
    ];

    /// The pre-master secret testdata/make-keys.sh encrypted with OpenSSL.
    const OPENSSL_PRE_MASTER: &[u8; 48] = b"\x03\x03an OpenSSL-made pre-master secret for keyway!!";

    fn testdata(file: &str) -> Vec<u8> {
        std::fs::read(format!("{}/testdata/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn load(name: &str) -> RsaDecryptionKey {
        use crate::pki::pem::load_private_key_pem;
        if name == "rsa2560" {
            return RsaDecryptionKey::from_pkcs1_der(&testdata("rsa2560.pkcs1.der")).unwrap();
        }
        let file = format!("{name}.pem");
        let signing = load_private_key_pem(&testdata(&file), &file).unwrap();
        RsaDecryptionKey::from_pkcs1_der(signing.rsa_pkcs1_der().unwrap()).unwrap()
    }

    /// The same key with its primes in the other order, so that q > p
    /// (OpenSSL makes p > q): then m2 < q can exceed p, a case the CRT's
    /// h = (m1 - m2) qInv mod p has to reduce.
    fn swapped(key: &RsaDecryptionKey) -> RsaDecryptionKey {
        use rsa::traits::PrivateKeyParts;
        let [p, q] = key.key.primes() else {
            panic!("two primes")
        };
        assert_eq!(
            p.as_ref().cmp_vartime(q.as_ref()),
            core::cmp::Ordering::Greater
        );
        let primes = vec![q.as_ref().clone(), p.as_ref().clone()];
        let n = key.key.n().as_ref().clone();
        let e = key.key.e().clone();
        let d = key.key.d().clone();
        RsaDecryptionKey::from_key(rsa::PrivateKey::from_components(n, e, d, primes).unwrap())
    }

    /// `block` (k bytes, below n) raised to e: a raw RSA encryption.
    fn raw_encrypt(key: &RsaDecryptionKey, block: &[u8]) -> Vec<u8> {
        let public = rsa::PublicKey::from(&key.key);
        let m = rsa::BoxedUint::from_be_slice(block, public.n_bits_precision()).unwrap();
        let c = rsa::hazmat::rsa_encrypt(&public, &m).unwrap();
        left_pad(&c.to_be_bytes(), key.key.size())
    }

    /// The rsa crate's own decryption of `c`, as k bytes.
    fn rsa_crate_decrypt(key: &RsaDecryptionKey, c: &[u8], rng: &mut Rng) -> Vec<u8> {
        let c = rsa::BoxedUint::from_be_slice(c, key.key.n_bits_precision()).unwrap();
        let m = rsa::hazmat::rsa_decrypt(Some(&mut BlindingRng(rng)), &key.key, &c).unwrap();
        left_pad(&m.to_be_bytes(), key.key.size())
    }

    /// The modulus, as k bytes.
    fn modulus(key: &RsaDecryptionKey) -> Vec<u8> {
        left_pad(&key.key.n().as_ref().to_be_bytes(), key.key.size())
    }

    /// The fixed-size CRT decryption gives exactly what the rsa crate's
    /// gives, for each size it serves and both orders of the primes: on
    /// random messages (whose encryption it must undo) and on random
    /// ciphertexts (arbitrary values below n, as an attacker sends).
    #[test]
    fn the_fixed_size_crt_agrees_with_the_rsa_crate() {
        let mut rng = Rng::default();
        for (name, k, fixed) in KEYS.into_iter().filter(|(_, _, fixed)| *fixed) {
            let key = load(name);
            for key in [swapped(&key), key] {
                assert_eq!(key.crt.is_some(), fixed, "{name}");
                assert_eq!(key.key.size(), k);
                for round in 0..8 {
                    let mut value = vec![0u8; k];
                    rng.fill(&mut value[1..]).unwrap();
                    let decrypted = key.decrypt(&value, &mut rng).unwrap();
                    let expected = rsa_crate_decrypt(&key, &value, &mut rng);
                    assert_eq!(*decrypted, expected, "{name} ciphertext {round}");
                    let c = raw_encrypt(&key, &value);
                    assert_eq!(*key.decrypt(&c, &mut rng).unwrap(), value, "{name} {round}");
                }
            }
        }
    }

    /// What OpenSSL and the rsa crate encrypt with PKCS#1 v1.5 decrypts to
    /// the right pre-master secret at every size, on the fixed-size CRT and
    /// on the rsa crate's path (2560 bits).
    #[test]
    fn pkcs1_ciphertexts_from_openssl_and_the_rsa_crate_give_their_pre_master() {
        let mut rng = Rng::default();
        for (name, k, fixed) in KEYS {
            let key = load(name);
            assert_eq!((key.key.size(), key.crt.is_some()), (k, fixed), "{name}");
            let from_openssl = testdata(&format!("{name}.pms.enc"));
            let mut sent = OPENSSL_PRE_MASTER.to_vec();
            rng.fill(&mut sent[2..]).unwrap();
            let from_rsa_crate = rsa::PublicKey::from(&key.key)
                .encrypt(&mut BlindingRng(&mut rng), rsa::Pkcs1v15Encrypt, &sent)
                .unwrap();
            for (ciphertext, expected) in [
                (from_openssl, &OPENSSL_PRE_MASTER[..]),
                (from_rsa_crate, &sent[..]),
            ] {
                let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&ciphertext).unwrap();
                let pre_master = server_decrypt(&key, &cke, &mut rng).unwrap();
                assert_eq!(&pre_master[..], expected, "{name}");
            }
        }
    }

    /// RFC 8017, Section 5.1.2, 1: a ciphertext not below n is refused on
    /// both paths (the caller then takes the random pre-master secret),
    /// and n - 1 is still decrypted.
    #[test]
    fn a_ciphertext_not_below_the_modulus_is_refused() {
        let mut rng = Rng::default();
        for (name, k, _) in KEYS {
            let key = load(name);
            let n = modulus(&key);
            assert!(key.decrypt(&n, &mut rng).is_none(), "{name}: c = n");
            assert!(
                key.decrypt(&vec![0xff; k], &mut rng).is_none(),
                "{name}: c = 2^8k - 1"
            );
            let mut below = n.clone();
            // n is odd: n - 1 only clears its lowest bit.
            *below.last_mut().unwrap() &= 0xfe;
            let decrypted = key.decrypt(&below, &mut rng).unwrap();
            assert_eq!(
                *decrypted,
                rsa_crate_decrypt(&key, &below, &mut rng),
                "{name}"
            );
            let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&n).unwrap();
            let first = server_decrypt(&key, &cke, &mut rng).unwrap();
            let second = server_decrypt(&key, &cke, &mut rng).unwrap();
            assert_ne!(first, second, "{name}: c = n takes a fresh random secret");
        }
    }

    /// A fault in the CRT (one flipped bit of the result, as Boneh, DeMillo
    /// and Lipton's attack needs) is caught by the re-encryption check: the
    /// wrong block never leaves the decryption, and the handshake gets the
    /// random pre-master secret instead.
    #[test]
    fn a_fault_in_the_crt_never_gets_out() {
        use super::imp::fault;
        let mut rng = Rng::default();
        for (name, k, _) in KEYS.into_iter().filter(|(_, _, fixed)| *fixed) {
            let key = load(name);
            let ciphertext = testdata(&format!("{name}.pms.enc"));
            let cke = ClientKeyExchange::from_rsa_encrypted_pre_master(&ciphertext).unwrap();
            for bit in [0, 8 * 48 - 1, 8 * k - 16] {
                fault::flip_next(bit);
                assert!(
                    key.decrypt(&ciphertext, &mut rng).is_none(),
                    "{name} bit {bit}"
                );
                fault::flip_next(bit);
                let pre_master = server_decrypt(&key, &cke, &mut rng).unwrap();
                assert_ne!(&pre_master[..], OPENSSL_PRE_MASTER, "{name} bit {bit}");
                // Without a fault, the same ciphertext decrypts.
                let pre_master = server_decrypt(&key, &cke, &mut rng).unwrap();
                assert_eq!(&pre_master[..], OPENSSL_PRE_MASTER, "{name} bit {bit}");
            }
        }
    }

    /// A number stored wider than it needs (the rsa crate keeps a prime at
    /// the precision it was parsed with) still fits; a larger one does not.
    #[test]
    fn fixed_takes_a_number_stored_wider_and_refuses_one_too_large() {
        let wide = rsa::BoxedUint::from_be_slice(&[0x12, 0x34], 256).unwrap();
        assert_eq!(
            fixed::<1>(&wide),
            Some(crypto_bigint::Uint::<1>::from_u64(0x1234))
        );
        let large = rsa::BoxedUint::from_be_slice(&[1; 9], 128).unwrap();
        assert_eq!(fixed::<1>(&large), None);
    }

    /// Blinding draws fresh randomness for the rsa crate (each of its
    /// calls) as for the fixed-size CRT: a constant factor would make the
    /// blinding predictable, though every result stays right.
    #[test]
    fn blinding_draws_fresh_randomness_on_every_call() {
        use rsa::rand_core::TryRng;
        let mut rng = Rng::default();
        let mut blinding = BlindingRng(&mut rng);
        let u32s = [(); 3].map(|()| blinding.try_next_u32().unwrap());
        let u64s = [(); 3].map(|()| blinding.try_next_u64().unwrap());
        let words = [(); 3].map(|()| blinding.word());
        let fills = [(); 2].map(|()| {
            let mut bytes = [0u8; 32];
            blinding.try_fill_bytes(&mut bytes).unwrap();
            bytes
        });
        assert!(u32s[0] != u32s[1] || u32s[1] != u32s[2], "{u32s:?}");
        assert!(u64s[0] != u64s[1] && u64s[1] != u64s[2], "{u64s:?}");
        assert!(words[0] != words[1] && words[1] != words[2], "{words:?}");
        assert_ne!(fills[0], fills[1]);
        assert_ne!(fills[0], [0; 32]);
    }

    /// The key's Debug names its size, nothing of the key.
    #[test]
    fn debug_prints_the_size_only() {
        assert_eq!(
            format!("{:?}", load("rsa3072")),
            "RsaDecryptionKey(RSA-3072)"
        );
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
