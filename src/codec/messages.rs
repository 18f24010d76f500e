//! One flat struct per handshake message (RFC 8446, Section 4; RFC 5246,
//! Section 7.4), plus alerts.
//!
//! `HandshakeMessage::decode` takes the body of one complete handshake message
//! (type and length already split off by the record layer's joiner) and
//! refuses anything malformed; `encode` writes the full message with its
//! 4-byte header. Encoding a decoded message gives back the same bytes.
//!
//! `decode` reads TLS 1.3 shapes; once TLS 1.2 is negotiated the handshake
//! calls `HandshakeMessage::decode_tls12` instead, whose TLS 1.2-only
//! messages live in the `tls12` submodule.

use super::extensions::{
    decode_extensions, encode_extensions, read_list, vec24_nonempty, Extension, ExtensionContext,
    OfferedPsks,
};
use super::{
    AlertDescription, AlertLevel, CipherSuite, HandshakeType, InlineBytes, KeyUpdateRequest,
    ProtocolVersion, Reader, SignatureScheme, Writer,
};
use crate::error::{Error, InvalidMessage};

mod tls12;
pub(crate) use tls12::STATUS_TYPE_OCSP;
pub use tls12::{
    Certificate12, CertificateRequest12, CertificateStatus, ClientKeyExchange, EcdheServerParams,
    NewSessionTicket12, ServerKeyExchange,
};

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
    pub legacy_session_id: SessionId,
    /// Offered suites, unknown ones included.
    pub cipher_suites: Vec<CipherSuite>,
    /// Must contain the null method.
    pub legacy_compression_methods: CompressionMethods,
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
    pub legacy_session_id_echo: SessionId,
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
/// which knows the hash; over 64 bytes (the longest hash) it does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// HMAC over the transcript.
    pub verify_data: VerifyData,
}

/// A legacy_session_id (or its echo): 0 to 32 bytes.
pub type SessionId = InlineBytes<32>;

/// The legacy_compression_methods of a ClientHello: 1 to 255 bytes.
pub type CompressionMethods = InlineBytes<255>;

/// A Finished message's verify_data: Hash.length bytes in TLS 1.3 (32 or
/// 48 for our suites), 12 in TLS 1.2.
pub type VerifyData = InlineBytes<64>;

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

/// Any handshake message we understand, TLS 1.3 and TLS 1.2.
///
/// ClientHello, ServerHello, CertificateVerify and Finished have the same
/// shape in both versions and one variant each; the variants named `...12`
/// and those only [`HandshakeMessage::decode_tls12`] returns are TLS 1.2's.
// ClientHello is the largest (its short fields are inline, about 400 bytes):
// a message is a short-lived value, cheaper to move than to box.
#[allow(clippy::large_enum_variant)]
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
    /// TLS 1.2 HelloRequest (empty body).
    HelloRequest,
    /// TLS 1.2 Certificate.
    Certificate12(Certificate12),
    /// TLS 1.2 ServerKeyExchange, raw until the key exchange is known.
    ServerKeyExchange(ServerKeyExchange),
    /// TLS 1.2 CertificateRequest.
    CertificateRequest12(CertificateRequest12),
    /// TLS 1.2 ServerHelloDone (empty body).
    ServerHelloDone,
    /// TLS 1.2 ClientKeyExchange, raw until the key exchange is known.
    ClientKeyExchange(ClientKeyExchange),
    /// TLS 1.2 NewSessionTicket (RFC 5077).
    NewSessionTicket12(NewSessionTicket12),
    /// TLS 1.2 CertificateStatus (RFC 6066, Section 8): the stapled OCSP response.
    CertificateStatus(CertificateStatus),
}

impl HandshakeMessage {
    /// Decodes the body of a message of type `typ`.
    ///
    /// Only TLS 1.3 message shapes are understood; any other type (including
    /// the TLS 1.2-only ones, which [`HandshakeMessage::decode_tls12`] reads)
    /// is `UnknownHandshakeType`. The body must be used up exactly.
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
                verify_data: VerifyData::new(r.take_rest(), "Finished.verify_data")?,
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

    /// How many extensions the message carries, summed over a Certificate's
    /// entries: the count [`crate::Limits::max_extensions`] bounds.
    pub fn extension_count(&self) -> usize {
        match self {
            HandshakeMessage::ClientHello(ch) => ch.extensions.len(),
            HandshakeMessage::ServerHello(sh) | HandshakeMessage::HelloRetryRequest(sh) => {
                sh.extensions.len()
            }
            HandshakeMessage::EncryptedExtensions(ee) => ee.extensions.len(),
            HandshakeMessage::CertificateRequest(cr) => cr.extensions.len(),
            HandshakeMessage::Certificate(c) => c
                .certificate_list
                .iter()
                .fold(0, |n, entry| n.saturating_add(entry.extensions.len())),
            HandshakeMessage::NewSessionTicket(ticket) => ticket.extensions.len(),
            _ => 0,
        }
    }

    /// Appends the whole message, 4-byte header included; fails (leaving
    /// `out` as it was) if a field is too long for its length prefix.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        write_message(out, self.handshake_type(), |w| self.write_body(w))
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
            HandshakeMessage::HelloRequest => HandshakeType::HELLO_REQUEST,
            HandshakeMessage::Certificate12(_) => HandshakeType::CERTIFICATE,
            HandshakeMessage::ServerKeyExchange(_) => HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeMessage::CertificateRequest12(_) => HandshakeType::CERTIFICATE_REQUEST,
            HandshakeMessage::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            HandshakeMessage::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            HandshakeMessage::NewSessionTicket12(_) => HandshakeType::NEW_SESSION_TICKET,
            HandshakeMessage::CertificateStatus(_) => HandshakeType::CERTIFICATE_STATUS,
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
            HandshakeMessage::EndOfEarlyData
            | HandshakeMessage::HelloRequest
            | HandshakeMessage::ServerHelloDone => {}
            HandshakeMessage::Certificate12(certificate) => certificate.write(w),
            HandshakeMessage::ServerKeyExchange(ServerKeyExchange { body })
            | HandshakeMessage::ClientKeyExchange(ClientKeyExchange { body }) => w.bytes(body),
            HandshakeMessage::CertificateRequest12(cr) => cr.write(w),
            HandshakeMessage::NewSessionTicket12(ticket) => ticket.write(w),
            HandshakeMessage::CertificateStatus(status) => status.write(w),
        }
    }
}

/// Appends a handshake message: `msg_type`, a 24-bit length, then the body
/// that `write_body` writes (RFC 8446, Section 4).
fn write_message(
    out: &mut Vec<u8>,
    msg_type: HandshakeType,
    write_body: impl FnOnce(&mut Writer<'_>),
) -> Result<(), Error> {
    let start = out.len();
    let mut w = Writer::new(out);
    w.u8(msg_type.0);
    w.vec24(write_body);
    let result = w.finish();
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Reads `opaque legacy_session_id<0..32>` (also the shape of
/// legacy_session_id_echo).
fn read_legacy_session_id(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<SessionId, InvalidMessage> {
    SessionId::new(r.vec8(what)?, what)
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
            legacy_compression_methods: CompressionMethods::new(
                r.vec8_nonempty("legacy_compression_methods")?,
                "legacy_compression_methods",
            )?,
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
    pub fn encode_truncated_for_binders(&self) -> Option<Result<Vec<u8>, Error>> {
        let binders_len = self.offered_psks()?.binders_encoded_len();
        let mut out = Vec::new();
        Some(
            write_message(&mut out, HandshakeType::CLIENT_HELLO, |w| self.write(w)).map(|()| {
                out.truncate(out.len().saturating_sub(binders_len));
                out
            }),
        )
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

/// Handshake messages copied from RFC 8448 as hex, 4-byte header included:
/// known answers for the codec here and for transcript and handshake tests
/// elsewhere in the crate.
#[cfg(test)]
pub(crate) mod rfc8448 {
    /// RFC 8448, Section 3: ClientHello.
    pub const CLIENT_HELLO: &str = "\
        010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113\
        031302010000910000000b0009000006736572766572ff01000100000a00140012001d001700180019010001\
        0101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae\
        4d5413691e529aaf2c002b0003020304000d0020001e04030503060302030804080508060401050106010201\
        0402050206020202002d00020101001c00024001";

    /// RFC 8448, Section 3: ServerHello.
    pub const SERVER_HELLO: &str = "\
        020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e\
        00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b0002\
        0304";

    /// RFC 8448, Section 3: EncryptedExtensions.
    pub const ENCRYPTED_EXTENSIONS: &str = "\
        080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";

    /// RFC 8448, Section 3: Certificate.
    pub const CERTIFICATE: &str = "\
        0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e\
        310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335\
        395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902\
        818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a\
        95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda43\
        0846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f02\
        03010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d0101\
        0b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5\
        8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a\
        99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4\
        2b4de10000";

    /// RFC 8448, Section 3: CertificateVerify.
    pub const CERTIFICATE_VERIFY: &str = "\
        0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90\
        db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac\
        027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfac\
        d42f74f3";

    /// RFC 8448, Section 3: server Finished.
    pub const SERVER_FINISHED: &str = "\
        140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

    /// RFC 8448, Section 3: NewSessionTicket.
    pub const NEW_SESSION_TICKET: &str = "\
        040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb\
        33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64\
        e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2\
        677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f\
        7de6505e5bfbc388e93343694093934ae4d3570008002a000400000400";

    /// RFC 8448, Section 4: ClientHello with a PSK (the full 512-octet record payload).
    pub const RESUMED_CLIENT_HELLO: &str = "\
        010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95000006130113\
        031302010001cd0000000b0009000006736572766572ff01000100000a00140012001d001700180019010001\
        01010201030104003300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4\
        f18d668f0b002a0000002b0003020304000d0020001e04030503060302030804080508060401050106010201\
        0402050206020202002d00020101001c00024001001500570000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000002900dd00b800b22c035d829359ee5ff7af4ec900\
        000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211\
        7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4\
        dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac\
        5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb0021203add4fb2\
        d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";

    /// RFC 8448, Section 4: ServerHello accepting the PSK.
    pub const RESUMED_SERVER_HELLO: &str = "\
        0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f559ea2d001301000034\
        00290002000000330024001d0020121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942c\
        ea31002b00020304";

    /// RFC 8448, Section 4: EncryptedExtensions accepting early data.
    pub const RESUMED_ENCRYPTED_EXTENSIONS: &str = "\
        080000280026000a00140012001d00170018001901000101010201030104001c0002400100000000002a0000";

    /// RFC 8448, Section 4: EndOfEarlyData.
    pub const END_OF_EARLY_DATA: &str = "\
        05000000";

    /// RFC 8448, Section 5: HelloRetryRequest.
    pub const HELLO_RETRY_REQUEST: &str = "\
        020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c001301000084\
        003300020017002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aacad365dd\
        0030953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b\
        5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002b00020304";

    /// RFC 8448, Section 5: second ClientHello, with the cookie.
    pub const RETRIED_CLIENT_HELLO: &str = "\
        010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346677b6f000006130113\
        031302010001cd0000000b0009000006736572766572ff01000100000a00080006001d001700180033004700\
        450017004104a6da7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f0151812677c4d6d2\
        237e85cf01d6910cfb83954e76ba7352830534159897e8065780002b0003020304000d0020001e0403050306\
        03020308040805080604010501060102010402050206020202002c0074007271dcd04bb88bc3189119398a00\
        000000eefafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d1\
        37abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267\
        e8ca0caf571fb2b7cff0f934b0002d00020101001c00024001001500af000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        00000000000000000000000000000000000000000000000000000000";

    /// RFC 8448, Section 6: CertificateRequest.
    pub const CERTIFICATE_REQUEST: &str = "\
        0d000027000024000d0020001e040305030603020308040805080604010501060102010402050206020202";

    /// RFC 8448, Section 6: client Certificate.
    pub const CLIENT_CERTIFICATE: &str = "\
        0b0001bf000001bb0001b6308201b23082011ba003020102020101300d06092a864886f70d01010b05003011\
        310f300d06035504031306636c69656e74301e170d3136303733303031323335395a170d3236303733303031\
        323335395a3011310f300d06035504031306636c69656e7430819f300d06092a864886f70d01010105000381\
        8d0030818902818100c38175e004a68d093f823b9c379d201fbc0bb7a1c791905e3fbf76847e44e751ebbcd3\
        60bd945c81e5222bcc8846d3a8a0f93e9bf5bebabd92edf1de1ff19021703e7ab6c0901513f97e39b111f09c\
        9348971c7b211984a754cd45fe095af0ea4236829bccf7a7fe9b2888e78ab477690a5b9e1ccbe91c6a4a0f97\
        a7e02842010203010001a31a301830090603551d1304023000300b0603551d0f040403020780300d06092a86\
        4886f70d01010b0500038181001a7a5a018532b022af0767d486160cff2d167a1915d23835b54594916dc680\
        be5d2e626076c5d52722ebcc775d7d99f980be2fc94d34acf6cc00ba90cbcfb0608aa1e7e3971ef0c07a41d4\
        7ad8345d1f81fe418a1cf41054429fd217bd777dc1cf08f05df90799c659361e0f1a8ee4ac0f7897420bdbc8\
        23da80a2f2ba23081c0000";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::extensions::{find_extension, KeyShareEntry, PskIdentity};
    use crate::codec::{ExtensionType, NamedGroup, PskKeyExchangeMode};
    use crate::Error;

    /// Splits a whole message into its type and body.
    pub(super) fn split(message: &[u8]) -> (HandshakeType, &[u8]) {
        let mut r = Reader::new(message);
        let typ = HandshakeType(r.u8("msg_type").unwrap());
        let body = r.vec24("body").unwrap();
        r.finish("handshake message").unwrap();
        (typ, body)
    }

    fn decode_whole(message: &[u8]) -> Result<HandshakeMessage, InvalidMessage> {
        let (typ, body) = split(message);
        HandshakeMessage::decode(typ, body)
    }

    pub(super) fn encoded(message: &HandshakeMessage) -> Vec<u8> {
        let mut out = Vec::new();
        message.encode(&mut out).unwrap();
        out
    }

    /// Decodes a hex message and checks that encoding gives the same bytes.
    fn round_trip_hex(hex_message: &str) -> HandshakeMessage {
        let bytes = hex::decode(hex_message).unwrap();
        let message = decode_whole(&bytes).unwrap();
        assert_eq!(encoded(&message), bytes, "{message:?}");
        message
    }

    /// Decodes a body written by `write` as a message of type `typ`.
    fn decode_written(
        typ: HandshakeType,
        write: impl FnOnce(&mut Writer<'_>),
    ) -> Result<HandshakeMessage, InvalidMessage> {
        let mut body = Vec::new();
        write(&mut Writer::new(&mut body));
        HandshakeMessage::decode(typ, &body)
    }

    /// Checks the exact error and the alert it becomes.
    pub(super) fn assert_refused<T: core::fmt::Debug + PartialEq>(
        result: Result<T, InvalidMessage>,
        expected: InvalidMessage,
        alert: AlertDescription,
    ) {
        assert_eq!(result, Err(expected));
        assert_eq!(Error::from(expected).alert(), Some(alert));
    }

    fn client_hello() -> ClientHello {
        ClientHello {
            legacy_version: ProtocolVersion::TLS12,
            random: [1; 32],
            legacy_session_id: SessionId::new(&[2; 32], "test").unwrap(),
            cipher_suites: vec![CipherSuite(0x2a2a), CipherSuite::TLS_AES_128_GCM_SHA256],
            legacy_compression_methods: CompressionMethods::new(&[0], "test").unwrap(),
            extensions: vec![
                Extension::Unknown(ExtensionType(0x0a0a), Vec::new()),
                Extension::ServerName(b"example.com".to_vec()),
                Extension::SupportedVersionsClientHello(vec![
                    ProtocolVersion(0x5a5a),
                    ProtocolVersion::TLS13,
                ]),
                Extension::SupportedGroups(vec![NamedGroup(0x1a1a), NamedGroup::X25519]),
                Extension::KeyShareClientHello(vec![KeyShareEntry {
                    group: NamedGroup::X25519,
                    key_exchange: vec![9; 32],
                }]),
                Extension::SignatureAlgorithms(vec![SignatureScheme::ED25519]),
                Extension::PskKeyExchangeModes(vec![PskKeyExchangeMode::PSK_DHE_KE]),
                Extension::PreSharedKeyClientHello(OfferedPsks {
                    identities: vec![PskIdentity {
                        identity: vec![3; 16],
                        obfuscated_ticket_age: 77,
                    }],
                    binders: vec![vec![4; 48]],
                }),
            ],
        }
    }

    fn server_hello(random: [u8; 32], extensions: Vec<Extension>) -> ServerHello {
        ServerHello {
            legacy_version: ProtocolVersion::TLS12,
            random,
            legacy_session_id_echo: SessionId::new(&[2; 32], "test").unwrap(),
            cipher_suite: CipherSuite::TLS_AES_256_GCM_SHA384,
            legacy_compression_method: 0,
            extensions,
        }
    }

    /// One hand-built message of every kind, with the fields that vary by
    /// version or content exercised.
    fn every_message() -> Vec<HandshakeMessage> {
        let tls13 = Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13);
        vec![
            HandshakeMessage::ClientHello(client_hello()),
            // A TLS 1.2 client that sends no extension block at all.
            HandshakeMessage::ClientHello(ClientHello {
                legacy_session_id: SessionId::default(),
                extensions: Vec::new(),
                ..client_hello()
            }),
            HandshakeMessage::ServerHello(server_hello(
                [5; 32],
                vec![
                    Extension::KeyShareServerHello(KeyShareEntry {
                        group: NamedGroup::SECP256R1,
                        key_exchange: vec![4; 65],
                    }),
                    Extension::PreSharedKeyServerHello(0),
                    tls13.clone(),
                ],
            )),
            HandshakeMessage::ServerHello(server_hello(
                [6; 32],
                vec![
                    Extension::RenegotiationInfo(Vec::new()),
                    Extension::ExtendedMasterSecret,
                    Extension::Alpn(vec![b"http/1.1".to_vec()]),
                ],
            )),
            HandshakeMessage::HelloRetryRequest(server_hello(
                HELLO_RETRY_REQUEST_RANDOM,
                vec![
                    tls13,
                    Extension::KeyShareHelloRetryRequest(NamedGroup::SECP384R1),
                    Extension::Cookie(vec![8; 100]),
                ],
            )),
            HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
                extensions: Vec::new(),
            }),
            HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
                extensions: vec![
                    Extension::ServerNameAck,
                    Extension::Alpn(vec![b"h2".to_vec()]),
                    Extension::EarlyData,
                ],
            }),
            HandshakeMessage::CertificateRequest(CertificateRequest {
                certificate_request_context: vec![1, 2, 3],
                extensions: vec![Extension::SignatureAlgorithms(vec![
                    SignatureScheme::ECDSA_SECP256R1_SHA256,
                ])],
            }),
            HandshakeMessage::Certificate(Certificate {
                certificate_request_context: Vec::new(),
                certificate_list: vec![
                    CertificateEntry {
                        cert_data: vec![0x30; 300],
                        extensions: vec![Extension::StatusRequest(vec![1, 0, 0, 1, 0x30].into())],
                    },
                    CertificateEntry {
                        cert_data: vec![0x30],
                        extensions: Vec::new(),
                    },
                ],
            }),
            // A client without a certificate answers with an empty list.
            HandshakeMessage::Certificate(Certificate {
                certificate_request_context: vec![1, 2, 3],
                certificate_list: Vec::new(),
            }),
            HandshakeMessage::CertificateVerify(CertificateVerify {
                algorithm: SignatureScheme::ED25519,
                signature: vec![7; 64],
            }),
            HandshakeMessage::Finished(Finished {
                verify_data: VerifyData::new(&[0xaa; 48], "test").unwrap(),
            }),
            HandshakeMessage::NewSessionTicket(NewSessionTicket {
                ticket_lifetime: 604800,
                ticket_age_add: 0xdead_beef,
                ticket_nonce: Vec::new(),
                ticket: vec![1; 200],
                extensions: vec![Extension::EarlyDataMaxSize(16384)],
            }),
            HandshakeMessage::KeyUpdate(KeyUpdate {
                request_update: KeyUpdateRequest::UPDATE_NOT_REQUESTED,
            }),
            HandshakeMessage::KeyUpdate(KeyUpdate {
                request_update: KeyUpdateRequest::UPDATE_REQUESTED,
            }),
            HandshakeMessage::EndOfEarlyData,
        ]
    }

    #[test]
    fn every_message_type_round_trips() {
        for message in every_message() {
            let bytes = encoded(&message);
            assert_eq!(split(&bytes).0, message.handshake_type());
            assert_eq!(decode_whole(&bytes).as_ref(), Ok(&message));
            assert_eq!(encoded(&decode_whole(&bytes).unwrap()), bytes);
        }
    }

    #[test]
    fn rfc8448_simple_handshake_round_trips() {
        let HandshakeMessage::ClientHello(ch) = round_trip_hex(rfc8448::CLIENT_HELLO) else {
            panic!("not a ClientHello");
        };
        assert_eq!(
            find_extension(&ch.extensions, ExtensionType::SERVER_NAME),
            Some(&Extension::ServerName(b"server".to_vec()))
        );
        let HandshakeMessage::ServerHello(sh) = round_trip_hex(rfc8448::SERVER_HELLO) else {
            panic!("not a ServerHello");
        };
        assert_eq!(sh.cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
        assert!(matches!(
            find_extension(&sh.extensions, ExtensionType::KEY_SHARE),
            Some(Extension::KeyShareServerHello(KeyShareEntry {
                group: NamedGroup::X25519,
                ..
            }))
        ));
        assert!(matches!(
            round_trip_hex(rfc8448::ENCRYPTED_EXTENSIONS),
            HandshakeMessage::EncryptedExtensions(_)
        ));
        let HandshakeMessage::Certificate(certificate) = round_trip_hex(rfc8448::CERTIFICATE)
        else {
            panic!("not a Certificate");
        };
        assert_eq!(certificate.certificate_list.len(), 1);
        assert_eq!(certificate.certificate_list[0].cert_data.len(), 432);
        assert!(matches!(
            round_trip_hex(rfc8448::CERTIFICATE_VERIFY),
            HandshakeMessage::CertificateVerify(CertificateVerify {
                algorithm: SignatureScheme::RSA_PSS_RSAE_SHA256,
                ..
            })
        ));
        assert!(matches!(
            round_trip_hex(rfc8448::SERVER_FINISHED),
            HandshakeMessage::Finished(Finished { verify_data }) if verify_data.len() == 32
        ));
        let HandshakeMessage::NewSessionTicket(ticket) =
            round_trip_hex(rfc8448::NEW_SESSION_TICKET)
        else {
            panic!("not a NewSessionTicket");
        };
        assert_eq!(ticket.ticket_lifetime, 30);
        assert_eq!(ticket.extensions, [Extension::EarlyDataMaxSize(1024)]);
    }

    #[test]
    fn rfc8448_resumption_hello_retry_and_client_auth_round_trip() {
        for hex_message in [
            rfc8448::RESUMED_SERVER_HELLO,
            rfc8448::RESUMED_ENCRYPTED_EXTENSIONS,
            rfc8448::END_OF_EARLY_DATA,
            rfc8448::RETRIED_CLIENT_HELLO,
            rfc8448::CERTIFICATE_REQUEST,
            rfc8448::CLIENT_CERTIFICATE,
        ] {
            round_trip_hex(hex_message);
        }
        let HandshakeMessage::HelloRetryRequest(hrr) = round_trip_hex(rfc8448::HELLO_RETRY_REQUEST)
        else {
            panic!("not a HelloRetryRequest");
        };
        assert!(hrr.is_hello_retry_request());
        assert_eq!(
            find_extension(&hrr.extensions, ExtensionType::KEY_SHARE),
            Some(&Extension::KeyShareHelloRetryRequest(NamedGroup::SECP256R1))
        );
    }

    #[test]
    fn rfc8448_binders_cover_the_truncated_client_hello() {
        let bytes = hex::decode(rfc8448::RESUMED_CLIENT_HELLO).unwrap();
        let HandshakeMessage::ClientHello(ch) = round_trip_hex(rfc8448::RESUMED_CLIENT_HELLO)
        else {
            panic!("not a ClientHello");
        };
        let offered = ch.offered_psks().unwrap();
        assert_eq!(offered.identities.len(), 1);
        assert_eq!(offered.binders.len(), 1);
        // RFC 8448, Section 4: the "ClientHello prefix" is 477 of the 512 octets.
        let truncated = ch.encode_truncated_for_binders().unwrap().unwrap();
        assert_eq!(truncated.len(), 477);
        assert_eq!(truncated, bytes[..477]);
        let no_psk = ClientHello {
            extensions: Vec::new(),
            ..client_hello()
        };
        assert_eq!(no_psk.encode_truncated_for_binders(), None);
    }

    #[test]
    fn trailing_bytes_in_a_message_are_decode_errors() {
        let certificate_verify = HandshakeMessage::CertificateVerify(CertificateVerify {
            algorithm: SignatureScheme::ED25519,
            signature: vec![7; 64],
        });
        let mut bytes = encoded(&certificate_verify);
        bytes.push(0);
        assert_refused(
            HandshakeMessage::decode(HandshakeType::CERTIFICATE_VERIFY, &bytes[4..]),
            InvalidMessage::TrailingBytes("certificate_verify"),
            AlertDescription::DECODE_ERROR,
        );
        assert_refused(
            HandshakeMessage::decode(HandshakeType::END_OF_EARLY_DATA, &[0]),
            InvalidMessage::TrailingBytes("end_of_early_data"),
            AlertDescription::DECODE_ERROR,
        );
        assert_refused(
            HandshakeMessage::decode(HandshakeType::KEY_UPDATE, &[1, 1]),
            InvalidMessage::TrailingBytes("key_update"),
            AlertDescription::DECODE_ERROR,
        );
    }

    #[test]
    fn truncated_messages_are_decode_errors() {
        let bytes = hex::decode(rfc8448::SERVER_HELLO).unwrap();
        let (typ, body) = split(&bytes);
        // Cut inside the random, then inside the key_share body (which the
        // outer extensions length no longer covers).
        assert_refused(
            HandshakeMessage::decode(typ, &body[..20]),
            InvalidMessage::Truncated("random"),
            AlertDescription::DECODE_ERROR,
        );
        assert_refused(
            HandshakeMessage::decode(typ, &body[..body.len() - 1]),
            InvalidMessage::Truncated("extensions"),
            AlertDescription::DECODE_ERROR,
        );
        assert_refused(
            HandshakeMessage::decode(HandshakeType::KEY_UPDATE, &[]),
            InvalidMessage::Truncated("request_update"),
            AlertDescription::DECODE_ERROR,
        );
    }

    #[test]
    fn client_hello_vectors_are_bounded() {
        let write_hello = |session_id: &[u8], suites: &[u8], compression: &[u8]| {
            let (session_id, suites, compression) =
                (session_id.to_vec(), suites.to_vec(), compression.to_vec());
            move |w: &mut Writer<'_>| {
                w.u16(0x0303);
                w.bytes(&[0; 32]);
                w.vec8(|w| w.bytes(&session_id));
                w.vec16(|w| w.bytes(&suites));
                w.vec8(|w| w.bytes(&compression));
            }
        };
        let suite = [0x13, 0x01];
        let decode_error = AlertDescription::DECODE_ERROR;
        assert!(decode_written(
            HandshakeType::CLIENT_HELLO,
            write_hello(&[0; 32], &suite, &[0])
        )
        .is_ok());
        assert_refused(
            decode_written(
                HandshakeType::CLIENT_HELLO,
                write_hello(&[0; 33], &suite, &[0]),
            ),
            InvalidMessage::LengthOutOfRange("legacy_session_id"),
            decode_error,
        );
        assert_refused(
            decode_written(
                HandshakeType::CLIENT_HELLO,
                write_hello(&[], &[0x13, 0x01, 0x13], &[0]),
            ),
            InvalidMessage::OddLength("cipher_suites"),
            decode_error,
        );
        assert_refused(
            decode_written(HandshakeType::CLIENT_HELLO, write_hello(&[], &[], &[0])),
            InvalidMessage::EmptyVector("cipher_suites"),
            decode_error,
        );
        assert_refused(
            decode_written(HandshakeType::CLIENT_HELLO, write_hello(&[], &suite, &[])),
            InvalidMessage::EmptyVector("legacy_compression_methods"),
            decode_error,
        );
        let mut echo33 = encoded(&HandshakeMessage::ServerHello(server_hello(
            [5; 32],
            Vec::new(),
        )));
        // The echo's length byte after the type, length, version and random.
        assert_eq!(echo33[4 + 2 + 32], 32);
        echo33[4 + 2 + 32] = 33;
        echo33.insert(4 + 2 + 32 + 1, 0);
        let body_len = echo33.len() - 4;
        echo33[1..4].copy_from_slice(&u32::try_from(body_len).unwrap().to_be_bytes()[1..]);
        assert_refused(
            decode_whole(&echo33),
            InvalidMessage::LengthOutOfRange("legacy_session_id_echo"),
            decode_error,
        );
    }

    #[test]
    fn other_message_vectors_are_bounded() {
        let decode_error = AlertDescription::DECODE_ERROR;
        let empty_cert = HandshakeMessage::Certificate(Certificate {
            certificate_request_context: Vec::new(),
            certificate_list: vec![CertificateEntry {
                cert_data: Vec::new(),
                extensions: Vec::new(),
            }],
        });
        assert_refused(
            decode_whole(&encoded(&empty_cert)),
            InvalidMessage::EmptyVector("cert_data"),
            decode_error,
        );
        let empty_ticket = HandshakeMessage::NewSessionTicket(NewSessionTicket {
            ticket_lifetime: 1,
            ticket_age_add: 2,
            ticket_nonce: vec![0],
            ticket: Vec::new(),
            extensions: Vec::new(),
        });
        assert_refused(
            decode_whole(&encoded(&empty_ticket)),
            InvalidMessage::EmptyVector("ticket"),
            decode_error,
        );
        // CertificateVerify's signature<0..2^16-1> may be empty; the
        // signature check refuses it later.
        assert!(decode_written(HandshakeType::CERTIFICATE_VERIFY, |w| {
            w.u16(0x0807);
            w.vec16(|_| {});
        })
        .is_ok());
    }

    #[test]
    fn key_update_request_is_0_or_1() {
        assert_refused(
            HandshakeMessage::decode(HandshakeType::KEY_UPDATE, &[2]),
            InvalidMessage::IllegalValue("request_update"),
            AlertDescription::ILLEGAL_PARAMETER,
        );
    }

    #[test]
    fn unknown_handshake_types_are_unexpected_messages() {
        for typ in [HandshakeType(99), HandshakeType::SERVER_KEY_EXCHANGE] {
            assert_refused(
                HandshakeMessage::decode(typ, &[]),
                InvalidMessage::UnknownHandshakeType(typ.0),
                AlertDescription::UNEXPECTED_MESSAGE,
            );
        }
    }

    #[test]
    fn extension_rules_apply_inside_messages() {
        let mut ch = client_hello();
        ch.extensions.push(Extension::EarlyData);
        assert_refused(
            decode_whole(&encoded(&HandshakeMessage::ClientHello(ch))),
            InvalidMessage::PreSharedKeyNotLast,
            AlertDescription::ILLEGAL_PARAMETER,
        );
        let ee = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
            extensions: vec![Extension::KeyShareServerHello(KeyShareEntry {
                group: NamedGroup::X25519,
                key_exchange: vec![1; 32],
            })],
        });
        assert_refused(
            decode_whole(&encoded(&ee)),
            InvalidMessage::ExtensionNotAllowed {
                extension: ExtensionType::KEY_SHARE,
                message: HandshakeType::ENCRYPTED_EXTENSIONS,
            },
            AlertDescription::ILLEGAL_PARAMETER,
        );
        let hrr = HandshakeMessage::HelloRetryRequest(server_hello(
            HELLO_RETRY_REQUEST_RANDOM,
            vec![Extension::PreSharedKeyServerHello(0)],
        ));
        assert_refused(
            decode_whole(&encoded(&hrr)),
            InvalidMessage::ExtensionNotAllowed {
                extension: ExtensionType::PRE_SHARED_KEY,
                message: HandshakeType::SERVER_HELLO,
            },
            AlertDescription::ILLEGAL_PARAMETER,
        );
        let duplicate = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
            extensions: vec![Extension::EarlyData, Extension::EarlyData],
        });
        assert_refused(
            decode_whole(&encoded(&duplicate)),
            InvalidMessage::DuplicateExtension(ExtensionType::EARLY_DATA),
            AlertDescription::ILLEGAL_PARAMETER,
        );
    }

    #[test]
    fn grease_suite_group_and_extension_are_kept() {
        // client_hello() opens with a GREASE suite, extension, version and group.
        let bytes = encoded(&HandshakeMessage::ClientHello(client_hello()));
        let Ok(HandshakeMessage::ClientHello(ch)) = decode_whole(&bytes) else {
            panic!("ClientHello refused");
        };
        assert_eq!(ch.cipher_suites[0], CipherSuite(0x2a2a));
        assert_eq!(
            ch.extensions[0],
            Extension::Unknown(ExtensionType(0x0a0a), Vec::new())
        );
        assert_eq!(
            find_extension(&ch.extensions, ExtensionType::SUPPORTED_GROUPS),
            Some(&Extension::SupportedGroups(vec![
                NamedGroup(0x1a1a),
                NamedGroup::X25519
            ]))
        );
        assert_eq!(encoded(&HandshakeMessage::ClientHello(ch)), bytes);
    }

    #[test]
    fn no_input_near_a_real_message_panics() {
        // A cheap, deterministic stand-in for the fuzz targets: every prefix
        // and many one-byte changes of every vector (TLS 1.3 and TLS 1.2),
        // decoded as every type by both decoders. Whatever decodes must also
        // re-encode to the bytes it came from.
        let vectors = [
            rfc8448::CLIENT_HELLO,
            rfc8448::SERVER_HELLO,
            rfc8448::ENCRYPTED_EXTENSIONS,
            rfc8448::CERTIFICATE,
            rfc8448::CERTIFICATE_VERIFY,
            rfc8448::SERVER_FINISHED,
            rfc8448::NEW_SESSION_TICKET,
            rfc8448::RESUMED_CLIENT_HELLO,
            rfc8448::RESUMED_SERVER_HELLO,
            rfc8448::RESUMED_ENCRYPTED_EXTENSIONS,
            rfc8448::END_OF_EARLY_DATA,
            rfc8448::HELLO_RETRY_REQUEST,
            rfc8448::RETRIED_CLIENT_HELLO,
            rfc8448::CERTIFICATE_REQUEST,
            rfc8448::CLIENT_CERTIFICATE,
        ];
        type Decoder = fn(HandshakeType, &[u8]) -> Result<HandshakeMessage, InvalidMessage>;
        let decoders: [Decoder; 2] = [HandshakeMessage::decode, HandshakeMessage::decode_tls12];
        let check = |typ: HandshakeType, body: &[u8]| {
            for decode in decoders {
                let Ok(message) = decode(typ, body) else {
                    continue;
                };
                assert_eq!(encoded(&message)[4..], *body, "{message:?}");
                // The raw TLS 1.2 bodies go through their typed parsers too.
                match &message {
                    HandshakeMessage::ServerKeyExchange(ske) => {
                        if let Ok(params) = ske.ecdhe() {
                            assert_eq!(params.encode_body().unwrap(), ske.body);
                        }
                    }
                    HandshakeMessage::ClientKeyExchange(cke) => {
                        let _ = cke.ecdhe_public();
                        let _ = cke.rsa_encrypted_pre_master();
                    }
                    _ => {}
                }
            }
        };
        for hex_message in vectors.into_iter().chain(tls12::openssl12::ALL) {
            let bytes = hex::decode(hex_message).unwrap();
            let (typ, body) = split(&bytes);
            for len in 0..body.len() {
                check(typ, &body[..len]);
            }
            for i in 0..body.len() {
                for delta in [1, 0x7f, 0xff] {
                    let mut mutated = body.to_vec();
                    mutated[i] = mutated[i].wrapping_add(delta);
                    check(typ, &mutated);
                }
            }
            for other in 0..=u8::MAX {
                for decode in decoders {
                    let _ = decode(HandshakeType(other), body);
                }
            }
        }
    }
}
