//! The generated PAdES-LT and PAdES-LTA fixtures (`tests/fixtures/pades-ltv/`, made by its
//! `make.py`): validation data from the Document Security Store (DSS/VRI) used for path
//! building and revocation of signatures and timestamps, proof of existence by a document
//! timestamp, and a store with garbled entries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use lavoro_agile_tests::workspace_root;
use lavoro_agile_verify::report::{FileReport, Outcome};
use lavoro_agile_verify::{
    validate_file, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
};
use time::macros::datetime;
use time::OffsetDateTime;

fn fixtures() -> std::path::PathBuf {
    workspace_root().join("tests/fixtures/pades-ltv")
}

fn check(name: &str, at: OffsetDateTime, revocation: RevocationPolicy) -> FileReport {
    check_with(name, at, revocation, true)
}

fn check_with(
    name: &str,
    at: OffsetDateTime,
    revocation: RevocationPolicy,
    trusted_ca: bool,
) -> FileReport {
    let mut store = TrustStore::new();
    if trusted_ca {
        store
            .add_bytes(&std::fs::read(fixtures().join("ca.pem")).unwrap())
            .unwrap();
    }
    let options = Options {
        trust: store,
        at: ValidationTime::Given(at),
        now: at,
        keep_content: false,
        revocation,
    };
    let input = FileInput {
        display: name.to_owned(),
        path: fixtures().join(name),
        content: None,
    };
    let report = validate_file(&input, &options).report;
    assert!(report.error.is_none(), "{name}: {:?}", report.error);
    report
}

fn verdicts(r: &FileReport) -> (Vec<String>, Vec<String>) {
    let v = |i: lavoro_agile_verify::Indication,
             s: Option<lavoro_agile_verify::report::SubIndication>| {
        format!("{}/{}", i.as_str(), s.map_or("-", |x| x.as_str()))
    };
    (
        r.signatures
            .iter()
            .map(|s| v(s.indication, s.subindication))
            .collect(),
        r.timestamps
            .iter()
            .map(|t| format!("{}:{}", t.kind, v(t.indication, t.subindication)))
            .collect(),
    )
}

fn revocation_detail(checks: &[lavoro_agile_verify::report::Check]) -> (Outcome, String) {
    let c = checks
        .iter()
        .find(|c| c.name == "revocation")
        .expect("a revocation check");
    (c.outcome, c.detail.en.clone())
}

const REQUIRED: RevocationPolicy = RevocationPolicy::Required;
const SIGNED_NEXT_DAY: OffsetDateTime = datetime!(2024-03-02 00:00 UTC);

#[test]
fn lt_ocsp_in_vri_required_revocation_passes_from_vri() {
    let r = check("lt-ocsp-good.pdf", SIGNED_NEXT_DAY, REQUIRED);
    let (sigs, stamps) = verdicts(&r);
    assert_eq!(sigs, ["TOTAL_PASSED/-"]);
    assert_eq!(stamps, ["signature:TOTAL_PASSED/-"]);
    let (outcome, detail) = revocation_detail(&r.signatures[0].checks);
    assert_eq!(outcome, Outcome::Passed);
    assert!(detail.contains("this signature's VRI entry"), "{detail}");
    // The TSA's OCSP response is at the top level of the store only.
    let (outcome, detail) = revocation_detail(&r.timestamps[0].checks);
    assert_eq!(outcome, Outcome::Passed);
    assert!(detail.contains("(DSS)."), "{detail}");
    assert!(r.signatures[0]
        .warnings
        .iter()
        .all(|w| !w.code.starts_with("dss_")));
}

#[test]
fn dss_with_untrusted_root_and_same_name_impostor_no_chain_found() {
    // The DSS holds the CA and another self-signed certificate of the same name with a
    // different key; without anchors the chain ends at the CA, it is not a bad signature.
    let r = check_with(
        "lt-ocsp-good.pdf",
        SIGNED_NEXT_DAY,
        RevocationPolicy::IfAvailable,
        false,
    );
    assert_eq!(verdicts(&r).0, ["INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"]);
}

#[test]
fn same_signature_without_dss_required_revocation_try_later() {
    let r = check("b-t-no-dss.pdf", SIGNED_NEXT_DAY, REQUIRED);
    assert_eq!(verdicts(&r).0, ["INDETERMINATE/TRY_LATER"]);
}

#[test]
fn lt_revoked_crl_in_dss_after_revocation_revoked_no_poe() {
    let r = check(
        "lt-crl-revoked.pdf",
        datetime!(2024-08-01 00:00 UTC),
        REQUIRED,
    );
    assert_eq!(verdicts(&r).0, ["INDETERMINATE/REVOKED_NO_POE"]);
    let (_, detail) = revocation_detail(&r.signatures[0].checks);
    assert!(detail.contains("(DSS)."), "{detail}");
}

#[test]
fn lt_revoked_crl_in_dss_before_revocation_passes_with_warning() {
    let r = check(
        "lt-crl-revoked.pdf",
        datetime!(2024-05-01 00:00 UTC),
        REQUIRED,
    );
    assert_eq!(verdicts(&r).0, ["TOTAL_PASSED/-"]);
    assert!(r.signatures[0]
        .warnings
        .iter()
        .any(|w| w.code == "revoked_after_validation_time"));
}

#[test]
fn lta_expired_signer_passes_at_document_timestamp_with_dss_revocation() {
    let r = check("lta-expired.pdf", datetime!(2026-01-01 00:00 UTC), REQUIRED);
    let (sigs, stamps) = verdicts(&r);
    assert_eq!(sigs, ["TOTAL_PASSED/-"]);
    assert_eq!(stamps, ["document:TOTAL_PASSED/-"]);
    let s = &r.signatures[0];
    assert_eq!(
        s.validation_time.basis,
        lavoro_agile_verify::report::TimeBasis::Timestamp
    );
    assert_eq!(s.validation_time.time.0, datetime!(2024-03-02 09:00 UTC));
    let (outcome, detail) = revocation_detail(&s.checks);
    assert_eq!(outcome, Outcome::Passed);
    assert!(detail.contains("this signature's VRI entry"), "{detail}");
}

#[test]
fn lta_expired_signer_without_dss_required_revocation_not_lifted() {
    let r = check(
        "lta-expired-no-dss.pdf",
        datetime!(2026-01-01 00:00 UTC),
        REQUIRED,
    );
    let (sigs, _) = verdicts(&r);
    assert_ne!(sigs, ["TOTAL_PASSED/-"]);
}

#[test]
fn lta_expired_signer_without_dss_revocation_if_available_passes_unchecked() {
    let r = check(
        "lta-expired-no-dss.pdf",
        datetime!(2026-01-01 00:00 UTC),
        RevocationPolicy::IfAvailable,
    );
    assert_eq!(verdicts(&r).0, ["TOTAL_PASSED/-"]);
    assert_ne!(
        revocation_detail(&r.signatures[0].checks).0,
        Outcome::Passed
    );
}

#[test]
fn dss_with_garbled_entries_warns_and_uses_the_rest() {
    let r = check("dss-garbled.pdf", SIGNED_NEXT_DAY, REQUIRED);
    let (sigs, _) = verdicts(&r);
    // The OCSP response is still used; the TSA's CRL could not be decoded.
    assert_eq!(sigs, ["TOTAL_PASSED/-"]);
    let w = r.signatures[0]
        .warnings
        .iter()
        .find(|w| w.code == "dss_entry_unusable")
        .expect("a warning about the DSS");
    for part in ["certificate", "CRL", "wrong type", "VRI entry"] {
        assert!(w.message.en.contains(part), "{part}: {}", w.message.en);
    }
}

#[test]
fn adbe_archival_and_dss_both_used_for_signature_and_document_timestamp() {
    let r = check("lt-adbe-and-dss.pdf", SIGNED_NEXT_DAY, REQUIRED);
    let (sigs, stamps) = verdicts(&r);
    assert_eq!(sigs, ["TOTAL_PASSED/-"]);
    // The TSA's status is only in the DSS.
    assert_eq!(stamps, ["document:TOTAL_PASSED/-"]);
    let (_, detail) = revocation_detail(&r.timestamps[0].checks);
    assert!(detail.contains("(DSS)."), "{detail}");
}

#[test]
fn adbe_archival_alone_signature_passes_from_the_signature() {
    // The signature of the previous file before its DSS was added: the CMS alone.
    let r = check("lt-adbe-only.pdf", SIGNED_NEXT_DAY, REQUIRED);
    let (sigs, _) = verdicts(&r);
    assert_eq!(sigs, ["TOTAL_PASSED/-"]);
    let (_, detail) = revocation_detail(&r.signatures[0].checks);
    assert!(detail.contains("the signature itself"), "{detail}");
}
