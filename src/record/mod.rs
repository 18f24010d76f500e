//! The record layer (RFC 8446, Section 5): framing, reassembly of handshake
//! messages, fragmentation, and record protection.
//!
//! HELPER C: implement. See the interface described in the task.
