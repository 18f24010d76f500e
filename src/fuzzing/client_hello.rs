//! The `client_hello` target (feature `arbitrary`): a ClientHello that the
//! fuzzer builds field by field, encoded to the wire and handed to the server
//! of [`server_config`].
//!
//! Structure buys what raw bytes do not: every length prefix is right, so the
//! fuzzer spends its time on the values the server decides on (versions,
//! suites, groups, key shares, signature schemes, ALPN names, the order and
//! repetition of extensions) rather than on getting past the codec; a key
//! share can be a valid public key ([`FuzzKeyExchange::Valid`]), which random
//! bytes never are, so the server goes on to its whole flight; and a second
//! ClientHello after a HelloRetryRequest repeats the first but for its
//! extensions, as RFC 8446, Section 4.1.2 asks. Malformed bodies still come
//! in through [`FuzzExtension::Raw`], which may carry any extension type.
//!
//! Seeds are recorded ClientHellos: [`client_hello_seed`] writes the bytes
//! from which `arbitrary` builds one back.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};

use super::{drive, fixed_rng, server_config};
use crate::codec::extensions::{encode_extensions, Extension};
use crate::codec::messages::{ClientHello, HandshakeMessage};
use crate::codec::{ContentType, ExtensionType, HandshakeType, NamedGroup, Writer};
use crate::crypto::kx::{KeyShare, SUPPORTED_GROUPS};
use crate::record::MAX_PLAINTEXT;
use crate::server::ServerConnection;

/// One input of the `client_hello` target.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub struct ClientHelloInput {
    /// The first ClientHello.
    pub hello: FuzzClientHello,
    /// If present, a second ClientHello follows: the first with these
    /// extensions instead (what a client answering a HelloRetryRequest sends).
    pub retry_extensions: Option<Vec<FuzzExtension>>,
}

/// A ClientHello (RFC 8446, Section 4.1.2; RFC 5246, Section 7.4.1.2) with
/// any values, but its lengths right.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub struct FuzzClientHello {
    /// legacy_version (client_version in TLS 1.2).
    pub legacy_version: u16,
    /// random.
    pub random: [u8; 32],
    /// legacy_session_id (more than 32 bytes is the server's to refuse).
    pub legacy_session_id: Vec<u8>,
    /// cipher_suites.
    pub cipher_suites: Vec<u16>,
    /// legacy_compression_methods.
    pub legacy_compression_methods: Vec<u8>,
    /// The extensions, in order; none means no extension block at all.
    pub extensions: Vec<FuzzExtension>,
}

/// One extension, typed for each one the server reads.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub enum FuzzExtension {
    /// server_name with one host_name (RFC 6066, Section 3).
    ServerName(Vec<u8>),
    /// supported_versions (RFC 8446, Section 4.2.1).
    SupportedVersions(Vec<u16>),
    /// supported_groups (RFC 8446, Section 4.2.7).
    SupportedGroups(Vec<u16>),
    /// key_share (RFC 8446, Section 4.2.8).
    KeyShare(Vec<FuzzKeyShare>),
    /// signature_algorithms (RFC 8446, Section 4.2.3).
    SignatureAlgorithms(Vec<u16>),
    /// signature_algorithms_cert (RFC 8446, Section 4.2.3).
    SignatureAlgorithmsCert(Vec<u16>),
    /// application_layer_protocol_negotiation (RFC 7301, Section 3.1).
    Alpn(Vec<Vec<u8>>),
    /// extended_master_secret (RFC 7627, Section 5.1).
    ExtendedMasterSecret,
    /// renegotiation_info (RFC 5746, Section 3.2).
    RenegotiationInfo(Vec<u8>),
    /// ec_point_formats (RFC 8422, Section 5.1.2).
    EcPointFormats(Vec<u8>),
    /// cookie (RFC 8446, Section 4.2.2).
    Cookie(Vec<u8>),
    /// psk_key_exchange_modes (RFC 8446, Section 4.2.9).
    PskKeyExchangeModes(Vec<u8>),
    /// record_size_limit (RFC 8449, Section 4).
    RecordSizeLimit(u16),
    /// Any type with any body: unknown extensions, GREASE, and malformed
    /// bodies of known ones.
    Raw {
        /// extension_type.
        typ: u16,
        /// extension_data.
        body: Vec<u8>,
    },
}

/// One KeyShareEntry.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub struct FuzzKeyShare {
    /// group.
    pub group: u16,
    /// key_exchange.
    pub key_exchange: FuzzKeyExchange,
}

/// The public value of a key share.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub enum FuzzKeyExchange {
    /// A valid public key for the entry's group (empty for a group keyway
    /// does not implement): see [`valid_key_exchange`].
    Valid,
    /// These bytes.
    Raw(Vec<u8>),
}

/// Builds a [`ClientHelloInput`] from `data` with `arbitrary`, encodes its
/// ClientHello (and the second one, if any) in handshake records, and runs a
/// server of [`server_config`] on them through [`drive`] (so the same
/// properties hold: no panic, errors stick, the output is well framed).
pub fn client_hello(data: &[u8]) {
    let Ok(input) = ClientHelloInput::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    // The first ClientHello's records say 3.1, as is customary (RFC 8446,
    // Section 5.1), the second's 3.3.
    let mut wire = records(0x0301, &input.hello.encode(&input.hello.extensions));
    if let Some(extensions) = &input.retry_extensions {
        wire.extend(records(0x0303, &input.hello.encode(extensions)));
    }
    let mut server = ServerConnection::new(server_config());
    drive(&mut server, &wire, wire.len().max(1));
}

impl FuzzClientHello {
    /// The handshake message, header included, with `extensions` instead of
    /// the hello's own. Bodies too long for their length prefix are cut.
    pub fn encode(&self, extensions: &[FuzzExtension]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&self.legacy_version.to_be_bytes());
        body.extend_from_slice(&self.random);
        body.extend(prefixed(1, &self.legacy_session_id));
        body.extend(prefixed(2, &u16s(&self.cipher_suites)));
        body.extend(prefixed(1, &self.legacy_compression_methods));
        if !extensions.is_empty() {
            let block: Vec<u8> = extensions.iter().flat_map(FuzzExtension::encode).collect();
            body.extend(prefixed(2, &block));
        }
        let mut message = vec![HandshakeType::CLIENT_HELLO.0];
        message.extend(prefixed(3, &body));
        message
    }

    /// The fields of a decoded ClientHello; the extensions are left out (see
    /// [`FuzzExtension::from_extension`]).
    fn from_client_hello(ch: &ClientHello) -> Self {
        Self {
            legacy_version: ch.legacy_version.0,
            random: ch.random,
            legacy_session_id: ch.legacy_session_id.to_vec(),
            cipher_suites: ch.cipher_suites.iter().map(|s| s.0).collect(),
            legacy_compression_methods: ch.legacy_compression_methods.to_vec(),
            extensions: Vec::new(),
        }
    }
}

impl FuzzExtension {
    /// extension_type, then extension_data behind its length.
    fn encode(&self) -> Vec<u8> {
        let (typ, body) = match self {
            FuzzExtension::ServerName(host_name) => {
                let mut entry = vec![0]; // name_type host_name
                entry.extend(prefixed(2, host_name));
                (ExtensionType::SERVER_NAME, prefixed(2, &entry))
            }
            FuzzExtension::SupportedVersions(versions) => (
                ExtensionType::SUPPORTED_VERSIONS,
                prefixed(1, &u16s(versions)),
            ),
            FuzzExtension::SupportedGroups(groups) => {
                (ExtensionType::SUPPORTED_GROUPS, prefixed(2, &u16s(groups)))
            }
            FuzzExtension::KeyShare(shares) => {
                let mut entries = Vec::new();
                for share in shares {
                    entries.extend_from_slice(&share.group.to_be_bytes());
                    entries.extend(prefixed(2, &share.key_exchange.bytes(share.group)));
                }
                (ExtensionType::KEY_SHARE, prefixed(2, &entries))
            }
            FuzzExtension::SignatureAlgorithms(schemes) => (
                ExtensionType::SIGNATURE_ALGORITHMS,
                prefixed(2, &u16s(schemes)),
            ),
            FuzzExtension::SignatureAlgorithmsCert(schemes) => (
                ExtensionType::SIGNATURE_ALGORITHMS_CERT,
                prefixed(2, &u16s(schemes)),
            ),
            FuzzExtension::Alpn(names) => {
                let list: Vec<u8> = names.iter().flat_map(|n| prefixed(1, n)).collect();
                (
                    ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                    prefixed(2, &list),
                )
            }
            FuzzExtension::ExtendedMasterSecret => {
                (ExtensionType::EXTENDED_MASTER_SECRET, Vec::new())
            }
            FuzzExtension::RenegotiationInfo(renegotiated_connection) => (
                ExtensionType::RENEGOTIATION_INFO,
                prefixed(1, renegotiated_connection),
            ),
            FuzzExtension::EcPointFormats(formats) => {
                (ExtensionType::EC_POINT_FORMATS, prefixed(1, formats))
            }
            FuzzExtension::Cookie(cookie) => (ExtensionType::COOKIE, prefixed(2, cookie)),
            FuzzExtension::PskKeyExchangeModes(modes) => {
                (ExtensionType::PSK_KEY_EXCHANGE_MODES, prefixed(1, modes))
            }
            FuzzExtension::RecordSizeLimit(limit) => (
                ExtensionType::RECORD_SIZE_LIMIT,
                limit.to_be_bytes().to_vec(),
            ),
            FuzzExtension::Raw { typ, body } => (ExtensionType(*typ), body.clone()),
        };
        let mut out = typ.0.to_be_bytes().to_vec();
        out.extend(prefixed(2, &body));
        out
    }

    /// The same extension as one the codec decoded; those this type has no
    /// variant for become [`FuzzExtension::Raw`].
    fn from_extension(extension: &Extension) -> Self {
        match extension {
            Extension::ServerName(host_name) => FuzzExtension::ServerName(host_name.clone()),
            Extension::SupportedVersionsClientHello(versions) => {
                FuzzExtension::SupportedVersions(versions.iter().map(|v| v.0).collect())
            }
            Extension::SupportedGroups(groups) => {
                FuzzExtension::SupportedGroups(groups.iter().map(|g| g.0).collect())
            }
            Extension::KeyShareClientHello(shares) => FuzzExtension::KeyShare(
                shares
                    .iter()
                    .map(|share| FuzzKeyShare {
                        group: share.group.0,
                        key_exchange: match share.key_exchange == valid_key_exchange(share.group.0)
                        {
                            true => FuzzKeyExchange::Valid,
                            false => FuzzKeyExchange::Raw(share.key_exchange.clone()),
                        },
                    })
                    .collect(),
            ),
            Extension::SignatureAlgorithms(schemes) => {
                FuzzExtension::SignatureAlgorithms(schemes.iter().map(|s| s.0).collect())
            }
            Extension::SignatureAlgorithmsCert(schemes) => {
                FuzzExtension::SignatureAlgorithmsCert(schemes.iter().map(|s| s.0).collect())
            }
            Extension::Alpn(names) => FuzzExtension::Alpn(names.clone()),
            Extension::ExtendedMasterSecret => FuzzExtension::ExtendedMasterSecret,
            Extension::RenegotiationInfo(body) => FuzzExtension::RenegotiationInfo(body.clone()),
            Extension::EcPointFormats(formats) => FuzzExtension::EcPointFormats(formats.clone()),
            Extension::Cookie(cookie) => FuzzExtension::Cookie(cookie.clone()),
            Extension::PskKeyExchangeModes(modes) => {
                FuzzExtension::PskKeyExchangeModes(modes.iter().map(|m| m.0).collect())
            }
            Extension::RecordSizeLimit(limit) => FuzzExtension::RecordSizeLimit(*limit),
            other => {
                // An extension block of one: length, type, length, body.
                let mut block = Vec::new();
                encode_extensions(&mut Writer::new(&mut block), std::slice::from_ref(other));
                FuzzExtension::Raw {
                    typ: other.ext_type().0,
                    body: block.get(6..).unwrap_or_default().to_vec(),
                }
            }
        }
    }
}

impl FuzzKeyExchange {
    fn bytes(&self, group: u16) -> Vec<u8> {
        match self {
            FuzzKeyExchange::Valid => valid_key_exchange(group),
            FuzzKeyExchange::Raw(bytes) => bytes.clone(),
        }
    }
}

/// A valid public key for `group` (the one a keyway client with fixed
/// randomness sends), or nothing for a group keyway does not implement.
pub fn valid_key_exchange(group: u16) -> Vec<u8> {
    static SHARES: OnceLock<Vec<(NamedGroup, Vec<u8>)>> = OnceLock::new();
    let shares = SHARES.get_or_init(|| {
        let generate = |group| match KeyShare::generate(group, &mut fixed_rng(Vec::new())) {
            Ok(share) => (group, share.public().to_vec()),
            Err(e) => panic!("no fixed key share for {group}: {e}"),
        };
        SUPPORTED_GROUPS.iter().copied().map(generate).collect()
    });
    let share = shares.iter().find(|(g, _)| g.0 == group);
    share.map(|(_, public)| public.clone()).unwrap_or_default()
}

/// `body` behind a `len`-byte big-endian length, cut to what fits.
fn prefixed(len: usize, body: &[u8]) -> Vec<u8> {
    let max = (1usize << (8 * len)) - 1;
    let body = body.get(..max).unwrap_or(body);
    let mut out = body.len().to_be_bytes()[8 - len..].to_vec();
    out.extend_from_slice(body);
    out
}

fn u16s(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// `message` in plaintext handshake records of version `version`.
fn records(version: u16, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for fragment in message.chunks(MAX_PLAINTEXT) {
        out.push(ContentType::HANDSHAKE.0);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend(prefixed(2, fragment));
    }
    out
}

/// The `client_hello` input that builds back the recorded ClientHello
/// `first` (a whole handshake message) and, if given, the second ClientHello
/// `retry` sent after a HelloRetryRequest.
///
/// Fails if a message does not decode, `retry` differs from `first` in more
/// than its extensions, or the result would not encode back to exactly the
/// recorded bytes (the seed would then not replay what was recorded).
pub fn client_hello_seed(first: &[u8], retry: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let decode = |message: &[u8]| -> Result<(FuzzClientHello, Vec<FuzzExtension>), String> {
        let body = message.get(4..).unwrap_or_default();
        let Ok(HandshakeMessage::ClientHello(ch)) =
            HandshakeMessage::decode(HandshakeType::CLIENT_HELLO, body)
        else {
            return Err(format!("not a ClientHello: {message:02x?}"));
        };
        let hello = FuzzClientHello::from_client_hello(&ch);
        let extensions: Vec<FuzzExtension> = ch
            .extensions
            .iter()
            .map(FuzzExtension::from_extension)
            .collect();
        match hello.encode(&extensions) == message {
            true => Ok((hello, extensions)),
            false => Err(format!("does not encode back: {message:02x?}")),
        }
    };
    let (mut hello, extensions) = decode(first)?;
    let retry_extensions = match retry.map(decode).transpose()? {
        Some((second, _)) if second != hello => {
            return Err("the second ClientHello changes more than its extensions".into())
        }
        second => second.map(|(_, extensions)| extensions),
    };
    hello.extensions = extensions;
    let input = ClientHelloInput {
        hello,
        retry_extensions,
    };
    let mut bytes = Vec::new();
    input.unparse(&mut bytes);
    match ClientHelloInput::arbitrary(&mut Unstructured::new(&bytes)) {
        Ok(built) if built == input => Ok(bytes),
        other => Err(format!("arbitrary builds {other:?} instead of {input:?}")),
    }
}

/// The inverse of `Arbitrary` for the input types: writes the bytes from which
/// `arbitrary` 1.x builds `self` back. Its encoding is simple and fixed:
/// integers little-endian in their width, `bool` the low bit of one byte,
/// each element of a collection behind a `true` byte and its end a `false`
/// byte, `Option` a `bool` then the value, an enum variant a `u32` that
/// `(u32 * variant count) >> 32` maps to its index, then its fields in order.
/// [`client_hello_seed`] checks every seed against `arbitrary` itself.
trait Unparse {
    fn unparse(&self, out: &mut Vec<u8>);
}

impl Unparse for u8 {
    fn unparse(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Unparse for u16 {
    fn unparse(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl<const N: usize> Unparse for [u8; N] {
    fn unparse(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<T: Unparse> Unparse for Vec<T> {
    fn unparse(&self, out: &mut Vec<u8>) {
        for element in self {
            out.push(1);
            element.unparse(out);
        }
        out.push(0);
    }
}

impl<T: Unparse> Unparse for Option<T> {
    fn unparse(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => {
                out.push(1);
                value.unparse(out);
            }
            None => out.push(0),
        }
    }
}

/// The smallest `u32` that `arbitrary`'s derived enums map to variant `index`
/// of `count`: `ceil(index * 2^32 / count)`.
fn unparse_variant(index: u64, count: u64, out: &mut Vec<u8>) {
    let scaled = (index << 32).div_ceil(count);
    out.extend_from_slice(&(scaled as u32).to_le_bytes());
}

impl Unparse for ClientHelloInput {
    fn unparse(&self, out: &mut Vec<u8>) {
        self.hello.unparse(out);
        self.retry_extensions.unparse(out);
    }
}

impl Unparse for FuzzClientHello {
    fn unparse(&self, out: &mut Vec<u8>) {
        self.legacy_version.unparse(out);
        self.random.unparse(out);
        self.legacy_session_id.unparse(out);
        self.cipher_suites.unparse(out);
        self.legacy_compression_methods.unparse(out);
        self.extensions.unparse(out);
    }
}

impl Unparse for () {
    fn unparse(&self, _: &mut Vec<u8>) {}
}

impl Unparse for FuzzExtension {
    fn unparse(&self, out: &mut Vec<u8>) {
        // The variants in declaration order, as the derive numbers them.
        const COUNT: u64 = 14;
        let (index, fields): (u64, &dyn Unparse) = match self {
            FuzzExtension::ServerName(v) => (0, v),
            FuzzExtension::SupportedVersions(v) => (1, v),
            FuzzExtension::SupportedGroups(v) => (2, v),
            FuzzExtension::KeyShare(v) => (3, v),
            FuzzExtension::SignatureAlgorithms(v) => (4, v),
            FuzzExtension::SignatureAlgorithmsCert(v) => (5, v),
            FuzzExtension::Alpn(v) => (6, v),
            FuzzExtension::ExtendedMasterSecret => (7, &()),
            FuzzExtension::RenegotiationInfo(v) => (8, v),
            FuzzExtension::EcPointFormats(v) => (9, v),
            FuzzExtension::Cookie(v) => (10, v),
            FuzzExtension::PskKeyExchangeModes(v) => (11, v),
            FuzzExtension::RecordSizeLimit(v) => (12, v),
            FuzzExtension::Raw { typ, body } => {
                unparse_variant(13, COUNT, out);
                typ.unparse(out);
                return body.unparse(out);
            }
        };
        unparse_variant(index, COUNT, out);
        fields.unparse(out);
    }
}

impl Unparse for FuzzKeyShare {
    fn unparse(&self, out: &mut Vec<u8>) {
        self.group.unparse(out);
        self.key_exchange.unparse(out);
    }
}

impl Unparse for FuzzKeyExchange {
    fn unparse(&self, out: &mut Vec<u8>) {
        match self {
            FuzzKeyExchange::Valid => unparse_variant(0, 2, out),
            FuzzKeyExchange::Raw(bytes) => {
                unparse_variant(1, 2, out);
                bytes.unparse(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every variant, so that a variant added to the types but not to
    /// [`Unparse`] (or numbered wrongly there) fails here.
    fn every_variant() -> ClientHelloInput {
        let extensions = vec![
            FuzzExtension::ServerName(b"example.com".to_vec()),
            FuzzExtension::SupportedVersions(vec![0x0304, 0x0303]),
            FuzzExtension::SupportedGroups(vec![0x17, 0x1d]),
            FuzzExtension::KeyShare(vec![
                FuzzKeyShare {
                    group: 0x17,
                    key_exchange: FuzzKeyExchange::Valid,
                },
                FuzzKeyShare {
                    group: 0x1a1a,
                    key_exchange: FuzzKeyExchange::Raw(vec![0]),
                },
            ]),
            FuzzExtension::SignatureAlgorithms(vec![0x0807]),
            FuzzExtension::SignatureAlgorithmsCert(vec![0x0403]),
            FuzzExtension::Alpn(vec![b"h2".to_vec(), Vec::new()]),
            FuzzExtension::ExtendedMasterSecret,
            FuzzExtension::RenegotiationInfo(Vec::new()),
            FuzzExtension::EcPointFormats(vec![0]),
            FuzzExtension::Cookie(vec![1, 2, 3]),
            FuzzExtension::PskKeyExchangeModes(vec![1]),
            FuzzExtension::RecordSizeLimit(0x4001),
            FuzzExtension::Raw {
                typ: 0xfafa,
                body: vec![9],
            },
        ];
        ClientHelloInput {
            hello: FuzzClientHello {
                legacy_version: 0x0303,
                random: [7; 32],
                legacy_session_id: vec![1; 32],
                cipher_suites: vec![0x1301, 0xc02b],
                legacy_compression_methods: vec![0],
                extensions: extensions.clone(),
            },
            retry_extensions: Some(extensions),
        }
    }

    #[test]
    fn arbitrary_builds_back_what_unparse_wrote() {
        let input = every_variant();
        let mut bytes = Vec::new();
        input.unparse(&mut bytes);
        let built = ClientHelloInput::arbitrary(&mut Unstructured::new(&bytes));
        assert_eq!(built.unwrap(), input);
    }

    #[test]
    fn a_keyway_client_hello_makes_a_seed_that_builds_it_back() {
        let config = crate::fuzzing::client_config();
        let mut client = crate::ClientConnection::new(config, crate::fuzzing::SERVER_NAME).unwrap();
        let record = client.take_tls();
        let message = &record[5..];
        let seed = client_hello_seed(message, None).unwrap();
        let input = ClientHelloInput::arbitrary(&mut Unstructured::new(&seed)).unwrap();
        assert_eq!(input.hello.encode(&input.hello.extensions), message);
        // The key share is the valid one, not bytes the fuzzer would have to keep intact.
        assert!(input.hello.extensions.iter().any(|e| matches!(
            e,
            FuzzExtension::KeyShare(shares) if shares[0].key_exchange == FuzzKeyExchange::Valid
        )));
        // So the server answers with its whole flight, ServerHello to
        // Finished; the fuzzing client offers its fixed ticket, which the
        // fuzzing server takes, so no Certificate is in it.
        let mut server = ServerConnection::new(server_config());
        server.read_tls_bytes(&records(0x0301, message)).unwrap();
        server.process().unwrap();
        assert!(server.take_tls().len() > 200);
        assert!(server.negotiated().resumed);
    }

    #[test]
    fn over_long_fields_are_cut_to_their_length_prefix() {
        let hello = FuzzClientHello {
            legacy_session_id: vec![1; 300],
            ..every_variant().hello
        };
        let message = hello.encode(&[FuzzExtension::RenegotiationInfo(vec![2; 256])]);
        assert_eq!(message[4 + 2 + 32], 255);
        client_hello(&message); // And the server refuses it without a panic.
    }
}
