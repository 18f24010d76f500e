//! One flat struct per handshake message (RFC 8446, Section 4), plus alerts.
//!
//! `HandshakeMessage::decode` takes the body of one complete handshake message
//! (type and length already split off by the record layer's joiner) and
//! refuses anything malformed; `encode` writes the full message with its
//! 4-byte header. Encoding a decoded message gives back the same bytes.

use super::extensions::{
    decode_extensions, encode_extensions, read_list, vec24_nonempty, Extension, ExtensionContext,
    OfferedPsks,
};
use super::{
    AlertDescription, AlertLevel, CipherSuite, HandshakeType, KeyUpdateRequest, ProtocolVersion,
    Reader, SignatureScheme, Writer,
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
    ///
    /// Only TLS 1.3 message shapes are understood; any other type (including
    /// the TLS 1.2-only ones) is `UnknownHandshakeType`. The body must be used
    /// up exactly.
    pub fn decode(typ: HandshakeType, body: &[u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(body);
        let message = match typ {
            HandshakeType::CLIENT_HELLO => {
                HandshakeMessage::ClientHello(ClientHello::read(&mut r)?)
            }
            HandshakeType::SERVER_HELLO => {
                let server_hello = ServerHello::read(&mut r)?;
                match server_hello.is_hello_retry_request() {
                    true => HandshakeMessage::HelloRetryRequest(server_hello),
                    false => HandshakeMessage::ServerHello(server_hello),
                }
            }
            HandshakeType::ENCRYPTED_EXTENSIONS => {
                HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
                    extensions: decode_extensions(&mut r, ExtensionContext::EncryptedExtensions)?,
                })
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                HandshakeMessage::CertificateRequest(CertificateRequest {
                    certificate_request_context: r.vec8("certificate_request_context")?.to_vec(),
                    extensions: decode_extensions(&mut r, ExtensionContext::CertificateRequest)?,
                })
            }
            HandshakeType::CERTIFICATE => HandshakeMessage::Certificate(Certificate::read(&mut r)?),
            HandshakeType::CERTIFICATE_VERIFY => {
                HandshakeMessage::CertificateVerify(CertificateVerify {
                    algorithm: SignatureScheme(r.u16("algorithm")?),
                    signature: r.vec16("signature")?.to_vec(),
                })
            }
            // RFC 8446, Section 4.4.4: verify_data fills the whole body; its
            // length depends on the hash, which only the handshake knows.
            HandshakeType::FINISHED => HandshakeMessage::Finished(Finished {
                verify_data: r.take_rest().to_vec(),
            }),
            HandshakeType::NEW_SESSION_TICKET => {
                HandshakeMessage::NewSessionTicket(NewSessionTicket::read(&mut r)?)
            }
            HandshakeType::KEY_UPDATE => {
                let request_update = KeyUpdateRequest(r.u8("request_update")?);
                // RFC 8446, Section 4.6.3: any value other than 0 or 1 is an
                // illegal_parameter.
                if request_update != KeyUpdateRequest::UPDATE_NOT_REQUESTED
                    && request_update != KeyUpdateRequest::UPDATE_REQUESTED
                {
                    return Err(InvalidMessage::IllegalValue("request_update"));
                }
                HandshakeMessage::KeyUpdate(KeyUpdate { request_update })
            }
            // RFC 8446, Section 4.5: struct {} EndOfEarlyData; `finish` below
            // refuses any body.
            HandshakeType::END_OF_EARLY_DATA => HandshakeMessage::EndOfEarlyData,
            other => return Err(InvalidMessage::UnknownHandshakeType(other.0)),
        };
        r.finish(typ.name().unwrap_or("handshake message"))?;
        Ok(message)
    }

    /// Appends the whole message, 4-byte header included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut w = Writer::new(out);
        w.u8(self.handshake_type().0);
        w.vec24(|w| self.write_body(w));
    }

    /// The wire type.
    pub fn handshake_type(&self) -> HandshakeType {
        match self {
            HandshakeMessage::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            HandshakeMessage::ServerHello(_) | HandshakeMessage::HelloRetryRequest(_) => {
                HandshakeType::SERVER_HELLO
            }
            HandshakeMessage::EncryptedExtensions(_) => HandshakeType::ENCRYPTED_EXTENSIONS,
            HandshakeMessage::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            HandshakeMessage::Certificate(_) => HandshakeType::CERTIFICATE,
            HandshakeMessage::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            HandshakeMessage::Finished(_) => HandshakeType::FINISHED,
            HandshakeMessage::NewSessionTicket(_) => HandshakeType::NEW_SESSION_TICKET,
            HandshakeMessage::KeyUpdate(_) => HandshakeType::KEY_UPDATE,
            HandshakeMessage::EndOfEarlyData => HandshakeType::END_OF_EARLY_DATA,
        }
    }

    /// Writes the body without the 4-byte header.
    fn write_body(&self, w: &mut Writer<'_>) {
        match self {
            HandshakeMessage::ClientHello(client_hello) => client_hello.write(w),
            HandshakeMessage::ServerHello(server_hello)
            | HandshakeMessage::HelloRetryRequest(server_hello) => server_hello.write(w),
            HandshakeMessage::EncryptedExtensions(ee) => encode_extensions(w, &ee.extensions),
            HandshakeMessage::CertificateRequest(cr) => {
                w.vec8(|w| w.bytes(&cr.certificate_request_context));
                encode_extensions(w, &cr.extensions);
            }
            HandshakeMessage::Certificate(certificate) => certificate.write(w),
            HandshakeMessage::CertificateVerify(cv) => {
                w.u16(cv.algorithm.0);
                w.vec16(|w| w.bytes(&cv.signature));
            }
            HandshakeMessage::Finished(finished) => w.bytes(&finished.verify_data),
            HandshakeMessage::NewSessionTicket(ticket) => ticket.write(w),
            HandshakeMessage::KeyUpdate(key_update) => w.u8(key_update.request_update.0),
            HandshakeMessage::EndOfEarlyData => {}
        }
    }
}

/// Reads `opaque legacy_session_id<0..32>` (also the shape of
/// legacy_session_id_echo).
fn read_legacy_session_id(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<Vec<u8>, InvalidMessage> {
    let session_id = r.vec8(what)?;
    if session_id.len() > 32 {
        return Err(InvalidMessage::LengthOutOfRange(what));
    }
    Ok(session_id.to_vec())
}

/// Reads the extension block that ends a hello, which TLS 1.2 peers may leave
/// out entirely.
///
/// RFC 8446, Section 4.1.2: "TLS 1.3 servers might receive ClientHello
/// messages without an extensions field from prior versions of TLS"; RFC 5246,
/// Section 7.4.1.3 allows the same for ServerHello. An absent block reads as
/// no extensions, and [`write_hello_extensions`] leaves an empty list out, so
/// absent blocks round-trip (an explicit empty block `00 00` re-encodes as
/// absent).
fn read_hello_extensions(
    r: &mut Reader<'_>,
    ctx: ExtensionContext,
) -> Result<Vec<Extension>, InvalidMessage> {
    match r.is_empty() {
        true => Ok(Vec::new()),
        false => decode_extensions(r, ctx),
    }
}

/// Writes a hello's extension block, leaving it out when there is none
/// (see [`read_hello_extensions`]).
fn write_hello_extensions(w: &mut Writer<'_>, extensions: &[Extension]) {
    if !extensions.is_empty() {
        encode_extensions(w, extensions);
    }
}

impl ClientHello {
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(ClientHello {
            legacy_version: ProtocolVersion(r.u16("legacy_version")?),
            random: r.array("random")?,
            legacy_session_id: read_legacy_session_id(r, "legacy_session_id")?,
            // CipherSuite cipher_suites<2..2^16-2>: non-empty and even.
            cipher_suites: r
                .u16_list("cipher_suites")?
                .into_iter()
                .map(CipherSuite)
                .collect(),
            legacy_compression_methods: r.vec8_nonempty("legacy_compression_methods")?.to_vec(),
            extensions: read_hello_extensions(r, ExtensionContext::ClientHello)?,
        })
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(self.legacy_version.0);
        w.bytes(&self.random);
        w.vec8(|w| w.bytes(&self.legacy_session_id));
        w.vec16(|w| {
            for suite in &self.cipher_suites {
                w.u16(suite.0);
            }
        });
        w.vec8(|w| w.bytes(&self.legacy_compression_methods));
        write_hello_extensions(w, &self.extensions);
    }

    /// The PSKs offered in the pre_shared_key extension, if any.
    pub fn offered_psks(&self) -> Option<&OfferedPsks> {
        match self.extensions.last() {
            Some(Extension::PreSharedKeyClientHello(offered)) => Some(offered),
            _ => None,
        }
    }

    /// The whole message, 4-byte header included, cut just before the PSK
    /// binders: `Truncate(ClientHello)`, the input to each binder's transcript
    /// hash (RFC 8446, Section 4.2.11.2).
    ///
    /// Returns `None` when no PSK is offered. Decoding a ClientHello and
    /// encoding it again gives back the received bytes, so a server may use
    /// this on what it received as well as a client on what it sends.
    pub fn encode_truncated_for_binders(&self) -> Option<Vec<u8>> {
        let binders_len = self.offered_psks()?.binders_encoded_len();
        let mut out = Vec::new();
        HandshakeMessage::ClientHello(self.clone()).encode(&mut out);
        out.truncate(out.len().saturating_sub(binders_len));
        Some(out)
    }
}

impl ServerHello {
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let legacy_version = ProtocolVersion(r.u16("legacy_version")?);
        let random = r.array("random")?;
        let legacy_session_id_echo = read_legacy_session_id(r, "legacy_session_id_echo")?;
        let cipher_suite = CipherSuite(r.u16("cipher_suite")?);
        let legacy_compression_method = r.u8("legacy_compression_method")?;
        // RFC 8446, Section 4.1.3: a ServerHello with this random is a
        // HelloRetryRequest, whose extensions follow their own rules.
        let ctx = match random == HELLO_RETRY_REQUEST_RANDOM {
            true => ExtensionContext::HelloRetryRequest,
            false => ExtensionContext::ServerHello,
        };
        Ok(ServerHello {
            legacy_version,
            random,
            legacy_session_id_echo,
            cipher_suite,
            legacy_compression_method,
            extensions: read_hello_extensions(r, ctx)?,
        })
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(self.legacy_version.0);
        w.bytes(&self.random);
        w.vec8(|w| w.bytes(&self.legacy_session_id_echo));
        w.u16(self.cipher_suite.0);
        w.u8(self.legacy_compression_method);
        write_hello_extensions(w, &self.extensions);
    }

    /// True when this is a HelloRetryRequest (RFC 8446, Section 4.1.3).
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }
}

impl Certificate {
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let certificate_request_context = r.vec8("certificate_request_context")?.to_vec();
        // CertificateEntry certificate_list<0..2^24-1>: a client with no
        // certificate sends an empty list.
        let certificate_list = read_list(r.vec24("certificate_list")?, |r| {
            Ok(CertificateEntry {
                cert_data: vec24_nonempty(r, "cert_data")?.to_vec(),
                extensions: decode_extensions(r, ExtensionContext::Certificate)?,
            })
        })?;
        Ok(Certificate {
            certificate_request_context,
            certificate_list,
        })
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.vec8(|w| w.bytes(&self.certificate_request_context));
        w.vec24(|w| {
            for entry in &self.certificate_list {
                w.vec24(|w| w.bytes(&entry.cert_data));
                encode_extensions(w, &entry.extensions);
            }
        });
    }
}

impl NewSessionTicket {
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(NewSessionTicket {
            ticket_lifetime: r.u32("ticket_lifetime")?,
            ticket_age_add: r.u32("ticket_age_add")?,
            ticket_nonce: r.vec8("ticket_nonce")?.to_vec(),
            ticket: r.vec16_nonempty("ticket")?.to_vec(),
            extensions: decode_extensions(r, ExtensionContext::NewSessionTicket)?,
        })
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u32(self.ticket_lifetime);
        w.u32(self.ticket_age_add);
        w.vec8(|w| w.bytes(&self.ticket_nonce));
        w.vec16(|w| w.bytes(&self.ticket));
        encode_extensions(w, &self.extensions);
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
