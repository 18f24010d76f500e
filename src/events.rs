//! Typed handshake events: each message sent or received (with all its
//! fields), each key installed, each parameter chosen.
//!
//! Install an [`Observer`] on a config to receive them; the demo prints them as
//! an annotated transcript. Events never carry secret values: the key log
//! ([`crate::keylog`]) is the only way secrets leave the library.

use crate::codec::messages::HandshakeMessage;
use crate::codec::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

/// Which side of the connection produced an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// Which traffic direction a key protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Records we receive.
    Read,
    /// Records we send.
    Write,
}

/// A parameter settled during the handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parameter {
    /// The protocol version.
    Version(ProtocolVersion),
    /// The cipher suite.
    CipherSuite(CipherSuite),
    /// The key exchange group.
    Group(NamedGroup),
    /// The signature scheme of the server's CertificateVerify.
    SignatureScheme(SignatureScheme),
    /// The application protocol (ALPN), if any.
    Alpn(Option<Vec<u8>>),
    /// The server name the client asked for (SNI), if any.
    ServerName(Option<String>),
}

/// One thing that happened during a connection.
#[derive(Debug)]
pub enum Event<'a> {
    /// A handshake message was sent.
    Sent(&'a HandshakeMessage),
    /// A handshake message was received.
    Received(&'a HandshakeMessage),
    /// A change_cipher_spec compatibility record was sent (RFC 8446, Appendix D.4).
    SentChangeCipherSpec,
    /// A secret of the key schedule was derived; `from` names its inputs.
    SecretDerived {
        /// RFC 8446 name of the secret.
        name: &'static str,
        /// What it was derived from, in words.
        from: &'static str,
    },
    /// A record protection key was installed.
    KeyInstalled {
        /// Which direction it protects.
        direction: Direction,
        /// The traffic secret it comes from (e.g. `client_handshake_traffic_secret`).
        secret: &'static str,
    },
    /// A parameter was chosen or accepted.
    Chosen(Parameter),
    /// The peer's certificate chain was verified.
    CertificateVerified {
        /// Number of certificates the peer sent.
        chain_len: usize,
    },
    /// An alert was sent.
    AlertSent(AlertDescription),
    /// An alert was received.
    AlertReceived(AlertDescription),
    /// The handshake finished.
    HandshakeComplete,
}

/// Receives [`Event`]s from connections made with a config it is installed on.
pub trait Observer: Send + Sync + core::fmt::Debug {
    /// Called for each event, in order, on the thread driving the connection.
    fn on_event(&self, side: Side, event: &Event<'_>);
}
