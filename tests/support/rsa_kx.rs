//! A hand-driven TLS 1.2 RSA key exchange client for the malformed
//! ClientKeyExchange test and bench: it runs a keyway server up to
//! ServerHelloDone, then sends a ClientKeyExchange built from raw RSA over
//! whatever padding the case asks for, and a Finished computed from the
//! pre-master secret the client *believes* in, exactly as an attacker would.
#![allow(dead_code)]

use std::sync::Arc;

use keyway::codec::{ContentType, ProtocolVersion};
use keyway::crypto::{AeadAlgorithm, HashAlgorithm};
use keyway::keys::tls12::{FinishedLabel, MasterSecret};
use keyway::record::{write_plaintext_records, Tls12Encrypter};
use keyway::transcript::Transcript;
use keyway::{
    CipherSuite, ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection,
};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PublicKey};

use super::TestPki;

/// The ways a ClientKeyExchange can be malformed (src/handshake/rsa_kx.rs lists the checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Well-formed: the handshake must complete.
    Valid,
    /// `00 01` instead of `00 02`.
    WrongBlockType,
    /// `01 02` at the start.
    WrongFirstByte,
    /// No zero separator anywhere after the padding.
    NoSeparator,
    /// The separator 10 bytes early: a 58-byte "pre-master secret".
    SeparatorTooEarly,
    /// The separator 1 byte late: a 47-byte pre-master secret.
    PreMasterTooShort,
    /// `03 01` instead of the offered `03 03`.
    WrongVersion,
    /// Well-formed padding, a random pre-master the client then "forgets".
    WrongPreMaster,
    /// A ciphertext equal to the modulus (c >= n).
    CiphertextNotBelowModulus,
    /// One byte longer than the modulus (a public length error).
    CiphertextTooLong,
    /// One byte shorter than the modulus (a public length error).
    CiphertextTooShort,
}

impl Case {
    pub const ALL: [Case; 11] = [
        Case::Valid,
        Case::WrongBlockType,
        Case::WrongFirstByte,
        Case::NoSeparator,
        Case::SeparatorTooEarly,
        Case::PreMasterTooShort,
        Case::WrongVersion,
        Case::WrongPreMaster,
        Case::CiphertextNotBelowModulus,
        Case::CiphertextTooLong,
        Case::CiphertextTooShort,
    ];

    /// True for the cases whose fault is visible without the private key.
    pub fn is_public_length_error(self) -> bool {
        matches!(self, Case::CiphertextTooLong | Case::CiphertextTooShort)
    }
}

/// A server waiting for the ClientKeyExchange, with what the attacker needs.
pub struct AtCke {
    pub server: ServerConnection,
    transcript: Vec<u8>,
    client_random: [u8; 32],
    server_random: [u8; 32],
    public: PublicKey,
}

/// A TLS 1.2 RSA key exchange client and server; no resumption on either
/// side, so every handshake between them is a full one (with the RSA
/// decryption).
pub fn rsa_configs(pki: &TestPki) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let client = ClientConfig::builder(pki.root_store())
        .versions(&[ProtocolVersion::TLS12])
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .enable_rsa_key_exchange()
        .session_store(None)
        .build()
        .unwrap();
    let server = ServerConfig::builder()
        .certificate(pki.certified_key())
        .enable_rsa_key_exchange()
        .session_tickets(0)
        .session_store(None)
        .build()
        .unwrap();
    (Arc::new(client), Arc::new(server))
}

fn handshake_payloads(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        assert_eq!(bytes[0], 22, "plaintext handshake records only");
        out.extend_from_slice(&bytes[5..5 + len]);
        bytes = &bytes[5 + len..];
    }
    out
}

/// Runs a real keyway client's ClientHello into a fresh server and returns
/// the server, now waiting for the ClientKeyExchange.
pub fn server_at_client_key_exchange(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> AtCke {
    let mut c = ClientConnection::new(client.clone(), "example.com").unwrap();
    let mut s = ServerConnection::new(server.clone());
    let hello = c.take_tls();
    s.read_tls_bytes(&hello).unwrap();
    s.process().unwrap();
    let mut transcript = handshake_payloads(&hello);
    let flight = handshake_payloads(&s.take_tls());
    // ClientHello.random: after the 4-byte header and legacy_version.
    let client_random: [u8; 32] = transcript[6..38].try_into().unwrap();
    let server_random: [u8; 32] = flight[6..38].try_into().unwrap();
    transcript.extend_from_slice(&flight);
    let leaf = leaf_of(&flight);
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    let public = PublicKey::from_pkcs1_der(&cert.public_key().subject_public_key.data).unwrap();
    AtCke {
        server: s,
        transcript,
        client_random,
        server_random,
        public,
    }
}

/// The first certificate in a server flight (SH, Certificate, ...).
fn leaf_of(flight: &[u8]) -> Vec<u8> {
    let sh_len = usize::from(flight[2]) << 8 | usize::from(flight[3]);
    let cert = &flight[4 + sh_len..];
    assert_eq!(cert[0], 11, "Certificate follows ServerHello");
    // header(4) + list length(3) + first cert length(3)
    let len = usize::from(cert[7]) << 16 | usize::from(cert[8]) << 8 | usize::from(cert[9]);
    cert[10..10 + len].to_vec()
}

/// The records an attacker sends for `case`: ClientKeyExchange,
/// ChangeCipherSpec, and a Finished protected with keys from the pre-master
/// secret the attacker put in (or believes in).
pub fn attacker_flight(at: &AtCke, case: Case, seed: u8) -> (Vec<u8>, Vec<u8>) {
    let k = at.public.size();
    let mut believed = [seed; 48];
    believed[..2].copy_from_slice(&[3, 3]);
    // EM = 00 02 PS 00 pre_master (RFC 8017, Section 7.2.1), then the damage.
    let mut em = vec![0u8; k];
    em[1] = 2;
    for (i, b) in em[2..k - 49].iter_mut().enumerate() {
        *b = 1 + (i as u8 % 250);
    }
    em[k - 48..].copy_from_slice(&believed);
    match case {
        Case::Valid
        | Case::CiphertextNotBelowModulus
        | Case::CiphertextTooLong
        | Case::CiphertextTooShort => {}
        Case::WrongBlockType => em[1] = 1,
        Case::WrongFirstByte => em[0] = 1,
        Case::NoSeparator => em[k - 49] = 0x77,
        Case::SeparatorTooEarly => {
            em[k - 49] = 0x77;
            em[k - 59] = 0;
        }
        Case::PreMasterTooShort => {
            em[k - 49] = 0x77;
            em[k - 48] = 0;
        }
        Case::WrongVersion => em[k - 47] = 1,
        Case::WrongPreMaster => {
            // The server decrypts a good pre-master secret; the client uses another.
            believed[47] ^= 0xff;
        }
    }
    let ciphertext = match case {
        Case::CiphertextNotBelowModulus => at.public.n().as_ref().to_be_bytes().to_vec(),
        _ => {
            let m = BoxedUint::from_be_slice(&em, at.public.n_bits_precision()).unwrap();
            let c = rsa::hazmat::rsa_encrypt(&at.public, &m).unwrap();
            let bytes = c.to_be_bytes();
            bytes[bytes.len() - k..].to_vec()
        }
    };
    let ciphertext = match case {
        Case::CiphertextTooLong => [&[0u8][..], &ciphertext].concat(),
        Case::CiphertextTooShort => ciphertext[1..].to_vec(),
        _ => ciphertext,
    };
    let mut cke = vec![16u8, 0, 0, 0];
    let body_len = 2 + ciphertext.len();
    cke[1..4].copy_from_slice(&(body_len as u32).to_be_bytes()[1..]);
    cke.extend_from_slice(&(ciphertext.len() as u16).to_be_bytes());
    cke.extend_from_slice(&ciphertext);

    let mut transcript = Transcript::new();
    transcript.start_hash(HashAlgorithm::Sha256);
    transcript.add(&at.transcript);
    transcript.add(&cke);
    let session_hash = transcript.current_hash().unwrap();
    let master =
        MasterSecret::derive_extended(HashAlgorithm::Sha256, &believed, session_hash.as_ref());
    let keys = master.key_block(
        AeadAlgorithm::Aes128Gcm,
        &at.client_random,
        &at.server_random,
    );
    let verify_data = master.verify_data(FinishedLabel::Client, session_hash.as_ref());
    let mut finished = vec![20u8, 0, 0, 12];
    finished.extend_from_slice(&verify_data);

    let mut before = Vec::new();
    write_plaintext_records(
        ProtocolVersion::TLS12,
        ContentType::HANDSHAKE,
        &cke,
        1 << 14,
        &mut before,
    )
    .unwrap();
    write_plaintext_records(
        ProtocolVersion::TLS12,
        ContentType::CHANGE_CIPHER_SPEC,
        &[1],
        1 << 14,
        &mut before,
    )
    .unwrap();
    let mut sealed = Vec::new();
    let mut encrypter = Tls12Encrypter::new(
        AeadAlgorithm::Aes128Gcm,
        &keys.client_write_key,
        &keys.client_write_iv,
    )
    .unwrap();
    encrypter
        .seal_record(ContentType::HANDSHAKE, &finished, &mut sealed)
        .unwrap();
    (before, sealed)
}

/// Where the server failed, if it did: after ClientKeyExchange + CCS, or at Finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handshake completed.
    Completed,
    /// Refused before the Finished record, with this error.
    Early(keyway::Error),
    /// Refused at the Finished record, with this error.
    AtFinished(keyway::Error),
}

pub fn run(at: &mut AtCke, before: &[u8], finished: &[u8]) -> Outcome {
    let server: &mut Connection = &mut at.server;
    server.read_tls_bytes(before).unwrap();
    if let Err(e) = server.process() {
        return Outcome::Early(e);
    }
    server.read_tls_bytes(finished).unwrap();
    match server.process() {
        Ok(()) if !server.is_handshaking() => Outcome::Completed,
        Ok(()) => panic!("server neither failed nor finished"),
        Err(e) => Outcome::AtFinished(e),
    }
}
