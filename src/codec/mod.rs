//! The wire codec: a [`Reader`] that refuses trailing bytes, a [`Writer`] whose
//! length prefixes fill themselves in, the wire enums, and one flat struct per
//! handshake message.
//!
//! Every decoder takes a `Reader` and returns `Result<T, InvalidMessage>`; the
//! caller decides which alert that becomes through [`crate::Error`]. Nothing
//! here panics on peer input: all reads are bounds-checked.

// Wire-facing code: no panic and no silent wrap-around on values a peer
// controls. Tests may unwrap, expect and index (clippy.toml).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod enums;
pub mod extensions;
pub mod messages;

pub use enums::*;

use crate::error::{Error, InvalidMessage};

/// A cursor over bytes received from the peer.
///
/// Reads past the end return [`InvalidMessage::Truncated`] naming what was being
/// read; [`Reader::finish`] refuses leftover bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading `buf` from its first byte.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True once every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Succeeds only if every byte has been consumed (RFC 8446, Section 4:
    /// a message with trailing bytes is malformed: decode_error).
    pub fn finish(&self, what: &'static str) -> Result<(), InvalidMessage> {
        match self.is_empty() {
            true => Ok(()),
            false => Err(InvalidMessage::TrailingBytes(what)),
        }
    }

    /// Takes exactly `len` bytes.
    pub fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        let end = self
            .pos
            .checked_add(len)
            .ok_or(InvalidMessage::Truncated(what))?;
        let bytes = self
            .buf
            .get(self.pos..end)
            .ok_or(InvalidMessage::Truncated(what))?;
        self.pos = end;
        Ok(bytes)
    }

    /// Takes all remaining bytes.
    pub fn take_rest(&mut self) -> &'a [u8] {
        let rest = self.rest();
        self.pos = self.buf.len();
        rest
    }

    /// Reads a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], InvalidMessage> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, InvalidMessage> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, InvalidMessage> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    /// Reads a big-endian 24-bit length.
    pub fn u24(&mut self, what: &'static str) -> Result<usize, InvalidMessage> {
        let [a, b, c] = self.array(what)?;
        Ok(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, InvalidMessage> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// Reads an `opaque<0..2^8-1>` vector.
    pub fn vec8(&mut self, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        let len = self.u8(what)?;
        self.take(usize::from(len), what)
    }

    /// Reads an `opaque<0..2^16-1>` vector.
    pub fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
    }

    /// Reads an `opaque<0..2^24-1>` vector.
    pub fn vec24(&mut self, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        let len = self.u24(what)?;
        self.take(len, what)
    }

    /// Runs `read` and also returns the exact bytes it consumed: the span a
    /// signature covers (e.g. RFC 8422, Section 5.4's ServerECDHParams) is
    /// then the received bytes themselves, never a re-encoding of them.
    pub fn spanned<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, InvalidMessage>,
    ) -> Result<(T, &'a [u8]), InvalidMessage> {
        let start = self.pos;
        let value = read(self)?;
        let span = self.buf.get(start..self.pos).unwrap_or_default();
        Ok((value, span))
    }

    /// Reads a non-empty `opaque<1..2^8-1>` vector.
    pub fn vec8_nonempty(&mut self, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        non_empty(self.vec8(what)?, what)
    }

    /// Reads a non-empty `opaque<1..2^16-1>` vector.
    pub fn vec16_nonempty(&mut self, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        non_empty(self.vec16(what)?, what)
    }

    /// Reads a `uint16 list<2..2^16-2>` (suites, groups, signature schemes):
    /// the byte length must be even and non-zero.
    pub fn u16_list(&mut self, what: &'static str) -> Result<Vec<u16>, InvalidMessage> {
        let body = self.vec16_nonempty(what)?;
        if body.len() % 2 != 0 {
            return Err(InvalidMessage::OddLength(what));
        }
        let mut r = Reader::new(body);
        let mut list = Vec::with_capacity(body.len() / 2);
        while !r.is_empty() {
            list.push(r.u16(what)?);
        }
        Ok(list)
    }
}

fn non_empty<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a [u8], InvalidMessage> {
    match bytes.is_empty() {
        true => Err(InvalidMessage::EmptyVector(what)),
        false => Ok(bytes),
    }
}

/// Appends wire encodings to a `Vec<u8>`.
///
/// Length prefixes are written by [`Writer::vec8`], [`Writer::vec16`] and
/// [`Writer::vec24`], which reserve the prefix, run the closure that writes the
/// body, and then fill the prefix in: no length is ever computed by hand.
///
/// A body too long for its prefix (a 70,000-byte cookie in a `<0..2^16-1>`
/// field) is never truncated and never panics: the writer remembers it, and
/// [`Writer::finish`] reports it. Whoever creates a writer calls `finish`.
pub struct Writer<'a> {
    buf: &'a mut Vec<u8>,
    /// A length did not fit its prefix (or a u24 did not fit 24 bits).
    overflow: bool,
}

impl<'a> Writer<'a> {
    /// Writes to the end of `buf`.
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        Self {
            buf,
            overflow: false,
        }
    }

    /// Ends the writing: an error if any length did not fit its prefix, in
    /// which case the bytes written are not a valid encoding and must not be
    /// sent.
    pub fn finish(self) -> Result<(), Error> {
        match self.overflow {
            false => Ok(()),
            true => Err(Error::Internal("a field is too long for its length prefix")),
        }
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Appends a big-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Appends a big-endian 24-bit value; one of 2^24 or more is an overflow.
    pub fn u24(&mut self, v: usize) {
        let b = u32::try_from(v).unwrap_or(u32::MAX).to_be_bytes();
        self.overflow |= b[0] != 0;
        self.buf.extend_from_slice(&b[1..]);
    }

    /// Appends a big-endian u32.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    /// Writes a body behind a 1-byte length prefix.
    pub fn vec8(&mut self, body: impl FnOnce(&mut Writer<'_>)) {
        self.prefixed::<1>(body)
    }

    /// Writes a body behind a 2-byte length prefix.
    pub fn vec16(&mut self, body: impl FnOnce(&mut Writer<'_>)) {
        self.prefixed::<2>(body)
    }

    /// Writes a body behind a 3-byte length prefix.
    pub fn vec24(&mut self, body: impl FnOnce(&mut Writer<'_>)) {
        self.prefixed::<3>(body)
    }

    /// Writes an `N`-byte length prefix (zero for now), the body, then the
    /// body's length into the prefix, or marks an overflow if it does not fit.
    fn prefixed<const N: usize>(&mut self, body: impl FnOnce(&mut Writer<'_>)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0; N]);
        let mut inner = Writer::new(self.buf);
        body(&mut inner);
        self.overflow |= inner.overflow;
        let len = self.buf.len().saturating_sub(start).saturating_sub(N);
        let be = u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes();
        let (high, low) = be.split_at(be.len().saturating_sub(N));
        self.overflow |= high.iter().any(|&b| b != 0);
        let prefix = self
            .buf
            .get_mut(start..)
            .and_then(|b| b.first_chunk_mut::<N>());
        if let (Some(prefix), Ok(len)) = (prefix, <[u8; N]>::try_from(low)) {
            *prefix = len;
        }
    }
}

/// Encodes with `write` into a new buffer, failing if a length did not fit.
pub fn encode_with(write: impl FnOnce(&mut Writer<'_>)) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out);
    write(&mut w);
    w.finish()?;
    Ok(out)
}

/// A byte string of at most `N` bytes kept inline, for the short fields
/// every handshake carries: a session ID (32 bytes), Finished verify_data
/// (64), compression methods (255). Holding them in the message saves an
/// allocation each. Dereferences to the bytes it holds.
#[derive(Clone)]
pub struct InlineBytes<const N: usize> {
    len: usize,
    bytes: [u8; N],
}

impl<const N: usize> InlineBytes<N> {
    /// `bytes`, or `LengthOutOfRange(what)` when longer than `N`.
    pub fn new(bytes: &[u8], what: &'static str) -> Result<Self, InvalidMessage> {
        let mut out = Self {
            len: bytes.len(),
            bytes: [0; N],
        };
        out.bytes
            .get_mut(..bytes.len())
            .ok_or(InvalidMessage::LengthOutOfRange(what))?
            .copy_from_slice(bytes);
        Ok(out)
    }
}

impl<const N: usize> InlineBytes<N> {
    /// The `K` bytes of an array that fits, checked when compiling: for the
    /// values we make ourselves (a fresh session ID, `[0]` compression).
    pub fn from_array<const K: usize>(bytes: [u8; K]) -> Self {
        const { assert!(K <= N) };
        let mut out = Self::default();
        if let Some(prefix) = out.bytes.get_mut(..K) {
            prefix.copy_from_slice(&bytes);
            out.len = K;
        }
        out
    }
}

impl<const N: usize> Default for InlineBytes<N> {
    fn default() -> Self {
        Self {
            len: 0,
            bytes: [0; N],
        }
    }
}

impl<const N: usize> core::ops::Deref for InlineBytes<N> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl<const N: usize> core::ops::DerefMut for InlineBytes<N> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or_default()
    }
}

impl<const N: usize> PartialEq for InlineBytes<N> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<const N: usize> Eq for InlineBytes<N> {}

impl<const N: usize, const K: usize> PartialEq<[u8; K]> for InlineBytes<N> {
    fn eq(&self, other: &[u8; K]) -> bool {
        **self == other[..]
    }
}

impl<const N: usize> core::fmt::Debug for InlineBytes<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        (**self).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_bytes_hold_up_to_their_size() {
        let id = InlineBytes::<32>::new(&[7; 32], "id").unwrap();
        assert_eq!(&*id, &[7; 32][..]);
        assert_eq!(id, InlineBytes::<32>::new(&[7; 32], "id").unwrap());
        assert_ne!(id, InlineBytes::<32>::new(&[7; 31], "id").unwrap());
        assert!(InlineBytes::<32>::default().is_empty());
        assert_eq!(InlineBytes::<32>::from_array([7; 32]), id);
        assert_eq!(&*InlineBytes::<255>::from_array([0]), &[0]);
        assert_eq!(
            InlineBytes::<32>::new(&[7; 33], "id").err(),
            Some(InvalidMessage::LengthOutOfRange("id"))
        );
        assert_eq!(
            format!("{:?}", InlineBytes::<4>::new(&[1, 2], "x").unwrap()),
            "[1, 2]"
        );
    }

    #[test]
    fn reader_refuses_short_and_trailing_input() {
        let mut r = Reader::new(&[0, 3, 1, 2]);
        assert_eq!(r.vec16("v"), Err(InvalidMessage::Truncated("v")));
        let mut r = Reader::new(&[0, 1, 9, 7]);
        assert_eq!(r.vec16("v"), Ok(&[9u8][..]));
        assert_eq!(r.finish("m"), Err(InvalidMessage::TrailingBytes("m")));
        assert_eq!(r.u8("x"), Ok(7));
        assert_eq!(r.finish("m"), Ok(()));
        assert_eq!(r.u8("x"), Err(InvalidMessage::Truncated("x")));
    }

    #[test]
    fn reader_u16_lists_must_be_even_and_non_empty() {
        assert_eq!(
            Reader::new(&[0, 0]).u16_list("l"),
            Err(InvalidMessage::EmptyVector("l"))
        );
        assert_eq!(
            Reader::new(&[0, 3, 0, 1, 2]).u16_list("l"),
            Err(InvalidMessage::OddLength("l"))
        );
        assert_eq!(
            Reader::new(&[0, 4, 0, 1, 0xfa, 0xfa]).u16_list("l"),
            Ok(vec![1, 0xfafa])
        );
    }

    #[test]
    fn reader_spans_cover_exactly_what_was_read() {
        let mut r = Reader::new(&[9, 3, 0, 2, 5, 6, 7]);
        assert_eq!(r.u8("skipped"), Ok(9));
        let (inner, span) = r
            .spanned(|r| {
                r.u8("curve_type")?;
                r.vec16("point")
            })
            .unwrap();
        assert_eq!((inner, span), (&[5u8, 6][..], &[3u8, 0, 2, 5, 6][..]));
        assert_eq!(r.rest(), [7]);
        assert_eq!(
            r.spanned(|r| r.vec8("point")),
            Err(InvalidMessage::Truncated("point"))
        );
    }

    #[test]
    fn writer_fills_nested_length_prefixes() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf);
        w.vec24(|w| {
            w.u8(1);
            w.vec16(|w| w.bytes(b"abc"));
            w.vec8(|_| {});
        });
        assert_eq!(buf, [0, 0, 7, 1, 0, 3, b'a', b'b', b'c', 0]);
    }

    #[test]
    fn a_body_too_long_for_its_prefix_is_an_error_not_a_truncation() {
        let long = vec![7u8; 256];
        assert!(encode_with(|w| w.vec8(|w| w.bytes(&long[..255]))).is_ok());
        assert!(encode_with(|w| w.vec8(|w| w.bytes(&long))).is_err());
        // Nested: the inner overflow reaches the outer writer.
        let err = encode_with(|w| w.vec16(|w| w.vec8(|w| w.bytes(&long))));
        assert!(err.is_err());
        let big = vec![0u8; 65_536];
        assert!(encode_with(|w| w.vec16(|w| w.bytes(&big[..65_535]))).is_ok());
        assert!(encode_with(|w| w.vec16(|w| w.bytes(&big))).is_err());
        assert!(encode_with(|w| w.u24(1 << 24)).is_err());
        assert!(encode_with(|w| w.u24((1 << 24) - 1)).is_ok());
    }
}
