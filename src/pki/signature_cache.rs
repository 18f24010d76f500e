//! A bounded cache of certificate signatures that verified, shared by the
//! verifications of one default verifier, so a repeat connection to the same
//! server (or from the same client, for client certificates) skips the
//! public-key operations on its chain.
//!
//! # Why a cached verdict is safe
//!
//! Whether a certificate's signature verifies with its issuer's key is a pure
//! function of the issuer's SubjectPublicKeyInfo, the signature algorithm
//! (and whether legacy algorithms are accepted), the signed bytes (the DER
//! TBSCertificate) and the signature: nothing about the time, the name
//! asked for, the rest of the chain or the connection enters it. The cache
//! is keyed on a SHA-256 over exactly those bytes, each with its length
//! ([`cert_signature_fingerprint`]), so a hit means the same key signed
//! the same bytes with the same signature: finding a different input with a
//! cached key is finding a SHA-256 collision. Only successes are stored; a
//! failure is recomputed (and reported) every time.
//!
//! Everything else is checked on every verification, cached or not: the
//! algorithm and key-size policy, validity times, basicConstraints,
//! keyUsage, extendedKeyUsage, name constraints, the CA/Browser Forum
//! profile, revocation, the server name, and the work budget (a hit is
//! charged like a check, so whether a hostile chain runs out of budget
//! does not depend on what the cache holds). A handshake's CertificateVerify
//! or ServerKeyExchange signature is never cached: it signs that
//! connection's transcript.
//!
//! # Memory
//!
//! At most `capacity` entries ([`VerifyOptions::signature_cache_entries`],
//! default [`SIGNATURE_CACHE_ENTRIES`]); each costs its 32-byte key twice
//! (the set and the eviction queue) plus the set's table overhead, about 75
//! bytes, so the default holds at most about 75 KiB, allocated only as it
//! fills. When full, the oldest entry goes (first in, first out).
//!
//! [`VerifyOptions::signature_cache_entries`]: super::VerifyOptions::signature_cache_entries
//! [`cert_signature_fingerprint`]: crate::crypto::sign::cert_signature_fingerprint

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

/// Entries a default verifier's cache holds by default: two per chain of a
/// leaf and one intermediate, so the chains of about 500 servers.
pub const SIGNATURE_CACHE_ENTRIES: usize = 1024;

/// Fingerprints of certificate signatures that verified (see the module
/// documentation).
pub(crate) struct SignatureCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    known: HashSet<[u8; 32]>,
    /// The same fingerprints, oldest first, for eviction.
    order: VecDeque<[u8; 32]>,
}

impl SignatureCache {
    /// An empty cache of at most `capacity` entries (0: it keeps nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// True if a signature with this fingerprint has verified before.
    pub(crate) fn contains(&self, fingerprint: &[u8; 32]) -> bool {
        self.capacity > 0
            && self
                .entries
                .lock()
                .is_ok_and(|entries| entries.known.contains(fingerprint))
    }

    /// Records a signature that verified, evicting the oldest entry when full.
    pub(crate) fn insert(&self, fingerprint: [u8; 32]) {
        if self.capacity == 0 {
            return;
        }
        // A poisoned lock means a panic elsewhere mid-insert: the sets may
        // disagree, so start again empty rather than trust them.
        let mut entries = match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => {
                let mut entries = poisoned.into_inner();
                *entries = Entries::default();
                entries
            }
        };
        if !entries.known.insert(fingerprint) {
            return;
        }
        entries.order.push_back(fingerprint);
        while entries.order.len() > self.capacity {
            if let Some(oldest) = entries.order.pop_front() {
                entries.known.remove(&oldest);
            }
        }
    }

    /// How many entries it holds.
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().map_or(0, |entries| entries.order.len())
    }
}

impl core::fmt::Debug for SignatureCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignatureCache")
            .field("entries", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_its_capacity_oldest_out_first() {
        let cache = SignatureCache::new(2);
        cache.insert([1; 32]);
        cache.insert([2; 32]);
        cache.insert([2; 32]);
        assert_eq!(cache.len(), 2);
        cache.insert([3; 32]);
        assert_eq!(cache.len(), 2);
        assert!(!cache.contains(&[1; 32]));
        assert!(cache.contains(&[2; 32]) && cache.contains(&[3; 32]));
    }

    #[test]
    fn a_zero_capacity_cache_keeps_nothing() {
        let cache = SignatureCache::new(0);
        cache.insert([1; 32]);
        assert!(!cache.contains(&[1; 32]));
        assert_eq!(cache.len(), 0);
    }
}
