//! Key derivation: the TLS 1.3 key schedule and the TLS 1.2 PRF.

pub mod tls12;
pub mod tls13;
