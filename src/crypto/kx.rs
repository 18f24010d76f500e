//! Ephemeral key exchange groups: X25519, secp256r1, secp384r1, and the
//! post-quantum hybrids X25519MLKEM768 and SecP256r1MLKEM768 (TLS 1.3 only).
//!
//! # The hybrids
//!
//! A hybrid group runs an elliptic-curve Diffie-Hellman exchange and an
//! ML-KEM-768 key encapsulation (FIPS 203) side by side and feeds both results
//! to the TLS 1.3 key schedule as one shared secret
//! (draft-ietf-tls-ecdhe-mlkem, Section 3). Traffic recorded today and kept
//! until someone owns a large quantum computer stays secret: Shor's algorithm
//! breaks the elliptic curve, not ML-KEM. Because the secret holds both
//! halves, the connection stays as safe as the classical exchange alone if
//! ML-KEM, a young scheme, turns out weak.
//!
//! The client's share is its ML-KEM encapsulation key with an ECDH public key;
//! the server answers with a ciphertext that encapsulates a secret to that key
//! with its own ECDH public key. The order of the halves differs between the
//! groups: X25519MLKEM768 puts ML-KEM first (in its shares and in the shared
//! secret), SecP256r1MLKEM768 puts the curve first.
//!
//! What a peer can send us is checked as FIPS 203 requires: a share of any
//! other length than the group's is refused with illegal_parameter, and so is
//! an encapsulation key whose coefficients are not all below q = 3329 (the
//! "modulus check" of FIPS 203, Section 7.2: encapsulating to an unchecked key
//! is not allowed, because a key outside the ring could leak the secret we
//! encapsulate). A ciphertext we decapsulate is never refused once its length
//! is right: ML-KEM's implicit rejection turns a forged one into a random
//! secret, so the handshake fails at Finished like any wrong key and a peer
//! learns nothing from how we fail. The decapsulation key wipes itself when
//! dropped (the ml-kem crate's `zeroize` feature), and so do the seeds and
//! secrets we handle here.
//!
//! Neither hybrid exists in TLS 1.2 (draft-ietf-tls-ecdhe-mlkem, Section 3:
//! TLS 1.3 only): [`is_hybrid`] tells the TLS 1.2 code which groups to leave
//! out.
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use ml_kem::{Decapsulate, DecapsulationKey768, EncapsulationKey768, KeyExport, TryKeyInit};
use ring::agreement;
use zeroize::{Zeroize, Zeroizing};

use super::Rng;
use crate::codec::NamedGroup;
use crate::error::{Error, PeerMisbehaved};

/// Groups we implement, in our default preference order: the hybrids first
/// (as browsers, Go and OpenSSL 3.5 order them), then the classical curves.
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519MLKEM768,
    NamedGroup::SECP256R1MLKEM768,
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

/// FIPS 203, Table 3: an ML-KEM-768 encapsulation key is 384k + 32 bytes, k = 3.
pub const MLKEM768_ENCAPSULATION_KEY_LEN: usize = 1184;
/// FIPS 203, Table 3: an ML-KEM-768 ciphertext is 32(d_u k + d_v) bytes.
pub const MLKEM768_CIPHERTEXT_LEN: usize = 1088;

/// An elliptic-curve group as ring knows it.
#[derive(Clone, Copy)]
struct Ecdh {
    algorithm: &'static agreement::Algorithm,
    /// Bytes of randomness a private key takes.
    scalar_len: usize,
    /// Length of a public key on the wire (RFC 8446, Section 4.2.8.2).
    public_len: usize,
}

const X25519: Ecdh = Ecdh {
    algorithm: &agreement::X25519,
    scalar_len: 32,
    public_len: 32,
};
const SECP256R1: Ecdh = Ecdh {
    algorithm: &agreement::ECDH_P256,
    scalar_len: 32,
    public_len: 65,
};
const SECP384R1: Ecdh = Ecdh {
    algorithm: &agreement::ECDH_P384,
    scalar_len: 48,
    public_len: 97,
};

/// An ECDH group combined with ML-KEM-768 (draft-ietf-tls-ecdhe-mlkem,
/// Section 3): shares and shared secret are the two halves concatenated.
#[derive(Clone, Copy)]
struct Hybrid {
    ecdh: Ecdh,
    /// True when the ECDH half comes first (SecP256r1MLKEM768), false when
    /// ML-KEM does (X25519MLKEM768).
    ecdh_first: bool,
}

/// How a group agrees on a secret.
#[derive(Clone, Copy)]
enum Kind {
    Ecdh(Ecdh),
    Hybrid(Hybrid),
}

fn kind(group: NamedGroup) -> Option<Kind> {
    match group {
        NamedGroup::X25519 => Some(Kind::Ecdh(X25519)),
        NamedGroup::SECP256R1 => Some(Kind::Ecdh(SECP256R1)),
        NamedGroup::SECP384R1 => Some(Kind::Ecdh(SECP384R1)),
        NamedGroup::X25519MLKEM768 => Some(Kind::Hybrid(Hybrid {
            ecdh: X25519,
            ecdh_first: false,
        })),
        NamedGroup::SECP256R1MLKEM768 => Some(Kind::Hybrid(Hybrid {
            ecdh: SECP256R1,
            ecdh_first: true,
        })),
        _ => None,
    }
}

/// True if we implement `group`.
pub fn is_supported(group: NamedGroup) -> bool {
    kind(group).is_some()
}

/// True if `group` is one of our post-quantum hybrids, which exist only in
/// TLS 1.3 (draft-ietf-tls-ecdhe-mlkem, Section 3): never offered, chosen or
/// accepted as a TLS 1.2 ServerKeyExchange curve.
pub fn is_hybrid(group: NamedGroup) -> bool {
    matches!(kind(group), Some(Kind::Hybrid(_)))
}

impl Hybrid {
    /// The two halves in this group's order.
    fn join(self, mlkem: &[u8], ecdh: &[u8]) -> Vec<u8> {
        let (first, second) = match self.ecdh_first {
            true => (ecdh, mlkem),
            false => (mlkem, ecdh),
        };
        let mut out = Vec::with_capacity(first.len().saturating_add(second.len()));
        out.extend_from_slice(first);
        out.extend_from_slice(second);
        out
    }

    /// Both halves of a shared secret, in one buffer that wipes itself.
    fn join_secrets(self, mlkem: &[u8], ecdh: &[u8]) -> Result<SharedSecret, Error> {
        let (first, second) = match self.ecdh_first {
            true => (ecdh, mlkem),
            false => (mlkem, ecdh),
        };
        let mut secret = SharedSecret::new(first)?;
        secret.extend(second)?;
        Ok(secret)
    }

    /// Splits a peer's share into its (ML-KEM, ECDH) halves, whose ML-KEM half
    /// must be `mlkem_len` bytes. Any other total length is illegal_parameter
    /// (draft-ietf-tls-ecdhe-mlkem, Section 3: the shares have fixed sizes).
    fn split(self, share: &[u8], mlkem_len: usize) -> Result<(&[u8], &[u8]), Error> {
        let wrong_length =
            || PeerMisbehaved::IllegalParameter("hybrid key share has the wrong length");
        if Some(share.len()) != mlkem_len.checked_add(self.ecdh.public_len) {
            return Err(wrong_length().into());
        }
        let first_len = match self.ecdh_first {
            true => self.ecdh.public_len,
            false => mlkem_len,
        };
        let (first, second) = share.split_at_checked(first_len).ok_or_else(wrong_length)?;
        Ok(match self.ecdh_first {
            true => (second, first),
            false => (first, second),
        })
    }
}

/// An ephemeral private key and its public share, used once.
///
/// The ECDH private scalars live inside ring, used once by
/// [`KeyShare::agree`]; ring does not promise to wipe them (see the crate
/// docs, "Secrets in memory"). The ML-KEM decapsulation key is ours and is
/// wiped when dropped.
pub struct KeyShare {
    group: NamedGroup,
    private: Private,
    public: Public,
}

/// A share's public value: ring's own (inline) for ECDH, ours for a hybrid.
enum Public {
    Ecdh(agreement::PublicKey),
    Hybrid(Vec<u8>),
}

/// A key exchange's shared secret, or a TLS 1.2 pre-master secret: kept
/// inline and wiped on drop. Dereferences to the secret's bytes; `Debug`
/// shows only its length.
pub struct SharedSecret {
    bytes: Zeroizing<[u8; SharedSecret::MAX]>,
    len: usize,
}

impl SharedSecret {
    /// The longest secret: a hybrid's 64 bytes (TLS 1.2's pre-master secret
    /// is 48, P-384's 48).
    pub const MAX: usize = 64;

    /// A copy of `secret`.
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        let mut out = Self {
            bytes: Zeroizing::new([0; Self::MAX]),
            len: 0,
        };
        out.extend(secret)?;
        Ok(out)
    }

    /// `len` zero bytes: TLS 1.3's stand-in for a psk_ke handshake (RFC
    /// 8446, Section 7.1).
    pub fn zeros(len: usize) -> Result<Self, Error> {
        let zeros = [0; Self::MAX];
        Self::new(zeros.get(..len).ok_or(Error::Internal("too many zeros"))?)
    }

    fn extend(&mut self, more: &[u8]) -> Result<(), Error> {
        let end = self.len.saturating_add(more.len());
        self.bytes
            .get_mut(self.len..end)
            .ok_or(Error::Internal(
                "shared secret longer than SharedSecret::MAX",
            ))?
            .copy_from_slice(more);
        self.len = end;
        Ok(())
    }
}

impl core::ops::Deref for SharedSecret {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SharedSecret({} bytes)", self.len)
    }
}

enum Private {
    Ecdh(agreement::EphemeralPrivateKey),
    /// Boxed: an ML-KEM-768 decapsulation key holds about 3 KB, and a TLS 1.2
    /// handshake state holding an ECDH share should not grow for it.
    Hybrid(Box<HybridPrivate>),
}

struct HybridPrivate {
    hybrid: Hybrid,
    mlkem: DecapsulationKey768,
    ecdh: agreement::EphemeralPrivateKey,
}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyShare")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KeyShare {
    /// Generates a fresh key pair for `group`: for a hybrid, an ML-KEM-768
    /// key pair (drawing its 64-byte seed first) and an ECDH key pair.
    pub fn generate(group: NamedGroup, rng: &mut Rng) -> Result<Self, Error> {
        match kind(group).ok_or(Error::Internal("key share for an unsupported group"))? {
            Kind::Ecdh(ecdh) => {
                let (private, public) = generate_ecdh(ecdh, rng)?;
                Ok(Self {
                    group,
                    private: Private::Ecdh(private),
                    public: Public::Ecdh(public),
                })
            }
            Kind::Hybrid(hybrid) => {
                let mut seed = Zeroizing::new([0u8; 64]);
                rng.fill(seed.as_mut())?;
                let mlkem = mlkem768_from_seed(&seed);
                let (ecdh, ecdh_public) = generate_ecdh(hybrid.ecdh, rng)?;
                let public =
                    hybrid.join(&mlkem.encapsulation_key().to_bytes(), ecdh_public.as_ref());
                Ok(Self {
                    group,
                    private: Private::Hybrid(Box::new(HybridPrivate {
                        hybrid,
                        mlkem,
                        ecdh,
                    })),
                    public: Public::Hybrid(public),
                })
            }
        }
    }

    /// The group this share belongs to.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// The public value to send (RFC 8446, Section 4.2.8.2: uncompressed point
    /// for NIST curves, 32 bytes for X25519; for a hybrid, the encapsulation
    /// key and the ECDH public key in the group's order).
    pub fn public(&self) -> &[u8] {
        match &self.public {
            Public::Ecdh(public) => public.as_ref(),
            Public::Hybrid(public) => public,
        }
    }

    /// Combines our private key with the peer's public share (for a hybrid,
    /// the server's ciphertext and ECDH public key).
    ///
    /// An invalid point, an X25519 result of all zeroes (RFC 8446, Section
    /// 7.4.2), or a hybrid share of the wrong length is the peer's fault:
    /// illegal_parameter.
    pub fn agree(self, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        match self.private {
            Private::Ecdh(private) => agree_ecdh(private, peer_public),
            Private::Hybrid(private) => {
                let HybridPrivate {
                    hybrid,
                    mlkem,
                    ecdh,
                } = *private;
                let (ciphertext, ecdh_public) =
                    hybrid.split(peer_public, MLKEM768_CIPHERTEXT_LEN)?;
                let ecdh_secret = agree_ecdh(ecdh, ecdh_public)?;
                let mut mlkem_secret = mlkem.decapsulate_slice(ciphertext).map_err(|_| {
                    PeerMisbehaved::IllegalParameter("hybrid key share has the wrong length")
                })?;
                let secret = hybrid.join_secrets(&mlkem_secret, &ecdh_secret);
                mlkem_secret.as_mut_slice().zeroize();
                secret
            }
        }
    }
}

/// The server's side of a TLS 1.3 key exchange in `group`: the share to send
/// in answer to the client's, and the shared secret.
///
/// For an ECDH group that is a fresh key pair agreed with the client's key.
/// For a hybrid, the client's encapsulation key is checked (FIPS 203,
/// Section 7.2) and a secret encapsulated to it with 32 bytes drawn from
/// `rng` (FIPS 203, Algorithm 17, ML-KEM.Encaps: the randomness m), then the
/// ECDH half as for an ECDH group. Drawing m from the connection's own
/// generator keeps tests and fuzzing replayable.
pub fn respond(
    group: NamedGroup,
    client_public: &[u8],
    rng: &mut Rng,
) -> Result<(Vec<u8>, SharedSecret), Error> {
    match kind(group).ok_or(Error::Internal("key share for an unsupported group"))? {
        Kind::Ecdh(_) => {
            let ours = KeyShare::generate(group, rng)?;
            let public = ours.public().to_vec();
            Ok((public, ours.agree(client_public)?))
        }
        Kind::Hybrid(hybrid) => {
            let (encapsulation_key, ecdh_public) =
                hybrid.split(client_public, MLKEM768_ENCAPSULATION_KEY_LEN)?;
            let mut m = Zeroizing::new([0u8; 32]);
            rng.fill(m.as_mut())?;
            let (ciphertext, mlkem_secret) = mlkem768_encapsulate(encapsulation_key, &m)?;
            let (ecdh, our_ecdh_public) = generate_ecdh(hybrid.ecdh, rng)?;
            let ecdh_secret = agree_ecdh(ecdh, ecdh_public)?;
            let secret = hybrid.join_secrets(mlkem_secret.as_ref(), &ecdh_secret)?;
            Ok((hybrid.join(&ciphertext, our_ecdh_public.as_ref()), secret))
        }
    }
}

fn generate_ecdh(
    ecdh: Ecdh,
    rng: &mut Rng,
) -> Result<(agreement::EphemeralPrivateKey, agreement::PublicKey), Error> {
    let private = rng
        .with_ring(ecdh.scalar_len, |r| {
            agreement::EphemeralPrivateKey::generate(ecdh.algorithm, r)
        })
        .map_err(|_| Error::Internal("key generation failed"))?;
    let public = private
        .compute_public_key()
        .map_err(|_| Error::Internal("public key computation failed"))?;
    Ok((private, public))
}

fn agree_ecdh(
    private: agreement::EphemeralPrivateKey,
    peer_public: &[u8],
) -> Result<SharedSecret, Error> {
    let peer = agreement::UnparsedPublicKey::new(private.algorithm(), peer_public);
    agreement::agree_ephemeral(private, &peer, SharedSecret::new)
        .map_err(|_| Error::from(PeerMisbehaved::BadKeyShare))?
}

/// ML-KEM.KeyGen_internal(d, z) (FIPS 203, Algorithm 16) from `seed` = d || z.
fn mlkem768_from_seed(seed: &[u8; 64]) -> DecapsulationKey768 {
    DecapsulationKey768::from_seed(ml_kem::Seed::from(*seed))
}

/// ML-KEM.Encaps_internal(ek, m) (FIPS 203, Algorithm 17) after the input
/// check of Section 7.2; returns the ciphertext and the shared secret.
fn mlkem768_encapsulate(
    encapsulation_key: &[u8],
    m: &[u8; 32],
) -> Result<(Vec<u8>, Zeroizing<[u8; 32]>), Error> {
    // FIPS 203, Section 7.2: the type check (length) and the modulus check
    // (every 12-bit coefficient below q), both done by the crate's decoder.
    let ek = EncapsulationKey768::new_from_slice(encapsulation_key).map_err(|_| {
        PeerMisbehaved::IllegalParameter(
            "ML-KEM-768 encapsulation key fails the FIPS 203 modulus check",
        )
    })?;
    let mut m = ml_kem::B32::from(*m);
    let (ciphertext, mut secret) = ek.encapsulate_deterministic(&m);
    m.as_mut_slice().zeroize();
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(secret.as_slice());
    secret.as_mut_slice().zeroize();
    Ok((ciphertext.to_vec(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_secret_holds_up_to_64_bytes_and_never_shows_them() {
        let secret = SharedSecret::new(&[0xab; 64]).unwrap();
        assert_eq!(*secret, [0xab; 64]);
        assert_eq!(format!("{secret:?}"), "SharedSecret(64 bytes)");
        assert!(SharedSecret::new(&[1; 65]).is_err());
        assert_eq!(*SharedSecret::zeros(48).unwrap(), [0; 48]);
        assert!(SharedSecret::zeros(65).is_err());
    }

    #[test]
    fn both_sides_agree_for_every_group() {
        let mut rng = Rng::default();
        for &group in SUPPORTED_GROUPS {
            let client = KeyShare::generate(group, &mut rng).unwrap();
            let (server_public, s1) = respond(group, client.public(), &mut rng).unwrap();
            let s2 = client.agree(&server_public).unwrap();
            assert_eq!(*s1, *s2, "{group}");
        }
    }

    #[test]
    fn invalid_points_are_illegal_parameter() {
        let mut rng = Rng::default();
        let share = KeyShare::generate(NamedGroup::SECP256R1, &mut rng).unwrap();
        let err = share.agree(&[4; 65]).unwrap_err();
        assert_eq!(err, Error::PeerMisbehaved(PeerMisbehaved::BadKeyShare));
        // RFC 7748 low-order point: all-zero shared secret must be refused.
        let share = KeyShare::generate(NamedGroup::X25519, &mut rng).unwrap();
        assert!(share.agree(&[0; 32]).is_err());
    }

    fn fixed(values: &[&[u8]]) -> Rng {
        Rng::Fixed {
            sequence: values.iter().map(|v| v.to_vec()).collect(),
            fallback: 0,
        }
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
    }

    /// The hybrids from fixed inputs: bytes 0..63 are the client's ML-KEM
    /// seed d || z, 64..95 its ECDH private key, 96..127 the server's
    /// encapsulation randomness m, 128..159 the server's ECDH private key.
    /// The expected values come from an independent implementation, Go's
    /// crypto/mlkem, crypto/mlkem/mlkemtest and crypto/ecdh (`kat` mode of
    /// testdata/go/peer.go; tests/go.rs compares the whole shares live). The
    /// shares are given by their SHA-256 and length, the secret in full: the
    /// same ML-KEM secret in both, first in X25519MLKEM768, second in
    /// SecP256r1MLKEM768.
    #[test]
    fn hybrids_match_known_answers_from_fixed_seeds() {
        let input: Vec<u8> = (0..160u8).collect();
        let kats = [
            (
                NamedGroup::X25519MLKEM768,
                (
                    1216,
                    "d99e4496af749b54ee4a2d270c8057450624ecc5dc0866295ffc504a26134ad4",
                ),
                (
                    1120,
                    "0149bf04ce3b4ba17be95e19f2b296d719b13a0a832346b97319f095b27bd43f",
                ),
                "df667d91b9f200d40195490c960b6b66f14b90853e187ab64d66a4fab18b112e\
                 dcd77236231add34de0561c47859a65d304f2a8550e8df98df053cf5dfabea0b",
            ),
            (
                NamedGroup::SECP256R1MLKEM768,
                (
                    1249,
                    "d8f40a65f583954a9fc42b1d3e60914d406c0a70ba4a802d3949a3acf5b3edcb",
                ),
                (
                    1153,
                    "9e557ebdc2f9659a700ee4d246f563e92641e55b4e8eff0158d421e6fee7877a",
                ),
                "e7386f570fb26e0b0e928180071ea1c4221363740499a4995f2920b9d54fe421\
                 df667d91b9f200d40195490c960b6b66f14b90853e187ab64d66a4fab18b112e",
            ),
        ];
        for (group, client_share, server_share, secret) in kats {
            let client =
                KeyShare::generate(group, &mut fixed(&[&input[0..64], &input[64..96]])).unwrap();
            let public = client.public();
            assert_eq!(
                (public.len(), sha256_hex(public).as_str()),
                client_share,
                "{group}"
            );
            let mut server_rng = fixed(&[&input[96..128], &input[128..160]]);
            let (server_public, server_secret) = respond(group, public, &mut server_rng).unwrap();
            let server_hash = sha256_hex(&server_public);
            assert_eq!(
                (server_public.len(), server_hash.as_str()),
                server_share,
                "{group}"
            );
            assert_eq!(hex::encode(&*server_secret), secret, "{group}");
            let client_secret = client.agree(&server_public).unwrap();
            assert_eq!(hex::encode(&*client_secret), secret, "{group}");
        }
    }

    /// The accumulated ML-KEM-768 vectors of C2SP's CCTV project, as Go's
    /// crypto/mlkem tests use them: SHAKE-128 of the empty string yields, per
    /// round, a seed d || z, the encapsulation randomness m and a random
    /// ciphertext; a second SHAKE-128 absorbs the encapsulation key, the
    /// ciphertext, the shared secret and the implicit-rejection secret of the
    /// random ciphertext, and its first 32 bytes are the answer. This covers
    /// key generation, encapsulation, decapsulation and implicit rejection
    /// through our own glue (seed order, sizes, deterministic encapsulation).
    fn accumulated_mlkem768(rounds: usize) -> String {
        use shake::{ExtendableOutput, Shake128, Update, XofReader};
        let mut s = Shake128::default().finalize_xof();
        let mut o = Shake128::default();
        for _ in 0..rounds {
            let mut seed = [0u8; 64];
            s.read(&mut seed);
            let dk = mlkem768_from_seed(&seed);
            let ek = dk.encapsulation_key().to_bytes();
            o.update(&ek);
            let mut m = [0u8; 32];
            s.read(&mut m);
            let (ct, k) = mlkem768_encapsulate(&ek, &m).unwrap();
            o.update(&ct);
            o.update(&*k);
            assert_eq!(dk.decapsulate_slice(&ct).unwrap().as_slice(), &*k);
            let mut random_ct = [0u8; MLKEM768_CIPHERTEXT_LEN];
            s.read(&mut random_ct);
            o.update(&dk.decapsulate_slice(&random_ct).unwrap());
        }
        let mut out = [0u8; 32];
        o.finalize_xof().read(&mut out);
        hex::encode(out)
    }

    #[test]
    fn mlkem768_matches_the_accumulated_vectors_100_rounds() {
        assert_eq!(
            accumulated_mlkem768(100),
            "1114b1b6699ed191734fa339376afa7e285c9e6acf6ff0177d346696ce564415"
        );
    }

    /// ML-KEM's generic code is compiled at keyway's own opt-level, so in a
    /// debug build 10,000 rounds take over a minute; in release, about four
    /// seconds: `cargo test --release --lib -- --ignored accumulated`.
    #[test]
    #[ignore = "a minute in a debug build; run with --release"]
    fn mlkem768_matches_the_accumulated_vectors_10000_rounds() {
        assert_eq!(
            accumulated_mlkem768(10_000),
            "8a518cc63da366322a8e7a818c7a0d63483cb3528d34a4cf42f35d5ad73f22fc"
        );
    }

    #[test]
    fn mlkem768_sizes_are_those_of_fips_203() {
        let dk = mlkem768_from_seed(&[7; 64]);
        let ek = dk.encapsulation_key().to_bytes();
        assert_eq!(ek.len(), MLKEM768_ENCAPSULATION_KEY_LEN);
        let (ct, _) = mlkem768_encapsulate(&ek, &[9; 32]).unwrap();
        assert_eq!(ct.len(), MLKEM768_CIPHERTEXT_LEN);
    }

    /// FIPS 203, Section 7.2: an encapsulation key whose 12-bit coefficients
    /// are not all below q = 3329 is refused before encapsulating, as the
    /// peer's fault. Coefficient 0 is bits 0..12 of the key: byte 0 and the
    /// low half of byte 1.
    #[test]
    fn an_encapsulation_key_out_of_range_is_illegal_parameter() {
        let mut rng = Rng::default();
        let client = KeyShare::generate(NamedGroup::X25519MLKEM768, &mut rng).unwrap();
        let with_first_coefficient = |c: u16| {
            let mut share = client.public().to_vec();
            share[0] = (c & 0xff) as u8;
            share[1] = (share[1] & 0xf0) | (c >> 8) as u8;
            share
        };
        for c in [3329, 4095] {
            let err = respond(
                NamedGroup::X25519MLKEM768,
                &with_first_coefficient(c),
                &mut rng,
            )
            .unwrap_err();
            assert_eq!(
                err,
                Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
                    "ML-KEM-768 encapsulation key fails the FIPS 203 modulus check"
                )),
                "coefficient {c}"
            );
            assert_eq!(
                err.alert(),
                Some(crate::codec::AlertDescription::ILLEGAL_PARAMETER)
            );
        }
        // q - 1 is in range: that key passes the check (it is not the
        // client's any more, but only a wrong secret, not an error, says so).
        respond(
            NamedGroup::X25519MLKEM768,
            &with_first_coefficient(3328),
            &mut rng,
        )
        .unwrap();
    }

    #[test]
    fn hybrid_shares_of_the_wrong_length_are_illegal_parameter() {
        let wrong_length = Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
            "hybrid key share has the wrong length",
        ));
        let mut rng = Rng::default();
        for (group, client_len, server_len) in [
            (NamedGroup::X25519MLKEM768, 1216, 1120),
            (NamedGroup::SECP256R1MLKEM768, 1249, 1153),
        ] {
            let client = KeyShare::generate(group, &mut rng).unwrap();
            assert_eq!(client.public().len(), client_len);
            for len in [0, 32, client_len - 1, client_len + 1, 1184] {
                let share = vec![1u8; len];
                assert_eq!(respond(group, &share, &mut rng).unwrap_err(), wrong_length);
            }
            let (server_public, _) = respond(group, client.public(), &mut rng).unwrap();
            assert_eq!(server_public.len(), server_len);
            for len in [server_len - 1, server_len + 1, 1088] {
                let client = KeyShare::generate(group, &mut rng).unwrap();
                assert_eq!(client.agree(&vec![1u8; len]).unwrap_err(), wrong_length);
            }
        }
    }

    /// A forged ciphertext is not refused: implicit rejection (FIPS 203,
    /// Algorithm 18) yields an unrelated secret, so the handshake fails at
    /// Finished and the way it fails tells the peer nothing.
    #[test]
    fn a_forged_ciphertext_yields_a_different_secret_not_an_error() {
        let mut rng = Rng::default();
        let client = KeyShare::generate(NamedGroup::X25519MLKEM768, &mut rng).unwrap();
        let (mut server_public, server_secret) =
            respond(NamedGroup::X25519MLKEM768, client.public(), &mut rng).unwrap();
        server_public[10] ^= 1;
        let client_secret = client.agree(&server_public).unwrap();
        assert_eq!(client_secret.len(), 64);
        assert_ne!(client_secret[..32], server_secret[..32]);
        // The X25519 half still agrees: only the ML-KEM half was forged.
        assert_eq!(client_secret[32..], server_secret[32..]);
    }

    /// The hybrid's ECDH half is checked like a plain ECDH share.
    #[test]
    fn a_hybrid_with_a_bad_ecdh_half_is_illegal_parameter() {
        let mut rng = Rng::default();
        let client = KeyShare::generate(NamedGroup::X25519MLKEM768, &mut rng).unwrap();
        let mut share = client.public().to_vec();
        share[MLKEM768_ENCAPSULATION_KEY_LEN..].fill(0);
        assert_eq!(
            respond(NamedGroup::X25519MLKEM768, &share, &mut rng).unwrap_err(),
            Error::PeerMisbehaved(PeerMisbehaved::BadKeyShare)
        );
        let client = KeyShare::generate(NamedGroup::SECP256R1MLKEM768, &mut rng).unwrap();
        let mut share = client.public().to_vec();
        share[1] ^= 1; // no longer a point on P-256
        assert_eq!(
            respond(NamedGroup::SECP256R1MLKEM768, &share, &mut rng).unwrap_err(),
            Error::PeerMisbehaved(PeerMisbehaved::BadKeyShare)
        );
    }

    #[test]
    fn only_the_hybrids_are_tls13_only() {
        let hybrids: Vec<_> = SUPPORTED_GROUPS.iter().filter(|g| is_hybrid(**g)).collect();
        assert_eq!(
            hybrids,
            [&NamedGroup::X25519MLKEM768, &NamedGroup::SECP256R1MLKEM768]
        );
        assert!(
            !is_hybrid(NamedGroup::SECP384R1MLKEM1024)
                && !is_supported(NamedGroup::SECP384R1MLKEM1024)
        );
    }

    /// The decapsulation key wipes itself when dropped: this stops compiling
    /// if ml-kem's `zeroize` feature is ever turned off.
    #[test]
    fn the_decapsulation_key_zeroizes_on_drop() {
        fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wipes_on_drop::<DecapsulationKey768>();
    }
}
