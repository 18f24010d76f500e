//! The handshake transcript hash (RFC 8446, Section 4.4.1).
//!
//! The transcript is hashed with the cipher suite's hash, and the suite is
//! known only once the ServerHello (or HelloRetryRequest) is chosen or read.
//! Until then a [`Transcript`] keeps the messages themselves; from
//! [`Transcript::start_hash`] on it keeps only the running hash, so what it
//! holds no longer grows with the handshake.
//!
//! After a HelloRetryRequest, ClientHello1 is replaced by a synthetic
//! message_hash message ([`Transcript::rollup_hello_retry_request`]). The
//! server knows the hash when it sends the HelloRetryRequest; the client learns
//! it from the HelloRetryRequest's cipher suite. Either may roll up before or
//! after starting the hash, and the result is the same.
//!
//! A TLS 1.2 CertificateVerify signs the handshake messages themselves, not
//! their hash (RFC 5246, Section 7.4.8), so a handshake that may need one
//! asks the transcript to keep them ([`Transcript::keep_messages`]) and takes
//! them back once signed or checked ([`Transcript::take_messages`]).

use core::fmt;

use ring::digest;

use crate::codec::HandshakeType;
use crate::crypto::HashAlgorithm;
use crate::error::Error;

/// The running hash of one handshake's messages.
#[derive(Clone)]
pub struct Transcript {
    state: State,
    /// Every message since [`Transcript::keep_messages`], for a TLS 1.2
    /// CertificateVerify.
    kept: Option<Vec<u8>>,
}

/// Where a transcript stands: before or after its hash is known.
#[derive(Clone)]
enum State {
    /// The hash is not known yet.
    Buffering {
        /// Every handshake message so far, in order, with its header.
        messages: Vec<u8>,
        /// After a HelloRetryRequest rollup, the length of ClientHello1 at the
        /// front of `messages`, to be replaced once the hash is known.
        client_hello1_len: Option<usize>,
    },
    /// The hash is known; messages are hashed as they arrive.
    Hashing(digest::Context),
}

impl Transcript {
    /// Returns an empty transcript whose hash is not yet known.
    pub fn new() -> Self {
        Transcript {
            state: State::Buffering {
                messages: Vec::new(),
                client_hello1_len: None,
            },
            kept: None,
        }
    }

    /// Appends one handshake message, header included (RFC 8446, Section
    /// 4.4.1: the transcript covers each message as sent, with its type and
    /// length).
    pub fn add(&mut self, message: &[u8]) {
        if let Some(kept) = &mut self.kept {
            kept.extend_from_slice(message);
        }
        match &mut self.state {
            State::Buffering { messages, .. } => messages.extend_from_slice(message),
            State::Hashing(context) => context.update(message),
        }
    }

    /// Starts hashing with the negotiated suite's hash, replaying what was
    /// buffered. Later calls change nothing: the first fixes the hash (a
    /// client checks that the ServerHello keeps the HelloRetryRequest's suite,
    /// RFC 8446, Section 4.1.4).
    pub fn start_hash(&mut self, hash: HashAlgorithm) {
        let State::Buffering {
            messages,
            client_hello1_len,
        } = &self.state
        else {
            return;
        };
        // client_hello1_len never exceeds the buffer, which only grows.
        let context = match client_hello1_len.and_then(|len| messages.split_at_checked(len)) {
            Some((client_hello1, rest)) => {
                let mut context = message_hash(digest::digest(hash.digest(), client_hello1));
                context.update(rest);
                context
            }
            None => {
                let mut context = digest::Context::new(hash.digest());
                context.update(messages);
                context
            }
        };
        self.state = State::Hashing(context);
    }

    /// Returns the hash of the messages so far (RFC 8446, Section 4.4.1),
    /// leaving the running hash free to continue.
    ///
    /// Fails with [`Error::Internal`] before [`Transcript::start_hash`]: the
    /// handshake asked for a hash it has not chosen.
    pub fn current_hash(&self) -> Result<digest::Digest, Error> {
        match &self.state {
            State::Hashing(context) => Ok(context.clone().finish()),
            State::Buffering { .. } => Err(Error::Internal(
                "transcript hash requested before the cipher suite was known",
            )),
        }
    }

    /// Keeps every message, from the first on, until [`Self::take_messages`].
    ///
    /// Fails with [`Error::Internal`] once hashing has started: the messages
    /// before that are gone.
    pub fn keep_messages(&mut self) -> Result<(), Error> {
        match &self.state {
            State::Buffering { messages, .. } => {
                self.kept.get_or_insert_with(|| messages.clone());
                Ok(())
            }
            State::Hashing(_) => Err(Error::Internal(
                "transcript asked to keep messages after hashing started",
            )),
        }
    }

    /// Returns the messages kept since [`Self::keep_messages`] (the whole
    /// handshake so far) and stops keeping them.
    pub fn take_messages(&mut self) -> Result<Vec<u8>, Error> {
        self.kept
            .take()
            .ok_or(Error::Internal("transcript messages were not kept"))
    }

    /// Replaces ClientHello1 with the synthetic message_hash message (RFC 8446,
    /// Section 4.4.1).
    ///
    /// Call it after adding ClientHello1 and before adding the
    /// HelloRetryRequest; the transcript must hold nothing else.
    pub fn rollup_hello_retry_request(&mut self) {
        match &mut self.state {
            State::Buffering {
                messages,
                client_hello1_len,
            } => *client_hello1_len = Some(messages.len()),
            State::Hashing(context) => {
                *context = message_hash(context.clone().finish());
            }
        }
    }
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Buffering {
                messages,
                client_hello1_len,
            } => f
                .debug_struct("Transcript::Buffering")
                .field("len", &messages.len())
                .field("client_hello1_len", client_hello1_len)
                .finish(),
            State::Hashing(context) => f
                .debug_struct("Transcript::Hashing")
                .field("hash", context.algorithm())
                .finish(),
        }
    }
}

/// Returns a running hash that starts with the synthetic message standing for
/// ClientHello1, given `client_hello1_hash` = Hash(ClientHello1).
fn message_hash(client_hello1_hash: digest::Digest) -> digest::Context {
    // RFC 8446, Section 4.4.1:
    //   Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
    //       Hash(message_hash ||        /* Handshake type */
    //            00 00 Hash.length  ||  /* Handshake message length (bytes) */
    //            Hash(ClientHello1) ||  /* Hash of ClientHello1 */
    //            HelloRetryRequest  || ... || Mn)
    // A digest is at most 64 bytes, so its length fits the one byte.
    let hash = client_hello1_hash.as_ref();
    let header = [HandshakeType::MESSAGE_HASH.0, 0, 0, hash.len() as u8];
    let mut context = digest::Context::new(client_hello1_hash.algorithm());
    context.update(&header);
    context.update(hash);
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256(bytes: &[u8]) -> Vec<u8> {
        digest::digest(&digest::SHA256, bytes).as_ref().to_vec()
    }

    fn hash_of(transcript: &Transcript) -> Vec<u8> {
        transcript.current_hash().unwrap().as_ref().to_vec()
    }

    #[test]
    fn buffered_and_later_messages_hash_as_one_stream() {
        let mut transcript = Transcript::new();
        transcript.add(b"client hello");
        transcript.add(b"server hello");
        transcript.start_hash(HashAlgorithm::Sha256);
        assert_eq!(hash_of(&transcript), sha256(b"client helloserver hello"));
        transcript.add(b"finished");
        assert_eq!(
            hash_of(&transcript),
            sha256(b"client helloserver hellofinished")
        );
    }

    #[test]
    fn kept_messages_are_the_whole_handshake_and_are_handed_out_once() {
        let mut transcript = Transcript::new();
        transcript.add(b"client hello");
        transcript.keep_messages().unwrap();
        transcript.start_hash(HashAlgorithm::Sha256);
        transcript.add(b"server hello");
        assert_eq!(
            transcript.take_messages().unwrap(),
            b"client helloserver hello"
        );
        assert!(matches!(
            transcript.take_messages(),
            Err(Error::Internal(_))
        ));
        assert!(matches!(
            transcript.keep_messages(),
            Err(Error::Internal(_))
        ));
        // Keeping does not change the hash.
        assert_eq!(hash_of(&transcript), sha256(b"client helloserver hello"));
    }

    #[test]
    fn current_hash_before_the_suite_is_known_is_an_error() {
        let transcript = Transcript::new();
        assert!(matches!(transcript.current_hash(), Err(Error::Internal(_))));
    }

    #[test]
    fn start_hash_twice_keeps_the_first_hash() {
        let mut transcript = Transcript::new();
        transcript.add(b"client hello");
        transcript.start_hash(HashAlgorithm::Sha256);
        transcript.start_hash(HashAlgorithm::Sha384);
        assert_eq!(hash_of(&transcript), sha256(b"client hello"));
    }

    #[test]
    fn rollup_is_the_same_before_and_after_start_hash() {
        // RFC 8446, Section 4.4.1: message_hash (254), a 3-byte length, Hash(ClientHello1).
        let mut expected = vec![254, 0, 0, 32];
        expected.extend_from_slice(&sha256(b"client hello 1"));
        expected.extend_from_slice(b"hello retry request");
        let expected = sha256(&expected);

        let mut hashing = Transcript::new();
        hashing.add(b"client hello 1");
        hashing.start_hash(HashAlgorithm::Sha256);
        hashing.rollup_hello_retry_request();
        hashing.add(b"hello retry request");
        assert_eq!(hash_of(&hashing), expected);

        let mut buffering = Transcript::new();
        buffering.add(b"client hello 1");
        buffering.rollup_hello_retry_request();
        buffering.add(b"hello retry request");
        buffering.start_hash(HashAlgorithm::Sha256);
        assert_eq!(hash_of(&buffering), expected);
    }
}
