//! Handshake records in, whole handshake messages out (RFC 8446, Section 5.1).

use crate::codec::{ContentType, HandshakeType, Reader};
use crate::error::{Error, Limit, PeerMisbehaved};

/// Length of a handshake message header: msg_type and a 24-bit length (RFC 8446, Section 4).
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// Most storage kept between handshake messages: a full record's payload
/// (RFC 8446, Section 5.1), enough for any ordinary message.
pub const MAX_SPARE: usize = 1 << 14;

/// One complete handshake message, as owned bytes.
///
/// The message is moved or copied out of the joiner so the state machine can
/// hold it while the connection keeps using the joiner, for instance to call
/// [`HandshakeJoiner::check_key_change_boundary`] before installing keys.
/// Its storage goes back with [`HandshakeJoiner::recycle`], so a flight
/// reuses one or two buffers however many messages it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeMessage {
    /// The msg_type, possibly one we do not know (the handshake refuses it).
    pub typ: HandshakeType,
    /// The whole message, header included, as the transcript hash needs it.
    pub encoded: Vec<u8>,
}

impl HandshakeMessage {
    /// The message body, after the 4-byte header: what the codec decodes.
    pub fn body(&self) -> &[u8] {
        self.encoded.get(HANDSHAKE_HEADER_LEN..).unwrap_or_default()
    }
}

/// Reassembles handshake messages from the payloads of handshake records.
///
/// RFC 8446, Section 5.1: handshake messages may be coalesced into one record
/// or fragmented across several. The joiner buffers payloads and hands out
/// whole messages; it refuses a message longer than its bound as soon as the
/// message's header is visible, so a peer cannot make us buffer a message we
/// would refuse anyway.
#[derive(Debug)]
pub struct HandshakeJoiner {
    /// Only `buf[start..]` is unprocessed.
    buf: Vec<u8>,
    start: usize,
    /// Storage of a message handed out and given back, for the next one.
    spare: Vec<u8>,
    max_message_size: usize,
    max_certificate_size: usize,
    max_client_hello_size: usize,
}

impl Default for HandshakeJoiner {
    fn default() -> Self {
        let limits = crate::limits::Limits::default();
        Self::new(
            limits.max_handshake_message,
            limits.max_certificate_message,
            limits.max_client_hello,
        )
    }
}

impl HandshakeJoiner {
    /// Makes an empty joiner that refuses message bodies longer than
    /// `max_message_size`, or `max_certificate_size` for Certificate and
    /// `max_client_hello_size` for ClientHello messages.
    pub fn new(
        max_message_size: usize,
        max_certificate_size: usize,
        max_client_hello_size: usize,
    ) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            spare: Vec::new(),
            max_message_size,
            max_certificate_size,
            max_client_hello_size,
        }
    }

    /// Adds the payload of one handshake record.
    ///
    /// Fails with [`Limit::HandshakeMessageSize`] (decode_error) when a message
    /// header in the buffer declares a body over the bound. Take every complete
    /// message out with [`HandshakeJoiner::next_message`] after each push.
    pub fn push(&mut self, payload: &[u8]) -> Result<(), Error> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(payload);
        self.check_declared_lengths()
    }

    /// Takes the next complete message out, or returns `None` when the buffer
    /// holds only part of one (or nothing).
    pub fn next_message(&mut self) -> Option<HandshakeMessage> {
        let pending = self.buf.get(self.start..)?;
        let (typ, encoded) = Reader::new(pending)
            .spanned(|r| {
                let typ = r.u8("msg_type")?;
                r.vec24("handshake message body")?;
                Ok(HandshakeType(typ))
            })
            .ok()?;
        let len = encoded.len();
        let end = self.start.saturating_add(len);
        // The last buffered message takes the storage with it rather than
        // a copy (most records end with one), and the joiner holds nothing
        // until the storage comes back through `recycle`; other messages are
        // copied into the spare storage.
        let encoded = if end == self.buf.len() {
            let mut buf = core::mem::take(&mut self.buf);
            buf.drain(..self.start);
            self.start = 0;
            buf
        } else {
            let mut copy = core::mem::take(&mut self.spare);
            copy.clear();
            copy.extend_from_slice(encoded);
            self.start = end;
            copy
        };
        Some(HandshakeMessage { typ, encoded })
    }

    /// Takes back the storage of a handled message, for the next record or
    /// the next copied message, if it is at most [`MAX_SPARE`] bytes (a huge
    /// message's storage is not kept). [`HandshakeJoiner::release`] frees
    /// it when the connection goes back to waiting for its peer.
    pub fn recycle(&mut self, mut message: Vec<u8>) {
        if message.capacity() > MAX_SPARE {
            return;
        }
        message.clear();
        if self.buf.capacity() == 0 {
            self.buf = message;
        } else if self.spare.capacity() == 0 {
            self.spare = message;
        }
    }

    /// Frees the storage kept for reuse; only the bytes of a message still
    /// incomplete stay. Called when the connection has processed all it
    /// has and waits for its peer, which may be slow or never answer.
    pub fn release(&mut self) {
        self.spare = Vec::new();
        if self.is_empty() {
            self.buf = Vec::new();
            self.start = 0;
        }
    }

    /// Bytes of storage held, buffered or spare.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.buf.capacity().saturating_add(self.spare.capacity())
    }

    /// True when no bytes of any handshake message are buffered.
    pub fn is_empty(&self) -> bool {
        self.start >= self.buf.len()
    }

    /// Succeeds only if the last handshake message ended on a record boundary.
    ///
    /// RFC 8446, Section 5.1: handshake messages MUST NOT span key changes; a
    /// message that does is unexpected_message. Call this after handling the
    /// message that precedes a change of read keys (ClientHello, ServerHello,
    /// EndOfEarlyData, Finished, KeyUpdate) and before installing the new
    /// [`RecordDecrypter`](super::RecordDecrypter): bytes still buffered here
    /// were protected under the old keys.
    pub fn check_key_change_boundary(&self) -> Result<(), Error> {
        match self.is_empty() {
            true => Ok(()),
            false => Err(PeerMisbehaved::HandshakeSpansKeyChange.into()),
        }
    }

    /// Succeeds unless a record of another type arrives in the middle of a
    /// fragmented handshake message.
    ///
    /// RFC 8446, Section 5.1: handshake messages MUST NOT be interleaved with
    /// other record types. Call this for every record before handling it.
    pub fn check_not_interleaved(&self, typ: ContentType) -> Result<(), Error> {
        if typ == ContentType::HANDSHAKE || self.is_empty() {
            return Ok(());
        }
        Err(PeerMisbehaved::UnexpectedMessage {
            expected: "the rest of a fragmented handshake message",
            got: format!("a {typ} record"),
        }
        .into())
    }

    /// Checks the declared length of every message whose header is buffered.
    fn check_declared_lengths(&self) -> Result<(), Error> {
        let mut r = Reader::new(self.buf.get(self.start..).unwrap_or_default());
        while let (Ok(typ), Ok(len)) = (r.u8("msg_type"), r.u24("length")) {
            let typ = HandshakeType(typ);
            let max = match typ {
                HandshakeType::CERTIFICATE => self.max_certificate_size,
                HandshakeType::CLIENT_HELLO => self.max_client_hello_size,
                _ => self.max_message_size,
            };
            if len > max {
                return Err(Limit::HandshakeMessageSize { typ, len, max }.into());
            }
            if r.take(len, "handshake message body").is_err() {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::AlertDescription;

    /// A handshake message with a body of `len` bytes of `fill`.
    fn message(typ: u8, len: usize, fill: u8) -> Vec<u8> {
        let mut m = vec![typ, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        m.extend(std::iter::repeat_n(fill, len));
        m
    }

    /// Each bound admits a message of exactly its size and refuses one byte
    /// more: Certificate and ClientHello have their own.
    #[test]
    fn each_bound_admits_its_exact_size() {
        for (typ, max) in [(8, 100), (11, 200), (1, 300)] {
            let mut joiner = HandshakeJoiner::new(100, 200, 300);
            joiner.push(&message(typ, max, 0)).unwrap();
            assert_eq!(joiner.next_message().unwrap().encoded.len(), 4 + max);
            let err = HandshakeJoiner::new(100, 200, 300)
                .push(&message(typ, max + 1, 0))
                .unwrap_err();
            assert!(matches!(err, Error::LimitExceeded(_)), "{typ}: {err}");
        }
    }

    /// Messages already taken do not stay in the buffer: the next push
    /// drops their bytes, so a long handshake holds only what is pending.
    #[test]
    fn the_next_push_drops_messages_already_taken() {
        let mut joiner = HandshakeJoiner::default();
        let (first, second) = (message(2, 10, 1), message(8, 20, 2));
        joiner.push(&[&first[..], &second[..5]].concat()).unwrap();
        assert_eq!(joiner.next_message().unwrap().encoded, first);
        joiner.push(&second[5..]).unwrap();
        assert_eq!(joiner.buf.len(), second.len());
        assert_eq!(joiner.next_message().unwrap().encoded, second);
        assert!(joiner.is_empty());
    }

    fn drain(joiner: &mut HandshakeJoiner) -> Vec<HandshakeMessage> {
        std::iter::from_fn(|| joiner.next_message()).collect()
    }

    #[test]
    fn three_messages_in_one_record() {
        let (ee, cert, fin) = (
            message(8, 2, 0xee),
            message(11, 300, 0xcc),
            message(20, 32, 0xff),
        );
        let record = [ee.clone(), cert.clone(), fin.clone()].concat();
        let mut joiner = HandshakeJoiner::default();
        joiner.push(&record).unwrap();

        let messages = drain(&mut joiner);
        let types: Vec<HandshakeType> = messages.iter().map(|m| m.typ).collect();
        assert_eq!(
            types,
            [
                HandshakeType::ENCRYPTED_EXTENSIONS,
                HandshakeType::CERTIFICATE,
                HandshakeType::FINISHED
            ]
        );
        assert_eq!(messages[0].encoded, ee);
        assert_eq!(messages[1].body(), &cert[4..]);
        assert_eq!(messages[2].encoded, fin);
        assert!(joiner.is_empty());
    }

    #[test]
    fn one_message_across_four_records_split_inside_its_header() {
        let cert = message(11, 5000, 0x42);
        // Cut after 2 header bytes, then after the header's last byte, then mid-body.
        let pieces = [&cert[..2], &cert[2..3], &cert[3..2000], &cert[2000..]];
        let mut joiner = HandshakeJoiner::default();
        for (i, piece) in pieces.iter().enumerate() {
            assert_eq!(joiner.next_message(), None, "before piece {i}");
            joiner.push(piece).unwrap();
            if i < 3 {
                assert!(!joiner.is_empty());
                assert_eq!(
                    joiner.check_key_change_boundary(),
                    Err(PeerMisbehaved::HandshakeSpansKeyChange.into())
                );
            }
        }
        let m = joiner.next_message().unwrap();
        assert_eq!((m.typ, m.encoded), (HandshakeType::CERTIFICATE, cert));
        assert_eq!(joiner.next_message(), None);
        assert_eq!(joiner.check_key_change_boundary(), Ok(()));
    }

    #[test]
    fn fragments_and_coalescing_mix() {
        let a = message(2, 90, 1);
        let b = message(8, 20, 2);
        let c = message(11, 40, 3);
        let all = [a.clone(), b.clone(), c.clone()].concat();
        // Records that end mid-message and start mid-message.
        let mut joiner = HandshakeJoiner::default();
        let mut out = Vec::new();
        for record in all.chunks(33) {
            joiner.push(record).unwrap();
            out.extend(drain(&mut joiner).into_iter().map(|m| m.encoded));
        }
        assert_eq!(out, [a, b, c]);
        assert!(joiner.is_empty());
    }

    #[test]
    fn oversized_message_is_refused_from_its_header() {
        let mut joiner = HandshakeJoiner::new(1000, 5000, 2000);
        // Only the 4-byte header has arrived; the body is never sent.
        let err = joiner.push(&[8, 0x00, 0x03, 0xe9]).unwrap_err();
        assert_eq!(
            err,
            Limit::HandshakeMessageSize {
                typ: HandshakeType::ENCRYPTED_EXTENSIONS,
                len: 1001,
                max: 1000
            }
            .into()
        );
        assert_eq!(err.alert(), Some(AlertDescription::DECODE_ERROR));

        // The header of a later message in the same record is checked too.
        let mut joiner = HandshakeJoiner::new(1000, 5000, 2000);
        let record = [message(20, 32, 0), vec![15, 0xff, 0xff, 0xff]].concat();
        assert_eq!(
            joiner.push(&record),
            Err(Limit::HandshakeMessageSize {
                typ: HandshakeType::CERTIFICATE_VERIFY,
                len: 0xff_ffff,
                max: 1000
            }
            .into())
        );

        // And a header split across records is checked once complete.
        let mut joiner = HandshakeJoiner::new(1000, 5000, 2000);
        joiner.push(&[8, 0x00]).unwrap();
        assert!(joiner.push(&[0x04, 0x00]).is_err());
    }

    /// Messages give their storage back to the joiner, which keeps
    /// the two buffers a flight needs between records. `release`
    /// frees it all but an incomplete message; a message over MAX_SPARE is
    /// not kept.
    #[test]
    fn storage_given_back_is_reused_until_released() {
        let mut joiner = HandshakeJoiner::default();
        let record = [message(8, 20, 2), message(11, 40, 3)].concat();
        for _ in 0..3 {
            joiner.push(&record).unwrap();
            let copied = joiner.next_message().unwrap().encoded;
            let taken = joiner.next_message().unwrap().encoded;
            assert_eq!((&copied, &taken), (&message(8, 20, 2), &message(11, 40, 3)));
            assert_eq!(joiner.capacity(), 0, "both buffers are handed out");
            let handed_out = copied.capacity() + taken.capacity();
            joiner.recycle(copied);
            joiner.recycle(taken);
            assert_eq!(joiner.capacity(), handed_out, "both came back");
        }
        joiner.release();
        assert_eq!(joiner.capacity(), 0);

        joiner.recycle(Vec::with_capacity(MAX_SPARE));
        assert_eq!(joiner.capacity(), MAX_SPARE);
        joiner.release();
        joiner.recycle(Vec::with_capacity(MAX_SPARE + 1));
        assert_eq!(joiner.capacity(), 0);

        // Half a message stays through a release.
        let whole = message(11, 40, 3);
        joiner.recycle(Vec::with_capacity(100));
        joiner.push(&whole[..10]).unwrap();
        joiner.release();
        joiner.push(&whole[10..]).unwrap();
        assert_eq!(joiner.next_message().unwrap().encoded, whole);
    }

    #[test]
    fn certificate_has_its_own_bound() {
        let mut joiner = HandshakeJoiner::new(1000, 5000, 2000);
        joiner.push(&message(11, 4000, 7)).unwrap();
        assert_eq!(joiner.next_message().unwrap().body().len(), 4000);
        assert!(joiner.push(&[11, 0x00, 0x13, 0x89]).is_err()); // 5001
    }

    #[test]
    fn empty_bodies_and_unknown_types_pass_through() {
        let mut joiner = HandshakeJoiner::default();
        joiner.push(&[14, 0, 0, 0, 99, 0, 0, 1, 7]).unwrap();
        let messages = drain(&mut joiner);
        assert_eq!(messages[0].typ, HandshakeType::SERVER_HELLO_DONE);
        assert_eq!(messages[0].body(), []);
        assert_eq!(messages[1].typ, HandshakeType(99));
        assert_eq!(messages[1].body(), [7]);
    }

    #[test]
    fn other_records_may_not_interleave_a_fragmented_message() {
        let mut joiner = HandshakeJoiner::default();
        assert_eq!(joiner.check_not_interleaved(ContentType::ALERT), Ok(()));
        joiner.push(&[20, 0, 0, 32, 1, 2]).unwrap();
        assert_eq!(joiner.check_not_interleaved(ContentType::HANDSHAKE), Ok(()));
        let err = joiner
            .check_not_interleaved(ContentType::APPLICATION_DATA)
            .unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn key_change_boundary_error_is_unexpected_message() {
        let mut joiner = HandshakeJoiner::default();
        joiner.push(&[2, 0, 0]).unwrap();
        let err = joiner.check_key_change_boundary().unwrap_err();
        assert_eq!(err, PeerMisbehaved::HandshakeSpansKeyChange.into());
        assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn no_storage_is_kept_after_the_last_message() {
        let mut joiner = HandshakeJoiner::default();
        joiner.push(&message(11, 100_000, 1)).unwrap();
        assert!(joiner.next_message().is_some());
        assert_eq!(joiner.buf.capacity(), 0);
    }
}
