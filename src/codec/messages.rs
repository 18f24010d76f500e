//! One flat struct per handshake message (RFC 8446, Section 4), plus alerts.
//!
//! `HandshakeMessage::decode` takes the body of one complete handshake message
//! (type and length already split off by the record layer's joiner) and
//! refuses anything malformed; `encode` writes the full message with its
//! 4-byte header. Encoding a decoded message gives back the same bytes.

use super::extensions::Extension;
use super::{
    AlertDescription, AlertLevel, CipherSuite, HandshakeType, KeyUpdateRequest, ProtocolVersion,
    SignatureScheme,
};
use crate::error::InvalidMessage;

/// The ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446, Section 4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// ClientHello (RFC 8446, Section 4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// Always 0x0303 from TLS 1.3 clients.
    pub legacy_version: ProtocolVersion,
    /// 32 bytes of client randomness.
    pub random: [u8; 32],
    /// 0..32 bytes.
    pub legacy_session_id: Vec<u8>,
    /// Offered suites, unknown ones included.
    pub cipher_suites: Vec<CipherSuite>,
    /// Must contain the null method.
    pub legacy_compression_methods: Vec<u8>,
    /// Extensions in wire order.
    pub extensions: Vec<Extension>,
}

/// ServerHello or HelloRetryRequest (RFC 8446, Section 4.1.3); a
/// HelloRetryRequest has [`HELLO_RETRY_REQUEST_RANDOM`] as its random.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// Always 0x0303 from TLS 1.3 servers.
    pub legacy_version: ProtocolVersion,
    /// 32 bytes of server randomness.
    pub random: [u8; 32],
    /// Echo of the client's legacy_session_id.
    pub legacy_session_id_echo: Vec<u8>,
    /// The selected suite.
    pub cipher_suite: CipherSuite,
    /// Must be 0.
    pub legacy_compression_method: u8,
    /// Extensions in wire order.
    pub extensions: Vec<Extension>,
}

/// EncryptedExtensions (RFC 8446, Section 4.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedExtensions {
    /// Extensions in wire order.
    pub extensions: Vec<Extension>,
}

/// CertificateRequest (RFC 8446, Section 4.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// Opaque context echoed in the client's Certificate.
    pub certificate_request_context: Vec<u8>,
    /// Must include signature_algorithms.
    pub extensions: Vec<Extension>,
}

/// One entry of a Certificate message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEntry {
    /// DER-encoded X.509 certificate.
    pub cert_data: Vec<u8>,
    /// Per-certificate extensions (status_request, SCTs).
    pub extensions: Vec<Extension>,
}

/// Certificate (RFC 8446, Section 4.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Empty from servers; echoes CertificateRequest's context from clients.
    pub certificate_request_context: Vec<u8>,
    /// Leaf first.
    pub certificate_list: Vec<CertificateEntry>,
}

/// CertificateVerify (RFC 8446, Section 4.4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateVerify {
    /// Signature scheme used.
    pub algorithm: SignatureScheme,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Finished (RFC 8446, Section 4.4.4). The length is checked by the handshake,
/// which knows the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// HMAC over the transcript.
    pub verify_data: Vec<u8>,
}

/// NewSessionTicket (RFC 8446, Section 4.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// Seconds, at most 604800.
    pub ticket_lifetime: u32,
    /// Obfuscation for the ticket age.
    pub ticket_age_add: u32,
    /// Per-ticket nonce for the PSK derivation.
    pub ticket_nonce: Vec<u8>,
    /// The ticket, non-empty.
    pub ticket: Vec<u8>,
    /// Extensions (early_data).
    pub extensions: Vec<Extension>,
}

/// KeyUpdate (RFC 8446, Section 4.6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUpdate {
    /// Whether the peer must update its sending keys too.
    pub request_update: KeyUpdateRequest,
}

/// Any handshake message we understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeMessage {
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello (not a HelloRetryRequest).
    ServerHello(ServerHello),
    /// HelloRetryRequest (a ServerHello with the special random).
    HelloRetryRequest(ServerHello),
    /// EncryptedExtensions.
    EncryptedExtensions(EncryptedExtensions),
    /// CertificateRequest.
    CertificateRequest(CertificateRequest),
    /// Certificate.
    Certificate(Certificate),
    /// CertificateVerify.
    CertificateVerify(CertificateVerify),
    /// Finished.
    Finished(Finished),
    /// NewSessionTicket.
    NewSessionTicket(NewSessionTicket),
    /// KeyUpdate.
    KeyUpdate(KeyUpdate),
    /// EndOfEarlyData (empty body).
    EndOfEarlyData,
}

impl HandshakeMessage {
    /// Decodes the body of a message of type `typ`.
    pub fn decode(typ: HandshakeType, body: &[u8]) -> Result<Self, InvalidMessage> {
        let _ = (typ, body);
        todo!("codec helper")
    }

    /// Appends the whole message, 4-byte header included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let _ = out;
        todo!("codec helper")
    }

    /// The wire type.
    pub fn handshake_type(&self) -> HandshakeType {
        todo!("codec helper")
    }
}

/// An alert (RFC 8446, Section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Alert {
    /// Decodes an alert record body: exactly two bytes.
    pub fn decode(body: &[u8]) -> Result<Self, InvalidMessage> {
        match body {
            [level, description] => Ok(Alert {
                level: AlertLevel(*level),
                description: AlertDescription(*description),
            }),
            _ => Err(InvalidMessage::BadAlert),
        }
    }

    /// The two-byte encoding.
    pub fn encode(&self) -> [u8; 2] {
        [self.level.0, self.description.0]
    }
}
