//! The seam to `ring`: cipher suites, hashes, key exchange groups, signature
//! schemes, AEAD and randomness. The handshake asks for "an AEAD for this
//! suite" or "a key share for this group" and never names ring itself.

pub mod kx;
pub mod sign;

use ring::{aead, digest, hmac};

use crate::codec::CipherSuite;
use crate::error::Error;

/// A hash function used by a cipher suite's key schedule and transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlgorithm {
    /// ring's digest algorithm.
    pub fn digest(self) -> &'static digest::Algorithm {
        match self {
            HashAlgorithm::Sha256 => &digest::SHA256,
            HashAlgorithm::Sha384 => &digest::SHA384,
        }
    }

    /// ring's HMAC algorithm over this hash.
    pub fn hmac(self) -> hmac::Algorithm {
        match self {
            HashAlgorithm::Sha256 => hmac::HMAC_SHA256,
            HashAlgorithm::Sha384 => hmac::HMAC_SHA384,
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        self.digest().output_len()
    }

    /// The hash of the empty string (for Derive-Secret(., "derived", "")).
    pub fn empty_hash(self) -> digest::Digest {
        digest::digest(self.digest(), &[])
    }
}

/// The AEAD of a cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AeadAlgorithm {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305.
    Chacha20Poly1305,
}

impl AeadAlgorithm {
    /// ring's AEAD algorithm.
    pub fn ring(self) -> &'static aead::Algorithm {
        match self {
            AeadAlgorithm::Aes128Gcm => &aead::AES_128_GCM,
            AeadAlgorithm::Aes256Gcm => &aead::AES_256_GCM,
            AeadAlgorithm::Chacha20Poly1305 => &aead::CHACHA20_POLY1305,
        }
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        self.ring().key_len()
    }

    /// Records that may be sealed under one key before it must be updated.
    ///
    /// RFC 8446, Section 5.5: AES-GCM keys must be rotated before 2^24.5 full-size
    /// records; ChaCha20-Poly1305 has no practical limit below 2^64. We update
    /// comfortably before the bound.
    pub fn confidentiality_limit(self) -> u64 {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => 1 << 23,
            AeadAlgorithm::Chacha20Poly1305 => 1 << 62,
        }
    }
}

/// A TLS 1.3 cipher suite: an AEAD and a hash (RFC 8446, Appendix B.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls13Suite {
    /// The IANA identifier.
    pub suite: CipherSuite,
    /// Record protection.
    pub aead: AeadAlgorithm,
    /// Key schedule and transcript hash.
    pub hash: HashAlgorithm,
}

/// TLS_AES_128_GCM_SHA256.
pub const TLS13_AES_128_GCM_SHA256: Tls13Suite = Tls13Suite {
    suite: CipherSuite::TLS_AES_128_GCM_SHA256,
    aead: AeadAlgorithm::Aes128Gcm,
    hash: HashAlgorithm::Sha256,
};

/// TLS_AES_256_GCM_SHA384.
pub const TLS13_AES_256_GCM_SHA384: Tls13Suite = Tls13Suite {
    suite: CipherSuite::TLS_AES_256_GCM_SHA384,
    aead: AeadAlgorithm::Aes256Gcm,
    hash: HashAlgorithm::Sha384,
};

/// TLS_CHACHA20_POLY1305_SHA256.
pub const TLS13_CHACHA20_POLY1305_SHA256: Tls13Suite = Tls13Suite {
    suite: CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    aead: AeadAlgorithm::Chacha20Poly1305,
    hash: HashAlgorithm::Sha256,
};

/// Every TLS 1.3 suite we implement, in our default preference order.
pub const TLS13_SUITES: &[Tls13Suite] = &[
    TLS13_AES_128_GCM_SHA256,
    TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256,
];

/// Looks up a TLS 1.3 suite by its identifier.
pub fn tls13_suite(suite: CipherSuite) -> Option<Tls13Suite> {
    TLS13_SUITES.iter().copied().find(|s| s.suite == suite)
}

/// How a TLS 1.2 suite agrees on the pre-master secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExchange {
    /// Ephemeral ECDH, signed by the certificate key (forward secret).
    Ecdhe,
    /// The client encrypts the pre-master secret to the server's RSA key (no
    /// forward secrecy; only with the `rsa-kx` feature).
    Rsa,
}

/// Which certificate key a TLS 1.2 suite needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authentication {
    /// An ECDSA (or, by RFC 8422, Ed25519) certificate.
    Ecdsa,
    /// An RSA certificate.
    Rsa,
}

/// A TLS 1.2 cipher suite: key exchange, authentication, AEAD and PRF hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls12Suite {
    /// The IANA identifier.
    pub suite: CipherSuite,
    /// How the pre-master secret is agreed.
    pub kx: KeyExchange,
    /// Which certificate key signs (ECDHE) or decrypts (RSA).
    pub auth: Authentication,
    /// Record protection.
    pub aead: AeadAlgorithm,
    /// The PRF hash (RFC 5246, Section 5) and transcript hash.
    pub hash: HashAlgorithm,
}

const fn tls12(
    suite: CipherSuite,
    kx: KeyExchange,
    auth: Authentication,
    aead: AeadAlgorithm,
    hash: HashAlgorithm,
) -> Tls12Suite {
    Tls12Suite {
        suite,
        kx,
        auth,
        aead,
        hash,
    }
}

/// Every TLS 1.2 suite we implement, in our default preference order: ECDHE
/// first, RSA key exchange last (RFC 5246 suites without forward secrecy are
/// only offered when the `rsa-kx` feature and the builder both enable them).
pub const TLS12_SUITES: &[Tls12Suite] = {
    use AeadAlgorithm::{Aes128Gcm, Aes256Gcm, Chacha20Poly1305};
    use Authentication as A;
    use CipherSuite as C;
    use HashAlgorithm::{Sha256, Sha384};
    use KeyExchange::{Ecdhe, Rsa};
    &[
        tls12(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            Ecdhe,
            A::Ecdsa,
            Aes128Gcm,
            Sha256,
        ),
        tls12(
            C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            Ecdhe,
            A::Ecdsa,
            Aes256Gcm,
            Sha384,
        ),
        tls12(
            C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            Ecdhe,
            A::Ecdsa,
            Chacha20Poly1305,
            Sha256,
        ),
        tls12(
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            Ecdhe,
            A::Rsa,
            Aes128Gcm,
            Sha256,
        ),
        tls12(
            C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            Ecdhe,
            A::Rsa,
            Aes256Gcm,
            Sha384,
        ),
        tls12(
            C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            Ecdhe,
            A::Rsa,
            Chacha20Poly1305,
            Sha256,
        ),
        tls12(
            C::TLS_RSA_WITH_AES_128_GCM_SHA256,
            Rsa,
            A::Rsa,
            Aes128Gcm,
            Sha256,
        ),
        tls12(
            C::TLS_RSA_WITH_AES_256_GCM_SHA384,
            Rsa,
            A::Rsa,
            Aes256Gcm,
            Sha384,
        ),
    ]
};

/// Looks up a TLS 1.2 suite by its identifier.
pub fn tls12_suite(suite: CipherSuite) -> Option<Tls12Suite> {
    TLS12_SUITES.iter().copied().find(|s| s.suite == suite)
}

/// The source of randomness for one connection.
///
/// Normally the operating system's generator. Tests that reproduce published
/// traces (RFC 8448) and fuzz targets that must replay a crash inject fixed
/// values instead: each request for randomness takes the next entry, which must
/// have exactly the requested length. This is a test seam only; it is hidden
/// from the documentation and never used by default.
#[derive(Debug)]
pub enum Rng {
    /// The operating system's generator.
    System(ring::rand::SystemRandom),
    /// Fixed values, one per request, then the byte `fallback` repeated.
    Fixed {
        /// Entries handed out in order.
        sequence: std::collections::VecDeque<Vec<u8>>,
        /// Filler once the sequence is exhausted.
        fallback: u8,
    },
}

impl Default for Rng {
    fn default() -> Self {
        Rng::System(ring::rand::SystemRandom::new())
    }
}

impl Rng {
    /// Fills `out` with random bytes.
    pub fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        self.with_ring(out.len(), |rng| rng.fill(out).map_err(|_| ()))
            .map_err(|()| Error::Internal("random number generator failed"))
    }

    /// Runs a ring operation that draws `len` random bytes (key generation,
    /// signing) with this connection's randomness.
    #[allow(deprecated)] // ring's fixed generators are public but marked internal.
    pub fn with_ring<T>(
        &mut self,
        len: usize,
        op: impl FnOnce(&dyn ring::rand::SecureRandom) -> T,
    ) -> T {
        match self {
            Rng::System(rng) => op(rng),
            Rng::Fixed { sequence, fallback } => match sequence.front() {
                Some(next) if next.len() == len => {
                    let next = sequence.pop_front().unwrap_or_default();
                    op(&ring::test::rand::FixedSliceRandom { bytes: &next })
                }
                _ => op(&ring::test::rand::FixedByteRandom { byte: *fallback }),
            },
        }
    }
}
