//! Timestamps as proof of existence, over the fixtures of `tests/fixtures/timestamps/`
//! (made by `make.py` there with a test CA, a test TSA and fixed times; expectations in
//! `expected.tsv`): expiry and revocation before and after the timestamp, wrong imprints,
//! TSA certificates without the timeStamping purpose, M7M and TSD envelopes, extraction
//! through them, standalone tokens checked against their content, and OCSP responses
//! (given or embedded; good, revoked, unknown, stale, from an unauthorised responder).
//!
//! A file of its own (not a module of `verify.rs`) so that branches touching either do
//! not collide.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};

use lavoro_agile_verify::report::{FileReport, TimeBasis};
use lavoro_agile_verify::{
    validate_file, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/timestamps")
}

/// Options from an `expected.tsv` column: `trust=FILE` (repeatable) and `at=TIME`.
fn options(spec: &str) -> Options {
    options_in(&fixtures(), spec)
}

/// As [`options`], with the trust files of folder `dir`.
fn options_in(dir: &Path, spec: &str) -> Options {
    let mut trust = TrustStore::new();
    let mut at = ValidationTime::Now;
    let mut revocation = RevocationPolicy::IfAvailable;
    for o in spec.split_whitespace() {
        if o == "require-revocation" {
            revocation = RevocationPolicy::Required;
        }
        if let Some(t) = o.strip_prefix("trust=") {
            trust
                .add_bytes(&std::fs::read(dir.join(t)).unwrap())
                .unwrap();
        } else if let Some(t) = o.strip_prefix("at=") {
            at = ValidationTime::Given(time::OffsetDateTime::parse(t, &Rfc3339).unwrap());
        }
    }
    Options {
        trust,
        at,
        now: datetime!(2026-11-27 00:00 UTC),
        keep_content: true,
        revocation,
    }
}

fn run(file: &str, content: Option<&str>, opts: &Options) -> lavoro_agile_verify::FileOutcome {
    run_in(&fixtures(), file, content, opts)
}

fn run_in(
    dir: &Path,
    file: &str,
    content: Option<&str>,
    opts: &Options,
) -> lavoro_agile_verify::FileOutcome {
    validate_file(
        &FileInput {
            display: file.to_owned(),
            path: dir.join(file),
            content: content.map(|c| dir.join(c)),
        },
        opts,
    )
}

fn verdict(indication: &str, sub: Option<&str>) -> String {
    match sub {
        Some(s) => format!("{indication}/{s}"),
        None => indication.to_owned(),
    }
}

fn signatures(r: &FileReport) -> String {
    let s: Vec<String> = r
        .signatures
        .iter()
        .map(|s| verdict(s.indication.as_str(), s.subindication.map(|x| x.as_str())))
        .collect();
    if s.is_empty() {
        "-".to_owned()
    } else {
        s.join(";")
    }
}

fn timestamps(r: &FileReport) -> String {
    let s: Vec<String> = r
        .timestamps
        .iter()
        .map(|t| {
            format!(
                "{}:{}",
                t.kind,
                verdict(t.indication.as_str(), t.subindication.map(|x| x.as_str()))
            )
        })
        .collect();
    if s.is_empty() {
        "-".to_owned()
    } else {
        s.join(";")
    }
}

fn basis(b: TimeBasis) -> &'static str {
    match b {
        TimeBasis::Now => "now",
        TimeBasis::Given => "given",
        TimeBasis::Claimed => "claimed",
        TimeBasis::Timestamp => "timestamp",
    }
}

#[test]
fn fixtures_timestamp_table_all_rows_match() {
    let rows = table_rows_match(&fixtures());
    assert!(rows >= 23, "expected.tsv has only {rows} rows");
}

/// Checks every row of `dir/expected.tsv`; the number of rows.
fn table_rows_match(dir: &Path) -> usize {
    let table = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, opts, want, want_ts, want_basis) = (c[0], c[1], c[2], c[3], c[4]);
        let report = run_in(dir, file, None, &options_in(dir, opts)).report;
        let got = (
            signatures(&report),
            timestamps(&report),
            report
                .signatures
                .first()
                .map_or("-", |s| basis(s.validation_time.basis)),
        );
        if got != (want.to_owned(), want_ts.to_owned(), want_basis) {
            failures.push(format!(
                "{file} [{opts}]: want {want} {want_ts} {want_basis}, got {got:?}"
            ));
        }
        rows += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    rows
}

#[test]
fn expired_signer_timestamp_before_expiry_validated_at_timestamp_time() {
    let r = run(
        "expired-timestamp-before.p7m",
        None,
        &options("trust=ca.pem at=2026-01-01T00:00:00Z"),
    )
    .report;
    let s = &r.signatures[0];
    assert_eq!(s.validation_time.time.0, datetime!(2024-03-01 10:05 UTC));
    assert_eq!(s.validation_time.basis, TimeBasis::Timestamp);
    let w = s
        .warnings
        .iter()
        .find(|w| w.code == "validated_at_timestamp")
        .expect("the report says why the time moved");
    let json = serde_json::to_value(&w.message).unwrap().to_string();
    assert!(json.contains("T1") && json.contains("2024-03-01"), "{json}");
    assert!(json.contains("marca temporale"), "{json}");
}

#[test]
fn signature_timestamp_covers_its_signature() {
    let r = run(
        "expired-timestamp-before.p7m",
        None,
        &options("trust=ca.pem at=2026-01-01T00:00:00Z"),
    )
    .report;
    assert_eq!(r.timestamps[0].covers, vec!["S1".to_owned()]);
    assert_eq!(
        r.timestamps[0].gen_time.map(|t| t.0),
        Some(datetime!(2024-03-01 10:05 UTC))
    );
    let names: Vec<&str> = r.timestamps[0].checks.iter().map(|c| c.name).collect();
    assert!(names.contains(&"tsa_purpose"), "{names:?}");
    assert!(names.contains(&"message_imprint"), "{names:?}");
}

#[test]
fn revoked_after_timestamp_passes_with_revocation_warning() {
    let r = run(
        "revoked-after-timestamp.p7m",
        None,
        &options("trust=ca.pem trust=ca.crl at=2026-01-01T00:00:00Z"),
    )
    .report;
    let codes: Vec<&str> = r.signatures[0].warnings.iter().map(|w| w.code).collect();
    assert!(
        codes.contains(&"revoked_after_validation_time"),
        "{codes:?}"
    );
    assert!(codes.contains(&"validated_at_timestamp"), "{codes:?}");
}

#[test]
fn m7m_and_tsd_extract_the_signed_content() {
    let want = std::fs::read(fixtures().join("atto.txt")).unwrap();
    for file in ["atto.txt.m7m", "atto.txt.p7m.tsd"] {
        let out = run(file, None, &options("trust=ca.pem"));
        assert_eq!(out.content.as_deref(), Some(want.as_slice()), "{file}");
    }
}

#[test]
fn standalone_token_with_content_imprint_checked() {
    for file in ["atto.txt.tsr", "atto.txt.tst"] {
        let ok = run(file, Some("atto.txt"), &options("trust=ca.pem")).report;
        assert_eq!(timestamps(&ok), "token:TOTAL_PASSED", "{file}");
        let imprint = ok.timestamps[0]
            .checks
            .iter()
            .find(|c| c.name == "message_imprint")
            .unwrap();
        assert_eq!(
            imprint.outcome,
            lavoro_agile_verify::report::Outcome::Passed
        );
        let wrong = run(file, Some("ca.pem"), &options("trust=ca.pem")).report;
        assert_eq!(
            timestamps(&wrong),
            "token:TOTAL_FAILED/HASH_FAILURE",
            "{file}"
        );
        // Without --content, the file named like the token minus its extension is the data.
        let beside = run(file, None, &options("trust=ca.pem")).report;
        assert_eq!(timestamps(&beside), "token:TOTAL_PASSED", "{file}");
    }
}

// Archive timestamps (CAdES-A), over `tests/fixtures/archive/` (made by `make.py` there):
// chains of proofs of existence, ATSv1/v2/v3, the ATSHashIndex.

fn archive_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/archive")
}

fn archive_run(file: &str) -> FileReport {
    let dir = archive_fixtures();
    run_in(
        &dir,
        file,
        None,
        &options_in(&dir, "trust=ca.pem at=2026-01-01T00:00:00Z"),
    )
    .report
}

fn check_of<'a>(
    t: &'a lavoro_agile_verify::report::TimestampReport,
    name: &str,
) -> Option<&'a lavoro_agile_verify::report::Check> {
    t.checks.iter().find(|c| c.name == name)
}

#[test]
fn fixtures_archive_table_all_rows_match() {
    let rows = table_rows_match(&archive_fixtures());
    assert!(rows >= 9, "expected.tsv has only {rows} rows");
}

#[test]
fn archive_chain_expired_tsa_validated_through_archive_timestamp() {
    let r = archive_run("chain-atsv2.p7m");
    let s = &r.signatures[0];
    assert_eq!(s.validation_time.basis, TimeBasis::Timestamp);
    assert_eq!(s.validation_time.time.0, datetime!(2024-03-01 10:05 UTC));
    let t1 = &r.timestamps[0];
    assert_eq!(t1.kind, "signature");
    let poe = check_of(t1, "proof_of_existence").expect("T1 says it was validated through T2");
    let json = serde_json::to_value(&poe.detail).unwrap().to_string();
    assert!(json.contains("T2") && json.contains("2025-06-01"), "{json}");
    let t2 = &r.timestamps[1];
    assert_eq!(t2.kind, "archive");
    assert!(t2.covers.contains(&"T1".to_owned()), "{:?}", t2.covers);
    assert!(check_of(t2, "proof_of_existence").is_none());
}

#[test]
fn archive_chain_without_archive_timestamp_indeterminate() {
    let r = archive_run("chain-none.p7m");
    assert_eq!(signatures(&r), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
    assert!(check_of(&r.timestamps[0], "proof_of_existence").is_none());
}

#[test]
fn archive_chain_wrong_imprint_does_not_extend() {
    let r = archive_run("chain-atsv2-wrong-imprint.p7m");
    assert_eq!(signatures(&r), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
    assert!(check_of(&r.timestamps[0], "proof_of_existence").is_none());
    assert!(r.timestamps[1].covers.iter().all(|c| !c.starts_with('T')));
}

#[test]
fn archive_chain_two_levels_each_validated_through_the_next() {
    let r = archive_run("chain-two-archives.p7m");
    let by = |i: usize| {
        let c = check_of(&r.timestamps[i], "proof_of_existence").unwrap();
        serde_json::to_value(&c.detail).unwrap().to_string()
    };
    // T1 (signature timestamp) through T2 (the first archive timestamp), T2 through T3.
    assert!(by(0).contains("T2"), "{}", by(0));
    assert!(by(1).contains("T3"), "{}", by(1));
    assert!(check_of(&r.timestamps[2], "proof_of_existence").is_none());
    assert_eq!(r.signatures[0].validation_time.basis, TimeBasis::Timestamp);
}

#[test]
fn archive_v3_certificates_changed_after_it_fails_with_reason() {
    let r = archive_run("chain-atsv3-certs-changed.p7m");
    let ats = &r.timestamps[1];
    let imprint = check_of(ats, "message_imprint").unwrap();
    assert_eq!(
        imprint.outcome,
        lavoro_agile_verify::report::Outcome::Passed
    );
    let index = check_of(ats, "archive_index").expect("the ATSHashIndex check");
    assert_eq!(index.outcome, lavoro_agile_verify::report::Outcome::Failed);
    let json = serde_json::to_value(&index.detail).unwrap().to_string();
    assert!(json.contains("1 certificate"), "{json}");
}

#[test]
fn archive_v3_unsigned_attribute_added_after_it_still_valid() {
    let r = archive_run("chain-atsv3-attr-added.p7m");
    assert!(check_of(&r.timestamps[1], "archive_index").is_none());
    assert_eq!(
        timestamps(&r),
        "signature:TOTAL_PASSED;archive:TOTAL_PASSED"
    );
}

#[test]
fn archive_v1_imprint_rebuilt_and_extends() {
    let r = archive_run("chain-atsv1.p7m");
    let imprint = check_of(&r.timestamps[1], "message_imprint").unwrap();
    assert_eq!(
        imprint.outcome,
        lavoro_agile_verify::report::Outcome::Passed
    );
    assert_eq!(r.signatures[0].validation_time.basis, TimeBasis::Timestamp);
}
