//! The work one verification may do, so that a hostile chain costs a bounded
//! amount of CPU.
//!
//! A server that asks for client certificates verifies whatever chain any
//! client sends, on every connection. Without a bound, a chain built to be
//! expensive (many certificates with the same names, so that path building
//! tries every order; thousands of names under thousands of name constraints,
//! so that every pair is compared) costs seconds of CPU per handshake: a
//! denial of service that needs no key and no valid certificate. Every unit
//! of work that grows with the chain's contents is charged here, and the
//! verification stops with [`CertificateError::TooMuchWork`] naming the
//! [`VerifyOptions`](super::VerifyOptions) field once a budget is spent:
//!
//! - signature verifications (certificates and CRLs), bounded by
//!   `max_signature_checks`, each weighted by what it costs: ring verifies an
//!   ECDSA P-384 signature about 14 times slower than a P-256 one, so a P-384
//!   check counts 12, an RSA one over 2048 bits 2 (8 over 4096), any other 1
//!   ([`signature_cost`]); without the weights a chain of P-384
//!   certificates would cost ten times the budget's P-256 figure. Path
//!   building only descends through an issuer whose signature verified, so
//!   this also bounds the number of partial paths, and with it every
//!   per-path check. (A pair of certificates is verified once per
//!   verification, and a CA already on the path is not tried again, RFC
//!   4158, Section 5.2, so honest chains spend little);
//! - name comparisons under name constraints (one name against one subtree),
//!   bounded by `max_name_comparisons`. Long directory names cost more than
//!   one unit (see `constraints.rs`).
//!
//! The rest (parsing, per-certificate checks, which run once per certificate
//! and verification) is linear in the size of the chain, itself bounded by
//! the handshake's `max_certificate_message` and `max_chain_len`.

use crate::crypto::sign::{KeyAlgorithm, PublicKey};
use crate::error::CertificateError;

/// What is left of one verification's budgets.
#[derive(Debug)]
pub(crate) struct Budget {
    signatures_left: usize,
    signature_limit: usize,
    comparisons_left: usize,
    comparison_limit: usize,
}

impl Budget {
    /// A fresh budget of `signatures` signature checks and `comparisons` name
    /// comparisons.
    pub(crate) fn new(signatures: usize, comparisons: usize) -> Self {
        Budget {
            signatures_left: signatures,
            signature_limit: signatures,
            comparisons_left: comparisons,
            comparison_limit: comparisons,
        }
    }

    /// Takes one signature verification costing `units` (see
    /// [`signature_cost`]), or says the budget is spent.
    pub(crate) fn spend_signature(&mut self, units: usize) -> Result<(), CertificateError> {
        match self.signatures_left.checked_sub(units) {
            Some(left) => {
                self.signatures_left = left;
                Ok(())
            }
            None => {
                self.signatures_left = 0;
                Err(CertificateError::TooMuchWork(format!(
                    "gave up after {} signature checks (VerifyOptions::max_signature_checks, \
                     where a P-384 or large RSA key counts as several): the chain offers too \
                     many candidate issuers",
                    self.signature_limit
                )))
            }
        }
    }

    /// Takes `units` name comparisons, or says the budget is spent.
    pub(crate) fn spend_comparisons(&mut self, units: usize) -> Result<(), CertificateError> {
        match self.comparisons_left.checked_sub(units) {
            Some(left) => {
                self.comparisons_left = left;
                Ok(())
            }
            None => {
                self.comparisons_left = 0;
                Err(CertificateError::TooMuchWork(format!(
                    "gave up after {} name comparisons (VerifyOptions::max_name_comparisons): \
                     the chain has too many names or name constraints",
                    self.comparison_limit
                )))
            }
        }
    }
}

/// What verifying a signature by `key` takes from the signature budget: its
/// cost in units of one ECDSA P-256 verification with ring (measured by
/// `benches/hostile_chains.rs`: P-384 about 14, RSA-4096 about 1.5).
pub(crate) fn signature_cost(key: &PublicKey<'_>) -> usize {
    match (key.algorithm, key.bits) {
        (KeyAlgorithm::EcdsaP384, _) => 12,
        (KeyAlgorithm::Rsa, bits) if bits > 4096 => 8,
        (KeyAlgorithm::Rsa, bits) if bits > 2048 => 2,
        _ => 1,
    }
}

/// True for the errors that end the whole search rather than one candidate
/// path.
pub(crate) fn is_exhausted(error: &CertificateError) -> bool {
    matches!(error, CertificateError::TooMuchWork(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cost steps at the sizes the bench measured: up to RSA-2048 and
    /// every ECDSA P-256 or Ed25519 key cost one unit, larger RSA keys two
    /// (eight above 4096 bits), P-384 twelve.
    #[test]
    fn signature_costs_step_at_the_measured_key_sizes() {
        let cost = |algorithm, bits| {
            signature_cost(&PublicKey {
                algorithm,
                bits,
                key: &[],
            })
        };
        assert_eq!(cost(KeyAlgorithm::Rsa, 2048), 1);
        assert_eq!(cost(KeyAlgorithm::Rsa, 2049), 2);
        assert_eq!(cost(KeyAlgorithm::Rsa, 4096), 2);
        assert_eq!(cost(KeyAlgorithm::Rsa, 4097), 8);
        assert_eq!(cost(KeyAlgorithm::EcdsaP256, 256), 1);
        assert_eq!(cost(KeyAlgorithm::Ed25519, 256), 1);
        assert_eq!(cost(KeyAlgorithm::EcdsaP384, 384), 12);
    }

    #[test]
    fn budgets_run_out_exactly() {
        let mut budget = Budget::new(3, 10);
        assert_eq!(budget.spend_signature(1), Ok(()));
        assert_eq!(budget.spend_signature(2), Ok(()));
        let err = budget.spend_signature(1).unwrap_err();
        assert!(is_exhausted(&err));
        assert!(
            err.to_string().contains("after 3 signature checks"),
            "{err}"
        );
        assert_eq!(budget.spend_comparisons(10), Ok(()));
        let err = budget.spend_comparisons(1).unwrap_err();
        assert!(err.to_string().contains("max_name_comparisons"), "{err}");
    }
}
