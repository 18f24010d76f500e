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

mod admission;
mod common;

pub(crate) use common::{Common, SkipEarlyData};

use std::io;
use std::sync::Arc;

use admission::{AlertMeaning, Phase, PostHandshake, Record};
use common::Exporter;

use crate::codec::messages::{Alert, HandshakeMessage};
use crate::codec::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, KeyUpdateRequest, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use crate::crypto::Rng;
use crate::error::{Error, InvalidMessage, Limit};
use crate::events::{Event, Observer, Side};
use crate::keylog::KeyLog;
use crate::limits::Limits;
use crate::record::MAX_PLAINTEXT;
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
    /// The DER OCSP response the server stapled (RFC 6066, Section 8; RFC
    /// 8446, Section 4.4.2.1): on a client, the one its verifier was given
    /// and accepted; on a server, the one it sent.
    pub ocsp_response: Option<Vec<u8>>,
    /// True if the handshake resumed an earlier session (a TLS 1.3 PSK, a
    /// TLS 1.2 session ID or ticket): no certificate was sent, and the peer
    /// identity is the one the original handshake established.
    pub resumed: bool,
    /// What became of 0-RTT early data.
    pub early_data: EarlyData,
}

/// What became of 0-RTT early data (RFC 8446, Section 4.2.10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EarlyData {
    /// None was offered.
    #[default]
    NotOffered,
    /// The client offered it and the server took it.
    Accepted,
    /// The client offered it and the server skipped it: the client must
    /// send it again as ordinary data if it still wants to.
    Rejected,
}

/// The handshake state of one side.
pub(crate) enum State {
    Client(client::ClientState),
    Server(server::ServerState),
}

impl State {
    /// Hands one handshake message to the side's state machine, which picks
    /// the version's step.
    fn handle(self, cx: &mut Common, msg: HandshakeMessage, raw: &[u8]) -> Result<State, Error> {
        Ok(match self {
            State::Client(s) => State::Client(s.handle(cx, msg, raw)?),
            State::Server(s) => State::Server(s.handle(cx, msg, raw)?),
        })
    }

    /// A TLS 1.2 ChangeCipherSpec for the side's state machine.
    fn handle_change_cipher_spec(self, cx: &mut Common) -> Result<State, Error> {
        Ok(match self {
            State::Client(s) => State::Client(s.handle_change_cipher_spec(cx)?),
            State::Server(s) => State::Server(s.handle_change_cipher_spec(cx)?),
        })
    }
}

/// Counts `len` bytes of skipped 0-RTT data against what is `left` of
/// `Limits::max_skipped_early_data` (`max`).
fn spend_skipped(left: usize, len: usize, max: usize) -> Result<usize, Error> {
    left.checked_sub(len)
        .ok_or(Limit::SkippedEarlyData(max).into())
}

/// A change_cipher_spec record holds the single byte 1 (RFC 5246, Section
/// 7.1; RFC 8446, Section 5).
fn check_change_cipher_spec(payload: &[u8]) -> Result<(), Error> {
    match payload {
        [1] => Ok(()),
        _ => Err(InvalidMessage::BadChangeCipherSpec.into()),
    }
}

/// A TLS connection without I/O: bytes in, bytes out, plaintext in, plaintext out.
///
/// [`crate::ClientConnection`] and [`crate::ServerConnection`] dereference to
/// this type, which holds everything the two sides share.
pub struct Connection {
    common: Common,
    /// `None` while a step runs, or after a fatal error.
    state: Option<State>,
    /// Server: 0-RTT early data received and not yet read.
    early_data_in: Vec<u8>,
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
            early_data_in: Vec::new(),
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
        self.common.release_handshake_buffers();
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
        // All written: free the storage instead of holding its capacity while
        // the peer is slow to answer, or never does (a half-open handshake),
        // or while the application has nothing more to send (an idle
        // connection).
        if self.common.outgoing.is_empty() {
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
                // Between handshake flights, or once every record is processed
                // and read, the input buffer is usually empty for a round trip,
                // or for good if the peer left: free it, and the buffers the
                // handshake reuses within a flight.
                self.common.deframer.release_if_empty();
                self.common.release_handshake_buffers();
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

    /// Where the connection stands, for the admission tables.
    fn phase(&self) -> Phase {
        let early = self.common.early_data_to_receive.is_some();
        match (
            self.common.handshake_complete,
            self.common.hello_seen,
            early,
        ) {
            (true, _, _) => Phase::Traffic,
            (false, true, true) => Phase::EarlyData,
            (false, true, false) => Phase::Handshake,
            (false, false, _) => Phase::AwaitingHello,
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
            let unread = self.common.deframer.application_data().len();
            if unread.saturating_add(MAX_PLAINTEXT) > self.common.limits.max_buffered_plaintext {
                return Ok(());
            }
            let (phase, version) = (self.phase(), self.common.negotiated.version);
            // RFC 8446, Section 4.2.10: a server that did not accept 0-RTT data
            // steps over it. After a HelloRetryRequest every protected record
            // before the second ClientHello is early data; otherwise it is every
            // record that does not open under the client's handshake key, until
            // one does.
            let skip = self.common.skip_early_data;
            let front = self.common.deframer.peek_record();
            let max_skip = self.common.limits.max_skipped_early_data;
            if let (
                Some(SkipEarlyData::UntilClientHello(left)),
                Some((ContentType::APPLICATION_DATA, len)),
            ) = (skip, front)
            {
                let left = spend_skipped(left, len, max_skip)?;
                self.common.skip_early_data = Some(SkipEarlyData::UntilClientHello(left));
                self.common.deframer.skip_record();
                continue;
            }
            let record = match self.common.deframer.next_record(&mut self.common.decrypter) {
                // The record is consumed either way.
                Err(Error::DecryptFailed) => match (skip, front) {
                    (Some(SkipEarlyData::TrialDecrypt(left)), Some((_, len))) => {
                        let left = spend_skipped(left, len, max_skip)?;
                        self.common.skip_early_data = Some(SkipEarlyData::TrialDecrypt(left));
                        continue;
                    }
                    _ => return Err(Error::DecryptFailed),
                },
                Err(e) => return Err(e),
                Ok(None) => break,
                Ok(Some(record)) => record,
            };
            // The first record that opens is the client's real flight.
            if record.protected && matches!(skip, Some(SkipEarlyData::TrialDecrypt(_))) {
                self.common.skip_early_data = None;
            }
            let action = admission::record(record.typ, record.protected, version, phase)?;
            let limit = self.common.record_size_limit;
            admission::record_size(record.payload.len(), record.protected, version, limit)?;
            // RFC 8446, Section 5.1: no other record type between the fragments
            // of one handshake message.
            self.common.joiner.check_not_interleaved(record.typ)?;
            match action {
                Record::Handshake => self.common.joiner.push(record.payload)?,
                Record::ApplicationData => {
                    self.common.key_updates_in_a_row = 0;
                    // The pause above keeps this from firing; it is the hard
                    // bound should that logic ever change.
                    let payload_len = record.payload.len();
                    let unread = self.common.deframer.application_data().len();
                    if unread.saturating_add(payload_len)
                        > self.common.limits.max_buffered_plaintext
                    {
                        return Err(Limit::BufferedPlaintext(
                            self.common.limits.max_buffered_plaintext,
                        )
                        .into());
                    }
                    // No copy: the reader is served from the record buffer.
                    self.common.deframer.keep_application_data();
                }
                Record::EarlyData => {
                    let left = self
                        .common
                        .early_data_to_receive
                        .and_then(|left| left.checked_sub(record.payload.len()))
                        .ok_or(Limit::EarlyData)?;
                    self.common.early_data_to_receive = Some(left);
                    self.early_data_in.extend_from_slice(record.payload);
                }
                Record::Alert => {
                    let alert = Alert::decode(record.payload)?;
                    self.receive_alert(alert)?;
                }
                Record::ChangeCipherSpec => {
                    check_change_cipher_spec(record.payload)?;
                    // RFC 5246, Section 7.1: it switches the read keys, so it
                    // may not split a handshake message.
                    self.common.joiner.check_key_change_boundary()?;
                    let state = self.state.take().ok_or(Error::ConnectionClosed)?;
                    self.state = Some(state.handle_change_cipher_spec(&mut self.common)?);
                }
                Record::IgnoredChangeCipherSpec => {
                    check_change_cipher_spec(record.payload)?;
                    self.common.ccs_received = self.common.ccs_received.saturating_add(1);
                    let max = self.common.limits.max_change_cipher_spec;
                    if self.common.ccs_received > max {
                        return Err(Limit::ChangeCipherSpecs(max).into());
                    }
                }
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
            let msg = admission::handshake_message(
                self.common.side,
                self.phase(),
                self.common.negotiated.version,
                joined.typ,
                joined.body(),
            )?;
            // Checked once here, before any step looks at the extensions. The
            // decode before it finds duplicates with a set (n log n, never a
            // quadratic scan), so even the largest extension block costs a
            // few milliseconds and a short-lived list.
            let max = self.common.limits.max_extensions;
            if msg.extension_count() > max {
                let message = msg.handshake_type();
                return Err(Limit::Extensions { message, max }.into());
            }
            let raw = joined.encoded;
            self.common.emit(Event::Received(&msg));
            if self.common.handshake_complete {
                self.process_post_handshake(msg, &raw)?;
            } else {
                let state = self.state.take().ok_or(Error::ConnectionClosed)?;
                self.state = Some(state.handle(&mut self.common, msg, &raw)?);
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
            self.common.joiner.recycle(raw);
            // RFC 8446, Section 5.1: handshake messages MUST NOT span key changes.
            if epoch != self.common.read_epoch {
                self.common.joiner.check_key_change_boundary()?;
            }
        }
        Ok(())
    }

    fn process_post_handshake(&mut self, msg: HandshakeMessage, raw: &[u8]) -> Result<(), Error> {
        let version = self.common.negotiated.version;
        match admission::post_handshake(msg, self.common.side, version)? {
            PostHandshake::RefuseRenegotiation => self.refuse_renegotiation(),
            PostHandshake::KeyUpdate(ku) => self.common.receive_key_update(&ku),
            PostHandshake::StateMachine(msg) => {
                let state = self.state.take().ok_or(Error::ConnectionClosed)?;
                self.state = Some(state.handle(&mut self.common, msg, raw)?);
                Ok(())
            }
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
        match admission::alert(alert, self.common.negotiated.version, self.phase()) {
            AlertMeaning::PeerClosed => {
                self.close_notify_received = true;
                Ok(())
            }
            // Warnings are not errors, but a peer sending them in a loop is cut off.
            AlertMeaning::Warning => {
                self.common.warnings_received = self.common.warnings_received.saturating_add(1);
                let max = self.common.limits.max_warning_alerts;
                match self.common.warnings_received > max {
                    true => Err(Limit::WarningAlerts(max).into()),
                    false => Ok(()),
                }
            }
            AlertMeaning::Fatal(error) => Err(error),
        }
    }

    /// Reads received application data into `buf`.
    ///
    /// Data received before a failure is still returned first. Then: the
    /// error that ended the connection; `Ok(0)` once the peer has sent
    /// close_notify; an `UnexpectedEof` error if the transport closed without
    /// close_notify (the data may have been truncated); `WouldBlock` if no data
    /// is buffered yet (call `read_tls` and `process`).
    pub fn read_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.received()?;
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume_plaintext(n);
        Ok(n)
    }

    /// The received application data not yet read, straight from the
    /// buffer its record was decrypted in; empty at the orderly end; the
    /// errors of [`Connection::read_plaintext`] when there is none.
    fn received(&self) -> io::Result<&[u8]> {
        let available = self.common.deframer.application_data();
        if !available.is_empty() {
            return Ok(available);
        }
        if let Some(e) = &self.error {
            return Err(io::Error::other(e.clone()));
        }
        if self.close_notify_received {
            return Ok(&[]);
        }
        if self.transport_eof {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                Error::UnexpectedEof,
            ));
        }
        Err(io::ErrorKind::WouldBlock.into())
    }

    /// Marks `n` bytes of received data as read. Once all of it is read and
    /// no input is pending, the input buffer is freed, so a connection
    /// waiting for its peer holds none.
    fn consume_plaintext(&mut self, n: usize) {
        self.common.deframer.consume_application_data(n);
        self.common.deframer.release_if_empty();
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

    /// Server: reads 0-RTT early data the server accepted into `buf`;
    /// returns how many bytes (0 when there is none). Early data may be a
    /// replay (RFC 8446, Section 8): act only on requests that are safe to
    /// repeat. It arrives before the handshake completes, and is never mixed
    /// into what [`Connection::read_plaintext`] returns.
    pub fn read_early_data(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.early_data_in.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), self.early_data_in.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.early_data_in.drain(..n);
        n
    }

    /// Client: sends 0-RTT early data with the ClientHello (RFC 8446,
    /// Section 4.2.10); returns how much was taken (up to what the ticket
    /// allows). Possible only when the config enables early data and a
    /// ticket that allows it was offered, and only until the ServerHello is
    /// processed ([`ApiMisuse`](Error::ApiMisuse) otherwise). Whether the
    /// server accepted it shows in [`Negotiated::early_data`] once the
    /// handshake is done; resend rejected data with
    /// [`Connection::write_plaintext`]. Early data can be replayed by an
    /// attacker: send only what is safe to repeat.
    pub fn write_early_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let room = self.common.early_data_to_send;
        if room == 0 {
            return Err(Error::ApiMisuse(
                "0-RTT early data is not possible now (no ticket that allows it, \
                 not enabled, or past the ServerHello)",
            ));
        }
        let taken = data.get(..room.min(data.len())).unwrap_or_default();
        self.common.send_early_data(taken)?;
        Ok(taken.len())
    }

    /// True if received application data is waiting to be read.
    pub fn has_plaintext(&self) -> bool {
        !self.common.deframer.application_data().is_empty()
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

/// Lends received application data without copying it: `fill_buf` returns
/// the plaintext of the records received so far, where it was decrypted,
/// and `consume` marks what the application used.
///
/// `fill_buf` returns an empty slice at the orderly end (after the peer's
/// close_notify) and the errors of [`Connection::read_plaintext`] otherwise
/// (`WouldBlock` when nothing is buffered yet). The slice may hold less
/// than all the data received; consuming it makes the rest available.
impl io::BufRead for PlaintextReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.conn.received()
    }

    fn consume(&mut self, amt: usize) {
        self.conn.consume_plaintext(amt);
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

#[cfg(test)]
#[cfg(feature = "fuzzing")]
mod tests {
    use std::sync::Arc;

    use crate::fuzzing::{client_config_builder, server_config_builder, SERVER_NAME};
    use crate::{ClientConnection, ProtocolVersion, ServerConnection};

    /// The handshake reuses its encoding and joining buffers within a
    /// flight, and frees them whenever the connection waits for its peer:
    /// after every `process` call and after the first flight, in both
    /// versions, on both sides.
    #[test]
    fn handshake_buffers_are_freed_while_waiting_for_the_peer() {
        for version in [ProtocolVersion::TLS13, ProtocolVersion::TLS12] {
            let client = client_config_builder()
                .versions(&[version])
                .build()
                .unwrap();
            let server = server_config_builder().build().unwrap();
            let mut c = ClientConnection::new(Arc::new(client), SERVER_NAME).unwrap();
            let mut s = ServerConnection::new(Arc::new(server));
            let idle = |conn: &crate::Connection| {
                conn.common.encoded.capacity() == 0 && conn.common.joiner.capacity() == 0
            };
            assert!(idle(&c), "{version:?}: after the ClientHello");
            for flight in 0..10 {
                s.read_tls_bytes(&c.take_tls()).unwrap();
                s.process().unwrap();
                assert!(idle(&s), "{version:?}: server, flight {flight}");
                c.read_tls_bytes(&s.take_tls()).unwrap();
                c.process().unwrap();
                assert!(idle(&c), "{version:?}: client, flight {flight}");
            }
            assert!(!c.is_handshaking() && !s.is_handshaking());
        }
    }
}
