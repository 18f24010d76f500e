//! Bytes in, records out: framing, header checks and in-place decryption.

use std::io;

use super::{PlainRecord, RecordDecrypter, HEADER_LEN, MAX_RECORD_LEN};
use crate::codec::{ContentType, Reader};
use crate::error::{Error, InvalidMessage, Limit};
use crate::limits::Limits;

/// The least room [`Deframer::read_tls`] makes before reading. More is made
/// only for a record whose header says it is longer, so a connection that
/// only ever receives a ClientHello (one left half-open, say) holds 4 KiB
/// here instead of a full 18 KiB record buffer.
const MIN_READ: usize = 4096;

/// Frames records from the bytes the peer sends and decrypts them in place.
///
/// Input is added with [`Deframer::read_tls`] or [`Deframer::push`];
/// [`Deframer::next_record`] returns one complete record at a time, borrowing
/// this buffer. Consumed bytes are discarded lazily, when input is next added,
/// so the buffer is reused and the steady state allocates nothing per record.
/// The buffer never holds more than its configured maximum of unprocessed
/// input, which is at least one record of the largest size we accept, so a
/// full buffer always contains a complete record to take out first.
///
/// A connection keeps the decrypted application data of a record where it
/// was decrypted, ahead of the unprocessed input, until the application has
/// read it: the reader is served from the record buffer, with no copy in
/// between. That data does not count against the input maximum (the
/// connection bounds it with its own plaintext limit).
pub struct Deframer {
    /// Storage: `buf[plain_start..plain_end]` is kept application data (see
    /// [`Deframer::keep_application_data`]), `buf[start..end]` unprocessed
    /// input; the kept data always lies before the input.
    buf: Vec<u8>,
    plain_start: usize,
    plain_end: usize,
    start: usize,
    end: usize,
    /// Where in `buf` the payload of the record last returned by
    /// [`Deframer::next_record`] lies, until the buffer next changes.
    last_payload: Option<(usize, usize)>,
    max_buffered: usize,
    max_empty_records: usize,
    empty_records: usize,
}

/// The bounds of [`Limits::default`].
impl Default for Deframer {
    fn default() -> Self {
        let limits = Limits::default();
        Self::new(limits.max_buffered_input, limits.max_empty_records)
    }
}

impl Deframer {
    /// Makes an empty deframer that buffers at most `max_buffered` bytes (raised
    /// to [`MAX_RECORD_LEN`] if smaller) and refuses more than
    /// `max_empty_records` empty application_data records in a row.
    ///
    /// Nothing is allocated until input arrives.
    pub fn new(max_buffered: usize, max_empty_records: usize) -> Self {
        Self {
            buf: Vec::new(),
            plain_start: 0,
            plain_end: 0,
            start: 0,
            end: 0,
            last_payload: None,
            max_buffered: max_buffered.max(MAX_RECORD_LEN),
            max_empty_records,
            empty_records: 0,
        }
    }

    /// Reads once from `rd` into the buffer and returns the number of bytes
    /// read (0 at end of file).
    ///
    /// Fails with an error wrapping [`Limit::BufferedInput`] when the buffer is
    /// full: take records out with [`Deframer::next_record`] first.
    pub fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
        let max_buffered = self.max_buffered;
        let room = self.make_room(self.wanted());
        if room.is_empty() {
            let full = Error::from(Limit::BufferedInput(max_buffered));
            return Err(io::Error::other(full));
        }
        let room_len = room.len();
        let read = rd.read(room)?;
        // A reader claiming more than it was given must not move `end` past the storage.
        self.end = self.end.saturating_add(read.min(room_len));
        Ok(read)
    }

    /// Copies as much of `bytes` into the buffer as fits and returns how many
    /// bytes were taken.
    ///
    /// Fails with [`Limit::BufferedInput`] only when nothing fits.
    pub fn push(&mut self, bytes: &[u8]) -> Result<usize, Error> {
        let room = self.make_room(bytes.len());
        let taken = room.len().min(bytes.len());
        if taken == 0 && !bytes.is_empty() {
            return Err(Limit::BufferedInput(self.max_buffered).into());
        }
        if let (Some(dst), Some(src)) = (room.get_mut(..taken), bytes.get(..taken)) {
            dst.copy_from_slice(src);
        }
        self.end = self.end.saturating_add(taken);
        Ok(taken)
    }

    /// Frames the next complete record, decrypting it in place when
    /// `decrypter` holds keys. Returns `Ok(None)` when more input is needed.
    ///
    /// Checks, as soon as the header is visible: the content type is known
    /// (unexpected_message), the major version is 3 (decode_error), and the
    /// length is within 2^14, or 2^14 + 256 for a protected TLS 1.3 record, or
    /// 2^14 + 2048 for any record but change_cipher_spec under TLS 1.2 keys
    /// (record_overflow). Then it checks that handshake and alert records are
    /// not empty, and bounds runs of empty application_data records. Any error
    /// is fatal for the connection.
    pub fn next_record<'a>(
        &'a mut self,
        decrypter: &mut RecordDecrypter,
    ) -> Result<Option<PlainRecord<'a>>, Error> {
        self.last_payload = None;
        let pending = self.buf.get(self.start..self.end).unwrap_or_default();
        let mut r = Reader::new(pending);
        let Ok(header) = r.array::<HEADER_LEN>("record header") else {
            return Ok(None);
        };
        let [typ, major, minor, len_hi, len_lo] = header;
        let typ = ContentType(typ);
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo]));

        // RFC 8446, Section 5: an unknown record type is unexpected_message.
        if !matches!(
            typ,
            ContentType::CHANGE_CIPHER_SPEC
                | ContentType::ALERT
                | ContentType::HANDSHAKE
                | ContentType::APPLICATION_DATA
        ) {
            return Err(InvalidMessage::UnknownContentType(typ.0).into());
        }
        // RFC 8446, Section 5.1: legacy_record_version is otherwise ignored, but
        // a major version other than 3 means these bytes are not a TLS record.
        if major != 0x03 {
            return Err(
                InvalidMessage::BadRecordVersion(u16::from_be_bytes([major, minor])).into(),
            );
        }
        // RFC 8446, Sections 5.1 and 5.2, and RFC 5246, Section 6.2.3: longer
        // records are record_overflow.
        let max = decrypter.max_fragment_len(typ);
        if len > max {
            return Err(Error::RecordOverflow { len, max });
        }
        if r.remaining() < len {
            return Ok(None);
        }

        // Both within the buffer: the whole record was seen to be there.
        let body_start = self.start.saturating_add(HEADER_LEN);
        let body_end = body_start.saturating_add(len);
        // The record is consumed whatever happens next: on an error the
        // connection is over anyway.
        self.start = body_end;
        let base = self.buf.as_ptr() as usize;
        let body = self
            .buf
            .get_mut(body_start..body_end)
            .ok_or(Error::Internal("deframer lost track of its buffer"))?;
        let record = decrypter.open(typ, &header, body)?;
        // The payload is a part of the body, decrypted where it lies.
        let payload_start = (record.payload.as_ptr() as usize).saturating_sub(base);
        self.last_payload = Some((
            payload_start,
            payload_start.saturating_add(record.payload.len()),
        ));

        if record.payload.is_empty() {
            match record.typ {
                // RFC 8446, Sections 5.1 and 5.4: empty handshake and alert
                // fragments are unexpected_message.
                ContentType::HANDSHAKE | ContentType::ALERT => {
                    return Err(InvalidMessage::EmptyRecord.into())
                }
                // Allowed as traffic-analysis cover, but a peer must not make
                // us spin on them.
                ContentType::APPLICATION_DATA => {
                    self.empty_records = self.empty_records.saturating_add(1);
                    if self.empty_records > self.max_empty_records {
                        return Err(Limit::EmptyRecords(self.max_empty_records).into());
                    }
                }
                _ => {}
            }
        } else {
            self.empty_records = 0;
        }
        Ok(Some(record))
    }

    /// The content type and length of the record at the front, once it is
    /// all buffered.
    pub fn peek_record(&self) -> Option<(ContentType, usize)> {
        let pending = self.buf.get(self.start..self.end).unwrap_or_default();
        let [typ, _, _, len_hi, len_lo, body @ ..] = pending else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([*len_hi, *len_lo]));
        (body.len() >= len).then_some((ContentType(*typ), len))
    }

    /// Drops the record at the front, unread (a server skipping 0-RTT data
    /// it did not accept); false if it is not all buffered yet.
    pub fn skip_record(&mut self) -> bool {
        match self.peek_record() {
            Some((_, len)) => {
                self.start = self.start.saturating_add(HEADER_LEN).saturating_add(len);
                true
            }
            None => false,
        }
    }

    /// Number of unprocessed bytes buffered (a partial record at end of file
    /// means the stream was cut).
    pub fn buffered_len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when no unprocessed input is buffered.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// How much room a read should offer: the rest of the record at the
    /// front and the next record's header, so that while data flows the
    /// buffer is never empty between records and
    /// [`Deframer::release_if_empty`] leaves it for the next read; at least
    /// [`MIN_READ`], which is also what is asked while no header is visible.
    fn wanted(&self) -> usize {
        let pending = self.buf.get(self.start..self.end).unwrap_or_default();
        match pending {
            [_, _, _, len_hi, len_lo, ..] => {
                let len = usize::from(u16::from_be_bytes([*len_hi, *len_lo]));
                let missing = HEADER_LEN.saturating_add(len).saturating_sub(pending.len());
                missing.saturating_add(HEADER_LEN).max(MIN_READ)
            }
            _ => MIN_READ,
        }
    }

    /// Keeps the payload of the record [`Deframer::next_record`] returned
    /// last as application data for the reader, after any kept before it.
    ///
    /// Data kept while earlier data is unread is moved down to follow it (a
    /// copy within the buffer, only in that case), so the reader always sees
    /// one slice. Does nothing if the buffer changed since that record.
    pub(crate) fn keep_application_data(&mut self) {
        let Some((from, to)) = self.last_payload.take() else {
            return;
        };
        if self.plain_start == self.plain_end {
            (self.plain_start, self.plain_end) = (from, to);
        } else if from >= self.plain_end && to <= self.start {
            self.buf.copy_within(from..to, self.plain_end);
            self.plain_end = self.plain_end.saturating_add(to.saturating_sub(from));
        }
    }

    /// The application data kept and not yet consumed.
    pub(crate) fn application_data(&self) -> &[u8] {
        self.buf
            .get(self.plain_start..self.plain_end)
            .unwrap_or_default()
    }

    /// Marks `n` bytes of [`Deframer::application_data`] as read.
    pub(crate) fn consume_application_data(&mut self, n: usize) {
        self.plain_start = self.plain_start.saturating_add(n).min(self.plain_end);
        if self.plain_start == self.plain_end {
            (self.plain_start, self.plain_end) = (0, 0);
        }
    }

    /// Frees the storage if it holds neither input nor kept application
    /// data: the peer's flight is over, and the connection may now wait on
    /// it for long. The next read allocates the storage again.
    ///
    /// While data flows the storage is kept and reused, no allocation per
    /// record: each read asks for the next record's header too (see
    /// [`Deframer::wanted`]), so input remains after every record but the
    /// last of a flight.
    pub fn release_if_empty(&mut self) {
        if self.is_empty() && self.plain_start == self.plain_end {
            self.buf = Vec::new();
            (self.start, self.end) = (0, 0);
            (self.plain_start, self.plain_end) = (0, 0);
            self.last_payload = None;
        }
    }

    /// Discards consumed bytes and returns writable space after the pending
    /// input: at least `want` bytes if the maximum allows, growing the storage
    /// only when it is too small.
    ///
    /// Kept application data stays in front of the input; it moves (to the
    /// start of the buffer, with the input after it) only when the space
    /// after the input is too small.
    fn make_room(&mut self, want: usize) -> &mut [u8] {
        self.last_payload = None;
        let kept = self.plain_end.saturating_sub(self.plain_start);
        let pending = self.end.saturating_sub(self.start);
        if kept == 0 && pending == 0 {
            (self.start, self.end) = (0, 0);
        } else if kept == 0 {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, pending);
            }
        } else if self.buf.len().saturating_sub(self.end) < want
            && (self.plain_start > 0 || self.start > self.plain_end)
        {
            self.buf.copy_within(self.plain_start..self.plain_end, 0);
            self.buf.copy_within(self.start..self.end, kept);
            (self.plain_start, self.plain_end) = (0, kept);
            (self.start, self.end) = (kept, kept.saturating_add(pending));
        }
        // Unprocessed input never exceeds the maximum; kept data comes on top.
        let limit = self.start.saturating_add(self.max_buffered);
        let target = self.end.saturating_add(want).min(limit);
        if self.buf.len() < target {
            self.buf.resize(target, 0);
        }
        let (end, stop) = (self.end, limit.min(self.buf.len()));
        self.buf.get_mut(end..stop.max(end)).unwrap_or_default()
    }
}

impl core::fmt::Debug for Deframer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Buffered bytes may be decrypted plaintext: never print them.
        f.debug_struct("Deframer")
            .field("buffered", &self.buffered_len())
            .field("max_buffered", &self.max_buffered)
            .field("empty_records", &self.empty_records)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{AlertDescription, ProtocolVersion};
    use crate::crypto::AeadAlgorithm;
    use crate::record::{
        write_plaintext_records, RecordEncrypter, Tls12Decrypter, Tls13Decrypter, Tls13Encrypter,
        MAX_PLAINTEXT, MAX_TLS12_CIPHERTEXT, MAX_TLS13_CIPHERTEXT,
    };

    fn header(typ: u8, version: u16, len: usize) -> Vec<u8> {
        let mut h = vec![typ];
        h.extend_from_slice(&version.to_be_bytes());
        h.extend_from_slice(&(len as u16).to_be_bytes());
        h
    }

    fn first_error(wire: &[u8], decrypter: &mut RecordDecrypter) -> Error {
        let mut deframer = Deframer::default();
        deframer.push(wire).unwrap();
        deframer.next_record(decrypter).unwrap_err()
    }

    fn tls13_decrypter() -> RecordDecrypter {
        RecordDecrypter::Tls13(
            Tls13Decrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap(),
        )
    }

    #[test]
    fn frames_records_split_and_coalesced_arbitrarily() {
        let mut wire = Vec::new();
        for (i, len) in [1usize, 300, 5, 2000].into_iter().enumerate() {
            write_plaintext_records(
                ProtocolVersion::TLS12,
                ContentType::HANDSHAKE,
                &vec![i as u8 + 1; len],
                MAX_PLAINTEXT,
                &mut wire,
            )
            .unwrap();
        }
        for chunk in [1, 3, 7, 512, wire.len()] {
            let mut deframer = Deframer::default();
            let mut lens = Vec::new();
            for piece in wire.chunks(chunk) {
                assert_eq!(deframer.push(piece).unwrap(), piece.len());
                while let Some(r) = deframer.next_record(&mut RecordDecrypter::None).unwrap() {
                    assert!(r.payload.iter().all(|&b| b == r.payload[0]));
                    lens.push(r.payload.len());
                }
            }
            assert_eq!(lens, [1, 300, 5, 2000], "chunk {chunk}");
            assert!(deframer.is_empty());
        }
    }

    #[test]
    fn read_tls_reads_from_any_reader() {
        let mut wire = Vec::new();
        write_plaintext_records(
            ProtocolVersion::TLS12,
            ContentType::ALERT,
            &[1, 0],
            MAX_PLAINTEXT,
            &mut wire,
        )
        .unwrap();
        let mut deframer = Deframer::default();
        let mut source = io::Cursor::new(wire.clone());
        assert_eq!(deframer.read_tls(&mut source).unwrap(), wire.len());
        assert_eq!(deframer.read_tls(&mut source).unwrap(), 0);
        let r = deframer
            .next_record(&mut RecordDecrypter::None)
            .unwrap()
            .unwrap();
        assert_eq!((r.typ, r.payload), (ContentType::ALERT, &[1u8, 0][..]));
    }

    #[test]
    fn steady_state_reuses_its_buffer() {
        let mut encrypter = RecordEncrypter::Tls13(
            Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap(),
        );
        let mut decrypter = tls13_decrypter();
        let mut deframer = Deframer::default();
        let mut wire = Vec::new();
        let data = vec![0x33; MAX_PLAINTEXT];
        let mut capacity = None;
        for _ in 0..50 {
            wire.clear();
            encrypter
                .write_records(
                    ContentType::APPLICATION_DATA,
                    &data,
                    MAX_PLAINTEXT,
                    &mut wire,
                )
                .unwrap();
            let mut source = io::Cursor::new(&wire);
            let mut reads = 0;
            while deframer.read_tls(&mut source).unwrap() > 0 {
                reads += 1;
                assert!(reads <= wire.len(), "read_tls never reported the end");
                while let Some(r) = deframer.next_record(&mut decrypter).unwrap() {
                    assert_eq!(r.payload, &data[..]);
                }
            }
            assert_eq!(
                *capacity.get_or_insert(deframer.buf.capacity()),
                deframer.buf.capacity()
            );
        }
        assert!(deframer.buf.capacity() <= Limits::default().max_buffered_input);
    }

    /// A sender mid-transfer: each read brings the next record's header
    /// along, so the storage is never empty between records and is reused
    /// (no allocation, and no 16 KiB zeroed, per record); it is freed once
    /// the transport runs dry.
    #[test]
    fn storage_is_kept_while_data_flows_and_freed_when_the_transport_runs_dry() {
        let mut encrypter = RecordEncrypter::Tls13(
            Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap(),
        );
        let mut decrypter = tls13_decrypter();
        let mut deframer = Deframer::default();
        let data = vec![0x33; MAX_PLAINTEXT];
        let wire = seal_all(&mut encrypter, &[&data[..]; 8]);
        let mut source = io::Cursor::new(&wire);
        let mut storage = None;
        let mut records = 0;
        while deframer.read_tls(&mut source).unwrap() > 0 {
            while let Some(r) = deframer.next_record(&mut decrypter).unwrap() {
                assert_eq!(r.payload, &data[..]);
                records += 1;
            }
            deframer.release_if_empty();
            // The first record grows the storage from a small first read's.
            if (1..8).contains(&records) {
                assert_eq!(deframer.buffered_len(), HEADER_LEN, "record {records}");
                let at = deframer.buf.as_ptr();
                assert_eq!(*storage.get_or_insert(at), at, "record {records}");
            }
        }
        assert_eq!(records, 8);
        deframer.release_if_empty();
        assert_eq!(deframer.buf.capacity(), 0);
    }

    /// make_room's moves, state by state: kept application data moves only
    /// when the space after the input is too short for what is wanted, and
    /// then reclaims any gap (data already read before it, records already
    /// opened after it), so a slow reader never makes the storage grow.
    #[test]
    fn make_room_moves_kept_data_only_when_short_and_then_reclaims_every_gap() {
        // (length, kept, input, want) -> (length, kept, input) after.
        type Span = (usize, usize);
        let cases: [(usize, Span, Span, usize, usize, Span, Span); 6] = [
            // Read data before the kept data, room short: it all moves down.
            (100, (10, 20), (20, 100), 50, 140, (0, 10), (10, 90)),
            // Opened records after the kept data, room short: the input moves.
            (100, (0, 10), (30, 100), 50, 130, (0, 10), (10, 80)),
            // No gap to reclaim: nothing moves, the storage grows.
            (100, (0, 10), (10, 100), 50, 150, (0, 10), (10, 100)),
            // A gap, but room enough (exactly enough, too): nothing moves.
            (200, (10, 20), (20, 100), 50, 200, (10, 20), (20, 100)),
            (150, (10, 20), (20, 100), 50, 150, (10, 20), (20, 100)),
            // Nothing kept: the input moves to the front.
            (100, (0, 0), (30, 100), 50, 120, (0, 0), (0, 70)),
        ];
        for (len, kept, input, want, len_after, kept_after, input_after) in cases {
            let mut deframer = Deframer {
                buf: (0..len).map(|i| i as u8).collect(),
                plain_start: kept.0,
                plain_end: kept.1,
                start: input.0,
                end: input.1,
                ..Deframer::default()
            };
            let kept_bytes = deframer.application_data().to_vec();
            let input_bytes = deframer.buf[input.0..input.1].to_vec();
            let room = deframer.make_room(want).len();
            let case = format!("{len} {kept:?} {input:?} {want}");
            assert!(room >= want, "{case}");
            assert_eq!(deframer.buf.len(), len_after, "{case}");
            assert_eq!(
                (deframer.plain_start, deframer.plain_end),
                kept_after,
                "{case}"
            );
            assert_eq!((deframer.start, deframer.end), input_after, "{case}");
            assert_eq!(deframer.application_data(), kept_bytes, "{case}");
            assert_eq!(
                deframer.buf[deframer.start..deframer.end],
                input_bytes,
                "{case}"
            );
        }
    }

    fn seal_all(encrypter: &mut RecordEncrypter, payloads: &[&[u8]]) -> Vec<u8> {
        let mut wire = Vec::new();
        for payload in payloads {
            encrypter
                .write_records(
                    ContentType::APPLICATION_DATA,
                    payload,
                    MAX_PLAINTEXT,
                    &mut wire,
                )
                .unwrap();
        }
        wire
    }

    #[test]
    fn kept_application_data_stays_in_front_of_new_input() {
        let mut encrypter = RecordEncrypter::Tls13(
            Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap(),
        );
        let mut decrypter = tls13_decrypter();
        let mut deframer = Deframer::default();
        let first = vec![0x11; 3000];
        let second = vec![0x22; MAX_PLAINTEXT];
        let third = vec![0x33; 500];
        let wire = seal_all(&mut encrypter, &[&first, &second]);
        deframer.push(&wire).unwrap();
        deframer.next_record(&mut decrypter).unwrap().unwrap();
        deframer.keep_application_data();
        deframer.next_record(&mut decrypter).unwrap().unwrap();
        deframer.keep_application_data();
        // Both payloads, as one slice: the second moved down to the first.
        assert_eq!(deframer.application_data(), [&first[..], &second].concat());
        deframer.consume_application_data(1000);

        // New input, first a partial record, then one that needs the space
        // taken by the records already opened: the kept data moves to the
        // front intact and the input follows it.
        let wire = seal_all(&mut encrypter, &[&third, &second]);
        let (head, tail) = wire.split_at(100);
        deframer.push(head).unwrap();
        deframer.push(tail).unwrap();
        assert_eq!(deframer.plain_start, 0);
        let kept = [&first[1000..], &second].concat();
        assert_eq!(deframer.application_data(), kept);
        assert_eq!(deframer.buffered_len(), wire.len());

        // An unkept record (say, an alert's) leaves the kept data alone.
        assert_eq!(
            deframer
                .next_record(&mut decrypter)
                .unwrap()
                .unwrap()
                .payload,
            third
        );
        assert_eq!(deframer.application_data(), kept);
        deframer.release_if_empty();
        assert_eq!(
            deframer.application_data(),
            kept,
            "kept data is never freed"
        );

        deframer.consume_application_data(kept.len());
        assert!(deframer.application_data().is_empty());
        assert_eq!(
            deframer
                .next_record(&mut decrypter)
                .unwrap()
                .unwrap()
                .payload,
            second
        );
        deframer.release_if_empty();
        assert_eq!(deframer.buf.capacity(), 0);
    }

    #[test]
    fn kept_application_data_does_not_count_as_buffered_input() {
        let mut encrypter = RecordEncrypter::Tls13(
            Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap(),
        );
        let mut decrypter = tls13_decrypter();
        let mut deframer = Deframer::new(0, 1);
        let data = vec![0x44; MAX_PLAINTEXT];
        let wire = seal_all(&mut encrypter, &[&data, &data]);
        let record_len = wire.len() / 2;
        assert_eq!(deframer.push(&wire[..record_len]).unwrap(), record_len);
        deframer.next_record(&mut decrypter).unwrap().unwrap();
        deframer.keep_application_data();
        // The input maximum (one record) is free again, whatever is kept.
        assert_eq!(deframer.push(&wire[record_len..]).unwrap(), record_len);
        let filler = vec![0; MAX_RECORD_LEN];
        assert_eq!(deframer.push(&filler).unwrap(), MAX_RECORD_LEN - record_len);
        assert_eq!(
            deframer.push(b"more"),
            Err(Limit::BufferedInput(MAX_RECORD_LEN).into())
        );
        assert_eq!(deframer.application_data(), data);
    }

    #[test]
    fn reads_make_room_for_the_record_not_a_maximum() {
        let mut wire = Vec::new();
        for len in [100, MAX_PLAINTEXT] {
            write_plaintext_records(
                ProtocolVersion::TLS12,
                ContentType::HANDSHAKE,
                &vec![7; len],
                MAX_PLAINTEXT,
                &mut wire,
            )
            .unwrap();
        }
        let mut deframer = Deframer::default();
        let mut source = io::Cursor::new(&wire);
        // A small first read: a ClientHello-sized record fits in MIN_READ.
        deframer.read_tls(&mut source).unwrap();
        assert_eq!(deframer.buf.len(), MIN_READ);
        let r = deframer.next_record(&mut RecordDecrypter::None).unwrap();
        assert_eq!(r.unwrap().payload.len(), 100);
        // Then room for exactly the rest of the big record whose header
        // arrived, and the next record's header.
        deframer.read_tls(&mut source).unwrap();
        assert_eq!(deframer.buf.len(), HEADER_LEN + MAX_PLAINTEXT + HEADER_LEN);
        let r = deframer.next_record(&mut RecordDecrypter::None).unwrap();
        assert_eq!(r.unwrap().payload.len(), MAX_PLAINTEXT);
        deframer.release_if_empty();
        assert_eq!(deframer.buf.capacity(), 0);
    }

    #[test]
    fn buffered_input_is_bounded() {
        let mut deframer = Deframer::new(0, 1);
        assert_eq!(deframer.max_buffered, MAX_RECORD_LEN);
        let big = vec![0x16; MAX_RECORD_LEN + 10];
        assert_eq!(deframer.push(&big).unwrap(), MAX_RECORD_LEN);
        assert_eq!(
            deframer.push(&big),
            Err(Limit::BufferedInput(MAX_RECORD_LEN).into())
        );
        let err = deframer.read_tls(&mut io::Cursor::new(&big)).unwrap_err();
        assert!(err.to_string().contains("unprocessed input"), "{err}");
    }

    #[test]
    fn plaintext_over_2_pow_14_is_record_overflow() {
        let mut wire = header(0x16, 0x0303, MAX_PLAINTEXT + 1);
        let err = first_error(&wire, &mut RecordDecrypter::None);
        assert_eq!(
            err,
            Error::RecordOverflow {
                len: MAX_PLAINTEXT + 1,
                max: MAX_PLAINTEXT
            }
        );
        assert_eq!(err.alert(), Some(AlertDescription::RECORD_OVERFLOW));

        // Exactly 2^14 is fine (and waits for its body).
        wire = header(0x16, 0x0303, MAX_PLAINTEXT);
        let mut deframer = Deframer::default();
        deframer.push(&wire).unwrap();
        assert_eq!(deframer.next_record(&mut RecordDecrypter::None), Ok(None));
    }

    #[test]
    fn ciphertext_over_2_pow_14_plus_256_is_record_overflow() {
        let wire = header(0x17, 0x0303, MAX_TLS13_CIPHERTEXT + 1);
        let err = first_error(&wire, &mut tls13_decrypter());
        assert_eq!(
            err,
            Error::RecordOverflow {
                len: MAX_TLS13_CIPHERTEXT + 1,
                max: MAX_TLS13_CIPHERTEXT
            }
        );
        assert_eq!(err.alert(), Some(AlertDescription::RECORD_OVERFLOW));

        // Exactly 2^14 + 256 is framed, then fails authentication.
        let mut wire = header(0x17, 0x0303, MAX_TLS13_CIPHERTEXT);
        wire.resize(HEADER_LEN + MAX_TLS13_CIPHERTEXT, 0);
        assert_eq!(
            first_error(&wire, &mut tls13_decrypter()),
            Error::DecryptFailed
        );

        // An unprotected change_cipher_spec keeps the plaintext limit.
        let wire = header(0x14, 0x0303, MAX_PLAINTEXT + 1);
        assert!(matches!(
            first_error(&wire, &mut tls13_decrypter()),
            Error::RecordOverflow { .. }
        ));
    }

    #[test]
    fn tls12_ciphertext_over_2_pow_14_plus_2048_is_record_overflow() {
        let tls12_decrypter = || {
            RecordDecrypter::Tls12(
                Tls12Decrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 4]).unwrap(),
            )
        };
        for typ in [0x15, 0x16, 0x17] {
            let wire = header(typ, 0x0303, MAX_TLS12_CIPHERTEXT + 1);
            let err = first_error(&wire, &mut tls12_decrypter());
            assert_eq!(
                err,
                Error::RecordOverflow {
                    len: MAX_TLS12_CIPHERTEXT + 1,
                    max: MAX_TLS12_CIPHERTEXT
                }
            );
            assert_eq!(err.alert(), Some(AlertDescription::RECORD_OVERFLOW));

            // Exactly 2^14 + 2048 is framed, even by the smallest deframer,
            // then fails authentication.
            let mut wire = header(typ, 0x0303, MAX_TLS12_CIPHERTEXT);
            wire.resize(HEADER_LEN + MAX_TLS12_CIPHERTEXT, 0);
            let mut deframer = Deframer::new(0, 1);
            assert_eq!(deframer.push(&wire).unwrap(), wire.len());
            assert_eq!(
                deframer.next_record(&mut tls12_decrypter()),
                Err(Error::DecryptFailed)
            );
        }

        // The unprotected change_cipher_spec keeps the plaintext limit.
        let wire = header(0x14, 0x0303, MAX_PLAINTEXT + 1);
        assert!(matches!(
            first_error(&wire, &mut tls12_decrypter()),
            Error::RecordOverflow { .. }
        ));
    }

    #[test]
    fn unknown_content_type_is_unexpected_message() {
        for typ in [0u8, 19, 24, 0x80] {
            let err = first_error(&header(typ, 0x0303, 1), &mut RecordDecrypter::None);
            assert_eq!(err, InvalidMessage::UnknownContentType(typ).into());
            assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
        }
    }

    #[test]
    fn non_tls_record_version_is_refused() {
        let err = first_error(b"GET / HTTP/1.1\r\n", &mut RecordDecrypter::None);
        assert_eq!(err, InvalidMessage::UnknownContentType(b'G').into());
        let err = first_error(&header(0x16, 0x0403, 1), &mut RecordDecrypter::None);
        assert_eq!(err, InvalidMessage::BadRecordVersion(0x0403).into());
        // Any 3.x passes: the field is otherwise ignored.
        let mut deframer = Deframer::default();
        deframer
            .push(&[0x16, 0x03, 0x07, 0x00, 0x01, 0x01])
            .unwrap();
        assert!(deframer
            .next_record(&mut RecordDecrypter::None)
            .unwrap()
            .is_some());
    }

    #[test]
    fn empty_handshake_and_alert_records_are_refused() {
        for typ in [0x15, 0x16] {
            let err = first_error(&header(typ, 0x0303, 0), &mut RecordDecrypter::None);
            assert_eq!(err, InvalidMessage::EmptyRecord.into());
            assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
        }
        // Also when the emptiness is only visible after decryption.
        let mut encrypter =
            Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap();
        let mut wire = Vec::new();
        encrypter
            .seal_record(ContentType::HANDSHAKE, &[], &mut wire)
            .unwrap();
        assert_eq!(
            first_error(&wire, &mut tls13_decrypter()),
            InvalidMessage::EmptyRecord.into()
        );
    }

    #[test]
    fn runs_of_empty_application_data_are_bounded() {
        let mut encrypter =
            Tls13Encrypter::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[2; 12]).unwrap();
        let mut decrypter = tls13_decrypter();
        let mut deframer = Deframer::new(Limits::default().max_buffered_input, 3);
        let mut seal = |payload: &[u8]| {
            let mut wire = Vec::new();
            encrypter
                .seal_record(ContentType::APPLICATION_DATA, payload, &mut wire)
                .unwrap();
            wire
        };
        // Three empty, one with data (resets the count), three empty again: fine.
        for payload in [&b""[..], b"", b"", b"data", b"", b"", b""] {
            deframer.push(&seal(payload)).unwrap();
            let r = deframer.next_record(&mut decrypter).unwrap().unwrap();
            assert_eq!(r.payload, payload);
        }
        // The fourth in a row is refused.
        deframer.push(&seal(b"")).unwrap();
        let err = deframer.next_record(&mut decrypter).unwrap_err();
        assert_eq!(err, Limit::EmptyRecords(3).into());
        assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn debug_does_not_show_buffered_bytes() {
        let mut deframer = Deframer::default();
        deframer.push(b"\x17\x03\x03\x00\x04SECRET").unwrap();
        let text = format!("{deframer:?}");
        assert!(
            !text.contains("83") && text.contains("buffered: 11"),
            "{text}"
        );
    }
}
