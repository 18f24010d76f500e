//! keyway: TLS 1.3 (and, next, TLS 1.2) written from the wire up — codec,
//! record layer, key schedule and handshake state machines — on `ring`'s
//! primitives.
//!
//! The core is sans-IO: a [`ClientConnection`] or [`ServerConnection`] takes
//! TLS bytes in and gives TLS bytes out, plaintext in and plaintext out.
//! [`Stream`] drives one over any blocking `Read + Write`.
//!
//! ```
//! use std::sync::Arc;
//! use keyway::{ClientConfig, ClientConnection, RootStore};
//!
//! let config = Arc::new(ClientConfig::builder(RootStore::new()).build().unwrap());
//! let mut client = ClientConnection::new(config, "example.com").unwrap();
//! let hello = client.take_tls(); // the ClientHello record, ready for the wire
//! assert_eq!(hello[0], 22); // a handshake record
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod codec;
pub mod conn;
pub mod crypto;
pub mod error;
pub mod events;
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
pub mod keylog;
pub mod keys;
pub mod limits;
pub mod pki;
pub mod record;
pub mod server;
pub mod stream;
#[cfg(test)]
mod testing;
pub mod transcript;

pub use client::{ClientConfig, ClientConfigBuilder, ClientConnection};
pub use codec::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
pub use conn::{Connection, Negotiated};
pub use error::Error;
pub use limits::Limits;
pub use pki::{RootStore, ServerName};
pub use server::{CertifiedKey, ServerConfig, ServerConfigBuilder, ServerConnection};
pub use stream::Stream;
