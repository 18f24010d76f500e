//! The TLS 1.3 key schedule (RFC 8446, Section 7), on ring's HMAC.
//!
//! Secrets are typed by stage, so a traffic secret cannot be asked for before
//! the handshake secret exists:
//!
//! ```text
//! EarlySecret --(ECDHE)--> HandshakeSecret --(0)--> MasterSecret
//!                               |                       |
//!                 [sender]_handshake_traffic_secret     [sender]_application_traffic_secret_N,
//!                                                       exporter_master_secret, resumption_master_secret
//! ```
//!
//! HELPER A: implement. Interface (keep these names and signatures):
//!
//! - `Secret` — `{ hash: HashAlgorithm, bytes: Zeroizing<Vec<u8>> }`, `Debug` redacted.
//!   `Secret::extract(hash, salt, ikm)`, `expand_label(&self, label: &[u8], context: &[u8], out: &mut [u8])`,
//!   `derive_secret(&self, label: &[u8], transcript_hash: &[u8]) -> Secret`, `as_bytes()`.
//! - `EarlySecret::new(hash, psk: Option<&[u8]>)`, `.binder_key(external: bool)`,
//!   `.into_handshake_secret(shared_secret: &[u8]) -> HandshakeSecret`
//! - `HandshakeSecret::client_handshake_traffic_secret(&self, hello_hash) -> TrafficSecret`,
//!   `server_handshake_traffic_secret`, `into_master_secret(self) -> MasterSecret`
//! - `MasterSecret::client_application_traffic_secret_0(&self, hash) -> TrafficSecret`,
//!   `server_application_traffic_secret_0`, `exporter_master_secret(&self, hash) -> ExporterSecret`,
//!   `resumption_master_secret(&self, hash) -> Secret`
//! - `TrafficSecret`: `keys(&self, aead: AeadAlgorithm) -> TrafficKeys { key: Zeroizing<Vec<u8>>, iv: [u8; 12] }`,
//!   `finished_verify_data(&self, transcript_hash: &[u8]) -> Vec<u8>` (RFC 8446 4.4.4),
//!   `next(&self) -> TrafficSecret` (KeyUpdate, "traffic upd"), `secret(&self) -> &Secret`
//! - `ExporterSecret::export(&self, label: &[u8], context: &[u8], out: &mut [u8])` (RFC 8446 7.5)
