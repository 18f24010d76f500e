//! The parameters every test chain starts from, and just enough DER writing
//! to make the extensions and CRLs rcgen will not make (wrong criticality,
//! missing fields). Also used by benches/hostile_chains.rs.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    IsCa, KeyPair, KeyUsagePurpose, SigningKey,
};

/// `params` with the subject CN `cn` alone, valid 2020..2040.
pub fn named(cn: &str, mut params: CertificateParams) -> CertificateParams {
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params
}

/// A CA named `cn`: cA=true, keyCertSign and cRLSign.
pub fn ca_params(cn: &str) -> CertificateParams {
    let mut params = named(cn, CertificateParams::default());
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// A fresh ECDSA P-256 key.
pub fn p256() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

/// A DER value: `tag`, the length of `contents`, `contents`.
pub fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// SEQUENCE of the concatenated `items`.
pub fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

/// A dNSName GeneralName ([2] IMPLICIT IA5String).
pub fn dns(name: &str) -> Vec<u8> {
    tlv(0x82, name.as_bytes())
}

pub const SAN: &[u64] = &[2, 5, 29, 17];
pub const SKI: &[u64] = &[2, 5, 29, 14];
pub const AKI: &[u64] = &[2, 5, 29, 35];
pub const NAME_CONSTRAINTS: &[u64] = &[2, 5, 29, 30];
pub const BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
pub const POLICY_CONSTRAINTS: &[u64] = &[2, 5, 29, 36];
pub const AIA: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];

/// An extension rcgen writes as given, with the criticality asked for.
pub fn extension(oid: &[u64], value: Vec<u8>, critical: bool) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(oid, value);
    ext.set_criticality(critical);
    ext
}

/// A subjectAltName of dNSNames.
pub fn san_value(names: &[&str]) -> Vec<u8> {
    seq(&names.iter().map(|n| dns(n)).collect::<Vec<_>>())
}

/// A keyIdentifier (OCTET STRING) for subjectKeyIdentifier.
pub fn ski_value() -> Vec<u8> {
    tlv(0x04, &[0x5a; 20])
}

/// authorityKeyIdentifier with a keyIdentifier ([0] IMPLICIT).
pub fn aki_value() -> Vec<u8> {
    seq(&[tlv(0x80, &[0x5a; 20])])
}

/// NameConstraints permitting the dNSNames given.
pub fn permitted_dns(names: &[&str]) -> Vec<u8> {
    let subtrees: Vec<Vec<u8>> = names.iter().map(|n| seq(&[dns(n)])).collect();
    seq(&[tlv(0xa0, &subtrees.concat())])
}

/// An authorityInfoAccess with one caIssuers URI.
pub fn aia_value() -> Vec<u8> {
    let ca_issuers = tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02]);
    seq(&[seq(&[ca_issuers, tlv(0x86, b"http://ca.example/ca.der")])])
}

/// policyConstraints with requireExplicitPolicy 0.
pub fn policy_constraints_value() -> Vec<u8> {
    seq(&[tlv(0x80, &[0])])
}

/// A public key rcgen puts in a certificate without ever signing with it:
/// an RSA modulus of any size.
pub struct RawRsaKey(Vec<u8>);

impl RawRsaKey {
    /// An RSA public key whose modulus is exactly `bits` long (odd, top bit
    /// set), exponent 65537.
    pub fn with_modulus_bits(bits: usize) -> Self {
        let len = bits.div_ceil(8);
        let mut modulus = vec![0xa5; len];
        let top = bits - (len - 1) * 8;
        modulus[0] = (1u16 << (top - 1)) as u8 | 1;
        modulus[len - 1] |= 1;
        if modulus[0] & 0x80 != 0 {
            modulus.insert(0, 0);
        }
        RawRsaKey(seq(&[tlv(0x02, &modulus), tlv(0x02, &[1, 0, 1])]))
    }
}

impl rcgen::PublicKeyData for RawRsaKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// One revoked certificate of a CRL: its serial number (the INTEGER's
/// content bytes, as in the certificate), and whether its entry carries a
/// critical extension.
pub struct Revoked {
    pub serial: Vec<u8>,
    pub critical_entry_extension: bool,
}

impl Revoked {
    /// An entry revoking the certificate `cert_der`.
    pub fn certificate(cert_der: &[u8]) -> Self {
        let (_, cert) = x509_parser::parse_x509_certificate(cert_der).unwrap();
        Revoked {
            serial: cert.raw_serial().to_vec(),
            critical_entry_extension: false,
        }
    }
}

/// How a hand-made CRL differs from a well-formed one.
pub struct CrlShape {
    /// "YYMMDDHHMMSSZ" (UTCTime).
    pub this_update: &'static str,
    pub next_update: Option<&'static str>,
    /// None: no crlNumber; Some(true): a critical one.
    pub crl_number_critical: Option<bool>,
    pub revoked: Vec<Revoked>,
}

impl Default for CrlShape {
    fn default() -> Self {
        CrlShape {
            this_update: "260501000000Z",
            next_update: Some("260701000000Z"),
            crl_number_critical: Some(false),
            revoked: Vec::new(),
        }
    }
}

/// A CRL with `shape`, issued under `issuer_name` (a DER Name) and signed
/// with ECDSA P-256/SHA-256 by `key`, whatever its certificate's keyUsage
/// says (rcgen refuses to sign a CRL for an issuer without cRLSign).
pub fn crl(issuer_name: &[u8], key: &impl SigningKey, shape: &CrlShape) -> Vec<u8> {
    let ecdsa_sha256 = seq(&[tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])]);
    let mut tbs = vec![
        tlv(0x02, &[1]),
        ecdsa_sha256.clone(),
        issuer_name.to_vec(),
        tlv(0x17, shape.this_update.as_bytes()),
    ];
    if let Some(next) = shape.next_update {
        tbs.push(tlv(0x17, next.as_bytes()));
    }
    if !shape.revoked.is_empty() {
        let entries: Vec<Vec<u8>> = shape
            .revoked
            .iter()
            .map(|r| {
                let mut entry = vec![tlv(0x02, &r.serial), tlv(0x17, b"260502000000Z")];
                if r.critical_entry_extension {
                    let private = tlv(
                        0x06,
                        &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01],
                    );
                    let ext = seq(&[private, tlv(0x01, &[0xff]), tlv(0x04, &[0x05, 0x00])]);
                    entry.push(seq(&[ext]));
                }
                seq(&entry)
            })
            .collect();
        tbs.push(seq(&entries));
    }
    if let Some(critical) = shape.crl_number_critical {
        let mut ext = vec![tlv(0x06, &[0x55, 0x1d, 0x14])];
        if critical {
            ext.push(tlv(0x01, &[0xff]));
        }
        ext.push(tlv(0x04, &tlv(0x02, &[7])));
        tbs.push(tlv(0xa0, &seq(&[seq(&ext)])));
    }
    let tbs = seq(&tbs);
    let signature = key.sign(&tbs).unwrap();
    let mut bits = vec![0];
    bits.extend_from_slice(&signature);
    seq(&[tbs, ecdsa_sha256, tlv(0x03, &bits)])
}
