//! Hello and handshake extensions (RFC 8446, Section 4.2), decoded strictly in
//! the context of the message that carries them.
//!
//! An extension block is kept as a `Vec<Extension>` in wire order, so encoding
//! a decoded block gives back the same bytes. Decoding refuses duplicates and
//! known extensions in a message that may not carry them; unknown extensions
//! (including GREASE) are kept as [`Extension::Unknown`] for the handshake to
//! ignore (ClientHello) or refuse as unsolicited (server messages).
//!
//! [`ExtensionContext::ServerHello`] admits the TLS 1.2 replies too, since
//! both versions share the message; [`check_tls13_server_hello`] narrows it
//! once TLS 1.3 is selected. The handshake reaches a typed body with
//! [`find_extension`] and a `let ... else` on the variant it expects.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::messages::{CertificateStatus, STATUS_TYPE_OCSP};
use super::{
    ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, Reader,
    SignatureScheme, Writer,
};
use crate::error::InvalidMessage;

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
    /// status_request (ClientHello, CertificateRequest, CertificateEntry; empty
    /// acknowledgement in a TLS 1.2 ServerHello): the raw body, parsed only for
    /// framing; borrowed when it is a constant of ours (a client's request).
    StatusRequest(Cow<'static, [u8]>),
    /// certificate_authorities (ClientHello, CertificateRequest): DER distinguished
    /// names (RFC 8446, Section 4.2.4).
    CertificateAuthorities(Vec<Vec<u8>>),
    /// ec_point_formats (RFC 8422, Section 5.1.2; ClientHello, TLS 1.2
    /// ServerHello): the ECPointFormat list, non-empty. Whether it holds
    /// uncompressed (0) is the handshake's check, since RFC 8422 makes it
    /// conditional on the groups offered.
    EcPointFormats(Vec<u8>),
    /// extended_master_secret (RFC 7627, Section 5.1; ClientHello, TLS 1.2
    /// ServerHello): empty.
    ExtendedMasterSecret,
    /// renegotiation_info (RFC 5746, Section 3.2; ClientHello, TLS 1.2
    /// ServerHello): renegotiated_connection, empty on an initial handshake.
    RenegotiationInfo(Vec<u8>),
    /// session_ticket (RFC 5077, Section 3.2): the ticket a ClientHello
    /// presents (empty when the client asks for a new one), or the server's
    /// empty acknowledgement in a TLS 1.2 ServerHello.
    SessionTicket(Vec<u8>),
    /// Any extension we do not interpret, kept verbatim (GREASE included).
    Unknown(ExtensionType, Vec<u8>),
}

/// The messages that may carry each extension we recognise: the table of
/// RFC 8446, Section 4.2, plus the TLS 1.2 ServerHello replies (RFC 5246,
/// Section 7.4.1.4) since [`ExtensionContext::ServerHello`] also covers TLS 1.2.
///
/// `None` means we do not recognise the type: it is kept as
/// [`Extension::Unknown`] wherever it appears, as RFC 8446 and RFC 8701 ask.
fn allowed_contexts(typ: ExtensionType) -> Option<&'static [ExtensionContext]> {
    use ExtensionContext::{
        Certificate as CT, CertificateRequest as CR, ClientHello as CH, EncryptedExtensions as EE,
        HelloRetryRequest as HRR, NewSessionTicket as NST, ServerHello as SH,
    };
    Some(match typ {
        ExtensionType::SERVER_NAME => &[CH, SH, EE],
        ExtensionType::STATUS_REQUEST => &[CH, SH, CR, CT],
        ExtensionType::SUPPORTED_GROUPS => &[CH, EE],
        ExtensionType::SIGNATURE_ALGORITHMS => &[CH, CR],
        ExtensionType::SIGNATURE_ALGORITHMS_CERT => &[CH, CR],
        ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => &[CH, SH, EE],
        // RFC 8449, Section 4: ServerHello in TLS 1.2, EncryptedExtensions in TLS 1.3.
        ExtensionType::RECORD_SIZE_LIMIT => &[CH, SH, EE],
        ExtensionType::KEY_SHARE => &[CH, SH, HRR],
        ExtensionType::PRE_SHARED_KEY => &[CH, SH],
        ExtensionType::PSK_KEY_EXCHANGE_MODES => &[CH],
        ExtensionType::EARLY_DATA => &[CH, EE, NST],
        ExtensionType::COOKIE => &[CH, HRR],
        ExtensionType::SUPPORTED_VERSIONS => &[CH, SH, HRR],
        ExtensionType::CERTIFICATE_AUTHORITIES => &[CH, CR],
        // TLS 1.2 only (RFC 8422, RFC 7627, RFC 5077, RFC 5746).
        ExtensionType::EC_POINT_FORMATS
        | ExtensionType::EXTENDED_MASTER_SECRET
        | ExtensionType::SESSION_TICKET
        | ExtensionType::RENEGOTIATION_INFO => &[CH, SH],
        _ => return None,
    })
}

/// Up to this many extensions, a duplicate is looked for among those
/// already decoded; past it, in a set.
const PAIRWISE_DUPLICATE_CHECK: usize = 16;

/// Decodes one extension block: `Extension extensions<0..2^16-1>`.
///
/// Refuses trailing bytes, duplicates, known extensions not allowed in `ctx`
/// (RFC 8446, Section 4.2: illegal_parameter) and, in a ClientHello, a
/// pre_shared_key that is not last (RFC 8446, Section 4.2.11).
pub fn decode_extensions(
    r: &mut Reader<'_>,
    ctx: ExtensionContext,
) -> Result<Vec<Extension>, InvalidMessage> {
    let mut block = Reader::new(r.vec16("extensions")?);
    let mut extensions = Vec::new();
    // The usual handful is compared pairwise, without allocating; past that a
    // set: a block can hold ~16k empty extensions, and a quadratic check
    // would be a cheap CPU sink for a peer.
    let mut seen = BTreeSet::new();
    while !block.is_empty() {
        let extension_type = ExtensionType(block.u16("extension_type")?);
        let extension_data = block.vec16("extension_data")?;
        // RFC 8446, Section 4.2.11: pre_shared_key MUST be the last extension
        // in the ClientHello (the binders cover everything before them).
        if matches!(
            extensions.last(),
            Some(Extension::PreSharedKeyClientHello(_))
        ) {
            return Err(InvalidMessage::PreSharedKeyNotLast);
        }
        // RFC 8446, Section 4.2: no more than one extension of the same type.
        let duplicate = match extensions.len() < PAIRWISE_DUPLICATE_CHECK {
            true => extensions.iter().any(|e| e.ext_type() == extension_type),
            false => {
                if seen.is_empty() {
                    seen.extend(extensions.iter().map(Extension::ext_type));
                }
                !seen.insert(extension_type)
            }
        };
        if duplicate {
            return Err(InvalidMessage::DuplicateExtension(extension_type));
        }
        extensions.push(decode_extension(extension_type, extension_data, ctx)?);
    }
    Ok(extensions)
}

/// Decodes one `extension_data` body, which must be consumed exactly.
fn decode_extension(
    typ: ExtensionType,
    extension_data: &[u8],
    ctx: ExtensionContext,
) -> Result<Extension, InvalidMessage> {
    if let Some(allowed) = allowed_contexts(typ) {
        // RFC 8446, Section 4.2: a recognised extension in a message that may
        // not carry it is an illegal_parameter.
        if !allowed.contains(&ctx) {
            return Err(InvalidMessage::ExtensionNotAllowed {
                extension: typ,
                message: ctx.handshake_type(),
            });
        }
    }
    let mut r = Reader::new(extension_data);
    let extension = decode_extension_body(typ, ctx, &mut r)?;
    r.finish(typ.name().unwrap_or("extension_data"))?;
    Ok(extension)
}

/// Decodes the body of an extension already known to be allowed in `ctx`.
fn decode_extension_body(
    typ: ExtensionType,
    ctx: ExtensionContext,
    r: &mut Reader<'_>,
) -> Result<Extension, InvalidMessage> {
    use ExtensionContext as C;
    use ExtensionType as T;
    Ok(match (typ, ctx) {
        (T::SERVER_NAME, C::ClientHello) => Extension::ServerName(read_host_name(r)?),
        // RFC 6066, Section 3: the server's acknowledgement is empty.
        (T::SERVER_NAME, _) => Extension::ServerNameAck,
        (T::STATUS_REQUEST, C::ClientHello) => {
            Extension::StatusRequest(read_certificate_status_request(r)?.into())
        }
        // RFC 8446, Section 4.4.2.1: a server asks for the client's OCSP
        // response "by sending an empty status_request extension in its
        // CertificateRequest" (Go and GnuTLS always do); a full
        // CertificateStatusRequest is tolerated too.
        (T::STATUS_REQUEST, C::CertificateRequest) if r.is_empty() => {
            Extension::StatusRequest(Cow::Borrowed(&[]))
        }
        (T::STATUS_REQUEST, C::CertificateRequest) => {
            Extension::StatusRequest(read_certificate_status_request(r)?.into())
        }
        (T::STATUS_REQUEST, C::Certificate) => {
            Extension::StatusRequest(read_certificate_status(r)?.into())
        }
        // RFC 6066, Section 8: a TLS 1.2 server acknowledges with an empty body.
        (T::STATUS_REQUEST, _) => Extension::StatusRequest(Cow::Borrowed(&[])),
        (T::SUPPORTED_GROUPS, _) => Extension::SupportedGroups(
            r.u16_list("named_group_list")?
                .into_iter()
                .map(NamedGroup)
                .collect(),
        ),
        (T::SIGNATURE_ALGORITHMS, _) => Extension::SignatureAlgorithms(read_signature_schemes(r)?),
        (T::SIGNATURE_ALGORITHMS_CERT, _) => {
            Extension::SignatureAlgorithmsCert(read_signature_schemes(r)?)
        }
        (T::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, C::ClientHello) => {
            Extension::Alpn(read_protocol_name_list(r)?)
        }
        (T::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, _) => {
            let protocol_name_list = read_protocol_name_list(r)?;
            // RFC 7301, Section 3.1: the server's list MUST contain exactly
            // one protocol.
            if protocol_name_list.len() != 1 {
                return Err(InvalidMessage::IllegalValue("ALPN protocol_name_list"));
            }
            Extension::Alpn(protocol_name_list)
        }
        (T::RECORD_SIZE_LIMIT, _) => {
            let limit = r.u16("record_size_limit")?;
            // RFC 8449, Section 4: a value below 64 is an illegal_parameter.
            if limit < 64 {
                return Err(InvalidMessage::IllegalValue("record_size_limit"));
            }
            Extension::RecordSizeLimit(limit)
        }
        (T::KEY_SHARE, C::ClientHello) => Extension::KeyShareClientHello(read_client_shares(r)?),
        (T::KEY_SHARE, C::HelloRetryRequest) => {
            Extension::KeyShareHelloRetryRequest(NamedGroup(r.u16("selected_group")?))
        }
        (T::KEY_SHARE, _) => Extension::KeyShareServerHello(KeyShareEntry::read(r)?),
        (T::PRE_SHARED_KEY, C::ClientHello) => {
            Extension::PreSharedKeyClientHello(OfferedPsks::read(r)?)
        }
        (T::PRE_SHARED_KEY, _) => Extension::PreSharedKeyServerHello(r.u16("selected_identity")?),
        (T::PSK_KEY_EXCHANGE_MODES, _) => Extension::PskKeyExchangeModes(
            r.vec8_nonempty("ke_modes")?
                .iter()
                .map(|&mode| PskKeyExchangeMode(mode))
                .collect(),
        ),
        (T::EARLY_DATA, C::NewSessionTicket) => {
            Extension::EarlyDataMaxSize(r.u32("max_early_data_size")?)
        }
        (T::EARLY_DATA, _) => Extension::EarlyData,
        (T::COOKIE, _) => Extension::Cookie(r.vec16_nonempty("cookie")?.to_vec()),
        (T::SUPPORTED_VERSIONS, C::ClientHello) => {
            Extension::SupportedVersionsClientHello(read_versions(r)?)
        }
        (T::SUPPORTED_VERSIONS, _) => {
            Extension::SupportedVersionsServerHello(ProtocolVersion(r.u16("selected_version")?))
        }
        (T::CERTIFICATE_AUTHORITIES, _) => {
            // RFC 8446, Section 4.2.4: DistinguishedName authorities<3..2^16-1>,
            // each DistinguishedName<1..2^16-1>.
            let authorities = r.vec16_nonempty("authorities")?;
            Extension::CertificateAuthorities(read_list(authorities, |r| {
                Ok(r.vec16_nonempty("DistinguishedName")?.to_vec())
            })?)
        }
        // RFC 8422, Section 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>.
        (T::EC_POINT_FORMATS, _) => {
            Extension::EcPointFormats(r.vec8_nonempty("ec_point_format_list")?.to_vec())
        }
        // RFC 7627, Section 5.1: "The extension_data field of this extension is
        // empty"; the caller's `finish` refuses any body.
        (T::EXTENDED_MASTER_SECRET, _) => Extension::ExtendedMasterSecret,
        // RFC 5746, Section 3.2: opaque renegotiated_connection<0..255>.
        (T::RENEGOTIATION_INFO, _) => {
            Extension::RenegotiationInfo(r.vec8("renegotiated_connection")?.to_vec())
        }
        // RFC 5077, Section 3.2: "The extension_data field of SessionTicket
        // extension contains the ticket", with no length prefix of its own.
        (T::SESSION_TICKET, C::ClientHello) => Extension::SessionTicket(r.take_rest().to_vec()),
        // RFC 5077, Section 3.2: "The server uses a zero-length SessionTicket
        // extension"; the caller's `finish` refuses any body.
        (T::SESSION_TICKET, _) => Extension::SessionTicket(Vec::new()),
        _ => Extension::Unknown(typ, r.take_rest().to_vec()),
    })
}

/// Reads a ServerNameList and returns its one host_name (RFC 6066, Section 3).
fn read_host_name(r: &mut Reader<'_>) -> Result<Vec<u8>, InvalidMessage> {
    let mut server_name_list = Reader::new(r.vec16_nonempty("server_name_list")?);
    let mut host_name = None;
    while !server_name_list.is_empty() {
        // RFC 6066, Section 3: host_name (0) is the only NameType defined, and
        // the body of any other type cannot be framed, so it is refused.
        if server_name_list.u8("name_type")? != 0 {
            return Err(InvalidMessage::IllegalValue("server_name name_type"));
        }
        let name = server_name_list.vec16_nonempty("HostName")?;
        // RFC 6066, Section 3: the list MUST NOT contain more than one name of
        // the same name_type.
        if host_name.replace(name).is_some() {
            return Err(InvalidMessage::IllegalValue("server_name_list"));
        }
    }
    host_name
        .map(<[u8]>::to_vec)
        .ok_or(InvalidMessage::EmptyVector("server_name_list"))
}

/// Checks the framing of a CertificateStatusRequest (RFC 6066, Section 8)
/// and returns its bytes.
fn read_certificate_status_request(r: &mut Reader<'_>) -> Result<Vec<u8>, InvalidMessage> {
    let status_request = r.rest();
    if r.u8("status_type")? == STATUS_TYPE_OCSP {
        // OCSPStatusRequest: ResponderID responder_id_list<0..2^16-1>, each
        // ResponderID<1..2^16-1>; Extensions request_extensions<0..2^16-1>.
        read_list(r.vec16("responder_id_list")?, |r| {
            r.vec16_nonempty("ResponderID").map(drop)
        })?;
        r.vec16("request_extensions")?;
    } else {
        // Another status type (e.g. RFC 6961's ocsp_multi): its body is opaque
        // to us, and the handshake simply does not answer it.
        r.take_rest();
    }
    Ok(status_request.to_vec())
}

/// Checks the framing of a CertificateStatus in a CertificateEntry
/// (RFC 8446, Section 4.4.2.1) and returns its bytes.
fn read_certificate_status(r: &mut Reader<'_>) -> Result<Vec<u8>, InvalidMessage> {
    let status = r.rest();
    CertificateStatus::read(r)?;
    Ok(status.to_vec())
}

/// Reads `SignatureScheme supported_signature_algorithms<2..2^16-2>`.
fn read_signature_schemes(r: &mut Reader<'_>) -> Result<Vec<SignatureScheme>, InvalidMessage> {
    Ok(r.u16_list("supported_signature_algorithms")?
        .into_iter()
        .map(SignatureScheme)
        .collect())
}

/// Reads `ProtocolName protocol_name_list<2..2^16-1>`, each
/// `opaque ProtocolName<1..2^8-1>` (RFC 7301, Section 3.1).
fn read_protocol_name_list(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, InvalidMessage> {
    read_list(r.vec16_nonempty("protocol_name_list")?, |r| {
        Ok(r.vec8_nonempty("ProtocolName")?.to_vec())
    })
}

/// Reads `ProtocolVersion versions<2..254>` from a ClientHello
/// (RFC 8446, Section 4.2.1).
fn read_versions(r: &mut Reader<'_>) -> Result<Vec<ProtocolVersion>, InvalidMessage> {
    let versions = r.vec8_nonempty("versions")?;
    if versions.len() % 2 != 0 {
        return Err(InvalidMessage::OddLength("versions"));
    }
    read_list(versions, |r| Ok(ProtocolVersion(r.u16("versions")?)))
}

/// Reads `KeyShareEntry client_shares<0..2^16-1>` (RFC 8446, Section 4.2.8).
fn read_client_shares(r: &mut Reader<'_>) -> Result<Vec<KeyShareEntry>, InvalidMessage> {
    let client_shares = read_list(r.vec16("client_shares")?, KeyShareEntry::read)?;
    // RFC 8446, Section 4.2.8: clients MUST NOT offer two KeyShareEntry values
    // for the same group; servers MAY abort with illegal_parameter.
    let mut groups = BTreeSet::new();
    if !client_shares.iter().all(|share| groups.insert(share.group)) {
        return Err(InvalidMessage::IllegalValue("client_shares"));
    }
    Ok(client_shares)
}

/// The body of a ClientHello's status_request asking for an OCSP response
/// with no responder list and no request extensions (RFC 6066, Section 8):
/// status_type ocsp, then two empty 16-bit vectors.
pub const OCSP_STATUS_REQUEST: [u8; 5] = [STATUS_TYPE_OCSP, 0, 0, 0, 0];

/// True if a ClientHello's status_request body asks for an OCSP response
/// (another status type, such as RFC 6961's ocsp_multi, is not answered).
pub fn requests_ocsp(status_request: &[u8]) -> bool {
    status_request.first() == Some(&STATUS_TYPE_OCSP)
}

/// Reads items until `body` is used up; an item that runs past the end is
/// `Truncated`.
pub(super) fn read_list<'a, T>(
    body: &'a [u8],
    mut read_item: impl FnMut(&mut Reader<'a>) -> Result<T, InvalidMessage>,
) -> Result<Vec<T>, InvalidMessage> {
    let mut r = Reader::new(body);
    let mut items = Vec::new();
    while !r.is_empty() {
        items.push(read_item(&mut r)?);
    }
    Ok(items)
}

/// Reads a non-empty `opaque<1..2^24-1>` vector.
pub(super) fn vec24_nonempty<'a>(
    r: &mut Reader<'a>,
    what: &'static str,
) -> Result<&'a [u8], InvalidMessage> {
    match r.vec24(what)? {
        [] => Err(InvalidMessage::EmptyVector(what)),
        bytes => Ok(bytes),
    }
}

impl KeyShareEntry {
    /// Reads `NamedGroup group; opaque key_exchange<1..2^16-1>`.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(KeyShareEntry {
            group: NamedGroup(r.u16("group")?),
            key_exchange: r.vec16_nonempty("key_exchange")?.to_vec(),
        })
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(self.group.0);
        w.vec16(|w| w.bytes(&self.key_exchange));
    }
}

impl OfferedPsks {
    /// Reads OfferedPsks (RFC 8446, Section 4.2.11).
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        // PskIdentity identities<7..2^16-1>: at least one identity, each
        // opaque identity<1..2^16-1> plus a uint32.
        let identities = read_list(r.vec16_nonempty("identities")?, |r| {
            Ok(PskIdentity {
                identity: r.vec16_nonempty("identity")?.to_vec(),
                obfuscated_ticket_age: r.u32("obfuscated_ticket_age")?,
            })
        })?;
        // PskBinderEntry binders<33..2^16-1>, each opaque PskBinderEntry<32..255>.
        let binders = read_list(r.vec16_nonempty("binders")?, |r| {
            let binder = r.vec8("PskBinderEntry")?;
            if binder.len() < 32 {
                return Err(InvalidMessage::LengthOutOfRange("PskBinderEntry"));
            }
            Ok(binder.to_vec())
        })?;
        // RFC 8446, Section 4.2.11: one binder per identity, in the same order.
        if binders.len() != identities.len() {
            return Err(InvalidMessage::IllegalValue("binders"));
        }
        Ok(OfferedPsks {
            identities,
            binders,
        })
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.vec16(|w| {
            for psk in &self.identities {
                w.vec16(|w| w.bytes(&psk.identity));
                w.u32(psk.obfuscated_ticket_age);
            }
        });
        self.write_binders(w);
    }

    fn write_binders(&self, w: &mut Writer<'_>) {
        w.vec16(|w| {
            for binder in &self.binders {
                w.vec8(|w| w.bytes(binder));
            }
        });
    }

    /// How many bytes the `binders` field takes on the wire, length prefix
    /// included.
    ///
    /// The binders are the last bytes of a ClientHello that offers PSKs, so a
    /// message cut short by this many bytes is the partial ClientHello that
    /// each binder authenticates (RFC 8446, Section 4.2.11.2).
    pub fn binders_encoded_len(&self) -> usize {
        let mut buf = Vec::new();
        self.write_binders(&mut Writer::new(&mut buf));
        buf.len()
    }
}

/// Encodes an extension block with its 2-byte length prefix.
pub fn encode_extensions(w: &mut Writer<'_>, exts: &[Extension]) {
    w.vec16(|w| {
        for ext in exts {
            w.u16(ext.ext_type().0);
            w.vec16(|w| ext.write_body(w));
        }
    });
}

/// Returns the extension of type `typ`, if `exts` has one (a decoded block
/// holds at most one of each type).
///
/// Match on the result to reach the typed body, e.g.
/// `let Some(Extension::KeyShareServerHello(share)) = find_extension(&sh.extensions, ExtensionType::KEY_SHARE) else { ... }`.
pub fn find_extension(exts: &[Extension], typ: ExtensionType) -> Option<&Extension> {
    exts.iter().find(|ext| ext.ext_type() == typ)
}

/// Returns the type of the first extension in `exts` that is not in `sent`.
///
/// RFC 8446, Section 4.2: a reply may only carry extensions the other side
/// offered (except cookie in a HelloRetryRequest); anything else is answered
/// with unsupported_extension, which the handshake reports as
/// `PeerMisbehaved::UnsolicitedExtension`.
pub fn find_unsolicited(exts: &[Extension], sent: &[ExtensionType]) -> Option<ExtensionType> {
    exts.iter()
        .map(Extension::ext_type)
        .find(|typ| !sent.contains(typ))
}

/// The extensions a TLS 1.3 ServerHello may carry (RFC 8446, Section 4.2).
pub const TLS13_SERVER_HELLO_EXTENSIONS: [ExtensionType; 3] = [
    ExtensionType::KEY_SHARE,
    ExtensionType::PRE_SHARED_KEY,
    ExtensionType::SUPPORTED_VERSIONS,
];

/// Narrows a ServerHello decoded with [`ExtensionContext::ServerHello`] (which
/// also admits the TLS 1.2 replies) to TLS 1.3, once supported_versions has
/// selected it.
///
/// RFC 8446, Section 4.2: a recognised extension the table does not list for
/// ServerHello (server_name, ALPN, extended_master_secret, ...) is an
/// illegal_parameter. Unknown extensions pass; the handshake refuses them as
/// unsolicited with [`find_unsolicited`].
pub fn check_tls13_server_hello(exts: &[Extension]) -> Result<(), InvalidMessage> {
    match exts.iter().map(Extension::ext_type).find(|typ| {
        allowed_contexts(*typ).is_some() && !TLS13_SERVER_HELLO_EXTENSIONS.contains(typ)
    }) {
        Some(extension) => Err(InvalidMessage::ExtensionNotAllowed {
            extension,
            message: HandshakeType::SERVER_HELLO,
        }),
        None => Ok(()),
    }
}

impl Extension {
    /// The extension's wire type.
    pub fn ext_type(&self) -> ExtensionType {
        match self {
            Extension::ServerName(_) | Extension::ServerNameAck => ExtensionType::SERVER_NAME,
            Extension::SupportedGroups(_) => ExtensionType::SUPPORTED_GROUPS,
            Extension::SignatureAlgorithms(_) => ExtensionType::SIGNATURE_ALGORITHMS,
            Extension::SignatureAlgorithmsCert(_) => ExtensionType::SIGNATURE_ALGORITHMS_CERT,
            Extension::SupportedVersionsClientHello(_)
            | Extension::SupportedVersionsServerHello(_) => ExtensionType::SUPPORTED_VERSIONS,
            Extension::KeyShareClientHello(_)
            | Extension::KeyShareServerHello(_)
            | Extension::KeyShareHelloRetryRequest(_) => ExtensionType::KEY_SHARE,
            Extension::PskKeyExchangeModes(_) => ExtensionType::PSK_KEY_EXCHANGE_MODES,
            Extension::PreSharedKeyClientHello(_) | Extension::PreSharedKeyServerHello(_) => {
                ExtensionType::PRE_SHARED_KEY
            }
            Extension::EarlyData | Extension::EarlyDataMaxSize(_) => ExtensionType::EARLY_DATA,
            Extension::Cookie(_) => ExtensionType::COOKIE,
            Extension::Alpn(_) => ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
            Extension::RecordSizeLimit(_) => ExtensionType::RECORD_SIZE_LIMIT,
            Extension::StatusRequest(_) => ExtensionType::STATUS_REQUEST,
            Extension::CertificateAuthorities(_) => ExtensionType::CERTIFICATE_AUTHORITIES,
            Extension::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            Extension::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            Extension::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            Extension::SessionTicket(_) => ExtensionType::SESSION_TICKET,
            Extension::Unknown(typ, _) => *typ,
        }
    }

    /// Writes `extension_data` without its length prefix.
    fn write_body(&self, w: &mut Writer<'_>) {
        match self {
            Extension::ServerName(host_name) => w.vec16(|w| {
                w.u8(0); // host_name
                w.vec16(|w| w.bytes(host_name));
            }),
            Extension::ServerNameAck | Extension::EarlyData | Extension::ExtendedMasterSecret => {}
            Extension::SupportedGroups(groups) => w.vec16(|w| {
                for group in groups {
                    w.u16(group.0);
                }
            }),
            Extension::SignatureAlgorithms(schemes)
            | Extension::SignatureAlgorithmsCert(schemes) => w.vec16(|w| {
                for scheme in schemes {
                    w.u16(scheme.0);
                }
            }),
            Extension::SupportedVersionsClientHello(versions) => w.vec8(|w| {
                for version in versions {
                    w.u16(version.0);
                }
            }),
            Extension::SupportedVersionsServerHello(version) => w.u16(version.0),
            Extension::KeyShareClientHello(client_shares) => w.vec16(|w| {
                for share in client_shares {
                    share.write(w);
                }
            }),
            Extension::KeyShareServerHello(server_share) => server_share.write(w),
            Extension::KeyShareHelloRetryRequest(selected_group) => w.u16(selected_group.0),
            Extension::PskKeyExchangeModes(ke_modes) => w.vec8(|w| {
                for mode in ke_modes {
                    w.u8(mode.0);
                }
            }),
            Extension::PreSharedKeyClientHello(offered) => offered.write(w),
            Extension::PreSharedKeyServerHello(selected_identity) => w.u16(*selected_identity),
            Extension::EarlyDataMaxSize(max_early_data_size) => w.u32(*max_early_data_size),
            Extension::Cookie(cookie) => w.vec16(|w| w.bytes(cookie)),
            Extension::Alpn(protocol_name_list) => w.vec16(|w| {
                for name in protocol_name_list {
                    w.vec8(|w| w.bytes(name));
                }
            }),
            Extension::RecordSizeLimit(limit) => w.u16(*limit),
            Extension::CertificateAuthorities(authorities) => w.vec16(|w| {
                for name in authorities {
                    w.vec16(|w| w.bytes(name));
                }
            }),
            Extension::EcPointFormats(formats) => w.vec8(|w| w.bytes(formats)),
            Extension::RenegotiationInfo(renegotiated_connection) => {
                w.vec8(|w| w.bytes(renegotiated_connection))
            }
            Extension::StatusRequest(body) => w.bytes(body),
            Extension::SessionTicket(body) | Extension::Unknown(_, body) => w.bytes(body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{AlertDescription, CipherSuite};
    use crate::Error;
    use ExtensionContext as C;

    /// Writes `body` behind a 1-byte length prefix.
    fn v8(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Writer::new(&mut out).vec8(|w| w.bytes(body));
        out
    }

    /// Writes `body` behind a 2-byte length prefix.
    fn v16(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Writer::new(&mut out).vec16(|w| w.bytes(body));
        out
    }

    /// An extension block holding raw `(type, extension_data)` pairs.
    fn block(extensions: &[(ExtensionType, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        Writer::new(&mut out).vec16(|w| {
            for (typ, extension_data) in extensions {
                w.u16(typ.0);
                w.vec16(|w| w.bytes(extension_data));
            }
        });
        out
    }

    fn decode(ctx: ExtensionContext, bytes: &[u8]) -> Result<Vec<Extension>, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let extensions = decode_extensions(&mut r, ctx)?;
        r.finish("test input")?;
        Ok(extensions)
    }

    /// Decodes a block holding the one extension `typ` with body `extension_data`.
    fn decode_one(
        ctx: ExtensionContext,
        typ: ExtensionType,
        extension_data: &[u8],
    ) -> Result<Extension, InvalidMessage> {
        let mut extensions = decode(ctx, &block(&[(typ, extension_data)]))?;
        assert_eq!(extensions.len(), 1);
        Ok(extensions.remove(0))
    }

    fn encode(extensions: &[Extension]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_extensions(&mut Writer::new(&mut out), extensions);
        out
    }

    /// Encodes `extensions`, decodes them in `ctx` and checks both directions.
    fn assert_round_trip(ctx: ExtensionContext, extensions: Vec<Extension>) {
        let bytes = encode(&extensions);
        assert_eq!(decode(ctx, &bytes).as_ref(), Ok(&extensions), "{ctx:?}");
        assert_eq!(encode(&decode(ctx, &bytes).unwrap()), bytes);
    }

    /// Checks the exact error and the alert it becomes.
    fn assert_refused<T: core::fmt::Debug>(
        result: Result<T, InvalidMessage>,
        expected: InvalidMessage,
        alert: AlertDescription,
    ) {
        assert_eq!(result.unwrap_err(), expected);
        assert_eq!(Error::from(expected).alert(), Some(alert));
    }

    fn share(group: NamedGroup, len: usize) -> KeyShareEntry {
        KeyShareEntry {
            group,
            key_exchange: vec![0x42; len],
        }
    }

    fn offered_psks(binders: usize) -> OfferedPsks {
        OfferedPsks {
            identities: vec![PskIdentity {
                identity: b"ticket".to_vec(),
                obfuscated_ticket_age: 0x0102_0304,
            }],
            binders: vec![vec![0xbb; 32]; binders],
        }
    }

    #[test]
    fn every_extension_round_trips_in_each_message_that_may_carry_it() {
        let schemes = vec![
            SignatureScheme::ED25519,
            SignatureScheme::RSA_PSS_RSAE_SHA256,
        ];
        assert_round_trip(
            C::ClientHello,
            vec![
                Extension::ServerName(b"example.com".to_vec()),
                Extension::StatusRequest(vec![1, 0, 0, 0, 0].into()),
                Extension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::SECP256R1]),
                Extension::SignatureAlgorithms(schemes.clone()),
                Extension::SignatureAlgorithmsCert(schemes.clone()),
                Extension::Alpn(vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
                Extension::RecordSizeLimit(16385),
                Extension::KeyShareClientHello(vec![
                    share(NamedGroup::X25519, 32),
                    share(NamedGroup::SECP256R1, 65),
                ]),
                Extension::PskKeyExchangeModes(vec![PskKeyExchangeMode::PSK_DHE_KE]),
                Extension::EarlyData,
                Extension::Cookie(vec![7; 40]),
                Extension::SupportedVersionsClientHello(vec![
                    ProtocolVersion::TLS13,
                    ProtocolVersion::TLS12,
                ]),
                Extension::CertificateAuthorities(vec![vec![0x30, 0], vec![0x30, 1, 5]]),
                Extension::EcPointFormats(vec![0, 1, 2]),
                Extension::ExtendedMasterSecret,
                Extension::RenegotiationInfo(Vec::new()),
                Extension::SessionTicket(vec![0x5e; 100]),
                Extension::PreSharedKeyClientHello(offered_psks(1)),
            ],
        );
        assert_round_trip(
            C::ServerHello,
            vec![
                Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
                Extension::KeyShareServerHello(share(NamedGroup::X25519, 32)),
                Extension::PreSharedKeyServerHello(0),
            ],
        );
        assert_round_trip(
            C::HelloRetryRequest,
            vec![
                Extension::KeyShareHelloRetryRequest(NamedGroup::SECP384R1),
                Extension::Cookie(vec![1, 2, 3]),
                Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
            ],
        );
        assert_round_trip(
            C::EncryptedExtensions,
            vec![
                Extension::ServerNameAck,
                Extension::SupportedGroups(vec![NamedGroup::SECP384R1]),
                Extension::Alpn(vec![b"h2".to_vec()]),
                Extension::RecordSizeLimit(64),
                Extension::EarlyData,
            ],
        );
        assert_round_trip(
            C::CertificateRequest,
            vec![
                Extension::SignatureAlgorithms(schemes.clone()),
                Extension::SignatureAlgorithmsCert(schemes),
                Extension::StatusRequest(vec![1, 0, 0, 0, 0].into()),
                Extension::CertificateAuthorities(vec![vec![0x30, 0]]),
                // oid_filters (48) is not interpreted.
                Extension::Unknown(ExtensionType(48), vec![0, 0]),
            ],
        );
        assert_round_trip(
            C::Certificate,
            vec![Extension::StatusRequest(vec![1, 0, 0, 2, 0x30, 0].into())],
        );
        assert_round_trip(
            C::NewSessionTicket,
            vec![Extension::EarlyDataMaxSize(16384)],
        );
        assert_round_trip(C::EncryptedExtensions, Vec::new());
    }

    #[test]
    fn tls12_server_hello_extensions_are_allowed_in_server_hello_only() {
        let tls12 = vec![
            Extension::ServerNameAck,
            Extension::StatusRequest(Cow::Borrowed(&[])),
            Extension::Alpn(vec![b"http/1.1".to_vec()]),
            Extension::RecordSizeLimit(1024),
            Extension::EcPointFormats(vec![0]),
            Extension::ExtendedMasterSecret,
            Extension::SessionTicket(Vec::new()),
            // RFC 5746, Section 3.2: a renegotiating server echoes both
            // verify_data values (12 + 12 bytes).
            Extension::RenegotiationInfo(vec![0x71; 24]),
        ];
        assert_round_trip(C::ServerHello, tls12);
        for typ in [
            ExtensionType::EC_POINT_FORMATS,
            ExtensionType::EXTENDED_MASTER_SECRET,
            ExtensionType::SESSION_TICKET,
            ExtensionType::RENEGOTIATION_INFO,
        ] {
            assert_refused(
                decode_one(C::EncryptedExtensions, typ, &[]),
                InvalidMessage::ExtensionNotAllowed {
                    extension: typ,
                    message: HandshakeType::ENCRYPTED_EXTENSIONS,
                },
                AlertDescription::ILLEGAL_PARAMETER,
            );
        }
        // RFC 6066, Section 8: the acknowledgement is empty.
        assert_refused(
            decode_one(C::ServerHello, ExtensionType::STATUS_REQUEST, &[1]),
            InvalidMessage::TrailingBytes("status_request"),
            AlertDescription::DECODE_ERROR,
        );
    }

    #[test]
    fn tls12_extension_bodies_are_strict() {
        let decode_error = AlertDescription::DECODE_ERROR;
        for ctx in [C::ClientHello, C::ServerHello] {
            // RFC 7627, Section 5.1: the body is empty.
            assert_refused(
                decode_one(ctx, ExtensionType::EXTENDED_MASTER_SECRET, &[0]),
                InvalidMessage::TrailingBytes("extended_master_secret"),
                decode_error,
            );
            // RFC 5746, Section 3.2: exactly one renegotiated_connection<0..255>.
            assert_refused(
                decode_one(ctx, ExtensionType::RENEGOTIATION_INFO, &[0, 0]),
                InvalidMessage::TrailingBytes("renegotiation_info"),
                decode_error,
            );
            assert_refused(
                decode_one(ctx, ExtensionType::RENEGOTIATION_INFO, &[]),
                InvalidMessage::Truncated("renegotiated_connection"),
                decode_error,
            );
            assert_refused(
                decode_one(ctx, ExtensionType::RENEGOTIATION_INFO, &[2, 1]),
                InvalidMessage::Truncated("renegotiated_connection"),
                decode_error,
            );
            // RFC 8422, Section 5.1.2: ec_point_format_list<1..2^8-1>.
            assert_refused(
                decode_one(ctx, ExtensionType::EC_POINT_FORMATS, &v8(&[])),
                InvalidMessage::EmptyVector("ec_point_format_list"),
                decode_error,
            );
            assert_refused(
                decode_one(ctx, ExtensionType::EC_POINT_FORMATS, &[1, 0, 0]),
                InvalidMessage::TrailingBytes("ec_point_formats"),
                decode_error,
            );
        }
        // RFC 5077, Section 3.2: the client's body is the ticket itself (no
        // length prefix); the server's acknowledgement is empty.
        assert_eq!(
            decode_one(C::ClientHello, ExtensionType::SESSION_TICKET, &[0, 1, 2]),
            Ok(Extension::SessionTicket(vec![0, 1, 2]))
        );
        assert_refused(
            decode_one(C::ServerHello, ExtensionType::SESSION_TICKET, &[0]),
            InvalidMessage::TrailingBytes("session_ticket"),
            decode_error,
        );
        // The exact octets RFC 7627, Section 5.1 and RFC 8422, Section 5.1.2 give.
        assert_eq!(
            encode(&[
                Extension::ExtendedMasterSecret,
                Extension::EcPointFormats(vec![0])
            ]),
            [0, 10, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]
        );
    }

    #[test]
    fn extensions_outside_their_messages_are_illegal_parameters() {
        let cases = [
            (C::EncryptedExtensions, ExtensionType::KEY_SHARE, v16(&[])),
            (
                C::HelloRetryRequest,
                ExtensionType::PRE_SHARED_KEY,
                vec![0, 0],
            ),
            (C::ServerHello, ExtensionType::COOKIE, v16(&[1])),
            (C::ServerHello, ExtensionType::EARLY_DATA, Vec::new()),
            (
                C::EncryptedExtensions,
                ExtensionType::SIGNATURE_ALGORITHMS,
                v16(&[4, 3]),
            ),
            (C::NewSessionTicket, ExtensionType::SERVER_NAME, Vec::new()),
            (
                C::Certificate,
                ExtensionType::SUPPORTED_VERSIONS,
                vec![3, 4],
            ),
            (
                C::CertificateRequest,
                ExtensionType::PSK_KEY_EXCHANGE_MODES,
                v8(&[1]),
            ),
        ];
        for (ctx, typ, extension_data) in cases {
            assert_refused(
                decode_one(ctx, typ, &extension_data),
                InvalidMessage::ExtensionNotAllowed {
                    extension: typ,
                    message: ctx.handshake_type(),
                },
                AlertDescription::ILLEGAL_PARAMETER,
            );
        }
    }

    #[test]
    fn extension_bodies_must_be_consumed_exactly() {
        assert_refused(
            decode_one(
                C::ServerHello,
                ExtensionType::SUPPORTED_VERSIONS,
                &[3, 4, 0],
            ),
            InvalidMessage::TrailingBytes("supported_versions"),
            AlertDescription::DECODE_ERROR,
        );
        assert_refused(
            decode_one(C::EncryptedExtensions, ExtensionType::EARLY_DATA, &[0]),
            InvalidMessage::TrailingBytes("early_data"),
            AlertDescription::DECODE_ERROR,
        );
        // Bytes after the extension block itself belong to the caller.
        let mut bytes = block(&[(ExtensionType::EARLY_DATA, &[])]);
        bytes.push(0);
        assert_refused(
            decode(C::EncryptedExtensions, &bytes),
            InvalidMessage::TrailingBytes("test input"),
            AlertDescription::DECODE_ERROR,
        );
    }

    #[test]
    fn truncated_lengths_are_decode_errors() {
        // extension_data claims five bytes, two follow.
        let mut bytes = Vec::new();
        Writer::new(&mut bytes).vec16(|w| {
            w.u16(ExtensionType::SUPPORTED_VERSIONS.0);
            w.u16(5);
            w.u16(0x0304);
        });
        assert_refused(
            decode(C::ServerHello, &bytes),
            InvalidMessage::Truncated("extension_data"),
            AlertDescription::DECODE_ERROR,
        );
        // The block claims more than the message holds.
        assert_refused(
            decode(C::EncryptedExtensions, &[0, 4, 0, 42]),
            InvalidMessage::Truncated("extensions"),
            AlertDescription::DECODE_ERROR,
        );
        // Inside a body: key_exchange claims 32 bytes, 3 follow.
        let mut server_share = vec![0, 0x1d, 0, 32];
        server_share.extend_from_slice(&[1, 2, 3]);
        assert_refused(
            decode_one(C::ServerHello, ExtensionType::KEY_SHARE, &server_share),
            InvalidMessage::Truncated("key_exchange"),
            AlertDescription::DECODE_ERROR,
        );
    }

    #[test]
    fn duplicate_extensions_are_illegal_parameters() {
        let groups = v16(&[0, 0x1d]);
        assert_refused(
            decode(
                C::ClientHello,
                &block(&[
                    (ExtensionType::SUPPORTED_GROUPS, &groups),
                    (ExtensionType::EARLY_DATA, &[]),
                    (ExtensionType::SUPPORTED_GROUPS, &groups),
                ]),
            ),
            InvalidMessage::DuplicateExtension(ExtensionType::SUPPORTED_GROUPS),
            AlertDescription::ILLEGAL_PARAMETER,
        );
        // Past the pairwise check too, the copy first or last.
        let many: Vec<ExtensionType> = (0..40).map(|i| ExtensionType(0x7000 + i)).collect();
        for copied in [many[0], many[39]] {
            let entries: Vec<(ExtensionType, &[u8])> = many
                .iter()
                .chain([&copied])
                .map(|&t| (t, &[][..]))
                .collect();
            assert_refused(
                decode(C::ClientHello, &block(&entries)),
                InvalidMessage::DuplicateExtension(copied),
                AlertDescription::ILLEGAL_PARAMETER,
            );
        }
        let entries: Vec<(ExtensionType, &[u8])> = many.iter().map(|&t| (t, &[][..])).collect();
        assert_eq!(decode(C::ClientHello, &block(&entries)).unwrap().len(), 40);
        // Unknown types too (RFC 8446, Section 4.2).
        let grease = ExtensionType(0x3a3a);
        assert_refused(
            decode(C::ClientHello, &block(&[(grease, &[]), (grease, &[1])])),
            InvalidMessage::DuplicateExtension(grease),
            AlertDescription::ILLEGAL_PARAMETER,
        );
    }

    #[test]
    fn pre_shared_key_must_be_last_in_client_hello_only() {
        let exts = vec![
            Extension::PreSharedKeyClientHello(offered_psks(1)),
            Extension::EarlyData,
        ];
        assert_refused(
            decode(C::ClientHello, &encode(&exts)),
            InvalidMessage::PreSharedKeyNotLast,
            AlertDescription::ILLEGAL_PARAMETER,
        );
        // RFC 8446, Section 4.2: "but can appear anywhere in the ServerHello".
        assert_round_trip(
            C::ServerHello,
            vec![
                Extension::PreSharedKeyServerHello(0),
                Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
            ],
        );
    }

    #[test]
    fn vector_minimums_are_enforced() {
        let decode_error = AlertDescription::DECODE_ERROR;
        let cases: &[(ExtensionType, Vec<u8>, InvalidMessage)] = &[
            (
                ExtensionType::SUPPORTED_GROUPS,
                v16(&[]),
                InvalidMessage::EmptyVector("named_group_list"),
            ),
            (
                ExtensionType::SIGNATURE_ALGORITHMS,
                v16(&[4, 3, 5]),
                InvalidMessage::OddLength("supported_signature_algorithms"),
            ),
            (
                ExtensionType::SUPPORTED_VERSIONS,
                v8(&[]),
                InvalidMessage::EmptyVector("versions"),
            ),
            (
                ExtensionType::SUPPORTED_VERSIONS,
                v8(&[3, 4, 3]),
                InvalidMessage::OddLength("versions"),
            ),
            (
                ExtensionType::COOKIE,
                v16(&[]),
                InvalidMessage::EmptyVector("cookie"),
            ),
            (
                ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                v16(&[]),
                InvalidMessage::EmptyVector("protocol_name_list"),
            ),
            (
                ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                v16(&[v8(b"h2"), v8(b"")].concat()),
                InvalidMessage::EmptyVector("ProtocolName"),
            ),
            (
                ExtensionType::PSK_KEY_EXCHANGE_MODES,
                v8(&[]),
                InvalidMessage::EmptyVector("ke_modes"),
            ),
            (
                ExtensionType::KEY_SHARE,
                v16(&[0, 0x1d, 0, 0]),
                InvalidMessage::EmptyVector("key_exchange"),
            ),
            (
                ExtensionType::SERVER_NAME,
                v16(&[]),
                InvalidMessage::EmptyVector("server_name_list"),
            ),
            (
                ExtensionType::SERVER_NAME,
                v16(&[&[0][..], &v16(b"")].concat()),
                InvalidMessage::EmptyVector("HostName"),
            ),
            (
                ExtensionType::CERTIFICATE_AUTHORITIES,
                v16(&[]),
                InvalidMessage::EmptyVector("authorities"),
            ),
            (
                ExtensionType::STATUS_REQUEST,
                vec![1, 0, 2, 0, 0, 0, 0],
                InvalidMessage::EmptyVector("ResponderID"),
            ),
            (
                ExtensionType::STATUS_REQUEST,
                vec![1, 0, 3, 0, 1],
                InvalidMessage::Truncated("responder_id_list"),
            ),
        ];
        for (typ, extension_data, expected) in cases {
            assert_refused(
                decode_one(C::ClientHello, *typ, extension_data),
                *expected,
                decode_error,
            );
        }
        // An empty client_shares is legal: the client asks for a HelloRetryRequest.
        assert_eq!(
            decode_one(C::ClientHello, ExtensionType::KEY_SHARE, &v16(&[])),
            Ok(Extension::KeyShareClientHello(Vec::new()))
        );
        assert_refused(
            decode_one(C::Certificate, ExtensionType::STATUS_REQUEST, &[1, 0, 0, 0]),
            InvalidMessage::EmptyVector("OCSPResponse"),
            decode_error,
        );
    }

    /// RFC 8446, Section 4.2's table, for the extensions whose body may be
    /// empty: each decodes empty exactly where the RFC allows it.
    #[test]
    fn extensions_decode_empty_where_the_rfcs_allow_it() {
        use ExtensionContext::{
            CertificateRequest as CR, ClientHello as CH, EncryptedExtensions as EE,
            ServerHello as SH,
        };
        let empty_ok = [
            // RFC 8446, Section 4.4.2.1 (Go and GnuTLS send it).
            (
                CR,
                ExtensionType::STATUS_REQUEST,
                Extension::StatusRequest(Cow::Borrowed(&[])),
            ),
            // RFC 6066, Section 8: the TLS 1.2 server's acknowledgement.
            (
                SH,
                ExtensionType::STATUS_REQUEST,
                Extension::StatusRequest(Cow::Borrowed(&[])),
            ),
            // RFC 6066, Section 3: the acknowledgement of server_name.
            (SH, ExtensionType::SERVER_NAME, Extension::ServerNameAck),
            (EE, ExtensionType::SERVER_NAME, Extension::ServerNameAck),
            // RFC 8446, Section 4.2.10.
            (CH, ExtensionType::EARLY_DATA, Extension::EarlyData),
            (EE, ExtensionType::EARLY_DATA, Extension::EarlyData),
            // RFC 7627, Section 5.1; RFC 5077, Section 3.2.
            (
                CH,
                ExtensionType::EXTENDED_MASTER_SECRET,
                Extension::ExtendedMasterSecret,
            ),
            (
                SH,
                ExtensionType::EXTENDED_MASTER_SECRET,
                Extension::ExtendedMasterSecret,
            ),
            (
                CH,
                ExtensionType::SESSION_TICKET,
                Extension::SessionTicket(Vec::new()),
            ),
            (
                SH,
                ExtensionType::SESSION_TICKET,
                Extension::SessionTicket(Vec::new()),
            ),
            // Unrecognised extensions keep any body: signed_certificate_timestamp
            // and post_handshake_auth are empty in a ClientHello, oid_filters
            // may be an empty list in a CertificateRequest.
            (
                CH,
                ExtensionType(18),
                Extension::Unknown(ExtensionType(18), Vec::new()),
            ),
            (
                CH,
                ExtensionType(49),
                Extension::Unknown(ExtensionType(49), Vec::new()),
            ),
            (
                CR,
                ExtensionType(18),
                Extension::Unknown(ExtensionType(18), Vec::new()),
            ),
        ];
        for (ctx, typ, expected) in empty_ok {
            assert_eq!(decode_one(ctx, typ, &[]), Ok(expected), "{typ} in {ctx:?}");
        }
        // Where the RFCs give a body, an empty one is refused.
        for (ctx, typ) in [
            (CH, ExtensionType::STATUS_REQUEST),
            (CH, ExtensionType::SERVER_NAME),
            (CH, ExtensionType::SUPPORTED_GROUPS),
            (CH, ExtensionType::SIGNATURE_ALGORITHMS),
            (CR, ExtensionType::SIGNATURE_ALGORITHMS),
            (CH, ExtensionType::PSK_KEY_EXCHANGE_MODES),
            (CH, ExtensionType::SUPPORTED_VERSIONS),
            (CH, ExtensionType::KEY_SHARE),
            (CH, ExtensionType::RENEGOTIATION_INFO),
            (CH, ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION),
        ] {
            assert!(decode_one(ctx, typ, &[]).is_err(), "{typ} in {ctx:?}");
        }
    }

    #[test]
    fn server_name_holds_exactly_one_host_name() {
        let host = |name: &[u8]| [&[0][..], &v16(name)].concat();
        assert_eq!(
            decode_one(
                C::ClientHello,
                ExtensionType::SERVER_NAME,
                &v16(&host(b"a.example"))
            ),
            Ok(Extension::ServerName(b"a.example".to_vec()))
        );
        let two_hosts = v16(&[host(b"a.example"), host(b"b.example")].concat());
        let other_type = v16(&[&[1][..], &v16(b"x")].concat());
        for extension_data in [two_hosts, other_type] {
            assert_refused(
                decode_one(C::ClientHello, ExtensionType::SERVER_NAME, &extension_data),
                match extension_data[2] {
                    0 => InvalidMessage::IllegalValue("server_name_list"),
                    _ => InvalidMessage::IllegalValue("server_name name_type"),
                },
                AlertDescription::ILLEGAL_PARAMETER,
            );
        }
    }

    #[test]
    fn server_alpn_names_exactly_one_protocol() {
        let two = v16(&[v8(b"h2"), v8(b"http/1.1")].concat());
        assert_refused(
            decode_one(
                C::EncryptedExtensions,
                ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                &two,
            ),
            InvalidMessage::IllegalValue("ALPN protocol_name_list"),
            AlertDescription::ILLEGAL_PARAMETER,
        );
    }

    #[test]
    fn record_size_limit_is_at_least_64() {
        assert_refused(
            decode_one(
                C::EncryptedExtensions,
                ExtensionType::RECORD_SIZE_LIMIT,
                &[0, 63],
            ),
            InvalidMessage::IllegalValue("record_size_limit"),
            AlertDescription::ILLEGAL_PARAMETER,
        );
        assert_eq!(
            decode_one(C::ClientHello, ExtensionType::RECORD_SIZE_LIMIT, &[0, 64]),
            Ok(Extension::RecordSizeLimit(64))
        );
    }

    #[test]
    fn psk_binders_match_identities_and_are_32_to_255_bytes() {
        let mut psks = offered_psks(2);
        assert_refused(
            decode(
                C::ClientHello,
                &encode(&[Extension::PreSharedKeyClientHello(psks.clone())]),
            ),
            InvalidMessage::IllegalValue("binders"),
            AlertDescription::ILLEGAL_PARAMETER,
        );
        psks.binders = vec![vec![0xbb; 31]];
        assert_refused(
            decode(
                C::ClientHello,
                &encode(&[Extension::PreSharedKeyClientHello(psks.clone())]),
            ),
            InvalidMessage::LengthOutOfRange("PskBinderEntry"),
            AlertDescription::DECODE_ERROR,
        );
        psks.binders = vec![vec![0xbb; 255]];
        psks.identities.clear();
        assert_refused(
            decode(
                C::ClientHello,
                &encode(&[Extension::PreSharedKeyClientHello(psks)]),
            ),
            InvalidMessage::EmptyVector("identities"),
            AlertDescription::DECODE_ERROR,
        );
        // 2 (binders length) + 1 (PskBinderEntry length) + 32.
        assert_eq!(offered_psks(1).binders_encoded_len(), 35);
    }

    #[test]
    fn client_shares_name_each_group_once() {
        let exts = [Extension::KeyShareClientHello(vec![
            share(NamedGroup::X25519, 32),
            share(NamedGroup::X25519, 32),
        ])];
        assert_refused(
            decode(C::ClientHello, &encode(&exts)),
            InvalidMessage::IllegalValue("client_shares"),
            AlertDescription::ILLEGAL_PARAMETER,
        );
    }

    #[test]
    fn grease_values_survive_a_round_trip() {
        // RFC 8701, Section 3: GREASE extensions, groups, versions, schemes and
        // key shares must be kept (and ignored), never refused.
        let exts = vec![
            Extension::Unknown(ExtensionType(0x0a0a), Vec::new()),
            Extension::SupportedGroups(vec![NamedGroup(0x2a2a), NamedGroup::X25519]),
            Extension::KeyShareClientHello(vec![
                share(NamedGroup(0x2a2a), 1),
                share(NamedGroup::X25519, 32),
            ]),
            Extension::SupportedVersionsClientHello(vec![
                ProtocolVersion(0x7a7a),
                ProtocolVersion::TLS13,
            ]),
            Extension::SignatureAlgorithms(vec![SignatureScheme(0x8a8a)]),
            Extension::Alpn(vec![vec![0x0b, 0x1b]]),
            Extension::PskKeyExchangeModes(vec![PskKeyExchangeMode(0x0b)]),
            Extension::Unknown(ExtensionType(0xfafa), vec![0]),
        ];
        assert_round_trip(C::ClientHello, exts);
        // Unknown extensions are kept in every message; the handshake refuses
        // them as unsolicited where the RFC asks it to.
        for ctx in [C::ServerHello, C::EncryptedExtensions, C::NewSessionTicket] {
            assert_round_trip(
                ctx,
                vec![Extension::Unknown(ExtensionType(0x1a1a), vec![9])],
            );
        }
        // A GREASE suite is a codec matter for ClientHello (messages.rs); here
        // only check the constant is not mistaken for a known one.
        assert_eq!(CipherSuite(0x2a2a).name(), None);
    }

    #[test]
    fn tls13_server_hello_refuses_tls12_replies() {
        let tls13 = vec![
            Extension::Unknown(ExtensionType(0x4a4a), Vec::new()),
            Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
            Extension::KeyShareServerHello(share(NamedGroup::X25519, 32)),
            Extension::PreSharedKeyServerHello(0),
        ];
        assert_eq!(check_tls13_server_hello(&tls13), Ok(()));
        for tls12_only in [
            Extension::Alpn(vec![b"h2".to_vec()]),
            Extension::Unknown(ExtensionType::EXTENDED_MASTER_SECRET, Vec::new()),
            Extension::EcPointFormats(vec![0]),
            Extension::ExtendedMasterSecret,
            Extension::RenegotiationInfo(Vec::new()),
            Extension::SessionTicket(Vec::new()),
        ] {
            let typ = tls12_only.ext_type();
            let mut exts = tls13.clone();
            exts.push(tls12_only);
            assert_refused(
                check_tls13_server_hello(&exts),
                InvalidMessage::ExtensionNotAllowed {
                    extension: typ,
                    message: HandshakeType::SERVER_HELLO,
                },
                AlertDescription::ILLEGAL_PARAMETER,
            );
        }
    }

    #[test]
    fn finders_locate_typed_extensions() {
        let exts = vec![
            Extension::SupportedVersionsServerHello(ProtocolVersion::TLS13),
            Extension::KeyShareServerHello(share(NamedGroup::X25519, 32)),
        ];
        let Some(Extension::KeyShareServerHello(server_share)) =
            find_extension(&exts, ExtensionType::KEY_SHARE)
        else {
            panic!("key_share not found");
        };
        assert_eq!(server_share.group, NamedGroup::X25519);
        assert_eq!(find_extension(&exts, ExtensionType::COOKIE), None);
        assert_eq!(
            find_unsolicited(&exts, &[ExtensionType::SUPPORTED_VERSIONS]),
            Some(ExtensionType::KEY_SHARE)
        );
        assert_eq!(
            find_unsolicited(
                &exts,
                &[ExtensionType::KEY_SHARE, ExtensionType::SUPPORTED_VERSIONS]
            ),
            None
        );
    }
}
