//! keyway: TLS 1.3 and TLS 1.2 written from the wire up — codec, record
//! layer, key schedules, handshake state machines and certificate path
//! validation — on `ring`'s primitives.
//!
//! The core is sans-IO: a [`ClientConnection`] or [`ServerConnection`] takes
//! TLS bytes in and gives TLS bytes out, plaintext in and plaintext out.
//! [`Stream`] drives one over any blocking `Read + Write`; with the `tokio`
//! feature, [`tokio::TlsConnector`] and [`tokio::TlsAcceptor`] drive one over
//! any tokio `AsyncRead + AsyncWrite`.
//!
//! A complete handshake in memory, with a root CA and a server certificate
//! made on the spot:
//!
//! ```
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use keyway::{CertifiedKey, ClientConfig, ClientConnection, RootStore, ServerConfig, ServerConnection};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A root CA and a certificate for "localhost" it issues (rcgen, for the example only).
//! let root_key = rcgen::KeyPair::generate()?;
//! let mut root_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
//! root_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
//! let root = root_params.self_signed(&root_key)?;
//! let issuer = rcgen::Issuer::new(root_params, root_key);
//! let leaf_key = rcgen::KeyPair::generate()?;
//! let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()])?
//!     .signed_by(&leaf_key, &issuer)?;
//!
//! let mut roots = RootStore::new();
//! roots.add_der(root.der())?;
//! let key = keyway::pki::pem::load_private_key_pem(leaf_key.serialize_pem().as_bytes(), "key")?;
//! let server_config = ServerConfig::builder()
//!     .certificate(CertifiedKey { chain: vec![leaf.der().to_vec()], key: Arc::new(key) })
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
//!
//! # Secrets in memory
//!
//! What keyway owns is wiped (with `zeroize`) when it is dropped: every
//! secret of the TLS 1.3 key schedule and the TLS 1.2 master secret and key
//! block, traffic keys and IVs on their way into the record layer, the IVs
//! the record layer keeps, ECDHE shared secrets, RSA pre-master secrets and
//! the decrypted RSA block, the PKCS#1 copy of an RSA private key kept for
//! RSA key exchange, and buffers that held a PEM private key. `Debug` never
//! prints any of them.
//!
//! What `ring` holds is out of keyway's reach, and ring does not wipe it on
//! drop: the AEAD key schedules inside each record key, HMAC keys and tags
//! computed on the way through the key schedule, ephemeral ECDHE private
//! keys, and signing key pairs. Those bytes stay in freed memory until it is
//! reused. The NSS key log, when one is configured, deliberately copies
//! secrets out.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod codec;
pub mod conn;
pub mod crypto;
pub mod error;
pub mod events;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
pub mod keylog;
pub mod keys;
pub mod limits;
pub mod pki;
pub mod record;
pub mod server;
pub mod session;
pub mod stream;
#[cfg(test)]
mod testing;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod transcript;

pub use client::{ClientConfig, ClientConfigBuilder, ClientConnection};
pub use codec::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
pub use conn::{Connection, EarlyData, Negotiated};
pub use error::Error;
pub use limits::Limits;
pub use pki::{RootStore, ServerName};
pub use server::{CertifiedKey, ServerConfig, ServerConfigBuilder, ServerConnection};
pub use stream::Stream;
