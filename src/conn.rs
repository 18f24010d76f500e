//! The sans-IO core shared by client and server: buffers, the record layer,
//! application data, alerts and close_notify.
//!
//! Bytes flow one way: [`Connection::read_tls`] buffers TLS bytes,
//! [`Connection::process`] turns them into records, handshake messages (fed to
//! the side's state machine) and plaintext, and everything we send is sealed
//! into `Common::outgoing` for [`Connection::write_tls`]. Nothing here does I/O
//! except through the reader and writer the caller passes in.

// Wire-facing code: no panic and no silent wrap-around on values a peer
// controls. Tests may unwrap, expect and index (clippy.toml).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::io;
use std::sync::Arc;

use crate::codec::messages::{Alert, HandshakeMessage, KeyUpdate};
use crate::codec::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, KeyUpdateRequest, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use crate::crypto::AeadAlgorithm;
use crate::crypto::{Rng, Tls13Suite};
use crate::error::{Error, InvalidMessage, Limit, PeerMisbehaved};
use crate::events::{Direction, Event, Observer, Side};
use crate::keylog::KeyLog;
use crate::keys::tls12;
use crate::keys::tls13::{ExporterSecret, TrafficSecret};
use crate::limits::Limits;
use crate::record::{
    write_plaintext_records, Deframer, HandshakeJoiner, RecordDecrypter, RecordEncrypter,
    Tls12Decrypter, Tls12Encrypter, Tls13Decrypter, Tls13Encrypter, MAX_PLAINTEXT,
};
use crate::transcript::Transcript;
use crate::{client, server};

/// What a handshake settled on. Fields fill in as the handshake proceeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The protocol version.
    pub version: Option<ProtocolVersion>,
    /// The cipher suite.
    pub cipher_suite: Option<CipherSuite>,
    /// The key exchange group.
    pub group: Option<NamedGroup>,
    /// The signature scheme the server signed its CertificateVerify with.
    pub signature_scheme: Option<SignatureScheme>,
    /// The application protocol agreed through ALPN.
    pub alpn: Option<Vec<u8>>,
    /// The server name the client sent (SNI).
    pub server_name: Option<String>,
    /// The peer's certificate chain, leaf first, DER.
    pub peer_certificates: Vec<Vec<u8>>,
    /// True if the server sent a HelloRetryRequest.
    pub hello_retry_request: bool,
}

/// The state shared by every handshake step: record layer, buffers and what
/// was negotiated. Handshake steps reach it through the methods below.
pub(crate) struct Common {
    pub side: Side,
    pub limits: Limits,
    pub rng: Rng,
    pub observer: Option<Arc<dyn Observer>>,
    pub key_log: Arc<dyn KeyLog>,
    pub negotiated: Negotiated,
    /// The client random, for the key log.
    pub client_random: [u8; 32],

    deframer: Deframer,
    joiner: HandshakeJoiner,
    decrypter: RecordDecrypter,
    encrypter: RecordEncrypter,
    /// Incremented whenever read keys change, to catch handshake messages spanning a key change.
    read_epoch: u64,
    /// Sealed records waiting for `write_tls`.
    outgoing: Vec<u8>,
    /// The record_size_limit the peer advertised (RFC 8449), if any.
    pub peer_record_size_limit: Option<u16>,
    /// Record version for plaintext records (0x0301 for the first ClientHello, as is customary).
    plaintext_version: ProtocolVersion,

    /// Application traffic secrets, for KeyUpdate.
    traffic: Option<TrafficState>,
    exporter: Option<Exporter>,

    pub handshake_complete: bool,
    /// A ClientHello has been sent or received: CCS records may now be ignored.
    pub hello_seen: bool,
    ccs_received: usize,
    warnings_received: usize,
    key_updates_in_a_row: usize,
    /// We sent (or, mid-handshake, queued) our close_notify: no more data.
    sent_close: bool,
}

/// What `export_keying_material` derives from, by version.
enum Exporter {
    /// RFC 8446, Section 7.5.
    Tls13(ExporterSecret),
    /// RFC 5705, from the TLS 1.2 master secret and both randoms.
    Tls12 {
        master: tls12::MasterSecret,
        client_random: [u8; 32],
        server_random: [u8; 32],
    },
}

struct TrafficState {
    suite: Tls13Suite,
    read: TrafficSecret,
    write: TrafficSecret,
}

impl Common {
    fn new(
        side: Side,
        mut limits: Limits,
        observer: Option<Arc<dyn Observer>>,
        key_log: Arc<dyn KeyLog>,
    ) -> Self {
        // Processing pauses while one more record's plaintext would not fit;
        // below one record's worth it would never resume.
        limits.max_buffered_plaintext = limits.max_buffered_plaintext.max(MAX_PLAINTEXT);
        Self {
            side,
            deframer: Deframer::new(limits.max_buffered_input, limits.max_empty_records),
            joiner: HandshakeJoiner::new(
                limits.max_handshake_message,
                limits.max_certificate_message,
                limits.max_client_hello,
            ),
            limits,
            rng: Rng::default(),
            observer,
            key_log,
            negotiated: Negotiated::default(),
            client_random: [0; 32],
            decrypter: RecordDecrypter::None,
            encrypter: RecordEncrypter::None,
            read_epoch: 0,
            outgoing: Vec::new(),
            peer_record_size_limit: None,
            plaintext_version: ProtocolVersion::TLS12,
            traffic: None,
            exporter: None,
            handshake_complete: false,
            hello_seen: false,
            ccs_received: 0,
            warnings_received: 0,
            key_updates_in_a_row: 0,
            sent_close: false,
        }
    }

    /// Reports an event to the observer, if any.
    pub fn emit(&self, event: Event<'_>) {
        if let Some(observer) = &self.observer {
            observer.on_event(self.side, &event);
        }
    }

    /// Encodes `msg`, adds it to the transcript and queues it under the current write keys.
    pub fn send_handshake(
        &mut self,
        msg: &HandshakeMessage,
        transcript: &mut Transcript,
    ) -> Result<(), Error> {
        let mut bytes = Vec::new();
        msg.encode(&mut bytes)?;
        transcript.add(&bytes);
        self.emit(Event::Sent(msg));
        self.send_records(ContentType::HANDSHAKE, &bytes)
    }

    /// Queues a change_cipher_spec compatibility record (RFC 8446, Appendix D.4).
    pub fn send_change_cipher_spec(&mut self) -> Result<(), Error> {
        write_plaintext_records(
            ProtocolVersion::TLS12,
            ContentType::CHANGE_CIPHER_SPEC,
            &[1],
            1,
            &mut self.outgoing,
        )?;
        self.emit(Event::SentChangeCipherSpec);
        Ok(())
    }

    /// Sets the record version of plaintext records (the first ClientHello uses 0x0301).
    pub fn set_plaintext_version(&mut self, version: ProtocolVersion) {
        self.plaintext_version = version;
    }

    fn send_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        let max_fragment = self.encrypter.fragment_limit(self.peer_record_size_limit);
        match &mut self.encrypter {
            RecordEncrypter::None => write_plaintext_records(
                self.plaintext_version,
                typ,
                data,
                max_fragment,
                &mut self.outgoing,
            ),
            encrypter => encrypter.write_records(typ, data, max_fragment, &mut self.outgoing),
        }
    }

    /// Installs TLS 1.3 read keys derived from `secret` (named for events and the key log).
    pub fn install_read_secret(
        &mut self,
        suite: Tls13Suite,
        secret: &TrafficSecret,
        name: &'static str,
    ) -> Result<(), Error> {
        let keys = secret.keys(suite.aead);
        self.decrypter =
            RecordDecrypter::Tls13(Tls13Decrypter::new(suite.aead, &keys.key, &keys.iv)?);
        // Only ever compared for a change, so wrapping is harmless.
        self.read_epoch = self.read_epoch.wrapping_add(1);
        self.emit(Event::KeyInstalled {
            direction: Direction::Read,
            secret: name,
        });
        Ok(())
    }

    /// Installs TLS 1.3 write keys derived from `secret`.
    pub fn install_write_secret(
        &mut self,
        suite: Tls13Suite,
        secret: &TrafficSecret,
        name: &'static str,
    ) -> Result<(), Error> {
        let keys = secret.keys(suite.aead);
        self.encrypter =
            RecordEncrypter::Tls13(Tls13Encrypter::new(suite.aead, &keys.key, &keys.iv)?);
        self.emit(Event::KeyInstalled {
            direction: Direction::Write,
            secret: name,
        });
        Ok(())
    }

    /// Writes `secret` to the key log under its NSS `label`.
    pub fn log_secret(&self, label: &str, secret: &TrafficSecret) {
        self.key_log
            .log(label, &self.client_random, secret.secret().as_bytes());
    }

    /// Called by a handshake once both application traffic secrets exist and
    /// the peer's Finished has been verified.
    pub fn start_traffic(
        &mut self,
        suite: Tls13Suite,
        read: TrafficSecret,
        write: TrafficSecret,
        exporter: ExporterSecret,
    ) {
        self.traffic = Some(TrafficState { suite, read, write });
        self.exporter = Some(Exporter::Tls13(exporter));
        self.handshake_complete = true;
        self.emit(Event::HandshakeComplete);
    }

    /// Called by a TLS 1.2 handshake once the peer's Finished has been verified.
    pub fn start_traffic_tls12(
        &mut self,
        master: tls12::MasterSecret,
        client_random: [u8; 32],
        server_random: [u8; 32],
    ) {
        self.exporter = Some(Exporter::Tls12 {
            master,
            client_random,
            server_random,
        });
        self.handshake_complete = true;
        self.emit(Event::HandshakeComplete);
    }

    /// Installs TLS 1.2 read keys from the key block (at the peer's ChangeCipherSpec).
    pub fn install_tls12_read(
        &mut self,
        aead: AeadAlgorithm,
        key: &[u8],
        iv: &[u8],
        name: &'static str,
    ) -> Result<(), Error> {
        self.decrypter = RecordDecrypter::Tls12(Tls12Decrypter::new(aead, key, iv)?);
        self.read_epoch = self.read_epoch.wrapping_add(1);
        self.emit(Event::KeyInstalled {
            direction: Direction::Read,
            secret: name,
        });
        Ok(())
    }

    /// Installs TLS 1.2 write keys from the key block (right after our ChangeCipherSpec).
    pub fn install_tls12_write(
        &mut self,
        aead: AeadAlgorithm,
        key: &[u8],
        iv: &[u8],
        name: &'static str,
    ) -> Result<(), Error> {
        self.encrypter = RecordEncrypter::Tls12(Tls12Encrypter::new(aead, key, iv)?);
        self.emit(Event::KeyInstalled {
            direction: Direction::Write,
            secret: name,
        });
        Ok(())
    }

    /// The negotiated version is TLS 1.2.
    pub fn is_tls12(&self) -> bool {
        self.negotiated.version == Some(ProtocolVersion::TLS12)
    }

    /// Sends a KeyUpdate and switches to the next write secret (RFC 8446, Section 4.6.3).
    fn send_key_update(&mut self, request: KeyUpdateRequest) -> Result<(), Error> {
        let msg = HandshakeMessage::KeyUpdate(KeyUpdate {
            request_update: request,
        });
        let mut bytes = Vec::new();
        msg.encode(&mut bytes)?;
        self.emit(Event::Sent(&msg));
        self.send_records(ContentType::HANDSHAKE, &bytes)?;
        let traffic = self
            .traffic
            .as_ref()
            .ok_or(Error::Internal("KeyUpdate before traffic keys"))?;
        let (suite, next) = (traffic.suite, traffic.write.next());
        self.install_write_secret(suite, &next, "application_traffic_secret_N+1")?;
        if let Some(traffic) = self.traffic.as_mut() {
            traffic.write = next;
        }
        Ok(())
    }

    /// Handles a KeyUpdate from the peer: new read keys, and our own update if requested.
    fn receive_key_update(&mut self, ku: &KeyUpdate) -> Result<(), Error> {
        self.key_updates_in_a_row = self.key_updates_in_a_row.saturating_add(1);
        if self.key_updates_in_a_row > self.limits.max_key_updates {
            return Err(Limit::KeyUpdates(self.limits.max_key_updates).into());
        }
        let traffic = self
            .traffic
            .as_ref()
            .ok_or(Error::Internal("KeyUpdate before traffic keys"))?;
        let (suite, next) = (traffic.suite, traffic.read.next());
        self.install_read_secret(suite, &next, "application_traffic_secret_N+1")?;
        if let Some(traffic) = self.traffic.as_mut() {
            traffic.read = next;
        }
        // RFC 8446, Section 4.6.3: update_requested obliges us to answer with
        // our own KeyUpdate (not requesting another) before sending more data.
        match ku.request_update {
            // After our close_notify we send nothing more (RFC 8446, Section 6.1).
            KeyUpdateRequest::UPDATE_REQUESTED if self.sent_close => Ok(()),
            KeyUpdateRequest::UPDATE_REQUESTED => {
                self.send_key_update(KeyUpdateRequest::UPDATE_NOT_REQUESTED)
            }
            KeyUpdateRequest::UPDATE_NOT_REQUESTED => Ok(()),
            _ => Err(InvalidMessage::IllegalValue("KeyUpdate.request_update").into()),
        }
    }

    /// Seals application data; returns how much was sent.
    ///
    /// Before a key seals more records than `Limits::max_records_per_key` or
    /// its AEAD allows (RFC 8446, Section 5.5), TLS 1.3 moves to new keys
    /// with a KeyUpdate. TLS 1.2 has no way to: the last record the key may
    /// seal is a close_notify, and writing ends with [`Error::KeyExhausted`].
    fn send_application_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let max_fragment = self.encrypter.fragment_limit(self.peer_record_size_limit);
        let mut sent = 0usize;
        for chunk in data.chunks(max_fragment) {
            if self
                .encrypter
                .key_exhausted(self.limits.max_records_per_key)
            {
                if !self.is_tls12() {
                    self.send_key_update(KeyUpdateRequest::UPDATE_NOT_REQUESTED)?;
                } else {
                    self.send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY);
                    self.sent_close = true;
                    return match sent {
                        0 => Err(Error::KeyExhausted),
                        n => Ok(n),
                    };
                }
            }
            self.send_records(ContentType::APPLICATION_DATA, chunk)?;
            sent = sent.saturating_add(chunk.len());
        }
        Ok(sent)
    }

    fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let alert = Alert { level, description };
        // Best effort: if the alert cannot be sealed the connection is failing anyway.
        if self
            .send_records(ContentType::ALERT, &alert.encode())
            .is_ok()
        {
            self.emit(Event::AlertSent(description));
        }
    }
}

/// The handshake state of one side.
pub(crate) enum State {
    Client(client::ClientState),
    Server(server::ServerState),
}

/// A TLS connection without I/O: bytes in, bytes out, plaintext in, plaintext out.
///
/// [`crate::ClientConnection`] and [`crate::ServerConnection`] dereference to
/// this type, which holds everything the two sides share.
pub struct Connection {
    common: Common,
    /// `None` while a step runs, or after a fatal error.
    state: Option<State>,
    /// Received application data not yet read.
    plaintext_in: Vec<u8>,
    plaintext_read: usize,
    /// Application data written before the handshake completed.
    pending_out: Vec<u8>,
    error: Option<Error>,
    /// The peer's close_notify arrived after the handshake: an orderly end.
    close_notify_received: bool,
    /// close_notify requested before the handshake completed: sent after the
    /// buffered application data, once the handshake is done.
    close_pending: bool,
    transport_eof: bool,
    /// Renegotiation attempts refused so far.
    renegotiation_attempts: usize,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.common.side)
            .field("handshake_complete", &self.common.handshake_complete)
            .field("negotiated", &self.common.negotiated)
            .finish_non_exhaustive()
    }
}

pub(crate) struct ConnectionParts {
    pub side: Side,
    pub limits: Limits,
    pub observer: Option<Arc<dyn Observer>>,
    pub key_log: Arc<dyn KeyLog>,
    pub rng: Rng,
}

impl Connection {
    /// Builds a connection in `state`; the client then sends its ClientHello
    /// through [`Connection::start`].
    pub(crate) fn new(parts: ConnectionParts, state: State) -> Self {
        let mut common = Common::new(parts.side, parts.limits, parts.observer, parts.key_log);
        common.rng = parts.rng;
        Self {
            common,
            state: Some(state),
            plaintext_in: Vec::new(),
            plaintext_read: 0,
            pending_out: Vec::new(),
            error: None,
            close_notify_received: false,
            close_pending: false,
            transport_eof: false,
            renegotiation_attempts: 0,
        }
    }

    /// Runs a side's first step (the client's ClientHello), which replaces the state.
    pub(crate) fn start(
        &mut self,
        step: impl FnOnce(&mut Common) -> Result<State, Error>,
    ) -> Result<(), Error> {
        self.state = Some(step(&mut self.common)?);
        Ok(())
    }

    /// Reads TLS bytes from `rd` into the connection's buffer (one `read` call).
    ///
    /// Returns the number of bytes read; 0 means the transport reached
    /// end-of-file. Call [`Connection::process`] afterwards.
    ///
    /// Fails (with [`crate::error::Limit::BufferedInput`] inside) when the
    /// input buffer is full because the application has not read the
    /// plaintext: read it, call `process`, then read more TLS bytes.
    pub fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
        let n = self.common.deframer.read_tls(rd)?;
        if n == 0 {
            self.transport_eof = true;
        }
        Ok(n)
    }

    /// Buffers TLS bytes the caller already has; returns how many were taken.
    pub fn read_tls_bytes(&mut self, bytes: &[u8]) -> Result<usize, Error> {
        self.common.deframer.push(bytes)
    }

    /// Writes queued TLS bytes to `wr` (one `write` call); returns how many were written.
    pub fn write_tls(&mut self, wr: &mut dyn io::Write) -> io::Result<usize> {
        if self.common.outgoing.is_empty() {
            return Ok(0);
        }
        let n = wr.write(&self.common.outgoing)?;
        // A writer claiming more than it was given must not make us panic.
        self.common
            .outgoing
            .drain(..n.min(self.common.outgoing.len()));
        // All written during the handshake: free the storage instead of
        // holding its capacity while the peer is slow to answer, or never does
        // (a half-open handshake). Afterwards it is reused record after record.
        if self.common.outgoing.is_empty() && !self.common.handshake_complete {
            self.common.outgoing = Vec::new();
        }
        Ok(n)
    }

    /// Takes all queued TLS bytes (for in-memory transports and tests).
    pub fn take_tls(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.common.outgoing)
    }

    /// True if there are TLS bytes waiting for [`Connection::write_tls`].
    pub fn wants_write(&self) -> bool {
        !self.common.outgoing.is_empty()
    }

    /// True while the connection can still make progress from more input.
    pub fn wants_read(&self) -> bool {
        self.error.is_none() && !self.close_notify_received && !self.transport_eof
    }

    /// True until the handshake has completed.
    pub fn is_handshaking(&self) -> bool {
        !self.common.handshake_complete
    }

    /// What the handshake negotiated so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.common.negotiated
    }

    /// Processes all complete records received so far: advances the
    /// handshake, collects application data, handles alerts.
    ///
    /// On a fatal error the matching alert is queued for the peer (flush it
    /// with [`Connection::write_tls`]) and the error is returned, now and on
    /// every later call.
    pub fn process(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match self.process_records() {
            Ok(()) => {
                // Between handshake flights the input buffer is usually empty
                // for a round trip, or for good if the peer left: free it. Once
                // the handshake is done it stays, reused record after record.
                if !self.common.handshake_complete {
                    self.common.deframer.release_if_empty();
                }
                Ok(())
            }
            Err(e) => {
                if let Some(alert) = e.alert() {
                    self.common.send_alert(AlertLevel::FATAL, alert);
                }
                self.state = None;
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }

    fn process_records(&mut self) -> Result<(), Error> {
        loop {
            // RFC 8446, Section 6.1: anything after close_notify is ignored.
            if self.close_notify_received {
                return Ok(());
            }
            // Stop (leaving records buffered) while the application has not read
            // what it has: a fast honest peer must not be cut off for that.
            let unread = self.plaintext_in.len().saturating_sub(self.plaintext_read);
            if unread.saturating_add(MAX_PLAINTEXT) > self.common.limits.max_buffered_plaintext {
                return Ok(());
            }
            let Some(record) = self
                .common
                .deframer
                .next_record(&mut self.common.decrypter)?
            else {
                break;
            };
            // Only a peer without keys yet sends a plaintext alert; after the
            // handshake one is an injection (a forged close_notify would truncate).
            if !record.protected
                && record.typ == ContentType::ALERT
                && self.common.handshake_complete
            {
                return Err(PeerMisbehaved::UnexpectedMessage {
                    expected: "a protected record",
                    got: "an unprotected alert".into(),
                }
                .into());
            }
            // RFC 8446, Section 5.1: no other record type between the fragments
            // of one handshake message.
            self.common.joiner.check_not_interleaved(record.typ)?;
            match record.typ {
                ContentType::HANDSHAKE => self.common.joiner.push(record.payload)?,
                ContentType::APPLICATION_DATA => {
                    if !self.common.handshake_complete {
                        return Err(PeerMisbehaved::UnexpectedMessage {
                            expected: "a handshake message",
                            got: "application data".into(),
                        }
                        .into());
                    }
                    self.common.key_updates_in_a_row = 0;
                    // The pause above keeps this from firing; it is the hard
                    // bound should that logic ever change.
                    let unread = self.plaintext_in.len().saturating_sub(self.plaintext_read);
                    if unread.saturating_add(record.payload.len())
                        > self.common.limits.max_buffered_plaintext
                    {
                        return Err(Limit::BufferedPlaintext(
                            self.common.limits.max_buffered_plaintext,
                        )
                        .into());
                    }
                    self.plaintext_in.extend_from_slice(record.payload);
                }
                ContentType::ALERT => {
                    let alert = Alert::decode(record.payload)?;
                    self.receive_alert(alert)?;
                }
                ContentType::CHANGE_CIPHER_SPEC => {
                    let ok_payload = record.payload == [1];
                    self.receive_change_cipher_spec(ok_payload)?;
                }
                other => return Err(InvalidMessage::UnknownContentType(other.0).into()),
            }
            self.process_handshake_messages()?;
        }
        if self.transport_eof && !self.common.handshake_complete && self.error.is_none() {
            return Err(Error::UnexpectedEof);
        }
        Ok(())
    }

    fn process_handshake_messages(&mut self) -> Result<(), Error> {
        while let Some(joined) = self.common.joiner.next_message() {
            let epoch = self.common.read_epoch;
            let msg = match self.common.is_tls12() {
                true => HandshakeMessage::decode_tls12(joined.typ, joined.body())?,
                false => HandshakeMessage::decode(joined.typ, joined.body())?,
            };
            // Checked once here, before any step looks at the extensions. The
            // decode before it finds duplicates with a set (n log n, never a
            // quadratic scan), so even a 64 KiB ClientHello of 16,000 empty
            // extensions costs a few milliseconds and a short-lived list.
            let max = self.common.limits.max_extensions;
            if msg.extension_count() > max {
                let message = msg.handshake_type();
                return Err(Limit::Extensions { message, max }.into());
            }
            let raw = joined.encoded;
            self.common.emit(Event::Received(&msg));
            if self.common.handshake_complete {
                self.process_post_handshake(msg)?;
            } else {
                let state = self.state.take().ok_or(Error::ConnectionClosed)?;
                let next = match state {
                    State::Client(s) => State::Client(s.handle(&mut self.common, msg, &raw)?),
                    State::Server(s) => State::Server(s.handle(&mut self.common, msg, &raw)?),
                };
                self.state = Some(next);
                if self.common.handshake_complete {
                    let pending = core::mem::take(&mut self.pending_out);
                    self.common.send_application_data(&pending)?;
                    if self.close_pending {
                        self.close_pending = false;
                        self.common
                            .send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY);
                    }
                }
            }
            // RFC 8446, Section 5.1: handshake messages MUST NOT span key changes.
            if epoch != self.common.read_epoch {
                self.common.joiner.check_key_change_boundary()?;
            }
        }
        Ok(())
    }

    fn process_post_handshake(&mut self, msg: HandshakeMessage) -> Result<(), Error> {
        match msg {
            // RFC 5746, Section 4.2/4.4 and RFC 5246, Section 7.2.2: we never
            // renegotiate; a HelloRequest (to a client) or a new ClientHello (to
            // a server) gets a no_renegotiation warning and the connection goes on.
            HandshakeMessage::HelloRequest
                if self.common.is_tls12() && self.common.side == Side::Client =>
            {
                self.refuse_renegotiation()
            }
            HandshakeMessage::ClientHello(_)
                if self.common.is_tls12() && self.common.side == Side::Server =>
            {
                self.refuse_renegotiation()
            }
            HandshakeMessage::KeyUpdate(_) if self.common.is_tls12() => {
                Err(PeerMisbehaved::UnexpectedMessage {
                    expected: "no handshake message after a TLS 1.2 handshake",
                    got: "key_update".into(),
                }
                .into())
            }
            HandshakeMessage::KeyUpdate(ku) => self.common.receive_key_update(&ku),
            // Tickets are accepted and dropped: this client does not resume sessions yet.
            HandshakeMessage::NewSessionTicket(_) if self.common.side == Side::Client => Ok(()),
            other => Err(PeerMisbehaved::UnexpectedMessage {
                expected: "KeyUpdate or NewSessionTicket after the handshake",
                got: format!("{:?}", other.handshake_type()),
            }
            .into()),
        }
    }

    /// Answers a renegotiation attempt with a no_renegotiation warning; a peer
    /// that keeps trying (each attempt costs us an alert record) is cut off.
    fn refuse_renegotiation(&mut self) -> Result<(), Error> {
        self.renegotiation_attempts = self.renegotiation_attempts.saturating_add(1);
        let max = self.common.limits.max_renegotiation_attempts;
        if self.renegotiation_attempts > max {
            return Err(Limit::RenegotiationAttempts(max).into());
        }
        self.common
            .send_alert(AlertLevel::WARNING, AlertDescription::NO_RENEGOTIATION);
        Ok(())
    }

    fn receive_alert(&mut self, alert: Alert) -> Result<(), Error> {
        self.common.emit(Event::AlertReceived(alert.description));
        match alert.description {
            // A close_notify before the handshake is done ends nothing orderly:
            // the connection never got going, so it is reported as an error.
            AlertDescription::CLOSE_NOTIFY if !self.common.handshake_complete => {
                Err(Error::AlertReceived(alert.description))
            }
            AlertDescription::CLOSE_NOTIFY => {
                self.close_notify_received = true;
                Ok(())
            }
            // RFC 8446, Section 6.1: user_canceled is the one other alert that is
            // not an error; in TLS 1.2 (RFC 5246, Section 7.2) every warning is not.
            AlertDescription::USER_CANCELED if alert.level == AlertLevel::WARNING => {
                self.count_warning()
            }
            _ if alert.level == AlertLevel::WARNING && self.common.is_tls12() => {
                self.count_warning()
            }
            // RFC 8446, Section 6.2: every other alert is fatal whatever its level.
            other => Err(Error::AlertReceived(other)),
        }
    }

    /// Warnings are not errors, but a peer sending them in a loop is cut off.
    fn count_warning(&mut self) -> Result<(), Error> {
        self.common.warnings_received = self.common.warnings_received.saturating_add(1);
        if self.common.warnings_received > self.common.limits.max_warning_alerts {
            return Err(Limit::WarningAlerts(self.common.limits.max_warning_alerts).into());
        }
        Ok(())
    }

    /// RFC 8446, Section 5: a change_cipher_spec record holding the single byte
    /// 0x01 is dropped if it arrives after the first ClientHello and before the
    /// peer's Finished; anywhere else it is unexpected_message.
    ///
    /// In TLS 1.2 it is a protocol message (RFC 5246, Section 7.1): it switches
    /// the read keys, so the handshake step decides whether it is expected, and
    /// it may not split a handshake message.
    fn receive_change_cipher_spec(&mut self, ok_payload: bool) -> Result<(), Error> {
        if !ok_payload {
            return Err(InvalidMessage::BadChangeCipherSpec.into());
        }
        if self.common.is_tls12() && !self.common.handshake_complete {
            self.common.joiner.check_key_change_boundary()?;
            let state = self.state.take().ok_or(Error::ConnectionClosed)?;
            let next = match state {
                State::Client(s) => State::Client(s.handle_change_cipher_spec(&mut self.common)?),
                State::Server(s) => State::Server(s.handle_change_cipher_spec(&mut self.common)?),
            };
            self.state = Some(next);
            return Ok(());
        }
        if !self.common.hello_seen || self.common.handshake_complete {
            return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into());
        }
        self.common.ccs_received = self.common.ccs_received.saturating_add(1);
        if self.common.ccs_received > self.common.limits.max_change_cipher_spec {
            return Err(Limit::ChangeCipherSpecs(self.common.limits.max_change_cipher_spec).into());
        }
        Ok(())
    }

    /// Reads received application data into `buf`.
    ///
    /// Data received before a failure is still returned first. Then: the
    /// error that ended the connection; `Ok(0)` once the peer has sent
    /// close_notify; an `UnexpectedEof` error if the transport closed without
    /// close_notify (the data may have been truncated); `WouldBlock` if no data
    /// is buffered yet (call `read_tls` and `process`).
    pub fn read_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self
            .plaintext_in
            .get(self.plaintext_read..)
            .unwrap_or_default();
        if !available.is_empty() {
            let n = available.len().min(buf.len());
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
                dst.copy_from_slice(src);
            }
            self.plaintext_read = self.plaintext_read.saturating_add(n);
            if self.plaintext_read == self.plaintext_in.len() {
                self.plaintext_in.clear();
                self.plaintext_read = 0;
            }
            return Ok(n);
        }
        if let Some(e) = &self.error {
            return Err(io::Error::other(e.clone()));
        }
        if self.close_notify_received {
            return Ok(0);
        }
        if self.transport_eof {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                Error::UnexpectedEof,
            ));
        }
        Err(io::ErrorKind::WouldBlock.into())
    }

    /// Queues application data for sending; before the handshake completes it
    /// is buffered (up to `Limits::max_pending_plaintext`) and sent right after.
    pub fn write_plaintext(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.common.sent_close {
            return Err(Error::WriteAfterClose);
        }
        if !self.common.handshake_complete {
            let room = self
                .common
                .limits
                .max_pending_plaintext
                .saturating_sub(self.pending_out.len());
            let taken = data.get(..room.min(data.len())).unwrap_or_default();
            self.pending_out.extend_from_slice(taken);
            return Ok(taken.len());
        }
        self.common.send_application_data(data)
    }

    /// Queues a close_notify alert: we will send no more data. Mid-handshake,
    /// it goes out after the handshake and any data already written.
    pub fn send_close_notify(&mut self) {
        if self.common.sent_close || self.error.is_some() {
            return;
        }
        self.common.sent_close = true;
        match self.common.handshake_complete {
            true => self
                .common
                .send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY),
            false => self.close_pending = true,
        }
    }

    /// True if received application data is waiting to be read.
    pub fn has_plaintext(&self) -> bool {
        self.plaintext_read < self.plaintext_in.len()
    }

    /// True once the peer has sent close_notify.
    pub fn peer_has_closed(&self) -> bool {
        self.close_notify_received
    }

    /// Sends a KeyUpdate and moves to new sending keys; with `request_peer`,
    /// asks the peer to update its keys too (RFC 8446, Section 4.6.3).
    pub fn update_keys(&mut self, request_peer: bool) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.common.sent_close {
            return Err(Error::WriteAfterClose);
        }
        if !self.common.handshake_complete {
            return Err(Error::ApiMisuse(
                "KeyUpdate is only possible after the handshake",
            ));
        }
        let request = match request_peer {
            true => {
                // The peer's answer to this request must not count as a flood.
                self.common.key_updates_in_a_row = 0;
                KeyUpdateRequest::UPDATE_REQUESTED
            }
            false => KeyUpdateRequest::UPDATE_NOT_REQUESTED,
        };
        self.common.send_key_update(request)
    }

    /// Derives keying material for another protocol (RFC 8446, Section 7.5).
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: &[u8],
    ) -> Result<(), Error> {
        match &self.common.exporter {
            Some(Exporter::Tls13(secret)) => secret.export(label, context, out),
            // RFC 5705, Section 4: the TLS 1.3 exporter always mixes in a context;
            // we pass the caller's (possibly empty) context the same way here.
            Some(Exporter::Tls12 {
                master,
                client_random,
                server_random,
            }) => master.export(label, client_random, server_random, Some(context), out),
            None => Err(Error::ApiMisuse(
                "keying material can only be exported after the handshake",
            )),
        }
    }

    /// A reader over received application data (see [`Connection::read_plaintext`]).
    pub fn reader(&mut self) -> PlaintextReader<'_> {
        PlaintextReader { conn: self }
    }

    /// A writer that queues application data (see [`Connection::write_plaintext`]).
    pub fn writer(&mut self) -> PlaintextWriter<'_> {
        PlaintextWriter { conn: self }
    }

    /// The error that ended the connection, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
}

/// Reads received application data from a [`Connection`].
#[derive(Debug)]
pub struct PlaintextReader<'a> {
    conn: &'a mut Connection,
}

impl io::Read for PlaintextReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.conn.read_plaintext(buf)
    }
}

/// Queues application data on a [`Connection`].
#[derive(Debug)]
pub struct PlaintextWriter<'a> {
    conn: &'a mut Connection,
}

impl io::Write for PlaintextWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.conn.write_plaintext(buf).map_err(io::Error::other)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
