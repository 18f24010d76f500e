//! Signing keys and signature verification.
//!
//! HELPER D: implement.
