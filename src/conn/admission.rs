//! What a peer may send, and when: RFC 8446, Sections 4.6, 5 and 6 and
//! RFC 5246, Sections 6, 7.1 and 7.2, as the tables the connection consults
//! for every record, every alert and every handshake message. Each row says
//! what is accepted, ignored or refused (with which error, and so which
//! alert), by record type, version and phase. Nothing else in keyway decides
//! these questions; the record layer only decides what it can decrypt.
// Wire-facing code: no panic and no silent wrap-around on values a peer
// controls. Tests may unwrap, expect and index (clippy.toml).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::codec::messages::{Alert, HandshakeMessage};
use crate::codec::{AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion};
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::events::Side;

/// Where the connection stands, as far as what it may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// A server that has received nothing yet: a ClientHello comes first.
    AwaitingHello,
    /// Between the first ClientHello and the peer's Finished.
    Handshake,
    /// A server that accepted 0-RTT, before the client's EndOfEarlyData.
    EarlyData,
    /// The handshake is complete.
    Traffic,
}

/// What to do with a received record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record {
    /// Hand the payload to the handshake joiner.
    Handshake,
    /// Application data for the reader.
    ApplicationData,
    /// 0-RTT early data a server accepted, for the early data reader.
    EarlyData,
    /// Decode it as an alert and consult [`alert`].
    Alert,
    /// TLS 1.2: a protocol message that switches the read keys; the
    /// handshake step decides whether it is expected.
    ChangeCipherSpec,
    /// TLS 1.3's middlebox-compatibility change_cipher_spec: dropped
    /// (counted against `Limits::max_change_cipher_spec`).
    IgnoredChangeCipherSpec,
}

/// RFC 8446, Sections 5 and 5.1; RFC 5246, Sections 6.2.1 and 7.1: a record
/// of type `typ` (`protected`: it was decrypted) in `phase`, with `version`
/// negotiated so far.
pub(crate) fn record(
    typ: ContentType,
    protected: bool,
    version: Option<ProtocolVersion>,
    phase: Phase,
) -> Result<Record, Error> {
    use ContentType as T;
    use Phase::{AwaitingHello, EarlyData, Handshake, Traffic};
    let tls12 = version == Some(ProtocolVersion::TLS12);
    match (typ, phase) {
        (T::HANDSHAKE, _) => Ok(Record::Handshake),
        (T::APPLICATION_DATA, Traffic) => Ok(Record::ApplicationData),
        // RFC 8446, Section 4.2.10: 0-RTT data, under the early key, until
        // the EndOfEarlyData.
        (T::APPLICATION_DATA, EarlyData) => Ok(Record::EarlyData),
        // RFC 8446, Section 2 / RFC 5246, Section 7.3: application data only
        // once the handshake is done.
        (T::APPLICATION_DATA, AwaitingHello | Handshake) => {
            Err(unexpected("a handshake message", "application data"))
        }
        // Only a peer that has no keys yet sends an alert in plaintext; after
        // the handshake one is an injection (a forged close_notify would
        // truncate the data).
        (T::ALERT, Traffic) if !protected => {
            Err(unexpected("a protected record", "an unprotected alert"))
        }
        (T::ALERT, _) => Ok(Record::Alert),
        // RFC 5246, Section 7.1: a protocol message of its own in TLS 1.2.
        (T::CHANGE_CIPHER_SPEC, Handshake) if tls12 => Ok(Record::ChangeCipherSpec),
        // RFC 8446, Section 5: dropped after the first ClientHello and before
        // the peer's Finished (before TLS 1.2 is chosen, a client treats a
        // server's CCS as TLS 1.3's).
        (T::CHANGE_CIPHER_SPEC, Handshake | EarlyData) => Ok(Record::IgnoredChangeCipherSpec),
        // RFC 8446, Section 5: anywhere else it is unexpected_message.
        (T::CHANGE_CIPHER_SPEC, AwaitingHello | Traffic) => {
            Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into())
        }
        (other, _) => Err(InvalidMessage::UnknownContentType(other.0).into()),
    }
}

/// RFC 8449, Section 4: "A TLS endpoint that receives a record larger than
/// its advertised limit MUST generate a fatal record_overflow alert", once
/// the peer acknowledged the `limit` we advertised; unprotected records are
/// not subject to it. The limit counts a TLS 1.3 record's content type byte
/// and padding; the record layer has stripped the padding by now, so a peer
/// that pads past the limit is not caught (its content still fits).
pub(crate) fn record_size(
    content_len: usize,
    protected: bool,
    version: Option<ProtocolVersion>,
    limit: Option<u16>,
) -> Result<(), Error> {
    let Some(limit) = limit.filter(|_| protected) else {
        return Ok(());
    };
    let len = match version {
        Some(ProtocolVersion::TLS12) => content_len,
        _ => content_len.saturating_add(1),
    };
    match len > usize::from(limit) {
        true => Err(Error::RecordOverflow {
            len,
            max: usize::from(limit),
        }),
        false => Ok(()),
    }
}

/// What a received alert means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AlertMeaning {
    /// An orderly close: nothing more will come (RFC 8446, Section 6.1).
    PeerClosed,
    /// A warning that is not an error; counted against
    /// `Limits::max_warning_alerts`.
    Warning,
    /// The connection is over.
    Fatal(Error),
}

/// RFC 8446, Section 6 and RFC 5246, Section 7.2.
pub(crate) fn alert(alert: Alert, version: Option<ProtocolVersion>, phase: Phase) -> AlertMeaning {
    let warning = alert.level == AlertLevel::WARNING;
    match alert.description {
        AlertDescription::CLOSE_NOTIFY if phase == Phase::Traffic => AlertMeaning::PeerClosed,
        // A close_notify before the handshake is done ends nothing orderly:
        // the connection never got going, so it is reported as an error.
        AlertDescription::CLOSE_NOTIFY => {
            AlertMeaning::Fatal(Error::AlertReceived(alert.description))
        }
        // RFC 8446, Section 6.1: user_canceled is the one other alert that
        // is not an error; in TLS 1.2 (RFC 5246, Section 7.2) no warning is.
        AlertDescription::USER_CANCELED if warning => AlertMeaning::Warning,
        _ if warning && version == Some(ProtocolVersion::TLS12) => AlertMeaning::Warning,
        // RFC 8446, Section 6.2: every other alert is fatal whatever its level.
        other => AlertMeaning::Fatal(Error::AlertReceived(other)),
    }
}

/// RFC 8446, Section 4 and RFC 5246, Section 7.4: a handshake message of
/// type `typ` is read as the message of that type in the version spoken.
/// Before anything is negotiated, only the hello that must come first may:
/// any other type is unexpected_message, whether or not it would decode.
pub(crate) fn handshake_message(
    side: Side,
    phase: Phase,
    version: Option<ProtocolVersion>,
    typ: HandshakeType,
    body: &[u8],
) -> Result<HandshakeMessage, Error> {
    let first = match (side, phase, version) {
        (Side::Server, Phase::AwaitingHello, _) => Some(HandshakeType::CLIENT_HELLO),
        (Side::Client, Phase::Handshake, None) => Some(HandshakeType::SERVER_HELLO),
        _ => None,
    };
    if let Some(first) = first.filter(|first| *first != typ) {
        return Err(PeerMisbehaved::UnexpectedMessage {
            expected: match first {
                HandshakeType::CLIENT_HELLO => "ClientHello",
                _ => "ServerHello",
            },
            got: format!("{typ:?}"),
        }
        .into());
    }
    Ok(match version {
        Some(ProtocolVersion::TLS12) => HandshakeMessage::decode_tls12(typ, body)?,
        _ => HandshakeMessage::decode(typ, body)?,
    })
}

/// What to do with a handshake message after the handshake.
// Holds a message by value, as HandshakeMessage does its ClientHello.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum PostHandshake {
    /// RFC 8446, Section 4.6.3.
    KeyUpdate(crate::codec::messages::KeyUpdate),
    /// RFC 5746, Sections 4.2 and 4.4, RFC 5246, Section 7.2.2: we never
    /// renegotiate; the attempt gets a no_renegotiation warning.
    RefuseRenegotiation,
    /// For the side's state machine (a TLS 1.3 client's NewSessionTicket).
    StateMachine(HandshakeMessage),
}

/// RFC 8446, Section 4.6 and RFC 5246, Section 7.4.1.1: the handshake
/// messages that may follow a completed handshake.
pub(crate) fn post_handshake(
    msg: HandshakeMessage,
    side: Side,
    version: Option<ProtocolVersion>,
) -> Result<PostHandshake, Error> {
    let tls12 = version == Some(ProtocolVersion::TLS12);
    match (msg, side) {
        (HandshakeMessage::HelloRequest, Side::Client) if tls12 => {
            Ok(PostHandshake::RefuseRenegotiation)
        }
        (HandshakeMessage::ClientHello(_), Side::Server) if tls12 => {
            Ok(PostHandshake::RefuseRenegotiation)
        }
        (HandshakeMessage::KeyUpdate(ku), _) if !tls12 => Ok(PostHandshake::KeyUpdate(ku)),
        (msg @ HandshakeMessage::NewSessionTicket(_), Side::Client) if !tls12 => {
            Ok(PostHandshake::StateMachine(msg))
        }
        (other, _) => Err(PeerMisbehaved::UnexpectedMessage {
            expected: match tls12 {
                true => "no handshake message after a TLS 1.2 handshake",
                false => "KeyUpdate or NewSessionTicket after the handshake",
            },
            got: format!("{:?}", other.handshake_type()),
        }
        .into()),
    }
}

fn unexpected(expected: &'static str, got: &str) -> Error {
    PeerMisbehaved::UnexpectedMessage {
        expected,
        got: got.to_owned(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::KeyUpdateRequest;

    const TLS12: Option<ProtocolVersion> = Some(ProtocolVersion::TLS12);
    const TLS13: Option<ProtocolVersion> = Some(ProtocolVersion::TLS13);

    /// RFC 8449, Section 4: TLS 1.3 counts the content type byte, TLS 1.2
    /// the content alone; unprotected records and a connection without an
    /// acknowledged limit are not held to one.
    #[test]
    fn the_record_size_limit_we_advertised() {
        let overflow = |len, max| Err(Error::RecordOverflow { len, max });
        assert_eq!(record_size(511, true, TLS13, Some(512)), Ok(()));
        assert_eq!(record_size(512, true, TLS13, Some(512)), overflow(513, 512));
        assert_eq!(record_size(512, true, TLS12, Some(512)), Ok(()));
        assert_eq!(record_size(513, true, TLS12, Some(512)), overflow(513, 512));
        assert_eq!(record_size(4096, false, TLS13, Some(512)), Ok(()));
        assert_eq!(record_size(16384, true, TLS13, None), Ok(()));
        assert_eq!(
            record_size(512, true, TLS13, Some(512))
                .unwrap_err()
                .alert(),
            Some(AlertDescription::RECORD_OVERFLOW)
        );
    }

    /// The record table, row by row: (type, protected, version, phase) ->
    /// accepted as, or refused with an error whose alert is given.
    #[test]
    fn the_record_table() {
        use AlertDescription as A;
        use ContentType as T;
        use Phase::{AwaitingHello as Hello, Handshake as Hs, Traffic as Tr};
        use Record as R;
        let accepted = [
            (T::HANDSHAKE, false, None, Hello, R::Handshake),
            (T::HANDSHAKE, true, TLS13, Tr, R::Handshake),
            (T::APPLICATION_DATA, true, TLS13, Tr, R::ApplicationData),
            (T::APPLICATION_DATA, true, TLS12, Tr, R::ApplicationData),
            (
                T::APPLICATION_DATA,
                true,
                TLS13,
                Phase::EarlyData,
                R::EarlyData,
            ),
            (T::HANDSHAKE, true, TLS13, Phase::EarlyData, R::Handshake),
            (
                T::CHANGE_CIPHER_SPEC,
                false,
                TLS13,
                Phase::EarlyData,
                R::IgnoredChangeCipherSpec,
            ),
            (T::ALERT, false, None, Hello, R::Alert),
            (T::ALERT, false, TLS13, Hs, R::Alert),
            (T::ALERT, true, TLS13, Tr, R::Alert),
            (T::CHANGE_CIPHER_SPEC, false, TLS12, Hs, R::ChangeCipherSpec),
            (
                T::CHANGE_CIPHER_SPEC,
                false,
                TLS13,
                Hs,
                R::IgnoredChangeCipherSpec,
            ),
            (
                T::CHANGE_CIPHER_SPEC,
                false,
                None,
                Hs,
                R::IgnoredChangeCipherSpec,
            ),
        ];
        for (typ, protected, version, phase, expected) in accepted {
            assert_eq!(
                record(typ, protected, version, phase),
                Ok(expected),
                "{typ:?} {protected} {version:?} {phase:?}"
            );
        }
        let refused = [
            (T::APPLICATION_DATA, true, TLS13, Hs, A::UNEXPECTED_MESSAGE),
            (
                T::APPLICATION_DATA,
                false,
                None,
                Hello,
                A::UNEXPECTED_MESSAGE,
            ),
            (T::ALERT, false, TLS13, Tr, A::UNEXPECTED_MESSAGE),
            (T::ALERT, false, TLS12, Tr, A::UNEXPECTED_MESSAGE),
            (
                T::CHANGE_CIPHER_SPEC,
                false,
                None,
                Hello,
                A::UNEXPECTED_MESSAGE,
            ),
            (
                T::CHANGE_CIPHER_SPEC,
                false,
                TLS13,
                Tr,
                A::UNEXPECTED_MESSAGE,
            ),
            (
                T::CHANGE_CIPHER_SPEC,
                false,
                TLS12,
                Tr,
                A::UNEXPECTED_MESSAGE,
            ),
            (ContentType(24), true, TLS13, Tr, A::UNEXPECTED_MESSAGE),
        ];
        for (typ, protected, version, phase, alert) in refused {
            let err = record(typ, protected, version, phase).unwrap_err();
            assert_eq!(
                err.alert(),
                Some(alert),
                "{typ:?} {version:?} {phase:?}: {err}"
            );
        }
    }

    #[test]
    fn the_alert_table() {
        use AlertDescription as A;
        let warning = |description| Alert {
            level: AlertLevel::WARNING,
            description,
        };
        let fatal = |description| Alert {
            level: AlertLevel::FATAL,
            description,
        };
        let rows = [
            (
                warning(A::CLOSE_NOTIFY),
                TLS13,
                Phase::Traffic,
                AlertMeaning::PeerClosed,
            ),
            (
                warning(A::CLOSE_NOTIFY),
                TLS12,
                Phase::Traffic,
                AlertMeaning::PeerClosed,
            ),
            (
                warning(A::CLOSE_NOTIFY),
                TLS13,
                Phase::Handshake,
                AlertMeaning::Fatal(Error::AlertReceived(A::CLOSE_NOTIFY)),
            ),
            (
                warning(A::USER_CANCELED),
                TLS13,
                Phase::Traffic,
                AlertMeaning::Warning,
            ),
            (
                warning(A::NO_RENEGOTIATION),
                TLS12,
                Phase::Traffic,
                AlertMeaning::Warning,
            ),
            (
                warning(A::NO_RENEGOTIATION),
                TLS13,
                Phase::Traffic,
                AlertMeaning::Fatal(Error::AlertReceived(A::NO_RENEGOTIATION)),
            ),
            (
                fatal(A::USER_CANCELED),
                TLS13,
                Phase::Traffic,
                AlertMeaning::Fatal(Error::AlertReceived(A::USER_CANCELED)),
            ),
            (
                fatal(A::HANDSHAKE_FAILURE),
                TLS12,
                Phase::Handshake,
                AlertMeaning::Fatal(Error::AlertReceived(A::HANDSHAKE_FAILURE)),
            ),
        ];
        for (a, version, phase, expected) in rows {
            assert_eq!(
                alert(a, version, phase),
                expected,
                "{a:?} {version:?} {phase:?}"
            );
        }
    }

    #[test]
    fn only_the_first_hello_may_come_first() {
        // A Finished (which would decode) and a garbled Certificate (which
        // would not) where a ClientHello must come: unexpected_message both.
        for (typ, body) in [
            (HandshakeType::FINISHED, &[0u8; 32][..]),
            (HandshakeType::CERTIFICATE, &[1, 2, 3][..]),
            (HandshakeType::SERVER_HELLO, &[][..]),
        ] {
            let err =
                handshake_message(Side::Server, Phase::AwaitingHello, None, typ, body).unwrap_err();
            assert_eq!(
                err.alert(),
                Some(AlertDescription::UNEXPECTED_MESSAGE),
                "{typ:?}: {err}"
            );
            if typ == HandshakeType::SERVER_HELLO {
                continue; // what a client waits for first
            }
            let err =
                handshake_message(Side::Client, Phase::Handshake, None, typ, body).unwrap_err();
            assert_eq!(
                err.alert(),
                Some(AlertDescription::UNEXPECTED_MESSAGE),
                "{typ:?}: {err}"
            );
        }
        // The right one that does not decode is decode_error.
        let err = handshake_message(
            Side::Server,
            Phase::AwaitingHello,
            None,
            HandshakeType::CLIENT_HELLO,
            &[3, 3],
        )
        .unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::DECODE_ERROR));
    }

    #[test]
    fn the_post_handshake_table() {
        let key_update = || {
            HandshakeMessage::KeyUpdate(crate::codec::messages::KeyUpdate {
                request_update: KeyUpdateRequest::UPDATE_NOT_REQUESTED,
            })
        };
        assert!(matches!(
            post_handshake(key_update(), Side::Client, TLS13),
            Ok(PostHandshake::KeyUpdate(_))
        ));
        assert!(post_handshake(key_update(), Side::Client, TLS12).is_err());
        assert!(matches!(
            post_handshake(HandshakeMessage::HelloRequest, Side::Client, TLS12),
            Ok(PostHandshake::RefuseRenegotiation)
        ));
        assert!(post_handshake(HandshakeMessage::HelloRequest, Side::Server, TLS12).is_err());
        assert!(post_handshake(HandshakeMessage::HelloRequest, Side::Client, TLS13).is_err());
        assert!(post_handshake(HandshakeMessage::EndOfEarlyData, Side::Server, TLS13).is_err());
    }
}
