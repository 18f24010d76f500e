//! The one error type, and the ONLY place that decides which alert an error
//! becomes ([`Error::alert`]).
//!
//! Errors form a small tree by who is at fault: the peer's bytes do not decode
//! ([`InvalidMessage`]), the peer broke the protocol ([`PeerMisbehaved`]), we
//! and the peer cannot agree ([`PeerIncompatible`]), a certificate was refused
//! ([`CertificateError`]), a bound was exceeded ([`Limit`]), or the caller made a
//! mistake (configuration, files, API misuse).

use core::fmt;

use crate::codec::{AlertDescription, ExtensionType, HandshakeType, NamedGroup};

/// Everything that can go wrong in keyway.
///
/// `Display` says what happened in words a person can act on, and which alert
/// was sent to the peer (or received from it).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not decode as the message they claim to be.
    InvalidMessage(InvalidMessage),
    /// The peer sent a well-formed message that breaks the protocol.
    PeerMisbehaved(PeerMisbehaved),
    /// The peer follows the protocol, but we share no acceptable parameters.
    PeerIncompatible(PeerIncompatible),
    /// The peer's certificate chain was refused.
    InvalidCertificate(CertificateError),
    /// A record failed authentication (bad_record_mac).
    DecryptFailed,
    /// A record was larger than the protocol or the peer's limit allows.
    RecordOverflow {
        /// Length the peer sent.
        len: usize,
        /// Largest length allowed.
        max: usize,
    },
    /// A configured bound on what the peer may make us hold or do was exceeded.
    LimitExceeded(Limit),
    /// The peer sent a fatal alert (or a warning alert other than close_notify in TLS 1.3).
    AlertReceived(AlertDescription),
    /// The transport reached end-of-file without a close_notify alert: the data
    /// received may have been truncated by an attacker.
    UnexpectedEof,
    /// The connection was already closed or failed; the original error is in `Display`.
    ConnectionClosed,
    /// Data cannot be sent because the connection is closed for writing.
    WriteAfterClose,
    /// The configuration is unusable.
    Config(String),
    /// A certificate or key file could not be loaded.
    KeyFile {
        /// The file that was read (or a description of the source).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The caller asked for something the protocol cannot express (for
    /// example, exported keying material longer than RFC 8446 allows).
    ApiMisuse(&'static str),
    /// A TLS 1.2 write key sealed as many records as it may
    /// ([`crate::Limits::max_records_per_key`] or its AEAD's limit); TLS 1.2
    /// cannot change keys, so close_notify was sent and writing has ended.
    KeyExhausted,
    /// A cryptographic operation failed where it cannot fail for valid input.
    Internal(&'static str),
}

/// Ways a message can fail to decode. Each names the field being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidMessage {
    /// The message ended before this field was complete.
    Truncated(&'static str),
    /// Bytes were left over after this message or structure.
    TrailingBytes(&'static str),
    /// A vector that must not be empty was empty.
    EmptyVector(&'static str),
    /// A list of 16-bit values had an odd byte length.
    OddLength(&'static str),
    /// A vector's length was outside the range its definition allows, e.g. a
    /// 33-byte legacy_session_id (RFC 8446, Section 6: decode_error).
    LengthOutOfRange(&'static str),
    /// A field held a value the protocol forbids (illegal_parameter).
    IllegalValue(&'static str),
    /// The same extension appeared twice in one block (RFC 8446, Section 4.2).
    DuplicateExtension(ExtensionType),
    /// A known extension appeared in a message that may not carry it (RFC 8446, Section 4.2).
    ExtensionNotAllowed {
        /// The extension.
        extension: ExtensionType,
        /// The message that carried it.
        message: HandshakeType,
    },
    /// pre_shared_key was not the last extension of a ClientHello (RFC 8446, Section 4.2.11).
    PreSharedKeyNotLast,
    /// A handshake message type we do not know.
    UnknownHandshakeType(u8),
    /// A record content type we do not know (RFC 8446, Section 5: unexpected_message).
    UnknownContentType(u8),
    /// A record header carried a version that is not TLS.
    BadRecordVersion(u16),
    /// A record of a type that may not be empty was empty.
    EmptyRecord,
    /// An alert record did not hold exactly one alert.
    BadAlert,
    /// A change_cipher_spec record did not hold exactly the byte 0x01.
    BadChangeCipherSpec,
    /// A protected TLS 1.3 record decrypted to nothing but zeros, so it has no
    /// content type (RFC 8446, Section 5.4: unexpected_message).
    NoInnerContentType,
}

/// Protocol violations by a peer whose messages decode.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerMisbehaved {
    /// A message arrived that is not allowed at this point of the handshake.
    UnexpectedMessage {
        /// What the state machine was waiting for.
        expected: &'static str,
        /// What arrived.
        got: String,
    },
    /// A handshake message was split across a key change (RFC 8446, Section 5.1).
    HandshakeSpansKeyChange,
    /// A change_cipher_spec record arrived where the RFC does not allow one.
    UnexpectedChangeCipherSpec,
    /// A field contradicts the protocol or an earlier message (illegal_parameter).
    IllegalParameter(&'static str),
    /// An extension arrived in a reply that we never asked for (RFC 8446, Section 4.2).
    UnsolicitedExtension(ExtensionType),
    /// A required extension is missing (RFC 8446, Section 9.2).
    MissingExtension(&'static str),
    /// The server sent a key share for a group we did not offer, or that the HRR did not name.
    WrongKeyShareGroup(NamedGroup),
    /// A second HelloRetryRequest (RFC 8446, Section 4.1.4).
    SecondHelloRetryRequest,
    /// The Finished message did not verify.
    BadFinished,
    /// A PSK binder did not verify (RFC 8446, Section 4.2.11).
    BadBinder,
    /// The CertificateVerify signature did not verify.
    BadSignature,
    /// A key share was not a valid point for its group.
    BadKeyShare,
    /// A TLS 1.3 server signalled a downgrade in ServerHello.random (RFC 8446, Section 4.1.3).
    DowngradeDetected,
    /// Data arrived after the peer's close_notify.
    DataAfterClose,
    /// TLS_FALLBACK_SCSV from a client that could have negotiated a higher
    /// version with us (RFC 7507, Section 3).
    InappropriateFallback,
    /// renegotiation_info was missing or not empty in an initial handshake
    /// (RFC 5746, Section 3.4 and 3.6).
    BadRenegotiationInfo,
}

/// The peer behaved, but there is nothing we both accept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerIncompatible {
    /// No protocol version in common.
    NoCommonVersion,
    /// No cipher suite in common.
    NoCommonCipherSuite,
    /// No key exchange group in common.
    NoCommonGroup,
    /// No signature scheme in common for our certificate.
    NoCommonSignatureScheme,
    /// No application protocol in common (RFC 7301, Section 3.2).
    NoApplicationProtocol,
    /// The peer chose a parameter we did not offer.
    ChoseUnofferedParameter(&'static str),
    /// The peer does not support the extended master secret (RFC 7627), which
    /// this configuration requires.
    ExtendedMasterSecretRequired,
    /// A TLS 1.2 client sent no certificate to a server that requires one
    /// (in TLS 1.3 this is [`CertificateError::NoCertificate`], which has its
    /// own alert there).
    ClientCertificateRequired,
    /// A TLS 1.2 client offered ECDHE_ECDSA suites but not the curve of our
    /// ECDSA certificate (RFC 8422, Section 5.3).
    CertificateCurveNotOffered(NamedGroup),
    /// The server chose TLS 1.2 after we sent 0-RTT data with a TLS 1.3
    /// ticket (RFC 8446, Appendix D.3): connect again without early data.
    Tls12AfterEarlyData,
}

/// Why a certificate chain was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The peer sent no certificate.
    NoCertificate,
    /// A certificate did not parse; the string says where and why.
    BadEncoding(String),
    /// A certificate is outside its validity period.
    Expired(String),
    /// A certificate is not yet valid.
    NotYetValid(String),
    /// No path leads from the chain to a trusted root.
    UnknownIssuer(String),
    /// A signature in the chain did not verify.
    BadSignature(String),
    /// The certificate is not valid for the name we connected to.
    NotValidForName(String),
    /// The certificate may not be used for this purpose (key usage, CA flag).
    InvalidPurpose(String),
    /// The key or algorithm in the certificate is not supported.
    Unsupported(String),
    /// A name in the chain falls outside the name constraints of a CA above it.
    NameConstraintViolation(String),
    /// A certificate in the chain is listed on a CRL its issuer signed.
    Revoked(String),
    /// Revocation was asked for, but no usable CRL covers a certificate and the
    /// policy refuses unknown status.
    RevocationStatusUnknown(String),
    /// Checking the chain would take more work than `VerifyOptions` allows
    /// (signature checks, name comparisons): a hostile or broken chain. The
    /// string names the budget.
    TooMuchWork(String),
    /// Any other rule failed.
    Other(String),
}

/// A configured bound that the peer pushed us past.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// A handshake message longer than allowed (`max_handshake_message`,
    /// `max_certificate_message` for Certificate, `max_client_hello` for
    /// ClientHello).
    HandshakeMessageSize {
        /// The message type.
        typ: HandshakeType,
        /// Declared length.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// Too many certificates in a chain.
    ChainLength(usize),
    /// Too many extensions in one handshake message.
    Extensions {
        /// The message that carried them.
        message: HandshakeType,
        /// The bound.
        max: usize,
    },
    /// Too much unprocessed input buffered.
    BufferedInput(usize),
    /// Too much received plaintext buffered but not read by the application.
    BufferedPlaintext(usize),
    /// Too many consecutive empty records.
    EmptyRecords(usize),
    /// Too many warning alerts.
    WarningAlerts(usize),
    /// Too many KeyUpdate messages without application data in between.
    KeyUpdates(usize),
    /// Too many change_cipher_spec records.
    ChangeCipherSpecs(usize),
    /// Too many renegotiation attempts (HelloRequest or a new ClientHello).
    RenegotiationAttempts(usize),
    /// More 0-RTT data to skip than allowed.
    SkippedEarlyData(usize),
    /// More 0-RTT data than the server accepts (RFC 8446, Section 4.2.10).
    EarlyData,
}

impl Error {
    /// The alert to send the peer for this error, if any.
    ///
    /// Errors caused by the caller (configuration, files) and alerts the peer
    /// sent us are not answered with an alert.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Error::InvalidMessage(e) => match e {
                InvalidMessage::IllegalValue(_)
                | InvalidMessage::DuplicateExtension(_)
                | InvalidMessage::ExtensionNotAllowed { .. }
                | InvalidMessage::PreSharedKeyNotLast => A::ILLEGAL_PARAMETER,
                InvalidMessage::UnknownContentType(_)
                | InvalidMessage::UnknownHandshakeType(_)
                | InvalidMessage::EmptyRecord
                | InvalidMessage::BadChangeCipherSpec
                | InvalidMessage::NoInnerContentType => A::UNEXPECTED_MESSAGE,
                _ => A::DECODE_ERROR,
            },
            Error::PeerMisbehaved(e) => match e {
                PeerMisbehaved::UnexpectedMessage { .. }
                | PeerMisbehaved::HandshakeSpansKeyChange
                | PeerMisbehaved::UnexpectedChangeCipherSpec
                | PeerMisbehaved::SecondHelloRetryRequest
                | PeerMisbehaved::DataAfterClose => A::UNEXPECTED_MESSAGE,
                PeerMisbehaved::IllegalParameter(_)
                | PeerMisbehaved::WrongKeyShareGroup(_)
                | PeerMisbehaved::BadKeyShare
                | PeerMisbehaved::DowngradeDetected => A::ILLEGAL_PARAMETER,
                PeerMisbehaved::UnsolicitedExtension(_) => A::UNSUPPORTED_EXTENSION,
                PeerMisbehaved::InappropriateFallback => A::INAPPROPRIATE_FALLBACK,
                PeerMisbehaved::BadRenegotiationInfo => A::HANDSHAKE_FAILURE,
                PeerMisbehaved::MissingExtension(_) => A::MISSING_EXTENSION,
                PeerMisbehaved::BadFinished
                | PeerMisbehaved::BadBinder
                | PeerMisbehaved::BadSignature => A::DECRYPT_ERROR,
            },
            Error::PeerIncompatible(e) => match e {
                PeerIncompatible::NoCommonVersion => A::PROTOCOL_VERSION,
                PeerIncompatible::NoApplicationProtocol => A::NO_APPLICATION_PROTOCOL,
                PeerIncompatible::ChoseUnofferedParameter(_) => A::ILLEGAL_PARAMETER,
                _ => A::HANDSHAKE_FAILURE,
            },
            Error::InvalidCertificate(e) => match e {
                CertificateError::NoCertificate => A::CERTIFICATE_REQUIRED,
                CertificateError::BadEncoding(_)
                | CertificateError::BadSignature(_)
                | CertificateError::NameConstraintViolation(_) => A::BAD_CERTIFICATE,
                CertificateError::Revoked(_) => A::CERTIFICATE_REVOKED,
                CertificateError::Expired(_) | CertificateError::NotYetValid(_) => {
                    A::CERTIFICATE_EXPIRED
                }
                CertificateError::UnknownIssuer(_) => A::UNKNOWN_CA,
                CertificateError::Unsupported(_) => A::UNSUPPORTED_CERTIFICATE,
                CertificateError::NotValidForName(_)
                | CertificateError::InvalidPurpose(_)
                | CertificateError::RevocationStatusUnknown(_)
                | CertificateError::TooMuchWork(_)
                | CertificateError::Other(_) => A::CERTIFICATE_UNKNOWN,
            },
            Error::DecryptFailed => A::BAD_RECORD_MAC,
            Error::RecordOverflow { .. } => A::RECORD_OVERFLOW,
            Error::LimitExceeded(limit) => match limit {
                Limit::HandshakeMessageSize { .. }
                | Limit::ChainLength(_)
                | Limit::Extensions { .. }
                | Limit::BufferedInput(_)
                | Limit::BufferedPlaintext(_) => A::DECODE_ERROR,
                _ => A::UNEXPECTED_MESSAGE,
            },
            Error::Internal(_) => A::INTERNAL_ERROR,
            Error::AlertReceived(_)
            | Error::UnexpectedEof
            | Error::ConnectionClosed
            | Error::WriteAfterClose
            | Error::Config(_)
            | Error::KeyFile { .. }
            | Error::ApiMisuse(_)
            | Error::KeyExhausted => return None,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidMessage(e) => write!(f, "peer sent a malformed message: {e}")?,
            Error::PeerMisbehaved(e) => write!(f, "peer broke the protocol: {e}")?,
            Error::PeerIncompatible(e) => write!(f, "no parameters in common with the peer: {e}")?,
            Error::InvalidCertificate(e) => write!(f, "peer certificate refused: {e}")?,
            Error::DecryptFailed => {
                f.write_str("a record failed authentication (tampered or wrong keys)")?
            }
            Error::RecordOverflow { len, max } => {
                write!(f, "peer sent a {len}-byte record; at most {max} allowed")?
            }
            Error::LimitExceeded(l) => write!(f, "peer exceeded a limit: {l}")?,
            Error::AlertReceived(a) => return write!(f, "peer sent fatal alert {a}"),
            Error::UnexpectedEof => {
                return f.write_str(
                    "connection closed without close_notify: received data may be truncated",
                )
            }
            Error::ConnectionClosed => return f.write_str("the connection is closed"),
            Error::WriteAfterClose => {
                return f.write_str("cannot write: close_notify already sent")
            }
            Error::Config(s) => return write!(f, "invalid configuration: {s}"),
            Error::KeyFile { path, reason } => return write!(f, "{path}: {reason}"),
            Error::ApiMisuse(s) => return write!(f, "invalid request: {s}"),
            Error::KeyExhausted => {
                return f.write_str(
                    "cannot write: the TLS 1.2 write key reached its record limit \
                     (max_records_per_key or the AEAD's), so close_notify was sent; \
                     reconnect to send more",
                )
            }
            Error::Internal(s) => write!(f, "internal error: {s}")?,
        }
        if let Some(alert) = self.alert() {
            write!(f, " (sent alert {alert})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidMessage::Truncated(w) => write!(f, "{w} is truncated"),
            InvalidMessage::TrailingBytes(w) => write!(f, "trailing bytes after {w}"),
            InvalidMessage::EmptyVector(w) => write!(f, "{w} is empty"),
            InvalidMessage::OddLength(w) => write!(f, "{w} has an odd length"),
            InvalidMessage::LengthOutOfRange(w) => {
                write!(f, "{w} has a length outside its allowed range")
            }
            InvalidMessage::IllegalValue(w) => write!(f, "illegal value in {w}"),
            InvalidMessage::DuplicateExtension(e) => write!(f, "extension {e} appears twice"),
            InvalidMessage::ExtensionNotAllowed { extension, message } => {
                write!(f, "extension {extension} is not allowed in {message}")
            }
            InvalidMessage::PreSharedKeyNotLast => {
                f.write_str("pre_shared_key is not the last extension")
            }
            InvalidMessage::UnknownHandshakeType(t) => {
                write!(f, "unknown handshake message type {t}")
            }
            InvalidMessage::UnknownContentType(t) => write!(f, "unknown record content type {t}"),
            InvalidMessage::BadRecordVersion(v) => write!(f, "record version 0x{v:04x} is not TLS"),
            InvalidMessage::EmptyRecord => f.write_str("empty handshake or alert record"),
            InvalidMessage::BadAlert => f.write_str("alert record is not exactly one alert"),
            InvalidMessage::BadChangeCipherSpec => {
                f.write_str("change_cipher_spec is not the single byte 1")
            }
            InvalidMessage::NoInnerContentType => {
                f.write_str("protected record holds only padding, no content type")
            }
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerMisbehaved::UnexpectedMessage { expected, got } => {
                write!(f, "expected {expected}, got {got}")
            }
            PeerMisbehaved::HandshakeSpansKeyChange => {
                f.write_str("a handshake message spans a key change")
            }
            PeerMisbehaved::UnexpectedChangeCipherSpec => {
                f.write_str("change_cipher_spec where none is allowed")
            }
            PeerMisbehaved::IllegalParameter(w) => write!(f, "illegal parameter: {w}"),
            PeerMisbehaved::UnsolicitedExtension(e) => write!(f, "unsolicited extension {e}"),
            PeerMisbehaved::MissingExtension(e) => write!(f, "missing extension {e}"),
            PeerMisbehaved::WrongKeyShareGroup(g) => {
                write!(f, "key share for unexpected group {g}")
            }
            PeerMisbehaved::SecondHelloRetryRequest => f.write_str("second HelloRetryRequest"),
            PeerMisbehaved::BadFinished => f.write_str("Finished does not verify"),
            PeerMisbehaved::BadBinder => f.write_str("PSK binder does not verify"),
            PeerMisbehaved::BadSignature => {
                f.write_str("CertificateVerify signature does not verify")
            }
            PeerMisbehaved::BadKeyShare => f.write_str("invalid key share"),
            PeerMisbehaved::DowngradeDetected => {
                f.write_str("downgrade sentinel in ServerHello.random while TLS 1.3 was offered")
            }
            PeerMisbehaved::DataAfterClose => f.write_str("data after close_notify"),
            PeerMisbehaved::InappropriateFallback => {
                f.write_str("TLS_FALLBACK_SCSV, but a higher version was possible")
            }
            PeerMisbehaved::BadRenegotiationInfo => {
                f.write_str("renegotiation_info missing or not empty in the initial handshake")
            }
        }
    }
}

impl fmt::Display for PeerIncompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerIncompatible::NoCommonVersion => f.write_str("no common protocol version"),
            PeerIncompatible::NoCommonCipherSuite => f.write_str("no common cipher suite"),
            PeerIncompatible::NoCommonGroup => f.write_str("no common key exchange group"),
            PeerIncompatible::NoCommonSignatureScheme => f.write_str("no common signature scheme"),
            PeerIncompatible::NoApplicationProtocol => {
                f.write_str("no common application protocol (ALPN)")
            }
            PeerIncompatible::ChoseUnofferedParameter(w) => {
                write!(f, "peer chose a {w} we did not offer")
            }
            PeerIncompatible::ExtendedMasterSecretRequired => {
                f.write_str("peer does not support the extended master secret (RFC 7627)")
            }
            PeerIncompatible::ClientCertificateRequired => {
                f.write_str("the client sent no certificate, and this server requires one")
            }
            PeerIncompatible::CertificateCurveNotOffered(curve) => write!(
                f,
                "the client's supported_groups lacks {curve}, the curve of our ECDSA \
                 certificate, so no ECDHE_ECDSA suite can be used (RFC 8422, Section 5.3)"
            ),
            PeerIncompatible::Tls12AfterEarlyData => f.write_str(
                "the server chose TLS 1.2 after we sent 0-RTT early data on a TLS 1.3 ticket \
                 (RFC 8446, Appendix D.3); connect again without early data",
            ),
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::NoCertificate => f.write_str("no certificate was sent"),
            CertificateError::BadEncoding(s)
            | CertificateError::Expired(s)
            | CertificateError::NotYetValid(s)
            | CertificateError::UnknownIssuer(s)
            | CertificateError::BadSignature(s)
            | CertificateError::NotValidForName(s)
            | CertificateError::InvalidPurpose(s)
            | CertificateError::Unsupported(s)
            | CertificateError::NameConstraintViolation(s)
            | CertificateError::Revoked(s)
            | CertificateError::RevocationStatusUnknown(s)
            | CertificateError::TooMuchWork(s)
            | CertificateError::Other(s) => f.write_str(s),
        }
    }
}

impl fmt::Display for Limit {
    /// Names the [`crate::Limits`] field that was exceeded, so the bound can be found and raised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::HandshakeMessageSize { typ, len, max } => {
                let field = match *typ {
                    HandshakeType::CERTIFICATE => "max_certificate_message",
                    HandshakeType::CLIENT_HELLO => "max_client_hello",
                    _ => "max_handshake_message",
                };
                write!(f, "a {len}-byte {typ} message ({field} is {max})")
            }
            Limit::ChainLength(max) => {
                write!(f, "certificate chain longer than {max} (max_chain_len)")
            }
            Limit::Extensions { message, max } => {
                write!(
                    f,
                    "more than {max} extensions in a {message} (max_extensions)"
                )
            }
            Limit::BufferedInput(max) => write!(
                f,
                "more than {max} bytes of unprocessed input (max_buffered_input)"
            ),
            Limit::BufferedPlaintext(max) => write!(
                f,
                "more than {max} bytes of unread plaintext (max_buffered_plaintext)"
            ),
            Limit::EmptyRecords(max) => write!(
                f,
                "more than {max} consecutive empty records (max_empty_records)"
            ),
            Limit::WarningAlerts(max) => {
                write!(f, "more than {max} warning alerts (max_warning_alerts)")
            }
            Limit::KeyUpdates(max) => {
                write!(f, "more than {max} KeyUpdates in a row (max_key_updates)")
            }
            Limit::ChangeCipherSpecs(max) => write!(
                f,
                "more than {max} change_cipher_spec records (max_change_cipher_spec)"
            ),
            Limit::RenegotiationAttempts(max) => write!(
                f,
                "more than {max} refused renegotiation attempts (max_renegotiation_attempts)"
            ),
            Limit::SkippedEarlyData(max) => write!(
                f,
                "more than {max} bytes of refused 0-RTT data to skip (max_skipped_early_data)"
            ),
            Limit::EarlyData => {
                f.write_str("more 0-RTT data than the server's max_early_data_size allows")
            }
        }
    }
}

impl From<InvalidMessage> for Error {
    fn from(e: InvalidMessage) -> Self {
        Error::InvalidMessage(e)
    }
}

impl From<PeerMisbehaved> for Error {
    fn from(e: PeerMisbehaved) -> Self {
        Error::PeerMisbehaved(e)
    }
}

impl From<PeerIncompatible> for Error {
    fn from(e: PeerIncompatible) -> Self {
        Error::PeerIncompatible(e)
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Error::InvalidCertificate(e)
    }
}

impl From<Limit> for Error {
    fn from(e: Limit) -> Self {
        Error::LimitExceeded(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_alert_sent() {
        let e = Error::from(InvalidMessage::TrailingBytes("ServerHello"));
        assert_eq!(e.alert(), Some(AlertDescription::DECODE_ERROR));
        assert_eq!(
            e.to_string(),
            "peer sent a malformed message: trailing bytes after ServerHello (sent alert decode_error)"
        );
        assert_eq!(
            Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE).alert(),
            None
        );
    }
}
