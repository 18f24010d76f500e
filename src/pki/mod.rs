//! Certificates: trust anchors, the verifier seam, and PEM loading.
//!
//! HELPER D: implement.
