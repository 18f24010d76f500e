//! OCSP responses (RFC 6960) as TLS servers staple them: parsing, and the
//! checks a client makes before it believes one (RFC 6960, Section 3.2).
//!
//! A server staples a DER `OCSPResponse` in the leaf's CertificateEntry (TLS
//! 1.3, RFC 8446, Section 4.4.2.1) or in a CertificateStatus message (TLS
//! 1.2, RFC 6066, Section 8). [`check_staple`] decides what a client makes of
//! it, once the chain has verified and so the leaf's issuer is known:
//!
//! 1. The response must be `successful` and of type id-pkix-ocsp-basic, and
//!    parse as DER with no critical extension keyway does not process.
//! 2. It must be signed by the leaf's issuer, or by a delegated responder
//!    whose certificate the response carries and which the issuer's key
//!    signed, with id-kp-OCSPSigning in its extendedKeyUsage and valid at the
//!    verification time (RFC 6960, Section 4.2.2.2). Whether the responder's
//!    own certificate was revoked is not checked (Section 4.2.2.2.1 leaves
//!    that to local policy; CAs mark such certificates id-pkix-ocsp-nocheck).
//! 3. It must hold a SingleResponse whose CertID names the leaf: its serial
//!    number, and its issuer's name and key hashed with the CertID's hash
//!    (SHA-1, SHA-256, SHA-384 or SHA-512).
//! 4. That response must be current: thisUpdate not after the verification
//!    time, nextUpdate not before it (Section 4.2.2.1). A response without
//!    nextUpdate is taken as current for [`MAX_AGE_WITHOUT_NEXT_UPDATE`]
//!    after its thisUpdate.
//! 5. Its status decides: good is accepted; revoked refuses the chain with
//!    [`CertificateError::Revoked`] naming the certificate, the time and
//!    the reason; unknown is refused as an unacceptable staple (a server
//!    that staples "I do not know this certificate" is misconfigured or
//!    lying).
//!
//! Any other failure is [`CertificateError::BadOcspResponse`], which is sent
//! as bad_certificate_status_response (RFC 6066, Section 8). A certificate
//! whose TLS feature extension lists status_request ("must-staple", RFC
//! 7633) is refused without a staple when the client asked for one
//! ([`CertificateError::OcspResponseRequired`]).
// Peer bytes reach this code: no unwrap, unchecked arithmetic or indexing.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::fmt;
use std::time::SystemTime;

use x509_parser::prelude::FromDer;
use x509_parser::time::ASN1Time;
use x509_parser::x509::{AlgorithmIdentifier, X509Name};

use super::checks::{
    check_validity, name_text, now_text, parse, signature_algorithm, unix_seconds, Cert,
};
use super::VerifiedPath;
use crate::crypto::sign::{self, oid, tag, Der, PublicKey};
use crate::error::CertificateError;

/// How long a response without nextUpdate counts as current after its
/// thisUpdate: one day. RFC 6960, Section 4.2.2.1 says such a responder
/// "is indicating that newer revocation information is available all the
/// time", which a staple, fetched in advance, cannot honour; a day is what
/// browsers allow.
pub const MAX_AGE_WITHOUT_NEXT_UPDATE: u64 = 24 * 60 * 60;

/// What the server sent about its certificate's revocation status, as the
/// handshake hands it to [`super::ServerCertVerifier::verify_server_cert_with_ocsp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcspStaple<'a> {
    /// The client did not ask for a staple (status_request was off in its
    /// ClientHello), so none could come.
    NotRequested,
    /// The client asked and the server sent none.
    Missing,
    /// The DER `OCSPResponse` the server stapled.
    Response(&'a [u8]),
}

/// The status a SingleResponse gives a certificate (RFC 6960, Section 2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked at `time` (seconds since 1970), for `reason` (a CRLReason
    /// value, RFC 5280, Section 5.3.1) when the responder gave one.
    Revoked {
        /// When the certificate was revoked, seconds since 1970.
        time: i64,
        /// The CRLReason, if given.
        reason: Option<u8>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// One SingleResponse: a certificate's status over an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleResponse {
    cert_id: CertId,
    /// The certificate's status.
    pub status: CertStatus,
    /// When the status was known to be correct, seconds since 1970.
    pub this_update: i64,
    /// When newer information will be available, seconds since 1970.
    pub next_update: Option<i64>,
}

impl SingleResponse {
    /// The serial number of the certificate it is about (DER INTEGER contents).
    pub fn serial(&self) -> &[u8] {
        &self.cert_id.serial
    }
}

/// CertID (RFC 6960, Section 4.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
struct CertId {
    hash: &'static ring::digest::Algorithm,
    issuer_name_hash: Vec<u8>,
    issuer_key_hash: Vec<u8>,
    serial: Vec<u8>,
}

/// ResponderID (RFC 6960, Section 4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ResponderId {
    /// The responder's subject, DER.
    ByName(Vec<u8>),
    /// SHA-1 of the responder's public key (the subjectPublicKey bits).
    ByKey(Vec<u8>),
}

/// A parsed `OCSPResponse` (RFC 6960, Section 4.2.1). Parsing checks the
/// structure only; [`check_staple`] and [`OcspResponse::check_for`] decide
/// whether to believe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspResponse {
    response_status: u8,
    basic: Option<BasicResponse>,
}

/// A BasicOCSPResponse with its ResponseData.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BasicResponse {
    /// The DER ResponseData, which the signature covers.
    tbs_response_data: Vec<u8>,
    /// The DER signatureAlgorithm.
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
    certs: Vec<Vec<u8>>,
    responder_id: ResponderId,
    produced_at: i64,
    responses: Vec<SingleResponse>,
}

/// The certificate that issued the end entity: the one whose key signs, or
/// delegates, its OCSP responses.
pub(crate) struct Issuer<'a> {
    /// Its DER subject name.
    pub(crate) subject: &'a [u8],
    /// Its DER SubjectPublicKeyInfo.
    pub(crate) spki: &'a [u8],
    /// "certificate 1 (CN=CA)" or "the trusted root CN=Root", for errors.
    pub(crate) label: String,
}

/// OCSPResponseStatus successful (RFC 6960, Section 4.2.1).
const SUCCESSFUL: u8 = 0;

/// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1.
const ID_PKIX_OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
/// id-sha1, 1.3.14.3.2.26: the hash most CertIDs use. Only an identifier
/// here (the serial number is compared exactly), never a signature.
const ID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
/// id-pe-tlsfeature, 1.3.6.1.5.5.7.1.24 (RFC 7633, Section 4).
const ID_PE_TLSFEATURE: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18];
/// The TLS extension number of status_request (RFC 6066, Section 8), as a
/// TLS feature lists it.
const STATUS_REQUEST: &[u8] = &[5];

/// Context-specific tags of the CHOICEs and OPTIONALs in the OCSP module
/// (EXPLICIT tags are constructed, the IMPLICIT NULLs of CertStatus primitive).
mod ctx {
    /// [0] IMPLICIT NULL: good.
    pub const GOOD: u8 = 0x80;
    /// [1] IMPLICIT RevokedInfo: revoked.
    pub const REVOKED: u8 = 0xa1;
    /// [2] IMPLICIT NULL: unknown.
    pub const UNKNOWN: u8 = 0x82;
    /// [1] EXPLICIT Name: ResponderID byName; also responseExtensions and singleExtensions.
    pub const EXPLICIT_1: u8 = 0xa1;
    /// [2] EXPLICIT KeyHash: ResponderID byKey.
    pub const EXPLICIT_2: u8 = 0xa2;
}

impl OcspResponse {
    /// Parses a DER `OCSPResponse`. The error says what is malformed.
    pub fn parse(der: &[u8]) -> Result<Self, CertificateError> {
        read_ocsp_response(der).map_err(|what| {
            CertificateError::BadOcspResponse(format!("the OCSP response is malformed: {what}"))
        })
    }

    /// The SingleResponses, in the order the responder gave them (none when
    /// the response is not `successful`).
    pub fn responses(&self) -> &[SingleResponse] {
        self.basic.as_ref().map_or(&[], |b| b.responses.as_slice())
    }

    /// Checks the response for `leaf` (DER), issued by `issuer`, at `now`,
    /// and returns the leaf's SingleResponse if its status is good. See the
    /// module docs for every check.
    pub(crate) fn check_for(
        &self,
        leaf: &[u8],
        issuer: &Issuer<'_>,
        now: SystemTime,
    ) -> Result<&SingleResponse, CertificateError> {
        let bad = |why: String| CertificateError::BadOcspResponse(why);
        let basic = self.successful()?;
        let leaf_cert = parse(0, leaf)?;
        let signer = basic.signer_spki(issuer, now)?;
        let alg_der = basic.signature_algorithm.as_slice();
        let alg = match AlgorithmIdentifier::from_der(alg_der) {
            Ok(([], alg)) => signature_algorithm(&alg, &alg, &"the OCSP response", false)?,
            _ => {
                return Err(bad(
                    "the OCSP response has a malformed signatureAlgorithm".into()
                ))
            }
        };
        if sign::verify_cert_signature(
            alg,
            signer.spki,
            &basic.tbs_response_data,
            &basic.signature,
            false,
        )
        .is_err()
        {
            return Err(bad(format!(
                "the OCSP response's signature does not verify with the key of {}",
                signer.label
            )));
        }
        let issuer_key = PublicKey::from_spki(issuer.spki)
            .map_err(|why| bad(format!("{} has an unusable key: {why}", issuer.label)))?;
        let serial = leaf_cert.x509.raw_serial();
        let single = basic
            .responses
            .iter()
            .find(|r| r.cert_id.names(issuer.subject, issuer_key.key, serial))
            .ok_or_else(|| {
                bad(format!(
                    "the OCSP response has no status for {} (serial {}) issued by {}",
                    leaf_cert.label(),
                    hex(serial),
                    issuer.label
                ))
            })?;
        basic.judge(single, &leaf_cert.label().to_string(), now)
    }

    /// What a server can check of a response for `leaf` when its chain does
    /// not carry the leaf's issuer (a leaf issued straight by a root that is
    /// not sent): successful, a SingleResponse for the leaf's serial number,
    /// current and good. Neither the signature nor the issuer hashes can be
    /// checked; the clients check them.
    pub(crate) fn check_without_issuer(
        &self,
        leaf: &[u8],
        now: SystemTime,
    ) -> Result<&SingleResponse, CertificateError> {
        let basic = self.successful()?;
        let leaf_cert = parse(0, leaf)?;
        let serial = leaf_cert.x509.raw_serial();
        let single = basic
            .responses
            .iter()
            .find(|r| r.cert_id.serial == serial)
            .ok_or_else(|| {
                CertificateError::BadOcspResponse(format!(
                    "the OCSP response has no status for {} (serial {})",
                    leaf_cert.label(),
                    hex(serial)
                ))
            })?;
        basic.judge(single, &leaf_cert.label().to_string(), now)
    }

    /// The basic response of a `successful` response.
    fn successful(&self) -> Result<&BasicResponse, CertificateError> {
        match (&self.basic, self.response_status) {
            (Some(basic), SUCCESSFUL) => Ok(basic),
            (_, status) => Err(CertificateError::BadOcspResponse(format!(
                "the OCSP response has status {}, not successful",
                response_status_name(status)
            ))),
        }
    }
}

impl BasicResponse {
    /// The verdict on `single`, the SingleResponse about `leaf` (its label):
    /// current, then good, revoked or unknown.
    fn judge<'s>(
        &self,
        single: &'s SingleResponse,
        leaf: &str,
        now: SystemTime,
    ) -> Result<&'s SingleResponse, CertificateError> {
        single.check_current(unix_seconds(now), leaf)?;
        match single.status {
            CertStatus::Good => Ok(single),
            CertStatus::Revoked { time, reason } => Err(CertificateError::Revoked(format!(
                "{leaf} was revoked at {}{} (OCSP response from {} produced at {})",
                now_text(time),
                reason.map_or(String::new(), |r| format!(", reason {}", reason_name(r))),
                self.responder_id,
                now_text(self.produced_at)
            ))),
            CertStatus::Unknown => Err(CertificateError::BadOcspResponse(format!(
                "the OCSP response says the status of {leaf} is unknown to its responder ({})",
                self.responder_id
            ))),
        }
    }

    /// The key that must have signed the response: the issuer's when the
    /// ResponderID names the issuer, else a delegated responder's from
    /// `certs` (RFC 6960, Section 4.2.2.2).
    fn signer_spki<'s>(
        &'s self,
        issuer: &Issuer<'s>,
        now: SystemTime,
    ) -> Result<Issuer<'s>, CertificateError> {
        if self.responder_id.matches(issuer.subject, issuer.spki) {
            return Ok(Issuer {
                subject: issuer.subject,
                spki: issuer.spki,
                label: issuer.label.clone(),
            });
        }
        let Some(x509) =
            self.certs
                .iter()
                .find_map(|der| match x509_parser::parse_x509_certificate(der) {
                    Ok(([], x509))
                        if self
                            .responder_id
                            .matches(x509.subject().as_raw(), x509.public_key().raw) =>
                    {
                        Some(x509)
                    }
                    _ => None,
                })
        else {
            return Err(CertificateError::BadOcspResponse(format!(
                "the OCSP response is signed by {}, which is neither {} nor a responder \
                 certificate the response carries",
                self.responder_id, issuer.label
            )));
        };
        let label = format!("the OCSP responder {}", name_text(x509.subject()));
        let unauthorized = |why: String| {
            CertificateError::BadOcspResponse(format!(
                "{label} may not answer for certificates of {}: {why} (RFC 6960, Section 4.2.2.2)",
                issuer.label
            ))
        };
        // RFC 6960, Section 4.2.2.2: "issued directly by the CA that is
        // identified in the request", and signed with the key that signed
        // the certificate in question.
        let alg = signature_algorithm(
            &x509.signature_algorithm,
            &x509.tbs_certificate.signature,
            &label,
            false,
        )?;
        if x509.issuer().as_raw() != issuer.subject
            || x509.signature_value.unused_bits != 0
            || sign::verify_cert_signature(
                alg,
                issuer.spki,
                x509.tbs_certificate.as_ref(),
                &x509.signature_value.data,
                false,
            )
            .is_err()
        {
            return Err(unauthorized(format!(
                "it was not issued by {}",
                issuer.label
            )));
        }
        let eku = x509
            .extended_key_usage()
            .map_err(|e| unauthorized(format!("its extendedKeyUsage does not parse: {e}")))?;
        if !eku.is_some_and(|eku| eku.value.ocsp_signing) {
            return Err(unauthorized(
                "its extendedKeyUsage lacks id-kp-OCSPSigning".into(),
            ));
        }
        check_validity(&label, &x509, unix_seconds(now))
            .map_err(|e| unauthorized(e.to_string()))?;
        Ok(Issuer {
            subject: x509.tbs_certificate.subject.as_raw(),
            spki: x509.tbs_certificate.subject_pki.raw,
            label,
        })
    }
}

impl SingleResponse {
    /// RFC 6960, Sections 3.2 and 4.2.2.1: thisUpdate not in the future,
    /// nextUpdate (or thisUpdate plus [`MAX_AGE_WITHOUT_NEXT_UPDATE`]) not
    /// in the past.
    fn check_current(&self, now: i64, leaf: &str) -> Result<(), CertificateError> {
        let bad = |why: String| {
            CertificateError::BadOcspResponse(format!(
                "the OCSP response for {leaf} {why} (verification time {})",
                now_text(now)
            ))
        };
        if now < self.this_update {
            return Err(bad(format!(
                "is not valid before its thisUpdate, {}",
                now_text(self.this_update)
            )));
        }
        let max_age = i64::try_from(MAX_AGE_WITHOUT_NEXT_UPDATE).unwrap_or(i64::MAX);
        match self.next_update {
            Some(next) if now > next => Err(bad(format!(
                "is out of date: its nextUpdate was {}",
                now_text(next)
            ))),
            None if now > self.this_update.saturating_add(max_age) => Err(bad(format!(
                "has no nextUpdate and its thisUpdate, {}, is more than a day old",
                now_text(self.this_update)
            ))),
            _ => Ok(()),
        }
    }
}

impl CertId {
    /// True if this CertID names the certificate with `serial` issued by the
    /// CA with `issuer_subject` (DER Name) and `issuer_key` (the
    /// subjectPublicKey bits).
    fn names(&self, issuer_subject: &[u8], issuer_key: &[u8], serial: &[u8]) -> bool {
        self.serial == serial
            && ring::digest::digest(self.hash, issuer_subject).as_ref() == self.issuer_name_hash
            && ring::digest::digest(self.hash, issuer_key).as_ref() == self.issuer_key_hash
    }
}

impl ResponderId {
    /// True if this names the certificate with `subject` (DER) and `spki` (DER).
    fn matches(&self, subject: &[u8], spki: &[u8]) -> bool {
        match self {
            ResponderId::ByName(name) => name == subject,
            ResponderId::ByKey(hash) => PublicKey::from_spki(spki).is_ok_and(|key| {
                ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.key).as_ref()
                    == hash.as_slice()
            }),
        }
    }
}

impl fmt::Display for ResponderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponderId::ByName(der) => match X509Name::from_der(der) {
                Ok((_, name)) => write!(f, "{}", name_text(&name)),
                Err(_) => f.write_str("a responder with an unreadable name"),
            },
            ResponderId::ByKey(hash) => write!(f, "the responder with key hash {}", hex(hash)),
        }
    }
}

impl fmt::Display for OcspResponse {
    /// "successful, from CN=R produced at T: serial 0x10: good (this update
    /// T, next update T)", one SingleResponse after another.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(basic) = &self.basic else {
            return f.write_str(response_status_name(self.response_status));
        };
        write!(
            f,
            "successful, from {} produced at {}",
            basic.responder_id,
            now_text(basic.produced_at)
        )?;
        for r in &basic.responses {
            let status = match &r.status {
                CertStatus::Good => "good".to_string(),
                CertStatus::Revoked { time, reason } => format!(
                    "revoked at {}{}",
                    now_text(*time),
                    reason.map_or(String::new(), |r| format!(" ({})", reason_name(r)))
                ),
                CertStatus::Unknown => "unknown".to_string(),
            };
            write!(
                f,
                "; serial {}: {status}, this update {}",
                hex(&r.cert_id.serial),
                now_text(r.this_update)
            )?;
            match r.next_update {
                Some(next) => write!(f, ", next update {}", now_text(next))?,
                None => f.write_str(", no next update")?,
            }
        }
        Ok(())
    }
}

/// Decides what a client makes of `staple` for the chain `path` verified at
/// `now` (see the module docs): `Ok` when the certificate may be used.
///
/// With [`OcspStaple::NotRequested`] nothing is checked. With
/// [`OcspStaple::Missing`], a must-staple end entity is refused. A stapled
/// response is checked against the end entity's issuer on the path (the
/// next certificate, or the trust anchor).
pub fn check_staple(
    path: &VerifiedPath,
    staple: OcspStaple<'_>,
    now: SystemTime,
) -> Result<(), CertificateError> {
    let mut certificates = path.certificates();
    let leaf = certificates.next().ok_or(CertificateError::NoCertificate)?;
    let response = match staple {
        OcspStaple::NotRequested => return Ok(()),
        OcspStaple::Missing => return check_no_staple(&parse(0, leaf)?),
        OcspStaple::Response(response) => response,
    };
    let positions: Vec<usize> = path.positions().collect();
    let issuer_owned;
    let issuer = match certificates.next() {
        Some(der) => {
            let position = positions.get(1).copied().unwrap_or(1);
            issuer_owned = parse(position, der)?;
            Issuer {
                subject: issuer_owned.x509.subject().as_raw(),
                spki: issuer_owned.x509.public_key().raw,
                label: issuer_owned.label().to_string(),
            }
        }
        None => Issuer {
            subject: path.anchor().subject(),
            spki: path.anchor().spki(),
            label: format!("the trusted root {}", path.anchor().name()),
        },
    };
    OcspResponse::parse(response)?
        .check_for(leaf, &issuer, now)
        .map(drop)
}

/// Whether the certificate's TLS feature extension (RFC 7633, Section 4)
/// lists status_request: the certificate promises a stapled OCSP response
/// ("must-staple").
pub fn requires_staple(cert_der: &[u8]) -> Result<bool, CertificateError> {
    must_staple(&parse(0, cert_der)?)
}

/// No staple came for `leaf`: an error if it is a must-staple certificate.
pub(crate) fn check_no_staple(leaf: &Cert<'_>) -> Result<(), CertificateError> {
    match must_staple(leaf)? {
        true => Err(CertificateError::OcspResponseRequired(format!(
            "{} requires a stapled OCSP response (its TLS feature extension lists \
             status_request, RFC 7633), and the server sent none",
            leaf.label()
        ))),
        false => Ok(()),
    }
}

/// [`requires_staple`] of a parsed certificate.
fn must_staple(cert: &Cert<'_>) -> Result<bool, CertificateError> {
    let Some(ext) = cert
        .x509
        .extensions()
        .iter()
        .find(|e| e.oid.as_bytes() == ID_PE_TLSFEATURE)
    else {
        return Ok(false);
    };
    // Features ::= SEQUENCE OF INTEGER
    let malformed = || {
        CertificateError::BadEncoding(format!(
            "{}: its TLS feature extension is not a SEQUENCE OF INTEGER",
            cert.label()
        ))
    };
    let mut features = Der::new(
        Der::new(ext.value)
            .read_all(tag::SEQUENCE)
            .map_err(|()| malformed())?,
    );
    while !features.is_empty() {
        if features.read(tag::INTEGER).map_err(|()| malformed())? == STATUS_REQUEST {
            return Ok(true);
        }
    }
    Ok(false)
}

/// OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT OPTIONAL }
fn read_ocsp_response(der: &[u8]) -> Result<OcspResponse, &'static str> {
    let mut response = Der::new(
        Der::new(der)
            .read_all(tag::SEQUENCE)
            .map_err(|()| "not a DER SEQUENCE")?,
    );
    let response_status = match response.read(tag::ENUMERATED) {
        Ok([status]) => *status,
        _ => return Err("bad responseStatus"),
    };
    let Some(response_bytes) = response
        .read_optional(tag::CONTEXT_0)
        .map_err(|()| "bad responseBytes")?
    else {
        finish(&response, "bytes after responseStatus")?;
        return Ok(OcspResponse {
            response_status,
            basic: None,
        });
    };
    finish(&response, "bytes after responseBytes")?;
    // RFC 6960, Section 4.2.1: "If the value of responseStatus is one of the
    // error conditions, the responseBytes field is not set."
    if response_status != SUCCESSFUL {
        return Err("responseBytes in an unsuccessful response");
    }
    // ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
    let mut bytes = Der::new(
        Der::new(response_bytes)
            .read_all(tag::SEQUENCE)
            .map_err(|()| "bad ResponseBytes")?,
    );
    let response_type = bytes.read(tag::OID).map_err(|()| "bad responseType")?;
    if response_type != ID_PKIX_OCSP_BASIC {
        return Err("responseType is not id-pkix-ocsp-basic");
    }
    let basic = bytes.read(tag::OCTET_STRING).map_err(|()| "bad response")?;
    finish(&bytes, "bytes after the response")?;
    Ok(OcspResponse {
        response_status,
        basic: Some(read_basic_response(basic)?),
    })
}

/// BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData,
/// signatureAlgorithm AlgorithmIdentifier, signature BIT STRING,
/// certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
fn read_basic_response(der: &[u8]) -> Result<BasicResponse, &'static str> {
    let mut basic = Der::new(
        Der::new(der)
            .read_all(tag::SEQUENCE)
            .map_err(|()| "BasicOCSPResponse is not a DER SEQUENCE")?,
    );
    let (tbs_response_data, response_data) = basic
        .read_element(tag::SEQUENCE)
        .map_err(|()| "bad tbsResponseData")?;
    let (signature_algorithm, _) = basic
        .read_element(tag::SEQUENCE)
        .map_err(|()| "bad signatureAlgorithm")?;
    let signature = match basic.read(tag::BIT_STRING) {
        Ok([0, signature @ ..]) => signature,
        _ => return Err("bad signature"),
    };
    let mut certs = Vec::new();
    if let Some(list) = basic
        .read_optional(tag::CONTEXT_0)
        .map_err(|()| "bad certs")?
    {
        let mut list = Der::new(
            Der::new(list)
                .read_all(tag::SEQUENCE)
                .map_err(|()| "bad certs")?,
        );
        while !list.is_empty() {
            let (cert, _) = list
                .read_element(tag::SEQUENCE)
                .map_err(|()| "bad certificate in certs")?;
            certs.push(cert.to_vec());
        }
    }
    finish(&basic, "bytes after certs")?;

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
    // responderID, producedAt, responses SEQUENCE OF SingleResponse,
    // responseExtensions [1] EXPLICIT Extensions OPTIONAL }
    let mut data = Der::new(response_data);
    if let Some(version) = data
        .read_optional(tag::CONTEXT_0)
        .map_err(|()| "bad version")?
    {
        // RFC 6960, Section 4.2.2.3: the version MUST be v1 (0).
        if Der::new(version).read_all(tag::INTEGER) != Ok(&[0][..]) {
            return Err("version is not v1");
        }
    }
    let responder_id = match data.peek_tag() {
        Some(ctx::EXPLICIT_1) => {
            let name = data.read(ctx::EXPLICIT_1).map_err(|()| "bad responderID")?;
            let mut inner = Der::new(name);
            let (name, _) = inner
                .read_element(tag::SEQUENCE)
                .map_err(|()| "bad responderID byName")?;
            finish(&inner, "bytes after responderID byName")?;
            ResponderId::ByName(name.to_vec())
        }
        Some(ctx::EXPLICIT_2) => {
            let key = data.read(ctx::EXPLICIT_2).map_err(|()| "bad responderID")?;
            let hash = Der::new(key)
                .read_all(tag::OCTET_STRING)
                .map_err(|()| "bad responderID byKey")?;
            ResponderId::ByKey(hash.to_vec())
        }
        _ => return Err("bad responderID"),
    };
    let produced_at = read_generalized_time(&mut data).map_err(|()| "bad producedAt")?;
    let mut list = Der::new(data.read(tag::SEQUENCE).map_err(|()| "bad responses")?);
    let mut responses = Vec::new();
    while !list.is_empty() {
        responses.push(read_single_response(&mut list)?);
    }
    check_extensions(&mut data, "responseExtensions")?;
    Ok(BasicResponse {
        tbs_response_data: tbs_response_data.to_vec(),
        signature_algorithm: signature_algorithm.to_vec(),
        signature: signature.to_vec(),
        certs,
        responder_id,
        produced_at,
        responses,
    })
}

/// SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus,
/// thisUpdate GeneralizedTime, nextUpdate [0] EXPLICIT GeneralizedTime
/// OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
fn read_single_response(list: &mut Der<'_>) -> Result<SingleResponse, &'static str> {
    let mut single = Der::new(
        list.read(tag::SEQUENCE)
            .map_err(|()| "bad SingleResponse")?,
    );
    // CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash
    // OCTET STRING, issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
    let mut cert_id = Der::new(single.read(tag::SEQUENCE).map_err(|()| "bad CertID")?);
    let mut hash_algorithm = Der::new(
        cert_id
            .read(tag::SEQUENCE)
            .map_err(|()| "bad CertID hashAlgorithm")?,
    );
    let hash = match hash_algorithm.read(tag::OID) {
        Ok(ID_SHA1) => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        Ok(oid::SHA256) => &ring::digest::SHA256,
        Ok(oid::SHA384) => &ring::digest::SHA384,
        Ok(oid::SHA512) => &ring::digest::SHA512,
        _ => return Err("CertID hashAlgorithm is not SHA-1 or SHA-2"),
    };
    // Parameters NULL or absent (RFC 5754, Section 2).
    if !hash_algorithm.is_empty() && Der::new(hash_algorithm.rest()).read_all(tag::NULL) != Ok(&[])
    {
        return Err("bad CertID hashAlgorithm parameters");
    }
    let issuer_name_hash = cert_id
        .read(tag::OCTET_STRING)
        .map_err(|()| "bad issuerNameHash")?;
    let issuer_key_hash = cert_id
        .read(tag::OCTET_STRING)
        .map_err(|()| "bad issuerKeyHash")?;
    let serial = cert_id
        .read(tag::INTEGER)
        .map_err(|()| "bad serialNumber")?;
    finish(&cert_id, "bytes after serialNumber")?;
    let status = match single.peek_tag() {
        Some(ctx::GOOD) => {
            if single.read(ctx::GOOD) != Ok(&[]) {
                return Err("bad certStatus good");
            }
            CertStatus::Good
        }
        Some(ctx::UNKNOWN) => {
            if single.read(ctx::UNKNOWN) != Ok(&[]) {
                return Err("bad certStatus unknown");
            }
            CertStatus::Unknown
        }
        Some(ctx::REVOKED) => {
            // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
            // revocationReason [0] EXPLICIT CRLReason OPTIONAL }
            let mut info = Der::new(
                single
                    .read(ctx::REVOKED)
                    .map_err(|()| "bad certStatus revoked")?,
            );
            let time = read_generalized_time(&mut info).map_err(|()| "bad revocationTime")?;
            let reason = match info
                .read_optional(tag::CONTEXT_0)
                .map_err(|()| "bad revocationReason")?
            {
                Some(reason) => match Der::new(reason).read_all(tag::ENUMERATED) {
                    Ok([reason]) => Some(*reason),
                    _ => return Err("bad revocationReason"),
                },
                None => None,
            };
            finish(&info, "bytes after revocationReason")?;
            CertStatus::Revoked { time, reason }
        }
        _ => return Err("bad certStatus"),
    };
    let this_update = read_generalized_time(&mut single).map_err(|()| "bad thisUpdate")?;
    let next_update = match single
        .read_optional(tag::CONTEXT_0)
        .map_err(|()| "bad nextUpdate")?
    {
        Some(next) => {
            let mut next = Der::new(next);
            let time = read_generalized_time(&mut next).map_err(|()| "bad nextUpdate")?;
            finish(&next, "bytes after nextUpdate")?;
            Some(time)
        }
        None => None,
    };
    check_extensions(&mut single, "singleExtensions")?;
    Ok(SingleResponse {
        cert_id: CertId {
            hash,
            issuer_name_hash: issuer_name_hash.to_vec(),
            issuer_key_hash: issuer_key_hash.to_vec(),
            serial: serial.to_vec(),
        },
        status,
        this_update,
        next_update,
    })
}

/// The `[1] EXPLICIT Extensions OPTIONAL` that ends a ResponseData
/// (responseExtensions) or a SingleResponse (singleExtensions), which must
/// then be used up. Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (RFC
/// 5280, Section 4.1), each { extnID, critical BOOLEAN DEFAULT FALSE,
/// extnValue }. keyway processes none, so a critical one makes the response
/// unusable (RFC 6960, Section 4.4; the nonce, the usual one, is never
/// critical).
fn check_extensions(der: &mut Der<'_>, what: &'static str) -> Result<(), &'static str> {
    let explicit = der.read_optional(ctx::EXPLICIT_1).map_err(|()| what)?;
    if !der.is_empty() {
        return Err(what);
    }
    let Some(explicit) = explicit else {
        return Ok(());
    };
    let mut list = Der::new(
        Der::new(explicit)
            .read_all(tag::SEQUENCE)
            .map_err(|()| "bad Extensions")?,
    );
    while !list.is_empty() {
        let mut extension = Der::new(list.read(tag::SEQUENCE).map_err(|()| "bad Extension")?);
        extension.read(tag::OID).map_err(|()| "bad extnID")?;
        match extension.read_optional(tag::BOOLEAN) {
            Ok(None) => {}
            // X.690, Section 11.5: DER leaves a DEFAULT value out, so an
            // encoded critical is TRUE (0xff).
            Ok(Some([0xff])) => return Err("a critical extension keyway does not process"),
            _ => return Err("bad Extension critical"),
        }
        extension
            .read(tag::OCTET_STRING)
            .map_err(|()| "bad extnValue")?;
        finish(&extension, "bytes after extnValue")?;
    }
    Ok(())
}

/// Reads a GeneralizedTime (RFC 5280, Section 4.1.2.5.2) as seconds since 1970.
fn read_generalized_time(der: &mut Der<'_>) -> Result<i64, ()> {
    let (element, _) = der.read_element(tag::GENERALIZED_TIME)?;
    match ASN1Time::from_der(element) {
        Ok(([], time)) if time.is_generalizedtime() => Ok(time.timestamp()),
        _ => Err(()),
    }
}

fn finish(der: &Der<'_>, what: &'static str) -> Result<(), &'static str> {
    match der.is_empty() {
        true => Ok(()),
        false => Err(what),
    }
}

/// The name of an OCSPResponseStatus (RFC 6960, Section 4.2.1).
fn response_status_name(status: u8) -> &'static str {
    match status {
        0 => "successful",
        1 => "malformedRequest",
        2 => "internalError",
        3 => "tryLater",
        5 => "sigRequired",
        6 => "unauthorized",
        _ => "an unknown responseStatus",
    }
}

/// The name of a CRLReason (RFC 5280, Section 5.3.1).
fn reason_name(reason: u8) -> String {
    match reason {
        0 => "unspecified".into(),
        1 => "keyCompromise".into(),
        2 => "cACompromise".into(),
        3 => "affiliationChanged".into(),
        4 => "superseded".into(),
        5 => "cessationOfOperation".into(),
        6 => "certificateHold".into(),
        8 => "removeFromCRL".into(),
        9 => "privilegeWithdrawn".into(),
        10 => "aACompromise".into(),
        other => format!("CRLReason {other}"),
    }
}

/// "0x1001": a serial number or hash in hex.
fn hex(bytes: &[u8]) -> String {
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("0x{digits}")
}

#[cfg(test)]
// Tests compute times from fixed values; nothing here comes from a peer.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::pki::{verify_server_chain, RootStore, ServerName, VerifyOptions};

    /// 2030-01-01T00:00:00Z: inside every fixture's validity (testdata/ocsp/make-ocsp.sh).
    fn fixture_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_893_456_000)
    }

    fn file(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/testdata/ocsp/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn cert(name: &str) -> Vec<u8> {
        crate::pki::load_certs_pem(&file(name), name)
            .unwrap()
            .remove(0)
    }

    fn response(name: &str) -> OcspResponse {
        OcspResponse::parse(&file(name)).unwrap()
    }

    /// Checks `der` for certificate `leaf` issued by `issuer` (files) at `at`.
    fn check_der(
        der: &[u8],
        leaf: &str,
        issuer: &str,
        at: SystemTime,
    ) -> Result<CertStatus, CertificateError> {
        let issuer = cert(issuer);
        let parsed = parse(1, &issuer).unwrap();
        let issuer = Issuer {
            subject: parsed.x509.subject().as_raw(),
            spki: parsed.x509.public_key().raw,
            label: parsed.label().to_string(),
        };
        OcspResponse::parse(der)?
            .check_for(&cert(leaf), &issuer, at)
            .map(|single| single.status.clone())
    }

    /// Checks response `name` for certificate `leaf` issued by `issuer`.
    fn check(name: &str, leaf: &str, issuer: &str) -> Result<CertStatus, CertificateError> {
        check_der(&file(name), leaf, issuer, fixture_time())
    }

    fn bad(text: &str) -> Result<CertStatus, CertificateError> {
        Err(CertificateError::BadOcspResponse(text.into()))
    }

    #[test]
    fn good_responses_from_the_issuer_or_its_responder_are_accepted() {
        for name in ["good.der", "good-sha256.der", "good-delegated.der"] {
            assert_eq!(
                check(name, "leaf.pem", "ca.pem"),
                Ok(CertStatus::Good),
                "{name}"
            );
        }
    }

    #[test]
    fn response_statuses_are_named_as_rfc_6960_names_them() {
        let names = [0, 1, 2, 3, 4, 5, 6, 7].map(response_status_name);
        assert_eq!(
            names,
            [
                "successful",
                "malformedRequest",
                "internalError",
                "tryLater",
                "an unknown responseStatus",
                "sigRequired",
                "unauthorized",
                "an unknown responseStatus",
            ]
        );
    }

    #[test]
    fn a_single_response_names_the_certificates_serial() {
        let leaf = cert("leaf.pem");
        let (_, x509) = x509_parser::parse_x509_certificate(&leaf).unwrap();
        assert_eq!(
            response("good.der").responses()[0].serial(),
            x509.raw_serial()
        );
        assert!(!x509.raw_serial().is_empty());
    }

    #[test]
    fn a_revoked_status_names_the_certificate_time_and_reason() {
        let produced_at = response("revoked.der").basic.unwrap().produced_at;
        assert_eq!(
            check("revoked.der", "revoked-leaf.pem", "ca.pem"),
            Err(CertificateError::Revoked(format!(
                "certificate 0 (CN=revoked.ocsp.test) was revoked at 2026-01-01T00:00:00Z, \
                 reason keyCompromise (OCSP response from CN=OCSP Test CA produced at {})",
                now_text(produced_at)
            )))
        );
    }

    #[test]
    fn an_unknown_status_is_refused() {
        assert_eq!(
            check("unknown.der", "stranger.pem", "ca.pem"),
            bad(
                "the OCSP response says the status of certificate 0 (CN=stranger.ocsp.test) \
                 is unknown to its responder (CN=OCSP Test CA)"
            )
        );
    }

    #[test]
    fn a_response_about_another_certificate_is_refused() {
        assert_eq!(
            check("unknown.der", "leaf.pem", "ca.pem"),
            bad(
                "the OCSP response has no status for certificate 0 (CN=ocsp.test) (serial \
                 0x1001) issued by certificate 1 (CN=OCSP Test CA)"
            )
        );
    }

    #[test]
    fn responses_must_be_current() {
        let single = response("short.der").responses()[0].clone();
        let next = single.next_update.unwrap();
        assert_eq!(next - single.this_update, 24 * 60 * 60);
        assert_eq!(
            check("short.der", "leaf.pem", "ca.pem"),
            bad(&format!(
                "the OCSP response for certificate 0 (CN=ocsp.test) is out of date: its \
                 nextUpdate was {} (verification time 2030-01-01T00:00:00Z)",
                now_text(next)
            ))
        );
        // Before thisUpdate (2020-01-01), the response does not count yet.
        let early = UNIX_EPOCH + Duration::from_secs(1_577_836_800);
        assert_eq!(
            check_der(&file("good.der"), "leaf.pem", "ca.pem", early),
            Err(CertificateError::BadOcspResponse(format!(
                "the OCSP response for certificate 0 (CN=ocsp.test) is not valid before its \
                 thisUpdate, {} (verification time 2020-01-01T00:00:00Z)",
                now_text(response("good.der").responses()[0].this_update)
            )))
        );
        // thisUpdate and nextUpdate themselves are inside.
        assert_eq!(single.check_current(single.this_update, "x"), Ok(()));
        assert_eq!(single.check_current(next, "x"), Ok(()));
        assert!(single.check_current(next + 1, "x").is_err());
        assert!(single.check_current(single.this_update - 1, "x").is_err());
        // Without nextUpdate, a day after thisUpdate at most.
        let mut single = single;
        single.next_update = None;
        let t = single.this_update;
        assert_eq!(single.check_current(t + 24 * 60 * 60, "x"), Ok(()));
        assert!(single.check_current(t + 24 * 60 * 60 + 1, "x").is_err());
    }

    #[test]
    fn only_the_issuer_and_responders_it_authorized_may_sign() {
        assert_eq!(
            check("rogue.der", "leaf.pem", "ca.pem"),
            bad(
                "the OCSP responder CN=Rogue Responder may not answer for certificates of \
                 certificate 1 (CN=OCSP Test CA): its extendedKeyUsage lacks id-kp-OCSPSigning \
                 (RFC 6960, Section 4.2.2.2)"
            )
        );
        assert_eq!(
            check("wrong-issuer.der", "leaf.pem", "ca.pem"),
            bad(
                "the OCSP responder CN=Other CA may not answer for certificates of \
                 certificate 1 (CN=OCSP Test CA): it was not issued by certificate 1 \
                 (CN=OCSP Test CA) (RFC 6960, Section 4.2.2.2)"
            )
        );
        // The right response checked against the wrong issuer: the CA
        // certificate it carries is not one the other CA issued.
        assert_eq!(
            check("good.der", "leaf.pem", "other-ca.pem"),
            bad(
                "the OCSP responder CN=OCSP Test CA may not answer for certificates of \
                 certificate 1 (CN=Other CA): it was not issued by certificate 1 (CN=Other CA) \
                 (RFC 6960, Section 4.2.2.2)"
            )
        );
    }

    #[test]
    fn a_tampered_response_does_not_verify() {
        let mut der = file("good-sha256.der");
        let signature = response("good-sha256.der").basic.unwrap().signature;
        let at = der
            .windows(signature.len())
            .position(|w| w == signature)
            .unwrap()
            + 20;
        der[at] ^= 1;
        assert_eq!(
            check_der(&der, "leaf.pem", "ca.pem", fixture_time()),
            bad(
                "the OCSP response's signature does not verify with the key of certificate 1 \
                 (CN=OCSP Test CA)"
            )
        );
    }

    #[test]
    fn unsuccessful_and_malformed_responses_are_refused() {
        assert_eq!(
            check("try-later.der", "leaf.pem", "ca.pem"),
            bad("the OCSP response has status tryLater, not successful")
        );
        let good = file("good.der");
        let padded = [good.as_slice(), &[0]].concat();
        let malformed: [(&[u8], &str); 5] = [
            (&good[..good.len() - 1], "not a DER SEQUENCE"),
            (&padded, "not a DER SEQUENCE"),
            (
                b"\x30\x06\x0a\x01\x03\x05\x01\x00",
                "bytes after responseStatus",
            ),
            (
                b"\x30\x05\x0a\x01\x03\xa0\x00",
                "responseBytes in an unsuccessful response",
            ),
            (b"\x30\x03\x02\x01\x00", "bad responseStatus"),
        ];
        for (der, what) in malformed {
            assert_eq!(
                OcspResponse::parse(der),
                Err(CertificateError::BadOcspResponse(format!(
                    "the OCSP response is malformed: {what}"
                ))),
                "{what}"
            );
        }
    }

    #[test]
    fn must_staple_is_read_from_the_tls_feature_extension() {
        assert_eq!(requires_staple(&cert("leaf.pem")), Ok(true));
        assert_eq!(requires_staple(&cert("revoked-leaf.pem")), Ok(false));
    }

    #[test]
    fn check_staple_uses_the_issuer_on_the_verified_path() {
        let mut roots = RootStore::new();
        roots.add_der(&cert("ca.pem")).unwrap();
        let options = VerifyOptions {
            time: Some(fixture_time()),
            ..VerifyOptions::default()
        };
        let path = |leaf: &str, name: &str| {
            verify_server_chain(
                &Arc::new(roots.clone()),
                &cert(leaf),
                &[],
                &ServerName::try_from(name).unwrap(),
                &options,
            )
            .unwrap()
        };
        let must_staple = path("leaf.pem", "ocsp.test");
        let at = fixture_time();
        let good = file("good.der");
        assert_eq!(
            check_staple(&must_staple, OcspStaple::Response(&good), at),
            Ok(())
        );
        assert_eq!(
            check_staple(&must_staple, OcspStaple::NotRequested, at),
            Ok(())
        );
        assert_eq!(
            check_staple(&must_staple, OcspStaple::Missing, at),
            Err(CertificateError::OcspResponseRequired(
                "certificate 0 (CN=ocsp.test) requires a stapled OCSP response (its TLS \
                 feature extension lists status_request, RFC 7633), and the server sent none"
                    .into()
            ))
        );
        let revoked = path("revoked-leaf.pem", "revoked.ocsp.test");
        assert_eq!(check_staple(&revoked, OcspStaple::Missing, at), Ok(()));
        let err = check_staple(&revoked, OcspStaple::Response(&file("revoked.der")), at);
        assert!(matches!(err, Err(CertificateError::Revoked(_))), "{err:?}");
        // The staple for another certificate is refused, naming the anchor as issuer.
        assert_eq!(
            check_staple(&revoked, OcspStaple::Response(&good), at),
            Err(CertificateError::BadOcspResponse(
                "the OCSP response has no status for certificate 0 (CN=revoked.ocsp.test) \
                 (serial 0x1002) issued by the trusted root CN=OCSP Test CA"
                    .into()
            ))
        );
    }

    #[test]
    fn the_display_summarizes_each_status() {
        let text = response("revoked.der").to_string();
        assert!(
            text.starts_with("successful, from CN=OCSP Test CA produced at "),
            "{text}"
        );
        assert!(
            text.contains(
                "; serial 0x1002: revoked at 2026-01-01T00:00:00Z (keyCompromise), this update "
            ),
            "{text}"
        );
        assert_eq!(response("try-later.der").to_string(), "tryLater");
    }
}
