//! What the TLS 1.2 client and server share: the randoms, the master secret
//! and key block of a handshake, the ChangeCipherSpec + Finished exchange,
//! and the session a handshake leaves for resumption.

use crate::codec::messages::{Finished, HandshakeMessage, VerifyData};
use crate::codec::ProtocolVersion;
use crate::conn::Common;
use crate::crypto::Tls12Suite;
use crate::error::Error;
use crate::events::Event;
use crate::events::Side;
use crate::keys::tls12::{FinishedLabel, KeyBlock, MasterSecret};
use crate::session::SessionState;
use crate::transcript::Transcript;

/// The last 8 bytes of ServerHello.random from a TLS 1.3 server that
/// negotiated TLS 1.2 (RFC 8446, Section 4.1.3).
pub(crate) const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The same for TLS 1.1 and below.
pub(crate) const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// ClientHello.random and ServerHello.random.
#[derive(Clone, Copy)]
pub(crate) struct Randoms {
    pub client: [u8; 32],
    pub server: [u8; 32],
}

/// The master secret of a handshake and the key block made from it
/// (RFC 5246, Sections 8.1 and 6.3).
pub(crate) struct Keys {
    pub master: MasterSecret,
    block: KeyBlock,
}

impl Keys {
    /// The key block of `master` for `suite` and these randoms.
    pub(crate) fn new(master: MasterSecret, suite: Tls12Suite, randoms: &Randoms) -> Keys {
        let block = master.key_block(suite.aead, &randoms.client, &randoms.server);
        Keys { master, block }
    }

    /// The keys of a resumed session: its master secret with the new randoms
    /// (RFC 5246, Section 7.3); `None` if the stored secret is malformed.
    pub(crate) fn resumed(
        session: &SessionState,
        suite: Tls12Suite,
        randoms: &Randoms,
    ) -> Option<Keys> {
        let master = MasterSecret::from_session(suite.hash, &session.secret)?;
        Some(Keys::new(master, suite, randoms))
    }

    /// RFC 5246, Section 7.1: the peer's ChangeCipherSpec switches our read
    /// keys to the peer's write keys.
    pub(crate) fn install_read(
        &self,
        cx: &mut Common,
        suite: Tls12Suite,
        peer: Side,
    ) -> Result<(), Error> {
        let (key, iv, name) = match peer {
            Side::Client => (
                &self.block.client_write_key,
                &self.block.client_write_iv,
                "client_write_key",
            ),
            Side::Server => (
                &self.block.server_write_key,
                &self.block.server_write_iv,
                "server_write_key",
            ),
        };
        cx.install_tls12_read(suite.aead, key, iv, name)
    }

    /// Sends our ChangeCipherSpec, switches to our write keys, and sends our
    /// Finished over the transcript so far (RFC 5246, Sections 7.1 and 7.4.9).
    pub(crate) fn send_change_cipher_spec_and_finished(
        &self,
        cx: &mut Common,
        suite: Tls12Suite,
        us: Side,
        transcript: &mut Transcript,
    ) -> Result<(), Error> {
        let (key, iv, name, label) = match us {
            Side::Client => (
                &self.block.client_write_key,
                &self.block.client_write_iv,
                "client_write_key",
                FinishedLabel::Client,
            ),
            Side::Server => (
                &self.block.server_write_key,
                &self.block.server_write_iv,
                "server_write_key",
                FinishedLabel::Server,
            ),
        };
        cx.send_change_cipher_spec()?;
        cx.install_tls12_write(suite.aead, key, iv, name)?;
        let verify_data = self
            .master
            .verify_data(label, transcript.current_hash()?.as_ref());
        cx.send_handshake(
            &HandshakeMessage::Finished(Finished {
                verify_data: VerifyData::from_array(verify_data),
            }),
            transcript,
        )
    }

    /// RFC 5246, Section 7.4.9: the peer's Finished over the transcript so
    /// far, compared in constant time; a mismatch is decrypt_error.
    pub(crate) fn verify_finished(
        &self,
        peer: Side,
        transcript: &Transcript,
        f: &Finished,
    ) -> Result<(), Error> {
        let label = match peer {
            Side::Client => FinishedLabel::Client,
            Side::Server => FinishedLabel::Server,
        };
        self.master
            .verify_finished(label, transcript.current_hash()?.as_ref(), &f.verify_data)
    }
}

/// RFC 7627, Section 4 (with the session hash through ClientKeyExchange) or
/// RFC 5246, Section 8.1; logged as NSS `CLIENT_RANDOM`.
pub(crate) fn derive_master_secret(
    cx: &mut Common,
    suite: Tls12Suite,
    extended: bool,
    transcript: &Transcript,
    randoms: &Randoms,
    pre_master_secret: &[u8],
) -> Result<MasterSecret, Error> {
    let master = match extended {
        true => {
            cx.emit(Event::SecretDerived {
                name: "master_secret",
                from: "PRF(pre_master_secret, \"extended master secret\", Hash(ClientHello..ClientKeyExchange))",
            });
            MasterSecret::derive_extended(
                suite.hash,
                pre_master_secret,
                transcript.current_hash()?.as_ref(),
            )
        }
        false => {
            cx.emit(Event::SecretDerived {
                name: "master_secret",
                from: "PRF(pre_master_secret, \"master secret\", client_random + server_random)",
            });
            MasterSecret::derive(
                suite.hash,
                pre_master_secret,
                &randoms.client,
                &randoms.server,
            )
        }
    };
    log_master_secret(cx, randoms, &master);
    Ok(master)
}

/// Writes the master secret to the key log as `CLIENT_RANDOM`.
pub(crate) fn log_master_secret(cx: &Common, randoms: &Randoms, master: &MasterSecret) {
    cx.key_log
        .log("CLIENT_RANDOM", &randoms.client, master.as_bytes());
}

/// The session a completed TLS 1.2 handshake leaves: its suite, master
/// secret and extended master secret use, and what it was agreed for.
pub(crate) fn session_state(
    cx: &Common,
    suite: Tls12Suite,
    keys: &Keys,
    extended_master_secret: bool,
    created_ms: u64,
    lifetime_secs: u32,
) -> SessionState {
    SessionState {
        version: ProtocolVersion::TLS12,
        suite: suite.suite,
        secret: zeroize::Zeroizing::new(keys.master.as_bytes().to_vec()),
        extended_master_secret,
        server_name: cx.negotiated.server_name.clone(),
        alpn: cx.negotiated.alpn.clone(),
        peer_certificates: cx.negotiated.peer_certificates.clone(),
        created_ms,
        lifetime_secs,
        age_add: 0,
        max_early_data: 0,
        ticket: Vec::new(),
        session_id: Vec::new(),
    }
}
