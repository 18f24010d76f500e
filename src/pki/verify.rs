//! The default verifiers and the connection-free entry points: a path to a
//! trusted root (see `path.rs`), plus, for servers, the name the client
//! connected to (see `name.rs`).

use std::sync::Arc;
use std::time::SystemTime;

use x509_parser::extensions::GeneralName;

use super::checks::{check_validity, parse, unix_seconds, Cert};
use super::name::{san_matches, SanEntry};
use super::ocsp::{check_no_staple, check_staple, OcspStaple};
use super::path::{verify_path, Purpose, VerifiedPath, VerifyOptions};
use super::signature_cache::SignatureCache;
use super::{ClientCertVerifier, RootStore, ServerCertVerifier, ServerName};
use crate::error::CertificateError;

/// Verifies a server's chain without a connection: a path from `end_entity`
/// through `intermediates` (DER, any order) to one of `roots`, valid at
/// `options.time`, allowed for serverAuth, and valid for `server_name`.
/// Returns the path that was built.
pub fn verify_server_chain(
    roots: &RootStore,
    end_entity: &[u8],
    intermediates: &[Vec<u8>],
    server_name: &ServerName,
    options: &VerifyOptions,
) -> Result<VerifiedPath, CertificateError> {
    let verified = verify_path(
        roots,
        end_entity,
        intermediates,
        Purpose::ServerAuth,
        options,
        options.time.unwrap_or_else(SystemTime::now),
        None,
    )?;
    check_name(&verified.leaf, server_name)?;
    Ok(verified.describe())
}

/// Verifies a server's chain like [`verify_server_chain`] but without the
/// name check: for tools that inspect a chain before knowing the host.
pub fn verify_server_path(
    roots: &RootStore,
    end_entity: &[u8],
    intermediates: &[Vec<u8>],
    options: &VerifyOptions,
) -> Result<VerifiedPath, CertificateError> {
    verify_path(
        roots,
        end_entity,
        intermediates,
        Purpose::ServerAuth,
        options,
        options.time.unwrap_or_else(SystemTime::now),
        None,
    )
    .map(|verified| verified.describe())
}

/// Verifies a client's chain without a connection: like
/// [`verify_server_chain`], for clientAuth and without a name.
pub fn verify_client_chain(
    roots: &RootStore,
    end_entity: &[u8],
    intermediates: &[Vec<u8>],
    options: &VerifyOptions,
) -> Result<VerifiedPath, CertificateError> {
    verify_path(
        roots,
        end_entity,
        intermediates,
        Purpose::ClientAuth,
        options,
        options.time.unwrap_or_else(SystemTime::now),
        None,
    )
    .map(|verified| verified.describe())
}

/// The verifier a client uses by default: a path to one of `roots`, valid
/// now, for the name it connected to; in a handshake, also the stapled OCSP
/// response, if any, and a staple if the certificate requires one
/// ([`super::ocsp::check_staple`]).
#[derive(Debug, Clone)]
pub struct DefaultServerVerifier {
    roots: Arc<RootStore>,
    options: VerifyOptions,
    cache: Arc<SignatureCache>,
}

impl DefaultServerVerifier {
    /// A verifier that trusts `roots`, with [`VerifyOptions::default`]: the
    /// peer's certificate must chain to a root, not be one (pinning a
    /// self-signed peer takes [`VerifyOptions::allow_anchor_as_leaf`] through
    /// [`Self::with_options`]).
    pub fn new(roots: Arc<RootStore>) -> Self {
        Self::with_options(roots, VerifyOptions::default())
    }

    /// A verifier that trusts `roots` and applies `options` (their `time` is
    /// replaced by the handshake's). Its signature cache, of
    /// `options.signature_cache_entries`, is shared by its clones.
    pub fn with_options(roots: Arc<RootStore>, options: VerifyOptions) -> Self {
        let cache = Arc::new(SignatureCache::new(options.signature_cache_entries));
        Self {
            roots,
            options,
            cache,
        }
    }
}

impl ServerCertVerifier for DefaultServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        now: SystemTime,
    ) -> Result<(), CertificateError> {
        let staple = OcspStaple::NotRequested;
        self.verify_server_cert_with_ocsp(end_entity, intermediates, server_name, staple, now)
    }

    fn verify_server_cert_with_ocsp(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        server_name: &ServerName,
        staple: OcspStaple<'_>,
        now: SystemTime,
    ) -> Result<(), CertificateError> {
        let verified = verify_path(
            &self.roots,
            end_entity,
            intermediates,
            Purpose::ServerAuth,
            &self.options,
            now,
            Some(&self.cache),
        )?;
        check_name(&verified.leaf, server_name)?;
        match staple {
            OcspStaple::NotRequested => Ok(()),
            // Checked on the leaf already parsed: most servers staple
            // nothing, and a handshake should not pay for a second parse.
            OcspStaple::Missing => check_no_staple(&verified.leaf),
            // The path's description is made only when a staple is checked.
            staple => check_staple(&verified.describe(), staple, now),
        }
    }
}

/// The verifier a server uses by default for client certificates: a path to
/// one of `roots`, valid now, allowed for client authentication.
#[derive(Debug, Clone)]
pub struct DefaultClientVerifier {
    roots: Arc<RootStore>,
    options: VerifyOptions,
    cache: Arc<SignatureCache>,
    mandatory: bool,
}

impl DefaultClientVerifier {
    /// A verifier that trusts `roots`, with [`VerifyOptions::default`]: the
    /// peer's certificate must chain to a root, not be one (pinning a
    /// self-signed peer takes [`VerifyOptions::allow_anchor_as_leaf`] through
    /// [`Self::with_options`]).
    pub fn new(roots: Arc<RootStore>) -> Self {
        Self::with_options(roots, VerifyOptions::default())
    }

    /// A verifier that trusts `roots` and applies `options` (their `time` is
    /// replaced by the handshake's).
    pub fn with_options(roots: Arc<RootStore>, options: VerifyOptions) -> Self {
        let cache = Arc::new(SignatureCache::new(options.signature_cache_entries));
        Self {
            roots,
            options,
            cache,
            mandatory: true,
        }
    }

    /// Lets a client without a certificate complete the handshake
    /// unauthenticated (its chain, when it sends one, is still checked).
    pub fn allow_unauthenticated(mut self) -> Self {
        self.mandatory = false;
        self
    }
}

impl ClientCertVerifier for DefaultClientVerifier {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[Vec<u8>],
        now: SystemTime,
    ) -> Result<(), CertificateError> {
        verify_path(
            &self.roots,
            end_entity,
            intermediates,
            Purpose::ClientAuth,
            &self.options,
            now,
            Some(&self.cache),
        )
        .map(|_| ())
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.roots.subjects().map(<[u8]>::to_vec).collect()
    }
}

/// The checks a server makes before it serves `chain` (DER, leaf first) with
/// `key` under `name` (a host name or a `*.` wildcard; `None` for the
/// default certificate) at `now`, so that a broken renewal is refused when it
/// is loaded rather than by every client: the chain is not empty, the key
/// belongs to the leaf, every certificate is within its validity, the leaf is
/// valid for the name (a wildcard name needs the same wildcard in the
/// subjectAltName), and an OCSP response, if given, checks out for the leaf
/// against its issuer in the chain ([`super::ocsp`]; without the issuer in
/// the chain, as far as it can: serial number, times and status); a
/// must-staple leaf needs one. The error says what is wrong, naming the certificate.
pub(crate) fn check_served_chain(
    chain: &[Vec<u8>],
    key: &crate::crypto::sign::SigningKey,
    name: Option<&str>,
    ocsp_response: Option<&[u8]>,
    now: SystemTime,
) -> Result<(), String> {
    let (leaf_der, rest) = chain
        .split_first()
        .ok_or_else(|| "the certificate chain is empty".to_string())?;
    super::check_key_matches_certificate(key, leaf_der).map_err(|e| match e {
        crate::Error::Config(why) => why,
        other => other.to_string(),
    })?;
    let at = unix_seconds(now);
    let certs = chain
        .iter()
        .enumerate()
        .map(|(i, der)| parse(i, der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    for cert in &certs {
        check_validity(&cert.label(), &cert.x509, at).map_err(|e| e.to_string())?;
    }
    let leaf = certs.first().ok_or("the certificate chain is empty")?;
    match name {
        Some(wildcard) if wildcard.starts_with("*.") => {
            let entries = san_entries(leaf).map_err(|e| e.to_string())?;
            let listed = entries
                .into_iter()
                .any(|e| matches!(e, SanEntry::Dns(p) if p.eq_ignore_ascii_case(wildcard)));
            if !listed {
                return Err(format!(
                    "{} does not list {wildcard} in its subjectAltName",
                    leaf.label()
                ));
            }
        }
        Some(host) => {
            let server_name = ServerName::try_from(host).map_err(|e| e.to_string())?;
            check_name(leaf, &server_name).map_err(|e| e.to_string())?;
        }
        None => {}
    }
    match ocsp_response {
        Some(response) => {
            let issuer = rest
                .iter()
                .zip(certs.iter().skip(1))
                .find(|(_, c)| c.x509.subject().as_raw() == leaf.x509.issuer().as_raw())
                .map(|(_, c)| super::ocsp::Issuer {
                    subject: c.x509.subject().as_raw(),
                    spki: c.x509.public_key().raw,
                    label: c.label().to_string(),
                });
            let response = super::ocsp::OcspResponse::parse(response).map_err(|e| e.to_string())?;
            match issuer {
                Some(issuer) => response.check_for(leaf_der, &issuer, now),
                None => response.check_without_issuer(leaf_der, now),
            }
            .map_err(|e| e.to_string())?;
        }
        None if super::ocsp::requires_staple(leaf_der).map_err(|e| e.to_string())? => {
            return Err(format!(
                "{} requires a stapled OCSP response (must-staple), and none was given",
                leaf.label()
            ));
        }
        None => {}
    }
    Ok(())
}

/// The DNS and IP names of a certificate's subjectAltName.
fn san_entries<'a>(
    cert: &'a Cert<'_>,
) -> Result<impl Iterator<Item = SanEntry<'a>> + Clone, CertificateError> {
    let san = cert.x509.subject_alternative_name().map_err(|e| {
        CertificateError::BadEncoding(format!("{}: bad subjectAltName: {e}", cert.label()))
    })?;
    Ok(san
        .map(|san| san.value)
        .into_iter()
        .flat_map(|san| san.general_names.iter())
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(SanEntry::Dns(dns)),
            GeneralName::IPAddress(ip) => Some(SanEntry::Ip(ip)),
            _ => None,
        }))
}

/// RFC 6125, Section 6 / RFC 9525, Section 6.3: the name must match a
/// subjectAltName entry of the matching type; the subject CN is never used.
fn check_name(leaf: &Cert<'_>, server_name: &ServerName) -> Result<(), CertificateError> {
    let entries = san_entries(leaf)?;
    if entries
        .clone()
        .any(|entry| san_matches(&entry, server_name))
    {
        return Ok(());
    }
    let listed: Vec<String> = entries.map(|entry| entry.to_string()).collect();
    let valid_for = match listed.is_empty() {
        true => "no name (it has no DNS or IP subjectAltName; the subject CN is not used)".into(),
        false => listed.join(", "),
    };
    Err(CertificateError::NotValidForName(format!(
        "{} is valid for {valid_for}, not for {server_name}",
        leaf.label()
    )))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName,
        DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
    };

    use super::*;
    use crate::codec::SignatureScheme;
    use crate::crypto::Rng;
    use crate::error::{Error, PeerMisbehaved};
    use crate::pki::{check_key_matches_certificate, load_private_key_pem_file, MAX_DEPTH};

    /// 2026-06-01T00:00:00Z: every test certificate is valid 2020..2040 unless
    /// the test says otherwise.
    fn now() -> SystemTime {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(1_780_272_000))
            .unwrap()
    }

    /// 2030-01-01T00:00:00Z: inside the validity of the OpenSSL-made
    /// certificates in testdata/ (made 2026-11-21, valid 100 years).
    fn fixture_time() -> SystemTime {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(1_893_456_000))
            .unwrap()
    }

    fn testdata(name: &str) -> String {
        format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn named(cn: &str, mut params: CertificateParams) -> CertificateParams {
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2040, 1, 1);
        params
    }

    fn ca_params(cn: &str) -> CertificateParams {
        let mut params = named(cn, CertificateParams::default());
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params
    }

    fn leaf_params(cn: &str, names: &[&str]) -> CertificateParams {
        let names = names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        named(cn, CertificateParams::new(names).unwrap())
    }

    fn p256() -> KeyPair {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
    }

    fn rsa2048() -> KeyPair {
        let pem = std::fs::read_to_string(testdata("rsa2048.pem")).unwrap();
        KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap()
    }

    /// Test Root (P-384) -> Test Intermediate (RSA-2048) -> leaf (P-256) for
    /// example.com, *.example.org and 192.0.2.7.
    struct Pki {
        root: CertifiedIssuer<'static, KeyPair>,
        inter: CertifiedIssuer<'static, KeyPair>,
        leaf: Vec<u8>,
    }

    impl Pki {
        fn new() -> Self {
            let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
            let root = CertifiedIssuer::self_signed(ca_params("Test Root"), root_key).unwrap();
            let inter =
                CertifiedIssuer::signed_by(ca_params("Test Intermediate"), rsa2048(), &root)
                    .unwrap();
            let leaf = leaf_params("leaf", &["example.com", "*.example.org", "192.0.2.7"])
                .signed_by(&p256(), &inter)
                .unwrap()
                .der()
                .to_vec();
            Pki { root, inter, leaf }
        }

        fn roots(&self) -> Arc<RootStore> {
            let mut roots = RootStore::new();
            roots.add_der(self.root.der()).unwrap();
            Arc::new(roots)
        }

        fn inter_der(&self) -> Vec<u8> {
            self.inter.der().to_vec()
        }

        /// A leaf issued by the intermediate from `params`.
        fn issue(&self, params: CertificateParams) -> Vec<u8> {
            params
                .signed_by(&p256(), &self.inter)
                .unwrap()
                .der()
                .to_vec()
        }

        fn verify(
            &self,
            leaf: &[u8],
            chain: &[Vec<u8>],
            name: &str,
        ) -> Result<(), CertificateError> {
            DefaultServerVerifier::new(self.roots()).verify_server_cert(
                leaf,
                chain,
                &ServerName::try_from(name).unwrap(),
                now(),
            )
        }
    }

    /// Asserts that `result` failed with the variant `kind` and a message
    /// containing `text`.
    #[track_caller]
    fn assert_fails<T: core::fmt::Debug>(
        result: Result<T, CertificateError>,
        kind: fn(String) -> CertificateError,
        text: &str,
    ) {
        let err = result.unwrap_err();
        assert_eq!(
            core::mem::discriminant(&err),
            core::mem::discriminant(&kind(String::new())),
            "{err:?}"
        );
        assert!(err.to_string().contains(text), "{err:?} lacks {text:?}");
    }

    /// The leaf's last signature byte flipped: a chain that must not verify.
    fn with_bad_signature(leaf: &[u8]) -> Vec<u8> {
        let mut bad = leaf.to_vec();
        *bad.last_mut().unwrap() ^= 1;
        bad
    }

    fn verify_with(
        verifier: &DefaultServerVerifier,
        leaf: &[u8],
        chain: &[Vec<u8>],
        at: SystemTime,
    ) -> Result<(), CertificateError> {
        verifier.verify_server_cert(
            leaf,
            chain,
            &ServerName::try_from("example.com").unwrap(),
            at,
        )
    }

    #[test]
    fn a_repeat_verification_takes_its_signatures_from_the_cache() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let verifier = DefaultServerVerifier::new(pki.roots());
        assert_eq!(verify_with(&verifier, &pki.leaf, &chain, now()), Ok(()));
        // The leaf by the intermediate, the intermediate by the root.
        assert_eq!(verifier.cache.len(), 2);
        assert_eq!(verify_with(&verifier, &pki.leaf, &chain, now()), Ok(()));
        assert_eq!(verifier.cache.len(), 2);

        // The cache is what answers: a bad signature whose fingerprint it
        // holds (planted here; no verification ever stores one) passes the
        // signature check, while the same chain with an empty cache fails.
        let bad = with_bad_signature(&pki.leaf);
        let fresh = DefaultServerVerifier::new(pki.roots());
        assert_fails(
            verify_with(&fresh, &bad, &chain, now()),
            CertificateError::BadSignature,
            "does not verify with the key of certificate 1",
        );
        assert_eq!(fresh.cache.len(), 0, "a failed check is not stored");
        let (_, x509) = x509_parser::parse_x509_certificate(&bad).unwrap();
        let inter = pki.inter_der();
        let (_, issuer) = x509_parser::parse_x509_certificate(&inter).unwrap();
        fresh
            .cache
            .insert(crate::crypto::sign::cert_signature_fingerprint(
                crate::crypto::sign::CertSignatureAlgorithm::RsaPkcs1Sha256,
                issuer.public_key().raw,
                x509.tbs_certificate.as_ref(),
                &x509.signature_value.data,
                false,
            ));
        assert_eq!(verify_with(&fresh, &bad, &chain, now()), Ok(()));
    }

    #[test]
    fn a_cached_signature_vouches_for_nothing_else() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let verifier = DefaultServerVerifier::new(pki.roots());
        assert_eq!(verify_with(&verifier, &pki.leaf, &chain, now()), Ok(()));
        // Another signature over the same bytes by the same key.
        assert_fails(
            verify_with(&verifier, &with_bad_signature(&pki.leaf), &chain, now()),
            CertificateError::BadSignature,
            "does not verify with the key of certificate 1",
        );
        // The same leaf under another issuer key: an intermediate of the
        // same name, certified by the root, with a key that did not sign it.
        let impostor =
            CertifiedIssuer::signed_by(ca_params("Test Intermediate"), p256(), &pki.root)
                .unwrap()
                .der()
                .to_vec();
        assert_fails(
            verify_with(&verifier, &pki.leaf, &[impostor], now()),
            CertificateError::BadSignature,
            "does not verify with the key of certificate 1",
        );
        // Validity, the name and the path constraints are checked every time.
        let later = UNIX_EPOCH
            .checked_add(Duration::from_secs(2_300_000_000))
            .unwrap();
        assert_fails(
            verify_with(&verifier, &pki.leaf, &chain, later),
            CertificateError::Expired,
            "expired at 2040-01-01",
        );
        assert_fails(
            verifier.verify_server_cert(
                &pki.leaf,
                &chain,
                &ServerName::try_from("example.net").unwrap(),
                now(),
            ),
            CertificateError::NotValidForName,
            "not for example.net",
        );
    }

    /// Two ways from a leaf issued by "X": through an X issued by "Y", whose
    /// certificate (issued by an unknown "Z") is sent too, or through an X
    /// issued by the trusted root, `expired` or not. Intermediates in that
    /// order, so the deeper dead end is found first.
    fn two_ways(pki: &Pki, expired: bool) -> (Vec<u8>, Vec<Vec<u8>>) {
        let z = CertifiedIssuer::self_signed(ca_params("Z"), p256()).unwrap();
        let y = CertifiedIssuer::signed_by(ca_params("Y"), p256(), &z).unwrap();
        let key = p256();
        let key_again = || KeyPair::from_pem(&key.serialize_pem()).unwrap();
        let x_by_y = CertifiedIssuer::signed_by(ca_params("X"), key_again(), &y).unwrap();
        let mut params = ca_params("X");
        if expired {
            params.not_after = date_time_ymd(2025, 1, 1);
        }
        let x_by_root = params.signed_by(&key, &pki.root).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &x_by_y)
            .unwrap();
        let chain = vec![
            x_by_y.der().to_vec(),
            y.der().to_vec(),
            x_by_root.der().to_vec(),
        ];
        (leaf.der().to_vec(), chain)
    }

    /// The error reported is the one of the path that got furthest: here
    /// the dead end at Z (three certificates up), not the expired X (one up).
    #[test]
    fn the_furthest_path_gives_the_error() {
        let pki = Pki::new();
        let (leaf, chain) = two_ways(&pki, true);
        assert_fails(
            pki.verify(&leaf, &chain, "example.com"),
            CertificateError::UnknownIssuer,
            "the issuer of certificate 2 (CN=Z) is neither in the root store nor sent",
        );
    }

    /// A signature budget that runs out at a trust anchor ends the search
    /// there, even when an earlier path got further.
    #[test]
    fn a_budget_exhausted_at_an_anchor_ends_the_search() {
        let pki = Pki::new();
        let (leaf, chain) = two_ways(&pki, false);
        let verify = |max_signature_checks| {
            let options = VerifyOptions {
                max_signature_checks,
                ..VerifyOptions::default()
            };
            let verifier = DefaultServerVerifier::with_options(pki.roots(), options);
            verify_with(&verifier, &leaf, &chain, now())
        };
        // leaf by X (via Y), X by Y, leaf by X (via the root): one unit
        // each; X by the (P-384) root: twelve.
        assert_eq!(verify(15), Ok(()));
        assert_fails(
            verify(14),
            CertificateError::TooMuchWork,
            "after 14 signature checks",
        );
    }

    /// A signature met on two paths is verified once per verification: two
    /// copies of X (same name and key, both issued by A) lead to A, issued
    /// by B, whose issuer C is unknown. Five checks find that dead end both
    /// ways (A by B is verified once); a sixth would be needed without the
    /// memory. The cross-verification cache is off, so it cannot stand in.
    #[test]
    fn a_signature_met_on_two_paths_is_verified_once() {
        let pki = Pki::new();
        let c = CertifiedIssuer::self_signed(ca_params("C"), p256()).unwrap();
        let b = CertifiedIssuer::signed_by(ca_params("B"), p256(), &c).unwrap();
        let a = CertifiedIssuer::signed_by(ca_params("A"), p256(), &b).unwrap();
        let key = p256();
        let key_again = || KeyPair::from_pem(&key.serialize_pem()).unwrap();
        let x1 = CertifiedIssuer::signed_by(ca_params("X"), key_again(), &a).unwrap();
        let x2 = ca_params("X").signed_by(&key, &a).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &x1)
            .unwrap();
        let chain = [x1.der(), x2.der(), a.der(), b.der()].map(|d| d.to_vec());
        let verify = |max_signature_checks| {
            let options = VerifyOptions {
                max_signature_checks,
                signature_cache_entries: 0,
                ..VerifyOptions::default()
            };
            let verifier = DefaultServerVerifier::with_options(pki.roots(), options);
            verify_with(&verifier, leaf.der(), &chain, now())
        };
        assert_fails(verify(5), CertificateError::UnknownIssuer, "(CN=C)");
        assert_fails(
            verify(4),
            CertificateError::TooMuchWork,
            "after 4 signature checks",
        );
    }

    /// With no CRLs at all, the policy alone decides: allowed, the chain
    /// verifies; denied, the leaf's unknown status refuses it.
    #[test]
    fn without_crls_an_unknown_status_follows_the_policy() {
        let pki = Pki::new();
        let verify = |policy| {
            let options = VerifyOptions {
                unknown_revocation_status: policy,
                ..VerifyOptions::default()
            };
            let verifier = DefaultServerVerifier::with_options(pki.roots(), options);
            verify_with(&verifier, &pki.leaf, &[pki.inter_der()], now())
        };
        assert_eq!(verify(crate::pki::UnknownStatusPolicy::Allow), Ok(()));
        assert_fails(
            verify(crate::pki::UnknownStatusPolicy::Deny),
            CertificateError::RevocationStatusUnknown,
            "the revocation status of certificate 0 (CN=leaf) is unknown",
        );
    }

    #[test]
    fn a_verifier_with_no_cache_entries_keeps_none() {
        let pki = Pki::new();
        let options = VerifyOptions {
            signature_cache_entries: 0,
            ..VerifyOptions::default()
        };
        let verifier = DefaultServerVerifier::with_options(pki.roots(), options);
        assert_eq!(
            verify_with(&verifier, &pki.leaf, &[pki.inter_der()], now()),
            Ok(())
        );
        assert_eq!(verifier.cache.len(), 0);
    }

    #[test]
    fn the_leaf_key_reader_agrees_with_the_full_parse() {
        use super::super::checks::{check_key_use, parse, LeafKey};
        use crate::pki::LeafKeyUsage as W;
        let pki = Pki::new();
        let usages = [
            vec![],
            vec![KeyUsagePurpose::DigitalSignature],
            vec![KeyUsagePurpose::KeyEncipherment],
            vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            vec![KeyUsagePurpose::KeyAgreement],
        ];
        let wanted = [
            W::DigitalSignature,
            W::KeyEncipherment,
            W::DigitalSignatureOrKeyEncipherment,
            W::Ignore,
        ];
        for usage in usages {
            let mut params = leaf_params("leaf", &["example.com"]);
            params.key_usages = usage.clone();
            let der = pki.issue(params);
            let full = parse(0, &der).unwrap();
            let leaf = LeafKey::read(&der).unwrap();
            assert_eq!(leaf.spki, full.x509.public_key().raw);
            for want in wanted {
                let expected = match (usage.as_slice(), want) {
                    ([], _) | (_, W::Ignore) => true,
                    (u, W::DigitalSignature) => u.contains(&KeyUsagePurpose::DigitalSignature),
                    (u, W::KeyEncipherment) => u.contains(&KeyUsagePurpose::KeyEncipherment),
                    (u, W::DigitalSignatureOrKeyEncipherment) => {
                        u.contains(&KeyUsagePurpose::DigitalSignature)
                            || u.contains(&KeyUsagePurpose::KeyEncipherment)
                    }
                };
                assert_eq!(leaf.allows(want), expected, "{usage:?} {want:?}");
                assert_eq!(
                    check_key_use(&der, want).is_ok(),
                    expected,
                    "{usage:?} {want:?}"
                );
            }
        }
        assert!(LeafKey::read(b"not a certificate").is_none());
        assert!(LeafKey::read(&pki.leaf[..pki.leaf.len() - 1]).is_none());
    }

    #[test]
    fn a_good_chain_verifies_for_each_of_its_names() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        for name in ["example.com", "EXAMPLE.com", "a.example.org", "192.0.2.7"] {
            assert_eq!(pki.verify(&pki.leaf, &chain, name), Ok(()), "{name}");
        }
    }

    #[test]
    fn a_wrong_name_is_refused_listing_the_valid_ones() {
        let pki = Pki::new();
        let err = pki
            .verify(&pki.leaf, &[pki.inter_der()], "c.example")
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::NotValidForName(
                "certificate 0 (CN=leaf) is valid for example.com, *.example.org, 192.0.2.7, \
                 not for c.example"
                    .into()
            )
        );
    }

    #[test]
    fn wildcards_cover_one_label_only() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        assert_eq!(pki.verify(&pki.leaf, &chain, "b.example.org"), Ok(()));
        for name in ["example.org", "a.b.example.org", "www.example.com"] {
            let refused = pki.verify(&pki.leaf, &chain, name);
            assert_fails(refused, CertificateError::NotValidForName, name);
        }
    }

    #[test]
    fn ip_addresses_match_ip_entries_only() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let wrong_ip = pki.verify(&pki.leaf, &chain, "192.0.2.8");
        assert_fails(
            wrong_ip,
            CertificateError::NotValidForName,
            "not for 192.0.2.8",
        );
        // A dNSName that spells an address does not cover that address.
        let mut params = leaf_params("dns-ip", &[]);
        params.subject_alt_names = vec![SanType::DnsName("192.0.2.9".try_into().unwrap())];
        let leaf = pki.issue(params);
        let spelled = pki.verify(&leaf, &chain, "192.0.2.9");
        assert_eq!(
            spelled,
            Err(CertificateError::NotValidForName(
                "certificate 0 (CN=dns-ip) is valid for 192.0.2.9, not for 192.0.2.9".into()
            ))
        );
        // And an iPAddress entry covers its address, never a DNS name.
        let leaf = pki.issue(leaf_params("ip-only", &["192.0.2.10"]));
        assert_eq!(pki.verify(&leaf, &chain, "192.0.2.10"), Ok(()));
        let dns = pki.verify(&leaf, &chain, "example.com");
        assert_fails(
            dns,
            CertificateError::NotValidForName,
            "valid for 192.0.2.10,",
        );
    }

    #[test]
    fn the_subject_cn_is_not_a_name() {
        let pki = Pki::new();
        let leaf = pki.issue(leaf_params("cn-only.example", &[]));
        // The CA/Browser Forum profile refuses such a certificate outright...
        assert_fails(
            pki.verify(&leaf, &[pki.inter_der()], "cn-only.example"),
            CertificateError::BadEncoding,
            "certificate 0 (CN=cn-only.example): the host name \"cn-only.example\" in its \
             subject CN is not a character-for-character copy of a subjectAltName dNSName \
             (its dNSNames: none)",
        );
        // ...and without it, the CN still names nothing.
        let private = VerifyOptions {
            time: Some(now()),
            baseline_requirements: false,
            ..VerifyOptions::default()
        };
        let name = ServerName::try_from("cn-only.example").unwrap();
        let err = verify_server_chain(&pki.roots(), &leaf, &[pki.inter_der()], &name, &private)
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::NotValidForName(
                "certificate 0 (CN=cn-only.example) is valid for no name (it has no DNS or IP \
                 subjectAltName; the subject CN is not used), not for cn-only.example"
                    .into()
            )
        );
    }

    #[test]
    fn validity_periods_are_enforced() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let mut params = leaf_params("old", &["example.com"]);
        params.not_after = date_time_ymd(2026, 1, 1);
        let err = pki
            .verify(&pki.issue(params), &chain, "example.com")
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::Expired(
                "certificate 0 (CN=old) expired at 2026-01-01T00:00:00Z \
                 (verification time 2026-06-01T00:00:00Z)"
                    .into()
            )
        );
        let mut params = leaf_params("new", &["example.com"]);
        params.not_before = date_time_ymd(2027, 3, 4);
        assert_fails(
            pki.verify(&pki.issue(params), &chain, "example.com"),
            CertificateError::NotYetValid,
            "not valid before 2027-03-04T00:00:00Z",
        );
        // An expired intermediate breaks the path too.
        let mut params = ca_params("Test Intermediate");
        params.not_after = date_time_ymd(2025, 12, 31);
        let old_inter = CertifiedIssuer::signed_by(params, rsa2048(), &pki.root).unwrap();
        assert_fails(
            pki.verify(&pki.leaf, &[old_inter.der().to_vec()], "example.com"),
            CertificateError::Expired,
            "certificate 1 (CN=Test Intermediate) expired",
        );
    }

    /// RFC 5280, Section 4.1.2.5: both ends of the validity period are
    /// inside it; one second beyond either is not.
    #[test]
    fn validity_includes_its_first_and_last_second() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        let verifier = DefaultServerVerifier::new(pki.roots());
        let second = Duration::from_secs(1);
        let mut params = leaf_params("starts now", &["example.com"]);
        params.not_before = date_time_ymd(2026, 6, 1);
        let starts = pki.issue(params);
        assert_eq!(verify_with(&verifier, &starts, &chain, now()), Ok(()));
        assert_fails(
            verify_with(&verifier, &starts, &chain, now() - second),
            CertificateError::NotYetValid,
            "not valid before 2026-06-01T00:00:00Z",
        );
        let mut params = leaf_params("ends now", &["example.com"]);
        params.not_after = date_time_ymd(2026, 6, 1);
        let ends = pki.issue(params);
        assert_eq!(verify_with(&verifier, &ends, &chain, now()), Ok(()));
        assert_fails(
            verify_with(&verifier, &ends, &chain, now() + second),
            CertificateError::Expired,
            "expired at 2026-06-01T00:00:00Z",
        );
    }

    /// An extension keyway processes must parse even when it is not
    /// critical: a keyUsage it cannot read is refused, not ignored.
    #[test]
    fn a_processed_extension_that_does_not_parse_is_refused_even_if_not_critical() {
        let pki = Pki::new();
        let mut params = leaf_params("bad key usage", &["example.com"]);
        // keyUsage (2.5.29.15) holding an empty OCTET STRING, not a BIT STRING.
        let key_usage = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 15], vec![0x04, 0x00]);
        assert!(!key_usage.criticality());
        params.custom_extensions = vec![key_usage];
        assert_fails(
            pki.verify(&pki.issue(params), &[pki.inter_der()], "example.com"),
            CertificateError::BadEncoding,
            "certificate 0 (CN=bad key usage): extension 2.5.29.15 does not parse",
        );
    }

    /// Verifies against a store holding only an unrelated root.
    fn verify_with_stranger_root(leaf: &[u8], chain: &[Vec<u8>]) -> Result<(), CertificateError> {
        let mut roots = RootStore::new();
        let stranger = CertifiedIssuer::self_signed(ca_params("Stranger Root"), p256()).unwrap();
        roots.add_der(stranger.der()).unwrap();
        let name = ServerName::try_from("example.com").unwrap();
        DefaultServerVerifier::new(Arc::new(roots)).verify_server_cert(leaf, chain, &name, now())
    }

    #[test]
    fn an_unknown_root_is_refused() {
        let pki = Pki::new();
        let chain = [pki.inter_der()];
        // Same names as the trusted root, different key: the signature tells them apart.
        let other = Pki::new();
        assert_fails(
            other.verify(&pki.leaf, &chain, "example.com"),
            CertificateError::BadSignature,
            "does not verify with the key of the trusted root CN=Test Root",
        );

        assert_eq!(
            verify_with_stranger_root(&pki.leaf, &chain),
            Err(CertificateError::UnknownIssuer(
                "no path to a trusted root: the issuer of certificate 1 (CN=Test Root) is neither \
                 in the root store nor sent by the peer"
                    .into()
            ))
        );
    }

    #[test]
    fn a_missing_intermediate_is_named() {
        let pki = Pki::new();
        let err = pki.verify(&pki.leaf, &[], "example.com").unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownIssuer(
                "no path to a trusted root: the issuer of certificate 0 (CN=Test Intermediate) is \
                 neither in the root store nor sent by the peer"
                    .into()
            )
        );
    }

    #[test]
    fn a_self_signed_peer_root_is_named() {
        let pki = Pki::new();
        let chain = [pki.inter_der(), pki.root.der().to_vec()];
        assert_eq!(
            verify_with_stranger_root(&pki.leaf, &chain),
            Err(CertificateError::UnknownIssuer(
                "no path to a trusted root: certificate 2 (CN=Test Root) is self-signed and not \
                 in the root store"
                    .into()
            ))
        );
    }

    #[test]
    fn shuffled_intermediates_with_strays_still_verify() {
        let pki = Pki::new();
        let stray = CertifiedIssuer::self_signed(ca_params("Unrelated CA"), p256()).unwrap();
        // Same subject as the real intermediate, different key: a candidate that fails.
        let impostor =
            CertifiedIssuer::signed_by(ca_params("Test Intermediate"), p256(), &stray).unwrap();
        let chain = [
            stray.der().to_vec(),
            pki.root.der().to_vec(),
            impostor.der().to_vec(),
            pki.inter_der(),
        ];
        assert_eq!(pki.verify(&pki.leaf, &chain, "example.com"), Ok(()));
        // Only the impostor: the failing signature is the reason given.
        assert_fails(
            pki.verify(&pki.leaf, &[impostor.der().to_vec()], "example.com"),
            CertificateError::BadSignature,
            "the signature on certificate 0 (CN=leaf) does not verify with the key of \
             certificate 1 (CN=Test Intermediate)",
        );
    }

    #[test]
    fn a_leaf_signed_by_a_non_ca_is_refused() {
        let pki = Pki::new();
        let not_ca = CertifiedIssuer::signed_by(
            named(
                "Not A CA",
                CertificateParams::new(vec!["notca.example".into()]).unwrap(),
            ),
            p256(),
            &pki.inter,
        )
        .unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &not_ca)
            .unwrap();
        let err = pki
            .verify(
                leaf.der(),
                &[not_ca.der().to_vec(), pki.inter_der()],
                "example.com",
            )
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::InvalidPurpose(
                "certificate 1 (CN=Not A CA) is not a CA (no basicConstraints cA=true) but \
                 issued certificate 0 (CN=leaf)"
                    .into()
            )
        );
    }

    #[test]
    fn a_ca_certificate_cannot_be_the_leaf() {
        let pki = Pki::new();
        let mut params = ca_params("CA leaf");
        params.subject_alt_names = vec![SanType::DnsName("example.com".try_into().unwrap())];
        assert_eq!(
            pki.verify(&pki.issue(params), &[pki.inter_der()], "example.com"),
            Err(CertificateError::InvalidPurpose(
                "certificate 0 (CN=CA leaf) is a CA certificate (basicConstraints cA=true) and \
                 cannot identify a peer"
                    .into()
            ))
        );
    }

    #[test]
    fn path_length_and_key_usage_constraints_hold() {
        let pki = Pki::new();
        let mut params = ca_params("Sub CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let sub = CertifiedIssuer::signed_by(params, p256(), &pki.inter).unwrap();
        let sub2 = CertifiedIssuer::signed_by(ca_params("Sub Sub CA"), p256(), &sub).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &sub2)
            .unwrap();
        let chain = [sub2.der().to_vec(), sub.der().to_vec(), pki.inter_der()];
        assert_eq!(
            pki.verify(leaf.der(), &chain, "example.com"),
            Err(CertificateError::InvalidPurpose(
                "certificate 2 (CN=Sub CA) allows 0 intermediate certificates below it \
                 (pathLenConstraint) but the path has 1 (self-issued ones not counted)"
                    .into()
            ))
        );

        let mut params = ca_params("No Cert Sign");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let weak = CertifiedIssuer::signed_by(params, p256(), &pki.inter).unwrap();
        let leaf = leaf_params("leaf", &["example.com"])
            .signed_by(&p256(), &weak)
            .unwrap();
        assert_fails(
            pki.verify(
                leaf.der(),
                &[weak.der().to_vec(), pki.inter_der()],
                "example.com",
            ),
            CertificateError::InvalidPurpose,
            "keyCertSign",
        );
    }

    #[test]
    fn extended_key_usage_decides_server_or_client() {
        let pki = Pki::new();
        let mut params = leaf_params("client", &["example.com"]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_leaf = pki.issue(params);
        let chain = [pki.inter_der()];
        assert_fails(
            pki.verify(&client_leaf, &chain, "example.com"),
            CertificateError::InvalidPurpose,
            "serverAuth",
        );
        let client = DefaultClientVerifier::new(pki.roots());
        assert_eq!(
            client.verify_client_cert(&client_leaf, &chain, now()),
            Ok(())
        );
        let (_, root) = x509_parser::parse_x509_certificate(pki.root.der()).unwrap();
        assert_eq!(client.root_hint_subjects(), [root.subject().as_raw()]);

        let mut params = leaf_params("server", &["example.com"]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_leaf = pki.issue(params);
        assert_eq!(pki.verify(&server_leaf, &chain, "example.com"), Ok(()));
        let refused = client.verify_client_cert(&server_leaf, &chain, now());
        assert_fails(refused, CertificateError::InvalidPurpose, "clientAuth");
    }

    #[test]
    fn tampered_and_garbage_certificates_are_refused() {
        let pki = Pki::new();
        let mut leaf = pki.leaf.clone();
        let last = leaf.len() - 1;
        leaf[last] ^= 1;
        let tampered = pki.verify(&leaf, &[pki.inter_der()], "example.com");
        assert_fails(
            tampered,
            CertificateError::BadSignature,
            "certificate 0 (CN=leaf)",
        );

        assert_fails(
            pki.verify(b"\x30\x03\x02\x01\x00", &[], "example.com"),
            CertificateError::BadEncoding,
            "certificate 0 is not valid X.509",
        );
        assert_fails(
            pki.verify(&pki.leaf, &[pki.inter_der(), vec![0x30]], "example.com"),
            CertificateError::BadEncoding,
            "certificate 2 ",
        );
        // Truncations of a real chain never panic.
        for cut in (0..pki.leaf.len()).step_by(7) {
            let _ = pki.verify(&pki.leaf[..cut], &[pki.inter_der()], "example.com");
        }
    }

    /// A leaf under `extra` more CAs below the intermediate, and the chain
    /// the peer would send (leaf's issuer first).
    fn deep_chain(pki: &Pki, extra: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut chain = vec![pki.inter_der()];
        let mut issuer: Option<CertifiedIssuer<'static, KeyPair>> = None;
        for i in 1..=extra {
            let params = ca_params(&format!("CA {i}"));
            let next = match &issuer {
                None => CertifiedIssuer::signed_by(params, p256(), &pki.inter),
                Some(parent) => CertifiedIssuer::signed_by(params, p256(), parent),
            }
            .unwrap();
            chain.push(next.der().to_vec());
            issuer = Some(next);
        }
        let leaf = leaf_params("deep", &["example.com"]);
        let leaf = match &issuer {
            None => leaf.signed_by(&p256(), &pki.inter),
            Some(parent) => leaf.signed_by(&p256(), parent),
        }
        .unwrap();
        chain.reverse();
        (leaf.der().to_vec(), chain)
    }

    #[test]
    fn paths_longer_than_the_limit_are_refused() {
        let pki = Pki::new();
        // Test Intermediate + 8 more = 9 intermediates (the default depth,
        // counted as `openssl verify -verify_depth`): allowed.
        let (leaf, chain) = deep_chain(&pki, MAX_DEPTH - 1);
        assert_eq!(pki.verify(&leaf, &chain, "example.com"), Ok(()));
        // One more is refused.
        let (leaf, chain) = deep_chain(&pki, MAX_DEPTH);
        let err = pki.verify(&leaf, &chain, "example.com").unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownIssuer(
                "no path to a trusted root within 9 intermediate certificates \
                 (VerifyOptions::max_depth, counted as `openssl verify -verify_depth` counts \
                 them)"
                    .into()
            )
        );
    }

    #[test]
    fn name_constraints_bind_the_names_below() {
        let pki = Pki::new();
        let mut params = ca_params("Constrained CA");
        params.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example.com".into())],
            excluded_subtrees: vec![],
        });
        let constrained = CertifiedIssuer::signed_by(params, p256(), &pki.inter).unwrap();
        let chain = [constrained.der().to_vec(), pki.inter_der()];
        let inside = leaf_params("leaf", &["www.example.com"])
            .signed_by(&p256(), &constrained)
            .unwrap();
        assert_eq!(pki.verify(inside.der(), &chain, "www.example.com"), Ok(()));
        let outside = leaf_params("leaf", &["example.com", "evil.test"])
            .signed_by(&p256(), &constrained)
            .unwrap();
        assert_eq!(
            pki.verify(outside.der(), &chain, "example.com"),
            Err(CertificateError::NameConstraintViolation(
                "certificate 0 (CN=leaf) has the name evil.test (dNSName), which is outside \
                 the names certificate 1 (CN=Constrained CA) permits (dNSName example.com)"
                    .into()
            ))
        );
    }

    #[test]
    fn ed25519_chains_verify() {
        let root_key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let root = CertifiedIssuer::self_signed(ca_params("Ed Root"), root_key).unwrap();
        let leaf = leaf_params("ed", &["ed.example"])
            .signed_by(&KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(), &root)
            .unwrap();
        let mut roots = RootStore::new();
        roots.add_der(root.der()).unwrap();
        let verifier = DefaultServerVerifier::new(Arc::new(roots));
        let name = ServerName::try_from("ed.example").unwrap();
        assert_eq!(
            verifier.verify_server_cert(leaf.der(), &[], &name, now()),
            Ok(())
        );
    }

    #[test]
    fn rsassa_pss_signed_certificates_verify() {
        // Made by OpenSSL (testdata/make-keys.sh): rcgen cannot sign with PSS.
        let roots = RootStore::from_pem_file(testdata("pss-root.pem")).unwrap();
        let leaf = crate::pki::load_certs_pem_file(testdata("pss-leaf.pem")).unwrap();
        let verifier = DefaultServerVerifier::new(Arc::new(roots));
        let name = ServerName::try_from("pss.test").unwrap();
        assert_eq!(
            verifier.verify_server_cert(&leaf[0], &[], &name, fixture_time()),
            Ok(())
        );
    }

    #[test]
    fn certificate_verify_signatures_follow_tls13_rules() {
        let pki = Pki::new();
        let verifier = DefaultServerVerifier::new(pki.roots());
        let mut rng = Rng::default();

        let ec_key = load_private_key_pem_file(testdata("p256.pem")).unwrap();
        let ec_rcgen =
            KeyPair::from_pem(&std::fs::read_to_string(testdata("p256.pem")).unwrap()).unwrap();
        let ec_leaf = leaf_params("ec", &["example.com"])
            .signed_by(&ec_rcgen, &pki.inter)
            .unwrap()
            .der()
            .to_vec();
        check_key_matches_certificate(&ec_key, &ec_leaf).unwrap();
        let scheme = SignatureScheme::ECDSA_SECP256R1_SHA256;
        let sig = ec_key.sign(scheme, b"transcript", &mut rng).unwrap();
        assert_eq!(
            verifier.verify_tls13_signature(b"transcript", &ec_leaf, scheme, &sig),
            Ok(())
        );
        assert_eq!(
            verifier.verify_tls13_signature(b"transcripT", &ec_leaf, scheme, &sig),
            Err(Error::PeerMisbehaved(PeerMisbehaved::BadSignature))
        );
        let err = verifier
            .verify_tls13_signature(
                b"transcript",
                &ec_leaf,
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                &sig,
            )
            .unwrap_err();
        assert_eq!(
            err,
            Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
                "CertificateVerify signature scheme does not match the certificate's key"
            ))
        );

        let rsa_key = load_private_key_pem_file(testdata("rsa2048.pem")).unwrap();
        let rsa_leaf = leaf_params("rsa", &["example.com"])
            .signed_by(&rsa2048(), &pki.inter)
            .unwrap()
            .der()
            .to_vec();
        check_key_matches_certificate(&rsa_key, &rsa_leaf).unwrap();
        let mismatch = check_key_matches_certificate(&rsa_key, &ec_leaf)
            .unwrap_err()
            .to_string();
        assert!(
            mismatch.contains("does not belong to the certificate for CN=ec (ECDSA P-256 key)"),
            "{mismatch}"
        );
        for &scheme in rsa_key.schemes() {
            let sig = rsa_key.sign(scheme, b"transcript", &mut rng).unwrap();
            assert_eq!(
                verifier.verify_tls13_signature(b"transcript", &rsa_leaf, scheme, &sig),
                Ok(())
            );
        }
        // RFC 8446, Section 4.4.3: PKCS#1 v1.5 is for TLS 1.2 only.
        let pkcs1 = SignatureScheme::RSA_PKCS1_SHA256;
        let sig = rsa_key.sign(pkcs1, b"params", &mut rng).unwrap();
        let err = verifier
            .verify_tls13_signature(b"params", &rsa_leaf, pkcs1, &sig)
            .unwrap_err();
        assert_eq!(
            err.alert(),
            Some(crate::codec::AlertDescription::ILLEGAL_PARAMETER)
        );
        assert_eq!(
            verifier.verify_tls12_signature(b"params", &rsa_leaf, pkcs1, &sig),
            Ok(())
        );
        let err = verifier
            .verify_tls12_signature(b"params", &ec_leaf, pkcs1, &sig)
            .unwrap_err();
        let mismatch = Error::PeerMisbehaved(PeerMisbehaved::IllegalParameter(
            "signature scheme is not allowed or does not match the certificate's key",
        ));
        assert_eq!(err, mismatch);
        assert_eq!(
            verifier.verify_tls12_signature(
                b"params",
                &rsa_leaf,
                SignatureScheme::RSA_PKCS1_SHA1,
                &sig
            ),
            Err(mismatch)
        );
    }

    #[test]
    fn root_stores_fold_duplicates_and_load_system_bundles() {
        let pki = Pki::new();
        let pem = format!("{}{}", pki.root.pem(), pki.root.pem());
        let store = RootStore::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(store.len(), 1);
        assert!(!store.is_empty());
        assert_eq!(store.anchors()[0].der(), pki.root.der().as_ref());
        assert!(RootStore::new().add_der(b"junk").is_err());

        let bundle = "/etc/ssl/certs/ca-certificates.crt";
        if std::path::Path::new(bundle).exists() {
            let store = RootStore::from_pem_file(bundle).unwrap();
            assert!(store.len() > 50, "{store:?}");
        }
    }

    #[test]
    fn the_verifier_is_a_trait_object() {
        let pki = Pki::new();
        let verifier: Arc<dyn ServerCertVerifier> =
            Arc::new(DefaultServerVerifier::new(pki.roots()));
        let name = ServerName::try_from("example.com").unwrap();
        assert_eq!(
            verifier.verify_server_cert(&pki.leaf, &[pki.inter_der()], &name, now()),
            Ok(())
        );
        let _: Box<dyn ClientCertVerifier> = Box::new(DefaultClientVerifier::new(pki.roots()));
    }
}
