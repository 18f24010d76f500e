//! Bounds on what a peer can make a connection hold or do.

/// The largest ClientHello body (RFC 8446, Section 4.1.2): legacy_version
/// (2), random (32), legacy_session_id (1 + 32), cipher_suites (2 + 65,534),
/// legacy_compression_methods (1 + 255) and extensions (2 + 65,535).
pub const MAX_CLIENT_HELLO: usize = 2 + 32 + 1 + 32 + 2 + 65_534 + 1 + 255 + 2 + 65_535;

/// The largest body of any other handshake message but Certificate and
/// CertificateStatus: a TLS 1.3 NewSessionTicket (RFC 8446, Section 4.6.1)
/// with ticket_lifetime and ticket_age_add (4 + 4), ticket_nonce (1 + 255),
/// ticket (2 + 65,535) and extensions (2 + 65,534). A TLS 1.2
/// CertificateRequest (RFC 5246, Section 7.4.4) reaches 131,329 bytes, a TLS
/// 1.3 one with a full certificate_authorities list 65,793: both over 64 KiB.
pub const MAX_HANDSHAKE_MESSAGE: usize = 4 + 4 + 1 + 255 + 2 + 65_535 + 2 + 65_534;

/// The most extensions one `extensions<0..2^16-1>` block can hold: 4-byte
/// empty extensions filling 65,535 bytes.
pub const MAX_EXTENSIONS_IN_A_BLOCK: usize = 65_535 / 4;

/// Configurable bounds on peer behaviour.
///
/// A peer that breaches a bound ends the connection with an alert and an
/// [`crate::Error::LimitExceeded`] whose message names the field below. The
/// two buffer bounds are the exception: they are flow control, not misbehaviour
/// (an honest peer may send faster than the application reads), so reaching
/// them pauses reading instead — see each field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest handshake message body other than Certificate and ClientHello
    /// (default 131,337 bytes: the largest any other message can be, so a
    /// legal NewSessionTicket or CertificateRequest is never refused).
    pub max_handshake_message: usize,
    /// Largest ClientHello body (default 131,396 bytes: the largest a
    /// ClientHello can be, with every length field at its maximum, as OpenSSL
    /// also accepts). The server's cost of the worst such hello is in the
    /// README's hostile-input table.
    pub max_client_hello: usize,
    /// Largest Certificate message body (default 256 KiB).
    pub max_certificate_message: usize,
    /// Most certificates accepted in the peer's chain (default 10).
    pub max_chain_len: usize,
    /// Most extensions in one handshake message, summed over a Certificate's
    /// entries (default 16,383: as many as one extension block can hold, so
    /// no legal hello is refused; lower it to refuse extension-stuffed hellos
    /// early). Decoding checks duplicates with a set, so even the largest
    /// block costs n log n, not n².
    pub max_extensions: usize,
    /// Most unprocessed TLS bytes buffered (default 64 KiB: a few full
    /// records; raised to one full record if smaller). When full,
    /// [`crate::Connection::read_tls`] refuses more input with an error naming
    /// this bound until records are processed; nothing is dropped.
    pub max_buffered_input: usize,
    /// Most received plaintext held for the application (default 1 MiB;
    /// raised to one record's plaintext, 16 KiB, if smaller). Processing
    /// pauses, leaving records in the input buffer, until the application
    /// reads.
    pub max_buffered_plaintext: usize,
    /// Most plaintext buffered for sending before the handshake completes
    /// (default 1 MiB); [`crate::Connection::write_plaintext`] takes no more.
    pub max_pending_plaintext: usize,
    /// Most consecutive empty application_data records (default 32).
    pub max_empty_records: usize,
    /// Most warning alerts per connection (default 8).
    pub max_warning_alerts: usize,
    /// Most KeyUpdates received without application data in between (default 32).
    pub max_key_updates: usize,
    /// Most change_cipher_spec compatibility records (default 1; RFC 8446 allows one).
    pub max_change_cipher_spec: usize,
    /// Most renegotiation attempts refused with a no_renegotiation warning:
    /// HelloRequests to a TLS 1.2 client, new ClientHellos to a TLS 1.2
    /// server (default 4; an honest peer gives up after the first refusal).
    pub max_renegotiation_attempts: usize,
    /// Most bytes of 0-RTT early data a server skips when it does not
    /// accept it (RFC 8446, Section 4.2.10: a client may send early data
    /// the server then has to step over; default 64 KiB, four full records,
    /// whatever the server's own `max_early_data_size`).
    pub max_skipped_early_data: usize,
    /// Most records we seal under one key (default `u64::MAX`: the AEAD's
    /// own confidentiality limit, 2^23 records for AES-GCM, always applies as
    /// well). TLS 1.3 moves to fresh keys with a KeyUpdate before the bound;
    /// TLS 1.2, which cannot, sends close_notify and refuses further writes
    /// with [`crate::Error::KeyExhausted`]. Lower it to rekey more often.
    pub max_records_per_key: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_handshake_message: MAX_HANDSHAKE_MESSAGE,
            max_client_hello: MAX_CLIENT_HELLO,
            max_certificate_message: 256 * 1024,
            max_chain_len: 10,
            max_extensions: MAX_EXTENSIONS_IN_A_BLOCK,
            max_buffered_input: 64 * 1024,
            max_buffered_plaintext: 1024 * 1024,
            max_pending_plaintext: 1024 * 1024,
            max_empty_records: 32,
            max_warning_alerts: 8,
            max_key_updates: 32,
            max_change_cipher_spec: 1,
            max_renegotiation_attempts: 4,
            max_skipped_early_data: 64 * 1024,
            max_records_per_key: u64::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults are documented (on each field and in the README's
    /// hostile-input table); changing one is a decision, not an accident.
    #[test]
    fn defaults_are_the_documented_values() {
        let limits = Limits::default();
        assert_eq!(limits.max_handshake_message, 131_337);
        assert_eq!(limits.max_client_hello, 131_396);
        assert_eq!(limits.max_certificate_message, 262_144);
        assert_eq!(limits.max_chain_len, 10);
        assert_eq!(limits.max_extensions, 16_383);
        assert_eq!(limits.max_buffered_input, 65_536);
        assert_eq!(limits.max_buffered_plaintext, 1_048_576);
        assert_eq!(limits.max_pending_plaintext, 1_048_576);
        assert_eq!(limits.max_empty_records, 32);
        assert_eq!(limits.max_warning_alerts, 8);
        assert_eq!(limits.max_key_updates, 32);
        assert_eq!(limits.max_change_cipher_spec, 1);
        assert_eq!(limits.max_renegotiation_attempts, 4);
        assert_eq!(limits.max_skipped_early_data, 65_536);
        assert_eq!(limits.max_records_per_key, u64::MAX);
    }
}
