//! Hello and handshake extensions (RFC 8446, Section 4.2), decoded strictly in
//! the context of the message that carries them.
//!
//! An extension block is kept as a `Vec<Extension>` in wire order, so encoding
//! a decoded block gives back the same bytes. Decoding refuses duplicates and
//! known extensions in a message that may not carry them; unknown extensions
//! (including GREASE) are kept as [`Extension::Unknown`] for the handshake to
//! ignore (ClientHello) or refuse as unsolicited (server messages).

use super::{
    ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme,
};

/// The message an extension block belongs to; it decides which extensions are
/// allowed and how each body is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionContext {
    /// ClientHello.
    ClientHello,
    /// ServerHello (TLS 1.3 or TLS 1.2; the handshake narrows it further).
    ServerHello,
    /// HelloRetryRequest.
    HelloRetryRequest,
    /// EncryptedExtensions.
    EncryptedExtensions,
    /// CertificateRequest.
    CertificateRequest,
    /// A CertificateEntry inside Certificate.
    Certificate,
    /// NewSessionTicket.
    NewSessionTicket,
}

impl ExtensionContext {
    /// The handshake type named in errors.
    pub fn handshake_type(self) -> HandshakeType {
        match self {
            ExtensionContext::ClientHello => HandshakeType::CLIENT_HELLO,
            ExtensionContext::ServerHello | ExtensionContext::HelloRetryRequest => {
                HandshakeType::SERVER_HELLO
            }
            ExtensionContext::EncryptedExtensions => HandshakeType::ENCRYPTED_EXTENSIONS,
            ExtensionContext::CertificateRequest => HandshakeType::CERTIFICATE_REQUEST,
            ExtensionContext::Certificate => HandshakeType::CERTIFICATE,
            ExtensionContext::NewSessionTicket => HandshakeType::NEW_SESSION_TICKET,
        }
    }
}

/// One KeyShareEntry (RFC 8446, Section 4.2.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// The group.
    pub group: NamedGroup,
    /// The public value.
    pub key_exchange: Vec<u8>,
}

/// One PskIdentity (RFC 8446, Section 4.2.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PskIdentity {
    /// The ticket or external identity.
    pub identity: Vec<u8>,
    /// The obfuscated ticket age.
    pub obfuscated_ticket_age: u32,
}

/// OfferedPsks from a ClientHello (RFC 8446, Section 4.2.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedPsks {
    /// Identities, non-empty.
    pub identities: Vec<PskIdentity>,
    /// One binder per identity, each 32..255 bytes.
    pub binders: Vec<Vec<u8>>,
}

/// A decoded extension. Variants whose body differs between messages are split
/// by message (e.g. [`Extension::KeyShareClientHello`] vs [`Extension::KeyShareServerHello`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    /// server_name in ClientHello: the host_name (RFC 6066, Section 3). Other
    /// name types are refused; a list with several host names is refused.
    ServerName(Vec<u8>),
    /// server_name in EncryptedExtensions / TLS 1.2 ServerHello: empty acknowledgement.
    ServerNameAck,
    /// supported_groups (ClientHello, EncryptedExtensions).
    SupportedGroups(Vec<NamedGroup>),
    /// signature_algorithms (ClientHello, CertificateRequest).
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// signature_algorithms_cert (ClientHello, CertificateRequest).
    SignatureAlgorithmsCert(Vec<SignatureScheme>),
    /// supported_versions in ClientHello: the offered list.
    SupportedVersionsClientHello(Vec<ProtocolVersion>),
    /// supported_versions in ServerHello / HelloRetryRequest: the selected version.
    SupportedVersionsServerHello(ProtocolVersion),
    /// key_share in ClientHello: the client's shares (may be empty).
    KeyShareClientHello(Vec<KeyShareEntry>),
    /// key_share in ServerHello: the server's share.
    KeyShareServerHello(KeyShareEntry),
    /// key_share in HelloRetryRequest: the group the server wants.
    KeyShareHelloRetryRequest(NamedGroup),
    /// psk_key_exchange_modes (ClientHello).
    PskKeyExchangeModes(Vec<PskKeyExchangeMode>),
    /// pre_shared_key in ClientHello (must be last).
    PreSharedKeyClientHello(OfferedPsks),
    /// pre_shared_key in ServerHello: the selected identity index.
    PreSharedKeyServerHello(u16),
    /// early_data in ClientHello / EncryptedExtensions: empty.
    EarlyData,
    /// early_data in NewSessionTicket: max_early_data_size.
    EarlyDataMaxSize(u32),
    /// cookie (ClientHello, HelloRetryRequest), non-empty.
    Cookie(Vec<u8>),
    /// application_layer_protocol_negotiation: the protocol list (ClientHello), or
    /// exactly one protocol (EncryptedExtensions / TLS 1.2 ServerHello).
    Alpn(Vec<Vec<u8>>),
    /// record_size_limit (RFC 8449; ClientHello, EncryptedExtensions), at least 64.
    RecordSizeLimit(u16),
    /// status_request (ClientHello, CertificateRequest, CertificateEntry): the raw body,
    /// parsed only for framing.
    StatusRequest(Vec<u8>),
    /// Any extension we do not interpret, kept verbatim (GREASE included).
    Unknown(ExtensionType, Vec<u8>),
}

/// Decodes one extension block: `Extension extensions<0..2^16-1>`.
///
/// Refuses trailing bytes, duplicates, known extensions not allowed in `ctx`
/// (RFC 8446, Section 4.2: illegal_parameter) and, in a ClientHello, a
/// pre_shared_key that is not last (RFC 8446, Section 4.2.11).
pub fn decode_extensions(
    r: &mut super::Reader<'_>,
    ctx: ExtensionContext,
) -> Result<Vec<Extension>, crate::error::InvalidMessage> {
    let _ = (r, ctx);
    todo!("codec helper")
}

/// Encodes an extension block with its 2-byte length prefix.
pub fn encode_extensions(w: &mut super::Writer<'_>, exts: &[Extension]) {
    let _ = (w, exts);
    todo!("codec helper")
}

impl Extension {
    /// The extension's wire type.
    pub fn ext_type(&self) -> ExtensionType {
        todo!("codec helper")
    }
}
