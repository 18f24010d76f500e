//! Key derivation: the TLS 1.3 key schedule (and, in a later issue, the TLS 1.2 PRF).

pub mod tls13;
