//! keyway: TLS 1.3 and TLS 1.2 written from the wire up.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
pub mod crypto;
pub mod error;
pub mod keys;
pub mod pki;
pub mod record;
pub mod transcript;

pub use error::Error;
