//! Ephemeral key exchange groups: X25519, secp256r1, secp384r1.

use ring::agreement;
use zeroize::Zeroizing;

use super::Rng;
use crate::codec::NamedGroup;
use crate::error::{Error, PeerMisbehaved};

/// Groups we implement, in our default preference order.
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

fn algorithm(group: NamedGroup) -> Option<(&'static agreement::Algorithm, usize)> {
    match group {
        NamedGroup::X25519 => Some((&agreement::X25519, 32)),
        NamedGroup::SECP256R1 => Some((&agreement::ECDH_P256, 32)),
        NamedGroup::SECP384R1 => Some((&agreement::ECDH_P384, 48)),
        _ => None,
    }
}

/// True if we implement `group`.
pub fn is_supported(group: NamedGroup) -> bool {
    algorithm(group).is_some()
}

/// An ephemeral private key and its public share, used once.
///
/// The private scalar lives inside ring, used once by [`KeyShare::agree`];
/// ring does not promise to wipe it (see the crate docs, "Secrets in memory").
pub struct KeyShare {
    group: NamedGroup,
    private: agreement::EphemeralPrivateKey,
    public: Vec<u8>,
}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyShare")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KeyShare {
    /// Generates a fresh key pair for `group`.
    pub fn generate(group: NamedGroup, rng: &mut Rng) -> Result<Self, Error> {
        let (alg, scalar_len) =
            algorithm(group).ok_or(Error::Internal("key share for an unsupported group"))?;
        let private = rng
            .with_ring(scalar_len, |r| {
                agreement::EphemeralPrivateKey::generate(alg, r)
            })
            .map_err(|_| Error::Internal("key generation failed"))?;
        let public = private
            .compute_public_key()
            .map_err(|_| Error::Internal("public key computation failed"))?
            .as_ref()
            .to_vec();
        Ok(Self {
            group,
            private,
            public,
        })
    }

    /// The group this share belongs to.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// The public value to send (RFC 8446, Section 4.2.8.2: uncompressed point
    /// for NIST curves, 32 bytes for X25519).
    pub fn public(&self) -> &[u8] {
        &self.public
    }

    /// Combines our private key with the peer's public share.
    ///
    /// An invalid point, or an X25519 result of all zeroes (RFC 8446, Section
    /// 7.4.2), is the peer's fault: illegal_parameter.
    pub fn agree(self, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let (alg, _) = algorithm(self.group).ok_or(Error::Internal("unsupported group"))?;
        let peer = agreement::UnparsedPublicKey::new(alg, peer_public);
        agreement::agree_ephemeral(self.private, &peer, |secret| {
            Zeroizing::new(secret.to_vec())
        })
        .map_err(|_| PeerMisbehaved::BadKeyShare.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_for_every_group() {
        let mut rng = Rng::default();
        for &group in SUPPORTED_GROUPS {
            let a = KeyShare::generate(group, &mut rng).unwrap();
            let b = KeyShare::generate(group, &mut rng).unwrap();
            let a_pub = a.public().to_vec();
            let s1 = a.agree(b.public()).unwrap();
            let s2 = b.agree(&a_pub).unwrap();
            assert_eq!(*s1, *s2);
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
}
