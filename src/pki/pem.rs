//! Loading certificates and private keys from PEM files.
//!
//! Certbot's `fullchain.pem` and `privkey.pem` load as they are: every
//! CERTIFICATE block is taken in order, other blocks are skipped, and the key
//! may be PKCS#8, PKCS#1 (RSA) or SEC1 (EC). Every error is an
//! [`Error::KeyFile`] naming the file and what is wrong with it.

use std::path::Path;

use x509_parser::error::PEMError;
use x509_parser::pem::Pem;
use zeroize::Zeroizing;

use crate::crypto::sign::{PrivateKeyFormat, SigningKey};
use crate::error::Error;

fn key_file_error(source: &str, reason: impl Into<String>) -> Error {
    Error::KeyFile {
        path: source.to_string(),
        reason: reason.into(),
    }
}

/// Decodes every PEM block of `bytes`, stopping at the first malformed one.
fn pem_blocks(bytes: &[u8], source: &str) -> Result<Vec<Pem>, Error> {
    let mut blocks = Vec::new();
    for (index, block) in Pem::iter_from_buffer(bytes).enumerate() {
        let block = block.map_err(|e| {
            let reason = match e {
                // RFC 1421 encrypted PEM ("Proc-Type: 4,ENCRYPTED" headers) has
                // header lines that are not base64.
                PEMError::Base64DecodeError if bytes.windows(9).any(|w| w == b"ENCRYPTED") => {
                    "the private key is encrypted, which is not supported: decrypt it first \
                     with `openssl pkey -in KEY -out KEY.plain`"
                        .to_string()
                }
                PEMError::Base64DecodeError => {
                    format!("PEM block {} is not valid base64", index.saturating_add(1))
                }
                PEMError::IncompletePEM => {
                    format!("PEM block {} has no END line", index.saturating_add(1))
                }
                PEMError::InvalidHeader => {
                    format!(
                        "PEM block {} has a malformed BEGIN line",
                        index.saturating_add(1)
                    )
                }
                other => format!(
                    "PEM block {} cannot be read: {other}",
                    index.saturating_add(1)
                ),
            };
            key_file_error(source, reason)
        })?;
        blocks.push(block);
    }
    Ok(blocks)
}

/// Explains an input with no usable block: nothing at all, or DER instead of PEM.
fn nothing_found(bytes: &[u8], source: &str, wanted: &str, seen: &[String]) -> Error {
    let reason = if bytes.first() == Some(&0x30) {
        format!("no {wanted} found: the file looks like binary DER, not PEM")
    } else if seen.is_empty() {
        format!("no {wanted} found: the file holds no PEM blocks")
    } else {
        format!("no {wanted} found (the file holds: {})", seen.join(", "))
    };
    key_file_error(source, reason)
}

/// Reads every CERTIFICATE block of `bytes`, in order, as DER; other blocks
/// (keys, parameters) are skipped. `source` names the input in errors.
///
/// Each certificate must parse as X.509, so a broken file is reported when it
/// is loaded rather than by a peer in the middle of a handshake.
pub fn load_certs_pem(bytes: &[u8], source: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut certs = Vec::new();
    let mut seen = Vec::new();
    for block in pem_blocks(bytes, source)? {
        if block.label != "CERTIFICATE" {
            seen.push(block.label);
            continue;
        }
        match x509_parser::parse_x509_certificate(&block.contents) {
            Ok(([], _)) => certs.push(block.contents),
            Ok(_) => {
                return Err(key_file_error(
                    source,
                    format!(
                        "certificate {} has bytes after its end",
                        certs.len().saturating_add(1)
                    ),
                ))
            }
            Err(e) => {
                return Err(key_file_error(
                    source,
                    format!(
                        "certificate {} is not valid X.509: {e}",
                        certs.len().saturating_add(1)
                    ),
                ))
            }
        }
    }
    if certs.is_empty() {
        return Err(nothing_found(bytes, source, "CERTIFICATE block", &seen));
    }
    Ok(certs)
}

/// Reads the certificates of a PEM file (see [`load_certs_pem`]).
pub fn load_certs_pem_file(path: impl AsRef<Path>) -> Result<Vec<Vec<u8>>, Error> {
    let path = path.as_ref();
    let source = path.display().to_string();
    let bytes = read_file(path, &source)?;
    load_certs_pem(&bytes, &source)
}

/// Reads certificate revocation lists for [`VerifyOptions::crls`]: every
/// `X509 CRL` block of a PEM input (what `openssl ca -gencrl` writes), or one
/// DER CRL (what CAs publish at their distribution points). Each must parse
/// as a CRL; `source` names the input in errors.
///
/// [`VerifyOptions::crls`]: super::VerifyOptions::crls
pub fn load_crls(bytes: &[u8], source: &str) -> Result<Vec<Vec<u8>>, Error> {
    use x509_parser::prelude::FromDer;
    use x509_parser::revocation_list::CertificateRevocationList;

    let check = |der: &[u8], n: usize| match CertificateRevocationList::from_der(der) {
        Ok(([], _)) => Ok(()),
        Ok(_) => Err(key_file_error(
            source,
            format!("CRL {n} has bytes after its end"),
        )),
        Err(e) => Err(key_file_error(
            source,
            format!("CRL {n} is not a valid CRL: {e}"),
        )),
    };
    if bytes.first() == Some(&0x30) {
        check(bytes, 1)?;
        return Ok(vec![bytes.to_vec()]);
    }
    let mut crls = Vec::new();
    let mut seen = Vec::new();
    for block in pem_blocks(bytes, source)? {
        if block.label != "X509 CRL" {
            seen.push(block.label);
            continue;
        }
        check(&block.contents, crls.len().saturating_add(1))?;
        crls.push(block.contents);
    }
    if crls.is_empty() {
        return Err(nothing_found(bytes, source, "X509 CRL block", &seen));
    }
    Ok(crls)
}

/// Reads the CRLs of a PEM or DER file (see [`load_crls`]).
pub fn load_crls_file(path: impl AsRef<Path>) -> Result<Vec<Vec<u8>>, Error> {
    let path = path.as_ref();
    let source = path.display().to_string();
    let bytes = read_file(path, &source)?;
    load_crls(&bytes, &source)
}

/// Reads the one private key in `bytes`: a `PRIVATE KEY` (PKCS#8), `RSA
/// PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1) block. Other blocks
/// (certificates, `EC PARAMETERS`) are skipped; encrypted and OpenSSH keys are
/// refused with the command that converts them.
pub fn load_private_key_pem(bytes: &[u8], source: &str) -> Result<SigningKey, Error> {
    let mut key = None;
    let mut seen = Vec::new();
    for block in pem_blocks(bytes, source)? {
        let label = block.label;
        // The decoded key is secret: wipe it once ring has its own copy.
        let der = Zeroizing::new(block.contents);
        let is_key =
            PrivateKeyFormat::from_pem_label(&label).is_some() || label.contains("PRIVATE KEY");
        if !is_key {
            seen.push(label);
            continue;
        }
        if key.is_some() {
            return Err(key_file_error(
                source,
                "more than one private key found; keep exactly one key per file",
            ));
        }
        key = Some(
            SigningKey::from_pem_block(&label, &der).map_err(|why| key_file_error(source, why))?,
        );
    }
    key.ok_or_else(|| {
        nothing_found(
            bytes,
            source,
            "private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)",
            &seen,
        )
    })
}

/// Reads the private key of a PEM file (see [`load_private_key_pem`]).
pub fn load_private_key_pem_file(path: impl AsRef<Path>) -> Result<SigningKey, Error> {
    let path = path.as_ref();
    let source = path.display().to_string();
    let bytes = read_file(path, &source)?;
    load_private_key_pem(&bytes, &source)
}

/// Reads a whole file; the buffer is wiped when dropped since it may hold a key.
pub(crate) fn read_file(path: &Path, source: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| key_file_error(source, format!("cannot read the file: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::KeyAlgorithm;

    fn testdata(name: &str) -> String {
        format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn reason(e: Error) -> (String, String) {
        match e {
            Error::KeyFile { path, reason } => (path, reason),
            other => panic!("expected KeyFile, got {other:?}"),
        }
    }

    fn cert_pem(cn: &str) -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        rcgen::CertificateParams::new(vec![cn.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem()
    }

    /// A CRL issued by a fresh self-signed CA: (PEM, DER).
    fn crl() -> (String, Vec<u8>) {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap())
            .unwrap();
        let crl = rcgen::CertificateRevocationListParams {
            this_update: rcgen::date_time_ymd(2026, 1, 1),
            next_update: rcgen::date_time_ymd(2026, 2, 1),
            crl_number: rcgen::SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: Vec::new(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        }
        .signed_by(&ca)
        .unwrap();
        (crl.pem().unwrap(), crl.der().to_vec())
    }

    /// Every X509 CRL block of a PEM input in order (other blocks skipped),
    /// or one DER CRL; a file is read the same way.
    #[test]
    fn crls_load_from_pem_blocks_or_one_der() {
        let ((pem1, der1), (pem2, der2)) = (crl(), crl());
        assert_eq!(
            load_crls(&der1, "a.crl").unwrap(),
            std::slice::from_ref(&der1)
        );
        let mixed = format!("{pem1}{}{pem2}", cert_pem("a.example"));
        assert_eq!(
            load_crls(mixed.as_bytes(), "crls.pem").unwrap(),
            [der1.clone(), der2]
        );
        let (path, why) = reason(load_crls(cert_pem("a.example").as_bytes(), "c.pem").unwrap_err());
        assert_eq!(path, "c.pem");
        assert!(why.contains("X509 CRL"), "{why}");
        let (_, why) = reason(load_crls(&[0x30, 0x03, 0x02, 0x01, 0x00], "bad.crl").unwrap_err());
        assert!(why.starts_with("CRL 1 is not a valid CRL"), "{why}");

        let file = std::env::temp_dir().join(format!("keyway-crl-{}.pem", std::process::id()));
        std::fs::write(&file, &pem1).unwrap();
        let loaded = load_crls_file(&file);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(loaded.unwrap(), [der1]);
    }

    #[test]
    fn every_key_file_format_loads() {
        for (file, alg) in [
            ("rsa2048.pem", KeyAlgorithm::Rsa),
            ("rsa2048.pkcs1.pem", KeyAlgorithm::Rsa),
            ("p256.sec1.pem", KeyAlgorithm::EcdsaP256),
            ("p384.pem", KeyAlgorithm::EcdsaP384),
            ("ed25519.pem", KeyAlgorithm::Ed25519),
        ] {
            let key = load_private_key_pem_file(testdata(file)).unwrap();
            assert_eq!(key.algorithm(), alg, "{file}");
        }
    }

    #[test]
    fn a_key_next_to_certificates_and_ec_parameters_loads() {
        let key = std::fs::read_to_string(testdata("p256.sec1.pem")).unwrap();
        let params =
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        let text = format!("{params}{}{key}", cert_pem("a.example"));
        let key = load_private_key_pem(text.as_bytes(), "bundle.pem").unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
    }

    #[test]
    fn key_errors_name_the_file_and_the_problem() {
        let (path, why) = reason(load_private_key_pem_file(testdata("rsa1024.pem")).unwrap_err());
        assert!(path.ends_with("testdata/rsa1024.pem"));
        assert_eq!(why, "RSA key is 1024 bits; at least 2048 required");

        let (_, why) =
            reason(load_private_key_pem_file(testdata("p256.encrypted.pem")).unwrap_err());
        assert_eq!(
            why,
            "ENCRYPTED PRIVATE KEY is not supported: decrypt it first with \
             `openssl pkey -in KEY -out KEY.plain`"
        );

        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                      DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let (_, why) = reason(load_private_key_pem(legacy.as_bytes(), "old.pem").unwrap_err());
        assert!(why.starts_with("the private key is encrypted"), "{why}");

        let (path, why) =
            reason(load_private_key_pem(cert_pem("a.example").as_bytes(), "cert.pem").unwrap_err());
        assert_eq!(path, "cert.pem");
        assert_eq!(
            why,
            "no private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block) found \
             (the file holds: CERTIFICATE)"
        );

        let two = std::fs::read_to_string(testdata("p384.pem"))
            .unwrap()
            .repeat(2);
        let (_, why) = reason(load_private_key_pem(two.as_bytes(), "two.pem").unwrap_err());
        assert!(why.starts_with("more than one private key"));

        let bad = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n";
        let (_, why) = reason(load_private_key_pem(bad.as_bytes(), "bad.pem").unwrap_err());
        assert!(why.starts_with("not valid PKCS#8: "), "{why}");

        let (path, why) = reason(load_private_key_pem_file("/nonexistent/key.pem").unwrap_err());
        assert_eq!(path, "/nonexistent/key.pem");
        assert!(why.starts_with("cannot read the file: "), "{why}");
    }

    #[test]
    fn fullchain_certificates_load_in_order() {
        let (a, b) = (cert_pem("a.example"), cert_pem("b.example"));
        let key = std::fs::read_to_string(testdata("p256.pem")).unwrap();
        let text = format!("{a}\n{key}{b}");
        let certs = load_certs_pem(text.as_bytes(), "fullchain.pem").unwrap();
        assert_eq!(certs.len(), 2);
        let names: Vec<String> = certs
            .iter()
            .map(|der| {
                let cert = x509_parser::parse_x509_certificate(der).unwrap().1;
                let san = cert.subject_alternative_name().unwrap().unwrap();
                match &san.value.general_names[0] {
                    x509_parser::extensions::GeneralName::DNSName(name) => name.to_string(),
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        assert_eq!(names, ["a.example", "b.example"]);
    }

    #[test]
    fn certificate_errors_name_the_file_and_the_problem() {
        let key = std::fs::read(testdata("p256.pem")).unwrap();
        let (path, why) = reason(load_certs_pem(&key, "privkey.pem").unwrap_err());
        assert_eq!(path, "privkey.pem");
        assert_eq!(
            why,
            "no CERTIFICATE block found (the file holds: PRIVATE KEY)"
        );

        let (_, why) = reason(load_certs_pem(b"hello", "empty.pem").unwrap_err());
        assert_eq!(
            why,
            "no CERTIFICATE block found: the file holds no PEM blocks"
        );

        let (_, why) = reason(load_certs_pem(&[0x30, 0x82, 1, 0], "cert.der").unwrap_err());
        assert!(why.contains("looks like binary DER"), "{why}");

        let garbage = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        let (_, why) = reason(load_certs_pem(garbage.as_bytes(), "x.pem").unwrap_err());
        assert!(why.starts_with("certificate 1 is not valid X.509"), "{why}");

        let not_b64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let (_, why) = reason(load_certs_pem(not_b64.as_bytes(), "x.pem").unwrap_err());
        assert_eq!(why, "PEM block 1 is not valid base64");

        let open = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n";
        let (_, why) = reason(load_certs_pem(open.as_bytes(), "x.pem").unwrap_err());
        assert_eq!(why, "PEM block 1 has no END line");
    }
}
