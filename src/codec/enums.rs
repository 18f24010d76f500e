//! Wire enums as newtypes with IANA constants.
//!
//! A value the peer sends that we do not know (a GREASE value from RFC 8701, a
//! suite from the future) survives decoding and re-encoding unchanged; code that
//! needs a known value compares against the constants.

/// Defines a newtype over an integer with named IANA constants and a `Debug`
/// that prints the name when the value is known.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident($int:ty) { $($(#[$cmeta:meta])* $konst:ident = $val:expr => $text:expr,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $int);

        impl $name {
            $(
                $(#[$cmeta])*
                #[doc = concat!("IANA `", $text, "`.")]
                pub const $konst: Self = Self($val);
            )*

            /// The IANA name of this value, or `None` when it is not one we know.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(Self::$konst => Some($text),)*
                    _ => None,
                }
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}(0x{:x})", stringify!($name), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self, f)
            }
        }
    };
}

wire_enum! {
    /// TLS record content type (RFC 8446, Section 5.1).
    ContentType(u8) {
        CHANGE_CIPHER_SPEC = 20 => "change_cipher_spec",
        ALERT = 21 => "alert",
        HANDSHAKE = 22 => "handshake",
        APPLICATION_DATA = 23 => "application_data",
    }
}

wire_enum! {
    /// Handshake message type (RFC 8446, Section 4; RFC 5246, Section 7.4).
    HandshakeType(u8) {
        HELLO_REQUEST = 0 => "hello_request",
        CLIENT_HELLO = 1 => "client_hello",
        SERVER_HELLO = 2 => "server_hello",
        NEW_SESSION_TICKET = 4 => "new_session_ticket",
        END_OF_EARLY_DATA = 5 => "end_of_early_data",
        ENCRYPTED_EXTENSIONS = 8 => "encrypted_extensions",
        CERTIFICATE = 11 => "certificate",
        SERVER_KEY_EXCHANGE = 12 => "server_key_exchange",
        CERTIFICATE_REQUEST = 13 => "certificate_request",
        SERVER_HELLO_DONE = 14 => "server_hello_done",
        CERTIFICATE_VERIFY = 15 => "certificate_verify",
        CLIENT_KEY_EXCHANGE = 16 => "client_key_exchange",
        FINISHED = 20 => "finished",
        CERTIFICATE_STATUS = 22 => "certificate_status",
        KEY_UPDATE = 24 => "key_update",
        MESSAGE_HASH = 254 => "message_hash",
    }
}

wire_enum! {
    /// Protocol version as it appears on the wire.
    ProtocolVersion(u16) {
        /// SSL 3.0, refused.
        SSL3 = 0x0300 => "SSLv3",
        /// TLS 1.0, refused.
        TLS10 = 0x0301 => "TLSv1.0",
        /// TLS 1.1, refused.
        TLS11 = 0x0302 => "TLSv1.1",
        /// TLS 1.2 (RFC 5246).
        TLS12 = 0x0303 => "TLSv1.2",
        /// TLS 1.3 (RFC 8446).
        TLS13 = 0x0304 => "TLSv1.3",
    }
}

wire_enum! {
    /// Cipher suite identifier (IANA TLS Cipher Suites registry).
    CipherSuite(u16) {
        /// TLS 1.3: AES-128-GCM with SHA-256.
        TLS_AES_128_GCM_SHA256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        /// TLS 1.3: AES-256-GCM with SHA-384.
        TLS_AES_256_GCM_SHA384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        /// TLS 1.3: ChaCha20-Poly1305 with SHA-256.
        TLS_CHACHA20_POLY1305_SHA256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        /// TLS 1.2: ECDHE, ECDSA, AES-128-GCM, SHA-256.
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        /// TLS 1.2: ECDHE, ECDSA, AES-256-GCM, SHA-384.
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        /// TLS 1.2: ECDHE, RSA, AES-128-GCM, SHA-256.
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS 1.2: ECDHE, RSA, AES-256-GCM, SHA-384.
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS 1.2: ECDHE, RSA, ChaCha20-Poly1305.
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS 1.2: ECDHE, ECDSA, ChaCha20-Poly1305.
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS 1.2: RSA key exchange, AES-128-GCM (no forward secrecy).
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS 1.2: RSA key exchange, AES-256-GCM (no forward secrecy).
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        /// Signalling value for secure renegotiation (RFC 5746).
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        /// Signalling value for a fallback connection (RFC 7507).
        TLS_FALLBACK_SCSV = 0x5600 => "TLS_FALLBACK_SCSV",
    }
}

wire_enum! {
    /// Named group for key exchange (RFC 8446, Section 4.2.7).
    NamedGroup(u16) {
        /// NIST P-256.
        SECP256R1 = 0x0017 => "secp256r1",
        /// NIST P-384.
        SECP384R1 = 0x0018 => "secp384r1",
        /// NIST P-521 (not supported; known for display).
        SECP521R1 = 0x0019 => "secp521r1",
        /// Curve25519 Diffie-Hellman (RFC 7748).
        X25519 = 0x001d => "x25519",
        /// Curve448 (not supported; known for display).
        X448 = 0x001e => "x448",
        /// Finite-field group (not supported; known for display).
        FFDHE2048 = 0x0100 => "ffdhe2048",
        /// secp256r1 ECDH with ML-KEM-768 (draft-ietf-tls-ecdhe-mlkem), TLS 1.3 only.
        SECP256R1MLKEM768 = 0x11eb => "SecP256r1MLKEM768",
        /// X25519 with ML-KEM-768 (draft-ietf-tls-ecdhe-mlkem), TLS 1.3 only.
        X25519MLKEM768 = 0x11ec => "X25519MLKEM768",
        /// secp384r1 ECDH with ML-KEM-1024 (not supported; known for display).
        SECP384R1MLKEM1024 = 0x11ed => "SecP384r1MLKEM1024",
    }
}

wire_enum! {
    /// Signature scheme (RFC 8446, Section 4.2.3).
    SignatureScheme(u16) {
        /// RSASSA-PKCS1-v1_5 with SHA-256 (certificates only in TLS 1.3).
        RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
        /// RSASSA-PKCS1-v1_5 with SHA-384 (certificates only in TLS 1.3).
        RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
        /// RSASSA-PKCS1-v1_5 with SHA-512 (certificates only in TLS 1.3).
        RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
        /// ECDSA on P-256 with SHA-256.
        ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
        /// ECDSA on P-384 with SHA-384.
        ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
        /// ECDSA on P-521 with SHA-512 (not supported; known for display).
        ECDSA_SECP521R1_SHA512 = 0x0603 => "ecdsa_secp521r1_sha512",
        /// RSASSA-PSS with an rsaEncryption key and SHA-256.
        RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
        /// RSASSA-PSS with an rsaEncryption key and SHA-384.
        RSA_PSS_RSAE_SHA384 = 0x0805 => "rsa_pss_rsae_sha384",
        /// RSASSA-PSS with an rsaEncryption key and SHA-512.
        RSA_PSS_RSAE_SHA512 = 0x0806 => "rsa_pss_rsae_sha512",
        /// EdDSA on Curve25519.
        ED25519 = 0x0807 => "ed25519",
        /// EdDSA on Curve448 (not supported; known for display).
        ED448 = 0x0808 => "ed448",
        /// RSASSA-PSS with an RSASSA-PSS key, SHA-256 (not supported).
        RSA_PSS_PSS_SHA256 = 0x0809 => "rsa_pss_pss_sha256",
        /// RSASSA-PKCS1-v1_5 with SHA-1 (legacy; refused).
        RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
        /// ECDSA with SHA-1 (legacy; refused).
        ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
    }
}

wire_enum! {
    /// Extension type (IANA TLS ExtensionType Values).
    ExtensionType(u16) {
        SERVER_NAME = 0 => "server_name",
        STATUS_REQUEST = 5 => "status_request",
        SUPPORTED_GROUPS = 10 => "supported_groups",
        EC_POINT_FORMATS = 11 => "ec_point_formats",
        SIGNATURE_ALGORITHMS = 13 => "signature_algorithms",
        APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16 => "application_layer_protocol_negotiation",
        PADDING = 21 => "padding",
        EXTENDED_MASTER_SECRET = 23 => "extended_master_secret",
        RECORD_SIZE_LIMIT = 28 => "record_size_limit",
        SESSION_TICKET = 35 => "session_ticket",
        PRE_SHARED_KEY = 41 => "pre_shared_key",
        EARLY_DATA = 42 => "early_data",
        SUPPORTED_VERSIONS = 43 => "supported_versions",
        COOKIE = 44 => "cookie",
        PSK_KEY_EXCHANGE_MODES = 45 => "psk_key_exchange_modes",
        CERTIFICATE_AUTHORITIES = 47 => "certificate_authorities",
        SIGNATURE_ALGORITHMS_CERT = 50 => "signature_algorithms_cert",
        KEY_SHARE = 51 => "key_share",
        RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
    }
}

wire_enum! {
    /// Alert level (RFC 8446, Section 6).
    AlertLevel(u8) {
        WARNING = 1 => "warning",
        FATAL = 2 => "fatal",
    }
}

wire_enum! {
    /// Alert description (RFC 8446, Section 6).
    AlertDescription(u8) {
        CLOSE_NOTIFY = 0 => "close_notify",
        UNEXPECTED_MESSAGE = 10 => "unexpected_message",
        BAD_RECORD_MAC = 20 => "bad_record_mac",
        RECORD_OVERFLOW = 22 => "record_overflow",
        HANDSHAKE_FAILURE = 40 => "handshake_failure",
        BAD_CERTIFICATE = 42 => "bad_certificate",
        UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
        CERTIFICATE_REVOKED = 44 => "certificate_revoked",
        CERTIFICATE_EXPIRED = 45 => "certificate_expired",
        CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
        ILLEGAL_PARAMETER = 47 => "illegal_parameter",
        UNKNOWN_CA = 48 => "unknown_ca",
        ACCESS_DENIED = 49 => "access_denied",
        DECODE_ERROR = 50 => "decode_error",
        DECRYPT_ERROR = 51 => "decrypt_error",
        PROTOCOL_VERSION = 70 => "protocol_version",
        INSUFFICIENT_SECURITY = 71 => "insufficient_security",
        INTERNAL_ERROR = 80 => "internal_error",
        INAPPROPRIATE_FALLBACK = 86 => "inappropriate_fallback",
        USER_CANCELED = 90 => "user_canceled",
        NO_RENEGOTIATION = 100 => "no_renegotiation",
        MISSING_EXTENSION = 109 => "missing_extension",
        UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
        UNRECOGNIZED_NAME = 112 => "unrecognized_name",
        BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "bad_certificate_status_response",
        UNKNOWN_PSK_IDENTITY = 115 => "unknown_psk_identity",
        CERTIFICATE_REQUIRED = 116 => "certificate_required",
        NO_APPLICATION_PROTOCOL = 120 => "no_application_protocol",
    }
}

wire_enum! {
    /// PSK key exchange mode (RFC 8446, Section 4.2.9).
    PskKeyExchangeMode(u8) {
        PSK_KE = 0 => "psk_ke",
        PSK_DHE_KE = 1 => "psk_dhe_ke",
    }
}

wire_enum! {
    /// KeyUpdate request flag (RFC 8446, Section 4.6.3).
    KeyUpdateRequest(u8) {
        UPDATE_NOT_REQUESTED = 0 => "update_not_requested",
        UPDATE_REQUESTED = 1 => "update_requested",
    }
}

/// True for the GREASE values of RFC 8701, Section 2 (0x0a0a, 0x1a1a, ... 0xfafa).
pub fn is_grease_u16(value: u16) -> bool {
    value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_print_their_iana_names() {
        assert_eq!(
            format!("{:?}", CipherSuite::TLS_AES_128_GCM_SHA256),
            "TLS_AES_128_GCM_SHA256"
        );
        assert_eq!(format!("{:?}", NamedGroup(0x2a2a)), "NamedGroup(0x2a2a)");
        assert_eq!(AlertDescription::DECODE_ERROR.name(), Some("decode_error"));
    }

    #[test]
    fn grease_values_are_recognised() {
        for i in 0..16u16 {
            assert!(is_grease_u16(0x0a0a + i * 0x1010));
        }
        assert!(!is_grease_u16(0x0a1a));
        assert!(!is_grease_u16(0x001d));
    }
}

impl CipherSuite {
    /// Parses an IANA name (`TLS_AES_128_GCM_SHA256`) or an OpenSSL name
    /// (`ECDHE-RSA-AES128-GCM-SHA256`), case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        const OPENSSL: &[(&str, CipherSuite)] = &[
            (
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            ),
            (
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            ),
            (
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            ),
            (
                "ECDHE-RSA-AES128-GCM-SHA256",
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            ),
            (
                "ECDHE-RSA-AES256-GCM-SHA384",
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            ),
            (
                "ECDHE-RSA-CHACHA20-POLY1305",
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ),
            (
                "AES128-GCM-SHA256",
                CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
            ),
            (
                "AES256-GCM-SHA384",
                CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
            ),
        ];
        let known = [
            Self::TLS_AES_128_GCM_SHA256,
            Self::TLS_AES_256_GCM_SHA384,
            Self::TLS_CHACHA20_POLY1305_SHA256,
            Self::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            Self::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            Self::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            Self::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            Self::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            Self::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            Self::TLS_RSA_WITH_AES_128_GCM_SHA256,
            Self::TLS_RSA_WITH_AES_256_GCM_SHA384,
        ];
        known
            .into_iter()
            .find(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .or_else(|| {
                OPENSSL
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, s)| *s)
            })
    }
}

impl NamedGroup {
    /// Parses an IANA name (`x25519`, `secp256r1`, `X25519MLKEM768`) or an OpenSSL name
    /// (`X25519`, `P-256`, `prime256v1`), case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        const ALIASES: &[(&str, NamedGroup)] = &[
            ("x25519", NamedGroup::X25519),
            ("secp256r1", NamedGroup::SECP256R1),
            ("P-256", NamedGroup::SECP256R1),
            ("prime256v1", NamedGroup::SECP256R1),
            ("secp384r1", NamedGroup::SECP384R1),
            ("P-384", NamedGroup::SECP384R1),
            ("secp521r1", NamedGroup::SECP521R1),
            ("P-521", NamedGroup::SECP521R1),
            ("X25519MLKEM768", NamedGroup::X25519MLKEM768),
            ("SecP256r1MLKEM768", NamedGroup::SECP256R1MLKEM768),
        ];
        ALIASES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, g)| *g)
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn suites_and_groups_parse_from_iana_and_openssl_names() {
        assert_eq!(
            CipherSuite::from_name("TLS_CHACHA20_POLY1305_SHA256"),
            Some(CipherSuite::TLS_CHACHA20_POLY1305_SHA256)
        );
        assert_eq!(
            CipherSuite::from_name("ecdhe-rsa-aes128-gcm-sha256"),
            Some(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
        );
        assert_eq!(CipherSuite::from_name("RC4-MD5"), None);
        assert_eq!(NamedGroup::from_name("P-256"), Some(NamedGroup::SECP256R1));
        assert_eq!(NamedGroup::from_name("X25519"), Some(NamedGroup::X25519));
        assert_eq!(NamedGroup::from_name("ffdhe2048"), None);
        assert_eq!(
            NamedGroup::from_name("x25519mlkem768"),
            Some(NamedGroup::X25519MLKEM768)
        );
        assert_eq!(
            NamedGroup::from_name("SecP256r1MLKEM768"),
            Some(NamedGroup::SECP256R1MLKEM768)
        );
        assert_eq!(NamedGroup::X25519MLKEM768.0, 0x11ec);
        assert_eq!(format!("{:?}", NamedGroup(0x11eb)), "SecP256r1MLKEM768");
    }
}
