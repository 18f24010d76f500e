//! A hostile peer in the middle, for negative tests of the handshake.
//!
//! Each endpoint logs its secrets to a [`KeyCapture`]; a [`Wire`] between
//! them takes each flight, opens every protected record with the traffic keys
//! the sender derived, and hands the test the flight as a list of
//! messages. The test flips a byte of a signature, a Finished, a cookie or a
//! binder, drops a message or reorders two, and the wire seals the flight again
//! under the keys the receiver derived (the same ones, unless the test changed
//! a message both transcripts include), with the sequence numbers the
//! receiver expects: what is tested is the receiver's check of that field,
//! not its record layer.
//!
//! The record protection here is written against RFC 8446, Section 5.2 and
//! RFC 5246, Section 6.2.3.3 directly on `ring`, independently of keyway's own
//! record layer.

use std::sync::{Arc, Mutex};

use keyway::codec::messages::{ClientHello, HandshakeMessage};
use keyway::codec::HandshakeType;
use keyway::events::Side;
use keyway::{
    AlertDescription, ClientConfigBuilder, ClientConnection, Connection, Error,
    ServerConfigBuilder, ServerConnection,
};
use ring::{aead, hmac};

/// One key log line: label, client random, secret.
type Logged = (String, [u8; 32], Vec<u8>);

/// Records every secret both endpoints log, by label.
#[derive(Debug, Default)]
pub struct KeyCapture(Mutex<Vec<Logged>>);

impl keyway::keylog::KeyLog for KeyCapture {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_string(), *client_random, secret.to_vec()));
    }
}

impl KeyCapture {
    /// The secret logged under `label` for the connection with `client_random`.
    pub fn get(&self, label: &str, client_random: &[u8; 32]) -> Option<Vec<u8>> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .find(|(l, r, _)| l == label && r == client_random)
            .map(|(_, _, s)| s.clone())
    }

    /// Every label logged, in order.
    pub fn labels(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(l, _, _)| l.clone())
            .collect()
    }
}

/// One thing in a flight, as the sender meant it. `epoch` counts the key
/// changes in the sender's direction: 0 is plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A whole handshake message, its 4-byte header included.
    Handshake {
        epoch: usize,
        msg: Vec<u8>,
    },
    ChangeCipherSpec {
        epoch: usize,
        body: Vec<u8>,
    },
    Alert {
        epoch: usize,
        body: Vec<u8>,
    },
    AppData {
        epoch: usize,
        data: Vec<u8>,
    },
}

impl Item {
    fn epoch(&self) -> usize {
        match self {
            Item::Handshake { epoch, .. }
            | Item::ChangeCipherSpec { epoch, .. }
            | Item::Alert { epoch, .. }
            | Item::AppData { epoch, .. } => *epoch,
        }
    }
}

/// The records one side sent in one go, opened and split into messages.
#[derive(Debug, Clone)]
pub struct Flight {
    pub from: Side,
    pub items: Vec<Item>,
}

impl Flight {
    /// Index of the first handshake message of type `typ`.
    pub fn position(&self, typ: HandshakeType) -> Option<usize> {
        self.items
            .iter()
            .position(|i| matches!(i, Item::Handshake { msg, .. } if msg[0] == typ.0))
    }

    /// The first handshake message of type `typ` (header included).
    pub fn message(&self, typ: HandshakeType) -> &[u8] {
        match &self.items[self
            .position(typ)
            .unwrap_or_else(|| panic!("no {typ} in flight"))]
        {
            Item::Handshake { msg, .. } => msg,
            _ => unreachable!(),
        }
    }

    /// The first handshake message of type `typ`, to change in place.
    pub fn message_mut(&mut self, typ: HandshakeType) -> &mut Vec<u8> {
        let at = self
            .position(typ)
            .unwrap_or_else(|| panic!("no {typ} in flight"));
        match &mut self.items[at] {
            Item::Handshake { msg, .. } => msg,
            _ => unreachable!(),
        }
    }

    /// Flips the last byte of the first `typ` message: the end of a
    /// signature, of verify_data, of a binder.
    pub fn flip_last_byte(&mut self, typ: HandshakeType) {
        let msg = self.message_mut(typ);
        *msg.last_mut().unwrap() ^= 0x01;
    }

    /// Decodes the first `typ` message with keyway's TLS 1.3 decoder.
    pub fn decode(&self, typ: HandshakeType) -> HandshakeMessage {
        HandshakeMessage::decode(typ, &self.message(typ)[4..]).unwrap()
    }

    /// Replaces the first message of the encoded message's type.
    pub fn replace(&mut self, msg: &HandshakeMessage) {
        let mut bytes = Vec::new();
        msg.encode(&mut bytes).unwrap();
        *self.message_mut(msg.handshake_type()) = bytes;
    }

    /// Decodes, changes and re-encodes the first ClientHello.
    pub fn edit_client_hello(&mut self, edit: impl FnOnce(&mut ClientHello)) {
        let HandshakeMessage::ClientHello(mut ch) = self.decode(HandshakeType::CLIENT_HELLO) else {
            unreachable!()
        };
        edit(&mut ch);
        self.replace(&HandshakeMessage::ClientHello(ch));
    }

    /// Drops the first `typ` message.
    pub fn remove(&mut self, typ: HandshakeType) -> Item {
        let at = self.position(typ).expect("message to remove");
        self.items.remove(at)
    }

    /// The handshake types in this flight, in order.
    pub fn handshake_types(&self) -> Vec<HandshakeType> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Handshake { msg, .. } => Some(HandshakeType(msg[0])),
                _ => None,
            })
            .collect()
    }

    /// The description of the (last) alert in this flight.
    pub fn alert(&self) -> Option<AlertDescription> {
        self.items.iter().rev().find_map(|i| match i {
            Item::Alert { body, .. } => Some(AlertDescription(body[1])),
            _ => None,
        })
    }
}

/// Record protection for one direction and epoch.
#[derive(Clone)]
struct Protection {
    key: Arc<aead::LessSafeKey>,
    iv: Vec<u8>,
    tls12: bool,
    /// TLS 1.2 AES-GCM carries an 8-byte explicit nonce in each record.
    explicit_nonce: bool,
}

/// A cipher suite's record AEAD and hash.
#[derive(Clone, Copy)]
struct Suite {
    aead: &'static aead::Algorithm,
    hash: hmac::Algorithm,
}

fn suite(code: u16) -> Suite {
    let (aead, sha384) = match code {
        0x1301 | 0xc02b | 0xc02f | 0x009c => (&aead::AES_128_GCM, false),
        0x1302 | 0xc02c | 0xc030 | 0x009d => (&aead::AES_256_GCM, true),
        0x1303 | 0xcca8 | 0xcca9 => (&aead::CHACHA20_POLY1305, false),
        other => panic!("suite 0x{other:04x} unknown to the test wire"),
    };
    let hash = match sha384 {
        true => hmac::HMAC_SHA384,
        false => hmac::HMAC_SHA256,
    };
    Suite { aead, hash }
}

/// RFC 5869 HKDF-Expand with RFC 8446, Section 7.1's HkdfLabel.
pub fn expand_label(
    hash: hmac::Algorithm,
    secret: &[u8],
    label: &str,
    context: &[u8],
    len: usize,
) -> Vec<u8> {
    let full = format!("tls13 {label}");
    let mut info = (len as u16).to_be_bytes().to_vec();
    info.push(full.len() as u8);
    info.extend_from_slice(full.as_bytes());
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    let key = hmac::Key::new(hash, secret);
    let (mut out, mut block, mut counter) = (Vec::new(), Vec::new(), 1u8);
    while out.len() < len {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(&block);
        ctx.update(&info);
        ctx.update(&[counter]);
        block = ctx.sign().as_ref().to_vec();
        out.extend_from_slice(&block);
        counter += 1;
    }
    out.truncate(len);
    out
}

/// RFC 5246, Section 5: P_hash(secret, label + seed).
fn prf(hash: hmac::Algorithm, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(hash, secret);
    let seed = [label, seed].concat();
    let (mut out, mut a) = (Vec::new(), hmac::sign(&key, &seed).as_ref().to_vec());
    while out.len() < len {
        out.extend_from_slice(hmac::sign(&key, &[&a[..], &seed].concat()).as_ref());
        a = hmac::sign(&key, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

impl Protection {
    fn tls13(suite: Suite, secret: &[u8]) -> Protection {
        let key = expand_label(suite.hash, secret, "key", &[], suite.aead.key_len());
        let iv = expand_label(suite.hash, secret, "iv", &[], 12);
        Protection {
            key: Arc::new(aead::LessSafeKey::new(
                aead::UnboundKey::new(suite.aead, &key).unwrap(),
            )),
            iv,
            tls12: false,
            explicit_nonce: false,
        }
    }

    fn nonce(&self, seq: u64, explicit: Option<[u8; 8]>) -> aead::Nonce {
        let mut nonce = [0u8; 12];
        match explicit {
            Some(explicit) => {
                nonce[..4].copy_from_slice(&self.iv);
                nonce[4..].copy_from_slice(&explicit);
            }
            None => {
                nonce.copy_from_slice(&self.iv);
                for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                    *n ^= s;
                }
            }
        }
        aead::Nonce::assume_unique_for_key(nonce)
    }

    /// Opens one record body; returns (content type, plaintext).
    fn open(&self, seq: u64, typ: u8, body: &[u8]) -> (u8, Vec<u8>) {
        if self.tls12 {
            let (explicit, sealed) = match self.explicit_nonce {
                true => (Some(body[..8].try_into().unwrap()), &body[8..]),
                false => (None, body),
            };
            let len = sealed.len() - 16;
            let aad = tls12_aad(seq, typ, len);
            let mut buf = sealed.to_vec();
            let plain = self
                .key
                .open_in_place(self.nonce(seq, explicit), aead::Aad::from(aad), &mut buf)
                .expect("the wire could not open a TLS 1.2 record");
            return (typ, plain.to_vec());
        }
        let header = [23, 3, 3, (body.len() >> 8) as u8, body.len() as u8];
        let mut buf = body.to_vec();
        let plain = self
            .key
            .open_in_place(self.nonce(seq, None), aead::Aad::from(header), &mut buf)
            .expect("the wire could not open a TLS 1.3 record");
        let end = plain.iter().rposition(|b| *b != 0).unwrap();
        (plain[end], plain[..end].to_vec())
    }

    /// Seals one record of `typ` holding `data`; returns the whole record.
    fn seal(&self, seq: u64, typ: u8, data: &[u8]) -> Vec<u8> {
        if self.tls12 {
            let explicit = self.explicit_nonce.then(|| seq.to_be_bytes());
            let mut buf = data.to_vec();
            self.key
                .seal_in_place_append_tag(
                    self.nonce(seq, explicit),
                    aead::Aad::from(tls12_aad(seq, typ, data.len())),
                    &mut buf,
                )
                .unwrap();
            let body = [explicit.map(|e| e.to_vec()).unwrap_or_default(), buf].concat();
            return record(typ, &body);
        }
        let mut buf = [data, &[typ]].concat();
        let len = buf.len() + 16;
        let header = [23, 3, 3, (len >> 8) as u8, len as u8];
        self.key
            .seal_in_place_append_tag(self.nonce(seq, None), aead::Aad::from(header), &mut buf)
            .unwrap();
        record(23, &buf)
    }
}

fn tls12_aad(seq: u64, typ: u8, len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8] = typ;
    aad[9..11].copy_from_slice(&[3, 3]);
    aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
    aad
}

fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![typ, 3, 3, (body.len() >> 8) as u8, body.len() as u8];
    out.extend_from_slice(body);
    out
}

/// Where an epoch's keys come from: a logged secret (TLS 1.3: the label,
/// then `updates` KeyUpdates; TLS 1.2: the master secret, CLIENT_RANDOM).
#[derive(Clone, Copy)]
struct KeySource {
    label: &'static str,
    updates: usize,
}

/// How one epoch's records are opened, with the keys the sender derived,
/// and sealed again with the keys the receiver derives (the same ones unless
/// a test made the two transcripts differ). Each is looked up when first
/// used: an end derives its keys only as it processes the records before.
#[derive(Clone)]
struct Epoch {
    source: KeySource,
    open: Option<Protection>,
    seal: Option<Protection>,
}

/// One direction of the wire.
#[derive(Default)]
struct Direction {
    /// The sender's current epoch and the protections of every epoch so far
    /// (index 0, plaintext, is `None`).
    epochs: Vec<Option<Epoch>>,
    /// Per epoch: the next sequence number to open, and to seal.
    open_seq: Vec<u64>,
    seal_seq: Vec<u64>,
    /// A handshake message still arriving in pieces.
    partial: Vec<u8>,
}

impl Direction {
    fn current(&self) -> usize {
        self.epochs.len().saturating_sub(1)
    }

    /// The next whole handshake message received so far, if any.
    fn next_message(&mut self) -> Option<Vec<u8>> {
        let header = self.partial.get(..4)?;
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        (self.partial.len() >= 4 + len).then(|| self.partial.drain(..4 + len).collect())
    }

    fn push_epoch(&mut self, epoch: Epoch) {
        if self.epochs.is_empty() {
            self.epochs.push(None);
        }
        self.epochs.push(Some(epoch));
    }

    fn next_seq(counters: &mut Vec<u64>, epoch: usize) -> u64 {
        if counters.len() <= epoch {
            counters.resize(epoch + 1, 0);
        }
        counters[epoch] += 1;
        counters[epoch] - 1
    }
}

/// Sits between a client and a server, seeing and re-sealing every record.
pub struct Wire {
    /// The secrets the client logged.
    pub client_keys: Arc<KeyCapture>,
    /// The secrets the server logged.
    pub server_keys: Arc<KeyCapture>,
    client_random: [u8; 32],
    server_random: [u8; 32],
    suite: Option<Suite>,
    tls13: bool,
    to_server: Direction,
    to_client: Direction,
    /// Every handshake message delivered, in order, with its sender.
    pub delivered: Vec<(Side, Vec<u8>)>,
}

const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

impl Wire {
    /// A wire that opens each side's records with the secrets that side
    /// logged and seals them for the other with the other's.
    pub fn new(client_keys: Arc<KeyCapture>, server_keys: Arc<KeyCapture>) -> Wire {
        Wire {
            client_keys,
            server_keys,
            client_random: [0; 32],
            server_random: [0; 32],
            suite: None,
            tls13: false,
            to_server: Direction::default(),
            to_client: Direction::default(),
            delivered: Vec::new(),
        }
    }

    /// The current key epoch of `from`'s direction (0: plaintext), for
    /// messages a test injects.
    pub fn epoch(&mut self, from: Side) -> usize {
        self.direction(from).current()
    }

    fn direction(&mut self, from: Side) -> &mut Direction {
        match from {
            Side::Client => &mut self.to_server,
            Side::Server => &mut self.to_client,
        }
    }

    /// Takes everything `conn` (the `from` side) has queued, opened and split.
    pub fn take(&mut self, from: Side, conn: &mut Connection) -> Flight {
        let mut bytes = &conn.take_tls()[..];
        let mut items = Vec::new();
        while !bytes.is_empty() {
            let typ = bytes[0];
            let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
            let body = &bytes[5..5 + len];
            bytes = &bytes[5 + len..];
            let current = self.direction(from).current();
            // TLS 1.3 protects records as application_data: anything else (the
            // compatibility CCS, an alert from a peer that failed before it had
            // keys) is plaintext.
            let protected = !self.tls13 || typ == 23;
            let (epoch, typ, data) = match self.epoch_protection(from, current, true) {
                Some(p) if protected => {
                    let dir = self.direction(from);
                    let seq = Direction::next_seq(&mut dir.open_seq, current);
                    let (typ, data) = p.open(seq, typ, body);
                    (current, typ, data)
                }
                _ => (0, typ, body.to_vec()),
            };
            match typ {
                22 => {
                    self.direction(from).partial.extend_from_slice(&data);
                    while let Some(msg) = self.direction(from).next_message() {
                        self.after_message(from, &msg);
                        items.push(Item::Handshake { epoch, msg });
                    }
                }
                20 => {
                    items.push(Item::ChangeCipherSpec { epoch, body: data });
                    // A TLS 1.2 CCS switches keys; a TLS 1.3 client's
                    // compatibility CCS can come before the ServerHello
                    // says which version this is (with early data offered).
                    if !self.tls13 && self.suite.is_some() {
                        self.tls12_keys(from);
                    }
                }
                21 => items.push(Item::Alert { epoch, body: data }),
                23 => items.push(Item::AppData { epoch, data }),
                other => panic!("record type {other} on the wire"),
            }
        }
        Flight { from, items }
    }

    /// Follows the key schedule: what a message sent by `from` changes.
    fn after_message(&mut self, from: Side, msg: &[u8]) {
        let typ = HandshakeType(msg[0]);
        let body = &msg[4..];
        match (from, typ) {
            (Side::Client, HandshakeType::CLIENT_HELLO) => {
                self.client_random.copy_from_slice(&body[2..34]);
            }
            (Side::Server, HandshakeType::SERVER_HELLO) => {
                let random: [u8; 32] = body[2..34].try_into().unwrap();
                let sid_len = body[34] as usize;
                let code = u16::from_be_bytes([body[35 + sid_len], body[36 + sid_len]]);
                self.suite = Some(suite(code));
                self.tls13 = has_supported_versions(&body[38 + sid_len..]);
                if random == HELLO_RETRY_REQUEST_RANDOM {
                    return;
                }
                self.server_random = random;
                if self.tls13 {
                    self.install13(Side::Server, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
                    self.install13(Side::Client, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
                }
            }
            (Side::Server, HandshakeType::FINISHED) if self.tls13 => {
                self.install13(Side::Server, "SERVER_TRAFFIC_SECRET_0");
            }
            (Side::Client, HandshakeType::FINISHED) if self.tls13 => {
                self.install13(Side::Client, "CLIENT_TRAFFIC_SECRET_0");
            }
            (_, HandshakeType::KEY_UPDATE) => {
                let dir = self.direction(from);
                let current = dir.epochs.last().cloned().flatten();
                let mut source = current.expect("KeyUpdate before traffic").source;
                source.updates += 1;
                self.install(from, source);
            }
            _ => {}
        }
    }

    /// The capture of `from` and of its peer.
    fn captures(&self, from: Side) -> (&KeyCapture, &KeyCapture) {
        match from {
            Side::Client => (&self.client_keys, &self.server_keys),
            Side::Server => (&self.server_keys, &self.client_keys),
        }
    }

    fn install13(&mut self, from: Side, label: &'static str) {
        self.install(from, KeySource { label, updates: 0 });
    }

    /// Starts a new epoch in `from`'s direction.
    fn install(&mut self, from: Side, source: KeySource) {
        self.direction(from).push_epoch(Epoch {
            source,
            open: None,
            seal: None,
        });
    }

    /// `from`'s write protection for `source`, as the end that logged to
    /// `capture` derives it.
    fn protection(&self, capture: &KeyCapture, from: Side, source: KeySource) -> Protection {
        let secret = capture
            .get(source.label, &self.client_random)
            .unwrap_or_else(|| panic!("{} was not logged", source.label));
        if !self.tls13 {
            return self.tls12_protection(&secret, from);
        }
        let suite = self.suite.unwrap();
        let secret = (0..source.updates).fold(secret, |s, _| {
            expand_label(suite.hash, &s, "traffic upd", &[], s.len())
        });
        Protection::tls13(suite, &secret)
    }

    /// RFC 5246, Section 6.3: `from`'s write key and IV from the key block
    /// of a logged master secret.
    fn tls12_protection(&self, master: &[u8], from: Side) -> Protection {
        let suite = self.suite.unwrap();
        let key_len = suite.aead.key_len();
        let gcm = !std::ptr::eq(suite.aead, &aead::CHACHA20_POLY1305);
        let iv_len = if gcm { 4 } else { 12 };
        let seed = [&self.server_random[..], &self.client_random[..]].concat();
        let block = prf(
            suite.hash,
            master,
            b"key expansion",
            &seed,
            2 * (key_len + iv_len),
        );
        let (client_key, rest) = block.split_at(key_len);
        let (server_key, rest) = rest.split_at(key_len);
        let (client_iv, server_iv) = rest.split_at(iv_len);
        let (key, iv) = match from {
            Side::Client => (client_key, client_iv),
            Side::Server => (server_key, server_iv),
        };
        Protection {
            key: Arc::new(aead::LessSafeKey::new(
                aead::UnboundKey::new(suite.aead, key).unwrap(),
            )),
            iv: iv.to_vec(),
            tls12: true,
            explicit_nonce: gcm,
        }
    }

    /// At `from`'s ChangeCipherSpec: its TLS 1.2 write keys, from the
    /// master secret (logged as CLIENT_RANDOM).
    fn tls12_keys(&mut self, from: Side) {
        let source = KeySource {
            label: "CLIENT_RANDOM",
            updates: 0,
        };
        self.install(from, source);
    }

    /// Seals `flight` again and feeds it to `to` one record per item,
    /// processing each; returns the first error `to.process()` returned.
    pub fn deliver(&mut self, flight: Flight, to: &mut Connection) -> Result<(), Error> {
        let from = flight.from;
        for item in flight.items {
            let epoch = item.epoch();
            let (typ, data) = match item {
                Item::Handshake { msg, .. } => {
                    self.delivered.push((from, msg.clone()));
                    (22, msg)
                }
                Item::ChangeCipherSpec { body, .. } => (20, body),
                Item::Alert { body, .. } => (21, body),
                Item::AppData { data, .. } => (23, data),
            };
            let bytes = match self.seal_protection(from, epoch) {
                Some(protection) => {
                    let dir = self.direction(from);
                    protection.seal(Direction::next_seq(&mut dir.seal_seq, epoch), typ, &data)
                }
                None => record(typ, &data),
            };
            to.read_tls_bytes(&bytes)?;
            to.process()?;
        }
        Ok(())
    }

    /// The receiver's protection for `from`'s `epoch` (None: plaintext).
    fn seal_protection(&mut self, from: Side, epoch: usize) -> Option<Protection> {
        self.epoch_protection(from, epoch, false)
    }

    /// `from`'s `epoch` as the sender (`open`) or the receiver derived it,
    /// looked up once; None for plaintext.
    fn epoch_protection(&mut self, from: Side, epoch: usize, open: bool) -> Option<Protection> {
        let current = self.direction(from).epochs.get(epoch).cloned().flatten()?;
        let cached = match open {
            true => current.open,
            false => current.seal,
        };
        if let Some(protection) = cached {
            return Some(protection);
        }
        let (sender, receiver) = self.captures(from);
        let capture = if open { sender } else { receiver };
        let protection = self.protection(capture, from, current.source);
        if let Some(Some(e)) = self.direction(from).epochs.get_mut(epoch) {
            match open {
                true => e.open = Some(protection.clone()),
                false => e.seal = Some(protection.clone()),
            }
        }
        Some(protection)
    }

    /// Passes everything `from` has queued on to `to`, unchanged.
    pub fn pass(
        &mut self,
        from: Side,
        sender: &mut Connection,
        to: &mut Connection,
    ) -> Result<(), Error> {
        let flight = self.take(from, sender);
        self.deliver(flight, to)
    }

    /// The hash of every handshake message delivered so far (no HelloRetryRequest).
    pub fn transcript_hash(&self, algorithm: &'static ring::digest::Algorithm) -> Vec<u8> {
        let mut ctx = ring::digest::Context::new(algorithm);
        for (_, msg) in &self.delivered {
            ctx.update(msg);
        }
        ctx.finish().as_ref().to_vec()
    }

    /// TLS 1.2 (RFC 5246, Section 7.4.9): the verify_data of a Finished
    /// labelled `label` ("client finished", "server finished") over every
    /// message delivered so far and then `more`, under the master secret the
    /// client logged: for a test that changes a message both transcripts
    /// include and must then make the Finished that covers it agree.
    pub fn tls12_verify_data(&self, label: &str, more: &[&[u8]]) -> Vec<u8> {
        let suite = self.suite.expect("a suite was negotiated");
        let master = self
            .client_keys
            .get("CLIENT_RANDOM", &self.client_random)
            .expect("the client logged its master secret");
        let mut ctx = ring::digest::Context::new(suite.hash.digest_algorithm());
        for msg in self
            .delivered
            .iter()
            .map(|(_, m)| &m[..])
            .chain(more.iter().copied())
        {
            ctx.update(msg);
        }
        let hash = ctx.finish();
        prf(suite.hash, &master, label.as_bytes(), hash.as_ref(), 12)
    }
}

/// True if a ServerHello's extensions (with their length prefix) hold supported_versions.
fn has_supported_versions(mut ext: &[u8]) -> bool {
    if ext.len() < 2 {
        return false;
    }
    ext = &ext[2..];
    while ext.len() >= 4 {
        let typ = u16::from_be_bytes([ext[0], ext[1]]);
        let len = u16::from_be_bytes([ext[2], ext[3]]) as usize;
        if typ == 43 {
            return true;
        }
        ext = &ext[4 + len..];
    }
    false
}

/// A client and a server whose every byte crosses a [`Wire`].
pub struct Mitm {
    pub client: ClientConnection,
    pub server: ServerConnection,
    pub wire: Wire,
}

impl Mitm {
    pub fn new(client: ClientConfigBuilder, server: ServerConfigBuilder) -> Mitm {
        let client_keys = Arc::new(KeyCapture::default());
        let server_keys = Arc::new(KeyCapture::default());
        let client = client.key_log(client_keys.clone()).build().unwrap();
        let server = server.key_log(server_keys.clone()).build().unwrap();
        Mitm {
            client: ClientConnection::new(Arc::new(client), "example.com").unwrap(),
            server: ServerConnection::new(Arc::new(server)),
            wire: Wire::new(client_keys, server_keys),
        }
    }

    /// The next flight from `side`, opened.
    pub fn take(&mut self, side: Side) -> Flight {
        match side {
            Side::Client => self.wire.take(side, &mut self.client),
            Side::Server => self.wire.take(side, &mut self.server),
        }
    }

    /// Delivers `flight` to the other side.
    pub fn deliver(&mut self, flight: Flight) -> Result<(), Error> {
        match flight.from {
            Side::Client => self.wire.deliver(flight, &mut self.server),
            Side::Server => self.wire.deliver(flight, &mut self.client),
        }
    }

    /// Passes flights until `side` has one ready that contains `typ`.
    pub fn run_to(&mut self, side: Side, typ: HandshakeType) -> Flight {
        for _ in 0..10 {
            for from in [Side::Client, Side::Server] {
                let flight = self.take(from);
                if from == side && flight.position(typ).is_some() {
                    return flight;
                }
                self.deliver(flight).unwrap();
            }
        }
        panic!("{side:?} never sent {typ}");
    }

    /// Passes every flight until neither side has anything to send.
    pub fn finish(&mut self) -> Result<(), Error> {
        for _ in 0..10 {
            let (c, s) = (self.take(Side::Client), self.take(Side::Server));
            if c.items.is_empty() && s.items.is_empty() {
                return Ok(());
            }
            self.deliver(c)?;
            self.deliver(s)?;
        }
        panic!("handshake did not settle");
    }

    /// Delivers a tampered flight, which must be refused with `error`; then
    /// checks that the refusing side sent `alert` and that its peer got it.
    pub fn refused(&mut self, flight: Flight, error: Error, alert: AlertDescription) {
        let refuser = match flight.from {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        };
        assert_eq!(self.deliver(flight), Err(error.clone()));
        assert_eq!(error.alert(), Some(alert), "{error}");
        let answer = self.take(refuser);
        assert_eq!(answer.alert(), Some(alert), "alert on the wire");
        assert_eq!(self.deliver(answer), Err(Error::AlertReceived(alert)));
    }
}
