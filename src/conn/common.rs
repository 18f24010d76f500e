//! The state every handshake step shares: the record layer (both
//! directions), installed keys, the outgoing buffer, and what was negotiated.
//! Handshake steps reach it through the methods below; nothing here decides
//! what a peer may send (that is [`super::admission`]).
// Wire-facing code: no panic and no silent wrap-around on values a peer
// controls. Tests may unwrap, expect and index (clippy.toml).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::sync::Arc;

use super::Negotiated;
use crate::codec::messages::{Alert, HandshakeMessage, KeyUpdate};
use crate::codec::{AlertDescription, AlertLevel, ContentType, KeyUpdateRequest, ProtocolVersion};
use crate::crypto::AeadAlgorithm;
use crate::crypto::{Rng, Tls13Suite};
use crate::error::{Error, InvalidMessage, Limit};
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

/// Room made for encoding one handshake message: a ClientHello with a
/// post-quantum key share, a ServerHello answering it, or a certificate
/// chain of two ECDSA certificates.
const ENCODE_CAPACITY: usize = 2048;

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

    pub(super) deframer: Deframer,
    pub(super) joiner: HandshakeJoiner,
    pub(super) decrypter: RecordDecrypter,
    encrypter: RecordEncrypter,
    /// Incremented whenever read keys change, to catch handshake messages spanning a key change.
    pub(super) read_epoch: u64,
    /// Sealed records waiting for `write_tls`.
    pub(super) outgoing: Vec<u8>,
    /// Where handshake messages are encoded, kept from message to message
    /// while a flight is written.
    pub(super) encoded: Vec<u8>,
    /// The record_size_limit the peer advertised (RFC 8449), if any.
    pub peer_record_size_limit: Option<u16>,
    /// The record_size_limit we advertised, once the peer acknowledged it:
    /// its protected records must fit (RFC 8449, Section 4).
    pub record_size_limit: Option<u16>,
    /// Record version for plaintext records (0x0301 for the first ClientHello, as is customary).
    plaintext_version: ProtocolVersion,

    /// Application traffic secrets, for KeyUpdate.
    traffic: Option<TrafficState>,
    pub(super) exporter: Option<Exporter>,

    pub handshake_complete: bool,
    /// Client: how many more bytes of 0-RTT early data may be sent now (0
    /// unless an early key is installed and the ServerHello has not come).
    pub early_data_to_send: usize,
    /// Server: 0-RTT data is accepted, and how many more bytes may come
    /// before the EndOfEarlyData (RFC 8446, Section 4.2.10).
    pub early_data_to_receive: Option<usize>,
    /// Server: early data the client sent is being skipped (RFC 8446,
    /// Section 4.2.10), and how.
    pub skip_early_data: Option<SkipEarlyData>,
    /// A ClientHello has been sent or received: CCS records may now be ignored.
    pub hello_seen: bool,
    pub(super) ccs_received: usize,
    pub(super) warnings_received: usize,
    pub(super) key_updates_in_a_row: usize,
    /// We sent (or, mid-handshake, queued) our close_notify: no more data.
    pub(super) sent_close: bool,
}

/// How a server skips 0-RTT data it did not accept (RFC 8446, Section
/// 4.2.10), with how many more bytes it may skip
/// (`Limits::max_skipped_early_data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SkipEarlyData {
    /// Records that do not open under the client's handshake key are early
    /// data and are dropped, until one opens.
    TrialDecrypt(usize),
    /// After a HelloRetryRequest: protected records (outer type
    /// application_data) are dropped until the second ClientHello.
    UntilClientHello(usize),
}

/// What `export_keying_material` derives from, by version.
pub(super) enum Exporter {
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
    pub(super) fn new(
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
            encoded: Vec::new(),
            peer_record_size_limit: None,
            record_size_limit: None,
            plaintext_version: ProtocolVersion::TLS12,
            traffic: None,
            exporter: None,
            handshake_complete: false,
            hello_seen: false,
            early_data_to_send: 0,
            early_data_to_receive: None,
            skip_early_data: None,
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
        // Most handshake messages fit: one allocation per flight instead of
        // one per message, or per doubling while a certificate chain is
        // written.
        let mut bytes = core::mem::take(&mut self.encoded);
        bytes.clear();
        bytes.reserve(ENCODE_CAPACITY);
        msg.encode(&mut bytes)?;
        transcript.add(&bytes);
        self.emit(Event::Sent(msg));
        let sent = self.send_records(ContentType::HANDSHAKE, &bytes);
        self.encoded = bytes;
        sent
    }

    /// Frees what the handshake reuses from message to message (the encoding
    /// buffer and the joiner's spare storage): called whenever the
    /// connection has done what it can and waits for its peer, which may be
    /// slow or never answer, so a half-open handshake holds no spare buffers.
    pub(super) fn release_handshake_buffers(&mut self) {
        self.encoded = Vec::new();
        self.joiner.release();
    }

    /// Encodes `msg` and queues it under the current write keys without
    /// adding it to a transcript: a post-handshake message (RFC 8446,
    /// Section 4.6) or EndOfEarlyData's like.
    pub fn send_post_handshake(&mut self, msg: &HandshakeMessage) -> Result<(), Error> {
        let mut bytes = Vec::new();
        msg.encode(&mut bytes)?;
        self.emit(Event::Sent(msg));
        self.send_records(ContentType::HANDSHAKE, &bytes)
    }

    /// Goes back to plaintext records: a client whose 0-RTT was cut short
    /// by a HelloRetryRequest sends its second ClientHello in the clear.
    pub fn uninstall_write_keys(&mut self) {
        self.encrypter = RecordEncrypter::None;
        self.early_data_to_send = 0;
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
        let decrypter = secret.with_keys(suite.aead, |key, iv| {
            Tls13Decrypter::new(suite.aead, key, iv)
        })?;
        self.install_decrypter(RecordDecrypter::Tls13(decrypter), name);
        Ok(())
    }

    /// Installs TLS 1.3 write keys derived from `secret`.
    pub fn install_write_secret(
        &mut self,
        suite: Tls13Suite,
        secret: &TrafficSecret,
        name: &'static str,
    ) -> Result<(), Error> {
        let encrypter = secret.with_keys(suite.aead, |key, iv| {
            Tls13Encrypter::new(suite.aead, key, iv)
        })?;
        self.install_encrypter(RecordEncrypter::Tls13(encrypter), name);
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
        let decrypter = Tls12Decrypter::new(aead, key, iv)?;
        self.install_decrypter(RecordDecrypter::Tls12(decrypter), name);
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
        let encrypter = Tls12Encrypter::new(aead, key, iv)?;
        self.install_encrypter(RecordEncrypter::Tls12(encrypter), name);
        Ok(())
    }

    /// Reads with `decrypter` from now on (a new read epoch), and says so.
    fn install_decrypter(&mut self, decrypter: RecordDecrypter, name: &'static str) {
        self.decrypter = decrypter;
        // Only ever compared for a change, so wrapping is harmless.
        self.read_epoch = self.read_epoch.wrapping_add(1);
        self.emit(Event::KeyInstalled {
            direction: Direction::Read,
            secret: name,
        });
    }

    /// Writes with `encrypter` from now on, and says so.
    fn install_encrypter(&mut self, encrypter: RecordEncrypter, name: &'static str) {
        self.encrypter = encrypter;
        self.emit(Event::KeyInstalled {
            direction: Direction::Write,
            secret: name,
        });
    }

    /// The negotiated version is TLS 1.2.
    pub fn is_tls12(&self) -> bool {
        self.negotiated.version == Some(ProtocolVersion::TLS12)
    }

    /// Sends a KeyUpdate and switches to the next write secret (RFC 8446, Section 4.6.3).
    pub(super) fn send_key_update(&mut self, request: KeyUpdateRequest) -> Result<(), Error> {
        let msg = HandshakeMessage::KeyUpdate(KeyUpdate {
            request_update: request,
        });
        self.send_post_handshake(&msg)?;
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
    pub(super) fn receive_key_update(&mut self, ku: &KeyUpdate) -> Result<(), Error> {
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
    pub(super) fn send_application_data(&mut self, data: &[u8]) -> Result<usize, Error> {
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

    /// Client: seals 0-RTT early data under the early traffic key; the
    /// caller has already cut `data` to `early_data_to_send`.
    pub(super) fn send_early_data(&mut self, data: &[u8]) -> Result<(), Error> {
        self.send_records(ContentType::APPLICATION_DATA, data)?;
        self.early_data_to_send = self.early_data_to_send.saturating_sub(data.len());
        Ok(())
    }

    pub(super) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
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
