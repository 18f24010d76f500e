//! The TLS 1.2 handshake messages that TLS 1.3 does not share (RFC 5246,
//! Section 7.4), and [`HandshakeMessage::decode_tls12`], the decoder for a
//! connection that negotiated TLS 1.2.
//!
//! ServerKeyExchange and ClientKeyExchange are kept raw: their bodies depend on
//! the key exchange of the negotiated cipher suite, which only the handshake
//! knows. It parses them with [`ServerKeyExchange::ecdhe`],
//! [`ClientKeyExchange::ecdhe_public`] or
//! [`ClientKeyExchange::rsa_encrypted_pre_master`], and a body that does not
//! fit is refused there, as strictly as any other message.

use super::super::extensions::{read_list, vec24_nonempty};
use super::HandshakeMessage;
use crate::codec::{encode_with, HandshakeType, NamedGroup, Reader, SignatureScheme, Writer};
use crate::error::{Error, InvalidMessage};

/// Certificate in TLS 1.2 (RFC 5246, Section 7.4.2 and 7.4.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate12 {
    /// DER certificates, sender's first; empty from a client that has none
    /// (RFC 5246, Section 7.4.6).
    pub certificate_list: Vec<Vec<u8>>,
}

/// CertificateRequest in TLS 1.2 (RFC 5246, Section 7.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest12 {
    /// ClientCertificateType values (rsa_sign(1), ecdsa_sign(64), ...), non-empty.
    pub certificate_types: Vec<u8>,
    /// The signature algorithms the server can verify, non-empty.
    pub supported_signature_algorithms: Vec<SignatureScheme>,
    /// DER distinguished names of acceptable CAs; may be empty.
    pub certificate_authorities: Vec<Vec<u8>>,
}

/// ServerKeyExchange (RFC 5246, Section 7.4.3), kept as its raw body until the
/// handshake parses it for the negotiated key exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// The message body.
    pub body: Vec<u8>,
}

/// The parts of an ECDHE ServerKeyExchange (RFC 8422, Section 5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdheServerParams {
    /// The named curve of the server's ephemeral key.
    pub curve: NamedGroup,
    /// The server's ephemeral public key (ECPoint.point), non-empty.
    pub public: Vec<u8>,
    /// The SignatureAndHashAlgorithm of `signature`.
    pub scheme: SignatureScheme,
    /// The signature over the randoms and `params`.
    pub signature: Vec<u8>,
    /// The exact ServerECDHParams bytes (curve_type, namedcurve, public) that
    /// `signature` covers; [`EcdheServerParams::new`] fills them in.
    pub params: Vec<u8>,
}

/// ClientKeyExchange (RFC 5246, Section 7.4.7), kept as its raw body until the
/// handshake parses it for the negotiated key exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyExchange {
    /// The message body.
    pub body: Vec<u8>,
}

/// NewSessionTicket in TLS 1.2 (RFC 5077, Section 3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket12 {
    /// Seconds the ticket may be kept; 0 means unspecified.
    pub ticket_lifetime_hint: u32,
    /// The ticket; empty when the server decided not to issue one after all.
    pub ticket: Vec<u8>,
}

/// CertificateStatus (RFC 6066, Section 8) with status_type ocsp: a TLS 1.2
/// message of its own after Certificate, and in TLS 1.3 the body of the
/// status_request extension of a CertificateEntry (RFC 8446, Section
/// 4.4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateStatus {
    /// The DER OCSPResponse (RFC 6960), non-empty.
    pub ocsp_response: Vec<u8>,
}

/// `CertificateStatusType` ocsp (RFC 6066, Section 8), the only one defined.
pub(crate) const STATUS_TYPE_OCSP: u8 = 1;

/// ECCurveType named_curve, the only curve type RFC 8422, Section 5.4 keeps.
const NAMED_CURVE: u8 = 3;

impl HandshakeMessage {
    /// Decodes the body of a message of type `typ` on a connection that
    /// negotiated TLS 1.2 (RFC 5246, Section 7.4).
    ///
    /// ClientHello, ServerHello, CertificateVerify and Finished have the same
    /// shape as in TLS 1.3 and decode as [`HandshakeMessage::decode`] does them.
    /// A message only TLS 1.3 defines (EncryptedExtensions, KeyUpdate,
    /// EndOfEarlyData, a HelloRetryRequest) is `UnknownHandshakeType`, as
    /// [`HandshakeMessage::decode`] treats the TLS 1.2-only ones. The body
    /// must be used up exactly.
    pub fn decode_tls12(typ: HandshakeType, body: &[u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(body);
        let message = match typ {
            HandshakeType::CLIENT_HELLO
            | HandshakeType::SERVER_HELLO
            | HandshakeType::CERTIFICATE_VERIFY
            | HandshakeType::FINISHED => {
                return match HandshakeMessage::decode(typ, body)? {
                    // RFC 8446, Section 4.1.3: the special random only means
                    // HelloRetryRequest to a TLS 1.3 handshake.
                    HandshakeMessage::HelloRetryRequest(_) => {
                        Err(InvalidMessage::UnknownHandshakeType(typ.0))
                    }
                    message => Ok(message),
                };
            }
            // RFC 5246, Section 7.4.1.1: struct { } HelloRequest; `finish`
            // below refuses any body.
            HandshakeType::HELLO_REQUEST => HandshakeMessage::HelloRequest,
            HandshakeType::CERTIFICATE => {
                HandshakeMessage::Certificate12(Certificate12::read(&mut r)?)
            }
            HandshakeType::SERVER_KEY_EXCHANGE => {
                HandshakeMessage::ServerKeyExchange(ServerKeyExchange {
                    body: r.take_rest().to_vec(),
                })
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                HandshakeMessage::CertificateRequest12(CertificateRequest12::read(&mut r)?)
            }
            // RFC 5246, Section 7.4.5: struct { } ServerHelloDone.
            HandshakeType::SERVER_HELLO_DONE => HandshakeMessage::ServerHelloDone,
            HandshakeType::CLIENT_KEY_EXCHANGE => {
                HandshakeMessage::ClientKeyExchange(ClientKeyExchange {
                    body: r.take_rest().to_vec(),
                })
            }
            HandshakeType::NEW_SESSION_TICKET => {
                HandshakeMessage::NewSessionTicket12(NewSessionTicket12::read(&mut r)?)
            }
            HandshakeType::CERTIFICATE_STATUS => {
                HandshakeMessage::CertificateStatus(CertificateStatus::read(&mut r)?)
            }
            other => return Err(InvalidMessage::UnknownHandshakeType(other.0)),
        };
        r.finish(typ.name().unwrap_or("handshake message"))?;
        Ok(message)
    }
}

impl Certificate12 {
    /// Reads `ASN.1Cert certificate_list<0..2^24-1>`, each
    /// `opaque ASN.1Cert<1..2^24-1>` (RFC 5246, Section 7.4.2).
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Certificate12 {
            certificate_list: read_list(r.vec24("certificate_list")?, |r| {
                Ok(vec24_nonempty(r, "ASN.1Cert")?.to_vec())
            })?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) {
        w.vec24(|w| {
            for cert in &self.certificate_list {
                w.vec24(|w| w.bytes(cert));
            }
        });
    }
}

impl CertificateStatus {
    /// Reads `CertificateStatusType status_type; opaque
    /// OCSPResponse<1..2^24-1>` (RFC 6066, Section 8): only ocsp is defined,
    /// and RFC 8446 uses the same struct.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        if r.u8("status_type")? != STATUS_TYPE_OCSP {
            return Err(InvalidMessage::IllegalValue(
                "CertificateStatus status_type",
            ));
        }
        Ok(CertificateStatus {
            ocsp_response: vec24_nonempty(r, "OCSPResponse")?.to_vec(),
        })
    }

    /// Parses the body of a CertificateEntry's status_request extension,
    /// which the extension decoder has already checked.
    pub fn from_extension_body(body: &[u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(body);
        let status = Self::read(&mut r)?;
        r.finish("CertificateStatus")?;
        Ok(status)
    }

    /// The encoding, as the body of a CertificateEntry's status_request
    /// extension; fails if the response is longer than 2^24 - 1 bytes.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        encode_with(|w| self.write(w))
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) {
        w.u8(STATUS_TYPE_OCSP);
        w.vec24(|w| w.bytes(&self.ocsp_response));
    }
}

impl CertificateRequest12 {
    /// ClientCertificateType rsa_sign (RFC 5246, Section 7.4.4).
    pub const RSA_SIGN: u8 = 1;
    /// ClientCertificateType ecdsa_sign (RFC 8422, Section 5.5), which also
    /// covers Ed25519 certificates.
    pub const ECDSA_SIGN: u8 = 64;

    /// Reads the three lists of RFC 5246, Section 7.4.4.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(CertificateRequest12 {
            // ClientCertificateType certificate_types<1..2^8-1>.
            certificate_types: r.vec8_nonempty("certificate_types")?.to_vec(),
            // SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>.
            supported_signature_algorithms: r
                .u16_list("supported_signature_algorithms")?
                .into_iter()
                .map(SignatureScheme)
                .collect(),
            // DistinguishedName certificate_authorities<0..2^16-1>, each
            // opaque DistinguishedName<1..2^16-1>.
            certificate_authorities: read_list(r.vec16("certificate_authorities")?, |r| {
                Ok(r.vec16_nonempty("DistinguishedName")?.to_vec())
            })?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) {
        w.vec8(|w| w.bytes(&self.certificate_types));
        w.vec16(|w| {
            for scheme in &self.supported_signature_algorithms {
                w.u16(scheme.0);
            }
        });
        w.vec16(|w| {
            for name in &self.certificate_authorities {
                w.vec16(|w| w.bytes(name));
            }
        });
    }
}

impl ServerKeyExchange {
    /// Parses the body as the ServerKeyExchange of an ECDHE_ECDSA or ECDHE_RSA
    /// suite: signed ServerECDHParams (RFC 8422, Section 5.4).
    ///
    /// A curve_type other than named_curve is an illegal_parameter: the
    /// explicit curve types are deprecated, and accepting one would let the
    /// server pick the curve's arithmetic. Checking the curve against the
    /// groups the client offered is the handshake's job.
    pub fn ecdhe(&self) -> Result<EcdheServerParams, InvalidMessage> {
        let mut r = Reader::new(&self.body);
        // RFC 8422, Section 5.4: the signature covers the ServerECDHParams
        // exactly as they were sent.
        let ((curve, public), params) = r.spanned(|r| {
            if r.u8("curve_type")? != NAMED_CURVE {
                return Err(InvalidMessage::IllegalValue("curve_type"));
            }
            let curve = NamedGroup(r.u16("namedcurve")?);
            // struct { opaque point <1..2^8-1>; } ECPoint;
            Ok((curve, r.vec8_nonempty("ECPoint")?))
        })?;
        // RFC 5246, Section 4.7: digitally-signed is a SignatureAndHashAlgorithm
        // and opaque signature<0..2^16-1>.
        let scheme = SignatureScheme(r.u16("algorithm")?);
        let signature = r.vec16("signature")?;
        r.finish("server_key_exchange")?;
        Ok(EcdheServerParams {
            curve,
            public: public.to_vec(),
            scheme,
            signature: signature.to_vec(),
            params: params.to_vec(),
        })
    }

    /// The ServerKeyExchange carrying `params` (see [`EcdheServerParams::encode_body`]).
    pub fn from_ecdhe(params: &EcdheServerParams) -> Result<Self, Error> {
        Ok(ServerKeyExchange {
            body: params.encode_body()?,
        })
    }
}

impl EcdheServerParams {
    /// Builds the parameters of an ECDHE ServerKeyExchange, encoding the
    /// ServerECDHParams that `signature` must cover into `params`.
    ///
    /// `public` must be 1..=255 bytes (an error otherwise). A server that has not signed yet passes
    /// an empty `signature`, signs [`EcdheServerParams::signed_content`], and
    /// then sets `signature`.
    pub fn new(
        curve: NamedGroup,
        public: Vec<u8>,
        scheme: SignatureScheme,
        signature: Vec<u8>,
    ) -> Result<Self, Error> {
        let params = encode_with(|w| {
            w.u8(NAMED_CURVE);
            w.u16(curve.0);
            w.vec8(|w| w.bytes(&public));
        })?;
        Ok(EcdheServerParams {
            curve,
            public,
            scheme,
            signature,
            params,
        })
    }

    /// Returns what the server signs and the client verifies:
    /// `ClientHello.random + ServerHello.random + ServerKeyExchange.params`
    /// (RFC 8422, Section 5.4).
    ///
    /// The randoms bind the signature to this handshake, so an attacker
    /// cannot replay a ServerKeyExchange (and its ephemeral key) from another
    /// connection.
    pub fn signed_content(&self, client_random: &[u8; 32], server_random: &[u8; 32]) -> Vec<u8> {
        [&client_random[..], server_random, &self.params].concat()
    }

    /// Encodes the ServerKeyExchange body: `params` exactly as signed, then
    /// the digitally-signed `scheme` and `signature` (RFC 8422, Section 5.4).
    pub fn encode_body(&self) -> Result<Vec<u8>, Error> {
        encode_with(|w| {
            w.bytes(&self.params);
            w.u16(self.scheme.0);
            w.vec16(|w| w.bytes(&self.signature));
        })
    }
}

impl ClientKeyExchange {
    /// Parses the body as ClientECDiffieHellmanPublic: the client's ephemeral
    /// public key `ecdh_Yc`, an ECPoint `<1..2^8-1>` (RFC 8422, Section 5.7).
    pub fn ecdhe_public(&self) -> Result<&[u8], InvalidMessage> {
        let mut r = Reader::new(&self.body);
        let ecdh_yc = r.vec8_nonempty("ecdh_Yc")?;
        r.finish("client_key_exchange")?;
        Ok(ecdh_yc)
    }

    /// Parses the body as an RSA EncryptedPreMasterSecret, an opaque
    /// `<0..2^16-1>` (RFC 5246, Sections 4.7 and 7.4.7.1).
    ///
    /// Only the framing is checked here, and it does not depend on any secret.
    /// What follows must not leak whether decryption succeeded
    /// (Bleichenbacher's attack): RFC 5246, Section 7.4.7.1 has the server go
    /// on with a random premaster secret whenever the plaintext is bad, and
    /// that is the handshake's job.
    pub fn rsa_encrypted_pre_master(&self) -> Result<&[u8], InvalidMessage> {
        let mut r = Reader::new(&self.body);
        let encrypted = r.vec16("EncryptedPreMasterSecret")?;
        r.finish("client_key_exchange")?;
        Ok(encrypted)
    }

    /// The ClientKeyExchange of an ECDHE suite carrying `ecdh_yc`, which must
    /// be 1..=255 bytes.
    pub fn from_ecdhe_public(ecdh_yc: &[u8]) -> Result<Self, Error> {
        let body = encode_with(|w| w.vec8(|w| w.bytes(ecdh_yc)))?;
        Ok(ClientKeyExchange { body })
    }

    /// The ClientKeyExchange of an RSA suite carrying the encrypted premaster
    /// secret.
    pub fn from_rsa_encrypted_pre_master(encrypted: &[u8]) -> Result<Self, Error> {
        let body = encode_with(|w| w.vec16(|w| w.bytes(encrypted)))?;
        Ok(ClientKeyExchange { body })
    }
}

impl NewSessionTicket12 {
    /// Reads `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>` (RFC 5077,
    /// Section 3.3).
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(NewSessionTicket12 {
            ticket_lifetime_hint: r.u32("ticket_lifetime_hint")?,
            ticket: r.vec16("ticket")?.to_vec(),
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) {
        w.u32(self.ticket_lifetime_hint);
        w.vec16(|w| w.bytes(&self.ticket));
    }
}

/// A full TLS 1.2 handshake with client authentication, recorded from OpenSSL
/// 3.0 (`openssl s_server -tls1_2 -Verify 1` and `openssl s_client -tls1_2
/// -msg`, P-256 keys) as hex, 4-byte header included, in the order sent.
#[cfg(test)]
pub(crate) mod openssl12 {
    /// ClientHello, offering TLS 1.2 only (no GREASE).
    pub const CLIENT_HELLO: &str = "\
        010000a00303c1e506a4df9bd9a6d2dad8305b2dc3b93060c937ff6ef6fb7cdb4de68570faa7000038c02cc0\
        30009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c00\
        3d003c0035002f00ff0100003f00000013001100000e7365727665722e6578616d706c65000b000403000102\
        000a000400020017002300000016000000170000000d00080006040308040401";

    /// ServerHello selecting TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, with
    /// renegotiation_info, ec_point_formats, session_ticket and
    /// extended_master_secret.
    pub const SERVER_HELLO: &str = "\
        0200003d0303e1a0a660cfd5fd3841c0ba4c2ca392a6df502a10e0a00010cf5d874ec3c04a7b00c02c000015\
        ff01000100000b0004030001020023000000170000";

    /// server Certificate: one self-signed P-256 certificate for server.example.
    pub const SERVER_CERTIFICATE: &str = "\
        0b00018f00018c000189308201853082012ca003020102021308aa5e8a69e95a057ba911b8c7609f29c20abf\
        300a06082a8648ce3d04030230193117301506035504030c0e7365727665722e6578616d706c65301e170d32\
        36313132323030333334375a170d3336313131393030333334375a30193117301506035504030c0e73657276\
        65722e6578616d706c653059301306072a8648ce3d020106082a8648ce3d0301070342000498c66ec8d7f859\
        c5be215eb1cd97f3a1ebb1ba329e6d253916b0f96ad4dc04629b2d1486f04d08c76846cdb9382aab5067c4bc\
        01fb72c6b487d7962946befd67a3533051301d0603551d0e04160414265fb0135ef46dc4b095bafd1139e2a7\
        5deca3e9301f0603551d23041830168014265fb0135ef46dc4b095bafd1139e2a75deca3e9300f0603551d13\
        0101ff040530030101ff300a06082a8648ce3d040302034700304402206fd35832a5121c5e5ae60e31d71f26\
        a5458dd8363bbe37d6b4fa266cd9ef5cc502207baefb7df045b6f153e74db9af4866e40c8e5a853f8d9eff9c\
        a7f347fcf36706";

    /// ECDHE ServerKeyExchange: secp256r1, signed with ecdsa_secp256r1_sha256.
    pub const SERVER_KEY_EXCHANGE: &str = "\
        0c0000900300174104f04bdc19db3f625ff75880e8e3ae7b2d44a3eb8cb3a45860e6feb271983ac2cd440f39\
        3dc1513d2fa13a1d8671c7c4dfa4bbca4d2f22ebdff9a843283ef6a907040300473045022038add388424a42\
        558a26be7af26e5a95b78f86f5e5cf8aafa496fef6ffe97c2302210095065f90ccd24ee60bb8d439bf03b0de\
        2daca2a49d6232a0981136b135cc3f46";

    /// CertificateRequest naming one authority (CN=client).
    pub const CERTIFICATE_REQUEST: &str = "\
        0d000045030102400028040305030603080708080809080a080b080408050806040105010601030303010302\
        040205020602001500133011310f300d06035504030c06636c69656e74";

    /// ServerHelloDone.
    pub const SERVER_HELLO_DONE: &str = "\
        0e000000";

    /// client Certificate: one self-signed P-256 certificate for CN=client.
    pub const CLIENT_CERTIFICATE: &str = "\
        0b00018100017e00017b308201773082011da003020102021456ce7a1896a7d46319c4463b9b561f73e36cfe\
        e5300a06082a8648ce3d0403023011310f300d06035504030c06636c69656e74301e170d3236313132323030\
        333334375a170d3336313131393030333334375a3011310f300d06035504030c06636c69656e743059301306\
        072a8648ce3d020106082a8648ce3d030107034200042c3a87c580bf57946e5f8a80a6953e5b63c8a08624e5\
        9f0860ced096c5f391d4243bff0af850e02eee938180ee211cbcdb0cb8e0773a8583869823041759abb7a353\
        3051301d0603551d0e041604146f4fd8c25b81aa3ddd24629ef287d5d9e18e0c5c301f0603551d2304183016\
        80146f4fd8c25b81aa3ddd24629ef287d5d9e18e0c5c300f0603551d130101ff040530030101ff300a06082a\
        8648ce3d0403020348003045022055b045604248b3f450477c735a3c27c427d1bae19af5f27c97179a2a7e4c\
        810b022100c3b4eca036d6e22a4b90ff4150ab9a74e4c38c93f590efe11846235bdb392ecb";

    /// ECDHE ClientKeyExchange.
    pub const CLIENT_KEY_EXCHANGE: &str = "\
        10000042410426ff6694c3f4979a70e78c201f8134d40dc0e81079b1ea8ff8c3a8f704fdaa0770cf55d8e4f7\
        99d56a34ac83044c5bfd2062f899a2eee84058ce5713d1bc8374";

    /// client CertificateVerify.
    pub const CERTIFICATE_VERIFY: &str = "\
        0f00004b040300473045022100f23952325e8320fac3b6c1182f33298bbe686d4932dda7b7a84297766972c9\
        3c02205419ff2749631408ad381a600000b9fcd00d5b06840ae6d40a787ebe2210d930";

    /// client Finished, as decrypted.
    pub const CLIENT_FINISHED: &str = "\
        1400000ceb8c5030e09f7340b97c8824";

    /// NewSessionTicket.
    pub const NEW_SESSION_TICKET: &str = "\
        0400023600001c20023016b273d3b61b7884d9c89525191624d5753c56899c5826251ad3d09e5e8cba077299\
        241e098d0d7ee87da89bed5715fd4b12dee961bb49bd5a7a49b41f93cc1f3637b99dbb2479d6b1c2ef4f4047\
        6e16aed85d9cfe3be16261b3682162b1a51cbda42845690adc6e956968edf976be72f96e8c36b5fc860bc755\
        e30d351264f0e74006ce6db3a947ad35fe27731f60bd8a8df279c5c32188411596720bf8075c9f60035a54bf\
        6a808ed5fccd526f192c47f270eea6682e081e3303cba041a13800cbcb034ff327d31e3ceb4e0973bcbeb8d9\
        2cc08a09fcf6952e1e7f298c134bfbbff0ae90708863c4d104087b38d887cf223df9141cabb8aeb4f9313085\
        b644654f0a50babef9ff16f8f665270ef16c74327bd86e537b962ddc00c8928488e41cfe2a009a434109b291\
        530c7f0b111bef3d33a6f712973ba8cbb02945c929eb379b4a36ad875c3f9777476eae25ef66cd18a98f6969\
        f2322042a96112f40c281d04eaa55bb3b09e63b146a96ab1da27a3112cc5bbd4294f16f97f842e973547a3dc\
        cf998307ff210c5fb2bbfc4beaf9fc0f264bcf90bdefb9c5be3309bcb2dc628d42fef04f427367d985d2afe7\
        62754cfdd35d024d2b2dd3862ff360e29953315d40fdebaf724e1a1402c006947407e223757023e744d39ca3\
        176c21e0c4f6b4e3f06c796a4f0dc0c391dca9717ad6dad16c00c2367a5b5c2e560399ee224660ec400f1246\
        42672b135ccaa8607f13ad8ff9b267769976db7f0a1d5bc5ec1f7ece14cef394a65cb951959118399930";

    /// server Finished, as decrypted.
    pub const SERVER_FINISHED: &str = "\
        1400000c6735e92a65c75ea98bb3714c";

    /// Every message above, in the order sent.
    pub const ALL: [&str; 12] = [
        CLIENT_HELLO,
        SERVER_HELLO,
        SERVER_CERTIFICATE,
        SERVER_KEY_EXCHANGE,
        CERTIFICATE_REQUEST,
        SERVER_HELLO_DONE,
        CLIENT_CERTIFICATE,
        CLIENT_KEY_EXCHANGE,
        CERTIFICATE_VERIFY,
        CLIENT_FINISHED,
        NEW_SESSION_TICKET,
        SERVER_FINISHED,
    ];
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_refused, encoded, split};
    use super::*;
    use crate::codec::extensions::{find_extension, Extension};
    use crate::codec::messages::{
        CertificateVerify, ClientHello, CompressionMethods, Finished, ServerHello, SessionId,
        VerifyData,
    };
    use crate::codec::{AlertDescription, CipherSuite, ExtensionType, ProtocolVersion};

    /// Decodes a hex message with `decode_tls12` and checks that encoding
    /// gives the same bytes.
    fn round_trip_hex(hex_message: &str) -> HandshakeMessage {
        let bytes = hex::decode(hex_message).unwrap();
        let (typ, body) = split(&bytes);
        let message = HandshakeMessage::decode_tls12(typ, body).unwrap();
        assert_eq!(message.handshake_type(), typ);
        assert_eq!(encoded(&message), bytes, "{message:?}");
        message
    }

    fn ecdhe_params() -> EcdheServerParams {
        EcdheServerParams::new(
            NamedGroup::X25519,
            vec![0x42; 32],
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            vec![0x5a; 256],
        )
        .unwrap()
    }

    /// One hand-built message of every kind `decode_tls12` returns.
    fn every_tls12_message() -> Vec<HandshakeMessage> {
        vec![
            HandshakeMessage::HelloRequest,
            HandshakeMessage::ClientHello(ClientHello {
                legacy_version: ProtocolVersion::TLS12,
                random: [1; 32],
                legacy_session_id: SessionId::default(),
                cipher_suites: vec![
                    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                    CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
                ],
                legacy_compression_methods: CompressionMethods::new(&[0], "test").unwrap(),
                extensions: vec![
                    Extension::EcPointFormats(vec![0]),
                    Extension::ExtendedMasterSecret,
                    Extension::SessionTicket(Vec::new()),
                ],
            }),
            HandshakeMessage::ServerHello(ServerHello {
                legacy_version: ProtocolVersion::TLS12,
                random: [2; 32],
                legacy_session_id_echo: SessionId::new(&[3; 32], "test").unwrap(),
                cipher_suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                legacy_compression_method: 0,
                extensions: vec![
                    Extension::RenegotiationInfo(Vec::new()),
                    Extension::ExtendedMasterSecret,
                    Extension::EcPointFormats(vec![0]),
                    Extension::SessionTicket(Vec::new()),
                ],
            }),
            HandshakeMessage::Certificate12(Certificate12 {
                certificate_list: vec![vec![0x30; 300], vec![0x30]],
            }),
            // A client without a certificate answers with an empty list.
            HandshakeMessage::Certificate12(Certificate12 {
                certificate_list: Vec::new(),
            }),
            HandshakeMessage::ServerKeyExchange(
                ServerKeyExchange::from_ecdhe(&ecdhe_params()).unwrap(),
            ),
            HandshakeMessage::CertificateRequest12(CertificateRequest12 {
                certificate_types: vec![1, 64],
                supported_signature_algorithms: vec![
                    SignatureScheme::ECDSA_SECP256R1_SHA256,
                    SignatureScheme(0x0202),
                ],
                certificate_authorities: vec![vec![0x30, 0], vec![0x30; 70]],
            }),
            HandshakeMessage::CertificateRequest12(CertificateRequest12 {
                certificate_types: vec![64],
                supported_signature_algorithms: vec![SignatureScheme::RSA_PSS_RSAE_SHA256],
                certificate_authorities: Vec::new(),
            }),
            HandshakeMessage::ServerHelloDone,
            HandshakeMessage::CertificateVerify(CertificateVerify {
                algorithm: SignatureScheme::RSA_PKCS1_SHA256,
                signature: vec![7; 256],
            }),
            HandshakeMessage::ClientKeyExchange(
                ClientKeyExchange::from_ecdhe_public(&[4; 65]).unwrap(),
            ),
            HandshakeMessage::ClientKeyExchange(
                ClientKeyExchange::from_rsa_encrypted_pre_master(&[9; 256]).unwrap(),
            ),
            HandshakeMessage::NewSessionTicket12(NewSessionTicket12 {
                ticket_lifetime_hint: 7200,
                ticket: vec![0xee; 180],
            }),
            // RFC 5077, Section 3.3: the server changed its mind.
            HandshakeMessage::NewSessionTicket12(NewSessionTicket12 {
                ticket_lifetime_hint: 0,
                ticket: Vec::new(),
            }),
            HandshakeMessage::Finished(Finished {
                verify_data: VerifyData::new(&[0xaa; 12], "test").unwrap(),
            }),
        ]
    }

    #[test]
    fn every_tls12_message_type_round_trips() {
        for message in every_tls12_message() {
            let bytes = encoded(&message);
            let (typ, body) = split(&bytes);
            assert_eq!(typ, message.handshake_type());
            assert_eq!(HandshakeMessage::decode_tls12(typ, body), Ok(message));
        }
    }

    #[test]
    fn openssl_tls12_handshake_round_trips() {
        let kinds: Vec<HandshakeType> = openssl12::ALL
            .iter()
            .map(|hex_message| round_trip_hex(hex_message).handshake_type())
            .collect();
        assert_eq!(
            kinds,
            [
                HandshakeType::CLIENT_HELLO,
                HandshakeType::SERVER_HELLO,
                HandshakeType::CERTIFICATE,
                HandshakeType::SERVER_KEY_EXCHANGE,
                HandshakeType::CERTIFICATE_REQUEST,
                HandshakeType::SERVER_HELLO_DONE,
                HandshakeType::CERTIFICATE,
                HandshakeType::CLIENT_KEY_EXCHANGE,
                HandshakeType::CERTIFICATE_VERIFY,
                HandshakeType::FINISHED,
                HandshakeType::NEW_SESSION_TICKET,
                HandshakeType::FINISHED,
            ]
        );
    }

    #[test]
    fn openssl_hellos_carry_typed_tls12_extensions() {
        // A server reads the ClientHello before it knows the version, with
        // the TLS 1.3 decoder; both give the same message and bytes back.
        let bytes = hex::decode(openssl12::CLIENT_HELLO).unwrap();
        let (typ, body) = split(&bytes);
        let HandshakeMessage::ClientHello(ch) = round_trip_hex(openssl12::CLIENT_HELLO) else {
            panic!("not a ClientHello");
        };
        assert_eq!(
            HandshakeMessage::decode(typ, body),
            Ok(HandshakeMessage::ClientHello(ch.clone()))
        );
        assert_eq!(
            find_extension(&ch.extensions, ExtensionType::EC_POINT_FORMATS),
            Some(&Extension::EcPointFormats(vec![0, 1, 2]))
        );
        for typed in [
            Extension::ServerName(b"server.example".to_vec()),
            Extension::SessionTicket(Vec::new()),
            Extension::ExtendedMasterSecret,
            // encrypt_then_mac (RFC 7366) is not interpreted.
            Extension::Unknown(ExtensionType(22), Vec::new()),
        ] {
            assert_eq!(
                find_extension(&ch.extensions, typed.ext_type()),
                Some(&typed)
            );
        }
        assert!(ch
            .cipher_suites
            .contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));

        let HandshakeMessage::ServerHello(sh) = round_trip_hex(openssl12::SERVER_HELLO) else {
            panic!("not a ServerHello");
        };
        assert_eq!(
            sh.cipher_suite,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        );
        assert_eq!(
            sh.extensions,
            [
                Extension::RenegotiationInfo(Vec::new()),
                Extension::EcPointFormats(vec![0, 1, 2]),
                Extension::SessionTicket(Vec::new()),
                Extension::ExtendedMasterSecret,
            ]
        );
    }

    #[test]
    fn openssl_ecdhe_server_key_exchange_params_are_the_signed_span() {
        let bytes = hex::decode(openssl12::SERVER_KEY_EXCHANGE).unwrap();
        let HandshakeMessage::ServerKeyExchange(ske) =
            round_trip_hex(openssl12::SERVER_KEY_EXCHANGE)
        else {
            panic!("not a ServerKeyExchange");
        };
        let params = ske.ecdhe().unwrap();
        assert_eq!(params.curve, NamedGroup::SECP256R1);
        // RFC 8422, Section 5.4.1: an uncompressed P-256 point.
        assert_eq!((params.public.len(), params.public[0]), (65, 4));
        assert_eq!(params.scheme, SignatureScheme::ECDSA_SECP256R1_SHA256);
        // curve_type, namedcurve, the point's length and the point: bytes
        // 4..73 of the message, right after the handshake header.
        assert_eq!(params.params, bytes[4..4 + 1 + 2 + 1 + 65]);
        assert_eq!(params.encode_body().unwrap(), ske.body);
        assert_eq!(
            EcdheServerParams::new(
                params.curve,
                params.public.clone(),
                params.scheme,
                params.signature.clone()
            )
            .unwrap(),
            params
        );

        // The span really is what OpenSSL signed: verify it with the key in
        // the server's certificate.
        let random = |hex_message: &str| -> [u8; 32] {
            hex::decode(hex_message).unwrap()[6..38].try_into().unwrap()
        };
        let HandshakeMessage::Certificate12(certificate) =
            round_trip_hex(openssl12::SERVER_CERTIFICATE)
        else {
            panic!("not a Certificate");
        };
        let (_, leaf) =
            x509_parser::parse_x509_certificate(&certificate.certificate_list[0]).unwrap();
        let content = params.signed_content(
            &random(openssl12::CLIENT_HELLO),
            &random(openssl12::SERVER_HELLO),
        );
        let verify = |content: &[u8]| {
            crate::crypto::sign::verify_tls12_signature(
                params.scheme,
                leaf.public_key().raw,
                content,
                &params.signature,
            )
        };
        assert!(verify(&content).is_ok());
        let mut tampered = content;
        tampered[64] ^= 1;
        assert!(verify(&tampered).is_err());
    }

    #[test]
    fn openssl_client_auth_messages_decode() {
        let HandshakeMessage::CertificateRequest12(cr) =
            round_trip_hex(openssl12::CERTIFICATE_REQUEST)
        else {
            panic!("not a CertificateRequest");
        };
        // rsa_sign(1), dss_sign(2), ecdsa_sign(64).
        assert_eq!(cr.certificate_types, [1, 2, 64]);
        assert!(cr
            .supported_signature_algorithms
            .contains(&SignatureScheme::ECDSA_SECP256R1_SHA256));
        // One DER Name: SEQUENCE { SET { SEQUENCE { CN, "client" } } }.
        assert_eq!(cr.certificate_authorities.len(), 1);
        assert!(cr.certificate_authorities[0].ends_with(b"client"));

        let HandshakeMessage::ClientKeyExchange(cke) =
            round_trip_hex(openssl12::CLIENT_KEY_EXCHANGE)
        else {
            panic!("not a ClientKeyExchange");
        };
        let ecdh_yc = cke.ecdhe_public().unwrap();
        assert_eq!((ecdh_yc.len(), ecdh_yc[0]), (65, 4));
        assert_eq!(ClientKeyExchange::from_ecdhe_public(ecdh_yc).unwrap(), cke);

        assert!(matches!(
            round_trip_hex(openssl12::CERTIFICATE_VERIFY),
            HandshakeMessage::CertificateVerify(CertificateVerify {
                algorithm: SignatureScheme::ECDSA_SECP256R1_SHA256,
                ..
            })
        ));
        // RFC 5246, Section 7.4.9: verify_data_length is 12 for these suites.
        for finished in [openssl12::CLIENT_FINISHED, openssl12::SERVER_FINISHED] {
            assert!(matches!(
                round_trip_hex(finished),
                HandshakeMessage::Finished(Finished { verify_data }) if verify_data.len() == 12
            ));
        }
        let HandshakeMessage::NewSessionTicket12(ticket) =
            round_trip_hex(openssl12::NEW_SESSION_TICKET)
        else {
            panic!("not a NewSessionTicket");
        };
        // OpenSSL's default ticket lifetime hint, two hours.
        assert_eq!(ticket.ticket_lifetime_hint, 7200);
        assert!(!ticket.ticket.is_empty());
    }

    #[test]
    fn ecdhe_server_key_exchange_is_strict() {
        let decode_error = AlertDescription::DECODE_ERROR;
        let ske = |write: &dyn Fn(&mut Writer<'_>)| {
            let mut body = Vec::new();
            write(&mut Writer::new(&mut body));
            ServerKeyExchange { body }.ecdhe()
        };
        // RFC 8422, Section 5.4: explicit_prime (1) is deprecated.
        assert_refused(
            ske(&|w| {
                w.u8(1);
                w.u16(NamedGroup::SECP256R1.0);
                w.vec8(|w| w.bytes(&[4; 65]));
                w.u16(0x0403);
                w.vec16(|w| w.bytes(&[0x30; 70]));
            }),
            InvalidMessage::IllegalValue("curve_type"),
            AlertDescription::ILLEGAL_PARAMETER,
        );
        // ECPoint point<1..2^8-1>.
        assert_refused(
            ske(&|w| {
                w.u8(3);
                w.u16(NamedGroup::X25519.0);
                w.vec8(|_| {});
                w.u16(0x0804);
                w.vec16(|w| w.bytes(&[1; 256]));
            }),
            InvalidMessage::EmptyVector("ECPoint"),
            decode_error,
        );
        let mut body = ecdhe_params().encode_body().unwrap();
        body.push(0);
        assert_refused(
            ServerKeyExchange { body }.ecdhe(),
            InvalidMessage::TrailingBytes("server_key_exchange"),
            decode_error,
        );
        let body = ecdhe_params().encode_body().unwrap();
        assert_refused(
            ServerKeyExchange {
                body: body[..body.len() - 1].to_vec(),
            }
            .ecdhe(),
            InvalidMessage::Truncated("signature"),
            decode_error,
        );
        // Without its signature, as an ECDH_anon suite would send it.
        assert_refused(
            ServerKeyExchange {
                body: ecdhe_params().params,
            }
            .ecdhe(),
            InvalidMessage::Truncated("algorithm"),
            decode_error,
        );
        assert_refused(
            ServerKeyExchange { body: Vec::new() }.ecdhe(),
            InvalidMessage::Truncated("curve_type"),
            decode_error,
        );
    }

    #[test]
    fn client_key_exchange_bodies_are_strict() {
        let decode_error = AlertDescription::DECODE_ERROR;
        let cke = |body: &[u8]| ClientKeyExchange {
            body: body.to_vec(),
        };
        assert_eq!(cke(&[2, 7, 8]).ecdhe_public(), Ok(&[7u8, 8][..]));
        assert_refused(
            cke(&[0]).ecdhe_public(),
            InvalidMessage::EmptyVector("ecdh_Yc"),
            decode_error,
        );
        assert_refused(
            cke(&[]).ecdhe_public(),
            InvalidMessage::Truncated("ecdh_Yc"),
            decode_error,
        );
        assert_refused(
            cke(&[1, 7, 8]).ecdhe_public(),
            InvalidMessage::TrailingBytes("client_key_exchange"),
            decode_error,
        );
        let rsa = ClientKeyExchange::from_rsa_encrypted_pre_master(&[9; 256]).unwrap();
        assert_eq!(rsa.rsa_encrypted_pre_master(), Ok(&[9u8; 256][..]));
        // The same bytes are not an ECDHE key: 0x01 0x00 leaves 255 bytes over.
        assert_refused(
            rsa.ecdhe_public(),
            InvalidMessage::TrailingBytes("client_key_exchange"),
            decode_error,
        );
        assert_refused(
            cke(&[0, 3, 1, 2]).rsa_encrypted_pre_master(),
            InvalidMessage::Truncated("EncryptedPreMasterSecret"),
            decode_error,
        );
        assert_refused(
            cke(&[0, 1, 1, 2]).rsa_encrypted_pre_master(),
            InvalidMessage::TrailingBytes("client_key_exchange"),
            decode_error,
        );
    }

    #[test]
    fn tls12_message_vectors_are_bounded() {
        let decode_error = AlertDescription::DECODE_ERROR;
        let cases: Vec<(HandshakeType, Vec<u8>, InvalidMessage)> = vec![
            (
                HandshakeType::CERTIFICATE,
                vec![0, 0, 3, 0, 0, 0],
                InvalidMessage::EmptyVector("ASN.1Cert"),
            ),
            (
                HandshakeType::CERTIFICATE,
                vec![0, 0, 4, 0, 0, 2, 0x30],
                InvalidMessage::Truncated("ASN.1Cert"),
            ),
            (
                HandshakeType::CERTIFICATE_REQUEST,
                vec![0, 0, 2, 4, 3, 0, 0],
                InvalidMessage::EmptyVector("certificate_types"),
            ),
            (
                HandshakeType::CERTIFICATE_REQUEST,
                vec![1, 64, 0, 0, 0, 0],
                InvalidMessage::EmptyVector("supported_signature_algorithms"),
            ),
            (
                HandshakeType::CERTIFICATE_REQUEST,
                vec![1, 64, 0, 3, 4, 3, 5, 0, 0],
                InvalidMessage::OddLength("supported_signature_algorithms"),
            ),
            (
                HandshakeType::CERTIFICATE_REQUEST,
                vec![1, 64, 0, 2, 4, 3, 0, 2, 0, 0],
                InvalidMessage::EmptyVector("DistinguishedName"),
            ),
            (
                HandshakeType::CERTIFICATE_REQUEST,
                vec![1, 64, 0, 2, 4, 3],
                InvalidMessage::Truncated("certificate_authorities"),
            ),
            (
                HandshakeType::NEW_SESSION_TICKET,
                vec![0, 0, 0, 1, 0, 2, 5],
                InvalidMessage::Truncated("ticket"),
            ),
        ];
        for (typ, body, expected) in cases {
            assert_refused(
                HandshakeMessage::decode_tls12(typ, &body),
                expected,
                decode_error,
            );
        }
    }

    #[test]
    fn trailing_bytes_in_tls12_messages_are_decode_errors() {
        for message in every_tls12_message() {
            let typ = message.handshake_type();
            let mut body = encoded(&message)[4..].to_vec();
            body.push(0);
            let result = HandshakeMessage::decode_tls12(typ, &body);
            match &message {
                // Raw bodies: the trailing byte is found by the typed parser.
                HandshakeMessage::ServerKeyExchange(_)
                | HandshakeMessage::ClientKeyExchange(_)
                // verify_data fills the body; the handshake checks its length.
                | HandshakeMessage::Finished(_) => assert!(result.is_ok()),
                _ => assert_refused(
                    result,
                    InvalidMessage::TrailingBytes(typ.name().unwrap()),
                    AlertDescription::DECODE_ERROR,
                ),
            }
        }
    }

    #[test]
    fn tls13_only_messages_are_unknown_in_tls12() {
        let hrr = hex::decode(crate::codec::messages::rfc8448::HELLO_RETRY_REQUEST).unwrap();
        let (_, hrr_body) = split(&hrr);
        assert_refused(
            HandshakeMessage::decode_tls12(HandshakeType::SERVER_HELLO, hrr_body),
            InvalidMessage::UnknownHandshakeType(HandshakeType::SERVER_HELLO.0),
            AlertDescription::UNEXPECTED_MESSAGE,
        );
        let cases: [(HandshakeType, &[u8]); 5] = [
            (HandshakeType::ENCRYPTED_EXTENSIONS, &[0, 0]),
            (HandshakeType::KEY_UPDATE, &[0]),
            (HandshakeType::END_OF_EARLY_DATA, &[]),
            (HandshakeType::MESSAGE_HASH, &[]),
            (HandshakeType(99), &[]),
        ];
        for (typ, body) in cases {
            assert_refused(
                HandshakeMessage::decode_tls12(typ, body),
                InvalidMessage::UnknownHandshakeType(typ.0),
                AlertDescription::UNEXPECTED_MESSAGE,
            );
        }
        // And the TLS 1.3 decoder still knows none of TLS 1.2's own messages.
        for typ in [
            HandshakeType::HELLO_REQUEST,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::SERVER_HELLO_DONE,
            HandshakeType::CLIENT_KEY_EXCHANGE,
        ] {
            assert_refused(
                HandshakeMessage::decode(typ, &[]),
                InvalidMessage::UnknownHandshakeType(typ.0),
                AlertDescription::UNEXPECTED_MESSAGE,
            );
        }
    }
}
