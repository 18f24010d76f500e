//! keyway: TLS 1.3 (and, next, TLS 1.2) written from the wire up — codec,
//! record layer, key schedule and handshake state machines — on `ring`'s
//! primitives.
//!
//! The core is sans-IO: a [`ClientConnection`] or [`ServerConnection`] takes
//! TLS bytes in and gives TLS bytes out, plaintext in and plaintext out.
//! [`Stream`] drives one over any blocking `Read + Write`.
//!
//! A complete handshake in memory, with a certificate made on the spot:
//!
//! ```
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use keyway::{CertifiedKey, ClientConfig, ClientConnection, RootStore, ServerConfig, ServerConnection};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A self-signed certificate for "localhost" (rcgen, for the example only).
//! let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])?;
//! let mut roots = RootStore::new();
//! roots.add_der(cert.cert.der())?;
//! let key = keyway::pki::pem::load_private_key_pem(cert.signing_key.serialize_pem().as_bytes(), "key")?;
//!
//! let server_config = ServerConfig::builder()
//!     .certificate(CertifiedKey { chain: vec![cert.cert.der().to_vec()], key: Arc::new(key) })
//!     .build()?;
//! let client_config = ClientConfig::builder(roots).build()?;
//! let mut client = ClientConnection::new(Arc::new(client_config), "localhost")?;
//! let mut server = ServerConnection::new(Arc::new(server_config));
//!
//! // Shuttle bytes until both sides are done: ClientHello, the server's
//! // flight, the client's Finished.
//! while client.is_handshaking() || server.is_handshaking() {
//!     server.read_tls_bytes(&client.take_tls())?;
//!     server.process()?;
//!     client.read_tls_bytes(&server.take_tls())?;
//!     client.process()?;
//! }
//! client.writer().write_all(b"hello")?;
//! server.read_tls_bytes(&client.take_tls())?;
//! server.process()?;
//! let mut buf = [0u8; 5];
//! server.reader().read_exact(&mut buf)?;
//! assert_eq!(&buf, b"hello");
//! assert_eq!(server.negotiated().version, Some(keyway::ProtocolVersion::TLS13));
//! # Ok(())
//! # }
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
