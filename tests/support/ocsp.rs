//! OCSP responses (RFC 6960, Section 4.2.1) made in the test, DER by hand,
//! signed with rcgen keys: for the in-memory stapling tests, which need
//! responses for PKIs generated on the spot. The OpenSSL interop tests use
//! `openssl ocsp` instead, and `src/pki/ocsp.rs` tests responses OpenSSL made,
//! so this encoder is never the only witness of what the parser accepts.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::SigningKey;

use super::TestPki;

/// The certStatus of the one SingleResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Good,
    /// Revoked an hour before thisUpdate, keyCompromise.
    Revoked,
    Unknown,
}

/// What the response says and who signs it.
pub struct Response<'a> {
    /// The certificate the response is about (DER).
    pub leaf: &'a [u8],
    /// Its issuer (DER): the CertID is computed from it.
    pub issuer: &'a [u8],
    /// The signing key (ECDSA P-256) and, when it is not the issuer's, the
    /// responder certificate to include.
    pub signer: &'a rcgen::KeyPair,
    pub responder: Option<&'a [u8]>,
    pub status: Status,
    pub this_update: SystemTime,
    pub next_update: Option<SystemTime>,
    /// The responderID byKey (SHA-1 of the signer's public key) instead of
    /// byName.
    pub by_key: bool,
    /// An explicit version (RFC 6960 allows only v1, 0); left out by default.
    pub version: Option<u8>,
    /// The CertID's hash.
    pub cert_id_hash: CertIdHash,
    /// Whether the CertID's hashAlgorithm has NULL parameters (RFC 5754,
    /// Section 2 allows them absent too).
    pub cert_id_null: bool,
    /// Certificates carried before the responder's.
    pub carried: &'a [&'a [u8]],
    /// A responseExtension (a nonce) marked critical.
    pub critical_extension: bool,
}

/// The hash a CertID names the issuer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertIdHash {
    Sha1,
    Sha384,
    Sha512,
}

impl<'a> Response<'a> {
    /// A good response for `pki`'s leaf, signed by its intermediate, valid
    /// from an hour ago for a week.
    pub fn good(pki: &'a TestPki, signer: &'a rcgen::KeyPair) -> Self {
        let now = SystemTime::now();
        Response {
            leaf: &pki.leaf_der,
            issuer: &pki.intermediate_der,
            signer,
            responder: None,
            status: Status::Good,
            this_update: now - Duration::from_secs(3600),
            next_update: Some(now + Duration::from_secs(7 * 24 * 3600)),
            by_key: false,
            version: None,
            cert_id_hash: CertIdHash::Sha1,
            cert_id_null: true,
            carried: &[],
            critical_extension: false,
        }
    }

    /// The DER OCSPResponse.
    pub fn der(&self) -> Vec<u8> {
        let (_, leaf) = x509_parser::parse_x509_certificate(self.leaf).unwrap();
        let (_, issuer) = x509_parser::parse_x509_certificate(self.issuer).unwrap();
        let sha1 = |data: &[u8]| {
            ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
                .as_ref()
                .to_vec()
        };
        let (hash_oid, hash) = match self.cert_id_hash {
            CertIdHash::Sha1 => (SHA1_OID, &ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            CertIdHash::Sha384 => (SHA384_OID, &ring::digest::SHA384),
            CertIdHash::Sha512 => (SHA512_OID, &ring::digest::SHA512),
        };
        let digest = |data: &[u8]| ring::digest::digest(hash, data).as_ref().to_vec();
        let null: &[u8] = if self.cert_id_null {
            &[0x05, 0x00]
        } else {
            &[]
        };
        let cert_id = tlv(
            0x30,
            &[
                tlv(0x30, &[&tlv(0x06, hash_oid)[..], null].concat()),
                tlv(0x04, &digest(issuer.subject().as_raw())),
                tlv(0x04, &digest(&issuer.public_key().subject_public_key.data)),
                tlv(0x02, leaf.raw_serial()),
            ]
            .concat(),
        );
        let cert_status = match self.status {
            Status::Good => vec![0x80, 0x00],
            Status::Unknown => vec![0x82, 0x00],
            Status::Revoked => tlv(
                0xa1,
                &[
                    generalized_time(self.this_update - Duration::from_secs(3600)),
                    tlv(0xa0, &[0x0a, 0x01, 0x01]),
                ]
                .concat(),
            ),
        };
        let mut single = [cert_id, cert_status, generalized_time(self.this_update)].concat();
        if let Some(next) = self.next_update {
            single.extend(tlv(0xa0, &generalized_time(next)));
        }
        let signer_cert = self.responder.unwrap_or(self.issuer);
        let (_, signer_cert) = x509_parser::parse_x509_certificate(signer_cert).unwrap();
        let responder_id = match self.by_key {
            true => tlv(
                0xa2,
                &tlv(
                    0x04,
                    &sha1(&signer_cert.public_key().subject_public_key.data),
                ),
            ),
            false => tlv(0xa1, signer_cert.subject().as_raw()),
        };
        let mut response_data = match self.version {
            Some(v) => tlv(0xa0, &[0x02, 0x01, v]),
            None => Vec::new(),
        };
        response_data.extend(responder_id);
        response_data.extend(generalized_time(self.this_update));
        response_data.extend(tlv(0x30, &tlv(0x30, &single)));
        if self.critical_extension {
            let nonce = [
                tlv(0x06, NONCE_OID),
                vec![0x01, 0x01, 0xff],
                tlv(0x04, &tlv(0x04, &[7; 8])),
            ]
            .concat();
            response_data.extend(tlv(0xa1, &tlv(0x30, &tlv(0x30, &nonce))));
        }
        let response_data = tlv(0x30, &response_data);
        let signature = self.signer.sign(&response_data).unwrap();
        let mut basic = [
            response_data,
            tlv(0x30, &tlv(0x06, ECDSA_WITH_SHA256_OID)),
            tlv(0x03, &[&[0][..], &signature].concat()),
        ]
        .concat();
        let mut certs = self.carried.concat();
        certs.extend(self.responder.unwrap_or_default());
        if !certs.is_empty() {
            basic.extend(tlv(0xa0, &tlv(0x30, &certs)));
        }
        let response_bytes = tlv(
            0x30,
            &[tlv(0x06, OCSP_BASIC_OID), tlv(0x04, &tlv(0x30, &basic))].concat(),
        );
        tlv(
            0x30,
            &[vec![0x0a, 0x01, 0x00], tlv(0xa0, &response_bytes)].concat(),
        )
    }
}

/// A delegated OCSP responder for `pki`'s intermediate: its certificate
/// (with id-kp-OCSPSigning when `authorized`) and key.
pub fn responder(pki: &TestPki, authorized: bool) -> (Vec<u8>, rcgen::KeyPair) {
    responder_issued_as(pki, "keyway test intermediate CA", authorized)
}

/// [`responder`], its issuer named `issuer_name` (signed with `pki`'s
/// intermediate key all the same).
pub fn responder_issued_as(
    pki: &TestPki,
    issuer_name: &str,
    authorized: bool,
) -> (Vec<u8>, rcgen::KeyPair) {
    let int_key = rcgen::KeyPair::from_pem(&pki.intermediate_key_pem).unwrap();
    let issuer = rcgen::Issuer::new(super::ca_params(issuer_name), int_key);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "keyway test OCSP responder");
    params.extended_key_usages = match authorized {
        true => vec![rcgen::ExtendedKeyUsagePurpose::OcspSigning],
        false => vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth],
    };
    let cert = params.signed_by(&key, &issuer).unwrap();
    (cert.der().to_vec(), key)
}

/// The TLS feature extension listing status_request (RFC 7633): must-staple.
pub fn must_staple() -> rcgen::CustomExtension {
    // Features ::= SEQUENCE OF INTEGER { status_request (5) }
    rcgen::CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 5, 5, 7, 1, 24],
        vec![0x30, 0x03, 0x02, 0x01, 0x05],
    )
}

const SHA1_OID: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const SHA384_OID: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const SHA512_OID: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
/// id-pkix-ocsp-nonce, 1.3.6.1.5.5.7.48.1.2.
const NONCE_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02];
const ECDSA_WITH_SHA256_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OCSP_BASIC_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match body.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend_from_slice(&[0x81, n as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(body);
    out
}

/// GeneralizedTime YYYYMMDDHHMMSSZ.
fn generalized_time(time: SystemTime) -> Vec<u8> {
    let secs = time.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let t = x509_parser::time::ASN1Time::from_timestamp(secs)
        .unwrap()
        .to_datetime();
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    tlv(0x18, text.as_bytes())
}
