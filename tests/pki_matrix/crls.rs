//! Revocation lists: which CRLs count (authentic: signed by the issuer, whose
//! keyUsage allows cRLSign; complete: a non-critical crlNumber), and a
//! revoked serial refused under every policy.

use keyway::error::CertificateError;
use keyway::pki::{UnknownStatusPolicy, VerifyOptions};
use rcgen::KeyUsagePurpose;

use super::der::{crl, CrlShape, Revoked};
use super::{ca_params, der as der_of, fails_with, leaf, leaf_params, opts, sub_ca, Issuer, Pki};

/// A Pki whose leaf's issuer is an intermediate with the given keyUsage.
struct Case {
    pki: Pki,
    ca: Issuer,
    leaf: Vec<u8>,
}

impl Case {
    fn new(usages: Vec<KeyUsagePurpose>) -> Self {
        let pki = Pki::new();
        let mut params = ca_params("CRL CA");
        params.key_usages = usages;
        let ca = sub_ca(params, &pki.root);
        let leaf = leaf(leaf_params(&["example.com"]), &ca);
        Case { pki, ca, leaf }
    }

    /// A CRL with `shape` from the CA (its name, its key).
    fn crl(&self, shape: &CrlShape) -> Vec<u8> {
        let (_, cert) = x509_parser::parse_x509_certificate(self.ca.der()).unwrap();
        crl(cert.subject().as_raw(), self.ca.key(), shape)
    }

    /// A CRL with `shape` from the root, which vouches for the CA.
    fn root_crl(&self) -> Vec<u8> {
        let (_, cert) = x509_parser::parse_x509_certificate(self.pki.root.der()).unwrap();
        crl(
            cert.subject().as_raw(),
            self.pki.root.key(),
            &CrlShape::default(),
        )
    }

    fn check(
        &self,
        crls: Vec<Vec<u8>>,
        policy: UnknownStatusPolicy,
    ) -> Result<keyway::pki::VerifiedPath, CertificateError> {
        let options = VerifyOptions {
            crls,
            unknown_revocation_status: policy,
            ..opts()
        };
        self.pki
            .check_with(&self.leaf, &[der_of(&self.ca)], "example.com", &options)
    }
}

fn unknown(why: &str) -> CertificateError {
    CertificateError::RevocationStatusUnknown(format!(
        "the revocation status of certificate 0 (CN=leaf) is unknown at 2026-06-01T00:00:00Z: \
         {why}"
    ))
}

const SIGNER: [KeyUsagePurpose; 2] = [KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];

#[test]
fn a_crl_counts_only_from_an_issuer_allowed_to_sign_crls() {
    use UnknownStatusPolicy::Deny;
    let signer = Case::new(SIGNER.to_vec());
    let crls = vec![signer.crl(&CrlShape::default()), signer.root_crl()];
    assert!(signer.check(crls, Deny).is_ok());
    // No keyUsage at all: RFC 5280, Section 6.3.3(f) has nothing to check.
    let any = Case::new(vec![]);
    assert!(any
        .check(vec![any.crl(&CrlShape::default()), any.root_crl()], Deny)
        .is_ok());

    let no_crl_sign = Case::new(vec![KeyUsagePurpose::KeyCertSign]);
    let crls = vec![
        no_crl_sign.crl(&CrlShape::default()),
        no_crl_sign.root_crl(),
    ];
    fails_with(
        no_crl_sign.check(crls.clone(), Deny),
        unknown(
            "CRL 0 is signed by certificate 1 (CN=CRL CA), whose keyUsage lacks cRLSign \
             (RFC 5280, Section 6.3.3(f))",
        ),
    );
    // Nor does it revoke anything.
    let revoking = no_crl_sign.crl(&CrlShape {
        revoked: vec![Revoked::certificate(&no_crl_sign.leaf)],
        ..CrlShape::default()
    });
    assert!(no_crl_sign
        .check(vec![revoking], UnknownStatusPolicy::Allow)
        .is_ok());

    // A trusted root is held to the same rule for the CRLs about its CA.
    let mut params = ca_params("No CRL Root");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let root = rcgen::CertifiedIssuer::self_signed(params, super::p256()).unwrap();
    let ca = sub_ca(ca_params("Signing CA"), &root);
    let l = leaf(leaf_params(&["example.com"]), &ca);
    let subject = |der: &[u8]| {
        let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
        cert.subject().as_raw().to_vec()
    };
    let options = VerifyOptions {
        crls: vec![
            crl(&subject(ca.der()), ca.key(), &CrlShape::default()),
            crl(&subject(root.der()), root.key(), &CrlShape::default()),
        ],
        unknown_revocation_status: Deny,
        ..opts()
    };
    let name = keyway::pki::ServerName::try_from("example.com").unwrap();
    fails_with(
        keyway::pki::verify_server_chain(
            &super::store(&[&root]),
            &l,
            &[der_of(&ca)],
            &name,
            &options,
        ),
        CertificateError::RevocationStatusUnknown(
            "the revocation status of certificate 1 (CN=Signing CA) is unknown at \
             2026-06-01T00:00:00Z: CRL 1 is signed by the trusted root CN=No CRL Root, whose \
             keyUsage lacks cRLSign (RFC 5280, Section 6.3.3(f))"
                .into(),
        ),
    );
}

#[test]
fn a_crl_without_a_non_critical_crl_number_says_nothing_good() {
    use UnknownStatusPolicy::{Allow, Deny};
    let case = Case::new(SIGNER.to_vec());
    for (critical, why) in [
        (
            None,
            "CRL 0 lacks the crlNumber extension (RFC 5280, Section 5.2.3)",
        ),
        (
            Some(true),
            "CRL 0 marks its crlNumber critical (RFC 5280, Section 5.2.3)",
        ),
    ] {
        let bad = case.crl(&CrlShape {
            crl_number_critical: critical,
            ..CrlShape::default()
        });
        fails_with(
            case.check(vec![bad.clone(), case.root_crl()], Deny),
            unknown(why),
        );
        assert!(case.check(vec![bad], Allow).is_ok());
    }
    // Nor does one that is out of date, or has a critical entry extension.
    let stale = case.crl(&CrlShape {
        this_update: "260101000000Z",
        next_update: Some("260301000000Z"),
        ..CrlShape::default()
    });
    fails_with(
        case.check(vec![stale, case.root_crl()], Deny),
        unknown("CRL 0 is out of date: its nextUpdate was 2026-03-01T00:00:00Z"),
    );
    let other = Revoked {
        serial: vec![0x7f, 0x01],
        critical_entry_extension: true,
    };
    let odd_entry = case.crl(&CrlShape {
        revoked: vec![other],
        ..CrlShape::default()
    });
    fails_with(
        case.check(vec![odd_entry, case.root_crl()], Deny),
        unknown("CRL 0 has an entry with a critical extension (RFC 5280, Section 5.3)"),
    );
}

#[test]
fn a_revoked_serial_is_refused_under_every_policy() {
    let case = Case::new(SIGNER.to_vec());
    let revoked = |issued: &str| {
        CertificateError::Revoked(format!(
            "certificate 0 (CN=leaf) was revoked at 2026-05-02T00:00:00Z (CRL issued by CN=CRL \
             CA at {issued})"
        ))
    };
    let shapes = [
        CrlShape::default(),
        // Out of date, without a crlNumber, with a critical entry extension:
        // none of these makes an authentic revocation untrue.
        CrlShape {
            this_update: "260101000000Z",
            next_update: Some("260301000000Z"),
            ..CrlShape::default()
        },
        CrlShape {
            crl_number_critical: None,
            ..CrlShape::default()
        },
        CrlShape::default(),
    ];
    for (n, mut shape) in shapes.into_iter().enumerate() {
        shape.revoked = vec![Revoked {
            critical_entry_extension: n == 3,
            ..Revoked::certificate(&case.leaf)
        }];
        let issued = match shape.this_update {
            "260101000000Z" => "2026-01-01T00:00:00Z",
            _ => "2026-05-01T00:00:00Z",
        };
        let crl = case.crl(&shape);
        for policy in [UnknownStatusPolicy::Allow, UnknownStatusPolicy::Deny] {
            fails_with(case.check(vec![crl.clone()], policy), revoked(issued));
        }
    }
}

/// RFC 5280, Sections 5.1.2.4-5: a CRL counts from its thisUpdate through
/// its nextUpdate, both instants included (the verification time is
/// 2026-06-01T00:00:00Z).
#[test]
fn a_crl_counts_from_its_this_update_through_its_next_update() {
    use UnknownStatusPolicy::Deny;
    let case = Case::new(SIGNER.to_vec());
    let with = |this_update, next_update| {
        let crl = case.crl(&CrlShape {
            this_update,
            next_update: Some(next_update),
            ..CrlShape::default()
        });
        case.check(vec![crl, case.root_crl()], Deny)
    };
    assert!(with("260601000000Z", "260701000000Z").is_ok());
    assert!(with("260501000000Z", "260601000000Z").is_ok());
    fails_with(
        with("260601000001Z", "260701000000Z"),
        unknown("CRL 0 is not valid before its thisUpdate, 2026-06-01T00:00:01Z"),
    );
    fails_with(
        with("260501000000Z", "260531235959Z"),
        unknown("CRL 0 is out of date: its nextUpdate was 2026-05-31T23:59:59Z"),
    );
}
