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
    let mut trust = TrustStore::new();
    let mut at = ValidationTime::Now;
    let mut revocation = RevocationPolicy::IfAvailable;
    for o in spec.split_whitespace() {
        if o == "require-revocation" {
            revocation = RevocationPolicy::Required;
        }
        if let Some(t) = o.strip_prefix("trust=") {
            trust
                .add_bytes(&std::fs::read(fixtures().join(t)).unwrap())
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
    validate_file(
        &FileInput {
            display: file.to_owned(),
            path: fixtures().join(file),
            content: content.map(|c| fixtures().join(c)),
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
    let table = std::fs::read_to_string(fixtures().join("expected.tsv")).unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, opts, want, want_ts, want_basis) = (c[0], c[1], c[2], c[3], c[4]);
        let report = run(file, None, &options(opts)).report;
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
    assert!(rows >= 23, "expected.tsv has only {rows} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
