//! The handshake transcript hash (RFC 8446, Section 4.4.1).
//!
//! HELPER A: implement `Transcript`: buffers messages until the suite (and so
//! the hash) is known, then hashes incrementally; `add(&mut self, msg: &[u8])`,
//! `start_hash(&mut self, hash: HashAlgorithm)`, `current_hash(&self) -> digest::Digest`
//! (cheap clone of the running context), and `rollup_hello_retry_request(&mut self)`
//! which replaces ClientHello1 with `message_hash || 00 00 Hash.length || Hash(ClientHello1)`.
